/* Customer files checked against the schema into typed records, and checks across files. */
#include "crmf/check.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "crmf/cache.h"
#include "crmf/fields.h"
#include "cross.h"
#include "util.h"

/* the closed sets of the field table */
#define stage_names crmf_stage_values
#define potential_names crmf_potential_values
#define grade_names crmf_grade_values
#define method_names crmf_method_values

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Top-level fields, in the order FORMAT.md lists them. */
enum {
	F_ID, F_NAME, F_INDUSTRY, F_SIZE, F_SOURCE, F_CREATED, F_OWNER, F_STAGE,
	F_POTENTIAL, F_GRADE, F_TAGS, F_CONTACTS, F_NEED, F_DEALS, F_FOLLOWUPS, F_N
};
static const char *const top_keys[F_N] = {
	"id", "name", "industry", "size", "source", "created", "owner", "stage",
	"potential", "grade", "tags", "contacts", "need", "deals", "followups",
};

enum { C_NAME, C_TITLE, C_PHONE, C_EMAIL, C_PRIMARY, C_N };
static const char *const contact_keys[C_N] = {"name", "title", "phone", "email", "primary"};

enum { N_TYPE, N_DESCRIPTION, N_BUDGET, N_TIMELINE, N_N };
static const char *const need_keys[N_N] = {"type", "description", "budget", "timeline"};

enum { D_AMOUNT, D_SIGNED, D_EXPIRES, D_N };
static const char *const deal_keys[D_N] = {"amount", "signed", "expires"};

enum { U_DATE, U_BY, U_METHOD, U_WITH, U_SUMMARY, U_FEEDBACK, U_NEXT, U_DUE, U_N };
static const char *const followup_keys[U_N] = {
	"date", "by", "method", "with", "summary", "feedback", "next", "due",
};

/* Names people give fields from habit or other tools (the aliases of the
 * field table), so that an unknown key can be answered with the field meant
 * ('status' and its typos: 'stage'). By record; taken from the table at the
 * first unknown key. */
struct alias {
	const char *from, *to;
};
enum { A_TOP, A_CONTACT, A_NEED, A_DEAL, A_FOLLOWUP, A_N };
static const char *const alias_parent[A_N] = {"", "contacts", "need", "deals", "followups"};
#define ALIAS_MAX 32
static struct {
	struct alias v[ALIAS_MAX];
	size_t n;
} aliases[A_N];
static pthread_once_t aliases_once = PTHREAD_ONCE_INIT;

static void load_aliases(void)
{
	size_t n;
	const crmf_field *t = crmf_fields(&n);

	for (size_t i = 0; i < n; i++) {
		const char *dot = strchr(t[i].path, '.');
		size_t plen = dot ? (size_t)(dot - t[i].path) : 0;

		for (int r = 0; r < A_N; r++) {
			if (strlen(alias_parent[r]) != plen || strncmp(alias_parent[r], t[i].path, plen))
				continue;
			for (const char *const *al = t[i].aliases; al && *al; al++)
				if (aliases[r].n < ALIAS_MAX)
					aliases[r].v[aliases[r].n++] =
						(struct alias){*al, crmf_field_key(&t[i])};
		}
	}
}

/* Summaries that say that contact happened but not what was said; compared
 * after dropping spaces, punctuation and case. */
static const char vague_words[][16] = {
	"已沟通", "沟通", "沟通了", "已沟通过", "待跟进", "跟进", "已跟进", "跟进中",
	"继续跟进", "已联系", "联系", "联系了", "已联系客户", "已回访", "回访", "电话沟通",
	"已电话沟通", "电话联系", "已电话联系", "已拜访", "拜访", "无", "暂无", "同上", "见上",
	"略", "好", "followedup", "followup", "followingup", "called", "call", "contacted",
	"talked", "spoke", "ok", "okay", "done", "none", "na", "nil", "tbd", "todo", "same",
	"asabove",
};

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

/* The field of `names` that the unknown key `word` probably means, or NULL. */
static const char *suggest_key(const char *word, const char *const *names, size_t n, int rec)
{
	const char *from[ALIAS_MAX], *s = crmf_suggest(word, names, n);
	const struct alias *al;
	size_t na;

	if (s)
		return s;
	pthread_once(&aliases_once, load_aliases);
	al = aliases[rec].v;
	na = aliases[rec].n;
	for (size_t i = 0; i < na && i < ALIAS_MAX; i++)
		from[i] = al[i].from;
	s = crmf_suggest(word, from, na < ALIAS_MAX ? na : ALIAS_MAX);
	for (size_t i = 0; s && i < na; i++)
		if (from[i] == s)
			return al[i].to;
	return NULL;
}

