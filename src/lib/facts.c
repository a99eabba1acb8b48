/* SPDX-License-Identifier: MIT */
/* What a report reads of every customer, through a cache of their own (see facts.h). */
#include "facts.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/cache.h"
#include "crmf/crmf.h"
#include "crmf/diag.h"
#include "crmf/doc.h"
#include "crmf/fields.h"
#include "crmf/perf.h"
#include "crmf/store.h"
#include "changes_private.h"
#include "readmany.h"
#include "util.h"

/*
 * A record: archived, stage, potential and grade (a byte each), created
 * (4 bytes), the strings id, owner, industry and source, the number of deals
 * and each deal (amount 8 bytes, signed and expires 4 each), the number of
 * follow-ups and each follow-up (date, minute and due 4 bytes each; by,
 * method, next). A string is its length (4 bytes; all ones: none) and its
 * bytes. Numbers are in the machine's byte order: the cache is the machine's.
 * An entry whose flags are NO_ROOT is a file without a mapping root.
 */
#define FACTS_FORMAT "1"
enum { NO_ROOT = 1 };
/* the mapping of the customers starts with its size, then their array */
#define FACTS_HEAD 16

static void put(strbuf *sb, const void *p, size_t n)
{
	sb_add(sb, p, n);
}

static void put_i32(strbuf *sb, int32_t v)
{
	put(sb, &v, sizeof(v));
}

static void put_str(strbuf *sb, const char *s)
{
	uint32_t n = s ? (uint32_t)strlen(s) : UINT32_MAX;

	put(sb, &n, sizeof(n));
	if (s)
		put(sb, s, n);
}

static void encode(strbuf *sb, const crmf_customer *c)
{
	unsigned char head[4] = {c->archived, (unsigned char)c->stage, (unsigned char)c->potential,
				 (unsigned char)c->grade};
	uint32_t nd = (uint32_t)c->n_deals, nf = (uint32_t)c->n_followups;

	put(sb, head, sizeof(head));
	put_i32(sb, c->created);
	put_str(sb, c->id);
	put_str(sb, c->owner);
	put_str(sb, c->industry);
	put_str(sb, c->source);
	put(sb, &nd, sizeof(nd));
	for (size_t i = 0; i < c->n_deals; i++) {
		put(sb, &c->deals[i].amount, sizeof(double));
		put_i32(sb, c->deals[i].signed_on);
		put_i32(sb, c->deals[i].expires);
	}
	put(sb, &nf, sizeof(nf));
	for (size_t i = 0; i < c->n_followups; i++) {
		const crmf_followup *f = &c->followups[i];

		put_i32(sb, f->date);
		put_i32(sb, f->minute);
		put_i32(sb, f->due);
		put_str(sb, f->by);
		put_str(sb, f->method);
		put_str(sb, f->next);
	}
}

/* A reader of a record that never reads past its end. */
typedef struct rd {
	const unsigned char *p, *end;
	bool bad;
} rd;

static void get(rd *r, void *out, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p, n);
	r->p += n;
}

static int32_t get_i32(rd *r)
{
	int32_t v;

	get(r, &v, sizeof(v));
	return v;
}

/* A string's bytes (NULL: none) and length, left in the record. */
static const unsigned char *get_str(rd *r, uint32_t *n)
{
	const unsigned char *s;

	get(r, n, sizeof(*n));
	if (r->bad || *n == UINT32_MAX)
		return NULL;
	if ((size_t)(r->end - r->p) < *n) {
		r->bad = true;
		return NULL;
	}
	s = r->p;
	r->p += *n;
	return s;
}

/* Copy a string of the record into the block at *at. */
static const char *take_str(rd *r, char **at)
{
	uint32_t n;
	const unsigned char *s = get_str(r, &n);
	char *t;

	if (!s)
		return NULL;
	t = *at;
	memcpy(t, s, n);
	t[n] = '\0';
	*at += n + 1;
	return t;
}

/* Walk the record once to size the block: strings' bytes (with their NULs),
 * deals and follow-ups; false when it is damaged. */
static bool measure(const void *rec, size_t len, size_t *strings, uint32_t *nd, uint32_t *nf)
{
	rd r = {rec, (const unsigned char *)rec + len, false};
	unsigned char head[4];
	uint32_t n;

	*strings = 0;
	get(&r, head, sizeof(head));
	get_i32(&r);
	for (int i = 0; i < 4; i++)
		if (get_str(&r, &n))
			*strings += n + 1;
	get(&r, nd, sizeof(*nd));
	if (r.bad || (size_t)(r.end - r.p) / 16 < *nd)
		return false;
	r.p += (size_t)*nd * 16;
	get(&r, nf, sizeof(*nf));
	if (r.bad || *nf > len / 24)
		return false;
	for (uint32_t i = 0; i < *nf && !r.bad; i++) {
		get(&r, head, 4), get_i32(&r), get_i32(&r);
		for (int k = 0; k < 3; k++)
			if (get_str(&r, &n))
				*strings += n + 1;
	}
	return !r.bad && r.p == r.end;
}

