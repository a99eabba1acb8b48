/* SPDX-License-Identifier: MIT */
/* crmf report: the weekly or monthly review of the team, in the terminal or as JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crmf/repository.h"
#include "crmf/report.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'w', 0, "week", NULL, N_("this week: Monday to today (the default)")},
    {'m', 0, "month", NULL, N_("this month: its first day to today")},
    {'s', 0, "since", "DATE", N_("the period's first day")},
    {'u', 0, "until", "DATE", N_("the period's last day (default today)")},
    {'o', 0, "owner", "NAME", N_("only this team member's customers and follow-ups")},
    {'t', 0, "today", "DATE", N_("the day the report is made (YYYY-MM-DD), default the local date")},
    {'f', 0, "format", "FMT", N_("table (default) or json")},
    {'H', 0, "html", "FILE", N_("also write the report as a self-contained web page (charts,\n"
			     "Chinese labels, prints on A4); - for standard output")},
    {0},
};

const struct crmf_cmd cmd_report = {
    .name = "report",
    .run = run,
    .summary = N_("the team's review of a week or month: activity, pipeline, value, shares"),
    .synopsis = "[--week | --month | --since DATE [--until DATE]] [--owner NAME]\n"
		"    [--today DATE] [--format table|json] [--html FILE]",
    .description =
	N_("The figures of a team lead's review, for the period and per owner:\n"
	"activity (follow-ups logged by method, customers touched, new customers by\n"
	"source, next actions due in the period done on time, late or still open,\n"
	"customers overdue at its end), the pipeline (stage changes taken from git\n"
	"history, the conversion of each step, the median days spent in each stage,\n"
	"the funnel), value (deals signed by month, repurchases, churn, customers\n"
	"turned dormant, win-back customers active again) and the shares of stage,\n"
	"potential, grade, quadrant and industry against the day before the period.\n"
	"\n"
	"History is read once into .git/crmf/changes (like git's commit-graph) and\n"
	"extended with the new commits on each run; deleting it costs one walk."),
    .opts = options,
    .notes = N_("exit status: 0 success, 2 usage or repository error"),
};

/* ---- terminal ---- */

static void bar(double v, double max, int width)
{
	int n = max > 0 ? (int)lround(v / max * width) : 0;

	if (v > 0 && n == 0)
		n = 1;
	for (int i = 0; i < n; i++)
		fputs("█", stdout);
}

static void pct(char *buf, size_t size, double r)
{
	if (r < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.0f%%", r * 100);
}

static void money(char *buf, size_t size, double v)
{
	char raw[32];
	int len, lead, o = 0;

	snprintf(raw, sizeof(raw), "%.0f", v);
	len = (int)strlen(raw);
	lead = len % 3 ? len % 3 : 3;
	for (int i = 0; i < len && o < (int)size - 2; i++) {
		if (i && (i - lead) % 3 == 0 && i >= lead)
			buf[o++] = ',';
		buf[o++] = raw[i];
	}
	buf[o] = '\0';
}

static const char *label(const crmf_config *cfg, const char *field, const char *v)
{
	return crmf_config_label(cfg, field, v);
}

static void counts_line(const crmf_counts *c, const crmf_config *cfg, const char *field)
{
	for (size_t i = 0; i < c->n; i++)
		printf("%s%s %zu", i ? ", " : "", label(cfg, field, c->v[i].key), c->v[i].n);
	if (!c->n)
		fputs("-", stdout);
	fputc('\n', stdout);
}

static void print_activity_table(const crmf_report *rep)
{
	static const char *const heads[] = {N_("OWNER"),   N_("FOLLOWUPS"), N_("TOUCHED"),
					    N_("NEW"),	   N_("PLANNED"),   N_("ON TIME"),
					    N_("LATE"),	   N_("OVERDUE")};
	static const int widths[] = {-12, 9, 8, 5, 8, 8, 5, 8};

	/* padded to display columns: a translated heading is wider than its bytes */
	fputs(" ", stdout);
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		const char *h = _(heads[i]);
		int w = widths[i] < 0 ? -widths[i] : widths[i];
		int pad = w - cli_display_width(h);

		if (pad < 0)
			pad = 0;
		printf(" %*s%s%*s", widths[i] > 0 ? pad : 0, "", h, widths[i] < 0 ? pad : 0, "");
	}
	fputc('\n', stdout);
	for (size_t i = 0; i < rep->n_owners; i++) {
		const crmf_report_activity *a = &rep->owners[i].a;

		printf("  %-12.12s %9zu %8zu %5zu %8zu %8zu %5zu %8zu\n", rep->owners[i].owner,
		       a->followups, a->touched, a->new_customers, a->planned, a->on_time, a->late,
		       a->overdue_at_end);
	}
}

