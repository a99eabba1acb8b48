/* SPDX-License-Identifier: MIT */
/* The record sheets of a workbook (联系人, 合同, 跟进记录) spliced into the imported customers' files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmf/check.h"
#include "crmf/edit.h"
#include "crmf/import_sheets.h"
#include "import_private.h"
#include "util.h"

#define HEADER_SCAN 20

enum kind { K_CONTACTS, K_DEALS, K_FOLLOWUPS, N_KINDS };

static const char *const kind_key[N_KINDS] = {"contacts", "deals", "followups"};

/* How a value of a column is typed. */
enum vtype { V_TEXT, V_DATE, V_DATETIME, V_AMOUNT, V_MEMBER, V_METHOD, V_BOOL };

struct colname {
	const char *norm; /* header, normalised (import_norm) */
	const char *key;  /* the record's key; NULL: the customer id; "" skipped */
	enum vtype type;
	double scale;
};

static const struct colname id_names[] = {
	{"客户编号", NULL, V_TEXT, 1}, {"编号", NULL, V_TEXT, 1},	 {"客户id", NULL, V_TEXT, 1},
	{"id", NULL, V_TEXT, 1},       {"customerid", NULL, V_TEXT, 1}, {"客户名称", "", V_TEXT, 1},
	{"客户全称", "", V_TEXT, 1},   {"公司名称", "", V_TEXT, 1},	 {"company", "", V_TEXT, 1},
	{NULL, NULL, V_TEXT, 0},
};

static const struct colname contact_names[] = {
	{"联系人", "name", V_TEXT, 1},	   {"联系人姓名", "name", V_TEXT, 1},
	{"姓名", "name", V_TEXT, 1},	   {"name", "name", V_TEXT, 1},
	{"职位", "title", V_TEXT, 1},	   {"职务", "title", V_TEXT, 1},
	{"title", "title", V_TEXT, 1},	   {"联系方式", "phone", V_TEXT, 1},
	{"电话", "phone", V_TEXT, 1},	   {"联系电话", "phone", V_TEXT, 1},
	{"手机", "phone", V_TEXT, 1},	   {"phone", "phone", V_TEXT, 1},
	{"电子邮箱", "email", V_TEXT, 1},  {"邮箱", "email", V_TEXT, 1},
	{"email", "email", V_TEXT, 1},	   {"主要联系人", "primary", V_BOOL, 1},
	{"primary", "primary", V_BOOL, 1}, {NULL, NULL, V_TEXT, 0},
};

static const struct colname deal_names[] = {
	{"签约金额(元)", "amount", V_AMOUNT, 1},   {"签约金额", "amount", V_AMOUNT, 1},
	{"金额", "amount", V_AMOUNT, 1},	   {"amount", "amount", V_AMOUNT, 1},
	{"签约金额(万元)", "amount", V_AMOUNT, 1e4}, {"金额(万元)", "amount", V_AMOUNT, 1e4},
	{"合作起始日期", "signed", V_DATE, 1},	   {"签约日期", "signed", V_DATE, 1},
	{"signed", "signed", V_DATE, 1},	   {"合同到期日", "expires", V_DATE, 1},
	{"到期日", "expires", V_DATE, 1},	   {"expires", "expires", V_DATE, 1},
	{NULL, NULL, V_TEXT, 0},
};

static const struct colname followup_names[] = {
	{"跟进日期", "date", V_DATETIME, 1},	{"最近跟进日期", "date", V_DATETIME, 1},
	{"date", "date", V_DATETIME, 1},	{"跟进人", "by", V_MEMBER, 1},
	{"by", "by", V_MEMBER, 1},		{"跟进方式", "method", V_METHOD, 1},
	{"method", "method", V_METHOD, 1},	{"沟通对象", "with", V_TEXT, 1},
	{"with", "with", V_TEXT, 1},		{"跟进内容", "summary", V_TEXT, 1},
	{"summary", "summary", V_TEXT, 1},	{"客户反馈", "feedback", V_TEXT, 1},
	{"feedback", "feedback", V_TEXT, 1},	{"下一步", "next", V_TEXT, 1},
	{"next", "next", V_TEXT, 1},		{"截止日期", "due", V_DATE, 1},
	{"due", "due", V_DATE, 1},		{NULL, NULL, V_TEXT, 0},
};

