/* The git side: find the repository, list its customer files, create a new one. */
#ifndef CRMF_STORE_H
#define CRMF_STORE_H

#include <stddef.h>

/** Initialise the libraries crmf uses (libgit2); call once before anything else. */
void crmf_lib_init(void);

/** Release what crmf_lib_init acquired. */
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

/** One file found by crmf_store_list. */
typedef struct crmf_file {
	char *relpath; /* "customers/2024/C2024001.yaml" */
	int archived;  /* under archive/ */
} crmf_file;

/** Every *.yaml / *.yml under customers/ and archive/ of `root`, at any depth,
 * sorted by path. Hidden files and folders are skipped. 0 or -1. */
int crmf_store_list(crmf_file **out, size_t *n, const char *root);

/** Free what crmf_store_list returned. */
void crmf_store_list_free(crmf_file *files, size_t n);

#endif
