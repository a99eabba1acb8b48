/* SPDX-License-Identifier: MIT */
/* Common includes of the cmocka unit tests. */
#ifndef CRMF_UNIT_H
#define CRMF_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crmf/crmf.h"

/* The first diagnostic whose rule is `rule`, or NULL. */
static inline const crmf_diag *unit_find_rule(const crmf_diags *d, const char *rule)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i].rule, rule) == 0)
			return &d->v[i];
	return NULL;
}

/* Assert that a diagnostic with `rule` exists at line:col. */
#define assert_diag_at(diags, rule_, line_, col_)                                  \
	do {                                                                           \
		const crmf_diag *d_ = unit_find_rule((diags), (rule_));                    \
		if (!d_)                                                                   \
			fail_msg("no diagnostic '%s'", (rule_));                               \
		assert_int_equal(d_->line, (line_));                                       \
		assert_int_equal(d_->column, (col_));                                      \
	} while (0)

#endif
