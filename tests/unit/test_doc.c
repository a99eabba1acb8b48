/* SPDX-License-Identifier: MIT */
/* Unit tests of the YAML layer: tree, spans, positions and every rejection. */
#include "unit.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

struct fx {
	crmf_diags d;
	crmf_doc *doc;
	int rc;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	crmf_diags_init(&f->d);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	crmf_doc_free(f->doc);
	crmf_diags_release(&f->d);
	free(f);
	return 0;
}

static crmf_doc *parse_n(struct fx *f, const char *src, size_t len)
{
	crmf_doc_free(f->doc);
	crmf_diags_release(&f->d);
	f->rc = crmf_doc_parse(&f->doc, "c.yaml", src, len, &f->d);
	return f->doc;
}

static crmf_doc *parse(struct fx *f, const char *src)
{
	return parse_n(f, src, strlen(src));
}

/* Parse and require a clean result. */
static crmf_node *parse_ok(struct fx *f, const char *src)
{
	parse(f, src);
	for (size_t i = 0; i < f->d.n; i++)
		print_message("unexpected %d:%d %s: %s\n", f->d.v[i].line, f->d.v[i].column,
			      f->d.v[i].rule, f->d.v[i].message);
	assert_int_equal(f->rc, 0);
	assert_int_equal(f->d.n, 0);
	assert_non_null(f->doc);
	assert_non_null(f->doc->root);
	assert_int_equal(f->doc->root->type, CRMF_NODE_MAPPING);
	return f->doc->root;
}

/* Require exactly one diagnostic, with this rule and position. */
static const crmf_diag *one_diag(struct fx *f, const char *rule, int line, int col)
{
	for (size_t i = 0; f->d.n != 1 && i < f->d.n; i++)
		print_message("diag %d:%d %s: %s\n", f->d.v[i].line, f->d.v[i].column,
			      f->d.v[i].rule, f->d.v[i].message);
	assert_int_equal(f->rc, -1);
	assert_int_equal(f->d.n, 1);
	assert_diag_at(&f->d, rule, line, col);
	assert_int_equal(f->d.v[0].severity, CRMF_SEV_ERROR);
	assert_string_equal(f->d.v[0].path, "c.yaml");
	return &f->d.v[0];
}

/* The source text of a node's span. */
static char *span(const crmf_doc *doc, const crmf_node *n)
{
	static char buf[256];
	size_t len = n->end - n->start;

	assert_true(n->start <= n->end && n->end <= doc->len);
	assert_true(len < sizeof(buf));
	memcpy(buf, doc->src + n->start, len);
	buf[len] = '\0';
	return buf;
}

/* Line and column of byte `b` counted from the source, as an editor shows them. */
static void where(const crmf_doc *doc, size_t b, int *line, int *col)
{
	size_t i = doc->bom ? 3 : 0;

	*line = 1, *col = 1;
	for (; i < b; i++) {
		if (doc->src[i] == '\n')
			++*line, *col = 1;
		else if (((unsigned char)doc->src[i] & 0xC0) != 0x80)
			++*col;
	}
}

/* Every node's position must agree with its byte span, and every one-line
 * plain scalar's span must be its value. */
static void check_node(const crmf_doc *doc, const crmf_node *n, size_t *count)
{
	int line, col;

	++*count;
	where(doc, n->start, &line, &col);
	assert_int_equal(n->line, line);
	assert_int_equal(n->column, col);
	where(doc, n->end, &line, &col);
	assert_int_equal(n->end_line, line);
	assert_int_equal(n->end_column, col);
	if (n->type == CRMF_NODE_SCALAR && n->style == CRMF_STYLE_PLAIN && !n->tag &&
	    !memchr(n->value, '\n', n->len)) {
		assert_int_equal(n->end - n->start, n->len);
		assert_memory_equal(doc->src + n->start, n->value, n->len);
	}
	if (n->style == CRMF_STYLE_SINGLE || n->style == CRMF_STYLE_DOUBLE) {
		char q = n->style == CRMF_STYLE_SINGLE ? '\'' : '"';

		assert_int_equal(doc->src[n->start], q);
		assert_int_equal(doc->src[n->end - 1], q);
	}
	for (size_t i = 0; n->type == CRMF_NODE_MAPPING && i < n->n; i++) {
		check_node(doc, n->pairs[i].key, count);
		check_node(doc, n->pairs[i].value, count);
	}
	for (size_t i = 0; n->type == CRMF_NODE_SEQUENCE && i < n->n; i++)
		check_node(doc, n->items[i], count);
}

static const char customer[] = "# 客户档案\n"
			       "id: C2024001                  # 编号\n"
			       "name: 杭州云启科技有限公司\n"
			       "industry: IT服务/云计算\n"
			       "tags: [品质优先, \"制造业\", '汽车']\n"
			       "contacts:\n"
			       "  - name: 张伟   # 采购\n"
			       "    title: 采购总监\n"
			       "    phone: \"+86 138 0013 8000\"\n"
			       "    primary: true\n"
			       "need: {type: 采购产品A, budget: 50万-100万}\n"
			       "followups:\n"
			       "  - date: 2024-02-01\n"
			       "    summary: 客户对方案A交付周期有疑问\n"
			       "    note: |\n"
			       "      第一行\n"
			       "      second line\n"
			       "\n"
			       "    next: 发送汽车行业案例\n"
			       "empty:\n"
			       "last: 完\n";

