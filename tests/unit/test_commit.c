/* SPDX-License-Identifier: MIT */
/* Unit tests of commit.c: lock, atomic writes, commits of just the changed files, status, history.
 */
#include "repo_helpers.h"

#include <errno.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crmf/commit.h"
#include "crmf/diff.h"

static const char NO_IDENTITY[] =
    "no git identity: set it with git config --global user.name 'Your Name' and git config "
    "--global user.email you@example.com, or pass --author 'Name <email>'";
static const char MERGE_MSG[] =
    "a merge is in progress; finish it (git commit) or abort it (git merge --abort) first";
static const char LOCKED_MSG[] = "index.lock is held by another git process ('.git/index.lock'); "
				 "when no git is running, remove it, then run 'crmf commit'";

/* Run a shell command that may fail: its status as system() returns it. */
static int run(const char *f, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *f, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, f);
	vsnprintf(cmd, sizeof(cmd), f, ap);
	va_end(ap);
	return system(cmd);
}

static char *slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* A git repository with one commit of README. */
static void repo_with_commit(const char *d)
{
	sh("git init -q -b main '%s' && cd '%s' && echo hello >README && git add README && "
	   "git commit -qm first",
	   d, d);
}

static void commit1(const char *root, const char *path, bool removed, const char *subject)
{
	crmf_commit_path p = {path, removed};
	crmf_commit_opts o = {NULL, subject, NULL, "set", "C1"};
	char oid[41];

	if (crmf_commit_paths(oid, root, &p, 1, &o) != 0)
		fail_msg("commit '%s': %s", path, crmf_error_last());
	assert_int_equal(strlen(oid), 40);
}

/* --- author and preflight --- */

static void test_parse_author(void **state)
{
	static const char *const bad[] = {
	    "Ann",
	    "<ann@example.com>",
	    "Ann <>",
	    "Ann <ann example.com>",
	    "Ann <ann@example.com> x",
	    "Ann <<ann@example.com>>",
	    "Ann\n <ann@example.com>",
	    " Ann <ann@example.com>",
	    "Ann <annexample.com>",
	    "Ann<ann@example.com>",
	    "Ann <@example.com>",
	    "Ann <ann@>",
	    "Ann <a@b@c>",
	    "",
	};
	char *name = (char *)"x", *email = (char *)"x";

	(void)state;
	assert_int_equal(crmf_commit_parse_author(&name, &email, "Ann Lee <ann@example.com>"), 0);
	assert_string_equal(name, "Ann Lee");
	assert_string_equal(email, "ann@example.com");
	free(name);
	free(email);
	assert_int_equal(crmf_commit_parse_author(&name, &email, "张伟  <zw@example.cn>"), 0);
	assert_string_equal(name, "张伟");
	assert_string_equal(email, "zw@example.cn");
	free(name);
	free(email);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (crmf_commit_parse_author(&name, &email, bad[i]) != -1)
			fail_msg("accepted '%s'", bad[i]);
		assert_null(name);
		assert_null(email);
	}
	crmf_commit_parse_author(&name, &email, "Ann");
	assert_string_equal(crmf_error_last(), "invalid author 'Ann': give it as 'Name <email>'");
}

static void test_preflight_ok_and_bare(void **state)
{
	char d[4096], b[4096], want[8192];

	(void)state;
	repo_with_commit(fresh(d, "pre-ok"));
	assert_int_equal(crmf_commit_preflight(d, NULL), 0);
	assert_int_equal(crmf_commit_preflight(d, "Ann <ann@example.com>"), 0);
	assert_int_equal(crmf_commit_preflight(d, "Ann ann@example.com"), -1);
	assert_string_equal(crmf_error_last(),
			    "invalid author 'Ann ann@example.com': give it as 'Name <email>'");
	sh("git init -q --bare '%s'", fresh(b, "pre-bare.git"));
	assert_int_equal(crmf_commit_preflight(b, NULL), -1);
	fmt(want, sizeof(want), "'%s/' is a bare git repository", b);
	assert_non_null(strstr(crmf_error_last(), want));
	fmt(want, sizeof(want), "%s/nothing-here", base);
	assert_int_equal(crmf_commit_preflight(want, NULL), -1);
	assert_non_null(strstr(crmf_error_last(), "no such file or directory"));
}

static void test_preflight_no_identity(void **state)
{
	char d[4096];

	(void)state;
	repo_with_commit(fresh(d, "pre-noid"));
	set_identity(false);
	assert_int_equal(crmf_commit_preflight(d, NULL), -1);
	assert_string_equal(crmf_error_last(), NO_IDENTITY);
	/* --author alone is enough: it is also the committer */
	assert_int_equal(crmf_commit_preflight(d, "Ann Lee <ann@example.com>"), 0);
	put(d, "customers/C1.yaml", "id: C1\n");
	{
		crmf_commit_path p = {"customers/C1.yaml", false};
		crmf_commit_opts o = {"Ann Lee <ann@example.com>", "crmf: new C1", NULL, "new",
				      "C1"};
		char oid[41];

		assert_int_equal(crmf_commit_paths(oid, d, &p, 1, &o), 0);
	}
	assert_string_equal(out("git -C '%s' log -1 --format='%%an <%%ae>|%%cn <%%ce>'", d),
			    "Ann Lee <ann@example.com>|Ann Lee <ann@example.com>");
	set_identity(true);
}

static void test_preflight_merge_in_progress(void **state)
{
	char d[4096];

	(void)state;
	repo_with_commit(fresh(d, "pre-merge"));
	sh("cd '%s' && git checkout -qb side && echo side >README && git commit -qam side && "
	   "git checkout -q main && echo main >README && git commit -qam main",
	   d);
	assert_int_not_equal(run("cd '%s' && git merge -q side >/dev/null 2>&1", d), 0);
	assert_int_equal(crmf_commit_preflight(d, NULL), -1);
	assert_string_equal(crmf_error_last(), MERGE_MSG);
	/* the commit itself refuses too, and makes nothing */
	put(d, "customers/C1.yaml", "id: C1\n");
	{
		crmf_commit_path p = {"customers/C1.yaml", false};
		crmf_commit_opts o = {NULL, "crmf: new C1", NULL, "new", "C1"};

		assert_int_equal(crmf_commit_paths(NULL, d, &p, 1, &o), -1);
		assert_string_equal(crmf_error_last(), MERGE_MSG);
	}
	assert_string_equal(out("git -C '%s' log -1 --format=%%s", d), "main");
	sh("git -C '%s' merge --abort", d);
	assert_int_equal(crmf_commit_preflight(d, NULL), 0);
	/* a rebase stopped half-way */
	sh("mkdir '%s/.git/rebase-merge'", d);
	assert_int_equal(crmf_commit_preflight(d, NULL), -1);
	assert_string_equal(crmf_error_last(),
			    "a rebase is in progress; finish it (git rebase "
			    "--continue) or abort it (git rebase --abort) first");
	sh("rmdir '%s/.git/rebase-merge'", d);
}

