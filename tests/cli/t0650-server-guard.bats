#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A guard on the shared repository: crmf check --rev checks one commit from
# git's objects (plain or bare repository, no work tree needed); crmf hooks
# install --server writes a pre-receive hook that refuses, with real git
# pushes, every push bringing a commit with errors, and leaves the remote's
# refs as they were.

load helper
bats_require_minimum_version 1.5.0

BAD_STAGE="customers/2024/C2024004.yaml:11:8: error: invalid stage 'won'; use one of lead, intent, negotiation, customer, at-risk, lost [invalid-enum]"

commit_all() {
	git add -A
	git commit -qm "$1"
}

# A bare remote.git guarded by crmf, and a clone in work/ that pushed the example data.
make_guarded_remote() {
	git init -q --bare remote.git
	run crmf -C remote.git hooks install --server
	assert_success
	assert_output --partial "installed $TMP/remote.git/hooks/pre-receive"
	git clone -q remote.git work 2>/dev/null
	cp -r "$CRMF_SRC/examples/crmf.yaml" "$CRMF_SRC/examples/customers" work/
	(cd work && commit_all "example data" && git push -q origin main 2>/dev/null)
	cd work
}

remote_main() {
	git -C "$TMP/remote.git" rev-parse main
}

@test "check --rev: a commit is checked from git's objects, not the work tree; exit 0, 1, 2" {
	make_example_repo
	cd repo
	run crmf check
	assert_success
	summary=${lines[-1]}
	run crmf check --rev HEAD
	assert_success
	assert_line "$summary" # the same files as crmf check in the work tree
	sed -i 's/^stage: customer$/stage: won/' customers/2024/C2024004.yaml
	# broken in the work tree only: the commit is fine
	run crmf check --rev HEAD
	assert_success
	run crmf check
	assert_failure 1
	commit_all broken
	git checkout -q HEAD~1 -- customers/2024/C2024004.yaml # the work tree is fine again
	run crmf check --rev HEAD
	assert_failure 1
	assert_line "$BAD_STAGE"
	assert_line --partial "${summary%%:*}: 1 error"
	run crmf check --rev HEAD~1
	assert_success
	run crmf check --rev "$(git rev-parse --short HEAD)" --format json
	assert_failure 1
	printf '%s' "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["errors"] == 1 and d["files_checked"] == 31, d; assert d["diagnostics"][0]["rule"] == "invalid-enum", d'
	run crmf check --rev nosuchbranch
	assert_failure 2
	assert_output "crmf: bad revision 'nosuchbranch'"
	run crmf check --rev HEAD customers/2024/C2024004.yaml
	assert_failure 2
	run crmf check --rev HEAD --staged
	assert_failure 2
}

@test "check --rev: crmf.yaml of the commit types it; cross-file checks over its tree" {
	make_example_repo
	cd repo
	mkdir -p archive
	cp customers/2024/C2024004.yaml archive/C2024004.yaml
	commit_all "same id twice"
	run crmf check --rev HEAD
	assert_failure 1
	assert_line --partial "customers/2024/C2024004.yaml:4:5: error: duplicate id 'C2024004': also the id of archive/C2024004.yaml"
	git rm -q archive/C2024004.yaml
	sed -i 's/^  region: {type: enum, values: \[华东, 华北, 华南, 西部\], required: true}/  region: {type: enum, values: [东, 西], required: true}/' crmf.yaml
	commit_all "regions narrowed"
	run crmf check --rev HEAD
	assert_failure 1
	assert_output --partial "invalid region"
	run crmf check --rev HEAD~2
	assert_success
}

