/* Customer files checked against the schema into typed records and diagnostics. */
#include "crmf/check.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crmf/fields.h"
#include "util.h"
#include "values.h"

/* the closed sets of the field table */
#define stage_names crmf_stage_values
#define potential_names crmf_potential_values
#define grade_names crmf_grade_values
#define method_names crmf_method_values

/*
 * The fields of a record ("" the top level, then contacts, need, deals,
 * followups) are the rows of the field table (crmf/fields.h), read once. The
 * code below checks most of them by hand and names them by their slot (F_ID,
 * C_PHONE…); a row it has no code for, of a plain kind (text, date, number,
 * bool, enum, list), is checked like a custom field of crmf.yaml, so adding
 * such a row to the table is all check needs.
 */
enum {
	F_ID, F_NAME, F_INDUSTRY, F_SIZE, F_SOURCE, F_CREATED, F_OWNER, F_STAGE,
	F_POTENTIAL, F_GRADE, F_TAGS, F_CONTACTS, F_NEED, F_DEALS, F_FOLLOWUPS, F_N
};
enum { C_NAME, C_TITLE, C_PHONE, C_EMAIL, C_PRIMARY, C_N };
enum { N_TYPE, N_DESCRIPTION, N_BUDGET, N_TIMELINE, N_N };
enum { D_AMOUNT, D_SIGNED, D_EXPIRES, D_N };
enum { U_DATE, U_BY, U_METHOD, U_WITH, U_SUMMARY, U_FEEDBACK, U_NEXT, U_DUE, U_N };
enum { R_TOP, R_CONTACT, R_NEED, R_DEAL, R_FOLLOWUP, R_N };

/* The slots' names: each is a row of the table (else every check of it fails). */
static const char *const coded_top[F_N] = {
	"id", "name", "industry", "size", "source", "created", "owner", "stage",
	"potential", "grade", "tags", "contacts", "need", "deals", "followups",
};
static const char *const coded_contact[C_N] = {"name", "title", "phone", "email", "primary"};
static const char *const coded_need[N_N] = {"type", "description", "budget", "timeline"};
static const char *const coded_deal[D_N] = {"amount", "signed", "expires"};
static const char *const coded_followup[U_N] = {
	"date", "by", "method", "with", "summary", "feedback", "next", "due",
};

/* Names people give fields from habit or other tools (the aliases of the
 * table), so that an unknown key can be answered with the field meant
 * ('status' and its typos: 'stage'). */
struct alias {
	const char *from, *to;
};

#define REC_MAX 32
#define ALIAS_MAX 32
static struct rec {
	const char *parent;		/* the table's path prefix: "", "contacts"… */
	const char *const *coded;	/* the slots' names */
	size_t n_coded;
	const char *names[REC_MAX];	/* every field of the record, in the table's order */
	signed char slot[REC_MAX];	/* names[i]'s slot, or -1 - its index in plain */
	size_t n;
	crmf_field_def plain[REC_MAX];	/* the fields without code, typed by their kind */
	size_t n_plain;
	struct alias aliases[ALIAS_MAX];
	size_t n_aliases;
} recs[R_N] = {
	{.parent = "", .coded = coded_top, .n_coded = F_N},
	{.parent = "contacts", .coded = coded_contact, .n_coded = C_N},
	{.parent = "need", .coded = coded_need, .n_coded = N_N},
	{.parent = "deals", .coded = coded_deal, .n_coded = D_N},
	{.parent = "followups", .coded = coded_followup, .n_coded = U_N},
};
static pthread_once_t recs_once = PTHREAD_ONCE_INIT;

/* A plain field of kind `kind` as a custom field's type; false for a kind
 * that needs code of its own (a record, a team member, a list of crmf.yaml). */
static bool plain_type(crmf_field_def *d, const crmf_field *f)
{
	switch (f->kind) {
	case CRMF_FIELD_TEXT:
		d->type = CRMF_FT_STRING;
		break;
	case CRMF_FIELD_DATE:
		d->type = CRMF_FT_DATE;
		break;
	case CRMF_FIELD_NUMBER:
		d->type = CRMF_FT_NUMBER;
		break;
	case CRMF_FIELD_BOOL:
		d->type = CRMF_FT_BOOL;
		break;
	case CRMF_FIELD_ENUM:
		d->type = CRMF_FT_ENUM;
		d->values.v = (char **)(uintptr_t)f->values;
		d->values.n = f->n_values;
		break;
	case CRMF_FIELD_LIST:
		d->type = CRMF_FT_LIST;
		break;
	default:
		return false;
	}
	d->name = (char *)(uintptr_t)crmf_field_key(f);
	d->required = (f->flags & CRMF_FIELD_REQUIRED) != 0;
	return true;
}

static void add_row(struct rec *r, const crmf_field *f)
{
	const char *key = crmf_field_key(f);
	int slot = -1;

	for (size_t i = 0; i < r->n_coded; i++)
		if (strcmp(r->coded[i], key) == 0)
			slot = (int)i;
	for (const char *const *al = f->aliases; al && *al; al++)
		if (r->n_aliases < ALIAS_MAX)
			r->aliases[r->n_aliases++] = (struct alias){*al, key};
	if (r->n == REC_MAX || (slot < 0 && !plain_type(&r->plain[r->n_plain], f)))
		return; /* needs code of its own: stays an unknown field */
	if (slot < 0)
		slot = -1 - (int)r->n_plain++;
	r->names[r->n] = key;
	r->slot[r->n++] = (signed char)slot;
}

