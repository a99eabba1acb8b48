/* SPDX-License-Identifier: MIT */
/* A change of `crmf new`: the next id of id_format, the template filled in, the file created. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/assign.h"
#include "crmf/rows.h"
#include "crmf/scan.h"
#include "crmf/store.h"
#include "crmf/templates.h"
#include "change_private.h"
#include "cross.h"
#include "scan_private.h"
#include "util.h"

/* What crmf_change_new proposed, for crmf_change_new_commit. */
struct change_new {
	char *name, *proposed, *why;
	bool years;
};

void change_new_release(crmf_change_tx *tx)
{
	if (!tx->draft)
		return;
	free(tx->draft->name);
	free(tx->draft->proposed);
	free(tx->draft->why);
	free(tx->draft);
	tx->draft = NULL;
}

/* ---- ids ---- */

/* id_format rendered for a day: the text before and after {seq:N}. */
struct idfmt {
	char prefix[128], suffix[128];
	int width;
	bool has_seq;
};

static int render_format(struct idfmt *out, const char *fmt, crmf_day today)
{
	char *dst = out->prefix;
	size_t k = 0;
	int y, m, d;

	memset(out, 0, sizeof(*out));
	crmf_date_to_ymd(today, &y, &m, &d);
	for (const char *p = fmt; *p;) {
		char part[16] = "";
		int w;

		if (!strncmp(p, "{yyyy}", 6)) {
			snprintf(part, sizeof(part), "%04d", y);
			p += 6;
		} else if (!strncmp(p, "{yy}", 4)) {
			snprintf(part, sizeof(part), "%02d", y % 100);
			p += 4;
		} else if (!strncmp(p, "{mm}", 4)) {
			snprintf(part, sizeof(part), "%02d", m);
			p += 4;
		} else if (!strncmp(p, "{dd}", 4)) {
			snprintf(part, sizeof(part), "%02d", d);
			p += 4;
		} else if (!strncmp(p, "{seq", 4) && !out->has_seq) {
			const char *close = strchr(p, '}');

			w = 3;
			if (p[4] == ':' && p[5] >= '1' && p[5] <= '9' && p[6] == '}')
				w = p[5] - '0';
			else if (p[4] != '}')
				return -1;
			out->has_seq = true;
			out->width = w;
			dst[k] = '\0';
			dst = out->suffix;
			k = 0;
			p = close + 1;
			continue;
		} else {
			part[0] = *p++;
			part[1] = '\0';
		}
		if (k + strlen(part) >= sizeof(out->prefix))
			return -1;
		memcpy(dst + k, part, strlen(part));
		k += strlen(part);
	}
	dst[k] = '\0';
	return 0;
}

/* The number in `stem` when it is prefix + digits + suffix, else -1. */
static long long seq_of(const struct idfmt *f, const char *stem)
{
	size_t n = strlen(stem), p = strlen(f->prefix), s = strlen(f->suffix);
	long long v = 0;

	if (n <= p + s || strncmp(stem, f->prefix, p) || strcmp(stem + n - s, f->suffix))
		return -1;
	if (n - p - s > 15)
		return -1;
	for (size_t i = p; i < n - s; i++) {
		if (stem[i] < '0' || stem[i] > '9')
			return -1;
		v = v * 10 + (stem[i] - '0');
	}
	return v;
}

struct merged_top {
	const struct idfmt *f;
	long long top;
};

static bool merged_seq(void *ctx, const char *s, size_t len)
{
	struct merged_top *m = ctx;
	char id[64];
	long long v;

	if (len >= sizeof(id))
		return false;
	memcpy(id, s, len);
	id[len] = '\0';
	v = seq_of(m->f, id);
	if (v > m->top)
		m->top = v;
	return false;
}

/* The highest number of `f` among the ids that `crmf merge` recorded in a
 * customer's `merged:`: their files are gone, but `crmf show ID` still finds
 * the customer kept, so those ids are never given again. 0 when none (and
 * when the repository cannot be read: the commit says why). */
