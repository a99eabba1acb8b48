/* SPDX-License-Identifier: MIT */
/* Field-level changes between two versions of a customer file, in the words every command uses. */
#include "crmf/diff.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crmf/crypt.h"
#include "util.h"

#define SHOW_MAX 60 /* code points of a value shown in a line */

typedef struct changes {
	crmf_change *v;
	size_t n, cap;
} changes;

static void add(changes *cl, const char *top, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add(changes *cl, const char *top, const char *fmt, ...)
{
	va_list ap;

	if (cl->n == cl->cap) {
		cl->cap = cl->cap ? cl->cap * 2 : 8;
		cl->v = xrealloc(cl->v, cl->cap * sizeof(*cl->v));
	}
	fmt = crmf_tr(fmt);
	va_start(ap, fmt);
	cl->v[cl->n].text = xvasprintf(fmt, ap);
	va_end(ap);
	cl->v[cl->n].field = top ? xstrdup(top) : NULL;
	cl->n++;
}

/* ---- values as text ---- */

static void show_into(strbuf *sb, const crmf_node *n)
{
	if (!n) {
		sb_adds(sb, crmf_tr("(none)"));
	} else if (n->type == CRMF_NODE_SCALAR) {
		if (crmf_node_is_null(n)) {
			sb_adds(sb, crmf_tr("(empty)"));
			return;
		}
		for (size_t i = 0; i < n->len; i++) {
			char ch = n->value[i];

			sb_addc(sb, ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : ch);
		}
	} else if (n->type == CRMF_NODE_MAPPING) {
		sb_addc(sb, '{');
		/* what is cut off anyway is not built */
		for (size_t i = 0; i < n->n && sb->len < 4 * SHOW_MAX; i++) {
			if (i)
				sb_adds(sb, ", ");
			show_into(sb, n->pairs[i].key);
			sb_adds(sb, ": ");
			show_into(sb, n->pairs[i].value);
		}
		sb_addc(sb, '}');
	} else {
		sb_addc(sb, '[');
		for (size_t i = 0; i < n->n && sb->len < 4 * SHOW_MAX; i++) {
			if (i)
				sb_adds(sb, ", ");
			show_into(sb, n->items[i]);
		}
		sb_addc(sb, ']');
	}
}

/* A value as a line shows it: on one line, cut after SHOW_MAX characters. */
static char *show(const crmf_node *n)
{
	strbuf sb = STRBUF_INIT;
	size_t chars = 0;

	/* an encrypted value says nothing to a reader, and takes a line */
	if (n && n->type == CRMF_NODE_SCALAR && crmf_token_like(n->value))
		return xstrdup(CRMF_CRYPT_MASK);
	show_into(&sb, n);
	for (size_t i = 0; i < sb.len; i++) {
		if (((unsigned char)sb.buf[i] & 0xc0) == 0x80)
			continue;
		if (++chars > SHOW_MAX) {
			sb.len = i;
			sb.buf[i] = '\0';
			sb_adds(&sb, "…");
			break;
		}
	}
	return sb_detach(&sb);
}

/* ---- equality ---- */

/* Values compare as YAML reads them: quoting aside, and `~`, `null` and nothing alike. */
static bool scalar_eq(const crmf_node *a, const crmf_node *b)
{
	bool na = crmf_node_is_null(a), nb = crmf_node_is_null(b);

	if (na || nb)
		return na && nb;
	return a->len == b->len && memcmp(a->value, b->value, a->len) == 0;
}

/* A form of the node that is equal for equal content (as scalar_eq says), whatever the style. */
static void canon(strbuf *sb, const crmf_node *n)
{
	if (!n || crmf_node_is_null(n)) {
		sb_addc(sb, '~');
	} else if (n->type == CRMF_NODE_SCALAR) {
		sb_addf(sb, "s%zu:", n->len);
		sb_add(sb, n->value, n->len);
	} else if (n->type == CRMF_NODE_MAPPING) {
		sb_addc(sb, '{');
		for (size_t i = 0; i < n->n; i++) {
			canon(sb, n->pairs[i].key);
			canon(sb, n->pairs[i].value);
		}
		sb_addc(sb, '}');
	} else {
		sb_addc(sb, '[');
		for (size_t i = 0; i < n->n; i++)
			canon(sb, n->items[i]);
		sb_addc(sb, ']');
	}
}

/* ---- list entries ---- */

static const char *scalar_of(const crmf_node *map, const char *key)
{
	const crmf_node *v = crmf_node_get(map, key);

	return v && v->type == CRMF_NODE_SCALAR && !crmf_node_is_null(v) ? v->value : NULL;
}

/* How a whole entry of followups, deals or contacts is named; NULL for other lists. */
static char *item_label(const char *path, const crmf_node *item)
{
	const char *a, *b;

	if (!item || item->type != CRMF_NODE_MAPPING)
		return NULL;
	if (strcmp(path, "followups") == 0) {
		a = scalar_of(item, "date");
		b = scalar_of(item, "method");
		if (a && b)
			return xasprintf(crmf_tr("follow-up %s %s"), a, b);
		return a || b ? xasprintf(crmf_tr("follow-up %s"), a ? a : b)
			      : xstrdup(crmf_tr("follow-up"));
	}
	if (strcmp(path, "deals") == 0) {
		a = scalar_of(item, "amount");
		b = scalar_of(item, "signed");
		if (a && b)
			return xasprintf(crmf_tr("deal %s signed %s"), a, b);
		if (b)
			return xasprintf(crmf_tr("deal signed %s"), b);
		return a ? xasprintf(crmf_tr("deal %s"), a) : xstrdup(crmf_tr("deal"));
	}
	if (strcmp(path, "contacts") == 0) {
		a = scalar_of(item, "name");
		return a ? xasprintf(crmf_tr("contact %s"), a) : xstrdup(crmf_tr("contact"));
	}
	return NULL;
}

/* What pairs an old entry with a new one before position does: the same follow-up, deal,
 * contact; NULL when the entry has none. */
static char *item_ident(const char *path, const crmf_node *item)
{
	const char *a, *b;

	if (!item || item->type != CRMF_NODE_MAPPING)
		return NULL;
	if (strcmp(path, "followups") == 0) {
		a = scalar_of(item, "date");
		b = scalar_of(item, "method");
		return a ? xasprintf("%s|%s", a, b ? b : "") : NULL;
	}
	if (strcmp(path, "deals") == 0)
		return (a = scalar_of(item, "signed")) ? xstrdup(a) : NULL;
	if (strcmp(path, "contacts") == 0)
		return (a = scalar_of(item, "name")) ? xstrdup(a) : NULL;
	return NULL;
}

/* ---- the walk ---- */

static void diff_node(changes *cl, const char *top, const char *path, const crmf_node *a,
		      const crmf_node *b);

/* One entry of a list added ('+') or removed ('-'): by its name, else by its value. */
static void one_item(changes *cl, char sign, const char *top, const char *path,
		     const crmf_node *item)
{
	char *label = item_label(path, item);

	if (label) {
		add(cl, top, "%c %s", sign, label);
		free(label);
	} else {
		char *s = show(item);

		add(cl, top, "%c %s: %s", sign, path, s);
		free(s);
	}
}

/* Every value of `n` as added ('+') or removed ('-'), one line per scalar or list entry. */
static void one_side(changes *cl, char sign, const char *top, const char *path, const crmf_node *n)
{
	char *s;

	if (n && n->type == CRMF_NODE_MAPPING && n->n > 0) {
		for (size_t i = 0; i < n->n; i++) {
			s = xasprintf("%s.%s", path, n->pairs[i].key->value);
			one_side(cl, sign, top, s, n->pairs[i].value);
			free(s);
		}
		return;
	}
	if (n && n->type == CRMF_NODE_SEQUENCE && n->n > 0) {
		for (size_t i = 0; i < n->n; i++)
			one_item(cl, sign, top, path, n->items[i]);
		return;
	}
	s = show(n);
	add(cl, top, "%c %s: %s", sign, path, s);
	free(s);
}

/* `top` NULL: the document's root, each key its own top-level field. */
static void diff_mapping(changes *cl, const char *top, const char *path, const crmf_node *a,
			 const crmf_node *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const char *k = b->pairs[i].key->value;
		const crmf_pair *old = crmf_node_pair(a, k);
		char *sub = path ? xasprintf("%s.%s", path, k) : xstrdup(k);

		if (old)
			diff_node(cl, top ? top : k, sub, old->value, b->pairs[i].value);
		else
			one_side(cl, '+', top ? top : k, sub, b->pairs[i].value);
		free(sub);
	}
	for (size_t i = 0; i < a->n; i++) {
		const char *k = a->pairs[i].key->value;
		char *sub;

		if (crmf_node_pair(b, k))
			continue;
		sub = path ? xasprintf("%s.%s", path, k) : xstrdup(k);
		one_side(cl, '-', top ? top : k, sub, a->pairs[i].value);
		free(sub);
	}
}

