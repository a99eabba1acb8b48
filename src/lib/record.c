/* SPDX-License-Identifier: MIT */
/* The record of a checked file: made from the typed record and diagnostics, parsed back from the cache, turned into a summary (see record.h). */
#include "record.h"

#include <pthread.h>
#include <stdlib.h>

#include "crmf/fields.h"


static void skip_deals(struct dec *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		get_i32(d);
		get_f64(d);
		get_i32(d);
	}
}

static void skip_fu(struct dec *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		get_i32(d);
		get_i32(d);
		get_i32(d);
		get_str(d, NULL);
	}
}

/* Every follow-up (see rec_make): date, minute, due, by, method, next. */
static void skip_all_fu(struct dec *d, size_t n)
{
	for (size_t i = 0; i < n && !d->bad; i++) {
		get_i32(d);
		get_i32(d);
		get_i32(d);
		get_str(d, NULL);
		get_str(d, NULL);
		get_str(d, NULL);
	}
}

static void skip_keys(struct dec *d, size_t n, bool hashed)
{
	for (size_t i = 0; i < n; i++) {
		get_str(d, NULL);
		if (hashed) {
			get_u64(d);
			get_u32(d);
		}
		get_i32(d);
		get_i32(d);
	}
}

static void skip_pairs(struct dec *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		get_str(d, NULL);
		get_str(d, NULL);
	}
}

static void skip_diags(struct dec *d, size_t n)
{
	for (size_t i = 0; i < n && !d->bad; i++) {
		get_u8(d);
		if (!get_str(d, NULL))
			d->bad = true; /* every diagnostic has a rule */
		get_i32(d);
		get_i32(d);
		get_str(d, NULL);
	}
}

/* Parse and validate a whole record; false when it is damaged. */
bool rec_view(struct view *v, const void *rec, size_t len)
{
	struct dec d = {rec, (const unsigned char *)rec + len, false};

	memset(v, 0, sizeof(*v));
	v->start = rec;
	v->flags = get_u8(&d);
	v->errors = get_u32(&d);
	if (v->flags & R_CUSTOMER) {
		v->stage = get_u8(&d);
		v->potential = get_u8(&d);
		v->grade = get_u8(&d);
		v->created = get_i32(&d);
		v->n_followups = get_u32(&d);
		v->id = get_str(&d, NULL);
		v->name = get_str(&d, NULL);
		v->industry = get_str(&d, NULL);
		v->size = get_str(&d, NULL);
		v->source = get_str(&d, NULL);
		v->owner = get_str(&d, NULL);
		v->head_end = d.p;
		v->id_line = get_i32(&d);
		v->id_col = get_i32(&d);
		v->name_line = get_i32(&d);
		v->name_col = get_i32(&d);
		v->name_key.h = get_u64(&d);
		v->name_key.tag = get_u32(&d);
		v->name_place = get_u32(&d);
		v->n_deals = get_u16(&d);
		v->deals = d.p;
		skip_deals(&d, v->n_deals);
		v->n_fu = get_u8(&d);
		v->fu = d.p;
		skip_fu(&d, v->n_fu);
		v->n_phones = get_u16(&d);
		v->phones = d.p;
		skip_keys(&d, v->n_phones, true);
		v->n_emails = get_u16(&d);
		v->emails = d.p;
		skip_keys(&d, v->n_emails, false);
		v->n_values = get_u32(&d);
		v->values = d.p;
		skip_pairs(&d, v->n_values);
		v->values_len = (size_t)(d.p - v->values);
		v->all_fu = d.p;
		skip_all_fu(&d, v->n_followups);
		v->all_fu_end = d.p;
		if (v->stage > CRMF_STAGE_LOST || v->potential > CRMF_POTENTIAL_LOW || v->n_fu > 2)
			d.bad = true;
	}
	v->n_diags = get_u32(&d);
	v->diags = d.p;
	v->end = d.end;
	skip_diags(&d, v->n_diags);
	return !d.bad && d.p == d.end;
}


/* ---- records: making one from a checked file ---- */

static bool before(int l1, int c1, int l2, int c2)
{
	return l1 < l2 || (l1 == l2 && c1 < c2);
}

