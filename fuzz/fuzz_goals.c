/* SPDX-License-Identifier: MIT */
/* Fuzz harness: crmf.yaml's `goals:` through the loader, then crmf report's progress toward them. */
#include <math.h>
#include <string.h>

#include "crmf/report.h"
#include "crmf/repository.h"
#include "crmf/schema.h"
#include "fuzz.h"
#include "fuzz_repo.h"

/*
 * Input: crmf.yaml bytes (the seeds are mostly `goals:`). Oracles: every
 * goal loaded names a metric, a period, and a value that is a number ≥ 0
 * (a rate at most 1). When there are goals, the file is put in a small
 * repository (fuzz_repo.h) and crmf report runs on it for a period that
 * ends on a day the input picks among month, quarter, year and leap-day
 * edges and the ends of the calendar: each goal's period holds that day and its value, elapsed part and
 * status make sense.
 */

static const char *const metrics[] = {
	"new_customers", "followups", "customers_touched", "deals",
	"deal_amount",	 "churn_rate", "plan_adherence",    "overdue",
};

static const char *const statuses[] = {"met", "on track", "behind", "missed", "no data"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_repo();
	return 0;
}

static void report(const crmf_config *cfg, const uint8_t *data, size_t size)
{
	static const int ends[][3] = {
	    {2025, 6, 16}, {2025, 12, 31}, {2024, 2, 29}, {2025, 1, 1},
	    {2025, 3, 31}, {2025, 9, 30},  {2023, 1, 1},  {2025, 5, 28},
	    {9999, 12, 31}, {1, 1, 1}, /* the ends of what --until takes */
	};
	unsigned h = 0;
	crmf_repository *r = NULL;
	const crmf_config *rcfg;
	crmf_report *rep = NULL;
	crmf_report_opts o;

	for (size_t i = 0; i < size; i++)
		h = h * 31 + data[i];
	h %= sizeof(ends) / sizeof(ends[0]);
	o.until = crmf_date_from_ymd(ends[h][0], ends[h][1], ends[h][2]);
	o.since = o.until - (h == 9 ? 0 : 30);
	o.owner = size % 3 == 0 ? "li.na" : NULL;
	o.today = o.until;

	FUZZ_ASSERT(fuzz_repo_put("crmf.yaml", (const char *)data, size) == 0, "crmf.yaml written");
	FUZZ_ASSERT(crmf_repository_open(&r, fuzz_root) == 0, "repository: %s", crmf_error_last());
	if (crmf_repository_config(&rcfg, r) != 0 || crmf_report_build(&rep, r, &o) != 0) {
		crmf_repository_close(r);
		return; /* crmf.yaml no regular file: cannot be from here */
	}
	FUZZ_ASSERT(rcfg->n_goals == cfg->n_goals, "the repository reads the same goals");
	FUZZ_ASSERT(rep->n_goals == rcfg->n_goals, "%zu goals reported of %zu", rep->n_goals,
		    rcfg->n_goals);
	for (size_t i = 0; i < rep->n_goals; i++) {
		const crmf_report_goal *g = &rep->goals[i];
		bool known = false;

		FUZZ_ASSERT(g->goal == &rcfg->goals[i], "goal %zu in order", i);
		FUZZ_ASSERT(g->since <= o.until && o.until <= g->until, "the period holds the day");
		FUZZ_ASSERT(g->until - g->since < 366, "a period of at most a year");
		FUZZ_ASSERT(g->elapsed > 0 && g->elapsed <= 1, "elapsed %g", g->elapsed);
		FUZZ_ASSERT(!isnan(g->value), "a value");
		for (size_t k = 0; k < sizeof(statuses) / sizeof(statuses[0]); k++)
			known = known || (g->status && strcmp(g->status, statuses[k]) == 0);
		FUZZ_ASSERT(known, "status '%s'", g->status ? g->status : "(null)");
	}
	crmf_report_free(rep);
	crmf_repository_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	crmf_diags diags;
	crmf_doc *doc = NULL;
	crmf_config *cfg = NULL;
	int rc;

	crmf_diags_init(&diags);
	crmf_doc_parse(&doc, "crmf.yaml", (const char *)data, size, &diags);
	rc = crmf_config_load(&cfg, doc, &diags);
	FUZZ_ASSERT(cfg != NULL, "a configuration is always returned");
	FUZZ_ASSERT(rc == 0 || diags.errors > 0, "a failed load says why");
	crmf_doc_free(doc);
	for (size_t i = 0; i < cfg->n_goals; i++) {
		const crmf_goal *g = &cfg->goals[i];
		bool rate, known = false;

		for (size_t k = 0; k < sizeof(metrics) / sizeof(metrics[0]); k++)
			known = known || (g->metric && strcmp(g->metric, metrics[k]) == 0);
		FUZZ_ASSERT(known, "metric '%s'", g->metric ? g->metric : "(null)");
		rate = strcmp(g->metric, "churn_rate") == 0 || strcmp(g->metric, "plan_adherence") == 0;
		FUZZ_ASSERT(g->per >= CRMF_PER_WEEK && g->per <= CRMF_PER_YEAR, "period %d",
			    (int)g->per);
		FUZZ_ASSERT(g->value >= 0 && g->value < 1e15 && (!rate || g->value <= 1),
			    "value %g of %s", g->value, g->metric);
	}
	/* the report reads crmf.yaml from the repository: only when it has goals,
	 * and only what the repository can hold (no NUL in a file git reads) */
	if (cfg->n_goals > 0 && !memchr(data, '\0', size))
		report(cfg, data, size);
	crmf_config_free(cfg);
	crmf_diags_release(&diags);
	return 0;
}
