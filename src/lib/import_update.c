/* SPDX-License-Identifier: MIT */
/* Re-import: a row of a sheet applied to an existing customer file as minimal-diff edits. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crmf/edit.h"
#include "crmf/import.h"
#include "cross.h"
#include "import_private.h"
#include "util.h"

/* How two values of a field compare. */
enum kind { K_TEXT, K_MEMBER, K_NUMBER, K_PHONE, K_EMAIL, K_NAME };

/* A list the file lacks: added once the other edits are made. */
struct late {
	const char *key;
	char **items;
	size_t n;
};

typedef struct upd {
	const struct import_priv *P;
	const crmf_doc *doc;
	crmf_edit *e;
	crmf_lines *what;
	crmf_lines *said;
	const char *eol;
	struct late late[8];
	size_t nlate;
	bool failed;
	char *error;
} upd;

static bool has(const struct val *v)
{
	return v && v->text && *v->text;
}

static bool given(const struct val *v)
{
	return has(v) && v->col && !v->derived;
}

static const char *text_of(const crmf_node *n)
{
	return n && n->type == CRMF_NODE_SCALAR && n->len ? n->value : NULL;
}

static bool same(const upd *U, const char *a, const char *b, enum kind k)
{
	const crmf_member *ma, *mb;
	crmf_cross_key ka, kb;
	char *na, *nb, *ea, *eb;
	bool eq;

	if (strcmp(a, b) == 0)
		return true;
	switch (k) {
	case K_MEMBER:
		ma = crmf_config_member(U->P->cfg, a);
		mb = crmf_config_member(U->P->cfg, b);
		return ma && ma == mb;
	case K_NUMBER: {
		double x = strtod(a, &ea), y = strtod(b, &eb);

		return ea != a && eb != b && !*ea && !*eb && x == y;
	}
	case K_PHONE:
		ka = crmf_cross_phone_key(a);
		kb = crmf_cross_phone_key(b);
		return (ka.h || ka.tag) && ka.h == kb.h && ka.tag == kb.tag;
	case K_EMAIL:
		return strcasecmp(a, b) == 0;
	case K_NAME:
		na = import_norm(a);
		nb = import_norm(b);
		eq = strcmp(na, nb) == 0;
		free(na);
		free(nb);
		return eq;
	case K_TEXT:
		break;
	}
	return false;
}

static void fail(upd *U, const char *what)
{
	if (!U->failed)
		U->error = xasprintf(crmf_tr("cannot update %s: %s"), what, crmf_error_last());
	U->failed = true;
}

/*
 * A change's line twice: in English (`fmt` as it is) for the commit's body,
 * and in the run's language (crmf_tr(fmt)) for the user. The formats are
 * marked N_() where they are given.
 */
static void __attribute__((format(printf, 2, 3))) two(upd *U, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	crmf_lines_add(U->what, "%s", s);
	free(s);
	va_start(ap, fmt);
	s = xvasprintf(crmf_tr(fmt), ap);
	va_end(ap);
	crmf_lines_add(U->said, "%s", s);
	free(s);
}

static void said(upd *U, const char *path, const char *old, const char *now)
{
	char *a = old ? crmf_text_cut(old, 40) : NULL, *b = crmf_text_cut(now, 40);

	crmf_lines_add(U->what, "%s: %s → %s", path, a ? a : "(none)", b);
	crmf_lines_add(U->said, crmf_tr("%s: %s → %s"), path, a ? a : crmf_tr("(none)"), b);
	free(a);
	free(b);
}

/*
 * The scalar `key` of the mapping `map` (at `path`) from the value `v`: set
 * when the sheet gives it in a cell of its own and it differs, or when the
 * file lacks it.
 */
