/* SPDX-License-Identifier: MIT */
/* What doc.c and prescan.c share: the state of one parse, private to libcrmf. */
#ifndef CRMF_DOC_PRIVATE_H
#define CRMF_DOC_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "crmf/diag.h"
#include "crmf/doc.h"

struct arena;

/* Reports of one pre-scan rule beyond this many are summed up in one line. */
#define PRESCAN_MAX_REPORTS 50

enum { PS_UTF8, PS_CTRL, PS_CONFLICT, PS_TAB, PS_NRULES };

struct parse {
	crmf_doc *doc;
	crmf_diags *diags;
	const char *path;
	struct arena *arena;
	const unsigned char *s;
	size_t bom; /* 3 when the file starts with a BOM, else 0 */
	/* libyaml counts lines and characters: where each line starts, and
	 * whether it is ASCII (then a column is a byte count), turn its marks
	 * into byte offsets */
	size_t *line_start;
	unsigned char *line_ascii;
	size_t n_lines, cap_lines;
	size_t line_stack[256];
	unsigned char ascii_stack[256];
	/* the last mark found on a line that is not ASCII: marks come in order */
	size_t memo_line, memo_col, memo_byte;
	/* children of the open collections, innermost last */
	crmf_node **scratch;
	size_t nscratch, capscratch;
	struct {
		crmf_node *node;
		size_t base;
	} stack[CRMF_DOC_MAX_DEPTH];
	int depth;
	uint32_t *table; /* duplicate-key hash table, reused across mappings */
	size_t captable;
	size_t reported[PS_NRULES];
	int first_line[PS_NRULES], first_col[PS_NRULES];
};


/*
 * Everything libyaml would report badly or not at all, found line by line
 * before it runs: encoding, control characters, conflict markers and tabs in
 * indentation. Lines end at LF; a CR right before it belongs to the line end.
 * Runs of printable ASCII, most of a file, are skipped eight bytes at a time.
 */
void crmf_prescan(struct parse *p);

/* Shared with the parse of libyaml's marks. */

static inline uint64_t load8(const unsigned char *s)
{
	uint64_t w;

	memcpy(&w, s, 8);
	return w;
}

/* 1-based column of byte `i` of the line starting at `ls`: characters are
 * counted by their lead bytes, so found only when something is reported. */
static inline int line_column(const unsigned char *s, size_t ls, size_t i)
{
	int col = 1;

	for (; ls < i; ls++)
		if ((s[ls] & 0xC0) != 0x80)
			col++;
	return col;
}

#endif
