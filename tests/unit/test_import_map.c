/* SPDX-License-Identifier: MIT */
/* Unit tests of import.c and import_map.c: sheet rows to customer files, checked, problems at cells. */
#include "unit.h"

#include "crmf/import.h"
#include "crmf/sheet.h"
#include "sheet_helpers.h"

static const char team_yaml[] = "version: 1\n"
				"team:\n"
				"  - {id: zhang.wei, name: 张伟}\n"
				"  - {id: li.na, name: 李娜}\n"
				"  - {id: wang.fang, name: 王芳}\n";

static crmf_config *config(const char *yaml)
{
	crmf_diags d;
	crmf_doc *doc = NULL;
	crmf_config *cfg = NULL;

	crmf_diags_init(&d);
	assert_int_equal(crmf_doc_parse(&doc, "crmf.yaml", yaml, strlen(yaml), &d), 0);
	assert_int_equal(crmf_config_load(&cfg, doc, &d), 0);
	assert_int_equal(d.n, 0);
	crmf_doc_free(doc);
	crmf_diags_release(&d);
	return cfg;
}

/* The mapping of `yaml` (a --map file), with its problems in *diags. */
static crmf_import_map *map_of(const char *yaml, crmf_diags *diags, int want)
{
	crmf_doc *doc = NULL;
	crmf_import_map *map = crmf_import_map_new();

	assert_int_equal(crmf_doc_parse(&doc, "map.yaml", yaml, strlen(yaml), diags), 0);
	assert_int_equal(crmf_import_map_load(map, doc->root, "map.yaml", diags), want);
	crmf_doc_free(doc);
	return map;
}

typedef struct run {
	crmf_workbook *wb;
	crmf_import *imp;
	crmf_diags diags;
} run;

static void run_import(run *r, const char *path, const crmf_import_map *map,
		       const crmf_config *cfg, const char *where)
{
	crmf_import_options o = {.where = where, .today = crmf_date_from_ymd(2023, 10, 16)};

	memset(r, 0, sizeof(*r));
	crmf_diags_init(&r->diags);
	if (crmf_workbook_open(&r->wb, path, NULL) < 0)
		fail_msg("%s", crmf_error_last());
	if (crmf_import_sheet(&r->imp, crmf_workbook_sheet(r->wb, crmf_import_map_sheet(map)),
			      map, cfg, &o, &r->diags) < 0)
		fail_msg("%s", crmf_error_last());
}

static void run_free(run *r)
{
	crmf_import_free(r->imp);
	crmf_workbook_free(r->wb);
	crmf_diags_release(&r->diags);
}

/* Errors `crmf check` finds in `yaml` as customers/<id>.yaml. */
static size_t check_errors(const char *yaml, const char *id, const crmf_config *cfg)
{
	crmf_diags d;
	crmf_doc *doc = NULL;
	crmf_customer *c = NULL;
	char path[128];
	size_t n;

	snprintf(path, sizeof(path), "customers/%s.yaml", id);
	crmf_diags_init(&d);
	crmf_doc_parse(&doc, path, yaml, strlen(yaml), &d);
	assert_non_null(doc);
	crmf_check_customer(&c, doc, path, cfg, crmf_date_from_ymd(2023, 10, 16), &d);
	n = d.errors;
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].severity == CRMF_SEV_ERROR)
			print_message("%s:%d: %s\n", d.v[i].path, d.v[i].line, d.v[i].message);
	crmf_customer_free(c);
	crmf_diags_release(&d);
	return n;
}

static void dump(const crmf_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_message("%s:%d:%d: %s [%s]\n", d->v[i].path, d->v[i].line, d->v[i].column, d->v[i].message, d->v[i].rule);
}

/* The diagnostic at `where` with `rule`, or NULL. */
static const crmf_diag *diag_at(const crmf_diags *d, const char *where, const char *rule)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i].path, where) == 0 && strcmp(d->v[i].rule, rule) == 0)
			return &d->v[i];
	return NULL;
}

#define assert_diag(d, where, rule_)                                                       \
	do {                                                                               \
		if (!diag_at((d), (where), (rule_))) {                                     \
			dump(d);                                                           \
			fail_msg("no %s at %s", (rule_), (where));                         \
		}                                                                          \
	} while (0)

