/* SPDX-License-Identifier: MIT */
/*
 * The merge's no-loss rule as a property over generated base/ours/theirs triples: an entry that
 * either side has and the other side did not delete is in the result; an entry is gone only
 * when one side deleted it and the other left it unchanged; everything else is a conflict that
 * keeps both versions. Each generated follow-up carries a unique summary, so the oracle knows
 * what every entry is whatever the merge does with its place.
 */
#include "unit.h"

#include "crmf/merge.h"

#define MAXE 24	     /* entries in one generated list */
#define TRIPLES 6000 /* generated cases per run */

typedef struct fu {
	int token;   /* which entry: base entries 0.., added ones 100.. */
	char ver;    /* summary version: 0 base, 'o' / 't' edited by a side, 'b' the same edit on both */
	int day;     /* date: 2024-03-01 + day */
	int by, how; /* indexes into the tables below */
} fu;

typedef struct list {
	fu v[MAXE];
	int n;
} list;

static const char *const BY[] = {"zhang.wei", "li.na"};
static const char *const HOW[] = {"phone", "visit", "email", "wechat"};

/* cmocka cuts long messages: the whole case goes to stderr */
#define BAD(...)                                                                                  \
	do {                                                                                      \
		fprintf(stderr, __VA_ARGS__);                                                     \
		fputc('\n', stderr);                                                              \
		fail();                                                                           \
	} while (0)

static uint64_t rng = 0x9E3779B97F4A7C15u;
static unsigned n_clean, n_conflict, n_reordered; /* what the generated cases covered */

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void summary_of(char *out, size_t size, const fu *e)
{
	if (e->ver)
		snprintf(out, size, "s%d-%c", e->token, e->ver);
	else
		snprintf(out, size, "s%d", e->token);
}

/* The file for one list, with `indent` spaces before each '-' (0: indentless). */
static char *render(const list *l, int indent)
{
	size_t cap = 512 + (size_t)l->n * 160, len = 0;
	char *s = malloc(cap);

	len += (size_t)snprintf(s + len, cap - len,
				"id: C2024001\nname: 杭州云启科技有限公司\nstage: intent\n"
				"owner: zhang.wei\ncreated: 2024-01-15\n");
	if (l->n)
		len += (size_t)snprintf(s + len, cap - len, "followups:\n");
	for (int i = 0; i < l->n; i++) {
		char sum[32];

		summary_of(sum, sizeof(sum), &l->v[i]);
		len += (size_t)snprintf(s + len, cap - len,
					"%*s- date: 2024-%02d-%02d\n%*s  by: %s\n%*s  method: %s\n"
					"%*s  summary: %s\n",
					indent, "", 3 + l->v[i].day / 28, 1 + l->v[i].day % 28, indent,
					"", BY[l->v[i].by], indent, "", HOW[l->v[i].how], indent, "",
					sum);
	}
	return s;
}

static int find(const list *l, int token)
{
	for (int i = 0; i < l->n; i++)
		if (l->v[i].token == token)
			return i;
	return -1;
}

static void shuffle(list *l)
{
	for (int i = l->n - 1; i > 0; i--) {
		int j = (int)rnd((unsigned)i + 1);
		fu t = l->v[i];

		l->v[i] = l->v[j];
		l->v[j] = t;
	}
}

