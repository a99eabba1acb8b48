/* SPDX-License-Identifier: MIT */
/* Unit tests of export.c, export_xlsx.c and import_sheets.c: sheets of typed cells, masks, vCards, the workbook read back. */
#include <unistd.h>

#include "unit.h"

#include "crmf/export.h"
#include "crmf/import.h"
#include "crmf/import_sheets.h"
#include "crmf/sheet.h"

static const char cfg_yaml[] = "version: 1\n"
			       "team: [{id: li.na, name: 李娜}, {id: zhang.wei, name: 张伟}]\n"
			       "fields:\n"
			       "  region: {type: enum, values: [华东, 华北]}\n"
			       "  visited: {type: date}\n"
			       "labels:\n"
			       "  stage: {intent: 意向期}\n"
			       "  method: {visit: 拜访}\n";

static const char customer_yaml[] =
	"id: C2024002\n"
	"name: 苏州瑞丰精密电子有限公司\n"
	"industry: 制造业/电子制造\n"
	"size: \">200\"\n"
	"source: 转介绍\n"
	"created: 2024-03-25\n"
	"owner: li.na\n"
	"stage: intent\n"
	"region: 华东\n"
	"visited: 2024-04-01\n"
	"tags: [品质优先, 年度框架]\n"
	"contacts:\n"
	"  - name: 钱伟\n"
	"    title: 质量部经理, 兼任; 信息化负责人\n"
	"    email: qianwei@ruifeng.example.cn\n"
	"  - name: 吴海燕\n"
	"    phone: \"+86 136 1512 0087\"\n"
	"    email: wuhaiyan@ruifeng.example.cn\n"
	"    primary: true\n"
	"need:\n"
	"  type: 质量追溯系统\n"
	"  description: 批次级追溯\n"
	"deals:\n"
	"  - amount: 1200000\n"
	"    signed: 2024-08-30\n"
	"    expires: 2027-08-29\n"
	"  - amount: 4600.5\n"
	"    signed: 2025-01-10\n"
	"followups:\n"
	"  - date: 2024-03-27\n"
	"    by: li.na\n"
	"    method: phone\n"
	"    summary: 首次电话，确认有质量追溯需求\n"
	"  - date: \"2025-06-09 16:00\"\n"
	"    by: zhang.wei\n"
	"    method: visit\n"
	"    summary: 现场过扩容方案，报价46万元\n"
	"    next: 调整报价单\n"
	"    due: 2025-06-18\n";

typedef struct fixture {
	crmf_config *cfg;
	crmf_customer *c;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	crmf_diags d;
	crmf_doc *doc = NULL;

	crmf_diags_init(&d);
	assert_int_equal(crmf_doc_parse(&doc, "crmf.yaml", cfg_yaml, strlen(cfg_yaml), &d), 0);
	assert_int_equal(crmf_config_load(&f->cfg, doc, &d), 0);
	crmf_doc_free(doc);
	doc = NULL;
	assert_int_equal(crmf_doc_parse(&doc, "customers/C2024002.yaml", customer_yaml,
					strlen(customer_yaml), &d),
			 0);
	assert_int_equal(crmf_check_customer(&f->c, doc, "customers/C2024002.yaml", f->cfg,
					     crmf_date_from_ymd(2025, 6, 16), &d),
			 0);
	for (size_t i = 0; i < d.n; i++)
		assert_int_not_equal(d.v[i].severity, CRMF_SEV_ERROR);
	crmf_diags_release(&d);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	crmf_customer_free(f->c);
	crmf_config_free(f->cfg);
	free(f);
	return 0;
}

static void check_mask(char *got, const char *want)
{
	assert_string_equal(got, want);
	free(got);
}

