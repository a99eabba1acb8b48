/* SPDX-License-Identifier: MIT */
/* Fuzz harness: spreadsheet bytes (xlsx, xls, csv by their content) read into cells, then imported. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "crmf/import.h"
#include "crmf/sheet.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = memfd_create("fuzz_sheet", MFD_CLOEXEC);
	crmf_workbook *wb = NULL;
	crmf_diags diags;

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	crmf_diags_init(&diags);
	if (crmf_workbook_open(&wb, path, NULL) == 0) {
		FUZZ_ASSERT(wb->n_sheets >= 1 || wb->format == CRMF_SHEET_XLSX ||
				    wb->format == CRMF_SHEET_XLS,
			    "a text file is one sheet");
		for (size_t s = 0; s < wb->n_sheets; s++) {
			const crmf_sheet *sh = &wb->sheets[s];
			crmf_import *imp = NULL;

			for (size_t r = 0; r < sh->n_rows; r++) {
				FUZZ_ASSERT(sh->rows[r].n > 0, "a stored row has a cell");
				FUZZ_ASSERT(r == 0 || sh->rows[r - 1].row < sh->rows[r].row,
					    "rows in order");
				for (size_t c = 0; c < sh->rows[r].n; c++) {
					const crmf_cell *cell = &sh->rows[r].cells[c];

					FUZZ_ASSERT(cell->text && cell->row == sh->rows[r].row &&
							    cell->col >= 1 && cell->col <= sh->max_col,
						    "cell %zu of row %u", c, sh->rows[r].row);
					FUZZ_ASSERT(c == 0 || sh->rows[r].cells[c - 1].col < cell->col,
						    "cells in column order");
				}
			}
			if (crmf_import_sheet(&imp, sh, NULL, NULL, NULL, &diags) == 0) {
				for (size_t i = 0; i < imp->n_rows; i++) {
					size_t len;
					char *y = crmf_import_render(imp, &imp->rows[i], "C1", &len);

					FUZZ_ASSERT(imp->rows[i].yaml && len == strlen(y),
						    "row %u rendered", imp->rows[i].row);
					free(y);
				}
				crmf_import_free(imp);
			}
		}
		crmf_workbook_free(wb);
	} else {
		FUZZ_ASSERT(wb == NULL && *crmf_error_last(), "a refusal says why");
	}
	crmf_diags_release(&diags);
	close(fd);
	return 0;
}