static long long merged_ids_top(crmf_change_tx *tx, const struct idfmt *f)
{
	/* a summary scan keeps `merged:` among the top-level values, from the
	 * validation cache: no file is parsed that the cache knows (a full load
	 * parsed every file, 0.5 s at 10,000 customers) */
	crmf_scan_opts so = {.today = tx->today, .mode = CRMF_SCAN_SUMMARY, .values = true};
	struct merged_top m = {f, 0};
	crmf_repo *repo = NULL;
	crmf_diags d;

	crmf_diags_init(&d);
	if (crmf_repo_load(&repo, crmf_repository_root(tx->repo), &so, &d) == 0)
		for (size_t i = 0; i < repo->n; i++)
			crmf_summary_values(crmf_summary_of(repo->v[i]), "merged", 6, merged_seq,
					    &m);
	crmf_repo_free(repo);
	crmf_diags_release(&d);
	return m.top;
}

/* The next free id for `today`, malloc'ed; NULL with the reason reported. */
static char *next_id(crmf_change_tx *tx, const crmf_file *files, size_t n)
{
	return change_next_id(tx, files, n, 0);
}

char *change_next_id(crmf_change_tx *tx, const crmf_file *files, size_t n, long long skip)
{
	struct idfmt f;
	long long top = 0;

	if (render_format(&f, tx->cfg->id_format, tx->today) != 0) {
		change_error(tx,
			     "cannot make an id from id_format '%s'; run 'crmf check crmf.yaml'",
			     tx->cfg->id_format);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char *stem = crmf_change_path_id(files[i].relpath);
		long long v = f.has_seq ? seq_of(&f, stem) : -1;

		if (v > top)
			top = v;
		if (!f.has_seq && strcmp(stem, f.prefix) == 0) {
			change_error(
			    tx,
			    "the next id would be '%s', which %s has; id_format in crmf.yaml "
			    "needs a {seq:N}",
			    f.prefix, files[i].relpath);
			free(stem);
			return NULL;
		}
		free(stem);
	}
	if (!f.has_seq && skip > 0) {
		change_error(tx, "id_format '%s' gives one id a day; it needs a {seq:N} to give more",
			     tx->cfg->id_format);
		return NULL;
	}
	if (!f.has_seq)
		return xstrdup(f.prefix);
	{
		long long mt = merged_ids_top(tx, &f);

		if (mt > top)
			top = mt;
	}
	return xasprintf("%s%0*lld%s", f.prefix, f.width, top + 1 + skip, f.suffix);
}

char **change_next_ids(crmf_change_tx *tx, const crmf_file *files, size_t n, size_t count)
{
	char *first = count ? change_next_id(tx, files, n, count > 1 ? 1 : 0) : NULL;
	char **v;
	struct idfmt f;
	long long top;

	if (!first)
		return NULL;
	/* change_next_id found top + 2 (or refused a format without {seq}) */
	render_format(&f, tx->cfg->id_format, tx->today);
	v = xcalloc(count, sizeof(*v));
	if (count == 1) {
		v[0] = first;
		return v;
	}
	top = seq_of(&f, first) - 2;
	free(first);
	for (size_t i = 0; i < count; i++)
		v[i] = xasprintf("%s%0*lld%s", f.prefix, f.width, top + 1 + (long long)i, f.suffix);
	return v;
}

/* Whether most files under customers/ sit in year folders (customers/2024/x.yaml). */
bool change_year_folders(const crmf_file *files, size_t n)
{
	size_t flat = 0, years = 0;

	for (size_t i = 0; i < n; i++) {
		const char *p = files[i].relpath, *rest;

		if (files[i].archived || strncmp(p, "customers/", 10) != 0)
			continue;
		p += 10;
		rest = strchr(p, '/');
		if (!rest)
			flat++;
		else if (rest - p == 4 && strspn(p, "0123456789") == 4 && !strchr(rest + 1, '/'))
			years++;
	}
	return years > flat;
}

