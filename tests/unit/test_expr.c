/* SPDX-License-Identifier: MIT */
/* Unit tests of the --where expression language: parsing, evaluation and every error's column. */
#include "unit.h"

#include <stdbool.h>

/* A fake customer: each field path with its values, several for paths through lists. */
struct field {
	const char *name;
	const char *v[4];
};

static const struct field record[] = {
    {"id", {"C2024001"}},
    {"name", {"杭州恒拓云启科技有限公司"}},
    {"industry", {"IT服务/云计算"}},
    {"size", {"50-200"}},
    {"stage", {"at-risk"}},
    {"potential", {"high"}},
    {"grade", {""}}, /* present but empty */
    {"owner", {"zhang.wei"}},
    {"created", {"2024-01-15"}},
    {"last_contact", {"2024-03-05"}},
    {"tags", {"品质优先", "制造业"}},
    {"contacts", {"1", "1"}},
    {"contacts.name", {"张伟", "Li Na"}},
    {"contacts.email", {"zhangwei@example.cn", "LiNa@Example.COM"}},
    {"contacts.phone", {"+86 138 0013 8000"}},
    {"need.type", {"采购产品A"}},
    {"followups.by", {"zhang.wei", "li.na"}},
    {"followups.date", {"2024-02-01", "2024-03-05 14:30"}},
    {"deals.amount", {"500000", "1200000.50"}},
    {"score", {"-3.5"}},
    {"note", {"O'Brien said \"ok\""}},
};

static int lookups; /* lookups made, to prove that and/or short-circuit */
static int emitted; /* values handed over, to prove that emit stops the lookup */

static void lookup(void *ctx, const char *f, size_t n, crmf_expr_emit emit, void *ectx)
{
	(void)ctx;
	assert_int_equal(strlen(f), n);
	lookups++;
	for (size_t i = 0; i < sizeof(record) / sizeof(record[0]); i++) {
		if (strcmp(record[i].name, f) != 0)
			continue;
		for (size_t j = 0; j < 4 && record[i].v[j]; j++) {
			emitted++;
			if (emit(ectx, record[i].v[j], strlen(record[i].v[j])))
				return;
		}
	}
}

static crmf_day day(const char *s)
{
	crmf_day d;

	assert_int_equal(crmf_date_parse(&d, s, strlen(s)), 0);
	return d;
}

/* Parse at `today`, fail the test with the message on a parse error. */
static bool run_at(const char *text, const char *today)
{
	crmf_expr *e = NULL;
	char err[256] = "";
	int col = 0;
	bool r;

	if (crmf_expr_parse(&e, text, day(today), err, sizeof(err), &col) != 0)
		fail_msg("'%s': column %d: %s", text, col, err);
	assert_non_null(e);
	r = crmf_expr_eval(e, lookup, NULL);
	crmf_expr_free(e);
	return r;
}

static bool run(const char *text)
{
	return run_at(text, "2024-06-03");
}

typedef struct {
	const char *text;
	bool want;
} row;

static void check_table(const row *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (run(t[i].text) != t[i].want)
			fail_msg("'%s' should be %s", t[i].text, t[i].want ? "true" : "false");
}

#define CHECK_TABLE(t) check_table((t), sizeof(t) / sizeof((t)[0]))

static void test_text_comparisons(void **state)
{
	static const row t[] = {
	    {"stage = at-risk", true},
	    {"stage=at-risk", true},
	    {"stage = at", false},
	    {"stage != at-risk", false},
	    {"stage != lost", true},
	    {"stage = 'at-risk'", true},
	    {"stage = \"at-risk\"", true},
	    {"stage = AT-RISK", false}, /* = is exact */
	    {"owner = zhang.wei", true},
	    {"owner < zz", true},
	    {"owner > zhang", true},
	    {"owner >= zhang.wei", true},
	    {"owner <= zhang.wei", true},
	    {"owner < zhang.wei", false},
	    {"size = 50-200", true},
	    {"industry = IT服务/云计算", true},
	    {"name = 杭州恒拓云启科技有限公司", true},
	    {"note = 'O\\'Brien said \"ok\"'", true},
	    {"note = \"O'Brien said \\\"ok\\\"\"", true},
	    {"grade = ''", true},
	    {"missing = ''", false},
	    {"missing != x", true},
	    {"missing < zzz", false},
	};

	(void)state;
	CHECK_TABLE(t);
}