/* The canonical forms (and identities) of a list's entries, computed once per list. */
typedef struct entries {
	char **canon, **ident;
	unsigned long long *hash;
} entries;

static void entries_init(entries *e, const char *path, const crmf_node *list)
{
	size_t n = list->n;

	e->canon = xcalloc(n + 1, sizeof(*e->canon));
	e->ident = xcalloc(n + 1, sizeof(*e->ident));
	e->hash = xcalloc(n + 1, sizeof(*e->hash));
	for (size_t i = 0; i < n; i++) {
		strbuf sb = STRBUF_INIT;

		canon(&sb, list->items[i]);
		e->hash[i] = hash_bytes(sb.buf, sb.len);
		e->canon[i] = sb_detach(&sb);
		e->ident[i] = item_ident(path, list->items[i]);
	}
}

static void entries_release(entries *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e->canon[i]);
		free(e->ident[i]);
	}
	free(e->canon);
	free(e->ident);
	free(e->hash);
}

static bool entry_eq(const entries *x, size_t i, const entries *y, size_t j)
{
	return x->hash[i] == y->hash[j] && strcmp(x->canon[i], y->canon[j]) == 0;
}

/*
 * Lists: equal entries are matched first (in order), then entries naming the
 * same follow-up, deal or contact, and what is left pairs by position when
 * as many entries were removed as added; the rest are added or removed.
 */
