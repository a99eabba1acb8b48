/* SPDX-License-Identifier: MIT */
/* Unit tests of store.c: repository discovery, the customer file list, crmf_repo_init. */
#include "repo_helpers.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

static const char NOT_A_REPO[] = "not in a git repository (run 'crmf init' to create one)";
static const char NO_IDENTITY[] = "no git identity: set it with git config --global user.name "
				  "'Your Name' and git config --global user.email you@example.com";
static const char CONFIG[] = "# team settings\nversion: 1\n";

/* The first line printed by a shell command, without its newline. */
static char *sh_out(const char *cmd)
{
	static char line[4096];
	FILE *p = popen(cmd, "r");

	assert_non_null(p);
	line[0] = '\0';
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	pclose(p);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static void git_init(const char *dir)
{
	sh("git init -q '%s'", dir);
}

static void assert_discovers(const char *start, const char *want)
{
	char *root = NULL;

	if (crmf_repo_discover(&root, start) != 0)
		fail_msg("discover '%s': %s", start, crmf_error_last());
	assert_string_equal(root, want);
	free(root);
}

static void test_discover_not_a_repo(void **state)
{
	char *root = (char *)"x";
	char d[4096];

	(void)state;
	fresh(d, "norepo");
	assert_int_equal(crmf_repo_discover(&root, d), -1);
	assert_null(root);
	assert_string_equal(crmf_error_last(), NOT_A_REPO);
}

static void test_discover_missing_start(void **state)
{
	char *root = NULL;
	char path[4096];

	(void)state;
	fmt(path, sizeof(path), "%s/does-not-exist", base);
	assert_int_equal(crmf_repo_discover(&root, path), -1);
	assert_non_null(strstr(crmf_error_last(), "cannot access"));
	assert_non_null(strstr(crmf_error_last(), "does-not-exist"));
}

static void test_discover_git_root_without_config(void **state)
{
	char d[4096], start[4096];

	(void)state;
	fresh(d, "plain");
	git_init(d);
	fmt(start, sizeof(start), "%s/a/b/c", d);
	sh("mkdir -p '%s'", start);
	assert_discovers(start, d);
	assert_discovers(d, d);
}

static void test_discover_nested_dirs(void **state)
{
	char d[4096], start[4096];

	(void)state;
	fresh(d, "nested");
	git_init(d);
	put(d, "crmf.yaml", CONFIG);
	fmt(start, sizeof(start), "%s/customers/2024/q1", d);
	sh("mkdir -p '%s'", start);
	assert_discovers(start, d);
	/* a relative start works too */
	fmt(start, sizeof(start), "%s/customers/2024/q1/../..", d);
	assert_discovers(start, d);
}

static void test_discover_config_in_subfolder(void **state)
{
	char d[4096], sub[4096], start[4096];

	(void)state;
	fresh(d, "subfolder");
	git_init(d);
	put(d, "examples/crmf.yaml", CONFIG);
	put(d, "examples/customers/C1.yaml", "id: C1\n");
	sh("mkdir -p '%s/src/lib'", d);
	fmt(sub, sizeof(sub), "%s/examples", d);
	fmt(start, sizeof(start), "%s/examples/customers", d);
	assert_discovers(start, sub);
	assert_discovers(sub, sub);
	/* elsewhere in the work tree: the work tree root */
	fmt(start, sizeof(start), "%s/src/lib", d);
	assert_discovers(start, d);
	assert_discovers(d, d);
}

static void test_discover_nearest_config_wins(void **state)
{
	char d[4096], sub[4096], start[4096];

	(void)state;
	fresh(d, "nearest");
	git_init(d);
	put(d, "crmf.yaml", CONFIG);
	put(d, "inner/crmf.yaml", CONFIG);
	fmt(sub, sizeof(sub), "%s/inner", d);
	fmt(start, sizeof(start), "%s/inner/customers", d);
	sh("mkdir -p '%s'", start);
	assert_discovers(start, sub);
}

static void test_discover_stays_in_work_tree(void **state)
{
	char d[4096], repo[4096], start[4096];

	(void)state;
	fresh(d, "outside");
	put(d, "crmf.yaml", CONFIG); /* above the git work tree: not ours */
	fmt(repo, sizeof(repo), "%s/repo", d);
	git_init(repo);
	fmt(start, sizeof(start), "%s/repo/a", d);
	sh("mkdir -p '%s'", start);
	assert_discovers(start, repo);
}

static void test_discover_crmf_yaml_directory_ignored(void **state)
{
	char d[4096], start[4096];

	(void)state;
	fresh(d, "yamldir");
	git_init(d);
	fmt(start, sizeof(start), "%s/a/crmf.yaml", d);
	sh("mkdir -p '%s'", start); /* a directory named crmf.yaml is no config */
	fmt(start, sizeof(start), "%s/a", d);
	assert_discovers(start, d);
}

static void test_discover_bare(void **state)
{
	char d[4096];
	char *root = NULL;

	(void)state;
	fresh(d, "bare.git");
	sh("git init -q --bare '%s'", d);
	assert_int_equal(crmf_repo_discover(&root, d), -1);
	assert_null(root);
	assert_non_null(strstr(crmf_error_last(), "is a bare git repository"));
}

static void test_list_nested_hidden_sorted(void **state)
{
	char d[4096], link[4096], target[4096];
	crmf_file *files = NULL;
	size_t n = 99;
	static const struct {
		const char *path;
		int archived;
		crmf_file_kind kind;
	} want[] = {
	    {"archive/2023/old.yml", 1, CRMF_FILE_REGULAR},
	    {"archive/lost.yaml", 1, CRMF_FILE_REGULAR},
	    {"customers/2024/C2024001.yaml", 0, CRMF_FILE_REGULAR},
	    {"customers/2024/C2024002.yaml", 0, CRMF_FILE_REGULAR},
	    {"customers/2024/q1/deep/C1.yaml", 0, CRMF_FILE_REGULAR},
	    {"customers/a-b.yaml", 0, CRMF_FILE_REGULAR},
	    {"customers/a.yaml", 0, CRMF_FILE_REGULAR},
	    {"customers/b.yml", 0, CRMF_FILE_REGULAR},
	    {"customers/dangling.yaml", 0, CRMF_FILE_LINK},
	    {"customers/fifo.yaml", 0, CRMF_FILE_SPECIAL},
	    {"customers/linked.yaml", 0, CRMF_FILE_LINK},
	    {"customers/nested", 0, CRMF_FILE_NESTED},
	    {"customers/otherdir", 0, CRMF_FILE_LINK},
	    {"customers/sub", 0, CRMF_FILE_NESTED},
	};

	(void)state;
	fresh(d, "list");
	put(d, "customers/b.yml", "x");
	put(d, "customers/a.yaml", "x");
	put(d, "customers/a-b.yaml", "x");
	put(d, "customers/2024/C2024002.yaml", "x");
	put(d, "customers/2024/C2024001.yaml", "x");
	put(d, "customers/2024/q1/deep/C1.yaml", "x");
	put(d, "customers/.hidden.yaml", "x");
	put(d, "customers/.git/x.yaml", "x");
	put(d, "customers/2024/.draft/C9.yaml", "x");
	put(d, "customers/notes.txt", "x");
	put(d, "customers/c.YAML", "x");
	put(d, "customers/yaml", "x");
	put(d, "customers/C3.yaml.bak", "x");
	put(d, "customers/.yaml", "x");
	put(d, "archive/lost.yaml", "x");
	put(d, "archive/2023/old.yml", "x");
	put(d, "crmf.yaml", "x");
	put(d, "other/z.yaml", "x");
	put(d, "templates/customer.yaml", "x");
	sh("mkdir -p '%s/customers/empty'", d);
	/* a folder with another repository (a .git folder with a HEAD, or a
	 * submodule's .git file) is listed as one, not entered; a stray .git
	 * folder (customers/.git above) is no repository */
	put(d, "customers/nested/.git/HEAD", "ref: refs/heads/main\n");
	put(d, "customers/nested/N.yaml", "x");
	put(d, "customers/sub/.git", "gitdir: ../../.git/modules/sub\n");
	put(d, "customers/sub/S.yaml", "x");
	sh("mkfifo '%s/customers/fifo.yaml' '%s/customers/fifo.txt'", d, d);
	/* links are listed, never followed: to a folder, to a file, dangling */
	fmt(link, sizeof(link), "%s/customers/otherdir", d);
	fmt(target, sizeof(target), "%s/other", d);
	assert_int_equal(symlink(target, link), 0);
	fmt(link, sizeof(link), "%s/customers/linked.yaml", d);
	fmt(target, sizeof(target), "%s/other/z.yaml", d);
	assert_int_equal(symlink(target, link), 0);
	fmt(link, sizeof(link), "%s/customers/dangling.yaml", d);
	assert_int_equal(symlink("/nonexistent/x.yaml", link), 0);

	assert_int_equal(crmf_store_list(&files, &n, d), 0);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(files[i].relpath, want[i].path);
		assert_int_equal(files[i].archived, want[i].archived);
		assert_int_equal(files[i].kind, want[i].kind);
	}
	crmf_store_list_free(files, n);
}

