/* SPDX-License-Identifier: MIT */
/* Unit tests of identity.c: the git identity and the team member it matches. */
#include "unit.h"

#include <sys/stat.h>
#include <unistd.h>

static crmf_member team[] = {
	{"zhang.wei", "张伟", "zhang.wei@qiming.example.cn", CRMF_NO_DAY},
	{"li.na", "李娜", "Li.Na@Qiming.example.cn", CRMF_NO_DAY},
	{"wang.fang", NULL, NULL, CRMF_NO_DAY},
};

static crmf_config with_team(void)
{
	crmf_config cfg = {0};

	cfg.has_team = true;
	cfg.team = team;
	cfg.n_team = sizeof(team) / sizeof(team[0]);
	return cfg;
}

static void test_member_by_email_ignoring_case(void **state)
{
	crmf_config cfg = with_team();
	crmf_identity id = {NULL, "li.na@qiming.EXAMPLE.cn"};

	(void)state;
	assert_ptr_equal(crmf_identity_member(&cfg, &id), &team[1]);
}

static void test_email_wins_over_name(void **state)
{
	crmf_config cfg = with_team();
	crmf_identity id = {"张伟", "li.na@qiming.example.cn"};

	(void)state;
	assert_ptr_equal(crmf_identity_member(&cfg, &id), &team[1]);
}

static void test_member_by_name_or_id(void **state)
{
	crmf_config cfg = with_team();
	crmf_identity by_name = {"张伟", "someone@else.example"};
	crmf_identity by_id = {"wang.fang", NULL};

	(void)state;
	assert_ptr_equal(crmf_identity_member(&cfg, &by_name), &team[0]);
	assert_ptr_equal(crmf_identity_member(&cfg, &by_id), &team[2]);
}

static void test_member_by_local_part(void **state)
{
	crmf_config cfg = with_team();
	crmf_identity id = {"W. Fang", "Wang.Fang@home.example"};
	crmf_identity not_prefix = {NULL, "wang.fangs@home.example"};
	crmf_identity no_at = {NULL, "wang.fang"};

	(void)state;
	assert_ptr_equal(crmf_identity_member(&cfg, &id), &team[2]);
	assert_null(crmf_identity_member(&cfg, &not_prefix));
	/* an "email" without '@' is no address: nothing to take a local part of */
	assert_null(crmf_identity_member(&cfg, &no_at));
}

static void test_no_member(void **state)
{
	crmf_config cfg = with_team();
	crmf_identity id = {"Nobody", "nobody@else.example"};
	crmf_identity none = {NULL, NULL};

	(void)state;
	assert_null(crmf_identity_member(&cfg, &id));
	assert_null(crmf_identity_member(&cfg, &none));
	assert_null(crmf_identity_member(NULL, &id));
	assert_null(crmf_identity_member(&cfg, NULL));
}

static void test_owns_with_team(void **state)
{
	crmf_config cfg = with_team();
	crmf_identity id = {"Li Na", "li.na@qiming.example.cn"};

	(void)state;
	/* the owner may be written as the member's id, name or email */
	assert_true(crmf_identity_owns(&cfg, &id, "li.na"));
	assert_true(crmf_identity_owns(&cfg, &id, "李娜"));
	assert_true(crmf_identity_owns(&cfg, &id, "li.na@qiming.example.cn"));
	assert_false(crmf_identity_owns(&cfg, &id, "zhang.wei"));
	assert_false(crmf_identity_owns(&cfg, &id, "unknown"));
	assert_false(crmf_identity_owns(&cfg, &id, NULL));
}

static void test_owns_without_team(void **state)
{
	crmf_config cfg = {0};
	crmf_identity id = {"Li Na", "li.na@corp.example"};

	(void)state;
	assert_true(crmf_identity_owns(&cfg, &id, "Li Na"));
	assert_true(crmf_identity_owns(&cfg, &id, "LI.NA@corp.example"));
	assert_true(crmf_identity_owns(&cfg, &id, "li.na"));
	assert_false(crmf_identity_owns(&cfg, &id, "li"));
	assert_false(crmf_identity_owns(&cfg, &id, "li.na@other.example"));
}

