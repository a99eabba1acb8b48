/* SPDX-License-Identifier: MIT */
/* Unit tests of crypt.c: crmf.yaml confidential:, tokens, keys sealed per recipient, whole files. */
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

struct fx {
	char dir[64];
	char *zhang_key, *li_key;
	char *zhang_pub, *li_pub;
	crmf_config *cfg;
};

static char *path_in(const struct fx *f, const char *name)
{
	char *p = malloc(strlen(f->dir) + strlen(name) + 2);

	sprintf(p, "%s/%s", f->dir, name);
	return p;
}

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static crmf_config *config_of(const char *yaml)
{
	crmf_doc *doc = NULL;
	crmf_config *cfg = NULL;
	crmf_diags d;

	crmf_diags_init(&d);
	assert_int_equal(crmf_doc_parse(&doc, "crmf.yaml", yaml, strlen(yaml), &d), 0);
	assert_int_equal(crmf_config_load(&cfg, doc, &d), 0);
	assert_int_equal(d.errors, 0);
	crmf_doc_free(doc);
	crmf_diags_release(&d);
	return cfg;
}

/* Two members with keys; crmf.yaml names both as recipients; epoch 1 made by zhang. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *why = NULL, *yaml, *keys;
	crmf_crypt *c;
	size_t len;

	strcpy(f->dir, "/tmp/crmf-crypt-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->zhang_key = path_in(f, "keys/zhang.key");
	f->li_key = path_in(f, "keys/li.key");
	assert_int_equal(crmf_crypt_keygen(&f->zhang_pub, f->zhang_key, &why), 0);
	assert_int_equal(crmf_crypt_keygen(&f->li_pub, f->li_key, &why), 0);
	yaml = malloc(1024);
	snprintf(yaml, 1024,
		 "team: [{id: zhang}, {id: li}]\n"
		 "fields:\n  note: {type: string}\n"
		 "confidential:\n  fields: [contacts.phone, contacts.email, note]\n"
		 "  recipients:\n    zhang: %s\n    li: %s\n",
		 f->zhang_pub, f->li_pub);
	f->cfg = config_of(yaml);
	free(yaml);
	assert_int_equal(crmf_crypt_open(&c, f->dir, f->cfg, f->zhang_key, &why), 0);
	assert_false(crmf_crypt_can_read(c));
	assert_string_equal(crmf_crypt_member(c), "zhang");
	assert_int_equal(crmf_crypt_add(c, "zhang", f->zhang_pub, &why), 0);
	assert_true(crmf_crypt_can_read(c));
	keys = crmf_crypt_keys_text(c, &len);
	{
		char *d = path_in(f, ".crmf"), *p = path_in(f, ".crmf/keys.yaml");

		mkdir(d, 0755);
		free(d);

		write_file(p, keys);
		free(p);
	}
	free(keys);
	crmf_crypt_free(c);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	crmf_config_free(f->cfg);
	free(f->zhang_key);
	free(f->li_key);
	free(f->zhang_pub);
	free(f->li_pub);
	free(f);
	return 0;
}

static crmf_crypt *open_as(struct fx *f, const char *key)
{
	crmf_crypt *c = NULL;
	char *why = NULL;

	assert_int_equal(crmf_crypt_open(&c, f->dir, f->cfg, key, &why), 0);
	return c;
}

static void test_config(void **state)
{
	struct fx *f = *state;
	crmf_config *none = config_of("team: [{id: zhang}]\n");

	assert_true(crmf_config_confidential(f->cfg, "contacts.phone"));
	assert_true(crmf_config_confidential(f->cfg, "note"));
	assert_false(crmf_config_confidential(f->cfg, "contacts.name"));
	assert_false(crmf_config_confidential(none, "contacts.phone"));
	assert_int_equal(f->cfg->n_recipients, 2);
	crmf_config_free(none);
	none = config_of("confidential: {}\n");
	assert_true(crmf_config_confidential(none, "contacts.email"));
	crmf_config_free(none);
}

static void test_round_trip(void **state)
{
	struct fx *f = *state;
	crmf_crypt *c = open_as(f, f->zhang_key);
	const char *why = NULL;
	char *t = crmf_crypt_encrypt(c, "C2024001", "contacts.phone", "+86 138 0013 8000", &why);
	char *t2 = crmf_crypt_encrypt(c, "C2024001", "contacts.phone", "13800138000", &why);
	char *p, k1[64], k2[64];
	crmf_token tok;

	assert_non_null(t);
	/* random base64 may contain any three digits; the plaintext itself must not appear */
	assert_null(strstr(t, "0013 8000"));
	assert_null(strstr(t, "86 138"));
	assert_int_equal(crmf_token_parse(&tok, t, &why), 0);
	assert_int_equal(tok.epoch, 1);
	p = crmf_crypt_decrypt(c, "C2024001", "contacts.phone", t, &why);
	assert_string_equal(p, "+86 138 0013 8000");
	free(p);
	/* the same number written two ways: the same keyed hash, different tokens */
	assert_string_not_equal(t, t2);
	assert_true(crmf_token_dup_key(k1, t) > 0);
	assert_true(crmf_token_dup_key(k2, t2) > 0);
	assert_string_equal(k1, k2);
	/* moved to another file, or to another field: does not authenticate */
	assert_null(crmf_crypt_decrypt(c, "C2024002", "contacts.phone", t, &why));
	assert_non_null(strstr(why, "moved"));
	assert_null(crmf_crypt_decrypt(c, "C2024001", "contacts.email", t, &why));
	/* one character of the ciphertext changed */
	{
		char *x = strdup(t);
		char *q = strchr(strchr(strchr(x, ',') + 1, ',') + 1, ',') + 3;

		*q = *q == 'A' ? 'B' : 'A';
		assert_null(crmf_crypt_decrypt(c, "C2024001", "contacts.phone", x, &why));
		free(x);
	}
	free(t);
	free(t2);
	crmf_crypt_free(c);
}

