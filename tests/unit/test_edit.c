/* SPDX-License-Identifier: MIT */
/* Unit tests of edit.c: byte-exact edits on fixtures in many styles, quoting, paths and read-back.
 */
#include "unit.h"

#include <sys/stat.h>

/* Fixtures live in tests/fixtures/edit/<case>.in.yaml and <case>.out.yaml.
 * CRMF_FIXTURE_WRITE=1 rewrites the .out files from what the code does:
 * review every resulting diff by eye before committing it. */
#define FIXTURES "tests/fixtures/edit/"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static char *fixture_path(const char *name, const char *ext)
{
	const char *root = getenv("CRMF_SRC");
	char *p;
	size_t n;

	if (!root)
		root = ".";
	n = strlen(root) + strlen(FIXTURES) + strlen(name) + strlen(ext) + 2;
	p = malloc(n);
	snprintf(p, n, "%s/%s%s%s", root, FIXTURES, name, ext);
	return p;
}

static crmf_doc *parse_src(const char *src, size_t len)
{
	crmf_diags d;
	crmf_doc *doc = NULL;

	crmf_diags_init(&d);
	if (crmf_doc_parse(&doc, "c.yaml", src, len, &d) != 0) {
		for (size_t i = 0; i < d.n; i++)
			print_message("%d:%d %s\n", d.v[i].line, d.v[i].column, d.v[i].message);
		fail_msg("fixture does not parse");
	}
	crmf_diags_release(&d);
	return doc;
}

static crmf_doc *parse_str(const char *src)
{
	return parse_src(src, strlen(src));
}

/* Print where two buffers first differ, with the line around it. */
static void report_mismatch(const char *name, const char *want, size_t wlen, const char *got,
			    size_t glen)
{
	size_t i = 0, ls, line = 1;

	while (i < wlen && i < glen && want[i] == got[i])
		i++;
	for (size_t k = 0; k < i; k++)
		if (want[k] == '\n')
			line++;
	for (ls = i; ls > 0 && want[ls - 1] != '\n'; ls--)
		;
	print_message(
	    "%s: output differs from %s.out.yaml at byte %zu (line %zu, byte %zu of the line)\n",
	    name, name, i, line, i - ls + 1);
	print_message("  expected: %.*s\n", (int)(strcspn(want + ls, "\n")), want + ls);
	print_message("  got:      %.*s\n", ls <= glen ? (int)strcspn(got + ls, "\n") : 0,
		      ls <= glen ? got + ls : "");
	print_message("  lengths: expected %zu, got %zu\n", wlen, glen);
}

/* ---- fixture cases: one edit (one or more operations) per case ---- */

enum { OP_END, OP_SET, OP_RAW, OP_DEL, OP_APPEND };

struct op {
	int kind;
	const char *path;  /* OP_APPEND: the mapping ("" for the top level) */
	const char *value; /* OP_APPEND: the key of the sequence */
	const crmf_edit_field *fields;
	size_t n;
};

#define SET(p, v)                                                                                  \
	{                                                                                          \
		.kind = OP_SET, .path = (p), .value = (v)                                          \
	}
#define SETRAW(p, v)                                                                               \
	{                                                                                          \
		.kind = OP_RAW, .path = (p), .value = (v)                                          \
	}
#define DEL(p)                                                                                     \
	{                                                                                          \
		.kind = OP_DEL, .path = (p)                                                        \
	}
#define APPEND(key, ...)                                                                           \
	{                                                                                          \
		.kind = OP_APPEND, .path = "", .value = (key),                                     \
		.fields = (const crmf_edit_field[]){__VA_ARGS__},                                  \
		.n = sizeof((const crmf_edit_field[]){__VA_ARGS__}) / sizeof(crmf_edit_field)      \
	}
#define RAW CRMF_EDIT_RAW

struct fcase {
	const char *name;
	struct op ops[4];
};

