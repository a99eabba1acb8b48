/* SPDX-License-Identifier: MIT */
/* Unit tests of date.c: strict ISO dates, day arithmetic and durations. */
#include "unit.h"

#include <time.h>

static int parse(const char *s, crmf_day *out)
{
	return crmf_date_parse(out, s, strlen(s));
}

static void test_epoch(void **state)
{
	crmf_day d;

	(void)state;
	assert_int_equal(parse("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(parse("1970-01-02", &d), 0);
	assert_int_equal(d, 1);
	assert_int_equal(parse("1969-12-31", &d), 0);
	assert_int_equal(d, -1);
	assert_int_equal(parse("2000-03-01", &d), 0);
	assert_int_equal(d, 11017);
	assert_int_equal(parse("2024-01-15", &d), 0);
	assert_int_equal(d, 19737);
	assert_int_equal(parse("1900-01-01", &d), 0);
	assert_int_equal(d, -25567);
	assert_int_equal(parse("9999-12-31", &d), 0);
	assert_int_equal(d, 2932896);
}

static void test_leap_days(void **state)
{
	crmf_day d, e;

	(void)state;
	assert_int_equal(parse("2024-02-29", &d), 0);
	assert_int_equal(parse("2024-03-01", &e), 0);
	assert_int_equal(e - d, 1);
	assert_int_equal(parse("2023-02-29", &d), -1);
	assert_int_equal(d, CRMF_NO_DAY);
	assert_int_equal(parse("2023-02-28", &d), 0);
	assert_int_equal(parse("2000-02-29", &d), 0); /* divisible by 400 */
	assert_int_equal(parse("1900-02-29", &d), -1); /* by 100, not 400 */
	assert_int_equal(parse("2100-02-29", &d), -1);
	assert_int_equal(parse("2400-02-29", &d), 0);
	assert_int_equal(parse("2024-02-30", &d), -1);
	assert_int_equal(parse("2025-02-30", &d), -1);
}

static void test_month_lengths(void **state)
{
	static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	char buf[32];
	crmf_day d;

	(void)state;
	for (int m = 1; m <= 12; m++) {
		snprintf(buf, sizeof(buf), "2023-%02d-%02d", m, len[m - 1]);
		assert_int_equal(parse(buf, &d), 0);
		snprintf(buf, sizeof(buf), "2023-%02d-%02d", m, len[m - 1] + 1);
		assert_int_equal(parse(buf, &d), -1);
	}
}

static void test_invalid_dates(void **state)
{
	static const char *const bad[] = {
		"2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32", "2024-1-5",
		"2024-01-5",  "24-01-05",   "2024/01/05", "2024-01-05 ", " 2024-01-05",
		"2024-01-05x", "2024-01-0x", "20240105",  "",           "1899-12-31",
		"0000-01-01", "2024-04-31", "2024-06-31", "2024-09-31", "2024-11-31",
		"+024-01-05", "2024--1-05", "2024-01-05T10:00", "２０２４-01-05",
	};
	crmf_day d;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &d) != -1)
			fail_msg("'%s' was accepted", bad[i]);
		assert_int_equal(d, CRMF_NO_DAY);
	}
	/* length is what counts, not the NUL */
	assert_int_equal(crmf_date_parse(&d, "2024-01-05junk", 10), 0);
	assert_int_equal(crmf_date_parse(&d, "2024-01-05junk", 11), -1);
	assert_int_equal(crmf_date_parse(&d, NULL, 0), -1);
}

static void test_datetime(void **state)
{
	crmf_day d, e;
	int min;

	(void)state;
	assert_int_equal(crmf_datetime_parse(&d, &min, "2024-02-01", 10), 0);
	assert_int_equal(min, -1);
	assert_int_equal(parse("2024-02-01", &e), 0);
	assert_int_equal(d, e);
	assert_int_equal(crmf_datetime_parse(&d, &min, "2024-02-01 00:00", 16), 0);
	assert_int_equal(min, 0);
	assert_int_equal(d, e);
	assert_int_equal(crmf_datetime_parse(&d, &min, "2024-02-01 14:30", 16), 0);
	assert_int_equal(min, 14 * 60 + 30);
	assert_int_equal(crmf_datetime_parse(&d, &min, "2024-02-01 23:59", 16), 0);
	assert_int_equal(min, 23 * 60 + 59);

	static const char *const bad[] = {
		"2024-02-01 24:00", "2024-02-01 23:60", "2024-02-01 9:30",  "2024-02-01T14:30",
		"2024-02-01 14:3",  "2024-02-01 14-30", "2024-02-01  14:30", "2024-02-30 10:00",
		"2024-02-01 14:30:00", "2024-02-01 ", "2024-02-01 ab:cd", "2023-02-29 10:00",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (crmf_datetime_parse(&d, &min, bad[i], strlen(bad[i])) != -1)
			fail_msg("'%s' was accepted", bad[i]);
		assert_int_equal(d, CRMF_NO_DAY);
		assert_int_equal(min, -1);
	}
}