static void test_preflight_owner(void **state)
{
	char d[4096], want[8192];

	(void)state;
	if (geteuid() != 0)
		skip(); /* only root can give a repository away */
	repo_with_commit(fresh(d, "pre-owner"));
	sh("chown -R 12345:12345 '%s'", d);
	fmt(want, sizeof(want),
	    "repository '%s' is owned by another user; git refuses to work in it: run git config "
	    "--global --add safe.directory %s if you trust it",
	    d, d);
	assert_int_equal(crmf_commit_preflight(d, NULL), -1);
	assert_string_equal(crmf_error_last(), want);
	{
		char *root = NULL;

		assert_int_equal(crmf_repo_discover(&root, d), -1);
		assert_string_equal(crmf_error_last(), want);
	}
	sh("chown -R 0:0 '%s'", d);
	assert_int_equal(crmf_commit_preflight(d, NULL), 0);
}

/* --- commits --- */

static void test_commit_one_file_keeps_staged(void **state)
{
	char d[4096], oid[41], want[512];
	crmf_commit_path p = {"customers/C1.yaml", false};
	crmf_commit_opts o = {NULL, "crmf: log C1: phone 2025-06-16", "called about the offer\n",
			      "log", "C1"};

	(void)state;
	repo_with_commit(fresh(d, "commit-staged"));
	put(d, "other.txt", "staged by the user\n");
	sh("git -C '%s' add other.txt", d);
	put(d, "customers/C1.yaml", "id: C1\nname: 杭州云启\n");
	assert_int_equal(crmf_commit_paths(oid, d, &p, 1, &o), 0);
	assert_string_equal(out("git -C '%s' rev-parse HEAD", d), oid);
	assert_string_equal(out("git -C '%s' show --name-only --format= HEAD", d),
			    "customers/C1.yaml");
	assert_string_equal(out("git -C '%s' status --porcelain", d), "A  other.txt");
	assert_string_equal(out("git -C '%s' log -1 --format=%%B", d),
			    "crmf: log C1: phone 2025-06-16||called about the offer||"
			    "Crmf-Action: log|Crmf-Customer: C1");
	assert_string_equal(out("git -C '%s' log -1 --format='%%(trailers:key=Crmf-Customer,"
				"valueonly)'",
				d),
			    "C1");
	fmt(want, sizeof(want),
	    "Unit Author <author@example.com>|Unit Committer <committer@example.com>|%s",
	    out("git -C '%s' rev-parse HEAD~1", d));
	assert_string_equal(out("git -C '%s' log -1 --format='%%an <%%ae>|%%cn <%%ce>|%%P'", d),
			    want);
	assert_string_equal(out("git -C '%s' reflog -1 --format=%%gs HEAD", d),
			    "commit: crmf: log C1: phone 2025-06-16");
	assert_string_equal(out("git -C '%s' reflog -1 --format=%%gs main", d),
			    "commit: crmf: log C1: phone 2025-06-16");
	assert_string_equal(out("git -C '%s' fsck --strict --no-dangling 2>&1; echo rc=$?", d),
			    "rc=0");
	/* the index entry carries the stat data: git sees the file clean without rehashing */
	assert_string_equal(out("git -C '%s' diff-files --name-only", d), "");
}

static void test_commit_without_body_or_trailers(void **state)
{
	char d[4096];
	crmf_commit_path p = {"customers/C1.yaml", false};
	crmf_commit_opts o = {NULL, "crmf: init\n", NULL, "init", NULL};

	(void)state;
	repo_with_commit(fresh(d, "commit-nobody"));
	put(d, "customers/C1.yaml", "id: C1\n");
	assert_int_equal(crmf_commit_paths(NULL, d, &p, 1, &o), 0);
	assert_string_equal(out("git -C '%s' cat-file commit HEAD | sed '1,/^$/d'", d),
			    "crmf: init||Crmf-Action: init");
}

/* Whatever the caller passes, the subject stays one line and no fake
 * trailer paragraph reaches the message. */
static void test_commit_message_sanitised(void **state)
{
	char d[4096];
	crmf_commit_path p = {"customers/C1.yaml", false};
	crmf_commit_opts o = {NULL, "crmf: log C1: a\n\nCrmf-Action: x\r\x1b[31m", "one\r\ntwo\x07\n",
			      "log\nCrmf-Customer: C9", "C1"};

	(void)state;
	repo_with_commit(fresh(d, "commit-sanitised"));
	put(d, "customers/C1.yaml", "id: C1\n");
	assert_int_equal(crmf_commit_paths(NULL, d, &p, 1, &o), 0);
	assert_string_equal(out("git -C '%s' log -1 --format=%%s", d),
			    "crmf: log C1: a  Crmf-Action: x  [31m");
	assert_string_equal(out("git -C '%s' cat-file commit HEAD | sed '1,/^$/d'", d),
			    "crmf: log C1: a  Crmf-Action: x  [31m||one|two||"
			    "Crmf-Action: log Crmf-Customer: C9|Crmf-Customer: C1");
	assert_string_equal(out("git -C '%s' log -1 --format='%%(trailers:key=Crmf-Action,"
				"valueonly)'",
				d),
			    "log Crmf-Customer: C9");
}

static void test_commit_unborn_branch(void **state)
{
	char d[4096], oid[41];
	crmf_commit_path p[] = {{"crmf.yaml", false}, {"customers/C1.yaml", false}};
	crmf_commit_opts o = {NULL, "crmf: new C1", NULL, "new", "C1"};

	(void)state;
	sh("git init -q -b trunk '%s'", fresh(d, "commit-unborn"));
	put(d, "crmf.yaml", "version: 1\n");
	put(d, "customers/C1.yaml", "id: C1\n");
	assert_int_equal(crmf_commit_paths(oid, d, p, 2, &o), 0);
	assert_string_equal(out("git -C '%s' rev-parse trunk", d), oid);
	assert_string_equal(out("git -C '%s' rev-list --count HEAD", d), "1");
	assert_string_equal(out("git -C '%s' ls-tree -r --name-only HEAD", d),
			    "crmf.yaml|customers/C1.yaml");
	assert_string_equal(out("git -C '%s' status --porcelain", d), "");
	assert_string_equal(out("git -C '%s' reflog -1 --format=%%gs", d),
			    "commit (initial): crmf: new C1");
	assert_string_equal(out("git -C '%s' fsck --strict 2>&1; echo rc=$?", d), "rc=0");
}

static void test_commit_subfolder_root(void **state)
{
	char d[4096], root[4096], oid[41];
	crmf_commit_path p = {"customers/C1.yaml", false};
	crmf_commit_opts o = {NULL, "crmf: new C1", NULL, "new", "C1"};

	(void)state;
	repo_with_commit(fresh(d, "commit-sub"));
	put(d, "examples/crmf.yaml", "version: 1\n");
	sh("git -C '%s' add examples/crmf.yaml && git -C '%s' commit -qm examples", d, d);
	put(d, "examples/customers/C1.yaml", "id: C1\n");
	fmt(root, sizeof(root), "%s/examples", d);
	assert_int_equal(crmf_commit_paths(oid, root, &p, 1, &o), 0);
	assert_string_equal(out("git -C '%s' show --name-only --format= HEAD", d),
			    "examples/customers/C1.yaml");
	assert_string_equal(out("git -C '%s' status --porcelain", d), "");
	/* the lock message names the lock by its absolute path from a subfolder */
	put(d, ".git/index.lock", "");
	put(d, "examples/customers/C2.yaml", "id: C2\n");
	p.path = "customers/C2.yaml";
	assert_int_equal(crmf_commit_paths(oid, root, &p, 1, &o), -1);
	{
		char want[8192];

		fmt(want, sizeof(want),
		    "index.lock is held by another git process ('%s/.git/index.lock'); when no "
		    "git is running, remove it, then run 'crmf commit'",
		    d);
		assert_string_equal(crmf_error_last(), want);
	}
	sh("rm '%s/.git/index.lock'", d);
}

