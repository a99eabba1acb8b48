/* SPDX-License-Identifier: MIT */
/* Private: git's filter drivers (filter.<name>.clean / .smudge) inside libgit2's filter pipeline.
 */
#ifndef CRMF_GITFILTER_H
#define CRMF_GITFILTER_H

#include <stddef.h>

#include <git2.h>

/*
 * libgit2 runs only the filters it has built in (crlf, ident) and those
 * registered with it: a `filter=<name>` attribute whose driver is a command
 * in the git config (git-crypt, git-lfs, any clean/smudge pair) is silently
 * skipped, so a file would be committed as it is in the work tree. This
 * module registers one libgit2 filter, for `filter=*`, that runs the
 * configured `filter.<name>.clean` (into git) or `filter.<name>.smudge`
 * (out of git) command as git does: through /bin/sh at the top of the work
 * tree, "%f" replaced by the quoted path, the content on its stdin and the
 * result read from its stdout, in git's order among the built-in filters.
 * A failing command is an error when `filter.<name>.required` is set, else
 * the content passes unfiltered (as in git); a driver that only has a
 * long-running `filter.<name>.process` is an error, since passing the file
 * through would leak what it is meant to protect. Everything libgit2 does
 * through its filters then filters like git: blobs made from the work tree,
 * index updates, status, checkout, git_blob_filter.
 */

/** Register the filter with libgit2 (once, right after git_libgit2_init). */
void crmf_gitfilter_register(void);

/** The content of `blob` as `git checkout` would write it at `path` (relative to the top of
 * the work tree), into *out (free with git_buf_dispose): smudged through every filter the
 * attributes select; without any, its bytes. 0, or a libgit2 error code. */
int crmf_gitfilter_smudge(git_buf *out, git_repository *repo, git_blob *blob, const char *path);

/** `len` bytes as `git add` would store them at `path`: cleaned through every filter the
 * attributes select. 0, or a libgit2 error code. */
int crmf_gitfilter_clean(git_buf *out, git_repository *repo, const char *buf, size_t len,
			 const char *path);

#endif
