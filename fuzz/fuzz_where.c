/* SPDX-License-Identifier: MIT */
/* Fuzz harness: --where over whole customers (where.c): field names and values checked against crmf.yaml, then matched. */
#include <stdbool.h>
#include <string.h>

#include "crmf/check.h"
#include "crmf/where.h"
#include "fuzz.h"

/*
 * Input: the expression on the first line; the rest, when there is any, is
 * one more customer file. fuzz_expr covers the language on records of
 * strings; this one covers crmf_where_compile (unknown fields with their
 * nearest name, values bound to crmf.yaml's labels, enums and the stage
 * order, phone numbers) and crmf_where_match on typed customers with their
 * computed fields. Oracles: a failed compile has a message and a column in
 * the text (or one past it); what compiles also parses as crmf_expr_parse
 * does; `not (E)` matches exactly the customers E does not.
 */

static const char config_yaml[] = "version: 1\n"
				  "team:\n"
				  "  - {id: zhang.wei, name: 张伟}\n"
				  "  - {id: li.na, name: 李娜}\n"
				  "  - {id: zhou.min, name: 周敏, left: 2024-12-31}\n"
				  "industries: [制造业/汽车零部件, 物流运输/仓储物流, 零售业/连锁餐饮]\n"
				  "enums:\n"
				  "  size: [\"<50\", 50-200, 200-1000, \">1000\"]\n"
				  "  source: [官网, 展会, 转介绍, 招投标]\n"
				  "fields:\n"
				  "  region: {type: enum, values: [华东, 华北, 华南, 西部]}\n"
				  "  seats: {type: number}\n"
				  "  vip: {type: bool}\n"
				  "  renewal: {type: date}\n"
				  "  tier: {type: string}\n"
				  "labels:\n"
				  "  stage: {lead: 潜在期, intent: 意向期, customer: 合作期}\n"
				  "  potential: {high: 高潜力, low: 低潜力}\n";

static const struct {
	const char *path, *text;
} customers[] = {
    {"customers/2024/C2024001.yaml",
    "id: C2024001\nname: 宁波甬达汽车零部件有限公司\nindustry: 制造业/汽车零部件\nsize: 200-1000\n"
    "source: 展会\ncreated: 2024-03-12\nowner: zhang.wei\nstage: customer\npotential: high\n"
    "grade: A\nregion: 华东\nseats: 40\nvip: true\nrenewal: 2025-05-27\ntags: [标杆客户, 制造业]\n"
    "contacts:\n  - name: 周建国\n    phone: \"+86 139 0574 2210\"\n"
    "    email: zhoujianguo@yongda.example.cn\n"
    "deals:\n  - amount: 380000\n    signed: 2024-05-28\n"
    "followups:\n  - date: 2024-03-14\n    by: zhang.wei\n    method: phone\n"
    "    summary: 回访\n    next: 发送案例\n    due: 2024-03-18\n"},
    {"customers/2025/C2025002.yaml",
    "id: C2025002\nname: 杭州云栖物流有限公司\nindustry: 物流运输/仓储物流\nsize: 50-200\n"
    "source: 官网\ncreated: 2025-05-02\nowner: li.na\nstage: lead\ngrade: B\n"
    "contacts:\n  - name: 王磊\n    phone: 13805742236\n"},
    {"archive/C2023008.yaml",
    "id: C2023008\nname: 成都蜀味餐饮管理有限公司\nindustry: 零售业/连锁餐饮\ncreated: 2023-02-01\n"
    "owner: zhou.min\nstage: lost\npotential: low\nregion: 西部\n"},
};
#define N_FIXED (sizeof(customers) / sizeof(customers[0]))

static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t elen = nl ? (size_t)(nl - (const char *)data) : size;
	crmf_day today = crmf_date_from_ymd(2025, 6, 16);
	crmf_customer *cs[N_FIXED + 1] = {0};
	size_t n = 0;
	crmf_diags diags;
	crmf_doc *doc = NULL;
	crmf_config *cfg = NULL;
	crmf_expr *e = NULL, *ne = NULL, *plain = NULL;
	char err[256] = "", *text, *wrapped;
	int col = 0;

	text = malloc(elen + 1);
	wrapped = malloc(elen + 8);
	if (!text || !wrapped)
		abort();
	memcpy(text, data, elen);
	text[elen] = '\0';
	snprintf(wrapped, elen + 8, "not (%s)", text);

	crmf_diags_init(&diags);
	crmf_doc_parse(&doc, "crmf.yaml", config_yaml, sizeof(config_yaml) - 1, &diags);
	FUZZ_ASSERT(crmf_config_load(&cfg, doc, &diags) == 0, "the configuration loads");
	crmf_doc_free(doc);

	if (crmf_where_compile(&e, cfg, text, today, err, sizeof(err), &col) != 0) {
		FUZZ_ASSERT(e == NULL, "no expression on error");
		FUZZ_ASSERT(err[0] != '\0', "an error message");
		FUZZ_ASSERT(col >= 1 && (size_t)col <= chars(text) + 1, "column %d of %zu", col,
			    chars(text));
		goto done;
	}
	FUZZ_ASSERT(crmf_expr_parse(&plain, text, today, NULL, 0, NULL) == 0,
		    "'%s' compiles but does not parse", text);

	for (size_t i = 0; i < N_FIXED; i++) {
		crmf_doc *cdoc = NULL;
		const char *path = customers[i].path, *t = customers[i].text;

		crmf_doc_parse(&cdoc, path, t, strlen(t), &diags);
		crmf_check_customer(&cs[n], cdoc, path, cfg, today, &diags);
		FUZZ_ASSERT(cs[n] != NULL, "%s is a customer", path);
		n++;
	}
	if (nl) {
		crmf_doc *cdoc = NULL;

		crmf_doc_parse(&cdoc, "customers/2025/C2025009.yaml", nl + 1, size - elen - 1,
			       &diags);
		crmf_check_customer(&cs[n], cdoc, "customers/2025/C2025009.yaml", cfg, today,
				    &diags);
		if (cs[n])
			n++;
	}

	if (crmf_where_compile(&ne, cfg, wrapped, today, NULL, 0, NULL) == 0)
		for (size_t i = 0; i < n; i++) {
			bool v = crmf_where_match(e, cs[i], cfg, today);

			FUZZ_ASSERT(crmf_where_match(ne, cs[i], cfg, today) == !v,
				    "'%s' is the negation of '%s' on %s", wrapped, text, cs[i]->path);
		}
	else
		for (size_t i = 0; i < n; i++)
			crmf_where_match(e, cs[i], cfg, today);
done:
	for (size_t i = 0; i < n; i++)
		crmf_customer_free(cs[i]);
	crmf_expr_free(plain);
	crmf_expr_free(ne);
	crmf_expr_free(e);
	crmf_config_free(cfg);
	crmf_diags_release(&diags);
	free(wrapped);
	free(text);
	return 0;
}
