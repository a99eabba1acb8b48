/* SPDX-License-Identifier: MIT */
/* Reading many small files with few system calls (io_uring), private to libcrmf (scan.c). */
#ifndef CRMF_READMANY_H
#define CRMF_READMANY_H

#include <stddef.h>
#include <sys/stat.h>

/*
 * A cold check opens, stats, reads and closes every customer file: four
 * system calls per file, which on a virtual machine cost as much as parsing.
 * io_uring takes the four operations of a whole batch of files in one call.
 * Where the kernel has no io_uring or refuses it (old kernels, containers
 * whose seccomp profile blocks it, CRMF_IO_URING=0), crmf_readmany_new
 * returns NULL and the caller reads each file itself, as before.
 */
typedef struct crmf_readmany crmf_readmany;

/** A reader for batches of up to `slots` files, for one thread; NULL when
 * io_uring cannot be used. */
crmf_readmany *crmf_readmany_new(size_t slots);

void crmf_readmany_free(crmf_readmany *rm);

/**
 * Read the files `names[k]` (relative to the folder `dirfd`), k < n <= slots.
 * For each file read whole: bufs[k] is a malloc'd copy of its bytes with room
 * for one more (len[k] bytes), st[k] its stat data (taken before reading).
 * No symbolic link is followed. bufs[k] is NULL for a file that could not
 * be read in one go (a link, not a regular file, larger than a slot, an
 * error, changed while read): the caller reads that one itself. `st` NULL:
 * no stat data wanted (no cache is written); the names are then taken for
 * regular files, as the listing found them.
 */
void crmf_readmany_read(crmf_readmany *rm, int dirfd, const char *const *names, size_t n,
			char **bufs, size_t *len, struct stat *st);

#endif
