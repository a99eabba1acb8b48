/* SPDX-License-Identifier: MIT */
/* The git side: find the repository, list its customer files, create a new one. */
#ifndef CRMF_STORE_H
#define CRMF_STORE_H

#include <stdbool.h>
#include <stddef.h>

/** Initialise the libraries crmf uses (libgit2) at once, for callers that use
 * libgit2 themselves; crmf's own functions start it when they first need it. */
void crmf_lib_init(void);

/** Release what crmf_lib_init or crmf's functions acquired (call at the end). */
void crmf_lib_shutdown(void);

/**
 * The crmf repository root containing `start`, malloc'ed into *out (absolute,
 * no trailing slash): the nearest directory at or above `start` that holds a
 * crmf.yaml, without leaving the git work tree; else the git work tree root.
 * So a crmf repository may live in a subfolder of a git repository (as
 * examples/ does in crmf's own). 0, or -1 with crmf_error_last() when `start`
 * is in no git work tree.
 */
int crmf_repo_discover(char **out, const char *start);

/**
 * Make `dir` a crmf repository: `git init` through libgit2 when it is not one
 * yet, write crmf.yaml with `config_bytes`, create customers/ (with a
 * .gitkeep), and commit them ("crmf: init"). Refuses (-1) when crmf.yaml
 * exists. Author from git config. 0, or -1 with crmf_error_last().
 */
int crmf_repo_init(const char *dir, const char *config_bytes, size_t config_len);

/** What crmf_repo_init_ext did. */
typedef struct crmf_init_result {
	char *root;      /* the new crmf repository, absolute (owned) */
	char *git_root;  /* the work tree root of its git repository (owned) */
	int git_created; /* 1 when a git repository was created for it */
	char commit[41]; /* the commit made, in hex */
} crmf_init_result;

/**
 * crmf_repo_init, telling what it did in *out (release it with
 * crmf_init_result_release; out may be NULL). `dir` and its parents are
 * created when missing; when `dir` is inside a git work tree, no nested git
 * repository is made and the files are committed there as `sub/dir/crmf.yaml`.
 * Only crmf.yaml and customers/.gitkeep go into the commit, whatever else is
 * staged. Author and committer as git takes them: GIT_AUTHOR_NAME/_EMAIL,
 * GIT_COMMITTER_NAME/_EMAIL, else user.name and user.email; nothing is
 * created when they are missing. The branch of a new repository is
 * init.defaultBranch, else "main". When the files were written but the commit
 * failed, the error starts with "saved, not committed:".
 */
int crmf_repo_init_ext(crmf_init_result *out, const char *dir, const char *config_bytes,
		       size_t config_len);

/** Free what crmf_repo_init_ext put in *r; NULL is a no-op. */
void crmf_init_result_release(crmf_init_result *r);

/**
 * What an entry of crmf_store_list is. Only regular files are customer
 * files; the others are listed so that every command can say why it leaves
 * them alone, at their path. crmf never follows a symbolic link (git stores a
 * link as a link, so writing through one would change a file outside what
 * crmf commits) and never enters another git repository.
 */
typedef enum crmf_file_kind {
	CRMF_FILE_REGULAR = 0, /* a customer file */
	CRMF_FILE_LINK,	       /* a symbolic link named *.yaml / *.yml, or one to a folder */
	CRMF_FILE_SPECIAL,     /* a FIFO, device or socket named *.yaml / *.yml */
	CRMF_FILE_NESTED,      /* a folder holding a .git: a submodule or nested repository */
} crmf_file_kind;

/** One file found by crmf_store_list. */
typedef struct crmf_file {
	char *relpath; /* "customers/2024/C2024001.yaml" */
	int archived;  /* under archive/ */
	int selected;  /* for the caller's use (crmf_repo_load: named by the user) */
	crmf_file_kind kind;
} crmf_file;

/** Every *.yaml / *.yml under customers/ and archive/ of `root`, at any depth,
 * sorted by path (bytewise), with the links, special files and nested
 * repositories in their place (see crmf_file_kind; customers/ or archive/
 * itself may be one). Hidden files and folders are skipped, no link is
 * followed, no nested repository entered. *out is not NULL on success, even
 * when *n is 0. 0, or -1 with crmf_error_last(). */
int crmf_store_list(crmf_file **out, size_t *n, const char *root);

/** The entries crmf_store_list would list that are named `stem`.yaml or
 * `stem`.yml, found without reading folders that hold no folders, and the
 * nested repositories and folder links met on the way. */
int crmf_store_find(crmf_file **out, size_t *n, const char *root, const char *stem);

/** Whether `rel` (a path below `root`) may be written by crmf: no existing
 * part of it is a symbolic link, nor anything but a folder on the way and a
 * regular file at the end, and no folder on the way holds a .git (another
 * repository). 0, or -1 with crmf_error_last() saying which part and why. */
int crmf_store_check_path(const char *root, const char *rel);

/** The message for an entry that is not a customer file (a link's names its
 * target, read now), malloc'ed; NULL for a regular file. */
char *crmf_store_kind_message(const char *root, const crmf_file *f);

/** Free what crmf_store_list or crmf_store_find returned. */
void crmf_store_list_free(crmf_file *files, size_t n);

/** The lines `merge=crmf` that .gitattributes holds in a crmf repository
 * (each ends with '\n'), NULL-terminated. */
extern const char *const crmf_store_attributes[];

/** Add the missing lines of crmf_store_attributes to `dir`/.gitattributes
 * (created when absent; other lines are kept); *changed tells whether the
 * file was written. 0, or -1 with crmf_error_last(). */
int crmf_store_write_attributes(bool *changed, const char *dir);

#endif
