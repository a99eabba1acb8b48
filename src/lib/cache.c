/* SPDX-License-Identifier: MIT */
/* The validation cache file: stat data, content hash and record per customer file, read by entry and written whole. */
#include "crmf/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/diag.h"
#include "util.h"

/*
 * Layout (native byte order: the cache never leaves the machine):
 *   header (64 bytes): magic, u32 format, u32 header size, key (2 x u64),
 *     u64 entries, u64 index offset, u64 index length, u64 checksum of the
 *     header's first 56 bytes, every index entry and the extra block;
 *   records, back to back from offset 64, each: u64 checksum of the rest,
 *     u32 record length, u32 zero, the record, zeros to a multiple of 8;
 *   the index: per entry in path order, u64 record offset, u32 record
 *     length, u32 flags, i64 mtime, i64 ctime, u64 size, u64 inode, 2 x u64
 *     content hash, u64 aux, u16 path length, the path; then u64 extra length
 *     (UINT64_MAX: none) and the extra block.
 */
#define MAGIC "CRMFCAC2"
#define FORMAT 2
#define HEADER_SIZE 64
#define REC_HEAD 16
#define INDEX_HEAD 74
#define NO_EXTRA UINT64_MAX

/* ---- hashing ---- */

static uint64_t load64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t fmix(uint64_t h)
{
	h ^= h >> 31;
	h *= 0x7fb5d329728ea185ULL;
	h ^= h >> 27;
	h *= 0x81dadef4bc2dd44dULL;
	h ^= h >> 33;
	return h;
}

/* Two independent lanes of multiply-rotate over 16-byte blocks: about a
 * gigabyte per second and a half, plenty to hash a file before skipping it. */
crmf_hash crmf_hash_bytes(crmf_hash seed, const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t a = seed.a ^ 0x243f6a8885a308d3ULL ^ n, b = seed.b ^ 0x13198a2e03707344ULL;
	unsigned char tail[16];
	crmf_hash h;

	while (n >= 16) {
		a = rotl((a ^ load64(p)) * 0x9e3779b97f4a7c15ULL, 29);
		b = rotl((b ^ load64(p + 8)) * 0xc2b2ae3d27d4eb4fULL, 31);
		p += 16;
		n -= 16;
	}
	memset(tail, 0, sizeof(tail));
	memcpy(tail, p, n);
	tail[15] = (unsigned char)n;
	a = rotl((a ^ load64(tail)) * 0x9e3779b97f4a7c15ULL, 29);
	b = rotl((b ^ load64(tail + 8)) * 0xc2b2ae3d27d4eb4fULL, 31);
	h.a = fmix(a ^ rotl(b, 17));
	h.b = fmix(b + h.a);
	return h;
}

bool crmf_cache_stat_equal(const crmf_cache_stat *a, const crmf_cache_stat *b)
{
	return a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns && a->size == b->size &&
	       a->ino == b->ino;
}

static size_t framed(size_t rec_len)
{
	return (REC_HEAD + rec_len + 7) / 8 * 8;
}

void crmf_cache_stat_from(crmf_cache_stat *out, const struct stat *st)
{
	out->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	out->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
	out->size = (uint64_t)st->st_size;
	out->ino = (uint64_t)st->st_ino;
}

/* ---- where ---- */

/* The git dir named by a `.git` file ("gitdir: PATH"), malloc'ed, or NULL. */
static char *gitdir_from_file(const char *dir, const char *dotgit)
{
	char buf[4096];
	FILE *f = fopen(dotgit, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (strncmp(buf, "gitdir: ", 8) != 0)
		return NULL;
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[8] == '/')
		return xstrdup(buf + 8);
	return xasprintf("%s/%s", dir, buf + 8);
}