static void scalar(upd *U, const crmf_node *map, const char *key, const char *path,
		   const struct val *v, enum kind k)
{
	const crmf_node *cur;
	const char *old;

	if (!has(v) || U->failed || !map || map->type != CRMF_NODE_MAPPING)
		return;
	cur = crmf_node_get(map, key);
	if (cur && cur->type != CRMF_NODE_SCALAR)
		return; /* a list or mapping where the sheet has a value: the check says so */
	old = text_of(cur);
	if (old && (!given(v) || same(U, old, v->text, k)))
		return;
	if (crmf_edit_set(U->e, path, v->text, v->raw ? CRMF_EDIT_RAW : CRMF_EDIT_TEXT) != 0) {
		fail(U, path);
		return;
	}
	said(U, path, old, v->text);
}

/* Tags and list fields: the items of `v` split as import renders them. */
static size_t items_of(const char *s, char ***out)
{
	char **v = NULL;
	size_t n = 0;

	while (s && *s) {
		size_t k = 0, skip = 0;

		for (; s[k]; k++) {
			if (strchr(",;\n\r", s[k])) {
				skip = 1;
				break;
			}
			if (!strncmp(s + k, "，", 3) || !strncmp(s + k, "；", 3) ||
			    !strncmp(s + k, "、", 3)) {
				skip = 3;
				break;
			}
		}
		{
			size_t a = 0, b = k;

			while (a < b && strchr(" \t", s[a]))
				a++;
			while (b > a && strchr(" \t", s[b - 1]))
				b--;
			if (b > a) {
				v = xrealloc(v, (n + 1) * sizeof(*v));
				v[n++] = xstrndup(s + a, b - a);
			}
		}
		s += k + skip;
		if (!skip)
			break;
	}
	*out = v;
	return n;
}

/* An item as written inside [ ]: plain when that is safe there, else quoted. */
static char *flow_item(const char *s)
{
	if (crmf_edit_plain_safe(s) && !strpbrk(s, ",[]{}"))
		return xstrdup(s);
	return crmf_edit_quote(s);
}

static size_t line_start(const char *src, size_t pos)
{
	while (pos > 0 && src[pos - 1] != '\n')
		pos--;
	return pos;
}

/* The items of list `key` the file lacks, added: after the last item of a
 * block list, inside the brackets of a flow one, or (the file has none)
 * once the other edits are made. */