static void test_positions_everywhere(void **state)
{
	struct fx *f = *state;
	char buf[2 * sizeof(customer) + 8];

	for (int variant = 0; variant < 4; variant++) {
		size_t len = 0, count = 0;

		if (variant & 1) {
			memcpy(buf, "\xEF\xBB\xBF", 3);
			len = 3;
		}
		for (const char *c = customer; *c; c++) {
			if (*c == '\n' && (variant & 2))
				buf[len++] = '\r';
			buf[len++] = *c;
		}
		buf[len] = '\0';
		parse_ok(f, buf);
		assert_int_equal(f->doc->bom, (variant & 1) != 0);
		assert_int_equal(f->doc->crlf, (variant & 2) != 0);
		check_node(f->doc, f->doc->root, &count);
		assert_int_equal(count, 44);
		assert_string_equal(span(f->doc, crmf_node_get(f->doc->root, "tags")),
				    "[品质优先, \"制造业\", '汽车']");
	}
}

/* Columns past characters of every width (2, 3 and 4 bytes) on long lines,
 * several nodes to a line: each node's position agrees with its bytes. */
static void test_positions_mixed_widths(void **state)
{
	static const char text[] =
	    "a: [é中😀a, 'ü😀', 中文中文中文中文中文中文, x, \"😀😀😀😀\", ééééééééé, 末]\n"
	    "b: {一: 二二二二二二二二二, ü: 😀😀, long: abcdefghijklmnopqrstuvwxyz, 尾: z}\n"
	    "c: 😀 - 😀 x\n"
	    "d: [😀, [é, [中, [a, 😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀, b]]]]\n";
	struct fx *f = *state;
	size_t count = 0;

	parse_ok(f, text);
	check_node(f->doc, f->doc->root, &count);
	assert_int_equal(count, 33);
}

static void test_block_two_spaces(void **state)
{
	struct fx *f = *state;
	crmf_node *r = parse_ok(f, "id: C2024001\n"
				   "contacts:\n"
				   "  - name: 张伟\n"
				   "    phone: \"+86 138 0013 8000\"\n"
				   "  - name: li\n"
				   "need:\n"
				   "  type: x\n");
	crmf_node *c = crmf_node_get(r, "contacts"), *need;

	assert_int_equal(r->n, 3);
	assert_int_equal(r->style, CRMF_STYLE_BLOCK);
	assert_string_equal(crmf_node_get(r, "id")->value, "C2024001");
	assert_non_null(c);
	assert_int_equal(c->type, CRMF_NODE_SEQUENCE);
	assert_int_equal(c->n, 2);
	assert_int_equal(c->line, 3);
	assert_int_equal(c->column, 3);
	assert_string_equal(crmf_node_get(c->items[0], "name")->value, "张伟");
	assert_string_equal(crmf_node_get(c->items[0], "phone")->value, "+86 138 0013 8000");
	assert_int_equal(crmf_node_get(c->items[0], "phone")->style, CRMF_STYLE_DOUBLE);
	assert_int_equal(crmf_node_get(c->items[0], "phone")->line, 4);
	assert_int_equal(crmf_node_get(c->items[0], "phone")->column, 12);
	need = crmf_node_get(r, "need");
	assert_int_equal(need->type, CRMF_NODE_MAPPING);
	assert_int_equal(need->line, 7);
	assert_int_equal(need->column, 3);
	assert_null(crmf_node_get(r, "nope"));
	assert_null(crmf_node_get(NULL, "id"));
	assert_null(crmf_node_get(crmf_node_get(r, "id"), "id"));
	assert_ptr_equal(crmf_node_pair(r, "need")->value, need);
	assert_string_equal(crmf_node_pair(r, "need")->key->value, "need");
	assert_false(f->doc->bom);
	assert_false(f->doc->crlf);
}

static void test_block_four_spaces(void **state)
{
	struct fx *f = *state;
	crmf_node *r = parse_ok(f, "need:\n"
				   "    type: a\n"
				   "    list:\n"
				   "        - one\n"
				   "        - two\n"
				   "other: 1\n");
	crmf_node *l = crmf_node_get(crmf_node_get(r, "need"), "list");

	assert_int_equal(l->n, 2);
	assert_string_equal(l->items[1]->value, "two");
	assert_int_equal(l->items[1]->line, 5);
	assert_int_equal(l->items[1]->column, 11);
	assert_string_equal(crmf_node_get(r, "other")->value, "1");
}

static void test_flow(void **state)
{
	struct fx *f = *state;
	crmf_node *r = parse_ok(f, "tags: [品质优先, 制造业]\n"
				   "region: {type: enum, values: [华东, 华北], required: true}\n"
				   "empty: []\n");
	crmf_node *t = crmf_node_get(r, "tags"), *reg = crmf_node_get(r, "region");

	assert_int_equal(t->style, CRMF_STYLE_FLOW);
	assert_int_equal(t->n, 2);
	assert_string_equal(t->items[1]->value, "制造业");
	assert_int_equal(t->items[1]->column, 14);
	assert_string_equal(span(f->doc, t), "[品质优先, 制造业]");
	assert_int_equal(t->end_line, 1);
	assert_int_equal(t->end_column, 18);
	assert_int_equal(reg->style, CRMF_STYLE_FLOW);
	assert_int_equal(reg->n, 3);
	assert_string_equal(span(f->doc, reg),
			    "{type: enum, values: [华东, 华北], required: true}");
	assert_string_equal(crmf_node_get(reg, "values")->items[0]->value, "华东");
	assert_int_equal(crmf_node_get(r, "empty")->n, 0);
}

