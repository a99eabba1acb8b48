/* SPDX-License-Identifier: MIT */
/* The syntax of values customers hold (see values.h): numbers, phones, vague summaries, company names. */
#include "values.h"

#include <stdint.h>
#include <stdlib.h>

#include <utf8proc.h>

#include "crmf/check.h"
#include "util.h"


/* Summaries that say that contact happened but not what was said; compared
 * after dropping spaces, punctuation and case. */
static const char vague_words[][16] = {
	"已沟通", "沟通", "沟通了", "已沟通过", "待跟进", "跟进", "已跟进", "跟进中",
	"继续跟进", "已联系", "联系", "联系了", "已联系客户", "已回访", "回访", "电话沟通",
	"已电话沟通", "电话联系", "已电话联系", "已拜访", "拜访", "无", "暂无", "同上", "见上",
	"略", "好", "followedup", "followup", "followingup", "called", "call", "contacted",
	"talked", "spoke", "ok", "okay", "done", "none", "na", "nil", "tbd", "todo", "same",
	"asabove",
};

/* Parse a plain decimal number ("500000", "-1.5", "2e6") without locale
 * surprises; 0 or -1. The value may be infinite (too many digits): callers
 * check the range. *places is how many decimals the value has once trailing
 * zeros are dropped ("12.340" 2, "1.5e6" 0, "2e-400" 400). */
int crmf_number_parse_places(double *out, int *places, const char *s, size_t len)
{
	size_t i = 0;
	double v = 0, scale = 1;
	int digits = 0, exp = 0, esign = 1, frac = 0, zeros = 0;
	bool neg = false, nonzero = false;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		v = v * 10 + (s[i] - '0');
		zeros = s[i] == '0' ? zeros + 1 : 0;
		nonzero |= s[i] != '0';
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++, frac++) {
			scale /= 10;
			v += (s[i] - '0') * scale;
			zeros = s[i] == '0' ? zeros + 1 : 0;
			nonzero |= s[i] != '0';
		}
	}
	if (!digits)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			esign = s[i++] == '-' ? -1 : 1;
		if (i == len || s[i] < '0' || s[i] > '9')
			return -1;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			if (exp < 400)
				exp = exp * 10 + (s[i] - '0');
		for (int e = exp; e > 0; e--)
			v = esign > 0 ? v * 10 : v / 10;
	}
	if (i != len)
		return -1;
	*out = neg ? -v : v;
	/* value = mantissa digits * 10^(exp - frac); trailing zeros are no decimals */
	*places = nonzero ? frac - esign * exp - zeros : 0;
	if (*places < 0)
		*places = 0;
	return 0;
}

int crmf_number_parse(double *out, const char *s, size_t len)
{
	int places;

	return crmf_number_parse_places(out, &places, s, len);
}

/* What a number written the way people write amounts ("50万", "500,000",
 * "¥1.2亿") means, so that the error can say what to write; 0 or -1. */
int crmf_number_guess(double *out, const char *s, size_t len)
{
	static const char *const prefixes[] = {"¥", "￥", "$", "RMB", "CNY"};
	static const struct {
		const char *unit;
		double times;
	} units[] = {
		{"万元", 1e4}, {"亿元", 1e8}, {"万", 1e4}, {"亿", 1e8}, {"千", 1e3}, {"元", 1},
		{"k", 1e3},    {"K", 1e3},    {"w", 1e4},  {"W", 1e4},  {"M", 1e6},
	};
	char buf[64];
	size_t n = 0, pl;
	double times = 1;

	while (len && s[0] == ' ')
		s++, len--;
	for (size_t i = 0; i < COUNT(prefixes); i++)
		if (has_prefix(s, len, prefixes[i], &pl)) {
			s += pl;
			len -= pl;
			break;
		}
	while (len && s[len - 1] == ' ')
		len--;
	for (size_t i = 0; i < COUNT(units); i++)
		if (has_suffix(s, len, units[i].unit, &pl)) {
			len -= pl;
			times = units[i].times;
			break;
		}
	for (size_t i = 0; i < len; i++) {
		if (s[i] == ',' || s[i] == '_' || s[i] == ' ')
			continue;
		if (n + 1 >= sizeof(buf))
			return -1;
		buf[n++] = s[i];
	}
	if (crmf_number_parse(out, buf, n) < 0)
		return -1;
	*out *= times;
	return 0;
}

