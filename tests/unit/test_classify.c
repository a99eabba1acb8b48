/* SPDX-License-Identifier: MIT */
/* Unit tests of the computed classification: every rule at its boundaries. */
#include "unit.h"

/* Loaded afresh for every test, so that tests may change the rules. */
static crmf_config *cfg;
static crmf_day today;

static int setup(void **state)
{
	crmf_diags diags;

	(void)state;
	crmf_diags_init(&diags);
	crmf_config_load(&cfg, NULL, &diags);
	assert_int_equal(diags.n, 0);
	crmf_diags_release(&diags);
	today = crmf_date_from_ymd(2024, 6, 15);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	crmf_config_free(cfg);
	cfg = NULL;
	return 0;
}

/* A valid customer at stage `stage`, created `age` days before today, with no
 * follow-ups and no deals; tests add what they need. */
static crmf_customer customer(crmf_stage stage, int age)
{
	crmf_customer c = {0};

	c.path = (char *)"customers/C2024001.yaml";
	c.id = "C2024001";
	c.name = "杭州云启科技有限公司";
	c.created = today - age;
	c.stage = stage;
	return c;
}

static crmf_followup fu(crmf_day date, const char *next, crmf_day due)
{
	crmf_followup f = {0};

	f.date = date;
	f.minute = -1;
	f.by = "zhang.wei";
	f.method = "phone";
	f.summary = "客户对方案A交付周期有疑问";
	f.next = next;
	f.due = due;
	return f;
}

static crmf_deal deal(double amount, crmf_day signed_on)
{
	crmf_deal d = {0};

	d.amount = amount;
	d.signed_on = signed_on;
	d.expires = CRMF_NO_DAY;
	return d;
}

static crmf_class classify(const crmf_customer *c)
{
	crmf_class k;

	memset(&k, 0xa5, sizeof(k)); /* every field must be written */
	crmf_classify(&k, c, cfg, today);
	return k;
}

static void assert_due(const crmf_class *k, crmf_day due, crmf_due_kind kind, const char *reason)
{
	assert_int_equal(k->next_due, due);
	assert_int_equal(k->due_kind, kind);
	assert_string_equal(k->reason, reason);
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(cfg->rules.dormant_after, 90);
	assert_int_equal(cfg->rules.archive_after, 180);
	assert_true(cfg->rules.high_value == 1000000);
	assert_int_equal(cfg->rules.cadence_high, 3);
	assert_int_equal(cfg->rules.cadence_medium, 14);
	assert_int_equal(cfg->rules.cadence_low, 30);
	assert_int_equal(cfg->rules.cadence_core, 30);
	assert_int_equal(cfg->rules.first_a, 1);
	assert_int_equal(cfg->rules.first_b, 2);
	assert_int_equal(cfg->rules.first_c, 7);
}

static void test_last_contact_by_date_not_file_order(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_INTENT, 300);
	crmf_followup f[3] = {
	    fu(today - 10, NULL, CRMF_NO_DAY),
	    fu(today - 5, NULL, CRMF_NO_DAY),
	    fu(today - 20, NULL, CRMF_NO_DAY),
	};
	crmf_class k;

	(void)state;
	c.followups = f;
	c.n_followups = 3;
	k = classify(&c);
	assert_int_equal(k.last_contact, today - 5);

	/* a follow-up without a valid date does not count */
	f[1].date = CRMF_NO_DAY;
	k = classify(&c);
	assert_int_equal(k.last_contact, today - 10);
}

static void test_last_contact_falls_back_to_created(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_INTENT, 40);
	crmf_followup f = fu(CRMF_NO_DAY, NULL, CRMF_NO_DAY);
	crmf_class k;

	(void)state;
	k = classify(&c);
	assert_int_equal(k.last_contact, today - 40);
	c.followups = &f;
	c.n_followups = 1;
	k = classify(&c);
	assert_int_equal(k.last_contact, today - 40);
}

