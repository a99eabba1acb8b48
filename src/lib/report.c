/* SPDX-License-Identifier: MIT */
/* crmf report's figures: from the customers' files (follow-ups, deals, dates) and the change index (stages over time). */
#include "crmf/report.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmf/changes.h"
#include "crmf/classify.h"
#include "crmf/diag.h"
#include "crmf/repository.h"
#include "crmf/schema.h"
#include "changes_private.h"
#include "facts.h"
#include "util.h"

const char *const crmf_share_names[CRMF_N_SHARES] = {"stage", "potential", "grade", "quadrant",
						     "industry"};

/* ---- counted keys ---- */

static size_t key_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 29));
}

/* Where `key` is or goes in c's index (position + 1, 0 free). */
static size_t *index_slot(const crmf_counts *c, const char *key)
{
	size_t i = key_hash(key) & (c->index_cap - 1);

	while (c->index[i] && strcmp(c->v[c->index[i] - 1].key, key) != 0)
		i = (i + 1) & (c->index_cap - 1);
	return &c->index[i];
}

static void index_build(crmf_counts *c, size_t cap)
{
	free(c->index);
	c->index = xcalloc(cap, sizeof(*c->index));
	c->index_cap = cap;
	for (size_t k = 0; k < c->n; k++)
		*index_slot(c, c->v[k].key) = k + 1;
}

static crmf_count *count_at(crmf_counts *c, const char *key)
{
	size_t *slot = NULL;

	if (c->n < 8) {
		for (size_t i = 0; i < c->n; i++)
			if (strcmp(c->v[i].key, key) == 0)
				return &c->v[i];
	} else {
		/* many keys (industries, months, weeks): hashed */
		if (!c->index || 2 * (c->n + 1) > c->index_cap)
			index_build(c, c->index_cap ? 2 * c->index_cap : 32);
		slot = index_slot(c, key);
		if (*slot)
			return &c->v[*slot - 1];
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n] = (crmf_count){xstrdup(key), 0, 0};
	if (slot)
		*slot = c->n + 1;
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
	free(c->index);
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
	/* the index holds positions: gone with the order */
	free(c->index);
	c->index = NULL;
	c->index_cap = 0;
	if (c->n > 1)
		qsort(c->v, c->n, sizeof(crmf_count), cmp);
}

/* ---- the customers as they were on a day ---- */

/* The arrays of a view, kept from one customer to the next. */
typedef struct view_buf {
	crmf_followup *f;
	crmf_deal *d;
	size_t f_cap, d_cap;
} view_buf;

/* c with only the follow-ups and deals dated on or before `day`: c itself when
 * that is all of them, else *view (its arrays in b) */
static const crmf_customer *view_at(crmf_customer *view, view_buf *b, const crmf_customer *c,
				    crmf_day day)
{
	size_t nf = 0, nd = 0;

	for (size_t i = 0; i < c->n_followups; i++)
		nf += c->followups[i].date != CRMF_NO_DAY && c->followups[i].date <= day;
	for (size_t i = 0; i < c->n_deals; i++)
		nd += c->deals[i].signed_on != CRMF_NO_DAY && c->deals[i].signed_on <= day;
	if (nf == c->n_followups && nd == c->n_deals)
		return c;
	if (nf > b->f_cap) {
		b->f_cap = 2 * nf;
		b->f = xrealloc(b->f, b->f_cap * sizeof(*b->f));
	}
	if (nd > b->d_cap) {
		b->d_cap = 2 * nd;
		b->d = xrealloc(b->d, b->d_cap * sizeof(*b->d));
	}
	*view = *c;
	view->followups = b->f;
	view->deals = b->d;
	view->n_followups = view->n_deals = 0;
	for (size_t i = 0; i < c->n_followups; i++)
		if (c->followups[i].date != CRMF_NO_DAY && c->followups[i].date <= day)
			b->f[view->n_followups++] = c->followups[i];
	for (size_t i = 0; i < c->n_deals; i++)
		if (c->deals[i].signed_on != CRMF_NO_DAY && c->deals[i].signed_on <= day)
			b->d[view->n_deals++] = c->deals[i];
	return view;
}

static void classify_at(crmf_class *k, const crmf_customer *c, const crmf_config *cfg,
			crmf_day day, view_buf *b)
{
	crmf_customer view;

	crmf_classify_quick(k, view_at(&view, b, c, day), cfg, day); /* no reason text */
}

static int stage_index(const char *s)
{
	for (int i = 0; s && i < CRMF_N_STAGES; i++)
		if (strcmp(crmf_stage_values[i], s) == 0)
			return i;
	return -1;
}

/* ---- history by customer ---- */

/* An event as the figures read it, beside the other events of its customer
 * (in commit order they lie far apart: reading them so costs a cache miss
 * each, several times per report). */
typedef struct cev {
	crmf_day day;
	unsigned char kind;  /* crmf_change_kind */
	signed char from_i, to_i; /* stage_index of from and to */
	const char *from, *to;
} cev;

/* stage_index of the history's values, which the change index interns: by
 * address, remembered (a wrong guess costs only a strcmp). */
typedef struct stage_memo {
	const char *s[16];
	int i[16];
} stage_memo;

static int stage_index_memo(stage_memo *m, const char *s)
{
	size_t k = ((uintptr_t)s >> 4) & 15;

	if (!s)
		return -1;
	if (m->s[k] != s) {
		m->s[k] = s;
		m->i[k] = stage_index(s);
	}
	return m->i[k];
}

/* The events grouped by customer id, in commit order within a group: one
 * pass to count them by id, one to place them (no sort of every event); a
 * small table of group numbers, the groups apart (what a large table costs
 * is its pages). */
typedef struct id_group {
	const char *id; /* as in the events (interned by the change index) */
	size_t first, n;
} id_group;

typedef struct by_id {
	cev *v;
	size_t n;
	uint32_t *table; /* group number + 1, 0 empty */
	size_t mask;     /* the table's size less one (a power of two) */
	id_group *g;
	size_t n_g, cap_g;
} by_id;

/* The table entry of `id`: its group's, or the empty one where it would go. */
static uint32_t *group_slot(const by_id *h, const char *id)
{
	size_t i = key_hash(id) & h->mask;

	while (h->table[i] && h->g[h->table[i] - 1].id != id && strcmp(h->g[h->table[i] - 1].id, id) != 0)
		i = (i + 1) & h->mask;
	return &h->table[i];
}

