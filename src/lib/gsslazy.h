/* SPDX-License-Identifier: MIT */
/* The GSSAPI functions gsslazy.c defines for the linked-in libgit2 (private to libcrmf and its tests). */
#ifndef CRMF_GSSLAZY_H
#define CRMF_GSSLAZY_H

#include <stddef.h>
#include <stdint.h>

/* GSSAPI's types (RFC 2744, as MIT's gssapi.h has them): only pointers,
 * sizes and 32-bit integers. */
typedef uint32_t OM_uint32;
typedef struct gss_oid_desc {
	OM_uint32 length;
	void *elements;
} gss_OID_desc, *gss_OID;
typedef struct gss_buffer_desc {
	size_t length;
	void *value;
} gss_buffer_desc, *gss_buffer_t;
typedef struct gss_OID_set_desc {
	size_t count;
	gss_OID elements;
} *gss_OID_set;
typedef void *gss_name_t, *gss_ctx_id_t, *gss_cred_id_t, *gss_channel_bindings_t;

#define GSS_S_COMPLETE 0u
#define GSS_S_FAILURE (13u << 16)

extern gss_OID GSS_C_NT_HOSTBASED_SERVICE;

OM_uint32 gss_import_name(OM_uint32 *minor, gss_buffer_t name, gss_OID type, gss_name_t *out);
OM_uint32 gss_release_name(OM_uint32 *minor, gss_name_t *name);
OM_uint32 gss_init_sec_context(OM_uint32 *minor, gss_cred_id_t cred, gss_ctx_id_t *ctx,
			       gss_name_t target, gss_OID mech, OM_uint32 flags, OM_uint32 time_req,
			       gss_channel_bindings_t bindings, gss_buffer_t input,
			       gss_OID *actual_mech, gss_buffer_t output, OM_uint32 *ret_flags,
			       OM_uint32 *time_rec);
OM_uint32 gss_delete_sec_context(OM_uint32 *minor, gss_ctx_id_t *ctx, gss_buffer_t output);
OM_uint32 gss_display_status(OM_uint32 *minor, OM_uint32 status, int type, gss_OID mech,
			     OM_uint32 *more, gss_buffer_t out);
OM_uint32 gss_release_buffer(OM_uint32 *minor, gss_buffer_t buffer);
OM_uint32 gss_indicate_mechs(OM_uint32 *minor, gss_OID_set *mechs);
OM_uint32 gss_release_oid_set(OM_uint32 *minor, gss_OID_set *set);

#endif
