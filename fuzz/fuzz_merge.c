/* SPDX-License-Identifier: MIT */
/* Fuzz harness: the merge driver against the no-loss rule, on generated follow-up histories. */
#include <stdbool.h>
#include <string.h>

#include "crmf/doc.h"
#include "crmf/merge.h"
#include "fuzz.h"

/*
 * The input is a small program. Its first byte: bits 0-2 give the number of
 * follow-ups in BASE (1 + n % 6); bit 3 gives them all the same date, author
 * and method (so only their summaries tell them apart); bit 4 writes THEIRS
 * with CRLF line ends. Each following byte
 * is an operation on OURS, until a byte 0x07 switches to THEIRS:
 *   op = byte & 7, a = byte >> 3 (and b, the next byte, where needed)
 *   0 move entry a % n to place b % n   1 append a new entry
 *   2 delete entry a % n                3 edit entry a % n (its summary; when
 *                                         a >= 16 its date too, to another year)
 *   4 swap entries a % n and b % n      5 append the shared entry c(a % 3)
 *   6 reverse the list                  7 now THEIRS
 * Every entry has a unique summary (b3, n5o, c1; an edit adds the side's
 * letter: b3 -> b3o), so each entry's identity is known from generation.
 * With the three files rendered as YAML, crmf_merge_file must keep the rule
 * of issue 11: an entry that either side has and the other did not delete is
 * in the result; an entry is gone only when one side deleted it and the
 * other left it unchanged; everything else is a conflict that keeps both.
 * So a clean result holds exactly the entries ours and theirs both have,
 * those either side added, none that either side dropped from BASE, each
 * once; a conflict holds at least every entry the rule keeps.
 *
 * An input that starts with 'R' is three raw files instead, split at NUL
 * bytes, merged only to look for crashes.
 *
 * CRMF_FUZZ_NO_MOVES=1 in the environment skips the operations that move
 * entries (0, 4, 6): to look for bugs other than those of reordering.
 */

#define MAX_ENTRIES 64

typedef struct entry {
	char tok[16];
	int year;       /* 2024; 2022 or 2023 after an edit of the date on ours or theirs */
	int month, day; /* BASE's in January, added ones from March, shared in December */
	int by, method;
} entry;

typedef struct side {
	entry v[MAX_ENTRIES];
	size_t n;
} side;

static const char *const people[] = {"zhang.wei", "li.na", "wang.fang"};
static const char *const methods[] = {"phone", "visit", "email"};

#define HEAD                                                                                      \
	"# a comment\n"                                                                           \
	"id: C2024001\n"                                                                          \
	"name: 杭州云启科技有限公司\n"                                                            \
	"industry: IT服务/云计算\n"                                                               \
	"size: 50-200\n"                                                                          \
	"source: 展会\n"                                                                          \
	"created: 2024-01-01\n"                                                                   \
	"owner: zhang.wei\n"                                                                      \
	"stage: intent\n"                                                                         \
	"contacts:\n"                                                                             \
	"  - name: 张伟\n"                                                                        \
	"    phone: \"+86 138 0013 8000\"\n"

static char *render(const side *s, bool crlf, size_t *len)
{
	size_t cap = sizeof(HEAD) + 32 + s->n * 160, n, lines = 0;
	char *buf = malloc(cap), *out;

	if (!buf)
		abort();
	n = (size_t)snprintf(buf, cap, "%s%s", HEAD, s->n ? "followups:\n" : "followups: []\n");
	for (size_t i = 0; i < s->n; i++) {
		const entry *e = &s->v[i];

		n += (size_t)snprintf(buf + n, cap - n,
				      "  - date: %d-%02d-%02d\n"
				      "    by: %s\n"
				      "    method: %s\n"
				      "    summary: %s\n",
				      e->year, e->month, e->day, people[e->by], methods[e->method],
				      e->tok);
	}
	*len = n;
	if (!crlf)
		return buf;
	for (size_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	out = malloc(n + lines + 1);
	if (!out)
		abort();
	*len = 0;
	for (size_t i = 0; i <= n; i++) {
		if (buf[i] == '\n')
			out[(*len)++] = '\r';
		out[(*len)++] = buf[i];
	}
	(*len)--; /* the NUL */
	free(buf);
	return out;
}

static long find(const side *s, const char *tok)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].tok, tok))
			return (long)i;
	return -1;
}