static void test_comments_everywhere(void **state)
{
	struct fx *f = *state;
	crmf_node *r = parse_ok(f, "# head comment\n"
				   "\n"
				   "id: C1 # trailing\n"
				   "# between\n"
				   "list: # after key\n"
				   "  # inside\n"
				   "  - a # item\n"
				   "  # between items\n"
				   "  - b\n"
				   "flow: [x, # in flow\n"
				   "  y]\n"
				   "# tail\n");

	assert_int_equal(r->n, 3);
	assert_string_equal(crmf_node_get(r, "id")->value, "C1");
	assert_int_equal(crmf_node_get(r, "list")->n, 2);
	assert_string_equal(crmf_node_get(r, "list")->items[0]->value, "a");
	assert_int_equal(crmf_node_get(r, "flow")->n, 2);
	assert_int_equal(r->line, 3);
}

static void test_chinese_columns(void **state)
{
	struct fx *f = *state;
	crmf_node *r = parse_ok(f, "名称: 杭州云启科技有限公司\n"
				   "m: {名字: 张伟, 职位: 采购总监}\n");
	crmf_node *name = crmf_node_get(r, "名称"), *m = crmf_node_get(r, "m");

	assert_string_equal(name->value, "杭州云启科技有限公司");
	assert_int_equal(name->column, 5);
	assert_int_equal(name->end_column, 15);
	assert_string_equal(span(f->doc, name), "杭州云启科技有限公司");
	assert_int_equal(m->pairs[1].key->column, 13);
	assert_int_equal(m->pairs[1].value->column, 17);
	assert_string_equal(span(f->doc, m->pairs[1].value), "采购总监");

	/* an error after Chinese text is placed in characters too */
	parse(f, "名字: 张伟\x07\n");
	one_diag(f, "control-char", 1, 7);
}

static void test_spans(void **state)
{
	struct fx *f = *state;
	crmf_node *r = parse_ok(f, "plain: hello world  # c\n"
				   "single: 'it''s'\n"
				   "double: \"a\\tb 中\"\n"
				   "zh: 杭州 云启\n"
				   "lit: |\n"
				   "  line one\n"
				   "  line two\n"
				   "\n"
				   "fold: >-\n"
				   "  folded\n"
				   "  text\n"
				   "tag: !!str 5\n"
				   "end: x");
	crmf_node *n;

	n = crmf_node_get(r, "plain");
	assert_string_equal(span(f->doc, n), "hello world");
	assert_int_equal(n->style, CRMF_STYLE_PLAIN);
	n = crmf_node_get(r, "single");
	assert_string_equal(span(f->doc, n), "'it''s'");
	assert_string_equal(n->value, "it's");
	assert_int_equal(n->style, CRMF_STYLE_SINGLE);
	n = crmf_node_get(r, "double");
	assert_string_equal(span(f->doc, n), "\"a\\tb 中\"");
	assert_string_equal(n->value, "a\tb 中");
	assert_int_equal(n->len, strlen("a\tb 中"));
	n = crmf_node_get(r, "zh");
	assert_string_equal(span(f->doc, n), "杭州 云启");
	n = crmf_node_get(r, "lit");
	assert_int_equal(n->style, CRMF_STYLE_LITERAL);
	assert_string_equal(n->value, "line one\nline two\n");
	assert_string_equal(span(f->doc, n), "|\n  line one\n  line two");
	assert_int_equal(n->line, 5);
	assert_int_equal(n->column, 6);
	assert_int_equal(n->end_line, 7);
	assert_int_equal(n->end_column, 11);
	n = crmf_node_get(r, "fold");
	assert_int_equal(n->style, CRMF_STYLE_FOLDED);
	assert_string_equal(n->value, "folded text");
	assert_string_equal(span(f->doc, n), ">-\n  folded\n  text");
	n = crmf_node_get(r, "tag");
	assert_string_equal(n->tag, "!!str");
	assert_string_equal(n->value, "5");
	assert_null(crmf_node_get(r, "plain")->tag);
	n = crmf_node_get(r, "end");
	assert_string_equal(span(f->doc, n), "x");
	assert_int_equal(r->start, 0);
	assert_int_equal(r->end, f->doc->len);
	assert_int_equal(r->pairs[0].key->start, 0);
	assert_int_equal(r->pairs[0].key->end, 5);
}

