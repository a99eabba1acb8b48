/* SPDX-License-Identifier: MIT */
/* Spreadsheet rows to customer files: values typed, rendered as YAML, checked, problems at cells. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmf/check.h"
#include "crmf/edit.h"
#include "crmf/import.h"
#include "crmf/perf.h"
#include "import_private.h"
#include "util.h"

/* How many rows from the top may hold the header. */
#define HEADER_SCAN 20

/* ---- small text helpers ---- */

static char *trimmed(const char *s)
{
	size_t n = strlen(s);

	while (n && strchr(" \t\r\n", s[n - 1]))
		n--;
	while (n && strchr(" \t\r\n", *s))
		s++, n--;
	/* U+3000, the ideographic space, at either end */
	while (n >= 3 && memcmp(s, "\u3000", 3) == 0)
		s += 3, n -= 3;
	while (n >= 3 && memcmp(s + n - 3, "\u3000", 3) == 0)
		n -= 3;
	return xstrndup(s, n);
}

static bool placeholder(const char *s)
{
	static const char *const empty[] = {"-", "--", "—", "——", "/", "n/a", "na", "无", "暂无", "空", "null"};
	char *n = import_norm(s);
	bool yes = !*n;

	for (size_t i = 0; !yes && i < sizeof(empty) / sizeof(empty[0]); i++)
		yes = strcmp(n, empty[i]) == 0;
	free(n);
	return yes;
}

static void val_set(struct val *v, const char *text, uint32_t col, bool raw)
{
	free(v->text);
	v->text = text ? xstrdup(text) : NULL;
	v->col = col;
	v->raw = raw;
	v->derived = false;
}

static void val_take(struct val *v, char *text, bool raw)
{
	free(v->text);
	v->text = text;
	v->raw = raw;
}

static bool has(const struct val *v)
{
	return v->text && *v->text;
}

/* ---- dates and numbers ---- */

static size_t digits(const char *s, size_t max, int *out)
{
	size_t i = 0;

	*out = 0;
	while (i < max && s[i] >= '0' && s[i] <= '9')
		*out = *out * 10 + (s[i++] - '0');
	return i;
}

/*
 * A date at the start of `s`: 2023-10-15, 2023/10/15, 2023.10.15 or
 * 2023年10月15日 (month and day of one or two digits), with a time (10:30, 10:30:00)
 * after a space or T when `with_time`. The bytes taken, or 0.
 */
static size_t lead_date(const char *s, crmf_day *day, int *minute, bool with_time)
{
	int y, m, d, hh, mm, ss;
	size_t i, k;
	bool cjk;
	char buf[32];

	*minute = -1;
	if ((i = digits(s, 4, &y)) != 4)
		return 0;
	cjk = strncmp(s + i, "年", 3) == 0;
	if (cjk)
		i += 3;
	else if (s[i] == '-' || s[i] == '/' || s[i] == '.')
		i++;
	else
		return 0;
	if ((k = digits(s + i, 2, &m)) == 0)
		return 0;
	i += k;
	if (cjk ? strncmp(s + i, "月", 3) != 0 : s[i] != s[4])
		return 0;
	i += cjk ? 3 : 1;
	if ((k = digits(s + i, 2, &d)) == 0)
		return 0;
	i += k;
	if (cjk && strncmp(s + i, "日", 3) == 0)
		i += 3;
	else if (cjk && strncmp(s + i, "号", 3) == 0)
		i += 3;
	if (s[i] >= '0' && s[i] <= '9')
		return 0;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
	if (m < 1 || m > 12 || d < 1 || d > 31 || crmf_date_parse(day, buf, 10) < 0)
		return 0;
	if (with_time && (s[i] == ' ' || s[i] == 'T') && digits(s + i + 1, 2, &hh) >= 1) {
		size_t j = i + 1 + digits(s + i + 1, 2, &hh);

		if (s[j] == ':' && digits(s + j + 1, 2, &mm) == 2 && hh < 24 && mm < 60) {
			j += 3;
			if (s[j] == ':' && digits(s + j + 1, 2, &ss) == 2)
				j += 3;
			if (!(s[j] >= '0' && s[j] <= '9')) {
				*minute = hh * 60 + mm;
				i = j;
			}
		}
	}
	return i;
}

static char *date_text(crmf_day day, int minute)
{
	char buf[32];

	crmf_date_format(day, buf);
	if (minute >= 0)
		snprintf(buf + 10, sizeof(buf) - 10, " %02d:%02d", minute / 60, minute % 60);
	return xstrdup(buf);
}

/* A date slot: a date cell or a date written as text; else left as written. */
static void type_date(struct val *v, const crmf_cell *cell, bool with_time)
{
	crmf_day day;
	int minute;
	size_t n;

	if (!has(v))
		return;
	if (cell && cell->type == CRMF_CELL_DATE) {
		val_take(v, date_text(cell->day, with_time ? cell->minute : -1), true);
		return;
	}
	n = lead_date(v->text, &day, &minute, with_time);
	if (n && v->text[n] == '\0')
		val_take(v, date_text(day, minute), true);
}

static char *amount_text(double x)
{
	char buf[64];

	x = round(x * 100) / 100;
	if (x == floor(x) && fabs(x) < 1e15) {
		snprintf(buf, sizeof(buf), "%.0f", x);
	} else {
		size_t n;

		snprintf(buf, sizeof(buf), "%.2f", x);
		n = strlen(buf);
		while (n && buf[n - 1] == '0')
			buf[--n] = '\0';
	}
	return xstrdup(buf);
}

/* An amount: a number cell, or text such as "50", "1,200", "¥3000", "50万"; times scale. */
static void type_amount(struct val *v, const crmf_cell *cell, double scale)
{
	strbuf sb = STRBUF_INIT;
	const char *s = v->text;
	char *end;
	double x;

	if (!has(v))
		return;
	if (cell && cell->type == CRMF_CELL_NUMBER && v->col) {
		val_take(v, amount_text(cell->number * scale), true);
		return;
	}
	if (strncmp(s, "¥", 2) == 0)
		s += 2;
	else if (strncmp(s, "￥", 3) == 0)
		s += 3;
	for (; *s; s++)
		if (*s != ',' && *s != ' ')
			sb_addc(&sb, *s);
	if (!sb.buf) {
		return;
	}
	if (sb.len >= 3 && strcmp(sb.buf + sb.len - 3, "元") == 0)
		sb.buf[sb.len -= 3] = '\0';
	if (sb.len >= 3 && strcmp(sb.buf + sb.len - 3, "万") == 0) {
		sb.buf[sb.len -= 3] = '\0';
		if (scale == 1)
			scale = 10000;
	}
	x = strtod(sb.buf, &end);
	if (sb.len && end != sb.buf && !*end && isfinite(x) && (sb.buf[0] == '-' || (sb.buf[0] >= '0' && sb.buf[0] <= '9') || sb.buf[0] == '.'))
		val_take(v, amount_text(x * scale), true);
	sb_release(&sb);
}

