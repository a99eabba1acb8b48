/* SPDX-License-Identifier: MIT */
/* Unit tests of the structural three-way merge: base, ours, theirs in; exact bytes out. */
#include "unit.h"

#include "crmf/merge.h"

/* The record every case starts from; comments on purpose. */
#define HEAD                                                                                      \
	"# 云启: a comment that must survive\n"                                                  \
	"id: C2024001\n"                                                                          \
	"name: 杭州云启科技有限公司\n"                                                            \
	"industry: IT服务/云计算\n"                                                               \
	"size: 50-200\n"                                                                          \
	"source: 展会   # 2024 展会\n"                                                            \
	"created: 2024-01-15\n"                                                                   \
	"owner: zhang.wei\n"
#define STAGE "stage: intent\n"
#define GRADE "grade: A\n"
#define TAGS "tags: [品质优先, 制造业]\n"
#define C0                                                                                        \
	"contacts:\n"                                                                             \
	"  - name: 张伟\n"                                                                        \
	"    phone: \"+86 138 0013 8000\"\n"                                                      \
	"    primary: true   # 拍板人\n"
#define C1                                                                                        \
	"  - name: 李娜\n"                                                                        \
	"    title: 采购\n"                                                                       \
	"    email: lina@example.cn\n"
#define NEED                                                                                      \
	"need:\n"                                                                                 \
	"  type: 采购产品A\n"                                                                     \
	"  description: 降低生产成本20%\n"
#define F0                                                                                        \
	"followups:\n"                                                                            \
	"  - date: 2024-02-01\n"                                                                  \
	"    by: zhang.wei\n"                                                                     \
	"    method: phone\n"                                                                     \
	"    summary: 客户对方案A交付周期有疑问\n"
#define F_OURS                                                                                    \
	"  - date: 2024-02-10\n"                                                                  \
	"    by: zhang.wei\n"                                                                     \
	"    method: visit\n"                                                                     \
	"    summary: 上门演示方案A，客户认可交付计划\n"
#define F_THEIRS                                                                                  \
	"  - date: 2024-02-08\n"                                                                  \
	"    by: li.na\n"                                                                         \
	"    method: email\n"                                                                     \
	"    summary: 发送汽车行业案例两份\n"
#define F_LATE                                                                                    \
	"  - date: \"2024-03-01 09:30\"\n"                                                        \
	"    by: li.na\n"                                                                         \
	"    method: wechat\n"                                                                    \
	"    summary: 微信确认报价单已收到\n"

#define BASE HEAD STAGE GRADE TAGS C0 C1 NEED F0

static crmf_merge_result R;

static int teardown(void **state)
{
	(void)state;
	crmf_merge_result_release(&R);
	return 0;
}

static int merge3(const char *base, const char *ours, const char *theirs)
{
	crmf_merge_opts o = {0};

	o.relpath = "customers/C2024001.yaml";
	o.today = crmf_date_from_ymd(2025, 6, 16);
	crmf_merge_result_release(&R);
	return crmf_merge_file(&R, base, base ? strlen(base) : 0, ours, strlen(ours), theirs,
			       strlen(theirs), &o);
}

#define assert_merged(expected)                                                                   \
	do {                                                                                      \
		assert_non_null(R.buf);                                                           \
		assert_string_equal(R.buf, (expected));                                           \
		assert_int_equal(R.len, strlen(expected));                                        \
	} while (0)

static void followups_added_on_both_sides_all_kept_in_date_order(void **state)
{
	(void)state;
	assert_int_equal(merge3(BASE, BASE F_OURS, BASE F_THEIRS), 0);
	assert_merged(BASE F_THEIRS F_OURS);
	assert_int_equal(R.n_conflicts, 0);
	/* and a later one of theirs goes after ours */
	assert_int_equal(merge3(BASE, BASE F_OURS, BASE F_LATE), 0);
	assert_merged(BASE F_OURS F_LATE);
}

