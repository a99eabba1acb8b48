/* SPDX-License-Identifier: MIT */
/* Threads over the cores (the library's and the commands' one way), large
 * zeroed tables and integer text. */
#include "crmf/perf.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

int crmf_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

void run_threads(void *(*fn)(void *), void *arg, int threads)
{
	pthread_t tid[64];
	int started = 0;

	/* the calling thread works too; a thread not to be had leaves its share to the others */
	for (int t = 1; t < threads && t < 64; t++)
		if (pthread_create(&tid[started], NULL, fn, arg) == 0)
			started++;
	fn(arg);
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
}

#define MAX_PARTS 16

size_t crmf_parallel_parts(size_t n, size_t grain)
{
	size_t cores = (size_t)crmf_cpu_count(), parts = grain ? n / grain : n;

	if (parts > cores)
		parts = cores;
	if (parts > MAX_PARTS)
		parts = MAX_PARTS;
	return parts ? parts : 1;
}

struct part_job {
	crmf_part_fn *fn;
	void *ctx;
	size_t part, lo, hi;
};

static void *part_main(void *arg)
{
	struct part_job *j = arg;

	j->fn(j->ctx, j->part, j->lo, j->hi);
	return NULL;
}

void crmf_parallel_for(size_t n, size_t parts, crmf_part_fn *fn, void *ctx)
{
	struct part_job jobs[MAX_PARTS];
	pthread_t tid[MAX_PARTS];
	bool started[MAX_PARTS] = {false};

	if (parts < 1)
		parts = 1;
	if (parts > MAX_PARTS)
		parts = MAX_PARTS;
	for (size_t p = 0; p < parts; p++)
		jobs[p] = (struct part_job){fn, ctx, p, n * p / parts, n * (p + 1) / parts};
	for (size_t p = 1; p < parts; p++)
		started[p] = pthread_create(&tid[p], NULL, part_main, &jobs[p]) == 0;
	part_main(&jobs[0]);
	for (size_t p = 1; p < parts; p++) {
		if (started[p])
			pthread_join(tid[p], NULL);
		else /* no thread to be had: the work is done here */
			part_main(&jobs[p]);
	}
}

/* Below this a table comes from calloc: small ones share pages. */
#define TABLE_MAP_MIN ((size_t)256 << 10)

void *crmf_table_alloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		abort();
	if (n * size < TABLE_MAP_MIN)
		return xcalloc(n ? n : 1, size ? size : 1);
	p = mmap(NULL, n * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		 -1, 0);
	if (p == MAP_FAILED)
		abort(); /* out of memory, as xcalloc */
	return p;
}

void crmf_table_free(void *p, size_t n, size_t size)
{
	if (!p)
		return;
	if (n * size < TABLE_MAP_MIN)
		free(p);
	else
		munmap(p, n * size);
}

char *crmf_int_text(char *p, int v)
{
	char tmp[12];
	unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
	int n = 0;

	do
		tmp[n++] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*p++ = '-';
	while (n)
		*p++ = tmp[--n];
	*p = '\0';
	return p;
}
