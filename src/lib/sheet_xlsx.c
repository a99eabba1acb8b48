/* SPDX-License-Identifier: MIT */
/* .xlsx workbooks (Office Open XML) through libzip and libexpat. */
#include <expat.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "crmf/diag.h"
#include "sheet_private.h"
#include "util.h"

/* expat's separator between a namespace and a local name */
#define NS_SEP '\x01'

typedef struct xlsx {
	crmf_workbook *wb;
	zip_t *zip;
	bool date1904;
	/* shared strings */
	const char **sst;
	size_t *sst_len;
	size_t n_sst, cap_sst;
	/* cellXfs: 0 not a date, 1 a date, 2 a date and time */
	unsigned char *xf;
	size_t n_xf;
	/* custom number formats: id -> date kind */
	struct numfmt {
		unsigned id;
		unsigned char kind;
	} *fmts;
	size_t n_fmts;
	/* sheets of workbook.xml: name and relationship id */
	struct wsheet {
		char *name, *rid, *target;
	} *sheets;
	size_t n_sheets;
	/* relationships of the workbook: id -> target; and typed targets */
	char *sst_part, *styles_part;
} xlsx;

static const char *local(const char *name)
{
	const char *p = strrchr(name, NS_SEP);

	return p ? p + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (strcmp(local(atts[i]), name) == 0)
			return atts[i + 1];
	return NULL;
}

static int zip_fail(xlsx *x, const char *part, zip_error_t *ze)
{
	return crmf_error_set("%s: damaged workbook: %s: %s", x->wb->path, part,
			      zip_error_strerror(ze));
}

/* Stream the part `name` through an expat parser set up by the caller. 1 when
 * the part is absent, 0 when parsed, -1 on error. */
static int parse_part(xlsx *x, const char *name, XML_Parser p)
{
	zip_int64_t idx = zip_name_locate(x->zip, name, ZIP_FL_NOCASE);
	zip_file_t *f;
	char buf[65536];
	zip_int64_t r;

	if (idx < 0)
		return 1;
	f = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0);
	if (!f)
		return zip_fail(x, name, zip_get_error(x->zip));
	do {
		r = zip_fread(f, buf, sizeof(buf));
		if (r < 0) {
			int rc = zip_fail(x, name, zip_file_get_error(f));

			zip_fclose(f);
			return rc;
		}
		if (XML_Parse(p, buf, (int)r, r == 0) == XML_STATUS_ERROR) {
			crmf_error_set("%s: damaged workbook: %s line %lu: %s", x->wb->path, name,
				       (unsigned long)XML_GetCurrentLineNumber(p),
				       XML_ErrorString(XML_GetErrorCode(p)));
			zip_fclose(f);
			return -1;
		}
	} while (r > 0);
	zip_fclose(f);
	return 0;
}

static XML_Parser new_parser(void *data, XML_StartElementHandler start,
			     XML_EndElementHandler end, XML_CharacterDataHandler text)
{
	XML_Parser p = XML_ParserCreateNS("UTF-8", NS_SEP);

	if (!p)
		abort();
	XML_SetUserData(p, data);
	XML_SetElementHandler(p, start, end);
	if (text)
		XML_SetCharacterDataHandler(p, text);
	return p;
}

/* A part's path from a relationship target: relative to the folder of the
 * part whose .rels it is, or absolute from the package root. */
static char *resolve(const char *base_dir, const char *target)
{
	strbuf sb = STRBUF_INIT;
	const char *t = target;

	if (*t == '/') {
		t++;
	} else {
		sb_adds(&sb, base_dir);
	}
	while (*t) {
		const char *slash = strchr(t, '/');
		size_t n = slash ? (size_t)(slash - t) : strlen(t);

		if (n == 2 && t[0] == '.' && t[1] == '.') {
			/* drop the last folder of what we have */
			if (sb.len) {
				sb.len--;
				while (sb.len && sb.buf[sb.len - 1] != '/')
					sb.len--;
				sb.buf[sb.len] = '\0';
			}
		} else if (!(n == 1 && t[0] == '.') && n) {
			sb_add(&sb, t, n);
			if (slash)
				sb_addc(&sb, '/');
		}
		t += n + (slash ? 1 : 0);
	}
	return sb_detach(&sb);
}

