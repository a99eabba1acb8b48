/* SPDX-License-Identifier: MIT */
/* Shell completion: `crmf __complete WORD…` answers what the scripts of `crmf completion` ask. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crmf/fields.h"
#include "crmf/repository.h"
#include "crmf/scan.h"
#include "crmf/schema.h"

/*
 * The protocol, shared with the three scripts of cmd_completion.c: the words
 * of the command line after `crmf` up to the cursor, the last one being the
 * word completed (empty when the cursor follows a blank). The answer is a
 * first line telling the script what more to do, then one candidate per line,
 * `VALUE` or `VALUE<TAB>DESCRIPTION`, already filtered by the word's prefix:
 *
 *   :         nothing more
 *   :files    add the file names that match (a FILE or PATH is wanted)
 *   :dirs     add the folder names that match
 *   :nospace  no blank after the candidate (FIELD= waits for its value)
 *
 * Everything is read from the command table, the field table and crmf.yaml,
 * so that completion follows the commands as they change. Any problem (no
 * repository, a broken crmf.yaml) gives fewer candidates, never an error.
 */

/* What a command's operands are, by position: the first, then every later one. */
typedef enum {
	OPD_NONE,
	OPD_CUSTOMER, /* an id (or the start of a name) of any customer */
	OPD_ACTIVE,   /* a customer of customers/ */
	OPD_ARCHIVED, /* a customer of archive/ */
	OPD_FILES,
	OPD_DIRS,
	OPD_MEMBER,   /* a team member still in the team */
	OPD_KEYVAL,   /* FIELD=VALUE */
	OPD_WORDS,    /* one of a fixed list */
	OPD_COMMAND,  /* a command name */
} operand_kind;

static const struct {
	const char *cmd;
	operand_kind first, rest;
	const char *words; /* OPD_WORDS: blank-separated */
} operands[] = {
    {"init", OPD_DIRS, OPD_NONE, NULL},
    {"check", OPD_FILES, OPD_FILES, NULL},
    {"show", OPD_CUSTOMER, OPD_NONE, NULL},
    {"new", OPD_NONE, OPD_KEYVAL, NULL},
    {"import", OPD_FILES, OPD_FILES, NULL},
    {"log", OPD_ACTIVE, OPD_NONE, NULL},
    {"set", OPD_CUSTOMER, OPD_KEYVAL, NULL},
    {"reassign", OPD_MEMBER, OPD_MEMBER, NULL},
    {"edit", OPD_CUSTOMER, OPD_NONE, NULL},
    {"archive", OPD_ACTIVE, OPD_ACTIVE, NULL},
    {"restore", OPD_ARCHIVED, OPD_ARCHIVED, NULL},
    {"history", OPD_CUSTOMER, OPD_NONE, NULL},
    {"hooks", OPD_WORDS, OPD_NONE, "install uninstall"},
    {"merge-driver", OPD_FILES, OPD_FILES, NULL},
    {"merge", OPD_ACTIVE, OPD_ACTIVE, NULL},
    {"completion", OPD_WORDS, OPD_NONE, "bash zsh fish"},
    {"help", OPD_COMMAND, OPD_NONE, NULL},
};

typedef struct {
	const char *cur; /* the word completed */
	size_t cur_len;
	const char *dir; /* -C DIR, else "." */
	crmf_repository *repo;
	const crmf_config *cfg;
	bool cfg_tried;
	const char *directive;
	FILE *out; /* the candidates, printed after the directive */
} ctx;

static void put(ctx *x, const char *value, const char *desc)
{
	if (strncmp(value, x->cur, x->cur_len) != 0)
		return;
	if (desc && *desc)
		fprintf(x->out, "%s\t%s\n", value, desc);
	else
		fprintf(x->out, "%s\n", value);
}

/* VALUE after `prefix` (e.g. "stage=", "--format="), as one candidate */
static void put_after(ctx *x, const char *prefix, const char *value, const char *desc)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s%s", prefix, value);
	put(x, buf, desc);
}

