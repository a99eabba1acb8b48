/* SPDX-License-Identifier: MIT */
/* crmf merge: customers that are one company made one file (KEEP's), the others removed, one commit. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "change_private.h"
#include "values.h"
#include "util.h"

/* One customer of the merge: KEEP first, then every DROP. */
struct side {
	char *rel, *id;
	crmf_customer *c;
};

struct change_merge {
	struct side *v;
	size_t n;
	const crmf_combine_opts *o;
	crmf_lines said;      /* what the merge does, for the report and the commit */
	size_t conflicts;     /* unsettled */
	size_t repeats;	      /* follow-ups (and deals) left out as exact repeats */
	bool draft;
};

static void sides_free(struct change_merge *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].rel);
		free(m->v[i].id);
		crmf_customer_free(m->v[i].c);
	}
	free(m->v);
	crmf_lines_release(&m->said);
	free(m);
}

void change_merge_release(crmf_change_tx *tx)
{
	if (tx->merge)
		sides_free(tx->merge);
	tx->merge = NULL;
}

/* ---- comparing ---- */

static bool null_node(const crmf_node *n)
{
	return !n || crmf_node_is_null(n);
}

/* The same text, or for collections the same source bytes. */
static bool same_node(const crmf_doc *da, const crmf_node *a, const crmf_doc *db,
		      const crmf_node *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == CRMF_NODE_SCALAR)
		return a->len == b->len && memcmp(a->value, b->value, a->len) == 0;
	if (a->type == CRMF_NODE_SEQUENCE) {
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++)
			if (!same_node(da, a->items[i], db, b->items[i]))
				return false;
		return true;
	}
	/* mappings: the same keys with the same values, in any order; nulls are absences */
	for (int pass = 0; pass < 2; pass++) {
		const crmf_node *x = pass ? b : a, *y = pass ? a : b;
		const crmf_doc *dx = pass ? db : da, *dy = pass ? da : db;

		for (size_t i = 0; i < x->n; i++) {
			const crmf_node *xv = x->pairs[i].value,
					*yv = crmf_node_get(y, x->pairs[i].key->value);

			if (null_node(xv) && null_node(yv))
				continue;
			if (null_node(xv) || null_node(yv) || !same_node(dx, xv, dy, yv))
				return false;
		}
	}
	return true;
}

/* ---- settling scalars ---- */

static bool set_on_command_line(const crmf_change_tx *tx, const char *path)
{
	for (size_t i = 0; i < tx->nassigns; i++)
		if (strcmp(tx->assigns[i].key, path) == 0)
			return true;
	return false;
}

/* Whose value --take gives `path`: 1 DROP's, -1 another's (KEEP's or another DROP's), 0 none. */
static int taken(const struct change_merge *m, const char *drop, const char *path)
{
	int r = 0;

	for (size_t i = 0; i < m->o->n_take; i++) {
		const crmf_combine_take *t = &m->o->take[i];

		if (t->field && strcmp(t->field, path) != 0)
			continue;
		if (strcasecmp(t->id, drop) == 0)
			r = t->field || r == 0 ? 1 : r;
		else if (r == 0 || t->field)
			r = -1;
	}
	return r;
}

static unsigned flags_of(const crmf_change_tx *tx, const char *path, const crmf_node *n)
{
	return n->style == CRMF_STYLE_PLAIN ? change_value_flags(tx->cfg, path, n->value)
					    : CRMF_EDIT_TEXT;
}

/* A comment line under KEEP's value naming DROP's, for the editor. */
static int draft_note(crmf_edit *e, const crmf_doc *doc, const crmf_node *key,
		      const crmf_node *kv, const char *drop, const char *dv)
{
	size_t ls = key->start, p = kv->end > key->end ? kv->end : key->end;
	char *q = crmf_edit_scalar(dv), *text;
	int rc;

	while (ls > 0 && doc->src[ls - 1] != '\n')
		ls--;
	while (p < doc->len && doc->src[p] != '\n' && doc->src[p] != '\r')
		p++;
	text = xasprintf("%s%*s# crmf merge: %s has %s: %s", doc->crlf ? "\r\n" : "\n",
			 (int)(key->start - ls), "", drop, key->value, q ? q : "?");
	rc = crmf_edit_splice(e, p, 0, text, strlen(text));
	free(text);
	free(q);
	return rc;
}