/* ---- relationships ---- */

typedef struct rels {
	const char *want_type; /* suffix of the Type, for the package's .rels */
	char *found;	       /* its target */
	xlsx *x;
	bool workbook;	       /* the workbook's .rels: fill sheets' targets */
} rels;

static bool type_is(const char *type, const char *suffix)
{
	size_t n = type ? strlen(type) : 0, m = strlen(suffix);

	return n >= m && strcmp(type + n - m, suffix) == 0;
}

static void rels_start(void *data, const char *name, const char **atts)
{
	rels *r = data;
	const char *id, *type, *target;

	if (strcmp(local(name), "Relationship") != 0)
		return;
	id = attr(atts, "Id");
	type = attr(atts, "Type");
	target = attr(atts, "Target");
	if (!target)
		return;
	if (r->want_type && !r->found && type_is(type, r->want_type))
		r->found = xstrdup(target);
	if (r->workbook && id) {
		for (size_t i = 0; i < r->x->n_sheets; i++)
			if (r->x->sheets[i].rid && strcmp(r->x->sheets[i].rid, id) == 0 &&
			    !r->x->sheets[i].target)
				r->x->sheets[i].target = xstrdup(target);
		if (type_is(type, "/sharedStrings") && !r->x->sst_part)
			r->x->sst_part = xstrdup(target);
		if (type_is(type, "/styles") && !r->x->styles_part)
			r->x->styles_part = xstrdup(target);
	}
}

static void no_end(void *data, const char *name)
{
	(void)data;
	(void)name;
}

/* ---- workbook.xml ---- */

static void book_start(void *data, const char *name, const char **atts)
{
	xlsx *x = data;
	const char *l = local(name);

	if (strcmp(l, "workbookPr") == 0) {
		const char *v = attr(atts, "date1904");

		x->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
	} else if (strcmp(l, "sheet") == 0) {
		const char *sname = attr(atts, "name"), *rid = attr(atts, "id");

		x->sheets = xrealloc(x->sheets, (x->n_sheets + 1) * sizeof(*x->sheets));
		x->sheets[x->n_sheets].name = xstrdup(sname ? sname : "");
		x->sheets[x->n_sheets].rid = rid ? xstrdup(rid) : NULL;
		x->sheets[x->n_sheets].target = NULL;
		x->n_sheets++;
	}
}

/* ---- sharedStrings.xml ---- */

typedef struct sst_state {
	xlsx *x;
	strbuf text;
	int in_t, in_rph, in_si;
} sst_state;

static void sst_start(void *data, const char *name, const char **atts)
{
	sst_state *s = data;
	const char *l = local(name);

	(void)atts;
	if (strcmp(l, "si") == 0) {
		s->in_si = 1;
		s->text.len = 0;
		if (s->text.buf)
			s->text.buf[0] = '\0';
	} else if (strcmp(l, "rPh") == 0) {
		s->in_rph++; /* phonetic guide (furigana): not the cell's text */
	} else if (strcmp(l, "t") == 0) {
		s->in_t++;
	}
}

static void sst_end(void *data, const char *name)
{
	sst_state *s = data;
	xlsx *x = s->x;
	const char *l = local(name);

	if (strcmp(l, "si") == 0 && s->in_si) {
		if (x->n_sst == x->cap_sst) {
			x->cap_sst = x->cap_sst ? 2 * x->cap_sst : 256;
			x->sst = xrealloc(x->sst, x->cap_sst * sizeof(*x->sst));
			x->sst_len = xrealloc(x->sst_len, x->cap_sst * sizeof(*x->sst_len));
		}
		x->sst[x->n_sst] = wb_strndup(x->wb, s->text.buf ? s->text.buf : "", s->text.len);
		x->sst_len[x->n_sst++] = s->text.len;
		s->in_si = 0;
	} else if (strcmp(l, "rPh") == 0 && s->in_rph) {
		s->in_rph--;
	} else if (strcmp(l, "t") == 0 && s->in_t) {
		s->in_t--;
	}
}

