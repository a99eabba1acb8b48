/* SPDX-License-Identifier: MIT */
/* Editing a YAML file in place: byte splices on its source, so that every byte the user wrote
 * survives. */
#ifndef CRMF_EDIT_H
#define CRMF_EDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/diag.h"
#include "crmf/doc.h"

/*
 * An edit collects splices (offset, bytes removed, bytes inserted) against the
 * source of one parsed document and applies them all at once; nothing is ever
 * re-emitted, so comments, key order, quoting, blank lines, indentation and
 * line ends outside the splices stay byte for byte. Operations address nodes
 * of that original document (or paths into it) and may be combined in one
 * edit as long as their splices do not overlap; a failed operation adds
 * nothing. crmf_edit_finish applies the edit, parses the result again and
 * checks that every value written reads back as intended.
 *
 * Layout of what an edit writes:
 * - Lines crmf inserts end with the file's line end (CRLF when doc->crlf).
 *   Inserting after the last line of a file that lacks a final newline
 *   first adds one; the inserted lines end with a newline too. A BOM stays.
 * - A new key goes on its own line after the last pair of its mapping, at
 *   that mapping's indentation; in a flow mapping `{a: 1}` it becomes
 *   `{a: 1, key: value}`.
 * - A new sequence entry goes after the last item, with its `-` in the
 *   column of the existing items and its keys in the column the existing
 *   entries use (else what the file does elsewhere, else 2 spaces).
 * - "After the last pair / item" means after its last line and after the
 *   comment lines that follow it directly (no blank line between) indented
 *   deeper than its key or `-`: those comments belong to it. Blank lines and
 *   less indented comments belong to what follows and stay before it.
 *   Deleting a pair or item removes its lines and the comments that belong
 *   to it in that sense; comments above it stay.
 * - Deleting the last pair of a nested block mapping leaves `key: {}`, the
 *   last item of a block sequence `key: []`; the last key of the file cannot
 *   be deleted.
 * - A text value (CRMF_EDIT_TEXT) is written plain when crmf_edit_plain_safe
 *   says so, else double-quoted; a value replacing a 'single' or "double"
 *   quoted one keeps that quoting. A value with line breaks becomes a literal
 *   block (`|` or `|-`, indented one step deeper than its key) when that can
 *   hold it exactly, else a double-quoted string with escapes; inside flow
 *   collections it is always double-quoted.
 */

/** How a value is written. */
enum {
	/** A string: quoted when a YAML 1.1 parser (PyYAML) would read it as
	 * something else (see crmf_edit_plain_safe). The default. */
	CRMF_EDIT_TEXT = 0,
	/** Written as is, plain: for values the schema types as numbers, dates
	 * or booleans. Must be a valid one-line plain scalar. */
	CRMF_EDIT_RAW = 1,
};

/** One key and value of an entry to append; `flags` as for crmf_edit_set. */
typedef struct crmf_edit_field {
	const char *key;
	const char *value;
	unsigned flags;
} crmf_edit_field;

/** One splice: `removed` bytes at `offset` of the original source replaced by `len` bytes of
 * `text`. */
typedef struct crmf_splice {
	size_t offset;
	size_t removed;
	const char *text; /* points into the edit */
	size_t len;
} crmf_splice;

/** What a path addresses (see crmf_edit_find). */
typedef struct crmf_edit_target {
	crmf_node *node;   /* the node, or NULL when the last key is absent */
	crmf_node *parent; /* its mapping or sequence (the mapping an absent key would go into);
			      NULL for the root */
	size_t index;	   /* position in the parent: pair or item index (0 when absent) */
	const char *key;   /* the last key of the path, pointing into the path (not NUL-terminated);
			      NULL after an index */
	size_t key_len;
} crmf_edit_target;

typedef struct crmf_edit crmf_edit;

/**
 * Start an empty edit of `doc`, which must have a root and must outlive the
 * edit. Free with crmf_edit_free.
 */
int crmf_edit_new(crmf_edit **out, const crmf_doc *doc);

/** Free an edit; NULL is a no-op. */
void crmf_edit_free(crmf_edit *e);

/**
 * Look up `path` in `doc`: keys separated by dots, each followed by any number
 * of `[N]` indexes, negative ones counting from the end: `stage`,
 * `contacts[0].phone`, `need.budget`, `followups[-1]`. When only the last key
 * is missing, *out names the mapping it would go into (node NULL). 0, or -1
 * with crmf_error_last() for a malformed path, a missing intermediate key, an
 * index out of range or a step into a scalar.
 */
int crmf_edit_find(crmf_edit_target *out, const crmf_doc *doc, const char *path);

/**
 * Set the scalar at `path` to `value` (a NUL-terminated UTF-8 string), or add
 * the key when only it is missing (crmf_edit_add_key). 0, or -1 with
 * crmf_error_last() (also when the path names a mapping or sequence).
 */
int crmf_edit_set(crmf_edit *e, const char *path, const char *value, unsigned flags);

/**
 * Replace the scalar `node` by `value`, keeping the key, what follows on the
 * line (a comment) and, where it can hold the value, the node's quoting
 * style. -1 when the node is not a scalar or the value cannot be written (a
 * control character other than tab and newline, invalid UTF-8, a RAW value
 * that is no plain scalar).
 */
