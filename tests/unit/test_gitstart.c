/* SPDX-License-Identifier: MIT */
/* Unit tests of libgit2's start in git.c: the system's CA certificates are loaded only once TLS is
 * wanted. */
#include "unit.h"

#include <dlfcn.h>
#include <git2.h>

#include "git_private.h"

/* libgit2 here is built on mbedTLS (Debian's is): libmbedx509 is loaded with it. */
static bool mbedtls_libgit2(void)
{
	void *h = dlopen("libmbedx509.so.1", RTLD_NOW | RTLD_NOLOAD);

	if (h)
		dlclose(h);
	return h != NULL;
}

/*
 * libgit2's start asks for the CA bundle; crmf notes where it is and loads
 * nothing until crmf_git_need_tls, which loads it (through the real mbedTLS
 * function) and leaves nothing noted. With a libgit2 on OpenSSL nothing is
 * ever noted.
 */
static void test_ca_loaded_only_for_tls(void **state)
{
	(void)state;
	crmf_git_need();
	if (!mbedtls_libgit2()) {
		assert_false(crmf_git_ca_deferred());
		return;
	}
	assert_true(crmf_git_ca_deferred());
	crmf_git_need(); /* started once: nothing changes */
	assert_true(crmf_git_ca_deferred());
	crmf_git_need_tls();
	assert_false(crmf_git_ca_deferred());
	/* later locations are loaded at once, never noted */
	assert_int_equal(git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, NULL, "/etc/ssl/certs"),
			 0);
	assert_false(crmf_git_ca_deferred());
	/* and a location that cannot be read is libgit2's error, as without crmf */
	assert_int_not_equal(
	    git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, "/nonexistent/ca.pem", NULL), 0);
	git_error_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ca_loaded_only_for_tls),
	};

	return cmocka_run_group_tests_name("gitstart", tests, NULL, NULL);
}