static void sst_text(void *data, const char *t, int len)
{
	sst_state *s = data;

	if (s->in_si && s->in_t && !s->in_rph)
		sb_add(&s->text, t, (size_t)len);
}

/* ---- styles.xml ---- */

/* The built-in number formats that show a date: 14-17 and 22 everywhere,
 * 27-31, 36 and 50-58 in the East Asian locales (年月日 forms). */
static unsigned char builtin_kind(unsigned id)
{
	if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || id == 36 || (id >= 50 && id <= 58))
		return 1;
	if (id == 22)
		return 2;
	return 0;
}

typedef struct style_state {
	xlsx *x;
	int in_cellxfs;
} style_state;

static void style_start(void *data, const char *name, const char **atts)
{
	style_state *s = data;
	xlsx *x = s->x;
	const char *l = local(name);

	if (strcmp(l, "numFmt") == 0) {
		const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
		int time = 0;

		if (!id || !code)
			return;
		x->fmts = xrealloc(x->fmts, (x->n_fmts + 1) * sizeof(*x->fmts));
		x->fmts[x->n_fmts].id = (unsigned)strtoul(id, NULL, 10);
		x->fmts[x->n_fmts].kind =
			crmf_sheet_format_is_date(code, &time) ? (unsigned char)(time ? 2 : 1) : 0;
		x->n_fmts++;
	} else if (strcmp(l, "cellXfs") == 0) {
		s->in_cellxfs = 1;
	} else if (strcmp(l, "xf") == 0 && s->in_cellxfs) {
		const char *v = attr(atts, "numFmtId");
		unsigned id = v ? (unsigned)strtoul(v, NULL, 10) : 0;
		unsigned char kind = builtin_kind(id);

		/* a custom format may take the id of a built-in one */
		for (size_t i = 0; i < x->n_fmts; i++)
			if (x->fmts[i].id == id)
				kind = x->fmts[i].kind;
		x->xf = xrealloc(x->xf, x->n_xf + 1);
		x->xf[x->n_xf++] = kind;
	}
}

static void style_end(void *data, const char *name)
{
	style_state *s = data;

	if (strcmp(local(name), "cellXfs") == 0)
		s->in_cellxfs = 0;
}

/* ---- a worksheet ---- */

typedef struct ws_state {
	xlsx *x;
	sheet_build *b;
	uint32_t row, col; /* the current row; the last cell's column */
	/* the current cell */
	char type[12];
	unsigned style;
	uint32_t crow, ccol;
	int in_c, in_v, in_is, in_t, in_rph;
	strbuf text;
	int error;
} ws_state;

static void ws_fail(ws_state *s, const char *what)
{
	if (!s->error)
		crmf_error_set("%s: damaged workbook: sheet '%s': %s", s->x->wb->path,
			       s->b->sheet->name, crmf_tr(what));
	s->error = 1;
}

