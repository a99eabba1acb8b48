#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf edit with a scripted $EDITOR: unchanged (nothing happens), valid
# (written, committed with the changed fields), invalid then abort (the file
# untouched, diagnostics under the real name, the edited copy kept), a file
# changed by someone else meanwhile, and $VISUAL before $EDITOR.

load helper
bats_require_minimum_version 1.5.0

# The edited copies go to a temporary folder of the test's own.
eval "helper_$(declare -f setup)"
setup() {
	helper_setup
	export TMPDIR="$TMP/tmp"
	mkdir -p "$TMPDIR"
}

# editor SCRIPT: an editor that runs the sed script on its file.
editor() {
	printf '#!/bin/sh\nsed -i -e %q "$1"\n' "$1" >"$TMP/editor.sh"
	chmod +x "$TMP/editor.sh"
	export EDITOR="$TMP/editor.sh"
	unset VISUAL
}

copies() {
	ls "${TMPDIR:-/tmp}"/crmf-C2024004-*.yaml 2>/dev/null
}

@test "edit: unchanged → 'no changes', exit 0, no commit" {
	make_example_repo
	cd repo
	editor 's/x/x/'
	run crmf edit C2024004
	assert_success
	assert_output 'no changes'
	[ "$(git rev-list --count HEAD)" -eq 1 ]
	[ -z "$(copies)" ]
}

@test "edit: valid change → written and committed, the message lists the changed fields" {
	make_example_repo
	cd repo
	f=customers/2024/C2024004.yaml
	editor 's/^stage: customer$/stage: at-risk/; s/^        title: 财务总监$/        title: 财务副总裁/'
	run crmf edit C2024004
	assert_success
	assert_line 'C2024004: stage: customer → at-risk'
	assert_line 'C2024004: contacts[1].title: 财务总监 → 财务副总裁'
	run git log -1 --format='%s%n%b'
	assert_output - <<'EOF'
crmf: edit C2024004: stage, contacts
stage: customer → at-risk
contacts[1].title: 财务总监 → 财务副总裁

Crmf-Action: edit
Crmf-Customer: C2024004
EOF
	run git diff --stat HEAD~1
	assert_output --partial '1 file changed, 2 insertions(+), 2 deletions(-)'
	run git status --porcelain
	assert_output ''
	[ -z "$(copies)" ]
	git fsck --strict
}

@test "edit: only a comment changed → committed as comments and layout" {
	make_example_repo
	cd repo
	editor 's/# 小红书投放留资/# 小红书广告留资/'
	run crmf edit C2024004
	assert_success
	run git log -1 --format=%s
	assert_output 'crmf: edit C2024004: comments and layout'
}

@test "edit: invalid, no terminal → diagnostics with the real path, abort, copy kept, file untouched" {
	make_example_repo
	cd repo
	f=customers/2024/C2024004.yaml
	cp "$f" "$TMP/before"
	editor 's/^stage: customer$/stage: won/'
	run crmf edit C2024004 </dev/null
	assert_failure 1
	assert_output --partial "customers/2024/C2024004.yaml:11:8: error: invalid stage 'won'"
	assert_output --regexp 'aborted, nothing changed; your edit is kept in /.*/crmf-C2024004-[^/]*\.yaml'
	cmp "$f" "$TMP/before"
	[ "$(git rev-list --count HEAD)" -eq 1 ]
	copy=$(copies)
	[ -n "$copy" ]
	grep -q '^stage: won$' "$copy"
	rm -f "$copy"
}

@test "edit: the file changed while the editor was open → nothing written, copy kept" {
	make_example_repo
	cd repo
	f=customers/2024/C2024004.yaml
	cat >"$TMP/editor.sh" <<EOF
#!/bin/sh
sed -i 's/^stage: customer\$/stage: at-risk/' "\$1"
sed -i 's/^grade: B\$/grade: A/' "$TMP/repo/$f"
EOF
	chmod +x "$TMP/editor.sh"
	EDITOR="$TMP/editor.sh" run crmf edit C2024004
	assert_failure 1
	assert_output --partial 'changed while you were editing it'
	grep -q '^stage: customer$' "$f"
	grep -q '^grade: A$' "$f"
	copy=$(copies)
	grep -q '^stage: at-risk$' "$copy"
	rm -f "$copy"
}

@test "edit: \$VISUAL wins over \$EDITOR; an editor that fails changes nothing" {
	make_example_repo
	cd repo
	editor 's/^stage: customer$/stage: at-risk/'
	VISUAL=false run crmf edit C2024004
	assert_failure 1
	assert_output --partial "the editor 'false' exited with status 1"
	grep -q '^stage: customer$' customers/2024/C2024004.yaml
	rm -f $(copies)
	# EDITOR may carry arguments, as git allows
	EDITOR="sed -i s/^grade:.B\$/grade:\ A/" run crmf edit C2024004
	assert_success
	grep -q '^grade: A$' customers/2024/C2024004.yaml
}

@test "edit: a CRLF file edited with sed stays CRLF; the commit holds only it" {
	make_example_repo
	cd repo
	f=customers/2025/C2025001.yaml
	editor 's/^stage: intent\r$/stage: negotiation\r/'
	run crmf edit C2025001
	assert_success
	[ "$(grep -c $'\r$' "$f")" -eq "$(wc -l <"$f")" ]
	run git show --name-only --format= HEAD
	assert_output "$f"
	run git log -1 --format=%s
	assert_output 'crmf: edit C2025001: stage'
}

@test "edit on a terminal: invalid → (e)dit again → fixed and committed; (a)bort keeps the copy" {
	command -v script >/dev/null || skip "script(1) not installed"
	make_example_repo
	cd repo
	# first run of the editor breaks the stage, the second one fixes it
	cat >"$TMP/editor.sh" <<EOF2
#!/bin/sh
if [ -e "$TMP/edited-once" ]; then
	sed -i 's/^stage: won\$/stage: at-risk/' "\$1"
else
	touch "$TMP/edited-once"
	sed -i 's/^stage: customer\$/stage: won/' "\$1"
fi
EOF2
	chmod +x "$TMP/editor.sh"
	run bash -c "printf 'e\n' | EDITOR='$TMP/editor.sh' script -qec '$CRMF edit C2024004' /dev/null"
	assert_success
	assert_output --partial "error: invalid stage 'won'"
	assert_output --partial '(e)dit again or (a)bort? '
	run git log -1 --format=%s
	assert_output 'crmf: edit C2024004: stage'
	grep -q '^stage: at-risk$' customers/2024/C2024004.yaml
	rm "$TMP/edited-once"
	editor 's/^stage: at-risk$/stage: won/'
	run bash -c "printf 'a\n' | EDITOR='$TMP/editor.sh' script -qec '$CRMF edit C2024004' /dev/null"
	assert_failure 1
	assert_output --partial 'aborted, nothing changed; your edit is kept in'
	grep -q '^stage: at-risk$' customers/2024/C2024004.yaml
	rm -f $(copies)
}
