#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A repository whose .git cannot be written (a read-only mount): every
# command that would commit says why and changes nothing; the reading
# commands still answer.

load helper

teardown() {
	if [ -n "${RO_MOUNT:-}" ]; then
		umount "$RO_MOUNT" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}

@test "t0402 a read-only .git: log, set and archive refuse with the reason, files untouched; check and due still work" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount .git read-only"
	make_example_repo
	cd repo
	mount --bind .git .git && mount -o remount,bind,ro .git || skip "cannot mount here"
	RO_MOUNT="$TMP/repo/.git"
	before=$(tree_hash .)
	head=$(git rev-parse HEAD)
	run crmf log C2024001 --method phone --summary '电话沟通，确认了交付周期' --by zhang.wei --today 2025-06-16
	assert_failure
	assert_output --partial 'read-only file system'
	run crmf set C2024004 stage=at-risk
	assert_failure
	assert_output --partial 'read-only file system'
	run crmf archive C2024004
	assert_failure
	assert_output --partial 'read-only file system'
	[ "$(tree_hash .)" = "$before" ]
	[ "$(git rev-parse HEAD)" = "$head" ]
	run crmf check
	assert_success
	run crmf due --today 2025-06-16
	assert_success
	assert_output --partial 'overdue'
}