int crmf_cache_path(char **out, const char *root)
{
	char *dir = xstrdup(root), *gitdir = NULL;
	size_t rootlen = strlen(root);

	*out = NULL;
	for (;;) {
		char *dotgit = xasprintf("%s/.git", *dir ? dir : "");
		struct stat st;

		if (stat(dotgit, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				gitdir = dotgit;
			else {
				gitdir = gitdir_from_file(*dir ? dir : "/", dotgit);
				free(dotgit);
			}
			break;
		}
		free(dotgit);
		char *slash = strrchr(dir, '/');

		if (!slash || !*dir)
			break;
		*slash = '\0';
	}
	if (!gitdir) {
		free(dir);
		return crmf_error_set("'%s' is in no git work tree", root);
	}
	/* one cache per crmf repository of the work tree */
	if (strlen(dir) == rootlen) {
		*out = xasprintf("%s/crmf/cache", gitdir);
	} else {
		const char *sub = root + strlen(dir) + 1;
		crmf_hash h = crmf_hash_bytes((crmf_hash){0, 0}, sub, strlen(sub));

		*out = xasprintf("%s/crmf/cache-%016llx", gitdir, (unsigned long long)h.a);
	}
	/* a scan whose messages are translated keeps a cache of its own, so that
	 * the English one (JSON, scripts) is never rebuilt for it nor it for them */
	if (crmf_translate_lang()) {
		char *p = xasprintf("%s.%s", *out, crmf_translate_lang());

		free(*out);
		*out = p;
	}
	free(gitdir);
	free(dir);
	return 0;
}

/* ---- reading ---- */

struct slot {
	crmf_cache_info info;
	uint64_t off; /* of the framed record */
};

struct crmf_cache {
	int fd;
	int64_t mtime_sec; /* when the cache was written */
	size_t n;
	struct slot *e; /* per file */
	bool *has;
	bool complete;
	void *extra;
	size_t extra_len;
	bool has_extra;
};

static bool read_all(int fd, void *buf, size_t n, uint64_t off)
{
	char *p = buf;

	while (n) {
		ssize_t r = pread(fd, p, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return true;
}

static int cmp_path(const char *file, const unsigned char *p, size_t plen)
{
	size_t flen = strlen(file);
	int c = memcmp(file, p, flen < plen ? flen : plen);

	if (c)
		return c;
	return flen < plen ? -1 : flen > plen;
}

/* A sequential reader of the index region that keeps whole items in its buffer. */
struct seq {
	int fd;
	unsigned char *buf;
	size_t have, at, cap;
	uint64_t pos, end;
};

/* Make `n` bytes available at s->buf + s->at; false past the end or on error. */
static bool seq_need(struct seq *s, size_t n)
{
	if (s->have - s->at >= n)
		return true;
	memmove(s->buf, s->buf + s->at, s->have - s->at);
	s->have -= s->at;
	s->at = 0;
	if (n > s->cap) {
		s->cap = n + (1 << 16);
		s->buf = xrealloc(s->buf, s->cap);
	}
	while (s->have < n) {
		size_t want = s->cap - s->have;

		if (s->pos >= s->end)
			return false;
		if (want > s->end - s->pos)
			want = (size_t)(s->end - s->pos);
		if (!read_all(s->fd, s->buf + s->have, want, s->pos))
			return false;
		s->have += want;
		s->pos += want;
	}
	return true;
}

/* Match the index entries against the sorted file paths; false when the index
 * is damaged (out of order, records not back to back, beyond its bounds, or
 * the checksum does not match). */
static bool read_index(crmf_cache *c, const unsigned char *hdr, uint64_t n_entries,
		       uint64_t index_off, uint64_t index_len, uint64_t checksum,
		       const char *const *paths, size_t n)
{
	struct seq s = {c->fd, xmalloc(1 << 16), 0, 0, 1 << 16, index_off, index_off + index_len};
	crmf_hash h = crmf_hash_bytes((crmf_hash){0, 0}, hdr, 56);
	uint64_t next_rec = HEADER_SIZE, extra_len;
	unsigned char *prev = xmalloc(65536);
	size_t j = 0, matched = 0, prev_len = 0;
	bool ok = false, first = true;

	for (uint64_t e = 0; e < n_entries; e++) {
		const unsigned char *p;
		uint16_t plen;
		uint64_t off;
		uint32_t rec_len;
		int cmp = 1;

		if (!seq_need(&s, INDEX_HEAD))
			goto done;
		memcpy(&plen, s.buf + s.at + INDEX_HEAD - 2, 2);
		if (!seq_need(&s, INDEX_HEAD + (size_t)plen))
			goto done;
		p = s.buf + s.at;
		h = crmf_hash_bytes(h, p, INDEX_HEAD + (size_t)plen);
		memcpy(&off, p, 8);
		memcpy(&rec_len, p + 8, 4);
		/* records follow each other in path order */
		if (off != next_rec || off + framed(rec_len) > index_off)
			goto done;
		next_rec = off + framed(rec_len);
		if (!first) {
			int o = memcmp(prev, p + INDEX_HEAD, prev_len < plen ? prev_len : plen);

			if (o > 0 || (o == 0 && prev_len >= plen))
				goto done;
		}
		memcpy(prev, p + INDEX_HEAD, plen);
		prev_len = plen;
		first = false;
		while (j < n && (cmp = cmp_path(paths[j], p + INDEX_HEAD, plen)) < 0)
			j++;
		if (j < n && cmp == 0) {
			struct slot *sl = &c->e[j];

			sl->off = off;
			sl->info.rec_len = rec_len;
			memcpy(&sl->info.flags, p + 12, 4);
			memcpy(&sl->info.st.mtime_ns, p + 16, 8);
			memcpy(&sl->info.st.ctime_ns, p + 24, 8);
			memcpy(&sl->info.st.size, p + 32, 8);
			memcpy(&sl->info.st.ino, p + 40, 8);
			memcpy(&sl->info.content.a, p + 48, 8);
			memcpy(&sl->info.content.b, p + 56, 8);
			memcpy(&sl->info.aux, p + 64, 8);
			c->has[j] = true;
			matched++;
			j++;
		}
		s.at += INDEX_HEAD + (size_t)plen;
	}
	if (next_rec != index_off || !seq_need(&s, 8))
		goto done;
	memcpy(&extra_len, s.buf + s.at, 8);
	h = crmf_hash_bytes(h, s.buf + s.at, 8);
	s.at += 8;
	if (extra_len != NO_EXTRA) {
		if (extra_len > index_len || !seq_need(&s, (size_t)extra_len))
			goto done;
		h = crmf_hash_bytes(h, s.buf + s.at, (size_t)extra_len);
		c->extra = xmalloc((size_t)extra_len + 1);
		memcpy(c->extra, s.buf + s.at, (size_t)extra_len);
		c->extra_len = (size_t)extra_len;
		c->has_extra = true;
		s.at += (size_t)extra_len;
	}
	if (s.at != s.have || s.pos != s.end || h.a != checksum)
		goto done;
	c->complete = matched == n && n_entries == n;
	ok = true;
done:
	free(prev);
	free(s.buf);
	return ok;
}

int crmf_cache_open(crmf_cache **out, const char *path, crmf_hash key, const char *const *paths,
		    size_t n)
{
	unsigned char hdr[HEADER_SIZE];
	uint64_t ka, kb, n_entries, index_off, index_len, checksum;
	uint32_t format, hsize;
	struct stat st;
	crmf_cache *c;

	*out = NULL;
	c = xcalloc(1, sizeof(*c));
	c->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0 || fstat(c->fd, &st) != 0 || !read_all(c->fd, hdr, sizeof(hdr), 0))
		goto fail;
	memcpy(&format, hdr + 8, 4);
	memcpy(&hsize, hdr + 12, 4);
	memcpy(&ka, hdr + 16, 8);
	memcpy(&kb, hdr + 24, 8);
	memcpy(&n_entries, hdr + 32, 8);
	memcpy(&index_off, hdr + 40, 8);
	memcpy(&index_len, hdr + 48, 8);
	memcpy(&checksum, hdr + 56, 8);
	if (memcmp(hdr, MAGIC, 8) != 0 || format != FORMAT || hsize != HEADER_SIZE ||
	    ka != key.a || kb != key.b || index_off < HEADER_SIZE ||
	    index_off + index_len != (uint64_t)st.st_size ||
	    index_len < n_entries * INDEX_HEAD + 8 || n_entries > (uint64_t)st.st_size / REC_HEAD)
		goto fail;
	c->mtime_sec = (int64_t)st.st_mtim.tv_sec;
	c->n = n;
	c->e = xcalloc(n ? n : 1, sizeof(*c->e));
	c->has = xcalloc(n ? n : 1, sizeof(*c->has));
	if (!read_index(c, hdr, n_entries, index_off, index_len, checksum, paths, n))
		goto fail;
	*out = c;
	return 0;
fail:
	crmf_cache_close(c);
	return 0;
}

const crmf_cache_info *crmf_cache_info_of(const crmf_cache *c, size_t i)
{
	return c && i < c->n && c->has[i] ? &c->e[i].info : NULL;
}

bool crmf_cache_complete(const crmf_cache *c)
{
	return c && c->complete;
}

bool crmf_cache_racy(const crmf_cache *c, const crmf_cache_stat *st)
{
	return st->mtime_ns >= c->mtime_sec * 1000000000;
}

const void *crmf_cache_extra(const crmf_cache *c, size_t *len)
{
	*len = c && c->has_extra ? c->extra_len : 0;
	return c && c->has_extra ? c->extra : NULL;
}

/* Whether a framed record read from the file is whole and as indexed. */
static bool record_ok(const unsigned char *p, uint32_t rec_len)
{
	uint64_t sum;
	uint32_t len;
	crmf_hash h;

	memcpy(&sum, p, 8);
	memcpy(&len, p + 8, 4);
	if (len != rec_len)
		return false;
	h = crmf_hash_bytes((crmf_hash){0, 0}, p + 8, framed(rec_len) - 8);
	return h.a == sum;
}

void *crmf_cache_read(const crmf_cache *c, size_t first, size_t end, const bool *want,
		      const void **rec, size_t *len)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	unsigned char *buf;

	for (size_t i = first; i < end; i++) {
		rec[i - first] = NULL;
		len[i - first] = 0;
		if (!c->has[i] || (want && !want[i - first]))
			continue;
		if (c->e[i].off < lo)
			lo = c->e[i].off;
		if (c->e[i].off + framed(c->e[i].info.rec_len) > hi)
			hi = c->e[i].off + framed(c->e[i].info.rec_len);
	}
	if (lo >= hi)
		return NULL;
	buf = xmalloc((size_t)(hi - lo));
	if (!read_all(c->fd, buf, (size_t)(hi - lo), lo)) {
		free(buf);
		return NULL;
	}
	for (size_t i = first; i < end; i++) {
		const unsigned char *p;

		if (!c->has[i] || (want && !want[i - first]))
			continue;
		p = buf + (c->e[i].off - lo);
		if (!record_ok(p, c->e[i].info.rec_len))
			continue;
		rec[i - first] = p + REC_HEAD;
		len[i - first] = c->e[i].info.rec_len;
	}
	return buf;
}

void crmf_cache_close(crmf_cache *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->e);
	free(c->has);
	free(c->extra);
	free(c);
}

