/* SPDX-License-Identifier: MIT */
/* Tables aligned by display width (CJK counts two columns), and CSV/TSV of the same rows. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <utf8proc.h>

#include "cli.h"
#include "crmf/perf.h"

struct cli_table {
	size_t ncols, nrows, cap;
	const char **cells; /* row-major, row 0 = headers */
	int *widths;  /* display width of each cell, computed once */
	int *align_right;
	int *limit; /* max display width per column, 0 = none */
	int *shrink; /* gives way first on a narrow terminal */
	int *drop;   /* left out on a narrow terminal, 1 first, then 2…; 0 never */
	bool wide;   /* no limits, no fitting to the terminal (--wide) */
	bool excel;  /* CSV for spreadsheets: BOM, formulas defused (--excel) */
	struct chunk *chunks;
};

/* Cells are copied into large chunks: a 50,000-row agenda makes no
 * allocation per cell. */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

/* Chunks grow from 16 KB to 1 MB; the large ones are mapped with their pages
 * at once (crmf_table_alloc), a fault per page being dear on a virtual machine. */
static char *cell_dup(struct chunk **chunks, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	struct chunk *ch = *chunks;
	char *p;

	if (!ch || ch->cap - ch->used < n) {
		size_t cap = ch ? ch->cap * 2 : 16384;

		if (cap > ((size_t)1 << 20))
			cap = (size_t)1 << 20;
		if (cap < n)
			cap = n;
		ch = crmf_table_alloc(1, sizeof(*ch) + cap);
		ch->used = 0;
		ch->cap = cap;
		ch->next = *chunks;
		*chunks = ch;
	}
	p = ch->data + ch->used;
	memcpy(p, s ? s : "", n);
	ch->used += n;
	return p;
}

/* Where the cells of one row go: its own chunks, so that rows can be made
 * by several threads at once (cli_table_fill). */
struct cli_row_sink {
	cli_table *t;
	struct chunk *chunks;
	size_t row;
	bool put;
};

void cli_row_put_borrowed(cli_row_sink *sink, const char *const *cells, unsigned long borrowed)
{
	cli_table *t = sink->t;

	for (size_t c = 0; c < t->ncols; c++) {
		const char *cell = borrowed >> c & 1 ? (cells[c] ? cells[c] : "")
						     : cell_dup(&sink->chunks, cells[c]);

		t->cells[sink->row * t->ncols + c] = cell;
		t->widths[sink->row * t->ncols + c] = cli_display_width(cell);
	}
	sink->put = true;
}

void cli_row_put(cli_row_sink *sink, const char *const *cells)
{
	cli_row_put_borrowed(sink, cells, 0);
}

/* A larger copy of an array (as crmf_table_alloc allocates). */
static void *grow(void *old, size_t old_bytes, size_t new_bytes)
{
	void *p = crmf_table_alloc(1, new_bytes);

	if (old) {
		memcpy(p, old, old_bytes);
		crmf_table_free(old, 1, old_bytes);
	}
	return p;
}

static void reserve(cli_table *t, size_t rows)
{
	size_t cap = t->cap;

	if (rows <= cap)
		return;
	while (cap < rows)
		cap = cap ? cap * 2 : 64;
	t->cells =
	    grow(t->cells, t->cap * t->ncols * sizeof(char *), cap * t->ncols * sizeof(char *));
	t->widths = grow(t->widths, t->cap * t->ncols * sizeof(int), cap * t->ncols * sizeof(int));
	t->cap = cap;
}

cli_table *cli_table_new(size_t ncols, const char *const *headers)
{
	cli_table *t = calloc(1, sizeof(*t));

	if (!t)
		abort();
	t->ncols = ncols;
	t->align_right = calloc(ncols, sizeof(int));
	t->limit = calloc(ncols, sizeof(int));
	t->shrink = calloc(ncols, sizeof(int));
	t->drop = calloc(ncols, sizeof(int));
	if (!t->align_right || !t->limit || !t->shrink || !t->drop)
		abort();
	cli_table_add(t, headers);
	return t;
}

