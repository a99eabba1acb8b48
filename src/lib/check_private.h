/* SPDX-License-Identifier: MIT */
/* Private to check.c and check_field.c: reading a customer file's fields. */
#ifndef CRMF_CHECK_PRIVATE_H
#define CRMF_CHECK_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "crmf/check.h"
#include "crmf/fields.h"

/*
 * The fields of a record ("" the top level, then contacts, need, deals,
 * followups) are the rows of the field table (crmf/fields.h), read once. The
 * code below checks most of them by hand and names them by their slot (F_ID,
 * C_PHONE…); a row it has no code for, of a plain kind (text, date, number,
 * bool, enum, list), is checked like a custom field of crmf.yaml, so adding
 * such a row to the table is all check needs.
 */
enum {
	F_ID, F_NAME, F_INDUSTRY, F_SIZE, F_SOURCE, F_CREATED, F_OWNER, F_STAGE,
	F_POTENTIAL, F_GRADE, F_TAGS, F_CONTACTS, F_NEED, F_DEALS, F_FOLLOWUPS, F_N
};
enum { C_NAME, C_TITLE, C_PHONE, C_EMAIL, C_PRIMARY, C_LEFT, C_N };
enum { N_TYPE, N_DESCRIPTION, N_BUDGET, N_TIMELINE, N_N };
enum { D_AMOUNT, D_SIGNED, D_EXPIRES, D_N };
enum { U_DATE, U_BY, U_METHOD, U_WITH, U_SUMMARY, U_FEEDBACK, U_NEXT, U_DUE, U_N };
enum { R_TOP, R_CONTACT, R_NEED, R_DEAL, R_FOLLOWUP, R_N };

/* Names people give fields from habit or other tools (the aliases of the
 * table), so that an unknown key can be answered with the field meant
 * ('status' and its typos: 'stage'). */
struct alias {
	const char *from, *to;
};

#define REC_MAX 32
#define ALIAS_MAX 32
struct rec {
	const char *parent;		/* the table's path prefix: "", "contacts"… */
	const char *const *coded;	/* the slots' names */
	size_t n_coded;
	const char *names[REC_MAX];	/* every field of the record, in the table's order */
	signed char slot[REC_MAX];	/* names[i]'s slot, or -1 - its index in plain */
	size_t n;
	crmf_field_def plain[REC_MAX];	/* the fields without code, typed by their kind */
	size_t n_plain;
	struct alias aliases[ALIAS_MAX];
	size_t n_aliases;
};

/** Record r's fields as the table gives them (read once). */
const struct rec *ck_rec(int r);

struct ck {
	crmf_customer *c;
	const crmf_config *cfg;
	crmf_diags *diags;
	const char *path;
	const char *src;
	crmf_day today;
	int root_line, root_col; /* where "missing top-level field" points: the first key */
};

/* A value as quoted in a message: at most 60 characters, on one line. */
struct shown {
	char s[60 * 4 + 4];
};

void ck_vreport(struct ck *k, crmf_severity sev, int line, int col, const char *rule,
		const char *fmt, va_list ap);
__attribute__((format(printf, 5, 6)))
void ck_err_pos(struct ck *k, int line, int col, const char *rule, const char *fmt, ...);
__attribute__((format(printf, 4, 5)))
void ck_err_at(struct ck *k, const crmf_node *n, const char *rule, const char *fmt, ...);
/* A value of the field `field` (crmf.yaml confidential): 1 a well-formed token (take it as
 * the value), -1 a malformed one (reported), 0 plain (a warning when confidential). */
int ck_confidential(struct ck *k, const crmf_node *v, const char *field);
__attribute__((format(printf, 4, 5)))
void ck_warn_at(struct ck *k, const crmf_node *n, const char *rule, const char *fmt, ...);
const char *ck_show(struct shown *b, const char *s, size_t len);
char *ck_join(const char *const *v, size_t n);
const char *ck_kind_name(const crmf_node *n);
void ck_item_pos(const struct ck *k, const crmf_node *n, int *line, int *col);
__attribute__((format(printf, 5, 6)))
const crmf_node *ck_req_scalar(struct ck *k, const crmf_pair *p, int line, int col,
			       const char *fmt, ...);
const crmf_node *ck_mapping(struct ck *k, const crmf_pair *p);
const crmf_node *ck_sequence(struct ck *k, const crmf_pair *p, bool *wrong);
const char *ck_suggest_key(const char *word, const char *const *names, size_t n,
			   const struct rec *r);
void ck_take_fields(struct ck *k, const crmf_node *map, int rec, const crmf_pair **slots,
		    const char *what, int line, int col);
int ck_enum(struct ck *k, const crmf_node *s, const char *what, const char *const *v,
	    size_t n);
crmf_day ck_date(struct ck *k, const crmf_node *v);
const char *ck_member(struct ck *k, const crmf_node *v);
int ck_number(struct ck *k, const crmf_node *v, const char *what, double *out);
int ck_amount(struct ck *k, const crmf_node *v, double *out);
int ck_bool(struct ck *k, const crmf_node *v, const char *what);
void ck_custom(struct ck *k, const crmf_field_def *def, const crmf_pair *p);
void ck_unknown_top(struct ck *k, const crmf_pair *p);

/* What to write in field `def`, malloc'ed: "one of 华东, 华北" (ck_join's
 * list) for an enum with values, else "a date value" and the like. */
char *ck_value_hint(const crmf_field_def *def);

/* Called for every field: inline. */

static inline bool is_blank(const crmf_node *v)
{
	if (crmf_node_is_null(v))
		return true;
	for (size_t i = 0; i < v->len; i++)
		if (v->value[i] != ' ' && v->value[i] != '\t' && v->value[i] != '\n' &&
		    v->value[i] != '\r')
			return false;
	return true;
}

/* The value of `p` when it is a scalar with some text; NULL when `p` is absent
 * or its value empty (nothing reported), or when it is a collection (reported,
 * and *wrong set). */
static inline const crmf_node *scalar(struct ck *k, const crmf_pair *p, bool *wrong)
{
	const crmf_node *v;

	*wrong = false;
	if (!p)
		return NULL;
	v = p->value;
	if (v->type != CRMF_NODE_SCALAR) {
		*wrong = true;
		ck_err_at(k, v, "wrong-type", "'%s' must be a single value, not a %s; write '%s: <value>'",
			  p->key->value, ck_kind_name(v), p->key->value);
		return NULL;
	}
	return is_blank(v) ? NULL : v;
}

static inline const crmf_node *opt_scalar(struct ck *k, const crmf_pair *p)
{
	bool wrong;

	return scalar(k, p, &wrong);
}

static inline int find_key_n(const char *key, size_t len, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (key[0] == names[i][0] && strncmp(names[i], key, len) == 0 && !names[i][len])
			return (int)i;
	return -1;
}

static inline int find_key(const char *key, const char *const *names, size_t n)
{
	return find_key_n(key, strlen(key), names, n);
}

static inline const char *const *strlist(const crmf_strlist *l)
{
	return (const char *const *)l->v;
}

#endif