/* ---- writing ---- */

struct wentry {
	const char *path;
	uint64_t off;
	crmf_cache_info info;
};

struct crmf_cache_writer {
	int fd;
	char *path, *tmp;
	crmf_hash key;
	uint64_t off;        /* logical end: written, buffered and pending bytes */
	unsigned char *buf;  /* bytes not yet written, ending at off - pending */
	size_t used;
	const crmf_cache *from; /* pending copy of [from_lo, from_hi) of this old cache */
	uint64_t from_lo, from_hi;
	struct wentry *ix;
	size_t n, cap;
	bool failed;
};

enum { WBUF = 1 << 18 };

static void wflush(crmf_cache_writer *w)
{
	unsigned char *p = w->buf;
	size_t n = w->used;

	while (n && !w->failed) {
		ssize_t r = write(w->fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			w->failed = true;
		else
			p += r, n -= (size_t)r;
	}
	w->used = 0;
}

/* Write the pending copy from the old cache (after what is buffered). */
static void flush_pending(crmf_cache_writer *w)
{
	uint64_t from = w->from_lo, to = w->from_hi;

	if (!w->from)
		return;
	wflush(w);
	/* the kernel copies page cache to page cache; fall back to read and write */
	while (from < to && !w->failed) {
		loff_t in = (loff_t)from;
		ssize_t r = copy_file_range(w->from->fd, &in, w->fd, NULL, (size_t)(to - from), 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		from += (uint64_t)r;
	}
	while (from < to && !w->failed) {
		size_t k = to - from < WBUF ? (size_t)(to - from) : WBUF;

		if (!read_all(w->from->fd, w->buf, k, from)) {
			w->failed = true;
			break;
		}
		w->used = k;
		wflush(w);
		from += k;
	}
	w->from = NULL;
}

static void wput(crmf_cache_writer *w, const void *p, size_t n)
{
	const unsigned char *s = p;

	flush_pending(w);
	w->off += n;
	while (n) {
		size_t k = WBUF - w->used < n ? WBUF - w->used : n;

		memcpy(w->buf + w->used, s, k);
		w->used += k;
		s += k;
		n -= k;
		if (w->used == WBUF)
			wflush(w);
	}
}

static void mkdir_parent(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	if (slash) {
		*slash = '\0';
		mkdir(dir, 0777);
	}
	free(dir);
}

int crmf_cache_writer_open(crmf_cache_writer **out, const char *path, crmf_hash key)
{
	crmf_cache_writer *w = xcalloc(1, sizeof(*w));
	unsigned char zero[HEADER_SIZE] = {0};

	*out = NULL;
	mkdir_parent(path);
	w->path = xstrdup(path);
	w->tmp = xasprintf("%s.tmp-XXXXXX", path);
	w->fd = mkstemp(w->tmp);
	if (w->fd < 0) {
		int e = errno;

		free(w->tmp);
		free(w->path);
		free(w);
		return crmf_error_set("cannot write the cache '%s': %s", path, strerror(e));
	}
	fchmod(w->fd, 0644);
	w->key = key;
	w->buf = xmalloc(WBUF);
	wput(w, zero, sizeof(zero));
	*out = w;
	return 0;
}

static struct wentry *add_index(crmf_cache_writer *w, const char *relpath)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 1024;
		w->ix = xrealloc(w->ix, w->cap * sizeof(*w->ix));
	}
	w->ix[w->n].path = relpath;
	w->ix[w->n].off = w->off;
	return &w->ix[w->n++];
}

