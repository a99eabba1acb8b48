/* SPDX-License-Identifier: MIT */
/* Fuzz harness: customer file bytes through the loader, the checker and the classifier. */
#include <string.h>

#include "crmf/check.h"
#include "crmf/classify.h"
#include "crmf/doc.h"
#include "fuzz.h"

/* A team configuration with a custom field of every type, so that their checks run too. */
static const char config_yaml[] = "version: 1\n"
				  "team: [zhang.wei, li.na]\n"
				  "industries: [制造业/汽车零部件, IT服务/云计算]\n"
				  "fields:\n"
				  "  region: {type: enum, values: [华东, 华北], required: true}\n"
				  "  note: {type: text}\n"
				  "  renewal: {type: date}\n"
				  "  seats: {type: number}\n"
				  "  vip: {type: bool}\n"
				  "  products: {type: list}\n"
				  "  code: {type: string}\n";

static crmf_config *configs[2];

static void setup(void)
{
	crmf_doc *doc = NULL;
	crmf_diags diags;

	if (configs[0])
		return;
	crmf_diags_init(&diags);
	crmf_config_load(&configs[0], NULL, NULL);
	crmf_doc_parse(&doc, "crmf.yaml", config_yaml, sizeof(config_yaml) - 1, &diags);
	FUZZ_ASSERT(crmf_config_load(&configs[1], doc, &diags) == 0 && diags.errors == 0,
		    "the harness's config is valid");
	crmf_doc_free(doc);
	crmf_diags_release(&diags);
}

/* Every node's span lies in the source and its position is 1-based. */
static void check_node(const crmf_doc *doc, const crmf_node *n, int depth)
{
	FUZZ_ASSERT(depth <= CRMF_DOC_MAX_DEPTH + 1, "depth %d", depth);
	FUZZ_ASSERT(n->start <= n->end && n->end <= doc->len, "span [%zu, %zu) of %zu", n->start,
		    n->end, doc->len);
	FUZZ_ASSERT(n->line >= 1 && n->column >= 1, "position %d:%d", n->line, n->column);
	switch (n->type) {
	case CRMF_NODE_SCALAR:
		FUZZ_ASSERT(n->value && strlen(n->value) <= n->len && n->value[n->len] == '\0',
			    "scalar value of length %zu", n->len);
		break;
	case CRMF_NODE_MAPPING:
		for (size_t i = 0; i < n->n; i++) {
			const crmf_pair *p = &n->pairs[i];

			FUZZ_ASSERT(p->key && p->key->type == CRMF_NODE_SCALAR, "a scalar key");
			FUZZ_ASSERT(p->value, "a value");
			check_node(doc, p->key, depth + 1);
			check_node(doc, p->value, depth + 1);
			FUZZ_ASSERT(crmf_node_get(n, p->key->value) != NULL, "key '%s' found",
				    p->key->value);
		}
		break;
	case CRMF_NODE_SEQUENCE:
		for (size_t i = 0; i < n->n; i++)
			check_node(doc, n->items[i], depth + 1);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	for (int k = 0; k < 2; k++) {
		crmf_diags diags;
		crmf_doc *doc = NULL;
		crmf_customer *c = NULL;
		int rc;

		crmf_diags_init(&diags);
		rc = crmf_doc_parse(&doc, "customers/2024/C2024001.yaml", (const char *)data, size,
				    &diags);
		FUZZ_ASSERT(rc == 0 || diags.errors > 0, "a failed parse says why");
		if (rc == 0)
			FUZZ_ASSERT(doc && doc->root && doc->root->type == CRMF_NODE_MAPPING,
				    "a parsed document has a mapping root");
		if (!doc) {
			crmf_diags_release(&diags);
			return 0;
		}
		FUZZ_ASSERT(doc->len == size && memcmp(doc->src, data, size) == 0 &&
				    doc->src[size] == '\0',
			    "the source is kept byte for byte");
		if (doc->root)
			check_node(doc, doc->root, 0);
		rc = crmf_check_customer(&c, doc, "customers/2024/C2024001.yaml", configs[k],
					 crmf_date_from_ymd(2025, 6, 16), &diags);
		FUZZ_ASSERT(rc == 0 || diags.errors > 0, "a failed check says why");
		for (size_t i = 0; i < diags.n; i++) {
			const crmf_diag *d = &diags.v[i];

			FUZZ_ASSERT(d->rule && d->message && d->message[0], "a diagnostic has words");
			FUZZ_ASSERT(d->line >= 0 && d->column >= 0, "a diagnostic's position");
		}
		if (c) {
			crmf_class cl;
			crmf_customer *two[2] = {c, c};

			crmf_classify(&cl, c, configs[k], crmf_date_from_ymd(2025, 6, 16));
			FUZZ_ASSERT(strlen(cl.reason) < sizeof(cl.reason), "reason fits");
			crmf_check_cross(two, 2, &diags);
		}
		crmf_customer_free(c);
		crmf_diags_release(&diags);
	}
	return 0;
}
