/* SPDX-License-Identifier: MIT */
/* Edits of a YAML file as byte splices on its source, checked by parsing the result again. */
#include "crmf/edit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edit_private.h"
#include "lines.h"

/* The part of a value on the key's line: the scalar, or a literal's header. */
static void render_head(crmf_edit *e, const char *v, enum rstyle r)
{
	size_t n = strlen(v);

	switch (r) {
	case R_PLAIN:
		sb_add(&e->text, v, n);
		break;
	case R_SINGLE:
		sb_addc(&e->text, '\'');
		for (size_t i = 0; i < n; i++) {
			if (v[i] == '\'')
				sb_addc(&e->text, '\'');
			sb_addc(&e->text, v[i]);
		}
		sb_addc(&e->text, '\'');
		break;
	case R_DOUBLE:
		ed_quote_into(&e->text, v); /* valid UTF-8: checked by choose_style */
		break;
	case R_LITERAL:
		sb_adds(&e->text, v[n - 1] == '\n' ? "|" : "|-");
		break;
	}
}

static void add_spaces(crmf_edit *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_addc(&e->text, ' ');
}

/* A literal's lines, each after a line end, none after the last. */
static void render_body(crmf_edit *e, const char *v, size_t indent)
{
	size_t n = strlen(v);

	if (n && v[n - 1] == '\n')
		n--;
	for (size_t i = 0; i <= n;) {
		const char *nl = memchr(v + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - v) : n;

		sb_adds(&e->text, e->eol);
		if (end > i) {
			add_spaces(e, indent);
			sb_add(&e->text, v + i, end - i);
		}
		i = end + 1;
	}
}

static int render_key(crmf_edit *e, const char *key, bool flow)
{
	if (!*key || strchr(key, '\n'))
		return crmf_error_set("invalid key '%s'; a key is one line of text", key);
	if (ed_value_ok(key) < 0)
		return -1;
	if (ed_plain_ok(key, flow, true))
		sb_adds(&e->text, key);
	else
		ed_quote_into(&e->text, key);
	return 0;
}

/* ---- the source, line by line ---- */

static size_t line_begin(const crmf_edit *e, size_t pos)
{
	return line_begin_in(e->s, pos, e->doc->bom);
}

/* Where the line holding `pos` breaks (its CR or LF), or the end of the file. */
static size_t line_break(const crmf_edit *e, size_t pos)
{
	const char *nl = pos < e->len ? memchr(e->s + pos, '\n', e->len - pos) : NULL;
	size_t q;

	if (!nl)
		return e->len;
	q = (size_t)(nl - e->s);
	if (q > pos && e->s[q - 1] == '\r')
		q--;
	return q;
}

static size_t next_line(const crmf_edit *e, size_t pos)
{
	return next_line_in(e->s, e->len, pos);
}

/* Bytes from the line start: only ASCII indicators and spaces precede block keys. */
static size_t col_of(const crmf_edit *e, size_t pos)
{
	return pos - line_begin(e, pos);
}

/* The column of a block mapping whose key is `k`: the key's, or for an explicit
 * key (`? k`, `?` alone for an empty one) the column of its '?'. */
static size_t key_col(const crmf_edit *e, const crmf_node *k)
{
	size_t ls = line_begin(e, k->start), q = k->start;

	while (q > ls && e->s[q - 1] == ' ')
		q--;
	if (q > ls && e->s[q - 1] == '?')
		return col_of(e, q - 1);
	return col_of(e, k->start);
}

static bool first_on_line(const crmf_edit *e, size_t pos)
{
	return first_on_line_in(e->s, pos, e->doc->bom);
}

static size_t content_end(const crmf_node *n)
{
	return last_leaf(n)->end;
}

static size_t entry_end(const crmf_edit *e, const crmf_node *n, size_t col)
{
	return entry_end_in(e->s, e->len, n, col);
}

/* Inserting at `pos` must first end the last line when it lacks a line end. */
static void end_last_line(crmf_edit *e, size_t pos)
{
	if (pos == e->len && e->len > 0 && e->s[e->len - 1] != '\n')
		sb_adds(&e->text, e->eol);
}

/* Just past the ':' that follows key `k`, or SIZE_MAX. */
static size_t colon_end(const crmf_edit *e, const crmf_node *k)
{
	size_t p = k->end;

	while (p < e->len && e->s[p] == ' ')
		p++;
	return p < e->len && e->s[p] == ':' ? p + 1 : SIZE_MAX;
}

/* The '-' of a block sequence item, or SIZE_MAX. */
static size_t dash_of(const crmf_edit *e, const crmf_node *item)
{
	size_t p = item->start;

	while (p > 0 && strchr(" \t\r\n", e->s[p - 1]))
		p--;
	return p > 0 && e->s[p - 1] == '-' ? p - 1 : SIZE_MAX;
}

/* ---- the tree ---- */

