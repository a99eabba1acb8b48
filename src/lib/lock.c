/* SPDX-License-Identifier: MIT */
/* Taking turns and writing safely: crmf's lock, and files written whole or not at all. */
#include "crmf/commit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/repository.h>

#include "crmf/diag.h"
#include "crmf/diff.h"
#include "git_private.h"
#include "gitfilter.h"
#include "gitindex.h"
#include "util.h"
#include "repo_ctx.h"

/* --- the lock --- */

struct crmf_lock {
	int fd;
};

int crmf_ctx_lock_acquire(crmf_lock **out, const repo_ctx *c, int timeout_ms)
{
	char *path = NULL;
	struct timespec start, now;
	long step_us = 1000;
	int fd = -1, rc = -1;

	*out = NULL;
	path = crmf_ctx_gitdir_file(c, "crmf.lock", false);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		crmf_error_set("cannot create the lock '%s': %s", path, errtext(errno));
		goto done;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		long waited_ms;

		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			crmf_error_set("cannot lock '%s': %s", path, errtext(errno));
			goto done;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited_ms =
		    (now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L;
		if (timeout_ms >= 0 && waited_ms >= timeout_ms) {
			char pid[32] = "";
			ssize_t got = pread(fd, pid, sizeof(pid) - 1, 0);

			pid[got > 0 ? got : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			if (pid[0])
				crmf_error_set("another crmf (process %s) is changing this "
					       "repository; try again when it has finished",
					       pid);
			else
				crmf_error_set("another crmf is changing this repository; try "
					       "again when it has finished");
			goto done;
		}
		/* back off, but not past the deadline: waiters wake soon after the release */
		if (timeout_ms >= 0 && step_us / 1000 > timeout_ms - waited_ms)
			step_us = (timeout_ms - waited_ms) * 1000L + 100;
		{
			struct timespec ts = {step_us / 1000000, (step_us % 1000000) * 1000};

			nanosleep(&ts, NULL);
		}
		if (step_us < 20000)
			step_us *= 2;
	}
	{
		/* who holds it, for the message of those who wait */
		char pid[32];
		int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

		if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) < 0)
			(void)0; /* only informative */
	}
	*out = xmalloc(sizeof(**out));
	(*out)->fd = fd;
	fd = -1;
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

int crmf_lock_acquire(crmf_lock **out, const char *root, int timeout_ms)
{
	crmf_git_need();
	repo_ctx c;
	int rc;

	*out = NULL;
	if (crmf_ctx_open(&c, root) < 0)
		return -1;
	rc = crmf_ctx_lock_acquire(out, &c, timeout_ms);
	crmf_ctx_close(&c);
	return rc;
}

void crmf_lock_release(crmf_lock *lock)
{
	if (!lock)
		return;
	if (ftruncate(lock->fd, 0) != 0)
		(void)0; /* only informative */
	flock(lock->fd, LOCK_UN);
	close(lock->fd);
	free(lock);
}

/* --- atomic writes --- */

/*
 * Temporary files of crmf processes that died between making one and
 * renaming it into place (kill -9, a crash): named "<pid>-…", removed when
 * that process is gone. A live process that reused the number keeps them
 * until it too is gone; git never looks here, so they cost nothing meanwhile.
 */
static void sweep_dead(const char *tmpdir)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (end == e->d_name || *end != '-' || pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/*
 * Where the temporary file of a write into `dir` (on device `dev`) goes:
 * crmf/tmp/ in the git directory of the work tree holding `dir`, so that a
 * process killed before its rename leaves nothing that git status lists
 * (git never looks inside its own directory); NULL when `dir` is in no
 * repository or the git directory is on another file system (a rename
 * cannot cross it) or cannot be written (read-only): then beside the file.
 */
static char *tmp_dir_for(const char *dir, dev_t dev)
{
	git_buf b = GIT_BUF_INIT;
	char *t = NULL, *parent = NULL;
	struct stat st;

	crmf_git_need();
	if (git_repository_discover(&b, dir, 0, NULL) == 0 && b.ptr && *b.ptr) {
		const char *sep = b.ptr[strlen(b.ptr) - 1] == '/' ? "" : "/";

		parent = xasprintf("%s%scrmf", b.ptr, sep);
		t = xasprintf("%s/tmp", parent);
		if ((mkdir(parent, 0777) != 0 && errno != EEXIST) ||
		    (mkdir(t, 0777) != 0 && errno != EEXIST) || stat(t, &st) != 0 ||
		    !S_ISDIR(st.st_mode) || st.st_dev != dev) {
			free(t);
			t = NULL;
		}
	}
	git_error_clear();
	git_buf_dispose(&b);
	free(parent);
	return t;
}

/* Make the temporary file: in `tmpdir` when given, else beside the target; -1 with errno. */
static int make_tmp(char **tmp, const char *tmpdir, const char *dir, const char *base)
{
	int fd = -1;

	*tmp = NULL;
	for (unsigned i = 0; fd < 0; i++) {
		free(*tmp);
		if (tmpdir)
			*tmp = xasprintf("%s/%ld-%u-%s", tmpdir, (long)getpid(), i, base);
		else
			*tmp = xasprintf("%s/.%s.crmf-%ld-%u", dir, base, (long)getpid(), i);
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && (errno != EEXIST || i >= 1000)) {
			int err = errno;

			free(*tmp);
			*tmp = NULL;
			errno = err;
			return -1;
		}
	}
	return fd;
}

static int write_atomic(const char *fspath, const char *buf, size_t len, bool durable);