/* Sort the pairs of `map` into slots by key, reporting keys not in `names`. */
static void take_fields(struct ck *k, const crmf_node *map, const char *const *names, size_t n,
			int rec, const crmf_pair **slots, const char *what)
{
	for (size_t i = 0; i < n; i++)
		slots[i] = NULL;
	for (size_t i = 0; i < map->n; i++) {
		const crmf_pair *p = &map->pairs[i];
		int f = find_key_n(p->key->value, p->key->len, names, n);
		struct shown sv;
		const char *sug;
		char *all;

		if (f >= 0) {
			slots[f] = p;
			continue;
		}
		sug = suggest_key(p->key->value, names, n, rec);
		show(&sv, p->key->value, p->key->len);
		if (sug) {
			err_at(k, p->key, "unknown-field", "unknown %s field '%s'; did you mean '%s'?",
			       what, sv.s, sug);
			continue;
		}
		all = join(names, n);
		err_at(k, p->key, "unknown-field", "unknown %s field '%s'; use one of %s", what, sv.s,
		       all);
		free(all);
	}
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

/* Parse a plain decimal number ("500000", "-1.5", "2e6") without locale
 * surprises; 0 or -1. The value may be infinite (too many digits): callers
 * check the range. *places is how many decimals the value has once trailing
 * zeros are dropped ("12.340" 2, "1.5e6" 0, "2e-400" 400). */
static int parse_number_places(double *out, int *places, const char *s, size_t len)
{
	size_t i = 0;
	double v = 0, scale = 1;
	int digits = 0, exp = 0, esign = 1, frac = 0, zeros = 0;
	bool neg = false, nonzero = false;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		v = v * 10 + (s[i] - '0');
		zeros = s[i] == '0' ? zeros + 1 : 0;
		nonzero |= s[i] != '0';
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++, frac++) {
			scale /= 10;
			v += (s[i] - '0') * scale;
			zeros = s[i] == '0' ? zeros + 1 : 0;
			nonzero |= s[i] != '0';
		}
	}
	if (!digits)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			esign = s[i++] == '-' ? -1 : 1;
		if (i == len || s[i] < '0' || s[i] > '9')
			return -1;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			if (exp < 400)
				exp = exp * 10 + (s[i] - '0');
		for (int e = exp; e > 0; e--)
			v = esign > 0 ? v * 10 : v / 10;
	}
	if (i != len)
		return -1;
	*out = neg ? -v : v;
	/* value = mantissa digits * 10^(exp - frac); trailing zeros are no decimals */
	*places = nonzero ? frac - esign * exp - zeros : 0;
	if (*places < 0)
		*places = 0;
	return 0;
}

static int parse_number(double *out, const char *s, size_t len)
{
	int places;

	return parse_number_places(out, &places, s, len);
}

static bool has_prefix(const char *s, size_t len, const char *p, size_t *plen)
{
	*plen = strlen(p);
	return len >= *plen && memcmp(s, p, *plen) == 0;
}

static bool has_suffix(const char *s, size_t len, const char *p, size_t *plen)
{
	*plen = strlen(p);
	return len >= *plen && memcmp(s + len - *plen, p, *plen) == 0;
}

/* What a number written the way people write amounts ("50万", "500,000",
 * "¥1.2亿") means, so that the error can say what to write; 0 or -1. */
