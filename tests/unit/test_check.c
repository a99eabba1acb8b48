/* SPDX-License-Identifier: MIT */
/* Unit tests of check.c: one customer file against the schema, and the checks across files. */
#include "unit.h"
#include "util.h"

#define PATH "customers/C2024001.yaml"

/* Lines 1-8 of a valid customer; CONTACT is lines 9-11, NEED lines 12-14. */
#define HEAD                                                                   \
	"id: C2024001\n"                                                           \
	"name: 杭州云启科技有限公司\n"                                             \
	"industry: IT服务/云计算\n"                                                \
	"size: 50-200\n"                                                           \
	"source: 展会\n"                                                           \
	"created: 2024-01-15\n"                                                    \
	"owner: zhang.wei\n"                                                       \
	"stage: intent\n"
#define CONTACT                                                                \
	"contacts:\n"                                                              \
	"  - name: 张伟\n"                                                         \
	"    phone: \"+86 138 0013 8000\"\n"
#define NEED                                                                   \
	"need:\n"                                                                  \
	"  type: 采购产品A\n"                                                      \
	"  description: 降低生产成本20%\n"
#define BASE HEAD CONTACT NEED

static const char format_example[] =
	"# Comments anywhere are the user's and must survive every crmf edit.\n"
	"id: C2024001                  # required, unique, equals the file name\n"
	"name: 杭州云启科技有限公司       # required; full legal name\n"
	"industry: IT服务/云计算         # required\n"
	"size: 50-200                  # required; one of crmf.yaml enums.size\n"
	"source: 展会                   # required; one of crmf.yaml enums.source\n"
	"created: 2024-01-15           # required date (YYYY-MM-DD)\n"
	"owner: zhang.wei              # required; in crmf.yaml `team` when that list exists\n"
	"stage: intent                 # required\n"
	"potential: high               # optional: high | medium | low\n"
	"grade: A                      # optional lead grade: A | B | C\n"
	"tags: [品质优先, 制造业]        # optional list of strings\n"
	"contacts:                     # required, at least one\n"
	"  - name: 张伟\n"
	"    title: 采购总监\n"
	"    phone: \"+86 138 0013 8000\"\n"
	"    email: zhangwei@example.cn\n"
	"    primary: true             # at most one primary\n"
	"need:                         # required: type and description\n"
	"  type: 采购产品A\n"
	"  description: 降低生产成本20%\n"
	"  budget: 50万-100万           # optional free text\n"
	"  timeline: 3个月内             # optional\n"
	"deals:                        # optional\n"
	"  - amount: 500000            # required number\n"
	"    signed: 2024-03-01        # required date\n"
	"    expires: 2025-02-28       # optional date\n"
	"followups:                    # optional, append-only in normal use\n"
	"  - date: 2024-02-01          # required\n"
	"    by: zhang.wei             # required; in team when declared\n"
	"    method: phone             # required\n"
	"    with: 张伟                 # optional: who was spoken to\n"
	"    summary: 客户对方案A交付周期有疑问   # required, concrete\n"
	"    feedback: 希望看到同行案例    # optional\n"
	"    next: 发送汽车行业案例        # optional next action\n"
	"    due: 2024-02-08           # optional deadline of `next`\n";

static const char team_yaml[] =
	"team: [zhang.wei, li.na, wang.fang]\n"
	"industries: [制造业/汽车零部件, 零售业/连锁餐饮, IT服务/云计算, 教育培训]\n";

static const char fields_yaml[] =
	"fields:\n"
	"  region: {type: enum, values: [华东, 华北, 华南, 西部], required: true}\n"
	"  score: {type: number}\n"
	"  vip: {type: bool}\n"
	"  since: {type: date}\n"
	"  brands: {type: list}\n"
	"  note: {type: text}\n";

static crmf_day today(void)
{
	return crmf_date_from_ymd(2025, 1, 15);
}

static crmf_config *config(const char *yaml)
{
	crmf_config *cfg = NULL;
	crmf_doc *doc = NULL;
	crmf_diags d;

	crmf_diags_init(&d);
	if (yaml)
		assert_int_equal(crmf_doc_parse(&doc, "crmf.yaml", yaml, strlen(yaml), &d), 0);
	assert_int_equal(crmf_config_load(&cfg, doc, &d), 0);
	assert_int_equal(d.n, 0);
	crmf_doc_free(doc);
	crmf_diags_release(&d);
	return cfg;
}

static void dump(const crmf_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_message("  %d:%d: %s: %s [%s]\n", d->v[i].line, d->v[i].column,
			      crmf_severity_name(d->v[i].severity), d->v[i].message, d->v[i].rule);
}

/* Check `yaml` as file `path`: its YAML must parse cleanly. */
static crmf_customer *check_as(const char *path, const char *yaml, const crmf_config *cfg,
			       crmf_diags *d, int *rc)
{
	crmf_customer *c = NULL;
	crmf_doc *doc = NULL;
	crmf_diags pd;

	crmf_diags_init(&pd);
	crmf_doc_parse(&doc, path, yaml, strlen(yaml), &pd);
	if (pd.n) {
		dump(&pd);
		fail_msg("the test's YAML does not parse");
	}
	crmf_diags_release(&pd);
	*rc = crmf_check_customer(&c, doc, path, cfg, today(), d);
	return c;
}

struct fx {
	crmf_config *cfg, *team, *fields;
	crmf_diags d;
	crmf_customer *c;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->cfg = config(NULL);
	f->team = config(team_yaml);
	f->fields = config(fields_yaml);
	crmf_diags_init(&f->d);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	crmf_customer_free(f->c);
	crmf_config_free(f->cfg);
	crmf_config_free(f->team);
	crmf_config_free(f->fields);
	crmf_diags_release(&f->d);
	free(f);
	return 0;
}

/* Check with the default configuration as customers/C2024001.yaml. */
static crmf_customer *check(struct fx *f, const char *yaml)
{
	int rc;

	crmf_customer_free(f->c);
	crmf_diags_release(&f->d);
	f->c = check_as(PATH, yaml, f->cfg, &f->d, &rc);
	assert_non_null(f->c);
	assert_int_equal(rc, f->c->errors ? -1 : 0);
	assert_int_equal(f->c->errors, f->d.errors);
	return f->c;
}

static crmf_customer *check_cfg(struct fx *f, const char *yaml, const crmf_config *cfg)
{
	const crmf_config *save = f->cfg;

	f->cfg = (crmf_config *)cfg;
	check(f, yaml);
	f->cfg = (crmf_config *)save;
	return f->c;
}

/* Exactly one diagnostic, with this severity, rule, position, and a message
 * containing `msg`. */
static void expect1(const crmf_diags *d, crmf_severity sev, const char *rule, int line, int col,
		    const char *msg)
{
	if (d->n != 1) {
		dump(d);
		fail_msg("expected 1 diagnostic, got %zu", d->n);
	}
	if (strcmp(d->v[0].rule, rule) != 0 || !strstr(d->v[0].message, msg) ||
	    d->v[0].line != line || d->v[0].column != col || d->v[0].severity != sev) {
		dump(d);
		fail_msg("expected %d:%d %s '%s'", line, col, rule, msg);
	}
}

#define ERR1(f, rule, line, col, msg) expect1(&(f)->d, CRMF_SEV_ERROR, rule, line, col, msg)
#define WARN1(f, rule, line, col, msg) expect1(&(f)->d, CRMF_SEV_WARNING, rule, line, col, msg)

/* The diagnostic at line:col, which must exist. */
static const crmf_diag *at(const crmf_diags *d, int line, int col)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].line == line && d->v[i].column == col)
			return &d->v[i];
	dump(d);
	fail_msg("no diagnostic at %d:%d", line, col);
	return NULL;
}

static void clean(struct fx *f)
{
	if (f->d.n) {
		dump(&f->d);
		fail_msg("expected no diagnostic");
	}
	assert_int_equal(f->c->errors, 0);
}

