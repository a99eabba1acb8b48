/* SPDX-License-Identifier: MIT */
/* Changing the repository safely: one lock, atomic writes, commits of exactly the changed files. */
#ifndef CRMF_COMMIT_H
#define CRMF_COMMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/date.h"

struct stat; /* <sys/stat.h> */

/** A lock that serialises crmf processes changing one repository: flock on
 * crmf.lock in the git directory (of the worktree, for a linked worktree).
 * Hold it from reading the file to be changed until its commit is made. The
 * file stays; the kernel drops the lock when the process dies. */
typedef struct crmf_lock crmf_lock;

/** Take the lock of the repository holding `root`, waiting up to
 * `timeout_ms` for another crmf (0: try once; negative: wait without limit);
 * 0, or -1 with crmf_error_last() ("another crmf (process N) is changing this
 * repository; try again when it has finished", or why the lock could not be
 * made). */
int crmf_lock_acquire(crmf_lock **out, const char *root, int timeout_ms);

/** Release the lock; NULL is a no-op. */
void crmf_lock_release(crmf_lock *lock);

/** Write `len` bytes to `fspath` atomically: a temporary file, fsync, rename
 * over the target, fsync the directory. The temporary file is made in
 * crmf/tmp/ of the git directory when the target is in a work tree on the
 * same file system, where git status never looks, so that a process killed
 * before its rename leaves nothing git lists (later writes remove what dead
 * processes left there); else beside the target. An existing file keeps its
 * permissions; a symbolic link is written through, not replaced. On failure
 * the target is untouched and no temporary file is left; -1 with
 * crmf_error_last() ("cannot write 'PATH': no space left on device"). */
int crmf_write_atomic(const char *fspath, const char *buf, size_t len);

/** crmf_write_atomic without waiting for the disk, for many files at once
 * (crmf import): the file appears whole or not at all to every reader; call
 * crmf_write_batch_sync before committing them, so that a crash never leaves
 * committed files that are empty on disk. */
int crmf_write_atomic_batch(const char *fspath, const char *buf, size_t len);

/** Wait until every file written on the file system holding `dir` is on the
 * disk (syncfs); 0, or -1 with crmf_error_last(). */
int crmf_write_batch_sync(const char *dir);

/** New files written into one work tree in a row (crmf import), each as
 * crmf_write_atomic_batch writes it, but with the temporary folder found
 * once for them all and the dead processes' leftovers swept once at the end,
 * not per file. */
typedef struct crmf_write_batch crmf_write_batch;

/** Start a batch of writes into the work tree at `root`; never fails. */
crmf_write_batch *crmf_write_batch_new(const char *root);

/** Write `len` bytes to `fspath`, a file that does not exist yet (the caller
 * checked; its folder exists), whole or not at all, without waiting for the
 * disk; its stat data after the rename into *st (for the git index). 0, or
 * -1 with crmf_error_last() ("cannot write 'PATH': …") and nothing left. */
int crmf_write_batch_add(crmf_write_batch *b, const char *fspath, const char *buf, size_t len,
			 struct stat *st);

/** End the batch (NULL is a no-op); crmf_write_batch_sync is still the caller's. */
void crmf_write_batch_free(crmf_write_batch *b);

/** What a commit says. The author is `author` ("Name <email>", parsed by
 * crmf_commit_parse_author) when given, else git's identity (GIT_AUTHOR_NAME /
 * _EMAIL, else user.name / user.email); the committer is git's
 * (GIT_COMMITTER_*, else user.*), or the author when git has none. */
typedef struct crmf_commit_opts {
	const char *author;   /* NULL: git's identity */
	const char *subject;  /* one line: "crmf: log C2024001: phone 2025-06-16" */
	const char *body;     /* optional lines after the subject, may be NULL */
	const char *action;   /* trailer Crmf-Action: new, log, set, edit, archive…; NULL: none */
	const char *customer; /* trailer Crmf-Customer: "C1" (or "C1, C2"); NULL: none */
} crmf_commit_opts;

/** One path a commit records, relative to the crmf root (e.g.
 * "customers/2024/C2024001.yaml"); `removed` for a path that no longer
 * exists (the old side of a move, a deleted file). A move is two paths: the
 * new one and the old one removed. */
typedef struct crmf_commit_path {
	const char *path;
	bool removed;
} crmf_commit_path;

/**
 * Check, before anything is written, that a commit can be made: a git
 * repository that is not bare, owned by the current user ("repository 'X' is
 * owned by another user; …safe.directory X…"), no merge, rebase,
 * cherry-pick, revert, bisect or am in progress ("a merge is in progress;
 * finish it (git commit) or abort it (git merge --abort) first"), and a git
 * identity ("no git identity: set it with … or pass --author 'Name <email>'")
 * or a valid `author`. 0, or -1 with crmf_error_last() saying what to do.
 */
int crmf_commit_preflight(const char *root, const char *author);