static const crmf_config *config(ctx *x)
{
	if (!x->cfg_tried) {
		x->cfg_tried = true;
		if (crmf_repository_open(&x->repo, x->dir) == 0 &&
		    crmf_repository_config(&x->cfg, x->repo) != 0)
			x->cfg = NULL;
	}
	return x->cfg;
}

static void put_members(ctx *x, const char *prefix)
{
	const crmf_config *cfg = config(x);

	for (size_t i = 0; cfg && i < cfg->n_team; i++)
		if (cfg->team[i].left == CRMF_NO_DAY)
			put_after(x, prefix, cfg->team[i].id, cfg->team[i].name);
}

/* Customers: their ids (the name as description), and the names that start
 * with the word when it is no id's start. */
static void put_customers(ctx *x, operand_kind kind)
{
	crmf_scan_opts so = {.today = crmf_date_today(), .mode = CRMF_SCAN_SUMMARY};
	crmf_diags diags;
	crmf_repo *repo = NULL;
	bool an_id = false;

	if (!config(x))
		return;
	crmf_diags_init(&diags);
	if (crmf_repo_load(&repo, crmf_repository_root(x->repo), &so, &diags) == 0) {
		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < repo->n; i++) {
				const crmf_customer *c = repo->v[i];
				const char *v = pass == 0 ? c->id : c->name;

				if (!v || (kind == OPD_ACTIVE && c->archived) ||
				    (kind == OPD_ARCHIVED && !c->archived))
					continue;
				if (pass == 1 && (an_id || !x->cur_len))
					break;
				if (strncmp(v, x->cur, x->cur_len) == 0)
					an_id = an_id || pass == 0;
				put(x, v, pass == 0 ? c->name : c->id);
			}
	}
	crmf_repo_free(repo);
	crmf_diags_release(&diags);
}

/* crmf.yaml's label of a value, NULL when it has none */
static const char *label(const crmf_config *cfg, const char *field, const char *value)
{
	const char *l = cfg ? crmf_config_label(cfg, field, value) : NULL;

	return l && strcmp(l, value) != 0 ? l : NULL;
}

/* The values a field takes, after `prefix`, with their labels as descriptions. */
static void put_field_values(ctx *x, const char *prefix, const char *field)
{
	const crmf_config *cfg = config(x);
	const crmf_field *f = crmf_field_find(field, strlen(field));
	const crmf_strlist *list = NULL;

	if (f && f->kind == CRMF_FIELD_ENUM) {
		for (size_t i = 0; i < f->n_values; i++)
			put_after(x, prefix, f->values[i], label(cfg, crmf_field_key(f), f->values[i]));
		return;
	}
	if (f && f->kind == CRMF_FIELD_MEMBER) {
		put_members(x, prefix);
		return;
	}
	if (!cfg)
		return;
	if (strcmp(field, "industry") == 0)
		list = &cfg->industries;
	else if (strcmp(field, "size") == 0)
		list = &cfg->sizes;
	else if (strcmp(field, "source") == 0)
		list = &cfg->sources;
	for (size_t i = 0; !list && i < cfg->n_fields; i++)
		if (strcmp(cfg->fields[i].name, field) == 0)
			list = &cfg->fields[i].values;
	for (size_t i = 0; list && i < list->n; i++)
		put_after(x, prefix, list->v[i], label(cfg, field, list->v[i]));
}

/* The top-level fields and crmf.yaml's custom fields, each followed by `suffix`. */
static void put_fields(ctx *x, const char *suffix)
{
	size_t n;
	const crmf_field *f = crmf_fields(&n);
	const crmf_config *cfg = config(x);

	for (size_t i = 0; i < n; i++)
		if (!strchr(f[i].path, '.'))
			put_after(x, f[i].path, suffix, f[i].label_zh);
	for (size_t i = 0; cfg && i < cfg->n_fields; i++)
		put_after(x, cfg->fields[i].name, suffix, NULL);
}

static void put_keyval(ctx *x)
{
	const char *eq = memchr(x->cur, '=', x->cur_len);
	char key[128], prefix[130];

	if (!eq) {
		x->directive = ":nospace";
		put_fields(x, "=");
		return;
	}
	snprintf(key, sizeof(key), "%.*s", (int)(eq - x->cur), x->cur);
	snprintf(prefix, sizeof(prefix), "%s=", key);
	put_field_values(x, prefix, key);
}

