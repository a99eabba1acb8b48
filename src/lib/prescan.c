/* SPDX-License-Identifier: MIT */
/* The pre-scan of a YAML file's bytes, before libyaml: encoding, control characters, conflict markers, tabs in indentation. */
#include "doc_private.h"

#include <stdarg.h>
#include <stdlib.h>

#include "util.h"

static const char *const ps_rule[PS_NRULES] = {
    "invalid-utf8",
    "control-char",
    "conflict-marker",
    "tab-indent",
};

/* Pre-scan diagnostics are capped so that a binary file does not flood the output. */
static void ps_report(struct parse *p, int rule, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void ps_report(struct parse *p, int rule, int line, int col, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (p->reported[rule]++ >= PRESCAN_MAX_REPORTS) {
		if (p->reported[rule] == PRESCAN_MAX_REPORTS + 1) {
			p->first_line[rule] = line;
			p->first_col[rule] = col;
		}
		return;
	}
	fmt = crmf_tr(fmt);
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	crmf_diags_add(p->diags, CRMF_SEV_ERROR, p->path, line, col, ps_rule[rule], "%s", msg);
	free(msg);
}

/* Characters that crmf refuses inside a line: C0 but TAB, DEL, C1, the
 * noncharacters libyaml refuses, and a CR that does not end a line or the
 * Unicode line separators, which libyaml would count as line breaks where
 * most editors and our own line count do not; and a byte order mark other
 * than the file's first character, which libyaml skips or misplaces. */
static bool bad_char(uint32_t c)
{
	return (c < 0x20 && c != '\t') || (c >= 0x7F && c <= 0x9F) || c == 0xFFFE || c == 0xFFFF ||
	       c == 0x2028 || c == 0x2029 || c == 0xFEFF;
}

static void report_bad_char(struct parse *p, int line, int col, uint32_t c)
{
	if (c == 0x2028 || c == 0x2029)
		ps_report(
		    p, PS_CTRL, line, col,
		    "invisible line separator U+%04X in file; replace it with a normal line break",
		    (unsigned)c);
	else if (c == 0xFEFF)
		ps_report(p, PS_CTRL, line, col,
			  "unexpected byte order mark U+FEFF; remove it (only the file's first "
			  "character may be one)");
	else if (c == 0xFFFE || c == 0xFFFF)
		ps_report(p, PS_CTRL, line, col, "invalid character U+%04X in file; remove it",
			  (unsigned)c);
	else if (c == '\r')
		ps_report(p, PS_CTRL, line, col,
			  "control character U+000D (carriage return) without a line feed in file; "
			  "remove it or use LF or CRLF line ends");
	else
		ps_report(p, PS_CTRL, line, col, "control character U+%04X in file; remove it",
			  (unsigned)c);
}

/* Does [k, e) end with a block scalar indicator (`|`, `>-`, `|2+`…)? */
static bool indicator_at_end(const unsigned char *s, size_t k, size_t e)
{
	size_t t;

	while (e > k && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
		e--;
	/* it ends with the indicator or its chomping and indentation digits */
	if (e == k || !strchr("|>-+123456789", s[e - 1]))
		return false;
	/* the indicator is at most 3 characters: look no further back */
	for (t = e; t > k && e - t <= 3 && s[t - 1] != ' ' && s[t - 1] != '\t'; t--)
		;
	if (e == t || e - t > 3 || (s[t] != '|' && s[t] != '>'))
		return false;
	for (size_t i = t + 1; i < e; i++)
		if (s[i] != '-' && s[i] != '+' && (s[i] < '1' || s[i] > '9'))
			return false;
	return true;
}

/* Does the line's content [k, le) open a block scalar, ignoring a trailing
 * comment? Quotes are not tracked: a miss only means fewer tab reports. */
static bool opens_block_scalar(const unsigned char *s, size_t k, size_t le)
{
	const unsigned char *h = memchr(s + k, '#', le - k);

	while (h && h > s + k && h[-1] != ' ' && h[-1] != '\t')
		h = memchr(h + 1, '#', le - (size_t)(h + 1 - s));
	return indicator_at_end(s, k, h ? (size_t)(h - s) : le);
}

static bool conflict_marker(const unsigned char *s, size_t ls, size_t le, const char **which)
{
	static const char *const markers[] = {"<<<<<<<", "=======", ">>>>>>>", "|||||||"};

	if (le - ls < 7 || (s[ls] != '<' && s[ls] != '=' && s[ls] != '>' && s[ls] != '|'))
		return false;
	for (size_t i = 0; i < sizeof(markers) / sizeof(*markers); i++) {
		if (memcmp(s + ls, markers[i], 7) != 0)
			continue;
		if (le - ls > 7 && s[ls + 7] != ' ' && s[ls + 7] != '\t' && s[ls + 7] != '\r')
			return false;
		*which = markers[i];
		return true;
	}
	return false;
}

static void add_line(struct parse *p, size_t start, bool ascii)
{
	if (p->n_lines == p->cap_lines) {
		size_t cap = p->cap_lines * 4;

		if (p->line_start == p->line_stack) {
			p->line_start = xmalloc(cap * sizeof(*p->line_start));
			p->line_ascii = xmalloc(cap);
			memcpy(p->line_start, p->line_stack, sizeof(p->line_stack));
			memcpy(p->line_ascii, p->ascii_stack, sizeof(p->ascii_stack));
		} else {
			p->line_start = xrealloc(p->line_start, cap * sizeof(*p->line_start));
			p->line_ascii = xrealloc(p->line_ascii, cap);
		}
		p->cap_lines = cap;
	}
	p->line_start[p->n_lines] = start;
	p->line_ascii[p->n_lines++] = ascii;
}

/* A mask whose lowest set bit lies in the first byte of w that is not
 * printable ASCII (0x20 to 0x7E), in memory order on a little-endian
 * machine; 0 when all 8 bytes are. Borrows may set bits above the first
 * such byte, never below it. */
static uint64_t special8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t del = w ^ (0x7F * ones);

	return (w & high) | ((w - 0x20 * ones) & ~w & high) | ((del - ones) & ~del & high);
}

/* Skip printable ASCII from s[i]: the index of the first other byte, or of
 * the last bytes that do not fill a word. */
static size_t skip_printable(const unsigned char *s, size_t i, size_t len)
{
	while (i + 8 <= len) {
		uint64_t m = special8(load8(s + i));

		if (m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			i += (size_t)__builtin_ctzll(m) / 8;
#endif
			break;
		}
		i += 8;
	}
	return i;
}

/* Where the block scalar state stands before line `upto`, replayed from the
 * start (see prescan); no line before it has a tab in its indentation. */
static long replay_block_scalars(const struct parse *p, size_t upto)
{
	const unsigned char *s = p->s;
	size_t len = p->doc->len;
	long bs_parent = -1;

	for (size_t j = 0; j < upto; j++) {
		size_t ls = p->line_start[j], k, le, content_end;
		long spaces = 0;
		const char *marker;
		bool blank;

		le = j + 1 < p->n_lines ? p->line_start[j + 1] - 1 : len;
		if (j + 1 == p->n_lines && le > ls && le == len && s[le - 1] == '\n')
			le--;
		content_end = le > ls && s[le - 1] == '\r' ? le - 1 : le;
		if (conflict_marker(s, ls, content_end, &marker)) {
			bs_parent = -1;
			continue;
		}
		for (k = ls; k < content_end && s[k] == ' '; k++)
			spaces++;
		while (k < content_end && (s[k] == ' ' || s[k] == '\t'))
			k++;
		blank = k == content_end;
		if (bs_parent >= 0) {
			if (blank || spaces > bs_parent)
				continue;
			bs_parent = -1;
		}
		if (!blank && opens_block_scalar(s, k, content_end))
			bs_parent = spaces;
	}
	return bs_parent;
}

/*
 * Everything libyaml would report badly or not at all, found line by line
 * before it runs: encoding, control characters, conflict markers and tabs in
 * indentation. Lines end at LF; a CR right before it belongs to the line end.
 * Runs of printable ASCII, most of a file, are skipped eight bytes at a time.
 */
void crmf_prescan(struct parse *p)
{
	const unsigned char *s = p->s;
	size_t len = p->doc->len, pos = p->bom;
	long bs_parent = -1; /* indentation of the line that opened a block scalar */
	bool first_nl = true, tabs = false;
	int line = 1;

	while (pos < len) {
		size_t ls = pos, i = pos, le, content_end, k;
		long spaces = 0;
		bool bad_utf8 = false, ascii = true, blank;
		const char *marker;

		/* find the line's end, checking its characters on the way */
		for (;;) {
			unsigned char b;
			uint32_t c;
			size_t w;

			i = skip_printable(s, i, len);
			if (i >= len)
				break;
			b = s[i];
			if ((unsigned)(b - 0x20) < 0x5F || b == '\t') {
				i++;
				continue;
			}
			if (b == '\n')
				break;
			/* valid three-byte characters (most CJK text) that are allowed */
			if ((b & 0xF0) == 0xE0) {
				size_t i0 = i;

				while (i + 2 < len && (s[i] & 0xF0) == 0xE0 &&
				       (s[i + 1] & 0xC0) == 0x80 && (s[i + 2] & 0xC0) == 0x80) {
					c = (uint32_t)(s[i] & 0x0F) << 12 |
					    (uint32_t)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
					if (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF) || c == 0x2028 ||
					    c == 0x2029 || c >= 0xFFFE || c == 0xFEFF)
						break;
					i += 3;
				}
				if (i > i0) {
					ascii = false;
					continue;
				}
			}
			if (b == '\r' && (i + 1 == len || s[i + 1] == '\n')) {
				i++;
				continue;
			}
			if (b >= 0x80)
				ascii = false;
			w = utf8_decode(s + i, len - i, &c);
			if (!w) {
				if (!bad_utf8)
					ps_report(p, PS_UTF8, line, line_column(s, ls, i),
						  "invalid UTF-8 byte 0x%02X; save the file as UTF-8",
						  (unsigned)b);
				bad_utf8 = true;
				i++;
				continue;
			}
			if (bad_char(c))
				report_bad_char(p, line, line_column(s, ls, i), c);
			i += w;
		}
		le = i < len ? i : len;
		content_end = le > ls && s[le - 1] == '\r' ? le - 1 : le;
		add_line(p, ls, ascii);
		if (le < len && first_nl) {
			p->doc->crlf = le > ls && s[le - 1] == '\r';
			first_nl = false;
		}

		if (conflict_marker(s, ls, content_end, &marker)) {
			ps_report(p, PS_CONFLICT, line, 1,
				  "leftover git conflict marker '%s'; resolve the merge conflict "
				  "and remove the marker lines",
				  marker);
			bs_parent = -1;
			goto next;
		}

		for (k = ls; k < content_end && s[k] == ' '; k++)
			spaces++;
		while (k < content_end && (s[k] == ' ' || s[k] == '\t'))
			k++;
		blank = k == content_end;
		/* Which lines open a block scalar matters only to excuse tabs in
		 * its content, so it is worked out from the first tab on. */
		if (!tabs) {
			if (!memchr(s + ls, '\t', k - ls))
				goto next;
			tabs = true;
			bs_parent = replay_block_scalars(p, p->n_lines - 1);
		}
		/* block scalar content may hold tabs after its indentation */
		if (bs_parent >= 0) {
			if (blank || spaces > bs_parent)
				goto next;
			bs_parent = -1;
		}
		for (i = ls; i < k; i++)
			if (s[i] == '\t') {
				ps_report(p, PS_TAB, line, (int)(i - ls) + 1,
					  "tab in indentation; indent with spaces only");
				break;
			}
		if (!blank && opens_block_scalar(s, k, content_end))
			bs_parent = spaces;
	next:
		pos = le < len ? le + 1 : len;
		line++;
	}
	for (int r = 0; r < PS_NRULES; r++)
		if (p->reported[r] > PRESCAN_MAX_REPORTS)
			crmf_diags_add(p->diags, CRMF_SEV_ERROR, p->path, p->first_line[r],
				       p->first_col[r], ps_rule[r],
				       "%zu more problems of this kind from here on are not shown; "
				       "fix the ones above first",
				       p->reported[r] - PRESCAN_MAX_REPORTS);
}