/**
 * Check, before anything is written and once crmf's own lock is held (so
 * that another crmf's commit is over), that no other git holds a lock git
 * commit refuses on: index.lock, HEAD.lock, the branch's lock. 0, or -1 with
 * crmf_error_last() ("… remove it, then run the command again; nothing
 * changed"). Committing checks them again: one may be taken meanwhile.
 */
int crmf_commit_check_locks(const char *root);

/** Parse `author` strictly as "Name <local@domain>" (a name, one or more
 * spaces, an address with one '@' and no spaces, nothing after '>', no
 * control characters) into two malloc'ed strings; 0, or -1 with
 * crmf_error_last() ("invalid author 'X': give it as 'Name <email>'") and
 * both set to NULL. */
int crmf_commit_parse_author(char **name, char **email, const char *author);

/**
 * Commit exactly `paths` as they are now in the work tree, on top of HEAD
 * (also on an unborn branch, which it creates; a detached HEAD moves): the
 * new tree is HEAD's tree with those entries replaced or removed
 * (git_tree_create_updated), the index entries of those paths are updated
 * with their stat data (git status stays clean), and nothing else the user
 * staged is swept in. The message is the subject, a blank line, the body (if
 * any), a blank line and the trailers. The caller holds crmf_lock and has
 * run crmf_commit_preflight; the file is hashed as git add would (filters,
 * file mode).
 *
 * On success writes the new commit's hex id (41 bytes) into `oid_out` when
 * not NULL. When the paths are already committed exactly as they are, no
 * (empty) commit is made: 0 with `oid_out` set to "".
 *
 * Order, so that a failure leaves a coherent state: a held index.lock,
 * HEAD.lock or lock of the branch (refs/heads/NAME.lock), which git commit
 * refuses too, is detected before anything is written, and nothing changes
 * ("index.lock is held by another git process ('.git/index.lock'); when no
 * git is running, remove it, then run 'crmf commit'"); then the objects are written, then the
 * index, then the branch. Should the branch update fail (another git moved or
 * locked it), the paths are left staged, as after git add. On failure: -1
 * with crmf_error_last(); the work tree files are left as they are, so
 * callers report "saved, not committed" with the message.
 */
int crmf_commit_paths(char *oid_out, const char *root, const crmf_commit_path *paths, size_t n,
		      const crmf_commit_opts *opts);

/** What crmf_commit_paths_as records for one path instead of its work tree file. */
typedef struct crmf_commit_content {
	const char *data; /* the bytes to commit, as in the work tree (git's clean filters and
			     .gitattributes apply, as for git add); NULL: the work tree file */
	size_t len;
	const char *staged; /* with data: what the index holds afterwards, the same way; NULL:
			       data. The entry has no stat data, so git compares the file */
	size_t staged_len;
	const struct stat *st; /* with data and no staged: the work tree file's stat data, when
				  the caller has just written data there (crmf import): the
				  entry records it, so git status finds the file clean unread */
} crmf_commit_content;

/**
 * crmf_commit_paths, but path i (not removed) is committed as `content[i]`
 * says when its data is not NULL (`content` may be NULL: the work tree files),
 * so that a file can be committed otherwise than the user has it: crmf's
 * change applied to the committed version, the user's own edits left in the
 * work tree and the index. The work tree is not touched. The mode is HEAD's,
 * else 0100644.
 */
int crmf_commit_paths_as(char *oid_out, const char *root, const crmf_commit_path *paths,
			 const crmf_commit_content *content, size_t n,
			 const crmf_commit_opts *opts);

/** Where a file stands against git (see crmf_read_versions). */
typedef enum crmf_file_state {
	CRMF_FILE_CLEAN,    /* the work tree, the index and HEAD agree */
	CRMF_FILE_CHANGED,  /* the user changed it: staged, in the work tree, or both */
	CRMF_FILE_NEW,      /* not in HEAD (an unborn branch, an untracked or added file) */
	CRMF_FILE_UNMERGED, /* no ordinary index entry: in conflict, or staged for removal */
} crmf_file_state;

/** A file's committed and staged versions beside its work tree one. */
typedef struct crmf_versions {
	crmf_file_state state;
	char *head; /* CHANGED: HEAD's version as git checks it out (smudge filters applied),
		       NUL-terminated (not counted in head_len); else NULL */
	size_t head_len;
	char *staged; /* CHANGED and staged: the index's version, the same way; NULL when the
			 index holds HEAD's */
	size_t staged_len;
} crmf_versions;

/**
 * How `path` (relative to the crmf root) stands against git: whether the
 * user has changes of their own to it (staged or not) that a commit of
 * crmf's must leave out, and if so its committed and staged versions. Fast
 * when the file is unchanged: HEAD's blob is compared with the file's bytes
 * (and hashed through git's filters only when they differ) and the index
 * entry is read without libgit2 loading the whole index. A symbolic link in
 * HEAD is CLEAN (links are refused elsewhere). 0, or -1 with
 * crmf_error_last(); release with crmf_versions_release in both cases.
 */
int crmf_read_versions(crmf_versions *out, const char *root, const char *path);

/** Free what crmf_read_versions filled; the struct is zeroed. */
void crmf_versions_release(crmf_versions *v);