static int chain_of(struct chain *ch, const crmf_doc *doc, const crmf_node *target)
{
	const crmf_node *c = doc->root;

	ch->n = 0;
	if (c == target)
		return 0;
	while (c && c->type != CRMF_NODE_SCALAR && ch->n <= CRMF_DOC_MAX_DEPTH) {
		const crmf_node *next = NULL;
		size_t best = 0;

		for (size_t i = 0; i < c->n; i++) {
			const crmf_node *child, *first;

			if (c->type == CRMF_NODE_MAPPING)
				child = c->pairs[i].value, first = c->pairs[i].key;
			else
				child = first = c->items[i];
			if (child == target) {
				ch->node[ch->n] = c;
				ch->index[ch->n++] = i;
				return 0;
			}
			if (first->start <= target->start)
				next = child, best = i;
		}
		if (!next)
			break;
		ch->node[ch->n] = c;
		ch->index[ch->n++] = best;
		c = next;
	}
	return crmf_error_set("the node to edit is not in this document");
}

const crmf_pair *ed_pair_of(const crmf_node *map, const char *key, size_t klen, size_t *index)
{
	for (size_t i = 0; i < map->n; i++) {
		const crmf_node *k = map->pairs[i].key;

		if (k->len == klen && memcmp(k->value, key, klen) == 0) {
			if (index)
				*index = i;
			return &map->pairs[i];
		}
	}
	return NULL;
}

static void sniff_node(crmf_edit *e, const crmf_node *n)
{
	if (n->type == CRMF_NODE_SCALAR || n->style != CRMF_STYLE_BLOCK)
		return;
	for (size_t i = 0; i < n->n; i++) {
		if (n->type == CRMF_NODE_MAPPING) {
			const crmf_node *k = n->pairs[i].key, *v = n->pairs[i].value;
			int d = v->column - k->column;

			if (v->type == CRMF_NODE_MAPPING && v->style == CRMF_STYLE_BLOCK &&
			    !e->map_step && d >= 1 && d <= 8)
				e->map_step = d;
			if (v->type == CRMF_NODE_SEQUENCE && v->style == CRMF_STYLE_BLOCK &&
			    e->seq_step < 0 && d >= 0 && d <= 8)
				e->seq_step = d;
			sniff_node(e, v);
		} else {
			const crmf_node *it = n->items[i];
			int d = it->column - n->column;

			if (it->type == CRMF_NODE_MAPPING && it->style == CRMF_STYLE_BLOCK &&
			    !e->item_step && it->line == n->line && d >= 2 && d <= 8)
				e->item_step = d;
			sniff_node(e, it);
		}
		if (e->map_step && e->seq_step >= 0 && e->item_step)
			return;
	}
}

/* How this file indents, from its first examples; 2 spaces where it has none. */
static void sniff(crmf_edit *e)
{
	if (e->sniffed)
		return;
	e->sniffed = true;
	e->map_step = 0;
	e->seq_step = -1;
	e->item_step = 0;
	sniff_node(e, e->doc->root);
	if (!e->map_step)
		e->map_step = 2;
	if (e->seq_step < 0)
		e->seq_step = e->map_step;
	if (!e->item_step)
		e->item_step = 2;
}

/* ---- splices, checks and rolling back a failed operation ---- */

struct mark {
	size_t nsp, nck, text;
};

static struct mark begin(const crmf_edit *e)
{
	struct mark m = {e->nsp, e->nck, e->text.len};

	return m;
}

static int fail(crmf_edit *e, struct mark m)
{
	for (size_t i = m.nck; i < e->nck; i++) {
		free(e->ck[i].key);
		free(e->ck[i].value);
		free(e->ck[i].path);
	}
	e->nsp = m.nsp;
	e->nck = m.nck;
	e->text.len = m.text;
	if (e->text.buf)
		e->text.buf[m.text] = '\0';
	return -1;
}

static bool overlaps(const struct splice *a, size_t off, size_t rem)
{
	if (a->removed && rem)
		return off < a->offset + a->removed && a->offset < off + rem;
	if (a->removed)
		return off > a->offset && off < a->offset + a->removed;
	if (rem)
		return a->offset > off && a->offset < off + rem;
	return false;
}

/* Add a splice whose text is e->text from `text` on; its index, or SIZE_MAX. */
static size_t add_splice(crmf_edit *e, size_t off, size_t rem, size_t text)
{
	struct splice *s;

	if (off > e->len || rem > e->len - off) {
		crmf_error_set("edit outside the file");
		return SIZE_MAX;
	}
	for (size_t i = 0; i < e->nsp; i++)
		if (overlaps(&e->sp[i], off, rem)) {
			crmf_error_set(
			    "two changes of one edit overlap at byte %zu; make them in two edits",
			    off);
			return SIZE_MAX;
		}
	if (e->nsp == e->capsp) {
		e->capsp = e->capsp ? e->capsp * 2 : 8;
		e->sp = xrealloc(e->sp, e->capsp * sizeof(*e->sp));
	}
	s = &e->sp[e->nsp];
	s->offset = off;
	s->removed = rem;
	s->text = text;
	s->len = e->text.len - text;
	s->seq = e->seq++;
	return e->nsp++;
}

