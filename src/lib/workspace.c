/* SPDX-License-Identifier: MIT */
/* A repository held in memory for an editor: every file's cross-file keys, a buffer checked against
 * them, completion and hover. */
#include "crmf/workspace.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmf/check.h"
#include "crmf/classify.h"
#include "crmf/doc.h"
#include "crmf/fields.h"
#include "cross.h"
#include "record.h"
#include "scan_private.h"
#include "util.h"

/* The kinds of keys the cross-file checks compare. */
enum { K_ID, K_NAME, K_PHONE, K_EMAIL };

struct wkey {
	crmf_cross_key k;
	uint8_t kind;
};

/* One customer file: its path, id and keys (the id's among them). */
struct wfile {
	char *path;
	char *id;
	struct wkey *keys;
	size_t n_keys;
};

/* An open-addressing table from a key to the files that hold it: one
 * inline, more in `many`. Slots are never emptied, only their holders. */
struct wslot {
	uint64_t h;
	uint32_t tag;
	uint8_t kind, used;
	uint32_t n, cap;
	union {
		uint32_t one;
		uint32_t *many;
	} u;
};

struct crmf_workspace {
	crmf_repo *repo; /* root and configuration; no customers kept */
	struct wfile *files;
	size_t n_files, cap_files;
	uint32_t *by_path; /* file + 1 per slot, by the hash of the path */
	size_t path_mask;
	struct wslot *slots;
	size_t mask, used;
	unsigned long generation; /* counts the changes of any file's keys */
};

/* ---- the keys ---- */

static uint64_t slot_hash(crmf_cross_key k, int kind)
{
	return k.h ^ ((uint64_t)kind * 0x9e3779b97f4a7c15ULL);
}

static struct wslot *slot_find(struct crmf_workspace *ws, crmf_cross_key k, int kind, bool add)
{
	size_t i;

	if (add && (!ws->slots || (ws->used + 1) * 10 > (ws->mask + 1) * 7)) {
		size_t cap = ws->slots ? (ws->mask + 1) * 2 : 1024;
		struct wslot *old = ws->slots;
		size_t old_cap = old ? ws->mask + 1 : 0;

		ws->slots = xcalloc(cap, sizeof(*ws->slots));
		ws->mask = cap - 1;
		for (size_t j = 0; j < old_cap; j++) {
			if (!old[j].used)
				continue;
			for (i = slot_hash((crmf_cross_key){old[j].h, old[j].tag}, old[j].kind) &
				 ws->mask;
			     ws->slots[i].used; i = (i + 1) & ws->mask)
				;
			ws->slots[i] = old[j];
		}
		free(old);
	}
	if (!ws->slots)
		return NULL;
	for (i = slot_hash(k, kind) & ws->mask; ws->slots[i].used; i = (i + 1) & ws->mask)
		if (ws->slots[i].h == k.h && ws->slots[i].tag == k.tag && ws->slots[i].kind == kind)
			return &ws->slots[i];
	if (!add)
		return NULL;
	ws->slots[i] = (struct wslot){.h = k.h, .tag = k.tag, .kind = (uint8_t)kind, .used = 1};
	ws->used++;
	return &ws->slots[i];
}

static uint32_t *holders(struct wslot *s)
{
	return s->cap ? s->u.many : &s->u.one;
}

static void slot_add(struct wslot *s, uint32_t file)
{
	if (s->n == 1 && !s->cap) {
		uint32_t one = s->u.one;

		s->cap = 4;
		s->u.many = xmalloc(s->cap * sizeof(*s->u.many));
		s->u.many[0] = one;
	} else if (s->cap && s->n == s->cap) {
		s->cap *= 2;
		s->u.many = xrealloc(s->u.many, s->cap * sizeof(*s->u.many));
	}
	holders(s)[s->n++] = file;
}

static void slot_remove(struct wslot *s, uint32_t file)
{
	uint32_t *h = holders(s);

	for (uint32_t i = 0; i < s->n; i++)
		if (h[i] == file) {
			h[i] = h[--s->n];
			return;
		}
}