/* The bytes the customer of a record takes (its path with it, a multiple of
 * 8), or 0 when the record is damaged. */
static size_t decoded_size(const void *rec, size_t len, const char *path)
{
	size_t strings;
	uint32_t nd, nf;

	if (!measure(rec, len, &strings, &nd, &nf))
		return 0;
	return (sizeof(crmf_customer) + nd * sizeof(crmf_deal) + nf * sizeof(crmf_followup) +
		strings + strlen(path) + 1 + 7) &
	       ~(size_t)7;
}

/* The customer of a record, written into `mem` (zeroed, decoded_size bytes). */
static crmf_customer *decode(void *mem, const void *rec, size_t len, const char *path,
			     bool archived)
{
	uint32_t nd, nf;
	crmf_customer *c = mem;
	char *at;
	unsigned char head[4];
	rd r = {rec, (const unsigned char *)rec + len, false}, counts = r;
	uint32_t n;

	/* the numbers of deals and follow-ups (the record was measured whole) */
	counts.p += 8;
	for (int i = 0; i < 4; i++)
		(void)get_str(&counts, &n);
	get(&counts, &nd, sizeof(nd));
	counts.p += (size_t)nd * 16;
	get(&counts, &nf, sizeof(nf));
	c->deals = (crmf_deal *)(c + 1);
	c->followups = (crmf_followup *)(c->deals + nd);
	at = (char *)(c->followups + nf);
	get(&r, head, sizeof(head));
	c->archived = archived;
	c->stage = (crmf_stage)head[1];
	c->potential = (crmf_potential)head[2];
	c->grade = (char)head[3];
	c->created = get_i32(&r);
	c->id = take_str(&r, &at);
	c->owner = take_str(&r, &at);
	c->industry = take_str(&r, &at);
	c->source = take_str(&r, &at);
	get(&r, &nd, sizeof(nd));
	c->n_deals = nd;
	for (uint32_t i = 0; i < nd; i++) {
		get(&r, &c->deals[i].amount, sizeof(double));
		c->deals[i].signed_on = get_i32(&r);
		c->deals[i].expires = get_i32(&r);
	}
	get(&r, &nf, sizeof(nf));
	c->n_followups = nf;
	for (uint32_t i = 0; i < nf; i++) {
		crmf_followup *f = &c->followups[i];

		f->date = get_i32(&r);
		f->minute = get_i32(&r);
		f->due = get_i32(&r);
		f->by = take_str(&r, &at);
		f->method = take_str(&r, &at);
		f->next = take_str(&r, &at);
	}
	memcpy(at, path, strlen(path) + 1);
	c->path = at;
	return c;
}

/* ---- parsing what the cache does not know, on every core ---- */

typedef struct job {
	const char *root;
	int rootfd;
	const crmf_config *cfg;
	const crmf_file *files;
	const size_t *todo; /* indexes into files */
	size_t n_todo;
	atomic_size_t next;
	/* per todo entry: the record (NULL: not readable), whether it had a root, its hash */
	char **rec;
	size_t *rec_len;
	bool *no_root;
	crmf_hash *hash;
	crmf_seen *seen; /* NULL: not wanted */
} job;

/* The files are taken a batch at a time, and a batch read in one system
 * call (readmany.h), as a cold check reads them. */
#define PARSE_BATCH 32

/* What the history walk would read of the same bytes as a blob (changes_private.h).
 * The blob id by OpenSSL's SHA-1, which uses the processor's SHA instructions:
 * three times mbedTLS's speed here, and it is most of the cost. */
static void see(crmf_seen *out, const crmf_doc *doc)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char head[32];
	int hl = snprintf(head, sizeof(head), "blob %zu", doc->len);
	unsigned int n = 0;

	if (md && EVP_DigestInit_ex(md, EVP_sha1(), NULL) == 1 &&
	    EVP_DigestUpdate(md, head, (size_t)hl + 1) == 1 &&
	    EVP_DigestUpdate(md, doc->src, doc->len) == 1 && EVP_DigestFinal_ex(md, out->oid, &n) == 1 &&
	    n == sizeof(out->oid))
		crmf_seen_of(out, doc->src, doc->len, doc->root);
	EVP_MD_CTX_free(md);
}

