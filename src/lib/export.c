/* SPDX-License-Identifier: MIT */
/* Customers flattened into sheets of typed cells, vCards of their contacts, phones and emails masked. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmf/export.h"
#include "crmf/crypt.h"
#include "util.h"

/* ---- masks ---- */

char *crmf_export_mask_phone(const char *phone)
{
	char d[64];
	size_t n = 0;
	const char *p = phone;
	bool plus86 = false;

	/* the number's digits, without an extension */
	for (; *p && n + 1 < sizeof(d); p++) {
		if (*p >= '0' && *p <= '9')
			d[n++] = *p;
		else if (*p == 'x' || *p == 'X' || *p == '#' || !strncmp(p, "ext", 3) ||
			 !strncmp(p, "转", 3))
			break;
	}
	d[n] = '\0';
	if (n > 11 && (phone[0] == '+' || !strncmp(d, "0086", 4)) &&
	    !strncmp(d + (d[0] == '0' ? 2 : 0), "86", 2)) {
		size_t skip = d[0] == '0' ? 4 : 2;

		memmove(d, d + skip, n - skip + 1);
		n -= skip;
		plus86 = true;
	}
	if (n >= 8)
		return xasprintf("%s%.3s****%s", plus86 ? "+86 " : "", d, d + n - 4);
	if (n >= 3)
		return xasprintf("%s****%s", plus86 ? "+86 " : "", d + n - 2);
	return xstrdup("****");
}

char *crmf_export_mask_email(const char *email)
{
	const char *at = strrchr(email, '@');
	size_t first = 1;

	if (!at || at == email)
		return xstrdup("***");
	/* keep the first character whole, however many bytes it takes */
	while (first < (size_t)(at - email) && ((unsigned char)email[first] & 0xc0) == 0x80)
		first++;
	return xasprintf("%.*s***%s", (int)first, email, at);
}

/* ---- which customers ---- */

static int by_id(const void *pa, const void *pb)
{
	const crmf_customer *a = *(const crmf_customer *const *)pa,
			    *b = *(const crmf_customer *const *)pb;
	int c = strcmp(a->id ? a->id : "", b->id ? b->id : "");

	return c ? c : strcmp(a->path, b->path);
}

size_t crmf_export_select(crmf_customer ***out, crmf_customer *const *v, size_t n,
			  crmf_export_which which,
			  bool (*keep)(void *ctx, const crmf_customer *c), void *ctx)
{
	crmf_customer **sel = xcalloc(n ? n : 1, sizeof(*sel));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if ((which == CRMF_EXPORT_ACTIVE && v[i]->archived) ||
		    (which == CRMF_EXPORT_ARCHIVED && !v[i]->archived))
			continue;
		if (!keep || keep(ctx, v[i]))
			sel[k++] = v[i];
	}
	if (k > 1)
		qsort(sel, k, sizeof(*sel), by_id);
	*out = sel;
	return k;
}

/* ---- cells ---- */

static void c_text(crmf_xcell *c, const char *s)
{
	if (!s || !*s)
		return;
	c->type = CRMF_XCELL_TEXT;
	c->text = xstrdup(s);
}

static void c_take(crmf_xcell *c, char *s)
{
	if (!s || !*s) {
		free(s);
		return;
	}
	c->type = CRMF_XCELL_TEXT;
	c->text = s;
}

static void c_day(crmf_xcell *c, crmf_day day, int minute)
{
	char buf[32];

	crmf_date_format(day, buf);
	if (minute >= 0)
		snprintf(buf + 10, sizeof(buf) - 10, " %02d:%02d", minute / 60, minute % 60);
	c->type = CRMF_XCELL_DATE;
	c->day = day;
	c->minute = minute;
	c->text = xstrdup(buf);
}

static const crmf_node *child(const crmf_node *map, const char *key)
{
	const crmf_node *n = map ? crmf_node_get(map, key) : NULL;

	return n && !crmf_node_is_null(n) ? n : NULL;
}