void cli_table_align_right(cli_table *t, size_t col)
{
	t->align_right[col] = 1;
}

void cli_table_limit(cli_table *t, size_t col, int width)
{
	t->limit[col] = width;
}

void cli_table_shrink_first(cli_table *t, size_t col)
{
	t->shrink[col] = 1;
}

void cli_table_drop_first(cli_table *t, size_t col, int order)
{
	t->drop[col] = order;
}

void cli_table_wide(cli_table *t, bool wide)
{
	t->wide = wide;
}

void cli_table_excel(cli_table *t, bool excel)
{
	t->excel = excel;
}

void cli_table_add(cli_table *t, const char *const *cells)
{
	cli_row_sink sink = {t, t->chunks, t->nrows, false};

	reserve(t, t->nrows + 1);
	cli_row_put(&sink, cells);
	t->chunks = sink.chunks;
	t->nrows++;
}

struct fill {
	cli_table *t;
	size_t base;
	cli_row_fn *fn;
	void *ctx;
	cli_row_sink *sinks;
};

static void fill_part(void *arg, size_t part, size_t lo, size_t hi)
{
	struct fill *f = arg;
	cli_row_sink *sink = &f->sinks[part];

	sink->t = f->t;
	sink->chunks = NULL;
	for (size_t i = lo; i < hi; i++) {
		sink->row = f->base + i;
		sink->put = false;
		f->fn(f->ctx, i, sink);
		if (!sink->put)
			abort(); /* a row function that made no row */
	}
}

void cli_table_fill(cli_table *t, size_t n, cli_row_fn *fn, void *ctx)
{
	size_t parts = crmf_parallel_parts(n, 4096);
	struct fill f = {t, t->nrows, fn, ctx, calloc(parts, sizeof(cli_row_sink))};

	if (!f.sinks)
		abort();
	reserve(t, t->nrows + n);
	crmf_parallel_for(n, parts, fill_part, &f);
	for (size_t p = 0; p < parts; p++) {
		struct chunk *ch = f.sinks[p].chunks;

		if (!ch)
			continue;
		while (ch->next)
			ch = ch->next;
		ch->next = t->chunks;
		t->chunks = f.sinks[p].chunks;
	}
	free(f.sinks);
	t->nrows += n;
}

size_t cli_table_rows(const cli_table *t)
{
	return t->nrows - 1;
}

void cli_table_free(cli_table *t)
{
	if (!t)
		return;
	for (struct chunk *ch = t->chunks, *next; ch; ch = next) {
		next = ch->next;
		crmf_table_free(ch, 1, sizeof(*ch) + ch->cap);
	}
	crmf_table_free(t->cells, 1, t->cap * t->ncols * sizeof(char *));
	crmf_table_free(t->widths, 1, t->cap * t->ncols * sizeof(int));
	free(t->align_right);
	free(t->limit);
	free(t->shrink);
	free(t->drop);
	free(t);
}

int cli_display_width(const char *s)
{
	return crmf_text_width(s);
}

/* The bytes of printed lines: a string buffer of its own, as the table is
 * the only one in the commands to want one (the library's is private). */
typedef struct linebuf {
	char *buf;
	size_t len, cap;
} linebuf;

/* Room for `extra` more bytes and a NUL. */
static void lb_grow(linebuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	b->cap = (b->len + extra + 1) * 2;
	b->buf = realloc(b->buf, b->cap);
	if (!b->buf)
		abort();
}

static void lb_add(linebuf *b, const char *s, size_t n)
{
	lb_grow(b, n);
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

/* Add at most `width` columns of s (`total` wide), with "…" when cut;
 * returns the columns added. */
static int put_clipped(linebuf *b, const char *s, int total, int width)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	int w = 0;

	if (total <= width) {
		lb_add(b, s, strlen(s));
		return total;
	}
	while (*p) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
		int cw;

		if (n <= 0)
			n = 1, cp = '?';
		cw = cp < 0x20 ? 0 : utf8proc_charwidth(cp);
		if (cw < 0)
			cw = 1;
		if (w + cw > width - 1) /* keep one column for the ellipsis */
			break;
		lb_add(b, (const char *)p, (size_t)n);
		w += cw;
		p += n;
	}
	lb_add(b, "…", strlen("…"));
	return w + 1;
}