static int merge_scalar(crmf_change_tx *tx, crmf_edit *e, const crmf_doc *doc,
			const crmf_node *map, const crmf_node *dv, const char *key, const char *path,
			const char *keep, const char *drop)
{
	struct change_merge *m = tx->merge;
	const crmf_pair *kp = crmf_node_pair(map, key);
	const crmf_node *kv = kp ? kp->value : NULL;
	int r;

	if (null_node(dv) || dv->type != CRMF_NODE_SCALAR)
		return 0;
	if (kv && kv->type != CRMF_NODE_SCALAR) {
		change_error(tx, "cannot merge '%s': %s has a list or mapping there; edit it first",
			     path, keep);
		return -1;
	}
	if (null_node(kv)) {
		crmf_lines_add(&m->said, crmf_tr("+ %s: %s (from %s)"), path, dv->value, drop);
		if (crmf_edit_set(e, path, dv->value, flags_of(tx, path, dv)) != 0) {
			change_error(tx, "cannot merge '%s': %s", path, crmf_error_last());
			return -1;
		}
		return 0;
	}
	if (strcmp(kv->value, dv->value) == 0 || set_on_command_line(tx, path))
		return 0;
	r = taken(m, drop, path);
	if (r < 0)
		return 0;
	if (r > 0) {
		crmf_lines_add(&m->said, crmf_tr("%s: %s → %s (from %s)"), path, kv->value,
			       dv->value, drop);
		if (crmf_edit_set_scalar(e, kv, dv->value, flags_of(tx, path, dv)) != 0) {
			change_error(tx, "cannot merge '%s': %s", path, crmf_error_last());
			return -1;
		}
		return 0;
	}
	m->conflicts++;
	if (m->draft)
		return draft_note(e, doc, kp->key, kv, drop, dv->value) == 0 ? 0 : -1;
	change_error(tx, "conflict: %s: %s has '%s', %s has '%s' (settle it: --take ID:%s, --set "
			 "%s=VALUE or --edit)",
		     path, keep, kv->value, drop, dv->value, path, path);
	return 0;
}

/* ---- records ---- */

/* The scalar pairs of a record as the fields of a new entry (nulls left out);
 * `skip` (may be NULL) a key left out too. *n 0 with a reason reported. */
static crmf_edit_field *fields_of(crmf_change_tx *tx, const crmf_node *rec, const char *list,
				  const char *skip, size_t *n, char ***paths)
{
	crmf_edit_field *f = xcalloc(rec->n + 1, sizeof(*f));

	*n = 0;
	*paths = xcalloc(rec->n + 1, sizeof(**paths));
	for (size_t i = 0; i < rec->n; i++) {
		const crmf_node *k = rec->pairs[i].key, *v = rec->pairs[i].value;

		if (null_node(v) || (skip && strcmp(k->value, skip) == 0))
			continue;
		if (v->type != CRMF_NODE_SCALAR) {
			change_error(tx, "cannot merge an entry of %s holding a list or mapping "
					 "('%s'); edit it first", list, k->value);
			*n = 0;
			return f;
		}
		(*paths)[*n] = xasprintf("%s.%s", list, k->value);
		f[*n] = (crmf_edit_field){k->value, v->value, flags_of(tx, (*paths)[*n], v)};
		(*n)++;
	}
	return f;
}

static void fields_free(crmf_edit_field *f, char **paths)
{
	for (size_t i = 0; paths && paths[i]; i++)
		free(paths[i]);
	free(paths);
	free(f);
}

static bool is_block_list(const crmf_node *seq)
{
	return seq && seq->type == CRMF_NODE_SEQUENCE && seq->style == CRMF_STYLE_BLOCK && seq->n;
}