@test "check --rev: in a bare repository, with -C, --git-dir or GIT_DIR; --root for a crmf root in a subfolder" {
	make_example_repo
	sed -i 's/^stage: customer$/stage: won/' repo/customers/2024/C2024004.yaml
	(cd repo && commit_all broken)
	git clone -q --bare repo bare.git
	run crmf -C bare.git check --rev main
	assert_failure 1
	assert_line "$BAD_STAGE"
	run crmf check --git-dir bare.git --rev main~1
	assert_success
	run env GIT_DIR=bare.git "$CRMF" check --rev main
	assert_failure 1
	assert_line "$BAD_STAGE"
	run crmf check --git-dir nowhere.git --rev main
	assert_failure 2
	# crmf.yaml in a subfolder of the git repository
	mkdir mono
	git -C mono init -q
	cp -r repo/crmf.yaml repo/customers mono/ 2>/dev/null
	mkdir mono/crm && mv mono/crmf.yaml mono/customers mono/crm/
	(cd mono && commit_all sub)
	git clone -q --bare mono mono.git
	run crmf -C mono.git check --rev main
	assert_success
	assert_line --partial '0 files checked'
	run crmf -C mono.git check --rev main --root crm
	assert_failure 1
	assert_line "$BAD_STAGE"
	assert_line --partial '29 files checked: 1 error'
	# in a work tree, the crmf root holding the current folder
	run crmf -C mono/crm check --rev HEAD
	assert_failure 1
	assert_line "$BAD_STAGE"
	run crmf -C mono.git check --rev main --root ../x
	assert_failure 2
}

@test "server hook: a push of an invalid enum is refused with path:line:col and the remote is unchanged" {
	make_guarded_remote
	before=$(remote_main)
	sed -i 's/^stage: customer$/stage: won/' customers/2024/C2024004.yaml
	commit_all "won it"
	run git push origin main
	assert_failure
	assert_output --partial "remote: $BAD_STAGE"
	assert_output --partial "remote: crmf: commit $(git rev-parse --short=7 HEAD) \"won it\" (refs/heads/main):"
	assert_output --partial 'remote: crmf: push refused'
	assert_output --partial 'pre-receive hook declined'
	[ "$(remote_main)" = "$before" ]
	# fixed (amended), the push goes through
	sed -i 's/^stage: won$/stage: at-risk/' customers/2024/C2024004.yaml
	git commit -qa --amend -m "at risk"
	run git push origin main
	assert_success
	assert_output --partial 'remote: crmf: 1 pushed commit checked: no errors'
	[ "$(remote_main)" = "$(git rev-parse HEAD)" ]
}

@test "server hook: a YAML syntax error and a duplicate id across files are refused" {
	make_guarded_remote
	before=$(remote_main)
	printf 'id: C2025100\nname: [broken\n' >customers/2025/C2025100.yaml
	commit_all "syntax"
	run git push origin main
	assert_failure
	assert_output --regexp 'remote: customers/2025/C2025100\.yaml:[0-9]+:[0-9]+: error: .*\[yaml-syntax\]'
	[ "$(remote_main)" = "$before" ]
	git reset -q --hard origin/main
	mkdir -p archive
	cp customers/2024/C2024004.yaml archive/C2024004.yaml
	commit_all "same id twice"
	run git push origin main
	assert_failure
	# reported at the file that was not changed: the check runs over the pushed tree
	assert_output --partial "remote: customers/2024/C2024004.yaml:4:5: error: duplicate id 'C2024004': also the id of archive/C2024004.yaml"
	[ "$(remote_main)" = "$before" ]
}

@test "server hook: a bad file in an intermediate commit is refused even when the tip fixes it" {
	make_guarded_remote
	before=$(remote_main)
	sed -i 's/^stage: customer$/stage: won/' customers/2024/C2024004.yaml
	commit_all "broken in the middle"
	bad=$(git rev-parse --short=7 HEAD)
	sed -i 's/^stage: won$/stage: customer/' customers/2024/C2024004.yaml
	commit_all "fixed again"
	run crmf check --rev HEAD
	assert_success
	run git push origin main
	assert_failure
	assert_output --partial "remote: crmf: commit $bad \"broken in the middle\" (refs/heads/main):"
	assert_output --partial "remote: $BAD_STAGE"
	assert_output --partial 'remote: crmf: push refused: 1 of 2 pushed commits brings errors'
	[ "$(remote_main)" = "$before" ]
}

