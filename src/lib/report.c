/* SPDX-License-Identifier: MIT */
/* crmf report's figures: from the customers' files (follow-ups, deals, dates) and the change index (stages over time). */
#include "crmf/report.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmf/changes.h"
#include "crmf/classify.h"
#include "crmf/repository.h"
#include "crmf/schema.h"
#include "facts.h"
#include "util.h"

const char *const crmf_share_names[CRMF_N_SHARES] = {"stage", "potential", "grade", "quadrant",
						     "industry"};

/* ---- counted keys ---- */

static crmf_count *count_at(crmf_counts *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].key, key) == 0)
			return &c->v[i];
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n] = (crmf_count){xstrdup(key), 0, 0};
	return &c->v[c->n++];
}

static void count(crmf_counts *c, const char *key, double amount)
{
	crmf_count *k = count_at(c, key ? key : "-");

	k->n++;
	k->amount += amount;
}

static void counts_free(crmf_counts *c)
{
	for (size_t i = 0; i < c->n; i++)
		free((char *)c->v[i].key);
	free(c->v);
}

static int count_key_cmp(const void *a, const void *b)
{
	return strcmp(((const crmf_count *)a)->key, ((const crmf_count *)b)->key);
}

static int count_n_cmp(const void *a, const void *b)
{
	const crmf_count *x = a, *y = b;

	return x->n != y->n ? (x->n < y->n ? 1 : -1) : strcmp(x->key, y->key);
}

static void sort_counts(crmf_counts *c, int (*cmp)(const void *, const void *))
{
	if (c->n > 1)
		qsort(c->v, c->n, sizeof(crmf_count), cmp);
}

/* ---- the customers as they were on a day ---- */

/* c with only the follow-ups and deals dated on or before `day`, in *view
 * (its arrays malloc'ed into *fb and *db, freed by the caller) */
static const crmf_customer *view_at(crmf_customer *view, crmf_followup **fb, crmf_deal **db,
				    const crmf_customer *c, crmf_day day)
{
	*view = *c;
	*fb = xmalloc((c->n_followups + 1) * sizeof(**fb));
	*db = xmalloc((c->n_deals + 1) * sizeof(**db));
	view->followups = *fb;
	view->deals = *db;
	view->n_followups = view->n_deals = 0;
	for (size_t i = 0; i < c->n_followups; i++)
		if (c->followups[i].date != CRMF_NO_DAY && c->followups[i].date <= day)
			(*fb)[view->n_followups++] = c->followups[i];
	for (size_t i = 0; i < c->n_deals; i++)
		if (c->deals[i].signed_on != CRMF_NO_DAY && c->deals[i].signed_on <= day)
			(*db)[view->n_deals++] = c->deals[i];
	return view;
}

static void classify_at(crmf_class *k, const crmf_customer *c, const crmf_config *cfg,
			crmf_day day)
{
	crmf_customer view;
	crmf_followup *fb;
	crmf_deal *db;

	crmf_classify(k, view_at(&view, &fb, &db, c, day), cfg, day);
	free(fb);
	free(db);
}

/* ---- history by customer ---- */

typedef struct by_id {
	const crmf_change_event **v; /* the events, grouped by id, in commit order within */
	size_t n;
} by_id;

static int event_id_cmp(const void *a, const void *b)
{
	const crmf_change_event *x = *(const crmf_change_event *const *)a;
	const crmf_change_event *y = *(const crmf_change_event *const *)b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x < y ? -1 : x > y);
}

/* The events of `id`: *n of them from the returned pointer. */
static const crmf_change_event *const *events_of(const by_id *h, const char *id, size_t *n)
{
	size_t lo = 0, hi = h->n, first;

	*n = 0;
	if (!id)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(h->v[mid]->id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < h->n && strcmp(h->v[lo]->id, id) == 0)
		lo++;
	*n = lo - first;
	return h->v + first;
}

/* The stage of a customer on `day` from its events (NULL when its file had been
 * removed); the callers ask only for customers created by then. */