static void test_substring(void **state)
{
	static const row t[] = {
	    {"name ~ 恒拓", true},
	    {"name ~ '恒拓'", true},
	    {"name~恒拓", true},
	    {"name ~ 拓恒", false},
	    {"name !~ 恒拓", false},
	    {"name !~ 拓恒", true},
	    {"contacts.email ~ example.cn", true},
	    {"contacts.email ~ EXAMPLE.CN", true}, /* ASCII case does not matter */
	    {"contacts.email ~ example.com", true},
	    {"contacts.email !~ example", false},
	    {"contacts.email !~ qq.com", true},
	    {"contacts.name ~ 'li na'", true},
	    {"need.type ~ 采购", true},
	    {"id ~ ''", true},
	    {"missing ~ ''", false},
	    {"missing !~ x", true},
	    {"created ~ 2024-01", true},
	};

	(void)state;
	CHECK_TABLE(t);
}

static void test_numbers(void **state)
{
	static const row t[] = {
	    {"deals.amount > 1000000", true}, /* numerically, not as text */
	    {"deals.amount >= 1200000.5", true},
	    {"deals.amount > 1200000.5", false},
	    {"deals.amount = 500000.0", true},
	    {"deals.amount = 500000", true},
	    {"deals.amount < 500000", false},
	    {"deals.amount != 500000", false}, /* one deal equals it */
	    {"deals.amount != 7", true},
	    {"score < -3", true},
	    {"score > -4", true},
	    {"score = -3.5", true},
	    {"score < 0", true},
	    {"id > 5", true},			/* C2024001 is no number: bytes, 'C' > '5' */
	    {"deals.amount > '1000000'", true}, /* typing is by content, quoted or not */
	};

	(void)state;
	CHECK_TABLE(t);
}

static void test_dates(void **state)
{
	static const row t[] = {
	    {"created >= 2024-01-01", true},
	    {"created >= 2024-01-15", true},
	    {"created > 2024-01-15", false},
	    {"created = 2024-01-15", true},
	    {"created = '2024-01-15'", true},
	    {"created < today", true},
	    {"followups.date = 2024-03-05", true}, /* a date-time compares by its day */
	    {"followups.date > 2024-03-05", false},
	    {"followups.date >= 2024-03-05", true},
	    {"followups.date = '2024-03-05 14:30'", true},
	    {"followups.date ~ 14:30", true},
	    {"created = 2024-01-01 + 2w", true},
	    {"created = 2024-01-01+14d", true},
	    {"created = 2024-01-29 - 2w", true},
	    {"created = 2024-01-16 -1", true},
	    {"created < today - 2w - 1d", true},
	    {"created = today - 140d", true}, /* 2024-06-03 - 140 days */
	    {"created = today-140d", true},
	    {"created = TODAY - 140d", true},
	    {"created = today -140d", true},
	    {"created = today - 139d", false},
	    {"created > today + 1w", false},
	    {"owner < today", false}, /* 'z' > '2': text, not a date */
	};

	(void)state;
	CHECK_TABLE(t);
}