/* Whether an error at line:col makes the classification unsure: it lies in a
 * field the classification depends on, or outside every field. */
static bool error_matters(const crmf_node *root, int line, int col)
{
	if (!root || root->type != CRMF_NODE_MAPPING || line <= 0)
		return true;
	for (size_t i = 0; i < root->n; i++) {
		const crmf_pair *p = &root->pairs[i];
		const crmf_node *end = p->value ? p->value : p->key;
		const crmf_field *f;

		if (before(line, col, p->key->line, p->key->column) ||
		    before(end->end_line, end->end_column, line, col))
			continue;
		/* a top-level field of the table marked CLASSIFY */
		f = crmf_field_find(p->key->value, p->key->len);
		return f && !strchr(f->path, '.') && (f->flags & CRMF_FIELD_CLASSIFY);
	}
	return true;
}

static bool unsure(const crmf_customer *c, const crmf_diags *d)
{
	if (c->errors == 0)
		return false;
	if (!c->id || c->stage == CRMF_STAGE_NONE || c->created == CRMF_NO_DAY)
		return true;
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == CRMF_SEV_ERROR &&
		    error_matters(c->doc->root, d->v[i].line, d->v[i].column))
			return true;
	return false;
}

static bool is_record_field(const char *key)
{
	switch (key[0]) {
	case 'c':
		return !strcmp(key, "contacts");
	case 'n':
		return !strcmp(key, "need");
	case 'd':
		return !strcmp(key, "deals");
	case 'f':
		return !strcmp(key, "followups");
	default:
		return false;
	}
}

/* The values of a node as `list` reads them: scalars, list items, and a
 * mapping as its source text. */
static void put_values(strbuf *b, uint32_t *n, const crmf_doc *doc, const crmf_pair *p,
		       const crmf_node *v)
{
	if (v->type == CRMF_NODE_SEQUENCE) {
		for (size_t i = 0; i < v->n; i++)
			put_values(b, n, doc, p, v->items[i]);
		return;
	}
	if (v->type == CRMF_NODE_SCALAR && crmf_node_is_null(v))
		return;
	put_strn(b, p->key->value, p->key->len);
	if (v->type == CRMF_NODE_SCALAR)
		put_strn(b, v->value, v->len);
	else
		put_strn(b, doc->src + v->start, v->end > v->start ? v->end - v->start : 0);
	++*n;
}

/* The span of today for which the file's "date in the future" warnings stay
 * as they are: between its latest date on or before today and its earliest
 * date after today. */
void rec_today_span(int32_t *lo, int32_t *hi, const crmf_customer *c, const crmf_config *cfg,
		    crmf_day today)
{
	int64_t t = today == CRMF_NO_DAY ? INT64_MAX : today;
	const crmf_member *m = c ? crmf_config_member(cfg, c->owner) : NULL;

	*lo = INT32_MIN;
	*hi = INT32_MAX;
	/* the dates, and the first day the owner is gone (the owner-left warning) */
	for (size_t i = 0; c && i <= c->n_followups + 1; i++) {
		crmf_day d = i < c->n_followups    ? c->followups[i].date
			     : i == c->n_followups ? c->created
			     : m && m->left != CRMF_NO_DAY ? m->left + 1
						  : CRMF_NO_DAY;

		if (d == CRMF_NO_DAY)
			continue;
		if (d <= t && d > *lo)
			*lo = d;
		if (d > t && d < *hi)
			*hi = d;
	}
}

static void put_diags(strbuf *b, const crmf_diags *d)
{
	put_u32(b, (uint32_t)d->n);
	for (size_t i = 0; i < d->n; i++) {
		const crmf_diag *x = &d->v[i];

		put_u8(b, (uint8_t)(x->severity | (x->path ? 0 : 0x80)));
		put_str(b, x->rule);
		put_i32(b, x->line);
		put_i32(b, x->column);
		put_str(b, x->message);
	}
}

/* The record of a checked file: `c` may be NULL (no mapping root), `d` holds
 * the file's diagnostics. */
