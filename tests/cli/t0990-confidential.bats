#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Confidential fields (issue 18, doc/privacy.md) with the real git: members
# with and without a key, rotation when one leaves, tampered and moved values,
# two clones merging encrypted files through a bare remote.

load helper
bats_require_minimum_version 1.5.0

printf 'leak:libpcre2-8.so\n' >"${BATS_TMPDIR:-/tmp}/crmf-libgit2-lsan.supp"
export LSAN_OPTIONS="suppressions=${BATS_TMPDIR:-/tmp}/crmf-libgit2-lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

SHEET="$CRMF_SRC/examples/import/客户信息表.csv"
# the sheet's phones and emails, as written and as digits
PLAIN='13912345678|139 1234 5678|13812349876|13655512345|zhouming|qianfang|sunlei'

# Each member's key folder is their XDG_CONFIG_HOME; "none" holds no key.
as() {
	local who=$1
	shift
	XDG_CONFIG_HOME="$TMP/keys-$who" CRMF_KEY= "$CRMF" "$@"
}

# A repository with the example crmf.yaml, zhang.wei's key as its first
# recipient, and the example sheet imported by him (three customers).
make_secret_repo() {
	unset CRMF_KEY
	mkdir -p "$TMP/repo" "$TMP/keys-none"
	cp "$CRMF_SRC/examples/crmf.yaml" "$TMP/repo/"
	cd "$TMP/repo"
	git init -q
	git add -A
	git commit -qm "crmf.yaml"
	ZW=$(as zw keys init zhang.wei | sed -n 's/^public key: *//p')
	[ -n "$ZW" ]
	as zw keys add zhang.wei -- "$ZW" >/dev/null
	as zw import "$SHEET" --today 2025-06-16 >/dev/null
}

no_plain() {
	run ! grep -E "$PLAIN" "$@"
}

@test "t0990 keys init: a private key of mode 0600 outside the repository; add commits crmf.yaml and the sealed keys" {
	make_secret_repo
	key="$TMP/keys-zw/crmf/keys/zhang.wei.key"
	[ "$(stat -c %a "$key")" = 600 ]
	[ "$(stat -c %a "$(dirname "$key")")" = 700 ]
	run git show --stat --format=%s HEAD~1
	assert_line --index 0 "crmf: keys add zhang.wei (epoch 1)"
	assert_output --partial ".crmf/keys.yaml"
	assert_output --partial "crmf.yaml"
	grep -q "zhang.wei: $ZW" crmf.yaml
	run as zw keys list
	assert_line "your key:     zhang.wei, opens the current epoch"
	# a key others may read is refused
	chmod 644 "$key"
	run as zw --key "$key" show 苏州新材料
	assert_output --partial "chmod 600"
	chmod 600 "$key"
	# a key is never overwritten
	run as zw keys init zhang.wei
	assert_failure
	assert_output --partial "never overwritten"
}

@test "t0990 without the key no plain value anywhere: files, history, show, list, json, csv, export, import" {
	make_secret_repo
	# the import wrote them encrypted, and said nothing about plain values
	no_plain -r customers .crmf crmf.yaml
	run sh -c 'git log -p --all | grep -E "$1"' _ "$PLAIN"
	assert_failure
	grep -q 'phone: "ENC\[v1,e1,' customers/C2025001.yaml
	run as none check
	assert_success
	refute_output --partial plain-confidential
	run as none show 苏州新材料
	assert_success
	assert_output --partial "[encrypted]"
	no_plain <<<"$output"
	for fmt in table json csv; do
		run as none list --columns id,name,contacts.phone,contacts.email --format $fmt
		assert_success
		assert_output --partial "[encrypted]"
		no_plain <<<"$output"
	done
	run as none show 苏州新材料 --format json
	no_plain <<<"$output"
	for fmt in csv json xlsx vcf; do
		as none export --format $fmt -o "$TMP/out.$fmt"
	done
	no_plain "$TMP/out.csv" "$TMP/out.json" "$TMP/out.vcf"
	grep -q "\[encrypted\]" "$TMP/out.csv"
	python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print("".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()))' "$TMP/out.xlsx" >xlsx.txt
	no_plain xlsx.txt
	grep -q "\[encrypted\]" xlsx.txt
	# the key holder sees them, in the same places
	run as zw show 苏州新材料
	assert_output --partial 13912345678
	assert_output --partial zhouming@example.cn
	run as zw list --columns id,contacts.phone --format csv
	assert_output --partial 13912345678
	as zw export --format csv -o "$TMP/zw.csv"
	grep -q 13912345678 "$TMP/zw.csv"
	# ... unless the output is redacted
	run as zw --redact show 苏州新材料
	refute_output --partial 13912345678
	assert_output --partial "[encrypted]"
}

