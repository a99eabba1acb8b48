/* SPDX-License-Identifier: MIT */
/* Fuzz harness: the change index (.git/crmf/changes) as crmf history and crmf report read it. */
#include <string.h>

#include "crmf/cache.h"
#include "crmf/doc.h"
#include "crmf/commit.h"
#include "crmf/report.h"
#include "crmf/repository.h"
#include "fuzz_repo.h"

/*
 * The index is a cache: crmf reads it only when its checksum (its last 16
 * bytes) matches, so random bytes would never get past that. Each input
 * becomes an index whose checksum is made to match:
 *   - first byte 0: the index crmf built for the fuzz repository, with the
 *     rest of the input as patches, 3 bytes each (a 16-bit offset into the
 *     index, the checksum left out, then the byte to put there);
 *   - otherwise: the rest of the input is the index, its HEAD (bytes 44 to
 *     63) set to the repository's, so that crmf takes it as up to date.
 * Then crmf history (all fields, and one) and crmf report read it.
 * Oracles: nothing crashes or leaks, a failure says why, and the history
 * entries and the report hold what their callers read.
 */

#define SUM 16	    /* the checksum at the end */
#define HEAD_AT 44  /* the HEAD the index covers */
#define HEAD_END 64 /* the header's end */

static char *valid; /* the index crmf wrote for the repository */
static size_t valid_len;
static char index_path[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	crmf_history_entry *v = NULL;
	size_t n = 0;

	(void)argc;
	(void)argv;
	fuzz_repo();
	snprintf(index_path, sizeof(index_path), "%s/.git/crmf/changes", fuzz_root);
	/* crmf history builds the index */
	FUZZ_ASSERT(crmf_history(&v, &n, fuzz_root, "C2025001", NULL) == 0 && n == 2,
		    "the history of C2025001: %zu entries", n);
	crmf_history_free(v, n);
	FUZZ_ASSERT(crmf_doc_read(&valid, &valid_len, index_path) == 0 &&
			valid_len > HEAD_END + SUM,
		    "the index written: %zu bytes", valid_len);
	return 0;
}

static void check_history(const char *id, const char *field)
{
	crmf_history_entry *v = NULL;
	size_t n = 0;

	if (crmf_history(&v, &n, fuzz_root, id, field) != 0) {
		FUZZ_ASSERT(crmf_error_last()[0], "history of %s fails with a reason", id);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(v[i].oid[0] && v[i].author && v[i].subject && v[i].path,
			    "entry %zu of %s whole", i, id);
		for (size_t k = 0; k < v[i].n_changes; k++)
			FUZZ_ASSERT(v[i].changes[k] && strlen(v[i].changes[k]) < (1 << 20),
				    "change line %zu of entry %zu", k, i);
	}
	crmf_history_free(v, n);
}

static void check_report(void)
{
	crmf_repository *r = NULL;
	crmf_report *rep = NULL;
	crmf_report_opts o = {.since = crmf_date_from_ymd(2025, 1, 1),
			      .until = crmf_date_from_ymd(2025, 6, 30),
			      .today = crmf_date_from_ymd(2025, 6, 30)};

	FUZZ_ASSERT(crmf_repository_open(&r, fuzz_root) == 0, "the repository opens: %s",
		    crmf_error_last());
	if (crmf_report_build(&rep, r, &o) == 0) {
		FUZZ_ASSERT(rep->team.touched <= 16, "%zu customers touched", rep->team.touched);
		crmf_report_free(rep);
	} else {
		FUZZ_ASSERT(crmf_error_last()[0], "the report fails with a reason");
	}
	crmf_repository_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *idx;
	size_t len;
	crmf_hash sum;
	FILE *f;

	if (size == 0)
		return 0;
	if (data[0] == 0) {
		len = valid_len;
		idx = malloc(len);
		FUZZ_ASSERT(idx, "memory");
		memcpy(idx, valid, len);
		for (size_t i = 1; i + 3 <= size; i += 3) {
			size_t at = ((size_t)data[i] | (size_t)data[i + 1] << 8) % (len - SUM);

			idx[at] = (char)data[i + 2];
		}
	} else {
		len = size - 1;
		if (len < HEAD_END + SUM)
			len = HEAD_END + SUM; /* room for the HEAD and the checksum */
		idx = calloc(1, len);
		FUZZ_ASSERT(idx, "memory");
		memcpy(idx, data + 1, size - 1);
		memcpy(idx + HEAD_AT, valid + HEAD_AT, HEAD_END - HEAD_AT);
	}
	sum = crmf_hash_bytes((crmf_hash){0, 0}, idx, len - SUM);
	memcpy(idx + len - SUM, &sum, SUM);
	f = fopen(index_path, "wb");
	FUZZ_ASSERT(f && fwrite(idx, 1, len, f) == len && fclose(f) == 0, "%s written", index_path);
	free(idx);

	check_history("C2025001", NULL);
	check_history("C2025002", "stage");
	check_report();
	/* the next input starts from its own index: whatever crmf left is replaced */
	return 0;
}
