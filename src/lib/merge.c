/* SPDX-License-Identifier: MIT */
/* Three-way merge of customer files on their structure, written as splices on our side's bytes. */
#include "crmf/merge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crmf/check.h"
#include "crmf/doc.h"
#include "merge_private.h"

/* ---- the merge ---- */

static int merge_map(merger *M, const crmf_node *bm, const crmf_node *om, const crmf_node *tm,
		     size_t depth);
static int merge_list(merger *M, const crmf_node *bs, const crmf_node *os, const crmf_node *ts,
		      enum list_kind kind);
static bool align(size_t *out, const crmf_node *bs, const crmf_node *ss, enum list_kind kind);
static bool their_item_lines(merger *M, strbuf *sb, const crmf_node *ts, const crmf_node *t,
			     size_t col);

static void path_key(merger *M, const char *key)
{
	if (M->path.len)
		sb_addc(&M->path, '.');
	sb_adds(&M->path, key);
}

static void path_cut(merger *M, size_t len)
{
	M->path.len = len;
	if (M->path.buf)
		M->path.buf[len] = '\0';
}

static bool block_map(const crmf_node *n)
{
	return n && n->type == CRMF_NODE_MAPPING && n->style == CRMF_STYLE_BLOCK && n->n > 0;
}

/*
 * Both sides changed one value differently (or added it differently): merge
 * inside it when it is a mapping or a list on all sides, else mark the
 * conflict around our entry.
 */
static int merge_inside(merger *M, const crmf_node *b, const crmf_node *o, const crmf_node *t,
			const entry *oe, const entry *te, enum list_kind kind, size_t depth)
{
	mark m = mg_checkpoint(M);

	if (o->type == t->type && (!b || b->type == o->type || crmf_node_is_null(b))) {
		const crmf_node *bb = b && !crmf_node_is_null(b) ? b : NULL;

		if (o->type == CRMF_NODE_MAPPING && merge_map(M, bb, o, t, depth + 1) == 0)
			return 0;
		mg_rollback(M, m);
		if (o->type == CRMF_NODE_SEQUENCE && merge_list(M, bb, o, t, kind) == 0)
			return 0;
		mg_rollback(M, m);
	}
	return mg_conflict(M, oe, 0, 0, o, te, t);
}

/*
 * What a side `ss` of base list `bs` holds beyond base entries it left unchanged, when the other
 * side deleted the whole list: the number of entries it added (their indexes set in `news`,
 * when given, sized ss->n), or -1 when it edited an entry of the base (a conflict).
 */
static int list_news(const crmf_node *bs, const crmf_node *ss, enum list_kind kind, bool *news)
{
	size_t *m = xcalloc(bs->n + 1, sizeof(*m));
	bool *paired = xcalloc(ss->n + 1, sizeof(*paired));
	int count = 0;

	if (!align(m, bs, ss, kind))
		count = -1;
	for (size_t i = 0; count >= 0 && i < bs->n; i++)
		if (m[i] != SIZE_MAX) {
			paired[m[i]] = true;
			if (!mg_same(bs->items[i], ss->items[m[i]]))
				count = -1;
		}
	for (size_t j = 0; count >= 0 && j < ss->n; j++) {
		if (news)
			news[j] = !paired[j];
		count += !paired[j];
	}
	free(m);
	free(paired);
	return count;
}

/*
 * We deleted a whole list `tp` of theirs that was `bs` in the base: their key with just the
 * entries they added, at `pos` for column `col`. 1 when there is nothing to add, -1 when it
 * cannot be done this way (they edited a base entry, a flow list).
 */