char *change_path_for(const char *id, bool years, crmf_day today)
{
	char *rel;
	int y, m, d;

	crmf_date_to_ymd(today, &y, &m, &d);
	if (years) {
		rel = xasprintf("customers/%04d/%s.yaml", y, id);
	} else {
		rel = xasprintf("customers/%s.yaml", id);
	}
	return rel;
}

/* `v` written where a {{placeholder}} stood, inside `quote` ('"', '\'' or 0);
 * `raw` for the date, which stays a plain date. Returns the columns it takes. */
static int put_value(FILE *m, const char *v, char quote, bool raw)
{
	char *s;
	int w;

	if (!*v)
		return 0;
	if (quote == '\'') {
		w = crmf_text_width(v);
		for (; *v; v++) {
			fputs(*v == '\'' ? "''" : (char[]){*v, 0}, m);
			w += *v == '\'';
		}
		return w;
	}
	if (raw && !quote) {
		fputs(v, m);
		return (int)strlen(v);
	}
	s = quote == '"' ? crmf_edit_quote(v) : crmf_edit_scalar(v);
	if (!s)
		return 0;
	if (quote == '"') {
		s[strlen(s) - 1] = '\0';
		fputs(s + 1, m);
	} else {
		fputs(s, m);
	}
	w = crmf_text_width(quote == '"' ? s + 1 : s);
	free(s);
	return w;
}

/* Where the comment of a line starts (`#` after a space or at the start,
 * outside quotes), or `end`. */
static const char *comment_start(const char *p, const char *end)
{
	char q = 0;

	for (const char *s = p; s < end; s++) {
		if (q) {
			if (*s == q)
				q = 0;
		} else if (*s == '"' || *s == '\'') {
			if (s == p || s[-1] == ' ' || s[-1] == ':' || s[-1] == '-' ||
			    s[-1] == '[' || s[-1] == ',' || s[-1] == '{')
				q = *s;
		} else if (*s == '#' && (s == p || s[-1] == ' ' || s[-1] == '\t')) {
			return s;
		}
	}
	return end;
}

/* Write `val` for the placeholder `name` at `p`; returns how many bytes of the
 * template that consumed. A comment after the value (`cs`, before the line's
 * end `le`) stays in its column. */
static size_t fill_one(FILE *m, const char *p, const char *tpl, const char *cs, const char *le,
		       const char *name, const char *val, bool raw)
{
	size_t n = strlen(name), spaces;
	char before = p > tpl ? p[-1] : 0, quote = 0;
	const char *q;
	int w;

	if (before == p[n] && (before == '"' || before == '\''))
		quote = before;
	w = put_value(m, val, quote, raw);
	q = p + n;
	if (quote)
		fputc(*q++, m);
	spaces = strspn(q, " ");
	if (spaces && q + spaces == cs && cs < le) {
		for (int i = (int)spaces + (int)n - w; i > 1; i--)
			fputc(' ', m);
		fputc(' ', m);
		q = cs;
	}
	return (size_t)(q - p);
}

/* The template with its placeholders filled, outside comments only (the
 * template's comments explain the placeholders). Malloc'ed. */
static char *fill(size_t *len, const char *tpl, size_t tlen, const char *const vals[4])
{
	static const char *const names[4] = {"{{id}}", "{{name}}", "{{created}}", "{{owner}}"};
	const char *p = tpl, *end = tpl + tlen;
	char *out = NULL;
	FILE *m = open_memstream(&out, len);

	if (!m)
		abort(); /* out of memory, as x* functions do */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl + 1 : end, *cs = comment_start(p, nl ? nl : end);

		while (p < cs) {
			size_t k;

			for (k = 0; k < 4; k++)
				if ((size_t)(cs - p) >= strlen(names[k]) &&
				    !strncmp(p, names[k], strlen(names[k])))
					break;
			if (k == 4) {
				fputc(*p++, m);
				continue;
			}
			p += fill_one(m, p, tpl, cs, nl ? nl : end, names[k], vals[k], k == 2);
		}
		fwrite(p, 1, (size_t)(eol - p), m);
		p = eol;
	}
	fclose(m);
	return out;
}

