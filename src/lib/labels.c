/* SPDX-License-Identifier: MIT */
/* crmf.yaml `labels`: the names shown for the values of closed sets, checked against those sets. */
#include "schema_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmf/check.h"
#include "crmf/fields.h"
#include "util.h"

/* Fields whose values form a closed set, for checking `labels`. */
static const char *const activity_values[] = {"active", "dormant", "lost"};
static const char *const value_values[] = {"high", "low"};
static const char *const quadrant_values[] = {"core", "win-back", "develop", "watch"};
static const char *const kind_values[] = {"next-action", "cadence", "first-contact"};
static const char *const bool_values[] = {"true", "false"};

struct closed_set {
	const char *field;
	const char *const *v;
	size_t n;
	bool descending; /* v[0] is the greatest: high > medium > low, A > B > C */
};

static const struct closed_set closed_sets[] = {
	{"stage", crmf_stage_values, N_OF(crmf_stage_values), false},
	{"potential", crmf_potential_values, N_OF(crmf_potential_values), true},
	{"grade", crmf_grade_values, N_OF(crmf_grade_values), true},
	{"method", crmf_method_values, N_OF(crmf_method_values), false},
	{"activity", activity_values, N_OF(activity_values), false},
	{"value", value_values, N_OF(value_values), true},
	{"quadrant", quadrant_values, N_OF(quadrant_values), false},
	{"kind", kind_values, N_OF(kind_values), false},
};

/* Other names a label may be given for: computed values and nested fields. */
static const char *const extra_label_fields[] = {
	"last_contact", "next_due", "overdue_days", "title", "phone", "email",
	"budget",	"timeline", "amount",	    "signed", "expires", "date",
	"by",		"with",	    "summary",	    "feedback", "next",	   "due",
	"type",		"description",
};

/* The closed set of values of `field` (NULL when any value goes), or false
 * when no such field exists. */
static bool label_field(const crmf_config *cfg, const char *field, const char *const **v,
			size_t *n)
{
	const crmf_field_def *f;

	*v = NULL;
	*n = 0;
	for (size_t i = 0; i < N_OF(closed_sets); i++) {
		if (strcmp(field, closed_sets[i].field) == 0) {
			*v = closed_sets[i].v;
			*n = closed_sets[i].n;
			return true;
		}
	}
	if (strcmp(field, "size") == 0 || strcmp(field, "source") == 0) {
		const crmf_strlist *l = field[1] == 'i' ? &cfg->sizes : &cfg->sources;

		*v = (const char *const *)l->v;
		*n = l->n;
		return true;
	}
	f = crmf_config_field(cfg, field);
	if (f) {
		if (f->type == CRMF_FT_ENUM) {
			*v = (const char *const *)f->values.v;
			*n = f->values.n;
		} else if (f->type == CRMF_FT_BOOL) {
			*v = bool_values;
			*n = N_OF(bool_values);
		}
		return true;
	}
	return sc_builtin_field(field) ||
	       sc_in_list(field, extra_label_fields, N_OF(extra_label_fields));
}

static void label_candidates(const crmf_config *cfg, const char ***out, size_t *n)
{
	size_t k = 0, n_table;
	const crmf_field *table = crmf_fields(&n_table);

	*out = xmalloc((N_OF(closed_sets) + n_table + N_OF(extra_label_fields) +
			cfg->n_fields) *
		       sizeof(**out));
	for (size_t i = 0; i < N_OF(closed_sets); i++)
		(*out)[k++] = closed_sets[i].field;
	for (size_t i = 0; i < n_table; i++) /* the top-level fields, in order */
		if (!strchr(table[i].path, '.'))
			(*out)[k++] = table[i].path;
	for (size_t i = 0; i < N_OF(extra_label_fields); i++)
		(*out)[k++] = extra_label_fields[i];
	for (size_t i = 0; i < cfg->n_fields; i++)
		(*out)[k++] = cfg->fields[i].name;
	*n = k;
}