static void apply(side *s, char letter, const uint8_t **p, const uint8_t *end, int *added,
		  bool same_id)
{
	static int no_moves = -1;
	uint8_t c = *(*p)++;
	unsigned a = c >> 3, b = *p < end ? **p : 0;
	entry t;

	if (no_moves < 0)
		no_moves = getenv("CRMF_FUZZ_NO_MOVES") && !strcmp(getenv("CRMF_FUZZ_NO_MOVES"), "1");
	if (no_moves && ((c & 7) == 0 || (c & 7) == 4 || (c & 7) == 6)) {
		if ((c & 7) != 6 && *p < end)
			(*p)++;
		return;
	}

	switch (c & 7) {
	case 0:
	case 4:
		if (*p < end)
			(*p)++;
		if (s->n < 2)
			return;
		a %= s->n;
		b %= s->n;
		t = s->v[a];
		if ((c & 7) == 4) {
			s->v[a] = s->v[b];
			s->v[b] = t;
			return;
		}
		memmove(&s->v[a], &s->v[a + 1], (s->n - a - 1) * sizeof(entry));
		memmove(&s->v[b + 1], &s->v[b], (s->n - 1 - b) * sizeof(entry));
		s->v[b] = t;
		return;
	case 1:
	case 5:
		if (s->n == MAX_ENTRIES)
			return;
		memset(&t, 0, sizeof(t));
		t.year = 2024;
		if ((c & 7) == 1) {
			if (*added == 8 * 28)
				return;
			++*added;
			snprintf(t.tok, sizeof(t.tok), "n%d%c", *added, letter);
			t.month = 3 + (*added - 1) / 28;
			t.day = (*added - 1) % 28 + 1;
			t.by = *added % 3;
			t.method = (*added / 3) % 3;
		} else {
			snprintf(t.tok, sizeof(t.tok), "c%u", a % 3);
			for (size_t i = 0; i < s->n; i++)
				if (!strncmp(s->v[i].tok, t.tok, 2))
					return; /* there already, maybe edited: once per side */
			t.month = 12;
			t.day = (int)(a % 3) + 1;
			t.by = (int)(a % 3);
			t.method = 1;
		}
		if (same_id) {
			t.month = 1;
			t.day = 1;
			t.by = 0;
			t.method = 0;
		}
		s->v[s->n++] = t;
		return;
	case 2:
		if (!s->n)
			return;
		a %= s->n;
		memmove(&s->v[a], &s->v[a + 1], (s->n - a - 1) * sizeof(entry));
		s->n--;
		return;
	case 3: {
		size_t l;

		if (!s->n)
			return;
		a %= s->n;
		l = strlen(s->v[a].tok);
		if (s->v[a].tok[l - 1] == letter || l + 2 > sizeof(s->v[a].tok))
			return;
		s->v[a].tok[l] = letter;
		s->v[a].tok[l + 1] = '\0';
		if ((c >> 3) >= 16)
			s->v[a].year = letter == 'o' ? 2022 : 2023;
		return;
	}
	case 6:
		for (size_t i = 0; i < s->n / 2; i++) {
			t = s->v[i];
			s->v[i] = s->v[s->n - 1 - i];
			s->v[s->n - 1 - i] = t;
		}
		return;
	}
}

/* The summaries of the result's follow-ups, or -1 when it does not parse as such. */
static long result_tokens(char (*out)[16], size_t max, const char *buf, size_t len)
{
	crmf_diags diags;
	crmf_doc *doc = NULL;
	const crmf_node *fs;
	long n = -1;

	crmf_diags_init(&diags);
	if (crmf_doc_parse(&doc, "merged.yaml", buf, len, &diags) != 0)
		goto done;
	fs = crmf_node_get(doc->root, "followups");
	if (!fs || fs->type != CRMF_NODE_SEQUENCE || fs->n > max)
		goto done;
	for (size_t i = 0; i < fs->n; i++) {
		const crmf_node *s = crmf_node_get(fs->items[i], "summary");

		if (!s || s->type != CRMF_NODE_SCALAR || s->len >= 16)
			goto done;
		memcpy(out[i], s->value, s->len + 1);
	}
	n = (long)fs->n;
done:
	crmf_doc_free(doc);
	crmf_diags_release(&diags);
	return n;
}

static bool in_text(const char *buf, const char *tok)
{
	char pat[32];
	size_t l = (size_t)snprintf(pat, sizeof(pat), "summary: %s", tok);

	for (const char *p = strstr(buf, pat); p; p = strstr(p + 1, pat))
		if (p[l] == '\n' || p[l] == '\r')
			return true;
	return false;
}

static void describe(const char *what, const side *s)
{
	fprintf(stderr, "%s:", what);
	for (size_t i = 0; i < s->n; i++)
		fprintf(stderr, " %s", s->v[i].tok);
	fputc('\n', stderr);
}

