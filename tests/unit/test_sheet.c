/* SPDX-License-Identifier: MIT */
/* Unit tests of sheet.c: xlsx, xls, csv and tsv read into cells, encodings, broken files. */
#include "unit.h"

#include "crmf/sheet.h"
#include "sheet_helpers.h"

static crmf_workbook *open_ok(const char *name, const char *encoding)
{
	crmf_sheet_options o = {encoding};
	crmf_workbook *wb = NULL;

	if (crmf_workbook_open(&wb, sheet_path(name), &o) < 0)
		fail_msg("%s: %s", name, crmf_error_last());
	return wb;
}

static void assert_cell(const crmf_sheet *sh, uint32_t row, uint32_t col, crmf_cell_type type,
			const char *text)
{
	const crmf_cell *c = crmf_sheet_cell(sh, row, col);
	char ref[16];

	crmf_cell_ref(ref, sizeof(ref), row, col);
	if (!c)
		fail_msg("%s: no cell %s", sh->name, ref);
	if (c->type != type || strcmp(c->text, text) != 0)
		fail_msg("%s!%s: type %d '%s', want type %d '%s'", sh->name, ref, c->type, c->text,
			 type, text);
	assert_int_equal(c->row, row);
	assert_int_equal(c->col, col);
}

static void test_xlsx_cells(void **state)
{
	crmf_workbook *wb = open_ok("seed003.xlsx", NULL);
	const crmf_sheet *sh = crmf_workbook_sheet(wb, NULL);
	const crmf_cell *c;

	(void)state;
	assert_int_equal(wb->format, CRMF_SHEET_XLSX);
	assert_null(wb->encoding);
	assert_int_equal(wb->n_sheets, 2);
	assert_string_equal(sh->name, "客户信息表");
	/* the title merged over A1:W1 names every column; the header is row 2 */
	assert_cell(sh, 1, 1, CRMF_CELL_TEXT, "客户信息表（2023年10月）");
	assert_cell(sh, 1, 23, CRMF_CELL_TEXT, "客户信息表（2023年10月）");
	assert_int_equal(sh->n_merged, 1);
	assert_cell(sh, 2, 10, CRMF_CELL_TEXT, "签约金额(万元)");
	/* a phone typed as a number: its digits */
	assert_cell(sh, 3, 5, CRMF_CELL_NUMBER, "13906711234");
	c = crmf_sheet_cell(sh, 3, 5);
	assert_true(c->number == 13906711234.0);
	assert_cell(sh, 3, 10, CRMF_CELL_NUMBER, "50");
	assert_cell(sh, 4, 10, CRMF_CELL_NUMBER, "30.5");
	/* date cells: yyyy"年"m"月"d"日", yyyy/m/d, mm-dd-yy, yyyy-mm-dd */
	assert_cell(sh, 3, 11, CRMF_CELL_DATE, "2023-01-01");
	assert_cell(sh, 4, 11, CRMF_CELL_DATE, "2022-06-01");
	assert_cell(sh, 5, 13, CRMF_CELL_DATE, "2023-09-25");
	assert_cell(sh, 3, 12, CRMF_CELL_DATE, "2023-12-31");
	c = crmf_sheet_cell(sh, 3, 11);
	assert_int_equal(c->day, crmf_date_from_ymd(2023, 1, 1));
	assert_int_equal(c->minute, -1);
	/* text as written, placeholders too; empty cells are not stored */
	assert_cell(sh, 4, 6, CRMF_CELL_TEXT, "x@@y");
	assert_cell(sh, 5, 4, CRMF_CELL_TEXT, "-");
	assert_null(crmf_sheet_cell(sh, 5, 1));
	/* the empty trailing row (a styled cell, an empty string) is gone */
	assert_int_equal(sh->n_rows, 5);
	assert_int_equal(sh->rows[sh->n_rows - 1].row, 5);
	assert_int_equal(sh->max_col, 23);
	crmf_workbook_free(wb);
}

