/* SPDX-License-Identifier: MIT */
/* Confidential fields: crmf.yaml `confidential:`, tokens, data keys sealed per recipient (libsodium). */
#include "crmf/crypt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crmf/edit.h"
#include "schema_private.h"
#include "util.h"
#include "values.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define ABYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define KEYLEN 32
#define HASHLEN 16
#define MAX_PLAIN 4096

/* ---- crmf.yaml confidential: ---- */

static const char *const default_fields[] = {"contacts.phone", "contacts.email"};

bool crmf_config_confidential(const crmf_config *cfg, const char *path)
{
	if (!cfg || !cfg->has_confidential)
		return false;
	for (size_t i = 0; i < cfg->confidential.n; i++)
		if (strcmp(cfg->confidential.v[i], path) == 0)
			return true;
	return false;
}

static void add_field(crmf_strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

static void load_conf_fields(struct loader *L, const crmf_node *n)
{
	if (!sc_want_sequence(L, n, "confidential.fields", " like [contacts.phone, contacts.email]"))
		return;
	for (size_t i = 0; i < n->n; i++) {
		const char *s = sc_scalar(L, n->items[i], "confidential.fields", "a field's name");

		if (!s)
			continue;
		if (strcmp(s, "contacts.phone") != 0 && strcmp(s, "contacts.email") != 0 &&
		    !crmf_config_field(L->cfg, s)) {
			sc_report(L, n->items[i], "config-value",
				  "'%s' cannot be confidential; name contacts.phone, contacts.email "
				  "or a custom field of 'fields'",
				  s);
			continue;
		}
		if (!crmf_config_confidential(L->cfg, s))
			add_field(&L->cfg->confidential, s);
	}
}

static void load_recipients(struct loader *L, const crmf_node *n)
{
	if (!sc_want_mapping(L, n, "confidential.recipients", " like {zhang: <public key>}"))
		return;
	L->cfg->recipients = xcalloc(n->n ? n->n : 1, sizeof(*L->cfg->recipients));
	for (size_t i = 0; i < n->n; i++) {
		const crmf_pair *p = &n->pairs[i];
		const char *pub = sc_scalar(L, p->value, "confidential.recipients", "a public key");

		if (!pub)
			continue;
		if (!crmf_crypt_pubkey_valid(pub)) {
			sc_report(L, p->value, "config-value",
				  "'%s' is no public key; paste what 'crmf keys init' printed",
				  p->key->value);
			continue;
		}
		if (L->cfg->has_team && !crmf_config_member(L->cfg, p->key->value))
			sc_warn(L, p->key, "unknown-member",
				"recipient '%s' is not a member of 'team'", p->key->value);
		L->cfg->recipients[L->cfg->n_recipients].member = xstrdup(p->key->value);
		L->cfg->recipients[L->cfg->n_recipients++].pub = xstrdup(pub);
	}
}

void sc_load_confidential(struct loader *L, const crmf_node *n)
{
	static const char *const keys[] = {"fields", "recipients"};
	bool fields = false;

	if (!sc_want_mapping(L, n, "confidential", " like {fields: [contacts.phone], recipients: {}}"))
		return;
	L->cfg->has_confidential = true;
	for (size_t i = 0; i < n->n; i++) {
		int k = sc_key_index(L, n->pairs[i].key, "confidential", keys, N_OF(keys));

		if (k < 0 || sc_is_null(n->pairs[i].value))
			continue;
		if (k == 0) {
			fields = true;
			load_conf_fields(L, n->pairs[i].value);
		} else {
			load_recipients(L, n->pairs[i].value);
		}
	}
	if (!fields)
		for (size_t i = 0; i < N_OF(default_fields); i++)
			add_field(&L->cfg->confidential, default_fields[i]);
}

/* ---- tokens ---- */

bool crmf_token_like(const char *s)
{
	return s && s[0] == 'E' && s[1] == 'N' && s[2] == 'C' && s[3] == '[';
}

static bool b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* A run of base64 characters from *p up to `stop`; false when empty or another character. */
static bool b64_part(const char **p, char stop, const char **at, size_t *len)
{
	const char *s = *p;

	*at = s;
	while (b64_char(*s))
		s++;
	if (s == *at || *s != stop)
		return false;
	*len = (size_t)(s - *at);
	*p = s + 1;
	return true;
}

static size_t b64_bytes(size_t chars)
{
	return chars / 4 * 3 + (chars % 4 ? chars % 4 - 1 : 0);
}

int crmf_token_parse(crmf_token *out, const char *s, const char **why)
{
	const char *p;
	unsigned long e = 0;

	*why = crmf_tr("not an encrypted value");
	if (!crmf_token_like(s))
		return -1;
	p = s + 4;
	if (strncmp(p, "v1,", 3) != 0) {
		*why = crmf_tr("unknown version (crmf writes ENC[v1,…])");
		return -1;
	}
	p += 3;
	*why = crmf_tr("malformed encrypted value; expected ENC[v1,eN,NONCE,CIPHERTEXT,hHASH]");
	if (*p++ != 'e' || !is_digit(*p))
		return -1;
	while (is_digit(*p) && e < 100000000)
		e = e * 10 + (unsigned long)(*p++ - '0');
	if (*p++ != ',' || e == 0 || e >= 100000000)
		return -1;
	out->epoch = (unsigned)e;
	if (!b64_part(&p, ',', &out->nonce, &out->nonce_len) ||
	    !b64_part(&p, ',', &out->cipher, &out->cipher_len) || *p++ != 'h' ||
	    !b64_part(&p, ']', &out->hash, &out->hash_len) || *p)
		return -1;
	if (out->nonce_len % 4 == 1 || b64_bytes(out->nonce_len) != NONCE ||
	    out->cipher_len % 4 == 1 || b64_bytes(out->cipher_len) < ABYTES ||
	    b64_bytes(out->cipher_len) > MAX_PLAIN + ABYTES || out->hash_len % 4 == 1 ||
	    b64_bytes(out->hash_len) != HASHLEN) {
		*why = crmf_tr("damaged encrypted value: a part has the wrong length");
		return -1;
	}
	return 0;
}

size_t crmf_token_dup_key(char *out, const char *v)
{
	crmf_token t;
	const char *why;

	if (crmf_token_parse(&t, v, &why) != 0)
		return 0;
	return (size_t)snprintf(out, 64, "e%u:h%.*s", t.epoch, (int)t.hash_len, t.hash);
}

/* ---- the handle ---- */

struct sealed {
	char *member, *box; /* base64 */
};

struct epoch {
	unsigned n;
	struct sealed *v;
	size_t nv;
	unsigned char key[KEYLEN];
	bool have;
};

struct crmf_crypt {
	const crmf_config *cfg;
	struct epoch *ep;
	size_t nep;
	unsigned current;
	char *member;
	unsigned char sk[crypto_box_SECRETKEYBYTES], pk[crypto_box_PUBLICKEYBYTES];
	bool has_sk, redact;
};

static struct epoch *epoch_of(const crmf_crypt *c, unsigned n)
{
	for (size_t i = 0; i < c->nep; i++)
		if (c->ep[i].n == n)
			return &c->ep[i];
	return NULL;
}

static void sealed_add(struct epoch *e, const char *member, const char *box)
{
	e->v = xrealloc(e->v, (e->nv + 1) * sizeof(*e->v));
	e->v[e->nv].member = xstrdup(member);
	e->v[e->nv++].box = xstrdup(box);
}

static struct epoch *epoch_add(crmf_crypt *c, unsigned n)
{
	c->ep = xrealloc(c->ep, (c->nep + 1) * sizeof(*c->ep));
	memset(&c->ep[c->nep], 0, sizeof(c->ep[0]));
	c->ep[c->nep].n = n;
	return &c->ep[c->nep++];
}

static char *b64_encode(const unsigned char *b, size_t n)
{
	size_t len = sodium_base64_encoded_len(n, B64);
	char *s = xmalloc(len);

	sodium_bin2base64(s, len, b, n, B64);
	return s;
}

/* Decode exactly `n` bytes of base64 (`len` chars, or strlen when (size_t)-1). */
static bool b64_decode(unsigned char *b, size_t n, const char *s, size_t len)
{
	size_t got = 0;

	if (len == (size_t)-1)
		len = strlen(s);
	return sodium_base642bin(b, n, s, len, NULL, &got, NULL, B64) == 0 && got == n;
}

bool crmf_crypt_pubkey_valid(const char *b64)
{
	unsigned char pk[crypto_box_PUBLICKEYBYTES];

	return b64 && b64_decode(pk, sizeof(pk), b64, (size_t)-1);
}

static int load_keys_file(crmf_crypt *c, const char *root, char **why)
{
	char *path = xasprintf("%s/%s", root, CRMF_CRYPT_KEYS_FILE), *buf = NULL;
	size_t len = 0;
	crmf_doc *doc = NULL;
	crmf_diags d;
	const crmf_node *cur, *eps;
	int rc = -1;

	crmf_diags_init(&d);
	if (crmf_doc_read(&buf, &len, path) != 0) {
		rc = errno == ENOENT ? 0 : -1;
		if (rc)
			*why = xasprintf(crmf_tr("cannot read %s: %s"), CRMF_CRYPT_KEYS_FILE,
					 crmf_error_last());
		goto done;
	}
	if (crmf_doc_parse_owned(&doc, CRMF_CRYPT_KEYS_FILE, buf, len, &d) != 0 || !doc->root ||
	    doc->root->type != CRMF_NODE_MAPPING) {
		*why = xasprintf(crmf_tr("%s is damaged; take it from git ('git checkout -- %s')"),
				 CRMF_CRYPT_KEYS_FILE, CRMF_CRYPT_KEYS_FILE);
		goto done;
	}
	cur = crmf_node_get(doc->root, "current");
	eps = crmf_node_get(doc->root, "epochs");
	if (cur && cur->type == CRMF_NODE_SCALAR)
		c->current = (unsigned)strtoul(cur->value, NULL, 10);
	for (size_t i = 0; eps && eps->type == CRMF_NODE_MAPPING && i < eps->n; i++) {
		const crmf_node *m = eps->pairs[i].value;
		struct epoch *e = epoch_add(c, (unsigned)strtoul(eps->pairs[i].key->value, NULL, 10));

		for (size_t j = 0; m->type == CRMF_NODE_MAPPING && j < m->n; j++)
			if (m->pairs[j].value->type == CRMF_NODE_SCALAR)
				sealed_add(e, m->pairs[j].key->value, m->pairs[j].value->value);
	}
	if (c->current && !epoch_of(c, c->current)) {
		*why = xasprintf(crmf_tr("%s names epoch %u, which it does not hold"),
				 CRMF_CRYPT_KEYS_FILE, c->current);
		goto done;
	}
	rc = 0;
done:
	crmf_doc_free(doc);
	crmf_diags_release(&d);
	free(path);
	return rc;
}

/* Read a private key file: one line of base64; refused when others may read it. */
static int read_secret(unsigned char *sk, const char *path, char **why)
{
	char buf[128];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		*why = xasprintf(crmf_tr("cannot read key '%s': %s"), path, errtext(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || (st.st_mode & 077)) {
		close(fd);
		*why = xasprintf(
		    crmf_tr("key '%s' may be read by others; make it private (chmod 600 %s)"), path,
		    path);
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		*why = xasprintf(crmf_tr("key '%s' is empty"), path);
		return -1;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	if (!b64_decode(sk, crypto_box_SECRETKEYBYTES, buf, (size_t)n)) {
		sodium_memzero(buf, sizeof(buf));
		*why =
		    xasprintf(crmf_tr("'%s' is not a crmf key ('crmf keys init' makes one)"), path);
		return -1;
	}
	sodium_memzero(buf, sizeof(buf));
	return 0;
}

static const crmf_recipient *recipient_by_pub(const crmf_config *cfg, const unsigned char *pk)
{
	char *pub = b64_encode(pk, crypto_box_PUBLICKEYBYTES);
	const crmf_recipient *r = NULL;

	for (size_t i = 0; cfg && i < cfg->n_recipients && !r; i++)
		if (strcmp(cfg->recipients[i].pub, pub) == 0)
			r = &cfg->recipients[i];
	free(pub);
	return r;
}

static bool use_key(crmf_crypt *c, const char *path, char **why)
{
	const crmf_recipient *r;

	if (read_secret(c->sk, path, why) != 0)
		return false;
	crypto_scalarmult_base(c->pk, c->sk);
	r = recipient_by_pub(c->cfg, c->pk);
	c->has_sk = true;
	free(c->member);
	c->member = r ? xstrdup(r->member) : NULL;
	return true;
}

char *crmf_crypt_key_path(const char *member)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (x && *x)
		return xasprintf("%s/crmf/keys/%s.key", x, member);
	return xasprintf("%s/.config/crmf/keys/%s.key", home ? home : ".", member);
}

/* The key files of the user's key folder, the first whose public key is a recipient. */
static void find_key(crmf_crypt *c)
{
	char *dir = crmf_crypt_key_path("x"), *slash = strrchr(dir, '/');
	DIR *d;
	struct dirent *de;

	*slash = 0;
	d = opendir(dir);
	while (d && (de = readdir(d)) && !c->member) {
		size_t n = strlen(de->d_name);
		char *path, *why = NULL;

		if (n < 5 || strcmp(de->d_name + n - 4, ".key") != 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (!use_key(c, path, &why) || !c->member)
			c->has_sk = false;
		free(why);
		free(path);
	}
	if (d)
		closedir(d);
	free(dir);
}

static void open_epochs(crmf_crypt *c)
{
	for (size_t i = 0; c->has_sk && c->member && i < c->nep; i++) {
		struct epoch *e = &c->ep[i];

		for (size_t j = 0; j < e->nv && !e->have; j++) {
			unsigned char box[crypto_box_SEALBYTES + KEYLEN];

			if (strcmp(e->v[j].member, c->member) != 0 ||
			    !b64_decode(box, sizeof(box), e->v[j].box, (size_t)-1))
				continue;
			e->have = crypto_box_seal_open(e->key, box, sizeof(box), c->pk, c->sk) == 0;
		}
	}
}

int crmf_crypt_open(crmf_crypt **out, const char *root, const crmf_config *cfg,
		    const char *key_file, char **why)
{
	crmf_crypt *c;

	*out = NULL;
	*why = NULL;
	if (sodium_init() < 0) {
		*why = xstrdup(crmf_tr("libsodium could not start"));
		return -1;
	}
	c = xcalloc(1, sizeof(*c));
	c->cfg = cfg;
	if (load_keys_file(c, root, why) != 0) {
		crmf_crypt_free(c);
		return -1;
	}
	if (!key_file || !*key_file)
		key_file = getenv("CRMF_KEY");
	if (key_file && *key_file) {
		if (!use_key(c, key_file, why)) {
			crmf_crypt_free(c);
			return -1;
		}
	} else {
		find_key(c);
	}
	open_epochs(c);
	*out = c;
	return 0;
}

void crmf_crypt_free(crmf_crypt *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nep; i++) {
		for (size_t j = 0; j < c->ep[i].nv; j++) {
			free(c->ep[i].v[j].member);
			free(c->ep[i].v[j].box);
		}
		free(c->ep[i].v);
		sodium_memzero(c->ep[i].key, KEYLEN);
	}
	free(c->ep);
	free(c->member);
	sodium_memzero(c->sk, sizeof(c->sk));
	free(c);
}

bool crmf_crypt_can_read(const crmf_crypt *c)
{
	const struct epoch *e = c && c->current ? epoch_of(c, c->current) : NULL;

	return e && e->have;
}

const char *crmf_crypt_member(const crmf_crypt *c)
{
	return c && c->has_sk ? c->member : NULL;
}

unsigned crmf_crypt_epoch(const crmf_crypt *c)
{
	return c ? c->current : 0;
}

void crmf_crypt_set_redact(crmf_crypt *c, bool redact)
{
	if (c)
		c->redact = redact;
}

/* ---- values ---- */

/* The key of one customer's file: BLAKE2b keyed with the epoch's data key. */
static void file_key(unsigned char *k, const struct epoch *e, const char *id)
{
	char *in = xasprintf("crmf-file-key\n%s", id);

	crypto_generichash(k, KEYLEN, (const unsigned char *)in, strlen(in), e->key, KEYLEN);
	free(in);
}

/* The keyed hash of a value, normalised as duplicate detection compares it. */
static void value_hash(unsigned char *h, const struct epoch *e, const char *field,
		       const char *plain)
{
	unsigned char hk[KEYLEN];
	char norm[64];
	const char *last = strrchr(field, '.');
	crypto_generichash_state st;

	crypto_generichash(hk, KEYLEN, (const unsigned char *)"crmf-hash-key", 13, e->key, KEYLEN);
	crypto_generichash_init(&st, hk, KEYLEN, HASHLEN);
	last = last ? last + 1 : field;
	crypto_generichash_update(&st, (const unsigned char *)last, strlen(last) + 1);
	if (strcmp(last, "phone") == 0 && crmf_phone_key_text(norm, plain) > 0) {
		crypto_generichash_update(&st, (const unsigned char *)norm, strlen(norm));
	} else if (strcmp(last, "email") == 0) {
		for (const char *p = plain; *p; p++) {
			unsigned char ch = (unsigned char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);

			crypto_generichash_update(&st, &ch, 1);
		}
	} else {
		crypto_generichash_update(&st, (const unsigned char *)plain, strlen(plain));
	}
	crypto_generichash_final(&st, h, HASHLEN);
	sodium_memzero(hk, sizeof(hk));
}

static char *ad_of(const char *id, const char *field)
{
	return xasprintf("%s/%s", id ? id : "", field);
}

char *crmf_crypt_encrypt(const crmf_crypt *c, const char *id, const char *field,
			 const char *plain, const char **why)
{
	const struct epoch *e = c && c->current ? epoch_of(c, c->current) : NULL;
	unsigned char k[KEYLEN], nonce[NONCE], h[HASHLEN], *ct;
	unsigned long long ctlen;
	size_t n = strlen(plain);
	char *ad, *sn, *sc, *sh, *tok;

	if (!e || !e->have) {
		*why = c && c->current ? crmf_tr("you hold no key of the current epoch")
				       : crmf_tr("no data key yet");
		return NULL;
	}
	if (n > MAX_PLAIN) {
		*why = crmf_tr("value too long to encrypt");
		return NULL;
	}
	file_key(k, e, id);
	randombytes_buf(nonce, sizeof(nonce));
	ad = ad_of(id, field);
	ct = xmalloc(n + ABYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &ctlen, (const unsigned char *)plain, n,
						   (const unsigned char *)ad, strlen(ad), NULL,
						   nonce, k);
	value_hash(h, e, field, plain);
	sn = b64_encode(nonce, sizeof(nonce));
	sc = b64_encode(ct, (size_t)ctlen);
	sh = b64_encode(h, sizeof(h));
	tok = xasprintf("ENC[v1,e%u,%s,%s,h%s]", e->n, sn, sc, sh);
	sodium_memzero(k, sizeof(k));
	free(ad);
	free(ct);
	free(sn);
	free(sc);
	free(sh);
	return tok;
}

char *crmf_crypt_decrypt(const crmf_crypt *c, const char *id, const char *field,
			 const char *tok, const char **why)
{
	crmf_token t;
	const struct epoch *e;
	unsigned char k[KEYLEN], nonce[NONCE], *ct, *pt;
	size_t ctn;
	unsigned long long ptlen;
	char *ad;
	int rc;

	if (crmf_token_parse(&t, tok, why) != 0)
		return NULL;
	e = c ? epoch_of(c, t.epoch) : NULL;
	if (!e || !e->have) {
		/* CRMF_CRYPT_KEYS_FILE spelled out: xgettext reads no macro */
		*why = e || (c && c->current) ? crmf_tr("you hold no key of its epoch")
					      : crmf_tr("its epoch is not in .crmf/keys.yaml");
		return NULL;
	}
	ctn = b64_bytes(t.cipher_len);
	ct = xmalloc(ctn);
	pt = xmalloc(ctn + 1);
	if (!b64_decode(nonce, NONCE, t.nonce, t.nonce_len) ||
	    !b64_decode(ct, ctn, t.cipher, t.cipher_len)) {
		free(ct);
		free(pt);
		*why = crmf_tr("damaged encrypted value");
		return NULL;
	}
	file_key(k, e, id);
	ad = ad_of(id, field);
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &ptlen, NULL, ct, ctn,
							(const unsigned char *)ad, strlen(ad),
							nonce, k);
	sodium_memzero(k, sizeof(k));
	free(ad);
	free(ct);
	if (rc != 0 || memchr(pt, 0, (size_t)ptlen)) {
		free(pt);
		*why = crmf_tr(
		    "the encrypted value does not authenticate: changed, or moved from another "
		    "file or field");
		return NULL;
	}
	pt[ptlen] = 0;
	return (char *)pt;
}

char *crmf_crypt_reveal(const crmf_crypt *c, const crmf_config *cfg, const char *id,
			const char *field, const char *v)
{
	const char *why;
	char *plain;

	if (!v || !cfg || !cfg->has_confidential || !crmf_config_confidential(cfg, field))
		return NULL;
	if (c && c->redact)
		return xstrdup(CRMF_CRYPT_MASK);
	if (!crmf_token_like(v))
		return NULL;
	plain = c ? crmf_crypt_decrypt(c, id, field, v, &why) : NULL;
	return plain ? plain : xstrdup(CRMF_CRYPT_MASK);
}

/* ---- whole files ---- */

struct walk {
	const crmf_crypt *c;
	const crmf_config *cfg;
	const crmf_doc *doc, *orig;
	const char *id;
	crmf_crypt_mode mode;
	crmf_edit *e;
	crmf_diags *diags;
	size_t changed;
	int rc;
};

/* The node of `orig` holding `field`'s token whose plain text is `plain`, or NULL. */
static const crmf_node *kept_token(struct walk *w, const crmf_node *root, const char *field,
				   const char *plain);

static void bad(struct walk *w, const crmf_node *n, const char *why)
{
	crmf_diags_add(w->diags, CRMF_SEV_ERROR, w->doc->path, n->line, n->column,
		       "bad-encrypted", "%s", why);
	w->rc = -1;
}

static void one_value(struct walk *w, const crmf_node *n, const char *field)
{
	const char *why;
	char *s = NULL;

	if (!n || n->type != CRMF_NODE_SCALAR || crmf_node_is_null(n))
		return;
	if (crmf_token_like(n->value)) {
		crmf_token t;

		if (crmf_token_parse(&t, n->value, &why) != 0) {
			bad(w, n, why);
			return;
		}
		if (w->mode == CRMF_CRYPT_SEAL || !w->c || !crmf_crypt_can_read(w->c))
			return;
		s = crmf_crypt_decrypt(w->c, w->id, field, n->value, &why);
		if (!s) {
			bad(w, n, why);
			return;
		}
		if (w->mode == CRMF_CRYPT_OPEN) {
			/* plain as a person types it (crmf reads every scalar as text) */
			if (crmf_edit_set_scalar(w->e, n, s, CRMF_EDIT_RAW) != 0 &&
			    crmf_edit_set_scalar(w->e, n, s, CRMF_EDIT_TEXT) != 0)
				bad(w, n, crmf_tr("cannot write the decrypted value"));
			w->changed++;
		}
		sodium_memzero(s, strlen(s));
		free(s);
		return;
	}
	if (w->mode != CRMF_CRYPT_SEAL)
		return;
	{
		const crmf_node *keep = w->orig && w->orig->root
						? kept_token(w, w->orig->root, field, n->value)
						: NULL;

		if (keep) {
			/* the token as it was written, quotes and all: a minimal diff */
			if (crmf_edit_splice(w->e, n->start, n->end - n->start,
					     w->orig->src + keep->start, keep->end - keep->start) != 0)
				bad(w, n, crmf_tr("cannot write the encrypted value"));
			w->changed++;
			return;
		}
		s = crmf_crypt_encrypt(w->c, w->id, field, n->value, &why);
		if (!s) {
			crmf_diags_add(w->diags, CRMF_SEV_ERROR, w->doc->path, n->line, n->column,
				       "plain-confidential", "cannot encrypt %s: %s", field, why);
			w->rc = -1;
			return;
		}
		if (crmf_edit_set_scalar(w->e, n, s, CRMF_EDIT_TEXT) != 0)
			bad(w, n, crmf_tr("cannot write the encrypted value"));
		w->changed++;
		free(s);
	}
}

typedef void visit_fn(struct walk *w, const crmf_node *n, const char *field, void *arg);

/* Every value of a confidential field of the file `root`. */
static void each_value(struct walk *w, const crmf_node *root, visit_fn *fn, void *arg)
{
	const crmf_config *cfg = w->cfg;

	if (!root || root->type != CRMF_NODE_MAPPING)
		return;
	for (size_t i = 0; i < root->n; i++) {
		const crmf_pair *p = &root->pairs[i];

		if (strcmp(p->key->value, "contacts") == 0 && p->value->type == CRMF_NODE_SEQUENCE) {
			for (size_t j = 0; j < p->value->n; j++) {
				const crmf_node *m = p->value->items[j];

				for (size_t k = 0; m->type == CRMF_NODE_MAPPING && k < m->n; k++) {
					char *f = xasprintf("contacts.%s", m->pairs[k].key->value);

					if (crmf_config_confidential(cfg, f))
						fn(w, m->pairs[k].value, f, arg);
					free(f);
				}
			}
		} else if (crmf_config_confidential(cfg, p->key->value)) {
			if (p->value->type == CRMF_NODE_SEQUENCE)
				for (size_t j = 0; j < p->value->n; j++)
					fn(w, p->value->items[j], p->key->value, arg);
			else
				fn(w, p->value, p->key->value, arg);
		}
	}
}

/* one_value as a visitor */
static void visit_one(struct walk *w, const crmf_node *n, const char *field, void *arg)
{
	(void)arg;
	one_value(w, n, field);
}

struct kept_arg {
	const char *field, *plain;
	const crmf_node *found;
};

static void visit_kept(struct walk *w, const crmf_node *n, const char *field, void *arg)
{
	struct kept_arg *k = arg;
	const char *why;
	char *s;

	if (k->found || strcmp(field, k->field) != 0 || n->type != CRMF_NODE_SCALAR ||
	    !crmf_token_like(n->value))
		return;
	s = crmf_crypt_decrypt(w->c, w->id, field, n->value, &why);
	if (s && strcmp(s, k->plain) == 0)
		k->found = n;
	free(s);
}

static const crmf_node *kept_token(struct walk *w, const crmf_node *root, const char *field,
				   const char *plain)
{
	struct kept_arg k = {field, plain, NULL};

	each_value(w, root, visit_kept, &k);
	return k.found;
}

static const char *doc_id(const crmf_doc *doc)
{
	const crmf_node *id = doc && doc->root ? crmf_node_get(doc->root, "id") : NULL;

	return id && id->type == CRMF_NODE_SCALAR ? id->value : "";
}

int crmf_crypt_transform(char **out, size_t *len, const crmf_crypt *c, const crmf_config *cfg,
			 const crmf_doc *doc, crmf_crypt_mode mode, const crmf_doc *orig,
			 size_t *changed, crmf_diags *diags)
{
	struct walk w = {c, cfg, doc, orig, doc_id(doc), mode, NULL, diags, 0, 0};

	*out = NULL;
	*len = 0;
	if (changed)
		*changed = 0;
	if (!cfg || !cfg->has_confidential || !doc || !doc->root)
		return 0;
	if (crmf_edit_new(&w.e, doc) != 0)
		return -1;
	each_value(&w, doc->root, visit_one, NULL);
	if (w.rc == 0 && crmf_edit_count(w.e) && crmf_edit_apply(out, len, w.e) != 0)
		w.rc = -1;
	crmf_edit_free(w.e);
	if (changed)
		*changed = w.changed;
	return w.rc;
}

/* ---- keys ---- */

int crmf_crypt_keygen(char **pub, const char *path, char **why)
{
	unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
	char *dir = xstrdup(path), *slash = strrchr(dir, '/'), *s;
	int fd, rc = -1;

	*pub = NULL;
	if (sodium_init() < 0) {
		*why = xstrdup(crmf_tr("libsodium could not start"));
		free(dir);
		return -1;
	}
	/* the folder, and its parents, private to the user */
	for (char *p = dir + 1; slash && p <= slash; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			*why = xasprintf(crmf_tr("cannot make '%s': %s"), dir, errtext(errno));
			free(dir);
			return -1;
		}
		*p = '/';
	}
	free(dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		*why = errno == EEXIST
			   ? xasprintf(crmf_tr("'%s' exists; a key is never overwritten"), path)
			   : xasprintf(crmf_tr("cannot write '%s': %s"), path, errtext(errno));
		return -1;
	}
	crypto_box_keypair(pk, sk);
	s = b64_encode(sk, sizeof(sk));
	if (write_all(fd, s, strlen(s)) == 0 && write_all(fd, "\n", 1) == 0 && fsync(fd) == 0)
		rc = 0;
	else
		*why = xasprintf(crmf_tr("cannot write '%s': %s"), path, errtext(errno));
	sodium_memzero(s, strlen(s));
	sodium_memzero(sk, sizeof(sk));
	free(s);
	close(fd);
	if (rc == 0)
		*pub = b64_encode(pk, sizeof(pk));
	else
		unlink(path);
	return rc;
}

