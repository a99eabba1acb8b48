/* SPDX-License-Identifier: MIT */
/* crmf.yaml `assign:`: the assignment rules, checked against the team, the fields and their values. */
#include "schema_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmf/date.h"
#include "util.h"

static const char *const rule_keys[] = {"when", "to"};
static const char *const builtin_fields[] = {"industry", "source", "size"};

static void cond_release(crmf_assign_cond *c)
{
	free(c->field);
	for (size_t i = 0; i < c->values.n; i++)
		free(c->values.v[i]);
	free(c->values.v);
}

static void rule_release(crmf_assign_rule *r)
{
	for (size_t i = 0; i < r->n_when; i++)
		cond_release(&r->when[i]);
	free(r->when);
	for (size_t i = 0; i < r->to.n; i++)
		free(r->to.v[i]);
	free(r->to.v);
}

void sc_assign_release(crmf_config *cfg)
{
	for (size_t i = 0; i < cfg->n_assign; i++)
		rule_release(&cfg->assign[i]);
	free(cfg->assign);
	cfg->assign = NULL;
	cfg->n_assign = 0;
}

static void push(crmf_strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

static bool has(const crmf_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* The fields a condition may name: industry, source, size, custom strings and enums. */
static const char **field_names(const crmf_config *cfg, size_t *n)
{
	const char **v = xmalloc((N_OF(builtin_fields) + cfg->n_fields + 1) * sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < N_OF(builtin_fields); i++)
		v[k++] = builtin_fields[i];
	for (size_t i = 0; i < cfg->n_fields; i++)
		if (cfg->fields[i].type == CRMF_FT_STRING || cfg->fields[i].type == CRMF_FT_ENUM)
			v[k++] = cfg->fields[i].name;
	*n = k;
	return v;
}

/* The industries and their sectors, for suggestions. */
static const char **industry_names(const crmf_config *cfg, crmf_strlist *sectors, size_t *n)
{
	const char **v;
	size_t k = 0;

	for (size_t i = 0; i < cfg->industries.n; i++) {
		const char *s = cfg->industries.v[i], *slash = strchr(s, '/');
		char *sector = slash ? xstrndup(s, (size_t)(slash - s)) : NULL;

		if (sector && !has(sectors, sector))
			push(sectors, sector);
		free(sector);
	}
	v = xmalloc((cfg->industries.n + sectors->n + 1) * sizeof(*v));
	for (size_t i = 0; i < sectors->n; i++)
		v[k++] = sectors->v[i];
	for (size_t i = 0; i < cfg->industries.n; i++)
		v[k++] = cfg->industries.v[i];
	*n = k;
	return v;
}

/* The canonical value `s` of `field` stands for, or NULL after reporting it. */
static const char *cond_value(struct loader *L, const crmf_node *n, const char *field,
			      const char *s, int number)
{
	const crmf_config *cfg = L->cfg;
	const char *v, *g = NULL;

	if (!*s) {
		sc_report(L, n, "config-value", "empty value for '%s' in assign rule %d", field,
			  number);
		return NULL;
	}
	if (strcmp(field, "industry") == 0) {
		crmf_strlist sectors = {0};
		size_t k;
		const char **names;

		if (!cfg->has_industries)
			return s;
		names = industry_names(cfg, &sectors, &k);
		for (size_t i = 0; i < k; i++)
			if (strcmp(names[i], s) == 0)
				g = names[i];
		v = g ? s : NULL;
		if (!v)
			g = crmf_suggest(s, names, k);
		if (!v && g)
			sc_report(L, n, "config-value",
				  "invalid industry '%s' in assign rule %d; did you mean '%s'?", s,
				  number, g);
		else if (!v)
			sc_report(L, n, "config-value",
				  "invalid industry '%s' in assign rule %d; use a sector or an industry "
				  "of 'industries'",
				  s, number);
		free(names);
		for (size_t i = 0; i < sectors.n; i++)
			free(sectors.v[i]);
		free(sectors.v);
		return v;
	}
	v = crmf_config_value(cfg, field, s);
	if (v)
		return v;
	g = crmf_config_suggest(cfg, field, s);
	if (g)
		sc_report(L, n, "config-value", "invalid %s '%s' in assign rule %d; did you mean '%s'?",
			  field, s, number, g);
	else
		sc_report(L, n, "config-value", "invalid %s '%s' in assign rule %d; use a value of '%s'",
			  field, s, number, field);
	return NULL;
}

/* `when: {field: value or [values]}` into r; false when a condition is invalid. */
static bool load_when(struct loader *L, const crmf_node *n, crmf_assign_rule *r)
{
	size_t nf;
	const char **fields = field_names(L->cfg, &nf);
	bool ok = true;

	if (!sc_want_mapping(L, n, "assign.when", " like {region: 华东, industry: 制造业}")) {
		free(fields);
		return false;
	}
	r->when = xcalloc(n->n + 1, sizeof(*r->when));
	for (size_t i = 0; i < n->n; i++) {
		const crmf_pair *p = &n->pairs[i];
		const char *name = p->key->value;
		crmf_assign_cond c = {0};
		const crmf_node *const *items = (const crmf_node *const *)&p->value;
		size_t ni = 1;
		bool known = false;

		for (size_t k = 0; k < nf; k++)
			known = known || strcmp(fields[k], name) == 0;
		if (!known) {
			const char *g = crmf_suggest(name, fields, nf);
			strbuf sb = STRBUF_INIT;

			for (size_t k = 0; k < nf; k++) {
				if (k)
					sb_adds(&sb, k + 1 == nf ? " or " : ", ");
				sb_adds(&sb, fields[k]);
			}
			if (g)
				sc_report(L, p->key, "config-unknown-key",
					  "unknown field '%s' in assign rule %d; did you mean '%s'?",
					  name, r->number, g);
			else
				sc_report(L, p->key, "config-unknown-key",
					  "unknown field '%s' in assign rule %d; use %s", name,
					  r->number, sb.buf);
			sb_release(&sb);
			ok = false;
			continue;
		}
		if (sc_is_null(p->value)) {
			sc_report(L, p->key, "config-value",
				  "no value for '%s' in assign rule %d; write one or a list", name,
				  r->number);
			ok = false;
			continue;
		}
		if (p->value->type == CRMF_NODE_SEQUENCE) {
			items = (const crmf_node *const *)p->value->items;
			ni = p->value->n;
			if (ni == 0) {
				sc_report(L, p->value, "config-value",
					  "empty list for '%s' in assign rule %d", name, r->number);
				ok = false;
				continue;
			}
		}
		c.field = xstrdup(name);
		for (size_t k = 0; k < ni; k++) {
			const char *s = sc_scalar(L, items[k], "assign.when", "a value or a list of values");
			const char *v = s ? cond_value(L, items[k], name, s, r->number) : NULL;

			if (!v)
				ok = false;
			else if (!has(&c.values, v))
				push(&c.values, v);
		}
		r->when[r->n_when++] = c;
	}
	free(fields);
	return ok;
}

/* `to: [member…]` (or one member) into r->to as ids. */
static void load_to(struct loader *L, const crmf_node *n, crmf_assign_rule *r)
{
	const crmf_node *const *items = &n;
	size_t ni = 1;

	if (n->type == CRMF_NODE_SEQUENCE) {
		items = (const crmf_node *const *)n->items;
		ni = n->n;
	} else if (n->type == CRMF_NODE_MAPPING) {
		sc_report(L, n, "config-type", "'to' of assign rule %d must be a list of members",
			  r->number);
		return;
	}
	if (ni == 0)
		sc_report(L, n, "config-value",
			  "'to' of assign rule %d is empty; list the members who take these "
			  "customers",
			  r->number);
	for (size_t i = 0; i < ni; i++) {
		const char *s = sc_scalar(L, items[i], "assign.to", "a member's id");
		const crmf_member *m = s ? crmf_config_member(L->cfg, s) : NULL;
		char day[11];

		if (!s)
			continue;
		if (!m) {
			const char **ids = xmalloc((L->cfg->n_team + 1) * sizeof(*ids));
			const char *g;

			for (size_t k = 0; k < L->cfg->n_team; k++)
				ids[k] = L->cfg->team[k].id;
			g = crmf_suggest(s, ids, L->cfg->n_team);
			if (g)
				sc_report(L, items[i], "config-value",
					  "unknown team member '%s' in assign rule %d; did you mean "
					  "'%s'?",
					  s, r->number, g);
			else
				sc_report(L, items[i], "config-value",
					  "unknown team member '%s' in assign rule %d; name members of "
					  "'team'",
					  s, r->number);
			free(ids);
			continue;
		}
		if (has(&r->to, m->id)) {
			sc_report(L, items[i], "config-duplicate",
				  "'%s' is named twice in assign rule %d; remove one", m->id,
				  r->number);
			continue;
		}
		if (m->left != CRMF_NO_DAY) {
			crmf_date_format(m->left, day);
			sc_warn(L, items[i], "config-member-left",
				"'%s' left the team on %s and is never chosen; remove them from "
				"assign rule %d",
				m->id, day, r->number);
		}
		push(&r->to, m->id);
	}
}

void sc_load_assign(struct loader *L, const crmf_node *n)
{
	crmf_config *cfg = L->cfg;
	const crmf_node *fallback = NULL;
	int fallback_number = 0;

	if (!sc_want_sequence(L, n, "assign", " of rules like {when: {region: 华东}, to: [li.na]}"))
		return;
	if (!cfg->has_team) {
		sc_report(L, n, "config-missing",
			  "'assign' needs the members it assigns to: declare them under 'team'");
		return;
	}
	cfg->assign = xcalloc(n->n + 1, sizeof(*cfg->assign));
	for (size_t i = 0; i < n->n; i++) {
		const crmf_node *it = n->items[i], *when = NULL, *to = NULL, *to_key = NULL;
		crmf_assign_rule r = {.number = (int)i + 1, .line = it->line};
		bool ok = true;

		if (!sc_want_mapping(L, it, "assign", " like {when: {region: 华东}, to: [li.na]}"))
			continue;
		for (size_t k = 0; k < it->n; k++) {
			const crmf_pair *p = &it->pairs[k];

			switch (sc_key_index(L, p->key, "assign", rule_keys, N_OF(rule_keys))) {
			case 0:
				when = sc_is_null(p->value) ? NULL : p->value;
				break;
			case 1:
				to_key = p->key;
				to = sc_is_null(p->value) ? NULL : p->value;
				break;
			default:
				ok = false;
			}
		}
		if (fallback)
			sc_warn(L, it, "config-unreachable",
				"assign rule %d is never used: rule %d has no 'when' and takes every "
				"customer; move that one last",
				r.number, fallback_number);
		if (when && !load_when(L, when, &r))
			ok = false;
		if (!to_key)
			sc_report(L, it, "config-missing",
				  "assign rule %d has no 'to'; add 'to: [member, …]', the members who "
				  "take these customers",
				  r.number);
		else if (!to)
			sc_report(L, to_key, "config-value",
				  "'to' of assign rule %d is empty; list the members who take these "
				  "customers",
				  r.number);
		else
			load_to(L, to, &r);
		if (r.n_when == 0 && ok && !fallback) {
			fallback = it;
			fallback_number = r.number;
		}
		if (!ok || r.to.n == 0) {
			rule_release(&r);
			continue;
		}
		cfg->assign[cfg->n_assign++] = r;
	}
}
