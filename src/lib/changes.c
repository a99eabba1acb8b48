/* SPDX-License-Identifier: MIT */
/* The index of customers' field changes per commit (.git/crmf/changes): built by walking history once, then extended. */
#include "crmf/changes.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include <git2.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "changes_private.h"
#include "crmf/cache.h"
#include "crmf/commit.h"
#include "crmf/diag.h"
#include "crmf/doc.h"
#include "crmf/perf.h"
#include "git_private.h"
#include "gitfilter.h"
#include "packread.h"
#include "readmany.h"
#include "repo_ctx.h"
#include "util.h"

/*
 * The index file: a header, the strings, the events, the commits that touched
 * a customer's file and which customers they touched, a checksum.
 *
 *   "crmf-changes 3\n\0"  16 bytes (the version is in the magic)
 *   u32 0x01020304         the byte order: numbers are the machine's, like the
 *                          facts cache; another machine's index is rebuilt
 *   u32 prefix length, u32 strings, u32 strings' bytes, u32 events,
 *   u32 commits, u32 touches
 *   20 bytes               the HEAD the index covers (a raw SHA-1)
 *   the prefix            where the crmf root is in the work tree ("" or "sub/")
 *   the strings           each ended by a NUL, numbered from 0 in order
 *   the events            EVENT_SIZE bytes each: time (i64), day (i32), kind
 *                          (u32), id, author, from, to (u32 string numbers,
 *                          NO_STR for none)
 *   the commits           COMMIT_SIZE bytes each, in walk order: the raw id
 *                          (20 bytes), the commit time (i64)
 *   the touches           TOUCH_SIZE bytes each, by commit: the commit's
 *                          number, the customer id's string number (u32s)
 *   16 bytes               crmf_hash_bytes of everything before
 *
 * Loading it costs a read, a hash and one pass over the events: no text to
 * parse, no string to copy (the events point into the file's buffer).
 * Version 2 had no commits and touches: crmf history, which reads them,
 * came to the index after it; such an index is rebuilt like a damaged one.
 */
static const char INDEX_MAGIC[16] = "crmf-changes 3\n";
#define HEAD_SIZE (16 + 7 * 4 + 20)
#define EVENT_SIZE 32
#define COMMIT_SIZE 28
#define TOUCH_SIZE 8
#define NO_STR UINT32_MAX
#define BYTE_ORDER_MARK 0x01020304u

struct crmf_changes {
	crmf_change_event *v;
	size_t n, cap;
	/* every string of the events, interned: a few hundred distinct values
	 * and the ids; the table (open addressing, cap a power of two) is built
	 * only when history is walked */
	const char **strs;
	size_t n_strs, cap_strs;
	char **owned; /* the strings interned by a walk, malloc'ed */
	size_t n_owned, cap_owned;
	void *file;   /* the index, mapped: the loaded events' strings are in it */
	size_t file_len;
	size_t v_mapped; /* v's size when crmf_table_alloc gave it, else 0 */
	const char **file_strs; /* its strings by number */
	size_t n_file_strs;
	git_oid head;
	bool has_head;
	/* the commits that changed a customer's file, in walk order, and by
	 * commit which customers (history's candidates: crmf_changes_touching) */
	crmf_changes_commit *commits;
	size_t n_commits, cap_commits;
	struct touch {
		uint32_t commit;
		const char *id; /* interned */
	} *touches;
	size_t n_touches, cap_touches;
	/* a deferred walk (crmf_ctx_changes_deferred): the versions left for
	 * crmf_changes_finish, in walk order, and whether the index is to be saved */
	struct pending *pend;
	size_t n_pend, cap_pend;
	bool defer, unsaved;
	/* strings just interned, by their address: the same string interned
	 * again (a customer's id for each of its events) is found without hashing */
	const char *recent[1024];
};

static const char *const kind_names[] = {"created", "stage",    "owner",	"potential",
					 "grade",   "archived", "restored", "removed"};

const char *crmf_change_kind_name(crmf_change_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "?";
}

