/* SPDX-License-Identifier: MIT */
/* Company names normalised for finding duplicates: width, case, punctuation, places, legal forms, trade words. */
#include "company.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util.h"
#include "values.h"

/* A word of the tables below with its length, so that matching it needs no strlen. */
struct word {
	const char *s;
	size_t n;
};
#define W(x) {x, sizeof(x) - 1}

/* Does s[0..len) start (end) with w? Every word has two bytes at least: they
 * are compared first, as almost every word differs there. */
static inline bool word_prefix(const char *s, size_t len, const struct word *w)
{
	return len >= w->n && s[0] == w->s[0] && s[1] == w->s[1] && memcmp(s, w->s, w->n) == 0;
}

static inline bool word_suffix(const char *s, size_t len, const struct word *w)
{
	return len >= w->n && s[len - 1] == w->s[w->n - 1] &&
	       memcmp(s + len - w->n, w->s, w->n) == 0;
}

/* Provinces, autonomous regions, municipalities and SARs: a name that starts
 * with one of them, or brackets one, names where the company is. */
static const struct word provinces[] = {
	W("河北"), W("山西"), W("辽宁"), W("吉林"), W("黑龙江"), W("江苏"), W("浙江"),
	W("安徽"), W("福建"), W("江西"), W("山东"), W("河南"), W("湖北"), W("湖南"), W("广东"), W("海南"), W("四川"), W("贵州"),
	W("云南"), W("陕西"), W("甘肃"), W("青海"), W("台湾"), W("内蒙古"), W("广西"), W("西藏"), W("宁夏"), W("新疆"),
};

/* The municipalities and SARs, the major prefecture-level cities (and a few
 * county-level ones that companies name themselves after as often). */
static const struct word cities[] = {
	W("北京"), W("天津"), W("上海"), W("重庆"), W("香港"), W("澳门"),
	W("杭州"), W("宁波"), W("温州"), W("嘉兴"), W("湖州"), W("绍兴"), W("金华"), W("衢州"), W("舟山"), W("台州"), W("丽水"),
	W("义乌"), W("南京"), W("无锡"), W("徐州"), W("常州"), W("苏州"), W("南通"), W("连云港"), W("淮安"), W("盐城"), W("扬州"),
	W("镇江"), W("泰州"), W("宿迁"), W("昆山"), W("江阴"), W("合肥"), W("芜湖"), W("蚌埠"), W("福州"), W("厦门"), W("泉州"),
	W("漳州"), W("莆田"), W("南昌"), W("赣州"), W("九江"), W("济南"), W("青岛"), W("烟台"), W("潍坊"), W("淄博"), W("威海"),
	W("临沂"), W("济宁"), W("郑州"), W("洛阳"), W("武汉"), W("宜昌"), W("襄阳"), W("长沙"), W("株洲"), W("湘潭"), W("岳阳"),
	W("广州"), W("深圳"), W("珠海"), W("汕头"), W("佛山"), W("东莞"), W("中山"), W("惠州"), W("江门"), W("湛江"), W("肇庆"),
	W("南宁"), W("柳州"), W("桂林"), W("海口"), W("三亚"), W("成都"), W("绵阳"), W("贵阳"), W("遵义"), W("昆明"), W("西安"),
	W("兰州"), W("西宁"), W("银川"), W("乌鲁木齐"), W("拉萨"), W("呼和浩特"), W("包头"), W("石家庄"), W("唐山"), W("保定"),
	W("廊坊"), W("太原"), W("大同"), W("沈阳"), W("大连"), W("鞍山"), W("长春"), W("哈尔滨"), W("大庆"),
};

/* What may follow a place's name. 区 and 县 are left out: 杭州区块链 is not
 * a district. */
static const struct word place_suffixes[] = {
	W("维吾尔自治区"), W("壮族自治区"), W("回族自治区"), W("特别行政区"), W("自治区"), W("省"), W("市"),
};

/* Legal forms, dropped from the end one after the other (集团有限公司). */
static const struct word cjk_legal[] = {W("股份有限公司"), W("有限责任公司"), W("有限公司"), W("集团"), W("公司")};
/* Latin ones only count when they begin a word of the original name, so
 * W("Zinc") keeps its W("inc"). */
static const struct word latin_legal[] = {
	W("companylimited"), W("corporation"), W("company"), W("limited"), W("group"), W("coltd"), W("corp"),
	W("gmbh"),		  W("ltd"),	 W("inc"),	    W("llc"),     W("plc"),   W("co"),
};

/* Trade words: so common in names that two companies sharing only them are
 * not alike; dropped from the end into the trade part. */
