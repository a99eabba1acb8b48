/* SPDX-License-Identifier: MIT */
/* Unit tests of the validation cache file: hashing, writing, reading back, damage and racy entries. */
#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/cache.h"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/crmf-test-cache.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const crmf_hash key = {1, 2};

static crmf_cache_stat st_of(int64_t n)
{
	crmf_cache_stat st = {n * 1000000000 + 5, n * 1000000000 + 7, (uint64_t)n * 10,
			      (uint64_t)n + 100};

	return st;
}

static crmf_hash hash_of(const char *s)
{
	return crmf_hash_bytes((crmf_hash){0, 0}, s, strlen(s));
}

/* A cache of a, b and c with records "rec a", "record b", "r c", extra "XYZ". */
static char *write_abc(void)
{
	static const char *const names[] = {"customers/a.yaml", "customers/b.yaml",
					    "customers/c.yaml"};
	static const char *const recs[] = {"rec a", "record b", "r c"};
	crmf_cache_writer *w;
	char *path;

	assert_true(asprintf(&path, "%s/crmf/cache", dir) > 0);
	assert_int_equal(crmf_cache_writer_open(&w, path, key), 0);
	for (int i = 0; i < 3; i++) {
		crmf_cache_stat st = st_of(i + 1);

		crmf_cache_writer_add(w, names[i], &st, hash_of(recs[i]), (uint32_t)i + 1,
				      0x1122334455667788ULL + (uint64_t)i, recs[i], strlen(recs[i]));
	}
	assert_int_equal(crmf_cache_writer_commit(w, "XYZ", 3), 0);
	return path;
}

static const char *const abc[] = {"customers/a.yaml", "customers/b.yaml", "customers/c.yaml"};

static void test_hash(void **state)
{
	char buf[64];
	crmf_hash h[41];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	for (int n = 0; n <= 40; n++) {
		h[n] = crmf_hash_bytes((crmf_hash){0, 0}, buf, (size_t)n);
		for (int m = 0; m < n; m++)
			assert_false(h[m].a == h[n].a && h[m].b == h[n].b);
	}
	/* one bit anywhere changes the hash */
	for (int i = 0; i < 40; i++) {
		crmf_hash x;

		buf[i] ^= 1;
		x = crmf_hash_bytes((crmf_hash){0, 0}, buf, 40);
		buf[i] ^= 1;
		assert_false(x.a == h[40].a);
	}
	/* a seed chains hashes */
	assert_false(crmf_hash_bytes(h[3], buf, 3).a == h[3].a);
}

static void test_round_trip(void **state)
{
	char *path = write_abc();
	crmf_cache *c = NULL;
	const crmf_cache_info *e;
	const void *rec[3];
	size_t len[3], xlen;
	const char *extra;
	void *buf;

	(void)state;
	assert_int_equal(crmf_cache_open(&c, path, key, abc, 3), 0);
	assert_non_null(c);
	assert_true(crmf_cache_complete(c));
	e = crmf_cache_info_of(c, 1);
	assert_non_null(e);
	assert_true(crmf_cache_stat_equal(&e->st, &(crmf_cache_stat){2000000005, 2000000007, 20, 102}));
	assert_true(e->content.a == hash_of("record b").a && e->content.b == hash_of("record b").b);
	assert_int_equal(e->flags, 2);
	assert_true(e->aux == 0x1122334455667789ULL);
	assert_int_equal(e->rec_len, 8);
	extra = crmf_cache_extra(c, &xlen);
	assert_int_equal(xlen, 3);
	assert_memory_equal(extra, "XYZ", 3);
	buf = crmf_cache_read(c, 0, 3, NULL, rec, len);
	assert_non_null(buf);
	assert_int_equal(len[0], 5);
	assert_memory_equal(rec[0], "rec a", 5);
	assert_memory_equal(rec[1], "record b", 8);
	assert_memory_equal(rec[2], "r c", 3);
	free(buf);
	/* only what is wanted */
	buf = crmf_cache_read(c, 1, 3, (const bool[]){false, true}, rec, len);
	assert_null(rec[0]);
	assert_memory_equal(rec[1], "r c", 3);
	free(buf);
	crmf_cache_close(c);
	free(path);
}