/* Phones */

/* Scan a phone number: the digits of its main part (without extension) go to
 * `digits` (room for 21), their count is returned; -1 when it is no phone
 * number. *plus tells whether it started with '+'. */
static int phone_scan(const char *s, char *digits, bool *plus)
{
	size_t i = 0;
	int n = 0, ext = 0;

	*plus = false;
	while (s[i] == ' ')
		i++;
	if (s[i] == '+') {
		*plus = true;
		i++;
	}
	for (; s[i]; i++) {
		if (is_digit(s[i])) {
			if (n == 20)
				return -1;
			digits[n++] = s[i];
		} else if (!strchr(" -.()", s[i])) {
			break;
		}
	}
	if (n < 7)
		return -1;
	if (!s[i])
		return n;
	if (strncmp(s + i, "ext", 3) == 0 || strncmp(s + i, "EXT", 3) == 0 ||
	    strncmp(s + i, "Ext", 3) == 0) {
		i += 3;
		if (s[i] == '.')
			i++;
	} else if (s[i] == 'x' || s[i] == 'X' || s[i] == '#') {
		i++;
	} else if (strncmp(s + i, "转", 3) == 0) {
		i += 3;
	} else {
		return -1;
	}
	while (s[i] == ' ')
		i++;
	for (; is_digit(s[i]); i++)
		if (++ext > 8)
			return -1;
	while (s[i] == ' ')
		i++;
	return ext > 0 && !s[i] ? n : -1;
}

bool crmf_phone_valid(const char *s)
{
	char digits[21];
	bool plus;

	return phone_scan(s, digits, &plus) >= 0;
}

/* Vague summaries */

bool crmf_cp_dropped(int32_t cp)
{
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_PC:
	case UTF8PROC_CATEGORY_PD:
	case UTF8PROC_CATEGORY_PS:
	case UTF8PROC_CATEGORY_PE:
	case UTF8PROC_CATEGORY_PI:
	case UTF8PROC_CATEGORY_PF:
	case UTF8PROC_CATEGORY_PO:
	case UTF8PROC_CATEGORY_ZS:
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
	case UTF8PROC_CATEGORY_CC:
	case UTF8PROC_CATEGORY_CF:
	case UTF8PROC_CATEGORY_SM:
	case UTF8PROC_CATEGORY_SC:
	case UTF8PROC_CATEGORY_SK:
	case UTF8PROC_CATEGORY_SO:
		return true;
	default:
		return false;
	}
}

bool crmf_summary_vague(const char *s, size_t len)
{
	char buf[48];
	/* no vague word is longer: a longer summary is not one of them */
	const size_t longest = sizeof(vague_words[0]) - 1;
	size_t n = 0;
	while (len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s,
						     (utf8proc_ssize_t)len, &cp);

		if (l <= 0)
			return false;
		if (!crmf_cp_dropped(cp)) {
			if (n + (size_t)l >= sizeof(buf) || n + (size_t)l > longest)
				return false; /* too long to be one of the words */
			if (cp >= 'A' && cp <= 'Z')
				buf[n++] = (char)(cp - 'A' + 'a');
			else
				memcpy(buf + n, s, (size_t)l), n += (size_t)l;
		}
		s += l;
		len -= (size_t)l;
	}
	buf[n] = '\0';
	if (n == 0)
		return true;
	for (size_t i = 0; i < COUNT(vague_words); i++)
		if (strcmp(buf, vague_words[i]) == 0)
			return true;
	return false;
}

/* Company names */

/* Chinese legal forms end the name whatever precedes them. 集团 is kept: a
 * group and its operating company are different entities, so 某某集团有限公司
 * becomes 某某集团 and matches 某某集团 but not 某某有限公司. */