/* last_contact is 2024-03-05: dormant after 90 days means on 2024-06-04. */
static void test_today_boundaries(void **state)
{
	(void)state;
	assert_false(run_at("last_contact < today - 90d", "2024-06-02"));
	assert_false(run_at("last_contact < today - 90d", "2024-06-03")); /* day 90 */
	assert_true(run_at("last_contact < today - 90d", "2024-06-04"));  /* day 91 */
	assert_true(run_at("last_contact <= today - 90d", "2024-06-03"));
	assert_false(run_at("last_contact <= today - 90d", "2024-06-02"));
	assert_true(run_at("last_contact = today - 90d", "2024-06-03"));
	assert_true(run_at("last_contact = today-90d", "2024-06-03"));
	assert_true(run_at("last_contact >= today - 13w + 1d", "2024-06-03"));
	assert_true(run_at("created < today + 2d", "2024-01-14"));
	assert_true(run_at("last_contact = today + 6d", "2024-02-28")); /* across 2024-02-29 */
	assert_true(run_at("created = today + 321d", "2023-02-28"));
	assert_false(run_at("created = today + 320d", "2023-02-28"));
	assert_true(run_at("last_contact = today", "2024-03-05"));
	assert_false(run_at("last_contact = today", "2024-03-06"));
}

static void test_in(void **state)
{
	static const row t[] = {
	    {"stage in (intent, at-risk)", true},
	    {"stage in (intent,negotiation)", false},
	    {"stage IN ('at-risk')", true},
	    {"stage not in (intent, negotiation)", true},
	    {"stage not in (lost, at-risk)", false},
	    {"tags in (制造业, 零售业)", true},
	    {"tags not in (制造业)", false},
	    {"followups.by in (li.na)", true},
	    {"deals.amount in (1, 500000.00)", true},
	    {"created in (today - 140d, 2020-01-01)", true},
	    {"missing in (a, b)", false},
	    {"missing not in (a, b)", true},
	};

	(void)state;
	CHECK_TABLE(t);
}

static void test_nested_lists(void **state)
{
	static const row t[] = {
	    {"followups.by = li.na", true},
	    {"followups.by = wang.fang", false},
	    {"followups.by != li.na", false}, /* no element equals li.na: false */
	    {"followups.by != wang.fang", true},
	    {"not followups.by = li.na", false},
	    {"contacts.phone", true},
	    {"contacts.wechat", false},
	    {"contacts", true},
	    {"not contacts.wechat", true},
	    /* any element: one contact has each; not necessarily the same one */
	    {"contacts.name = 张伟 and contacts.email ~ example.com", true},
	};

	(void)state;
	CHECK_TABLE(t);
}

static void test_presence_and_logic(void **state)
{
	static const row t[] = {
	    {"potential", true},
	    {"grade", false}, /* empty is not present */
	    {"missing", false},
	    {"not potential", false},
	    {"not grade", true},
	    {"not not potential", true},
	    {"not not not potential", false},
	    {"potential and stage = at-risk", true},
	    {"potential AND grade", false},
	    {"grade or potential", true},
	    {"grade Or missing", false},
	    {"(potential)", true},
	    {"((((potential))))", true},
	    {"not (grade or missing)", true},
	};

	(void)state;
	CHECK_TABLE(t);
}

static void test_precedence(void **state)
{
	static const row t[] = {
	    /* and binds tighter than or */
	    {"stage = lost and potential = low or owner = zhang.wei", true},
	    {"stage = lost and (potential = low or owner = zhang.wei)", false},
	    {"owner = zhang.wei or stage = lost and potential = low", true},
	    {"(owner = zhang.wei or stage = lost) and potential = low", false},
	    /* not binds tighter than and */
	    {"not stage = lost and potential = high", true},
	    {"not stage = at-risk and potential = low", false},
	    {"not (stage = at-risk and potential = low)", true},
	    {"not stage = at-risk or potential = high", true},
	    {"not (stage = at-risk or potential = low)", false},
	};

	(void)state;
	CHECK_TABLE(t);
}

static void test_short_circuit(void **state)
{
	(void)state;
	lookups = 0;
	assert_true(run("potential or stage = x or owner = y"));
	assert_int_equal(lookups, 1);
	lookups = 0;
	assert_false(run("grade and stage = x and owner = y"));
	assert_int_equal(lookups, 1);
	emitted = 0;
	assert_true(run("followups.by = zhang.wei"));
	assert_int_equal(emitted, 1); /* the second follow-up is never looked at */
}