@test "server hook: good pushes, new branches, tags and deletions go through; old problems do not block" {
	make_guarded_remote
	git checkout -q -b feature
	sed -i 's/^owner: .*/owner: li.na/' customers/2024/C2024001.yaml
	commit_all "another owner"
	run git push origin feature
	assert_success
	assert_output --partial 'remote: crmf: 1 pushed commit checked: no errors'
	[ "$(git -C ../remote.git rev-parse feature)" = "$(git rev-parse HEAD)" ]
	# a branch of commits the remote has: nothing new to check
	run git push origin HEAD:refs/heads/copy
	assert_success
	refute_output --partial 'refused'
	git tag -a -m v1 v1
	run git push origin v1
	assert_success
	run git push origin --delete copy feature
	assert_success
	run git -C ../remote.git rev-parse --verify -q feature
	assert_failure
	# a problem the remote had before the hook does not block a good push on top
	mv ../remote.git/hooks/pre-receive ../pre-receive
	sed -i 's/^stage: customer$/stage: won/' customers/2024/C2024004.yaml
	commit_all "broken before the guard"
	git push -q origin HEAD:main 2>/dev/null
	mv ../pre-receive ../remote.git/hooks/pre-receive
	echo '# a comment' >>customers/2024/C2024001.yaml
	commit_all "a comment"
	run git push origin HEAD:main
	assert_success
	[ "$(remote_main)" = "$(git rev-parse HEAD)" ]
}

@test "server hook: several refs in one push: one bad ref refuses the whole push" {
	make_guarded_remote
	before=$(remote_main)
	git checkout -q -b good
	sed -i 's/^owner: .*/owner: li.na/' customers/2024/C2024001.yaml
	commit_all "good"
	git checkout -q -b bad
	sed -i 's/^stage: customer$/stage: won/' customers/2024/C2024004.yaml
	commit_all "bad"
	run git push origin good bad
	assert_failure
	assert_output --partial "(refs/heads/bad):"
	refute_output --partial '"good"'
	run git -C ../remote.git rev-parse --verify -q bad
	assert_failure
	run git -C ../remote.git rev-parse --verify -q good
	assert_failure
	[ "$(remote_main)" = "$before" ]
}

@test "hooks install --server: a foreign hook is kept unless --force; the hook finds crmf on PATH; uninstall" {
	git init -q --bare remote.git
	printf '#!/bin/sh\nexit 0\n' >remote.git/hooks/pre-receive
	chmod +x remote.git/hooks/pre-receive
	run crmf -C remote.git hooks install --server
	assert_failure 1
	assert_output --partial 'was not written by crmf'
	run crmf -C remote.git hooks install --server --force
	assert_success
	assert_output --partial 'kept the earlier hook as'
	[ -x remote.git/hooks/pre-receive.before-crmf ]
	grep -q "crmf check --pre-receive" remote.git/hooks/pre-receive
	run crmf -C remote.git hooks install --server
	assert_success
	assert_output --partial 'updated'
	# the installed binary gone: the crmf on PATH runs; none at all: refused
	sed -i "s|^crmf=.*|crmf='/nonexistent/crmf'|" remote.git/hooks/pre-receive
	git clone -q remote.git work 2>/dev/null
	cp -r "$CRMF_SRC/examples/crmf.yaml" "$CRMF_SRC/examples/customers" work/
	sed -i 's/^stage: customer$/stage: won/' work/customers/2024/C2024004.yaml
	(cd work && commit_all bad)
	mkdir bin
	ln -s "$CRMF" bin/crmf
	run env PATH="$TMP/bin:$PATH" git -C work push origin main
	assert_failure
	assert_output --partial "remote: $BAD_STAGE"
	run env PATH="/usr/bin:/bin" git -C work push origin main
	assert_failure
	assert_output --partial 'no crmf is on PATH; push refused'
	run git -C remote.git rev-parse --verify -q main
	assert_failure
	run crmf -C remote.git hooks uninstall --server
	assert_success
	[ ! -e remote.git/hooks/pre-receive ]
	# --root is embedded in the hook
	run crmf -C remote.git hooks install --server --root crm
	assert_success
	grep -q -- "--pre-receive --root 'crm'" remote.git/hooks/pre-receive
	run crmf hooks install --root crm
	assert_failure 2
	# the pre-commit hook has no place in a bare repository
	run crmf -C remote.git hooks install
	assert_failure 2
	assert_output --partial "'crmf hooks install --server' installs the hook that checks pushes"
	[ ! -e remote.git/hooks/pre-commit ]
}

