/* SPDX-License-Identifier: MIT */
/* git's filter drivers run inside libgit2's filter pipeline (see gitfilter.h for why). */
#include "gitfilter.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <git2/sys/filter.h>

#include "crmf/diag.h"
#include "util.h"

#define FILTER_NAME "crmf-filter-driver"

/* What `check` found for one file, for `stream`. */
typedef struct driver {
	char *name;
	char *cmd;
	bool required;
} driver;

static char *config_str(git_config *cfg, const char *name, const char *key)
{
	char *k = xasprintf("filter.%s.%s", name, key), *v = NULL;
	git_buf b = GIT_BUF_INIT;

	if (git_config_get_string_buf(&b, cfg, k) == 0 && b.ptr && b.ptr[0])
		v = xstrdup(b.ptr);
	git_buf_dispose(&b);
	git_error_clear();
	free(k);
	return v;
}

static bool config_bool(git_config *cfg, const char *name, const char *key)
{
	char *k = xasprintf("filter.%s.%s", name, key);
	int v = 0;

	if (git_config_get_bool(&v, cfg, k) < 0)
		v = 0;
	git_error_clear();
	free(k);
	return v != 0;
}

static int fail(char *msg)
{
	git_error_set_str(GIT_ERROR_FILTER, msg);
	free(msg);
	return -1;
}

static int drv_check(git_filter *self, void **payload, const git_filter_source *src,
		     const char **attr_values)
{
	const char *name = attr_values ? attr_values[0] : NULL;
	bool clean = git_filter_source_mode(src) == GIT_FILTER_TO_ODB;
	git_config *cfg = NULL;
	driver *d;
	char *cmd, *process;
	bool required;

	(void)self;
	if (git_attr_value(name) != GIT_ATTR_VALUE_STRING)
		return GIT_PASSTHROUGH;
	if (git_repository_config_snapshot(&cfg, git_filter_source_repo(src)) < 0)
		return -1;
	cmd = config_str(cfg, name, clean ? "clean" : "smudge");
	process = cmd ? NULL : config_str(cfg, name, "process");
	required = config_bool(cfg, name, "required");
	git_config_free(cfg);
	if (!cmd && process) {
		free(process);
		/* passing the file through would store in git what the driver protects */
		return fail(xasprintf(crmf_tr("'%s': the filter '%s' is a long-running process "
				      "(filter.%s.process), which crmf cannot run: set "
				      "filter.%s.clean and filter.%s.smudge too"),
				      git_filter_source_path(src), name, name, name, name));
	}
	if (!cmd && required)
		return fail(xasprintf(crmf_tr("'%s': the filter '%s' is required but filter.%s.%s is not "
				      "set"),
				      git_filter_source_path(src), name, name,
				      clean ? "clean" : "smudge"));
	if (!cmd)
		return GIT_PASSTHROUGH; /* git too ignores a driver it has no command for */
	d = xcalloc(1, sizeof(*d));
	d->name = xstrdup(name);
	d->cmd = cmd;
	d->required = required;
	*payload = d;
	return 0;
}

static void drv_cleanup(git_filter *self, void *payload)
{
	driver *d = payload;

	(void)self;
	if (!d)
		return;
	free(d->name);
	free(d->cmd);
	free(d);
}

/* The command with %f replaced by the path quoted for sh, as git does. */
static char *expand(const char *cmd, const char *path)
{
	strbuf sb = STRBUF_INIT;

	for (const char *p = cmd; *p; p++) {
		if (p[0] != '%' || p[1] != 'f') {
			sb_addc(&sb, *p);
			continue;
		}
		sb_addc(&sb, '\'');
		for (const char *q = path; *q; q++)
			if (*q == '\'')
				sb_adds(&sb, "'\\''");
			else
				sb_addc(&sb, *q);
		sb_addc(&sb, '\'');
		p++;
	}
	return sb_detach(&sb);
}

/*
 * Run `cmd` through sh in `dir`, `in` on its stdin, its stdout into `out`;
 * its wait status in *status. Both pipes are served at once so that a
 * filter writing before it has read everything cannot dead-lock. A filter
 * that exits without reading all its input is no error (git ignores EPIPE
 * too), and SIGPIPE is held back for that while, on this thread only.
 * 0, or -1 with errno when the command could not be run at all.
 */
