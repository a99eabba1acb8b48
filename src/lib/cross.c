/* SPDX-License-Identifier: MIT */
/* The checks across files: duplicate ids, names, phones and emails, over compact keys of every customer. */
#include "cross.h"

#include <stdlib.h>
#include <string.h>

#include "crmf/cache.h"
#include "crmf/check.h"
#include "company.h"
#include "crmf/crypt.h"
#include "util.h"
#include "values.h"

/* One customer as a first holder of keys: named in later findings. */
struct xcust {
	const char *id, *path;
	size_t who;
	uint32_t place;
};

/* Ids live in large chunks: no allocation per customer. */
struct xchunk {
	struct xchunk *next;
	size_t used, cap;
	char data[];
};

/* An open-addressing table from a 96-bit key hash to the first customer
 * that had the key; it grows to stay at most 70% full. */
struct xslot {
	uint64_t h;
	uint32_t tag, owner;
};

struct xtab {
	struct xslot *v; /* h == 0 && tag == 0: empty */
	size_t mask, n;
};

struct crmf_cross {
	struct xcust *c;
	size_t n, cap;
	struct xchunk *chunks;
	struct xtab names, phones, emails;
	uint32_t *ids; /* customer + 1 per slot (0: empty), by the hash of the id */
	size_t ids_mask;
	crmf_cross_report report;
	void *ctx;
};

crmf_cross *crmf_cross_new(crmf_cross_report report, void *ctx)
{
	crmf_cross *x = xcalloc(1, sizeof(*x));

	x->report = report;
	x->ctx = ctx;
	return x;
}

void crmf_cross_free(crmf_cross *x)
{
	struct xchunk *ch, *next;

	if (!x)
		return;
	for (ch = x->chunks; ch; ch = next) {
		next = ch->next;
		free(ch);
	}
	free(x->c);
	xfree_table(x->names.v, x->names.v ? x->names.mask + 1 : 0, sizeof(*x->names.v));
	xfree_table(x->phones.v, x->phones.v ? x->phones.mask + 1 : 0, sizeof(*x->phones.v));
	xfree_table(x->emails.v, x->emails.v ? x->emails.mask + 1 : 0, sizeof(*x->emails.v));
	xfree_table(x->ids, x->ids ? x->ids_mask + 1 : 0, sizeof(*x->ids));
	free(x);
}

static const char *xstr(crmf_cross *x, const char *s)
{
	size_t n;
	struct xchunk *ch = x->chunks;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	if (!ch || ch->cap - ch->used < n) {
		size_t cap = n > 65536 ? n : 65536;

		ch = xmalloc(sizeof(*ch) + cap);
		ch->used = 0;
		ch->cap = cap;
		ch->next = x->chunks;
		x->chunks = ch;
	}
	memcpy(ch->data + ch->used, s, n);
	ch->used += n;
	return ch->data + ch->used - n;
}

static crmf_cross_key key_of(const char *s, size_t len)
{
	crmf_hash h = crmf_hash_bytes((crmf_hash){0, 0}, s, len);
	crmf_cross_key k = {h.a, (uint32_t)h.b};

	if (!k.h && !k.tag)
		k.tag = 1; /* all zero means "no key" */
	return k;
}

static bool no_key(crmf_cross_key k)
{
	return !k.h && !k.tag;
}

crmf_cross_key crmf_cross_company_key(const char *name, uint32_t *place)
{
	crmf_company c;
	crmf_cross_key k = {0, 0};

	crmf_company_parse(&c, name);
	if (c.len)
		k = key_of(c.text, c.len);
	/* the place's hash, never 0, its top bit saying whether it is a city */
	*place = c.place[0] ? ((uint32_t)hash_bytes(c.place, strlen(c.place)) & 0x7FFFFFFEu) | 1u |
				      (c.city ? 0x80000000u : 0)
			    : 0;
	crmf_company_release(&c);
	return k;
}

/* Do two names name different places of one kind (杭州 / 苏州)? */
bool crmf_cross_places_differ(uint32_t a, uint32_t b)
{
	return a && b && a != b && (a >> 31) == (b >> 31);
}

/* An encrypted value's key: its epoch and keyed hash, so that equal values
 * are found without reading them (crypt.c). */
static crmf_cross_key token_key(const char *v)
{
	char key[64];
	size_t n = crmf_token_dup_key(key, v);

	return n ? key_of(key, n) : (crmf_cross_key){0, 0};
}

crmf_cross_key crmf_cross_phone_key(const char *phone)
{
	char key[24];
	size_t n;

	if (crmf_token_like(phone))
		return token_key(phone);
	n = crmf_phone_key_text(key, phone);

	return n ? key_of(key, n) : (crmf_cross_key){0, 0};
}

static void xtab_resize(struct xtab *t, size_t cap)
{
	struct xtab old = *t;

	t->v = xcalloc_table(cap, sizeof(*t->v));
	t->mask = cap - 1;
	for (size_t i = 0; old.v && i <= old.mask; i++) {
		size_t j;

		if (!old.v[i].h && !old.v[i].tag)
			continue;
		for (j = (size_t)old.v[i].h & t->mask; t->v[j].h || t->v[j].tag; j = (j + 1) & t->mask)
			;
		t->v[j] = old.v[i];
	}
	xfree_table(old.v, old.v ? old.mask + 1 : 0, sizeof(*old.v));
}