/* The file of `path`, added (without keys) when `add`; SIZE_MAX when none. */
static size_t file_of(struct crmf_workspace *ws, const char *path, bool add)
{
	size_t i, len = strlen(path);

	if (add && (!ws->by_path || (ws->n_files + 1) * 10 > (ws->path_mask + 1) * 7)) {
		size_t cap = ws->by_path ? (ws->path_mask + 1) * 2 : 1024;

		free(ws->by_path);
		ws->by_path = xcalloc(cap, sizeof(*ws->by_path));
		ws->path_mask = cap - 1;
		for (size_t f = 0; f < ws->n_files; f++) {
			const char *p = ws->files[f].path;

			for (i = hash_bytes(p, strlen(p)) & ws->path_mask; ws->by_path[i];
			     i = (i + 1) & ws->path_mask)
				;
			ws->by_path[i] = (uint32_t)f + 1;
		}
	}
	if (!ws->by_path)
		return SIZE_MAX;
	for (i = hash_bytes(path, len) & ws->path_mask; ws->by_path[i]; i = (i + 1) & ws->path_mask)
		if (strcmp(ws->files[ws->by_path[i] - 1].path, path) == 0)
			return ws->by_path[i] - 1;
	if (!add)
		return SIZE_MAX;
	if (ws->n_files == ws->cap_files) {
		ws->cap_files = ws->cap_files ? ws->cap_files * 2 : 1024;
		ws->files = xrealloc(ws->files, ws->cap_files * sizeof(*ws->files));
	}
	ws->files[ws->n_files] = (struct wfile){.path = xstrdup(path)};
	ws->by_path[i] = (uint32_t)++ws->n_files;
	return ws->n_files - 1;
}

/* A customer's keys as the cross-file checks take them from its record. */
struct kval {
	const char *raw;
	crmf_cross_key k;
	int line, col;
};

struct keyset {
	const char *id, *name;
	int id_line, id_col, name_line, name_col;
	crmf_cross_key name_key;
	struct kval *phones, *emails;
	size_t n_phones, n_emails;
	bool customer;
};

static bool no_key(crmf_cross_key k)
{
	return !k.h && !k.tag;
}

static void keys_of_view(struct keyset *ks, const struct view *v)
{
	struct dec d;

	memset(ks, 0, sizeof(*ks));
	if (!(v->flags & R_CUSTOMER))
		return;
	ks->customer = true;
	ks->id = v->id;
	ks->id_line = v->id_line;
	ks->id_col = v->id_col;
	ks->name = v->name;
	ks->name_key = v->name_key;
	ks->name_line = v->name_line;
	ks->name_col = v->name_col;
	ks->phones = xcalloc(v->n_phones ? v->n_phones : 1, sizeof(*ks->phones));
	d = (struct dec){v->phones, v->end, false};
	for (uint16_t k = 0; k < v->n_phones; k++) {
		struct phone ph = get_phone(&d);

		ks->phones[ks->n_phones++] =
		    (struct kval){.raw = ph.raw, .k = ph.key, .line = ph.line, .col = ph.col};
	}
	ks->emails = xcalloc(v->n_emails ? v->n_emails : 1, sizeof(*ks->emails));
	d = (struct dec){v->emails, v->end, false};
	for (uint16_t k = 0; k < v->n_emails; k++) {
		struct email em = get_email(&d);

		ks->emails[ks->n_emails++] = (struct kval){
		    .raw = em.raw,
		    .k = em.raw ? crmf_cross_email_key(em.raw) : (crmf_cross_key){0, 0},
		    .line = em.line,
		    .col = em.col};
	}
}

static void keyset_release(struct keyset *ks)
{
	free(ks->phones);
	free(ks->emails);
}

static void drop_keys(struct crmf_workspace *ws, size_t f)
{
	struct wfile *w = &ws->files[f];

	for (size_t i = 0; i < w->n_keys; i++) {
		struct wslot *s = slot_find(ws, w->keys[i].k, w->keys[i].kind, false);

		if (s)
			slot_remove(s, (uint32_t)f);
	}
	free(w->keys);
	free(w->id);
	w->keys = NULL;
	w->id = NULL;
	w->n_keys = 0;
}