static void test_bom(void **state)
{
	struct fx *f = *state;
	const crmf_diag *d;
	crmf_node *r = parse_ok(f, "\xEF\xBB\xBFid: C1\nname: 张伟\nq: \"x\"\n");
	crmf_node *n = crmf_node_get(r, "id");

	assert_true(f->doc->bom);
	assert_int_equal(r->pairs[0].key->start, 3);
	assert_int_equal(r->pairs[0].key->column, 1);
	assert_int_equal(n->column, 5);
	assert_string_equal(span(f->doc, n), "C1");
	assert_string_equal(span(f->doc, crmf_node_get(r, "name")), "张伟");
	assert_string_equal(span(f->doc, crmf_node_get(r, "q")), "\"x\"");
	assert_int_equal(crmf_node_get(r, "q")->line, 3);

	/* all-ASCII after the BOM maps characters to bytes directly */
	r = parse_ok(f, "\xEF\xBB\xBF"
			"a: 'b'\nc: d\n");
	assert_string_equal(span(f->doc, crmf_node_get(r, "a")), "'b'");
	assert_string_equal(span(f->doc, crmf_node_get(r, "c")), "d");

	/* a pre-scan error after a BOM is placed without counting it */
	parse(f, "\xEF\xBB\xBF"
		 "a: x\x01\n");
	one_diag(f, "control-char", 1, 5);

	/* a second BOM is no BOM: it is where it stands, not on the next line */
	parse(f, "\xEF\xBB\xBF\xEF\xBB\xBFid: C1\nname: x\n");
	d = one_diag(f, "control-char", 1, 1);
	assert_non_null(strstr(d->message, "byte order mark"));
	parse(f, "\xEF\xBB\xBF\xEF\xBB\xBF\xEF\xBB\xBFid: C1\n");
	assert_int_equal(f->d.n, 2);
	assert_int_equal(f->d.v[0].column, 1);
	assert_int_equal(f->d.v[1].column, 2);
	parse(f, "id: C1\n\xEF\xBB\xBFname: x\n");
	one_diag(f, "control-char", 2, 1);
	parse(f, "id: C1\nname: 杭州\xEF\xBB\xBF云启\n");
	one_diag(f, "control-char", 2, 9);
}

static void test_crlf(void **state)
{
	struct fx *f = *state;
	crmf_node *r = parse_ok(f, "\xEF\xBB\xBFid: C1\r\n"
				   "name: 杭州\r\n"
				   "note: |\r\n"
				   "  一\r\n"
				   "  two\r\n"
				   "\r\n"
				   "q: 'a b'\r\n"
				   "list:\r\n"
				   "  - 中\r\n");
	crmf_node *n;

	assert_true(f->doc->crlf);
	assert_true(f->doc->bom);
	n = crmf_node_get(r, "name");
	assert_string_equal(span(f->doc, n), "杭州");
	assert_int_equal(n->line, 2);
	assert_int_equal(n->column, 7);
	n = crmf_node_get(r, "note");
	assert_string_equal(n->value, "一\ntwo\n");
	assert_string_equal(span(f->doc, n), "|\r\n  一\r\n  two");
	assert_int_equal(n->end_line, 5);
	assert_int_equal(n->end_column, 6);
	n = crmf_node_get(r, "q");
	assert_string_equal(span(f->doc, n), "'a b'");
	assert_int_equal(n->line, 7);
	assert_int_equal(n->column, 4);
	n = crmf_node_get(r, "list")->items[0];
	assert_string_equal(span(f->doc, n), "中");
	assert_int_equal(n->line, 9);
	assert_int_equal(n->column, 5);
}

static void test_no_final_newline(void **state)
{
	struct fx *f = *state;
	crmf_node *r = parse_ok(f, "a:\n  b: 中");

	/* libyaml counts a line that is not there; the positions do not */
	assert_int_equal(r->end, f->doc->len);
	assert_int_equal(r->end_line, 2);
	assert_int_equal(r->end_column, 7);
	assert_int_equal(crmf_node_get(r, "a")->end_line, 2);
	assert_int_equal(crmf_node_get(r, "a")->end_column, 7);
	parse(f, "a: {b: 1");
	one_diag(f, "yaml-syntax", 1, 9);
}

static void test_too_large(void **state)
{
	struct fx *f = *state;
	char path[] = "/tmp/test_doc_XXXXXX";
	int fd = mkstemp(path);
	size_t n = CRMF_DOC_MAX_SIZE + 1;
	char *big = malloc(n);

	assert_true(fd >= 0);
	memset(big, ' ', n);
	big[0] = 'a', big[1] = ':';
	assert_int_equal(write(fd, big, n), (ssize_t)n);
	close(fd);
	f->rc = crmf_doc_load(&f->doc, "c.yaml", path, &f->d);
	assert_null(f->doc);
	one_diag(f, "file-too-large", 0, 0);

	f->rc = crmf_doc_parse(&f->doc, "c.yaml", big, n, &f->d);
	assert_int_equal(f->rc, -1);
	assert_null(f->doc);
	unlink(path);
	free(big);

	/* exactly at the limit is read */
	parse_n(f, "", 0);
	crmf_diags_release(&f->d);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	big = malloc(CRMF_DOC_MAX_SIZE);
	memset(big, '\n', CRMF_DOC_MAX_SIZE);
	memcpy(big, "a: 1", 4);
	assert_int_equal(write(fd, big, CRMF_DOC_MAX_SIZE), CRMF_DOC_MAX_SIZE);
	close(fd);
	crmf_doc_free(f->doc);
	f->rc = crmf_doc_load(&f->doc, "c.yaml", path, &f->d);
	assert_int_equal(f->rc, 0);
	assert_int_equal(f->doc->len, CRMF_DOC_MAX_SIZE);
	assert_string_equal(crmf_node_get(f->doc->root, "a")->value, "1");
	unlink(path);
	free(big);
}

