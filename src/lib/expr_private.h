/* SPDX-License-Identifier: MIT */
/* What the parser of --where (expr.c) and its tokenizer (expr_lex.c) share, private to libcrmf. */
#ifndef CRMF_EXPR_PRIVATE_H
#define CRMF_EXPR_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/date.h"
#include "crmf/expr.h"

enum tok_kind { T_END, T_WORD, T_STRING, T_OP, T_LPAREN, T_RPAREN, T_COMMA };

enum op { OP_PRESENT, OP_EQ, OP_LT, OP_LE, OP_GT, OP_GE, OP_MATCH, OP_IN };

struct tok {
	enum tok_kind kind;
	size_t start, end; /* bytes of the source; a string's span includes its quotes */
	enum op op;	   /* T_OP */
	bool negate;	   /* T_OP: != and !~ */
};

struct parser {
	const char *src;
	size_t len, pos;
	struct tok cur, prev;
	crmf_day today;
	int depth;
	crmf_expr *e;
	bool failed;
	size_t errpos;
	char msg[256];
};

/* 1-based column in characters of byte offset `pos` of valid UTF-8. */
int ex_column_of(const char *s, size_t pos);

/* Only the first error counts: later ones are consequences of it. */
void *ex_fail(struct parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The next token into p->cur (the last one into p->prev). */
void ex_next(struct parser *p);
bool ex_word_is(const struct parser *p, const struct tok *t, const char *kw);
bool ex_is_keyword(const struct parser *p, const struct tok *t);

static inline int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The bytes of a token for a message, cut at a character boundary when long. */
static inline int quoted_len(const struct parser *p, const struct tok *t)
{
	size_t n = t->end - t->start;

	if (n > 40) {
		n = 40;
		while (n > 0 && ((unsigned char)p->src[t->start + n] & 0xC0) == 0x80)
			n--;
	}
	return (int)n;
}

/* A token as the two arguments of "%.*s". */
#define TOKF(p, t) quoted_len((p), (t)), (p)->src + (t)->start

#endif