static const struct fcase cases[] = {
    /* set a scalar in place */
    {"set-comment-2space", {SET("stage", "negotiation"), SET("need.type", "采购产品B")}},
    {"set-phone-4space", {SET("contacts[0].phone", "13800138000")}},
    {"set-quoted-styles", {SET("stage", "it's"), SET("owner", "say \"hi\""), SET("id", "007")}},
    {"set-empty-value", {SET("contacts[0].email", "zhou@example.cn")}},
    {"set-crlf", {SET("stage", "intent"), SET("contacts[0].phone", "020-8765-4321")}},
    {"set-literal-4space",
     {SET("need.description", "第一行\n第二行"),
      SET("followups[-1].summary", "现场参观产线:\n确认需求范围\n")}},
    {"set-literal-to-plain", {SET("note", "单行备注")}},
    {"set-multiline-crlf", {SET("stage", "多\n行")}},
    {"set-flow", {SET("tags[0]", "a, b"), SET("contacts[0].phone", "01066668888")}},
    {"set-no-newline-bom", {SET("followups[-1].summary", "初次会面, 确认预算")}},
    {"set-typed-text-indentless",
     {SET("need.description", "2024-01-01"), SET("contacts[0].name", "no"),
      SETRAW("followups[0].due", "2024-03-15")}},
    /* add an absent key */
    {"add-top-2space", {SET("potential", "high")}},
    {"add-nested-2space", {SET("contacts[1].phone", "+86 139 0000 1111")}},
    {"add-after-literal-4space", {SET("need.budget", "100万"), SET("grade", "A")}},
    {"add-indentless", {SET("contacts[0].email", "zhaomin@example.cn")}},
    {"add-flow", {SET("need.budget", "10万"), SET("contacts[0].email", "sun@example.cn")}},
    {"add-no-newline-bom", {SET("potential", "low")}},
    {"add-crlf", {SET("potential", "high"), SET("contacts[0].email", "chen@example.cn")}},
    /* append a follow-up */
    {"append-2space",
     {APPEND("followups", {"date", "2024-02-10", RAW}, {"by", "zhang.wei", 0},
	     {"method", "phone", 0}, {"summary", "客户确认: 下周签约", 0}, {"next", "准备合同", 0},
	     {"due", "2024-02-15", RAW})}},
    {"append-4space",
     {APPEND("followups", {"date", "2024-03-10", RAW}, {"by", "li.na", 0}, {"method", "phone", 0},
	     {"summary", "电话报价", 0})}},
    {"append-indentless",
     {APPEND("followups", {"date", "2024-03-12", RAW}, {"by", "wang.fang", 0},
	     {"method", "phone", 0}, {"summary", "电话沟通需求", 0}, {"with", "yes", 0})}},
    {"append-empty-flow",
     {APPEND("followups", {"date", "2024-04-02", RAW}, {"by", "zhang.wei", 0},
	     {"method", "wechat", 0}, {"summary", "加微信", 0})}},
    {"append-flow-items",
     {APPEND("followups", {"date", "2024-08-01", RAW}, {"by", "li.na", 0}, {"method", "visit", 0},
	     {"summary", "上门: 签约", 0})}},
    {"append-null-4space",
     {APPEND("followups", {"date", "2024-08-01", RAW}, {"by", "wang.fang", 0},
	     {"method", "phone", 0}, {"summary", "首次电话", 0})}},
    {"append-create",
     {APPEND("followups", {"date", "2024-06-08", RAW}, {"by", "li.na", 0}, {"method", "visit", 0},
	     {"summary", "拜访\n带样品", 0})}},
    {"append-crlf",
     {APPEND("followups", {"date", "2024-05-08", RAW}, {"by", "li.na", 0}, {"method", "phone", 0},
	     {"summary", "回访", 0})}},
    {"append-no-newline-bom",
     {APPEND("followups", {"date", "2024-06-08", RAW}, {"by", "zhang.wei", 0},
	     {"method", "phone", 0}, {"summary", "回访", 0})}},
    /* delete pairs and items */
    {"delete-key-2space", {DEL("contacts[0].title"), DEL("need.budget")}},
    {"delete-first-key-of-item", {DEL("contacts[0].name")}},
    {"delete-item-2space", {DEL("contacts[0]")}},
    {"delete-last-item", {DEL("followups[0]")}},
    {"delete-4space", {DEL("contacts[0].title"), DEL("need.description")}},
    {"delete-flow", {DEL("tags[0]"), DEL("contacts[0].title"), DEL("need.type")}},
    {"delete-crlf", {DEL("contacts[0].phone"), DEL("stage")}},
    {"delete-bom-first", {DEL("id")}},
    {"delete-indentless", {DEL("followups[0]"), DEL("contacts[0].phone")}},
};

static int apply_op(crmf_edit *e, const crmf_doc *doc, const struct op *op)
{
	crmf_edit_target t;

	switch (op->kind) {
	case OP_SET:
		return crmf_edit_set(e, op->path, op->value, CRMF_EDIT_TEXT);
	case OP_RAW:
		return crmf_edit_set(e, op->path, op->value, CRMF_EDIT_RAW);
	case OP_DEL:
		return crmf_edit_delete(e, op->path);
	case OP_APPEND:
		if (!*op->path)
			return crmf_edit_append(e, doc->root, op->value, op->fields, op->n);
		assert_int_equal(crmf_edit_find(&t, doc, op->path), 0);
		return crmf_edit_append(e, t.node, op->value, op->fields, op->n);
	}
	return -1;
}

/* Every byte between the splices is the input's: checked from the splice list
 * on the output, independently of how the edit applies them. */
static void assert_outside_splices_kept(const crmf_edit *e, const char *in, size_t inlen,
					const char *out, size_t outlen)
{
	size_t n, pin = 0, pout = 0;
	crmf_splice *sp = crmf_edit_splices(e, &n);

	for (size_t i = 0; i < n; i++) {
		size_t gap = sp[i].offset - pin;

		assert_true(sp[i].offset >= pin);
		assert_true(pout + gap + sp[i].len <= outlen);
		assert_memory_equal(out + pout, in + pin, gap);
		assert_memory_equal(out + pout + gap, sp[i].text, sp[i].len);
		pout += gap + sp[i].len;
		pin = sp[i].offset + sp[i].removed;
	}
	assert_int_equal(outlen - pout, inlen - pin);
	assert_memory_equal(out + pout, in + pin, inlen - pin);
	free(sp);
}

static void run_case(const struct fcase *c)
{
	char *inp = fixture_path(c->name, ".in.yaml"), *outp = fixture_path(c->name, ".out.yaml");
	size_t inlen = 0, wantlen = 0;
	char *in = slurp(inp, &inlen), *want;
	crmf_doc *doc, *nd = NULL;
	crmf_edit *e;
	crmf_diags d;

	if (!in)
		fail_msg("cannot read %s", inp);
	doc = parse_src(in, inlen);
	assert_int_equal(crmf_edit_new(&e, doc), 0);
	for (const struct op *op = c->ops; op->kind != OP_END; op++)
		if (apply_op(e, doc, op) != 0)
			fail_msg("%s: operation on '%s' failed: %s", c->name, op->path,
				 crmf_error_last());
	crmf_diags_init(&d);
	if (crmf_edit_finish(&nd, e, &d) != 0)
		fail_msg("%s: %s", c->name, crmf_error_last());
	assert_int_equal(d.n, 0);
	assert_outside_splices_kept(e, in, inlen, nd->src, nd->len);
	if (getenv("CRMF_FIXTURE_WRITE")) {
		FILE *f = fopen(outp, "wb");

		assert_non_null(f);
		fwrite(nd->src, 1, nd->len, f);
		fclose(f);
	}
	want = slurp(outp, &wantlen);
	if (!want)
		fail_msg("cannot read %s", outp);
	if (wantlen != nd->len || memcmp(want, nd->src, wantlen) != 0) {
		report_mismatch(c->name, want, wantlen, nd->src, nd->len);
		fail_msg("%s: output differs", c->name);
	}
	free(want);
	crmf_diags_release(&d);
	crmf_doc_free(nd);
	crmf_edit_free(e);
	crmf_doc_free(doc);
	free(in);
	free(inp);
	free(outp);
}