void crmf_cache_writer_add(crmf_cache_writer *w, const char *relpath, const crmf_cache_stat *st,
			   crmf_hash content, uint32_t flags, uint64_t aux, const void *rec,
			   size_t rec_len)
{
	size_t len = framed(rec_len);
	uint32_t rec32 = (uint32_t)rec_len;
	unsigned char stack[4096], *e;
	struct wentry *x;
	crmf_hash h;

	if (strlen(relpath) > 65535 || len > UINT32_MAX)
		return; /* cannot be indexed: the file is simply not cached */
	e = len <= sizeof(stack) ? stack : xmalloc(len);
	memset(e, 0, REC_HEAD);
	memcpy(e + 8, &rec32, 4);
	memcpy(e + REC_HEAD, rec, rec_len);
	memset(e + REC_HEAD + rec_len, 0, len - REC_HEAD - rec_len);
	h = crmf_hash_bytes((crmf_hash){0, 0}, e + 8, len - 8);
	memcpy(e, &h.a, 8);
	flush_pending(w);
	x = add_index(w, relpath);
	x->info.st = *st;
	x->info.content = content;
	x->info.flags = flags;
	x->info.aux = aux;
	x->info.rec_len = rec32;
	wput(w, e, len);
	if (e != stack)
		free(e);
}

