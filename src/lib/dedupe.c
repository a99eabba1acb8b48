/* SPDX-License-Identifier: MIT */
/* Probable duplicate customers: blocking keys, pairs scored with their evidence, groups. */
#include "crmf/dedupe.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "company.h"
#include "crmf/scan.h"
#include "crmf/crypt.h"
#include "util.h"
#include "values.h"

/* Mail services anyone can sign up to: sharing one says nothing. */
static const char *const public_domains[] = {
	"qq.com",	  "vip.qq.com",	 "foxmail.com",	 "163.com",	"vip.163.com", "126.com",
	"yeah.net",	  "sina.com",	 "sina.cn",	 "vip.sina.com", "sohu.com",   "tom.com",
	"21cn.com",	  "139.com",	 "189.cn",	 "wo.cn",	"aliyun.com",  "gmail.com",
	"googlemail.com", "outlook.com", "hotmail.com",	 "live.com",	"msn.com",     "yahoo.com",
	"icloud.com",	  "me.com",	 "proton.me",	 "protonmail.com", "mail.com", "263.net",
	"example.com",	  "example.cn",
};

/* A phone or an email of a customer: as written, and its key. */
struct dd_val {
	char *raw, *key;
};

/* What dedupe keeps of a customer: extracted in the scan's workers. */
struct dd_cust {
	crmf_dedupe_customer c;
	crmf_company name;
	struct dd_val *phones, *emails;
	size_t n_phones, n_emails;
	char **contacts; /* contact names, spaces dropped */
	size_t n_contacts;
};

static bool public_domain(const char *d)
{
	for (size_t i = 0; i < COUNT(public_domains); i++)
		if (strcmp(d, public_domains[i]) == 0)
			return true;
	return false;
}

static const char *domain_of(const char *email)
{
	const char *at = strrchr(email, '@');

	return at && at[1] ? at + 1 : NULL;
}