/* Insert DROP's entry `rec` before item `at` of KEEP's list `key` (SIZE_MAX: at its end). */
static int add_entry(crmf_change_tx *tx, crmf_edit *e, const crmf_node *root, const char *key,
		     const crmf_node *rec, size_t at, const char *skip)
{
	const crmf_node *seq = crmf_node_get(root, key);
	char **paths = NULL;
	size_t n;
	crmf_edit_field *f = fields_of(tx, rec, key, skip, &n, &paths);
	int rc = -1;

	if (n == 0)
		goto done;
	if (is_block_list(seq))
		rc = crmf_edit_insert(e, seq, at == SIZE_MAX ? seq->n : at, f, n);
	else
		rc = crmf_edit_append(e, root, key, f, n);
	if (rc != 0)
		change_error(tx, "cannot merge %s: %s", key, crmf_error_last());
done:
	fields_free(f, paths);
	return rc;
}

/* A follow-up's date as a sort key: the day, then the minute (none first). */
static long long fu_key(const crmf_node *rec)
{
	const crmf_node *d = crmf_node_get(rec, "date");
	crmf_day day;
	int minute;

	if (!d || d->type != CRMF_NODE_SCALAR ||
	    crmf_datetime_parse(&day, &minute, d->value, d->len) != 0)
		return (long long)1 << 60;
	return (long long)day * 1441 + minute + 1;
}

struct keyed {
	const crmf_node *rec;
	long long key;
	size_t pos;
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

static bool repeat_of(const crmf_doc *dk, const crmf_node *kseq, const crmf_doc *dd,
		      const crmf_node *rec)
{
	for (size_t i = 0; kseq && kseq->type == CRMF_NODE_SEQUENCE && i < kseq->n; i++)
		if (same_node(dk, kseq->items[i], dd, rec))
			return true;
	return false;
}

/* DROP's follow-ups among KEEP's by date (KEEP's first on the same date), repeats once. */
static int merge_followups(crmf_change_tx *tx, crmf_edit *e, const crmf_doc *doc,
			   const crmf_doc *dd, const crmf_node *dseq, const char *drop)
{
	const crmf_node *kseq = crmf_node_get(doc->root, "followups");
	struct keyed *v;
	size_t n = 0, added = 0, rep = 0;
	int rc = 0;

	if (dseq->type != CRMF_NODE_SEQUENCE)
		return 0;
	v = xcalloc(dseq->n + 1, sizeof(*v));
	for (size_t i = 0; i < dseq->n; i++) {
		const crmf_node *rec = dseq->items[i];
		bool again = repeat_of(doc, kseq, dd, rec);

		for (size_t k = 0; !again && k < n; k++)
			again = same_node(dd, v[k].rec, dd, rec);
		if (again) {
			rep++;
			continue;
		}
		if (rec->type != CRMF_NODE_MAPPING) {
			change_error(tx, "cannot merge follow-up %zu of %s: not a mapping", i + 1,
				     drop);
			free(v);
			return -1;
		}
		v[n++] = (struct keyed){rec, fu_key(rec), i};
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), keyed_cmp);
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t at = SIZE_MAX;

		for (size_t k = 0; is_block_list(kseq) && k < kseq->n; k++)
			if (fu_key(kseq->items[k]) > v[i].key) {
				at = k;
				break;
			}
		rc = add_entry(tx, e, doc->root, "followups", v[i].rec, at, NULL);
		added++;
	}
	free(v);
	tx->merge->repeats += rep;
	if (added || rep) {
		if (rep)
			crmf_lines_add(&tx->merge->said,
				       crmf_tr("+ %zu follow-ups from %s (%zu exact repeats left out)"),
				       added, drop, rep);
		else
			crmf_lines_add(&tx->merge->said, crmf_tr("+ %zu follow-ups from %s"), added,
				       drop);
	}
	return rc;
}

static int merge_deals(crmf_change_tx *tx, crmf_edit *e, const crmf_doc *doc, const crmf_doc *dd,
		       const crmf_node *dseq, const char *drop)
{
	const crmf_node *kseq = crmf_node_get(doc->root, "deals");
	size_t added = 0;

	for (size_t i = 0; dseq->type == CRMF_NODE_SEQUENCE && i < dseq->n; i++) {
		bool again = repeat_of(doc, kseq, dd, dseq->items[i]);

		for (size_t k = 0; !again && k < i; k++)
			again = same_node(dd, dseq->items[k], dd, dseq->items[i]);
		if (again)
			continue;
		if (add_entry(tx, e, doc->root, "deals", dseq->items[i], SIZE_MAX, NULL) != 0)
			return -1;
		added++;
	}
	if (added)
		crmf_lines_add(&tx->merge->said, crmf_tr("+ %zu deals from %s"), added, drop);
	return 0;
}