static void ws_start(void *data, const char *name, const char **atts)
{
	ws_state *s = data;
	const char *l = local(name);

	if (s->error)
		return;
	if (strcmp(l, "row") == 0) {
		const char *r = attr(atts, "r");
		unsigned long v = r ? strtoul(r, NULL, 10) : s->row + 1;

		if (v < 1 || v > SHEET_MAX_ROW)
			{
				ws_fail(s, "a row beyond Excel's 1,048,576");
				return;
			}
		s->row = (uint32_t)v;
		s->col = 0;
	} else if (strcmp(l, "c") == 0) {
		const char *r = attr(atts, "r"), *t = attr(atts, "t"), *st = attr(atts, "s");

		s->in_c = 1;
		s->text.len = 0;
		if (r) {
			if (sheet_parse_ref(r, &s->crow, &s->ccol) < 0)
				{
				ws_fail(s, "a cell reference beyond Excel's limits");
				return;
			}
		} else {
			if (s->row == 0)
				s->row = 1;
			s->crow = s->row;
			s->ccol = s->col + 1;
			if (s->ccol > SHEET_MAX_COL)
				{
				ws_fail(s, "a column beyond Excel's 16,384");
				return;
			}
		}
		s->col = s->ccol;
		snprintf(s->type, sizeof(s->type), "%s", t ? t : "n");
		s->style = st ? (unsigned)strtoul(st, NULL, 10) : 0;
	} else if (s->in_c && strcmp(l, "v") == 0) {
		s->in_v = 1;
	} else if (s->in_c && strcmp(l, "is") == 0) {
		s->in_is = 1;
	} else if (s->in_is && strcmp(l, "rPh") == 0) {
		s->in_rph++;
	} else if (s->in_is && strcmp(l, "t") == 0) {
		s->in_t++;
	} else if (strcmp(l, "mergeCell") == 0) {
		const char *ref = attr(atts, "ref");
		char a[32], *colon;
		crmf_sheet_range rg;

		if (!ref || strlen(ref) >= sizeof(a))
			return;
		strcpy(a, ref);
		colon = strchr(a, ':');
		if (!colon)
			return;
		*colon = '\0';
		if (sheet_parse_ref(a, &rg.row1, &rg.col1) == 0 &&
		    sheet_parse_ref(colon + 1, &rg.row2, &rg.col2) == 0 && rg.row1 <= rg.row2 &&
		    rg.col1 <= rg.col2)
			sheet_merge(s->b, rg);
	}
}

static void ws_cell(ws_state *s)
{
	const char *t = s->text.buf ? s->text.buf : "";
	size_t len = s->text.len;
	xlsx *x = s->x;

	if (strcmp(s->type, "s") == 0) {
		char *end;
		unsigned long i = strtoul(t, &end, 10);

		if (len == 0)
			return;
		if (end == t || i >= x->n_sst)
			{
				ws_fail(s, "a shared string that does not exist");
				return;
			}
		sheet_text(s->b, s->crow, s->ccol, x->sst[i], x->sst_len[i]);
	} else if (strcmp(s->type, "inlineStr") == 0 || strcmp(s->type, "str") == 0 ||
		   strcmp(s->type, "e") == 0) {
		sheet_text(s->b, s->crow, s->ccol, t, len);
	} else if (strcmp(s->type, "b") == 0) {
		if (len)
			sheet_text(s->b, s->crow, s->ccol, t[0] == '1' ? "TRUE" : "FALSE",
				   t[0] == '1' ? 4 : 5);
	} else if (strcmp(s->type, "d") == 0) {
		crmf_day day;
		int minute = -1;

		/* ISO 8601: 2024-03-01 or 2024-03-01T10:30:00 */
		if (len >= 10 && crmf_date_parse(&day, t, 10) == 0) {
			if (len >= 16 && (t[10] == 'T' || t[10] == ' ') && t[13] == ':')
				minute = (t[11] - '0') * 600 + (t[12] - '0') * 60 +
					 (t[14] - '0') * 10 + (t[15] - '0');
			if (minute < 0 || minute >= 1440)
				minute = -1;
			sheet_date(s->b, s->crow, s->ccol, day, minute, 0);
		} else {
			sheet_text(s->b, s->crow, s->ccol, t, len);
		}
	} else if (len) {
		char *end;
		double v = strtod(t, &end);
		unsigned char kind = s->style < x->n_xf ? x->xf[s->style] : 0;

		if (end == t || *end)
			sheet_text(s->b, s->crow, s->ccol, t, len);
		else
			sheet_number(s->b, s->crow, s->ccol, v, kind != 0, kind == 2, x->date1904);
	}
}

