#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf log: one follow-up appended after the last (keys in the format's order,
# the file's own indentation and line ends), `followups:` created when absent,
# --by from git's identity, validation before writing, the commit message, and
# ten concurrent logs on one customer giving ten entries and ten commits.

load helper
bats_require_minimum_version 1.5.0

changed() {
	diff --unchanged-line-format= --old-line-format='-%L' --new-line-format='+%L' "$1" "$2" |
		tr -d '\r'
}

@test "log: entry appended in a 4-space file, keys in order, one commit with the message" {
	make_example_repo
	cd repo
	f=customers/2024/C2024004.yaml
	cp "$f" "$TMP/before"
	run crmf log C2024004 --method phone --with 陆佳怡 --summary '续费折扣谈妥：续签按9折，60家门店一年' \
		--feedback 希望7月1日前收到合同 --next 发续费合同 --due 2025-06-20 --date 2025-06-16 --by li.na
	assert_success
	assert_line 'C2024004: + follow-up 2025-06-16 phone'
	assert_line "committed $(git rev-parse --short=7 HEAD) \"crmf: log C2024004: phone 2025-06-16 续费折扣谈妥：续签按9折，60家门店一年\""
	run changed "$TMP/before" "$f"
	assert_output - <<'EOF'
+    -   date: 2025-06-16
+        by: li.na
+        method: phone
+        with: 陆佳怡
+        summary: 续费折扣谈妥：续签按9折，60家门店一年
+        feedback: 希望7月1日前收到合同
+        next: 发续费合同
+        due: 2025-06-20
EOF
	# appended at the very end, after the last entry
	cmp <(head -n "$(wc -l <"$TMP/before")" "$f") "$TMP/before"
	run git log -1 --format='%s%n%b'
	assert_output - <<'EOF'
crmf: log C2024004: phone 2025-06-16 续费折扣谈妥：续签按9折，60家门店一年
Crmf-Action: log
Crmf-Customer: C2024004
EOF
	run git show --name-status --format= HEAD
	assert_output "M	$f"
	git fsck --strict
}

@test "log: CRLF file gets CRLF lines; a time in --date; the summary in the subject is cut at 50 characters" {
	make_example_repo
	cd repo
	f=customers/2025/C2025001.yaml
	cp "$f" "$TMP/before"
	summary='方宇航确认私有化部署方案通过银行安全评审，要求补充等保三级测评报告和五分钟告警的压测数据，下周三前提交'
	run crmf log C2025001 --method meeting --summary "$summary" --date '2025-06-16 14:30' --by li.na
	assert_success
	run changed "$TMP/before" "$f"
	assert_output - <<EOF
+  - date: 2025-06-16 14:30
+    by: li.na
+    method: meeting
+    summary: $summary
EOF
	[ "$(grep -c $'\r$' "$f")" -eq "$(wc -l <"$f")" ]
	cut=$(python3 -c 'import sys; print(sys.argv[1][:50] + "…")' "$summary")
	run git log -1 --format=%s
	assert_output "crmf: log C2025001: meeting 2025-06-16 14:30 $cut"
	run git log -1 --format=%b
	assert_line --index 0 "$summary"
}

@test "log: followups: created when absent; --by defaults to the member matching git's identity" {
	make_example_repo
	cd repo
	f=customers/2025/C2025007.yaml
	cp "$f" "$TMP/before"
	git config user.email wang.fang@qiming.example.cn
	run crmf log C2025007 --method visit --summary '上门看了产线，确认需要设备联网和能耗统计两块' --today 2025-06-16
	assert_success
	run changed "$TMP/before" "$f"
	assert_output - <<'EOF'
+followups:
+  - date: 2025-06-16
+    by: wang.fang
+    method: visit
+    summary: 上门看了产线，确认需要设备联网和能耗统计两块
EOF
	crmf check "$f"
}

@test "log: --by accepts a member's name or email and writes the id" {
	make_example_repo
	cd repo
	run crmf log C2024004 --method email --summary '发送续费报价单，附9折方案' --by 李娜 --date 2025-06-16
	assert_success
	run tail -4 customers/2024/C2024004.yaml
	assert_line --index 1 '        by: li.na'
}

@test "log: no member matches git's identity: error with the fix, nothing written" {
	make_example_repo
	cd repo
	before=$(tree_hash .)
	run crmf log C2024004 --method phone --summary '电话确认续费意向'
	assert_failure 1
	assert_output --partial 'who followed up? give --by NAME'
	assert_output --partial 'Test User <test@example.com>'
	[ "$(tree_hash .)" = "$before" ]
}

