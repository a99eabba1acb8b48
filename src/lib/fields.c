/* SPDX-License-Identifier: MIT */
/* The customer schema: the field table (see crmf/fields.h). */
#include "crmf/fields.h"

#include <string.h>

#include "util.h"

const char *const crmf_stage_values[CRMF_N_STAGES] = {
	"lead", "intent", "negotiation", "customer", "at-risk", "lost",
};
const char *const crmf_potential_values[CRMF_N_POTENTIALS] = {"high", "medium", "low"};
const char *const crmf_grade_values[CRMF_N_GRADES] = {"A", "B", "C"};
const char *const crmf_method_values[CRMF_N_METHODS] = {
	"phone", "visit", "email", "meeting", "wechat", "other",
};

#define ALIASES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define ENUM(v) CRMF_FIELD_ENUM, v, sizeof(v) / sizeof((v)[0])
#define KIND(k) CRMF_FIELD_##k, NULL, 0

enum {
	REQ = CRMF_FIELD_REQUIRED,
	CLS = CRMF_FIELD_CLASSIFY,
	SUM = CRMF_FIELD_SUMMARY,
	MUL = CRMF_FIELD_MULTI,
};

/* In doc/format.md's order; a record's fields follow it. */
static const crmf_field table[] = {
	{"id", KIND(TEXT), REQ | SUM, "编号", "ID", NULL},
	{"name", KIND(TEXT), REQ | SUM, "客户全称", "Name", ALIASES("company", "company_name")},
	{"industry", KIND(TEXT), REQ | SUM, "所属行业", "Industry", ALIASES("sector")},
	{"size", KIND(CONFIG), REQ | SUM, "企业规模", "Size", ALIASES("scale", "employees")},
	{"source", KIND(CONFIG), REQ | SUM, "客户来源", "Source", ALIASES("channel")},
	{"created", KIND(DATE), REQ | CLS | SUM, "建档日期", "Created",
	 ALIASES("created_at", "date")},
	{"owner", KIND(MEMBER), REQ | SUM, "负责人", "Owner", ALIASES("sales")},
	{"stage", ENUM(crmf_stage_values), REQ | CLS | SUM, "需求阶段", "Stage",
	 ALIASES("status", "state")},
	{"potential", ENUM(crmf_potential_values), CLS | SUM, "合作潜力", "Potential", NULL},
	{"grade", ENUM(crmf_grade_values), CLS | SUM, "意向等级", "Grade", ALIASES("level")},
	{"tags", KIND(LIST), SUM | MUL, "标签", "Tags", ALIASES("tag", "labels")},
	{"contacts", KIND(RECORDS), REQ | MUL, "联系人", "Contacts", ALIASES("contact")},
	{"contacts.name", KIND(TEXT), REQ | MUL, "姓名", "Name", NULL},
	{"contacts.title", KIND(TEXT), MUL, "职务", "Title", ALIASES("position", "role")},
	{"contacts.phone", KIND(TEXT), MUL, "电话", "Phone",
	 ALIASES("mobile", "tel", "telephone", "cell")},
	{"contacts.email", KIND(TEXT), MUL, "邮箱", "Email", ALIASES("mail", "e-mail")},
	{"contacts.primary", KIND(BOOL), MUL, "核心联系人", "Primary", ALIASES("main")},
	{"contacts.left", KIND(DATE), MUL, "离职日期", "Left", ALIASES("left_on", "departed")},
	{"need", KIND(RECORD), REQ, "需求", "Need", ALIASES("needs", "requirement")},
	{"need.type", KIND(TEXT), REQ, "需求类型", "Type", ALIASES("kind")},
	{"need.description", KIND(TEXT), REQ, "需求描述", "Description",
	 ALIASES("desc", "detail")},
	{"need.budget", KIND(TEXT), 0, "预算范围", "Budget", ALIASES("price")},
	{"need.timeline", KIND(TEXT), 0, "期望合作时间", "Timeline", ALIASES("deadline")},
	{"deals", KIND(RECORDS), CLS | SUM | MUL, "签约记录", "Deals", ALIASES("deal", "orders")},
	{"deals.amount", KIND(NUMBER), REQ | CLS | SUM | MUL, "金额", "Amount",
	 ALIASES("value", "price")},
	{"deals.signed", KIND(DATE), REQ | CLS | SUM | MUL, "签约日期", "Signed",
	 ALIASES("date", "signed_on")},
	{"deals.expires", KIND(DATE), SUM | MUL, "到期日", "Expires",
	 ALIASES("expiry", "expire", "end")},
	{"followups", KIND(RECORDS), CLS | SUM | MUL, "跟进记录", "Follow-ups",
	 ALIASES("followup", "follow_ups", "follow-ups", "visits")},
	{"followups.date", KIND(DATETIME), REQ | CLS | SUM | MUL, "日期", "Date", NULL},
	{"followups.by", KIND(MEMBER), REQ | MUL, "跟进人", "By", ALIASES("owner")},
	{"followups.method", ENUM(crmf_method_values), REQ | MUL, "方式", "Method",
	 ALIASES("type", "channel")},
	{"followups.with", KIND(TEXT), MUL, "沟通对象", "With", ALIASES("who", "contact")},
	{"followups.summary", KIND(TEXT), REQ | MUL, "沟通内容", "Summary",
	 ALIASES("note", "notes", "content")},
	{"followups.feedback", KIND(TEXT), MUL, "客户反馈", "Feedback", ALIASES("result")},
	{"followups.next", KIND(TEXT), CLS | SUM | MUL, "下一步", "Next",
	 ALIASES("next_action")},
	{"followups.due", KIND(DATE), CLS | SUM | MUL, "截止日期", "Due",
	 ALIASES("deadline", "due_date")},
	{"merged", KIND(LIST), SUM | MUL, "已合并客户", "Merged", ALIASES("merged_ids")},
};