/* ---- closed sets ---- */

struct pair {
	const char *from, *to;
};

static const struct pair stage_words[] = {
	{"初次接触", "lead"},	  {"需求沟通", "intent"},     {"方案提交", "intent"},
	{"合同谈判", "negotiation"}, {"谈判中", "negotiation"}, {"合作中", "customer"},
	{"已签约", "customer"},	  {"暂停合作", "at-risk"},    {"潜在期", "lead"},
	{"意向期", "intent"},	  {"成交期", "negotiation"},  {"合作期", "customer"},
	{"流失预警期", "at-risk"}, {"流失预警", "at-risk"},    {"流失", "lost"},
	{"已流失", "lost"},	  {"终止合作", "lost"},	      {NULL, NULL},
};
static const struct pair customer_type_words[] = {
	{"潜在客户", "lead"},	{"意向客户", "intent"}, {"成交客户", "customer"},
	{"流失客户", "lost"},	{"潜在", "lead"},	{"意向", "intent"},
	{"成交", "customer"},	{"流失", "lost"},	{"lead", "lead"},
	{"intent", "intent"},	{"customer", "customer"}, {"lost", "lost"},
	{NULL, NULL},
};
static const struct pair potential_words[] = {
	{"高", "high"},	  {"中", "medium"}, {"低", "low"},	{"高潜力", "high"},
	{"中潜力", "medium"}, {"低潜力", "low"}, {"较高", "high"}, {"一般", "medium"},
	{NULL, NULL},
};
static const struct pair grade_words[] = {
	{"a", "A"},   {"b", "B"},   {"c", "C"},	  {"a级", "A"}, {"b级", "B"},
	{"c级", "C"}, {"a类", "A"}, {"b类", "B"}, {"c类", "C"}, {NULL, NULL},
};
static const struct pair method_words[] = {
	{"电话", "phone"},   {"电联", "phone"},	   {"拜访", "visit"},	  {"上门拜访", "visit"},
	{"上门", "visit"},   {"面谈", "visit"},	   {"邮件", "email"},	  {"电子邮件", "email"},
	{"邮箱", "email"},   {"会议", "meeting"},  {"线上会议", "meeting"}, {"视频会议", "meeting"},
	{"微信", "wechat"},  {"其他", "other"},	   {NULL, NULL},
};

static const char *lookup(const struct pair *t, const char *norm)
{
	for (; t->from; t++)
		if (strcmp(t->from, norm) == 0)
			return t->to;
	return NULL;
}

/* A value of a closed set: the user's map, crmf's words, a canonical value in
 * any case, a label of crmf.yaml; NULL when none. */
static const char *closed_value(const struct import_priv *P, int slot, const char *text,
				const struct pair *words, const char *const *canon, size_t n_canon)
{
	char *norm = import_norm(text);
	const char *to = import_user_value(P->map, slot, NULL, norm);

	if (!to && words)
		to = lookup(words, norm);
	for (size_t i = 0; !to && i < n_canon; i++)
		if (strcasecmp(canon[i], norm) == 0)
			to = canon[i];
	for (size_t i = 0; !to && P->cfg && i < P->cfg->n_labels; i++) {
		const crmf_label *l = &P->cfg->labels[i];

		if (strcmp(l->field, import_slot_path[slot]) == 0 && strcmp(l->label, text) == 0)
			to = l->value;
	}
	free(norm);
	return to;
}

static void type_closed(const struct import_priv *P, struct val *v, int slot,
			const struct pair *words, const char *const *canon, size_t n_canon)
{
	const char *to;

	if (has(v) && (to = closed_value(P, slot, v->text, words, canon, n_canon)))
		val_take(v, xstrdup(to), false);
}

