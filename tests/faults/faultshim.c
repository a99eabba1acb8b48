/* SPDX-License-Identifier: MIT */
/*
 * An LD_PRELOAD shim that makes one file-system call of crmf fail, for the
 * fault-injection tests (tests/cli/t0660-faults.bats). Not part of crmf.
 *
 * The calls that change files are counted by kind, in the order the process
 * makes them, whether crmf makes them or libgit2 does (a shared library's
 * calls into libc go through the PLT, where a preloaded symbol wins):
 *
 *   open      open, open64, openat, openat64, creat, mkstemp, mkstemps,
 *             fopen and fopen64 when they may create or write
 *   write     write, pwrite, pwrite64, writev, pwritev to a regular file
 *   fsync     fsync, fdatasync of a regular file or a directory
 *   close     close of a file descriptor opened for writing through the above
 *   rename    rename, renameat, renameat2
 *   link      link, linkat, symlink
 *   unlink    unlink, unlinkat
 *   rmdir     rmdir, unlinkat with AT_REMOVEDIR
 *   mkdir     mkdir, mkdirat
 *   ftruncate ftruncate, ftruncate64, truncate
 *   chmod     chmod, fchmod, fchmodat
 *
 * Environment:
 *   CRMF_FAULT_CALL=KIND    the kind to fail
 *   CRMF_FAULT_NTH=N        fail the Nth call of that kind (1-based)
 *   CRMF_FAULT_ERRNO=E      ENOSPC (default), EIO, EDQUOT, EROFS, EACCES or a number
 *   CRMF_FAULT_STICKY=1     fail every call of the kind from the Nth on (a full disk);
 *                           a write of more than a byte that is the Nth then writes
 *                           half its bytes (a short write, as when the disk fills)
 *   CRMF_FAULT_COUNT=FILE   at exit, append "KIND N" for each kind called (N > 0)
 *   CRMF_FAULT_REPORT=FILE  append one line per failure injected: kind, number, what
 *   CRMF_FAULT_PROG=NAME    the program to act in (default "crmf")
 *   CRMF_FAULT_KILL=1       instead of failing the call, die of SIGKILL just before it
 *                           (a crash at a known point, as kill -9 or a power cut)
 *
 * Only the first process of that program acts: it marks the environment, so
 * that a crmf started below it (git running the merge driver) passes
 * everything through, and so do other programs (sh, git, the editor). A
 * failed close still closes, as close(2) does on Linux.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum kind { K_OPEN, K_WRITE, K_FSYNC, K_CLOSE, K_RENAME, K_LINK, K_UNLINK, K_RMDIR, K_MKDIR,
	    K_FTRUNCATE, K_CHMOD, K_N };

static const char *const kind_name[K_N] = {"open",   "write",  "fsync", "close",
					   "rename", "link",   "unlink", "rmdir",
					   "mkdir",  "ftruncate", "chmod"};

static int active;      /* this process injects and counts */
static int target = -1; /* the kind to fail */
static long nth;
static int sticky;
static int fault_errno = ENOSPC;
static unsigned long counts[K_N];
static unsigned char write_fd[65536]; /* opened for writing through us */