@test "check --pre-receive: input is checked, deletions pass" {
	make_example_repo
	git clone -q --bare repo bare.git
	zero=0000000000000000000000000000000000000000
	run bash -c "echo '$(git -C bare.git rev-parse main) $zero refs/heads/main' | '$CRMF' -C bare.git check --pre-receive"
	assert_success
	assert_output ''
	run bash -c "echo 'garbage' | '$CRMF' -C bare.git check --pre-receive"
	assert_failure 2
	assert_output --partial 'invalid pre-receive input'
	run bash -c "echo '$zero 1111111111111111111111111111111111111111 refs/heads/x' | '$CRMF' -C bare.git check --pre-receive"
	assert_failure 2
}

@test "server hook: a crmf.yaml change is checked against every file; merges of good branches pass" {
	make_guarded_remote
	before=$(remote_main)
	sed -i 's/^  region: {type: enum, values: \[华东, 华北, 华南, 西部\], required: true}/  region: {type: enum, values: [东, 西], required: true}/' crmf.yaml
	commit_all "regions narrowed"
	run git push origin main
	assert_failure
	# the customer files did not change, crmf.yaml did: they are checked again
	assert_output --regexp "remote: customers/2024/C2024001\.yaml:[0-9]+:[0-9]+: error: invalid region"
	[ "$(remote_main)" = "$before" ]
	git reset -q --hard origin/main
	git checkout -q -b side
	echo '# side' >>customers/2024/C2024002.yaml
	commit_all "side"
	git checkout -q main
	echo '# main' >>customers/2024/C2024003.yaml
	commit_all "main"
	git merge -q --no-edit side
	run git push origin main
	assert_success
	assert_output --partial 'remote: crmf: 3 pushed commits checked: no errors'
	[ "$(remote_main)" = "$(git rev-parse HEAD)" ]
}

# A clone in work/ of an unguarded remote.git holding the example data, then
# on main: a good commit, a bad one, a commit that fixes it.
make_bad_middle() {
	git init -q --bare remote.git
	git clone -q remote.git work 2>/dev/null
	cp -r "$CRMF_SRC/examples/crmf.yaml" "$CRMF_SRC/examples/customers" work/
	cd work
	commit_all "example data"
	git push -q origin main 2>/dev/null
	echo '# a comment' >>customers/2024/C2024001.yaml
	commit_all "good"
	sed -i 's/^stage: customer$/stage: won/' customers/2024/C2024004.yaml
	commit_all "broken in the middle"
	bad=$(git rev-parse --short HEAD)
	sed -i 's/^stage: won$/stage: customer/' customers/2024/C2024004.yaml
	commit_all "fixed again"
}

@test "contrib/check-commits.sh: every commit of a range, oldest first; GitHub annotations" {
	make_bad_middle
	export CRMF
	run sh "$CRMF_SRC/contrib/check-commits.sh" origin/main..HEAD
	assert_failure 1
	assert_line "commit $bad broken in the middle:"
	assert_line "$BAD_STAGE"
	assert_line '1 of 3 commits have errors; fix them (git rebase -i for a commit below the tip)'
	run env GITHUB_ACTIONS=true sh "$CRMF_SRC/contrib/check-commits.sh" --root . HEAD~3..HEAD~2
	assert_success
	assert_output '1 commit checked: no errors'
	run env GITHUB_ACTIONS=true sh "$CRMF_SRC/contrib/check-commits.sh" --root . HEAD~2..HEAD
	assert_failure 1
	assert_line "::error file=./customers/2024/C2024004.yaml,line=11,col=8::invalid stage 'won'; use one of lead, intent, negotiation, customer, at-risk, lost [invalid-enum]"
	run sh "$CRMF_SRC/contrib/check-commits.sh" nosuch..HEAD
	assert_failure 2
}

