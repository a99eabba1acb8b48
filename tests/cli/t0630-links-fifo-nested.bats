#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Symbolic links, FIFOs and devices, nested repositories and submodules under
# customers/, and safe.directory as git reads it (issue 11, defects 3, 6, 8, 10).
load helper

# A file outside the repository that a link points to, and its hash.
outside() {
	cp "$TMP/repo/customers/2024/C2024001.yaml" "$TMP/outside.yaml"
	sed -i 's/^id: C2024001/id: C2099001/' "$TMP/outside.yaml"
	OUTSIDE_SUM=$(sha256sum "$TMP/outside.yaml")
}

# Nothing changed: the outside file, the work tree, HEAD.
unchanged() {
	[ "$(sha256sum "$TMP/outside.yaml")" = "$OUTSIDE_SUM" ]
	[ "$(git -C "$TMP/repo" rev-parse HEAD)" = "$HEAD_BEFORE" ]
	[ -z "$(git -C "$TMP/repo" status --porcelain)" ]
}

link_repo() {
	make_example_repo
	outside
	ln -s ../../outside.yaml "$TMP/repo/customers/victim.yaml"
	git -C "$TMP/repo" add customers/victim.yaml
	git -C "$TMP/repo" commit -qm "a link"
	HEAD_BEFORE=$(git -C "$TMP/repo" rev-parse HEAD)
}

@test "t0630 a committed link to a file outside: check says so at the link, with or without paths" {
	link_repo
	cd repo
	want="customers/victim.yaml: error: symbolic link to '../../outside.yaml' not followed"
	run crmf check
	assert_failure
	assert_output --partial "$want"
	refute_output --partial "C2099001"
	all=$(printf '%s\n' "$output" | grep victim)
	run crmf check customers/victim.yaml
	assert_failure
	assert_output --partial "$want"
	[ "$(printf '%s\n' "$output" | grep victim)" = "$all" ]
	run crmf check --no-cache
	assert_failure
	[ "$(printf '%s\n' "$output" | grep victim)" = "$all" ]
	# the link is never opened: no read of the outside file
	command -v strace >/dev/null || skip "no strace"
	strace -f -e trace=open,openat,statx,newfstatat,stat -o "$TMP/trace" "$CRMF" check --no-cache >/dev/null 2>&1 || true
	! grep -q 'outside.yaml"' "$TMP/trace"
	! grep -q 'victim.yaml".*O_RDONLY[^)]*) = [0-9]' "$TMP/trace"
}

@test "t0630 log, set, edit, archive refuse a link to a file outside and change nothing" {
	link_repo
	cd repo
	run crmf log C2099001 --method phone --summary "hello"
	assert_failure
	unchanged
	run crmf log victim --method phone --summary "hello"
	assert_failure
	assert_output --partial "customers/victim.yaml: symbolic link to '../../outside.yaml' not followed"
	refute_output --partial "committed already"
	unchanged
	run crmf log customers/victim.yaml --method phone --summary "hello"
	assert_failure
	assert_output --partial "symbolic link"
	unchanged
	run crmf set victim stage=won
	assert_failure
	unchanged
	EDITOR=true run crmf edit victim
	assert_failure
	unchanged
	run crmf archive victim
	assert_failure
	unchanged
	# due and list say nothing of the outside customer
	run crmf list --today 2025-06-16
	refute_output --partial "C2099001"
}

@test "t0630 a link inside the repository is not followed either (git commits the link, not the change)" {
	make_example_repo
	cd repo
	ln -s 2024/C2024001.yaml customers/alias.yaml
	git add customers/alias.yaml && git commit -qm alias
	HEAD_BEFORE=$(git rev-parse HEAD)
	before=$(tree_hash .)
	run crmf check
	assert_failure
	assert_output --partial "customers/alias.yaml: error: symbolic link to '2024/C2024001.yaml' not followed"
	# no duplicate-id complaint: the link is not read
	refute_output --partial "[duplicate-id]"
	run crmf log customers/alias.yaml --method phone --summary "hello"
	assert_failure
	[ "$(tree_hash .)" = "$before" ]
	[ "$(git rev-parse HEAD)" = "$HEAD_BEFORE" ]
	# the real file is still changed as usual
	run crmf log C2024001 --method phone --summary "hello" --by li.na --today 2025-06-16
	assert_success
}

@test "t0630 archive/ a link to a folder outside: archive refuses, nothing moves out" {
	make_example_repo
	mkdir "$TMP/elsewhere"
	cd repo
	rm -rf archive
	ln -s "$TMP/elsewhere" archive
	git add archive && git commit -qm "archive is a link"
	HEAD_BEFORE=$(git rev-parse HEAD)
	before=$(tree_hash .)
	run crmf archive C2024001
	assert_failure
	assert_output --partial "'archive' is a symbolic link"
	[ -z "$(ls -A "$TMP/elsewhere")" ]
	[ "$(tree_hash .)" = "$before" ]
	[ "$(git rev-parse HEAD)" = "$HEAD_BEFORE" ]
	run crmf check
	assert_success
	assert_output --partial "archive: warning: symbolic link to '$TMP/elsewhere' not followed"
}

