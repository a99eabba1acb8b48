/* SPDX-License-Identifier: MIT */
/* Fuzz harness: edit splices (set, add, append, delete) on a fuzzed file with fuzzed values. */
#include <stdbool.h>
#include <string.h>

#include "crmf/doc.h"
#include "crmf/edit.h"
#include "fuzz.h"

/*
 * Input: a YAML file, then a NUL byte, then one operation per line:
 *   set PATH VALUE          crmf_edit_set, CRMF_EDIT_TEXT
 *   raw PATH VALUE          crmf_edit_set, CRMF_EDIT_RAW
 *   add PATH KEY VALUE      crmf_edit_add_key on the mapping at PATH (`.`: the root)
 *   append PATH KEY K=V|K=V crmf_edit_append on the mapping at PATH (%K=V: RAW)
 *   delete PATH             crmf_edit_delete
 * VALUE is the rest of the line, with \n, \t, \\ and \xHH escapes. Without a
 * NUL the whole input is the file and DEFAULT_OPS the operations.
 *
 * Oracles: an operation that fails adds no splice; the original document is
 * never changed; when crmf_edit_finish succeeds, the result parses on its own,
 * every value set, added or appended reads back at its place, and every
 * top-level key no operation touched keeps its bytes, from its key to the end
 * of its value's last scalar.
 */

#define DEFAULT_OPS                                                                               \
	"set stage negotiation\n"                                                                 \
	"set need.budget 10万\n"                                                                  \
	"append . followups date=2025-06-16|by=li.na|method=phone|summary=回访，确认预算\n"

#define MAX_OPS 16
#define MAX_FIELDS 8

struct op {
	char kind;      /* s(et) r(aw) a(dd) A(ppend) d(elete) */
	char *path;     /* owned copies, NUL-terminated */
	char *key;
	char *value;
	crmf_edit_field fields[MAX_FIELDS];
	size_t n_fields;
	bool ok;
};

static char *unescape(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	if (!out)
		abort();
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\\' || i + 1 == len) {
			*o++ = s[i];
			continue;
		}
		switch (s[++i]) {
		case 'n': *o++ = '\n'; break;
		case 't': *o++ = '\t'; break;
		case 'x':
			if (i + 2 < len) {
				char hex[3] = {s[i + 1], s[i + 2], 0};
				*o++ = (char)strtol(hex, NULL, 16);
				i += 2;
			}
			break;
		default: *o++ = s[i]; break;
		}
	}
	*o = '\0';
	return out;
}

/* The next space-separated word of [*p, end) (unescaped), or NULL at the end. */
static char *word(const char **p, const char *end)
{
	const char *s = *p, *e;

	if (s >= end)
		return NULL;
	e = memchr(s, ' ', (size_t)(end - s));
	if (!e)
		e = end;
	*p = e < end ? e + 1 : end;
	return unescape(s, (size_t)(e - s));
}

static size_t parse_ops(struct op *ops, const char *s, size_t len)
{
	const char *end = s + len;
	size_t n = 0;

	while (s < end && n < MAX_OPS) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *eol = nl ? nl : end;
		const char *p = s;
		char *verb = word(&p, eol);
		struct op *op = &ops[n];

		memset(op, 0, sizeof(*op));
		s = nl ? nl + 1 : end;
		if (!verb)
			continue;
		if (!strcmp(verb, "set") || !strcmp(verb, "raw"))
			op->kind = verb[0];
		else if (!strcmp(verb, "add"))
			op->kind = 'a';
		else if (!strcmp(verb, "append"))
			op->kind = 'A';
		else if (!strcmp(verb, "delete"))
			op->kind = 'd';
		free(verb);
		if (!op->kind)
			continue;
		op->path = word(&p, eol);
		if (!op->path)
			continue;
		if (op->kind == 'a' || op->kind == 'A')
			op->key = word(&p, eol);
		if ((op->kind == 'a' || op->kind == 'A') && !op->key) {
			free(op->path);
			continue;
		}
		op->value = unescape(p, (size_t)(eol - p));
		if (op->kind == 'A') {
			char *f = op->value;

			while (op->n_fields < MAX_FIELDS) {
				char *bar = strchr(f, '|'), *eq;

				if (bar)
					*bar = '\0';
				eq = strchr(f, '=');
				if (eq) {
					*eq = '\0';
					if (*f == '%') {
						op->fields[op->n_fields].flags = CRMF_EDIT_RAW;
						f++;
					}
					op->fields[op->n_fields].key = f;
					op->fields[op->n_fields].value = eq + 1;
					op->n_fields++;
				}
				if (!bar)
					break;
				f = bar + 1;
			}
		}
		n++;
	}
	return n;
}

