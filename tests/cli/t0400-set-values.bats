#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf set: values changed in place (only the intended lines differ, on files
# with comments, 4-space indentation, flow lists, CRLF and a BOM), a commit
# holding just that file whose message names each change, refusals that leave
# the file byte-identical, and a staged unrelated file left staged.

load helper
bats_require_minimum_version 1.5.0

setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
}

# The lines that differ between two files: "-old" and "+new", CRs removed.
changed() {
	diff --unchanged-line-format= --old-line-format='-%L' --new-line-format='+%L' "$1" "$2" |
		tr -d '\r'
}

# The last commit: subject and body, then the files it touched.
last_commit() {
	git -C "$TMP/repo" log -1 --format='%s%n%b'
}

touched() {
	git -C "$TMP/repo" show --name-status --format= HEAD
}

fsck_ok() {
	run git -C "$TMP/repo" fsck --strict
	assert_success
}

@test "set: one value in a commented 4-space file; the commit holds that file and names the change" {
	make_example_repo
	cd repo
	f=customers/2024/C2024004.yaml
	cp "$f" "$TMP/before"
	run crmf set C2024004 potential=high
	assert_success
	assert_line 'C2024004: potential: low → high'
	id=$(git rev-parse --short=7 HEAD)
	assert_line "committed $id \"crmf: set C2024004: potential: low → high\""
	run changed "$TMP/before" "$f"
	assert_output - <<'EOF'
-potential: low                  # 门店扩张放缓，加购空间小 / slow expansion
+potential: high                  # 门店扩张放缓，加购空间小 / slow expansion
EOF
	run last_commit
	assert_output - <<'EOF'
crmf: set C2024004: potential: low → high
Crmf-Action: set
Crmf-Customer: C2024004
EOF
	run touched
	assert_output "M	$f"
	run git status --porcelain
	assert_output ''
	fsck_ok
}

@test "set: several paths at once (nested key, list item); body lists each old → new" {
	make_example_repo
	cd repo
	f=customers/2024/C2024004.yaml
	cp "$f" "$TMP/before"
	run crmf set C2024004 stage=at-risk 'contacts[1].phone=021-6233 8899' need.budget=每年15万以内
	assert_success
	run changed "$TMP/before" "$f"
	assert_output - <<'EOF'
-stage: customer
+stage: at-risk
+        phone: 021-6233 8899
-    budget: 每年20万以内
+    budget: 每年15万以内
EOF
	# the new key sits after the contact's last key, at its indentation
	run grep -n -A1 'email: geqiang' "$f"
	assert_line --index 1 --partial 'phone: 021-6233 8899'
	run last_commit
	assert_output - <<'EOF'
crmf: set C2024004: stage, contacts, need
stage: customer → at-risk
+ contacts[1].phone: 021-6233 8899
need.budget: 每年20万以内 → 每年15万以内

Crmf-Action: set
Crmf-Customer: C2024004
EOF
	crmf check customers/2024/C2024004.yaml
	fsck_ok
}

@test "set: a CRLF file keeps CRLF on every line, only the value changes" {
	make_example_repo
	cd repo
	f=customers/2025/C2025001.yaml
	cp "$f" "$TMP/before"
	nlines=$(wc -l <"$f")
	run crmf set C2025001 stage=negotiation 'contacts[1].phone=15068123391'
	assert_success
	run changed "$TMP/before" "$f"
	assert_output - <<'EOF'
-stage: intent
+stage: negotiation
-    phone: 15068123390
+    phone: "15068123391"
EOF
	[ "$(grep -c $'\r$' "$f")" -eq "$nlines" ]
	[ "$(wc -l <"$f")" -eq "$nlines" ]
	fsck_ok
}

@test "set: a file with a BOM keeps it; an absent optional key is added" {
	make_example_repo
	cd repo
	f=customers/2025/C2025002.yaml
	cp "$f" "$TMP/before"
	run crmf set C2025002 'contacts[1].email=haoming@qilu-cold.example.cn'
	assert_success
	[ "$(head -c 3 "$f" | od -An -tx1 | tr -d ' ')" = efbbbf ]
	run changed "$TMP/before" "$f"
	assert_output '+    email: haoming@qilu-cold.example.cn'
	run grep -n -B1 'email: haoming' "$f"
	assert_line --index 0 --partial 'phone: 0531-8690 2213'
	run last_commit
	assert_line --index 0 'crmf: set C2025002: + contacts[1].email: haoming@qilu-cold.example.cn'
}