/* crmf_store_find finds exactly the files of the listing with that name:
 * at any depth, both extensions, in customers/ and archive/, never hidden
 * ones or through a link to a folder. */
static void test_find_agrees_with_list(void **state)
{
	static const char *const stems[] = {
	    "C2024001", "C1", "a", "b", "D", "linked", "lost", "old", "z",
	    "dangling", "C9", "x", ".hidden", "q1", "deep", "2024", "", "a/b",
	};
	char d[4096], link[4200], target[4200];
	crmf_file *all = NULL, *found = NULL;
	size_t n_all = 0, n_found = 0;

	(void)state;
	fresh(d, "find");
	put(d, "customers/b.yml", "x");
	put(d, "customers/a.yaml", "x");
	put(d, "customers/2024/C2024001.yaml", "x");
	put(d, "customers/2024/q1/deep/C1.yaml", "x");
	put(d, "customers/2024/D.yaml", "x");
	put(d, "customers/2025/D.yaml", "x");
	put(d, "customers/2025/D.yml", "x");
	put(d, "archive/2023/D.yaml", "x");
	put(d, "customers/.hidden.yaml", "x");
	put(d, "customers/2024/.draft/C9.yaml", "x");
	put(d, "customers/x.yaml/inner.yaml", "x"); /* a folder named like a file */
	put(d, "archive/lost.yaml", "x");
	put(d, "archive/2023/old.yml", "x");
	put(d, "other/z.yaml", "x");
	put(d, "other/sub/C1.yaml", "x");
	fmt(link, sizeof(link), "%s/customers/otherdir", d);
	fmt(target, sizeof(target), "%s/other", d);
	assert_int_equal(symlink(target, link), 0);
	fmt(link, sizeof(link), "%s/customers/linked.yaml", d);
	fmt(target, sizeof(target), "%s/other/z.yaml", d);
	assert_int_equal(symlink(target, link), 0);
	fmt(link, sizeof(link), "%s/customers/dangling.yaml", d);
	assert_int_equal(symlink("/nonexistent/x.yaml", link), 0);

	assert_int_equal(crmf_store_list(&all, &n_all, d), 0);
	for (size_t s = 0; s < sizeof(stems) / sizeof(stems[0]); s++) {
		size_t k = 0, len = strlen(stems[s]);

		assert_int_equal(crmf_store_find(&found, &n_found, d, stems[s]), 0);
		assert_non_null(found);
		for (size_t i = 0; i < n_all; i++) {
			const char *bn = strrchr(all[i].relpath, '/') + 1;

			if (!len || strncmp(bn, stems[s], len) != 0 ||
			    (strcmp(bn + len, ".yaml") != 0 && strcmp(bn + len, ".yml") != 0))
				continue;
			assert_true(k < n_found);
			assert_string_equal(found[k].relpath, all[i].relpath);
			assert_int_equal(found[k].archived, all[i].archived);
			assert_int_equal(found[k].kind, all[i].kind);
			k++;
		}
		assert_int_equal(n_found, k);
		if (strcmp(stems[s], "D") == 0)
			assert_int_equal(n_found, 4);
		if (strcmp(stems[s], "C1") == 0)
			assert_int_equal(n_found, 1);
		crmf_store_list_free(found, n_found);
	}
	crmf_store_list_free(all, n_all);
}

