/* SPDX-License-Identifier: MIT */
/* Unit tests of the repository scan: summaries classify as full records do, filters, named files, and the validation cache. */
#include "repo_helpers.h" /* sh() */

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/scan.h"

static char dir[256];

static const char *src(void)
{
	return getenv("CRMF_SRC") ? getenv("CRMF_SRC") : ".";
}

/* The examples, and every broken example under customers/broken/, in a
 * fresh directory; with a .git folder (so that there is a cache) when git is set. */
static int setup_repo(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/crmf-test-scan.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	sh("cp -r '%s/examples/crmf.yaml' '%s/examples/customers' '%s/examples/archive' '%s/'",
	   src(), src(), src(), dir);
	sh("mkdir '%s/customers/broken' && cp '%s'/examples/broken/*.yaml '%s/customers/broken/'",
	   dir, src(), dir);
	sh("mkdir '%s/.git'", dir);
	return 0;
}

static int teardown_repo(void **state)
{
	(void)state;
	sh("rm -rf '%s'", dir);
	return 0;
}

static crmf_repo *load(const crmf_scan_opts *o, crmf_diags *d)
{
	crmf_repo *repo = NULL;

	crmf_diags_init(d);
	assert_int_equal(crmf_repo_load(&repo, dir, o, d), 0);
	assert_non_null(repo);
	return repo;
}

/* All diagnostics as one text, to compare runs. */
static char *text(const crmf_diags *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s:%d:%d %s %s %s\n", d->v[i].path ? d->v[i].path : "-", d->v[i].line,
			d->v[i].column, crmf_severity_name(d->v[i].severity), d->v[i].rule,
			d->v[i].message);
	fprintf(f, "%zu errors %zu warnings\n", d->errors, d->warnings);
	fclose(f);
	return buf;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* What `crmf due` took for "the due date depends on a field with errors"
 * before scans made summaries: the oracle for crmf_summary.unsure. */
static const char *const due_fields[] = {"stage", "created", "potential", "grade", "deals",
					 "followups"};

static bool oracle_unsure(const crmf_customer *c, const crmf_diags *d)
{
	const crmf_node *root = c->doc->root;

	if (c->errors == 0)
		return false;
	if (!c->id || c->stage == CRMF_STAGE_NONE || c->created == CRMF_NO_DAY)
		return true;
	for (size_t i = 0; i < d->n; i++) {
		const crmf_diag *x = &d->v[i];
		bool inside = false;

		if (!x->path || strcmp(x->path, c->path) != 0 || x->severity != CRMF_SEV_ERROR)
			continue;
		for (size_t k = 0; k < root->n && !inside; k++) {
			const crmf_pair *p = &root->pairs[k];
			const crmf_node *end = p->value ? p->value : p->key;

			if ((x->line > p->key->line ||
			     (x->line == p->key->line && x->column >= p->key->column)) &&
			    (end->end_line > x->line ||
			     (end->end_line == x->line && end->end_column >= x->column))) {
				inside = true;
				for (size_t f = 0; f < 6; f++)
					if (!strcmp(p->key->value, due_fields[f]))
						return true;
			}
		}
		if (!inside)
			return true;
	}
	return false;
}

