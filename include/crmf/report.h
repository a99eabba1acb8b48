/* SPDX-License-Identifier: MIT */
/* The team lead's review: activity, pipeline, value and shares of a period, from the files and their history. */
#ifndef CRMF_REPORT_H
#define CRMF_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/check.h"
#include "crmf/date.h"
#include "crmf/schema.h"

struct crmf_repository;

/* A counted key ("phone", "2025-06", "lead→intent") with an amount where one applies. */
typedef struct crmf_count {
	const char *key; /* owned by the report */
	size_t n;
	double amount;
} crmf_count;

typedef struct crmf_counts {
	crmf_count *v;
	size_t n, cap;
	size_t *index, index_cap; /* private: the keys hashed, once there are many */
} crmf_counts;

/* What people did in the period: for the team, or one owner. */
typedef struct crmf_report_activity {
	size_t followups;       /* follow-ups dated in the period */
	crmf_counts by_method;  /* of those, by method */
	size_t touched;         /* customers with at least one of them */
	size_t new_customers;   /* created in the period */
	crmf_counts new_by_source;
	/* next actions whose `due` falls in the period: answered by a later
	 * follow-up on or before the due date, after it, or not (yet) */
	size_t planned, on_time, late, open;
	double adherence;       /* on_time / planned, -1 when nothing was planned */
	size_t overdue_at_end;  /* customers whose next follow-up was overdue on `until` */
	crmf_counts by_week;    /* follow-ups by ISO week of their date ("2025-W23"), in order */
} crmf_report_activity;

typedef struct crmf_report_owner {
	const char *owner; /* a team member's id */
	crmf_report_activity a;
} crmf_report_owner;

/* One step of the funnel: of the customers in `from` during the period, how many moved on. */
typedef struct crmf_report_step {
	const char *from, *to;
	size_t in_from, moved;
	double rate; /* moved / in_from, -1 when none */
} crmf_report_step;

enum { CRMF_SHARE_STAGE, CRMF_SHARE_POTENTIAL, CRMF_SHARE_GRADE, CRMF_SHARE_QUADRANT,
       CRMF_SHARE_INDUSTRY, CRMF_N_SHARES };

/* A goal of crmf.yaml over its period so far: the week, month, quarter or year
 * holding the report's last day. */
typedef struct crmf_report_goal {
	const crmf_goal *goal;  /* in the configuration */
	crmf_day since, until;  /* the goal's whole period */
	double value;           /* the figure from `since` to the report's last day */
	double elapsed;         /* the part of the period gone by, 0 to 1 */
	const char *status;     /* "met", "on track" (at least the target times elapsed),
				   "behind" (short of that, or a rate below its min while
				   the period runs), "missed" (a max exceeded, a rate
				   below its min at the period's end), "no data" */
} crmf_report_goal;

typedef struct crmf_report {
	crmf_day since, until; /* the period, both days included */
	const char *owner;     /* the owner the report is limited to, or NULL */
	crmf_report_activity team;
	/* per owner: the team's members in crmf.yaml's order (without a team,
	 * every owner and follower-up met, by name); none with an owner given */
	crmf_report_owner *owners;
	size_t n_owners;
	crmf_counts owner_names; /* private: the names of owners met */
	/* pipeline, from history */
	crmf_counts transitions; /* "lead→intent": stage changes in the period */
	crmf_report_step steps[3]; /* lead→intent, intent→negotiation, negotiation→customer */
	double median_days[CRMF_N_STAGES + 1]; /* by crmf_stage: days spent before leaving it; -1 */
	crmf_counts funnel;      /* customers by stage on `until`, in stage order */
	/* value */
	size_t deals;
	double deal_amount;
	crmf_counts deals_by_month; /* "2025-06" */
	size_t repurchases;       /* customers signing in the period who had signed before */
	size_t churned;           /* customers turned lost in the period */
	double churned_value;     /* their deals of the 365 days before */
	double churn_rate;        /* churned / customers in stage customer or at-risk at the start; -1 */
	size_t turned_dormant;    /* customers whose last contact grew too old in the period */
	size_t winback_activated; /* win-back on the day before the period, core at its end */
	/* shares on `until` and on the day before `since` */
	crmf_counts shares[CRMF_N_SHARES], before[CRMF_N_SHARES];
	size_t customers, customers_before; /* active customers counted in the shares */
	crmf_report_goal *goals; /* crmf.yaml's goals, in its order */
	size_t n_goals;
	bool history;  /* false: no commits; the pipeline figures are empty */
	size_t walked; /* commits read from git this time (the rest came from the index) */
} crmf_report;

typedef struct crmf_report_opts {
	crmf_day since, until;
	const char *owner; /* NULL: the whole team */
	/* the day the report is made: files the validation cache does not know
	 * are checked for it, as crmf check would (CRMF_NO_DAY: none) */
	crmf_day today;
} crmf_report_opts;

/**
 * Work out the report of `o`'s period from the repository's customer files
 * (active and archived) and its history (crmf_repository_changes). 0, or -1
 * with crmf_error_last(). Free with crmf_report_free.
 */
int crmf_report_build(crmf_report **out, struct crmf_repository *r, const crmf_report_opts *o);

void crmf_report_free(crmf_report *rep);

/** The names of the shares: "stage", "potential", "grade", "quadrant", "industry". */
extern const char *const crmf_share_names[CRMF_N_SHARES];

#endif