static void xtab_grow(struct xtab *t)
{
	xtab_resize(t, t->v ? (t->mask + 1) * 2 : 256);
}

/* The smallest table that holds n keys without growing. */
static size_t xtab_room(size_t n)
{
	size_t cap = 256;

	while (n * 10 > cap * 7)
		cap *= 2;
	return cap;
}

void crmf_cross_reserve(crmf_cross *x, size_t n)
{
	size_t cap = xtab_room(n);

	if (x->n || x->ids) /* started, or reserved already */
		return;
	x->cap = n ? n : 1;
	x->c = xrealloc(x->c, x->cap * sizeof(*x->c));
	x->ids = xcalloc_table(cap, sizeof(*x->ids));
	x->ids_mask = cap - 1;
	xtab_resize(&x->names, cap);
	/* most customers have a phone and an email or two */
	xtab_resize(&x->phones, cap);
	xtab_resize(&x->emails, cap);
}

/* The first customer that had key k, or `owner` after recording it as such. */
static uint32_t xtab_put(struct xtab *t, crmf_cross_key k, uint32_t owner)
{
	size_t i;

	if (!t->v || (t->n + 1) * 10 > (t->mask + 1) * 7)
		xtab_grow(t);
	for (i = (size_t)k.h & t->mask; t->v[i].h || t->v[i].tag; i = (i + 1) & t->mask)
		if (t->v[i].h == k.h && t->v[i].tag == k.tag)
			return t->v[i].owner;
	t->v[i].h = k.h;
	t->v[i].tag = k.tag;
	t->v[i].owner = owner;
	t->n++;
	return owner;
}

/* The first customer with this id, or `owner` after recording it: ids are
 * compared whole. */
static uint32_t ids_put(crmf_cross *x, const char *id, uint32_t owner)
{
	size_t i;

	if (!x->ids || (x->n + 1) * 10 > (x->ids_mask + 1) * 7) {
		size_t cap = x->ids ? (x->ids_mask + 1) * 2 : 256;
		uint32_t *old = x->ids;
		size_t old_mask = x->ids_mask;

		x->ids = xcalloc_table(cap, sizeof(*x->ids));
		x->ids_mask = cap - 1;
		for (size_t j = 0; old && j <= old_mask; j++) {
			if (!old[j])
				continue;
			for (i = (size_t)hash_bytes(x->c[old[j] - 1].id, strlen(x->c[old[j] - 1].id)) &
				 x->ids_mask;
			     x->ids[i]; i = (i + 1) & x->ids_mask)
				;
			x->ids[i] = old[j];
		}
		xfree_table(old, old ? old_mask + 1 : 0, sizeof(*old));
	}
	for (i = (size_t)hash_bytes(id, strlen(id)) & x->ids_mask; x->ids[i];
	     i = (i + 1) & x->ids_mask)
		if (strcmp(x->c[x->ids[i] - 1].id, id) == 0)
			return x->ids[i] - 1;
	x->ids[i] = owner + 1;
	return owner;
}

char *crmf_cross_message(crmf_rule rule, const char *value, const char *first_id,
			 const char *first_path)
{
	const char *path = first_path ? first_path : "?";
	char *other, *msg;

	if (rule == CRMF_RULE_DUPLICATE_ID)
		return xasprintf(crmf_tr("duplicate id '%s': also the id of %s; give each customer "
					 "its own id"),
				 value, path);
	/* "customer 'C2024001' (customers/C2024001.yaml)", or the path alone */
	other = first_id ? xasprintf(crmf_tr("customer '%s' (%s)"), first_id, path) : xstrdup(path);
	if (rule == CRMF_RULE_PROBABLE_DUPLICATE)
		msg = xasprintf(crmf_tr("company name '%s' is the same as that of %s; merge the two "
					"files if they are one company"),
				value, other);
	else if (rule == CRMF_RULE_SHARED_PHONE)
		msg = xasprintf(crmf_tr("phone '%s' is also a contact of %s; merge the two files if "
					"they are one company"),
				crmf_token_like(value) ? CRMF_CRYPT_MASK : value, other);
	else
		msg = xasprintf(crmf_tr("email '%s' is also a contact of %s; merge the two files if "
					"they are one company"),
				crmf_token_like(value) ? CRMF_CRYPT_MASK : value, other);
	free(other);
	return msg;
}

static void found(crmf_cross *x, crmf_severity sev, int line, int col, crmf_rule rule,
		  const char *value, const struct xcust *first)
{
	const struct xcust *c = &x->c[x->n - 1];
	char *msg = crmf_cross_message(rule, value, first->id, first->path);

	x->report(x->ctx, c->who, c->path, sev, line, col, crmf_rule_name(rule), msg);
	free(msg);
}