static void test_commit_index_lock_held(void **state)
{
	char d[4096], head[64], oid[41] = "junk", path[4200];
	crmf_commit_path p = {"customers/C1.yaml", false};
	crmf_commit_opts o = {NULL, "crmf: new C1", NULL, "new", "C1"};

	(void)state;
	repo_with_commit(fresh(d, "commit-locked"));
	strcpy(head, out("git -C '%s' rev-parse HEAD", d));
	put(d, "customers/C1.yaml", "id: C1\n");
	put(d, ".git/index.lock", "");
	assert_int_equal(crmf_commit_paths(oid, d, &p, 1, &o), -1);
	assert_string_equal(crmf_error_last(), LOCKED_MSG);
	assert_string_equal(oid, "");
	assert_string_equal(out("git -C '%s' rev-parse HEAD", d), head);
	/* nothing was staged either, and the file is as it was */
	sh("rm '%s/.git/index.lock'", d);
	assert_string_equal(out("git -C '%s' status --porcelain", d), "?? customers/");
	fmt(path, sizeof(path), "%s/customers/C1.yaml", d);
	assert_string_equal(slurp(path), "id: C1\n");
}

static void test_commit_move_and_remove(void **state)
{
	char d[4096], from[4200], to[4200];
	crmf_commit_path p[] = {{"archive/2025/C1.yaml", false},
				{"customers/C1.yaml", true},
				{"customers/never.yaml", true}};
	crmf_commit_opts o = {NULL, "crmf: archive C1", NULL, "archive", "C1"};

	(void)state;
	repo_with_commit(fresh(d, "commit-move"));
	put(d, "customers/C1.yaml", "id: C1\n");
	commit1(d, "customers/C1.yaml", false, "crmf: new C1");
	fmt(from, sizeof(from), "%s/customers/C1.yaml", d);
	sh("mkdir -p '%s/archive/2025'", d);
	fmt(to, sizeof(to), "%s/archive/2025/C1.yaml", d);
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(crmf_commit_paths(NULL, d, p, 3, &o), 0);
	assert_string_equal(out("git -C '%s' show -M --name-status --format= HEAD", d),
			    "R100\tcustomers/C1.yaml\tarchive/2025/C1.yaml");
	/* the emptied folder is gone from the tree */
	assert_string_equal(out("git -C '%s' ls-tree --name-only HEAD", d), "README|archive");
	assert_string_equal(out("git -C '%s' status --porcelain", d), "");
	assert_string_equal(out("git -C '%s' fsck --strict 2>&1; echo rc=$?", d), "rc=0");
}

static void test_commit_nothing_to_commit(void **state)
{
	char d[4096], oid[41] = "junk";
	crmf_commit_path p = {"customers/C1.yaml", false};
	crmf_commit_opts o = {NULL, "crmf: set C1", NULL, "set", "C1"};

	(void)state;
	repo_with_commit(fresh(d, "commit-same"));
	put(d, "customers/C1.yaml", "id: C1\n");
	commit1(d, "customers/C1.yaml", false, "crmf: new C1");
	assert_int_equal(crmf_commit_paths(oid, d, &p, 1, &o), 0);
	assert_string_equal(oid, "");
	assert_string_equal(out("git -C '%s' rev-list --count HEAD", d), "2");
}

static void test_commit_bad_paths(void **state)
{
	char d[4096];
	crmf_commit_path missing = {"customers/nope.yaml", false};
	crmf_commit_path outside = {"../x.yaml", false};
	crmf_commit_path gitdir = {".git/config", false};
	crmf_commit_opts o = {NULL, "crmf: x", NULL, NULL, NULL};

	(void)state;
	repo_with_commit(fresh(d, "commit-bad"));
	assert_int_equal(crmf_commit_paths(NULL, d, &missing, 1, &o), -1);
	assert_string_equal(crmf_error_last(),
			    "cannot commit 'customers/nope.yaml': no such file or directory");
	assert_int_equal(crmf_commit_paths(NULL, d, &outside, 1, &o), -1);
	assert_string_equal(crmf_error_last(),
			    "cannot commit '../x.yaml': not a path inside the repository");
	assert_int_equal(crmf_commit_paths(NULL, d, &gitdir, 1, &o), -1);
	assert_string_equal(out("git -C '%s' rev-list --count HEAD", d), "1");
	assert_string_equal(out("git -C '%s' status --porcelain", d), "");
}

static void test_commit_detached_head(void **state)
{
	char d[4096], main_id[64];

	(void)state;
	repo_with_commit(fresh(d, "commit-detached"));
	strcpy(main_id, out("git -C '%s' rev-parse main", d));
	sh("git -C '%s' checkout -q --detach", d);
	put(d, "customers/C1.yaml", "id: C1\n");
	commit1(d, "customers/C1.yaml", false, "crmf: new C1");
	assert_string_equal(out("git -C '%s' rev-parse main", d), main_id);
	assert_string_equal(out("git -C '%s' rev-parse HEAD~1", d), main_id);
	assert_string_equal(out("git -C '%s' status --porcelain", d), "");
}

/* --- status, HEAD and index --- */

static void test_status_customers(void **state)
{
	char d[4096];
	crmf_changed *v = NULL;
	size_t n = 99;
	static const struct {
		const char *path, *old;
		int status;
	} want[] = {
	    {"archive/2024/D.yaml", "customers/2024/D.yaml", 'R'},
	    {"archive/C.yaml", "customers/C.yaml", 'R'},
	    {"archive/E.yaml", NULL, 'D'},
	    {"archive/E2.yaml", NULL, 'A'},
	    {"customers/A.yaml", NULL, 'M'},
	    {"customers/B.yaml", NULL, 'D'},
	    {"customers/N.yml", NULL, 'A'},
	    {"customers/S.yaml", NULL, 'A'},
	};

	(void)state;
	repo_with_commit(fresh(d, "status"));
	put(d, "customers/A.yaml", "id: A\n");
	put(d, "customers/B.yaml", "id: B\n");
	put(d, "customers/C.yaml", "id: C\n");
	put(d, "customers/2024/D.yaml", "id: D\n");
	put(d, "customers/F.yaml", "id: F\n");
	put(d, "archive/E.yaml", "id: E\n");
	sh("cd '%s' && git add . && git commit -qm customers", d);
	put(d, "customers/A.yaml", "id: A\nstage: lead\n");	  /* modified */
	sh("rm '%s/customers/B.yaml'", d);			  /* deleted */
	sh("mv '%s/customers/C.yaml' '%s/archive/C.yaml'", d, d); /* moved by hand */
	put(d, "customers/N.yml", "id: N\n");			  /* untracked */
	put(d, "customers/S.yaml", "id: S\n");			  /* staged new */
	sh("git -C '%s' add customers/S.yaml", d);
	sh("cd '%s' && mkdir archive/2024 && git mv customers/2024/D.yaml archive/2024/", d);
	sh("mv '%s/archive/E.yaml' '%s/archive/E2.yaml'", d, d); /* another name: no move */
	put(d, "customers/F.yaml", "id: F\n");			 /* rewritten, same bytes */
	put(d, "customers/.hidden.yaml", "x\n");
	put(d, "customers/notes.txt", "x\n");
	put(d, "other/X.yaml", "x\n");
	assert_int_equal(crmf_status_customers(&v, &n, d), 0);
	assert_int_equal(n, sizeof(want) / sizeof(*want));
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(v[i].path, want[i].path);
		assert_int_equal(v[i].status, want[i].status);
		if (want[i].old)
			assert_string_equal(v[i].old_path, want[i].old);
		else
			assert_null(v[i].old_path);
	}
	crmf_changed_free(v, n);
	crmf_changed_free(NULL, 0);
}

