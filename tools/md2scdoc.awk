#!/usr/bin/awk -f
# SPDX-License-Identifier: MIT
# The Markdown of doc/*.md as scdoc, for the man pages: headings become
# sections, fenced code literal blocks, `code` and **strong** bold, links
# "text (url)", list items scdoc's, scdoc's markup characters escaped
# elsewhere. A paragraph or list item is joined into one line first, so
# that `code` may run over a line break.
#   awk -v title='crmf-format(5)' -v name=crmf-format -v what='…' -f tools/md2scdoc.awk doc/format.md
function esc(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/\*/, "\\*", s)
	gsub(/_/, "\\_", s)
	return s
}
# escape, but keep the \001 markers of **strong** as scdoc's bold
function esc_keep(s) {
	s = esc(s)
	gsub(/\001/, "*", s)
	return s
}
function inline(s,    out, i, j, t) {
	out = ""
	while (match(s, /\[[^]]*\]\([^)]*\)/)) {
		t = substr(s, RSTART, RLENGTH)
		i = index(t, "](")
		s = substr(s, 1, RSTART - 1) substr(t, 2, i - 2) " (" substr(t, i + 2, length(t) - i - 2) ")" substr(s, RSTART + RLENGTH)
	}
	gsub(/\*\*/, "\001", s)
	while ((i = index(s, "`")) > 0) {
		j = index(substr(s, i + 1), "`")
		if (j == 0)
			break
		out = out esc_keep(substr(s, 1, i - 1)) "*" esc(substr(s, i + 1, j - 1)) "*"
		s = substr(s, i + j + 1)
	}
	return out esc_keep(s)
}
function flush() {
	if (block != "") {
		t = inline(block)
		if (t ~ /^-/ && lead == "")
			t = "\\" t # not a list item
		print lead t
	}
	block = ""
	lead = ""
}
function start(l, text) { flush(); lead = l; block = text }
BEGIN { print title "\n\n# NAME\n\n" name " - " what "\n"; fence = 0; block = ""; lead = "" }
/^```/ { flush(); print "```"; fence = !fence; next }
fence { print; next }
/^---+$/ { flush(); next }
/^[ \t]*$/ { flush(); print ""; next }
/^# / { flush(); sub(/^# /, ""); print "# " toupper(inline($0)); next }
/^##+ / { flush(); sub(/^##+ /, ""); print "## " inline($0); next }
/^  +[0-9]+\. / { sub(/^ +[0-9]+\. /, ""); start("\t. ", $0); next }
/^  +- / { sub(/^ +- /, ""); start("\t- ", $0); next }
/^[0-9]+\. / { sub(/^[0-9]+\. /, ""); start(". ", $0); next }
/^- / { sub(/^- /, ""); start("- ", $0); next }
{ sub(/^[ \t]+/, ""); block = block == "" ? $0 : block " " $0 }
END { flush() }