static const char c001_yaml[] = "id: C001\n"
				"name: 杭州云启科技有限公司\n"
				"industry: IT服务/云计算\n"
				"size: 50-200\n"
				"source: 展会\n"
				"created: 2023-01-01\n"
				"owner: wang.fang\n"
				"stage: intent\n"
				"contacts:\n"
				"  - name: 张伟\n"
				"    title: 采购总监\n"
				"    phone: \"13906711234\"\n"
				"    email: zhangwei@example.cn\n"
				"need:\n"
				"  type: 采购产品A\n"
				"  description: 降低生产成本20%\n"
				"deals:\n"
				"  - amount: 500000\n"
				"    signed: 2023-01-01\n"
				"    expires: 2023-12-31\n"
				"followups:\n"
				"  - date: 2023-10-15\n"
				"    by: li.na\n"
				"    method: other\n"
				"    summary: 客户对方案A交付周期有疑问\n"
				"    next: 电话确认\n"
				"    due: 2023-10-20\n"
				"# 备注: 需补充行业案例\n";

static void test_seed003_xlsx(void **state)
{
	crmf_config *cfg = config(team_yaml);
	run r;
	const crmf_diag *d;
	char *yaml;
	size_t len;

	(void)state;
	run_import(&r, sheet_path("seed003.xlsx"), NULL, cfg, "team.xlsx:客户信息表");
	assert_int_equal(r.imp->header_row, 2);
	assert_int_equal(r.imp->n_rows, 3);
	assert_int_equal(r.imp->n_columns, 23);
	assert_string_equal(r.imp->columns[9].header, "签约金额(万元)");
	assert_string_equal(r.imp->columns[9].field, "deals.amount");
	assert_true(r.imp->columns[9].scale == 10000);
	assert_string_equal(r.imp->columns[15].field, "next_plan");

	/* row 3: every column in its place; the phone typed as a number is text */
	assert_int_equal(r.imp->rows[0].row, 3);
	assert_string_equal(r.imp->rows[0].id, "C001");
	assert_string_equal(r.imp->rows[0].yaml, c001_yaml);
	assert_int_equal(r.imp->rows[0].len, strlen(c001_yaml));
	/* seed 003 has no 合作潜力: a contacted customer's potential is to be judged;
	 * the row has an id, so the warning is held until the import knows the id is
	 * new (an update need not give the potential) */
	assert_int_equal(r.imp->rows[0].errors, 0);
	assert_int_equal(r.imp->rows[0].warnings, 0);
	assert_int_equal(r.imp->rows[0].held.n, 1);
	assert_string_equal(r.imp->rows[0].held.v[0].rule, "missing-potential");
	assert_int_equal(check_errors(r.imp->rows[0].yaml, "C001", cfg), 0);

	/* row 4: the bad email at its cell, in the words of check */
	assert_int_equal(r.imp->rows[1].errors, 1);
	assert_int_equal(r.imp->errors, 1);
	/* the other diagnostics: each row's unjudged potential (warnings) */
	assert_int_equal(r.diags.errors, 1);
	d = NULL;
	for (size_t i = 0; i < r.diags.n; i++)
		if (r.diags.v[i].severity == CRMF_SEV_ERROR)
			d = &r.diags.v[i];
		else
			assert_string_equal(r.diags.v[i].rule, "missing-potential");
	assert_non_null(d);
	assert_string_equal(d->path, "team.xlsx:客户信息表!F4");
	assert_int_equal(d->line, 0);
	assert_int_equal(d->column, 0);
	assert_int_equal(d->severity, CRMF_SEV_ERROR);
	assert_int_equal(d->rule_id, CRMF_RULE_INVALID_EMAIL);
	assert_string_equal(d->message,
			    "invalid email 'x@@y'; write it as name@example.com (电子邮箱)");
	assert_non_null(strstr(r.imp->rows[1].yaml, "  - amount: 305000\n"));
	assert_non_null(strstr(r.imp->rows[1].yaml, "stage: customer\n"));
	assert_non_null(strstr(r.imp->rows[1].yaml, "    next: 邮件发送合同\n    due: 2023-10-25\n"));
	/* '-' in 备注 is empty: no comment */
	assert_null(strstr(r.imp->rows[1].yaml, "# 备注"));

	/* row 5: no id (allocated later), 客户类型 gives the stage, '-' is empty */
	assert_null(r.imp->rows[2].id);
	assert_int_equal(r.imp->rows[2].errors, 0);
	assert_true(strncmp(r.imp->rows[2].yaml, "id: " CRMF_IMPORT_NEW_ID "\n", 15) == 0);
	assert_non_null(strstr(r.imp->rows[2].yaml, "stage: lead\n"));
	assert_non_null(strstr(r.imp->rows[2].yaml, "owner: zhang.wei\n"));
	assert_null(strstr(r.imp->rows[2].yaml, "deals:"));
	assert_null(strstr(r.imp->rows[2].yaml, "title:"));
	assert_null(strstr(r.imp->rows[2].yaml, "phone:"));
	yaml = crmf_import_render(r.imp, &r.imp->rows[2], "C2023009", &len);
	assert_true(strncmp(yaml, "id: C2023009\n", 13) == 0);
	assert_string_equal(yaml + 13, r.imp->rows[2].yaml + 4 + strlen(CRMF_IMPORT_NEW_ID) + 1);
	assert_int_equal(len, strlen(yaml));
	assert_int_equal(check_errors(yaml, "C2023009", cfg), 0);
	free(yaml);
	run_free(&r);
	crmf_config_free(cfg);
}

