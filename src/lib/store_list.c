/* SPDX-License-Identifier: MIT */
/* The customer file list: customers/ and archive/ walked (in parallel, in git's order), links, FIFOs and nested repositories told apart. */
#include "crmf/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/diag.h"
#include "crmf/sort.h"
#include "util.h"

typedef struct file_list {
	crmf_file *v;
	size_t n, cap;
} file_list;

static void add_path(file_list *list, char *rel, int archived, crmf_file_kind kind)
{
	if (list->n == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 256;
		list->v = xrealloc(list->v, list->cap * sizeof(*list->v));
	}
	list->v[list->n].relpath = rel;
	list->v[list->n].archived = archived;
	list->v[list->n].selected = 0;
	list->v[list->n].kind = kind;
	list->n++;
}

/* `path`/`name`, malloc'ed. */
static char *join(const strbuf *path, const char *name, size_t len)
{
	char *rel = xmalloc(path->len + 1 + len + 1);

	memcpy(rel, path->buf, path->len);
	rel[path->len] = '/';
	memcpy(rel + path->len + 1, name, len);
	rel[path->len + 1 + len] = '\0';
	return rel;
}

static void add_file(file_list *list, const strbuf *path, const char *name, size_t len,
		     int archived, crmf_file_kind kind)
{
	add_path(list, join(path, name, len), archived, kind);
}

/*
 * An entry of one folder, to be put in order before it is listed: the whole
 * list then comes out sorted by path without sorting 100,000 paths that share
 * their first dozen bytes. A folder sorts as its name followed by '/', as its
 * files' paths compare with its neighbours'.
 */
struct entry {
	uint64_t key[2]; /* the first 16 bytes (with the '/'), big-endian: most comparisons */
	const char *name;
	char *rel; /* a file's path (its name is at its end), until listed */
	uint32_t len;
	bool dir;
	uint8_t kind; /* a file's crmf_file_kind */
};

static int entry_byte(const struct entry *e, size_t i)
{
	return i < e->len ? (unsigned char)e->name[i] : i == e->len && e->dir ? '/' : 0;
}

static inline int cmp_entry(const struct entry *a, const struct entry *b)
{
	if (a->key[0] != b->key[0])
		return a->key[0] < b->key[0] ? -1 : 1;
	if (a->key[1] != b->key[1])
		return a->key[1] < b->key[1] ? -1 : 1;
	for (size_t i = 16;; i++) {
		int x = entry_byte(a, i), y = entry_byte(b, i);

		if (x != y || !x)
			return x - y;
	}
}

static inline bool entry_less(const struct entry *a, const struct entry *b)
{
	return cmp_entry(a, b) < 0;
}

CRMF_DEFINE_SORT(sort_entries, struct entry, entry_less)

