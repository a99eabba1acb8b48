# SPDX-License-Identifier: MIT
# Shared setup of the end-to-end tests: a fresh temporary directory per test,
# a git identity, and the crmf binary under test as $CRMF (see tests/run.sh).
bats_load_library bats-support 2>/dev/null || load /usr/lib/bats/bats-support/load.bash
bats_load_library bats-assert 2>/dev/null || load /usr/lib/bats/bats-assert/load.bash

: "${CRMF:=$BATS_TEST_DIRNAME/../../crmf}"
: "${CRMF_SRC:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
export NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1 LC_ALL=C.UTF-8 TZ=UTC

setup() {
	TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/crmf-test.XXXXXX")
	export HOME="$TMP/home"
	# a copy crmf keeps for the user (an edit refused) goes away with the test
	export TMPDIR="$TMP"
	mkdir -p "$HOME"
	git config --global user.name "Test User"
	git config --global user.email "test@example.com"
	git config --global init.defaultBranch main
	cd "$TMP" || return 1
}

teardown() {
	rm -rf "$TMP"
}

crmf() {
	"$CRMF" "$@"
}

# A crmf repository in $TMP/repo with the example crmf.yaml and customers copied in.
make_example_repo() {
	mkdir -p "$TMP/repo"
	cp -r "$CRMF_SRC/examples/crmf.yaml" "$CRMF_SRC/examples/customers" "$TMP/repo/"
	[ -d "$CRMF_SRC/examples/archive" ] && cp -r "$CRMF_SRC/examples/archive" "$TMP/repo/"
	git -C "$TMP/repo" init -q
	git -C "$TMP/repo" add -A
	git -C "$TMP/repo" commit -qm "example data"
}

# sha256 of every file under a directory, for "nothing changed" assertions.
tree_hash() {
	(cd "$1" && find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)
}