static const char *stage_on(const crmf_change_event *const *ev, size_t n, crmf_day day,
			    const char *fallback)
{
	const char *s = NULL;
	bool seen = false;

	for (size_t i = 0; i < n; i++) {
		if (ev[i]->day > day)
			continue;
		if (ev[i]->kind == CRMF_CHANGE_CREATED || ev[i]->kind == CRMF_CHANGE_STAGE) {
			s = ev[i]->to;
			seen = true;
		} else if (ev[i]->kind == CRMF_CHANGE_REMOVED) {
			s = NULL;
			seen = true;
		}
	}
	if (seen)
		return s;
	/* nothing on or before `day`: the file was committed later (a repository
	 * started from existing records): its first known stage, else the file's */
	for (size_t i = 0; i < n; i++)
		if (ev[i]->kind == CRMF_CHANGE_CREATED || ev[i]->kind == CRMF_CHANGE_STAGE)
			return ev[i]->kind == CRMF_CHANGE_STAGE ? ev[i]->from : ev[i]->to;
	return fallback;
}

/* ---- the figures ---- */

typedef struct ctx {
	const crmf_config *cfg;
	crmf_customer **v; /* every customer's facts (facts.h) */
	size_t n;
	struct who_memo *memo; /* who names whom, remembered */
	crmf_day since, until;
	by_id hist;
} ctx;

static bool in_period(const ctx *x, crmf_day d)
{
	return d != CRMF_NO_DAY && d >= x->since && d <= x->until;
}

/* The team member id that `who` names (by id, name or email), or `who`
 * itself when it names none; remembered, as the same few people are asked
 * about again and again. */
#define MEMO_SIZE 1024
struct who_memo {
	const char *who[MEMO_SIZE], *id[MEMO_SIZE];
	size_t used;
};

