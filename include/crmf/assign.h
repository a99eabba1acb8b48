/* SPDX-License-Identifier: MIT */
/* Assignment rules: which team member takes a customer, by crmf.yaml `assign:` and workload. */
#ifndef CRMF_ASSIGN_H
#define CRMF_ASSIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/check.h"
#include "crmf/date.h"
#include "crmf/expr.h"
#include "crmf/scan.h"
#include "crmf/schema.h"

/*
 * The rules (crmf_config.assign, read and checked by crmf_config_load) are
 * tried in order; the first whose conditions all hold for the customer
 * names the group. Within the group, the member with the fewest open
 * customers (neither lost nor archived) gets it, ties going to the one
 * written first; members who left the team before `today` are never chosen,
 * and a rule whose group has nobody left is passed over.
 */

/** Open customers per team member (neither lost nor archived), as counted so far. */
typedef struct crmf_loads {
	const crmf_config *cfg;
	size_t *n; /* one per cfg->team entry */
} crmf_loads;

/** Start counting for the team of `cfg` (which must outlive `l`). */
void crmf_loads_init(crmf_loads *l, const crmf_config *cfg);

/** Count `c` for its owner when it is open (not archived, not lost). */
void crmf_loads_add(crmf_loads *l, const crmf_customer *c);

/** One more open customer for the member `id` (a batch spreads out). */
void crmf_loads_bump(crmf_loads *l, const char *id);

/** The open customers of the member `who` names (0 for no member). */
size_t crmf_loads_of(const crmf_loads *l, const char *who);

/** Free the counts; the struct may be initialised again. */
void crmf_loads_release(crmf_loads *l);

/** What the rules give for one customer. */
typedef struct crmf_assignment {
	const char *owner;	    /* the member's id (the config's), NULL: no rule applies */
	const crmf_assign_rule *rule; /* the rule that gave it, NULL with owner */
	size_t load;		    /* the owner's open customers before this one */
	size_t candidates;	    /* members of the group who could take it */
	char why[256];		    /* "rule 1: region 华东, industry 制造业; 12 open customers,
				       fewest of 2", or why no rule applies */
} crmf_assignment;

/** The value of the top-level field `field` of `c` (industry, source, size,
 * a custom field: from its document or its summary), or NULL. */
const char *crmf_assign_value(const crmf_customer *c, const char *field, char *buf,
			      size_t size);

/** Whether every condition of `r` holds for `c`. */
bool crmf_assign_matches(const crmf_assign_rule *r, const crmf_customer *c);

/**
 * The owner the rules of `cfg` give the customer `c` on `today`, by `loads`,
 * into *out (see above). Returns true when a rule gave one; false (out->owner
 * NULL, out->why saying so) when no rule exists, none matches or the groups
 * of the matching ones have all left. Does not count the customer: call
 * crmf_loads_bump when it is given.
 */
bool crmf_assign_choose(crmf_assignment *out, const crmf_config *cfg, const crmf_loads *loads,
			const crmf_customer *c, crmf_day today);

/** One customer `crmf assign` proposes an owner for. */
typedef struct crmf_proposal {
	char *id, *name, *path;
	char *owner;	      /* the owner now: NULL (none), one who left, or no member */
	char *proposed;	      /* the member's id, NULL when no rule gives one */
	int rule;	      /* the number of the rule that gave it, 0 */
	char why[256];	      /* crmf_assignment.why */
} crmf_proposal;

/**
 * For `crmf assign`: the customers under customers/ matching `where` (may be
 * NULL) that need an owner (none, one who is no team member, or one who left
 * the team before today, unless the customer is lost), in path order, each
 * with the owner the rules propose (crmf_assign_choose); the loads count
 * each proposal, so that a batch spreads out. Into *out (free with
 * crmf_proposals_free) and *n.
 */
int crmf_assign_propose(crmf_proposal **out, size_t *n, const crmf_repo *repo,
			const crmf_expr *where, crmf_day today);

/** Free proposals; NULL is a no-op. */
void crmf_proposals_free(crmf_proposal *v, size_t n);

#endif