static const struct word cjk_trade[] = {
	W("科技"), W("技术"), W("信息"), W("贸易"), W("实业"), W("电子"), W("网络"), W("软件"), W("机械"), W("物流"),
	W("工程"), W("咨询"), W("服务"), W("发展"), W("投资"), W("管理"), W("文化"), W("传媒"), W("设备"), W("制造"),
	W("智能"), W("数据"), W("系统"), W("材料"), W("化工"), W("医药"), W("生物"), W("能源"), W("环保"), W("建设"),
	W("建筑"), W("装饰"), W("商贸"), W("国际"), W("控股"), W("股份"), W("电气"), W("自动化"), W("仪器"), W("食品"),
	W("农业"), W("企业"), W("工业"), W("通信"), W("通讯"), W("数码"), W("光电"), W("精密"), W("汽车"), W("进出口"),
	W("供应链"), W("教育"), W("广告"), W("设计"), W("商务"), W("新材料"), W("机电"), W("五金"), W("纺织"), W("服饰"),
};
static const struct word latin_trade[] = {
	W("technologies"), W("technology"),  W("international"), W("electronics"), W("engineering"), W("industrial"),
	W("industries"),	W("information"), W("logistics"),	W("machinery"),   W("solutions"),   W("software"),
	W("holdings"),	W("networks"),    W("network"),	W("services"),    W("trading"),     W("systems"),
	W("tech"),		W("trade"),       W("data"),
};

size_t crmf_company_chars(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* The place that begins s[0..len), with its suffix: its length (0: none);
 * *name_len is the length of its name alone, *city whether it is a city. */
static size_t place_at(const char *s, size_t len, size_t *name_len, bool *city)
{
	size_t best = 0, suf = 0;

	for (size_t i = 0; i < COUNT(provinces); i++)
		if (provinces[i].n > best && word_prefix(s, len, &provinces[i]))
			best = provinces[i].n, *city = false;
	for (size_t i = 0; i < COUNT(cities); i++)
		if (cities[i].n > best && word_prefix(s, len, &cities[i]))
			best = cities[i].n, *city = true;
	if (!best)
		return 0;
	for (size_t i = 0; i < COUNT(place_suffixes); i++)
		if (place_suffixes[i].n > suf &&
		    word_prefix(s + best, len - best, &place_suffixes[i]))
			suf = place_suffixes[i].n;
	*name_len = best;
	return best + suf;
}

/* Remember a place: a city wins over a province. */
static void note_place(crmf_company *c, bool *city_known, const char *s, size_t n, bool city)
{
	if (n >= sizeof(c->place) || (c->place[0] && (*city_known || !city)))
		return;
	memcpy(c->place, s, n);
	c->place[n] = '\0';
	c->city = *city_known = city;
}

/* Is the bracketed text m[from..to) a place and nothing else (or nothing)? */
static bool bracketed_place(crmf_company *c, bool *city_known, const unsigned char *m, size_t from,
			    size_t to)
{
	char buf[64];
	size_t n = 0, name_len = 0;
	bool city = false;

	while (from < to) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate(m + from, (utf8proc_ssize_t)(to - from), &cp);

		if (l <= 0)
			return false;
		if (!crmf_cp_dropped(cp)) {
			if (n + (size_t)l >= sizeof(buf))
				return false;
			memcpy(buf + n, m + from, (size_t)l);
			n += (size_t)l;
		}
		from += (size_t)l;
	}
	if (n == 0)
		return true;
	if (place_at(buf, n, &name_len, &city) != n)
		return false;
	note_place(c, city_known, buf, name_len, city);
	return true;
}

/* The end of the bracket opened at m[at] (the index after its closing one),
 * or 0 when it is never closed. */
static size_t bracket_end(const unsigned char *m, size_t at, size_t len)
{
	int depth = 0;

	while (at < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate(m + at, (utf8proc_ssize_t)(len - at), &cp);

		if (l <= 0)
			return 0;
		at += (size_t)l;
		if (utf8proc_category(cp) == UTF8PROC_CATEGORY_PS)
			depth++;
		else if (utf8proc_category(cp) == UTF8PROC_CATEGORY_PE && --depth == 0)
			return at;
	}
	return 0;
}

/* Drop one of `words` from the end of t[0..*n) when at least `keep` code
 * points stay; Latin words only where a word began (starts). */
static bool drop_suffix(const char *t, size_t *n, const bool *starts, const struct word *words,
			size_t count, bool latin, size_t keep)
{
	size_t best = 0;

	for (size_t i = 0; i < count; i++) {
		size_t sl = words[i].n;

		if (sl <= best || !word_suffix(t, *n, &words[i]))
			continue;
		if (latin && !starts[*n - sl])
			continue;
		if (crmf_company_chars(t, *n - sl) < keep)
			continue;
		best = sl;
	}
	*n -= best;
	return best > 0;
}

