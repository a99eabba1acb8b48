/* SPDX-License-Identifier: MIT */
/* The merge's text: the sides' lines and entries, their structure compared, the splices and conflict markers of the result. */
#include "merge_private.h"
#include "lines.h"

#include <stdlib.h>
#include <string.h>

#include "crmf/check.h"

/* ---- bytes and lines ---- */

static size_t line_begin(const side *sd, size_t pos)
{
	return line_begin_in(sd->s, pos, sd->doc && sd->doc->bom);
}

size_t mg_next_line(const side *sd, size_t pos)
{
	return next_line_in(sd->s, sd->len, pos);
}

static bool first_on_line(const side *sd, size_t pos)
{
	return first_on_line_in(sd->s, pos, sd->doc && sd->doc->bom);
}

/* The lines an entry owns, as crmf_edit counts them (lines.h). */
static size_t entry_end(const side *sd, const crmf_node *n, size_t col)
{
	return entry_end_in(sd->s, sd->len, n, col);
}

entry mg_pair_entry(const side *sd, const crmf_pair *p)
{
	entry e;
	size_t ls = line_begin(sd, p->key->start);

	e.col = p->key->start - ls;
	e.at_line = first_on_line(sd, p->key->start);
	e.start = e.at_line ? ls : p->key->start;
	e.end = entry_end(sd, p->value, e.col);
	return e;
}

/* The entry of a block sequence item; false when its '-' cannot be found. */
bool mg_item_entry(entry *e, const side *sd, const crmf_node *item)
{
	size_t p = item->start, ls;

	while (p > 0 && strchr(" \r\n", sd->s[p - 1]))
		p--;
	if (p == 0 || sd->s[p - 1] != '-')
		return false;
	p--;
	ls = line_begin(sd, p);
	e->col = p - ls;
	e->at_line = first_on_line(sd, p);
	e->start = e->at_line ? ls : p;
	e->end = entry_end(sd, item, e->col);
	return true;
}

bool mg_bytes_eq(const side *a, const entry *ea, const side *b, const entry *eb)
{
	size_t n = ea->end - ea->start;

	return ea->at_line == eb->at_line && n == eb->end - eb->start &&
	       memcmp(a->s + ea->start, b->s + eb->start, n) == 0;
}

/* ---- structure ---- */

bool mg_same(const crmf_node *a, const crmf_node *b)
{
	if (!a || !b)
		return a == b;
	if (crmf_node_is_null(a) || crmf_node_is_null(b))
		return crmf_node_is_null(a) && crmf_node_is_null(b);
	if (a->type != b->type || a->n != b->n)
		return false;
	switch (a->type) {
	case CRMF_NODE_SCALAR:
		return a->len == b->len && memcmp(a->value, b->value, a->len) == 0;
	case CRMF_NODE_SEQUENCE:
		for (size_t i = 0; i < a->n; i++)
			if (!mg_same(a->items[i], b->items[i]))
				return false;
		return true;
	case CRMF_NODE_MAPPING:
		for (size_t i = 0; i < a->n; i++)
			if (!mg_same(a->pairs[i].value, crmf_node_get(b, a->pairs[i].key->value)))
				return false;
		return true;
	}
	return false;
}

const char *mg_scalar_of(const crmf_node *map, const char *key)
{
	const crmf_node *v = crmf_node_get(map, key);

	return v && v->type == CRMF_NODE_SCALAR ? v->value : NULL;
}

