/* SPDX-License-Identifier: MIT */
/* crmf due: the agenda of follow-ups that are overdue, due today, or due soon. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "crmf/perf.h"
#include "crmf/sort.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'t', 0, "today", "DATE", N_("the day to plan for (YYYY-MM-DD), default the local date")},
    {'w', 0, "within", "DURATION", N_("how far ahead to look: 7d (default), 2w, 0 for today only")},
    {'o', 0, "owner", "NAME", N_("only customers of this team member (id, name or email)")},
    {'m', 0, "mine", NULL,
     N_("only my customers: the member matching git's user.email\n"
     "or user.name (GIT_AUTHOR_EMAIL/_NAME when set)")},
    {'O', 0, "overdue", NULL, N_("only follow-ups already overdue")},
    {'f', 0, "format", "FMT",
     N_("table (default), json, csv, or ics: an iCalendar feed for\n"
     "Outlook, phone calendars and DingTalk (one event per customer)")},
    {'E', 0, "excel", NULL, N_("CSV for Excel and WPS: a byte-order mark, formulas defused")},
    {'W', 0, "wide", NULL, N_("a table with every column whole, whatever the terminal")},
    {'N', 0, "no-cache", NULL, N_("check every file again, ignoring the validation cache")},
    {0},
};

const struct crmf_cmd cmd_due = {
    .name = "due",
    .run = run,
    .summary = N_("the agenda: follow-ups overdue, due today and due soon"),
    .synopsis = "[--today DATE] [--within DURATION] [--owner NAME | --mine] [--overdue]\n"
		"    [--format table|json|csv|ics] [--excel] [--wide] [--no-cache]",
    .description = N_("The follow-ups to do: every customer that is neither archived nor lost and\n"
		   "whose next follow-up is due on or before today + DURATION, sorted by due\n"
		   "date then id, so overdue ones come first. The due date is the earliest of\n"
		   "the newest follow-up's `next` deadline, the cadence of the customer's\n"
		   "potential (core customers at least monthly) and, for a new lead, the first\n"
		   "contact deadline of its grade (rules of crmf.yaml). Tables show the labels\n"
		   "of crmf.yaml and end with a summary line; json and csv keep the canonical\n"
		   "values (see doc/output.md).\n"),
    .opts = options,
    .notes = N_("Customers whose files have errors in the fields the due date depends on\n"
	     "(stage, created, potential, grade, deals, followups) are left out and named\n"
	     "on stderr; run 'crmf check' to see the errors.\n"
	     "\n"
	     "exit status: 0 success, 1 customers were left out because of errors,\n"
	     "2 usage or repository error\n"),
    .opt_width = 20,
};

/* A row of the agenda: its classification (a few hundred bytes with the
 * reason) is worked out again when printed, so that a long agenda stays small. */
struct item {
	const crmf_customer *c;
	/* the id's first 16 bytes, big-endian: they order most rows of a day
	 * without reaching for the customer, somewhere in memory */
	uint64_t key[2];
	crmf_day next_due;
	int overdue_days;
};

static void id_key(uint64_t key[2], const char *id)
{
	key[0] = key[1] = 0;
	for (size_t i = 0; i < 16 && id[i]; i++)
		key[i / 8] |= (uint64_t)(unsigned char)id[i] << (56 - 8 * (i % 8));
}

static inline int cmp_item(const struct item *a, const struct item *b)
{
	int c;

	if (a->next_due != b->next_due)
		return a->next_due < b->next_due ? -1 : 1;
	if (a->key[0] != b->key[0])
		return a->key[0] < b->key[0] ? -1 : 1;
	if (a->key[1] != b->key[1])
		return a->key[1] < b->key[1] ? -1 : 1;
	c = strcmp(a->c->id ? a->c->id : "", b->c->id ? b->c->id : "");
	return c ? c : strcmp(a->c->path, b->c->path);
}

static inline bool item_less(const struct item *a, const struct item *b)
{
	return cmp_item(a, b) < 0;
}

