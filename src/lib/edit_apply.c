/* SPDX-License-Identifier: MIT */
/* Paths to nodes, the edit applied to the bytes, and the result parsed again and verified. */
#include "edit_private.h"

#include <stdlib.h>
#include <string.h>

/* ---- paths ---- */

/* keys separated by dots, each with any number of [N] or [-N] after it */
static int path_syntax(const char *path)
{
	const char *p = path;

	for (;;) {
		const char *k = p;

		while (*p && *p != '.' && *p != '[' && *p != ']')
			p++;
		if (p == k)
			return crmf_error_set("invalid path '%s': a key is missing at column %d",
					      path, (int)(k - path) + 1);
		while (*p == '[') {
			const char *q = p + 1;

			if (*q == '-')
				q++;
			if (!is_digit(*q))
				return crmf_error_set(
				    "invalid path '%s': a number is missing at column %d", path,
				    (int)(q - path) + 1);
			while (is_digit(*q))
				q++;
			if (*q != ']')
				return crmf_error_set(
				    "invalid path '%s': ']' is missing at column %d", path,
				    (int)(q - path) + 1);
			p = q + 1;
		}
		if (!*p)
			return 0;
		if (*p != '.')
			return crmf_error_set("invalid path '%s': unexpected '%c' at column %d",
					      path, *p, (int)(p - path) + 1);
		p++;
	}
}

int crmf_edit_find(crmf_edit_target *out, const crmf_doc *doc, const char *path)
{
	const crmf_node *c;
	const char *p = path;

	memset(out, 0, sizeof(*out));
	if (!doc || !doc->root)
		return crmf_error_set("the file did not parse; fix it first");
	if (!path || !*path)
		return crmf_error_set(
		    "empty path; name a field like 'stage' or 'contacts[0].phone'");
	if (path_syntax(path) < 0)
		return -1;
	c = doc->root;
	for (;;) {
		const char *k = p;
		size_t klen, idx;
		const crmf_pair *pair;

		while (*p && *p != '.' && *p != '[')
			p++;
		klen = (size_t)(p - k);
		if (c->type != CRMF_NODE_MAPPING)
			return crmf_error_set("'%.*s' is not a mapping; '%s' cannot be found in it",
					      (int)(k - path) - 1, path, path);
		pair = ed_pair_of(c, k, klen, &idx);
		if (!pair) {
			if (*p)
				return crmf_error_set("no '%.*s' in the file", (int)(p - path),
						      path);
			out->parent = (crmf_node *)c;
			out->key = k;
			out->key_len = klen;
			return 0;
		}
		out->parent = (crmf_node *)c;
		out->index = idx;
		out->key = k;
		out->key_len = klen;
		c = pair->value;
		while (*p == '[') {
			char *end;
			long i = strtol(p + 1, &end, 10);

			if (c->type != CRMF_NODE_SEQUENCE)
				return crmf_error_set("'%.*s' is not a list", (int)(p - path),
						      path);
			if (i < 0)
				i += (long)c->n;
			if (i < 0 || (size_t)i >= c->n)
				return crmf_error_set(
				    "'%.*s' has %zu items; '%.*s' is not one of them",
				    (int)(p - path), path, c->n, (int)(end + 1 - path), path);
			out->parent = (crmf_node *)c;
			out->index = (size_t)i;
			out->key = NULL;
			out->key_len = 0;
			c = c->items[i];
			p = end + 1;
		}
		if (!*p)
			break;
		p++;
	}
	out->node = (crmf_node *)c;
	return 0;
}

int crmf_edit_set(crmf_edit *e, const char *path, const char *value, unsigned flags)
{
	crmf_edit_target t;
	char *key;
	int rc;

	if (crmf_edit_find(&t, e->doc, path) < 0)
		return -1;
	if (t.node) {
		if (t.node->type != CRMF_NODE_SCALAR)
			return crmf_error_set("'%s' is a %s; set one of its fields instead", path,
					      t.node->type == CRMF_NODE_MAPPING ? "mapping"
										: "list");
		return crmf_edit_set_scalar(e, t.node, value, flags);
	}
	key = xstrndup(t.key, t.key_len);
	rc = crmf_edit_add_key(e, t.parent, key, value, flags);
	free(key);
	return rc;
}

int crmf_edit_delete(crmf_edit *e, const char *path)
{
	crmf_edit_target t;

	if (crmf_edit_find(&t, e->doc, path) < 0)
		return -1;
	if (!t.node)
		return crmf_error_set("no '%s' in the file", path);
	if (t.parent->type == CRMF_NODE_SEQUENCE)
		return crmf_edit_delete_item(e, t.parent, t.index);
	return crmf_edit_delete_key(e, t.parent, t.parent->pairs[t.index].key->value);
}

/* ---- applying ---- */