static struct check *add_check(crmf_edit *e, enum check_kind kind)
{
	struct check *c;

	if (e->nck == e->capck) {
		e->capck = e->capck ? e->capck * 2 : 8;
		e->ck = xrealloc(e->ck, e->capck * sizeof(*e->ck));
	}
	c = &e->ck[e->nck++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->splice = NO_SPLICE;
	c->index = SIZE_MAX;
	return c;
}

/* The path of the node below the chain's last level, with `tail` keys after it. */
char *ed_path_of(const struct chain *ch, const char *tail1, const char *tail2)
{
	strbuf sb = STRBUF_INIT;

	for (int k = 0; k < ch->n; k++) {
		const crmf_node *n = ch->node[k];

		if (n->type == CRMF_NODE_SEQUENCE) {
			sb_adds(&sb, "[]");
		} else {
			if (sb.len)
				sb_addc(&sb, '.');
			sb_adds(&sb, n->pairs[ch->index[k]].key->value);
		}
	}
	for (const char *t = tail1; t; t = t == tail1 ? tail2 : NULL) {
		if (sb.len && t[0] != '[')
			sb_addc(&sb, '.');
		sb_adds(&sb, t);
	}
	return sb_detach(&sb);
}

static void check_value(crmf_edit *e, size_t splice, size_t at, const char *key, const char *v,
			char *path, const crmf_node *container)
{
	struct check *c = add_check(e, CK_VALUE);

	c->splice = splice;
	c->at = at;
	c->key = key ? xstrdup(key) : NULL;
	c->value = xstrdup(v);
	c->vlen = strlen(v);
	c->path = path;
	c->container = container;
}

/* Was `key` already added to `map` by this edit? */
static bool pending_key(const crmf_edit *e, const crmf_node *map, const char *key)
{
	for (size_t i = 0; i < e->nck; i++)
		if (e->ck[i].kind == CK_VALUE && e->ck[i].container == map && e->ck[i].key &&
		    strcmp(e->ck[i].key, key) == 0)
			return true;
	return false;
}

/* ---- operations ---- */

int crmf_edit_new(crmf_edit **out, const crmf_doc *doc)
{
	crmf_edit *e;

	*out = NULL;
	if (!doc || !doc->root)
		return crmf_error_set("cannot edit a file that did not parse; fix it first");
	e = xcalloc(1, sizeof(*e));
	e->doc = doc;
	e->s = doc->src;
	e->len = doc->len;
	e->eol = doc->crlf ? "\r\n" : "\n";
	*out = e;
	return 0;
}

void crmf_edit_free(crmf_edit *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nck; i++) {
		free(e->ck[i].key);
		free(e->ck[i].value);
		free(e->ck[i].path);
	}
	free(e->ck);
	free(e->sp);
	sb_release(&e->text);
	free(e);
}

int crmf_edit_set_scalar(crmf_edit *e, const crmf_node *node, const char *value, unsigned flags)
{
	struct mark m = begin(e);
	const crmf_node *parent, *key = NULL;
	struct chain ch;
	enum rstyle r;
	size_t base, t, rel = 0, id;

	if (!node || !value || node->type != CRMF_NODE_SCALAR)
		return crmf_error_set("only a single value can be set, not a list or mapping");
	if (chain_of(&ch, e->doc, node) < 0 || ch.n == 0)
		return -1;
	/* an empty value is set by an insertion, which no overlap check would catch */
	for (size_t i = 0; i < e->nck; i++)
		if (e->ck[i].kind == CK_VALUE && e->ck[i].container == node)
			return crmf_error_set("this value is already set by this edit");
	parent = ch.node[ch.n - 1];
	if (ed_choose_style(&r, value, flags, node->style, parent->style == CRMF_STYLE_FLOW) < 0)
		return -1;
	sniff(e);
	if (parent->type == CRMF_NODE_MAPPING) {
		key = parent->pairs[ch.index[ch.n - 1]].key;
		base = col_of(e, key->start);
	} else {
		size_t d = dash_of(e, node);

		base = d == SIZE_MAX ? col_of(e, node->start) : col_of(e, d);
	}

	t = e->text.len;
	if (node->style == CRMF_STYLE_LITERAL || node->style == CRMF_STYLE_FOLDED) {
		/* keep the comment after the header: replace the header, then the lines */
		size_t he = node->start + 1, lb, cend;

		while (he < node->end && strchr("+-0123456789", e->s[he]))
			he++;
		lb = line_break(e, he);
		cend = node->end > lb ? node->end : lb;
		render_head(e, value, r);
		id = add_splice(e, node->start, he - node->start, t);
		if (id == SIZE_MAX)
			return fail(e, m);
		t = e->text.len;
		if (r == R_LITERAL)
			render_body(e, value, base + (size_t)e->map_step);
		if (add_splice(e, lb, cend - lb, t) == SIZE_MAX)
			return fail(e, m);
	} else {
		if (node->start == node->end) {
			sb_addc(&e->text, ' ');
			rel = 1;
		}
		render_head(e, value, r);
		id = add_splice(e, node->start, node->end - node->start, t);
		if (id == SIZE_MAX)
			return fail(e, m);
		if (r == R_LITERAL) {
			t = e->text.len;
			render_body(e, value, base + (size_t)e->map_step);
			if (add_splice(e, line_break(e, node->end), 0, t) == SIZE_MAX)
				return fail(e, m);
		}
	}
	check_value(e, id, rel, key ? key->value : NULL, value, ed_path_of(&ch, NULL, NULL), node);
	return 0;
}