static void entry_added_identically_appears_once(void **state)
{
	(void)state;
	assert_int_equal(merge3(BASE, BASE F_OURS, BASE F_THEIRS F_OURS), 0);
	assert_merged(BASE F_THEIRS F_OURS);
	assert_int_equal(merge3(BASE, BASE F_OURS F_LATE, BASE F_LATE), 0);
	assert_merged(BASE F_OURS F_LATE);
}

static void different_fields_changed_on_each_side_both_applied(void **state)
{
	(void)state;
	assert_int_equal(merge3(BASE, HEAD "stage: negotiation\n" GRADE TAGS C0 C1 NEED F0,
				HEAD STAGE "grade: B   # 预算收紧\n" TAGS C0 C1 NEED F0),
			 0);
	assert_merged(HEAD "stage: negotiation\n"
			   "grade: B   # 预算收紧\n" TAGS C0 C1 NEED F0);
}

static void ours_comment_kept_when_their_value_comes_in(void **state)
{
	(void)state;
	/* we commented the line, they changed the value: both survive */
	assert_int_equal(merge3(BASE, HEAD "stage: intent   # 等预算\n" GRADE TAGS C0 C1 NEED F0,
				HEAD "stage: negotiation\n" GRADE TAGS C0 C1 NEED F0),
			 0);
	assert_merged(HEAD "stage: negotiation   # 等预算\n" GRADE TAGS C0 C1 NEED F0);
}

static void their_comment_taken_on_untouched_key(void **state)
{
	(void)state;
	assert_int_equal(merge3(BASE, HEAD "stage: lead\n" GRADE TAGS C0 C1 NEED F0,
				HEAD STAGE "grade: A   # 复核过\n" TAGS C0 C1 NEED F0),
			 0);
	assert_merged(HEAD "stage: lead\n"
			   "grade: A   # 复核过\n" TAGS C0 C1 NEED F0);
}

static void same_field_same_value_is_clean(void **state)
{
	(void)state;
	assert_int_equal(merge3(BASE, HEAD "stage: negotiation\n" GRADE TAGS C0 C1 NEED F0 F_OURS,
				HEAD "stage: negotiation\n" GRADE TAGS C0 C1 NEED F0),
			 0);
	assert_merged(HEAD "stage: negotiation\n" GRADE TAGS C0 C1 NEED F0 F_OURS);
}

static void same_field_different_values_conflict_around_that_key(void **state)
{
	(void)state;
	assert_int_equal(merge3(BASE, HEAD "stage: negotiation\n" GRADE TAGS C0 C1 NEED F0 F_OURS,
				HEAD "stage: customer   # 已签\n" GRADE TAGS C0 C1 NEED F0 F_THEIRS),
			 1);
	assert_merged(HEAD "<<<<<<< ours\n"
			   "stage: negotiation\n"
			   "=======\n"
			   "stage: customer   # 已签\n"
			   ">>>>>>> theirs\n" GRADE TAGS C0 C1 NEED F0 F_THEIRS F_OURS);
	assert_int_equal(R.n_conflicts, 1);
	assert_false(R.whole_file);
	assert_string_equal(R.conflicts[0].field, "stage");
	assert_string_equal(R.conflicts[0].ours, "negotiation");
	assert_string_equal(R.conflicts[0].theirs, "customer");
	assert_int_equal(R.conflicts[0].line, 9);
}

static void contacts_changed_on_each_side_both_applied(void **state)
{
	(void)state;
	assert_int_equal(
	    merge3(BASE,
		   HEAD STAGE GRADE TAGS "contacts:\n"
					 "  - name: 张伟\n"
					 "    phone: \"+86 139 0000 1111\"\n"
					 "    primary: true   # 拍板人\n" C1 NEED F0,
		   HEAD STAGE GRADE TAGS C0 "  - name: 李娜\n"
					    "    title: 采购经理\n"
					    "    email: lina@example.cn\n" NEED F0),
	    0);
	assert_merged(HEAD STAGE GRADE TAGS "contacts:\n"
					    "  - name: 张伟\n"
					    "    phone: \"+86 139 0000 1111\"\n"
					    "    primary: true   # 拍板人\n"
					    "  - name: 李娜\n"
					    "    title: 采购经理\n"
					    "    email: lina@example.cn\n" NEED F0);
}