/* Indexes of the splices in source order; at equal offsets insertions go
 * before a removal, else creation order holds. Edits are small: insertion sort. */
static size_t *sorted(const crmf_edit *e)
{
	size_t *o = xmalloc((e->nsp ? e->nsp : 1) * sizeof(*o));

	for (size_t i = 0; i < e->nsp; i++) {
		size_t j = i;

		o[i] = i;
		while (j > 0) {
			const struct splice *a = &e->sp[o[j - 1]], *b = &e->sp[o[j]];
			bool after =
			    a->offset > b->offset ||
			    (a->offset == b->offset &&
			     ((a->removed && !b->removed) ||
			      ((a->removed != 0) == (b->removed != 0) && a->seq > b->seq)));
			size_t tmp;

			if (!after)
				break;
			tmp = o[j - 1], o[j - 1] = o[j], o[j] = tmp;
			j--;
		}
	}
	return o;
}

crmf_splice *crmf_edit_splices(const crmf_edit *e, size_t *n)
{
	crmf_splice *v;
	size_t *o;

	*n = e ? e->nsp : 0;
	if (!*n)
		return NULL;
	o = sorted(e);
	v = xmalloc(e->nsp * sizeof(*v));
	for (size_t i = 0; i < e->nsp; i++) {
		const struct splice *s = &e->sp[o[i]];

		v[i].offset = s->offset;
		v[i].removed = s->removed;
		v[i].text = s->len ? e->text.buf + s->text : "";
		v[i].len = s->len;
	}
	free(o);
	return v;
}

/* The edited bytes; newpos[i], when given, receives where splice i's text starts. */
static char *apply(const crmf_edit *e, size_t *len, size_t *newpos)
{
	size_t *o = sorted(e), pos = 0;
	strbuf sb = STRBUF_INIT;

	sb_grow(&sb, e->len + e->text.len);
	for (size_t i = 0; i < e->nsp; i++) {
		const struct splice *s = &e->sp[o[i]];

		sb_add(&sb, e->s + pos, s->offset - pos);
		if (newpos)
			newpos[o[i]] = sb.len;
		if (s->len)
			sb_add(&sb, e->text.buf + s->text, s->len);
		pos = s->offset + s->removed;
	}
	sb_add(&sb, e->s + pos, e->len - pos);
	free(o);
	*len = sb.len;
	return sb_detach(&sb);
}

int crmf_edit_apply(char **out, size_t *len, const crmf_edit *e)
{
	*out = apply(e, len, NULL);
	return 0;
}

/* ---- reading back ---- */

/* Where byte `old` of the original went (it must not be inside a removal). */
static size_t map_offset(const crmf_edit *e, size_t old)
{
	size_t pos = old;

	for (size_t i = 0; i < e->nsp; i++) {
		const struct splice *s = &e->sp[i];

		if (s->offset + s->removed <= old)
			pos = pos + s->len - s->removed;
	}
	return pos;
}

/* The scalar or flow collection starting at `off` as a value or an item,
 * with its key (NULL for an item) and its path as path_of writes it. */
static const crmf_node *value_at(const crmf_node *c, size_t off, const crmf_node **key,
				 strbuf *path)
{
	while (c && c->type != CRMF_NODE_SCALAR) {
		const crmf_node *next = NULL, *nkey = NULL;

		for (size_t i = 0; i < c->n; i++) {
			const crmf_node *v, *first;

			if (c->type == CRMF_NODE_MAPPING)
				v = c->pairs[i].value, first = c->pairs[i].key;
			else
				v = first = c->items[i];
			if (first->start > off)
				break;
			next = v;
			nkey = c->type == CRMF_NODE_MAPPING ? first : NULL;
			if (v->start == off &&
			    (v->type == CRMF_NODE_SCALAR || v->style == CRMF_STYLE_FLOW))
				break;
		}
		if (!next)
			return NULL;
		if (!nkey) {
			sb_adds(path, "[]");
		} else {
			if (path->len)
				sb_addc(path, '.');
			sb_adds(path, nkey->value);
		}
		if (next->start == off &&
		    (next->type == CRMF_NODE_SCALAR || next->style == CRMF_STYLE_FLOW)) {
			*key = nkey;
			return next;
		}
		c = next;
	}
	return NULL;
}

/* The collection of type `type` with an entry (key or item) starting at `off`. */
static const crmf_node *container_at(const crmf_node *c, size_t off, crmf_node_type type)
{
	while (c && c->type != CRMF_NODE_SCALAR) {
		const crmf_node *next = NULL;

		for (size_t i = 0; i < c->n; i++) {
			size_t st = ed_entry_start(c, i);

			if (st == off && c->type == type)
				return c;
			if (st <= off)
				next =
				    c->type == CRMF_NODE_MAPPING ? c->pairs[i].value : c->items[i];
		}
		c = next;
	}
	return NULL;
}