static void test_list_empty_repository(void **state)
{
	crmf_file *files = NULL;
	size_t n = 99;
	char d[4096];

	(void)state;
	fresh(d, "list-empty");
	assert_int_equal(crmf_store_list(&files, &n, d), 0);
	assert_int_equal(n, 0);
	assert_non_null(files);
	crmf_store_list_free(files, n);
	crmf_store_list_free(NULL, 0);
}

static void test_list_many_sorted(void **state)
{
	char d[4096], name[64];
	crmf_file *files = NULL;
	size_t n = 0;

	(void)state;
	fresh(d, "list-many");
	sh("mkdir -p '%s/customers/x'", d);
	/* created in reverse order so that readdir order is unlikely to be sorted */
	for (int i = 999; i >= 0; i--) {
		fmt(name, sizeof(name), "customers/%s/C%04d.yaml", i % 2 ? "x" : "", i);
		put(d, name, "id: x\n");
	}
	assert_int_equal(crmf_store_list(&files, &n, d), 0);
	assert_int_equal(n, 1000);
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(files[i - 1].relpath, files[i].relpath) < 0);
	assert_string_equal(files[0].relpath, "customers/C0000.yaml");
	assert_string_equal(files[n - 1].relpath, "customers/x/C0999.yaml");
	crmf_store_list_free(files, n);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Folders are listed in place (sorted per folder, a folder sorting as its
 * name and '/'): the result is the bytewise order of the whole paths, also
 * where a folder's name is a prefix of its neighbours', names share their
 * first eight bytes, or bytes are not ASCII. */