static const char *scalar(const crmf_node *map, const char *key)
{
	const crmf_node *n = child(map, key);

	return n && n->type == CRMF_NODE_SCALAR ? n->value : NULL;
}

/* A date (or a date and time) as written under `key`: a date cell, or the text when invalid. */
static void c_date(crmf_xcell *c, const crmf_node *map, const char *key, bool with_time)
{
	const char *s = scalar(map, key);
	crmf_day day;
	int minute = -1;
	int rc;

	if (!s)
		return;
	rc = with_time ? crmf_datetime_parse(&day, &minute, s, strlen(s))
		       : crmf_date_parse(&day, s, strlen(s));
	if (rc == 0)
		c_day(c, day, minute);
	else
		c_text(c, s);
}

/* A number as written under `key`: a number cell, or the text when it is none. */
static void c_number(crmf_xcell *c, const crmf_node *map, const char *key)
{
	const char *s = scalar(map, key);
	char *end;
	double x;

	if (!s)
		return;
	x = strtod(s, &end);
	if (end != s && !*end && isfinite(x) && ((*s >= '0' && *s <= '9') || *s == '-')) {
		c->type = CRMF_XCELL_NUMBER;
		c->number = x;
		c->text = xstrdup(s);
	} else {
		c_text(c, s);
	}
}

/* A closed value shown with its crmf.yaml label. */
static void c_label(crmf_xcell *c, const crmf_config *cfg, const char *field, const char *s)
{
	c_text(c, s ? crmf_config_label(cfg, field, s) : NULL);
}

/* the keys of confidential fields during crmf_export_build_crypt (one export per thread) */
static _Thread_local const crmf_crypt *x_crypt;

/* A confidential value as exported: decrypted with a key, else the mask;
 * NULL to export `s` as it is. Malloc'ed. */
static char *shown(const crmf_config *cfg, const char *id, const char *field, const char *s,
		   unsigned flags)
{
	if (!s || !cfg || !cfg->has_confidential)
		return NULL;
	if ((flags & CRMF_EXPORT_REDACT) && crmf_token_like(s))
		return xstrdup(CRMF_CRYPT_MASK);
	return crmf_crypt_reveal(x_crypt, cfg, id ? id : "", field, s);
}

/* c_text of a value that may be confidential */
static void c_conf(crmf_xcell *c, const crmf_config *cfg, const char *id, const char *field,
		   const char *s)
{
	char *v = shown(cfg, id, field, s, 0);

	if (v)
		c_take(c, v);
	else
		c_text(c, s);
}

static void c_phone(crmf_xcell *c, const char *s, unsigned flags)
{
	if (s && *s && (flags & CRMF_EXPORT_REDACT) && strcmp(s, CRMF_CRYPT_MASK) != 0)
		c_take(c, crmf_export_mask_phone(s));
	else
		c_text(c, s);
}

static void c_email(crmf_xcell *c, const char *s, unsigned flags)
{
	if (s && *s && (flags & CRMF_EXPORT_REDACT) && strcmp(s, CRMF_CRYPT_MASK) != 0)
		c_take(c, crmf_export_mask_email(s));
	else
		c_text(c, s);
}

/* A list (tags, custom list fields) joined with 、; a scalar as it is. */
static void c_list(crmf_xcell *c, const crmf_node *n)
{
	strbuf sb = STRBUF_INIT;

	if (!n)
		return;
	if (n->type == CRMF_NODE_SCALAR) {
		c_text(c, n->value);
		return;
	}
	for (size_t i = 0; n->type == CRMF_NODE_SEQUENCE && i < n->n; i++) {
		const crmf_node *it = n->items[i];

		if (it->type != CRMF_NODE_SCALAR || crmf_node_is_null(it))
			continue;
		if (sb.len)
			sb_adds(&sb, "、");
		sb_adds(&sb, it->value);
	}
	c_take(c, sb.buf ? sb_detach(&sb) : NULL);
}