@test "log: due before date, unknown method, vague summary" {
	make_example_repo
	cd repo
	f=customers/2024/C2024004.yaml
	cp "$f" "$TMP/before"
	run crmf log C2024004 --method phone --summary '确认续费' --next 发合同 --due 2025-06-10 --date 2025-06-16 --by li.na
	assert_failure 1
	assert_output --regexp "customers/2024/C2024004.yaml:[0-9]+:[0-9]+: error: due date '2025-06-10' is before the follow-up date '2025-06-16'"
	cmp "$f" "$TMP/before"
	run crmf log C2024004 --method phon --summary '确认续费' --by li.na
	assert_failure 2
	assert_output --partial "unknown method 'phon'; did you mean 'phone'?"
	run crmf log C2024004 --method phone --summary '确认续费' --due 2025-06-20 --by li.na
	assert_failure 2
	assert_output --partial 'give --next too'
	run crmf log C2024004 --method phone --summary '确认续费' --date 16.6.2025 --by li.na
	assert_failure 2
	cmp "$f" "$TMP/before"
	# a vague summary is a warning: written, and the warning shown
	run crmf log C2024004 --method phone --summary '已沟通' --by li.na --date 2025-06-16 --today 2025-06-16
	assert_success
	assert_output --partial "warning: summary '已沟通' is too vague"
}

@test "log: ten at once on one customer give ten entries and ten commits" {
	make_example_repo
	cd repo
	f=customers/2024/C2024004.yaml
	n0=$(grep -c '^    -   date:' "$f")
	for i in 1 2 3 4 5 6 7 8 9 10; do
		crmf log C2024004 --method phone --summary "第${i}次电话：确认续费条款第${i}项" --by li.na --date 2025-06-16 \
			>"$TMP/out$i" 2>&1 &
	done
	wait
	cat "$TMP"/out*
	[ "$(grep -c '^    -   date:' "$f")" -eq $((n0 + 10)) ]
	for i in 1 2 3 4 5 6 7 8 9 10; do
		grep -q "summary: 第${i}次电话：确认续费条款第${i}项" "$f"
	done
	[ "$(git log --format=%s | grep -c '^crmf: log C2024004: phone 2025-06-16 ')" -eq 10 ]
	[ "$(git rev-list --count HEAD)" -eq 11 ]
	run git status --porcelain
	assert_output ''
	git fsck --strict
	crmf check "$f"
}

@test "log: finds a customer in a nested folder; an id in two folders is refused; a near miss is suggested" {
	make_example_repo
	cd repo
	mkdir -p customers/2024/q2/east
	git mv customers/2024/C2024004.yaml customers/2024/q2/east/C2024004.yaml
	git commit -qm 'regions'
	run crmf log C2024004 --method phone --summary '电话确认续费合同已寄出' --date 2025-06-16 --by li.na
	assert_success
	run git show --name-status --format= HEAD
	assert_output "M	customers/2024/q2/east/C2024004.yaml"
	# the same id twice, in another folder: which one is meant is not guessed
	cp customers/2024/q2/east/C2024004.yaml customers/2025/C2024004.yaml
	head=$(git rev-parse HEAD)
	run crmf log C2024004 --method phone --summary '电话确认续费合同已寄出' --date 2025-06-17 --by li.na
	assert_failure
	assert_output "crmf: 'C2024004' names two files, customers/2024/q2/east/C2024004.yaml and customers/2025/C2024004.yaml; name the file"
	[ "$(git rev-parse HEAD)" = "$head" ]
	rm customers/2025/C2024004.yaml
	run crmf log C2024O04 --method phone --summary '电话确认续费合同已寄出' --date 2025-06-17 --by li.na
	assert_failure
	assert_output "crmf: no customer 'C2024O04'; did you mean 'C2024004'?"
	# case does not matter when nothing else matches
	run crmf log c2024004 --method phone --summary '电话确认续费合同已寄出' --date 2025-06-17 --by li.na
	assert_success
	assert_line 'C2024004: + follow-up 2025-06-17 phone'
}

@test "log honours GIT_AUTHOR_DATE and GIT_COMMITTER_DATE as git does; a bad one is refused" {
	make_example_repo
	cd repo
	GIT_AUTHOR_DATE='2025-06-16T10:30:00+08:00' GIT_COMMITTER_DATE='@1750041000 +0800' \
		run crmf log C2024004 --method phone --summary '电话确认续费' --by li.na --date 2025-06-16
	assert_success
	run git log -1 --format='%ai|%ci'
	assert_output '2025-06-16 10:30:00 +0800|2025-06-16 10:30:00 +0800'
	GIT_AUTHOR_DATE='2025-06-16 09:00 +0000' run crmf set C2024004 grade=A
	assert_success
	run git log -1 --format='%ai'
	assert_output '2025-06-16 09:00:00 +0000'
	head=$(git rev-parse HEAD)
	cp customers/2024/C2024004.yaml "$TMP/before"
	GIT_AUTHOR_DATE='yesterday-ish' run crmf set C2024004 grade=B
	assert_failure
	assert_output --partial "invalid GIT_AUTHOR_DATE 'yesterday-ish'"
	[ "$(git rev-parse HEAD)" = "$head" ]
	cmp customers/2024/C2024004.yaml "$TMP/before"
}