static void test_list_order_folders_and_files(void **state)
{
	static const char *const paths[] = {
	    "customers/a/x.yaml",	   "customers/a-c.yaml",	 "customers/a.yaml",
	    "customers/a0.yaml",	   "customers/a.b/y.yaml",	 "customers/a/b/z.yaml",
	    "customers/a/a.yaml",	   "customers/C2024001.yaml",	 "customers/C2024001/n.yaml",
	    "customers/C2024001x.yaml",	   "customers/C20240010.yaml",	 "customers/C2024001-/m.yaml",
	    "customers/\xe5\x8d\x8e/w.yaml", "customers/\xe5\x8d\x8e.yaml", "customers/Z.yaml",
	    "customers/abcdefgh/i.yaml",   "customers/abcdefgh.yaml",	 "customers/abcdefg/j.yaml",
	    "customers/abcdefghi.yaml",	   "archive/2024/a.yaml",	 "archive/2024.yaml",
	    "archive/2024-01/b.yaml",	   "customers/abcdefghijklmnop/q.yaml",
	    "customers/abcdefghijklmnop.yaml", "customers/abcdefghijklmnop-r.yaml",
	    "customers/abcdefghijklmnopq/s.yaml", "customers/abcdefghijklmno/t.yaml",
	};
	const size_t np = sizeof(paths) / sizeof(paths[0]);
	const char *want[sizeof(paths) / sizeof(paths[0])];
	char d[4096];
	crmf_file *files = NULL;
	size_t n = 0;

	(void)state;
	fresh(d, "list-order");
	for (size_t i = 0; i < np; i++) {
		put(d, paths[i], "id: x\n");
		want[i] = paths[i];
	}
	qsort(want, np, sizeof(want[0]), cmp_str);
	assert_int_equal(crmf_store_list(&files, &n, d), 0);
	assert_int_equal(n, np);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(files[i].relpath, want[i]);
		assert_int_equal(files[i].archived, strncmp(want[i], "archive/", 8) == 0);
	}
	crmf_store_list_free(files, n);
}

static void test_list_missing_root(void **state)
{
	crmf_file *files = NULL;
	size_t n = 0;
	char path[4096];

	(void)state;
	fmt(path, sizeof(path), "%s/no-such-root", base);
	assert_int_equal(crmf_store_list(&files, &n, path), -1);
	assert_null(files);
	assert_non_null(strstr(crmf_error_last(), "no-such-root"));
}

static void assert_file_bytes(const char *path, const char *want, size_t len)
{
	char buf[4096];
	FILE *f = fopen(path, "rb");
	size_t got;

	assert_non_null(f);
	got = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(got, len);
	assert_memory_equal(buf, want, len);
}

