/* SPDX-License-Identifier: MIT */
/* Spreadsheets to sheets of cells: the format told by content, cells stored and looked up. */
#include "crmf/sheet.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/diag.h"
#include "sheet_private.h"
#include "util.h"

/* Largest spreadsheet read (a 100,000-row sheet is some 20 MiB of xlsx). */
#define SHEET_MAX_FILE ((size_t)1 << 30)
/* A merged range larger than this keeps its value in its top-left cell only. */
#define MERGE_FILL_MAX 10000u

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

typedef struct wb_priv {
	struct chunk *head;
	size_t next_cap;
	/* every sheet_build's cell array, freed with the workbook */
	void **blocks;
	size_t n_blocks, cap_blocks;
} wb_priv;

void *wb_alloc(crmf_workbook *wb, size_t n)
{
	wb_priv *p = wb->priv;
	const size_t align = _Alignof(max_align_t);
	struct chunk *c = p->head;

	n = (n + align - 1) & ~(align - 1);
	if (!c || c->cap - c->used < n) {
		size_t cap = p->next_cap > n ? p->next_cap : n;

		c = xmalloc(sizeof(*c) + cap);
		c->used = 0;
		c->cap = cap;
		c->next = p->head;
		p->head = c;
		if (p->next_cap < (size_t)8 << 20)
			p->next_cap *= 2;
	}
	c->used += n;
	return (char *)c->data + c->used - n;
}

char *wb_strndup(crmf_workbook *wb, const char *s, size_t n)
{
	char *d = wb_alloc(wb, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static void keep_block(crmf_workbook *wb, void *block)
{
	wb_priv *p = wb->priv;

	if (p->n_blocks == p->cap_blocks) {
		p->cap_blocks = p->cap_blocks ? 2 * p->cap_blocks : 8;
		p->blocks = xrealloc(p->blocks, p->cap_blocks * sizeof(*p->blocks));
	}
	p->blocks[p->n_blocks++] = block;
}

void crmf_workbook_free(crmf_workbook *wb)
{
	if (!wb)
		return;
	if (wb->priv) {
		wb_priv *p = wb->priv;

		for (struct chunk *c = p->head, *next; c; c = next) {
			next = c->next;
			free(c);
		}
		for (size_t i = 0; i < p->n_blocks; i++)
			free(p->blocks[i]);
		free(p->blocks);
		free(p);
	}
	free(wb->sheets);
	free(wb->path);
	free(wb);
}

/* ---- building a sheet ---- */

void sheet_begin(sheet_build *b, crmf_workbook *wb, const char *name, size_t len)
{
	memset(b, 0, sizeof(*b));
	b->wb = wb;
	wb->sheets = xrealloc(wb->sheets, (wb->n_sheets + 1) * sizeof(*wb->sheets));
	b->sheet = &wb->sheets[wb->n_sheets++];
	memset(b->sheet, 0, sizeof(*b->sheet));
	b->sheet->name = wb_strndup(wb, name, len);
}

static crmf_cell *new_cell(sheet_build *b, uint32_t row, uint32_t col)
{
	crmf_cell *c;

	if (b->n >= SHEET_MAX_CELLS) {
		b->full = true;
		return NULL;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		b->cells = xrealloc(b->cells, b->cap * sizeof(*b->cells));
	}
	c = &b->cells[b->n++];
	memset(c, 0, sizeof(*c));
	c->row = row;
	c->col = col;
	c->day = CRMF_NO_DAY;
	c->minute = -1;
	return c;
}

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n", s[i]))
			return false;
	return true;
}

void sheet_text(sheet_build *b, uint32_t row, uint32_t col, const char *s, size_t len)
{
	crmf_cell *c;

	if (blank(s, len))
		return;
	if (!(c = new_cell(b, row, col)))
		return;
	c->type = CRMF_CELL_TEXT;
	c->text = wb_strndup(b->wb, s, len);
}

/* Excel's General format: integers below 10^15 whole, else 15 significant digits. */
static const char *number_text(crmf_workbook *wb, double v)
{
	char buf[64];

	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, sizeof(buf), "%.0f", v);
	else
		snprintf(buf, sizeof(buf), "%.15g", v);
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
	return wb_strndup(wb, buf, strlen(buf));
}

void sheet_date(sheet_build *b, uint32_t row, uint32_t col, crmf_day day, int minute,
		double serial)
{
	crmf_cell *c = new_cell(b, row, col);
	char buf[32];

	if (!c)
		return;
	c->type = CRMF_CELL_DATE;
	c->day = day;
	c->minute = minute;
	c->number = serial;
	crmf_date_format(day, buf);
	if (minute >= 0)
		snprintf(buf + 10, sizeof(buf) - 10, " %02d:%02d", minute / 60, minute % 60);
	c->text = wb_strndup(b->wb, buf, strlen(buf));
}

