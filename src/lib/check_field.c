/* SPDX-License-Identifier: MIT */
/* A customer file's fields: the field table read per record, values read against their type with what is wrong reported, custom and plain fields. */
#include "check_private.h"
#include "crmf/crypt.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "values.h"

/* The slots' names: each is a row of the table (else every check of it fails). */
static const char *const coded_top[F_N] = {
	"id", "name", "industry", "size", "source", "created", "owner", "stage",
	"potential", "grade", "tags", "contacts", "need", "deals", "followups",
};
static const char *const coded_contact[C_N] = {"name", "title", "phone", "email", "primary",
						    "left"};
static const char *const coded_need[N_N] = {"type", "description", "budget", "timeline"};
static const char *const coded_deal[D_N] = {"amount", "signed", "expires"};
static const char *const coded_followup[U_N] = {
	"date", "by", "method", "with", "summary", "feedback", "next", "due",
};

static struct rec recs[R_N] = {
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
			if (strlen(recs[r].parent) == plen &&
			    !strncmp(recs[r].parent, t[i].path, plen))
				add_row(&recs[r], &t[i]);
	}
}

const struct rec *ck_rec(int r)
{
	pthread_once(&recs_once, load_recs);
	return &recs[r];
}

/* Reporting */

void ck_vreport(struct ck *k, crmf_severity sev, int line, int col, const char *rule,
		const char *fmt, va_list ap)
{
	char *msg = xvasprintf(crmf_tr(fmt), ap);

	crmf_diags_add(k->diags, sev, k->path, line, col, rule, "%s", msg);
	free(msg);
	if (sev == CRMF_SEV_ERROR)
		k->c->errors++;
}

__attribute__((format(printf, 5, 6)))
void ck_err_pos(struct ck *k, int line, int col, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ck_vreport(k, CRMF_SEV_ERROR, line, col, rule, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 4, 5)))
void ck_err_at(struct ck *k, const crmf_node *n, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ck_vreport(k, CRMF_SEV_ERROR, n->line, n->column, rule, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 4, 5)))
void ck_warn_at(struct ck *k, const crmf_node *n, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ck_vreport(k, CRMF_SEV_WARNING, n->line, n->column, rule, fmt, ap);
	va_end(ap);
}

const char *ck_show(struct shown *b, const char *s, size_t len)
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
char *ck_join(const char *const *v, size_t n)
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

const char *ck_kind_name(const crmf_node *n)
{
	switch (n->type) {
	case CRMF_NODE_MAPPING:
		return crmf_tr("mapping");
	case CRMF_NODE_SEQUENCE:
		return crmf_tr("list");
	default:
		return crmf_tr("single value");
	}
}

/* Where a missing field is reported when the mapping lacking it is a list item:
 * at its `- ` marker, which is what the reader sees as "the item". */
void ck_item_pos(const struct ck *k, const crmf_node *n, int *line, int *col)
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

/* A required scalar: when absent or empty, the message `fmt` goes at its key,
 * or at line:col (the mapping lacking it) when there is no key. */
__attribute__((format(printf, 5, 6)))
const crmf_node *ck_req_scalar(struct ck *k, const crmf_pair *p, int line, int col,
			       const char *fmt, ...)
{
	bool wrong;
	const crmf_node *v = scalar(k, p, &wrong);
	va_list ap;

	if (v || wrong)
		return v;
	va_start(ap, fmt);
	if (p)
		ck_vreport(k, CRMF_SEV_ERROR, p->key->line, p->key->column, "missing-field", fmt, ap);
	else
		ck_vreport(k, CRMF_SEV_ERROR, line, col, "missing-field", fmt, ap);
	va_end(ap);
	return NULL;
}

/* The value of `p` when it is a mapping (NULL and reported otherwise; NULL
 * silently when absent or empty). */
const crmf_node *ck_mapping(struct ck *k, const crmf_pair *p)
{
	const crmf_node *v;

	if (!p)
		return NULL;
	v = p->value;
	if (v->type == CRMF_NODE_MAPPING)
		return v;
	if (v->type == CRMF_NODE_SCALAR && crmf_node_is_null(v))
		return NULL;
	ck_err_at(k, v, "wrong-type",
		  "'%s' must be a mapping, not a %s; write its fields indented below '%s:'",
		  p->key->value, ck_kind_name(v), p->key->value);
	return NULL;
}

/* The value of `p` when it is a sequence; an empty value is an empty list. */
const crmf_node *ck_sequence(struct ck *k, const crmf_pair *p, bool *wrong)
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
	ck_err_at(k, v, "wrong-type", "'%s' must be a list, not a %s; start each item with '- '",
		  p->key->value, ck_kind_name(v));
	return NULL;
}