/* NFKC and case folding leave CJK unified ideographs (U+4E00..U+9FFF) as
 * they are and fold ASCII to lower case: a name of nothing else, as most are,
 * is folded here without utf8proc_map's decomposition. -1 for any other name. */
static utf8proc_ssize_t fold_simple(const char *name, utf8proc_uint8_t **out)
{
	size_t len = strlen(name);
	unsigned char *m;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i], c1, c2;

		if (c < 0x80)
			continue;
		if (i + 2 >= len)
			return -1;
		c1 = (unsigned char)name[i + 1];
		c2 = (unsigned char)name[i + 2];
		/* E4 B8 80 is U+4E00, E9 BF BF is U+9FFF */
		if (c < 0xE4 || c > 0xE9 || (c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80 ||
		    (c == 0xE4 && c1 < 0xB8))
			return -1;
		i += 2;
	}
	m = xmalloc(len + 1);
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)name[i];

		m[i] = c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
	}
	*out = m;
	return (utf8proc_ssize_t)len;
}

void crmf_company_parse(crmf_company *out, const char *name)
{
	utf8proc_uint8_t *m = NULL;
	utf8proc_ssize_t ml;
	size_t len, n = 0, at = 0, skip = 0, name_len = 0, pl;
	char *t;
	bool *starts, prev_alnum = false, city_known = false, city = false;

	memset(out, 0, sizeof(*out));
	ml = fold_simple(name, &m);
	if (ml < 0)
		ml = utf8proc_map((const utf8proc_uint8_t *)name, 0, &m,
				  UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
					  UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
	if (ml < 0) { /* invalid UTF-8: the bytes as they are */
		free(m);
		m = (utf8proc_uint8_t *)xstrdup(name);
		ml = (utf8proc_ssize_t)strlen(name);
	}
	len = (size_t)ml;
	t = xmalloc(len + 1);
	starts = xcalloc(len + 1, sizeof(*starts));
	while (at < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate(m + at, (utf8proc_ssize_t)(len - at), &cp);
		size_t end;

		if (l <= 0) { /* an invalid byte: dropped */
			at++;
			prev_alnum = false;
			continue;
		}
		if (utf8proc_category(cp) == UTF8PROC_CATEGORY_PS &&
		    (end = bracket_end(m, at, len)) &&
		    bracketed_place(out, &city_known, m, at + (size_t)l, end)) {
			at = end;
			prev_alnum = false;
			continue;
		}
		if (crmf_cp_dropped(cp)) {
			prev_alnum = false;
		} else {
			bool alnum = cp < 0x80 && ascii_alnum(cp);

			starts[n] = !(alnum && prev_alnum);
			memcpy(t + n, m + at, (size_t)l);
			n += (size_t)l;
			prev_alnum = alnum;
		}
		at += (size_t)l;
	}
	starts[n] = true;
	/* legal forms from the end, then places from the start; each keeps two
	 * code points at least, so that 杭州 and 集团公司 stay names */
	{
		size_t rest = n; /* a name of nothing but legal forms stays whole */

		while (drop_suffix(t, &rest, starts, cjk_legal, COUNT(cjk_legal), false, 0) ||
		       drop_suffix(t, &rest, starts, latin_legal, COUNT(latin_legal), true, 0))
			;
		while (rest && (drop_suffix(t, &n, starts, cjk_legal, COUNT(cjk_legal), false, 2) ||
				drop_suffix(t, &n, starts, latin_legal, COUNT(latin_legal), true, 2)))
			;
	}
	while ((pl = place_at(t + skip, n - skip, &name_len, &city)) &&
	       crmf_company_chars(t + skip + pl, n - skip - pl) >= 2) {
		note_place(out, &city_known, t + skip, name_len, city);
		skip += pl;
	}
	memmove(t, t + skip, n - skip);
	memmove(starts, starts + skip, n - skip + 1);
	n -= skip;
	out->len = n;
	out->core = n;
	while (drop_suffix(t, &out->core, starts, cjk_trade, COUNT(cjk_trade), false, 2) ||
	       drop_suffix(t, &out->core, starts, latin_trade, COUNT(latin_trade), true, 2))
		;
	t[n] = '\0';
	out->text = t;
	free(starts);
	free(m);
}

void crmf_company_release(crmf_company *c)
{
	if (c) {
		free(c->text);
		c->text = NULL;
	}
}