CRMF_DEFINE_SORT(sort_items, struct item, item_less)

/* The scan tells which customers have errors in the fields their due date
 * depends on (stage, created, potential, grade, deals, followups). */
static bool unsure(const crmf_customer *c)
{
	return crmf_summary_of(c)->unsure;
}

/* ---- output ---- */

static void day_string(char buf[11], crmf_day d)
{
	crmf_date_format(d, buf);
}

static void json_string_or_null(const char *s)
{
	if (s)
		cli_json_string(stdout, s);
	else
		fputs("null", stdout);
}

static void print_json(const struct item *v, size_t n, const crmf_config *cfg, crmf_day today)
{
	fputs("[", stdout);
	for (size_t i = 0; i < n; i++) {
		const crmf_customer *c = v[i].c;
		const char *pot = crmf_potential_name(c->potential);
		char due[11];
		crmf_class kc, *k = &kc;

		crmf_classify(k, c, cfg, today);
		day_string(due, k->next_due);
		fputs(i ? ",\n " : "\n ", stdout);
		fputs("{\"id\": ", stdout);
		cli_json_string(stdout, c->id);
		fputs(", \"name\": ", stdout);
		json_string_or_null(c->name);
		fputs(", \"owner\": ", stdout);
		json_string_or_null(c->owner);
		fprintf(stdout, ", \"due\": \"%s\", \"overdue_days\": %d, \"kind\": \"%s\", \"reason\": ",
			due, k->overdue_days, crmf_due_kind_name(k->due_kind));
		cli_json_string(stdout, k->reason);
		fputs(", \"next\": ", stdout);
		json_string_or_null(k->next);
		fputs(", \"potential\": ", stdout);
		json_string_or_null(pot);
		fprintf(stdout, ", \"stage\": \"%s\", \"quadrant\": \"%s\", \"path\": ",
			crmf_stage_name(c->stage), crmf_quadrant_name(k->quadrant));
		cli_json_string(stdout, c->path);
		fputc('}', stdout);
	}
	fputs(n ? "\n]\n" : "]\n", stdout);
}

/*
 * The agenda as an iCalendar feed: one all-day event per customer, on its due
 * date, or today when overdue (a calendar shows what to do today, not a day
 * long gone), with the customer, the reason and the next action. The UID is
 * the customer's id, so a calendar that imports the feed again moves the
 * event instead of adding a second one.
 */
