/* SPDX-License-Identifier: MIT */
/* Reading a batch of small files in one system call with io_uring (see readmany.h). */
#include "readmany.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>

#include "util.h"

/* Customer files are about 2 KB; a larger one is read the ordinary way. */
#define SLOT_BYTES 16384

enum { OP_STATX, OP_OPEN, OP_READ, OP_CLOSE, OP_N };

struct crmf_readmany {
	struct io_uring ring;
	size_t slots;
	char *bufs;           /* slots * SLOT_BYTES */
	struct statx *stx;    /* one per slot */
	int (*res)[OP_N];     /* the result of each operation of each slot */
	bool broken;          /* a wait failed: the ring is not used again */
};

crmf_readmany *crmf_readmany_new(size_t slots)
{
	const char *env = getenv("CRMF_IO_URING");
	crmf_readmany *rm;

	if (!slots || (env && strcmp(env, "0") == 0))
		return NULL;
	rm = xcalloc(1, sizeof(*rm));
	if (io_uring_queue_init((unsigned)(slots * OP_N), &rm->ring, 0) < 0) {
		free(rm);
		return NULL;
	}
	/* files opened into the ring's own table: the read of a chain names its
	 * file by slot before the open has run */
	if (io_uring_register_files_sparse(&rm->ring, (unsigned)slots) < 0) {
		io_uring_queue_exit(&rm->ring);
		free(rm);
		return NULL;
	}
	rm->slots = slots;
	/* mapped, not allocated: a page is only had (a page fault, dear on a
	 * virtual machine) when a file is read into it, and a file of 2 KB
	 * takes one of its slot's four; calloc would zero all of them. Mapped
	 * memory is zeroed, so tools like valgrind, which do not see the
	 * kernel fill it, see it defined. */
	rm->bufs = mmap(NULL, slots * SLOT_BYTES, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rm->bufs == MAP_FAILED) {
		io_uring_queue_exit(&rm->ring);
		free(rm);
		return NULL;
	}
	rm->stx = xcalloc(slots, sizeof(*rm->stx));
	rm->res = xcalloc(slots, sizeof(*rm->res));
	return rm;
}

void crmf_readmany_free(crmf_readmany *rm)
{
	if (!rm)
		return;
	io_uring_queue_exit(&rm->ring);
	munmap(rm->bufs, rm->slots * SLOT_BYTES);
	free(rm->stx);
	free(rm->res);
	free(rm);
}

static void stat_from_statx(struct stat *st, const struct statx *x)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = x->stx_mode;
	st->st_size = (off_t)x->stx_size;
	st->st_ino = x->stx_ino;
	st->st_dev = makedev(x->stx_dev_major, x->stx_dev_minor);
	st->st_nlink = x->stx_nlink;
	st->st_uid = x->stx_uid;
	st->st_gid = x->stx_gid;
	st->st_mtim.tv_sec = x->stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = x->stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = x->stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = x->stx_ctime.tv_nsec;
	st->st_atim.tv_sec = x->stx_atime.tv_sec;
	st->st_atim.tv_nsec = x->stx_atime.tv_nsec;
}

static struct io_uring_sqe *next_sqe(crmf_readmany *rm)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&rm->ring);

	/* the ring holds OP_N entries per slot: never full here */
	if (!sqe)
		abort();
	return sqe;
}

/* After io_uring_prep_*, which clears the flags. */
static void tag(struct io_uring_sqe *sqe, size_t k, int op, unsigned flags)
{
	io_uring_sqe_set_data64(sqe, (uint64_t)k * OP_N + (uint64_t)op);
	sqe->flags |= (uint8_t)flags;
}

void crmf_readmany_read(crmf_readmany *rm, int dirfd, const char *const *names, size_t n,
			char **bufs, size_t *len, struct stat *st)
{
	struct io_uring_cqe *cqe;
	size_t want = 0, got = 0;
	int submitted;

	for (size_t k = 0; k < n; k++) {
		bufs[k] = NULL;
		len[k] = 0;
	}
	if (n > rm->slots)
		n = rm->slots;
	if (rm->broken)
		n = 0;
	/*
	 * Per file a chain: statx (when stat data is wanted: the cache needs it
	 * taken before reading), open into slot k, read, close. A failure cancels the rest of
	 * its chain; a read is short by design (it asks for a whole slot), so
	 * it is hard-linked to the close, which must run after it whatever it
	 * returned.
	 */
	for (size_t k = 0; k < n; k++) {
		struct io_uring_sqe *sqe;

		for (int op = 0; op < OP_N; op++)
			rm->res[k][op] = -ECANCELED;
		if (st) {
			sqe = next_sqe(rm);
			io_uring_prep_statx(sqe, dirfd, names[k], AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS,
					    &rm->stx[k]);
			tag(sqe, k, OP_STATX, IOSQE_IO_LINK);
			want++;
		} else {
			rm->res[k][OP_STATX] = 0;
		}
		sqe = next_sqe(rm);
		/* O_NONBLOCK: a FIFO put where a file was must not hang the check;
		 * O_NOFOLLOW: nor a link put there lead it outside the repository;
		 * no O_CLOEXEC: a ring's own files are never inherited (and the
		 * kernel refuses the flag there) */
		io_uring_prep_openat_direct(sqe, dirfd, names[k],
					    O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW, 0,
					    (unsigned)k);
		tag(sqe, k, OP_OPEN, IOSQE_IO_LINK);
		sqe = next_sqe(rm);
		io_uring_prep_read(sqe, (int)k, rm->bufs + k * SLOT_BYTES, SLOT_BYTES, 0);
		tag(sqe, k, OP_READ, IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK);
		sqe = next_sqe(rm);
		io_uring_prep_close_direct(sqe, (unsigned)k);
		tag(sqe, k, OP_CLOSE, 0);
		want += OP_N - 1;
	}
	if (n == 0)
		return;
	submitted = io_uring_submit(&rm->ring);
	if (submitted < 0) {
		rm->broken = true;
		return; /* nothing read: the caller reads every file */
	}
	/* the kernel stops at an operation it refuses as written: only those
	 * before it complete, and this ring is not used again */
	if ((size_t)submitted < want) {
		rm->broken = true;
		want = (size_t)submitted;
	}
	while (got < want) {
		/* a batch of small reads takes microseconds: a minute is a hang */
		struct __kernel_timespec wait = {60, 0};
		uint64_t d;

		if (io_uring_wait_cqe_timeout(&rm->ring, &cqe, &wait) < 0)
			break;
		d = io_uring_cqe_get_data64(cqe);
		rm->res[d / OP_N][d % OP_N] = cqe->res;
		io_uring_cqe_seen(&rm->ring, cqe);
		got++;
	}
	if (got < want || rm->broken) {
		/* the ring is in an unknown state: the caller reads every file */
		rm->broken = true;
		return;
	}
	for (size_t k = 0; k < n; k++) {
		const struct statx *x = &rm->stx[k];
		int r = rm->res[k][OP_READ];

		if (rm->res[k][OP_STATX] < 0 || rm->res[k][OP_OPEN] < 0 || r < 0 ||
		    r >= SLOT_BYTES ||
		    (st && (!S_ISREG(x->stx_mode) || (uint64_t)r != x->stx_size)))
			continue;
		bufs[k] = xmalloc((size_t)r + 2);
		memcpy(bufs[k], rm->bufs + k * SLOT_BYTES, (size_t)r);
		len[k] = (size_t)r;
		if (st)
			stat_from_statx(&st[k], x);
	}
}