static uint64_t fnv(const char *s, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

static void table_put(const char **t, size_t cap, const char *s)
{
	size_t i;

	for (i = fnv(s, strlen(s), 0xcbf29ce484222325ULL) & (cap - 1); t[i]; i = (i + 1) & (cap - 1))
		;
	t[i] = s;
}

static void table_grow(crmf_changes *ch, size_t want)
{
	size_t cap = ch->cap_strs ? ch->cap_strs : 256;
	const char **t;

	while (2 * want > cap)
		cap *= 2;
	if (cap == ch->cap_strs)
		return;
	t = xcalloc(cap, sizeof(*t));
	for (size_t k = 0; k < ch->cap_strs; k++)
		if (ch->strs[k])
			table_put(t, cap, ch->strs[k]);
	free(ch->strs);
	ch->strs = t;
	ch->cap_strs = cap;
}

/* The interned copy of s[0..n); NULL for NULL. */
static const char *intern(crmf_changes *ch, const char *s, size_t n)
{
	size_t mask, i;
	char *o;

	if (!s)
		return NULL;
	if (!ch->strs) {
		/* the first string of a walk: the loaded index's strings first */
		table_grow(ch, ch->n_file_strs + 1);
		for (size_t k = 0; k < ch->n_file_strs; k++)
			table_put(ch->strs, ch->cap_strs, ch->file_strs[k]);
		ch->n_strs = ch->n_file_strs;
	}
	table_grow(ch, ch->n_strs + 1);
	mask = ch->cap_strs - 1;
	for (i = fnv(s, n, 0xcbf29ce484222325ULL) & mask; ch->strs[i]; i = (i + 1) & mask)
		if (strncmp(ch->strs[i], s, n) == 0 && ch->strs[i][n] == '\0')
			return ch->strs[i];
	o = xmalloc(n + 1);
	memcpy(o, s, n);
	o[n] = '\0';
	if (ch->n_owned == ch->cap_owned) {
		ch->cap_owned = ch->cap_owned ? 2 * ch->cap_owned : 256;
		ch->owned = xrealloc(ch->owned, ch->cap_owned * sizeof(*ch->owned));
	}
	ch->owned[ch->n_owned++] = o;
	ch->strs[i] = o;
	ch->n_strs++;
	return o;
}

static size_t recent_slot(const char *s)
{
	return (size_t)(((uintptr_t)s >> 3) * 0x9e3779b97f4a7c15ULL >> 54) & 1023;
}

static const char *intern0(crmf_changes *ch, const char *s)
{
	const char *r;

	if (!s)
		return NULL;
	/* only ch's own strings are there, and they live as long as ch */
	if (ch->recent[recent_slot(s)] == s)
		return s;
	r = intern(ch, s, strlen(s));
	ch->recent[recent_slot(r)] = r;
	return r;
}

static void add(crmf_changes *ch, const crmf_change_event *e)
{
	if (ch->n == ch->cap) {
		crmf_change_event *v = xmalloc((ch->cap ? 2 * ch->cap : 1024) * sizeof(*v));

		if (ch->n)
			memcpy(v, ch->v, ch->n * sizeof(*v));
		if (ch->v_mapped)
			crmf_table_free(ch->v, ch->v_mapped, sizeof(*ch->v));
		else
			free(ch->v);
		ch->v_mapped = 0;
		ch->v = v;
		ch->cap = ch->cap ? 2 * ch->cap : 1024;
	}
	ch->v[ch->n++] = *e;
}

static void pending_free(crmf_changes *ch);
static void memos_free(void);
static void filter_memos_free(void);

void crmf_changes_free(crmf_changes *ch)
{
	if (!ch)
		return;
	if (ch->n_pend) {
		/* a deferred walk never finished: the versions it read go too */
		memos_free();
		filter_memos_free();
	}
	pending_free(ch);
	for (size_t i = 0; i < ch->n_owned; i++)
		free(ch->owned[i]);
	free(ch->owned);
	free(ch->strs);
	free(ch->file_strs);
	free(ch->commits);
	free(ch->touches);
	if (ch->file)
		munmap(ch->file, ch->file_len);
	if (ch->v_mapped)
		crmf_table_free(ch->v, ch->v_mapped, sizeof(*ch->v));
	else
		free(ch->v);
	free(ch);
}

size_t crmf_changes_events(const crmf_change_event **v, const crmf_changes *ch)
{
	*v = ch->v;
	return ch->n;
}

/* ---- the index file ---- */

static void put_u32(strbuf *sb, uint32_t v)
{
	sb_add(sb, (const char *)&v, sizeof(v));
}

/* The numbers of the strings of the events, by their interned address. */
typedef struct numbering {
	const char **key;
	uint32_t *num;
	size_t cap, n;
	strbuf bytes; /* the strings, in number order */
} numbering;

static uint32_t number_of(numbering *nb, const char *s)
{
	size_t i;
	uintptr_t h;

	if (!s)
		return NO_STR;
	h = (uintptr_t)s;
	for (i = (size_t)((h >> 3) * 0x9e3779b97f4a7c15ULL >> 20) & (nb->cap - 1); nb->key[i];
	     i = (i + 1) & (nb->cap - 1))
		if (nb->key[i] == s)
			return nb->num[i];
	nb->key[i] = s;
	nb->num[i] = (uint32_t)nb->n++;
	sb_add(&nb->bytes, s, strlen(s) + 1);
	return nb->num[i];
}

/* Write the index atomically; failing to write it is no error (it is a cache). */
static void save(const crmf_changes *ch, const repo_ctx *c)
{
	strbuf ev = STRBUF_INIT, sb = STRBUF_INIT;
	numbering nb = {0};
	char *dir = crmf_ctx_gitdir_file(c, "crmf", false), *path = xasprintf("%s/changes", dir);
	crmf_hash sum;

	/* at most four strings per event and one per touch, the table at most half full */
	for (nb.cap = 1024; nb.cap < 8 * ch->n + 2 * ch->n_touches + 8; nb.cap *= 2)
		;
	nb.key = xcalloc(nb.cap, sizeof(*nb.key));
	nb.num = xmalloc(nb.cap * sizeof(*nb.num));
	sb_grow(&ev, ch->n * EVENT_SIZE);
	for (size_t i = 0; i < ch->n; i++) {
		const crmf_change_event *e = &ch->v[i];
		int64_t t = e->time;
		int32_t day = (int32_t)e->day;
		uint32_t rest[5] = {(uint32_t)e->kind, number_of(&nb, e->id), number_of(&nb, e->author),
				    number_of(&nb, e->from), number_of(&nb, e->to)};

		sb_add(&ev, (const char *)&t, sizeof(t));
		sb_add(&ev, (const char *)&day, sizeof(day));
		sb_add(&ev, (const char *)rest, sizeof(rest));
	}
	sb_grow(&ev, ch->n_commits * COMMIT_SIZE + ch->n_touches * TOUCH_SIZE);
	for (size_t i = 0; i < ch->n_commits; i++) {
		int64_t t = ch->commits[i].time;

		sb_add(&ev, (const char *)ch->commits[i].oid, GIT_OID_RAWSZ);
		sb_add(&ev, (const char *)&t, sizeof(t));
	}
	for (size_t i = 0; i < ch->n_touches; i++) {
		put_u32(&ev, ch->touches[i].commit);
		put_u32(&ev, number_of(&nb, ch->touches[i].id));
	}
	sb_add(&sb, INDEX_MAGIC, sizeof(INDEX_MAGIC));
	put_u32(&sb, BYTE_ORDER_MARK);
	put_u32(&sb, (uint32_t)strlen(c->prefix));
	put_u32(&sb, (uint32_t)nb.n);
	put_u32(&sb, (uint32_t)nb.bytes.len);
	put_u32(&sb, (uint32_t)ch->n);
	put_u32(&sb, (uint32_t)ch->n_commits);
	put_u32(&sb, (uint32_t)ch->n_touches);
	sb_add(&sb, (const char *)ch->head.id, GIT_OID_RAWSZ);
	sb_adds(&sb, c->prefix);
	sb_add(&sb, nb.bytes.buf ? nb.bytes.buf : "", nb.bytes.len);
	sb_add(&sb, ev.buf ? ev.buf : "", ev.len);
	sum = crmf_hash_bytes((crmf_hash){0, 0}, sb.buf, sb.len);
	sb_add(&sb, (const char *)&sum, sizeof(sum));
	/* not waiting for the disk, as for the other caches: after a crash the
	 * file is whole, missing or fails its checksum, and is then rebuilt */
	if (mkdir(dir, 0777) == 0 || errno == EEXIST)
		(void)crmf_write_atomic_batch(path, sb.buf, sb.len);
	sb_release(&sb);
	sb_release(&ev);
	sb_release(&nb.bytes);
	free(nb.key);
	free(nb.num);
	free(path);
	free(dir);
}

static uint32_t get_u32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Read the index at `path` into ch; false when it is missing, damaged, of
 * another version or machine, or of another crmf root (`prefix`). */
static bool load(crmf_changes *ch, const char *path, const char *prefix)
{
	char *buf = NULL;
	const char *p, *end;
	size_t len = 0, plen = strlen(prefix), n_str, str_bytes, n_ev, n_com, n_tch;
	crmf_hash sum;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	/* mapped with its pages at once: reading it into the heap costs a page
	 * fault per page, more than the rest of loading it */
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > SIZE_MAX / 2) {
		if (fd >= 0)
			close(fd);
		goto bad;
	}
	len = (size_t)st.st_size;
	buf = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (buf == MAP_FAILED) {
		buf = NULL;
		goto bad;
	}
	if (len < HEAD_SIZE + sizeof(sum) || memcmp(buf, INDEX_MAGIC, sizeof(INDEX_MAGIC)) != 0 ||
	    get_u32(buf + 16) != BYTE_ORDER_MARK || get_u32(buf + 20) != plen)
		goto bad;
	n_str = get_u32(buf + 24);
	str_bytes = get_u32(buf + 28);
	n_ev = get_u32(buf + 32);
	n_com = get_u32(buf + 36);
	n_tch = get_u32(buf + 40);
	/* the sizes add up (each below 2^32: no overflow in 64 bits) */
	if ((uint64_t)HEAD_SIZE + plen + str_bytes + (uint64_t)n_ev * EVENT_SIZE +
		    (uint64_t)n_com * COMMIT_SIZE + (uint64_t)n_tch * TOUCH_SIZE + sizeof(sum) !=
		len ||
	    n_str > str_bytes)
		goto bad;
	sum = crmf_hash_bytes((crmf_hash){0, 0}, buf, len - sizeof(sum));
	if (memcmp(&sum, buf + len - sizeof(sum), sizeof(sum)) != 0 ||
	    memcmp(buf + HEAD_SIZE, prefix, plen) != 0)
		goto bad;
	memcpy(ch->head.id, buf + 44, GIT_OID_RAWSZ);
	/* the strings, each ended by a NUL */
	ch->file_strs = xmalloc((n_str + 1) * sizeof(*ch->file_strs));
	p = buf + HEAD_SIZE + plen;
	end = p + str_bytes;
	for (size_t k = 0; k < n_str; k++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));

		if (!nul)
			goto bad;
		ch->file_strs[k] = p;
		p = nul + 1;
	}
	if (p != end)
		goto bad;
	ch->n_file_strs = n_str;
	ch->cap = ch->v_mapped = n_ev + 1024;
	ch->v = crmf_table_alloc(ch->cap, sizeof(*ch->v));
	for (size_t i = 0; i < n_ev; i++, p += EVENT_SIZE) {
		int64_t t;
		int32_t day;
		uint32_t r[5];
		const char *s[4];

		memcpy(&t, p, sizeof(t));
		memcpy(&day, p + 8, sizeof(day));
		memcpy(r, p + 12, sizeof(r));
		if (r[0] >= sizeof(kind_names) / sizeof(kind_names[0]))
			goto bad;
		for (int k = 0; k < 4; k++) {
			if (r[k + 1] == NO_STR)
				s[k] = NULL;
			else if (r[k + 1] < n_str)
				s[k] = ch->file_strs[r[k + 1]];
			else
				goto bad;
		}
		if (!s[0])
			goto bad;
		ch->v[i] = (crmf_change_event){.time = t,
					       .day = (crmf_day)day,
					       .kind = (crmf_change_kind)r[0],
					       .id = s[0],
					       .author = s[1],
					       .from = s[2],
					       .to = s[3]};
	}
	/* the commits and their touches, copied: a walk extends them */
	ch->cap_commits = n_com + 1;
	ch->commits = xmalloc(ch->cap_commits * sizeof(*ch->commits));
	for (size_t i = 0; i < n_com; i++, p += COMMIT_SIZE) {
		int64_t t;

		memcpy(ch->commits[i].oid, p, GIT_OID_RAWSZ);
		memcpy(&t, p + GIT_OID_RAWSZ, sizeof(t));
		ch->commits[i].time = t;
	}
	ch->cap_touches = n_tch + 1;
	ch->touches = xmalloc(ch->cap_touches * sizeof(*ch->touches));
	for (size_t i = 0; i < n_tch; i++, p += TOUCH_SIZE) {
		uint32_t r[2];

		memcpy(r, p, sizeof(r));
		/* by commit, in walk order */
		if (r[0] >= n_com || r[1] >= n_str || (i > 0 && r[0] < ch->touches[i - 1].commit))
			goto bad;
		ch->touches[i] = (struct touch){r[0], ch->file_strs[r[1]]};
	}
	ch->n_commits = n_com;
	ch->n_touches = n_tch;
	ch->n = n_ev;
	ch->file = buf;
	ch->file_len = len;
	ch->has_head = true;
	return true;
bad:
	if (ch->v_mapped)
		crmf_table_free(ch->v, ch->v_mapped, sizeof(*ch->v));
	free(ch->file_strs);
	free(ch->commits);
	free(ch->touches);
	ch->v = NULL;
	ch->file_strs = NULL;
	ch->commits = NULL;
	ch->touches = NULL;
	ch->n = ch->cap = ch->n_file_strs = ch->v_mapped = 0;
	ch->n_commits = ch->cap_commits = ch->n_touches = ch->cap_touches = 0;
	ch->has_head = false;
	if (buf)
		munmap(buf, len);
	return false;
}

/* ---- walking history ---- */

/* What a commit's version of a customer file says. */
typedef struct state {
	bool archived;
	char *stage, *owner, *potential, *grade;
} state;

static char *scalar(const crmf_node *root, const char *key)
{
	const crmf_node *v = crmf_node_get(root, key);

	return v && v->type == CRMF_NODE_SCALAR && v->len ? xstrdup(v->value) : NULL;
}

static void state_release(state *s)
{
	free(s->stage);
	free(s->owner);
	free(s->potential);
	free(s->grade);
}

/*
 * The four fields by a scan of the lines: a top-level key at column 0 and a
 * plain value up to a comment. Most files are written so; anything else
 * (quotes, a flow or block value, a key twice, a tab, a document marker)
 * returns false and the file is parsed as YAML. A walk of history reads a
 * version of a file per commit: the scan is ten times cheaper than parsing.
 */