/* ---- sheets ---- */

struct colspec {
	const char *header;
	crmf_xcol_kind kind;
};

static const struct colspec customer_cols[] = {
	{"客户编号", CRMF_XCOL_TEXT},	 {"客户名称", CRMF_XCOL_LONG}, {"所属行业", CRMF_XCOL_TEXT},
	{"企业规模", CRMF_XCOL_TEXT},	 {"客户来源", CRMF_XCOL_TEXT}, {"建档日期", CRMF_XCOL_DATE},
	{"负责人", CRMF_XCOL_TEXT},	 {"合作阶段", CRMF_XCOL_TEXT}, {"合作潜力", CRMF_XCOL_TEXT},
	{"意向等级", CRMF_XCOL_TEXT},	 {"标签", CRMF_XCOL_TEXT},
	/* the custom fields go here */
	{"联系人", CRMF_XCOL_TEXT},	 {"职位", CRMF_XCOL_TEXT},	   {"联系方式", CRMF_XCOL_TEXT},
	{"电子邮箱", CRMF_XCOL_TEXT},	 {"需求类型", CRMF_XCOL_TEXT}, {"需求描述", CRMF_XCOL_LONG},
	{"预算", CRMF_XCOL_TEXT},	 {"期望合作时间", CRMF_XCOL_TEXT},
	{"签约金额(元)", CRMF_XCOL_NUMBER}, {"合作起始日期", CRMF_XCOL_DATE},
	{"合同到期日", CRMF_XCOL_DATE},	 {"最近跟进日期", CRMF_XCOL_DATE},
	{"跟进人", CRMF_XCOL_TEXT},	 {"跟进方式", CRMF_XCOL_TEXT}, {"跟进内容", CRMF_XCOL_LONG},
	{"下次跟进计划", CRMF_XCOL_LONG},
};
#define N_TOP 11 /* customer_cols before the custom fields */

