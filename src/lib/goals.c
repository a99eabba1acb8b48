/* SPDX-License-Identifier: MIT */
/* crmf.yaml `goals`: the team's targets, which crmf report shows with their progress. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "schema_private.h"
#include "util.h"

static const char *const metrics[] = {
	"new_customers", "followups",	   "customers_touched", "deals",
	"deal_amount",	 "churn_rate",	   "plan_adherence",	"overdue",
};
/* the rates, written as percentages (5%) or fractions (0.05) */
static bool is_rate(const char *m)
{
	return strcmp(m, "churn_rate") == 0 || strcmp(m, "plan_adherence") == 0;
}

static const char *const goal_keys[] = {"per", "target", "min", "max"};
static const char *const pers[] = {"week", "month", "quarter", "year"};

/* "50", "1000000", "5%", "0.05": a number ≥ 0; a percentage only for a rate */
static bool parse_value(double *out, const char *s, bool rate)
{
	char *end;
	size_t n = strlen(s);
	bool pct = n > 1 && s[n - 1] == '%';
	double v;

	if (!n || *s < '0' || *s > '9')
		return false;
	v = strtod(s, &end);
	if (end != s + n - (pct ? 1 : 0) || !(v < 1e15))
		return false;
	if (pct && !rate)
		return false;
	if (pct)
		v /= 100;
	if (rate && v > 1)
		return false;
	*out = v;
	return true;
}

static void load_goal(struct loader *L, const crmf_pair *gp, int metric)
{
	const crmf_node *n = gp->value;
	crmf_goal g = {0};
	bool per = false, value = false, bad = false;
	char what[64];

	snprintf(what, sizeof(what), "goals.%s", metrics[metric]);
	if (!sc_want_mapping(L, n, what, " like {per: month, target: 20}"))
		return;
	for (size_t i = 0; i < n->n; i++) {
		const crmf_pair *p = &n->pairs[i];
		int k = sc_key_index(L, p->key, what, goal_keys, N_OF(goal_keys));
		const char *s;

		if (k < 0 || sc_is_null(p->value) || !(s = sc_scalar(L, p->value, what, "a value")))
			continue;
		if (k == 0) {
			int j;

			for (j = 0; j < (int)N_OF(pers) && strcmp(s, pers[j]) != 0; j++)
				;
			if (j == (int)N_OF(pers)) {
				sc_report(L, p->value, "config-value",
					  "invalid period '%s' for '%s'; use week, month, quarter or year",
					  s, what);
				bad = per = true;
				continue;
			}
			g.per = (crmf_goal_per)j;
			per = true;
		} else if (value) {
			sc_report(L, p->key, "config-value",
				  "'%s' takes one of target, min and max", what);
		} else if (!parse_value(&g.value, s, is_rate(metrics[metric]))) {
			bad = value = true;
			sc_report(L, p->value, "config-value",
				  is_rate(metrics[metric])
				      ? N_("invalid rate '%s' for '%s'; write a percentage like 5%%")
				      : N_("invalid number '%s' for '%s'; write a count or amount like 50"),
				  s, what);
		} else {
			g.is_max = k == 3;
			value = true;
		}
	}
	if (!per || !value) {
		sc_report(L, n, "config-value", "'%s' needs %s", what,
			  !per ? crmf_tr("'per: week|month|quarter|year'")
			       : crmf_tr("'target', 'min' or 'max'"));
		return;
	}
	if (bad)
		return;
	g.metric = xstrdup(metrics[metric]);
	L->cfg->goals = xrealloc(L->cfg->goals, (L->cfg->n_goals + 1) * sizeof(crmf_goal));
	L->cfg->goals[L->cfg->n_goals++] = g;
}

void sc_load_goals(struct loader *L, const crmf_node *n)
{
	if (!sc_want_mapping(L, n, "goals", " like {new_customers: {per: quarter, target: 50}}"))
		return;
	for (size_t i = 0; i < n->n; i++) {
		int k = sc_key_index(L, n->pairs[i].key, "goals", metrics, N_OF(metrics));

		if (k >= 0 && !sc_is_null(n->pairs[i].value))
			load_goal(L, &n->pairs[i], k);
	}
}