/* The id written in `len` bytes of `buf`, malloc'ed, or NULL. */
static char *id_in(const char *buf, size_t len)
{
	crmf_doc *doc = NULL;
	crmf_diags d;
	const crmf_node *n;
	char *id = NULL;

	crmf_diags_init(&d);
	crmf_doc_parse(&doc, "", buf, len, &d);
	n = doc ? crmf_node_get(doc->root, "id") : NULL;
	if (n && n->type == CRMF_NODE_SCALAR)
		id = xstrdup(n->value);
	crmf_doc_free(doc);
	crmf_diags_release(&d);
	return id;
}

/* ---- the template ---- */

static int load_template(crmf_change_tx *tx, char **out, size_t *len)
{
	char *path = change_fspath(tx, "templates/customer.yaml");
	int rc = 0;

	if (access(path, F_OK) == 0) {
		rc = crmf_doc_read(out, len, path);
		if (rc != 0)
			change_error(tx, "cannot read templates/customer.yaml: %s",
				     strerror(errno));
	} else {
		*out = xmalloc(crmf_tpl_customer_yaml_len + 1);
		memcpy(*out, crmf_tpl_customer_yaml, crmf_tpl_customer_yaml_len);
		(*out)[crmf_tpl_customer_yaml_len] = '\0';
		*len = crmf_tpl_customer_yaml_len;
	}
	free(path);
	return rc;
}

/* Apply the KEY=VALUE pairs (and a new id) to `len` bytes of `buf` as the file `rel`; the
 * result replaces *buf. -1 with the reason reported. */
static int apply(crmf_change_tx *tx, char **buf, size_t *len, const char *rel, const crmf_assign *v,
		 size_t n, const char *id)
{
	crmf_doc *doc = NULL, *nd = NULL;
	crmf_edit *e = NULL;
	crmf_diags d;
	int rc = -1;

	crmf_diags_init(&d);
	crmf_doc_parse(&doc, rel, *buf, *len, &d);
	if (!doc || !doc->root) {
		change_diags(tx, &d, false);
		change_error(tx, "the template does not parse once filled in; fix "
				 "templates/customer.yaml");
		goto done;
	}
	if (crmf_edit_new(&e, doc) != 0)
		goto fail;
	if (id && crmf_edit_set(e, "id", id, CRMF_EDIT_TEXT) != 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < i; k++)
			if (!strcmp(v[k].key, v[i].key)) {
				change_error(tx, "'%s' is given twice", v[i].key);
				goto done;
			}
		if (!strcmp(v[i].key, "id")) {
			change_error(
			    tx, "the id comes from id_format in crmf.yaml; it cannot be given");
			goto done;
		}
		const char *val = crmf_config_input(tx->cfg, v[i].key, v[i].value);

		if (crmf_edit_set(e, v[i].key, val, change_value_flags(tx->cfg, v[i].key, val)) !=
		    0) {
			change_error(tx, "cannot set '%s': %s", v[i].key, crmf_error_last());
			goto done;
		}
	}
	if (crmf_edit_count(e) == 0) {
		rc = 0;
		goto done;
	}
	if (crmf_edit_finish(&nd, e, NULL) != 0)
		goto fail;
	free(*buf);
	*buf = xmalloc(nd->len + 1);
	memcpy(*buf, nd->src, nd->len + 1);
	*len = nd->len;
	rc = 0;
	goto done;
fail:
	change_error(tx, "%s", crmf_error_last());
done:
	crmf_doc_free(nd);
	crmf_edit_free(e);
	crmf_doc_free(doc);
	crmf_diags_release(&d);
	return rc;
}

/* ---- the owner by crmf.yaml's assignment rules ---- */

/* The owner the rules give the draft (*buf, *len), set in it and said with
 * why; when no rule gives one, the owner stays as it is and a note says so.
 * -1 reported. */