static const struct colspec contact_cols[] = {
	{"客户编号", CRMF_XCOL_TEXT}, {"客户名称", CRMF_XCOL_LONG}, {"联系人", CRMF_XCOL_TEXT},
	{"职位", CRMF_XCOL_TEXT},     {"联系方式", CRMF_XCOL_TEXT}, {"电子邮箱", CRMF_XCOL_TEXT},
	{"主要联系人", CRMF_XCOL_TEXT},
};
static const struct colspec deal_cols[] = {
	{"客户编号", CRMF_XCOL_TEXT},	 {"客户名称", CRMF_XCOL_LONG},
	{"签约金额(元)", CRMF_XCOL_NUMBER}, {"合作起始日期", CRMF_XCOL_DATE},
	{"合同到期日", CRMF_XCOL_DATE},
};
static const struct colspec followup_cols[] = {
	{"客户编号", CRMF_XCOL_TEXT}, {"客户名称", CRMF_XCOL_LONG}, {"跟进日期", CRMF_XCOL_DATE},
	{"跟进人", CRMF_XCOL_TEXT},   {"跟进方式", CRMF_XCOL_TEXT}, {"沟通对象", CRMF_XCOL_TEXT},
	{"跟进内容", CRMF_XCOL_LONG}, {"客户反馈", CRMF_XCOL_LONG}, {"下一步", CRMF_XCOL_LONG},
	{"截止日期", CRMF_XCOL_DATE},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void sheet_init(crmf_xsheet *s, const char *name, const struct colspec *cols, size_t n)
{
	s->name = name;
	s->n_cols = n;
	s->headers = xcalloc(n, sizeof(*s->headers));
	s->kinds = xcalloc(n, sizeof(*s->kinds));
	for (size_t i = 0; i < n; i++) {
		s->headers[i] = cols[i].header;
		s->kinds[i] = cols[i].kind;
	}
}

struct grow {
	size_t cap;
};

/* A new empty row of `s` (its cells). */
static crmf_xcell *new_row(crmf_xsheet *s, struct grow *g)
{
	crmf_xcell *row;

	if (s->n_rows == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		s->cells = xrealloc(s->cells, g->cap * s->n_cols * sizeof(*s->cells));
	}
	row = &s->cells[s->n_rows++ * s->n_cols];
	memset(row, 0, s->n_cols * sizeof(*row));
	for (size_t i = 0; i < s->n_cols; i++)
		row[i].minute = -1;
	return row;
}

/* The contact the customer sheet shows: the primary one, else the first. */
static const crmf_node *main_contact(const crmf_node *contacts)
{
	if (!contacts || contacts->type != CRMF_NODE_SEQUENCE || !contacts->n)
		return NULL;
	for (size_t i = 0; i < contacts->n; i++) {
		const char *p = scalar(contacts->items[i], "primary");

		if (p && !strcmp(p, "true"))
			return contacts->items[i];
	}
	return contacts->items[0];
}

/* The deal signed last (the last in the file among equals). */
static const crmf_deal *latest_deal(const crmf_customer *c)
{
	const crmf_deal *best = NULL;

	for (size_t i = 0; i < c->n_deals; i++)
		if (!best || c->deals[i].signed_on >= best->signed_on)
			best = &c->deals[i];
	return best;
}

/* The newest follow-up: latest date, then time, then position. */
static const crmf_followup *newest_followup(const crmf_customer *c)
{
	const crmf_followup *best = NULL;

	for (size_t i = 0; i < c->n_followups; i++) {
		const crmf_followup *f = &c->followups[i];

		if (!best || f->date > best->date ||
		    (f->date == best->date && f->minute >= best->minute))
			best = f;
	}
	return best;
}

static void customer_row(crmf_export *x, struct grow *g, const crmf_customer *c,
			 const crmf_config *cfg, unsigned flags)
{
	crmf_xsheet *s = &x->sheets[CRMF_XSHEET_CUSTOMERS];
	const crmf_node *root = c->doc->root, *ct, *need = child(root, "need");
	const crmf_deal *d = latest_deal(c);
	const crmf_followup *f = newest_followup(c);
	crmf_xcell *r = new_row(s, g);
	size_t k = N_TOP;

	c_text(&r[0], scalar(root, "id"));
	c_text(&r[1], scalar(root, "name"));
	c_text(&r[2], scalar(root, "industry"));
	c_text(&r[3], scalar(root, "size"));
	c_text(&r[4], scalar(root, "source"));
	c_date(&r[5], root, "created", false);
	c_text(&r[6], scalar(root, "owner"));
	c_label(&r[7], cfg, "stage", scalar(root, "stage"));
	c_label(&r[8], cfg, "potential", scalar(root, "potential"));
	c_label(&r[9], cfg, "grade", scalar(root, "grade"));
	c_list(&r[10], child(root, "tags"));
	for (size_t i = 0; i < cfg->n_fields; i++, k++) {
		const crmf_field_def *fd = &cfg->fields[i];

		if (fd->type == CRMF_FT_DATE)
			c_date(&r[k], root, fd->name, false);
		else if (fd->type == CRMF_FT_NUMBER)
			c_number(&r[k], root, fd->name);
		else if (fd->type == CRMF_FT_LIST && crmf_config_confidential(cfg, fd->name))
			c_text(&r[k], child(root, fd->name) ? CRMF_CRYPT_MASK : NULL);
		else if (fd->type == CRMF_FT_LIST)
			c_list(&r[k], child(root, fd->name));
		else
			c_conf(&r[k], cfg, scalar(root, "id"), fd->name, scalar(root, fd->name));
	}
	if ((ct = main_contact(child(root, "contacts")))) {
		const char *id = scalar(root, "id");
		char *ph = shown(cfg, id, "contacts.phone", scalar(ct, "phone"), flags),
		     *em = shown(cfg, id, "contacts.email", scalar(ct, "email"), flags);

		c_text(&r[k], scalar(ct, "name"));
		c_text(&r[k + 1], scalar(ct, "title"));
		c_phone(&r[k + 2], ph ? ph : scalar(ct, "phone"), flags);
		c_email(&r[k + 3], em ? em : scalar(ct, "email"), flags);
		free(ph);
		free(em);
	}
	k += 4;
	c_text(&r[k++], scalar(need, "type"));
	c_text(&r[k++], scalar(need, "description"));
	c_text(&r[k++], scalar(need, "budget"));
	c_text(&r[k++], scalar(need, "timeline"));
	if (d) {
		c_number(&r[k], d->node, "amount");
		c_date(&r[k + 1], d->node, "signed", false);
		c_date(&r[k + 2], d->node, "expires", false);
	}
	k += 3;
	if (f) {
		const char *next = scalar(f->node, "next"), *due = scalar(f->node, "due");

		c_date(&r[k], f->node, "date", true);
		c_text(&r[k + 1], scalar(f->node, "by"));
		c_label(&r[k + 2], cfg, "method", scalar(f->node, "method"));
		c_text(&r[k + 3], scalar(f->node, "summary"));
		/* 下次跟进计划 as the templates write it: "2025-06-18 按两期付款…" */
		if (next && due)
			c_take(&r[k + 4], xasprintf("%s %s", due, next));
		else
			c_text(&r[k + 4], next);
	}
}

static void record_rows(crmf_export *x, struct grow *g, const crmf_customer *c,
			const crmf_config *cfg, unsigned flags)
{
	const crmf_node *root = c->doc->root;
	const crmf_node *contacts = child(root, "contacts"), *deals = child(root, "deals"),
			*fus = child(root, "followups");
	const char *id = scalar(root, "id"), *name = scalar(root, "name");

	for (size_t i = 0; contacts && contacts->type == CRMF_NODE_SEQUENCE && i < contacts->n;
	     i++) {
		const crmf_node *n = contacts->items[i];
		crmf_xcell *r = new_row(&x->sheets[CRMF_XSHEET_CONTACTS], &g[CRMF_XSHEET_CONTACTS]);
		const char *p = scalar(n, "primary");
		char *ph = shown(cfg, id, "contacts.phone", scalar(n, "phone"), flags),
		     *em = shown(cfg, id, "contacts.email", scalar(n, "email"), flags);

		c_text(&r[0], id);
		c_text(&r[1], name);
		c_text(&r[2], scalar(n, "name"));
		c_text(&r[3], scalar(n, "title"));
		c_phone(&r[4], ph ? ph : scalar(n, "phone"), flags);
		c_email(&r[5], em ? em : scalar(n, "email"), flags);
		free(ph);
		free(em);
		/* primary: false is written as it is, so that it comes back */
		c_text(&r[6], !p ? NULL : !strcmp(p, "true") ? "是" : !strcmp(p, "false") ? "否" : p);
	}
	for (size_t i = 0; deals && deals->type == CRMF_NODE_SEQUENCE && i < deals->n; i++) {
		const crmf_node *n = deals->items[i];
		crmf_xcell *r = new_row(&x->sheets[CRMF_XSHEET_DEALS], &g[CRMF_XSHEET_DEALS]);

		c_text(&r[0], id);
		c_text(&r[1], name);
		c_number(&r[2], n, "amount");
		c_date(&r[3], n, "signed", false);
		c_date(&r[4], n, "expires", false);
	}
	for (size_t i = 0; fus && fus->type == CRMF_NODE_SEQUENCE && i < fus->n; i++) {
		const crmf_node *n = fus->items[i];
		crmf_xcell *r = new_row(&x->sheets[CRMF_XSHEET_FOLLOWUPS], &g[CRMF_XSHEET_FOLLOWUPS]);

		c_text(&r[0], id);
		c_text(&r[1], name);
		c_date(&r[2], n, "date", true);
		c_text(&r[3], scalar(n, "by"));
		c_label(&r[4], cfg, "method", scalar(n, "method"));
		c_text(&r[5], scalar(n, "with"));
		c_text(&r[6], scalar(n, "summary"));
		c_text(&r[7], scalar(n, "feedback"));
		c_text(&r[8], scalar(n, "next"));
		c_date(&r[9], n, "due", false);
	}
}

crmf_export *crmf_export_build_crypt(const crmf_customer *const *v, size_t n,
				     const crmf_config *cfg, const crmf_crypt *crypt, unsigned flags)
{
	crmf_export *x;

	x_crypt = crypt;
	x = crmf_export_build(v, n, cfg, flags);
	x_crypt = NULL;
	return x;
}

crmf_export *crmf_export_build(const crmf_customer *const *v, size_t n, const crmf_config *cfg,
			       unsigned flags)
{
	crmf_export *x = xcalloc(1, sizeof(*x));
	crmf_xsheet *cs = &x->sheets[CRMF_XSHEET_CUSTOMERS];
	struct grow g[CRMF_XSHEETS] = {{0}};
	size_t nc = N_OF(customer_cols) + cfg->n_fields;

	/* the customer sheet: the built-in columns with the custom fields after 标签 */
	cs->name = "客户";
	cs->n_cols = nc;
	cs->headers = xcalloc(nc, sizeof(*cs->headers));
	cs->kinds = xcalloc(nc, sizeof(*cs->kinds));
	for (size_t i = 0, k = 0; i < N_OF(customer_cols); i++, k++) {
		if (i == N_TOP)
			for (size_t j = 0; j < cfg->n_fields; j++, k++) {
				const crmf_field_def *fd = &cfg->fields[j];

				cs->headers[k] = fd->name;
				cs->kinds[k] = fd->type == CRMF_FT_DATE	    ? CRMF_XCOL_DATE
					       : fd->type == CRMF_FT_NUMBER ? CRMF_XCOL_NUMBER
					       : fd->type == CRMF_FT_TEXT   ? CRMF_XCOL_LONG
									    : CRMF_XCOL_TEXT;
			}
		cs->headers[k] = customer_cols[i].header;
		cs->kinds[k] = customer_cols[i].kind;
	}
	sheet_init(&x->sheets[CRMF_XSHEET_CONTACTS], "联系人", contact_cols, N_OF(contact_cols));
	sheet_init(&x->sheets[CRMF_XSHEET_DEALS], "合同", deal_cols, N_OF(deal_cols));
	sheet_init(&x->sheets[CRMF_XSHEET_FOLLOWUPS], "跟进记录", followup_cols,
		   N_OF(followup_cols));
	for (size_t i = 0; i < n; i++) {
		if (!v[i]->doc || !v[i]->doc->root || v[i]->doc->root->type != CRMF_NODE_MAPPING)
			continue;
		customer_row(x, &g[CRMF_XSHEET_CUSTOMERS], v[i], cfg, flags);
		record_rows(x, g, v[i], cfg, flags);
	}
	return x;
}

void crmf_export_free(crmf_export *x)
{
	if (!x)
		return;
	for (int s = 0; s < CRMF_XSHEETS; s++) {
		crmf_xsheet *sh = &x->sheets[s];

		for (size_t i = 0; i < sh->n_rows * sh->n_cols; i++)
			free(sh->cells[i].text);
		free(sh->cells);
		free(sh->headers);
		free(sh->kinds);
	}
	free(x);
}

/* ---- vCard 4.0 ---- */

/* A content line: folded at 75 octets (RFC 6350 3.2), never inside a character. */
static void vc_line(strbuf *out, const char *line)
{
	size_t n = strlen(line), used = 0, limit = 75;

	while (n) {
		size_t take = n <= limit - used ? n : limit - used;

		/* back off to the start of a UTF-8 character */
		while (take < n && take > 0 && ((unsigned char)line[take] & 0xc0) == 0x80)
			take--;
		sb_add(out, line, take);
		line += take;
		n -= take;
		if (n) {
			sb_adds(out, "\r\n ");
			used = 1;
		}
	}
	sb_adds(out, "\r\n");
}

/* Text escaped as RFC 6350 3.4 says: backslash, comma, semicolon, line breaks. */
static void vc_escape(strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == ',' || *s == ';') {
			sb_addc(sb, '\\');
			sb_addc(sb, *s);
		} else if (*s == '\r') {
			if (s[1] != '\n')
				sb_adds(sb, "\\n");
		} else if (*s == '\n') {
			sb_adds(sb, "\\n");
		} else {
			sb_addc(sb, *s);
		}
	}
}