static char *lower_dup(const char *s)
{
	char *d = xstrdup(s);

	for (char *p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

/* A contact's name without spaces (张 伟 = 张伟), case folded. */
static char *person_key(const char *s)
{
	char *d = xmalloc(strlen(s) + 1), *o = d;

	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			*o++ = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
	*o = '\0';
	return d;
}

static struct dd_cust *extract(const crmf_customer *c)
{
	struct dd_cust *d = xcalloc(1, sizeof(*d));

	d->c.id = c->id ? xstrdup(c->id) : NULL;
	d->c.name = c->name ? xstrdup(c->name) : NULL;
	d->c.owner = c->owner ? xstrdup(c->owner) : NULL;
	d->c.path = xstrdup(c->path);
	d->c.archived = c->archived;
	crmf_company_parse(&d->name, c->name ? c->name : "");
	d->phones = xcalloc(c->n_contacts + 1, sizeof(*d->phones));
	d->emails = xcalloc(c->n_contacts + 1, sizeof(*d->emails));
	d->contacts = xcalloc(c->n_contacts + 1, sizeof(*d->contacts));
	for (size_t i = 0; i < c->n_contacts; i++) {
		const crmf_contact *ct = &c->contacts[i];
		char key[64];

		/* encrypted (crmf.yaml confidential:): compared by their keyed hashes */
		if (ct->phone && crmf_token_like(ct->phone) && crmf_token_dup_key(key, ct->phone)) {
			d->phones[d->n_phones].raw = xstrdup(CRMF_CRYPT_MASK);
			d->phones[d->n_phones++].key = xstrdup(key);
		} else if (ct->phone && strlen(ct->phone) <= 64 &&
			   crmf_phone_key_text(key, ct->phone)) {
			d->phones[d->n_phones].raw = xstrdup(ct->phone);
			d->phones[d->n_phones++].key = xstrdup(key);
		}
		if (ct->email && crmf_token_like(ct->email) && crmf_token_dup_key(key, ct->email)) {
			d->emails[d->n_emails].raw = xstrdup(CRMF_CRYPT_MASK);
			d->emails[d->n_emails++].key = xstrdup(key);
		} else if (ct->email && strchr(ct->email, '@')) {
			d->emails[d->n_emails].raw = xstrdup(ct->email);
			d->emails[d->n_emails++].key = lower_dup(ct->email);
		}
		if (ct->name) {
			char *k = person_key(ct->name);

			if (crmf_company_chars(k, strlen(k)) >= 2)
				d->contacts[d->n_contacts++] = k;
			else
				free(k);
		}
	}
	return d;
}

static void cust_free(struct dd_cust *d)
{
	if (!d)
		return;
	crmf_company_release(&d->name);
	for (size_t i = 0; i < d->n_phones; i++)
		free(d->phones[i].raw), free(d->phones[i].key);
	for (size_t i = 0; i < d->n_emails; i++)
		free(d->emails[i].raw), free(d->emails[i].key);
	for (size_t i = 0; i < d->n_contacts; i++)
		free(d->contacts[i]);
	free(d->phones);
	free(d->emails);
	free(d->contacts);
	free(d);
}

/* ---- the customers, collected by the scan's workers ---- */

struct collect {
	pthread_mutex_t lock;
	struct dd_cust **v;
	size_t n, cap;
	crmf_dedupe_scope scope;
};

static void collect_add(struct collect *k, struct dd_cust *d)
{
	pthread_mutex_lock(&k->lock);
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 256;
		k->v = xrealloc(k->v, k->cap * sizeof(*k->v));
	}
	k->v[k->n++] = d;
	pthread_mutex_unlock(&k->lock);
}

/* Keeps nothing: the keys are taken here, in the worker, while the
 * document is at hand. */
static bool keep_keys(void *ctx, const crmf_customer *c, const crmf_config *cfg)
{
	struct collect *k = ctx;

	(void)cfg;
	if ((k->scope == CRMF_DEDUPE_ACTIVE && c->archived) ||
	    (k->scope == CRMF_DEDUPE_ARCHIVED && !c->archived))
		return false;
	collect_add(k, extract(c));
	return false;
}

static int by_path(const void *a, const void *b)
{
	const struct dd_cust *x = *(struct dd_cust *const *)a, *y = *(struct dd_cust *const *)b;

	return strcmp(x->c.path, y->c.path);
}

/* ---- blocking ---- */

struct bkey {
	uint64_t h;
	uint32_t who;
};

static int by_hash(const void *a, const void *b)
{
	const struct bkey *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->who < y->who ? -1 : x->who > y->who;
}

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct keys {
	struct bkey *v;
	size_t n, cap;
};

static void key_add(struct keys *k, char kind, const char *s, size_t len, uint32_t who)
{
	char buf[512];
	uint64_t h;

	if (len + 1 > sizeof(buf))
		len = sizeof(buf) - 1;
	buf[0] = kind;
	memcpy(buf + 1, s, len);
	h = hash_bytes(buf, len + 1);
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 1024;
		k->v = xrealloc(k->v, k->cap * sizeof(*k->v));
	}
	k->v[k->n++] = (struct bkey){h, who};
}

/* The blocking keys of customer `who`. */
static void block_keys(struct keys *k, const struct dd_cust *d, uint32_t who)
{
	const crmf_company *nm = &d->name;

	if (crmf_company_chars(nm->text, nm->core) >= 2)
		key_add(k, 'n', nm->text, nm->core, who);
	for (size_t i = 0; i < d->n_phones; i++)
		key_add(k, 'p', d->phones[i].key, strlen(d->phones[i].key), who);
	for (size_t i = 0; i < d->n_emails; i++) {
		const char *dom = domain_of(d->emails[i].key);

		key_add(k, 'e', d->emails[i].key, strlen(d->emails[i].key), who);
		if (dom && !public_domain(dom))
			key_add(k, 'd', dom, strlen(dom), who);
	}
}

/* ---- scoring ---- */

struct evs {
	crmf_evidence *v;
	size_t n;
};

static crmf_evidence *ev_add(struct evs *e, crmf_evidence_kind kind, double w, const char *a,
			     const char *b)
{
	crmf_evidence *x;

	e->v = xrealloc(e->v, (e->n + 1) * sizeof(*e->v));
	x = &e->v[e->n++];
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->weight = w;
	x->a = xstrdup(a ? a : "");
	x->b = xstrdup(b ? b : "");
	return x;
}