static void test_round_trip(void **state)
{
	crmf_day first = crmf_date_from_ymd(1900, 1, 1), last = crmf_date_from_ymd(9999, 12, 31);
	int py = 1899, pm = 12, pd = 31;
	char buf[11];

	(void)state;
	for (crmf_day day = first; day <= last; day++) {
		int y, m, d;
		crmf_day back;

		crmf_date_to_ymd(day, &y, &m, &d);
		/* consecutive day numbers are consecutive calendar days */
		if (d == 1) {
			assert_true((m == pm + 1 && y == py) || (m == 1 && pm == 12 && y == py + 1));
		} else {
			assert_int_equal(d, pd + 1);
			assert_int_equal(m, pm);
			assert_int_equal(y, py);
		}
		assert_int_equal(crmf_date_from_ymd(y, m, d), day);
		crmf_date_format(day, buf);
		assert_int_equal(crmf_date_parse(&back, buf, 10), 0);
		assert_int_equal(back, day);
		py = y;
		pm = m;
		pd = d;
	}
	assert_int_equal(py, 9999);
	assert_int_equal(last - first + 1, 2932897 + 25567);
}

static void test_format(void **state)
{
	char buf[11];

	(void)state;
	crmf_date_format(0, buf);
	assert_string_equal(buf, "1970-01-01");
	crmf_date_format(crmf_date_from_ymd(2024, 2, 29), buf);
	assert_string_equal(buf, "2024-02-29");
	crmf_date_format(crmf_date_from_ymd(1900, 3, 1) - 1, buf);
	assert_string_equal(buf, "1900-02-28");
	crmf_date_format(-25568, buf);
	assert_string_equal(buf, "1899-12-31");
}

/* crmf_date_today under TZ=tz, retried until no second boundary was crossed;
 * *now is the time it was computed at. */
static crmf_day today_in(const char *tz, time_t *now)
{
	crmf_day d;

	setenv("TZ", tz, 1);
	do {
		*now = time(NULL);
		d = crmf_date_today();
	} while (time(NULL) != *now);
	return d;
}

static void test_today(void **state)
{
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	static const struct {
		const char *tz;
		long offset; /* seconds east of UTC */
	} zones[] = {
		/* POSIX TZ offsets are west of Greenwich: UTC-14 is 14 hours ahead */
		{"UTC", 0}, {"UTC-14", 14 * 3600}, {"UTC+12", -12 * 3600}, {"CST-8", 8 * 3600},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		time_t now;
		crmf_day d = today_in(zones[i].tz, &now);

		assert_int_equal(d, (crmf_day)((now + zones[i].offset) / 86400));
	}
	if (old) {
		setenv("TZ", old, 1);
		free(old);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

static int dur(const char *s)
{
	int d = -12345;

	if (crmf_duration_parse(&d, s, strlen(s)) != 0)
		return -1;
	return d;
}

static void test_durations(void **state)
{
	static const char *const bad[] = {
		"",	"d",	 "w",	 "-1d", "+3d",	"1.5d", "3 d", " 3d", "3d ", "3dd",
		"3x",	"3D",	 "3W",	 "w2",  "1m",	"1y",	"0x10", "99999999999999999999d",
		"3660001", "522858w", "３d", "2147483648", "3d4",
	};
	int d = 77;

	(void)state;
	assert_int_equal(dur("90d"), 90);
	assert_int_equal(dur("90"), 90);
	assert_int_equal(dur("2w"), 14);
	assert_int_equal(dur("0d"), 0);
	assert_int_equal(dur("0"), 0);
	assert_int_equal(dur("1w"), 7);
	assert_int_equal(dur("007d"), 7);
	assert_int_equal(dur("3660000"), CRMF_DURATION_MAX);
	assert_int_equal(dur("522857w"), 522857 * 7);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (dur(bad[i]) != -1)
			fail_msg("duration '%s' was accepted", bad[i]);
	/* a failed parse leaves the output alone */
	assert_int_equal(crmf_duration_parse(&d, "x", 1), -1);
	assert_int_equal(d, 77);
	assert_int_equal(crmf_duration_parse(&d, "14d", 2), 0);
	assert_int_equal(d, 14);
}

/* ISO 8601 weeks, checked against `date +%G-W%V` (GNU coreutils) for each day. */
static void test_iso_week(void **state)
{
	static const struct {
		const char *day;
		int year, week;
	} cases[] = {
		{"2025-06-16", 2025, 25}, {"2025-06-15", 2025, 24}, {"2024-12-30", 2025, 1},
		{"2024-12-29", 2024, 52}, {"2021-01-03", 2020, 53}, {"2021-01-04", 2021, 1},
		{"2020-12-31", 2020, 53}, {"2026-01-01", 2026, 1},  {"2027-01-01", 2026, 53},
		{"1970-01-01", 1970, 1},  {"2000-02-29", 2000, 9},  {"2023-01-01", 2022, 52},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		crmf_day d;
		int y = 0, w = 0;

		assert_int_equal(crmf_date_parse(&d, cases[i].day, 10), 0);
		crmf_date_iso_week(d, &y, &w);
		if (y != cases[i].year || w != cases[i].week)
			fail_msg("%s: %d-W%02d, expected %d-W%02d", cases[i].day, y, w,
				 cases[i].year, cases[i].week);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch),	      cmocka_unit_test(test_leap_days),
		cmocka_unit_test(test_month_lengths), cmocka_unit_test(test_invalid_dates),
		cmocka_unit_test(test_datetime),      cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_format),	      cmocka_unit_test(test_today),
		cmocka_unit_test(test_durations),     cmocka_unit_test(test_iso_week),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
