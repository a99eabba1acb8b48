/* SPDX-License-Identifier: MIT */
/* Runs a fuzz harness on given files without libFuzzer, one child process per file, in TAP. */
#include <dirent.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

/*
 * Usage: replay_<harness> NAME FILE|DIR...
 * Each file (a folder stands for the files in it, sorted) is replayed in a
 * child so that a crash is one "not ok" line, not the end of the count. This
 * is how `make check` turns every seed and every saved crash into a test,
 * also in builds without libFuzzer (gcc).
 */

static int count;

/* Defined by a harness with something to set up once (fuzz_repo.h), as libFuzzer allows. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_one(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		return 1;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	/* a copy of exactly `len` bytes, so that ASan sees a read past the end */
	uint8_t *data = malloc(len ? len : 1);
	if (!data)
		abort();
	memcpy(data, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

static void replay(const char *name, const char *path)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		alarm(60); /* a hang is a failure too */
		_exit(run_one(path));
	}
	waitpid(pid, &status, 0);
	count++;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		printf("ok %d - %s %s\n", count, name, path);
	else if (WIFSIGNALED(status))
		printf("not ok %d - %s %s (signal %d%s)\n", count, name, path, WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ? ": timed out" : "");
	else
		printf("not ok %d - %s %s (exit %d)\n", count, name, path, WEXITSTATUS(status));
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s NAME FILE|DIR...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 2; i < argc; i++) {
		struct stat st;
		struct dirent **ents;
		int n;

		if (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
			replay(argv[1], argv[i]);
			continue;
		}
		n = scandir(argv[i], &ents, NULL, by_name);
		for (int j = 0; j < n; j++) {
			char p[4096];

			size_t l = strlen(argv[i]);

			snprintf(p, sizeof(p), "%.*s/%s", (int)(l > 1 && argv[i][l - 1] == '/' ? l - 1 : l),
				 argv[i], ents[j]->d_name);
			if (ents[j]->d_name[0] != '.' && stat(p, &st) == 0 && S_ISREG(st.st_mode))
				replay(argv[1], p);
			free(ents[j]);
		}
		if (n > 0)
			free(ents);
	}
	printf("1..%d\n", count); /* the plan, at the end as TAP allows */
	return 0;
}
