/* SPDX-License-Identifier: MIT */
/* The tokenizer of --where expressions, and the parser's error messages. */
#include "expr_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crmf/diag.h"
#include "util.h"

/* 1-based column in characters of byte offset `pos` of valid UTF-8. */
int ex_column_of(const char *s, size_t pos)
{
	int col = 1;

	for (size_t i = 0; i < pos; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			col++;
	return col;
}

/* Only the first error counts: later ones are consequences of it. */
void *ex_fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return NULL;
	p->failed = true;
	p->errpos = pos;
	fmt = crmf_tr(fmt);
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	return NULL;
}

/* Bytes of whitespace at s (0 when none); U+00A0 and the ideographic space
 * U+3000 count, because input methods slip them in between words. */
static size_t space_at(const char *s, size_t left)
{
	unsigned char c = (unsigned char)s[0];

	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
		return 1;
	if (left >= 2 && c == 0xC2 && (unsigned char)s[1] == 0xA0)
		return 2;
	if (left >= 3 && c == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
		return 3;
	return 0;
}

static bool is_op_char(char c)
{
	return c == '=' || c == '!' || c == '<' || c == '>' || c == '~' || c == '&' || c == '|';
}

static bool ends_word(const char *s, size_t left)
{
	char c = s[0];

	return c == '(' || c == ')' || c == ',' || is_op_char(c) || space_at(s, left) ||
	       (unsigned char)c < 0x20 || c == 0x7f;
}

static const struct {
	const char *text;
	enum op op;
	bool negate;
} ops[] = {
    {"=", OP_EQ, false}, {"!=", OP_EQ, true},  {"<", OP_LT, false},    {"<=", OP_LE, false},
    {">", OP_GT, false}, {">=", OP_GE, false}, {"~", OP_MATCH, false}, {"!~", OP_MATCH, true},
};

/* Operators people bring from other languages, and what to write instead. */
static const struct {
	const char *text, *use;
} op_hints[] = {
    {"==", "="},   {"===", "="}, {"!==", "!="}, {"<>", "!="}, {"=<", "<="},
    {"=>", ">="},  {"=~", "~"},	 {"~=", "~"},	{"~~", "~"},  {"!", "not"},
    {"&&", "and"}, {"&", "and"}, {"||", "or"},	{"|", "or"},
};

static void lex_op(struct parser *p, struct tok *t)
{
	size_t n;

	while (p->pos < p->len && is_op_char(p->src[p->pos]))
		p->pos++;
	t->kind = T_OP;
	t->end = p->pos;
	n = t->end - t->start;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strlen(ops[i].text) == n && memcmp(ops[i].text, p->src + t->start, n) == 0) {
			t->op = ops[i].op;
			t->negate = ops[i].negate;
			return;
		}
	for (size_t i = 0; i < sizeof(op_hints) / sizeof(op_hints[0]); i++)
		if (strlen(op_hints[i].text) == n &&
		    memcmp(op_hints[i].text, p->src + t->start, n) == 0) {
			ex_fail(p, t->start, "unknown operator '%.*s'; use '%s'", (int)n,
				p->src + t->start, op_hints[i].use);
			return;
		}
	ex_fail(p, t->start, "unknown operator '%.*s'; use = != < <= > >= ~ or !~", (int)n,
		p->src + t->start);
}

static void lex_string(struct parser *p, struct tok *t)
{
	char q = p->src[p->pos++];

	while (p->pos < p->len && p->src[p->pos] != q) {
		if (p->src[p->pos] == '\\' && p->pos + 1 < p->len)
			p->pos++;
		p->pos++;
	}
	if (p->pos >= p->len) {
		ex_fail(p, t->start, "unterminated string; add the closing %s",
			q == '"' ? "'\"'" : "\"'\"");
		return;
	}
	p->pos++;
	t->kind = T_STRING;
	t->end = p->pos;
}

/* Reads the next token into p->cur; on error p->failed is set and cur is T_END. */
void ex_next(struct parser *p)
{
	struct tok *t = &p->cur;
	size_t n;
	char c;

	p->prev = p->cur;
	while (p->pos < p->len && (n = space_at(p->src + p->pos, p->len - p->pos)))
		p->pos += n;
	memset(t, 0, sizeof(*t));
	t->start = t->end = p->pos;
	t->kind = T_END;
	if (p->failed || p->pos >= p->len)
		return;
	c = p->src[p->pos];
	if ((unsigned char)c < 0x20 || c == 0x7f) {
		ex_fail(p, p->pos, "control character in expression; remove it");
	} else if (c == '(' || c == ')' || c == ',') {
		t->kind = c == '(' ? T_LPAREN : c == ')' ? T_RPAREN : T_COMMA;
		t->end = ++p->pos;
	} else if (is_op_char(c)) {
		lex_op(p, t);
	} else if (c == '"' || c == '\'') {
		lex_string(p, t);
	} else {
		while (p->pos < p->len && !ends_word(p->src + p->pos, p->len - p->pos))
			p->pos++;
		t->kind = T_WORD;
		t->end = p->pos;
	}
	if (p->failed) {
		t->kind = T_END;
		t->end = t->start;
	}
}

bool ex_word_is(const struct parser *p, const struct tok *t, const char *kw)
{
	size_t n = strlen(kw);

	if (t->kind != T_WORD || t->end - t->start != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)p->src[t->start + i]) != kw[i])
			return false;
	return true;
}

bool ex_is_keyword(const struct parser *p, const struct tok *t)
{
	return ex_word_is(p, t, "and") || ex_word_is(p, t, "or") || ex_word_is(p, t, "not") ||
	       ex_word_is(p, t, "in");
}