static void name_evidence(struct evs *e, const struct dd_cust *x, const struct dd_cust *y)
{
	const crmf_company *a = &x->name, *b = &y->name;
	double w;
	crmf_evidence *ev;

	if (!a->len || !b->len || a->core != b->core || memcmp(a->text, b->text, a->core) != 0 ||
	    crmf_company_chars(a->text, a->core) < 2)
		return;
	if (a->len == b->len && memcmp(a->text, b->text, a->len) == 0)
		w = 0.8;
	else if (a->core == a->len || b->core == b->len)
		w = 0.7;
	else
		w = 0.35;
	ev = ev_add(e, CRMF_EVIDENCE_NAME, w, x->c.name, y->c.name);
	ev->key = xstrdup(a->len <= b->len ? a->text : b->text);
	if (a->place[0] && b->place[0] && a->city == b->city && strcmp(a->place, b->place) != 0) {
		ev->weight = w / 2;
		ev->note = xasprintf(a->city ? crmf_tr("cities differ: %s / %s")
					     : crmf_tr("provinces differ: %s / %s"),
				     a->place, b->place);
	}
}

/* The evidence that x and y are one company, and its score. */
static double score(struct evs *e, const struct dd_cust *x, const struct dd_cust *y)
{
	double keep = 1;
	bool email = false;

	name_evidence(e, x, y);
	for (size_t i = 0, found = 0; i < x->n_phones && !found; i++)
		for (size_t j = 0; j < y->n_phones && !found; j++)
			if (strcmp(x->phones[i].key, y->phones[j].key) == 0) {
				crmf_evidence *ev = ev_add(e, CRMF_EVIDENCE_PHONE, 0.7,
							   x->phones[i].raw, y->phones[j].raw);

				ev->key = xstrdup(x->phones[i].key);
				found = 1;
			}
	for (size_t i = 0; i < x->n_emails && !email; i++)
		for (size_t j = 0; j < y->n_emails && !email; j++)
			if (strcmp(x->emails[i].key, y->emails[j].key) == 0) {
				ev_add(e, CRMF_EVIDENCE_EMAIL, 0.7, x->emails[i].raw,
				       y->emails[j].raw);
				email = true;
			}
	for (size_t i = 0, found = email; i < x->n_emails && !found; i++) {
		const char *da = domain_of(x->emails[i].key);

		if (!da || public_domain(da))
			continue;
		for (size_t j = 0; j < y->n_emails && !found; j++) {
			const char *db = domain_of(y->emails[j].key);

			if (db && strcmp(da, db) == 0) {
				ev_add(e, CRMF_EVIDENCE_DOMAIN, 0.5, x->emails[i].raw,
				       y->emails[j].raw)
					->key = xstrdup(da);
				found = 1;
			}
		}
	}
	for (size_t i = 0, found = 0; i < x->n_contacts && !found; i++)
		for (size_t j = 0; j < y->n_contacts && !found; j++)
			if (strcmp(x->contacts[i], y->contacts[j]) == 0) {
				ev_add(e, CRMF_EVIDENCE_CONTACT, 0.2, x->contacts[i],
				       y->contacts[j]);
				found = 1;
			}
	for (size_t i = 0; i < e->n; i++)
		keep *= 1 - e->v[i].weight;
	if (e->n && x->c.owner && y->c.owner && strcmp(x->c.owner, y->c.owner) != 0)
		ev_add(e, CRMF_EVIDENCE_OWNER, 0, x->c.owner, y->c.owner);
	return round((1 - keep) * 100) / 100;
}

static void evs_release(struct evs *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].a);
		free(e->v[i].b);
		free(e->v[i].key);
		free(e->v[i].note);
	}
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

/* ---- groups ---- */

static size_t uf_find(size_t *up, size_t i)
{
	while (up[i] != i)
		i = up[i] = up[up[i]];
	return i;
}

static int group_order(const void *a, const void *b)
{
	const crmf_dedupe_group *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->members[0] < y->members[0] ? -1 : x->members[0] > y->members[0];
}

static int pair_order(const void *a, const void *b)
{
	const crmf_dedupe_pair *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	return x->b < y->b ? -1 : x->b > y->b;
}