/* `key: value` for a new line or a flow mapping; the offset of the value in the splice text. */
static int render_pair(crmf_edit *e, size_t t, const char *key, const char *value, unsigned flags,
		       bool flow, size_t keycol, size_t *vrel)
{
	enum rstyle r;

	if (render_key(e, key, flow) < 0 ||
	    ed_choose_style(&r, value, flags, CRMF_STYLE_PLAIN, flow) < 0)
		return -1;
	sb_adds(&e->text, ": ");
	*vrel = e->text.len - t;
	render_head(e, value, r);
	if (r == R_LITERAL)
		render_body(e, value, keycol + (size_t)e->map_step);
	return 0;
}

int crmf_edit_add_key(crmf_edit *e, const crmf_node *map, const char *key, const char *value,
		      unsigned flags)
{
	struct mark m = begin(e);
	struct chain ch;
	size_t t, pos, vrel, id, kcol = 0;
	bool flow;

	if (!map || map->type != CRMF_NODE_MAPPING || !key || !value)
		return crmf_error_set("a key can only be added to a mapping");
	if (ed_pair_of(map, key, strlen(key), NULL) || pending_key(e, map, key))
		return crmf_error_set("key '%s' is already there", key);
	if (map->style != CRMF_STYLE_FLOW && !map->n)
		return crmf_error_set("no key of this mapping is plain text; fix the file first");
	if (chain_of(&ch, e->doc, map) < 0)
		return -1;
	sniff(e);
	flow = map->style == CRMF_STYLE_FLOW;
	t = e->text.len;
	if (flow) {
		pos = map->n ? content_end(map->pairs[map->n - 1].value) : map->start + 1;
		if (map->n)
			sb_adds(&e->text, ", ");
	} else {
		kcol = key_col(e, map->pairs[0].key);
		pos = entry_end(e, map->pairs[map->n - 1].value, kcol);
		end_last_line(e, pos);
		add_spaces(e, kcol);
	}
	if (render_pair(e, t, key, value, flags, flow, kcol, &vrel) < 0)
		return fail(e, m);
	if (!flow)
		sb_adds(&e->text, e->eol);
	id = add_splice(e, pos, 0, t);
	if (id == SIZE_MAX)
		return fail(e, m);
	check_value(e, id, vrel, key, value, ed_path_of(&ch, key, NULL), map);
	return 0;
}

/* The entry as block lines: '-' in column dcol, keys in column kcol. */
static int render_entry_block(crmf_edit *e, size_t t, const crmf_edit_field *f, size_t n,
			      size_t dcol, size_t kcol, size_t *vrel)
{
	for (size_t i = 0; i < n; i++) {
		if (i == 0) {
			add_spaces(e, dcol);
			sb_addc(&e->text, '-');
			add_spaces(e, kcol - dcol - 1);
		} else {
			add_spaces(e, kcol);
		}
		if (render_pair(e, t, f[i].key, f[i].value, f[i].flags, false, kcol, &vrel[i]) < 0)
			return -1;
		sb_adds(&e->text, e->eol);
	}
	return 0;
}

static int render_entry_flow(crmf_edit *e, size_t t, const crmf_edit_field *f, size_t n,
			     size_t *vrel)
{
	sb_addc(&e->text, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_adds(&e->text, ", ");
		if (render_pair(e, t, f[i].key, f[i].value, f[i].flags, true, 0, &vrel[i]) < 0)
			return -1;
	}
	sb_addc(&e->text, '}');
	return 0;
}

static int check_fields(const crmf_edit_field *f, size_t n)
{
	if (!f || n == 0)
		return crmf_error_set("an entry needs at least one field");
	for (size_t i = 0; i < n; i++) {
		if (!f[i].key || !f[i].value)
			return crmf_error_set("an entry's field needs a key and a value");
		for (size_t j = 0; j < i; j++)
			if (strcmp(f[i].key, f[j].key) == 0)
				return crmf_error_set("field '%s' given twice in one entry",
						      f[i].key);
	}
	return 0;
}

