/* SPDX-License-Identifier: MIT */
/* The parse floor: walk customers/, read every YAML file and run it through libyaml's event parser, nothing more.
 *
 *   floor REPO [THREADS] [uring]
 *
 * Each file is read with open, fstat, read until the end, close; with
 * "uring", 32 files at a time through io_uring (open, read, close chained
 * per file), as crmf reads when it writes no cache: the floor of the same
 * reading method, for reference. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <liburing.h>
#include <yaml.h>

static char **paths;
static size_t n_paths, cap_paths;
static atomic_size_t next_path;
static atomic_size_t total_events, total_bytes, failures;

static void add_path(const char *p)
{
	if (n_paths == cap_paths) {
		cap_paths = cap_paths ? cap_paths * 2 : 1024;
		paths = realloc(paths, cap_paths * sizeof(*paths));
		if (!paths)
			abort();
	}
	paths[n_paths] = strdup(p);
	if (!paths[n_paths++])
		abort();
}

static void walk(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR)
			walk(path);
		else if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0)
			add_path(path);
	}
	closedir(d);
}

static void parse_bytes(const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	size_t events = 0;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			atomic_fetch_add(&failures, 1);
			break;
		}
		events++;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	atomic_fetch_add(&total_events, events);
	atomic_fetch_add(&total_bytes, len);
}

static void parse_one(const char *path, char **buf, size_t *cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t len = 0;

	if (fd < 0 || fstat(fd, &st) != 0) {
		atomic_fetch_add(&failures, 1);
		if (fd >= 0)
			close(fd);
		return;
	}
	if ((size_t)st.st_size + 1 > *cap) {
		*cap = (size_t)st.st_size + 1;
		*buf = realloc(*buf, *cap);
		if (!*buf)
			abort();
	}
	for (;;) {
		ssize_t r = read(fd, *buf + len, *cap - len);

		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == *cap)
			break;
	}
	close(fd);
	parse_bytes(*buf, len);
}

static void *worker(void *arg)
{
	char *buf = NULL;
	size_t cap = 0, i;

	(void)arg;
	while ((i = atomic_fetch_add(&next_path, 1)) < n_paths)
		parse_one(paths[i], &buf, &cap);
	free(buf);
	return NULL;
}

enum { UB = 32, UCAP = 16384 };

/* 32 files per io_uring submission: open into slot k, read, close, chained. */
static void *uring_worker(void *arg)
{
	struct io_uring ring;
	char *bufs = malloc((size_t)UB * UCAP);
	int res[UB];
	size_t i;

	(void)arg;
	if (!bufs || io_uring_queue_init(4 * UB, &ring, 0) < 0 ||
	    io_uring_register_files_sparse(&ring, UB) < 0) {
		fputs("floor: no io_uring here\n", stderr);
		exit(2);
	}
	while ((i = atomic_fetch_add(&next_path, UB)) < n_paths) {
		size_t end = i + UB < n_paths ? i + UB : n_paths, want = 0;
		struct io_uring_cqe *cqe;

		for (size_t k = 0; k < end - i; k++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			io_uring_prep_openat_direct(sqe, AT_FDCWD, paths[i + k], O_RDONLY, 0,
						    (unsigned)k);
			io_uring_sqe_set_data64(sqe, UB);
			sqe->flags |= IOSQE_IO_LINK;
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_read(sqe, (int)k, bufs + k * UCAP, UCAP, 0);
			io_uring_sqe_set_data64(sqe, k);
			sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_close_direct(sqe, (unsigned)k);
			io_uring_sqe_set_data64(sqe, UB);
			want += 3;
		}
		io_uring_submit(&ring);
		for (size_t got = 0; got < want; got++) {
			if (io_uring_wait_cqe(&ring, &cqe) < 0)
				abort();
			if (io_uring_cqe_get_data64(cqe) < UB)
				res[io_uring_cqe_get_data64(cqe)] = cqe->res;
			io_uring_cqe_seen(&ring, cqe);
		}
		for (size_t k = 0; k < end - i; k++) {
			if (res[k] < 0 || res[k] >= UCAP) /* the generated files are small */
				atomic_fetch_add(&failures, 1);
			else
				parse_bytes(bufs + k * UCAP, (size_t)res[k]);
		}
	}
	io_uring_queue_exit(&ring);
	free(bufs);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 2 ? atoi(argv[2]) : 1;
	bool uring = argc > 3 && strcmp(argv[3], "uring") == 0;
	void *(*work)(void *) = uring ? uring_worker : worker;
	pthread_t tid[64];
	char dir[4096];

	if (argc < 2 || threads < 1 || threads > 64 || (argc > 3 && !uring)) {
		fputs("usage: floor REPO [THREADS] [uring]\n", stderr);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/customers", argv[1]);
	walk(dir);
	snprintf(dir, sizeof(dir), "%s/archive", argv[1]);
	walk(dir);
	for (int t = 1; t < threads; t++)
		if (pthread_create(&tid[t], NULL, work, NULL) != 0)
			return 1;
	work(NULL);
	for (int t = 1; t < threads; t++)
		pthread_join(tid[t], NULL);
	printf("%zu files, %zu bytes, %zu events, %zu failures\n", n_paths,
	       (size_t)atomic_load(&total_bytes), (size_t)atomic_load(&total_events),
	       (size_t)atomic_load(&failures));
	for (size_t i = 0; i < n_paths; i++)
		free(paths[i]);
	free(paths);
	return atomic_load(&failures) ? 1 : 0;
}
