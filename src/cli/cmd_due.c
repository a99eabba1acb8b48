/* crmf due: the agenda of follow-ups that are overdue, due today, or due soon. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"


static const char usage[] =
	"usage: crmf due [--today DATE] [--within DURATION] [--owner NAME | --mine] [--overdue]\n"
	"                [--format table|json|csv]\n"
	"\n"
	"The follow-ups to do: every customer that is neither archived nor lost and\n"
	"whose next follow-up is due on or before today + DURATION, sorted by due\n"
	"date then id, so overdue ones come first. The due date is the earliest of\n"
	"the newest follow-up's `next` deadline, the cadence of the customer's\n"
	"potential (core customers at least monthly) and, for a new lead, the first\n"
	"contact deadline of its grade (rules of crmf.yaml). Tables show the labels\n"
	"of crmf.yaml and end with a summary line; json and csv keep the canonical\n"
	"values (see doc/output.md).\n"
	"\n"
	"options:\n"
	"  --today DATE        the day to plan for (YYYY-MM-DD), default the local date\n"
	"  --within DURATION   how far ahead to look: 7d (default), 2w, 0 for today only\n"
	"  --owner NAME        only customers of this team member (id, name or email)\n"
	"  --mine              only my customers: the member matching git's user.email\n"
	"                      or user.name (GIT_AUTHOR_EMAIL/_NAME when set)\n"
	"  --overdue           only follow-ups already overdue\n"
	"  --format FMT        table (default), json or csv\n"
	"  -h, --help          show this help\n"
	"\n"
	"Customers whose files have errors in the fields the due date depends on\n"
	"(stage, created, potential, grade, deals, followups) are left out and named\n"
	"on stderr; run 'crmf check' to see the errors.\n"
	"\n"
	"exit status: 0 success, 1 customers were left out because of errors,\n"
	"2 usage or repository error\n";

struct item {
	const crmf_customer *c;
	crmf_class k;
};

static int cmp_item(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int c;

	if (a->k.next_due != b->k.next_due)
		return a->k.next_due < b->k.next_due ? -1 : 1;
	c = strcmp(a->c->id ? a->c->id : "", b->c->id ? b->c->id : "");
	return c ? c : strcmp(a->c->path, b->c->path);
}

/* ---- customers whose errors make their due date unknown ---- */

static const char *const due_fields[] = {
	"stage", "created", "potential", "grade", "deals", "followups",
};

static bool before(int l1, int c1, int l2, int c2)
{
	return l1 < l2 || (l1 == l2 && c1 < c2);
}

static bool in_pair(const crmf_pair *p, int line, int col)
{
	const crmf_node *end = p->value ? p->value : p->key;

	return !before(line, col, p->key->line, p->key->column) &&
	       !before(end->end_line, end->end_column, line, col);
}

/* Whether the error at line:col makes the due date of customer c unsure: it
 * lies in a field the date depends on, or outside every field (a problem of
 * the file's structure, which may have hidden follow-ups). */
static bool error_matters(const crmf_customer *c, int line, int col)
{
	const crmf_node *root = c->doc ? c->doc->root : NULL;

	if (!root || root->type != CRMF_NODE_MAPPING || line <= 0)
		return true;
	for (size_t i = 0; i < root->n; i++) {
		const crmf_pair *p = &root->pairs[i];

		if (!in_pair(p, line, col))
			continue;
		for (size_t k = 0; k < sizeof(due_fields) / sizeof(due_fields[0]); k++)
			if (strcmp(p->key->value, due_fields[k]) == 0)
				return true;
		return false;
	}
	return true;
}

