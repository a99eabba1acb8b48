/* SPDX-License-Identifier: MIT */
/* crmf show: one customer as a readable card, with its classification and what is due next. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "i18n.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'t', 0, "today", "DATE", N_("the date the classification is relative to (YYYY-MM-DD)")},
    {'a', 0, "all", NULL, N_("every follow-up, not only the latest 5")},
    {'f', 0, "format", "FMT", N_("table (default) or json")},
    {0},
};

const struct crmf_cmd cmd_show = {
    .name = "show",
    .run = run,
    .summary = N_("show one customer: fields, classification, follow-ups, what is due"),
    .synopsis = "[--today DATE] [--all] [--format table|json] ID|NAME-PART",
    .description = N_("Show one customer: every field, the computed classification (activity,\n"
		   "value, quadrant), contacts, deals, the latest follow-ups, and what is due\n"
		   "next and why. The customer is named by its id, its file, or any part of\n"
		   "its name that only one customer has (crmf show 恒拓); archived customers\n"
		   "are found too. --format json prints the object of 'crmf list --format json'.\n"),
    .opts = options,
    .notes = N_("exit status: 0 shown, 1 no customer matches, 2 the name part matches\n"
	     "several customers (they are listed), or usage or repository error\n"),
    .opt_width = 15,
};

#define FOLLOWUPS_SHOWN 5

/* ---- finding the customer ---- */

static bool name_has(const crmf_customer *c, const char *part)
{
	return c->name && strcasestr(c->name, part) != NULL;
}

static bool has_phone(const crmf_customer *c, const char *number)
{
	for (size_t i = 0; i < c->n_contacts; i++)
		if (crmf_phone_same(c->contacts[i].phone, number))
			return true;
	return false;
}

static void print_candidates(const crmf_customer **v, size_t n)
{
	const char *heads[] = {"", _("ID"), _("NAME"), _("FILE")};
	cli_table *t = cli_table_new(4, heads);

	for (size_t i = 0; i < n; i++) {
		const char *cells[] = {"", v[i]->id, v[i]->name, v[i]->path};

		cli_table_add(t, cells);
	}
	cli_table_print(stderr, t, FMT_TEXT);
	cli_table_free(t);
}

/* The one customer `arg` names; NULL with the reason printed and *rc set. */
static const crmf_customer *find(const crmf_repo *repo, const char *arg, int *rc)
{
	const crmf_customer **cand = NULL, *hit = NULL;
	size_t n = 0;

	/* an exact id or file wins over any part of a name */
	for (size_t i = 0; i < repo->n; i++) {
		const crmf_customer *c = repo->v[i];

		if ((c->id && strcmp(c->id, arg) == 0) || strcmp(c->path, arg) == 0)
			return c;
		if (!hit && c->id && strcasecmp(c->id, arg) == 0)
			hit = c;
	}
	if (hit)
		return hit;
	if ((hit = crmf_repo_merged_into(repo, arg))) {
		cli_error(_("%s was merged into %s"), arg, hit->id ? hit->id : hit->path);
		return hit;
	}
	cand = malloc((repo->n ? repo->n : 1) * sizeof(*cand));
	if (!cand)
		abort();
	/* an incoming call: a contact's phone, however either is written */
	for (size_t i = 0; crmf_phone_valid(arg) && i < repo->n; i++)
		if (has_phone(repo->v[i], arg))
			cand[n++] = repo->v[i];
	for (size_t i = 0, by_phone = n; !by_phone && i < repo->n; i++) {
		const crmf_customer *c = repo->v[i];

		if (c->name && strcasecmp(c->name, arg) == 0) {
			free(cand);
			return c;
		}
		if (*arg && name_has(c, arg))
			cand[n++] = c;
	}
	if (n == 1) {
		hit = cand[0];
	} else if (n > 1) {
		cli_error("'%s' matches %zu customers; name one by its id:", arg, n);
		print_candidates(cand, n);
		*rc = EXIT_USAGE;
	} else {
		const char **words = malloc(2 * (repo->n ? repo->n : 1) * sizeof(*words));
		const char *s;
		size_t k = 0;

		if (!words)
			abort();
		for (size_t i = 0; i < repo->n; i++) {
			if (repo->v[i]->id)
				words[k++] = repo->v[i]->id;
			if (repo->v[i]->name)
				words[k++] = repo->v[i]->name;
		}
		s = crmf_suggest(arg, words, k);
		if (s)
			cli_error("no customer matches '%s'; did you mean '%s'?", arg, s);
		else
			cli_error("no customer matches '%s'; 'crmf list' shows them all", arg);
		free(words);
		*rc = EXIT_FOUND;
	}
	free(cand);
	return hit;
}