static void test_no_dates_at_all(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_LEAD, 0);
	crmf_class k;

	(void)state;
	c.created = CRMF_NO_DAY;
	c.potential = CRMF_POTENTIAL_HIGH;
	k = classify(&c);
	assert_int_equal(k.last_contact, CRMF_NO_DAY);
	assert_int_equal(k.activity, CRMF_ACTIVITY_DORMANT);
	assert_int_equal(k.quadrant, CRMF_QUADRANT_WATCH);
	assert_due(&k, CRMF_NO_DAY, CRMF_DUE_NONE, "");
	assert_int_equal(k.overdue_days, 0);
	assert_false(k.stale);
}

static void test_dormant_boundary(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_CUSTOMER, 89);
	crmf_class k;

	(void)state;
	k = classify(&c);
	assert_int_equal(k.activity, CRMF_ACTIVITY_ACTIVE);
	c.created = today - 90;
	k = classify(&c);
	assert_int_equal(k.activity, CRMF_ACTIVITY_ACTIVE);
	c.created = today - 91;
	k = classify(&c);
	assert_int_equal(k.activity, CRMF_ACTIVITY_DORMANT);
	/* a date after today is recent, not dormant */
	c.created = today + 3;
	k = classify(&c);
	assert_int_equal(k.activity, CRMF_ACTIVITY_ACTIVE);
}

static void test_dormant_counts_from_last_follow_up(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_CUSTOMER, 400);
	crmf_followup f = fu(today - 90, NULL, CRMF_NO_DAY);
	crmf_class k;

	(void)state;
	c.followups = &f;
	c.n_followups = 1;
	k = classify(&c);
	assert_int_equal(k.activity, CRMF_ACTIVITY_ACTIVE);
	f.date = today - 91;
	k = classify(&c);
	assert_int_equal(k.activity, CRMF_ACTIVITY_DORMANT);
}

static void test_dormant_custom_rule(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_CUSTOMER, 30);
	crmf_class k;

	(void)state;
	cfg->rules.dormant_after = 30;
	k = classify(&c);
	assert_int_equal(k.activity, CRMF_ACTIVITY_ACTIVE);
	c.created = today - 31;
	k = classify(&c);
	assert_int_equal(k.activity, CRMF_ACTIVITY_DORMANT);
}

static void test_lost(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_LOST, 1);
	crmf_deal d = deal(2000000, today - 10);
	crmf_followup f = fu(today - 1, "再次报价", today - 1);
	crmf_class k;

	(void)state;
	c.potential = CRMF_POTENTIAL_HIGH;
	c.followups = &f;
	c.n_followups = 1;
	k = classify(&c);
	assert_int_equal(k.activity, CRMF_ACTIVITY_LOST);
	assert_int_equal(k.value, CRMF_VALUE_LOW);
	assert_int_equal(k.quadrant, CRMF_QUADRANT_WATCH);
	assert_due(&k, CRMF_NO_DAY, CRMF_DUE_NONE, "");
	assert_null(k.next);
	assert_int_equal(k.overdue_days, 0);

	c.deals = &d;
	c.n_deals = 1;
	k = classify(&c);
	assert_int_equal(k.value, CRMF_VALUE_HIGH);
	assert_int_equal(k.quadrant, CRMF_QUADRANT_WIN_BACK);
	assert_due(&k, CRMF_NO_DAY, CRMF_DUE_NONE, "");
}

static void test_value_threshold(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_CUSTOMER, 10);
	crmf_deal d[2] = {deal(600000, today - 100), deal(400000, today - 200)};
	crmf_class k;

	(void)state;
	c.deals = d;
	c.n_deals = 2;
	k = classify(&c);
	assert_true(k.value_sum == 1000000);
	assert_int_equal(k.value, CRMF_VALUE_HIGH);
	d[1].amount = 399999;
	k = classify(&c);
	assert_true(k.value_sum == 999999);
	assert_int_equal(k.value, CRMF_VALUE_LOW);

	cfg->rules.high_value = 999999;
	k = classify(&c);
	assert_int_equal(k.value, CRMF_VALUE_HIGH);
}