# The shell of a CI file's job, with crmf's checkout at $CRMF_SRC.
ci_script() {
	python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml is not installed"
	python3 - "$CRMF_SRC/contrib/$1" "$2" <<'PY' | sed "s|/opt/crmf|$CRMF_SRC|g" >"$TMP/ci.sh"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
if sys.argv[2] == "github":
    print([s["run"] for s in d["jobs"]["crmf-check"]["steps"] if s.get("name") == "Check every new commit"][0])
else:
    print("\n".join(d["crmf-check"]["script"]))
PY
}

@test "contrib CI jobs: GitHub and GitLab check the commits of a push, a new branch, a merge request" {
	make_bad_middle
	export CRMF CRMF_ROOT=. GITHUB_WORKSPACE=$PWD
	zero=0000000000000000000000000000000000000000
	ci_script github/crmf-check.yml github
	# a push onto main: BEFORE..HEAD
	run env BEFORE="$(git rev-parse origin/main)" BASE= DEFAULT_BRANCH=main GITHUB_REF_NAME=main sh "$TMP/ci.sh"
	assert_failure 1
	assert_line "commit $bad broken in the middle:"
	run env BEFORE="$(git rev-parse HEAD~1)" BASE= DEFAULT_BRANCH=main GITHUB_REF_NAME=main sh "$TMP/ci.sh"
	assert_success
	assert_line '1 commit checked: no errors'
	# a new branch: what the default branch lacks
	run env BEFORE=$zero BASE= DEFAULT_BRANCH=main GITHUB_REF_NAME=topic sh "$TMP/ci.sh"
	assert_failure 1
	assert_line '1 of 3 commits have errors; fix them (git rebase -i for a commit below the tip)'
	# a pull request
	run env BEFORE= BASE="$(git rev-parse HEAD~1)" DEFAULT_BRANCH=main GITHUB_REF_NAME=1/merge sh "$TMP/ci.sh"
	assert_success
	ci_script gitlab/crmf-check.gitlab-ci.yml gitlab
	run env CI_COMMIT_BEFORE_SHA="$(git rev-parse origin/main)" CI_COMMIT_BRANCH=main CI_DEFAULT_BRANCH=main sh "$TMP/ci.sh"
	assert_failure 1
	assert_line "commit $bad broken in the middle:"
	run env CI_COMMIT_BEFORE_SHA=$zero CI_COMMIT_BRANCH=topic CI_DEFAULT_BRANCH=main sh "$TMP/ci.sh"
	assert_failure 1
	assert_line '1 of 3 commits have errors; fix them (git rebase -i for a commit below the tip)'
	run env CI_MERGE_REQUEST_DIFF_BASE_SHA="$(git rev-parse HEAD~1)" sh "$TMP/ci.sh"
	assert_success
}

@test "check --rev: the same diagnostics as crmf check in the work tree, for every broken example and a blob over 1 MiB" {
	make_example_repo
	cd repo
	mkdir -p customers/broken
	cp "$CRMF_SRC"/examples/broken/*.yaml customers/broken/
	head -c 1100000 /dev/zero | tr '\0' a >customers/broken/huge.yaml
	commit_all "broken examples"
	run crmf check --today 2025-06-16
	assert_failure 1
	expected=$output
	[ "$(printf '%s\n' "$output" | grep -c ': error: ')" -gt 10 ]
	run crmf check --rev HEAD --today 2025-06-16
	assert_failure 1
	assert_output "$expected"
	run crmf check --rev HEAD --today 2025-06-16 --format json
	json=$output
	run crmf check --today 2025-06-16 --format json
	[ "$json" = "$output" ]
}
