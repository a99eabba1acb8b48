/* SPDX-License-Identifier: MIT */
/* Three-way merge of customer files on their structure, keeping our side's bytes. */
#ifndef CRMF_MERGE_H
#define CRMF_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/date.h"
#include "crmf/diag.h"
#include "crmf/schema.h"

/*
 * The merge works on the parsed record, not on lines, and writes its result
 * by splicing OURS's bytes: whatever neither side changed (comments, quoting,
 * blank lines, key order, CRLF) stays as OURS has it.
 *
 * - A key (or nested key, or list entry) changed on one side only takes that
 *   side's version; its lines are copied from THEIRS, re-indented to OURS's
 *   indentation, with OURS's line ends. When OURS did not touch an entry at
 *   all and THEIRS only changed a comment in it, THEIRS's lines are taken.
 * - List entries are paired by what they are, never by where they stand: an
 *   entry unchanged on a side is found wherever that side moved it; an edited
 *   one by its identity (follow-ups on date, by and method; contacts on name;
 *   deals on signed; anything else has only its whole value). So a side that
 *   only reorders a list deletes nothing, and the result keeps OURS's order.
 *   The rule: an entry that either side has and the other did not delete is
 *   in the result; an entry is gone only when one side deleted it and the
 *   other left it unchanged; anything else is a conflict keeping both
 *   versions. When an edited entry shares its identity with another (two
 *   calls by one person on one day) and cannot be told apart, the whole list
 *   is a conflict rather than a guess. A list one side deleted whole keeps
 *   what the other side added to it. Entries added on both sides are all
 *   kept (an entry added identically on both sides once); follow-ups THEIRS
 *   added go among OURS's in date order, other entries at the end of the
 *   list. Flow lists (`[a, b]`) are merged the same way and written back as
 *   one flow list. tests/unit/test_merge_noloss.c checks the rule on
 *   thousands of generated base/ours/theirs triples.
 * - The same key or entry changed differently on both sides (or changed on
 *   one and deleted on the other) is a conflict: git-style markers at the
 *   start of lines around just that key's or entry's lines, OURS's version
 *   first, THEIRS's (re-indented) second, so that deleting one side and the
 *   marker lines leaves a valid file.
 * - When BASE, OURS or THEIRS cannot be parsed (leftover conflict markers,
 *   a syntax error), or the record is not a block mapping, the result is a
 *   whole-file conflict: OURS's bytes and THEIRS's bytes between markers.
 * - A clean result is validated with crmf_check_customer: when it has errors
 *   while OURS or THEIRS had none, the merge is a conflict (the bytes are
 *   the merged ones, without markers, and the errors are in `diags`).
 */

/** One conflict in a merge result. */
typedef struct crmf_merge_conflict {
	char *field;  /* "stage", "need.budget", "contacts[1].phone", "followups[3]"; NULL for
			 the whole file or an invalid result */
	char *ours;   /* our value as one line of text (a list or mapping abbreviated), NULL
			 when absent (deleted) on our side */
	char *theirs; /* the same for their side */
	int line;     /* 1-based line of the `<<<<<<<` marker in the result, 0 when none */
} crmf_merge_conflict;

/** How to merge; every field may be left 0 / NULL. */
typedef struct crmf_merge_opts {
	const char *ours_label;	  /* after `<<<<<<< `: default "ours" */
	const char *theirs_label; /* after `>>>>>>> `: default "theirs" */
	int marker_size;	  /* length of the markers: default 7 */
	const crmf_config *cfg;	  /* the team's settings for validation; NULL: the defaults */
	const char *relpath;	  /* the file relative to the crmf root, for validation
				     (id = file name, archive/); NULL: no file name check */
	crmf_day today;		  /* for validation; 0: today */
	bool no_validate;	  /* skip validating the result */
} crmf_merge_opts;

/** What a merge produced. Release with crmf_merge_result_release. */
typedef struct crmf_merge_result {
	char *buf; /* the merged bytes, NUL-terminated (not counted in len) */
	size_t len;
	crmf_merge_conflict *conflicts;
	size_t n_conflicts;
	bool whole_file;  /* a side could not be parsed: markers around whole files */
	bool invalid;	  /* the clean merge failed validation (errors in diags) */
	crmf_diags diags; /* why a side could not be parsed, why the result is invalid */
} crmf_merge_result;

/**
 * Merge `ours` and `theirs` (customer files) against their common ancestor
 * `base` (NULL or empty when the file was added on both sides) into *out,
 * which is always filled (release it even on failure). Returns 0 when the
 * merge is clean, 1 on conflict (out->conflicts, out->whole_file or
 * out->invalid say why), -1 on an internal error with crmf_error_last().
 */
int crmf_merge_file(crmf_merge_result *out, const char *base, size_t base_len, const char *ours,
		    size_t ours_len, const char *theirs, size_t theirs_len,
		    const crmf_merge_opts *opts);

/** Free what a merge result holds; NULL is a no-op. */
void crmf_merge_result_release(crmf_merge_result *r);

#endif
