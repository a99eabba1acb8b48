/* SPDX-License-Identifier: MIT */
/* Fuzz harness: crmf.yaml bytes through the configuration loader, then a customer checked under it. */
#include <string.h>

#include "crmf/check.h"
#include "crmf/classify.h"
#include "crmf/schema.h"
#include "fuzz.h"

/* A customer with values for the custom fields a fuzzed crmf.yaml may declare. */
static const char customer_yaml[] = "id: C2024001\n"
				    "name: 宁波甬达汽车零部件有限公司\n"
				    "industry: 制造业/汽车零部件\n"
				    "size: 200-1000\n"
				    "source: 展会\n"
				    "created: 2024-03-12\n"
				    "owner: zhang.wei\n"
				    "stage: customer\n"
				    "potential: high\n"
				    "grade: A\n"
				    "region: 华东\n"
				    "seats: 40\n"
				    "vip: true\n"
				    "renewal: 2025-05-27\n"
				    "products: [MES, WMS]\n"
				    "contacts:\n"
				    "  - name: 周建国\n"
				    "    phone: \"+86 139 0574 2210\"\n"
				    "deals:\n"
				    "  - amount: 380000\n"
				    "    signed: 2024-05-28\n"
				    "followups:\n"
				    "  - date: 2024-03-14\n"
				    "    by: li.na\n"
				    "    method: phone\n"
				    "    summary: 展会后回访，确认冲压车间想做设备联网和MES\n"
				    "    next: 发送案例\n"
				    "    due: 2024-03-18\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	crmf_diags diags;
	crmf_doc *doc = NULL, *cdoc = NULL;
	crmf_config *cfg = NULL;
	crmf_customer *c = NULL;
	crmf_class cl;
	int rc;

	crmf_diags_init(&diags);
	crmf_doc_parse(&doc, "crmf.yaml", (const char *)data, size, &diags);
	rc = crmf_config_load(&cfg, doc, &diags);
	FUZZ_ASSERT(cfg != NULL, "a configuration is always returned");
	FUZZ_ASSERT(rc == 0 || diags.errors > 0, "a failed load says why");
	crmf_doc_free(doc); /* the configuration outlives its document */

	FUZZ_ASSERT(cfg->rules.dormant_after >= 0 && cfg->rules.archive_after >= 0,
		    "durations are not negative");
	for (size_t i = 0; i < cfg->n_team; i++) {
		FUZZ_ASSERT(cfg->team[i].id, "a member has an id");
		FUZZ_ASSERT(crmf_config_member(cfg, cfg->team[i].id) != NULL, "member '%s' found",
			    cfg->team[i].id);
	}
	for (size_t i = 0; i < cfg->n_fields; i++) {
		FUZZ_ASSERT(cfg->fields[i].name, "a field has a name");
		FUZZ_ASSERT(crmf_config_field(cfg, cfg->fields[i].name) != NULL, "field '%s' found",
			    cfg->fields[i].name);
		FUZZ_ASSERT(crmf_field_type_name(cfg->fields[i].type) != NULL, "a type name");
	}
	for (size_t i = 0; i < cfg->n_labels; i++)
		FUZZ_ASSERT(crmf_config_label(cfg, cfg->labels[i].field, cfg->labels[i].value),
			    "a label");

	crmf_doc_parse(&cdoc, "customers/2024/C2024001.yaml", customer_yaml,
		       sizeof(customer_yaml) - 1, &diags);
	crmf_check_customer(&c, cdoc, "customers/2024/C2024001.yaml", cfg,
			    crmf_date_from_ymd(2025, 6, 16), &diags);
	if (c)
		crmf_classify(&cl, c, cfg, crmf_date_from_ymd(2025, 6, 16));
	crmf_customer_free(c);
	crmf_config_free(cfg);
	crmf_diags_release(&diags);
	return 0;
}
