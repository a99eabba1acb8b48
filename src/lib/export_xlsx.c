/* SPDX-License-Identifier: MIT */
/* The sheets of an export written as an .xlsx workbook through libxlsxwriter. */
#include <stdio.h>
#include <string.h>

#include <xlsxwriter.h>

#include "crmf/diag.h"
#include "crmf/export.h"

/* Excel's limits: rows of a sheet, characters of a cell. */
#define XLSX_MAX_ROWS 1048576
#define XLSX_MAX_CELL 32767

struct formats {
	lxw_format *header, *text, *longtext, *number, *date, *datetime;
};

static double col_width(crmf_xcol_kind k)
{
	switch (k) {
	case CRMF_XCOL_LONG:
		return 40;
	case CRMF_XCOL_DATE:
		return 12;
	case CRMF_XCOL_NUMBER:
		return 14;
	default:
		return 16;
	}
}

static lxw_format *col_format(const struct formats *f, crmf_xcol_kind k)
{
	return k == CRMF_XCOL_LONG ? f->longtext
	       : k == CRMF_XCOL_DATE ? f->date
	       : k == CRMF_XCOL_NUMBER ? f->number
				       : f->text;
}

static lxw_error write_cell(lxw_worksheet *ws, const struct formats *f, lxw_row_t r, lxw_col_t c,
			    const crmf_xcell *cell, crmf_xcol_kind kind)
{
	lxw_datetime dt;
	int y, m, d;

	switch (cell->type) {
	case CRMF_XCELL_EMPTY:
		return LXW_NO_ERROR;
	case CRMF_XCELL_NUMBER:
		return worksheet_write_number(ws, r, c, cell->number, f->number);
	case CRMF_XCELL_DATE:
		crmf_date_to_ymd(cell->day, &y, &m, &d);
		dt = (lxw_datetime){y, m, d, cell->minute >= 0 ? cell->minute / 60 : 0,
				    cell->minute >= 0 ? cell->minute % 60 : 0, 0};
		return worksheet_write_datetime(ws, r, c, &dt,
						cell->minute >= 0 ? f->datetime : f->date);
	case CRMF_XCELL_TEXT:
		break;
	}
	/* text is a string cell whatever it looks like: a phone stays "13805742236" */
	return worksheet_write_string(ws, r, c, cell->text,
				      kind == CRMF_XCOL_LONG ? f->longtext : f->text);
}

static int write_sheet(lxw_workbook *wb, const struct formats *f, const crmf_xsheet *s,
		       const char *fspath)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, s->name);
	lxw_error err;

	if (!ws)
		return crmf_error_set("%s: cannot add the sheet '%s'", fspath, s->name);
	if (s->n_rows + 1 > XLSX_MAX_ROWS)
		return crmf_error_set("%s: %zu rows do not fit in sheet '%s' (Excel takes %d)",
				      fspath, s->n_rows, s->name, XLSX_MAX_ROWS - 1);
	for (size_t c = 0; c < s->n_cols; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, col_width(s->kinds[c]),
				     col_format(f, s->kinds[c]));
		worksheet_write_string(ws, 0, (lxw_col_t)c, s->headers[c], f->header);
	}
	for (size_t r = 0; r < s->n_rows; r++)
		for (size_t c = 0; c < s->n_cols; c++) {
			const crmf_xcell *cell = &s->cells[r * s->n_cols + c];

			if (cell->type == CRMF_XCELL_TEXT && strlen(cell->text) > XLSX_MAX_CELL)
				return crmf_error_set("%s: sheet '%s' row %zu: a text longer than "
						      "Excel's %d characters",
						      fspath, s->name, r + 2, XLSX_MAX_CELL);
			err = write_cell(ws, f, (lxw_row_t)(r + 1), (lxw_col_t)c, cell,
					 s->kinds[c]);
			if (err != LXW_NO_ERROR)
				return crmf_error_set("%s: sheet '%s' row %zu: %s", fspath, s->name,
						      r + 2, lxw_strerror(err));
		}
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_autofilter(ws, 0, 0, (lxw_row_t)s->n_rows, (lxw_col_t)(s->n_cols - 1));
	return 0;
}

int crmf_export_xlsx(const crmf_export *x, const char *fspath)
{
	lxw_workbook *wb = workbook_new(fspath);
	struct formats f;
	lxw_error err;
	int rc = 0;

	if (!wb)
		return crmf_error_set("%s: cannot create the workbook", fspath);
	f.header = workbook_add_format(wb);
	format_set_bold(f.header);
	format_set_bg_color(f.header, 0xDDEBF7);
	format_set_border(f.header, LXW_BORDER_THIN);
	f.text = workbook_add_format(wb);
	format_set_num_format(f.text, "@"); /* typed in later, a phone stays text too */
	f.longtext = workbook_add_format(wb);
	format_set_num_format(f.longtext, "@");
	format_set_text_wrap(f.longtext);
	format_set_align(f.longtext, LXW_ALIGN_VERTICAL_TOP);
	f.number = workbook_add_format(wb);
	format_set_num_format(f.number, "#,##0.00");
	f.date = workbook_add_format(wb);
	format_set_num_format(f.date, "yyyy-mm-dd");
	f.datetime = workbook_add_format(wb);
	format_set_num_format(f.datetime, "yyyy-mm-dd hh:mm");
	for (int s = 0; s < CRMF_XSHEETS && rc == 0; s++)
		rc = write_sheet(wb, &f, &x->sheets[s], fspath);
	err = workbook_close(wb);
	if (rc == 0 && err != LXW_NO_ERROR)
		rc = crmf_error_set("%s: %s", fspath, lxw_strerror(err));
	return rc;
}
