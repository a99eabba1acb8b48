/* SPDX-License-Identifier: MIT */
/* The record of a checked file (scan.c; its layout, writing, reading and summaries in record.c), private to libcrmf. */
#ifndef CRMF_RECORD_H
#define CRMF_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "crmf/check.h"
#include "crmf/scan.h"
#include "cross.h"
#include "util.h"

/*
 * Each file becomes a "record" in the worker that checks it: the few values
 * the commands need (see crmf_summary), the keys of the cross-file checks,
 * the top-level values for `list --where`, and the file's diagnostics, in a
 * flat byte string. The document is freed at once (unless the caller keeps
 * documents), so memory does not grow with the repository. Records are
 * consumed in path order: diagnostics are reported, keys collected, the
 * record written to the new cache. A file the cache knows is not parsed:
 * its record comes from the cache.
 */

/* Bump when the record layout or what checking produces changes without a
 * version change: the cache key includes it, and the hash of the field table
 * (crmf_fields_hash), so that adding or changing a field needs no bump. */
#define REC_FORMAT "8"

enum { R_CUSTOMER = 1, R_UNSURE = 2 };

/* Writing a record. */

static inline void put(strbuf *b, const void *p, size_t n)
{
	sb_add(b, p, n);
}

static inline void put_u8(strbuf *b, uint8_t v)
{
	put(b, &v, 1);
}

static inline void put_u16(strbuf *b, size_t v)
{
	uint16_t x = v > UINT16_MAX ? UINT16_MAX : (uint16_t)v;

	put(b, &x, 2);
}

static inline void put_u32(strbuf *b, uint32_t v)
{
	put(b, &v, 4);
}

static inline void put_i32(strbuf *b, int32_t v)
{
	put(b, &v, 4);
}

static inline void put_u64(strbuf *b, uint64_t v)
{
	put(b, &v, 8);
}

static inline void put_f64(strbuf *b, double v)
{
	put(b, &v, 8);
}

/* A string: u32 length (UINT32_MAX for NULL), its bytes and a NUL. */
static inline void put_strn(strbuf *b, const char *s, size_t n)
{
	if (!s) {
		put_u32(b, UINT32_MAX);
		return;
	}
	put_u32(b, (uint32_t)n);
	put(b, s, n);
	put_u8(b, 0);
}

static inline void put_str(strbuf *b, const char *s)
{
	put_strn(b, s, s ? strlen(s) : 0);
}

/* Reading one: a bad read sets d->bad and yields zeros. */

struct dec {
	const unsigned char *p, *end;
	bool bad;
};

static inline bool get(struct dec *d, void *out, size_t n)
{
	if (d->bad || (size_t)(d->end - d->p) < n) {
		d->bad = true;
		memset(out, 0, n);
		return false;
	}
	memcpy(out, d->p, n);
	d->p += n;
	return true;
}

static inline uint8_t get_u8(struct dec *d)
{
	uint8_t v;

	get(d, &v, 1);
	return v;
}

static inline uint16_t get_u16(struct dec *d)
{
	uint16_t v;

	get(d, &v, 2);
	return v;
}

static inline uint32_t get_u32(struct dec *d)
{
	uint32_t v;

	get(d, &v, 4);
	return v;
}

static inline int32_t get_i32(struct dec *d)
{
	int32_t v;

	get(d, &v, 4);
	return v;
}

static inline uint64_t get_u64(struct dec *d)
{
	uint64_t v;

	get(d, &v, 8);
	return v;
}

static inline double get_f64(struct dec *d)
{
	double v;

	get(d, &v, 8);
	return v;
}

/* A string of the record, NUL-terminated in place; NULL for NULL or when damaged. */
static inline const char *get_str(struct dec *d, size_t *len)
{
	uint32_t n = get_u32(d);
	const char *s;

	if (len)
		*len = 0;
	if (d->bad || n == UINT32_MAX)
		return NULL;
	if ((size_t)(d->end - d->p) < (size_t)n + 1 || d->p[n] != 0) {
		d->bad = true;
		return NULL;
	}
	s = (const char *)d->p;
	d->p += (size_t)n + 1;
	if (len)
		*len = n;
	return s;
}

/* A phone of a record's list (see rec_make): its text, key and position. */
struct phone {
	const char *raw;
	crmf_cross_key key;
	int32_t line, col;
};

static inline struct phone get_phone(struct dec *d)
{
	struct phone ph;

	ph.raw = get_str(d, NULL);
	ph.key.h = get_u64(d);
	ph.key.tag = get_u32(d);
	ph.line = get_i32(d);
	ph.col = get_i32(d);
	return ph;
}

/* An email of a record's list (see rec_make): its text and position. */
struct email {
	const char *raw;
	int32_t line, col;
};

static inline struct email get_email(struct dec *d)
{
	struct email em;

	em.raw = get_str(d, NULL);
	em.line = get_i32(d);
	em.col = get_i32(d);
	return em;
}

/* The parts of a record, pointing into it. */
struct view {
	uint8_t flags;
	uint32_t errors;
	uint8_t stage, potential, grade;
	int32_t created;
	uint32_t n_followups;
	const char *id, *name, *industry, *size, *source, *owner;
	int32_t id_line, id_col, name_line, name_col;
	crmf_cross_key name_key; /* crmf_cross_company_key */
	uint32_t name_place;
	uint16_t n_deals, n_phones, n_emails;
	uint8_t n_fu;
	uint32_t n_values, n_diags;
	/* all_fu to all_fu_end: every follow-up (n_followups of them), for a
	 * summary with facts; start to head_end: the record up to the owner */
	const unsigned char *start, *head_end, *deals, *fu, *phones, *emails, *values, *all_fu,
	    *all_fu_end, *diags, *end;
	size_t values_len;
};

/** The record of checked customer `c` and its diagnostics `d`, appended to `b`. */
void rec_make(strbuf *b, const crmf_customer *c, const crmf_diags *d);

/** The span of today for which the file's "date in the future" warnings stay
 * as they are: between its latest date on or before today and its earliest
 * date after today, and the day after the owner left the team (owner-left). */
void rec_today_span(int32_t *lo, int32_t *hi, const crmf_customer *c, const crmf_config *cfg,
		    crmf_day today);

/** Parse and validate a whole record into `v`; false when it is damaged. */
bool rec_view(struct view *v, const void *rec, size_t len);

/** The bytes the summary of `v` takes, and the summary made in `block`; with
 * `facts`, every follow-up with its by, method and next (crmf_scan_opts.facts). */
size_t rec_summary_size(const struct view *v, const char *path, bool values, bool facts);
crmf_summary *rec_summary_new(const struct view *v, const char *path, bool values, bool facts,
			      char *block);

/** A diagnostic's rule read back from a record, interned for the process. */
const char *rec_intern(const char *s);

#endif
