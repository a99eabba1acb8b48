/* SPDX-License-Identifier: MIT */
/* The user's editor on a copy of a customer file, until it is valid or they give up. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static int write_file(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t w = write(fd, buf + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)w;
	}
	return close(fd);
}

static const char *editor(void)
{
	const char *e = getenv("VISUAL");

	if (!e || !*e)
		e = getenv("EDITOR");
	return e && *e ? e : "vi";
}

/* Run the editor on `path` the way git does: through sh, so that EDITOR may
 * hold arguments ("code --wait"). 0 when it exited with status 0. */
static int run_editor(const char *path)
{
	const char *ed = editor();
	char *cmd;
	pid_t pid;
	int status;
	void (*old_int)(int), (*old_quit)(int);

	fflush(stdout);
	fflush(stderr);
	if (asprintf(&cmd, "%s \"$@\"", ed) < 0)
		abort();
	old_int = signal(SIGINT, SIG_IGN);
	old_quit = signal(SIGQUIT, SIG_IGN);
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, ed, path, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	status = -1;
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	signal(SIGINT, old_int);
	signal(SIGQUIT, old_quit);
	if (pid < 0) {
		cli_error("cannot start the editor '%s': %s", ed, strerror(errno));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			cli_error("the editor '%s' exited with status %d", ed, WEXITSTATUS(status));
		else
			cli_error("the editor '%s' was stopped by a signal", ed);
		return -1;
	}
	return 0;
}

/* A folder only the user can enter, for a copy holding decrypted values:
 * $XDG_RUNTIME_DIR (private by its specification), else $TMPDIR/crmf-UID made 0700. */
static const char *private_dir(void)
{
	static char made[512];
	const char *run = getenv("XDG_RUNTIME_DIR"), *tmp = getenv("TMPDIR");
	struct stat st;

	if (run && *run && stat(run, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid() &&
	    !(st.st_mode & 077))
		return run;
	snprintf(made, sizeof(made), "%s/crmf-%u", tmp && *tmp ? tmp : "/tmp", (unsigned)getuid());
	if (mkdir(made, 0700) != 0 && errno != EEXIST)
		return NULL;
	if (lstat(made, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 077))
		return NULL;
	return made;
}

static char *make_copy(const char *rel, const char *buf, size_t len, bool private)
{
	const char *dir = private ? private_dir() : getenv("TMPDIR");
	char *id = crmf_change_path_id(rel), *path;
	int fd;

	if (private && !dir) {
		cli_error("no private folder for the decrypted copy; set XDG_RUNTIME_DIR");
		free(id);
		return NULL;
	}
	if (!dir || !*dir)
		dir = "/tmp";
	if (asprintf(&path, "%s/crmf-%s-XXXXXX.yaml", dir, id) < 0)
		abort();
	free(id);
	fd = mkstemps(path, 5);
	if (fd < 0) {
		cli_error("cannot create a temporary file in %s: %s", dir, strerror(errno));
		free(path);
		return NULL;
	}
	close(fd);
	if (write_file(path, buf, len) != 0) {
		cli_error("cannot write %s: %s", path, strerror(errno));
		unlink(path);
		free(path);
		return NULL;
	}
	return path;
}

/* "(e)dit again or (a)bort?" on a terminal; false (abort) when there is none. */
static bool again(void)
{
	char *line = NULL;
	size_t cap = 0;
	bool yes = false;

	if (!isatty(STDIN_FILENO))
		return false;
	for (;;) {
		fputs(_("(e)dit again or (a)bort? "), stderr);
		fflush(stderr);
		if (getline(&line, &cap, stdin) < 0)
			break;
		if (line[0] == 'e' || line[0] == 'E') {
			yes = true;
			break;
		}
		if (line[0] == 'a' || line[0] == 'A')
			break;
	}
	free(line);
	return yes;
}

int cli_edit_loop(char **out, size_t *out_len, char **copy, crmf_change_tx *tx, const char *buf,
		  size_t len, bool unchanged_ok)
{
	char *path = make_copy(crmf_change_path(tx), buf, len, crmf_change_decrypted(tx));

	*out = NULL;
	*out_len = 0;
	*copy = NULL;
	if (!path)
		return CLI_EDIT_ABORTED;
	for (;;) {
		char *data = NULL;
		size_t n = 0;
		int v;

		if (run_editor(path) != 0) {
			cli_error("nothing changed; the copy is kept in %s", path);
			break;
		}
		if (crmf_doc_read(&data, &n, path) != 0) {
			cli_error("cannot read %s back: %s", path, strerror(errno));
			break;
		}
		if (unchanged_ok && n == len && memcmp(data, buf, n) == 0) {
			free(data);
			unlink(path);
			free(path);
			return CLI_EDIT_UNCHANGED;
		}
		v = crmf_change_check(tx, data, n);
		cli_change_print(tx);
		if (v == 0) {
			*out = data;
			*out_len = n;
			*copy = path;
			return CLI_EDIT_DONE;
		}
		free(data);
		if (!again()) {
			cli_error("aborted, nothing changed; your edit is kept in %s", path);
			break;
		}
	}
	free(path);
	return CLI_EDIT_ABORTED;
}
