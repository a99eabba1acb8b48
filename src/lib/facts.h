/* SPDX-License-Identifier: MIT */
/* What a report reads of every customer, from the validation cache; private to libcrmf (facts.c). */
#ifndef CRMF_FACTS_H
#define CRMF_FACTS_H

#include <stddef.h>

#include "crmf/check.h"
#include "crmf/date.h"

struct crmf_repo;

/* The customers of a repository as crmf_report reads them. */
typedef struct crmf_facts {
	crmf_customer **v; /* sorted by path */
	size_t n;
	struct crmf_repo *repo; /* holds them */
} crmf_facts;

/*
 * The customers of the repository at `root` (active and archived, sorted by
 * path; files without a mapping root left out), each with only what
 * crmf_report and crmf_classify read: path, archived, id, owner, industry,
 * source, created, stage, potential, grade, every signed deal (amount,
 * signed, expires) and every follow-up (date, minute, by, method, next, due).
 * doc is NULL; there are no contacts, tags or need.
 *
 * They are a summary scan's (crmf_scan_opts.facts): a file is parsed only
 * when the validation cache, which crmf check keeps, does not know it, and
 * the cache is then brought up to date as crmf check would on `today`. 0, or
 * -1 with crmf_error_last(). Free with crmf_facts_free.
 */
int crmf_facts_load(crmf_facts *out, const char *root, crmf_day today);

/** Free what crmf_facts_load gave; a zeroed one is a no-op. */
void crmf_facts_free(crmf_facts *f);

#endif
