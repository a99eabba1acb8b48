#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf init: a new repository with exactly one commit of crmf.yaml and
# customers/.gitkeep; never overwrites crmf.yaml; never commits what the user
# staged; refuses without a git identity; works in a subfolder of a repository.

load helper

@test "t0100 init: creates a repository with one commit" {
	mkdir empty && cd empty
	run crmf init
	assert_success
	assert_line --index 0 "initialised crmf repository in $TMP/empty (new git repository; crmf.yaml, customers/)"
	assert_line --index 2 --partial "crmf check"
	[ "$(git rev-list --count HEAD)" = 1 ]
	run git show --stat --format=%s HEAD
	assert_success
	assert_line --index 0 "crmf: init"
	assert_line --partial "crmf.yaml"
	assert_line --partial "customers/.gitkeep"
	assert_line --partial ".gitattributes"
	assert_line --partial "3 files changed"
	[ "$(git ls-tree -r --name-only HEAD | paste -sd,)" = ".gitattributes,crmf.yaml,customers/.gitkeep" ]
	# git itself merges customer files with crmf's driver
	[ "$(git check-attr merge customers/2025/C1.yaml | sed 's/.*: //')" = crmf ]
	[ "$(git config merge.crmf.driver | sed 's/^.* merge-driver/merge-driver/')" = "merge-driver %O %A %B %P" ]
	[ "$(git log -1 --format='%(trailers:key=Crmf-Action,valueonly)')" = init ]
	run git fsck --strict --no-dangling
	assert_success
	refute_output --partial error
	# the file is the template, byte for byte, and nothing is left over
	cmp crmf.yaml "$CRMF_SRC/templates/crmf.yaml"
	[ ! -s customers/.gitkeep ]
	[ -z "$(git status --porcelain --ignored)" ]
	[ "$(ls -A | paste -sd,)" = ".git,.gitattributes,crmf.yaml,customers" ]
}

@test "t0100 init: author and committer are the configured identity" {
	run crmf init repo
	assert_success
	[ "$(git -C repo log -1 --format='%an <%ae>')" = "Test User <test@example.com>" ]
	[ "$(git -C repo log -1 --format='%cn <%ce>')" = "Test User <test@example.com>" ]
}

@test "t0100 init: the branch is init.defaultBranch, else main" {
	run crmf init a
	assert_success
	[ "$(git -C a symbolic-ref HEAD)" = refs/heads/main ]
	git config --global init.defaultBranch trunk
	run crmf init b
	assert_success
	[ "$(git -C b symbolic-ref HEAD)" = refs/heads/trunk ]
	git config --global --unset init.defaultBranch
	run crmf init c
	assert_success
	[ "$(git -C c symbolic-ref HEAD)" = refs/heads/main ]
}

@test "t0100 init: creates a missing directory and its parents" {
	run crmf init deep/er/repo
	assert_success
	[ -f deep/er/repo/crmf.yaml ]
	[ -d deep/er/repo/.git ]
	[ ! -e deep/.git ]
	[ "$(git -C deep/er/repo rev-list --count HEAD)" = 1 ]
}

@test "t0100 init: twice refuses with exit 2 and leaves crmf.yaml byte-identical" {
	run crmf init repo
	assert_success
	printf '# my team settings\nversion: 1\ncurrency: EUR\n' >repo/crmf.yaml
	cp repo/crmf.yaml before.yaml
	run crmf init repo
	assert_failure 2
	assert_output "crmf: 'crmf.yaml' already exists in $TMP/repo; crmf init never overwrites it"
	cmp repo/crmf.yaml before.yaml
	[ "$(git -C repo rev-list --count HEAD)" = 1 ]
	[ -z "$(ls -A repo | grep -v -e '^\.git$' -e '^\.gitattributes$' -e '^crmf\.yaml$' -e '^customers$')" ]
}