static size_t share_of(const crmf_counts *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].key, key) == 0)
			return c->v[i].n;
	return 0;
}

static const char *const per_names[] = {N_("week"), N_("month"), N_("quarter"), N_("year")};

/* a goal's figure: a rate as a percentage, a count or amount whole */
static void goal_value(char *buf, size_t size, const crmf_goal *g, double v)
{
	if (strcmp(g->metric, "churn_rate") == 0 || strcmp(g->metric, "plan_adherence") == 0)
		snprintf(buf, size, "%.1f%%", v * 100);
	else
		money(buf, size, v);
}

/* the words of crmf_report_goal's status, for their translation */
static const char *const goal_statuses[] = {N_("no data"), N_("met"), N_("missed"),
					    N_("behind"), N_("on track")};

/*
 * `s` padded with spaces to `w` display columns into buf (a printf "%-Ns" of
 * it adds nothing more): a label in Chinese is wider than its bytes.
 */
static const char *padded(char *buf, size_t size, const char *s, int w)
{
	int pad = w - cli_display_width(s);

	snprintf(buf, size, "%s%*s", s, pad > 0 ? pad : 0, "");
	return buf;
}

/* A goal's metric as the user reads it: its Chinese name in a Chinese run,
 * else its key (new_customers). */
static const char *metric_name(const char *metric)
{
	const char *lang = crmf_translate_lang(), *zh;

	if (!lang || strncmp(lang, "zh", 2) != 0)
		return metric;
	zh = cli_goal_metric_zh(metric);
	return *zh ? zh : metric;
}

static void print_goals(const crmf_report *rep)
{
	(void)goal_statuses;
	if (!rep->n_goals)
		return;
	printf(_("\nGoals\n"));
	for (size_t i = 0; i < rep->n_goals; i++) {
		const crmf_report_goal *g = &rep->goals[i];
		char v[32], t[32], name[128];

		goal_value(v, sizeof(v), g->goal, g->value < 0 ? 0 : g->value);
		goal_value(t, sizeof(t), g->goal, g->goal->value);
		printf(_("  %-17s %-7s %10s %-3s %-10s %3.0f%% of the %s gone  %s\n"),
		       padded(name, sizeof(name), metric_name(g->goal->metric), 17),
		       _(per_names[g->goal->per]), v, g->goal->is_max ? _("max") : _("of"), t,
		       g->elapsed * 100, _(per_names[g->goal->per]), _(g->status));
	}
}