static const struct colname *const kind_names[N_KINDS] = {contact_names, deal_names,
							  followup_names};

/* The order of a record's keys in the file. */
static const char *const kind_order[N_KINDS][9] = {
	{"name", "title", "phone", "email", "primary", NULL},
	{"amount", "signed", "expires", NULL},
	{"date", "by", "method", "with", "summary", "feedback", "next", "due", NULL},
};

/* Which kind a sheet name holds, or -1. */
static int sheet_kind(const char *name)
{
	static const struct {
		const char *name;
		int kind;
	} names[] = {
		{"联系人", K_CONTACTS}, {"contacts", K_CONTACTS}, {"合同", K_DEALS},
		{"deals", K_DEALS},	{"跟进记录", K_FOLLOWUPS}, {"followups", K_FOLLOWUPS},
	};
	char *n = import_norm(name);
	int k = -1;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(n, names[i].name))
			k = names[i].kind;
	free(n);
	return k;
}

static const struct colname *find_col(int kind, const char *norm)
{
	for (const struct colname *c = id_names; c->norm; c++)
		if (!strcmp(c->norm, norm))
			return c;
	for (const struct colname *c = kind_names[kind]; c->norm; c++)
		if (!strcmp(c->norm, norm))
			return c;
	for (const struct colname *c = kind_names[kind]; c->norm; c++)
		if (!strcmp(c->key, norm))
			return c;
	return NULL;
}

/* ---- values ---- */

static char *trimmed(const char *s)
{
	size_t n = strlen(s);

	while (n && strchr(" \t\r\n", s[n - 1]))
		n--;
	while (n && strchr(" \t\r\n", *s))
		s++, n--;
	return xstrndup(s, n);
}

static bool placeholder(const char *s)
{
	static const char *const empty[] = {"", "-", "--", "—", "——", "/", "n/a", "无", "暂无"};
	char *n = import_norm(s);
	bool yes = false;

	for (size_t i = 0; !yes && i < sizeof(empty) / sizeof(empty[0]); i++)
		yes = !strcmp(n, empty[i]);
	free(n);
	return yes;
}

/* "2024-03-01", "2024/3/1", "2024.3.1", with " 16:00" when `with_time`; else NULL. */
static char *date_text(const char *s, bool with_time)
{
	int y, m, d, hh, mm, n = 0, k = 0;
	char sep1, sep2;

	if (sscanf(s, "%4d%c%2d%c%2d%n", &y, &sep1, &m, &sep2, &d, &n) != 5 || sep1 != sep2 ||
	    !strchr("-/.", sep1))
		return NULL;
	if (s[n] == '\0')
		return xasprintf("%04d-%02d-%02d", y, m, d);
	if (with_time && sscanf(s + n, " %2d:%2d%n", &hh, &mm, &k) == 2 && !s[n + k])
		return xasprintf("%04d-%02d-%02d %02d:%02d", y, m, d, hh, mm);
	return NULL;
}

static char *amount_text(double x)
{
	char buf[64];
	size_t n;

	x = round(x * 100) / 100;
	if (x == floor(x) && fabs(x) < 1e15)
		return xasprintf("%.0f", x);
	snprintf(buf, sizeof(buf), "%.2f", x);
	n = strlen(buf);
	while (n && buf[n - 1] == '0')
		buf[--n] = '\0';
	return xstrdup(buf);
}

static const char *method_word(const char *s)
{
	static const char *const words[][2] = {
		{"电话", "phone"}, {"拜访", "visit"}, {"上门拜访", "visit"}, {"邮件", "email"},
		{"会议", "meeting"}, {"微信", "wechat"}, {"其他", "other"},
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(s, words[i][0]))
			return words[i][1];
	return NULL;
}