static int guess_number(double *out, const char *s, size_t len)
{
	static const char *const prefixes[] = {"¥", "￥", "$", "RMB", "CNY"};
	static const struct {
		const char *unit;
		double times;
	} units[] = {
		{"万元", 1e4}, {"亿元", 1e8}, {"万", 1e4}, {"亿", 1e8}, {"千", 1e3}, {"元", 1},
		{"k", 1e3},    {"K", 1e3},    {"w", 1e4},  {"W", 1e4},  {"M", 1e6},
	};
	char buf[64];
	size_t n = 0, pl;
	double times = 1;

	while (len && s[0] == ' ')
		s++, len--;
	for (size_t i = 0; i < COUNT(prefixes); i++)
		if (has_prefix(s, len, prefixes[i], &pl)) {
			s += pl;
			len -= pl;
			break;
		}
	while (len && s[len - 1] == ' ')
		len--;
	for (size_t i = 0; i < COUNT(units); i++)
		if (has_suffix(s, len, units[i].unit, &pl)) {
			len -= pl;
			times = units[i].times;
			break;
		}
	for (size_t i = 0; i < len; i++) {
		if (s[i] == ',' || s[i] == '_' || s[i] == ' ')
			continue;
		if (n + 1 >= sizeof(buf))
			return -1;
		buf[n++] = s[i];
	}
	if (parse_number(out, buf, n) < 0)
		return -1;
	*out *= times;
	return 0;
}

/* The number in `v`, or -1 after reporting it as an invalid `what`. */
static int number_value(struct ck *k, const crmf_node *v, const char *what, double *out)
{
	struct shown sv;
	double g;

	if (parse_number(out, v->value, v->len) == 0)
		return 0;
	show(&sv, v->value, v->len);
	if (guess_number(&g, v->value, v->len) == 0 && isfinite(g))
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
	parse_number_places(out, &places, v->value, v->len);
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

/* Phone and e-mail syntax */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Scan a phone number: the digits of its main part (without extension) go to
 * `digits` (room for 21), their count is returned; -1 when it is no phone
 * number. *plus tells whether it started with '+'. */
static int phone_scan(const char *s, char *digits, bool *plus)
{
	size_t i = 0;
	int n = 0, ext = 0;

	*plus = false;
	while (s[i] == ' ')
		i++;
	if (s[i] == '+') {
		*plus = true;
		i++;
	}
	for (; s[i]; i++) {
		if (is_digit(s[i])) {
			if (n == 20)
				return -1;
			digits[n++] = s[i];
		} else if (!strchr(" -.()", s[i])) {
			break;
		}
	}
	if (n < 7)
		return -1;
	if (!s[i])
		return n;
	if (strncmp(s + i, "ext", 3) == 0 || strncmp(s + i, "EXT", 3) == 0 ||
	    strncmp(s + i, "Ext", 3) == 0) {
		i += 3;
		if (s[i] == '.')
			i++;
	} else if (s[i] == 'x' || s[i] == 'X' || s[i] == '#') {
		i++;
	} else if (strncmp(s + i, "转", 3) == 0) {
		i += 3;
	} else {
		return -1;
	}
	while (s[i] == ' ')
		i++;
	for (; is_digit(s[i]); i++)
		if (++ext > 8)
			return -1;
	while (s[i] == ' ')
		i++;
	return ext > 0 && !s[i] ? n : -1;
}

bool crmf_phone_valid(const char *s)
{
	char digits[21];
	bool plus;

	return phone_scan(s, digits, &plus) >= 0;
}

/* Vague summaries */

static bool dropped_category(utf8proc_int32_t cp)
{
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_PC:
	case UTF8PROC_CATEGORY_PD:
	case UTF8PROC_CATEGORY_PS:
	case UTF8PROC_CATEGORY_PE:
	case UTF8PROC_CATEGORY_PI:
	case UTF8PROC_CATEGORY_PF:
	case UTF8PROC_CATEGORY_PO:
	case UTF8PROC_CATEGORY_ZS:
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
	case UTF8PROC_CATEGORY_CC:
	case UTF8PROC_CATEGORY_CF:
	case UTF8PROC_CATEGORY_SM:
	case UTF8PROC_CATEGORY_SC:
	case UTF8PROC_CATEGORY_SK:
	case UTF8PROC_CATEGORY_SO:
		return true;
	default:
		return false;
	}
}

static bool vague_summary(const char *s, size_t len)
{
	char buf[48];
	/* no vague word is longer: a longer summary is not one of them */
	const size_t longest = sizeof(vague_words[0]) - 1;
	size_t n = 0;
	while (len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s,
						     (utf8proc_ssize_t)len, &cp);

		if (l <= 0)
			return false;
		if (!dropped_category(cp)) {
			if (n + (size_t)l >= sizeof(buf) || n + (size_t)l > longest)
				return false; /* too long to be one of the words */
			if (cp >= 'A' && cp <= 'Z')
				buf[n++] = (char)(cp - 'A' + 'a');
			else
				memcpy(buf + n, s, (size_t)l), n += (size_t)l;
		}
		s += l;
		len -= (size_t)l;
	}
	buf[n] = '\0';
	if (n == 0)
		return true;
	for (size_t i = 0; i < COUNT(vague_words); i++)
		if (strcmp(buf, vague_words[i]) == 0)
			return true;
	return false;
}