static const crmf_node *mapping_at(const crmf_doc *doc, const char *path)
{
	crmf_edit_target t;

	if (!strcmp(path, "."))
		return doc->root;
	if (crmf_edit_find(&t, doc, path) != 0 || !t.node || t.node->type != CRMF_NODE_MAPPING)
		return NULL;
	return t.node;
}

static int run_op(crmf_edit *e, const crmf_doc *doc, const struct op *op)
{
	const crmf_node *map;

	switch (op->kind) {
	case 's': return crmf_edit_set(e, op->path, op->value, CRMF_EDIT_TEXT);
	case 'r': return crmf_edit_set(e, op->path, op->value, CRMF_EDIT_RAW);
	case 'd': return crmf_edit_delete(e, op->path);
	}
	map = mapping_at(doc, op->path);
	if (!map)
		return -1;
	if (op->kind == 'a')
		return crmf_edit_add_key(e, map, op->key, op->value, CRMF_EDIT_TEXT);
	return crmf_edit_append(e, map, op->key, op->fields, op->n_fields);
}

/* The top-level key an operation touches: its path's first key, or KEY at the root. */
static bool touches(const struct op *op, const char *key, size_t klen)
{
	const char *p = op->path;
	size_t n = strcspn(p, ".[");

	if (!strcmp(p, "."))
		return strlen(op->key) == klen && !memcmp(op->key, key, klen);
	return n == klen && !memcmp(p, key, klen);
}

static size_t pair_end(const crmf_pair *p);

/* Where a node's text ends: its last scalar or flow collection, not the trailing
 * comments and blank lines a block collection's span runs on to. */
static size_t content_end(const crmf_node *n)
{
	if (n->style != CRMF_STYLE_BLOCK || n->type == CRMF_NODE_SCALAR || n->n == 0)
		return n->end;
	if (n->type == CRMF_NODE_MAPPING)
		return pair_end(&n->pairs[n->n - 1]);
	return content_end(n->items[n->n - 1]);
}

/* An empty value's span is where libyaml saw it end: after an explicit key
 * (`? k`, no colon) that is the next token, which an insertion moves; so a
 * pair with an empty value ends with its key. */
static size_t pair_end(const crmf_pair *p)
{
	if (p->value->type == CRMF_NODE_SCALAR && p->value->start == p->value->end)
		return p->key->end;
	return content_end(p->value);
}

static const crmf_node *scalar_at(const crmf_doc *doc, const char *path)
{
	crmf_edit_target t;

	if (crmf_edit_find(&t, doc, path) != 0 || !t.node || t.node->type != CRMF_NODE_SCALAR)
		return NULL;
	return t.node;
}