static void test_xlsx_second_sheet(void **state)
{
	crmf_workbook *wb = open_ok("seed003.xlsx", NULL);
	const crmf_sheet *sh = crmf_workbook_sheet(wb, "联系人");
	const crmf_cell *c;

	(void)state;
	assert_non_null(sh);
	assert_ptr_equal(crmf_workbook_sheet(wb, "2"), sh);
	assert_ptr_equal(crmf_workbook_sheet(wb, "1"), &wb->sheets[0]);
	/* merged header cells: A1:A2 down, B1:D1 across */
	assert_cell(sh, 1, 1, CRMF_CELL_TEXT, "客户编号");
	assert_cell(sh, 2, 1, CRMF_CELL_TEXT, "客户编号");
	assert_cell(sh, 1, 2, CRMF_CELL_TEXT, "联系人信息");
	assert_cell(sh, 1, 4, CRMF_CELL_TEXT, "联系人信息");
	assert_cell(sh, 2, 3, CRMF_CELL_TEXT, "电话");
	assert_int_equal(sh->n_merged, 2);
	assert_cell(sh, 3, 3, CRMF_CELL_NUMBER, "13906711234");
	/* numbers as Excel's General format shows them; booleans as text */
	assert_cell(sh, 4, 1, CRMF_CELL_NUMBER, "0.3");
	assert_cell(sh, 4, 2, CRMF_CELL_NUMBER, "1.5e+20");
	assert_cell(sh, 4, 3, CRMF_CELL_TEXT, "TRUE");
	assert_cell(sh, 4, 4, CRMF_CELL_NUMBER, "-42");
	assert_cell(sh, 5, 1, CRMF_CELL_DATE, "2024-03-01 14:30");
	c = crmf_sheet_cell(sh, 5, 1);
	assert_int_equal(c->minute, 14 * 60 + 30);
	assert_cell(sh, 5, 2, CRMF_CELL_NUMBER, "0.25");
	/* a sheet that is not there: the error lists those that are */
	assert_null(crmf_workbook_sheet(wb, "客户"));
	assert_non_null(strstr(crmf_error_last(), "'客户信息表', '联系人'"));
	assert_null(crmf_workbook_sheet(wb, "3"));
	crmf_workbook_free(wb);
}

static void test_xlsx_1904(void **state)
{
	crmf_workbook *wb = open_ok("mac1904.xlsx", NULL);

	(void)state;
	assert_cell(&wb->sheets[0], 1, 1, CRMF_CELL_DATE, "2024-02-29");
	crmf_workbook_free(wb);
}

/* A workbook written by hand (make_sheets.py handmade_xlsx): what openpyxl never writes. */
static void test_xlsx_handmade(void **state)
{
	crmf_workbook *wb = open_ok("handmade.xlsx", NULL);
	const crmf_sheet *sh = &wb->sheets[0];

	(void)state;
	assert_int_equal(wb->n_sheets, 1);
	assert_string_equal(sh->name, "手工");
	assert_cell(sh, 1, 1, CRMF_CELL_TEXT, "客户名称");
	assert_cell(sh, 1, 2, CRMF_CELL_TEXT, "备注");
	/* rich text runs joined, the phonetic guide left out */
	assert_cell(sh, 2, 1, CRMF_CELL_TEXT, "杭州云启 ");
	assert_cell(sh, 2, 2, CRMF_CELL_TEXT, "ab");
	assert_cell(sh, 2, 3, CRMF_CELL_TEXT, "客户名称!");
	assert_cell(sh, 2, 4, CRMF_CELL_TEXT, "#N/A");
	assert_cell(sh, 2, 5, CRMF_CELL_DATE, "2024-03-01 10:30");
	/* built-in format 31 (yyyy"年"m"月"d"日" in Chinese Excel) */
	assert_cell(sh, 2, 6, CRMF_CELL_DATE, "2024-03-01");
	assert_cell(sh, 2, 7, CRMF_CELL_TEXT, "FALSE");
	/* written as 1.39E+10, read as its digits */
	assert_cell(sh, 9, 3, CRMF_CELL_NUMBER, "13900000000");
	assert_int_equal(sh->n_rows, 3);
	crmf_workbook_free(wb);
}

