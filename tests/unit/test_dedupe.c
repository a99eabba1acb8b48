/* SPDX-License-Identifier: MIT */
/* Unit tests of dedupe: company names normalised, pairs found through their keys, scores, evidence and groups. */
#include "unit.h"

#include "company.h"
#include "crmf/dedupe.h"

struct name_case {
	const char *in, *text, *core, *place;
};

static void test_names(void **state)
{
	static const struct name_case cases[] = {
	    {"云启科技", "云启科技", "云启", ""},
	    {"云启科技（杭州）有限公司", "云启科技", "云启", "杭州"},
	    {"杭州云启科技有限公司", "云启科技", "云启", "杭州"},
	    {"浙江省杭州市云启科技股份有限公司", "云启科技", "云启", "杭州"},
	    {"云启科技(杭州)有限责任公司", "云启科技", "云启", "杭州"},
	    {"【杭州】云启信息技术有限公司", "云启信息技术", "云启", "杭州"},
	    {"ＡＢＣ　Ｔｅｃｈ　Ｃｏ．，Ｌｔｄ．", "abctech", "abc", ""},
	    {"Yunqi Technology Co., Ltd.", "yunqitechnology", "yunqi", ""},
	    {"Zinc Inc", "zinc", "zinc", ""},
	    {"恒拓集团有限公司", "恒拓", "恒拓", ""},
	    {"杭州恒拓机械", "恒拓机械", "恒拓", "杭州"},
	    {"上海", "上海", "上海", ""},
	    {"有限公司", "有限公司", "有限公司", ""},
	    {"科技", "科技", "科技", ""},
	    {"云启科技（研发中心）", "云启科技研发中心", "云启科技研发中心", ""},
	    {"杭州区块链研究院", "区块链研究院", "区块链研究院", "杭州"},
	    {"广西壮族自治区南宁市八桂贸易", "八桂贸易", "八桂", "南宁"},
	    {"", "", "", ""},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		crmf_company c;

		crmf_company_parse(&c, cases[i].in);
		if (strcmp(c.text, cases[i].text) != 0 ||
		    strncmp(c.text, cases[i].core, c.core) != 0 || strlen(cases[i].core) != c.core ||
		    strcmp(c.place, cases[i].place) != 0)
			fail_msg("'%s': got '%s' core '%.*s' place '%s', want '%s' '%s' '%s'",
				 cases[i].in, c.text, (int)c.core, c.text, c.place, cases[i].text,
				 cases[i].core, cases[i].place);
		crmf_company_release(&c);
	}
}

/* Customers from YAML texts, checked under the default configuration. */
static crmf_customer **customers(const char *const *yaml, size_t n, crmf_config **cfg)
{
	crmf_customer **v = calloc(n, sizeof(*v));
	crmf_diags d;

	crmf_diags_init(&d);
	assert_int_equal(crmf_config_load(cfg, NULL, &d), 0);
	for (size_t i = 0; i < n; i++) {
		crmf_doc *doc = NULL;
		char path[64];

		snprintf(path, sizeof(path), "customers/C%03zu.yaml", i);
		crmf_doc_parse(&doc, path, yaml[i], strlen(yaml[i]), &d);
		crmf_check_customer(&v[i], doc, path, *cfg, crmf_date_from_ymd(2025, 6, 16), &d);
		assert_non_null(v[i]);
	}
	crmf_diags_release(&d);
	return v;
}

static void free_customers(crmf_customer **v, size_t n, crmf_config *cfg)
{
	for (size_t i = 0; i < n; i++)
		crmf_customer_free(v[i]);
	free(v);
	crmf_config_free(cfg);
}

static const crmf_evidence *evidence(const crmf_dedupe_pair *p, crmf_evidence_kind k)
{
	for (size_t i = 0; i < p->n_evidence; i++)
		if (p->evidence[i].kind == k)
			return &p->evidence[i];
	return NULL;
}