static void by_id_build(by_id *h, const crmf_change_event *ev, size_t n)
{
	size_t cap = 64, next = 0;
	/* tables mapped with their pages (facts.c's threads run meanwhile:
	 * a page fault at a time would take from them) */
	uint32_t *of = xcalloc_table(n + 1, sizeof(*of));
	stage_memo sm = {{NULL}, {0}};

	/* at most one id in 2 events is new in practice (created, then changes);
	 * the table grows when that is wrong */
	while (cap < n)
		cap *= 2;
	memset(h, 0, sizeof(*h));
	h->table = xcalloc_table(cap, sizeof(*h->table));
	h->mask = cap - 1;
	h->v = xcalloc_table(n + 1, sizeof(*h->v));
	h->n = n;
	for (size_t i = 0; i < n; i++) {
		uint32_t *slot;

		if (i && ev[i].id == ev[i - 1].id) {
			of[i] = of[i - 1];
			h->g[of[i]].n++;
			continue;
		}
		slot = group_slot(h, ev[i].id);
		if (!*slot) {
			if (h->n_g == h->cap_g) {
				h->cap_g = h->cap_g ? 2 * h->cap_g : 1024;
				h->g = xrealloc(h->g, h->cap_g * sizeof(*h->g));
			}
			h->g[h->n_g] = (id_group){ev[i].id, 0, 0};
			*slot = (uint32_t)++h->n_g;
			if (2 * h->n_g > cap) { /* grow: the groups stay, the table is rebuilt */
				xfree_table(h->table, cap, sizeof(*h->table));
				cap *= 2;
				h->table = xcalloc_table(cap, sizeof(*h->table));
				h->mask = cap - 1;
				for (size_t k = 0; k < h->n_g; k++)
					*group_slot(h, h->g[k].id) = (uint32_t)k + 1;
				slot = group_slot(h, ev[i].id);
			}
		}
		of[i] = *slot - 1;
		h->g[of[i]].n++;
	}
	for (size_t k = 0; k < h->n_g; k++) {
		h->g[k].first = next;
		next += h->g[k].n;
		h->g[k].n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		bool stage = ev[i].kind == CRMF_CHANGE_CREATED || ev[i].kind == CRMF_CHANGE_STAGE;

		h->v[h->g[of[i]].first + h->g[of[i]].n++] =
			(cev){ev[i].day, (unsigned char)ev[i].kind,
			      (signed char)(stage ? stage_index_memo(&sm, ev[i].from) : -1),
			      (signed char)(stage ? stage_index_memo(&sm, ev[i].to) : -1), ev[i].from,
			      ev[i].to};
	}
	xfree_table(of, n + 1, sizeof(*of));
}

static void by_id_release(by_id *h)
{
	xfree_table(h->v, h->n + 1, sizeof(*h->v));
	xfree_table(h->table, h->table ? h->mask + 1 : 0, sizeof(*h->table));
	free(h->g);
}

/* The events of `id`: *n of them from the returned pointer. *next is the
 * number of the group tried first, and becomes the one after id's: in path
 * order, the customers mostly come in the order history created them. */
static const cev *events_of(const by_id *h, const char *id, size_t *n, size_t *next)
{
	size_t k = *next;

	*n = 0;
	if (!id || !h->n_g)
		return NULL;
	if (k >= h->n_g || (h->g[k].id != id && strcmp(h->g[k].id, id) != 0)) {
		const uint32_t *slot = group_slot(h, id);

		if (!*slot)
			return NULL;
		k = *slot - 1;
	}
	*next = k + 1;
	*n = h->g[k].n;
	return h->v + h->g[k].first;
}

/* The stage of a customer on `day` from its events (NULL when its file had been
 * removed), its stage_index in *idx; the callers ask only for customers
 * created by then. */
static const char *stage_on(const cev *ev, size_t n, crmf_day day, const char *fallback, int *idx)
{
	const char *s = NULL;
	bool seen = false;

	*idx = -1;
	for (size_t i = 0; i < n; i++) {
		if (ev[i].day > day)
			continue;
		if (ev[i].kind == CRMF_CHANGE_CREATED || ev[i].kind == CRMF_CHANGE_STAGE) {
			s = ev[i].to;
			*idx = ev[i].to_i;
			seen = true;
		} else if (ev[i].kind == CRMF_CHANGE_REMOVED) {
			s = NULL;
			*idx = -1;
			seen = true;
		}
	}
	if (seen)
		return s;
	/* nothing on or before `day`: the file was committed later (a repository
	 * started from existing records): its first known stage, else the file's */
	for (size_t i = 0; i < n; i++)
		if (ev[i].kind == CRMF_CHANGE_CREATED || ev[i].kind == CRMF_CHANGE_STAGE) {
			bool stage = ev[i].kind == CRMF_CHANGE_STAGE;

			*idx = stage ? ev[i].from_i : ev[i].to_i;
			return stage ? ev[i].from : ev[i].to;
		}
	*idx = stage_index(fallback);
	return fallback;
}

/* ---- the figures ---- */

/* Strings met again and again (people, methods, sources, industries): a
 * number each, in the order met, by one hash and one compare. */
typedef struct strtab {
	const char **key; /* by number */
	size_t *hash;
	size_t n, cap;
	uint32_t *slot; /* number + 1, 0 free */
	size_t mask;
} strtab;

static size_t strtab_number(strtab *t, const char *key, bool *added)
{
	size_t h = key_hash(key), i;

	*added = false;
	if (t->slot)
		for (i = h & t->mask; t->slot[i]; i = (i + 1) & t->mask) {
			size_t k = t->slot[i] - 1;

			if (t->hash[k] == h && strcmp(t->key[k], key) == 0)
				return k;
		}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->key = xrealloc(t->key, t->cap * sizeof(*t->key));
		t->hash = xrealloc(t->hash, t->cap * sizeof(*t->hash));
	}
	if (2 * (t->n + 1) > t->mask + 1 || !t->slot) {
		size_t cap = t->slot ? 2 * (t->mask + 1) : 32;

		free(t->slot);
		t->slot = xcalloc(cap, sizeof(*t->slot));
		t->mask = cap - 1;
		for (size_t k = 0; k < t->n; k++) {
			for (i = t->hash[k] & t->mask; t->slot[i];)
				i = (i + 1) & t->mask;
			t->slot[i] = (uint32_t)k + 1;
		}
	}
	for (i = h & t->mask; t->slot[i];)
		i = (i + 1) & t->mask;
	t->slot[i] = (uint32_t)t->n + 1;
	t->key[t->n] = key;
	t->hash[t->n] = h;
	*added = true;
	return t->n++;
}

static void strtab_release(strtab *t)
{
	free(t->key);
	free(t->hash);
	free(t->slot);
}

