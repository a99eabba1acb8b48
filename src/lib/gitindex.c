/* SPDX-License-Identifier: MIT */
/* The fast path of commits: the index entries of existing files updated in the file's bytes. */
#include "gitindex.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* SHA-1 from mbed TLS: the crypto library libgit2 itself links on Debian, so
 * the git index's checksum brings no library of its own */
#include <mbedtls/sha1.h>

#include "crmf/diag.h"
#include "util.h"

#define HEADER_SIZE 12
#define HASH_SIZE 20
#define ENTRY_FIXED 62 /* stat data, object id, flags: before the extended flags */

#define F_ASSUME_VALID 0x8000
#define F_EXTENDED 0x4000
#define F_STAGE 0x3000
#define F_NAMEMASK 0x0fff

/* Offsets in an entry. */
#define E_CTIME 0
#define E_MTIME 8
#define E_DEV 16
#define E_MODE 24
#define E_OID 40
#define E_FLAGS 60

/* Entries deeper than this in the cache-tree: a file made to hurt, not a repository. */
#define MAX_TREE_DEPTH 4096

typedef struct target {
	const char *path; /* the caller's */
	size_t off;	  /* of its entry in the file */
	bool found;
	bool changed; /* its object id or mode changed: the cache-tree goes stale */
	unsigned char fixed[ENTRY_FIXED]; /* the entry's stat data and id as they will be */
} target;

struct crmf_gitindex {
	char *index, *lock;
	int fd;			  /* of index.lock */
	bool held;		  /* index.lock is ours to remove */
	const unsigned char *buf; /* the index file, mapped read-only */
	size_t len;
	size_t ext_off; /* where the extensions start */
	uint32_t version;
	target *t; /* sorted by path, no duplicates */
	size_t nt;
	size_t *slot; /* the caller's path i is t[slot[i]] */
	crmf_gitindex_attr *attrs;
	size_t nattrs, capattrs;
	bool lookup; /* crmf_gitindex_lookup: read only, nothing will be written */
};

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static int cmp_target(const void *a, const void *b)
{
	return strcmp(((const target *)a)->path, ((const target *)b)->path);
}

/*
 * The index file whole; false on any error (libgit2 will say what it is).
 * Mapped, not read: copying 10 MB into fresh memory costs a page fault per
 * page, more than all the rest of the work here. Git maps it too; it is
 * replaced by rename, never rewritten in place, so the mapping stays valid.
 */
static bool read_index(crmf_gitindex *ix, struct stat *st)
{
	int fd = open(ix->index, O_RDONLY | O_CLOEXEC), flags = MAP_PRIVATE;
	void *m;

	if (fd < 0)
		return false;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || st->st_size < HEADER_SIZE + HASH_SIZE ||
	    (uint64_t)st->st_size > SIZE_MAX / 2) {
		close(fd);
		return false;
	}
#ifdef MAP_POPULATE
	flags |= MAP_POPULATE;
#endif
	m = mmap(NULL, (size_t)st->st_size, PROT_READ, flags, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return false;
	ix->buf = m;
	ix->len = (size_t)st->st_size;
	return true;
}

/* Git's variable-width integer of OFS_DELTA offsets (see gitformat-pack). */
static bool read_varint(const unsigned char *b, size_t end, size_t *off, size_t *out)
{
	size_t v;
	unsigned char c;

	if (*off >= end)
		return false;
	c = b[(*off)++];
	v = c & 0x7f;
	while (c & 0x80) {
		if (*off >= end || v > (SIZE_MAX >> 8))
			return false;
		c = b[(*off)++];
		v = ((v + 1) << 7) | (c & 0x7f);
	}
	*out = v;
	return true;
}

static bool is_gitattributes(const char *name, size_t len)
{
	static const char a[] = ".gitattributes";
	size_t n = sizeof(a) - 1;

	return (len == n || (len > n && name[len - n - 1] == '/')) &&
	       memcmp(name + len - n, a, n) == 0;
}

