/* SPDX-License-Identifier: MIT */
/* Compact keys of customers for the checks across files, private to libcrmf (check.c; used by scan.c). */
#ifndef CRMF_CROSS_H
#define CRMF_CROSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crmf/diag.h"

/*
 * The cross-file checks see the customers one by one, in path order, and
 * report a duplicate at once, while the later customer's values are at
 * hand: so they keep of each customer only its id and path (to name it as
 * the first holder of a key) and 96-bit hashes of its keys (normalised
 * company name, phones, emails). Equal hashes are taken for equal keys: the
 * odds of a false match among a million keys are about one in 10^17. The
 * normalised name and phone are costly to compute (Unicode folding), so
 * callers compute their keys in parallel beforehand.
 */

/** The hash of a key; all zero for "no key". */
typedef struct crmf_cross_key {
	uint64_t h;
	uint32_t tag;
} crmf_cross_key;

/** Receives one finding about customer `who`, in the order of the customers. */
typedef void (*crmf_cross_report)(void *ctx, size_t who, const char *path, crmf_severity sev,
				  int line, int col, const char *rule, const char *message);

typedef struct crmf_cross crmf_cross;

crmf_cross *crmf_cross_new(crmf_cross_report report, void *ctx);
void crmf_cross_free(crmf_cross *x);

/** Size the tables for n customers at once, before the first. */
void crmf_cross_reserve(crmf_cross *x, size_t n);


/**
 * The key of a company name as the probable-duplicate check compares names:
 * normalised as crmf dedupe does (company.c: width, case, punctuation, a
 * bracketed or leading city or province, legal forms), and in *place the
 * place it names (0: none; see crmf_cross_begin).
 */
crmf_cross_key crmf_cross_company_key(const char *name, uint32_t *place);

/** Whether two places of crmf_cross_company_key differ, so that names of
 * the same key are two companies (杭州云启 / 苏州云启): both named, both
 * cities or both provinces, not the same. */
bool crmf_cross_places_differ(uint32_t a, uint32_t b);

/** The key of the digits that identify a phone number. */
crmf_cross_key crmf_cross_phone_key(const char *phone);

/** The key of an email address (ASCII letters folded to lower case). */
crmf_cross_key crmf_cross_email_key(const char *email);

/** The key of an id (compared whole, byte for byte). */
crmf_cross_key crmf_cross_id_key(const char *id);

/**
 * The message of a finding of `rule` (duplicate-id, probable-duplicate,
 * shared-phone, shared-email) about `value` of the later customer, naming
 * the first customer that had it (`first_id` NULL when it has none; a
 * duplicate id names the path alone). Malloc'ed.
 */
char *crmf_cross_message(crmf_rule rule, const char *value, const char *first_id,
			 const char *first_path);

/**
 * The next customer: its duplicate id (an error) and probable duplicate by
 * name (a warning) are reported now. `who` is the caller's number for it;
 * `path` (NULL allowed) must outlive `x`; `id` is copied; NULL for what is
 * missing or invalid. Positions are those of the values (0 when absent).
 * `name_place` is crmf_cross_company_key's place: two names that name
 * different cities (or provinces) are not taken for one company, as crmf
 * dedupe scores them below its minimum.
 */
void crmf_cross_begin(crmf_cross *x, size_t who, const char *path, const char *id, int id_line,
		      int id_col, const char *name, crmf_cross_key name_key, uint32_t name_place,
		      int name_line, int name_col);

/**
 * Ask the memory for the table slots that crmf_cross_begin (with this id and
 * name key) and crmf_cross_phone (with these keys) will probe, a customer or
 * two ahead: with 100,000 customers nearly every probe misses the cache.
 */
void crmf_cross_prefetch(crmf_cross *x, const char *id, crmf_cross_key name_key);
void crmf_cross_prefetch_phone(crmf_cross *x, crmf_cross_key key);

/** A valid phone of the current customer, with its crmf_cross_phone_key. */
void crmf_cross_phone(crmf_cross *x, const char *phone, crmf_cross_key key, int line, int col);

/** A valid email of the current customer. */
void crmf_cross_email(crmf_cross *x, const char *email, int line, int col);

#endif