/* Replace the keys of file f by those of ks (a file without a customer has none). */
static void set_keys(struct crmf_workspace *ws, size_t f, const struct keyset *ks)
{
	struct wfile *w = &ws->files[f];
	size_t n = 0;
	struct wkey *keys;
	bool same;

	if (!ks->customer) {
		ws->generation += w->n_keys > 0;
		drop_keys(ws, f);
		return;
	}
	keys = xmalloc((2 + ks->n_phones + ks->n_emails) * sizeof(*keys));
	if (ks->id)
		keys[n++] = (struct wkey){crmf_cross_id_key(ks->id), K_ID};
	if (ks->name && !no_key(ks->name_key))
		keys[n++] = (struct wkey){ks->name_key, K_NAME};
	for (size_t i = 0; i < ks->n_phones; i++)
		if (!no_key(ks->phones[i].k))
			keys[n++] = (struct wkey){ks->phones[i].k, K_PHONE};
	for (size_t i = 0; i < ks->n_emails; i++)
		if (ks->emails[i].raw)
			keys[n++] = (struct wkey){ks->emails[i].k, K_EMAIL};
	same = n == w->n_keys && (!ks->id) == (!w->id) && (!ks->id || strcmp(ks->id, w->id) == 0);
	for (size_t i = 0; same && i < n; i++)
		same = keys[i].k.h == w->keys[i].k.h && keys[i].k.tag == w->keys[i].k.tag &&
		       keys[i].kind == w->keys[i].kind;
	if (same) {
		free(keys);
		return;
	}
	ws->generation++;
	drop_keys(ws, f);
	for (size_t i = 0; i < n; i++) {
		struct wslot *s = slot_find(ws, keys[i].k, keys[i].kind, true);
		uint32_t *h = holders(s);
		bool there = false;

		for (uint32_t j = 0; j < s->n && !there; j++)
			there = h[j] == f;
		if (!there)
			slot_add(s, (uint32_t)f);
	}
	w->keys = keys;
	w->n_keys = n;
	w->id = ks->id ? xstrdup(ks->id) : NULL;
}

static void each_file(void *ctx, const char *path, const struct view *v)
{
	struct crmf_workspace *ws = ctx;
	struct keyset ks;

	keys_of_view(&ks, v);
	set_keys(ws, file_of(ws, path, true), &ks);
	keyset_release(&ks);
}

/* The first file in path order, before `path`, other than `me`, that holds
 * key k (and, for an id, that very id); NULL when `path` is the first. */
static const struct wfile *first_before(struct crmf_workspace *ws, crmf_cross_key k, int kind,
					const char *path, size_t me, const char *id)
{
	struct wslot *s = slot_find(ws, k, kind, false);
	const struct wfile *first = NULL;

	for (uint32_t j = 0; s && j < s->n; j++) {
		const struct wfile *w = &ws->files[holders(s)[j]];

		if (holders(s)[j] == me || strcmp(w->path, path) >= 0)
			continue;
		if (kind == K_ID && (!w->id || strcmp(w->id, id) != 0))
			continue;
		if (!first || strcmp(w->path, first->path) < 0)
			first = w;
	}
	return first;
}

static void cross_add(crmf_diags *d, const char *path, crmf_rule rule, int line, int col,
		      const char *value, const struct wfile *first)
{
	char *msg = crmf_cross_message(rule, value, first->id, first->path);

	crmf_diags_add(d, rule == CRMF_RULE_DUPLICATE_ID ? CRMF_SEV_ERROR : CRMF_SEV_WARNING, path,
		       line, col, crmf_rule_name(rule), "%s", msg);
	free(msg);
}

/* The findings of crmf_cross_begin, _phone and _email for `path`. */
static void cross_check(struct crmf_workspace *ws, const char *path, size_t me,
			const struct keyset *ks, crmf_diags *d)
{
	const struct wfile *f;

	if (!ks->customer)
		return;
	if (ks->id && (f = first_before(ws, crmf_cross_id_key(ks->id), K_ID, path, me, ks->id)))
		cross_add(d, path, CRMF_RULE_DUPLICATE_ID, ks->id_line ? ks->id_line : 1,
			  ks->id_line ? ks->id_col : 1, ks->id, f);
	if (ks->name && !no_key(ks->name_key) &&
	    (f = first_before(ws, ks->name_key, K_NAME, path, me, NULL)))
		cross_add(d, path, CRMF_RULE_PROBABLE_DUPLICATE, ks->name_line ? ks->name_line : 1,
			  ks->name_line ? ks->name_col : 1, ks->name, f);
	for (size_t i = 0; i < ks->n_phones; i++) {
		const struct kval *p = &ks->phones[i];

		if (!no_key(p->k) && (f = first_before(ws, p->k, K_PHONE, path, me, NULL)))
			cross_add(d, path, CRMF_RULE_SHARED_PHONE, p->line, p->col, p->raw, f);
	}
	for (size_t i = 0; i < ks->n_emails; i++) {
		const struct kval *e = &ks->emails[i];

		if (e->raw && (f = first_before(ws, e->k, K_EMAIL, path, me, NULL)))
			cross_add(d, path, CRMF_RULE_SHARED_EMAIL, e->line, e->col, e->raw, f);
	}
}