/* Company names */

static bool ascii_alnum(utf8proc_int32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Chinese legal forms end the name whatever precedes them. 集团 is kept: a
 * group and its operating company are different entities, so 某某集团有限公司
 * becomes 某某集团 and matches 某某集团 but not 某某有限公司. */
static const char *const cjk_suffixes[] = {"股份有限公司", "有限责任公司", "有限公司", "公司"};
/* Latin legal forms (spaces and punctuation already dropped) only count when
 * they begin a word of the original name, so "Zinc" keeps its "inc". */
static const char *const latin_suffixes[] = {
	"companylimited", "corporation", "coltd", "limited", "corp", "gmbh", "ltd", "inc", "llc",
};

/* Write the normalised name to `out`, which has room for len + 1 bytes (the
 * folding never lengthens the text); returns its length. */
static size_t normalize_company(char *out, const char *s, size_t len)
{
	size_t n = 0, starts[4] = {0}, best = 0;
	unsigned ns = 0;
	bool gap = true, prev_alnum = false, prev_lower = false;

	while (len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s,
						     (utf8proc_ssize_t)len, &cp);

		if (l <= 0) { /* invalid UTF-8: drop the byte */
			s++, len--;
			gap = true;
			continue;
		}
		if (cp >= 0xFF01 && cp <= 0xFF5E)
			cp -= 0xFEE0;
		else if (cp == 0x3000)
			cp = ' ';
		if (cp < 0x80) {
			if (ascii_alnum(cp)) {
				bool upper = cp >= 'A' && cp <= 'Z';

				if (gap || !prev_alnum || (upper && prev_lower))
					starts[ns++ % 4] = n;
				out[n++] = (char)(upper ? cp - 'A' + 'a' : cp);
				prev_alnum = true;
				prev_lower = cp >= 'a' && cp <= 'z';
				gap = false;
			} else {
				gap = true;
			}
		} else if (dropped_category(cp)) {
			gap = true;
		} else {
			memcpy(out + n, s, (size_t)l);
			n += (size_t)l;
			prev_alnum = prev_lower = gap = false;
		}
		s += l;
		len -= (size_t)l;
	}
	for (size_t i = 0; i < COUNT(cjk_suffixes); i++) {
		size_t sl;

		if (has_suffix(out, n, cjk_suffixes[i], &sl) && sl > best)
			best = sl;
	}
	for (size_t i = 0; i < COUNT(latin_suffixes); i++) {
		size_t sl;
		bool word = false;

		if (!has_suffix(out, n, latin_suffixes[i], &sl) || sl <= best)
			continue;
		for (unsigned j = 0; j < 4 && j < ns; j++)
			word = word || starts[j] == n - sl;
		if (word)
			best = sl;
	}
	if (best == n)
		best = 0; /* the whole name is a legal form: keep it */
	n -= best;
	out[n] = '\0';
	return n;
}

char *crmf_normalize_company(const char *name)
{
	size_t len = strlen(name);
	char *out = xmalloc(len + 1);

	normalize_company(out, name, len);
	return out;
}

/* The digits identifying a phone number across ways of writing it: no
 * extension, no country code 86, no domestic trunk prefix 0, so that
 * "+86 571 8888 8888" and "0571-88888888" are the same; returns the length. */