static void test_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		run_case(&cases[i]);
}

/* ---- the edit leaves every byte outside the value alone ---- */

static size_t common_prefix(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i = 0;

	while (i < al && i < bl && a[i] == b[i])
		i++;
	return i;
}

/* At most the shorter length less `pre` (a common prefix not to overlap). */
static size_t common_suffix(const char *a, size_t al, const char *b, size_t bl, size_t pre)
{
	size_t i = 0, lim = (al < bl ? al : bl) - pre;

	while (i < lim && a[al - 1 - i] == b[bl - 1 - i])
		i++;
	return i;
}

/* Set every scalar value of `src` in turn: the bytes before the node and
 * after it are the input's, whatever the value's style and the file's. */
static void every_scalar_kept(const char *src, const crmf_node *n, const crmf_doc *doc)
{
	if (n->type == CRMF_NODE_SCALAR) {
		crmf_edit *e;
		char *out;
		size_t len, pre, suf;

		assert_int_equal(crmf_edit_new(&e, doc), 0);
		assert_int_equal(crmf_edit_set_scalar(e, n, "新值 x", CRMF_EDIT_TEXT), 0);
		assert_int_equal(crmf_edit_apply(&out, &len, e), 0);
		pre = common_prefix(src, doc->len, out, len);
		suf = common_suffix(src, doc->len, out, len, 0);
		assert_true(pre >= n->start);
		if (n->style != CRMF_STYLE_LITERAL && n->style != CRMF_STYLE_FOLDED)
			assert_true(suf >= doc->len - n->end);
		free(out);
		crmf_edit_free(e);
		return;
	}
	for (size_t i = 0; i < n->n; i++)
		every_scalar_kept(
		    src, n->type == CRMF_NODE_MAPPING ? n->pairs[i].value : n->items[i], doc);
}

/* Past the line holding `end`, the comment lines right after it and the
 * indentation of the next line (a first key after '-' pulls the next one up). */
static size_t after_comments(const char *src, size_t end)
{
	size_t p = end + strcspn(src + end, "\n");

	while (src[p] == '\n') {
		size_t q = p + 1 + strspn(src + p + 1, " ");

		if (src[q] != '#')
			return q;
		p = q + strcspn(src + q, "\n");
	}
	return p;
}

/* Delete every pair and item in turn: only its own lines change. */
static void every_delete_local(const char *src, const crmf_node *n, const crmf_doc *doc)
{
	for (size_t i = 0; n->type != CRMF_NODE_SCALAR && i < n->n; i++) {
		const crmf_node *child =
		    n->type == CRMF_NODE_MAPPING ? n->pairs[i].value : n->items[i];
		size_t first = n->type == CRMF_NODE_MAPPING ? n->pairs[i].key->start : child->start;
		size_t ls = first, len, pre, suf, end = child->end;
		crmf_edit *e;
		crmf_doc *nd;
		char *out;
		int rc;

		while (ls > 0 && src[ls - 1] != '\n')
			ls--;
		for (const crmf_node *l = child;
		     l->type != CRMF_NODE_SCALAR && l->style == CRMF_STYLE_BLOCK && l->n;)
			l = l->type == CRMF_NODE_MAPPING ? l->pairs[l->n - 1].value
							 : l->items[l->n - 1],
			end = l->end;
		assert_int_equal(crmf_edit_new(&e, doc), 0);
		rc = n->type == CRMF_NODE_MAPPING
			 ? crmf_edit_delete_key(e, n, n->pairs[i].key->value)
			 : crmf_edit_delete_item(e, n, i);
		if (rc == 0) {
			size_t removed, at;

			assert_int_equal(crmf_edit_apply(&out, &len, e), 0);
			assert_int_equal(crmf_edit_finish(&nd, e, NULL), 0);
			crmf_doc_free(nd);
			if (n->n ==
			    1) { /* emptied: {} or [] goes after the key, checked elsewhere */
				free(out);
				crmf_edit_free(e);
				continue;
			}
			/* one block of bytes went; where it sits is ambiguous when it
			 * repeats its surroundings: take its earliest place that is
			 * not before the entry's line, which must end by the entry's
			 * last line (and the comments after it) */
			assert_true(len < doc->len);
			removed = doc->len - len;
			pre = common_prefix(src, doc->len, out, len);
			suf = common_suffix(src, doc->len, out, len, 0);
			assert_true(pre + suf >= len);
			at = ls > len - suf ? ls : len - suf;
			if (at > pre || at + removed > after_comments(src, end))
				fail_msg("delete of entry %zu at byte %zu: bytes [%zu, %zu) went",
					 i, first, at, at + removed);
			free(out);
		}
		crmf_edit_free(e);
		every_delete_local(src, child, doc);
	}
}

static void test_bytes_outside_kept(void **state)
{
	static const char *const files[] = {
	    "set-comment-2space", "set-phone-4space",  "set-quoted-styles",
	    "set-flow",		  "set-crlf",	       "set-no-newline-bom",
	    "add-indentless",	  "append-flow-items", "append-null-4space",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		char *p = fixture_path(files[i], ".in.yaml");
		size_t len;
		char *src = slurp(p, &len);
		crmf_doc *doc;

		assert_non_null(src);
		doc = parse_src(src, len);
		every_scalar_kept(src, doc->root, doc);
		every_delete_local(src, doc->root, doc);
		crmf_doc_free(doc);
		free(src);
		free(p);
	}
}

