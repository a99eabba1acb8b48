/* SPDX-License-Identifier: MIT */
/* Unit tests of schema.c: crmf.yaml loading and validation, typo suggestions. */
#include "unit.h"

/* ---- helpers ---- */

static crmf_config *load(const char *yaml, crmf_diags *d, int *rc)
{
	crmf_doc *doc = NULL;
	crmf_config *cfg = NULL;

	crmf_diags_init(d);
	if (crmf_doc_parse(&doc, "crmf.yaml", yaml, strlen(yaml), d) != 0)
		fail_msg("crmf.yaml did not parse: %s", d->n ? d->v[0].message : "?");
	*rc = crmf_config_load(&cfg, doc, d);
	crmf_doc_free(doc);
	assert_non_null(cfg);
	return cfg;
}

static void dump(const crmf_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_message("  %s:%d:%d: %s [%s]\n", d->v[i].path, d->v[i].line, d->v[i].column,
			      d->v[i].message, d->v[i].rule);
}

/* Assert a diagnostic `rule` at line:col whose message contains `text`. */
static void expect_at(const crmf_diags *d, const char *rule, int line, int col, const char *text)
{
	for (size_t i = 0; i < d->n; i++) {
		const crmf_diag *x = &d->v[i];

		if (strcmp(x->rule, rule) == 0 && x->line == line && x->column == col &&
		    strstr(x->message, text)) {
			assert_string_equal(x->path, "crmf.yaml");
			assert_int_equal(x->severity, CRMF_SEV_ERROR);
			return;
		}
	}
	dump(d);
	fail_msg("no [%s] at %d:%d containing \"%s\"", rule, line, col, text);
}

static void expect_count(const crmf_diags *d, size_t n)
{
	if (d->n != n) {
		dump(d);
		fail_msg("%zu diagnostics, expected %zu", d->n, n);
	}
	assert_int_equal(d->errors, n);
}

