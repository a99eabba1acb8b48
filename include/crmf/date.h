/* SPDX-License-Identifier: MIT */
/* Calendar dates as day numbers, strict ISO parsing and durations. */
#ifndef CRMF_DATE_H
#define CRMF_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Days since 1970-01-01 (proleptic Gregorian). */
typedef int32_t crmf_day;

/** "No date": smaller than every real date. */
#define CRMF_NO_DAY INT32_MIN

/** Longest duration accepted, in days (about 10,000 years): a day number plus
 * a duration never overflows. */
#define CRMF_DURATION_MAX 3660000

/** Parse exactly "YYYY-MM-DD" (a real calendar date, year 1900-9999) into *out;
 * 0 or -1 (then *out is CRMF_NO_DAY). */
int crmf_date_parse(crmf_day *out, const char *s, size_t len);

/** Parse "YYYY-MM-DD" or "YYYY-MM-DD HH:MM" (00:00-23:59) into *day and
 * *minute (-1 when no time); 0 or -1 (then *day is CRMF_NO_DAY). */
int crmf_datetime_parse(crmf_day *day, int *minute, const char *s, size_t len);

/** Day number of a valid y-m-d. */
crmf_day crmf_date_from_ymd(int y, int m, int d);

/** Split a day number into year, month, day. */
void crmf_date_to_ymd(crmf_day day, int *y, int *m, int *d);

/** Write "YYYY-MM-DD" (11 bytes with the NUL) into buf. */
void crmf_date_format(crmf_day day, char buf[11]);

/** The ISO 8601 week of a day: *year (the week-numbering year, which differs
 * from the calendar year around New Year: 2024-12-30 is in 2025-W01) and
 * *week (1 to 53; weeks start on Monday, week 1 holds the year's first
 * Thursday). */
void crmf_date_iso_week(crmf_day day, int *year, int *week);

/** Today in local time (TZ is honoured). */
crmf_day crmf_date_today(void);

/** Parse a duration "90d", "2w" or "90" (days) into days; 0 or -1 (signs,
 * spaces, other units and more than CRMF_DURATION_MAX days are rejected). */
int crmf_duration_parse(int *days, const char *s, size_t len);

#endif
