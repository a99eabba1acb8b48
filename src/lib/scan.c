/* SPDX-License-Identifier: MIT */
/* Loading a repository: crmf.yaml, then every customer file checked on all cores and streamed through the validation cache. */
#include "crmf/scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/cache.h"
#include "crmf/crmf.h"
#include "crmf/fields.h"
#include "crmf/store.h"
#include "cross.h"
#include "readmany.h"
#include "record.h"
#include "scan_paths.h"
#include "scan_private.h"
#include "util.h"

struct crmf_repo_priv {
	crmf_diags cfg_diags;
	bool scanned;
	bool cacheable; /* crmf.yaml could be read (or is absent) */
	crmf_hash key;
	crmf_scan_mode mode;
	struct pchunk *chunks; /* the kept summaries (summary mode) */
};


/* ---- the scan ---- */

/* Flags of a cache entry: what a command may need its record for. */
enum { F_DIAGS = 1, F_CUSTOMER = 2, F_NO_CONTENT = 4 };

/* What the new cache gets of a file: nothing, the old entry, a new one. */
enum { W_NONE, W_KEEP, W_ADD };

/* Files are taken in batches: fewer locks, and the records a batch needs
 * from the cache are read with one system call. */
#define BATCH 32

/* Records read from the cache for one batch, shared by its results. */
struct shared {
	int refs;
	void *buf;
};

struct result {
	crmf_customer *keep;
	const unsigned char *rec; /* the record, or NULL when it was not needed */
	size_t rec_len;
	struct view v;            /* its parts, when rec is set */
	void *own;                /* the allocation holding rec, when it is ours */
	struct shared *shared;    /* or this one */
	int how;
	bool restat;  /* W_KEEP with new stat data */
	bool changed; /* the record may differ from the old cache's */
	crmf_cache_stat st;
	crmf_hash content;
	uint32_t flags;
	uint64_t aux;
};

struct scan {
	crmf_repo *repo;
	const crmf_scan_opts *o;
	int rootfd;
	crmf_file *files;
	size_t n;
	const char **paths;
	crmf_cache *old;
	crmf_cache_writer *w;
	bool writing;   /* entries go to w (else the old cache may stay as it is) */
	bool collect;   /* cross-file keys are collected while scanning */
	bool changed;   /* some record differs from the old cache, or files came or went */
	bool gaps;      /* some file gets no entry in the new cache */
	struct result **slot;
	atomic_size_t next;
	pthread_mutex_t lock;
	size_t consumed;
	crmf_cross *cross;
	strbuf found;   /* the cross-file findings, for the new cache */
	size_t n_found;
	crmf_diags *diags;
	crmf_customer **v;
	size_t *vfile, nv;
	size_t *wfile, nw; /* the file of each entry of the new cache */
	crmf_scan_each each; /* the workspace's keys (crmf_repo_scan_each) */
	void *each_ctx;
};

static uint64_t pack_span(int32_t lo, int32_t hi)
{
	return (uint64_t)(uint32_t)lo | (uint64_t)(uint32_t)hi << 32;
}

/* Whether the "date in the future" warnings of a file, whose dates lie
 * outside the span packed in `aux` (see rec_today_span), hold on `today`: no
 * date crossed from the future into the past or back. */
static bool span_holds(uint64_t aux, crmf_day today)
{
	int32_t lo = (int32_t)(uint32_t)(aux & 0xffffffff), hi = (int32_t)(uint32_t)(aux >> 32);
	int64_t t = today == CRMF_NO_DAY ? INT64_MAX : today;

	return lo <= t && t < (hi == INT32_MAX ? INT64_MAX : hi);
}

/* Read a whole regular file of at most CRMF_DOC_MAX_SIZE bytes into a
 * malloc'd buffer with room for a NUL, and its stat data into *stp when not
 * NULL (taken before reading); NULL when it is none or cannot be read
 * (crmf_doc_load then says why). Four system calls: open, fstat, one read of
 * the size fstat gave plus one byte, close. A read that stops at that size
 * is the end of the file (a regular file's read returns less than asked only
 * there); one that fills the buffer means the file grew since fstat: the
 * caller's loader reads it again. */
