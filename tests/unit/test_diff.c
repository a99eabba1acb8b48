/* SPDX-License-Identifier: MIT */
/* Unit tests of field-level changes: every kind of line, its field, and what is no change. */
#include "unit.h"

static crmf_change *V;
static size_t N;

static int teardown(void **state)
{
	(void)state;
	crmf_diff_free(V, N);
	V = NULL;
	N = 0;
	return 0;
}

/* The lines from `before` to `after` (NULL: no such version) into V and N. */
static void diff(const char *before, const char *after, const char *field)
{
	crmf_diff_free(V, N);
	V = NULL;
	N = 0;
	assert_int_equal(crmf_diff_bytes(&V, &N, "customers/C1.yaml", before,
					 before ? strlen(before) : 0, "customers/C1.yaml", after,
					 after ? strlen(after) : 0, field),
			 0);
}

static void assert_lines(const char *const *want, size_t n)
{
	for (size_t i = 0; i < N && i < n; i++)
		assert_string_equal(V[i].text, want[i]);
	assert_int_equal(N, n);
}

#define LINES(...)                                                                                 \
	do {                                                                                       \
		static const char *const w_[] = {__VA_ARGS__};                                     \
		assert_lines(w_, sizeof(w_) / sizeof(*w_));                                        \
	} while (0)

/* The field of line i, or "(null)". */
#define FIELD(i) (V[i].field ? V[i].field : "(null)")

#define CUST                                                                                       \
	"id: C1\n"                                                                                 \
	"name: 云启\n"                                                                           \
	"stage: intent\n"                                                                          \
	"grade: B\n"                                                                               \
	"contacts:\n"                                                                              \
	"  - name: 张伟\n"                                                                       \
	"    phone: \"+86 138 0013 8000\"\n"                                                       \
	"need:\n"                                                                                  \
	"  type: 采购\n"                                                                         \
	"  budget: 50万\n"

static void scalar_added_removed_changed(void **state)
{
	(void)state;
	diff(CUST,
	     "id: C1\nname: 云启\nstage: negotiation\npotential: high\n"
	     "contacts:\n  - name: 张伟\n    phone: \"+86 138 0013 8000\"\n"
	     "need:\n  type: 采购\n  budget: 50万\n",
	     NULL);
	LINES("stage: intent → negotiation", "+ potential: high", "- grade: B");
	assert_string_equal(FIELD(0), "stage");
	assert_string_equal(FIELD(1), "potential");
	assert_string_equal(FIELD(2), "grade");
}

static void nested_mapping_and_list_values(void **state)
{
	(void)state;
	diff(CUST,
	     "id: C1\nname: 云启\nstage: intent\ngrade: B\n"
	     "contacts:\n  - name: 张伟\n    phone: \"+86 139 0000 0000\"\n"
	     "need:\n  type: 采购\n  budget: 80万\n  timeline: soon\n",
	     NULL);
	LINES("contacts[0].phone: +86 138 0013 8000 → +86 139 0000 0000",
	      "need.budget: 50万 → 80万", "+ need.timeline: soon");
	assert_string_equal(FIELD(0), "contacts");
	assert_string_equal(FIELD(1), "need");
	assert_string_equal(FIELD(2), "need");
}

#define FU(date, method, summary)                                                                  \
	"  - date: " date "\n    by: li.na\n    method: " method "\n    summary: " summary "\n"