static void test_masks(void **state)
{
	(void)state;
	check_mask(crmf_export_mask_phone("13805742236"), "138****2236");
	check_mask(crmf_export_mask_phone("+86 136 1512 0087"), "+86 136****0087");
	check_mask(crmf_export_mask_phone("0086-138-0574-2236"), "+86 138****2236");
	check_mask(crmf_export_mask_phone("0571-8888 6666 转 801"), "057****6666");
	check_mask(crmf_export_mask_phone("12345"), "****45");
	check_mask(crmf_export_mask_email("zhangwei@example.cn"), "z***@example.cn");
	check_mask(crmf_export_mask_email("张伟@例子.中国"), "张***@例子.中国");
	check_mask(crmf_export_mask_email("not-an-email"), "***");
}

static const crmf_xcell *cell(const crmf_xsheet *s, size_t row, const char *header)
{
	for (size_t c = 0; c < s->n_cols; c++)
		if (!strcmp(s->headers[c], header))
			return &s->cells[row * s->n_cols + c];
	fail_msg("no column '%s' in %s", header, s->name);
	return NULL;
}

static void test_sheets(void **state)
{
	fixture *f = *state;
	const crmf_customer *v[] = {f->c};
	crmf_export *x = crmf_export_build(v, 1, f->cfg, 0);
	const crmf_xsheet *cs = &x->sheets[CRMF_XSHEET_CUSTOMERS];
	const crmf_xsheet *fs = &x->sheets[CRMF_XSHEET_FOLLOWUPS];

	assert_string_equal(cs->name, "客户");
	assert_int_equal(cs->n_rows, 1);
	/* the custom fields come after 标签, by name */
	assert_string_equal(cs->headers[11], "region");
	assert_string_equal(cs->headers[12], "visited");
	assert_int_equal(cell(cs, 0, "visited")->type, CRMF_XCELL_DATE);
	assert_string_equal(cell(cs, 0, "合作阶段")->text, "意向期");
	assert_string_equal(cell(cs, 0, "标签")->text, "品质优先、年度框架");
	/* the primary contact, not the first */
	assert_string_equal(cell(cs, 0, "联系人")->text, "吴海燕");
	assert_int_equal(cell(cs, 0, "联系方式")->type, CRMF_XCELL_TEXT);
	/* the latest deal, the newest follow-up */
	assert_int_equal(cell(cs, 0, "签约金额(元)")->type, CRMF_XCELL_NUMBER);
	assert_true(cell(cs, 0, "签约金额(元)")->number == 4600.5);
	assert_string_equal(cell(cs, 0, "最近跟进日期")->text, "2025-06-09 16:00");
	assert_int_equal(cell(cs, 0, "最近跟进日期")->minute, 16 * 60);
	assert_string_equal(cell(cs, 0, "跟进方式")->text, "拜访");
	assert_string_equal(cell(cs, 0, "下次跟进计划")->text, "2025-06-18 调整报价单");
	assert_int_equal(x->sheets[CRMF_XSHEET_CONTACTS].n_rows, 2);
	assert_string_equal(cell(&x->sheets[CRMF_XSHEET_CONTACTS], 1, "主要联系人")->text, "是");
	assert_null(cell(&x->sheets[CRMF_XSHEET_CONTACTS], 0, "主要联系人")->text);
	assert_int_equal(x->sheets[CRMF_XSHEET_DEALS].n_rows, 2);
	assert_int_equal(fs->n_rows, 2);
	assert_int_equal(cell(fs, 0, "跟进日期")->minute, -1);
	assert_string_equal(cell(fs, 0, "客户编号")->text, "C2024002");
	crmf_export_free(x);

	x = crmf_export_build(v, 1, f->cfg, CRMF_EXPORT_REDACT);
	assert_string_equal(cell(&x->sheets[CRMF_XSHEET_CUSTOMERS], 0, "联系方式")->text,
			    "+86 136****0087");
	assert_string_equal(cell(&x->sheets[CRMF_XSHEET_CONTACTS], 0, "电子邮箱")->text,
			    "q***@ruifeng.example.cn");
	crmf_export_free(x);
}

