/* SPDX-License-Identifier: MIT */
/* Assignment by rules: the first matching rule of crmf.yaml, then the least loaded member of its group. */
#include "crmf/assign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmf/change.h"
#include "crmf/where.h"
#include "util.h"

void crmf_loads_init(crmf_loads *l, const crmf_config *cfg)
{
	l->cfg = cfg;
	l->n = xcalloc(cfg->n_team + 1, sizeof(*l->n));
}

void crmf_loads_release(crmf_loads *l)
{
	free(l->n);
	l->n = NULL;
}

static const crmf_member *member(const crmf_loads *l, const char *who, size_t *i)
{
	const crmf_member *m = crmf_config_member(l->cfg, who);

	if (m)
		*i = (size_t)(m - l->cfg->team);
	return m;
}

void crmf_loads_add(crmf_loads *l, const crmf_customer *c)
{
	size_t i;

	if (!c->archived && c->stage != CRMF_STAGE_LOST && c->owner && member(l, c->owner, &i))
		l->n[i]++;
}

void crmf_loads_bump(crmf_loads *l, const char *id)
{
	size_t i;

	if (member(l, id, &i))
		l->n[i]++;
}

size_t crmf_loads_of(const crmf_loads *l, const char *who)
{
	size_t i;

	return member(l, who, &i) ? l->n[i] : 0;
}

const char *crmf_assign_value(const crmf_customer *c, const char *field, char *buf, size_t size)
{
	const crmf_node *n;

	if (strcmp(field, "industry") == 0 && c->industry)
		return c->industry;
	if (strcmp(field, "source") == 0 && c->source)
		return c->source;
	if (strcmp(field, "size") == 0 && c->size)
		return c->size;
	if (!c->doc || !c->doc->root)
		return NULL;
	n = crmf_node_get(c->doc->root, field);
	if (!n || n->type != CRMF_NODE_SCALAR || crmf_node_is_null(n))
		return NULL;
	snprintf(buf, size, "%s", n->value);
	return buf;
}

/* The value of `cond` that `v` meets (an industry's sector meets its sub-sectors), or NULL. */
static const char *meets(const crmf_assign_cond *cond, const char *v)
{
	bool industry = strcmp(cond->field, "industry") == 0;

	for (size_t i = 0; v && i < cond->values.n; i++) {
		const char *w = cond->values.v[i];
		size_t k = strlen(w);

		if (strcmp(v, w) == 0 || (industry && strncmp(v, w, k) == 0 && v[k] == '/'))
			return w;
	}
	return NULL;
}

bool crmf_assign_matches(const crmf_assign_rule *r, const crmf_customer *c)
{
	char buf[256];

	for (size_t i = 0; i < r->n_when; i++)
		if (!meets(&r->when[i], crmf_assign_value(c, r->when[i].field, buf, sizeof(buf))))
			return false;
	return true;
}

/* "rule 1: region 华东, industry 制造业" (the values the customer met) into sb. */
static void describe(strbuf *sb, const crmf_assign_rule *r, const crmf_customer *c)
{
	char buf[256];

	sb_addf(sb, crmf_tr("rule %d"), r->number);
	if (r->n_when == 0)
		sb_adds(sb, crmf_tr(", the fallback"));
	for (size_t i = 0; i < r->n_when; i++) {
		const char *v = crmf_assign_value(c, r->when[i].field, buf, sizeof(buf));

		sb_addf(sb, "%s%s %s", i ? ", " : ": ", r->when[i].field, meets(&r->when[i], v));
	}
}

bool crmf_assign_choose(crmf_assignment *out, const crmf_config *cfg, const crmf_loads *loads,
			const crmf_customer *c, crmf_day today)
{
	strbuf sb = STRBUF_INIT;
	int passed = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < cfg->n_assign; i++) {
		const crmf_assign_rule *r = &cfg->assign[i];
		const char *best = NULL;
		size_t best_load = 0, n = 0;

		if (!crmf_assign_matches(r, c))
			continue;
		for (size_t k = 0; k < r->to.n; k++) {
			size_t load;

			if (crmf_config_departed(cfg, r->to.v[k], today))
				continue;
			load = crmf_loads_of(loads, r->to.v[k]);
			n++;
			if (!best || load < best_load) {
				best = r->to.v[k];
				best_load = load;
			}
		}
		if (!best) {
			passed = passed ? passed : r->number;
			continue;
		}
		out->owner = crmf_config_member(cfg, best)->id;
		out->rule = r;
		out->load = best_load;
		out->candidates = n;
		describe(&sb, r, c);
		sb_addf(&sb, crmf_tr("; %zu open customer%s"), best_load, best_load == 1 ? "" : "s");
		if (n > 1)
			sb_addf(&sb, crmf_tr(", fewest of %zu"), n);
		snprintf(out->why, sizeof(out->why), "%s", sb.buf);
		sb_release(&sb);
		return true;
	}
	if (cfg->n_assign == 0)
		snprintf(out->why, sizeof(out->why), "%s", crmf_tr("crmf.yaml has no assignment rules"));
	else if (passed)
		snprintf(out->why, sizeof(out->why),
			 crmf_tr("no assignment rule applies: everyone in rule %d has left the team"),
			 passed);
	else
		snprintf(out->why, sizeof(out->why), "%s", crmf_tr("no assignment rule matches"));
	return false;
}

/* Whether `c` needs an owner on `today`: none, no member, or one who left (unless lost). */
static bool needs_owner(const crmf_config *cfg, const crmf_customer *c, crmf_day today)
{
	if (!c->owner || !*c->owner)
		return true;
	if (!crmf_config_member(cfg, c->owner))
		return cfg->has_team;
	return crmf_config_departed(cfg, c->owner, today) && c->stage != CRMF_STAGE_LOST;
}

int crmf_assign_propose(crmf_proposal **out, size_t *n, const crmf_repo *repo,
			const crmf_expr *where, crmf_day today)
{
	crmf_proposal *v = xcalloc(repo->n + 1, sizeof(*v));
	crmf_loads loads;
	size_t k = 0;

	crmf_loads_init(&loads, repo->cfg);
	for (size_t i = 0; i < repo->n; i++)
		crmf_loads_add(&loads, repo->v[i]);
	for (size_t i = 0; i < repo->n; i++) {
		const crmf_customer *c = repo->v[i];
		crmf_proposal *p = &v[k];
		crmf_assignment a;

		if (c->archived || !needs_owner(repo->cfg, c, today) ||
		    !crmf_where_match(where, c, repo->cfg, today))
			continue;
		k++;
		p->path = xstrdup(c->path);
		p->id = c->id ? xstrdup(c->id) : crmf_change_path_id(c->path);
		p->name = c->name ? xstrdup(c->name) : NULL;
		p->owner = c->owner && *c->owner ? xstrdup(c->owner) : NULL;
		if (crmf_assign_choose(&a, repo->cfg, &loads, c, today)) {
			p->proposed = xstrdup(a.owner);
			p->rule = a.rule->number;
			if (c->stage != CRMF_STAGE_LOST)
				crmf_loads_bump(&loads, a.owner);
		}
		memcpy(p->why, a.why, sizeof(p->why));
	}
	crmf_loads_release(&loads);
	*out = v;
	*n = k;
	return 0;
}

void crmf_proposals_free(crmf_proposal *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].id);
		free(v[i].name);
		free(v[i].path);
		free(v[i].owner);
		free(v[i].proposed);
	}
	free(v);
}