/* xls, CSV in UTF-8, GBK and UTF-16, TSV: the same customers as the xlsx. */
static void test_every_format_alike(void **state)
{
	static const char *const files[] = {"seed003.xls", "utf8.csv", "gbk.csv", "utf16.csv",
					    "utf8.tsv"};
	crmf_config *cfg = config(team_yaml);
	run ref;

	(void)state;
	run_import(&ref, sheet_path("seed003.xlsx"), NULL, cfg, NULL);
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		run r;

		run_import(&r, sheet_path(files[f]), NULL, cfg, NULL);
		assert_int_equal(r.imp->header_row, 1);
		assert_int_equal(r.imp->n_rows, ref.imp->n_rows);
		for (size_t i = 0; i < r.imp->n_rows; i++) {
			assert_int_equal(r.imp->rows[i].row, ref.imp->rows[i].row - 1);
			if (strcmp(r.imp->rows[i].yaml, ref.imp->rows[i].yaml) != 0)
				fail_msg("%s row %u:\n%s\nwant\n%s", files[f], r.imp->rows[i].row,
					 r.imp->rows[i].yaml, ref.imp->rows[i].yaml);
		}
		/* one error (the bad email), and the unjudged potential of each row */
		assert_int_equal(r.diags.errors, 1);
		for (size_t i = 0; i < r.diags.n; i++)
			if (r.diags.v[i].severity == CRMF_SEV_ERROR)
				assert_string_equal(r.diags.v[i].path + strlen(r.imp->where), "!F3");
			else
				assert_string_equal(r.diags.v[i].rule, "missing-potential");
		run_free(&r);
	}
	run_free(&ref);
	crmf_config_free(cfg);
}

/* The columns of seed 000 (客户信息基础表), values in the team's words. */
static void test_seed000_columns(void **state)
{
	static const char csv[] =
		"客户编号,客户名称,所属行业,企业规模,联系人,职务,电话,邮箱,需求类型,需求描述,"
		"客户来源,建档日期,负责人,意向等级,合作潜力,标签,预算,期望合作时间\r\n"
		"2024-015,宁波精工汽车零部件有限公司,制造业-汽车零部件,50-200人,陈刚,采购经理,"
		"13800138000,chengang@example.cn,采购产品A,降低生产成本20%,展会参展,2023/3/15,张伟,"
		"A级,高潜力,\"品质优先,制造业、大客户\",50万-100万,3个月内\r\n"
		"2024-016,温州小微商贸有限公司,零售业,50人以下,钱多,老板,0577-1234567,,"
		"咨询解决方案B,门店管理,客户转介绍,2023年3月20日,李娜,c,低,,,\r\n";
	static const char want[] = "id: 2024-015\n"
				   "name: 宁波精工汽车零部件有限公司\n"
				   "industry: 制造业/汽车零部件\n"
				   "size: 50-200\n"
				   "source: 展会\n"
				   "created: 2023-03-15\n"
				   "owner: zhang.wei\n"
				   "stage: lead\n"
				   "potential: high\n"
				   "grade: A\n"
				   "tags:\n"
				   "  - 品质优先\n"
				   "  - 制造业\n"
				   "  - 大客户\n"
				   "contacts:\n"
				   "  - name: 陈刚\n"
				   "    title: 采购经理\n"
				   "    phone: \"13800138000\"\n"
				   "    email: chengang@example.cn\n"
				   "need:\n"
				   "  type: 采购产品A\n"
				   "  description: 降低生产成本20%\n"
				   "  budget: 50万-100万\n"
				   "  timeline: 3个月内\n";
	char cfg_yaml[512];
	crmf_config *cfg;
	run r;

	(void)state;
	snprintf(cfg_yaml, sizeof(cfg_yaml), "%sindustries: [制造业/汽车零部件, 零售业]\n",
		 team_yaml);
	cfg = config(cfg_yaml);
	run_import(&r, sheet_write("seed000.csv", csv, sizeof(csv) - 1), NULL, cfg, "s.csv");
	assert_int_equal(r.imp->n_rows, 2);
	assert_int_equal(r.diags.n, 0);
	assert_string_equal(r.imp->rows[0].yaml, want);
	assert_non_null(strstr(r.imp->rows[1].yaml, "size: <50\nsource: 转介绍\ncreated: 2023-03-20\n"
						    "owner: li.na\nstage: lead\npotential: low\n"
						    "grade: C\n"));
	assert_non_null(strstr(r.imp->rows[1].yaml, "phone: 0577-1234567\n"));
	assert_int_equal(check_errors(r.imp->rows[1].yaml, "2024-016", cfg), 0);
	run_free(&r);
	crmf_config_free(cfg);
}

