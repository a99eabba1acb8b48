#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The validation cache: a second run answers as the first without parsing
# again, and any change to a file, to crmf.yaml or to the cache itself is
# noticed; --no-cache neither reads nor writes it.

load helper

# The output of a command with and without the cache must be the same.
same_as_uncached() {
	local cached uncached
	cached=$("$CRMF" "$@" 2>&1; echo "exit $?")
	uncached=$("$CRMF" "$1" --no-cache "${@:2}" 2>&1; echo "exit $?")
	if [ "$cached" != "$uncached" ]; then
		printf 'with the cache:\n%s\nwithout:\n%s\n' "$cached" "$uncached"
		return 1
	fi
}

@test "t0250 cache: check writes the cache under .git, --no-cache does not" {
	make_example_repo
	cd repo
	run crmf check --no-cache
	assert_success
	[ ! -e .git/crmf ]
	run crmf check
	assert_success
	[ -s .git/crmf/cache ]
	# nothing else is left behind, and the work tree is untouched
	[ "$(ls .git/crmf)" = cache ]
	[ -z "$(git status --porcelain)" ]
}

@test "t0250 cache: a second run gives the same output, for check, due and list" {
	make_example_repo
	cd repo
	crmf check >/dev/null
	same_as_uncached check
	same_as_uncached check --format json
	same_as_uncached check customers/2024
	same_as_uncached due --today 2025-06-16
	same_as_uncached due --today 2025-06-16 --format json
	same_as_uncached list --today 2025-06-16 --where 'stage in (intent, negotiation) and last_contact < today - 30d'
	same_as_uncached list --today 2025-06-16 --where 'contacts.email ~ example.cn' --format csv
	same_as_uncached list --today 2025-06-16 --count-by region
	same_as_uncached list --today 2025-06-16 --all --format json
}

