/* SPDX-License-Identifier: MIT */
/* Computed classification of a customer: activity, value, quadrant, what is due next and why. */
#include "crmf/classify.h"

#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Rules come from a user's crmf.yaml: add in 64 bits and clamp, so that a
 * silly "99999999999d" cannot overflow a day number. */
static crmf_day day_add(crmf_day day, int days)
{
	int64_t r = (int64_t)day + days;

	if (r > INT32_MAX)
		return INT32_MAX;
	if (r <= INT32_MIN)
		return INT32_MIN + 1;
	return (crmf_day)r;
}

/* today - day in days, for two real days. */
static int64_t days_between(crmf_day day, crmf_day today)
{
	return (int64_t)today - day;
}

double crmf_classify_deal_sum(const crmf_customer *c, crmf_day first, crmf_day last)
{
	double sum = 0;

	for (size_t i = 0; i < c->n_deals; i++) {
		crmf_day s = c->deals[i].signed_on;

		if (s != CRMF_NO_DAY && s >= first && s <= last)
			sum += c->deals[i].amount;
	}
	return sum;
}

static crmf_day last_contact(const crmf_customer *c)
{
	crmf_day last = CRMF_NO_DAY;

	for (size_t i = 0; i < c->n_followups; i++)
		if (c->followups[i].date > last)
			last = c->followups[i].date;
	return last != CRMF_NO_DAY ? last : c->created;
}

/* Whether follow-up f (later in the file) is newer than or as new as b. On
 * the same day the times decide when both have one; else the file order does,
 * since follow-ups are appended as they happen. */
static bool newer(const crmf_followup *f, const crmf_followup *b)
{
	if (f->date != b->date)
		return f->date > b->date;
	if (f->minute >= 0 && b->minute >= 0)
		return f->minute >= b->minute;
	return true;
}

/* The open next action: the newest follow-up's, when it has one. A later
 * follow-up answers every earlier next action (doc/format.md, "Next
 * actions"): to keep one open, the new follow-up repeats it (`crmf log
 * --keep-next`). */
const crmf_followup *crmf_open_next(const crmf_customer *c)
{
	const crmf_followup *best = NULL;

	for (size_t i = 0; i < c->n_followups; i++) {
		const crmf_followup *f = &c->followups[i];

		if (!best || newer(f, best))
			best = f;
	}
	return best && best->next && *best->next ? best : NULL;
}

static int cadence_days(crmf_potential p, const crmf_rules *r)
{
	switch (p) {
	case CRMF_POTENTIAL_HIGH:
		return r->cadence_high;
	case CRMF_POTENTIAL_MEDIUM:
		return r->cadence_medium;
	case CRMF_POTENTIAL_LOW:
		return r->cadence_low;
	default:
		return -1;
	}
}

static int first_contact_days(char grade, const crmf_rules *r)
{
	switch (grade) {
	case 'A':
		return r->first_a;
	case 'B':
		return r->first_b;
	default:
		return r->first_c;
	}
}

/* Copy `s` into buf (size n) followed by `suffix`, cutting `s` at a UTF-8
 * character boundary and marking the cut with "…" when both do not fit. */
static void reason_text(char *buf, size_t n, const char *s, const char *suffix)
{
	static const char ellipsis[] = "\xe2\x80\xa6";
	size_t len = strlen(s), slen = strlen(suffix);

	if (len + slen < n) {
		memcpy(buf, s, len);
		memcpy(buf + len, suffix, slen + 1);
		return;
	}
	len = n - 1 - slen - (sizeof(ellipsis) - 1);
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	memcpy(buf, s, len);
	memcpy(buf + len, ellipsis, sizeof(ellipsis) - 1);
	memcpy(buf + len + sizeof(ellipsis) - 1, suffix, slen + 1);
}

/* Take candidate (day, kind) when it is earlier than the current one; on the
 * same day the kind with the smaller enum value (the preferred one) wins. */
static bool better(const crmf_class *k, crmf_day day, crmf_due_kind kind)
{
	if (k->due_kind == CRMF_DUE_NONE)
		return true;
	if (day != k->next_due)
		return day < k->next_due;
	return kind < k->due_kind;
}