int crmf_write_atomic(const char *fspath, const char *buf, size_t len)
{
	return write_atomic(fspath, buf, len, true);
}

int crmf_write_atomic_batch(const char *fspath, const char *buf, size_t len)
{
	return write_atomic(fspath, buf, len, false);
}

int crmf_write_batch_sync(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return crmf_error_set("cannot open '%s': %s", dir, errtext(errno));
	rc = syncfs(fd);
	close(fd);
	if (rc != 0)
		return crmf_error_set("cannot write '%s' to the disk: %s", dir, errtext(errno));
	return 0;
}

static int write_atomic(const char *fspath, const char *buf, size_t len, bool durable)
{
	char *target = NULL, *dir = NULL, *tmp = NULL, *tmpdir = NULL;
	const char *base, *slash;
	struct stat st, dst;
	bool exists = false;
	int fd = -1, rc = -1, err;

	/* write through a symbolic link rather than replacing it */
	if (lstat(fspath, &st) == 0 && S_ISLNK(st.st_mode)) {
		target = realpath(fspath, NULL);
		if (!target)
			return crmf_error_set("cannot write '%s': %s", fspath, errtext(errno));
	} else {
		target = xstrdup(fspath);
	}
	if (stat(target, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			crmf_error_set("cannot write '%s': %s", fspath, errtext(EISDIR));
			goto done;
		}
		exists = true;
	}
	slash = strrchr(target, '/');
	dir =
	    slash ? xstrndup(target, slash == target ? 1 : (size_t)(slash - target)) : xstrdup(".");
	base = slash ? slash + 1 : target;
	if (stat(dir, &dst) == 0 && S_ISDIR(dst.st_mode))
		tmpdir = tmp_dir_for(dir, dst.st_dev);
again:
	fd = make_tmp(&tmp, tmpdir, dir, base);
	if (fd < 0 && tmpdir) {
		free(tmpdir); /* the git directory refuses: beside the file then */
		tmpdir = NULL;
		goto again;
	}
	if (fd < 0) {
		crmf_error_set("cannot write '%s': %s", fspath, errtext(errno));
		goto done;
	}
	/* the file keeps its permissions */
	if (exists && fchmod(fd, st.st_mode & 07777) != 0)
		goto fail;
	if (write_all(fd, buf, len) != 0 || (durable && fsync(fd) != 0))
		goto fail;
	err = close(fd);
	fd = -1;
	if (err != 0)
		goto fail;
	if (rename(tmp, target) != 0) {
		if (errno == EXDEV && tmpdir) {
			/* one file system seen through two mounts: beside the file then */
			unlink(tmp);
			free(tmp);
			tmp = NULL;
			free(tmpdir);
			tmpdir = NULL;
			goto again;
		}
		goto fail;
	}
	free(tmp);
	tmp = NULL;
	{
		int dfd = durable ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

		/* the rename is durable once the directory is; some file systems refuse */
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
	if (tmpdir)
		sweep_dead(tmpdir);
	rc = 0;
	goto done;
fail:
	err = errno;
	crmf_error_set("cannot write '%s': %s", fspath, errtext(err));
done:
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(tmpdir);
	free(dir);
	free(target);
	return rc;
}

/* --- many new files in a row --- */

struct crmf_write_batch {
	char *tmpdir; /* NULL: each file as crmf_write_atomic_batch writes it */
	long pid;
	unsigned seq;
};

crmf_write_batch *crmf_write_batch_new(const char *root)
{
	crmf_write_batch *b = xcalloc(1, sizeof(*b));
	struct stat st;

	b->pid = (long)getpid();
	if (stat(root, &st) == 0 && S_ISDIR(st.st_mode))
		b->tmpdir = tmp_dir_for(root, st.st_dev);
	return b;
}

/* The slow way, for a folder the batch's temporary folder cannot rename into. */
static int batch_one(const char *fspath, const char *buf, size_t len, struct stat *st)
{
	if (write_atomic(fspath, buf, len, false) != 0)
		return -1;
	if (lstat(fspath, st) != 0)
		return crmf_error_set("cannot write '%s': %s", fspath, errtext(errno));
	return 0;
}

int crmf_write_batch_add(crmf_write_batch *b, const char *fspath, const char *buf, size_t len,
			 struct stat *st)
{
	char *tmp = NULL;
	int fd = -1, err;

	if (!b->tmpdir)
		return batch_one(fspath, buf, len, st);
	/* "<pid>-…": what sweep_dead removes once this process is gone */
	for (unsigned tries = 0; fd < 0; tries++) {
		free(tmp);
		tmp = xasprintf("%s/%ld-b%u", b->tmpdir, b->pid, b->seq++);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && (errno != EEXIST || tries >= 1000)) {
			free(tmp);
			return batch_one(fspath, buf, len, st);
		}
	}
	if (write_all(fd, buf, len) != 0)
		goto fail;
	err = close(fd);
	fd = -1;
	if (err != 0)
		goto fail;
	if (rename(tmp, fspath) != 0) {
		if (errno != EXDEV)
			goto fail;
		/* the folder is on another file system than the git directory */
		unlink(tmp);
		free(tmp);
		return batch_one(fspath, buf, len, st);
	}
	free(tmp);
	if (lstat(fspath, st) != 0)
		return crmf_error_set("cannot write '%s': %s", fspath, errtext(errno));
	return 0;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return crmf_error_set("cannot write '%s': %s", fspath, errtext(err));
}

void crmf_write_batch_free(crmf_write_batch *b)
{
	if (!b)
		return;
	if (b->tmpdir)
		sweep_dead(b->tmpdir);
	free(b->tmpdir);
	free(b);
}