static void vc_prop(strbuf *out, const char *name, const char *value)
{
	strbuf line = STRBUF_INIT;

	if (!value || !*value)
		return;
	sb_adds(&line, name);
	sb_addc(&line, ':');
	vc_escape(&line, value);
	vc_line(out, line.buf);
	sb_release(&line);
}

char *crmf_export_vcard(const crmf_customer *const *v, size_t n, unsigned flags, size_t *len)
{
	return crmf_export_vcard_crypt(v, n, NULL, NULL, flags, len);
}

char *crmf_export_vcard_crypt(const crmf_customer *const *v, size_t n, const crmf_config *cfg,
			      const crmf_crypt *crypt, unsigned flags, size_t *len)
{
	strbuf out = STRBUF_INIT;

	x_crypt = crypt;
	for (size_t i = 0; i < n; i++) {
		const crmf_node *root = v[i]->doc ? v[i]->doc->root : NULL;
		const crmf_node *contacts = child(root, "contacts");
		const char *id = scalar(root, "id"), *org = scalar(root, "name");

		for (size_t j = 0; contacts && contacts->type == CRMF_NODE_SEQUENCE &&
				   j < contacts->n;
		     j++) {
			const crmf_node *ct = contacts->items[j];
			const char *name = scalar(ct, "name"), *phone = scalar(ct, "phone"),
				   *email = scalar(ct, "email");
			char *masked, *note, *ph, *em;

			if (!name)
				continue;
			ph = shown(cfg, id, "contacts.phone", phone, flags);
			em = shown(cfg, id, "contacts.email", email, flags);
			phone = ph ? ph : phone;
			email = em ? em : email;
			if (flags & CRMF_EXPORT_REDACT) {
				/* nothing of a masked value, not even the mask, on a card */
				phone = ph && !strcmp(ph, CRMF_CRYPT_MASK) ? NULL : phone;
				email = em && !strcmp(em, CRMF_CRYPT_MASK) ? NULL : email;
			}
			sb_adds(&out, "BEGIN:VCARD\r\nVERSION:4.0\r\n");
			vc_prop(&out, "FN", name);
			vc_prop(&out, "ORG", org);
			vc_prop(&out, "TITLE", scalar(ct, "title"));
			if (phone) {
				masked = flags & CRMF_EXPORT_REDACT ? crmf_export_mask_phone(phone)
								    : xstrdup(phone);
				vc_prop(&out, "TEL;TYPE=work", masked);
				free(masked);
			}
			if (email) {
				masked = flags & CRMF_EXPORT_REDACT ? crmf_export_mask_email(email)
								    : xstrdup(email);
				vc_prop(&out, "EMAIL;TYPE=work", masked);
				free(masked);
			}
			note = xasprintf("客户编号 %s%s%s", id ? id : "", org ? " " : "",
					 org ? org : "");
			vc_prop(&out, "NOTE", note);
			free(note);
			free(ph);
			free(em);
			sb_adds(&out, "END:VCARD\r\n");
		}
	}
	x_crypt = NULL;
	*len = out.len;
	return out.buf ? sb_detach(&out) : xstrdup("");
}