static void test_init_new_directory(void **state)
{
	crmf_init_result r;
	char d[4096], path[4096], cmd[8192];
	struct stat st;

	(void)state;
	fmt(d, sizeof(d), "%s/init-new/a/b", base);
	if (crmf_repo_init_ext(&r, d, CONFIG, sizeof(CONFIG) - 1) != 0)
		fail_msg("init: %s", crmf_error_last());
	assert_string_equal(r.root, d);
	assert_string_equal(r.git_root, d);
	assert_int_equal(r.git_created, 1);
	assert_int_equal(strlen(r.commit), 40);

	fmt(path, sizeof(path), "%s/crmf.yaml", d);
	assert_file_bytes(path, CONFIG, sizeof(CONFIG) - 1);
	fmt(path, sizeof(path), "%s/customers/.gitkeep", d);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_discovers(d, d);

	fmt(cmd, sizeof(cmd), "git -C '%s' rev-parse HEAD", d);
	assert_string_equal(sh_out(cmd), r.commit);
	fmt(cmd, sizeof(cmd), "git -C '%s' symbolic-ref HEAD", d);
	assert_string_equal(sh_out(cmd), "refs/heads/main");
	fmt(cmd, sizeof(cmd), "git -C '%s' ls-tree -r --name-only HEAD | paste -sd,", d);
	assert_string_equal(sh_out(cmd), ".gitattributes,crmf.yaml,customers/.gitkeep");
	fmt(cmd, sizeof(cmd), "git -C '%s' log -1 --format='%%s|%%(trailers:key=Crmf-Action)'", d);
	assert_string_equal(sh_out(cmd), "crmf: init|Crmf-Action: init");
	fmt(cmd, sizeof(cmd), "git -C '%s' log -1 --format='%%an <%%ae>|%%cn <%%ce>'", d);
	assert_string_equal(sh_out(cmd), "Unit Author <author@example.com>|Unit Committer "
					 "<committer@example.com>");
	/* the index matches the commit: nothing left staged or modified */
	fmt(cmd, sizeof(cmd), "git -C '%s' status --porcelain | wc -l", d);
	assert_string_equal(sh_out(cmd), "0");
	/* no temporary file left behind */
	fmt(cmd, sizeof(cmd), "ls -A '%s' | paste -sd,", d);
	assert_string_equal(sh_out(cmd), ".git,.gitattributes,crmf.yaml,customers");
	crmf_init_result_release(&r);
	crmf_init_result_release(NULL);
}

static void test_init_refuses_existing_config(void **state)
{
	char d[4096], path[4096], want[8192], cmd[8192];
	static const char mine[] = "# mine: do not touch\nversion: 1\n";

	(void)state;
	fresh(d, "init-twice");
	assert_int_equal(crmf_repo_init(d, CONFIG, sizeof(CONFIG) - 1), 0);
	fmt(path, sizeof(path), "%s/crmf.yaml", d);
	put(d, "crmf.yaml", mine);
	assert_int_equal(crmf_repo_init(d, CONFIG, sizeof(CONFIG) - 1), -1);
	fmt(want, sizeof(want), "'crmf.yaml' already exists in %s; crmf init never overwrites it",
	    d);
	assert_string_equal(crmf_error_last(), want);
	assert_file_bytes(path, mine, sizeof(mine) - 1);
	fmt(cmd, sizeof(cmd), "git -C '%s' rev-list --count HEAD", d);
	assert_string_equal(sh_out(cmd), "1");
}

static void test_init_refuses_without_git_first(void **state)
{
	char d[4096], path[4096];
	struct stat st;

	(void)state;
	fresh(d, "init-existing-nogit");
	put(d, "crmf.yaml", "x: 1\n");
	assert_int_equal(crmf_repo_init(d, CONFIG, sizeof(CONFIG) - 1), -1);
	assert_non_null(strstr(crmf_error_last(), "already exists"));
	/* refused before anything was created */
	fmt(path, sizeof(path), "%s/.git", d);
	assert_int_equal(stat(path, &st), -1);
	fmt(path, sizeof(path), "%s/customers", d);
	assert_int_equal(stat(path, &st), -1);
}