static void test_value_window(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_CUSTOMER, 10);
	crmf_deal d = deal(1000000, today - 364);
	crmf_class k;

	(void)state;
	c.deals = &d;
	c.n_deals = 1;
	k = classify(&c);
	assert_int_equal(k.value, CRMF_VALUE_HIGH);
	d.signed_on = today - 365;
	k = classify(&c);
	assert_int_equal(k.value, CRMF_VALUE_LOW);
	assert_true(k.value_sum == 0);
	d.signed_on = today;
	k = classify(&c);
	assert_int_equal(k.value, CRMF_VALUE_HIGH);
	/* signed in the future: not yet signed */
	d.signed_on = today + 1;
	k = classify(&c);
	assert_int_equal(k.value, CRMF_VALUE_LOW);
	d.signed_on = CRMF_NO_DAY;
	k = classify(&c);
	assert_int_equal(k.value, CRMF_VALUE_LOW);
}

static void test_deal_sum(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_CUSTOMER, 10);
	crmf_deal d[4] = {
	    deal(1, today - 10),
	    deal(20, today - 5),
	    deal(300, today),
	    deal(4000, CRMF_NO_DAY),
	};

	(void)state;
	c.deals = d;
	c.n_deals = 4;
	assert_true(crmf_classify_deal_sum(&c, today - 10, today) == 321);
	assert_true(crmf_classify_deal_sum(&c, today - 9, today - 1) == 20);
	assert_true(crmf_classify_deal_sum(&c, today - 5, today - 5) == 20);
	assert_true(crmf_classify_deal_sum(&c, today + 1, today + 9) == 0);
}

static void test_quadrants(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_CUSTOMER, 10);
	crmf_deal d = deal(1500000, today - 30);
	crmf_class k;

	(void)state;
	k = classify(&c);
	assert_int_equal(k.quadrant, CRMF_QUADRANT_DEVELOP);
	c.created = today - 91;
	k = classify(&c);
	assert_int_equal(k.quadrant, CRMF_QUADRANT_WATCH);
	c.deals = &d;
	c.n_deals = 1;
	k = classify(&c);
	assert_int_equal(k.quadrant, CRMF_QUADRANT_WIN_BACK);
	c.created = today - 90;
	k = classify(&c);
	assert_int_equal(k.quadrant, CRMF_QUADRANT_CORE);
}

static void test_cadence_per_potential(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_INTENT, 100);
	crmf_followup f = fu(today - 2, NULL, CRMF_NO_DAY);
	crmf_class k;

	(void)state;
	c.followups = &f;
	c.n_followups = 1;
	c.potential = CRMF_POTENTIAL_HIGH;
	k = classify(&c);
	assert_due(&k, today + 1, CRMF_DUE_CADENCE, "cadence: high potential, every 3d");
	assert_int_equal(k.due_every, 3);
	assert_null(k.next);
	c.potential = CRMF_POTENTIAL_MEDIUM;
	k = classify(&c);
	assert_due(&k, today + 12, CRMF_DUE_CADENCE, "cadence: medium potential, every 14d");
	c.potential = CRMF_POTENTIAL_LOW;
	k = classify(&c);
	assert_due(&k, today + 28, CRMF_DUE_CADENCE, "cadence: low potential, every 30d");
	/* no potential yet: the unjudged cadence (issue 13: such customers
	 * silently left the agenda) */
	c.potential = CRMF_POTENTIAL_NONE;
	k = classify(&c);
	assert_due(&k, today + 12, CRMF_DUE_CADENCE, "cadence: potential not judged yet, every 14d");
	assert_int_equal(k.due_every, 14);
	cfg->rules.cadence_unjudged = 7;
	k = classify(&c);
	assert_due(&k, today + 5, CRMF_DUE_CADENCE, "cadence: potential not judged yet, every 7d");
}

static void test_cadence_custom_rules(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_INTENT, 10);
	crmf_class k;

	(void)state;
	cfg->rules.cadence_high = 5;
	cfg->rules.cadence_medium = 7;
	c.potential = CRMF_POTENTIAL_HIGH;
	k = classify(&c);
	assert_due(&k, today - 5, CRMF_DUE_CADENCE, "cadence: high potential, every 5d");
	assert_int_equal(k.overdue_days, 5);
	c.potential = CRMF_POTENTIAL_MEDIUM;
	k = classify(&c);
	assert_due(&k, today - 3, CRMF_DUE_CADENCE, "cadence: medium potential, every 7d");
}