/* ---- quoting ---- */

static void test_plain_safe_table(void **state)
{
	static const struct {
		const char *value, *written;
	} table[] = {
	    {"13800138000", "\"13800138000\""},
	    {"007", "\"007\""},
	    {"no", "\"no\""},
	    {"No", "\"No\""},
	    {"yes", "\"yes\""},
	    {"Y", "\"Y\""},
	    {"n", "\"n\""},
	    {"on", "\"on\""},
	    {"OFF", "\"OFF\""},
	    {"true", "\"true\""},
	    {"False", "\"False\""},
	    {"null", "\"null\""},
	    {"NULL", "\"NULL\""},
	    {"~", "\"~\""},
	    {"2024-01-01", "\"2024-01-01\""},
	    {"2024-1-5", "\"2024-1-5\""},
	    {"2024-01-01 10:30", "\"2024-01-01 10:30\""},
	    {"2024-01-01T10:30:00Z", "\"2024-01-01T10:30:00Z\""},
	    {"0x1F", "\"0x1F\""},
	    {"0o17", "\"0o17\""},
	    {"1_000", "\"1_000\""},
	    {"1.5", "\"1.5\""},
	    {"-1", "\"-1\""},
	    {"+12", "\"+12\""},
	    {"1e3", "\"1e3\""},
	    {".inf", "\".inf\""},
	    {"-.Inf", "\"-.Inf\""},
	    {".NaN", "\".NaN\""},
	    {"1:20", "\"1:20\""},
	    {"10:30", "\"10:30\""},
	    {"<<", "\"<<\""},
	    {"=", "\"=\""},
	    {"- x", "\"- x\""},
	    {"a: b", "\"a: b\""},
	    {"a:", "\"a:\""},
	    {"#x", "\"#x\""},
	    {"a #x", "\"a #x\""},
	    {" lead", "\" lead\""},
	    {"trail ", "\"trail \""},
	    {"", "\"\""},
	    {"@home", "\"@home\""},
	    {"`x`", "\"`x`\""},
	    {"'q'", "\"'q'\""},
	    {"\"q\"", "\"\\\"q\\\"\""},
	    {"%x", "\"%x\""},
	    {"!x", "\"!x\""},
	    {"&x", "\"&x\""},
	    {"*x", "\"*x\""},
	    {"|x", "\"|x\""},
	    {">x", "\">x\""},
	    {"[x]", "\"[x]\""},
	    {"{x}", "\"{x}\""},
	    {",x", "\",x\""},
	    {"?x", "\"?x\""},
	    {":x", "\":x\""},
	    {"a\nb", "\"a\\nb\""},
	    {"tab\there", "\"tab\\there\""},
	    {"back\\slash", "back\\slash"},
	    {"bell\a", "\"bell\\x07\""},
	    {"zero\xe2\x80\xa8width", "\"zero\\Lwidth\""},
	    {"bom\xef\xbb\xbf", "\"bom\\uFEFF\""},
	    {"c1\xc2\x85", "\"c1\\x85\""},
	    /* plain stays plain */
	    {"杭州云启科技有限公司", "杭州云启科技有限公司"},
	    {"客户对方案A交付周期有疑问", "客户对方案A交付周期有疑问"},
	    {"3个月内", "3个月内"},
	    {"50万-100万", "50万-100万"},
	    {"50-200", "50-200"},
	    {"+86 138 0013 8000", "+86 138 0013 8000"},
	    {"zhang.wei", "zhang.wei"},
	    {"zhangwei@example.cn", "zhangwei@example.cn"},
	    {"C2024001", "C2024001"},
	    {"a:b", "a:b"},
	    {"a#b", "a#b"},
	    {"1.2.3", "1.2.3"},
	    {"yes please", "yes please"},
	    {"IT服务/云计算", "IT服务/云计算"},
	    {"http://example.cn/a?b=1", "http://example.cn/a?b=1"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(*table); i++) {
		char *got = crmf_edit_scalar(table[i].value);
		bool plain = strcmp(table[i].value, table[i].written) == 0;

		if (!got || strcmp(got, table[i].written) != 0)
			fail_msg("'%s' written as %s, expected %s", table[i].value,
				 got ? got : "(null)", table[i].written);
		if (crmf_edit_plain_safe(table[i].value) != plain)
			fail_msg("crmf_edit_plain_safe('%s') should be %d", table[i].value, plain);
		free(got);
	}
	assert_false(crmf_edit_plain_safe(NULL));
	assert_null(crmf_edit_quote("bad \xff utf-8"));
	assert_null(crmf_edit_scalar("\xc3"));
}

/* The table through a real edit: what is written parses back as the text. */
static void test_quoting_through_set(void **state)
{
	static const char *const values[] = {
	    "13800138000", "007",     "no",	    "2024-01-01", "yes",      "~",
	    "- x",	   "a: b",    "#x",	    " lead",	  "",	      "中文 纯文本",
	    "it's",	   "a\"b\\c", "行一\n行二", "end\n",	  "\n\nlead",
	};
	crmf_doc *doc = parse_str("phone: 1\nname: 'x'   # c\nnote: \"y\"\nlist: [a, b]\n");

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(*values); i++) {
		static const char *const paths[] = {"phone", "name", "note", "list[1]", "added"};

		for (size_t p = 0; p < sizeof(paths) / sizeof(*paths); p++) {
			crmf_edit *e;
			crmf_doc *nd;
			crmf_edit_target t;

			assert_int_equal(crmf_edit_new(&e, doc), 0);
			assert_int_equal(crmf_edit_set(e, paths[p], values[i], 0), 0);
			if (crmf_edit_finish(&nd, e, NULL) != 0)
				fail_msg("%s = '%s': %s", paths[p], values[i], crmf_error_last());
			assert_int_equal(crmf_edit_find(&t, nd, paths[p]), 0);
			assert_non_null(t.node);
			assert_string_equal(t.node->value, values[i]);
			crmf_doc_free(nd);
			crmf_edit_free(e);
		}
	}
	crmf_doc_free(doc);
}

