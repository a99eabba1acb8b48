/* SPDX-License-Identifier: MIT */
/* Company names normalised for finding duplicates: width, case, punctuation, places, legal forms, trade words. */
#include "company.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util.h"
#include "values.h"

/* Provinces, autonomous regions, municipalities and SARs: a name that starts
 * with one of them, or brackets one, names where the company is. */
static const char *const provinces[] = {
	"河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
	"安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州",
	"云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆",
};

/* The municipalities and SARs, the major prefecture-level cities (and a few
 * county-level ones that companies name themselves after as often). */
static const char *const cities[] = {
	"北京", "天津", "上海", "重庆", "香港", "澳门",
	"杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水",
	"义乌", "南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州",
	"镇江", "泰州", "宿迁", "昆山", "江阴", "合肥", "芜湖", "蚌埠", "福州", "厦门", "泉州",
	"漳州", "莆田", "南昌", "赣州", "九江", "济南", "青岛", "烟台", "潍坊", "淄博", "威海",
	"临沂", "济宁", "郑州", "洛阳", "武汉", "宜昌", "襄阳", "长沙", "株洲", "湘潭", "岳阳",
	"广州", "深圳", "珠海", "汕头", "佛山", "东莞", "中山", "惠州", "江门", "湛江", "肇庆",
	"南宁", "柳州", "桂林", "海口", "三亚", "成都", "绵阳", "贵阳", "遵义", "昆明", "西安",
	"兰州", "西宁", "银川", "乌鲁木齐", "拉萨", "呼和浩特", "包头", "石家庄", "唐山", "保定",
	"廊坊", "太原", "大同", "沈阳", "大连", "鞍山", "长春", "哈尔滨", "大庆",
};

/* What may follow a place's name. 区 and 县 are left out: 杭州区块链 is not
 * a district. */
static const char *const place_suffixes[] = {
	"维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市",
};

/* Legal forms, dropped from the end one after the other (集团有限公司). */
static const char *const cjk_legal[] = {"股份有限公司", "有限责任公司", "有限公司", "集团", "公司"};
/* Latin ones only count when they begin a word of the original name, so
 * "Zinc" keeps its "inc". */
static const char *const latin_legal[] = {
	"companylimited", "corporation", "company", "limited", "group", "coltd", "corp",
	"gmbh",		  "ltd",	 "inc",	    "llc",     "plc",   "co",
};

/* Trade words: so common in names that two companies sharing only them are
 * not alike; dropped from the end into the trade part. */
static const char *const cjk_trade[] = {
	"科技", "技术", "信息", "贸易", "实业", "电子", "网络", "软件", "机械", "物流",
	"工程", "咨询", "服务", "发展", "投资", "管理", "文化", "传媒", "设备", "制造",
	"智能", "数据", "系统", "材料", "化工", "医药", "生物", "能源", "环保", "建设",
	"建筑", "装饰", "商贸", "国际", "控股", "股份", "电气", "自动化", "仪器", "食品",
	"农业", "企业", "工业", "通信", "通讯", "数码", "光电", "精密", "汽车", "进出口",
	"供应链", "教育", "广告", "设计", "商务", "新材料", "机电", "五金", "纺织", "服饰",
};
static const char *const latin_trade[] = {
	"technologies", "technology",  "international", "electronics", "engineering", "industrial",
	"industries",	"information", "logistics",	"machinery",   "solutions",   "software",
	"holdings",	"networks",    "network",	"services",    "trading",     "systems",
	"tech",		"trade",       "data",
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
	size_t best = 0, pl, sl, suf = 0;

	for (size_t i = 0; i < COUNT(provinces); i++)
		if (has_prefix(s, len, provinces[i], &pl) && pl > best)
			best = pl, *city = false;
	for (size_t i = 0; i < COUNT(cities); i++)
		if (has_prefix(s, len, cities[i], &pl) && pl > best)
			best = pl, *city = true;
	if (!best)
		return 0;
	for (size_t i = 0; i < COUNT(place_suffixes); i++)
		if (has_prefix(s + best, len - best, place_suffixes[i], &sl) && sl > suf)
			suf = sl;
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
static bool drop_suffix(const char *t, size_t *n, const bool *starts, const char *const *words,
			size_t count, bool latin, size_t keep)
{
	size_t best = 0;

	for (size_t i = 0; i < count; i++) {
		size_t sl;

		if (!has_suffix(t, *n, words[i], &sl) || sl <= best)
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

void crmf_company_parse(crmf_company *out, const char *name)
{
	utf8proc_uint8_t *m = NULL;
	utf8proc_ssize_t ml;
	size_t len, n = 0, at = 0, skip = 0, name_len = 0, pl;
	char *t;
	bool *starts, prev_alnum = false, city_known = false, city = false;

	memset(out, 0, sizeof(*out));
	ml = utf8proc_map((const utf8proc_uint8_t *)name, 0, &m,
			  UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
				  UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
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
