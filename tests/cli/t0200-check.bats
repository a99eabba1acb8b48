#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf check: the example repository checks clean; every broken example is
# reported at exactly the positions its "# expect:" lines give; nothing changes.

load helper

EX="$CRMF_SRC/examples"

# Check examples/broken/$1 (plus any further files) and compare the reported
# "line:col severity rule" of that file with its "# expect:" lines, exactly.
check_broken() {
	local f=$1 expected actual want_rc=0
	shift
	run "$CRMF" -C "$EX" check "broken/$f" "$@"
	expected=$(grep -a '^# expect: ' "$EX/broken/$f" | sed 's/^# expect: //' | sort)
	actual=$(printf '%s\n' "$output" |
		sed -n -E "s#^broken/$f:([0-9]+:[0-9]+): (error|warning): .* \[([a-z0-9-]+)\]\$#\1 \2 \3#p" | sort)
	grep -q ' error ' <<<"$expected" && want_rc=1
	if [ "$expected" != "$actual" ] || [ "$status" -ne "$want_rc" ]; then
		printf 'expected (exit %s):\n%s\ngot (exit %s):\n%s\n' "$want_rc" "$expected" "$status" "$output"
		return 1
	fi
}

@test "t0200 check: the example repository has no errors" {
	run "$CRMF" -C "$EX" check
	assert_success
	assert_output --regexp '[0-9]+ files checked: 0 errors, [0-9]+ warnings?$'
}

@test "t0200 check: a copied example repository checks the same from a subfolder" {
	make_example_repo
	cd "$TMP/repo/customers"
	run "$CRMF" check
	assert_success
	assert_line --partial "files checked: 0 errors"
}