static void diff_sequence(changes *cl, const char *top, const char *path, const crmf_node *a,
			  const crmf_node *b)
{
	size_t na = a->n, nb = b->n, left_a = 0, left_b = 0;
	size_t *match = xmalloc((nb + 1) * sizeof(*match)); /* b index -> a index, or SIZE_MAX */
	bool *used = xcalloc(na + 1, sizeof(*used));
	entries ea, eb;

	entries_init(&ea, path, a);
	entries_init(&eb, path, b);
	/* appending is the common case: the same entries at the same places */
	for (size_t j = 0; j < nb; j++) {
		match[j] = SIZE_MAX;
		if (j < na && entry_eq(&ea, j, &eb, j)) {
			match[j] = j;
			used[j] = true;
		}
	}
	for (size_t j = 0; j < nb; j++)
		for (size_t i = 0; i < na && match[j] == SIZE_MAX; i++)
			if (!used[i] && entry_eq(&ea, i, &eb, j)) {
				match[j] = i;
				used[i] = true;
			}
	for (size_t j = 0; j < nb; j++) {
		if (match[j] != SIZE_MAX || !eb.ident[j])
			continue;
		for (size_t i = 0; i < na && match[j] == SIZE_MAX; i++)
			if (!used[i] && ea.ident[i] && strcmp(ea.ident[i], eb.ident[j]) == 0) {
				match[j] = i;
				used[i] = true;
			}
	}
	for (size_t i = 0; i < na; i++)
		left_a += !used[i];
	for (size_t j = 0; j < nb; j++)
		left_b += match[j] == SIZE_MAX;
	if (left_a == left_b) {
		size_t i = 0;

		for (size_t j = 0; j < nb; j++) {
			if (match[j] != SIZE_MAX)
				continue;
			while (used[i])
				i++;
			match[j] = i;
			used[i] = true;
		}
	}
	for (size_t j = 0; j < nb; j++) {
		if (match[j] == SIZE_MAX) {
			one_item(cl, '+', top, path, b->items[j]);
		} else if (!entry_eq(&ea, match[j], &eb, j)) {
			char *sub = xasprintf("%s[%zu]", path, j);

			diff_node(cl, top, sub, a->items[match[j]], b->items[j]);
			free(sub);
		}
	}
	for (size_t i = 0; i < na; i++)
		if (!used[i])
			one_item(cl, '-', top, path, a->items[i]);
	entries_release(&ea, na);
	entries_release(&eb, nb);
	free(match);
	free(used);
}

