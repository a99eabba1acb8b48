/* SPDX-License-Identifier: MIT */
/* Unit tests of gitindex.c: index entries updated in place, checked with the real git. */
#include "repo_helpers.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/commit.h"
#include "gitindex.h"

static const char LOCKED_MSG[] = "index.lock is held by another git process ('.git/index.lock'); "
				 "when no git is running, remove it, then run 'crmf commit'";
static const char A[] = "customers/2025/A.yaml";

/*
 * A repository made by git: customers in two folders, a README, one commit.
 * The files are dated in the past, so that no entry is racily clean and the
 * fast path applies unless a test says otherwise.
 */
static void make_repo(char *d, const char *name)
{
	fmt(d, 4096, "%s/%s", base, name);
	sh("git init -q -b main '%s'", d);
	put(d, "README", "hello\n");
	put(d, A, "id: A\nname: one\n");
	put(d, "customers/2025/B.yaml", "id: B\n");
	put(d, "customers/2024/C.yaml", "id: C\n");
	put(d, "docs/notes.txt", "notes\n");
	sh("cd '%s' && find . -path ./.git -prune -o -type f -exec touch -d @1700000000 {} + && "
	   "git add -A && git commit -qm first",
	   d);
}

/* The git directory of `d`, as libgit2 gives it: with a final slash. */
static char *gitdir(const char *d)
{
	static char buf[4200];

	fmt(buf, sizeof(buf), "%s/.git/", d);
	return buf;
}

static void sum_index(char *sum, const char *d)
{
	strcpy(sum, out("cat '%s/.git/index' 2>/dev/null | sha1sum", d));
}

/* Try to open the index of `d` for `path`; whatever it says, nothing is left behind. */
static int probe(const char *d, const char *path)
{
	crmf_gitindex *ix = NULL;
	const char *paths[] = {path};
	char before[128], after[128], lock[4200];
	int e;

	sum_index(before, d);
	e = crmf_gitindex_open(&ix, gitdir(d), paths, 1);
	assert_true(e == CRMF_GITINDEX_OK ? ix != NULL : ix == NULL);
	crmf_gitindex_free(ix);
	fmt(lock, sizeof(lock), "%s/.git/index.lock", d);
	if (e != CRMF_GITINDEX_LOCKED)
		assert_int_equal(access(lock, F_OK), -1);
	sum_index(after, d);
	assert_string_equal(after, before);
	return e;
}

static void commit_paths(const char *d, const crmf_commit_path *p, size_t n, char *oid)
{
	crmf_commit_opts o = {NULL, "crmf: log A", NULL, "log", "A"};

	if (crmf_commit_paths(oid, d, p, n, &o) != 0)
		fail_msg("commit: %s", crmf_error_last());
}

/* What git itself says once crmf committed A with `text`: nothing to do, the blob in place. */
static void assert_clean(const char *d, const char *text)
{
	char blob[64];

	strcpy(blob, out("printf '%s' | git hash-object --stdin", text));
	/* first, before git status rewrites the index: fsck checks its checksum */
	assert_string_equal(out("git -C '%s' fsck --strict --no-dangling 2>&1; echo rc=$?", d),
			    "rc=0");
	assert_string_equal(out("git -C '%s' status --porcelain", d), "");
	assert_string_equal(out("git -C '%s' diff --cached --quiet; echo $?", d), "0");
	/* the stat data is right: git sees the file clean without rehashing it */
	assert_string_equal(out("git -C '%s' diff-files --name-only", d), "");
	assert_string_equal(out("git -C '%s' ls-files -s %s | cut -c1-47", d, A),
			    out("echo 100644 %s", blob));
	assert_string_equal(out("git -C '%s' rev-parse HEAD:%s", d, A), blob);
}

