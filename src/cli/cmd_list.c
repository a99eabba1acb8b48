/* SPDX-License-Identifier: MIT */
/* crmf list: one row per customer, with stored and computed fields, filtered, sorted or counted. */
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "crmf/fields.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'w', 0, "where", "EXPR",
     N_("only customers matching EXPR (see doc/where.md), e.g.\n"
     "'stage in (intent, negotiation) and last_contact < today - 30d'")},
    {'s', 0, "sort", "KEYS",
     N_("comma-separated fields, '-' before one for descending\n"
     "(e.g. -potential,next_due); ties are broken by id")},
    {'c', 0, "columns", "LIST",
     N_("comma-separated fields to show; default\n"
     "id,name,owner,stage,potential,grade,quadrant,last_contact,next_due")},
    {'n', 0, "count-by", "FIELD", N_("count customers per value of FIELD instead of listing them")},
    {'t', 0, "today", "DATE", N_("the date the computed fields are relative to (YYYY-MM-DD)")},
    {'a', 0, "archived", NULL, N_("only archived customers")},
    {'A', 0, "all", NULL, N_("active and archived customers")},
    {'f', 0, "format", "FMT", N_("table (default), json, csv or tsv")},
    {'E', 0, "excel", NULL, N_("CSV for Excel and WPS: a byte-order mark, formulas defused")},
    {'W', 0, "wide", NULL, N_("a table with every column whole, whatever the terminal")},
    {'N', 0, "no-cache", NULL, N_("check every file again, ignoring the validation cache")},
    {0},
};

