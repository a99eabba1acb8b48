#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The merge never drops a follow-up nobody deleted: one clone reorders the
# follow-ups, the other logs one; crmf sync and git pull (after crmf setup)
# must both keep every entry, in the clone, the remote and the other clone.

load helper

printf 'leak:libpcre2-8.so\n' >"${BATS_TMPDIR:-/tmp}/crmf-libgit2-lsan.supp"
export LSAN_OPTIONS="suppressions=${BATS_TMPDIR:-/tmp}/crmf-libgit2-lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

F=customers/C2024001.yaml

# A customer with 8 follow-ups in a bare remote, cloned as a and b.
make_team() {
	mkdir -p seed/customers
	printf 'version: 1\n' >seed/crmf.yaml
	{
		printf 'id: C2024001\nname: 杭州云启科技有限公司\nindustry: IT服务/云计算\n'
		printf 'size: 50-200\nsource: 展会\ncreated: 2024-01-15\nowner: zhang.wei\n'
		printf 'stage: intent\ncontacts:\n  - name: 张伟\n    phone: "+86 138 0013 8000"\n'
		printf 'need:\n  type: 采购产品A\n  description: 降低生产成本\nfollowups:\n'
		for i in 1 2 3 4 5 6 7 8; do
			printf '  - date: 2024-02-%02d\n    by: zhang.wei\n    method: phone\n' "$i"
			printf '    summary: 第%d次电话\n' "$i"
		done
	} >seed/$F
	git -C seed init -q
	git -C seed add -A
	git -C seed commit -qm seed
	git clone -q --bare seed remote.git
	git clone -q remote.git a
	git clone -q remote.git b
}

# Move the last follow-up (its 4 lines, at the end of the file) to the top of the list.
last_to_top() {
	python3 - "$1" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, encoding="utf-8").read().split("\n")
top = lines.index("followups:") + 1
last = lines[-5:-1]
open(p, "w", encoding="utf-8").write("\n".join(lines[:top] + last + lines[top:-5] + [""]))
PY
}

followups() { # the follow-ups' summaries of the file on stdin, one a line, sorted
	grep '^    summary: ' | sort
}

expected() {
	for i in 1 2 3 4 5 6 7 8; do printf '    summary: 第%d次电话\n' "$i"; done
	printf '    summary: 上门拜访\n'
}

reorder_in_a() {
	last_to_top a/$F
	head -20 a/$F | grep -q '2024-02-08' # the last one is on top now
	git -C a commit -qam "a: the latest follow-up first"
	git -C a push -q
}

@test "t0600 merge: a reorder on one side and crmf log + crmf sync on the other keep all 9 follow-ups" {
	make_team
	reorder_in_a
	cd b
	run crmf log C2024001 --method visit --summary 上门拜访 --by zhang.wei --date 2024-03-01
	assert_success
	run crmf sync
	assert_success
	cd ..
	diff <(expected | sort) <(followups <b/$F)
	diff <(expected | sort) <(git -C remote.git show main:$F | followups)
	run crmf -C b check
	assert_success
	git -C a pull -q
	diff <(expected | sort) <(followups <a/$F)
	# the sync reports the merge, not a changed follow-up
	git -C b log -1 --format=%s | grep -q 'merge'
}

@test "t0600 merge: git pull after crmf setup keeps all 9 follow-ups, both ways round" {
	make_team
	reorder_in_a
	cd b
	crmf setup >/dev/null
	crmf log C2024001 --method visit --summary 上门拜访 --by zhang.wei --date 2024-03-01 >/dev/null
	run git pull -q --no-rebase --no-edit
	assert_success
	diff <(expected | sort) <(followups <$F)
	git push -q
	cd ../a
	run git pull -q --no-rebase
	assert_success
	diff <(expected | sort) <(followups <$F)
	# now the other way: b reorders, a logs and pulls with crmf's driver
	crmf setup >/dev/null
	last_to_top ../b/$F
	git -C ../b commit -qam "b: reorder again"
	git -C ../b push -q
	crmf log C2024001 --method email --summary 发送报价 --by zhang.wei --date 2024-03-05 >/dev/null
	run git pull -q --no-rebase --no-edit
	assert_success
	diff <( (expected; printf '    summary: 发送报价\n') | sort) <(followups <$F)
	run crmf check
	assert_success
}
