/* SPDX-License-Identifier: MIT */
/* Computed classification of a customer: activity, value, quadrant, what is due next and why. */
#ifndef CRMF_CLASSIFY_H
#define CRMF_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/check.h"
#include "crmf/date.h"
#include "crmf/schema.h"

/** Deals count towards `value` when signed in the last CRMF_VALUE_WINDOW days:
 * today - CRMF_VALUE_WINDOW < signed <= today (so exactly 365 days ago is out,
 * 364 days ago and today are in; deals dated after today are not counted). */
#define CRMF_VALUE_WINDOW 365

/** Size of crmf_class.reason, with the NUL. */
#define CRMF_REASON_MAX 256

typedef enum {
	CRMF_ACTIVITY_ACTIVE = 0,
	CRMF_ACTIVITY_DORMANT,
	CRMF_ACTIVITY_LOST,
} crmf_activity;

typedef enum {
	CRMF_VALUE_LOW = 0,
	CRMF_VALUE_HIGH,
} crmf_value;

typedef enum {
	CRMF_QUADRANT_CORE = 0, /* high value, active */
	CRMF_QUADRANT_WIN_BACK, /* high value, dormant or lost */
	CRMF_QUADRANT_DEVELOP,	/* low value, active */
	CRMF_QUADRANT_WATCH,	/* low value, dormant or lost */
} crmf_quadrant;

/** Why something is due; on the same day the order of preference is
 * next-action, then first-contact, then cadence. */
typedef enum {
	CRMF_DUE_NONE = 0,
	CRMF_DUE_NEXT_ACTION,
	CRMF_DUE_FIRST_CONTACT,
	CRMF_DUE_CADENCE,
} crmf_due_kind;

/**
 * The values of FORMAT.md's "Computed, never stored" section for one customer
 * on one day. A plain value: no allocation, nothing to free; `next` points
 * into the customer's document and lives as long as the customer.
 */
typedef struct crmf_class {
	/* latest follow-up date (by date, not file order), else created;
	 * CRMF_NO_DAY when the customer has neither */
	crmf_day last_contact;
	/* lost when stage is lost; dormant when last_contact is more than
	 * rules.dormant_after days before today, or unknown; else active */
	crmf_activity activity;
	/* sum of the deals signed in the value window (see CRMF_VALUE_WINDOW) */
	double value_sum;
	crmf_value value; /* high when value_sum >= rules.high_value */
	crmf_quadrant quadrant;
	/* earliest of the candidates below; CRMF_NO_DAY with CRMF_DUE_NONE when
	 * none applies (always for lost and archived customers):
	 * - next-action: the `due` of the newest follow-up that has a `next`
	 *   (latest date; on equal dates the later time when both have one,
	 *   else the later in the file). When that
	 *   follow-up has no `due` there is no next-action candidate: older
	 *   follow-ups are superseded.
	 * - cadence: last_contact + rules.cadence_<potential>; core customers at
	 *   most rules.cadence_core days; a customer without potential and with
	 *   no next action or first-contact deadline gets rules.cadence_unjudged
	 *   (so that one neither lost nor archived always has a next due date).
	 * - first-contact: a lead without any follow-up: created +
	 *   rules.first_<grade>; a lead without grade is treated as grade C. */
	crmf_day next_due;
	crmf_due_kind due_kind;
	int due_every;	  /* days of the cadence or first-contact rule applied, else 0 */
	const char *next; /* the whole `next` text for next-action, else NULL */
	/* "发送报价 (next action)", "cadence: high potential, every 3d",
	 * "cadence: core customer, every 30d", "first contact: grade A within 1d",
	 * "first contact: no grade, within 7d"; "" when nothing is due. A `next`
	 * text too long for the buffer is cut at a character boundary and ends
	 * with "…"; `next` always has it whole. */
	char reason[CRMF_REASON_MAX];
	int overdue_days; /* today - next_due when positive, else 0 */
	/* archive candidate: not archived yet, and last_contact is more than
	 * rules.archive_after days before today (false when unknown) */
	bool stale;
} crmf_class;

/** The open next action of `c`: its newest follow-up, when that one has a
 * `next` (doc/format.md, "Next actions"), else NULL. */
const crmf_followup *crmf_open_next(const crmf_customer *c);

/** Classify customer `c` under the rules of `cfg` as of `today`. */
void crmf_classify(crmf_class *out, const crmf_customer *c, const crmf_config *cfg, crmf_day today);

/** crmf_classify without the reason text (left empty): for sorting and
 * filtering a whole repository, where only the shown rows need it. */
void crmf_classify_quick(crmf_class *out, const crmf_customer *c, const crmf_config *cfg,
			 crmf_day today);

/** Sum of the amounts of the deals of `c` signed on a day in [first, last];
 * deals without a signing date are skipped. */
double crmf_classify_deal_sum(const crmf_customer *c, crmf_day first, crmf_day last);

/** Canonical names: "active", "dormant", "lost". */
const char *crmf_activity_name(crmf_activity a);
/** "high", "low". */
const char *crmf_value_name(crmf_value v);
/** "core", "win-back", "develop", "watch". */
const char *crmf_quadrant_name(crmf_quadrant q);
/** "next-action", "cadence", "first-contact"; NULL for CRMF_DUE_NONE. */
const char *crmf_due_kind_name(crmf_due_kind k);

#endif
