/* SPDX-License-Identifier: MIT */
/* Customer records: typed view of a customer file, per-file and cross-file checks. */
#ifndef CRMF_CHECK_H
#define CRMF_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/date.h"
#include "crmf/diag.h"
#include "crmf/doc.h"
#include "crmf/fields.h"
#include "crmf/schema.h"

typedef enum {
	CRMF_STAGE_NONE = 0, /* missing or invalid */
	CRMF_STAGE_LEAD,
	CRMF_STAGE_INTENT,
	CRMF_STAGE_NEGOTIATION,
	CRMF_STAGE_CUSTOMER,
	CRMF_STAGE_AT_RISK,
	CRMF_STAGE_LOST,
} crmf_stage;

typedef enum {
	CRMF_POTENTIAL_NONE = 0, /* not yet judged */
	CRMF_POTENTIAL_HIGH,
	CRMF_POTENTIAL_MEDIUM,
	CRMF_POTENTIAL_LOW,
} crmf_potential;

/* Every `const char *` below points into the customer's document (or is NULL
 * when absent); every `const crmf_node *` too. */

typedef struct crmf_contact {
	const crmf_node *node;
	const char *name, *title, *phone, *email;
	bool primary;   /* never for a contact who left */
	crmf_day left;  /* the day the contact left the company, CRMF_NO_DAY when current */
} crmf_contact;

/* The numbers crmf takes (invalid-number otherwise): a deal's amount from 0 to
 * 10^12 with at most 2 decimals (cents: sums stay exact in a double), a
 * custom number field from -10^15 to 10^15; never infinite or NaN. */
#define CRMF_AMOUNT_MAX 1e12
#define CRMF_AMOUNT_DECIMALS 2
#define CRMF_NUMBER_MAX 1e15

typedef struct crmf_deal {
	const crmf_node *node;
	double amount;      /* 0 when missing or invalid */
	crmf_day signed_on; /* CRMF_NO_DAY when missing */
	crmf_day expires;   /* CRMF_NO_DAY when absent */
} crmf_deal;

typedef struct crmf_followup {
	const crmf_node *node;
	crmf_day date;  /* CRMF_NO_DAY when missing or invalid */
	int minute;     /* minutes after midnight, -1 when no time given */
	const char *by, *method, *with, *summary, *feedback, *next;
	crmf_day due;   /* CRMF_NO_DAY when absent */
} crmf_followup;

typedef struct crmf_customer {
	char *path;    /* repository-relative path (owned) */
	bool archived; /* under archive/ */
	crmf_doc *doc; /* owned */
	size_t errors; /* errors found in this file */
	const char *id, *name, *industry, *size, *source, *owner;
	crmf_day created;
	crmf_stage stage;
	crmf_potential potential;
	char grade; /* 'A', 'B', 'C' or 0 */
	const char **tags;
	size_t n_tags;
	crmf_contact *contacts;
	size_t n_contacts;
	const char *need_type, *need_description, *need_budget, *need_timeline;
	crmf_deal *deals;
	size_t n_deals;
	crmf_followup *followups; /* in file order */
	size_t n_followups;
} crmf_customer;

/**
 * Validate `doc` (ownership passes to the customer, also on failure) against
 * the built-in schema and `cfg`, as the file `relpath` of the repository.
 * `today` is used for the "date in the future" warnings. Every problem goes to
 * `diags`. Sets *out to the typed record (fields that were invalid are left
 * NULL / NONE), or NULL when the document had no mapping root. Returns 0 when
 * the file has no error, -1 otherwise. Free with crmf_customer_free.
 */
int crmf_check_customer(crmf_customer **out, crmf_doc *doc, const char *relpath,
			const crmf_config *cfg, crmf_day today, crmf_diags *diags);

/** Cross-file checks over `n` customers: unique ids, and probable duplicates
 * (same company name once normalised as crmf dedupe does, unless the names
 * name different cities; same phone; same email) as warnings. Linear. */
void crmf_check_cross(crmf_customer *const *customers, size_t n, crmf_diags *diags);

/** Free a customer and its document; NULL is a no-op. */
void crmf_customer_free(crmf_customer *c);

/** Canonical names: "lead", "intent"…; "high"…; NULL for NONE. */
const char *crmf_stage_name(crmf_stage s);
const char *crmf_potential_name(crmf_potential p);

/** The stage or potential named `s` (canonical name), or NONE. */
crmf_stage crmf_stage_parse(const char *s);
crmf_potential crmf_potential_parse(const char *s);

/** True when `s` is a phone number crmf accepts: digits with an optional
 * leading '+', spaces, dashes, dots and parentheses, 7 to 20 digits, and an
 * optional extension ("ext", "x", "#" or "转" and digits). */
bool crmf_phone_valid(const char *s);

/** True when `a` and `b` are one phone number written two ways ("+86 138
 * 0574 2236" and 13805742236): the same digits as the duplicate check keys
 * them (country code 86 and a trunk 0 dropped). */
bool crmf_phone_same(const char *a, const char *b);


/** Normalise a company name for duplicate detection (legal suffixes dropped,
 * full-width folded to ASCII, case folded, spaces and punctuation removed).
 * Returns a malloc'ed string. Only one trailing legal form is dropped, the
 * longest: 股份有限公司, 有限责任公司, 有限公司, 公司, and (when they begin a
 * word) Co., Ltd., Company Limited, Limited, Ltd, Inc, Corp, Corporation, LLC,
 * GmbH. 集团 stays: 某某集团有限公司 becomes 某某集团, not 某某. A name that
 * is nothing but a legal form is kept whole. */
char *crmf_normalize_company(const char *name);

#endif