static void test_load(void **state)
{
	struct fx *f = *state;
	char path[] = "/tmp/test_doc_XXXXXX";
	int fd = mkstemp(path);
	const char *src = "id: C1\nname: 张伟\n";

	assert_true(fd >= 0);
	assert_int_equal(write(fd, src, strlen(src)), (ssize_t)strlen(src));
	close(fd);
	f->rc = crmf_doc_load(&f->doc, "customers/C1.yaml", path, &f->d);
	assert_int_equal(f->rc, 0);
	assert_string_equal(f->doc->path, "customers/C1.yaml");
	assert_string_equal(f->doc->src, src);
	assert_string_equal(crmf_node_get(f->doc->root, "name")->value, "张伟");
	unlink(path);
	crmf_doc_free(f->doc);
	f->doc = NULL;

	f->rc = crmf_doc_load(&f->doc, "c.yaml", path, &f->d);
	assert_null(f->doc);
	one_diag(f, "read-error", 0, 0);
}

static void test_invalid_utf8(void **state)
{
	struct fx *f = *state;
	const crmf_diag *d;

	parse(f, "a: 1\nb: 2\nc: 中\xFF文\n");
	d = one_diag(f, "invalid-utf8", 3, 5);
	assert_string_equal(d->message, "invalid UTF-8 byte 0xFF; save the file as UTF-8");
	assert_non_null(f->doc);
	assert_null(f->doc->root);

	/* GBK text: one report per line, at its first bad byte */
	parse(f, "a: \xD5\xC5\xCE\xB0\nb: ok\nc: x \xD5\xC5\n");
	assert_int_equal(f->d.n, 2);
	assert_int_equal(f->d.v[0].line, 1);
	assert_int_equal(f->d.v[0].column, 4);
	assert_int_equal(f->d.v[1].line, 3);
	assert_int_equal(f->d.v[1].column, 6);

	/* overlong and surrogate encodings are invalid too */
	parse(f, "a: \xC0\xAF\n");
	one_diag(f, "invalid-utf8", 1, 4);
	parse(f, "a: \xED\xA0\x80\n");
	one_diag(f, "invalid-utf8", 1, 4);
	/* a truncated sequence at the end of the file */
	parse(f, "a: b\xE4\xB8");
	one_diag(f, "invalid-utf8", 1, 5);
}

static void test_control_chars(void **state)
{
	struct fx *f = *state;
	const crmf_diag *d;

	parse(f, "a: x\x07y\n");
	d = one_diag(f, "control-char", 1, 5);
	assert_string_equal(d->message, "control character U+0007 in file; remove it");

	parse_n(f, "a: 1\nb: \0\n", 10);
	d = one_diag(f, "control-char", 2, 4);
	assert_string_equal(d->message, "control character U+0000 in file; remove it");

	parse(f, "a: 1\n# comment \x7F\n");
	one_diag(f, "control-char", 2, 11);
	parse(f, "a: 中\xC2\x85\n");
	d = one_diag(f, "control-char", 1, 5);
	assert_string_equal(d->message, "control character U+0085 in file; remove it");
	parse(f, "a: b\rc: d\n");
	one_diag(f, "control-char", 1, 5);

	/* every one is reported */
	parse(f, "a: \x01\nb: \x02\x03\n");
	assert_int_equal(f->d.n, 3);
	assert_int_equal(f->d.v[2].line, 2);
	assert_int_equal(f->d.v[2].column, 5);

	/* escapes in double quotes produce them as well */
	parse(f, "a: ok\nb: \"bell \\a\"\n");
	d = one_diag(f, "control-char", 2, 4);
	assert_non_null(f->doc->root);

	/* a binary file gets a bounded report */
	{
		char bin[400];

		memset(bin, 1, sizeof(bin));
		parse_n(f, bin, sizeof(bin));
		assert_int_equal(f->d.n, 51);
		assert_int_equal(f->d.v[50].column, 51);
		assert_non_null(strstr(f->d.v[50].message, "350 more"));
	}
}

static void test_conflict_markers(void **state)
{
	struct fx *f = *state;
	const char *msg = "leftover git conflict marker '<<<<<<<'; resolve the merge "
			  "conflict and remove the marker lines";

	parse(f, "id: C1\n"
		 "<<<<<<< HEAD\n"
		 "stage: lead\n"
		 "||||||| base\n"
		 "stage: x\n"
		 "=======\n"
		 "stage: intent\n"
		 ">>>>>>> feature\n");
	assert_int_equal(f->rc, -1);
	assert_int_equal(f->d.n, 4);
	assert_diag_at(&f->d, "conflict-marker", 2, 1);
	assert_string_equal(f->d.v[0].message, msg);
	assert_int_equal(f->d.v[1].line, 4);
	assert_non_null(strstr(f->d.v[1].message, "'|||||||'"));
	assert_int_equal(f->d.v[2].line, 6);
	assert_non_null(strstr(f->d.v[2].message, "'======='"));
	assert_int_equal(f->d.v[3].line, 8);
	assert_int_equal(f->d.v[3].column, 1);
	assert_non_null(strstr(f->d.v[3].message, "'>>>>>>>'"));
	assert_null(f->doc->root);

	/* with CRLF and after a BOM */
	parse(f, "\xEF\xBB\xBF<<<<<<< HEAD\r\na: 1\r\n");
	one_diag(f, "conflict-marker", 1, 1);
	/* not a marker: longer runs, or inside a value */
	parse_ok(f, "a: <<<<<<< x\nb: |\n  =======\n");
}