/* ---- the card ---- */

struct card {
	const crmf_config *cfg;
	const crmf_customer *c;
	const crmf_class *k;
	crmf_day today;
	bool color;
};

#define KEY_WIDTH 12

static void key(const char *k)
{
	printf("%-*s", KEY_WIDTH, k);
}

/* Text that may span lines (a `|` block): later lines are indented to
 * `indent` columns, trailing line breaks dropped. */
static void put_text(const char *s, int indent)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r')
			continue;
		putchar(s[i]);
		if (s[i] == '\n')
			printf("%*s", indent, "");
	}
}

/* "意向期 (intent)" when crmf.yaml gives a label, else the value. */
static void labelled(const struct card *cd, const char *field, const char *value)
{
	const char *l = crmf_config_label(cd->cfg, field, value);

	if (l != value && strcmp(l, value) != 0)
		printf("%s (%s)", l, value);
	else
		put_text(value, KEY_WIDTH);
}

static void ago(crmf_day d, crmf_day today)
{
	long diff = (long)today - d;

	if (diff == 0)
		fputs(_("today"), stdout);
	else if (diff == 1)
		fputs(_("yesterday"), stdout);
	else if (diff == -1)
		fputs(_("tomorrow"), stdout);
	else if (diff > 0)
		printf(_("%ld days ago"), diff);
	else
		printf(_("in %ld days"), -diff);
}

static void print_day(crmf_day d)
{
	char buf[11];

	crmf_date_format(d, buf);
	fputs(buf, stdout);
}