static size_t normalize_phone(char *out, const char *s)
{
	char d[21];
	bool plus;
	int n = phone_scan(s, d, &plus);
	const char *p = d;

	if (n < 0)
		return 0;
	if (n >= 4 && memcmp(d, "0086", 4) == 0)
		p += 4, n -= 4;
	else if (n >= 2 && memcmp(d, "86", 2) == 0 && (plus || n >= 12))
		p += 2, n -= 2;
	if (n > 0 && p[0] == '0')
		p++, n--;
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	return n >= 7 ? (size_t)n : 0;
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
	take_fields(k, map, contact_keys, C_N, A_CONTACT, f, "contact");
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
	take_fields(k, map, need_keys, N_N, A_NEED, f, "need");
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
	take_fields(k, map, deal_keys, D_N, A_DEAL, f, "deal");
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
	take_fields(k, map, followup_keys, U_N, A_FOLLOWUP, f, "follow-up");
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
		if (vague_summary(v->value, v->len))
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

static const char *const field_type_names[] = {
	"string", "text", "date", "number", "bool", "enum", "list",
};

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

/* Plain top-level fields: rows of the field table that the code above does
 * not check by hand (not in top_keys), of a kind checked like a custom field
 * of crmf.yaml. Adding such a row to the table is all check needs. Found once. */
#define PLAIN_MAX 16
static crmf_field_def plain[PLAIN_MAX];
static size_t n_plain;
static pthread_once_t plain_once = PTHREAD_ONCE_INIT;

static void load_plain(void)
{
	size_t n;
	const crmf_field *t = crmf_fields(&n);

	for (size_t i = 0; i < n && n_plain < PLAIN_MAX; i++) {
		crmf_field_def *d = &plain[n_plain];

		if (strchr(t[i].path, '.') || find_key(t[i].path, top_keys, F_N) >= 0)
			continue;
		switch (t[i].kind) {
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
			d->values.v = (char **)(uintptr_t)t[i].values;
			d->values.n = t[i].n_values;
			break;
		case CRMF_FIELD_LIST:
			d->type = CRMF_FT_LIST;
			break;
		default:
			continue; /* needs code of its own: stays an unknown field */
		}
		d->name = (char *)(uintptr_t)t[i].path;
		d->required = (t[i].flags & CRMF_FIELD_REQUIRED) != 0;
		n_plain++;
	}
}

static const crmf_field_def *plain_field(const char *key, size_t len)
{
	pthread_once(&plain_once, load_plain);
	for (size_t i = 0; i < n_plain; i++)
		if (strncmp(plain[i].name, key, len) == 0 && !plain[i].name[len])
			return &plain[i];
	return NULL;
}

static void unknown_top(struct ck *k, const crmf_pair *p)
{
	const crmf_config *cfg = k->cfg;
	const char **names, *sug;
	struct shown sv;

	pthread_once(&plain_once, load_plain);
	names = xmalloc((F_N + n_plain + cfg->n_fields) * sizeof(*names));
	memcpy(names, top_keys, sizeof(top_keys));
	for (size_t i = 0; i < n_plain; i++)
		names[F_N + i] = plain[i].name;
	for (size_t i = 0; i < cfg->n_fields; i++)
		names[F_N + n_plain + i] = cfg->fields[i].name;
	sug = suggest_key(p->key->value, names, F_N + n_plain + cfg->n_fields, A_TOP);
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
		if ((i = find_key_n(root->pairs[j].key->value, root->pairs[j].key->len, top_keys,
				    F_N)) >= 0)
			f[i] = &root->pairs[j];

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
	if (c->n_followups && c->potential == CRMF_POTENTIAL_NONE && !f[F_POTENTIAL] &&
	    c->stage != CRMF_STAGE_LOST && !c->archived)
		warn_at(&k, f[F_STAGE] ? f[F_STAGE]->key : root, "missing-potential",
			"potential is not set although the customer has been contacted; judge it "
			"(high, medium or low): until then the unjudged cadence (every %dd) applies",
			cfg->rules.cadence_unjudged);

	for (size_t j = 0; j < root->n; j++) {
		const crmf_pair *p = &root->pairs[j];
		const crmf_field_def *def;

		if (find_key_n(p->key->value, p->key->len, top_keys, F_N) >= 0)
			continue;
		if ((def = plain_field(p->key->value, p->key->len)) ||
		    (def = crmf_config_field(cfg, p->key->value)))
			check_custom(&k, def, p);
		else
			unknown_top(&k, p);
	}
	pthread_once(&plain_once, load_plain);
	for (size_t j = 0; j < n_plain; j++)
		if (plain[j].required && !crmf_node_pair(root, plain[j].name))
			err_pos(&k, k.root_line, k.root_col, "missing-field",
				"missing required field '%s'; add '%s:' with a %s value", plain[j].name,
				plain[j].name, field_type_names[plain[j].type]);
	for (size_t j = 0; j < cfg->n_fields; j++) {
		const crmf_field_def *def = &cfg->fields[j];

		if (def->required && find_key(def->name, top_keys, F_N) < 0 &&
		    !crmf_node_pair(root, def->name))
			err_pos(&k, k.root_line, k.root_col, "missing-field",
				"missing required field '%s'; add '%s:' with a %s value", def->name,
				def->name, field_type_names[def->type]);
	}
	*out = c;
	return c->errors ? -1 : 0;
}

/* Checks across files */

/* One customer as a first holder of keys: named in later findings. */
struct xcust {
	const char *id, *path;
	size_t who;
};

/* Ids live in large chunks: no allocation per customer. */
struct xchunk {
	struct xchunk *next;
	size_t used, cap;
	char data[];
};

/* An open-addressing table from a 96-bit key hash to the first customer
 * that had the key; it grows to stay at most 70% full. */
struct xslot {
	uint64_t h;
	uint32_t tag, owner;
};

struct xtab {
	struct xslot *v; /* h == 0 && tag == 0: empty */
	size_t mask, n;
};

struct crmf_cross {
	struct xcust *c;
	size_t n, cap;
	struct xchunk *chunks;
	struct xtab names, phones, emails;
	uint32_t *ids; /* customer + 1 per slot (0: empty), by the hash of the id */
	size_t ids_mask;
	crmf_cross_report report;
	void *ctx;
};

crmf_cross *crmf_cross_new(crmf_cross_report report, void *ctx)
{
	crmf_cross *x = xcalloc(1, sizeof(*x));

	x->report = report;
	x->ctx = ctx;
	return x;
}

void crmf_cross_free(crmf_cross *x)
{
	struct xchunk *ch, *next;

	if (!x)
		return;
	for (ch = x->chunks; ch; ch = next) {
		next = ch->next;
		free(ch);
	}
	free(x->c);
	xfree_table(x->names.v, x->names.v ? x->names.mask + 1 : 0, sizeof(*x->names.v));
	xfree_table(x->phones.v, x->phones.v ? x->phones.mask + 1 : 0, sizeof(*x->phones.v));
	xfree_table(x->emails.v, x->emails.v ? x->emails.mask + 1 : 0, sizeof(*x->emails.v));
	xfree_table(x->ids, x->ids ? x->ids_mask + 1 : 0, sizeof(*x->ids));
	free(x);
}

static const char *xstr(crmf_cross *x, const char *s)
{
	size_t n;
	struct xchunk *ch = x->chunks;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	if (!ch || ch->cap - ch->used < n) {
		size_t cap = n > 65536 ? n : 65536;

		ch = xmalloc(sizeof(*ch) + cap);
		ch->used = 0;
		ch->cap = cap;
		ch->next = x->chunks;
		x->chunks = ch;
	}
	memcpy(ch->data + ch->used, s, n);
	ch->used += n;
	return ch->data + ch->used - n;
}

static crmf_cross_key key_of(const char *s, size_t len)
{
	crmf_hash h = crmf_hash_bytes((crmf_hash){0, 0}, s, len);
	crmf_cross_key k = {h.a, (uint32_t)h.b};

	if (!k.h && !k.tag)
		k.tag = 1; /* all zero means "no key" */
	return k;
}

static bool no_key(crmf_cross_key k)
{
	return !k.h && !k.tag;
}

crmf_cross_key crmf_cross_name_key(const char *name)
{
	size_t len = strlen(name);
	char stack[256], *key = len < sizeof(stack) ? stack : xmalloc(len + 1);
	size_t n = normalize_company(key, name, len);
	crmf_cross_key k = {0, 0};

	if (n)
		k = key_of(key, n);
	if (key != stack)
		free(key);
	return k;
}

crmf_cross_key crmf_cross_phone_key(const char *phone)
{
	char key[24];
	size_t n = normalize_phone(key, phone);

	return n ? key_of(key, n) : (crmf_cross_key){0, 0};
}

static void xtab_resize(struct xtab *t, size_t cap)
{
	struct xtab old = *t;

	t->v = xcalloc_table(cap, sizeof(*t->v));
	t->mask = cap - 1;
	for (size_t i = 0; old.v && i <= old.mask; i++) {
		size_t j;

		if (!old.v[i].h && !old.v[i].tag)
			continue;
		for (j = (size_t)old.v[i].h & t->mask; t->v[j].h || t->v[j].tag; j = (j + 1) & t->mask)
			;
		t->v[j] = old.v[i];
	}
	xfree_table(old.v, old.v ? old.mask + 1 : 0, sizeof(*old.v));
}

static void xtab_grow(struct xtab *t)
{
	xtab_resize(t, t->v ? (t->mask + 1) * 2 : 256);
}

/* The smallest table that holds n keys without growing. */
static size_t xtab_room(size_t n)
{
	size_t cap = 256;

	while (n * 10 > cap * 7)
		cap *= 2;
	return cap;
}

void crmf_cross_reserve(crmf_cross *x, size_t n)
{
	size_t cap = xtab_room(n);

	if (x->n || x->ids) /* started, or reserved already */
		return;
	x->cap = n ? n : 1;
	x->c = xrealloc(x->c, x->cap * sizeof(*x->c));
	x->ids = xcalloc_table(cap, sizeof(*x->ids));
	x->ids_mask = cap - 1;
	xtab_resize(&x->names, cap);
	/* most customers have a phone and an email or two */
	xtab_resize(&x->phones, cap);
	xtab_resize(&x->emails, cap);
}

/* The first customer that had key k, or `owner` after recording it as such. */
static uint32_t xtab_put(struct xtab *t, crmf_cross_key k, uint32_t owner)
{
	size_t i;

	if (!t->v || (t->n + 1) * 10 > (t->mask + 1) * 7)
		xtab_grow(t);
	for (i = (size_t)k.h & t->mask; t->v[i].h || t->v[i].tag; i = (i + 1) & t->mask)
		if (t->v[i].h == k.h && t->v[i].tag == k.tag)
			return t->v[i].owner;
	t->v[i].h = k.h;
	t->v[i].tag = k.tag;
	t->v[i].owner = owner;
	t->n++;
	return owner;
}

/* The first customer with this id, or `owner` after recording it: ids are
 * compared whole. */
static uint32_t ids_put(crmf_cross *x, const char *id, uint32_t owner)
{
	size_t i;

	if (!x->ids || (x->n + 1) * 10 > (x->ids_mask + 1) * 7) {
		size_t cap = x->ids ? (x->ids_mask + 1) * 2 : 256;
		uint32_t *old = x->ids;
		size_t old_mask = x->ids_mask;

		x->ids = xcalloc_table(cap, sizeof(*x->ids));
		x->ids_mask = cap - 1;
		for (size_t j = 0; old && j <= old_mask; j++) {
			if (!old[j])
				continue;
			for (i = (size_t)hash_bytes(x->c[old[j] - 1].id, strlen(x->c[old[j] - 1].id)) &
				 x->ids_mask;
			     x->ids[i]; i = (i + 1) & x->ids_mask)
				;
			x->ids[i] = old[j];
		}
		xfree_table(old, old ? old_mask + 1 : 0, sizeof(*old));
	}
	for (i = (size_t)hash_bytes(id, strlen(id)) & x->ids_mask; x->ids[i];
	     i = (i + 1) & x->ids_mask)
		if (strcmp(x->c[x->ids[i] - 1].id, id) == 0)
			return x->ids[i] - 1;
	x->ids[i] = owner + 1;
	return owner;
}

/* "customer 'C2024001' (customers/C2024001.yaml)", or the path alone. */
static char *who_text(const struct xcust *c)
{
	if (c->id)
		return xasprintf("customer '%s' (%s)", c->id, c->path ? c->path : "?");
	return xstrdup(c->path ? c->path : "?");
}

static void found(crmf_cross *x, crmf_severity sev, int line, int col, const char *rule,
		  const char *fmt, const char *value, const struct xcust *first)
{
	const struct xcust *c = &x->c[x->n - 1];
	char *other = who_text(first), *msg = xasprintf(fmt, value, other);

	x->report(x->ctx, c->who, c->path, sev, line, col, rule, msg);
	free(msg);
	free(other);
}

void crmf_cross_begin(crmf_cross *x, size_t who, const char *path, const char *id, int id_line,
		      int id_col, const char *name, crmf_cross_key name_key, int name_line,
		      int name_col)
{
	uint32_t me, first;
	struct xcust *c;

	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 256;
		x->c = xrealloc(x->c, x->cap * sizeof(*x->c));
	}
	me = (uint32_t)x->n;
	c = &x->c[x->n++];
	c->who = who;
	c->path = path;
	c->id = xstr(x, id);
	if (id && (first = ids_put(x, c->id, me)) != me) {
		char *msg = xasprintf("duplicate id '%s': also the id of %s; give each customer its "
				      "own id",
				      id, x->c[first].path ? x->c[first].path : "?");

		x->report(x->ctx, who, path, CRMF_SEV_ERROR, id_line ? id_line : 1,
			  id_line ? id_col : 1, "duplicate-id", msg);
		free(msg);
	}
	if (name && !no_key(name_key) && (first = xtab_put(&x->names, name_key, me)) != me)
		found(x, CRMF_SEV_WARNING, name_line ? name_line : 1, name_line ? name_col : 1,
		      "probable-duplicate",
		      "company name '%s' is the same as that of %s; merge the two files if they "
		      "are one company",
		      name, &x->c[first]);
}