static uint64_t load_be64(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

static void add_entry(struct entry **v, size_t *n, size_t *cap, const char *name, size_t len,
		      char *rel, size_t dir_len, crmf_file_kind kind)
{
	unsigned char head[16] = {0};
	struct entry *e;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	e = &(*v)[(*n)++];
	e->name = rel ? rel + dir_len + 1 : xstrndup(name, len);
	e->rel = rel;
	e->len = (uint32_t)len; /* a name is at most NAME_MAX bytes */
	e->dir = !rel;
	e->kind = (uint8_t)kind;
	/* the key: the name's first 16 bytes, a folder's '/' after it, zeros */
	memcpy(head, name, len < 16 ? len : 16);
	if (e->dir && len < 16)
		head[len] = '/';
	e->key[0] = load_be64(head);
	e->key[1] = load_be64(head + 8);
}

/* Whether the folder `fd` holds another repository, as git sees one: a
 * .git file (a submodule's, or a linked worktree's), or a .git folder with
 * a HEAD. A stray .git folder without one is no repository for git either. */
static bool holds_repo(int fd)
{
	struct stat st;

	if (fstatat(fd, ".git", &st, AT_SYMLINK_NOFOLLOW) != 0)
		return false;
	if (!S_ISDIR(st.st_mode))
		return S_ISREG(st.st_mode);
	return fstatat(fd, ".git/HEAD", &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Finding one name (crmf_store_find): look it up in the folder `fd`, then
 * say whether the folder may hold folders. A folder's link count is 2 plus
 * its subfolders on the usual file systems (ext4, xfs, tmpfs); 2 means none,
 * and its entries, maybe 100,000 files, need not be read. Others (btrfs,
 * overlayfs) say 1: read. */
static bool probe(file_list *list, int fd, const strbuf *path, const char *stem, int archived)
{
	static const char *const exts[] = {".yaml", ".yml"};
	struct stat st;
	char name[NAME_MAX + 1];
	size_t len = strlen(stem);

	if (holds_repo(fd)) {
		add_path(list, xstrdup(path->buf), archived, CRMF_FILE_NESTED);
		return false;
	}
	for (size_t i = 0; i < 2; i++) {
		if (len + strlen(exts[i]) >= sizeof(name))
			continue;
		memcpy(name, stem, len);
		strcpy(name + len, exts[i]);
		/* as the listing sees them: links and special files too, never followed */
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
			add_file(list, path, name, strlen(name), archived,
				 S_ISREG(st.st_mode)   ? CRMF_FILE_REGULAR
				 : S_ISLNK(st.st_mode) ? CRMF_FILE_LINK
						       : CRMF_FILE_SPECIAL);
	}
	return fstat(fd, &st) != 0 || st.st_nlink != 2;
}

/*
 * Add every YAML file below the directory `fd` (whose relative path is in
 * `path`) to `list`, sorted by path, or with `stem` only those named
 * `stem`.yaml/.yml; `fd` is consumed. Entries are classified by d_type, with
 * an lstat only where the file system does not say (or a stat for a link
 * not named like a customer file: is it one to a folder?). No link is
 * followed and no folder holding a .git is entered (no cycles, nothing
 * outside the repository): they are listed as such, for the callers to say so.
 */
static int walk_folders(file_list *list, DIR *d, const strbuf *path, int archived,
			struct entry *ents, size_t n);

static int walk(file_list *list, int fd, strbuf *path, int archived, const char *stem,
		bool parallel);

/* Walk the subfolder e of the folder `fd` (whose relative path is in `path`,
 * as it is again on return). */
static int walk_sub(file_list *list, int fd, strbuf *path, const struct entry *e, int archived,
		    const char *stem)
{
	size_t keep = path->len;
	int sub = openat(fd, e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), rc;

	sb_addc(path, '/');
	sb_add(path, e->name, e->len);
	if (sub < 0)
		rc = crmf_error_set("cannot open '%s': %s", path->buf, strerror(errno));
	else
		rc = walk(list, sub, path, archived, stem, false);
	path->len = keep;
	path->buf[keep] = '\0';
	return rc;
}

static int walk(file_list *list, int fd, strbuf *path, int archived, const char *stem,
		bool parallel)
{
	DIR *d;
	struct dirent *de;
	struct entry *ents = NULL;
	size_t n = 0, cap = 0, i;
	bool nested = false;
	int rc = 0;

	if (stem && !probe(list, fd, path, stem, archived)) {
		close(fd);
		return 0;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return crmf_error_set("cannot read '%s': %s", path->buf, strerror(errno));
	}
	{
		/* room for the folder's entries at once: its size grows with them
		 * (ext4: about 24 bytes each) */
		struct stat st;

		if (fstat(fd, &st) == 0 && st.st_size > 64 * 24) {
			cap = (size_t)st.st_size / 24;
			cap = cap > ((size_t)1 << 20) ? (size_t)1 << 20 : cap;
			ents = xmalloc(cap * sizeof(*ents));
		}
	}
	for (;;) {
		const char *name;
		size_t len;
		unsigned char type;
		struct stat st;

		errno = 0;
		if (!(de = readdir(d))) {
			if (errno)
				rc = crmf_error_set("cannot read '%s': %s", path->buf,
						    strerror(errno));
			break;
		}
		name = de->d_name;
		if (name[0] == '.') {
			/* a submodule's .git is a file, a nested repository's a folder */
			nested = nested || strcmp(name, ".git") == 0;
			continue;
		}
		len = strlen(name);
		type = de->d_type;
		if (type == DT_UNKNOWN) {
			if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0)
				continue; /* vanished meanwhile */
			type = S_ISDIR(st.st_mode)    ? DT_DIR
			       : S_ISREG(st.st_mode)  ? DT_REG
			       : S_ISLNK(st.st_mode)  ? DT_LNK
			       : S_ISFIFO(st.st_mode) ? DT_FIFO
						      : DT_CHR;
		}
		if (stem && type != DT_DIR)
			continue; /* files: probed */
		if (type == DT_DIR)
			add_entry(&ents, &n, &cap, name, len, NULL, path->len, 0);
		else if (type == DT_REG && is_yaml_name(name, len))
			add_entry(&ents, &n, &cap, name, len, join(path, name, len), path->len,
				  CRMF_FILE_REGULAR);
		else if (type == DT_LNK &&
			 (is_yaml_name(name, len) ||
			  (fstatat(dirfd(d), name, &st, 0) == 0 && S_ISDIR(st.st_mode))))
			add_entry(&ents, &n, &cap, name, len, join(path, name, len), path->len,
				  CRMF_FILE_LINK);
		else if (type != DT_REG && type != DT_LNK && is_yaml_name(name, len))
			add_entry(&ents, &n, &cap, name, len, join(path, name, len), path->len,
				  CRMF_FILE_SPECIAL);
	}
	if (nested && rc == 0 && !stem && holds_repo(dirfd(d))) {
		/* another repository: listed as one, not entered */
		for (i = 0; i < n; i++)
			free(ents[i].dir ? (char *)ents[i].name : ents[i].rel);
		n = 0;
		add_path(list, xstrdup(path->buf), archived, CRMF_FILE_NESTED);
	}
	sort_entries(ents, n);
	if (parallel && rc == 0) {
		rc = walk_folders(list, d, path, archived, ents, n);
		ents = NULL; /* taken over */
		n = 0;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (!ents[i].dir) {
			add_path(list, ents[i].rel, archived, ents[i].kind);
			ents[i].rel = NULL;
			continue;
		}
		rc = walk_sub(list, dirfd(d), path, &ents[i], archived, stem);
	}
	for (i = 0; i < n; i++) {
		if (ents[i].dir)
			free((char *)ents[i].name);
		else
			free(ents[i].rel); /* NULL once listed */
	}
	free(ents);
	closedir(d);
	return rc;
}

/* The folders of one folder, listed by several threads at once (a
 * repository by years lists its years in parallel). */
struct folders {
	int dirfd;
	const strbuf *parent;
	int archived;
	const struct entry *ents;
	size_t *dirs, ndirs; /* the entries that are folders */
	size_t *order;	     /* the folders, largest first: no long one left for last */
	file_list *lists;    /* each folder's files */
	char **errs;	     /* each folder's error, or NULL */
	atomic_size_t next;
};

static void *folders_main(void *arg)
{
	struct folders *w = arg;
	strbuf path = STRBUF_INIT;
	size_t k;

	sb_add(&path, w->parent->buf, w->parent->len);
	while ((k = atomic_fetch_add(&w->next, 1)) < w->ndirs) {
		k = w->order[k];
		if (walk_sub(&w->lists[k], w->dirfd, &path, &w->ents[w->dirs[k]], w->archived,
			     NULL) < 0) /* the message is the thread's own */
			w->errs[k] = xstrdup(crmf_error_last());
	}
	sb_release(&path);
	return NULL;
}

/* List the sorted entries of folder d: its files, and its folders' files
 * listed by up to one thread per core; the entries are consumed. The first
 * error in path order is the one reported, as when listing in one go. */
static int walk_folders(file_list *list, DIR *d, const strbuf *path, int archived,
			struct entry *ents, size_t n)
{
	struct folders w = {dirfd(d), path, archived, ents, NULL, 0, NULL, NULL, NULL, 0};
	off_t *size;
	size_t k = 0;
	int rc = 0;

	w.dirs = xmalloc((n ? n : 1) * sizeof(*w.dirs));
	for (size_t i = 0; i < n; i++)
		if (ents[i].dir)
			w.dirs[w.ndirs++] = i;
	/* a folder's size grows with its entries (ext4, xfs, tmpfs) */
	w.order = xmalloc((w.ndirs ? w.ndirs : 1) * sizeof(*w.order));
	size = xmalloc((w.ndirs ? w.ndirs : 1) * sizeof(*size));
	for (size_t j = 0; j < w.ndirs; j++) {
		struct stat st;
		size_t at = j;

		size[j] = fstatat(w.dirfd, ents[w.dirs[j]].name, &st, AT_SYMLINK_NOFOLLOW) == 0
			      ? st.st_size
			      : 0;
		for (; at > 0 && size[w.order[at - 1]] < size[j]; at--)
			w.order[at] = w.order[at - 1];
		w.order[at] = j;
	}
	free(size);
	w.lists = xcalloc(w.ndirs ? w.ndirs : 1, sizeof(*w.lists));
	w.errs = xcalloc(w.ndirs ? w.ndirs : 1, sizeof(*w.errs));
	atomic_init(&w.next, 0);
	run_threads(folders_main, &w, w.ndirs < (size_t)cpu_count() ? (int)w.ndirs : cpu_count());

	{
		size_t total = list->n + n;

		for (size_t j = 0; j < w.ndirs; j++)
			total += w.lists[j].n;
		if (total > list->cap) {
			list->cap = total;
			list->v = xrealloc(list->v, list->cap * sizeof(*list->v));
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!ents[i].dir) {
			if (rc == 0)
				add_path(list, ents[i].rel, archived, ents[i].kind);
			else
				free(ents[i].rel);
			continue;
		}
		if (rc == 0 && w.errs[k])
			rc = crmf_error_set("%s", w.errs[k]);
		for (size_t j = 0; j < w.lists[k].n; j++) {
			if (rc == 0)
				add_path(list, w.lists[k].v[j].relpath, archived,
					 w.lists[k].v[j].kind);
			else
				free(w.lists[k].v[j].relpath);
		}
		free(w.lists[k].v);
		free(w.errs[k]);
		free((char *)ents[i].name);
		k++;
	}
	free(w.dirs);
	free(w.order);
	free(w.lists);
	free(w.errs);
	free(ents);
	return rc;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const crmf_file *)a)->relpath, ((const crmf_file *)b)->relpath);
}

