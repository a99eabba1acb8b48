/* SPDX-License-Identifier: MIT */
/* The --where expression language: a recursive-descent parser (its tokenizer: expr_lex.c) and an evaluator. */
#include "crmf/expr.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "crmf/diag.h"
#include "crmf/schema.h"
#include "expr_private.h"
#include "util.h"
#include "values.h"

/* A literal, typed once here so that evaluation only parses the record's side. */
struct value {
	char *s;
	size_t len;
	bool is_date, is_num;
	crmf_day day;
	double num;
	size_t pos;    /* its first byte in the source, for messages */
	int rank;      /* a value of an ordered closed set: its rank, else -1 */
	char key[21];  /* a test of phones: the literal's digits (crmf_phone_key_text) */
	size_t keylen; /* 0: no phone digits */
};

enum node_kind { N_OR, N_AND, N_NOT, N_TEST };

struct node {
	enum node_kind kind;
	struct node **kids; /* N_OR, N_AND: nkids >= 2; N_NOT: one */
	size_t nkids;
	enum op op;	    /* N_TEST */
	bool negate;	    /* N_TEST: true for != !~ `not in`: no value matches */
	size_t field;	    /* N_TEST: index into crmf_expr.fields */
	struct value *vals; /* N_TEST: one, or the `in` list, or none for OP_PRESENT */
	size_t nvals;
	const char *const *order; /* N_TEST of a closed set (crmf_expr_bind): its values */
	size_t n_order;
	bool desc;  /* order[0] ranks highest */
	bool phone; /* a phone field: compare the normalised numbers too */
};

struct crmf_expr {
	char *src; /* the text parsed, for crmf_expr_bind's columns */
	struct node *root;
	crmf_expr_field *fields;
	size_t nfields;
};


/* [A-Za-z_][A-Za-z0-9_.-]*, without empty segments between dots. */
static bool valid_field(const char *s, size_t n)
{
	if (n == 0 ||
	    !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];

		if (c == '.' && (s[i - 1] == '.' || i == n - 1))
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' ||
		      c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* The column is counted only for a new field: counting it at every use made
 * long and/or chains quadratic. */
static size_t add_field(crmf_expr *e, const char *src, size_t start, size_t n)
{
	const char *s = src + start;

	for (size_t i = 0; i < e->nfields; i++)
		if (e->fields[i].len == n && memcmp(e->fields[i].name, s, n) == 0)
			return i;
	/* few fields per expression: grow one at a time */
	e->fields = xrealloc(e->fields, (e->nfields + 1) * sizeof(*e->fields));
	e->fields[e->nfields].name = xstrndup(s, n);
	e->fields[e->nfields].len = n;
	e->fields[e->nfields].column = ex_column_of(src, start);
	return e->nfields++;
}

/* [+-]?digits[.digits]: what "a number" means on both sides of a comparison. */
static int parse_number(double *out, const char *s, size_t len)
{
	size_t i = 0, frac = 0;
	double v = 0, scale = 1;
	bool neg = false, dot = false, any = false;

	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i++;
	}
	for (; i < len; i++) {
		if (is_digit(s[i])) {
			/* v/scale with both exact (few digits) rounds once, so "0.1" on
			 * both sides gives the same double */
			v = v * 10 + (s[i] - '0');
			any = true;
			if (dot) {
				scale *= 10;
				frac++;
			}
		} else if (s[i] == '.' && !dot && any) {
			dot = true;
		} else {
			return -1;
		}
	}
	if (!any || (dot && frac == 0))
		return -1;
	*out = neg ? -(v / scale) : v / scale;
	return 0;
}

static void value_set_text(struct value *v, const char *s, size_t n)
{
	v->s = xstrndup(s, n);
	v->len = n;
	v->is_date = crmf_date_parse(&v->day, s, n) == 0;
	v->is_num = !v->is_date && parse_number(&v->num, s, n) == 0;
}

static void value_set_day(struct value *v, crmf_day day)
{
	char buf[11];

	crmf_date_format(day, buf);
	v->s = xstrndup(buf, 10);
	v->len = 10;
	v->is_date = true;
	v->is_num = false;
	v->day = day;
}