static bool in_list(const crmf_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* 企业规模: "50人以下" is <50, "200人以上" >200, "50-200人" 50-200, when listed. */
static void type_size(const struct import_priv *P, struct val *v)
{
	char *norm, *t;
	const char *user;
	size_t n;

	if (!has(v) || in_list(&P->cfg->sizes, v->text))
		return;
	norm = import_norm(v->text);
	if ((user = import_user_value(P->map, S_SIZE, NULL, norm))) {
		val_take(v, xstrdup(user), false);
		free(norm);
		return;
	}
	n = strlen(norm);
	t = NULL;
	if (n > 6 && strcmp(norm + n - 6, "以下") == 0)
		t = xasprintf("<%.*s", (int)(n - 6), norm);
	else if (n > 6 && strcmp(norm + n - 6, "以上") == 0)
		t = xasprintf(">%.*s", (int)(n - 6), norm);
	else
		t = xstrdup(norm);
	/* "50人以下": the 人 goes */
	n = strlen(t);
	if (n > 3 && strcmp(t + n - 3, "人") == 0)
		t[n - 3] = '\0';
	if (in_list(&P->cfg->sizes, t))
		val_take(v, t, false);
	else
		free(t);
	free(norm);
}

/* 客户来源: the user's map, else the one listed source the text holds. */
static void type_source(const struct import_priv *P, struct val *v)
{
	char *norm;
	const char *user, *found = NULL;
	size_t hits = 0;

	if (!has(v) || in_list(&P->cfg->sources, v->text))
		return;
	norm = import_norm(v->text);
	user = import_user_value(P->map, S_SOURCE, NULL, norm);
	free(norm);
	if (user) {
		val_take(v, xstrdup(user), false);
		return;
	}
	for (size_t i = 0; i < P->cfg->sources.n; i++)
		if (strstr(v->text, P->cfg->sources.v[i])) {
			found = P->cfg->sources.v[i];
			hits++;
		}
	if (hits == 1)
		val_take(v, xstrdup(found), false);
}

static void type_user_map(const struct import_priv *P, struct val *v, int slot)
{
	char *norm;
	const char *user;

	if (!has(v))
		return;
	norm = import_norm(v->text);
	user = import_user_value(P->map, slot, NULL, norm);
	free(norm);
	if (user)
		val_take(v, xstrdup(user), false);
}

static void type_industry(const struct import_priv *P, struct val *v)
{
	char *t;

	type_user_map(P, v, S_INDUSTRY);
	if (!has(v) || !P->cfg->has_industries || in_list(&P->cfg->industries, v->text))
		return;
	/* 制造业-汽车零部件 for 制造业/汽车零部件 */
	t = xstrdup(v->text);
	for (char *p = t; *p; p++)
		if (*p == '-')
			*p = '/';
	if (in_list(&P->cfg->industries, t))
		val_take(v, t, false);
	else
		free(t);
}

static void type_member(const struct import_priv *P, struct val *v, int slot)
{
	const crmf_member *m;

	type_user_map(P, v, slot);
	if (has(v) && (m = crmf_config_member(P->cfg, v->text)))
		val_take(v, xstrdup(m->id), false);
}

/* A follow-up's method from its summary when no column gives one. */
static const char *guess_method(const char *summary)
{
	static const struct pair words[] = {
		{"微信", "wechat"}, {"电话", "phone"}, {"致电", "phone"}, {"拜访", "visit"},
		{"上门", "visit"},  {"面谈", "visit"}, {"邮件", "email"}, {"会议", "meeting"},
		{NULL, NULL},
	};

	for (const struct pair *w = words; summary && w->from; w++)
		if (strstr(summary, w->from))
			return w->to;
	return "other";
}

/* ---- a row to values ---- */

typedef struct row_ctx {
	crmf_import *imp;
	struct import_priv *P;
	const crmf_sheet_row *srow;
	crmf_diags *diags; /* this row's */
} row_ctx;

static const char *col_header(const crmf_import *imp, uint32_t col)
{
	for (size_t i = 0; i < imp->n_columns; i++)
		if (imp->columns[i].col == col)
			return imp->columns[i].header;
	return NULL;
}

/* A diagnostic at a cell of the row (col 0: the whole row), its column in brackets. */
static void row_diag(row_ctx *R, crmf_severity sev, uint32_t col, const char *rule,
		     const char *msg)
{
	char ref[32];
	char *where;
	const char *h = col ? col_header(R->imp, col) : NULL;

	if (col)
		crmf_cell_ref(ref, sizeof(ref), R->srow->row, col);
	else
		snprintf(ref, sizeof(ref), "%u:%u", R->srow->row, R->srow->row);
	where = xasprintf("%s!%s", R->imp->where, ref);
	if (h)
		crmf_diags_add(R->diags, sev, where, 0, (int)col, rule, "%s (%s)", msg, h);
	else
		crmf_diags_add(R->diags, sev, where, 0, (int)col, rule, "%s", msg);
	free(where);
}

static const crmf_cell *cell_of(const row_ctx *R, const struct val *v)
{
	return v->col ? crmf_sheet_row_cell(R->srow, v->col) : NULL;
}

static void collect(row_ctx *R, struct rowvals *rv)
{
	const crmf_import *imp = R->imp;
	const struct import_priv *P = R->P;

	for (size_t i = 0; i < imp->n_columns; i++) {
		int slot = P->col_slot[i];
		const crmf_cell *c = crmf_sheet_row_cell(R->srow, imp->columns[i].col);
		struct val *v;
		char *t;

		if (slot == S_NONE || slot == S_SKIP || !c)
			continue;
		v = import_val(rv, slot);
		t = trimmed(c->text);
		if (placeholder(t)) {
			free(t);
			continue;
		}
		if (has(v)) {
			if (strcmp(v->text, t) != 0) {
				char *msg = xasprintf(crmf_tr("not imported: '%s' already comes from column %s"),
						      slot >= S_CUSTOM ? P->cfg->fields[slot - S_CUSTOM].name
								       : import_slot_name(slot),
						      col_header(imp, v->col));

				row_diag(R, CRMF_SEV_WARNING, imp->columns[i].col, "import-column", msg);
				free(msg);
			}
			free(t);
			continue;
		}
		val_take(v, t, false);
		v->col = imp->columns[i].col;
		(void)i;
	}
	/* constants fill what the row leaves empty */
	for (size_t i = 0; P->map && i < P->map->n_consts; i++) {
		const struct import_const *k = &P->map->consts[i];
		struct val *v = NULL;

		if (k->slot == S_CUSTOM) {
			for (size_t j = 0; j < P->n_custom; j++)
				if (strcmp(P->cfg->fields[j].name, k->custom) == 0)
					v = &rv->custom[j];
		} else {
			v = import_val(rv, k->slot);
		}
		if (v && !has(v))
			val_set(v, k->value, 0, false);
	}
}

static double scale_of(const row_ctx *R, uint32_t col)
{
	for (size_t i = 0; i < R->imp->n_columns; i++)
		if (R->imp->columns[i].col == col)
			return R->imp->columns[i].scale;
	return 1;
}

static void split_next_plan(row_ctx *R, struct rowvals *rv)
{
	struct val *plan = &rv->v[S_NEXT_PLAN];
	const crmf_cell *c = cell_of(R, plan);
	crmf_day day;
	int minute;
	size_t n;
	const char *rest;

	if (!has(plan))
		return;
	if (c && c->type == CRMF_CELL_DATE) {
		if (!has(&rv->v[S_F_DUE]))
			val_set(&rv->v[S_F_DUE], c->text, plan->col, false);
		return;
	}
	n = lead_date(plan->text, &day, &minute, false);
	rest = plan->text + n;
	if (n) {
		if (!has(&rv->v[S_F_DUE])) {
			val_take(&rv->v[S_F_DUE], date_text(day, -1), true);
			rv->v[S_F_DUE].col = plan->col;
		}
		/* separators between the date and the action */
		for (;;) {
			if (*rest == ' ' || *rest == ':' || *rest == ',' || *rest == '-')
				rest++;
			else if (strncmp(rest, "：", 3) == 0 || strncmp(rest, "，", 3) == 0 ||
				 strncmp(rest, "、", 3) == 0 || strncmp(rest, "\u3000", 3) == 0)
				rest += 3;
			else
				break;
		}
	}
	if (*rest && !has(&rv->v[S_F_NEXT]))
		val_set(&rv->v[S_F_NEXT], rest, plan->col, false);
}

static void type_custom(const struct import_priv *P, struct val *v, const crmf_field_def *f,
			const crmf_cell *cell)
{
	char *norm;
	const char *user;

	if (!has(v))
		return;
	norm = import_norm(v->text);
	user = import_user_value(P->map, S_CUSTOM, f->name, norm);
	if (user) {
		val_take(v, xstrdup(user), false);
	} else if (f->type == CRMF_FT_DATE) {
		type_date(v, cell, false);
	} else if (f->type == CRMF_FT_NUMBER) {
		type_amount(v, cell, 1);
	} else if (f->type == CRMF_FT_BOOL) {
		static const char *const yes[] = {"是", "yes", "y", "true", "1", "√", "有"};
		static const char *const no[] = {"否", "no", "n", "false", "0", "×", "无"};

		for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (strcmp(norm, yes[i]) == 0)
				val_take(v, xstrdup("true"), true);
			else if (strcmp(norm, no[i]) == 0)
				val_take(v, xstrdup("false"), true);
		}
	}
	free(norm);
}

