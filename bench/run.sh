#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench: generate N realistic customers, then time the libyaml parse floor, crmf and git on them.
#
#   make bench                     N = 1000 and 10000, 5 runs each
#   make bench N=100000 RUNS=3     the big one (about 2 minutes to generate and commit)
#   make bench N=100000 RUNS=1 PARTS="report" HIST_COMMITS=200000   one part alone
#
# Every figure is the median of RUNS runs, the runs of all commands interleaved
# so that a busy moment of the machine hits them alike. Repositories are kept
# in $BENCH_DIR (default build/bench) and reused while the generator is the same.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
CRMF=${CRMF:-$src/crmf}
CC=${CC:-cc}
NS=${N:-1000 10000}
RUNS=${RUNS:-5}
GROWTH_COMMITS=${GROWTH_COMMITS:-5}
# commits of the history crmf report walks: N/2 unless given (HIST_COMMITS=200000 with N=100000)
HIST_COMMITS=${HIST_COMMITS:-}
# the parts to run (all by default): PARTS="import report" runs those alone
PARTS=${PARTS:-core import report lsp growth}
want() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
TODAY=2026-07-01 # the generated data ends on 2026-06-30
WHERE='stage in (intent, negotiation) and potential = high and last_contact < today - 30d'
out=${BENCH_DIR:-$src/build/bench}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -x "$CRMF" ] || { echo "bench: no crmf at $CRMF; run make first" >&2; exit 2; }
$CC -O2 -o "$out/gen" "$here/gen.c"
# shellcheck disable=SC2046
$CC -O2 -o "$out/floor" "$here/floor.c" $(pkg-config --cflags --libs yaml-0.1 liburing) -lpthread
$CC -O2 -o "$out/measure" "$here/measure.c"

# one identity for git and crmf: zhang.wei of examples/crmf.yaml's team
export GIT_AUTHOR_NAME=张伟 GIT_AUTHOR_EMAIL=zhang.wei@qiming.example.cn
export GIT_COMMITTER_NAME=张伟 GIT_COMMITTER_EMAIL=zhang.wei@qiming.example.cn
export GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1 LC_ALL=C.UTF-8
# no automatic `git gc` in the background of a commit: it would disturb the
# figures taken after it, and the growth measured is that of loose objects
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=gc.auto GIT_CONFIG_VALUE_0=0

# make_repo N DIR LAYOUT: a committed repository of N generated customers, in
# year folders (years), year and month folders (months) or all in customers/
# (flat); reused when unchanged.
make_repo() {
	local n=$1 dir=$2 layout=$3 stamp
	stamp="$n $layout $(cksum <"$here/gen.c")"
	if [ -f "$dir/.git/bench-stamp" ] && [ "$(cat "$dir/.git/bench-stamp")" = "$stamp" ] &&
		[ -z "$(git -C "$dir" status --porcelain)" ]; then
		return
	fi
	echo "generating $n customers ($layout) in $dir" >&2
	rm -rf "$dir"
	mkdir -p "$dir"
	"$out/gen" $([ "$layout" = flat ] && echo -f) $([ "$layout" = months ] && echo -m) "$n" "$dir"
	# the examples' settings, with sequence numbers wide enough for 100,000 ids
	sed 's/{seq:3}/{seq:5}/' "$src/examples/crmf.yaml" >"$dir/crmf.yaml"
	git -C "$dir" init -q
	git -C "$dir" add -A
	git -C "$dir" commit -q -m "bench: $n customers"
	"$CRMF" -C "$dir" check -q --no-cache >/dev/null ||
		echo "bench: the generated repository has errors: every figure is suspect" >&2
	echo "$stamp" >"$dir/.git/bench-stamp"
}

# m NAME COMMAND…: run once, appending "wall user sys maxrss_kib status" to $tmp/NAME
m() {
	local name=$1
	shift
	"$out/measure" -q "$@" >>"$tmp/$name"
}