static void test_init_without_identity(void **state)
{
	char d[4096];
	struct stat st;

	(void)state;
	fmt(d, sizeof(d), "%s/init-noid", base);
	unsetenv("GIT_AUTHOR_NAME");
	unsetenv("GIT_AUTHOR_EMAIL");
	assert_int_equal(crmf_repo_init(d, CONFIG, sizeof(CONFIG) - 1), -1);
	assert_string_equal(crmf_error_last(), NO_IDENTITY);
	assert_int_equal(stat(d, &st), -1); /* nothing created */
	assert_int_equal(errno, ENOENT);
	setenv("GIT_AUTHOR_NAME", "Unit Author", 1);
	setenv("GIT_AUTHOR_EMAIL", "author@example.com", 1);
}

static void test_init_identity_from_config(void **state)
{
	char d[4096], cmd[8192];

	(void)state;
	set_identity(false);
	put(home, ".gitconfig",
	    "[user]\n\tname = Config User\n\temail = config@example.com\n"
	    "[init]\n\tdefaultBranch = trunk\n");
	fresh(d, "init-config");
	if (crmf_repo_init(d, CONFIG, sizeof(CONFIG) - 1) != 0)
		fail_msg("init: %s", crmf_error_last());
	sh("rm -f '%s/.gitconfig'", home);
	set_identity(true);
	fmt(cmd, sizeof(cmd), "git -C '%s' log -1 --format='%%an <%%ae>|%%cn <%%ce>'", d);
	assert_string_equal(sh_out(cmd), "Config User <config@example.com>|Config User "
					 "<config@example.com>");
	fmt(cmd, sizeof(cmd), "git -C '%s' symbolic-ref HEAD", d);
	assert_string_equal(sh_out(cmd), "refs/heads/trunk");
}

static void test_init_in_subfolder_of_repository(void **state)
{
	crmf_init_result r;
	char d[4096], sub[4096], cmd[8192], path[4096];
	struct stat st;

	(void)state;
	fresh(d, "init-sub");
	git_init(d);
	put(d, "README", "hello\n");
	sh("cd '%s' && git add README && git -c user.name=x -c user.email=x@x commit -qm first", d);
	put(d, "staged.txt", "staged\n");
	sh("git -C '%s' add staged.txt", d);
	fmt(sub, sizeof(sub), "%s/team/crm", d);
	if (crmf_repo_init_ext(&r, sub, CONFIG, sizeof(CONFIG) - 1) != 0)
		fail_msg("init: %s", crmf_error_last());
	assert_string_equal(r.root, sub);
	assert_string_equal(r.git_root, d);
	assert_int_equal(r.git_created, 0);
	fmt(path, sizeof(path), "%s/.git", sub);
	assert_int_equal(stat(path, &st), -1); /* no nested repository */
	fmt(cmd, sizeof(cmd), "git -C '%s' show --name-only --format= HEAD | paste -sd,", d);
	assert_string_equal(sh_out(cmd), "team/crm/.gitattributes,team/crm/crmf.yaml,team/crm/customers/.gitkeep");
	fmt(cmd, sizeof(cmd), "git -C '%s' rev-list --count HEAD", d);
	assert_string_equal(sh_out(cmd), "2");
	/* what the user staged stays staged, and only that */
	fmt(cmd, sizeof(cmd), "git -C '%s' status --porcelain | paste -sd,", d);
	assert_string_equal(sh_out(cmd), "A  staged.txt");
	assert_discovers(sub, sub);
	crmf_init_result_release(&r);
}

static void test_init_identity_from_repository_config(void **state)
{
	char d[4096], sub[4096], cmd[8192];

	(void)state;
	set_identity(false);
	fresh(d, "init-localcfg");
	git_init(d);
	sh("git -C '%s' config user.name 'Local User' && git -C '%s' config user.email "
	   "local@example.com",
	   d, d);
	/* the folder does not exist yet: the identity still comes from the enclosing repository */
	fmt(sub, sizeof(sub), "%s/not/yet", d);
	if (crmf_repo_init(sub, CONFIG, sizeof(CONFIG) - 1) != 0)
		fail_msg("init: %s", crmf_error_last());
	set_identity(true);
	fmt(cmd, sizeof(cmd), "git -C '%s' log -1 --format='%%an <%%ae>|%%cn <%%ce>'", d);
	assert_string_equal(sh_out(cmd), "Local User <local@example.com>|Local User "
					 "<local@example.com>");
	fmt(cmd, sizeof(cmd), "git -C '%s' show --name-only --format= HEAD | paste -sd,", d);
	assert_string_equal(sh_out(cmd), "not/yet/.gitattributes,not/yet/crmf.yaml,not/yet/customers/.gitkeep");
}

