/* SPDX-License-Identifier: MIT */
/* crmf lsp's bytes without the server: message framing and decoding, UTF-8, positions and edits. */
#include "lsp_wire.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- UTF-8 ---- */

size_t lsp_utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t k;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return k;
}

char *lsp_utf8_clean(const char *s, size_t n, size_t *out_len)
{
	char *o = lsp_xrealloc(NULL, n * 3 + 1);
	size_t j = 0;

	for (size_t i = 0; i < n;) {
		size_t k = lsp_utf8_len((const unsigned char *)s + i, n - i);

		if (k) {
			memcpy(o + j, s + i, k);
			j += k;
			i += k;
		} else {
			memcpy(o + j, "\xef\xbf\xbd", 3);
			j += 3;
			i++;
		}
	}
	o[j] = '\0';
	*out_len = j;
	return o;
}

bool lsp_utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = lsp_utf8_len((const unsigned char *)s + i, n - i);

		if (!k)
			return false;
		i += k;
	}
	return true;
}

void *lsp_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		abort();
	return q;
}

char *lsp_xstrndup(const char *s, size_t n)
{
	char *p = lsp_xrealloc(NULL, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---- positions ---- */

static size_t line_start(const char *t, size_t len, json_int_t line)
{
	size_t p = 0;

	for (json_int_t l = 0; l < line; l++) {
		const char *nl = memchr(t + p, '\n', len - p);

		if (!nl)
			return len;
		p = (size_t)(nl - t) + 1;
	}
	return p;
}

static size_t char_bytes(const char *t, size_t p, size_t len)
{
	size_t k = lsp_utf8_len((const unsigned char *)t + p, len - p);

	return k ? k : 1;
}

size_t lsp_offset_of(const char *t, size_t len, json_int_t line, json_int_t ch)
{
	size_t p;
	json_int_t u = 0;

	if (line < 0)
		return 0;
	p = line_start(t, len, line);
	while (p < len && t[p] != '\n' && u < ch) {
		size_t k = char_bytes(t, p, len);

		if (t[p] == '\r' && p + 1 < len && t[p + 1] == '\n')
			break;
		u += k == 4 ? 2 : 1;
		p += k;
	}
	return p;
}

int lsp_column_of(const char *t, size_t len, json_int_t line, json_int_t ch)
{
	size_t s = line_start(t, len, line < 0 ? 0 : line), e = lsp_offset_of(t, len, line, ch);
	int col = 1;

	for (size_t p = s; p < e; p += char_bytes(t, p, len))
		col++;
	return col;
}

void lsp_position_of(json_int_t *lsp_line, json_int_t *lsp_char, const char *t, size_t len,
		     int line, int column)
{
	size_t p;
	json_int_t u = 0;

	*lsp_line = *lsp_char = 0;
	if (line < 1)
		return;
	p = line_start(t, len, line - 1);
	for (int c = 1; c < column && p < len && t[p] != '\n'; c++) {
		size_t k = char_bytes(t, p, len);

		u += k == 4 ? 2 : 1;
		p += k;
	}
	*lsp_line = (json_int_t)(line - 1);
	*lsp_char = u;
}

/* ---- the wire ---- */

void lsp_reader_release(lsp_reader *r)
{
	free(r->in);
	r->in = NULL;
	r->in_len = r->in_cap = r->in_pos = 0;
}

/* Fill the input buffer; false at the end of the input. */
static bool fill(lsp_reader *s)
{
	ssize_t r;

	if (s->in_pos > 0 && s->in_pos == s->in_len)
		s->in_pos = s->in_len = 0;
	if (s->in_len == s->in_cap) {
		if (s->in_pos > 0) {
			memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
			s->in_len -= s->in_pos;
			s->in_pos = 0;
		} else {
			s->in_cap = s->in_cap ? s->in_cap * 2 : 65536;
			s->in = lsp_xrealloc(s->in, s->in_cap);
		}
	}
	do
		r = s->read(s->ctx, s->in + s->in_len, s->in_cap - s->in_len);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		s->eof = true;
		return false;
	}
	s->in_len += (size_t)r;
	return true;
}

/* One header line (without its line end) into line; false at the end. */
static bool read_line(lsp_reader *s, char *line, size_t size)
{
	size_t n = 0;

	for (;;) {
		while (s->in_pos < s->in_len) {
			char c = s->in[s->in_pos++];

			if (c == '\n') {
				if (n && line[n - 1] == '\r')
					n--;
				line[n] = '\0';
				return true;
			}
			if (n + 1 < size)
				line[n++] = c;
		}
		if (!fill(s))
			return false;
	}
}

int lsp_read_message(lsp_reader *s, char **body, size_t *len)
{
	char line[1024];
	long long length = -1;
	bool any = false;

	for (;;) {
		if (!read_line(s, line, sizeof(line)))
			return 0;
		if (!*line) {
			if (any)
				break;
			continue; /* blank lines between messages */
		}
		any = true;
		if (strncasecmp(line, "Content-Length:", 15) == 0) {
			char *end;

			errno = 0;
			length = strtoll(line + 15, &end, 10);
			while (*end == ' ' || *end == '\t')
				end++;
			if (errno || *end || length < 0)
				length = -2;
		}
	}
	if (length < 0)
		return -1;
	size_t want = (size_t)length, got = 0;
	char *b = want <= LSP_MAX_MESSAGE ? lsp_xrealloc(NULL, want + 1) : NULL;

	while (got < want) {
		size_t k;

		if (s->in_pos == s->in_len && !fill(s)) {
			free(b);
			return 0;
		}
		k = s->in_len - s->in_pos;
		if (k > want - got)
			k = want - got;
		if (b)
			memcpy(b + got, s->in + s->in_pos, k);
		s->in_pos += k;
		got += k;
	}
	if (!b) {
		*len = want;
		return -2;
	}
	b[want] = '\0';
	*body = b;
	*len = want;
	return 1;
}

int lsp_decode(json_t **out, char *body, size_t len)
{
	json_error_t err;
	json_t *msg;

	*out = NULL;
	/* JSON is UTF-8: invalid bytes become U+FFFD rather than losing the message */
	if (!lsp_utf8_valid(body, len)) {
		size_t clen;
		char *clean = lsp_utf8_clean(body, len, &clen);

		free(body);
		body = clean;
		len = clen;
	}
	msg = json_loadb(body, len, JSON_ALLOW_NUL, &err);
	free(body);
	if (!msg)
		return LSP_PARSE_ERROR;
	if (!json_is_object(msg)) {
		json_decref(msg);
		return LSP_INVALID_REQUEST;
	}
	*out = msg;
	return 0;
}

/* ---- JSON access ---- */

const char *lsp_jget_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *lsp_jget_obj(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_object(v) ? v : NULL;
}

bool lsp_jget_pos(json_t *o, json_int_t *line, json_int_t *ch)
{
	json_t *l = json_object_get(o, "line"), *c = json_object_get(o, "character");

	if (!json_is_integer(l) || !json_is_integer(c))
		return false;
	*line = json_integer_value(l);
	*ch = json_integer_value(c);
	return *line >= 0 && *ch >= 0;
}

/* ---- edits ---- */

/* Replace bytes [a, b) of the text with `t` (`n` bytes). */
static void splice(char **text, size_t *tlen, size_t a, size_t b, const char *t, size_t n)
{
	size_t len = *tlen - (b - a) + n;
	char *x = lsp_xrealloc(NULL, len + 1);

	memcpy(x, *text, a);
	memcpy(x + a, t, n);
	memcpy(x + a + n, *text + b, *tlen - b);
	x[len] = '\0';
	free(*text);
	*text = x;
	*tlen = len;
}

void lsp_apply_changes(char **text, size_t *len, json_t *changes)
{
	size_t i;
	json_t *c;

	json_array_foreach(changes, i, c)
	{
		json_t *t = json_object_get(c, "text"), *range = lsp_jget_obj(c, "range");
		json_int_t l0, c0, l1, c1;
		size_t a, b;

		if (!json_is_string(t))
			continue;
		if (!range) {
			splice(text, len, 0, *len, json_string_value(t), json_string_length(t));
			continue;
		}
		if (!lsp_jget_pos(lsp_jget_obj(range, "start"), &l0, &c0) ||
		    !lsp_jget_pos(lsp_jget_obj(range, "end"), &l1, &c1))
			continue;
		a = lsp_offset_of(*text, *len, l0, c0);
		b = lsp_offset_of(*text, *len, l1, c1);
		if (b < a)
			b = a;
		splice(text, len, a, b, json_string_value(t), json_string_length(t));
	}
}