static void test_other_files(void **state)
{
	char *path = write_abc();
	const char *const files[] = {"customers/0.yaml", "customers/a.yaml", "customers/c.yaml",
				     "customers/d.yaml"};
	crmf_cache *c = NULL;

	(void)state;
	assert_int_equal(crmf_cache_open(&c, path, key, files, 4), 0);
	assert_non_null(c);
	assert_false(crmf_cache_complete(c));
	assert_null(crmf_cache_info_of(c, 0));
	assert_int_equal(crmf_cache_info_of(c, 1)->flags, 1);
	assert_int_equal(crmf_cache_info_of(c, 2)->flags, 3);
	assert_null(crmf_cache_info_of(c, 3));
	crmf_cache_close(c);
	/* fewer files than entries: not complete either */
	assert_int_equal(crmf_cache_open(&c, path, key, abc, 2), 0);
	assert_false(crmf_cache_complete(c));
	crmf_cache_close(c);
	free(path);
}

static void test_wrong_key_or_missing(void **state)
{
	char *path = write_abc(), *none;
	crmf_cache *c = (crmf_cache *)1;

	(void)state;
	assert_int_equal(crmf_cache_open(&c, path, (crmf_hash){1, 3}, abc, 3), 0);
	assert_null(c);
	assert_true(asprintf(&none, "%s/nothing", dir) > 0);
	assert_int_equal(crmf_cache_open(&c, none, key, abc, 3), 0);
	assert_null(c);
	free(none);
	free(path);
}

static void poke(const char *path, off_t at, const char *bytes, size_t n)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, n, at), (ssize_t)n);
	close(fd);
}

static off_t size_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void test_damaged_record(void **state)
{
	char *path = write_abc();
	crmf_cache *c = NULL;
	const void *rec[3];
	size_t len[3];
	void *buf;

	(void)state;
	/* the second record starts at 64 + 16 + 8 (the first, framed); its
	 * bytes start 16 further */
	poke(path, 64 + 24 + 16 + 2, "#", 1);
	assert_int_equal(crmf_cache_open(&c, path, key, abc, 3), 0);
	assert_non_null(c);
	buf = crmf_cache_read(c, 0, 3, NULL, rec, len);
	assert_non_null(rec[0]);
	assert_null(rec[1]);
	assert_int_equal(len[1], 0);
	assert_non_null(rec[2]);
	free(buf);
	crmf_cache_close(c);
	free(path);
}

static void test_damaged_index(void **state)
{
	char *path = write_abc();
	crmf_cache *c = NULL;
	off_t size = size_of(path);

	(void)state;
	/* any byte of the header, the index or the extra block */
	for (off_t at = 0; at < size; at++) {
		char byte;
		int fd = open(path, O_RDWR);

		if (at >= 64 && at < 64 + 24 + 24 + 24)
			continue; /* the records: checked by their own checksums */
		assert_int_equal(pread(fd, &byte, 1, at), 1);
		byte ^= 0x20;
		assert_int_equal(pwrite(fd, &byte, 1, at), 1);
		assert_int_equal(crmf_cache_open(&c, path, key, abc, 3), 0);
		if (c)
			fail_msg("a change at byte %ld went unnoticed", (long)at);
		byte ^= 0x20;
		assert_int_equal(pwrite(fd, &byte, 1, at), 1);
		close(fd);
	}
	assert_int_equal(crmf_cache_open(&c, path, key, abc, 3), 0);
	assert_non_null(c);
	crmf_cache_close(c);
	/* truncated anywhere */
	for (off_t n = size - 1; n >= 0; n -= 7) {
		assert_int_equal(truncate(path, n), 0);
		assert_int_equal(crmf_cache_open(&c, path, key, abc, 3), 0);
		assert_null(c);
	}
	free(path);
}

static void each_rec(void *ctx, size_t k, const void *rec, size_t len)
{
	char *seen = ctx;

	sprintf(seen + strlen(seen), "%zu:%.*s;", k, (int)len, (const char *)rec);
}