static void test_init_customers_not_a_directory(void **state)
{
	char d[4096], path[4096];
	struct stat st;

	(void)state;
	fresh(d, "init-customers-file");
	put(d, "customers", "not a folder\n");
	assert_int_equal(crmf_repo_init(d, CONFIG, sizeof(CONFIG) - 1), -1);
	assert_non_null(strstr(crmf_error_last(), "customers' exists and is not a directory"));
	fmt(path, sizeof(path), "%s/crmf.yaml", d);
	assert_int_equal(stat(path, &st), -1);
	fmt(path, sizeof(path), "%s/.git", d);
	assert_int_equal(stat(path, &st), -1);
}

static void test_init_commit_fails_after_saving(void **state)
{
	char d[4096], path[4096], cmd[8192];
	struct stat st;

	(void)state;
	fresh(d, "init-locked");
	git_init(d);
	put(d, ".git/index.lock", "");
	assert_int_equal(crmf_repo_init(d, CONFIG, sizeof(CONFIG) - 1), -1);
	assert_true(strncmp(crmf_error_last(), "saved, not committed: ", 22) == 0);
	assert_non_null(strstr(crmf_error_last(), "'crmf.yaml', 'customers/.gitkeep' and '.gitattributes'"));
	fmt(path, sizeof(path), "%s/crmf.yaml", d);
	assert_file_bytes(path, CONFIG, sizeof(CONFIG) - 1);
	fmt(path, sizeof(path), "%s/customers/.gitkeep", d);
	assert_int_equal(stat(path, &st), 0);
	fmt(cmd, sizeof(cmd), "git -C '%s' rev-parse -q --verify HEAD || echo none", d);
	assert_string_equal(sh_out(cmd), "none");
}

static void test_init_not_a_directory(void **state)
{
	char d[4096];

	(void)state;
	fresh(d, "init-file");
	put(d, "f", "x");
	strcat(d, "/f");
	assert_int_equal(crmf_repo_init(d, CONFIG, sizeof(CONFIG) - 1), -1);
	assert_non_null(strstr(crmf_error_last(), "is not a directory"));
}

static int setup_all(void **state)
{
	(void)state;
	return repo_setup("store", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_discover_not_a_repo),
	    cmocka_unit_test(test_discover_missing_start),
	    cmocka_unit_test(test_discover_git_root_without_config),
	    cmocka_unit_test(test_discover_nested_dirs),
	    cmocka_unit_test(test_discover_config_in_subfolder),
	    cmocka_unit_test(test_discover_nearest_config_wins),
	    cmocka_unit_test(test_discover_stays_in_work_tree),
	    cmocka_unit_test(test_discover_crmf_yaml_directory_ignored),
	    cmocka_unit_test(test_discover_bare),
	    cmocka_unit_test(test_list_nested_hidden_sorted),
	    cmocka_unit_test(test_find_agrees_with_list),
	    cmocka_unit_test(test_list_empty_repository),
	    cmocka_unit_test(test_list_many_sorted),
	    cmocka_unit_test(test_list_order_folders_and_files),
	    cmocka_unit_test(test_list_missing_root),
	    cmocka_unit_test(test_init_new_directory),
	    cmocka_unit_test(test_init_refuses_existing_config),
	    cmocka_unit_test(test_init_refuses_without_git_first),
	    cmocka_unit_test(test_init_without_identity),
	    cmocka_unit_test(test_init_identity_from_config),
	    cmocka_unit_test(test_init_in_subfolder_of_repository),
	    cmocka_unit_test(test_init_identity_from_repository_config),
	    cmocka_unit_test(test_init_customers_not_a_directory),
	    cmocka_unit_test(test_init_commit_fails_after_saving),
	    cmocka_unit_test(test_init_not_a_directory),
	};

	return cmocka_run_group_tests_name("store", tests, setup_all, repo_teardown);
}