static void test_xls(void **state)
{
	crmf_workbook *wb = open_ok("seed003.xls", NULL);
	const crmf_sheet *sh = &wb->sheets[0];

	(void)state;
	assert_int_equal(wb->format, CRMF_SHEET_XLS);
	assert_int_equal(wb->n_sheets, 2);
	assert_string_equal(sh->name, "客户");
	assert_string_equal(wb->sheets[1].name, "Other");
	assert_cell(sh, 1, 10, CRMF_CELL_TEXT, "签约金额(万元)");
	assert_cell(sh, 2, 5, CRMF_CELL_NUMBER, "13906711234");
	assert_cell(sh, 2, 10, CRMF_CELL_NUMBER, "50");
	assert_cell(sh, 3, 10, CRMF_CELL_NUMBER, "30.5");
	assert_cell(sh, 2, 11, CRMF_CELL_DATE, "2023-01-01");
	assert_cell(sh, 4, 22, CRMF_CELL_DATE, "2023-09-20");
	assert_cell(sh, 3, 6, CRMF_CELL_TEXT, "x@@y");
	assert_int_equal(sh->n_rows, 4);
	assert_cell(&wb->sheets[1], 1, 1, CRMF_CELL_TEXT, "second");
	crmf_workbook_free(wb);
}

/* Every cell of `a` is in `b` with the same text, and the other way round. */
static void assert_same_cells(const crmf_sheet *a, const crmf_sheet *b)
{
	assert_int_equal(a->n_rows, b->n_rows);
	for (size_t r = 0; r < a->n_rows; r++) {
		assert_int_equal(a->rows[r].row, b->rows[r].row);
		assert_int_equal(a->rows[r].n, b->rows[r].n);
		for (size_t c = 0; c < a->rows[r].n; c++) {
			assert_int_equal(a->rows[r].cells[c].col, b->rows[r].cells[c].col);
			assert_string_equal(a->rows[r].cells[c].text, b->rows[r].cells[c].text);
		}
	}
}

static void test_csv_encodings(void **state)
{
	static const struct {
		const char *file, *forced, *detected;
	} cases[] = {
		{"utf8bom.csv", NULL, "UTF-8 BOM"}, {"utf16.csv", NULL, "UTF-16LE"},
		{"utf16be.csv", NULL, "UTF-16BE"},  {"gbk.csv", NULL, "GB18030"},
		{"gbk.csv", "GBK", "GBK"},	    {"utf8bom.csv", "UTF-8", "UTF-8"},
		{"utf16.csv", "UTF-16", "UTF-16"},
	};
	crmf_workbook *ref = open_ok("utf8.csv", NULL);
	const crmf_sheet *sh = &ref->sheets[0];

	(void)state;
	assert_int_equal(ref->format, CRMF_SHEET_CSV);
	assert_string_equal(ref->encoding, "UTF-8");
	assert_string_equal(sh->name, "utf8");
	assert_cell(sh, 1, 1, CRMF_CELL_TEXT, "客户编号");
	assert_cell(sh, 2, 5, CRMF_CELL_TEXT, "13906711234");
	assert_cell(sh, 2, 11, CRMF_CELL_TEXT, "2023-01-01");
	assert_cell(sh, 4, 17, CRMF_CELL_TEXT, "预算有限，优先性价比");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		crmf_workbook *wb = open_ok(cases[i].file, cases[i].forced);

		assert_string_equal(wb->encoding, cases[i].detected);
		assert_same_cells(sh, &wb->sheets[0]);
		crmf_workbook_free(wb);
	}
	{
		crmf_workbook *wb = open_ok("utf8.tsv", NULL);

		assert_int_equal(wb->format, CRMF_SHEET_TSV);
		assert_same_cells(sh, &wb->sheets[0]);
		crmf_workbook_free(wb);
	}
	crmf_workbook_free(ref);
}

static void test_csv_forced_wrong(void **state)
{
	crmf_sheet_options o = {"ASCII"};
	crmf_workbook *wb = (void *)1;

	(void)state;
	assert_int_equal(crmf_workbook_open(&wb, sheet_path("utf8.csv"), &o), -1);
	assert_null(wb);
	assert_non_null(strstr(crmf_error_last(), "utf8.csv: not valid ASCII at byte 0 (line 1)"));
	o.encoding = "NO-SUCH-ENCODING";
	assert_int_equal(crmf_workbook_open(&wb, sheet_path("utf8.csv"), &o), -1);
	assert_non_null(strstr(crmf_error_last(), "unknown encoding 'NO-SUCH-ENCODING'"));
}