static void print_ics(const struct item *v, size_t n, const crmf_config *cfg, crmf_day today,
		      const char *owner)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32], buf[64];

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	fputs("BEGIN:VCALENDAR\r\n", stdout);
	cli_ics_line(stdout, "VERSION", "2.0");
	cli_ics_line(stdout, "PRODID", "-//crmf//crmf " CRMF_VERSION "//EN");
	cli_ics_line(stdout, "CALSCALE", "GREGORIAN");
	cli_ics_line(stdout, "METHOD", "PUBLISH");
	snprintf(buf, sizeof(buf), "crmf due%s%.40s", owner ? ": " : "", owner ? owner : "");
	cli_ics_line(stdout, "X-WR-CALNAME", buf);
	for (size_t i = 0; i < n; i++) {
		const crmf_customer *c = v[i].c;
		crmf_class k;
		crmf_day on;
		int y, m, d;
		char due[11], date[16], *text, *summary = NULL, *desc = NULL;

		crmf_classify(&k, c, cfg, today);
		on = k.next_due < today ? today : k.next_due;
		crmf_date_to_ymd(on, &y, &m, &d);
		snprintf(date, sizeof(date), "%04d%02d%02d", y, m, d);
		day_string(due, k.next_due);
		fputs("BEGIN:VEVENT\r\n", stdout);
		snprintf(buf, sizeof(buf), "crmf-due-%.40s", c->id);
		cli_ics_line(stdout, "UID", buf);
		cli_ics_line(stdout, "DTSTAMP", stamp);
		cli_ics_line(stdout, "DTSTART;VALUE=DATE", date);
		crmf_date_to_ymd(on + 1, &y, &m, &d);
		snprintf(date, sizeof(date), "%04d%02d%02d", y, m, d);
		cli_ics_line(stdout, "DTEND;VALUE=DATE", date);
		if (k.overdue_days > 0)
			snprintf(buf, sizeof(buf), "[overdue %dd] ", k.overdue_days);
		else
			buf[0] = '\0';
		if (asprintf(&summary, "%s%s: %s", buf, c->name ? c->name : c->id,
			     k.next ? k.next : k.reason) < 0)
			summary = NULL;
		text = summary ? cli_ics_text(summary) : NULL;
		cli_ics_line(stdout, "SUMMARY", text ? text : c->id);
		free(text);
		if (asprintf(&desc, "%s (%s), owner %s, stage %s\ndue %s: %s%s%s\n%s", c->id,
			     c->name ? c->name : "", c->owner ? c->owner : "-",
			     crmf_config_label(cfg, "stage", crmf_stage_name(c->stage)), due, k.reason,
			     k.next ? "\nnext action: " : "", k.next ? k.next : "", c->path) < 0)
			desc = NULL;
		text = desc ? cli_ics_text(desc) : NULL;
		cli_ics_line(stdout, "DESCRIPTION", text ? text : "");
		free(text);
		cli_ics_line(stdout, "CATEGORIES", k.overdue_days > 0 ? "crmf,overdue" : "crmf");
		cli_ics_line(stdout, "TRANSP", "TRANSPARENT");
		fputs("END:VEVENT\r\n", stdout);
		free(summary);
		free(desc);
	}
	fputs("END:VCALENDAR\r\n", stdout);
}

/*
 * Print the aligned table, overdue rows in red and today's in bold when
 * colour is on. The table module knows no row colours, so the table is laid
 * out in memory and each line wrapped whole: escape codes inside cells would
 * count towards the column widths.
 */
static void print_colored(const cli_table *t, const struct item *v, crmf_day today)
{
	char *text = NULL, *line, *nl;
	size_t len = 0, row = 0;
	FILE *m;
	struct winsize ws;
	char cols[16];

	/* the table fits itself to $COLUMNS when not printing to a terminal */
	if (!getenv("COLUMNS") && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		snprintf(cols, sizeof(cols), "%d", ws.ws_col);
		setenv("COLUMNS", cols, 0);
	}
	m = open_memstream(&text, &len);
	if (!m)
		abort();
	cli_table_print(m, t, FMT_TEXT);
	fclose(m);
	for (line = text; *line; line = nl + 1, row++) {
		const char *sgr = "";

		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		if (row == 0)
			sgr = "\033[1m";
		else if (v[row - 1].overdue_days > 0)
			sgr = "\033[31m";
		else if (v[row - 1].next_due == today)
			sgr = "\033[1m";
		fprintf(stdout, "%s%.*s%s\n", sgr, (int)(nl - line), line, *sgr ? "\033[0m" : "");
		if (!*nl)
			break;
	}
	free(text);
}

struct rows {
	const struct item *v;
	size_t n;
	const crmf_config *cfg;
	crmf_day today;
	bool text;
	/* the labels of crmf.yaml, looked up once, not per row */
	const char *stage_label[CRMF_STAGE_LOST + 1], *potential_label[CRMF_POTENTIAL_LOW + 1];
};