static void ws_end(void *data, const char *name)
{
	ws_state *s = data;
	const char *l = local(name);

	if (s->error)
		return;
	if (strcmp(l, "c") == 0 && s->in_c) {
		ws_cell(s);
		s->in_c = s->in_v = s->in_is = s->in_t = s->in_rph = 0;
	} else if (strcmp(l, "v") == 0) {
		s->in_v = 0;
	} else if (strcmp(l, "is") == 0) {
		s->in_is = 0;
	} else if (strcmp(l, "rPh") == 0 && s->in_rph) {
		s->in_rph--;
	} else if (strcmp(l, "t") == 0 && s->in_t) {
		s->in_t--;
	}
}

static void ws_text(void *data, const char *t, int len)
{
	ws_state *s = data;

	if (s->in_c && (s->in_v || (s->in_is && s->in_t && !s->in_rph)))
		sb_add(&s->text, t, (size_t)len);
}

/* ---- the workbook ---- */

static void xlsx_release(xlsx *x)
{
	for (size_t i = 0; i < x->n_sheets; i++) {
		free(x->sheets[i].name);
		free(x->sheets[i].rid);
		free(x->sheets[i].target);
	}
	free(x->sheets);
	free(x->sst);
	free(x->sst_len);
	free(x->xf);
	free(x->fmts);
	free(x->sst_part);
	free(x->styles_part);
	if (x->zip)
		zip_discard(x->zip);
}

