/* SPDX-License-Identifier: MIT */
/* Fuzz harness: crmf.yaml's `assign:` rules loaded, then applied to a fixed set of customers. */
#include <string.h>

#include "crmf/assign.h"
#include "crmf/check.h"
#include "crmf/schema.h"
#include "fuzz.h"

/*
 * Input: crmf.yaml bytes (team, fields, industries and `assign:` rules).
 * Oracles, for each customer below in turn (the loads counting each one
 * given): the owner chosen is a member who has not left, of the group of a
 * rule that matches, the first such rule whose group has anyone left, and
 * has the fewest open customers of that group (ties to the one written
 * first); with no owner, no rule could give one. crmf assign's proposals
 * name members only.
 */

static const struct {
	const char *path, *text;
} customers[] = {
    {"customers/2025/C2025001.yaml",
    "id: C2025001\nname: 宁波甬达汽车零部件有限公司\nindustry: 制造业/汽车零部件\nsize: 200-1000\n"
    "source: 展会\ncreated: 2025-03-12\nstage: intent\nregion: 华东\n"},
    {"customers/2025/C2025002.yaml",
    "id: C2025002\nname: 杭州云栖物流有限公司\nindustry: 物流运输/仓储物流\nsize: 50-200\n"
    "source: 招投标\ncreated: 2025-05-02\nowner: zhou.min\nstage: lead\nregion: 华东\n"},
    {"customers/2025/C2025003.yaml",
    "id: C2025003\nname: 深圳华南电子有限公司\nindustry: 制造业/电子制造\nsize: \">1000\"\n"
    "source: 官网\ncreated: 2025-05-20\nowner: nobody\nstage: lead\nregion: 华南\n"},
    {"customers/2025/C2025004.yaml",
    "id: C2025004\nname: 成都蜀味餐饮管理有限公司\nindustry: 零售业/连锁餐饮\n"
    "source: 转介绍\ncreated: 2025-01-07\nowner: li.na\nstage: customer\nregion: 西部\n"
    "seats: 40\nvip: true\n"},
    {"customers/2025/C2025005.yaml",
    "id: C2025005\nname: 北京京华医疗器械有限公司\nindustry: 医疗健康/医疗器械\nsize: \"<50\"\n"
    "created: 2025-02-11\nstage: lost\nregion: 华北\n"},
    {"customers/2025/C2025006.yaml",
    "id: C2025006\nname: 苏州工业园机械\nindustry: 制造业\ncreated: 2025-06-01\nstage: lead\n"
    "region: [华东, 华北]\ntier: \"1\"\n"},
    {"archive/C2024007.yaml",
    "id: C2024007\nname: 无锡旧客户\nindustry: 制造业/机械制造\ncreated: 2024-01-05\n"
    "owner: wang.fang\nstage: customer\nregion: 华东\n"},
};
#define N_CUSTOMERS (sizeof(customers) / sizeof(customers[0]))

static bool in_group(const crmf_assign_rule *r, const char *id)
{
	for (size_t k = 0; k < r->to.n; k++)
		if (strcmp(r->to.v[k], id) == 0)
			return true;
	return false;
}

/* Whether a member of r's group is still on the team on `today`. */
static bool anyone_left(const crmf_config *cfg, const crmf_assign_rule *r, crmf_day today)
{
	for (size_t k = 0; k < r->to.n; k++)
		if (!crmf_config_departed(cfg, r->to.v[k], today))
			return true;
	return false;
}