static void parse_one(job *j, size_t k, char *bytes, size_t len)
{
	const crmf_file *f = &j->files[j->todo[k]];
	crmf_doc *doc = NULL;
	crmf_diags d;

	crmf_diags_init(&d);
	if (bytes) {
		crmf_doc_parse_owned(&doc, f->relpath, bytes, len, &d);
	} else {
		char *fs = xasprintf("%s/%s", j->root, f->relpath);

		crmf_doc_load(&doc, f->relpath, fs, &d);
		free(fs);
	}
	if (doc) {
		crmf_customer *c = NULL;
		strbuf sb = {0};

		j->hash[k] = crmf_hash_bytes((crmf_hash){0, 0}, doc->src, doc->len);
		if (j->seen)
			see(&j->seen[k], doc);
		if (doc->root) {
			/* no day: the facts do not depend on it, only warnings do */
			crmf_check_customer(&c, doc, f->relpath, j->cfg, CRMF_NO_DAY, &d);
			doc = NULL; /* the customer's now */
		}
		if (c) {
			encode(&sb, c);
			j->rec_len[k] = sb.len;
			j->rec[k] = sb_detach(&sb);
		} else {
			j->no_root[k] = true;
			j->rec[k] = xstrdup("");
		}
		crmf_customer_free(c);
		crmf_doc_free(doc);
	}
	crmf_diags_release(&d);
}

static void *parse_worker(void *arg)
{
	job *j = arg;
	crmf_readmany *rm = j->rootfd >= 0 && j->n_todo > 2 * PARSE_BATCH
				    ? crmf_readmany_new(PARSE_BATCH)
				    : NULL;
	size_t first;

	while ((first = atomic_fetch_add(&j->next, PARSE_BATCH)) < j->n_todo) {
		size_t end = first + PARSE_BATCH < j->n_todo ? first + PARSE_BATCH : j->n_todo;
		const char *names[PARSE_BATCH];
		char *bufs[PARSE_BATCH] = {NULL};
		size_t lens[PARSE_BATCH] = {0};

		for (size_t k = first; k < end; k++)
			names[k - first] = j->files[j->todo[k]].relpath;
		/* what it could not read whole (bufs NULL) is read by crmf_doc_load, with its errors */
		if (rm)
			crmf_readmany_read(rm, j->rootfd, names, end - first, bufs, lens, NULL);
		for (size_t k = first; k < end; k++)
			parse_one(j, k, bufs[k - first], lens[k - first]);
	}
	crmf_readmany_free(rm);
	return NULL;
}

/* ---- the stat data and the cached records, on every core ---- */

typedef struct stat_job {
	int dirfd;
	const crmf_file *files;
	crmf_cache_stat *st;
	bool *ok;
} stat_job;

