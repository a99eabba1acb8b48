/* SPDX-License-Identifier: MIT */
/* Unit tests of assign.c and assign_rules.c: crmf.yaml `assign:`, matching, loads, choosing; where.c. */
#include "unit.h"

static const char TEAM[] = "team:\n"
			   "  - zhang.wei\n"
			   "  - li.na\n"
			   "  - {id: wang.fang, name: 王芳}\n"
			   "  - {id: zhou.min, left: 2024-12-31}\n"
			   "industries: [制造业/汽车零部件, 制造业/机械制造, IT服务/云计算]\n"
			   "fields:\n"
			   "  region: {type: enum, values: [华东, 华北], required: true}\n"
			   "  note: {type: text}\n";

static crmf_config *load(const char *assign, crmf_diags *d, int *rc)
{
	char *yaml = malloc(strlen(TEAM) + strlen(assign) + 1);
	crmf_doc *doc = NULL;
	crmf_config *cfg = NULL;

	strcpy(yaml, TEAM);
	strcat(yaml, assign);
	crmf_diags_init(d);
	if (crmf_doc_parse(&doc, "crmf.yaml", yaml, strlen(yaml), d) != 0)
		fail_msg("crmf.yaml did not parse: %s", d->n ? d->v[0].message : "?");
	*rc = crmf_config_load(&cfg, doc, d);
	crmf_doc_free(doc);
	free(yaml);
	return cfg;
}

static void dump(const crmf_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_message("  %d:%d: %s [%s]\n", d->v[i].line, d->v[i].column, d->v[i].message,
			      d->v[i].rule);
}

static void expect_at(const crmf_diags *d, crmf_severity sev, const char *rule, int line, int col,
		      const char *text)
{
	for (size_t i = 0; i < d->n; i++) {
		const crmf_diag *x = &d->v[i];

		if (strcmp(x->rule, rule) == 0 && x->line == line && x->column == col &&
		    x->severity == sev && strstr(x->message, text))
			return;
	}
	dump(d);
	fail_msg("no [%s] at %d:%d containing \"%s\"", rule, line, col, text);
}

/* A customer of the test team, as the file `path` (archive/… for an archived one). */
static crmf_customer *customer(const crmf_config *cfg, const char *path, const char *owner,
			       const char *stage, const char *region, const char *industry,
			       const char *source)
{
	char buf[1024];
	crmf_doc *doc = NULL;
	crmf_customer *c = NULL;
	crmf_diags d;
	const char *base = strrchr(path, '/') + 1;

	snprintf(buf, sizeof(buf),
		 "id: %.*s\nname: 某某公司\nindustry: %s\nsize: 50-200\nsource: %s\n"
		 "created: 2025-01-02\n%s%s%sstage: %s\nregion: %s\n"
		 "contacts:\n  - {name: 张三, phone: '13800000000'}\n"
		 "need: {type: 设备, description: 设备联网}\n",
		 (int)(strlen(base) - 5), base, industry, source, owner ? "owner: " : "",
		 owner ? owner : "", owner ? "\n" : "", stage, region);
	crmf_diags_init(&d);
	assert_int_equal(crmf_doc_parse(&doc, path, buf, strlen(buf), &d), 0);
	crmf_check_customer(&c, doc, path, cfg, crmf_date_from_ymd(2025, 6, 16), &d);
	assert_non_null(c);
	crmf_diags_release(&d);
	return c;
}

