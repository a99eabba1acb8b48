#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf due --format ics: the agenda as an iCalendar feed, read by an
# independent parser (python3-icalendar).

load helper

# the feed's events as lines "UID|DTSTART|SUMMARY" (read by python3-icalendar)
events() {
	/usr/bin/python3 -c '
import sys
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.buffer.read())
assert cal.get("VERSION") == "2.0", cal.get("VERSION")
for e in cal.walk("VEVENT"):
    start = e.decoded("DTSTART")
    assert type(start).__name__ == "date", start       # an all-day event
    assert (e.decoded("DTEND") - start).days == 1
    print("%s|%s|%s" % (e.get("UID"), start.isoformat(), e.get("SUMMARY")))
'
}

@test "due --format ics: one all-day event per customer on the agenda, overdue ones today" {
	make_example_repo
	cd repo
	crmf due --today 2025-06-16 --format ics >"$TMP/a.ics"
	n=$(crmf due --today 2025-06-16 --format json | grep -c '"id"')
	run events <"$TMP/a.ics"
	assert_success
	[ "${#lines[@]}" -eq "$n" ]
	# unique ids; every overdue one today, the others on their due date
	[ "$(cut -d'|' -f1 <<<"$output" | sort -u | wc -l)" -eq "$n" ]
	crmf due --today 2025-06-16 --format json | /usr/bin/python3 -c '
import json, sys
for d in json.load(sys.stdin):
    on = "2025-06-16" if d["overdue_days"] > 0 else d["due"]
    print("crmf-due-%s|%s|" % (d["id"], on))' >"$TMP/expected"
	while read -r want; do
		grep -qF -- "$want" <<<"$output" || { echo "missing: $want"; false; }
	done <"$TMP/expected"
	assert_output --partial '|[overdue '
	assert_output --regexp 'crmf-due-C2024001\|[0-9-]+\|.*宁波甬达汽车零部件有限公司'
	# RFC 5545: CRLF line ends, lines of at most 75 octets
	! grep -qv $'\r$' "$TMP/a.ics"
	[ "$(tr -d '\r' <"$TMP/a.ics" | LC_ALL=C awk '{ print length($0) }' | sort -n | tail -1)" -le 75 ]
}

@test "due --format ics: the same customer keeps its UID from one day to the next; --owner names the calendar" {
	make_example_repo
	cd repo
	crmf due --today 2025-06-16 --format ics | events | cut -d'|' -f1 | sort >"$TMP/d1"
	crmf due --today 2025-06-20 --format ics | events | cut -d'|' -f1 | sort >"$TMP/d2"
	[ "$(comm -12 "$TMP/d1" "$TMP/d2" | wc -l)" -gt 0 ]
	run crmf due --today 2025-06-16 --owner li.na --format ics
	assert_success
	assert_output --partial $'X-WR-CALNAME:crmf due: li.na\r'
	run crmf due --format ical
	assert_failure 2
	assert_output --partial 'use one of: table json csv ics'
}