static void test_cadence_core_cap(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_CUSTOMER, 10);
	crmf_deal d = deal(1000000, today - 30);
	crmf_class k;

	(void)state;
	c.deals = &d;
	c.n_deals = 1;

	/* low potential is already every 30d: the potential names the rule */
	c.potential = CRMF_POTENTIAL_LOW;
	k = classify(&c);
	assert_int_equal(k.quadrant, CRMF_QUADRANT_CORE);
	assert_due(&k, today + 20, CRMF_DUE_CADENCE, "cadence: low potential, every 30d");

	/* a shorter potential cadence stays */
	c.potential = CRMF_POTENTIAL_HIGH;
	k = classify(&c);
	assert_due(&k, today - 7, CRMF_DUE_CADENCE, "cadence: high potential, every 3d");

	/* no potential: a core customer is still called every 30d */
	c.potential = CRMF_POTENTIAL_NONE;
	k = classify(&c);
	assert_due(&k, today + 20, CRMF_DUE_CADENCE, "cadence: core customer, every 30d");

	/* a longer potential cadence is capped */
	cfg->rules.cadence_low = 60;
	c.potential = CRMF_POTENTIAL_LOW;
	k = classify(&c);
	assert_due(&k, today + 20, CRMF_DUE_CADENCE, "cadence: core customer, every 30d");
	assert_int_equal(k.due_every, 30);

	cfg->rules.cadence_core = 10;
	c.potential = CRMF_POTENTIAL_MEDIUM;
	k = classify(&c);
	assert_due(&k, today, CRMF_DUE_CADENCE, "cadence: core customer, every 10d");
	assert_int_equal(k.overdue_days, 0);

	/* not core (low value): no cap */
	c.n_deals = 0;
	k = classify(&c);
	assert_int_equal(k.quadrant, CRMF_QUADRANT_DEVELOP);
	assert_due(&k, today + 4, CRMF_DUE_CADENCE, "cadence: medium potential, every 14d");
	c.potential = CRMF_POTENTIAL_NONE;
	k = classify(&c);
	assert_due(&k, today + 4, CRMF_DUE_CADENCE, "cadence: potential not judged yet, every 14d");

	/* win-back (high value, dormant) is not capped either */
	c.n_deals = 1;
	c.created = today - 100;
	c.potential = CRMF_POTENTIAL_LOW;
	k = classify(&c);
	assert_int_equal(k.quadrant, CRMF_QUADRANT_WIN_BACK);
	assert_due(&k, today - 40, CRMF_DUE_CADENCE, "cadence: low potential, every 60d");
	assert_int_equal(k.overdue_days, 40);
}

static void test_first_contact_per_grade(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_LEAD, 0);
	crmf_class k;

	(void)state;
	c.grade = 'A';
	k = classify(&c);
	assert_due(&k, today + 1, CRMF_DUE_FIRST_CONTACT, "first contact: grade A within 1d");
	assert_int_equal(k.due_every, 1);
	c.grade = 'B';
	k = classify(&c);
	assert_due(&k, today + 2, CRMF_DUE_FIRST_CONTACT, "first contact: grade B within 2d");
	c.grade = 'C';
	k = classify(&c);
	assert_due(&k, today + 7, CRMF_DUE_FIRST_CONTACT, "first contact: grade C within 7d");
	c.grade = 0;
	k = classify(&c);
	assert_due(&k, today + 7, CRMF_DUE_FIRST_CONTACT, "first contact: no grade, within 7d");

	/* overdue since created + 1 */
	c.grade = 'A';
	c.created = today - 4;
	k = classify(&c);
	assert_due(&k, today - 3, CRMF_DUE_FIRST_CONTACT, "first contact: grade A within 1d");
	assert_int_equal(k.overdue_days, 3);

	cfg->rules.first_b = 5;
	c.grade = 'B';
	c.created = today;
	k = classify(&c);
	assert_due(&k, today + 5, CRMF_DUE_FIRST_CONTACT, "first contact: grade B within 5d");
}

