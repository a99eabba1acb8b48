/* SPDX-License-Identifier: MIT */
/* Fuzz harness: --where expressions parsed and evaluated against a fuzzed record. */
#include <stdbool.h>
#include <string.h>

#include "crmf/expr.h"
#include "fuzz.h"

/*
 * Input: the expression on the first line; each further line `field=value`
 * is one value of a field of the record (a field may have many). Oracles:
 * a failed parse has a message and a column inside the text (or one past
 * it); only the fields crmf_expr_fields lists are looked up; and
 * `not (E)` is exactly the negation of E.
 */

struct record {
	const char *text; /* the lines after the expression */
	size_t len;
	const crmf_expr *e;
};

static void lookup(void *ctx, const char *field, size_t field_len, crmf_expr_emit emit, void *ectx)
{
	const struct record *r = ctx;
	const crmf_expr_field *fields;
	size_t n = crmf_expr_fields(r->e, &fields), i;
	const char *p = r->text, *end = r->text + r->len;

	FUZZ_ASSERT(strlen(field) == field_len, "field length");
	for (i = 0; i < n; i++)
		if (fields[i].len == field_len && memcmp(fields[i].name, field, field_len) == 0)
			break;
	FUZZ_ASSERT(i < n, "looked-up field '%s' is one the expression lists", field);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(eol - p));

		if (eq && (size_t)(eq - p) == field_len && memcmp(p, field, field_len) == 0)
			if (emit(ectx, eq + 1, (size_t)(eol - eq - 1)))
				return;
		p = eol + 1;
	}
}

static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t elen = nl ? (size_t)(nl - (const char *)data) : size;
	char *text = malloc(elen + 1), *wrapped;
	crmf_day today = crmf_date_from_ymd(2024, 6, 3);
	crmf_expr *e = NULL, *ne = NULL;
	struct record r;
	char err[256] = "";
	int col = 0;

	if (!text)
		abort();
	memcpy(text, data, elen);
	text[elen] = '\0';
	r.text = nl ? nl + 1 : "";
	r.len = nl ? size - elen - 1 : 0;
	if (crmf_expr_parse(&e, text, today, err, sizeof(err), &col) != 0) {
		FUZZ_ASSERT(e == NULL, "no expression on error");
		FUZZ_ASSERT(err[0] != '\0', "an error message");
		FUZZ_ASSERT(col >= 1 && (size_t)col <= chars(text) + 1, "column %d of %zu", col,
			    chars(text));
		free(text);
		return 0;
	}
	const crmf_expr_field *fields;
	size_t n = crmf_expr_fields(e, &fields);
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(fields[i].name && strlen(fields[i].name) == fields[i].len &&
				    fields[i].len > 0,
			    "a field name");
		FUZZ_ASSERT(fields[i].column >= 1 && (size_t)fields[i].column <= chars(text),
			    "field column %d", fields[i].column);
	}
	r.e = e;
	bool v = crmf_expr_eval(e, lookup, &r);

	wrapped = malloc(elen + 8);
	if (!wrapped)
		abort();
	snprintf(wrapped, elen + 8, "not (%s)", text);
	if (crmf_expr_parse(&ne, wrapped, today, NULL, 0, NULL) == 0) {
		r.e = ne;
		FUZZ_ASSERT(crmf_expr_eval(ne, lookup, &r) == !v, "'%s' is the negation of '%s'",
			    wrapped, text);
	}
	crmf_expr_free(ne);
	crmf_expr_free(e);
	free(wrapped);
	free(text);
	return 0;
}