/* The module alone: one entry updated, then git commits from that index. */
static void test_update_then_git_commits(void **state)
{
	char d[4096], path[4200], blob[64];
	const char *paths[] = {A};
	crmf_gitindex *ix = NULL;
	unsigned char raw[20];
	struct stat st;

	(void)state;
	make_repo(d, "module");
	put(d, A, "id: A\nname: two\n");
	fmt(path, sizeof(path), "%s/%s", d, A);
	assert_int_equal(lstat(path, &st), 0);
	strcpy(blob, out("git -C '%s' hash-object -w %s", d, A));
	for (int i = 0; i < 20; i++)
		assert_int_equal(sscanf(blob + 2 * i, "%2hhx", &raw[i]), 1);
	assert_int_equal(crmf_gitindex_open(&ix, gitdir(d), paths, 1), CRMF_GITINDEX_OK);
	assert_int_equal(crmf_gitindex_set(ix, 0, raw, &st, true), 0100644);
	assert_int_equal(crmf_gitindex_write(ix), 0);
	crmf_gitindex_free(ix);
	fmt(path, sizeof(path), "%s/.git/index.lock", d);
	assert_int_equal(access(path, F_OK), -1);
	assert_string_equal(out("git -C '%s' fsck --strict --no-dangling 2>&1; echo rc=$?", d),
			    "rc=0");
	assert_string_equal(out("git -C '%s' ls-files -s %s | cut -c1-47", d, A),
			    out("echo 100644 %s", blob));
	assert_string_equal(out("git -C '%s' diff-files --name-only", d), "");
	assert_string_equal(out("git -C '%s' status --porcelain", d), "M  customers/2025/A.yaml");
	/* git builds this commit's tree from the cache-tree: a stale one would drop the change */
	sh("git -C '%s' commit -qm second", d);
	assert_string_equal(out("git -C '%s' rev-parse HEAD:%s", d, A), blob);
	assert_string_equal(out("git -C '%s' status --porcelain", d), "");
	assert_string_equal(out("git -C '%s' diff --name-only HEAD~1 HEAD", d), A);
}

/* Versions 2, 3 and 4, each through crmf_commit_paths. */
static void check_version(const char *name, const char *prepare, int version)
{
	char d[4096], oid[41];
	crmf_commit_path p = {A, false};

	make_repo(d, name);
	if (prepare)
		sh("cd '%s' && %s", d, prepare);
	assert_string_equal(out("od -An -tu1 -j7 -N1 '%s/.git/index' | tr -d ' '", d),
			    out("echo %d", version));
	put(d, A, "id: A\nname: two\n");
	assert_int_equal(probe(d, A), CRMF_GITINDEX_OK);
	commit_paths(d, &p, 1, oid);
	assert_int_equal(strlen(oid), 40);
	assert_string_equal(out("od -An -tu1 -j7 -N1 '%s/.git/index' | tr -d ' '", d),
			    out("echo %d", version));
	if (version == 3) {
		/* the intent-to-add file elsewhere is left as it was */
		assert_string_equal(out("git -C '%s' status --porcelain", d), " A new.txt");
		sh("git -C '%s' rm -q --cached new.txt && rm '%s/new.txt'", d, d);
	}
	assert_clean(d, "id: A\\nname: two\\n");
	sh("git -C '%s' commit -q --allow-empty -m third", d);
	assert_string_equal(out("git -C '%s' rev-parse HEAD:%s", d, A),
			    out("git -C '%s' rev-parse HEAD~1:%s", d, A));
}

static void test_version_2(void **state)
{
	(void)state;
	check_version("v2", NULL, 2);
}

static void test_version_3(void **state)
{
	(void)state;
	check_version("v3",
		      "echo new >new.txt && touch -d @1700000000 new.txt && git add -N new.txt", 3);
}

static void test_version_4(void **state)
{
	(void)state;
	check_version("v4", "git update-index --index-version 4", 4);
}

/* Two paths at once, one given twice, in a version 4 index where names share prefixes. */
static void test_two_paths_v4(void **state)
{
	char d[4096], oid[41], want[4096];
	crmf_commit_path p[] = {{A, false}, {"customers/2024/C.yaml", false}, {A, false}};

	(void)state;
	make_repo(d, "two");
	sh("git -C '%s' update-index --index-version 4", d);
	put(d, A, "id: A\nname: two\n");
	put(d, "customers/2024/C.yaml", "id: C\nname: three\n");
	commit_paths(d, p, 3, oid);
	assert_clean(d, "id: A\\nname: two\\n");
	strcpy(want, out("git -C '%s' ls-tree -r HEAD | cut -c13-52", d));
	assert_string_equal(out("git -C '%s' ls-files -s | cut -c8-47", d), want);
	strcpy(want, out("cd '%s' && git hash-object customers/2024/C.yaml %s", d, A));
	assert_string_equal(out("git -C '%s' rev-parse HEAD:customers/2024/C.yaml HEAD:%s", d, A),
			    want);
	assert_string_equal(out("git -C '%s' show --name-only --format= HEAD", d),
			    "customers/2024/C.yaml|customers/2025/A.yaml");
}