static void test_first_contact_only_without_follow_ups(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_LEAD, 0);
	crmf_followup f = fu(today, NULL, CRMF_NO_DAY);
	crmf_class k;

	(void)state;
	c.grade = 'A';
	c.followups = &f;
	c.n_followups = 1;
	k = classify(&c);
	assert_due(&k, today + 14, CRMF_DUE_CADENCE, "cadence: potential not judged yet, every 14d");
	c.potential = CRMF_POTENTIAL_MEDIUM;
	k = classify(&c);
	assert_due(&k, today + 14, CRMF_DUE_CADENCE, "cadence: medium potential, every 14d");

	/* only leads get a first contact */
	c.n_followups = 0;
	c.stage = CRMF_STAGE_INTENT;
	c.potential = CRMF_POTENTIAL_NONE;
	k = classify(&c);
	assert_due(&k, today + 14, CRMF_DUE_CADENCE, "cadence: potential not judged yet, every 14d");
}

static void test_first_contact_against_cadence(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_LEAD, 0);
	crmf_class k;

	(void)state;
	/* high potential every 3d comes before grade C within 7d */
	c.grade = 'C';
	c.potential = CRMF_POTENTIAL_HIGH;
	k = classify(&c);
	assert_due(&k, today + 3, CRMF_DUE_CADENCE, "cadence: high potential, every 3d");
	/* same day: first contact is preferred */
	c.grade = 'A';
	cfg->rules.cadence_high = 1;
	k = classify(&c);
	assert_due(&k, today + 1, CRMF_DUE_FIRST_CONTACT, "first contact: grade A within 1d");
	cfg->rules.cadence_high = 3;
	k = classify(&c);
	assert_due(&k, today + 1, CRMF_DUE_FIRST_CONTACT, "first contact: grade A within 1d");
}

static void test_next_action_newest_follow_up(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_INTENT, 100);
	crmf_followup f[3] = {
	    fu(today - 10, "发送报价", today + 2),
	    fu(today - 3, "发送汽车行业案例", today + 5),
	    fu(today - 20, "安排拜访", today - 15),
	};
	crmf_class k;

	(void)state;
	c.followups = f;
	c.n_followups = 3;
	k = classify(&c);
	assert_due(&k, today + 5, CRMF_DUE_NEXT_ACTION, "发送汽车行业案例 (next action)");
	assert_ptr_equal(k.next, f[1].next);
	assert_int_equal(k.due_every, 0);

	/* a later follow-up without a next action answers the earlier ones
	 * (issue 13: a sent quotation stayed overdue for good) */
	f[1].next = NULL;
	k = classify(&c);
	assert_int_not_equal(k.due_kind, CRMF_DUE_NEXT_ACTION);
	assert_null(k.next);
	f[1].next = "";
	k = classify(&c);
	assert_int_not_equal(k.due_kind, CRMF_DUE_NEXT_ACTION);
	assert_null(k.next);
	/* an older follow-up's next action does not come back when the newest
	 * stands anywhere in the file */
	f[1].next = NULL;
	f[0].date = today - 30;
	k = classify(&c);
	assert_int_not_equal(k.due_kind, CRMF_DUE_NEXT_ACTION);
	f[0].date = today - 10;

	/* the newest with a next but no due supersedes older ones; with no
	 * potential the unjudged cadence gives the date */
	f[1].next = "发送汽车行业案例";
	f[1].due = CRMF_NO_DAY;
	k = classify(&c);
	assert_due(&k, today + 11, CRMF_DUE_CADENCE, "cadence: potential not judged yet, every 14d");
	assert_null(k.next);
}