static void put_words(ctx *x, const char *words)
{
	char buf[64];

	for (const char *p = words; *p;) {
		size_t n = strcspn(p, " ");

		snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
		put(x, buf, NULL);
		p += n + (p[n] == ' ');
	}
}

static void put_commands(ctx *x)
{
	size_t n;
	const struct crmf_cmd *const *cmds = cli_commands(&n);

	for (size_t i = 0; i < n; i++)
		put(x, cmds[i]->name, cmds[i]->summary);
}

static void put_operand(ctx *x, const struct crmf_cmd *cmd, size_t index)
{
	for (size_t i = 0; i < sizeof(operands) / sizeof(operands[0]); i++) {
		operand_kind k;

		if (strcmp(operands[i].cmd, cmd->name) != 0)
			continue;
		k = index == 0 ? operands[i].first : operands[i].rest;
		switch (k) {
		case OPD_CUSTOMER:
		case OPD_ACTIVE:
		case OPD_ARCHIVED:
			put_customers(x, k);
			break;
		case OPD_FILES:
			x->directive = ":files";
			break;
		case OPD_DIRS:
			x->directive = ":dirs";
			break;
		case OPD_MEMBER:
			put_members(x, "");
			break;
		case OPD_KEYVAL:
			put_keyval(x);
			break;
		case OPD_WORDS:
			put_words(x, operands[i].words);
			break;
		case OPD_COMMAND:
			put_commands(x);
			break;
		case OPD_NONE:
			break;
		}
		return;
	}
}

/* The values the synopsis lists for --NAME ("--format table|json|csv"), after `prefix`. */
static bool put_synopsis_values(ctx *x, const struct crmf_cmd *cmd, const char *name,
				const char *prefix)
{
	char pat[64];
	const char *p = cmd->synopsis;
	bool any = false;

	snprintf(pat, sizeof(pat), "--%s ", name);
	while (p && (p = strstr(p, pat))) {
		const char *v = p + strlen(pat);
		size_t n = strcspn(v, " ]\n");

		p = v;
		if (!memchr(v, '|', n))
			continue;
		while (n > 0) {
			size_t k = strcspn(v, "|");
			char buf[64];

			if (k > n)
				k = n;
			snprintf(buf, sizeof(buf), "%.*s", (int)k, v);
			put_after(x, prefix, buf, NULL);
			any = true;
			v += k + (k < n);
			n -= k + (k < n);
		}
		break;
	}
	return any;
}

/* The value of the option `o` of `cmd`, each candidate after `prefix`. */
static void put_option_value(ctx *x, const struct crmf_cmd *cmd, const struct cli_opt *o,
			     const char *prefix)
{
	const char *arg = o->arg;

	if (put_synopsis_values(x, cmd, o->name, prefix))
		return;
	if (strcmp(o->name, "method") == 0) {
		put_field_values(x, prefix, "followups.method");
	} else if (strcmp(o->name, "owner") == 0 || strcmp(o->name, "by") == 0 ||
		   strcmp(o->name, "from") == 0 || strcmp(o->name, "to") == 0) {
		put_members(x, prefix);
	} else if (strcmp(arg, "DATE") == 0) {
		char today[11];

		crmf_date_format(crmf_date_today(), today);
		put_after(x, prefix, today, "today");
	} else if (strcmp(arg, "DIR") == 0) {
		x->directive = ":dirs";
	} else if (strcmp(arg, "FILE") == 0 || strcmp(arg, "PATH") == 0) {
		x->directive = ":files";
	} else if (strcmp(o->name, "unset") == 0 || strcmp(o->name, "field") == 0 ||
		   strcmp(o->name, "sort") == 0 || strcmp(o->name, "count-by") == 0) {
		put_fields(x, "");
	}
}