static void stat_part(void *arg, size_t part, size_t lo, size_t hi)
{
	stat_job *j = arg;

	(void)part;
	for (size_t i = lo; i < hi; i++) {
		struct stat sb;

		if (fstatat(j->dirfd, j->files[i].relpath, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(sb.st_mode)) {
			crmf_cache_stat_from(&j->st[i], &sb);
			j->ok[i] = true;
		}
	}
}

/*
 * The customers' records read from the cache a few at a time (a buffer the
 * heap reuses; all at once, its pages would cost a fault each), twice: to
 * size each customer, then, into one mapping sized by the sum, to decode it.
 * The records just parsed are in rec.
 */
#define READ_AT_ONCE 128

typedef struct decode_job {
	crmf_cache *old;
	const crmf_file *files;
	const bool *fresh;
	bool *cached;      /* the cache's record is whole: decoded from it */
	const void **rec;  /* the records parsed (NULL: none) */
	const size_t *len;
	size_t *size;      /* decoded_size, then the offset in the mapping */
	char *arena;
	crmf_customer **v;
} decode_job;

static void size_part(void *arg, size_t part, size_t lo, size_t hi)
{
	decode_job *j = arg;
	const void *r[READ_AT_ONCE];
	size_t l[READ_AT_ONCE];

	(void)part;
	for (size_t a = lo; a < hi; a += READ_AT_ONCE) {
		size_t b = hi - a < READ_AT_ONCE ? hi : a + READ_AT_ONCE;
		void *buf = crmf_cache_read(j->old, a, b, j->fresh + a, r, l);

		for (size_t i = a; buf && i < b; i++) {
			const crmf_cache_info *info = j->fresh[i] ? crmf_cache_info_of(j->old, i) : NULL;

			if (info && info->flags != NO_ROOT && r[i - a])
				j->size[i] = decoded_size(r[i - a], l[i - a], j->files[i].relpath);
			j->cached[i] = j->size[i] != 0;
		}
		free(buf);
	}
}

static void decode_part(void *arg, size_t part, size_t lo, size_t hi)
{
	decode_job *j = arg;
	const void *r[READ_AT_ONCE];
	size_t l[READ_AT_ONCE];

	(void)part;
	for (size_t a = lo; a < hi; a += READ_AT_ONCE) {
		size_t b = hi - a < READ_AT_ONCE ? hi : a + READ_AT_ONCE;
		void *buf = j->old ? crmf_cache_read(j->old, a, b, j->cached + a, r, l) : NULL;

		for (size_t i = a; i < b; i++) {
			const char *path = j->files[i].relpath;
			bool archived = j->files[i].archived;

			if (j->cached[i] && buf && r[i - a])
				j->v[i] = decode(j->arena + j->size[i], r[i - a], l[i - a], path, archived);
			else if (j->rec[i])
				j->v[i] = decode(j->arena + j->size[i], j->rec[i], j->len[i], path, archived);
		}
		free(buf);
	}
}

/* ---- the cache ---- */

static char *facts_path(const char *root)
{
	char *cache, *slash, *out;

	if (crmf_cache_path(&cache, root) != 0)
		return NULL;
	slash = strrchr(cache, '/');
	/* <git dir>/crmf/cache[-<hash>] -> <git dir>/crmf/facts[-<hash>] */
	*slash = '\0';
	out = xasprintf("%s/facts%s", cache, slash + 1 + strlen("cache"));
	free(cache);
	return out;
}

static crmf_hash facts_key(const char *root)
{
	static const char tag[] = "crmf facts " CRMF_VERSION " record " FACTS_FORMAT;
	uint64_t fields = crmf_fields_hash();
	crmf_hash key = crmf_hash_bytes((crmf_hash){0, 0}, tag, sizeof(tag));
	char *cfg = xasprintf("%s/crmf.yaml", root), *buf = NULL;
	size_t len = 0;

	key = crmf_hash_bytes(key, &fields, sizeof(fields));
	if (crmf_doc_read(&buf, &len, cfg) == 0)
		key = crmf_hash_bytes(key, buf, len);
	free(buf);
	free(cfg);
	return key;
}

int crmf_facts_load(crmf_customer ***out, size_t *n_out, const char *root, const crmf_config *cfg,
		    crmf_seen **seen, size_t *n_seen)
{
	crmf_file *all = NULL;
	size_t n_all = 0, n = 0, n_todo = 0, kept = 0;
	crmf_cache *old = NULL;
	crmf_hash key = facts_key(root);
	char *fpath = facts_path(root);
	int dirfd;

	*out = NULL;
	*n_out = 0;
	if (seen) {
		*seen = NULL;
		*n_seen = 0;
	}
	if (crmf_store_list(&all, &n_all, root) != 0) {
		free(fpath);
		return -1;
	}
	/* the customer files alone, in path order */
	crmf_file *files = xmalloc((n_all + 1) * sizeof(*files));
	for (size_t i = 0; i < n_all; i++)
		if (all[i].kind == CRMF_FILE_REGULAR)
			files[n++] = all[i];
	const char **paths = xmalloc((n + 1) * sizeof(*paths));
	crmf_cache_stat *st = xcalloc(n + 1, sizeof(*st));
	bool *ok = xcalloc(n + 1, sizeof(*ok)), *fresh = xcalloc(n + 1, sizeof(*fresh));
	const void **rec = xcalloc(n + 1, sizeof(*rec));
	size_t *len = xcalloc(n + 1, sizeof(*len)), *todo = xmalloc((n + 1) * sizeof(*todo));
	size_t *size = xcalloc(n + 1, sizeof(*size));
	bool *cached = xcalloc(n + 1, sizeof(*cached));
	crmf_customer **v;

	for (size_t i = 0; i < n; i++)
		paths[i] = files[i].relpath;
	if (fpath && n)
		crmf_cache_open(&old, fpath, key, paths, n);
	/* the folder the stat calls and the parse open files in */
	dirfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd >= 0) {
		stat_job sj = {dirfd, files, st, ok};

		/* the stat calls are most of a warm report's system time: on every core */
		crmf_parallel_for(n, crmf_parallel_parts(n, 1024), stat_part, &sj);
	}
	for (size_t i = 0; i < n; i++) {
		const crmf_cache_info *info = old ? crmf_cache_info_of(old, i) : NULL;

		fresh[i] = ok[i] && info && crmf_cache_stat_equal(&info->st, &st[i]) &&
			   !crmf_cache_racy(old, &st[i]);
	}
	decode_job dj = {old, files, fresh, cached, rec, len, size, NULL, NULL};
	if (old)
		crmf_parallel_for(n, crmf_parallel_parts(n, 1024), size_part, &dj);
	/* a file the cache does not know, or whose record is damaged, is parsed */
	for (size_t i = 0; i < n; i++) {
		const crmf_cache_info *info = fresh[i] ? crmf_cache_info_of(old, i) : NULL;

		if ((info && info->flags == NO_ROOT) || cached[i])
			continue;
		fresh[i] = false;
		if (ok[i])
			todo[n_todo++] = i;
	}

	job j = {.root = root, .rootfd = dirfd, .cfg = cfg, .files = files, .todo = todo,
		 .n_todo = n_todo};
	if (n_todo) {
		j.rec = xcalloc(n_todo, sizeof(*j.rec));
		j.rec_len = xcalloc(n_todo, sizeof(*j.rec_len));
		j.no_root = xcalloc(n_todo, sizeof(*j.no_root));
		j.hash = xcalloc(n_todo, sizeof(*j.hash));
		if (seen)
			j.seen = xcalloc(n_todo, sizeof(*j.seen));
		atomic_init(&j.next, 0);
		run_threads(parse_worker, &j, n_todo < 64 ? 1 : crmf_cpu_count());
		for (size_t k = 0; k < n_todo; k++) {
			size_t i = todo[k];

			if (j.rec[k] && !j.no_root[k] &&
			    (size[i] = decoded_size(j.rec[k], j.rec_len[k], files[i].relpath))) {
				rec[i] = j.rec[k];
				len[i] = j.rec_len[k];
			}
		}
	}
	/* every customer in one mapping after the array of them, its size before
	 * it (crmf_facts_free): a heap block each costs page faults one by one */
	size_t total = FACTS_HEAD + (n + 1) * sizeof(*v);
	for (size_t i = 0; i < n; i++) {
		size_t sz = size[i];

		size[i] = total;
		total += sz;
	}
	char *arena = crmf_table_alloc(total, 1);
	memcpy(arena, &total, sizeof(total));
	v = (crmf_customer **)(arena + FACTS_HEAD);
	dj.arena = arena;
	dj.v = v;
	crmf_parallel_for(n, crmf_parallel_parts(n, 1024), decode_part, &dj);
	/* a new cache when anything differed; none is no error (a read-only .git) */
	if (fpath && n && (n_todo || !old || !crmf_cache_complete(old))) {
		crmf_cache_writer *w = NULL;

		if (crmf_cache_writer_open(&w, fpath, key) == 0) {
			size_t k = 0;

			for (size_t i = 0; i < n; i++) {
				if (k < n_todo && todo[k] == i) {
					if (j.rec[k])
						crmf_cache_writer_add(w, files[i].relpath, &st[i], j.hash[k],
								      j.no_root[k] ? NO_ROOT : 0, 0, j.rec[k],
								      j.rec_len[k]);
					k++;
				} else if (fresh[i]) {
					crmf_cache_writer_keep(w, old, i, files[i].relpath, NULL);
				}
			}
			/* not fatal when it fails: the next report parses again */
			(void)crmf_cache_writer_commit(w, NULL, 0);
		}
	}
	for (size_t k = 0; k < n_todo; k++)
		free(j.rec[k]);
	free(j.rec);
	free(j.rec_len);
	free(j.no_root);
	free(j.hash);
	if (seen) {
		*seen = j.seen;
		*n_seen = j.seen ? n_todo : 0;
	}
	free(cached);
	crmf_cache_close(old);
	for (size_t i = 0; i < n; i++)
		if (v[i])
			v[kept++] = v[i];
	*out = v;
	*n_out = kept;
	free(size);
	free(todo);
	free(len);
	free(rec);
	free(fresh);
	free(ok);
	free(st);
	free(paths);
	free(files);
	crmf_store_list_free(all, n_all);
	if (dirfd >= 0)
		close(dirfd);
	free(fpath);
	return 0;
}

void crmf_seen_free(crmf_seen *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		crmf_seen_release(&v[i]);
	free(v);
}

void crmf_facts_free(crmf_customer **v, size_t n)
{
	char *arena;
	size_t total;

	(void)n;
	if (!v)
		return;
	arena = (char *)v - FACTS_HEAD;
	memcpy(&total, arena, sizeof(total));
	crmf_table_free(arena, total, 1);
}