static void attr_add(crmf_gitindex *ix, const char *name, const unsigned char *e)
{
	crmf_gitindex_attr *a;

	if (ix->nattrs == ix->capattrs) {
		ix->capattrs = ix->capattrs ? ix->capattrs * 2 : 4;
		ix->attrs = xrealloc(ix->attrs, ix->capattrs * sizeof(*ix->attrs));
	}
	a = &ix->attrs[ix->nattrs++];
	a->path = xstrdup(name);
	a->mode = get32(e + E_MODE);
	memcpy(a->oid, e + E_OID, HASH_SIZE);
}

static bool regular_mode(uint32_t mode)
{
	return mode == 0100644 || mode == 0100755;
}

/*
 * Walk the entries: find ours (sorted, like the index, so one pass suffices),
 * refuse what needs more than changing their bytes, and note where the
 * extensions start.
 */
static bool walk_entries(crmf_gitindex *ix, uint32_t count, uint32_t isec, uint32_t insec)
{
	const unsigned char *b = ix->buf;
	size_t end = ix->len - HASH_SIZE, off = HEADER_SIZE, k = 0;
	strbuf prev = STRBUF_INIT; /* version 4: the path of the entry before */
	bool ok = false;

	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *e = b + off;
		size_t fixed = ENTRY_FIXED, namelen, next;
		uint16_t flags, xflags = 0;
		const char *name;
		bool ours = false;
		int c = 1;

		if (end - off < fixed)
			goto done;
		flags = get16(e + E_FLAGS);
		if (flags & F_EXTENDED) {
			if (ix->version < 3)
				goto done;
			fixed += 2;
			if (end - off < fixed)
				goto done;
			xflags = get16(e + ENTRY_FIXED);
		}
		if (ix->version >= 4) {
			size_t p = off + fixed, strip;
			const unsigned char *z;

			if (!read_varint(b, end, &p, &strip) || strip > prev.len)
				goto done;
			z = memchr(b + p, 0, end - p);
			if (!z)
				goto done;
			prev.len -= strip;
			sb_add(&prev, (const char *)b + p, (size_t)(z - (b + p)));
			name = prev.buf;
			namelen = prev.len;
			next = (size_t)(z - b) + 1;
		} else {
			const unsigned char *z = memchr(e + fixed, 0, end - off - fixed);

			if (!z)
				goto done;
			name = (const char *)e + fixed;
			namelen = (size_t)(z - (e + fixed));
			next = off + ((fixed + namelen + 8) & ~(size_t)7);
			if (next > end)
				goto done;
		}
		if (namelen == 0 || (flags & F_NAMEMASK) != (namelen < 0xfff ? namelen : 0xfff))
			goto done;
		while (k < ix->nt && (c = strcmp(ix->t[k].path, name)) < 0) {
			if (!ix->t[k].found)
				goto done; /* not in the index */
			k++;
		}
		if (k < ix->nt && c == 0) {
			target *t = &ix->t[k];

			/* a conflict, a second entry, or flags git add would have to weigh */
			if (t->found || (flags & (F_STAGE | F_ASSUME_VALID)) || xflags ||
			    !regular_mode(get32(e + E_MODE)))
				goto done;
			t->found = true;
			t->off = off;
			memcpy(t->fixed, e, ENTRY_FIXED);
			ours = true;
		}
		if (!ours && !ix->lookup) {
			uint32_t sec = get32(e + E_MTIME), nsec = get32(e + E_MTIME + 4);

			/* racily clean: git and libgit2 would look at the file before writing */
			if (sec > isec || (sec == isec && nsec >= insec))
				goto done;
		}
		if (!(flags & F_STAGE) && is_gitattributes(name, namelen))
			attr_add(ix, name, e);
		off = next;
	}
	for (; k < ix->nt; k++)
		if (!ix->t[k].found)
			goto done;
	ix->ext_off = off;
	ok = true;
done:
	sb_release(&prev);
	return ok;
}

/* --- the cache-tree --- */

typedef struct tree_walk {
	const unsigned char *p, *end;
	strbuf *out; /* NULL: only check the syntax */
	strbuf path; /* of the node read: "" or "dir/sub/" */
	const crmf_gitindex *ix;
} tree_walk;

