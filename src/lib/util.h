/* SPDX-License-Identifier: MIT */
/* Private helpers of libcrmf: allocation that cannot fail, growable buffers. */
#ifndef CRMF_UTIL_H
#define CRMF_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crmf/perf.h"

/* Allocation failures abort: a CLI that runs out of memory cannot recover. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* write() until all n bytes are out (EINTR retried); -1 with errno set,
 * EIO when the file takes no more bytes. */
int write_all(int fd, const void *buf, size_t n);

/* strerror in crmf's voice: "no space left on device" (a per-thread buffer). */
const char *errtext(int err);

/* The part of `path` below directory `dir` ("" for dir itself, "a/b" below it; trailing
 * slashes of `dir` ignored), or NULL when outside. */
const char *path_below(const char *path, const char *dir);

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/** Does the file name (or path) of `len` bytes end in ".yaml" or ".yml", with a name before it? */
static inline bool is_yaml_name(const char *name, size_t len)
{
	return (len > 5 && memcmp(name + len - 5, ".yaml", 5) == 0) ||
	       (len > 4 && memcmp(name + len - 4, ".yml", 4) == 0);
}

/** A growable NUL-terminated byte buffer. */
typedef struct strbuf {
	char *buf;
	size_t len, cap;
} strbuf;

#define STRBUF_INIT {NULL, 0, 0}
void sb_grow(strbuf *sb, size_t extra);
void sb_add(strbuf *sb, const char *s, size_t n);
void sb_adds(strbuf *sb, const char *s);
void sb_addc(strbuf *sb, char c);
void sb_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_release(strbuf *sb);
/** Hand the buffer over to the caller (never NULL); the strbuf is empty after. */
char *sb_detach(strbuf *sb);

/** FNV-1a hash of n bytes. */
unsigned long long hash_bytes(const void *p, size_t n);

/** Decode one UTF-8 sequence of at most `n` bytes into *cp; its length, or 0
 * when it is invalid (overlong, surrogate, beyond U+10FFFF or truncated). */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* The library's short names of crmf/perf.h's functions. */
static inline void *xcalloc_table(size_t n, size_t size)
{
	return crmf_table_alloc(n, size);
}

static inline void xfree_table(void *p, size_t n, size_t size)
{
	crmf_table_free(p, n, size);
}

static inline char *int_text(char *p, int v)
{
	return crmf_int_text(p, v);
}

static inline int cpu_count(void)
{
	return crmf_cpu_count();
}

/** Run fn(arg) on `threads` threads at once, the calling one among them
 * (fn shares out the work itself), and wait for all (perf.c). */
void run_threads(void *(*fn)(void *), void *arg, int threads);

/* English text in this thread until tr_english_end(the value returned), whatever
 * crmf_translate_set said: for what is written into git (commit messages), which
 * every user and script reads alike. */
bool tr_english_begin(void);
void tr_english_end(bool was);

/* Marks a message that crmf_tr translates where it is used (xgettext's N_). */
#define N_(s) s

#endif