static void test_malformed(void **state)
{
	crmf_token t;
	const char *why;

	(void)state;
	assert_int_not_equal(crmf_token_parse(&t, "ENC[v1,e1,abc]", &why), 0);
	assert_int_not_equal(crmf_token_parse(&t, "ENC[v2,e1,a,b,hc]", &why), 0);
	assert_int_not_equal(crmf_token_parse(&t, "ENC[", &why), 0);
	assert_false(crmf_token_like("13800138000"));
	assert_true(crmf_token_like("ENC[x"));
}

static void test_no_key(void **state)
{
	struct fx *f = *state;
	crmf_crypt *c = open_as(f, f->zhang_key), *li;
	const char *why;
	char *t = crmf_crypt_encrypt(c, "C1", "contacts.email", "a@b.cn", &why), *s;

	/* a key that is no recipient's */
	char *other = path_in(f, "keys/other.key"), *pub = NULL, *why2 = NULL;

	assert_int_equal(crmf_crypt_keygen(&pub, other, &why2), 0);
	li = open_as(f, other);
	assert_null(crmf_crypt_member(li));
	free(pub);
	free(other);
	assert_false(crmf_crypt_can_read(li));
	s = crmf_crypt_reveal(li, f->cfg, "C1", "contacts.email", t);
	assert_string_equal(s, CRMF_CRYPT_MASK);
	free(s);
	assert_null(crmf_crypt_reveal(li, f->cfg, "C1", "contacts.name", "a@b.cn"));
	s = crmf_crypt_reveal(c, f->cfg, "C1", "contacts.email", t);
	assert_string_equal(s, "a@b.cn");
	free(s);
	crmf_crypt_set_redact(c, true);
	s = crmf_crypt_reveal(c, f->cfg, "C1", "contacts.email", "plain@b.cn");
	assert_string_equal(s, CRMF_CRYPT_MASK);
	free(s);
	free(t);
	crmf_crypt_free(li);
	crmf_crypt_free(c);
}

static void test_add_remove_rotate(void **state)
{
	struct fx *f = *state;
	crmf_crypt *c = open_as(f, f->zhang_key), *li;
	char *why = NULL, *keys, *p;
	const char *w;
	char *t1, *t2, *s;
	size_t len;

	t1 = crmf_crypt_encrypt(c, "C1", "contacts.phone", "13800138000", &w);
	assert_int_equal(crmf_crypt_add(c, "li", f->li_pub, &why), 0);
	keys = crmf_crypt_keys_text(c, &len);
	p = path_in(f, ".crmf/keys.yaml");
	write_file(p, keys);
	free(keys);
	li = open_as(f, f->li_key);
	assert_true(crmf_crypt_can_read(li));
	s = crmf_crypt_decrypt(li, "C1", "contacts.phone", t1, &w);
	assert_string_equal(s, "13800138000");
	free(s);
	crmf_crypt_free(li);
	/* li leaves: a new epoch for zhang alone */
	assert_int_equal(crmf_crypt_remove(c, "li", &why), 0);
	assert_int_equal(crmf_crypt_epoch(c), 2);
	keys = crmf_crypt_keys_text(c, &len);
	write_file(p, keys);
	free(keys);
	t2 = crmf_crypt_encrypt(c, "C1", "contacts.phone", "13900139000", &w);
	assert_non_null(strstr(t2, ",e2,"));
	li = open_as(f, f->li_key);
	assert_false(crmf_crypt_can_read(li));
	assert_null(crmf_crypt_decrypt(li, "C1", "contacts.phone", t2, &w));
	crmf_crypt_free(li);
	/* zhang still reads both epochs */
	crmf_crypt_free(c);
	c = open_as(f, f->zhang_key);
	s = crmf_crypt_decrypt(c, "C1", "contacts.phone", t1, &w);
	assert_string_equal(s, "13800138000");
	free(s);
	s = crmf_crypt_decrypt(c, "C1", "contacts.phone", t2, &w);
	assert_string_equal(s, "13900139000");
	free(s);
	free(t1);
	free(t2);
	free(p);
	crmf_crypt_free(c);
}