/* A valid file */

static void test_format_example(void **state)
{
	struct fx *f = *state;
	const crmf_config *cfgs[2] = {f->cfg, f->team};

	for (int i = 0; i < 2; i++) {
		crmf_customer *c = check_cfg(f, format_example, cfgs[i]);

		clean(f);
		assert_string_equal(c->path, PATH);
		assert_false(c->archived);
		assert_string_equal(c->id, "C2024001");
		assert_string_equal(c->name, "杭州云启科技有限公司");
		assert_string_equal(c->industry, "IT服务/云计算");
		assert_string_equal(c->size, "50-200");
		assert_string_equal(c->source, "展会");
		assert_int_equal(c->created, crmf_date_from_ymd(2024, 1, 15));
		assert_string_equal(c->owner, "zhang.wei");
		assert_int_equal(c->stage, CRMF_STAGE_INTENT);
		assert_int_equal(c->potential, CRMF_POTENTIAL_HIGH);
		assert_int_equal(c->grade, 'A');
		assert_int_equal(c->n_tags, 2);
		assert_string_equal(c->tags[0], "品质优先");
		assert_string_equal(c->tags[1], "制造业");
		assert_int_equal(c->n_contacts, 1);
		assert_string_equal(c->contacts[0].name, "张伟");
		assert_string_equal(c->contacts[0].title, "采购总监");
		assert_string_equal(c->contacts[0].phone, "+86 138 0013 8000");
		assert_string_equal(c->contacts[0].email, "zhangwei@example.cn");
		assert_true(c->contacts[0].primary);
		assert_int_equal(c->contacts[0].node->line, 14);
		assert_string_equal(c->need_type, "采购产品A");
		assert_string_equal(c->need_description, "降低生产成本20%");
		assert_string_equal(c->need_budget, "50万-100万");
		assert_string_equal(c->need_timeline, "3个月内");
		assert_int_equal(c->n_deals, 1);
		assert_true(c->deals[0].amount == 500000);
		assert_int_equal(c->deals[0].signed_on, crmf_date_from_ymd(2024, 3, 1));
		assert_int_equal(c->deals[0].expires, crmf_date_from_ymd(2025, 2, 28));
		assert_int_equal(c->deals[0].node->line, 25);
		assert_int_equal(c->n_followups, 1);
		assert_int_equal(c->followups[0].date, crmf_date_from_ymd(2024, 2, 1));
		assert_int_equal(c->followups[0].minute, -1);
		assert_string_equal(c->followups[0].by, "zhang.wei");
		assert_string_equal(c->followups[0].method, "phone");
		assert_string_equal(c->followups[0].with, "张伟");
		assert_string_equal(c->followups[0].summary, "客户对方案A交付周期有疑问");
		assert_string_equal(c->followups[0].feedback, "希望看到同行案例");
		assert_string_equal(c->followups[0].next, "发送汽车行业案例");
		assert_int_equal(c->followups[0].due, crmf_date_from_ymd(2024, 2, 8));
		assert_int_equal(c->followups[0].node->line, 29);
	}
}

/* Contacted but potential not judged: a warning at `stage`, none before the
 * first follow-up, none for a lost or archived customer (issue 13). */
static void test_missing_potential(void **state)
{
	struct fx *f = *state;
#define CONTACTED                                                              \
	"followups:\n"                                                             \
	"  - date: 2024-02-01\n"                                                   \
	"    by: zhang.wei\n"                                                      \
	"    method: phone\n"                                                      \
	"    summary: 电话沟通需求，约下周拜访\n"

	check(f, HEAD CONTACT "need: {type: 采购产品A, description: 降低生产成本20%}\n");
	assert_int_equal(f->d.n, 0);
	check(f, HEAD CONTACT "need: {type: 采购产品A, description: 降低生产成本20%}\n" CONTACTED);
	expect1(&f->d, CRMF_SEV_WARNING, "missing-potential", 8, 1,
		"potential is not set although the customer has been contacted");
	check(f, BASE CONTACTED "potential: medium\n");
	assert_int_equal(f->d.n, 0);
	check(f, "id: C2024001\nname: x\nindustry: IT服务/云计算\nsize: 50-200\nsource: 展会\n"
		 "created: 2024-01-15\nowner: zhang.wei\nstage: lost\n" CONTACT NEED CONTACTED);
	assert_int_equal(f->d.n, 0);
#undef CONTACTED
}

static void test_minimal_defaults(void **state)
{
	struct fx *f = *state;
	crmf_customer *c = check(f, BASE);

	clean(f);
	assert_int_equal(c->potential, CRMF_POTENTIAL_NONE);
	assert_int_equal(c->grade, 0);
	assert_int_equal(c->n_tags, 0);
	assert_int_equal(c->n_deals, 0);
	assert_int_equal(c->n_followups, 0);
	assert_null(c->need_budget);
	assert_null(c->contacts[0].email);
	assert_false(c->contacts[0].primary);
}