static void nested_field_conflict_marks_only_that_field(void **state)
{
	(void)state;
	assert_int_equal(merge3(BASE,
				HEAD STAGE GRADE TAGS C0 "  - name: 李娜\n"
							 "    title: 采购经理\n"
							 "    email: lina@example.cn\n" NEED F0,
				HEAD STAGE GRADE TAGS C0 "  - name: 李娜\n"
							 "    title: 采购总监\n"
							 "    email: lina@example.cn\n" NEED F0),
			 1);
	assert_merged(HEAD STAGE GRADE TAGS C0 "  - name: 李娜\n"
					       "<<<<<<< ours\n"
					       "    title: 采购经理\n"
					       "=======\n"
					       "    title: 采购总监\n"
					       ">>>>>>> theirs\n"
					       "    email: lina@example.cn\n" NEED F0);
	assert_int_equal(R.n_conflicts, 1);
	assert_string_equal(R.conflicts[0].field, "contacts[1].title");
	assert_int_equal(R.conflicts[0].line, 17);
}

#define DEAL(amount) "deals:\n  - amount: " amount "\n    signed: 2024-03-01\n"

static void first_key_of_an_entry_conflicts_on_the_whole_entry(void **state)
{
	(void)state;
	/* markers must start lines: `- amount:` cannot be split, so the entry is marked */
	assert_int_equal(merge3(HEAD STAGE GRADE TAGS C0 C1 NEED DEAL("500000") F0,
				HEAD STAGE GRADE TAGS C0 C1 NEED DEAL("520000") F0,
				HEAD STAGE GRADE TAGS C0 C1 NEED DEAL("480000") F0),
			 1);
	assert_merged(HEAD STAGE GRADE TAGS C0 C1 NEED "deals:\n"
						   "<<<<<<< ours\n"
						   "  - amount: 520000\n"
						   "    signed: 2024-03-01\n"
						   "=======\n"
						   "  - amount: 480000\n"
						   "    signed: 2024-03-01\n"
						   ">>>>>>> theirs\n" F0);
	assert_int_equal(R.n_conflicts, 1);
	assert_string_equal(R.conflicts[0].field, "deals[0]");
	assert_string_equal(R.conflicts[0].ours, "{amount: 520000, signed: 2024-03-01}");
	assert_int_equal(R.conflicts[0].line, 23);
}

static void key_added_by_them_goes_after_its_neighbour(void **state)
{
	(void)state;
	assert_int_equal(merge3(BASE, HEAD "stage: negotiation\n" GRADE TAGS C0 C1 NEED F0,
				HEAD STAGE "potential: high   # 新厂区\n" GRADE TAGS C0 C1 NEED
					   "  budget: 50万-100万\n" F0),
			 0);
	assert_merged(HEAD "stage: negotiation\n"
			   "potential: high   # 新厂区\n" GRADE TAGS C0 C1 NEED "  budget: 50万-100万\n" F0);
}

static void key_deleted_by_them_is_deleted(void **state)
{
	(void)state;
	assert_int_equal(merge3(BASE, HEAD STAGE GRADE TAGS C0 C1 NEED F0 F_OURS,
				HEAD STAGE TAGS C0 C1 NEED F0),
			 0);
	assert_merged(HEAD STAGE TAGS C0 C1 NEED F0 F_OURS);
}

static void deleted_on_one_side_changed_on_other_conflicts(void **state)
{
	(void)state;
	assert_int_equal(merge3(BASE, HEAD STAGE "grade: B\n" TAGS C0 C1 NEED F0,
				HEAD STAGE TAGS C0 C1 NEED F0),
			 1);
	assert_merged(HEAD STAGE "<<<<<<< ours\n"
				 "grade: B\n"
				 "=======\n"
				 ">>>>>>> theirs\n" TAGS C0 C1 NEED F0);
	assert_string_equal(R.conflicts[0].ours, "B");
	assert_null(R.conflicts[0].theirs);
	/* the other way round */
	assert_int_equal(merge3(BASE, HEAD STAGE TAGS C0 C1 NEED F0,
				HEAD STAGE "grade: B\n" TAGS C0 C1 NEED F0),
			 1);
	assert_merged(HEAD STAGE "<<<<<<< ours\n"
				 "=======\n"
				 "grade: B\n"
				 ">>>>>>> theirs\n" TAGS C0 C1 NEED F0);
	assert_null(R.conflicts[0].ours);
	assert_string_equal(R.conflicts[0].theirs, "B");
}