static void test_vcard(void **state)
{
	fixture *f = *state;
	const crmf_customer *v[] = {f->c};
	size_t len, n_cards = 0;
	char *s = crmf_export_vcard(v, 1, 0, &len), *unfolded, *q;
	const char *p = s;

	assert_int_equal(strlen(s), len);
	/* every line ends in CRLF, at most 75 octets, never split inside a character */
	while (*p) {
		const char *e = strstr(p, "\r\n");

		assert_non_null(e);
		assert_true(e - p <= 75);
		assert_false(((unsigned char)*p & 0xc0) == 0x80);
		assert_null(memchr(p, '\n', (size_t)(e - p)));
		n_cards += !strncmp(p, "BEGIN:VCARD", 11);
		p = e + 2;
	}
	assert_int_equal(n_cards, 2);
	/* unfolded: the lines as written */
	unfolded = calloc(1, len + 1);
	for (p = s, q = unfolded; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
			p += 2;
			continue;
		}
		*q++ = *p;
	}
	assert_non_null(strstr(unfolded, "\r\nTITLE:质量部经理\\, 兼任\\; 信息化负责人\r\n"));
	assert_non_null(strstr(unfolded, "\r\nTEL;TYPE=work:+86 136 1512 0087\r\n"));
	assert_non_null(strstr(unfolded, "\r\nNOTE:客户编号 C2024002 苏州瑞丰精密电子有限公司\r\n"));
	assert_non_null(strstr(unfolded, "\r\nORG:苏州瑞丰精密电子有限公司\r\n"));
	free(unfolded);
	free(s);
}

/* The workbook written, read back by crmf's own reader and imported with its record sheets. */
static void test_xlsx_round_trip(void **state)
{
	fixture *f = *state;
	const crmf_customer *v[] = {f->c};
	crmf_export *x = crmf_export_build(v, 1, f->cfg, 0);
	char path[] = "/tmp/crmf-test-export-XXXXXX";
	int fd = mkstemp(path);
	crmf_workbook *wb = NULL;
	crmf_import *imp = NULL;
	crmf_diags d;
	const crmf_sheet *sh;
	const crmf_cell *c;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(crmf_export_xlsx(x, path), 0);
	crmf_export_free(x);
	assert_int_equal(crmf_workbook_open(&wb, path, NULL), 0);
	unlink(path);
	assert_int_equal(wb->n_sheets, 4);
	assert_non_null(sh = crmf_workbook_sheet(wb, "客户"));
	assert_non_null(c = crmf_sheet_cell(sh, 2, 6)); /* 建档日期 */
	assert_int_equal(c->type, CRMF_CELL_DATE);
	assert_string_equal(c->text, "2024-03-25");

	crmf_diags_init(&d);
	assert_int_equal(crmf_import_sheet(&imp, sh, NULL, f->cfg,
					   &(crmf_import_options){.where = "x.xlsx:客户",
								  .today = crmf_date_from_ymd(2025, 6, 16)},
					   &d),
			 0);
	assert_int_equal(crmf_import_records(imp, wb, f->cfg, "x.xlsx",
					     crmf_date_from_ymd(2025, 6, 16), &d),
			 3);
	assert_int_equal(imp->errors, 0);
	assert_int_equal(imp->n_rows, 1);
	assert_non_null(strstr(imp->rows[0].yaml, "contacts:\n  - name: 钱伟\n"));
	assert_non_null(strstr(imp->rows[0].yaml, "    primary: true\n"));
	assert_non_null(strstr(imp->rows[0].yaml, "  - amount: 4600.5\n    signed: 2025-01-10\n"));
	assert_non_null(strstr(imp->rows[0].yaml, "  - date: \"2025-06-09 16:00\"\n    by: zhang.wei\n"
						  "    method: visit\n"));
	assert_non_null(strstr(imp->rows[0].yaml, "    due: 2025-06-18\n"));
	crmf_diags_release(&d);
	crmf_import_free(imp);
	crmf_workbook_free(wb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masks),
		cmocka_unit_test(test_sheets),
		cmocka_unit_test(test_vcard),
		cmocka_unit_test(test_xlsx_round_trip),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