static void test_status_subfolder_and_clean(void **state)
{
	char d[4096], root[4200];
	crmf_changed *v = NULL;
	size_t n = 99;

	(void)state;
	repo_with_commit(fresh(d, "status-sub"));
	put(d, "examples/crmf.yaml", "version: 1\n");
	put(d, "examples/customers/A.yaml", "id: A\n");
	sh("cd '%s' && git add . && git commit -qm ex", d);
	fmt(root, sizeof(root), "%s/examples", d);
	assert_int_equal(crmf_status_customers(&v, &n, root), 0);
	assert_int_equal(n, 0);
	assert_non_null(v);
	crmf_changed_free(v, n);
	put(d, "examples/customers/A.yaml", "id: A\nstage: lead\n");
	put(d, "customers/Z.yaml", "id: Z\n"); /* outside the crmf root */
	assert_int_equal(crmf_status_customers(&v, &n, root), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].path, "customers/A.yaml");
	assert_int_equal(v[0].status, 'M');
	crmf_changed_free(v, n);
}

static void test_read_head(void **state)
{
	char d[4096], u[4096], root[4200];
	char *buf = (char *)"x";
	size_t len = 99;

	(void)state;
	repo_with_commit(fresh(d, "head"));
	put(d, "examples/crmf.yaml", "version: 1\n");
	put(d, "examples/customers/A.yaml", "id: A\n");
	sh("cd '%s' && git add . && git commit -qm ex", d);
	put(d, "examples/customers/A.yaml", "id: A\nchanged: yes\n");
	fmt(root, sizeof(root), "%s/examples", d);
	assert_int_equal(crmf_read_head(&buf, &len, root, "customers/A.yaml"), 0);
	assert_int_equal(len, 6);
	assert_string_equal(buf, "id: A\n");
	free(buf);
	assert_int_equal(crmf_read_head(&buf, &len, root, "customers/B.yaml"), 1);
	assert_null(buf);
	assert_int_equal(crmf_read_head(&buf, &len, root, "customers"), 1); /* a folder */
	assert_null(buf);
	sh("git init -q '%s'", fresh(u, "head-unborn"));
	assert_int_equal(crmf_read_head(&buf, &len, u, "crmf.yaml"), 1);
	assert_null(buf);
}

static void test_read_staged(void **state)
{
	char d[4096];
	crmf_staged *v = NULL;
	size_t n = 0;

	(void)state;
	repo_with_commit(fresh(d, "staged"));
	put(d, "crmf.yaml", "version: 1\n");
	put(d, "customers/A.yaml", "id: A\n");
	put(d, "customers/2024/B.yaml", "id: B\n");
	put(d, "archive/C.yml", "id: C\n");
	put(d, "customers/notes.txt", "x\n");
	put(d, "customers/.hidden.yaml", "x\n");
	put(d, "templates/customer.yaml", "x\n");
	sh("cd '%s' && git add . && git commit -qm all", d);
	put(d, "customers/A.yaml", "id: A\nunstaged: 1\n");
	put(d, "customers/2024/B.yaml", "id: B\nstaged: 1\n");
	sh("git -C '%s' add customers/2024/B.yaml", d);
	put(d, "customers/2024/B.yaml", "id: B\nstaged: 1\nthen: edited\n");
	put(d, "customers/D.yaml", "id: D\n"); /* untracked: not staged */
	assert_int_equal(crmf_read_staged(&v, &n, d), 0);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].path, "archive/C.yml");
	assert_string_equal(v[1].path, "crmf.yaml");
	assert_string_equal(v[1].data, "version: 1\n");
	assert_string_equal(v[2].path, "customers/2024/B.yaml");
	assert_string_equal(v[2].data, "id: B\nstaged: 1\n");
	assert_int_equal(v[2].len, 16);
	assert_string_equal(v[3].path, "customers/A.yaml");
	assert_string_equal(v[3].data, "id: A\n");
	crmf_staged_free(v, n);
	crmf_staged_free(NULL, 0);

	/* git's temporary index, as a hook of git commit -a sees it */
	sh("cd '%s' && cp .git/index .git/alt-index && GIT_INDEX_FILE=.git/alt-index git add "
	   "customers/A.yaml",
	   d);
	setenv("GIT_INDEX_FILE", ".git/alt-index", 1);
	assert_int_equal(crmf_read_staged(&v, &n, d), 0);
	assert_int_equal(n, 4);
	assert_string_equal(v[3].data, "id: A\nunstaged: 1\n");
	crmf_staged_free(v, n);
	{
		char abs[4200];

		fmt(abs, sizeof(abs), "%s/.git/alt-index", d);
		setenv("GIT_INDEX_FILE", abs, 1);
		assert_int_equal(crmf_read_staged(&v, &n, d), 0);
		assert_string_equal(v[3].data, "id: A\nunstaged: 1\n");
		crmf_staged_free(v, n);
	}
	setenv("GIT_INDEX_FILE", ".git/no-such-index", 1);
	v = NULL;
	assert_int_equal(crmf_read_staged(&v, &n, d), 0); /* git: a missing index is empty */
	assert_int_equal(n, 0);
	crmf_staged_free(v, n);
	unsetenv("GIT_INDEX_FILE");
	assert_int_equal(crmf_read_staged(&v, &n, d), 0);
	assert_string_equal(v[3].data, "id: A\n");
	crmf_staged_free(v, n);
}

/* --- history --- */

static const char C1_V1[] = "id: C1\n"
			    "name: 杭州云启科技有限公司\n"
			    "stage: intent\n"
			    "grade: B\n"
			    "contacts:\n"
			    "  - name: 张伟\n"
			    "    phone: \"+86 138 0013 8000\"\n";

static const char C1_V2[] = "id: C1\n"
			    "name: 杭州云启科技有限公司\n"
			    "stage: negotiation\n"
			    "potential: high\n"
			    "contacts:\n"
			    "  - name: 张伟\n"
			    "    phone: \"+86 138 0013 8000\"\n";