static void diff_node(changes *cl, const char *top, const char *path, const crmf_node *a,
		      const crmf_node *b)
{
	if (a->type == CRMF_NODE_MAPPING && b->type == CRMF_NODE_MAPPING) {
		diff_mapping(cl, top, path, a, b);
	} else if (a->type == CRMF_NODE_SEQUENCE && b->type == CRMF_NODE_SEQUENCE) {
		diff_sequence(cl, top, path, a, b);
	} else if (a->type != b->type || !scalar_eq(a, b)) {
		char *x = show(a), *y = show(b);

		add(cl, top, "%s: %s → %s", path, x, y);
		free(x);
		free(y);
	}
}

/* ---- the two versions ---- */

/* One version of the file: absent, unreadable (root NULL) or a mapping. */
typedef struct version {
	bool exists;
	const crmf_node *root;
	const char *path;
	const char *src;
	size_t len;
} version;

static version version_of(const crmf_doc *d, const char *path, const char *src, size_t len)
{
	version v = {src != NULL, NULL, path ? path : "", src, len};

	if (d && d->root && d->root->type == CRMF_NODE_MAPPING)
		v.root = d->root;
	return v;
}

static void diff_versions(crmf_change **out, size_t *n, const version *a, const version *b,
			  const char *field)
{
	static const crmf_node empty = {.type = CRMF_NODE_MAPPING};
	changes cl = {NULL, 0, 0};
	bool bad_a = a->exists && !a->root, bad_b = b->exists && !b->root;

	if (bad_a || bad_b) {
		if (!field)
			add(&cl, NULL,
			    bad_b ? N_("fields not compared: %s is not valid YAML after")
				  : N_("fields not compared: %s is not valid YAML before"),
			    bad_b ? b->path : a->path);
	} else if (field) {
		const crmf_pair *pa = a->exists ? crmf_node_pair(a->root, field) : NULL;
		const crmf_pair *pb = b->exists ? crmf_node_pair(b->root, field) : NULL;

		if (pa && pb)
			diff_node(&cl, field, field, pa->value, pb->value);
		else if (pb)
			one_side(&cl, '+', field, field, pb->value);
		else if (pa)
			one_side(&cl, '-', field, field, pa->value);
	} else {
		diff_mapping(&cl, NULL, NULL, a->exists ? a->root : &empty,
			     b->exists ? b->root : &empty);
		if (cl.n == 0 && a->exists && b->exists &&
		    (a->len != b->len || memcmp(a->src, b->src, a->len) != 0))
			add(&cl, NULL, N_("comments or layout changed"));
	}
	*out = cl.v;
	*n = cl.n;
}

int crmf_diff_docs(crmf_change **out, size_t *n, const crmf_doc *before, const crmf_doc *after,
		   const char *field)
{
	version a = version_of(before, before ? before->path : NULL, before ? before->src : NULL,
			       before ? before->len : 0);
	version b = version_of(after, after ? after->path : NULL, after ? after->src : NULL,
			       after ? after->len : 0);

	diff_versions(out, n, &a, &b, field);
	return 0;
}

/* `buf` parsed, errors and all; NULL when absent or when nothing could be parsed. */
static crmf_doc *parse(const char *path, const char *buf, size_t len)
{
	crmf_doc *doc = NULL;
	crmf_diags d;

	if (!buf)
		return NULL;
	crmf_diags_init(&d);
	crmf_doc_parse(&doc, path ? path : "", buf, len, &d);
	crmf_diags_release(&d);
	return doc;
}

int crmf_diff_bytes(crmf_change **out, size_t *n, const char *before_path, const char *before,
		    size_t before_len, const char *after_path, const char *after, size_t after_len,
		    const char *field)
{
	crmf_doc *da = parse(before_path, before, before_len);
	crmf_doc *db = parse(after_path, after, after_len);
	version a = version_of(da, before_path, before, before_len);
	version b = version_of(db, after_path, after, after_len);

	diff_versions(out, n, &a, &b, field);
	crmf_doc_free(da);
	crmf_doc_free(db);
	return 0;
}

void crmf_diff_free(crmf_change *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].text);
		free(v[i].field);
	}
	free(v);
}

void crmf_diff_texts(char ***lines, crmf_change *v, size_t n)
{
	*lines = NULL;
	if (!v)
		return;
	if (n) {
		*lines = xmalloc(n * sizeof(**lines));
		for (size_t i = 0; i < n; i++) {
			(*lines)[i] = v[i].text;
			free(v[i].field);
		}
	}
	free(v);
}
