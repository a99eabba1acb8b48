/* SPDX-License-Identifier: MIT */
/* Unit tests of libgit2's start in git.c and of what it loads only when used: the system's CA
 * certificates once TLS is wanted, GSSAPI once Kerberos is (gsslazy.c). */
#include "unit.h"

#include <dlfcn.h>
#include <git2.h>
#include <string.h>

#include "git_private.h"
#include "gsslazy.h"

/* Whether the shared object `name` is loaded in this process. */
static bool loaded(const char *name)
{
	void *h = dlopen(name, RTLD_NOW | RTLD_NOLOAD);

	if (h)
		dlclose(h);
	return h != NULL;
}

/*
 * libgit2 (linked in, built on mbedTLS) asks for the CA bundle when it
 * starts; crmf notes where it is and loads nothing until crmf_git_need_tls,
 * which loads it (through the real mbedTLS function) and leaves nothing noted.
 */
static void test_ca_loaded_only_for_tls(void **state)
{
	(void)state;
	crmf_git_need();
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

/*
 * GSSAPI is not loaded when libgit2 starts; the first GSSAPI call loads it
 * and is the library's own: its mechanisms include Kerberos 5, and a
 * host-based service name imports with crmf's GSS_C_NT_HOSTBASED_SERVICE.
 */
static void test_gssapi_loaded_when_used(void **state)
{
	static const char krb5[] = "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"; /* 1.2.840.113554.1.2.2 */
	OM_uint32 minor = 1;
	gss_OID_set mechs = NULL;
	gss_buffer_desc name = {strlen("HTTP@crm.example.com"), (void *)"HTTP@crm.example.com"};
	gss_name_t imported = NULL;
	bool has_krb5 = false;

	(void)state;
	crmf_git_need();
	assert_false(loaded("libgssapi_krb5.so.2"));
	assert_int_equal(gss_indicate_mechs(&minor, &mechs), GSS_S_COMPLETE);
	assert_true(loaded("libgssapi_krb5.so.2"));
	assert_non_null(mechs);
	for (size_t i = 0; i < mechs->count; i++)
		has_krb5 = has_krb5 || (mechs->elements[i].length == sizeof(krb5) - 1 &&
					memcmp(mechs->elements[i].elements, krb5, sizeof(krb5) - 1) == 0);
	assert_true(has_krb5);
	assert_int_equal(gss_release_oid_set(&minor, &mechs), GSS_S_COMPLETE);
	assert_int_equal(gss_import_name(&minor, &name, GSS_C_NT_HOSTBASED_SERVICE, &imported),
			 GSS_S_COMPLETE);
	assert_non_null(imported);
	assert_int_equal(gss_release_name(&minor, &imported), GSS_S_COMPLETE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ca_loaded_only_for_tls),
	    cmocka_unit_test(test_gssapi_loaded_when_used),
	};

	return cmocka_run_group_tests_name("gitstart", tests, NULL, NULL);
}