struct err_case {
	const char *text;
	const char *msg;
	int col;
};

static void test_errors(void **state)
{
	static const struct err_case t[] = {
	    {"", "empty expression", 1},
	    {"   ", "empty expression", 1},
	    {"stage =", "expected a value after '='", 8},
	    {"stage = ", "expected a value after '='", 9},
	    {"stage = )", "expected a value after '='", 9},
	    {"stage = and x", "expected a value after '='; quote 'and' to use it as text", 9},
	    {"名字 = x", "expected a field name, found '名字'", 1},
	    {"(stage = lead", "unclosed parenthesis", 1},
	    {"x and (y or (z)", "unclosed parenthesis", 7},
	    {"stage = lead)", "unmatched ')'", 13},
	    {"name ~ 恒拓 )", "unmatched ')'", 11},
	    {"name = '恒拓", "unterminated string; add the closing \"'\"", 8},
	    {"name = \"恒拓\\\"", "unterminated string; add the closing '\"'", 8},
	    {"stage == lead", "unknown operator '=='; use '='", 7},
	    {"stage <> lead", "unknown operator '<>'; use '!='", 7},
	    {"a = 1 && b = 2", "unknown operator '&&'; use 'and'", 7},
	    {"!potential", "unknown operator '!'; use 'not'", 1},
	    {"a =! b", "unknown operator '=!'; use = != < <= > >= ~ or !~", 3},
	    {"stage in (lead intent)", "expected ')' or ','", 16},
	    {"stage in (lead,", "expected a value after ','", 16},
	    {"stage in (lead, )", "expected a value after ','", 17},
	    {"stage in ()", "expected a value after '('", 11},
	    {"stage in (lead", "unclosed parenthesis", 10},
	    {"stage in lead", "expected '(' after 'in'", 10},
	    {"stage not lead", "expected 'in' after 'not'", 11},
	    {"potential high", "expected an operator like '=' or '~' after 'potential'", 11},
	    {"name = 杭州 云启",
	     "expected 'and', 'or' or the end of the expression, found '云启'; quote a value that "
	     "contains spaces",
	     11},
	    {"(a = 1 b)", "expected 'and', 'or' or ')', found 'b'", 8},
	    {"a = 1 and", "expected a field name after 'and'", 10},
	    {"a = 1 or or", "expected a field name, found 'or'", 10},
	    {"not", "expected a field name after 'not'", 4},
	    {"()", "expected a field name after '('", 2},
	    {"a..b = 1", "expected a field name, found 'a..b'", 1},
	    {"contacts. = 1", "expected a field name, found 'contacts.'", 1},
	    {"'stage' = lead", "expected a field name, found ''stage''", 1},
	    {"created > 2024-02-30",
	     "invalid date '2024-02-30'; write YYYY-MM-DD (quote it to compare text)", 11},
	    {"created > today - 90x", "invalid duration '90x'; write days or weeks like 90d or 2w",
	     19},
	    {"created > today-3m", "invalid duration '3m'; write days or weeks like 90d or 2w", 17},
	    {"created > today -", "expected a duration like 90d after '-'", 18},
	    {"created > today-", "expected a duration like 90d after '-'", 17},
	    {"created > today + 9999999d",
	     "invalid duration '9999999d'; write days or weeks like 90d or 2w", 19},
	    {"created > today + 3000000d",
	     "date out of range; dates go from 1900-01-01 to 9999-12-31", 19},
	    {"a = 1 -", "expected 'and', 'or' or the end of the expression, found '-'", 7},
	    {"size = >200", "expected a value after '='; quote a value that starts with '>'", 8},
	    {"stage = lead,intent",
	     "expected 'and', 'or' or the end of the expression, found ','; write a list as: field "
	     "in (a, b)",
	     13},
	    {"a = b\x01", "control character in expression; remove it", 6},
	    {"名 = \xff", "invalid UTF-8 in expression", 5},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		crmf_expr *e = (crmf_expr *)1;
		char err[256] = "";
		int col = -1;

		if (crmf_expr_parse(&e, t[i].text, day("2024-06-03"), err, sizeof(err), &col) != -1)
			fail_msg("'%s' should not parse", t[i].text);
		assert_null(e);
		if (strcmp(err, t[i].msg) != 0 || col != t[i].col)
			fail_msg("'%s': got %d '%s', want %d '%s'", t[i].text, col, err, t[i].col,
				 t[i].msg);
		assert_string_equal(crmf_error_last(), t[i].msg);
	}
}

