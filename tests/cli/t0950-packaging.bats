#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Packaging: the man pages (rendered by man, installed by make install, found
# by `man crmf-due`), and the completion scripts of bash, zsh and fish, run in
# the real shells: bash and zsh interactively in tmux, fish by `complete -C`.

load helper

# crmf on PATH as `crmf`, for the shells
crmf_on_path() {
	mkdir -p "$TMP/bin"
	ln -sf "$CRMF" "$TMP/bin/crmf"
	export PATH="$TMP/bin:$PATH"
}

@test "make install puts crmf, a man page per command and the completions under DESTDIR; uninstall removes them" {
	run make -s -C "$CRMF_SRC" -o "$CRMF" BIN="$CRMF" install DESTDIR="$TMP/inst" PREFIX=/usr
	assert_success
	[ -x "$TMP/inst/usr/bin/crmf" ]
	[ -f "$TMP/inst/usr/share/bash-completion/completions/crmf" ]
	[ -f "$TMP/inst/usr/share/zsh/vendor-completions/_crmf" ]
	[ -f "$TMP/inst/usr/share/fish/vendor_completions.d/crmf.fish" ]
	[ -f "$TMP/inst/usr/share/doc/crmf/LICENSE" ]
	# the catalogue of every po/LANG.po, which the installed crmf finds
	[ -f "$TMP/inst/usr/share/locale/zh_CN/LC_MESSAGES/crmf.mo" ]
	run env -u LC_ALL LANG=zh_CN.UTF-8 CRMF_LOCALEDIR="$TMP/inst/usr/share/locale" "$TMP/inst/usr/bin/crmf" --help
	assert_output --partial '命令：'
	# a page for crmf, for every command `crmf --help` lists, and the two file formats
	pages="crmf.1 crmf-format.5 crmf.yaml.5"
	for c in $("$CRMF" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
		pages="$pages crmf-$c.1"
	done
	for p in $pages; do
		f=$(find "$TMP/inst/usr/share/man" -name "$p")
		[ -n "$f" ] || { echo "no man page $p"; false; }
		# rendered without a warning of groff, with its name section
		run env MANWIDTH=80 man --warnings -l "$f"
		assert_success
		assert_output --partial NAME
		err=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
		[ -z "$err" ] || { echo "$p: $err"; false; }
	done
	MANPATH="$TMP/inst/usr/share/man" run man -P cat crmf-due
	assert_success
	assert_output --partial 'crmf-due - the agenda'
	assert_output --partial '--owner NAME'
	MANPATH="$TMP/inst/usr/share/man" run man -P cat 5 crmf.yaml
	assert_output --partial 'cadence'
	MANPATH="$TMP/inst/usr/share/man" run man -P cat crmf-format
	assert_output --partial 'first_contact'
	run make -s -C "$CRMF_SRC" -o "$CRMF" BIN="$CRMF" uninstall DESTDIR="$TMP/inst" PREFIX=/usr
	assert_success
	run find "$TMP/inst" -type f
	assert_output ''
}

@test "the man page of a command is its --help: every option is in it" {
	for c in due list log; do
		"$CRMF" __scdoc "$c" | scdoc >"$TMP/$c.1"
		page=$(MANWIDTH=200 man -l "$TMP/$c.1")
		for o in $("$CRMF" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			grep -q -- "$o" <<<"$page" || { echo "crmf-$c(1) lacks $o"; false; }
		done
	done
}

@test "completion scripts: bash -n, zsh -n, fish -n" {
	crmf completion bash >"$TMP/c.bash"
	bash -n "$TMP/c.bash"
	crmf completion zsh >"$TMP/_crmf"
	zsh -n "$TMP/_crmf"
	crmf completion fish >"$TMP/c.fish"
	fish -n "$TMP/c.fish"
	run crmf completion tcsh
	assert_failure 2
	assert_output --partial 'bash, zsh or fish'
}

@test "__complete: commands, options, option values, ids, names, FIELD=VALUE with labels" {
	make_example_repo
	cd repo
	run crmf __complete sh
	assert_success
	assert_line --index 0 ':'
	assert_line --index 1 --partial $'show\tshow one customer'
	run crmf __complete due --format ''
	assert_output $':\ntable\njson\ncsv\nics'
	run crmf __complete due --ow
	assert_output --partial '--owner'
	run crmf __complete due --owner l
	assert_output $':\nli.na\t李娜\nliu.yang\t刘洋'
	run crmf __complete show C202400
	assert_line --index 1 $'C2024001\t宁波甬达汽车零部件有限公司'
	run crmf __complete show 杭州恒
	assert_line $'杭州恒拓机械有限公司\tC2024003'
	run crmf __complete set C2024001 pot
	assert_output $':nospace\npotential=\t合作潜力'
	run crmf __complete set C2024001 potential=
	assert_output $':\npotential=high\t高潜力\npotential=medium\t中潜力\npotential=low\t低潜力'
	run crmf __complete check cust
	assert_output ':files'
	run crmf __complete -C "$TMP/repo" restore ''
	assert_line --index 0 ':'
	# outside a repository: commands still complete, customers give nothing
	cd "$TMP"
	run crmf __complete show ''
	assert_success
	assert_output ':'
}

@test "bash completion in bash-completion's word splitting: FIELD=VALUE, options, files" {
	make_example_repo
	cd repo
	crmf_on_path
	run bash -c '
		source /usr/share/bash-completion/bash_completion
		source <(crmf completion bash)
		t() { COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; shift; COMP_WORDS=("$@")
			COMP_CWORD=$(($# - 1)); COMPREPLY=(); _crmf; echo "${COMPREPLY[*]}"; }
		t "crmf set C2024001 stage=neg" crmf set C2024001 stage = neg
		t "crmf due --format=j" crmf due --format = j
		t "crmf check custo" crmf check custo
		t "crmf -C " crmf -C ""'
	assert_success
	assert_line --index 0 'negotiation'
	assert_line --index 1 'json'
	assert_line --index 2 'customers'
}

# wait until the tmux pane shows `want` (trailing blanks are not captured)
tmux_wait() {
	local want=$1 i
	for i in $(seq 100); do
		tmux -L "$SOCK" capture-pane -p -t t | grep -qF -- "$want" && return 0
		sleep 0.1
	done
	tmux -L "$SOCK" capture-pane -p -t t
	return 1
}

@test "bash and zsh complete interactively (tmux)" {
	make_example_repo
	crmf_on_path
	SOCK=crmf-$$-$BATS_TEST_NUMBER
	cd "$TMP/repo"
	tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 160 -y 40 \
		"env PS1='$ ' TERM=xterm bash --norc --noprofile"
	tmux -L "$SOCK" send-keys -t t 'source /usr/share/bash-completion/bash_completion; source <(crmf completion bash); echo RE""ADY' Enter
	tmux_wait READY
	tmux -L "$SOCK" send-keys -t t 'crmf sh' Tab Z
	tmux_wait 'crmf show Z'
	tmux -L "$SOCK" send-keys -t t C-u 'crmf set C2024001 stage=negot' Tab Z
	tmux_wait 'stage=negotiation Z'
	tmux -L "$SOCK" send-keys -t t C-u 'crmf log C2024001 --method vis' Tab Z
	tmux_wait '--method visit Z'
	tmux -L "$SOCK" kill-server
	# zsh on a server of its own: the first one may still be going away
	SOCK=${SOCK}-zsh
	tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 160 -y 40 "env TERM=xterm zsh -f"
	tmux -L "$SOCK" send-keys -t t 'autoload -U compinit && compinit -u && source <(crmf completion zsh) && echo RE""ADY' Enter
	tmux_wait READY
	tmux -L "$SOCK" send-keys -t t 'crmf sh' Tab Z
	tmux_wait 'crmf show Z'
	tmux -L "$SOCK" send-keys -t t C-u 'crmf due --owner wang' Tab Z
	tmux_wait 'wang.fang Z'
	tmux -L "$SOCK" kill-server
}

@test "fish completes through complete -C" {
	make_example_repo
	crmf_on_path
	cd "$TMP/repo"
	run fish --no-config -c 'crmf completion fish | source; complete -C "crmf sh"; complete -C "crmf set C2024001 potential=h"'
	assert_success
	assert_line $'show\tshow one customer: fields, classification, follow-ups, what is due'
	assert_line --partial 'potential=high'
}