@test "t0630 folders that are links (customers/sub, customers itself) are not followed, and new refuses to write there" {
	make_example_repo
	mkdir -p "$TMP/elsewhere"
	cp "$TMP/repo/customers/2024/C2024001.yaml" "$TMP/elsewhere/C2099001.yaml"
	sed -i 's/^id: C2024001/id: C2099001/' "$TMP/elsewhere/C2099001.yaml"
	cd repo
	ln -s "$TMP/elsewhere" customers/sub
	run crmf check
	assert_success
	assert_output --partial "customers/sub: warning: symbolic link to '$TMP/elsewhere' not followed"
	refute_output --partial C2099001
	run crmf check customers/sub
	assert_output --partial "customers/sub: warning: symbolic link"
	run crmf log C2099001 --method phone --summary x
	assert_failure
	# a year folder that is a link: crmf new refuses to write through it
	mv customers/2025 "$TMP/y2025"
	ln -s "$TMP/y2025" customers/2025
	before=$(ls "$TMP/y2025")
	run crmf new 新客户有限公司 industry=IT服务/云计算 size=50-200 source=展会 region=华东 \
		'contacts[0].name=张伟' 'contacts[0].phone=13800138000' need.type=运维监控平台 \
		need.description=私有云故障要5分钟内告警 --owner li.na --today 2025-06-16
	assert_failure
	assert_output --partial "'customers/2025' is a symbolic link"
	[ "$(ls "$TMP/y2025")" = "$before" ]
	# customers/ itself a link
	git rm -rq customers
	rm -rf customers
	ln -s "$TMP/elsewhere" customers
	run crmf check
	assert_output --partial "customers: warning: symbolic link"
	refute_output --partial C2099001
}

@test "t0630 crmf.yaml a link: check says so, writing commands refuse" {
	make_example_repo
	cd repo
	mv crmf.yaml "$TMP/crmf.yaml"
	ln -s "$TMP/crmf.yaml" crmf.yaml
	git add crmf.yaml && git commit -qm link
	HEAD_BEFORE=$(git rev-parse HEAD)
	before=$(tree_hash .)
	run crmf check
	assert_failure
	assert_output --partial "crmf.yaml: error: symbolic link to '$TMP/crmf.yaml' not followed"
	run crmf check crmf.yaml
	assert_failure
	assert_output --partial "crmf.yaml: error: symbolic link to '$TMP/crmf.yaml' not followed"
	run crmf log C2024001 --method phone --summary x
	assert_failure
	assert_output --partial "crmf.yaml is a symbolic link"
	[ "$(tree_hash .)" = "$before" ]
	[ "$(git rev-parse HEAD)" = "$HEAD_BEFORE" ]
}

@test "t0630 a FIFO or a device named as a customer file: refused at once, never waited on" {
	make_example_repo
	cd repo
	mkfifo customers/f.yaml
	run timeout 10 "$CRMF" check customers/f.yaml
	[ "$status" -ne 124 ]
	assert_failure
	assert_output --partial "customers/f.yaml: error: not a regular file [not-regular-file]"
	run timeout 10 "$CRMF" check
	[ "$status" -ne 124 ]
	assert_failure
	assert_output --partial "customers/f.yaml: error: not a regular file [not-regular-file]"
	run timeout 10 "$CRMF" due --today 2025-06-16
	[ "$status" -ne 124 ]
	run timeout 10 "$CRMF" log customers/f.yaml --method phone --summary x
	[ "$status" -ne 124 ]
	assert_failure
	assert_output --partial "not a regular file"
	rm customers/f.yaml
	# a device, given or as a link's target
	ln -s /dev/zero customers/z.yaml
	run timeout 10 "$CRMF" check customers/z.yaml
	[ "$status" -ne 124 ]
	assert_failure
	assert_output --partial "customers/z.yaml: error: symbolic link to '/dev/zero' not followed"
	run timeout 10 "$CRMF" check /dev/zero
	[ "$status" -ne 124 ]
	assert_failure
	rm customers/z.yaml
	if mknod customers/null.yaml c 1 3 2>/dev/null; then
		run timeout 10 "$CRMF" check
		[ "$status" -ne 124 ]
		assert_output --partial "customers/null.yaml: error: not a regular file"
	fi
}