/* A follow-up as the activity counts it, its strings numbered (ctx's names) */
typedef struct cfu {
	crmf_day date, due;
	int32_t by;     /* a PERSON number, -1 without `by` */
	int32_t method; /* a METHOD number ("-" for none) */
	bool next;
} cfu;

/* What the strings of the facts are numbered as */
enum { PERSON, METHOD, SOURCE, INDUSTRY, N_NAMES };

/* What the figures read of a customer besides its facts, worked out once per report. */
typedef struct cust_info {
	const cev *ev; /* its events (of its id), in commit order */
	size_t n_ev;
	const char *owner_id; /* member_id of its owner, NULL without one */
	/* the last day of its follow-ups' dates and next actions' due dates,
	 * and of its deals' signing: a period after it has nothing of them to
	 * count (a goal's short one) */
	crmf_day last_day, last_signed;
	/* the record's own, copied: a pass that reads only these does not go
	 * to the customer's memory (a TLB and cache miss each, every pass) */
	crmf_day created;
	crmf_stage stage;
	crmf_potential potential;
	char grade;
	bool archived;
	int32_t source, industry; /* SOURCE and INDUSTRY numbers ("-" for none) */
	cfu *fu;                  /* its follow-ups, as many as the record's */
	size_t n_fu, fu_at;       /* fu_at: where in its part's array, while prepare runs */
	unsigned char part;       /* of prepare's, while it runs */
} cust_info;

typedef struct ctx {
	const crmf_config *cfg;
	crmf_customer **v; /* every customer's facts (facts.h) */
	size_t n;
	cust_info *ci; /* per customer */
	strtab names[N_NAMES]; /* the facts' strings, numbered (the keys point into the facts) */
	cfu *fu[16];           /* the follow-ups, prepare's parts' (crmf_table_alloc'ed) */
	size_t fu_cap[16];
	struct who_memo *memo; /* who names whom, remembered */
	view_buf *buf;         /* classify_at's */
	crmf_day since, until;
	by_id hist;
	/* what the figures read of each customer's classes on `until`, worked
	 * out once (the goals' periods end on the same day), and on before_day
	 * (the day before the report's period; where done) */
	struct until_class *at_until, *at_before;
	crmf_day before_day;
} ctx;

typedef struct until_class {
	bool done;
	crmf_day next_due;
	crmf_quadrant quadrant;
	crmf_activity activity;
} until_class;

/* The classes of customer i on x->until. */
static const until_class *class_at_until(const ctx *x, size_t i)
{
	until_class *u = &x->at_until[i];

	if (!u->done) {
		crmf_class k;

		classify_at(&k, x->v[i], x->cfg, x->until, x->buf);
		*u = (until_class){true, k.next_due, k.quadrant, k.activity};
	}
	return u;
}

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