static const char C1_V3[] = "id: C1\n"
			    "name: 杭州云启科技有限公司\n"
			    "stage: negotiation\n"
			    "potential: high\n"
			    "contacts:\n"
			    "  - name: 张伟\n"
			    "    phone: '+86 139 0000 0000'\n";

static const char C1_V4[] = "# a comment only\n"
			    "id: C1\n"
			    "name: 杭州云启科技有限公司\n"
			    "stage: negotiation\n"
			    "potential: high\n"
			    "contacts:\n"
			    "  - name: 张伟\n"
			    "    phone: '+86 139 0000 0000'\n";

#define C1_V5                                                                                      \
	"# a comment only\n"                                                                       \
	"id: C1\n"                                                                                 \
	"name: 杭州云启科技有限公司\n"                                                   \
	"stage: negotiation\n"                                                                     \
	"potential: high\n"                                                                        \
	"contacts:\n"                                                                              \
	"  - name: 张伟\n"                                                                       \
	"    phone: '+86 139 0000 0000'\n"                                                         \
	"followups:\n"                                                                             \
	"  - date: 2025-06-16\n"                                                                   \
	"    by: zhang.wei\n"                                                                      \
	"    method: phone\n"                                                                      \
	"    summary: 报价已发送\n"

#define C1_V6                                                                                      \
	C1_V5 "  - date: 2025-06-20\n"                                                             \
	      "    by: zhang.wei\n"                                                                \
	      "    method: visit\n"                                                                \
	      "    summary: 现场演示\n"                                                        \
	      "deals:\n"                                                                           \
	      "  - amount: 500000\n"                                                               \
	      "    signed: 2025-06-21\n"

static void commit_cust(const char *d, const char *rel, const char *text, const char *subject)
{
	put(d, rel, text);
	commit1(d, rel, false, subject);
}

static void assert_lines(const crmf_history_entry *e, const char *const *want, size_t n)
{
	for (size_t i = 0; i < e->n_changes && i < n; i++)
		assert_string_equal(e->changes[i], want[i]);
	assert_int_equal(e->n_changes, n);
}

#define LINES(e, ...)                                                                              \
	do {                                                                                       \
		static const char *const w_[] = {__VA_ARGS__};                                     \
		assert_lines((e), w_, sizeof(w_) / sizeof(*w_));                                   \
	} while (0)

static void test_history(void **state)
{
	char d[4096];
	crmf_history_entry *h = NULL;
	size_t n = 0;
	crmf_commit_path mv[] = {{"archive/2025/C1.yaml", false}, {"customers/C1.yaml", true}};
	crmf_commit_opts o = {NULL, "crmf: archive C1", NULL, "archive", "C1"};

	(void)state;
	repo_with_commit(fresh(d, "history"));
	commit_cust(d, "customers/C1.yaml", C1_V1, "crmf: new C1");
	commit_cust(d, "customers/C2.yaml", "id: C2\n", "crmf: new C2");
	commit_cust(d, "customers/C1.yaml", C1_V2, "crmf: set C1");
	commit_cust(d, "customers/C1.yaml", C1_V3, "crmf: set C1 phone");
	commit_cust(d, "customers/C1.yaml", C1_V4, "crmf: edit C1");
	commit_cust(d, "customers/C1.yaml", C1_V5, "crmf: log C1");
	commit_cust(d, "customers/C1.yaml", C1_V6, "crmf: log C1 again");
	commit_cust(d, "customers/C2.yaml", "id: C2\nstage: lead\n", "crmf: set C2");
	sh("mkdir -p '%s/archive/2025' && mv '%s/customers/C1.yaml' '%s/archive/2025/'", d, d, d);
	assert_int_equal(crmf_commit_paths(NULL, d, mv, 2, &o), 0);
	{
		static const char v7[] = C1_V6;
		char text[sizeof(v7) + 16];
		char *p;

		strcpy(text, v7);
		p = strstr(text, "stage: negotiation");
		memmove(p + 11, p + 18, strlen(p + 18) + 1);
		memcpy(p, "stage: lost", 11);
		commit_cust(d, "archive/2025/C1.yaml", text, "crmf: set C1 lost");
	}

	assert_int_equal(crmf_history(&h, &n, d, "C1", NULL), 0);
	assert_int_equal(n, 8);
	assert_string_equal(h[0].subject, "crmf: set C1 lost");
	assert_string_equal(h[0].path, "archive/2025/C1.yaml");
	assert_string_equal(h[0].author, "Unit Author <author@example.com>");
	assert_string_equal(h[0].oid, out("git -C '%s' rev-parse HEAD", d));
	assert_true(h[0].time > 1700000000);
	LINES(&h[0], "stage: negotiation → lost");
	assert_string_equal(h[1].subject, "crmf: archive C1");
	LINES(&h[1], "moved customers/C1.yaml → archive/2025/C1.yaml");
	assert_string_equal(h[2].subject, "crmf: log C1 again");
	assert_string_equal(h[2].path, "customers/C1.yaml");
	LINES(&h[2], "+ follow-up 2025-06-20 visit", "+ deal 500000 signed 2025-06-21");
	LINES(&h[3], "+ follow-up 2025-06-16 phone");
	LINES(&h[4], "comments or layout changed");
	LINES(&h[5], "contacts[0].phone: +86 138 0013 8000 → +86 139 0000 0000");
	LINES(&h[6], "stage: intent → negotiation", "+ potential: high", "- grade: B");
	assert_string_equal(h[7].subject, "crmf: new C1");
	LINES(&h[7], "+ created (new customer)");
	crmf_history_free(h, n);

	assert_int_equal(crmf_history(&h, &n, d, "C1", "stage"), 0);
	assert_int_equal(n, 3);
	LINES(&h[0], "stage: negotiation → lost");
	LINES(&h[1], "stage: intent → negotiation");
	LINES(&h[2], "+ stage: intent");
	crmf_history_free(h, n);

	assert_int_equal(crmf_history(&h, &n, d, "C1", "followups"), 0);
	assert_int_equal(n, 2);
	LINES(&h[0], "+ follow-up 2025-06-20 visit");
	LINES(&h[1], "+ follow-up 2025-06-16 phone");
	crmf_history_free(h, n);

	assert_int_equal(crmf_history(&h, &n, d, "C2", NULL), 0);
	assert_int_equal(n, 2);
	LINES(&h[0], "+ stage: lead");
	crmf_history_free(h, n);

	assert_int_equal(crmf_history(&h, &n, d, "C9", NULL), 0);
	assert_int_equal(n, 0);
	crmf_history_free(h, n);
	assert_int_equal(crmf_history(&h, &n, d, "../C1", NULL), -1);
	assert_string_equal(crmf_error_last(), "invalid customer id '../C1'");
}

