/* SPDX-License-Identifier: MIT */
/* crmf schema: a JSON Schema of this repository's customer files, from the field table and crmf.yaml. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crmf/fields.h"
#include "crmf/repository.h"
#include "crmf/schema.h"

static int run(int argc, char **argv);

static const struct cli_opt opts[] = {
    {'f', 0, "format", "FMT", "json-schema (the default and only one for now)"},
    {0},
};

const struct crmf_cmd cmd_schema = {
    .name = "schema",
    .run = run,
    .summary = "print a JSON Schema of this repository's customer files (for editors)",
    .synopsis = "[--format json-schema]",
    .description =
	"Prints a JSON Schema (draft-07) of a customer file of this repository:\n"
	"every field of doc/format.md with its type, whether it is required, its\n"
	"allowed values with the labels of crmf.yaml, and what crmf.yaml adds (the\n"
	"team, the industries, sizes and sources, custom fields). It is generated\n"
	"from crmf's field table, the one check reads, so it never drifts; but\n"
	"check knows more (cross-field and cross-file rules, duplicates): the\n"
	"schema helps while typing, check decides.\n"
	"\n"
	"VS Code's YAML extension (redhat.vscode-yaml) uses it: `crmf setup\n"
	"--vscode` writes it to .vscode/crmf.schema.json and offers the\n"
	"yaml.schemas entry of .vscode/settings.json.",
    .opts = opts,
    .notes = "exit status: 0 success, 2 usage or repository error",
    .machine = true,
};

typedef struct {
	FILE *f;
	const crmf_config *cfg;
} out;

static void str(out *o, const char *s)
{
	cli_json_string(o->f, s);
}

/* "title": "编号 / ID" */
static void title(out *o, const crmf_field *fl)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s / %s", fl->label_zh, fl->label_en);
	fputs("\"title\": ", o->f);
	str(o, buf);
}

/* "enum": [...] with the labels of crmf.yaml as the values' descriptions */
static void enum_of(out *o, const char *field, const char *const *v, size_t n)
{
	fputs("\"enum\": [", o->f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", o->f);
		str(o, v[i]);
	}
	fputs("], \"markdownEnumDescriptions\": [", o->f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", o->f);
		str(o, crmf_config_label(o->cfg, field, v[i]));
	}
	fputs("]", o->f);
}

static void strlist_enum(out *o, const char *field, const crmf_strlist *l)
{
	enum_of(o, field, (const char *const *)l->v, l->n);
}

/* Team members: every id, name and email crmf accepts (who left included:
 * their history stays valid; check warns about what is new) */
static void members(out *o)
{
	const crmf_config *cfg = o->cfg;
	bool first = true;

	fputs("\"type\": \"string\"", o->f);
	if (!cfg->has_team || cfg->n_team == 0)
		return;
	fputs(", \"enum\": [", o->f);
	for (size_t i = 0; i < cfg->n_team; i++) {
		const char *v[3] = {cfg->team[i].id, cfg->team[i].name, cfg->team[i].email};

		for (int k = 0; k < 3; k++)
			if (v[k]) {
				fputs(first ? "" : ", ", o->f);
				str(o, v[k]);
				first = false;
			}
	}
	fputs("]", o->f);
}

/* crmf reads every scalar as text and types it by the field: a phone
 * written 13805742236 (a YAML number) is the text "13805742236" */
static const char text_types[] = "\"type\": [\"string\", \"number\"]";
static const char date_pattern[] = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
static const char datetime_pattern[] = "^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2})?$";
/* a number, or a number in quotes (the same number to crmf) */
static const char number_types[] =
    "\"anyOf\": [{\"type\": \"number\"}, {\"type\": \"string\", \"pattern\": "
    "\"^-?[0-9]+(\\\\.[0-9]+)?([eE][-+]?[0-9]+)?$\"}]";

static void fields_of(out *o, const char *parent, size_t plen);

/* the schema of one field's value (without its braces) */
static void value_of(out *o, const crmf_field *fl)
{
	const crmf_config *cfg = o->cfg;
	const char *key = crmf_field_key(fl);

	title(o, fl);
	fputs(", ", o->f);
	switch (fl->kind) {
	case CRMF_FIELD_TEXT:
		if (strcmp(fl->path, "industry") == 0 && cfg->has_industries &&
		    cfg->industries.n > 0)
			strlist_enum(o, "industry", &cfg->industries);
		else if (strcmp(fl->path, "id") == 0)
			fprintf(o->f, "%s, \"pattern\": \"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$\"", text_types);
		else
			fputs(text_types, o->f);
		break;
	case CRMF_FIELD_DATE:
		fprintf(o->f, "\"type\": \"string\", \"pattern\": \"%s\"", date_pattern);
		break;
	case CRMF_FIELD_DATETIME:
		fprintf(o->f, "\"type\": \"string\", \"pattern\": \"%s\"", datetime_pattern);
		break;
	case CRMF_FIELD_NUMBER:
		fputs(number_types, o->f);
		break;
	case CRMF_FIELD_BOOL:
		fputs("\"type\": \"boolean\"", o->f);
		break;
	case CRMF_FIELD_ENUM:
		enum_of(o, key, fl->values, fl->n_values);
		break;
	case CRMF_FIELD_CONFIG:
		strlist_enum(o, key, strcmp(key, "size") == 0 ? &cfg->sizes : &cfg->sources);
		break;
	case CRMF_FIELD_MEMBER:
		members(o);
		break;
	case CRMF_FIELD_LIST:
		fputs("\"type\": \"array\", \"items\": {\"type\": \"string\"}", o->f);
		break;
	case CRMF_FIELD_RECORD:
		fields_of(o, fl->path, strlen(fl->path));
		break;
	case CRMF_FIELD_RECORDS:
		fputs("\"type\": \"array\", ", o->f);
		if (fl->flags & CRMF_FIELD_REQUIRED)
			fputs("\"minItems\": 1, ", o->f);
		fputs("\"items\": {", o->f);
		fields_of(o, fl->path, strlen(fl->path));
		/* a contact is reached by phone or email */
		if (strcmp(fl->path, "contacts") == 0)
			fputs(", \"anyOf\": [{\"required\": [\"phone\"]}, {\"required\": [\"email\"]}]",
			      o->f);
		fputs("}", o->f);
		break;
	}
}