static int terminal_width(FILE *f)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");

	if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (cols && atoi(cols) > 0)
		return atoi(cols);
	return 0;
}

/* A cell a spreadsheet would run as a formula: it starts with = + - @, a tab
 * or a carriage return (OWASP's list). Numbers such as -5 or +86 136… are
 * data too, but Excel reads "+86 136…" as a formula: every such cell is
 * defused alike, by a leading apostrophe, which Excel shows as text. */
static bool formula_like(const char *s)
{
	return *s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r';
}

static void print_csv_cell(FILE *f, const char *s, bool excel)
{
	bool defuse = excel && formula_like(s);

	if (defuse || strpbrk(s, ",\"\r\n") || (excel && (*s == ' ' || strchr(s, ';')))) {
		fputc('"', f);
		if (defuse)
			fputc('\'', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
}

static void print_sv(FILE *f, const cli_table *t, char sep)
{
	if (sep == ',' && t->excel)
		fputs("\xEF\xBB\xBF", f); /* UTF-8 byte-order mark: Excel reads UTF-8 by it */
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];

			if (c)
				fputc(sep, f);
			if (sep == ',') {
				print_csv_cell(f, s, t->excel && r > 0);
			} else {
				for (; *s; s++) /* TSV cannot hold these: make them spaces */
					fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
			}
		}
		fputs(sep == ',' ? "\r\n" : "\n", f);
	}
}

/* Add row r to b, the columns `w` wide; `lens` has room for the row's cell
 * lengths. Room for the whole row is made at once and the bytes written
 * directly: a call per cell and padding was most of printing a 50,000-row
 * agenda. */
static void layout_row(linebuf *b, const cli_table *t, const int *w, bool color, size_t r,
		       size_t *lens)
{
	const char *const *cells = &t->cells[r * t->ncols];
	const int *cw = &t->widths[r * t->ncols];
	size_t need = 16; /* the escapes of a coloured header, the line break */
	char *p;

	size_t lastc = 0, first = t->ncols;

	for (size_t c = 0; c < t->ncols; c++) {
		lens[c] = strlen(cells[c]);
		need += lens[c] + 2 + (size_t)(w[c] > cw[c] ? w[c] - cw[c] : 0);
		if (w[c] >= 0) {
			lastc = c;
			if (first == t->ncols)
				first = c;
		}
	}
	lb_grow(b, need);
	p = b->buf + b->len;
	if (r == 0 && color)
		memcpy(p, "\033[1m", 4), p += 4;
	for (size_t c = 0; c < t->ncols; c++) {
		int sw = cw[c];
		bool last = c == lastc;

		if (w[c] < 0) /* left out on a narrow terminal */
			continue;
		if (c != first)
			*p++ = ' ', *p++ = ' ';
		if (t->align_right[c] && sw < w[c]) {
			memset(p, ' ', (size_t)(w[c] - sw));
			p += w[c] - sw;
		}
		if (sw <= w[c]) {
			memcpy(p, cells[c], lens[c]);
			p += lens[c];
		} else { /* cut: rare, the slow way */
			b->len = (size_t)(p - b->buf);
			sw = put_clipped(b, cells[c], sw, w[c]);
			lb_grow(b, need);
			p = b->buf + b->len;
		}
		if (!t->align_right[c] && !last && sw < w[c]) {
			memset(p, ' ', (size_t)(w[c] - sw));
			p += w[c] - sw;
		}
	}
	if (r == 0 && color)
		memcpy(p, "\033[0m", 4), p += 4;
	*p++ = '\n';
	*p = '\0';
	b->len = (size_t)(p - b->buf);
}