static int open_zip(xlsx *x, const char *buf, size_t len)
{
	zip_error_t ze;
	zip_source_t *src;

	zip_error_init(&ze);
	src = zip_source_buffer_create(buf, len, 0, &ze);
	if (!src) {
		zip_error_fini(&ze);
		return crmf_error_set("%s: cannot read the workbook: out of memory", x->wb->path);
	}
	x->zip = zip_open_from_source(src, ZIP_RDONLY, &ze);
	if (!x->zip) {
		int code = zip_error_code_zip(&ze);

		zip_source_free(src);
		zip_error_fini(&ze);
		if (code == ZIP_ER_NOZIP || code == ZIP_ER_INCONS || code == ZIP_ER_EOF)
			return crmf_error_set("%s: truncated or damaged workbook (its zip directory "
					      "is missing or inconsistent); save it again",
					      x->wb->path);
		if (code == ZIP_ER_ENCRNOTSUPP || code == ZIP_ER_NOPASSWD)
			return crmf_error_set("%s: the workbook is protected by a password; save a "
					      "copy without one",
					      x->wb->path);
		zip_error_init_with_code(&ze, code);
		crmf_error_set("%s: damaged workbook: %s", x->wb->path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	zip_error_fini(&ze);
	return 0;
}

/* Read the small part `name` whole (at most 4 KiB) into buf; -1 when absent. */
static int small_part(xlsx *x, const char *name, char *buf, size_t size)
{
	zip_file_t *f = zip_fopen(x->zip, name, ZIP_FL_NOCASE);
	zip_int64_t r;

	if (!f)
		return -1;
	r = zip_fread(f, buf, size - 1);
	zip_fclose(f);
	buf[r > 0 ? r : 0] = '\0';
	return 0;
}

static int read_sheets(xlsx *x)
{
	crmf_workbook *wb = x->wb;
	rels r = {0};
	char *book, *book_dir, *book_rels, *slash, mime[128];
	XML_Parser p;
	int rc;

	if (small_part(x, "mimetype", mime, sizeof(mime)) == 0 && strstr(mime, "opendocument"))
		return crmf_error_set("%s: an OpenDocument spreadsheet (LibreOffice, WPS .ods), not "
				      "an Excel workbook; save it as .xlsx",
				      wb->path);
	/* the package's relationships name the main part */
	r.want_type = "/officeDocument";
	p = new_parser(&r, rels_start, no_end, NULL);
	rc = parse_part(x, "_rels/.rels", p);
	XML_ParserFree(p);
	if (rc < 0) {
		free(r.found);
		return -1;
	}
	book = r.found ? resolve("", r.found) : xstrdup("xl/workbook.xml");
	free(r.found);
	if (zip_name_locate(x->zip, book, ZIP_FL_NOCASE) < 0 ||
	    (strlen(book) > 4 && strcmp(book + strlen(book) - 4, ".bin") == 0)) {
		bool xlsb = zip_name_locate(x->zip, "xl/workbook.bin", ZIP_FL_NOCASE) >= 0;

		free(book);
		if (xlsb)
			return crmf_error_set("%s: a binary workbook (.xlsb); save it as .xlsx",
					      wb->path);
		return crmf_error_set("%s: a zip archive, but not an Excel workbook (no "
				      "xl/workbook.xml in it)",
				      wb->path);
	}
	p = new_parser(x, book_start, no_end, NULL);
	rc = parse_part(x, book, p);
	XML_ParserFree(p);
	if (rc < 0) {
		free(book);
		return -1;
	}
	/* the workbook's relationships: sheets, shared strings, styles */
	slash = strrchr(book, '/');
	book_dir = xstrndup(book, slash ? (size_t)(slash - book + 1) : 0);
	book_rels = xasprintf("%s_rels/%s.rels", book_dir, slash ? slash + 1 : book);
	memset(&r, 0, sizeof(r));
	r.x = x;
	r.workbook = true;
	p = new_parser(&r, rels_start, no_end, NULL);
	rc = parse_part(x, book_rels, p);
	XML_ParserFree(p);
	free(book_rels);
	free(book);
	if (rc < 0)
		goto done;

	{
		char *sst = resolve(book_dir, x->sst_part ? x->sst_part : "sharedStrings.xml");
		sst_state ss = {x, STRBUF_INIT, 0, 0, 0};

		p = new_parser(&ss, sst_start, sst_end, sst_text);
		rc = parse_part(x, sst, p);
		XML_ParserFree(p);
		sb_release(&ss.text);
		free(sst);
		if (rc < 0)
			goto done;
	}
	{
		char *styles = resolve(book_dir, x->styles_part ? x->styles_part : "styles.xml");
		style_state st = {x, 0};

		p = new_parser(&st, style_start, style_end, NULL);
		rc = parse_part(x, styles, p);
		XML_ParserFree(p);
		free(styles);
		if (rc < 0)
			goto done;
	}
	rc = 0;
	for (size_t i = 0; i < x->n_sheets && rc == 0; i++) {
		char *part;
		sheet_build b;
		ws_state ws;

		if (!x->sheets[i].target)
			continue; /* a chart sheet or a dangling entry: no cells */
		part = resolve(book_dir, x->sheets[i].target);
		sheet_begin(&b, wb, x->sheets[i].name, strlen(x->sheets[i].name));
		memset(&ws, 0, sizeof(ws));
		ws.x = x;
		ws.b = &b;
		p = new_parser(&ws, ws_start, ws_end, ws_text);
		rc = parse_part(x, part, p);
		XML_ParserFree(p);
		sb_release(&ws.text);
		if (rc == 1) {
			crmf_error_set("%s: damaged workbook: sheet '%s' is missing (%s)", wb->path,
				       x->sheets[i].name, part);
			rc = -1;
		} else if (ws.error) {
			rc = -1;
		}
		free(part);
		if (rc < 0)
			sheet_abandon(&b);
		else
			rc = sheet_finish(&b);
	}
done:
	free(book_dir);
	return rc < 0 ? -1 : 0;
}

int sheet_read_xlsx(crmf_workbook *wb, const char *buf, size_t len)
{
	xlsx x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.wb = wb;
	if (open_zip(&x, buf, len) < 0)
		return -1;
	rc = read_sheets(&x);
	xlsx_release(&x);
	return rc;
}
