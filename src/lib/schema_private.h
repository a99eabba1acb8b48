/* SPDX-License-Identifier: MIT */
/* What schema.c and labels.c share while loading crmf.yaml, private to libcrmf. */
#ifndef CRMF_SCHEMA_PRIVATE_H
#define CRMF_SCHEMA_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/diag.h"
#include "crmf/doc.h"
#include "crmf/schema.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

struct loader {
	crmf_config *cfg;
	const char *path;
	crmf_diags *diags;
	size_t errors;
};

void sc_load_labels(struct loader *L, const crmf_node *n);
/* crmf.yaml `assign:` (assign_rules.c), after team, fields, enums and labels. */
void sc_load_assign(struct loader *L, const crmf_node *n);
void sc_assign_release(crmf_config *cfg);
int sc_key_index(struct loader *L, const crmf_node *key, const char *where,
		 const char *const *known, size_t n);
bool sc_want_sequence(struct loader *L, const crmf_node *n, const char *what, const char *hint);
void sc_warn(struct loader *L, const crmf_node *n, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool sc_builtin_field(const char *name);
bool sc_in_list(const char *s, const char *const *v, size_t n);
void sc_report(struct loader *L, const crmf_node *n, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool sc_is_null(const crmf_node *n);
const char *sc_scalar(struct loader *L, const crmf_node *n, const char *what,
		      const char *expect);
bool sc_want_mapping(struct loader *L, const crmf_node *n, const char *what, const char *hint);
void sc_load_goals(struct loader *L, const crmf_node *n);
/* crmf.yaml `confidential:` (crypt.c), after team and fields. */
void sc_load_confidential(struct loader *L, const crmf_node *n);

#endif