/* The field of `names` that the unknown key `word` of record `r` probably means, or NULL. */
const char *ck_suggest_key(const char *word, const char *const *names, size_t n,
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

/* Sort the pairs of `map`, a record of kind `rec`, into slots by key, check
 * its fields without code and report keys that are not its fields; line:col
 * is where a missing field is reported. */
void ck_take_fields(struct ck *k, const crmf_node *map, int rec, const crmf_pair **slots,
		    const char *what, int line, int col)
{
	const struct rec *r = ck_rec(rec);

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
			ck_custom(k, &r->plain[-1 - r->slot[f]], p);
			continue;
		}
		sug = ck_suggest_key(p->key->value, r->names, r->n, r);
		ck_show(&sv, p->key->value, p->key->len);
		if (sug) {
			ck_err_at(k, p->key, "unknown-field", "unknown %s field '%s'; did you mean '%s'?",
				  what, sv.s, sug);
			continue;
		}
		all = ck_join(r->names, r->n);
		ck_err_at(k, p->key, "unknown-field", "unknown %s field '%s'; use one of %s", what, sv.s,
			  all);
		free(all);
	}
	for (size_t i = 0; i < r->n_plain; i++)
		if (r->plain[i].required && !crmf_node_pair(map, r->plain[i].name))
			ck_err_pos(k, line, col, "missing-field", "%s lacks '%s'; add '%s:' with a %s value",
				   what, r->plain[i].name, r->plain[i].name,
				   crmf_field_type_name(r->plain[i].type));
}

/* The index of `s` in `v`, or -1 after reporting it as an invalid `what`. */
int ck_enum(struct ck *k, const crmf_node *s, const char *what, const char *const *v,
	    size_t n)
{
	const char *sug;
	struct shown sv;
	char *all;

	for (size_t i = 0; i < n; i++)
		if (strcmp(s->value, v[i]) == 0)
			return (int)i;
	ck_show(&sv, s->value, s->len);
	sug = crmf_suggest(s->value, v, n);
	if (sug) {
		ck_err_at(k, s, "invalid-enum", "invalid %s '%s'; did you mean '%s'?", what, sv.s, sug);
		return -1;
	}
	all = ck_join(v, n);
	ck_err_at(k, s, "invalid-enum", "invalid %s '%s'; use one of %s", what, sv.s, all);
	free(all);
	return -1;
}

crmf_day ck_date(struct ck *k, const crmf_node *v)
{
	crmf_day d;
	struct shown sv;

	if (crmf_date_parse(&d, v->value, v->len) == 0)
		return d;
	ck_err_at(k, v, "invalid-date", "invalid date '%s'; write YYYY-MM-DD", ck_show(&sv, v->value, v->len));
	return CRMF_NO_DAY;
}

/* `v` when it names a team member (or no team is declared), else NULL after
 * reporting it. */
const char *ck_member(struct ck *k, const crmf_node *v)
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
	ck_show(&sv, v->value, v->len);
	sug = crmf_suggest(v->value, ids, cfg->n_team);
	if (sug) {
		ck_err_at(k, v, "unknown-member", "unknown team member '%s'; did you mean '%s'?", sv.s, sug);
	} else {
		all = ck_join(ids, cfg->n_team);
		ck_err_at(k, v, "unknown-member",
			  "unknown team member '%s'; use one of %s, or add them to 'team' in crmf.yaml",
			  sv.s, all);
		free(all);
	}
	free(ids);
	return NULL;
}

/* The number in `v`, or -1 after reporting it as an invalid `what`. */
int ck_number(struct ck *k, const crmf_node *v, const char *what, double *out)
{
	struct shown sv;
	double g;

	if (crmf_number_parse(out, v->value, v->len) == 0)
		return 0;
	ck_show(&sv, v->value, v->len);
	if (crmf_number_guess(&g, v->value, v->len) == 0 && isfinite(g))
		ck_err_at(k, v, "invalid-number", "invalid %s '%s'; write %.15g", what, sv.s, g);
	else
		ck_err_at(k, v, "invalid-number", "invalid %s '%s'; write a plain number such as 500000",
			  what, sv.s);
	return -1;
}

/* A deal's amount (see CRMF_AMOUNT_MAX), or -1 after reporting it. */
int ck_amount(struct ck *k, const crmf_node *v, double *out)
{
	struct shown sv;
	int places;

	if (ck_number(k, v, "amount", out) != 0)
		return -1;
	crmf_number_parse_places(out, &places, v->value, v->len);
	ck_show(&sv, v->value, v->len);
	if (*out < 0)
		ck_err_at(k, v, "invalid-number",
			  "amount '%s' is negative; write the amount of the deal as a positive number",
			  sv.s);
	else if (!(*out <= CRMF_AMOUNT_MAX)) /* NaN and infinity included */
		ck_err_at(k, v, "invalid-number",
			  "amount '%s' is out of range; write an amount from 0 to %.0f", sv.s,
			  CRMF_AMOUNT_MAX);
	else if (places > CRMF_AMOUNT_DECIMALS)
		ck_err_at(k, v, "invalid-number",
			  "amount '%s' has more than %d decimals; round it to %d", sv.s,
			  CRMF_AMOUNT_DECIMALS, CRMF_AMOUNT_DECIMALS);
	else
		return 0;
	return -1;
}