/* One side's changes to a copy of the base: any of reorder, delete, edit, append, at once. */
static void change(list *l, char side, int *next_token, const fu *shared)
{
	if (rnd(4) == 0 && l->n > 0) {
		int k = (int)rnd((unsigned)l->n);

		memmove(&l->v[k], &l->v[k + 1], sizeof(fu) * (size_t)(l->n - k - 1));
		l->n--;
	}
	if (rnd(4) == 0 && l->n > 0)
		l->v[rnd((unsigned)l->n)].ver = rnd(5) == 0 ? 'b' : side;
	switch (rnd(5)) {
	case 0:
		shuffle(l);
		break;
	case 1:
		if (l->n > 1) { /* the last one to the top */
			fu t = l->v[l->n - 1];

			memmove(&l->v[1], &l->v[0], sizeof(fu) * (size_t)(l->n - 1));
			l->v[0] = t;
		}
		break;
	case 2:
		if (l->n > 1) { /* two swapped */
			int a = (int)rnd((unsigned)l->n), b = (int)rnd((unsigned)l->n);
			fu t = l->v[a];

			l->v[a] = l->v[b];
			l->v[b] = t;
		}
		break;
	default:
		break;
	}
	for (int k = (int)rnd(3); k > 0 && l->n < MAXE - 1; k--) {
		fu e = {(*next_token)++, 0, 40 + (int)rnd(20), (int)rnd(2), (int)rnd(4)};

		if (rnd(3) == 0 && l->n > 0) /* dated like one already there */
			e.day = l->v[rnd((unsigned)l->n)].day;
		l->v[l->n++] = e;
	}
	if (shared && l->n < MAXE)
		l->v[l->n++] = *shared;
}

/* How many follow-up summaries of the result equal `sum` (a clean result reads back). */
static int count_in(const crmf_doc *d, const char *sum)
{
	const crmf_node *f = crmf_node_get(d->root, "followups");
	int c = 0;

	for (size_t i = 0; f && f->type == CRMF_NODE_SEQUENCE && i < f->n; i++) {
		const crmf_node *s = crmf_node_get(f->items[i], "summary");

		c += s && s->type == CRMF_NODE_SCALAR && strcmp(s->value, sum) == 0;
	}
	return c;
}

static int followup_count(const crmf_doc *d)
{
	const crmf_node *f = crmf_node_get(d->root, "followups");

	return f && f->type == CRMF_NODE_SEQUENCE ? (int)f->n : 0;
}

static bool in_text(const char *text, const char *sum)
{
	char line[64];

	snprintf(line, sizeof(line), "summary: %.32s\n", sum);
	return strstr(text, line) != NULL;
}

static bool same_key(const fu *a, const fu *b)
{
	return a->day == b->day && a->by == b->by && a->how == b->how;
}

/*
 * Whether a side leaves it unknowable which entry it edited: a base entry it did not keep
 * unchanged shares its date, by and method with another such entry, or with an entry the side
 * edited or added (then it may be an edit of that entry, or deleted beside a new one). The merge
 * may then ask (a conflict) where the rule alone would not.
 */
static bool ambiguous(const list *base, const list *sd)
{
	for (int i = 0; i < base->n; i++) {
		int k = find(sd, base->v[i].token), rivals = 0, cands = 0;

		if (k >= 0 && !sd->v[k].ver)
			continue;
		for (int j = 0; j < base->n; j++) {
			int kj = find(sd, base->v[j].token);

			rivals += j != i && (kj < 0 || sd->v[kj].ver) &&
				  same_key(&base->v[i], &base->v[j]);
		}
		for (int j = 0; j < sd->n; j++)
			cands += sd->v[j].token != base->v[i].token &&
				 (sd->v[j].ver || sd->v[j].token >= 99) &&
				 same_key(&base->v[i], &sd->v[j]);
		if (rivals > 0 || cands > 0)
			return true;
	}
	return false;
}

typedef struct want {
	char sum[32];
	bool must;     /* in the result */
	bool conflict; /* a conflict that keeps this version */
} want;