/* The lines themselves are test_diff.c's: history gives what crmf_diff_bytes gives. */
static void test_history_lists_and_nesting(void **state)
{
	static const char v1[] = "id: C3\ntags: [a, b]\nneed: {type: A, budget: 50万}\n"
				 "followups:\n"
				 "  - {date: 2025-06-01, method: phone, summary: one}\n"
				 "contacts:\n  - {name: 张伟, phone: '1'}\n";
	static const char v2[] = "id: C3\ntags: [a, c]\nneed: {type: B, budget: 50万}\n"
				 "followups:\n"
				 "  - {date: 2025-06-01, method: phone, summary: one, with: 张伟}\n"
				 "contacts:\n  - {name: 张伟, phone: '1'}\n  - {name: 李娜}\n";
	char d[4096];
	crmf_history_entry *h = NULL;
	crmf_change *v = NULL;
	size_t n = 0, nv = 0;

	(void)state;
	repo_with_commit(fresh(d, "history-lists"));
	commit_cust(d, "customers/x/C3.yaml", v1, "v1");
	commit_cust(d, "customers/x/C3.yaml", v2, "v2");
	assert_int_equal(crmf_history(&h, &n, d, "C3", NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].path, "customers/x/C3.yaml");
	assert_int_equal(crmf_diff_bytes(&v, &nv, "a", v1, strlen(v1), "b", v2, strlen(v2), NULL),
			 0);
	assert_int_equal(nv, 4);
	assert_int_equal(h[0].n_changes, nv);
	for (size_t i = 0; i < nv; i++)
		assert_string_equal(h[0].changes[i], v[i].text);
	assert_string_equal(h[0].changes[3], "+ contact 李娜");
	crmf_diff_free(v, nv);
	crmf_history_free(h, n);
}

/* --- the hooks folder --- */

static void assert_hooks(const char *root, const char *want_hooks, const char *want_prefix)
{
	char *hooks = NULL, *prefix = NULL;

	if (crmf_hooks_dir(&hooks, &prefix, root) != 0)
		fail_msg("crmf_hooks_dir '%s': %s", root, crmf_error_last());
	assert_string_equal(hooks, want_hooks);
	assert_string_equal(prefix, want_prefix);
	free(hooks);
	free(prefix);
}

static void test_hooks_dir(void **state)
{
	char d[4096], w[4096], want[4096], sub[4096];
	char *hooks = (char *)"x", *prefix = (char *)"y";

	(void)state;
	repo_with_commit(fresh(d, "hooks"));
	fmt(sub, sizeof(sub), "%s/crm/team", d);
	sh("mkdir -p '%s'", sub);
	fmt(want, sizeof(want), "%s/.git/hooks", d);
	assert_hooks(d, want, "");
	assert_hooks(sub, want, "crm/team");
	/* a relative core.hooksPath starts at the top of the work tree, wherever the root is */
	sh("git -C '%s' config core.hooksPath .githooks/./x/..", d);
	fmt(want, sizeof(want), "%s/.githooks", d);
	assert_hooks(sub, want, "crm/team");
	assert_string_equal(
	    out("git -C '%s' rev-parse --path-format=absolute --git-path hooks", sub), want);
	sh("git -C '%s' config core.hooksPath /some/where/", d);
	assert_hooks(d, "/some/where", "");
	sh("git -C '%s' config core.hooksPath '~/my hooks'", d);
	fmt(want, sizeof(want), "%s/my hooks", home);
	assert_hooks(d, want, "");
	sh("git -C '%s' config core.hooksPath ''", d);
	assert_int_equal(crmf_hooks_dir(&hooks, &prefix, d), -1);
	assert_null(hooks);
	assert_null(prefix);
	assert_string_equal(crmf_error_last(), "core.hooksPath is set but empty: name a folder or "
					       "unset it (git config --unset core.hooksPath)");
	/* a linked worktree runs the hooks of the repository it belongs to */
	sh("git -C '%s' config --unset core.hooksPath", d);
	fmt(w, sizeof(w), "%s/hooks-wt", base);
	sh("git -C '%s' worktree add -q '%s' 2>/dev/null", d, w);
	fmt(want, sizeof(want), "%s/.git/hooks", d);
	assert_hooks(w, want, "");
	fmt(w, sizeof(w), "%s/hooks-none", base);
	sh("mkdir -p '%s'", w);
	assert_int_equal(crmf_hooks_dir(&hooks, &prefix, w), -1);
	assert_null(hooks);
}

static void test_history_merge_and_unborn(void **state)
{
	char d[4096], u[4096];
	crmf_history_entry *h = NULL;
	size_t n = 9;

	(void)state;
	repo_with_commit(fresh(d, "history-merge"));
	commit_cust(d, "customers/C1.yaml", "id: C1\nstage: lead\n", "new");
	sh("cd '%s' && git checkout -qb side && sed -i 's/lead/intent/' customers/C1.yaml && "
	   "git commit -qam side && git checkout -q main && echo x >other && git add other && "
	   "git commit -qm other && git merge -q --no-ff -m merge side",
	   d);
	assert_int_equal(crmf_history(&h, &n, d, "C1", NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].subject, "side");
	LINES(&h[0], "stage: lead → intent");
	assert_string_equal(h[1].subject, "new");
	crmf_history_free(h, n);
	sh("git init -q '%s'", fresh(u, "history-unborn"));
	assert_int_equal(crmf_history(&h, &n, u, "C1", NULL), 0);
	assert_int_equal(n, 0);
	crmf_history_free(h, n);
}

/* --- the lock --- */

/* Fork; the child runs fn and exits with its result. Returns the child's exit status. */
static int in_child(int (*fn)(const char *), const char *arg)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int try_lock_briefly(const char *root)
{
	crmf_lock *l = NULL;
	char want[128];

	if (crmf_lock_acquire(&l, root, 150) == 0) {
		crmf_lock_release(l);
		return 1;
	}
	snprintf(want, sizeof(want),
		 "another crmf (process %ld) is changing this repository; try again when it has "
		 "finished",
		 (long)getppid());
	return strcmp(crmf_error_last(), want) == 0 ? 2 : 3;
}

static int lock_once(const char *root)
{
	crmf_lock *l = NULL;

	if (crmf_lock_acquire(&l, root, 0) != 0)
		return 1;
	crmf_lock_release(l);
	return 0;
}

static void test_lock_contention(void **state)
{
	char d[4096];
	crmf_lock *l = NULL;
	struct timespec t0, t1;

	(void)state;
	repo_with_commit(fresh(d, "lock"));
	assert_int_equal(crmf_lock_acquire(&l, d, 0), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(in_child(try_lock_briefly, d), 2);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* it did wait for the time it was given */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 150);
	crmf_lock_release(l);
	assert_int_equal(in_child(lock_once, d), 0);
	crmf_lock_release(NULL);
}

static int append_and_commit(const char *root)
{
	char path[4200], *text, line[64];
	crmf_lock *l = NULL;
	crmf_commit_path p = {"customers/LOG.yaml", false};
	crmf_commit_opts o = {NULL, "crmf: log LOG", NULL, "log", "LOG"};
	size_t len;
	int rc = 1;

	if (crmf_lock_acquire(&l, root, 60000) != 0)
		return 2;
	snprintf(path, sizeof(path), "%s/customers/LOG.yaml", root);
	text = slurp(path);
	len = strlen(text);
	usleep(3000); /* widen the window a missing lock would let others into */
	snprintf(line, sizeof(line), "- %ld\n", (long)getpid());
	memcpy(text + len, line, strlen(line) + 1);
	if (crmf_write_atomic(path, text, strlen(text)) == 0 &&
	    crmf_commit_paths(NULL, root, &p, 1, &o) == 0)
		rc = 0;
	crmf_lock_release(l);
	return rc;
}

