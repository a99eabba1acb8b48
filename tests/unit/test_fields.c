/* SPDX-License-Identifier: MIT */
/* The field table: lookups, aliases, closed sets, the hash. */
#include "unit.h"

static void test_rows(void **state)
{
	size_t n;
	const crmf_field *t = crmf_fields(&n), *f;

	(void)state;
	assert_true(n > 15);
	/* every row is found by its path, and a record precedes its fields */
	for (size_t i = 0; i < n; i++) {
		const char *dot = strchr(t[i].path, '.');

		assert_ptr_equal(crmf_field_find(t[i].path, strlen(t[i].path)), &t[i]);
		assert_non_null(t[i].label_zh);
		assert_non_null(t[i].label_en);
		if (dot) {
			f = crmf_field_find(t[i].path, (size_t)(dot - t[i].path));
			assert_non_null(f);
			assert_true(f < &t[i]);
			assert_true(f->kind == CRMF_FIELD_RECORD || f->kind == CRMF_FIELD_RECORDS);
		}
		assert_true((t[i].kind == CRMF_FIELD_ENUM) == (t[i].values != NULL));
	}
	/* a length bounds the name: "stage" is a prefix of "stagex" */
	assert_non_null(crmf_field_find("stagex", 5));
	assert_null(crmf_field_find("stag", 4));
	assert_null(crmf_field_find("method", 6)); /* only as followups.method */
	f = crmf_field_find("followups.method", 16);
	assert_non_null(f);
	assert_string_equal(crmf_field_key(f), "method");
	assert_ptr_equal(f->values, crmf_method_values);
	assert_int_equal(f->n_values, CRMF_N_METHODS);
	f = crmf_field_find("stage", 5);
	assert_true(f->flags & CRMF_FIELD_REQUIRED);
	assert_true(f->flags & CRMF_FIELD_CLASSIFY);
	assert_false(crmf_field_find("need", 4)->flags & CRMF_FIELD_CLASSIFY);
}

static void test_closed_sets(void **state)
{
	(void)state;
	/* the enums of check.h count from 1 in the table's order */
	for (int i = 0; i < CRMF_N_STAGES; i++) {
		assert_string_equal(crmf_stage_name((crmf_stage)(i + 1)), crmf_stage_values[i]);
		assert_int_equal(crmf_stage_parse(crmf_stage_values[i]), i + 1);
	}
	for (int i = 0; i < CRMF_N_POTENTIALS; i++)
		assert_string_equal(crmf_potential_name((crmf_potential)(i + 1)),
				    crmf_potential_values[i]);
	assert_string_equal(crmf_stage_values[CRMF_STAGE_AT_RISK - 1], "at-risk");
}

static void test_aliases(void **state)
{
	(void)state;
	assert_string_equal(crmf_field_alias("", "status")->path, "stage");
	assert_string_equal(crmf_field_alias("", "date")->path, "created");
	assert_string_equal(crmf_field_alias("deals", "date")->path, "deals.signed");
	assert_string_equal(crmf_field_alias("contacts", "mobile")->path, "contacts.phone");
	assert_string_equal(crmf_field_alias("followups", "contact")->path, "followups.with");
	assert_null(crmf_field_alias("", "mobile"));
	assert_null(crmf_field_alias("contacts", "stage"));
}

static void test_hash(void **state)
{
	(void)state;
	assert_true(crmf_fields_hash() == crmf_fields_hash());
	assert_true(crmf_fields_hash() != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_closed_sets),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