static void check_one(unsigned seq)
{
	list base = {0}, ours, theirs;
	int n = (int)rnd(7), next = 100, nw = 0, present = 0;
	bool expect_conflict = false;
	fu shared = {99, 0, 60, 0, 0};
	bool with_shared = rnd(12) == 0;
	want w[3 * MAXE];
	char *b, *o, *t;
	crmf_merge_result r;
	crmf_merge_opts opts = {0};
	int rc;

	for (int i = 0; i < n; i++) {
		fu e = {i, 0, i * 2, (int)rnd(2), (int)rnd(4)};

		if (i > 0 && rnd(5) == 0) { /* the same date, by and method as the one before */
			e.day = base.v[i - 1].day;
			e.by = base.v[i - 1].by;
			e.how = base.v[i - 1].how;
		}
		base.v[base.n++] = e;
	}
	ours = base;
	theirs = base;
	change(&ours, 'o', &next, with_shared ? &shared : NULL);
	change(&theirs, 't', &next, with_shared ? &shared : NULL);

	/* the oracle */
	for (int i = 0; i < base.n; i++) {
		int oi = find(&ours, i), ti = find(&theirs, i);
		char ov = oi >= 0 ? ours.v[oi].ver : 0, tv = ti >= 0 ? theirs.v[ti].ver : 0;

		if (oi >= 0 && ti >= 0) {
			if (ov == tv || !ov || !tv) {
				summary_of(w[nw].sum, sizeof(w[nw].sum), ov ? &ours.v[oi] : &theirs.v[ti]);
				w[nw].must = true;
				w[nw++].conflict = false;
				present++;
			} else {
				summary_of(w[nw].sum, sizeof(w[nw].sum), &ours.v[oi]);
				w[nw].must = true;
				w[nw++].conflict = true;
				summary_of(w[nw].sum, sizeof(w[nw].sum), &theirs.v[ti]);
				w[nw].must = true;
				w[nw++].conflict = true;
				expect_conflict = true;
			}
		} else if (oi >= 0 || ti >= 0) {
			const fu *kept = oi >= 0 ? &ours.v[oi] : &theirs.v[ti];

			summary_of(w[nw].sum, sizeof(w[nw].sum), kept);
			if (kept->ver) { /* deleted on one side, edited on the other */
				w[nw].must = true;
				w[nw++].conflict = true;
				expect_conflict = true;
			} else {
				w[nw].must = false;
				w[nw++].conflict = false;
			}
		}
	}
	for (int i = 0; i < ours.n; i++)
		if (ours.v[i].token > 99) {
			summary_of(w[nw].sum, sizeof(w[nw].sum), &ours.v[i]);
			w[nw].must = true;
			w[nw++].conflict = false;
			present++;
		}
	for (int i = 0; i < theirs.n; i++)
		if (theirs.v[i].token > 99) {
			summary_of(w[nw].sum, sizeof(w[nw].sum), &theirs.v[i]);
			w[nw].must = true;
			w[nw++].conflict = false;
			present++;
		}
	if (with_shared) {
		strcpy(w[nw].sum, "s99");
		w[nw].must = true;
		w[nw++].conflict = false;
		present++;
	}

	b = render(&base, (int)rnd(3) * 2);
	o = render(&ours, (int)rnd(3) * 2);
	t = render(&theirs, (int)rnd(3) * 2);
	opts.relpath = "customers/C2024001.yaml";
	opts.today = crmf_date_from_ymd(2025, 6, 16);
	rc = crmf_merge_file(&r, b, strlen(b), o, strlen(o), t, strlen(t), &opts);
	n_clean += rc == 0;
	n_conflict += rc == 1;
	for (int i = 1; i < ours.n; i++)
		if (ours.v[i].token < ours.v[i - 1].token || (i < theirs.n &&
							       theirs.v[i].token < theirs.v[i - 1].token)) {
			n_reordered++;
			break;
		}
	if (rc < 0)
		BAD("case %u: merge failed: %s", seq, crmf_error_last());
	if (rc == 0) {
		crmf_doc *d = NULL;
		crmf_diags diags;

		crmf_diags_init(&diags);
		if (crmf_doc_parse(&d, "merged", r.buf, r.len, &diags) != 0)
			BAD("case %u: a clean result does not parse:\n%s", seq, r.buf);
		if (expect_conflict)
			BAD("case %u: clean, but both sides changed one entry differently\n"
				 "--- base\n%s--- ours\n%s--- theirs\n%s--- result\n%s",
				 seq, b, o, t, r.buf);
		for (int i = 0; i < nw; i++) {
			int c = count_in(d, w[i].sum);

			if (c != (w[i].must ? 1 : 0))
				BAD("case %u: '%s' is in the result %d times, wanted %d\n"
					 "--- base\n%s--- ours\n%s--- theirs\n%s--- result\n%s",
					 seq, w[i].sum, c, w[i].must ? 1 : 0, b, o, t, r.buf);
		}
		if (followup_count(d) != present)
			BAD("case %u: %d follow-ups in the result, wanted %d\n%s", seq,
				 followup_count(d), present, r.buf);
		crmf_doc_free(d);
		crmf_diags_release(&diags);
	} else {
		/* a conflict: only where the oracle sees one, or where deletions empty the list */
		if (!expect_conflict && present > 0 && !ambiguous(&base, &ours) &&
		    !ambiguous(&base, &theirs))
			BAD("case %u: a conflict where there is none\n"
				 "--- base\n%s--- ours\n%s--- theirs\n%s--- result\n%s",
				 seq, b, o, t, r.buf);
		for (int i = 0; i < nw; i++)
			if (w[i].must && !in_text(r.buf, w[i].sum))
				BAD("case %u: '%s' lost in a conflict\n--- result\n%s", seq,
					 w[i].sum, r.buf);
	}
	crmf_merge_result_release(&r);
	free(b);
	free(o);
	free(t);
}

