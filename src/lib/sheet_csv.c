/* SPDX-License-Identifier: MIT */
/* .csv and .tsv files through libcsv, decoded to UTF-8 with iconv. */
#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "crmf/diag.h"
#include "sheet_private.h"
#include "util.h"

/* The byte offset of the first invalid UTF-8 sequence, or len. */
static size_t utf8_prefix(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n;

		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (n == 0)
			return i;
		i += n;
	}
	return len;
}

static size_t line_at(const char *s, size_t off)
{
	size_t line = 1;

	for (size_t i = 0; i < off; i++)
		line += s[i] == '\n';
	return line;
}

/* Decode `len` bytes from `from` into a malloc'ed UTF-8 buffer. */
static int decode(crmf_workbook *wb, const char *from, const char *in, size_t len, char **out,
		  size_t *out_len)
{
	iconv_t cd = iconv_open("UTF-8", from);
	char *src = (char *)in, *dst;
	size_t left = len, room, cap = len * 2 + 16;
	strbuf sb = STRBUF_INIT;

	*out = NULL;
	if (cd == (iconv_t)-1)
		return crmf_error_set("%s: unknown encoding '%s'", wb->path, from);
	sb_grow(&sb, cap);
	while (left > 0) {
		size_t r;

		dst = sb.buf + sb.len;
		room = sb.cap - sb.len - 1;
		r = iconv(cd, &src, &left, &dst, &room);
		sb.len = (size_t)(dst - sb.buf);
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG) {
			sb_grow(&sb, left * 2 + 16);
			continue;
		}
		/* EILSEQ or EINVAL (a sequence cut at the end) */
		{
			size_t off = (size_t)(src - in);

			crmf_error_set("%s: not valid %s at byte %zu (line %zu)%s", wb->path, from, off,
				       line_at(in, off),
				       errno == EINVAL ? crmf_tr(": the file ends inside a character") : "");
		}
		iconv_close(cd);
		sb_release(&sb);
		return -1;
	}
	iconv_close(cd);
	sb_grow(&sb, 1);
	sb.buf[sb.len] = '\0';
	*out_len = sb.len;
	*out = sb_detach(&sb);
	return 0;
}

typedef struct csv_state {
	sheet_build *b;
	uint32_t row, col;
	size_t fields;
	int last_end;
	int too_many;
} csv_state;

static void on_field(void *s, size_t len, void *data)
{
	csv_state *st = data;

	st->fields++;
	if (st->col >= SHEET_MAX_COL || st->row > SHEET_MAX_ROW) {
		st->too_many = 1;
		return;
	}
	st->col++;
	/* '+86 136…: a cell defused for spreadsheets (crmf export, list --excel) is its value */
	if (s && len >= 2 && ((char *)s)[0] == '\'' && strchr("=+-@\t\r", ((char *)s)[1])) {
		s = (char *)s + 1;
		len--;
	}
	if (s && len)
		sheet_text(st->b, st->row, st->col, s, len);
}

static void on_row(int c, void *data)
{
	csv_state *st = data;

	/* the LF of a CRLF (reported alone with CSV_REPALL_NL) ends no row */
	if (c == '\n' && st->last_end == '\r' && st->fields == 0) {
		st->last_end = c;
		return;
	}
	st->last_end = c;
	st->fields = 0;
	st->row++;
	st->col = 0;
}

static int only_space(unsigned char c)
{
	return c == ' ';
}

static const char *base_name(const char *path, size_t *len)
{
	const char *slash = strrchr(path, '/'), *b = slash ? slash + 1 : path;
	const char *dot = strrchr(b, '.');

	*len = dot && dot != b ? (size_t)(dot - b) : strlen(b);
	return b;
}

int sheet_read_text(crmf_workbook *wb, const char *buf, size_t len, char delim,
		    const char *encoding)
{
	char *text = NULL;
	const char *p = buf;
	size_t n = len, name_len;
	const char *name;
	struct csv_parser parser;
	csv_state st = {0};
	sheet_build b;

	if (encoding && *encoding) {
		wb->encoding = wb_strndup(wb, encoding, strlen(encoding));
		/* a byte order mark of the encoding forced is not text */
		if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 && strncasecmp(encoding, "UTF-8", 5) == 0)
			p += 3, n -= 3;
		else if (n >= 2 && strncasecmp(encoding, "UTF-16", 6) == 0 &&
			 ((memcmp(p, "\xFF\xFE", 2) == 0 && strcasecmp(encoding, "UTF-16BE") != 0) ||
			  (memcmp(p, "\xFE\xFF", 2) == 0 && strcasecmp(encoding, "UTF-16LE") != 0)))
			p += 2, n -= 2;
		if (decode(wb, encoding, p, n, &text, &n) < 0)
			return -1;
		p = text;
	} else if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		size_t bad;

		wb->encoding = "UTF-8 BOM";
		p += 3, n -= 3;
		bad = utf8_prefix(p, n);
		if (bad < n)
			return crmf_error_set("%s: not valid UTF-8 at byte %zu (line %zu), although "
					      "it starts with a UTF-8 byte order mark",
					      wb->path, bad + 3, line_at(p, bad));
	} else if (n >= 2 && (memcmp(p, "\xFF\xFE", 2) == 0 || memcmp(p, "\xFE\xFF", 2) == 0)) {
		wb->encoding = p[0] == '\xFF' ? "UTF-16LE" : "UTF-16BE";
		if (decode(wb, wb->encoding, p + 2, n - 2, &text, &n) < 0)
			return -1;
		p = text;
	} else if (utf8_prefix(p, n) == n) {
		wb->encoding = "UTF-8";
	} else {
		/* not UTF-8: what Chinese Windows saves (GBK, of which GB18030 is a superset) */
		wb->encoding = "GB18030";
		if (decode(wb, "GB18030", p, n, &text, &n) < 0)
			return -1;
		p = text;
	}

	name = base_name(wb->path, &name_len);
	sheet_begin(&b, wb, name, name_len);
	st.b = &b;
	st.row = 1;
	if (csv_init(&parser, CSV_REPALL_NL) != 0) {
		free(text);
		sheet_abandon(&b);
		return crmf_error_set("%s: out of memory", wb->path);
	}
	csv_set_delim(&parser, (unsigned char)delim);
	csv_set_space_func(&parser, only_space);
	if (csv_parse(&parser, p, n, on_field, on_row, &st) != n) {
		crmf_error_set("%s: cannot read: %s", wb->path, csv_strerror(csv_error(&parser)));
		csv_free(&parser);
		free(text);
		sheet_abandon(&b);
		return -1;
	}
	csv_fini(&parser, on_field, on_row, &st);
	csv_free(&parser);
	free(text);
	if (st.too_many) {
		sheet_abandon(&b);
		return crmf_error_set("%s: more than 1,048,576 rows or 16,384 columns (Excel's "
				      "limits); split it",
				      wb->path);
	}
	return sheet_finish(&b);
}