static void list(upd *U, const crmf_node *root, const char *key, const struct val *v)
{
	const crmf_node *cur;
	char **items = NULL;
	size_t n, keep = 0;
	strbuf sb = STRBUF_INIT;
	const char *src = U->doc->src;

	if (!has(v) || U->failed)
		return;
	cur = crmf_node_get(root, key);
	n = items_of(v->text, &items);
	for (size_t i = 0; i < n; i++) {
		bool there = false;

		for (size_t j = 0; cur && cur->type == CRMF_NODE_SEQUENCE && j < cur->n; j++)
			there = there || (text_of(cur->items[j]) &&
					  strcmp(text_of(cur->items[j]), items[i]) == 0);
		for (size_t j = 0; j < keep && !there; j++)
			there = strcmp(items[j], items[i]) == 0;
		if (there) {
			free(items[i]);
			continue;
		}
		items[keep++] = items[i];
		two(U, N_("+ %s: %s"), key, items[i]);
	}
	n = keep;
	if (!n) {
		free(items);
		return;
	}
	if (!cur || crmf_node_is_null(cur)) {
		if (U->nlate < sizeof(U->late) / sizeof(U->late[0])) {
			U->late[U->nlate++] = (struct late){key, items, n};
			return;
		}
	} else if (cur->type == CRMF_NODE_SEQUENCE && cur->style == CRMF_STYLE_FLOW &&
		   cur->end > cur->start && src[cur->end - 1] == ']') {
		for (size_t i = 0; i < n; i++) {
			char *s = flow_item(items[i]);

			sb_adds(&sb, i || cur->n ? ", " : "");
			sb_adds(&sb, s);
			free(s);
		}
		if (crmf_edit_splice(U->e, cur->end - 1, 0, sb.buf, sb.len) != 0)
			fail(U, key);
		goto done;
	} else if (cur->type == CRMF_NODE_SEQUENCE && cur->n) {
		const crmf_node *last = cur->items[cur->n - 1];
		size_t ls = line_start(src, last->start), pos = last->end, k = ls;

		while (k < last->start && src[k] == ' ')
			k++;
		if (k < last->start && src[k] == '-') {
			for (k++; k < last->start && src[k] == ' '; k++)
				;
		}
		if (k == last->start && last->type == CRMF_NODE_SCALAR) {
			while (pos < U->doc->len && src[pos] != '\n')
				pos++;
			if (pos == U->doc->len)
				sb_adds(&sb, U->eol);
			else
				pos++;
			for (size_t i = 0; i < n; i++) {
				char *s = crmf_edit_scalar(items[i]);

				sb_add(&sb, src + ls, last->start - ls);
				sb_adds(&sb, s ? s : "\"\"");
				sb_adds(&sb, U->eol);
				free(s);
			}
			if (crmf_edit_splice(U->e, pos, 0, sb.buf, sb.len) != 0)
				fail(U, key);
			goto done;
		}
	}
	crmf_error_set("'%s' is not a list crmf can add to; add %s by hand", key, items[0]);
	fail(U, key);
done:
	sb_release(&sb);
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

/* The sheet's contact `c` (4 values: name, title, phone, email): its match
 * among the file's contacts gets what it lacks, else it is appended. */
static void contact(upd *U, const crmf_node *root, const struct val *c, size_t *added)
{
	static const char *const keys[] = {"name", "title", "phone", "email"};
	const crmf_node *seq = crmf_node_get(root, "contacts");
	long match = -1;
	crmf_edit_field f[4];
	size_t n = 0;

	if (U->failed || !(has(&c[0]) || has(&c[1]) || has(&c[2]) || has(&c[3])))
		return;
	if (seq && seq->type != CRMF_NODE_SEQUENCE)
		return;
	for (int pass = 0; pass < 3 && match < 0; pass++) {
		/* phone, then email, then name: the name of "电话2" is the first contact's */
		int fi = pass == 0 ? 2 : pass == 1 ? 3 : 0;
		enum kind k = pass == 0 ? K_PHONE : pass == 1 ? K_EMAIL : K_NAME;

		if (!has(&c[fi]) || (fi == 0 && c[0].derived))
			continue;
		for (size_t i = 0; seq && i < seq->n && match < 0; i++) {
			const char *t = text_of(crmf_node_get(seq->items[i], keys[fi]));

			if (t && same(U, t, c[fi].text, k))
				match = (long)i;
		}
	}
	/* a phone or email without a name: the first contact's */
	if (match < 0 && !has(&c[0]) && seq && seq->n)
		match = 0;
	if (match >= 0) {
		const crmf_node *item = seq->items[match];

		for (int fi = 0; fi < 4; fi++) {
			char *path = xasprintf("contacts[%ld].%s", match, keys[fi]);
			const char *old = text_of(crmf_node_get(item, keys[fi]));

			if (!old && has(&c[fi]) && item->type == CRMF_NODE_MAPPING)
				scalar(U, item, keys[fi], path, &c[fi], K_TEXT);
			free(path);
		}
		return;
	}
	for (int fi = 0; fi < 4; fi++)
		if (has(&c[fi]))
			f[n++] = (crmf_edit_field){keys[fi], c[fi].text, CRMF_EDIT_TEXT};
	if (crmf_edit_append(U->e, root, "contacts", f, n) != 0) {
		fail(U, "contacts");
		return;
	}
	(*added)++;
	if (has(&c[2]) || has(&c[3]))
		two(U, N_("+ contact %s (%s)"), has(&c[0]) ? c[0].text : "",
		    has(&c[2]) ? c[2].text : c[3].text);
	else
		two(U, N_("+ contact %s"), has(&c[0]) ? c[0].text : "");
}

static void deal(upd *U, const crmf_node *root, const struct val *v)
{
	const crmf_node *seq = crmf_node_get(root, "deals");
	const struct val *amount = &v[S_D_AMOUNT], *signed_ = &v[S_D_SIGNED],
			 *exp = &v[S_D_EXPIRES];
	crmf_edit_field f[3];
	size_t n = 0;

	if (U->failed || !has(amount) || !has(signed_))
		return;
	if (seq && seq->type != CRMF_NODE_SEQUENCE)
		return;
	for (size_t i = 0; seq && i < seq->n; i++) {
		const char *s = text_of(crmf_node_get(seq->items[i], "signed"));

		if (s && strcmp(s, signed_->text) == 0) {
			char *pa = xasprintf("deals[%zu].amount", i),
			     *pe = xasprintf("deals[%zu].expires", i);

			scalar(U, seq->items[i], "amount", pa, amount, K_NUMBER);
			scalar(U, seq->items[i], "expires", pe, exp, K_TEXT);
			free(pa);
			free(pe);
			return;
		}
	}
	f[n++] =
	    (crmf_edit_field){"amount", amount->text, amount->raw ? CRMF_EDIT_RAW : CRMF_EDIT_TEXT};
	f[n++] = (crmf_edit_field){"signed", signed_->text,
				   signed_->raw ? CRMF_EDIT_RAW : CRMF_EDIT_TEXT};
	if (has(exp))
		f[n++] = (crmf_edit_field){"expires", exp->text,
					   exp->raw ? CRMF_EDIT_RAW : CRMF_EDIT_TEXT};
	if (crmf_edit_append(U->e, root, "deals", f, n) != 0) {
		fail(U, "deals");
		return;
	}
	two(U, N_("+ deal %s signed %s"), amount->text, signed_->text);
}

static void followup(upd *U, const crmf_node *root, const struct val *v)
{
	static const int slots[] = {S_F_DATE,	 S_F_BY,       S_F_METHOD, S_F_WITH,
				    S_F_SUMMARY, S_F_FEEDBACK, S_F_NEXT,   S_F_DUE};
	const crmf_node *seq = crmf_node_get(root, "followups");
	/* a row that names no one: the follow-up is the file's owner's */
	const char *by = has(&v[S_F_BY]) ? v[S_F_BY].text : text_of(crmf_node_get(root, "owner"));
	crmf_edit_field f[8];
	size_t n = 0;
	char *cut;

	if (U->failed || !has(&v[S_F_DATE]) || !has(&v[S_F_SUMMARY]))
		return;
	if (seq && seq->type != CRMF_NODE_SEQUENCE)
		return;
	/* the same follow-up: same date, by and summary */
	for (size_t i = 0; seq && i < seq->n; i++) {
		const crmf_node *it = seq->items[i];
		const char *d = text_of(crmf_node_get(it, "date")),
			   *b = text_of(crmf_node_get(it, "by")),
			   *s = text_of(crmf_node_get(it, "summary"));

		if (d && s && strcmp(d, v[S_F_DATE].text) == 0 &&
		    strcmp(s, v[S_F_SUMMARY].text) == 0 &&
		    (!by ? !b : b && same(U, b, by, K_MEMBER)))
			return;
	}
	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		const struct val *x = &v[slots[i]];
		const char *path = import_slot_path[slots[i]];

		if (slots[i] == S_F_BY && by)
			f[n++] = (crmf_edit_field){"by", by, CRMF_EDIT_TEXT};
		else if (has(x))
			f[n++] = (crmf_edit_field){strchr(path, '.') + 1, x->text,
						   x->raw ? CRMF_EDIT_RAW : CRMF_EDIT_TEXT};
	}
	if (crmf_edit_append(U->e, root, "followups", f, n) != 0) {
		fail(U, "followups");
		return;
	}
	cut = crmf_text_cut(v[S_F_SUMMARY].text, 30);
	if (by)
		two(U, N_("+ follow-up %s %s: %s"), v[S_F_DATE].text, by, cut);
	else
		two(U, N_("+ follow-up %s: %s"), v[S_F_DATE].text, cut);
	free(cut);
}