static int check_written(const struct check *c, const crmf_doc *nd, size_t off)
{
	const crmf_node *k = NULL, *v;
	strbuf path = STRBUF_INIT;
	bool here;

	v = value_at(nd->root, off, &k, &path);
	here = v && strcmp(path.buf ? path.buf : "", c->path) == 0;
	sb_release(&path);
	if (c->kind == CK_EMPTY) {
		if (!here || v->n != 0 || v->style != CRMF_STYLE_FLOW ||
		    v->type != (c->empty == '{' ? CRMF_NODE_MAPPING : CRMF_NODE_SEQUENCE))
			return crmf_error_set("the emptied '%s' does not read back as %s", c->path,
					      c->empty == '{' ? "{}" : "[]");
		return 0;
	}
	if (!v || v->type != CRMF_NODE_SCALAR)
		return crmf_error_set(
		    "the value written for '%s' is not found where it was written", c->path);
	if (!here)
		return crmf_error_set("the value written for '%s' lands in the wrong place",
				      c->path);
	if (v->len != c->vlen || memcmp(v->value, c->value, c->vlen) != 0)
		return crmf_error_set("the value written for '%s' reads back as '%s', not '%s'",
				      c->path, v->value, c->value);
	return 0;
}

/* Is entry i of `container` deleted by this edit? */
bool ed_deleted(const crmf_edit *e, const crmf_node *container, size_t i)
{
	for (size_t j = 0; j < e->nck; j++)
		if ((e->ck[j].kind == CK_ABSENT || e->ck[j].kind == CK_COUNT) &&
		    e->ck[j].container == container && e->ck[j].index == i)
			return true;
	return false;
}

/* A surviving entry of `container`, as an offset in the new source; SIZE_MAX when none. */
static size_t anchor(const crmf_edit *e, const crmf_node *container)
{
	for (size_t i = 0; i < container->n; i++)
		if (!ed_deleted(e, container, i))
			return map_offset(e, ed_entry_start(container, i));
	return SIZE_MAX;
}

static int check_structure(const crmf_edit *e, const struct check *c, const crmf_doc *nd)
{
	size_t at = anchor(e, c->container);
	const crmf_node *n;

	if (at == SIZE_MAX)
		return 0; /* everything went: an emptied collection is checked as such */
	if (c->kind == CK_ABSENT) {
		n = container_at(nd->root, at, CRMF_NODE_MAPPING);
		if (!n || ed_pair_of(n, c->key, strlen(c->key), NULL))
			return crmf_error_set("the deleted key '%s' is still there", c->key);
		return 0;
	}
	/* CK_COUNT: once per sequence */
	for (const struct check *p = e->ck; p < c; p++)
		if (p->kind == CK_COUNT && p->container == c->container)
			return 0;
	{
		size_t want = c->container->n;

		for (const struct check *p = c; p < e->ck + e->nck; p++)
			if (p->kind == CK_COUNT && p->container == c->container)
				want = p->index == SIZE_MAX ? want + 1 : want - 1;
		n = container_at(nd->root, at, CRMF_NODE_SEQUENCE);
		if (!n || n->n != want)
			return crmf_error_set("the edited list has %zu items instead of %zu",
					      n ? n->n : 0, want);
	}
	return 0;
}

int crmf_edit_finish(crmf_doc **out, const crmf_edit *e, crmf_diags *diags)
{
	size_t len, *newpos = xmalloc((e->nsp ? e->nsp : 1) * sizeof(*newpos));
	char *buf = apply(e, &len, newpos);
	crmf_diags local;
	crmf_doc *nd = NULL;
	int rc = -1;

	*out = NULL;
	crmf_diags_init(&local);
	if (crmf_doc_parse(&nd, e->doc->path, buf, len, &local) < 0 || !nd || !nd->root) {
		crmf_error_set("the edited file does not parse%s%s", local.n ? ": " : "",
			       local.n ? local.v[0].message : "");
		goto done;
	}
	for (size_t i = 0; i < e->nck; i++) {
		const struct check *c = &e->ck[i];

		switch (c->kind) {
		case CK_VALUE:
		case CK_EMPTY:
			if (c->marker)
				continue;
			if (check_written(c, nd,
					  c->splice == NO_SPLICE ? map_offset(e, c->at)
								 : newpos[c->splice] + c->at) < 0)
				goto done;
			break;
		case CK_ABSENT:
		case CK_COUNT:
			if (check_structure(e, c, nd) < 0)
				goto done;
			break;
		}
	}
	*out = nd;
	nd = NULL;
	rc = 0;
done:
	if (diags)
		crmf_diags_move(diags, &local);
	else
		crmf_diags_release(&local);
	crmf_doc_free(nd);
	free(buf);
	free(newpos);
	return rc;
}