static void flow_list_merged_as_a_set(void **state)
{
	(void)state;
	assert_int_equal(merge3(BASE, HEAD STAGE GRADE "tags: [品质优先, 制造业, 标杆客户]\n" C0 C1 NEED F0,
				HEAD STAGE GRADE "tags: [制造业, 价格敏感]\n" C0 C1 NEED F0),
			 0);
	assert_merged(HEAD STAGE GRADE "tags: [制造业, 标杆客户, 价格敏感]\n" C0 C1 NEED F0);
}

static void contact_added_on_each_side(void **state)
{
	(void)state;
	assert_int_equal(merge3(BASE, HEAD STAGE GRADE TAGS C0 C1 "  - name: 王芳\n"
								  "    phone: 13900001111\n" NEED F0,
				HEAD STAGE GRADE TAGS C0 C1 "  - name: 赵强\n"
							    "    email: zq@example.cn\n" NEED F0),
			 0);
	assert_merged(HEAD STAGE GRADE TAGS C0 C1 "  - name: 王芳\n"
						  "    phone: 13900001111\n"
						  "  - name: 赵强\n"
						  "    email: zq@example.cn\n" NEED F0);
}

static void their_entry_reindented_to_our_style(void **state)
{
	(void)state;
	/* they write lists at 4 spaces: their follow-up takes our 2 */
	assert_int_equal(merge3(BASE, BASE F_OURS,
				HEAD STAGE GRADE TAGS C0 C1 NEED "followups:\n"
								"    - date: 2024-02-01\n"
								"      by: zhang.wei\n"
								"      method: phone\n"
								"      summary: 客户对方案A交付周期有疑问\n"
								"    - date: 2024-02-20\n"
								"      by: li.na\n"
								"      method: phone\n"
								"      summary: |\n"
								"        电话确认两点：\n"
								"        交付分两批\n"),
			 0);
	assert_merged(BASE F_OURS "  - date: 2024-02-20\n"
				  "    by: li.na\n"
				  "    method: phone\n"
				  "    summary: |\n"
				  "      电话确认两点：\n"
				  "      交付分两批\n");
}

static void crlf_line_ends_kept(void **state)
{
	(void)state;
	assert_int_equal(
	    merge3("id: C2024001\r\nname: 云启\r\nstage: intent\r\n",
		   "id: C2024001\r\nname: 云启\r\nstage: negotiation\r\n",
		   "id: C2024001\nname: 云启\nstage: intent\ngrade: B\n"),
	    0); /* both sides lack required fields: the merge is not to blame */
	assert_false(R.invalid);
	assert_merged("id: C2024001\r\nname: 云启\r\nstage: negotiation\r\ngrade: B\r\n");
}

static void unparseable_side_gives_whole_file_markers(void **state)
{
	(void)state;
	assert_int_equal(merge3(BASE, BASE "<<<<<<< HEAD\nx: 1\n=======\nx: 2\n>>>>>>> b\n",
				BASE F_THEIRS),
			 1);
	assert_true(R.whole_file);
	assert_merged("<<<<<<< ours\n" BASE "<<<<<<< HEAD\nx: 1\n=======\nx: 2\n>>>>>>> b\n"
		      "=======\n" BASE F_THEIRS ">>>>>>> theirs\n");
	assert_int_equal(R.conflicts[0].line, 1);
	assert_null(R.conflicts[0].field);
	assert_diag_at(&R.diags, "conflict-marker", 27, 1);
}

