#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs what crmf needs to build and test on Debian 12 (run as root); does nothing when all is there.
set -e
pkgs="build-essential clang pkg-config git libyaml-dev libgit2-dev libutf8proc-dev libmbedtls-dev libssl-dev libcmocka-dev bats bats-assert bats-support liburing-dev strace python3-yaml libclang-rt-14-dev libzip-dev libexpat1-dev libfreexl-dev libcsv-dev python3-openpyxl python3-xlwt locales scdoc man-db groff-base tmux zsh fish bash-completion python3-jsonschema pre-commit python3-icalendar libxlsxwriter-dev python3-vobject chromium tidy fonts-wqy-microhei libjansson-dev libsodium-dev gettext libgssapi-krb5-2"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
# list --sort sorts Chinese text by pinyin through the C library's zh_CN collation
no_zh_locale() { ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; }
# t0970 runs the hook under the newest pre-commit release too (Debian unstable's, unpacked apart)
pc_current=/opt/crmf-dev/pre-commit-current
no_pc_current() { [ ! -x "$pc_current/bin/pre-commit" ]; }
[ -z "$missing" ] && ! no_zh_locale && ! no_pc_current && exit 0
if [ -z "$missing" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "run as root to generate the zh_CN.UTF-8 locale and unpack the current pre-commit" >&2; exit 1; }
	no_zh_locale && localedef -i zh_CN -f UTF-8 zh_CN.UTF-8
	no_pc_current && sh "$(dirname "$0")/pre-commit-current.sh" "$pc_current" >/dev/null
	exit 0
fi
echo "installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "run as root (or with sudo) to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
no_zh_locale && localedef -i zh_CN -f UTF-8 zh_CN.UTF-8
no_pc_current && sh "$(dirname "$0")/pre-commit-current.sh" "$pc_current" >/dev/null
exit 0
