/* SPDX-License-Identifier: MIT */
/* YAML bytes to a tree of nodes with byte spans, through libyaml's event API. */
#include "crmf/doc.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "doc_private.h"
#include "util.h"

/*
 * Arena: every node, pair array and string of a document lives in a few large
 * blocks that crmf_doc_free releases at once.
 */
struct block {
	struct block *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct block *head;
	size_t next_cap;
};

/* Memory from the arena comes zeroed. */
static void *arena_alloc(struct arena *a, size_t n)
{
	const size_t align = _Alignof(max_align_t);
	struct block *b = a->head;

	n = (n + align - 1) & ~(align - 1);
	if (!b || b->cap - b->used < n) {
		size_t cap = a->next_cap > n ? a->next_cap : n;

		/* zeroed at once: nodes then need no memset each */
		b = xcalloc(1, sizeof(*b) + cap);
		b->used = 0;
		b->cap = cap;
		b->next = a->head;
		a->head = b;
		if (a->next_cap < (size_t)16 << 20)
			a->next_cap *= 2;
	}
	b->used += n;
	return (char *)b->data + b->used - n;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void arena_free(struct arena *a)
{
	struct block *b, *next;

	if (!a)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

/* The offset `col` characters after s[b] (a character's start), at most
 * len: eight bytes at a time, counting the bytes that start a character
 * (all but 10xxxxxx), then one at a time. The text is valid UTF-8 here. */
static inline size_t skip_chars(const unsigned char *s, size_t b, size_t len, size_t col)
{
	const uint64_t high = 0x8080808080808080ULL;

	/* a word holding fewer starts than needed to reach the target's start
	 * (col + 1 of them, counting s[b]'s) is skipped whole */
	while (b + 8 <= len) {
		uint64_t w = load8(s + b);
		size_t starts = 8 - (size_t)__builtin_popcountll(w & ~(w << 1) & high);

		if (starts > col)
			break;
		col -= starts;
		b += 8;
		/* the word may end inside a character: col counts the starts
		 * still to pass, and a continuation byte starts nothing */
	}
	for (; b < len; b++) {
		if ((s[b] & 0xC0) == 0x80)
			continue;
		if (col-- == 0)
			return b;
	}
	return len;
}

/* Byte offset of a libyaml mark: its line's start plus its column, counted
 * in characters on a line that is not ASCII. */
static inline size_t byte_at(struct parse *p, const yaml_mark_t *m)
{
	size_t len = p->doc->len, b, col = m->column;

	if (m->line >= p->n_lines)
		return len;
	b = p->line_start[m->line];
	if (p->line_ascii[m->line])
		return b + col < len ? b + col : len;
	if (m->line == p->memo_line && col >= p->memo_col) {
		b = p->memo_byte;
		col -= p->memo_col;
	}
	b = skip_chars(p->s, b, len, col);
	p->memo_line = m->line;
	p->memo_col = m->column;
	p->memo_byte = b;
	return b;
}

static void doc_report(struct parse *p, int line, int col, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void doc_report(struct parse *p, int line, int col, const char *rule, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	fmt = crmf_tr(fmt);
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	crmf_diags_add(p->diags, CRMF_SEV_ERROR, p->path, line, col, rule, "%s", msg);
	free(msg);
}

/* 1-based column of byte `b`, counted in characters from its line start. */
static int column_of(const struct parse *p, size_t b)
{
	size_t ls = b;
	int col = 1;

	while (ls > p->bom && p->s[ls - 1] != '\n')
		ls--;
	for (size_t i = ls; i < b; i++)
		if ((p->s[i] & 0xC0) != 0x80)
			col++;
	return col;
}

/* Line and column of a byte offset, by counting: used only on error paths. */
static void position_of(const struct parse *p, size_t b, int *line, int *col)
{
	int l = 1;

	if (b > p->doc->len)
		b = p->doc->len;
	for (size_t i = 0; i < b; i++)
		if (p->s[i] == '\n')
			l++;
	*line = l;
	*col = column_of(p, b);
}

/*
 * A block scalar's end mark lies at the next token, past trailing blank lines
 * and the next line's indentation; end its span at its last non-blank line.
 */
static void trim_block_end(struct parse *p, crmf_node *n)
{
	const unsigned char *s = p->s;
	size_t q = n->end;
	int lines = 0;

	for (;;) {
		size_t le = q, ls;
		bool blank = true;

		if (le > n->start && s[le - 1] == '\n')
			le--, lines++;
		if (le > n->start && s[le - 1] == '\r')
			le--;
		for (ls = le; ls > n->start && s[ls - 1] != '\n'; ls--)
			if (s[ls - 1] != ' ' && s[ls - 1] != '\t')
				blank = false;
		if (!blank || ls <= n->start) {
			q = le;
			break;
		}
		q = ls;
	}
	n->end = q;
	n->end_line -= lines;
	n->end_column = column_of(p, q);
}

/* A libyaml mark as a byte offset and a 1-based line and column. */
static inline __attribute__((always_inline)) size_t from_mark(struct parse *p, const yaml_mark_t *m, int *line,
							 int *col)
{
	size_t b = byte_at(p, m);

	*line = (int)m->line + 1;
	*col = (int)m->column + 1;
	/* at the end of a file without a final line break, libyaml counts one
	 * line more than there is */
	if (m->column == 0 && b == p->doc->len && b > p->bom && p->s[b - 1] != '\n') {
		--*line;
		*col = column_of(p, b);
	}
	return b;
}

static crmf_node *new_node(struct parse *p, crmf_node_type type, crmf_node_style style,
			   const yaml_event_t *ev)
{
	crmf_node *n = arena_alloc(p->arena, sizeof(*n));

	n->type = type;
	n->style = style;
	n->start = from_mark(p, &ev->start_mark, &n->line, &n->column);
	n->end = from_mark(p, &ev->end_mark, &n->end_line, &n->end_column);
	return n;
}

static crmf_node_style scalar_style(yaml_scalar_style_t s)
{
	switch (s) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		return CRMF_STYLE_SINGLE;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		return CRMF_STYLE_DOUBLE;
	case YAML_LITERAL_SCALAR_STYLE:
		return CRMF_STYLE_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE:
		return CRMF_STYLE_FOLDED;
	default:
		return CRMF_STYLE_PLAIN;
	}
}

/* A plain scalar on one line is its own source text: where the text is at
 * its start, it ends one value length further, without counting characters. */
static crmf_node *new_scalar(struct parse *p, const yaml_event_t *ev)
{
	const yaml_mark_t *sm = &ev->start_mark, *em = &ev->end_mark;
	size_t len = ev->data.scalar.length;
	crmf_node *n;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || len == 0 || em->line != sm->line ||
	    em->column <= sm->column)
		return new_node(p, CRMF_NODE_SCALAR, scalar_style(ev->data.scalar.style), ev);
	n = arena_alloc(p->arena, sizeof(*n));
	n->type = CRMF_NODE_SCALAR;
	n->style = CRMF_STYLE_PLAIN;
	n->start = from_mark(p, sm, &n->line, &n->column);
	if (n->start + len <= p->doc->len &&
	    memcmp(p->s + n->start, ev->data.scalar.value, len) == 0) {
		n->end = n->start + len;
		n->end_line = (int)em->line + 1;
		n->end_column = (int)em->column + 1;
	} else {
		n->end = from_mark(p, em, &n->end_line, &n->end_column);
	}
	return n;
}

/* The tags a node may carry: the core schema's own for its kind, or the
 * non-specific `!`; both change nothing. Any other asks a YAML reader to build
 * something else (an integer, a set, a Python object...) where crmf reads text. */
static bool tag_allowed(const char *tag, crmf_node_type type)
{
	if (tag[0] == '!' && tag[1] == '\0')
		return true;
	return strcmp(tag, type == CRMF_NODE_SCALAR    ? YAML_STR_TAG
			   : type == CRMF_NODE_MAPPING ? YAML_MAP_TAG
						       : YAML_SEQ_TAG) == 0;
}

/* Line and column of byte `i` of the node's properties. */
static void property_pos(const struct parse *p, const crmf_node *n, size_t i, int *line, int *col)
{
	*line = n->line;
	*col = n->column;
	for (size_t m = n->start; m < i; m++)
		if (p->s[m] == '\n')
			++*line, *col = 1;
		else if ((p->s[m] & 0xC0) != 0x80)
			++*col;
}

static void report_tag(struct parse *p, int line, int col, const char *shown)
{
	doc_report(p, line, col, "yaml-tag",
	       "unsupported tag '%s'; remove it (crmf types values by their field)", shown);
}

/* The node properties (`!tag`, `&anchor`) as written at the node's start:
 * keeps the tag text, and reports an anchor, or a tag (`tag`, as libyaml
 * resolved it) that tag_allowed refuses, at its own position. */
static void properties(struct parse *p, crmf_node *n, const yaml_char_t *tag, bool has_anchor)
{
	const unsigned char *s = p->s;
	size_t i = n->start, len = p->doc->len;
	bool has_tag = tag != NULL, bad_tag;
	int line, col;

	if (!has_tag && !has_anchor)
		return; /* nearly every node */
	bad_tag = has_tag && !tag_allowed((const char *)tag, n->type);
	for (int k = 0; k < 2 && i < len && (s[i] == '!' || s[i] == '&'); k++) {
		size_t j = i;

		while (j < len && s[j] != ' ' && s[j] != '\t' && s[j] != '\r' && s[j] != '\n')
			j++;
		if (s[i] == '!' && has_tag) {
			n->tag = arena_strndup(p->arena, (const char *)s + i, j - i);
			if (bad_tag) {
				property_pos(p, n, i, &line, &col);
				report_tag(p, line, col, n->tag);
			}
			has_tag = false;
		} else if (s[i] == '&' && has_anchor) {
			property_pos(p, n, i, &line, &col);
			doc_report(p, line, col, "yaml-anchor",
			       "anchors and aliases are not allowed in crmf files; write the value "
			       "out");
			has_anchor = false;
		}
		while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n'))
			j++;
		i = j;
	}
	/* not found where expected: report at the node */
	if (has_tag && bad_tag)
		report_tag(p, n->line, n->column, (const char *)tag);
	if (has_anchor)
		doc_report(p, n->line, n->column, "yaml-anchor",
		       "anchors and aliases are not allowed in crmf files; write the value out");
}

/* A %TAG directive gives `!` or `!!` another meaning: refused, at its line. */
static void report_tag_directive(struct parse *p, const yaml_event_t *ev)
{
	const unsigned char *s = p->s;
	size_t i = byte_at(p, &ev->start_mark), len = p->doc->len;
	int line = (int)ev->start_mark.line + 1;

	/* the event starts at the first directive: find the %TAG line from there */
	while (i < len && !(len - i >= 4 && memcmp(s + i, "%TAG", 4) == 0)) {
		const unsigned char *nl = memchr(s + i, '\n', len - i);

		if (!nl)
			break;
		i = (size_t)(nl - s) + 1;
		line++;
	}
	doc_report(p, line, 1, "yaml-tag",
	       "'%%TAG' directives are not allowed in crmf files; remove the line, and the tags "
	       "that use it");
}

static void push_child(struct parse *p, crmf_node *n)
{
	if (p->nscratch == p->capscratch) {
		p->capscratch = p->capscratch ? p->capscratch * 2 : 64;
		p->scratch = xrealloc(p->scratch, p->capscratch * sizeof(*p->scratch));
	}
	p->scratch[p->nscratch++] = n;
}

/* A short, printable form of a key for messages. */
static int key_shown(const crmf_node *k)
{
	size_t n = k->len < 60 ? k->len : 60;

	while (n < k->len && n > 0 && ((unsigned char)k->value[n] & 0xC0) == 0x80)
		n--;
	for (size_t i = 0; i < n; i++)
		if (k->value[i] == '\n' || k->value[i] == '\0')
			return (int)i;
	return (int)n;
}

static bool same_key(const crmf_node *a, const crmf_node *b)
{
	return a->len == b->len && memcmp(a->value, b->value, a->len) == 0;
}

static void report_duplicate(struct parse *p, const crmf_node *dup, const crmf_node *first)
{
	doc_report(p, dup->line, dup->column, "duplicate-key",
	       "duplicate key '%.*s' (first at line %d, column %d); remove one of them",
	       key_shown(dup), dup->value, first->line, first->column);
}

/* Drop every pair whose key repeats an earlier one, keeping the first:
 * pairwise for small mappings, through a hash table for large ones. */
static size_t dedupe(struct parse *p, crmf_pair *pairs, size_t n)
{
	size_t kept = 0, size, mask;

	if (n <= 16) {
		for (size_t i = 0; i < n; i++) {
			size_t j;

			for (j = 0; j < kept; j++)
				if (same_key(pairs[j].key, pairs[i].key))
					break;
			if (j < kept)
				report_duplicate(p, pairs[i].key, pairs[j].key);
			else
				pairs[kept++] = pairs[i];
		}
		return kept;
	}
	for (size = 32; size < 2 * n; size *= 2)
		;
	if (p->captable < size) {
		free(p->table);
		p->table = xmalloc(size * sizeof(*p->table));
		p->captable = size;
	}
	memset(p->table, 0xFF, size * sizeof(*p->table));
	mask = size - 1;
	for (size_t i = 0; i < n; i++) {
		const crmf_node *k = pairs[i].key;
		size_t h = (size_t)hash_bytes(k->value, k->len) & mask;

		while (p->table[h] != UINT32_MAX && !same_key(pairs[p->table[h]].key, k))
			h = (h + 1) & mask;
		if (p->table[h] != UINT32_MAX) {
			report_duplicate(p, k, pairs[p->table[h]].key);
			continue;
		}
		pairs[kept] = pairs[i];
		p->table[h] = (uint32_t)kept++;
	}
	return kept;
}

static void close_collection(struct parse *p, const yaml_event_t *ev)
{
	crmf_node *n = p->stack[--p->depth].node;
	size_t base = p->stack[p->depth].base, count = p->nscratch - base;
	/* no scratch yet when the first collection of a parse is empty (`[]`) */
	crmf_node **kids = count ? p->scratch + base : NULL;

	n->end = from_mark(p, &ev->end_mark, &n->end_line, &n->end_column);
	if (n->type == CRMF_NODE_SEQUENCE) {
		n->items = arena_alloc(p->arena, (count ? count : 1) * sizeof(*n->items));
		if (count)
			memcpy(n->items, kids, count * sizeof(*kids));
		n->n = count;
	} else {
		size_t np = 0;

		n->pairs = arena_alloc(p->arena, (count / 2 ? count / 2 : 1) * sizeof(*n->pairs));
		for (size_t i = 0; i + 1 < count; i += 2) {
			if (kids[i]->type != CRMF_NODE_SCALAR) {
				doc_report(p, kids[i]->line, kids[i]->column, "complex-key",
				       "a key must be plain text, not a list or mapping; write the "
				       "key as a single word");
				continue;
			}
			n->pairs[np].key = kids[i];
			n->pairs[np].value = kids[i + 1];
			np++;
		}
		n->n = dedupe(p, n->pairs, np);
	}
	p->nscratch = base;
}

/* Escapes in double quotes can still produce control characters. */
static void check_value_chars(struct parse *p, const crmf_node *n)
{
	const unsigned char *v = (const unsigned char *)n->value;

	for (size_t i = 0; i < n->len; i++) {
		uint32_t c = v[i];

		if (v[i] == 0xC2 && i + 1 < n->len && v[i + 1] >= 0x80 && v[i + 1] <= 0x9F)
			c = v[i + 1];
		else if (v[i] >= 0x80)
			continue;
		if ((c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7F && c <= 0x9F)) {
			doc_report(p, n->line, n->column, "control-char",
			       "control character U+%04X in quoted value; remove its escape",
			       (unsigned)c);
			return;
		}
	}
}

/* libyaml's own words (its problems and contexts, in English), for the catalogue:
 * a message shows their translation, and its hint is chosen on the English. */
static const char *const yaml_words[] = {
    N_("mapping values are not allowed in this context"),
    N_("block sequence entries are not allowed in this context"),
    N_("mapping keys are not allowed in this context"),
    N_("found character that cannot start any token"),
    N_("could not find expected ':'"),
    N_("found unexpected end of stream"),
    N_("found unexpected document indicator"),
    N_("found unknown escape character"),
    N_("found a tab character that violates indentation"),
    N_("found a tab character where an indentation space is expected"),
    N_("did not find expected comment or line break"),
    N_("did not find expected key"),
    N_("did not find expected '-' indicator"),
    N_("did not find expected node content"),
    N_("did not find expected ',' or ']'"),
    N_("did not find expected ',' or '}'"),
    N_("did not find expected <document start>"),
    N_("did not find expected alphabetic or numeric character"),
    N_("found undefined tag handle"),
    N_("while scanning a simple key"),
    N_("while scanning a plain scalar"),
    N_("while scanning a quoted scalar"),
    N_("while scanning a block scalar"),
    N_("while scanning an anchor"),
    N_("while scanning an alias"),
    N_("while scanning a tag"),
    N_("while parsing a block mapping"),
    N_("while parsing a block collection"),
    N_("while parsing a block node"),
    N_("while parsing a flow node"),
    N_("while parsing a flow sequence"),
    N_("while parsing a flow mapping"),
    N_("while parsing a node"),
};

/* What to do about libyaml's most frequent complaints. */
static const char *syntax_hint(const char *problem)
{
	static const struct {
		const char *problem, *hint;
	} hints[] = {
	    {"mapping values are not allowed",
	     N_("check the indentation, and quote a value that contains ': '")},
	    {"did not find expected key",
	     N_("check the indentation: the keys of one mapping start in the same column")},
	    {"did not find expected '-' indicator",
	     N_("check the indentation: the items of one list start in the same column")},
	    {"found character that cannot start any token",
	     N_("quote the value: text cannot start with characters like '@', '`' or '%'")},
	    {"could not find expected ':'", N_("add ': ' after the key, or quote the text")},
	    {"found unexpected end of stream", N_("close the quote or bracket that was opened")},
	    {"did not find expected ',' or ']'",
	     N_("separate the items with ',' and close the list with ']'")},
	    {"did not find expected ',' or '}'",
	     N_("separate the items with ',' and close the mapping with '}'")},
	    {"found undefined tag handle", N_("remove the tag")},
	    {"block sequence entries are not allowed",
	     N_("put the list on its own lines below the key")},
	};

	for (size_t i = 0; i < sizeof(hints) / sizeof(*hints); i++)
		if (strstr(problem, hints[i].problem))
			return crmf_tr(hints[i].hint);
	return crmf_tr("fix the YAML syntax here");
}

/* libyaml takes a key only within 1024 characters of its ':' (YAML's limit on
 * an implicit key); past that it complains at the ':' as if the key lacked
 * one. True, with the key's position, when the error is at a ':' that far
 * from the start of its key on the same line. */
static bool key_too_long(struct parse *p, yaml_parser_t *yp, int *line, int *col)
{
	const unsigned char *s = p->s;
	size_t colon, start, ls, chars = 0;
	int l, c;

	colon = from_mark(p, &yp->problem_mark, &l, &c);
	if (colon >= p->doc->len || s[colon] != ':' || yp->problem_mark.line >= p->n_lines)
		return false;
	ls = p->line_start[yp->problem_mark.line];
	if (yp->context && strstr(yp->context, "simple key") &&
	    yp->context_mark.line == yp->problem_mark.line) {
		start = from_mark(p, &yp->context_mark, line, col);
	} else {
		/* back to the line's start (past indentation and '- ') or, in a
		 * flow collection, to the '{', '[' or ',' before the key */
		for (start = colon; start > ls && !strchr("{[,", s[start - 1]); start--)
			;
		while (start < colon && (s[start] == ' ' || ((s[start] == '-' || s[start] == '?') &&
							     s[start + 1] == ' ')))
			start++;
		*line = l;
		*col = line_column(s, ls, start);
	}
	for (size_t i = start; i < colon; i++)
		chars += (s[i] & 0xC0) != 0x80;
	return chars > 1024;
}

static void report_syntax(struct parse *p, yaml_parser_t *yp)
{
	const char *problem = yp->problem ? yp->problem : crmf_tr("unknown problem");
	int line, col;

	if (yp->error == YAML_MEMORY_ERROR) {
		doc_report(p, 0, 0, "yaml-syntax",
		       "out of memory while parsing; free some memory and retry");
		return;
	}
	if (yp->error == YAML_READER_ERROR) {
		position_of(p, yp->problem_offset, &line, &col);
		doc_report(p, line, col, "yaml-syntax", "unreadable text: %s; save the file as UTF-8",
		       problem);
		return;
	}
	if (key_too_long(p, yp, &line, &col)) {
		doc_report(p, line, col, "yaml-syntax",
		       "key longer than 1024 characters, more than YAML readers accept; shorten "
		       "it");
		return;
	}
	from_mark(p, &yp->problem_mark, &line, &col);
	if (yp->context)
		doc_report(p, line, col, "yaml-syntax",
		       "invalid YAML: %s %s started at line %d, column %d; %s", crmf_tr(problem),
		       crmf_tr(yp->context), (int)yp->context_mark.line + 1,
		       (int)yp->context_mark.column + 1, syntax_hint(problem));
	else
		doc_report(p, line, col, "yaml-syntax", "invalid YAML: %s; %s", crmf_tr(problem),
		       syntax_hint(problem));
	(void)yaml_words;
}

/* Build the tree from libyaml's events; false when parsing had to stop. */
static bool build(struct parse *p)
{
	yaml_parser_t yp;
	yaml_event_t ev;
	crmf_node *root = NULL;
	int docs = 0, line, col;
	bool ok = true, done = false;

	yaml_parser_initialize(&yp);
	yaml_parser_set_input_string(&yp, p->s, p->doc->len);
	while (!done) {
		crmf_node *n = NULL;

		if (!yaml_parser_parse(&yp, &ev)) {
			report_syntax(p, &yp);
			ok = false;
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (ev.data.document_start.tag_directives.start !=
			    ev.data.document_start.tag_directives.end)
				report_tag_directive(p, &ev);
			if (docs++ > 0) {
				from_mark(p, &ev.start_mark, &line, &col);
				doc_report(p, line, col, "multiple-documents",
				       "a second YAML document starts here; a crmf file holds one: "
				       "remove the '---' and what follows, or move it to its own "
				       "file");
				done = true;
			}
			break;
		case YAML_ALIAS_EVENT:
			n = new_node(p, CRMF_NODE_SCALAR, CRMF_STYLE_PLAIN, &ev);
			n->value = "";
			doc_report(p, n->line, n->column, "yaml-alias",
			       "anchors and aliases are not allowed in crmf files; write the value "
			       "out");
			break;
		case YAML_SCALAR_EVENT:
			n = new_scalar(p, &ev);
			n->value = arena_strndup(p->arena, (const char *)ev.data.scalar.value,
						 ev.data.scalar.length);
			n->len = ev.data.scalar.length;
			if (ev.data.scalar.tag || ev.data.scalar.anchor)
				properties(p, n, ev.data.scalar.tag, ev.data.scalar.anchor != NULL);
			if (n->style == CRMF_STYLE_LITERAL || n->style == CRMF_STYLE_FOLDED)
				trim_block_end(p, n);
			else if (n->style == CRMF_STYLE_DOUBLE)
				check_value_chars(p, n);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (p->depth == CRMF_DOC_MAX_DEPTH) {
				from_mark(p, &ev.start_mark, &line, &col);
				doc_report(p, line, col, "yaml-depth",
				       "nesting deeper than %d levels; flatten the structure",
				       CRMF_DOC_MAX_DEPTH);
				ok = false;
				done = true;
				break;
			}
			if (ev.type == YAML_SEQUENCE_START_EVENT) {
				n = new_node(p, CRMF_NODE_SEQUENCE,
					     ev.data.sequence_start.style ==
						     YAML_FLOW_SEQUENCE_STYLE
						 ? CRMF_STYLE_FLOW
						 : CRMF_STYLE_BLOCK,
					     &ev);
				properties(p, n, ev.data.sequence_start.tag,
					   ev.data.sequence_start.anchor != NULL);
			} else {
				n = new_node(p, CRMF_NODE_MAPPING,
					     ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
						 ? CRMF_STYLE_FLOW
						 : CRMF_STYLE_BLOCK,
					     &ev);
				properties(p, n, ev.data.mapping_start.tag,
					   ev.data.mapping_start.anchor != NULL);
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			close_collection(p, &ev);
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		if (n) {
			if (p->depth == 0)
				root = n;
			else
				push_child(p, n);
			if (n->type != CRMF_NODE_SCALAR) {
				p->stack[p->depth].node = n;
				p->stack[p->depth].base = p->nscratch;
				p->depth++;
			}
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&yp);
	p->doc->root = ok ? root : NULL;
	return ok;
}

static void check_root(struct parse *p)
{
	crmf_node *r = p->doc->root;

	if (!r || (r->type == CRMF_NODE_SCALAR && r->style == CRMF_STYLE_PLAIN && !r->tag &&
		   r->len == 0)) {
		doc_report(p, 1, 1, "empty-file",
		       "file is empty; write at least one 'key: value' line");
		p->doc->root = NULL;
	} else if (r->type != CRMF_NODE_MAPPING) {
		doc_report(p, r->line, r->column, "root-not-mapping",
		       "the top level must be a mapping of 'key: value' lines, not %s; write one "
		       "'key: value' per line",
		       r->type == CRMF_NODE_SEQUENCE ? crmf_tr("a list") : crmf_tr("a single value"));
		p->doc->root = NULL;
	}
}

static void report_too_large(crmf_diags *diags, const char *path, unsigned long long size)
{
	crmf_diags_add(
	    diags, CRMF_SEV_ERROR, path, 0, 0, "file-too-large",
	    "file is %llu bytes, more than the %d bytes (1 MiB) crmf reads; make it smaller", size,
	    CRMF_DOC_MAX_SIZE);
}

/* Parse `buf` (malloc'd, len + 1 bytes, taken over by the document). */
static int parse_owned(crmf_doc **out, const char *path, char *buf, size_t len, crmf_diags *diags)
{
	crmf_doc *doc = xcalloc(1, sizeof(*doc));
	struct arena *a = xcalloc(1, sizeof(*a));
	struct parse p;
	size_t errors = diags->errors;

	buf[len] = '\0';
	doc->path = xstrdup(path);
	doc->src = buf;
	doc->len = len;
	doc->arena = a;
	/* one block usually holds the whole tree: nodes outweigh the source ~8:1 */
	a->next_cap = len < 512 ? 4096 : len * 8;
	*out = doc;

	memset(&p, 0, sizeof(p));
	p.line_start = p.line_stack;
	p.memo_line = (size_t)-1;
	p.line_ascii = p.ascii_stack;
	p.cap_lines = sizeof(p.line_stack) / sizeof(p.line_stack[0]);
	p.doc = doc;
	p.diags = diags;
	p.path = doc->path;
	p.arena = a;
	p.s = (const unsigned char *)buf;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		doc->bom = true;
		p.bom = 3;
	}
	crmf_prescan(&p);
	if (diags->errors == errors && build(&p))
		check_root(&p);
	free(p.scratch);
	free(p.table);
	if (p.line_start != p.line_stack) {
		free(p.line_start);
		free(p.line_ascii);
	}
	return diags->errors == errors ? 0 : -1;
}

int crmf_doc_parse_owned(crmf_doc **out, const char *path, char *buf, size_t len,
			 crmf_diags *diags)
{
	*out = NULL;
	if (len > CRMF_DOC_MAX_SIZE) {
		free(buf);
		report_too_large(diags, path, len);
		return -1;
	}
	return parse_owned(out, path, buf, len, diags);
}

int crmf_doc_parse(crmf_doc **out, const char *path, const char *buf, size_t len, crmf_diags *diags)
{
	char *copy;

	*out = NULL;
	if (len > CRMF_DOC_MAX_SIZE) {
		report_too_large(diags, path, len);
		return -1;
	}
	copy = xmalloc(len + 1);
	memcpy(copy, buf, len);
	return parse_owned(out, path, copy, len, diags);
}

static int read_failed(crmf_diags *diags, const char *path, const char *why)
{
	crmf_diags_add(diags, CRMF_SEV_ERROR, path, 0, 0, "read-error",
		       "cannot read the file: %s; check that it exists and is readable", why);
	return crmf_error_set("%s: %s", path, why);
}

int crmf_doc_load(crmf_doc **out, const char *path, const char *fspath, crmf_diags *diags)
{
	struct stat st;
	char *buf;
	size_t len = 0, cap;
	int fd, e;

	*out = NULL;
	/* never through a symbolic link, never waiting on a FIFO */
	fd = open(fspath, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ELOOP && lstat(fspath, &st) == 0 && S_ISLNK(st.st_mode))
		return read_failed(diags, path, crmf_tr("it is a symbolic link, not followed"));
	if (fd < 0)
		return read_failed(diags, path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		e = errno;
		close(fd);
		return read_failed(diags, path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return read_failed(diags, path, crmf_tr("not a regular file"));
	}
	if (st.st_size > CRMF_DOC_MAX_SIZE) {
		close(fd);
		report_too_large(diags, path, (unsigned long long)st.st_size);
		return crmf_error_set("%s: file too large", path);
	}
	/* room for one byte past the limit, to notice a file that grew since fstat */
	cap = (size_t)st.st_size + 4096;
	if (cap > CRMF_DOC_MAX_SIZE + 2)
		cap = CRMF_DOC_MAX_SIZE + 2;
	buf = xmalloc(cap);
	while (len + 1 < cap) {
		ssize_t r = read(fd, buf + len, cap - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			free(buf);
			close(fd);
			return read_failed(diags, path, strerror(e));
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (len > CRMF_DOC_MAX_SIZE) {
		free(buf);
		report_too_large(diags, path, len);
		return crmf_error_set("%s: file too large", path);
	}
	return parse_owned(out, path, buf, len, diags);
}

void crmf_doc_free(crmf_doc *doc)
{
	if (!doc)
		return;
	arena_free(doc->arena);
	free(doc->src);
	free(doc->path);
	free(doc);
}

crmf_pair *crmf_node_pair(const crmf_node *map, const char *key)
{
	size_t klen;

	if (!map || map->type != CRMF_NODE_MAPPING || !key)
		return NULL;
	klen = strlen(key);
	for (size_t i = 0; i < map->n; i++) {
		const crmf_node *k = map->pairs[i].key;

		if (k->len == klen && memcmp(k->value, key, klen) == 0)
			return &map->pairs[i];
	}
	return NULL;
}

crmf_node *crmf_node_get(const crmf_node *map, const char *key)
{
	crmf_pair *p = crmf_node_pair(map, key);

	return p ? p->value : NULL;
}

bool crmf_node_is_null(const crmf_node *node)
{
	const char *v;

	if (!node || node->type != CRMF_NODE_SCALAR || node->style != CRMF_STYLE_PLAIN)
		return false;
	if (node->tag)
		return strcmp(node->tag, "!!null") == 0;
	/* "", "~", "null", "Null", "NULL", compared as C strings */
	v = node->value;
	switch (v[0]) {
	case '\0':
		return true;
	case '~':
		return v[1] == '\0';
	case 'n':
		return !strcmp(v + 1, "ull");
	case 'N':
		return !strcmp(v + 1, "ull") || !strcmp(v + 1, "ULL");
	default:
		return false;
	}
}

int crmf_doc_read(char **out, size_t *len, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	*out = NULL;
	if (!f)
		return -1;
	for (;;) {
		size_t r;

		if (n + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 65536;
			buf = xrealloc(buf, cap);
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
		/* far past what crmf accepts: the parser reports the size */
		if (n > 2 * CRMF_DOC_MAX_SIZE)
			break;
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		free(buf);
		errno = e;
		return -1;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}