/* One row of the table (in several threads at once). */
static void make_row(void *ctx, size_t i, cli_row_sink *sink)
{
	const struct rows *r = ctx;
	const crmf_customer *c = r->v[i].c;
	const crmf_config *cfg = r->cfg;
	const char *pot = crmf_potential_name(c->potential);
	const char *stage = crmf_stage_name(c->stage);
	char due[11], over[16];
	crmf_class k;

	/* the rows are in date order, their customers all over memory: ask for
	 * one a few rows ahead (a miss costs most on a virtual machine) */
	if (i + 8 < r->n)
		for (size_t b = 0; b < 512; b += 64)
			__builtin_prefetch((const char *)r->v[i + 8].c + b);
	crmf_classify(&k, c, cfg, r->today);
	day_string(due, k.next_due);
	if (r->text) {
		const char *cells[8];

		if (k.overdue_days > 0)
			strcpy(crmf_int_text(over, k.overdue_days), "d"); /* no snprintf: dear per row */
		else
			over[0] = '\0';
		cells[0] = due;
		cells[1] = over;
		cells[2] = c->id;
		cells[3] = c->name;
		cells[4] = c->owner;
		cells[5] =
		    c->potential <= CRMF_POTENTIAL_LOW ? r->potential_label[c->potential] : "";
		cells[6] = c->stage <= CRMF_STAGE_LOST ? r->stage_label[c->stage] : "";
		cells[7] = k.reason;
		/* the customer's strings and the labels outlive the table */
		cli_row_put_borrowed(sink, cells, 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 6);
	} else {
		const char *cells[10];

		crmf_int_text(over, k.overdue_days);
		cells[0] = due;
		cells[1] = over;
		cells[2] = c->id;
		cells[3] = c->name;
		cells[4] = c->owner;
		cells[5] = pot;
		cells[6] = stage;
		cells[7] = crmf_due_kind_name(k.due_kind);
		cells[8] = k.reason;
		cells[9] = c->path;
		cli_row_put_borrowed(sink, cells,
				     1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 7 |
					 1u << 9);
	}
}

struct look {
	cli_format fmt;
	bool excel, wide;
};

static void print_table(const struct item *v, size_t n, const crmf_config *cfg, crmf_day today,
			crmf_day until, bool overdue_only, const struct look *look)
{
	cli_format fmt = look->fmt;
	const char *const text_heads[] = {_("DUE"),	  _("OVERDUE"), _("ID"),    _("NAME"),
						 _("OWNER"), _("POTENTIAL"), _("STAGE"), _("REASON")};
	static const char *const csv_heads[] = {"due",	 "overdue_days", "id",	 "name", "owner",
						"potential", "stage", "kind", "reason", "path"};
	bool text = fmt == FMT_TEXT;
	cli_table *t = text ? cli_table_new(8, text_heads) : cli_table_new(10, csv_heads);
	struct rows rows = {v, n, cfg, today, text, {NULL}, {NULL}};
	size_t late = 0, now = 0;

	for (int st = CRMF_STAGE_NONE; st <= CRMF_STAGE_LOST; st++)
		rows.stage_label[st] = crmf_config_label(cfg, "stage", crmf_stage_name(st));
	for (int p = CRMF_POTENTIAL_NONE; p <= CRMF_POTENTIAL_LOW; p++)
		rows.potential_label[p] =
		    p ? crmf_config_label(cfg, "potential", crmf_potential_name(p)) : "";

	cli_table_wide(t, look->wide);
	cli_table_excel(t, look->excel);
	if (text) {
		cli_table_align_right(t, 1);
		cli_table_limit(t, 3, 40);
		cli_table_shrink_first(t, 3);
		cli_table_drop_first(t, 5, 1); /* potential */
		cli_table_drop_first(t, 6, 2); /* stage */
	}
	cli_table_fill(t, n, make_row, &rows);
	for (size_t i = 0; i < n; i++) {
		if (v[i].overdue_days > 0)
			late++;
		else if (v[i].next_due == today)
			now++;
	}
	if (!text) {
		cli_table_print(stdout, t, fmt);
	} else if (n == 0) {
		char d[11];

		day_string(d, until);
		if (overdue_only)
			puts(_("nothing overdue"));
		else
			printf(_("nothing due by %s\n"), d);
	} else {
		char d[11];

		if (cli_color(stdout))
			print_colored(t, v, today);
		else
			cli_table_print(stdout, t, fmt);
		day_string(d, until);
		printf(_("\n%zu overdue, %zu due today"), late, now);
		if (!overdue_only && until > today)
			printf(_(", %zu upcoming by %s"), n - late - now, d);
		putchar('\n');
	}
	cli_table_free(t);
}