static void test_csv_rfc4180(void **state)
{
	crmf_workbook *wb = open_ok("quoted.csv", NULL);
	const crmf_sheet *sh = &wb->sheets[0];

	(void)state;
	assert_cell(sh, 2, 1, CRMF_CELL_TEXT, "A, Inc.");
	assert_cell(sh, 2, 2, CRMF_CELL_TEXT, "说 \"你好\"\n第二行");
	/* the empty row 3 is not stored; the rows after it keep their numbers */
	assert_int_equal(sh->n_rows, 4);
	assert_cell(sh, 4, 1, CRMF_CELL_TEXT, "B");
	assert_cell(sh, 4, 2, CRMF_CELL_TEXT, "spaced");
	assert_cell(sh, 5, 1, CRMF_CELL_TEXT, "C");
	assert_null(crmf_sheet_cell(sh, 5, 2));
	crmf_workbook_free(wb);
}

static void assert_refused(const char *name, const char *reason)
{
	crmf_workbook *wb = (void *)1;

	assert_int_equal(crmf_workbook_open(&wb, sheet_path(name), NULL), -1);
	assert_null(wb);
	if (!strstr(crmf_error_last(), reason) || !strstr(crmf_error_last(), name))
		fail_msg("%s: '%s' lacks '%s'", name, crmf_error_last(), reason);
}

static void test_broken_files(void **state)
{
	/* an OLE2 compound file with an EncryptedPackage stream: what Excel writes
	 * for an .xlsx with a password (its header and directory name only) */
	static const char ole2[8] = {(char)0xD0, (char)0xCF, 0x11, (char)0xE0,
				     (char)0xA1, (char)0xB1, 0x1A, (char)0xE1};
	static const char name[] = "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";
	char buf[2048];

	(void)state;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, ole2, sizeof(ole2));
	memcpy(buf + 1024, name, sizeof(name) - 1);
	assert_non_null(sheet_write("locked.xlsx", buf, sizeof(buf)));
	assert_refused("locked.xlsx", "protected by a password");
	assert_refused("notbook.xlsx", "a zip archive, but not an Excel workbook");
	assert_refused("ods.xlsx", "an OpenDocument spreadsheet");
	assert_refused("truncated.xlsx", "truncated or damaged workbook");
	assert_refused("empty.xlsx", "empty file");
	assert_refused("text.xlsx", "not an Excel workbook");
	assert_refused("truncated.xls", "not a readable .xls workbook");
	assert_refused("missing.csv", "cannot read: no such file or directory");
}

static void test_format_is_date(void **state)
{
	static const struct {
		const char *code;
		int date, time;
	} cases[] = {
		{"yyyy/m/d", 1, 0},
		{"yyyy\"年\"m\"月\"d\"日\"", 1, 0},
		{"[$-804]yyyy年m月d日", 1, 0},
		{"[DBNum1][$-804]yyyy\"年\"m\"月\"d\"日\"", 1, 0},
		{"yyyy-mm-dd hh:mm", 1, 1},
		{"m/d/yy h:mm;@", 1, 1},
		{"General", 0, 0},
		{"0.00", 0, 0},
		{"[Red]0.00;[Blue]-0.00", 0, 0},
		{"h:mm:ss", 0, 0},
		{"#,##0\"d\"", 0, 0},
		{"0\\d", 0, 0},
		{"@", 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int time = -1, date = crmf_sheet_format_is_date(cases[i].code, &time);

		if (date != cases[i].date || time != cases[i].time)
			fail_msg("'%s': date %d time %d", cases[i].code, date, time);
	}
}

static void test_cell_ref(void **state)
{
	char buf[16];

	(void)state;
	crmf_cell_ref(buf, sizeof(buf), 5, 6);
	assert_string_equal(buf, "F5");
	crmf_cell_ref(buf, sizeof(buf), 12, 27);
	assert_string_equal(buf, "AA12");
	crmf_cell_ref(buf, sizeof(buf), 1048576, 16384);
	assert_string_equal(buf, "XFD1048576");
	assert_string_equal(crmf_sheet_format_name(CRMF_SHEET_TSV), "tsv");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xlsx_cells),	 cmocka_unit_test(test_xlsx_second_sheet),
		cmocka_unit_test(test_xlsx_1904),	 cmocka_unit_test(test_xlsx_handmade),
		cmocka_unit_test(test_xls),
		cmocka_unit_test(test_csv_encodings),	 cmocka_unit_test(test_csv_forced_wrong),
		cmocka_unit_test(test_csv_rfc4180),	 cmocka_unit_test(test_broken_files),
		cmocka_unit_test(test_format_is_date), cmocka_unit_test(test_cell_ref),
	};

	return cmocka_run_group_tests(tests, sheets_setup, sheets_teardown);
}
