/* SPDX-License-Identifier: MIT */
/* Probable duplicate customers across a repository: pairs with a score and their evidence, and groups. */
#ifndef CRMF_DEDUPE_H
#define CRMF_DEDUPE_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/check.h"

/*
 * Two customers are compared only when they share a blocking key: the core
 * of their company name (normalised: width, case, punctuation, a bracketed
 * or leading city or province, legal forms and trade words dropped), a
 * phone (as check keys phones: country code, separators and extension
 * dropped), an email, or an email domain that is not a public mail service
 * (qq.com, 163.com, gmail.com …). A key that more than CRMF_DEDUPE_BLOCK
 * customers share says nothing and is skipped. So the work grows with the
 * number of customers, never with the number of pairs.
 *
 * A pair's evidence each carry a weight; the score is 1 − Π(1 − weight):
 *   name   the same normalised name 0.8; the same core where one name has
 *          no trade word (云启 / 云启科技) 0.7; the same core, other trade
 *          words (云启科技 / 云启贸易) 0.35; halved when the names name
 *          different cities (or different provinces)
 *   phone  a phone of both 0.7          email   an email of both 0.7
 *   domain an email domain of both, not a public one 0.5
 *   contact a contact of the same name in both 0.2 (common names are
 *          common: it confirms, it never makes a pair alone or with a
 *          name that differs in trade words)
 *   owner  the customers have different owners (weight 0: said, not scored)
 * Pairs scoring at least the minimum are grouped (connected components).
 */

#define CRMF_DEDUPE_MIN_SCORE 0.5
#define CRMF_DEDUPE_BLOCK 64

typedef enum {
	CRMF_DEDUPE_ALL = 0,	/* active and archived customers */
	CRMF_DEDUPE_ACTIVE,	/* customers/ only */
	CRMF_DEDUPE_ARCHIVED,	/* archive/ only */
} crmf_dedupe_scope;

typedef struct crmf_dedupe_opts {
	double min_score;	 /* pairs below are left out; < 0 for the default */
	crmf_dedupe_scope scope;
	crmf_day today;		 /* for the scan's date checks; CRMF_NO_DAY: today */
	int threads;		 /* 0: one per core */
} crmf_dedupe_opts;

typedef enum {
	CRMF_EVIDENCE_NAME,
	CRMF_EVIDENCE_PHONE,
	CRMF_EVIDENCE_EMAIL,
	CRMF_EVIDENCE_DOMAIN,
	CRMF_EVIDENCE_CONTACT,
	CRMF_EVIDENCE_OWNER,
} crmf_evidence_kind;

/** One reason to think two customers are one: the values of each side as
 * written in the files (for a domain, the domain), and what they were
 * compared as (the normalised name, the phone's digits). */
typedef struct crmf_evidence {
	crmf_evidence_kind kind;
	double weight;
	char *a, *b; /* owned by the result */
	char *key;   /* owned; NULL when a and b are compared as they are */
	char *note;  /* owned; NULL or a remark ("cities differ: 杭州 / 苏州") */
} crmf_evidence;

/** A customer the dedupe looked at. */
typedef struct crmf_dedupe_customer {
	char *id, *name, *owner, *path; /* owned; id and name NULL when missing */
	bool archived;
} crmf_dedupe_customer;

typedef struct crmf_dedupe_pair {
	size_t a, b;   /* indices into customers, a < b (path order) */
	double score;  /* 0 … 1, rounded to 2 decimals */
	size_t group;  /* index into groups */
	crmf_evidence *evidence;
	size_t n_evidence;
} crmf_dedupe_pair;

typedef struct crmf_dedupe_group {
	size_t *members; /* indices into customers, in path order */
	size_t n;
	double score;    /* the best pair's */
} crmf_dedupe_group;

typedef struct crmf_dedupe {
	crmf_dedupe_customer *customers; /* every customer looked at, in path order */
	size_t n_customers;
	crmf_dedupe_pair *pairs; /* by group, then score (highest first), then paths */
	size_t n_pairs;
	crmf_dedupe_group *groups; /* by score (highest first), then first path */
	size_t n_groups;
	size_t compared; /* pairs scored (sharing a blocking key) */
} crmf_dedupe;

/**
 * Find the probable duplicates among the customers of the repository at
 * `root` (read in parallel; files with errors take part with the values
 * they have). 0, or -1 with crmf_error_last(). Free with crmf_dedupe_free.
 */
int crmf_dedupe_repo(crmf_dedupe **out, const char *root, const crmf_dedupe_opts *opts);

/** The same over customers already loaded (their scope is not filtered). */
int crmf_dedupe_customers(crmf_dedupe **out, crmf_customer *const *customers, size_t n,
			  const crmf_dedupe_opts *opts);

/** Free a result; NULL is a no-op. */
void crmf_dedupe_free(crmf_dedupe *d);

/** "name", "phone", "email", "domain", "contact", "owner". */
const char *crmf_evidence_kind_name(crmf_evidence_kind k);

/** The normalised company name of `name` as dedupe and check compare it
 * (see above: places and legal forms dropped, trade words kept), malloc'ed;
 * *core (NULL allowed) is the length of its part before the trade words. */
char *crmf_dedupe_name_key(const char *name, size_t *core);

#endif