static void test_tabs(void **state)
{
	struct fx *f = *state;
	const crmf_diag *d;
	crmf_node *r;

	parse(f, "a:\n\tb: 1\n");
	d = one_diag(f, "tab-indent", 2, 1);
	assert_string_equal(d->message, "tab in indentation; indent with spaces only");
	assert_null(f->doc->root);

	parse(f, "a:\n  b: 1\n  \tc: 2\n");
	one_diag(f, "tab-indent", 3, 3);

	/* tabs inside a block scalar's content are text */
	r = parse_ok(f, "a: |\n  x\n  \ty\n\n  z\nb: 1\n");
	assert_string_equal(crmf_node_get(r, "a")->value, "x\n\ty\n\nz\n");
	/* and the block scalar ends where the indentation does */
	parse(f, "a: |  # note\n  x\nb:\n\t- 1\n");
	one_diag(f, "tab-indent", 4, 1);
	/* tabs after the indentation are fine */
	parse_ok(f, "a:\t1\nb: [x,\ty]\n");
}

static void test_prescan_stops_libyaml(void **state)
{
	struct fx *f = *state;

	/* the broken structure would give a syntax error too: only the tab is reported */
	parse(f, "a: 1\n\tb: [\n");
	one_diag(f, "tab-indent", 2, 1);
}

static void test_syntax(void **state)
{
	struct fx *f = *state;
	const crmf_diag *d;

	parse(f, "a: 1\n b: 2\n");
	d = one_diag(f, "yaml-syntax", 2, 3);
	assert_non_null(strstr(d->message, "mapping values are not allowed"));
	assert_non_null(strstr(d->message, "; check the indentation"));
	assert_null(f->doc->root);

	parse(f, "a: 1\n中文: [1, 2\n");
	d = one_diag(f, "yaml-syntax", 3, 1);
	assert_non_null(
	    strstr(d->message, "while parsing a flow sequence started at line 2, column 5"));

	parse(f, "a: \"open\n");
	one_diag(f, "yaml-syntax", 2, 1);
	parse(f, "a: @x\n");
	one_diag(f, "yaml-syntax", 1, 4);
}

static void test_anchor_alias(void **state)
{
	struct fx *f = *state;
	const crmf_diag *d;

	parse(f, "a: &x 1\nb: *x\n");
	assert_int_equal(f->rc, -1);
	assert_int_equal(f->d.n, 2);
	assert_diag_at(&f->d, "yaml-anchor", 1, 4);
	assert_diag_at(&f->d, "yaml-alias", 2, 4);
	d = unit_find_rule(&f->d, "yaml-alias");
	assert_string_equal(
	    d->message, "anchors and aliases are not allowed in crmf files; write the value out");
	/* the tree is there for further checks */
	assert_non_null(f->doc->root);
	assert_string_equal(crmf_node_get(f->doc->root, "a")->value, "1");

	parse(f, "名: !!str &a x\nm: &m\n  k: v\n");
	assert_int_equal(f->d.n, 2);
	assert_int_equal(f->d.v[0].line, 1);
	assert_int_equal(f->d.v[0].column, 10);
	assert_int_equal(f->d.v[1].line, 2);
	assert_int_equal(f->d.v[1].column, 4);
}

static void test_duplicate_key(void **state)
{
	struct fx *f = *state;
	const crmf_diag *d;

	parse(f, "id: C1\n"
		 "x: 0\n"
		 "name: first\n"
		 "name: second\n");
	d = one_diag(f, "duplicate-key", 4, 1);
	assert_string_equal(d->message,
			    "duplicate key 'name' (first at line 3, column 1); remove one of them");
	assert_int_equal(f->doc->root->n, 3);
	assert_string_equal(crmf_node_get(f->doc->root, "name")->value, "first");

	/* quoted and plain spellings of one key are the same key */
	parse(f, "m: {a: 1, 'a': 2}\n");
	one_diag(f, "duplicate-key", 1, 11);
}

static void test_large_mapping_duplicate(void **state)
{
	struct fx *f = *state;
	size_t n = 20000, cap = n * 24 + 64, len = 0;
	char *src = malloc(cap);
	const crmf_diag *d;

	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(src + len, cap - len, "key%zu: v%zu\n", i, i);
	len += (size_t)snprintf(src + len, cap - len, "key777: again\n");
	parse_n(f, src, len);
	d = one_diag(f, "duplicate-key", (int)n + 1, 1);
	assert_string_equal(
	    d->message, "duplicate key 'key777' (first at line 778, column 1); remove one of them");
	assert_int_equal(f->doc->root->n, n);
	assert_string_equal(crmf_node_get(f->doc->root, "key777")->value, "v777");
	assert_string_equal(f->doc->root->pairs[n - 1].key->value, "key19999");
	free(src);
}

