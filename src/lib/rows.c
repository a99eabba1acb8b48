/* SPDX-License-Identifier: MIT */
/* The values of a customer's fields and of its follow-ups, as the listings and --where read them. */
#include "crmf/rows.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crmf/scan.h"

const char *const crmf_computed_names[CRMF_N_COMPUTED] = {
	"last_contact", "activity", "value",  "value_sum", "quadrant", "next_due",
	"overdue_days", "kind",	    "reason", "path",	   "archived",
};

const char *const crmf_fu_field_names[CRMF_N_FU_FIELDS] = {
	"date", "by", "method", "with", "summary", "feedback", "next", "due", "week", "month",
};

static int name_index(const char *const *names, int n, const char *name, size_t len)
{
	for (int i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return i;
	return -1;
}

int crmf_computed_find(const char *name, size_t len)
{
	return name_index(crmf_computed_names, CRMF_N_COMPUTED, name, len);
}

int crmf_fu_field_find(const char *name, size_t len)
{
	static const char prefix[] = "followups.";
	int i;

	if (len > sizeof(prefix) - 1 && memcmp(name, prefix, sizeof(prefix) - 1) == 0) {
		i = name_index(crmf_fu_field_names, CRMF_N_FU_FIELDS, name + sizeof(prefix) - 1,
			       len - (sizeof(prefix) - 1));
		/* week and month are no field of the file */
		return i >= 0 && i < CRMF_FU_WEEK ? i : -1;
	}
	return name_index(crmf_fu_field_names, CRMF_N_FU_FIELDS, name, len);
}

/* ---- a customer's fields ---- */

static const crmf_node *get_n(const crmf_node *map, const char *key, size_t len)
{
	if (!map || map->type != CRMF_NODE_MAPPING)
		return NULL;
	for (size_t i = 0; i < map->n; i++) {
		const crmf_node *k = map->pairs[i].key;

		if (k->len == len && memcmp(k->value, key, len) == 0)
			return map->pairs[i].value;
	}
	return NULL;
}

bool crmf_node_walk(const crmf_doc *doc, const crmf_node *n, const char *path, size_t len,
		    crmf_expr_emit emit, void *ectx)
{
	const char *dot;
	size_t seg;

	if (!n)
		return false;
	if (n->type == CRMF_NODE_SEQUENCE) {
		for (size_t i = 0; i < n->n; i++)
			if (crmf_node_walk(doc, n->items[i], path, len, emit, ectx))
				return true;
		return false;
	}
	if (len == 0) {
		if (n->type == CRMF_NODE_SCALAR)
			return crmf_node_is_null(n) ? false : emit(ectx, n->value, n->len);
		/* a record stands for itself: its source text, non-empty */
		return emit(ectx, doc->src + n->start, n->end > n->start ? n->end - n->start : 0);
	}
	dot = memchr(path, '.', len);
	seg = dot ? (size_t)(dot - path) : len;
	return crmf_node_walk(doc, get_n(n, path, seg), dot ? dot + 1 : path + len,
			      dot ? len - seg - 1 : 0, emit, ectx);
}

static bool emit_str(crmf_expr_emit emit, void *ectx, const char *s)
{
	return emit(ectx, s, strlen(s));
}

static bool emit_day(crmf_expr_emit emit, void *ectx, crmf_day d)
{
	char buf[11];

	if (d == CRMF_NO_DAY)
		return false;
	crmf_date_format(d, buf);
	return emit(ectx, buf, 10);
}

static bool emit_computed(const crmf_customer *c, const crmf_class *k, int comp,
			  crmf_expr_emit emit, void *ectx)
{
	char buf[64];

	switch (comp) {
	case CRMF_COMPUTED_LAST_CONTACT:
		return emit_day(emit, ectx, k->last_contact);
	case CRMF_COMPUTED_ACTIVITY:
		return emit_str(emit, ectx, crmf_activity_name(k->activity));
	case CRMF_COMPUTED_VALUE:
		return emit_str(emit, ectx, crmf_value_name(k->value));
	case CRMF_COMPUTED_VALUE_SUM:
		snprintf(buf, sizeof(buf), "%.15g", k->value_sum);
		return emit_str(emit, ectx, buf);
	case CRMF_COMPUTED_QUADRANT:
		return emit_str(emit, ectx, crmf_quadrant_name(k->quadrant));
	case CRMF_COMPUTED_NEXT_DUE:
		return emit_day(emit, ectx, k->next_due);
	case CRMF_COMPUTED_OVERDUE_DAYS:
		snprintf(buf, sizeof(buf), "%d", k->overdue_days);
		return emit_str(emit, ectx, buf);
	case CRMF_COMPUTED_KIND:
		return k->due_kind == CRMF_DUE_NONE
			       ? false
			       : emit_str(emit, ectx, crmf_due_kind_name(k->due_kind));
	case CRMF_COMPUTED_REASON:
		return k->reason[0] ? emit_str(emit, ectx, k->reason) : false;
	case CRMF_COMPUTED_PATH:
		return emit_str(emit, ectx, c->path);
	case CRMF_COMPUTED_ARCHIVED:
		return emit_str(emit, ectx, c->archived ? "true" : "false");
	}
	return false;
}

/* Computed fields first: they are never stored, and custom fields may not
 * shadow them. */
void crmf_customer_values(const crmf_customer *c, const crmf_class *k, const char *name,
			  size_t len, crmf_expr_emit emit, void *ectx)
{
	int comp = crmf_computed_find(name, len);

	if (comp >= 0)
		emit_computed(c, k, comp, emit, ectx);
	else if (c->doc)
		crmf_node_walk(c->doc, c->doc->root, name, len, emit, ectx);
	else
		crmf_summary_values(crmf_summary_of(c), name, len, emit, ectx);
}

/* A contact's mapping with a `left:` date: gone from the company. */
static bool contact_left(const crmf_node *item)
{
	const crmf_node *left = get_n(item, "left", 4);

	return left && !crmf_node_is_null(left);
}

void crmf_customer_shown_values(const crmf_customer *c, const crmf_class *k, const char *name,
				size_t len, crmf_expr_emit emit, void *ectx)
{
	const crmf_node *contacts;

	if (!c->doc || len < 8 || memcmp(name, "contacts", 8) != 0 || (len > 8 && name[8] != '.') ||
	    crmf_computed_find(name, len) >= 0) {
		crmf_customer_values(c, k, name, len, emit, ectx);
		return;
	}
	contacts = get_n(c->doc->root, "contacts", 8);
	if (!contacts || contacts->type != CRMF_NODE_SEQUENCE) {
		crmf_node_walk(c->doc, contacts, len > 8 ? name + 9 : name + 8, len > 8 ? len - 9 : 0,
			       emit, ectx);
		return;
	}
	for (size_t i = 0; i < contacts->n; i++)
		if (!contact_left(contacts->items[i]) &&
		    crmf_node_walk(c->doc, contacts->items[i], len > 8 ? name + 9 : name + 8,
				   len > 8 ? len - 9 : 0, emit, ectx))
			return;
}

struct find_id {
	const char *id;
	bool hit;
};

static bool same_id(void *ctx, const char *s, size_t len)
{
	struct find_id *f = ctx;

	f->hit = strlen(f->id) == len && strncasecmp(s, f->id, len) == 0;
	return f->hit;
}

const crmf_customer *crmf_repo_merged_into(const crmf_repo *repo, const char *id)
{
	for (size_t i = 0; i < repo->n; i++) {
		struct find_id f = {id, false};

		crmf_customer_values(repo->v[i], NULL, "merged", 6, same_id, &f);
		if (f.hit)
			return repo->v[i];
	}
	return NULL;
}

/* ---- follow-ups ---- */

void crmf_fu_values(const crmf_followup *f, crmf_fu_field field, crmf_expr_emit emit, void *ectx)
{
	char buf[32];
	int y, m, d;

	if (field == CRMF_FU_WEEK || field == CRMF_FU_MONTH) {
		if (f->date == CRMF_NO_DAY)
			return;
		if (field == CRMF_FU_WEEK) {
			crmf_date_iso_week(f->date, &y, &m);
			snprintf(buf, sizeof(buf), "%04d-W%02d", y, m);
		} else {
			crmf_date_to_ymd(f->date, &y, &m, &d);
			snprintf(buf, sizeof(buf), "%04d-%02d", y, m);
		}
		emit(ectx, buf, strlen(buf));
		return;
	}
	/* the text as written, valid or not, as a walk of the file finds it */
	if (f->node) {
		const char *key = crmf_fu_field_names[field];
		const crmf_node *v = get_n(f->node, key, strlen(key));

		if (v && v->type == CRMF_NODE_SCALAR && !crmf_node_is_null(v))
			emit(ectx, v->value, v->len);
		return;
	}
	/* a follow-up of a summary: only date, next and due are kept */
	if (field == CRMF_FU_DATE && f->date != CRMF_NO_DAY) {
		crmf_date_format(f->date, buf);
		if (f->minute >= 0)
			snprintf(buf + 10, sizeof(buf) - 10, " %02d:%02d", (f->minute / 60) % 24,
				 f->minute % 60);
		emit(ectx, buf, strlen(buf));
	} else if (field == CRMF_FU_NEXT && f->next) {
		emit(ectx, f->next, strlen(f->next));
	} else if (field == CRMF_FU_DUE && f->due != CRMF_NO_DAY) {
		emit_day(emit, ectx, f->due);
	}
}

void crmf_fu_row_values(const crmf_fu_row *r, const char *name, size_t len, crmf_expr_emit emit,
			void *ectx)
{
	int field = crmf_fu_field_find(name, len);

	if (field >= 0)
		crmf_fu_values(r->f, (crmf_fu_field)field, emit, ectx);
	else
		crmf_customer_values(r->c, r->k, name, len, emit, ectx);
}

void crmf_fu_lookup(void *ctx, const char *name, size_t len, crmf_expr_emit emit, void *ectx)
{
	crmf_fu_row_values(ctx, name, len, emit, ectx);
}

size_t crmf_fu_each(const crmf_customer *c, const crmf_class *k, const crmf_expr *where,
		    void (*fn)(void *ctx, const crmf_fu_row *r), void *ctx)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_followups; i++) {
		crmf_fu_row r = {c, k, &c->followups[i], i};

		if (where && !crmf_expr_eval(where, crmf_fu_lookup, &r))
			continue;
		if (fn)
			fn(ctx, &r);
		n++;
	}
	return n;
}