nested_checks() {
	# $1: the nested folder
	run crmf check
	assert_success
	assert_output --partial "$1: warning: another git repository (a submodule or nested repository): crmf does not look inside [nested-repository]"
	refute_output --partial "C2099001"
	run crmf check "$1/C2099001.yaml"
	assert_output --partial "$1: warning: another git repository"
	run crmf due --today 2025-06-16
	refute_output --partial "C2099001"
	run crmf list --today 2025-06-16
	refute_output --partial "C2099001"
	before=$(tree_hash .)
	sub_before=$(git -C "$1" rev-parse HEAD)
	run crmf log C2099001 --method phone --summary x
	assert_failure
	assert_output --partial "crmf does not look inside $1"
	run crmf log "$1/C2099001.yaml" --method phone --summary x
	assert_failure
	assert_output --partial "another git repository"
	run crmf set "$1/C2099001.yaml" stage=won
	assert_failure
	[ "$(tree_hash .)" = "$before" ]
	[ "$(git -C "$1" rev-parse HEAD)" = "$sub_before" ]
	[ -z "$(git -C "$1" status --porcelain)" ]
}

@test "t0630 a nested git repository under customers/ is skipped with a warning; writing refuses" {
	make_example_repo
	mkdir -p repo/customers/other
	cp repo/customers/2024/C2024001.yaml repo/customers/other/C2099001.yaml
	sed -i 's/^id: C2024001/id: C2099001/' repo/customers/other/C2099001.yaml
	git -C repo/customers/other init -q
	git -C repo/customers/other add -A
	git -C repo/customers/other commit -qm other
	cd repo
	nested_checks customers/other
}

@test "t0630 a real submodule under customers/ is skipped with a warning; writing refuses" {
	make_example_repo
	mkdir "$TMP/sub"
	cp repo/customers/2024/C2024001.yaml "$TMP/sub/C2099001.yaml"
	sed -i 's/^id: C2024001/id: C2099001/' "$TMP/sub/C2099001.yaml"
	git -C "$TMP/sub" init -q
	git -C "$TMP/sub" add -A
	git -C "$TMP/sub" commit -qm sub
	cd repo
	git -c protocol.file.allow=always submodule add -q "$TMP/sub" customers/ext
	git commit -qm "submodule"
	[ -f customers/ext/.git ]
	nested_checks customers/ext
}

# Whether git and crmf work in $TMP/repo, as "git/crmf" ("ok" or "refused").
accepts() {
	local g c
	g=$(git -C "$TMP/repo" status >/dev/null 2>&1 && echo ok || echo refused)
	c=$("$CRMF" -C "$TMP/repo" check >/dev/null 2>&1 && echo ok || echo refused)
	echo "$g/$c"
}

@test "t0630 safe.directory is read as git reads it: '*', exact paths, no trailing slash, empty resets, never the repository's own" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to give the repository to another user"
	make_example_repo
	chown -R 12345:12345 repo
	[ "$(accepts)" = "refused/refused" ]
	# each value alone: git's answer, and crmf's the same
	for v in '*:ok' "$TMP/repo:ok" "$TMP/repo/:refused" "$TMP/*:refused" "$TMP/repo/*:refused" \
		"$TMP/repo/.:refused" "$TMP/repo/.git:refused" "%(prefix)/$TMP/repo:ok" \
		"~/../repo:refused" "bogus:refused"; do
		git config --global --unset-all safe.directory || true
		git config --global --add safe.directory "${v%:*}"
		[ "$(accepts)" = "${v##*:}/${v##*:}" ] || { echo "value ${v%:*}: $(accepts)"; false; }
	done
	# an empty value forgets those before it; later ones count again
	git config --global --unset-all safe.directory
	git config --global --add safe.directory '*'
	git config --global --add safe.directory ''
	[ "$(accepts)" = "refused/refused" ]
	git config --global --add safe.directory "$TMP/repo"
	[ "$(accepts)" = "ok/ok" ]
	# the repository's own config is not asked
	git config --global --unset-all safe.directory
	printf '[safe]\n\tdirectory = *\n' >>repo/.git/config
	[ "$(accepts)" = "refused/refused" ]
	# git -c (hooks and aliases get it as GIT_CONFIG_PARAMETERS), GIT_CONFIG_COUNT
	run git -C repo -c safe.directory='*' -c alias.crmfcheck="!\"$CRMF\" check" crmfcheck
	assert_success
	GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0="$TMP/repo" run "$CRMF" -C repo check
	assert_success
	# writing commands decide the same way
	git config --global --add safe.directory "$TMP/repo/"
	run "$CRMF" -C repo log C2024001 --method phone --summary x --by li.na --today 2025-06-16
	assert_failure
	assert_output --partial "is owned by another user"
	git config --global --add safe.directory '*'
	run "$CRMF" -C repo log C2024001 --method phone --summary x --by li.na --today 2025-06-16
	assert_success
}
