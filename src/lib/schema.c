/* SPDX-License-Identifier: MIT */
/* Team settings: crmf.yaml validated and turned into a configuration (its `labels` in labels.c). */
#include "crmf/schema.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crmf/check.h"
#include "crmf/date.h"
#include "crmf/fields.h"
#include "crmf/import.h"
#include "schema_private.h"
#include "util.h"

static const char *const top_keys[] = {
	"version", "id_format", "currency", "team", "industries",
	"enums",   "fields",    "rules",    "labels",    "import", "goals", "assign",
	"confidential",
};
static const char *const member_keys[] = {"id", "name", "email", "left"};
static const char *const enum_keys[] = {"size", "source"};
static const char *const field_keys[] = {"type", "values", "required"};
static const char *const rule_keys[] = {
	"dormant_after", "archive_after", "high_value", "cadence", "first_contact",
};
static const char *const cadence_keys[] = {"high", "medium", "low", "core", "unjudged"};
static const char *const first_keys[] = {"A", "B", "C"};
static const char *const type_names[] = {
	"string", "text", "date", "number", "bool", "enum", "list",
};
/* Whether `name` is a top-level field of the field table. */
bool sc_builtin_field(const char *name)
{
	return !strchr(name, '.') && crmf_field_find(name, strlen(name));
}

static const char *const default_sizes[] = {"<50", "50-200", ">200"};
static const char *const default_sources[] = {
	"官网", "展会", "转介绍", "电话", "拜访", "社交媒体", "行业平台",
};
static const char *const default_id_format = "C{yyyy}{seq:3}";

const char *crmf_field_type_name(crmf_field_type t)
{
	return (size_t)t < N_OF(type_names) ? type_names[t] : "string";
}

bool sc_in_list(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, v[i]) == 0)
			return true;
	return false;
}

/* ---- loading ---- */

void sc_report(struct loader *L, const crmf_node *n, const char *rule, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	fmt = crmf_tr(fmt);
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	crmf_diags_add(L->diags, CRMF_SEV_ERROR, L->path, n ? n->line : 0, n ? n->column : 0, rule,
		       "%s", msg);
	free(msg);
	L->errors++;
}

static void join(strbuf *sb, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_adds(sb, i + 1 == n ? " or " : ", ");
		sb_adds(sb, v[i]);
	}
}

/* An unknown key, with the nearest known one or the whole list. `where` is
 * the dotted path of the mapping ("" at the top). */
static void unknown_key(struct loader *L, const crmf_node *key, const char *where,
			const char *const *known, size_t n)
{
	const char *s = crmf_suggest(key->value, known, n);
	strbuf sb = STRBUF_INIT;

	if (*where)
		sb_addf(&sb, crmf_tr(" in '%s'"), where);
	if (s) {
		sc_report(L, key, "config-unknown-key", "unknown key '%s'%s; did you mean '%s'?",
			  key->value, sb.len ? sb.buf : "", s);
	} else {
		strbuf use = STRBUF_INIT;

		join(&use, known, n);
		sb_addf(&sb, crmf_tr("; use %s or remove it"), use.buf);
		sb_release(&use);
		sc_report(L, key, "config-unknown-key", "unknown key '%s'%s", key->value, sb.buf);
	}
	sb_release(&sb);
}

void sc_warn(struct loader *L, const crmf_node *n, const char *rule, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	fmt = crmf_tr(fmt);
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	crmf_diags_add(L->diags, CRMF_SEV_WARNING, L->path, n ? n->line : 0, n ? n->column : 0,
		       rule, "%s", msg);
	free(msg);
}

/* Index of `key` in `known`, reporting unknown keys; -1 when unknown. */
int sc_key_index(struct loader *L, const crmf_node *key, const char *where,
		     const char *const *known, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key->value, known[i]) == 0)
			return (int)i;
	unknown_key(L, key, where, known, n);
	return -1;
}

bool sc_is_null(const crmf_node *n)
{
	return !n || crmf_node_is_null(n);
}