static void test_override(void **state)
{
	static const char map_yaml[] = "header_row: 1\n"
				       "columns:\n"
				       "  手机: contacts.phone\n"
				       "  合同额（万元）: {field: deals.amount, scale: 10000}\n"
				       "  内部编号: skip\n"
				       "  区域: region\n"
				       "values:\n"
				       "  stage: {洽谈中: negotiation}\n"
				       "  region: {east: 华东}\n"
				       "constants:\n"
				       "  industry: IT服务\n"
				       "  size: 50-200\n"
				       "  source: 展会\n"
				       "  owner: zhang.wei\n"
				       "  need.type: 采购\n"
				       "  need.description: 见附件\n";
	static const char csv[] =
		"客户名称,联系人,手机,合同额(万元),签约日期,阶段,内部编号,区域,跟进日期,跟进内容,跟进方式\n"
		"杭州云启科技有限公司,张伟,139 0671 1234,1.5,2024-03-01,洽谈中,X-9,East,"
		"2024-03-05 10:30,电话沟通交付周期,电联\n";
	static const char want[] = "id: import-new\n"
				   "name: 杭州云启科技有限公司\n"
				   "industry: IT服务\n"
				   "size: 50-200\n"
				   "source: 展会\n"
				   "created: 2023-10-16\n"
				   "owner: zhang.wei\n"
				   "stage: negotiation\n"
				   "region: 华东\n"
				   "contacts:\n"
				   "  - name: 张伟\n"
				   "    phone: 139 0671 1234\n"
				   "need:\n"
				   "  type: 采购\n"
				   "  description: 见附件\n"
				   "deals:\n"
				   "  - amount: 15000\n"
				   "    signed: 2024-03-01\n"
				   "followups:\n"
				   "  - date: 2024-03-05 10:30\n"
				   "    by: zhang.wei\n"
				   "    method: phone\n"
				   "    summary: 电话沟通交付周期\n";
	char cfg_yaml[512];
	crmf_config *cfg;
	crmf_import_map *map;
	crmf_diags md;
	run r;

	(void)state;
	snprintf(cfg_yaml, sizeof(cfg_yaml),
		 "%sfields:\n  region: {type: enum, values: [华东, 华北]}\n", team_yaml);
	cfg = config(cfg_yaml);
	crmf_diags_init(&md);
	map = map_of(map_yaml, &md, 0);
	assert_int_equal(md.n, 0);
	run_import(&r, sheet_write("override.csv", csv, sizeof(csv) - 1), map, cfg, "o.csv");
	assert_int_equal(r.imp->n_rows, 1);
	if (strcmp(r.imp->rows[0].yaml, want) != 0)
		fail_msg("got\n%s", r.imp->rows[0].yaml);
	/* the date in the future (2024 after 2023-10-16) is check's warning, at its cell */
	assert_int_equal(r.imp->errors, 0);
	assert_diag(&r.diags, "o.csv!I2", "followup-future");
	assert_null(diag_at(&r.diags, "o.csv!G1", "import-column"));
	crmf_import_map_free(map);
	crmf_diags_release(&md);
	run_free(&r);
	crmf_config_free(cfg);
}