/* ---- the workspace ---- */

int crmf_workspace_open(crmf_workspace **out, const char *root, crmf_day today)
{
	crmf_workspace *ws = xcalloc(1, sizeof(*ws));
	crmf_scan_opts o = {.today = today, .mode = CRMF_SCAN_NONE};
	crmf_diags d;
	int rc;

	*out = NULL;
	if (crmf_repo_open(&ws->repo, root) != 0) {
		free(ws);
		return -1;
	}
	crmf_diags_init(&d);
	rc = crmf_repo_scan_each(ws->repo, &o, &d, each_file, ws);
	crmf_diags_release(&d);
	if (rc != 0) {
		crmf_workspace_free(ws);
		return -1;
	}
	*out = ws;
	return 0;
}

void crmf_workspace_free(crmf_workspace *ws)
{
	if (!ws)
		return;
	for (size_t i = 0; i < ws->n_files; i++) {
		free(ws->files[i].path);
		free(ws->files[i].id);
		free(ws->files[i].keys);
	}
	for (size_t i = 0; ws->slots && i <= ws->mask; i++)
		if (ws->slots[i].cap)
			free(ws->slots[i].u.many);
	free(ws->slots);
	free(ws->files);
	free(ws->by_path);
	crmf_repo_free(ws->repo);
	free(ws);
}

const char *crmf_workspace_root(const crmf_workspace *ws)
{
	return ws->repo->root;
}

const crmf_config *crmf_workspace_config(const crmf_workspace *ws)
{
	return ws->repo->cfg;
}

unsigned long crmf_workspace_generation(const crmf_workspace *ws)
{
	return ws->generation;
}