static void check_choice(const crmf_config *cfg, const crmf_loads *loads, const crmf_customer *c,
			 const crmf_assignment *a, bool given, crmf_day today)
{
	size_t ri, n = 0;

	FUZZ_ASSERT(memchr(a->why, '\0', sizeof(a->why)) && a->why[0], "a reason");
	if (!given) {
		FUZZ_ASSERT(!a->owner && !a->rule, "no owner, no rule");
		for (size_t i = 0; i < cfg->n_assign; i++)
			FUZZ_ASSERT(!crmf_assign_matches(&cfg->assign[i], c) ||
					!anyone_left(cfg, &cfg->assign[i], today),
				    "rule %d could give %s an owner", cfg->assign[i].number, c->path);
		return;
	}
	FUZZ_ASSERT(a->owner && a->rule, "an owner and its rule");
	ri = (size_t)(a->rule - cfg->assign);
	FUZZ_ASSERT(ri < cfg->n_assign, "a rule of the configuration");
	FUZZ_ASSERT(crmf_config_member(cfg, a->owner) != NULL, "'%s' is a member", a->owner);
	FUZZ_ASSERT(!crmf_config_departed(cfg, a->owner, today), "'%s' has not left", a->owner);
	FUZZ_ASSERT(in_group(a->rule, a->owner), "'%s' is of rule %d", a->owner, a->rule->number);
	FUZZ_ASSERT(crmf_assign_matches(a->rule, c), "rule %d matches", a->rule->number);
	for (size_t i = 0; i < ri; i++)
		FUZZ_ASSERT(!crmf_assign_matches(&cfg->assign[i], c) ||
				!anyone_left(cfg, &cfg->assign[i], today),
			    "rule %d comes first", cfg->assign[i].number);
	FUZZ_ASSERT(a->load == crmf_loads_of(loads, a->owner), "the owner's load");
	for (size_t k = 0; k < a->rule->to.n; k++) {
		const char *m = a->rule->to.v[k];

		if (crmf_config_departed(cfg, m, today))
			continue;
		n++;
		FUZZ_ASSERT(crmf_loads_of(loads, m) >= a->load, "'%s' has fewer than '%s'", m,
			    a->owner);
		if (strcmp(m, a->owner) == 0)
			break;
		FUZZ_ASSERT(crmf_loads_of(loads, m) > a->load, "'%s', written first, ties", m);
	}
	FUZZ_ASSERT(n >= 1 && a->candidates >= n, "%zu candidates", a->candidates);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	crmf_day today = crmf_date_from_ymd(2025, 6, 16);
	crmf_customer *cs[N_CUSTOMERS] = {0};
	crmf_proposal *props = NULL;
	size_t n_props = 0;
	crmf_diags diags;
	crmf_doc *doc = NULL;
	crmf_config *cfg = NULL;
	crmf_loads loads;
	crmf_repo repo;

	crmf_diags_init(&diags);
	crmf_doc_parse(&doc, "crmf.yaml", (const char *)data, size, &diags);
	crmf_config_load(&cfg, doc, &diags);
	crmf_doc_free(doc);
	FUZZ_ASSERT(cfg != NULL, "a configuration is always returned");
	for (size_t i = 0; i < cfg->n_assign; i++) {
		const crmf_assign_rule *r = &cfg->assign[i];

		FUZZ_ASSERT(r->number >= 1 && r->to.n > 0, "rule %d has a group", r->number);
		FUZZ_ASSERT(i == 0 || r->number > cfg->assign[i - 1].number, "rules in order");
		for (size_t k = 0; k < r->to.n; k++)
			FUZZ_ASSERT(crmf_config_member(cfg, r->to.v[k]), "'%s' is a member",
				    r->to.v[k]);
		for (size_t k = 0; k < r->n_when; k++)
			FUZZ_ASSERT(r->when[k].field && r->when[k].values.n > 0,
				    "a condition has values");
	}

	for (size_t i = 0; i < N_CUSTOMERS; i++) {
		crmf_doc *cdoc = NULL;
		const char *path = customers[i].path, *text = customers[i].text;

		crmf_doc_parse(&cdoc, path, text, strlen(text), &diags);
		crmf_check_customer(&cs[i], cdoc, path, cfg, today, &diags);
		FUZZ_ASSERT(cs[i] != NULL, "%s is a customer", path);
	}

	crmf_loads_init(&loads, cfg);
	for (size_t i = 0; i < N_CUSTOMERS; i++)
		crmf_loads_add(&loads, cs[i]);
	for (size_t i = 0; i < N_CUSTOMERS; i++) {
		crmf_assignment a;
		bool given = crmf_assign_choose(&a, cfg, &loads, cs[i], today);

		check_choice(cfg, &loads, cs[i], &a, given, today);
		if (given)
			crmf_loads_bump(&loads, a.owner);
	}
	crmf_loads_release(&loads);

	repo = (crmf_repo){.cfg = cfg, .v = cs, .n = N_CUSTOMERS};
	FUZZ_ASSERT(crmf_assign_propose(&props, &n_props, &repo, NULL, today) == 0, "proposals");
	FUZZ_ASSERT(n_props <= N_CUSTOMERS, "%zu proposals", n_props);
	for (size_t i = 0; i < n_props; i++) {
		FUZZ_ASSERT(props[i].id && props[i].path, "a proposal names its customer");
		FUZZ_ASSERT(strncmp(props[i].path, "archive/", 8) != 0, "%s is archived",
			    props[i].path);
		FUZZ_ASSERT(!props[i].proposed || (crmf_config_member(cfg, props[i].proposed) &&
						   props[i].rule >= 1),
			    "'%s' proposed", props[i].proposed);
	}
	crmf_proposals_free(props, n_props);

	for (size_t i = 0; i < N_CUSTOMERS; i++)
		crmf_customer_free(cs[i]);
	crmf_config_free(cfg);
	crmf_diags_release(&diags);
	return 0;
}
