/* SPDX-License-Identifier: MIT */
/* crmf completion: print the completion script of bash, zsh or fish (they ask `crmf __complete`). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int run(int argc, char **argv);

const struct crmf_cmd cmd_completion = {
    .name = "completion",
    .run = run,
    .summary = "print the shell completion script of bash, zsh or fish",
    .synopsis = "bash|zsh|fish",
    .description =
	"Prints a script that makes the shell complete crmf's commands, their\n"
	"options, the values of the options (formats, team members, methods,\n"
	"dates), customer ids and names, and FIELD=VALUE pairs of `set` and `new`\n"
	"(fields, enum values with their labels). The script asks crmf itself\n"
	"(`crmf __complete`), so it follows crmf.yaml and the commands as they\n"
	"change. `make install` installs all three; to try one in a shell:\n"
	"\n"
	"    source <(crmf completion bash)      # bash\n"
	"    source <(crmf completion zsh)       # zsh (after compinit)\n"
	"    crmf completion fish | source       # fish",
    .notes = "exit status: 0 success, 2 usage error",
    .machine = true,
};

/* bash: the words as bash-completion splits them when it is loaded (an `=`
 * kept inside its word), else COMP_WORDS; what bash will replace is only the
 * part after the last `=` of COMP_WORDBREAKS, so the candidates lose that
 * prefix. */
static const char bash_script[] =
    "# bash completion of crmf (crmf completion bash)\n"
    "_crmf() {\n"
    "\tlocal cur words cword IFS=$'\\n' lines line directive pre\n"
    "\tif declare -F _get_comp_words_by_ref >/dev/null; then\n"
    "\t\t_get_comp_words_by_ref -n =: cur words cword\n"
    "\telse\n"
    "\t\twords=(\"${COMP_WORDS[@]}\") cword=$COMP_CWORD cur=${COMP_WORDS[COMP_CWORD]}\n"
    "\tfi\n"
    "\tlines=($(\"${words[0]}\" __complete \"${words[@]:1:cword}\" 2>/dev/null)) || return\n"
    "\tdirective=${lines[0]}\n"
    "\tpre=\n"
    "\t[[ $cur == *=* && $COMP_WORDBREAKS == *=* ]] && pre=${cur%=*}=\n"
    "\tCOMPREPLY=()\n"
    "\tfor line in \"${lines[@]:1}\"; do\n"
    "\t\tline=${line%%$'\\t'*}\n"
    "\t\tCOMPREPLY+=(\"${line#\"$pre\"}\")\n"
    "\tdone\n"
    "\tcase $directive in\n"
    "\t:files) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -f -- \"$cur\")) ;;\n"
    "\t:dirs) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -d -- \"$cur\")) ;;\n"
    "\t:nospace) compopt -o nospace 2>/dev/null ;;\n"
    "\tesac\n"
    "}\n"
    "complete -F _crmf crmf\n";

/* zsh: a completion function for fpath (file _crmf) or sourced after compinit */
static const char zsh_script[] =
    "#compdef crmf\n"
    "# zsh completion of crmf (crmf completion zsh)\n"
    "_crmf() {\n"
    "\tlocal -a lines cands\n"
    "\tlocal directive line value\n"
    "\tlines=(\"${(@f)$(${words[1]} __complete \"${(@)words[2,CURRENT]}\" 2>/dev/null)}\")\n"
    "\tdirective=${lines[1]}\n"
    "\tfor line in \"${(@)lines[2,-1]}\"; do\n"
    "\t\t[[ -z $line ]] && continue\n"
    "\t\tvalue=${line%%$'\\t'*}\n"
    "\t\tvalue=${value//:/\\\\:}\n"
    "\t\tif [[ $line == *$'\\t'* ]]; then\n"
    "\t\t\tcands+=(\"$value:${line#*$'\\t'}\")\n"
    "\t\telse\n"
    "\t\t\tcands+=(\"$value\")\n"
    "\t\tfi\n"
    "\tdone\n"
    "\tcase $directive in\n"
    "\t:files) _files ;;\n"
    "\t:dirs) _files -/ ;;\n"
    "\tesac\n"
    "\tif [[ $directive == :nospace ]]; then\n"
    "\t\t_describe -t values crmf cands -S ''\n"
    "\telse\n"
    "\t\t_describe -t values crmf cands\n"
    "\tfi\n"
    "}\n"
    "if [[ $funcstack[1] == _crmf ]]; then\n"
    "\t_crmf \"$@\"\n"
    "else\n"
    "\tcompdef _crmf crmf\n"
    "fi\n";

static const char fish_script[] =
    "# fish completion of crmf (crmf completion fish)\n"
    "function __crmf_complete\n"
    "\tset -l cur (commandline -ct)\n"
    "\tset -l words (commandline -opc) \"$cur\"\n"
    "\tset -l out ($words[1] __complete $words[2..-1] 2>/dev/null)\n"
    "\tor return\n"
    "\tfor line in $out[2..-1]\n"
    "\t\techo $line\n"
    "\tend\n"
    "\tswitch \"$out[1]\"\n"
    "\t\tcase :files\n"
    "\t\t\t__fish_complete_path \"$cur\"\n"
    "\t\tcase :dirs\n"
    "\t\t\t__fish_complete_directories \"$cur\"\n"
    "\tend\n"
    "end\n"
    "complete -c crmf -f -a '(__crmf_complete)'\n";

static int run(int argc, char **argv)
{
	cli_args args;
	int c;
	const char *shell;

	cli_args_init(&args, &cmd_completion, argc, argv);
	while ((c = cli_args_next(&args)) > 0)
		;
	if (c < 0)
		return args.status;
	if (argc - args.ind != 1)
		return cli_usage_error(&cmd_completion, "name one shell: bash, zsh or fish");
	shell = argv[args.ind];
	if (strcmp(shell, "bash") == 0)
		fputs(bash_script, stdout);
	else if (strcmp(shell, "zsh") == 0)
		fputs(zsh_script, stdout);
	else if (strcmp(shell, "fish") == 0)
		fputs(fish_script, stdout);
	else
		return cli_usage_error(&cmd_completion, "no completion for '%s': bash, zsh or fish",
				       shell);
	return EXIT_OK;
}
