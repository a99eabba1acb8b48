/* SPDX-License-Identifier: MIT */
/* Rows of the listings: the values of a customer's fields, and follow-ups as rows of their own. */
#ifndef CRMF_ROWS_H
#define CRMF_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/check.h"
#include "crmf/classify.h"
#include "crmf/expr.h"
#include "crmf/scan.h"

/*
 * `crmf list` has one row per customer; `crmf followups` one row per
 * follow-up, with its customer's fields beside its own, so that counting
 * by `by` counts what each person logged, not the customers they touched
 * (a customer with four follow-ups of li.na in a week is one customer but
 * four follow-ups). Both read values through the functions below, as
 * `--where` does (crmf_expr_lookup), and so can any later reader (a report).
 */

/* ---- a customer's fields ---- */

/** The computed fields of a customer (doc/format.md, "Computed, never
 * stored"), in the order `crmf list --format json` prints them. */
enum {
	CRMF_COMPUTED_LAST_CONTACT,
	CRMF_COMPUTED_ACTIVITY,
	CRMF_COMPUTED_VALUE,
	CRMF_COMPUTED_VALUE_SUM,
	CRMF_COMPUTED_QUADRANT,
	CRMF_COMPUTED_NEXT_DUE,
	CRMF_COMPUTED_OVERDUE_DAYS,
	CRMF_COMPUTED_KIND,
	CRMF_COMPUTED_REASON,
	CRMF_COMPUTED_PATH,
	CRMF_COMPUTED_ARCHIVED,
	CRMF_N_COMPUTED
};

/** Their names: "last_contact", …, "archived". */
extern const char *const crmf_computed_names[CRMF_N_COMPUTED];

/** The computed field named by `len` bytes of `name`, or -1. */
int crmf_computed_find(const char *name, size_t len);

/** Emit the values at the dotted `path` (`len` bytes) below node `n` of
 * `doc`: a scalar's text (nothing for null), a record's source text; lists
 * are crossed item by item, so a path through one yields many. True when
 * `emit` had enough. */
bool crmf_node_walk(const crmf_doc *doc, const crmf_node *n, const char *path, size_t len,
		    crmf_expr_emit emit, void *ectx);

/**
 * Calls emit(ectx, s, len) for each value of the field path `name` (`len`
 * bytes) of customer `c` classified as `k`, as crmf_expr_lookup wants them:
 * a computed field's value (none when it has none: a lost customer's
 * next_due), else the stored values found by walking the document (every
 * element of a list: `contacts.email`; a record's source text for `contacts`
 * alone), else, for a customer of a summary scan (no document), what its
 * summary keeps (crmf_summary_values). Stops when emit returns true.
 */
void crmf_customer_values(const crmf_customer *c, const crmf_class *k, const char *name,
			  size_t len, crmf_expr_emit emit, void *ectx);

/** crmf_customer_values as tables show them (list's columns, --sort,
 * --count-by): the fields of contacts (`contacts`, `contacts.phone`) of
 * contacts who left (`left:` set) are left out, as the card of `show`
 * leaves them out; --where and the file keep them. */
void crmf_customer_shown_values(const crmf_customer *c, const crmf_class *k, const char *name,
				size_t len, crmf_expr_emit emit, void *ectx);

/** The customer of `repo` whose `merged:` names `id` (crmf merge: the one
 * that customer was merged into), in any case; NULL when none. */
const crmf_customer *crmf_repo_merged_into(const crmf_repo *repo, const char *id);

/* ---- follow-ups as rows ---- */

/** The fields of one follow-up: those it stores, and the week and month of
 * its date. */
typedef enum crmf_fu_field {
	CRMF_FU_DATE,	  /* "2025-06-16" or "2025-06-16 10:30", as written */
	CRMF_FU_BY,
	CRMF_FU_METHOD,
	CRMF_FU_WITH,
	CRMF_FU_SUMMARY,
	CRMF_FU_FEEDBACK,
	CRMF_FU_NEXT,
	CRMF_FU_DUE,
	CRMF_FU_WEEK,	  /* the ISO 8601 week of its date: "2025-W25" */
	CRMF_FU_MONTH,	  /* "2025-06" */
	CRMF_N_FU_FIELDS
} crmf_fu_field;

/** Their names: "date", "by", …, "week", "month". */
extern const char *const crmf_fu_field_names[CRMF_N_FU_FIELDS];

/** The follow-up field that `len` bytes of `name` names, as a follow-up row
 * reads it: a bare name ("by", "week") or a path of the customer file
 * ("followups.by", which in a follow-up row means this follow-up's); -1 for
 * any other name (a customer field). */
int crmf_fu_field_find(const char *name, size_t len);

/** One follow-up with its customer. */
typedef struct crmf_fu_row {
	const crmf_customer *c;
	const crmf_class *k;	 /* the customer's classification */
	const crmf_followup *f;	 /* one of c->followups */
	size_t index;		 /* its position in c->followups */
} crmf_fu_row;

/** The value of field `field` of the follow-up `f` (nothing when it has none),
 * as its file holds it: the text of a stored field (also one that is not
 * valid: a method 'call' is 'call'), the week and month of a valid date. */
void crmf_fu_values(const crmf_followup *f, crmf_fu_field field, crmf_expr_emit emit, void *ectx);

/** The values of the field `name` of a follow-up row: the follow-up's own
 * fields (crmf_fu_field_find), else its customer's (crmf_customer_values). */
void crmf_fu_row_values(const crmf_fu_row *r, const char *name, size_t len, crmf_expr_emit emit,
			void *ectx);

/** A crmf_expr_lookup over a crmf_fu_row (ctx), for crmf_expr_eval. */
void crmf_fu_lookup(void *ctx, const char *name, size_t len, crmf_expr_emit emit, void *ectx);

/** Calls fn(ctx, row) for each follow-up of `c` (classified as `k`) for
 * which `where` is true (NULL: every one), in file order; returns how many.
 * The row passed lives during the call only. */
size_t crmf_fu_each(const crmf_customer *c, const crmf_class *k, const crmf_expr *where,
		    void (*fn)(void *ctx, const crmf_fu_row *r), void *ctx);

#endif