/* 备注: the comment lines import writes, appended at the end unless there. */
static void note(upd *U, const struct val *v)
{
	strbuf sb = STRBUF_INIT;
	const char *p, *src = U->doc->src;
	bool first = true, there;

	if (!given(v) || U->failed)
		return;
	for (p = v->text; *p;) {
		size_t n = strcspn(p, "\r\n");

		if (n) {
			sb_adds(&sb, first ? "# 备注: " : "#   ");
			for (size_t i = 0; i < n; i++)
				sb_addc(&sb, (unsigned char)p[i] < 0x20 ? ' ' : p[i]);
			sb_adds(&sb, U->eol);
			first = false;
		}
		p += n;
		p += strspn(p, "\r\n");
	}
	if (!sb.buf)
		return;
	there =
	    strstr(src, sb.buf) != NULL || (U->doc->len >= sb.len - strlen(U->eol) &&
					    memcmp(src + U->doc->len - (sb.len - strlen(U->eol)),
						   sb.buf, sb.len - strlen(U->eol)) == 0);
	if (!there) {
		strbuf all = STRBUF_INIT;

		if (U->doc->len && src[U->doc->len - 1] != '\n')
			sb_adds(&all, U->eol);
		sb_add(&all, sb.buf, sb.len);
		if (crmf_edit_splice(U->e, U->doc->len, 0, all.buf, all.len) != 0)
			fail(U, "备注");
		else {
			static const char msg[] = N_("+ 备注 (a comment at the end)");

			crmf_lines_add(U->what, "%s", msg);
			crmf_lines_add(U->said, "%s", crmf_tr(msg));
		}
		sb_release(&all);
	}
	sb_release(&sb);
}