/* ---- owner filters ---- */

static int unknown_member(const crmf_config *cfg, const char *who)
{
	const char **ids = malloc((cfg->n_team ? cfg->n_team : 1) * sizeof(*ids));
	const char *s;

	if (!ids)
		abort();
	for (size_t i = 0; i < cfg->n_team; i++)
		ids[i] = cfg->team[i].id;
	s = crmf_suggest(who, ids, cfg->n_team);
	if (s) {
		cli_error("'%s' is not in the team of crmf.yaml; did you mean '%s'?", who, s);
	} else {
		fprintf(stderr, _("crmf: '%s' is not in the team of crmf.yaml; the team is:"), who);
		for (size_t i = 0; i < cfg->n_team; i++)
			fprintf(stderr, " %s", ids[i]);
		fputc('\n', stderr);
	}
	free(ids);
	return EXIT_USAGE;
}

static int no_identity_member(const crmf_identity *id)
{
	if (!id->name && !id->email) {
		cli_error("--mine needs your git identity; set it with git config user.email "
			  "you@example.com (or use --owner NAME)");
		return EXIT_USAGE;
	}
	cli_error("your git identity '%s <%s>' matches no member of the team in crmf.yaml; "
		  "add your email to your team entry, set git config user.email to it, or use "
		  "--owner NAME",
		  id->name ? id->name : "", id->email ? id->email : "");
	return EXIT_USAGE;
}

struct filter {
	const char *owner;	  /* --owner without a declared team: the owner as written */
	const crmf_member *member; /* --owner or --mine with a team */
	const crmf_identity *me; /* --mine without a team */
};

static bool wanted(const struct filter *f, const crmf_config *cfg, const crmf_customer *c)
{
	if (f->member)
		return c->owner && crmf_config_member(cfg, c->owner) == f->member;
	if (f->owner)
		return c->owner && strcmp(c->owner, f->owner) == 0;
	if (f->me)
		return crmf_identity_owns(cfg, f->me, c->owner);
	return true;
}

struct due_ctx {
	const struct filter *filt;
	crmf_day today, until;
	bool overdue;
};

/* In the scan's worker threads: keep only the customers the agenda shows or
 * names, so that memory holds the agenda, not the repository. */
static bool due_wanted(void *ctx, const crmf_customer *c, bool is_unsure, const crmf_config *cfg)
{
	const struct due_ctx *d = ctx;
	crmf_class k;

	if (c->archived || !wanted(d->filt, cfg, c))
		return false;
	if (is_unsure)
		return true;
	crmf_classify_quick(&k, c, cfg, d->today);
	return k.due_kind != CRMF_DUE_NONE && k.next_due <= d->until &&
	       (!d->overdue || k.overdue_days > 0);
}

/* The same for a summary (a file the validation cache knows). */
static bool keep_due(void *ctx, const crmf_customer *c, const crmf_config *cfg)
{
	return due_wanted(ctx, c, unsure(c), cfg);
}

/* Working out the agenda from the kept customers, in parts on all cores:
 * each part dates its candidates, drops those not due and sorts what is
 * left; the sorted parts are then merged. */
struct agenda {
	struct item *v;
	const crmf_config *cfg;
	crmf_day today, until;
	bool overdue;
	size_t kept[16]; /* per part: its rows, at the start of its range */
};

static void date_part(void *ctx, size_t part, size_t lo, size_t hi)
{
	struct agenda *a = ctx;
	size_t n = lo;

	for (size_t i = lo; i < hi; i++) {
		struct item it = a->v[i];
		crmf_class k;

		crmf_classify_quick(&k, it.c, a->cfg, a->today);
		if (k.due_kind == CRMF_DUE_NONE || k.next_due > a->until)
			continue;
		if (a->overdue && k.overdue_days == 0)
			continue;
		it.next_due = k.next_due;
		it.overdue_days = k.overdue_days;
		id_key(it.key, it.c->id ? it.c->id : "");
		a->v[n++] = it;
	}
	sort_items(a->v + lo, n - lo);
	a->kept[part] = n - lo;
}

