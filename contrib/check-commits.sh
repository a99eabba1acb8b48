#!/bin/sh
# SPDX-License-Identifier: MIT
# Check every commit of a range with 'crmf check --rev', oldest first: what the
# CI jobs of contrib/github and contrib/gitlab run on a push or a merge request.
#
# usage: check-commits.sh [--root DIR] REVISIONS...
#   REVISIONS as git rev-list takes them: BASE..HEAD, or HEAD ^origin/main
#   --root DIR   the crmf root (the folder of crmf.yaml) inside the repository
#
# Each commit with errors is printed as "commit <id> <subject>:" and its
# path:line:column diagnostics; under GitHub Actions the errors are also
# annotations. Exit status: 0 every commit is clean, 1 a commit has errors,
# 2 usage error, a bad range, or crmf could not run.
set -u
crmf=${CRMF:-crmf}
root=
if [ "${1:-}" = "--root" ]; then
	[ $# -ge 2 ] || { echo "check-commits.sh: --root needs a folder" >&2; exit 2; }
	root=$2
	shift 2
fi
[ $# -ge 1 ] || { echo "usage: check-commits.sh [--root DIR] REVISIONS..." >&2; exit 2; }
commits=$(git rev-list --reverse "$@") || { echo "check-commits.sh: bad range: $*" >&2; exit 2; }
set -- ${root:+--root "$root"}
n=0
bad=0
for c in $commits; do
	n=$((n + 1))
	out=$("$crmf" check -q "$@" --rev "$c" 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] && continue
	echo "commit $(git log -1 --format='%h %s' "$c"):"
	printf '%s\n' "$out"
	[ "$rc" -eq 1 ] || { echo "check-commits.sh: crmf check failed on $c" >&2; exit 2; }
	bad=$((bad + 1))
	if [ "${GITHUB_ACTIONS:-}" = true ]; then
		# ::error file=…,line=…,col=…::message, with the path from the top of the repository
		printf '%s\n' "$out" | sed -n "s|^\([^:]*\):\([0-9]*\):\([0-9]*\): error: \(.*\)$|::error file=${root:+$root/}\1,line=\2,col=\3::\4|p"
	fi
done
if [ "$bad" -gt 0 ]; then
	echo "$bad of $n commits have errors; fix them (git rebase -i for a commit below the tip)"
	exit 1
fi
[ "$n" -eq 1 ] && echo "1 commit checked: no errors" || echo "$n commits checked: no errors"