@test "t0990 with the key round trips are exact: set, show, edit of one value leaves the other tokens as they were" {
	make_secret_repo
	id=$(as zw list --columns id,name --format csv | sed -n 's/^\(C[0-9]*\),苏州新材料.*/\1/p')
	f=customers/$id.yaml
	run as zw set "$id" 'contacts[0].phone=+86 139 0000 1111'
	assert_success
	assert_output --partial "contacts[0].phone: [encrypted] → [encrypted]"
	run grep -c "0000 1111" "$f"
	assert_output 0
	run as zw show "$id"
	assert_output --partial "+86 139 0000 1111"
	# the same value again: nothing to change
	run as zw set "$id" 'contacts[0].phone=+86 139 0000 1111'
	assert_output --partial "nothing to change"
	# a member without a key cannot write a confidential value
	run as none set --author 'No Key <nk@example.com>' "$id" 'contacts[0].phone=13700000000'
	assert_failure
	assert_output --partial "cannot encrypt"
	cp "$f" before.yaml
	cat >"$TMP/ed.sh" <<'EOF'
#!/bin/sh
cp "$1" "$TMP/seen.yaml"
stat -c %a "$1" >"$TMP/seen.mode"
sed -i 's/zhouming@example.cn/zhou.ming@example.cn/' "$1"
EOF
	chmod +x "$TMP/ed.sh"
	mkdir -m 700 "$TMP/run"
	TMP=$TMP XDG_RUNTIME_DIR="$TMP/run" EDITOR="$TMP/ed.sh" as zw edit "$id"
	# the editor saw the plain file, in a private copy, which is gone
	grep -q "+86 139 0000 1111" "$TMP/seen.yaml"
	[ "$(cat "$TMP/seen.mode")" = 600 ]
	[ -z "$(ls -A "$TMP/run")" ]
	# one line changed: the email; every other token byte for byte
	run diff before.yaml "$f"
	[ "$(grep -c '^[<>]' <<<"$output")" = 2 ]
	assert_output --partial "<     email: ENC[v1,e1,"
	run as zw show "$id"
	assert_output --partial zhou.ming@example.cn
	run as none check
	assert_success
}

@test "t0990 keys remove rotates: the removed member cannot read what is written after; the others read everything" {
	make_secret_repo
	LI=$(as li keys init li.na | sed -n 's/^public key: *//p')
	run as zw keys add li.na -- "$LI"
	assert_success
	run as li show 苏州新材料
	assert_output --partial 13912345678
	cp -r "$TMP/keys-li" "$TMP/keys-li-copy"
	run as zw keys remove li.na
	assert_success
	assert_output --partial "remove li.na (epoch 2)"
	grep -q "^current: 2" .crmf/keys.yaml
	run grep -c "li.na" .crmf/keys.yaml
	assert_output 0
	id=$(as zw list --columns id,name --format csv | sed -n 's/^\(C[0-9]*\),苏州新材料.*/\1/p')
	as zw set "$id" 'contacts[0].phone=13511112222' >/dev/null
	grep -q 'phone: "ENC\[v1,e2,' "customers/$id.yaml"
	# li's key (a copy taken before): no sealed data key of epoch 2 is hers,
	# so the new value is out of reach
	run as li-copy show "$id"
	refute_output --partial 13511112222
	assert_output --partial "[encrypted]"
	run as li-copy keys list
	assert_line "your key:     none found"
	# zhang.wei reads both epochs
	run as zw show "$id"
	assert_output --partial 13511112222
	run as zw show 无锡精工
	assert_output --partial 13812349876
	# --reencrypt: everything under the newest epoch, in one commit
	LI2=$(as li2 keys init li.na | sed -n 's/^public key: *//p')
	as zw keys add li.na -- "$LI2" >/dev/null
	run as zw keys remove li.na --reencrypt
	assert_success
	assert_output --partial "encrypted again under epoch 3"
	run grep -rc "ENC\[v1,e[12]," customers
	refute_output --regexp ':[1-9]'
	run as zw show 无锡精工
	assert_output --partial 13812349876
	run as zw check
	assert_success
}