static int cmp_path(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static bool unsure(const crmf_customer *c, const crmf_diags *d)
{
	size_t lo = 0, hi = d->n;

	if (c->errors == 0)
		return false;
	if (!c->id || c->stage == CRMF_STAGE_NONE || c->created == CRMF_NO_DAY)
		return true;
	/* diagnostics are sorted by path: find the first of this file */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_path(d->v[mid].path, c->path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < d->n && cmp_path(d->v[i].path, c->path) == 0; i++)
		if (d->v[i].severity == CRMF_SEV_ERROR &&
		    error_matters(c, d->v[i].line, d->v[i].column))
			return true;
	return false;
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

static void print_json(const struct item *v, size_t n)
{
	fputs("[", stdout);
	for (size_t i = 0; i < n; i++) {
		const crmf_customer *c = v[i].c;
		const crmf_class *k = &v[i].k;
		const char *pot = crmf_potential_name(c->potential);
		char due[11];

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
		else if (v[row - 1].k.overdue_days > 0)
			sgr = "\033[31m";
		else if (v[row - 1].k.next_due == today)
			sgr = "\033[1m";
		fprintf(stdout, "%s%.*s%s\n", sgr, (int)(nl - line), line, *sgr ? "\033[0m" : "");
		if (!*nl)
			break;
	}
	free(text);
}

static void print_table(const struct item *v, size_t n, const crmf_config *cfg, crmf_day today,
			crmf_day until, bool overdue_only, cli_format fmt)
{
	static const char *const text_heads[] = {"DUE",	  "OVERDUE", "ID",    "NAME",
						 "OWNER", "POTENTIAL", "STAGE", "REASON"};
	static const char *const csv_heads[] = {"due",	 "overdue_days", "id",	 "name", "owner",
						"potential", "stage", "kind", "reason", "path"};
	bool text = fmt == FMT_TEXT;
	cli_table *t = text ? cli_table_new(8, text_heads) : cli_table_new(10, csv_heads);
	size_t late = 0, now = 0;

	if (text) {
		cli_table_align_right(t, 1);
		cli_table_limit(t, 3, 40);
	}
	for (size_t i = 0; i < n; i++) {
		const crmf_customer *c = v[i].c;
		const crmf_class *k = &v[i].k;
		const char *pot = crmf_potential_name(c->potential);
		const char *stage = crmf_stage_name(c->stage);
		char due[11], over[16];

		day_string(due, k->next_due);
		if (text) {
			const char *cells[8];

			if (k->overdue_days > 0)
				snprintf(over, sizeof(over), "%dd", k->overdue_days);
			else
				over[0] = '\0';
			cells[0] = due;
			cells[1] = over;
			cells[2] = c->id;
			cells[3] = c->name;
			cells[4] = c->owner;
			cells[5] = pot ? crmf_config_label(cfg, "potential", pot) : "";
			cells[6] = crmf_config_label(cfg, "stage", stage);
			cells[7] = k->reason;
			cli_table_add(t, cells);
		} else {
			const char *cells[10];

			snprintf(over, sizeof(over), "%d", k->overdue_days);
			cells[0] = due;
			cells[1] = over;
			cells[2] = c->id;
			cells[3] = c->name;
			cells[4] = c->owner;
			cells[5] = pot;
			cells[6] = stage;
			cells[7] = crmf_due_kind_name(k->due_kind);
			cells[8] = k->reason;
			cells[9] = c->path;
			cli_table_add(t, cells);
		}
		if (k->overdue_days > 0)
			late++;
		else if (k->next_due == today)
			now++;
	}
	if (!text) {
		cli_table_print(stdout, t, fmt);
	} else if (n == 0) {
		char d[11];

		day_string(d, until);
		if (overdue_only)
			puts("nothing overdue");
		else
			printf("nothing due by %s\n", d);
	} else {
		char d[11];

		if (cli_color(stdout))
			print_colored(t, v, today);
		else
			cli_table_print(stdout, t, fmt);
		day_string(d, until);
		printf("\n%zu overdue, %zu due today", late, now);
		if (!overdue_only && until > today)
			printf(", %zu upcoming by %s", n - late - now, d);
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
		fprintf(stderr, "crmf: '%s' is not in the team of crmf.yaml; the team is:", who);
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
	crmf_identity *me;	  /* --mine without a team */
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

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"today", required_argument, NULL, 't'},
		{"within", required_argument, NULL, 'w'},
		{"owner", required_argument, NULL, 'o'},
		{"mine", no_argument, NULL, 'm'},
		{"overdue", no_argument, NULL, 'O'},
		{"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	cli_format fmt = FMT_TEXT;
	const char *today_arg = NULL, *owner = NULL;
	bool mine = false, overdue = false;
	int within = 7, c, rc = EXIT_USAGE;
	crmf_scan_opts so = {0};
	crmf_repo *repo = NULL;
	crmf_identity me = {0};
	struct filter filt = {0};
	struct item *v = NULL;
	size_t n = 0, bad, n_unsure = 0;
	crmf_diags diags;
	crmf_day until;
	char *root;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			today_arg = optarg;
			break;
		case 'w':
			if (crmf_duration_parse(&within, optarg, strlen(optarg)) != 0) {
				cli_error("invalid duration '%s' for --within; write days like 7d, "
					  "weeks like 2w, or 0 for today only",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			owner = optarg;
			break;
		case 'm':
			mine = true;
			break;
		case 'O':
			overdue = true;
			break;
		case 'f':
			if (cli_parse_format(&fmt, optarg,
					     1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_CSV))
				return EXIT_USAGE;
			break;
		default:
			return cli_usage_error(&cmd_due, "invalid option");
		}
	}
	if (optind < argc)
		return cli_usage_error(&cmd_due, "unexpected argument '%s'", argv[optind]);
	if (owner && mine)
		return cli_usage_error(&cmd_due, "--owner and --mine exclude each other");
	if (cli_today(&so.today, today_arg))
		return EXIT_USAGE;
	until = so.today + within;
	root = cli_repo_root();
	if (!root)
		return EXIT_USAGE;
	crmf_diags_init(&diags);
	if (crmf_repo_load(&repo, root, &so, &diags) != 0) {
		cli_error("%s", crmf_error_last());
		goto done;
	}
	if (owner) {
		if (repo->cfg->has_team) {
			filt.member = crmf_config_member(repo->cfg, owner);
			if (!filt.member) {
				rc = unknown_member(repo->cfg, owner);
				goto done;
			}
		} else {
			filt.owner = owner;
		}
	} else if (mine) {
		if (crmf_identity_get(&me, root) != 0) {
			cli_error("%s", crmf_error_last());
			goto done;
		}
		if (repo->cfg->has_team) {
			filt.member = crmf_identity_member(repo->cfg, &me);
			if (!filt.member) {
				rc = no_identity_member(&me);
				goto done;
			}
		} else if (!me.name && !me.email) {
			rc = no_identity_member(&me);
			goto done;
		} else {
			filt.me = &me;
		}
	}

	v = malloc((repo->n ? repo->n : 1) * sizeof(*v));
	if (!v)
		abort();
	bad = cli_files_with_errors(&diags);
	if (bad)
		cli_error("%zu file%s errors; run 'crmf check'", bad,
			  bad == 1 ? " has" : "s have");
	for (size_t i = 0; i < repo->n; i++) {
		const crmf_customer *cu = repo->v[i];
		struct item *it = &v[n];

		if (cu->archived || !wanted(&filt, repo->cfg, cu))
			continue;
		if (unsure(cu, &diags)) {
			if (n_unsure++ == 0)
				fputs("crmf: left out, their due date depends on fields with errors:",
				      stderr);
			fprintf(stderr, " %s", cu->path);
			continue;
		}
		it->c = cu;
		crmf_classify(&it->k, cu, repo->cfg, so.today);
		if (it->k.due_kind == CRMF_DUE_NONE || it->k.next_due > until)
			continue;
		if (overdue && it->k.overdue_days == 0)
			continue;
		n++;
	}
	if (n_unsure)
		fputc('\n', stderr);
	qsort(v, n, sizeof(*v), cmp_item);
	if (fmt == FMT_JSON)
		print_json(v, n);
	else
		print_table(v, n, repo->cfg, so.today, until, overdue, fmt);
	rc = n_unsure ? EXIT_FOUND : EXIT_OK;
done:
	free(v);
	crmf_identity_release(&me);
	crmf_diags_release(&diags);
	crmf_repo_free(repo);
	free(root);
	return rc;
}

const struct crmf_cmd cmd_due = {
	"due",
	run,
	"the agenda: follow-ups overdue, due today and due soon",
	usage,
};