static void test_override_errors(void **state)
{
	static const char map_yaml[] = "columns:\n"
				       "  手机: contacts.mobile\n"
				       "  金额: {field: deals.amount, scale: -1}\n"
				       "values:\n"
				       "  stage x: {a: b}\n"
				       "constants:\n"
				       "  id: C1\n"
				       "colums: {}\n"
				       "header_row: first\n";
	crmf_diags d;
	crmf_import_map *map;

	(void)state;
	crmf_diags_init(&d);
	map = map_of(map_yaml, &d, -1);
	assert_int_equal(d.errors, 6);
	assert_diag_at(&d, "config-unknown-key", 8, 1);
	assert_string_equal(d.v[0].message,
			    "unknown field 'contacts.mobile'; use a field path such as contacts.phone "
			    "or need.type, customer_type, next_plan, note, or a custom field of "
			    "crmf.yaml");
	assert_int_equal(d.v[0].line, 2);
	assert_int_equal(d.v[0].column, 7);
	assert_int_equal(d.v[1].line, 3);
	assert_int_equal(d.v[2].line, 5);
	assert_int_equal(d.v[3].line, 7);
	crmf_import_map_free(map);
	crmf_diags_release(&d);
}

/* Every problem at its cell; the rows with errors still rendered. */
static void test_errors_at_cells(void **state)
{
	static const char csv[] =
		"客户编号,客户名称,联系人,电话,电子邮箱,所属行业,企业规模,客户来源,建档日期,负责人,"
		"客户类型,合作阶段,签约金额(万元),合作起始日期,最近跟进日期,跟进内容,跟进人,"
		"下次跟进计划,需求类型,需求描述,传真\n"
		"C001,甲公司,王五,12,a@b.cn,制造业,<50,展会,2023-13-45,*主管,流失客户,合作中,abc,"
		"2023-01-01,2023-10-01,已沟通,张伟,,采购,描述,123\n"
		"C001,乙公司,赵六,13800138000,,制造业,<50,展会,2023-01-02,张伟,,,,2023-01-01,,,,"
		"2023-11-01回访,采购,描述,\n"
		"C 003,丙公司,孙七,13800138001,,制造业,<50,,2023-01-03,张伟,,,,,,,,,采购,描述,\n"
		",,,,,,,,,,,,,,,,,,,,\n";
	crmf_config *cfg = config(team_yaml);
	run r;

	(void)state;
	run_import(&r, sheet_write("bad.csv", csv, sizeof(csv) - 1), NULL, cfg, "bad.csv");
	assert_int_equal(r.imp->n_rows, 3);
	/* a column crmf does not know, at its header */
	assert_diag(&r.diags, "bad.csv!U1", "import-column");
	/* row 2 */
	assert_diag(&r.diags, "bad.csv!D2", "invalid-phone");
	assert_diag(&r.diags, "bad.csv!I2", "invalid-date");
	assert_diag(&r.diags, "bad.csv!J2", "unknown-member");
	assert_diag(&r.diags, "bad.csv!M2", "invalid-number");
	assert_diag(&r.diags, "bad.csv!P2", "vague-summary");
	assert_non_null(strstr(r.imp->rows[0].yaml, "stage: lost\n"));
	assert_non_null(strstr(diag_at(&r.diags, "bad.csv!I2", "invalid-date")->message,
			       "(建档日期)"));
	/* row 3 */
	assert_diag(&r.diags, "bad.csv!A3", "duplicate-id");
	assert_diag(&r.diags, "bad.csv!N3", "import-deal");
	assert_diag(&r.diags, "bad.csv!R3", "import-next-plan");
	assert_null(strstr(r.imp->rows[1].yaml, "followups:"));
	/* row 4: an id that is not one, a field no column gives */
	assert_diag(&r.diags, "bad.csv!A4", "invalid-id");
	assert_null(r.imp->rows[2].id);
	assert_diag(&r.diags, "bad.csv!4:4", "missing-field");
	assert_int_equal(diag_at(&r.diags, "bad.csv!A4", "invalid-id")->severity,
			 CRMF_SEV_WARNING);
	assert_true(r.imp->rows[0].errors >= 4);
	assert_int_equal(r.imp->rows[1].errors, 2);
	assert_int_equal(r.imp->rows[2].errors, 1);
	assert_int_equal(r.imp->errors, r.diags.errors);
	/* a row's diagnostics come in column order */
	for (size_t i = 1; i < r.diags.n; i++)
		if (strncmp(r.diags.v[i].path, "bad.csv!", 8) == 0 &&
		    strcmp(r.diags.v[i].path + 8, "A3") != 0 &&
		    strcmp(r.diags.v[i - 1].path + 8, "A3") != 0) {
			const char *a = r.diags.v[i - 1].path + 8, *b = r.diags.v[i].path + 8;
			size_t ra = strcspn(a, "0123456789"), rb = strcspn(b, "0123456789");

			if (strcmp(a + ra, b + rb) == 0 && strchr(a, ':') == NULL &&
			    strchr(b, ':') == NULL && ra == rb)
				assert_true(strncmp(a, b, ra) <= 0);
		}
	run_free(&r);
	crmf_config_free(cfg);
}

