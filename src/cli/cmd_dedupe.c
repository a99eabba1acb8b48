/* SPDX-License-Identifier: MIT */
/* crmf dedupe: probable duplicate customers across the repository, with a score and the evidence. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'m', 0, "min-score", "S", N_("list pairs scoring at least S, from 0 to 1 (default 0.5)")},
    {'c', 0, "active", NULL, N_("only active customers (customers/)")},
    {'a', 0, "archived", NULL, N_("only archived customers (archive/)")},
    {'A', 0, "all", NULL, N_("active and archived customers (the default)")},
    {'f', 0, "format", "FMT", N_("table (default) or json")},
    {'W', 0, "wide", NULL, N_("a table with every column whole, whatever the terminal")},
    {0},
};

const struct crmf_cmd cmd_dedupe = {
    .name = "dedupe",
    .run = run,
    .summary = N_("probable duplicate customers, with a score and the evidence"),
    .synopsis = "[--min-score S] [--active | --archived | --all] [--format table|json] [--wide]",
    .description =
	N_("Compares every customer, active and archived, with those that share a company name\n"
	"(normalised: full-width folded, case, punctuation and brackets, a bracketed or\n"
	"leading city or province, legal forms such as 有限公司 and Co., Ltd. dropped,\n"
	"trade words such as 科技 and 贸易 weighed low), a phone (country code,\n"
	"separators and extension aside), an email, or an email domain that is not a\n"
	"public mail service. Each pair gets a score from 0 to 1 and the evidence behind\n"
	"it; pairs that link up form a group, listed together:\n"
	"  GROUP  SCORE  IDS                NAMES                       EVIDENCE\n"
	"      1   0.80  C2024003 C2025007  杭州恒拓机械有限公司 / 杭…  name 恒拓机械; owners …\n"
	"Merge the customers of a group into one by hand or with crmf edit.\n"),
    .opts = options,
    .notes = N_("weights: the same name 0.8 (the same name but for the trade words 0.7, or\n"
	     "0.35 when both have other ones; halved when the names name different cities),\n"
	     "a phone 0.7, an email 0.7, a company email domain 0.5, a contact's name 0.2;\n"
	     "a pair's score is 1 - (1 - w1)(1 - w2)…\n"
	     "exit status: 0 no probable duplicate, 1 probable duplicates listed,\n"
	     "2 usage or repository error\n"),
    .opt_width = 18,
};

static char *strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *strdupf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		perror("crmf");
		exit(EXIT_USAGE);
	}
	va_end(ap);
	return s;
}

/* A JSON string, or null for NULL. */
static void json_str(const char *s)
{
	if (s)
		cli_json_string(stdout, s);
	else
		fputs("null", stdout);
}

/* "name 恒拓机械 (cities differ: 杭州 / 苏州)", "phone 0571-8888 6666 = +86 571 88886666". */
static char *evidence_text(const crmf_evidence *e)
{
	const char *kind = crmf_evidence_kind_name(e->kind);
	char *s;

	bool same = e->a && e->b && strcmp(e->a, e->b) == 0;

	switch (e->kind) {
	case CRMF_EVIDENCE_NAME:
		s = strdupf(_("name %s"), e->key ? e->key : e->a);
		break;
	case CRMF_EVIDENCE_DOMAIN:
		s = strdupf(_("domain %s"), e->key ? e->key : e->a);
		break;
	case CRMF_EVIDENCE_OWNER:
		s = strdupf(_("owners %s / %s"), e->a, e->b);
		break;
	case CRMF_EVIDENCE_PHONE:
		s = same ? strdupf(_("phone %s"), e->a) : strdupf(_("phone %s = %s"), e->a, e->b);
		break;
	case CRMF_EVIDENCE_EMAIL:
		s = same ? strdupf(_("email %s"), e->a) : strdupf(_("email %s = %s"), e->a, e->b);
		break;
	case CRMF_EVIDENCE_CONTACT:
		s = same ? strdupf(_("contact %s"), e->a)
			 : strdupf(_("contact %s = %s"), e->a, e->b);
		break;
	default:
		s = same ? strdupf("%s %s", kind, e->a) : strdupf("%s %s = %s", kind, e->a, e->b);
	}
	if (e->note) {
		char *t = strdupf(_("%s (%s)"), s, e->note);

		free(s);
		s = t;
	}
	return s;
}

static const char *label(const crmf_dedupe_customer *c)
{
	return c->id ? c->id : c->path;
}

