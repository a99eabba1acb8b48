#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The user's own uncommitted edits of a customer file stay theirs: log, set,
# archive and restore commit exactly crmf's change to the committed version;
# the edit stays in the work tree (and in the index when it was staged); where
# both cannot be kept, the command refuses and changes nothing.

load helper
bats_require_minimum_version 1.5.0

F=customers/2024/C2024004.yaml

# The lines a diff adds or removes, without its headers.
body() {
	grep '^[-+]' | grep -v '^+++\|^---' || true
}

# Everything a refusal must leave as it was: the work tree, the index, HEAD.
snapshot() {
	git rev-parse HEAD >"$TMP/$1.head"
	git ls-files -s >"$TMP/$1.index"
	git diff --cached >"$TMP/$1.cached"
	tree_hash . >"$TMP/$1.tree"
}

same_as() {
	for x in head index cached tree; do
		cmp "$TMP/$1.$x" "$TMP/now.$x"
	done
}

@test "log with an unstaged grade edit: the commit holds only the follow-up, the edit stays unstaged" {
	make_example_repo
	cd repo
	sed -i 's/^grade: B$/grade: A/' "$F"
	before=$(git rev-parse HEAD)
	run crmf log C2024004 --method phone --summary 回访 --date 2025-06-16 --by li.na
	assert_success
	assert_line 'C2024004: + follow-up 2025-06-16 phone'
	[ "$(git rev-parse HEAD~1)" = "$before" ]
	# the commit: the follow-up and nothing else
	run bash -c "git show --format= HEAD -- $F | grep '^[-+]' | grep -v '^+++\|^---'"
	assert_output - <<'EOF'
+    -   date: 2025-06-16
+        by: li.na
+        method: phone
+        summary: 回访
EOF
	git show HEAD:"$F" | grep -qx 'grade: B'
	# the work tree: both; the edit unstaged, nothing staged
	grep -qx 'grade: A' "$F"
	grep -q 'summary: 回访' "$F"
	run bash -c "git diff -- $F | grep '^[-+]' | grep -v '^+++\|^---'"
	assert_output - <<'EOF'
-grade: B
+grade: A
EOF
	[ -z "$(git diff --cached)" ]
	run git status --porcelain
	assert_output " M $F"
	# history credits the grade to nobody yet
	run crmf history C2024004 --field grade
	refute_output --partial 'crmf: log'
	git fsck --strict
}

@test "log with a staged grade edit: still staged afterwards, not in HEAD" {
	make_example_repo
	cd repo
	sed -i 's/^grade: B$/grade: A/' "$F"
	git add "$F"
	run crmf log C2024004 --method visit --summary 上门 --date 2025-06-16 --by li.na
	assert_success
	git show HEAD:"$F" | grep -qx 'grade: B'
	git show HEAD:"$F" | grep -q 'summary: 上门'
	# staged: the grade edit on top of the new commit, the follow-up in it too
	run bash -c "git diff --cached -- $F | grep '^[-+]' | grep -v '^+++\|^---'"
	assert_output - <<'EOF'
-grade: B
+grade: A
EOF
	[ -z "$(git diff)" ]
	cmp <(git show :"$F") "$F"
	run git status --porcelain
	assert_output "M  $F"
}

@test "log with a staged edit and another unstaged one: both kept where they were" {
	make_example_repo
	cd repo
	sed -i 's/^grade: B$/grade: A/' "$F"
	git add "$F"
	sed -i 's/^region: 华东$/region: 华南/' "$F"
	run crmf log C2024004 --method email --summary 邮件 --date 2025-06-16 --by li.na
	assert_success
	run bash -c "git diff --cached -- $F | grep '^[-+]' | grep -v '^+++\|^---'"
	assert_output - <<'EOF'
-grade: B
+grade: A
EOF
	run bash -c "git diff -- $F | grep '^[-+]' | grep -v '^+++\|^---'"
	assert_output - <<'EOF'
-region: 华东
+region: 华南
EOF
	git show HEAD:"$F" | grep -q 'summary: 邮件'
	git show :"$F" | grep -q 'summary: 邮件'
	grep -q 'summary: 邮件' "$F"
}

@test "set of another field with an unstaged edit: the commit holds only crmf's change" {
	make_example_repo
	cd repo
	sed -i 's/^grade: B$/grade: A/' "$F"
	run crmf set C2024004 potential=high
	assert_success
	run git log -1 --format=%s
	assert_output 'crmf: set C2024004: potential: low → high'
	run bash -c "git show --format= HEAD -- $F | grep '^[-+]' | grep -v '^+++\|^---'"
	assert_output - <<'EOF'
-potential: low                  # 门店扩张放缓，加购空间小 / slow expansion
+potential: high                  # 门店扩张放缓，加购空间小 / slow expansion
EOF
	grep -qx 'grade: A' "$F"
	grep -q '^potential: high' "$F"
	run bash -c "git diff -- $F | grep '^[-+]' | grep -v '^+++\|^---'"
	assert_output - <<'EOF'
-grade: B
+grade: A
EOF
	run crmf history C2024004 --field grade
	refute_output --partial 'crmf: set'
}

@test "set of the field the user edited: refused, work tree, index and HEAD unchanged" {
	make_example_repo
	cd repo
	sed -i 's/^grade: B$/grade: A/' "$F"
	snapshot before
	run crmf set C2024004 grade=C
	assert_failure 1
	assert_output --partial "$F"
	assert_output --partial 'uncommitted'
	assert_output --partial 'git stash'
	snapshot now
	same_as before
	# staged, the same
	git add "$F"
	snapshot before
	run crmf set C2024004 grade=C
	assert_failure 1
	snapshot now
	same_as before
}