/* A cell typed for `type`: the YAML scalar to write (malloc'ed), or NULL when empty. */
static char *typed(const crmf_cell *cell, enum vtype type, double scale, const crmf_config *cfg)
{
	char *t = trimmed(cell->text), *out = NULL, *end;
	const char *v;
	const crmf_member *m;
	double x;

	if (placeholder(t)) {
		free(t);
		return NULL;
	}
	switch (type) {
	case V_DATE:
	case V_DATETIME:
		if (cell->type == CRMF_CELL_DATE)
			out = type == V_DATE || cell->minute < 0 ? xstrndup(cell->text, 10)
								 : xstrdup(cell->text);
		else
			out = date_text(t, type == V_DATETIME);
		if (out && strlen(out) > 10) { /* "2025-06-09 16:00", quoted as crmf writes it */
			char *q = crmf_edit_scalar(out);

			free(out);
			out = q;
		}
		break;
	case V_AMOUNT:
		if (cell->type == CRMF_CELL_NUMBER) {
			out = amount_text(cell->number * scale);
		} else {
			strbuf sb = STRBUF_INIT;

			for (const char *p = t; *p; p++)
				if (*p != ',')
					sb_addc(&sb, *p);
			x = sb.buf ? strtod(sb.buf, &end) : 0;
			if (sb.buf && end != sb.buf && !*end && isfinite(x))
				out = amount_text(x * scale);
			sb_release(&sb);
		}
		break;
	case V_MEMBER:
		if ((m = crmf_config_member(cfg, t)))
			out = crmf_edit_scalar(m->id);
		break;
	case V_METHOD:
		if ((v = crmf_config_value(cfg, "followups.method", t)) || (v = method_word(t)))
			out = xstrdup(v);
		break;
	case V_BOOL: {
		char *n = import_norm(t);

		if (!strcmp(n, "是") || !strcmp(n, "true") || !strcmp(n, "yes") || !strcmp(n, "y"))
			out = xstrdup("true");
		else if (!strcmp(n, "否") || !strcmp(n, "false") || !strcmp(n, "no") ||
			 !strcmp(n, "n"))
			out = xstrdup("false");
		free(n);
		break;
	}
	case V_TEXT:
		break;
	}
	/* as written, so that the check names it at its cell */
	if (!out)
		out = crmf_edit_scalar(t);
	free(t);
	return out;
}

/* ---- the records of each customer ---- */

/* Where a rendered line came from. */
struct origin {
	char *where; /* "team.xlsx:跟进记录!G5 (跟进内容)" split: the cell, then the header */
	const char *header;
};

struct block {
	strbuf sb;		/* "  - key: value\n…" */
	struct origin *lines;	/* one per line of sb */
	size_t n, cap;
	bool any;
};

struct acc {
	struct block b[N_KINDS];
};

static void block_line(struct block *b, const char *line, char *where, const char *header)
{
	sb_adds(&b->sb, line);
	sb_addc(&b->sb, '\n');
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->lines = xrealloc(b->lines, b->cap * sizeof(*b->lines));
	}
	b->lines[b->n++] = (struct origin){where, header};
}

struct idx {
	const char *id;
	size_t row;
};

static int idx_cmp(const void *a, const void *b)
{
	return strcmp(((const struct idx *)a)->id, ((const struct idx *)b)->id);
}

static void add_diag(crmf_import *imp, crmf_import_row *row, crmf_diags *diags, crmf_severity sev,
		     const char *where, const char *rule, const char *msg)
{
	crmf_diags_add(diags, sev, where, 0, 0, rule, "%s", msg);
	if (sev == CRMF_SEV_ERROR) {
		imp->errors++;
		if (row)
			row->errors++;
	} else {
		imp->warnings++;
		if (row)
			row->warnings++;
	}
}

static char *cell_where(const char *sheet_where, uint32_t row, uint32_t col)
{
	char ref[32];

	if (col)
		crmf_cell_ref(ref, sizeof(ref), row, col);
	else
		snprintf(ref, sizeof(ref), "%u:%u", row, row);
	return xasprintf("%s!%s", sheet_where, ref);
}