# med NAME FIELD: the median of one field (1 wall, 2 user, 3 sys, 4 KiB) of NAME's runs
med() {
	awk -v f="$2" '{print $f}' "$tmp/$1" | sort -g |
		awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

# peak NAME: the largest peak memory of NAME's runs, in MiB
peak() {
	awk '{if ($4 > p) p = $4} END {printf "%.1f", p / 1024}' "$tmp/$1"
}

# status NAME: the exit statuses of NAME's runs, when one failed
status() {
	awk '$5 != 0 {bad = bad " " $5} END {if (bad != "") print "  (exit" bad "!)"}' "$tmp/$1"
}

ratio() { # A B: A / B to two decimals
	awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'
}

verdict() { # VALUE LIMIT
	awk -v v="$1" -v l="$2" 'BEGIN {print (v <= l ? "met" : "MISSED")}'
}

# A follow-up appended by hand, for the `git add && git commit` reference.
append_followup() {
	# generated files end with their follow-ups, when they have any
	grep -q '^followups:' "$1" || printf 'followups:\n' >>"$1"
	printf '  - date: 2026-06-30\n    by: zhang.wei\n    method: phone\n    summary: 电话确认报价已收到，下周安排演示 (bench %s)\n' \
		"$2" >>"$1"
}

# files_of DIR COUNT: COUNT customer files spread over the repository
files_of() {
	(cd "$1" && find customers -name '*.yaml' | sort |
		awk -v k="$2" '{f[NR] = $0} END {s = int(NR / k); if (s < 1) s = 1; for (i = 1; i <= NR && n < k; i += s) {print f[i]; n++}}')
}

# bytes of the object files of the repository in the current directory
objects_size() {
	find .git/objects -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'
}

row() { # LABEL NAME
	printf '  %-44s %8s %8s %8s %9s%s\n' "$1" "$(med "$2" 1)" "$(med "$2" 2)" "$(med "$2" 3)" \
		"$(peak "$2")" "$(status "$2")"
}

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, $(uname -sr); crmf $("$CRMF" --version | awk '{print $2}')"
echo "every figure: the median of $RUNS runs (peak memory: the largest)"
summary=""

for n in $NS; do
	repo=$out/repo-$n
	make_repo "$n" "$repo" years
	rm -f "$tmp"/*
	mapfile -t files < <(files_of "$repo" $((RUNS * 2 + GROWTH_COMMITS * 2 + 2)))
	cd "$repo"
	"$out/floor" . 1 >/dev/null # warm the page cache
	if want core; then
	for ((r = 0; r < RUNS; r++)); do
		m floor1 "$out/floor" . 1
		m floor2 "$out/floor" . 2
		m floor2u "$out/floor" . 2 uring
		m check_cold "$CRMF" check --no-cache
		rm -rf .git/crmf
		m check_first "$CRMF" check
		"$CRMF" check >/dev/null || true # the cache is up to date
		m check_warm "$CRMF" check
		m due_cold "$CRMF" due --today $TODAY --no-cache
		m due_warm "$CRMF" due --today $TODAY
		m due_mine "$CRMF" due --today $TODAY --mine
		m list_cold "$CRMF" list --today $TODAY --where "$WHERE" --no-cache
		m list_warm "$CRMF" list --today $TODAY --where "$WHERE"
		m followups_by "$CRMF" followups --today $TODAY --count-by by
		m dedupe "$CRMF" dedupe
		m git_status git status
		f=${files[$((2 * r))]}
		append_followup "$f" "$r"
		m git_commit sh -c "git add '$f' && git commit -q -m 'bench: follow-up'"
		id=$(basename "${files[$((2 * r + 1))]}" .yaml)
		m crmf_log "$CRMF" log "$id" --method phone --summary "电话确认报价已收到，下周安排演示 (bench $r)" \
			--date 2026-06-30 --today $TODAY
		m crmf_new "$CRMF" new "基准新建客户${r}号有限公司" industry=IT服务/云计算 size=50-200 source=展会 \
			region=华东 owner=zhang.wei 'contacts[0].name=赵强' "contacts[0].phone=1390000$((1000 + r))" \
			need.type=运维监控平台 need.description=私有云故障要5分钟内告警 --today $TODAY
	done

	fl2=$(med floor2 1)
	gs=$(med git_status 1)
	gc=$(med git_commit 1)
	echo
	echo "N = $n customers ($(du -sb customers archive | awk '{s += $1} END {printf "%.1f MB", s / 1e6}') in year folders;" \
		"$("$CRMF" due --today $TODAY --format csv | awk 'END {print NR - 1}') on the agenda of $TODAY)"
	printf '  %-44s %8s %8s %8s %9s\n' "" "wall s" "user s" "sys s" "peak MiB"
	row "parse floor, libyaml events, 1 thread" floor1
	row "parse floor, libyaml events, 2 threads" floor2
	row "parse floor, 2 threads, io_uring reads" floor2u
	row "crmf check --no-cache (cold)" check_cold
	row "crmf check, first run (cold, writes cache)" check_first
	row "crmf check (warm: nothing changed)" check_warm
	row "crmf due --no-cache (cold)" due_cold
	row "crmf due (warm)" due_warm
	row "crmf due --mine (warm; one of five owners)" due_mine
	row "crmf list --where … --no-cache (cold)" list_cold
	row "crmf list --where … (warm)" list_warm
	row "crmf followups --count-by by" followups_by
	row "crmf dedupe (every document parsed)" dedupe
	row "git status" git_status
	row "git add && git commit (one file)" git_commit
	row "crmf log (validate, write, commit one file)" crmf_log
	row "crmf new (next id, duplicates, commit one file)" crmf_new
	echo "  ratios against the targets:"
	for c in check due list; do
		v=$(ratio "$(med ${c}_cold 1)" "$fl2")
		printf '    %-40s %6s  (target <= 1.2)  %s\n' "$c cold / floor, 2 threads" "$v" "$(verdict "$v" 1.2)"
		v=$(ratio "$(med ${c}_warm 1)" "$gs")
		printf '    %-40s %6s  (target <= 2)    %s\n' "$c warm / git status" "$v" "$(verdict "$v" 2)"
	done
	v=$(ratio "$(med check_cold 1)" "$(med floor2u 1)")
	printf '    %-40s %6s  (the floor read as crmf reads)\n' "check cold / floor, 2 threads, io_uring" "$v"
	v=$(ratio "$(med followups_by 1)" "$fl2")
	printf '    %-40s %6s  (reads every file, as a cold check)\n' "followups --count-by by / floor, 2 thr." "$v"
	v=$(ratio "$(med check_first 1)" "$fl2")
	printf '    %-40s %6s  (statx too, for the cache)\n' "check first run / floor, 2 threads" "$v"
	v=$(ratio "$(med dedupe 1)" "$(med check_cold 1)")
	printf '    %-40s %6s  (target <= 1.5)  %s\n' "dedupe / check cold" "$v" "$(verdict "$v" 1.5)"
	v=$(ratio "$(med crmf_log 1)" "$gc")
	printf '    %-40s %6s  (target <= 0.5)  %s\n' "crmf log / git add && git commit" "$v" "$(verdict "$v" 0.5)"
	v=$(ratio "$(med crmf_new 1)" "$gc")
	printf '    %-40s %6s  (no target: it reads every record)\n' "crmf new / git add && git commit" "$v"
	pk=0
	for c in check_cold check_warm due_cold due_warm list_cold list_warm; do
		pk=$(awk -v a="$pk" -v b="$(peak $c)" 'BEGIN {print (b > a ? b : a)}')
	done
	printf '    %-40s %6s  (target <= 64)   %s\n' "peak memory of check, due, list (MiB)" "$pk" "$(verdict "$pk" 64)"
	summary+=$(printf '\n  N=%-7s check cold %7.1f us/file, warm %6.1f us/file; floor (2 threads) %7.1f us/file' \
		"$n" "$(awk -v t="$(med check_cold 1)" -v n="$n" 'BEGIN {print t / n * 1e6}')" \
		"$(awk -v t="$(med check_warm 1)" -v n="$n" 'BEGIN {print t / n * 1e6}')" \
		"$(awk -v t="$fl2" -v n="$n" 'BEGIN {print t / n * 1e6}')")
	fi

	if want import; then
	# crmf import of n rows (a CSV written here) against what it saves the user:
	# crmf check (cold) of the same files plus git add -A && git commit of them
	imp=$tmp/import-$n
	mkdir -p "$imp"
	awk -v n="$n" 'BEGIN {
		printf "\xef\xbb\xbf客户名称,联系人,联系方式,电子邮箱,所属行业,合作阶段,企业规模,客户来源,需求类型,需求描述,合作潜力,region,最近跟进日期,跟进内容,跟进人\n"
		for (i = 1; i <= n; i++)
			printf "华东%d号精密制造有限公司,联系人%d,139%08d,buyer%d@example.cn,制造业/机械制造,需求沟通,50-200,展会,采购产品A,产线改造第%d期,中,华东,2026-06-20,电话沟通报价与交付周期 %d,li.na\n", i, i, i, i, i, i
	}' >"$imp/rows.csv"
	for ((r = 0; r < RUNS; r++)); do
		for d in a b; do
			rm -rf "$imp/$d"
			mkdir -p "$imp/$d"
			cp "$repo/crmf.yaml" "$imp/$d/"
			git -C "$imp/$d" init -q
			git -C "$imp/$d" add crmf.yaml
			git -C "$imp/$d" commit -q -m "bench: empty"
		done
		m import "$CRMF" -C "$imp/a" import "$imp/rows.csv" --today $TODAY
		cp -r "$imp/a/customers" "$imp/b/"
		m import_check "$CRMF" -C "$imp/b" check --no-cache --today $TODAY
		m import_commit sh -c "cd '$imp/b' && git add -A && git commit -q -m 'bench: import'"
	done
	row "crmf import of $n CSV rows (one commit)" import
	row "  reference: crmf check --no-cache of them" import_check
	row "  reference: git add -A && git commit of them" import_commit
	v=$(ratio "$(med import 1)" "$(awk -v a="$(med import_check 1)" -v b="$(med import_commit 1)" 'BEGIN {print a + b}')")
	printf '    %-40s %6s  (target <= 2)    %s\n' "import / (check cold + git add && commit)" "$v" "$(verdict "$v" 2)"
	rm -rf "$imp"
	fi

	if want report; then
	# crmf report over a history of HIST_COMMITS (n/2) commits, each changing the
	# stage of one customer (written with git fast-import; the files in turn,
	# again from the first when there are more commits than files): the first
	# report walks it all, the change index removed but the validation cache
	# as crmf check leaves it (against git log --raw over the same commits); a
	# repeated one reads the change index and the validation cache (against a
	# warm crmf check); a first report with no cache at all (a fresh clone)
	# also parses every file (against git log --raw plus a cold check)
	hist=$tmp/history-$n
	k=${HIST_COMMITS:-$((n / 2))}
	rm -rf "$hist"
	git clone -q "$repo" "$hist"
	(cd "$hist" && find customers -name '*.yaml' | sort >"$tmp/paths" &&
		awk -v k="$k" '{ p[NR] = $0 } END { for (i = 0; i < k; i++) print p[i % NR + 1] }' "$tmp/paths" |
		LC_ALL=C awk -v branch="$(git symbolic-ref HEAD)" -v head="$(git rev-parse HEAD)" '
		BEGIN { split("lead intent negotiation customer at-risk", st, " ") }
		{
			path = $0; body = ""
			while ((getline line < path) > 0) {
				if (line ~ /^stage: /) line = "stage: " st[NR % 5 + 1]
				body = body line "\n"
			}
			close(path)
			printf "commit %s\ncommitter 张伟 <zhang.wei@qiming.example.cn> %d +0800\n", branch, 1751000000 + NR * 60
			printf "data 6\nbench\n"
			if (NR == 1) printf "from %s\n", head
			printf "M 100644 inline %s\ndata %d\n%s\n", path, length(body), body
		}' | git fast-import --quiet && git reset -q --hard)
	"$CRMF" -C "$hist" check -q --today $TODAY >/dev/null || true # the reference is a warm check
	last=$(git -C "$hist" log -1 --name-only --format= -- customers | sed -n '/./{p;q}')
	for ((r = 0; r < RUNS; r++)); do
		rm -f "$hist/.git/crmf/changes"
		m report_first "$CRMF" -C "$hist" report --since 2025-01-01 --today $TODAY
		m report_gitlog git -C "$hist" log --raw --no-renames -- customers archive
		m report_again "$CRMF" -C "$hist" report --since 2025-01-01 --today $TODAY
		m report_check "$CRMF" -C "$hist" check -q --today $TODAY
		# crmf history of the customer changed last (its year's folder changes
		# at every commit), through the index the report left, against git log
		# of its path
		m history_index "$CRMF" -C "$hist" history "$(basename "$last" .yaml)"
		m history_gitlog git -C "$hist" log --format=%H%n%an%n%s -- "$last"
		rm -f "$hist/.git/crmf/changes" "$hist/.git/crmf/cache"
		m report_cold "$CRMF" -C "$hist" report --since 2025-01-01 --today $TODAY
		m report_checkcold "$CRMF" -C "$hist" check -q --no-cache --today $TODAY
	done
	row "crmf report, first ($(($(git -C "$hist" rev-list --count HEAD) - 1)) commits walked)" report_first
	row "  reference: git log --raw of them" report_gitlog
	row "crmf report, again (the change index)" report_again
	row "  reference: crmf check (warm)" report_check
	v=$(ratio "$(med report_first 1)" "$(med report_gitlog 1)")
	printf '    %-40s %6s  (target <= 2)    %s\n' "report first / git log --raw" "$v" "$(verdict "$v" 2)"
	v=$(ratio "$(med report_again 1)" "$(med report_check 1)")
	printf '    %-40s %6s  (target <= 2)    %s\n' "report again / crmf check warm" "$v" "$(verdict "$v" 2)"
	row "crmf history ID (the change index)" history_index
	row "  reference: git log -- its path" history_gitlog
	v=$(ratio "$(med history_index 1)" "$(med history_gitlog 1)")
	printf '    %-40s %6s  (no target: the issue sets none)\n' "history / git log -- path" "$v"
	row "crmf report, first, no cache at all" report_cold
	row "  reference: crmf check --no-cache" report_checkcold
	v=$(ratio "$(med report_cold 1)" "$(awk -v a="$(med report_gitlog 1)" -v b="$(med report_checkcold 1)" 'BEGIN {print a + b}')")
	printf '    %-40s %6s  (no target)\n' "report cold / (git log --raw + check cold)" "$v"
	rm -rf "$hist"
	fi
	if want lsp; then
	# crmf lsp: a diagnostic after a keystroke in one file (didChange to publishDiagnostics)
	read -r lsp_med lsp_p90 lsp_start _ < <(/usr/bin/python3 "$here/lsp.py" "$CRMF" "$repo" "${files[0]}" 200 $TODAY)
	printf '  %-44s %8s ms median, %s ms p90 (200 edits; startup %s ms)\n' "crmf lsp: diagnostics after a keystroke" \
		"$lsp_med" "$lsp_p90" "$lsp_start"
	printf '    %-40s %6s  (target <= 20)   %s\n' "crmf lsp keystroke to diagnostics (ms)" "$lsp_med" "$(verdict "$lsp_med" 20)"
	fi

	# growth of .git per commit, by layout
	if want growth && [ "$n" -ge 10000 ]; then
		make_repo "$n" "$out/repo-$n-flat" flat
		make_repo "$n" "$out/repo-$n-months" months
		echo "  growth of .git/objects per 'crmf log' commit (loose objects, as libgit2 writes them):"
		for layout in flat years months; do
			dir=$out/repo-$n-$layout
			[ $layout = years ] && dir=$repo
			cd "$dir"
			mapfile -t gfiles < <(files_of "$dir" $((RUNS * 2 + GROWTH_COMMITS * 2 + 2)) | tail -$GROWTH_COMMITS)
			before=$(objects_size)
			for f in "${gfiles[@]}"; do
				"$CRMF" log "$(basename "$f" .yaml)" --method visit --summary "拜访采购，递交资质文件 (growth)" \
					--date 2026-06-30 --today $TODAY >/dev/null
			done
			after=$(objects_size)
			label="customers/<year>/"
			[ $layout = flat ] && label="customers/ flat"
			[ $layout = months ] && label="customers/<year>/<month>/"
			printf '    %-40s %8.1f KB per commit\n' "$label" \
				"$(awk -v a="$after" -v b="$before" -v k="$GROWTH_COMMITS" 'BEGIN {print (a - b) / k / 1000}')"
		done
	fi
	cd "$src"
done
echo
echo "cost per file (linear when these stay flat as N grows):$summary"