@test "set: a flow list item and values YAML 1.1 would misread are quoted" {
	make_example_repo
	cd repo
	f=customers/2024/C2024004.yaml
	cp "$f" "$TMP/before"
	run crmf set C2024004 'tags[0]=no' 'contacts[0].phone=13800138000' 'need.timeline=2024-07-01'
	assert_success
	run changed "$TMP/before" "$f"
	assert_output - <<'EOF'
-tags: [价格敏感, 连锁餐饮]
+tags: ["no", 连锁餐饮]
-        phone: 18621035566
+        phone: "13800138000"
-    timeline: 2024年7月
+    timeline: "2024-07-01"
EOF
	python3 - "$f" <<'EOF' 2>/dev/null || skip "PyYAML not installed"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))
assert d['tags'][0] == 'no' and d['contacts'][0]['phone'] == '13800138000'
assert d['need']['timeline'] == '2024-07-01'
EOF
}

@test "set: --unset removes an optional field with its line" {
	make_example_repo
	cd repo
	f=customers/2024/C2024004.yaml
	cp "$f" "$TMP/before"
	run crmf set C2024004 --unset grade
	assert_success
	run changed "$TMP/before" "$f"
	assert_output '-grade: B'
	run last_commit
	assert_line --index 0 'crmf: set C2024004: - grade: B'
}

@test "set: an invalid value is refused, exit 1, file byte-identical, no commit" {
	make_example_repo
	cd repo
	f=customers/2024/C2024004.yaml
	cp "$f" "$TMP/before"
	head=$(git rev-parse HEAD)
	run crmf set C2024004 stage=won
	assert_failure 1
	assert_output --partial "customers/2024/C2024004.yaml:11:8: error: invalid stage 'won'"
	assert_output --partial 'nothing changed'
	cmp "$f" "$TMP/before"
	[ "$(git rev-parse HEAD)" = "$head" ]
	# a required field cannot be unset either
	run crmf set C2024004 --unset owner
	assert_failure 1
	assert_output --partial "missing required field 'owner'"
	cmp "$f" "$TMP/before"
	# nor a date that is no date in a typed field
	run crmf set C2024004 created=yesterday
	assert_failure 1
	cmp "$f" "$TMP/before"
}

@test "set: usage errors: KEY= without value, no pair, the id, a list, an unknown customer" {
	make_example_repo
	cd repo
	run crmf set C2024004 potential=
	assert_failure 2
	assert_output --partial "no value for 'potential'"
	assert_output --partial '--unset potential'
	run crmf set C2024004
	assert_failure 2
	run crmf set C2024004 id=C2024099
	assert_failure 1
	assert_output --partial 'the id cannot be changed'
	run crmf set C2024004 contacts=x
	assert_failure 1
	assert_output --partial "'contacts' is a list"
	run crmf set C2024044 stage=lead
	assert_failure 2
	assert_output --partial "no customer 'C2024044'; did you mean"
	run crmf set C2023008 stage=lead
	assert_success # archived customers can be corrected too
	run git status --porcelain
	assert_output ''
}

@test "set: the same value again changes nothing and makes no commit" {
	make_example_repo
	cd repo
	head=$(git rev-parse HEAD)
	run crmf set C2024004 potential=low
	assert_success
	assert_output --partial 'nothing to change'
	[ "$(git rev-parse HEAD)" = "$head" ]
}

@test "set: a staged unrelated file stays staged and out of the commit; the file is named by path" {
	make_example_repo
	cd repo
	echo 'notes' >notes.txt
	git add notes.txt
	sed -i 's/^potential: high/potential: medium/' customers/2024/C2024001.yaml
	git add customers/2024/C2024001.yaml # staged by hand, also not swept in
	run crmf set customers/2024/C2024004.yaml potential=medium
	assert_success
	run touched
	assert_output 'M	customers/2024/C2024004.yaml'
	run git status --porcelain
	assert_output - <<'EOF'
M  customers/2024/C2024001.yaml
A  notes.txt
EOF
	fsck_ok
}

@test "set: --author sets the commit's author; the repository may be a subfolder" {
	mkdir -p big
	cd big
	git init -q
	cp -r "$CRMF_SRC/examples" sub
	rm -rf sub/broken
	git add -A
	git commit -qm init
	cd sub/customers
	run crmf set C2024004 potential=high --author 'Li Na <li.na@qiming.example.cn>'
	assert_success
	run git log -1 --format='%an <%ae>|%s'
	assert_output 'Li Na <li.na@qiming.example.cn>|crmf: set C2024004: potential: low → high'
	run git show --name-only --format= HEAD
	assert_output 'sub/customers/2024/C2024004.yaml'
	run crmf set C2024004 potential=medium --author 'nobody'
	assert_failure 1
	assert_output --partial "invalid author"
}
