/* SPDX-License-Identifier: MIT */
/* How a value is written in YAML: plain when a YAML 1.1 parser reads it back as the same string, else quoted or literal. */
#include "edit_private.h"

#include <stdlib.h>
#include <string.h>

const char ed_indicators[] = "-?:,[]{}#&*!|>'\"%@`";

/* ---- UTF-8 and characters ---- */

/* Characters that must be escaped to be seen: controls, and the invisible
 * ones some YAML readers treat as breaks or byte-order marks. */
static bool invisible(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xFEFF || c == 0x2028 || c == 0x2029 ||
	       c == 0xFFFE || c == 0xFFFF;
}

/* Values crmf refuses to store: crmf_doc_parse rejects these characters even
 * escaped, so writing them would make the file invalid. */
int ed_value_ok(const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v);

	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t w = utf8_decode(s + i, n - i, &c);

		if (!w)
			return crmf_error_set("value is not valid UTF-8; write it in UTF-8");
		if ((c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7F && c <= 0x9F))
			return crmf_error_set("value contains control character U+%04X; remove it",
					      (unsigned)c);
		i += w;
	}
	return 0;
}

/* ---- what a YAML 1.1 parser would read as something other than a string ---- */

static bool ieq(const char *s, size_t n, const char *w)
{
	size_t i;

	for (i = 0; i < n && w[i]; i++) {
		char a = s[i], b = w[i];

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a != b)
			return false;
	}
	return i == n && !w[i];
}

/* Integers and floats of YAML 1.1 and 1.2, sexagesimal ones included, read
 * generously: quoting a string that is not quite a number costs nothing. */
static bool looks_number(const char *s, size_t n)
{
	size_t i = 0, digits = 0;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i == n)
		return false;
	if (ieq(s + i, n - i, ".inf") || ieq(s + i, n - i, ".nan"))
		return true;
	if (s[i] == '0' && i + 2 < n && strchr("xXoObB", s[i + 1])) {
		for (i += 2; i < n; i++)
			if (!is_digit(s[i]) && s[i] != '_' && !strchr("abcdefABCDEF", s[i]))
				return false;
		return true;
	}
	for (; i < n && (is_digit(s[i]) || s[i] == '_'); i++)
		digits += is_digit(s[i]);
	while (i < n && s[i] == ':') {
		size_t k = 0;

		for (i++; i < n && (is_digit(s[i]) || s[i] == '_'); i++)
			k++;
		if (!k)
			return false;
	}
	if (i < n && s[i] == '.')
		for (i++; i < n && (is_digit(s[i]) || s[i] == '_'); i++)
			digits += is_digit(s[i]);
	if (!digits)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t k = 0;

		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < n && is_digit(s[i]); i++)
			k++;
		if (!k)
			return false;
	}
	return i == n;
}

/* YYYY-M-D alone or followed by a time: a date or timestamp in YAML 1.1. */
static bool looks_date(const char *s, size_t n)
{
	size_t i = 0, k;

	for (; i < 4; i++)
		if (i >= n || !is_digit(s[i]))
			return false;
	for (int part = 0; part < 2; part++) {
		if (i >= n || s[i] != '-')
			return false;
		for (k = 0, i++; i < n && is_digit(s[i]) && k < 2; i++)
			k++;
		if (!k)
			return false;
	}
	return i == n || s[i] == 'T' || s[i] == 't' || s[i] == ' ' || s[i] == '\t';
}

static bool yaml11_typed(const char *s, size_t n)
{
	static const char *const words[] = {"y",    "n",     "yes",  "no", "on", "off",
					    "true", "false", "null", "~",  "<<", "="};

	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (ieq(s, n, words[i]))
			return true;
	return looks_number(s, n) || looks_date(s, n);
}

/*
 * Can `s` be a plain scalar? `typed` adds what crmf_edit_plain_safe promises
 * on top of the syntax: no indicator at all at the start, and no value a
 * YAML 1.1 parser would type. In flow context the flow indicators end a
 * plain scalar anywhere.
 */
