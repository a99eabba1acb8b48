#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf check --staged reads the index, not the working tree; crmf hooks
# install writes a pre-commit hook (honouring core.hooksPath) that makes git
# refuse a commit of a broken customer file; a foreign hook needs --force.

load helper
bats_require_minimum_version 1.5.0

@test "check --staged: a broken working tree file that is not staged passes; staged, it fails" {
	make_example_repo
	cd repo
	f=customers/2024/C2024004.yaml
	sed -i 's/^stage: customer$/stage: won/' "$f"
	run crmf check --staged
	assert_success
	assert_line --partial 'files checked: 0 errors'
	run crmf check "$f"
	assert_failure 1
	git add "$f"
	sed -i 's/^stage: won$/stage: customer/' "$f" # the working tree is fine again
	run crmf check --staged
	assert_failure 1
	assert_line "$f:11:8: error: invalid stage 'won'; use one of lead, intent, negotiation, customer, at-risk, lost [invalid-enum]"
	run crmf check --staged --format json
	assert_failure 1
	printf '%s' "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["errors"] == 1, d'
	run crmf check --staged "$f"
	assert_failure 2
}

@test "check --staged: crmf.yaml as staged types the files; cross-file checks over the index" {
	make_example_repo
	cd repo
	sed -i 's/^  region: {type: enum, values: \[华东, 华北, 华南, 西部\], required: true}/  region: {type: enum, values: [东, 西], required: true}/' crmf.yaml
	run crmf check --staged
	assert_success
	git add crmf.yaml
	run crmf check --staged
	assert_failure 1
	assert_output --partial "invalid region"
	git reset -q crmf.yaml
	git checkout -q crmf.yaml
	cp customers/2024/C2024004.yaml customers/C2024004.yaml
	git add customers/C2024004.yaml
	run crmf check --staged
	assert_failure 1
	assert_output --partial 'C2024004'
}

@test "hooks install: git commit of a broken file is refused by the hook, a good one passes" {
	make_example_repo
	cd repo
	run crmf hooks install
	assert_success
	assert_output --partial "installed $TMP/repo/.git/hooks/pre-commit"
	[ -x .git/hooks/pre-commit ]
	sed -i 's/^stage: customer$/stage: won/' customers/2024/C2024004.yaml
	git add customers/2024/C2024004.yaml
	run git commit -qm 'broken'
	assert_failure
	assert_output --partial "invalid stage 'won'"
	assert_output --partial 'crmf: commit refused'
	[ "$(git rev-list --count HEAD)" -eq 1 ]
	sed -i 's/^stage: won$/stage: at-risk/' customers/2024/C2024004.yaml
	git add customers/2024/C2024004.yaml
	run git commit -qm 'at risk'
	assert_success
	[ "$(git rev-list --count HEAD)" -eq 2 ]
	# installing again updates crmf's own hook
	run crmf hooks install
	assert_success
	assert_output --partial 'updated'
}

@test "hooks install: 'git commit -a' of a broken file is refused too (git's temporary index)" {
	make_example_repo
	cd repo
	crmf hooks install
	sed -i 's/^stage: customer$/stage: won/' customers/2024/C2024004.yaml
	# git hands the hook the index it is about to commit in $GIT_INDEX_FILE
	run git commit -qam 'broken'
	assert_failure
	assert_output --partial "invalid stage 'won'"
	[ "$(git rev-list --count HEAD)" -eq 1 ]
}

@test "hooks install: a foreign hook is kept unless --force; core.hooksPath is honoured; uninstall" {
	make_example_repo
	cd repo
	printf '#!/bin/sh\nexit 0\n' >.git/hooks/pre-commit
	run crmf hooks install
	assert_failure 1
	assert_output --partial 'was not written by crmf'
	run cat .git/hooks/pre-commit
	assert_output $'#!/bin/sh\nexit 0'
	run crmf hooks install --force
	assert_success
	assert_line --partial 'kept the earlier hook as'
	grep -q 'check --staged' .git/hooks/pre-commit
	grep -q 'exit 0' .git/hooks/pre-commit.before-crmf
	run crmf hooks uninstall
	assert_success
	[ ! -e .git/hooks/pre-commit ]
	git config core.hooksPath .githooks
	run crmf hooks install
	assert_success
	[ -x .githooks/pre-commit ]
	sed -i 's/^stage: customer$/stage: won/' customers/2024/C2024004.yaml
	git add customers/2024/C2024004.yaml
	run git commit -qm broken
	assert_failure
}

@test "hooks install: a crmf repository in a subfolder; the hook runs crmf there" {
	mkdir big
	cd big
	git init -q
	cp -r "$CRMF_SRC/examples" sub
	rm -rf sub/broken
	git add -A
	git commit -qm init
	cd sub
	run crmf hooks install
	assert_success
	grep -q -- "-C 'sub' check --staged" ../.git/hooks/pre-commit
	cd ..
	sed -i 's/^stage: customer$/stage: won/' sub/customers/2024/C2024004.yaml
	git add -A
	run git commit -qm broken
	assert_failure
	assert_output --partial "invalid stage 'won'"
}

