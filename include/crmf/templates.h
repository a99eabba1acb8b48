/* SPDX-License-Identifier: MIT */
/* The built-in templates (templates/ embedded at build time by tools/embed). */
#ifndef CRMF_TEMPLATES_H
#define CRMF_TEMPLATES_H

#include <stddef.h>

/** templates/crmf.yaml: the crmf.yaml 'crmf init' writes; _len bytes, NUL after. */
extern const char crmf_tpl_crmf_yaml[];
extern const size_t crmf_tpl_crmf_yaml_len;

/** templates/customer.yaml: the customer 'crmf new' fills when the repository
 * has no templates/customer.yaml; _len bytes, NUL after. */
extern const char crmf_tpl_customer_yaml[];
extern const size_t crmf_tpl_customer_yaml_len;

#endif