int crmf_edit_append(crmf_edit *e, const crmf_node *map, const char *key,
		     const crmf_edit_field *fields, size_t n)
{
	struct mark m = begin(e);
	const crmf_pair *pair;
	const crmf_node *k = NULL, *v = NULL;
	struct chain ch;
	size_t *vrel, t, pos, id, dcol, kcol, step;
	char *base = NULL;
	int rc = -1;

	if (!map || map->type != CRMF_NODE_MAPPING || !key)
		return crmf_error_set("an entry can only be appended under a key of a mapping");
	if (check_fields(fields, n) < 0 || chain_of(&ch, e->doc, map) < 0)
		return -1;
	if (pending_key(e, map, key))
		return crmf_error_set("key '%s' is already added by this edit", key);
	if (map->style != CRMF_STYLE_FLOW && !map->n)
		return crmf_error_set("no key of this mapping is plain text; fix the file first");
	sniff(e);
	step = (size_t)e->item_step;
	pair = ed_pair_of(map, key, strlen(key), NULL);
	if (pair)
		k = pair->key, v = pair->value;
	vrel = xcalloc(n, sizeof(*vrel));
	t = e->text.len;

	if (!v && map->style == CRMF_STYLE_FLOW) {
		/* a new key in a flow mapping gets a flow sequence */
		pos = map->n ? content_end(map->pairs[map->n - 1].value) : map->start + 1;
		if (map->n)
			sb_adds(&e->text, ", ");
		if (render_key(e, key, true) < 0)
			goto done;
		sb_adds(&e->text, ": [");
		if (render_entry_flow(e, t, fields, n, vrel) < 0)
			goto done;
		sb_addc(&e->text, ']');
	} else if (!v) {
		kcol = key_col(e, map->pairs[0].key);
		dcol = kcol + (size_t)e->seq_step;
		pos = entry_end(e, map->pairs[map->n - 1].value, kcol);
		end_last_line(e, pos);
		add_spaces(e, kcol);
		if (render_key(e, key, false) < 0)
			goto done;
		sb_addc(&e->text, ':');
		sb_adds(&e->text, e->eol);
		if (render_entry_block(e, t, fields, n, dcol, dcol + step, vrel) < 0)
			goto done;
	} else if (v->type == CRMF_NODE_SEQUENCE && v->style == CRMF_STYLE_BLOCK) {
		const crmf_node *last = v->items[v->n - 1];

		dcol = col_of(e, v->start);
		kcol = dcol + step;
		for (size_t i = v->n; i-- > 0;)
			if (v->items[i]->type == CRMF_NODE_MAPPING &&
			    v->items[i]->style == CRMF_STYLE_BLOCK) {
				kcol = col_of(e, v->items[i]->start);
				break;
			}
		if (kcol <= dcol)
			kcol = dcol + 2;
		pos = entry_end(e, last, dcol);
		end_last_line(e, pos);
		if (render_entry_block(e, t, fields, n, dcol, kcol, vrel) < 0)
			goto done;
		add_check(e, CK_COUNT)->container = v;
	} else if (map->style == CRMF_STYLE_BLOCK && v->line == k->line &&
		   ((v->type == CRMF_NODE_SEQUENCE && v->n == 0) || crmf_node_is_null(v))) {
		/* `key: []` or `key:` (null) becomes a block sequence under the key */
		size_t ce = colon_end(e, k);

		if (ce == SIZE_MAX || ce > v->start) {
			crmf_error_set("cannot find the ':' after '%s'; edit the file by hand",
				       key);
			goto done;
		}
		if (v->end > ce && add_splice(e, ce, v->end - ce, t) == SIZE_MAX)
			goto done;
		t = e->text.len;
		kcol = key_col(e, k);
		dcol = kcol + (size_t)e->seq_step;
		pos = next_line(e, v->end);
		end_last_line(e, pos);
		if (render_entry_block(e, t, fields, n, dcol, dcol + step, vrel) < 0)
			goto done;
	} else if (v->type == CRMF_NODE_SEQUENCE) {
		pos = v->n ? content_end(v->items[v->n - 1]) : v->start + 1;
		if (v->n)
			sb_adds(&e->text, ", ");
		if (render_entry_flow(e, t, fields, n, vrel) < 0)
			goto done;
		if (v->n)
			add_check(e, CK_COUNT)->container = v;
	} else {
		crmf_error_set("'%s' is not a list; cannot append to it", key);
		goto done;
	}
	id = add_splice(e, pos, 0, t);
	if (id == SIZE_MAX)
		goto done;
	base = ed_path_of(&ch, key, "[]");
	for (size_t i = 0; i < n; i++)
		check_value(e, id, vrel[i], fields[i].key, fields[i].value,
			    xasprintf("%s.%s", base, fields[i].key), NULL);
	if (!v) {
		check_value(e, NO_SPLICE, 0, key, "", NULL, map);
		e->ck[e->nck - 1].marker = true;
	}
	rc = 0;
done:
	free(base);
	free(vrel);
	return rc ? fail(e, m) : 0;
}