static int owner_by_rules(crmf_change_tx *tx, char **buf, size_t *len, const char *fallback)
{
	crmf_scan_opts so = {.today = tx->today, .mode = CRMF_SCAN_SUMMARY};
	crmf_doc *doc = NULL;
	crmf_customer *c = NULL;
	crmf_repo *repo = NULL;
	crmf_loads loads = {0};
	crmf_assignment a;
	crmf_diags d;
	int rc = 0;

	crmf_diags_init(&d);
	crmf_doc_parse(&doc, tx->rel, *buf, *len, &d);
	if (doc && doc->root)
		crmf_check_customer(&c, doc, tx->rel, tx->cfg, tx->today, &d);
	else
		crmf_doc_free(doc); /* crmf_change_check says why */
	if (!c)
		goto done;
	if (crmf_repo_load(&repo, crmf_repository_root(tx->repo), &so, &d) != 0) {
		change_error(tx, "%s", crmf_error_last());
		rc = -1;
		goto done;
	}
	crmf_loads_init(&loads, tx->cfg);
	for (size_t i = 0; i < repo->n; i++)
		crmf_loads_add(&loads, repo->v[i]);
	if (!crmf_assign_choose(&a, tx->cfg, &loads, c, tx->today)) {
		change_note(tx, "note: %s; owner: %s", a.why,
			    fallback && *fallback ? fallback : crmf_tr("none (give --owner NAME)"));
		goto done;
	}
	rc = apply(tx, buf, len, tx->rel, &(crmf_assign){.key = "owner", .value = a.owner}, 1,
		   NULL);
	if (rc == 0) {
		change_said(tx, "owner: %s (%s)", a.owner, a.why);
		free(tx->draft->why);
		tx->draft->why = NULL;
	}
done:
	crmf_loads_release(&loads);
	crmf_repo_free(repo);
	crmf_customer_free(c);
	crmf_diags_release(&d);
	return rc;
}

/* ---- the change ---- */

int crmf_change_new(crmf_change_tx *tx, const char *name, const crmf_assign *v, size_t n,
		    const char *owner_arg, char **out, size_t *out_len)
{
	crmf_file *files = NULL;
	size_t nfiles = 0, len = 0;
	char *tpl = NULL, *buf = NULL, *owner = NULL;
	char created[11];
	int rc = CRMF_CHANGE_REFUSED;

	*out = NULL;
	*out_len = 0;
	change_new_release(tx);
	tx->draft = xcalloc(1, sizeof(*tx->draft));
	tx->draft->name = xstrdup(name);
	crmf_date_format(tx->today, created);
	for (size_t i = 0; !owner_arg && i < n; i++)
		if (strcmp(v[i].key, "owner") == 0)
			owner_arg = v[i].value; /* owner=NAME means --owner NAME */
	if (owner_arg) {
		const crmf_member *m = crmf_config_member(tx->cfg, owner_arg);
		const crmf_member *gone = crmf_config_departed(tx->cfg, owner_arg, tx->today);

		if (gone) {
			crmf_date_format(gone->left, created);
			change_error(tx,
				     "%s cannot be the owner: they left the team on %s; choose a "
				     "current member",
				     gone->id, created);
			goto done;
		}

		owner = xstrdup(m ? m->id : owner_arg);
	} else {
		crmf_change_me(&owner, &tx->draft->why, tx);
	}
	if (load_template(tx, &tpl, &len) != 0)
		goto done;
	/* a first id, to show in the editor; the final one is taken under the lock */
	if (crmf_store_list(&files, &nfiles, crmf_repository_root(tx->repo)) != 0) {
		change_error(tx, "%s", crmf_error_last());
		goto done;
	}
	tx->draft->proposed = next_id(tx, files, nfiles);
	if (!tx->draft->proposed)
		goto done;
	tx->draft->years = change_year_folders(files, nfiles);
	free(tx->rel);
	free(tx->id);
	tx->id = xstrdup(tx->draft->proposed);
	tx->rel = change_path_for(tx->id, tx->draft->years, tx->today);
	buf =
	    fill(&len, tpl, len, (const char *const[4]){tx->id, name, created, owner ? owner : ""});
	if (apply(tx, &buf, &len, tx->rel, v, n, NULL) != 0)
		goto done;
	if (!owner_arg && tx->cfg->n_assign && owner_by_rules(tx, &buf, &len, owner) != 0)
		goto done;
	*out = buf;
	*out_len = len;
	buf = NULL;
	rc = 0;
done:
	crmf_store_list_free(files, nfiles);
	free(buf);
	free(tpl);
	free(owner);
	return rc;
}

