/* SPDX-License-Identifier: MIT */
/* The import mapping: default column names of the seed templates, and the override of crmf.yaml. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmf/import.h"
#include "import_private.h"
#include "util.h"

const char *const import_slot_path[N_SLOTS] = {
	"id",		  "name",	      "industry",	"size",
	"source",	  "created",	      "owner",		"stage",
	"potential",	  "grade",	      "tags",		"contacts.name",
	"contacts.title", "contacts.phone",   "contacts.email", "need.type",
	"need.description", "need.budget",    "need.timeline",	"deals.amount",
	"deals.signed",	  "deals.expires",    "followups.date", "followups.by",
	"followups.method", "followups.with", "followups.summary", "followups.feedback",
	"followups.next", "followups.due",    "customer_type",	"next_plan",
	"note",
};

#define XC(k)                                                                                \
	"contacts[" #k "].name", "contacts[" #k "].title", "contacts[" #k "].phone",         \
	    "contacts[" #k "].email"
static const char *const xc_path[S_XC_END - S_XC] = {XC(1), XC(2), XC(3), XC(4),
						     XC(5), XC(6), XC(7), XC(8)};
#undef XC

const char *import_slot_name(int s)
{
	if (import_slot_xc(s))
		return xc_path[s - S_XC];
	return s >= 0 && s < N_SLOTS ? import_slot_path[s] : "?";
}

/* Column names the default mapping knows, normalised (see import_norm). */
static const struct {
	const char *name;
	int slot;
	double scale;
} default_columns[] = {
	{"客户编号", S_ID, 1},	       {"编号", S_ID, 1},
	{"客户id", S_ID, 1},	       {"id", S_ID, 1},
	{"customerid", S_ID, 1},       {"客户名称", S_NAME, 1},
	{"客户全称", S_NAME, 1},       {"公司名称", S_NAME, 1},
	{"企业名称", S_NAME, 1},       {"name", S_NAME, 1},
	{"company", S_NAME, 1},	       {"companyname", S_NAME, 1},
	{"customer", S_NAME, 1},       {"customername", S_NAME, 1},
	{"所属行业", S_INDUSTRY, 1},   {"行业", S_INDUSTRY, 1},
	{"industry", S_INDUSTRY, 1},   {"企业规模", S_SIZE, 1},
	{"规模", S_SIZE, 1},	       {"size", S_SIZE, 1},
	{"companysize", S_SIZE, 1},    {"客户来源", S_SOURCE, 1},
	{"来源", S_SOURCE, 1},	       {"source", S_SOURCE, 1},
	{"建档日期", S_CREATED, 1},    {"创建日期", S_CREATED, 1},
	{"created", S_CREATED, 1},     {"负责人", S_OWNER, 1},
	{"客户经理", S_OWNER, 1},      {"owner", S_OWNER, 1},
	{"合作阶段", S_STAGE, 1},      {"需求阶段", S_STAGE, 1},
	{"阶段", S_STAGE, 1},	       {"stage", S_STAGE, 1},
	{"合作潜力", S_POTENTIAL, 1},  {"潜力", S_POTENTIAL, 1},
	{"potential", S_POTENTIAL, 1}, {"意向等级", S_GRADE, 1},
	{"等级", S_GRADE, 1},	       {"grade", S_GRADE, 1},
	{"标签", S_TAGS, 1},	       {"tags", S_TAGS, 1},
	{"联系人", S_C_NAME, 1},       {"联系人姓名", S_C_NAME, 1},
	{"contact", S_C_NAME, 1},      {"contactname", S_C_NAME, 1},
	{"职位", S_C_TITLE, 1},	       {"职务", S_C_TITLE, 1},
	{"title", S_C_TITLE, 1},       {"position", S_C_TITLE, 1},
	{"联系方式", S_C_PHONE, 1},    {"电话", S_C_PHONE, 1},
	{"联系电话", S_C_PHONE, 1},    {"手机", S_C_PHONE, 1},
	{"手机号", S_C_PHONE, 1},      {"phone", S_C_PHONE, 1},
	{"mobile", S_C_PHONE, 1},      {"tel", S_C_PHONE, 1},
	{"电子邮箱", S_C_EMAIL, 1},    {"邮箱", S_C_EMAIL, 1},
	{"email", S_C_EMAIL, 1},       {"e-mail", S_C_EMAIL, 1},
	{"需求类型", S_N_TYPE, 1},     {"needtype", S_N_TYPE, 1},
	{"需求描述", S_N_DESC, 1},     {"needdescription", S_N_DESC, 1},
	{"description", S_N_DESC, 1},  {"预算", S_N_BUDGET, 1},
	{"预算范围", S_N_BUDGET, 1},   {"budget", S_N_BUDGET, 1},
	{"期望合作时间", S_N_TIMELINE, 1}, {"timeline", S_N_TIMELINE, 1},
	{"签约金额(万元)", S_D_AMOUNT, 10000}, {"金额(万元)", S_D_AMOUNT, 10000},
	{"签约金额", S_D_AMOUNT, 1},   {"签约金额(元)", S_D_AMOUNT, 1},
	{"金额", S_D_AMOUNT, 1},       {"amount", S_D_AMOUNT, 1},
	{"合作起始日期", S_D_SIGNED, 1}, {"签约日期", S_D_SIGNED, 1},
	{"signed", S_D_SIGNED, 1},     {"合同到期日", S_D_EXPIRES, 1},
	{"到期日", S_D_EXPIRES, 1},    {"expires", S_D_EXPIRES, 1},
	{"最近跟进日期", S_F_DATE, 1}, {"跟进日期", S_F_DATE, 1},
	{"lastcontact", S_F_DATE, 1},  {"跟进内容", S_F_SUMMARY, 1},
	{"沟通内容", S_F_SUMMARY, 1},  {"summary", S_F_SUMMARY, 1},
	{"跟进人", S_F_BY, 1},	       {"followedupby", S_F_BY, 1},
	{"跟进方式", S_F_METHOD, 1},   {"method", S_F_METHOD, 1},
	{"沟通对象", S_F_WITH, 1},     {"客户反馈", S_F_FEEDBACK, 1},
	{"feedback", S_F_FEEDBACK, 1}, {"下次跟进计划", S_NEXT_PLAN, 1},
	{"下一步", S_NEXT_PLAN, 1},    {"next", S_NEXT_PLAN, 1},
	{"nextaction", S_NEXT_PLAN, 1}, {"客户类型", S_CUSTOMER_TYPE, 1},
	{"customertype", S_CUSTOMER_TYPE, 1}, {"备注", S_NOTE, 1},
	{"notes", S_NOTE, 1},	       {"note", S_NOTE, 1},
	{"remark", S_NOTE, 1},	       {"remarks", S_NOTE, 1},
};