#define N_TABLE (sizeof(table) / sizeof(table[0]))

const crmf_field *crmf_fields(size_t *n)
{
	*n = N_TABLE;
	return table;
}

const crmf_field *crmf_field_find(const char *path, size_t len)
{
	for (size_t i = 0; i < N_TABLE; i++)
		if (strncmp(table[i].path, path, len) == 0 && table[i].path[len] == '\0')
			return &table[i];
	return NULL;
}

const char *crmf_field_key(const crmf_field *f)
{
	const char *dot = strchr(f->path, '.');

	return dot ? dot + 1 : f->path;
}

const crmf_field *crmf_field_alias(const char *parent, const char *key)
{
	size_t plen = strlen(parent);

	for (size_t i = 0; i < N_TABLE; i++) {
		const crmf_field *f = &table[i];
		const char *dot = strchr(f->path, '.');
		size_t flen = dot ? (size_t)(dot - f->path) : 0;

		if (flen != plen || strncmp(f->path, parent, plen) != 0 || !f->aliases)
			continue;
		for (const char *const *a = f->aliases; *a; a++)
			if (strcmp(*a, key) == 0)
				return f;
	}
	return NULL;
}

/* ---- email addresses ---- */

static bool is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL;
}

static bool is_label_char(unsigned char c)
{
	/* bytes >= 0x80: internationalised domain names written in UTF-8 */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c >= 0x80;
}

bool crmf_email_valid(const char *s)
{
	size_t len = s ? strlen(s) : 0, at = 0, i, labels = 0, label_len = 0, last_len = 0;

	if (!s || len == 0 || len > 254)
		return false;
	while (at < len && s[at] != '@')
		at++;
	if (at == 0 || at > 64 || at + 1 >= len)
		return false;
	for (i = 0; i < at; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (i == 0 || i + 1 == at || s[i - 1] == '.')
				return false;
		} else if (!is_atext(c) && c < 0x80) {
			return false; /* bytes >= 0x80: an internationalised address (RFC 6531) */
		}
	}
	for (i = at + 1; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (label_len == 0 || label_len > 63 || s[i - 1] == '-')
				return false;
			labels++;
			last_len = label_len;
			label_len = 0;
			continue;
		}
		if (!is_label_char((unsigned char)s[i]))
			return false;
		if (label_len == 0 && s[i] == '-')
			return false;
		label_len++;
	}
	/* a top-level domain has two letters at least */
	return labels >= 2 && last_len >= 2;
}

static uint64_t mix(uint64_t h, const char *s, size_t n)
{
	/* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

uint64_t crmf_fields_hash(void)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < N_TABLE; i++) {
		const crmf_field *f = &table[i];
		unsigned char kf[2] = {(unsigned char)f->kind, (unsigned char)f->flags};

		h = mix(h, f->path, strlen(f->path) + 1);
		h = mix(h, (const char *)kf, sizeof(kf));
		for (size_t k = 0; k < f->n_values; k++)
			h = mix(h, f->values[k], strlen(f->values[k]) + 1);
	}
	return h;
}