void sheet_number(sheet_build *b, uint32_t row, uint32_t col, double v, bool date, bool time,
		  bool date1904)
{
	crmf_cell *c;

	if (!isfinite(v))
		return;
	/* dates from 1900-01-01 to 9999-12-31 */
	if (date && v >= 1 && v < 2958466) {
		double whole = floor(v);
		long serial = (long)whole;
		int minute = (int)lround((v - whole) * 1440);
		crmf_day day;

		if (minute >= 1440) {
			serial++;
			minute -= 1440;
		}
		if (date1904)
			day = (crmf_day)(serial + 1462 - 25569);
		else /* 1900 counts a 29 February that never was (serial 60) */
			day = (crmf_day)(serial >= 61 ? serial - 25569 : serial - 25568);
		sheet_date(b, row, col, day, time || minute ? minute : -1, v);
		return;
	}
	if (!(c = new_cell(b, row, col)))
		return;
	c->type = CRMF_CELL_NUMBER;
	c->number = v;
	c->text = number_text(b->wb, v);
}

void sheet_merge(sheet_build *b, crmf_sheet_range r)
{
	if (b->n_merged == b->cap_merged) {
		b->cap_merged = b->cap_merged ? 2 * b->cap_merged : 8;
		b->merged = xrealloc(b->merged, b->cap_merged * sizeof(*b->merged));
	}
	b->merged[b->n_merged++] = r;
}

static int cell_cmp(const void *a, const void *b)
{
	const crmf_cell *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	/* the same cell twice: the later one wins (it sorts last) */
	return x < y ? -1 : x > y;
}

static const crmf_cell *find_sorted(const crmf_cell *v, size_t n, uint32_t row, uint32_t col)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].row < row || (v[mid].row == row && v[mid].col < col))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].row == row && v[lo].col == col ? &v[lo] : NULL;
}

int sheet_finish(sheet_build *b)
{
	crmf_sheet *sh = b->sheet;
	size_t n_before, w = 0;

	if (b->full) {
		sheet_abandon(b);
		return crmf_error_set("%s: sheet '%s' has more than 20,000,000 cells; split it",
				      b->wb->path, sh->name);
	}

	if (b->n) /* qsort wants a non-null array, even of nothing */
		qsort(b->cells, b->n, sizeof(*b->cells), cell_cmp);
	n_before = b->n;
	for (size_t m = 0; m < b->n_merged; m++) {
		crmf_sheet_range r = b->merged[m];
		const crmf_cell *top = find_sorted(b->cells, n_before, r.row1, r.col1);
		crmf_cell src;

		if (!top || (uint64_t)(r.row2 - r.row1 + 1) * (r.col2 - r.col1 + 1) > MERGE_FILL_MAX)
			continue;
		src = *top;
		for (uint32_t y = r.row1; y <= r.row2; y++)
			for (uint32_t x = r.col1; x <= r.col2; x++) {
				crmf_cell *c;

				if (find_sorted(b->cells, n_before, y, x))
					continue;
				if (!(c = new_cell(b, y, x)))
					break;
				*c = src;
				c->row = y;
				c->col = x;
			}
	}
	if (b->full) {
		sheet_abandon(b);
		return crmf_error_set("%s: sheet '%s' has more than 20,000,000 cells with its "
				      "merged ranges filled; split it",
				      b->wb->path, sh->name);
	}
	if (b->n != n_before)
		qsort(b->cells, b->n, sizeof(*b->cells), cell_cmp);
	/* the same cell twice: keep the last */
	for (size_t i = 0; i < b->n; i++) {
		if (i + 1 < b->n && b->cells[i + 1].row == b->cells[i].row &&
		    b->cells[i + 1].col == b->cells[i].col)
			continue;
		b->cells[w++] = b->cells[i];
	}
	b->n = w;
	for (size_t i = 0; i < b->n;) {
		size_t j = i;

		while (j < b->n && b->cells[j].row == b->cells[i].row)
			j++;
		i = j;
		sh->n_rows++;
	}
	sh->rows = sh->n_rows ? wb_alloc(b->wb, sh->n_rows * sizeof(*sh->rows)) : NULL;
	sh->n_rows = 0;
	for (size_t i = 0; i < b->n;) {
		size_t j = i;

		while (j < b->n && b->cells[j].row == b->cells[i].row) {
			if (b->cells[j].col > sh->max_col)
				sh->max_col = b->cells[j].col;
			j++;
		}
		sh->rows[sh->n_rows++] = (crmf_sheet_row){b->cells[i].row, &b->cells[i], j - i};
		i = j;
	}
	if (b->n_merged) {
		sh->merged = wb_alloc(b->wb, b->n_merged * sizeof(*sh->merged));
		memcpy(sh->merged, b->merged, b->n_merged * sizeof(*sh->merged));
		sh->n_merged = b->n_merged;
	}
	free(b->merged);
	if (b->cells)
		keep_block(b->wb, b->cells);
	b->cells = NULL;
	b->merged = NULL;
	return 0;
}