/* ---- contacts ---- */

static bool same_contact(const crmf_node *a, const crmf_node *b)
{
	const crmf_node *pa = crmf_node_get(a, "phone"), *pb = crmf_node_get(b, "phone");
	const crmf_node *ea = crmf_node_get(a, "email"), *eb = crmf_node_get(b, "email");
	char ka[24], kb[24];

	if (!null_node(pa) && !null_node(pb) && pa->type == CRMF_NODE_SCALAR &&
	    pb->type == CRMF_NODE_SCALAR && pa->len < 64 && pb->len < 64) {
		size_t na = crmf_phone_key_text(ka, pa->value), nb = crmf_phone_key_text(kb, pb->value);

		if (na && na == nb && memcmp(ka, kb, na) == 0)
			return true;
	}
	return !null_node(ea) && !null_node(eb) && ea->type == CRMF_NODE_SCALAR &&
	       eb->type == CRMF_NODE_SCALAR && strcasecmp(ea->value, eb->value) == 0;
}

static bool has_primary(const crmf_node *seq)
{
	for (size_t i = 0; seq && seq->type == CRMF_NODE_SEQUENCE && i < seq->n; i++) {
		const crmf_node *p = crmf_node_get(seq->items[i], "primary");

		if (p && p->type == CRMF_NODE_SCALAR && strcmp(p->value, "true") == 0)
			return true;
	}
	return false;
}

static const char *name_of(const crmf_node *rec)
{
	const crmf_node *n = crmf_node_get(rec, "name");

	return n && n->type == CRMF_NODE_SCALAR && n->len ? n->value : "?";
}

