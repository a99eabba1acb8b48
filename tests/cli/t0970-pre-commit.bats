#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The pre-commit framework's hook (.pre-commit-hooks.yaml), run by the real
# pre-commit on a git repository whose crmf repository is a subfolder, as a
# team keeps it beside other work: Debian 12's pre-commit (3.0.4), and the
# newest release Debian ships (unstable's, which tools/deps.sh unpacks apart
# with tools/pre-commit-current.sh).

load helper

PC_CURRENT=/opt/crmf-dev/pre-commit-current

# The whole scenario, with `pre-commit` on PATH being the release to test.
hook_scenario() {
	mkdir -p "$TMP/hooks"
	ln -s "$CRMF" "$TMP/bin/crmf"
	export PRE_COMMIT_HOME="$TMP/pre-commit-home"
	# the hook definitions of this checkout, as a repository pre-commit clones
	cp "$CRMF_SRC/.pre-commit-hooks.yaml" "$TMP/hooks/"
	git -C "$TMP/hooks" init -q
	git -C "$TMP/hooks" add -A
	git -C "$TMP/hooks" commit -qm hooks
	rev=$(git -C "$TMP/hooks" rev-parse HEAD)
	mkdir -p "$TMP/team/crm"
	cd "$TMP/team"
	git init -q
	cp -r "$CRMF_SRC/examples/crmf.yaml" "$CRMF_SRC/examples/customers" "$CRMF_SRC/examples/archive" crm/
	echo 'notes of the team' >README.txt
	cat >.pre-commit-config.yaml <<EOF2
repos:
  - repo: $TMP/hooks
    rev: $rev
    hooks:
      - id: crmf-check
EOF2
	git add -A
	git commit -qm "team repository"
	run pre-commit install
	assert_success
	sed -i 's/^stage: .*/stage: intnet/' crm/customers/2024/C2024001.yaml
	git add crm/customers/2024/C2024001.yaml
	run git commit -m "a typo"
	assert_failure
	assert_output --partial "customers/2024/C2024001.yaml:"
	assert_output --partial "invalid stage 'intnet'; did you mean 'intent'?"
	[ "$(git rev-list --count HEAD)" = 1 ]
	sed -i 's/^stage: .*/stage: intent/' crm/customers/2024/C2024001.yaml
	git add crm/customers/2024/C2024001.yaml
	run git commit -m "stage intent"
	assert_success
	assert_output --partial 'crmf check'
	[ "$(git rev-list --count HEAD)" = 2 ]
	# a commit without customer files skips the hook
	echo more >>README.txt
	git add README.txt
	run git commit -m notes
	assert_success
	assert_output --partial 'no files to check'
}

@test "pre-commit (Debian 12's 3.0.4): crmf-check blocks a commit with an error in crm/customers/, passes the fixed one" {
	mkdir -p "$TMP/bin"
	export PATH="$TMP/bin:$PATH"
	ln -s /usr/bin/pre-commit "$TMP/bin/pre-commit"
	run pre-commit --version
	assert_output --regexp '^pre-commit 3\.'
	hook_scenario
}

@test "pre-commit (current release): crmf-check blocks a commit with an error in crm/customers/, passes the fixed one" {
	[ -x "$PC_CURRENT/bin/pre-commit" ] || {
		echo "no current pre-commit in $PC_CURRENT: run tools/deps.sh as root" >&2
		false
	}
	mkdir -p "$TMP/bin"
	export PATH="$TMP/bin:$PATH"
	ln -s "$PC_CURRENT/bin/pre-commit" "$TMP/bin/pre-commit"
	# the hook pre-commit installs runs python3 -m pre_commit: this release's
	export PYTHONPATH="$PC_CURRENT/usr/lib/python3/dist-packages"
	run pre-commit --version
	assert_output --regexp '^pre-commit [4-9]\.'
	echo "# $output" >&3
	hook_scenario
}
