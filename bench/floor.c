/* The parse floor: walk customers/, read every YAML file and run it through libyaml's event parser, nothing more. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static void parse_one(const char *path, char **buf, size_t *cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t len = 0, events = 0;
	yaml_parser_t p;
	yaml_event_t ev;

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
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)*buf, len);
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

int main(int argc, char **argv)
{
	int threads = argc > 2 ? atoi(argv[2]) : 1;
	pthread_t tid[64];
	char dir[4096];

	if (argc < 2 || threads < 1 || threads > 64) {
		fputs("usage: floor REPO [THREADS]\n", stderr);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/customers", argv[1]);
	walk(dir);
	snprintf(dir, sizeof(dir), "%s/archive", argv[1]);
	walk(dir);
	for (int t = 1; t < threads; t++)
		if (pthread_create(&tid[t], NULL, worker, NULL) != 0)
			return 1;
	worker(NULL);
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