static void followups_named_and_matched(void **state)
{
	(void)state;
	/* an entry appended: named by date and method */
	diff("id: C1\nfollowups:\n" FU("2025-06-01", "email", "one"),
	     "id: C1\nfollowups:\n" FU("2025-06-01", "email", "one")
		 FU("2025-06-16", "phone", "two"),
	     NULL);
	LINES("+ follow-up 2025-06-16 phone");
	assert_string_equal(FIELD(0), "followups");
	/* the same follow-up (date and method), edited, moved to the front: compared inside */
	diff("id: C1\nfollowups:\n" FU("2025-06-01", "email", "one")
		 FU("2025-06-16", "phone", "two"),
	     "id: C1\nfollowups:\n" FU("2025-06-16", "phone", "three")
		 FU("2025-06-20", "visit", "four") FU("2025-06-21", "visit", "five"),
	     NULL);
	LINES("followups[0].summary: two → three", "+ follow-up 2025-06-20 visit",
	      "+ follow-up 2025-06-21 visit", "- follow-up 2025-06-01 email");
	/* as many went as came: by position */
	diff("id: C1\nfollowups:\n" FU("2025-06-01", "email", "one"),
	     "id: C1\nfollowups:\n" FU("2025-06-02", "email", "one"), NULL);
	LINES("followups[0].date: 2025-06-01 → 2025-06-02");
	/* reordered, nothing else: no value changed */
	diff("id: C1\nfollowups:\n" FU("2025-06-01", "email", "one")
		 FU("2025-06-16", "phone", "two"),
	     "id: C1\nfollowups:\n" FU("2025-06-16", "phone", "two")
		 FU("2025-06-01", "email", "one"),
	     NULL);
	LINES("comments or layout changed");
	assert_null(V[0].field);
}

static void deals_and_contacts_named(void **state)
{
	(void)state;
	diff("id: C1\ndeals:\n  - amount: 300000\n    signed: 2024-03-01\n"
	     "contacts:\n  - name: 张伟\n  - name: 王芳\n",
	     "id: C1\ndeals:\n  - amount: 350000\n    signed: 2024-03-01\n"
	     "  - amount: 500000\n    signed: 2025-03-01\n"
	     "contacts:\n  - name: 张伟\n  - name: 李娜\n    email: l@x.cn\n",
	     NULL);
	/* one contact went, one came: paired by position, so compared inside */
	LINES("deals[0].amount: 300000 → 350000", "+ deal 500000 signed 2025-03-01",
	      "contacts[1].name: 王芳 → 李娜", "+ contacts[1].email: l@x.cn");
	/* two came, one went: named */
	diff(
	    "id: C1\ncontacts:\n  - name: 张伟\n  - name: 王芳\n",
	    "id: C1\ncontacts:\n  - name: 李娜\n    email: l@x.cn\n  - name: 张伟\n  - name: 赵六\n"
	    "deals:\n  - amount: 1\n",
	    NULL);
	LINES("+ contact 李娜", "+ contact 赵六", "- contact 王芳", "+ deal 1");
	diff("id: C1\ndeals:\n  - amount: 1\n    signed: 2025-01-02\n", "id: C1\ndeals: []\n",
	     NULL);
	LINES("- deal 1 signed 2025-01-02");
}

static void other_lists_by_value(void **state)
{
	(void)state;
	diff("id: C1\ntags: [品质优先]\n", "id: C1\ntags: [品质优先, 制造业]\n", NULL);
	LINES("+ tags: 制造业");
	assert_string_equal(FIELD(0), "tags");
	diff("id: C1\ntags: [a, b, c]\n", "id: C1\ntags: [a, c]\n", NULL);
	LINES("- tags: b");
	/* as many went as came: by position */
	diff("id: C1\ntags: [a, b]\n", "id: C1\ntags:\n  - a\n  - c\n", NULL);
	LINES("tags[1]: b → c");
}

static void lists_and_nesting_in_one_change(void **state)
{
	(void)state;
	diff("id: C3\ntags: [a, b]\nneed: {type: A, budget: 50万}\n"
	     "followups:\n"
	     "  - {date: 2025-06-01, method: phone, summary: one}\n"
	     "  - {date: 2025-06-02, method: email, summary: two}\n"
	     "contacts:\n  - {name: 张伟, phone: '1'}\n",
	     "id: C3\ntags: [a, c]\nneed: {type: B, budget: 50万, timeline: soon}\n"
	     "followups:\n"
	     "  - {date: 2025-06-01, method: phone, summary: one, with: 张伟}\n"
	     "  - {date: 2025-06-03, method: visit, summary: three}\n"
	     "contacts:\n  - {name: 张伟, phone: '1'}\n  - {name: 李娜, email: l@x.cn}\n",
	     NULL);
	LINES("tags[1]: b → c", "need.type: A → B", "+ need.timeline: soon",
	      "+ followups[0].with: 张伟", "followups[1].date: 2025-06-02 → 2025-06-03",
	      "followups[1].method: email → visit", "followups[1].summary: two → three",
	      "+ contact 李娜");
}