static void print_text(const crmf_report *rep, const crmf_config *cfg)
{
	const crmf_report_activity *a = &rep->team;
	char since[11], until[11], p[16], m[32], from[128], to[128];
	/* a translated run names the stages by their labels (the funnel's), the
	 * C locale by their values */
	bool labels = crmf_translate_lang() != NULL;
	size_t max = 0;
	double maxd = 0;

	crmf_date_format(rep->since, since);
	crmf_date_format(rep->until, until);
	printf(_("crmf report %s to %s, %s\n\n"), since, until, rep->owner ? rep->owner : _("the team"));
	pct(p, sizeof(p), a->adherence);
	printf(_("Activity\n"));
	printf(_("  follow-ups logged   %zu: "), a->followups);
	counts_line(&a->by_method, cfg, "method");
	printf(_("  customers touched   %zu\n"), a->touched);
	printf(_("  new customers       %zu: "), a->new_customers);
	counts_line(&a->new_by_source, cfg, "source");
	printf(_("  next actions due    %zu: %zu on time, %zu late, %zu open (plan adherence %s)\n"),
	       a->planned, a->on_time, a->late, a->open, p);
	printf(_("  overdue on %s %zu customers\n"), until, a->overdue_at_end);
	if (rep->n_owners) {
		fputc('\n', stdout);
		print_activity_table(rep);
	}
	printf(_("\nPipeline%s\n"), rep->history ? "" : _(" (no git history yet)"));
	for (int s = 0; s < 3; s++) {
		const crmf_report_step *st = &rep->steps[s];

		pct(p, sizeof(p), st->rate);
		if (labels) {
			padded(from, sizeof(from), label(cfg, "stage", st->from), 11);
			padded(to, sizeof(to), label(cfg, "stage", st->to), 11);
		}
		printf(_("  %-11s → %-11s %4zu of %-4zu %4s "), labels ? from : st->from,
		       labels ? to : st->to, st->moved, st->in_from, p);
		bar(st->rate > 0 ? st->rate : 0, 1, 30);
		fputc('\n', stdout);
	}
	printf(_("  median days in stage:"));
	for (int s = 1, k = 0; s <= CRMF_N_STAGES; s++)
		if (rep->median_days[s] >= 0)
			printf("%s %s %.0f", k++ ? "," : "",
			       labels ? label(cfg, "stage", crmf_stage_values[s - 1])
				      : crmf_stage_values[s - 1],
			       rep->median_days[s]);
		else if (s == CRMF_N_STAGES && k == 0)
			printf(" -");
	printf(_("\n  funnel on %s:\n"), until);
	for (size_t i = 0; i < rep->funnel.n; i++)
		max = rep->funnel.v[i].n > max ? rep->funnel.v[i].n : max;
	for (size_t i = 0; i < rep->funnel.n; i++) {
		printf("    %-12s %5zu ", label(cfg, "stage", rep->funnel.v[i].key), rep->funnel.v[i].n);
		bar((double)rep->funnel.v[i].n, (double)max, 40);
		fputc('\n', stdout);
	}
	money(m, sizeof(m), rep->deal_amount);
	printf(_("\nValue (%s)\n  deals signed        %zu, %s\n"), cfg->currency ? cfg->currency : "CNY",
	       rep->deals, m);
	for (size_t i = 0; i < rep->deals_by_month.n; i++)
		maxd = rep->deals_by_month.v[i].amount > maxd ? rep->deals_by_month.v[i].amount : maxd;
	for (size_t i = 0; i < rep->deals_by_month.n; i++) {
		money(m, sizeof(m), rep->deals_by_month.v[i].amount);
		printf("    %s %3zu %14s ", rep->deals_by_month.v[i].key, rep->deals_by_month.v[i].n,
		       m);
		bar(rep->deals_by_month.v[i].amount, maxd, 30);
		fputc('\n', stdout);
	}
	money(m, sizeof(m), rep->churned_value);
	pct(p, sizeof(p), rep->churn_rate);
	printf(_("  repurchases         %zu\n  churned             %zu (value %s, churn rate %s)\n"),
	       rep->repurchases, rep->churned, m, p);
	printf(_("  turned dormant      %zu\n  win-back activated  %zu\n"), rep->turned_dormant,
	       rep->winback_activated);
	print_goals(rep);
	printf(_("\nShares on %s (%zu customers; change since the day before the period)\n"), until,
	       rep->customers);
	for (int s = 0; s < CRMF_N_SHARES; s++) {
		int col = printf("  %-10s", crmf_share_names[s]);

		for (size_t i = 0; i < rep->shares[s].n; i++) {
			const crmf_count *c = &rep->shares[s].v[i];
			long d = (long)c->n - (long)share_of(&rep->before[s], c->key);
			char item[256];

			if (d)
				snprintf(item, sizeof(item), "%s %zu (%+ld)",
					 label(cfg, crmf_share_names[s], c->key), c->n, d);
			else
				snprintf(item, sizeof(item), "%s %zu",
					 label(cfg, crmf_share_names[s], c->key), c->n);
			/* wrapped within 80 columns, under the first item */
			if (i && col + 2 + cli_display_width(item) > 80) {
				printf(",\n%13s", "");
				col = 13;
			} else if (i) {
				col += printf(", ");
			} else {
				col += printf(" ");
			}
			fputs(item, stdout);
			col += cli_display_width(item);
		}
		fputc('\n', stdout);
	}
}

/* ---- JSON ---- */

static void json_num(double v)
{
	if (v < 0)
		fputs("null", stdout);
	else
		printf("%.15g", v);
}

static void json_counts(const crmf_counts *c, bool amounts)
{
	fputs("{", stdout);
	for (size_t i = 0; i < c->n; i++) {
		fputs(i ? ", " : "", stdout);
		cli_json_string(stdout, c->v[i].key);
		if (amounts)
			printf(": {\"count\": %zu, \"amount\": %.2f}", c->v[i].n, c->v[i].amount);
		else
			printf(": %zu", c->v[i].n);
	}
	fputs("}", stdout);
}