@test "t0100 init: an existing crmf.yaml outside git is refused before git init" {
	mkdir repo
	printf 'version: 1\n' >repo/crmf.yaml
	run crmf -C repo init
	assert_failure 2
	assert_output "crmf: 'crmf.yaml' already exists in $TMP/repo; crmf init never overwrites it"
	[ ! -e repo/.git ]
	[ ! -e repo/customers ]
	[ "$(cat repo/crmf.yaml)" = "version: 1" ]
}

@test "t0100 init: a staged unrelated file is not committed and stays staged" {
	git init -q repo && cd repo
	echo "hello" >README
	git add README && git commit -qm "first"
	echo "staged" >other.txt
	git add other.txt
	echo "changed" >README
	run crmf init
	assert_success
	assert_line --index 0 "initialised crmf repository in $TMP/repo (in the git repository $TMP/repo; crmf.yaml, customers/)"
	[ "$(git rev-list --count HEAD)" = 2 ]
	[ "$(git log -1 --format=%s HEAD~1)" = first ]
	[ "$(git show --name-only --format= HEAD | paste -sd,)" = ".gitattributes,crmf.yaml,customers/.gitkeep" ]
	[ "$(git status --porcelain | paste -sd,)" = " M README,A  other.txt" ]
	[ "$(git diff --cached --name-only)" = other.txt ]
	run git fsck --strict --no-dangling
	assert_success
}

@test "t0100 init: without a git identity it fails with exit 2 and creates nothing" {
	export HOME="$TMP/bare-home"
	mkdir -p "$HOME"
	unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL EMAIL
	run crmf init repo
	assert_failure 2
	assert_output "crmf: no git identity: set it with git config --global user.name 'Your Name' and git config --global user.email you@example.com"
	[ ! -e repo ]
}

@test "t0100 init: in a subdirectory of an existing repository, no nested git" {
	git init -q top && cd top
	echo "code" >main.c
	git add main.c && git commit -qm "code"
	run crmf init crm/team
	assert_success
	assert_line --index 0 "initialised crmf repository in $TMP/top/crm/team (in the git repository $TMP/top; crmf.yaml, customers/)"
	[ ! -e crm/team/.git ]
	[ "$(git show --name-only --format= HEAD | paste -sd,)" = "crm/team/.gitattributes,crm/team/crmf.yaml,crm/team/customers/.gitkeep" ]
	[ "$(git rev-list --count HEAD)" = 2 ]
	[ -z "$(git status --porcelain)" ]
}

@test "t0100 init: the new repository checks clean" {
	run crmf init repo
	assert_success
	run crmf -C repo/customers check
	assert_success
	assert_output --partial "0 errors"
}

@test "t0100 init: crmf init --help" {
	run crmf init --help
	assert_success
	assert_line --index 0 "usage: crmf init [DIR]"
	assert_output --partial "exit status:"
	[ ! -e .git ]
	[ ! -e crmf.yaml ]
	run crmf help init
	assert_success
	assert_line --index 0 "usage: crmf init [DIR]"
}

@test "t0100 init: usage errors exit 2" {
	run crmf init a b
	assert_failure 2
	assert_line --index 0 "crmf: too many arguments: give one directory"
	run crmf init --bogus
	assert_failure 2
	assert_line --index 0 "crmf: unknown option '--bogus'"
	: >afile
	run crmf init afile
	assert_failure 2
	assert_output "crmf: 'afile' exists and is not a directory"
	[ ! -e a ]
	[ ! -e .git ]
}

@test "t0100 init: a commit that fails after writing says saved, not committed" {
	git init -q repo
	: >repo/.git/index.lock
	run crmf init repo
	assert_failure 2
	assert_output --regexp "^crmf: saved, not committed: .*'; commit 'crmf.yaml', 'customers/.gitkeep' and '.gitattributes' yourself$"
	cmp repo/crmf.yaml "$CRMF_SRC/templates/crmf.yaml"
	[ -f repo/customers/.gitkeep ]
	run git -C repo rev-parse -q --verify HEAD
	assert_failure
}