static void test_depth(void **state)
{
	struct fx *f = *state;
	size_t n = 100000;
	char *src = malloc(n + 8);
	clock_t t0;
	char ok[128];

	memcpy(src, "a: ", 3);
	memset(src + 3, '[', n);
	src[n + 3] = '\n';
	t0 = clock();
	parse_n(f, src, n + 4);
	assert_true(clock() - t0 < CLOCKS_PER_SEC / 2);
	/* the root mapping is level 1, so the 32nd '[' is the 33rd level */
	one_diag(f, "yaml-depth", 1, 35);
	assert_null(f->doc->root);

	memset(src, '[', n);
	parse_n(f, src, n);
	one_diag(f, "yaml-depth", 1, 33);
	free(src);

	/* 32 levels are fine */
	memcpy(ok, "a: ", 3);
	memset(ok + 3, '[', 31);
	memset(ok + 34, ']', 31);
	ok[65] = '\0';
	parse_ok(f, ok);
}

static void test_multiple_documents(void **state)
{
	struct fx *f = *state;

	parse(f, "---\na: 1\n---\nb: 2\n");
	one_diag(f, "multiple-documents", 3, 1);
	assert_non_null(f->doc->root);
	assert_string_equal(crmf_node_get(f->doc->root, "a")->value, "1");

	parse(f, "a: 1\n...\n--- # two\nb: 2\n");
	one_diag(f, "multiple-documents", 3, 1);
	/* an explicit end alone is one document */
	parse_ok(f, "a: 1\n...\n");
}

static void test_root_not_mapping(void **state)
{
	struct fx *f = *state;

	parse(f, "# list\n- a\n- b\n");
	one_diag(f, "root-not-mapping", 2, 1);
	assert_non_null(f->doc);
	assert_null(f->doc->root);
	parse(f, "  just text\n");
	one_diag(f, "root-not-mapping", 1, 3);
}

static void test_empty(void **state)
{
	struct fx *f = *state;
	const crmf_diag *d;

	parse_n(f, "", 0);
	d = one_diag(f, "empty-file", 1, 1);
	assert_string_equal(d->message, "file is empty; write at least one 'key: value' line");
	assert_null(f->doc->root);
	parse(f, "# only a comment\n\n   \n");
	one_diag(f, "empty-file", 1, 1);
	parse(f, "\xEF\xBB\xBF");
	one_diag(f, "empty-file", 1, 1);
	parse(f, "---\n");
	one_diag(f, "empty-file", 1, 1);
}

static void test_complex_key(void **state)
{
	struct fx *f = *state;

	parse(f, "a: 1\n[x, y]: 2\n");
	one_diag(f, "complex-key", 2, 1);
	assert_int_equal(f->doc->root->n, 1);
}

/* Every tag but the core schema's own for the node's kind (and the
 * non-specific `!`) is refused, wherever it stands, at the tag. */
static void test_tags(void **state)
{
	struct fx *f = *state;
	const crmf_diag *d;
	static const struct {
		const char *src, *tag;
		int line, col;
	} bad[] = {
	    {"!!python/object:os.system\nid: C1\n", "!!python/object:os.system", 1, 1},
	    {"--- !!python/object:x\nid: C1\n", "!!python/object:x", 1, 5},
	    {"!!int stage: intent\n", "!!int", 1, 1},
	    {"a: 1\n!foo b: 2\n", "!foo", 2, 1},
	    {"a: !foo x\n", "!foo", 1, 4},
	    {"a: !!int 5\n", "!!int", 1, 4},
	    {"a: !!null\n", "!!null", 1, 4},
	    {"a: !!str\n  - x\n", "!!str", 1, 4},
	    {"a: !!seq x\n", "!!seq", 1, 4},
	    {"a: !!map [x]\n", "!!map", 1, 4},
	    {"a: !!python/tuple [x, y]\n", "!!python/tuple", 1, 4},
	    {"a: [x, !!binary eA==]\n", "!!binary", 1, 8},
	    {"a:\n  - 1\n  - !!python/object/apply:os.system [echo]\n",
	     "!!python/object/apply:os.system", 3, 5},
	    {"a: !!set\n  x: y\n", "!!set", 1, 4},
	    {"a: {!!int k: v}\n", "!!int", 1, 5},
	    {"a: {k: !e v}\n", "!e", 1, 8},
	    {"a: &n !!int 5\n", "!!int", 1, 7},
	    {"a: !<tag:yaml.org,2002:int> 5\n", "!<tag:yaml.org,2002:int>", 1, 4},
	    {"名字: !!float 1.5\n", "!!float", 1, 5},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		parse(f, bad[i].src);
		d = unit_find_rule(&f->d, "yaml-tag");
		if (!d)
			print_message("no yaml-tag for %s", bad[i].src);
		assert_non_null(d);
		assert_int_equal(f->rc, -1);
		assert_diag_at(&f->d, "yaml-tag", bad[i].line, bad[i].col);
		assert_non_null(strstr(d->message, bad[i].tag));
		assert_non_null(strstr(d->message, "remove it"));
	}
	/* the tree is still there for further checks */
	parse(f, "!!int stage: intent\nb: c\n");
	one_diag(f, "yaml-tag", 1, 1);
	assert_string_equal(crmf_node_get(f->doc->root, "b")->value, "c");

	/* a %TAG directive is refused, and so is what it makes of `!!str` */
	parse(f, "%TAG !! tag:example.com,2000:\n---\na: !!str x\n");
	assert_int_equal(f->d.n, 2);
	assert_string_equal(f->d.v[0].rule, "yaml-tag");
	assert_int_equal(f->d.v[0].line, 1);
	assert_int_equal(f->d.v[0].column, 1);
	assert_string_equal(f->d.v[1].rule, "yaml-tag");
	assert_int_equal(f->d.v[1].line, 3);
	assert_int_equal(f->d.v[1].column, 4);
	parse(f, "# c\n%YAML 1.1\n%TAG !e! tag:yaml.org,2002:\n---\na: x\n");
	d = one_diag(f, "yaml-tag", 3, 1);
	assert_non_null(strstr(d->message, "%TAG"));

	/* the core schema's tags for the node's kind change nothing */
	parse_ok(f, "a: !!str 5\n! b: !!str\n!!str c: ! x\nd: !!seq [x]\ne: !!map {k: v}\n"
		    "f: !<tag:yaml.org,2002:str> x\ng: !\n  - x\n");
	parse_ok(f, "--- !!map\na: b\n");
	parse_ok(f, "!!map\na: b\n");
	parse_ok(f, "%YAML 1.1\n---\na: b\n");
}