/* The option of `cmd` the word `w` (after its dashes, up to '=') names. */
static const struct cli_opt *find_option(const struct crmf_cmd *cmd, const char *w)
{
	const struct cli_opt *hit = NULL;
	size_t n;

	if (!cmd->opts)
		return NULL;
	if (w[0] == '-' && w[1] && w[1] != '-') {
		for (const struct cli_opt *o = cmd->opts; o->id; o++)
			if (o->letter == w[strlen(w) - 1])
				return o;
		return NULL;
	}
	w += 2;
	n = strcspn(w, "=");
	for (const struct cli_opt *o = cmd->opts; o->id; o++) {
		if (strncmp(o->name, w, n) != 0)
			continue;
		if (o->name[n] == 0)
			return o;
		hit = hit ? NULL : o; /* an unambiguous prefix */
	}
	return hit;
}

static void put_options(ctx *x, const struct crmf_cmd *cmd)
{
	for (const struct cli_opt *o = cmd->opts; o && o->id; o++) {
		char buf[128], desc[160];

		if (!o->help)
			continue;
		snprintf(buf, sizeof(buf), "--%s", o->name);
		snprintf(desc, sizeof(desc), "%.*s", (int)strcspn(o->help, "\n"), o->help);
		put(x, buf, desc);
	}
	put(x, "--help", "show this help");
}

int cli_complete(int argc, char **argv)
{
	ctx x = {.dir = ".", .directive = ":"};
	const struct crmf_cmd *cmd = NULL;
	const struct cli_opt *pending = NULL;
	bool options_end = false;
	size_t n_operands = 0;
	int i = 0;
	char *buf = NULL;
	size_t len = 0;

	if (argc < 1)
		return EXIT_USAGE;
	x.out = open_memstream(&buf, &len);
	if (!x.out)
		return EXIT_USAGE;
	x.cur = argv[argc - 1];
	x.cur_len = strlen(x.cur);
	/* the global options, then the command */
	for (; i < argc - 1 && !cmd; i++) {
		if (argv[i][0] == '-') {
			if (strcmp(argv[i], "-C") == 0 && i + 1 == argc - 1) {
				x.directive = ":dirs"; /* crmf -C <the word completed> */
				goto done;
			} else if (strcmp(argv[i], "-C") == 0) {
				x.dir = argv[++i];
			} else if (strncmp(argv[i], "-C", 2) == 0)
				x.dir = argv[i] + 2;
			continue;
		}
		cmd = strcmp(argv[i], "help") == 0 ? NULL : cli_find_command(argv[i]);
		if (!cmd) {
			if (strcmp(argv[i], "help") != 0)
				goto done; /* an unknown command: nothing to offer */
			if (i == argc - 2)
				put_commands(&x);
			goto done;
		}
	}
	if (!cmd) {
		if (x.cur[0] == '-') {
			put(&x, "-C", "run as if crmf was started in DIR");
			put(&x, "--help", "show the help");
			put(&x, "--version", "print the version");
		} else {
			put_commands(&x);
		}
		goto done;
	}
	/* the command's words before the one completed */
	for (; i < argc - 1; i++) {
		const char *w = argv[i];

		if (pending) {
			pending = NULL;
		} else if (!options_end && strcmp(w, "--") == 0) {
			options_end = true;
		} else if (!options_end && w[0] == '-' && w[1]) {
			const struct cli_opt *o = find_option(cmd, w);

			if (o && o->arg && !strchr(w, '=') && (w[1] == '-' || !w[2]))
				pending = o;
		} else {
			n_operands++;
		}
	}
	if (pending) {
		put_option_value(&x, cmd, pending, "");
	} else if (!options_end && x.cur[0] == '-' && x.cur[1] == '-' && strchr(x.cur, '=')) {
		const struct cli_opt *o = find_option(cmd, x.cur);
		char prefix[128];

		snprintf(prefix, sizeof(prefix), "%.*s", (int)(strchr(x.cur, '=') - x.cur + 1),
			 x.cur);
		if (o && o->arg)
			put_option_value(&x, cmd, o, prefix);
	} else if (!options_end && x.cur[0] == '-') {
		put_options(&x, cmd);
	} else {
		put_operand(&x, cmd, n_operands);
	}
done:
	fclose(x.out);
	printf("%s\n", x.directive);
	fwrite(buf, 1, len, stdout);
	free(buf);
	crmf_repository_close(x.repo);
	return EXIT_OK;
}