static void load_recs(void)
{
	size_t n;
	const crmf_field *t = crmf_fields(&n);

	for (size_t i = 0; i < n; i++) {
		const char *dot = strchr(t[i].path, '.');
		size_t plen = dot ? (size_t)(dot - t[i].path) : 0;

		for (int r = 0; r < R_N; r++)
			if (strlen(recs[r].parent) == plen && !strncmp(recs[r].parent, t[i].path, plen))
				add_row(&recs[r], &t[i]);
	}
}

static const struct rec *rec_of(int r)
{
	pthread_once(&recs_once, load_recs);
	return &recs[r];
}

struct ck {
	crmf_customer *c;
	const crmf_config *cfg;
	crmf_diags *diags;
	const char *path;
	const char *src;
	crmf_day today;
	int root_line, root_col; /* where "missing top-level field" points: the first key */
};

/* Reporting */

static void vreport(struct ck *k, crmf_severity sev, int line, int col, const char *rule,
		    const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap);

	crmf_diags_add(k->diags, sev, k->path, line, col, rule, "%s", msg);
	free(msg);
	if (sev == CRMF_SEV_ERROR)
		k->c->errors++;
}

__attribute__((format(printf, 5, 6)))
static void err_pos(struct ck *k, int line, int col, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(k, CRMF_SEV_ERROR, line, col, rule, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 4, 5)))
static void err_at(struct ck *k, const crmf_node *n, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(k, CRMF_SEV_ERROR, n->line, n->column, rule, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 4, 5)))
static void warn_at(struct ck *k, const crmf_node *n, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(k, CRMF_SEV_WARNING, n->line, n->column, rule, fmt, ap);
	va_end(ap);
}

/* A value as quoted in a message: at most 60 characters, on one line. */
struct shown {
	char s[60 * 4 + 4];
};

static const char *show(struct shown *b, const char *s, size_t len)
{
	size_t i, o = 0, chars = 0;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch & 0xC0) != 0x80 && ++chars > 60)
			break;
		b->s[o++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
	}
	if (i < len)
		memcpy(b->s + o, "…", 3), o += 3;
	b->s[o] = '\0';
	return b->s;
}

/* "a, b, c" for a list of allowed values; long lists are cut. */
static char *join(const char *const *v, size_t n)
{
	strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < n && i < 12; i++) {
		if (i)
			sb_adds(&sb, ", ");
		sb_adds(&sb, v[i]);
	}
	if (n > 12)
		sb_adds(&sb, ", …");
	return sb_detach(&sb);
}

static const char *kind_name(const crmf_node *n)
{
	switch (n->type) {
	case CRMF_NODE_MAPPING:
		return "mapping";
	case CRMF_NODE_SEQUENCE:
		return "list";
	default:
		return "single value";
	}
}

/* Where a missing field is reported when the mapping lacking it is a list item:
 * at its `- ` marker, which is what the reader sees as "the item". */
static void item_pos(const struct ck *k, const crmf_node *n, int *line, int *col)
{
	size_t i = n->start;
	int back = 0;

	*line = n->line;
	*col = n->column;
	if (n->style == CRMF_STYLE_FLOW || !k->src)
		return;
	while (i > 0 && k->src[i - 1] == ' ') {
		i--;
		back++;
	}
	if (back > 0 && i > 0 && k->src[i - 1] == '-' && *col > back + 1)
		*col -= back + 1;
}

/* Values */

/* Tags are the parser's business: crmf_doc_parse refuses every tag but the
 * core schema's own for the node's kind (yaml-tag), wherever it stands. */

static bool is_blank(const crmf_node *v)
{
	if (crmf_node_is_null(v))
		return true;
	for (size_t i = 0; i < v->len; i++)
		if (v->value[i] != ' ' && v->value[i] != '\t' && v->value[i] != '\n' &&
		    v->value[i] != '\r')
			return false;
	return true;
}

/* The value of `p` when it is a scalar with some text; NULL when `p` is absent
 * or its value empty (nothing reported), or when it is a collection (reported,
 * and *wrong set). */
static const crmf_node *scalar(struct ck *k, const crmf_pair *p, bool *wrong)
{
	const crmf_node *v;

	*wrong = false;
	if (!p)
		return NULL;
	v = p->value;
	if (v->type != CRMF_NODE_SCALAR) {
		*wrong = true;
		err_at(k, v, "wrong-type", "'%s' must be a single value, not a %s; write '%s: <value>'",
		       p->key->value, kind_name(v), p->key->value);
		return NULL;
	}
	return is_blank(v) ? NULL : v;
}

static const crmf_node *opt_scalar(struct ck *k, const crmf_pair *p)
{
	bool wrong;

	return scalar(k, p, &wrong);
}

/* A required scalar: when absent or empty, the message `fmt` goes at its key,
 * or at line:col (the mapping lacking it) when there is no key. */
__attribute__((format(printf, 5, 6)))
static const crmf_node *req_scalar(struct ck *k, const crmf_pair *p, int line, int col,
				   const char *fmt, ...)
{
	bool wrong;
	const crmf_node *v = scalar(k, p, &wrong);
	va_list ap;

	if (v || wrong)
		return v;
	va_start(ap, fmt);
	if (p)
		vreport(k, CRMF_SEV_ERROR, p->key->line, p->key->column, "missing-field", fmt, ap);
	else
		vreport(k, CRMF_SEV_ERROR, line, col, "missing-field", fmt, ap);
	va_end(ap);
	return NULL;
}

/* The value of `p` when it is a mapping (NULL and reported otherwise; NULL
 * silently when absent or empty). */
static const crmf_node *mapping(struct ck *k, const crmf_pair *p)
{
	const crmf_node *v;

	if (!p)
		return NULL;
	v = p->value;
	if (v->type == CRMF_NODE_MAPPING)
		return v;
	if (v->type == CRMF_NODE_SCALAR && crmf_node_is_null(v))
		return NULL;
	err_at(k, v, "wrong-type",
	       "'%s' must be a mapping, not a %s; write its fields indented below '%s:'",
	       p->key->value, kind_name(v), p->key->value);
	return NULL;
}