void sheet_abandon(sheet_build *b)
{
	free(b->cells);
	free(b->merged);
	b->cells = NULL;
	b->merged = NULL;
}

/* ---- lookups ---- */

const crmf_cell *crmf_sheet_row_cell(const crmf_sheet_row *row, uint32_t col)
{
	size_t lo = 0, hi = row->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (row->cells[mid].col < col)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < row->n && row->cells[lo].col == col ? &row->cells[lo] : NULL;
}

const crmf_cell *crmf_sheet_cell(const crmf_sheet *sheet, uint32_t row, uint32_t col)
{
	size_t lo = 0, hi = sheet->n_rows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sheet->rows[mid].row < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == sheet->n_rows || sheet->rows[lo].row != row)
		return NULL;
	return crmf_sheet_row_cell(&sheet->rows[lo], col);
}

void crmf_cell_ref(char *buf, size_t size, uint32_t row, uint32_t col)
{
	char letters[8];
	size_t n = 0;

	while (col > 0 && n < sizeof(letters)) {
		letters[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (size_t i = 0; i < n / 2; i++) {
		char t = letters[i];

		letters[i] = letters[n - 1 - i];
		letters[n - 1 - i] = t;
	}
	snprintf(buf, size, "%.*s%u", (int)n, letters, row);
}

int sheet_parse_ref(const char *s, uint32_t *row, uint32_t *col)
{
	uint32_t c = 0, r = 0;
	size_t i = 0;

	for (; (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'); i++) {
		c = c * 26 + (uint32_t)((s[i] | 0x20) - 'a' + 1);
		if (c > SHEET_MAX_COL)
			return -1;
	}
	if (i == 0 || s[i] < '1' || s[i] > '9')
		return -1;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		r = r * 10 + (uint32_t)(s[i] - '0');
		if (r > SHEET_MAX_ROW)
			return -1;
	}
	if (s[i])
		return -1;
	*row = r;
	*col = c;
	return 0;
}

const char *crmf_sheet_format_name(crmf_sheet_format f)
{
	static const char *const names[] = {"xlsx", "xls", "csv", "tsv"};

	return (unsigned)f < 4 ? names[f] : "?";
}

int crmf_sheet_format_is_date(const char *code, int *time)
{
	bool date = false, hms = false;

	*time = 0;
	if (strncasecmp(code, "General", 7) == 0)
		return 0;
	for (const char *p = code; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"') {
			/* quoted text: 年月日 written as "年" count too */
			const char *q = strchr(p + 1, '"');
			size_t n = q ? (size_t)(q - p - 1) : strlen(p + 1);

			if ((n == 3 && (memcmp(p + 1, "年", 3) == 0 || memcmp(p + 1, "日", 3) == 0)))
				date = true;
			if (!q)
				break;
			p = q;
		} else if (c == '\\' || c == '_' || c == '*') {
			if (!p[1])
				break;
			p++;
		} else if (c == '[') {
			const char *q = strchr(p, ']');

			/* [h] [mm] [ss]: elapsed time, a duration rather than a date */
			if (!q)
				break;
			p = q;
		} else if (c == ';') {
			break; /* the first section decides */
		} else if (strchr("yYdD", c)) {
			date = true;
		} else if (strchr("hHsS", c)) {
			hms = true;
		} else if (strncmp(p, "年", 3) == 0 || strncmp(p, "日", 3) == 0) {
			date = true;
		}
	}
	*time = date && hms;
	return date;
}

/* ---- opening ---- */

static int read_file(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	strbuf sb = STRBUF_INIT;

	*out = NULL;
	if (fd < 0)
		return crmf_error_set("%s: cannot read: %s", path, errtext(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return crmf_error_set("%s: is a folder, not a spreadsheet", path);
	}
	for (;;) {
		ssize_t r;

		sb_grow(&sb, 65536);
		r = read(fd, sb.buf + sb.len, sb.cap - sb.len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			sb_release(&sb);
			return crmf_error_set("%s: cannot read: %s", path, errtext(e));
		}
		if (r == 0)
			break;
		sb.len += (size_t)r;
		if (sb.len > SHEET_MAX_FILE) {
			close(fd);
			sb_release(&sb);
			return crmf_error_set("%s: larger than 1 GiB; split it", path);
		}
	}
	close(fd);
	sb_grow(&sb, 1);
	sb.buf[sb.len] = '\0';
	*len = sb.len;
	*out = sb_detach(&sb);
	return 0;
}

static bool has_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path), m = strlen(suffix);

	return n >= m && strcasecmp(path + n - m, suffix) == 0;
}