/*
 * Write ` {}` or ` []` after the ':' or '-' that introduces the block
 * collection `c` (on a line of its own), so that it reads as empty once the
 * lines of its entries are gone.
 */
static int mark_empty(crmf_edit *e, const crmf_node *c, const struct chain *ch)
{
	const crmf_node *p = ch->n ? ch->node[ch->n - 1] : NULL;
	size_t ind = SIZE_MAX, t = e->text.len, id;
	char open = c->type == CRMF_NODE_MAPPING ? '{' : '[';
	struct check *ck;

	if (!p)
		return crmf_error_set("cannot delete the last key of the file");
	if (p->type == CRMF_NODE_MAPPING) {
		ind = colon_end(e, p->pairs[ch->index[ch->n - 1]].key);
	} else {
		size_t d = dash_of(e, c);

		ind = d == SIZE_MAX ? d : d + 1;
	}
	if (!first_on_line(e, c->start) || ind == SIZE_MAX || ind > c->start)
		return crmf_error_set(
		    "cannot empty this %s in this layout; delete it whole instead",
		    open == '{' ? "mapping" : "list");
	sb_adds(&e->text, open == '{' ? " {}" : " []");
	id = add_splice(e, ind, 0, t);
	if (id == SIZE_MAX)
		return -1;
	ck = add_check(e, CK_EMPTY);
	ck->splice = id;
	ck->at = 1;
	ck->empty = open;
	ck->path = ed_path_of(ch, NULL, NULL);
	return 0;
}

/* Replace the block collection `c` by `{}` or `[]`: its last entry goes. */
static int empty_out(crmf_edit *e, const crmf_node *c, const struct chain *ch)
{
	struct check *ck;
	size_t t, id, ls = line_begin(e, c->start);

	if (ch->n == 0)
		return crmf_error_set("cannot delete the last key of the file");
	if (first_on_line(e, c->start)) {
		/* the entry's own lines go: comments deeper than its key or '-' with it */
		if (mark_empty(e, c, ch) < 0)
			return -1;
		t = e->text.len;
		if (add_splice(e, ls, entry_end(e, c, col_of(e, c->start)) - ls, t) == SIZE_MAX)
			return -1;
		return 0;
	}
	t = e->text.len;
	sb_adds(&e->text, c->type == CRMF_NODE_MAPPING ? "{}" : "[]");
	id = add_splice(e, c->start, content_end(c) - c->start, t);
	if (id == SIZE_MAX)
		return -1;
	ck = add_check(e, CK_EMPTY);
	ck->splice = id;
	ck->empty = c->type == CRMF_NODE_MAPPING ? '{' : '[';
	ck->path = ed_path_of(ch, NULL, NULL);
	return 0;
}

/* Entries of `c` left after this edit: a block collection emptied one
 * entry at a time must still read as empty, not as null. */
static size_t remaining(const crmf_edit *e, const crmf_node *c)
{
	size_t n = c->n;

	for (size_t i = 0; i < e->nck; i++) {
		const struct check *k = &e->ck[i];

		if (k->container != c)
			continue;
		if (k->kind == CK_ABSENT || (k->kind == CK_COUNT && k->index != SIZE_MAX))
			n--;
		else if (k->kind == CK_VALUE || k->kind == CK_COUNT)
			n++;
	}
	return n;
}

size_t ed_entry_start(const crmf_node *c, size_t i)
{
	return c->type == CRMF_NODE_MAPPING ? c->pairs[i].key->start : c->items[i]->start;
}

static size_t entry_content_end(const crmf_node *c, size_t i)
{
	return content_end(c->type == CRMF_NODE_MAPPING ? c->pairs[i].value : c->items[i]);
}

/* Entry i of a flow collection, with the comma that separates it. */
static int flow_delete(crmf_edit *e, const crmf_node *c, size_t i, const struct chain *ch)
{
	size_t a, b, t = e->text.len;

	if (c->n == 1)
		a = ed_entry_start(c, 0), b = entry_content_end(c, 0);
	else if (i > 0)
		a = entry_content_end(c, i - 1), b = entry_content_end(c, i);
	else
		a = ed_entry_start(c, 0), b = ed_entry_start(c, 1);
	if (add_splice(e, a, b - a, t) == SIZE_MAX)
		return -1;
	if (c->n == 1) {
		struct check *ck = add_check(e, CK_EMPTY);

		ck->at = c->start;
		ck->empty = c->type == CRMF_NODE_MAPPING ? '{' : '[';
		ck->path = ed_path_of(ch, NULL, NULL);
	}
	return 0;
}