/** A customer file that differs from HEAD in the work tree (for `crmf commit`). */
typedef struct crmf_changed {
	char *path;	/* relative to the crmf root */
	char *old_path; /* for 'R': where it was (moved by hand or with git mv), else NULL */
	int status;	/* 'A' added, 'M' modified, 'D' deleted, 'R' renamed */
} crmf_changed;

/** The customer files (*.yaml and *.yml under customers/ and archive/, hidden
 * ones skipped as crmf_store_list does) that differ between HEAD and the work
 * tree, untracked ones included (ignored ones not), sorted by path, paths
 * relative to the crmf root. A file gone from one place and one with the same
 * name (the id) come elsewhere are one rename 'R' (a move to or from
 * archive/, with or without git mv); git's content similarity is not used,
 * since two customers made from one template look alike to it. *out is not
 * NULL on success. 0, or -1 with crmf_error_last(). */
int crmf_status_customers(crmf_changed **out, size_t *n, const char *root);

/** Free what crmf_status_customers returned; NULL is a no-op. */
void crmf_changed_free(crmf_changed *v, size_t n);

/** The bytes of `path` (relative to the crmf root) in HEAD, malloc'ed and
 * NUL-terminated (not counted in *len); 1 when the path is not in HEAD or
 * the branch is unborn (*out NULL), 0 found, -1 error. */
int crmf_read_head(char **out, size_t *len, const char *root, const char *path);

/** One staged file. */
typedef struct crmf_staged {
	char *path; /* relative to the crmf root */
	char *data; /* NUL-terminated (not counted in len) */
	size_t len;
	bool changed; /* the commit changes it: HEAD has other bytes there, or none */
} crmf_staged;

/** The staged bytes (index, stage 0) of every customer file (as
 * crmf_status_customers selects them) and of crmf.yaml, for `crmf check
 * --staged`, sorted by path. The index is $GIT_INDEX_FILE when set (git's
 * temporary index in the pre-commit hook of `git commit -a`; a relative path
 * starts at the top of the work tree, where git runs hooks), else the
 * repository's. Links and submodules are skipped. *out is not NULL on
 * success. 0, or -1 with crmf_error_last(). */
int crmf_read_staged(crmf_staged **out, size_t *n, const char *root);

/** Free what crmf_read_staged returned; NULL is a no-op. */
void crmf_staged_free(crmf_staged *v, size_t n);

/** The folder git runs the hooks of the repository holding `root` from, as an absolute path:
 * core.hooksPath when set ("~/" expanded, a relative path taken from the top of the work
 * tree, as git does), else the hooks folder of the git directory that linked worktrees share.
 * The folder may not exist yet. Also where `root` is in the work tree: *prefix "" at its top,
 * else "sub/dir". Both malloc'ed; 0, or -1 with crmf_error_last() and both NULL. */
int crmf_hooks_dir(char **hooks, char **prefix, const char *root);

/** One commit in a customer's history, newest first. */
typedef struct crmf_history_entry {
	char oid[41];
	char *author;	/* "Name <email>" */
	long long time; /* seconds since the epoch */
	int tz_minutes;
	char *subject;
	char *path;	/* the customer's path in that commit (before it, for a removal) */
	char **changes; /* field-level lines, see crmf_history */
	size_t n_changes;
} crmf_history_entry;

/**
 * The audit trail of customer `id` from git: every commit reachable from HEAD
 * (newest first: by date, a commit always before its parents) whose customer
 * file differs from its first parent's, found as <id>.yaml (or .yml)
 * anywhere under customers/ or archive/, so moves between them and between
 * subfolders are followed. A merge that took the file unchanged from one of
 * its parents is left out. The commits to look at come from the change index
 * (crmf/changes.h), built or extended first when it does not cover HEAD:
 * commits of a branch merged after the index was last extended come before
 * older ones (each still before its parents). The lines look like this:
 *
 *   + created (new customer)
 *   - removed from the repository
 *   moved customers/C1.yaml → archive/C1.yaml
 *   stage: intent → negotiation
 *   + potential: high
 *   - grade: B
 *   contacts[0].phone: +86 138 0013 8000 → +86 139 0000 0000
 *   need.budget: 50万 → 80万
 *   + follow-up 2025-06-16 phone
 *   followups[3].summary: old text → new text
 *   + deal 500000 signed 2025-03-01
 *   + contact 张伟
 *   + tags: 制造业
 *   comments or layout changed
 *
 * Apart from the first three, the lines are crmf_diff_bytes's
 * between the two versions (see diff.h: how values are shown and list
 * entries matched). `field` (may be NULL) keeps only the lines about that
 * top-level field and the commits that have some; creation then shows the
 * field's first value ("+ stage: lead"). An id found in no commit gives 0
 * entries. *out may be NULL when *n is 0. 0, or -1 with crmf_error_last().
 */
int crmf_history(crmf_history_entry **out, size_t *n, const char *root, const char *id,
		 const char *field);

/** Free what crmf_history returned; NULL is a no-op. */
void crmf_history_free(crmf_history_entry *v, size_t n);

#endif
