#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Reading commands find the repository without starting libgit2; commands
# that use git still start it, and a repository found the usual way or
# through libgit2 is the same one. libgit2's start would also parse the
# system's CA certificates (8 ms, more than a whole check of a small
# repository): crmf lets it only for crmf sync.

load helper

# Whether a crmf command started libgit2: it then looks for the CA
# certificates (present or not, the lookup shows under strace; whether it
# reads them is the next test's).
started_libgit2() {
	strace -f -o "$TMP/trace" -e trace=openat,open,stat,newfstatat,statx "$CRMF" "$@" >/dev/null 2>&1 || true
	grep -q 'ca-certificates\|/etc/ssl' "$TMP/trace"
}

@test "t0255 check, due, list and show do not start libgit2; history and log do" {
	make_example_repo
	cd repo/customers
	for cmd in check "due --today 2025-06-16" "list --today 2025-06-16" "show C2024001"; do
		# shellcheck disable=SC2086
		if started_libgit2 $cmd; then
			echo "crmf $cmd started libgit2"
			false
		fi
	done
	started_libgit2 history C2024001
	started_libgit2 log C2024001 --summary "电话沟通，确认需求" --method phone --by zhang.wei --today 2025-06-16
	run git -C .. log --oneline
	assert_line --partial C2024001
}

@test "t0255 the repository is found the same with and without libgit2: worktrees, .git files, stray .git folders, nested repositories" {
	make_example_repo
	# a linked worktree (its .git is a file): libgit2 finds it
	git -C repo worktree add -q "$TMP/wt" 2>/dev/null
	run "$CRMF" -C "$TMP/wt/customers" check
	assert_success
	assert_output --partial "files checked"
	# a stray, empty .git folder inside the work tree is not a repository
	mkdir -p repo/customers/2024/.git
	run "$CRMF" -C repo/customers/2024 due --today 2025-06-16
	assert_success
	assert_output --partial "overdue"
	rmdir repo/customers/2024/.git
	# a repository inside another: the nearest one wins
	mkdir -p repo/inner && git -C repo/inner init -q
	run "$CRMF" -C repo/inner check
	assert_success
	assert_output --partial "0 files checked"
	# from inside the git directory, libgit2 finds its work tree
	run "$CRMF" -C repo/.git/refs check
	assert_success
	assert_output --partial "31 files checked"
	# a core.worktree elsewhere: libgit2 decides, as git does
	git -C repo config core.worktree "$TMP/repo"
	run "$CRMF" -C repo/customers check
	assert_success
}

@test "t0255 a repository owned by another user is refused, as git refuses it, without safe.directory" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to give the repository to another user"
	make_example_repo
	chown -R 12345:12345 repo
	run "$CRMF" -C repo check
	assert_failure
	assert_output --partial "is owned by another user"
	# the work tree ours, its .git not: still refused
	chown 0:0 repo
	run "$CRMF" -C repo due --today 2025-06-16
	assert_failure
	assert_output --partial "is owned by another user"
	git config --global --add safe.directory "$TMP/repo"
	run "$CRMF" -C repo check
	assert_success
}

# Whether a crmf command opened (read) the system's CA certificates, which
# libgit2 parses at its start: 8 ms that crmf spends for crmf sync alone.
read_ca() {
	strace -f -o "$TMP/trace" -e trace=openat,open "$CRMF" "$@" >/dev/null 2>&1 || true
	grep -q '/etc/ssl/' "$TMP/trace"
}

@test "t0255 the CA certificates are read by crmf sync alone, not by the commands that start libgit2 to stay local" {
	make_example_repo
	cd repo
	for cmd in "history C2024001" "log C2024001 --summary 电话沟通，确认二期验收时间 --method phone --by zhang.wei --today 2025-06-16" \
		"report --month --today 2025-06-16" "set C2024001 stage=negotiation --today 2025-06-16"; do
		# shellcheck disable=SC2086
		if read_ca $cmd; then
			echo "crmf $cmd read the CA certificates"
			false
		fi
	done
	# they did their work (with libgit2)
	run git log --format=%s
	assert_line --index 0 --partial C2024001
	assert_line --index 1 --partial C2024001
	# crmf sync may talk https: it reads them, then fails to connect as it should
	git remote add origin https://127.0.0.1:9/none.git
	read_ca sync
	run "$CRMF" sync
	assert_failure
	assert_output --partial "127.0.0.1"
}

@test "t0255 GSSAPI (Kerberos for crmf sync over HTTP) is loaded only when used, not by every command that starts libgit2" {
	make_example_repo
	cd repo
	for cmd in "history C2024001" "report --month --today 2025-06-16"; do
		# shellcheck disable=SC2086
		# (not its exit status: LeakSanitizer, in a SANITIZE=1 build, fails under ptrace)
		strace -f -o "$TMP/trace" -e trace=openat,open "$CRMF" $cmd >"$TMP/out" 2>&1 || true
		grep -q 'created\|crmf report' "$TMP/out"
		if grep -q 'libgssapi\|libkrb5' "$TMP/trace"; then
			echo "crmf $cmd loaded GSSAPI"
			false
		fi
	done
}