@test "a staged edit of the field and a different unstaged one: refused, nothing changed" {
	make_example_repo
	cd repo
	sed -i 's/^grade: B$/grade: A/' "$F"
	git add "$F"
	git show HEAD:"$F" >"$F"
	sed -i 's/^region: 华东$/region: 华南/' "$F"
	snapshot before
	run crmf set C2024004 grade=C
	assert_failure 1
	assert_output --partial 'staged'
	snapshot now
	same_as before
}

@test "log on a work tree file that does not parse, or is invalid: refused, nothing changed" {
	make_example_repo
	cd repo
	printf 'grade: [\n' >>"$F"
	snapshot before
	run crmf log C2024004 --method phone --summary x --date 2025-06-16 --by li.na
	assert_failure 1
	snapshot now
	same_as before
	git checkout -q -- "$F"
	sed -i 's/^stage: customer$/stage: bogus/' "$F"
	snapshot before
	run crmf log C2024004 --method phone --summary x --date 2025-06-16 --by li.na
	assert_failure 1
	assert_output --partial "$F"
	snapshot now
	same_as before
}

@test "log on a CRLF file with an edit: CRLF kept in the commit and the work tree" {
	make_example_repo
	cd repo
	g=customers/2025/C2025001.yaml
	grep -q $'^grade: .\r$' "$g"
	old=$(grep '^grade:' "$g" | tr -d '\r')
	sed -i 's/^grade: .\r$/grade: C\r/' "$g"
	run crmf log C2025001 --method phone --summary 电话 --date 2025-06-16 --by li.na
	assert_success
	git show HEAD:"$g" | grep -qx "$old"$'\r'
	git show HEAD:"$g" | grep -qx $'    summary: 电话\r\|  summary: 电话\r\|      summary: 电话\r'
	run bash -c "git show --format= HEAD -- $g | grep '^[-+]' | grep -v '^+++\|^---' | grep -c .; git show --format= HEAD -- $g | grep '^[-+]' | grep -v '^+++\|^---' | grep -c $'\r\$'"
	assert_output $'4\n4'
	grep -qx $'grade: C\r' "$g"
	grep -q $'summary: 电话\r$' "$g"
	[ "$(grep -c $'\r$' "$g")" = "$(wc -l <"$g")" ]
	run bash -c "git diff -- $g | grep '^[-+]' | grep -v '^+++\|^---' | tr -d '\r'"
	assert_output - <<EOF
-$old
+grade: C
EOF
}

@test "log on a file never committed: refused, nothing changed" {
	make_example_repo
	cd repo
	sed 's/^id: C2024004$/id: C2024099/' "$F" >customers/2024/C2024099.yaml
	snapshot before
	run crmf log C2024099 --method phone --summary x --date 2025-06-16 --by li.na
	assert_failure 1
	assert_output --partial 'not committed'
	assert_output --partial 'crmf commit'
	snapshot now
	same_as before
}

@test "archive and restore with an edit: the file moves with it, the commit records only the move" {
	make_example_repo
	cd repo
	sed -i 's/^grade: B$/grade: A/' "$F"
	run crmf archive C2024004
	assert_success
	a=archive/C2024004.yaml
	run git show --name-status --format= -M HEAD
	assert_output "R100	$F	$a"
	grep -qx 'grade: A' "$a"
	[ ! -e "$F" ]
	run bash -c "git diff -- $a | grep '^[-+]' | grep -v '^+++\|^---'"
	assert_output - <<'EOF'
-grade: B
+grade: A
EOF
	[ -z "$(git diff --cached)" ]
	# staged this time, and back
	git add "$a"
	run crmf restore C2024004
	assert_success
	run git show --name-status --format= -M HEAD
	assert_output "R100	$a	$F"
	grep -qx 'grade: A' "$F"
	run bash -c "git diff --cached -- $F | grep '^[-+]' | grep -v '^+++\|^---'"
	assert_output - <<'EOF'
-grade: B
+grade: A
EOF
	[ -z "$(git diff)" ]
	run git status --porcelain
	assert_output "M  $F"
}

@test "edit with an uncommitted edit: the editor shows it, a note says it, the save commits it" {
	make_example_repo
	cd repo
	sed -i 's/^grade: B$/grade: A/' "$F"
	export EDITOR="sed -i 's/^potential: low /potential: high/'"
	run crmf edit C2024004
	assert_success
	assert_output --partial 'uncommitted'
	git show HEAD:"$F" | grep -qx 'grade: A'
	[ -z "$(git status --porcelain)" ]
	# the message names all it holds
	run git log -1 --format=%B
	assert_line --partial 'grade: B → A'
	assert_line --partial 'potential: low → high'
}

@test "set of a long value the user edited after its 60th character: refused, nothing changed" {
	make_example_repo
	cd repo
	p=$(printf 'x%.0s' $(seq 70))
	crmf set C2024004 "need.description=$p-committed" >/dev/null
	sed -i "s/$p-committed/$p-mine/" "$F"
	snapshot before
	run crmf set C2024004 "need.description=$p-crmf"
	assert_failure 1
	assert_output --partial 'uncommitted'
	snapshot now
	same_as before
}
