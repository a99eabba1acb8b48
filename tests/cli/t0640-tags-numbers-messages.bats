#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Hostile input (issue 11, defects 5, 7 and 12): YAML tags wherever they
# stand, numbers that are not finite or out of range, and the messages for
# bad command-line values, a second byte order mark and an over-long key.

load helper
bats_require_minimum_version 1.5.0

# Customer C2024011 of the example repository with `old` replaced by `new` (first
# occurrence; a literal \n in either is a line break).
F=customers/2024/C2024011.yaml
edit_customer() {
	python3 - "$TMP/repo/$F" "$1" "$2" <<'EOF'
import sys
path, old, new = sys.argv[1:4]
old, new = old.replace("\\n", "\n"), new.replace("\\n", "\n")
s = open(path, encoding="utf-8").read()
assert old in s, old
open(path, "w", encoding="utf-8").write(s.replace(old, new, 1))
EOF
}

# `crmf check` of the customer must fail with exactly one error, `rule` at `pos`.
one_error_at() {
	run "$CRMF" -C "$TMP/repo" check "$F"
	assert_failure 1
	assert_line --regexp "^$F:$1: error: .* \[$2\]\$"
	assert_line "1 file checked: 1 error, 0 warnings"
}

# ---- defect 5: tags ----

@test "t0640 tags: a tag is refused on the root, a key, a value, an item, a mapping and in flow collections" {
	make_example_repo
	cp "$TMP/repo/$F" "$TMP/orig"
	while IFS='|' read -r old new pos tag; do
		cp "$TMP/orig" "$TMP/repo/$F"
		edit_customer "$old" "$new"
		one_error_at "$pos" yaml-tag
		assert_output --partial "unsupported tag '$tag'; remove it"
	done <<'EOF'
id: C2024011|!!python/object:os.system\nid: C2024011|3:1|!!python/object:os.system
stage: customer|!!int stage: customer|10:1|!!int
stage: customer|stage: !foo customer|10:8|!foo
stage: customer|!foo stage: customer|10:1|!foo
tags: [价格敏感, 食品加工]|tags: [!foo 价格敏感, 食品加工]|14:8|!foo
tags: [价格敏感, 食品加工]|tags: !!python/tuple [价格敏感, 食品加工]|14:7|!!python/tuple
need:|need: !!python/object:x|25:7|!!python/object:x
  - name: 于洪涛|  - !!python/object/new:dict\n    name: 于洪涛|17:5|!!python/object/new:dict
  - amount: 320000|  - amount: !!float 320000|31:13|!!float
EOF
}

@test "t0640 tags: a %TAG directive is refused, and with it a redefined !!str" {
	make_example_repo
	edit_customer "# Haina" $'%TAG !! tag:example.com,2000:\n---\n# Haina'
	run "$CRMF" -C "$TMP/repo" check "$F"
	assert_failure 1
	assert_line --regexp "^$F:2:1: error: '%TAG' directives are not allowed .*\[yaml-tag\]\$"
	git -C "$TMP/repo" checkout -q -- "$F"
	edit_customer "# Haina" $'%TAG !! tag:example.com,2000:\n---\n# Haina'
	edit_customer "stage: customer" "stage: !!str customer"
	run "$CRMF" -C "$TMP/repo" check "$F"
	assert_failure 1
	assert_line --regexp "^$F:12:8: error: unsupported tag '!!str'.*\[yaml-tag\]\$"
}

@test "t0640 tags: the core schema's own tags are accepted and change nothing" {
	make_example_repo
	edit_customer "stage: customer" "! stage: !!str customer"
	edit_customer "need:" "need: !!map"
	edit_customer "tags: [价格敏感" "tags: !!seq [!!str 价格敏感"
	run "$CRMF" -C "$TMP/repo" check "$F"
	assert_success
	run "$CRMF" -C "$TMP/repo" list --where "stage = customer" --columns id --format csv
	assert_line --partial C2024011
}