static void test_archived_and_subfolder(void **state)
{
	struct fx *f = *state;
	crmf_customer *c;
	int rc;

	c = check_as("archive/2024/C2024001.yml", BASE, f->cfg, &f->d, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(f->d.n, 0);
	assert_true(c->archived);
	assert_string_equal(c->path, "archive/2024/C2024001.yml");
	crmf_customer_free(c);
}

static void test_no_mapping_root(void **state)
{
	struct fx *f = *state;
	crmf_customer *c = (crmf_customer *)1;
	crmf_doc *doc = NULL;
	crmf_diags pd;

	crmf_diags_init(&pd);
	crmf_doc_parse(&doc, PATH, "- a\n- b\n", 8, &pd);
	assert_non_null(doc);
	assert_int_equal(crmf_check_customer(&c, doc, PATH, f->cfg, today(), &f->d), -1);
	assert_null(c);
	assert_int_equal(crmf_check_customer(&c, NULL, PATH, f->cfg, today(), &f->d), -1);
	assert_null(c);
	assert_int_equal(f->d.n, 0); /* the parser reports it */
	crmf_diags_release(&pd);
	crmf_customer_free(NULL);
}

/* Required fields, unknown fields, types */

static void test_missing_top_level(void **state)
{
	struct fx *f = *state;
	static const char *const fields[] = {
		"'name'", "'industry'", "'size'", "'source'", "'created'",
		"'owner'", "'stage'", "'contacts'", "'need'",
	};
	crmf_customer *c = check(f, "id: C2024001\n");

	assert_int_equal(f->d.n, 9);
	assert_int_equal(c->errors, 9);
	for (size_t i = 0; i < f->d.n; i++) {
		assert_string_equal(f->d.v[i].rule, "missing-field");
		assert_int_equal(f->d.v[i].line, 1);
		assert_int_equal(f->d.v[i].column, 1);
		assert_non_null(strstr(f->d.v[i].message, fields[i]));
		assert_non_null(strstr(f->d.v[i].message, "add"));
	}
	assert_string_equal(c->id, "C2024001");
	assert_null(c->name);
	assert_int_equal(c->stage, CRMF_STAGE_NONE);
	assert_int_equal(c->created, CRMF_NO_DAY);
}

static void test_missing_id_names_file(void **state)
{
	struct fx *f = *state;

	check(f, "name: x\n" "industry: IT服务/云计算\n" "size: 50-200\n" "source: 展会\n"
		 "created: 2024-01-15\n" "owner: zhang.wei\n" "stage: intent\n" CONTACT NEED);
	ERR1(f, "missing-field", 1, 1, "missing required field 'id'; add 'id: C2024001'");
}

static void test_empty_value_is_missing(void **state)
{
	struct fx *f = *state;

	check(f, "id: C2024001\n" "name:\n" "industry: IT服务/云计算\n" "size: 50-200\n"
		 "source: 展会\n" "created: 2024-01-15\n" "owner: zhang.wei\n" "stage: ''\n"
		 CONTACT NEED);
	assert_int_equal(f->d.n, 2);
	assert_string_equal(at(&f->d, 2, 1)->rule, "missing-field");
	assert_non_null(strstr(at(&f->d, 2, 1)->message, "'name'"));
	assert_non_null(strstr(at(&f->d, 8, 1)->message, "'stage'"));
	assert_null(f->c->name);
}

static void test_unknown_top_level(void **state)
{
	struct fx *f = *state;

	check(f, BASE "stauts: lead\n");
	ERR1(f, "unknown-field", 15, 1, "unknown field 'stauts'; did you mean 'stage'?");
	assert_string_equal(f->d.v[0].message, "unknown field 'stauts'; did you mean 'stage'?");
	check(f, BASE "wholly_new: 1\n");
	ERR1(f, "unknown-field", 15, 1,
	     "unknown field 'wholly_new'; remove it or declare it under 'fields' in crmf.yaml");
}

static void test_unknown_nested(void **state)
{
	struct fx *f = *state;

	check(f, HEAD "contacts:\n" "  - name: 张伟\n" "    phone: \"13800138000\"\n"
		      "    emial: a@b.cn\n" NEED);
	ERR1(f, "unknown-field", 12, 5, "unknown contact field 'emial'; did you mean 'email'?");
	/* a name from another tool is answered with the field meant */
	check(f, HEAD "contacts:\n" "  - name: 张伟\n" "    mobile: '13800138000'\n" NEED);
	assert_int_equal(f->d.n, 2);
	assert_string_equal(at(&f->d, 11, 5)->message,
			    "unknown contact field 'mobile'; did you mean 'phone'?");
	assert_string_equal(at(&f->d, 10, 3)->rule, "contact-reach");
	check(f, HEAD CONTACT NEED "  budgte: 10万\n");
	ERR1(f, "unknown-field", 15, 3, "unknown need field 'budgte'; did you mean 'budget'?");
	check(f, BASE "deals:\n" "  - amount: 1\n" "    signed: 2024-03-01\n" "    product: X\n");
	ERR1(f, "unknown-field", 18, 5, "unknown deal field 'product'; use one of amount, signed, expires");
	check(f, BASE "followups:\n" "  - date: 2024-02-01\n" "    by: li\n" "    method: visit\n"
		      "    summary: 讨论了报价单的第三项\n" "    nxt: 发报价\n" "potential: medium\n");
	ERR1(f, "unknown-field", 20, 5, "unknown follow-up field 'nxt'; did you mean 'next'?");
}

static void test_wrong_types(void **state)
{
	struct fx *f = *state;

	check(f, "id: C2024001\n" "name: [a, b]\n" "industry: IT服务/云计算\n" "size: 50-200\n"
		 "source: 展会\n" "created: 2024-01-15\n" "owner: zhang.wei\n" "stage: intent\n"
		 CONTACT NEED);
	ERR1(f, "wrong-type", 2, 7, "'name' must be a single value, not a list");
	check(f, HEAD "contacts: {name: 张伟, phone: '13800138000'}\n" NEED);
	ERR1(f, "wrong-type", 9, 11, "'contacts' must be a list, not a mapping");
	check(f, HEAD CONTACT "need: 采购\n");
	ERR1(f, "wrong-type", 12, 7, "'need' must be a mapping, not a single value");
	check(f, HEAD "contacts:\n" "  - 张伟 13800138000\n" NEED);
	ERR1(f, "wrong-type", 10, 5, "a contact must be a mapping, not a single value");
	check(f, BASE "tags: 制造业\n");
	ERR1(f, "wrong-type", 15, 7, "'tags' must be a list, not a single value");
	check(f, BASE "followups:\n" "  - [2024-02-01, phone]\n" "potential: medium\n");
	ERR1(f, "wrong-type", 16, 5, "a follow-up must be a mapping, not a list");
}

static void test_yaml_11_values_are_strings(void **state)
{
	struct fx *f = *state;
	int rc;

	check(f, HEAD "contacts:\n" "  - name: 张伟\n" "    phone: 13800138000\n" NEED);
	clean(f);
	assert_string_equal(f->c->contacts[0].phone, "13800138000");

	crmf_customer_free(f->c);
	crmf_diags_release(&f->d);
	f->c = check_as("customers/007.yaml",
			"id: 007\n" "name: 零零七贸易\n" "industry: 零售业\n" "size: <50\n"
			"source: 电话\n" "created: 2024-01-15\n" "owner: li.na\n" "stage: lead\n"
			CONTACT NEED, f->cfg, &f->d, &rc);
	assert_int_equal(rc, 0);
	clean(f);
	assert_string_equal(f->c->id, "007");

	check(f, "id: C2024001\n" "name: x\n" "industry: IT服务/云计算\n" "size: no\n"
		 "source: 展会\n" "created: 2024-01-15\n" "owner: zhang.wei\n" "stage: intent\n"
		 CONTACT NEED);
	ERR1(f, "invalid-enum", 4, 7, "invalid size 'no'; use one of <50, 50-200, >200");
	assert_null(f->c->size);
}

/* The allowed tags change nothing; the others are the parser's to refuse
 * (see test_doc.c), the tree still there for checking. */
static void test_yaml_tags(void **state)
{
	struct fx *f = *state;
	crmf_customer *c = NULL;
	crmf_doc *doc = NULL;
	crmf_diags pd;

	check(f, "id: !!str C2024001\n" "! name: ! x\n" "industry: IT服务/云计算\n"
		 "size: 50-200\n" "source: 展会\n" "created: 2024-01-15\n" "owner: zhang.wei\n"
		 "stage: intent\n" "tags: !!seq [a, !!str b]\n" CONTACT "need: !!map\n"
		 "  type: 采购产品A\n" "  description: 降低生产成本20%\n");
	assert_int_equal(f->d.n, 0);
	assert_string_equal(f->c->id, "C2024001");
	assert_string_equal(f->c->name, "x");

	crmf_diags_init(&pd);
	crmf_doc_parse(&doc, PATH, "!!int grade: A\n" BASE "deals:\n  - amount: !!int 5\n"
				   "    signed: 2024-03-01\n",
		       strlen("!!int grade: A\n" BASE "deals:\n  - amount: !!int 5\n"
			      "    signed: 2024-03-01\n"),
		       &pd);
	assert_int_equal(pd.n, 2);
	assert_diag_at(&pd, "yaml-tag", 1, 1);
	assert_int_equal(pd.v[1].line, 17);
	assert_int_equal(pd.v[1].column, 13);
	assert_non_null(doc);
	crmf_check_customer(&c, doc, PATH, f->cfg, today(), &pd);
	assert_non_null(c);
	assert_int_equal(c->n_deals, 1);
	assert_true(c->deals[0].amount == 5);
	crmf_customer_free(c); /* and the document it holds */
	crmf_diags_release(&pd);
}

/* id */

static void test_id_syntax(void **state)
{
	struct fx *f = *state;

	check(f, "id: 'C 2024'\n" "name: x\n" "industry: IT服务/云计算\n" "size: 50-200\n"
		 "source: 展会\n" "created: 2024-01-15\n" "owner: zhang.wei\n" "stage: intent\n"
		 CONTACT NEED);
	ERR1(f, "invalid-id", 1, 5, "invalid id 'C 2024'");
	assert_null(f->c->id);
	check(f, "id: -C1\n" "name: x\n" "industry: IT服务/云计算\n" "size: 50-200\n"
		 "source: 展会\n" "created: 2024-01-15\n" "owner: zhang.wei\n" "stage: intent\n"
		 CONTACT NEED);
	ERR1(f, "invalid-id", 1, 5, "invalid id '-C1'");
}

static void test_id_filename(void **state)
{
	struct fx *f = *state;
	int rc;

	f->c = check_as("customers/C2024002.yaml", BASE, f->cfg, &f->d, &rc);
	assert_int_equal(rc, -1);
	ERR1(f, "id-filename", 1, 5,
	     "id 'C2024001' does not match the file name 'C2024002'; rename the file to C2024001.yaml or change the id");
	assert_string_equal(f->c->id, "C2024001"); /* the id itself is valid */
}

/* Enumerations and references */

static void test_industry(void **state)
{
	struct fx *f = *state;

	check(f, "id: C2024001\n" "name: x\n" "industry: IT服务/\n" "size: 50-200\n"
		 "source: 展会\n" "created: 2024-01-15\n" "owner: zhang.wei\n" "stage: intent\n"
		 CONTACT NEED);
	ERR1(f, "invalid-industry", 3, 11, "write 'sector' or 'sector/sub-sector'");
	check(f, "id: C2024001\n" "name: x\n" "industry: a/b/c\n" "size: 50-200\n"
		 "source: 展会\n" "created: 2024-01-15\n" "owner: zhang.wei\n" "stage: intent\n"
		 CONTACT NEED);
	ERR1(f, "invalid-industry", 3, 11, "invalid industry 'a/b/c'");
	check_cfg(f, "id: C2024001\n" "name: x\n" "industry: IT服务/云计\n" "size: 50-200\n"
		     "source: 展会\n" "created: 2024-01-15\n" "owner: zhang.wei\n" "stage: intent\n"
		     CONTACT NEED, f->team);
	ERR1(f, "invalid-industry", 3, 11,
	     "unknown industry 'IT服务/云计'; did you mean 'IT服务/云计算'?");
	check_cfg(f, "id: C2024001\n" "name: x\n" "industry: 农业\n" "size: 50-200\n"
		     "source: 展会\n" "created: 2024-01-15\n" "owner: zhang.wei\n" "stage: intent\n"
		     CONTACT NEED, f->team);
	ERR1(f, "invalid-industry", 3, 11, "add it to 'industries' in crmf.yaml");
	assert_null(f->c->industry);
}

static void test_stage_potential_grade(void **state)
{
	struct fx *f = *state;

	check(f, "id: C2024001\n" "name: x\n" "industry: IT服务/云计算\n" "size: 50-200\n"
		 "source: 展会\n" "created: 2024-01-15\n" "owner: zhang.wei\n" "stage: intnet\n"
		 CONTACT NEED);
	ERR1(f, "invalid-enum", 8, 8, "invalid stage 'intnet'; did you mean 'intent'?");
	assert_string_equal(f->d.v[0].message, "invalid stage 'intnet'; did you mean 'intent'?");
	assert_int_equal(f->c->stage, CRMF_STAGE_NONE);
	check(f, "id: C2024001\n" "name: x\n" "industry: IT服务/云计算\n" "size: 50-200\n"
		 "source: 展会\n" "created: 2024-01-15\n" "owner: zhang.wei\n" "stage: 意向期\n"
		 CONTACT NEED);
	ERR1(f, "invalid-enum", 8, 8,
	     "invalid stage '意向期'; use one of lead, intent, negotiation, customer, at-risk, lost");
	check(f, BASE "potential: hgh\n" "grade: D\n");
	assert_int_equal(f->d.n, 2);
	assert_string_equal(at(&f->d, 15, 12)->message, "invalid potential 'hgh'; did you mean 'high'?");
	assert_string_equal(at(&f->d, 16, 8)->message, "invalid grade 'D'; use one of A, B, C");
	check(f, BASE "potential: low\n" "grade: C\n");
	clean(f);
	assert_int_equal(f->c->potential, CRMF_POTENTIAL_LOW);
	assert_int_equal(f->c->grade, 'C');
}

static void test_source(void **state)
{
	struct fx *f = *state;

	check(f, "id: C2024001\n" "name: x\n" "industry: IT服务/云计算\n" "size: 50-200\n"
		 "source: 展览\n" "created: 2024-01-15\n" "owner: zhang.wei\n" "stage: intent\n"
		 CONTACT NEED);
	ERR1(f, "invalid-enum", 5, 9, "invalid source '展览'; did you mean '展会'?");
}

static void test_team_members(void **state)
{
	struct fx *f = *state;

	check_cfg(f, "id: C2024001\n" "name: x\n" "industry: IT服务/云计算\n" "size: 50-200\n"
		     "source: 展会\n" "created: 2024-01-15\n" "owner: zhang.wie\n" "stage: intent\n"
		     CONTACT NEED, f->team);
	ERR1(f, "unknown-member", 7, 8, "unknown team member 'zhang.wie'; did you mean 'zhang.wei'?");
	assert_null(f->c->owner);
	check_cfg(f, BASE "followups:\n" "  - date: 2024-02-01\n" "    by: zhao.lei\n"
			  "    method: visit\n" "    summary: 参观了工厂，确认产能\n" "potential: medium\n", f->team);
	ERR1(f, "unknown-member", 17, 9,
	     "unknown team member 'zhao.lei'; use one of zhang.wei, li.na, wang.fang, or add them to 'team' in crmf.yaml");
	assert_null(f->c->followups[0].by);
	/* without a team, anyone */
	check(f, BASE "followups:\n" "  - date: 2024-02-01\n" "    by: zhao.lei\n"
		      "    method: visit\n" "    summary: 参观了工厂，确认产能\n" "potential: medium\n");
	clean(f);
}

/* Dates */

static void test_dates(void **state)
{
	struct fx *f = *state;

	check(f, "id: C2024001\n" "name: x\n" "industry: IT服务/云计算\n" "size: 50-200\n"
		 "source: 展会\n" "created: 2025-02-30\n" "owner: zhang.wei\n" "stage: intent\n"
		 CONTACT NEED);
	ERR1(f, "invalid-date", 6, 10, "invalid date '2025-02-30'; write YYYY-MM-DD");
	assert_string_equal(f->d.v[0].message, "invalid date '2025-02-30'; write YYYY-MM-DD");
	assert_int_equal(f->c->created, CRMF_NO_DAY);
	check(f, "id: C2024001\n" "name: x\n" "industry: IT服务/云计算\n" "size: 50-200\n"
		 "source: 展会\n" "created: 2024/01/15\n" "owner: zhang.wei\n" "stage: intent\n"
		 CONTACT NEED);
	ERR1(f, "invalid-date", 6, 10, "invalid date '2024/01/15'");
	check(f, "id: C2024001\n" "name: x\n" "industry: IT服务/云计算\n" "size: 50-200\n"
		 "source: 展会\n" "created: 2025-01-16\n" "owner: zhang.wei\n" "stage: intent\n"
		 CONTACT NEED);
	WARN1(f, "future-date", 6, 10, "creation date '2025-01-16' is in the future");
	assert_int_equal(f->c->errors, 0);
	assert_int_equal(f->c->created, crmf_date_from_ymd(2025, 1, 16));
	check(f, "id: C2024001\n" "name: x\n" "industry: IT服务/云计算\n" "size: 50-200\n"
		 "source: 展会\n" "created: 2025-01-15\n" "owner: zhang.wei\n" "stage: intent\n"
		 CONTACT NEED);
	clean(f); /* today is not the future */
}

/* Tags */

static void test_tags(void **state)
{
	struct fx *f = *state;

	check(f, BASE "tags: [制造业, '', 品质, 制造业]\n");
	assert_int_equal(f->d.n, 2);
	assert_string_equal(at(&f->d, 15, 13)->rule, "empty-value");
	assert_int_equal(at(&f->d, 15, 13)->severity, CRMF_SEV_ERROR);
	assert_string_equal(at(&f->d, 15, 21)->rule, "duplicate-tag");
	assert_int_equal(at(&f->d, 15, 21)->severity, CRMF_SEV_WARNING);
	assert_int_equal(f->c->n_tags, 2);
	assert_string_equal(f->c->tags[1], "品质");
}

static void test_many_tags(void **state)
{
	struct fx *f = *state;
	strbuf sb = STRBUF_INIT;
	char *yaml;

	sb_adds(&sb, BASE "tags:\n");
	for (int i = 0; i < 40; i++)
		sb_addf(&sb, "  - t%d\n", i % 30);
	yaml = sb_detach(&sb);
	check(f, yaml);
	free(yaml);
	assert_int_equal(f->d.n, 10);
	assert_int_equal(f->d.warnings, 10);
	assert_string_equal(at(&f->d, 46, 5)->message, "duplicate tag 't0'; remove it");
	assert_int_equal(f->c->n_tags, 30);
}

/* Contacts */

static void test_contacts_required(void **state)
{
	struct fx *f = *state;

	check(f, HEAD "contacts: []\n" NEED);
	ERR1(f, "missing-field", 9, 1, "'contacts' is empty; add at least one contact");
	check(f, HEAD "contacts:\n" "  - title: 经理\n" "    email: a@b.cn\n" NEED);
	ERR1(f, "missing-field", 10, 3, "contact lacks 'name'; add 'name:");
	check(f, HEAD "contacts:\n" "  - name: 张伟\n" "    title: 经理\n" NEED);
	ERR1(f, "contact-reach", 10, 3,
	     "contact has neither 'phone' nor 'email'; add at least one");
	/* a flow mapping is pointed at by its brace */
	check(f, HEAD "contacts:\n" "  - {name: 张伟}\n" "  - name: 李娜\n" "    email: ''\n"
		      "need:\n" "  type: a\n" "  description: b\n");
	assert_int_equal(f->d.n, 2);
	assert_non_null(strstr(at(&f->d, 10, 5)->message, "neither"));
	assert_non_null(strstr(at(&f->d, 11, 3)->message, "neither"));
}

static void test_contact_phone_email(void **state)
{
	struct fx *f = *state;

	check(f, HEAD "contacts:\n" "  - name: 张伟\n" "    phone: 138-0013-800a\n"
		      "    email: zhang wei@example.cn\n" NEED);
	assert_int_equal(f->d.n, 2);
	assert_string_equal(at(&f->d, 11, 12)->rule, "invalid-phone");
	assert_non_null(strstr(at(&f->d, 11, 12)->message, "invalid phone '138-0013-800a'"));
	assert_string_equal(at(&f->d, 12, 12)->rule, "invalid-email");
	assert_null(f->c->contacts[0].phone);
	assert_null(f->c->contacts[0].email);
	assert_string_equal(f->c->contacts[0].name, "张伟");
}

static void test_primary(void **state)
{
	struct fx *f = *state;

	check(f, HEAD "contacts:\n" "  - name: 张伟\n" "    phone: '13800138000'\n"
		      "    primary: true\n" "  - name: 李娜\n" "    email: li@example.cn\n"
		      "    primary: true\n" NEED);
	ERR1(f, "multiple-primary", 15, 14, "more than one primary contact (the first is at line 12)");
	check(f, HEAD "contacts:\n" "  - name: 张伟\n" "    phone: '13800138000'\n"
		      "    primary: yes\n" NEED);
	ERR1(f, "invalid-bool", 12, 14, "invalid primary 'yes'; write true or false");
	check(f, HEAD "contacts:\n" "  - name: 张伟\n" "    phone: '13800138000'\n"
		      "    primary: false\n" "  - name: 李娜\n" "    email: li@example.cn\n"
		      "    primary: true\n" NEED);
	clean(f);
	assert_false(f->c->contacts[0].primary);
	assert_true(f->c->contacts[1].primary);
}

static void test_phone_syntax(void **state)
{
	static const char *const good[] = {
		"13800138000", "+86 138 0013 8000", "0571-8888 8888", "(0571) 8888-8888",
		"+1 (555) 123.4567 ext 12", "+1 555 123 4567 ext. 9", "0571-88888888 转 801",
		"010-12345678x9", "1234567", "12345678901234567890",
	};
	static const char *const bad[] = {
		"123456", "abc", "1380013800a", "+86 138 0013 8000 ext", "123456789012345678901",
		"++8613800138000", "138 0013 8000 转", "138\t0013 8000", "", "-",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		if (!crmf_phone_valid(good[i]))
			fail_msg("'%s' should be a valid phone", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (crmf_phone_valid(bad[i]))
			fail_msg("'%s' should be an invalid phone", bad[i]);
}

static void test_email_syntax(void **state)
{
	static const char *const good[] = {
		"a@b.cn", "zhang.wei+crm@example.com.cn", "Li_Na@Example.COM", "x@例子.中国",
		"张伟@例子.中国",
	};
	static const char *const bad[] = {
		"a@b", "a b@c.cn", "@c.cn", "a@@c.cn", "a@c..cn", "a@.cn", "a@c.cn.", "a@c.c",
		"a@c_d.cn", "ab.cn", "", ".a@c.cn", "a.@c.cn", "a..b@c.cn", "a@-c.cn", "a@c-.cn",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		if (!crmf_email_valid(good[i]))
			fail_msg("'%s' should be a valid email", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (crmf_email_valid(bad[i]))
			fail_msg("'%s' should be an invalid email", bad[i]);
}

/* Need */

static void test_need(void **state)
{
	struct fx *f = *state;

	check(f, HEAD CONTACT "need:\n" "  type: 采购产品A\n");
	ERR1(f, "missing-field", 12, 1, "'need' lacks 'description'; add 'description:");
	check(f, HEAD CONTACT "need:\n");
	ERR1(f, "missing-field", 12, 1, "'need' is empty");
	check(f, HEAD CONTACT);
	ERR1(f, "missing-field", 1, 1, "missing required field 'need'");
	check(f, HEAD CONTACT "need:\n" "  type: ''\n" "  description: 降本\n");
	ERR1(f, "missing-field", 13, 3, "'need' lacks 'type'");
}

/* Deals */

#define DEAL(amount, signed_, extra)                                           \
	BASE "deals:\n"                                                            \
	"  - amount: " amount "\n"                                                 \
	"    signed: " signed_ "\n" extra

static void test_deal_amount(void **state)
{
	struct fx *f = *state;

	check(f, DEAL("50万", "2024-03-01", ""));
	ERR1(f, "invalid-number", 16, 13, "invalid amount '50万'; write 500000");
	assert_string_equal(f->d.v[0].message, "invalid amount '50万'; write 500000");
	assert_true(f->c->deals[0].amount == 0);
	assert_int_equal(f->c->deals[0].signed_on, crmf_date_from_ymd(2024, 3, 1));
	check(f, DEAL("\"1,200,000\"", "2024-03-01", ""));
	ERR1(f, "invalid-number", 16, 13, "write 1200000");
	check(f, DEAL("¥1.5亿", "2024-03-01", ""));
	ERR1(f, "invalid-number", 16, 13, "write 150000000");
	check(f, DEAL("很多", "2024-03-01", ""));
	ERR1(f, "invalid-number", 16, 13, "write a plain number such as 500000");
	check(f, DEAL("-5", "2024-03-01", ""));
	ERR1(f, "invalid-number", 16, 13, "amount '-5' is negative");
	check(f, DEAL("'1234.5'", "2024-03-01", ""));
	clean(f);
	assert_true(f->c->deals[0].amount == 1234.5);
	check(f, DEAL("0", "2024-03-01", ""));
	clean(f);
}

/* Amounts are finite, 0 to 10^12, in cents at most; numbers of custom fields
 * within ±10^15: what would print as "inf" or lose digits is refused. */
static void test_number_range(void **state)
{
	struct fx *f = *state;
	char *huge = xmalloc(5100), *yaml;

	memset(huge, '9', 5000);
	huge[5000] = '\0';
	yaml = xasprintf("%sdeals:\n  - amount: %s\n    signed: 2024-03-01\n", BASE, huge);
	check(f, yaml);
	ERR1(f, "invalid-number", 16, 13, "is out of range; write an amount from 0 to 1000000000000");
	assert_true(f->c->deals[0].amount == 0);
	free(yaml);
	yaml = xasprintf("%sregion: 华东\nscore: %s\n", BASE, huge);
	check_cfg(f, yaml, f->fields);
	ERR1(f, "invalid-number", 16, 8, "is out of range");
	free(yaml);
	free(huge);

	static const struct {
		const char *v, *msg;
	} bad[] = {
	    {"1000000000000.01", "out of range"},
	    {"1e13", "out of range"},
	    {"1e400", "out of range"},
	    {"2e-400", "more than 2 decimals"},
	    {"0.001", "more than 2 decimals; round it"},
	    {"12.3456e1", "more than 2 decimals"},
	    {".inf", "write a plain number"},
	    {"-.inf", "write a plain number"},
	    {".nan", "write a plain number"},
	    {".NaN", "write a plain number"},
	    {"inf", "write a plain number"},
	    {"nan", "write a plain number"},
	    {"infinity", "write a plain number"},
	    {"0x10", "write a plain number"},
	    {"1_000", "write 1000"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		yaml = xasprintf("%sdeals:\n  - amount: %s\n    signed: 2024-03-01\n", BASE, bad[i].v);
		check(f, yaml);
		ERR1(f, "invalid-number", 16, 13, bad[i].msg);
		assert_true(f->c->deals[0].amount == 0);
		free(yaml);
	}
	static const char *const good[] = {"1000000000000", "0.5", "12.34", "1.5e6", "12.340",
					   "123.4e-1", "0.00", "'999999999999.99'"};
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		yaml = xasprintf("%sdeals:\n  - amount: %s\n    signed: 2024-03-01\n", BASE, good[i]);
		check(f, yaml);
		clean(f);
		free(yaml);
	}
	check_cfg(f, BASE "region: 华东\nscore: -1000000000000000\n", f->fields);
	clean(f);
	check_cfg(f, BASE "region: 华东\nscore: 0.000001\n", f->fields);
	clean(f);
	check_cfg(f, BASE "region: 华东\nscore: 1000000000000001\n", f->fields);
	ERR1(f, "invalid-number", 16, 8, "is out of range; write a number from -1000000000000000 to 1000000000000000");
	check_cfg(f, BASE "region: 华东\nscore: .inf\n", f->fields);
	ERR1(f, "invalid-number", 16, 8, "write a plain number");
}

static void test_deal_dates(void **state)
{
	struct fx *f = *state;

	check(f, BASE "deals:\n" "  - signed: 2024-03-01\n");
	ERR1(f, "missing-field", 16, 3, "deal lacks 'amount'");
	check(f, BASE "deals:\n" "  - amount: 1\n");
	ERR1(f, "missing-field", 16, 3, "deal lacks 'signed'; add 'signed: YYYY-MM-DD'");
	check(f, DEAL("1", "2024-13-01", ""));
	ERR1(f, "invalid-date", 17, 13, "invalid date '2024-13-01'");
	check(f, DEAL("1", "2024-03-01", "    expires: 2024-02-28\n"));
	ERR1(f, "expires-before-signed", 18, 14,
	     "expiry date '2024-02-28' is before the signing date '2024-03-01'");
	assert_int_equal(f->c->deals[0].expires, CRMF_NO_DAY);
	check(f, DEAL("1", "2024-03-01", "    expires: 2024-03-01\n"));
	clean(f);
}

/* Follow-ups */

#define FOLLOWUP(date, summary, extra)                                         \
	BASE "followups:\n"                                                        \
	"  - date: " date "\n"                                                     \
	"    by: zhang.wei\n"                                                      \
	"    method: phone\n"                                                      \
	"    summary: " summary "\n" extra "potential: medium\n"

static void test_followup_required(void **state)
{
	struct fx *f = *state;

	check(f, BASE "followups:\n" "  - with: 张伟\n" "potential: medium\n");
	assert_int_equal(f->d.n, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(f->d.v[i].rule, "missing-field");
		assert_int_equal(f->d.v[i].line, 16);
		assert_int_equal(f->d.v[i].column, 3);
	}
	assert_non_null(strstr(f->d.v[0].message, "'date'"));
	assert_non_null(strstr(f->d.v[1].message, "'by'"));
	assert_non_null(strstr(f->d.v[2].message, "'method'"));
	assert_non_null(strstr(f->d.v[3].message, "'summary'"));
	check(f, BASE "followups:\n" "  - date: 2024-02-01\n" "    by: zhang.wei\n"
		      "    method: fax\n" "    summary: 确认了交付时间\n" "potential: medium\n");
	ERR1(f, "invalid-enum", 18, 13,
	     "invalid method 'fax'; use one of phone, visit, email, meeting, wechat, other");
	check(f, BASE "followups:\n" "  - date: 2024-02-01\n" "    by: zhang.wei\n"
		      "    method: vist\n" "    summary: 确认了交付时间\n" "potential: medium\n");
	ERR1(f, "invalid-enum", 18, 13, "invalid method 'vist'; did you mean 'visit'?");
}

static void test_followup_dates(void **state)
{
	struct fx *f = *state;

	check(f, FOLLOWUP("2024-02-01 14:30", "确认了交付时间", ""));
	clean(f);
	assert_int_equal(f->c->followups[0].date, crmf_date_from_ymd(2024, 2, 1));
	assert_int_equal(f->c->followups[0].minute, 14 * 60 + 30);
	check(f, FOLLOWUP("2024-02-01 25:00", "确认了交付时间", ""));
	ERR1(f, "invalid-date", 16, 11,
	     "invalid date '2024-02-01 25:00'; write YYYY-MM-DD or YYYY-MM-DD HH:MM");
	assert_int_equal(f->c->followups[0].date, CRMF_NO_DAY);
	check(f, FOLLOWUP("2025-01-16", "确认了交付时间", ""));
	WARN1(f, "followup-future", 16, 11, "follow-up date '2025-01-16' is in the future");
	check(f, FOLLOWUP("2024-02-01", "确认了交付时间", "    next: 发报价\n    due: 2024-01-31\n"));
	ERR1(f, "due-before-date", 21, 10,
	     "due date '2024-01-31' is before the follow-up date '2024-02-01'");
	assert_int_equal(f->c->followups[0].due, CRMF_NO_DAY);
	check(f, FOLLOWUP("2024-02-01 09:00", "确认了交付时间", "    next: 发报价\n    due: 2024-02-01\n"));
	clean(f);
	assert_int_equal(f->c->followups[0].due, crmf_date_from_ymd(2024, 2, 1));
	check(f, FOLLOWUP("2024-02-01", "确认了交付时间", "    due: 2024-02-08\n"));
	WARN1(f, "due-without-next", 20, 10, "'due' without 'next'; add 'next:'");
	assert_int_equal(f->c->followups[0].due, crmf_date_from_ymd(2024, 2, 8));
	check(f, FOLLOWUP("2024-02-01", "确认了交付时间", "    next: 发报价\n    due: 2024-02-31\n"));
	ERR1(f, "invalid-date", 21, 10, "invalid date '2024-02-31'; write YYYY-MM-DD");
}

static void check_summary(struct fx *f, const char *summary)
{
	strbuf sb = STRBUF_INIT;
	char *yaml;

	sb_adds(&sb, FOLLOWUP("2024-02-01", "", ""));
	sb.len -= strlen("\npotential: medium\n"); /* to the end of `summary: ` */
	sb_adds(&sb, summary);
	sb_adds(&sb, "\npotential: medium\n");
	yaml = sb_detach(&sb);
	check(f, yaml);
	free(yaml);
}

static void test_vague_summary(void **state)
{
	struct fx *f = *state;
	static const char *const vague[] = {
		"已沟通", "已沟通。", "'待跟进！'", "Followed up.", "follow up", "'-'", "OK",
		"…", "无", "（跟进）", "called",
	};
	static const char *const concrete[] = {
		"已沟通报价，客户嫌贵", "called about the invoice", "OK to sign next week",
		"无异议，准备签约",
	};

	for (size_t i = 0; i < sizeof(vague) / sizeof(*vague); i++) {
		check_summary(f, vague[i]);
		WARN1(f, "vague-summary", 19, 14, "is too vague; write what was discussed");
		assert_non_null(f->c->followups[0].summary);
	}
	for (size_t i = 0; i < sizeof(concrete) / sizeof(*concrete); i++) {
		check_summary(f, concrete[i]);
		clean(f);
	}
}

/* Custom fields */

static void test_custom_fields(void **state)
{
	struct fx *f = *state;

	check_cfg(f, BASE "region: 华东\n" "score: 4.5\n" "vip: false\n" "since: 2020-05-01\n"
			  "brands: [a, b]\n" "note: |\n  多行\n  备注\n", f->fields);
	clean(f);
	check_cfg(f, BASE, f->fields);
	/* an enum's message names its values (issue 13: "write a enum value") */
	ERR1(f, "missing-field", 1, 1,
	     "missing required field 'region'; add 'region:' with one of 华东, 华北, 华南, 西部");
	check_cfg(f, BASE "region:\n", f->fields);
	ERR1(f, "missing-field", 15, 1,
	     "required field 'region' is empty; write one of 华东, 华北, 华南, 西部");
	check_cfg(f, BASE "region: 海外\n" "score: 很高\n" "vip: yes\n" "since: 2020-5-1\n"
			  "brands: a\n", f->fields);
	assert_int_equal(f->d.n, 5);
	assert_string_equal(at(&f->d, 15, 9)->message,
			    "invalid region '海外'; use one of 华东, 华北, 华南, 西部");
	assert_string_equal(at(&f->d, 16, 8)->rule, "invalid-number");
	assert_string_equal(at(&f->d, 17, 6)->message, "invalid vip 'yes'; write true or false");
	assert_string_equal(at(&f->d, 18, 8)->rule, "invalid-date");
	assert_string_equal(at(&f->d, 19, 9)->rule, "wrong-type");
	check_cfg(f, BASE "region: 华东\n" "regoin: 华东\n", f->fields);
	ERR1(f, "unknown-field", 16, 1, "unknown field 'regoin'; did you mean 'region'?");
}

/* Every problem is reported, not only the first */

static void test_reports_everything(void **state)
{
	struct fx *f = *state;

	check_cfg(f,
		  "id: C2024001\n"
		  "name: 杭州云启科技有限公司\n"
		  "industry: IT服务/云计算\n"
		  "size: big\n"
		  "source: 展会\n"
		  "created: 2024-02-30\n"
		  "owner: nobody\n"
		  "stage: intnet\n"
		  "stauts: x\n"
		  "contacts:\n"
		  "  - name: 张伟\n"
		  "    phone: '123'\n"
		  "  - email: bad@\n"
		  "need:\n"
		  "  type: 采购\n"
		  "deals:\n"
		  "  - amount: 50万\n"
		  "    signed: 2024-03-01\n"
		  "followups:\n"
		  "  - date: 2024-02-01\n"
		  "    by: zhang.wei\n"
		  "    method: phone\n"
		  "    summary: 已沟通\n",
		  f->team);
	assert_int_equal(f->d.errors, 10);
	assert_int_equal(f->d.warnings, 2); /* probable duplicate; potential not judged */
	assert_int_equal(f->c->errors, 10);
	assert_string_equal(at(&f->d, 4, 7)->rule, "invalid-enum");
	assert_string_equal(at(&f->d, 6, 10)->rule, "invalid-date");
	assert_string_equal(at(&f->d, 7, 8)->rule, "unknown-member");
	assert_string_equal(at(&f->d, 8, 8)->rule, "invalid-enum");
	assert_string_equal(at(&f->d, 9, 1)->rule, "unknown-field");
	assert_string_equal(at(&f->d, 12, 12)->rule, "invalid-phone");
	assert_string_equal(at(&f->d, 13, 12)->rule, "invalid-email");
	assert_string_equal(at(&f->d, 14, 1)->rule, "missing-field");
	assert_string_equal(at(&f->d, 17, 13)->rule, "invalid-number");
	assert_string_equal(at(&f->d, 23, 14)->rule, "vague-summary");
	/* the contact without a name: 13:3 too */
	assert_non_null(strstr(at(&f->d, 13, 3)->message, "lacks 'name'"));
	/* what was valid is still typed */
	assert_string_equal(f->c->name, "杭州云启科技有限公司");
	assert_int_equal(f->c->n_contacts, 2);
	assert_int_equal(f->c->n_followups, 1);
	assert_string_equal(f->c->need_type, "采购");
}

/* Across files */

static crmf_customer *customer(struct fx *f, const char *path, const char *id, const char *name,
			       const char *phone, const char *email)
{
	crmf_customer *c;
	char *yaml;
	int rc;

	yaml = xasprintf("id: %s\n" "name: %s\n" "industry: IT服务\n" "size: 50-200\n"
			 "source: 展会\n" "created: 2024-01-15\n" "owner: zhang.wei\n"
			 "stage: lead\n" "contacts:\n" "  - name: 张伟\n" "    phone: '%s'\n"
			 "    email: '%s'\n" "need: {type: a, description: b}\n",
			 id, name, phone, email);
	c = check_as(path, yaml, f->cfg, &f->d, &rc);
	free(yaml);
	return c;
}

static void free_all(crmf_customer **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		crmf_customer_free(v[i]);
}

static void test_cross_duplicate_id(void **state)
{
	struct fx *f = *state;
	crmf_customer *v[3];

	v[0] = customer(f, "customers/C1.yaml", "C1", "甲公司", "13800000001", "a@a.cn");
	v[1] = customer(f, "customers/2024/C1.yaml", "C1", "乙公司", "13800000002", "b@b.cn");
	v[2] = customer(f, "archive/C1.yaml", "C1", "丙公司", "13800000003", "c@c.cn");
	assert_int_equal(f->d.n, 0);
	crmf_check_cross(v, 3, &f->d);
	assert_int_equal(f->d.n, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(f->d.v[i].rule, "duplicate-id");
		assert_int_equal(f->d.v[i].severity, CRMF_SEV_ERROR);
		assert_int_equal(f->d.v[i].line, 1);
		assert_int_equal(f->d.v[i].column, 5);
		assert_string_equal(f->d.v[i].message,
				    "duplicate id 'C1': also the id of customers/C1.yaml; give each customer its own id");
	}
	assert_string_equal(f->d.v[0].path, "customers/2024/C1.yaml");
	assert_string_equal(f->d.v[1].path, "archive/C1.yaml");
	assert_int_equal(v[0]->errors, 0);
	assert_int_equal(v[1]->errors, 1);
	free_all(v, 3);
}

static void test_cross_probable_duplicates(void **state)
{
	struct fx *f = *state;
	crmf_customer *v[4];

	v[0] = customer(f, "customers/C1.yaml", "C1", "某某科技有限公司", "+86 138 0013 8000",
			"Zhang@Example.cn");
	v[1] = customer(f, "customers/C2.yaml", "C2", "某某科技（有限公司）", "0571-8888 8888",
			"li@example.cn");
	v[2] = customer(f, "customers/C3.yaml", "C3", "ACME Co., Ltd.", "13800138000",
			"zhang@example.CN");
	v[3] = customer(f, "customers/C4.yaml", "C4", "acme", "+86 571 8888 8888", "x@y.cn");
	assert_int_equal(f->d.n, 0);
	crmf_check_cross(v, 4, &f->d);
	assert_int_equal(f->d.n, 5);
	assert_int_equal(f->d.warnings, 5);

	assert_string_equal(f->d.v[0].rule, "probable-duplicate");
	assert_string_equal(f->d.v[0].path, "customers/C2.yaml");
	assert_int_equal(f->d.v[0].line, 2);
	assert_int_equal(f->d.v[0].column, 7);
	assert_non_null(strstr(f->d.v[0].message, "customer 'C1' (customers/C1.yaml)"));

	assert_string_equal(f->d.v[1].rule, "shared-phone");
	assert_string_equal(f->d.v[1].path, "customers/C3.yaml");
	assert_int_equal(f->d.v[1].line, 11);
	assert_int_equal(f->d.v[1].column, 12);
	assert_non_null(strstr(f->d.v[1].message, "phone '13800138000' is also a contact of customer 'C1'"));

	assert_string_equal(f->d.v[2].rule, "shared-email");
	assert_string_equal(f->d.v[2].path, "customers/C3.yaml");
	assert_int_equal(f->d.v[2].line, 12);
	assert_int_equal(f->d.v[2].column, 12);
	assert_non_null(strstr(f->d.v[2].message, "customer 'C1' (customers/C1.yaml)"));

	assert_string_equal(f->d.v[3].rule, "probable-duplicate");
	assert_string_equal(f->d.v[3].path, "customers/C4.yaml");
	assert_non_null(strstr(f->d.v[3].message, "customer 'C3' (customers/C3.yaml)"));
	assert_string_equal(f->d.v[4].rule, "shared-phone");
	assert_string_equal(f->d.v[4].path, "customers/C4.yaml");
	assert_non_null(strstr(f->d.v[4].message, "customer 'C2'"));
	assert_int_equal(v[3]->errors, 0);
	free_all(v, 4);
}

static void test_cross_same_customer_and_local_numbers(void **state)
{
	struct fx *f = *state;
	crmf_customer *v[2];
	int rc;

	/* one customer with the same phone on two contacts: no warning */
	v[0] = check_as("customers/C1.yaml",
			"id: C1\n" "name: 甲\n" "industry: IT服务\n" "size: 50-200\n" "source: 展会\n"
			"created: 2024-01-15\n" "owner: a\n" "stage: lead\n" "contacts:\n"
			"  - {name: A, phone: '86 1234 5678'}\n" "  - {name: B, phone: '8612345678'}\n"
			"need: {type: a, description: b}\n",
			f->cfg, &f->d, &rc);
	/* a local number starting with 86 is not a country code */
	v[1] = customer(f, "customers/C2.yaml", "C2", "乙", "1234 5678", "b@b.cn");
	assert_int_equal(f->d.n, 0);
	crmf_check_cross(v, 2, &f->d);
	if (f->d.n)
		dump(&f->d);
	assert_int_equal(f->d.n, 0);
	free_all(v, 2);
}

static void test_cross_many(void **state)
{
	struct fx *f = *state;
	enum { N = 3000 };
	crmf_customer **v = xmalloc(N * sizeof(*v));

	for (int i = 0; i < N; i++) {
		char path[64], id[16], name[32], phone[16], email[32];

		snprintf(id, sizeof(id), "C%d", i);
		snprintf(path, sizeof(path), "customers/%s.yaml", id);
		snprintf(name, sizeof(name), "公司%d", i % (N - 1)); /* the last one repeats the first */
		snprintf(phone, sizeof(phone), "1380000%04d", i);
		snprintf(email, sizeof(email), "u%d@example.cn", i);
		v[i] = customer(f, path, id, name, phone, email);
	}
	assert_int_equal(f->d.n, 0);
	crmf_check_cross(v, N, &f->d);
	WARN1(f, "probable-duplicate", 2, 7, "customer 'C0' (customers/C0.yaml)");
	assert_string_equal(f->d.v[0].path, "customers/C2999.yaml");
	free_all(v, N);
	free(v);
}

/* Names */

static void expect_norm(const char *name, const char *want)
{
	char *got = crmf_normalize_company(name);

	if (strcmp(got, want) != 0)
		fail_msg("normalize '%s': got '%s', want '%s'", name, got, want);
	free(got);
}

static void test_normalize_company(void **state)
{
	(void)state;
	expect_norm("某某科技有限公司", "某某科技");
	expect_norm("某某科技", "某某科技");
	expect_norm("某某科技（有限公司）", "某某科技");
	expect_norm("某某科技股份有限公司", "某某科技");
	expect_norm("某某科技有限责任公司", "某某科技");
	expect_norm("某某 科技·公司", "某某科技");
	expect_norm("某某集团有限公司", "某某集团");
	expect_norm("ACME Co., Ltd.", "acme");
	expect_norm("acme", "acme");
	expect_norm("Acme Co.Ltd", "acme");
	expect_norm("ACME Company Limited", "acme");
	expect_norm("Acme Limited", "acme");
	expect_norm("Acme, Inc.", "acme");
	expect_norm("Acme Corp.", "acme");
	expect_norm("Acme Corporation", "acme");
	expect_norm("Acme LLC", "acme");
	expect_norm("Acme GmbH", "acme");
	expect_norm("AcmeInc", "acme");
	expect_norm("ＡＣＭＥ　Ｃｏ．，Ｌｔｄ．", "acme");
	expect_norm("某某科技Ltd", "某某科技");
	expect_norm("Zinc", "zinc");     /* "inc" inside a word stays */
	expect_norm("Coltd", "coltd");   /* the whole name is no suffix */
	expect_norm("Co. Ltd.", "coltd");
	expect_norm("公司", "公司");
	expect_norm("有限公司", "有限公司");
	expect_norm("  ", "");
	expect_norm("某某科技有限公司\xff", "某某科技");
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(crmf_stage_name(CRMF_STAGE_LEAD), "lead");
	assert_string_equal(crmf_stage_name(CRMF_STAGE_AT_RISK), "at-risk");
	assert_string_equal(crmf_stage_name(CRMF_STAGE_LOST), "lost");
	assert_null(crmf_stage_name(CRMF_STAGE_NONE));
	assert_string_equal(crmf_potential_name(CRMF_POTENTIAL_HIGH), "high");
	assert_string_equal(crmf_potential_name(CRMF_POTENTIAL_LOW), "low");
	assert_null(crmf_potential_name(CRMF_POTENTIAL_NONE));
	assert_int_equal(crmf_stage_parse("negotiation"), CRMF_STAGE_NEGOTIATION);
	assert_int_equal(crmf_stage_parse("Lead"), CRMF_STAGE_NONE);
	assert_int_equal(crmf_stage_parse(NULL), CRMF_STAGE_NONE);
	assert_int_equal(crmf_potential_parse("medium"), CRMF_POTENTIAL_MEDIUM);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_format_example),
		T(test_minimal_defaults),
		T(test_missing_potential),
		T(test_archived_and_subfolder),
		T(test_no_mapping_root),
		T(test_missing_top_level),
		T(test_missing_id_names_file),
		T(test_empty_value_is_missing),
		T(test_unknown_top_level),
		T(test_unknown_nested),
		T(test_wrong_types),
		T(test_yaml_11_values_are_strings),
		T(test_yaml_tags),
		T(test_id_syntax),
		T(test_id_filename),
		T(test_industry),
		T(test_stage_potential_grade),
		T(test_source),
		T(test_team_members),
		T(test_dates),
		T(test_tags),
		T(test_many_tags),
		T(test_contacts_required),
		T(test_contact_phone_email),
		T(test_primary),
		cmocka_unit_test(test_phone_syntax),
		cmocka_unit_test(test_email_syntax),
		T(test_need),
		T(test_deal_amount),
		T(test_number_range),
		T(test_deal_dates),
		T(test_followup_required),
		T(test_followup_dates),
		T(test_vague_summary),
		T(test_custom_fields),
		T(test_reports_everything),
		T(test_cross_duplicate_id),
		T(test_cross_probable_duplicates),
		T(test_cross_same_customer_and_local_numbers),
		T(test_cross_many),
		cmocka_unit_test(test_normalize_company),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
