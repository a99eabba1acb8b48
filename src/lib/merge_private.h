/* SPDX-License-Identifier: MIT */
/* What merge.c and merge_text.c share: the three sides, entries, splices and conflicts, private to libcrmf. */
#ifndef CRMF_MERGE_PRIVATE_H
#define CRMF_MERGE_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "crmf/doc.h"
#include "crmf/merge.h"
#include "util.h"

/* Most pairs of entries compared for one list (entries of base x entries of a side). */
#define ALIGN_MAX (4u * 1024 * 1024)
/* Longest value quoted in a conflict description, in bytes. */
#define BRIEF_MAX 72

/* One version of the file: parsed, or doc NULL for an absent base. */
typedef struct side {
	const crmf_doc *doc;
	const char *s;
	size_t len;
} side;

/* The lines an entry (a pair of a block mapping, an item of a block sequence) occupies. */
typedef struct entry {
	size_t start, end; /* [start, end): from its line (or its key) to past its last line */
	size_t col;	   /* bytes before its key or '-' on its line */
	bool at_line;	   /* starts a line; false for the first key of an item (`- key: …`) */
} entry;

struct splice {
	size_t off, rem;
	char *text;
	size_t len;
	size_t seq; /* creation order: equal offsets keep it */
	size_t out; /* where its text starts in the result */
};

typedef struct merger {
	side b, o, t;
	const char *eol;
	char *open, *sep, *close; /* the marker lines, without line ends */
	struct splice *sp;
	size_t nsp, capsp, seq;
	crmf_merge_conflict *cf;
	size_t *cf_seq; /* the splice holding each conflict's markers */
	size_t ncf, capcf;
	strbuf path; /* the field being merged: "contacts[1].phone" */
} merger;

enum list_kind { L_GENERIC, L_FOLLOWUPS, L_CONTACTS, L_DEALS };

typedef struct mark {
	size_t nsp, ncf;
} mark;

/* The sides' bytes, lines and entries, their structure compared, and the
 * splices and conflicts of the result (merge_text.c). */
size_t mg_next_line(const side *sd, size_t pos);
entry mg_pair_entry(const side *sd, const crmf_pair *p);
bool mg_item_entry(entry *e, const side *sd, const crmf_node *item);
bool mg_bytes_eq(const side *a, const entry *ea, const side *b, const entry *eb);
bool mg_same(const crmf_node *a, const crmf_node *b);
const char *mg_scalar_of(const crmf_node *map, const char *key);
bool mg_ident_eq(enum list_kind kind, const crmf_node *a, const crmf_node *b);
enum list_kind mg_kind_of(const char *key, size_t depth);
int64_t mg_when_of(const crmf_node *item);
void mg_add_splice(merger *M, size_t off, size_t rem, strbuf *text);
mark mg_checkpoint(const merger *M);
void mg_conflict_free(crmf_merge_conflict *c);
void mg_rollback(merger *M, mark m);
void mg_add_eol(merger *M, strbuf *sb);
void mg_add_line(merger *M, strbuf *sb, const char *s, size_t n);
void mg_add_spaces(strbuf *sb, size_t n);
bool mg_moved_lines(merger *M, strbuf *out, const side *sd, const entry *e, size_t col,
		    bool at_line);
int mg_conflict(merger *M, const entry *oe, size_t pos, size_t col, const crmf_node *o,
		const entry *te, const crmf_node *t);
int mg_replace_entry(merger *M, const entry *oe, const entry *te);
int mg_insert_entry(merger *M, size_t pos, size_t col, const entry *te);
int mg_delete_entry(merger *M, const entry *oe);
bool mg_replace_scalar(merger *M, const crmf_node *o, const crmf_node *t);

#endif