static int insert_their_news(merger *M, const crmf_node *bs, const crmf_pair *tp, size_t pos,
			     size_t col, enum list_kind kind)
{
	const crmf_node *ts = tp->value;
	bool *news;
	strbuf sb = STRBUF_INIT;
	entry te = mg_pair_entry(&M->t, tp), ie;
	int n;

	if (bs->type != CRMF_NODE_SEQUENCE || ts->type != CRMF_NODE_SEQUENCE)
		return -1;
	news = xcalloc(ts->n + 1, sizeof(*news));
	n = list_news(bs, ts, kind, news);
	if (n <= 0) {
		free(news);
		return n == 0 ? 1 : -1;
	}
	if (ts->style != CRMF_STYLE_BLOCK || !te.at_line || !mg_item_entry(&ie, &M->t, ts->items[0]) ||
	    ie.col < te.col) {
		free(news);
		return -1;
	}
	if (pos == M->o.len && pos > 0 && M->o.s[pos - 1] != '\n')
		mg_add_eol(M, &sb);
	mg_add_spaces(&sb, col);
	mg_add_line(M, &sb, M->t.s + te.start + te.col, mg_next_line(&M->t, tp->key->start) -
						     (te.start + te.col) - 1);
	for (size_t j = 0; j < ts->n; j++)
		if (news[j] && !their_item_lines(M, &sb, ts, ts->items[j], col + ie.col - te.col)) {
			free(news);
			sb_release(&sb);
			return -1;
		}
	free(news);
	mg_add_splice(M, pos, 0, &sb);
	return 0;
}

/*
 * One entry present on our side (`o`, at `oe`) against the base and theirs
 * (either may be NULL). Shared by mapping pairs and list items.
 */
static int merge_entry(merger *M, const crmf_node *b, const entry *be, const crmf_node *o,
		       const entry *oe, const crmf_node *t, const entry *te, enum list_kind kind,
		       size_t depth)
{
	if (t) {
		if (mg_same(o, t)) {
			/* equal records; take their lines when only they touched the entry's bytes
			 * (a comment) */
			if (te && be && mg_same(b, o) && mg_bytes_eq(&M->o, oe, &M->b, be) &&
			    !mg_bytes_eq(&M->t, te, &M->b, be))
				return mg_replace_entry(M, oe, te);
			return 0;
		}
		if (!te)
			return mg_same(b, t) ? 0 : -1; /* their lines cannot be taken */
		if (b && mg_same(b, o)) {
			if (!(be && mg_bytes_eq(&M->o, oe, &M->b, be)) && mg_replace_scalar(M, o, t))
				return 0;
			return mg_replace_entry(M, oe, te);
		}
		if (b && mg_same(b, t))
			return 0;
		return merge_inside(M, b, o, t, oe, te, kind, depth);
	}
	if (!b)
		return 0; /* we added it */
	if (mg_same(b, o))
		return mg_delete_entry(M, oe); /* they deleted it */
	if (b->type == CRMF_NODE_SEQUENCE && o->type == CRMF_NODE_SEQUENCE) {
		/* they deleted a whole list we changed: what we added or edited stays (or
		 * conflicts), what they deleted and we left alone goes */
		crmf_node none;
		mark m = mg_checkpoint(M);
		int added;

		memset(&none, 0, sizeof(none));
		none.type = CRMF_NODE_SEQUENCE;
		none.style = CRMF_STYLE_BLOCK;
		added = list_news(b, o, kind, NULL);
		if (added == 0)
			return mg_delete_entry(M, oe);
		if (added > 0 && merge_list(M, b, o, &none, kind) == 0)
			return 0;
		mg_rollback(M, m);
	}
	return mg_conflict(M, oe, 0, 0, o, NULL, NULL);
}