/* base [E, F], ours [E, F, G] (a crmf log), theirs [F, E]: nothing deleted, nothing lost. */
static void reorder_against_append_keeps_every_entry(void **state)
{
	list base = {{{0, 0, 0, 0, 0}, {1, 0, 2, 1, 1}}, 2}, ours = base, theirs = base;
	fu g = {100, 0, 9, 0, 2};
	char *b, *o, *t;
	crmf_merge_result r;
	crmf_merge_opts opts = {0};
	crmf_doc *d = NULL;
	crmf_diags diags;

	(void)state;
	ours.v[ours.n++] = g;
	theirs.v[0] = base.v[1];
	theirs.v[1] = base.v[0];
	b = render(&base, 2);
	o = render(&ours, 2);
	t = render(&theirs, 2);
	opts.today = crmf_date_from_ymd(2025, 6, 16);
	for (int swap = 0; swap < 2; swap++) {
		assert_int_equal(swap ? crmf_merge_file(&r, b, strlen(b), t, strlen(t), o, strlen(o),
							 &opts)
				      : crmf_merge_file(&r, b, strlen(b), o, strlen(o), t, strlen(t),
							 &opts),
				 0);
		crmf_diags_init(&diags);
		assert_int_equal(crmf_doc_parse(&d, "merged", r.buf, r.len, &diags), 0);
		crmf_diags_release(&diags);
		assert_int_equal(followup_count(d), 3);
		assert_int_equal(count_in(d, "s0"), 1);
		assert_int_equal(count_in(d, "s1"), 1);
		assert_int_equal(count_in(d, "s100"), 1);
		crmf_doc_free(d);
		d = NULL;
		crmf_merge_result_release(&r);
	}
	free(b);
	free(o);
	free(t);
}

static void generated_triples_lose_nothing(void **state)
{
	const char *seed = getenv("CRMF_MERGE_SEED");

	(void)state;
	if (seed && *seed)
		rng = strtoull(seed, NULL, 0) | 1;
	for (unsigned i = 0; i < TRIPLES; i++)
		check_one(i);
	print_message("%u triples: %u clean, %u conflicts, %u with a side reordered\n", TRIPLES,
		      n_clean, n_conflict, n_reordered);
	assert_true(n_clean > TRIPLES / 2 && n_conflict > TRIPLES / 20 && n_reordered > TRIPLES / 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reorder_against_append_keeps_every_entry),
	    cmocka_unit_test(generated_triples_lose_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