/* Adds `sign * dur` (the duration text at src[at..end)) to v's day. */
static bool shift_day(struct parser *p, struct value *v, int sign, size_t at, size_t end)
{
	crmf_day lo = crmf_date_from_ymd(1900, 1, 1), hi = crmf_date_from_ymd(9999, 12, 31);
	int days;
	int64_t d;

	if (at == end) {
		ex_fail(p, at, "expected a duration like 90d after '%c'", p->src[at - 1]);
		return false;
	}
	if (crmf_duration_parse(&days, p->src + at, end - at) != 0) {
		ex_fail(p, at, "invalid duration '%.*s'; write days or weeks like 90d or 2w",
			(int)(end - at), p->src + at);
		return false;
	}
	d = (int64_t)v->day + (int64_t)sign * days;
	if (d < lo || d > hi) {
		ex_fail(p, at, "date out of range; dates go from 1900-01-01 to 9999-12-31");
		return false;
	}
	free(v->s);
	value_set_day(v, (crmf_day)d);
	return true;
}

/* A bare word in value position: `today`, a date, either with `±duration`
 * glued on (today-90d), or plain text. Returns false on error. */
static bool word_value(struct parser *p, struct value *v, const struct tok *t)
{
	const char *s = p->src + t->start;
	size_t n = t->end - t->start, base;
	bool date_shape = n >= 10 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) &&
			  is_digit(s[3]) && s[4] == '-' && is_digit(s[5]) && is_digit(s[6]) &&
			  s[7] == '-' && is_digit(s[8]) && is_digit(s[9]) &&
			  (n == 10 || s[10] == '+' || s[10] == '-');

	if (n >= 5 && lower(s[0]) == 't' && lower(s[1]) == 'o' && lower(s[2]) == 'd' &&
	    lower(s[3]) == 'a' && lower(s[4]) == 'y' && (n == 5 || s[5] == '+' || s[5] == '-')) {
		value_set_day(v, p->today);
		base = 5;
	} else if (date_shape) {
		crmf_day day;

		if (crmf_date_parse(&day, s, 10) != 0) {
			ex_fail(p, t->start,
				"invalid date '%.10s'; write YYYY-MM-DD (quote it to compare text)",
				s);
			return false;
		}
		value_set_day(v, day);
		base = 10;
	} else {
		value_set_text(v, s, n);
		return true;
	}
	if (base < n)
		return shift_day(p, v, s[base] == '-' ? -1 : 1, t->start + base + 1, t->end);
	return true;
}

/* Decodes a quoted string: a backslash takes the next character literally. */
static void string_value(struct parser *p, struct value *v, const struct tok *t)
{
	char *buf = xmalloc(t->end - t->start);
	size_t n = 0;

	for (size_t i = t->start + 1; i < t->end - 1; i++) {
		if (p->src[i] == '\\')
			i++;
		buf[n++] = p->src[i];
	}
	value_set_text(v, buf, n);
	free(buf);
}

static bool parse_value(struct parser *p, struct value *v)
{
	struct tok t = p->cur;
	bool is_date;

	v->pos = t.start;
	v->rank = -1;
	if (t.kind == T_STRING) {
		string_value(p, v, &t);
		ex_next(p);
		return true;
	}
	if (t.kind != T_WORD || ex_is_keyword(p, &t)) {
		if (t.kind == T_WORD)
			return ex_fail(p, t.start,
				       "expected a value after '%.*s'; quote '%.*s' to use it as text",
				       TOKF(p, &p->prev), TOKF(p, &t));
		if (t.kind == T_OP)
			return ex_fail(
				       p, t.start,
				       "expected a value after '%.*s'; quote a value that starts with '%.*s'",
				       TOKF(p, &p->prev), TOKF(p, &t));
		return ex_fail(p, t.start, "expected a value after '%.*s'", TOKF(p, &p->prev));
	}
	if (!word_value(p, v, &t))
		return false;
	/* only `today` and date words come out of word_value as dates */
	is_date = v->is_date;
	ex_next(p);
	/* date arithmetic with spaces: `today - 90d`, `2024-01-01 + 2w`, or `today -90d` */
	while (is_date && !p->failed && p->cur.kind == T_WORD) {
		const char *w = p->src + p->cur.start;
		size_t n = p->cur.end - p->cur.start;
		int sign = w[0] == '-' ? -1 : 1;

		if (w[0] != '-' && w[0] != '+')
			break;
		if (n == 1) {
			ex_next(p);
			if (p->cur.kind != T_WORD)
				return ex_fail(p, p->cur.start,
					       "expected a duration like 90d after '%c'", w[0]);
			if (!shift_day(p, v, sign, p->cur.start, p->cur.end))
				return false;
		} else {
			int days;

			/* `-x` that is no duration is left for the caller to reject */
			if (crmf_duration_parse(&days, w + 1, n - 1) != 0)
				break;
			if (!shift_day(p, v, sign, p->cur.start + 1, p->cur.end))
				return false;
		}
		ex_next(p);
	}
	return !p->failed;
}