/* "张三/李四" split at / 、 ; ， and line breaks into at most `max` trimmed parts
 * (malloc'ed); 0 when there are more, or an empty part. */
static size_t split_multi(const char *s, char **parts, size_t max)
{
	size_t n = 0;

	while (s) {
		size_t k = 0, skip = 0;
		char *t, *p;

		for (; s[k]; k++) {
			if (strchr("/;,\n", s[k])) {
				skip = 1;
				break;
			}
			if (!strncmp(s + k, "、", 3) || !strncmp(s + k, "；", 3) ||
			    !strncmp(s + k, "，", 3) || !strncmp(s + k, "／", 3)) {
				skip = 3;
				break;
			}
		}
		p = xstrndup(s, k);
		t = trimmed(p);
		free(p);
		if (!*t || n == max) {
			free(t);
			while (n)
				free(parts[--n]);
			return 0;
		}
		parts[n++] = t;
		s = skip ? s + k + skip : NULL;
	}
	return n;
}

/*
 * Several contacts in one row: "张三/李四" in 联系人 with as many phones (or
 * emails) in theirs, when no numbered column gives a second contact and the
 * counts agree; and a numbered contact without a name (电话2 alone) is the
 * first contact's other number, under the first contact's name.
 */
static void contacts_of_row(struct rowvals *rv)
{
	struct val *c = &rv->v[S_C_NAME];
	char *part[4][IMPORT_MAX_CONTACTS];
	size_t n[4] = {0};
	bool extra = false, clean;

	for (int s = S_XC; s < S_XC_END; s++)
		extra = extra || has(import_val(rv, s));
	if (!extra && has(&c[0]))
		n[0] = split_multi(c[0].text, part[0], IMPORT_MAX_CONTACTS);
	if (n[0] == 1) /* one name: nothing to split */
		free(part[0][0]);
	if (n[0] > 1) {
		for (int f = 1; f < 4; f++)
			n[f] = has(&c[f]) ? split_multi(c[f].text, part[f], IMPORT_MAX_CONTACTS) : 0;
		clean = (n[2] == n[0] || !has(&c[2])) && (n[3] == n[0] || !has(&c[3])) &&
			(n[2] == n[0] || n[3] == n[0]) && (n[1] == n[0] || n[1] <= 1);
		for (int f = 0; f < 4; f++) {
			for (size_t k = 0; k < n[f]; k++) {
				if (clean && n[f] == n[0]) {
					struct val *to = k ? &rv->xc[k - 1][f] : &c[f];

					val_set(to, part[f][k], c[f].col, false);
					to->raw = false;
				}
				free(part[f][k]);
			}
		}
	}
	for (int k = 0; k < IMPORT_MAX_CONTACTS - 1; k++) {
		struct val *x = rv->xc[k];

		if (!has(&x[0]) && has(&c[0]) && (has(&x[1]) || has(&x[2]) || has(&x[3]))) {
			val_set(&x[0], c[0].text, c[0].col, false);
			x[0].derived = true;
		}
	}
}

static void type_row(row_ctx *R, struct rowvals *rv)
{
	struct import_priv *P = R->P;
	struct val *v = rv->v;

	type_date(&v[S_CREATED], cell_of(R, &v[S_CREATED]), false);
	type_date(&v[S_D_SIGNED], cell_of(R, &v[S_D_SIGNED]), false);
	type_date(&v[S_D_EXPIRES], cell_of(R, &v[S_D_EXPIRES]), false);
	type_date(&v[S_F_DATE], cell_of(R, &v[S_F_DATE]), true);
	type_amount(&v[S_D_AMOUNT], cell_of(R, &v[S_D_AMOUNT]),
		    v[S_D_AMOUNT].col ? scale_of(R, v[S_D_AMOUNT].col) : 1);
	type_size(P, &v[S_SIZE]);
	type_source(P, &v[S_SOURCE]);
	type_industry(P, &v[S_INDUSTRY]);
	type_member(P, &v[S_OWNER], S_OWNER);
	type_member(P, &v[S_F_BY], S_F_BY);
	type_closed(P, &v[S_STAGE], S_STAGE, stage_words, crmf_stage_values, CRMF_N_STAGES);
	type_closed(P, &v[S_CUSTOMER_TYPE], S_CUSTOMER_TYPE, customer_type_words, NULL, 0);
	type_closed(P, &v[S_POTENTIAL], S_POTENTIAL, potential_words, crmf_potential_values,
		    CRMF_N_POTENTIALS);
	type_closed(P, &v[S_GRADE], S_GRADE, grade_words, crmf_grade_values, CRMF_N_GRADES);
	type_closed(P, &v[S_F_METHOD], S_F_METHOD, method_words, crmf_method_values,
		    CRMF_N_METHODS);
	for (int s = 0; s < N_SLOTS; s++)
		if (s == S_NAME || s == S_TAGS || s == S_C_NAME || s == S_C_TITLE ||
		    s == S_C_PHONE || s == S_C_EMAIL || s == S_N_TYPE || s == S_N_DESC ||
		    s == S_N_BUDGET || s == S_N_TIMELINE || s == S_F_WITH || s == S_F_SUMMARY ||
		    s == S_F_FEEDBACK)
			type_user_map(P, &v[s], s);
	for (int s = S_XC; s < S_XC_END; s++)
		type_user_map(P, import_val(rv, s), import_base_slot(s));
	contacts_of_row(rv);
	for (size_t k = 0; k < P->n_custom; k++)
		type_custom(P, &rv->custom[k], &P->cfg->fields[k], cell_of(R, &rv->custom[k]));

	/* 客户类型: the stage when 合作阶段 is empty; 流失客户 always */
	if (has(&v[S_CUSTOMER_TYPE])) {
		bool lost = strcmp(v[S_CUSTOMER_TYPE].text, "lost") == 0;

		if (lost || !has(&v[S_STAGE]))
			val_set(&v[S_STAGE], v[S_CUSTOMER_TYPE].text, v[S_CUSTOMER_TYPE].col, false);
	}
	/* a row that says nothing of its stage is a lead: the first stage */
	if (!has(&v[S_STAGE]))
		val_set(&v[S_STAGE], "lead", 0, false);
	split_next_plan(R, rv);
	type_date(&v[S_F_DUE], cell_of(R, &v[S_F_DUE]), false);
	if (!has(&v[S_OWNER]) && has(&v[S_F_BY])) {
		val_set(&v[S_OWNER], v[S_F_BY].text, v[S_F_BY].col, false);
		v[S_OWNER].derived = true;
	}
	if (!has(&v[S_CREATED]))
		val_take(&v[S_CREATED], date_text(P->today, -1), true);
	if (has(&v[S_F_DATE]) || has(&v[S_F_SUMMARY])) {
		if (!has(&v[S_F_BY]) && has(&v[S_OWNER]))
			val_set(&v[S_F_BY], v[S_OWNER].text, v[S_OWNER].col, false);
		if (!has(&v[S_F_METHOD]))
			val_set(&v[S_F_METHOD], guess_method(v[S_F_SUMMARY].text), 0, false);
	} else if (has(&v[S_F_NEXT]) || has(&v[S_F_DUE])) {
		uint32_t col = v[S_NEXT_PLAN].col ? v[S_NEXT_PLAN].col
						  : v[S_F_NEXT].col ? v[S_F_NEXT].col : v[S_F_DUE].col;

		row_diag(R, CRMF_SEV_ERROR, col, "import-next-plan",
			 crmf_tr("a next step needs a follow-up to belong to; give the last contact's "
				 "date and summary (最近跟进日期, 跟进内容)"));
		val_set(&v[S_F_NEXT], NULL, 0, false);
		val_set(&v[S_F_DUE], NULL, 0, false);
	}
	if (!has(&v[S_D_AMOUNT]) && (has(&v[S_D_SIGNED]) || has(&v[S_D_EXPIRES]))) {
		uint32_t col = v[S_D_SIGNED].col ? v[S_D_SIGNED].col : v[S_D_EXPIRES].col;

		row_diag(R, CRMF_SEV_WARNING, col, "import-deal",
			 crmf_tr("a contract date without an amount (签约金额): no deal is recorded"));
	}
}

