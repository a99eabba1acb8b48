/* SPDX-License-Identifier: MIT */
/* The customer schema: one table of every stored field of a customer file. */
#ifndef CRMF_FIELDS_H
#define CRMF_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every field a customer file stores (doc/format.md), top-level ones and those of
 * its records (contacts, need, deals, followups), is one row of the table of
 * src/lib/fields.c, in the order doc/format.md lists them: a record's fields
 * follow the record. The row is the single source of truth for
 *
 *   - the field's path ("stage", "followups.method") and type;
 *   - its closed set of values, in their canonical order (which is also the
 *     sort and count order of `list`);
 *   - whether a file must have it (required), whether classification depends
 *     on it (an error in it makes the classification unsure), whether its
 *     values are kept in the cached summary that `list --where` reads;
 *   - its display name in Chinese and English (the names the template and
 *     the docs use; no command prints them yet: tables print the labels of
 *     values that crmf.yaml `labels` gives) and the other names people give
 *     it (input aliases, answered with "did you mean" by check).
 *
 * Who reads it: `check` (the closed sets, aliases in "did you mean", plain
 * fields), `list` (--where, --sort, --count-by, columns, value order), `log`
 * (methods), `set` (which values are written unquoted), crmf.yaml's checks
 * (built-in names a custom field may not take, `labels`), the scan (which
 * errors make a classification unsure) and the cache (crmf_fields_hash is in
 * its key). `show` and the JSON output print a file's fields as they come.
 * Custom fields of crmf.yaml are not in it.
 *
 * Adding a plain field (text, date, number, bool, enum, list), at the top
 * level or in a record: its row in src/lib/fields.c, a line of
 * templates/customer.yaml and of doc/format.md. check reads every record's
 * fields from this table and types such a row like a custom field of that
 * kind (src/lib/check_field.c); a field needing rules of its own (a team
 * member, a record, cross-field checks) also gets code in check.c.
 */

typedef enum {
	CRMF_FIELD_TEXT,     /* a string */
	CRMF_FIELD_DATE,     /* YYYY-MM-DD */
	CRMF_FIELD_DATETIME, /* YYYY-MM-DD or 'YYYY-MM-DD HH:MM' */
	CRMF_FIELD_NUMBER,   /* a number */
	CRMF_FIELD_BOOL,     /* true or false */
	CRMF_FIELD_ENUM,     /* one of `values` */
	CRMF_FIELD_CONFIG,   /* one of a list of crmf.yaml (enums.size, enums.source) */
	CRMF_FIELD_MEMBER,   /* a team member's id (crmf.yaml team) */
	CRMF_FIELD_LIST,     /* a list of strings */
	CRMF_FIELD_RECORD,   /* a mapping of the fields whose path starts with its own */
	CRMF_FIELD_RECORDS,  /* a list of such mappings */
} crmf_field_kind;

enum {
	CRMF_FIELD_REQUIRED = 1u << 0, /* a file (or record) lacking it is an error */
	CRMF_FIELD_CLASSIFY = 1u << 1, /* stage, potential, grade… decide the classification */
	CRMF_FIELD_SUMMARY = 1u << 2,  /* kept in the cached summary (record or --where values) */
	CRMF_FIELD_MULTI = 1u << 3,    /* may hold several values (a list, or in a list of records) */
};

typedef struct crmf_field {
	const char *path;	   /* "stage", "followups.method" */
	crmf_field_kind kind;
	const char *const *values; /* CRMF_FIELD_ENUM: the values, canonical order; else NULL */
	size_t n_values;
	unsigned flags;		   /* CRMF_FIELD_* */
	const char *label_zh, *label_en; /* display names: "需求阶段", "Stage" */
	const char *const *aliases;	 /* other names for it (last part only), NULL-terminated */
} crmf_field;

/* The closed sets, in their canonical order (the enums of check.h count from
 * 1 in this order: CRMF_STAGE_LEAD is crmf_stage_values[0]). */
#define CRMF_N_STAGES 6
#define CRMF_N_POTENTIALS 3
#define CRMF_N_GRADES 3
#define CRMF_N_METHODS 6
extern const char *const crmf_stage_values[CRMF_N_STAGES];
extern const char *const crmf_potential_values[CRMF_N_POTENTIALS];
extern const char *const crmf_grade_values[CRMF_N_GRADES];
extern const char *const crmf_method_values[CRMF_N_METHODS];

/** The table: *n rows, in doc/format.md's order. */
const crmf_field *crmf_fields(size_t *n);

/** The row of `path` (`len` bytes, e.g. "deals.amount"), or NULL. */
const crmf_field *crmf_field_find(const char *path, size_t len);

/** The field that `key`, a key of the record `parent` ("" for the top level,
 * "contacts"…), is another name for (an alias), or NULL. */
const crmf_field *crmf_field_alias(const char *parent, const char *key);

/** The last part of a path: "method" for "followups.method". */
const char *crmf_field_key(const crmf_field *f);

/** True when `s` is an email address crmf accepts, in customer files
 * (contacts.email) and in crmf.yaml (team emails) alike: local@domain.tld
 * with a dot-atom local part (RFC 5322 atext, no leading, trailing or double
 * dot; at most 64 bytes), domain labels of letters, digits, '-' (not first or
 * last) and UTF-8 (internationalised names), at least two labels, the last
 * of two characters or more, 254 bytes in all. */
bool crmf_email_valid(const char *s);

/** A 64-bit hash of what the cache's records depend on: the path, kind and
 * flags of every row and the enum values. Adding or changing a field changes
 * it, and with it the cache's key (crmf_repo_open mixes it in). */
uint64_t crmf_fields_hash(void);

#endif