static void test_key_mode(void **state)
{
	struct fx *f = *state;
	crmf_crypt *c = NULL;
	char *why = NULL, *pub = NULL;

	chmod(f->zhang_key, 0644);
	assert_int_not_equal(crmf_crypt_open(&c, f->dir, f->cfg, f->zhang_key, &why), 0);
	assert_non_null(strstr(why, "chmod 600"));
	free(why);
	chmod(f->zhang_key, 0600);
	assert_int_not_equal(crmf_crypt_keygen(&pub, f->zhang_key, &why), 0);
	free(why);
	pub = crmf_crypt_key_public(f->zhang_key, &why);
	assert_string_equal(pub, f->zhang_pub);
	free(pub);
}

static crmf_doc *parse(const char *s)
{
	crmf_doc *d = NULL;
	crmf_diags diags;

	crmf_diags_init(&diags);
	assert_int_equal(crmf_doc_parse(&d, "customers/C1.yaml", s, strlen(s), &diags), 0);
	crmf_diags_release(&diags);
	return d;
}

static void test_transform(void **state)
{
	struct fx *f = *state;
	crmf_crypt *c = open_as(f, f->zhang_key), *li = open_as(f, f->li_key);
	const char *plain = "id: C1\nname: 甲\nnote: 私密\ncontacts:\n"
			    "  - name: 王\n    phone: 13800138000 # mobile\n    email: w@x.cn\n"
			    "  - name: 李\n    phone: 0571-8888 8888\n";
	crmf_doc *d = parse(plain), *sealed, *opened, *edited, *resealed;
	crmf_diags diags;
	char *out, *out2, *out3, *ed;
	size_t len, n;

	crmf_diags_init(&diags);
	assert_int_equal(crmf_crypt_transform(&out, &len, c, f->cfg, d, CRMF_CRYPT_SEAL, NULL, &n,
					      &diags),
			 0);
	assert_int_equal(n, 4);
	assert_null(strstr(out, "13800138000"));
	assert_null(strstr(out, "私密"));
	assert_non_null(strstr(out, "# mobile"));
	assert_non_null(strstr(out, "name: 王"));
	sealed = parse(out);
	/* without the key: verified as well-formed, nothing to change */
	assert_int_equal(crmf_crypt_transform(&out2, &len, li, f->cfg, sealed, CRMF_CRYPT_VERIFY,
					      NULL, &n, &diags),
			 0);
	assert_int_equal(diags.errors, 0);
	/* with it: back to the plain file, byte for byte */
	assert_int_equal(crmf_crypt_transform(&out2, &len, c, f->cfg, sealed, CRMF_CRYPT_OPEN, NULL,
					      &n, &diags),
			 0);
	assert_string_equal(out2, plain);
	/* one value changed in the editor: the other tokens are kept as they were */
	opened = parse(out2);
	ed = strdup(out2);
	memcpy(strstr(ed, "w@x.cn"), "v@x.cn", 6);
	edited = parse(ed);
	assert_int_equal(crmf_crypt_transform(&out3, &len, c, f->cfg, edited, CRMF_CRYPT_SEAL,
					      sealed, &n, &diags),
			 0);
	resealed = parse(out3);
	{
		const crmf_node *a = crmf_node_get(sealed->root, "contacts"),
				*b = crmf_node_get(resealed->root, "contacts");

		assert_string_equal(crmf_node_get(a->items[0], "phone")->value,
				    crmf_node_get(b->items[0], "phone")->value);
		assert_string_not_equal(crmf_node_get(a->items[0], "email")->value,
					crmf_node_get(b->items[0], "email")->value);
		assert_string_equal(crmf_node_get(a->items[1], "phone")->value,
				    crmf_node_get(b->items[1], "phone")->value);
		assert_string_equal(crmf_node_get(sealed->root, "note")->value,
				    crmf_node_get(resealed->root, "note")->value);
	}
	free(out);
	free(out2);
	free(out3);
	free(ed);
	crmf_doc_free(d);
	crmf_doc_free(opened);
	crmf_doc_free(edited);
	crmf_doc_free(resealed);
	/* a token moved to another customer's file: an error at its line */
	{
		char *moved = strdup(sealed->src);
		crmf_doc *m;

		memcpy(moved + 4, "C2", 2);
		m = parse(moved);
		assert_int_not_equal(crmf_crypt_transform(&out, &len, c, f->cfg, m,
							  CRMF_CRYPT_VERIFY, NULL, &n, &diags),
				     0);
		assert_diag_at(&diags, "bad-encrypted", 3, 7);
		crmf_doc_free(m);
		free(moved);
	}
	crmf_doc_free(sealed);
	crmf_diags_release(&diags);
	crmf_crypt_free(c);
	crmf_crypt_free(li);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_config, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test_setup_teardown(test_no_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_add_remove_rotate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_key_mode, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transform, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