/* ---- rendering ---- */

typedef struct render {
	strbuf sb;
	int *line_slot; /* per line (0-based): the slot written on it, or S_NONE */
	size_t n_lines, cap_lines;
} render;

static void line_done(render *r, int slot)
{
	if (r->n_lines == r->cap_lines) {
		r->cap_lines = r->cap_lines ? 2 * r->cap_lines : 64;
		r->line_slot = xrealloc(r->line_slot, r->cap_lines * sizeof(*r->line_slot));
	}
	r->line_slot[r->n_lines++] = slot;
}

static void put_line(render *r, int slot, const char *prefix, const char *key, const char *value)
{
	sb_adds(&r->sb, prefix);
	sb_adds(&r->sb, key);
	sb_adds(&r->sb, ":");
	if (value) {
		sb_adds(&r->sb, " ");
		sb_adds(&r->sb, value);
	}
	sb_addc(&r->sb, '\n');
	line_done(r, slot);
}

static void put_val(render *r, int slot, const char *prefix, const char *key, const struct val *v)
{
	char *s;

	if (!has(v))
		return;
	s = v->raw ? xstrdup(v->text) : crmf_edit_scalar(v->text);
	if (!s)
		s = xstrdup("\"\""); /* not UTF-8: cannot happen with the readers' text */
	put_line(r, slot, prefix, key, s);
	free(s);
}

/* Tags and list fields: split at , ， ; ； 、 and line breaks. */
static void put_list(render *r, int slot, const char *key, const struct val *v)
{
	const char *p;

	if (!has(v))
		return;
	put_line(r, slot, "", key, NULL);
	p = v->text;
	while (*p) {
		size_t n = 0, skip = 0;
		char *item, *t, *s;

		while (p[n]) {
			if (strchr(",;\n\r", p[n])) {
				skip = 1;
				break;
			}
			if (strncmp(p + n, "，", 3) == 0 || strncmp(p + n, "；", 3) == 0 ||
			    strncmp(p + n, "、", 3) == 0) {
				skip = 3;
				break;
			}
			n++;
		}
		item = xstrndup(p, n);
		t = trimmed(item);
		if (*t) {
			s = crmf_edit_scalar(t);
			if (s) {
				sb_adds(&r->sb, "  - ");
				sb_adds(&r->sb, s);
				sb_addc(&r->sb, '\n');
				line_done(r, slot);
			}
			free(s);
		}
		free(t);
		free(item);
		p += n + skip;
		if (!skip)
			break;
	}
}

/* Whether a row has any contact value. */
bool import_row_contacts(const struct rowvals *rv)
{
	for (int s = S_C_NAME; s <= S_C_EMAIL; s++)
		if (has(&rv->v[s]))
			return true;
	for (int s = S_XC; s < S_XC_END; s++)
		if (has(import_val((struct rowvals *)rv, s)))
			return true;
	return false;
}

static bool any(const struct val *v, int from, int to)
{
	for (int s = from; s <= to; s++)
		if (has(&v[s]))
			return true;
	return false;
}

/* A record's fields: the first with "  - " or "  ", the others indented alike. */
static void put_record(render *r, const struct rowvals *rv, const int *slots, size_t n, bool list)
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		const char *prefix = !list ? "  " : first ? "  - " : "    ";
		const struct val *v = import_val((struct rowvals *)rv, slots[i]);
		const char *path = import_slot_path[import_base_slot(slots[i])];

		if (!has(v))
			continue;
		put_val(r, slots[i], prefix, crmf_field_key(crmf_field_find(path, strlen(path))), v);
		first = false;
	}
}

