/* SPDX-License-Identifier: MIT */
/* .xls workbooks (Excel 97-2003, BIFF) through libfreexl. */
#include <freexl.h>
#include <stdio.h>
#include <string.h>

#include "crmf/diag.h"
#include "sheet_private.h"
#include "util.h"

static const char *freexl_reason(int rc)
{
	switch (rc) {
	case FREEXL_FILE_NOT_FOUND:
		return crmf_tr("cannot be opened");
	case FREEXL_INSUFFICIENT_MEMORY:
		return crmf_tr("out of memory");
	case FREEXL_CFBF_READ_ERROR:
	case FREEXL_CFBF_SEEK_ERROR:
		return crmf_tr("truncated or damaged (read past its end)");
	case FREEXL_BIFF_WORKBOOK_NOT_FOUND:
		return crmf_tr("an OLE2 file without an Excel workbook in it (a Word or other Office file?)");
	case FREEXL_INVALID_CHARACTER:
	case FREEXL_UNSUPPORTED_CHARSET:
		return crmf_tr("text in a character set that cannot be read");
	default:
		return crmf_tr("truncated or damaged");
	}
}

/* "2024-03-01", "2024-03-01 10:30:00" or "10:30:00" from libfreexl */
static void put_date(sheet_build *b, uint32_t row, uint32_t col, const char *t, bool with_time)
{
	crmf_day day;
	int minute = -1;

	if (!t || strlen(t) < 10 || crmf_date_parse(&day, t, 10) < 0) {
		if (t)
			sheet_text(b, row, col, t, strlen(t));
		return;
	}
	if (with_time && strlen(t) >= 16) {
		minute = (t[11] - '0') * 600 + (t[12] - '0') * 60 + (t[14] - '0') * 10 + (t[15] - '0');
		if (minute < 0 || minute >= 1440)
			minute = -1;
	}
	sheet_date(b, row, col, day, minute, 0);
}

int sheet_read_xls(crmf_workbook *wb)
{
	const void *h = NULL;
	unsigned int n_sheets = 0, info = 0;
	int rc = freexl_open(wb->path, &h);

	if (rc != FREEXL_OK) {
		if (h)
			freexl_close(h);
		return crmf_error_set("%s: not a readable .xls workbook: %s", wb->path,
				      freexl_reason(rc));
	}
	if (freexl_get_info(h, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK &&
	    info == FREEXL_BIFF_OBFUSCATED) {
		freexl_close(h);
		return crmf_error_set("%s: the workbook is protected by a password; save a copy "
				      "without one",
				      wb->path);
	}
	if (freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &n_sheets) != FREEXL_OK)
		n_sheets = 0;
	for (unsigned short s = 0; s < n_sheets; s++) {
		const char *name = NULL;
		unsigned int rows = 0;
		unsigned short cols = 0;
		sheet_build b;

		if (freexl_get_worksheet_name(h, s, &name) != FREEXL_OK || !name)
			name = "";
		sheet_begin(&b, wb, name, strlen(name));
		if (freexl_select_active_worksheet(h, s) != FREEXL_OK ||
		    freexl_worksheet_dimensions(h, &rows, &cols) != FREEXL_OK) {
			sheet_abandon(&b);
			freexl_close(h);
			return crmf_error_set("%s: damaged workbook: sheet '%s' cannot be read",
					      wb->path, name);
		}
		if (rows > SHEET_MAX_ROW)
			rows = SHEET_MAX_ROW;
		for (unsigned int r = 0; r < rows; r++)
			for (unsigned short c = 0; c < cols; c++) {
				FreeXL_CellValue v;
				uint32_t row = r + 1, col = (uint32_t)c + 1;

				if (freexl_get_cell_value(h, r, c, &v) != FREEXL_OK)
					continue;
				switch (v.type) {
				case FREEXL_CELL_INT:
					sheet_number(&b, row, col, v.value.int_value, false, false,
						     false);
					break;
				case FREEXL_CELL_DOUBLE:
					sheet_number(&b, row, col, v.value.double_value, false,
						     false, false);
					break;
				case FREEXL_CELL_TEXT:
				case FREEXL_CELL_SST_TEXT:
				case FREEXL_CELL_TIME:
					if (v.value.text_value)
						sheet_text(&b, row, col, v.value.text_value,
							   strlen(v.value.text_value));
					break;
				case FREEXL_CELL_DATE:
					put_date(&b, row, col, v.value.text_value, false);
					break;
				case FREEXL_CELL_DATETIME:
					put_date(&b, row, col, v.value.text_value, true);
					break;
				default:
					break;
				}
			}
		if (sheet_finish(&b) < 0) {
			freexl_close(h);
			return -1;
		}
	}
	freexl_close(h);
	return 0;
}