/* libyaml gives up on a key of more than 1024 characters: say so, at the key. */
static void test_long_key(void **state)
{
	struct fx *f = *state;
	const crmf_diag *d;
	static const char *const forms[] = {"%s: v\n", "x: 1\n\"%s\": v\n", "a: {%s: v}\n",
					    "a:\n  - %s: v\n"};
	static const int where_line[] = {1, 2, 1, 2}, where_col[] = {1, 1, 5, 5};
	char key[1200], src[1300];

	for (size_t i = 0; i < sizeof(forms) / sizeof(*forms); i++) {
		memset(key, 'k', 1100);
		key[1100] = '\0';
		snprintf(src, sizeof(src), forms[i], key);
		parse(f, src);
		d = one_diag(f, "yaml-syntax", where_line[i], where_col[i]);
		assert_non_null(strstr(d->message, "key longer than 1024 characters"));
		assert_null(strstr(d->message, "add ': '"));
		/* up to the limit, a key is a key */
		key[1000] = '\0';
		snprintf(src, sizeof(src), forms[i], key);
		parse_ok(f, src);
	}
	/* the limit exactly: 1024 characters before the ':' */
	memset(key, 'k', 1024);
	strcpy(key + 1024, ": v\n");
	parse_ok(f, key);
	memset(key, 'k', 1025);
	strcpy(key + 1025, ": v\n");
	parse(f, key);
	one_diag(f, "yaml-syntax", 1, 1);
	/* a key that lacks its ':' is still told so */
	parse(f, "a: 1\nb\nc: 2\n");
	d = unit_find_rule(&f->d, "yaml-syntax");
	assert_non_null(d);
	assert_null(strstr(d->message, "longer than"));
}

static void test_is_null(void **state)
{
	struct fx *f = *state;
	crmf_node *r = parse_ok(f, "a:\nb: ~\nc: null\nd: 'null'\ne: x\nf: []\ng: NULL\n");

	assert_true(crmf_node_is_null(crmf_node_get(r, "a")));
	assert_true(crmf_node_is_null(crmf_node_get(r, "b")));
	assert_true(crmf_node_is_null(crmf_node_get(r, "c")));
	assert_false(crmf_node_is_null(crmf_node_get(r, "d")));
	assert_false(crmf_node_is_null(crmf_node_get(r, "e")));
	assert_false(crmf_node_is_null(crmf_node_get(r, "f")));
	assert_true(crmf_node_is_null(crmf_node_get(r, "g")));
	crmf_doc_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(test_block_two_spaces),
	    T(test_block_four_spaces),
	    T(test_flow),
	    T(test_comments_everywhere),
	    T(test_chinese_columns),
	    T(test_spans),
	    T(test_bom),
	    T(test_positions_everywhere),
	    T(test_positions_mixed_widths),
	    T(test_crlf),
	    T(test_no_final_newline),
	    T(test_too_large),
	    T(test_load),
	    T(test_invalid_utf8),
	    T(test_control_chars),
	    T(test_conflict_markers),
	    T(test_tabs),
	    T(test_prescan_stops_libyaml),
	    T(test_syntax),
	    T(test_anchor_alias),
	    T(test_duplicate_key),
	    T(test_large_mapping_duplicate),
	    T(test_depth),
	    T(test_multiple_documents),
	    T(test_root_not_mapping),
	    T(test_empty),
	    T(test_complex_key),
	    T(test_is_null),
	    T(test_tags),
	    T(test_long_key),
#undef T
	};

	return cmocka_run_group_tests_name("doc", tests, NULL, NULL);
}
