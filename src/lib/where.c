/* SPDX-License-Identifier: MIT */
/* --where over whole customers: the fields of `crmf list --where`, read from a customer's document. */
#include "crmf/where.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmf/classify.h"
#include "crmf/fields.h"
#include "crmf/rows.h"
#include "util.h"

enum {
	C_LAST_CONTACT,
	C_ACTIVITY,
	C_VALUE,
	C_VALUE_SUM,
	C_QUADRANT,
	C_NEXT_DUE,
	C_OVERDUE_DAYS,
	C_KIND,
	C_REASON,
	C_PATH,
	C_ARCHIVED,
	N_COMPUTED
};

/* The computed fields, as crmf list names them. */
static const char *const computed_names[N_COMPUTED] = {
	"last_contact", "activity", "value", "value_sum", "quadrant", "next_due",
	"overdue_days", "kind",	    "reason", "path",	   "archived",
};

static int computed_index(const char *name, size_t len)
{
	for (int i = 0; i < N_COMPUTED; i++)
		if (strlen(computed_names[i]) == len && memcmp(computed_names[i], name, len) == 0)
			return i;
	return -1;
}

static bool known_field(const crmf_config *cfg, const char *name, size_t len)
{
	if (computed_index(name, len) >= 0 || crmf_field_find(name, len))
		return true;
	for (size_t i = 0; cfg && i < cfg->n_fields; i++)
		if (strlen(cfg->fields[i].name) == len && !memcmp(cfg->fields[i].name, name, len))
			return true;
	return false;
}

/* "unknown field 'x'; did you mean 'y'?", as crmf list says it. */
static void unknown_field(char *err, size_t errlen, const crmf_config *cfg, const char *name,
			  size_t len)
{
	size_t n_stored, k = 0;
	const crmf_field *stored = crmf_fields(&n_stored);
	const char **names = xmalloc((n_stored + N_COMPUTED + (cfg ? cfg->n_fields : 0) + 1) *
				     sizeof(*names));
	char *word = xstrndup(name, len);
	const char *s;

	for (size_t i = 0; i < n_stored; i++)
		names[k++] = stored[i].path;
	for (size_t i = 0; i < N_COMPUTED; i++)
		names[k++] = computed_names[i];
	for (size_t i = 0; cfg && i < cfg->n_fields; i++)
		names[k++] = cfg->fields[i].name;
	s = crmf_suggest(word, names, k);
	if (!s && len >= 5 && (unsigned char)word[0] < 0x80 && (unsigned char)word[1] < 0x80 &&
	    (unsigned char)word[2] < 0x80) {
		/* a word mangled past the edit limit usually keeps its start: stauts */
		char head[4] = {word[0], word[1], word[2], '\0'};

		s = crmf_suggest(head, names, k);
	}
	if (s)
		snprintf(err, errlen, crmf_tr("unknown field '%s'; did you mean '%s'?"), word, s);
	else
		snprintf(err, errlen, crmf_tr("unknown field '%s'; see 'crmf list --help' for the fields"),
			 word);
	free(names);
	free(word);
}

int crmf_where_compile(crmf_expr **out, const crmf_config *cfg, const char *text, crmf_day today,
		       char *err, size_t errlen, int *errcol)
{
	const crmf_expr_field *fields;
	size_t n;

	if (crmf_expr_parse(out, text, today, err, errlen, errcol) != 0)
		return -1;
	n = crmf_expr_fields(*out, &fields);
	for (size_t i = 0; i < n; i++) {
		if (known_field(cfg, fields[i].name, fields[i].len))
			continue;
		unknown_field(err, errlen, cfg, fields[i].name, fields[i].len);
		if (errcol)
			*errcol = fields[i].column;
		crmf_error_set("%s", err);
		goto fail;
	}
	if (crmf_expr_bind(*out, cfg, err, errlen, errcol) != 0)
		goto fail;
	return 0;
fail:
	crmf_expr_free(*out);
	*out = NULL;
	return -1;
}

/* ---- values of a customer ---- */

struct row {
	const crmf_customer *c;
	crmf_class k;
};

static void emit_str(crmf_expr_emit emit, void *ectx, const char *s)
{
	if (s)
		emit(ectx, s, strlen(s));
}

static void emit_day(crmf_expr_emit emit, void *ectx, crmf_day d)
{
	char buf[11];

	if (d == CRMF_NO_DAY)
		return;
	crmf_date_format(d, buf);
	emit(ectx, buf, 10);
}

static void lookup(void *ctx, const char *field, size_t len, crmf_expr_emit emit, void *ectx)
{
	const struct row *r = ctx;
	const crmf_class *k = &r->k;
	char buf[64];

	switch (computed_index(field, len)) {
	case C_LAST_CONTACT:
		emit_day(emit, ectx, k->last_contact);
		return;
	case C_ACTIVITY:
		emit_str(emit, ectx, crmf_activity_name(k->activity));
		return;
	case C_VALUE:
		emit_str(emit, ectx, crmf_value_name(k->value));
		return;
	case C_VALUE_SUM:
		snprintf(buf, sizeof(buf), "%.15g", k->value_sum);
		emit_str(emit, ectx, buf);
		return;
	case C_QUADRANT:
		emit_str(emit, ectx, crmf_quadrant_name(k->quadrant));
		return;
	case C_NEXT_DUE:
		emit_day(emit, ectx, k->next_due);
		return;
	case C_OVERDUE_DAYS:
		snprintf(buf, sizeof(buf), "%d", k->overdue_days);
		emit_str(emit, ectx, buf);
		return;
	case C_KIND:
		if (k->due_kind != CRMF_DUE_NONE)
			emit_str(emit, ectx, crmf_due_kind_name(k->due_kind));
		return;
	case C_REASON:
		if (k->reason[0])
			emit_str(emit, ectx, k->reason);
		return;
	case C_PATH:
		emit_str(emit, ectx, r->c->path);
		return;
	case C_ARCHIVED:
		emit_str(emit, ectx, r->c->archived ? "true" : "false");
		return;
	}
	if (r->c->doc)
		crmf_node_walk(r->c->doc, r->c->doc->root, field, len, emit, ectx);
}

bool crmf_where_match(const crmf_expr *e, const crmf_customer *c, const crmf_config *cfg,
		      crmf_day today)
{
	struct row r = {.c = c};

	if (!e)
		return true;
	crmf_classify(&r.k, c, cfg, today);
	return crmf_expr_eval(e, lookup, &r);
}