static void next_due(crmf_class *k, const crmf_customer *c, const crmf_rules *r)
{
	const crmf_followup *f;
	int every;

	if (c->archived || c->stage == CRMF_STAGE_LOST)
		return;

	f = crmf_open_next(c);
	if (f && f->due != CRMF_NO_DAY) {
		k->next_due = f->due;
		k->due_kind = CRMF_DUE_NEXT_ACTION;
		k->next = f->next;
	}

	if (c->stage == CRMF_STAGE_LEAD && c->n_followups == 0 && c->created != CRMF_NO_DAY) {
		crmf_day d;

		every = first_contact_days(c->grade, r);
		d = day_add(c->created, every);
		if (better(k, d, CRMF_DUE_FIRST_CONTACT)) {
			k->next_due = d;
			k->due_kind = CRMF_DUE_FIRST_CONTACT;
			k->due_every = every;
			k->next = NULL;
		}
	}

	every = cadence_days(c->potential, r);
	if (k->quadrant == CRMF_QUADRANT_CORE && (every < 0 || r->cadence_core < every))
		every = r->cadence_core;
	/* potential not judged yet: a cadence all the same, unless a next action
	 * or the first contact already says when */
	if (every < 0 && k->due_kind == CRMF_DUE_NONE)
		every = r->cadence_unjudged;
	if (every >= 0 && k->last_contact != CRMF_NO_DAY) {
		crmf_day d = day_add(k->last_contact, every);

		if (better(k, d, CRMF_DUE_CADENCE)) {
			k->next_due = d;
			k->due_kind = CRMF_DUE_CADENCE;
			k->due_every = every;
			k->next = NULL;
		}
	}
}

/* Appending to a reason without snprintf, dear for every row of a 50,000-row
 * agenda (the texts are short and fixed: they fit). */