/* One contact of DROP found in KEEP (`kc`, item `ki`): KEEP's empty fields filled. */
static int fill_contact(crmf_change_tx *tx, crmf_edit *e, const crmf_node *kc, size_t ki,
			const crmf_node *dc, bool primary, const char *keep, const char *drop)
{
	for (size_t i = 0; i < dc->n; i++) {
		const crmf_node *k = dc->pairs[i].key, *v = dc->pairs[i].value;
		const crmf_node *kv = crmf_node_get(kc, k->value);
		char *path;
		int rc = 0;

		if (null_node(v) || v->type != CRMF_NODE_SCALAR)
			continue;
		if (strcmp(k->value, "primary") == 0 && primary)
			continue;
		if (!null_node(kv)) {
			if (kv->type == CRMF_NODE_SCALAR && strcmp(kv->value, v->value) != 0)
				crmf_lines_add(
				    &tx->merge->said,
				    crmf_tr("  contact %s: %s keeps %s '%s' (%s has '%s')"),
				    name_of(kc), keep, k->value, kv->value, drop, v->value);
			continue;
		}
		path = xasprintf("contacts[%zu].%s", ki, k->value);
		crmf_lines_add(&tx->merge->said, crmf_tr("+ %s: %s (from %s)"), path, v->value,
			       drop);
		{
			char *shape = xasprintf("contacts.%s", k->value);

			rc = crmf_edit_set(e, path, v->value, flags_of(tx, shape, v));
			free(shape);
		}
		if (rc != 0)
			change_error(tx, "cannot merge %s: %s", path, crmf_error_last());
		free(path);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int merge_contacts(crmf_change_tx *tx, crmf_edit *e, const crmf_doc *doc,
			  const crmf_node *dseq, const char *keep, const char *drop)
{
	const crmf_node *kseq = crmf_node_get(doc->root, "contacts");
	bool primary = has_primary(kseq);

	for (size_t i = 0; dseq->type == CRMF_NODE_SEQUENCE && i < dseq->n; i++) {
		const crmf_node *dc = dseq->items[i];
		size_t k = 0;
		bool found = false;

		if (dc->type != CRMF_NODE_MAPPING)
			continue;
		for (; kseq && kseq->type == CRMF_NODE_SEQUENCE && k < kseq->n && !found; k++)
			found = kseq->items[k]->type == CRMF_NODE_MAPPING &&
				same_contact(kseq->items[k], dc);
		for (size_t j = 0; !found && j < i; j++)
			if (dseq->items[j]->type == CRMF_NODE_MAPPING &&
			    same_contact(dseq->items[j], dc))
				goto next; /* DROP's own repeat */
		if (found) {
			if (fill_contact(tx, e, kseq->items[k - 1], k - 1, dc, primary, keep, drop) != 0)
				return -1;
			continue;
		}
		crmf_lines_add(&tx->merge->said, crmf_tr("+ contact %s (from %s)"), name_of(dc),
			       drop);
		if (add_entry(tx, e, doc->root, "contacts", dc, SIZE_MAX, primary ? "primary" : NULL))
			return -1;
next:;
	}
	return 0;
}

/* ---- lists of values (tags, merged, custom lists) ---- */

static int merge_values(crmf_change_tx *tx, crmf_edit *e, const crmf_doc *doc, const char *key,
			const char *const *add, size_t n, const char *drop)
{
	const crmf_node *kseq = crmf_node_get(doc->root, key);
	const char **v = xcalloc(n + 1, sizeof(*v));
	size_t k = 0;
	int rc = 0;

	if (kseq && !null_node(kseq) && kseq->type != CRMF_NODE_SEQUENCE) {
		change_error(tx, "cannot merge '%s': not a list", key);
		free(v);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		bool have = false;

		for (size_t j = 0; kseq && j < kseq->n && !have; j++)
			have = kseq->items[j]->type == CRMF_NODE_SCALAR &&
			       strcmp(kseq->items[j]->value, add[i]) == 0;
		for (size_t j = 0; j < k && !have; j++)
			have = strcmp(v[j], add[i]) == 0;
		if (!have)
			v[k++] = add[i];
	}
	if (k) {
		for (size_t i = 0; i < k; i++)
			if (strcmp(key, "merged") == 0)
				crmf_lines_add(&tx->merge->said, crmf_tr("+ merged: %s"), v[i]);
			else
				crmf_lines_add(&tx->merge->said, crmf_tr("+ %s: %s (from %s)"), key,
					       v[i], drop);
		if (kseq && null_node(kseq)) {
			change_error(tx, "cannot merge '%s': %s has it empty; write [] or remove it",
				     key, tx->merge->v[0].id);
			rc = -1;
		} else if (crmf_edit_append_scalars(e, doc->root, key, v, k, CRMF_EDIT_TEXT) != 0) {
			change_error(tx, "cannot merge '%s': %s", key, crmf_error_last());
			rc = -1;
		}
	}
	free(v);
	return rc;
}

static bool scalar_list(const crmf_node *n)
{
	if (n->type != CRMF_NODE_SEQUENCE)
		return false;
	for (size_t i = 0; i < n->n; i++)
		if (n->items[i]->type != CRMF_NODE_SCALAR)
			return false;
	return true;
}

static int merge_list(crmf_change_tx *tx, crmf_edit *e, const crmf_doc *doc, const char *key,
		      const crmf_node *dseq, const char *also, const char *drop)
{
	const char **v = xcalloc(dseq->n + 2, sizeof(*v));
	size_t n = 0;
	int rc;

	if (also)
		v[n++] = also;
	for (size_t i = 0; i < dseq->n; i++)
		if (!null_node(dseq->items[i]))
			v[n++] = dseq->items[i]->value;
	rc = n ? merge_values(tx, e, doc, key, v, n, drop) : 0;
	free(v);
	return rc;
}

/* ---- one DROP into what KEEP is so far ---- */

static int merge_one(crmf_change_tx *tx, crmf_doc **out, const crmf_doc *doc,
		     const struct side *d)
{
	const char *keep = tx->merge->v[0].id, *drop = d->id;
	const crmf_doc *dd = d->c->doc;
	const crmf_node *droot = dd->root, *dmerged = crmf_node_get(droot, "merged");
	crmf_edit *e = NULL;
	int rc = -1;

	*out = NULL;
	if (crmf_edit_new(&e, doc) != 0) {
		change_error(tx, "cannot change %s: %s", tx->merge->v[0].rel, crmf_error_last());
		return -1;
	}
	for (size_t i = 0; i < droot->n; i++) {
		const char *key = droot->pairs[i].key->value;
		const crmf_node *dv = droot->pairs[i].value, *kv = crmf_node_get(doc->root, key);
		int r = 0;

		if (strcmp(key, "id") == 0 || strcmp(key, "merged") == 0 || null_node(dv))
			continue;
		if (strcmp(key, "contacts") == 0)
			r = merge_contacts(tx, e, doc, dv, keep, drop);
		else if (strcmp(key, "followups") == 0)
			r = merge_followups(tx, e, doc, dd, dv, drop);
		else if (strcmp(key, "deals") == 0)
			r = merge_deals(tx, e, doc, dd, dv, drop);
		else if (scalar_list(dv))
			r = merge_list(tx, e, doc, key, dv, NULL, drop);
		else if (dv->type == CRMF_NODE_SCALAR)
			r = merge_scalar(tx, e, doc, doc->root, dv, key, key, keep, drop);
		else if (dv->type == CRMF_NODE_MAPPING && kv && kv->type == CRMF_NODE_MAPPING)
			for (size_t k = 0; k < dv->n && r == 0; k++) {
				char *path = xasprintf("%s.%s", key, dv->pairs[k].key->value);

				r = merge_scalar(tx, e, doc, kv, dv->pairs[k].value,
						 dv->pairs[k].key->value, path, keep, drop);
				free(path);
			}
		else if (!kv || null_node(kv)) {
			change_error(tx, "cannot merge '%s': only %s has it; copy it by hand "
					 "(crmf merge --edit)", key, drop);
			r = -1;
		} else if (!same_node(doc, kv, dd, dv)) {
			change_error(tx, "cannot merge '%s' of %s and %s; settle it with --edit", key,
				     keep, drop);
			r = -1;
		}
		if (r != 0)
			goto done;
	}
	/* DROP's id, and the ids merged into it before */
	if (merge_list(tx, e, doc, "merged",
		       dmerged && scalar_list(dmerged) ? dmerged : &(crmf_node){0}, drop, drop) != 0)
		goto done;
	if (crmf_edit_finish(out, e, NULL) != 0) {
		change_error(tx, "cannot merge %s into %s: %s", drop, keep, crmf_error_last());
		goto done;
	}
	rc = 0;
done:
	crmf_edit_free(e);
	return rc;
}

/* ---- the sides ---- */

static int add_side(crmf_change_tx *tx, const char *arg)
{
	struct change_merge *m = tx->merge;
	struct side s = {0};
	crmf_diags d;
	crmf_versions v;
	int rc;

	s.rel = change_find(tx, arg, CRMF_IN_CUSTOMERS);
	if (!s.rel)
		return CRMF_CHANGE_UNKNOWN;
	s.id = crmf_change_path_id(s.rel);
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].rel, s.rel) == 0) {
			change_error(tx,
				     i == 0 ? N_("%s is the customer kept; it cannot be merged into "
						 "itself")
					    : N_("%s is named twice"),
				     s.id);
			free(s.rel);
			free(s.id);
			return CRMF_CHANGE_UNKNOWN;
		}
	m->v = xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	m->v[m->n++] = s;
	crmf_diags_init(&d);
	rc = change_load(tx, &m->v[m->n - 1].c, &d, s.rel);
	if (rc == 0 && d.errors) {
		change_diags(tx, &d, true);
		change_error(tx, "%s has errors: fix them first ('crmf check %s'); nothing changed",
			     s.rel, s.rel);
		rc = CRMF_CHANGE_REFUSED;
	}
	crmf_diags_release(&d);
	if (rc == 0 && change_versions(tx, &v, s.rel) == 0) {
		if (v.state != CRMF_FILE_CLEAN) {
			change_error(tx, "%s has uncommitted changes: commit them first ('crmf "
					 "commit'); nothing changed", s.rel);
			rc = CRMF_CHANGE_REFUSED;
		}
		crmf_versions_release(&v);
	} else if (rc == 0) {
		rc = CRMF_CHANGE_REFUSED;
	}
	return rc;
}

