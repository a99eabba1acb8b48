/* SPDX-License-Identifier: MIT */
/* The --where language: parse a filter expression once, then test it against each record. */
#ifndef CRMF_EXPR_H
#define CRMF_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/date.h"

/*
 * The language is documented for users in doc/where.md. In short:
 *   stage in (intent, negotiation) and not potential = low
 *   last_contact < today - 90d or contacts.email ~ example.cn
 * A test names a field path; a path with dots matches when ANY of its values
 * matches, and a negated test (`!=`, `!~`, `not in`) when NONE does.
 */

/** A parsed expression (opaque); owns all its memory. */
typedef struct crmf_expr crmf_expr;

/** Parentheses nested deeper than this are a parse error. */
#define CRMF_EXPR_MAX_DEPTH 64

/**
 * Receives one value of a field. Returns true when the evaluator needs no
 * more values of this field (the lookup may then stop early; it may also go on,
 * the answer does not change).
 */
typedef bool (*crmf_expr_emit)(void *ectx, const char *s, size_t len);

/**
 * Calls `emit(ectx, s, len)` once per value of the field path `field`
 * (NUL-terminated, `field_len` bytes) in the record `ctx`: once for a scalar,
 * once per element for a list or a path through a list (`contacts.email`),
 * never when the field is absent. A path ending at a mapping or at a list of
 * mappings (`contacts`) should emit one non-empty value per element, so that
 * `contacts` alone means "has a contact". Values are raw text, dates as
 * "YYYY-MM-DD" (or "YYYY-MM-DD HH:MM"), numbers in decimal.
 */
typedef void (*crmf_expr_lookup)(void *ctx, const char *field, size_t field_len,
				 crmf_expr_emit emit, void *ectx);

/** A field path used by an expression. */
typedef struct crmf_expr_field {
	const char *name; /* NUL-terminated, owned by the expression */
	size_t len;
	int column; /* 1-based column (characters) of its first use */
} crmf_expr_field;

/**
 * Parse `text` (UTF-8) into *out; `today` is the value of the word `today`.
 * On error returns -1, sets *out to NULL, writes a lower-case message into
 * `err` (`errlen` bytes, may be NULL) and the 1-based character column of the
 * problem into *errcol (may be NULL; one past the last character when the
 * text ended too early), and sets crmf_error_last(). Free with crmf_expr_free.
 */
int crmf_expr_parse(crmf_expr **out, const char *text, crmf_day today, char *err, size_t errlen,
		    int *errcol);

struct crmf_config;

/**
 * Bind the literals of `e` to the schema of `cfg` (may be NULL: the built-in
 * sets only): a value compared with a field of a closed set (stage,
 * potential, grade, method, activity, value, quadrant, kind, size, source, a
 * custom enum; by the path's last part) must be one of its values or a label
 * of crmf.yaml for one (意向期), and is replaced by the value; `<`, `>=`…
 * on such a field compare by its declared order (potential: low < medium <
 * high; stage: the pipeline). Tests of a phone field (`contacts.phone`)
 * also match by the normalised number (the duplicate check's key): `=` and
 * `in` the whole number, `~` a part of its digits. On a value outside its set
 * returns -1 with a message ("invalid stage 'intnet'; did you mean
 * 'intent'?") and column as crmf_expr_parse does. The values `cfg` gives
 * must outlive `e`.
 */
int crmf_expr_bind(crmf_expr *e, const struct crmf_config *cfg, char *err, size_t errlen,
		   int *errcol);

/** Whether the record behind `lookup`/`ctx` matches; a NULL expression matches everything.
 * Allocates nothing. */
bool crmf_expr_eval(const crmf_expr *e, crmf_expr_lookup lookup, void *ctx);

/** The distinct field paths `e` uses, in order of first use, into *out; returns their count. */
size_t crmf_expr_fields(const crmf_expr *e, const crmf_expr_field **out);

/** Free an expression; NULL is a no-op. */
void crmf_expr_free(crmf_expr *e);

#endif