int crmf_edit_delete_key(crmf_edit *e, const crmf_node *map, const char *key)
{
	struct mark m = begin(e);
	const crmf_pair *pair;
	const crmf_node *k;
	struct chain ch;
	size_t i, t = e->text.len, a, b;
	struct check *ck;

	if (!map || map->type != CRMF_NODE_MAPPING || !key)
		return crmf_error_set("a key can only be deleted from a mapping");
	pair = ed_pair_of(map, key, strlen(key), &i);
	if (!pair)
		return crmf_error_set("no key '%s' to delete", key);
	if (chain_of(&ch, e->doc, map) < 0)
		return -1;
	k = pair->key;
	if (map->style == CRMF_STYLE_FLOW) {
		if (flow_delete(e, map, i, &ch) < 0)
			return fail(e, m);
	} else if (map->n == 1) {
		if (empty_out(e, map, &ch) < 0)
			return fail(e, m);
		return 0;
	} else if (first_on_line(e, k->start)) {
		a = line_begin(e, k->start);
		b = entry_end(e, pair->value, col_of(e, k->start));
		if (add_splice(e, a, b - a, t) == SIZE_MAX)
			return fail(e, m);
	} else {
		/* the first key of a sequence item, after its '-': pull the next key up */
		size_t ce = content_end(pair->value), next = map->pairs[1].key->start, d;

		for (d = k->start; d > 0 && e->s[d - 1] == ' '; d--)
			;
		if (i != 0 || d == 0 || e->s[d - 1] != '-')
			return crmf_error_set(
			    "cannot delete '%s' from this layout; edit the file by hand", key);
		for (a = ce; a < next && strchr(" \r\n", e->s[a]); a++)
			;
		if (a == next)
			a = k->start, b = next;
		else
			a = d, b = line_break(e, ce);
		if (add_splice(e, a, b - a, t) == SIZE_MAX)
			return fail(e, m);
	}
	if (map->style == CRMF_STYLE_BLOCK && map->n > 1 && remaining(e, map) == 1 &&
	    mark_empty(e, map, &ch) < 0)
		return fail(e, m);
	ck = add_check(e, CK_ABSENT);
	ck->container = map;
	ck->key = xstrdup(key);
	ck->index = i;
	return 0;
}

int crmf_edit_delete_item(crmf_edit *e, const crmf_node *seq, size_t index)
{
	struct mark m = begin(e);
	struct chain ch;
	size_t d, a, b, t = e->text.len;
	struct check *ck;

	if (!seq || seq->type != CRMF_NODE_SEQUENCE)
		return crmf_error_set("an item can only be deleted from a list");
	if (index >= seq->n)
		return crmf_error_set("the list has %zu items; there is no item %zu", seq->n,
				      index);
	if (chain_of(&ch, e->doc, seq) < 0)
		return -1;
	if (seq->style == CRMF_STYLE_FLOW) {
		if (flow_delete(e, seq, index, &ch) < 0)
			return fail(e, m);
	} else if (seq->n == 1) {
		return empty_out(e, seq, &ch) < 0 ? fail(e, m) : 0;
	} else {
		d = dash_of(e, seq->items[index]);
		if (d == SIZE_MAX || !first_on_line(e, d))
			return crmf_error_set(
			    "cannot delete item %zu from this layout; edit the file by hand",
			    index);
		a = line_begin(e, d);
		b = entry_end(e, seq->items[index], col_of(e, d));
		if (add_splice(e, a, b - a, t) == SIZE_MAX)
			return fail(e, m);
		if (remaining(e, seq) == 1 && mark_empty(e, seq, &ch) < 0)
			return fail(e, m);
	}
	ck = add_check(e, CK_COUNT);
	ck->container = seq;
	ck->index = index;
	return 0;
}

int crmf_edit_splice(crmf_edit *e, size_t offset, size_t removed, const char *text, size_t len)
{
	struct mark m = begin(e);
	size_t t = e->text.len;

	if (len)
		sb_add(&e->text, text, len);
	if (add_splice(e, offset, removed, t) == SIZE_MAX)
		return fail(e, m);
	return 0;
}

size_t crmf_edit_count(const crmf_edit *e)
{
	return e ? e->nsp : 0;
}


/* ---- entries and items inserted (crmf merge) ---- */

/* Where an entry inserted before item `i` of the block sequence goes: the
 * line of its '-', above the comment lines just over it in that column
 * (they belong to it); SIZE_MAX when the '-' does not start its line. */
static size_t before_item(const crmf_edit *e, const crmf_node *seq, size_t i, size_t *dcol)
{
	size_t d = dash_of(e, seq->items[i]), p;

	if (d == SIZE_MAX || !first_on_line(e, d))
		return SIZE_MAX;
	*dcol = col_of(e, d);
	p = line_begin(e, d);
	while (p > 0) {
		size_t q = line_begin(e, p - 1), k = q;

		while (k < p && e->s[k] == ' ')
			k++;
		if (k - q != *dcol || e->s[k] != '#')
			break;
		p = q;
	}
	return p;
}