static void test_set_output_exact(void **state)
{
	static const struct {
		const char *src, *path, *value, *out;
		unsigned flags;
	} t[] = {
	    {"phone: x\n", "phone", "13800138000", "phone: \"13800138000\"\n", 0},
	    {"phone: x\n", "phone", "13800138000", "phone: 13800138000\n", CRMF_EDIT_RAW},
	    {"a: 'x'\n", "a", "plain", "a: 'plain'\n", 0},
	    {"a: 'x'\n", "a", "tab\there", "a: 'tab\there'\n", 0},
	    {"a: \"x\"\n", "a", "plain", "a: \"plain\"\n", 0},
	    {"a: x\n", "a", "中文", "a: 中文\n", 0},
	    {"a:\n", "a", "v", "a: v\n", 0},
	    {"a:   # c\n", "a", "v", "a: v   # c\n", 0},
	    {"a: ~  # c\n", "a", "v", "a: v  # c\n", 0},
	    {"a: x # c\nb: y\n", "a", "l1\nl2", "a: |- # c\n  l1\n  l2\nb: y\n", 0},
	    {"a: x\n", "a", "l1\n\nl2\n", "a: |\n  l1\n\n  l2\n", 0},
	    {"a: x\n", "a", "l1\n\n", "a: \"l1\\n\\n\"\n", 0},
	    {"a: x\n", "a", " l1\nl2", "a: \" l1\\nl2\"\n", 0},
	    {"a: |\n  old\n  text\nb: 1\n", "a", "new\ntext\n", "a: |\n  new\n  text\nb: 1\n", 0},
	    {"a: >-  # c\n  old\n  text\n\nb: 1\n", "a", "v", "a: v  # c\n\nb: 1\n", 0},
	    {"- a\n", "[0]", "b", "", 0}, /* the root is no mapping: rejected at parse */
	    {"m: {a: 1}\n", "m.a", "x, y", "m: {a: \"x, y\"}\n", 0},
	    {"m: {a: 1}\n", "m.a", "l1\nl2", "m: {a: \"l1\\nl2\"}\n", 0},
	    {"m: [1, 2]\n", "m[-1]", "3", "m: [1, 3]\n", CRMF_EDIT_RAW},
	    {"m: [1, 2]\n", "m[-1]", "a?", "m: [1, \"a?\"]\n", 0},
	    {"s:\n  - x\n", "s[0]", "a\nb", "s:\n  - |-\n    a\n    b\n", 0},
	    {"k: !!str 007\n", "k", "008", "k: \"008\"\n", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		crmf_doc *doc = NULL, *nd;
		crmf_diags d;
		crmf_edit *e;

		crmf_diags_init(&d);
		if (crmf_doc_parse(&doc, "c.yaml", t[i].src, strlen(t[i].src), &d) != 0) {
			assert_string_equal(t[i].out, "");
			assert_int_equal(crmf_edit_new(&e, doc), -1);
			crmf_doc_free(doc);
			crmf_diags_release(&d);
			continue;
		}
		assert_int_equal(crmf_edit_new(&e, doc), 0);
		if (crmf_edit_set(e, t[i].path, t[i].value, t[i].flags) != 0)
			fail_msg("%s: %s", t[i].src, crmf_error_last());
		if (crmf_edit_finish(&nd, e, &d) != 0)
			fail_msg("%s: %s", t[i].src, crmf_error_last());
		assert_string_equal(nd->src, t[i].out);
		crmf_doc_free(nd);
		crmf_edit_free(e);
		crmf_doc_free(doc);
		crmf_diags_release(&d);
	}
}

/* ---- structure edits on small inputs ---- */

static char *edit_one(const char *src, int (*op)(crmf_edit *, const crmf_doc *))
{
	crmf_doc *doc = parse_str(src), *nd;
	crmf_edit *e;
	char *out;

	assert_int_equal(crmf_edit_new(&e, doc), 0);
	if (op(e, doc) != 0)
		fail_msg("operation failed: %s", crmf_error_last());
	if (crmf_edit_finish(&nd, e, NULL) != 0)
		fail_msg("read-back failed: %s", crmf_error_last());
	out = strdup(nd->src);
	crmf_doc_free(nd);
	crmf_edit_free(e);
	crmf_doc_free(doc);
	return out;
}

static const crmf_edit_field entry[] = {{"date", "2024-02-01", CRMF_EDIT_RAW}, {"by", "li", 0}};

static int op_append(crmf_edit *e, const crmf_doc *doc)
{
	return crmf_edit_append(e, doc->root, "f", entry, 2);
}

static int op_del_b(crmf_edit *e, const crmf_doc *doc)
{
	(void)doc;
	return crmf_edit_delete(e, "m.b");
}

static int op_del_item1(crmf_edit *e, const crmf_doc *doc)
{
	(void)doc;
	return crmf_edit_delete(e, "f[1]");
}

static int op_add_z(crmf_edit *e, const crmf_doc *doc)
{
	(void)doc;
	return crmf_edit_set(e, "m.z", "26", CRMF_EDIT_RAW);
}

/* Every entry, one operation each: the collection reads as empty, not null. */
static int op_del_all(crmf_edit *e, const crmf_doc *doc)
{
	(void)doc;
	if (crmf_edit_delete(e, "m.a") || crmf_edit_delete(e, "m.b"))
		return -1;
	return crmf_edit_delete(e, "f[1]") || crmf_edit_delete(e, "f[0]");
}

static void expect_edit(const char *src, int (*op)(crmf_edit *, const crmf_doc *), const char *want)
{
	char *got = edit_one(src, op);

	if (strcmp(got, want) != 0)
		fail_msg("edit of:\n%s\ngave:\n%s\nexpected:\n%s", src, got, want);
	free(got);
}

static void test_append_layouts(void **state)
{
	(void)state;
	/* indentation of the items and of their keys follows the existing items */
	expect_edit("f:\n- a: 1\n", op_append, "f:\n- a: 1\n- date: 2024-02-01\n  by: li\n");
	expect_edit("f:\n    -   a: 1\n", op_append,
		    "f:\n    -   a: 1\n    -   date: 2024-02-01\n        by: li\n");
	/* scalar items: keys two right of the '-' */
	expect_edit("f:\n  - x\n", op_append, "f:\n  - x\n  - date: 2024-02-01\n    by: li\n");
	/* comments directly after the last item and deeper belong to it */
	expect_edit(
	    "f:\n  - a: 1\n    # about a\n  # about g\ng: 1\n", op_append,
	    "f:\n  - a: 1\n    # about a\n  - date: 2024-02-01\n    by: li\n  # about g\ng: 1\n");
	/* a blank line ends what belongs to the last item */
	expect_edit("f:\n  - a: 1\n\n    # loose\ng: 1\n", op_append,
		    "f:\n  - a: 1\n  - date: 2024-02-01\n    by: li\n\n    # loose\ng: 1\n");
	/* created at the end of the top level, in the file's own sequence style */
	expect_edit("a: 1\nl:\n    - x\n", op_append,
		    "a: 1\nl:\n    - x\nf:\n    - date: 2024-02-01\n      by: li\n");
	expect_edit("a: 1\nl:\n- x\n", op_append,
		    "a: 1\nl:\n- x\nf:\n- date: 2024-02-01\n  by: li\n");
	expect_edit("a: 1", op_append, "a: 1\nf:\n  - date: 2024-02-01\n    by: li\n");
	/* [] and null on the key's line */
	expect_edit("f: []  # none\ng: 1\n", op_append,
		    "f:  # none\n  - date: 2024-02-01\n    by: li\ng: 1\n");
	expect_edit("f: ~\n", op_append, "f:\n  - date: 2024-02-01\n    by: li\n");
	expect_edit("f:\n", op_append, "f:\n  - date: 2024-02-01\n    by: li\n");
	/* flow */
	expect_edit("f: [{a: 1}]\n", op_append, "f: [{a: 1}, {date: 2024-02-01, by: li}]\n");
	expect_edit("{a: 1}\n", op_append, "{a: 1, f: [{date: 2024-02-01, by: li}]}\n");
	/* keep-chomped block scalar: its blank lines stay with it */
	expect_edit("f:\n  - a: |+\n      x\n\n", op_append,
		    "f:\n  - a: |+\n      x\n\n  - date: 2024-02-01\n    by: li\n");
	/* CRLF and a file without a final line end */
	expect_edit("f:\r\n  - a: 1", op_append,
		    "f:\r\n  - a: 1\r\n  - date: 2024-02-01\r\n    by: li\r\n");
}

static void test_delete_layouts(void **state)
{
	(void)state;
	expect_edit("m:\n  a: 1\n  b: 2  # two\n    # more on b\n  c: 3\n", op_del_b,
		    "m:\n  a: 1\n  c: 3\n");
	expect_edit("m:\n  b: 2\n  # stays\nx: 1\n", op_del_b, "m: {}\n  # stays\nx: 1\n");
	expect_edit("m:   # c\n  b:\n    deep: 1\nx: 1\n", op_del_b, "m: {}   # c\nx: 1\n");
	expect_edit("m: {a: 1, b: 2}\n", op_del_b, "m: {a: 1}\n");
	expect_edit("m: {b: 2, a: 1}\n", op_del_b, "m: {a: 1}\n");
	expect_edit("m: {b: 2}\n", op_del_b, "m: {}\n");
	expect_edit("f:\n  - a\n  - b\n  - c\n", op_del_item1, "f:\n  - a\n  - c\n");
	expect_edit("f:\n- a\n- b\n", op_del_item1, "f:\n- a\n");
	expect_edit("f: [a, b, c]\n", op_del_item1, "f: [a, c]\n");
	expect_edit("f:\n  - a\n  # above b\n  - b: 1\n    c: 2\n\n# end\n", op_del_item1,
		    "f:\n  - a\n  # above b\n\n# end\n");
	expect_edit("m:\n  a: 1", op_add_z, "m:\n  a: 1\n  z: 26\n");
	expect_edit("m:\n    a: |\n        t\n\n# c\n", op_add_z,
		    "m:\n    a: |\n        t\n    z: 26\n\n# c\n");
	expect_edit("m: {}\n", op_add_z, "m: {z: 26}\n");
	expect_edit("m:  # c\n  a: 1\n  b: 2\nf:\n- x\n- y\n# end\n", op_del_all,
		    "m: {}  # c\nf: []\n# end\n");
}

/* ---- paths ---- */

static void test_find(void **state)
{
	crmf_doc *doc = parse_str("stage: lead\ncontacts:\n  - name: a\n  - name: b\n"
				  "need: {type: x}\nlist: [[1, 2]]\n");
	crmf_edit_target t;

	(void)state;
	assert_int_equal(crmf_edit_find(&t, doc, "stage"), 0);
	assert_string_equal(t.node->value, "lead");
	assert_ptr_equal(t.parent, doc->root);
	assert_int_equal(t.key_len, 5);
	assert_int_equal(crmf_edit_find(&t, doc, "contacts[1].name"), 0);
	assert_string_equal(t.node->value, "b");
	assert_int_equal(crmf_edit_find(&t, doc, "contacts[-2].name"), 0);
	assert_string_equal(t.node->value, "a");
	assert_int_equal(crmf_edit_find(&t, doc, "contacts[-1]"), 0);
	assert_int_equal(t.node->type, CRMF_NODE_MAPPING);
	assert_int_equal(t.index, 1);
	assert_null(t.key);
	assert_int_equal(crmf_edit_find(&t, doc, "list[0][1]"), 0);
	assert_string_equal(t.node->value, "2");
	assert_int_equal(crmf_edit_find(&t, doc, "need.type"), 0);
	assert_string_equal(t.node->value, "x");
	/* an absent last key names its mapping */
	assert_int_equal(crmf_edit_find(&t, doc, "contacts[0].phone"), 0);
	assert_null(t.node);
	assert_ptr_equal(t.parent, doc->root->pairs[1].value->items[0]);
	assert_int_equal(t.key_len, 5);
	assert_memory_equal(t.key, "phone", 5);

	assert_int_equal(crmf_edit_find(&t, doc, "nope.x"), -1);
	assert_string_equal(crmf_error_last(), "no 'nope' in the file");
	assert_int_equal(crmf_edit_find(&t, doc, "contacts[2]"), -1);
	assert_string_equal(crmf_error_last(),
			    "'contacts' has 2 items; 'contacts[2]' is not one of them");
	assert_int_equal(crmf_edit_find(&t, doc, "contacts[-3]"), -1);
	assert_int_equal(crmf_edit_find(&t, doc, "stage[0]"), -1);
	assert_string_equal(crmf_error_last(), "'stage' is not a list");
	assert_int_equal(crmf_edit_find(&t, doc, "stage.x"), -1);
	assert_string_equal(crmf_error_last(),
			    "'stage' is not a mapping; 'stage.x' cannot be found in it");
	assert_int_equal(crmf_edit_find(&t, doc, "a..b"), -1);
	assert_string_equal(crmf_error_last(), "invalid path 'a..b': a key is missing at column 3");
	assert_int_equal(crmf_edit_find(&t, doc, "contacts[x]"), -1);
	assert_string_equal(crmf_error_last(),
			    "invalid path 'contacts[x]': a number is missing at column 10");
	assert_int_equal(crmf_edit_find(&t, doc, "contacts[0"), -1);
	assert_int_equal(crmf_edit_find(&t, doc, "stage."), -1);
	assert_int_equal(crmf_edit_find(&t, doc, ""), -1);
	assert_int_equal(crmf_edit_find(&t, doc, "contacts[0]x"), -1);
	crmf_doc_free(doc);
}

/* ---- refusals: each leaves the edit as it was ---- */

static void test_refusals(void **state)
{
	crmf_doc *doc = parse_str("id: C1\nstage: lead\ncontacts:\n  - name: a\nneed: {type: x}\n");
	crmf_edit_field dup[] = {{"a", "1", 0}, {"a", "2", 0}};
	crmf_edit *e;
	crmf_doc *nd;
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(crmf_edit_new(&e, doc), 0);
	assert_int_equal(crmf_edit_set(e, "contacts", "x", 0), -1);
	assert_string_equal(crmf_error_last(),
			    "'contacts' is a list; set one of its fields instead");
	assert_int_equal(crmf_edit_set(e, "stage", "a\x01", 0), -1);
	assert_string_equal(crmf_error_last(),
			    "value contains control character U+0001; remove it");
	assert_int_equal(crmf_edit_set(e, "stage", "\xff", 0), -1);
	assert_int_equal(crmf_edit_set(e, "stage", "a: b", CRMF_EDIT_RAW), -1);
	assert_int_equal(crmf_edit_set(e, "stage", "- x", CRMF_EDIT_RAW), -1);
	assert_int_equal(crmf_edit_set(e, "need.type", "a,b", CRMF_EDIT_RAW), -1);
	assert_int_equal(crmf_edit_add_key(e, doc->root, "stage", "x", 0), -1);
	assert_string_equal(crmf_error_last(), "key 'stage' is already there");
	assert_int_equal(crmf_edit_append(e, doc->root, "stage", entry, 2), -1);
	assert_string_equal(crmf_error_last(), "'stage' is not a list; cannot append to it");
	assert_int_equal(crmf_edit_append(e, doc->root, "f", dup, 2), -1);
	assert_int_equal(crmf_edit_append(e, doc->root, "f", entry, 0), -1);
	assert_int_equal(crmf_edit_delete(e, "nope"), -1);
	assert_int_equal(crmf_edit_delete_item(e, doc->root->pairs[2].value, 5), -1);
	assert_int_equal(crmf_edit_splice(e, 1000, 0, "x", 1), -1);
	assert_int_equal(crmf_edit_count(e), 0);

	/* overlapping changes are refused; the first one stays */
	assert_int_equal(crmf_edit_set(e, "stage", "intent", 0), 0);
	assert_int_equal(crmf_edit_delete(e, "stage"), -1);
	assert_int_equal(crmf_edit_set(e, "potential", "high", 0), 0);
	assert_int_equal(crmf_edit_set(e, "potential", "low", 0), -1);
	assert_int_equal(crmf_edit_count(e), 2);
	assert_int_equal(crmf_edit_apply(&out, &len, e), 0);
	assert_string_equal(out, "id: C1\nstage: intent\ncontacts:\n  - name: a\nneed: {type: x}\n"
				 "potential: high\n");
	assert_int_equal(len, strlen(out));
	free(out);
	crmf_edit_free(e);

	/* an empty value is set by an insertion: twice is refused too */
	crmf_doc_free(doc);
	doc = parse_str("a:\nb: 1\n");
	assert_int_equal(crmf_edit_new(&e, doc), 0);
	assert_int_equal(crmf_edit_set(e, "a", "x", 0), 0);
	assert_int_equal(crmf_edit_set(e, "a", "y", 0), -1);
	assert_string_equal(crmf_error_last(), "this value is already set by this edit");
	assert_int_equal(crmf_edit_finish(&nd, e, NULL), 0);
	assert_string_equal(nd->src, "a: x\nb: 1\n");
	crmf_doc_free(nd);
	crmf_edit_free(e);

	/* the last key of a file */
	crmf_doc_free(doc);
	doc = parse_str("only: 1\n");
	assert_int_equal(crmf_edit_new(&e, doc), 0);
	assert_int_equal(crmf_edit_delete(e, "only"), -1);
	assert_string_equal(crmf_error_last(), "cannot delete the last key of the file");
	assert_int_equal(crmf_edit_finish(&nd, e, NULL), 0); /* an empty edit */
	assert_string_equal(nd->src, "only: 1\n");
	crmf_doc_free(nd);
	crmf_edit_free(e);
	crmf_doc_free(doc);

	crmf_edit_free(NULL);
	assert_int_equal(crmf_edit_new(&e, NULL), -1);
	assert_null(e);
}

/* ---- reading back catches what a splice broke ---- */

static void test_read_back(void **state)
{
	crmf_doc *doc = parse_str("a:\nb: 1\nc: [x]\n"), *nd = (crmf_doc *)1;
	crmf_diags d;
	crmf_edit *e;
	crmf_splice *sp;
	size_t n;

	(void)state;
	crmf_diags_init(&d);
	/* a raw splice that moves b under a: the value lands one level deeper */
	assert_int_equal(crmf_edit_new(&e, doc), 0);
	assert_int_equal(crmf_edit_set(e, "b", "2", CRMF_EDIT_RAW), 0);
	assert_int_equal(crmf_edit_splice(e, 3, 0, "  ", 2), 0);
	assert_int_equal(crmf_edit_finish(&nd, e, &d), -1);
	assert_null(nd);
	assert_string_equal(crmf_error_last(),
			    "the value written for 'b' lands in the wrong place");
	sp = crmf_edit_splices(e, &n);
	assert_int_equal(n, 2);
	assert_int_equal(sp[0].offset, 3);
	assert_int_equal(sp[0].removed, 0);
	assert_memory_equal(sp[0].text, "  ", 2);
	assert_int_equal(sp[1].offset, 6);
	assert_int_equal(sp[1].removed, 1);
	assert_memory_equal(sp[1].text, "2", 1);
	free(sp);
	crmf_edit_free(e);

	/* a raw splice that breaks the syntax: the parse errors come back */
	assert_int_equal(crmf_edit_new(&e, doc), 0);
	assert_int_equal(crmf_edit_splice(e, 13, 0, "]", 1), 0);
	assert_int_equal(crmf_edit_finish(&nd, e, &d), -1);
	assert_true(strncmp(crmf_error_last(), "the edited file does not parse: ", 32) == 0);
	assert_diag_at(&d, "yaml-syntax", 3, 7);
	crmf_edit_free(e);

	/* a splice that changes the written value */
	assert_int_equal(crmf_edit_new(&e, doc), 0);
	assert_int_equal(crmf_edit_set(e, "c[0]", "w", 0), 0);
	assert_int_equal(crmf_edit_splice(e, 13, 0, "z", 1), 0);
	assert_int_equal(crmf_edit_finish(&nd, e, NULL), -1);
	assert_string_equal(crmf_error_last(),
			    "the value written for 'c[]' reads back as 'wz', not 'w'");
	crmf_edit_free(e);

	/* a splice that restores a deleted key */
	assert_int_equal(crmf_edit_new(&e, doc), 0);
	assert_int_equal(crmf_edit_delete(e, "b"), 0);
	assert_int_equal(crmf_edit_splice(e, 15, 0, "b: 3\n", 5), 0);
	assert_int_equal(crmf_edit_finish(&nd, e, NULL), -1);
	assert_string_equal(crmf_error_last(), "the deleted key 'b' is still there");
	crmf_edit_free(e);

	crmf_diags_release(&d);
	crmf_doc_free(doc);
}

/* Several operations in one edit, on one sequence and one mapping. */
static void test_combined(void **state)
{
	crmf_doc *doc = parse_str("f:\n  - a: 1\n  - a: 2\n  - a: 3\nm:\n  x: 1\n  y: 2\n"), *nd;
	crmf_edit *e;

	(void)state;
	assert_int_equal(crmf_edit_new(&e, doc), 0);
	assert_int_equal(crmf_edit_delete(e, "f[0]"), 0);
	assert_int_equal(crmf_edit_delete(e, "f[1]"), 0);
	assert_int_equal(crmf_edit_append(e, doc->root, "f", entry, 2), 0);
	assert_int_equal(crmf_edit_append(e, doc->root, "f", entry + 1, 1), 0);
	assert_int_equal(crmf_edit_delete(e, "m.x"), 0);
	assert_int_equal(crmf_edit_set(e, "m.z", "yes", 0), 0);
	assert_int_equal(crmf_edit_set(e, "f[2].a", "three", 0), 0);
	if (crmf_edit_finish(&nd, e, NULL) != 0)
		fail_msg("%s", crmf_error_last());
	assert_string_equal(nd->src, "f:\n  - a: three\n  - date: 2024-02-01\n    by: li\n"
				     "  - by: li\nm:\n  y: 2\n  z: \"yes\"\n");
	crmf_doc_free(nd);
	crmf_edit_free(e);
	crmf_doc_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixtures),	     cmocka_unit_test(test_bytes_outside_kept),
	    cmocka_unit_test(test_plain_safe_table), cmocka_unit_test(test_quoting_through_set),
	    cmocka_unit_test(test_set_output_exact), cmocka_unit_test(test_append_layouts),
	    cmocka_unit_test(test_delete_layouts),   cmocka_unit_test(test_find),
	    cmocka_unit_test(test_refusals),	     cmocka_unit_test(test_read_back),
	    cmocka_unit_test(test_combined),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