void crmf_cross_begin(crmf_cross *x, size_t who, const char *path, const char *id, int id_line,
		      int id_col, const char *name, crmf_cross_key name_key, uint32_t name_place,
		      int name_line, int name_col)
{
	uint32_t me, first;
	struct xcust *c;

	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 256;
		x->c = xrealloc(x->c, x->cap * sizeof(*x->c));
	}
	me = (uint32_t)x->n;
	c = &x->c[x->n++];
	c->who = who;
	c->path = path;
	c->id = xstr(x, id);
	c->place = name_place;
	if (id && (first = ids_put(x, c->id, me)) != me) {
		char *msg = crmf_cross_message(CRMF_RULE_DUPLICATE_ID, id, NULL, x->c[first].path);

		x->report(x->ctx, who, path, CRMF_SEV_ERROR, id_line ? id_line : 1,
			  id_line ? id_col : 1, "duplicate-id", msg);
		free(msg);
	}
	if (name && !no_key(name_key) && (first = xtab_put(&x->names, name_key, me)) != me &&
	    !crmf_cross_places_differ(x->c[first].place, name_place))
		found(x, CRMF_SEV_WARNING, name_line ? name_line : 1, name_line ? name_col : 1,
		      CRMF_RULE_PROBABLE_DUPLICATE, name, &x->c[first]);
}

void crmf_cross_prefetch(crmf_cross *x, const char *id, crmf_cross_key name_key)
{
	if (id && x->ids)
		__builtin_prefetch(&x->ids[hash_bytes(id, strlen(id)) & x->ids_mask]);
	if (!no_key(name_key) && x->names.v)
		__builtin_prefetch(&x->names.v[name_key.h & x->names.mask]);
}

void crmf_cross_prefetch_phone(crmf_cross *x, crmf_cross_key key)
{
	if (!no_key(key) && x->phones.v)
		__builtin_prefetch(&x->phones.v[key.h & x->phones.mask]);
}

void crmf_cross_phone(crmf_cross *x, const char *phone, crmf_cross_key key, int line, int col)
{
	uint32_t me = (uint32_t)x->n - 1, first;

	if (!x->n || no_key(key))
		return;
	if ((first = xtab_put(&x->phones, key, me)) != me)
		found(x, CRMF_SEV_WARNING, line, col, CRMF_RULE_SHARED_PHONE, phone, &x->c[first]);
}

crmf_cross_key crmf_cross_email_key(const char *email)
{
	char stack[256] = "";
	size_t len = strlen(email);
	char *key;
	crmf_cross_key k;

	if (crmf_token_like(email))
		return token_key(email);
	key = len < sizeof(stack) ? stack : xmalloc(len + 1);

	for (size_t b = 0; b < len; b++)
		key[b] = email[b] >= 'A' && email[b] <= 'Z' ? (char)(email[b] - 'A' + 'a') : email[b];
	k = key_of(key, len);
	if (key != stack)
		free(key);
	return k;
}

crmf_cross_key crmf_cross_id_key(const char *id)
{
	return key_of(id, strlen(id));
}

void crmf_cross_email(crmf_cross *x, const char *email, int line, int col)
{
	uint32_t me = (uint32_t)x->n - 1, first;

	if (!x->n)
		return;
	first = xtab_put(&x->emails, crmf_cross_email_key(email), me);
	if (first != me)
		found(x, CRMF_SEV_WARNING, line, col, CRMF_RULE_SHARED_EMAIL, email, &x->c[first]);
}

static void report_to_customers(void *ctx, size_t who, const char *path, crmf_severity sev,
				int line, int col, const char *rule, const char *message)
{
	void **a = ctx;
	crmf_customer *const *cs = a[0];

	crmf_diags_add(a[1], sev, path, line, col, rule, "%s", message);
	if (sev == CRMF_SEV_ERROR)
		cs[who]->errors++;
}

void crmf_check_cross(crmf_customer *const *cs, size_t n, crmf_diags *diags)
{
	void *ctx[2] = {(void *)cs, diags};
	crmf_cross *x = crmf_cross_new(report_to_customers, ctx);

	for (size_t i = 0; i < n; i++) {
		const crmf_customer *c = cs[i];
		const crmf_node *root = c->doc ? c->doc->root : NULL;
		const crmf_node *id = crmf_node_get(root, "id"), *name = crmf_node_get(root, "name");

		uint32_t place = 0;
		crmf_cross_key key =
			c->name ? crmf_cross_company_key(c->name, &place) : (crmf_cross_key){0, 0};

		crmf_cross_begin(x, i, c->path, c->id, id ? id->line : 0, id ? id->column : 0,
				 c->name, key, place, name ? name->line : 0,
				 name ? name->column : 0);
		for (size_t j = 0; j < c->n_contacts; j++) {
			const crmf_contact *ct = &c->contacts[j];
			const crmf_node *at;

			if (ct->phone) {
				at = crmf_node_get(ct->node, "phone");
				crmf_cross_phone(x, ct->phone, crmf_cross_phone_key(ct->phone),
						 at->line, at->column);
			}
			if (ct->email) {
				at = crmf_node_get(ct->node, "email");
				crmf_cross_email(x, ct->email, at->line, at->column);
			}
		}
	}
	crmf_cross_free(x);
}