static void node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	for (size_t i = 0; i < n->nvals; i++)
		free(n->vals[i].s);
	free(n->vals);
	free(n);
}

static struct node *new_node(enum node_kind kind)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	return n;
}

/* Whether an array of n elements that doubles at powers of two is full. */
static bool full(size_t n)
{
	return (n & (n - 1)) == 0;
}

static void push_kid(struct node *n, struct node *kid)
{
	if (full(n->nkids))
		n->kids = xrealloc(n->kids, (n->nkids ? 2 * n->nkids : 1) * sizeof(*n->kids));
	n->kids[n->nkids++] = kid;
}

static void push_value(struct node *n, struct value *v)
{
	if (full(n->nvals))
		n->vals = xrealloc(n->vals, (n->nvals ? 2 * n->nvals : 1) * sizeof(*n->vals));
	n->vals[n->nvals++] = *v;
}

/* `( value, value … )` after `in`. */
static bool parse_list(struct parser *p, struct node *n)
{
	size_t open = p->cur.start;

	if (p->cur.kind != T_LPAREN)
		return ex_fail(p, p->cur.start, "expected '(' after '%.*s'", TOKF(p, &p->prev));
			       ex_next(p);
			       for (;;) {
			       struct value v = {0};
			       
			       if (!parse_value(p, &v)) {
			       free(v.s);
			       return false;
			       }
			       push_value(n, &v);
			       if (p->cur.kind == T_RPAREN)
			       break;
			       if (p->cur.kind == T_END && !p->failed)
			       return ex_fail(p, open, "unclosed parenthesis");
			       if (p->cur.kind != T_COMMA)
			       return ex_fail(p, p->cur.start, "expected ')' or ','");
		ex_next(p);
	}
	ex_next(p);
	return !p->failed;
}

static struct node *parse_test(struct parser *p)
{
	struct tok f = p->cur;
	struct node *n;

	if (f.kind == T_END)
		return ex_fail(p, f.start, "expected a field name after '%.*s'", TOKF(p, &p->prev));
	if (f.kind != T_WORD || ex_is_keyword(p, &f) ||
	    !valid_field(p->src + f.start, f.end - f.start))
		return ex_fail(p, f.start, "expected a field name, found '%.*s'", TOKF(p, &f));
	n = new_node(N_TEST);
	n->field = add_field(p->e, p->src, f.start, f.end - f.start);
	ex_next(p);
	if (p->cur.kind == T_OP) {
		struct value v = {0};

		n->op = p->cur.op;
		n->negate = p->cur.negate;
		ex_next(p);
		if (!parse_value(p, &v)) {
			free(v.s);
			node_free(n);
			return NULL;
		}
		push_value(n, &v);
		return n;
	}
	if (ex_word_is(p, &p->cur, "not")) {
		ex_next(p);
		if (!ex_word_is(p, &p->cur, "in")) {
			node_free(n);
			return ex_fail(p, p->cur.start, "expected 'in' after 'not'");
		}
		n->negate = true;
	}
	if (ex_word_is(p, &p->cur, "in")) {
		n->op = OP_IN;
		ex_next(p);
		if (!parse_list(p, n)) {
			node_free(n);
			return NULL;
		}
		return n;
	}
	n->op = OP_PRESENT;
	if (p->cur.kind == T_WORD && !ex_word_is(p, &p->cur, "and") && !ex_word_is(p, &p->cur, "or")) {
		node_free(n);
		return ex_fail(p, p->cur.start, "expected an operator like '=' or '~' after '%.*s'",
			       TOKF(p, &f));
	}
	if (p->cur.kind == T_STRING || p->cur.kind == T_LPAREN) {
		node_free(n);
		return ex_fail(p, p->cur.start, "expected an operator like '=' or '~' after '%.*s'",
			       TOKF(p, &f));
	}
	return n;
}

