/* SPDX-License-Identifier: MIT */
/* Objects read from git's pack files, deltas resolved through a cache of every object met on the way (see packread.h). */
#include "packread.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util.h"

/*
 * The formats, as git documents them (gitformat-pack):
 *   index v2: "\377tOc", version 2, 256 cumulative counts by first byte, the
 *     sorted ids (20 bytes), a CRC each, a 4-byte offset each (top bit set:
 *     the number of an 8-byte offset in the table after them), two checksums;
 *   pack: "PACK", version 2 or 3, the count, then each object: a header
 *     (type in bits 4-6 of the first byte, size in 4 then 7 bits a byte while
 *     the top bit is set), for an offset delta the distance back to its base
 *     (7 bits a byte, each continuation adding one), for a reference delta
 *     the base's id, then the zlib stream of the object or of the delta;
 *   delta: the base's size and the result's (7 bits a byte, low first), then
 *     instructions: top bit set, copy from the base (bits 0-3 say which
 *     offset bytes follow, bits 4-6 which size bytes; size 0 means 65536),
 *     else insert the next n bytes (n 1-127).
 * Numbers in the files are big-endian.
 */
enum { OBJ_COMMIT = 1, OBJ_TREE = 2, OBJ_BLOB = 3, OBJ_TAG = 4, OBJ_OFS_DELTA = 6, OBJ_REF_DELTA = 7 };

#define MAX_OBJECT ((size_t)1 << 30)
#define MAX_CHAIN 10000
/* git's core.deltaBaseCacheLimit is 96 MB; a walk needs the last versions of a few trees */
#define CACHE_BYTES ((size_t)96 << 20)
#define CACHE_SLOTS 512

struct pack {
	unsigned char *idx, *pack;
	size_t idx_len, pack_len;
	uint32_t n;
	const unsigned char *oids, *off32, *off64;
	size_t n64;
};

struct slot {
	size_t pack;
	uint64_t off;
	crmf_packed *o;
	uint64_t used; /* the clock when last read; 0: empty */
};

struct crmf_packs {
	struct pack *v;
	size_t n;
	struct slot cache[CACHE_SLOTS];
	size_t bytes;
	uint64_t clock;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void *map_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	void *m;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return NULL;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return NULL;
	*len = (size_t)st.st_size;
	return m;
}

/* Map a pack and its index, checking what the lookups rely on. */
static bool pack_open(struct pack *p, const char *idx_path)
{
	size_t fixed, n_len = strlen(idx_path);
	char *pack_path;
	uint32_t prev = 0;

	memset(p, 0, sizeof(*p));
	p->idx = map_file(idx_path, &p->idx_len);
	if (!p->idx)
		return false;
	if (p->idx_len < 8 + 1024 + 40 || memcmp(p->idx, "\377tOc", 4) != 0 || be32(p->idx + 4) != 2)
		goto fail;
	for (int b = 0; b < 256; b++) {
		uint32_t c = be32(p->idx + 8 + 4 * b);

		if (c < prev)
			goto fail;
		prev = c;
	}
	p->n = prev;
	fixed = 8 + 1024 + (size_t)p->n * 28 + 40;
	if (p->idx_len < fixed || (p->idx_len - fixed) % 8 != 0)
		goto fail;
	p->oids = p->idx + 8 + 1024;
	p->off32 = p->oids + (size_t)p->n * 24; /* after the ids and the CRCs */
	p->off64 = p->off32 + (size_t)p->n * 4;
	p->n64 = (p->idx_len - fixed) / 8;
	pack_path = xasprintf("%.*spack", (int)(n_len - 3), idx_path);
	p->pack = map_file(pack_path, &p->pack_len);
	free(pack_path);
	if (!p->pack || p->pack_len < 12 + 20 || memcmp(p->pack, "PACK", 4) != 0 ||
	    (be32(p->pack + 4) != 2 && be32(p->pack + 4) != 3) || be32(p->pack + 8) != p->n)
		goto fail;
	return true;
fail:
	if (p->pack)
		munmap(p->pack, p->pack_len);
	munmap(p->idx, p->idx_len);
	return false;
}

crmf_packs *crmf_packs_open(const char *objects_dir)
{
	char *dir = xasprintf("%s/pack", objects_dir);
	DIR *d = opendir(dir);
	struct dirent *e;
	crmf_packs *ps;
	size_t cap = 0;

	if (!d) {
		free(dir);
		return NULL;
	}
	ps = xcalloc(1, sizeof(*ps));
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char *path;

		if (l < 5 || strcmp(e->d_name + l - 4, ".idx") != 0 || e->d_name[0] == '.')
			continue;
		if (ps->n == cap) {
			cap = cap ? 2 * cap : 4;
			ps->v = xrealloc(ps->v, cap * sizeof(*ps->v));
		}
		path = xasprintf("%s/%s", dir, e->d_name);
		if (pack_open(&ps->v[ps->n], path))
			ps->n++;
		free(path);
	}
	closedir(d);
	free(dir);
	if (!ps->n) {
		crmf_packs_close(ps);
		return NULL;
	}
	return ps;
}