static void sh(const char *fmt, const char *dir, const char *arg)
{
	char *cmd = NULL;

	assert_true(asprintf(&cmd, fmt, dir, arg) > 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* A temporary git repository with user.name and user.email in its config. */
static char *make_repo(const char *name, const char *email)
{
	char tmpl[] = "/tmp/crmf-test-identity.XXXXXX";
	char *dir = mkdtemp(tmpl);

	assert_non_null(dir);
	sh("git init -q '%s'%s", dir, "");
	if (name)
		sh("git -C '%s' config user.name '%s'", dir, name);
	if (email)
		sh("git -C '%s' config user.email '%s'", dir, email);
	return strdup(dir);
}

static void remove_tree(const char *dir)
{
	sh("rm -rf '%s'%s", dir, "");
}

static void test_get_from_repository_config(void **state)
{
	char *dir = make_repo("李娜", "li.na@qiming.example.cn");
	char *sub = NULL;
	crmf_identity id;

	(void)state;
	unsetenv("GIT_AUTHOR_NAME");
	unsetenv("GIT_AUTHOR_EMAIL");
	/* from a folder inside the work tree too */
	assert_true(asprintf(&sub, "%s/customers", dir) > 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(crmf_identity_get(&id, sub), 0);
	assert_string_equal(id.name, "李娜");
	assert_string_equal(id.email, "li.na@qiming.example.cn");
	crmf_identity_release(&id);
	assert_null(id.name);
	assert_null(id.email);
	crmf_identity_release(NULL);
	remove_tree(dir);
	free(sub);
	free(dir);
}

static void test_get_author_environment_wins(void **state)
{
	char *dir = make_repo("李娜", "li.na@qiming.example.cn");
	crmf_identity id;

	(void)state;
	setenv("GIT_AUTHOR_EMAIL", "zhang.wei@qiming.example.cn", 1);
	setenv("GIT_AUTHOR_NAME", "", 1); /* empty: as unset, git's rule */
	assert_int_equal(crmf_identity_get(&id, dir), 0);
	assert_string_equal(id.name, "李娜");
	assert_string_equal(id.email, "zhang.wei@qiming.example.cn");
	crmf_identity_release(&id);
	unsetenv("GIT_AUTHOR_NAME");
	unsetenv("GIT_AUTHOR_EMAIL");
	remove_tree(dir);
	free(dir);
}

static void test_get_nothing_set(void **state)
{
	char *dir = make_repo(NULL, NULL);
	crmf_identity id;

	(void)state;
	assert_int_equal(crmf_identity_get(&id, dir), 0);
	assert_null(id.name);
	assert_null(id.email);
	crmf_identity_release(&id);
	remove_tree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_by_email_ignoring_case),
		cmocka_unit_test(test_email_wins_over_name),
		cmocka_unit_test(test_member_by_name_or_id),
		cmocka_unit_test(test_member_by_local_part),
		cmocka_unit_test(test_no_member),
		cmocka_unit_test(test_owns_with_team),
		cmocka_unit_test(test_owns_without_team),
		cmocka_unit_test(test_get_from_repository_config),
		cmocka_unit_test(test_get_author_environment_wins),
		cmocka_unit_test(test_get_nothing_set),
	};
	char home[] = "/tmp/crmf-test-identity-home.XXXXXX";
	int rc;

	/* no global or system identity may leak in: an empty home, read by
	 * libgit2 when it starts */
	if (!mkdtemp(home))
		return 1;
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	unsetenv("GIT_AUTHOR_NAME");
	unsetenv("GIT_AUTHOR_EMAIL");
	crmf_lib_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	crmf_lib_shutdown();
	rmdir(home);
	return rc;
}