static void values_shown_on_one_line(void **state)
{
	char before[256], after[256];

	(void)state;
	/* cut after 60 characters (not bytes) */
	snprintf(before, sizeof(before), "id: C1\nsummary: %s\n",
		 "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
		 "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三");
	diff("id: C1\n", before, NULL);
	LINES("+ summary: 一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
	      "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十…");
	/* line breaks become spaces; an empty value is "(empty)" */
	diff("id: C1\nnote: |-\n  one\n  two\nnext: x\n", "id: C1\nnote: one\nnext:\n", NULL);
	LINES("note: one two → one", "next: x → (empty)");
	/* a value that became a mapping or a list */
	snprintf(after, sizeof(after), "id: C1\nneed: {type: A, budget: 5}\nnote: [x, y]\n");
	diff("id: C1\nneed: A\nnote: x\n", after, NULL);
	LINES("need: A → {type: A, budget: 5}", "note: x → [x, y]");
	/* an empty mapping or list added is one line */
	diff("id: C1\n", "id: C1\nneed: {}\ntags: []\n", NULL);
	LINES("+ need: {}", "+ tags: []");
}

static void quoting_nulls_and_comments_are_no_change(void **state)
{
	(void)state;
	diff("id: C1\npotential: high\nnext: ~\n",
	     "# a comment\nid: C1\npotential: \"high\"   # quoted now\nnext:\n", NULL);
	LINES("comments or layout changed");
	assert_null(V[0].field);
	/* a quoted "null" is text, not an empty value */
	diff("id: C1\nnext: 'null'\n", "id: C1\nnext: null\n", NULL);
	LINES("next: null → (empty)");
	/* the same bytes: nothing at all */
	diff(CUST, CUST, NULL);
	assert_int_equal(N, 0);
	assert_null(V);
}

static void created_and_removed(void **state)
{
	(void)state;
	diff(NULL, "id: C1\nstage: lead\ntags: [a]\nneed: {type: A}\n", NULL);
	LINES("+ id: C1", "+ stage: lead", "+ tags: a", "+ need.type: A");
	diff("id: C1\nstage: lead\n", NULL, NULL);
	LINES("- id: C1", "- stage: lead");
	diff(NULL, NULL, NULL);
	assert_int_equal(N, 0);
}

#define CONFLICTED "id: C1\n<<<<<<< ours\nstage: a\n=======\nstage: b\n>>>>>>> theirs\n"

static void not_valid_yaml(void **state)
{
	(void)state;
	diff("id: C1\n", CONFLICTED, NULL);
	LINES("fields not compared: customers/C1.yaml is not valid YAML after");
	assert_null(V[0].field);
	crmf_diff_free(V, N);
	assert_int_equal(crmf_diff_bytes(&V, &N, "archive/C1.yaml", "- a list\n", 9,
					 "customers/C1.yaml", "id: C1\n", 7, NULL),
			 0);
	LINES("fields not compared: archive/C1.yaml is not valid YAML before");
	/* a file with errors whose root still is a mapping is compared */
	diff("id: C1\nstage: lead\n", "id: C1\nstage: lead\nstage: intent\ngrade: A\n", NULL);
	LINES("+ grade: A");
	/* with a field, there is nothing to say about it */
	diff("id: C1\n", CONFLICTED, "id");
	assert_int_equal(N, 0);
}

static void one_field(void **state)
{
	(void)state;
	diff(CUST,
	     "id: C1\nname: 云启\nstage: negotiation\npotential: high\n"
	     "contacts:\n  - name: 张伟\n    phone: \"+86 139\"\n",
	     "contacts");
	LINES("contacts[0].phone: +86 138 0013 8000 → +86 139");
	diff(CUST, "id: C1\nname: 云启\nstage: negotiation\n", "need");
	LINES("- need.type: 采购", "- need.budget: 50万");
	/* creation shows the field's first value; a field never set gives nothing */
	diff(NULL, CUST, "stage");
	LINES("+ stage: intent");
	diff(NULL, CUST, "potential");
	assert_int_equal(N, 0);
	/* whole-file lines are about no field */
	diff("id: C1\nstage: lead\n", "id: C1\nstage: lead   # hm\n", "stage");
	assert_int_equal(N, 0);
}