/* 1 for true, 0 for false, -1 after reporting anything else. */
int ck_bool(struct ck *k, const crmf_node *v, const char *what)
{
	struct shown sv;

	if (strcmp(v->value, "true") == 0)
		return 1;
	if (strcmp(v->value, "false") == 0)
		return 0;
	ck_err_at(k, v, "invalid-bool", "invalid %s '%s'; write true or false", what,
		  ck_show(&sv, v->value, v->len));
	return -1;
}

int ck_confidential(struct ck *k, const crmf_node *v, const char *field)
{
	crmf_token t;
	const char *why;

	if (!k->cfg->has_confidential || !crmf_config_confidential(k->cfg, field))
		return 0;
	if (!crmf_token_like(v->value)) {
		ck_warn_at(k, v, "plain-confidential",
			   "%s is confidential but written in plain text; 'crmf check --fix' encrypts it",
			   field);
		return 0;
	}
	if (crmf_token_parse(&t, v->value, &why) != 0) {
		ck_err_at(k, v, "bad-encrypted", "%s: %s", field, why);
		return -1;
	}
	return 1;
}

void ck_custom(struct ck *k, const crmf_field_def *def, const crmf_pair *p)
{
	const crmf_node *v;
	double num;
	bool wrong;

	if (def->type == CRMF_FT_LIST) {
		const crmf_node *seq = ck_sequence(k, p, &wrong);

		if (!seq)
			goto empty;
		if (seq->n == 0)
			goto empty;
		for (size_t i = 0; i < seq->n; i++) {
			const crmf_node *it = seq->items[i];

			if (it->type != CRMF_NODE_SCALAR)
				ck_err_at(k, it, "wrong-type",
					  "an item of '%s' must be a single value, not a %s", def->name,
					  ck_kind_name(it));
			else if (is_blank(it))
				ck_err_at(k, it, "empty-value", "empty item in '%s'; remove it or write a value",
					  def->name);
		}
		return;
	}
	v = scalar(k, p, &wrong);
	if (wrong)
		return;
	if (!v)
		goto empty;
	if (k->cfg->has_confidential && ck_confidential(k, v, def->name) != 0)
		return;
	switch (def->type) {
	case CRMF_FT_DATE:
		ck_date(k, v);
		break;
	case CRMF_FT_NUMBER:
		if (ck_number(k, v, def->name, &num) == 0 && !(fabs(num) <= CRMF_NUMBER_MAX)) {
			struct shown sv;

			ck_err_at(k, v, "invalid-number",
				  "%s '%s' is out of range; write a number from %.0f to %.0f", def->name,
				  ck_show(&sv, v->value, v->len), -CRMF_NUMBER_MAX, CRMF_NUMBER_MAX);
		}
		break;
	case CRMF_FT_BOOL:
		ck_bool(k, v, def->name);
		break;
	case CRMF_FT_ENUM:
		if (def->values.n)
			ck_enum(k, v, def->name, strlist(&def->values), def->values.n);
		break;
	default:
		break;
	}
	return;
empty:
	if (def->required && !wrong) {
		char *hint = ck_value_hint(def);

		ck_err_at(k, p->key, "missing-field", "required field '%s' is empty; write %s",
			  def->name, hint);
		free(hint);
	}
}

char *ck_value_hint(const crmf_field_def *def)
{
	strbuf sb = STRBUF_INIT;
	char *all;

	if (def->type != CRMF_FT_ENUM || !def->values.n) {
		sb_addf(&sb, crmf_tr("a %s value"), crmf_field_type_name(def->type));
		return sb_detach(&sb);
	}
	all = ck_join(strlist(&def->values), def->values.n);
	sb_addf(&sb, crmf_tr("one of %s"), all);
	free(all);
	return sb_detach(&sb);
}

void ck_unknown_top(struct ck *k, const crmf_pair *p)
{
	const struct rec *r = ck_rec(R_TOP);
	const crmf_config *cfg = k->cfg;
	const char **names, *sug;
	struct shown sv;

	names = xmalloc((r->n + cfg->n_fields) * sizeof(*names));
	memcpy(names, r->names, r->n * sizeof(*names));
	for (size_t i = 0; i < cfg->n_fields; i++)
		names[r->n + i] = cfg->fields[i].name;
	sug = ck_suggest_key(p->key->value, names, r->n + cfg->n_fields, r);
	ck_show(&sv, p->key->value, p->key->len);
	if (sug)
		ck_err_at(k, p->key, "unknown-field", "unknown field '%s'; did you mean '%s'?", sv.s, sug);
	else
		ck_err_at(k, p->key, "unknown-field",
			  "unknown field '%s'; remove it or declare it under 'fields' in crmf.yaml", sv.s);
	free(names);
}