static void test_keep_and_each(void **state)
{
	char *path = write_abc();
	const char *const files[] = {"customers/a.yaml", "customers/b.yaml", "customers/c.yaml",
				     "customers/d.yaml"};
	crmf_cache *old = NULL, *c = NULL;
	crmf_cache_writer *w;
	crmf_cache_stat st = st_of(9);
	char seen[256] = "";
	const void *rec[4];
	size_t len[4];
	void *buf;

	(void)state;
	assert_int_equal(crmf_cache_open(&old, path, key, files, 4), 0);
	assert_int_equal(crmf_cache_writer_open(&w, path, key), 0);
	crmf_cache_writer_keep(w, old, 0, files[0], NULL);
	crmf_cache_writer_keep(w, old, 2, files[2], &st); /* b left out, c restatted */
	crmf_cache_writer_add(w, files[3], &st, hash_of("d"), 7, 0, "dd", 2);
	assert_int_equal(crmf_cache_writer_count(w), 3);
	assert_int_equal(crmf_cache_writer_each(w, each_rec, seen), 0);
	assert_string_equal(seen, "0:rec a;1:r c;2:dd;");
	assert_int_equal(crmf_cache_writer_commit(w, NULL, 0), 0);
	crmf_cache_close(old);

	assert_int_equal(crmf_cache_open(&c, path, key, files, 4), 0);
	assert_non_null(c);
	assert_null(crmf_cache_info_of(c, 1));
	assert_true(crmf_cache_stat_equal(&crmf_cache_info_of(c, 2)->st, &st));
	assert_int_equal(crmf_cache_info_of(c, 2)->flags, 3);
	assert_int_equal(crmf_cache_info_of(c, 3)->flags, 7);
	buf = crmf_cache_read(c, 0, 4, NULL, rec, len);
	assert_memory_equal(rec[0], "rec a", 5);
	assert_memory_equal(rec[2], "r c", 3);
	assert_memory_equal(rec[3], "dd", 2);
	free(buf);
	assert_null(crmf_cache_extra(c, &len[0]));
	crmf_cache_close(c);
	free(path);
}

static void test_racy(void **state)
{
	char *path = write_abc();
	crmf_cache *c = NULL;
	struct stat st;
	crmf_cache_stat s;

	(void)state;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(crmf_cache_open(&c, path, key, abc, 3), 0);
	memset(&s, 0, sizeof(s));
	s.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000;
	assert_true(crmf_cache_racy(c, &s)); /* the same second */
	s.mtime_ns += 999999999;
	assert_true(crmf_cache_racy(c, &s));
	s.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 - 1;
	assert_false(crmf_cache_racy(c, &s));
	crmf_cache_close(c);
	free(path);
}

static void test_cache_path(void **state)
{
	char repo[300], sub[320], other[300], *path = NULL;
	FILE *f;

	(void)state;
	snprintf(repo, sizeof(repo), "%s/repo", dir);
	snprintf(sub, sizeof(sub), "%s/repo/team/a", dir);
	mkdir(repo, 0777);
	assert_int_equal(crmf_cache_path(&path, repo), -1); /* no git */
	assert_null(path);
	snprintf(other, sizeof(other), "%s/repo/.git", dir);
	mkdir(other, 0777);
	snprintf(other, sizeof(other), "%s/repo/team", dir);
	mkdir(other, 0777);
	mkdir(sub, 0777);
	assert_int_equal(crmf_cache_path(&path, repo), 0);
	snprintf(other, sizeof(other), "%s/repo/.git/crmf/cache", dir);
	assert_string_equal(path, other);
	free(path);
	assert_int_equal(crmf_cache_path(&path, sub), 0);
	snprintf(other, sizeof(other), "%s/repo/.git/crmf/cache-", dir);
	assert_int_equal(strncmp(path, other, strlen(other)), 0);
	assert_int_equal(strlen(path), strlen(other) + 16);
	free(path);
	/* a worktree: .git is a file naming the git dir */
	snprintf(other, sizeof(other), "%s/wt", dir);
	mkdir(other, 0777);
	snprintf(other, sizeof(other), "%s/wt/.git", dir);
	f = fopen(other, "w");
	assert_non_null(f);
	fprintf(f, "gitdir: %s/repo/.git/worktrees/wt\n", dir);
	fclose(f);
	snprintf(other, sizeof(other), "%s/wt", dir);
	assert_int_equal(crmf_cache_path(&path, other), 0);
	snprintf(other, sizeof(other), "%s/repo/.git/worktrees/wt/crmf/cache", dir);
	assert_string_equal(path, other);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key_or_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_and_each, setup, teardown),
		cmocka_unit_test_setup_teardown(test_racy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_path, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
