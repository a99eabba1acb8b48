/* SPDX-License-Identifier: MIT */
/* Unit tests of workspace.c: a buffer checked in the repository's context gives crmf check's
 * diagnostics; keys follow the buffers; completion and hover. */
#include "repo_helpers.h" /* sh() */

#include "crmf/store.h"
#include "crmf/workspace.h"

static char dir[256];

static const char *src(void)
{
	return getenv("CRMF_SRC") ? getenv("CRMF_SRC") : ".";
}

/* The examples and every broken example under customers/broken/ (two files
 * with one id among them), with a .git folder so that there is a cache. */
static int setup_repo(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/crmf-test-workspace.XXXXXX");
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

static char *text(const crmf_diags *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s:%d:%d %s %s %s\n", d->v[i].path ? d->v[i].path : "-", d->v[i].line,
			d->v[i].column, crmf_severity_name(d->v[i].severity), d->v[i].rule,
			d->v[i].message);
	fclose(f);
	return buf;
}

static char *slurp(const char *rel, size_t *len)
{
	char *path = NULL, *buf = NULL;
	int rc;

	assert_true(asprintf(&path, "%s/%s", dir, rel) > 0);
	rc = crmf_doc_read(&buf, len, path);
	free(path);
	assert_int_equal(rc, 0);
	return buf;
}

static crmf_day day(void)
{
	crmf_day d;

	assert_int_equal(crmf_date_parse(&d, "2025-06-16", 10), 0);
	return d;
}

/* Every file's content, checked as a buffer, gives what crmf check FILE gives. */
static void test_same_as_check(void **state)
{
	crmf_workspace *ws = NULL;
	crmf_file *files = NULL;
	size_t n = 0, checked = 0;

	(void)state;
	assert_int_equal(crmf_workspace_open(&ws, dir, day()), 0);
	assert_true(crmf_workspace_size(ws) > 30);
	assert_int_equal(crmf_store_list(&files, &n, dir), 0);
	for (size_t i = 0; i <= n; i++) {
		const char *rel = i < n ? files[i].relpath : "crmf.yaml";
		char abs[512];
		const char *paths[1] = {abs};
		crmf_scan_opts o = {
		    .paths = paths, .n_paths = 1, .today = day(), .mode = CRMF_SCAN_NONE};
		crmf_repo *repo = NULL;
		crmf_diags want, got;
		crmf_span_end *ends = NULL;
		size_t len;
		char *buf = slurp(rel, &len), *a, *b;

		snprintf(abs, sizeof(abs), "%s/%s", dir, rel);
		crmf_diags_init(&want);
		crmf_diags_init(&got);
		assert_int_equal(crmf_repo_load(&repo, dir, &o, &want), 0);
		assert_int_not_equal(crmf_workspace_check(ws, rel, buf, len, day(), &got, &ends),
				     CRMF_WS_OTHER);
		a = text(&want);
		b = text(&got);
		assert_string_equal(b, a);
		for (size_t k = 0; k < got.n; k++)
			assert_true(
			    ends[k].line > got.v[k].line ||
			    (ends[k].line == got.v[k].line && ends[k].column >= got.v[k].column));
		checked += got.n;
		free(a);
		free(b);
		free(ends);
		free(buf);
		crmf_diags_release(&want);
		crmf_diags_release(&got);
		crmf_repo_free(repo);
	}
	assert_true(checked > 30); /* the broken examples said something */
	crmf_store_list_free(files, n);
	crmf_workspace_free(ws);
}

/* A buffer's keys replace its file's: another buffer sees them; revert restores the disk's. */
static void test_keys_follow_buffers(void **state)
{
	crmf_workspace *ws = NULL;
	crmf_diags d;
	size_t len;
	char *a = slurp("customers/2024/C2024001.yaml", &len), *b, *b2;
	const char *rel = "customers/2025/C2025002.yaml";
	size_t blen;

	(void)state;
	assert_int_equal(crmf_workspace_open(&ws, dir, day()), 0);
	b = slurp(rel, &blen);
	/* C2024001 takes an email that only C2025002 has; C2025002 is later: warned */
	b2 = strstr(b, "email: ");
	assert_non_null(b2);
	char email[128];
	sscanf(b2 + 7, "%127s", email);
	char *a2 = NULL;
	assert_true(asprintf(&a2, "%scontacts2: x\n", a) > 0);
	char *edited = NULL;
	const char *at = strstr(a, "    email: ");
	assert_non_null(at);
	const char *eol = strchr(at, '\n');
	assert_true(asprintf(&edited, "%.*s    email: %s%s", (int)(at - a), a, email, eol) > 0);
	crmf_diags_init(&d);
	crmf_workspace_check(ws, rel, b, blen, day(), &d, NULL);
	assert_null(unit_find_rule(&d, "shared-email"));
	crmf_diags_release(&d);
	crmf_diags_init(&d);
	crmf_workspace_check(ws, "customers/2024/C2024001.yaml", edited, strlen(edited), day(), &d,
			     NULL);
	assert_null(unit_find_rule(&d, "shared-email")); /* the earlier file is not told */
	crmf_diags_release(&d);
	crmf_diags_init(&d);
	crmf_workspace_check(ws, rel, b, blen, day(), &d, NULL);
	assert_non_null(unit_find_rule(&d, "shared-email"));
	assert_non_null(strstr(unit_find_rule(&d, "shared-email")->message, "C2024001"));
	crmf_diags_release(&d);
	crmf_workspace_revert(ws, "customers/2024/C2024001.yaml", day());
	crmf_diags_init(&d);
	crmf_workspace_check(ws, rel, b, blen, day(), &d, NULL);
	assert_null(unit_find_rule(&d, "shared-email"));
	crmf_diags_release(&d);
	free(a);
	free(a2);
	free(b);
	free(edited);
	crmf_workspace_free(ws);
}

