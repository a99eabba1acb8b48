#!/usr/bin/env bash
# Runs every unit test binary and every end-to-end bats file, in TAP, and ends
# with one line "N passed, N failed" (totals over both). Exit 1 when any failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${CRMF:?CRMF must name the crmf binary}"
: "${UNIT_DIR:?UNIT_DIR must name the folder of unit test binaries}"
export CRMF CRMF_SRC="$(dirname "$here")"
passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { # $1 = label; TAP on stdin
	local label=$1 line
	while IFS= read -r line; do
		case $line in
		"ok "*) passed=$((passed + 1)) ;;
		"not ok "*) failed=$((failed + 1)); echo "FAIL $label: $line" ;;
		"#"*) [ "$failed" -gt 0 ] && echo "  $line" ;;
		esac
		printf '%s\n' "$line" >>"$log"
	done
}

for t in "$UNIT_DIR"/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	echo "== unit: $name"
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
	rc=$?
	count "$name" <<<"$out"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' <<<"$out"; then
		echo "FAIL $name: exited $rc"
		printf '%s\n' "$out" | tail -20
		failed=$((failed + 1))
	fi
done

if ls "$here"/cli/*.bats >/dev/null 2>&1; then
	echo "== end-to-end: bats"
	out=$(bats --tap "$here"/cli/*.bats 2>&1)
	count bats <<<"$out"
	grep -A15 '^not ok' <<<"$out" | grep '^#' | head -200
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
		count "$name" <<<"$out"
		grep -q '^not ok' <<<"$out" && grep -v '^ok ' <<<"$out" | head -40
	done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
