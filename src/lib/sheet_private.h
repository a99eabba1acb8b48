/* SPDX-License-Identifier: MIT */
/* What the spreadsheet readers (sheet_xlsx.c, sheet_xls.c, sheet_csv.c) share with sheet.c. */
#ifndef CRMF_SHEET_PRIVATE_H
#define CRMF_SHEET_PRIVATE_H

#include <stdbool.h>

#include "crmf/sheet.h"

/* Excel's limits: a cell beyond them is a corrupt file */
#define SHEET_MAX_ROW 1048576u
#define SHEET_MAX_COL 16384u
/* Cells of one sheet at most (some 1 GiB of memory): a zip bomb of cells stops here */
#define SHEET_MAX_CELLS 20000000u

/* A sheet being read: cells in any order, sorted and grouped into rows by
 * sheet_finish. */
typedef struct sheet_build {
	crmf_workbook *wb;
	crmf_sheet *sheet;
	crmf_cell *cells;
	size_t n, cap;
	crmf_sheet_range *merged;
	size_t n_merged, cap_merged;
	bool full; /* SHEET_MAX_CELLS reached: the reader fails */
} sheet_build;

/* Memory that lives as long as the workbook. */
void *wb_alloc(crmf_workbook *wb, size_t n);
char *wb_strndup(crmf_workbook *wb, const char *s, size_t n);

/* A new sheet named by `len` bytes of `name`, appended to the workbook. */
void sheet_begin(sheet_build *b, crmf_workbook *wb, const char *name, size_t len);
/* Add a text cell (copied; empty or blank text is not stored). */
void sheet_text(sheet_build *b, uint32_t row, uint32_t col, const char *s, size_t len);
/* Add a number cell; a date cell when `date` (with its time when `time`). */
void sheet_number(sheet_build *b, uint32_t row, uint32_t col, double v, bool date, bool time,
		  bool date1904);
/* Add a date cell from a day and minute (-1: none). */
void sheet_date(sheet_build *b, uint32_t row, uint32_t col, crmf_day day, int minute,
		double serial);
void sheet_merge(sheet_build *b, crmf_sheet_range r);
/* Sort, fill merged ranges, group into rows; -1 with crmf_error_set when the
 * sheet has more than SHEET_MAX_CELLS cells (then it is abandoned). */
int sheet_finish(sheet_build *b);
/* Drop the cells of an unfinished sheet. */
void sheet_abandon(sheet_build *b);

/* The readers: 0, or -1 with crmf_error_set naming `wb->path`. */
int sheet_read_xlsx(crmf_workbook *wb, const char *buf, size_t len);
int sheet_read_xls(crmf_workbook *wb);
int sheet_read_text(crmf_workbook *wb, const char *buf, size_t len, char delim,
		    const char *encoding);

/* "F5" -> row 5, col 6; 0 or -1 */
int sheet_parse_ref(const char *s, uint32_t *row, uint32_t *col);

#endif