static int run_command(strbuf *out, int *status, const char *cmd, const char *dir, const char *in,
		       size_t len)
{
	int inp[2] = {-1, -1}, outp[2] = {-1, -1}, err = 0;
	sigset_t pipe_set, old, pending;
	bool was_pending;
	size_t off = 0;
	pid_t pid;

	*status = -1;
	if (pipe2(inp, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(outp, O_CLOEXEC) != 0) {
		err = errno;
		close(inp[0]);
		close(inp[1]);
		errno = err;
		return -1;
	}
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	pid = fork();
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		pthread_sigmask(SIG_SETMASK, &none, NULL);
		if (dup2(inp[0], 0) < 0 || dup2(outp[1], 1) < 0 || (dir && chdir(dir) != 0))
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		err = errno;
	close(inp[0]);
	close(outp[1]);
	if (pid > 0) {
		struct pollfd fds[2];

		fcntl(inp[1], F_SETFL, fcntl(inp[1], F_GETFL) | O_NONBLOCK);
		if (len == 0) {
			close(inp[1]);
			inp[1] = -1;
		}
		for (;;) {
			nfds_t n = 0;
			int ix_in = -1;

			fds[n].fd = outp[0];
			fds[n++].events = POLLIN;
			if (inp[1] >= 0) {
				ix_in = (int)n;
				fds[n].fd = inp[1];
				fds[n++].events = POLLOUT;
			}
			if (poll(fds, n, -1) < 0) {
				if (errno == EINTR)
					continue;
				err = errno;
				break;
			}
			if (ix_in >= 0 && fds[ix_in].revents) {
				ssize_t w = write(inp[1], in + off, len - off);

				if (w > 0)
					off += (size_t)w;
				if ((w < 0 && errno != EAGAIN && errno != EINTR) || off == len) {
					close(inp[1]); /* EPIPE: it took what it wanted */
					inp[1] = -1;
				}
			}
			if (fds[0].revents) {
				ssize_t r;

				sb_grow(out, 65536);
				r = read(outp[0], out->buf + out->len, out->cap - out->len - 1);
				if (r > 0) {
					out->len += (size_t)r;
					out->buf[out->len] = '\0';
				} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
					break; /* its end of output */
				}
			}
		}
		if (inp[1] >= 0)
			close(inp[1]);
		while (waitpid(pid, status, 0) < 0 && errno == EINTR)
			;
	} else {
		close(inp[1]);
	}
	close(outp[0]);
	if (!was_pending) {
		struct timespec zero = {0, 0};

		sigpending(&pending);
		if (sigismember(&pending, SIGPIPE))
			sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0 || err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* The stream given to libgit2: the content is gathered, then filtered whole on close. */
typedef struct drv_stream {
	git_writestream base;
	git_writestream *next;
	const driver *d;
	char *path, *dir;
	bool clean;
	strbuf in;
} drv_stream;

static int stream_write(git_writestream *s, const char *buf, size_t len)
{
	sb_add(&((drv_stream *)s)->in, buf, len);
	return 0;
}

static int stream_close(git_writestream *s)
{
	drv_stream *st = (drv_stream *)s;
	strbuf out = STRBUF_INIT;
	char *cmd = expand(st->d->cmd, st->path);
	int status, e;
	const char *data;
	size_t len;

	sb_add(&out, "", 0);
	sb_add(&st->in, "", 0);
	e = run_command(&out, &status, cmd, st->dir, st->in.buf, st->in.len);
	if (e == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		data = out.buf;
		len = out.len;
	} else if (st->d->required) {
		char *why = e != 0 ? xasprintf(crmf_tr("cannot run it: %s"), errtext(errno))
			    : WIFEXITED(status)
				? xasprintf(crmf_tr("it exited with status %d"), WEXITSTATUS(status))
				: xstrdup(crmf_tr("it was stopped by a signal"));

		e = fail(xasprintf(crmf_tr("'%s': the %s filter '%s' failed ('%s'): %s"), st->path,
				   st->clean ? "clean" : "smudge", st->d->name, cmd, why));
		free(why);
		goto done;
	} else {
		/* git passes the file through a failing driver that is not required */
		data = st->in.buf;
		len = st->in.len;
	}
	e = st->next->write(st->next, data, len);
	if (e == 0)
		e = st->next->close(st->next);
done:
	sb_release(&out);
	free(cmd);
	return e;
}

static void stream_free(git_writestream *s)
{
	drv_stream *st = (drv_stream *)s;

	sb_release(&st->in);
	free(st->path);
	free(st->dir);
	free(st);
}

static int drv_stream_open(git_writestream **out, git_filter *self, void **payload,
			   const git_filter_source *src, git_writestream *next)
{
	const char *wd = git_repository_workdir(git_filter_source_repo(src));
	drv_stream *st = xcalloc(1, sizeof(*st));

	(void)self;
	st->base.write = stream_write;
	st->base.close = stream_close;
	st->base.free = stream_free;
	st->next = next;
	st->d = *payload;
	st->path = xstrdup(git_filter_source_path(src) ? git_filter_source_path(src) : "");
	st->dir = wd ? xstrdup(wd) : NULL;
	st->clean = git_filter_source_mode(src) == GIT_FILTER_TO_ODB;
	*out = &st->base;
	return 0;
}

static git_filter the_filter;

void crmf_gitfilter_register(void)
{
	git_filter_init(&the_filter, GIT_FILTER_VERSION);
	the_filter.attributes = "filter=*";
	the_filter.check = drv_check;
	the_filter.stream = drv_stream_open;
	the_filter.cleanup = drv_cleanup;
	/* registered once per process, before any other use of libgit2 */
	if (git_filter_register(FILTER_NAME, &the_filter, GIT_FILTER_DRIVER_PRIORITY) < 0)
		git_error_clear();
}

static void buf_copy(git_buf *out, const char *p, size_t n)
{
	out->ptr = xmalloc(n + 1);
	memcpy(out->ptr, p, n);
	out->ptr[n] = '\0';
	out->size = n;
	out->reserved = n + 1;
}

int crmf_gitfilter_smudge(git_buf *out, git_repository *repo, git_blob *blob, const char *path)
{
	git_filter_list *fl = NULL;
	int e;

	memset(out, 0, sizeof(*out));
	e = git_filter_list_load(&fl, repo, blob, path, GIT_FILTER_TO_WORKTREE, GIT_FILTER_DEFAULT);
	if (e < 0)
		return e;
	if (!fl) {
		buf_copy(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
		return 0;
	}
	e = git_filter_list_apply_to_blob(out, fl, blob);
	git_filter_list_free(fl);
	return e;
}

int crmf_gitfilter_clean(git_buf *out, git_repository *repo, const char *buf, size_t len,
			 const char *path)
{
	git_filter_list *fl = NULL;
	int e;

	memset(out, 0, sizeof(*out));
	e = git_filter_list_load(&fl, repo, NULL, path, GIT_FILTER_TO_ODB, GIT_FILTER_DEFAULT);
	if (e < 0)
		return e;
	if (!fl) {
		buf_copy(out, buf, len);
		return 0;
	}
	e = git_filter_list_apply_to_buffer(out, fl, buf, len);
	git_filter_list_free(fl);
	return e;
}