static struct node *parse_or(struct parser *p);

static struct node *parse_unary(struct parser *p)
{
	bool neg = false;
	struct node *n;

	/* `not not x` is x: fold the chain so that its length costs no stack */
	while (ex_word_is(p, &p->cur, "not")) {
		neg = !neg;
		ex_next(p);
	}
	if (p->cur.kind == T_LPAREN) {
		size_t open = p->cur.start;

		if (++p->depth > CRMF_EXPR_MAX_DEPTH)
			return ex_fail(p, open, "parentheses nested deeper than %d",
				       CRMF_EXPR_MAX_DEPTH);
		ex_next(p);
		if (p->cur.kind == T_RPAREN)
			return ex_fail(p, p->cur.start, "expected a field name after '('");
				       n = parse_or(p);
				       if (!n)
				       return NULL;
				       if (p->cur.kind != T_RPAREN) {
				       if (p->cur.kind == T_END && !p->failed)
				       ex_fail(p, open, "unclosed parenthesis");
				       else
				       ex_fail(p, p->cur.start, "expected 'and', 'or' or ')', found '%.*s'",
				       TOKF(p, &p->cur));
			node_free(n);
			return NULL;
		}
		p->depth--;
		ex_next(p);
	} else {
		n = parse_test(p);
		if (!n)
			return NULL;
	}
	if (neg) {
		struct node *x = new_node(N_NOT);

		push_kid(x, n);
		n = x;
	}
	return n;
}

static struct node *parse_and(struct parser *p)
{
	struct node *n = parse_unary(p), *all = NULL;

	while (n && ex_word_is(p, &p->cur, "and")) {
		struct node *k;

		ex_next(p);
		k = parse_unary(p);
		if (!all) {
			all = new_node(N_AND);
			push_kid(all, n);
		}
		n = all;
		if (!k) {
			node_free(all);
			return NULL;
		}
		push_kid(all, k);
	}
	return n;
}

static struct node *parse_or(struct parser *p)
{
	struct node *n = parse_and(p), *any = NULL;

	while (n && ex_word_is(p, &p->cur, "or")) {
		struct node *k;

		ex_next(p);
		k = parse_and(p);
		if (!any) {
			any = new_node(N_OR);
			push_kid(any, n);
		}
		n = any;
		if (!k) {
			node_free(any);
			return NULL;
		}
		push_kid(any, k);
	}
	return n;
}

/* Byte offset of the first invalid UTF-8 sequence, or `len`. */
static size_t utf8_valid_prefix(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
						      (utf8proc_ssize_t)(len - i), &cp);

		if (n <= 0)
			break;
		i += (size_t)n;
	}
	return i;
}

int crmf_expr_parse(crmf_expr **out, const char *text, crmf_day today, char *err, size_t errlen,
		    int *errcol)
{
	struct parser p = {0};
	struct node *root = NULL;
	size_t bad;

	*out = NULL;
	p.src = text ? text : "";
	p.len = strlen(p.src);
	p.today = today;
	p.e = xcalloc(1, sizeof(*p.e));
	bad = utf8_valid_prefix(p.src, p.len);
	if (bad < p.len) {
		ex_fail(&p, bad, "invalid UTF-8 in expression");
		goto done;
	}
	ex_next(&p);
	if (p.cur.kind == T_END && !p.failed) {
		ex_fail(&p, 0, "empty expression");
		goto done;
	}
	root = parse_or(&p);
	if (root && p.cur.kind != T_END) {
		if (p.cur.kind == T_RPAREN)
			ex_fail(&p, p.cur.start, "unmatched ')'");
		else if (p.cur.kind == T_COMMA)
			ex_fail(&p, p.cur.start,
				"expected 'and', 'or' or the end of the expression, found ','; "
				"write a list as: field in (a, b)");
		else if (p.prev.kind == T_WORD && p.cur.kind == T_WORD &&
			 p.prev.end < p.cur.start && p.src[p.cur.start] != '-' &&
			 p.src[p.cur.start] != '+')
			ex_fail(&p, p.cur.start,
				"expected 'and', 'or' or the end of the expression, found '%.*s'; "
				"quote a value that contains spaces",
				TOKF(&p, &p.cur));
		else
			ex_fail(&p, p.cur.start,
				"expected 'and', 'or' or the end of the expression, found '%.*s'",
				TOKF(&p, &p.cur));
	}
done:
	if (p.failed) {
		node_free(root);
		crmf_expr_free(p.e);
		if (err && errlen)
			snprintf(err, errlen, "%s", p.msg);
		if (errcol)
			*errcol = ex_column_of(p.src, p.errpos);
		return crmf_error_set("%s", p.msg);
	}
	p.e->root = root;
	p.e->src = xstrdup(p.src);
	*out = p.e;
	return 0;
}