/* The value of `p` when it is a sequence; an empty value is an empty list. */
static const crmf_node *sequence(struct ck *k, const crmf_pair *p, bool *wrong)
{
	const crmf_node *v;

	*wrong = false;
	if (!p)
		return NULL;
	v = p->value;
	if (v->type == CRMF_NODE_SEQUENCE)
		return v;
	if (v->type == CRMF_NODE_SCALAR && crmf_node_is_null(v))
		return NULL;
	*wrong = true;
	err_at(k, v, "wrong-type", "'%s' must be a list, not a %s; start each item with '- '",
	       p->key->value, kind_name(v));
	return NULL;
}

static int find_key_n(const char *key, size_t len, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (key[0] == names[i][0] && strncmp(names[i], key, len) == 0 && !names[i][len])
			return (int)i;
	return -1;
}

static int find_key(const char *key, const char *const *names, size_t n)
{
	return find_key_n(key, strlen(key), names, n);
}

/* The field of `names` that the unknown key `word` of record `r` probably means, or NULL. */
static const char *suggest_key(const char *word, const char *const *names, size_t n,
			       const struct rec *r)
{
	const char *from[ALIAS_MAX], *s = crmf_suggest(word, names, n);

	if (s)
		return s;
	for (size_t i = 0; i < r->n_aliases; i++)
		from[i] = r->aliases[i].from;
	s = crmf_suggest(word, from, r->n_aliases);
	for (size_t i = 0; s && i < r->n_aliases; i++)
		if (from[i] == s)
			return r->aliases[i].to;
	return NULL;
}

static const char *const field_type_names[] = {
	"string", "text", "date", "number", "bool", "enum", "list",
};

static void check_custom(struct ck *k, const crmf_field_def *def, const crmf_pair *p);

/* Sort the pairs of `map`, a record of kind `rec`, into slots by key, check
 * its fields without code and report keys that are not its fields; line:col
 * is where a missing field is reported. */
static void take_fields(struct ck *k, const crmf_node *map, int rec, const crmf_pair **slots,
			const char *what, int line, int col)
{
	const struct rec *r = rec_of(rec);

	for (size_t i = 0; i < r->n_coded; i++)
		slots[i] = NULL;
	for (size_t i = 0; i < map->n; i++) {
		const crmf_pair *p = &map->pairs[i];
		int f = find_key_n(p->key->value, p->key->len, r->names, r->n);
		struct shown sv;
		const char *sug;
		char *all;

		if (f >= 0 && r->slot[f] >= 0) {
			slots[r->slot[f]] = p;
			continue;
		}
		if (f >= 0) {
			check_custom(k, &r->plain[-1 - r->slot[f]], p);
			continue;
		}
		sug = suggest_key(p->key->value, r->names, r->n, r);
		show(&sv, p->key->value, p->key->len);
		if (sug) {
			err_at(k, p->key, "unknown-field", "unknown %s field '%s'; did you mean '%s'?",
			       what, sv.s, sug);
			continue;
		}
		all = join(r->names, r->n);
		err_at(k, p->key, "unknown-field", "unknown %s field '%s'; use one of %s", what, sv.s,
		       all);
		free(all);
	}
	for (size_t i = 0; i < r->n_plain; i++)
		if (r->plain[i].required && !crmf_node_pair(map, r->plain[i].name))
			err_pos(k, line, col, "missing-field", "%s lacks '%s'; add '%s:' with a %s value",
				what, r->plain[i].name, r->plain[i].name,
				field_type_names[r->plain[i].type]);
}

/* The index of `s` in `v`, or -1 after reporting it as an invalid `what`. */
static int enum_value(struct ck *k, const crmf_node *s, const char *what, const char *const *v,
		      size_t n)
{
	const char *sug;
	struct shown sv;
	char *all;

	for (size_t i = 0; i < n; i++)
		if (strcmp(s->value, v[i]) == 0)
			return (int)i;
	show(&sv, s->value, s->len);
	sug = crmf_suggest(s->value, v, n);
	if (sug) {
		err_at(k, s, "invalid-enum", "invalid %s '%s'; did you mean '%s'?", what, sv.s, sug);
		return -1;
	}
	all = join(v, n);
	err_at(k, s, "invalid-enum", "invalid %s '%s'; use one of %s", what, sv.s, all);
	free(all);
	return -1;
}

static const char *const *strlist(const crmf_strlist *l)
{
	return (const char *const *)l->v;
}

static crmf_day date_value(struct ck *k, const crmf_node *v)
{
	crmf_day d;
	struct shown sv;

	if (crmf_date_parse(&d, v->value, v->len) == 0)
		return d;
	err_at(k, v, "invalid-date", "invalid date '%s'; write YYYY-MM-DD", show(&sv, v->value, v->len));
	return CRMF_NO_DAY;
}

/* `v` when it names a team member (or no team is declared), else NULL after
 * reporting it. */
static const char *member(struct ck *k, const crmf_node *v)
{
	const crmf_config *cfg = k->cfg;
	const char **ids, *sug;
	struct shown sv;
	char *all;

	if (!cfg->has_team || crmf_config_member(cfg, v->value))
		return v->value;
	ids = xmalloc((cfg->n_team + 1) * sizeof(*ids));
	for (size_t i = 0; i < cfg->n_team; i++)
		ids[i] = cfg->team[i].id;
	show(&sv, v->value, v->len);
	sug = crmf_suggest(v->value, ids, cfg->n_team);
	if (sug) {
		err_at(k, v, "unknown-member", "unknown team member '%s'; did you mean '%s'?", sv.s, sug);
	} else {
		all = join(ids, cfg->n_team);
		err_at(k, v, "unknown-member",
		       "unknown team member '%s'; use one of %s, or add them to 'team' in crmf.yaml",
		       sv.s, all);
		free(all);
	}
	free(ids);
	return NULL;
}