static bool scan_state(state *s, const char *p, size_t len)
{
	static const char *const keys[] = {"stage", "owner", "potential", "grade"};
	static const size_t key_len[] = {5, 5, 9, 5};
	char **slot[] = {&s->stage, &s->owner, &s->potential, &s->grade};
	const char *end = p + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end;
		const char *v, *ve;
		size_t kl;
		int k;

		if (p < eol && (*p == '{' || *p == '[' || *p == '%' || *p == '\t' ||
				(eol - p >= 3 && (memcmp(p, "---", 3) == 0 || memcmp(p, "...", 3) == 0))))
			return false;
		/* the four keys start with four different letters: most lines are passed by the first */
		k = *p == 's' ? 0 : *p == 'o' ? 1 : *p == 'p' ? 2 : *p == 'g' ? 3 : -1;
		if (k < 0 || (size_t)(eol - p) <= (kl = key_len[k]) || memcmp(p, keys[k], kl) != 0 ||
		    p[kl] != ':') {
			p = nl ? nl + 1 : end;
			continue;
		}
		for (v = p + kl + 1; v < eol && *v == ' '; v++)
			;
		for (ve = v; ve < eol && !(*ve == '#' && ve[-1] == ' ') && *ve != '\r'; ve++)
			;
		while (ve > v && ve[-1] == ' ')
			ve--;
		if (*slot[k] || (v < ve && strchr("\"'|>&*!{[", *v)) ||
		    (v < eol && v == ve && *v != '#' && *v != '\r'))
			return false; /* twice, quoted, or not a plain scalar */
		if (v == ve && nl && nl + 1 < end && (nl[1] == ' ' || nl[1] == '-'))
			return false; /* a value on the lines below */
		*slot[k] = v < ve ? xstrndup(v, (size_t)(ve - v)) : NULL;
		p = nl ? nl + 1 : end;
	}
	return true;
}

/* States by blob id: the version a commit replaces is, most of the time, the
 * version an earlier commit wrote, read then. */
typedef struct memo {
	git_oid id;
	bool used;
	state s;
} memo;

typedef struct memo_map {
	memo *v;
	size_t n, cap;
} memo_map;

static memo_map memos;