static void test_next_action_ties(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_INTENT, 100);
	crmf_followup f[2] = {
	    fu(today - 3, "第一", today + 1),
	    fu(today - 3, "第二", today + 4),
	};
	crmf_class k;

	(void)state;
	c.followups = f;
	c.n_followups = 2;
	k = classify(&c);
	assert_due(&k, today + 4, CRMF_DUE_NEXT_ACTION, "第二 (next action)");

	/* times decide when both have one */
	f[0].minute = 16 * 60;
	f[1].minute = 9 * 60;
	k = classify(&c);
	assert_due(&k, today + 1, CRMF_DUE_NEXT_ACTION, "第一 (next action)");
	f[1].minute = 16 * 60;
	k = classify(&c);
	assert_due(&k, today + 4, CRMF_DUE_NEXT_ACTION, "第二 (next action)");
	/* else the file order */
	f[1].minute = -1;
	k = classify(&c);
	assert_due(&k, today + 4, CRMF_DUE_NEXT_ACTION, "第二 (next action)");
}

static void test_next_action_against_cadence(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_NEGOTIATION, 100);
	crmf_followup f = fu(today - 1, "确认交货期", today + 10);
	crmf_class k;

	(void)state;
	c.followups = &f;
	c.n_followups = 1;
	c.potential = CRMF_POTENTIAL_HIGH;
	/* cadence (today + 2) comes first */
	k = classify(&c);
	assert_due(&k, today + 2, CRMF_DUE_CADENCE, "cadence: high potential, every 3d");
	assert_null(k.next);
	/* next action first */
	f.due = today + 1;
	k = classify(&c);
	assert_due(&k, today + 1, CRMF_DUE_NEXT_ACTION, "确认交货期 (next action)");
	/* same day: next action preferred */
	f.due = today + 2;
	k = classify(&c);
	assert_due(&k, today + 2, CRMF_DUE_NEXT_ACTION, "确认交货期 (next action)");
	assert_ptr_equal(k.next, f.next);
}

static void test_archived_has_no_due(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_LEAD, 300);
	crmf_followup f = fu(today - 200, "回访", today - 190);
	crmf_class k;

	(void)state;
	c.potential = CRMF_POTENTIAL_HIGH;
	c.grade = 'A';
	c.archived = true;
	k = classify(&c);
	assert_due(&k, CRMF_NO_DAY, CRMF_DUE_NONE, "");
	assert_int_equal(k.overdue_days, 0);
	assert_false(k.stale);
	c.followups = &f;
	c.n_followups = 1;
	k = classify(&c);
	assert_due(&k, CRMF_NO_DAY, CRMF_DUE_NONE, "");
	assert_int_equal(k.activity, CRMF_ACTIVITY_DORMANT);

	c.archived = false;
	k = classify(&c);
	assert_due(&k, today - 197, CRMF_DUE_CADENCE, "cadence: high potential, every 3d");
	assert_int_equal(k.overdue_days, 197);
	assert_true(k.stale);
}

static void test_overdue_days(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_INTENT, 100);
	crmf_followup f = fu(today - 5, "发送报价", today - 1);
	crmf_class k;

	(void)state;
	c.followups = &f;
	c.n_followups = 1;
	k = classify(&c);
	assert_int_equal(k.overdue_days, 1);
	f.due = today;
	k = classify(&c);
	assert_int_equal(k.overdue_days, 0);
	f.due = today + 1;
	k = classify(&c);
	assert_int_equal(k.overdue_days, 0);
	f.due = today - 365;
	k = classify(&c);
	assert_int_equal(k.overdue_days, 365);
}

static void test_stale(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_CUSTOMER, 180);
	crmf_class k;

	(void)state;
	k = classify(&c);
	assert_false(k.stale);
	c.created = today - 181;
	k = classify(&c);
	assert_true(k.stale);
	c.stage = CRMF_STAGE_LOST;
	k = classify(&c);
	assert_true(k.stale);
	cfg->rules.archive_after = 365;
	k = classify(&c);
	assert_false(k.stale);
}