/* A list the file lacked, on the edited document `d`: its key added with a
 * mark, the mark replaced by the items in brackets. */
static int late_list(crmf_doc **d, const struct late *L)
{
	crmf_edit *e = NULL;
	crmf_doc *with = NULL, *out = NULL;
	const crmf_node *cur = crmf_node_get((*d)->root, L->key), *mark;
	static const char marker[] = "crmf-import-list";
	strbuf sb = STRBUF_INIT;
	crmf_diags dd;
	bool bad;
	int rc = -1;

	if (crmf_edit_new(&e, *d) != 0)
		return -1;
	if (cur ? crmf_edit_set_scalar(e, cur, marker, CRMF_EDIT_TEXT)
		: crmf_edit_add_key(e, (*d)->root, L->key, marker, CRMF_EDIT_TEXT))
		goto done;
	if (crmf_edit_finish(&with, e, NULL) != 0)
		goto done;
	mark = crmf_node_get(with->root, L->key);
	if (!mark || mark->type != CRMF_NODE_SCALAR || strcmp(mark->value, marker) != 0) {
		crmf_error_set("'%s' did not read back", L->key);
		goto done;
	}
	sb_add(&sb, with->src, mark->start);
	sb_addc(&sb, '[');
	for (size_t i = 0; i < L->n; i++) {
		char *s = flow_item(L->items[i]);

		sb_adds(&sb, i ? ", " : "");
		sb_adds(&sb, s);
		free(s);
	}
	sb_addc(&sb, ']');
	sb_add(&sb, with->src + mark->end, with->len - mark->end);
	crmf_diags_init(&dd);
	bad = crmf_doc_parse(&out, with->path, sb.buf, sb.len, &dd) != 0 || !out->root;
	crmf_diags_release(&dd);
	if (bad) {
		crmf_error_set("adding '%s' gives a file that does not parse", L->key);
		crmf_doc_free(out);
		goto done;
	}
	crmf_doc_free(*d);
	*d = out;
	rc = 0;
done:
	sb_release(&sb);
	crmf_doc_free(with);
	crmf_edit_free(e);
	return rc;
}

