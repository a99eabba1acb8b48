/* SPDX-License-Identifier: MIT */
/* crmf keys: the key pairs and sealed data keys of confidential fields (init, add, remove, list). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'k', 0, "key", "FILE",
     N_("your private key file (default: $CRMF_KEY, else\n"
	"$XDG_CONFIG_HOME/crmf/keys/MEMBER.key)")},
    {'r', 0, "reencrypt", NULL,
     N_("remove: encrypt every value again under the new epoch,\n"
	"in the same commit")},
    {'a', 0, "author", "A", N_("commit as A ('Name <email>') instead of git's identity")},
    {0},
};

const struct crmf_cmd cmd_keys = {
    .name = "keys",
    .run = run,
    .summary = N_("keys of the confidential fields: init, add MEMBER, remove MEMBER, list"),
    .synopsis = "init [MEMBER] [--key FILE]\n"
		"add MEMBER PUBLIC-KEY [--key FILE] [--author 'NAME <EMAIL>']\n"
		"remove MEMBER [--reencrypt] [--key FILE] [--author 'NAME <EMAIL>']\n"
		"list [--key FILE]",
    .description = N_("Confidential fields (crmf.yaml confidential:, doc/privacy.md) are stored\n"
		      "encrypted; each team member who may read them holds a private key.\n"
		      "\n"
		      "init makes your key pair: the private key goes to\n"
		      "$XDG_CONFIG_HOME/crmf/keys/MEMBER.key (mode 0600; never commit it, back it\n"
		      "up) and the public key is printed, to hand to a member who holds the keys.\n"
		      "MEMBER defaults to you (your team id).\n"
		      "\n"
		      "add puts MEMBER's public key in crmf.yaml's recipients and seals the data\n"
		      "keys you hold for them in .crmf/keys.yaml, as one commit. The first add\n"
		      "makes the first data key (epoch 1).\n"
		      "\n"
		      "remove takes MEMBER out and rotates: a new data key for everyone else, so\n"
		      "that nothing written afterwards can be read with MEMBER's key. What they\n"
		      "could read before stays readable to them in the history; --reencrypt\n"
		      "encrypts every value again under the new key, in the same commit.\n"
		      "\n"
		      "list shows the recipients, the epochs and whether your key opens them.\n"),
    .opts = options,
    .notes = N_("exit status: 0 done, 1 refused (no key, not a recipient, git), 2 usage error\n"),
    .opt_width = 15,
};

static int keys_init(crmf_repository *repo, const char *member_arg, const char *key_file)
{
	char *me = NULL, *why = NULL, *path = NULL, *pub = NULL;
	const char *member = member_arg;
	int rc = EXIT_FOUND;

	if (!member) {
		if (crmf_repository_me(&me, &why, repo, NULL) != 0) {
			cli_error("%s", why);
			free(why);
			return EXIT_FOUND;
		}
		member = me;
	}
	path = key_file ? strdup(key_file) : crmf_crypt_key_path(member);
	if (!path)
		abort();
	if (crmf_crypt_keygen(&pub, path, &why) != 0) {
		cli_error("%s", why);
		goto done;
	}
	printf(_("private key: %s (keep it private, back it up, never commit it)\n"), path);
	printf(_("public key:  %s\n"), pub);
	printf(_("a member who holds the keys runs:\n  crmf keys add %s %s\n"), member, pub);
	rc = EXIT_OK;
done:
	free(why);
	free(me);
	free(path);
	free(pub);
	return rc;
}

static int keys_list(crmf_repository *repo, const char *key_file)
{
	const crmf_config *cfg = NULL;
	crmf_crypt *c = NULL;
	char *why = NULL;

	if (crmf_keys_open(&c, repo, key_file, &why) != 0) {
		cli_error("%s", why);
		free(why);
		return EXIT_FOUND;
	}
	(void)crmf_repository_config(&cfg, repo);
	if (!cfg->has_confidential)
		printf(_("no confidential fields (crmf.yaml has no 'confidential:')\n"));
	else
		for (size_t i = 0; i < cfg->confidential.n; i++)
			printf(_("confidential: %s\n"), cfg->confidential.v[i]);
	for (size_t i = 0; i < cfg->n_recipients; i++)
		printf(_("recipient:    %s\n"), cfg->recipients[i].member);
	printf(_("epoch:        %u\n"), crmf_crypt_epoch(c));
	if (crmf_crypt_member(c))
		printf(_("your key:     %s, %s\n"), crmf_crypt_member(c),
		       crmf_crypt_can_read(c) ? _("opens the current epoch")
					      : _("does not open the current epoch"));
	else
		printf(_("your key:     none found\n"));
	crmf_crypt_free(c);
	return EXIT_OK;
}

static int keys_change(crmf_repository *repo, const char *verb, const char *member,
		       const char *pub, bool reencrypt, const char *key_file, const char *author)
{
	crmf_crypt *c = NULL;
	crmf_keys_result res;
	char *why = NULL;
	int rc;

	if (crmf_keys_open(&c, repo, key_file, &why) != 0) {
		cli_error("%s", why);
		free(why);
		return EXIT_FOUND;
	}
	rc = pub ? crmf_keys_add(&res, repo, c, author, member, pub, &why)
		 : crmf_keys_remove(&res, repo, c, author, member, reencrypt, &why);
	crmf_crypt_free(c);
	if (rc != 0) {
		cli_error("%s", why);
		free(why);
		return EXIT_FOUND;
	}
	if (reencrypt)
		printf(_("%zu values in %zu files encrypted again under epoch %u\n"), res.values,
		       res.files, res.epoch);
	printf(_("committed %.7s: %s %s (epoch %u)\n"), res.oid, verb, member, res.epoch);
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	cli_args args;
	const char *key_file = NULL, *author = NULL, *verb;
	bool reencrypt = false;
	crmf_repository *repo;
	int c, rc = EXIT_USAGE;

	cli_args_init(&args, &cmd_keys, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 'k':
			key_file = args.arg;
			break;
		case 'r':
			reencrypt = true;
			break;
		case 'a':
			author = args.arg;
			break;
		}
	}
	if (c < 0)
		return args.status;
	if (args.ind >= argc)
		return cli_usage_error(&cmd_keys, _("give init, add, remove or list"));
	verb = argv[args.ind++];
	if (reencrypt && strcmp(verb, "remove") != 0)
		return cli_usage_error(&cmd_keys, _("--reencrypt goes with remove"));
	if ((strcmp(verb, "init") == 0 && argc - args.ind > 1) ||
	    (strcmp(verb, "add") == 0 && argc - args.ind != 2) ||
	    (strcmp(verb, "remove") == 0 && argc - args.ind != 1) ||
	    (strcmp(verb, "list") == 0 && argc - args.ind != 0))
		return cli_usage_error(&cmd_keys, _("wrong number of arguments for '%s'"), verb);
	if (strcmp(verb, "init") != 0 && strcmp(verb, "add") != 0 &&
	    strcmp(verb, "remove") != 0 && strcmp(verb, "list") != 0)
		return cli_usage_error(&cmd_keys, _("unknown action '%s'; give init, add, remove or list"),
				       verb);
	if (!(repo = cli_repository()))
		return EXIT_USAGE;
	if (strcmp(verb, "init") == 0)
		rc = keys_init(repo, args.ind < argc ? argv[args.ind] : NULL, key_file);
	else if (strcmp(verb, "list") == 0)
		rc = keys_list(repo, key_file);
	else
		rc = keys_change(repo, verb, argv[args.ind],
				 strcmp(verb, "add") == 0 ? argv[args.ind + 1] : NULL, reencrypt,
				 key_file, author);
	crmf_repository_close(repo);
	return rc;
}
