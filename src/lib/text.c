/* SPDX-License-Identifier: MIT */
/* Text as people read it: display width, cutting a line short, lists of lines. */
#include "crmf/text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "util.h"

int crmf_text_width(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	int w = 0;

	while (*p) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n;

		/* printable ASCII, most cells: a column per byte */
		if (*p >= 0x20 && *p < 0x7F) {
			p++, w++;
			continue;
		}
		/* CJK ideographs (U+3400-U+4DBF, U+4E00-U+9FFF) and fullwidth forms
		 * (U+FF01-U+FF60), most of a Chinese cell: two columns, as
		 * utf8proc_charwidth says, without its table lookup */
		if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
			cp = (p[0] & 0x0F) << 12 | (p[1] & 0x3F) << 6 | (p[2] & 0x3F);
			if ((cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
			    (cp >= 0xFF01 && cp <= 0xFF60)) {
				p += 3, w += 2;
				continue;
			}
		}
		n = utf8proc_iterate(p, -1, &cp);

		if (n <= 0) { /* invalid byte: count it as one column */
			p++;
			w++;
			continue;
		}
		if (cp >= 0x20) {
			int cw = utf8proc_charwidth(cp);

			w += cw < 0 ? 1 : cw;
		}
		p += n;
	}
	return w;
}

void crmf_lines_add(crmf_lines *l, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

void crmf_lines_add_once(crmf_lines *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return;
	crmf_lines_add(l, "%s", s);
}

char *crmf_lines_join(const crmf_lines *l, const char *sep)
{
	size_t len = 1, k = strlen(sep), at = 0;
	char *s;

	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + (i ? k : 0);
	s = xrealloc(NULL, len);
	for (size_t i = 0; i < l->n; i++) {
		size_t m = strlen(l->v[i]);

		if (i) {
			memcpy(s + at, sep, k);
			at += k;
		}
		memcpy(s + at, l->v[i], m);
		at += m;
	}
	s[at] = '\0';
	return s;
}

void crmf_lines_release(crmf_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

char *crmf_text_cut(const char *s, size_t max)
{
	size_t len = strlen(s), chars = 0, i;
	char *out = xrealloc(NULL, len + 4), *o = out;

	for (i = 0; i < len;) {
		unsigned char b = (unsigned char)s[i];
		size_t w = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;

		if (chars == max) {
			memcpy(o, "…", 3);
			o += 3;
			break;
		}
		if (i + w > len)
			w = len - i;
		if (b == '\n' || b == '\r' || b == '\t') {
			/* a CRLF becomes one space */
			if (!(b == '\n' && i > 0 && s[i - 1] == '\r'))
				*o++ = ' ';
			else
				chars--;
		} else {
			memcpy(o, s + i, w);
			o += w;
		}
		i += w;
		chars++;
	}
	*o = '\0';
	return out;
}
