/* SPDX-License-Identifier: MIT */
/* What fast commands share with the library: work split over the cores, large
 * zeroed tables, integers written without printf (see also crmf/sort.h). */
#ifndef CRMF_PERF_H
#define CRMF_PERF_H

#include <stddef.h>

/** The cores online, 1 to 64. */
int crmf_cpu_count(void);

/** Work on `part` of the parts of a crmf_parallel_for: items [lo, hi). */
typedef void crmf_part_fn(void *ctx, size_t part, size_t lo, size_t hi);

/** Into how many parts (threads) to split `n` items: one per core, each part
 * at least `grain` items, 1 to 16. */
size_t crmf_parallel_parts(size_t n, size_t grain);

/** Run `fn` over [0, n) split into `parts` (1 to 16) contiguous parts, one
 * thread each (the calling thread takes part 0; a part whose thread cannot be
 * had is run there too); returns when all are done. */
void crmf_parallel_for(size_t n, size_t parts, crmf_part_fn *fn, void *ctx);

/** Zeroed memory for a large table that will be touched all over: mapped with
 * its pages at once (one page fault at a time costs more than the filling, on
 * a virtual machine most of all). Aborts when out of memory. Free it with
 * crmf_table_free and the same `n` and `size`. */
void *crmf_table_alloc(size_t n, size_t size);
void crmf_table_free(void *p, size_t n, size_t size);

/** Write v in decimal and a NUL at p (12 bytes at most), without snprintf;
 * returns the end (the NUL). */
char *crmf_int_text(char *p, int v);

#endif
