/* SPDX-License-Identifier: MIT */
/* Team settings from crmf.yaml: enums, team, industries, custom fields, rules, labels. */
#ifndef CRMF_SCHEMA_H
#define CRMF_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/date.h"

#include "crmf/diag.h"
#include "crmf/doc.h"

typedef enum {
	CRMF_FT_STRING,
	CRMF_FT_TEXT,
	CRMF_FT_DATE,
	CRMF_FT_NUMBER,
	CRMF_FT_BOOL,
	CRMF_FT_ENUM,
	CRMF_FT_LIST,
} crmf_field_type;

/** A list of strings (owned by the config). */
typedef struct crmf_strlist {
	char **v;
	size_t n;
} crmf_strlist;

/** A custom top-level field declared under `fields:`. */
typedef struct crmf_field_def {
	char *name;
	crmf_field_type type;
	crmf_strlist values; /* enum values */
	bool required;
} crmf_field_def;

/** A team member: `zhang.wei` or `{id: zhang.wei, name: 张伟, email: …, left: DATE}`. */
typedef struct crmf_member {
	char *id;
	char *name;    /* may be NULL */
	char *email;   /* may be NULL */
	crmf_day left; /* their last day in the team, CRMF_NO_DAY while they are in it */
} crmf_member;

/** A display label: labels.<field>.<value> = <label>. */
typedef struct crmf_label {
	char *field, *value, *label;
} crmf_label;

/** Rules, durations in days. */
typedef struct crmf_rules {
	int dormant_after;  /* 90 */
	int archive_after;  /* 180 */
	double high_value;  /* 1000000 */
	int cadence_high, cadence_medium, cadence_low, cadence_core; /* 3 14 30 30 */
	int cadence_unjudged; /* 14: no potential set yet */
	int first_a, first_b, first_c;                               /* 1 2 7 */
} crmf_rules;

/** A team goal: goals.<metric> = {per: PERIOD, target|min|max: VALUE}. */
typedef enum { CRMF_PER_WEEK, CRMF_PER_MONTH, CRMF_PER_QUARTER, CRMF_PER_YEAR } crmf_goal_per;

typedef struct crmf_goal {
	char *metric;	   /* new_customers, followups, customers_touched, deals, deal_amount,
			      churn_rate, plan_adherence, overdue */
	crmf_goal_per per;
	double value;	   /* a rate as a fraction (5% = 0.05) */
	bool is_max;	   /* at most `value` (max:); else at least (target:, min:) */
} crmf_goal;

/** One condition of an assignment rule: the customer's `field` (industry,
 * source, size or a custom string or enum field) is one of `values`
 * (canonical values; an industry "sector" also takes its sub-sectors). */
typedef struct crmf_assign_cond {
	char *field;
	crmf_strlist values;
} crmf_assign_cond;

/** One rule of crmf.yaml `assign:` (see crmf/assign.h). */
typedef struct crmf_assign_rule {
	int number;		/* its position in `assign:`, 1-based, as the user counts */
	int line;		/* of its `-` in crmf.yaml */
	crmf_assign_cond *when; /* all must hold; none: every customer */
	size_t n_when;
	crmf_strlist to; /* the group: member ids, in the order written */
} crmf_assign_rule;

/** A recipient of the confidential fields' keys (crmf.yaml confidential.recipients). */
typedef struct crmf_recipient {
	char *member; /* a team member's id */
	char *pub;    /* the base64 of their X25519 public key */
} crmf_recipient;

typedef struct crmf_config {
	int version;
	char *id_format; /* "C{yyyy}{seq:3}" */
	char *currency;  /* "CNY" */
	bool has_team;
	crmf_member *team;
	size_t n_team;
	bool has_industries;
	crmf_strlist industries;
	crmf_strlist sizes;   /* enums.size */
	crmf_strlist sources; /* enums.source */
	crmf_field_def *fields;
	size_t n_fields;
	crmf_rules rules;
	crmf_label *labels;
	size_t n_labels;
	crmf_goal *goals; /* crmf.yaml goals, in their order */
	size_t n_goals;

	crmf_assign_rule *assign; /* `assign:`, the valid rules in their order */
	size_t n_assign;
	/* `confidential:` (doc/privacy.md); nothing is confidential without it */
	bool has_confidential;
	crmf_strlist confidential; /* field paths: contacts.phone, contacts.email, custom names */
	crmf_recipient *recipients;
	size_t n_recipients;
} crmf_config;

/**
 * Build the configuration from a parsed crmf.yaml (`doc` may be NULL: the
 * defaults of FORMAT.md). Problems go to `diags` with doc->path positions
 * (`diags` may be NULL). A key whose value is null (`team:`) counts as absent,
 * and so does an empty `team` or `industries` list: then any owner or industry
 * is accepted. Strings are copied: the configuration outlives `doc`.
 * Always sets *out to a usable configuration (defaults where invalid);
 * returns 0, or -1 when crmf.yaml had errors. Free with crmf_config_free.
 */
int crmf_config_load(crmf_config **out, const crmf_doc *doc, crmf_diags *diags);

/** Free a configuration; NULL is a no-op. */
void crmf_config_free(crmf_config *cfg);

/** The team member whose id, name or email equals `who`, or NULL. */
const crmf_member *crmf_config_member(const crmf_config *cfg, const char *who);

/** The member `who` names when they had left the team before `day` (left <
 * day), else NULL: history by them stays valid, nothing new goes to them. */
const crmf_member *crmf_config_departed(const crmf_config *cfg, const char *who, crmf_day day);

/** The custom field named `name`, or NULL. */
const crmf_field_def *crmf_config_field(const crmf_config *cfg, const char *name);

/** The display label of `value` of `field`, or `value` itself. */
const char *crmf_config_label(const crmf_config *cfg, const char *field, const char *value);

/** The closed set of values of `field` (a path or its last key: "stage",
 * "followups.method", "size", a custom enum field), in its declared order,
 * into *values and *n; *descending when that order runs from the greatest
 * down (potential: high, medium, low; grade: A, B, C; value: high, low), so
 * that comparisons and sorting rank them. False when any value goes. */
bool crmf_config_values(const crmf_config *cfg, const char *field, const char *const **values,
			size_t *n, bool *descending);

/** The canonical value of `field` that `input` names: the value itself, any
 * label crmf.yaml gives it (意向期 for intent); NULL when `input` names none of the field's values. A field without
 * a closed set returns `input`. The one place input labels become values:
 * --where, `set`, `new` and `log --method` all go through it. */
const char *crmf_config_value(const crmf_config *cfg, const char *field, const char *input);

/** crmf_config_value, or `input` itself when it names no value (so that
 * validation reports it as written). */
const char *crmf_config_input(const crmf_config *cfg, const char *field, const char *input);

/** The value or label of `field` closest to the misspelt `input`, or NULL. */
const char *crmf_config_suggest(const crmf_config *cfg, const char *field, const char *input);

/** Of `candidates`, the one closest to `word` (Damerau-Levenshtein distance on
 * code points: at most 1 below 5 characters, 2 from 5, 3 from 9; a candidate
 * that starts with `word` also counts; ties go to the first), or NULL. */
const char *crmf_suggest(const char *word, const char *const *candidates, size_t n);


/** The name of a field type as written in crmf.yaml: "string", "enum"… */
const char *crmf_field_type_name(crmf_field_type t);

#endif