@test "t0200 check: files are byte-identical after check" {
	make_example_repo
	cp "$EX"/broken/*.yaml "$TMP/repo/customers/"
	before=$(tree_hash "$TMP/repo")
	run "$CRMF" -C "$TMP/repo" check
	assert_failure 1
	after=$(tree_hash "$TMP/repo")
	[ "$before" = "$after" ]
	[ -z "$(git -C "$TMP/repo" status --porcelain -- crmf.yaml archive)" ]
}

@test "t0200 check: every problem in every file is reported in one run" {
	make_example_repo
	cp "$EX/broken/bad-date.yaml" "$EX/broken/bad-enum.yaml" "$EX/broken/unknown-field.yaml" "$TMP/repo/customers/"
	run "$CRMF" -C "$TMP/repo" check
	assert_failure 1
	assert_line --regexp '^customers/bad-date.yaml:[0-9]+:[0-9]+: error: .*\[invalid-date\]$'
	assert_line --regexp '^customers/bad-enum.yaml:[0-9]+:[0-9]+: error: .*\[invalid-enum\]$'
	assert_line --regexp '^customers/unknown-field.yaml:[0-9]+:[0-9]+: error: .*\[unknown-field\]$'
}

@test "t0200 check: --format json carries the same diagnostics" {
	run "$CRMF" -C "$EX" check --format json broken/bad-enum.yaml
	assert_failure 1
	printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["files_checked"] == 1, d
assert d["errors"] >= 1, d
x = [v for v in d["diagnostics"] if v["rule"] == "invalid-enum"][0]
assert x["path"] == "broken/bad-enum.yaml" and x["line"] > 0 and x["column"] > 0, x
assert x["severity"] == "error", x
'
}

@test "t0200 check: a file over 1 MiB is rejected before parsing" {
	make_example_repo
	{ echo "id: big"; head -c 1100000 /dev/zero | tr '\0' '#'; echo; } >"$TMP/repo/customers/big.yaml"
	run "$CRMF" -C "$TMP/repo" check customers/big.yaml
	assert_failure 1
	assert_output --partial "customers/big.yaml"
	assert_output --partial "[file-too-large]"
}

@test "t0200 check: a missing path is a usage error" {
	run "$CRMF" -C "$EX" check customers/nope.yaml
	assert_failure 2
	assert_output --partial "nope.yaml"
}

@test "t0200 check: outside a git repository it says so" {
	mkdir -p "$TMP/plain"
	run "$CRMF" -C "$TMP/plain" check
	assert_failure 2
	assert_output --partial "not in a git repository"
}

@test "t0200 check: an unknown option is a usage error" {
	run "$CRMF" -C "$EX" check --frobnicate
	assert_failure 2
	assert_output --partial "crmf check --help"
}

@test "t0200 check: --help prints the synopsis" {
	run "$CRMF" check --help
	assert_success
	assert_line --index 0 --partial "usage: crmf check"
}

@test "t0200 check: ids are unique across files" {
	check_broken duplicate-id-b.yaml broken/duplicate-id-a.yaml
}

@test "t0200 check: every file in examples/broken has a test here" {
	for f in "$EX"/broken/*.yaml; do
		grep -q "check_broken.*[ /]$(basename "$f")" "$BATS_TEST_FILENAME" || {
			echo "no test for $f"
			return 1
		}
	done
}

@test "t0200 check: an invalid crmf.yaml is reported with its positions" {
	mkdir -p "$TMP/r/customers"
	git -C "$TMP/r" init -q
	cp "$EX/broken/config/crmf.yaml" "$TMP/r/crmf.yaml"
	run "$CRMF" -C "$TMP/r" check
	expected=$(grep '^# expect: ' "$TMP/r/crmf.yaml" | sed 's/^# expect: //' | sort)
	actual=$(printf '%s\n' "$output" |
		sed -n -E 's#^crmf.yaml:([0-9]+:[0-9]+): (error|warning): .* \[([a-z0-9-]+)\]$#\1 \2 \3#p' | sort)
	[ "$expected" = "$actual" ] || { printf 'expected:\n%s\ngot:\n%s\n' "$expected" "$output"; return 1; }
	assert_failure 1
}

@test "t0200 check: a valid repository without crmf.yaml uses the defaults" {
	mkdir -p "$TMP/r/customers"
	git -C "$TMP/r" init -q
	cat >"$TMP/r/customers/C1.yaml" <<'YAML'
id: C1
name: 杭州云启科技有限公司
industry: IT服务/云计算
size: 50-200
source: 展会
created: 2024-01-15
owner: zhang.wei
stage: intent
contacts:
  - name: 张伟
    phone: 13800138000
need:
  type: 采购产品A
  description: 降低生产成本20%
YAML
	run "$CRMF" -C "$TMP/r" check --today 2025-01-01
	assert_success
	assert_output "1 file checked: 0 errors, 0 warnings"
}

@test "t0200 check: an alias is rejected (broken/alias.yaml)" {
	check_broken alias.yaml
}

@test "t0200 check: an anchor is rejected (broken/anchor.yaml)" {
	check_broken anchor.yaml
}

@test "t0200 check: an amount in words is not a number (broken/bad-amount.yaml)" {
	check_broken bad-amount.yaml
}

@test "t0200 check: an impossible date is an error (broken/bad-date.yaml)" {
	check_broken bad-date.yaml
}

@test "t0200 check: an invalid email is an error (broken/bad-email.yaml)" {
	check_broken bad-email.yaml
}

@test "t0200 check: an invalid stage suggests the nearest (broken/bad-enum.yaml)" {
	check_broken bad-enum.yaml
}

@test "t0200 check: an invalid phone is an error (broken/bad-phone.yaml)" {
	check_broken bad-phone.yaml
}

@test "t0200 check: leftover conflict markers are named as such (broken/conflict-marker.yaml)" {
	check_broken conflict-marker.yaml
}

@test "t0200 check: a contact needs a phone or an email (broken/contact-without-phone-or-email.yaml)" {
	check_broken contact-without-phone-or-email.yaml
}

@test "t0200 check: a control character is rejected (broken/control-char.yaml)" {
	check_broken control-char.yaml
}

@test "t0200 check: nesting deeper than 32 is rejected (broken/deep-nesting.yaml)" {
	check_broken deep-nesting.yaml
}

@test "t0200 check: a due date before the follow-up is an error (broken/due-before-date.yaml)" {
	check_broken due-before-date.yaml
}

@test "t0200 check: a duplicate key names the first (broken/duplicate-key.yaml)" {
	check_broken duplicate-key.yaml
}

@test "t0200 check: an empty file is rejected (broken/empty.yaml)" {
	check_broken empty.yaml
}

@test "t0200 check: a future follow-up is a warning (broken/future-followup.yaml)" {
	check_broken future-followup.yaml
}

@test "t0200 check: the id must equal the file name (broken/id-mismatch.yaml)" {
	check_broken id-mismatch.yaml
}

@test "t0200 check: invalid UTF-8 gets a line and column (broken/invalid-utf8.yaml)" {
	check_broken invalid-utf8.yaml
}

@test "t0200 check: a missing required field is named (broken/missing-required.yaml)" {
	check_broken missing-required.yaml
}

@test "t0200 check: a root that is not a mapping is rejected (broken/root-not-mapping.yaml)" {
	check_broken root-not-mapping.yaml
}

@test "t0200 check: size: no is an invalid size, not false (broken/size-no.yaml)" {
	check_broken size-no.yaml
}

@test "t0200 check: a syntax error gets its position (broken/syntax-error.yaml)" {
	check_broken syntax-error.yaml
}

@test "t0200 check: a YAML tag on a key is rejected (broken/yaml-tag.yaml)" {
	check_broken yaml-tag.yaml
}

@test "t0200 check: a tab in indentation is rejected (broken/tab-indent.yaml)" {
	check_broken tab-indent.yaml
}

@test "t0200 check: a second document is rejected (broken/two-documents.yaml)" {
	check_broken two-documents.yaml
}

@test "t0200 check: at most one primary contact (broken/two-primaries.yaml)" {
	check_broken two-primaries.yaml
}

@test "t0200 check: an unknown field suggests the nearest (broken/unknown-field.yaml)" {
	check_broken unknown-field.yaml
}

@test "t0200 check: a vague summary is a warning (broken/vague-summary.yaml)" {
	check_broken vague-summary.yaml
}

@test "check FOLDER outside customers/ checks the YAML files below it" {
	cd "$CRMF_SRC/examples"
	n=$(find broken -name '*.yaml' -o -name '*.yml' | grep -vc '/\.')
	run crmf check broken/
	assert_failure 1
	assert_output --partial 'broken/bad-enum.yaml:11:8: error: invalid stage'
	assert_output --partial 'broken/config/'
	assert_line --regexp "^$n files checked: [0-9]+ errors, [0-9]+ warnings$"
	# the same as naming each file
	run crmf check $(find broken -name '*.yaml' -o -name '*.yml' | sort)
	assert_line --regexp "^$n files checked: "
}