static void json_activity(const crmf_report_activity *a)
{
	printf("{\"followups\": %zu, \"followups_by_method\": ", a->followups);
	json_counts(&a->by_method, false);
	printf(", \"customers_touched\": %zu, \"new_customers\": %zu, \"new_by_source\": ",
	       a->touched, a->new_customers);
	json_counts(&a->new_by_source, false);
	printf(", \"next_actions_due\": %zu, \"done_on_time\": %zu, \"done_late\": %zu, "
	       "\"still_open\": %zu, \"plan_adherence\": ",
	       a->planned, a->on_time, a->late, a->open);
	json_num(a->adherence);
	printf(", \"overdue_at_end\": %zu, \"followups_by_week\": ", a->overdue_at_end);
	json_counts(&a->by_week, false);
	fputs("}", stdout);
}

static void print_json(const crmf_report *rep)
{
	char since[11], until[11];

	crmf_date_format(rep->since, since);
	crmf_date_format(rep->until, until);
	printf("{\"since\": \"%s\", \"until\": \"%s\", \"owner\": ", since, until);
	if (rep->owner)
		cli_json_string(stdout, rep->owner);
	else
		fputs("null", stdout);
	fputs(",\n \"activity\": ", stdout);
	json_activity(&rep->team);
	fputs(",\n \"owners\": {", stdout);
	for (size_t i = 0; i < rep->n_owners; i++) {
		fputs(i ? ",\n  " : "\n  ", stdout);
		cli_json_string(stdout, rep->owners[i].owner);
		fputs(": ", stdout);
		json_activity(&rep->owners[i].a);
	}
	printf("},\n \"pipeline\": {\"history\": %s, \"transitions\": ",
	       rep->history ? "true" : "false");
	json_counts(&rep->transitions, false);
	fputs(", \"steps\": [", stdout);
	for (int s = 0; s < 3; s++) {
		printf("%s{\"from\": \"%s\", \"to\": \"%s\", \"in_from\": %zu, \"moved\": %zu, \"rate\": ",
		       s ? ", " : "", rep->steps[s].from, rep->steps[s].to, rep->steps[s].in_from,
		       rep->steps[s].moved);
		json_num(rep->steps[s].rate);
		fputs("}", stdout);
	}
	fputs("], \"median_days_in_stage\": {", stdout);
	for (int s = 1, k = 0; s <= CRMF_N_STAGES; s++) {
		if (rep->median_days[s] < 0)
			continue;
		printf("%s\"%s\": %.1f", k++ ? ", " : "", crmf_stage_values[s - 1],
		       rep->median_days[s]);
	}
	fputs("}, \"funnel\": ", stdout);
	json_counts(&rep->funnel, false);
	printf("},\n \"value\": {\"deals\": %zu, \"amount\": %.2f, \"by_month\": ", rep->deals,
	       rep->deal_amount);
	json_counts(&rep->deals_by_month, true);
	printf(", \"repurchases\": %zu, \"churned\": %zu, \"churned_value\": %.2f, \"churn_rate\": ",
	       rep->repurchases, rep->churned, rep->churned_value);
	json_num(rep->churn_rate);
	printf(", \"turned_dormant\": %zu, \"winback_activated\": %zu},\n \"shares\": {",
	       rep->turned_dormant, rep->winback_activated);
	printf("\"customers\": %zu, \"customers_before\": %zu", rep->customers,
	       rep->customers_before);
	for (int s = 0; s < CRMF_N_SHARES; s++) {
		printf(", \"%s\": ", crmf_share_names[s]);
		json_counts(&rep->shares[s], false);
		printf(", \"%s_before\": ", crmf_share_names[s]);
		json_counts(&rep->before[s], false);
	}
	fputs("},\n \"goals\": [", stdout);
	for (size_t i = 0; i < rep->n_goals; i++) {
		const crmf_report_goal *g = &rep->goals[i];
		char gs[11], gu[11];

		crmf_date_format(g->since, gs);
		crmf_date_format(g->until, gu);
		printf("%s{\"metric\": \"%s\", \"per\": \"%s\", \"since\": \"%s\", \"until\": \"%s\", "
		       "\"%s\": %.4g, \"value\": ",
		       i ? ", " : "", g->goal->metric, per_names[g->goal->per], gs, gu,
		       g->goal->is_max ? "max" : "target", g->goal->value);
		json_num(g->value);
		printf(", \"elapsed\": %.3f, \"status\": \"%s\"}", g->elapsed, g->status);
	}
	fputs("]}\n", stdout);
}