static bool has(const crmf_ws_items *it, const char *label, const char *detail)
{
	for (size_t i = 0; i < it->n; i++)
		if (strcmp(it->v[i].label, label) == 0)
			return !detail || (it->v[i].detail && strcmp(it->v[i].detail, detail) == 0);
	return false;
}

static void test_complete_and_hover(void **state)
{
	crmf_workspace *ws = NULL;
	crmf_ws_items it = {0};
	int from;
	static const char buf[] = "id: C2025099\n"
				  "stage: \n"
				  "contacts:\n"
				  "  - na\n"
				  "followups:\n"
				  "  - date: 2025-06-01\n"
				  "    method: v\n"
				  "    by: \n";
	char *h;

	(void)state;
	assert_int_equal(crmf_workspace_open(&ws, dir, day()), 0);
	crmf_workspace_complete(&it, &from, ws, buf, sizeof(buf) - 1, 2, 8);
	assert_int_equal(it.n, 6);
	assert_true(has(&it, "intent", "意向期"));
	assert_int_equal(from, 8);
	crmf_ws_items_release(&it);
	crmf_workspace_complete(&it, &from, ws, buf, sizeof(buf) - 1, 4, 7);
	assert_true(has(&it, "name", NULL) && has(&it, "phone", NULL) && !has(&it, "stage", NULL));
	assert_true(it.v[0].key);
	assert_int_equal(from, 5);
	crmf_ws_items_release(&it);
	crmf_workspace_complete(&it, &from, ws, buf, sizeof(buf) - 1, 7, 14);
	assert_true(has(&it, "visit", NULL) && has(&it, "wechat", NULL));
	assert_int_equal(from, 13);
	crmf_ws_items_release(&it);
	crmf_workspace_complete(&it, &from, ws, buf, sizeof(buf) - 1, 8, 9);
	assert_true(has(&it, "zhang.wei", "张伟"));
	crmf_ws_items_release(&it);
	crmf_workspace_complete(&it, &from, ws, buf, sizeof(buf) - 1, 1, 1);
	assert_true(has(&it, "stage", "需求阶段 / Stage") && has(&it, "region", NULL));
	crmf_ws_items_release(&it);
	/* hover: a key's names; the classification elsewhere */
	h = crmf_workspace_hover(ws, "customers/C2025099.yaml", buf, sizeof(buf) - 1, 2, 2, day());
	assert_non_null(h);
	assert_non_null(strstr(h, "需求阶段"));
	free(h);
	size_t len;
	char *c1 = slurp("customers/2025/C2025001.yaml", &len);
	h = crmf_workspace_hover(ws, "customers/2025/C2025001.yaml", c1, len, 4, 6, day());
	assert_non_null(h);
	assert_non_null(strstr(h, "next due: 2025-06-13"));
	free(h);
	free(c1);
	assert_null(crmf_workspace_hover(ws, "README.md", buf, sizeof(buf) - 1, 2, 9, day()));
	crmf_workspace_free(ws);
}

static void test_kinds(void **state)
{
	(void)state;
	assert_int_equal(crmf_workspace_kind("crmf.yaml"), CRMF_WS_CONFIG);
	assert_int_equal(crmf_workspace_kind("customers/a/C1.yaml"), CRMF_WS_CUSTOMER);
	assert_int_equal(crmf_workspace_kind("archive/C1.yml"), CRMF_WS_CUSTOMER);
	assert_int_equal(crmf_workspace_kind("customers/README.md"), CRMF_WS_OTHER);
	assert_int_equal(crmf_workspace_kind("templates/customer.yaml"), CRMF_WS_OTHER);
	assert_int_equal(crmf_workspace_kind("customers/../x.yaml"), CRMF_WS_OTHER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_same_as_check, setup_repo, teardown_repo),
	    cmocka_unit_test_setup_teardown(test_keys_follow_buffers, setup_repo, teardown_repo),
	    cmocka_unit_test_setup_teardown(test_complete_and_hover, setup_repo, teardown_repo),
	    cmocka_unit_test(test_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
