/* SPDX-License-Identifier: MIT */
/* What the files of an edit share (edit.c, edit_scalar.c, edit_apply.c), private to libcrmf. */
#ifndef CRMF_EDIT_PRIVATE_H
#define CRMF_EDIT_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "crmf/edit.h"
#include "util.h"

struct splice {
	size_t offset, removed;
	size_t text, len; /* the inserted bytes, in crmf_edit.text */
	size_t seq;	  /* creation order: equal offsets keep it */
};

/* What crmf_edit_finish verifies after parsing the result. */
enum check_kind {
	CK_VALUE,  /* a scalar written at (splice, at) reads back as `value` under `key` */
	CK_EMPTY,  /* an empty flow collection `empty` written at (splice, at) */
	CK_ABSENT, /* `key` is no longer in mapping `container` */
	CK_COUNT,  /* item `index` of `container` deleted, or one appended (SIZE_MAX) */
};

#define NO_SPLICE SIZE_MAX

struct check {
	enum check_kind kind;
	size_t splice; /* NO_SPLICE: `at` is an offset in the original source */
	size_t at;
	char *key;   /* owned */
	char *value; /* owned */
	size_t vlen;
	char *path;  /* keys from the root to the node, "[]" for a list level; owned */
	bool marker; /* only marks a key added by this edit */
	char empty;  /* '{' or '[' */
	const crmf_node *container;
	size_t index;
};

struct crmf_edit {
	const crmf_doc *doc;
	const char *s;
	size_t len;
	const char *eol;
	struct splice *sp;
	size_t nsp, capsp, seq;
	strbuf text;
	struct check *ck;
	size_t nck, capck;
	bool sniffed;
	int map_step;  /* a nested mapping's keys, right of its parent key */
	int seq_step;  /* a sequence's '-', right of its key (0: not indented) */
	int item_step; /* an entry's keys, right of its '-' */
};

/* Ancestors of a node, root first: node[k] holds the next one at index[k]. */
struct chain {
	const crmf_node *node[CRMF_DOC_MAX_DEPTH + 1];
	size_t index[CRMF_DOC_MAX_DEPTH + 1];
	int n;
};

enum rstyle { R_PLAIN, R_SINGLE, R_DOUBLE, R_LITERAL };

/* Writing scalars (edit_scalar.c). */

/* The characters that have a meaning at the start of a plain scalar. */
extern const char ed_indicators[];

int ed_value_ok(const char *v);
bool ed_plain_ok(const char *s, bool flow, bool typed);
int ed_quote_into(strbuf *sb, const char *v);
int ed_choose_style(enum rstyle *out, const char *v, unsigned flags, crmf_node_style old,
		    bool flow);

/* Operations and the source (edit.c), used by paths, applying and reading back (edit_apply.c). */
bool ed_deleted(const crmf_edit *e, const crmf_node *container, size_t i);
const crmf_pair *ed_pair_of(const crmf_node *map, const char *key, size_t klen, size_t *index);
char *ed_path_of(const struct chain *ch, const char *tail1, const char *tail2);
size_t ed_entry_start(const crmf_node *c, size_t i);

#endif