char *crmf_crypt_key_public(const char *path, char **why)
{
	unsigned char sk[crypto_box_SECRETKEYBYTES], pk[crypto_box_PUBLICKEYBYTES];

	if (sodium_init() < 0 || read_secret(sk, path, why) != 0)
		return NULL;
	crypto_scalarmult_base(pk, sk);
	sodium_memzero(sk, sizeof(sk));
	return b64_encode(pk, sizeof(pk));
}

static int seal_for(struct epoch *e, const char *member, const char *pub, char **why)
{
	unsigned char pk[crypto_box_PUBLICKEYBYTES], box[crypto_box_SEALBYTES + KEYLEN];
	char *s;

	if (!b64_decode(pk, sizeof(pk), pub, (size_t)-1)) {
		*why = xasprintf(crmf_tr("'%s' is no public key"), pub);
		return -1;
	}
	for (size_t i = 0; i < e->nv; i++)
		if (strcmp(e->v[i].member, member) == 0) {
			free(e->v[i].member);
			free(e->v[i].box);
			memmove(&e->v[i], &e->v[i + 1], (e->nv - i - 1) * sizeof(e->v[0]));
			e->nv--;
			break;
		}
	crypto_box_seal(box, e->key, KEYLEN, pk);
	s = b64_encode(box, sizeof(box));
	sealed_add(e, member, s);
	free(s);
	return 0;
}