static void test_error_buffers_optional(void **state)
{
	crmf_expr *e;
	char small[8];

	(void)state;
	assert_int_equal(crmf_expr_parse(&e, "a ==", 0, NULL, 0, NULL), -1);
	assert_int_equal(crmf_expr_parse(&e, "a ==", 0, small, sizeof(small), NULL), -1);
	assert_string_equal(small, "unknown");
}

static char *repeat(const char *s, size_t n, const char *middle, const char *end)
{
	size_t a = strlen(s), b = strlen(middle), c = strlen(end);
	char *r = malloc(a * n * 2 + b + c + 1), *p = r;

	assert_non_null(r);
	for (size_t i = 0; i < n; i++, p += a)
		memcpy(p, s, a);
	memcpy(p, middle, b);
	p += b;
	for (size_t i = 0; i < n; i++, p += c)
		memcpy(p, end, c);
	*p = '\0';
	return r;
}

static void test_depth(void **state)
{
	char *s;
	char err[256];
	int col = 0;
	crmf_expr *e;

	(void)state;
	s = repeat("(", CRMF_EXPR_MAX_DEPTH, "potential", ")");
	assert_true(run(s));
	free(s);
	s = repeat("not (", CRMF_EXPR_MAX_DEPTH, "potential", ")");
	assert_true(run(s)); /* an even number of nots */
	free(s);

	s = repeat("(", CRMF_EXPR_MAX_DEPTH + 1, "potential", ")");
	assert_int_equal(crmf_expr_parse(&e, s, 0, err, sizeof(err), &col), -1);
	assert_string_equal(err, "parentheses nested deeper than 64");
	assert_int_equal(col, CRMF_EXPR_MAX_DEPTH + 1);
	free(s);

	/* far too deep: an error, not a stack overflow */
	s = repeat("(", 1000000, "potential", ")");
	assert_int_equal(crmf_expr_parse(&e, s, 0, err, sizeof(err), &col), -1);
	assert_int_equal(col, CRMF_EXPR_MAX_DEPTH + 1);
	free(s);

	/* long chains of not, and, or cost no depth */
	s = repeat("not ", 100001, "grade", "");
	assert_true(run(s));
	free(s);
	s = repeat("potential and ", 100000, "potential", "");
	assert_true(run(s));
	free(s);
	s = repeat("grade or ", 100000, "potential", "");
	assert_true(run(s));
	free(s);
}

static void test_fields(void **state)
{
	crmf_expr *e;
	const crmf_expr_field *f;
	char err[256];
	int col;

	(void)state;
	assert_int_equal(crmf_expr_parse(&e,
					 "name ~ 恒拓 and (stauts = lead or name ~ x) and "
					 "contacts.email",
					 0, err, sizeof(err), &col),
			 0);
	assert_int_equal(crmf_expr_fields(e, &f), 3);
	assert_string_equal(f[0].name, "name");
	assert_int_equal(f[0].len, 4);
	assert_int_equal(f[0].column, 1);
	assert_string_equal(f[1].name, "stauts");
	assert_int_equal(f[1].column, 16); /* characters, not bytes */
	assert_string_equal(f[2].name, "contacts.email");
	assert_int_equal(f[2].len, 14);
	assert_int_equal(f[2].column, 47);
	crmf_expr_free(e);

	assert_int_equal(crmf_expr_fields(NULL, &f), 0);
	assert_null(f);
	assert_true(crmf_expr_eval(NULL, lookup, NULL));
	crmf_expr_free(NULL);
}

