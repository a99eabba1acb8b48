/* SPDX-License-Identifier: MIT */
/* iCalendar (RFC 5545) content lines: escaping and folding, for crmf due --format ics. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

char *cli_ics_text(const char *s)
{
	size_t n = 0;
	char *out, *o;

	for (const char *p = s; *p; p++)
		n += strchr("\\;,\n", *p) ? 2 : 1;
	o = out = malloc(n + 1);
	if (!out)
		return NULL;
	for (const char *p = s; *p; p++) {
		if (*p == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else if (*p == '\r') {
			continue;
		} else {
			if (strchr("\\;,", *p))
				*o++ = '\\';
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

void cli_ics_line(FILE *f, const char *name, const char *value)
{
	size_t col = strlen(name) + 1;

	fprintf(f, "%s:", name);
	for (const unsigned char *p = (const unsigned char *)value; *p;) {
		/* one character: a UTF-8 lead byte and its continuation bytes */
		size_t len = 1;

		while (p[len] && (p[len] & 0xC0) == 0x80)
			len++;
		if (col + len > 75) {
			fputs("\r\n ", f); /* a fold: CRLF and one blank, which counts */
			col = 1;
		}
		fwrite(p, 1, len, f);
		col += len;
		p += len;
	}
	fputs("\r\n", f);
}