void crmf_cross_prefetch(crmf_cross *x, const char *id, crmf_cross_key name_key)
{
	if (id && x->ids)
		__builtin_prefetch(&x->ids[hash_bytes(id, strlen(id)) & x->ids_mask]);
	if (!no_key(name_key) && x->names.v)
		__builtin_prefetch(&x->names.v[name_key.h & x->names.mask]);
}

void crmf_cross_prefetch_phone(crmf_cross *x, crmf_cross_key key)
{
	if (!no_key(key) && x->phones.v)
		__builtin_prefetch(&x->phones.v[key.h & x->phones.mask]);
}

void crmf_cross_phone(crmf_cross *x, const char *phone, crmf_cross_key key, int line, int col)
{
	uint32_t me = (uint32_t)x->n - 1, first;

	if (!x->n || no_key(key))
		return;
	if ((first = xtab_put(&x->phones, key, me)) != me)
		found(x, CRMF_SEV_WARNING, line, col, "shared-phone",
		      "phone '%s' is also a contact of %s; merge the two files if they are one "
		      "company",
		      phone, &x->c[first]);
}

void crmf_cross_email(crmf_cross *x, const char *email, int line, int col)
{
	char stack[256];
	size_t len = strlen(email);
	char *key = len < sizeof(stack) ? stack : xmalloc(len + 1);
	uint32_t me = (uint32_t)x->n - 1, first;

	if (!x->n)
		return;
	for (size_t b = 0; b < len; b++)
		key[b] = email[b] >= 'A' && email[b] <= 'Z' ? (char)(email[b] - 'A' + 'a') : email[b];
	first = xtab_put(&x->emails, key_of(key, len), me);
	if (key != stack)
		free(key);
	if (first != me)
		found(x, CRMF_SEV_WARNING, line, col, "shared-email",
		      "email '%s' is also a contact of %s; merge the two files if they are one "
		      "company",
		      email, &x->c[first]);
}