static void test_no_header(void **state)
{
	static const char csv[] = "1,2,3\n4,5,6\n";
	crmf_workbook *wb = NULL;
	crmf_import *imp = (void *)1;
	crmf_diags d;

	(void)state;
	crmf_diags_init(&d);
	assert_int_equal(crmf_workbook_open(&wb, sheet_write("nohead.csv", csv, sizeof(csv) - 1), NULL),
			 0);
	assert_int_equal(crmf_import_sheet(&imp, &wb->sheets[0], NULL, NULL, NULL, &d), -1);
	assert_null(imp);
	assert_non_null(strstr(crmf_error_last(), "nohead: no header row"));
	crmf_workbook_free(wb);
	crmf_diags_release(&d);
}

/* 联系人2, 电话(2), 邮箱2, 电话3 and "赵六/钱七" with as many phones: several contacts. */
static void test_several_contacts(void **state)
{
	static const char csv[] =
	    "客户名称,联系人,电话,联系人2,电话(2),邮箱2,电话3\n"
	    "甲公司,张三,13700000001,李四,13700000002,lisi@example.cn,13700000003\n"
	    "乙公司,赵六/钱七,13700000011/13700000012,,,,\n"
	    "丙公司,孙八/周九,13700000021,,,,\n";
	run r;

	(void)state;
	run_import(&r, sheet_write("multi.csv", csv, sizeof(csv) - 1), NULL, NULL, NULL);
	assert_string_equal(r.imp->columns[3].field, "contacts[1].name");
	assert_string_equal(r.imp->columns[4].field, "contacts[1].phone");
	assert_string_equal(r.imp->columns[5].field, "contacts[1].email");
	assert_string_equal(r.imp->columns[6].field, "contacts[2].phone");
	assert_non_null(strstr(r.imp->rows[0].yaml,
			       "contacts:\n"
			       "  - name: 张三\n    phone: \"13700000001\"\n"
			       "  - name: 李四\n    phone: \"13700000002\"\n    email: lisi@example.cn\n"
			       "  - name: 张三\n    phone: \"13700000003\"\n"));
	assert_non_null(strstr(r.imp->rows[1].yaml,
			       "contacts:\n"
			       "  - name: 赵六\n    phone: \"13700000011\"\n"
			       "  - name: 钱七\n    phone: \"13700000012\"\n"));
	/* one phone for two names: not clean, left as written */
	assert_non_null(strstr(r.imp->rows[2].yaml, "  - name: 孙八/周九\n    phone: \"13700000021\"\n"));
	run_free(&r);
}

static const char update_file[] = "# 杭州云启：老客户\n"
				  "id: C001\n"
				  "name: 杭州云启科技有限公司   # 全称\n"
				  "created: 2023-01-01\n"
				  "owner: li.na\n"
				  "stage: intent               # 评审中\n"
				  "tags: [a, b]\n"
				  "contacts:\n"
				  "  - name: 张伟\n"
				  "    phone: \"13906711234\"  # 手机\n"
				  "followups:\n"
				  "  - date: 2023-10-15\n"
				  "    by: li.na\n"
				  "    method: phone\n"
				  "    summary: 客户对方案A交付周期有疑问\n"
				  "# 结尾\n";