void rec_make(strbuf *b, const crmf_customer *c, const crmf_diags *d)
{
	uint8_t flags = c ? R_CUSTOMER : 0;
	const crmf_followup *last = NULL;
	const crmf_node *root, *at;
	size_t n_deals = 0, n_phones = 0, n_emails = 0;
	uint32_t n_values = 0;
	size_t count_at;

	if (c) {
		sb_grow(b, c->doc->len + 256); /* the record is smaller than the file */
		if (unsure(c, d))
			flags |= R_UNSURE;
	}
	put_u8(b, flags);
	put_u32(b, (uint32_t)(c ? c->errors : d->errors));
	if (c) {
		root = c->doc->root;
		put_u8(b, (uint8_t)c->stage);
		put_u8(b, (uint8_t)c->potential);
		put_u8(b, (uint8_t)c->grade);
		put_i32(b, c->created);
		put_u32(b, (uint32_t)c->n_followups);
		put_str(b, c->id);
		put_str(b, c->name);
		put_str(b, c->industry);
		put_str(b, c->size);
		put_str(b, c->source);
		put_str(b, c->owner);
		at = crmf_node_get(root, "id");
		put_i32(b, at ? at->line : 0);
		put_i32(b, at ? at->column : 0);
		at = crmf_node_get(root, "name");
		put_i32(b, at ? at->line : 0);
		put_i32(b, at ? at->column : 0);
		{
			uint32_t place = 0;
			crmf_cross_key k = c->name ? crmf_cross_company_key(c->name, &place)
						   : (crmf_cross_key){0, 0};

			put_u64(b, k.h);
			put_u32(b, k.tag);
			put_u32(b, place);
		}

		for (size_t i = 0; i < c->n_deals; i++)
			n_deals += c->deals[i].signed_on != CRMF_NO_DAY && n_deals < UINT16_MAX;
		put_u16(b, n_deals);
		for (size_t i = 0, left = n_deals; i < c->n_deals && left; i++) {
			if (c->deals[i].signed_on == CRMF_NO_DAY)
				continue;
			left--;
			put_i32(b, c->deals[i].signed_on);
			put_f64(b, c->deals[i].amount);
			put_i32(b, c->deals[i].expires);
		}

		/* what crmf_classify reads of the follow-ups: the newest one (the
		 * latest date, then time, then place in the file), which holds the
		 * open next action if any, and whose date is the last contact */
		for (size_t i = 0; i < c->n_followups; i++) {
			const crmf_followup *f = &c->followups[i];

			if (!last || f->date > last->date ||
			    (f->date == last->date &&
			     (f->minute < 0 || last->minute < 0 || f->minute >= last->minute)))
				last = f;
		}
		put_u8(b, last != NULL);
		if (last) {
			bool open = last->next && *last->next;

			put_i32(b, last->date);
			put_i32(b, last->minute);
			put_i32(b, open ? last->due : CRMF_NO_DAY);
			put_str(b, open ? last->next : NULL);
		}

		for (size_t i = 0; i < c->n_contacts; i++)
			n_phones += c->contacts[i].phone != NULL && n_phones < UINT16_MAX;
		put_u16(b, n_phones);
		for (size_t i = 0, left = n_phones; i < c->n_contacts && left; i++) {
			const crmf_contact *ct = &c->contacts[i];

			if (!ct->phone)
				continue;
			left--;
			at = crmf_node_get(ct->node, "phone");
			put_str(b, ct->phone);
			{
				crmf_cross_key k = crmf_cross_phone_key(ct->phone);

				put_u64(b, k.h);
				put_u32(b, k.tag);
			}
			put_i32(b, at->line);
			put_i32(b, at->column);
		}
		for (size_t i = 0; i < c->n_contacts; i++)
			n_emails += c->contacts[i].email != NULL && n_emails < UINT16_MAX;
		put_u16(b, n_emails);
		for (size_t i = 0, left = n_emails; i < c->n_contacts && left; i++) {
			const crmf_contact *ct = &c->contacts[i];

			if (!ct->email)
				continue;
			left--;
			at = crmf_node_get(ct->node, "email");
			put_str(b, ct->email);
			put_i32(b, at->line);
			put_i32(b, at->column);
		}

		count_at = b->len;
		put_u32(b, 0);
		for (size_t i = 0; i < root->n; i++) {
			const crmf_pair *p = &root->pairs[i];

			if (p->value && !is_record_field(p->key->value))
				put_values(b, &n_values, c->doc, p, p->value);
		}
		memcpy(b->buf + count_at, &n_values, 4);

		/* every follow-up, as crmf_report reads them (a summary scan with
		 * `facts`): as many as n_followups says */
		for (size_t i = 0; i < c->n_followups; i++) {
			const crmf_followup *f = &c->followups[i];

			put_i32(b, f->date);
			put_i32(b, f->minute);
			put_i32(b, f->due);
			put_str(b, f->by);
			put_str(b, f->method);
			put_str(b, f->next);
		}
	}
	put_diags(b, d);
}

