#!/bin/sh
# SPDX-License-Identifier: MIT
# The message catalogues (GNU gettext's tools).
#   sh tools/po.sh pot FILE   the template of every translatable message in src/ into FILE
#   sh tools/po.sh check      every po/LANG.po against the template of the current sources:
#                             lists each message without a translation (or a fuzzy one) and
#                             fails then, or when a translation's printf conversions differ
set -eu
cd "$(dirname "$0")/.."

# The CLI marks its texts with _() and N_() (src/cli/i18n.h); the library's
# functions that take a message format translate it themselves (crmf_tr).
pot() {
	xgettext --from-code=UTF-8 --language=C --no-wrap --sort-by-file --add-location=file \
		--package-name=crmf --msgid-bugs-address=maintainers --add-comments=TRANSLATORS: \
		--keyword=_ --keyword=N_ --keyword=crmf_tr \
		--keyword=cli_error --keyword=cli_usage_error:2 \
		--keyword=crmf_diags_add:7 --keyword=crmf_error_set \
		--keyword=ck_err_pos:5 --keyword=ck_err_at:4 --keyword=ck_warn_at:4 --keyword=ck_req_scalar:5 \
		--keyword=sc_report:4 --keyword=sc_warn:4 --keyword=ex_fail:3 \
		--keyword=doc_report:5 --keyword=ps_report:5 \
		--keyword=change_error:2 --keyword=change_note:2 --keyword=change_said:2 \
		--keyword=change_batch_said:2 \
		--keyword=sc_scalar:4 --keyword=sc_want_mapping:4 --keyword=sc_want_sequence:4 \
		--keyword=ws_fail:2 \
		--flag=cli_error:1:c-format --flag=cli_usage_error:2:c-format \
		--flag=crmf_diags_add:7:c-format --flag=crmf_error_set:1:c-format \
		--flag=ck_err_pos:5:c-format --flag=ck_err_at:4:c-format --flag=ck_warn_at:4:c-format \
		--flag=ck_req_scalar:5:c-format --flag=sc_report:4:c-format --flag=sc_warn:4:c-format \
		--flag=ex_fail:3:c-format --flag=doc_report:5:c-format --flag=ps_report:5:c-format --flag=change_error:2:c-format --flag=change_note:2:c-format \
		--flag=change_said:2:c-format --flag=change_batch_said:2:c-format \
		--flag=crmf_tr:1:pass-c-format \
		-o "$1" src/cli/*.c src/cli/*.h src/lib/*.c
	# the same template for the same sources: no date in it
	sed -i '/^"POT-Creation-Date:/d' "$1"
}

case "${1:-}" in
pot)
	pot "$2"
	;;
check)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	pot "$tmp/crmf.pot"
	status=0
	for po in po/*.po; do
		lang=$(basename "$po" .po)
		msgmerge --quiet --no-wrap --no-fuzzy-matching -o "$tmp/$lang.po" "$po" "$tmp/crmf.pot"
		msgattrib --no-wrap --no-obsolete --untranslated -o "$tmp/$lang.untranslated" "$tmp/$lang.po"
		msgattrib --no-wrap --no-obsolete --only-fuzzy -o "$tmp/$lang.fuzzy" "$tmp/$lang.po"
		for kind in untranslated fuzzy; do
			n=$(grep -c '^msgid ' "$tmp/$lang.$kind" 2>/dev/null || true)
			# the header is one msgid "" of its own
			[ -s "$tmp/$lang.$kind" ] && n=$((n - 1))
			[ "${n:-0}" -gt 0 ] || continue
			echo "$po: $n message(s) $kind; translate each (then sh tools/po.sh pot po/crmf.pot):"
			awk '/^#:/ { where = $0 } /^msgid "/ && $0 != "msgid \"\"" { print "  " where; print "  " $0 }' \
				"$tmp/$lang.$kind"
			status=1
		done
		if ! msgfmt --check --statistics -o /dev/null "$po" 2>"$tmp/err"; then
			sed "s|^|$po: |" "$tmp/err"
			status=1
		fi
	done
	exit $status
	;;
*)
	echo "usage: sh tools/po.sh pot FILE | check" >&2
	exit 2
	;;
esac