/* A new epoch with a random data key, sealed for every recipient but `except`. */
static int new_epoch(crmf_crypt *c, const char *except, char **why)
{
	unsigned n = c->current + 1;
	struct epoch *e;

	for (size_t i = 0; i < c->nep; i++)
		if (c->ep[i].n >= n)
			n = c->ep[i].n + 1;
	e = epoch_add(c, n);
	randombytes_buf(e->key, KEYLEN);
	e->have = true;
	for (size_t i = 0; c->cfg && i < c->cfg->n_recipients; i++) {
		const crmf_recipient *r = &c->cfg->recipients[i];

		if (except && strcmp(r->member, except) == 0)
			continue;
		if (seal_for(e, r->member, r->pub, why) != 0)
			return -1;
	}
	c->current = n;
	return 0;
}

int crmf_crypt_add(crmf_crypt *c, const char *member, const char *pub, char **why)
{
	*why = NULL;
	if (!c->current) {
		if (new_epoch(c, NULL, why) != 0)
			return -1;
		return seal_for(epoch_of(c, c->current), member, pub, why);
	}
	if (!crmf_crypt_can_read(c)) {
		*why = xstrdup(
		    crmf_tr("you hold no key of the current epoch: a recipient who does must add "
			    "the member"));
		return -1;
	}
	for (size_t i = 0; i < c->nep; i++)
		if (c->ep[i].have && seal_for(&c->ep[i], member, pub, why) != 0)
			return -1;
	return 0;
}

