#!/bin/sh
# SPDX-License-Identifier: MIT
# Unpacks the newest pre-commit release Debian ships (unstable's package,
# pure Python, run by Debian 12's python3 with its dependencies) into DIR, so
# that t0970 tests the hook with the current release as well as with
# Debian 12's own pre-commit. Nothing is installed system-wide: apt reads
# unstable's package list into a temporary folder, and the .deb is unpacked
# with dpkg-deb. Usage: tools/pre-commit-current.sh [DIR]
# (default /opt/crmf-dev/pre-commit-current; DIR/bin/pre-commit runs it).
set -e
dir=${1:-/opt/crmf-dev/pre-commit-current}
[ -x "$dir/bin/pre-commit" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/archives/partial"
echo 'deb http://deb.debian.org/debian sid main' >"$tmp/sources.list"
apt_o="-o Dir::Etc::SourceList=$tmp/sources.list -o Dir::Etc::SourceParts=/dev/null
 -o Dir::State::Lists=$tmp/lists -o Dir::State::Status=/dev/null
 -o Dir::Cache::Archives=$tmp/archives -o Dir::Cache=$tmp -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $apt_o update -qq
# shellcheck disable=SC2086
(cd "$tmp" && apt-get $apt_o download -qq pre-commit)
rm -rf "$dir.new"
mkdir -p "$dir.new/bin"
dpkg-deb -x "$tmp"/pre-commit_*.deb "$dir.new"
cat >"$dir.new/bin/pre-commit" <<EOS
#!/bin/sh
# pre-commit $(ls "$tmp"/pre-commit_*.deb | sed 's/.*pre-commit_\(.*\)_all.deb/\1/') from Debian unstable, on Debian 12's python3
PYTHONPATH="$dir/usr/lib/python3/dist-packages\${PYTHONPATH:+:\$PYTHONPATH}" exec /usr/bin/python3 -m pre_commit "\$@"
EOS
chmod 755 "$dir.new/bin/pre-commit"
rm -rf "$dir"
mv "$dir.new" "$dir"
"$dir/bin/pre-commit" --version