static void docs_and_texts(void **state)
{
	crmf_doc *a = NULL, *b = NULL;
	crmf_diags d;
	char **lines = NULL;
	static const char x[] = "id: C1\nstage: lead\n", y[] = "id: C1\nstage: won\n";

	(void)state;
	crmf_diags_init(&d);
	assert_int_equal(crmf_doc_parse(&a, "a.yaml", x, strlen(x), &d), 0);
	assert_int_equal(crmf_doc_parse(&b, "b.yaml", y, strlen(y), &d), 0);
	assert_int_equal(crmf_diff_docs(&V, &N, a, b, NULL), 0);
	LINES("stage: lead → won");
	crmf_diff_free(V, N);
	assert_int_equal(crmf_diff_docs(&V, &N, NULL, a, NULL), 0);
	LINES("+ id: C1", "+ stage: lead");
	crmf_diff_texts(&lines, V, N);
	V = NULL;
	assert_string_equal(lines[0], "+ id: C1");
	assert_string_equal(lines[1], "+ stage: lead");
	free(lines[0]);
	free(lines[1]);
	free(lines);
	crmf_diff_texts(&lines, NULL, 0);
	assert_null(lines);
	N = 0;
	crmf_diff_free(NULL, 3);
	crmf_doc_free(a);
	crmf_doc_free(b);
	crmf_diags_release(&d);
}

/* Moved from test_merge.c (crmf_merge_changes, which sync used): now in history's words. */
static void merge_summary_in_history_words(void **state)
{
	(void)state;
	diff("id: C2024001\nstage: intent\nneed:\n  type: 采购产品A\nfollowups:\n" FU(
		 "2024-02-01", "phone", "客户对方案A交付周期有疑问"),
	     "id: C2024001\nstage: negotiation\nneed:\n  type: 采购产品A\n  budget: 80万\n"
	     "followups:\n" FU("2024-02-01", "phone", "客户对方案A交付周期有疑问")
		 FU("2024-02-08", "email", "发送汽车行业案例两份"),
	     NULL);
	LINES("stage: intent → negotiation", "+ need.budget: 80万", "+ follow-up 2024-02-08 email");
}

static void long_list_appended(void **state)
{
	enum { M = 3000 };
	size_t cap = (size_t)M * 80 + 64;
	char *a = malloc(cap), *b = malloc(cap + 80);
	size_t n = 0;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	n += (size_t)snprintf(a + n, cap - n, "id: C1\nfollowups:\n");
	for (int i = 0; i < M; i++)
		n += (size_t)snprintf(a + n, cap - n, "  - {date: 2025-01-01, summary: 第%d次}\n",
				      i);
	memcpy(b, a, n);
	snprintf(b + n, 80, "  - {date: 2025-06-16, method: phone}\n");
	diff(a, b, NULL);
	LINES("+ follow-up 2025-06-16 phone");
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(scalar_added_removed_changed, teardown),
	    cmocka_unit_test_teardown(nested_mapping_and_list_values, teardown),
	    cmocka_unit_test_teardown(followups_named_and_matched, teardown),
	    cmocka_unit_test_teardown(deals_and_contacts_named, teardown),
	    cmocka_unit_test_teardown(other_lists_by_value, teardown),
	    cmocka_unit_test_teardown(lists_and_nesting_in_one_change, teardown),
	    cmocka_unit_test_teardown(values_shown_on_one_line, teardown),
	    cmocka_unit_test_teardown(quoting_nulls_and_comments_are_no_change, teardown),
	    cmocka_unit_test_teardown(created_and_removed, teardown),
	    cmocka_unit_test_teardown(not_valid_yaml, teardown),
	    cmocka_unit_test_teardown(one_field, teardown),
	    cmocka_unit_test_teardown(docs_and_texts, teardown),
	    cmocka_unit_test_teardown(merge_summary_in_history_words, teardown),
	    cmocka_unit_test_teardown(long_list_appended, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
