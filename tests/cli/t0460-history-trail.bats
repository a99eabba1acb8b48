#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf history: the audit trail of one customer from git, newest first, with
# field-level lines, across archive moves, --field and json.

load helper
bats_require_minimum_version 1.5.0

setup_history() {
	make_example_repo
	cd repo
	crmf set C2024004 stage=at-risk >/dev/null
	crmf log C2024004 --method phone --summary '确认续费9折方案' --by li.na --date 2025-06-16 >/dev/null
	crmf archive C2024004 --author 'Li Na <li.na@qiming.example.cn>' >/dev/null
}

@test "history: every commit, newest first, with its changes, across the archive move" {
	setup_history
	run crmf history C2024004
	assert_success
	ids=($(git log --format=%h --abbrev=7))
	assert_line --index 0 --regexp "^${ids[0]}  [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} [+-][0-9]{4}  Li Na <li.na@qiming.example.cn>$"
	assert_line --index 1 '    crmf: archive C2024004: 上海味道坊餐饮管理有限公司'
	assert_line --index 2 '      moved customers/2024/C2024004.yaml → archive/C2024004.yaml'
	assert_line '    crmf: log C2024004: phone 2025-06-16 确认续费9折方案'
	assert_line '      + follow-up 2025-06-16 phone'
	assert_line '    crmf: set C2024004: stage: customer → at-risk'
	assert_line '      stage: customer → at-risk'
	assert_line '    example data'
	assert_line --regexp "^${ids[1]}  .*Test User <test@example.com>  \(customers/2024/C2024004.yaml\)$"
}

@test "history --field stage; --format json" {
	setup_history
	run crmf history C2024004 --field stage
	assert_success
	refute_output --partial 'follow-up'
	assert_line '      stage: customer → at-risk'
	run crmf history C2024004 --format json
	assert_success
	printf '%s' "$output" | python3 -c '
import json, sys
h = json.load(sys.stdin)
assert [e["subject"].split(":")[0:2] for e in h][:3] == [["crmf", " archive C2024004"], ["crmf", " log C2024004"], ["crmf", " set C2024004"]], h
assert h[2]["changes"] == ["stage: customer → at-risk"]
assert h[0]["path"] == "archive/C2024004.yaml" and len(h[0]["commit"]) == 40
'
}

@test "history: unknown customer exits 1; usage errors exit 2" {
	make_example_repo
	cd repo
	run crmf history C2099001
	assert_failure 1
	assert_output --partial "no commit touches customer 'C2099001'"
	run crmf history
	assert_failure 2
	run crmf history C1 C2
	assert_failure 2
}

# every customer's trail, as text, json and by field, into $1
all_trails() {
	mkdir -p "$1"
	for f in $(find customers archive -name '*.y*ml' | sort); do
		id=$(basename "${f%.*}")
		crmf history "$id" >"$1/$id.txt"
		crmf history "$id" --format json >"$1/$id.json"
		crmf history "$id" --field stage >"$1/$id.stage"
	done
	# one removed: its file is gone, its trail is in history
	crmf history C2024009 >"$1/C2024009.gone" 2>&1
}

# The commits that changed each customer, worked out with git alone: the
# customer's (path, blob) in each commit against its first parent's, and for
# a merge against every parent's; newest first in git's date order.
# Prints "id commit…" lines.
trails_by_git() {
	python3 - <<'PY'
import subprocess
def git(*a):
    return subprocess.run(["git", *a], check=True, capture_output=True, text=True).stdout
def where(c):
    m = {}
    for line in git("ls-tree", "-r", c, "--", "customers", "archive").splitlines():
        meta, path = line.split("\t")
        name = path.rsplit("/", 1)[-1]
        for ext in (".yaml", ".yml"):
            if name.endswith(ext):
                m[name[: -len(ext)]] = (path, meta.split()[2])
    return m
order = git("rev-list", "--date-order", "HEAD").split()
state = {c: where(c) for c in order}
ids = sorted({i for s in state.values() for i in s})
for i in ids:
    out = []
    for c in order:
        parents = git("rev-list", "--parents", "-n1", c).split()[1:]
        now = state[c].get(i)
        olds = [state[p].get(i) for p in parents] or [None]
        if now != olds[0] and all(now != o for o in olds[1:]):
            out.append(c)
    print(i, *out)
PY
}