static void test_lock_serialises_ten_processes(void **state)
{
	char d[4096];
	pid_t kids[10];

	(void)state;
	repo_with_commit(fresh(d, "lock-ten"));
	put(d, "customers/LOG.yaml", "");
	commit1(d, "customers/LOG.yaml", false, "crmf: new LOG");
	for (int i = 0; i < 10; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0)
			_exit(append_and_commit(d));
	}
	for (int i = 0; i < 10; i++) {
		int st;

		assert_int_equal(waitpid(kids[i], &st, 0), kids[i]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	assert_string_equal(out("wc -l <'%s/customers/LOG.yaml'", d), "10");
	assert_string_equal(out("git -C '%s' rev-list --count HEAD", d), "12");
	assert_string_equal(out("git -C '%s' status --porcelain", d), "");
	assert_string_equal(out("git -C '%s' fsck --strict --no-dangling 2>&1; echo rc=$?", d),
			    "rc=0");
	/* each commit added exactly one line */
	assert_string_equal(out("git -C '%s' log --format= --numstat -10 | sort -u", d),
			    "1\t0\tcustomers/LOG.yaml");
}

/* --- atomic writes --- */

static void test_write_atomic(void **state)
{
	char d[4096], path[4200], link[4200];
	struct stat st;

	(void)state;
	fresh(d, "atomic");
	fmt(path, sizeof(path), "%s/C1.yaml", d);
	assert_int_equal(crmf_write_atomic(path, "id: C1\n", 7), 0);
	assert_string_equal(slurp(path), "id: C1\n");
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(crmf_write_atomic(path, "id: C1\nx: \0y\n", 13), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_size, 13);
	/* a link is written through and stays a link */
	fmt(link, sizeof(link), "%s/L.yaml", d);
	assert_int_equal(symlink("C1.yaml", link), 0);
	assert_int_equal(crmf_write_atomic(link, "via link\n", 9), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(slurp(path), "via link\n");
	assert_string_equal(out("ls -A '%s'", d), "C1.yaml|L.yaml");
}

/* In a work tree the temporary file is made in the git directory, and dead processes' are swept. */
static void test_write_atomic_in_repo(void **state)
{
	char d[4096], path[4200];
	pid_t kid;
	int st;

	(void)state;
	repo_with_commit(fresh(d, "atomic-repo"));
	sh("mkdir -p '%s/customers/2024'", d);
	/* a process that is gone left one behind */
	kid = fork();
	assert_true(kid >= 0);
	if (kid == 0)
		_exit(0);
	assert_int_equal(waitpid(kid, &st, 0), kid);
	sh("mkdir -p '%s/.git/crmf/tmp' && echo half >'%s/.git/crmf/tmp/%ld-0-C1.yaml' && "
	   "echo mine >'%s/.git/crmf/tmp/%ld-7-C1.yaml'",
	   d, d, (long)kid, d, (long)getpid());
	fmt(path, sizeof(path), "%s/customers/2024/C1.yaml", d);
	assert_int_equal(crmf_write_atomic(path, "id: C1\n", 7), 0);
	assert_string_equal(slurp(path), "id: C1\n");
	assert_string_equal(out("ls -A '%s/customers/2024'", d), "C1.yaml");
	/* the dead one's is gone, a live process's stays */
	assert_string_equal(out("ls -A '%s/.git/crmf/tmp'", d),
			    out("echo %ld-7-C1.yaml", (long)getpid()));
	assert_string_equal(out("git -C '%s' status --porcelain --untracked-files=all", d),
			    "?? customers/2024/C1.yaml");
}

static void test_write_atomic_failures(void **state)
{
	char d[4096], path[4200], want[8192];

	(void)state;
	fresh(d, "atomic-fail");
	put(d, "file", "x");
	sh("mkdir '%s/dir' && touch '%s/dir/inside'", d, d);
	fmt(path, sizeof(path), "%s/missing/C1.yaml", d);
	assert_int_equal(crmf_write_atomic(path, "x", 1), -1);
	fmt(want, sizeof(want), "cannot write '%s': no such file or directory", path);
	assert_string_equal(crmf_error_last(), want);
	fmt(path, sizeof(path), "%s/file/C1.yaml", d);
	assert_int_equal(crmf_write_atomic(path, "x", 1), -1);
	fmt(want, sizeof(want), "cannot write '%s': not a directory", path);
	assert_string_equal(crmf_error_last(), want);
	fmt(path, sizeof(path), "%s/dir", d);
	assert_int_equal(crmf_write_atomic(path, "x", 1), -1);
	fmt(want, sizeof(want), "cannot write '%s': is a directory", path);
	assert_string_equal(crmf_error_last(), want);
	assert_string_equal(out("cd '%s' && find . | sort", d), ".|./dir|./dir/inside|./file");
}

/* In a private mount namespace, fill a tiny file system: ENOSPC after the temporary file exists. */
static int full_disk(const char *dir)
{
	static char big[256 * 1024];
	char path[4200];
	const char *err;

	if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("tmpfs", dir, "tmpfs", 0, "size=64k") != 0)
		return 77;
	snprintf(path, sizeof(path), "%s/C1.yaml", dir);
	if (crmf_write_atomic(path, "id: C1\n", 7) != 0)
		return 1;
	memset(big, 'x', sizeof(big));
	if (crmf_write_atomic(path, big, sizeof(big)) != -1)
		return 2;
	err = crmf_error_last();
	if (!strstr(err, "': no space left on device"))
		return 3;
	if (strcmp(slurp(path), "id: C1\n") != 0)
		return 4;
	if (strcmp(out("ls -A '%s'", dir), "C1.yaml") != 0)
		return 5;
	return 0;
}

static void test_write_atomic_disk_full(void **state)
{
	char d[4096];
	int rc;

	(void)state;
	fresh(d, "atomic-full");
	rc = in_child(full_disk, d);
	if (rc == 77)
		skip(); /* no right to mount a file system here */
	assert_int_equal(rc, 0);
}

/* --- the user's own edits --- */

static void versions(crmf_versions *v, const char *d, const char *path, crmf_file_state want)
{
	if (crmf_read_versions(v, d, path) != 0)
		fail_msg("read_versions '%s': %s", path, crmf_error_last());
	assert_int_equal(v->state, want);
}

static void test_read_versions(void **state)
{
	char d[4096];
	crmf_versions v;

	(void)state;
	sh("git init -q -b main '%s'", fresh(d, "versions"));
	put(d, "customers/C1.yaml", "id: C1\ngrade: B\n");
	versions(&v, d, "customers/C1.yaml", CRMF_FILE_NEW); /* unborn */
	assert_null(v.head);
	crmf_versions_release(&v);
	commit1(d, "customers/C1.yaml", false, "crmf: new C1");
	versions(&v, d, "customers/C1.yaml", CRMF_FILE_CLEAN);
	assert_null(v.head);
	crmf_versions_release(&v);
	/* an edit in the work tree */
	put(d, "customers/C1.yaml", "id: C1\ngrade: A\n");
	versions(&v, d, "customers/C1.yaml", CRMF_FILE_CHANGED);
	assert_string_equal(v.head, "id: C1\ngrade: B\n");
	assert_int_equal(v.head_len, 16);
	assert_null(v.staged);
	crmf_versions_release(&v);
	/* staged, then the work tree put back: the index alone differs */
	sh("cd '%s' && git add customers/C1.yaml && git show HEAD:customers/C1.yaml "
	   ">customers/C1.yaml",
	   d);
	versions(&v, d, "customers/C1.yaml", CRMF_FILE_CHANGED);
	assert_string_equal(v.head, "id: C1\ngrade: B\n");
	assert_string_equal(v.staged, "id: C1\ngrade: A\n");
	assert_int_equal(v.staged_len, 16);
	crmf_versions_release(&v);
	/* staged for removal; untracked */
	sh("cd '%s' && git rm -qf --cached customers/C1.yaml", d);
	versions(&v, d, "customers/C1.yaml", CRMF_FILE_UNMERGED);
	crmf_versions_release(&v);
	put(d, "customers/C2.yaml", "id: C2\n");
	versions(&v, d, "customers/C2.yaml", CRMF_FILE_NEW);
	crmf_versions_release(&v);
	/* git's filters: CRLF in the work tree, LF in git is no change; HEAD's version comes
	 * as checked out */
	sh("cd '%s' && git reset -q && printf '*.yaml text eol=crlf\\n' >.gitattributes && "
	   "printf 'id: C1\\r\\ngrade: B\\r\\n' >customers/C1.yaml && git add -A && "
	   "git commit -qm crlf",
	   d);
	assert_string_equal(out("git -C '%s' show HEAD:customers/C1.yaml | od -c | grep -c '\\\\r'",
				d),
			    "0");
	versions(&v, d, "customers/C1.yaml", CRMF_FILE_CLEAN);
	crmf_versions_release(&v);
	put(d, "customers/C1.yaml", "id: C1\r\ngrade: A\r\n");
	versions(&v, d, "customers/C1.yaml", CRMF_FILE_CHANGED);
	assert_string_equal(v.head, "id: C1\r\ngrade: B\r\n");
	crmf_versions_release(&v);
	assert_int_equal(crmf_read_versions(&v, "/nonexistent-crmf", "customers/C1.yaml"), -1);
	crmf_versions_release(&v);
}

static void test_commit_content(void **state)
{
	char d[4096], oid[41];
	crmf_commit_path p = {"customers/C1.yaml", false};
	crmf_commit_content ct = {"id: C1\r\ngrade: B\r\nx: 1\r\n", 24,
				  "id: C1\r\ngrade: A\r\nx: 1\r\n", 24, NULL};
	crmf_commit_opts o = {NULL, "crmf: set C1: + x: 1", NULL, "set", "C1"};

	(void)state;
	repo_with_commit(fresh(d, "content"));
	sh("cd '%s' && printf '*.yaml text eol=crlf\\n' >.gitattributes && mkdir customers && "
	   "printf 'id: C1\\r\\ngrade: B\\r\\n' >customers/C1.yaml && git add -A && "
	   "git commit -qm c1",
	   d);
	/* the user's edit, staged, and one more in the work tree */
	put(d, "customers/C1.yaml", "id: C1\r\ngrade: A\r\nx: 1\r\nregion: N\r\n");
	assert_int_equal(crmf_commit_paths_as(oid, d, &p, &ct, 1, &o), 0);
	assert_string_equal(out("git -C '%s' rev-parse HEAD", d), oid);
	/* through the clean filter: LF in git */
	assert_string_equal(out("git -C '%s' show HEAD:customers/C1.yaml", d),
			    "id: C1|grade: B|x: 1");
	assert_string_equal(out("git -C '%s' show :customers/C1.yaml", d), "id: C1|grade: A|x: 1");
	assert_string_equal(out("git -C '%s' diff --cached | grep '^[-+][^-+]'", d),
			    "-grade: B|+grade: A");
	assert_string_equal(out("git -C '%s' diff | grep '^[-+][^-+]'", d), "+region: N");
	assert_string_equal(out("git -C '%s' status --porcelain", d), "MM customers/C1.yaml");
	/* the work tree is not touched */
	assert_string_equal(out("od -c '%s/customers/C1.yaml' | grep -c '\\\\r'", d), "3");
	/* data NULL: the work tree file, as crmf_commit_paths */
	ct.data = NULL;
	assert_int_equal(crmf_commit_paths_as(oid, d, &p, &ct, 1, &o), 0);
	assert_string_equal(out("git -C '%s' status --porcelain", d), "");
	assert_string_equal(out("git -C '%s' fsck --strict --no-dangling 2>&1; echo rc=$?", d), "rc=0");
}

static int setup_all(void **state)
{
	static const char *const unset[] = {"GIT_INDEX_FILE", "EMAIL", NULL};

	(void)state;
	return repo_setup("commit", unset);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_author),
	    cmocka_unit_test(test_preflight_ok_and_bare),
	    cmocka_unit_test(test_preflight_no_identity),
	    cmocka_unit_test(test_preflight_merge_in_progress),
	    cmocka_unit_test(test_preflight_owner),
	    cmocka_unit_test(test_commit_one_file_keeps_staged),
	    cmocka_unit_test(test_commit_without_body_or_trailers),
	    cmocka_unit_test(test_commit_unborn_branch),
	    cmocka_unit_test(test_commit_message_sanitised),
	    cmocka_unit_test(test_commit_subfolder_root),
	    cmocka_unit_test(test_commit_index_lock_held),
	    cmocka_unit_test(test_commit_move_and_remove),
	    cmocka_unit_test(test_commit_nothing_to_commit),
	    cmocka_unit_test(test_commit_bad_paths),
	    cmocka_unit_test(test_commit_detached_head),
	    cmocka_unit_test(test_status_customers),
	    cmocka_unit_test(test_status_subfolder_and_clean),
	    cmocka_unit_test(test_read_head),
	    cmocka_unit_test(test_read_versions),
	    cmocka_unit_test(test_commit_content),
	    cmocka_unit_test(test_read_staged),
	    cmocka_unit_test(test_history),
	    cmocka_unit_test(test_history_lists_and_nesting),
	    cmocka_unit_test(test_history_merge_and_unborn),
	    cmocka_unit_test(test_hooks_dir),
	    cmocka_unit_test(test_lock_contention),
	    cmocka_unit_test(test_lock_serialises_ten_processes),
	    cmocka_unit_test(test_write_atomic),
	    cmocka_unit_test(test_write_atomic_in_repo),
	    cmocka_unit_test(test_write_atomic_failures),
	    cmocka_unit_test(test_write_atomic_disk_full),
	};

	return cmocka_run_group_tests_name("commit", tests, setup_all, repo_teardown);
}
