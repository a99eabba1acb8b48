/* SPDX-License-Identifier: MIT */
/* Customer files checked against the schema into typed records and diagnostics. */
#include "crmf/check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_private.h"
#include "crmf/fields.h"
#include "util.h"
#include "values.h"

/* the closed sets of the field table */
#define stage_names crmf_stage_values
#define potential_names crmf_potential_values
#define grade_names crmf_grade_values
#define method_names crmf_method_values

/* A small open-addressing set of strings, for linear duplicate detection. */
struct hslot {
	const char *key; /* NULL: empty */
	size_t len;
	unsigned long long hash;
	size_t who;
	const void *data;
};

struct htab {
	struct hslot *v;
	size_t mask;
};

static void htab_init(struct htab *t, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	t->v = xcalloc(cap, sizeof(*t->v));
	t->mask = cap - 1;
}

/* The slot already holding `key`, or NULL after inserting it with who/data.
 * The table must have been sized for every key put. */
static const struct hslot *htab_put(struct htab *t, const char *key, size_t len, size_t who,
				    const void *data)
{
	unsigned long long h = hash_bytes(key, len);
	size_t i = (size_t)h & t->mask;

	for (;; i = (i + 1) & t->mask) {
		struct hslot *s = &t->v[i];

		if (!s->key) {
			s->key = key;
			s->len = len;
			s->hash = h;
			s->who = who;
			s->data = data;
			return NULL;
		}
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
			return s;
	}
}

/* The checks of one file */

static const char *base_name(const char *path, size_t *len)
{
	const char *b = strrchr(path, '/');
	size_t pl;

	b = b ? b + 1 : path;
	*len = strlen(b);
	if (has_suffix(b, *len, ".yaml", &pl) || has_suffix(b, *len, ".yml", &pl))
		*len -= pl;
	return b;
}