void crmf_cache_writer_keep(crmf_cache_writer *w, const crmf_cache *old, size_t i,
			    const char *relpath, const crmf_cache_stat *st)
{
	const struct slot *sl = &old->e[i];
	uint64_t len = framed(sl->info.rec_len);
	struct wentry *x;

	if (w->from && (w->from != old || w->from_hi != sl->off))
		flush_pending(w);
	if (!w->from) {
		w->from = old;
		w->from_lo = w->from_hi = sl->off;
	}
	x = add_index(w, relpath);
	x->info = sl->info;
	if (st)
		x->info.st = *st;
	w->from_hi += len;
	w->off += len;
}

size_t crmf_cache_writer_count(const crmf_cache_writer *w)
{
	return w->n;
}

int crmf_cache_writer_each(crmf_cache_writer *w,
			   void (*fn)(void *ctx, size_t k, const void *rec, size_t len), void *ctx)
{
	enum { CHUNK = 1 << 20 };
	unsigned char *buf;
	size_t k = 0;

	flush_pending(w);
	wflush(w);
	if (w->failed)
		return -1;
	buf = xmalloc(CHUNK);
	while (k < w->n) {
		uint64_t lo = w->ix[k].off, hi = lo;
		size_t end = k;

		/* as many whole records as fit in the buffer (at least one) */
		while (end < w->n &&
		       (end == k || w->ix[end].off + framed(w->ix[end].info.rec_len) - lo <= CHUNK))
			hi = w->ix[end].off + framed(w->ix[end].info.rec_len), end++;
		if (hi - lo > CHUNK) {
			free(buf);
			buf = xmalloc((size_t)(hi - lo));
		}
		if (!read_all(w->fd, buf, (size_t)(hi - lo), lo)) {
			free(buf);
			return -1;
		}
		for (; k < end; k++) {
			const unsigned char *p = buf + (w->ix[k].off - lo);

			if (!record_ok(p, w->ix[k].info.rec_len)) {
				free(buf);
				return -1;
			}
			fn(ctx, k, p + REC_HEAD, w->ix[k].info.rec_len);
		}
		if (hi - lo > CHUNK) {
			free(buf);
			buf = xmalloc(CHUNK);
		}
	}
	free(buf);
	return 0;
}

