/* SPDX-License-Identifier: MIT */
/* Unit tests of readmany.c: a batch of files read through io_uring, and what it leaves to the caller. */
#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readmany.h"

static char dir[4096];
static int dfd = -1;

static void put(const char *name, const char *text, size_t len)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/crmf-readmany-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	return dfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[4200];

	(void)state;
	close(dfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static crmf_readmany *ring_or_skip(size_t slots)
{
	crmf_readmany *rm = crmf_readmany_new(slots);

	if (!rm)
		skip(); /* this kernel has no io_uring for us: the callers read each file */
	return rm;
}

/* Every kind of entry in one batch: the small regular files come back with
 * their bytes and the stat data lstat/stat give; the rest are left to the
 * caller, and nothing hangs (a FIFO without a writer). */
static void test_batch_of_every_kind(void **state)
{
	static char big[20000];
	const char *names[] = {"a.yaml", "missing.yaml", "sub", "fifo.yaml", "big.yaml",
			       "link.yaml", "empty.yaml", "sub/deep.yaml"};
	enum { N = sizeof(names) / sizeof(names[0]) };
	char *bufs[N];
	size_t len[N];
	struct stat st[N], want;
	crmf_readmany *rm;

	(void)state;
	put("a.yaml", "id: C1\nname: 甲公司\n", 22);
	assert_int_equal(mkdirat(dfd, "sub", 0777), 0);
	put("sub/deep.yaml", "id: C2\n", 7);
	assert_int_equal(mkfifoat(dfd, "fifo.yaml", 0644), 0);
	memset(big, 'x', sizeof(big));
	put("big.yaml", big, sizeof(big));
	assert_int_equal(symlinkat("a.yaml", dfd, "link.yaml"), 0);
	put("empty.yaml", "", 0);

	rm = ring_or_skip(N);
	crmf_readmany_read(rm, dfd, names, N, bufs, len, st);

	assert_non_null(bufs[0]);
	assert_int_equal(len[0], 22);
	assert_memory_equal(bufs[0], "id: C1\nname: 甲公司\n", 22);
	assert_int_equal(fstatat(dfd, "a.yaml", &want, 0), 0);
	assert_int_equal(st[0].st_ino, want.st_ino);
	assert_int_equal(st[0].st_size, want.st_size);
	assert_int_equal(st[0].st_mtim.tv_sec, want.st_mtim.tv_sec);
	assert_int_equal(st[0].st_mtim.tv_nsec, want.st_mtim.tv_nsec);
	assert_int_equal(st[0].st_ctim.tv_nsec, want.st_ctim.tv_nsec);
	assert_int_equal(st[0].st_dev, want.st_dev);
	assert_null(bufs[1]); /* missing */
	assert_null(bufs[2]); /* a folder */
	assert_null(bufs[3]); /* a FIFO: not read, not waited on */
	assert_null(bufs[4]); /* larger than a slot: read the ordinary way */
	assert_null(bufs[5]); /* a link is not followed */
	assert_non_null(bufs[6]);
	assert_int_equal(len[6], 0);
	assert_non_null(bufs[7]);
	assert_memory_equal(bufs[7], "id: C2\n", 7);
	for (size_t k = 0; k < N; k++)
		free(bufs[k]);

	/* the ring is still good after the failures above */
	crmf_readmany_read(rm, dfd, names, 1, bufs, len, st);
	assert_non_null(bufs[0]);
	free(bufs[0]);
	crmf_readmany_free(rm);
}

/* More names than slots: the rest are left to the caller. */
static void test_more_names_than_slots(void **state)
{
	const char *names[] = {"s1.yaml", "s2.yaml", "s3.yaml"};
	char *bufs[3];
	size_t len[3];
	struct stat st[3];
	crmf_readmany *rm;

	(void)state;
	put("s1.yaml", "a: 1\n", 5);
	put("s2.yaml", "a: 2\n", 5);
	put("s3.yaml", "a: 3\n", 5);
	rm = ring_or_skip(2);
	crmf_readmany_read(rm, dfd, names, 3, bufs, len, st);
	assert_non_null(bufs[0]);
	assert_non_null(bufs[1]);
	assert_memory_equal(bufs[1], "a: 2\n", 5);
	assert_null(bufs[2]);
	free(bufs[0]);
	free(bufs[1]);
	crmf_readmany_free(rm);
}

/* Without stat data wanted, files are read by open, read and close alone. */
static void test_without_stat_data(void **state)
{
	const char *names[] = {"n1.yaml", "nothing.yaml", "n2.yaml"};
	char *bufs[3];
	size_t len[3];
	crmf_readmany *rm;

	(void)state;
	put("n1.yaml", "id: N1\n", 7);
	put("n2.yaml", "id: N2\nname: 乙\n", 16);
	rm = ring_or_skip(3);
	crmf_readmany_read(rm, dfd, names, 3, bufs, len, NULL);
	assert_non_null(bufs[0]);
	assert_int_equal(len[0], 7);
	assert_memory_equal(bufs[0], "id: N1\n", 7);
	assert_null(bufs[1]);
	assert_non_null(bufs[2]);
	assert_int_equal(len[2], 16);
	assert_memory_equal(bufs[2], "id: N2\nname: 乙\n", 16);
	free(bufs[0]);
	free(bufs[2]);
	crmf_readmany_free(rm);
}

static void test_disabled_by_environment(void **state)
{
	(void)state;
	setenv("CRMF_IO_URING", "0", 1);
	assert_null(crmf_readmany_new(4));
	unsetenv("CRMF_IO_URING");
	assert_null(crmf_readmany_new(0));
	crmf_readmany_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_batch_of_every_kind),
	    cmocka_unit_test(test_more_names_than_slots),
	    cmocka_unit_test(test_without_stat_data),
	    cmocka_unit_test(test_disabled_by_environment),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