static const char *member_id(const ctx *x, const char *who)
{
	uint32_t h = 2166136261u;
	const crmf_member *m;

	for (const char *p = who; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (size_t k = 0; k < MEMO_SIZE; k++) {
		size_t i = (h + k) & (MEMO_SIZE - 1);

		if (!x->memo->who[i]) {
			m = crmf_config_member(x->cfg, who);
			if (x->memo->used < MEMO_SIZE / 2) { /* at most half full: short probes */
				x->memo->used++;
				x->memo->who[i] = who;
				x->memo->id[i] = m ? m->id : who;
			}
			return m ? m->id : who;
		}
		if (strcmp(x->memo->who[i], who) == 0)
			return x->memo->id[i];
	}
	m = crmf_config_member(x->cfg, who);
	return m ? m->id : who;
}

/* `who` names team member `id` (by id, name or email) */
static bool is_member(const ctx *x, const char *who, const char *id)
{
	return who && id && strcmp(member_id(x, who), id) == 0;
}

/* "2025-W23": the ISO 8601 week of a day (weeks start on Monday; week 1 holds
 * the year's first Thursday) */
static void iso_week(char *buf, size_t size, crmf_day d)
{
	int dow = (int)(((long long)d % 7 + 7 + 3) % 7); /* 0 Monday; day 0 was a Thursday */
	crmf_day thursday = d - dow + 3;
	int y, m, dd;
	crmf_day jan1;

	crmf_date_to_ymd(thursday, &y, &m, &dd);
	jan1 = crmf_date_from_ymd(y, 1, 1);
	snprintf(buf, size, "%04d-W%02d", y, (int)((thursday - jan1) / 7) + 1);
}

/* The activity of `owner` (NULL: the team) */
static void activity(crmf_report_activity *a, const ctx *x, const char *owner)
{
	/* follow-ups per week, counted by the week's Monday and named at the end */
	crmf_day monday0 = x->since - (crmf_day)((((long long)x->since % 7) + 7 + 3) % 7);
	size_t n_weeks = x->until >= monday0 ? (size_t)(x->until - monday0) / 7 + 1 : 0;
	size_t *weeks = xcalloc(n_weeks + 1, sizeof(*weeks));
	const char *last_by = NULL;
	bool last_mine = false;

	for (size_t i = 0; i < x->n; i++) {
		const crmf_customer *c = x->v[i];
		bool own = !owner || is_member(x, c->owner, owner), touched = false;

		for (size_t j = 0; j < c->n_followups; j++) {
			const crmf_followup *f = &c->followups[j];

			bool mine = !owner;

			if (owner && f->by) {
				/* follow-ups come in runs by one person */
				if (!last_by || strcmp(last_by, f->by) != 0) {
					last_by = f->by;
					last_mine = is_member(x, f->by, owner);
				}
				mine = last_mine;
			}
			if (in_period(x, f->date) && mine) {
				a->followups++;
				count(&a->by_method, f->method, 0);
				weeks[(size_t)(f->date - monday0) / 7]++;
				touched = true;
			}
			if (own && f->next && in_period(x, f->due)) {
				const crmf_followup *answer = NULL;

				/* the first follow-up after it answers it */
				for (size_t k = 0; k < c->n_followups; k++) {
					const crmf_followup *g = &c->followups[k];

					if (g->date == CRMF_NO_DAY ||
					    !(g->date > f->date || (g->date == f->date && k > j)))
						continue;
					if (!answer || g->date < answer->date)
						answer = g;
				}
				a->planned++;
				if (!answer || answer->date > x->until)
					a->open++;
				else if (answer->date <= f->due)
					a->on_time++;
				else
					a->late++;
			}
		}
		a->touched += touched;
		if (own && in_period(x, c->created)) {
			a->new_customers++;
			count(&a->new_by_source, c->source, 0);
		}
		if (own && !c->archived && c->stage != CRMF_STAGE_LOST && c->stage != CRMF_STAGE_NONE &&
		    c->created != CRMF_NO_DAY && c->created <= x->until) {
			crmf_class k;

			classify_at(&k, c, x->cfg, x->until);
			if (k.next_due != CRMF_NO_DAY && k.next_due < x->until)
				a->overdue_at_end++;
		}
	}
	for (size_t w = 0; w < n_weeks; w++)
		if (weeks[w]) {
			char week[32];

			iso_week(week, sizeof(week), monday0 + (crmf_day)(7 * w));
			count_at(&a->by_week, week)->n += weeks[w];
		}
	free(weeks);
	a->adherence = a->planned ? (double)a->on_time / (double)a->planned : -1;
	sort_counts(&a->by_method, count_n_cmp);
	sort_counts(&a->by_week, count_key_cmp);
	sort_counts(&a->new_by_source, count_n_cmp);
}

static void activity_free(crmf_report_activity *a)
{
	counts_free(&a->by_method);
	counts_free(&a->new_by_source);
	counts_free(&a->by_week);
}

static int stage_index(const char *s)
{
	for (int i = 0; s && i < CRMF_N_STAGES; i++)
		if (strcmp(crmf_stage_values[i], s) == 0)
			return i;
	return -1;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Stage changes, the steps of the funnel, days per stage, churn (history). */
static void pipeline(crmf_report *rep, const ctx *x)
{
	double *days[CRMF_N_STAGES] = {0};
	size_t nd[CRMF_N_STAGES] = {0}, at_start_customers = 0;

	for (size_t i = 0; i < x->n; i++) {
		const crmf_customer *c = x->v[i];
		size_t n;
		const crmf_change_event *const *ev = events_of(&x->hist, c->id, &n);
		const char *start = stage_on(ev, n, x->since - 1, crmf_stage_name(c->stage));
		bool was_in[CRMF_N_STAGES] = {false};
		crmf_day entered = CRMF_NO_DAY;
		int cur = -1;

		if ((rep->owner && !is_member(x, c->owner, rep->owner)) ||
		    c->created == CRMF_NO_DAY || c->created > x->until)
			continue;
		if (c->created >= x->since)
			start = NULL; /* not there yet when the period began */
		if (start && (strcmp(start, "customer") == 0 || strcmp(start, "at-risk") == 0))
			at_start_customers++;
		if (start && stage_index(start) >= 0)
			was_in[stage_index(start)] = true;
		for (size_t k = 0; k < n; k++) {
			const crmf_change_event *e = ev[k];
			int to;

			if (e->kind != CRMF_CHANGE_CREATED && e->kind != CRMF_CHANGE_STAGE)
				continue;
			to = stage_index(e->to);
			if (in_period(x, e->day)) {
				char key[64];

				snprintf(key, sizeof(key), "%s→%s", e->from ? e->from : "new",
					 e->to ? e->to : "-");
				count(&rep->transitions, key, 0);
				if (to >= 0)
					was_in[to] = true;
				if (cur >= 0 && entered != CRMF_NO_DAY) {
					days[cur] = xrealloc(days[cur], (nd[cur] + 1) * sizeof(double));
					days[cur][nd[cur]++] = e->day - entered;
				}
				for (int s = 0; s < 3; s++) {
					int from_i = stage_index(rep->steps[s].from);

					if (cur == from_i && to > from_i && to <= CRMF_STAGE_CUSTOMER - 1)
						rep->steps[s].moved++;
				}
				if (to == CRMF_STAGE_LOST - 1) {
					double v = 0;

					for (size_t d = 0; d < c->n_deals; d++)
						if (c->deals[d].signed_on != CRMF_NO_DAY &&
						    c->deals[d].signed_on <= e->day &&
						    c->deals[d].signed_on > e->day - 365)
							v += c->deals[d].amount;
					rep->churned++;
					rep->churned_value += v;
				}
			}
			cur = to;
			entered = e->day;
		}
		for (int s = 0; s < 3; s++)
			if (was_in[stage_index(rep->steps[s].from)])
				rep->steps[s].in_from++;
	}
	for (int s = 0; s < 3; s++)
		rep->steps[s].rate = rep->steps[s].in_from
					 ? (double)rep->steps[s].moved / (double)rep->steps[s].in_from
					 : -1;
	rep->churn_rate = at_start_customers ? (double)rep->churned / (double)at_start_customers : -1;
	for (int s = 0; s < CRMF_N_STAGES; s++) {
		rep->median_days[s + 1] = -1;
		if (nd[s]) {
			qsort(days[s], nd[s], sizeof(double), dbl_cmp);
			rep->median_days[s + 1] = nd[s] % 2 ? days[s][nd[s] / 2]
						     : (days[s][nd[s] / 2 - 1] + days[s][nd[s] / 2]) / 2;
		}
		free(days[s]);
	}
	rep->median_days[0] = -1;
	sort_counts(&rep->transitions, count_n_cmp);
}

/* Deals, repurchase, dormancy, win-back, shares and the funnel (files). */
static void value_and_shares(crmf_report *rep, const ctx *x)
{
	for (int s = 0; s < CRMF_N_STAGES; s++)
		count_at(&rep->funnel, crmf_stage_values[s]);
	for (size_t i = 0; i < x->n; i++) {
		const crmf_customer *c = x->v[i];
		bool signed_now = false, signed_before = false;
		crmf_class now, before;
		char month[8];

		if (rep->owner && !is_member(x, c->owner, rep->owner))
			continue;
		for (size_t d = 0; d < c->n_deals; d++) {
			crmf_day s = c->deals[d].signed_on;
			int y, m, dd;

			if (s == CRMF_NO_DAY)
				continue;
			if (in_period(x, s)) {
				rep->deals++;
				rep->deal_amount += c->deals[d].amount;
				crmf_date_to_ymd(s, &y, &m, &dd);
				snprintf(month, sizeof(month), "%04d-%02d", y, m);
				count(&rep->deals_by_month, month, c->deals[d].amount);
				signed_now = true;
			} else if (s < x->since) {
				signed_before = true;
			}
		}
		rep->repurchases += signed_now && signed_before;
		if (c->archived || c->created == CRMF_NO_DAY || c->created > x->until)
			continue;
		classify_at(&now, c, x->cfg, x->until);
		count(&rep->funnel, crmf_stage_name(c->stage), 0);
		rep->customers++;
		count(&rep->shares[CRMF_SHARE_STAGE], crmf_stage_name(c->stage), 0);
		count(&rep->shares[CRMF_SHARE_POTENTIAL],
		      c->potential ? crmf_potential_name(c->potential) : "-", 0);
		count(&rep->shares[CRMF_SHARE_GRADE], c->grade ? (char[2]){c->grade, 0} : "-", 0);
		count(&rep->shares[CRMF_SHARE_QUADRANT], crmf_quadrant_name(now.quadrant), 0);
		count(&rep->shares[CRMF_SHARE_INDUSTRY], c->industry, 0);
		if (c->created <= x->since - 1) {
			size_t n;
			const crmf_change_event *const *ev = events_of(&x->hist, c->id, &n);
			const char *st = stage_on(ev, n, x->since - 1, crmf_stage_name(c->stage));

			classify_at(&before, c, x->cfg, x->since - 1);
			rep->customers_before++;
			count(&rep->before[CRMF_SHARE_STAGE], st, 0);
			count(&rep->before[CRMF_SHARE_POTENTIAL],
			      c->potential ? crmf_potential_name(c->potential) : "-", 0);
			count(&rep->before[CRMF_SHARE_GRADE], c->grade ? (char[2]){c->grade, 0} : "-",
			      0);
			count(&rep->before[CRMF_SHARE_QUADRANT], crmf_quadrant_name(before.quadrant), 0);
			count(&rep->before[CRMF_SHARE_INDUSTRY], c->industry, 0);
			if (before.quadrant == CRMF_QUADRANT_WIN_BACK &&
			    now.quadrant == CRMF_QUADRANT_CORE)
				rep->winback_activated++;
			if (c->stage != CRMF_STAGE_LOST && before.activity == CRMF_ACTIVITY_ACTIVE &&
			    now.activity == CRMF_ACTIVITY_DORMANT)
				rep->turned_dormant++;
		}
	}
	/* the funnel kept in stage order (it was seeded so); the rest by key */
	if (rep->funnel.n > CRMF_N_STAGES + 1)
		qsort(rep->funnel.v + CRMF_N_STAGES, rep->funnel.n - CRMF_N_STAGES,
		      sizeof(crmf_count), count_key_cmp);
	sort_counts(&rep->deals_by_month, count_key_cmp);
	for (int s = 0; s < CRMF_N_SHARES; s++) {
		sort_counts(&rep->shares[s], count_n_cmp);
		sort_counts(&rep->before[s], count_n_cmp);
	}
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The activity of each owner: the team's members in crmf.yaml's order, or,
 * without a team list, everyone who owns a customer or logged a follow-up. */
static void per_owner(crmf_report *rep, const ctx *x, const crmf_config *cfg)
{
	const char **who = NULL;
	size_t n = 0;

	if (cfg->has_team && cfg->n_team) {
		who = xmalloc(cfg->n_team * sizeof(*who));
		for (size_t i = 0; i < cfg->n_team; i++)
			who[n++] = cfg->team[i].id;
	} else {
		crmf_counts seen = {0};

		for (size_t i = 0; i < x->n; i++) {
			const crmf_customer *c = x->v[i];

			if (c->owner)
				count_at(&seen, c->owner);
			for (size_t j = 0; j < c->n_followups; j++)
				if (c->followups[j].by)
					count_at(&seen, c->followups[j].by);
		}
		/* the keys stay with the report: the owners point at them */
		rep->owner_names = seen;
		who = xmalloc((seen.n + 1) * sizeof(*who));
		for (size_t i = 0; i < seen.n; i++)
			who[n++] = seen.v[i].key;
		if (n > 1)
			qsort(who, n, sizeof(*who), str_cmp);
	}
	rep->owners = xcalloc(n + 1, sizeof(*rep->owners));
	for (size_t i = 0; i < n; i++) {
		rep->owners[i].owner = who[i];
		activity(&rep->owners[i].a, x, who[i]);
	}
	rep->n_owners = n;
	free(who);
}

/* The figures of rep's period (x's since and until); `all`: the owners and shares too. */
static void figures(crmf_report *rep, const ctx *x, const char *owner, bool all)
{
	rep->since = x->since;
	rep->until = x->until;
	rep->owner = owner;
	rep->steps[0] = (crmf_report_step){"lead", "intent", 0, 0, -1};
	rep->steps[1] = (crmf_report_step){"intent", "negotiation", 0, 0, -1};
	rep->steps[2] = (crmf_report_step){"negotiation", "customer", 0, 0, -1};
	activity(&rep->team, x, owner);
	if (all && !owner)
		per_owner(rep, x, x->cfg);
	pipeline(rep, x);
	value_and_shares(rep, x);
}

/* The first day of the week, month, quarter or year holding `day` */
static crmf_day period_start(crmf_goal_per per, crmf_day day)
{
	int y, m, d;

	crmf_date_to_ymd(day, &y, &m, &d);
	switch (per) {
	case CRMF_PER_WEEK:
		return day - (crmf_day)(((long long)day % 7 + 7 + 3) % 7);
	case CRMF_PER_MONTH:
		return crmf_date_from_ymd(y, m, 1);
	case CRMF_PER_QUARTER:
		return crmf_date_from_ymd(y, (m - 1) / 3 * 3 + 1, 1);
	case CRMF_PER_YEAR:
		break;
	}
	return crmf_date_from_ymd(y, 1, 1);
}

/* The day after the period holding `day` ends */
static crmf_day period_end(crmf_goal_per per, crmf_day start)
{
	int y, m, d;

	crmf_date_to_ymd(start, &y, &m, &d);
	switch (per) {
	case CRMF_PER_WEEK:
		return start + 7;
	case CRMF_PER_MONTH:
		return m == 12 ? crmf_date_from_ymd(y + 1, 1, 1) : crmf_date_from_ymd(y, m + 1, 1);
	case CRMF_PER_QUARTER:
		return m >= 10 ? crmf_date_from_ymd(y + 1, 1, 1) : crmf_date_from_ymd(y, m + 3, 1);
	case CRMF_PER_YEAR:
		break;
	}
	return crmf_date_from_ymd(y + 1, 1, 1);
}

static double metric_of(const crmf_report *r, const char *metric)
{
	const crmf_report_activity *a = &r->team;

	if (strcmp(metric, "new_customers") == 0)
		return (double)a->new_customers;
	if (strcmp(metric, "followups") == 0)
		return (double)a->followups;
	if (strcmp(metric, "customers_touched") == 0)
		return (double)a->touched;
	if (strcmp(metric, "deals") == 0)
		return (double)r->deals;
	if (strcmp(metric, "deal_amount") == 0)
		return r->deal_amount;
	if (strcmp(metric, "churn_rate") == 0)
		return r->churn_rate < 0 ? 0 : r->churn_rate;
	if (strcmp(metric, "plan_adherence") == 0)
		return a->adherence;
	return (double)a->overdue_at_end; /* overdue */
}

/* Each goal of crmf.yaml over its own period so far (the week, month… holding `until`);
 * `cfg` is the repository handle's, which outlives the report. */
static void goals(crmf_report *rep, const ctx *x, const char *owner, const crmf_config *cfg)
{
	rep->goals = xcalloc(cfg->n_goals + 1, sizeof(*rep->goals));
	for (size_t i = 0; i < cfg->n_goals; i++) {
		const crmf_goal *g = &cfg->goals[i];
		crmf_report_goal *rg = &rep->goals[rep->n_goals++];
		crmf_report *sub = xcalloc(1, sizeof(*sub));
		ctx y = *x;
		crmf_day end;

		y.since = period_start(g->per, x->until);
		end = period_end(g->per, y.since);
		figures(sub, &y, owner, false);
		rg->goal = g;
		rg->since = y.since;
		rg->until = end - 1;
		rg->value = metric_of(sub, g->metric);
		rg->elapsed = (double)(x->until - y.since + 1) / (double)(end - y.since);
		if (rg->value < 0)
			rg->status = "no data";
		else if (g->is_max)
			rg->status = rg->value <= g->value ? "met" : "missed";
		else if (rg->value >= g->value)
			rg->status = "met";
		else if (strcmp(g->metric, "plan_adherence") == 0)
			rg->status = rg->elapsed < 1 ? "behind" : "missed";
		else
			rg->status = rg->value >= g->value * rg->elapsed ? "on track" : "behind";
		crmf_report_free(sub);
	}
}

int crmf_report_build(crmf_report **out, crmf_repository *r, const crmf_report_opts *o)
{
	const crmf_config *cfg;
	const crmf_changes *ch;
	const crmf_change_event *ev;
	crmf_report *rep;
	ctx x = {.since = o->since, .until = o->until};
	size_t n_ev;

	*out = NULL;
	if (crmf_repository_config(&cfg, r) != 0)
		return -1;
	rep = xcalloc(1, sizeof(*rep));
	rep->since = o->since;
	rep->until = o->until;
	rep->owner = o->owner;
	if (crmf_repository_changes(&ch, &rep->walked, r) != 0) {
		free(rep);
		return -1;
	}
	n_ev = crmf_changes_events(&ev, ch);
	rep->history = n_ev > 0;
	x.hist.v = xmalloc((n_ev + 1) * sizeof(*x.hist.v));
	for (size_t i = 0; i < n_ev; i++)
		x.hist.v[i] = &ev[i];
	x.hist.n = n_ev;
	if (n_ev > 1)
		qsort(x.hist.v, n_ev, sizeof(*x.hist.v), event_id_cmp);
	if (crmf_facts_load(&x.v, &x.n, crmf_repository_root(r), cfg) != 0) {
		free(x.hist.v);
		free(rep);
		return -1;
	}
	x.cfg = cfg; /* the handle's: it outlives the report, which points into it */
	x.memo = xcalloc(1, sizeof(*x.memo));
	figures(rep, &x, o->owner, true);
	goals(rep, &x, o->owner, cfg);
	free(x.memo);
	crmf_facts_free(x.v, x.n);
	free(x.hist.v);
	*out = rep;
	return 0;
}

void crmf_report_free(crmf_report *rep)
{
	if (!rep)
		return;
	activity_free(&rep->team);
	for (size_t i = 0; i < rep->n_owners; i++)
		activity_free(&rep->owners[i].a);
	free(rep->owners);
	free(rep->goals);
	counts_free(&rep->owner_names);
	counts_free(&rep->transitions);
	counts_free(&rep->funnel);
	counts_free(&rep->deals_by_month);
	for (int s = 0; s < CRMF_N_SHARES; s++) {
		counts_free(&rep->shares[s]);
		counts_free(&rep->before[s]);
	}
	free(rep);
}