static char *read_small(int rootfd, const char *rel, size_t *len, struct stat *stp)
{
	/* never through a link, never waiting on a FIFO put where a file was */
	int fd = openat(rootfd, rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t n = 0, size, cap;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > CRMF_DOC_MAX_SIZE) {
		close(fd);
		return NULL;
	}
	if (stp)
		*stp = st;
	size = (size_t)st.st_size;
	cap = size + 1;
	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			close(fd);
			return NULL;
		}
		n += (size_t)r;
		if (r == 0 || n == size)
			break;
		if (n == cap) { /* grew since fstat: let the loader handle it */
			free(buf);
			close(fd);
			return NULL;
		}
	}
	close(fd);
	*len = n;
	return buf;
}

static crmf_hash content_hash(const void *p, size_t n)
{
	return crmf_hash_bytes((crmf_hash){0, 0}, p, n);
}

/* The folder of the files of a batch, open: a stat or open by the file's
 * name in it looks up one name instead of the whole path. */
struct dircache {
	int fd;
	size_t len;
	char path[PATH_MAX];
};

/* Where file `rel` is: a folder descriptor and the name in it. */
struct at {
	int fd;
	const char *name;
};

static struct at locate(const struct scan *s, struct dircache *dc, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	size_t len = slash ? (size_t)(slash - rel) : 0;

	if (!slash || len >= sizeof(dc->path))
		return (struct at){s->rootfd, rel};
	if (dc->fd < 0 || dc->len != len || memcmp(dc->path, rel, len) != 0) {
		if (dc->fd >= 0)
			close(dc->fd);
		memcpy(dc->path, rel, len);
		dc->path[len] = '\0';
		dc->len = len;
		dc->fd = openat(s->rootfd, dc->path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (dc->fd < 0)
		return (struct at){s->rootfd, rel};
	return (struct at){dc->fd, slash + 1};
}

/*
 * Kept summaries (50,000 rows of an agenda) live in 1 MiB chunks, one chain
 * per worker, freed with the repository: not 50,000 allocations with their
 * headers, each freed on its own (3 MiB less at the peak of a large agenda).
 */
struct pchunk {
	struct pchunk *next;
	size_t used, cap;
	max_align_t data[];
};

static _Thread_local struct pchunk *tl_chunks;

#define POOL_CHUNK ((size_t)1 << 20)

static void *pool_alloc(size_t n)
{
	struct pchunk *c = tl_chunks;
	void *p;

	n = (n + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
	if (!c || c->cap - c->used < n) {
		size_t cap = n > POOL_CHUNK ? n : POOL_CHUNK;

		/* its pages at once (a 50,000-row agenda is 7,000 pages) */
		c = xcalloc_table(1, sizeof(*c) + cap);
		c->used = 0;
		c->cap = cap;
		c->next = tl_chunks;
		tl_chunks = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

static void pool_free(struct pchunk *c)
{
	while (c) {
		struct pchunk *next = c->next;

		xfree_table(c, 1, sizeof(*c) + c->cap);
		c = next;
	}
}

/* Hand this worker's chunks to the repository (the lock is held). */
static void pool_hand_over(struct pchunk **to)
{
	struct pchunk *c = tl_chunks;

	if (!c)
		return;
	while (c->next)
		c = c->next;
	c->next = *to;
	*to = tl_chunks;
	tl_chunks = NULL;
}

/* Keep the customer of a record (summary mode), asking the caller's filter
 * unless `asked` (the prefilter took the customer). The summary is built
 * where it will stay; one the filter refuses is taken back from the pool at
 * once. */
static crmf_customer *keep_summary(struct scan *s, const struct view *v, const char *path,
				   bool asked)
{
	size_t size;
	struct pchunk *c;
	crmf_summary *sum;

	if (!(v->flags & R_CUSTOMER))
		return NULL;
	size = rec_summary_size(v, path, s->o->values, s->o->facts);
	sum = rec_summary_new(v, path, s->o->values, s->o->facts, pool_alloc(size));
	if (!asked && s->o->keep && !s->o->keep(s->o->keep_ctx, &sum->c, s->repo->cfg)) {
		c = tl_chunks; /* the summary is the last thing allocated there */
		c->used = (size_t)((char *)sum - (char *)c->data);
		return NULL;
	}
	return &sum->c;
}

/* Check file i from its bytes (or from disk when bytes is NULL) into r. */
static void check_file(struct scan *s, size_t i, struct at at, struct result *r, bool want,
		       char *bytes, size_t len, bool have_st)
{
	const crmf_file *f = &s->files[i];
	crmf_doc *doc = NULL;
	crmf_customer *c = NULL;
	crmf_diags d;
	strbuf b = STRBUF_INIT;
	bool too_large = false;
	int32_t lo, hi;

	crmf_diags_init(&d);
	if (!bytes && !have_st) {
		/* one open for the stat data and the bytes */
		struct stat st;

		if ((bytes = read_small(at.fd, at.name, &len, &st))) {
			crmf_cache_stat_from(&r->st, &st);
			have_st = true;
		}
	}
	if (bytes) {
		crmf_doc_parse_owned(&doc, f->relpath, bytes, len, &d);
	} else {
		char *fspath = xasprintf("%s/%s", s->repo->root, f->relpath);

		crmf_doc_load(&doc, f->relpath, fspath, &d);
		free(fspath);
		too_large = !doc && d.n == 1 && d.v[0].rule_id == CRMF_RULE_FILE_TOO_LARGE;
		if (too_large && !have_st) {
			struct stat st;

			/* cached by its stat data: only while it is still too large */
			if (fstatat(at.fd, at.name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(st.st_mode) && st.st_size > CRMF_DOC_MAX_SIZE) {
				crmf_cache_stat_from(&r->st, &st);
				have_st = true;
			}
		}
	}
	/* a file too large is judged by its size alone, without a content hash */
	r->how = have_st && (doc || too_large) ? W_ADD : W_NONE;
	r->changed = true;
	if (doc) {
		if (s->w) /* the hash is for the cache only */
			r->content = content_hash(doc->src, doc->len);
		crmf_check_customer(&c, doc, f->relpath, s->repo->cfg, s->o->today, &d);
	}
	rec_make(&b, c, &d);
	rec_today_span(&lo, &hi, c, s->repo->cfg, s->o->today);
	r->aux = pack_span(lo, hi);
	r->flags = (d.n ? F_DIAGS : 0) | (c ? F_CUSTOMER : 0) | (too_large ? F_NO_CONTENT : 0);
	r->rec_len = b.len;
	r->own = sb_detach(&b);
	r->rec = r->own;
	if (!rec_view(&r->v, r->rec, r->rec_len))
		abort(); /* a record just made is whole */
	if (want && c && s->o->mode == CRMF_SCAN_DOCS) {
		if (!s->o->keep || s->o->keep(s->o->keep_ctx, c, s->repo->cfg))
			r->keep = c, c = NULL;
	} else if (want && c && s->o->prefilter) {
		if (s->o->prefilter(s->o->keep_ctx, c, (r->v.flags & R_UNSURE) != 0, s->repo->cfg))
			r->keep = keep_summary(s, &r->v, f->relpath, true);
	} else if (want && c) {
		r->keep = keep_summary(s, &r->v, f->relpath, false);
	}
	crmf_customer_free(c);
	crmf_diags_release(&d);
}

static void consume(struct scan *s);

/* The files of a batch that the cache does not know, read at once (see
 * readmany.h): buf[k] their bytes (NULL: read them the ordinary way). */
struct preread {
	char *buf[BATCH];
	size_t len[BATCH];
	struct stat st[BATCH];
	size_t of[BATCH]; /* the batch's file number of each */
	size_t n;
};

static void preread(struct scan *s, crmf_readmany *rm, size_t first, size_t end,
		    struct preread *pr)
{
	const char *names[BATCH];

	pr->n = 0;
	if (!rm)
		return;
	for (size_t i = first; i < end; i++)
		if (!crmf_cache_info_of(s->old, i)) {
			pr->of[pr->n] = i - first;
			names[pr->n++] = s->files[i].relpath;
		}
	if (pr->n)
		crmf_readmany_read(rm, s->rootfd, names, pr->n, pr->buf, pr->len,
				   s->w ? pr->st : NULL);
}

static void process_batch(struct scan *s, size_t first, size_t end, crmf_readmany *rm)
{
	struct result *rs[BATCH];
	bool need[BATCH] = {false}, any = false;
	struct preread pr;
	size_t next_pre = 0;
	const void *recs[BATCH];
	size_t lens[BATCH];
	struct shared *sh = NULL;
	struct dircache dc = {.fd = -1};
	void *buf = NULL;

	preread(s, rm, first, end, &pr);
	for (size_t i = first; i < end; i++) {
		const crmf_file *f = &s->files[i];
		bool want = f->selected && s->o->mode != CRMF_SCAN_NONE;
		bool need_doc = want && s->o->mode == CRMF_SCAN_DOCS;
		struct result *r = rs[i - first] = xcalloc(1, sizeof(*r));
		struct at at = locate(s, &dc, f->relpath);
		const crmf_cache_info *e = NULL;
		struct stat st;
		bool have_st, same = false;
		char *bytes = NULL;
		size_t len = 0;

		if (next_pre < pr.n && pr.of[next_pre] == i - first) {
			size_t k = next_pre++;

			if (pr.buf[k]) {
				/* stat data only for the cache */
				if (s->w)
					crmf_cache_stat_from(&r->st, &pr.st[k]);
				check_file(s, i, at, r, want, pr.buf[k], pr.len[k], s->w != NULL);
				continue;
			}
		}

		/* without an entry to compare with, the file is read at once */
		have_st = crmf_cache_info_of(s->old, i) &&
			  fstatat(at.fd, at.name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			  S_ISREG(st.st_mode);
		if (have_st) {
			crmf_cache_stat_from(&r->st, &st);
			e = crmf_cache_info_of(s->old, i);
		}
		if (e && span_holds(e->aux, s->o->today)) {
			if (crmf_cache_stat_equal(&e->st, &r->st) && !crmf_cache_racy(s->old, &r->st)) {
				same = true;
			} else if (!(e->flags & F_NO_CONTENT) && !need_doc &&
				   (bytes = read_small(at.fd, at.name, &len, NULL))) {
				crmf_hash h = content_hash(bytes, len);

				if (h.a == e->content.a && h.b == e->content.b) {
					same = true;
					r->restat = true;
					free(bytes);
					bytes = NULL;
				}
			}
		}
		if (same && need_doc) {
			/* the document is wanted: parse it, but the entry stays */
			check_file(s, i, at, r, want, NULL, 0, have_st);
			r->how = W_KEEP;
			r->changed = false;
			r->restat = false;
			continue;
		}
		if (!same) {
			check_file(s, i, at, r, want, bytes, len, have_st);
			continue;
		}
		r->how = W_KEEP;
		r->flags = e->flags;
		r->content = e->content;
		r->aux = e->aux;
		need[i - first] = ((want || s->collect) && (e->flags & F_CUSTOMER)) ||
				  (f->selected && (e->flags & F_DIAGS));
		any = any || need[i - first];
	}
	if (any)
		buf = crmf_cache_read(s->old, first, end, need, recs, lens);
	if (buf) {
		sh = xmalloc(sizeof(*sh));
		sh->buf = buf;
		sh->refs = 0;
	}
	for (size_t i = first; i < end; i++) {
		struct result *r = rs[i - first];
		const crmf_file *f = &s->files[i];

		if (!need[i - first])
			continue;
		if (!recs[i - first] || !rec_view(&r->v, recs[i - first], lens[i - first])) {
			/* a damaged record: check the file again */
			r->restat = false;
			check_file(s, i, locate(s, &dc, f->relpath), r,
				   f->selected && s->o->mode != CRMF_SCAN_NONE, NULL, 0, true);
			continue;
		}
		r->rec = recs[i - first];
		r->rec_len = lens[i - first];
		r->shared = sh;
		sh->refs++;
		if (f->selected && s->o->mode == CRMF_SCAN_SUMMARY)
			r->keep = keep_summary(s, &r->v, f->relpath, false);
	}
	if (sh && !sh->refs) {
		free(sh->buf);
		free(sh);
	}
	if (dc.fd >= 0)
		close(dc.fd);
	pthread_mutex_lock(&s->lock);
	for (size_t i = first; i < end; i++)
		s->slot[i] = rs[i - first];
	if (s->consumed >= first && s->consumed < end)
		consume(s);
	pthread_mutex_unlock(&s->lock);
}

static void *worker(void *arg)
{
	struct scan *s = arg;
	size_t i;

	/* a few files are read the ordinary way; many, a batch at a time */
	crmf_readmany *rm = s->n > 2 * BATCH ? crmf_readmany_new(BATCH) : NULL;

	while ((i = atomic_fetch_add(&s->next, BATCH)) < s->n)
		process_batch(s, i, i + BATCH < s->n ? i + BATCH : s->n, rm);
	crmf_readmany_free(rm);
	pthread_mutex_lock(&s->lock);
	pool_hand_over(&s->repo->priv->chunks);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Feed the keys of a record to the cross-file checks. */
static void collect_keys(struct scan *s, size_t i, const struct view *v)
{
	struct dec d;

	if (!(v->flags & R_CUSTOMER))
		return;
	if (s->each)
		s->each(s->each_ctx, s->files[i].relpath, v);
	crmf_cross_begin(s->cross, i, s->files[i].relpath, v->id, v->id_line, v->id_col, v->name,
			 v->name_key, v->name_place, v->name_line, v->name_col);
	d = (struct dec){v->phones, v->end, false};
	for (uint16_t k = 0; k < v->n_phones; k++) {
		struct phone ph = get_phone(&d);

		crmf_cross_phone(s->cross, ph.raw, ph.key, ph.line, ph.col);
	}
	d = (struct dec){v->emails, v->end, false};
	for (uint16_t k = 0; k < v->n_emails; k++) {
		struct email em = get_email(&d);

		crmf_cross_email(s->cross, em.raw, em.line, em.col);
	}
}

/* Ask for the table slots a record's keys will probe (see collect_keys). */
static void prefetch_keys(struct scan *s, const struct view *v)
{
	struct dec d;

	if (!(v->flags & R_CUSTOMER))
		return;
	crmf_cross_prefetch(s->cross, v->id, v->name_key);
	d = (struct dec){v->phones, v->end, false};
	for (uint16_t k = 0; k < v->n_phones; k++)
		crmf_cross_prefetch_phone(s->cross, get_phone(&d).key);
}

static void push_entry(struct scan *s, size_t i)
{
	s->wfile[s->nw++] = i;
}

/* The first file whose entry must change: from here on the new cache is
 * written, starting with the old entries of the files before it. */
static void start_writing(struct scan *s, size_t upto)
{
	s->writing = true;
	for (size_t j = 0; j < upto; j++) {
		crmf_cache_writer_keep(s->w, s->old, j, s->files[j].relpath, NULL);
		push_entry(s, j);
	}
}

/* Take the results that are ready, in path order (the lock is held). */
static void consume(struct scan *s)
{
	while (s->consumed < s->n && s->slot[s->consumed]) {
		size_t i = s->consumed;
		struct result *r = s->slot[i];
		const crmf_file *f = &s->files[i];

		/* kept first: a duplicate id found below counts as its error */
		if (r->keep) {
			s->v[s->nv] = r->keep;
			s->vfile[s->nv++] = i;
		}
		if (r->rec) {
			const struct view *v = &r->v;
			struct dec d = {v->diags, v->end, false};

			for (uint32_t k = 0; k < v->n_diags && f->selected; k++) {
				uint8_t sev = get_u8(&d);
				const char *rule = get_str(&d, NULL);
				int32_t line = get_i32(&d), col = get_i32(&d);
				const char *msg = get_str(&d, NULL);

				crmf_diags_add(s->diags, (crmf_severity)(sev & 1),
					       sev & 0x80 ? NULL : f->relpath, line, col, rec_intern(rule),
					       "%s", msg ? msg : "");
			}
			if (s->collect) {
				/* the results of a batch are ready together: ask ahead */
				if (i + 2 < s->n && s->slot[i + 2] && s->slot[i + 2]->rec)
					prefetch_keys(s, &s->slot[i + 2]->v);
				collect_keys(s, i, v);
			}
		}
		s->changed = s->changed || r->changed;
		if (s->w && !s->writing && (r->how != W_KEEP || r->restat))
			start_writing(s, i);
		if (s->writing && r->how == W_KEEP) {
			crmf_cache_writer_keep(s->w, s->old, i, f->relpath, r->restat ? &r->st : NULL);
			push_entry(s, i);
		} else if (s->writing && r->how == W_ADD) {
			crmf_cache_writer_add(s->w, f->relpath, &r->st, r->content, r->flags, r->aux,
					      r->rec, r->rec_len);
			push_entry(s, i);
		}
		s->gaps = s->gaps || r->how == W_NONE;
		if (r->shared && --r->shared->refs == 0) {
			free(r->shared->buf);
			free(r->shared);
		}
		free(r->own);
		free(r);
		s->slot[i] = NULL;
		s->consumed++;
	}
}

static void run_workers(struct scan *s, int threads)
{
	size_t batches = (s->n + BATCH - 1) / BATCH;

	if (threads <= 0)
		threads = cpu_count();
	if ((size_t)threads > batches)
		threads = (int)(batches ? batches : 1);
	run_threads(worker, s, threads);
}

/* A cross-file finding: kept for the new cache, reported on the selected
 * files; a duplicate id is an error of a kept customer too. */
static void report_found(struct scan *s, size_t who, crmf_severity sev, int line, int col,
			 const char *rule, const char *message)
{
	size_t lo = 0, hi = s->nv;

	if (!s->files[who].selected)
		return;
	crmf_diags_add(s->diags, sev, s->files[who].relpath, line, col, rule, "%s", message);
	if (sev != CRMF_SEV_ERROR)
		return;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->vfile[mid] < who)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->nv && s->vfile[lo] == who)
		s->v[lo]->errors++;
}

static void cross_found(void *ctx, size_t who, const char *path, crmf_severity sev, int line,
			int col, const char *rule, const char *message)
{
	struct scan *s = ctx;

	(void)path;
	put_u32(&s->found, (uint32_t)who);
	put_u8(&s->found, (uint8_t)sev);
	put_str(&s->found, rule);
	put_i32(&s->found, line);
	put_i32(&s->found, col);
	put_str(&s->found, message);
	s->n_found++;
	report_found(s, who, sev, line, col, rule, message);
}

/* Report the findings the old cache holds; false when they cannot be used. */
static bool report_cached(struct scan *s)
{
	size_t len;
	const unsigned char *p = crmf_cache_extra(s->old, &len);
	struct dec d = {p, p + len, false};
	uint32_t n;

	if (!p)
		return false;
	n = get_u32(&d);
	/* check the whole block before reporting anything */
	for (uint32_t k = 0; k < n && !d.bad; k++) {
		if (get_u32(&d) >= s->n)
			d.bad = true;
		get_u8(&d);
		if (!get_str(&d, NULL))
			d.bad = true;
		get_i32(&d);
		get_i32(&d);
		get_str(&d, NULL);
	}
	if (d.bad || d.p != d.end)
		return false;
	d = (struct dec){p, p + len, false};
	n = get_u32(&d);
	for (uint32_t k = 0; k < n; k++) {
		uint32_t who = get_u32(&d);
		uint8_t sev = get_u8(&d);
		const char *rule = get_str(&d, NULL);
		int32_t line = get_i32(&d), col = get_i32(&d);
		const char *msg = get_str(&d, NULL);

		report_found(s, who, (crmf_severity)(sev & 1), line, col, rec_intern(rule),
			     msg ? msg : "");
	}
	put(&s->found, p + 4, len - 4);
	s->n_found = n;
	return true;
}

static void each_record(void *ctx, size_t k, const void *rec, size_t len)
{
	struct scan *s = ctx;
	struct view v;

	if (rec_view(&v, rec, len))
		collect_keys(s, s->wfile[k], &v);
}

/* Drop the diagnostics added since there were n0 of them. */
static void diags_truncate(crmf_diags *d, size_t n0)
{
	while (d->n > n0) {
		crmf_diag *x = &d->v[--d->n];

		if (x->severity == CRMF_SEV_ERROR)
			d->errors--;
		else
			d->warnings--;
		free(x->path);
		free(x->message);
	}
}

static void drop_kept(struct scan *s)
{
	/* summaries stay in their chunks until the repository is freed */
	for (size_t k = 0; k < s->nv && s->o->mode != CRMF_SCAN_SUMMARY; k++)
		crmf_customer_free(s->v[k]);
	s->nv = 0;
}

/*
 * One pass over the files. The cross-file checks come last: from the keys
 * collected on the way; or, when nothing changed, from the old cache; or
 * from the records of the new cache, read back. Returns -1 when the new
 * cache could not be read back: the caller scans again without a cache.
 */
static int scan_files(struct scan *s, bool use_cache, char *cache_path)
{
	crmf_hash key = s->repo->priv->key;
	bool cross_done = false;
	int rc = 0;

	if (use_cache) {
		crmf_cache_open(&s->old, cache_path, key, s->paths, s->n);
		crmf_cache_writer_open(&s->w, cache_path, key);
	}
	s->changed = !crmf_cache_complete(s->old);
	s->collect = s->changed || !s->w || s->each;
	s->writing = s->w && s->changed;
	s->cross = crmf_cross_new(cross_found, s);
	if (s->collect)
		crmf_cross_reserve(s->cross, s->n);
	s->consumed = s->nv = s->nw = 0;
	s->gaps = false;
	atomic_init(&s->next, 0);
	run_workers(s, s->o->threads);

	if (s->collect) {
		cross_done = true; /* found while scanning */
	} else if (!s->changed && report_cached(s)) {
		cross_done = true;
	} else {
		if (!s->writing)
			start_writing(s, s->n);
		if (crmf_cache_writer_each(s->w, each_record, s) != 0) {
			crmf_cache_writer_abort(s->w);
			s->w = NULL;
			rc = -1;
		} else {
			cross_done = true;
		}
	}
	if (s->w && s->writing && cross_done) {
		strbuf extra = STRBUF_INIT;

		/* the findings name files by number: only for a cache of every file */
		if (!s->gaps) {
			put_u32(&extra, (uint32_t)s->n_found);
			if (s->found.len)
				put(&extra, s->found.buf, s->found.len);
		}
		crmf_cache_writer_commit(s->w, s->gaps ? NULL : extra.buf, extra.len);
		sb_release(&extra);
	} else {
		crmf_cache_writer_abort(s->w);
	}
	s->w = NULL;
	crmf_cache_close(s->old);
	s->old = NULL;
	crmf_cross_free(s->cross);
	s->cross = NULL;
	sb_release(&s->found);
	s->n_found = 0;
	return rc;
}

/* ---- the repository ---- */

int crmf_repo_open(crmf_repo **out, const char *root)
{
	crmf_repo *repo = xcalloc(1, sizeof(*repo));
	struct crmf_repo_priv *priv = xcalloc(1, sizeof(*priv));
	static const char tag[] = "crmf cache " CRMF_VERSION " record " REC_FORMAT;
	char *cfg_path = xasprintf("%s/crmf.yaml", root);
	struct stat st;

	crmf_diags_init(&priv->cfg_diags);
	repo->priv = priv;
	repo->root = xstrdup(root);
	uint64_t fields = crmf_fields_hash();

	priv->key = crmf_hash_bytes((crmf_hash){0, 0}, tag, sizeof(tag));
	priv->key = crmf_hash_bytes(priv->key, &fields, sizeof(fields));
	if (lstat(cfg_path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a link is not followed: the defaults, and an error at it */
		crmf_file f = {"crmf.yaml", 0, 0,
			       S_ISLNK(st.st_mode) ? CRMF_FILE_LINK : CRMF_FILE_SPECIAL};
		char *msg = crmf_store_kind_message(root, &f);

		crmf_diags_add(&priv->cfg_diags, CRMF_SEV_ERROR, "crmf.yaml", 0, 0,
			       S_ISLNK(st.st_mode) ? "symlink" : "not-regular-file", "%s", msg);
		free(msg);
		crmf_config_load(&repo->cfg, NULL, &priv->cfg_diags);
		repo->files_checked = 1;
	} else if (lstat(cfg_path, &st) == 0) {
		crmf_doc *doc = NULL;

		crmf_doc_load(&doc, "crmf.yaml", cfg_path, &priv->cfg_diags);
		if (doc) {
			/* any change to crmf.yaml may change any check */
			priv->key = crmf_hash_bytes(priv->key, doc->src, doc->len);
			priv->cacheable = true;
		}
		crmf_config_load(&repo->cfg, doc && doc->root ? doc : NULL, &priv->cfg_diags);
		crmf_doc_free(doc);
		repo->files_checked = 1;
	} else {
		priv->cacheable = true;
		crmf_config_load(&repo->cfg, NULL, &priv->cfg_diags);
	}
	free(cfg_path);
	*out = repo;
	return 0;
}

int crmf_repo_scan(crmf_repo *repo, const crmf_scan_opts *opts, crmf_diags *diags)
{
	return crmf_repo_scan_each(repo, opts, diags, NULL, NULL);
}

int crmf_repo_scan_each(crmf_repo *repo, const crmf_scan_opts *opts, crmf_diags *diags,
			crmf_scan_each each, void *each_ctx)
{
	struct crmf_repo_priv *priv = repo->priv;
	char *cache_path = NULL;
	struct scan s;
	size_t n_sel = 0, n0;
	bool cfg_sel = false, use_cache;
	int rc = -1;

	if (priv->scanned)
		return crmf_error_set("the repository was scanned already");
	priv->scanned = true;
	priv->mode = opts->mode;
	memset(&s, 0, sizeof(s));
	s.repo = repo;
	s.o = opts;
	s.diags = diags;
	s.each = each;
	s.each_ctx = each_ctx;
	s.rootfd = open(repo->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.rootfd < 0)
		return crmf_error_set("cannot open '%s': %s", repo->root, strerror(errno));
	if (crmf_store_list(&s.files, &s.n, repo->root) != 0)
		goto done;
	crmf_scan_select(&n_sel, &cfg_sel, repo->root, opts, &s.files, &s.n, diags);
	crmf_scan_drop_non_files(repo->root, s.files, &s.n, diags);
	if (cfg_sel)
		crmf_diags_move(diags, &priv->cfg_diags);
	else
		repo->files_checked = 0;
	repo->files_checked += n_sel;

	s.paths = xmalloc((s.n ? s.n : 1) * sizeof(*s.paths));
	for (size_t i = 0; i < s.n; i++)
		s.paths[i] = s.files[i].relpath;
	s.slot = xcalloc(s.n ? s.n : 1, sizeof(*s.slot));
	s.v = xmalloc((s.n ? s.n : 1) * sizeof(*s.v));
	s.vfile = xmalloc((s.n ? s.n : 1) * sizeof(*s.vfile));
	s.wfile = xmalloc((s.n ? s.n : 1) * sizeof(*s.wfile));
	pthread_mutex_init(&s.lock, NULL);
	use_cache = !opts->no_cache && priv->cacheable &&
		    crmf_cache_path(&cache_path, repo->root) == 0;
	n0 = diags->n;
	if (scan_files(&s, use_cache, cache_path) != 0) {
		/* the new cache could not be read back: check everything again */
		diags_truncate(diags, n0);
		drop_kept(&s);
		scan_files(&s, false, NULL);
	}
	pthread_mutex_destroy(&s.lock);
	crmf_diags_sort(diags);
	repo->v = s.nv ? xrealloc(s.v, s.nv * sizeof(*s.v)) : (free(s.v), NULL);
	repo->n = s.nv;
	s.v = NULL;
	rc = 0;
done:
	free(cache_path);
	free(s.slot);
	free(s.v);
	free(s.vfile);
	free(s.wfile);
	free(s.paths);
	crmf_store_list_free(s.files, s.n);
	close(s.rootfd);
	return rc;
}

int crmf_repo_load(crmf_repo **out, const char *root, const crmf_scan_opts *opts,
		   crmf_diags *diags)
{
	crmf_repo *repo = NULL;

	*out = NULL;
	if (crmf_repo_open(&repo, root) != 0)
		return -1;
	if (crmf_repo_scan(repo, opts, diags) != 0) {
		crmf_repo_free(repo);
		return -1;
	}
	*out = repo;
	return 0;
}

void crmf_repo_free(crmf_repo *repo)
{
	if (!repo)
		return;
	/* summaries live in the chunks */
	for (size_t i = 0; i < repo->n && !(repo->priv && repo->priv->mode == CRMF_SCAN_SUMMARY);
	     i++)
		crmf_customer_free(repo->v[i]);
	free(repo->v);
	if (repo->priv) {
		pool_free(repo->priv->chunks);
		crmf_diags_release(&repo->priv->cfg_diags);
		free(repo->priv);
	}
	crmf_config_free(repo->cfg);
	free(repo->root);
	free(repo);
}
