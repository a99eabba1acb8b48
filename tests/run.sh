#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every unit test binary and every end-to-end bats file, in TAP, and ends
# with one line "N passed, N failed" (totals over every suite). A suite that
# does not start, exits non-zero without a failing test, or runs fewer tests
# than its plan announces counts as one more failure. Exit 1 when any failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${CRMF:?CRMF must name the crmf binary}"
: "${UNIT_DIR:?UNIT_DIR must name the folder of unit test binaries}"
export CRMF CRMF_SRC="$(dirname "$here")"
passed=0 failed=0 suites=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# $1 = label, $2 = the suite's exit status; TAP on stdin. Counts its results and
# checks them against its plan and its exit status.
suite() {
	local label=$1 rc=$2 line plan= ran=0 bad=0
	while IFS= read -r line; do
		case $line in
		"ok "*) passed=$((passed + 1)) ran=$((ran + 1)) ;;
		"not ok "*) failed=$((failed + 1)) ran=$((ran + 1)) bad=$((bad + 1)); echo "FAIL $label: $line" ;;
		[0-9]*..[0-9]*) [ -z "$plan" ] && plan=${line#*..} ;;
		"#"*) [ "$bad" -gt 0 ] && echo "  $line" ;;
		esac
		printf '%s\n' "$line" >>"$log"
	done
	suites=$((suites + 1))
	if [ -z "$plan" ] || [ "$ran" -ne "${plan%% *}" ]; then
		echo "FAIL $label: ran $ran tests, its plan said ${plan:-nothing}"
		failed=$((failed + 1))
	elif [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		echo "FAIL $label: exited $rc without a failing test"
		failed=$((failed + 1))
	fi
}

units=0
for t in "$UNIT_DIR"/test_*; do
	[ -x "$t" ] || continue
	units=$((units + 1))
	name=$(basename "$t")
	echo "== unit: $name"
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
	rc=$?
	suite "$name" $rc <<<"$out"
	[ $rc -ne 0 ] && ! grep -q '^not ok' <<<"$out" && printf '%s\n' "$out" | tail -20
done
if [ "$units" -eq 0 ]; then
	echo "FAIL unit: no test binary in $UNIT_DIR"
	failed=$((failed + 1))
fi

echo "== end-to-end: bats"
if ! ls "$here"/cli/*.bats >/dev/null 2>&1; then
	echo "FAIL bats: no test file in $here/cli"
	failed=$((failed + 1))
else
	out=$(bats --tap "$here"/cli/*.bats 2>&1)
	rc=$?
	suite bats $rc <<<"$out"
	grep -A15 '^not ok' <<<"$out" | grep '^#' | head -200
	[ $rc -ne 0 ] && ! grep -q '^not ok' <<<"$out" && printf '%s\n' "$out" | tail -20
fi

# Every seed and every saved crash of each fuzz harness, replayed without
# libFuzzer (fuzz/replay.c): one test per file.
if [ -n "${REPLAY_DIR:-}" ]; then
	for t in "$REPLAY_DIR"/fuzz_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		echo "== fuzz replay: $name"
		dirs=()
		for d in "$CRMF_SRC/fuzz/corpus/$name" "$CRMF_SRC/fuzz/regressions/$name"; do
			[ -d "$d" ] && dirs+=("$d")
		done
		[ ${#dirs[@]} -gt 0 ] || continue
		out=$(cd "$CRMF_SRC" && "$t" "$name" "${dirs[@]#"$CRMF_SRC/"}" 2>&1)
		rc=$?
		suite "$name" $rc <<<"$out"
		grep -q '^not ok' <<<"$out" && grep -v '^ok ' <<<"$out" | head -40
	done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