static void test_summaries_classify_as_records(void **state)
{
	static const char *const days[] = {"2024-03-01", "2025-06-16", "2026-12-31"};

	(void)state;
	for (size_t t = 0; t < 3; t++) {
		crmf_scan_opts full = {.no_cache = true}, sum = {.no_cache = true};
		crmf_diags df, ds;
		crmf_repo *a, *b;
		size_t unsure = 0;

		assert_int_equal(crmf_date_parse(&full.today, days[t], 10), 0);
		sum.today = full.today;
		sum.mode = CRMF_SCAN_SUMMARY;
		a = load(&full, &df);
		b = load(&sum, &ds);
		assert_true(a->n > 40);
		assert_int_equal(a->n, b->n);
		for (size_t i = 0; i < a->n; i++) {
			const crmf_customer *x = a->v[i], *y = b->v[i];
			crmf_class kx, ky;

			assert_string_equal(x->path, y->path);
			assert_null(y->doc);
			assert_true(same_str(x->id, y->id));
			assert_true(same_str(x->name, y->name));
			assert_true(same_str(x->owner, y->owner));
			assert_true(same_str(x->industry, y->industry));
			assert_true(same_str(x->size, y->size));
			assert_true(same_str(x->source, y->source));
			assert_int_equal(x->stage, y->stage);
			assert_int_equal(x->potential, y->potential);
			assert_int_equal(x->grade, y->grade);
			assert_int_equal(x->created, y->created);
			assert_int_equal(x->archived, y->archived);
			assert_int_equal(x->errors, y->errors);
			assert_int_equal(oracle_unsure(x, &df), crmf_summary_of(y)->unsure);
			unsure += crmf_summary_of(y)->unsure;
			crmf_classify(&kx, x, a->cfg, full.today);
			crmf_classify(&ky, y, b->cfg, full.today);
			assert_int_equal(kx.last_contact, ky.last_contact);
			assert_int_equal(kx.activity, ky.activity);
			assert_true(kx.value_sum == ky.value_sum);
			assert_int_equal(kx.value, ky.value);
			assert_int_equal(kx.quadrant, ky.quadrant);
			assert_int_equal(kx.next_due, ky.next_due);
			assert_int_equal(kx.due_kind, ky.due_kind);
			assert_int_equal(kx.due_every, ky.due_every);
			assert_true(same_str(kx.next, ky.next));
			assert_string_equal(kx.reason, ky.reason);
			assert_int_equal(kx.overdue_days, ky.overdue_days);
			assert_int_equal(kx.stale, ky.stale);
		}
		assert_true(unsure > 0); /* the broken examples make some */
		/* the same diagnostics either way */
		{
			char *tf = text(&df), *ts = text(&ds);

			assert_string_equal(tf, ts);
			free(tf);
			free(ts);
		}
		crmf_diags_release(&df);
		crmf_diags_release(&ds);
		crmf_repo_free(a);
		crmf_repo_free(b);
	}
}

static bool only_archived(void *ctx, const crmf_customer *c, const crmf_config *cfg)
{
	(void)cfg;
	++*(int *)ctx;
	return c->archived;
}

static void test_keep_filter(void **state)
{
	int calls = 0;
	crmf_scan_opts o = {.no_cache = true, .mode = CRMF_SCAN_SUMMARY, .keep = only_archived,
			    .keep_ctx = &calls};
	crmf_diags d;
	crmf_repo *repo;

	(void)state;
	o.today = crmf_date_from_ymd(2025, 6, 16);
	repo = load(&o, &d);
	assert_int_equal(repo->n, 2);
	assert_true(calls > 40);
	for (size_t i = 0; i < repo->n; i++)
		assert_true(repo->v[i]->archived);
	crmf_diags_release(&d);
	crmf_repo_free(repo);
}

static void test_named_files(void **state)
{
	char path[512];
	const char *paths[] = {path};
	crmf_scan_opts o = {.no_cache = true, .paths = paths, .n_paths = 1};
	crmf_diags d;
	crmf_repo *repo;

	(void)state;
	snprintf(path, sizeof(path), "%s/customers/broken/duplicate-id-b.yaml", dir);
	o.today = crmf_date_from_ymd(2025, 6, 16);
	repo = load(&o, &d);
	/* only the named customer is kept, with its document */
	assert_int_equal(repo->n, 1);
	assert_string_equal(repo->v[0]->path, "customers/broken/duplicate-id-b.yaml");
	assert_non_null(repo->v[0]->doc);
	assert_int_equal(repo->files_checked, 1);
	/* its duplicate id is found against the whole repository */
	assert_non_null(unit_find_rule(&d, "duplicate-id"));
	for (size_t i = 0; i < d.n; i++)
		assert_string_equal(d.v[i].path, "customers/broken/duplicate-id-b.yaml");
	assert_int_equal(repo->v[0]->errors, d.errors); /* its own and the duplicate id */
	crmf_diags_release(&d);
	crmf_repo_free(repo);
}

static bool collect(void *ectx, const char *s, size_t len)
{
	char *out = ectx;

	snprintf(out + strlen(out), 256 - strlen(out), "[%.*s]", (int)len, s);
	return false;
}