/* ASCII-case-insensitive substring search; bytes >= 0x80 match exactly, which
 * keeps UTF-8 sequences intact. */
static bool contains(const char *h, size_t hn, const char *nd, size_t nn)
{
	if (nn == 0)
		return true;
	for (size_t i = 0; i + nn <= hn; i++) {
		size_t j = 0;

		while (j < nn && lower((unsigned char)h[i + j]) == lower((unsigned char)nd[j]))
			j++;
		if (j == nn)
			return true;
	}
	return false;
}

/* Sign of (record value - literal), typed as the literal is when the record
 * value parses the same way, else bytewise. */
static int compare(const struct node *t, const struct value *v, const char *s, size_t len)
{
	if (v->rank >= 0) {
		for (size_t i = 0; i < t->n_order; i++) {
			if (strlen(t->order[i]) == len && memcmp(t->order[i], s, len) == 0) {
				int r = t->desc ? (int)(t->n_order - 1 - i) : (int)i;

				return r < v->rank ? -1 : r > v->rank;
			}
		}
	}
	if (v->is_date) {
		crmf_day d;
		int minute;

		if (crmf_datetime_parse(&d, &minute, s, len) == 0)
			return d < v->day ? -1 : d > v->day;
	} else if (v->is_num) {
		double x;

		if (parse_number(&x, s, len) == 0)
			return x < v->num ? -1 : x > v->num;
	}
	{
		size_t n = len < v->len ? len : v->len;
		int c = n ? memcmp(s, v->s, n) : 0;

		if (c)
			return c < 0 ? -1 : 1;
		return len < v->len ? -1 : len > v->len;
	}
}