int crmf_edit_insert(crmf_edit *e, const crmf_node *seq, size_t index,
		     const crmf_edit_field *fields, size_t n)
{
	struct mark m = begin(e);
	struct chain ch;
	size_t *vrel, t, pos, id, dcol = 0, kcol;
	char *base;
	int rc = -1;

	if (!seq || seq->type != CRMF_NODE_SEQUENCE || seq->style != CRMF_STYLE_BLOCK || !seq->n ||
	    index > seq->n)
		return crmf_error_set("an entry can only be inserted into a block list with items");
	if (check_fields(fields, n) < 0 || chain_of(&ch, e->doc, seq) < 0)
		return -1;
	sniff(e);
	if (index < seq->n) {
		pos = before_item(e, seq, index, &dcol);
		if (pos == SIZE_MAX)
			return crmf_error_set("cannot insert into this layout; edit the file by hand");
	} else {
		dcol = col_of(e, seq->start);
		pos = entry_end(e, seq->items[seq->n - 1], dcol);
	}
	kcol = dcol + (size_t)e->item_step;
	for (size_t i = seq->n; i-- > 0;)
		if (seq->items[i]->type == CRMF_NODE_MAPPING &&
		    seq->items[i]->style == CRMF_STYLE_BLOCK) {
			kcol = col_of(e, seq->items[i]->start);
			break;
		}
	if (kcol <= dcol)
		kcol = dcol + 2;
	vrel = xcalloc(n, sizeof(*vrel));
	t = e->text.len;
	end_last_line(e, pos);
	if (render_entry_block(e, t, fields, n, dcol, kcol, vrel) < 0)
		goto done;
	id = add_splice(e, pos, 0, t);
	if (id == SIZE_MAX)
		goto done;
	add_check(e, CK_COUNT)->container = seq;
	base = ed_path_of(&ch, "[]", NULL);
	for (size_t i = 0; i < n; i++)
		check_value(e, id, vrel[i], fields[i].key, fields[i].value,
			    xasprintf("%s.%s", base, fields[i].key), NULL);
	free(base);
	rc = 0;
done:
	free(vrel);
	return rc ? fail(e, m) : 0;
}

/* One item of a list of scalars, as written in a flow or a block list. */
static int render_item(crmf_edit *e, const char *v, unsigned flags, bool flow)
{
	enum rstyle r;

	if (ed_choose_style(&r, v, flags, CRMF_STYLE_PLAIN, true) < 0)
		return -1;
	if (r == R_LITERAL)
		return crmf_error_set("a list item is one line of text");
	(void)flow;
	render_head(e, v, r);
	return 0;
}

int crmf_edit_append_scalars(crmf_edit *e, const crmf_node *map, const char *key,
			     const char *const *values, size_t n, unsigned flags)
{
	struct mark m = begin(e);
	const crmf_pair *pair;
	const crmf_node *v;
	size_t t, pos, dcol;

	if (!map || map->type != CRMF_NODE_MAPPING || !key || !n)
		return crmf_error_set("items can only be appended under a key of a mapping");
	if (map->style != CRMF_STYLE_BLOCK || !map->n)
		return crmf_error_set("items can only be appended in a block mapping");
	sniff(e);
	pair = ed_pair_of(map, key, strlen(key), NULL);
	v = pair ? pair->value : NULL;
	t = e->text.len;
	if (!v) {
		size_t kcol = key_col(e, map->pairs[0].key);

		pos = entry_end(e, map->pairs[map->n - 1].value, kcol);
		end_last_line(e, pos);
		add_spaces(e, kcol);
		if (render_key(e, key, false) < 0)
			return fail(e, m);
		sb_adds(&e->text, ": [");
		for (size_t i = 0; i < n; i++) {
			if (i)
				sb_adds(&e->text, ", ");
			if (render_item(e, values[i], flags, true) < 0)
				return fail(e, m);
		}
		sb_adds(&e->text, "]");
		sb_adds(&e->text, e->eol);
	} else if (v->type == CRMF_NODE_SEQUENCE && v->style == CRMF_STYLE_FLOW) {
		pos = v->n ? content_end(v->items[v->n - 1]) : v->start + 1;
		for (size_t i = 0; i < n; i++) {
			if (i || v->n)
				sb_adds(&e->text, ", ");
			if (render_item(e, values[i], flags, true) < 0)
				return fail(e, m);
		}
	} else if (v->type == CRMF_NODE_SEQUENCE && v->n) {
		dcol = col_of(e, v->start);
		pos = entry_end(e, v->items[v->n - 1], dcol);
		end_last_line(e, pos);
		for (size_t i = 0; i < n; i++) {
			add_spaces(e, dcol);
			sb_adds(&e->text, "- ");
			if (render_item(e, values[i], flags, false) < 0)
				return fail(e, m);
			sb_adds(&e->text, e->eol);
		}
	} else {
		return crmf_error_set("'%s' is not a list of values; cannot add to it", key);
	}
	if (add_splice(e, pos, 0, t) == SIZE_MAX)
		return fail(e, m);
	return 0;
}
