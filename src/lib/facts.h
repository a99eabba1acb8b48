/* SPDX-License-Identifier: MIT */
/* What a report reads of every customer, through a cache of its own; private to libcrmf (facts.c). */
#ifndef CRMF_FACTS_H
#define CRMF_FACTS_H

#include <stddef.h>

#include "crmf/check.h"
#include "crmf/schema.h"
#include "changes_private.h"

/*
 * The customers of the repository at `root` (active and archived, sorted by
 * path; files without a mapping root left out), each with only what
 * crmf_report and crmf_classify read: path, archived, id, owner, industry,
 * source, created, stage, potential, grade, every deal (amount, signed,
 * expires) and every follow-up (date, minute, by, method, next, due). doc is
 * NULL; there are no contacts, tags or need.
 *
 * A file is parsed only when the facts cache (<git dir>/crmf/facts, beside
 * the validation cache, bound to the crmf version, the field table and
 * crmf.yaml's bytes) does not know it with the same stat data; the cache is
 * rewritten when anything differed. Every customer, parsed or not, is decoded
 * from its record, so both ways give the same facts; the array and every
 * customer are one mapping. 0, or -1 with crmf_error_last(). Free with
 * crmf_facts_free (never crmf_customer_free).
 *
 * `seen` (NULL: not wanted): for each file parsed this time (not those the
 * cache knew), its blob id and fields as history reads them, for
 * crmf_changes_finish; free with crmf_seen_free.
 */
int crmf_facts_load(crmf_customer ***out, size_t *n, const char *root, const crmf_config *cfg,
		    crmf_seen **seen, size_t *n_seen);

/** Free the `seen` crmf_facts_load gave. */
void crmf_seen_free(crmf_seen *v, size_t n);

/** Free what crmf_facts_load gave. */
void crmf_facts_free(crmf_customer **v, size_t n);

#endif