static int merge_map(merger *M, const crmf_node *bm, const crmf_node *om, const crmf_node *tm,
		     size_t depth)
{
	size_t keep = M->path.len;
	bool base_block = bm && bm->type == CRMF_NODE_MAPPING && bm->style == CRMF_STYLE_BLOCK;

	if (!block_map(om) || !block_map(tm) || (bm && bm->type != CRMF_NODE_MAPPING))
		return -1;
	for (size_t i = 0; i < om->n; i++) {
		const crmf_pair *op = &om->pairs[i];
		const char *key = op->key->value;
		const crmf_pair *bp = bm ? crmf_node_pair(bm, key) : NULL;
		const crmf_pair *tp = crmf_node_pair(tm, key);
		entry oe = mg_pair_entry(&M->o, op), te = {0, 0, 0, false}, be = te;
		int rc;

		if (tp)
			te = mg_pair_entry(&M->t, tp);
		if (bp && base_block)
			be = mg_pair_entry(&M->b, bp);
		path_key(M, key);
		rc = merge_entry(M, bp ? bp->value : NULL, bp && base_block ? &be : NULL, op->value,
				 &oe, tp ? tp->value : NULL, tp ? &te : NULL, mg_kind_of(key, depth),
				 depth);
		path_cut(M, keep);
		if (rc < 0)
			return -1;
	}
	for (size_t j = 0; j < tm->n; j++) {
		const crmf_pair *tp = &tm->pairs[j];
		const char *key = tp->key->value;
		const crmf_pair *bp;
		entry te, first;
		size_t pos = SIZE_MAX, col = 0;
		int rc;

		if (crmf_node_pair(om, key))
			continue;
		bp = bm ? crmf_node_pair(bm, key) : NULL;
		if (bp && mg_same(bp->value, tp->value))
			continue; /* we deleted it, they left it alone */
		te = mg_pair_entry(&M->t, tp);
		/* after our entry of the nearest key before it on their side */
		for (size_t k = j; k-- > 0 && pos == SIZE_MAX;) {
			const crmf_pair *prev = crmf_node_pair(om, tm->pairs[k].key->value);

			if (prev) {
				entry pe = mg_pair_entry(&M->o, prev);

				pos = pe.end;
				col = pe.col;
			}
		}
		if (pos == SIZE_MAX) {
			first = mg_pair_entry(&M->o, &om->pairs[0]);
			pos = first.at_line ? first.start : first.end;
			col = first.col;
		}
		path_key(M, key);
		if (!bp)
			rc = mg_insert_entry(M, pos, col, &te); /* they added it */
		else if ((rc = insert_their_news(M, bp->value, tp, pos, col,
						 mg_kind_of(key, depth))) >= 0)
			rc = 0; /* we deleted a list they added to */
		else
			rc = mg_conflict(M, NULL, pos, col, NULL, &te, tp->value);
		path_cut(M, keep);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * Whether edited base entry i could be one of several: two base entries not found unchanged
 * share its identity, or two side entries could be it. Pairing it by guess could merge one
 * side's edit into another entry, so the caller marks the whole list instead.
 */
static bool ambiguous(const size_t *out, const bool *used, const crmf_node *bs,
		      const crmf_node *ss, size_t i, enum list_kind kind)
{
	size_t rivals = 0;

	if (kind == L_GENERIC)
		return false; /* identity is the whole value: nothing is left to pair */
	for (size_t k = 0; k < bs->n && rivals == 0; k++)
		rivals += k != i && out[k] == SIZE_MAX && mg_ident_eq(kind, bs->items[i], bs->items[k]);
	for (size_t j = 0, cand = 0; j < ss->n && rivals == 0; j++)
		if (!used[j] && mg_ident_eq(kind, bs->items[i], ss->items[j]) && ++cand > 1)
			rivals++;
	return rivals > 0;
}

/*
 * Pair each base entry with the same entry on a side: out[i] is the side's index of base entry
 * i, or SIZE_MAX when the side deleted it. Entries are paired by what they are, never by where
 * they stand (a side that only reorders a list deletes nothing): first entries left unchanged
 * (equal values: at the same index, else the earliest unpaired), then edited ones (equal
 * identity: follow-ups on date, by and method), each side entry paired at most once. False when
 * the lists are too long to compare, or when an edited entry cannot be told from another with the
 * same identity.
 */
static bool align(size_t *out, const crmf_node *bs, const crmf_node *ss, enum list_kind kind)
{
	size_t nb = bs ? bs->n : 0, ns = ss->n;
	bool *used;

	if (nb != 0 && ns > ALIGN_MAX / nb)
		return false;
	used = xcalloc(ns + 1, sizeof(*used));
	for (size_t i = 0; i < nb; i++) {
		out[i] = SIZE_MAX;
		if (i < ns && mg_same(bs->items[i], ss->items[i])) {
			out[i] = i;
			used[i] = true;
		}
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < nb; i++) {
			const crmf_node *b = bs->items[i];

			if (out[i] != SIZE_MAX)
				continue;
			if (pass == 1 && ambiguous(out, used, bs, ss, i, kind)) {
				free(used);
				return false;
			}
			if (pass == 1 && i < ns && !used[i] && mg_ident_eq(kind, b, ss->items[i])) {
				out[i] = i;
				used[i] = true;
				continue;
			}
			for (size_t j = 0; j < ns; j++)
				if (!used[j] && (pass == 0 ? mg_same(b, ss->items[j])
							   : mg_ident_eq(kind, b, ss->items[j]))) {
					out[i] = j;
					used[j] = true;
					break;
				}
		}
	free(used);
	return true;
}

static bool single_line(const crmf_node *n)
{
	return n->line == n->end_line && n->end > n->start;
}

/* Lists written `[a, b]` on our side: merged entry by entry, written back whole. */
static int merge_flow_list(merger *M, const crmf_node *bs, const crmf_node *os, const crmf_node *ts,
			   const size_t *ob, const size_t *tb, const size_t *mt,
			   enum list_kind kind)
{
	strbuf sb = STRBUF_INIT;
	size_t count = 0;

	(void)kind;
	sb_addc(&sb, '[');
	for (size_t j = 0; j < os->n; j++) {
		const crmf_node *o = os->items[j], *pick = o;
		const side *from = &M->o;

		if (ob[j] != SIZE_MAX) {
			const crmf_node *b = bs->items[ob[j]];
			size_t ti = mt[ob[j]];

			if (ti == SIZE_MAX) {
				if (!mg_same(b, o))
					goto fail;
				continue; /* they deleted it */
			}
			if (!mg_same(o, ts->items[ti]) && !mg_same(b, ts->items[ti])) {
				if (!mg_same(b, o))
					goto fail;
				pick = ts->items[ti];
				from = &M->t;
			}
		}
		if (!single_line(pick))
			goto fail;
		if (count++)
			sb_adds(&sb, ", ");
		sb_add(&sb, from->s + pick->start, pick->end - pick->start);
	}
	for (size_t i = 0; bs && i < bs->n; i++) {
		/* we deleted an entry they changed */
		bool ours = false;

		for (size_t j = 0; j < os->n; j++)
			ours = ours || ob[j] == i;
		if (!ours && mt[i] != SIZE_MAX && !mg_same(bs->items[i], ts->items[mt[i]]))
			goto fail;
	}
	for (size_t j = 0; j < ts->n; j++) {
		const crmf_node *t = ts->items[j];
		bool dup = false;

		if (tb[j] != SIZE_MAX)
			continue;
		for (size_t k = 0; k < os->n && !dup; k++)
			dup = mg_same(os->items[k], t);
		if (dup)
			continue;
		if (!single_line(t))
			goto fail;
		if (count++)
			sb_adds(&sb, ", ");
		sb_add(&sb, M->t.s + t->start, t->end - t->start);
	}
	sb_addc(&sb, ']');
	mg_add_splice(M, os->start, os->end - os->start, &sb);
	return 0;
fail:
	sb_release(&sb);
	return -1;
}

/* Text of their item `t` as a line of our block list, in column `col`. */
static bool their_item_lines(merger *M, strbuf *sb, const crmf_node *ts, const crmf_node *t,
			     size_t col)
{
	entry te;

	if (ts->style == CRMF_STYLE_BLOCK && mg_item_entry(&te, &M->t, t))
		return mg_moved_lines(M, sb, &M->t, &te, col, true);
	if (!single_line(t))
		return false;
	mg_add_spaces(sb, col);
	sb_adds(sb, "- ");
	mg_add_line(M, sb, M->t.s + t->start, t->end - t->start);
	return true;
}

static int merge_block_list(merger *M, const crmf_node *bs, const crmf_node *os,
			    const crmf_node *ts, const size_t *mo, const size_t *mt,
			    const size_t *tb, enum list_kind kind)
{
	size_t nb = bs ? bs->n : 0, keep = M->path.len, left = os->n;
	entry *oe = xcalloc(os->n, sizeof(*oe));
	bool base_block = bs && bs->style == CRMF_STYLE_BLOCK;
	int rc = -1;

	for (size_t j = 0; j < os->n; j++)
		if (!mg_item_entry(&oe[j], &M->o, os->items[j]))
			goto done;
	for (size_t i = 0; i < nb; i++) {
		const crmf_node *b = bs->items[i];
		size_t oi = mo[i], ti = mt[i];
		entry be = {0, 0, 0, false}, te = be;
		bool have_be = base_block && mg_item_entry(&be, &M->b, b);

		if (oi == SIZE_MAX && ti == SIZE_MAX)
			continue;
		if (ti != SIZE_MAX && ts->style == CRMF_STYLE_BLOCK &&
		    !mg_item_entry(&te, &M->t, ts->items[ti]))
			goto done;
		if (oi != SIZE_MAX) {
			const crmf_node *t = ti != SIZE_MAX ? ts->items[ti] : NULL;

			if (t && ts->style != CRMF_STYLE_BLOCK && !mg_same(os->items[oi], t) &&
			    !mg_same(b, t))
				goto done; /* their changed entry is not in lines we can take */
			sb_addf(&M->path, "[%zu]", oi);
			if (!t && mg_same(b, os->items[oi]))
				left--;
			rc = merge_entry(M, b, have_be ? &be : NULL, os->items[oi], &oe[oi], t,
					 t && ts->style == CRMF_STYLE_BLOCK ? &te : NULL, kind, 2);
			path_cut(M, keep);
			if (rc < 0)
				goto done;
			rc = -1;
		} else if (!mg_same(b, ts->items[ti])) {
			/* we deleted what they changed: mark it where it was */
			size_t pos = oe[0].start, col = oe[0].col;

			if (ts->style != CRMF_STYLE_BLOCK)
				goto done;
			for (size_t k = i; k-- > 0;)
				if (mo[k] != SIZE_MAX) {
					pos = oe[mo[k]].end;
					break;
				}
			sb_addf(&M->path, "[%zu]", i);
			rc = mg_conflict(M, NULL, pos, col, NULL, &te, ts->items[ti]);
			path_cut(M, keep);
			if (rc < 0)
				goto done;
			rc = -1;
		}
	}
	for (size_t j = 0; j < ts->n; j++) {
		const crmf_node *t = ts->items[j];
		strbuf sb = STRBUF_INIT;
		size_t pos = oe[os->n - 1].end;
		bool dup = false;

		if (tb[j] != SIZE_MAX)
			continue;
		for (size_t k = 0; k < os->n && !dup; k++)
			dup = mg_same(os->items[k], t);
		if (dup)
			continue; /* added on both sides */
		if (kind == L_FOLLOWUPS) {
			int64_t w = mg_when_of(t);
			size_t at = SIZE_MAX;

			for (size_t k = 0; k < os->n; k++)
				if (mg_when_of(os->items[k]) <= w)
					at = k;
			if (at != SIZE_MAX)
				pos = oe[at].end;
			else if (oe[0].at_line)
				pos = oe[0].start;
		}
		if (pos == M->o.len && pos > 0 && M->o.s[pos - 1] != '\n')
			mg_add_eol(M, &sb);
		if (!their_item_lines(M, &sb, ts, t, oe[0].col)) {
			sb_release(&sb);
			goto done;
		}
		mg_add_splice(M, pos, 0, &sb);
		left++;
	}
	/* a list emptied by deletions would read as null: let the caller mark it */
	rc = left > 0 ? 0 : -1;
done:
	free(oe);
	return rc;
}

static int merge_list(merger *M, const crmf_node *bs, const crmf_node *os, const crmf_node *ts,
		      enum list_kind kind)
{
	size_t nb = bs ? bs->n : 0;
	size_t *mo = xcalloc(nb + 1, sizeof(*mo)), *mt = xcalloc(nb + 1, sizeof(*mt));
	size_t *ob = xcalloc(os->n + 1, sizeof(*ob)), *tb = xcalloc(ts->n + 1, sizeof(*tb));
	int rc = -1;

	if (bs && bs->type != CRMF_NODE_SEQUENCE)
		goto done;
	if (os->n == 0 && os->style == CRMF_STYLE_BLOCK)
		goto done;
	if (!align(mo, bs, os, kind) || !align(mt, bs, ts, kind))
		goto done;
	for (size_t j = 0; j < os->n; j++)
		ob[j] = SIZE_MAX;
	for (size_t j = 0; j < ts->n; j++)
		tb[j] = SIZE_MAX;
	for (size_t i = 0; i < nb; i++) {
		if (mo[i] != SIZE_MAX)
			ob[mo[i]] = i;
		if (mt[i] != SIZE_MAX)
			tb[mt[i]] = i;
	}
	/* an entry paired by identity alone that the other side has as it is (added, or also paired
	 * by identity alone): both added it, and the base entries it was paired with were deleted;
	 * not an edit of either */
	for (size_t j = 0; j < ts->n; j++) {
		size_t i = tb[j];

		if (i != SIZE_MAX && mg_same(bs->items[i], ts->items[j]))
			continue; /* paired by value */
		for (size_t k = 0; k < os->n; k++) {
			size_t ik = ob[k];

			if (!mg_same(os->items[k], ts->items[j]) ||
			    (ik != SIZE_MAX && mg_same(bs->items[ik], os->items[k])))
				continue;
			if (i == SIZE_MAX && ik == SIZE_MAX)
				break; /* added on both sides: written once below */
			if (i != SIZE_MAX)
				mt[i] = tb[j] = SIZE_MAX;
			if (ik != SIZE_MAX)
				mo[ik] = ob[k] = SIZE_MAX;
			break;
		}
	}
	if (os->style == CRMF_STYLE_FLOW)
		rc = merge_flow_list(M, bs, os, ts, ob, tb, mt, kind);
	else
		rc = merge_block_list(M, bs, os, ts, mo, mt, tb, kind);
done:
	free(mo);
	free(mt);
	free(ob);
	free(tb);
	return rc;
}

/* ---- results ---- */

static int cmp_splice(const void *pa, const void *pb)
{
	const struct splice *a = pa, *b = pb;

	if (a->off != b->off)
		return a->off < b->off ? -1 : 1;
	/* an insertion after the entry before goes ahead of a replacement starting there */
	if ((a->rem == 0) != (b->rem == 0))
		return a->rem == 0 ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Apply the splices to our bytes; -1 when two of them overlap (a bug caught, not written). */
static int apply(merger *M, char **out, size_t *len)
{
	strbuf sb = STRBUF_INIT;
	size_t at = 0;

	if (M->nsp > 1)
		qsort(M->sp, M->nsp, sizeof(*M->sp), cmp_splice);
	for (size_t i = 0; i < M->nsp; i++) {
		struct splice *s = &M->sp[i];

		if (s->off < at) {
			sb_release(&sb);
			return crmf_error_set("internal error: overlapping merge splices");
		}
		sb_add(&sb, M->o.s + at, s->off - at);
		s->out = sb.len;
		sb_add(&sb, s->text, s->len);
		at = s->off + s->rem;
	}
	sb_add(&sb, M->o.s + at, M->o.len - at);
	*len = sb.len;
	*out = sb_detach(&sb);
	return 0;
}

static int line_at(const char *s, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off; i++)
		line += s[i] == '\n';
	return line;
}

static void whole_file(crmf_merge_result *r, merger *M, const char *ours, size_t ours_len,
		       const char *theirs, size_t theirs_len)
{
	strbuf sb = STRBUF_INIT;

	sb_adds(&sb, M->open);
	mg_add_eol(M, &sb);
	sb_add(&sb, ours, ours_len);
	if (ours_len && ours[ours_len - 1] != '\n')
		mg_add_eol(M, &sb);
	sb_adds(&sb, M->sep);
	mg_add_eol(M, &sb);
	sb_add(&sb, theirs, theirs_len);
	if (theirs_len && theirs[theirs_len - 1] != '\n')
		mg_add_eol(M, &sb);
	sb_adds(&sb, M->close);
	mg_add_eol(M, &sb);
	free(r->buf);
	r->len = sb.len;
	r->buf = sb_detach(&sb);
	r->whole_file = true;
	r->conflicts = xcalloc(1, sizeof(*r->conflicts));
	r->conflicts[0].line = 1;
	r->n_conflicts = 1;
}

static void set_bytes(crmf_merge_result *r, const char *s, size_t n)
{
	r->buf = xmalloc(n + 1);
	memcpy(r->buf, s, n);
	r->buf[n] = '\0';
	r->len = n;
}

static bool has_errors(crmf_doc *doc, const crmf_merge_opts *o, const crmf_config *cfg,
		       crmf_day today, crmf_diags *into)
{
	crmf_customer *c = NULL;
	char *rel = NULL;
	crmf_diags d;
	int rc;

	crmf_diags_init(&d);
	if (!o->relpath) {
		/* no file name to hold the id to: name it after its own id */
		const char *id = doc && doc->root ? mg_scalar_of(doc->root, "id") : NULL;

		rel = xasprintf("customers/%s.yaml", id ? id : "unknown");
	}
	rc = crmf_check_customer(&c, doc, o->relpath ? o->relpath : rel, cfg, today, &d);
	crmf_customer_free(c);
	free(rel);
	if (into)
		crmf_diags_move(into, &d);
	crmf_diags_release(&d);
	return rc != 0;
}

/* Parse a side; NULL when it has errors (they go to diags, as warnings: the merge goes on). */
static crmf_doc *parse_side(const char *label, const char *buf, size_t len, crmf_diags *diags)
{
	crmf_doc *doc = NULL;
	crmf_diags d;

	crmf_diags_init(&d);
	if (crmf_doc_parse(&doc, label, buf, len, &d) != 0) {
		crmf_doc_free(doc);
		doc = NULL;
		crmf_diags_move(diags, &d);
	}
	crmf_diags_release(&d);
	return doc;
}

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\r\n", s[i]))
			return false;
	return true;
}

/* CRLF when the first line ends so. */
static const char *eol_of(const char *s, size_t n)
{
	const char *nl = memchr(s, '\n', n);

	return nl && nl > s && nl[-1] == '\r' ? "\r\n" : "\n";
}

static char *marker(char c, int size, const char *label)
{
	strbuf sb = STRBUF_INIT;

	for (int i = 0; i < size; i++)
		sb_addc(&sb, c);
	if (label && *label) {
		sb_addc(&sb, ' ');
		sb_adds(&sb, label);
	}
	return sb_detach(&sb);
}

/* The cases git itself settles without looking inside (base NULL: none);
 * true with the result in `out`. */
static bool settled(crmf_merge_result *out, const char *base, size_t base_len, const char *ours,
		    size_t ours_len, const char *theirs, size_t theirs_len)
{
	if (ours_len == theirs_len && memcmp(ours, theirs, ours_len) == 0)
		set_bytes(out, ours, ours_len);
	else if (base && base_len == theirs_len && memcmp(base, theirs, base_len) == 0)
		set_bytes(out, ours, ours_len);
	else if (base && base_len == ours_len && memcmp(base, ours, base_len) == 0)
		set_bytes(out, theirs, theirs_len);
	else
		return false;
	return true;
}

/* The conflicts to `out`, each with the line of its markers in the result. */
static void hand_conflicts(crmf_merge_result *out, merger *M)
{
	out->conflicts = M->cf;
	out->n_conflicts = M->ncf;
	for (size_t k = 0; k < M->ncf; k++)
		for (size_t i = 0; i < M->nsp; i++)
			if (M->sp[i].seq == M->cf_seq[k])
				M->cf[k].line = line_at(out->buf, M->sp[i].out) +
						(M->sp[i].text[0] == '<' ? 0 : 1);
	M->cf = NULL;
	M->ncf = 0;
}

static void keep_errors(crmf_diags *diags)
{
	crmf_diags keep;

	crmf_diags_init(&keep);
	for (size_t i = 0; i < diags->n; i++) {
		crmf_diag *d = &diags->v[i];

		if (d->severity == CRMF_SEV_ERROR)
			crmf_diags_add(&keep, d->severity, d->path, d->line, d->column, d->rule,
				       "%s", d->message);
	}
	crmf_diags_release(diags);
	*diags = keep;
}

static void merger_release(merger *M)
{
	for (size_t i = 0; i < M->nsp; i++)
		free(M->sp[i].text);
	free(M->sp);
	for (size_t i = 0; i < M->ncf; i++)
		mg_conflict_free(&M->cf[i]);
	free(M->cf);
	free(M->cf_seq);
	free(M->open);
	free(M->sep);
	free(M->close);
	sb_release(&M->path);
}

int crmf_merge_file(crmf_merge_result *out, const char *base, size_t base_len, const char *ours,
		    size_t ours_len, const char *theirs, size_t theirs_len,
		    const crmf_merge_opts *opts)
{
	static const crmf_merge_opts defaults;
	const crmf_merge_opts *o = opts ? opts : &defaults;
	crmf_doc *bd = NULL, *od = NULL, *td = NULL, *rd = NULL;
	crmf_config *own_cfg = NULL;
	const crmf_config *cfg = o->cfg;
	crmf_day today = o->today ? o->today : crmf_date_today();
	merger M;
	int size = o->marker_size > 0 ? o->marker_size : 7;
	bool no_base = !base || is_blank(base, base_len);
	int rc = -1;

	memset(out, 0, sizeof(*out));
	crmf_diags_init(&out->diags);
	memset(&M, 0, sizeof(M));
	M.open = marker('<', size, o->ours_label ? o->ours_label : "ours");
	M.sep = marker('=', size, NULL);
	M.close = marker('>', size, o->theirs_label ? o->theirs_label : "theirs");
	M.eol = eol_of(ours, ours_len);

	if (settled(out, no_base ? NULL : base, base_len, ours, ours_len, theirs, theirs_len)) {
		rc = 0;
		goto done;
	}

	if (!(od = parse_side("ours", ours, ours_len, &out->diags)) ||
	    !(td = parse_side("theirs", theirs, theirs_len, &out->diags)) ||
	    (!no_base && !(bd = parse_side("base", base, base_len, &out->diags)))) {
		whole_file(out, &M, ours, ours_len, theirs, theirs_len);
		rc = 1;
		goto done;
	}
	M.o = (side){od, od->src, od->len};
	M.t = (side){td, td->src, td->len};
	M.b = bd ? (side){bd, bd->src, bd->len} : (side){NULL, "", 0};
	if (merge_map(&M, bd ? bd->root : NULL, od->root, td->root, 1) < 0 ||
	    apply(&M, &out->buf, &out->len) < 0) {
		whole_file(out, &M, ours, ours_len, theirs, theirs_len);
		rc = 1;
		goto done;
	}
	if (M.ncf > 0) {
		hand_conflicts(out, &M);
		rc = 1;
		goto done;
	}
	/* a clean result must read back, and be as valid as the sides were */
	if (crmf_doc_parse(&rd, o->relpath ? o->relpath : "merged", out->buf, out->len,
			   &out->diags) != 0) {
		whole_file(out, &M, ours, ours_len, theirs, theirs_len);
		rc = 1;
		goto done;
	}
	if (!o->no_validate) {
		crmf_doc *r = rd, *oc = od, *tc = td;

		/* crmf_check_customer takes the documents; the sides are no longer needed */
		rd = od = td = NULL;
		if (!cfg)
			crmf_config_load(&own_cfg, NULL, NULL);
		cfg = cfg ? cfg : own_cfg;
		if (has_errors(r, o, cfg, today, &out->diags)) {
			bool ours_bad = has_errors(oc, o, cfg, today, NULL);
			bool theirs_bad = has_errors(tc, o, cfg, today, NULL);

			if (!ours_bad || !theirs_bad) {
				out->invalid = true;
				rc = 1;
				goto done;
			}
		} else {
			crmf_doc_free(oc);
			crmf_doc_free(tc);
		}
		/* keep only the errors that make it a conflict */
		crmf_diags_release(&out->diags);
		crmf_diags_init(&out->diags);
	}
	rc = 0;
done:
	if (out->invalid) /* only errors explain an invalid merge; warnings would bury them */
		keep_errors(&out->diags);
	merger_release(&M);
	crmf_doc_free(rd);
	crmf_doc_free(bd);
	crmf_doc_free(od);
	crmf_doc_free(td);
	crmf_config_free(own_cfg);
	return rc;
}

void crmf_merge_result_release(crmf_merge_result *r)
{
	if (!r)
		return;
	free(r->buf);
	for (size_t i = 0; i < r->n_conflicts; i++)
		mg_conflict_free(&r->conflicts[i]);
	free(r->conflicts);
	crmf_diags_release(&r->diags);
	memset(r, 0, sizeof(*r));
}