static void test_whitespace(void **state)
{
	static const row t[] = {
	    {"\tstage\n=\r\nat-risk  ", true},
	    {"stage\u3000=\u3000at-risk", true}, /* ideographic spaces from an input method */
	    {"stage\u00a0=\u00a0at-risk", true},
	};

	(void)state;
	CHECK_TABLE(t);
}

/* Parse, bind to a crmf.yaml's schema (labels), evaluate; -1 on a bind error. */
static int bound(const char *text, const char *yaml, char *err, size_t errlen, int *col)
{
	crmf_doc *doc = NULL;
	crmf_config *cfg = NULL;
	crmf_expr *e = NULL;
	crmf_diags d;
	int r;

	crmf_diags_init(&d);
	if (yaml)
		assert_int_equal(crmf_doc_parse(&doc, "crmf.yaml", yaml, strlen(yaml), &d), 0);
	crmf_config_load(&cfg, doc, &d);
	assert_int_equal(crmf_expr_parse(&e, text, day("2024-06-03"), NULL, 0, NULL), 0);
	r = crmf_expr_bind(e, cfg, err, errlen, col);
	if (r == 0)
		r = crmf_expr_eval(e, lookup, NULL);
	crmf_expr_free(e);
	crmf_config_free(cfg);
	crmf_doc_free(doc);
	crmf_diags_release(&d);
	return r;
}

static void test_bind(void **state)
{
	static const char yaml[] = "version: 1\n"
				   "labels:\n"
				   "  stage: {at-risk: 流失预警期}\n"
				   "  potential: {high: 高潜力}\n";
	char err[256] = "";
	int col = 0;

	(void)state;
	/* labels name their values; enums compare by rank */
	assert_int_equal(bound("stage = 流失预警期", yaml, err, sizeof(err), &col), 1);
	assert_int_equal(bound("stage in (lead, 流失预警期)", yaml, err, sizeof(err), &col), 1);
	assert_int_equal(bound("potential >= medium", NULL, err, sizeof(err), &col), 1);
	assert_int_equal(bound("potential < 高潜力", yaml, err, sizeof(err), &col), 0);
	assert_int_equal(bound("stage > customer and stage < lost", NULL, err, sizeof(err), &col),
			 1);
	/* a value outside the set: the message and the column of the value */
	assert_int_equal(bound("id ~ C and stage = intnet", NULL, err, sizeof(err), &col), -1);
	assert_string_equal(err, "invalid stage 'intnet'; did you mean 'intent'?");
	assert_int_equal(col, 20);
	assert_int_equal(bound("potential = 高", yaml, err, sizeof(err), &col), -1);
	/* phones by the normalised number */
	assert_int_equal(bound("contacts.phone = 13800138000", NULL, err, sizeof(err), &col), 1);
	assert_int_equal(bound("contacts.phone ~ '0013 8000'", NULL, err, sizeof(err), &col), 1);
	assert_int_equal(bound("contacts.phone = 13800138001", NULL, err, sizeof(err), &col), 0);
	/* free text is not judged */
	assert_int_equal(bound("stage ~ risk", NULL, err, sizeof(err), &col), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_comparisons),
	    cmocka_unit_test(test_substring),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_today_boundaries),
	    cmocka_unit_test(test_in),
	    cmocka_unit_test(test_nested_lists),
	    cmocka_unit_test(test_presence_and_logic),
	    cmocka_unit_test(test_precedence),
	    cmocka_unit_test(test_short_circuit),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_error_buffers_optional),
	    cmocka_unit_test(test_depth),
	    cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_whitespace),
	    cmocka_unit_test(test_bind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
