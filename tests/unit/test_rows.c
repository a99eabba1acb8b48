/* SPDX-License-Identifier: MIT */
/* Unit tests of the rows of the listings: follow-up fields, their weeks and
 * months, and follow-ups filtered one by one with their customer's fields. */
#include "unit.h"

static const char yaml[] =
	"id: C2024001\n"
	"name: 杭州云启科技有限公司\n"
	"industry: IT服务/云计算\n"
	"size: 50-200\n"
	"source: 展会\n"
	"created: 2024-01-15\n"
	"owner: zhang.wei\n"
	"stage: intent\n"
	"tags: [制造业, 品质优先]\n"
	"contacts:\n"
	"  - {name: 张伟, phone: \"+86 138 0013 8000\"}\n"
	"need: {type: 采购产品A, description: 降低生产成本20%}\n"
	"followups:\n"
	"  - date: 2024-12-30\n"
	"    by: li.na\n"
	"    method: phone\n"
	"    summary: 确认二期验收时间\n"
	"  - date: 2025-01-05 10:30\n"
	"    by: zhang.wei\n"
	"    method: visit\n"
	"    summary: 到现场过方案\n"
	"    next: 发送报价\n"
	"    due: 2025-01-10\n"
	"  - date: 2025-01-06\n"
	"    by: li.na\n"
	"    method: call\n"
	"    summary: 电话回访交付周期\n";

struct fixture {
	crmf_config *cfg;
	crmf_customer *c;
	crmf_class k;
	crmf_diags d;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	crmf_doc *doc = NULL;

	crmf_diags_init(&f->d);
	crmf_config_load(&f->cfg, NULL, &f->d);
	assert_int_equal(crmf_doc_parse(&doc, "customers/C2024001.yaml", yaml, strlen(yaml), &f->d), 0);
	/* the third follow-up's method is invalid: an error, but still a row */
	crmf_check_customer(&f->c, doc, "customers/C2024001.yaml", f->cfg,
			    crmf_date_from_ymd(2025, 1, 8), &f->d);
	assert_non_null(f->c);
	assert_int_equal(f->c->n_followups, 3);
	crmf_classify(&f->k, f->c, f->cfg, crmf_date_from_ymd(2025, 1, 8));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	crmf_customer_free(f->c);
	crmf_config_free(f->cfg);
	crmf_diags_release(&f->d);
	free(f);
	return 0;
}

static bool join(void *ectx, const char *s, size_t len)
{
	char *buf = ectx;

	if (*buf)
		strcat(buf, "|");
	strncat(buf, s, len);
	return false;
}

/* The values of `name` in row i of the fixture's customer, joined with '|'. */
static const char *values(struct fixture *f, size_t i, const char *name)
{
	static char buf[512];
	crmf_fu_row r = {f->c, &f->k, &f->c->followups[i], i};

	buf[0] = '\0';
	crmf_fu_row_values(&r, name, strlen(name), join, buf);
	return buf;
}

static void test_field_names(void **state)
{
	(void)state;
	assert_int_equal(crmf_fu_field_find("by", 2), CRMF_FU_BY);
	assert_int_equal(crmf_fu_field_find("followups.by", 12), CRMF_FU_BY);
	assert_int_equal(crmf_fu_field_find("week", 4), CRMF_FU_WEEK);
	assert_int_equal(crmf_fu_field_find("month", 5), CRMF_FU_MONTH);
	/* week is no field of the file: followups.week is none */
	assert_int_equal(crmf_fu_field_find("followups.week", 14), -1);
	assert_int_equal(crmf_fu_field_find("owner", 5), -1);
	assert_int_equal(crmf_fu_field_find("byx", 2), CRMF_FU_BY); /* by length */
	assert_int_equal(crmf_fu_field_find("followups", 9), -1);
	assert_int_equal(crmf_computed_find("next_due", 8), CRMF_COMPUTED_NEXT_DUE);
	assert_int_equal(crmf_computed_find("next", 4), -1);
}

static void test_values(void **state)
{
	struct fixture *f = *state;

	/* the follow-up's own fields, as written */
	assert_string_equal(values(f, 0, "date"), "2024-12-30");
	assert_string_equal(values(f, 1, "date"), "2025-01-05 10:30");
	assert_string_equal(values(f, 1, "followups.by"), "zhang.wei");
	assert_string_equal(values(f, 1, "next"), "发送报价");
	assert_string_equal(values(f, 1, "due"), "2025-01-10");
	assert_string_equal(values(f, 0, "next"), "");
	assert_string_equal(values(f, 2, "method"), "call");
	/* ISO weeks across New Year: 2024-12-30 is a Monday of 2025-W01 */
	assert_string_equal(values(f, 0, "week"), "2025-W01");
	assert_string_equal(values(f, 0, "month"), "2024-12");
	assert_string_equal(values(f, 1, "week"), "2025-W01");
	assert_string_equal(values(f, 2, "week"), "2025-W02");
	/* the customer's fields, stored and computed, the same in every row */
	assert_string_equal(values(f, 2, "owner"), "zhang.wei");
	assert_string_equal(values(f, 2, "tags"), "制造业|品质优先");
	assert_string_equal(values(f, 2, "contacts.phone"), "+86 138 0013 8000");
	assert_string_equal(values(f, 0, "last_contact"), "2025-01-06");
	assert_string_equal(values(f, 0, "path"), "customers/C2024001.yaml");
}

static size_t count(struct fixture *f, const char *where)
{
	crmf_expr *e = NULL;
	size_t n;

	assert_int_equal(crmf_expr_parse(&e, where, crmf_date_from_ymd(2025, 1, 8), NULL, 0, NULL), 0);
	assert_int_equal(crmf_expr_bind(e, f->cfg, NULL, 0, NULL), 0);
	n = crmf_fu_each(f->c, &f->k, e, NULL, NULL);
	crmf_expr_free(e);
	return n;
}

static void test_each(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(crmf_fu_each(f->c, &f->k, NULL, NULL, NULL), 3);
	/* each follow-up is tested on its own: by and date of the same one */
	assert_int_equal(count(f, "by = li.na"), 2);
	assert_int_equal(count(f, "by = li.na and date >= today - 7d"), 1);
	assert_int_equal(count(f, "by = zhang.wei and method = phone"), 0);
	assert_int_equal(count(f, "week = 2025-W01"), 2);
	assert_int_equal(count(f, "next"), 1);
	assert_int_equal(count(f, "not next"), 2);
	/* with the customer's fields */
	assert_int_equal(count(f, "owner = zhang.wei and by != zhang.wei"), 2);
	assert_int_equal(count(f, "stage = lead"), 0);
	assert_int_equal(count(f, "date >= 2025-01-05 and tags = 品质优先"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_names),
		cmocka_unit_test_setup_teardown(test_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
