#!/bin/sh
# SPDX-License-Identifier: MIT
# Remakes doc/report-example.png, the README's picture of the example team's
# monthly report: the examples/ repository committed in a temporary folder,
# `crmf report --month --html` of June 2025, and a screenshot of the page by
# a headless Chromium. Usage: tools/report-screenshot.sh [CRMF] (default ./crmf)
set -e
crmf=$(realpath "${1:-./crmf}")
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/repo"
cp -r "$src/examples/crmf.yaml" "$src/examples/customers" "$src/examples/archive" "$tmp/repo/"
cd "$tmp/repo"
git init -q
git add -A
git -c user.name=example -c user.email=example@example.invalid commit -qm "example data"
LANG=zh_CN.UTF-8 "$crmf" report --month --today 2025-06-16 --html "$tmp/report.html" >/dev/null
timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--user-data-dir="$tmp/chromium" --window-size=900,2500 \
	--screenshot="$tmp/report.png" "file://$tmp/report.html" 2>/dev/null
cp "$tmp/report.png" "$src/doc/report-example.png"
echo "wrote $src/doc/report-example.png"
