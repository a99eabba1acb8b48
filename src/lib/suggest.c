/* SPDX-License-Identifier: MIT */
/* "Did you mean": the candidate nearest to a misspelt word, by edit distance over characters. */
#include "crmf/schema.h"

#include <stdint.h>
#include <string.h>

#define SUGGEST_MAX 64

/* Decode UTF-8 into code points; a byte that starts no valid sequence stands
 * for itself (above the Unicode range, so it never equals a real character).
 * Returns the count, or SUGGEST_MAX + 1 when the text is longer. */
static size_t decode(const char *s, uint32_t *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p) {
		uint32_t c = *p;
		int extra = c >= 0xF0 && c < 0xF5 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 && c < 0xE0 ? 1 : 0;
		int k;

		if (n == SUGGEST_MAX)
			return SUGGEST_MAX + 1;
		if (c >= 0x80 && extra == 0) {
			out[n++] = 0x110000 + c;
			p++;
			continue;
		}
		c = extra == 3 ? c & 0x07 : extra == 2 ? c & 0x0F : extra == 1 ? c & 0x1F : c;
		for (k = 1; k <= extra; k++) {
			if ((p[k] & 0xC0) != 0x80)
				break;
			c = (c << 6) | (p[k] & 0x3F);
		}
		if (k <= extra) {
			out[n++] = 0x110000 + *p;
			p++;
			continue;
		}
		out[n++] = c;
		p += extra + 1;
	}
	return n;
}

/* Optimal-string-alignment distance (Damerau-Levenshtein where a transposed
 * pair is not edited again), on three rolling rows. */
static int distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	int rows[3][SUGGEST_MAX + 1];
	int *pp = rows[0], *prev = rows[1], *cur = rows[2];

	for (size_t j = 0; j <= nb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= na; i++) {
		int *t;

		cur[0] = (int)i;
		for (size_t j = 1; j <= nb; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = prev[j] + 1;

			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			cur[j] = v;
		}
		t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[nb];
}

const char *crmf_suggest(const char *word, const char *const *candidates, size_t n)
{
	uint32_t w[SUGGEST_MAX], c[SUGGEST_MAX];
	size_t nw;
	int limit, best_d = INT32_MAX;
	const char *best = NULL;

	if (!word || !*word)
		return NULL;
	nw = decode(word, w);
	if (nw > SUGGEST_MAX)
		return NULL;
	limit = nw >= 9 ? 3 : nw >= 5 ? 2 : 1;
	for (size_t i = 0; i < n; i++) {
		const char *cand = candidates[i];
		bool prefix;
		size_t nc;
		int d, gap;

		if (!cand)
			continue;
		nc = decode(cand, c);
		if (nc > SUGGEST_MAX)
			continue;
		prefix = nc >= nw && memcmp(c, w, nw * sizeof(*w)) == 0;
		gap = nc > nw ? (int)(nc - nw) : (int)(nw - nc);
		if (!prefix && gap > limit)
			continue;
		d = distance(w, nw, c, nc);
		/* an edit that rewrites the whole word is no typo ('D' is not 'A') */
		if (!prefix && (d > limit || (size_t)d >= (nw > nc ? nw : nc)))
			continue;
		if (d < best_d) {
			best_d = d;
			best = cand;
		}
	}
	return best;
}