bool ed_plain_ok(const char *s, bool flow, bool typed)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s);

	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':')
		return false;
	if (strchr(ed_indicators, s[0])) {
		if (typed || (s[0] != '-' && s[0] != '?' && s[0] != ':'))
			return false;
		if (n == 1 || s[1] == ' ' || (flow && strchr(",[]{}?", s[1])))
			return false;
	}
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t w = utf8_decode(u + i, n - i, &c);

		if (!w || invisible(c))
			return false;
		if (c == ':' && i + 1 < n && s[i + 1] == ' ')
			return false;
		if (c == '#' && i > 0 && s[i - 1] == ' ')
			return false;
		/* PyYAML also ends a plain scalar at '?' inside flow collections */
		if (flow && c < 0x80 && strchr(",[]{}?", (int)c))
			return false;
		i += w;
	}
	return !typed || !yaml11_typed(s, n);
}

bool crmf_edit_plain_safe(const char *s)
{
	return s && ed_plain_ok(s, false, true);
}

/* ---- writing scalars ---- */

int ed_quote_into(strbuf *sb, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v);

	sb_addc(sb, '"');
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t w = utf8_decode(s + i, n - i, &c);

		if (!w)
			return -1;
		if (c == '"' || c == '\\') {
			sb_addc(sb, '\\');
			sb_addc(sb, (char)c);
		} else if (c == '\n') {
			sb_adds(sb, "\\n");
		} else if (c == '\t') {
			sb_adds(sb, "\\t");
		} else if (c == '\r') {
			sb_adds(sb, "\\r");
		} else if (c == 0) {
			sb_adds(sb, "\\0");
		} else if (c == 0x2028) {
			sb_adds(sb, "\\L");
		} else if (c == 0x2029) {
			sb_adds(sb, "\\P");
		} else if (invisible(c)) {
			if (c <= 0xFF)
				sb_addf(sb, "\\x%02X", (unsigned)c);
			else
				sb_addf(sb, "\\u%04X", (unsigned)c);
		} else {
			sb_add(sb, v + i, w);
		}
		i += w;
	}
	sb_addc(sb, '"');
	return 0;
}

char *crmf_edit_quote(const char *s)
{
	strbuf sb = STRBUF_INIT;

	if (!s || ed_quote_into(&sb, s) < 0) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

char *crmf_edit_scalar(const char *s)
{
	if (s && ed_plain_ok(s, false, true))
		return xstrdup(s);
	return crmf_edit_quote(s);
}

/* A literal block holds `v` exactly when it needs neither an indentation
 * indicator nor keep chomping, and has nothing that must be escaped. */
static bool literal_ok(const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v), i, last;

	if (!strchr(v, '\n'))
		return false;
	for (i = 0; i < n;) {
		uint32_t c;
		size_t w = utf8_decode(s + i, n - i, &c);

		if (!w || (invisible(c) && c != '\n' && c != '\t'))
			return false;
		i += w;
	}
	for (i = 0; i < n && v[i] == '\n'; i++)
		;
	if (i == n || v[i] == ' ' || v[i] == '\t')
		return false;
	if (n >= 2 && v[n - 1] == '\n' && v[n - 2] == '\n')
		return false;
	/* a last line of blanks would read as trailing space of the value */
	last = v[n - 1] == '\n' ? n - 1 : n;
	for (i = last; i > 0 && v[i - 1] != '\n'; i--)
		;
	for (; i < last && (v[i] == ' ' || v[i] == '\t'); i++)
		;
	return i < last;
}

int ed_choose_style(enum rstyle *out, const char *v, unsigned flags, crmf_node_style old,
		    bool flow)
{
	if (flags & CRMF_EDIT_RAW) {
		if (!ed_plain_ok(v, flow, false))
			return crmf_error_set(
			    "'%s' cannot be written as a plain YAML value; write it as text", v);
		*out = R_PLAIN;
		return 0;
	}
	if (ed_value_ok(v) < 0)
		return -1;
	if (strchr(v, '\n'))
		*out = !flow && literal_ok(v) ? R_LITERAL : R_DOUBLE;
	else if (old == CRMF_STYLE_SINGLE)
		*out = R_SINGLE;
	else if (old == CRMF_STYLE_DOUBLE)
		*out = R_DOUBLE;
	else
		*out = ed_plain_ok(v, flow, true) ? R_PLAIN : R_DOUBLE;
	return 0;
}