static void test_values(void **state)
{
	crmf_scan_opts o = {.no_cache = true, .mode = CRMF_SCAN_SUMMARY, .values = true};
	crmf_diags d;
	crmf_repo *repo;
	const crmf_summary *s = NULL;
	char out[256];

	(void)state;
	o.today = crmf_date_from_ymd(2025, 6, 16);
	repo = load(&o, &d);
	for (size_t i = 0; i < repo->n; i++)
		if (!strcmp(repo->v[i]->path, "customers/2024/C2024001.yaml"))
			s = crmf_summary_of(repo->v[i]);
	assert_non_null(s);
	out[0] = '\0';
	crmf_summary_values(s, "tags", 4, collect, out);
	assert_string_equal(out, "[品质优先][制造业][标杆客户]");
	out[0] = '\0';
	crmf_summary_values(s, "region", 6, collect, out);
	assert_string_equal(out, "[华东]");
	out[0] = '\0';
	crmf_summary_values(s, "contacts", 8, collect, out);
	crmf_summary_values(s, "nothing", 7, collect, out);
	crmf_summary_values(s, "tag", 3, collect, out);
	assert_string_equal(out, "");
	crmf_diags_release(&d);
	crmf_repo_free(repo);
}

static char *check_text(const char *day)
{
	crmf_scan_opts o = {.mode = CRMF_SCAN_NONE};
	crmf_diags d;
	crmf_repo *repo;
	char *t;

	assert_int_equal(crmf_date_parse(&o.today, day, 10), 0);
	repo = load(&o, &d);
	assert_int_equal(repo->n, 0);
	t = text(&d);
	crmf_diags_release(&d);
	crmf_repo_free(repo);
	return t;
}

static char *cache_file(void)
{
	char *p;

	assert_true(asprintf(&p, "%s/.git/crmf/cache", dir) > 0);
	return p;
}

static void test_cache_answers_as_a_check(void **state)
{
	char *first, *again, *changed, *path = cache_file(), *f;
	struct stat st;
	FILE *fp;

	(void)state;
	first = check_text("2025-06-16");
	assert_int_equal(stat(path, &st), 0);
	again = check_text("2025-06-16");
	assert_string_equal(first, again);
	/* the cross-file findings come from the cache too */
	assert_non_null(strstr(again, "duplicate-id"));
	assert_non_null(strstr(again, "probable-duplicate"));
	free(again);
	/* another day: the future-date warnings follow it */
	again = check_text("2024-01-01");
	assert_non_null(strstr(again, "followup-future"));
	free(again);

	/* a changed file is checked again */
	assert_true(asprintf(&f, "%s/customers/2024/C2024001.yaml", dir) > 0);
	fp = fopen(f, "a");
	fputs("stauts: lead\n", fp);
	fclose(fp);
	changed = check_text("2025-06-16");
	assert_non_null(strstr(changed, "customers/2024/C2024001.yaml"));
	assert_non_null(strstr(changed, "unknown field 'stauts'"));
	assert_string_not_equal(first, changed);
	free(changed);

	/* damage every record: the answers stay right */
	{
		int fd = open(path, O_RDWR);
		off_t size = lseek(fd, 0, SEEK_END);

		for (off_t at = 100; at < size / 2; at += 300)
			assert_int_equal(pwrite(fd, "\xff", 1, at), 1);
		close(fd);
	}
	changed = check_text("2025-06-16");
	assert_non_null(strstr(changed, "unknown field 'stauts'"));
	free(changed);
	sh("cp '%s/examples/customers/2024/C2024001.yaml' '%s'", src(), f);
	again = check_text("2025-06-16");
	assert_string_equal(first, again);
	free(again);
	free(f);
	free(first);
	free(path);
}

static void test_no_cache(void **state)
{
	crmf_scan_opts o = {.mode = CRMF_SCAN_NONE, .no_cache = true};
	crmf_diags d;
	crmf_repo *repo;
	char *path = cache_file();
	struct stat st;

	(void)state;
	o.today = crmf_date_from_ymd(2025, 6, 16);
	repo = load(&o, &d);
	assert_int_not_equal(stat(path, &st), 0);
	crmf_diags_release(&d);
	crmf_repo_free(repo);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_summaries_classify_as_records, setup_repo,
						teardown_repo),
		cmocka_unit_test_setup_teardown(test_keep_filter, setup_repo, teardown_repo),
		cmocka_unit_test_setup_teardown(test_named_files, setup_repo, teardown_repo),
		cmocka_unit_test_setup_teardown(test_values, setup_repo, teardown_repo),
		cmocka_unit_test_setup_teardown(test_cache_answers_as_a_check, setup_repo,
						teardown_repo),
		cmocka_unit_test_setup_teardown(test_no_cache, setup_repo, teardown_repo),
	};

	crmf_lib_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