static void print_table(const crmf_dedupe *d, bool wide)
{
	const char *const headers[] = {_("GROUP"), _("SCORE"), _("IDS"), _("NAMES"), _("EVIDENCE")};
	cli_table *t = cli_table_new(5, headers);

	for (size_t i = 0; i < d->n_pairs; i++) {
		const crmf_dedupe_pair *p = &d->pairs[i];
		const crmf_dedupe_customer *a = &d->customers[p->a], *b = &d->customers[p->b];
		char *group = strdupf("%zu", p->group + 1), *score = strdupf("%.2f", p->score);
		char *ids = strdupf("%s %s", label(a), label(b));
		char *names = strdupf("%s / %s", a->name ? a->name : "?", b->name ? b->name : "?");
		char *ev = NULL;
		const char *cells[5];

		for (size_t k = 0; k < p->n_evidence; k++) {
			char *one = evidence_text(&p->evidence[k]);
			/* TRANSLATORS: two pieces of evidence in a row of crmf dedupe */
			char *all = ev ? strdupf(_("%s; %s"), ev, one) : one;

			if (ev)
				free(one), free(ev);
			ev = all;
		}
		cells[0] = group, cells[1] = score, cells[2] = ids, cells[3] = names, cells[4] = ev;
		cli_table_add(t, cells);
		free(group), free(score), free(ids), free(names), free(ev);
	}
	cli_table_align_right(t, 0);
	cli_table_align_right(t, 1);
	cli_table_shrink_first(t, 3);
	cli_table_wide(t, wide);
	if (d->n_pairs)
		cli_table_print(stdout, t, FMT_TEXT);
	cli_table_free(t);
	printf(_("%zu probable duplicate pair%s in %zu group%s among %zu customers\n"), d->n_pairs,
	       d->n_pairs == 1 ? "" : "s", d->n_groups, d->n_groups == 1 ? "" : "s",
	       d->n_customers);
}

static void json_customer(const crmf_dedupe_customer *c)
{
	fputs("{\"id\": ", stdout);
	json_str(c->id);
	fputs(", \"name\": ", stdout);
	json_str(c->name);
	fputs(", \"owner\": ", stdout);
	json_str(c->owner);
	fputs(", \"path\": ", stdout);
	json_str(c->path);
	printf(", \"archived\": %s}", c->archived ? "true" : "false");
}

static void print_json(const crmf_dedupe *d)
{
	printf("{\"customers\": %zu, \"compared\": %zu,\n \"groups\": [", d->n_customers,
	       d->compared);
	for (size_t i = 0; i < d->n_groups; i++) {
		const crmf_dedupe_group *g = &d->groups[i];

		printf("%s\n  {\"group\": %zu, \"score\": %.2f, \"ids\": [", i ? "," : "", i + 1,
		       g->score);
		for (size_t k = 0; k < g->n; k++) {
			if (k)
				fputs(", ", stdout);
			json_str(d->customers[g->members[k]].id);
		}
		fputs("]}", stdout);
	}
	fputs(d->n_groups ? "\n ],\n \"pairs\": [" : "],\n \"pairs\": [", stdout);
	for (size_t i = 0; i < d->n_pairs; i++) {
		const crmf_dedupe_pair *p = &d->pairs[i];

		printf("%s\n  {\"group\": %zu, \"score\": %.2f,\n   \"a\": ", i ? "," : "",
		       p->group + 1, p->score);
		json_customer(&d->customers[p->a]);
		fputs(",\n   \"b\": ", stdout);
		json_customer(&d->customers[p->b]);
		fputs(",\n   \"evidence\": [", stdout);
		for (size_t k = 0; k < p->n_evidence; k++) {
			const crmf_evidence *e = &p->evidence[k];

			printf("%s{\"kind\": \"%s\", \"weight\": %.2f, \"a\": ", k ? ", " : "",
			       crmf_evidence_kind_name(e->kind), e->weight);
			json_str(e->a);
			fputs(", \"b\": ", stdout);
			json_str(e->b);
			fputs(", \"key\": ", stdout);
			json_str(e->key);
			fputs(", \"note\": ", stdout);
			json_str(e->note);
			fputs("}", stdout);
		}
		fputs("]}", stdout);
	}
	fputs(d->n_pairs ? "\n ]}\n" : "]}\n", stdout);
}

static int run(int argc, char **argv)
{
	cli_args args;
	cli_format fmt = FMT_TEXT;
	crmf_dedupe_opts o = {.min_score = -1, .scope = CRMF_DEDUPE_ALL, .today = CRMF_NO_DAY};
	crmf_dedupe *d = NULL;
	crmf_repository *r;
	bool wide = false;
	char *end;
	int c, rc = EXIT_USAGE;

	cli_args_init(&args, &cmd_dedupe, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 'm':
			o.min_score = strtod(args.arg, &end);
			if (end == args.arg || *end || !(o.min_score >= 0 && o.min_score <= 1))
				return cli_usage_error(&cmd_dedupe,
						       "--min-score wants a number from 0 to 1, not "
						       "'%s'",
						       args.arg);
			break;
		case 'c':
			o.scope = CRMF_DEDUPE_ACTIVE;
			break;
		case 'a':
			o.scope = CRMF_DEDUPE_ARCHIVED;
			break;
		case 'A':
			o.scope = CRMF_DEDUPE_ALL;
			break;
		case 'f':
			if (cli_parse_format(&fmt, args.arg, 1u << FMT_TEXT | 1u << FMT_JSON))
				return EXIT_USAGE;
			break;
		case 'W':
			wide = true;
			break;
		}
	}
	if (c < 0)
		return args.status;
	if (args.ind != argc)
		return cli_usage_error(&cmd_dedupe, "unexpected argument '%s'", argv[args.ind]);
	r = cli_repository();
	if (!r)
		return EXIT_USAGE;
	if (crmf_dedupe_repo(&d, crmf_repository_root(r), &o) != 0) {
		cli_error("%s", crmf_error_last());
		goto done;
	}
	if (fmt == FMT_JSON)
		print_json(d);
	else
		print_table(d, wide);
	rc = d->n_pairs ? EXIT_FOUND : EXIT_OK;
done:
	crmf_dedupe_free(d);
	crmf_repository_close(r);
	return rc;
}
