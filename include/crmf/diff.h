/* SPDX-License-Identifier: MIT */
/* What changed between two versions of a customer file, value by value, in one wording. */
#ifndef CRMF_DIFF_H
#define CRMF_DIFF_H

#include <stddef.h>

#include "crmf/doc.h"

/** One line of a change. */
typedef struct crmf_change {
	char *text;  /* "stage: intent → negotiation" (owned) */
	char *field; /* the top-level field it is about ("stage", "followups"), NULL for a line
			about the whole file (owned) */
} crmf_change;

/**
 * What changed from `before` to `after` (either may be NULL: the file did
 * not exist), one line per value, in this order: `after`'s fields as it has
 * them, then the fields only `before` has. The lines look like this:
 *
 *   stage: intent → negotiation          a value changed
 *   + potential: high                    a field added (each value of a mapping
 *   - grade: B                           or list on its own line) or removed
 *   contacts[0].phone: 138 → 139         inside lists and mappings
 *   need.budget: 50万 → 80万
 *   + follow-up 2025-06-16 phone         an entry of followups, deals, contacts
 *   - deal 500000 signed 2025-03-01      added or removed, named
 *   + contact 张伟
 *   + tags: 制造业                       an entry of any other list
 *   comments or layout changed           the bytes differ, no value does
 *   fields not compared: P is not valid YAML before (or after)
 *
 * Values are shown on one line, cut after 60 characters with "…"; an empty
 * value is "(empty)". Scalars are equal when their values are, whatever the
 * quoting; two empty (null) values are equal, an empty one and a text not. List
 * entries are paired when equal, then follow-ups by date and method, deals
 * by signing date, contacts by name, then by position when as many went as
 * came; a pair that differs is compared inside ("followups[1].summary: …").
 *
 * A document whose root is not a mapping is "not valid YAML" (its `path` is
 * named); the last two kinds of line have `field` NULL. `field` (may be NULL)
 * keeps only the lines about that top-level field: then a file created shows
 * the field's first value ("+ stage: lead") and whole-file lines are left out.
 *
 * *out is NULL when *n is 0; free it with crmf_diff_free. Returns 0.
 */
int crmf_diff_docs(crmf_change **out, size_t *n, const crmf_doc *before, const crmf_doc *after,
		   const char *field);

/**
 * crmf_diff_docs on two versions given as bytes (NULL: the file did not
 * exist), parsed under `before_path` and `after_path` (named in "not valid
 * YAML" lines). A file with errors is still compared when its root parses to
 * a mapping (a duplicate key, a bad value), as git's history must show what
 * was committed. Returns 0.
 */
int crmf_diff_bytes(crmf_change **out, size_t *n, const char *before_path, const char *before,
		    size_t before_len, const char *after_path, const char *after, size_t after_len,
		    const char *field);

/** Free what crmf_diff_docs or crmf_diff_bytes returned; NULL is a no-op. */
void crmf_diff_free(crmf_change *v, size_t n);

/** Move the texts of `v` into a malloc'ed array of malloc'ed strings (*lines NULL when `n` is
 * 0) and free the rest of `v`, for the lists of crmf_history and crmf_sync. */
void crmf_diff_texts(char ***lines, crmf_change *v, size_t n);

#endif