/* The page into `path`, atomically (a temporary file beside it, then renamed). */
static int write_html(const char *path, const crmf_report *rep, const crmf_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int rc;

	if (!m)
		return -1;
	cli_report_html(m, rep, cfg);
	fclose(m);
	rc = crmf_write_atomic(path, buf, len);
	if (rc != 0)
		cli_error("cannot write %s: %s", path, crmf_error_last());
	free(buf);
	return rc;
}

static int run(int argc, char **argv)
{
	cli_args args;
	const char *today_arg = NULL, *since_arg = NULL, *until_arg = NULL, *html = NULL;
	crmf_report_opts o = {0};
	bool week = false, month = false;
	cli_format fmt = FMT_TEXT;
	crmf_repository *r;
	crmf_report *rep = NULL;
	const crmf_config *cfg;
	crmf_day today;
	int c, y, m, d;

	cli_keep_freed_memory();
	cli_args_init(&args, &cmd_report, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 'w':
			week = true;
			break;
		case 'm':
			month = true;
			break;
		case 's':
			since_arg = args.arg;
			break;
		case 'u':
			until_arg = args.arg;
			break;
		case 'o':
			o.owner = args.arg;
			break;
		case 't':
			today_arg = args.arg;
			break;
		case 'f':
			if (cli_parse_format(&fmt, args.arg, 1u << FMT_TEXT | 1u << FMT_JSON))
				return EXIT_USAGE;
			break;
		case 'H':
			html = args.arg;
			break;
		}
	}
	if (c < 0)
		return args.status;
	if (args.ind < argc)
		return cli_usage_error(&cmd_report, "unexpected argument '%s'", argv[args.ind]);
	if (week + month + (since_arg != NULL) > 1)
		return cli_usage_error(&cmd_report, "choose one of --week, --month and --since");
	if (until_arg && !since_arg)
		return cli_usage_error(&cmd_report, "--until goes with --since");
	if (cli_today(&today, today_arg))
		return EXIT_USAGE;
	o.until = o.today = today;
	if (until_arg && cli_today(&o.until, until_arg))
		return EXIT_USAGE;
	if (since_arg) {
		if (cli_today(&o.since, since_arg))
			return EXIT_USAGE;
		if (o.since > o.until)
			return cli_usage_error(&cmd_report, "--since %s is after --until", since_arg);
	} else if (month) {
		crmf_date_to_ymd(today, &y, &m, &d);
		o.since = crmf_date_from_ymd(y, m, 1);
	} else {
		/* Monday of this week (1970-01-01, day 0, was a Thursday) */
		long long dow = ((long long)today % 7 + 7 + 3) % 7; /* 0 = Monday */

		o.since = today - (crmf_day)dow;
	}
	if (!(r = cli_repository()))
		return EXIT_USAGE;
	if (crmf_repository_config(&cfg, r) != 0) {
		cli_error("%s", crmf_error_last());
		crmf_repository_close(r);
		return EXIT_USAGE;
	}
	if (o.owner) {
		const crmf_member *mb = crmf_config_member(cfg, o.owner);

		if (cfg->has_team && !mb) {
			cli_error("unknown team member '%s'", o.owner);
			crmf_repository_close(r);
			return EXIT_USAGE;
		}
		if (mb)
			o.owner = mb->id;
	}
	if (crmf_report_build(&rep, r, &o) != 0) {
		cli_error("%s", crmf_error_last());
		crmf_repository_close(r);
		return EXIT_USAGE;
	}
	if (html && strcmp(html, "-") == 0) {
		cli_report_html(stdout, rep, cfg);
	} else {
		if (html && write_html(html, rep, cfg) != 0) {
			crmf_report_free(rep);
			crmf_repository_close(r);
			return EXIT_USAGE;
		}
		if (fmt == FMT_JSON)
			print_json(rep);
		else
			print_text(rep, cfg);
	}
	crmf_report_free(rep);
	crmf_repository_close(r);
	return EXIT_OK;
}