char *import_norm(const char *s)
{
	strbuf sb = STRBUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;

	while (i < n) {
		uint32_t cp;
		size_t k = p[i] < 0x80 ? (cp = p[i], 1) : utf8_decode(p + i, n - i, &cp);

		if (k == 0) {
			sb_addc(&sb, (char)p[i++]);
			continue;
		}
		if (cp >= 0xFF01 && cp <= 0xFF5E)
			cp -= 0xFEE0; /* full-width ASCII */
		if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == 0x3000 || cp == 0xA0) {
			i += k;
			continue;
		}
		if (cp < 0x80)
			sb_addc(&sb, (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
		else
			sb_add(&sb, s + i, k);
		i += k;
	}
	if (!sb.buf)
		return xstrdup("");
	while (sb.len && (sb.buf[sb.len - 1] == '*' || sb.buf[sb.len - 1] == ':'))
		sb.buf[--sb.len] = '\0';
	if (sb.len && sb.buf[0] == '*')
		memmove(sb.buf, sb.buf + 1, sb.len--);
	return sb_detach(&sb);
}

static int known_column(const char *norm, double *scale)
{
	for (size_t i = 0; i < sizeof(default_columns) / sizeof(default_columns[0]); i++)
		if (strcmp(default_columns[i].name, norm) == 0) {
			*scale = default_columns[i].scale;
			return default_columns[i].slot;
		}
	return S_NONE;
}

int import_default_column(const char *norm, double *scale)
{
	size_t n = strlen(norm), k;
	int s, num;
	char *base;

	if ((s = known_column(norm, scale)) != S_NONE)
		return s;
	if ((s = import_slot_of_path(norm)) != S_NONE) {
		*scale = 1;
		return s;
	}
	/* a numbered contact column: 联系人2, 电话2, 邮箱(3), phone2 */
	if (n >= 4 && norm[n - 1] == ')' && norm[n - 3] == '(')
		num = norm[n - 2], k = n - 3;
	else if (n >= 2)
		num = norm[n - 1], k = n - 1;
	else
		return S_NONE;
	if (num < '1' || num > '0' + IMPORT_MAX_CONTACTS)
		return S_NONE;
	base = xstrndup(norm, k);
	s = known_column(base, scale);
	free(base);
	if (s < S_C_NAME || s > S_C_EMAIL)
		return S_NONE;
	return num == '1' ? s : S_XC + (num - '2') * 4 + (s - S_C_NAME);
}

int import_slot_of_path(const char *path)
{
	unsigned k;
	char f[8];
	int used = 0;

	for (int s = 0; s < N_SLOTS; s++)
		if (strcmp(import_slot_path[s], path) == 0)
			return s;
	/* contacts[N].name|title|phone|email, N from 0 as in crmf's paths */
	if (sscanf(path, "contacts[%u].%6[a-z]%n", &k, f, &used) == 2 && !path[used] &&
	    k < IMPORT_MAX_CONTACTS)
		for (int i = 0; i < 4; i++)
			if (strcmp(import_slot_path[S_C_NAME + i] + 9, f) == 0)
				return k ? S_XC + ((int)k - 1) * 4 + i : S_C_NAME + i;
	return S_NONE;
}

const char *import_user_value(const crmf_import_map *map, int slot, const char *custom,
			      const char *norm_value)
{
	if (!map)
		return NULL;
	for (size_t i = map->n_values; i-- > 0;) {
		const struct value_rule *v = &map->values[i];

		if (v->slot == slot && (slot != S_CUSTOM || strcmp(v->custom, custom) == 0) &&
		    strcmp(v->from, norm_value) == 0)
			return v->to;
	}
	return NULL;
}

crmf_import_map *crmf_import_map_new(void)
{
	return xcalloc(1, sizeof(crmf_import_map));
}

void crmf_import_map_free(crmf_import_map *map)
{
	if (!map)
		return;
	for (size_t i = 0; i < map->n_cols; i++) {
		free(map->cols[i].header);
		free(map->cols[i].custom);
	}
	for (size_t i = 0; i < map->n_values; i++) {
		free(map->values[i].custom);
		free(map->values[i].from);
		free(map->values[i].to);
	}
	for (size_t i = 0; i < map->n_consts; i++) {
		free(map->consts[i].custom);
		free(map->consts[i].value);
	}
	free(map->cols);
	free(map->values);
	free(map->consts);
	free(map->sheet);
	free(map);
}

const char *crmf_import_map_sheet(const crmf_import_map *map)
{
	return map ? map->sheet : NULL;
}

/* ---- the override ---- */

typedef struct loader {
	const char *path;
	crmf_diags *diags;
	int errors;
} loader;

static void report(loader *L, const crmf_node *at, const char *rule, const char *fmt,
		   const char *a, const char *b)
{
	char *msg = xasprintf(crmf_tr(fmt), a, b ? b : "");

	crmf_diags_add(L->diags, CRMF_SEV_ERROR, L->path, at->line, at->column, rule, "%s", msg);
	free(msg);
	L->errors++;
}

static bool want(loader *L, const crmf_node *n, crmf_node_type type, const char *key)
{
	static const char *const names[] = {N_("a value"), N_("a mapping"), N_("a list")};

	if (n->type == type)
		return true;
	report(L, n, "config-type", N_("'import.%s' must be %s"), key, crmf_tr(names[type]));
	return false;
}

/* A field path or pseudo-field, or a custom field's name (checked against
 * crmf.yaml at import): the slot, S_CUSTOM, or S_NONE when neither. */
static int target_of(const char *name, bool allow_skip)
{
	int s;

	if (allow_skip && strcmp(name, "skip") == 0)
		return S_SKIP;
	if ((s = import_slot_of_path(name)) != S_NONE)
		return s;
	/* a custom field: [a-z][a-z0-9_]* */
	if (name[0] < 'a' || name[0] > 'z')
		return S_NONE;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return S_NONE;
	return S_CUSTOM;
}

static void bad_target(loader *L, const crmf_node *at, const char *what)
{
	report(L, at, "config-value",
	       N_("unknown field '%s'%s; use a field path such as contacts.phone or need.type, "
		  "customer_type, next_plan, note, or a custom field of crmf.yaml"),
	       at->value, what);
}

static void load_columns(crmf_import_map *map, loader *L, const crmf_node *n)
{
	for (size_t i = 0; i < n->n; i++) {
		const crmf_pair *p = &n->pairs[i];
		const crmf_node *v = p->value, *field = v;
		double scale = 1;
		int slot;
		struct col_rule *r;

		if (v->type == CRMF_NODE_MAPPING) {
			const crmf_node *sc = crmf_node_get(v, "scale");

			field = crmf_node_get(v, "field");
			if (!field || field->type != CRMF_NODE_SCALAR) {
				report(L, v, "config-missing",
				       N_("column '%s' needs 'field:' (and may have 'scale:')"),
				       p->key->value, NULL);
				continue;
			}
			if (sc) {
				char *end = NULL;

				scale = sc->type == CRMF_NODE_SCALAR ? strtod(sc->value, &end) : 0;
				if (!end || *end || !(scale > 0)) {
					report(L, sc, "config-value",
					       N_("'scale' of column '%s' must be a positive number"),
					       p->key->value, NULL);
					continue;
				}
			}
			for (size_t k = 0; k < v->n; k++)
				if (strcmp(v->pairs[k].key->value, "field") != 0 &&
				    strcmp(v->pairs[k].key->value, "scale") != 0)
					report(L, v->pairs[k].key, "config-unknown-key",
					       N_("unknown key '%s' in column '%s'; use field and scale"),
					       v->pairs[k].key->value, p->key->value);
		} else if (!want(L, v, CRMF_NODE_SCALAR, "columns")) {
			continue;
		}
		slot = target_of(field->value, true);
		if (slot == S_NONE) {
			bad_target(L, field, "");
			continue;
		}
		map->cols = xrealloc(map->cols, (map->n_cols + 1) * sizeof(*map->cols));
		r = &map->cols[map->n_cols++];
		r->header = import_norm(p->key->value);
		r->slot = slot;
		r->custom = slot == S_CUSTOM ? xstrdup(field->value) : NULL;
		r->scale = scale;
	}
}

static void load_values(crmf_import_map *map, loader *L, const crmf_node *n)
{
	for (size_t i = 0; i < n->n; i++) {
		const crmf_pair *p = &n->pairs[i];
		int slot = target_of(p->key->value, false);

		if (slot == S_NONE) {
			bad_target(L, p->key, crmf_tr(" in 'import.values'"));
			continue;
		}
		if (!want(L, p->value, CRMF_NODE_MAPPING, "values.<field>"))
			continue;
		for (size_t k = 0; k < p->value->n; k++) {
			const crmf_pair *q = &p->value->pairs[k];
			struct value_rule *r;

			if (!want(L, q->value, CRMF_NODE_SCALAR, "values.<field>.<value>"))
				continue;
			map->values = xrealloc(map->values, (map->n_values + 1) * sizeof(*map->values));
			r = &map->values[map->n_values++];
			r->slot = import_base_slot(slot); /* one value map for every contact */
			r->custom = slot == S_CUSTOM ? xstrdup(p->key->value) : NULL;
			r->from = import_norm(q->key->value);
			r->to = xstrdup(q->value->value);
		}
	}
}

static void load_constants(crmf_import_map *map, loader *L, const crmf_node *n)
{
	for (size_t i = 0; i < n->n; i++) {
		const crmf_pair *p = &n->pairs[i];
		int slot = target_of(p->key->value, false);
		struct import_const *c;

		if (slot == S_NONE || slot == S_ID) {
			if (slot == S_ID)
				report(L, p->key, "config-value",
				       N_("'id' cannot be a constant: every customer has its own"), NULL,
				       NULL);
			else
				bad_target(L, p->key, crmf_tr(" in 'import.constants'"));
			continue;
		}
		if (!want(L, p->value, CRMF_NODE_SCALAR, "constants.<field>"))
			continue;
		map->consts = xrealloc(map->consts, (map->n_consts + 1) * sizeof(*map->consts));
		c = &map->consts[map->n_consts++];
		c->slot = slot;
		c->custom = slot == S_CUSTOM ? xstrdup(p->key->value) : NULL;
		c->value = xstrdup(p->value->value);
	}
}

int crmf_import_map_load(crmf_import_map *map, const crmf_node *node, const char *path,
			 crmf_diags *diags)
{
	loader L = {path, diags, 0};

	if (!node || crmf_node_is_null(node))
		return 0;
	if (!want(&L, node, CRMF_NODE_MAPPING, crmf_tr("(the section)")))
		return -1;
	for (size_t i = 0; i < node->n; i++) {
		const crmf_pair *p = &node->pairs[i];
		const char *k = p->key->value;
		const crmf_node *v = p->value;

		if (crmf_node_is_null(v))
			continue;
		if (strcmp(k, "sheet") == 0) {
			if (want(&L, v, CRMF_NODE_SCALAR, k)) {
				free(map->sheet);
				map->sheet = xstrdup(v->value);
			}
		} else if (strcmp(k, "header_row") == 0) {
			char *end = NULL;
			unsigned long r = v->type == CRMF_NODE_SCALAR ? strtoul(v->value, &end, 10) : 0;

			if (!end || *end || r < 1 || r > 1048576)
				report(&L, v, "config-value",
				       N_("'import.header_row' must be a row number from 1"), NULL, NULL);
			else
				map->header_row = (uint32_t)r;
		} else if (strcmp(k, "columns") == 0) {
			if (want(&L, v, CRMF_NODE_MAPPING, k))
				load_columns(map, &L, v);
		} else if (strcmp(k, "values") == 0) {
			if (want(&L, v, CRMF_NODE_MAPPING, k))
				load_values(map, &L, v);
		} else if (strcmp(k, "constants") == 0) {
			if (want(&L, v, CRMF_NODE_MAPPING, k))
				load_constants(map, &L, v);
		} else {
			report(&L, p->key, "config-unknown-key",
			       N_("unknown key '%s' in 'import'; use sheet, header_row, columns, "
				  "values or constants%s"),
			       k, NULL);
		}
	}
	return L.errors ? -1 : 0;
}