/* A scalar's text, or NULL after a type error naming `what`. */
const char *sc_scalar(struct loader *L, const crmf_node *n, const char *what,
		      const char *expect)
{
	if (n->type == CRMF_NODE_SCALAR)
		return n->value;
	sc_report(L, n, "config-type",
		  n->type == CRMF_NODE_MAPPING ? N_("'%s' must be %s, not a mapping")
					       : N_("'%s' must be %s, not a list"),
		  what, crmf_tr(expect));
	return NULL;
}

bool sc_want_mapping(struct loader *L, const crmf_node *n, const char *what, const char *hint)
{
	if (n->type == CRMF_NODE_MAPPING)
		return true;
	sc_report(L, n, "config-type", "'%s' must be a mapping%s", what, *hint ? crmf_tr(hint) : "");
	return false;
}

bool sc_want_sequence(struct loader *L, const crmf_node *n, const char *what, const char *hint)
{
	if (n->type == CRMF_NODE_SEQUENCE)
		return true;
	sc_report(L, n, "config-type", "'%s' must be a list%s", what, *hint ? crmf_tr(hint) : "");
	return false;
}

static void strlist_push(crmf_strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

static void strlist_release(crmf_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void strlist_set(crmf_strlist *l, const char *const *v, size_t n)
{
	strlist_release(l);
	for (size_t i = 0; i < n; i++)
		strlist_push(l, v[i]);
}

/* The item of `seq` before index `upto` whose text equals `s`, or NULL.
 * Quadratic, but config lists are short and read once per run. */
static const crmf_node *earlier(const crmf_node *seq, size_t upto, const char *s)
{
	for (size_t i = 0; i < upto; i++) {
		const crmf_node *x = seq->items[i];

		if (x->type == CRMF_NODE_SCALAR && strcmp(x->value, s) == 0)
			return x;
	}
	return NULL;
}

static bool is_industry(const char *s)
{
	const char *slash = strchr(s, '/');

	if (!*s || *s == ' ' || s[strlen(s) - 1] == ' ')
		return false;
	if (!slash)
		return true;
	return slash != s && slash[1] && slash[1] != ' ' && slash[-1] != ' ' &&
	       !strchr(slash + 1, '/');
}

/* A list of unique non-empty strings; invalid items are reported and left out.
 * Returns false (leaving `out` alone) when nothing usable was given. */
static bool load_strlist(struct loader *L, const crmf_node *n, const char *what, crmf_strlist *out,
			 bool industries)
{
	crmf_strlist l = {0};

	if (!sc_want_sequence(L, n, what, industries ? N_(" of \"sector\" or \"sector/sub-sector\"")
						  : N_(" of strings")))
		return false;
	for (size_t i = 0; i < n->n; i++) {
		const crmf_node *it = n->items[i];
		const crmf_node *first;
		const char *s;

		s = sc_scalar(L, it, what, "a list of strings");
		if (!s)
			continue;
		if (!*s) {
			sc_report(L, it, "config-value", "empty entry in '%s'; remove it", what);
			continue;
		}
		if (industries && !is_industry(s)) {
			sc_report(L, it, "config-value",
				  "invalid industry '%s'; write \"sector\" or \"sector/sub-sector\"", s);
			continue;
		}
		first = earlier(n, i, s);
		if (first) {
			sc_report(L, it, "config-duplicate",
				  "duplicate '%s' in '%s' (first at line %d); remove one", s, what,
				  first->line);
			continue;
		}
		strlist_push(&l, s);
	}
	if (l.n == 0) {
		if (n->n == 0 && !industries)
			sc_report(L, n, "config-value", "'%s' is empty; list the allowed values", what);
		return false;
	}
	strlist_release(out);
	*out = l;
	return true;
}

static void load_version(struct loader *L, const crmf_node *n)
{
	const char *s = sc_scalar(L, n, "version", "a number");

	if (!s)
		return;
	if (strcmp(s, "1") != 0) {
		sc_report(L, n, "config-version", "unsupported version '%s'; this crmf reads version 1",
			  s);
	}
}

/* The length of the placeholder at s ("{yyyy}"…), its expansion's width in
 * *width, and whether it is {seq:N}; 0 when s starts no known placeholder. */
static size_t placeholder(const char *s, int *width, bool *seq)
{
	static const struct {
		const char *text;
		int width;
	} fixed[] = {{"{yyyy}", 4}, {"{yy}", 2}, {"{mm}", 2}, {"{dd}", 2}};

	*seq = false;
	for (size_t i = 0; i < N_OF(fixed); i++) {
		size_t k = strlen(fixed[i].text);

		if (strncmp(s, fixed[i].text, k) == 0) {
			*width = fixed[i].width;
			return k;
		}
	}
	if (strncmp(s, "{seq:", 5) == 0 && s[5] >= '1' && s[5] <= '9' && s[6] == '}') {
		/* the sequence may outgrow its width: leave room for a few more digits */
		*width = s[5] - '0' + 3;
		*seq = true;
		return 7;
	}
	return 0;
}

static bool is_id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

static void load_id_format(struct loader *L, const crmf_node *n)
{
	const char *s = sc_scalar(L, n, "id_format", "a string like \"C{yyyy}{seq:3}\"");
	int seqs = 0, width = 0;

	if (!s)
		return;
	for (const char *p = s; *p;) {
		int w;
		bool seq;
		size_t k;

		if (*p == '{') {
			const char *close = strchr(p, '}');

			k = placeholder(p, &w, &seq);
			if (!k) {
				int len = close ? (int)(close - p + 1) : (int)strlen(p);

				sc_report(L, n, "config-value",
					  "unknown placeholder '%.*s' in 'id_format'; use {yyyy}, {yy}, "
					  "{mm}, {dd} or {seq:N} with N from 1 to 9",
					  len, p);
				return;
			}
			seqs += seq;
			width += w;
			p += k;
			continue;
		}
		if (!is_id_char(*p)) {
			int len = 1;

			while ((p[len] & 0xC0) == 0x80)
				len++;
			sc_report(L, n, "config-value",
				  "character '%.*s' in 'id_format' is not allowed in ids; use letters, "
				  "digits, '.', '_' or '-'",
				  len, p);
			return;
		}
		if (p == s && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				(*p >= '0' && *p <= '9'))) {
			sc_report(L, n, "config-value",
				  "'id_format' must start with a letter, a digit or a placeholder");
			return;
		}
		width++;
		p++;
	}
	if (seqs != 1) {
		sc_report(L, n, "config-value",
			  seqs ? N_("'id_format' has more than one {seq:N}; keep one")
			  : N_("'id_format' has no {seq:N}; add one, e.g. \"C{yyyy}{seq:3}\""));
		return;
	}
	if (width > 64) {
		sc_report(L, n, "config-value", "'id_format' makes ids longer than 64 characters; "
			  "shorten it");
		return;
	}
	free(L->cfg->id_format);
	L->cfg->id_format = xstrdup(s);
}

static void load_currency(struct loader *L, const crmf_node *n)
{
	const char *s = sc_scalar(L, n, "currency", "a currency code such as CNY");

	if (!s)
		return;
	if (strlen(s) != 3 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' || s[2] < 'A' ||
	    s[2] > 'Z') {
		sc_report(L, n, "config-value",
			  "invalid currency '%s'; use a 3-letter upper-case code such as CNY", s);
		return;
	}
	free(L->cfg->currency);
	L->cfg->currency = xstrdup(s);
}

static void member_release(crmf_member *m)
{
	free(m->id);
	free(m->name);
	free(m->email);
}

/* A string-valued key of a team member; NULL when absent or invalid. */
static const char *member_string(struct loader *L, const crmf_node *v, const char *what)
{
	const char *s;

	if (sc_is_null(v))
		return NULL;
	s = sc_scalar(L, v, what, "a string");
	if (s && !*s)
		return NULL;
	return s;
}

static void load_team(struct loader *L, const crmf_node *n)
{
	crmf_config *cfg = L->cfg;
	const crmf_node **where;

	if (!sc_want_sequence(L, n, "team", " of ids or of {id, name, email} mappings"))
		return;
	cfg->team = xcalloc(n->n, sizeof(*cfg->team));
	where = xcalloc(n->n, sizeof(*where));
	for (size_t i = 0; i < n->n; i++) {
		const crmf_node *it = n->items[i], *idnode = it;
		crmf_member m = {0};
		const char *id = NULL, *name = NULL, *email = NULL, *left = NULL;
		crmf_day left_day = CRMF_NO_DAY;
		size_t k;

		m.left = CRMF_NO_DAY;
		if (it->type == CRMF_NODE_SCALAR) {
			id = it->value;
			if (!*id) {
				sc_report(L, it, "config-value",
					  "empty team member; write an id such as zhang.wei or remove "
					  "the entry");
				continue;
			}
		} else if (it->type == CRMF_NODE_MAPPING) {
			for (k = 0; k < it->n; k++) {
				const crmf_pair *p = &it->pairs[k];

				switch (sc_key_index(L, p->key, "team", member_keys,
						  N_OF(member_keys))) {
				case 0:
					id = member_string(L, p->value, "team.id");
					idnode = p->value;
					break;
				case 1:
					name = member_string(L, p->value, "team.name");
					break;
				case 2:
					email = member_string(L, p->value, "team.email");
					if (email && !crmf_email_valid(email)) {
						sc_report(L, p->value, "config-value",
							  "invalid email '%s'; write it like "
							  "name@example.com",
							  email);
						email = NULL;
					}
					break;
				case 3:
					left = member_string(L, p->value, "team.left");
					if (left && crmf_date_parse(&left_day, left, strlen(left)) != 0)
						sc_report(L, p->value, "config-value",
							  "invalid date '%s' in 'left'; write the member's "
							  "last day as YYYY-MM-DD",
							  left);
					break;
				}
			}
			if (!id) {
				sc_report(L, it, "config-missing",
					  "team member without 'id'; add 'id: …' (the name used "
					  "in 'owner' and 'by')");
				continue;
			}
		} else {
			sc_report(L, it, "config-type",
				  "team member must be an id or a mapping {id, name, email}, not a "
				  "list");
			continue;
		}
		for (k = 0; k < cfg->n_team; k++)
			if (strcmp(cfg->team[k].id, id) == 0)
				break;
		if (k < cfg->n_team) {
			sc_report(L, idnode, "config-duplicate",
				  "duplicate team member '%s' (first at line %d); remove one", id,
				  where[k]->line);
			continue;
		}
		m.id = xstrdup(id);
		m.name = name ? xstrdup(name) : NULL;
		m.email = email ? xstrdup(email) : NULL;
		m.left = left_day;
		where[cfg->n_team] = idnode;
		cfg->team[cfg->n_team++] = m;
	}
	free(where);
	cfg->has_team = cfg->n_team > 0;
}

static void load_enums(struct loader *L, const crmf_node *n)
{
	if (!sc_want_mapping(L, n, "enums", " with 'size' and 'source' lists"))
		return;
	for (size_t i = 0; i < n->n; i++) {
		const crmf_pair *p = &n->pairs[i];
		int k = sc_key_index(L, p->key, "enums", enum_keys, N_OF(enum_keys));

		if (k < 0 || sc_is_null(p->value))
			continue;
		load_strlist(L, p->value, k == 0 ? "enums.size" : "enums.source",
			     k == 0 ? &L->cfg->sizes : &L->cfg->sources, false);
	}
}

static bool valid_field_name(const char *s)
{
	if (*s < 'a' || *s > 'z')
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* true or false, typed by the schema: YAML 1.1's yes/no/on/off are errors. */
static int load_bool(struct loader *L, const crmf_node *n, const char *what, bool *out)
{
	const char *s = sc_scalar(L, n, what, "true or false");

	if (!s)
		return -1;
	if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
		*out = s[0] == 't';
		return 0;
	}
	sc_report(L, n, "config-value", "invalid value '%s' for '%s'; use true or false", s, what);
	return -1;
}

static void load_field(struct loader *L, const crmf_pair *fp)
{
	const char *name = fp->key->value;
	const crmf_node *n = fp->value, *values = NULL, *type = NULL;
	crmf_field_def f = {0};
	char what[128];
	int t = -1;

	if (sc_builtin_field(name)) {
		sc_report(L, fp->key, "config-value",
			  "custom field '%s' shadows the built-in field; choose another name", name);
		return;
	}
	if (!valid_field_name(name)) {
		sc_report(L, fp->key, "config-value",
			  "invalid field name '%s'; use lower-case letters, digits and '_', "
			  "starting with a letter",
			  name);
		return;
	}
	for (size_t i = 0; i < L->cfg->n_fields; i++) {
		/* the YAML layer drops duplicate keys; this only guards the invariant */
		if (strcmp(L->cfg->fields[i].name, name) == 0)
			return;
	}
	snprintf(what, sizeof(what), "fields.%s", name);
	if (sc_is_null(n) || n->type != CRMF_NODE_MAPPING) {
		/* an empty value has no position of its own: point at the key */
		sc_report(L, sc_is_null(n) ? fp->key : n, "config-type",
		       "'%s' must be a mapping like {type: string}", what);
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		const crmf_pair *p = &n->pairs[i];
		const char *s;
		char sub[160];

		switch (sc_key_index(L, p->key, what, field_keys, N_OF(field_keys))) {
		case 0:
			type = p->value;
			snprintf(sub, sizeof(sub), "%s.type", what);
			s = sc_scalar(L, p->value, sub, "a type name");
			if (!s)
				break;
			for (size_t k = 0; k < N_OF(type_names); k++)
				if (strcmp(s, type_names[k]) == 0)
					t = (int)k;
			if (t < 0) {
				const char *g = crmf_suggest(s, type_names, N_OF(type_names));

				if (g)
					sc_report(L, p->value, "config-value",
						  "unknown type '%s' for '%s'; did you mean '%s'?", s,
						  name, g);
				else
					sc_report(L, p->value, "config-value",
						  "unknown type '%s' for '%s'; use string, text, date, "
						  "number, bool, enum or list",
						  s, name);
			}
			break;
		case 1:
			values = p->value;
			break;
		case 2:
			snprintf(sub, sizeof(sub), "%s.required", what);
			load_bool(L, p->value, sub, &f.required);
			break;
		}
	}
	if (!type) {
		sc_report(L, n, "config-missing",
			  "field '%s' has no 'type'; add 'type: string' (or text, date, number, bool, "
			  "enum, list)",
			  name);
	}
	if (t == CRMF_FT_ENUM) {
		char sub[160];

		snprintf(sub, sizeof(sub), "%s.values", what);
		if (!values || sc_is_null(values)) {
			sc_report(L, values ? values : n, "config-missing",
				  "enum field '%s' has no 'values'; add 'values: [a, b]'", name);
			t = CRMF_FT_STRING;
		} else if (!load_strlist(L, values, sub, &f.values, false)) {
			t = CRMF_FT_STRING;
		}
	} else if (values && t >= 0) {
		sc_report(L, values, "config-value",
			  "'values' is only for enum fields; remove it or set 'type: enum'");
	}
	/* an invalid type still declares the field, so that customer files that
	 * use it are not flooded with unknown-key errors */
	f.type = t < 0 ? CRMF_FT_STRING : (crmf_field_type)t;
	f.name = xstrdup(name);
	L->cfg->fields = xrealloc(L->cfg->fields, (L->cfg->n_fields + 1) * sizeof(*L->cfg->fields));
	L->cfg->fields[L->cfg->n_fields++] = f;
}

static void load_fields(struct loader *L, const crmf_node *n)
{
	if (!sc_want_mapping(L, n, "fields", " of name: {type: …}"))
		return;
	for (size_t i = 0; i < n->n; i++)
		load_field(L, &n->pairs[i]);
}

static void load_duration(struct loader *L, const crmf_node *n, const char *what, int *out)
{
	const char *s = sc_scalar(L, n, what, "a duration like 90d");

	if (!s)
		return;
	if (crmf_duration_parse(out, s, n->len) != 0)
		sc_report(L, n, "config-value",
			  "invalid duration '%s' for '%s'; write days like 90d or weeks like 2w", s,
			  what);
}

/* A plain decimal number: digits, optionally a fraction; no sign, no exponent. */
static int parse_number(double *out, const char *s)
{
	const char *p = s;
	char *end;

	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return -1;
	*out = strtod(s, &end); /* infinite when too long: the caller checks the range */
	return 0;
}

static void load_high_value(struct loader *L, const crmf_node *n)
{
	const char *s = sc_scalar(L, n, "rules.high_value", "a number");
	double v;

	if (!s)
		return;
	if (parse_number(&v, s) == 0 && !(v <= CRMF_AMOUNT_MAX)) {
		sc_report(L, n, "config-value",
			  "number '%.40s%s' for 'rules.high_value' is out of range; write an amount "
			  "from 0 to %.0f",
			  s, strlen(s) > 40 ? "…" : "", CRMF_AMOUNT_MAX);
		return;
	}
	if (parse_number(&v, s) != 0) {
		sc_report(L, n, "config-value",
			  s[0] == '-' ? N_("invalid number '%s' for 'rules.high_value'; it must not be "
					   "negative")
				      : N_("invalid number '%s' for 'rules.high_value'; write digits "
					   "like 1000000"),
			  s);
		return;
	}
	L->cfg->rules.high_value = v;
}

static void load_rule_map(struct loader *L, const crmf_node *n, const char *what,
			  const char *const *keys, size_t nkeys, int *const *slots)
{
	if (!sc_want_mapping(L, n, what, " of durations"))
		return;
	for (size_t i = 0; i < n->n; i++) {
		const crmf_pair *p = &n->pairs[i];
		int k = sc_key_index(L, p->key, what, keys, nkeys);
		char sub[64];

		if (k < 0 || sc_is_null(p->value))
			continue;
		snprintf(sub, sizeof(sub), "%s.%s", what, keys[k]);
		load_duration(L, p->value, sub, slots[k]);
	}
}

static void load_rules(struct loader *L, const crmf_node *n)
{
	crmf_rules *r = &L->cfg->rules;
	int *const cadence[] = {&r->cadence_high, &r->cadence_medium, &r->cadence_low,
				&r->cadence_core, &r->cadence_unjudged};
	int *const first[] = {&r->first_a, &r->first_b, &r->first_c};

	if (!sc_want_mapping(L, n, "rules", " like {dormant_after: 90d}"))
		return;
	for (size_t i = 0; i < n->n; i++) {
		const crmf_pair *p = &n->pairs[i];
		int k = sc_key_index(L, p->key, "rules", rule_keys, N_OF(rule_keys));

		if (k < 0 || sc_is_null(p->value))
			continue;
		switch (k) {
		case 0:
			load_duration(L, p->value, "rules.dormant_after", &r->dormant_after);
			break;
		case 1:
			load_duration(L, p->value, "rules.archive_after", &r->archive_after);
			break;
		case 2:
			load_high_value(L, p->value);
			break;
		case 3:
			load_rule_map(L, p->value, "rules.cadence", cadence_keys, N_OF(cadence_keys),
				      cadence);
			break;
		case 4:
			load_rule_map(L, p->value, "rules.first_contact", first_keys,
				      N_OF(first_keys), first);
			break;
		}
	}
}

static crmf_config *config_defaults(void)
{
	crmf_config *cfg = xcalloc(1, sizeof(*cfg));

	cfg->version = 1;
	cfg->id_format = xstrdup(default_id_format);
	cfg->currency = xstrdup("CNY");
	strlist_set(&cfg->sizes, default_sizes, N_OF(default_sizes));
	strlist_set(&cfg->sources, default_sources, N_OF(default_sources));
	cfg->rules.dormant_after = 90;
	cfg->rules.archive_after = 180;
	cfg->rules.high_value = 1000000;
	cfg->rules.cadence_high = 3;
	cfg->rules.cadence_medium = 14;
	cfg->rules.cadence_low = 30;
	cfg->rules.cadence_core = 30;
	cfg->rules.cadence_unjudged = 14;
	cfg->rules.first_a = 1;
	cfg->rules.first_b = 2;
	cfg->rules.first_c = 7;
	return cfg;
}

int crmf_config_load(crmf_config **out, const crmf_doc *doc, crmf_diags *diags)
{
	crmf_diags local;
	struct loader L = {0};
	const crmf_node *root, *labels = NULL, *assign = NULL, *confidential = NULL;

	*out = config_defaults();
	if (!doc)
		return 0;
	crmf_diags_init(&local);
	L.cfg = *out;
	L.path = doc->path;
	L.diags = diags ? diags : &local;
	root = doc->root;
	if (!root) {
		/* the YAML layer has reported why */
		L.errors++;
	} else if (root->type != CRMF_NODE_MAPPING) {
		sc_report(&L, root, "config-type", "crmf.yaml must be a mapping of settings");
	} else {
		for (size_t i = 0; i < root->n; i++) {
			const crmf_pair *p = &root->pairs[i];
			int k = sc_key_index(&L, p->key, "", top_keys, N_OF(top_keys));

			if (k < 0 || sc_is_null(p->value))
				continue;
			switch (k) {
			case 0:
				load_version(&L, p->value);
				break;
			case 1:
				load_id_format(&L, p->value);
				break;
			case 2:
				load_currency(&L, p->value);
				break;
			case 3:
				load_team(&L, p->value);
				break;
			case 4:
				if (load_strlist(&L, p->value, "industries", &L.cfg->industries,
						 true))
					L.cfg->has_industries = true;
				break;
			case 5:
				load_enums(&L, p->value);
				break;
			case 6:
				load_fields(&L, p->value);
				break;
			case 7:
				load_rules(&L, p->value);
				break;
			case 8:
				/* after the loop: labels are checked against fields and enums */
				labels = p->value;
				break;
			case 9: {
				/* the mapping of `crmf import`: only checked here, read by import */
				crmf_import_map *m = crmf_import_map_new();
				size_t before = L.diags->errors;

				if (crmf_import_map_load(m, p->value, L.path, L.diags) != 0 ||
				    L.diags->errors > before)
					L.errors++;
				crmf_import_map_free(m);
				break;
			}
			case 10:
				sc_load_goals(&L, p->value);
				break;
			case 11:
				/* after the loop: rules name members, fields and values */
				assign = p->value;
				break;
			case 12:
				/* after the loop: it names custom fields and members */
				confidential = p->value;
				break;
			}
		}
		if (labels)
			sc_load_labels(&L, labels);
		if (assign)
			sc_load_assign(&L, assign);
		if (confidential)
			sc_load_confidential(&L, confidential);
	}
	crmf_diags_release(&local);
	return L.errors ? -1 : 0;
}

void crmf_config_free(crmf_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->id_format);
	free(cfg->currency);
	for (size_t i = 0; i < cfg->n_team; i++)
		member_release(&cfg->team[i]);
	free(cfg->team);
	strlist_release(&cfg->industries);
	strlist_release(&cfg->sizes);
	strlist_release(&cfg->sources);
	for (size_t i = 0; i < cfg->n_fields; i++) {
		free(cfg->fields[i].name);
		strlist_release(&cfg->fields[i].values);
	}
	free(cfg->fields);
	strlist_release(&cfg->confidential);
	for (size_t i = 0; i < cfg->n_recipients; i++) {
		free(cfg->recipients[i].member);
		free(cfg->recipients[i].pub);
	}
	free(cfg->recipients);
	for (size_t i = 0; i < cfg->n_goals; i++)
		free(cfg->goals[i].metric);
	free(cfg->goals);
	for (size_t i = 0; i < cfg->n_labels; i++) {
		free(cfg->labels[i].field);
		free(cfg->labels[i].value);
		free(cfg->labels[i].label);
	}
	free(cfg->labels);
	sc_assign_release(cfg);
	free(cfg);
}

const crmf_member *crmf_config_departed(const crmf_config *cfg, const char *who, crmf_day day)
{
	const crmf_member *m = crmf_config_member(cfg, who);

	return m && m->left != CRMF_NO_DAY && day != CRMF_NO_DAY && m->left < day ? m : NULL;
}

const crmf_member *crmf_config_member(const crmf_config *cfg, const char *who)
{
	if (!cfg || !who)
		return NULL;
	/* an id wins over another member's name or email */
	for (size_t i = 0; i < cfg->n_team; i++)
		if (strcmp(cfg->team[i].id, who) == 0)
			return &cfg->team[i];
	for (size_t i = 0; i < cfg->n_team; i++) {
		const crmf_member *m = &cfg->team[i];

		if ((m->name && strcmp(m->name, who) == 0) ||
		    (m->email && strcasecmp(m->email, who) == 0))
			return m;
	}
	return NULL;
}

const crmf_field_def *crmf_config_field(const crmf_config *cfg, const char *name)
{
	if (!cfg || !name)
		return NULL;
	for (size_t i = 0; i < cfg->n_fields; i++)
		if (strcmp(cfg->fields[i].name, name) == 0)
			return &cfg->fields[i];
	return NULL;
}

