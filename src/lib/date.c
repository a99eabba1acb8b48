/* SPDX-License-Identifier: MIT */
/* Calendar arithmetic on day numbers, strict ISO date parsing and durations. */
#include "crmf/date.h"

#include <time.h>

static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	return m == 2 && is_leap(y) ? 29 : month_days[m - 1];
}

/* Proleptic Gregorian arithmetic on 400-year eras, with the year starting in
 * March so that the leap day is the last day of the year. */
crmf_day crmf_date_from_ymd(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (crmf_day)(era * 146097 + doe - 719468);
}

void crmf_date_to_ymd(crmf_day day, int *y, int *m, int *d)
{
	int64_t z = (int64_t)day + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = (int)(z - era * 146097);
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int mm = mp < 10 ? mp + 3 : mp - 9;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mm;
	*y = (int)(yoe + era * 400) + (mm <= 2);
}

/* n ASCII digits at s, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int crmf_date_parse(crmf_day *out, const char *s, size_t len)
{
	int y, m, d;

	*out = CRMF_NO_DAY;
	if (!s || len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*out = crmf_date_from_ymd(y, m, d);
	return 0;
}

int crmf_datetime_parse(crmf_day *day, int *minute, const char *s, size_t len)
{
	int h, mi;

	*minute = -1;
	if (len == 10)
		return crmf_date_parse(day, s, len);
	*day = CRMF_NO_DAY;
	if (!s || len != 16 || s[10] != ' ' || s[13] != ':')
		return -1;
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	if (h < 0 || h > 23 || mi < 0 || mi > 59)
		return -1;
	if (crmf_date_parse(day, s, 10) != 0)
		return -1;
	*minute = h * 60 + mi;
	return 0;
}

static void put_digits(char *p, int v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void crmf_date_format(crmf_day day, char buf[11])
{
	int y, m, d;

	crmf_date_to_ymd(day, &y, &m, &d);
	if (y < 0 || y > 9999) {
		/* out of the printable range: never a date crmf parsed */
		y = y < 0 ? 0 : 9999;
	}
	put_digits(buf, y, 4);
	buf[4] = '-';
	put_digits(buf + 5, m, 2);
	buf[7] = '-';
	put_digits(buf + 8, d, 2);
	buf[10] = '\0';
}

/* 1970-01-01 was a Thursday: weekday 0 is Monday. */
static int weekday(crmf_day day)
{
	int w = (int)((day + 3) % 7);

	return w < 0 ? w + 7 : w;
}

void crmf_date_iso_week(crmf_day day, int *year, int *week)
{
	crmf_day thursday = day - weekday(day) + 3; /* the week belongs to its Thursday's year */
	int y, m, d;

	crmf_date_to_ymd(thursday, &y, &m, &d);
	*year = y;
	*week = (int)((thursday - crmf_date_from_ymd(y, 1, 1)) / 7) + 1;
}

crmf_day crmf_date_today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	/* localtime_r need not read TZ itself */
	tzset();
	if (!localtime_r(&now, &tm))
		return crmf_date_from_ymd(1970, 1, 1) + (crmf_day)(now / 86400);
	return crmf_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int crmf_duration_parse(int *days, const char *s, size_t len)
{
	int unit = 1;
	long v = 0;

	if (!s || len == 0)
		return -1;
	if (s[len - 1] == 'd' || s[len - 1] == 'w') {
		unit = s[len - 1] == 'w' ? 7 : 1;
		len--;
	}
	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v * unit > CRMF_DURATION_MAX)
			return -1;
	}
	*days = (int)v * unit;
	return 0;
}