static bool read_number(tree_walk *w, bool sign, long *out, char stop)
{
	bool neg = false;
	long v = 0;
	int digits = 0;

	if (sign && w->p < w->end && *w->p == '-') {
		neg = true;
		w->p++;
	}
	while (w->p < w->end && *w->p >= '0' && *w->p <= '9') {
		if (++digits > 9)
			return false;
		v = v * 10 + (*w->p++ - '0');
	}
	if (digits == 0 || w->p >= w->end || *w->p != stop)
		return false;
	w->p++;
	*out = neg ? -v : v;
	return true;
}

/* A changed file lies below the directory w->path. */
static bool stale(const tree_walk *w)
{
	for (size_t i = 0; i < w->ix->nt; i++)
		if (w->ix->t[i].changed && strncmp(w->ix->t[i].path, w->path.buf, w->path.len) == 0)
			return true;
	return false;
}

/*
 * One node and its subtrees, copied to w->out; a node on the way to a
 * changed file is invalidated ("-1", no object id) as git does, since the
 * tree it names no longer matches the entries.
 */
static bool tree_node(tree_walk *w, bool parent_stale, int depth)
{
	const unsigned char *start = w->p, *nul;
	size_t keep = w->path.len;
	long entries, subtrees;
	bool now_stale = false;

	if (depth > MAX_TREE_DEPTH || w->p >= w->end)
		return false;
	nul = memchr(w->p, 0, (size_t)(w->end - w->p));
	if (!nul || (depth == 0) != (nul == w->p))
		return false;
	w->p = nul + 1;
	if (!read_number(w, true, &entries, ' ') || !read_number(w, false, &subtrees, '\n'))
		return false;
	if (entries >= 0) {
		if (w->end - w->p < HASH_SIZE)
			return false;
		w->p += HASH_SIZE;
	}
	if (w->out) {
		if (depth > 0) {
			sb_add(&w->path, (const char *)start, (size_t)(nul - start));
			sb_addc(&w->path, '/');
		}
		now_stale = parent_stale && stale(w);
		if (now_stale) {
			sb_add(w->out, (const char *)start, (size_t)(nul - start) + 1);
			sb_addf(w->out, "-1 %ld\n", subtrees);
		} else {
			sb_add(w->out, (const char *)start, (size_t)(w->p - start));
		}
	}
	for (long i = 0; i < subtrees; i++)
		if (!tree_node(w, now_stale, depth + 1))
			return false;
	if (w->out)
		w->path.len = keep;
	return true;
}

/* Check (out NULL) or rewrite the data of a TREE extension; false when it does not parse. */
static bool tree_rewrite(strbuf *out, const crmf_gitindex *ix, const unsigned char *data,
			 size_t len)
{
	tree_walk w = {data, data + len, out, STRBUF_INIT, ix};
	bool ok;

	if (out)
		sb_add(&w.path, "", 0);
	ok = tree_node(&w, true, 0) && w.p == w.end;
	sb_release(&w.path);
	return ok;
}

/* Only extensions whose meaning the update cannot break: the rest go to libgit2. */
static bool walk_extensions(const crmf_gitindex *ix)
{
	const unsigned char *b = ix->buf;
	size_t end = ix->len - HASH_SIZE, off = ix->ext_off;

	while (off < end) {
		uint32_t size;

		if (end - off < 8)
			return false;
		size = get32(b + off + 4);
		if (size > end - off - 8)
			return false;
		if (memcmp(b + off, "TREE", 4) == 0) {
			if (!tree_rewrite(NULL, ix, b + off + 8, size))
				return false;
		} else if (memcmp(b + off, "REUC", 4) != 0 && memcmp(b + off, "UNTR", 4) != 0) {
			return false;
		}
		off += 8 + (size_t)size;
	}
	return true;
}

static void release_lock(crmf_gitindex *ix)
{
	if (ix->fd >= 0)
		close(ix->fd);
	ix->fd = -1;
	if (ix->held)
		unlink(ix->lock);
	ix->held = false;
}