/* Lines "# crmf merge: …" of a draft, taken out. */
static char *strip_notes(const char *buf, size_t len, size_t *out_len)
{
	char *out = xmalloc(len + 1);
	size_t o = 0;

	for (size_t p = 0; p < len;) {
		const char *nl = memchr(buf + p, '\n', len - p);
		size_t end = nl ? (size_t)(nl - buf) + 1 : len, k = p;

		while (k < end && buf[k] == ' ')
			k++;
		if (!(end - k >= 13 && memcmp(buf + k, "# crmf merge:", 13) == 0)) {
			memcpy(out + o, buf + p, end - p);
			o += end - p;
		}
		p = end;
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

/* ---- committing ---- */

static int commit_merge(crmf_change_tx *tx, const crmf_doc *was, const char *buf, size_t len)
{
	struct change_merge *m = tx->merge;
	crmf_commit_path *paths = xcalloc(m->n, sizeof(*paths));
	crmf_lines ids = {0}, body = {0}, lines = {0};
	crmf_doc *now = NULL;
	crmf_diags d;
	char *list = NULL, *subject = NULL, *text = NULL, *fspath;
	int rc = CRMF_CHANGE_REFUSED;

	crmf_diags_init(&d);
	crmf_doc_parse(&now, m->v[0].rel, buf, len, &d);
	crmf_diags_release(&d);
	for (size_t i = 1; i < m->n; i++)
		crmf_lines_add(&ids, "%s", m->v[i].id);
	list = crmf_lines_join(&ids, ", ");
	subject = xasprintf("crmf: merge %s into %s", list, m->v[0].id);
	crmf_change_describe(&lines, NULL, was, now);
	for (size_t i = 0; i < lines.n; i++)
		crmf_lines_add(&body, "%s", lines.v[i]);
	for (size_t i = 1; i < m->n; i++)
		crmf_lines_add(&body, "- %s removed (merged into %s)", m->v[i].rel, m->v[0].id);
	text = crmf_lines_join(&body, "\n");

	fspath = change_fspath(tx, m->v[0].rel);
	if (crmf_write_atomic(fspath, buf, len) != 0) {
		change_error(tx, "cannot write %s: %s; nothing changed", m->v[0].rel,
			     crmf_error_last());
		free(fspath);
		goto done;
	}
	free(fspath);
	tx->written = true;
	paths[0] = (crmf_commit_path){m->v[0].rel, false};
	for (size_t i = 1; i < m->n; i++) {
		fspath = change_fspath(tx, m->v[i].rel);
		if (unlink(fspath) != 0)
			change_error(tx, "cannot remove %s", m->v[i].rel);
		free(fspath);
		paths[i] = (crmf_commit_path){m->v[i].rel, true};
	}
	for (size_t i = 0; i < m->said.n; i++)
		change_said(tx, "%s: %s", m->v[0].id, m->said.v[i]);
	for (size_t i = 1; i < m->n; i++)
		change_said(tx, "- %s (merged into %s)", m->v[i].rel, m->v[0].id);
	{
		char *all = xasprintf("%s, %s", m->v[0].id, list);

		rc = change_commit_paths(tx, paths, NULL, m->n,
					 &(crmf_commit_opts){.subject = subject, .body = text,
							     .action = "merge", .customer = all});
		free(all);
	}
done:
	crmf_doc_free(now);
	crmf_lines_release(&lines);
	crmf_lines_release(&body);
	crmf_lines_release(&ids);
	free(text);
	free(subject);
	free(list);
	free(paths);
	return rc;
}

int crmf_change_merge(crmf_change_tx *tx, const char *keep, const char *const *drops, size_t n,
		      const crmf_combine_opts *o, char **merged, size_t *merged_len)
{
	static const crmf_combine_opts none = {0};
	struct change_merge *m;
	crmf_doc *doc = NULL;
	int rc;

	if (merged)
		*merged = NULL, *merged_len = 0;
	change_merge_release(tx);
	m = tx->merge = xcalloc(1, sizeof(*m));
	m->o = o ? o : &none;
	m->draft = m->o->draft;
	tx->assigns = m->o->set;
	tx->nassigns = m->o->n_set;
	if (n == 0) {
		change_error(tx, "give the customers to merge into %s", keep);
		return CRMF_CHANGE_UNKNOWN;
	}
	if ((rc = crmf_change_lock(tx)) != 0)
		return rc;
	if ((rc = add_side(tx, keep)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = add_side(tx, drops[i])) != 0)
			return rc;
	for (size_t i = 0; i < m->o->n_take; i++) {
		bool known = false;

		for (size_t k = 0; k < m->n && !known; k++)
			known = strcasecmp(m->o->take[i].id, m->v[k].id) == 0;
		if (!known) {
			change_error(tx, "--take %s: %s is not one of the customers merged",
				     m->o->take[i].id, m->o->take[i].id);
			return CRMF_CHANGE_UNKNOWN;
		}
	}
	free(tx->rel);
	tx->rel = xstrdup(m->v[0].rel);
	free(tx->id);
	tx->id = xstrdup(m->v[0].id);

	rc = CRMF_CHANGE_REFUSED;
	for (size_t i = 1; i < m->n; i++) {
		crmf_doc *next = NULL;

		if (merge_one(tx, &next, doc ? doc : m->v[0].c->doc, &m->v[i]) != 0)
			goto done;
		crmf_doc_free(doc);
		doc = next;
	}
	if (m->conflicts && !m->draft) {
		change_error(tx, "%zu field%s differ%s: nothing changed", m->conflicts,
			     m->conflicts == 1 ? "" : "s", m->conflicts == 1 ? "s" : "");
		goto done;
	}
	if (tx->nassigns) {
		crmf_edit *e = NULL;
		crmf_doc *next = NULL;

		if (crmf_edit_new(&e, doc) != 0 || change_set_edit(e, doc, tx) != 0 ||
		    (crmf_edit_count(e) && crmf_edit_finish(&next, e, NULL) != 0)) {
			if (!next)
				change_error(tx, "cannot set: %s", crmf_error_last());
			crmf_edit_free(e);
			goto done;
		}
		crmf_edit_free(e);
		if (next) {
			crmf_doc_free(doc);
			doc = next;
		}
		for (size_t i = 0; i < tx->nassigns; i++)
			crmf_lines_add(&m->said, crmf_tr("%s: %s"), tx->assigns[i].key,
				       tx->assigns[i].unset ? crmf_tr("(unset)")
							    : tx->assigns[i].value);
	}
	if (!m->draft && change_check_errors(tx, doc->src, doc->len) != 0) {
		change_error(tx, "nothing changed: %s would not be valid", m->v[0].rel);
		goto done;
	}
	if (merged) {
		*merged = xmalloc(doc->len + 1);
		memcpy(*merged, doc->src, doc->len + 1);
		*merged_len = doc->len;
	}
	if (m->draft || m->o->dry_run) {
		for (size_t i = 0; !m->draft && i < m->said.n; i++)
			change_said(tx, "%s: %s", m->v[0].id, m->said.v[i]);
		rc = 0;
		goto done;
	}
	rc = commit_merge(tx, m->v[0].c->doc, doc->src, doc->len);
done:
	crmf_doc_free(doc);
	return rc;
}

int crmf_change_merge_commit(crmf_change_tx *tx, const char *buf, size_t len)
{
	struct change_merge *m = tx->merge;
	size_t n;
	char *clean;
	int rc;

	if (!m || m->n < 2)
		return CRMF_CHANGE_REFUSED;
	clean = strip_notes(buf, len, &n);
	if (change_check_errors(tx, clean, n) != 0) {
		change_error(tx, "nothing changed: %s would not be valid", m->v[0].rel);
		free(clean);
		return CRMF_CHANGE_REFUSED;
	}
	crmf_lines_release(&m->said);
	rc = commit_merge(tx, m->v[0].c->doc, clean, n);
	free(clean);
	return rc;
}

const char *crmf_change_merge_path(const crmf_change_tx *tx, size_t i)
{
	return tx->merge && i < tx->merge->n ? tx->merge->v[i].rel : NULL;
}