/* ---- summaries ---- */

static size_t str_room(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static const char *copy_str(char **pool, const char *s)
{
	size_t n;
	char *p = *pool;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	memcpy(p, s, n);
	*pool += n;
	return p;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* The follow-ups a summary keeps: every one with `facts`, else the two
 * crmf_classify reads. */
static size_t summary_fu(const struct view *v, bool facts)
{
	return facts ? v->n_followups : v->n_fu;
}

/* Where string `p` of the record at `from` is in its copy at `to` (NULL stays NULL). */
static const char *moved(const void *p, const unsigned char *from, char *to)
{
	return p ? to + ((const unsigned char *)p - from) : NULL;
}

/* The parts of a record a summary with facts copies: its head (up to the
 * owner) and every follow-up; the summary's texts point into the copies (a
 * report's hundred thousand customers would be a few million small copies). */
static size_t head_len(const struct view *v)
{
	return (size_t)(v->head_end - v->start);
}

static size_t fu_len(const struct view *v)
{
	return (size_t)(v->all_fu_end - v->all_fu);
}

/* The bytes of the summary of `v`. With facts, see head_len; otherwise each
 * text is copied. */
size_t rec_summary_size(const struct view *v, const char *path, bool values, bool facts)
{
	size_t n_fu = summary_fu(v, facts);
	size_t o_deals = align8(sizeof(crmf_summary));
	size_t o_fu = o_deals + align8(v->n_deals * sizeof(crmf_deal));
	size_t o_str = o_fu + align8(n_fu * sizeof(crmf_followup));
	size_t room;
	struct dec d;

	if (facts)
		return o_str + head_len(v) + fu_len(v) + str_room(path) + (values ? v->values_len : 0);
	room = str_room(v->id) + str_room(v->name) + str_room(v->industry) + str_room(v->size) +
	       str_room(v->source) + str_room(v->owner) + str_room(path) +
	       (values ? v->values_len : 0);
	/* the `next` texts of the follow-ups */
	d = (struct dec){v->fu, v->end, false};
	for (size_t i = 0; i < n_fu; i++) {
		size_t len;

		get_i32(&d);
		get_i32(&d);
		get_i32(&d);
		if (get_str(&d, &len))
			room += len + 1;
	}
	return o_str + room;
}

/* The summary, its deals and follow-ups, and its strings, built in one block
 * at `block` (aligned, summary_size bytes). */
crmf_summary *rec_summary_new(const struct view *v, const char *path, bool values, bool facts,
			      char *block)
{
	size_t n_fu = summary_fu(v, facts);
	size_t o_deals = align8(sizeof(crmf_summary));
	size_t o_fu = o_deals + align8(v->n_deals * sizeof(crmf_deal));
	size_t o_str = o_fu + align8(n_fu * sizeof(crmf_followup));
	struct dec d;
	char *pool, *copy = NULL, *fu_copy = NULL;
	crmf_summary *s;
	crmf_customer *c;

	s = (crmf_summary *)(void *)block;
	memset(s, 0, sizeof(*s));
	c = &s->c;
	pool = block + o_str;
	c->deals = (crmf_deal *)(void *)(block + o_deals);
	c->followups = (crmf_followup *)(void *)(block + o_fu);
	if (facts) {
		copy = pool;
		memcpy(copy, v->start, head_len(v));
		pool += head_len(v);
		fu_copy = pool;
		memcpy(fu_copy, v->all_fu, fu_len(v));
		pool += fu_len(v);
	}
	c->path = (char *)copy_str(&pool, path);
	c->archived = path && strncmp(path, "archive/", 8) == 0;
	c->errors = v->errors;
	if (facts) {
		c->id = moved(v->id, v->start, copy);
		c->name = moved(v->name, v->start, copy);
		c->industry = moved(v->industry, v->start, copy);
		c->size = moved(v->size, v->start, copy);
		c->source = moved(v->source, v->start, copy);
		c->owner = moved(v->owner, v->start, copy);
	} else {
		c->id = copy_str(&pool, v->id);
		c->name = copy_str(&pool, v->name);
		c->industry = copy_str(&pool, v->industry);
		c->size = copy_str(&pool, v->size);
		c->source = copy_str(&pool, v->source);
		c->owner = copy_str(&pool, v->owner);
	}
	c->created = v->created;
	c->stage = (crmf_stage)v->stage;
	c->potential = (crmf_potential)v->potential;
	c->grade = (char)v->grade;
	d = (struct dec){v->deals, v->end, false};
	for (size_t i = 0; i < v->n_deals; i++) {
		crmf_deal *x = &c->deals[c->n_deals++];

		memset(x, 0, sizeof(*x));
		x->signed_on = get_i32(&d);
		x->amount = get_f64(&d);
		x->expires = get_i32(&d);
	}
	d = (struct dec){facts ? v->all_fu : v->fu, v->end, false};
	for (size_t i = 0; i < n_fu; i++) {
		crmf_followup *f = &c->followups[c->n_followups++];

		memset(f, 0, sizeof(*f));
		f->date = get_i32(&d);
		f->minute = get_i32(&d);
		f->due = get_i32(&d);
		if (facts) {
			f->by = moved(get_str(&d, NULL), v->all_fu, fu_copy);
			f->method = moved(get_str(&d, NULL), v->all_fu, fu_copy);
			f->next = moved(get_str(&d, NULL), v->all_fu, fu_copy);
		} else {
			f->next = copy_str(&pool, get_str(&d, NULL));
		}
	}
	s->unsure = (v->flags & R_UNSURE) != 0;
	if (values) {
		memcpy(pool, v->values, v->values_len);
		s->values = pool;
		s->values_len = v->values_len;
	}
	return s;
}

const crmf_summary *crmf_summary_of(const crmf_customer *c)
{
	return (const crmf_summary *)(const void *)c;
}

void crmf_summary_values(const crmf_summary *s, const char *key, size_t key_len,
			 bool (*emit)(void *ectx, const char *s, size_t len), void *ectx)
{
	struct dec d = {(const unsigned char *)s->values,
			(const unsigned char *)s->values + s->values_len, false};

	if (!s->values)
		return;
	while (d.p < d.end && !d.bad) {
		size_t klen, vlen;
		const char *k = get_str(&d, &klen), *val = get_str(&d, &vlen);

		if (k && val && klen == key_len && memcmp(k, key, key_len) == 0 &&
		    emit(ectx, val, vlen))
			return;
	}
}

/* ---- rules of diagnostics read back from records ---- */

/* A diagnostic's rule is a static string; those read back from the cache are
 * interned for the life of the process (a few dozen at most). */
static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static char **interned;
static size_t n_interned, cap_interned;

const char *rec_intern(const char *s)
{
	const char *r = NULL;

	pthread_mutex_lock(&intern_lock);
	for (size_t i = 0; i < n_interned && !r; i++)
		if (strcmp(interned[i], s) == 0)
			r = interned[i];
	if (!r) {
		if (n_interned == cap_interned) {
			cap_interned = cap_interned ? cap_interned * 2 : 64;
			interned = xrealloc(interned, cap_interned * sizeof(*interned));
		}
		r = interned[n_interned++] = xstrdup(s);
	}
	pthread_mutex_unlock(&intern_lock);
	return r;
}