static int list_or_find(crmf_file **out, size_t *n, const char *root, const char *stem)
{
	/* in the order of their paths */
	static const char *const tops[] = {"archive", "customers"};
	file_list list = {NULL, 0, 0};
	strbuf path = STRBUF_INIT;
	int rootfd, rc = 0;

	*out = NULL;
	*n = 0;
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return crmf_error_set("cannot open '%s': %s", root, strerror(errno));
	for (size_t i = 0; i < sizeof(tops) / sizeof(tops[0]) && rc == 0; i++) {
		int fd = openat(rootfd, tops[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0) {
			struct stat st;

			/* a link: listed as one, not followed */
			if ((errno == ENOTDIR || errno == ELOOP) &&
			    fstatat(rootfd, tops[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode)) {
				add_path(&list, xstrdup(tops[i]), i == 0, CRMF_FILE_LINK);
				continue;
			}
			/* absent (or not a directory): nothing to list there */
			if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
				continue;
			rc = crmf_error_set("cannot open '%s/%s': %s", root, tops[i],
					    strerror(errno));
			break;
		}
		path.len = 0;
		sb_adds(&path, tops[i]);
		rc = walk(&list, fd, &path, i == 0, stem, !stem);
	}
	close(rootfd);
	sb_release(&path);
	if (rc < 0) {
		crmf_store_list_free(list.v, list.n);
		return -1;
	}
	/* walk() lists in order; finding probes a folder's files before its folders */
	if (stem && list.n > 1)
		qsort(list.v, list.n, sizeof(*list.v), cmp_file);
	if (!list.v)
		list.v = xmalloc(sizeof(*list.v)); /* never NULL: callers may hand it to qsort */
	*out = list.v;
	*n = list.n;
	return 0;
}

int crmf_store_list(crmf_file **out, size_t *n, const char *root)
{
	return list_or_find(out, n, root, NULL);
}

int crmf_store_find(crmf_file **out, size_t *n, const char *root, const char *stem)
{
	if (!*stem || stem[0] == '.' || strchr(stem, '/')) {
		*out = xmalloc(sizeof(**out));
		*n = 0;
		return 0;
	}
	return list_or_find(out, n, root, stem);
}

void crmf_store_list_free(crmf_file *files, size_t n)
{
	if (!files)
		return;
	for (size_t i = 0; i < n; i++)
		free(files[i].relpath);
	free(files);
}

int crmf_store_check_path(const char *root, const char *rel)
{
	strbuf p = STRBUF_INIT;
	struct stat st;
	int rc = 0;

	sb_adds(&p, root);
	for (const char *c = rel; *c && rc == 0;) {
		size_t n = strcspn(c, "/");
		bool last = c[n] == '\0';

		sb_addc(&p, '/');
		sb_add(&p, c, n);
		c += n + !last;
		if (lstat(p.buf, &st) != 0) {
			if (errno != ENOENT)
				rc = crmf_error_set("cannot access '%s': %s", p.buf + strlen(root) + 1,
						    strerror(errno));
			break; /* the rest is created */
		}
		if (S_ISLNK(st.st_mode)) {
			rc = crmf_error_set("'%s' is a symbolic link; crmf does not write through "
					    "links (git stores the link, not what it points to)",
					    p.buf + strlen(root) + 1);
		} else if (last) {
			if (!S_ISREG(st.st_mode))
				rc = crmf_error_set("'%s' is not a regular file", rel);
		} else if (!S_ISDIR(st.st_mode)) {
			rc = crmf_error_set("'%s' is not a directory", p.buf + strlen(root) + 1);
		} else {
			int fd = open(p.buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (fd >= 0 && holds_repo(fd))
				rc = crmf_error_set("'%s' is another git repository (a submodule or "
						    "nested repository); crmf does not write in it",
						    p.buf + strlen(root) + 1);
			if (fd >= 0)
				close(fd);
		}
	}
	sb_release(&p);
	return rc;
}

char *crmf_store_kind_message(const char *root, const crmf_file *f)
{
	char target[PATH_MAX];
	char *path;
	ssize_t n;

	switch (f->kind) {
	case CRMF_FILE_REGULAR:
		break;
	case CRMF_FILE_LINK:
		path = xasprintf("%s/%s", root, f->relpath);
		n = readlink(path, target, sizeof(target) - 1);
		free(path);
		target[n > 0 ? n : 0] = '\0';
		return xasprintf(crmf_tr("symbolic link to '%s' not followed: crmf reads and writes "
				 "customer files only as regular files (git stores the link, "
				 "not what it points to)"),
				 target);
	case CRMF_FILE_SPECIAL:
		return xstrdup(crmf_tr("not a regular file"));
	case CRMF_FILE_NESTED:
		return xstrdup(crmf_tr("another git repository (a submodule or nested repository): "
				       "crmf does not look inside"));
	}
	return NULL;
}