static void structured(const uint8_t *data, size_t size)
{
	static side base, ours, theirs;
	static char got[MAX_ENTRIES * 3][16];
	const uint8_t *p = data + 1, *end = data + size;
	bool same_id = data[0] & 8;
	int added = 0;
	char *bb, *ob, *tb;
	size_t bl, ol, tl;
	crmf_merge_result r;
	crmf_merge_opts opts = {0};
	side *cur = &ours;
	int rc;

	base.n = 1 + (data[0] & 7) % 6;
	for (size_t i = 0; i < base.n; i++) {
		entry *e = &base.v[i];

		snprintf(e->tok, sizeof(e->tok), "b%d", (int)i);
		e->year = 2024;
		e->month = 1;
		e->day = same_id ? 1 : (int)i + 1;
		e->by = same_id ? 0 : (int)i % 3;
		e->method = same_id ? 0 : (int)(i / 3) % 3;
	}
	ours = base;
	theirs = base;
	while (p < end) {
		if (*p == 7 && cur == &ours) {
			cur = &theirs;
			p++;
			continue;
		}
		apply(cur, cur == &ours ? 'o' : 't', &p, end, &added, same_id);
	}
	bb = render(&base, false, &bl);
	ob = render(&ours, false, &ol);
	tb = render(&theirs, data[0] & 16, &tl);
	opts.relpath = "customers/C2024001.yaml";
	opts.today = crmf_date_from_ymd(2025, 1, 1);
	rc = crmf_merge_file(&r, bb, bl, ob, ol, tb, tl, &opts);
	FUZZ_ASSERT(rc == 0 || rc == 1, "merge returned %d: %s", rc, crmf_error_last());
	FUZZ_ASSERT(r.buf && strlen(r.buf) == r.len, "a result");

	/* what the rule keeps, what it drops */
	const side *sides[2] = {&ours, &theirs};
	for (int s = 0; s < 2; s++) {
		const side *me = sides[s], *other = sides[1 - s];

		for (size_t i = 0; i < me->n; i++) {
			const char *tok = me->v[i].tok;
			bool in_base = find(&base, tok) >= 0, in_other = find(other, tok) >= 0;
			bool must = in_other || !in_base;

			if (rc == 1 && must && !in_text(r.buf, tok)) {
				describe("base", &base);
				describe("ours", &ours);
				describe("theirs", &theirs);
				FUZZ_ASSERT(0, "conflict without entry '%s':\n%s", tok, r.buf);
			}
		}
	}
	if (rc == 0) {
		long n = result_tokens(got, MAX_ENTRIES * 3, r.buf, r.len);
		bool bad = n < 0;
		const char *why = "the clean result does not parse as follow-ups";
		char tok[16] = "";

		for (int s = 0; s < 2 && !bad; s++) {
			const side *me = sides[s], *other = sides[1 - s];

			for (size_t i = 0; i < me->n && !bad; i++) {
				bool in_base = find(&base, me->v[i].tok) >= 0;
				bool in_other = find(other, me->v[i].tok) >= 0;
				bool must = in_other || !in_base, seen = false;

				for (long j = 0; j < n; j++)
					seen |= !strcmp(got[j], me->v[i].tok);
				if (must && !seen) {
					bad = true;
					why = "an entry that must stay is lost";
				} else if (!must && seen) {
					bad = true;
					why = "an entry one side deleted (the other left it as it was) "
					      "is back";
				}
				if (bad)
					snprintf(tok, sizeof(tok), "%s", me->v[i].tok);
			}
		}
		for (long j = 0; j < n && !bad; j++) {
			snprintf(tok, sizeof(tok), "%s", got[j]);
			if (find(&ours, got[j]) < 0 && find(&theirs, got[j]) < 0) {
				bad = true;
				why = "an entry neither side has (deleted or edited on both) is back";
			}
			for (long k = 0; k < j && !bad; k++)
				if (!strcmp(got[j], got[k])) {
					bad = true;
					why = "an entry is there twice";
				}
		}
		if (bad) {
			describe("base", &base);
			describe("ours", &ours);
			describe("theirs", &theirs);
			FUZZ_ASSERT(0, "clean merge: %s: '%s'; result:\n%s", why, tok, r.buf);
		}
	}
	crmf_merge_result_release(&r);
	free(bb);
	free(ob);
	free(tb);
}

static void raw(const uint8_t *data, size_t size)
{
	const char *part[3] = {"", "", ""};
	size_t len[3] = {0, 0, 0}, k = 0;
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	crmf_merge_result r;
	crmf_merge_opts opts = {0};
	int rc;

	while (k < 3) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));

		part[k] = p;
		len[k] = (size_t)((nul ? nul : end) - p);
		k++;
		if (!nul)
			break;
		p = nul + 1;
	}
	opts.today = crmf_date_from_ymd(2024, 12, 31);
	rc = crmf_merge_file(&r, part[0], len[0], part[1], len[1], part[2], len[2], &opts);
	FUZZ_ASSERT(rc == 0 || rc == 1, "merge returned %d: %s", rc, crmf_error_last());
	FUZZ_ASSERT(r.buf && strlen(r.buf) <= r.len, "a result");
	crmf_merge_result_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] == 'R')
		raw(data, size);
	else
		structured(data, size);
	return 0;
}