static void test_pairs(void **state)
{
	static const char *const yaml[] = {
	    /* 0 */ "id: C000\nname: 云启科技\nowner: a\ncontacts:\n"
		    "  - {name: 张伟, phone: '0571-8888 6666', email: zw@yunqi.cn}\n",
	    /* 1 */ "id: C001\nname: 杭州云启科技有限公司\nowner: b\ncontacts:\n"
		    "  - {name: 张 伟, phone: '+86 571 88886666 转 8', email: li@qq.com}\n",
	    /* 2 */ "id: C002\nname: 苏州云启科技有限公司\nowner: a\n",
	    /* 3 */ "id: C003\nname: 北方重工\nowner: a\ncontacts:\n"
		    "  - {name: 王强, email: wq@yunqi.cn}\n",
	    /* 4 */ "id: C004\nname: 南方重工\nowner: a\ncontacts:\n"
		    "  - {name: 李娜, email: ln@qq.com}\n",
	    /* 5 */ "id: C005\nname: 云启贸易\nowner: a\n",
	};
	crmf_config *cfg = NULL;
	crmf_customer **v = customers(yaml, 6, &cfg);
	crmf_dedupe *d = NULL;
	crmf_dedupe_opts o = {.min_score = 0};
	const crmf_dedupe_pair *p = NULL;

	(void)state;
	assert_int_equal(crmf_dedupe_customers(&d, v, 6, &o), 0);
	assert_int_equal(d->n_customers, 6);
	/* 0-1: name, phone, contact; 0-2 name (cities unknown/differ); 1-2 cities
	 * differ; 0-3 domain; 0-5, 1-5, 2-5 other trade words */
	for (size_t i = 0; i < d->n_pairs; i++)
		if (d->pairs[i].a == 0 && d->pairs[i].b == 1)
			p = &d->pairs[i];
	assert_non_null(p);
	assert_non_null(evidence(p, CRMF_EVIDENCE_NAME));
	assert_string_equal(evidence(p, CRMF_EVIDENCE_NAME)->key, "云启科技");
	assert_string_equal(evidence(p, CRMF_EVIDENCE_PHONE)->key, "57188886666");
	assert_non_null(evidence(p, CRMF_EVIDENCE_CONTACT));
	assert_string_equal(evidence(p, CRMF_EVIDENCE_OWNER)->a, "a");
	assert_null(evidence(p, CRMF_EVIDENCE_DOMAIN)); /* qq.com says nothing */
	assert_true(p->score >= 0.95);
	for (size_t i = 0; i < d->n_pairs; i++) {
		const crmf_dedupe_pair *q = &d->pairs[i];

		if (q->a == 1 && q->b == 2) {
			assert_string_equal(evidence(q, CRMF_EVIDENCE_NAME)->note,
					    "cities differ: 杭州 / 苏州");
			assert_true(q->score == 0.4);
		}
		if (q->a == 0 && q->b == 3)
			assert_string_equal(evidence(q, CRMF_EVIDENCE_DOMAIN)->key, "yunqi.cn");
		if (q->b == 4)
			fail_msg("南方重工 paired with %zu", q->a);
		if (q->a == 0 && q->b == 5)
			assert_true(q->score == 0.35);
	}
	crmf_dedupe_free(d);

	/* the default minimum: 0-1, 0-2 and 0-3 (domain 0.5) are one group */
	assert_int_equal(crmf_dedupe_customers(&d, v, 6, &(crmf_dedupe_opts){.min_score = -1}), 0);
	assert_int_equal(d->n_groups, 1);
	assert_int_equal(d->groups[0].n, 4);
	assert_int_equal(d->groups[0].members[3], 3);
	assert_int_equal(d->pairs[0].a, 0);
	assert_int_equal(d->pairs[0].b, 1);
	crmf_dedupe_free(d);
	free_customers(v, 6, cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