size_t crmf_workspace_size(const crmf_workspace *ws)
{
	size_t n = 0;

	for (size_t i = 0; i < ws->n_files; i++)
		n += ws->files[i].n_keys > 0;
	return n;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

crmf_ws_kind crmf_workspace_kind(const char *relpath)
{
	if (strcmp(relpath, "crmf.yaml") == 0)
		return CRMF_WS_CONFIG;
	if ((strncmp(relpath, "customers/", 10) == 0 || strncmp(relpath, "archive/", 8) == 0) &&
	    (has_suffix(relpath, ".yaml") || has_suffix(relpath, ".yml")) &&
	    !strstr(relpath, "/../") && !strstr(relpath, "/./") && !strstr(relpath, "//"))
		return CRMF_WS_CUSTOMER;
	return CRMF_WS_OTHER;
}

/* ---- positions ---- */

/* The bytes of line `line` (1-based) of buf: its start, and its length
 * without the line end. False when there is no such line. */
static bool line_at(const char *buf, size_t len, int line, size_t *start, size_t *n)
{
	size_t p = 0;

	if (line < 1)
		return false;
	for (int l = 1; l < line; l++) {
		const char *nl = memchr(buf + p, '\n', len - p);

		if (!nl)
			return false;
		p = (size_t)(nl - buf) + 1;
	}
	*start = p;
	const char *nl = memchr(buf + p, '\n', len - p);
	*n = (nl ? (size_t)(nl - buf) : len) - p;
	if (*n && buf[p + *n - 1] == '\r')
		(*n)--;
	return true;
}

static bool utf8_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Characters (code points) in s[0..n). */
static int chars_in(const char *s, size_t n)
{
	int c = 0;

	for (size_t i = 0; i < n; i++)
		c += !utf8_cont((unsigned char)s[i]);
	return c;
}

/* The byte offset in s[0..n) of the character at 1-based column `col` (n at the end). */
static size_t byte_of_col(const char *s, size_t n, int col)
{
	size_t i = 0;

	for (int c = 1; c < col && i < n; c++)
		for (i++; i < n && utf8_cont((unsigned char)s[i]); i++)
			;
	return i;
}

/* The scalar (preferred) or other node that starts at line:col. */
static const crmf_node *node_at(const crmf_node *n, int line, int col)
{
	const crmf_node *found = NULL, *sub;

	if (!n)
		return NULL;
	if (n->line == line && n->column == col && n->type == CRMF_NODE_SCALAR)
		return n;
	if (n->line > line || (n->type == CRMF_NODE_SCALAR))
		return NULL;
	if (n->type == CRMF_NODE_MAPPING) {
		for (size_t i = 0; i < n->n; i++) {
			if ((sub = node_at(n->pairs[i].key, line, col)))
				return sub;
			if ((sub = node_at(n->pairs[i].value, line, col)))
				return sub;
		}
	} else if (n->type == CRMF_NODE_SEQUENCE) {
		for (size_t i = 0; i < n->n; i++)
			if ((sub = node_at(n->items[i], line, col)))
				return sub;
	}
	if (n->line == line && n->column == col)
		found = n;
	return found;
}

static crmf_span_end end_of(const crmf_node *root, const char *buf, size_t len, const crmf_diag *d)
{
	const crmf_node *n = d->line > 0 ? node_at(root, d->line, d->column) : NULL;
	crmf_span_end e = {d->line, d->column};
	size_t start, nb, from;

	if (d->line < 1)
		return e;
	if (n && n->type == CRMF_NODE_SCALAR && n->end_line == n->line &&
	    n->end_column > n->column) {
		e.column = n->end_column;
		return e;
	}
	if (!line_at(buf, len, d->line, &start, &nb))
		return e;
	from = byte_of_col(buf + start, nb, d->column);
	/* a key or value: to the end of the line's text, before a comment */
	size_t end = from;
	for (size_t i = from; i < nb; i++) {
		if (buf[start + i] == '#' && i > from && (buf[start + i - 1] == ' '))
			break;
		if (buf[start + i] != ' ' && buf[start + i] != '\t')
			end = i + 1;
	}
	while (end < nb && utf8_cont((unsigned char)buf[start + end]))
		end++;
	e.column = d->column + chars_in(buf + start + from, end - from);
	return e;
}

static crmf_span_end *ends_of(const crmf_node *root, const char *buf, size_t len,
			      const crmf_diags *d)
{
	crmf_span_end *e = xmalloc((d->n ? d->n : 1) * sizeof(*e));

	for (size_t i = 0; i < d->n; i++)
		e[i] = end_of(root, buf, len, &d->v[i]);
	return e;
}

/* ---- checking a buffer ---- */

crmf_ws_kind crmf_workspace_check(crmf_workspace *ws, const char *relpath, const char *buf,
				  size_t len, crmf_day today, crmf_diags *diags,
				  crmf_span_end **ends)
{
	crmf_ws_kind kind = crmf_workspace_kind(relpath);
	crmf_doc *doc = NULL;
	crmf_customer *c = NULL;
	strbuf b = STRBUF_INIT;
	struct view v;
	struct keyset ks;
	size_t me;

	if (ends)
		*ends = NULL;
	if (kind == CRMF_WS_CONFIG) {
		crmf_config *cfg = NULL;

		crmf_doc_parse(&doc, "crmf.yaml", buf, len, diags);
		crmf_config_load(&cfg, doc && doc->root ? doc : NULL, diags);
		crmf_config_free(cfg);
		crmf_diags_sort(diags);
		if (ends)
			*ends = ends_of(doc ? doc->root : NULL, buf, len, diags);
		crmf_doc_free(doc);
		return kind;
	}
	if (kind != CRMF_WS_CUSTOMER)
		return kind;
	char *copy = xmalloc(len + 1);
	memcpy(copy, buf, len);
	crmf_doc_parse_owned(&doc, relpath, copy, len, diags);
	if (doc)
		crmf_check_customer(&c, doc, relpath, ws->repo->cfg, today, diags);
	rec_make(&b, c, diags);
	if (!rec_view(&v, b.buf, b.len))
		abort(); /* a record just made is whole */
	keys_of_view(&ks, &v);
	me = file_of(ws, relpath, true);
	cross_check(ws, relpath, me, &ks, diags);
	set_keys(ws, me, &ks);
	keyset_release(&ks);
	sb_release(&b);
	crmf_diags_sort(diags);
	if (ends)
		*ends = ends_of(c && c->doc ? c->doc->root : NULL, buf, len, diags);
	crmf_customer_free(c);
	return kind;
}

void crmf_workspace_revert(crmf_workspace *ws, const char *relpath, crmf_day today)
{
	char *path, *bytes = NULL;
	size_t len = 0, f;
	crmf_diags d;

	if (crmf_workspace_kind(relpath) != CRMF_WS_CUSTOMER)
		return;
	path = xasprintf("%s/%s", ws->repo->root, relpath);
	crmf_diags_init(&d);
	if (crmf_doc_read(&bytes, &len, path) == 0) {
		crmf_workspace_check(ws, relpath, bytes, len, today, &d, NULL);
	} else if ((f = file_of(ws, relpath, false)) != SIZE_MAX) {
		drop_keys(ws, f);
	}
	crmf_diags_release(&d);
	free(bytes);
	free(path);
}

/* ---- completion and hover ---- */

/* Where the cursor is in a customer file, read from the text alone (a
 * buffer being typed is seldom valid YAML). */
struct spot {
	char parent[64];      /* "" at the top level, else the record's key ("contacts") */
	char key[64];	      /* the key of the line, when the cursor is after its ':' */
	bool value;	      /* after the key's ':' */
	int key_col, key_end; /* the key's columns (1-based, end exclusive) */
	int word_col;	      /* where the word being typed starts */
	bool text;	      /* the cursor is past the first word of a line without ':' */
};

static size_t skip_blanks(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* The key of a line "KEY:" at indent 0, into out; false when it is none. */
static bool top_key(const char *s, size_t n, char *out, size_t size)
{
	size_t i = 0;

	if (!n || s[0] == ' ' || s[0] == '\t' || s[0] == '#' || s[0] == '-')
		return false;
	while (i < n && s[i] != ':')
		i++;
	if (i == n || i >= size)
		return false;
	memcpy(out, s, i);
	out[i] = '\0';
	while (i > 0 && out[i - 1] == ' ')
		out[--i] = '\0';
	return true;
}

static void spot_of(struct spot *sp, const char *buf, size_t len, int line, int column)
{
	size_t start, n, cur, i, k0, k1;
	bool nested;

	memset(sp, 0, sizeof(*sp));
	sp->word_col = column;
	if (!line_at(buf, len, line, &start, &n))
		return;
	const char *s = buf + start;
	cur = byte_of_col(s, n, column);
	i = skip_blanks(s, 0, n);
	nested = i > 0;
	while (i < n && s[i] == '-' && (i + 1 == n || s[i + 1] == ' ')) {
		nested = true;
		i = skip_blanks(s, i + 1, n);
	}
	k0 = i;
	for (k1 = k0; k1 < n && s[k1] != ':' && s[k1] != ' '; k1++)
		;
	size_t colon = skip_blanks(s, k1, n);
	if (colon < n && s[colon] == ':' && cur > colon) {
		size_t w = skip_blanks(s, colon + 1, cur);

		if (w < cur && (s[w] == '"' || s[w] == '\''))
			w++;
		sp->value = true;
		snprintf(sp->key, sizeof(sp->key), "%.*s", (int)(k1 - k0), s + k0);
		sp->word_col = 1 + chars_in(s, w);
	} else {
		sp->word_col = 1 + chars_in(s, k0 < cur ? k0 : cur);
		sp->text = cur > k1; /* words after a word: text, not a key */
	}
	sp->key_col = 1 + chars_in(s, k0);
	sp->key_end = 1 + chars_in(s, k1);
	if (!nested)
		return;
	/* the record: the nearest line above at indent 0 that is a key */
	for (int l = line - 1; l >= 1; l--) {
		size_t ls, ln;

		if (!line_at(buf, len, l, &ls, &ln))
			break;
		if (!ln || buf[ls] == ' ' || buf[ls] == '\t' || buf[ls] == '#' || buf[ls] == '-')
			continue;
		top_key(buf + ls, ln, sp->parent, sizeof(sp->parent));
		break;
	}
}

static void items_add(crmf_ws_items *out, const char *label, const char *detail, bool key)
{
	for (size_t i = 0; i < out->n; i++)
		if (strcmp(out->v[i].label, label) == 0)
			return;
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 32;
		out->v = xrealloc(out->v, out->cap * sizeof(*out->v));
	}
	out->v[out->n++] = (crmf_ws_item){xstrdup(label), detail ? xstrdup(detail) : NULL, key};
}

void crmf_ws_items_release(crmf_ws_items *items)
{
	for (size_t i = 0; i < items->n; i++) {
		free(items->v[i].label);
		free(items->v[i].detail);
	}
	free(items->v);
	items->v = NULL;
	items->n = items->cap = 0;
}

static char *field_names(const crmf_field *f)
{
	if (f->label_zh && f->label_en)
		return xasprintf("%s / %s", f->label_zh, f->label_en);
	return xstrdup(f->label_zh ? f->label_zh : f->label_en ? f->label_en : "");
}

/* The row of key `key` in record `parent` ("" at the top level), or NULL. */
static const crmf_field *field_of(const char *parent, const char *key)
{
	char path[160];

	snprintf(path, sizeof(path), "%s%s%s", parent, *parent ? "." : "", key);
	return crmf_field_find(path, strlen(path));
}

static void complete_values(crmf_ws_items *out, const crmf_config *cfg, const struct spot *sp)
{
	const crmf_field *f = field_of(sp->parent, sp->key);
	const crmf_field_def *custom = !*sp->parent ? crmf_config_field(cfg, sp->key) : NULL;
	char path[160];
	const char *const *v;
	size_t n;
	bool desc;

	if (!f && !custom)
		return;
	if (f && f->kind == CRMF_FIELD_MEMBER) {
		for (size_t i = 0; i < cfg->n_team; i++) {
			const crmf_member *m = &cfg->team[i];
			char *d = m->left != CRMF_NO_DAY
				      ? xasprintf(crmf_tr("%s (left)"), m->name ? m->name : m->id)
				      : xstrdup(m->name ? m->name : "");

			items_add(out, m->id, *d ? d : NULL, false);
			free(d);
		}
		return;
	}
	if ((f && f->kind == CRMF_FIELD_BOOL) || (custom && custom->type == CRMF_FT_BOOL)) {
		items_add(out, "true", NULL, false);
		items_add(out, "false", NULL, false);
		return;
	}
	if (f && strcmp(f->path, "industry") == 0) {
		for (size_t i = 0; i < cfg->industries.n; i++)
			items_add(out, cfg->industries.v[i], NULL, false);
		return;
	}
	snprintf(path, sizeof(path), "%s%s%s", sp->parent, *sp->parent ? "." : "", sp->key);
	if ((f && (f->kind == CRMF_FIELD_ENUM || f->kind == CRMF_FIELD_CONFIG)) ||
	    (custom && custom->type == CRMF_FT_ENUM)) {
		if (f && f->kind == CRMF_FIELD_ENUM) {
			v = f->values;
			n = f->n_values;
		} else if (!crmf_config_values(cfg, path, &v, &n, &desc)) {
			return;
		}
		for (size_t i = 0; i < n; i++) {
			const char *l = crmf_config_label(cfg, sp->key, v[i]);

			items_add(out, v[i], l && strcmp(l, v[i]) != 0 ? l : NULL, false);
		}
	}
}

void crmf_workspace_complete(crmf_ws_items *out, int *from, const crmf_workspace *ws,
			     const char *buf, size_t len, int line, int column)
{
	const crmf_config *cfg = ws->repo->cfg;
	struct spot sp;
	size_t n;
	const crmf_field *f = crmf_fields(&n);
	size_t plen;

	spot_of(&sp, buf, len, line, column);
	*from = sp.word_col;
	if (sp.value) {
		complete_values(out, cfg, &sp);
		return;
	}
	if (sp.text)
		return;
	plen = strlen(sp.parent);
	for (size_t i = 0; i < n; i++) {
		const char *p = f[i].path;
		char *d;

		if (plen ? strncmp(p, sp.parent, plen) != 0 || p[plen] != '.' ||
			       strchr(p + plen + 1, '.')
			 : strchr(p, '.') != NULL)
			continue;
		d = field_names(&f[i]);
		items_add(out, plen ? p + plen + 1 : p, d, true);
		free(d);
	}
	for (size_t i = 0; !plen && i < cfg->n_fields; i++) {
		char *d = xasprintf(crmf_tr("custom field (%s)"),
				    crmf_field_type_name(cfg->fields[i].type));

		items_add(out, cfg->fields[i].name, d, true);
		free(d);
	}
}

char *crmf_workspace_hover(const crmf_workspace *ws, const char *relpath, const char *buf,
			   size_t len, int line, int column, crmf_day today)
{
	const crmf_config *cfg = ws->repo->cfg;
	struct spot sp;
	strbuf b = STRBUF_INIT;
	crmf_doc *doc = NULL;
	crmf_customer *c = NULL;
	crmf_diags d;
	crmf_class k;

	if (crmf_workspace_kind(relpath) != CRMF_WS_CUSTOMER)
		return NULL;
	spot_of(&sp, buf, len, line, column);
	if (sp.key_end > sp.key_col && column >= sp.key_col && column < sp.key_end) {
		size_t ks, kn;
		char key[64];

		line_at(buf, len, line, &ks, &kn);
		size_t b0 = byte_of_col(buf + ks, kn, sp.key_col),
		       b1 = byte_of_col(buf + ks, kn, sp.key_end);
		snprintf(key, sizeof(key), "%.*s", (int)(b1 - b0), buf + ks + b0);
		const crmf_field *f = field_of(sp.parent, key);
		const crmf_field_def *custom = !*sp.parent ? crmf_config_field(cfg, key) : NULL;

		if (f) {
			sb_addf(&b, "**%s**: %s / %s", f->path, f->label_zh ? f->label_zh : "",
				f->label_en ? f->label_en : "");
			if (f->flags & CRMF_FIELD_REQUIRED)
				sb_adds(&b, crmf_tr(" (required)"));
			if (f->kind == CRMF_FIELD_ENUM) {
				sb_adds(&b, "\n\n");
				for (size_t i = 0; i < f->n_values; i++) {
					const char *l =
					    crmf_config_label(cfg, crmf_field_key(f), f->values[i]);

					sb_addf(&b, "%s`%s`", i ? ", " : "", f->values[i]);
					if (l && strcmp(l, f->values[i]) != 0)
						sb_addf(&b, " %s", l);
				}
			}
			return sb_detach(&b);
		}
		if (custom) {
			sb_addf(&b,
				custom->required ? crmf_tr("**%s**: custom field (%s) of crmf.yaml, required")
						 : crmf_tr("**%s**: custom field (%s) of crmf.yaml"),
				custom->name, crmf_field_type_name(custom->type));
			return sb_detach(&b);
		}
	}
	if (len > CRMF_DOC_MAX_SIZE)
		return NULL;
	crmf_diags_init(&d);
	crmf_doc_parse(&doc, relpath, buf, len, &d);
	if (doc)
		crmf_check_customer(&c, doc, relpath, cfg, today, &d);
	crmf_diags_release(&d);
	if (!c)
		return NULL;
	crmf_classify(&k, c, cfg, today);
	sb_addf(&b, "**%s** %s\n\n", c->id ? c->id : crmf_tr("(no id)"), c->name ? c->name : "");
	sb_addf(&b, crmf_tr("- activity: %s"), crmf_activity_name(k.activity));
	if (k.last_contact != CRMF_NO_DAY) {
		char t[11];

		crmf_date_format(k.last_contact, t);
		sb_addf(&b, crmf_tr(" (last contact %s)"), t);
	}
	sb_addf(&b, crmf_tr("\n- value: %s (%.2f %s signed in the last %d days)\n"),
		crmf_value_name(k.value), k.value_sum, cfg->currency ? cfg->currency : "",
		CRMF_VALUE_WINDOW);
	sb_addf(&b, crmf_tr("- quadrant: %s\n"), crmf_quadrant_name(k.quadrant));
	if (k.due_kind == CRMF_DUE_NONE) {
		sb_adds(&b, crmf_tr("- next due: nothing is due\n"));
	} else {
		char t[11];

		crmf_date_format(k.next_due, t);
		sb_addf(&b, crmf_tr("- next due: %s (%s)"), t, k.reason);
		if (k.overdue_days > 0)
			sb_addf(&b, crmf_tr(", overdue by %d day%s"), k.overdue_days,
				k.overdue_days == 1 ? "" : "s");
		sb_adds(&b, "\n");
	}
	if (k.stale)
		sb_adds(&b, crmf_tr("- stale: an archive candidate\n"));
	if (c->errors)
		sb_addf(&b, crmf_tr("\n(the file has %zu error%s: the classification may be unsure)\n"),
			c->errors, c->errors == 1 ? "" : "s");
	crmf_customer_free(c);
	return sb_detach(&b);
}
