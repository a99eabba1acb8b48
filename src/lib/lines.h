/* SPDX-License-Identifier: MIT */
/* Lines of YAML source bytes, as edit.c and merge_text.c splice them: where a line
 * begins, blank lines, the lines an entry owns; private to libcrmf. */
#ifndef CRMF_LINES_H
#define CRMF_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "crmf/doc.h"

/* The start of the line holding `pos` (never before a byte order mark). */
static inline size_t line_begin_in(const char *s, size_t pos, bool bom)
{
	size_t lo = bom ? 3 : 0;

	while (pos > lo && s[pos - 1] != '\n')
		pos--;
	return pos;
}

/* The start of the next line, or the end of the text. */
static inline size_t next_line_in(const char *s, size_t len, size_t pos)
{
	const char *nl = pos < len ? memchr(s + pos, '\n', len - pos) : NULL;

	return nl ? (size_t)(nl - s) + 1 : len;
}

/* Only spaces before `pos` on its line. */
static inline bool first_on_line_in(const char *s, size_t pos, bool bom)
{
	for (size_t i = line_begin_in(s, pos, bom); i < pos; i++)
		if (s[i] != ' ')
			return false;
	return true;
}

/* The line starting at `ls` holds only spaces. */
static inline bool blank_line_in(const char *s, size_t len, size_t ls)
{
	size_t i = ls;

	while (i < len && s[i] == ' ')
		i++;
	return i == len || s[i] == '\n' || s[i] == '\r';
}

/* The deepest last node under `n`: a block collection's own end lies at the
 * next token, past comments and blank lines, so ends are taken from it. */
static inline const crmf_node *last_leaf(const crmf_node *n)
{
	while (n->type != CRMF_NODE_SCALAR && n->style == CRMF_STYLE_BLOCK && n->n > 0)
		n = n->type == CRMF_NODE_MAPPING ? n->pairs[n->n - 1].value : n->items[n->n - 1];
	return n;
}

/* A keep-chomped block scalar (`|+`, `>2+`) owns the blank lines after it. */
static inline bool keeps_trailing_lines_in(const char *s, const crmf_node *leaf)
{
	if (leaf->type != CRMF_NODE_SCALAR ||
	    (leaf->style != CRMF_STYLE_LITERAL && leaf->style != CRMF_STYLE_FOLDED))
		return false;
	for (size_t i = leaf->start + 1; i < leaf->end && strchr("+-0123456789", s[i]); i++)
		if (s[i] == '+')
			return true;
	return false;
}

/*
 * End of the lines of an entry (a pair's value or an item) whose key or '-'
 * is in column `col`: past its last line, the blank lines a keep-chomped
 * block scalar owns, and the comment lines right after it indented deeper
 * than `col`.
 */
static inline size_t entry_end_in(const char *s, size_t len, const crmf_node *n, size_t col)
{
	const crmf_node *leaf = last_leaf(n);
	size_t p = next_line_in(s, len, leaf->end);

	if (keeps_trailing_lines_in(s, leaf))
		while (p < len && blank_line_in(s, len, p))
			p = next_line_in(s, len, p);
	while (p < len) {
		size_t i = p;

		while (i < len && s[i] == ' ')
			i++;
		if (i == len || s[i] != '#' || i - p <= col)
			break;
		p = next_line_in(s, len, p);
	}
	return p;
}

#endif
