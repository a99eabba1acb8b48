#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make fuzz: runs each libFuzzer harness for $1 seconds on a copy of its seed
# corpus and of its saved crashes (fuzz/corpus/<name>, fuzz/regressions/<name>),
# so the committed files stay as they are. New inputs and crashes go under
# build/fuzz/work/<name>/. Exits 1 when any harness crashed, after naming the
# input that crashed it; every harness runs, each stops at its first crash.
# FUZZ_SEED=N starts libFuzzer's random generator at N (CI does, so that one
# commit fuzzes the same inputs on every run); without it each run explores anew.
set -u
time=$1
shift
src=$(cd "$(dirname "$0")" && pwd)
# a leak of libgit2's own, not crmf's (see the file)
export LSAN_OPTIONS="suppressions=$src/../tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
failed=0
for bin in "$@"; do
	name=$(basename "$bin")
	work=build/fuzz/work/$name
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/crashes"
	for d in "$src/corpus/$name" "$src/regressions/$name"; do
		[ -d "$d" ] && cp -p "$d"/* "$work/corpus/" 2>/dev/null
	done
	echo "== fuzz: $name for ${time}s ($(ls "$work/corpus" | wc -l) inputs to start from)"
	"$bin" ${FUZZ_SEED:+-seed="$FUZZ_SEED"} -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$work/crashes/" "$work/corpus" \
		>"$work/log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|stat::new_units_added)' "$work/log" | tr '\n' ' '
	echo
	if [ $rc -ne 0 ]; then
		failed=1
		echo "FAIL $name (exit $rc), from $work/log:"
		grep -E -m 12 -A 2 'oracle failed|runtime error|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|^(base|ours|theirs):' "$work/log"
		grep -v '^#[0-9]' "$work/log" | tail -8
		for f in "$work"/crashes/*; do
			[ -f "$f" ] && echo "crashing input: $f"
		done
		echo "replay it: $bin $work/crashes/<file>; keep it as a test: fuzz/regressions/$name/"
	fi
done
exit $failed