/* On a narrow terminal the columns marked cli_table_shrink_first give way
 * first, the widest of them first, down to SHRINK_MIN columns each; then, while
 * the last column (the one that says what to do) would be narrower than
 * LAST_MIN, the columns marked cli_table_drop_first are left out in their
 * order; then the last column is cut, down to 8. w[c] < 0: left out. */
#define SHRINK_MIN 12
#define LAST_MIN 30

static int shrink_names(const cli_table *t, int *w, int excess)
{
	while (excess > 0) {
		size_t widest = t->ncols;

		for (size_t c = 0; c < t->ncols; c++)
			if (t->shrink[c] && w[c] > SHRINK_MIN && (widest == t->ncols || w[c] > w[widest]))
				widest = c;
		if (widest == t->ncols)
			break;
		w[widest]--;
		excess--;
	}
	return excess;
}

static void fit_width(const cli_table *t, int *w, const int *full, int excess)
{
	size_t last = t->ncols - 1;
	int maxorder = 0;

	excess = shrink_names(t, w, excess);
	for (size_t c = 0; c < last; c++)
		if (t->drop[c] > maxorder)
			maxorder = t->drop[c];
	for (int order = 1; order <= maxorder && excess > 0 &&
			    w[last] - excess < (full[last] < LAST_MIN ? full[last] : LAST_MIN);
	     order++)
		for (size_t c = 0; c < last; c++)
			if (t->drop[c] == order) {
				excess -= w[c] + 2;
				w[c] = -1;
			}
	/* columns left out may free more than was needed: names get some back */
	for (size_t c = 0; c < last && excess < 0; c++)
		while (t->shrink[c] && w[c] >= 0 && excess < 0 && w[c] < full[c])
			w[c]++, excess++;
	if (excess > 0) {
		int cut = w[last] - excess;

		w[last] = cut < 8 ? 8 : cut;
	}
}

void cli_table_print(FILE *f, const cli_table *t, cli_format fmt)
{
	linebuf b = {NULL, 0, 0};
	size_t *lens;
	int *w;
	int total = 0, term;
	bool color;

	if (fmt == FMT_CSV || fmt == FMT_TSV) {
		print_sv(f, t, fmt == FMT_CSV ? ',' : '\t');
		return;
	}
	w = calloc(t->ncols, sizeof(int));
	lens = calloc(t->ncols ? t->ncols : 1, sizeof(*lens));
	if (!w || !lens)
		abort();
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			int cw = t->widths[r * t->ncols + c];

			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t c = 0; c < t->ncols; c++) {
		if (!t->wide && t->limit[c] > 0 && w[c] > t->limit[c])
			w[c] = t->limit[c];
		total += w[c] + (c ? 2 : 0);
	}
	term = t->wide ? 0 : terminal_width(f);
	if (term > 0 && total > term && t->ncols > 0) {
		int *full = malloc(t->ncols * sizeof(int));

		if (!full)
			abort();
		memcpy(full, w, t->ncols * sizeof(int));
		fit_width(t, w, full, total - term);
		free(full);
	}
	color = cli_color(f);
	/* lines laid out in a buffer, not a stdio call per cell: agendas run to
	 * 50,000 rows (laying them out in parallel buffers costs more in page
	 * faults than it saves) */
	for (size_t r = 0; r < t->nrows; r++) {
		/* cells may be borrowed from anywhere in memory: ask ahead */
		if (r + 8 < t->nrows)
			for (size_t c = 0; c < t->ncols; c++)
				__builtin_prefetch(t->cells[(r + 8) * t->ncols + c]);
		layout_row(&b, t, w, color, r, lens);
		if (b.len >= 65536) { /* written in large blocks, past stdio's buffer */
			fwrite(b.buf, 1, b.len, f);
			b.len = 0;
		}
	}
	fwrite(b.buf, 1, b.len, f);
	free(b.buf);
	free(lens);
	free(w);
}