static void render_row(render *r, const struct import_priv *P, const struct rowvals *rv,
		       const char *id)
{
	static const int top[] = {S_NAME,    S_INDUSTRY, S_SIZE,  S_SOURCE, S_CREATED,
				  S_OWNER,   S_STAGE,	 S_POTENTIAL, S_GRADE};
	static const int contact[] = {S_C_NAME, S_C_TITLE, S_C_PHONE, S_C_EMAIL};
	static const int need[] = {S_N_TYPE, S_N_DESC, S_N_BUDGET, S_N_TIMELINE};
	static const int deal[] = {S_D_AMOUNT, S_D_SIGNED, S_D_EXPIRES};
	static const int fu[] = {S_F_DATE, S_F_BY,	S_F_METHOD, S_F_WITH,
				 S_F_SUMMARY, S_F_FEEDBACK, S_F_NEXT,  S_F_DUE};
	const struct val *v = rv->v;
	struct val idv = {(char *)id, v[S_ID].col, false, false};

	put_val(r, S_ID, "", "id", &idv);
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		put_val(r, top[i], "", import_slot_path[top[i]], &v[top[i]]);
	put_list(r, S_TAGS, "tags", &v[S_TAGS]);
	for (size_t k = 0; k < P->n_custom; k++) {
		const crmf_field_def *f = &P->cfg->fields[k];

		if (f->type == CRMF_FT_LIST)
			put_list(r, S_CUSTOM + (int)k, f->name, &rv->custom[k]);
		else
			put_val(r, S_CUSTOM + (int)k, "", f->name, &rv->custom[k]);
	}
	if (import_row_contacts(rv)) {
		put_line(r, S_NONE, "", "contacts", NULL);
		if (any(v, S_C_NAME, S_C_EMAIL))
			put_record(r, rv, contact, 4, true);
		for (int k = 0; k < IMPORT_MAX_CONTACTS - 1; k++) {
			int xs[4] = {S_XC + 4 * k, S_XC + 4 * k + 1, S_XC + 4 * k + 2, S_XC + 4 * k + 3};

			put_record(r, rv, xs, 4, true);
		}
	}
	if (any(v, S_N_TYPE, S_N_TIMELINE)) {
		put_line(r, S_NONE, "", "need", NULL);
		put_record(r, rv, need, 4, false);
	}
	if (has(&v[S_D_AMOUNT])) {
		put_line(r, S_NONE, "", "deals", NULL);
		put_record(r, rv, deal, 3, true);
	}
	if (has(&v[S_F_DATE]) || has(&v[S_F_SUMMARY])) {
		put_line(r, S_NONE, "", "followups", NULL);
		put_record(r, rv, fu, 8, true);
	}
	if (has(&v[S_NOTE])) {
		const char *p = v[S_NOTE].text;
		bool first = true;

		while (*p) {
			size_t n = strcspn(p, "\r\n");

			if (n) {
				sb_adds(&r->sb, first ? "# 备注: " : "#   ");
				/* control characters have no place in a comment */
				for (size_t i = 0; i < n; i++)
					sb_addc(&r->sb, (unsigned char)p[i] < 0x20 ? ' ' : p[i]);
				sb_addc(&r->sb, '\n');
				line_done(r, S_NOTE);
				first = false;
			}
			p += n;
			p += strspn(p, "\r\n");
		}
	}
}

/* ---- the import ---- */