#define REAL(name) real_##name
#define DECLARE(ret, name, ...)                                                                    \
	static ret (*real_##name)(__VA_ARGS__);                                                    \
	static void load_##name(void)                                                              \
	{                                                                                          \
		if (!real_##name)                                                                  \
			*(void **)&real_##name = dlsym(RTLD_NEXT, #name);                          \
	}

DECLARE(int, open, const char *, int, ...)
DECLARE(int, open64, const char *, int, ...)
DECLARE(int, openat, int, const char *, int, ...)
DECLARE(int, openat64, int, const char *, int, ...)
DECLARE(int, creat, const char *, mode_t)
DECLARE(int, mkstemp, char *)
DECLARE(int, mkstemps, char *, int)
DECLARE(FILE *, fopen, const char *, const char *)
DECLARE(FILE *, fopen64, const char *, const char *)
DECLARE(ssize_t, write, int, const void *, size_t)
DECLARE(ssize_t, pwrite, int, const void *, size_t, off_t)
DECLARE(ssize_t, pwrite64, int, const void *, size_t, off_t)
DECLARE(ssize_t, writev, int, const struct iovec *, int)
DECLARE(ssize_t, pwritev, int, const struct iovec *, int, off_t)
DECLARE(int, fsync, int)
DECLARE(int, fdatasync, int)
DECLARE(int, close, int)
DECLARE(int, rename, const char *, const char *)
DECLARE(int, renameat, int, const char *, int, const char *)
DECLARE(int, renameat2, int, const char *, int, const char *, unsigned)
DECLARE(int, link, const char *, const char *)
DECLARE(int, linkat, int, const char *, int, const char *, int)
DECLARE(int, symlink, const char *, const char *)
DECLARE(int, unlink, const char *)
DECLARE(int, unlinkat, int, const char *, int)
DECLARE(int, rmdir, const char *)
DECLARE(int, mkdir, const char *, mode_t)
DECLARE(int, mkdirat, int, const char *, mode_t)
DECLARE(int, ftruncate, int, off_t)
DECLARE(int, ftruncate64, int, off_t)
DECLARE(int, truncate, const char *, off_t)
DECLARE(int, chmod, const char *, mode_t)
DECLARE(int, fchmod, int, mode_t)
DECLARE(int, fchmodat, int, const char *, mode_t, int)

static int parse_errno(const char *s)
{
	static const struct {
		const char *name;
		int value;
	} names[] = {{"ENOSPC", ENOSPC}, {"EIO", EIO},	   {"EDQUOT", EDQUOT},
		     {"EROFS", EROFS},	 {"EACCES", EACCES}, {"EPERM", EPERM},
		     {"EINTR", EINTR},	 {"ENOMEM", ENOMEM}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].value;
	return atoi(s) > 0 ? atoi(s) : ENOSPC;
}

/* Append a line to a file without going through ourselves. */
static void append(const char *file, const char *line)
{
	int fd;

	load_open();
	load_write();
	load_close();
	fd = REAL(open)(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0)
		return;
	if (REAL(write)(fd, line, strlen(line)) < 0)
		(void)0;
	REAL(close)(fd);
}

__attribute__((constructor)) static void shim_init(void)
{
	const char *prog = getenv("CRMF_FAULT_PROG"), *mark = getenv("CRMF_FAULT_ACTIVE");
	const char *call = getenv("CRMF_FAULT_CALL"), *n = getenv("CRMF_FAULT_NTH");
	const char *e = getenv("CRMF_FAULT_ERRNO"), *st = getenv("CRMF_FAULT_STICKY");
	char pid[32];

	if (!prog || !*prog)
		prog = "crmf";
	if (strcmp(program_invocation_short_name, prog) != 0 || (mark && *mark))
		return;
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("CRMF_FAULT_ACTIVE", pid, 1);
	active = 1;
	for (int k = 0; call && k < K_N; k++)
		if (strcmp(call, kind_name[k]) == 0)
			target = k;
	nth = n ? atol(n) : 0;
	if (nth <= 0)
		target = -1;
	if (e && *e)
		fault_errno = parse_errno(e);
	sticky = st && *st && strcmp(st, "0") != 0;
}

__attribute__((destructor)) static void shim_fini(void)
{
	const char *file = getenv("CRMF_FAULT_COUNT");
	char line[64];

	if (!active || !file || !*file)
		return;
	for (int k = 0; k < K_N; k++) {
		if (!counts[k])
			continue;
		snprintf(line, sizeof(line), "%s %lu\n", kind_name[k],
			 __atomic_load_n(&counts[k], __ATOMIC_RELAXED));
		append(file, line);
	}
}

/* What a descriptor or path names, for the report. */
static void describe(char *out, size_t size, int fd, const char *path)
{
	char link[64];
	struct stat st;
	ssize_t n;

	if (path) {
		snprintf(out, size, "%s", path);
		return;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, size - 16);
	out[n > 0 ? n : 0] = '\0';
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		strcat(out, " (directory)");
}

/*
 * Count one call of kind k; non-zero when it is to fail (errno is then set):
 * 2 for the Nth call in sticky mode, where a write is cut short instead.
 * `fd` or `path` says what it was on, for the report.
 */
static int fault(enum kind k, int fd, const char *path)
{
	unsigned long n;

	if (!active)
		return 0;
	n = __atomic_add_fetch(&counts[k], 1, __ATOMIC_RELAXED);
	if ((int)k != target || (sticky ? (long)n < nth : (long)n != nth))
		return 0;
	{
		const char *file = getenv("CRMF_FAULT_REPORT");
		char what[512], line[700];

		if (file && *file) {
			describe(what, sizeof(what), fd, path);
			snprintf(line, sizeof(line), "%s #%lu %s %s\n", kind_name[k], n,
				 strerrorname_np(fault_errno) ? strerrorname_np(fault_errno) : "?",
				 what);
			append(file, line);
		}
	}
	if (getenv("CRMF_FAULT_KILL") && *getenv("CRMF_FAULT_KILL") == '1')
		raise(SIGKILL);
	errno = fault_errno;
	return sticky && (long)n == nth ? 2 : 1;
}

static int is_reg(int fd, int dirs_too)
{
	struct stat st;

	if (fd <= 2 || fstat(fd, &st) != 0)
		return 0;
	return S_ISREG(st.st_mode) || (dirs_too && S_ISDIR(st.st_mode));
}

static int writes(int flags)
{
	return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) != 0;
}

static void opened(int fd, int flags)
{
	if (fd >= 0 && fd < (int)sizeof(write_fd))
		write_fd[fd] = (unsigned char)writes(flags);
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

#define OPEN_BODY(name, ...)                                                                       \
	do {                                                                                       \
		va_list ap;                                                                        \
		mode_t mode;                                                                       \
		int fd;                                                                            \
                                                                                                   \
		va_start(ap, flags);                                                               \
		mode = mode_arg(flags, ap);                                                        \
		va_end(ap);                                                                        \
		load_##name();                                                                     \
		if (writes(flags) && fault(K_OPEN, -1, path))                                      \
			return -1;                                                                 \
		fd = REAL(name)(__VA_ARGS__, flags, mode);                                         \
		opened(fd, flags);                                                                 \
		return fd;                                                                         \
	} while (0)

int open(const char *path, int flags, ...)
{
	OPEN_BODY(open, path);
}

int open64(const char *path, int flags, ...)
{
	OPEN_BODY(open64, path);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	OPEN_BODY(openat, dirfd, path);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	OPEN_BODY(openat64, dirfd, path);
}

int creat(const char *path, mode_t mode)
{
	int fd;

	load_creat();
	if (fault(K_OPEN, -1, path))
		return -1;
	fd = REAL(creat)(path, mode);
	opened(fd, O_CREAT | O_WRONLY);
	return fd;
}

int mkstemp(char *tmpl)
{
	int fd;

	load_mkstemp();
	if (fault(K_OPEN, -1, tmpl))
		return -1;
	fd = REAL(mkstemp)(tmpl);
	opened(fd, O_CREAT | O_RDWR);
	return fd;
}

int mkstemps(char *tmpl, int suffixlen)
{
	int fd;

	load_mkstemps();
	if (fault(K_OPEN, -1, tmpl))
		return -1;
	fd = REAL(mkstemps)(tmpl, suffixlen);
	opened(fd, O_CREAT | O_RDWR);
	return fd;
}

static int fopen_writes(const char *mode)
{
	return strpbrk(mode, "wa+") != NULL;
}

/* Writes through a FILE go through libc's own write, which we do not see: the open is counted. */
FILE *fopen(const char *path, const char *mode)
{
	load_fopen();
	if (fopen_writes(mode) && fault(K_OPEN, -1, path))
		return NULL;
	return REAL(fopen)(path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	load_fopen64();
	if (fopen_writes(mode) && fault(K_OPEN, -1, path))
		return NULL;
	return REAL(fopen64)(path, mode);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	load_write();
	switch (is_reg(fd, 0) ? fault(K_WRITE, fd, NULL) : 0) {
	case 0:
		break;
	case 2:
		if (n > 1)
			return REAL(write)(fd, buf, n / 2);
		/* fall through */
	default:
		return -1;
	}
	return REAL(write)(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	load_pwrite();
	switch (is_reg(fd, 0) ? fault(K_WRITE, fd, NULL) : 0) {
	case 0:
		break;
	case 2:
		if (n > 1)
			return REAL(pwrite)(fd, buf, n / 2, off);
		/* fall through */
	default:
		return -1;
	}
	return REAL(pwrite)(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	load_pwrite64();
	switch (is_reg(fd, 0) ? fault(K_WRITE, fd, NULL) : 0) {
	case 0:
		break;
	case 2:
		if (n > 1)
			return REAL(pwrite64)(fd, buf, n / 2, off);
		/* fall through */
	default:
		return -1;
	}
	return REAL(pwrite64)(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	load_writev();
	if (is_reg(fd, 0) && fault(K_WRITE, fd, NULL))
		return -1;
	return REAL(writev)(fd, iov, cnt);
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	load_pwritev();
	if (is_reg(fd, 0) && fault(K_WRITE, fd, NULL))
		return -1;
	return REAL(pwritev)(fd, iov, cnt, off);
}

int fsync(int fd)
{
	load_fsync();
	if (is_reg(fd, 1) && fault(K_FSYNC, fd, NULL))
		return -1;
	return REAL(fsync)(fd);
}

int fdatasync(int fd)
{
	load_fdatasync();
	if (is_reg(fd, 1) && fault(K_FSYNC, fd, NULL))
		return -1;
	return REAL(fdatasync)(fd);
}

int close(int fd)
{
	int counted = fd >= 0 && fd < (int)sizeof(write_fd) && write_fd[fd];
	char what[512];

	load_close();
	if (counted) {
		write_fd[fd] = 0;
		describe(what, sizeof(what), fd, NULL);
		/* closed all the same, as Linux does when close fails */
		if (fault(K_CLOSE, -1, what)) {
			int e = errno;

			REAL(close)(fd);
			errno = e;
			return -1;
		}
	}
	return REAL(close)(fd);
}

int rename(const char *from, const char *to)
{
	load_rename();
	if (fault(K_RENAME, -1, to))
		return -1;
	return REAL(rename)(from, to);
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
	load_renameat();
	if (fault(K_RENAME, -1, to))
		return -1;
	return REAL(renameat)(fd1, from, fd2, to);
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags)
{
	load_renameat2();
	if (fault(K_RENAME, -1, to))
		return -1;
	return REAL(renameat2)(fd1, from, fd2, to, flags);
}

int link(const char *from, const char *to)
{
	load_link();
	if (fault(K_LINK, -1, to))
		return -1;
	return REAL(link)(from, to);
}

int linkat(int fd1, const char *from, int fd2, const char *to, int flags)
{
	load_linkat();
	if (fault(K_LINK, -1, to))
		return -1;
	return REAL(linkat)(fd1, from, fd2, to, flags);
}

int symlink(const char *from, const char *to)
{
	load_symlink();
	if (fault(K_LINK, -1, to))
		return -1;
	return REAL(symlink)(from, to);
}

int unlink(const char *path)
{
	load_unlink();
	if (fault(K_UNLINK, -1, path))
		return -1;
	return REAL(unlink)(path);
}

int unlinkat(int dirfd, const char *path, int flags)
{
	load_unlinkat();
	if (fault((flags & AT_REMOVEDIR) ? K_RMDIR : K_UNLINK, -1, path))
		return -1;
	return REAL(unlinkat)(dirfd, path, flags);
}

int rmdir(const char *path)
{
	load_rmdir();
	if (fault(K_RMDIR, -1, path))
		return -1;
	return REAL(rmdir)(path);
}

int mkdir(const char *path, mode_t mode)
{
	load_mkdir();
	if (fault(K_MKDIR, -1, path))
		return -1;
	return REAL(mkdir)(path, mode);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	load_mkdirat();
	if (fault(K_MKDIR, -1, path))
		return -1;
	return REAL(mkdirat)(dirfd, path, mode);
}

int ftruncate(int fd, off_t len)
{
	load_ftruncate();
	if (is_reg(fd, 0) && fault(K_FTRUNCATE, fd, NULL))
		return -1;
	return REAL(ftruncate)(fd, len);
}

int ftruncate64(int fd, off_t len)
{
	load_ftruncate64();
	if (is_reg(fd, 0) && fault(K_FTRUNCATE, fd, NULL))
		return -1;
	return REAL(ftruncate64)(fd, len);
}

int truncate(const char *path, off_t len)
{
	load_truncate();
	if (fault(K_FTRUNCATE, -1, path))
		return -1;
	return REAL(truncate)(path, len);
}

int chmod(const char *path, mode_t mode)
{
	load_chmod();
	if (fault(K_CHMOD, -1, path))
		return -1;
	return REAL(chmod)(path, mode);
}

int fchmod(int fd, mode_t mode)
{
	load_fchmod();
	if (fault(K_CHMOD, fd, NULL))
		return -1;
	return REAL(fchmod)(fd, mode);
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	load_fchmodat();
	if (fault(K_CHMOD, -1, path))
		return -1;
	return REAL(fchmodat)(dirfd, path, mode, flags);
}