@test "t0640 tags: a custom list field with a tagged item or list fails check, and set refuses to touch the file" {
	make_example_repo
	cd repo
	python3 - <<'EOF'
s = open("crmf.yaml", encoding="utf-8").read()
s = s.replace("fields:\n", "fields:\n  tools: {type: list}\n", 1)
open("crmf.yaml", "w", encoding="utf-8").write(s)
EOF
	git commit -qam "tools field"
	edit_customer "region: 华北" $'region: 华北\ntools:\n  - erp\n  - !!python/object/apply:os.system ["echo pwned"]'
	git commit -qam "tagged tool"
	run crmf check "$F"
	assert_failure 1
	assert_line --regexp "^$F:16:5: error: unsupported tag '!!python/object/apply:os.system'.*\[yaml-tag\]\$"
	before=$(sha256sum "$F")
	run crmf set C2024011 potential=high
	assert_failure
	[ "$(sha256sum "$F")" = "$before" ]
	git checkout -q HEAD~1 -- "$F"
	edit_customer "region: 华北" $'region: 华北\ntools: !!python/object/apply:os.system\n  - echo pwned'
	run crmf check "$F"
	assert_failure 1
	assert_line --regexp "^$F:14:8: error: unsupported tag .*\[yaml-tag\]\$"
}

@test "t0640 tags: crmf set writes a value that looks like a tag as text, never as a tag" {
	make_example_repo
	cd repo
	run crmf set C2024011 'need.budget=!!python/object/apply:os.system' 'name=!foo 青岛' \
		'contacts[0].title=! x' 'need.type=%TAG'
	assert_success
	grep -qF 'budget: "!!python/object/apply:os.system"' "$F"
	grep -qF 'name: "!foo 青岛"' "$F"
	grep -qF 'title: "! x"' "$F"
	grep -qF 'type: "%TAG"' "$F"
	run crmf check "$F"
	assert_success
	run crmf show --format json C2024011
	assert_output --partial '"name": "!foo 青岛"'
	run crmf log C2024011 --method phone --summary '!!python/object 回访' --by li.na --next '!x' --with '&a'
	assert_success
	grep -qF 'summary: "!!python/object 回访"' "$F"
	run crmf check "$F"
	assert_success
	if python3 -c 'import yaml' 2>/dev/null; then
		python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1], encoding="utf-8"))' "$F"
	fi
}

# ---- defect 7: numbers ----

@test "t0640 numbers: a 5,000-digit amount fails check at the value, and the customer is not high value" {
	make_example_repo
	big=$(printf '9%.0s' $(seq 5000))
	edit_customer "amount: 320000" "amount: $big"
	one_error_at 31:13 invalid-number
	assert_output --partial "is out of range; write an amount from 0 to 1000000000000"
	run "$CRMF" -C "$TMP/repo" show C2024011
	refute_output --partial inf
	run "$CRMF" -C "$TMP/repo" list --where 'value = high' --columns id --format csv
	refute_output --partial C2024011
}

@test "t0640 numbers: .inf, .nan, too many decimals and an amount over 10^12 fail check" {
	make_example_repo
	cp "$TMP/repo/$F" "$TMP/orig"
	for v in .inf -.inf .nan .NaN 1e400 1000000000000.5 0.001 '"1e13"'; do
		cp "$TMP/orig" "$TMP/repo/$F"
		edit_customer "amount: 320000" "amount: $v"
		one_error_at 31:13 invalid-number
	done
	cp "$TMP/orig" "$TMP/repo/$F"
	edit_customer "amount: 320000" "amount: 1000000000000"
	run "$CRMF" -C "$TMP/repo" check "$F"
	assert_success
}

@test "t0640 numbers: set refuses an amount out of range or not finite, the file unchanged" {
	make_example_repo
	cd repo
	big=$(printf '9%.0s' $(seq 5000))
	before=$(tree_hash .)
	head=$(git rev-parse HEAD)
	for v in "$big" .inf .nan 1e13 -1 0.005; do
		run crmf set C2024011 "deals[0].amount=$v"
		assert_failure 1
		assert_output --partial "[invalid-number]"
		assert_output --partial "nothing changed"
	done
	[ "$(tree_hash .)" = "$before" ]
	[ "$(git rev-parse HEAD)" = "$head" ]
	run crmf set C2024011 'deals[0].amount=999999999999.99'
	assert_success
}