static const char *const cjk_suffixes[] = {"股份有限公司", "有限责任公司", "有限公司", "公司"};
/* Latin legal forms (spaces and punctuation already dropped) only count when
 * they begin a word of the original name, so "Zinc" keeps its "inc". */
static const char *const latin_suffixes[] = {
	"companylimited", "corporation", "coltd", "limited", "corp", "gmbh", "ltd", "inc", "llc",
};

/* Write the normalised name to `out`, which has room for len + 1 bytes (the
 * folding never lengthens the text); returns its length. */
size_t crmf_company_key_text(char *out, const char *s, size_t len)
{
	size_t n = 0, starts[4] = {0}, best = 0;
	unsigned ns = 0;
	bool gap = true, prev_alnum = false, prev_lower = false;

	while (len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s,
						     (utf8proc_ssize_t)len, &cp);

		if (l <= 0) { /* invalid UTF-8: drop the byte */
			s++, len--;
			gap = true;
			continue;
		}
		if (cp >= 0xFF01 && cp <= 0xFF5E)
			cp -= 0xFEE0;
		else if (cp == 0x3000)
			cp = ' ';
		if (cp < 0x80) {
			if (ascii_alnum(cp)) {
				bool upper = cp >= 'A' && cp <= 'Z';

				if (gap || !prev_alnum || (upper && prev_lower))
					starts[ns++ % 4] = n;
				out[n++] = (char)(upper ? cp - 'A' + 'a' : cp);
				prev_alnum = true;
				prev_lower = cp >= 'a' && cp <= 'z';
				gap = false;
			} else {
				gap = true;
			}
		} else if (crmf_cp_dropped(cp)) {
			gap = true;
		} else {
			memcpy(out + n, s, (size_t)l);
			n += (size_t)l;
			prev_alnum = prev_lower = gap = false;
		}
		s += l;
		len -= (size_t)l;
	}
	for (size_t i = 0; i < COUNT(cjk_suffixes); i++) {
		size_t sl;

		if (has_suffix(out, n, cjk_suffixes[i], &sl) && sl > best)
			best = sl;
	}
	for (size_t i = 0; i < COUNT(latin_suffixes); i++) {
		size_t sl;
		bool word = false;

		if (!has_suffix(out, n, latin_suffixes[i], &sl) || sl <= best)
			continue;
		for (unsigned j = 0; j < 4 && j < ns; j++)
			word = word || starts[j] == n - sl;
		if (word)
			best = sl;
	}
	if (best == n)
		best = 0; /* the whole name is a legal form: keep it */
	n -= best;
	out[n] = '\0';
	return n;
}

char *crmf_normalize_company(const char *name)
{
	size_t len = strlen(name);
	char *out = xmalloc(len + 1);

	crmf_company_key_text(out, name, len);
	return out;
}

/* The digits identifying a phone number across ways of writing it: no
 * extension, no country code 86, no domestic trunk prefix 0, so that
 * "+86 571 8888 8888" and "0571-88888888" are the same; returns the length. */
size_t crmf_phone_key_text(char *out, const char *s)
{
	char d[21];
	bool plus;
	int n = phone_scan(s, d, &plus);
	const char *p = d;

	if (n < 0)
		return 0;
	if (n >= 4 && memcmp(d, "0086", 4) == 0)
		p += 4, n -= 4;
	else if (n >= 2 && memcmp(d, "86", 2) == 0 && (plus || n >= 12))
		p += 2, n -= 2;
	if (n > 0 && p[0] == '0')
		p++, n--;
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	return n >= 7 ? (size_t)n : 0;
}

bool crmf_phone_same(const char *a, const char *b)
{
	char ka[21], kb[21];
	size_t na, nb;

	if (!a || !b || strlen(a) > 64 || strlen(b) > 64)
		return false;
	na = crmf_phone_key_text(ka, a);
	nb = crmf_phone_key_text(kb, b);
	return na && na == nb && memcmp(ka, kb, na) == 0;
}