static void invalid_result_is_a_conflict(void **state)
{
	(void)state;
	/* each side makes a different contact primary: valid alone, not together */
	assert_int_equal(
	    merge3(HEAD STAGE GRADE TAGS "contacts:\n"
					 "  - name: 张伟\n"
					 "    phone: \"+86 138 0013 8000\"\n" C1 NEED F0,
		   HEAD STAGE GRADE TAGS "contacts:\n"
					 "  - name: 张伟\n"
					 "    phone: \"+86 138 0013 8000\"\n"
					 "    primary: true\n" C1 NEED F0,
		   HEAD STAGE GRADE TAGS "contacts:\n"
					 "  - name: 张伟\n"
					 "    phone: \"+86 138 0013 8000\"\n" C1 "    primary: true\n" NEED F0),
	    1);
	assert_true(R.invalid);
	assert_int_equal(R.n_conflicts, 0);
	assert_diag_at(&R.diags, "multiple-primary", 19, 14);
	assert_merged(HEAD STAGE GRADE TAGS "contacts:\n"
					    "  - name: 张伟\n"
					    "    phone: \"+86 138 0013 8000\"\n"
					    "    primary: true\n" C1 "    primary: true\n" NEED F0);
}

static void added_on_both_sides_without_base(void **state)
{
	(void)state;
	assert_int_equal(merge3(NULL, BASE F_OURS, BASE F_THEIRS), 0);
	assert_merged(BASE F_THEIRS F_OURS);
	assert_int_equal(merge3("", HEAD "stage: lead\n", HEAD "stage: intent\n"), 1);
	assert_merged(HEAD "<<<<<<< ours\nstage: lead\n=======\nstage: intent\n>>>>>>> theirs\n");
}

static void labels_and_marker_size(void **state)
{
	crmf_merge_opts o = {0};

	(void)state;
	o.ours_label = "HEAD";
	o.theirs_label = "origin/main";
	o.marker_size = 9;
	o.no_validate = true;
	crmf_merge_result_release(&R);
	assert_int_equal(crmf_merge_file(&R, "a: 1\nb: 1\n", 10, "a: 2\nb: 1\n", 10, "a: 3\nb: 1\n",
					 10, &o),
			 1);
	assert_merged("<<<<<<<<< HEAD\na: 2\n=========\na: 3\n>>>>>>>>> origin/main\nb: 1\n");
}

static void one_side_unchanged_takes_the_other_bytes(void **state)
{
	(void)state;
	assert_int_equal(merge3(BASE, BASE, "whatever: [\n"), 0);
	assert_merged("whatever: [\n");
	assert_int_equal(merge3(BASE, "x: [\n", BASE), 0);
	assert_merged("x: [\n");
}

static void followup_edited_on_one_side_added_on_other(void **state)
{
	(void)state;
	assert_int_equal(merge3(BASE,
				HEAD STAGE GRADE TAGS C0 C1 NEED "followups:\n"
								"  - date: 2024-02-01\n"
								"    by: zhang.wei\n"
								"    method: phone\n"
								"    summary: 客户对方案A的交付周期有疑问，要求两周内答复\n",
				BASE F_THEIRS),
			 0);
	assert_merged(HEAD STAGE GRADE TAGS C0 C1 NEED "followups:\n"
						       "  - date: 2024-02-01\n"
						       "    by: zhang.wei\n"
						       "    method: phone\n"
						       "    summary: 客户对方案A的交付周期有疑问，要求两周内答复\n" F_THEIRS);
}

static void first_followup_logged_on_both_sides(void **state)
{
	const char *base = HEAD STAGE GRADE TAGS C0 C1 NEED;

	(void)state;
	/* neither base nor the other side had `followups:` */
	assert_int_equal(merge3(base, HEAD STAGE GRADE TAGS C0 C1 NEED "followups:\n" F_OURS,
				HEAD STAGE GRADE TAGS C0 C1 NEED "followups:   # 跟进\n" F_THEIRS),
			 0);
	assert_merged(HEAD STAGE GRADE TAGS C0 C1 NEED "followups:\n" F_THEIRS F_OURS);
	/* from an empty flow list */
	assert_int_equal(merge3(HEAD STAGE GRADE TAGS C0 C1 NEED "followups: []\n",
				HEAD STAGE GRADE TAGS C0 C1 NEED "followups:\n" F_OURS,
				HEAD STAGE GRADE TAGS C0 C1 NEED "followups:\n" F_LATE),
			 0);
	assert_merged(HEAD STAGE GRADE TAGS C0 C1 NEED "followups:\n" F_OURS F_LATE);
}