static const char *member_id(struct who_memo *memo, const crmf_config *cfg, const char *who)
{
	uint32_t h = 2166136261u;
	const crmf_member *m;

	for (const char *p = who; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (size_t k = 0; k < MEMO_SIZE; k++) {
		size_t i = (h + k) & (MEMO_SIZE - 1);

		if (!memo->who[i]) {
			m = crmf_config_member(cfg, who);
			if (memo->used < MEMO_SIZE / 2) { /* at most half full: short probes */
				memo->used++;
				memo->who[i] = who;
				memo->id[i] = m ? m->id : who;
			}
			return m ? m->id : who;
		}
		if (strcmp(memo->who[i], who) == 0)
			return memo->id[i];
	}
	m = crmf_config_member(cfg, who);
	return m ? m->id : who;
}

/* Customer i's owner is team member `id` (named by id, name or email) */
static bool owned_by(const ctx *x, size_t i, const char *id)
{
	const char *who = x->ci[i].owner_id;

	return who && id && (who == id || strcmp(who, id) == 0);
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

/* The position of the owner `who` names (by id, name or email) among
 * `names` (distinct), or -1: what owned_by would say for each, at once. */
typedef struct owner_index {
	const char *const *names;
	size_t n;
	size_t *slot; /* open addressing over names' hashes: index + 1, 0 empty */
	size_t mask;
	/* the last ids looked up, by address: most are the few of crmf.yaml's team */
	const char *seen[16];
	long seen_k[16];
} owner_index;

static void owner_index_init(owner_index *oi, const char *const *names, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	memset(oi, 0, sizeof(*oi));
	oi->names = names;
	oi->n = n;
	oi->slot = xcalloc(cap, sizeof(*oi->slot));
	oi->mask = cap - 1;
	for (size_t k = 0; k < n; k++) {
		size_t i = key_hash(names[k]) & oi->mask;

		while (oi->slot[i])
			i = (i + 1) & oi->mask;
		oi->slot[i] = k + 1;
	}
}

/* The position of member id `id` (a member_id answer) */
static long owner_slot(owner_index *oi, const char *id)
{
	size_t m, i;
	long k = -1;

	if (!id || !oi->n)
		return -1;
	m = ((uintptr_t)id >> 3) & 15;
	if (oi->seen[m] == id)
		return oi->seen_k[m];
	for (i = key_hash(id) & oi->mask; oi->slot[i]; i = (i + 1) & oi->mask)
		if (strcmp(oi->names[oi->slot[i] - 1], id) == 0) {
			k = (long)oi->slot[i] - 1;
			break;
		}
	oi->seen[m] = id;
	oi->seen_k[m] = k;
	return k;
}

static long owner_of(owner_index *oi, const ctx *x, const char *who)
{
	if (!who || !oi->n)
		return -1;
	return owner_slot(oi, member_id(x->memo, x->cfg, who));
}

/*
 * The activity of the team (`team`, may be NULL) and of each owner of
 * `names` (distinct; into own[k]) in one pass over the customers: a
 * follow-up counts for the team and for the owner its `by` names; a
 * customer's planned actions, creation and overdue state for the team and
 * for the owner of the customer.
 */
static void activities(crmf_report_activity *team, crmf_report_activity *own,
		       const char *const *names, size_t n_names, const ctx *x)
{
	/* follow-ups per week, counted by the week's Monday and named at the end */
	crmf_day monday0 = x->since - (crmf_day)((((long long)x->since % 7) + 7 + 3) % 7);
	size_t n_weeks = x->until >= monday0 ? (size_t)(x->until - monday0) / 7 + 1 : 0;
	size_t n_acc = n_names + 1; /* the owners, then the team */
	size_t *weeks = xcalloc(n_acc * (n_weeks + 1), sizeof(*weeks));
	bool *touched = xcalloc(n_acc, sizeof(*touched));
	crmf_report_activity **acc = xcalloc(n_acc, sizeof(*acc));
	/* follow-ups by METHOD and new customers by SOURCE, by accumulator
	 * ([number * n_acc + k]); the owner each PERSON names (-2: not yet known) */
	const strtab *methods = &x->names[METHOD], *sources = &x->names[SOURCE];
	size_t *by_method = xcalloc((methods->n + 1) * n_acc, sizeof(*by_method));
	size_t *by_source = xcalloc((sources->n + 1) * n_acc, sizeof(*by_source));
	long *person_k = xmalloc((x->names[PERSON].n + 1) * sizeof(*person_k));
	owner_index oi;

	owner_index_init(&oi, names, n_names);
	for (size_t k = 0; k < x->names[PERSON].n; k++)
		person_k[k] = -2;
	for (size_t k = 0; k < n_names; k++)
		acc[k] = &own[k];
	acc[n_names] = team;
	for (size_t i = 0; i < x->n; i++) {
		const cust_info *ci = &x->ci[i];
		long ok = owner_slot(&oi, ci->owner_id);

		if (!team && ok < 0 && !n_names)
			continue;
		memset(touched, 0, n_acc * sizeof(*touched));
		for (size_t j = 0; ci->last_day >= x->since && j < ci->n_fu; j++) {
			const cfu *f = &ci->fu[j];
			long bk = -1;

			if (f->by >= 0 && n_names) {
				if (person_k[f->by] == -2)
					person_k[f->by] = owner_of(&oi, x, x->names[PERSON].key[f->by]);
				bk = person_k[f->by];
			}
			if (in_period(x, f->date) && (team || bk >= 0)) {
				size_t w = (size_t)(f->date - monday0) / 7;
				size_t m = (size_t)f->method;

				if (team) {
					team->followups++;
					by_method[m * n_acc + n_names]++;
					weeks[n_names * (n_weeks + 1) + w]++;
					touched[n_names] = true;
				}
				if (bk >= 0) {
					own[bk].followups++;
					by_method[m * n_acc + (size_t)bk]++;
					weeks[(size_t)bk * (n_weeks + 1) + w]++;
					touched[bk] = true;
				}
			}
			if ((team || ok >= 0) && f->next && in_period(x, f->due)) {
				const cfu *answer = NULL;

				/* the first follow-up after it answers it */
				for (size_t k = 0; k < ci->n_fu; k++) {
					const cfu *g = &ci->fu[k];

					if (g->date == CRMF_NO_DAY ||
					    !(g->date > f->date || (g->date == f->date && k > j)))
						continue;
					if (!answer || g->date < answer->date)
						answer = g;
				}
				for (int t = 0; t < 2; t++) {
					crmf_report_activity *a = t ? team : ok >= 0 ? &own[ok] : NULL;

					if (!a)
						continue;
					a->planned++;
					if (!answer || answer->date > x->until)
						a->open++;
					else if (answer->date <= f->due)
						a->on_time++;
					else
						a->late++;
				}
			}
		}
		for (size_t k = 0; k < n_acc; k++)
			if (acc[k])
				acc[k]->touched += touched[k];
		if (in_period(x, ci->created))
			for (int t = 0; t < 2; t++) {
				long k = t ? (long)n_names : ok;

				if (k >= 0 && acc[k]) {
					acc[k]->new_customers++;
					by_source[(size_t)ci->source * n_acc + (size_t)k]++;
				}
			}
		if ((team || ok >= 0) && !ci->archived && ci->stage != CRMF_STAGE_LOST &&
		    ci->stage != CRMF_STAGE_NONE && ci->created != CRMF_NO_DAY &&
		    ci->created <= x->until) {
			const until_class *k = class_at_until(x, i);

			if (k->next_due != CRMF_NO_DAY && k->next_due < x->until) {
				if (team)
					team->overdue_at_end++;
				if (ok >= 0)
					own[ok].overdue_at_end++;
			}
		}
	}
	for (size_t k = 0; k < n_acc; k++) {
		crmf_report_activity *a = acc[k];

		if (!a)
			continue;
		for (size_t w = 0; w < n_weeks; w++)
			if (weeks[k * (n_weeks + 1) + w]) {
				char week[32];

				iso_week(week, sizeof(week), monday0 + (crmf_day)(7 * w));
				count_at(&a->by_week, week)->n += weeks[k * (n_weeks + 1) + w];
			}
		for (size_t m = 0; m < methods->n; m++)
			if (by_method[m * n_acc + k])
				count_at(&a->by_method, methods->key[m])->n += by_method[m * n_acc + k];
		for (size_t m = 0; m < sources->n; m++)
			if (by_source[m * n_acc + k])
				count_at(&a->new_by_source, sources->key[m])->n += by_source[m * n_acc + k];
		a->adherence = a->planned ? (double)a->on_time / (double)a->planned : -1;
		sort_counts(&a->by_method, count_n_cmp);
		sort_counts(&a->by_week, count_key_cmp);
		sort_counts(&a->new_by_source, count_n_cmp);
	}
	free(by_source);
	free(by_method);
	free(person_k);
	free(oi.slot);
	free(acc);
	free(touched);
	free(weeks);
}

static void activity_free(crmf_report_activity *a)
{
	counts_free(&a->by_method);
	counts_free(&a->new_by_source);
	counts_free(&a->by_week);
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* "from→to" in key (as snprintf would write it, cut at size - 1 bytes) */
static void transition_key(char *key, size_t size, const char *from, const char *to)
{
	static const char arrow[] = "→";
	size_t n = 0;
	const char *part[3] = {from, arrow, to};

	for (int k = 0; k < 3; k++)
		for (const char *p = part[k]; *p && n + 1 < size; p++)
			key[n++] = *p;
	key[n] = '\0';
}

/* Stage changes counted by their values' addresses (the change index interns
 * them), named at the end: a pair met twice under two addresses is counted
 * under one name all the same. */
typedef struct pair_count {
	const char *from, *to;
	size_t n; /* 0: a free slot */
} pair_count;

typedef struct pair_counts {
	pair_count *v;
	size_t n, cap;
} pair_counts;

static size_t pair_hash(const char *from, const char *to)
{
	uint64_t h = (uint64_t)(uintptr_t)from * 0x9e3779b97f4a7c15ULL ^
		     (uint64_t)(uintptr_t)to * 0xc2b2ae3d27d4eb4fULL;

	return (size_t)(h ^ (h >> 31));
}

static void pair_add(pair_counts *t, const char *from, const char *to)
{
	size_t i;

	if (2 * (t->n + 1) > t->cap) {
		pair_counts g = {xcalloc(t->cap ? 2 * t->cap : 64, sizeof(pair_count)), t->n,
				 t->cap ? 2 * t->cap : 64};

		for (size_t k = 0; k < t->cap; k++)
			if (t->v[k].n) {
				for (i = pair_hash(t->v[k].from, t->v[k].to) & (g.cap - 1); g.v[i].n;)
					i = (i + 1) & (g.cap - 1);
				g.v[i] = t->v[k];
			}
		free(t->v);
		*t = g;
	}
	for (i = pair_hash(from, to) & (t->cap - 1);
	     t->v[i].n && (t->v[i].from != from || t->v[i].to != to); i = (i + 1) & (t->cap - 1))
		;
	if (!t->v[i].n) {
		t->v[i].from = from;
		t->v[i].to = to;
		t->n++;
	}
	t->v[i].n++;
}

/* Stage changes, the steps of the funnel, days per stage, churn (history). */
static void pipeline(crmf_report *rep, const ctx *x)
{
	double *days[CRMF_N_STAGES] = {0};
	size_t nd[CRMF_N_STAGES] = {0}, cap[CRMF_N_STAGES] = {0}, at_start_customers = 0;
	int step_from[3];
	pair_counts moves = {NULL, 0, 0};

	for (int s = 0; s < 3; s++)
		step_from[s] = stage_index(rep->steps[s].from);
	for (size_t i = 0; i < x->n; i++) {
		const crmf_customer *c = x->v[i];
		size_t n = x->ci[i].n_ev;
		const cev *ev = x->ci[i].ev;
		const char *start = NULL;
		int start_i = -1;
		bool was_in[CRMF_N_STAGES] = {false};
		crmf_day entered = CRMF_NO_DAY;
		int cur = -1;

		if ((rep->owner && !owned_by(x, i, rep->owner)) || x->ci[i].created == CRMF_NO_DAY ||
		    x->ci[i].created > x->until)
			continue;
		if (x->ci[i].created < x->since) /* else not there yet when the period began */
			start = stage_on(ev, n, x->since - 1, crmf_stage_name(x->ci[i].stage),
					 &start_i);
		if (start &&
		    (start_i == CRMF_STAGE_CUSTOMER - 1 || start_i == CRMF_STAGE_AT_RISK - 1))
			at_start_customers++;
		if (start && start_i >= 0)
			was_in[start_i] = true;
		for (size_t k = 0; k < n; k++) {
			const cev *e = &ev[k];
			int to;

			if (e->kind != CRMF_CHANGE_CREATED && e->kind != CRMF_CHANGE_STAGE)
				continue;
			to = e->to_i;
			if (in_period(x, e->day)) {
				pair_add(&moves, e->from, e->to);
				if (to >= 0)
					was_in[to] = true;
				if (cur >= 0 && entered != CRMF_NO_DAY) {
					if (nd[cur] == cap[cur]) {
						cap[cur] = cap[cur] ? 2 * cap[cur] : 64;
						days[cur] = xrealloc(days[cur], cap[cur] * sizeof(double));
					}
					days[cur][nd[cur]++] = e->day - entered;
				}
				for (int s = 0; s < 3; s++)
					if (cur == step_from[s] && to > step_from[s] &&
					    to <= CRMF_STAGE_CUSTOMER - 1)
						rep->steps[s].moved++;
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
			if (was_in[step_from[s]])
				rep->steps[s].in_from++;
	}
	for (size_t k = 0; k < moves.cap; k++)
		if (moves.v[k].n) {
			char key[64];

			transition_key(key, sizeof(key), moves.v[k].from ? moves.v[k].from : "new",
				       moves.v[k].to ? moves.v[k].to : "-");
			count_at(&rep->transitions, key)->n += moves.v[k].n;
		}
	free(moves.v);
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

/* "2025-06" (years 0 to 9999, as "%04d-%02d" writes them) */
static void month_key(char out[8], int y, int m)
{
	if (y < 0 || y > 9999 || m < 1 || m > 12) {
		snprintf(out, 8, "%04d-%02d", y, m);
		return;
	}
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '\0';
}

/* Counts by a byte (a stage, a potential, a grade, a quadrant), named at the
 * end: what count() would give, without a string compared per customer. */
typedef struct tally {
	size_t n[256];
} tally;

static void tally_name(crmf_counts *c, const tally *t, int what)
{
	for (int v = 0; v < 256; v++) {
		const char *key = NULL;
		char grade[2] = {(char)v, 0};

		if (!t->n[v])
			continue;
		switch (what) {
		case CRMF_SHARE_STAGE:
			key = crmf_stage_name((crmf_stage)v);
			break;
		case CRMF_SHARE_POTENTIAL:
			key = v ? crmf_potential_name((crmf_potential)v) : NULL;
			break;
		case CRMF_SHARE_GRADE:
			key = v ? grade : NULL;
			break;
		case CRMF_SHARE_QUADRANT:
			key = crmf_quadrant_name((crmf_quadrant)v);
			break;
		}
		count_at(c, key ? key : "-")->n += t->n[v];
	}
}

/* the byte a tally counts a value by, -1 when out of its range */
static int tally_slot(int v)
{
	return v >= 0 && v < 256 ? v : -1;
}

/* Deals, repurchase, dormancy, win-back, shares and the funnel (files);
 * without `all`, the deals alone (a goal's figures). */
static void value_and_shares(crmf_report *rep, const ctx *x, bool all)
{
	/* deals by month, counted by the month's number from since's */
	int y0, m0, y1, m1, dd;
	size_t n_months;
	size_t *month_n;
	double *month_amount;
	crmf_day *month_day; /* a day of each month */
	tally *now_t = xcalloc(2 * 4, sizeof(*now_t)), *before_t = now_t + 4;
	/* industries by number, on `until` and before */
	const strtab *industries = &x->names[INDUSTRY];
	size_t *industry_n = xcalloc(2 * (industries->n + 1), sizeof(*industry_n));
	size_t *industry_before = industry_n + industries->n + 1;

	crmf_date_to_ymd(x->since, &y0, &m0, &dd);
	crmf_date_to_ymd(x->until, &y1, &m1, &dd);
	n_months = x->until >= x->since ? (size_t)((y1 - y0) * 12 + (m1 - m0)) + 1 : 0;
	month_n = xcalloc(n_months + 1, sizeof(*month_n));
	month_amount = xcalloc(n_months + 1, sizeof(*month_amount));
	month_day = xcalloc(n_months + 1, sizeof(*month_day));
	for (int s = 0; s < CRMF_N_STAGES; s++)
		count_at(&rep->funnel, crmf_stage_values[s]);
	for (size_t i = 0; i < x->n; i++) {
		const crmf_customer *c = x->v[i];
		const cust_info *ci = &x->ci[i];
		bool signed_now = false, signed_before = false;
		const until_class *now;
		crmf_class before;
		int v;

		if (rep->owner && !owned_by(x, i, rep->owner))
			continue;
		/* no deal since the period began: none in it, and no repurchase */
		for (size_t d = 0; ci->last_signed >= x->since && d < c->n_deals; d++) {
			crmf_day s = c->deals[d].signed_on;
			int y, m;

			if (s == CRMF_NO_DAY)
				continue;
			if (in_period(x, s)) {
				size_t k;

				rep->deals++;
				rep->deal_amount += c->deals[d].amount;
				crmf_date_to_ymd(s, &y, &m, &dd);
				k = (size_t)((y - y0) * 12 + (m - m0));
				month_day[k] = s;
				month_n[k]++;
				month_amount[k] += c->deals[d].amount;
				signed_now = true;
			} else if (s < x->since) {
				signed_before = true;
			}
		}
		rep->repurchases += signed_now && signed_before;
		if (!all || ci->archived || ci->created == CRMF_NO_DAY ||
		    ci->created > x->until)
			continue;
		now = class_at_until(x, i);
		rep->customers++;
		if ((v = tally_slot((int)ci->stage)) >= 0) {
			now_t[CRMF_SHARE_STAGE].n[v]++;
		} else {
			count(&rep->funnel, crmf_stage_name(ci->stage), 0);
			count(&rep->shares[CRMF_SHARE_STAGE], crmf_stage_name(ci->stage), 0);
		}
		if ((v = tally_slot((int)ci->potential)) >= 0)
			now_t[CRMF_SHARE_POTENTIAL].n[v]++;
		else
			count(&rep->shares[CRMF_SHARE_POTENTIAL], crmf_potential_name(ci->potential), 0);
		now_t[CRMF_SHARE_GRADE].n[(unsigned char)ci->grade]++;
		if ((v = tally_slot((int)now->quadrant)) >= 0)
			now_t[CRMF_SHARE_QUADRANT].n[v]++;
		else
			count(&rep->shares[CRMF_SHARE_QUADRANT], crmf_quadrant_name(now->quadrant), 0);
		industry_n[ci->industry]++;
		if (ci->created <= x->since - 1) {
			int st_i;
			const char *st = stage_on(ci->ev, ci->n_ev, x->since - 1,
						  crmf_stage_name(ci->stage), &st_i);

			if (x->before_day == x->since - 1 && x->at_before[i].done)
				before = (crmf_class){.quadrant = x->at_before[i].quadrant,
						      .activity = x->at_before[i].activity};
			else
				classify_at(&before, c, x->cfg, x->since - 1, x->buf);
			rep->customers_before++;
			if (!st || st_i >= 0)
				before_t[CRMF_SHARE_STAGE].n[st ? st_i + 1 : 0]++;
			else
				count(&rep->before[CRMF_SHARE_STAGE], st, 0);
			if ((v = tally_slot((int)ci->potential)) >= 0)
				before_t[CRMF_SHARE_POTENTIAL].n[v]++;
			else
				count(&rep->before[CRMF_SHARE_POTENTIAL],
				      crmf_potential_name(ci->potential), 0);
			before_t[CRMF_SHARE_GRADE].n[(unsigned char)ci->grade]++;
			if ((v = tally_slot((int)before.quadrant)) >= 0)
				before_t[CRMF_SHARE_QUADRANT].n[v]++;
			else
				count(&rep->before[CRMF_SHARE_QUADRANT],
				      crmf_quadrant_name(before.quadrant), 0);
			industry_before[ci->industry]++;
			if (before.quadrant == CRMF_QUADRANT_WIN_BACK &&
			    now->quadrant == CRMF_QUADRANT_CORE)
				rep->winback_activated++;
			if (ci->stage != CRMF_STAGE_LOST && before.activity == CRMF_ACTIVITY_ACTIVE &&
			    now->activity == CRMF_ACTIVITY_DORMANT)
				rep->turned_dormant++;
		}
	}
	/* the funnel counts the stages on `until` as the stage share does */
	tally_name(&rep->funnel, &now_t[CRMF_SHARE_STAGE], CRMF_SHARE_STAGE);
	for (int s = 0; s < CRMF_SHARE_INDUSTRY; s++) {
		tally_name(&rep->shares[s], &now_t[s], s);
		tally_name(&rep->before[s], &before_t[s], s);
	}
	for (size_t k = 0; k < industries->n; k++) {
		if (industry_n[k])
			count_at(&rep->shares[CRMF_SHARE_INDUSTRY], industries->key[k])->n += industry_n[k];
		if (industry_before[k])
			count_at(&rep->before[CRMF_SHARE_INDUSTRY], industries->key[k])->n +=
				industry_before[k];
	}
	free(industry_n);
	for (size_t k = 0; k < n_months; k++)
		if (month_n[k]) {
			char month[8];
			crmf_count *e;
			int y, m;

			crmf_date_to_ymd(month_day[k], &y, &m, &dd);
			month_key(month, y, m);
			e = count_at(&rep->deals_by_month, month);
			e->n += month_n[k];
			e->amount += month_amount[k];
		}
	free(month_n);
	free(month_amount);
	free(month_day);
	free(now_t);
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
	crmf_report_activity *acts;
	size_t n = 0;
	bool distinct = true;

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
	acts = xcalloc(n + 1, sizeof(*acts));
	for (size_t i = 0; i < n; i++) {
		rep->owners[i].owner = who[i];
		for (size_t k = 0; k < i; k++)
			distinct = distinct && strcmp(who[k], who[i]) != 0;
	}
	if (distinct) {
		activities(&rep->team, acts, who, n, x);
	} else {
		/* a name twice (a team listing an id twice): each on its own */
		activities(&rep->team, NULL, NULL, 0, x);
		for (size_t i = 0; i < n; i++)
			activities(NULL, &acts[i], &who[i], 1, x);
	}
	for (size_t i = 0; i < n; i++)
		rep->owners[i].a = acts[i];
	rep->n_owners = n;
	free(acts);
	free(who);
}

/* The figures of rep's period (x's since and until); `all`: the owners and shares too
 * (without it, what metric_of reads and a little more). */
static void figures(crmf_report *rep, const ctx *x, const char *owner, bool all)
{
	rep->since = x->since;
	rep->until = x->until;
	rep->owner = owner;
	rep->steps[0] = (crmf_report_step){"lead", "intent", 0, 0, -1};
	rep->steps[1] = (crmf_report_step){"intent", "negotiation", 0, 0, -1};
	rep->steps[2] = (crmf_report_step){"negotiation", "customer", 0, 0, -1};
	if (owner)
		activities(NULL, &rep->team, &owner, 1, x);
	else if (all)
		per_owner(rep, x, x->cfg); /* the team's activity with the owners' */
	else
		activities(&rep->team, NULL, NULL, 0, x);
	pipeline(rep, x);
	value_and_shares(rep, x, all);
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
	/* the figures of each distinct period, computed once (goals per month share one) */
	crmf_report **subs = xcalloc(cfg->n_goals + 1, sizeof(*subs));
	size_t n_subs = 0;

	rep->goals = xcalloc(cfg->n_goals + 1, sizeof(*rep->goals));
	for (size_t i = 0; i < cfg->n_goals; i++) {
		const crmf_goal *g = &cfg->goals[i];
		crmf_report_goal *rg = &rep->goals[rep->n_goals++];
		const crmf_report *sub = NULL;
		ctx y = *x;
		crmf_day end;

		y.since = period_start(g->per, x->until);
		end = period_end(g->per, y.since);
		for (size_t k = 0; k < n_subs && !sub; k++)
			if (subs[k]->since == y.since)
				sub = subs[k];
		if (!sub) {
			subs[n_subs] = xcalloc(1, sizeof(**subs));
			figures(subs[n_subs], &y, owner, false);
			sub = subs[n_subs++];
		}
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
	}
	for (size_t k = 0; k < n_subs; k++)
		crmf_report_free(subs[k]);
	free(subs);
}

/* What the figures read of each customer first (its events, its owner's id,
 * its classes on the last day and on the day before the period, its
 * follow-ups and strings numbered), on every core: the part of the figures'
 * time that is not summing, and the reading of the customers' own memory
 * (a TLB and cache miss each). Each part has its own memo, buffer, follow-up
 * array and numbering; the numbers are made the report's after. */
typedef struct prep_job {
	ctx *x;
	struct who_memo *memo[16];
	strtab names[16][N_NAMES];
	int32_t *to_global[16][N_NAMES]; /* a part's number -> the report's */
} prep_job;

static int32_t number_of(strtab *t, const char *s)
{
	bool added;

	return (int32_t)strtab_number(t, s ? s : "-", &added);
}

static void prep_part(void *arg, size_t part, size_t lo, size_t hi)
{
	prep_job *j = arg;
	ctx *x = j->x;
	/* the part's own, kept here while it runs: beside the other parts' in
	 * j and x, their cache lines would go from core to core at each write */
	strtab names[N_NAMES] = {{0}};
	view_buf buf = {NULL, NULL, 0, 0};
	cfu *fu;
	size_t next = 0, n_fu = 0, cap, sample = hi - lo < 256 ? hi - lo : 256;

	/* room for the follow-ups, guessed from the first customers': a table
	 * is mapped with its pages at once (a page fault at a time is what
	 * costs on a virtual machine), and grows if it has to */
	for (size_t i = lo; i < lo + sample; i++)
		n_fu += x->v[i]->n_followups;
	cap = (sample ? n_fu * (hi - lo) / sample : 0) * 5 / 4 + 1024;
	fu = xcalloc_table(cap, sizeof(cfu));
	n_fu = 0;
	for (size_t i = lo; i < hi; i++) {
		const crmf_customer *c = x->v[i];
		cust_info *ci = &x->ci[i];
		crmf_class k;

		ci->ev = events_of(&x->hist, c->id, &ci->n_ev, &next);
		ci->owner_id = c->owner ? member_id(j->memo[part], x->cfg, c->owner) : NULL;
		ci->created = c->created;
		ci->stage = c->stage;
		ci->potential = c->potential;
		ci->grade = c->grade;
		ci->archived = c->archived;
		ci->source = number_of(&names[SOURCE], c->source);
		ci->industry = number_of(&names[INDUSTRY], c->industry);
		ci->part = (unsigned char)part;
		ci->last_signed = CRMF_NO_DAY;
		for (size_t d = 0; d < c->n_deals; d++)
			if (c->deals[d].signed_on > ci->last_signed)
				ci->last_signed = c->deals[d].signed_on;
		ci->last_day = CRMF_NO_DAY;
		if (n_fu + c->n_followups > cap) {
			size_t bigger = 2 * (n_fu + c->n_followups);
			cfu *more = xcalloc_table(bigger, sizeof(cfu));

			memcpy(more, fu, n_fu * sizeof(cfu));
			xfree_table(fu, cap, sizeof(cfu));
			fu = more;
			cap = bigger;
		}
		ci->fu_at = n_fu; /* the array may move yet */
		ci->n_fu = c->n_followups;
		for (size_t f = 0; f < c->n_followups; f++) {
			const crmf_followup *cf = &c->followups[f];

			fu[n_fu++] = (cfu){cf->date, cf->due,
					   cf->by ? number_of(&names[PERSON], cf->by) : -1,
					   number_of(&names[METHOD], cf->method), cf->next != NULL};
			if (cf->date > ci->last_day)
				ci->last_day = cf->date;
			if (cf->next && cf->due > ci->last_day)
				ci->last_day = cf->due;
		}
		/* who the figures classify: the customers there on `until` */
		if (c->archived || c->created == CRMF_NO_DAY || c->created > x->until)
			continue;
		classify_at(&k, c, x->cfg, x->until, &buf);
		x->at_until[i] = (until_class){true, k.next_due, k.quadrant, k.activity};
		if (c->created <= x->before_day) {
			classify_at(&k, c, x->cfg, x->before_day, &buf);
			x->at_before[i] = (until_class){true, k.next_due, k.quadrant, k.activity};
		}
	}
	x->fu[part] = fu;
	x->fu_cap[part] = cap;
	memcpy(j->names[part], names, sizeof(names));
	free(buf.f);
	free(buf.d);
}

/* The parts' numbers made the report's, and the follow-ups' offsets pointers */
static void renumber_part(void *arg, size_t part, size_t lo, size_t hi)
{
	prep_job *j = arg;
	ctx *x = j->x;

	for (size_t i = lo; i < hi; i++) {
		cust_info *ci = &x->ci[i];
		int32_t *const *g = j->to_global[ci->part];

		ci->source = g[SOURCE][ci->source];
		ci->industry = g[INDUSTRY][ci->industry];
		ci->fu = x->fu[ci->part] + ci->fu_at;
		for (size_t f = 0; f < ci->n_fu; f++) {
			if (ci->fu[f].by >= 0)
				ci->fu[f].by = g[PERSON][ci->fu[f].by];
			ci->fu[f].method = g[METHOD][ci->fu[f].method];
		}
	}
}

static void prepare(ctx *x)
{
	prep_job *j = xcalloc(1, sizeof(*j));
	size_t parts = crmf_parallel_parts(x->n, 4096);

	j->x = x;
	x->ci = xcalloc_table(x->n + 1, sizeof(*x->ci));
	x->at_until = xcalloc_table(x->n + 1, sizeof(*x->at_until));
	x->at_before = xcalloc_table(x->n + 1, sizeof(*x->at_before));
	x->before_day = x->since - 1;
	for (size_t p = 0; p < parts; p++)
		j->memo[p] = xcalloc(1, sizeof(*j->memo[p]));
	crmf_parallel_for(x->n, parts, prep_part, j);
	/* the report's numbers, in the parts' order (what is counted by them is
	 * named at the end: the numbers themselves show nowhere) */
	for (size_t p = 0; p < parts; p++)
		for (int t = 0; t < N_NAMES; t++) {
			strtab *pt = &j->names[p][t];

			j->to_global[p][t] = xmalloc((pt->n + 1) * sizeof(int32_t));
			for (size_t k = 0; k < pt->n; k++)
				j->to_global[p][t][k] = number_of(&x->names[t], pt->key[k]);
		}
	crmf_parallel_for(x->n, parts, renumber_part, j);
	for (size_t p = 0; p < parts; p++) {
		for (int t = 0; t < N_NAMES; t++) {
			strtab_release(&j->names[p][t]);
			free(j->to_global[p][t]);
		}
		free(j->memo[p]);
	}
	free(j);
}

/* The customers' facts, read on a thread of their own while history is read. */
typedef struct facts_job {
	const char *root;
	crmf_day today;
	crmf_facts f;
	/* read the files ahead for a walk (the main thread says there is one
	 * when the index is not up to date), until it is over */
	atomic_bool read_ahead, walked;
	const char **paths; /* the files read ahead */
	crmf_worktree *wt;
	int rc;
	char *error; /* crmf_error_last() of the thread, when rc < 0 */
} facts_job;

static void *save_main(void *arg)
{
	crmf_repository_changes_save(arg);
	return NULL;
}

static void *facts_main(void *arg)
{
	facts_job *j = arg;

	j->rc = crmf_facts_load(&j->f, j->root, j->today);
	if (j->rc != 0) {
		j->error = xstrdup(crmf_error_last());
	} else if (atomic_load(&j->read_ahead) && !atomic_load(&j->walked)) {
		/* the versions of the files a first walk leaves aside are most of
		 * them what the files hold: read while the walk goes on (the
		 * customers are in path order; their paths outlive the reading) */
		j->paths = xmalloc((j->f.n + 1) * sizeof(*j->paths));
		for (size_t i = 0; i < j->f.n; i++)
			j->paths[i] = j->f.v[i]->path;
		j->wt = crmf_worktree_read(j->root, j->paths, j->f.n, &j->walked);
	}
	return NULL;
}

int crmf_report_build(crmf_report **out, crmf_repository *r, const crmf_report_opts *o)
{
	const crmf_config *cfg;
	const crmf_changes *ch;
	const crmf_change_event *ev;
	crmf_report *rep;
	ctx x = {.since = o->since, .until = o->until};
	view_buf buf = {NULL, NULL, 0, 0};
	size_t n_ev = 0;
	facts_job fj = {.root = crmf_repository_root(r), .today = o->today};
	pthread_t th, saver;
	bool threaded, saving, grouped;
	int rc;

	*out = NULL;
	if (crmf_repository_config(&cfg, r) != 0)
		return -1;
	rep = xcalloc(1, sizeof(*rep));
	rep->since = o->since;
	rep->until = o->until;
	rep->owner = o->owner;
	/* the files and history at once: a first report walks history on one
	 * core while the files are read (or parsed, where the validation cache
	 * does not know them) on the others */
	atomic_init(&fj.read_ahead, false);
	atomic_init(&fj.walked, false);
	threaded = pthread_create(&th, NULL, facts_main, &fj) == 0;
	if (!threaded)
		facts_main(&fj);
	/* a walk to come (not said before the files are read: no read ahead) */
	if (!crmf_repository_changes_ready(r))
		atomic_store(&fj.read_ahead, true);
	rc = crmf_repository_changes_deferred(&ch, &rep->walked, r);
	atomic_store(&fj.walked, true);
	/* grouped while the files are still being read, unless the walk left
	 * versions aside (their events come with crmf_repository_changes_finish) */
	grouped = rc == 0 && !crmf_changes_unfinished(ch);
	if (grouped) {
		n_ev = crmf_changes_events(&ev, ch);
		by_id_build(&x.hist, ev, n_ev);
	}
	if (threaded)
		pthread_join(th, NULL);
	/* the versions the walk left aside: most are what the files say now */
	if (rc == 0 && fj.rc == 0)
		rc = crmf_repository_changes_finish(r, fj.wt);
	crmf_worktree_free(fj.wt);
	free(fj.paths);
	if (rc != 0 || fj.rc != 0) {
		if (rc == 0)
			crmf_error_set("%s", fj.error);
		crmf_facts_free(&fj.f);
		by_id_release(&x.hist);
		free(fj.error);
		free(rep);
		return -1;
	}
	if (!grouped) {
		n_ev = crmf_changes_events(&ev, ch);
		by_id_build(&x.hist, ev, n_ev);
	}
	/* the index written while the figures are made (both only read the events) */
	saving = pthread_create(&saver, NULL, save_main, r) == 0;
	if (!saving)
		crmf_repository_changes_save(r);
	x.v = fj.f.v;
	x.n = fj.f.n;
	rep->history = n_ev > 0;
	x.cfg = cfg; /* the handle's: it outlives the report, which points into it */
	x.memo = xcalloc(1, sizeof(*x.memo));
	x.buf = &buf;
	prepare(&x);
	figures(rep, &x, o->owner, true);
	goals(rep, &x, o->owner, cfg);
	if (saving)
		pthread_join(saver, NULL);
	xfree_table(x.ci, x.n + 1, sizeof(*x.ci));
	for (int t = 0; t < N_NAMES; t++)
		strtab_release(&x.names[t]);
	for (int p = 0; p < 16; p++)
		xfree_table(x.fu[p], x.fu_cap[p], sizeof(cfu));
	free(buf.f);
	free(buf.d);
	free(x.memo);
	xfree_table(x.at_until, x.n + 1, sizeof(*x.at_until));
	xfree_table(x.at_before, x.n + 1, sizeof(*x.at_before));
	crmf_facts_free(&fj.f);
	by_id_release(&x.hist);
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