@test "t0990 a tampered value and a value moved to another file are errors at their line" {
	make_secret_repo
	a=customers/C2025001.yaml b=customers/C2025002.yaml
	line=$(grep -n 'phone: ' $b | head -1 | cut -d: -f1)
	# moved: C2025001's phone token into C2025002
	tok=$(grep -m1 'phone: ' $a | sed 's/^ *phone: //')
	sed -i "${line}s/phone: .*/phone: $tok/" $b
	run as zw check
	assert_failure
	assert_output --regexp "$b:$line:12: error: .*does not authenticate.*\\[bad-encrypted\\]"
	# without the key the form is all that can be checked: it is sound
	run as none check
	assert_success
	git checkout -q -- $b
	# tampered: one character of the ciphertext
	sed -i -E "${line}s/(ENC\\[v1,e1,[^,]*,)(.)/\\1\\2\\2/" $b
	run as zw check
	assert_failure
	assert_output --regexp "$b:$line:12: error: .*\\[bad-encrypted\\]"
	git checkout -q -- $b
	# malformed: an error for everyone
	sed -i -E "${line}s/phone: .*/phone: ENC[v1,e1,abc]/" $b
	run as none check
	assert_failure
	assert_output --partial "$b:$line:12: error: contacts.phone: malformed encrypted value"
}

@test "t0990 a duplicate phone in two files is found by its keyed hash without a key (check, dedupe)" {
	make_secret_repo
	# the same number written two ways, in two customers
	as zw set C2025001 'contacts[0].phone=+86 138 1234 9876' >/dev/null
	run as none check
	assert_success
	assert_output --regexp "shared-phone|also a contact of"
	assert_output --partial "phone '[encrypted]' is also a contact of customer"
	no_plain <<<"$output"
	run as none dedupe
	assert_output --partial "phone [encrypted]"
	no_plain <<<"$output"
}

@test "t0990 two clones merge encrypted files through a bare remote: every follow-up kept, check clean" {
	make_secret_repo
	cd "$TMP"
	git clone -q --bare repo remote.git
	git clone -q remote.git a
	git clone -q remote.git b
	cd a
	as zw log C2025001 --method visit --summary 上门演示方案A --date 2025-06-17 --by zhang.wei --today 2025-06-18 >/dev/null
	as zw set C2025001 'contacts[0].phone=13900001111' >/dev/null
	run as zw sync
	assert_success
	cd ../b
	as zw log C2025001 --method phone --summary 电话确认报价 --date 2025-06-18 --by zhang.wei --today 2025-06-18 >/dev/null
	as zw set C2025001 'contacts[0].email=zm@example.cn' >/dev/null
	run as zw sync
	assert_success
	run as zw show C2025001 --all
	assert_output --partial 上门演示方案A
	assert_output --partial 电话确认报价
	assert_output --partial 13900001111
	assert_output --partial zm@example.cn
	run as zw check
	assert_success
	assert_output --partial "0 errors, 0 warnings"
	cd ../a
	run as zw sync
	assert_success
	run as none check
	assert_success
	run grep -c "summary:" customers/C2025001.yaml
	[ "$output" -ge 3 ]
	run sh -c 'git log -p --all | grep -E "13900001111|zm@example"'
	assert_failure
}