/* a custom field of crmf.yaml */
static void custom_of(out *o, const crmf_field_def *d)
{
	fputs("\"title\": ", o->f);
	str(o, d->name);
	fputs(", ", o->f);
	switch (d->type) {
	case CRMF_FT_STRING:
	case CRMF_FT_TEXT:
		fputs(text_types, o->f);
		break;
	case CRMF_FT_DATE:
		fprintf(o->f, "\"type\": \"string\", \"pattern\": \"%s\"", date_pattern);
		break;
	case CRMF_FT_NUMBER:
		fputs(number_types, o->f);
		break;
	case CRMF_FT_BOOL:
		fputs("\"type\": \"boolean\"", o->f);
		break;
	case CRMF_FT_ENUM:
		strlist_enum(o, d->name, &d->values);
		break;
	case CRMF_FT_LIST:
		fputs("\"type\": \"array\", \"items\": {\"type\": \"string\"}", o->f);
		break;
	}
}

/* "type": "object", the properties whose path is parent.<key> ("" for the top), required, no other key */
static void fields_of(out *o, const char *parent, size_t plen)
{
	size_t n;
	const crmf_field *f = crmf_fields(&n);
	bool first = true, top = plen == 0;

	fputs("\"type\": \"object\", \"properties\": {", o->f);
	for (size_t i = 0; i < n; i++) {
		const char *p = f[i].path;

		if (top ? strchr(p, '.') != NULL
			: strncmp(p, parent, plen) != 0 || p[plen] != '.' || strchr(p + plen + 1, '.'))
			continue;
		fputs(first ? "\n" : ",\n", o->f);
		first = false;
		str(o, crmf_field_key(&f[i]));
		fputs(": {", o->f);
		value_of(o, &f[i]);
		fputs("}", o->f);
	}
	for (size_t i = 0; top && i < o->cfg->n_fields; i++) {
		fputs(first ? "\n" : ",\n", o->f);
		first = false;
		str(o, o->cfg->fields[i].name);
		fputs(": {", o->f);
		custom_of(o, &o->cfg->fields[i]);
		fputs("}", o->f);
	}
	fputs("},\n\"required\": [", o->f);
	first = true;
	for (size_t i = 0; i < n; i++) {
		const char *p = f[i].path;

		if (!(f[i].flags & CRMF_FIELD_REQUIRED) ||
		    (top ? strchr(p, '.') != NULL
			 : strncmp(p, parent, plen) != 0 || p[plen] != '.' ||
			       strchr(p + plen + 1, '.')))
			continue;
		fputs(first ? "" : ", ", o->f);
		first = false;
		str(o, crmf_field_key(&f[i]));
	}
	for (size_t i = 0; top && i < o->cfg->n_fields; i++)
		if (o->cfg->fields[i].required) {
			fputs(first ? "" : ", ", o->f);
			first = false;
			str(o, o->cfg->fields[i].name);
		}
	fputs("], \"additionalProperties\": false", o->f);
}

void cli_schema_write(FILE *f, const crmf_config *cfg)
{
	out o = {.f = f, .cfg = cfg};

	fputs("{\"$schema\": \"http://json-schema.org/draft-07/schema#\",\n"
	      "\"title\": \"crmf customer file\",\n"
	      "\"description\": \"generated by crmf schema from crmf's field table and this repository's "
	      "crmf.yaml; crmf check has the last word\",\n",
	      f);
	fields_of(&o, "", 0);
	fputs("}\n", f);
}

static int run(int argc, char **argv)
{
	cli_args args;
	int c;
	crmf_repository *repo = NULL;
	const crmf_config *cfg;

	cli_args_init(&args, &cmd_schema, argc, argv);
	while ((c = cli_args_next(&args)) > 0)
		if (c == 'f' && strcmp(args.arg, "json-schema") != 0)
			return cli_usage_error(&cmd_schema, "unknown format '%s'; use json-schema",
					       args.arg);
	if (c < 0)
		return args.status;
	if (args.ind < argc)
		return cli_usage_error(&cmd_schema, "no operand expected: '%s'", argv[args.ind]);
	if (crmf_repository_open(&repo, ".") != 0 || crmf_repository_config(&cfg, repo) != 0) {
		cli_error("%s", crmf_error_last());
		crmf_repository_close(repo);
		return EXIT_USAGE;
	}
	cli_schema_write(stdout, cfg);
	crmf_repository_close(repo);
	return EXIT_OK;
}