static void assert_strlist(const crmf_strlist *l, const char *const *v, size_t n)
{
	assert_int_equal(l->n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(l->v[i], v[i]);
}

#define ASSERT_STRLIST(l, ...)                                                                     \
	do {                                                                                       \
		static const char *const want_[] = {__VA_ARGS__};                                  \
		assert_strlist((l), want_, sizeof(want_) / sizeof(want_[0]));                      \
	} while (0)

static void assert_default_rules(const crmf_rules *r)
{
	assert_int_equal(r->dormant_after, 90);
	assert_int_equal(r->archive_after, 180);
	assert_true(r->high_value == 1000000);
	assert_int_equal(r->cadence_high, 3);
	assert_int_equal(r->cadence_medium, 14);
	assert_int_equal(r->cadence_low, 30);
	assert_int_equal(r->cadence_core, 30);
	assert_int_equal(r->first_a, 1);
	assert_int_equal(r->first_b, 2);
	assert_int_equal(r->first_c, 7);
}

/* ---- crmf_suggest ---- */

static const char *const customer_keys[] = {
	"id",	     "name",  "industry", "size",     "source", "created", "owner",	"stage",
	"potential", "grade", "tags",	  "contacts", "need",	"deals",   "followups",
};
#define N_KEYS (sizeof(customer_keys) / sizeof(customer_keys[0]))

static void test_suggest(void **state)
{
	static const char *const stages[] = {"lead",	 "intent",  "negotiation",
					     "customer", "at-risk", "lost"};
	static const char *const commands[] = {"init", "check", "due", "show", "list", "new", "log"};
	static const char *const grades[] = {"A", "B", "C"};
	static const char *const sources[] = {"官网", "展会", "转介绍", "电话", "拜访", "社交媒体"};
	static const char *const ties[] = {"bat", "hat", "cat2"};
	static const char *const with_null[] = {NULL, "stage"};
	char longword[100];

	(void)state;
	assert_string_equal(crmf_suggest("intnet", stages, 6), "intent"); /* transposition */
	assert_string_equal(crmf_suggest("negotation", stages, 6), "negotiation");
	assert_string_equal(crmf_suggest("at_risk", stages, 6), "at-risk");
	assert_string_equal(crmf_suggest("chek", commands, 7), "check");
	assert_string_equal(crmf_suggest("lsit", commands, 7), "list");
	assert_string_equal(crmf_suggest("contcats", customer_keys, N_KEYS), "contacts");
	assert_string_equal(crmf_suggest("folowups", customer_keys, N_KEYS), "followups");
	assert_string_equal(crmf_suggest("ptoential", customer_keys, N_KEYS), "potential");
	assert_string_equal(crmf_suggest("potntal", customer_keys, N_KEYS), "potential");
	assert_string_equal(crmf_suggest("stage", customer_keys, N_KEYS), "stage");
	assert_string_equal(crmf_suggest("Stage", customer_keys, N_KEYS), "stage");
	/* 'stauts' is 3 edits from 'stage': too far for a 6-letter word */
	assert_null(crmf_suggest("stauts", customer_keys, N_KEYS));
	/* thresholds: 1 below 5 code points, 2 from 5, 3 from 9 */
	assert_null(crmf_suggest("nxmy", customer_keys, N_KEYS));
	assert_string_equal(crmf_suggest("nxme", customer_keys, N_KEYS), "name");
	assert_string_equal(crmf_suggest("indastri", customer_keys, N_KEYS), "industry");
	assert_null(crmf_suggest("indaxtri", customer_keys, N_KEYS));
	assert_string_equal(crmf_suggest("fallawupz", customer_keys, N_KEYS), "followups");
	assert_null(crmf_suggest("fallawuz", customer_keys, N_KEYS));
	/* a candidate that starts with the word counts whatever the distance */
	assert_string_equal(crmf_suggest("foll", customer_keys, N_KEYS), "followups");
	assert_string_equal(crmf_suggest("neg", stages, 6), "negotiation");
	/* code points, not bytes: one CJK character is one edit */
	assert_string_equal(crmf_suggest("展汇", sources, 6), "展会");
	assert_string_equal(crmf_suggest("社交媒休", sources, 6), "社交媒体");
	assert_string_equal(crmf_suggest("专介绍", sources, 6), "转介绍");
	assert_null(crmf_suggest("网站", sources, 6));
	/* replacing the whole word is no typo */
	assert_null(crmf_suggest("D", grades, 3));
	assert_string_equal(crmf_suggest("B", grades, 3), "B");
	/* ties go to the first candidate */
	assert_string_equal(crmf_suggest("cat", ties, 3), "bat");
	assert_string_equal(crmf_suggest("sttage", with_null, 2), "stage");
	assert_null(crmf_suggest("", customer_keys, N_KEYS));
	assert_null(crmf_suggest(NULL, customer_keys, N_KEYS));
	assert_null(crmf_suggest("stage", NULL, 0));
	assert_null(crmf_suggest("zzzzzz", customer_keys, N_KEYS));
	memset(longword, 'a', sizeof(longword) - 1);
	longword[sizeof(longword) - 1] = '\0';
	assert_null(crmf_suggest(longword, customer_keys, N_KEYS));
	/* invalid UTF-8 is compared byte by byte, never read past its end */
	assert_null(crmf_suggest("\xe5\xb1", sources, 6));
	assert_string_equal(crmf_suggest("stag\xff", customer_keys, N_KEYS), "stage");
}

static void test_email(void **state)
{
	static const char *const good[] = {
		"a@b.cn", "zhang.wei@example.cn", "li_na+crm@mail.example.com", "x@例子.中国",
		"o'brien@example.ie", "张伟@example.cn",
	};
	static const char *const bad[] = {
		"", "a", "a@", "@b.cn", "a@b", "a@@b.cn", "a b@c.cn", ".a@b.cn", "a.@b.cn",
		"a..b@c.cn", "a@b..cn", "a@-b.cn", "a@b-.cn", "a@b.cn.", "a@.b.cn", "a@b_c.cn",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!crmf_email_valid(good[i]))
			fail_msg("'%s' rejected", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (crmf_email_valid(bad[i]))
			fail_msg("'%s' accepted", bad[i]);
	assert_string_equal(crmf_field_type_name(CRMF_FT_ENUM), "enum");
	assert_string_equal(crmf_field_type_name(CRMF_FT_LIST), "list");
}

/* ---- configuration ---- */

static void test_defaults(void **state)
{
	crmf_config *cfg = NULL;
	crmf_diags d;

	(void)state;
	crmf_diags_init(&d);
	assert_int_equal(crmf_config_load(&cfg, NULL, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(cfg->version, 1);
	assert_string_equal(cfg->id_format, "C{yyyy}{seq:3}");
	assert_string_equal(cfg->currency, "CNY");
	ASSERT_STRLIST(&cfg->sizes, "<50", "50-200", ">200");
	ASSERT_STRLIST(&cfg->sources, "官网", "展会", "转介绍", "电话", "拜访", "社交媒体",
		       "行业平台");
	assert_false(cfg->has_team);
	assert_int_equal(cfg->n_team, 0);
	assert_false(cfg->has_industries);
	assert_int_equal(cfg->industries.n, 0);
	assert_int_equal(cfg->n_fields, 0);
	assert_int_equal(cfg->n_labels, 0);
	assert_default_rules(&cfg->rules);
	assert_null(crmf_config_member(cfg, "zhang.wei"));
	assert_null(crmf_config_field(cfg, "region"));
	assert_string_equal(crmf_config_label(cfg, "stage", "lead"), "lead");
	crmf_config_free(cfg);
	crmf_config_free(NULL);
	/* diags may be NULL */
	assert_int_equal(crmf_config_load(&cfg, NULL, NULL), 0);
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static const char full_yaml[] =
	"# team settings\n"
	"version: 1\n"
	"id_format: \"C{yyyy}{seq:3}\"     # C2024001\n"
	"currency: CNY\n"
	"team: [zhang.wei, li.na, wang.fang]\n"
	"industries: [制造业/汽车零部件, 零售业/连锁餐饮, IT服务/云计算, 教育培训]\n"
	"enums:\n"
	"  size: [\"<50\", \"50-200\", \">200\"]\n"
	"  source: [官网, 展会, 转介绍, 电话, 拜访, 社交媒体, 行业平台]\n"
	"fields:                         # custom top-level fields\n"
	"  region: {type: enum, values: [华东, 华北, 华南, 西部], required: true}\n"
	"rules:\n"
	"  dormant_after: 90d\n"
	"  archive_after: 180d\n"
	"  high_value: 1000000\n"
	"  cadence: {high: 3d, medium: 14d, low: 30d, core: 30d}\n"
	"  first_contact: {A: 1d, B: 2d, C: 7d}\n"
	"labels:\n"
	"  stage: {lead: 潜在期, intent: 意向期, negotiation: 成交期, customer: 合作期, "
	"at-risk: 流失预警期, lost: 流失}\n";

/* A member who left: `left: DATE`, their last day; departed from the day after. */
static void test_member_left(void **state)
{
	crmf_diags d;
	int rc;
	crmf_config *cfg = load("team:\n"
				"  - zhang.wei\n"
				"  - {id: wang.fang, name: 王芳, left: 2025-06-30}\n"
				"  - {id: li.na, left: 2025-02-30}\n",
				&d, &rc);

	(void)state;
	expect_at(&d, "config-value", 4, 23, "invalid date '2025-02-30' in 'left'");
	expect_count(&d, 1);
	assert_int_equal(cfg->team[0].left, CRMF_NO_DAY);
	assert_int_equal(cfg->team[1].left, crmf_date_from_ymd(2025, 6, 30));
	assert_int_equal(cfg->team[2].left, CRMF_NO_DAY);
	assert_null(crmf_config_departed(cfg, "wang.fang", crmf_date_from_ymd(2025, 6, 30)));
	assert_ptr_equal(crmf_config_departed(cfg, "王芳", crmf_date_from_ymd(2025, 7, 1)),
			 &cfg->team[1]);
	assert_null(crmf_config_departed(cfg, "zhang.wei", crmf_date_from_ymd(2030, 1, 1)));
	assert_null(crmf_config_departed(cfg, "nobody", crmf_date_from_ymd(2030, 1, 1)));
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static void test_full(void **state)
{
	crmf_diags d;
	int rc;
	crmf_config *cfg = load(full_yaml, &d, &rc);
	const crmf_field_def *f;

	(void)state;
	expect_count(&d, 0);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg->version, 1);
	assert_string_equal(cfg->id_format, "C{yyyy}{seq:3}");
	assert_string_equal(cfg->currency, "CNY");
	assert_true(cfg->has_team);
	assert_int_equal(cfg->n_team, 3);
	assert_string_equal(cfg->team[0].id, "zhang.wei");
	assert_null(cfg->team[0].name);
	assert_null(cfg->team[0].email);
	assert_string_equal(cfg->team[2].id, "wang.fang");
	assert_true(cfg->has_industries);
	ASSERT_STRLIST(&cfg->industries, "制造业/汽车零部件", "零售业/连锁餐饮", "IT服务/云计算",
		       "教育培训");
	ASSERT_STRLIST(&cfg->sizes, "<50", "50-200", ">200");
	ASSERT_STRLIST(&cfg->sources, "官网", "展会", "转介绍", "电话", "拜访", "社交媒体",
		       "行业平台");
	assert_int_equal(cfg->n_fields, 1);
	f = crmf_config_field(cfg, "region");
	assert_ptr_equal(f, &cfg->fields[0]);
	assert_int_equal(f->type, CRMF_FT_ENUM);
	assert_true(f->required);
	ASSERT_STRLIST(&f->values, "华东", "华北", "华南", "西部");
	assert_null(crmf_config_field(cfg, "regio"));
	assert_default_rules(&cfg->rules);
	assert_int_equal(cfg->n_labels, 6);
	assert_string_equal(crmf_config_label(cfg, "stage", "at-risk"), "流失预警期");
	assert_string_equal(crmf_config_label(cfg, "stage", "lead"), "潜在期");
	assert_string_equal(crmf_config_label(cfg, "potential", "high"), "high");
	assert_string_equal(crmf_config_label(cfg, "stage", "other"), "other");
	assert_ptr_equal(crmf_config_member(cfg, "li.na"), &cfg->team[1]);
	assert_null(crmf_config_member(cfg, "Li.Na"));
	assert_null(crmf_config_member(cfg, NULL));
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static void test_values_typed_by_schema(void **state)
{
	crmf_diags d;
	int rc;
	crmf_config *cfg = load("version: \"1\"\n"
				"currency: USD\n"
				"id_format: KH-{yy}{mm}{dd}-{seq:4}\n"
				"team: [no, 007, true]\n"
				"industries: [null, 1.5]\n"
				"enums: {size: [yes, no, 0x10], source: [on, off, ~]}\n"
				"fields:\n"
				"  vip: {type: bool, required: false}\n"
				"  since: {type: date, required: \"true\"}\n"
				"  score: {type: number}\n"
				"  notes: {type: text}\n"
				"  topics: {type: list}\n"
				"  code: {type: string}\n"
				"rules:\n"
				"  dormant_after: 60\n"
				"  archive_after: 26w\n"
				"  high_value: \"250000.50\"\n"
				"  cadence: {core: 2w}\n"
				"  first_contact: {C: 0d}\n"
				"labels:\n"
				"  vip: {true: 重点, false: 普通}\n"
				"  potential: {high: 高潜力}\n"
				"  quadrant: {win-back: 挽回}\n"
				"  owner: {zhang.wei: 张伟}\n",
				&d, &rc);

	(void)state;
	expect_count(&d, 0);
	assert_int_equal(rc, 0);
	assert_string_equal(cfg->currency, "USD");
	assert_string_equal(cfg->id_format, "KH-{yy}{mm}{dd}-{seq:4}");
	assert_int_equal(cfg->n_team, 3);
	assert_string_equal(cfg->team[0].id, "no");
	assert_string_equal(cfg->team[1].id, "007");
	assert_string_equal(cfg->team[2].id, "true");
	ASSERT_STRLIST(&cfg->industries, "null", "1.5");
	ASSERT_STRLIST(&cfg->sizes, "yes", "no", "0x10");
	ASSERT_STRLIST(&cfg->sources, "on", "off", "~");
	assert_int_equal(cfg->n_fields, 6);
	assert_int_equal(crmf_config_field(cfg, "vip")->type, CRMF_FT_BOOL);
	assert_false(crmf_config_field(cfg, "vip")->required);
	assert_int_equal(crmf_config_field(cfg, "since")->type, CRMF_FT_DATE);
	assert_true(crmf_config_field(cfg, "since")->required);
	assert_int_equal(crmf_config_field(cfg, "score")->type, CRMF_FT_NUMBER);
	assert_int_equal(crmf_config_field(cfg, "notes")->type, CRMF_FT_TEXT);
	assert_int_equal(crmf_config_field(cfg, "topics")->type, CRMF_FT_LIST);
	assert_int_equal(crmf_config_field(cfg, "code")->type, CRMF_FT_STRING);
	assert_int_equal(cfg->rules.dormant_after, 60);
	assert_int_equal(cfg->rules.archive_after, 182);
	assert_true(cfg->rules.high_value == 250000.5);
	assert_int_equal(cfg->rules.cadence_core, 14);
	assert_int_equal(cfg->rules.cadence_high, 3);
	assert_int_equal(cfg->rules.first_c, 0);
	assert_int_equal(cfg->rules.first_a, 1);
	assert_string_equal(crmf_config_label(cfg, "vip", "true"), "重点");
	assert_string_equal(crmf_config_label(cfg, "quadrant", "win-back"), "挽回");
	assert_string_equal(crmf_config_label(cfg, "owner", "zhang.wei"), "张伟");
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static void test_null_and_empty(void **state)
{
	crmf_diags d;
	int rc;
	crmf_config *cfg = load("version:\n"
				"team:\n"
				"industries: []\n"
				"enums:\n"
				"rules:\n"
				"  cadence: ~\n"
				"labels: null\n",
				&d, &rc);

	(void)state;
	expect_count(&d, 0);
	assert_int_equal(rc, 0);
	assert_false(cfg->has_team);
	assert_false(cfg->has_industries);
	assert_int_equal(cfg->sizes.n, 3);
	assert_default_rules(&cfg->rules);
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static void test_team(void **state)
{
	crmf_diags d;
	int rc;
	crmf_config *cfg = load("team:\n"
				"  - zhang.wei\n"
				"  - {id: li.na, name: 李娜, email: Li.Na@Example.cn}\n"
				"  - name: 王芳\n"
				"    email: wang@example.cn\n"
				"  - {id: zhao, email: not-an-email}\n"
				"  - zhang.wei\n"
				"  - [x]\n"
				"  - {id: sun, mail: x@y.cn}\n"
				"  - \"\"\n"
				"  - id: li.na\n",
				&d, &rc);

	(void)state;
	assert_int_equal(rc, -1);
	expect_at(&d, "config-missing", 4, 5, "team member without 'id'");
	expect_at(&d, "config-value", 6, 23, "invalid email 'not-an-email'");
	expect_at(&d, "config-duplicate", 7, 5, "duplicate team member 'zhang.wei' (first at line 2)");
	expect_at(&d, "config-type", 8, 5, "team member must be an id or a mapping");
	expect_at(&d, "config-unknown-key", 9, 15, "unknown key 'mail' in 'team'; did you mean 'email'?");
	expect_at(&d, "config-value", 10, 5, "empty team member");
	expect_at(&d, "config-duplicate", 11, 9, "duplicate team member 'li.na' (first at line 3)");
	expect_count(&d, 7);
	assert_true(cfg->has_team);
	assert_int_equal(cfg->n_team, 4);
	assert_string_equal(cfg->team[1].name, "李娜");
	assert_string_equal(cfg->team[2].id, "zhao");
	assert_null(cfg->team[2].email);
	assert_string_equal(cfg->team[3].id, "sun");
	assert_ptr_equal(crmf_config_member(cfg, "li.na@example.CN"), &cfg->team[1]);
	assert_ptr_equal(crmf_config_member(cfg, "李娜"), &cfg->team[1]);
	assert_ptr_equal(crmf_config_member(cfg, "zhang.wei"), &cfg->team[0]);
	assert_null(crmf_config_member(cfg, "王芳"));
	assert_null(crmf_config_member(cfg, "Zhang.Wei"));
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static void test_member_id_wins(void **state)
{
	crmf_diags d;
	int rc;
	crmf_config *cfg = load("team:\n"
				"  - {id: a, name: b}\n"
				"  - {id: b, email: a@x.cn}\n",
				&d, &rc);

	(void)state;
	expect_count(&d, 0);
	assert_ptr_equal(crmf_config_member(cfg, "b"), &cfg->team[1]);
	assert_ptr_equal(crmf_config_member(cfg, "a"), &cfg->team[0]);
	assert_ptr_equal(crmf_config_member(cfg, "A@X.CN"), &cfg->team[1]);
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static void test_industries(void **state)
{
	crmf_diags d;
	int rc;
	crmf_config *cfg;

	(void)state;
	cfg = load("industries: [制造业/汽车零部件, IT服务/云计算, 制造业/汽车零部件, "
		   "a/b/c, /x, \"x/\", \"\", {a: b}, \" 教育\"]\n",
		   &d, &rc);
	assert_int_equal(rc, -1);
	expect_at(&d, "config-duplicate", 1, 35, "duplicate '制造业/汽车零部件' in 'industries'");
	expect_at(&d, "config-value", 1, 46, "invalid industry 'a/b/c'");
	expect_at(&d, "config-value", 1, 53, "invalid industry '/x'");
	expect_at(&d, "config-value", 1, 57, "invalid industry 'x/'");
	expect_at(&d, "config-value", 1, 63, "empty entry in 'industries'");
	expect_at(&d, "config-type", 1, 67, "'industries' must be a list of strings");
	expect_at(&d, "config-value", 1, 75, "invalid industry ' 教育'");
	expect_count(&d, 7);
	assert_true(cfg->has_industries);
	ASSERT_STRLIST(&cfg->industries, "制造业/汽车零部件", "IT服务/云计算");
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static void test_enums(void **state)
{
	crmf_diags d;
	int rc;
	crmf_config *cfg = load("enums:\n"
				"  size: []\n"
				"  source: [官网, 官网, \"\", {a: b}]\n"
				"  sizes: [a]\n"
				"  stage: [x]\n",
				&d, &rc);

	(void)state;
	assert_int_equal(rc, -1);
	expect_at(&d, "config-value", 2, 9, "'enums.size' is empty; list the allowed values");
	expect_at(&d, "config-duplicate", 3, 16, "duplicate '官网' in 'enums.source'");
	expect_at(&d, "config-value", 3, 20, "empty entry in 'enums.source'");
	expect_at(&d, "config-type", 3, 24, "'enums.source' must be a list of strings");
	expect_at(&d, "config-unknown-key", 4, 3, "unknown key 'sizes' in 'enums'; did you mean 'size'?");
	expect_at(&d, "config-unknown-key", 5, 3, "unknown key 'stage' in 'enums'; use size or source");
	expect_count(&d, 6);
	ASSERT_STRLIST(&cfg->sizes, "<50", "50-200", ">200");
	ASSERT_STRLIST(&cfg->sources, "官网");
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static void test_fields(void **state)
{
	crmf_diags d;
	int rc;
	crmf_config *cfg = load("fields:\n"
				"  region: {type: enum, values: [华东, 华北], required: true}\n"
				"  stage: {type: string}\n"
				"  Bad-Name: {type: string}\n"
				"  score: {type: numbr}\n"
				"  vip: {type: bool, required: yes}\n"
				"  level: {type: enum}\n"
				"  note: {type: text, values: [a]}\n"
				"  plain: {required: false}\n"
				"  tier: text\n"
				"  budget2: {type: list, requird: true}\n"
				"  kind: {type: enum, values: [a, a]}\n"
				"  _x: {type: string}\n"
				"  ok: {type: enum, values: []}\n"
				"  flag: {type: bool, required: True}\n"
				"  when:\n"
				"  what: {type: [string]}\n",
				&d, &rc);
	const crmf_field_def *f;

	(void)state;
	assert_int_equal(rc, -1);
	expect_at(&d, "config-value", 3, 3, "custom field 'stage' shadows the built-in field");
	expect_at(&d, "config-value", 4, 3, "invalid field name 'Bad-Name'");
	expect_at(&d, "config-value", 5, 17, "unknown type 'numbr' for 'score'; did you mean 'number'?");
	expect_at(&d, "config-value", 6, 31,
		  "invalid value 'yes' for 'fields.vip.required'; use true or false");
	expect_at(&d, "config-missing", 7, 10, "enum field 'level' has no 'values'");
	expect_at(&d, "config-value", 8, 30, "'values' is only for enum fields");
	expect_at(&d, "config-missing", 9, 10, "field 'plain' has no 'type'");
	expect_at(&d, "config-type", 10, 9, "'fields.tier' must be a mapping like {type: string}");
	expect_at(&d, "config-unknown-key", 11, 25,
		  "unknown key 'requird' in 'fields.budget2'; did you mean 'required'?");
	expect_at(&d, "config-duplicate", 12, 34, "duplicate 'a' in 'fields.kind.values'");
	expect_at(&d, "config-value", 13, 3, "invalid field name '_x'");
	expect_at(&d, "config-value", 14, 28, "'fields.ok.values' is empty");
	expect_at(&d, "config-value", 15, 32, "invalid value 'True'");
	expect_at(&d, "config-type", 16, 3, "'fields.when' must be a mapping");
	expect_at(&d, "config-type", 17, 16, "'fields.what.type' must be a type name, not a list");
	expect_count(&d, 15);

	f = crmf_config_field(cfg, "region");
	assert_int_equal(f->type, CRMF_FT_ENUM);
	ASSERT_STRLIST(&f->values, "华东", "华北");
	assert_null(crmf_config_field(cfg, "stage"));
	assert_null(crmf_config_field(cfg, "Bad-Name"));
	assert_null(crmf_config_field(cfg, "tier"));
	assert_null(crmf_config_field(cfg, "when"));
	/* invalid declarations still declare the field, as a string */
	assert_int_equal(crmf_config_field(cfg, "score")->type, CRMF_FT_STRING);
	assert_int_equal(crmf_config_field(cfg, "level")->type, CRMF_FT_STRING);
	assert_int_equal(crmf_config_field(cfg, "ok")->type, CRMF_FT_STRING);
	assert_int_equal(crmf_config_field(cfg, "plain")->type, CRMF_FT_STRING);
	assert_int_equal(crmf_config_field(cfg, "vip")->type, CRMF_FT_BOOL);
	assert_false(crmf_config_field(cfg, "vip")->required);
	assert_int_equal(crmf_config_field(cfg, "note")->type, CRMF_FT_TEXT);
	assert_int_equal(crmf_config_field(cfg, "budget2")->type, CRMF_FT_LIST);
	f = crmf_config_field(cfg, "kind");
	assert_int_equal(f->type, CRMF_FT_ENUM);
	ASSERT_STRLIST(&f->values, "a");
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

static void test_rules(void **state)
{
	crmf_diags d;
	int rc;
	crmf_config *cfg = load("rules:\n"
				"  dormant_after: 90 days\n"
				"  archive_after: -5d\n"
				"  high_value: 1,000,000\n"
				"  cadence: {high: 2w, medium: 10, low: 1m}\n"
				"  first_contact: {A: 0d, B: x, D: 3d}\n"
				"  dormant_afer: 30d\n",
				&d, &rc);

	(void)state;
	assert_int_equal(rc, -1);
	expect_at(&d, "config-value", 2, 18,
		  "invalid duration '90 days' for 'rules.dormant_after'; write days like 90d");
	expect_at(&d, "config-value", 3, 18, "invalid duration '-5d' for 'rules.archive_after'");
	expect_at(&d, "config-value", 4, 15, "invalid number '1,000,000' for 'rules.high_value'");
	expect_at(&d, "config-value", 5, 40, "invalid duration '1m' for 'rules.cadence.low'");
	expect_at(&d, "config-value", 6, 29, "invalid duration 'x' for 'rules.first_contact.B'");
	expect_at(&d, "config-unknown-key", 6, 32,
		  "unknown key 'D' in 'rules.first_contact'; use A, B or C or remove it");
	expect_at(&d, "config-unknown-key", 7, 3,
		  "unknown key 'dormant_afer' in 'rules'; did you mean 'dormant_after'?");
	assert_int_equal(cfg->rules.dormant_after, 90);
	assert_int_equal(cfg->rules.archive_after, 180);
	assert_true(cfg->rules.high_value == 1000000);
	assert_int_equal(cfg->rules.cadence_high, 14);
	assert_int_equal(cfg->rules.cadence_medium, 10);
	assert_int_equal(cfg->rules.cadence_low, 30);
	assert_int_equal(cfg->rules.first_a, 0);
	assert_int_equal(cfg->rules.first_b, 2);
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

/* One problem per document: crmf.yaml text, rule, line, column, message part. */
static const struct bad_case {
	const char *yaml, *rule;
	int line, col;
	const char *text;
} bad_cases[] = {
	{"version: 2\n", "config-version", 1, 10, "unsupported version '2'; this crmf reads version 1"},
	{"version: 1.0\n", "config-version", 1, 10, "unsupported version '1.0'"},
	{"# c\nversion: [1]\n", "config-type", 2, 10, "'version' must be a number, not a list"},
	{"teams: [a]\n", "config-unknown-key", 1, 1, "unknown key 'teams'; did you mean 'team'?"},
	{"version: 1\nxyzzy: 1\n", "config-unknown-key", 2, 1,
	 "unknown key 'xyzzy'; use version, id_format, currency, team, industries, enums, fields, "
	 "rules, labels, import, goals, assign or confidential or remove it"},
	{"rule:\n  high_value: 1\n", "config-unknown-key", 1, 1, "did you mean 'rules'?"},
	{"team: zhang.wei\n", "config-type", 1, 7, "'team' must be a list"},
	{"industries: {a: b}\n", "config-type", 1, 13, "'industries' must be a list"},
	{"enums: [size]\n", "config-type", 1, 8, "'enums' must be a mapping"},
	{"fields: [x]\n", "config-type", 1, 9, "'fields' must be a mapping"},
	{"rules: 90d\n", "config-type", 1, 8, "'rules' must be a mapping"},
	{"labels: [stage]\n", "config-type", 1, 9, "'labels' must be a mapping"},
	{"currency: [CNY]\n", "config-type", 1, 11, "'currency' must be a currency code"},
	{"rules:\n  cadence: 3d\n", "config-type", 2, 12, "'rules.cadence' must be a mapping"},
	{"rules:\n  cadence:\n    hihg: 3d\n", "config-unknown-key", 3, 5,
	 "unknown key 'hihg' in 'rules.cadence'; did you mean 'high'?"},
	{"rules:\n  high_value: -1\n", "config-value", 2, 15,
	 "invalid number '-1' for 'rules.high_value'; it must not be negative"},
	{"rules:\n  high_value: 1000000000001\n", "config-value", 2, 15,
	 "number '1000000000001' for 'rules.high_value' is out of range; write an amount from 0 "
	 "to 1000000000000"},
	{"rules:\n  high_value: 1" "000000000000000000000000000000000000000000000000000000000000"
	 "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	 "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	 "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	 "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000\n",
	 "config-value", 2, 15, "is out of range"},
	{"rules:\n  high_value: 1e6\n", "config-value", 2, 15, "invalid number '1e6'"},
	{"rules:\n  high_value: .5\n", "config-value", 2, 15, "invalid number '.5'"},
	{"rules:\n  high_value: {a: 1}\n", "config-type", 2, 15, "must be a number, not a mapping"},
	{"rules:\n  dormant_after: 99999999999d\n", "config-value", 2, 18, "invalid duration"},
	{"id_format: C{yyyy}\n", "config-value", 1, 12, "'id_format' has no {seq:N}; add one"},
	{"id_format: \"C{year}{seq:3}\"\n", "config-value", 1, 12,
	 "unknown placeholder '{year}' in 'id_format'; use {yyyy}, {yy}, {mm}, {dd} or {seq:N}"},
	{"id_format: \"C{seq:0}\"\n", "config-value", 1, 12, "unknown placeholder '{seq:0}'"},
	{"id_format: \"C{seq:10}\"\n", "config-value", 1, 12, "unknown placeholder '{seq:10}'"},
	{"id_format: \"C{seq:3\"\n", "config-value", 1, 12, "unknown placeholder '{seq:3'"},
	{"id_format: \"C {seq:3}\"\n", "config-value", 1, 12,
	 "character ' ' in 'id_format' is not allowed in ids"},
	{"id_format: \"客户{seq:3}\"\n", "config-value", 1, 12, "character '客' in 'id_format'"},
	{"id_format: \"C{seq:2}{seq:3}\"\n", "config-value", 1, 12, "more than one {seq:N}"},
	{"id_format: \"-{seq:3}\"\n", "config-value", 1, 12,
	 "'id_format' must start with a letter, a digit or a placeholder"},
	{"id_format: \"CUSTOMER-ACCOUNT-NUMBER-FOR-THE-WHOLE-COMPANY-{yyyy}{mm}{dd}-{seq:9}\"\n",
	 "config-value", 1, 12, "longer than 64 characters"},
	{"currency: rmb\n", "config-value", 1, 11, "invalid currency 'rmb'; use a 3-letter"},
	{"currency: CNYX\n", "config-value", 1, 11, "invalid currency 'CNYX'"},
	{"labels:\n  stage: {lead: 潜在期, intnet: 意向期}\n", "config-value", 2, 22,
	 "unknown stage 'intnet' in 'labels'; did you mean 'intent'?"},
	{"labels:\n  potental: {high: 高}\n", "config-unknown-key", 2, 3,
	 "unknown field 'potental' in 'labels'; did you mean 'potential'?"},
	{"fields:\n  region: {type: enum, values: [华东, 华北]}\nlabels:\n  region: {华东: E, 东北: NE}\n",
	 "config-value", 4, 19, "unknown region '东北' in 'labels'; did you mean '华北'?"},
	{"enums:\n  size: [小, 大]\nlabels:\n  size: {中: M}\n", "config-value", 4, 10,
	 "unknown size '中' in 'labels'; remove it"},
	{"labels:\n  grade: {A: [x]}\n", "config-type", 2, 14, "'labels.grade' must be a mapping of value: label"},
	{"labels:\n  grade: {A: }\n", "config-value", 2, 11, "empty label for 'grade' 'A'"},
	{"labels:\n  grade: [A]\n", "config-type", 2, 10, "'labels.grade' must be a mapping"},
};

static void test_bad_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		crmf_diags d;
		int rc;
		crmf_config *cfg = load(c->yaml, &d, &rc);

		if (rc != -1)
			fail_msg("case %zu returned %d", i, rc);
		expect_at(&d, c->rule, c->line, c->col, c->text);
		expect_count(&d, 1);
		/* invalid values fall back to the defaults */
		assert_string_equal(cfg->id_format, "C{yyyy}{seq:3}");
		assert_string_equal(cfg->currency, "CNY");
		assert_default_rules(&cfg->rules);
		assert_false(cfg->has_team);
		crmf_config_free(cfg);
		crmf_diags_release(&d);
	}
}

static void test_unparsable(void **state)
{
	/* what the YAML layer hands over when it could build no tree */
	crmf_doc doc = {.path = "crmf.yaml"};
	crmf_config *cfg = NULL;
	crmf_diags d;

	(void)state;
	crmf_diags_init(&d);
	assert_int_equal(crmf_config_load(&cfg, &doc, &d), -1);
	assert_int_equal(d.n, 0); /* the YAML layer has said why */
	assert_string_equal(cfg->currency, "CNY");
	assert_int_equal(cfg->sizes.n, 3);
	crmf_config_free(cfg);
	crmf_diags_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_left),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_values_typed_by_schema),
		cmocka_unit_test(test_null_and_empty),
		cmocka_unit_test(test_team),
		cmocka_unit_test(test_member_id_wins),
		cmocka_unit_test(test_industries),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_bad_cases),
		cmocka_unit_test(test_unparsable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