int crmf_edit_set_scalar(crmf_edit *e, const crmf_node *node, const char *value, unsigned flags);

/** Add `key: value` to the mapping `map`, where `key` is absent (-1 when present). */
int crmf_edit_add_key(crmf_edit *e, const crmf_node *map, const char *key, const char *value,
		      unsigned flags);

/**
 * Append an entry, the mapping of the `n` fields in their order, to the
 * sequence under `key` of the mapping `map`: after its last item, or as the
 * first item when the value is null or `[]` (a `[]` or null on the key's line
 * becomes a block sequence), or under a new `key` at the end of `map` when
 * the key is absent. A flow sequence with items gets a flow mapping.
 */
int crmf_edit_append(crmf_edit *e, const crmf_node *map, const char *key,
		     const crmf_edit_field *fields, size_t n);

/**
 * Insert an entry, the mapping of the `n` fields, before item `index` of the
 * block sequence `seq` (which has items), as crmf_edit_append writes one:
 * on the lines of that item's '-', above the comment lines just over it in
 * the column of its '-' (they belong to it); `index` seq->n: after the last
 * item. Several entries inserted at one place keep their order.
 */
int crmf_edit_insert(crmf_edit *e, const crmf_node *seq, size_t index,
		     const crmf_edit_field *fields, size_t n);

/**
 * Append `n` scalar items to the list under `key` of the block mapping
 * `map`: after the last item of a flow list (`[a, b]` becomes `[a, b, c]`)
 * or a block list (a line `- c` in its column), or as a new key
 * `key: [c]` after the mapping's last pair when absent. Items are written
 * as crmf_edit_set writes values (`flags`), one line each.
 */
int crmf_edit_append_scalars(crmf_edit *e, const crmf_node *map, const char *key,
			     const char *const *values, size_t n, unsigned flags);

/** Delete the pair or item at `path` (crmf_edit_delete_key / _item). */
int crmf_edit_delete(crmf_edit *e, const char *path);

/** Delete the pair of `key` from the mapping `map`, with its lines (-1 when absent). */
int crmf_edit_delete_key(crmf_edit *e, const crmf_node *map, const char *key);

/** Delete item `index` of the sequence `seq`, with its lines. */
int crmf_edit_delete_item(crmf_edit *e, const crmf_node *seq, size_t index);

/**
 * Add a raw splice: replace `removed` bytes at `offset` of the source by `len`
 * bytes of `text`. -1 when it overlaps a splice already in the edit (two
 * insertions at one offset are fine: they keep their order) or lies outside
 * the source. Nothing is checked on read-back for raw splices but the parse.
 */
int crmf_edit_splice(crmf_edit *e, size_t offset, size_t removed, const char *text, size_t len);

/** Number of splices in the edit (0: nothing to change). */
size_t crmf_edit_count(const crmf_edit *e);

/**
 * The splices in source order, in a malloc'ed array the caller frees (their
 * text belongs to the edit and lives until it changes). NULL when there is none.
 */
crmf_splice *crmf_edit_splices(const crmf_edit *e, size_t *n);

/** The edited bytes, malloc'ed and NUL-terminated (not counted in *len). */
int crmf_edit_apply(char **out, size_t *len, const crmf_edit *e);

/**
 * Apply the edit and parse the result under the document's path, with its
 * problems added to `diags` (may be NULL); then check that every value
 * written reads back as intended at its place (the same path of keys), that
 * emptied collections read as {} or [], that deleted keys are gone and that
 * edited sequences have the expected number of items. On success *out is the
 * new document (its src holds the bytes to write); on failure *out is NULL
 * and crmf_error_last() says what went wrong. The schema is the caller's
 * business.
 */
int crmf_edit_finish(crmf_doc **out, const crmf_edit *e, crmf_diags *diags);

/**
 * True when `s` can be written as a plain scalar in block context and every
 * YAML 1.1 parser (PyYAML) reads it back as this same string: not empty; no
 * leading or trailing space; no line break, control or invisible character;
 * not starting with an indicator (- ? : , [ ] { } # & * ! | > ' " % @ `);
 * without ": ", " #" or a final ':'; not a YAML 1.1 or 1.2 boolean or null
 * in any case (y n yes no on off true false null ~), number (13800138000,
 * 007, 0x1F, 1_000, 1.5, 1e3, .inf, sexagesimal 1:20), date or timestamp
 * (2024-01-01, 2024-1-1 10:00), `<<` or `=`. Chinese text is plain-safe.
 */
bool crmf_edit_plain_safe(const char *s);

/**
 * `s` as a YAML double-quoted scalar with its quotes, malloc'ed: `\"`, `\\`,
 * `\n`, `\t`, `\r`, `\0`, other control and invisible characters escaped,
 * other UTF-8 kept as is. NULL when `s` is not valid UTF-8.
 */
char *crmf_edit_quote(const char *s);

/** `s` as one scalar on one line: plain when crmf_edit_plain_safe, else
 * crmf_edit_quote. Malloc'ed; NULL when `s` is not valid UTF-8. */
char *crmf_edit_scalar(const char *s);

#endif
