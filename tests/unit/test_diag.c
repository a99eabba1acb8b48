/* SPDX-License-Identifier: MIT */
/* Diagnostics: the table of rules and the rule of a diagnostic. */
#include "unit.h"

/* The names are sorted and each found again under its own enum. */
static void test_rule_table(void **state)
{
	(void)state;
	assert_null(crmf_rule_name(CRMF_RULE_OTHER));
	assert_null(crmf_rule_name(CRMF_RULE_COUNT));
	for (int r = 1; r < CRMF_RULE_COUNT; r++) {
		const char *name = crmf_rule_name((crmf_rule)r);

		assert_non_null(name);
		assert_int_equal(crmf_rule_from_name(name), r);
		if (r > 1)
			assert_true(strcmp(crmf_rule_name((crmf_rule)(r - 1)), name) < 0);
	}
	assert_string_equal(crmf_rule_name(CRMF_RULE_DUPLICATE_KEY), "duplicate-key");
	assert_int_equal(crmf_rule_from_name("yaml-tag"), CRMF_RULE_YAML_TAG);
	assert_int_equal(crmf_rule_from_name("no-such-rule"), CRMF_RULE_OTHER);
	assert_int_equal(crmf_rule_from_name(""), CRMF_RULE_OTHER);
	assert_int_equal(crmf_rule_from_name(NULL), CRMF_RULE_OTHER);
}

/* A diagnostic keeps its rule as the enum and the printed name; a name not in
 * the table is kept as given. */
static void test_diag_rule(void **state)
{
	crmf_diags d;
	char other[] = "made-up-rule";

	(void)state;
	crmf_diags_init(&d);
	crmf_diags_add(&d, CRMF_SEV_ERROR, "a.yaml", 1, 1, "shared-phone", "x");
	crmf_diags_add(&d, CRMF_SEV_ERROR, "a.yaml", 1, 1, "invalid-phone", "x");
	crmf_diags_add(&d, CRMF_SEV_WARNING, "a.yaml", 1, 1, other, "x");
	crmf_diags_add(&d, CRMF_SEV_WARNING, "a.yaml", 1, 1, "shared-phone", "y");
	assert_int_equal(d.v[0].rule_id, CRMF_RULE_SHARED_PHONE);
	assert_string_equal(d.v[0].rule, "shared-phone");
	assert_ptr_equal(d.v[0].rule, crmf_rule_name(CRMF_RULE_SHARED_PHONE));
	assert_int_equal(d.v[2].rule_id, CRMF_RULE_OTHER);
	assert_string_equal(d.v[2].rule, "made-up-rule");
	/* compared as their names are */
	assert_int_equal(crmf_diag_rule_cmp(&d.v[0], &d.v[3]), 0);
	assert_true(crmf_diag_rule_cmp(&d.v[1], &d.v[0]) < 0);
	assert_true(crmf_diag_rule_cmp(&d.v[0], &d.v[1]) > 0);
	assert_true(crmf_diag_rule_cmp(&d.v[1], &d.v[2]) < 0); /* "invalid-…" < "made-…" */
	assert_true(crmf_diag_rule_cmp(&d.v[2], &d.v[0]) < 0); /* "made-…" < "shared-…" */
	assert_int_equal(crmf_diag_rule_cmp(&d.v[2], &d.v[2]), 0);
	crmf_diags_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule_table),
	    cmocka_unit_test(test_diag_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