static void make_groups(crmf_dedupe *d)
{
	size_t *up = xmalloc((d->n_customers + 1) * sizeof(*up));
	size_t *gid = xmalloc((d->n_customers + 1) * sizeof(*gid));
	size_t *old_to_new;

	for (size_t i = 0; i < d->n_customers; i++)
		up[i] = i, gid[i] = SIZE_MAX;
	for (size_t i = 0; i < d->n_pairs; i++) {
		size_t a = uf_find(up, d->pairs[i].a), b = uf_find(up, d->pairs[i].b);

		if (a != b)
			up[a > b ? a : b] = a < b ? a : b;
	}
	for (size_t i = 0; i < d->n_pairs; i++)
		for (int s = 0; s < 2; s++) {
			size_t m = s ? d->pairs[i].b : d->pairs[i].a, r = uf_find(up, m);

			if (gid[r] == SIZE_MAX) {
				gid[r] = d->n_groups++;
				d->groups = xrealloc(d->groups, d->n_groups * sizeof(*d->groups));
				memset(&d->groups[gid[r]], 0, sizeof(*d->groups));
			}
		}
	/* members in path order: customers are in path order already */
	for (size_t m = 0; m < d->n_customers; m++) {
		size_t r = uf_find(up, m);
		crmf_dedupe_group *g;

		if (gid[r] == SIZE_MAX)
			continue;
		g = &d->groups[gid[r]];
		g->members = xrealloc(g->members, (g->n + 1) * sizeof(*g->members));
		g->members[g->n++] = m;
	}
	for (size_t i = 0; i < d->n_pairs; i++) {
		crmf_dedupe_group *g = &d->groups[gid[uf_find(up, d->pairs[i].a)]];

		d->pairs[i].group = gid[uf_find(up, d->pairs[i].a)];
		if (d->pairs[i].score > g->score)
			g->score = d->pairs[i].score;
	}
	/* number the groups in their final order: each carries its old number
	 * through the sort in the slot after its members */
	for (size_t i = 0; i < d->n_groups; i++) {
		crmf_dedupe_group *g = &d->groups[i];

		g->members = xrealloc(g->members, (g->n + 1) * sizeof(*g->members));
		g->members[g->n] = i;
	}
	if (d->n_groups > 1)
		qsort(d->groups, d->n_groups, sizeof(*d->groups), group_order);
	old_to_new = xmalloc((d->n_groups + 1) * sizeof(*old_to_new));
	for (size_t i = 0; i < d->n_groups; i++)
		old_to_new[d->groups[i].members[d->groups[i].n]] = i;
	for (size_t i = 0; i < d->n_pairs; i++)
		d->pairs[i].group = old_to_new[d->pairs[i].group];
	if (d->n_pairs > 1)
		qsort(d->pairs, d->n_pairs, sizeof(*d->pairs), pair_order);
	free(old_to_new);
	free(gid);
	free(up);
}

/* ---- the whole ---- */

static int dedupe_of(crmf_dedupe **out, struct dd_cust **v, size_t n, const crmf_dedupe_opts *opts)
{
	crmf_dedupe *d = xcalloc(1, sizeof(*d));
	double min = opts && opts->min_score >= 0 ? opts->min_score : CRMF_DEDUPE_MIN_SCORE;
	struct keys k = {0};
	uint64_t *pairs = NULL;
	size_t np = 0, cap = 0;

	d->customers = xcalloc(n + 1, sizeof(*d->customers));
	d->n_customers = n;
	for (size_t i = 0; i < n; i++) {
		d->customers[i] = v[i]->c;
		block_keys(&k, v[i], (uint32_t)i);
	}
	if (k.n > 1)
		qsort(k.v, k.n, sizeof(*k.v), by_hash);
	for (size_t i = 0, j; i < k.n; i = j) {
		for (j = i + 1; j < k.n && k.v[j].h == k.v[i].h; j++)
			;
		if (j - i < 2 || j - i > CRMF_DEDUPE_BLOCK)
			continue;
		for (size_t a = i; a < j; a++)
			for (size_t b = a + 1; b < j; b++) {
				if (k.v[a].who == k.v[b].who)
					continue;
				if (np == cap) {
					cap = cap ? cap * 2 : 256;
					pairs = xrealloc(pairs, cap * sizeof(*pairs));
				}
				pairs[np++] = (uint64_t)k.v[a].who << 32 | k.v[b].who;
			}
	}
	free(k.v);
	if (np > 1)
		qsort(pairs, np, sizeof(*pairs), by_u64);
	for (size_t i = 0; i < np; i++) {
		struct evs e = {0};
		size_t a = (size_t)(pairs[i] >> 32), b = (size_t)(pairs[i] & 0xFFFFFFFFu);
		double s;

		if (i && pairs[i] == pairs[i - 1])
			continue;
		d->compared++;
		s = score(&e, v[a], v[b]);
		if (s < min || s <= 0) {
			evs_release(&e);
			continue;
		}
		d->pairs = xrealloc(d->pairs, (d->n_pairs + 1) * sizeof(*d->pairs));
		d->pairs[d->n_pairs++] = (crmf_dedupe_pair){a, b, s, 0, e.v, e.n};
	}
	free(pairs);
	make_groups(d);
	*out = d;
	return 0;
}