void sc_load_labels(struct loader *L, const crmf_node *n)
{
	crmf_config *cfg = L->cfg;

	if (!sc_want_mapping(L, n, "labels", " of field: {value: label}"))
		return;
	for (size_t i = 0; i < n->n; i++) {
		const crmf_pair *fp = &n->pairs[i];
		const char *field = fp->key->value;
		const char *const *vals;
		size_t nvals;
		char what[128];

		if (!label_field(cfg, field, &vals, &nvals)) {
			const char **cands, *g;
			size_t nc;

			label_candidates(cfg, &cands, &nc);
			g = crmf_suggest(field, cands, nc);

			if (g)
				sc_report(L, fp->key, "config-unknown-key",
					  "unknown field '%s' in 'labels'; did you mean '%s'?", field, g);
			else
				sc_report(L, fp->key, "config-unknown-key",
					  "unknown field '%s' in 'labels'; use a field name such as "
					  "stage or remove it",
					  field);
			free(cands);
			continue;
		}
		if (sc_is_null(fp->value))
			continue;
		snprintf(what, sizeof(what), "labels.%s", field);
		if (!sc_want_mapping(L, fp->value, what, " of value: label"))
			continue;
		for (size_t j = 0; j < fp->value->n; j++) {
			const crmf_pair *p = &fp->value->pairs[j];
			const char *value = p->key->value, *label;
			crmf_label lb;

			if (vals && !sc_in_list(value, vals, nvals)) {
				const char *g = crmf_suggest(value, vals, nvals);

				if (g)
					sc_report(L, p->key, "config-value",
						  "unknown %s '%s' in 'labels'; did you mean '%s'?", field,
						  value, g);
				else
					sc_report(L, p->key, "config-value",
						  "unknown %s '%s' in 'labels'; remove it", field, value);
				continue;
			}
			if (sc_is_null(p->value)) {
				sc_report(L, p->key, "config-value",
					  "empty label for '%s' '%s'; write one or remove the line",
					  field, value);
				continue;
			}
			label = sc_scalar(L, p->value, what, "a mapping of value: label strings");
			if (!label)
				continue;
			lb.field = xstrdup(field);
			lb.value = xstrdup(value);
			lb.label = xstrdup(label);
			cfg->labels = xrealloc(cfg->labels, (cfg->n_labels + 1) * sizeof(*cfg->labels));
			cfg->labels[cfg->n_labels++] = lb;
		}
	}
}

const char *crmf_config_label(const crmf_config *cfg, const char *field, const char *value)
{
	if (!cfg || !field || !value)
		return value;
	for (size_t i = 0; i < cfg->n_labels; i++) {
		const crmf_label *l = &cfg->labels[i];

		if (strcmp(l->field, field) == 0 && strcmp(l->value, value) == 0)
			return l->label;
	}
	return value;
}

/* The last key of a path: "method" for "followups[-1].method" or "followups.method". */
static void last_key(char *out, size_t size, const char *path)
{
	const char *dot = strrchr(path, '.'), *k = dot ? dot + 1 : path;
	size_t n = strcspn(k, "[");

	if (n >= size)
		n = size - 1;
	memcpy(out, k, n);
	out[n] = '\0';
}

bool crmf_config_values(const crmf_config *cfg, const char *field, const char *const **values,
			size_t *n, bool *descending)
{
	char key[64];
	const crmf_field_def *f;

	last_key(key, sizeof(key), field);
	*values = NULL;
	*n = 0;
	*descending = false;
	for (size_t i = 0; i < N_OF(closed_sets); i++) {
		if (strcmp(key, closed_sets[i].field) == 0) {
			*values = closed_sets[i].v;
			*n = closed_sets[i].n;
			*descending = closed_sets[i].descending;
			return true;
		}
	}
	if (!cfg)
		return false;
	if (strcmp(key, "size") == 0 || strcmp(key, "source") == 0) {
		const crmf_strlist *l = key[1] == 'i' ? &cfg->sizes : &cfg->sources;

		*values = (const char *const *)l->v;
		*n = l->n;
		return l->n > 0;
	}
	f = crmf_config_field(cfg, key);
	if (f && f->type == CRMF_FT_ENUM) {
		*values = (const char *const *)f->values.v;
		*n = f->values.n;
		return true;
	}
	return false;
}

const char *crmf_config_value(const crmf_config *cfg, const char *field, const char *input)
{
	const char *const *v;
	size_t n;
	bool desc;
	char key[64];

	if (!input || !crmf_config_values(cfg, field, &v, &n, &desc))
		return input;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], input) == 0)
			return v[i];
	last_key(key, sizeof(key), field);
	for (size_t i = 0; cfg && i < cfg->n_labels; i++) {
		const crmf_label *l = &cfg->labels[i];

		if (strcmp(l->field, key) == 0 && strcmp(l->label, input) == 0)
			for (size_t j = 0; j < n; j++)
				if (strcmp(v[j], l->value) == 0)
					return v[j];
	}
	return NULL;
}

const char *crmf_config_input(const crmf_config *cfg, const char *field, const char *input)
{
	const char *v = crmf_config_value(cfg, field, input);

	return v ? v : input;
}

const char *crmf_config_suggest(const crmf_config *cfg, const char *field, const char *input)
{
	const char *const *v;
	const char **cands, *s;
	size_t n, k = 0;
	bool desc;
	char key[64];

	if (!crmf_config_values(cfg, field, &v, &n, &desc))
		return NULL;
	last_key(key, sizeof(key), field);
	cands = xmalloc((n + (cfg ? cfg->n_labels : 0) + 1) * sizeof(*cands));
	for (size_t i = 0; i < n; i++)
		cands[k++] = v[i];
	for (size_t i = 0; cfg && i < cfg->n_labels; i++)
		if (strcmp(cfg->labels[i].field, key) == 0)
			cands[k++] = cfg->labels[i].label;
	s = crmf_suggest(input, cands, k);
	free(cands);
	return s;
}