static bool str_eq(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

/* Whether two list entries are the same entry, perhaps edited. */
bool mg_ident_eq(enum list_kind kind, const crmf_node *a, const crmf_node *b)
{
	if (kind == L_GENERIC || a->type != CRMF_NODE_MAPPING || b->type != CRMF_NODE_MAPPING)
		return mg_same(a, b);
	switch (kind) {
	case L_FOLLOWUPS:
		return str_eq(mg_scalar_of(a, "date"), mg_scalar_of(b, "date")) &&
		       str_eq(mg_scalar_of(a, "by"), mg_scalar_of(b, "by")) &&
		       str_eq(mg_scalar_of(a, "method"), mg_scalar_of(b, "method"));
	case L_CONTACTS:
		return mg_scalar_of(a, "name") ? str_eq(mg_scalar_of(a, "name"), mg_scalar_of(b, "name"))
					    : mg_same(a, b);
	case L_DEALS:
		return mg_scalar_of(a, "signed")
			   ? str_eq(mg_scalar_of(a, "signed"), mg_scalar_of(b, "signed"))
			   : mg_same(a, b);
	default:
		return mg_same(a, b);
	}
}

enum list_kind mg_kind_of(const char *key, size_t depth)
{
	if (depth != 1 || !key)
		return L_GENERIC;
	if (strcmp(key, "followups") == 0)
		return L_FOLLOWUPS;
	if (strcmp(key, "contacts") == 0)
		return L_CONTACTS;
	if (strcmp(key, "deals") == 0)
		return L_DEALS;
	return L_GENERIC;
}

/* A follow-up's date and time as one sortable number; INT64_MAX when it has none. */
int64_t mg_when_of(const crmf_node *item)
{
	const crmf_node *d = crmf_node_get(item, "date");
	crmf_day day;
	int minute;

	if (!d || d->type != CRMF_NODE_SCALAR ||
	    crmf_datetime_parse(&day, &minute, d->value, d->len))
		return INT64_MAX;
	return (int64_t)day * 1441 + minute + 1;
}

/* Cut a UTF-8 string to at most `max` bytes on a character boundary. */
static void add_cut(strbuf *sb, const char *s, size_t n, size_t max)
{
	if (n > max) {
		while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
			max--;
		sb_add(sb, s, max);
		sb_adds(sb, "…");
		return;
	}
	sb_add(sb, s, n);
}

static void brief_into(strbuf *sb, const crmf_node *n, size_t limit)
{
	if (sb->len >= limit) {
		return;
	} else if (n->type == CRMF_NODE_SCALAR) {
		add_cut(sb, n->value, n->len, limit - sb->len);
	} else if (n->type == CRMF_NODE_SEQUENCE) {
		sb_addc(sb, '[');
		for (size_t i = 0; i < n->n && sb->len < limit; i++) {
			if (i)
				sb_adds(sb, ", ");
			brief_into(sb, n->items[i], limit);
		}
		sb_addc(sb, ']');
	} else {
		sb_addc(sb, '{');
		for (size_t i = 0; i < n->n && sb->len < limit; i++) {
			if (i)
				sb_adds(sb, ", ");
			sb_adds(sb, n->pairs[i].key->value);
			sb_adds(sb, ": ");
			brief_into(sb, n->pairs[i].value, limit);
		}
		sb_addc(sb, '}');
	}
}

/* A value as one short line for messages; NULL for NULL. */
static char *brief(const crmf_node *n)
{
	strbuf sb = STRBUF_INIT;

	if (!n)
		return NULL;
	brief_into(&sb, n, BRIEF_MAX);
	return sb_detach(&sb);
}

/* ---- splices and conflicts ---- */

void mg_add_splice(merger *M, size_t off, size_t rem, strbuf *text)
{
	struct splice *s;

	if (M->nsp == M->capsp) {
		M->capsp = M->capsp ? 2 * M->capsp : 16;
		M->sp = xrealloc(M->sp, M->capsp * sizeof(*M->sp));
	}
	s = &M->sp[M->nsp++];
	s->off = off;
	s->rem = rem;
	s->len = text->len;
	s->text = sb_detach(text);
	s->seq = M->seq++;
	s->out = 0;
}

mark mg_checkpoint(const merger *M)
{
	mark m = {M->nsp, M->ncf};

	return m;
}

void mg_conflict_free(crmf_merge_conflict *c)
{
	free(c->field);
	free(c->ours);
	free(c->theirs);
}

void mg_rollback(merger *M, mark m)
{
	while (M->nsp > m.nsp)
		free(M->sp[--M->nsp].text);
	while (M->ncf > m.ncf)
		mg_conflict_free(&M->cf[--M->ncf]);
}

void mg_add_eol(merger *M, strbuf *sb)
{
	sb_adds(sb, M->eol);
}

/* Bytes of one of our lines, ended with our line end. */
void mg_add_line(merger *M, strbuf *sb, const char *s, size_t n)
{
	if (n > 0 && s[n - 1] == '\r')
		n--;
	sb_add(sb, s, n);
	mg_add_eol(M, sb);
}

void mg_add_spaces(strbuf *sb, size_t n)
{
	while (n--)
		sb_addc(sb, ' ');
}

/*
 * The lines of entry `e` of side `sd`, moved so that its key or '-' lands in
 * column `col`: as whole lines when `at_line`, else without the first line's
 * indentation (it follows our `- `). Every line ends with our line end. False
 * when a line would have to lose more indentation than it has.
 */
bool mg_moved_lines(merger *M, strbuf *out, const side *sd, const entry *e, size_t col,
		    bool at_line)
{
	long delta = (long)col - (long)e->col;
	size_t p = e->start;
	bool first = true;

	while (p < e->end) {
		const char *nl = memchr(sd->s + p, '\n', e->end - p);
		size_t stop = nl ? (size_t)(nl - sd->s) : e->end;
		const char *ln = sd->s + p;
		size_t n = stop - p, lead = 0;

		if (first) {
			/* the first line's indentation is the entry's column, spaces or `- ` */
			if (e->at_line) {
				ln += e->col;
				n -= e->col;
			}
			if (at_line)
				mg_add_spaces(out, col);
			mg_add_line(M, out, ln, n);
			first = false;
		} else {
			while (lead < n && ln[lead] == ' ')
				lead++;
			if (lead == n || (lead + 1 == n && ln[lead] == '\r')) {
				mg_add_line(M, out, ln, 0); /* a blank line stays blank */
			} else if (delta >= 0) {
				mg_add_spaces(out, (size_t)delta);
				mg_add_line(M, out, ln, n);
			} else if (lead >= (size_t)-delta) {
				mg_add_line(M, out, ln + (size_t)-delta, n - (size_t)-delta);
			} else {
				return false;
			}
		}
		p = nl ? stop + 1 : e->end;
	}
	return true;
}

/* Note a conflict whose markers the next splice holds. */
static void record_conflict(merger *M, const crmf_node *o, const crmf_node *t)
{
	crmf_merge_conflict *c;

	if (M->ncf == M->capcf) {
		M->capcf = M->capcf ? 2 * M->capcf : 8;
		M->cf = xrealloc(M->cf, M->capcf * sizeof(*M->cf));
		M->cf_seq = xrealloc(M->cf_seq, M->capcf * sizeof(*M->cf_seq));
	}
	c = &M->cf[M->ncf];
	c->field = M->path.len ? xstrdup(M->path.buf) : NULL;
	c->ours = brief(o);
	c->theirs = brief(t);
	c->line = 0;
	M->cf_seq[M->ncf] = M->seq;
	M->ncf++;
}

/*
 * Mark a conflict around our entry `oe` (NULL: absent on our side, the
 * markers go at `pos`, a line start, for column `col`) and their entry `te`
 * (NULL: absent on their side). -1 when our entry does not start a line:
 * markers must, so the caller marks the enclosing entry instead.
 */
int mg_conflict(merger *M, const entry *oe, size_t pos, size_t col, const crmf_node *o,
		const entry *te, const crmf_node *t)
{
	strbuf sb = STRBUF_INIT;

	if (oe && !oe->at_line)
		return -1;
	if (oe) {
		pos = oe->start;
		col = oe->col;
	}
	if (pos == M->o.len && pos > 0 && M->o.s[pos - 1] != '\n')
		mg_add_eol(M, &sb);
	sb_adds(&sb, M->open);
	mg_add_eol(M, &sb);
	if (oe) {
		size_t n = oe->end - oe->start;

		sb_add(&sb, M->o.s + oe->start, n);
		if (n > 0 && M->o.s[oe->end - 1] != '\n')
			mg_add_eol(M, &sb);
	}
	sb_adds(&sb, M->sep);
	mg_add_eol(M, &sb);
	if (te && !mg_moved_lines(M, &sb, &M->t, te, col, true)) {
		sb_release(&sb);
		return -1;
	}
	sb_adds(&sb, M->close);
	mg_add_eol(M, &sb);
	record_conflict(M, o, t);
	mg_add_splice(M, pos, oe ? oe->end - oe->start : 0, &sb);
	return 0;
}

/* Replace our entry by theirs. */
int mg_replace_entry(merger *M, const entry *oe, const entry *te)
{
	strbuf sb = STRBUF_INIT;

	if (!mg_moved_lines(M, &sb, &M->t, te, oe->col, oe->at_line)) {
		sb_release(&sb);
		return -1;
	}
	mg_add_splice(M, oe->start, oe->end - oe->start, &sb);
	return 0;
}

/* Insert their entry at `pos` (a line start of ours) for column `col`. */
int mg_insert_entry(merger *M, size_t pos, size_t col, const entry *te)
{
	strbuf sb = STRBUF_INIT;

	if (pos == M->o.len && pos > 0 && M->o.s[pos - 1] != '\n')
		mg_add_eol(M, &sb);
	if (!mg_moved_lines(M, &sb, &M->t, te, col, true)) {
		sb_release(&sb);
		return -1;
	}
	mg_add_splice(M, pos, 0, &sb);
	return 0;
}

int mg_delete_entry(merger *M, const entry *oe)
{
	strbuf sb = STRBUF_INIT;

	if (!oe->at_line)
		return -1;
	mg_add_splice(M, oe->start, oe->end - oe->start, &sb);
	return 0;
}

/* Our scalar `o`, on one line, replaced by the bytes of their scalar `t` (also one line). */
bool mg_replace_scalar(merger *M, const crmf_node *o, const crmf_node *t)
{
	strbuf sb = STRBUF_INIT;

	if (o->type != CRMF_NODE_SCALAR || t->type != CRMF_NODE_SCALAR || o->line != o->end_line ||
	    t->line != t->end_line || o->style == CRMF_STYLE_LITERAL ||
	    o->style == CRMF_STYLE_FOLDED || t->style == CRMF_STYLE_LITERAL ||
	    t->style == CRMF_STYLE_FOLDED || o->end == o->start)
		return false;
	sb_add(&sb, M->t.s + t->start, t->end - t->start);
	mg_add_splice(M, o->start, o->end - o->start, &sb);
	return true;
}