/* The number in `v`, or -1 after reporting it as an invalid `what`. */
static int number_value(struct ck *k, const crmf_node *v, const char *what, double *out)
{
	struct shown sv;
	double g;

	if (crmf_number_parse(out, v->value, v->len) == 0)
		return 0;
	show(&sv, v->value, v->len);
	if (crmf_number_guess(&g, v->value, v->len) == 0 && isfinite(g))
		err_at(k, v, "invalid-number", "invalid %s '%s'; write %.15g", what, sv.s, g);
	else
		err_at(k, v, "invalid-number", "invalid %s '%s'; write a plain number such as 500000",
		       what, sv.s);
	return -1;
}

/* A deal's amount (see CRMF_AMOUNT_MAX), or -1 after reporting it. */
static int amount_value(struct ck *k, const crmf_node *v, double *out)
{
	struct shown sv;
	int places;

	if (number_value(k, v, "amount", out) != 0)
		return -1;
	crmf_number_parse_places(out, &places, v->value, v->len);
	show(&sv, v->value, v->len);
	if (*out < 0)
		err_at(k, v, "invalid-number",
		       "amount '%s' is negative; write the amount of the deal as a positive number",
		       sv.s);
	else if (!(*out <= CRMF_AMOUNT_MAX)) /* NaN and infinity included */
		err_at(k, v, "invalid-number",
		       "amount '%s' is out of range; write an amount from 0 to %.0f", sv.s,
		       CRMF_AMOUNT_MAX);
	else if (places > CRMF_AMOUNT_DECIMALS)
		err_at(k, v, "invalid-number",
		       "amount '%s' has more than %d decimals; round it to %d", sv.s,
		       CRMF_AMOUNT_DECIMALS, CRMF_AMOUNT_DECIMALS);
	else
		return 0;
	return -1;
}

/* 1 for true, 0 for false, -1 after reporting anything else. */
static int bool_value(struct ck *k, const crmf_node *v, const char *what)
{
	struct shown sv;

	if (strcmp(v->value, "true") == 0)
		return 1;
	if (strcmp(v->value, "false") == 0)
		return 0;
	err_at(k, v, "invalid-bool", "invalid %s '%s'; write true or false", what,
	       show(&sv, v->value, v->len));
	return -1;
}


/* A small open-addressing set of strings, for linear duplicate detection. */
struct hslot {
	const char *key; /* NULL: empty */
	size_t len;
	unsigned long long hash;
	size_t who;
	const void *data;
};

struct htab {
	struct hslot *v;
	size_t mask;
};

static void htab_init(struct htab *t, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	t->v = xcalloc(cap, sizeof(*t->v));
	t->mask = cap - 1;
}

/* The slot already holding `key`, or NULL after inserting it with who/data.
 * The table must have been sized for every key put. */
static const struct hslot *htab_put(struct htab *t, const char *key, size_t len, size_t who,
				    const void *data)
{
	unsigned long long h = hash_bytes(key, len);
	size_t i = (size_t)h & t->mask;

	for (;; i = (i + 1) & t->mask) {
		struct hslot *s = &t->v[i];

		if (!s->key) {
			s->key = key;
			s->len = len;
			s->hash = h;
			s->who = who;
			s->data = data;
			return NULL;
		}
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
			return s;
	}
}

/* The checks of one file */

static const char *base_name(const char *path, size_t *len)
{
	const char *b = strrchr(path, '/');
	size_t pl;

	b = b ? b + 1 : path;
	*len = strlen(b);
	if (has_suffix(b, *len, ".yaml", &pl) || has_suffix(b, *len, ".yml", &pl))
		*len -= pl;
	return b;
}

