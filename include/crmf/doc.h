/* SPDX-License-Identifier: MIT */
/* YAML bytes to a tree of nodes that remember their byte spans and positions. */
#ifndef CRMF_DOC_H
#define CRMF_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/diag.h"

/** Largest file crmf reads: larger files are rejected before parsing. */
#define CRMF_DOC_MAX_SIZE (1024 * 1024)
/** Deepest nesting of collections accepted. */
#define CRMF_DOC_MAX_DEPTH 32

typedef enum {
	CRMF_NODE_SCALAR,
	CRMF_NODE_MAPPING,
	CRMF_NODE_SEQUENCE,
} crmf_node_type;

typedef enum {
	CRMF_STYLE_PLAIN,
	CRMF_STYLE_SINGLE,  /* 'single quoted' */
	CRMF_STYLE_DOUBLE,  /* "double quoted" */
	CRMF_STYLE_LITERAL, /* | */
	CRMF_STYLE_FOLDED,  /* > */
	CRMF_STYLE_BLOCK,   /* block collection */
	CRMF_STYLE_FLOW,    /* flow collection: [ ] or { } */
} crmf_node_style;

typedef struct crmf_node crmf_node;

/** A key and its value inside a mapping. */
typedef struct crmf_pair {
	crmf_node *key; /* always a scalar */
	crmf_node *value;
} crmf_pair;

/** One node. All memory belongs to the crmf_doc it came from. */
struct crmf_node {
	crmf_node_type type;
	crmf_node_style style;
	/*
	 * Byte span in crmf_doc.src: [start, end). A scalar's span is its text as
	 * written: quotes included, a block scalar from its `|`/`>` to the end of
	 * its last non-blank line, a tag or anchor before it included; an empty
	 * value is an empty span right after its `:` or `-`. A flow collection
	 * ends after its bracket; a block collection ends where libyaml closes
	 * it, i.e. at the next token, past trailing comments and blank lines.
	 */
	size_t start, end;
	int line, column;  /* 1-based position of `start`; column in characters */
	int end_line, end_column;
	const char *tag;   /* explicit tag as written (e.g. "!!str"), or NULL */
	/* scalars: the value after YAML unescaping, NUL-terminated */
	const char *value;
	size_t len;
	/* mappings: pairs in source order (duplicate keys are reported and dropped) */
	crmf_pair *pairs;
	/* sequences: items in source order */
	crmf_node **items;
	size_t n; /* number of pairs or items */
};

/** A parsed file. */
typedef struct crmf_doc {
	char *path;       /* as given to the loader (owned) */
	char *src;        /* the file's bytes, NUL-terminated (owned) */
	size_t len;
	bool bom;         /* starts with a UTF-8 byte-order mark */
	bool crlf;        /* line ends are CRLF */
	crmf_node *root;  /* NULL when the file could not be parsed */
	void *arena;      /* private */
} crmf_doc;

/**
 * Parse `len` bytes of `buf` (copied) as one YAML document. Every problem is
 * added to `diags` under `path`. On success `*out` is a document whose root is
 * a mapping; returns 0. Returns -1 when the file has errors; `*out` is then
 * still set when a tree could be built (root may be NULL), so that callers can
 * go on checking what is there. The caller frees `*out` with crmf_doc_free.
 *
 * Rules reported: file-too-large (no document), invalid-utf8, control-char,
 * conflict-marker, tab-indent (these four before libyaml runs, which they
 * prevent: root is NULL), yaml-syntax, yaml-depth (root NULL), yaml-anchor,
 * yaml-alias (an alias becomes an empty plain scalar), duplicate-key (the
 * first pair is kept), complex-key (the pair is dropped), multiple-documents
 * (the first document is kept), root-not-mapping and empty-file (root NULL).
 */
int crmf_doc_parse(crmf_doc **out, const char *path, const char *buf, size_t len,
		   crmf_diags *diags);

/** crmf_doc_parse on a buffer the document takes over: `buf` is malloc'd
 * with room for len + 1 bytes (the parser writes a NUL at buf[len]); it
 * belongs to the document from here on, even when parsing fails. */
int crmf_doc_parse_owned(crmf_doc **out, const char *path, char *buf, size_t len,
			 crmf_diags *diags);

/** Read the file at `fspath` (rejecting files over CRMF_DOC_MAX_SIZE before
 * reading) and parse it as crmf_doc_parse does, reporting under `path`; a file
 * that cannot be read is reported as read-error and leaves `*out` NULL. */
int crmf_doc_load(crmf_doc **out, const char *path, const char *fspath, crmf_diags *diags);

/** The whole file at `path` into *out (malloc'ed, NUL-terminated, the caller
 * frees it) and *len; reading stops well past CRMF_DOC_MAX_SIZE, which the
 * parser then reports. 0, or -1 with errno. */
int crmf_doc_read(char **out, size_t *len, const char *path);

/** Free a document and every node in it; NULL is a no-op. */
void crmf_doc_free(crmf_doc *doc);

/** The value of `key` in mapping `map`, or NULL (also when `map` is NULL or not a mapping). */
crmf_node *crmf_node_get(const crmf_node *map, const char *key);

/** The pair whose key is `key` in mapping `map`, or NULL. */
crmf_pair *crmf_node_pair(const crmf_node *map, const char *key);

/** True when the node is a plain scalar that YAML reads as null (`~`, `null`, empty);
 * false for a NULL node. */
bool crmf_node_is_null(const crmf_node *node);

#endif