static bool id_syntax(const char *s, size_t len)
{
	if (len < 1 || len > 64 || !ascii_alnum((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!ascii_alnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

static void check_id(struct ck *k, const crmf_pair *p)
{
	const crmf_customer *c = k->c;
	const char *base = "";
	size_t blen = 0;
	const crmf_node *v;
	struct shown sv;

	if (c->path)
		base = base_name(c->path, &blen);
	if (blen && id_syntax(base, blen))
		v = ck_req_scalar(k, p, k->root_line, k->root_col, "missing required field 'id'; add 'id: %.*s'", (int)blen, base);
	else
		v = ck_req_scalar(k, p, k->root_line, k->root_col,
				  "missing required field 'id'; add 'id: <the file name without .yaml>'");
	if (!v)
		return;
	ck_show(&sv, v->value, v->len);
	if (!id_syntax(v->value, v->len)) {
		ck_err_at(k, v, "invalid-id",
			  "invalid id '%s'; use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
			  sv.s);
		return;
	}
	k->c->id = v->value;
	if (c->path && (blen != v->len || memcmp(base, v->value, blen) != 0))
		ck_err_at(k, v, "id-filename",
			  "id '%s' does not match the file name '%.*s'; rename the file to %s.yaml or change the id",
			  sv.s, (int)blen, base, sv.s);
}

static void check_industry(struct ck *k, const crmf_node *v)
{
	const crmf_config *cfg = k->cfg;
	const char *slash = strchr(v->value, '/');
	struct shown sv;

	ck_show(&sv, v->value, v->len);
	if (v->value[0] == '/' || (slash && (!slash[1] || strchr(slash + 1, '/')))) {
		ck_err_at(k, v, "invalid-industry",
			  "invalid industry '%s'; write 'sector' or 'sector/sub-sector'", sv.s);
		return;
	}
	if (cfg->has_industries) {
		const char *sug;
		char *all;

		for (size_t i = 0; i < cfg->industries.n; i++)
			if (strcmp(v->value, cfg->industries.v[i]) == 0)
				goto ok;
		sug = crmf_suggest(v->value, strlist(&cfg->industries), cfg->industries.n);
		if (sug) {
			ck_err_at(k, v, "invalid-industry", "unknown industry '%s'; did you mean '%s'?", sv.s,
				  sug);
		} else {
			all = ck_join(strlist(&cfg->industries), cfg->industries.n);
			ck_err_at(k, v, "invalid-industry",
				  "unknown industry '%s'; use one of %s, or add it to 'industries' in crmf.yaml",
				  sv.s, all);
			free(all);
		}
		return;
	}
ok:
	k->c->industry = v->value;
}

/* A value of an enum of crmf.yaml; an empty list there allows anything. */
static const char *config_enum(struct ck *k, const crmf_node *v, const char *what,
			       const crmf_strlist *l)
{
	if (!l->n || ck_enum(k, v, what, strlist(l), l->n) >= 0)
		return v->value;
	return NULL;
}

static void check_tags(struct ck *k, const crmf_pair *p)
{
	crmf_customer *c = k->c;
	bool wrong;
	const crmf_node *seq = ck_sequence(k, p, &wrong);
	struct htab seen = {0};

	if (!seq)
		return;
	if (seq->n > 16)
		htab_init(&seen, seq->n);
	for (size_t i = 0; i < seq->n; i++) {
		const crmf_node *t = seq->items[i];
		struct shown sv;
		bool dup = false;

		if (t->type != CRMF_NODE_SCALAR) {
			ck_err_at(k, t, "wrong-type", "a tag must be a single word, not a %s; write '- <tag>'",
				  ck_kind_name(t));
			continue;
		}
		if (is_blank(t)) {
			ck_err_at(k, t, "empty-value", "empty tag; remove it or write a word");
			continue;
		}
		if (seen.v) {
			dup = htab_put(&seen, t->value, t->len, i, t) != NULL;
		} else {
			for (size_t j = 0; j < c->n_tags && !dup; j++)
				dup = strcmp(c->tags[j], t->value) == 0;
		}
		if (dup) {
			ck_warn_at(k, t, "duplicate-tag", "duplicate tag '%s'; remove it",
				   ck_show(&sv, t->value, t->len));
			continue;
		}
		c->tags[c->n_tags++] = t->value;
	}
	free(seen.v);
}

static void check_contact(struct ck *k, const crmf_node *map, const crmf_node **primary)
{
	crmf_contact *ct = &k->c->contacts[k->c->n_contacts++];
	const crmf_pair *f[C_N];
	const crmf_node *v, *phone, *email;
	int line, col;

	memset(ct, 0, sizeof(*ct));
	ct->node = map;
	ct->left = CRMF_NO_DAY;
	ck_item_pos(k, map, &line, &col);
	ck_take_fields(k, map, R_CONTACT, f, "contact", line, col);
	if ((v = ck_req_scalar(k, f[C_NAME], line, col,
			       "contact lacks 'name'; add 'name: <the person's name>'")))
		ct->name = v->value;
	if ((v = opt_scalar(k, f[C_TITLE])))
		ct->title = v->value;
	if ((v = phone = opt_scalar(k, f[C_PHONE]))) {
		struct shown sv;
		int enc = k->cfg->has_confidential ? ck_confidential(k, v, "contacts.phone") : 0;

		if (enc)
			ct->phone = enc > 0 ? v->value : NULL;
		else if (crmf_phone_valid(v->value))
			ct->phone = v->value;
		else
			ck_err_at(k, v, "invalid-phone",
				  "invalid phone '%s'; write 7 to 20 digits, e.g. +86 138 0013 8000 or 0571-8888 8888 ext 12",
				  ck_show(&sv, v->value, v->len));
	}
	if ((v = email = opt_scalar(k, f[C_EMAIL]))) {
		struct shown sv;
		int enc = k->cfg->has_confidential ? ck_confidential(k, v, "contacts.email") : 0;

		if (enc)
			ct->email = enc > 0 ? v->value : NULL;
		else if (crmf_email_valid(v->value))
			ct->email = v->value;
		else
			ck_err_at(k, v, "invalid-email",
				  "invalid email '%s'; write it as name@example.com",
				  ck_show(&sv, v->value, v->len));
	}
	/* a phone or email present but invalid was reported already */
	if (!phone && !email && !(f[C_PHONE] && f[C_PHONE]->value->type != CRMF_NODE_SCALAR) &&
	    !(f[C_EMAIL] && f[C_EMAIL]->value->type != CRMF_NODE_SCALAR))
		ck_err_pos(k, line, col, "contact-reach",
			   "contact has neither 'phone' nor 'email'; add at least one");
	if ((v = opt_scalar(k, f[C_LEFT])))
		ct->left = ck_date(k, v);
	/* a contact who left is never the primary one, whatever the file says:
	 * the flag stays in the file, as the contact does, for the history */
	if ((v = opt_scalar(k, f[C_PRIMARY])) && ck_bool(k, v, "primary") == 1 &&
	    ct->left == CRMF_NO_DAY) {
		ct->primary = true;
		if (*primary)
			ck_err_at(k, v, "multiple-primary",
				  "more than one primary contact (the first is at line %d); keep 'primary: true' on one contact only",
				  (*primary)->line);
		else
			*primary = v;
	}
}

static void check_contacts(struct ck *k, const crmf_pair *p)
{
	bool wrong;
	const crmf_node *seq = ck_sequence(k, p, &wrong), *primary = NULL;

	if (wrong)
		return;
	if (!seq || seq->n == 0) {
		if (p)
			ck_err_at(k, p->key, "missing-field",
				  "'contacts' is empty; add at least one contact with name and phone or email");
		else
			ck_err_pos(k, k->root_line, k->root_col, "missing-field",
				   "missing required field 'contacts'; add at least one contact with name and phone or email");
		return;
	}
	for (size_t i = 0; i < seq->n; i++) {
		const crmf_node *it = seq->items[i];

		if (it->type != CRMF_NODE_MAPPING) {
			ck_err_at(k, it, "wrong-type",
				  "a contact must be a mapping, not a %s; write '- name: …' with phone or email below",
				  ck_kind_name(it));
			continue;
		}
		check_contact(k, it, &primary);
	}
}

static void check_need(struct ck *k, const crmf_pair *p)
{
	crmf_customer *c = k->c;
	const crmf_node *map = ck_mapping(k, p), *v;
	const crmf_pair *f[N_N];
	int line, col;

	if (!map) {
		if (p && p->value->type != CRMF_NODE_SCALAR)
			return; /* reported as a wrong type */
		if (p && !crmf_node_is_null(p->value))
			return;
		if (p)
			ck_err_at(k, p->key, "missing-field",
				  "'need' is empty; add 'type' and 'description' below it");
		else
			ck_err_pos(k, k->root_line, k->root_col, "missing-field",
				   "missing required field 'need'; add 'need:' with 'type' and 'description'");
		return;
	}
	/* the reader sees the `need:` key as the mapping lacking something */
	line = p->key->line;
	col = p->key->column;
	ck_take_fields(k, map, R_NEED, f, "need", line, col);
	if ((v = ck_req_scalar(k, f[N_TYPE], line, col,
			       "'need' lacks 'type'; add 'type: <what the customer needs>'")))
		c->need_type = v->value;
	if ((v = ck_req_scalar(k, f[N_DESCRIPTION], line, col,
			       "'need' lacks 'description'; add 'description: <the need in one sentence>'")))
		c->need_description = v->value;
	if ((v = opt_scalar(k, f[N_BUDGET])))
		c->need_budget = v->value;
	if ((v = opt_scalar(k, f[N_TIMELINE])))
		c->need_timeline = v->value;
}

static void check_deal(struct ck *k, const crmf_node *map)
{
	crmf_deal *d = &k->c->deals[k->c->n_deals++];
	const crmf_pair *f[D_N];
	const crmf_node *v, *signed_node = NULL;
	int line, col;

	memset(d, 0, sizeof(*d));
	d->node = map;
	d->signed_on = d->expires = CRMF_NO_DAY;
	ck_item_pos(k, map, &line, &col);
	ck_take_fields(k, map, R_DEAL, f, "deal", line, col);
	if ((v = ck_req_scalar(k, f[D_AMOUNT], line, col, "deal lacks 'amount'; add 'amount: <number>'"))) {
		double a;

		if (ck_amount(k, v, &a) == 0)
			d->amount = a;
	}
	if ((signed_node = ck_req_scalar(k, f[D_SIGNED], line, col,
					 "deal lacks 'signed'; add 'signed: YYYY-MM-DD'")))
		d->signed_on = ck_date(k, signed_node);
	if ((v = opt_scalar(k, f[D_EXPIRES]))) {
		crmf_day e = ck_date(k, v);

		if (e != CRMF_NO_DAY && d->signed_on != CRMF_NO_DAY && e < d->signed_on)
			ck_err_at(k, v, "expires-before-signed",
				  "expiry date '%s' is before the signing date '%s'; correct one of them",
				  v->value, signed_node->value);
		else
			d->expires = e;
	}
}

static void check_followup(struct ck *k, const crmf_node *map)
{
	crmf_followup *u = &k->c->followups[k->c->n_followups++];
	const crmf_pair *f[U_N];
	const crmf_node *v, *date_node;
	int line, col;
	struct shown sv;

	memset(u, 0, sizeof(*u));
	u->node = map;
	u->date = u->due = CRMF_NO_DAY;
	u->minute = -1;
	ck_item_pos(k, map, &line, &col);
	ck_take_fields(k, map, R_FOLLOWUP, f, "follow-up", line, col);
	if ((date_node = ck_req_scalar(k, f[U_DATE], line, col,
				       "follow-up lacks 'date'; add 'date: YYYY-MM-DD'"))) {
		ck_show(&sv, date_node->value, date_node->len);
		if (crmf_datetime_parse(&u->date, &u->minute, date_node->value, date_node->len) < 0) {
			u->date = CRMF_NO_DAY;
			u->minute = -1;
			ck_err_at(k, date_node, "invalid-date",
				  "invalid date '%s'; write YYYY-MM-DD or YYYY-MM-DD HH:MM", sv.s);
		} else if (k->today != CRMF_NO_DAY && u->date > k->today) {
			ck_warn_at(k, date_node, "followup-future",
				   "follow-up date '%s' is in the future; record follow-ups once they happen, and plan with 'next' and 'due'",
				   sv.s);
		}
	}
	if ((v = ck_req_scalar(k, f[U_BY], line, col, "follow-up lacks 'by'; add 'by: <team member>'"))) {
		const crmf_member *gone;

		u->by = ck_member(k, v);
		if (u->by && u->date != CRMF_NO_DAY &&
		    (gone = crmf_config_departed(k->cfg, u->by, u->date))) {
			char d[11];

			crmf_date_format(gone->left, d);
			ck_err_at(k, v, "member-left",
				  "follow-up by '%s' dated after they left on %s; write who followed up",
				  gone->id, d);
		}
	}
	if ((v = ck_req_scalar(k, f[U_METHOD], line, col,
			       "follow-up lacks 'method'; add 'method:' with one of phone, visit, email, meeting, wechat, other")) &&
	    ck_enum(k, v, "method", method_names, COUNT(method_names)) >= 0)
		u->method = v->value;
	if ((v = opt_scalar(k, f[U_WITH])))
		u->with = v->value;
	if ((v = ck_req_scalar(k, f[U_SUMMARY], line, col,
			       "follow-up lacks 'summary'; add 'summary:' saying what was discussed"))) {
		u->summary = v->value;
		if (crmf_summary_vague(v->value, v->len))
			ck_warn_at(k, v, "vague-summary",
				   "summary '%s' is too vague; write what was discussed and what the customer said",
				   ck_show(&sv, v->value, v->len));
	}
	if ((v = opt_scalar(k, f[U_FEEDBACK])))
		u->feedback = v->value;
	if ((v = opt_scalar(k, f[U_NEXT])))
		u->next = v->value;
	if ((v = opt_scalar(k, f[U_DUE]))) {
		crmf_day due = ck_date(k, v);

		if (due != CRMF_NO_DAY && u->date != CRMF_NO_DAY && due < u->date) {
			ck_err_at(k, v, "due-before-date",
				  "due date '%s' is before the follow-up date '%.10s'; set it on or after that date",
				  v->value, date_node->value);
		} else {
			u->due = due;
		}
		if (!u->next)
			ck_warn_at(k, v, "due-without-next",
				   "'due' without 'next'; add 'next:' saying what is due");
	}
}

/* Checks the items of a list of mappings with `fn`. */
static void check_items(struct ck *k, const crmf_pair *p, const char *what,
			void (*fn)(struct ck *, const crmf_node *))
{
	bool wrong;
	const crmf_node *seq = ck_sequence(k, p, &wrong);

	if (!seq)
		return;
	for (size_t i = 0; i < seq->n; i++) {
		const crmf_node *it = seq->items[i];

		if (it->type == CRMF_NODE_MAPPING)
			fn(k, it);
		else
			ck_err_at(k, it, "wrong-type",
				  "a %s must be a mapping, not a %s; write its fields as 'key: value' after '- '",
				  what, ck_kind_name(it));
	}
}

static size_t round_up(size_t n)
{
	size_t a = _Alignof(max_align_t);

	return (n + a - 1) / a * a;
}

static size_t seq_len(const crmf_pair *p)
{
	return p && p->value->type == CRMF_NODE_SEQUENCE ? p->value->n : 0;
}

/* An active customer whose owner has left the team: a warning that says how to
 * hand them over. */
static void owner_left(struct ck *k, const crmf_node *v)
{
	const crmf_member *gone;
	char d[11];

	if (!v || !k->c->owner || k->c->archived || k->c->stage == CRMF_STAGE_LOST ||
	    !(gone = crmf_config_departed(k->cfg, k->c->owner, k->today)))
		return;
	crmf_date_format(gone->left, d);
	ck_warn_at(k, v, "owner-left",
		   "owned by %s, who left on %s; hand them over: crmf reassign %s TO", gone->id, d,
		   gone->id);
}

/* A required field of the table or of crmf.yaml that the file lacks. */
static void missing_field(struct ck *k, const crmf_field_def *def)
{
	char *hint = ck_value_hint(def);

	ck_err_pos(k, k->root_line, k->root_col, "missing-field",
		   "missing required field '%s'; add '%s:' with %s", def->name, def->name, hint);
	free(hint);
}

int crmf_check_customer(crmf_customer **out, crmf_doc *doc, const char *relpath,
			const crmf_config *cfg, crmf_day today, crmf_diags *diags)
{
	const crmf_pair *f[F_N] = {0};
	const struct rec *top = ck_rec(R_TOP);
	const crmf_node *root, *v, *owner = NULL;
	size_t o_contacts, o_deals, o_followups, o_tags, size;
	crmf_customer *c;
	struct ck k;
	char *block;
	int i;

	*out = NULL;
	if (!doc)
		return -1;
	root = doc->root;
	if (!root || root->type != CRMF_NODE_MAPPING) {
		crmf_doc_free(doc); /* the parser has said why */
		return -1;
	}
	for (size_t j = 0; j < root->n; j++)
		if ((i = find_key_n(root->pairs[j].key->value, root->pairs[j].key->len, top->names,
				    top->n)) >= 0 &&
		    top->slot[i] >= 0)
			f[top->slot[i]] = &root->pairs[j];

	/* one allocation holds the record and all its arrays */
	o_contacts = round_up(sizeof(*c));
	o_deals = o_contacts + round_up(seq_len(f[F_CONTACTS]) * sizeof(crmf_contact));
	o_followups = o_deals + round_up(seq_len(f[F_DEALS]) * sizeof(crmf_deal));
	o_tags = o_followups + round_up(seq_len(f[F_FOLLOWUPS]) * sizeof(crmf_followup));
	size = o_tags + seq_len(f[F_TAGS]) * sizeof(const char *);
	block = xmalloc(size);
	c = (crmf_customer *)(void *)block;
	memset(c, 0, sizeof(*c));
	c->contacts = (crmf_contact *)(void *)(block + o_contacts);
	c->deals = (crmf_deal *)(void *)(block + o_deals);
	c->followups = (crmf_followup *)(void *)(block + o_followups);
	c->tags = (const char **)(void *)(block + o_tags);
	c->created = CRMF_NO_DAY;
	c->doc = doc;
	if (relpath || doc->path)
		c->path = xstrdup(relpath ? relpath : doc->path);
	c->archived = c->path && strncmp(c->path, "archive/", 8) == 0;

	k.c = c;
	k.cfg = cfg;
	k.diags = diags;
	k.path = c->path;
	k.src = doc->src;
	k.today = today;
	k.root_line = root->line;
	k.root_col = root->column;

	check_id(&k, f[F_ID]);
	if ((v = ck_req_scalar(&k, f[F_NAME], k.root_line, k.root_col,
			       "missing required field 'name'; add 'name: <the company's full legal name>'")))
		c->name = v->value;
	if ((v = ck_req_scalar(&k, f[F_INDUSTRY], k.root_line, k.root_col,
			       "missing required field 'industry'; add 'industry: <sector>/<sub-sector>'")))
		check_industry(&k, v);
	if ((v = ck_req_scalar(&k, f[F_SIZE], k.root_line, k.root_col,
			       "missing required field 'size'; add 'size:' with one of the sizes of crmf.yaml")))
		c->size = config_enum(&k, v, "size", &cfg->sizes);
	if ((v = ck_req_scalar(&k, f[F_SOURCE], k.root_line, k.root_col,
			       "missing required field 'source'; add 'source:' saying where the lead came from")))
		c->source = config_enum(&k, v, "source", &cfg->sources);
	if ((v = ck_req_scalar(&k, f[F_CREATED], k.root_line, k.root_col,
			       "missing required field 'created'; add 'created: YYYY-MM-DD'"))) {
		c->created = ck_date(&k, v);
		if (c->created != CRMF_NO_DAY && today != CRMF_NO_DAY && c->created > today)
			ck_warn_at(&k, v, "future-date",
				   "creation date '%s' is in the future; write the day the record was created",
				   v->value);
	}
	if ((v = ck_req_scalar(&k, f[F_OWNER], k.root_line, k.root_col,
			       "missing required field 'owner'; add 'owner: <team member>'")))
		c->owner = ck_member(&k, v);
	owner = v;
	if ((v = ck_req_scalar(&k, f[F_STAGE], k.root_line, k.root_col,
			       "missing required field 'stage'; add 'stage:' with one of lead, intent, negotiation, customer, at-risk, lost")) &&
	    (i = ck_enum(&k, v, "stage", stage_names, COUNT(stage_names))) >= 0)
		c->stage = (crmf_stage)(i + 1);
	owner_left(&k, owner);
	if ((v = opt_scalar(&k, f[F_POTENTIAL])) &&
	    (i = ck_enum(&k, v, "potential", potential_names, COUNT(potential_names))) >= 0)
		c->potential = (crmf_potential)(i + 1);
	if ((v = opt_scalar(&k, f[F_GRADE])) &&
	    (i = ck_enum(&k, v, "grade", grade_names, COUNT(grade_names))) >= 0)
		c->grade = grade_names[i][0];
	check_tags(&k, f[F_TAGS]);
	check_contacts(&k, f[F_CONTACTS]);
	check_need(&k, f[F_NEED]);
	check_items(&k, f[F_DEALS], "deal", check_deal);
	check_items(&k, f[F_FOLLOWUPS], "follow-up", check_followup);
	if (c->n_followups && c->potential == CRMF_POTENTIAL_NONE && !f[F_POTENTIAL] &&
	    c->stage != CRMF_STAGE_LOST && !c->archived)
		ck_warn_at(&k, f[F_STAGE] ? f[F_STAGE]->key : root, "missing-potential",
			"potential is not set although the customer has been contacted; judge it "
			"(high, medium or low): until then the unjudged cadence (every %dd) applies",
			cfg->rules.cadence_unjudged);

	for (size_t j = 0; j < root->n; j++) {
		const crmf_pair *p = &root->pairs[j];
		const crmf_field_def *def;

		i = find_key_n(p->key->value, p->key->len, top->names, top->n);
		if (i >= 0 && top->slot[i] >= 0)
			continue;
		if (i >= 0)
			ck_custom(&k, &top->plain[-1 - top->slot[i]], p);
		else if ((def = crmf_config_field(cfg, p->key->value)))
			ck_custom(&k, def, p);
		else
			ck_unknown_top(&k, p);
	}
	for (size_t j = 0; j < top->n_plain; j++)
		if (top->plain[j].required && !crmf_node_pair(root, top->plain[j].name))
			missing_field(&k, &top->plain[j]);
	for (size_t j = 0; j < cfg->n_fields; j++) {
		const crmf_field_def *def = &cfg->fields[j];

		if (def->required && find_key(def->name, top->names, top->n) < 0 &&
		    !crmf_node_pair(root, def->name))
			missing_field(&k, def);
	}
	*out = c;
	return c->errors ? -1 : 0;
}


void crmf_customer_free(crmf_customer *c)
{
	if (!c)
		return;
	free(c->path);
	crmf_doc_free(c->doc);
	free(c); /* the arrays share the record's allocation */
}

const char *crmf_stage_name(crmf_stage s)
{
	return s > CRMF_STAGE_NONE && s <= CRMF_STAGE_LOST ? stage_names[s - 1] : NULL;
}

const char *crmf_potential_name(crmf_potential p)
{
	return p > CRMF_POTENTIAL_NONE && p <= CRMF_POTENTIAL_LOW ? potential_names[p - 1] : NULL;
}

crmf_stage crmf_stage_parse(const char *s)
{
	int i = s ? find_key(s, stage_names, COUNT(stage_names)) : -1;

	return i < 0 ? CRMF_STAGE_NONE : (crmf_stage)(i + 1);
}

crmf_potential crmf_potential_parse(const char *s)
{
	int i = s ? find_key(s, potential_names, COUNT(potential_names)) : -1;

	return i < 0 ? CRMF_POTENTIAL_NONE : (crmf_potential)(i + 1);
}