int crmf_crypt_remove(crmf_crypt *c, const char *member, char **why)
{
	*why = NULL;
	if (c->current && !crmf_crypt_can_read(c)) {
		*why = xstrdup(
		    crmf_tr("you hold no key of the current epoch: a recipient who does must "
			    "remove the member"));
		return -1;
	}
	for (size_t i = 0; i < c->nep; i++) {
		struct epoch *e = &c->ep[i];

		for (size_t j = 0; j < e->nv; j++)
			if (strcmp(e->v[j].member, member) == 0) {
				free(e->v[j].member);
				free(e->v[j].box);
				memmove(&e->v[j], &e->v[j + 1], (e->nv - j - 1) * sizeof(e->v[0]));
				e->nv--;
				break;
			}
	}
	return new_epoch(c, member, why);
}

char *crmf_crypt_keys_text(const crmf_crypt *c, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		abort();
	fputs("# The data keys of the confidential fields, one per epoch, each sealed for\n"
	      "# every recipient's public key (crmf keys; doc/privacy.md). Written by crmf.\n",
	      f);
	fprintf(f, "current: %u\nepochs:\n", c->current);
	for (size_t i = 0; i < c->nep; i++) {
		fprintf(f, "  %u:\n", c->ep[i].n);
		if (!c->ep[i].nv)
			fputs("    {}\n", f);
		for (size_t j = 0; j < c->ep[i].nv; j++)
			fprintf(f, "    %s: %s\n", c->ep[i].v[j].member, c->ep[i].v[j].box);
	}
	if (fclose(f) != 0)
		abort();
	*len = n;
	return buf;
}