/* Phones written any way match by their digits: "+86 139 0574 2210" is 13905742210. */
static bool phone_matches(const struct node *t, const char *s, size_t len)
{
	char buf[64], key[21];
	size_t n;

	if (!t->vals[0].keylen || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	n = crmf_phone_key_text(key, buf);
	if (!n)
		return false;
	if (t->op == OP_MATCH)
		return contains(key, n, t->vals[0].key, t->vals[0].keylen);
	for (size_t i = 0; i < t->nvals; i++)
		if (t->vals[i].keylen == n && memcmp(t->vals[i].key, key, n) == 0)
			return true;
	return false;
}

static bool value_matches(const struct node *t, const char *s, size_t len)
{
	if (t->phone && (t->op == OP_EQ || t->op == OP_IN || t->op == OP_MATCH) &&
	    phone_matches(t, s, len))
		return true;
	switch (t->op) {
	case OP_PRESENT:
		return len > 0;
	case OP_EQ:
		return compare(t, &t->vals[0], s, len) == 0;
	case OP_LT:
		return compare(t, &t->vals[0], s, len) < 0;
	case OP_LE:
		return compare(t, &t->vals[0], s, len) <= 0;
	case OP_GT:
		return compare(t, &t->vals[0], s, len) > 0;
	case OP_GE:
		return compare(t, &t->vals[0], s, len) >= 0;
	case OP_MATCH:
		return contains(s, len, t->vals[0].s, t->vals[0].len);
	case OP_IN:
		for (size_t i = 0; i < t->nvals; i++)
			if (compare(t, &t->vals[i], s, len) == 0)
				return true;
		return false;
	}
	return false;
}

struct probe {
	const struct node *test;
	bool found;
};

static bool probe_value(void *ectx, const char *s, size_t len)
{
	struct probe *pr = ectx;

	if (!pr->found && value_matches(pr->test, s, len))
		pr->found = true;
	return pr->found;
}

static bool eval(const crmf_expr *e, const struct node *n, crmf_expr_lookup lookup, void *ctx)
{
	switch (n->kind) {
	case N_OR:
		for (size_t i = 0; i < n->nkids; i++)
			if (eval(e, n->kids[i], lookup, ctx))
				return true;
		return false;
	case N_AND:
		for (size_t i = 0; i < n->nkids; i++)
			if (!eval(e, n->kids[i], lookup, ctx))
				return false;
		return true;
	case N_NOT:
		return !eval(e, n->kids[0], lookup, ctx);
	case N_TEST: {
		struct probe pr = {n, false};
		const crmf_expr_field *f = &e->fields[n->field];

		lookup(ctx, f->name, f->len, probe_value, &pr);
		return pr.found != n->negate;
	}
	}
	return false;
}

bool crmf_expr_eval(const crmf_expr *e, crmf_expr_lookup lookup, void *ctx)
{
	if (!e || !e->root)
		return true;
	return eval(e, e->root, lookup, ctx);
}

size_t crmf_expr_fields(const crmf_expr *e, const crmf_expr_field **out)
{
	*out = e ? e->fields : NULL;
	return e ? e->nfields : 0;
}

void crmf_expr_free(crmf_expr *e)
{
	if (!e)
		return;
	node_free(e->root);
	free(e->src);
	for (size_t i = 0; i < e->nfields; i++)
		free((char *)e->fields[i].name);
	free(e->fields);
	free(e);
}

/* ---- binding to the schema ---- */

/* The phone digits of a literal: its number as the duplicate check keys it,
 * or for a part of a number (`~ 0574`) its digits alone. */
static void phone_literal(struct value *v)
{
	size_t n = 0;

	if (v->len < 64) {
		char buf[64];

		memcpy(buf, v->s, v->len);
		buf[v->len] = '\0';
		n = crmf_phone_key_text(v->key, buf);
	}
	if (n == 0) {
		for (size_t i = 0; i < v->len; i++) {
			char c = v->s[i];

			if (is_digit(c) && n < sizeof(v->key) - 1)
				v->key[n++] = c;
			else if (!(c == ' ' || c == '-' || c == '+' || c == '(' || c == ')'))
				return; /* text, not a number */
		}
		v->key[n] = '\0';
	}
	v->keylen = n;
}

static const char *last_part(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

static int bind_node(crmf_expr *e, struct node *n, const crmf_config *cfg, char *err,
		     size_t errlen, size_t *errpos)
{
	const char *const *vals;
	const char *name;
	size_t nv;
	bool desc;

	if (n->kind != N_TEST) {
		for (size_t i = 0; i < n->nkids; i++)
			if (bind_node(e, n->kids[i], cfg, err, errlen, errpos) != 0)
				return -1;
		return 0;
	}
	name = e->fields[n->field].name;
	if (strcmp(last_part(name), "phone") == 0) {
		n->phone = true;
		for (size_t i = 0; i < n->nvals; i++)
			phone_literal(&n->vals[i]);
	}
	if (n->op == OP_PRESENT || n->op == OP_MATCH ||
	    !crmf_config_values(cfg, name, &vals, &nv, &desc))
		return 0;
	for (size_t i = 0; i < n->nvals; i++) {
		struct value *v = &n->vals[i];
		const char *canon = crmf_config_value(cfg, name, v->s), *g;

		if (!canon) {
			g = crmf_config_suggest(cfg, name, v->s);
			if (g)
				snprintf(err, errlen, crmf_tr("invalid %s '%s'; did you mean '%s'?"),
					 last_part(name), v->s, g);
			else
				snprintf(err, errlen,
					 crmf_tr("invalid %s '%s'; use one of the %zu values of %s (see "
						 "doc/format.md)"),
					 last_part(name), v->s, nv, last_part(name));
			*errpos = v->pos;
			return -1;
		}
		if (strcmp(canon, v->s) != 0) {
			free(v->s);
			value_set_text(v, canon, strlen(canon));
		}
		for (size_t k = 0; k < nv; k++)
			if (vals[k] == canon)
				v->rank = desc ? (int)(nv - 1 - k) : (int)k;
	}
	n->order = vals;
	n->n_order = nv;
	n->desc = desc;
	return 0;
}

int crmf_expr_bind(crmf_expr *e, const crmf_config *cfg, char *err, size_t errlen, int *errcol)
{
	char msg[256];
	size_t pos = 0;

	if (!e || !e->root || bind_node(e, e->root, cfg, msg, sizeof(msg), &pos) == 0)
		return 0;
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	if (errcol)
		*errcol = ex_column_of(e->src, pos);
	return crmf_error_set("%s", msg);
}
