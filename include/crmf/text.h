/* SPDX-License-Identifier: MIT */
/* Text as people read it: columns on a terminal, one line cut short, lists of lines. */
#ifndef CRMF_TEXT_H
#define CRMF_TEXT_H

#include <stddef.h>

/** Columns a UTF-8 string takes on a terminal (CJK characters take two, an
 * invalid byte one). */
int crmf_text_width(const char *s);

/** `s` cut to at most `max` characters on one line (line breaks become
 * spaces, a CRLF one space), with "…" when cut; malloc'ed. */
char *crmf_text_cut(const char *s, size_t max);

/** A growable list of malloc'ed strings; zero it to start. */
typedef struct crmf_lines {
	char **v;
	size_t n, cap;
} crmf_lines;

/** Append a formatted line. */
void crmf_lines_add(crmf_lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Append `s` unless the list holds it already. */
void crmf_lines_add_once(crmf_lines *l, const char *s);

/** The strings joined by `sep`, malloc'ed ("" for none). */
char *crmf_lines_join(const crmf_lines *l, const char *sep);

/** Free the strings and the list; the list is empty after. */
void crmf_lines_release(crmf_lines *l);

#endif