int crmf_gitindex_open(crmf_gitindex **out, const char *gitdir, const char *const *paths, size_t n)
{
	crmf_gitindex *ix;
	struct stat st;
	size_t u = 0;
	uint32_t count;

	*out = NULL;
	ix = xcalloc(1, sizeof(*ix));
	ix->index = xasprintf("%sindex", gitdir);
	ix->lock = xasprintf("%sindex.lock", gitdir);
	ix->fd = open(ix->lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (ix->fd < 0) {
		int err = errno;

		crmf_gitindex_free(ix);
		if (err == EEXIST)
			return CRMF_GITINDEX_LOCKED;
		return crmf_error_set("cannot create the git index lock: %s", errtext(err));
	}
	ix->held = true;
	if (n == 0 || !read_index(ix, &st) || memcmp(ix->buf, "DIRC", 4) != 0)
		goto fallback;
	ix->version = get32(ix->buf + 4);
	count = get32(ix->buf + 8);
	/* an entry takes at least 62 bytes plus its name */
	if (ix->version < 2 || ix->version > 4 || count > (ix->len - HEADER_SIZE) / ENTRY_FIXED)
		goto fallback;
	ix->t = xcalloc(n, sizeof(*ix->t));
	for (size_t i = 0; i < n; i++)
		ix->t[i].path = paths[i];
	qsort(ix->t, n, sizeof(*ix->t), cmp_target);
	for (size_t i = 0; i < n; i++)
		if (u == 0 || strcmp(ix->t[u - 1].path, ix->t[i].path) != 0)
			ix->t[u++] = ix->t[i];
	ix->nt = u;
	ix->slot = xcalloc(n, sizeof(*ix->slot));
	for (size_t i = 0; i < n; i++) {
		target key = {.path = paths[i]};
		const target *t = bsearch(&key, ix->t, ix->nt, sizeof(*ix->t), cmp_target);

		ix->slot[i] = (size_t)(t - ix->t);
	}
	if (!walk_entries(ix, count, (uint32_t)st.st_mtim.tv_sec, (uint32_t)st.st_mtim.tv_nsec) ||
	    !walk_extensions(ix))
		goto fallback;
	*out = ix;
	return CRMF_GITINDEX_OK;
fallback:
	crmf_gitindex_free(ix);
	return CRMF_GITINDEX_FALLBACK;
}

int crmf_gitindex_lookup(unsigned char oid[20], const char *gitdir, const char *path)
{
	crmf_gitindex *ix = xcalloc(1, sizeof(*ix));
	struct stat st;
	uint32_t count;
	size_t slot = 0;
	target t = {.path = path};
	int rc = CRMF_GITINDEX_FALLBACK;

	ix->fd = -1;
	ix->lookup = true;
	ix->index = xasprintf("%sindex", gitdir);
	ix->t = &t;
	ix->nt = 1;
	ix->slot = &slot;
	if (!read_index(ix, &st) || memcmp(ix->buf, "DIRC", 4) != 0)
		goto done;
	ix->version = get32(ix->buf + 4);
	count = get32(ix->buf + 8);
	if (ix->version < 2 || ix->version > 4 || count > (ix->len - HEADER_SIZE) / ENTRY_FIXED)
		goto done;
	if (!walk_entries(ix, count, 0, 0))
		goto done;
	memcpy(oid, t.fixed + E_OID, HASH_SIZE);
	rc = CRMF_GITINDEX_OK;
done:
	ix->t = NULL;
	ix->slot = NULL;
	crmf_gitindex_free(ix);
	return rc;
}

size_t crmf_gitindex_attributes(const crmf_gitindex *ix, const crmf_gitindex_attr **out)
{
	*out = ix->attrs;
	return ix->nattrs;
}

uint32_t crmf_gitindex_set(crmf_gitindex *ix, size_t i, const unsigned char oid[20],
			   const struct stat *st, bool filemode)
{
	target *t = &ix->t[ix->slot[i]];
	unsigned char *e = t->fixed;
	uint32_t mode = get32(e + E_MODE);

	if (filemode)
		mode = (st->st_mode & S_IXUSR) ? 0100755 : 0100644;
	if (mode != get32(e + E_MODE) || memcmp(e + E_OID, oid, HASH_SIZE) != 0)
		t->changed = true;
	/* git's stat data: every field cut to 32 bits */
	put32(e + E_CTIME, (uint32_t)st->st_ctim.tv_sec);
	put32(e + E_CTIME + 4, (uint32_t)st->st_ctim.tv_nsec);
	put32(e + E_MTIME, (uint32_t)st->st_mtim.tv_sec);
	put32(e + E_MTIME + 4, (uint32_t)st->st_mtim.tv_nsec);
	put32(e + E_DEV, (uint32_t)st->st_dev);
	put32(e + E_DEV + 4, (uint32_t)st->st_ino);
	put32(e + E_MODE, mode);
	put32(e + E_MODE + 4, (uint32_t)st->st_uid);
	put32(e + E_MODE + 8, (uint32_t)st->st_gid);
	put32(e + E_MODE + 12, (uint32_t)st->st_size);
	memcpy(e + E_OID, oid, HASH_SIZE);
	return mode;
}

/* The extensions as they will be written: TREE invalidated along the changed paths. */
static void build_extensions(strbuf *out, const crmf_gitindex *ix)
{
	const unsigned char *b = ix->buf;
	size_t end = ix->len - HASH_SIZE, off = ix->ext_off;
	bool any = false;

	for (size_t i = 0; i < ix->nt; i++)
		any = any || ix->t[i].changed;
	while (off < end) {
		size_t size = get32(b + off + 4);

		if (any && memcmp(b + off, "TREE", 4) == 0) {
			strbuf tree = STRBUF_INIT;
			unsigned char hdr[8];

			/* it parsed when the index was read */
			tree_rewrite(&tree, ix, b + off + 8, size);
			memcpy(hdr, "TREE", 4);
			put32(hdr + 4, (uint32_t)tree.len);
			sb_add(out, (const char *)hdr, sizeof(hdr));
			sb_add(out, tree.buf, tree.len);
			sb_release(&tree);
		} else {
			sb_add(out, (const char *)b + off, 8 + size);
		}
		off += 8 + size;
	}
}

/* Hash and write n bytes; errno set on failure. */
static int emit(crmf_gitindex *ix, mbedtls_sha1_context *md, const void *p, size_t n)
{
	if (mbedtls_sha1_update_ret(md, p, n) != 0) {
		errno = EIO;
		return -1;
	}
	return write_all(ix->fd, p, n);
}

int crmf_gitindex_write(crmf_gitindex *ix)
{
	strbuf ext = STRBUF_INIT;
	unsigned char hash[20];
	mbedtls_sha1_context ctx, *md = &ctx;
	size_t pos = 0;
	int err = 0, rc = -1; /* err stays 0 when SHA-1 itself fails */

	mbedtls_sha1_init(md);
	if (mbedtls_sha1_starts_ret(md) != 0)
		goto done;
	sb_add(&ext, "", 0);
	build_extensions(&ext, ix);
	/* the file as it was but for the entries changed: in order, as the index is sorted */
	for (size_t i = 0; i < ix->nt; i++) {
		const target *t = &ix->t[i];

		if (emit(ix, md, ix->buf + pos, t->off - pos) != 0 ||
		    emit(ix, md, t->fixed, ENTRY_FIXED) != 0)
			goto fail;
		pos = t->off + ENTRY_FIXED;
	}
	if (emit(ix, md, ix->buf + pos, ix->ext_off - pos) != 0 ||
	    emit(ix, md, ext.buf, ext.len) != 0)
		goto fail;
	if (mbedtls_sha1_finish_ret(md, hash) != 0)
		goto done;
	if (write_all(ix->fd, hash, HASH_SIZE) != 0)
		goto fail;
	err = close(ix->fd) != 0 ? errno : 0;
	ix->fd = -1;
	if (err != 0)
		goto done;
	if (rename(ix->lock, ix->index) != 0)
		goto fail;
	ix->held = false;
	rc = 0;
	goto done;
fail:
	err = errno;
done:
	mbedtls_sha1_free(md);
	sb_release(&ext);
	if (rc < 0) {
		release_lock(ix);
		if (err == 0)
			crmf_error_set("cannot write the git index: SHA-1 is not available");
		else
			crmf_error_set("cannot write the git index: %s", errtext(err));
	}
	return rc;
}

void crmf_gitindex_free(crmf_gitindex *ix)
{
	if (!ix)
		return;
	release_lock(ix);
	for (size_t i = 0; i < ix->nattrs; i++)
		free(ix->attrs[i].path);
	free(ix->attrs);
	free(ix->t);
	free(ix->slot);
	if (ix->buf)
		munmap((void *)ix->buf, ix->len);
	free(ix->index);
	free(ix->lock);
	free(ix);
}
