/* SPDX-License-Identifier: MIT */
/* What a report reads of every customer, from the validation cache (see facts.h). */
#include "facts.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crmf/cache.h"
#include "crmf/diag.h"
#include "crmf/scan.h"
#include "util.h"

/* Remove the report's own cache of facts that crmf 0.2 kept beside the
 * validation cache (<git dir>/crmf/facts[-<hash>]): it is read no more. */
static void remove_old_facts(const char *root)
{
	char *cache, *slash, *old;

	if (crmf_cache_path(&cache, root) != 0)
		return;
	slash = strrchr(cache, '/');
	*slash = '\0';
	old = xasprintf("%s/facts%s", cache, slash + 1 + strlen("cache"));
	(void)unlink(old);
	free(old);
	free(cache);
}

int crmf_facts_load(crmf_facts *out, const char *root, crmf_day today)
{
	crmf_scan_opts o = {.today = today, .mode = CRMF_SCAN_SUMMARY, .facts = true};
	crmf_diags d;
	int rc;

	memset(out, 0, sizeof(*out));
	crmf_diags_init(&d);
	/* the diagnostics are crmf check's to report: the scan only keeps them in the cache */
	rc = crmf_repo_load(&out->repo, root, &o, &d);
	crmf_diags_release(&d);
	if (rc != 0)
		return -1;
	out->v = out->repo->v;
	out->n = out->repo->n;
	remove_old_facts(root);
	return 0;
}

void crmf_facts_free(crmf_facts *f)
{
	crmf_repo_free(f->repo);
	memset(f, 0, sizeof(*f));
}