/* Date, filter and sort the n candidates of v; returns the rows, sorted, in
 * v (the merge goes through tmp, n items). */
static size_t sort_agenda(struct agenda *a, size_t n, struct item *tmp)
{
	size_t parts = crmf_parallel_parts(n, 4096), head[16], end[16], out = 0;

	if (parts > 16)
		parts = 16;
	crmf_parallel_for(n, parts, date_part, a);
	if (parts == 1)
		return a->kept[0];
	for (size_t p = 0; p < parts; p++) {
		head[p] = n * p / parts;
		end[p] = head[p] + a->kept[p];
	}
	for (;;) {
		size_t best = parts;

		for (size_t p = 0; p < parts; p++)
			if (head[p] < end[p] &&
			    (best == parts || cmp_item(&a->v[head[p]], &a->v[head[best]]) < 0))
				best = p;
		if (best == parts)
			break;
		tmp[out++] = a->v[head[best]++];
	}
	memcpy(a->v, tmp, out * sizeof(*tmp));
	return out;
}

/* What the command line asks of due. */
struct due_cmd {
	cli_format fmt;
	const char *owner;
	bool mine, overdue, excel, wide;
	int within;
	crmf_scan_opts so;
};

/* The options into *o: -1 when they are good, else the exit status. */
static int parse_options(struct due_cmd *o, int argc, char **argv)
{
	cli_args args;
	const char *today_arg = NULL;
	bool fmt_given = false;
	int c;

	cli_args_init(&args, &cmd_due, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 't':
			today_arg = args.arg;
			break;
		case 'w':
			if (crmf_duration_parse(&o->within, args.arg, strlen(args.arg)) != 0) {
				cli_error("invalid duration '%s' for --within; write days like 7d, "
					  "weeks like 2w, or 0 for today only",
					  args.arg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			o->owner = args.arg;
			break;
		case 'm':
			o->mine = true;
			break;
		case 'O':
			o->overdue = true;
			break;
		case 'f':
			if (cli_parse_format(&o->fmt, args.arg,
					     1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_CSV |
						     1u << FMT_ICS))
				return EXIT_USAGE;
			fmt_given = true;
			break;
		case 'N':
			o->so.no_cache = true;
			break;
		case 'E':
			o->excel = true;
			break;
		case 'W':
			o->wide = true;
			break;
		}
	}
	if (c < 0)
		return args.status;
	if (args.ind < argc)
		return cli_usage_error(&cmd_due, "unexpected argument '%s'", argv[args.ind]);
	if (o->owner && o->mine)
		return cli_usage_error(&cmd_due, "--owner and --mine exclude each other");
	if (o->excel && fmt_given && o->fmt != FMT_CSV)
		return cli_usage_error(&cmd_due, "--excel writes CSV; leave out --format or say csv");
	if (o->excel)
		o->fmt = FMT_CSV;
	if (cli_today(&o->so.today, today_arg))
		return EXIT_USAGE;
	return -1;
}

/* Whose agenda: --owner or --mine into *filt. -1 when found, else the exit
 * status with the error printed. */
static int resolve_filter(struct filter *filt, const struct due_cmd *o, const crmf_config *cfg,
			  crmf_repository *r)
{
	const crmf_identity *me = NULL;

	if (o->owner) {
		if (!cfg->has_team) {
			filt->owner = o->owner;
			return -1;
		}
		filt->member = crmf_config_member(cfg, o->owner);
		return filt->member ? -1 : unknown_member(cfg, o->owner);
	}
	if (!o->mine)
		return -1;
	if (crmf_repository_identity(&me, r) != 0) {
		cli_error("%s", crmf_error_last());
		return EXIT_USAGE;
	}
	if (cfg->has_team) {
		filt->member = crmf_identity_member(cfg, me);
		return filt->member ? -1 : no_identity_member(me);
	}
	if (!me->name && !me->email)
		return no_identity_member(me);
	filt->me = me;
	return -1;
}

/* The kept customers the agenda may show, into v; those whose due date
 * depends on fields with errors are named on stderr instead (*n_unsure). */
static size_t candidates(struct item *v, size_t *n_unsure, const crmf_repo *repo,
			 const struct filter *filt)
{
	size_t n = 0;

	*n_unsure = 0;
	for (size_t i = 0; i < repo->n; i++) {
		const crmf_customer *cu = repo->v[i];

		if (i + 8 < repo->n) /* the customers lie apart in memory */
			__builtin_prefetch(repo->v[i + 8]);
		if (cu->archived || !wanted(filt, repo->cfg, cu))
			continue;
		if (unsure(cu)) {
			if ((*n_unsure)++ == 0)
				fputs(_("crmf: left out, their due date depends on fields with errors:"),
				      stderr);
			fprintf(stderr, " %s", cu->path);
			continue;
		}
		v[n++] = (struct item){cu, {0, 0}, 0, 0};
	}
	if (*n_unsure)
		fputc('\n', stderr);
	return n;
}

static int run(int argc, char **argv)
{
	struct due_cmd o = {.fmt = FMT_TEXT, .within = 7};
	int rc;
	crmf_repo *repo = NULL;
	struct filter filt = {0};
	struct due_ctx dc = {&filt, 0, 0, false};
	struct agenda ag;
	struct item *v = NULL;
	size_t n = 0, cap_v = 0, bad, n_unsure = 0;
	crmf_diags diags;
	crmf_day until;
	crmf_repository *r = NULL;

	rc = parse_options(&o, argc, argv);
	if (rc >= 0)
		return rc;
	rc = EXIT_USAGE;
	until = o.so.today + o.within;
	r = cli_repository();
	if (!r)
		return EXIT_USAGE;
	crmf_diags_init(&diags);
	if (crmf_repo_open(&repo, crmf_repository_root(r)) != 0) {
		cli_error("%s", crmf_error_last());
		goto done;
	}
	rc = resolve_filter(&filt, &o, repo->cfg, r);
	if (rc >= 0)
		goto done;
	rc = EXIT_USAGE;

	dc.today = o.so.today;
	dc.until = until;
	dc.overdue = o.overdue;
	o.so.mode = CRMF_SCAN_SUMMARY;
	o.so.keep = keep_due;
	o.so.prefilter = due_wanted;
	o.so.keep_ctx = &dc;
	if (crmf_repo_scan(repo, &o.so, &diags) != 0) {
		cli_error("%s", crmf_error_last());
		goto done;
	}
	/* the candidates, then room to merge them: its pages at once */
	cap_v = 2 * (repo->n ? repo->n : 1);
	v = crmf_table_alloc(cap_v, sizeof(*v));
	bad = cli_files_with_errors(&diags);
	if (bad)
		cli_error("%zu file%s errors; run 'crmf check'", bad,
			  bad == 1 ? " has" : "s have");
	n = candidates(v, &n_unsure, repo, &filt);
	ag = (struct agenda){v, repo->cfg, o.so.today, until, o.overdue, {0}};
	n = sort_agenda(&ag, n, v + cap_v / 2);
	if (o.fmt == FMT_JSON)
		print_json(v, n, repo->cfg, o.so.today);
	else if (o.fmt == FMT_ICS)
		print_ics(v, n, repo->cfg, o.so.today, o.owner ? o.owner : o.mine ? "mine" : NULL);
	else
		print_table(v, n, repo->cfg, o.so.today, until, o.overdue,
			    &(struct look){o.fmt, o.excel, o.wide});
	rc = n_unsure ? EXIT_FOUND : EXIT_OK;
done:
	crmf_table_free(v, cap_v, sizeof(*v));
	crmf_diags_release(&diags);
	crmf_repo_free(repo);
	crmf_repository_close(r);
	return rc;
}