/* The customer parts dedupe_of moved into the result are not freed here. */
static void cust_free_moved(struct dd_cust *d)
{
	memset(&d->c, 0, sizeof(d->c));
	cust_free(d);
}

int crmf_dedupe_repo(crmf_dedupe **out, const char *root, const crmf_dedupe_opts *opts)
{
	struct collect k = {.scope = opts ? opts->scope : CRMF_DEDUPE_ALL};
	crmf_scan_opts so = {0};
	crmf_repo *repo = NULL;
	crmf_diags diags;
	int rc;

	*out = NULL;
	pthread_mutex_init(&k.lock, NULL);
	so.mode = CRMF_SCAN_DOCS;
	so.no_cache = true; /* every document is parsed: the cache would save nothing */
	so.today = opts && opts->today != CRMF_NO_DAY && opts->today ? opts->today
								     : crmf_date_today();
	so.threads = opts ? opts->threads : 0;
	so.keep = keep_keys;
	so.keep_ctx = &k;
	crmf_diags_init(&diags);
	rc = crmf_repo_load(&repo, root, &so, &diags);
	crmf_diags_release(&diags);
	crmf_repo_free(repo);
	pthread_mutex_destroy(&k.lock);
	if (rc == 0) {
		if (k.n > 1)
			qsort(k.v, k.n, sizeof(*k.v), by_path);
		rc = dedupe_of(out, k.v, k.n, opts);
	}
	for (size_t i = 0; i < k.n; i++) {
		if (rc == 0)
			cust_free_moved(k.v[i]);
		else
			cust_free(k.v[i]);
	}
	free(k.v);
	return rc;
}

int crmf_dedupe_customers(crmf_dedupe **out, crmf_customer *const *customers, size_t n,
			  const crmf_dedupe_opts *opts)
{
	struct dd_cust **v = xcalloc(n + 1, sizeof(*v));
	int rc;

	for (size_t i = 0; i < n; i++)
		v[i] = extract(customers[i]);
	if (n > 1)
		qsort(v, n, sizeof(*v), by_path);
	rc = dedupe_of(out, v, n, opts);
	for (size_t i = 0; i < n; i++)
		cust_free_moved(v[i]);
	free(v);
	return rc;
}

void crmf_dedupe_free(crmf_dedupe *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_customers; i++) {
		free(d->customers[i].id);
		free(d->customers[i].name);
		free(d->customers[i].owner);
		free(d->customers[i].path);
	}
	for (size_t i = 0; i < d->n_pairs; i++) {
		struct evs e = {d->pairs[i].evidence, d->pairs[i].n_evidence};

		evs_release(&e);
	}
	for (size_t i = 0; i < d->n_groups; i++)
		free(d->groups[i].members);
	free(d->customers);
	free(d->pairs);
	free(d->groups);
	free(d);
}

const char *crmf_evidence_kind_name(crmf_evidence_kind k)
{
	static const char *const names[] = {"name", "phone", "email", "domain", "contact", "owner"};

	return (size_t)k < COUNT(names) ? names[k] : "?";
}

char *crmf_dedupe_name_key(const char *name, size_t *core)
{
	crmf_company c;

	crmf_company_parse(&c, name ? name : "");
	if (core)
		*core = c.core;
	return c.text;
}
