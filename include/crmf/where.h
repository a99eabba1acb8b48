/* SPDX-License-Identifier: MIT */
/* --where over whole customers, for the commands that change many at once (set, reassign, assign). */
#ifndef CRMF_WHERE_H
#define CRMF_WHERE_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/check.h"
#include "crmf/date.h"
#include "crmf/expr.h"
#include "crmf/schema.h"

/**
 * Parse `text` as `crmf list --where` does (doc/where.md): every field it
 * names must be a stored field, a custom field of `cfg` or a computed one
 * (last_contact, activity, value, value_sum, quadrant, next_due,
 * overdue_days, kind, reason, path, archived), else it is an error with the
 * nearest name ("unknown field 'stauts'; did you mean 'status'?"); values
 * are bound to `cfg` (crmf_expr_bind). On error returns -1 with *out NULL,
 * the message in `err` and its 1-based character column in *errcol, as
 * crmf_expr_parse. `cfg` must outlive the expression.
 */
int crmf_where_compile(crmf_expr **out, const crmf_config *cfg, const char *text, crmf_day today,
		       char *err, size_t errlen, int *errcol);

/** Whether the customer `c` (with its document) matches `e` on `today`; a
 * NULL expression matches every customer. */
bool crmf_where_match(const crmf_expr *e, const crmf_customer *c, const crmf_config *cfg,
		      crmf_day today);

#endif