/* Re-import: what the sheet changes, as minimal edits; the same row twice changes nothing. */
static void test_update(void **state)
{
	static const char csv[] =
	    "客户编号,客户名称,合作阶段,标签,联系人,电话,邮箱,联系人2,电话2,最近跟进日期,跟进内容,跟进人\n"
	    "C001,,合同谈判,b、c,张伟,139 0671 1234,zw@example.cn,,,2023-10-15,客户对方案A交付周期有疑问,李娜\n"
	    "C002,,,,,,,王五,13700000005,2023-10-16,电话确认交付周期为六周,zhang.wei\n";
	static const char want[] = "# 杭州云启：老客户\n"
				   "id: C001\n"
				   "name: 杭州云启科技有限公司   # 全称\n"
				  "created: 2023-01-01\n"
				  "owner: li.na\n"
				   "stage: negotiation               # 评审中\n"
				   "tags: [a, b, c]\n"
				   "contacts:\n"
				   "  - name: 张伟\n"
				   "    phone: \"13906711234\"  # 手机\n"
				   "    email: zw@example.cn\n"
				   "followups:\n"
				   "  - date: 2023-10-15\n"
				   "    by: li.na\n"
				   "    method: phone\n"
				   "    summary: 客户对方案A交付周期有疑问\n"
				   "# 结尾\n";
	crmf_config *cfg = config(team_yaml);
	crmf_import_changes ch;
	crmf_diags d;
	crmf_doc *doc = NULL, *again = NULL;
	run r;

	(void)state;
	crmf_diags_init(&d);
	run_import(&r, sheet_write("update.csv", csv, sizeof(csv) - 1), NULL, cfg, NULL);
	/* the rows of an id need not give every required field: held, not errors */
	assert_int_equal(r.imp->errors, 0);
	assert_true(r.imp->rows[0].held.n > 0);
	assert_int_equal(crmf_doc_parse(&doc, "customers/C001.yaml", update_file,
					sizeof(update_file) - 1, &d),
			 0);
	assert_int_equal(crmf_import_update(&ch, r.imp, &r.imp->rows[0], doc), 0);
	assert_non_null(ch.buf);
	assert_string_equal(ch.buf, want);
	assert_int_equal(ch.len, sizeof(want) - 1);
	assert_int_equal(ch.what.n, 3);
	assert_string_equal(ch.what.v[0], "+ tags: c");
	assert_string_equal(ch.what.v[1], "stage: intent → negotiation");
	assert_string_equal(ch.what.v[2], "contacts[0].email: (none) → zw@example.cn");
	/* applied to its own result: nothing more */
	assert_int_equal(crmf_doc_parse(&again, "customers/C001.yaml", ch.buf, ch.len, &d), 0);
	crmf_import_changes_release(&ch);
	assert_int_equal(crmf_import_update(&ch, r.imp, &r.imp->rows[0], again), 0);
	assert_null(ch.buf);
	assert_int_equal(ch.what.n, 0);
	/* row 3: a contact and a follow-up appended, nothing else touched */
	assert_int_equal(crmf_import_update(&ch, r.imp, &r.imp->rows[1], doc), 0);
	assert_int_equal(ch.what.n, 2);
	assert_string_equal(ch.what.v[0], "+ contact 王五 (13700000005)");
	assert_string_equal(ch.what.v[1], "+ follow-up 2023-10-16 zhang.wei: 电话确认交付周期为六周");
	assert_non_null(strstr(ch.buf, "    phone: \"13906711234\"  # 手机\n"
				       "  - name: 王五\n"
				       "    phone: \"13700000005\"\n"
				       "followups:\n"));
	assert_non_null(strstr(ch.buf, "    summary: 客户对方案A交付周期有疑问\n"
				       "  - date: 2023-10-16\n"
				       "    by: zhang.wei\n"
				       "    method: phone\n"
				       "    summary: 电话确认交付周期为六周\n"
				       "# 结尾\n"));
	crmf_import_changes_release(&ch);
	crmf_doc_free(again);
	crmf_doc_free(doc);
	crmf_diags_release(&d);
	run_free(&r);
	crmf_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed003_xlsx),	 cmocka_unit_test(test_every_format_alike),
		cmocka_unit_test(test_seed000_columns), cmocka_unit_test(test_override),
		cmocka_unit_test(test_override_errors), cmocka_unit_test(test_errors_at_cells),
		cmocka_unit_test(test_no_header),	 cmocka_unit_test(test_several_contacts),
		cmocka_unit_test(test_update),
	};

	return cmocka_run_group_tests(tests, sheets_setup, sheets_teardown);
}