static void report_to_customers(void *ctx, size_t who, const char *path, crmf_severity sev,
				int line, int col, const char *rule, const char *message)
{
	void **a = ctx;
	crmf_customer *const *cs = a[0];

	crmf_diags_add(a[1], sev, path, line, col, rule, "%s", message);
	if (sev == CRMF_SEV_ERROR)
		cs[who]->errors++;
}

void crmf_check_cross(crmf_customer *const *cs, size_t n, crmf_diags *diags)
{
	void *ctx[2] = {(void *)cs, diags};
	crmf_cross *x = crmf_cross_new(report_to_customers, ctx);

	for (size_t i = 0; i < n; i++) {
		const crmf_customer *c = cs[i];
		const crmf_node *root = c->doc ? c->doc->root : NULL;
		const crmf_node *id = crmf_node_get(root, "id"), *name = crmf_node_get(root, "name");

		crmf_cross_begin(x, i, c->path, c->id, id ? id->line : 0, id ? id->column : 0,
				 c->name, c->name ? crmf_cross_name_key(c->name) : (crmf_cross_key){0, 0},
				 name ? name->line : 0, name ? name->column : 0);
		for (size_t j = 0; j < c->n_contacts; j++) {
			const crmf_contact *ct = &c->contacts[j];
			const crmf_node *at;

			if (ct->phone) {
				at = crmf_node_get(ct->node, "phone");
				crmf_cross_phone(x, ct->phone, crmf_cross_phone_key(ct->phone),
						 at->line, at->column);
			}
			if (ct->email) {
				at = crmf_node_get(ct->node, "email");
				crmf_cross_email(x, ct->email, at->line, at->column);
			}
		}
	}
	crmf_cross_free(x);
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
