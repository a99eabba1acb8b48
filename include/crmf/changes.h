/* SPDX-License-Identifier: MIT */
/* What changed when: the customers' tracked fields commit by commit, kept in an index under .git/crmf/. */
#ifndef CRMF_CHANGES_H
#define CRMF_CHANGES_H

#include <stddef.h>

#include "crmf/date.h"

struct crmf_repository;

/*
 * Every change of a customer's stage, owner, potential or grade, every
 * customer created, archived, restored or removed, in the commits reachable
 * from HEAD, oldest first. A commit's changes are those against its first
 * parent; a merge's only where the file differs from every parent (what a
 * side brought is counted in that side's own commits). The values come from
 * the files as committed, so a change typed by hand and committed with git
 * counts like one made by crmf.
 *
 * Walking history is the cost (100,000 customers and 200,000 commits), so
 * the events are kept in .git/crmf/changes, as git keeps its commit-graph:
 * written with the HEAD it covers and a checksum; read when it is an
 * ancestor of HEAD and only the new commits are walked; rebuilt when
 * history was rewritten, when it is corrupt, cut short, of another version
 * or machine. When it covers HEAD it is read without starting libgit2.
 * Nothing of the user's changes: losing it costs one walk. It also names,
 * for crmf history, the commits that changed each customer's file.
 */

typedef enum {
	CRMF_CHANGE_CREATED,   /* the file appeared (to: its stage) */
	CRMF_CHANGE_STAGE,     /* from → to */
	CRMF_CHANGE_OWNER,
	CRMF_CHANGE_POTENTIAL,
	CRMF_CHANGE_GRADE,
	CRMF_CHANGE_ARCHIVED,  /* moved to archive/ */
	CRMF_CHANGE_RESTORED,  /* moved back to customers/ */
	CRMF_CHANGE_REMOVED,   /* the file went away (merged into another, deleted) */
} crmf_change_kind;

typedef struct crmf_change_event {
	long long time;        /* the commit's author time, seconds since the epoch */
	crmf_day day;          /* its day in the author's time zone */
	crmf_change_kind kind;
	const char *id;        /* the customer's id (its file name) */
	const char *author;    /* the author's email */
	const char *from, *to; /* values; NULL when absent */
} crmf_change_event;

typedef struct crmf_changes crmf_changes;

/**
 * The events of the repository's history, from the index (brought up to date
 * with HEAD, and written back when it changed; a read-only .git is no error).
 * *out belongs to the repository handle. 0, or -1 with crmf_error_last().
 * `stats` (may be NULL) receives how many commits were walked this time.
 */
int crmf_repository_changes(const crmf_changes **out, size_t *walked, struct crmf_repository *r);

/** The events, oldest first (by commit order: a commit after its parents). */
size_t crmf_changes_events(const crmf_change_event **v, const crmf_changes *ch);

/** The name of a kind: "created", "stage", …, "removed". */
const char *crmf_change_kind_name(crmf_change_kind k);

#endif