/* An amount with thousands separators into buf: 1,200,000 or 1,234.50. */
static void format_amount(char *buf, size_t size, double a)
{
	char digits[32];
	double mag = a < 0 ? -a : a;
	long long total, cents;
	size_t n, k = 0, lead;

	if (!isfinite(a) || mag >= 1e15) {
		snprintf(buf, size, "%g", a);
		return;
	}
	/* in cents, rounded half up (no libm needed) */
	total = (long long)(mag * 100 + 0.5);
	cents = total % 100;
	snprintf(digits, sizeof(digits), "%lld", total / 100);
	n = strlen(digits);
	lead = n % 3 ? n % 3 : 3;
	if (a < 0 && total > 0 && k + 1 < size)
		buf[k++] = '-';
	for (size_t i = 0; i < n && k + 2 < size; i++) {
		if (i >= lead && (i - lead) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = digits[i];
	}
	buf[k] = '\0';
	if (cents > 0)
		snprintf(buf + k, size - k, ".%02lld", cents);
}

/* A value the card has no special layout for: scalars as they are, lists of
 * scalars joined, anything else as its YAML source. */
static void print_value(const struct card *cd, const char *field, const crmf_node *n)
{
	if (!n || crmf_node_is_null(n)) {
		putchar('\n');
		return;
	}
	if (n->type == CRMF_NODE_SCALAR) {
		char *v = cli_reveal(cd->c->id, field, n->value);

		labelled(cd, field, v ? v : n->value);
		putchar('\n');
		free(v);
		return;
	}
	if (n->type == CRMF_NODE_SEQUENCE) {
		bool flat = true;

		for (size_t i = 0; i < n->n; i++)
			flat = flat && n->items[i]->type == CRMF_NODE_SCALAR;
		if (flat) {
			for (size_t i = 0; i < n->n; i++) {
				char *v = cli_reveal(cd->c->id, field, n->items[i]->value);

				fputs(i ? ", " : "", stdout);
				labelled(cd, field, v ? v : n->items[i]->value);
				free(v);
			}
			putchar('\n');
			return;
		}
	}
	if (crmf_config_confidential(cd->cfg, field))
		printf("%s\n", CRMF_CRYPT_MASK);
	else
		printf("\n    %.*s\n", (int)(n->end - n->start), cd->c->doc->src + n->start);
}

static void print_need(const crmf_node *need)
{
	bool first = true;

	if (!need || need->type != CRMF_NODE_MAPPING) {
		putchar('\n');
		return;
	}
	for (size_t i = 0; i < need->n; i++) {
		const crmf_pair *p = &need->pairs[i];

		if (p->value->type != CRMF_NODE_SCALAR || crmf_node_is_null(p->value))
			continue;
		if (!first)
			key("");
		first = false;
		if (strcmp(p->key->value, "type") && strcmp(p->key->value, "description"))
			printf("%s: ", p->key->value);
		put_text(p->value->value, KEY_WIDTH);
		putchar('\n');
	}
	if (first)
		putchar('\n');
}

static void print_fields(const struct card *cd)
{
	const crmf_node *root = cd->c->doc ? cd->c->doc->root : NULL;

	key("file");
	printf("%s%s\n", cd->c->path, cd->c->archived ? _(" (archived)") : "");
	for (size_t i = 0; root && root->type == CRMF_NODE_MAPPING && i < root->n; i++) {
		const char *k = root->pairs[i].key->value;
		const crmf_node *v = root->pairs[i].value;

		/* the heading shows these; the sections below the rest */
		if (!strcmp(k, "id") || !strcmp(k, "name") || !strcmp(k, "contacts") ||
		    !strcmp(k, "deals") || !strcmp(k, "followups"))
			continue;
		key(k);
		if (!strcmp(k, "need")) {
			print_need(v);
		} else if (!strcmp(k, "owner") && v->type == CRMF_NODE_SCALAR) {
			const crmf_member *m = crmf_config_member(cd->cfg, v->value);

			if (m && m->name && strcmp(m->name, v->value) != 0)
				printf("%s (%s)\n", v->value, m->name);
			else
				printf("%s\n", v->value);
		} else {
			print_value(cd, k, v);
		}
	}
}

static void print_classification(const struct card *cd)
{
	const crmf_customer *c = cd->c;
	const crmf_class *k = cd->k;
	char amount[64];

	printf(_("\nclassification on "));
	print_day(cd->today);
	putchar('\n');
	key("activity");
	labelled(cd, "activity", crmf_activity_name(k->activity));
	if (k->last_contact != CRMF_NO_DAY) {
		printf(_(", last contact "));
		print_day(k->last_contact);
		fputs(", ", stdout);
		ago(k->last_contact, cd->today);
	}
	putchar('\n');
	key("value");
	labelled(cd, "value", crmf_value_name(k->value));
	format_amount(amount, sizeof(amount), k->value_sum);
	printf(_(": %s %s signed in the last %d days\n"), amount,
	       cd->cfg->currency ? cd->cfg->currency : "", CRMF_VALUE_WINDOW);
	key("quadrant");
	labelled(cd, "quadrant", crmf_quadrant_name(k->quadrant));
	putchar('\n');
	key("next due");
	if (k->due_kind == CRMF_DUE_NONE) {
		if (c->archived)
			puts(_("none: archived"));
		else if (c->stage == CRMF_STAGE_LOST)
			puts(_("none: lost"));
		else
			puts(_("none: no rule applies (set a potential, or a next action with a due "
			     "date)"));
	} else {
		bool red = cd->color && k->overdue_days > 0;

		fputs(red ? "\033[31m" : "", stdout);
		print_day(k->next_due);
		if (k->overdue_days > 0)
			printf(_(", %d day%s overdue"), k->overdue_days,
			       k->overdue_days == 1 ? "" : "s");
		else {
			fputs(", ", stdout);
			ago(k->next_due, cd->today);
		}
		fputs(red ? "\033[0m\n" : "\n", stdout);
		key("why");
		if (k->next && k->due_kind == CRMF_DUE_NEXT_ACTION)
			printf(_("%s (next action)\n"), k->next);
		else
			printf("%s\n", k->reason);
	}
	if (k->stale) {
		key("archive");
		printf(_("no contact for more than %d days; consider archiving\n"),
		       cd->cfg->rules.archive_after);
	}
}

static void print_contacts(const struct card *cd)
{
	const crmf_customer *c = cd->c;
	const char *heads[] = {"", "", _("NAME"), _("TITLE"), _("PHONE"), _("EMAIL")};
	cli_table *t;

	size_t left = 0;

	if (!c->n_contacts)
		return;
	printf(_("\ncontacts\n"));
	t = cli_table_new(6, heads);
	for (size_t i = 0; i < c->n_contacts; i++) {
		const crmf_contact *p = &c->contacts[i];
		char *phone = cli_reveal(c->id, "contacts.phone", p->phone),
		     *email = cli_reveal(c->id, "contacts.email", p->email);
		const char *cells[] = {"", p->primary ? "*" : "", p->name, p->title,
				       phone ? phone : p->phone, email ? email : p->email};

		if (p->left == CRMF_NO_DAY)
			cli_table_add(t, cells);
		else
			left++;
		free(phone);
		free(email);
	}
	if (cli_table_rows(t))
		cli_table_print(stdout, t, FMT_TEXT);
	cli_table_free(t);
	/* those who left stay in the file, one line for them all */
	if (left) {
		fputs(_("  left:"), stdout);
		for (size_t i = 0; i < c->n_contacts; i++) {
			char day[11];

			if (c->contacts[i].left == CRMF_NO_DAY)
				continue;
			crmf_date_format(c->contacts[i].left, day);
			printf(" %s (%s)", c->contacts[i].name ? c->contacts[i].name : "?", day);
		}
		putchar('\n');
	}
}

static void print_deals(const struct card *cd)
{
	const crmf_customer *c = cd->c;
	char *amount_head;
	const char *heads[4] = {"", _("SIGNED"), NULL, _("EXPIRES")};
	cli_table *t;

	if (!c->n_deals)
		return;
	printf(_("\ndeals\n"));
	if (asprintf(&amount_head, _("AMOUNT (%s)"), cd->cfg->currency ? cd->cfg->currency : "") < 0)
		abort();
	heads[2] = amount_head;
	t = cli_table_new(4, heads);
	cli_table_align_right(t, 2);
	for (size_t i = 0; i < c->n_deals; i++) {
		const crmf_deal *d = &c->deals[i];
		char signed_on[11] = "", expires[11] = "", amount[64];
		const char *cells[4];

		format_amount(amount, sizeof(amount), d->amount);
		if (d->signed_on != CRMF_NO_DAY)
			crmf_date_format(d->signed_on, signed_on);
		if (d->expires != CRMF_NO_DAY)
			crmf_date_format(d->expires, expires);
		cells[0] = "";
		cells[1] = signed_on;
		cells[2] = amount;
		cells[3] = expires;
		cli_table_add(t, cells);
	}
	cli_table_print(stdout, t, FMT_TEXT);
	cli_table_free(t);
	free(amount_head);
}

/* Whether follow-up a happened after b: by date, then time, then file order. */
static int cmp_newest(const void *pa, const void *pb)
{
	const crmf_followup *a = *(const crmf_followup *const *)pa;
	const crmf_followup *b = *(const crmf_followup *const *)pb;

	if (a->date != b->date)
		return a->date > b->date ? -1 : 1;
	if (a->minute != b->minute && a->minute >= 0 && b->minute >= 0)
		return a->minute > b->minute ? -1 : 1;
	return a > b ? -1 : a < b; /* later in the file first */
}

static void print_followups(const struct card *cd, bool all)
{
	const crmf_customer *c = cd->c;
	const crmf_followup **v;
	size_t n = c->n_followups, shown;

	if (!n)
		return;
	v = malloc(n * sizeof(*v));
	if (!v)
		abort();
	for (size_t i = 0; i < n; i++)
		v[i] = &c->followups[i];
	qsort(v, n, sizeof(*v), cmp_newest);
	shown = all || n <= FOLLOWUPS_SHOWN ? n : FOLLOWUPS_SHOWN;
	if (shown < n)
		printf(_("\nfollow-ups (latest %zu of %zu, newest first; --all shows every one)\n"),
		       shown, n);
	else
		printf(_("\nfollow-ups (%zu, newest first)\n"), n);
	for (size_t i = 0; i < shown; i++) {
		const crmf_followup *f = v[i];

		fputs("  ", stdout);
		if (f->date != CRMF_NO_DAY)
			print_day(f->date);
		else
			fputs(_("(no date)"), stdout);
		if (f->minute >= 0)
			printf(" %02d:%02d", f->minute / 60, f->minute % 60);
		if (f->method) {
			fputs("  ", stdout);
			labelled(cd, "method", f->method);
		}
		if (f->by)
			printf("  by %s", f->by);
		if (f->with)
			printf(_(", with %s"), f->with);
		putchar('\n');
		if (f->summary) {
			fputs("      ", stdout);
			put_text(f->summary, 6);
			putchar('\n');
		}
		if (f->feedback) {
			fputs(_("      feedback: "), stdout);
			put_text(f->feedback, 6);
			putchar('\n');
		}
		if (f->next) {
			fputs(_("      next: "), stdout);
			put_text(f->next, 6);
			if (f->due != CRMF_NO_DAY) {
				fputs(_(", due "), stdout);
				print_day(f->due);
			}
			putchar('\n');
		}
	}
	free(v);
}

static void print_card(const struct card *cd, bool all)
{
	const crmf_customer *c = cd->c;

	if (cd->color)
		fputs("\033[1m", stdout);
	printf("%s  %s", c->id ? c->id : _("(no id)"), c->name ? c->name : _("(no name)"));
	if (cd->color)
		fputs("\033[0m", stdout);
	putchar('\n');
	print_fields(cd);
	print_classification(cd);
	print_contacts(cd);
	print_deals(cd);
	print_followups(cd, all);
}

static int run(int argc, char **argv)
{
	cli_args args;
	cli_format fmt = FMT_TEXT;
	const char *today_arg = NULL;
	bool all = false;
	crmf_scan_opts so = {0};
	crmf_repo *repo = NULL;
	const crmf_customer *cu;
	crmf_class k;
	crmf_diags diags;
	size_t bad;
	crmf_repository *r = NULL;
	const char *root = NULL;
	int c, rc = EXIT_USAGE;

	cli_args_init(&args, &cmd_show, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 't':
			today_arg = args.arg;
			break;
		case 'a':
			all = true;
			break;
		case 'f':
			if (cli_parse_format(&fmt, args.arg, 1u << FMT_TEXT | 1u << FMT_JSON))
				return EXIT_USAGE;
			break;
		}
	}
	if (c < 0)
		return args.status;
	if (args.ind + 1 != argc)
		return cli_usage_error(&cmd_show, args.ind == argc
						      ? "which customer? give an id or "
							"part of a name"
						      : "give one customer, not several");
	if (cli_today(&so.today, today_arg))
		return EXIT_USAGE;
	r = cli_repository();
	if (!r)
		return EXIT_USAGE;
	root = crmf_repository_root(r);
	crmf_diags_init(&diags);
	if (crmf_repo_load(&repo, root, &so, &diags) != 0) {
		cli_error("%s", crmf_error_last());
		goto done;
	}
	cli_crypt_begin(r, repo->cfg, false);
	cu = find(repo, argv[args.ind], &rc);
	if (!cu)
		goto done;
	if (cu->errors)
		cli_error("%s has errors; run 'crmf check %s'", cu->path, cu->path);
	else if ((bad = cli_files_with_errors(&diags)) > 0)
		cli_error("%zu file%s errors; run 'crmf check'", bad,
			  bad == 1 ? " has" : "s have");
	crmf_classify(&k, cu, repo->cfg, so.today);
	if (fmt == FMT_JSON) {
		cli_customer_json(stdout, repo->cfg, cu, &k);
		putchar('\n');
	} else {
		struct card cd = {repo->cfg, cu, &k, so.today, cli_color(stdout)};

		print_card(&cd, all);
	}
	rc = EXIT_OK;
done:
	crmf_diags_release(&diags);
	crmf_repo_free(repo);
	crmf_repository_close(r);
	return rc;
}