# ---- defect 12: messages ----

@test "t0640 messages: invalid UTF-8 on the command line is named as such, before anything else" {
	make_example_repo
	cd repo
	before=$(tree_hash .)
	run crmf new $'\xff\xfe公司' industry=x
	assert_failure 2
	assert_output --partial "the name is not valid UTF-8 (byte 0xFF at character 1)"
	refute_output --partial "missing required field"
	run crmf new 某某公司 $'need.type=\xc3('
	assert_failure 2
	assert_output --partial "the value of 'need.type' is not valid UTF-8"
	run crmf log C2024011 --method phone --summary $'ok\xe4' --by li.na
	assert_failure 2
	assert_output --partial "--summary is not valid UTF-8"
	run crmf set C2024011 $'name=\x80'
	assert_failure 2
	assert_output --partial "the value of 'name' is not valid UTF-8"
	[ "$(tree_hash .)" = "$before" ]
}

@test "t0640 messages: a line break or control character in a command-line value is refused, no commit" {
	make_example_repo
	cd repo
	before=$(tree_hash .)
	head=$(git rev-parse HEAD)
	run crmf log C2024011 --method phone --summary $'a\n\nCrmf-Action: x' --by li.na
	assert_failure 2
	assert_output --partial "--summary holds control character U+000A (line feed) at character 2"
	for opt in --with --next --feedback; do
		run crmf log C2024011 --method phone --summary 回访 --by li.na "$opt" $'x\ny'
		assert_failure 2
		assert_output --partial "$opt holds control character U+000A"
	done
	run crmf log C2024011 --method phone --summary $'a\tb' --by li.na
	assert_failure 2
	assert_output --partial "U+0009 (tab)"
	run crmf log C2024011 --method phone --summary $'a\x1b[31mb' --by li.na
	assert_failure 2
	assert_output --partial "U+001B"
	run crmf set C2024011 name=$'a\nb'
	assert_failure 2
	assert_output --partial "the value of 'name' holds control character U+000A"
	run crmf set C2024011 need.description=$'a\r\nb'
	assert_failure 2
	assert_output --partial "U+000D (carriage return)"
	run crmf new $'新公司\n\nCrmf-Action: x'
	assert_failure 2
	assert_output --partial "the name holds control character U+000A"
	run crmf new 新公司 $'contacts[0].name=a\xc2\x85b'
	assert_failure 2
	assert_output --partial "U+0085"
	[ "$(tree_hash .)" = "$before" ]
	[ "$(git rev-parse HEAD)" = "$head" ]
	# and a good value still goes through, on one line
	run crmf log C2024011 --method phone --summary '回访：确认交付周期' --by li.na --next '发报价'
	assert_success
	[ "$(git log -1 --format=%s)" = "crmf: log C2024011: phone $(date +%F) 回访：确认交付周期" ]
	[ -z "$(git log -1 --format='%(trailers:key=Crmf-Action,valueonly)' | grep -v '^log$')" ]
}

@test "t0640 messages: a second byte order mark is reported at line 1, as such" {
	make_example_repo
	{ printf '\xef\xbb\xbf\xef\xbb\xbf'; cat "$TMP/repo/$F"; } >"$TMP/x" && mv "$TMP/x" "$TMP/repo/$F"
	one_error_at 1:1 control-char
	assert_output --partial "unexpected byte order mark U+FEFF"
}

@test "t0640 messages: a 200,000-character key is too long, not missing its ': '" {
	make_example_repo
	key=$(printf 'k%.0s' $(seq 200000))
	printf '%s: v\n' "$key" >>"$TMP/repo/$F"
	one_error_at 57:1 yaml-syntax
	assert_output --partial "key longer than 1024 characters"
	refute_output --partial "add ': '"
}