@test "t0250 cache: due answers the same from the cache and without, with broken files, archived ones and filters" {
	make_example_repo
	cd repo
	# without the cache, due decides on each parsed customer before it is
	# summarised; from the cache, on the summary: the same customers either way
	cp "$CRMF_SRC"/examples/broken/*.yaml customers/2025/
	mkdir -p archive/2023 && cp customers/2024/*.yaml archive/2023/
	crmf check >/dev/null || true
	for args in "" "--within 30d" "--within 0" "--overdue" "--owner chen.hao" "--owner li.na --within 2w" "--format csv" "--format json"; do
		# shellcheck disable=SC2086
		same_as_uncached due --today 2025-06-16 $args
	done
	run crmf due --today 2025-06-16 --within 30d
	assert_failure 1
	assert_line --partial 'left out, their due date depends on fields with errors:'
	assert_line --partial 'customers/2025/bad-date.yaml'
	refute_output --partial 'archive/2023'
}

@test "t0250 cache: an unchanged repository leaves the cache file as it is" {
	make_example_repo
	cd repo
	crmf check >/dev/null
	# files changed in the second the cache was written are hashed again
	# and the cache rewritten once ("racy" entries, as in git's index)
	sleep 1
	crmf check >/dev/null
	before=$(stat -c '%i %Y %s' .git/crmf/cache)
	sleep 1
	crmf check >/dev/null
	crmf due --today 2025-06-16 >/dev/null
	crmf list --today 2025-06-16 >/dev/null
	[ "$(stat -c '%i %Y %s' .git/crmf/cache)" = "$before" ]
}

@test "t0250 cache: an edit of the same size and mtime is still noticed" {
	make_example_repo
	cd repo
	f=customers/2024/C2024010.yaml
	crmf check >/dev/null
	stamp=$(stat -c '%y' "$f")
	sed -i 's/^stage: intent$/stage: intnet/' "$f"
	touch -d "$stamp" "$f"
	run crmf check
	assert_failure 1
	assert_line --partial "$f:"
	assert_line --partial "invalid stage 'intnet'; did you mean 'intent'?"
	same_as_uncached check
}

@test "t0250 cache: files added, removed and renamed are seen" {
	make_example_repo
	cd repo
	crmf check >/dev/null
	cp customers/2024/C2024002.yaml customers/2024/C2024099.yaml
	run crmf check
	assert_failure 1
	assert_line --partial "duplicate id 'C2024002'"
	same_as_uncached check
	rm customers/2024/C2024099.yaml
	run crmf check
	assert_success
	mv customers/2025/C2025001.yaml customers/C2025001.yaml
	same_as_uncached check
	same_as_uncached due --today 2025-06-16
}

@test "t0250 cache: a change to crmf.yaml checks every file again" {
	make_example_repo
	cd repo
	crmf check >/dev/null
	sed -i 's/^  - id: li.na$/  - id: li.nb/' crmf.yaml
	run crmf check
	assert_failure 1
	assert_line --partial "unknown team member 'li.na'"
	same_as_uncached check
}

@test "t0250 cache: a damaged or truncated cache is not trusted and is rewritten" {
	make_example_repo
	cd repo
	sed -i 's/^stage: intent$/stage: intnet/' customers/2024/C2024010.yaml
	run crmf check --no-cache
	assert_failure 1
	expected=$output
	crmf check >/dev/null || true
	size=$(stat -c %s .git/crmf/cache)
	for at in 40 200 $((size / 2)) $((size - 20)); do
		crmf check >/dev/null || true
		printf '\377\376\375' | dd of=.git/crmf/cache bs=1 seek="$at" conv=notrunc status=none
		run crmf check
		assert_equal "$output" "$expected"
	done
	truncate -s $((size / 3)) .git/crmf/cache
	run crmf check
	assert_equal "$output" "$expected"
	echo garbage >.git/crmf/cache
	run crmf check
	assert_equal "$output" "$expected"
	# rewritten whole: the next run is answered from it
	[ "$(stat -c %s .git/crmf/cache)" -gt 1000 ]
	same_as_uncached check
}

@test "t0250 cache: warnings about future dates follow --today" {
	make_example_repo
	cd repo
	crmf check --today 2025-06-16 >/dev/null
	run crmf check --today 2024-06-01
	assert_success
	assert_line --partial "[followup-future]"
	same_as_uncached check --today 2024-06-01
	run crmf check --today 2025-06-16
	refute_line --partial "[followup-future]"
}

@test "t0250 cache: a crmf repository in a subfolder has its own cache" {
	mkdir -p top/team
	cp -r "$CRMF_SRC/examples/crmf.yaml" "$CRMF_SRC/examples/customers" top/team/
	git -C top init -q
	cd top/team
	crmf check >/dev/null
	ls ../.git/crmf/cache-* >/dev/null
	[ ! -e ../.git/crmf/cache ]
	same_as_uncached check
}

@test "t0250 cache: a file too large is reported from the cache as well" {
	make_example_repo
	cd repo
	{
		cat customers/2024/C2024002.yaml
		head -c 1100000 /dev/zero | tr '\0' '#'
	} >customers/2024/C2024098.yaml
	run crmf check
	assert_failure 1
	assert_line --partial "[file-too-large]"
	same_as_uncached check
}

@test "t0250 io_uring and ordinary reads give the same answers, cold and warm, on a repository of 150 files" {
	make_example_repo
	cd repo
	# more than two batches of files, so that the batch reader is used: copies
	# in other folders (duplicate ids), broken files, one larger than a slot
	for k in 1 2 3 4; do mkdir "customers/copy$k" && cp -r customers/2024 customers/2025 "customers/copy$k/"; done
	cp "$CRMF_SRC"/examples/broken/*.yaml customers/copy1/
	{
		cat customers/2025/C2025001.yaml
		for i in $(seq 400); do echo "# 一段很长的备注，用来让这个文件大于一个读取槽 $i"; done
	} >customers/copy2/2025/C2025001.yaml
	ln -s ../../2025/C2025002.yaml customers/copy3/2025/linked.yaml
	[ "$(find customers archive -name '*.yaml' | wc -l)" -gt 130 ]
	for cmd in check "due --today 2025-06-16" "list --today 2025-06-16 --where stage=intent"; do
		# shellcheck disable=SC2086
		ring=$("$CRMF" $cmd --no-cache 2>&1; echo "exit $?")
		# shellcheck disable=SC2086
		plain=$(CRMF_IO_URING=0 "$CRMF" $cmd --no-cache 2>&1; echo "exit $?")
		[ "$ring" = "$plain" ] || { printf 'io_uring:\n%s\nplain:\n%s\n' "$ring" "$plain"; false; }
	done
	# the cache written through either way reads back the same
	run crmf check
	assert_failure
	ring_cold=$output
	rm -r .git/crmf
	CRMF_IO_URING=0 run crmf check
	[ "$output" = "$ring_cold" ]
	run crmf check
	[ "$output" = "$ring_cold" ]
	assert_line --partial "duplicate id 'C2025001'"
	assert_line --partial 'customers/copy1/'
}