static char *put_s(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static void put_days(char *p, int v)
{
	strcpy(int_text(p, v), "d");
}

/* The reason in the language of crmf_translate_set, for the terminal (JSON
 * and CSV runs are English, on the fast path below) */
static void format_reason_tr(crmf_class *k, const crmf_customer *c, const crmf_rules *r)
{
	size_t n = sizeof(k->reason);

	switch (k->due_kind) {
	case CRMF_DUE_NEXT_ACTION:
		reason_text(k->reason, n, k->next, crmf_tr(" (next action)"));
		break;
	case CRMF_DUE_FIRST_CONTACT:
		if (c->grade == 'A' || c->grade == 'B' || c->grade == 'C')
			snprintf(k->reason, n, crmf_tr("first contact: grade %c within %dd"), c->grade,
				 k->due_every);
		else
			snprintf(k->reason, n, crmf_tr("first contact: no grade, within %dd"),
				 k->due_every);
		break;
	case CRMF_DUE_CADENCE:
		if (k->quadrant == CRMF_QUADRANT_CORE &&
		    (c->potential == CRMF_POTENTIAL_NONE ||
		     k->due_every < cadence_days(c->potential, r)))
			snprintf(k->reason, n, crmf_tr("cadence: core customer, every %dd"),
				 k->due_every);
		else if (c->potential == CRMF_POTENTIAL_NONE)
			snprintf(k->reason, n, crmf_tr("cadence: potential not judged yet, every %dd"),
				 k->due_every);
		else
			snprintf(k->reason, n, crmf_tr("cadence: %s potential, every %dd"),
				 crmf_potential_name(c->potential), k->due_every);
		break;
	case CRMF_DUE_NONE:
		k->reason[0] = '\0';
		break;
	}
}

static void format_reason(crmf_class *k, const crmf_customer *c, const crmf_rules *r)
{
	char *p = k->reason;

	if (crmf_translate_lang()) {
		format_reason_tr(k, c, r);
		return;
	}
	switch (k->due_kind) {
	case CRMF_DUE_NEXT_ACTION:
		reason_text(k->reason, sizeof(k->reason), k->next, " (next action)");
		break;
	case CRMF_DUE_FIRST_CONTACT:
		if (c->grade == 'A' || c->grade == 'B' || c->grade == 'C') {
			p = put_s(p, "first contact: grade ");
			*p++ = c->grade;
			p = put_s(p, " within ");
		} else {
			p = put_s(p, "first contact: no grade, within ");
		}
		put_days(p, k->due_every);
		break;
	case CRMF_DUE_CADENCE:
		/* name the rule that set the interval: the core cap only when the
		 * potential has no cadence or a longer one */
		if (k->quadrant == CRMF_QUADRANT_CORE &&
		    (c->potential == CRMF_POTENTIAL_NONE ||
		     k->due_every < cadence_days(c->potential, r))) {
			p = put_s(p, "cadence: core customer, every ");
		} else if (c->potential == CRMF_POTENTIAL_NONE) {
			p = put_s(p, "cadence: potential not judged yet, every ");
		} else {
			p = put_s(p, "cadence: ");
			p = put_s(p, crmf_potential_name(c->potential));
			p = put_s(p, " potential, every ");
		}
		put_days(p, k->due_every);
		break;
	case CRMF_DUE_NONE:
		k->reason[0] = '\0';
		break;
	}
}

static void classify(crmf_class *out, const crmf_customer *c, const crmf_config *cfg,
		     crmf_day today, bool reason)
{
	const crmf_rules *r = &cfg->rules;
	bool active;

	/* no memset of the whole struct: the reason buffer is written below */
	out->last_contact = last_contact(c);
	out->next_due = CRMF_NO_DAY;
	out->due_kind = CRMF_DUE_NONE;
	out->due_every = 0;
	out->next = NULL;
	out->overdue_days = 0;

	if (c->stage == CRMF_STAGE_LOST)
		out->activity = CRMF_ACTIVITY_LOST;
	else if (out->last_contact == CRMF_NO_DAY ||
		 days_between(out->last_contact, today) > r->dormant_after)
		out->activity = CRMF_ACTIVITY_DORMANT;
	else
		out->activity = CRMF_ACTIVITY_ACTIVE;

	out->value_sum = crmf_classify_deal_sum(c, day_add(today, -(CRMF_VALUE_WINDOW - 1)), today);
	out->value = out->value_sum >= r->high_value ? CRMF_VALUE_HIGH : CRMF_VALUE_LOW;

	active = out->activity == CRMF_ACTIVITY_ACTIVE;
	if (out->value == CRMF_VALUE_HIGH)
		out->quadrant = active ? CRMF_QUADRANT_CORE : CRMF_QUADRANT_WIN_BACK;
	else
		out->quadrant = active ? CRMF_QUADRANT_DEVELOP : CRMF_QUADRANT_WATCH;

	next_due(out, c, r);
	if (reason)
		format_reason(out, c, r);
	else
		out->reason[0] = '\0';
	if (out->due_kind != CRMF_DUE_NONE && days_between(out->next_due, today) > 0) {
		int64_t late = days_between(out->next_due, today);

		out->overdue_days = late > INT32_MAX ? INT32_MAX : (int)late;
	}

	out->stale = !c->archived && out->last_contact != CRMF_NO_DAY &&
		     days_between(out->last_contact, today) > r->archive_after;
}

void crmf_classify(crmf_class *out, const crmf_customer *c, const crmf_config *cfg, crmf_day today)
{
	classify(out, c, cfg, today, true);
}

void crmf_classify_quick(crmf_class *out, const crmf_customer *c, const crmf_config *cfg,
			 crmf_day today)
{
	classify(out, c, cfg, today, false);
}

const char *crmf_activity_name(crmf_activity a)
{
	switch (a) {
	case CRMF_ACTIVITY_ACTIVE:
		return "active";
	case CRMF_ACTIVITY_DORMANT:
		return "dormant";
	case CRMF_ACTIVITY_LOST:
		return "lost";
	}
	return NULL;
}

const char *crmf_value_name(crmf_value v)
{
	return v == CRMF_VALUE_HIGH ? "high" : "low";
}

const char *crmf_quadrant_name(crmf_quadrant q)
{
	switch (q) {
	case CRMF_QUADRANT_CORE:
		return "core";
	case CRMF_QUADRANT_WIN_BACK:
		return "win-back";
	case CRMF_QUADRANT_DEVELOP:
		return "develop";
	case CRMF_QUADRANT_WATCH:
		return "watch";
	}
	return NULL;
}

const char *crmf_due_kind_name(crmf_due_kind k)
{
	switch (k) {
	case CRMF_DUE_NEXT_ACTION:
		return "next-action";
	case CRMF_DUE_CADENCE:
		return "cadence";
	case CRMF_DUE_FIRST_CONTACT:
		return "first-contact";
	case CRMF_DUE_NONE:
		break;
	}
	return NULL;
}