void crmf_packs_close(crmf_packs *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n; i++) {
		munmap(ps->v[i].idx, ps->v[i].idx_len);
		munmap(ps->v[i].pack, ps->v[i].pack_len);
	}
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		crmf_packed_release(ps->cache[i].o);
	free(ps->v);
	free(ps);
}

/* Where pack p holds `oid`; false when it does not. */
static bool find(const struct pack *p, const unsigned char *oid, uint64_t *off)
{
	size_t lo = oid[0] ? be32(p->idx + 8 + 4 * (oid[0] - 1)) : 0;
	size_t hi = be32(p->idx + 8 + 4 * oid[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(p->oids + 20 * mid, oid, 20);

		if (c == 0) {
			uint32_t o = be32(p->off32 + 4 * mid);

			if (!(o & 0x80000000u)) {
				*off = o;
				return true;
			}
			o &= 0x7fffffffu;
			if (o >= p->n64)
				return false;
			*off = be64(p->off64 + 8 * (size_t)o);
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The header of the entry at `off`: its type and size, where its base or data starts. */
static bool header(const struct pack *p, uint64_t off, int *type, size_t *size, size_t *pos)
{
	size_t end = p->pack_len - 20, i = (size_t)off, shift = 4;
	unsigned char c;
	uint64_t sz;

	if (off < 12 || off >= end)
		return false;
	c = p->pack[i++];
	*type = (c >> 4) & 7;
	sz = c & 15;
	while (c & 0x80) {
		if (i >= end || shift > 57)
			return false;
		c = p->pack[i++];
		sz |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	}
	if (sz > MAX_OBJECT)
		return false;
	*size = (size_t)sz;
	*pos = i;
	return true;
}

void crmf_packed_release(crmf_packed *o)
{
	if (o && --o->refs == 0)
		free(o);
}

static crmf_packed *packed_new(int type, size_t len)
{
	crmf_packed *o = xmalloc(sizeof(*o) + len + 1);

	o->refs = 1;
	o->type = type;
	o->len = len;
	o->data[len] = '\0';
	return o;
}

/* Inflate `size` bytes from pack p at `pos` into a new buffer (a NUL after them). */
static unsigned char *inflate_into(const struct pack *p, size_t pos, size_t size,
				   unsigned char *out)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return NULL;
	z.next_in = (Bytef *)p->pack + pos;
	z.avail_in = (uInt)(p->pack_len - 20 - pos > UINT32_MAX ? UINT32_MAX : p->pack_len - 20 - pos);
	z.next_out = out;
	z.avail_out = (uInt)size + 1; /* one more: the stream must end before it */
	rc = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	if (rc != Z_STREAM_END || z.total_out != size)
		return NULL;
	out[size] = '\0';
	return out;
}

static bool varint(const unsigned char **p, const unsigned char *end, size_t *v)
{
	uint64_t r = 0;
	unsigned shift = 0;
	unsigned char c;

	do {
		if (*p >= end || shift > 63)
			return false;
		c = *(*p)++;
		r |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	if (r > MAX_OBJECT)
		return false;
	*v = (size_t)r;
	return true;
}

/* The result of `delta` applied to `base`; NULL when they do not fit together. */
static crmf_packed *apply(const crmf_packed *base, const unsigned char *delta, size_t dlen)
{
	const unsigned char *p = delta, *end = delta + dlen;
	size_t src, dst, o = 0, blen = base->len;
	crmf_packed *res;
	unsigned char *out;

	if (!varint(&p, end, &src) || src != blen || !varint(&p, end, &dst))
		return NULL;
	res = packed_new(base->type, dst);
	out = res->data;
	while (p < end) {
		unsigned char c = *p++;

		if (c & 0x80) {
			size_t off = 0, sz = 0;

			for (int b = 0; b < 4; b++)
				if (c & (1u << b)) {
					if (p >= end)
						goto fail;
					off |= (size_t)*p++ << (8 * b);
				}
			for (int b = 0; b < 3; b++)
				if (c & (0x10u << b)) {
					if (p >= end)
						goto fail;
					sz |= (size_t)*p++ << (8 * b);
				}
			if (!sz)
				sz = 0x10000;
			if (off > blen || sz > blen - off || sz > dst - o)
				goto fail;
			memcpy(out + o, base->data + off, sz);
			o += sz;
		} else if (c) {
			if (c > (size_t)(end - p) || c > dst - o)
				goto fail;
			memcpy(out + o, p, c);
			p += c;
			o += c;
		} else {
			goto fail; /* reserved */
		}
	}
	if (o != dst)
		goto fail;
	return res;
fail:
	free(res);
	return NULL;
}

static crmf_packed *cache_get(crmf_packs *ps, size_t pack, uint64_t off)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct slot *s = &ps->cache[i];

		if (s->used && s->pack == pack && s->off == off) {
			s->used = ++ps->clock;
			s->o->refs++;
			return s->o;
		}
	}
	return NULL;
}

/* Keep a reference to `o`, unless it is too large; the least recently read make room. */
static void cache_put(crmf_packs *ps, size_t pack, uint64_t off, crmf_packed *o)
{
	struct slot *s;

	if (o->len > CACHE_BYTES / 4)
		return;
	for (;;) {
		struct slot *old = NULL, *empty = NULL;

		for (size_t i = 0; i < CACHE_SLOTS; i++) {
			struct slot *c = &ps->cache[i];

			if (!c->used)
				empty = empty ? empty : c;
			else if (!old || c->used < old->used)
				old = c;
		}
		if (empty && ps->bytes + o->len <= CACHE_BYTES) {
			s = empty;
			break;
		}
		if (!old)
			return;
		/* full: the oldest goes */
		ps->bytes -= old->o->len;
		crmf_packed_release(old->o);
		memset(old, 0, sizeof(*old));
	}
	o->refs++;
	*s = (struct slot){pack, off, o, ++ps->clock};
	ps->bytes += o->len;
}

/* The object at `off` of pack `pk` (a reference of the caller's own); NULL when unreadable. */
static crmf_packed *object_at(crmf_packs *ps, size_t pk, uint64_t off)
{
	const struct pack *p = &ps->v[pk];
	uint64_t chain[64], *more = NULL, *deltas = chain;
	size_t n = 0, cap = 64;
	crmf_packed *base = NULL;
	uint64_t cur = off;

	/* down to an object kept or whole, noting the deltas on the way */
	for (;;) {
		int t;
		size_t size, pos;

		if ((base = cache_get(ps, pk, cur)))
			break;
		if (!header(p, cur, &t, &size, &pos))
			goto fail;
		if (t >= OBJ_COMMIT && t <= OBJ_TAG) {
			base = packed_new(t, size);
			if (!inflate_into(p, pos, size, base->data))
				goto fail;
			cache_put(ps, pk, cur, base);
			break;
		}
		if (n == MAX_CHAIN)
			goto fail;
		if (n == cap) {
			cap *= 2;
			more = xrealloc(more, cap * sizeof(*more));
			if (deltas == chain)
				memcpy(more, chain, sizeof(chain));
			deltas = more;
		}
		deltas[n++] = cur;
		if (t == OBJ_OFS_DELTA) {
			uint64_t back;
			unsigned char c;

			if (pos >= p->pack_len - 20)
				goto fail;
			c = p->pack[pos++];
			back = c & 0x7f;
			while (c & 0x80) {
				if (pos >= p->pack_len - 20 || back > (UINT64_MAX >> 8))
					goto fail;
				c = p->pack[pos++];
				back = ((back + 1) << 7) | (c & 0x7f);
			}
			if (back == 0 || back > cur)
				goto fail;
			cur -= back;
		} else if (t == OBJ_REF_DELTA) {
			if (pos + 20 > p->pack_len - 20 || !find(p, p->pack + pos, &cur))
				goto fail; /* a base in another pack: libgit2's to find */
		} else {
			goto fail;
		}
	}
	/* back up the chain, each result kept for the next versions that need it */
	while (n > 0) {
		uint64_t at = deltas[--n];
		int t;
		size_t size, pos;
		unsigned char *delta;
		crmf_packed *res;

		if (!header(p, at, &t, &size, &pos))
			goto fail;
		if (t == OBJ_OFS_DELTA) {
			while (pos < p->pack_len - 20 && (p->pack[pos] & 0x80))
				pos++;
			pos++;
		} else {
			pos += 20;
		}
		delta = xmalloc(size + 1);
		if (pos >= p->pack_len - 20 || !inflate_into(p, pos, size, delta)) {
			free(delta);
			goto fail;
		}
		res = apply(base, delta, size);
		free(delta);
		if (!res)
			goto fail;
		crmf_packed_release(base);
		base = res;
		cache_put(ps, pk, at, base);
	}
	free(more);
	return base;
fail:
	crmf_packed_release(base);
	free(more);
	return NULL;
}

crmf_packed *crmf_packs_read(crmf_packs *ps, const unsigned char *oid)
{
	for (size_t i = 0; ps && i < ps->n; i++) {
		uint64_t off;

		if (find(&ps->v[i], oid, &off))
			return object_at(ps, i, off);
	}
	return NULL;
}