const char *crmf_change_new_owner_why(const crmf_change_tx *tx)
{
	return tx->draft ? tx->draft->why : NULL;
}

/* ---- probable duplicates ---- */

static bool same_key(crmf_cross_key a, crmf_cross_key b)
{
	return (a.h || a.tag) && a.h == b.h && a.tag == b.tag;
}

/* One finding: a warning, or under strict a reason to refuse. */
static void dup_found(crmf_change_tx *tx, int *n, const char *what, const char *value,
		      const char *id, const char *path)
{
	(*n)++;
	change_error(tx, "%s%s '%s' is the same as that of customer '%s' (%s); %s",
		     tx->strict ? "" : crmf_tr("warning: "), crmf_tr(what), value, id, path,
		     tx->strict ? crmf_tr("merge them, or drop --strict if they are two customers")
				: crmf_tr("check that they are not one company"));
}

struct dups {
	crmf_change_tx *tx;
	const crmf_customer *nc;
	crmf_cross_key name; /* the new customer's, crmf_cross_company_key */
	uint32_t place;
	crmf_cross_key *phone; /* of each of its contacts (none: zero) */
	int found;
};

/* A customer of the repository, as the cross-file checks see it (its record,
 * from the validation cache when it knows the file): reported when the new
 * one shares its company name, else a phone, else an email. */
static void dup_of(void *ctx, const char *path, const struct view *v)
{
	struct dups *x = ctx;
	const crmf_customer *nc = x->nc;
	const char *id = v->id ? v->id : path;
	struct dec d;

	if (!(v->flags & R_CUSTOMER))
		return;
	if (nc->name && v->name && same_key(x->name, v->name_key) &&
	    !crmf_cross_places_differ(x->place, v->name_place)) {
		dup_found(x->tx, &x->found, N_("company name"), nc->name, id, path);
		return;
	}
	d = (struct dec){v->phones, v->end, false};
	for (uint16_t k = 0; k < v->n_phones; k++) {
		struct phone ph = get_phone(&d);

		for (size_t j = 0; j < nc->n_contacts; j++)
			if (same_key(x->phone[j], ph.key)) {
				dup_found(x->tx, &x->found, "phone", nc->contacts[j].phone, id,
					  path);
				return;
			}
	}
	d = (struct dec){v->emails, v->end, false};
	for (uint16_t k = 0; k < v->n_emails; k++) {
		struct email em = get_email(&d);

		for (size_t j = 0; em.raw && j < nc->n_contacts; j++)
			if (nc->contacts[j].email &&
			    strcasecmp(nc->contacts[j].email, em.raw) == 0) {
				dup_found(x->tx, &x->found, "email", nc->contacts[j].email, id,
					  path);
				return;
			}
	}
}

/* The customers the new one `nc` probably duplicates (same normalised company
 * name, phone or email), reported; their number. Read from the records the
 * cross-file checks use, so a file the validation cache knows is not parsed
 * (a full load parsed every file: 0.5 s at 10,000 customers). */
