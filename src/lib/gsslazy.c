/* SPDX-License-Identifier: MIT */
/* GSSAPI for the linked-in libgit2, loaded the first time it is used (Kerberos over HTTP). */
#include <dlfcn.h>
#include <pthread.h>

#include "gsslazy.h"

/*
 * libgit2 offers Kerberos ("Negotiate") to an HTTP server that asks for it,
 * through MIT's GSSAPI. Linked to it, every command would load it and the
 * five libraries under it (1.2 ms of every start) for what only crmf sync to
 * such a server uses. The eight functions and the one name type libgit2
 * refers to are defined here instead: the first call loads
 * libgssapi_krb5.so.2 and hands every call to it. Without that library a call
 * fails as GSSAPI fails (GSS_S_FAILURE), and the connection with it.
 */
/* GSS_C_NT_HOSTBASED_SERVICE: 1.2.840.113554.1.2.1.4 (RFC 2744, 4.1); GSSAPI
 * compares name types by value, not by address */
static gss_OID_desc hostbased = {10, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04"};
gss_OID GSS_C_NT_HOSTBASED_SERVICE = &hostbased;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void *lib;

static void load(void)
{
	lib = dlopen("libgssapi_krb5.so.2", RTLD_NOW | RTLD_LOCAL);
}

/* The library's own `name`, or NULL. */
static void *real(const char *name)
{
	pthread_once(&once, load);
	return lib ? dlsym(lib, name) : NULL;
}

/* Call the library's own, or fail (or, for a release, do nothing: nothing
 * was made) without it. */
#define FORWARD(name, on_missing, params, args)                                                    \
	OM_uint32 name params                                                                      \
	{                                                                                          \
		OM_uint32(*fn) params;                                                             \
		*(void **)&fn = real(#name);                                                       \
		if (!fn) {                                                                         \
			*minor = 0;                                                                \
			return on_missing;                                                         \
		}                                                                                  \
		return fn args;                                                                    \
	}

FORWARD(gss_import_name, GSS_S_FAILURE,
	(OM_uint32 * minor, gss_buffer_t name, gss_OID type, gss_name_t *out),
	(minor, name, type, out))
FORWARD(gss_release_name, GSS_S_COMPLETE, (OM_uint32 * minor, gss_name_t *name), (minor, name))
FORWARD(gss_init_sec_context, GSS_S_FAILURE,
	(OM_uint32 * minor, gss_cred_id_t cred, gss_ctx_id_t *ctx, gss_name_t target, gss_OID mech,
	 OM_uint32 flags, OM_uint32 time_req, gss_channel_bindings_t bindings, gss_buffer_t input,
	 gss_OID *actual_mech, gss_buffer_t output, OM_uint32 *ret_flags, OM_uint32 *time_rec),
	(minor, cred, ctx, target, mech, flags, time_req, bindings, input, actual_mech, output,
	 ret_flags, time_rec))
FORWARD(gss_delete_sec_context, GSS_S_COMPLETE,
	(OM_uint32 * minor, gss_ctx_id_t *ctx, gss_buffer_t output), (minor, ctx, output))
FORWARD(gss_display_status, GSS_S_FAILURE,
	(OM_uint32 * minor, OM_uint32 status, int type, gss_OID mech, OM_uint32 *more,
	 gss_buffer_t out),
	(minor, status, type, mech, more, out))
FORWARD(gss_release_buffer, GSS_S_COMPLETE, (OM_uint32 * minor, gss_buffer_t buffer),
	(minor, buffer))
FORWARD(gss_indicate_mechs, GSS_S_FAILURE, (OM_uint32 * minor, gss_OID_set *mechs),
	(minor, mechs))
FORWARD(gss_release_oid_set, GSS_S_COMPLETE, (OM_uint32 * minor, gss_OID_set *set),
	(minor, set))
