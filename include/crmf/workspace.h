/* SPDX-License-Identifier: MIT */
/* A repository held in memory for an editor: buffers checked against every other file's keys,
 * completion and hover. */
#ifndef CRMF_WORKSPACE_H
#define CRMF_WORKSPACE_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/date.h"
#include "crmf/diag.h"
#include "crmf/schema.h"

/*
 * What `crmf lsp` keeps between keystrokes. Opening it scans the repository
 * once (through the validation cache) and keeps, per customer file, only
 * what the checks across files need: its id, the keys of its company name,
 * phones and emails. Checking a buffer then parses that one buffer, checks
 * it as `crmf check FILE` would, and compares its keys with the others' (a
 * few hash lookups): the diagnostics are those `crmf check FILE` gives for
 * that content, the cross-file ones included (a finding goes to the later
 * file in path order, naming the first one that had the key). The buffer's
 * keys replace the file's: other buffers are checked against what the
 * editor holds, not what the disk holds.
 *
 * Positions are crmf's: lines and columns 1-based, columns in characters
 * (code points). Nothing here prints.
 */

typedef struct crmf_workspace crmf_workspace;

/** Where a diagnostic ends (exclusive), as crmf positions. */
typedef struct crmf_span_end {
	int line, column;
} crmf_span_end;

/** What a buffer is to the workspace. */
typedef enum {
	CRMF_WS_OTHER = 0, /* not a file crmf checks */
	CRMF_WS_CUSTOMER,  /* a customer file: under customers/ or archive/, .yaml or .yml */
	CRMF_WS_CONFIG,	   /* crmf.yaml */
} crmf_ws_kind;

/** One completion candidate. */
typedef struct crmf_ws_item {
	char *label;  /* what is inserted: a value, or a key */
	char *detail; /* its label in crmf.yaml, a member's name, a field's names; may be NULL */
	bool key;     /* a key (insert it followed by ": ") */
} crmf_ws_item;

/** Candidates, owned by the list; free with crmf_ws_items_release. */
typedef struct crmf_ws_items {
	crmf_ws_item *v;
	size_t n, cap;
} crmf_ws_items;

/**
 * Open the repository at `root` (its crmf.yaml, then a scan of every
 * customer file with the validation cache, `today` for the cache's future
 * dates). 0, or -1 with crmf_error_last(). Free with crmf_workspace_free.
 */
int crmf_workspace_open(crmf_workspace **out, const char *root, crmf_day today);

/** Free a workspace; NULL is a no-op. */
void crmf_workspace_free(crmf_workspace *ws);

/** The repository's root as given to crmf_workspace_open. */
const char *crmf_workspace_root(const crmf_workspace *ws);

/** The configuration loaded at open (crmf.yaml, or the defaults). */
const crmf_config *crmf_workspace_config(const crmf_workspace *ws);

/** How many customer files the workspace holds keys of. */
size_t crmf_workspace_size(const crmf_workspace *ws);

/** A number that changes whenever the keys of any file change (a buffer
 * checked with a new id, name, phone or email, a revert): the diagnostics of
 * other buffers may have changed then. */
unsigned long crmf_workspace_generation(const crmf_workspace *ws);

/** What the repository-relative `relpath` is to the workspace. */
crmf_ws_kind crmf_workspace_kind(const char *relpath);

/**
 * Check `len` bytes of `buf` as the content of `relpath` (a customer file or
 * crmf.yaml; nothing for other paths): the diagnostics `crmf check relpath`
 * would give for it are appended to `diags`, which must be empty, sorted by
 * position. When `ends` is not NULL it is set to a malloc'ed array of
 * diags->n ends (the end of the value or key each one is at, else of the
 * line's text). A customer buffer's keys replace the file's for the checks
 * of other buffers. Returns the kind of the path.
 */
crmf_ws_kind crmf_workspace_check(crmf_workspace *ws, const char *relpath, const char *buf,
				  size_t len, crmf_day today, crmf_diags *diags,
				  crmf_span_end **ends);

/** The keys of `relpath` back to what the disk holds (the editor closed the
 * buffer without saving), or dropped when the file is gone. */
void crmf_workspace_revert(crmf_workspace *ws, const char *relpath, crmf_day today);

/**
 * The candidates at `line`, `column` (the cursor, before the character
 * there) of a customer buffer: the keys of the mapping the cursor is in (the
 * top level, or an entry of contacts, deals, followups, or need), or the
 * values of the key before it (stages, potentials, grades, methods, sizes,
 * sources, industries, custom enum fields, with crmf.yaml's labels; team
 * members with their names; true and false). Appended to `out`; *from is
 * set to the column where the word being completed starts.
 */
void crmf_workspace_complete(crmf_ws_items *out, int *from, const crmf_workspace *ws,
			     const char *buf, size_t len, int line, int column);

/** Free the candidates; the list is empty after. */
void crmf_ws_items_release(crmf_ws_items *items);

/**
 * Markdown for the position `line`, `column` of the customer buffer: on a
 * key, the field's names (Chinese and English) and type; elsewhere the
 * customer's computed classification on `today` (activity, value, quadrant,
 * next due date and why). Malloc'ed, or NULL when there is nothing to say.
 */
char *crmf_workspace_hover(const crmf_workspace *ws, const char *relpath, const char *buf,
			   size_t len, int line, int column, crmf_day today);

#endif