static int new_duplicates(crmf_change_tx *tx, const crmf_customer *nc)
{
	crmf_scan_opts so = {.today = tx->today, .mode = CRMF_SCAN_NONE};
	struct dups x = {tx, nc, {0, 0}, 0, NULL, 0};
	crmf_repo *repo = NULL;
	crmf_diags d;

	if (nc->name)
		x.name = crmf_cross_company_key(nc->name, &x.place);
	/* each key made once, not once per customer of the repository */
	x.phone = xcalloc(nc->n_contacts + 1, sizeof(*x.phone));
	for (size_t j = 0; j < nc->n_contacts; j++)
		if (nc->contacts[j].phone)
			x.phone[j] = crmf_cross_phone_key(nc->contacts[j].phone);
	crmf_diags_init(&d);
	/* a repository that cannot be read: the commit will say what is wrong */
	if (crmf_repo_open(&repo, crmf_repository_root(tx->repo)) == 0)
		(void)crmf_repo_scan_each(repo, &so, &d, dup_of, &x);
	crmf_repo_free(repo);
	crmf_diags_release(&d);
	free(x.phone);
	return x.found;
}

void crmf_change_strict(crmf_change_tx *tx, bool strict)
{
	tx->strict = strict;
}

int crmf_change_new_commit(crmf_change_tx *tx, const char *buf, size_t len)
{
	const char *root = crmf_repository_root(tx->repo);
	crmf_file *files = NULL;
	size_t nfiles = 0;
	char *final_id = NULL, *written = NULL, *fspath = NULL, *subject = NULL;
	crmf_customer *nc = NULL;
	struct stat st;
	int rc = CRMF_CHANGE_REFUSED;

	if (!tx->draft || crmf_change_lock(tx) != 0)
		goto done;
	/* under the lock: the id nobody has taken in the meantime */
	if (crmf_store_list(&files, &nfiles, root) != 0) {
		change_error(tx, "%s", crmf_error_last());
		goto done;
	}
	final_id = id_in(buf, len);
	if (final_id && !strcmp(final_id, tx->draft->proposed)) {
		/* the id we proposed: renumber when another crmf took it meanwhile */
		free(final_id);
		final_id = next_id(tx, files, nfiles);
		if (!final_id)
			goto done;
	}
	if (!final_id) {
		change_error(tx, "the file has no id");
		goto done;
	}
	free(tx->rel);
	free(tx->id);
	tx->id = xstrdup(final_id);
	tx->rel = change_path_for(final_id, tx->draft->years, tx->today);
	written = xmalloc(len + 1);
	memcpy(written, buf, len);
	written[len] = '\0';
	if (strcmp(final_id, tx->draft->proposed) != 0 &&
	    apply(tx, &written, &len, tx->rel, NULL, 0, final_id) != 0)
		goto done;
	{
		/* confidential values typed in the editor, encrypted */
		char *sealed = NULL;
		size_t n = 0;

		if (change_seal(tx, &sealed, &n, tx->rel, written, len, NULL) != 0) {
			change_error(tx, "nothing written");
			goto done;
		}
		if (sealed) {
			free(written);
			written = sealed;
			len = n;
		}
	}
	if (change_validate(tx, &nc, written, len) != 0) {
		change_error(tx, "nothing written");
		goto done;
	}
	if (new_duplicates(tx, nc) > 0 && tx->strict) {
		change_error(tx, "nothing written (--strict)");
		goto done;
	}
	fspath = change_fspath(tx, tx->rel);
	if (crmf_store_check_path(root, tx->rel) != 0) {
		change_error(tx, "%s; nothing written", crmf_error_last());
		goto done;
	}
	if (lstat(fspath, &st) == 0) {
		change_error(tx, "%s exists already; nothing written", tx->rel);
		goto done;
	}
	if (change_make_dirs(tx, tx->rel) != 0)
		goto done;
	subject = xasprintf("crmf: new %s: %s", final_id, tx->draft->name);
	change_said(tx, "%s: created %s", final_id, tx->rel);
	rc = change_save_commit(
	    tx, tx->rel, written, len,
	    &(crmf_commit_opts){.subject = subject, .action = "new", .customer = final_id});
done:
	free(subject);
	free(fspath);
	free(written);
	free(final_id);
	crmf_customer_free(nc);
	crmf_store_list_free(files, nfiles);
	return rc;
}