const struct crmf_cmd cmd_list = {
    .name = "list",
    .run = run,
    .summary = N_("list customers with stored and computed fields, filter, sort, count"),
    .synopsis = "[--where EXPR] [--sort KEYS] [--columns LIST] [--count-by FIELD]\n"
		"    [--today DATE] [--archived | --all] [--format table|json|csv|tsv]\n"
		"    [--excel] [--wide] [--no-cache]",
    .description = N_("One row per customer (archived ones left out unless asked for), sorted by id.\n"
		   "Fields are the stored ones, dotted for nested values (need.type,\n"
		   "contacts.email: one value per contact), custom fields of crmf.yaml, and the\n"
		   "computed ones: last_contact, activity, value, value_sum, quadrant, next_due,\n"
		   "overdue_days, kind, reason, path, archived. Tables show the labels of\n"
		   "crmf.yaml; json, csv and tsv keep the canonical values (see doc/output.md).\n"),
    .opts = options,
    .notes = N_("exit status: 0 success, 2 usage or repository error\n"),
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fields ---- */

typedef enum { T_TEXT, T_NUMBER, T_DATE, T_BOOL } ftype;

#define N_COMPUTED CRMF_N_COMPUTED

static const char *const activity_order[] = {"active", "dormant", "lost"};
static const char *const value_order[] = {"high", "low"};
static const char *const quadrant_order[] = {"core", "win-back", "develop", "watch"};
static const char *const kind_order[] = {"next-action", "first-contact", "cadence"};

/* A field named on the command line or in --where, resolved against the schema. */
struct field {
	const char *name; /* as written */
	size_t len;
	int comp;	  /* computed field, or -1 for a stored one */
	int fu;		  /* crmf followups: a field of the follow-up (crmf_fu_field), or -1 */
	ftype type;
	bool record, multi;
	const char *const *order; /* values of an enumerated field in their order */
	size_t n_order;
	bool rank_desc;		  /* order[0] ranks highest: potential high > medium > low */
	bool collate;		  /* text sorted by the collation (pinyin), see sort_key */
	char label_field[64];	 /* key of crmf.yaml `labels`: the last part of the name */
	bool desc;		 /* --sort: descending */
	bool by_value;		 /* --count-by: rows in the order of the values (week, month) */
};

/* Which command runs: crmf list (one row per customer) or crmf followups
 * (one row per follow-up, with its customer's fields). */
static const struct crmf_cmd *the_cmd = &cmd_list;
static bool fu_mode;

static int computed_index(const char *name, size_t len)
{
	return crmf_computed_find(name, len);
}

static void set_order(struct field *f, const char *const *v, size_t n)
{
	f->order = v;
	f->n_order = n;
}

/* Which columns a narrow terminal leaves out, in what order (0: never). A
 * follow-up row gives up its customer's stage, then owner, then its next
 * action, so that the summary keeps the rest of the line. */
static int drop_order(const char *label_field)
{
	static const char *const order[] = {"quadrant", "activity", "value", "grade", "potential"};
	static const int rank[] = {1, 1, 1, 2, 3};

	if (fu_mode && !strcmp(label_field, "stage"))
		return 1;
	if (fu_mode && !strcmp(label_field, "owner"))
		return 2;
	if (fu_mode && (!strcmp(label_field, "next") || !strcmp(label_field, "due")))
		return 3;
	for (size_t i = 0; i < N_OF(order); i++)
		if (!strcmp(label_field, order[i]))
			return rank[i] + (fu_mode ? 3 : 0);
	return 0;
}

/* The ids of the declared team, in their order, while the command runs. */
static const char **team_ids;

static int resolve_schema(struct field *f, const crmf_config *cfg, const char *name, size_t len);

/* Resolve `len` bytes of `name`: 0, or -1 when no such field exists. */
static int resolve(struct field *f, const crmf_config *cfg, const char *name, size_t len)
{
	const char *const *v;
	size_t n;
	bool d;

	if (resolve_schema(f, cfg, name, len) != 0)
		return -1;
	if (f->order && crmf_config_values(cfg, f->label_field, &v, &n, &d))
		f->rank_desc = d;
	f->collate = f->type == T_TEXT && !f->order;
	return 0;
}

static int resolve_schema(struct field *f, const crmf_config *cfg, const char *name, size_t len)
{
	const crmf_field *s;
	const char *dot;

	memset(f, 0, sizeof(*f));
	f->name = name;
	f->len = len;
	f->fu = fu_mode ? crmf_fu_field_find(name, len) : -1;
	f->comp = f->fu >= 0 ? -1 : computed_index(name, len);
	dot = memrchr(name, '.', len);
	dot = dot ? dot + 1 : name;
	snprintf(f->label_field, sizeof(f->label_field), "%.*s", (int)(name + len - dot), dot);
	if (f->fu >= 0) {
		/* one follow-up's field: one value, typed as the file's row says */
		switch (f->fu) {
		case CRMF_FU_DATE:
		case CRMF_FU_DUE:
			f->type = T_DATE;
			break;
		case CRMF_FU_WEEK:
		case CRMF_FU_MONTH:
			f->by_value = true;
			break;
		case CRMF_FU_METHOD:
			set_order(f, crmf_method_values, CRMF_N_METHODS);
			break;
		case CRMF_FU_BY:
			if (team_ids)
				set_order(f, team_ids, cfg->n_team);
			break;
		}
		return 0;
	}
	if (f->comp >= 0) {
		static const ftype types[N_COMPUTED] = {
			[CRMF_COMPUTED_LAST_CONTACT] = T_DATE,	 [CRMF_COMPUTED_VALUE_SUM] = T_NUMBER,
			[CRMF_COMPUTED_NEXT_DUE] = T_DATE,	 [CRMF_COMPUTED_OVERDUE_DAYS] = T_NUMBER,
			[CRMF_COMPUTED_ARCHIVED] = T_BOOL,
		};

		f->type = types[f->comp];
		if (f->comp == CRMF_COMPUTED_ACTIVITY)
			set_order(f, activity_order, N_OF(activity_order));
		else if (f->comp == CRMF_COMPUTED_VALUE)
			set_order(f, value_order, N_OF(value_order));
		else if (f->comp == CRMF_COMPUTED_QUADRANT)
			set_order(f, quadrant_order, N_OF(quadrant_order));
		else if (f->comp == CRMF_COMPUTED_KIND)
			set_order(f, kind_order, N_OF(kind_order));
		return 0;
	}
	if ((s = crmf_field_find(name, len))) {
		/* a stored field of the field table; records (mappings or lists of
		 * mappings) can be tested for presence by --where but are no column */
		f->type = s->kind == CRMF_FIELD_DATE || s->kind == CRMF_FIELD_DATETIME ? T_DATE
			  : s->kind == CRMF_FIELD_NUMBER				 ? T_NUMBER
			  : s->kind == CRMF_FIELD_BOOL					 ? T_BOOL
											 : T_TEXT;
		f->record = s->kind == CRMF_FIELD_RECORD || s->kind == CRMF_FIELD_RECORDS;
		f->multi = (s->flags & CRMF_FIELD_MULTI) != 0;
		if (s->kind == CRMF_FIELD_ENUM)
			set_order(f, s->values, s->n_values);
		else if (s->kind == CRMF_FIELD_MEMBER && team_ids)
			set_order(f, team_ids, cfg->n_team);
		else if (s->kind == CRMF_FIELD_CONFIG && !strcmp(s->path, "size"))
			set_order(f, (const char *const *)cfg->sizes.v, cfg->sizes.n);
		else if (s->kind == CRMF_FIELD_CONFIG && !strcmp(s->path, "source"))
			set_order(f, (const char *const *)cfg->sources.v, cfg->sources.n);
		return 0;
	}
	for (size_t i = 0; i < cfg->n_fields; i++) {
		const crmf_field_def *d = &cfg->fields[i];

		if (strlen(d->name) != len || memcmp(d->name, name, len) != 0)
			continue;
		f->type = d->type == CRMF_FT_NUMBER ? T_NUMBER
			  : d->type == CRMF_FT_DATE ? T_DATE
			  : d->type == CRMF_FT_BOOL ? T_BOOL
						    : T_TEXT;
		f->multi = d->type == CRMF_FT_LIST;
		if (d->type == CRMF_FT_ENUM)
			set_order(f, (const char *const *)d->values.v, d->values.n);
		return 0;
	}
	return -1;
}

/* Every field name, for suggestions; free the array (not the strings). */
static const char **field_names(const crmf_config *cfg, size_t *n)
{
	size_t n_stored, k = 0;
	const crmf_field *stored = crmf_fields(&n_stored);
	const char **v =
		malloc((n_stored + N_COMPUTED + CRMF_N_FU_FIELDS + cfg->n_fields) * sizeof(*v));

	if (!v)
		abort();
	for (size_t i = 0; fu_mode && i < CRMF_N_FU_FIELDS; i++)
		v[k++] = crmf_fu_field_names[i];
	for (size_t i = 0; i < n_stored; i++)
		v[k++] = stored[i].path;
	for (size_t i = 0; i < N_COMPUTED; i++)
		v[k++] = crmf_computed_names[i];
	for (size_t i = 0; i < cfg->n_fields; i++)
		v[k++] = cfg->fields[i].name;
	*n = k;
	return v;
}

/* "unknown field 'x' WHERE; did you mean 'y'?" into buf. */
static void unknown_field_message(char *buf, size_t size, const crmf_config *cfg, const char *name,
				  size_t len, const char *where)
{
	char *word = strndup(name, len);
	size_t n;
	const char **names;
	const char *s;

	if (!word)
		abort();
	names = field_names(cfg, &n);
	s = crmf_suggest(word, names, n);
	if (!s && len >= 5 && (unsigned char)word[0] < 0x80 && (unsigned char)word[1] < 0x80 &&
	    (unsigned char)word[2] < 0x80) {
		/* a word mangled past the edit limit usually keeps its start: stauts */
		char head[4] = {word[0], word[1], word[2], '\0'};

		s = crmf_suggest(head, names, n);
	}
	if (s)
		snprintf(buf, size, _("unknown field '%s'%s; did you mean '%s'?"), word, where, s);
	else
		snprintf(buf, size, _("unknown field '%s'%s; see 'crmf %s --help' for the fields"),
			 word, where, the_cmd->name);
	free(names);
	free(word);
}

/* ---- values of a field in one customer ---- */

typedef bool (*emit_fn)(void *ectx, const char *s, size_t len);

struct row {
	const crmf_customer *c;
	crmf_class k;
	char **keys; /* first value of each --sort key, or NULL */
};

/* Every value of the field `name` (len bytes) of row r, computed ones first:
 * they are never stored, and custom fields may not shadow them. */
struct reveal_emit {
	const struct row *r;
	char field[128];
	emit_fn emit;
	void *ectx;
};

/* A confidential value as cli_reveal gives it (plain with a key, else masked). */
static bool reveal_emit(void *ectx, const char *s, size_t len)
{
	struct reveal_emit *re = ectx;
	char *v = strndup(s, len), *shown;
	bool stop;

	if (!v)
		abort();
	shown = cli_reveal(re->r->c->id, re->field, v);
	stop = shown ? re->emit(re->ectx, shown, strlen(shown)) : re->emit(re->ectx, s, len);
	free(shown);
	free(v);
	return stop;
}

/* The values of `name` in r's customer, every one (all) or those a table
 * shows (contacts who left are out of tables; --where still sees them); a
 * confidential value as cli_reveal gives it. */
static void values_of(const struct row *r, const char *name, size_t len, bool all, emit_fn emit,
		      void *ectx)
{
	void (*get)(const crmf_customer *, const crmf_class *, const char *, size_t, emit_fn,
		    void *) = all ? crmf_customer_values : crmf_customer_shown_values;

	if (cli_confidential(name, len)) {
		struct reveal_emit re = {r, "", emit, ectx};

		memcpy(re.field, name, len);
		re.field[len] = 0;
		get(r->c, &r->k, name, len, reveal_emit, &re);
		return;
	}
	get(r->c, &r->k, name, len, emit, ectx);
}

static void row_values(const struct row *r, const char *name, size_t len, emit_fn emit, void *ectx)
{
	values_of(r, name, len, true, emit, ectx);
}

/* The values a column, a sort key or --count-by shows. */
static void shown_values(const struct row *r, const char *name, size_t len, emit_fn emit,
			 void *ectx)
{
	values_of(r, name, len, false, emit, ectx);
}

/* The crmf_expr_lookup of --where. */
static void expr_lookup(void *ctx, const char *field, size_t field_len, crmf_expr_emit emit,
			void *ectx)
{
	row_values(ctx, field, field_len, emit, ectx);
}

/* ---- a small string buffer ---- */

struct buf {
	char *p;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static const char *buf_str(struct buf *b)
{
	return b->p ? b->p : "";
}

/* Collects values into one cell, separated by ", ", with labels for tables. */
struct joiner {
	struct buf b;
	size_t n;
	const crmf_config *cfg; /* labels, or NULL for canonical values */
	const char *label_field;
};

static bool join_emit(void *ectx, const char *s, size_t len)
{
	struct joiner *j = ectx;
	char v[256];

	if (j->n++)
		buf_add(&j->b, ", ", 2);
	if (j->cfg && len < sizeof(v)) {
		memcpy(v, s, len);
		v[len] = '\0';
		s = crmf_config_label(j->cfg, j->label_field, v);
		len = strlen(s);
	}
	buf_add(&j->b, s, len);
	return false;
}

static bool first_emit(void *ectx, const char *s, size_t len)
{
	char **out = ectx;

	*out = strndup(s, len);
	if (!*out)
		abort();
	return true;
}

/* ---- comparing values ---- */

static size_t order_index(const struct field *f, const char *s)
{
	for (size_t i = 0; i < f->n_order; i++)
		if (strcmp(f->order[i], s) == 0)
			return i;
	return f->n_order;
}

/* Compare two values of field f ascending; missing values (NULL) go last. */
static int cmp_value(const struct field *f, const char *a, const char *b)
{
	if (!a || !b)
		return !a - !b;
	if (f->order) {
		size_t ia = order_index(f, a), ib = order_index(f, b);

		if (ia != ib && ia < f->n_order && ib < f->n_order && f->rank_desc)
			return ia < ib ? 1 : -1;
		if (ia != ib)
			return ia < ib ? -1 : 1;
	} else if (f->type == T_NUMBER) {
		char *ea, *eb;
		double x = strtod(a, &ea), y = strtod(b, &eb);
		bool na = *ea == '\0' && ea != a, nb = *eb == '\0' && eb != b;

		if (na != nb) /* numbers before text that is not one */
			return na ? -1 : 1;
		if (na && x != y)
			return x < y ? -1 : 1;
	}
	return strcmp(a, b);
}

/* ---- the JSON of one customer (also for crmf show) ---- */

static bool json_number_syntax(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		if (!(*++s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/* A scalar typed by the schema; a value that is not of its type stays a string. */
static void json_typed(FILE *f, const char *s, ftype t)
{
	if (t == T_NUMBER) {
		char *end;
		double d;

		if (json_number_syntax(s)) {
			fputs(s, f);
			return;
		}
		d = strtod(s, &end);
		if (end != s && *end == '\0' && isfinite(d)) {
			fprintf(f, "%.15g", d);
			return;
		}
	} else if (t == T_BOOL && (!strcmp(s, "true") || !strcmp(s, "false"))) {
		fputs(s, f);
		return;
	}
	cli_json_string(f, s);
}

/* The type of the value under `key` in a record of the top-level field `top`
 * (key NULL: the top-level field itself). */
static ftype stored_type(const crmf_config *cfg, const char *top, const char *key)
{
	const crmf_field_def *d;

	if (key)
		return !strcmp(top, "deals") && !strcmp(key, "amount")	   ? T_NUMBER
		       : !strcmp(top, "contacts") && !strcmp(key, "primary") ? T_BOOL
									      : T_TEXT;
	d = crmf_config_field(cfg, top);
	if (!d)
		return T_TEXT;
	return d->type == CRMF_FT_NUMBER ? T_NUMBER : d->type == CRMF_FT_BOOL ? T_BOOL : T_TEXT;
}

/* crmf export --redact: contacts' phones and emails masked in the JSON */
static bool json_redact;
/* the customer being written, for its confidential values (cli_reveal) */
static const char *json_id;

/* A confidential value as cli_reveal gives it; false when `n` is none. */
static bool json_confidential(FILE *f, const crmf_node *n, const char *top, const char *key)
{
	char field[128], *v;

	if (!n || n->type != CRMF_NODE_SCALAR || crmf_node_is_null(n))
		return false;
	if (!key)
		snprintf(field, sizeof(field), "%s", top);
	else if (!strcmp(top, "contacts"))
		snprintf(field, sizeof(field), "contacts.%s", key);
	else if (!strcmp(top, key))
		snprintf(field, sizeof(field), "%s", top); /* an item of a custom list */
	else
		return false;
	if (!(v = cli_reveal(json_id, field, n->value)))
		return false;
	cli_json_string(f, v);
	free(v);
	return true;
}

static void json_node(FILE *f, const crmf_config *cfg, const crmf_node *n, const char *top,
		      const char *key)
{
	if (cfg->has_confidential && json_confidential(f, n, top, key))
		return;
	if (json_redact && n && n->type == CRMF_NODE_SCALAR && !crmf_node_is_null(n) && key &&
	    !strcmp(top, "contacts") && (!strcmp(key, "phone") || !strcmp(key, "email"))) {
		char *m = !strcmp(key, "phone") ? crmf_export_mask_phone(n->value)
						: crmf_export_mask_email(n->value);

		cli_json_string(f, m);
		free(m);
		return;
	}
	if (!n) {
		fputs("null", f);
		return;
	}
	switch (n->type) {
	case CRMF_NODE_SCALAR:
		if (crmf_node_is_null(n))
			fputs("null", f);
		else
			json_typed(f, n->value, stored_type(cfg, top, key));
		break;
	case CRMF_NODE_SEQUENCE:
		fputc('[', f);
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				fputs(", ", f);
			json_node(f, cfg, n->items[i], top, key);
		}
		fputc(']', f);
		break;
	case CRMF_NODE_MAPPING:
		fputc('{', f);
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				fputs(", ", f);
			cli_json_string(f, n->pairs[i].key->value);
			fputs(": ", f);
			json_node(f, cfg, n->pairs[i].value, top, n->pairs[i].key->value);
		}
		fputc('}', f);
		break;
	}
}

static void json_day(FILE *f, crmf_day d)
{
	char buf[11];

	if (d == CRMF_NO_DAY) {
		fputs("null", f);
		return;
	}
	crmf_date_format(d, buf);
	fprintf(f, "\"%s\"", buf);
}

void cli_customer_json(FILE *f, const crmf_config *cfg, const crmf_customer *c,
		       const crmf_class *k)
{
	const crmf_node *root = c->doc ? c->doc->root : NULL;
	size_t n = 0;

	json_id = c->id;
	fputc('{', f);
	for (size_t i = 0; root && root->type == CRMF_NODE_MAPPING && i < root->n; i++) {
		const crmf_pair *p = &root->pairs[i];

		/* a computed name cannot be a stored field as well in one object */
		if (computed_index(p->key->value, p->key->len) >= 0)
			continue;
		if (n++)
			fputs(", ", f);
		cli_json_string(f, p->key->value);
		fputs(": ", f);
		json_node(f, cfg, p->value, p->key->value, NULL);
	}
	fputs(n ? ", " : "", f);
	fputs("\"last_contact\": ", f);
	json_day(f, k->last_contact);
	fprintf(f, ", \"activity\": \"%s\", \"value\": \"%s\", \"value_sum\": %.15g",
		crmf_activity_name(k->activity), crmf_value_name(k->value), k->value_sum);
	fprintf(f, ", \"quadrant\": \"%s\", \"next_due\": ", crmf_quadrant_name(k->quadrant));
	json_day(f, k->next_due);
	fprintf(f, ", \"overdue_days\": %d, \"kind\": ", k->overdue_days);
	if (k->due_kind == CRMF_DUE_NONE)
		fputs("null, \"reason\": null", f);
	else {
		fprintf(f, "\"%s\", \"reason\": ", crmf_due_kind_name(k->due_kind));
		cli_json_string(f, k->reason);
	}
	fputs(", \"path\": ", f);
	cli_json_string(f, c->path);
	fprintf(f, ", \"archived\": %s}", c->archived ? "true" : "false");
}

void cli_customer_json_redacted(FILE *f, const crmf_config *cfg, const crmf_customer *c,
				const crmf_class *k)
{
	json_redact = true;
	cli_customer_json(f, cfg, c, k);
	json_redact = false;
}

/* ---- the command ---- */

struct opts {
	const char *where, *sort, *columns, *count_by;
	crmf_day today;
	int archived; /* 0 active only, 1 archived only, 2 both */
	cli_format fmt;
	bool fmt_given, excel, wide;
};

static const char default_columns[] =
	"id,name,owner,stage,potential,grade,quadrant,last_contact,next_due";

/* crmf followups: the follow-up's fields, then its customer's; the summary
 * last, where a narrow terminal leaves it the rest of the line */
static const char fu_default_columns[] = "date,by,method,id,name,owner,stage,next,due,summary";
static const char fu_json_columns[] = "date,by,method,with,summary,feedback,next,due,id,name,"
				      "owner,stage,potential,quadrant,path,archived";

/* A field of the record `name` to suggest instead of the record. */
static const char *record_example(const char *name, size_t len)
{
	static const char *const ex[][2] = {
		{"contacts", "name"}, {"need", "type"}, {"deals", "amount"}, {"followups", "date"},
	};

	for (size_t i = 0; i < N_OF(ex); i++)
		if (strlen(ex[i][0]) == len && memcmp(ex[i][0], name, len) == 0)
			return ex[i][1];
	return "name";
}

/* Split a comma-separated list of fields into *out; on error print it and return -1. */
static int parse_fields(struct field **out, size_t *n, const crmf_config *cfg, const char *list,
			const char *option, bool sort)
{
	struct field *v = NULL;
	size_t k = 0, cap = 0;
	const char *p = list;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		bool desc = false;
		struct field f;
		char msg[256];

		while (len && (*p == ' ')) /* "id, name" as well as "id,name" */
			p++, len--;
		while (len && p[len - 1] == ' ')
			len--;
		if (sort && len && (*p == '-' || *p == '+')) {
			desc = *p == '-';
			p++, len--;
		}
		if (len == 0) {
			cli_error("empty field name in %s '%s'", option, list);
			free(v);
			return -1;
		}
		if (resolve(&f, cfg, p, len) != 0) {
			char in[32];

			snprintf(in, sizeof(in), _(" in %s"), option);
			unknown_field_message(msg, sizeof(msg), cfg, p, len, in);
			cli_error("%s", msg);
			free(v);
			return -1;
		}
		if (f.record) {
			cli_error("'%.*s' in %s is a record, not a value; name one of its fields, "
				  "e.g. '%.*s.%s'",
				  (int)len, p, option, (int)len, p, record_example(p, len));
			free(v);
			return -1;
		}
		f.desc = desc;
		if (k == cap) {
			cap = cap ? cap * 2 : 8;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		v[k++] = f;
		if (!end)
			break;
		p = end + 1;
	}
	*out = v;
	*n = k;
	return 0;
}

/* Print "crmf: invalid --where: message", the expression, and a caret under `col`. */
static void where_error(const char *text, int col, const char *msg)
{
	const unsigned char *p = (const unsigned char *)text;
	int chars = 1;
	char *prefix;
	size_t len;

	/* the caret goes under the display column of character `col` */
	while (*p && chars < col) {
		p++;
		while ((*p & 0xc0) == 0x80)
			p++;
		chars++;
	}
	len = (size_t)((const char *)p - text);
	prefix = strndup(text, len);
	if (!prefix)
		abort();
	cli_error("invalid --where expression: %s", msg);
	fprintf(stderr, "  %s\n  %*s^\n", text, cli_display_width(prefix), "");
	free(prefix);
}

static int parse_where(crmf_expr **out, const crmf_config *cfg, const char *text, crmf_day today)
{
	const crmf_expr_field *fields;
	char err[256];
	int col = 0;
	size_t n;

	*out = NULL;
	if (crmf_expr_parse(out, text, today, err, sizeof(err), &col) != 0) {
		where_error(text, col, err);
		return -1;
	}
	n = crmf_expr_fields(*out, &fields);
	for (size_t i = 0; i < n; i++) {
		struct field f;

		if (resolve(&f, cfg, fields[i].name, fields[i].len) != 0) {
			unknown_field_message(err, sizeof(err), cfg, fields[i].name, fields[i].len,
					      "");
			where_error(text, fields[i].column, err);
			crmf_expr_free(*out);
			*out = NULL;
			return -1;
		}
	}
	if (crmf_expr_bind(*out, cfg, err, sizeof(err), &col) != 0) {
		where_error(text, col, err);
		crmf_expr_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int cli_where_parse(crmf_expr **out, const crmf_config *cfg, const char *text, crmf_day today)
{
	return parse_where(out, cfg, text, today);
}

bool cli_where_match(const crmf_expr *where, const crmf_customer *c, const crmf_config *cfg,
		     crmf_day today)
{
	struct row r = {0};

	r.c = c;
	crmf_classify(&r.k, c, cfg, today);
	return crmf_expr_eval(where, expr_lookup, &r);
}

static const struct field *sort_keys;
static size_t n_sort_keys;

/* Two rows' --sort keys in order; missing values go last in either direction. */
static int cmp_keys(char *const *ka, char *const *kb)
{
	for (size_t i = 0; i < n_sort_keys; i++) {
		const char *x = ka[i], *y = kb[i];
		int c;

		if (!x || !y) {
			if (x != y)
				return !x - !y;
			continue;
		}
		c = cmp_value(&sort_keys[i], x, y);
		if (c)
			return sort_keys[i].desc ? -c : c;
	}
	return 0;
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int c;

	c = cmp_keys(a->keys, b->keys);
	if (c)
		return c;
	c = strcmp(a->c->id ? a->c->id : "", b->c->id ? b->c->id : "");
	return c ? c : strcmp(a->c->path, b->c->path);
}

/* The headings of the terminal's table: a column's name in capitals, or its
 * translation (the names themselves are what --columns and --sort take) */
static const char *const headings[] = {
    N_("ID"),	    N_("NAME"),	    N_("OWNER"),    N_("STAGE"),	 N_("POTENTIAL"),
    N_("GRADE"),    N_("QUADRANT"), N_("LAST_CONTACT"), N_("NEXT_DUE"),   N_("ACTIVITY"),
    N_("VALUE"),    N_("VALUE_SUM"), N_("OVERDUE_DAYS"), N_("KIND"),	 N_("REASON"),
    N_("PATH"),	    N_("ARCHIVED"), N_("DATE"),	    N_("BY"),		 N_("METHOD"),
    N_("WITH"),	    N_("SUMMARY"),  N_("FEEDBACK"), N_("NEXT"),		 N_("DUE"),
    N_("WEEK"),	    N_("MONTH"),    N_("INDUSTRY"), N_("REGION"),	 N_("PROVINCE"),
    N_("CITY"),	    N_("SOURCE"),   N_("SIZE"),	    N_("TAGS"),		 N_("CREATED"),
};

static char *upper(const char *s, size_t len)
{
	char *u = strndup(s, len);

	if (!u)
		abort();
	for (char *p = u; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	for (size_t i = 0; i < sizeof(headings) / sizeof(headings[0]); i++)
		if (strcmp(u, headings[i]) == 0) {
			const char *t = _(headings[i]);

			if (t != headings[i]) {
				free(u);
				if (!(u = strdup(t)))
					abort();
			}
			break;
		}
	return u;
}

/* A value of a field as JSON: typed, or an array for fields with many values. */
struct json_values {
	FILE *f;
	const struct field *fld;
	size_t n;
};

static bool json_emit(void *ectx, const char *s, size_t len)
{
	struct json_values *j = ectx;
	char *v = strndup(s, len);

	if (!v)
		abort();
	if (j->fld->multi && j->n)
		fputs(", ", j->f);
	json_typed(j->f, v, j->fld->type);
	free(v);
	j->n++;
	return !j->fld->multi;
}

/* Whether a column of text gives way first on a narrow terminal. */
static bool long_text(const struct field *f)
{
	static const char *const text[] = {"name", "description", "summary", "next", "feedback",
					   "with"};

	if (f->comp >= 0)
		return false;
	/* a follow-up row's texts; list keeps its layout */
	for (size_t i = 0; i < (fu_mode ? N_OF(text) : 3); i++)
		if (!strcmp(f->label_field, text[i]))
			return true;
	return false;
}

/* The table of columns `cols`, its headers set, laid out as the options say. */
static cli_table *make_table(const struct field *cols, size_t ncols, const struct opts *o)
{
	const char **heads = calloc(ncols, sizeof(*heads));
	cli_table *t;

	if (!heads)
		abort();
	for (size_t c = 0; c < ncols; c++) {
		char *h = o->fmt == FMT_TEXT ? upper(cols[c].name, cols[c].len)
					     : strndup(cols[c].name, cols[c].len);

		if (!h)
			abort();
		heads[c] = h;
	}
	t = cli_table_new(ncols, heads);
	cli_table_wide(t, o->wide);
	cli_table_excel(t, o->excel);
	for (size_t c = 0; c < ncols; c++) {
		free((char *)heads[c]);
		if (cols[c].type == T_NUMBER)
			cli_table_align_right(t, c);
		/* a follow-up row's last column (the summary) takes the rest of the line */
		if (long_text(&cols[c]) && !(fu_mode && c + 1 == ncols)) {
			cli_table_limit(t, c, 40);
			cli_table_shrink_first(t, c);
		}
		/* on a narrow terminal the judgements give way to the dates */
		cli_table_drop_first(t, c, drop_order(cols[c].label_field));
	}
	free(heads);
	return t;
}

static void print_rows(const struct row *rows, size_t n, const struct field *cols, size_t ncols,
		       bool explicit_columns, const crmf_config *cfg, const struct opts *o)
{
	cli_format fmt = o->fmt;
	if (fmt == FMT_JSON) {
		fputs("[", stdout);
		for (size_t i = 0; i < n; i++) {
			fputs(i ? ",\n " : "\n ", stdout);
			if (!explicit_columns) {
				cli_customer_json(stdout, cfg, rows[i].c, &rows[i].k);
				continue;
			}
			fputc('{', stdout);
			for (size_t c = 0; c < ncols; c++) {
				struct json_values j = {stdout, &cols[c], 0};

				if (c)
					fputs(", ", stdout);
				fprintf(stdout, "\"%.*s\": ", (int)cols[c].len, cols[c].name);
				if (cols[c].multi)
					fputc('[', stdout);
				shown_values(&rows[i], cols[c].name, cols[c].len, json_emit, &j);
				if (cols[c].multi)
					fputc(']', stdout);
				else if (!j.n)
					fputs("null", stdout);
			}
			fputc('}', stdout);
		}
		fputs(n ? "\n]\n" : "]\n", stdout);
		return;
	}

	const char **cells = calloc(ncols, sizeof(*cells));
	struct joiner *js = calloc(ncols, sizeof(*js));
	cli_table *t;

	if (!cells || !js)
		abort();
	t = make_table(cols, ncols, o);
	for (size_t c = 0; c < ncols; c++) {
		js[c].cfg = fmt == FMT_TEXT ? cfg : NULL;
		js[c].label_field = cols[c].label_field;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t c = 0; c < ncols; c++) {
			js[c].b.len = 0;
			js[c].n = 0;
			if (js[c].b.p)
				js[c].b.p[0] = '\0';
			shown_values(&rows[i], cols[c].name, cols[c].len, join_emit, &js[c]);
			cells[c] = buf_str(&js[c].b);
		}
		cli_table_add(t, cells);
	}
	if (fmt == FMT_TEXT && n == 0)
		puts(_("no customers"));
	else
		cli_table_print(stdout, t, fmt);
	cli_table_free(t);
	for (size_t c = 0; c < ncols; c++)
		free(js[c].b.p);
	free(js);
	free(cells);
}

/* ---- --count-by ---- */

struct count {
	char *value; /* NULL: customers without a value */
	size_t n;
};

struct collect {
	char **v;
	size_t n, cap;
};

static bool collect_emit(void *ectx, const char *s, size_t len)
{
	struct collect *c = ectx;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		if (!c->v)
			abort();
	}
	c->v[c->n] = strndup(s, len);
	if (!c->v[c->n])
		abort();
	c->n++;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const struct field *count_field;

/* Values outside a closed set: invalid values of an enumerated field by
 * name, the values of other fields by count, most first. */
static int cmp_count(const void *pa, const void *pb)
{
	const struct count *a = pa, *b = pb;

	if (!count_field->order && a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return cmp_value(count_field, a->value, b->value);
}

/* Print the counts of `nd` distinct values (sorted by strcmp; `distinct`
 * is reordered) and of `none` rows without a value: every value of a closed
 * set in the set's order, also with no row, then the other values. */
static void count_print(struct count *distinct, size_t nd, size_t none, const struct field *fld,
			const crmf_config *cfg, const struct opts *o)
{
	cli_format fmt = o->fmt;
	struct count *counts = calloc(nd + fld->n_order + 1, sizeof(*counts));
	size_t nc = 0;
	char *name = strndup(fld->name, fld->len);

	if (!counts || !name)
		abort();
	for (size_t k = 0; k < fld->n_order; k++)
		counts[nc++].value = (char *)fld->order[k];
	for (size_t i = 0; i < nd; i++) {
		size_t k = order_index(fld, distinct[i].value);

		if (k < fld->n_order)
			counts[k].n = distinct[i].n;
		else
			counts[nc++] = distinct[i];
	}
	count_field = fld;
	if (!fld->by_value)
		if (nc - fld->n_order > 1)
			qsort(counts + fld->n_order, nc - fld->n_order, sizeof(*counts), cmp_count);
	if (none) {
		counts[nc].value = NULL;
		counts[nc++].n = none;
	}

	if (fmt == FMT_JSON) {
		fputs("[", stdout);
		for (size_t i = 0; i < nc; i++) {
			fputs(i ? ",\n " : "\n ", stdout);
			fputc('{', stdout);
			cli_json_string(stdout, name);
			fputs(": ", stdout);
			if (counts[i].value)
				json_typed(stdout, counts[i].value, fld->type);
			else
				fputs("null", stdout);
			fprintf(stdout, ", \"count\": %zu}", counts[i].n);
		}
		fputs(nc ? "\n]\n" : "]\n", stdout);
	} else {
		char *h = fmt == FMT_TEXT ? upper(name, strlen(name)) : strdup(name);
		const char *heads[2] = {h, fmt == FMT_TEXT ? _("COUNT") : "count"};
		cli_table *t = cli_table_new(2, heads);

		cli_table_excel(t, o->excel);

		cli_table_align_right(t, 1);
		for (size_t i = 0; i < nc; i++) {
			char num[32];
			const char *cells[2];

			snprintf(num, sizeof(num), "%zu", counts[i].n);
			if (!counts[i].value)
				cells[0] = fmt == FMT_TEXT ? "(none)" : "";
			else if (fmt == FMT_TEXT)
				cells[0] = crmf_config_label(cfg, fld->label_field, counts[i].value);
			else
				cells[0] = counts[i].value;
			cells[1] = num;
			cli_table_add(t, cells);
		}
		cli_table_print(stdout, t, fmt);
		cli_table_free(t);
		free(h);
	}
	free(counts);
	free(name);
}

static void count_by(const struct row *rows, size_t n, const struct field *fld,
		     const crmf_config *cfg, const struct opts *o)
{
	struct collect all = {0}, one = {0};
	struct count *distinct;
	size_t nd = 0, none = 0;

	/* each customer counts once per distinct value (tags: once per tag) */
	for (size_t i = 0; i < n; i++) {
		one.n = 0;
		shown_values(&rows[i], fld->name, fld->len, collect_emit, &one);
		if (one.n == 0)
			none++;
		if (one.n > 1)
			qsort(one.v, one.n, sizeof(*one.v), cmp_str);
		for (size_t k = 0; k < one.n; k++)
			if (k == 0 || strcmp(one.v[k], one.v[k - 1]) != 0)
				collect_emit(&all, one.v[k], strlen(one.v[k]));
		for (size_t k = 0; k < one.n; k++)
			free(one.v[k]);
	}
	free(one.v);
	if (all.n > 1)
		qsort(all.v, all.n, sizeof(*all.v), cmp_str);
	distinct = calloc(all.n + 1, sizeof(*distinct));
	if (!distinct)
		abort();
	for (size_t i = 0, m; i < all.n; i += m) {
		for (m = 1; i + m < all.n && !strcmp(all.v[i + m], all.v[i]); m++)
			;
		distinct[nd].value = all.v[i];
		distinct[nd++].n = m;
	}
	count_print(distinct, nd, none, fld, cfg, o);
	for (size_t i = 0; i < all.n; i++)
		free(all.v[i]);
	free(all.v);
	free(distinct);
}

/* Whether the scan's summaries hold field f: the computed fields and the
 * top-level stored values do; the records and the fields inside them need
 * the documents. */
static bool in_summary(const struct field *f)
{
	return f->comp >= 0 || (!f->record && !memchr(f->name, '.', f->len));
}

static bool all_in_summary(const struct field *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!in_summary(&v[i]))
			return false;
	return true;
}

static bool where_in_summary(const crmf_expr *e, const crmf_config *cfg)
{
	const crmf_expr_field *fields;
	size_t n = crmf_expr_fields(e, &fields);

	for (size_t i = 0; i < n; i++) {
		struct field f;

		if (resolve(&f, cfg, fields[i].name, fields[i].len) != 0 || !in_summary(&f))
			return false;
	}
	return true;
}

struct keep_ctx {
	const crmf_expr *where;
	int archived;
	crmf_day today;
};

/* In the scan's worker threads: --where and --archived/--all decide which
 * customers are kept, so that memory holds the rows, not the repository. */
static bool keep_row(void *ctx, const crmf_customer *c, const crmf_config *cfg)
{
	const struct keep_ctx *kc = ctx;
	struct row r = {0};

	if ((kc->archived == 0 && c->archived) || (kc->archived == 1 && !c->archived))
		return false;
	if (!kc->where)
		return true;
	r.c = c;
	crmf_classify(&r.k, c, cfg, kc->today);
	return crmf_expr_eval(kc->where, expr_lookup, &r);
}

/* Text sorts by the Chinese collation of the C library (glibc's zh_CN:
 * pinyin, iso14651_t1_pinyin), not by code point. A key is made once per row
 * with strxfrm_l so that the comparator stays a strcmp over 100,000 rows.
 * Without the locale (tools/deps.sh generates it) text sorts by code point. */
static locale_t collation(void)
{
	locale_t l = newlocale(LC_COLLATE_MASK, "zh_CN.UTF-8", (locale_t)0);

	return l ? l : newlocale(LC_COLLATE_MASK, "zh_CN.utf8", (locale_t)0);
}

/* The collation key of `value` (freed), or `value` itself without a locale. */
static char *sort_key(locale_t loc, char *value)
{
	size_t n;
	char *k;

	if (!loc || !value)
		return value;
	n = strxfrm_l(NULL, value, 0, loc) + 1;
	k = malloc(n);
	if (!k)
		abort();
	strxfrm_l(k, value, n, loc);
	free(value);
	return k;
}

/* The command line into *o and *so; a status to return, or -1 to go on. */
static int parse_options(int argc, char **argv, struct opts *o, crmf_scan_opts *so)
{
	cli_args args;
	const char *today_arg = NULL;
	int c;

	o->fmt = FMT_TEXT;
	cli_args_init(&args, the_cmd, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 'w':
			o->where = args.arg;
			break;
		case 's':
			o->sort = args.arg;
			break;
		case 'c':
			o->columns = args.arg;
			break;
		case 'n':
			o->count_by = args.arg;
			break;
		case 't':
			today_arg = args.arg;
			break;
		case 'a':
			if (o->archived == 2)
				return cli_usage_error(the_cmd, "--archived and --all exclude each other");
			o->archived = 1;
			break;
		case 'A':
			if (o->archived == 1)
				return cli_usage_error(the_cmd, "--archived and --all exclude each other");
			o->archived = 2;
			break;
		case 'f':
			if (cli_parse_format(&o->fmt, args.arg,
					     1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_CSV |
						 1u << FMT_TSV))
				return EXIT_USAGE;
			o->fmt_given = true;
			break;
		case 'N':
			so->no_cache = true;
			break;
		case 'E':
			o->excel = true;
			break;
		case 'W':
			o->wide = true;
			break;
		}
	}
	if (o->excel && o->fmt_given && o->fmt != FMT_CSV)
		return cli_usage_error(the_cmd, "--excel writes CSV; leave out --format or say csv");
	if (o->excel)
		o->fmt = FMT_CSV;
	if (c < 0)
		return args.status;
	if (args.ind < argc)
		return cli_usage_error(the_cmd, "unexpected argument '%s'", argv[args.ind]);
	if (o->count_by && (o->columns || o->sort))
		return cli_usage_error(the_cmd, "--count-by cannot be combined with %s",
				       o->columns ? "--columns" : "--sort");
	if (cli_today(&o->today, today_arg))
		return EXIT_USAGE;
	so->today = o->today;
	return -1;
}

/* What the command works with once the options are read. */
struct plan {
	struct field *cols, *keys, cnt;
	size_t ncols, nkeys;
	crmf_expr *where;
};

/* --columns, --sort, --count-by and --where against the schema; -1 when one
 * is wrong (said). */
static int make_plan(struct plan *pl, const crmf_config *cfg, const struct opts *o)
{
	if (cfg->has_team && cfg->n_team) {
		team_ids = malloc(cfg->n_team * sizeof(*team_ids));
		if (!team_ids)
			abort();
		for (size_t i = 0; i < cfg->n_team; i++)
			team_ids[i] = cfg->team[i].id;
	}
	const char *cols = o->columns	  ? o->columns
			   : !fu_mode	  ? default_columns
			   : o->fmt == FMT_JSON ? fu_json_columns
						: fu_default_columns;

	if (parse_fields(&pl->cols, &pl->ncols, cfg, cols, "--columns", false) ||
	    (o->sort && parse_fields(&pl->keys, &pl->nkeys, cfg, o->sort, "--sort", true)))
		return -1;
	if (o->count_by) {
		struct field *one = NULL;
		size_t n1 = 0;

		if (strchr(o->count_by, ',')) {
			cli_error("--count-by takes one field, not a list: '%s'", o->count_by);
			return -1;
		}
		if (parse_fields(&one, &n1, cfg, o->count_by, "--count-by", false))
			return -1;
		pl->cnt = one[0];
		free(one);
	}
	return o->where ? parse_where(&pl->where, cfg, o->where, o->today) : 0;
}

/* The customers that pass --archived and --where, classified, into *out. */
static size_t collect_rows(struct row **out, const crmf_repo *repo, const crmf_expr *where,
			   const struct opts *o)
{
	struct row *rows = calloc(repo->n ? repo->n : 1, sizeof(*rows));
	size_t nrows = 0;

	if (!rows)
		abort();
	for (size_t i = 0; i < repo->n; i++) {
		const crmf_customer *cu = repo->v[i];
		struct row *r = &rows[nrows];

		if ((o->archived == 0 && cu->archived) || (o->archived == 1 && !cu->archived))
			continue;
		r->c = cu;
		crmf_classify(&r->k, cu, repo->cfg, o->today);
		if (where && !crmf_expr_eval(where, expr_lookup, r))
			continue;
		nrows++;
	}
	*out = rows;
	return nrows;
}

/* Sort by --sort (then by id): each row's keys are made once, here. */
static void sort_rows(struct row *rows, size_t nrows, const struct field *keys, size_t nkeys)
{
	locale_t loc = (locale_t)0;

	for (size_t k = 0; k < nkeys; k++)
		if (keys[k].collate && !loc)
			loc = collation();
	for (size_t i = 0; i < nrows; i++) {
		rows[i].keys = calloc(nkeys ? nkeys : 1, sizeof(char *));
		if (!rows[i].keys)
			abort();
		for (size_t k = 0; k < nkeys; k++) {
			shown_values(&rows[i], keys[k].name, keys[k].len, first_emit,
				   &rows[i].keys[k]);
			if (keys[k].collate)
				rows[i].keys[k] = sort_key(loc, rows[i].keys[k]);
		}
	}
	if (loc)
		freelocale(loc);
	sort_keys = keys;
	n_sort_keys = nkeys;
	if (nrows > 1)
		qsort(rows, nrows, sizeof(*rows), cmp_rows);
}

static void plan_release(struct plan *pl, struct row *rows, size_t nrows)
{
	for (size_t i = 0; i < nrows; i++) {
		for (size_t k = 0; rows[i].keys && k < pl->nkeys; k++)
			free(rows[i].keys[k]);
		free(rows[i].keys);
	}
	free(rows);
	free(team_ids);
	team_ids = NULL;
	free(pl->cols);
	free(pl->keys);
	crmf_expr_free(pl->where);
}


/* ---- crmf followups: one row per follow-up ---- */

/* A follow-up row as it is printed, made in the scan's worker threads from
 * the customer's document, so that memory holds the rows, not the documents:
 * one buffer per row, its strings one after the other. */
struct fu_out {
	char *buf;  /* JSON: the object; else each column's cell; then date, id, path */
	char **keys; /* first value of each --sort key, or NULL */
	const char *date, *id, *path; /* in buf: the default order, by date, customer, position */
	size_t index;
};

/* What the workers gather, under `lock`. */
struct fu_ctx {
	const struct plan *pl;
	const struct opts *o;
	pthread_mutex_t lock;
	struct fu_out *rows;
	size_t n, cap;
	struct count *counts; /* --count-by: a hash table of the distinct values */
	size_t ncounts, capcounts, none;
};

/* What one worker makes of one customer before it takes the lock. */
struct fu_local {
	struct fu_ctx *fc;
	const crmf_config *cfg;
	struct fu_out *rows;
	size_t n, cap;
	struct collect values; /* --count-by: the values of its rows, one per row and value */
	size_t none;
};

static char *first_value(const crmf_fu_row *r, const char *name, size_t len)
{
	char *v = NULL;

	crmf_fu_row_values(r, name, len, first_emit, &v);
	return v;
}

/* The first value only (a follow-up's date has one). */
static bool join_first(void *ectx, const char *s, size_t len)
{
	buf_add(ectx, s, len);
	return true;
}

static void fu_visit(void *ctx, const crmf_fu_row *r)
{
	struct fu_local *l = ctx;
	const struct plan *pl = l->fc->pl;
	cli_format fmt = l->fc->o->fmt;
	struct fu_out *out;
	struct buf b = {0};
	size_t at[3];

	if (l->fc->o->count_by) {
		struct collect one = {0};

		crmf_fu_row_values(r, pl->cnt.name, pl->cnt.len, collect_emit, &one);
		if (one.n == 0)
			l->none++;
		/* a row counts once per distinct value */
		if (one.n > 1)
			qsort(one.v, one.n, sizeof(*one.v), cmp_str);
		for (size_t k = 0; k < one.n; k++) {
			if (k == 0 || strcmp(one.v[k], one.v[k - 1]) != 0)
				collect_emit(&l->values, one.v[k], strlen(one.v[k]));
			free(one.v[k]);
		}
		free(one.v);
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->rows = realloc(l->rows, l->cap * sizeof(*l->rows));
		if (!l->rows)
			abort();
	}
	out = &l->rows[l->n++];
	memset(out, 0, sizeof(*out));
	if (fmt == FMT_JSON) {
		size_t size = 0;
		FILE *f = open_memstream(&b.p, &size);

		if (!f)
			abort();
		fputc('{', f);
		for (size_t c = 0; c < pl->ncols; c++) {
			struct json_values j = {f, &pl->cols[c], 0};

			fprintf(f, "%s\"%.*s\": ", c ? ", " : "", (int)pl->cols[c].len,
				pl->cols[c].name);
			if (pl->cols[c].multi)
				fputc('[', f);
			crmf_fu_row_values(r, pl->cols[c].name, pl->cols[c].len, json_emit, &j);
			if (pl->cols[c].multi)
				fputc(']', f);
			else if (!j.n)
				fputs("null", f);
		}
		fputc('}', f);
		if (fclose(f) != 0)
			abort();
		b.len = b.cap = size;
		buf_add(&b, "", 1);
	} else {
		for (size_t c = 0; c < pl->ncols; c++) {
			struct joiner j = {b, 0, fmt == FMT_TEXT ? l->cfg : NULL,
					   pl->cols[c].label_field};

			crmf_fu_row_values(r, pl->cols[c].name, pl->cols[c].len, join_emit, &j);
			b = j.b;
			buf_add(&b, "", 1);
		}
	}
	/* the order's keys, as offsets until the buffer stops moving */
	at[0] = b.len;
	crmf_fu_values(r->f, CRMF_FU_DATE, join_first, &b);
	buf_add(&b, "", 1);
	at[1] = b.len;
	buf_add(&b, r->c->id ? r->c->id : "", r->c->id ? strlen(r->c->id) + 1 : 1);
	at[2] = b.len;
	buf_add(&b, r->c->path, strlen(r->c->path) + 1);
	out->buf = b.p;
	out->date = b.p + at[0];
	out->id = b.p + at[1];
	out->path = b.p + at[2];
	if (pl->nkeys) {
		out->keys = calloc(pl->nkeys, sizeof(*out->keys));
		if (!out->keys)
			abort();
		for (size_t k = 0; k < pl->nkeys; k++)
			out->keys[k] = first_value(r, pl->keys[k].name, pl->keys[k].len);
	}
	out->index = r->index;
}

/* Add one to the count of `v` (taken over), under the lock: a hash table
 * of the distinct values (open addressing), so that counting by a field of
 * many values (date) stays linear. */
static void fu_count(struct fu_ctx *fc, char *v)
{
	uint64_t h = 1469598103934665603u;
	size_t mask, i;

	if (2 * (fc->ncounts + 1) > fc->capcounts) {
		size_t cap = fc->capcounts ? fc->capcounts * 2 : 64;
		struct count *t = calloc(cap, sizeof(*t));

		if (!t)
			abort();
		for (size_t k = 0; k < fc->capcounts; k++) {
			uint64_t g = 1469598103934665603u;

			if (!fc->counts[k].value)
				continue;
			for (const unsigned char *p = (const unsigned char *)fc->counts[k].value; *p; p++)
				g = (g ^ *p) * 1099511628211u;
			for (i = g & (cap - 1); t[i].value; i = (i + 1) & (cap - 1))
				;
			t[i] = fc->counts[k];
		}
		free(fc->counts);
		fc->counts = t;
		fc->capcounts = cap;
	}
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	mask = fc->capcounts - 1;
	for (i = h & mask; fc->counts[i].value; i = (i + 1) & mask)
		if (!strcmp(fc->counts[i].value, v)) {
			fc->counts[i].n++;
			free(v);
			return;
		}
	fc->counts[i] = (struct count){v, 1};
	fc->ncounts++;
}

static int cmp_count_by_value(const void *a, const void *b)
{
	return strcmp(((const struct count *)a)->value, ((const struct count *)b)->value);
}

/* The scan's keep callback: the rows of one customer's follow-ups that pass
 * --archived and --where are made here, in the worker; the customer itself is
 * never kept. */
static bool fu_keep(void *ctx, const crmf_customer *c, const crmf_config *cfg)
{
	struct fu_ctx *fc = ctx;
	struct fu_local l = {.fc = fc, .cfg = cfg};
	crmf_class k;

	if ((fc->o->archived == 0 && c->archived) || (fc->o->archived == 1 && !c->archived))
		return false;
	if (c->n_followups == 0)
		return false;
	crmf_classify(&k, c, cfg, fc->o->today);
	if (!crmf_fu_each(c, &k, fc->pl->where, fu_visit, &l))
		return false;
	pthread_mutex_lock(&fc->lock);
	for (size_t i = 0; i < l.values.n; i++)
		fu_count(fc, l.values.v[i]);
	fc->none += l.none;
	if (l.n) {
		if (fc->n + l.n > fc->cap) {
			fc->cap = (fc->n + l.n) * 2;
			fc->rows = realloc(fc->rows, fc->cap * sizeof(*fc->rows));
			if (!fc->rows)
				abort();
		}
		memcpy(fc->rows + fc->n, l.rows, l.n * sizeof(*l.rows));
		fc->n += l.n;
	}
	pthread_mutex_unlock(&fc->lock);
	free(l.values.v);
	free(l.rows);
	return false;
}

static int cmp_fu(const void *pa, const void *pb)
{
	const struct fu_out *a = pa, *b = pb;
	int c;

	c = cmp_keys(a->keys, b->keys);
	if (c)
		return c;
	/* then by date ("2025-06-16" before "2025-06-16 09:00"), customer, position */
	if (!a->date || !b->date) {
		if (a->date != b->date)
			return !a->date - !b->date;
	} else if ((c = strcmp(a->date, b->date))) {
		return c;
	}
	if ((c = strcmp(a->id, b->id)) || (c = strcmp(a->path, b->path)))
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* cli_table_fill's row: the cells lent from the row's buffer, which
 * outlives the table. */
static void fu_row(void *ctx, size_t i, cli_row_sink *sink)
{
	const struct fu_ctx *fc = ctx;
	size_t ncols = fc->pl->ncols;
	const char *cells[64], **v = ncols <= 64 ? cells : malloc(ncols * sizeof(*v));
	const char *p = fc->rows[i].buf;

	if (!v)
		abort();
	for (size_t c = 0; c < ncols; c++, p += strlen(p) + 1)
		v[c] = p;
	cli_row_put_borrowed(sink, v, ncols < 64 ? (1ul << ncols) - 1 : ncols == 64 ? ~0ul : 0);
	if (v != cells)
		free(v);
}

static void fu_print(struct fu_ctx *fc, const crmf_config *cfg)
{
	const struct plan *pl = fc->pl;
	const struct opts *o = fc->o;
	locale_t loc = (locale_t)0;
	cli_table *t;

	if (o->count_by) {
		size_t n = 0;

		/* the table's values, packed at its start, in strcmp order */
		for (size_t i = 0; i < fc->capcounts; i++)
			if (fc->counts[i].value)
				fc->counts[n++] = fc->counts[i];
		fc->capcounts = n;
		if (n)
			qsort(fc->counts, n, sizeof(*fc->counts), cmp_count_by_value);
		count_print(fc->counts, fc->ncounts, fc->none, &pl->cnt, cfg, o);
		return;
	}
	for (size_t k = 0; k < pl->nkeys; k++)
		if (pl->keys[k].collate && !loc)
			loc = collation();
	for (size_t i = 0; loc && i < fc->n; i++)
		for (size_t k = 0; k < pl->nkeys; k++)
			if (pl->keys[k].collate)
				fc->rows[i].keys[k] = sort_key(loc, fc->rows[i].keys[k]);
	if (loc)
		freelocale(loc);
	sort_keys = pl->keys;
	n_sort_keys = pl->nkeys;
	if (fc->n > 1)
		qsort(fc->rows, fc->n, sizeof(*fc->rows), cmp_fu);
	if (o->fmt == FMT_JSON) {
		fputs("[", stdout);
		for (size_t i = 0; i < fc->n; i++) {
			fputs(i ? ",\n " : "\n ", stdout);
			fputs(fc->rows[i].buf, stdout);
		}
		fputs(fc->n ? "\n]\n" : "]\n", stdout);
		return;
	}
	t = make_table(pl->cols, pl->ncols, o);
	cli_table_fill(t, fc->n, fu_row, fc);
	if (o->fmt == FMT_TEXT && fc->n == 0)
		puts(_("no follow-ups"));
	else
		cli_table_print(stdout, t, o->fmt);
	cli_table_free(t);
}

static void fu_release(struct fu_ctx *fc)
{
	for (size_t i = 0; i < fc->n; i++) {
		struct fu_out *r = &fc->rows[i];

		free(r->buf);
		for (size_t k = 0; r->keys && k < fc->pl->nkeys; k++)
			free(r->keys[k]);
		free(r->keys);
	}
	free(fc->rows);
	for (size_t i = 0; i < fc->capcounts; i++)
		free(fc->counts[i].value);
	free(fc->counts);
}

static int list_run(int argc, char **argv)
{
	struct opts o = {0};
	struct keep_ctx kc = {0};
	crmf_scan_opts so = {0};
	crmf_repo *repo = NULL;
	struct plan pl = {0};
	size_t nrows = 0, bad;
	struct row *rows = NULL;
	struct fu_ctx fc = {0};
	crmf_diags diags;
	crmf_repository *rep = NULL;
	int rc = parse_options(argc, argv, &o, &so);

	if (rc >= 0)
		return rc;
	rc = EXIT_USAGE;
	rep = cli_repository();
	if (!rep)
		return EXIT_USAGE;
	crmf_diags_init(&diags);
	if (crmf_repo_open(&repo, crmf_repository_root(rep)) != 0) {
		cli_error("%s", crmf_error_last());
		goto done;
	}
	cli_crypt_begin(rep, repo->cfg, false);
	if (make_plan(&pl, repo->cfg, &o) != 0)
		goto done;
	kc = (struct keep_ctx){pl.where, o.archived, o.today};
	so.keep = keep_row;
	so.keep_ctx = &kc;
	fc.pl = &pl;
	fc.o = &o;
	pthread_mutex_init(&fc.lock, NULL);
	if (fu_mode) {
		/* the summaries keep two follow-ups at most: every document is
		 * read (in parallel, as a cold list does), and dropped once its
		 * rows are made */
		so.keep = fu_keep;
		so.keep_ctx = &fc;
	} else if ((o.fmt != FMT_JSON || o.columns) && all_in_summary(pl.cols, pl.ncols) &&
	    all_in_summary(pl.keys, pl.nkeys) && (!o.count_by || in_summary(&pl.cnt)) &&
	    (!pl.where || where_in_summary(pl.where, repo->cfg))) {
		so.mode = CRMF_SCAN_SUMMARY;
		so.values = true;
	}
	if (crmf_repo_scan(repo, &so, &diags) != 0) {
		cli_error("%s", crmf_error_last());
		goto done;
	}
	nrows = collect_rows(&rows, repo, pl.where, &o);
	bad = cli_files_with_errors(&diags);
	if (bad)
		cli_error("%zu file%s errors; run 'crmf check'", bad,
			  bad == 1 ? " has" : "s have");
	if (fu_mode) {
		fu_print(&fc, repo->cfg);
	} else if (o.count_by) {
		count_by(rows, nrows, &pl.cnt, repo->cfg, &o);
	} else {
		sort_rows(rows, nrows, pl.keys, pl.nkeys);
		print_rows(rows, nrows, pl.cols, pl.ncols, o.columns != NULL, repo->cfg, &o);
	}
	rc = EXIT_OK;
done:
	fu_release(&fc);
	if (fc.pl)
		pthread_mutex_destroy(&fc.lock);
	plan_release(&pl, rows, nrows);
	crmf_diags_release(&diags);
	crmf_repo_free(repo);
	crmf_repository_close(rep);
	return rc;
}

static int run(int argc, char **argv)
{
	return list_run(argc, argv);
}

int cli_followups_run(const struct crmf_cmd *cmd, int argc, char **argv)
{
	the_cmd = cmd;
	fu_mode = true;
	return list_run(argc, argv);
}