struct col {
	uint32_t col;
	const char *header;
	const struct colname *name; /* NULL: not known */
};

/* The header row: the first of the first rows naming 客户编号 and another known column. */
static uint32_t header_row(const crmf_sheet *s, int kind)
{
	for (size_t r = 0; r < s->n_rows && s->rows[r].row <= HEADER_SCAN; r++) {
		bool id = false;
		size_t known = 0;

		for (size_t c = 0; c < s->rows[r].n; c++) {
			char *n = import_norm(s->rows[r].cells[c].text);
			const struct colname *cn = find_col(kind, n);

			id = id || (cn && !cn->key);
			known += cn && cn->key && *cn->key;
			free(n);
		}
		if (id && known)
			return s->rows[r].row;
	}
	return 0;
}

static void read_sheet(crmf_import *imp, const crmf_sheet *s, int kind, const char *sheet_where,
		       const struct idx *ids, size_t n_ids, struct acc *accs,
		       const crmf_config *cfg, crmf_diags *diags)
{
	uint32_t hr = header_row(s, kind);
	const crmf_sheet_row *h = NULL;
	struct col *cols;
	size_t n_cols = 0;
	uint32_t id_col = 0;

	if (!hr) {
		char *w = cell_where(sheet_where, 1, 1);

		add_diag(imp, NULL, diags, CRMF_SEV_ERROR, w, "import-column",
			 crmf_tr("no header row naming 客户编号 and the records' columns"));
		free(w);
		return;
	}
	for (size_t r = 0; r < s->n_rows; r++)
		if (s->rows[r].row == hr)
			h = &s->rows[r];
	cols = xcalloc(h->n, sizeof(*cols));
	for (size_t c = 0; c < h->n; c++) {
		char *n = import_norm(h->cells[c].text);
		const struct colname *cn = find_col(kind, n);

		free(n);
		cols[n_cols++] = (struct col){h->cells[c].col, h->cells[c].text, cn};
		if (cn && !cn->key && !id_col)
			id_col = h->cells[c].col;
		if (!cn) {
			char *w = cell_where(sheet_where, hr, h->cells[c].col);
			char *msg = xasprintf(crmf_tr("column '%s' is not imported"), h->cells[c].text);

			add_diag(imp, NULL, diags, CRMF_SEV_WARNING, w, "import-column", msg);
			free(msg);
			free(w);
		}
	}
	for (size_t r = 0; r < s->n_rows; r++) {
		const crmf_sheet_row *sr = &s->rows[r];
		const crmf_cell *idc;
		struct idx want, *hit;
		char *id, *vals[16] = {NULL};
		uint32_t vcol[16] = {0};
		const char *vhead[16] = {NULL};
		bool any = false;
		struct block *b;

		if (sr->row <= hr)
			continue;
		for (size_t c = 0; c < n_cols; c++) {
			const crmf_cell *cell = crmf_sheet_row_cell(sr, cols[c].col);
			size_t k = 0;

			if (!cell || !cols[c].name || !cols[c].name->key || !*cols[c].name->key)
				continue;
			while (kind_order[kind][k] && strcmp(kind_order[kind][k], cols[c].name->key))
				k++;
			if (vals[k])
				continue; /* the first column naming the key gives it */
			vals[k] = typed(cell, cols[c].name->type, cols[c].name->scale, cfg);
			vcol[k] = cols[c].col;
			vhead[k] = cols[c].header;
			any = any || vals[k];
		}
		if (!any)
			goto next;
		idc = crmf_sheet_row_cell(sr, id_col);
		id = idc ? trimmed(idc->text) : xstrdup("");
		want.id = id;
		hit = n_ids ? bsearch(&want, ids, n_ids, sizeof(*ids), idx_cmp) : NULL;
		if (!hit) {
			char *w = cell_where(sheet_where, sr->row, id_col);
			char *msg = *id ? xasprintf(crmf_tr("customer '%s' is not in the sheet imported (%s); "
						    "its %s cannot be added"),
						    id, imp->sheet->name, kind_key[kind])
					: xasprintf(crmf_tr("no 客户编号: the row belongs to no customer"));

			add_diag(imp, NULL, diags, CRMF_SEV_ERROR, w, "import-record", msg);
			free(msg);
			free(w);
			free(id);
			goto next;
		}
		free(id);
		b = &accs[hit->row].b[kind];
		b->any = true;
		for (size_t k = 0, first = 1; kind_order[kind][k]; k++) {
			char *line;

			if (!vals[k])
				continue;
			line = xasprintf("%s%s: %s", first ? "  - " : "    ", kind_order[kind][k],
					 vals[k]);
			block_line(b, line, cell_where(sheet_where, sr->row, vcol[k]), vhead[k]);
			free(line);
			first = 0;
		}
	next:
		for (size_t k = 0; k < 16; k++)
			free(vals[k]);
	}
	free(cols);
}