static char *dup0(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void memos_rehash(size_t cap)
{
	memo_map m = {xcalloc(cap, sizeof(memo)), 0, cap};
	size_t h;

	for (size_t i = 0; i < memos.cap; i++) {
		if (!memos.v[i].used)
			continue;
		memcpy(&h, memos.v[i].id.id, sizeof(h));
		for (h &= m.cap - 1; m.v[h].used; h = (h + 1) & (m.cap - 1))
			;
		m.v[h] = memos.v[i];
		m.n++;
	}
	free(memos.v);
	memos = m;
}

static memo *memo_slot(const git_oid *id)
{
	size_t h, mask;

	if (2 * (memos.n + 1) > memos.cap)
		memos_rehash(memos.cap ? 2 * memos.cap : 4096);
	mask = memos.cap - 1;
	memcpy(&h, id->id, sizeof(h));
	for (h &= mask; memos.v[h].used; h = (h + 1) & mask)
		if (git_oid_equal(&memos.v[h].id, id))
			return &memos.v[h];
	return &memos.v[h];
}

static void memos_free(void)
{
	for (size_t i = 0; i < memos.cap; i++)
		if (memos.v[i].used)
			state_release(&memos.v[i].s);
	free(memos.v);
	memset(&memos, 0, sizeof(memos));
}

static void read_state_uncached(state *s, const repo_ctx *c, const git_oid *id, const char *path);

/* The packs of the repository while a walk reads them (packread.c). */
static crmf_packs *walk_packs;

/* Its loose objects while a walk reads them: one zlib stream and one buffer
 * for all, where libgit2 would set up zlib (a 40 KiB window) for each. */
static struct {
	int dirfd; /* objects/, or -1 */
	z_stream zs;
	bool zs_ok;
	unsigned char *buf;
	size_t cap;
} walk_loose = {.dirfd = -1};

static char *loose_blob(const git_oid *id, size_t *len);

/* The fields of the blob `id` at `path` (relative to the git root), as the work tree would have
 * it; `archived` from the path. */
static bool archived_path(const repo_ctx *c, const char *path)
{
	return strncmp(path + strlen(c->prefix), "archive/", 8) == 0;
}

/* A slot memo_slot gave, now holding its state (already set) for blob `id`. */
static void memo_put(memo *m, const git_oid *id)
{
	m->id = *id;
	m->used = true;
	memos.n++;
}

/* The memo of blob `id` at `path`, read when it is not there yet. */
static memo *memo_of(const repo_ctx *c, const git_oid *id, const char *path)
{
	memo *m = memo_slot(id);

	if (!m->used) {
		read_state_uncached(&m->s, c, id, path);
		memo_put(m, id);
	}
	return m;
}

static void read_state(state *s, const repo_ctx *c, const git_oid *id, const char *path)
{
	memo *m = memo_of(c, id, path);

	s->stage = dup0(m->s.stage);
	s->owner = dup0(m->s.owner);
	s->potential = dup0(m->s.potential);
	s->grade = dup0(m->s.grade);
	s->archived = archived_path(c, path);
}

/*
 * Whether the attributes give `path` a filter (crlf, ident, filter=…):
 * asked once per folder and file extension, as attributes are written
 * (by folder and suffix, such as git-crypt on every file of customers); loading the filter list
 * for every version of every file would cost more than reading them.
 */
static struct filter_memo {
	char *key;
	bool filters;
} filter_memos[64];
static size_t n_filter_memos;

static bool needs_filters(const repo_ctx *c, const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	int dir_len = slash ? (int)(slash - path) : 0;
	const char *ext = dot && (!slash || dot > slash) ? dot : "";
	char *key;
	git_filter_list *fl = NULL;
	bool filters;

	/* asked for every file a commit adds: the key compared in place */
	for (size_t i = 0; i < n_filter_memos; i++) {
		const char *k = filter_memos[i].key;

		if (strncmp(k, path, (size_t)dir_len) == 0 && k[dir_len] == '|' &&
		    strcmp(k + dir_len + 1, ext) == 0)
			return filter_memos[i].filters;
	}
	key = xasprintf("%.*s|%s", dir_len, path, ext);
	if (git_filter_list_load(&fl, c->repo, NULL, path, GIT_FILTER_TO_WORKTREE,
				 GIT_FILTER_DEFAULT) < 0) {
		git_error_clear();
		filters = true; /* unsure: the whole pipeline */
	} else {
		filters = fl != NULL;
	}
	git_filter_list_free(fl);
	if (n_filter_memos < sizeof(filter_memos) / sizeof(filter_memos[0]))
		filter_memos[n_filter_memos++] = (struct filter_memo){key, filters};
	else
		free(key);
	return filters;
}

static void filter_memos_free(void)
{
	for (size_t i = 0; i < n_filter_memos; i++)
		free(filter_memos[i].key);
	n_filter_memos = 0;
}

/* The four fields of a parsed version (root NULL: none, nothing set). */
static void state_fields(state *s, const crmf_node *root)
{
	if (root && root->type == CRMF_NODE_MAPPING) {
		s->stage = scalar(root, "stage");
		s->owner = scalar(root, "owner");
		s->potential = scalar(root, "potential");
		s->grade = scalar(root, "grade");
	}
}

/* The fields of the bytes `p` (NUL after them) of a version of `path`, as the work tree has it. */
static void state_of(state *s, const char *p, size_t len, const char *path, bool archived)
{
	crmf_doc *doc = NULL;
	crmf_diags d;

	memset(s, 0, sizeof(*s));
	s->archived = archived;
	if (scan_state(s, p, len))
		return;
	state_release(s);
	memset(s, 0, sizeof(*s));
	s->archived = archived;
	crmf_diags_init(&d);
	crmf_doc_parse(&doc, path, p, len, &d);
	crmf_diags_release(&d);
	state_fields(s, doc ? doc->root : NULL);
	crmf_doc_free(doc);
}

static void read_state_uncached(state *s, const repo_ctx *c, const git_oid *id, const char *path)
{
	git_blob *b = NULL;
	git_buf buf = GIT_BUF_INIT;
	bool filters = needs_filters(c, path);

	memset(s, 0, sizeof(*s));
	s->archived = archived_path(c, path);
	/* a walk reads versions from the packs as it reads trees (libgit2 would
	 * rebuild each from the bottom of its delta chain) */
	if (walk_packs && !filters) {
		crmf_packed *o = crmf_packs_read(walk_packs, id->id);

		if (o && o->type == GIT_OBJECT_BLOB) {
			state_of(s, (const char *)o->data, o->len, path, s->archived);
			crmf_packed_release(o);
			return;
		}
		crmf_packed_release(o);
	}
	if (!filters) {
		size_t n;
		char *body = loose_blob(id, &n);

		if (body) {
			state_of(s, body, n, path, s->archived);
			free(body);
			return;
		}
	}
	if (git_blob_lookup(&b, c->repo, id) < 0) {
		git_error_clear();
		return;
	}
	if (!filters)
		git_buf_set(&buf, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
	else if (crmf_gitfilter_smudge(&buf, c->repo, b, path) < 0)
		git_error_clear();
	state_of(s, buf.ptr ? buf.ptr : "", buf.size, path, s->archived);
	git_buf_dispose(&buf);
	git_blob_free(b);
}

/*
 * The bytes of a loose object read whole (`z`, zlen bytes): a blob's
 * content, malloc'ed with a NUL after it; NULL when it is not a blob or not
 * whole.
 */
static char *inflate_blob(z_stream *zs, const unsigned char *z, size_t zlen, size_t *out_len)
{
	unsigned char head[64];
	char *body = NULL, *end;
	size_t produced, hl, size, copied;
	int rc;

	if (inflateReset(zs) != Z_OK)
		return NULL;
	zs->next_in = (Bytef *)z;
	zs->avail_in = (uInt)zlen;
	zs->next_out = head;
	zs->avail_out = sizeof(head);
	rc = inflate(zs, Z_SYNC_FLUSH);
	produced = sizeof(head) - zs->avail_out;
	if ((rc != Z_OK && rc != Z_STREAM_END) || produced < 7 || memcmp(head, "blob ", 5) != 0)
		return NULL;
	end = memchr(head, '\0', produced);
	if (!end)
		return NULL;
	hl = (size_t)((unsigned char *)end - head) + 1;
	errno = 0;
	size = (size_t)strtoull((const char *)head + 5, NULL, 10);
	if (errno || size > CRMF_DOC_MAX_SIZE)
		return NULL;
	copied = produced - hl < size ? produced - hl : size;
	body = xmalloc(size + 1);
	memcpy(body, head + hl, copied);
	if (rc != Z_STREAM_END) {
		/* one byte more than the header says: the stream must end before it */
		zs->next_out = (Bytef *)body + copied;
		zs->avail_out = (uInt)(size + 1 - copied);
		rc = inflate(zs, Z_FINISH);
	}
	if (rc != Z_STREAM_END || zs->total_out != hl + size) {
		free(body);
		return NULL;
	}
	body[size] = '\0';
	*out_len = size;
	return body;
}

/* The content of loose blob `id` during a walk (malloc'ed, NUL after it), or
 * NULL: not a loose object, unreadable or not a blob (libgit2 then reads it). */
static char *loose_blob(const git_oid *id, size_t *len)
{
	char hex[GIT_OID_HEXSZ + 1], name[GIT_OID_HEXSZ + 2];
	struct stat st;
	size_t size, got = 0;
	int fd;

	if (walk_loose.dirfd < 0)
		return NULL;
	git_oid_tostr(hex, sizeof(hex), id);
	snprintf(name, sizeof(name), "%.2s/%s", hex, hex + 2);
	fd = openat(walk_loose.dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	/* zlib's worst case adds a few bytes per 16 KiB to what a file crmf reads can hold */
	if (fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size > 2 * CRMF_DOC_MAX_SIZE) {
		close(fd);
		return NULL;
	}
	size = (size_t)st.st_size;
	if (walk_loose.cap < size) {
		free(walk_loose.buf);
		walk_loose.cap = size > 65536 ? size : 65536;
		walk_loose.buf = xmalloc(walk_loose.cap);
	}
	while (got < size) {
		ssize_t r = read(fd, walk_loose.buf + got, size - got);

		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != size)
		return NULL;
	if (!walk_loose.zs_ok && inflateInit(&walk_loose.zs) == Z_OK)
		walk_loose.zs_ok = true;
	return walk_loose.zs_ok ? inflate_blob(&walk_loose.zs, walk_loose.buf, size, len) : NULL;
}

/* One side of a delta, by customer id. */
typedef struct side {
	char *id, *path;
	git_oid oid;
	bool old; /* the first parent's side */
} side;

/*
 * A commit that adds thousands of files (the first commit of a repository
 * filled by an import) reads as many blobs. libgit2 reads a loose object
 * with five system calls; here the loose objects of a batch are read in
 * one (io_uring, as a cold check reads the files) and inflated, and their
 * states kept where read_state looks. What is not a loose object (packed),
 * or not read so, or needs a filter, is left to read_state.
 */
#define PREFETCH_MIN 256
#define PREFETCH_BATCH 256

typedef struct prefetch {
	crmf_readmany *rm;
	int dirfd;
	char names[PREFETCH_BATCH][GIT_OID_HEXSZ + 2];
	const side *of[PREFETCH_BATCH];
	size_t n;
	z_stream zs; /* one for every object: each inflateInit would allocate its window */
} prefetch;

static void prefetch_flush(prefetch *pf, const repo_ctx *c)
{
	const char *names[PREFETCH_BATCH];
	char *bufs[PREFETCH_BATCH];
	size_t len[PREFETCH_BATCH];

	for (size_t k = 0; k < pf->n; k++)
		names[k] = pf->names[k];
	crmf_readmany_read(pf->rm, pf->dirfd, names, pf->n, bufs, len, NULL);
	for (size_t k = 0; k < pf->n; k++) {
		size_t blen = 0;
		char *blob = bufs[k] ? inflate_blob(&pf->zs, (unsigned char *)bufs[k], len[k], &blen) : NULL;
		memo *m;

		free(bufs[k]);
		if (!blob)
			continue;
		m = memo_slot(&pf->of[k]->oid);
		if (!m->used) {
			state_of(&m->s, blob, blen, pf->of[k]->path, archived_path(c, pf->of[k]->path));
			memo_put(m, &pf->of[k]->oid);
		}
		free(blob);
	}
	pf->n = 0;
}

static void prefetch_states(const repo_ctx *c, const side *v, size_t n, bool olds_only)
{
	prefetch *pf;
	char *dir;
	bool inited = false;

	if (n < PREFETCH_MIN)
		return;
	pf = xcalloc(1, sizeof(*pf));
	pf->rm = crmf_readmany_new(PREFETCH_BATCH);
	dir = xasprintf("%sobjects", git_repository_commondir(c->repo));
	pf->dirfd = pf->rm ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	free(dir);
	if (pf->dirfd >= 0 && inflateInit(&pf->zs) != Z_OK) {
		close(pf->dirfd);
		pf->dirfd = -1;
	} else if (pf->dirfd >= 0) {
		inited = true;
	}
	for (size_t i = 0; pf->dirfd >= 0 && i < n; i++) {
		char hex[GIT_OID_HEXSZ + 1];

		if ((olds_only && !v[i].old) || memo_slot(&v[i].oid)->used ||
		    needs_filters(c, v[i].path))
			continue;
		git_oid_tostr(hex, sizeof(hex), &v[i].oid);
		snprintf(pf->names[pf->n], sizeof(pf->names[0]), "%.2s/%s", hex, hex + 2);
		pf->of[pf->n++] = &v[i];
		if (pf->n == PREFETCH_BATCH)
			prefetch_flush(pf, c);
	}
	if (pf->n)
		prefetch_flush(pf, c);
	if (inited)
		inflateEnd(&pf->zs);
	if (pf->dirfd >= 0)
		close(pf->dirfd);
	crmf_readmany_free(pf->rm);
	free(pf);
}

/* ---- the versions the work tree holds ---- */

/* Files read at once: a slot's page is had (a page fault) the first time a
 * file is read into it, so a few slots, reused, cost less than many. */
#define WT_BATCH 32

/* The blob id of `len` bytes at p, by OpenSSL's SHA-1 (the processor's SHA
 * instructions where it has them). */
static bool blob_id(EVP_MD_CTX *md, const char *p, size_t len, unsigned char oid[GIT_OID_RAWSZ])
{
	unsigned char out[EVP_MAX_MD_SIZE];
	char head[32];
	int hl = snprintf(head, sizeof(head), "blob %zu", len);
	unsigned int ol = 0;

	if (EVP_DigestInit_ex(md, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(md, head, (size_t)hl + 1) != 1 || EVP_DigestUpdate(md, p, len) != 1 ||
	    EVP_DigestFinal_ex(md, out, &ol) != 1 || ol != GIT_OID_RAWSZ)
		return false;
	memcpy(oid, out, GIT_OID_RAWSZ);
	return true;
}

/* What is done with a file read whole (its bytes NUL-terminated, the caller's
 * to free) and its blob id. */
typedef void wt_fn(void *ctx, size_t i, const char *bytes, size_t len,
		   const unsigned char oid[GIT_OID_RAWSZ]);

/* Read the files names[lo..hi) (relative to the folder dirfd, `wd` its path)
 * a batch at a time, as a cold check reads files (readmany.h), and call fn on
 * each one read whole. A file that cannot be read is skipped. */
static void read_files(int dirfd, const char *wd, const char *const *names, size_t lo, size_t hi,
		       wt_fn *fn, void *ctx, const atomic_bool *stop)
{
	crmf_readmany *rm = hi - lo > 8 ? crmf_readmany_new(WT_BATCH) : NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	for (size_t a = lo; md && a < hi && !(stop && atomic_load(stop)); a += WT_BATCH) {
		size_t b = hi - a < WT_BATCH ? hi : a + WT_BATCH;
		char *bufs[WT_BATCH] = {NULL};
		size_t len[WT_BATCH] = {0};

		if (rm)
			crmf_readmany_read(rm, dirfd, names + a, b - a, bufs, len, NULL);
		for (size_t i = a; i < b; i++) {
			char **buf = &bufs[i - a];
			unsigned char oid[GIT_OID_RAWSZ];

			if (!*buf) {
				/* not read in one go (or no io_uring): read alone */
				char *fs = xasprintf("%s/%s", wd, names[i]);
				int rc = crmf_doc_read(buf, &len[i - a], fs);

				free(fs);
				if (rc != 0)
					continue;
			}
			(*buf)[len[i - a]] = '\0';
			if (blob_id(md, *buf, len[i - a], oid))
				fn(ctx, i, *buf, len[i - a], oid);
			free(*buf);
		}
	}
	EVP_MD_CTX_free(md);
	crmf_readmany_free(rm);
}

/* The files of the work tree read ahead of crmf_changes_finish (see
 * changes_private.h). */
struct crmf_worktree {
	size_t n;
	const char *const *path; /* the caller's: relative to the crmf root, sorted */
	unsigned char (*oid)[GIT_OID_RAWSZ];
	state *st;
	bool *ok;
};

static void wt_keep(void *ctx, size_t i, const char *bytes, size_t len,
		    const unsigned char oid[GIT_OID_RAWSZ])
{
	crmf_worktree *w = ctx;

	memcpy(w->oid[i], oid, GIT_OID_RAWSZ);
	state_of(&w->st[i], bytes, len, w->path[i], strncmp(w->path[i], "archive/", 8) == 0);
	w->ok[i] = true;
}

crmf_worktree *crmf_worktree_read(const char *root, const char *const *paths, size_t n,
				  const atomic_bool *stop)
{
	crmf_worktree *w = xcalloc(1, sizeof(*w));
	int dirfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	w->n = n;
	w->path = paths;
	w->oid = xcalloc(n + 1, sizeof(*w->oid));
	w->st = xcalloc(n + 1, sizeof(*w->st));
	w->ok = xcalloc(n + 1, sizeof(*w->ok));
	if (dirfd >= 0) {
		read_files(dirfd, root, w->path, 0, n, wt_keep, w, stop);
		close(dirfd);
	}
	return w;
}

void crmf_worktree_free(crmf_worktree *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		state_release(&w->st[i]);
	free(w->oid);
	free(w->st);
	free(w->ok);
	free(w);
}

/* The entry of `w` for `relpath`, or SIZE_MAX. */
static size_t worktree_find(const crmf_worktree *w, const char *relpath)
{
	size_t lo = 0, hi = w ? w->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(w->path[mid], relpath);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

/* The versions `v` left aside, those the work tree still holds (its bytes
 * are the blob, the same git blob id) memoised from it: from what `w` read
 * ahead, the others read now on every core. A version of a file changed
 * since, or whose path has a filter (the work tree's bytes are not the
 * blob's), is left to the git objects. Reading a file and hashing it costs a
 * few microseconds; its blob, at the end of a delta chain in a pack, ten
 * times more. */
typedef struct wt_job {
	const repo_ctx *c;
	int dirfd;
	const char *wd;
	const side **of;
	const char **names;
	state *st;
	bool *ok;
} wt_job;

static void wt_match(void *ctx, size_t i, const char *bytes, size_t len,
		     const unsigned char oid[GIT_OID_RAWSZ])
{
	wt_job *j = ctx;

	if (memcmp(oid, j->of[i]->oid.id, GIT_OID_RAWSZ) != 0)
		return;
	state_of(&j->st[i], bytes, len, j->of[i]->path, archived_path(j->c, j->of[i]->path));
	j->ok[i] = true;
}

static void wt_part(void *arg, size_t part, size_t lo, size_t hi)
{
	wt_job *j = arg;

	(void)part;
	read_files(j->dirfd, j->wd, j->names, lo, hi, wt_match, j, NULL);
}

static void memo_state(const git_oid *id, state *s)
{
	memo *m = memo_slot(id);

	if (m->used) {
		state_release(s); /* two files of the same bytes */
		return;
	}
	m->s = *s;
	memo_put(m, id);
}

static void worktree_states(const repo_ctx *c, const side *v, size_t n, const crmf_worktree *w)
{
	const char *wd = git_repository_workdir(c->repo);
	size_t plen = strlen(c->prefix), k = 0;
	wt_job j = {c, -1, wd, NULL, NULL, NULL, NULL};

	if (!wd || n == 0)
		return;
	j.of = xmalloc(n * sizeof(*j.of));
	j.names = xmalloc(n * sizeof(*j.names));
	for (size_t i = 0; i < n; i++) {
		size_t at;

		if (memo_slot(&v[i].oid)->used || needs_filters(c, v[i].path))
			continue;
		at = strncmp(v[i].path, c->prefix, plen) == 0 ? worktree_find(w, v[i].path + plen)
							       : SIZE_MAX;
		if (at != SIZE_MAX && w->ok[at] &&
		    memcmp(w->oid[at], v[i].oid.id, GIT_OID_RAWSZ) == 0) {
			state s = {w->st[at].archived, dup0(w->st[at].stage), dup0(w->st[at].owner),
				   dup0(w->st[at].potential), dup0(w->st[at].grade)};

			memo_state(&v[i].oid, &s);
			continue;
		}
		j.of[k] = &v[i];
		j.names[k++] = v[i].path;
	}
	if (k)
		j.dirfd = open(wd, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (j.dirfd >= 0) {
		j.st = xcalloc(k, sizeof(*j.st));
		j.ok = xcalloc(k, sizeof(*j.ok));
		crmf_parallel_for(k, crmf_parallel_parts(k, 128), wt_part, &j);
		close(j.dirfd);
		for (size_t i = 0; i < k; i++)
			if (j.ok[i])
				memo_state(&j.of[i]->oid, &j.st[i]);
		free(j.st);
		free(j.ok);
	}
	free(j.names);
	free(j.of);
}

static bool differ(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

/* The day of a time (seconds since the epoch, already in the wanted zone). */
static crmf_day day_of(long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	return crmf_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

typedef struct commit_info {
	long long time;
	crmf_day day;
	const char *author;
} commit_info;

static void event(crmf_changes *ch, const commit_info *ci, crmf_change_kind kind, const char *id,
		  const char *from, const char *to)
{
	crmf_change_event e = {ci->time, ci->day, kind, intern0(ch, id), ci->author,
			       intern0(ch, from), intern0(ch, to)};

	add(ch, &e);
}

/* The events between two versions of customer `id` (was NULL: created; now NULL: removed). */
static void compare(crmf_changes *ch, const commit_info *ci, const char *id, const state *was,
		    const state *now)
{
	static const state none;
	const state *a = was ? was : &none;

	if (!now) {
		event(ch, ci, CRMF_CHANGE_REMOVED, id, was->stage, NULL);
		return;
	}
	if (!was)
		event(ch, ci, CRMF_CHANGE_CREATED, id, NULL, now->stage);
	else if (differ(a->stage, now->stage))
		event(ch, ci, CRMF_CHANGE_STAGE, id, a->stage, now->stage);
	if (differ(a->owner, now->owner))
		event(ch, ci, CRMF_CHANGE_OWNER, id, a->owner, now->owner);
	if (differ(a->potential, now->potential))
		event(ch, ci, CRMF_CHANGE_POTENTIAL, id, a->potential, now->potential);
	if (differ(a->grade, now->grade))
		event(ch, ci, CRMF_CHANGE_GRADE, id, a->grade, now->grade);
	if (was && was->archived != now->archived)
		event(ch, ci, now->archived ? CRMF_CHANGE_ARCHIVED : CRMF_CHANGE_RESTORED, id, NULL,
		      NULL);
}

/*
 * A version of a file that a deferred walk left aside (crmf_ctx_changes_deferred):
 * customer `id`'s events for it go at `at` among the events once its fields
 * are known (crmf_changes_finish). The last version of every file is in the
 * work tree, which a first report parses anyway: its blob need not be read.
 */
struct pending {
	size_t at;
	commit_info ci;
	const char *id; /* interned */
	bool has_was;
	state was;
	git_oid oid;
	char *path;
};

static void pending_free(crmf_changes *ch)
{
	for (size_t i = 0; i < ch->n_pend; i++) {
		if (ch->pend[i].has_was)
			state_release(&ch->pend[i].was);
		free(ch->pend[i].path);
	}
	free(ch->pend);
	ch->pend = NULL;
	ch->n_pend = ch->cap_pend = 0;
}

/* Leave aside the new version `nw` of customer `id` (its old one: `was`, taken over; NULL: none). */
static void pending_add(crmf_changes *ch, const commit_info *ci, const char *id, state *was,
			const side *nw)
{
	struct pending *p;

	if (ch->n_pend == ch->cap_pend) {
		ch->cap_pend = ch->cap_pend ? 2 * ch->cap_pend : 1024;
		ch->pend = xrealloc(ch->pend, ch->cap_pend * sizeof(*ch->pend));
	}
	p = &ch->pend[ch->n_pend++];
	p->at = ch->n;
	p->ci = *ci;
	p->id = intern0(ch, id);
	p->has_was = was != NULL;
	if (was)
		p->was = *was;
	p->oid = nw->oid;
	p->path = xstrdup(nw->path);
}

static int side_cmp(const void *a, const void *b)
{
	const side *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (int)y->old - (int)x->old; /* old first */
}


/* The customer id of a path: its file name without .yaml/.yml; NULL for another file. */
static char *path_id(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".yaml") == 0)
		return xasprintf("%.*s", (int)(n - 5), base);
	if (n > 4 && strcmp(base + n - 4, ".yml") == 0)
		return xasprintf("%.*s", (int)(n - 4), base);
	return NULL;
}

/* Whether another parent than the first has `oid` at `path` (a zero oid: no file there). */
static bool from_other_parent(const repo_ctx *c, git_commit *commit, const char *path,
			      const git_oid *oid, bool gone)
{
	for (unsigned k = 1; k < git_commit_parentcount(commit); k++) {
		git_commit *p = NULL;
		git_tree *t = NULL;
		git_tree_entry *e = NULL;
		bool same;

		if (git_commit_parent(&p, commit, k) < 0 || git_commit_tree(&t, p) < 0) {
			git_error_clear();
			git_tree_free(t);
			git_commit_free(p);
			continue;
		}
		if (git_tree_entry_bypath(&e, t, path) < 0) {
			git_error_clear();
			same = gone;
		} else {
			same = !gone && git_oid_equal(git_tree_entry_id(e), oid);
		}
		git_tree_entry_free(e);
		git_tree_free(t);
		git_commit_free(p);
		(void)c;
		if (same)
			return true;
	}
	return false;
}

/* The sides of the changes below two versions of a folder (either may be
 * NULL: absent), `dir` its path from the git root ("customers/"): only
 * subtrees whose ids differ are read. */
typedef struct sides {
	side *v;
	size_t n, cap;
} sides;

static void side_add(sides *sd, const char *path, const git_oid *oid, bool old)
{
	char *id = path_id(path);

	if (!id)
		return;
	if (sd->n == sd->cap) {
		sd->cap = sd->cap ? 2 * sd->cap : 16;
		sd->v = xrealloc(sd->v, sd->cap * sizeof(*sd->v));
	}
	sd->v[sd->n++] = (side){id, xstrdup(path), *oid, old};
}

static int compare_trees(sides *sd, const repo_ctx *c, const git_oid *a, const git_oid *b,
			 const char *dir);

/*
 * A tree read whole, its entries in git's order. The trees below the top
 * ones are read from the packs by packread.c (see why there), else through
 * libgit2's object database.
 */
typedef struct rentry {
	const char *name; /* in raw, NUL-terminated */
	size_t len;
	bool is_tree;
	git_object_t type;
	const unsigned char *oid;
} rentry;

typedef struct rtree {
	const unsigned char *raw;
	crmf_packed *packed; /* raw's holder: the pack reader's object, or */
	unsigned char *own;  /* a copy of libgit2's */
	rentry *e;
	size_t n;
	int refs;
} rtree;

static git_odb *walk_odb;

static void rtree_release(rtree *t)
{
	if (t && --t->refs == 0) {
		crmf_packed_release(t->packed);
		free(t->own);
		free(t->e);
		free(t);
	}
}

/* The entries of the tree object `raw` (len bytes): false when it is malformed. */
static bool rtree_parse(rtree *t, size_t len)
{
	const unsigned char *p = t->raw, *end = t->raw + len;
	/* an entry takes 28 bytes at least: the array sized once */
	size_t cap = len / 28 + 1;

	t->e = xmalloc(cap * sizeof(*t->e));
	while (p < end) {
		unsigned mode = 0;
		const unsigned char *name, *nul;

		if (*p == ' ')
			return false;
		while (p < end && *p >= '0' && *p <= '7' && mode < 01000000)
			mode = mode * 8 + (unsigned)(*p++ - '0');
		if (p >= end || *p++ != ' ')
			return false;
		name = p;
		nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul || nul == name || (size_t)(end - nul) < 1 + GIT_OID_RAWSZ)
			return false;
		if (t->n == cap)
			return false;
		t->e[t->n++] = (rentry){(const char *)name, (size_t)(nul - name),
					(mode & 0170000) == 0040000,
					(mode & 0170000) == 0040000   ? GIT_OBJECT_TREE
					: (mode & 0170000) == 0160000 ? GIT_OBJECT_COMMIT
								       : GIT_OBJECT_BLOB,
					nul + 1};
		p = nul + 1 + GIT_OID_RAWSZ;
	}
	return true;
}

static rtree *rtree_read(const repo_ctx *c, const git_oid *id)
{
	rtree *t = xcalloc(1, sizeof(*t));
	size_t len = 0;

	t->packed = crmf_packs_read(walk_packs, id->id);
	if (t->packed && t->packed->type == GIT_OBJECT_TREE) {
		t->raw = t->packed->data;
		len = t->packed->len;
	} else {
		git_odb_object *o = NULL;

		crmf_packed_release(t->packed);
		t->packed = NULL;
		if ((!walk_odb && git_repository_odb(&walk_odb, c->repo) < 0) ||
		    git_odb_read(&o, walk_odb, id) < 0) {
			free(t);
			return NULL;
		}
		if (git_odb_object_type(o) != GIT_OBJECT_TREE) {
			git_odb_object_free(o);
			free(t);
			git_error_set_str(GIT_ERROR_OBJECT, "a tree's entry is not a tree");
			return NULL;
		}
		len = git_odb_object_size(o);
		t->own = xmalloc(len + 1);
		if (len)
			memcpy(t->own, git_odb_object_data(o), len);
		t->raw = t->own;
		git_odb_object_free(o);
	}
	t->refs = 1;
	if (!rtree_parse(t, len)) {
		rtree_release(t);
		git_error_set_str(GIT_ERROR_OBJECT, "malformed tree");
		return NULL;
	}
	return t;
}

/* git's order of tree entries: by name, a folder's name as if it ended with '/' */
static int rentry_cmp(const rentry *a, const rentry *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int r = memcmp(a->name, b->name, n);
	unsigned char ca, cb;

	if (r)
		return r;
	ca = (unsigned char)a->name[n];
	cb = (unsigned char)b->name[n];
	if (!ca && a->is_tree)
		ca = '/';
	if (!cb && b->is_tree)
		cb = '/';
	return (ca > cb) - (ca < cb);
}

/*
 * The trees a commit reads are, most of them, the trees its child reads as
 * its parent's: kept from one commit to the next. `cur`: those read for this
 * commit, `prev`: for the last one.
 */
#define TREE_MEMO 32
static struct tree_memo {
	git_oid id[TREE_MEMO];
	rtree *t[TREE_MEMO];
	size_t n;
} trees_cur, trees_prev;

static void tree_memo_clear(struct tree_memo *m)
{
	for (size_t i = 0; i < m->n; i++)
		rtree_release(m->t[i]);
	m->n = 0;
}

/* The end of a commit: its trees become the parent's trees of the next. */
static void trees_next(void)
{
	tree_memo_clear(&trees_prev);
	trees_prev = trees_cur;
	trees_cur.n = 0;
}

/* The tree `id` (a reference of the caller's own: rtree_release it); NULL when unreadable. */
static rtree *tree_get(const repo_ctx *c, const git_oid *id)
{
	rtree *t = NULL;
	size_t i;

	for (i = 0; i < trees_cur.n; i++)
		if (git_oid_equal(&trees_cur.id[i], id)) {
			trees_cur.t[i]->refs++;
			return trees_cur.t[i];
		}
	for (i = 0; i < trees_prev.n && !git_oid_equal(&trees_prev.id[i], id); i++)
		;
	if (i < trees_prev.n) {
		/* the last commit's, now this one's */
		t = trees_prev.t[i];
		trees_prev.n--;
		trees_prev.t[i] = trees_prev.t[trees_prev.n];
		trees_prev.id[i] = trees_prev.id[trees_prev.n];
	} else if (!(t = rtree_read(c, id))) {
		return NULL;
	}
	if (trees_cur.n == TREE_MEMO)
		return t; /* no room: the caller's alone */
	trees_cur.id[trees_cur.n] = *id;
	trees_cur.t[trees_cur.n++] = t;
	t->refs++;
	return t;
}

/* One entry present on one side or the other, or on both with another id or type */
static int entry_change(sides *sd, const repo_ctx *c, const rentry *ea, const rentry *eb,
			const char *dir)
{
	const rentry *e = ea ? ea : eb;
	char *path = xasprintf("%s%s", dir, e->name);
	bool ta = ea && ea->type == GIT_OBJECT_TREE;
	bool tb = eb && eb->type == GIT_OBJECT_TREE;
	git_oid ia, ib;
	int rc = 0;

	if (ea)
		memcpy(ia.id, ea->oid, GIT_OID_RAWSZ);
	if (eb)
		memcpy(ib.id, eb->oid, GIT_OID_RAWSZ);
	if (ta || tb) {
		char *sub = xasprintf("%s/", path);

		rc = compare_trees(sd, c, ta ? &ia : NULL, tb ? &ib : NULL, sub);
		free(sub);
	}
	if (ea && !ta && ea->type == GIT_OBJECT_BLOB)
		side_add(sd, path, &ia, true);
	if (eb && !tb && eb->type == GIT_OBJECT_BLOB)
		side_add(sd, path, &ib, false);
	free(path);
	return rc;
}

static int compare_trees(sides *sd, const repo_ctx *c, const git_oid *a, const git_oid *b,
			 const char *dir)
{
	rtree *ta = NULL, *tb = NULL;
	const rentry **alone = NULL; /* a's entries that b has not */
	size_t i, j, na, nb, n_alone = 0, cap_alone = 0;
	int rc = -1;

	if ((a && b && git_oid_equal(a, b)) || (!a && !b))
		return 0;
	if ((a && !(ta = tree_get(c, a))) || (b && !(tb = tree_get(c, b))))
		goto done;
	na = ta ? ta->n : 0;
	nb = tb ? tb->n : 0;
	/* both lists are in git's order: one pass over the two, not a search of
	 * a for every entry of b (a year's folder holds thousands). What b has
	 * that a has not, or has otherwise, in b's order; then what a alone has. */
	for (i = j = 0; i < na || j < nb;) {
		const rentry *ea = i < na ? &ta->e[i] : NULL;
		const rentry *eb = j < nb ? &tb->e[j] : NULL;
		int cmp = !ea ? 1 : !eb ? -1 : rentry_cmp(ea, eb);

		if (cmp < 0) {
			if (n_alone == cap_alone) {
				cap_alone = cap_alone ? 2 * cap_alone : 16;
				alone = xrealloc(alone, cap_alone * sizeof(*alone));
			}
			alone[n_alone++] = ea;
			i++;
			continue;
		}
		j++;
		if (cmp == 0) {
			i++;
			if (memcmp(ea->oid, eb->oid, GIT_OID_RAWSZ) == 0 && ea->type == eb->type)
				continue;
		}
		if (entry_change(sd, c, cmp == 0 ? ea : NULL, eb, dir) < 0)
			goto done;
	}
	for (size_t k = 0; k < n_alone; k++)
		if (entry_change(sd, c, alone[k], NULL, dir) < 0)
			goto done;
	rc = 0;
done:
	if (rc < 0)
		crmf_error_set("cannot read a tree of the history: %s", crmf_git_msg());
	free(alone);
	rtree_release(ta);
	rtree_release(tb);
	return rc;
}

/* The id of the folder `path` ("examples/customers") in `tree`; false when there is none. */
static bool folder_id(git_oid *out, git_tree *tree, const char *path)
{
	git_tree_entry *e = NULL;
	bool ok;

	if (!tree || git_tree_entry_bypath(&e, tree, path) < 0) {
		git_error_clear();
		return false;
	}
	ok = git_tree_entry_type(e) == GIT_OBJECT_TREE;
	if (ok)
		*out = *git_tree_entry_id(e);
	git_tree_entry_free(e);
	return ok;
}

static int touch_cmp(const void *a, const void *b)
{
	return strcmp(((const struct touch *)a)->id, ((const struct touch *)b)->id);
}

/* Record `commit` and the customers whose files it changed (`sd`), each once. */
static void touch_commit(crmf_changes *ch, const git_commit *commit, const sides *sd)
{
	size_t first = ch->n_touches, k;

	if (!sd->n)
		return;
	if (ch->n_commits == ch->cap_commits) {
		ch->cap_commits = ch->cap_commits ? 2 * ch->cap_commits : 1024;
		ch->commits = xrealloc(ch->commits, ch->cap_commits * sizeof(*ch->commits));
	}
	memcpy(ch->commits[ch->n_commits].oid, git_commit_id(commit)->id, GIT_OID_RAWSZ);
	ch->commits[ch->n_commits].time = (long long)git_commit_time(commit);
	if (ch->n_touches + sd->n > ch->cap_touches) {
		while (ch->n_touches + sd->n > ch->cap_touches)
			ch->cap_touches = ch->cap_touches ? 2 * ch->cap_touches : 4096;
		ch->touches = xrealloc(ch->touches, ch->cap_touches * sizeof(*ch->touches));
	}
	for (size_t i = 0; i < sd->n; i++)
		ch->touches[ch->n_touches++] =
			(struct touch){(uint32_t)ch->n_commits, intern0(ch, sd->v[i].id)};
	/* by id (the index's bytes are the same whichever way it was built), an id
	 * twice (a move: its old and new side) once */
	if (ch->n_touches - first > 1) {
		qsort(ch->touches + first, ch->n_touches - first, sizeof(*ch->touches), touch_cmp);
		for (size_t i = k = first + 1; i < ch->n_touches; i++)
			if (ch->touches[i].id != ch->touches[k - 1].id)
				ch->touches[k++] = ch->touches[i];
		ch->n_touches = k;
	}
	ch->n_commits++;
}

static int commit_events(crmf_changes *ch, const repo_ctx *c, git_commit *commit)
{
	git_commit *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	const git_signature *who = git_commit_author(commit);
	commit_info ci = {who->when.time, 0, intern0(ch, who->email)};
	sides sd = {0};
	size_t n = 0;
	side *v;
	int rc = -1;

	ci.day = day_of(who->when.time + (long long)who->when.offset * 60);
	if (git_commit_tree(&tree, commit) < 0 ||
	    (git_commit_parentcount(commit) > 0 &&
	     (git_commit_parent(&parent, commit, 0) < 0 || git_commit_tree(&ptree, parent) < 0))) {
		crmf_error_set("cannot read a commit of the history: %s", crmf_git_msg());
		goto done;
	}
	for (int f = 0; f < 2; f++) {
		char *dir = xasprintf("%s%s", c->prefix, f ? "archive" : "customers");
		char *sub = xasprintf("%s/", dir);
		git_oid a, b;
		bool ha = folder_id(&a, ptree, dir), hb = folder_id(&b, tree, dir);

		rc = compare_trees(&sd, c, ha ? &a : NULL, hb ? &b : NULL, sub);
		free(dir);
		free(sub);
		if (rc < 0)
			goto done;
	}
	rc = -1;
	/* history's candidates: every customer whose file this commit changed
	 * against its first parent (a merge's too: crmf history decides) */
	touch_commit(ch, commit, &sd);
	/* a merge: what it took unchanged from another parent is that side's */
	if (git_commit_parentcount(commit) > 1) {
		for (size_t i = 0; i < sd.n; i++) {
			bool keep = !from_other_parent(c, commit, sd.v[i].path, &sd.v[i].oid, sd.v[i].old);

			if (keep)
				sd.v[n++] = sd.v[i];
			else {
				free(sd.v[i].id);
				free(sd.v[i].path);
			}
		}
		sd.n = n;
	}
	v = sd.v;
	n = sd.n;
	if (n > 1)
		qsort(v, n, sizeof(*v), side_cmp);
	/* a deferred walk reads the old versions now, the new ones at the end */
	prefetch_states(c, v, n, ch->defer);
	for (size_t i = 0, k; i < n; i = k) {
		const side *o = NULL, *nw = NULL;
		state was, now;

		/* the versions of one customer: before (old side) and after (new side);
		 * a file in two folders at once counts once */
		for (k = i; k < n && strcmp(v[k].id, v[i].id) == 0; k++) {
			if (v[k].old && !o)
				o = &v[k];
			else if (!v[k].old && !nw)
				nw = &v[k];
		}
		if (o)
			read_state(&was, c, &o->oid, o->path);
		if (nw && ch->defer && !memo_slot(&nw->oid)->used && !needs_filters(c, nw->path)) {
			pending_add(ch, &ci, v[i].id, o ? &was : NULL, nw);
			continue;
		}
		if (nw)
			read_state(&now, c, &nw->oid, nw->path);
		compare(ch, &ci, v[i].id, o ? &was : NULL, nw ? &now : NULL);
		if (o)
			state_release(&was);
		if (nw)
			state_release(&now);
	}
	rc = 0;
done:
	for (size_t i = 0; i < sd.n; i++) {
		free(sd.v[i].id);
		free(sd.v[i].path);
	}
	free(sd.v);
	git_tree_free(ptree);
	git_tree_free(tree);
	git_commit_free(parent);
	return rc;
}

/* Walk the commits of `head` not in `hide` (NULL: all), oldest first: git's
 * date order (a commit after its parents, else by commit time) reversed, so
 * that crmf history, reading the index backwards, lists commits as its own
 * walk would. */
static int walk(crmf_changes *ch, size_t *walked, const repo_ctx *c, const git_oid *head,
		const git_oid *hide)
{
	git_revwalk *w = NULL;
	git_oid oid;
	int rc = -1, e;

	/* objects read back are not hashed again (git does not either): a walk
	 * reads a tree or two per commit */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	{
		char *objects = xasprintf("%sobjects", git_repository_commondir(c->repo));

		walk_packs = crmf_packs_open(objects);
		walk_loose.dirfd = open(objects, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(objects);
	}
	if (git_revwalk_new(&w, c->repo) < 0 ||
	    git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(w, head) < 0 || (hide && git_revwalk_hide(w, hide) < 0)) {
		crmf_error_set("cannot walk the history: %s", crmf_git_msg());
		goto done;
	}
	while ((e = git_revwalk_next(&oid, w)) == 0) {
		git_commit *commit = NULL;

		if (git_commit_lookup(&commit, c->repo, &oid) < 0) {
			crmf_error_set("cannot read commit: %s", crmf_git_msg());
			goto done;
		}
		rc = commit_events(ch, c, commit);
		git_commit_free(commit);
		trees_next();
		if (rc < 0)
			goto done;
		(*walked)++;
	}
	if (e != GIT_ITEROVER) {
		crmf_error_set("cannot walk the history: %s", crmf_git_msg());
		rc = -1;
		goto done;
	}
	rc = 0;
done:
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1);
	/* a deferred walk's versions read so far serve crmf_changes_finish too */
	if (!ch->defer || rc < 0 || !ch->n_pend) {
		memos_free();
		filter_memos_free();
	}
	tree_memo_clear(&trees_cur);
	tree_memo_clear(&trees_prev);
	crmf_packs_close(walk_packs);
	walk_packs = NULL;
	if (walk_loose.dirfd >= 0)
		close(walk_loose.dirfd);
	if (walk_loose.zs_ok)
		inflateEnd(&walk_loose.zs);
	free(walk_loose.buf);
	memset(&walk_loose, 0, sizeof(walk_loose));
	walk_loose.dirfd = -1;
	git_odb_free(walk_odb);
	walk_odb = NULL;
	git_revwalk_free(w);
	return rc;
}

/* The index brought up to date: read, extended or rebuilt; walking with
 * `defer`, see crmf_ctx_changes_deferred. */
static int ctx_changes(crmf_changes **out, size_t *walked, const repo_ctx *c, bool defer)
{
	crmf_changes *ch = xcalloc(1, sizeof(*ch));
	char *path;
	git_oid head;
	size_t w = 0;
	bool loaded;
	int rc;

	*out = NULL;
	if (git_reference_name_to_id(&head, c->repo, "HEAD") < 0) {
		git_error_clear();
		*out = ch; /* no commit yet: no history */
		if (walked)
			*walked = 0;
		return 0;
	}
	path = crmf_ctx_gitdir_file(c, "crmf/changes", false);
	loaded = load(ch, path, c->prefix);
	free(path);
	if (loaded && git_oid_equal(&ch->head, &head)) {
		rc = 0;
	} else if (ch->has_head && git_graph_descendant_of(c->repo, &head, &ch->head) == 1) {
		ch->defer = defer;
		rc = walk(ch, &w, c, &head, &ch->head);
	} else {
		git_error_clear();
		crmf_changes_free(ch);
		ch = xcalloc(1, sizeof(*ch));
		ch->defer = defer;
		rc = walk(ch, &w, c, &head, NULL);
	}
	ch->defer = false;
	if (rc < 0) {
		crmf_changes_free(ch);
		return -1;
	}
	if (w > 0 || !git_oid_equal(&ch->head, &head)) {
		ch->head = head;
		ch->has_head = true;
		if (defer)
			ch->unsaved = true; /* saved whole by crmf_changes_save, once finished */
		else
			save(ch, c);
	}
	if (walked)
		*walked = w;
	*out = ch;
	return 0;
}

int crmf_ctx_changes(crmf_changes **out, size_t *walked, const repo_ctx *c)
{
	return ctx_changes(out, walked, c, false);
}

int crmf_ctx_changes_deferred(crmf_changes **out, size_t *walked, const repo_ctx *c)
{
	return ctx_changes(out, walked, c, true);
}

size_t crmf_changes_commits(const crmf_changes_commit **v, const crmf_changes *ch)
{
	*v = ch->commits;
	return ch->n_commits;
}

size_t crmf_changes_touching(size_t **out, const crmf_changes *ch, const char *id)
{
	size_t n = 0, cap = 0;

	*out = NULL;
	for (size_t i = 0; i < ch->n_touches; i++) {
		if (strcmp(ch->touches[i].id, id) != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[n++] = ch->touches[i].commit;
	}
	return n;
}

bool crmf_changes_unfinished(const crmf_changes *ch)
{
	return ch && ch->n_pend;
}

/* Room in the memos for `more` states, made at once. */
static void memos_reserve(size_t more)
{
	size_t cap = memos.cap ? memos.cap : 4096;

	while (2 * (memos.n + more + 1) > cap)
		cap *= 2;
	if (cap > memos.cap)
		memos_rehash(cap);
}

int crmf_changes_finish(crmf_changes *ch, const repo_ctx *c, const crmf_worktree *w)
{
	crmf_change_event *old;
	size_t old_n, old_mapped, k = 0;
	side *rest;
	size_t n_rest = 0;

	if (!ch->unsaved || !ch->n_pend)
		return 0;
	memos_reserve(ch->n_pend);
	/* the versions not read yet: from the work tree where it holds them, else from git */
	rest = xcalloc(ch->n_pend + 1, sizeof(*rest));
	for (size_t i = 0; i < ch->n_pend; i++)
		if (!memo_slot(&ch->pend[i].oid)->used)
			rest[n_rest++] = (side){NULL, ch->pend[i].path, ch->pend[i].oid, false};
	worktree_states(c, rest, n_rest, w);
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	prefetch_states(c, rest, n_rest, false);
	free(rest);
	/* their events, each where the walk would have put it */
	old = ch->v;
	old_n = ch->n;
	old_mapped = ch->v_mapped;
	/* room for every event at once: a version gives five at most */
	ch->cap = old_n + 5 * ch->n_pend + 1;
	ch->v = xmalloc(ch->cap * sizeof(*ch->v));
	ch->n = ch->v_mapped = 0;
	for (size_t i = 0; i < ch->n_pend; i++) {
		struct pending *p = &ch->pend[i];
		const memo *m = memo_of(c, &p->oid, p->path);
		state now;

		if (p->at > k) {
			memcpy(ch->v + ch->n, old + k, (p->at - k) * sizeof(*old));
			ch->n += p->at - k;
			k = p->at;
		}
		now = m->s; /* the memo's strings, not copied: compare interns what it keeps */
		now.archived = archived_path(c, p->path);
		compare(ch, &p->ci, p->id, p->has_was ? &p->was : NULL, &now);
	}
	if (old_n > k) {
		memcpy(ch->v + ch->n, old + k, (old_n - k) * sizeof(*old));
		ch->n += old_n - k;
	}
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1);
	if (old_mapped)
		crmf_table_free(old, old_mapped, sizeof(*old));
	else
		free(old);
	memos_free();
	filter_memos_free();
	pending_free(ch);
	return 0;
}

void crmf_changes_save(crmf_changes *ch, const repo_ctx *c)
{
	if (!ch || !ch->unsaved || ch->n_pend)
		return;
	save(ch, c);
	ch->unsaved = false;
}

/* ---- the index without libgit2 ---- */

/* The 40 hex digits at p (then a line break) as an oid; false otherwise. */
static bool hex_oid(git_oid *out, const char *p, size_t len)
{
	if (len != GIT_OID_HEXSZ + 1 || p[GIT_OID_HEXSZ] != '\n')
		return false;
	for (size_t i = 0; i < GIT_OID_RAWSZ; i++) {
		int v = 0;

		for (int k = 0; k < 2; k++) {
			char x = p[2 * i + (size_t)k];

			v <<= 4;
			if (x >= '0' && x <= '9')
				v |= x - '0';
			else if (x >= 'a' && x <= 'f')
				v |= x - 'a' + 10;
			else
				return false;
		}
		out->id[i] = (unsigned char)v;
	}
	return true;
}

/* The oid of `ref` ("refs/heads/main") in packed-refs; false when it is not there. */
static bool packed_ref(git_oid *out, const char *gitdir, const char *ref)
{
	char *path = xasprintf("%s/packed-refs", gitdir), *buf = NULL;
	size_t len = 0, rl = strlen(ref);
	bool found = false;

	if (crmf_doc_read(&buf, &len, path) == 0) {
		for (const char *p = buf, *end = buf + len; p < end && !found;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);

			/* "<40 hex> <ref>" lines; comments and peeled ("^") lines skipped */
			if (ll == GIT_OID_HEXSZ + 1 + rl && p[GIT_OID_HEXSZ] == ' ' &&
			    memcmp(p + GIT_OID_HEXSZ + 1, ref, rl) == 0) {
				char line[GIT_OID_HEXSZ + 1];

				memcpy(line, p, GIT_OID_HEXSZ);
				line[GIT_OID_HEXSZ] = '\n';
				found = hex_oid(out, line, sizeof(line));
				break;
			}
			p = nl ? nl + 1 : end;
		}
	}
	free(buf);
	free(path);
	return found;
}

/* HEAD of the git directory, read as git stores it in the usual case (a
 * branch in a loose file or packed-refs, or a detached id); false for
 * anything else (no commit yet, reftable, a symbolic ref to a symbolic ref). */
static bool head_fast(git_oid *out, const char *gitdir)
{
	char *path = xasprintf("%s/HEAD", gitdir), *buf = NULL, *ref = NULL, *rbuf = NULL;
	size_t len = 0, rlen = 0;
	struct stat st;
	bool ok = false;

	if (crmf_doc_read(&buf, &len, path) != 0)
		goto done;
	if (hex_oid(out, buf, len)) {
		ok = true;
		goto done;
	}
	if (len < 17 || memcmp(buf, "ref: refs/heads/", 16) != 0 || buf[len - 1] != '\n' ||
	    memchr(buf, '\0', len) || strstr(buf, ".."))
		goto done;
	buf[len - 1] = '\0';
	ref = xasprintf("%s/%s", gitdir, buf + 5);
	if (lstat(ref, &st) == 0)
		ok = S_ISREG(st.st_mode) && crmf_doc_read(&rbuf, &rlen, ref) == 0 &&
		     hex_oid(out, rbuf, rlen);
	else
		ok = errno == ENOENT && packed_ref(out, gitdir, buf + 5);
done:
	free(rbuf);
	free(ref);
	free(buf);
	free(path);
	return ok;
}

int crmf_changes_read_fast(crmf_changes **out, const char *root)
{
	char *abs = realpath(root, NULL), *wt = NULL, *gitdir = NULL, *prefix = NULL, *path;
	crmf_changes *ch;
	git_oid head;
	size_t wl;
	bool ok;

	*out = NULL;
	if (!abs || crmf_worktree_fast(&wt, abs) != 0) {
		free(abs);
		return 1;
	}
	wl = strcmp(wt, "/") == 0 ? 0 : strlen(wt);
	gitdir = xasprintf("%s/.git", wl ? wt : "");
	/* the prefix as crmf_ctx_open makes it: "" or "sub/dir/" */
	prefix = abs[wl] == '/' && abs[wl + 1] ? xasprintf("%s/", abs + wl + 1) : xstrdup("");
	path = xasprintf("%s/crmf/changes", gitdir);
	ch = xcalloc(1, sizeof(*ch));
	ok = head_fast(&head, gitdir) && load(ch, path, prefix) && git_oid_equal(&ch->head, &head);
	free(path);
	free(prefix);
	free(gitdir);
	free(wt);
	free(abs);
	if (!ok) {
		crmf_changes_free(ch);
		return 1;
	}
	*out = ch;
	return 0;
}