static void test_rules_loaded(void **state)
{
	crmf_diags d;
	int rc;
	crmf_config *cfg = load("assign:\n"
				"  - when: {region: 华东, industry: 制造业}\n"
				"    to: [li.na, 王芳]\n"
				"  - when: {source: [展会, 官网], region: 华北}\n"
				"    to: zhang.wei\n"
				"  - to: [zhang.wei, li.na]\n",
				&d, &rc);

	(void)state;
	if (rc != 0 || d.n)
		dump(&d);
	assert_int_equal(rc, 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(cfg->n_assign, 3);
	assert_int_equal(cfg->assign[0].number, 1);
	assert_int_equal(cfg->assign[0].n_when, 2);
	assert_string_equal(cfg->assign[0].when[1].field, "industry");
	assert_string_equal(cfg->assign[0].when[1].values.v[0], "制造业");
	/* a member named by name is kept by id */
	assert_string_equal(cfg->assign[0].to.v[1], "wang.fang");
	assert_int_equal(cfg->assign[1].when[0].values.n, 2);
	assert_int_equal(cfg->assign[1].to.n, 1);
	assert_int_equal(cfg->assign[2].n_when, 0);
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static void test_rules_invalid(void **state)
{
	crmf_diags d;
	int rc;
	/* line 11 is the first rule (TEAM has 9 lines, then assign:) */
	crmf_config *cfg = load("assign:\n"
				"  - when: {regoin: 华东, source: 展览}\n"
				"    to: [li.nna, zhou.min, li.na, li.na]\n"
				"  - when: {industry: 制造}\n"
				"    to: [li.na]\n"
				"  - when: {note: x}\n"
				"  - to: [li.na]\n"
				"  - {when: {region: 华北}, to: [li.na], who: 1}\n",
				&d, &rc);

	(void)state;
	assert_int_equal(rc, -1);
	expect_at(&d, CRMF_SEV_ERROR, "config-unknown-key", 11, 12,
		  "unknown field 'regoin' in assign rule 1; did you mean 'region'?");
	expect_at(&d, CRMF_SEV_ERROR, "config-value", 11, 32,
		  "invalid source '展览' in assign rule 1");
	expect_at(&d, CRMF_SEV_ERROR, "config-value", 12, 10,
		  "unknown team member 'li.nna' in assign rule 1; did you mean 'li.na'?");
	expect_at(&d, CRMF_SEV_WARNING, "config-member-left", 12, 18,
		  "'zhou.min' left the team on 2024-12-31 and is never chosen");
	expect_at(&d, CRMF_SEV_ERROR, "config-duplicate", 12, 35, "'li.na' is named twice");
	expect_at(&d, CRMF_SEV_ERROR, "config-value", 13, 22,
		  "invalid industry '制造' in assign rule 2; did you mean '制造业'?");
	/* a text field is no condition */
	expect_at(&d, CRMF_SEV_ERROR, "config-unknown-key", 15, 12, "unknown field 'note'");
	expect_at(&d, CRMF_SEV_ERROR, "config-missing", 15, 5, "assign rule 3 has no 'to'");
	expect_at(&d, CRMF_SEV_WARNING, "config-unreachable", 17, 5,
		  "assign rule 5 is never used: rule 4 has no 'when'");
	expect_at(&d, CRMF_SEV_ERROR, "config-unknown-key", 17, 39, "unknown key 'who'");
	/* only the valid rules are kept: 4 */
	assert_int_equal(cfg->n_assign, 1);
	assert_int_equal(cfg->assign[0].number, 4);
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static void test_rules_need_team(void **state)
{
	const char *yaml = "assign:\n  - to: [li.na]\n";
	crmf_doc *doc = NULL;
	crmf_config *cfg = NULL;
	crmf_diags d;

	(void)state;
	crmf_diags_init(&d);
	assert_int_equal(crmf_doc_parse(&doc, "crmf.yaml", yaml, strlen(yaml), &d), 0);
	assert_int_equal(crmf_config_load(&cfg, doc, &d), -1);
	expect_at(&d, CRMF_SEV_ERROR, "config-missing", 2, 3, "declare them under 'team'");
	assert_int_equal(cfg->n_assign, 0);
	crmf_doc_free(doc);
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static void test_choose(void **state)
{
	crmf_diags d;
	int rc;
	crmf_config *cfg = load("assign:\n"
				"  - when: {region: 华东, industry: 制造业}\n"
				"    to: [zhou.min, li.na, wang.fang]\n"
				"  - when: {source: 展会}\n"
				"    to: [zhou.min]\n"
				"  - to: [zhang.wei, li.na]\n",
				&d, &rc);
	crmf_day today = crmf_date_from_ymd(2025, 6, 16);
	crmf_customer *v[6];
	crmf_loads loads;
	crmf_assignment a;

	(void)state;
	assert_int_equal(rc, 0);
	v[0] = customer(cfg, "customers/C1.yaml", "li.na", "intent", "华东", "IT服务/云计算", "官网");
	v[1] = customer(cfg, "customers/C2.yaml", "li.na", "lead", "华北", "IT服务/云计算", "官网");
	/* lost and archived customers are no load */
	v[2] = customer(cfg, "customers/C3.yaml", "wang.fang", "lost", "华东", "IT服务/云计算", "官网");
	v[3] = customer(cfg, "archive/C4.yaml", "wang.fang", "intent", "华东", "IT服务/云计算", "官网");
	v[4] = customer(cfg, "customers/C5.yaml", "王芳", "intent", "华东", "IT服务/云计算", "官网");
	v[5] = customer(cfg, "customers/C6.yaml", NULL, "lead", "华东", "制造业/机械制造", "展会");
	crmf_loads_init(&loads, cfg);
	for (size_t i = 0; i < 6; i++)
		crmf_loads_add(&loads, v[i]);
	assert_int_equal(crmf_loads_of(&loads, "li.na"), 2);
	assert_int_equal(crmf_loads_of(&loads, "wang.fang"), 1);
	assert_int_equal(crmf_loads_of(&loads, "zhang.wei"), 0);

	/* rule 1 (a sector takes its sub-sectors); zhou.min left; wang.fang has fewer */
	assert_true(crmf_assign_choose(&a, cfg, &loads, v[5], today));
	assert_string_equal(a.owner, "wang.fang");
	assert_int_equal(a.rule->number, 1);
	assert_int_equal(a.candidates, 2);
	assert_string_equal(a.why, "rule 1: region 华东, industry 制造业; 1 open customer, "
				   "fewest of 2");
	/* a tie goes to the one written first */
	crmf_loads_bump(&loads, "wang.fang");
	assert_true(crmf_assign_choose(&a, cfg, &loads, v[5], today));
	assert_string_equal(a.owner, "li.na");
	/* before zhou.min's last day she can still be chosen */
	assert_true(crmf_assign_choose(&a, cfg, &loads, v[5], crmf_date_from_ymd(2024, 12, 31)));
	assert_string_equal(a.owner, "zhou.min");

	/* rule 2's group has left: the next rule that matches, the fallback */
	assert_false(crmf_assign_matches(&cfg->assign[0], v[1]));
	assert_true(crmf_assign_choose(&a, cfg, &loads, v[0], today));
	assert_int_equal(a.rule->number, 3);
	assert_string_equal(a.owner, "zhang.wei");
	assert_string_equal(a.why, "rule 3, the fallback; 0 open customers, fewest of 2");
	crmf_loads_release(&loads);
	for (size_t i = 0; i < 6; i++)
		crmf_customer_free(v[i]);
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static void test_choose_none(void **state)
{
	crmf_diags d;
	int rc;
	crmf_config *cfg = load("assign:\n  - when: {source: 展会}\n    to: [zhou.min]\n", &d, &rc);
	crmf_customer *c = customer(cfg, "customers/C1.yaml", NULL, "lead", "华东", "IT服务/云计算",
				    "展会");
	crmf_customer *o = customer(cfg, "customers/C2.yaml", NULL, "lead", "华东", "IT服务/云计算",
				    "官网");
	crmf_loads loads;
	crmf_assignment a;

	(void)state;
	crmf_loads_init(&loads, cfg);
	assert_false(crmf_assign_choose(&a, cfg, &loads, c, crmf_date_from_ymd(2025, 6, 16)));
	assert_null(a.owner);
	assert_string_equal(a.why, "no assignment rule applies: everyone in rule 1 has left the team");
	assert_false(crmf_assign_choose(&a, cfg, &loads, o, crmf_date_from_ymd(2025, 6, 16)));
	assert_string_equal(a.why, "no assignment rule matches");
	crmf_loads_release(&loads);
	crmf_customer_free(c);
	crmf_customer_free(o);
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static void test_propose_spreads(void **state)
{
	crmf_diags d;
	int rc;
	crmf_config *cfg = load("assign:\n  - to: [li.na, wang.fang]\n", &d, &rc);
	crmf_customer *v[5];
	crmf_repo repo = {0};
	crmf_proposal *p = NULL;
	crmf_expr *where = NULL;
	size_t n = 0;
	char err[256];
	int col;

	(void)state;
	v[0] = customer(cfg, "customers/C1.yaml", "li.na", "intent", "华东", "IT服务/云计算", "官网");
	v[1] = customer(cfg, "customers/C2.yaml", NULL, "lead", "华东", "IT服务/云计算", "官网");
	v[2] = customer(cfg, "customers/C3.yaml", "zhou.min", "lead", "华北", "IT服务/云计算", "官网");
	/* a lost customer of one who left needs no owner */
	v[3] = customer(cfg, "customers/C4.yaml", "zhou.min", "lost", "华东", "IT服务/云计算", "官网");
	v[4] = customer(cfg, "customers/C5.yaml", "nobody", "lead", "华东", "IT服务/云计算", "官网");
	repo.cfg = cfg;
	repo.v = v;
	repo.n = 5;
	assert_int_equal(crmf_assign_propose(&p, &n, &repo, NULL, crmf_date_from_ymd(2025, 6, 16)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(p[0].id, "C2");
	assert_null(p[0].owner);
	assert_string_equal(p[0].proposed, "wang.fang");
	/* wang.fang has one now: a tie, the first written */
	assert_string_equal(p[1].id, "C3");
	assert_string_equal(p[1].owner, "zhou.min");
	assert_string_equal(p[1].proposed, "li.na");
	assert_string_equal(p[2].proposed, "wang.fang");
	assert_int_equal(p[2].rule, 1);
	crmf_proposals_free(p, n);

	/* --where narrows it */
	assert_int_equal(crmf_where_compile(&where, cfg, "region = 华北", crmf_date_from_ymd(2025, 6, 16),
					    err, sizeof(err), &col),
			 0);
	crmf_assign_propose(&p, &n, &repo, where, crmf_date_from_ymd(2025, 6, 16));
	assert_int_equal(n, 1);
	assert_string_equal(p[0].id, "C3");
	/* the one with fewer open customers, as the whole repository counts */
	assert_string_equal(p[0].proposed, "wang.fang");
	crmf_proposals_free(p, n);
	crmf_expr_free(where);
	for (size_t i = 0; i < 5; i++)
		crmf_customer_free(v[i]);
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static void test_where(void **state)
{
	crmf_diags d;
	int rc;
	crmf_config *cfg = load("", &d, &rc);
	crmf_day today = crmf_date_from_ymd(2025, 6, 16);
	crmf_customer *c = customer(cfg, "customers/C1.yaml", "li.na", "intent", "华东",
				    "IT服务/云计算", "官网");
	crmf_expr *e = NULL;
	char err[256];
	int col = 0;

	(void)state;
	assert_int_equal(crmf_where_compile(&e, cfg, "stauts = lead", today, err, sizeof(err), &col),
			 -1);
	assert_null(e);
	assert_string_equal(err, "unknown field 'stauts'; did you mean 'stage'?");
	assert_int_equal(col, 1);
	assert_int_equal(crmf_where_compile(&e, cfg, "region = 华中", today, err, sizeof(err), &col),
			 -1);
	assert_non_null(strstr(err, "invalid region '华中'"));
	assert_int_equal(crmf_where_compile(&e, cfg,
					    "region = 华东 and stage = intent and activity = dormant "
					    "and contacts.phone ~ 138",
					    today, err, sizeof(err), &col),
			 0);
	assert_true(crmf_where_match(e, c, cfg, today));
	crmf_expr_free(e);
	assert_int_equal(crmf_where_compile(&e, cfg, "owner != li.na", today, err, sizeof(err), &col),
			 0);
	assert_false(crmf_where_match(e, c, cfg, today));
	assert_true(crmf_where_match(NULL, c, cfg, today));
	crmf_expr_free(e);
	crmf_customer_free(c);
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_loaded),   cmocka_unit_test(test_rules_invalid),
		cmocka_unit_test(test_rules_need_team), cmocka_unit_test(test_choose),
		cmocka_unit_test(test_choose_none),    cmocka_unit_test(test_propose_spreads),
		cmocka_unit_test(test_where),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