static void check_result(const crmf_doc *old, const crmf_doc *new, const struct op *ops, size_t n)
{
	crmf_diags diags;
	crmf_doc *again = NULL;
	bool shifted = false; /* indexes may point elsewhere after a delete or an append */

	crmf_diags_init(&diags);
	FUZZ_ASSERT(crmf_doc_parse(&again, "again.yaml", new->src, new->len, &diags) == 0,
		    "the edited file parses: %s", diags.n ? diags.v[0].message : "");
	crmf_doc_free(again);
	crmf_diags_release(&diags);
	for (size_t i = 0; i < n; i++)
		if (ops[i].ok && (ops[i].kind == 'd' || ops[i].kind == 'A'))
			shifted = true;

	for (size_t i = 0; i < n; i++) {
		const struct op *op = &ops[i];
		const crmf_node *map, *v;

		if (!op->ok)
			continue;
		if ((op->kind == 's' || op->kind == 'r') && !(shifted && strchr(op->path, '['))) {
			v = scalar_at(new, op->path);
			FUZZ_ASSERT(v && !strcmp(v->value, op->value), "'%s' reads '%s', not '%s'",
				    op->path, v ? v->value : "(nothing)", op->value);
		}
		if (op->kind == 'a' && !(shifted && strchr(op->path, '['))) {
			map = mapping_at(new, op->path);
			v = map ? crmf_node_get(map, op->key) : NULL;
			FUZZ_ASSERT(v && v->type == CRMF_NODE_SCALAR && !strcmp(v->value, op->value),
				    "added '%s' reads back", op->key);
		}
		if (op->kind == 'A' && !(shifted && strchr(op->path, '['))) {
			const crmf_node *seq;
			bool found = false;

			map = mapping_at(new, op->path);
			seq = map ? crmf_node_get(map, op->key) : NULL;
			FUZZ_ASSERT(seq && seq->type == CRMF_NODE_SEQUENCE, "appended to a list '%s'",
				    op->key);
			for (size_t j = 0; j < seq->n && !found; j++) {
				const crmf_node *item = seq->items[j];

				found = item->type == CRMF_NODE_MAPPING;
				for (size_t f = 0; found && f < op->n_fields; f++) {
					/* the first of repeated keys is the one read */
					const crmf_node *fv =
					    crmf_node_get(item, op->fields[f].key);
					size_t g = 0;

					while (strcmp(op->fields[g].key, op->fields[f].key))
						g++;
					found = fv && fv->type == CRMF_NODE_SCALAR &&
						!strcmp(fv->value, op->fields[g].value);
				}
			}
			FUZZ_ASSERT(found, "the entry appended to '%s' reads back", op->key);
		}
	}

	for (size_t k = 0; k < old->root->n; k++) {
		const crmf_pair *p = &old->root->pairs[k];
		const crmf_pair *q;
		size_t i, a, b;

		for (i = 0; i < n; i++)
			if (ops[i].ok && touches(&ops[i], p->key->value, p->key->len))
				break;
		if (i < n)
			continue;
		q = crmf_node_pair(new->root, p->key->value);
		FUZZ_ASSERT(q, "untouched key '%s' is still there", p->key->value);
		a = pair_end(p) - p->key->start;
		b = pair_end(q) - q->key->start;
		FUZZ_ASSERT(a == b && !memcmp(old->src + p->key->start, new->src + q->key->start, a),
			    "untouched key '%s' keeps its bytes", p->key->value);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	size_t flen = nul ? (size_t)(nul - (const char *)data) : size;
	const char *prog = nul ? nul + 1 : DEFAULT_OPS;
	size_t plen = nul ? size - flen - 1 : strlen(DEFAULT_OPS);
	struct op ops[MAX_OPS];
	size_t n;
	crmf_diags diags;
	crmf_doc *doc = NULL, *out = NULL;
	crmf_edit *e = NULL;
	char *copy;

	crmf_diags_init(&diags);
	crmf_doc_parse(&doc, "customers/C2024001.yaml", (const char *)data, flen, &diags);
	if (!doc || !doc->root) {
		crmf_doc_free(doc);
		crmf_diags_release(&diags);
		return 0;
	}
	copy = malloc(doc->len + 1);
	if (!copy)
		abort();
	memcpy(copy, doc->src, doc->len + 1);
	n = parse_ops(ops, prog, plen);
	FUZZ_ASSERT(crmf_edit_new(&e, doc) == 0, "an edit of a document with a root");
	for (size_t i = 0; i < n; i++) {
		size_t before = crmf_edit_count(e);

		ops[i].ok = run_op(e, doc, &ops[i]) == 0;
		if (!ops[i].ok)
			FUZZ_ASSERT(crmf_edit_count(e) == before, "a failed operation adds nothing");
	}
	if (crmf_edit_count(e) > 0) {
		char *bytes = NULL;
		size_t len = 0;

		FUZZ_ASSERT(crmf_edit_apply(&bytes, &len, e) == 0, "splices apply");
		free(bytes);
	}
	if (crmf_edit_finish(&out, e, &diags) == 0) {
		FUZZ_ASSERT(out && out->root, "a finished edit is a document");
		if (diags.errors == 0)
			check_result(doc, out, ops, n);
	} else {
		FUZZ_ASSERT(out == NULL, "a failed edit writes nothing");
		FUZZ_ASSERT(crmf_error_last()[0] != '\0', "a failed edit says why");
	}
	FUZZ_ASSERT(!memcmp(copy, doc->src, doc->len + 1), "the original stays as it was");
	crmf_doc_free(out);
	crmf_edit_free(e);
	crmf_doc_free(doc);
	for (size_t i = 0; i < n; i++) {
		free(ops[i].path);
		free(ops[i].key);
		free(ops[i].value);
	}
	free(copy);
	crmf_diags_release(&diags);
	return 0;
}