static void test_index_lock_held(void **state)
{
	char d[4096], before[128], head[64], oid[41] = "junk";
	crmf_commit_path p = {A, false};
	crmf_commit_opts o = {NULL, "crmf: log A", NULL, "log", "A"};

	(void)state;
	make_repo(d, "locked");
	put(d, A, "id: A\nname: two\n");
	put(d, ".git/index.lock", "");
	sum_index(before, d);
	strcpy(head, out("git -C '%s' rev-parse HEAD", d));
	assert_int_equal(probe(d, A), CRMF_GITINDEX_LOCKED);
	assert_int_equal(crmf_commit_paths(oid, d, &p, 1, &o), -1);
	assert_string_equal(crmf_error_last(), LOCKED_MSG);
	assert_string_equal(oid, "");
	/* the other git's lock is its own */
	assert_string_equal(out("ls '%s/.git/index.lock'", d), out("echo '%s/.git/index.lock'", d));
	assert_string_equal(out("cat '%s/.git/index' 2>/dev/null | sha1sum", d), before);
	assert_string_equal(out("git -C '%s' rev-parse HEAD", d), head);
}

/* A write that fails half-way: the error says why, the lock is gone, the index as it was. */
static void test_write_failure(void **state)
{
	char d[4096], before[128], after[128], path[4200];
	const char *paths[] = {A};
	unsigned char raw[20] = {1};
	crmf_gitindex *ix = NULL;
	struct rlimit old, small;
	struct stat st;

	(void)state;
	make_repo(d, "short-write");
	sum_index(before, d);
	fmt(path, sizeof(path), "%s/%s", d, A);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(crmf_gitindex_open(&ix, gitdir(d), paths, 1), CRMF_GITINDEX_OK);
	crmf_gitindex_set(ix, 0, raw, &st, true);
	/* files of this process may not grow past 100 bytes: the write fails with EFBIG */
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 100;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(crmf_gitindex_write(ix), -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_string_equal(crmf_error_last(), "cannot write the git index: file too large");
	crmf_gitindex_free(ix);
	fmt(path, sizeof(path), "%s/.git/index.lock", d);
	assert_int_equal(access(path, F_OK), -1);
	sum_index(after, d);
	assert_string_equal(after, before);
	assert_string_equal(out("git -C '%s' status --porcelain", d), "");
}

/* Whatever the index holds that the fast path leaves to libgit2, the commit comes out right. */
static void check_fallback(const char *name, const char *prepare, const char *path)
{
	char d[4096], oid[41];
	crmf_commit_path p = {A, false};

	make_repo(d, name);
	sh("cd '%s' && %s", d, prepare);
	put(d, A, "id: A\nname: two\n");
	assert_int_equal(probe(d, path), CRMF_GITINDEX_FALLBACK);
	commit_paths(d, &p, 1, oid);
	assert_int_equal(strlen(oid), 40);
	assert_string_equal(out("git -C '%s' rev-parse HEAD:%s", d, A),
			    out("printf 'id: A\\nname: two\\n' | git hash-object --stdin"));
	assert_string_equal(out("git -C '%s' fsck --strict --no-dangling 2>&1; echo rc=$?", d),
			    "rc=0");
}

static void test_fallback_racy_entry(void **state)
{
	(void)state;
	/* an entry git recorded with an mtime after the index was written */
	check_fallback("racy", "touch -d '+1 hour' README && git update-index --refresh >/dev/null",
		       A);
}

static void test_fallback_end_of_index_entries(void **state)
{
	(void)state;
	/* EOIE names the offset of the extensions: a byte count libgit2 would keep right */
	check_fallback("eoie",
		       "git -c index.recordEndOfIndexEntries=true update-index --force-write-index",
		       A);
}

static void test_fallback_entries(void **state)
{
	char d[4096];

	(void)state;
	make_repo(d, "entries");
	/* not in the index, a folder, flags git add would honour, a link */
	assert_int_equal(probe(d, "customers/2025/new.yaml"), CRMF_GITINDEX_FALLBACK);
	assert_int_equal(probe(d, "customers"), CRMF_GITINDEX_FALLBACK);
	sh("git -C '%s' update-index --skip-worktree customers/2025/B.yaml", d);
	assert_int_equal(probe(d, "customers/2025/B.yaml"), CRMF_GITINDEX_FALLBACK);
	sh("git -C '%s' update-index --assume-unchanged customers/2024/C.yaml", d);
	assert_int_equal(probe(d, "customers/2024/C.yaml"), CRMF_GITINDEX_FALLBACK);
	sh("cd '%s' && ln -s A.yaml customers/2025/L.yaml && touch -h -d @1700000000 "
	   "customers/2025/L.yaml && git add customers/2025/L.yaml",
	   d);
	assert_int_equal(probe(d, "customers/2025/L.yaml"), CRMF_GITINDEX_FALLBACK);
	/* the flags of other entries are no concern of ours */
	assert_int_equal(probe(d, A), CRMF_GITINDEX_OK);
	/* a short or foreign file */
	sh("head -c 31 '%s/.git/index' >'%s/short' && mv '%s/short' '%s/.git/index'", d, d, d, d);
	assert_int_equal(probe(d, A), CRMF_GITINDEX_FALLBACK);
	sh("rm '%s/.git/index'", d);
	assert_int_equal(probe(d, A), CRMF_GITINDEX_FALLBACK);
}

static void test_fallback_split_index(void **state)
{
	char d[4096], before[128];
	crmf_commit_path p = {A, false};
	crmf_commit_opts o = {NULL, "crmf: log A", NULL, "log", "A"};

	(void)state;
	make_repo(d, "split");
	sh("git -C '%s' update-index --split-index", d);
	put(d, A, "id: A\nname: two\n");
	sum_index(before, d);
	assert_int_equal(probe(d, A), CRMF_GITINDEX_FALLBACK);
	/* libgit2 cannot read it either, and says so: nothing changes */
	assert_int_equal(crmf_commit_paths(NULL, d, &p, 1, &o), -1);
	assert_string_equal(crmf_error_last(),
			    "cannot read the git index: unsupported mandatory extension: 'link'");
	assert_string_equal(out("cat '%s/.git/index' 2>/dev/null | sha1sum", d), before);
	assert_string_equal(out("git -C '%s' rev-list --count HEAD", d), "1");
}

/* The untracked cache and the resolve-undo record are kept as they are. */
static void test_keeps_untracked_cache(void **state)
{
	char d[4096], oid[41];
	crmf_commit_path p = {A, false};

	(void)state;
	make_repo(d, "untr");
	sh("cd '%s' && git config core.untrackedCache true && echo u >docs/untracked.txt && "
	   "git status --porcelain >/dev/null",
	   d);
	assert_string_equal(out("grep -c UNTR '%s/.git/index'", d), "1");
	put(d, A, "id: A\nname: two\n");
	assert_int_equal(probe(d, A), CRMF_GITINDEX_OK);
	commit_paths(d, &p, 1, oid);
	assert_string_equal(out("grep -c UNTR '%s/.git/index'", d), "1");
	assert_string_equal(out("git -C '%s' fsck --strict --no-dangling 2>&1; echo rc=$?", d),
			    "rc=0");
	assert_string_equal(out("git -C '%s' status --porcelain", d), "?? docs/untracked.txt");
}

/* Hashed as git add would: attributes found only in the index apply too. */
static void test_attributes_from_index(void **state)
{
	char d[4096], oid[41];
	crmf_commit_path p = {A, false};

	(void)state;
	make_repo(d, "attrs");
	put(d, "customers/.gitattributes", "*.yaml text\n");
	sh("cd '%s' && touch -d @1700000000 customers/.gitattributes && "
	   "git add customers/.gitattributes && git commit -qm attrs && "
	   "rm customers/.gitattributes",
	   d);
	put(d, A, "id: A\r\nname: two\r\n");
	assert_int_equal(probe(d, A), CRMF_GITINDEX_OK);
	commit_paths(d, &p, 1, oid);
	assert_string_equal(out("git -C '%s' rev-parse HEAD:%s", d, A),
			    out("printf 'id: A\\nname: two\\n' | git hash-object --stdin"));
	assert_string_equal(out("git -C '%s' status --porcelain", d),
			    " D customers/.gitattributes");
}

/* The execute bit: the mode with core.filemode, the old one without. */
static void test_file_mode(void **state)
{
	char d[4096], oid[41];
	crmf_commit_path p = {A, false};

	(void)state;
	make_repo(d, "mode");
	put(d, A, "id: A\nname: two\n");
	sh("chmod +x '%s/%s'", d, A);
	commit_paths(d, &p, 1, oid);
	assert_string_equal(out("git -C '%s' ls-files -s %s | cut -c1-6", d, A), "100755");
	assert_string_equal(out("git -C '%s' ls-tree HEAD %s | cut -c1-6", d, A), "100755");
	assert_string_equal(out("git -C '%s' status --porcelain", d), "");
	sh("git -C '%s' config core.filemode false && chmod -x '%s/%s'", d, d, A);
	put(d, A, "id: A\nname: three\n");
	assert_int_equal(probe(d, A), CRMF_GITINDEX_OK);
	commit_paths(d, &p, 1, oid);
	assert_string_equal(out("git -C '%s' ls-files -s %s | cut -c1-6", d, A), "100755");
	assert_string_equal(out("git -C '%s' ls-tree HEAD %s | cut -c1-6", d, A), "100755");
	assert_string_equal(out("git -C '%s' status --porcelain", d), "");
}

/* Already committed as it is: no commit, but the entry's stat data is refreshed. */
static void test_unchanged_refreshes(void **state)
{
	char d[4096], oid[41] = "junk";
	crmf_commit_path p = {A, false};

	(void)state;
	make_repo(d, "same");
	sh("touch '%s/%s'", d, A);
	assert_string_equal(out("git -C '%s' diff-files --name-only", d), A);
	assert_int_equal(probe(d, A), CRMF_GITINDEX_OK);
	commit_paths(d, &p, 1, oid);
	assert_string_equal(oid, "");
	assert_string_equal(out("git -C '%s' rev-list --count HEAD", d), "1");
	assert_string_equal(out("git -C '%s' fsck --strict --no-dangling 2>&1; echo rc=$?", d),
			    "rc=0");
	assert_string_equal(out("git -C '%s' diff-files --name-only", d), "");
	assert_string_equal(out("git -C '%s' status --porcelain", d), "");
}

static int setup_all(void **state)
{
	static const char *const unset[] = {"GIT_INDEX_FILE", NULL};

	(void)state;
	return repo_setup("gitindex", unset);
}

/* The read-only lookup: git's own object id, no lock, racy entries no matter; v4 too. */
static void test_lookup(void **state)
{
	char d[4096], hex[41], sum[128], after[128];
	unsigned char oid[20];

	(void)state;
	make_repo(d, "lookup");
	sh("cd '%s' && printf 'id: A\\nname: staged\\n' >%s && git add %s", d, A, A);
	sum_index(sum, d);
	assert_int_equal(crmf_gitindex_lookup(oid, gitdir(d), A), CRMF_GITINDEX_OK);
	for (int i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", oid[i]);
	assert_string_equal(hex, out("git -C '%s' rev-parse :%s", d, A));
	assert_int_equal(crmf_gitindex_lookup(oid, gitdir(d), "customers/2025/none.yaml"),
			 CRMF_GITINDEX_FALLBACK);
	/* an index.lock held by git does not stop a reader */
	sh("touch '%s/.git/index.lock'", d);
	assert_int_equal(crmf_gitindex_lookup(oid, gitdir(d), "customers/2024/C.yaml"),
			 CRMF_GITINDEX_OK);
	sh("rm '%s/.git/index.lock' && git -C '%s' update-index --index-version 4", d, d);
	sum_index(sum, d);
	assert_int_equal(crmf_gitindex_lookup(oid, gitdir(d), "customers/2024/C.yaml"),
			 CRMF_GITINDEX_OK);
	for (int i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", oid[i]);
	assert_string_equal(hex, out("git -C '%s' rev-parse :customers/2024/C.yaml", d));
	sum_index(after, d);
	assert_string_equal(after, sum);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_update_then_git_commits),
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_version_2),
	    cmocka_unit_test(test_version_3),
	    cmocka_unit_test(test_version_4),
	    cmocka_unit_test(test_two_paths_v4),
	    cmocka_unit_test(test_index_lock_held),
	    cmocka_unit_test(test_write_failure),
	    cmocka_unit_test(test_fallback_racy_entry),
	    cmocka_unit_test(test_fallback_end_of_index_entries),
	    cmocka_unit_test(test_fallback_entries),
	    cmocka_unit_test(test_fallback_split_index),
	    cmocka_unit_test(test_keeps_untracked_cache),
	    cmocka_unit_test(test_attributes_from_index),
	    cmocka_unit_test(test_file_mode),
	    cmocka_unit_test(test_unchanged_refreshes),
	};

	return cmocka_run_group_tests_name("gitindex", tests, setup_all, repo_teardown);
}