static void free_writer(crmf_cache_writer *w)
{
	free(w->tmp);
	free(w->path);
	free(w->buf);
	free(w->ix);
	free(w);
}

int crmf_cache_writer_commit(crmf_cache_writer *w, const void *extra, size_t extra_len)
{
	unsigned char hdr[HEADER_SIZE], rec[INDEX_HEAD + 65535];
	uint64_t index_off, index_len = 8 + (extra ? extra_len : 0), n = w->n;
	uint64_t xlen = extra ? extra_len : NO_EXTRA;
	uint32_t format = FORMAT, hsize = HEADER_SIZE;
	crmf_hash h;
	int rc;

	flush_pending(w);
	index_off = w->off;
	for (size_t i = 0; i < w->n; i++)
		index_len += INDEX_HEAD + strlen(w->ix[i].path);
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, MAGIC, 8);
	memcpy(hdr + 8, &format, 4);
	memcpy(hdr + 12, &hsize, 4);
	memcpy(hdr + 16, &w->key.a, 8);
	memcpy(hdr + 24, &w->key.b, 8);
	memcpy(hdr + 32, &n, 8);
	memcpy(hdr + 40, &index_off, 8);
	memcpy(hdr + 48, &index_len, 8);
	h = crmf_hash_bytes((crmf_hash){0, 0}, hdr, 56);
	for (size_t i = 0; i < w->n; i++) {
		const struct wentry *x = &w->ix[i];
		uint16_t plen = (uint16_t)strlen(x->path);

		memcpy(rec, &x->off, 8);
		memcpy(rec + 8, &x->info.rec_len, 4);
		memcpy(rec + 12, &x->info.flags, 4);
		memcpy(rec + 16, &x->info.st.mtime_ns, 8);
		memcpy(rec + 24, &x->info.st.ctime_ns, 8);
		memcpy(rec + 32, &x->info.st.size, 8);
		memcpy(rec + 40, &x->info.st.ino, 8);
		memcpy(rec + 48, &x->info.content.a, 8);
		memcpy(rec + 56, &x->info.content.b, 8);
		memcpy(rec + 64, &x->info.aux, 8);
		memcpy(rec + INDEX_HEAD - 2, &plen, 2);
		memcpy(rec + INDEX_HEAD, x->path, plen);
		h = crmf_hash_bytes(h, rec, INDEX_HEAD + (size_t)plen);
		wput(w, rec, INDEX_HEAD + (size_t)plen);
	}
	memcpy(rec, &xlen, 8);
	h = crmf_hash_bytes(h, rec, 8);
	wput(w, rec, 8);
	if (extra) {
		h = crmf_hash_bytes(h, extra, extra_len);
		wput(w, extra, extra_len);
	}
	memcpy(hdr + 56, &h.a, 8);
	wflush(w);
	if (!w->failed && pwrite(w->fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		w->failed = true;
	if (close(w->fd) != 0)
		w->failed = true;
	w->fd = -1;
	if (w->failed || rename(w->tmp, w->path) != 0) {
		rc = crmf_error_set("cannot write the cache '%s': %s", w->path, strerror(errno));
		unlink(w->tmp);
	} else {
		rc = 0;
	}
	free_writer(w);
	return rc;
}

void crmf_cache_writer_abort(crmf_cache_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	unlink(w->tmp);
	free_writer(w);
}