@test ".pre-commit-hooks.yaml declares crmf-check" {
	run python3 - "$CRMF_SRC/.pre-commit-hooks.yaml" <<'EOF'
import re, sys
try:
    import yaml
except ImportError:
    sys.exit(0)
h = yaml.safe_load(open(sys.argv[1]))
assert h[0]['id'] == 'crmf-check' and h[0]['entry'] == 'crmf check' and h[0]['language'] == 'system'
r = re.compile(h[0]['files'])
assert r.search('customers/2024/C2024001.yaml') and r.search('archive/C1.yml') and r.search('crmf.yaml')
assert not r.search('templates/customer.yaml') and not r.search('README.md')
EOF
	assert_success
}

@test "hooks install: a relative core.hooksPath starts at the top of the work tree, also from a subfolder" {
	mkdir big
	cd big
	git init -q
	cp -r "$CRMF_SRC/examples" sub
	rm -rf sub/broken
	git add -A
	git commit -qm init
	git config core.hooksPath hooks/../.githooks
	cd sub
	run crmf hooks install
	assert_success
	assert_output --partial "installed $TMP/big/.githooks/pre-commit"
	[ -x ../.githooks/pre-commit ]
	[ ! -e .githooks ]
	git config core.hooksPath ''
	run crmf hooks install
	assert_failure
	assert_output 'crmf: core.hooksPath is set but empty: name a folder or unset it (git config --unset core.hooksPath)'
}

# Issue 13 item 16: a commit with one error got every warning of the
# repository printed before it; the hook now prints what the commit changes
# first and counts the rest.
@test "hooks install: a refused commit shows the staged file's problems, the other files' warnings as a count" {
	make_example_repo
	cd repo
	for id in C2024006 C2024009 C2024011; do
		crmf log "$id" --method phone --summary 已沟通 --by li.na --date 2025-06-16 --today 2025-06-16 >/dev/null
	done
	run crmf check --today 2025-06-16
	assert_line '31 files checked: 0 errors, 5 warnings'
	crmf hooks install >/dev/null
	sed -i 's/^stage: customer$/stage: won/' customers/2024/C2024004.yaml
	git add customers/2024/C2024004.yaml
	run git commit -qm 'broken'
	assert_failure
	assert_line --index 0 "customers/2024/C2024004.yaml:11:8: error: invalid stage 'won'; use one of lead, intent, negotiation, customer, at-risk, lost [invalid-enum]"
	assert_line --index 1 "and 5 warnings in 5 other files; run 'crmf check'"
	assert_line --index 2 '31 files checked: 1 error, 5 warnings'
	assert_line --index 3 --partial 'crmf: commit refused'
	refute_output --partial 'vague-summary'
	refute_output --partial 'probable-duplicate'
	[ "$(git rev-list --count HEAD)" -eq 4 ]
	# a warning of a staged file is shown in full, the others counted; the commit passes
	sed -i 's/^stage: won$/stage: at-risk/' customers/2024/C2024004.yaml
	git add customers/2024/C2024004.yaml
	crmf log C2024012 --method phone --summary 已沟通 --by li.na --date 2025-06-16 --today 2025-06-16 >/dev/null
	git commit -qm 'at risk'
	run git commit -q --allow-empty -m 'nothing to say'
	assert_success
	assert_output ''
	sed -i 's/^  - date: 2025-06-16$/  - date: 2025-06-16 09:00/' customers/2024/C2024012.yaml
	git add customers/2024/C2024012.yaml
	run git commit -qm 'time of the call'
	assert_success
	assert_line --index 0 --regexp '^customers/2024/C2024012.yaml:[0-9]+:[0-9]+: warning: summary .*\[vague-summary\]$'
	assert_line --index 1 "and 5 warnings in 5 other files; run 'crmf check'"
	# an error in a file the commit does not change refuses it too, and is shown
	sed -i 's/^stage: customer$/stage: won/' customers/2024/C2024002.yaml
	git commit -qam 'broken, not verified' --no-verify
	sed -i 's/^  - date: 2025-06-16 09:00$/  - date: 2025-06-16 09:30/' customers/2024/C2024012.yaml
	git add customers/2024/C2024012.yaml
	run git commit -qm 'another time'
	assert_failure
	assert_line --index 0 --regexp '^customers/2024/C2024012.yaml:.*\[vague-summary\]$'
	assert_line --index 1 --regexp "^customers/2024/C2024002.yaml:[0-9]+:[0-9]+: error: invalid stage 'won'"
	assert_line --index 2 "and 5 warnings in 5 other files; run 'crmf check'"
	# crmf check --staged itself prints as before; --focus goes with --staged only
	run crmf check --staged
	assert_failure 1
	assert_output --partial probable-duplicate
	run crmf check --focus
	assert_failure 2
}