static void test_long_next_is_cut_on_a_character(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_INTENT, 100);
	char text[600];
	crmf_followup f = fu(today - 1, text, today + 1);
	static const char suffix[] = "\xe2\x80\xa6 (next action)";
	size_t len;
	crmf_class k;

	(void)state;
	/* "报" is three bytes: 600 bytes of them cannot be cut on a byte boundary by luck */
	for (size_t i = 0; i + 3 < sizeof(text); i += 3) {
		memcpy(text + i, "报", 3);
		text[i + 3] = '\0';
	}
	c.followups = &f;
	c.n_followups = 1;
	k = classify(&c);
	len = strlen(k.reason);
	assert_true(len < CRMF_REASON_MAX);
	assert_true(len > CRMF_REASON_MAX - 20);
	assert_string_equal(k.reason + len - strlen(suffix), suffix);
	assert_int_equal((len - strlen(suffix)) % 3, 0);
	assert_memory_equal(k.reason, text, len - strlen(suffix));
	assert_ptr_equal(k.next, text);

	/* exactly fitting: no cut */
	memset(text, 'x', sizeof(text));
	text[CRMF_REASON_MAX - 1 - strlen(" (next action)")] = '\0';
	k = classify(&c);
	assert_int_equal(strlen(k.reason), CRMF_REASON_MAX - 1);
	assert_string_equal(k.reason + strlen(text), " (next action)");
	/* one more byte: cut */
	text[strlen(text)] = 'x';
	text[CRMF_REASON_MAX - strlen(" (next action)")] = '\0';
	k = classify(&c);
	assert_string_equal(k.reason + strlen(k.reason) - strlen(suffix), suffix);
}

static void test_huge_rules_do_not_overflow(void **state)
{
	crmf_customer c = customer(CRMF_STAGE_INTENT, 10);
	crmf_class k;

	(void)state;
	cfg->rules.cadence_high = INT32_MAX;
	c.potential = CRMF_POTENTIAL_HIGH;
	k = classify(&c);
	assert_int_equal(k.due_kind, CRMF_DUE_CADENCE);
	assert_int_equal(k.next_due, INT32_MAX);
	assert_int_equal(k.overdue_days, 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(crmf_activity_name(CRMF_ACTIVITY_ACTIVE), "active");
	assert_string_equal(crmf_activity_name(CRMF_ACTIVITY_DORMANT), "dormant");
	assert_string_equal(crmf_activity_name(CRMF_ACTIVITY_LOST), "lost");
	assert_string_equal(crmf_value_name(CRMF_VALUE_HIGH), "high");
	assert_string_equal(crmf_value_name(CRMF_VALUE_LOW), "low");
	assert_string_equal(crmf_quadrant_name(CRMF_QUADRANT_CORE), "core");
	assert_string_equal(crmf_quadrant_name(CRMF_QUADRANT_WIN_BACK), "win-back");
	assert_string_equal(crmf_quadrant_name(CRMF_QUADRANT_DEVELOP), "develop");
	assert_string_equal(crmf_quadrant_name(CRMF_QUADRANT_WATCH), "watch");
	assert_string_equal(crmf_due_kind_name(CRMF_DUE_NEXT_ACTION), "next-action");
	assert_string_equal(crmf_due_kind_name(CRMF_DUE_CADENCE), "cadence");
	assert_string_equal(crmf_due_kind_name(CRMF_DUE_FIRST_CONTACT), "first-contact");
	assert_null(crmf_due_kind_name(CRMF_DUE_NONE));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_defaults),
	    T(test_last_contact_by_date_not_file_order),
	    T(test_last_contact_falls_back_to_created),
	    T(test_no_dates_at_all),
	    T(test_dormant_boundary),
	    T(test_dormant_counts_from_last_follow_up),
	    T(test_dormant_custom_rule),
	    T(test_lost),
	    T(test_value_threshold),
	    T(test_value_window),
	    T(test_deal_sum),
	    T(test_quadrants),
	    T(test_cadence_per_potential),
	    T(test_cadence_custom_rules),
	    T(test_cadence_core_cap),
	    T(test_first_contact_per_grade),
	    T(test_first_contact_only_without_follow_ups),
	    T(test_first_contact_against_cadence),
	    T(test_next_action_newest_follow_up),
	    T(test_next_action_ties),
	    T(test_next_action_against_cadence),
	    T(test_archived_has_no_due),
	    T(test_overdue_days),
	    T(test_stale),
	    T(test_long_next_is_cut_on_a_character),
	    T(test_huge_rules_do_not_overflow),
	    T(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