static void block_list_of_tags(void **state)
{
#define BT(x) HEAD STAGE GRADE "tags:\n" x C0 C1 NEED F0
	(void)state;
	/* a comment is no change: the entry they deleted goes, with our comment */
	assert_int_equal(merge3(BT("  - 品质优先\n  - 制造业\n"),
				BT("  - 品质优先   # 老板关注\n  - 制造业\n  - 标杆客户\n"),
				BT("  - 制造业\n  - 价格敏感\n")),
			 0);
	assert_merged(BT("  - 制造业\n  - 标杆客户\n  - 价格敏感\n"));
	/* both added the same tag: once */
	assert_int_equal(merge3(BT("  - 制造业\n"), BT("  - 制造业\n  - 标杆客户\n"),
				BT("  - 标杆客户\n  - 制造业\n")),
			 0);
	assert_merged(BT("  - 制造业\n  - 标杆客户\n"));
	assert_int_equal(merge3(BT("  - 品质优先\n  - 制造业\n"),
				BT("  - 品质优先\n  - 制造业\n  - 标杆客户\n"),
				BT("  - 制造业\n  - 价格敏感\n")),
			 0);
	assert_merged(BT("  - 制造业\n  - 标杆客户\n  - 价格敏感\n"));
#undef BT
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(followups_added_on_both_sides_all_kept_in_date_order, teardown),
	    cmocka_unit_test_teardown(entry_added_identically_appears_once, teardown),
	    cmocka_unit_test_teardown(different_fields_changed_on_each_side_both_applied, teardown),
	    cmocka_unit_test_teardown(ours_comment_kept_when_their_value_comes_in, teardown),
	    cmocka_unit_test_teardown(their_comment_taken_on_untouched_key, teardown),
	    cmocka_unit_test_teardown(same_field_same_value_is_clean, teardown),
	    cmocka_unit_test_teardown(same_field_different_values_conflict_around_that_key,
				      teardown),
	    cmocka_unit_test_teardown(contacts_changed_on_each_side_both_applied, teardown),
	    cmocka_unit_test_teardown(nested_field_conflict_marks_only_that_field, teardown),
	    cmocka_unit_test_teardown(first_key_of_an_entry_conflicts_on_the_whole_entry, teardown),
	    cmocka_unit_test_teardown(key_added_by_them_goes_after_its_neighbour, teardown),
	    cmocka_unit_test_teardown(key_deleted_by_them_is_deleted, teardown),
	    cmocka_unit_test_teardown(deleted_on_one_side_changed_on_other_conflicts, teardown),
	    cmocka_unit_test_teardown(flow_list_merged_as_a_set, teardown),
	    cmocka_unit_test_teardown(contact_added_on_each_side, teardown),
	    cmocka_unit_test_teardown(their_entry_reindented_to_our_style, teardown),
	    cmocka_unit_test_teardown(crlf_line_ends_kept, teardown),
	    cmocka_unit_test_teardown(unparseable_side_gives_whole_file_markers, teardown),
	    cmocka_unit_test_teardown(invalid_result_is_a_conflict, teardown),
	    cmocka_unit_test_teardown(added_on_both_sides_without_base, teardown),
	    cmocka_unit_test_teardown(labels_and_marker_size, teardown),
	    cmocka_unit_test_teardown(one_side_unchanged_takes_the_other_bytes, teardown),
	    cmocka_unit_test_teardown(followup_edited_on_one_side_added_on_other, teardown),
	    cmocka_unit_test_teardown(first_followup_logged_on_both_sides, teardown),
	    cmocka_unit_test_teardown(block_list_of_tags, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