static bool id_syntax(const char *s, size_t len)
{
	if (len < 1 || len > 64 || !ascii_alnum((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!ascii_alnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

static void check_id(struct ck *k, const crmf_pair *p)
{
	const crmf_customer *c = k->c;
	const char *base = "";
	size_t blen = 0;
	const crmf_node *v;
	struct shown sv;

	if (c->path)
		base = base_name(c->path, &blen);
	if (blen && id_syntax(base, blen))
		v = req_scalar(k, p, k->root_line, k->root_col, "missing required field 'id'; add 'id: %.*s'", (int)blen, base);
	else
		v = req_scalar(k, p, k->root_line, k->root_col,
			       "missing required field 'id'; add 'id: <the file name without .yaml>'");
	if (!v)
		return;
	show(&sv, v->value, v->len);
	if (!id_syntax(v->value, v->len)) {
		err_at(k, v, "invalid-id",
		       "invalid id '%s'; use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
		       sv.s);
		return;
	}
	k->c->id = v->value;
	if (c->path && (blen != v->len || memcmp(base, v->value, blen) != 0))
		err_at(k, v, "id-filename",
		       "id '%s' does not match the file name '%.*s'; rename the file to %s.yaml or change the id",
		       sv.s, (int)blen, base, sv.s);
}

static void check_industry(struct ck *k, const crmf_node *v)
{
	const crmf_config *cfg = k->cfg;
	const char *slash = strchr(v->value, '/');
	struct shown sv;

	show(&sv, v->value, v->len);
	if (v->value[0] == '/' || (slash && (!slash[1] || strchr(slash + 1, '/')))) {
		err_at(k, v, "invalid-industry",
		       "invalid industry '%s'; write 'sector' or 'sector/sub-sector'", sv.s);
		return;
	}
	if (cfg->has_industries) {
		const char *sug;
		char *all;

		for (size_t i = 0; i < cfg->industries.n; i++)
			if (strcmp(v->value, cfg->industries.v[i]) == 0)
				goto ok;
		sug = crmf_suggest(v->value, strlist(&cfg->industries), cfg->industries.n);
		if (sug) {
			err_at(k, v, "invalid-industry", "unknown industry '%s'; did you mean '%s'?", sv.s,
			       sug);
		} else {
			all = join(strlist(&cfg->industries), cfg->industries.n);
			err_at(k, v, "invalid-industry",
			       "unknown industry '%s'; use one of %s, or add it to 'industries' in crmf.yaml",
			       sv.s, all);
			free(all);
		}
		return;
	}
ok:
	k->c->industry = v->value;
}

/* A value of an enum of crmf.yaml; an empty list there allows anything. */
static const char *config_enum(struct ck *k, const crmf_node *v, const char *what,
			       const crmf_strlist *l)
{
	if (!l->n || enum_value(k, v, what, strlist(l), l->n) >= 0)
		return v->value;
	return NULL;
}

static void check_tags(struct ck *k, const crmf_pair *p)
{
	crmf_customer *c = k->c;
	bool wrong;
	const crmf_node *seq = sequence(k, p, &wrong);
	struct htab seen = {0};

	if (!seq)
		return;
	if (seq->n > 16)
		htab_init(&seen, seq->n);
	for (size_t i = 0; i < seq->n; i++) {
		const crmf_node *t = seq->items[i];
		struct shown sv;
		bool dup = false;

		if (t->type != CRMF_NODE_SCALAR) {
			err_at(k, t, "wrong-type", "a tag must be a single word, not a %s; write '- <tag>'",
			       kind_name(t));
			continue;
		}
		if (is_blank(t)) {
			err_at(k, t, "empty-value", "empty tag; remove it or write a word");
			continue;
		}
		if (seen.v) {
			dup = htab_put(&seen, t->value, t->len, i, t) != NULL;
		} else {
			for (size_t j = 0; j < c->n_tags && !dup; j++)
				dup = strcmp(c->tags[j], t->value) == 0;
		}
		if (dup) {
			warn_at(k, t, "duplicate-tag", "duplicate tag '%s'; remove it",
				show(&sv, t->value, t->len));
			continue;
		}
		c->tags[c->n_tags++] = t->value;
	}
	free(seen.v);
}

static void check_contact(struct ck *k, const crmf_node *map, const crmf_node **primary)
{
	crmf_contact *ct = &k->c->contacts[k->c->n_contacts++];
	const crmf_pair *f[C_N];
	const crmf_node *v, *phone, *email;
	int line, col;

	memset(ct, 0, sizeof(*ct));
	ct->node = map;
	item_pos(k, map, &line, &col);
	take_fields(k, map, R_CONTACT, f, "contact", line, col);
	if ((v = req_scalar(k, f[C_NAME], line, col,
			    "contact lacks 'name'; add 'name: <the person's name>'")))
		ct->name = v->value;
	if ((v = opt_scalar(k, f[C_TITLE])))
		ct->title = v->value;
	if ((v = phone = opt_scalar(k, f[C_PHONE]))) {
		struct shown sv;

		if (crmf_phone_valid(v->value))
			ct->phone = v->value;
		else
			err_at(k, v, "invalid-phone",
			       "invalid phone '%s'; write 7 to 20 digits, e.g. +86 138 0013 8000 or 0571-8888 8888 ext 12",
			       show(&sv, v->value, v->len));
	}
	if ((v = email = opt_scalar(k, f[C_EMAIL]))) {
		struct shown sv;

		if (crmf_email_valid(v->value))
			ct->email = v->value;
		else
			err_at(k, v, "invalid-email",
			       "invalid email '%s'; write it as name@example.com",
			       show(&sv, v->value, v->len));
	}
	/* a phone or email present but invalid was reported already */
	if (!phone && !email && !(f[C_PHONE] && f[C_PHONE]->value->type != CRMF_NODE_SCALAR) &&
	    !(f[C_EMAIL] && f[C_EMAIL]->value->type != CRMF_NODE_SCALAR))
		err_pos(k, line, col, "contact-reach",
			"contact has neither 'phone' nor 'email'; add at least one");
	if ((v = opt_scalar(k, f[C_PRIMARY])) && bool_value(k, v, "primary") == 1) {
		ct->primary = true;
		if (*primary)
			err_at(k, v, "multiple-primary",
			       "more than one primary contact (the first is at line %d); keep 'primary: true' on one contact only",
			       (*primary)->line);
		else
			*primary = v;
	}
}

static void check_contacts(struct ck *k, const crmf_pair *p)
{
	bool wrong;
	const crmf_node *seq = sequence(k, p, &wrong), *primary = NULL;

	if (wrong)
		return;
	if (!seq || seq->n == 0) {
		if (p)
			err_at(k, p->key, "missing-field",
			       "'contacts' is empty; add at least one contact with name and phone or email");
		else
			err_pos(k, k->root_line, k->root_col, "missing-field",
				"missing required field 'contacts'; add at least one contact with name and phone or email");
		return;
	}
	for (size_t i = 0; i < seq->n; i++) {
		const crmf_node *it = seq->items[i];

		if (it->type != CRMF_NODE_MAPPING) {
			err_at(k, it, "wrong-type",
			       "a contact must be a mapping, not a %s; write '- name: …' with phone or email below",
			       kind_name(it));
			continue;
		}
		check_contact(k, it, &primary);
	}
}

static void check_need(struct ck *k, const crmf_pair *p)
{
	crmf_customer *c = k->c;
	const crmf_node *map = mapping(k, p), *v;
	const crmf_pair *f[N_N];
	int line, col;

	if (!map) {
		if (p && p->value->type != CRMF_NODE_SCALAR)
			return; /* reported as a wrong type */
		if (p && !crmf_node_is_null(p->value))
			return;
		if (p)
			err_at(k, p->key, "missing-field",
			       "'need' is empty; add 'type' and 'description' below it");
		else
			err_pos(k, k->root_line, k->root_col, "missing-field",
				"missing required field 'need'; add 'need:' with 'type' and 'description'");
		return;
	}
	/* the reader sees the `need:` key as the mapping lacking something */
	line = p->key->line;
	col = p->key->column;
	take_fields(k, map, R_NEED, f, "need", line, col);
	if ((v = req_scalar(k, f[N_TYPE], line, col,
			    "'need' lacks 'type'; add 'type: <what the customer needs>'")))
		c->need_type = v->value;
	if ((v = req_scalar(k, f[N_DESCRIPTION], line, col,
			    "'need' lacks 'description'; add 'description: <the need in one sentence>'")))
		c->need_description = v->value;
	if ((v = opt_scalar(k, f[N_BUDGET])))
		c->need_budget = v->value;
	if ((v = opt_scalar(k, f[N_TIMELINE])))
		c->need_timeline = v->value;
}

static void check_deal(struct ck *k, const crmf_node *map)
{
	crmf_deal *d = &k->c->deals[k->c->n_deals++];
	const crmf_pair *f[D_N];
	const crmf_node *v, *signed_node = NULL;
	int line, col;

	memset(d, 0, sizeof(*d));
	d->node = map;
	d->signed_on = d->expires = CRMF_NO_DAY;
	item_pos(k, map, &line, &col);
	take_fields(k, map, R_DEAL, f, "deal", line, col);
	if ((v = req_scalar(k, f[D_AMOUNT], line, col, "deal lacks 'amount'; add 'amount: <number>'"))) {
		double a;

		if (amount_value(k, v, &a) == 0)
			d->amount = a;
	}
	if ((signed_node = req_scalar(k, f[D_SIGNED], line, col,
				      "deal lacks 'signed'; add 'signed: YYYY-MM-DD'")))
		d->signed_on = date_value(k, signed_node);
	if ((v = opt_scalar(k, f[D_EXPIRES]))) {
		crmf_day e = date_value(k, v);

		if (e != CRMF_NO_DAY && d->signed_on != CRMF_NO_DAY && e < d->signed_on)
			err_at(k, v, "expires-before-signed",
			       "expiry date '%s' is before the signing date '%s'; correct one of them",
			       v->value, signed_node->value);
		else
			d->expires = e;
	}
}

static void check_followup(struct ck *k, const crmf_node *map)
{
	crmf_followup *u = &k->c->followups[k->c->n_followups++];
	const crmf_pair *f[U_N];
	const crmf_node *v, *date_node;
	int line, col;
	struct shown sv;

	memset(u, 0, sizeof(*u));
	u->node = map;
	u->date = u->due = CRMF_NO_DAY;
	u->minute = -1;
	item_pos(k, map, &line, &col);
	take_fields(k, map, R_FOLLOWUP, f, "follow-up", line, col);
	if ((date_node = req_scalar(k, f[U_DATE], line, col,
				    "follow-up lacks 'date'; add 'date: YYYY-MM-DD'"))) {
		show(&sv, date_node->value, date_node->len);
		if (crmf_datetime_parse(&u->date, &u->minute, date_node->value, date_node->len) < 0) {
			u->date = CRMF_NO_DAY;
			u->minute = -1;
			err_at(k, date_node, "invalid-date",
			       "invalid date '%s'; write YYYY-MM-DD or YYYY-MM-DD HH:MM", sv.s);
		} else if (k->today != CRMF_NO_DAY && u->date > k->today) {
			warn_at(k, date_node, "followup-future",
				"follow-up date '%s' is in the future; record follow-ups once they happen, and plan with 'next' and 'due'",
				sv.s);
		}
	}
	if ((v = req_scalar(k, f[U_BY], line, col, "follow-up lacks 'by'; add 'by: <team member>'")))
		u->by = member(k, v);
	if ((v = req_scalar(k, f[U_METHOD], line, col,
			    "follow-up lacks 'method'; add 'method:' with one of phone, visit, email, meeting, wechat, other")) &&
	    enum_value(k, v, "method", method_names, COUNT(method_names)) >= 0)
		u->method = v->value;
	if ((v = opt_scalar(k, f[U_WITH])))
		u->with = v->value;
	if ((v = req_scalar(k, f[U_SUMMARY], line, col,
			    "follow-up lacks 'summary'; add 'summary:' saying what was discussed"))) {
		u->summary = v->value;
		if (crmf_summary_vague(v->value, v->len))
			warn_at(k, v, "vague-summary",
				"summary '%s' is too vague; write what was discussed and what the customer said",
				show(&sv, v->value, v->len));
	}
	if ((v = opt_scalar(k, f[U_FEEDBACK])))
		u->feedback = v->value;
	if ((v = opt_scalar(k, f[U_NEXT])))
		u->next = v->value;
	if ((v = opt_scalar(k, f[U_DUE]))) {
		crmf_day due = date_value(k, v);

		if (due != CRMF_NO_DAY && u->date != CRMF_NO_DAY && due < u->date) {
			err_at(k, v, "due-before-date",
			       "due date '%s' is before the follow-up date '%.10s'; set it on or after that date",
			       v->value, date_node->value);
		} else {
			u->due = due;
		}
		if (!u->next)
			warn_at(k, v, "due-without-next",
				"'due' without 'next'; add 'next:' saying what is due");
	}
}

/* Checks the items of a list of mappings with `fn`. */
static void check_items(struct ck *k, const crmf_pair *p, const char *what,
			void (*fn)(struct ck *, const crmf_node *))
{
	bool wrong;
	const crmf_node *seq = sequence(k, p, &wrong);

	if (!seq)
		return;
	for (size_t i = 0; i < seq->n; i++) {
		const crmf_node *it = seq->items[i];

		if (it->type == CRMF_NODE_MAPPING)
			fn(k, it);
		else
			err_at(k, it, "wrong-type",
			       "a %s must be a mapping, not a %s; write its fields as 'key: value' after '- '",
			       what, kind_name(it));
	}
}

static void check_custom(struct ck *k, const crmf_field_def *def, const crmf_pair *p)
{
	const crmf_node *v;
	double num;
	bool wrong;

	if (def->type == CRMF_FT_LIST) {
		const crmf_node *seq = sequence(k, p, &wrong);

		if (!seq)
			goto empty;
		if (seq->n == 0)
			goto empty;
		for (size_t i = 0; i < seq->n; i++) {
			const crmf_node *it = seq->items[i];

			if (it->type != CRMF_NODE_SCALAR)
				err_at(k, it, "wrong-type",
				       "an item of '%s' must be a single value, not a %s", def->name,
				       kind_name(it));
			else if (is_blank(it))
				err_at(k, it, "empty-value", "empty item in '%s'; remove it or write a value",
				       def->name);
		}
		return;
	}
	v = scalar(k, p, &wrong);
	if (wrong)
		return;
	if (!v)
		goto empty;
	switch (def->type) {
	case CRMF_FT_DATE:
		date_value(k, v);
		break;
	case CRMF_FT_NUMBER:
		if (number_value(k, v, def->name, &num) == 0 && !(fabs(num) <= CRMF_NUMBER_MAX)) {
			struct shown sv;

			err_at(k, v, "invalid-number",
			       "%s '%s' is out of range; write a number from %.0f to %.0f", def->name,
			       show(&sv, v->value, v->len), -CRMF_NUMBER_MAX, CRMF_NUMBER_MAX);
		}
		break;
	case CRMF_FT_BOOL:
		bool_value(k, v, def->name);
		break;
	case CRMF_FT_ENUM:
		if (def->values.n)
			enum_value(k, v, def->name, strlist(&def->values), def->values.n);
		break;
	default:
		break;
	}
	return;
empty:
	if (def->required && !wrong)
		err_at(k, p->key, "missing-field", "required field '%s' is empty; write a %s value",
		       def->name, field_type_names[def->type]);
}

static void unknown_top(struct ck *k, const crmf_pair *p)
{
	const struct rec *r = rec_of(R_TOP);
	const crmf_config *cfg = k->cfg;
	const char **names, *sug;
	struct shown sv;

	names = xmalloc((r->n + cfg->n_fields) * sizeof(*names));
	memcpy(names, r->names, r->n * sizeof(*names));
	for (size_t i = 0; i < cfg->n_fields; i++)
		names[r->n + i] = cfg->fields[i].name;
	sug = suggest_key(p->key->value, names, r->n + cfg->n_fields, r);
	show(&sv, p->key->value, p->key->len);
	if (sug)
		err_at(k, p->key, "unknown-field", "unknown field '%s'; did you mean '%s'?", sv.s, sug);
	else
		err_at(k, p->key, "unknown-field",
		       "unknown field '%s'; remove it or declare it under 'fields' in crmf.yaml", sv.s);
	free(names);
}

static size_t round_up(size_t n)
{
	size_t a = _Alignof(max_align_t);

	return (n + a - 1) / a * a;
}

static size_t seq_len(const crmf_pair *p)
{
	return p && p->value->type == CRMF_NODE_SEQUENCE ? p->value->n : 0;
}

int crmf_check_customer(crmf_customer **out, crmf_doc *doc, const char *relpath,
			const crmf_config *cfg, crmf_day today, crmf_diags *diags)
{
	const crmf_pair *f[F_N] = {0};
	const struct rec *top = rec_of(R_TOP);
	const crmf_node *root, *v;
	size_t o_contacts, o_deals, o_followups, o_tags, size;
	crmf_customer *c;
	struct ck k;
	char *block;
	int i;

	*out = NULL;
	if (!doc)
		return -1;
	root = doc->root;
	if (!root || root->type != CRMF_NODE_MAPPING) {
		crmf_doc_free(doc); /* the parser has said why */
		return -1;
	}
	for (size_t j = 0; j < root->n; j++)
		if ((i = find_key_n(root->pairs[j].key->value, root->pairs[j].key->len, top->names,
				    top->n)) >= 0 &&
		    top->slot[i] >= 0)
			f[top->slot[i]] = &root->pairs[j];

	/* one allocation holds the record and all its arrays */
	o_contacts = round_up(sizeof(*c));
	o_deals = o_contacts + round_up(seq_len(f[F_CONTACTS]) * sizeof(crmf_contact));
	o_followups = o_deals + round_up(seq_len(f[F_DEALS]) * sizeof(crmf_deal));
	o_tags = o_followups + round_up(seq_len(f[F_FOLLOWUPS]) * sizeof(crmf_followup));
	size = o_tags + seq_len(f[F_TAGS]) * sizeof(const char *);
	block = xmalloc(size);
	c = (crmf_customer *)(void *)block;
	memset(c, 0, sizeof(*c));
	c->contacts = (crmf_contact *)(void *)(block + o_contacts);
	c->deals = (crmf_deal *)(void *)(block + o_deals);
	c->followups = (crmf_followup *)(void *)(block + o_followups);
	c->tags = (const char **)(void *)(block + o_tags);
	c->created = CRMF_NO_DAY;
	c->doc = doc;
	if (relpath || doc->path)
		c->path = xstrdup(relpath ? relpath : doc->path);
	c->archived = c->path && strncmp(c->path, "archive/", 8) == 0;

	k.c = c;
	k.cfg = cfg;
	k.diags = diags;
	k.path = c->path;
	k.src = doc->src;
	k.today = today;
	k.root_line = root->line;
	k.root_col = root->column;

	check_id(&k, f[F_ID]);
	if ((v = req_scalar(&k, f[F_NAME], k.root_line, k.root_col,
			    "missing required field 'name'; add 'name: <the company's full legal name>'")))
		c->name = v->value;
	if ((v = req_scalar(&k, f[F_INDUSTRY], k.root_line, k.root_col,
			    "missing required field 'industry'; add 'industry: <sector>/<sub-sector>'")))
		check_industry(&k, v);
	if ((v = req_scalar(&k, f[F_SIZE], k.root_line, k.root_col,
			    "missing required field 'size'; add 'size:' with one of the sizes of crmf.yaml")))
		c->size = config_enum(&k, v, "size", &cfg->sizes);
	if ((v = req_scalar(&k, f[F_SOURCE], k.root_line, k.root_col,
			    "missing required field 'source'; add 'source:' saying where the lead came from")))
		c->source = config_enum(&k, v, "source", &cfg->sources);
	if ((v = req_scalar(&k, f[F_CREATED], k.root_line, k.root_col,
			    "missing required field 'created'; add 'created: YYYY-MM-DD'"))) {
		c->created = date_value(&k, v);
		if (c->created != CRMF_NO_DAY && today != CRMF_NO_DAY && c->created > today)
			warn_at(&k, v, "future-date",
				"creation date '%s' is in the future; write the day the record was created",
				v->value);
	}
	if ((v = req_scalar(&k, f[F_OWNER], k.root_line, k.root_col,
			    "missing required field 'owner'; add 'owner: <team member>'")))
		c->owner = member(&k, v);
	if ((v = req_scalar(&k, f[F_STAGE], k.root_line, k.root_col,
			    "missing required field 'stage'; add 'stage:' with one of lead, intent, negotiation, customer, at-risk, lost")) &&
	    (i = enum_value(&k, v, "stage", stage_names, COUNT(stage_names))) >= 0)
		c->stage = (crmf_stage)(i + 1);
	if ((v = opt_scalar(&k, f[F_POTENTIAL])) &&
	    (i = enum_value(&k, v, "potential", potential_names, COUNT(potential_names))) >= 0)
		c->potential = (crmf_potential)(i + 1);
	if ((v = opt_scalar(&k, f[F_GRADE])) &&
	    (i = enum_value(&k, v, "grade", grade_names, COUNT(grade_names))) >= 0)
		c->grade = grade_names[i][0];
	check_tags(&k, f[F_TAGS]);
	check_contacts(&k, f[F_CONTACTS]);
	check_need(&k, f[F_NEED]);
	check_items(&k, f[F_DEALS], "deal", check_deal);
	check_items(&k, f[F_FOLLOWUPS], "follow-up", check_followup);

	for (size_t j = 0; j < root->n; j++) {
		const crmf_pair *p = &root->pairs[j];
		const crmf_field_def *def;

		i = find_key_n(p->key->value, p->key->len, top->names, top->n);
		if (i >= 0 && top->slot[i] >= 0)
			continue;
		if (i >= 0)
			check_custom(&k, &top->plain[-1 - top->slot[i]], p);
		else if ((def = crmf_config_field(cfg, p->key->value)))
			check_custom(&k, def, p);
		else
			unknown_top(&k, p);
	}
	for (size_t j = 0; j < top->n_plain; j++)
		if (top->plain[j].required && !crmf_node_pair(root, top->plain[j].name))
			err_pos(&k, k.root_line, k.root_col, "missing-field",
				"missing required field '%s'; add '%s:' with a %s value",
				top->plain[j].name, top->plain[j].name,
				field_type_names[top->plain[j].type]);
	for (size_t j = 0; j < cfg->n_fields; j++) {
		const crmf_field_def *def = &cfg->fields[j];

		if (def->required && find_key(def->name, top->names, top->n) < 0 &&
		    !crmf_node_pair(root, def->name))
			err_pos(&k, k.root_line, k.root_col, "missing-field",
				"missing required field '%s'; add '%s:' with a %s value", def->name,
				def->name, field_type_names[def->type]);
	}
	*out = c;
	return c->errors ? -1 : 0;
}


void crmf_customer_free(crmf_customer *c)
{
	if (!c)
		return;
	free(c->path);
	crmf_doc_free(c->doc);
	free(c); /* the arrays share the record's allocation */
}

const char *crmf_stage_name(crmf_stage s)
{
	return s > CRMF_STAGE_NONE && s <= CRMF_STAGE_LOST ? stage_names[s - 1] : NULL;
}

const char *crmf_potential_name(crmf_potential p)
{
	return p > CRMF_POTENTIAL_NONE && p <= CRMF_POTENTIAL_LOW ? potential_names[p - 1] : NULL;
}

crmf_stage crmf_stage_parse(const char *s)
{
	int i = s ? find_key(s, stage_names, COUNT(stage_names)) : -1;

	return i < 0 ? CRMF_STAGE_NONE : (crmf_stage)(i + 1);
}

crmf_potential crmf_potential_parse(const char *s)
{
	int i = s ? find_key(s, potential_names, COUNT(potential_names)) : -1;

	return i < 0 ? CRMF_POTENTIAL_NONE : (crmf_potential)(i + 1);
}
