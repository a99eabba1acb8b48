/* SPDX-License-Identifier: MIT */
/* What crmf lsp does to bytes without a server: framing, decoding, UTF-8, positions and edits. */
#ifndef CRMF_LSP_WIRE_H
#define CRMF_LSP_WIRE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The pure part of cmd_lsp.c, apart so that fuzz/fuzz_lsp.c can drive it
 * with any bytes: nothing here prints, exits or touches the repository.
 */

/* Larger messages are read and dropped. */
#define LSP_MAX_MESSAGE ((size_t)64 << 20)

enum {
	LSP_PARSE_ERROR = -32700,
	LSP_INVALID_REQUEST = -32600,
	LSP_METHOD_NOT_FOUND = -32601,
	LSP_INVALID_PARAMS = -32602,
	LSP_SERVER_NOT_INITIALIZED = -32002,
};

/** realloc and strndup that abort when memory runs out. */
void *lsp_xrealloc(void *p, size_t n);
char *lsp_xstrndup(const char *s, size_t n);

/* ---- UTF-8 ---- */

/** The length of the valid UTF-8 sequence at s (of n > 0 bytes), 0 when invalid. */
size_t lsp_utf8_len(const unsigned char *s, size_t n);

/** s with every invalid UTF-8 byte replaced by U+FFFD (malloc'ed, NUL-terminated, *out_len). */
char *lsp_utf8_clean(const char *s, size_t n, size_t *out_len);

bool lsp_utf8_valid(const char *s, size_t n);

/* ---- positions: crmf's (1-based lines, columns in characters) and LSP's
 * (0-based lines, characters in UTF-16 code units) ---- */

/** The byte offset of an LSP position in the `len` bytes of t, clamped to its line. */
size_t lsp_offset_of(const char *t, size_t len, json_int_t line, json_int_t ch);

/** crmf's column (1-based characters) of the LSP position. */
int lsp_column_of(const char *t, size_t len, json_int_t line, json_int_t ch);

/** The LSP position (*lsp_line, *lsp_char) of crmf's line:column. */
void lsp_position_of(json_int_t *lsp_line, json_int_t *lsp_char, const char *t, size_t len,
		     int line, int column);

/* ---- the wire: `Content-Length: N` headers, a blank line, N bytes of JSON ---- */

/** The input, read through `read` (as read(2): bytes, 0 at the end, -1 with errno). */
typedef struct lsp_reader {
	ssize_t (*read)(void *ctx, char *buf, size_t n);
	void *ctx;
	char *in; /* private: the buffer */
	size_t in_len, in_cap, in_pos;
	bool eof;
} lsp_reader;

/** Free the reader's buffer. */
void lsp_reader_release(lsp_reader *r);

/**
 * The next message's body (malloc'ed, NUL-terminated) into *body and *len:
 * 1; 0 at the end of the input; -1 for a message without a valid
 * Content-Length; -2 for one over LSP_MAX_MESSAGE, read and dropped (its
 * size in *len). The caller answers -1 and -2.
 */
int lsp_read_message(lsp_reader *r, char **body, size_t *len);

/**
 * A message's body (taken and freed) as a JSON object into *out: 0, or
 * LSP_PARSE_ERROR (not JSON) or LSP_INVALID_REQUEST (not an object), with
 * *out NULL. Invalid UTF-8 becomes U+FFFD rather than losing the message.
 */
int lsp_decode(json_t **out, char *body, size_t len);

/* ---- JSON access ---- */

/** o[key] when it is a string, else NULL (o may be NULL). */
const char *lsp_jget_str(json_t *o, const char *key);

/** o[key] when it is an object, else NULL (o may be NULL). */
json_t *lsp_jget_obj(json_t *o, const char *key);

/** A Position {line, character} of o: false unless both are integers ≥ 0. */
bool lsp_jget_pos(json_t *o, json_int_t *line, json_int_t *ch);

/* ---- edits ---- */

/**
 * Apply didChange's `contentChanges` (an array) in order to the `*len`
 * bytes of *text (malloc'ed, NUL-terminated; replaced): a change without a
 * range replaces everything, one with a range the bytes between its ends
 * (each clamped to its line; an end before the start is the start); a
 * change without text or with an invalid range is passed over.
 */
void lsp_apply_changes(char **text, size_t *len, json_t *changes);

#endif