/* ---- splicing the blocks into a customer file ---- */

/* Whether a top-level line `l` comes after the block of `kind` in a file. */
static bool after(const char *l, int kind)
{
	if (*l == '#')
		return true;
	if (kind == K_CONTACTS && !strncmp(l, "need:", 5))
		return true;
	if (kind <= K_CONTACTS && !strncmp(l, "deals:", 6))
		return true;
	return kind <= K_DEALS && !strncmp(l, "followups:", 10);
}

/* The file of `row` with the blocks of `acc` in place of its own records;
 * *first_line[k] is the line number of block k's first item. */
static char *splice(const char *yaml, struct acc *acc, size_t first_line[N_KINDS], size_t *len)
{
	strbuf out = STRBUF_INIT;
	size_t line_no = 1;
	bool done[N_KINDS] = {false}, skipping = false;
	const char *p = yaml;

	for (int k = 0; k < N_KINDS; k++)
		done[k] = !acc->b[k].any;
#define EMIT(k)                                                                          \
	do {                                                                             \
		sb_adds(&out, kind_key[k]);                                              \
		sb_adds(&out, ":\n");                                                    \
		first_line[k] = ++line_no;                                               \
		sb_add(&out, acc->b[k].sb.buf, acc->b[k].sb.len);                        \
		line_no += acc->b[k].n;                                                  \
		done[k] = true;                                                          \
	} while (0)
	while (*p) {
		size_t n = strcspn(p, "\n");
		bool top = *p != ' ' && *p != '\n';

		if (skipping && !top) {
			p += n + (p[n] == '\n');
			continue;
		}
		skipping = false;
		if (top) {
			int own = -1;

			for (int k = 0; k < N_KINDS; k++)
				if (!strncmp(p, kind_key[k], strlen(kind_key[k])) &&
				    p[strlen(kind_key[k])] == ':')
					own = k;
			for (int k = 0; k < N_KINDS; k++)
				if (!done[k] && (after(p, k) || k == own))
					EMIT(k);
			if (own >= 0 && acc->b[own].any) {
				skipping = true;
				p += n + (p[n] == '\n');
				continue;
			}
		}
		sb_add(&out, p, n);
		sb_addc(&out, '\n');
		line_no++;
		p += n + (p[n] == '\n');
	}
	for (int k = 0; k < N_KINDS; k++)
		if (!done[k])
			EMIT(k);
#undef EMIT
	*len = out.len;
	return sb_detach(&out);
}

/* The check's diagnostic on `line` of the spliced file: the cell it came from. */
static const struct origin *origin_of(const struct acc *acc, const size_t first[N_KINDS],
				      int line)
{
	for (int k = 0; k < N_KINDS; k++)
		if (acc->b[k].any && line >= (int)first[k] && line < (int)(first[k] + acc->b[k].n))
			return &acc->b[k].lines[line - first[k]];
	return NULL;
}