static bool valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') ||
				  (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/* The slot of a header (normalised), S_NONE when no rule or default names it. */
static int slot_of_header(const struct import_priv *P, const char *norm, double *scale,
			  const char **custom)
{
	int s;

	*custom = NULL;
	*scale = 1;
	for (size_t i = P->map ? P->map->n_cols : 0; i-- > 0;) {
		const struct col_rule *c = &P->map->cols[i];

		if (strcmp(c->header, norm) == 0) {
			*scale = c->scale;
			if (c->slot == S_CUSTOM)
				*custom = c->custom;
			if (c->slot == S_D_AMOUNT && c->scale == 1) {
				double d;

				if (import_default_column(norm, &d) == S_D_AMOUNT)
					*scale = d;
			}
			return c->slot;
		}
	}
	if ((s = import_default_column(norm, scale)) != S_NONE)
		return s;
	for (size_t k = 0; k < P->n_custom; k++)
		if (strcmp(P->cfg->fields[k].name, norm) == 0) {
			*custom = P->cfg->fields[k].name;
			return S_CUSTOM;
		}
	return S_NONE;
}

static uint32_t find_header(const crmf_sheet *sheet, const struct import_priv *P)
{
	uint32_t best = 0;
	size_t best_n = 1;

	for (size_t r = 0; r < sheet->n_rows && sheet->rows[r].row <= HEADER_SCAN; r++) {
		size_t n = 0;

		for (size_t c = 0; c < sheet->rows[r].n; c++) {
			const crmf_cell *cell = &sheet->rows[r].cells[c];
			char *norm;
			double scale;
			const char *custom;
			int s;

			if (cell->type != CRMF_CELL_TEXT)
				continue;
			norm = import_norm(cell->text);
			s = slot_of_header(P, norm, &scale, &custom);
			n += s != S_NONE && s != S_SKIP;
			free(norm);
		}
		if (n > best_n) {
			best_n = n;
			best = sheet->rows[r].row;
		}
	}
	return best;
}

static void header_diag(crmf_import *imp, crmf_diags *diags, crmf_severity sev, uint32_t col,
			const char *rule, const char *msg)
{
	char ref[16];
	char *where;

	crmf_cell_ref(ref, sizeof(ref), imp->header_row, col);
	where = xasprintf("%s!%s", imp->where, ref);
	crmf_diags_add(diags, sev, where, 0, 0, rule, "%s", msg);
	if (sev == CRMF_SEV_ERROR)
		imp->errors++;
	else
		imp->warnings++;
	free(where);
}

static int setup_columns(crmf_import *imp, struct import_priv *P, crmf_diags *diags)
{
	const crmf_sheet *sheet = imp->sheet;
	const crmf_sheet_row *hr = NULL;
	bool named[N_SLOTS] = {false};
	uint32_t xc_col[IMPORT_MAX_CONTACTS - 1] = {0};

	for (size_t r = 0; r < sheet->n_rows; r++)
		if (sheet->rows[r].row == imp->header_row)
			hr = &sheet->rows[r];
	if (!hr)
		return crmf_error_set("%s: row %u, the header row, is empty", imp->where,
				      imp->header_row);
	imp->columns = xcalloc(hr->n, sizeof(*imp->columns));
	P->col_slot = xcalloc(hr->n, sizeof(*P->col_slot));
	P->col_scale = xcalloc(hr->n, sizeof(*P->col_scale));
	for (size_t c = 0; c < hr->n; c++) {
		const crmf_cell *cell = &hr->cells[c];
		crmf_import_column *col = &imp->columns[imp->n_columns];
		char *norm = import_norm(cell->text);
		const char *custom;
		double scale;
		int s = slot_of_header(P, norm, &scale, &custom);

		col->col = cell->col;
		col->header = cell->text;
		col->scale = scale;
		if (s == S_CUSTOM) {
			size_t k = 0;

			while (k < P->n_custom && strcmp(P->cfg->fields[k].name, custom) != 0)
				k++;
			if (k == P->n_custom) {
				char *msg = xasprintf(crmf_tr("column '%s' is mapped to '%s', which is not a "
						      "field of crmf.yaml; declare it under 'fields'"),
						      cell->text, custom);

				header_diag(imp, diags, CRMF_SEV_ERROR, cell->col, "import-column", msg);
				free(msg);
				s = S_NONE;
			} else {
				s = S_CUSTOM + (int)k;
				col->field = P->cfg->fields[k].name;
			}
		} else if (import_slot_xc(s)) {
			col->field = import_slot_name(s);
			if (!xc_col[(s - S_XC) / 4])
				xc_col[(s - S_XC) / 4] = cell->col;
		} else if (s >= 0) {
			col->field = import_slot_path[s];
			named[s] = true;
		} else if (s == S_NONE) {
			char *msg = xasprintf(crmf_tr("column '%s' is not imported; map it to a field under "
					      "'import: columns:' or mark it 'skip'"),
					      cell->text);

			header_diag(imp, diags, CRMF_SEV_WARNING, cell->col, "import-column", msg);
			free(msg);
		}
		P->col_slot[imp->n_columns] = s;
		P->col_scale[imp->n_columns] = scale;
		imp->n_columns++;
		free(norm);
	}
	P->no_name = !named[S_NAME];
	/* contact 3 without contact 2 would be contacts[1] in the file */
	for (size_t k = 1; k < IMPORT_MAX_CONTACTS - 1; k++)
		if (xc_col[k] && !xc_col[k - 1]) {
			char *msg = xasprintf(crmf_tr("contact %zu has columns but contact %zu has none; "
					      "number the contacts' columns from 2 without gaps"),
					      k + 2, k + 1);

			header_diag(imp, diags, CRMF_SEV_ERROR, xc_col[k], "import-column", msg);
			free(msg);
			break;
		}
	return 0;
}

/* What a row that updates a customer may lack: said only when its id is new. */
static bool held(const crmf_diag *d)
{
	return d->rule_id == CRMF_RULE_MISSING_FIELD || d->rule_id == CRMF_RULE_CONTACT_REACH ||
	       d->rule_id == CRMF_RULE_MISSING_POTENTIAL;
}

/* A row's diagnostics sorted by column (kept in `column` until now), then
 * given position 0:0, moved to the caller's list. */
static void flush_row(crmf_import_row *row, crmf_diags *rd, crmf_diags *out)
{
	for (size_t i = 1; i < rd->n; i++) {
		crmf_diag d = rd->v[i];
		size_t j = i;

		while (j > 0 && rd->v[j - 1].column > d.column) {
			rd->v[j] = rd->v[j - 1];
			j--;
		}
		rd->v[j] = d;
	}
	for (size_t i = 0; i < rd->n; i++) {
		crmf_diag *d = &rd->v[i];

		d->column = 0;
		/* a row of an existing customer need not give every required field */
		if (row->id && held(d))
			crmf_diags_add(&row->held, d->severity, d->path, d->line, 0, d->rule, "%s",
				       d->message);
		else if (d->severity == CRMF_SEV_ERROR)
			row->errors++;
		else
			row->warnings++;
	}
	if (row->held.n) {
		crmf_diags keep;

		crmf_diags_init(&keep);
		for (size_t i = 0; i < rd->n; i++) {
			const crmf_diag *d = &rd->v[i];

			if (!held(d))
				crmf_diags_add(&keep, d->severity, d->path, d->line, 0, d->rule, "%s",
					       d->message);
		}
		crmf_diags_release(rd);
		*rd = keep;
	}
	crmf_diags_move(out, rd);
}

/* check's diagnostics of the rendered file, moved to the row's cells. */
static void relocate(row_ctx *R, const render *rd, struct rowvals *rv, crmf_diags *cd)
{
	for (size_t i = 0; i < cd->n; i++) {
		const crmf_diag *d = &cd->v[i];
		int slot = d->line >= 1 && (size_t)d->line <= rd->n_lines ? rd->line_slot[d->line - 1]
									   : S_NONE;
		uint32_t col = 0;

		/* the import encrypts them as it writes */
		if (d->rule_id == CRMF_RULE_PLAIN_CONFIDENTIAL)
			continue;
		if (d->rule_id != CRMF_RULE_MISSING_FIELD && d->rule_id != CRMF_RULE_ID_FILENAME) {
			if (slot >= 0)
				col = import_val(rv, slot)->col;
		}
		row_diag(R, d->severity, col, d->rule, d->message);
	}
}

static void do_row(row_ctx *R, crmf_import_row *row, struct rowvals *rv)
{
	struct import_priv *P = R->P;
	render rd = {STRBUF_INIT, NULL, 0, 0};
	crmf_diags cd;
	crmf_doc *doc = NULL;
	crmf_customer *cust = NULL;
	const char *id;
	char *relpath;

	collect(R, rv);
	if (has(&rv->v[S_ID])) {
		if (valid_id(rv->v[S_ID].text)) {
			row->id = xstrdup(rv->v[S_ID].text);
		} else {
			char *msg = xasprintf(crmf_tr("'%s' is not a valid id (letters, digits, '.', '_', "
					      "'-'; 64 at most): the customer gets a new one"),
					      rv->v[S_ID].text);

			row_diag(R, CRMF_SEV_WARNING, rv->v[S_ID].col, "invalid-id", msg);
			free(msg);
		}
	}
	type_row(R, rv);
	id = row->id ? row->id : CRMF_IMPORT_NEW_ID;
	render_row(&rd, P, rv, id);
	row->len = rd.sb.len;
	row->yaml = sb_detach(&rd.sb);

	crmf_diags_init(&cd);
	relpath = xasprintf("customers/%s.yaml", id);
	crmf_doc_parse(&doc, relpath, row->yaml, row->len, &cd);
	if (doc)
		crmf_check_customer(&cust, doc, relpath, P->cfg, P->today, &cd);
	crmf_customer_free(cust);
	relocate(R, &rd, rv, &cd);
	crmf_diags_release(&cd);
	free(relpath);
	free(rd.line_slot);
}

static bool row_empty(const crmf_import *imp, const struct import_priv *P,
		      const crmf_sheet_row *srow)
{
	for (size_t i = 0; i < imp->n_columns; i++) {
		const crmf_cell *c;
		char *t;
		bool empty;

		if (P->col_slot[i] == S_NONE || P->col_slot[i] == S_SKIP)
			continue;
		if (!(c = crmf_sheet_row_cell(srow, imp->columns[i].col)))
			continue;
		t = trimmed(c->text);
		empty = placeholder(t);
		free(t);
		if (!empty)
			return false;
	}
	return true;
}

static int id_cmp(const void *a, const void *b)
{
	const crmf_import_row *const *x = a, *const *y = b;
	int c = strcmp((*x)->id, (*y)->id);

	return c ? c : ((*x)->row > (*y)->row) - ((*x)->row < (*y)->row);
}

static void duplicate_ids(crmf_import *imp, crmf_diags *diags)
{
	crmf_import_row **v = xcalloc(imp->n_rows ? imp->n_rows : 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < imp->n_rows; i++)
		if (imp->rows[i].id)
			v[n++] = &imp->rows[i];
	qsort(v, n, sizeof(*v), id_cmp);
	for (size_t i = 1; i < n; i++) {
		const struct rowvals *rv;
		char ref[16], *where;

		if (strcmp(v[i]->id, v[i - 1]->id) != 0)
			continue;
		rv = v[i]->priv;
		crmf_cell_ref(ref, sizeof(ref), v[i]->row, rv->v[S_ID].col);
		where = xasprintf("%s!%s", imp->where, ref);
		crmf_diags_add(diags, CRMF_SEV_ERROR, where, 0, 0, "duplicate-id",
			       "id '%s' is also the id of row %u", v[i]->id, v[i - 1]->row);
		v[i]->errors++;
		imp->errors++;
		free(where);
	}
	free(v);
}

struct rows_job {
	crmf_import *imp;
	struct import_priv *P;
	const crmf_sheet_row **srows;
	crmf_diags *rdiags;
};

static void rows_part(void *ctx, size_t part, size_t lo, size_t hi)
{
	struct rows_job *job = ctx;

	(void)part;
	for (size_t i = lo; i < hi; i++) {
		crmf_import_row *row = &job->imp->rows[i];
		struct rowvals *rv = xcalloc(1, sizeof(*rv));
		row_ctx R = {job->imp, job->P, job->srows[i], &job->rdiags[i]};

		rv->custom = xcalloc(job->P->n_custom ? job->P->n_custom : 1, sizeof(*rv->custom));
		row->priv = rv;
		crmf_diags_init(&job->rdiags[i]);
		do_row(&R, row, rv);
		if (job->P->progress) {
			struct import_priv *P = job->P;

			pthread_mutex_lock(&P->lock);
			if (++P->done - P->told >= 1000 || P->done == job->imp->n_rows) {
				P->told = P->done;
				P->progress(P->progress_ctx, CRMF_IMPORT_CHECKING, P->done,
					    job->imp->n_rows);
			}
			pthread_mutex_unlock(&P->lock);
		}
	}
}

int crmf_import_sheet(crmf_import **out, const crmf_sheet *sheet, const crmf_import_map *map,
		      const crmf_config *cfg, const crmf_import_options *opt, crmf_diags *diags)
{
	crmf_import *imp = xcalloc(1, sizeof(*imp));
	struct import_priv *P = xcalloc(1, sizeof(*P));
	const crmf_sheet_row **srows;
	crmf_diags *rdiags;

	*out = NULL;
	imp->priv = P;
	imp->sheet = sheet;
	imp->where = xstrdup(opt && opt->where ? opt->where : sheet->name);
	if (!cfg)
		crmf_config_load(&P->own_cfg, NULL, NULL);
	P->cfg = cfg ? cfg : P->own_cfg;
	if (!map)
		map = P->own_map = crmf_import_map_new();
	P->map = map;
	P->n_custom = P->cfg->n_fields;
	P->today = opt && opt->today ? opt->today : crmf_date_today();
	pthread_mutex_init(&P->lock, NULL);
	P->progress = opt ? opt->progress : NULL;
	P->progress_ctx = opt ? opt->progress_ctx : NULL;

	imp->header_row = opt && opt->header_row ? opt->header_row : map->header_row;
	if (!imp->header_row)
		imp->header_row = find_header(sheet, P);
	if (!imp->header_row) {
		crmf_error_set("%s: no header row: none of the first %d rows names two columns crmf "
			       "knows (客户名称, 联系人, 电话…); name the header row or map the "
			       "columns in crmf.yaml 'import:'",
			       imp->where, HEADER_SCAN);
		crmf_import_free(imp);
		return -1;
	}
	if (setup_columns(imp, P, diags) < 0) {
		crmf_import_free(imp);
		return -1;
	}
	imp->rows = xcalloc(sheet->n_rows ? sheet->n_rows : 1, sizeof(*imp->rows));
	srows = xcalloc(sheet->n_rows ? sheet->n_rows : 1, sizeof(*srows));
	for (size_t r = 0; r < sheet->n_rows; r++) {
		const crmf_sheet_row *srow = &sheet->rows[r];

		if (srow->row <= imp->header_row || row_empty(imp, P, srow))
			continue;
		srows[imp->n_rows] = srow;
		imp->rows[imp->n_rows++].row = srow->row;
	}
	/* rows are independent: mapped and checked on every core, reported in order */
	rdiags = xcalloc(imp->n_rows ? imp->n_rows : 1, sizeof(*rdiags));
	{
		struct rows_job job = {imp, P, srows, rdiags};

		crmf_parallel_for(imp->n_rows, crmf_parallel_parts(imp->n_rows, 256), rows_part,
				  &job);
	}
	/* a sheet of updates (every row with an id) may leave the name out */
	if (P->no_name) {
		bool any_new = imp->n_rows == 0;

		for (size_t i = 0; i < imp->n_rows && !any_new; i++)
			any_new = !imp->rows[i].id;
		if (any_new)
			header_diag(imp, diags, CRMF_SEV_ERROR, 1, "import-column",
				    crmf_tr("no column gives the customer's name (客户名称)"));
	}
	for (size_t i = 0; i < imp->n_rows; i++) {
		flush_row(&imp->rows[i], &rdiags[i], diags);
		crmf_diags_release(&rdiags[i]);
		imp->errors += imp->rows[i].errors;
		imp->warnings += imp->rows[i].warnings;
	}
	free(rdiags);
	free(srows);
	duplicate_ids(imp, diags);
	*out = imp;
	return 0;
}

char *crmf_import_render(const crmf_import *imp, const crmf_import_row *row, const char *id,
			 size_t *len)
{
	render rd = {STRBUF_INIT, NULL, 0, 0};

	render_row(&rd, imp->priv, row->priv, id);
	free(rd.line_slot);
	*len = rd.sb.len;
	return sb_detach(&rd.sb);
}

static void rowvals_free(struct rowvals *rv, size_t n_custom)
{
	if (!rv)
		return;
	for (int s = 0; s < N_SLOTS; s++)
		free(rv->v[s].text);
	for (int s = S_XC; s < S_XC_END; s++)
		free(import_val(rv, s)->text);
	for (size_t k = 0; k < n_custom; k++)
		free(rv->custom[k].text);
	free(rv->custom);
	free(rv);
}

void crmf_import_free(crmf_import *imp)
{
	struct import_priv *P;

	if (!imp)
		return;
	P = imp->priv;
	for (size_t i = 0; i < imp->n_rows; i++) {
		free(imp->rows[i].id);
		free(imp->rows[i].yaml);
		crmf_diags_release(&imp->rows[i].held);
		rowvals_free(imp->rows[i].priv, P->n_custom);
	}
	free(imp->rows);
	free(imp->columns);
	free(imp->where);
	crmf_config_free(P->own_cfg);
	crmf_import_map_free(P->own_map);
	free(P->col_slot);
	free(P->col_scale);
	pthread_mutex_destroy(&P->lock);
	free(P);
	free(imp);
}