int crmf_import_update(crmf_import_changes *out, const crmf_import *imp, const crmf_import_row *row,
		       const crmf_doc *file)
{
	static const struct {
		int slot;
		enum kind kind;
	} top[] = {
	    {S_NAME, K_TEXT},	{S_INDUSTRY, K_TEXT},  {S_SIZE, K_TEXT},
	    {S_SOURCE, K_TEXT}, {S_CREATED, K_TEXT},   {S_OWNER, K_MEMBER},
	    {S_STAGE, K_TEXT},	{S_POTENTIAL, K_TEXT}, {S_GRADE, K_TEXT},
	};
	static const int need[] = {S_N_TYPE, S_N_DESC, S_N_BUDGET, S_N_TIMELINE};
	const struct import_priv *P = imp->priv;
	struct rowvals *rv = row->priv;
	const crmf_node *root = file->root, *needn;
	upd U = {P, file, NULL, &out->what, &out->said, file->crlf ? "\r\n" : "\n",
		 {{0}}, 0, false, NULL};
	crmf_doc *d = NULL;
	size_t added = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!root || root->type != CRMF_NODE_MAPPING)
		return crmf_error_set("%s cannot be read as a customer", file->path);
	if (crmf_edit_new(&U.e, file) != 0)
		return -1;
	/* lists first: their lines go before a key added at the same place */
	list(&U, root, "tags", &rv->v[S_TAGS]);
	for (size_t k = 0; k < P->n_custom; k++)
		if (P->cfg->fields[k].type == CRMF_FT_LIST)
			list(&U, root, P->cfg->fields[k].name, &rv->custom[k]);
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		scalar(&U, root, import_slot_path[top[i].slot], import_slot_path[top[i].slot],
		       &rv->v[top[i].slot], top[i].kind);
	for (size_t k = 0; k < P->n_custom; k++)
		if (P->cfg->fields[k].type != CRMF_FT_LIST)
			scalar(&U, root, P->cfg->fields[k].name, P->cfg->fields[k].name,
			       &rv->custom[k],
			       P->cfg->fields[k].type == CRMF_FT_NUMBER ? K_NUMBER : K_TEXT);
	needn = crmf_node_get(root, "need");
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		scalar(&U, needn, strchr(import_slot_path[need[i]], '.') + 1,
		       import_slot_path[need[i]], &rv->v[need[i]], K_TEXT);
	contact(&U, root, &rv->v[S_C_NAME], &added);
	for (int k = 0; k < IMPORT_MAX_CONTACTS - 1; k++)
		contact(&U, root, rv->xc[k], &added);
	deal(&U, root, rv->v);
	followup(&U, root, rv->v);
	note(&U, &rv->v[S_NOTE]);
	if (U.failed) {
		crmf_error_set("%s", U.error);
		goto done;
	}
	if (!crmf_edit_count(U.e) && !U.nlate) {
		rc = 0;
		goto done;
	}
	if (crmf_edit_count(U.e)) {
		if (crmf_edit_finish(&d, U.e, NULL) != 0)
			goto done;
	} else {
		crmf_diags dd;
		int bad;

		crmf_diags_init(&dd);
		bad = crmf_doc_parse(&d, file->path, file->src, file->len, &dd);
		crmf_diags_release(&dd);
		if (bad != 0)
			goto done;
	}
	for (size_t i = 0; i < U.nlate; i++)
		if (late_list(&d, &U.late[i]) != 0)
			goto done;
	out->buf = xstrndup(d->src, d->len);
	out->len = d->len;
	rc = 0;
done:
	if (rc != 0) {
		crmf_lines_release(&out->what);
		crmf_lines_release(&out->said);
	}
	for (size_t i = 0; i < U.nlate; i++) {
		for (size_t j = 0; j < U.late[i].n; j++)
			free(U.late[i].items[j]);
		free(U.late[i].items);
	}
	free(U.error);
	crmf_doc_free(d);
	crmf_edit_free(U.e);
	return rc;
}

void crmf_import_changes_release(crmf_import_changes *c)
{
	if (!c)
		return;
	free(c->buf);
	crmf_lines_release(&c->what);
	crmf_lines_release(&c->said);
	memset(c, 0, sizeof(*c));
}