/* The check's message with "line N" of the spliced file named as the cell it came from. */
static char *cell_message(const crmf_diag *d, const struct acc *acc, const size_t first[N_KINDS],
			  const char *header)
{
	const char *p = strstr(d->message, "line ");
	const struct origin *o;
	char *end;
	long n;

	if (p && (n = strtol(p + 5, &end, 10)) > 0 && end > p + 5 &&
	    (o = origin_of(acc, first, (int)n))) {
		const char *cellref = strchr(o->where, ':');

		return xasprintf("%.*s%s%s (%s)", (int)(p - d->message), d->message,
				 cellref ? cellref + 1 : o->where, end, header);
	}
	return xasprintf("%s (%s)", d->message, header);
}

static void recheck(crmf_import *imp, crmf_import_row *row, struct acc *acc,
		    const crmf_config *cfg, crmf_day today, crmf_diags *diags)
{
	size_t first[N_KINDS] = {0}, len;
	char *yaml = splice(row->yaml, acc, first, &len), *rel;
	crmf_diags cd;
	crmf_doc *doc = NULL;
	crmf_customer *cust = NULL;
	bool had_errors = row->errors > 0;

	free(row->yaml);
	row->yaml = yaml;
	row->len = len;
	crmf_diags_init(&cd);
	rel = xasprintf("customers/%s.yaml", row->id);
	crmf_doc_parse(&doc, rel, yaml, len, &cd);
	if (doc)
		crmf_check_customer(&cust, doc, rel, cfg, today, &cd);
	crmf_customer_free(cust);
	for (size_t i = 0; i < cd.n; i++) {
		const crmf_diag *d = &cd.v[i];
		const struct origin *o = origin_of(acc, first, d->line);
		char *msg, *w;

		if (d->rule_id == CRMF_RULE_PLAIN_CONFIDENTIAL)
			continue; /* the import encrypts them as it writes */
		if (o) {
			msg = cell_message(d, acc, first, o->header);
			add_diag(imp, row, diags, d->severity, o->where, d->rule, msg);
			free(msg);
		} else if (!had_errors && d->severity == CRMF_SEV_ERROR) {
			/* a problem of the whole customer the records bring (two primaries) */
			w = cell_where(imp->where, row->row, 0);
			add_diag(imp, row, diags, d->severity, w, d->rule, d->message);
			free(w);
		}
	}
	crmf_diags_release(&cd);
	free(rel);
}

int crmf_import_records(crmf_import *imp, const crmf_workbook *wb, const crmf_config *cfg,
			const char *base, crmf_day today, crmf_diags *diags)
{
	struct idx *ids = xcalloc(imp->n_rows ? imp->n_rows : 1, sizeof(*ids));
	struct acc *accs = xcalloc(imp->n_rows ? imp->n_rows : 1, sizeof(*accs));
	size_t n_ids = 0;
	int read = 0;
	crmf_config *own = NULL;

	if (!cfg)
		crmf_config_load(&own, NULL, NULL);
	if (!cfg)
		cfg = own;
	if (!today)
		today = crmf_date_today();
	for (size_t i = 0; i < imp->n_rows; i++)
		if (imp->rows[i].id)
			ids[n_ids++] = (struct idx){imp->rows[i].id, i};
	qsort(ids, n_ids, sizeof(*ids), idx_cmp);
	for (size_t s = 0; s < wb->n_sheets; s++) {
		const crmf_sheet *sh = &wb->sheets[s];
		int kind = sheet_kind(sh->name);
		char *where;

		if (kind < 0 || sh == imp->sheet)
			continue;
		where = xasprintf("%s:%s", base, sh->name);
		read_sheet(imp, sh, kind, where, ids, n_ids, accs, cfg, diags);
		free(where);
		read++;
	}
	for (size_t i = 0; i < imp->n_rows; i++) {
		struct acc *a = &accs[i];

		if (a->b[K_CONTACTS].any || a->b[K_DEALS].any || a->b[K_FOLLOWUPS].any)
			recheck(imp, &imp->rows[i], a, cfg, today, diags);
		for (int k = 0; k < N_KINDS; k++) {
			for (size_t j = 0; j < a->b[k].n; j++)
				free(a->b[k].lines[j].where);
			free(a->b[k].lines);
			sb_release(&a->b[k].sb);
		}
	}
	free(accs);
	free(ids);
	crmf_config_free(own);
	return read;
}
