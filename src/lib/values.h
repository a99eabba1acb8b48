/* SPDX-License-Identifier: MIT */
/* The syntax of values customers hold, apart from any file: numbers, phones,
 * summaries, company names; private to libcrmf (values.c; used by check.c and cross.c). */
#ifndef CRMF_VALUES_H
#define CRMF_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "util.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static inline bool ascii_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Does s[0..len) start (end) with `p`? *plen is strlen(p). */
static inline bool has_prefix(const char *s, size_t len, const char *p, size_t *plen)
{
	*plen = strlen(p);
	return len >= *plen && memcmp(s, p, *plen) == 0;
}

static inline bool has_suffix(const char *s, size_t len, const char *p, size_t *plen)
{
	*plen = strlen(p);
	return len >= *plen && memcmp(s + len - *plen, p, *plen) == 0;
}

/** Parse a plain decimal number ("500000", "-1.5", "2e6") without locale
 * surprises; 0 or -1. The value may be infinite (too many digits): callers
 * check the range. *places is how many decimals the value has once trailing
 * zeros are dropped ("12.340" 2, "1.5e6" 0, "2e-400" 400). */
int crmf_number_parse_places(double *out, int *places, const char *s, size_t len);
int crmf_number_parse(double *out, const char *s, size_t len);

/** What a number written the way people write amounts ("50万", "500,000",
 * "¥1.2亿") means, so that an error can say what to write; 0 or -1. */
int crmf_number_guess(double *out, const char *s, size_t len);

/** True when a follow-up's summary says that contact happened but not what
 * was said ("已沟通", "called"), or says nothing. */
bool crmf_summary_vague(const char *s, size_t len);

/** The normalised company name of s[0..len) (as crmf_normalize_company) into
 * `out`, which has room for len + 1 bytes; returns its length. */
size_t crmf_company_key_text(char *out, const char *s, size_t len);

/** The digits identifying phone `s` across ways of writing it into `out`
 * (room for 21); returns their count, 0 when it is no phone number. */
size_t crmf_phone_key_text(char *out, const char *s);

/** Whether a code point is left out of the keys of names and summaries:
 * punctuation, separators, controls, format characters and symbols. */
bool crmf_cp_dropped(int32_t cp);

#endif
