/* SPDX-License-Identifier: MIT */
/* Spreadsheets read into sheets of typed cells: .xlsx, .xls, .csv and .tsv. */
#ifndef CRMF_SHEET_H
#define CRMF_SHEET_H

#include <stddef.h>
#include <stdint.h>

#include "crmf/date.h"

/*
 * A workbook is read whole into memory: every sheet, every non-empty cell,
 * each with its 1-based row and column so that a problem can be named at its
 * cell as a spreadsheet user finds it (`team.xlsx:客户信息表!F5`).
 *
 * Readers: .xlsx through libzip and libexpat (shared and inline strings,
 * numbers, booleans, formulas' cached values, date cells recognised by their
 * number format: the built-in ids 14-17, 22, 27-31, 36 and 50-58 and custom
 * formats such as yyyy/m/d or yyyy"年"m"月"d"日"; the 1904 date system);
 * .xls (Excel 97-2003, BIFF) through libfreexl; .csv and .tsv through libcsv
 * (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes). The
 * format is told by the file's content (a zip, an OLE2 compound file, else
 * text), the delimiter of a text file by its suffix (.tsv: tab) or, for other
 * suffixes, by its first line.
 *
 * Text files are decoded to UTF-8 with iconv: UTF-8 with or without BOM,
 * UTF-16 LE or BE with BOM; without BOM, valid UTF-8 is UTF-8 and anything
 * else GB18030 (a superset of GBK, what Chinese Windows saves); or the
 * encoding forced by the caller (any name iconv knows).
 *
 * A text cell of a .csv or .tsv that starts with an apostrophe before = + -
 * @, a tab or a carriage return loses the apostrophe: that is how `crmf
 * export` and `crmf list --excel` (and OWASP's advice) keep a spreadsheet
 * from running a value such as '+86 136 1512 0087 as a formula.
 *
 * Cells kept: text with at least one character, numbers, dates. Empty cells
 * and rows without a non-empty cell are not stored: trailing empty rows (and
 * blank separator rows) vanish, and the row numbers of the others stay those
 * of the file. A merged range (xlsx, xls has none in libfreexl) repeats its
 * top-left value in every cell it covers, so that a header cell merged over
 * two rows names both and a group header names each of its columns (ranges
 * of more than 10,000 cells keep their value in the top-left cell only).
 */

typedef enum {
	CRMF_CELL_TEXT,	  /* text: as written, UTF-8 */
	CRMF_CELL_NUMBER, /* a number: `number`; `text` its digits (see below) */
	CRMF_CELL_DATE,	  /* a date cell: `day`, `minute`; `text` "YYYY-MM-DD[ HH:MM]" */
} crmf_cell_type;

/** One non-empty cell. Its text lives as long as the workbook. */
typedef struct crmf_cell {
	uint32_t row, col; /* 1-based: A1 is row 1, col 1 */
	crmf_cell_type type;
	/*
	 * Always set, NUL-terminated. For a number, the shortest text that
	 * Excel shows in a General cell: an integer below 10^15 in all its
	 * digits (13906711234, never 1.39E+10), else 15 significant digits
	 * (0.1 + 0.2 is 0.3). Booleans are the text TRUE or FALSE, error
	 * values their text (#N/A), formulas their cached value.
	 */
	const char *text;
	double number;	/* numbers and dates (the date's serial number) */
	crmf_day day;	/* dates; CRMF_NO_DAY otherwise */
	int minute;	/* dates: minutes after midnight, -1 when the format shows no time */
} crmf_cell;

/** One row: its non-empty cells, in column order. */
typedef struct crmf_sheet_row {
	uint32_t row;
	crmf_cell *cells;
	size_t n;
} crmf_sheet_row;

/** A merged range, 1-based and inclusive. */
typedef struct crmf_sheet_range {
	uint32_t row1, col1, row2, col2;
} crmf_sheet_range;

typedef struct crmf_sheet {
	const char *name; /* "Sheet1", "客户信息表"; a text file's is its base name without suffix */
	crmf_sheet_row *rows; /* rows with a non-empty cell, in row order */
	size_t n_rows;
	uint32_t max_col; /* largest column holding a cell */
	crmf_sheet_range *merged;
	size_t n_merged;
} crmf_sheet;

typedef enum {
	CRMF_SHEET_XLSX,
	CRMF_SHEET_XLS,
	CRMF_SHEET_CSV,
	CRMF_SHEET_TSV,
} crmf_sheet_format;

typedef struct crmf_workbook {
	char *path;		  /* as given (owned) */
	crmf_sheet_format format;
	const char *encoding;	  /* text files: "UTF-8", "UTF-8 BOM", "UTF-16LE", "UTF-16BE",
				     "GB18030" or the forced name; NULL for workbooks */
	crmf_sheet *sheets;	  /* in the workbook's order; one for a text file */
	size_t n_sheets;
	void *priv;		  /* private: the memory of every cell and name */
} crmf_workbook;

/** Options of crmf_workbook_open; a NULL pointer means all defaults. */
typedef struct crmf_sheet_options {
	const char *encoding; /* text files: decode from this iconv name instead of detecting */
} crmf_sheet_options;

/**
 * Read the spreadsheet at `path`. 0 with *out set (free with
 * crmf_workbook_free), or -1 with *out NULL and crmf_error_last() saying
 * what is wrong, naming the file: it cannot be read, is empty, is a zip
 * that is not an Excel workbook (or an OpenDocument or .xlsb one), is
 * truncated or corrupt, is protected by a password, is not valid in the
 * encoding forced, or is too large (more than 1,048,576 rows or 16,384
 * columns, Excel's own limits).
 */
int crmf_workbook_open(crmf_workbook **out, const char *path, const crmf_sheet_options *opt);

/** Free a workbook and every sheet and cell of it; NULL is a no-op. */
void crmf_workbook_free(crmf_workbook *wb);

/**
 * The sheet `which` names: a sheet's name, else a 1-based index ("2");
 * NULL or "" is the first sheet. NULL, with crmf_error_last() listing the
 * sheets, when there is none such.
 */
const crmf_sheet *crmf_workbook_sheet(const crmf_workbook *wb, const char *which);

/** The cell at row `row`, column `col` of `sheet`, or NULL when it is empty. */
const crmf_cell *crmf_sheet_cell(const crmf_sheet *sheet, uint32_t row, uint32_t col);

/** The cell of `row` (a row of `sheet`) in column `col`, or NULL when empty. */
const crmf_cell *crmf_sheet_row_cell(const crmf_sheet_row *row, uint32_t col);

/** Write the A1 reference of a cell ("F5", "AA12") into buf (at least 16 bytes). */
void crmf_cell_ref(char *buf, size_t size, uint32_t row, uint32_t col);

/** The name of a format: "xlsx", "xls", "csv", "tsv". */
const char *crmf_sheet_format_name(crmf_sheet_format f);

/**
 * True when the Excel number format `code` shows a date (with or without a
 * time): it has a year or day part (y, d, 年, 日) outside quoted text,
 * escapes and [brackets]. *time is set when it shows hours or seconds too.
 */
int crmf_sheet_format_is_date(const char *code, int *time);

#endif