/* An OLE2 compound file holding an EncryptedPackage stream is an xlsx with a
 * password (Office's agile or standard encryption). */
static bool encrypted_package(const char *buf, size_t len)
{
	static const char name[] = "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";

	return memmem(buf, len, name, sizeof(name) - 1) != NULL;
}

/* The delimiter of a text file of unknown suffix: tab when its first line has
 * more tabs than commas. */
static char sniff_delim(const char *buf, size_t len)
{
	size_t tabs = 0, commas = 0;

	for (size_t i = 0; i < len && buf[i] != '\n'; i++) {
		tabs += buf[i] == '\t';
		commas += buf[i] == ',';
	}
	return tabs > commas ? '\t' : ',';
}

int crmf_workbook_open(crmf_workbook **out, const char *path, const crmf_sheet_options *opt)
{
	static const unsigned char ole2[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
	crmf_workbook *wb;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (read_file(path, &buf, &len) < 0)
		return -1;
	if (len == 0) {
		free(buf);
		return crmf_error_set("%s: empty file, not a spreadsheet", path);
	}
	wb = xcalloc(1, sizeof(*wb));
	wb->path = xstrdup(path);
	wb->priv = xcalloc(1, sizeof(wb_priv));
	((wb_priv *)wb->priv)->next_cap = 65536;
	if (len >= 4 && memcmp(buf, "PK\003\004", 4) == 0) {
		wb->format = CRMF_SHEET_XLSX;
		rc = sheet_read_xlsx(wb, buf, len);
	} else if (len >= 8 && memcmp(buf, ole2, 8) == 0) {
		if (encrypted_package(buf, len)) {
			rc = crmf_error_set("%s: the workbook is protected by a password; save a "
					    "copy without one (File > Info > Protect Workbook)",
					    path);
		} else {
			wb->format = CRMF_SHEET_XLS;
			rc = sheet_read_xls(wb);
		}
	} else if (has_suffix(path, ".xlsx") || has_suffix(path, ".xlsm") ||
		   has_suffix(path, ".xls")) {
		rc = crmf_error_set("%s: not an Excel workbook (neither a zip nor an OLE2 file); "
				    "is it damaged or misnamed?",
				    path);
	} else {
		char delim = has_suffix(path, ".tsv")   ? '\t'
			     : has_suffix(path, ".csv") ? ','
							: sniff_delim(buf, len);

		wb->format = delim == '\t' ? CRMF_SHEET_TSV : CRMF_SHEET_CSV;
		rc = sheet_read_text(wb, buf, len, delim, opt ? opt->encoding : NULL);
	}
	free(buf);
	if (rc < 0) {
		crmf_workbook_free(wb);
		return -1;
	}
	*out = wb;
	return 0;
}

const crmf_sheet *crmf_workbook_sheet(const crmf_workbook *wb, const char *which)
{
	strbuf names = STRBUF_INIT;
	char *end;
	unsigned long k;

	if (!which || !*which) {
		if (wb->n_sheets)
			return &wb->sheets[0];
		return crmf_error_set("%s: the workbook has no sheet", wb->path), NULL;
	}
	for (size_t i = 0; i < wb->n_sheets; i++)
		if (strcmp(wb->sheets[i].name, which) == 0)
			return &wb->sheets[i];
	errno = 0;
	k = strtoul(which, &end, 10);
	if (which[0] >= '0' && which[0] <= '9' && !*end && errno == 0 && k >= 1 &&
	    k <= wb->n_sheets)
		return &wb->sheets[k - 1];
	for (size_t i = 0; i < wb->n_sheets; i++)
		sb_addf(&names, "%s'%s'", i ? ", " : "", wb->sheets[i].name);
	crmf_error_set("%s: no sheet '%s'; its sheets are %s", wb->path, which,
		       names.len ? names.buf : "none");
	sb_release(&names);
	return NULL;
}