# The same from crmf history --format json.
trails_by_crmf() {
	for i in $(trails_by_git | cut -d' ' -f1); do
		printf '%s' "$i"
		crmf history "$i" --format json |
			python3 -c 'import json, sys; print("".join(" " + e["commit"] for e in json.load(sys.stdin)))'
	done
}

@test "history: read through the change index (crmf report's), built when missing and extended by new commits; the commits git says" {
	make_example_repo
	cd repo
	d() { export GIT_AUTHOR_DATE="2025-0$1T10:00:00+08:00" GIT_COMMITTER_DATE="2025-0$1T10:00:00+08:00"; }
	d 1-02
	crmf set C2024004 stage=at-risk >/dev/null
	# a side branch with git: an edit, a customer moved into a subfolder as .yml
	git checkout -qb side
	d 1-03
	sed -i 's/^stage: negotiation/stage: customer/' customers/2024/C2024008.yaml
	sed -i 's/^stage: customer/stage: at-risk/' customers/2024/C2024006.yaml
	git commit -qam "side: by hand"
	mkdir -p customers/east
	git mv customers/2024/C2024002.yaml customers/east/C2024002.yml
	d 1-04
	git commit -qm "side: moved into a subfolder"
	git checkout -q main
	d 1-05
	crmf log C2024004 --method phone --summary 电话 --by li.na >/dev/null
	crmf log C2024006 --method visit --summary 拜访 --by liu.yang >/dev/null
	d 1-06
	# both sides changed C2024006: the merge's version is neither side's
	git merge -q --no-ff side -m "merge side"
	grep -q '^stage: at-risk' customers/2024/C2024006.yaml
	run crmf history C2024006
	assert_line --index 1 '    merge side'
	assert_line --index 2 '      stage: customer → at-risk'
	run crmf history C2024006 --field followups
	assert_output --partial '+ follow-up'
	refute_output --partial 'merge side'
	rm .git/crmf/changes
	d 1-07
	crmf archive C2024004 >/dev/null
	d 1-08
	rm customers/*/C2024009.yaml
	git commit -qam "removed by hand"
	# no index: the first history builds it
	[ ! -e .git/crmf/changes ]
	run crmf history C2024002
	assert_success
	assert_line --partial 'moved customers/2024/C2024002.yaml → customers/east/C2024002.yml'
	refute_output --partial 'merge side'
	[ -s .git/crmf/changes ]
	run crmf history C2024009
	assert_line '      - removed from the repository'
	# every customer's commits are those git says
	trails_by_git >../by-git
	[ "$(grep -c ' ' ../by-git)" -ge 25 ]
	trails_by_crmf >../by-crmf
	diff ../by-git ../by-crmf
	all_trails ../built
	cp .git/crmf/changes ../index.before
	# a commit made with git after the index: history extends it as a report would
	d 1-09
	sed -i 's/^stage: customer/stage: at-risk/' customers/2024/C2024008.yaml
	git commit -qam "by hand again"
	run crmf history C2024008 --field stage
	assert_success
	assert_line --index 1 '    by hand again'
	assert_line --index 2 '      stage: customer → at-risk'
	assert_line --index 4 '    side: by hand'
	assert_line --index 5 '      stage: negotiation → customer'
	! cmp -s .git/crmf/changes ../index.before
	cp .git/crmf/changes ../index.history
	rm .git/crmf/changes
	crmf report --today 2025-01-31 >/dev/null
	cmp .git/crmf/changes ../index.history
	trails_by_git >../by-git2
	trails_by_crmf >../by-crmf2
	diff ../by-git2 ../by-crmf2
	# the trails of an extended index and of a rebuilt one are the same
	all_trails ../extended
	cp ../index.before .git/crmf/changes
	rm -rf ../extended2 && all_trails ../extended2
	diff -r ../extended ../extended2
	# a damaged index is rebuilt: the same trail
	printf X | dd of=.git/crmf/changes bs=1 seek=100 conv=notrunc 2>/dev/null
	all_trails ../rebuilt
	diff -r ../extended ../rebuilt
	cmp .git/crmf/changes ../index.history
}
