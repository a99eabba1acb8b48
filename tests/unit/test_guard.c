/* SPDX-License-Identifier: MIT */
/* Unit tests of guard.c: commits checked from git's objects, the commits a push brings, a server's hooks folder. */
#include "repo_helpers.h"

#include "crmf/guard.h"

/* Five errors: the required fields it lacks. */
static const char C1[] = "id: C1\nname: Acme Ltd\nstage: lead\ncreated: 2024-01-01\nowner: bob\n";

static void oid_of(char *id, const char *repo, const char *rev)
{
	fmt(id, 41, "%s", out("git -C '%s' rev-parse '%s'", repo, rev));
}

/* A repository with two commits (the second adds a file that repeats C1's id) and its bare clone. */
static void make_repo(char *d, char *bare, const char *name)
{
	char bname[64];

	fresh(d, name);
	sh("git -C '%s' init -q -b main", d);
	put(d, "crmf.yaml", "version: 1\n");
	put(d, "customers/C1.yaml", C1);
	sh("git -C '%s' add -A && git -C '%s' commit -qm one", d, d);
	put(d, "customers/C2.yaml", C1);
	sh("git -C '%s' add -A && git -C '%s' commit -qm two", d, d);
	fmt(bname, sizeof(bname), "%s.git", name);
	fmt(bare, 4096, "%s/%s", base, bname);
	sh("git clone -q --bare '%s' '%s'", d, bare);
}

static size_t count_rule(const crmf_diags *d, const char *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += strcmp(d->v[i].rule, rule) == 0;
	return n;
}

static void test_check_rev(void **state)
{
	char d[4096], bare[4096];
	crmf_rev_opts o = {NULL, NULL, 0};
	crmf_diags diags;
	size_t files;

	(void)state;
	make_repo(d, bare, "rev");
	o.git_dir = bare;
	crmf_diags_init(&diags);
	assert_int_equal(crmf_check_rev(&diags, &files, &o, "main~1"), 0);
	assert_int_equal(files, 2);
	assert_int_equal(diags.errors, 5);
	crmf_diags_release(&diags);
	assert_int_equal(crmf_check_rev(&diags, &files, &o, "main"), 0);
	assert_int_equal(files, 3);
	assert_int_equal(count_rule(&diags, "duplicate-id"), 1);
	assert_string_equal(diags.v[diags.n - 1].path, "customers/C2.yaml");
	crmf_diags_release(&diags);
	assert_int_equal(crmf_check_rev(&diags, &files, &o, "nosuch"), 1);
	assert_string_equal(crmf_error_last(), "bad revision 'nosuch'");
	/* a crmf root the commit does not have: nothing to check */
	o.root = "sub";
	assert_int_equal(crmf_check_rev(&diags, &files, &o, "main"), 0);
	assert_int_equal(files, 0);
	assert_int_equal(diags.n, 0);
	o.root = "../up";
	assert_int_equal(crmf_check_rev(&diags, &files, &o, "main"), -1);
	o.root = NULL;
	o.git_dir = d; /* a work tree: found as git finds it */
	assert_int_equal(crmf_check_rev(&diags, &files, &o, "HEAD~1"), 0);
	assert_int_equal(diags.errors, 5);
	crmf_diags_release(&diags);
	fmt(d, sizeof(d), "%s/nowhere", base);
	o.git_dir = d;
	assert_int_equal(crmf_check_rev(&diags, &files, &o, "HEAD"), -1);
	crmf_diags_release(&diags);
}

static void test_check_push(void **state)
{
	char d[4096], bare[4096];
	crmf_rev_opts o = {NULL, NULL, 0};
	crmf_ref_update u;
	crmf_push_commit *v;
	size_t n, checked;

	(void)state;
	make_repo(d, bare, "push");
	o.git_dir = bare;
	/* the remote had only the first commit: the push brings the second */
	oid_of(u.old_id, bare, "main~1");
	oid_of(u.new_id, bare, "main");
	u.ref = "refs/heads/main";
	sh("git -C '%s' update-ref refs/heads/main main~1", bare);
	assert_int_equal(crmf_check_push(&v, &n, &checked, &o, &u, 1), 0);
	assert_int_equal(checked, 1);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].id, u.new_id);
	assert_string_equal(v[0].subject, "two");
	assert_string_equal(v[0].ref, "refs/heads/main");
	/* what C2 brings (five missing fields, its name, the id twice), not C1's five */
	assert_int_equal(v[0].diags.errors, 7);
	for (size_t i = 0; i < v[0].diags.n; i++)
		assert_string_equal(v[0].diags.v[i].path, "customers/C2.yaml");
	crmf_push_free(v, n);
	/* a new repository: both commits, each with what it brings */
	sh("git -C '%s' update-ref -d refs/heads/main", bare);
	memset(u.old_id, '0', 40);
	assert_int_equal(crmf_check_push(&v, &n, &checked, &o, &u, 1), 0);
	assert_int_equal(checked, 2);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].subject, "one");
	assert_int_equal(v[0].diags.errors, 5);
	assert_int_equal(v[1].diags.errors, 7);
	crmf_push_free(v, n);
	/* a deletion checks nothing; an id the repository lacks is an error */
	memcpy(u.old_id, u.new_id, 41);
	memset(u.new_id, '0', 40);
	assert_int_equal(crmf_check_push(&v, &n, &checked, &o, &u, 1), 0);
	assert_int_equal(checked, 0);
	assert_int_equal(n, 0);
	crmf_push_free(v, n);
	memset(u.new_id, '1', 40);
	assert_int_equal(crmf_check_push(&v, &n, &checked, &o, &u, 1), -1);
	assert_null(v);
}

static void test_server_hooks_dir(void **state)
{
	char d[4096], bare[4096], want[4096];
	char *hooks;
	int is_bare;

	(void)state;
	make_repo(d, bare, "hooks");
	assert_int_equal(crmf_server_hooks_dir(&hooks, &is_bare, bare), 0);
	assert_int_equal(is_bare, 1);
	fmt(want, sizeof(want), "%s/hooks", bare);
	assert_string_equal(hooks, want);
	free(hooks);
	/* a relative core.hooksPath starts in the git directory of a bare repository */
	sh("git -C '%s' config core.hooksPath myhooks", bare);
	assert_int_equal(crmf_server_hooks_dir(&hooks, &is_bare, bare), 0);
	fmt(want, sizeof(want), "%s/myhooks", bare);
	assert_string_equal(hooks, want);
	free(hooks);
	assert_int_equal(crmf_server_hooks_dir(&hooks, &is_bare, d), 0);
	assert_int_equal(is_bare, 0);
	free(hooks);
}

static int setup_all(void **state)
{
	(void)state;
	return repo_setup("guard", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_rev),
	    cmocka_unit_test(test_check_push),
	    cmocka_unit_test(test_server_hooks_dir),
	};

	return cmocka_run_group_tests_name("guard", tests, setup_all, repo_teardown);
}
