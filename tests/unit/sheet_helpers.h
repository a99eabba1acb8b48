/* SPDX-License-Identifier: MIT */
/* The spreadsheets of test_sheet.c and test_import_map.c, written at test time by
 * tests/fixtures/sheets/make_sheets.py (openpyxl, xlwt, iconv), never by crmf. */
#ifndef CRMF_SHEET_HELPERS_H
#define CRMF_SHEET_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char sheets_dir[256];

/* Debian's python3, which has python3-openpyxl and python3-xlwt (tools/deps.sh). */
#define SHEETS_PYTHON "/usr/bin/python3"

static int sheets_setup(void **state)
{
	const char *src = getenv("CRMF_SRC") ? getenv("CRMF_SRC") : ".";
	char cmd[1024];

	(void)state;
	snprintf(sheets_dir, sizeof(sheets_dir), "/tmp/crmf-sheets-XXXXXX");
	if (!mkdtemp(sheets_dir))
		return -1;
	snprintf(cmd, sizeof(cmd), "%s %s/tests/fixtures/sheets/make_sheets.py %s", SHEETS_PYTHON,
		 src, sheets_dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot write the test spreadsheets: %s\n", cmd);
		return -1;
	}
	return 0;
}

static int sheets_teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", sheets_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The path of a test spreadsheet (a static buffer: use before the next call). */
static const char *sheet_path(const char *name)
{
	static char buf[2][512];
	static int k;

	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", sheets_dir, name);
	return buf[k];
}

/* Write `text` to a file of the test folder; its path. */
static const char *sheet_write(const char *name, const char *text, size_t len)
{
	const char *p = sheet_path(name);
	FILE *f = fopen(p, "wb");

	if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0)
		return NULL;
	return p;
}

#endif
