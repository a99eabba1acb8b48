/* SPDX-License-Identifier: MIT */
/* Benchmark generator: N realistic, valid customer files (Chinese and English, comments, follow-ups), always the same for the same N. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t rng_state;

/* splitmix64: tiny, fast and the same everywhere */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

#define ONE(a) (a)[pick(N_OF(a))]

static const char *const cities[] = {
	"宁波", "杭州", "苏州", "无锡", "上海", "南京", "合肥", "青岛", "济南", "天津",
	"北京", "石家庄", "深圳", "广州", "东莞", "佛山", "厦门", "成都", "重庆", "西安",
};
static const char *const regions[] = {"华东", "华北", "华南", "西部"};
/* region of each city above */
static const int city_region[] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3};
static const char *const syllables[] = {
	"甬", "达", "恒", "拓", "嘉", "瑞", "华", "信", "通", "远", "鼎", "盛", "泰", "和",
	"明", "启", "博", "创", "中", "联", "安", "新", "天", "宏", "金", "海", "润", "德",
	"益", "正", "弘", "腾", "飞", "祥", "锦", "晟", "源", "丰", "睿", "卓",
};
static const struct {
	const char *industry, *word, *en;
} industries[] = {
	{"制造业/汽车零部件", "汽车零部件", "Auto Parts"},
	{"制造业/机械制造", "机械", "Machinery"},
	{"制造业/电子制造", "电子科技", "Electronics"},
	{"制造业/食品加工", "食品", "Foods"},
	{"零售业/连锁餐饮", "餐饮管理", "Catering"},
	{"零售业/连锁商超", "商贸", "Retail"},
	{"IT服务/云计算", "云数据科技", "Cloud"},
	{"IT服务/软件外包", "软件", "Software"},
	{"物流运输/仓储物流", "供应链管理", "Logistics"},
	{"物流运输/冷链物流", "冷链物流", "Cold Chain"},
	{"医疗健康/医疗器械", "医疗器械", "Medical Devices"},
	{"教育培训/职业教育", "教育科技", "Education"},
};
static const char *const en_words[] = {
	"Apex", "Blue River", "Northstar", "Harbor", "Evergreen", "Summit", "Pioneer", "Lotus",
	"Golden Gate", "Silverline", "Oriental", "Pacific", "Zenith", "Crystal", "Meridian",
};
static const char *const legal_cn[] = {"有限公司", "股份有限公司", "有限责任公司", "集团有限公司"};
static const char *const legal_en[] = {"Co., Ltd.", "Ltd.", "Inc.", "Corporation"};
static const char *const sizes[] = {"<50", "50-200", "200-1000", ">1000"};
static const char *const sources[] = {"官网", "展会", "转介绍", "电话", "拜访", "社交媒体", "行业平台", "招投标"};
static const char *const owners[] = {"zhang.wei", "li.na", "wang.fang", "chen.hao", "liu.yang"};
static const char *const stages[] = {"lead", "intent", "negotiation", "customer", "at-risk", "lost"};
static const char *const potentials[] = {"high", "medium", "low"};
static const char *const tags[] = {
	"品质优先", "制造业", "标杆客户", "价格敏感", "技术型客户", "服务需求", "repeat buyer",
	"外资", "上市公司", "多厂区", "政府补贴", "key account", "pilot",
};
static const char *const surnames[] = {"周", "顾", "沈", "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "吴", "徐", "孙", "朱"};
static const char *const given[] = {"建国", "晓东", "丽", "敏", "伟", "静", "磊", "洋", "娟", "强", "军", "芳", "杰", "涛", "婷", "明"};
static const char *const pinyin_s[] = {"zhou", "gu", "shen", "wang", "li", "zhang", "liu", "chen", "yang", "zhao", "huang", "wu", "xu", "sun", "zhu"};
static const char *const pinyin_g[] = {"jianguo", "xiaodong", "li", "min", "wei", "jing", "lei", "yang", "juan", "qiang", "jun", "fang", "jie", "tao", "ting", "ming"};
static const char *const titles[] = {"生产副总经理", "IT主管", "采购经理", "总经理", "信息中心主任", "财务总监", "运营经理", "CTO", "Purchasing Manager", "Plant Manager"};
static const char *const need_types[] = {"MES生产管理系统", "WMS仓储管理", "设备联网", "质量追溯", "ERP对接", "数据看板 BI", "cloud monitoring"};
static const char *const need_desc[] = {
	"车间仍用纸质工单，换型时间长；希望工单电子化并采集设备OEE，换型时间缩短30%",
	"仓库扫码出入库，和现有ERP打通，减少盘点误差；目前每月盘点要停工一天",
	"多个门店的库存和销售数据分散在表格里，希望总部能实时看到经营数据",
	"Replace spreadsheets with a single system for work orders and quality records across two plants",
	"冷库温度需要全程记录并能追溯到批次，应对客户审核",
	"希望把设备报警推送到手机，夜班无人值守时也能及时处理",
};
static const char *const budgets[] = {"30万以内", "50万左右", "一期40万以内，二期60万-70万", "100万以上", "未定", "about 200k CNY"};
static const char *const timelines[] = {"年底前上线", "一季度内", "2个月内完成试点", "明年预算", "ASAP", "待定"};
static const char *const methods[] = {"phone", "visit", "email", "meeting", "wechat", "other"};
static const char *const summaries[] = {
	"展会后回访，确认车间想做设备联网和MES，现在用纸质工单，换一次模具平均要90分钟",
	"现场调研两条产线，统计设备42台，其中18台PLC没有联网接口，需要加装采集网关",
	"发送一期方案及报价，含首年运维；客户要求补充与ERP的接口说明",
	"线上方案评审会，采购要求降价5%，最终确认含首年维保，不再另收接口开发费",
	"签订合同，约定月底前上线，项目经理由实施部刘工担任",
	"上线一周回访，工单电子化率已到92%，车间反馈报工平板字体太小",
	"Demo of the dashboard to the plant manager; asked for a pilot on line 3 before deciding",
	"Sent the revised quote by email; procurement wants payment in three instalments",
	"季度回访，项目进度约70%；客户新增需求：原料仓库扫码出入库，想和MES打通",
	"电话确认验收时间，客户希望下周三上午，IT主管和生产副总都参加",
	"拜访新任信息中心主任，介绍已上线模块和下一阶段规划，对数据看板很感兴趣",
	"Call with the CTO about single sign-on and the audit log; security review next week",
	"电话确认报价已收到", "发送产品资料", "Quick call, still waiting for the budget",
	"微信沟通上线时间", "拜访采购，递交资质文件", "Sent the contract draft",
};
static const char *const feedbacks[] = {
	"想先看看同行的实际案例", "对实施团队响应速度满意", "担心数据重复录入",
	"Price is the main concern", "预算要等集团审批", "希望月底前给答复",
};
static const char *const nexts[] = {
	"发送行业案例和产线演示视频", "出具一期方案和报价", "补充ERP接口说明和字段对照表",
	"发送合同草案给法务审核", "召开项目启动会，确认上线计划", "Send the pilot plan and timeline",
	"约客户高层做季度汇报", "安排实施调整报工界面",
};
static const char *const comments[] = {
	"# 重点客户，决策链长，注意先搞定IT主管",
	"# 由展会线索转来，客户比较看重本地服务",
	"# Referred by an existing customer; keep the tone informal.",
	"# 竞品也在接触，报价要留余地 / a competitor is also in talks",
	"# 注意：采购流程要走招投标",
};

/* Day numbers since 1970-01-01 and back, for valid calendar dates. */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (unsigned)d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + (unsigned)era * 400 + (*m <= 2));
}

static char *day_str(char *buf, int64_t day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	sprintf(buf, "%04d-%02d-%02d", y, m, d);
	return buf;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "gen: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void mkdirs(const char *path)
{
	char *p = strdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			die("cannot create", p);
		*s = '/';
	}
	if (mkdir(p, 0777) != 0 && errno != EEXIST)
		die("cannot create", p);
	free(p);
}

/* Last day a generated date may take: files stay valid for years to come. */
static const int64_t LAST_DAY = 20634; /* 2026-06-30 */

/* Write customer i; returns whether it belongs in archive/, and its month of creation. */
static bool customer(FILE *f, unsigned long i, int year, unsigned long seq, char *id, size_t idlen,
		     int *month)
{
	char b1[16], b2[16];
	int city = (int)pick(N_OF(cities)), ind = (int)pick(N_OF(industries));
	int64_t first = days_from_civil(year, 1, 1), last = days_from_civil(year, 12, 31);
	int64_t created, day, until;
	bool stale, archived;
	int stage = (int)pick(N_OF(stages)), nfu, ncontacts, ndeals;
	bool english = pick(8) == 0;
	unsigned long u = i;

	if (last > LAST_DAY - 30)
		last = LAST_DAY - 30;
	created = first + (int64_t)pick((unsigned)(last - first + 1));
	snprintf(id, idlen, "C%d%05lu", year, seq);
	{
		int y, d;

		civil_from_days(created, &y, month, &d);
	}
	/* new customers and a third of the others are followed up to the last
	 * day; the others stopped at some point: after half a year without
	 * contact, a third of them are lost and half are archived */
	if (created > LAST_DAY - 180 || pick(3) == 0)
		until = LAST_DAY;
	else
		until = created + 30 + (int64_t)pick((unsigned)(LAST_DAY - created - 30));
	stale = until < LAST_DAY - 180;
	if (stale && pick(3) == 0)
		stage = 5;
	archived = stale && pick(2);

	if (pick(3) == 0)
		fprintf(f, "%s\n", ONE(comments));
	fprintf(f, "id: %s\n", id);
	if (english) {
		/* unique through the number: names never look like duplicates */
		fprintf(f, "name: %s %s %lu %s\n", ONE(en_words), industries[ind].en, i,
			ONE(legal_en));
	} else {
		/* three syllables from the index (40^3 = 64,000 per city) plus the city */
		fprintf(f, "name: %s%s%s%s%s%s\n", cities[(u / 64000) % N_OF(cities)],
			syllables[u % 40], syllables[(u / 40) % 40], syllables[(u / 1600) % 40],
			industries[ind].word, ONE(legal_cn));
		if (u >= 64000 * N_OF(cities))
			fprintf(f, "# %lu\n", u); /* beyond 1.28M: not unique, fine for a bench */
	}
	fprintf(f, "industry: %s\n", industries[ind].industry);
	fprintf(f, "size: \"%s\"\n", ONE(sizes));
	fprintf(f, "source: %s%s\n", ONE(sources),
		pick(4) == 0 ? "                     # 行业展会 / trade fair" : "");
	fprintf(f, "created: %s\n", day_str(b1, created));
	fprintf(f, "owner: %s\n", ONE(owners));
	fprintf(f, "stage: %s\n", stages[stage]);
	if (pick(5))
		fprintf(f, "potential: %s\n", ONE(potentials));
	fprintf(f, "grade: %c\n", "ABC"[pick(3)]);
	fprintf(f, "region: %s\n", regions[city_region[city]]);
	fprintf(f, "tags: [%s, %s]\n", tags[pick(6)], tags[6 + pick(7)]);

	ncontacts = 1 + (int)pick(2);
	fprintf(f, "\ncontacts:\n");
	for (int c = 0; c < ncontacts; c++) {
		unsigned s = pick(N_OF(surnames)), g = pick(N_OF(given));

		fprintf(f, "  - name: %s%s\n", surnames[s], given[g]);
		fprintf(f, "    title: %s\n", ONE(titles));
		/* unique numbers: 1xx + the index, so no two customers share one */
		if (pick(2))
			fprintf(f, "    phone: \"+86 1%d%d %04lu %04lu\"\n", 3 + c, (int)(i % 10),
				(i / 10) % 10000, (i / 100000) * 10 + (unsigned long)c);
		else
			fprintf(f, "    phone: 1%d%d%04lu%04lu\n", 5 + c, (int)(i % 10),
				(i / 10) % 10000, (i / 100000) * 10 + (unsigned long)c);
		if (c < 2)
			fprintf(f, "    email: %s%s@c%lu.example.cn\n", pinyin_s[s], pinyin_g[g], i);
		if (c == 0)
			fprintf(f, "    primary: true%s\n",
				pick(2) ? "               # 最终拍板人 / the decision maker" : "");
	}

	fprintf(f, "\nneed:\n  type: %s\n  description: %s\n  budget: %s\n  timeline: %s\n",
		ONE(need_types), ONE(need_desc), ONE(budgets), ONE(timelines));

	ndeals = stage >= 3 ? 1 + (int)pick(3) : 0;
	if (ndeals) {
		fprintf(f, "\ndeals:\n");
		for (int d = 0; d < ndeals; d++) {
			int64_t s = created + 30 + (int64_t)pick(400);

			if (s > until)
				s = until - (int64_t)pick(30);
			fprintf(f, "  - amount: %u%s\n", (100 + pick(900)) * 1000,
				pick(2) ? "              # 一期 / phase one" : "");
			fprintf(f, "    signed: %s\n", day_str(b1, s));
			if (pick(2))
				fprintf(f, "    expires: %s\n", day_str(b2, s + 364));
		}
	}

	/* most customers have a few follow-ups, some a dozen */
	nfu = (int)pick(13);
	if (pick(2))
		nfu = (int)pick((unsigned)nfu + 1);
	if (stage == 0 && pick(2))
		nfu = 0; /* new leads not contacted yet */
	if (nfu) {
		int64_t gap = (until - created) / (nfu + 1);

		if (gap < 1)
			gap = 1;
		fprintf(f, "\nfollowups:\n");
		day = created;
		for (int k = 0; k < nfu; k++) {
			/* evenly spread, give or take a third of the gap; the last
			 * one within the last gap (at most two weeks) before `until` */
			int64_t d = created + (k + 1) * gap + (int64_t)pick((unsigned)(2 * gap / 3 + 1)) -
				    gap / 3;

			if (k == nfu - 1)
				d = until - (int64_t)pick((unsigned)(gap < 14 ? gap : 14));
			day = d > day ? d : day + 1;
			if (day > until)
				day = until;
			if (k == nfu / 2 && pick(3) == 0)
				fprintf(f, "  # %d 年起由刘洋负责季度回访 / quarterly check-ins\n", year + 1);
			if (pick(4) == 0)
				fprintf(f, "  - date: \"%s %02u:%02u\"\n", day_str(b1, day), 8 + pick(10),
					pick(4) * 15);
			else
				fprintf(f, "  - date: %s\n", day_str(b1, day));
			fprintf(f, "    by: %s\n", ONE(owners));
			fprintf(f, "    method: %s\n", ONE(methods));
			if (pick(2))
				fprintf(f, "    with: %s%s\n", ONE(surnames), ONE(given));
			fprintf(f, "    summary: %s\n", ONE(summaries));
			if (pick(5) == 0)
				fprintf(f, "    feedback: %s\n", ONE(feedbacks));
			if (k == nfu - 1 || pick(3) == 0) {
				fprintf(f, "    next: %s\n", ONE(nexts));
				fprintf(f, "    due: %s\n", day_str(b1, day + 3 + pick(14)));
			}
		}
	}
	return archived;
}

static const char usage[] =
	"usage: gen [-f | -m] [-s SEED] N DIR\n"
	"Write N customers under DIR/customers/<year>/, those followed up last more\n"
	"than half a year ago partly under DIR/archive/<year>/ (-f: no year folders;\n"
	"-m: <year>/<month>/ folders by the month of creation).\n";

int main(int argc, char **argv)
{
	bool flat = false, months = false;
	unsigned long n, seq[10] = {0}, seed = 1;
	char *dir, id[32], *path = NULL;
	int a = 1;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "-f"))
			flat = true;
		else if (!strcmp(argv[a], "-m"))
			months = true;
		else if (!strcmp(argv[a], "-s") && a + 1 < argc)
			seed = strtoul(argv[++a], NULL, 10);
		else
			break;
	}
	if (argc - a != 2) {
		fputs(usage, stderr);
		return 2;
	}
	n = strtoul(argv[a], NULL, 10);
	dir = argv[a + 1];
	rng_state = seed;
	for (int y = 2019; y <= 2026; y++) {
		for (int k = 0; k < 2; k++) {
			const char *top = k ? "archive" : "customers";

			if ((flat ? asprintf(&path, "%s/%s", dir, top)
				  : asprintf(&path, "%s/%s/%d", dir, top, y)) < 0)
				return 1;
			mkdirs(path);
			free(path);
		}
		if (flat)
			break;
	}
	for (unsigned long i = 0; i < n; i++) {
		/* more customers in recent years, as a team grows */
		static const int weights[] = {4, 6, 9, 12, 15, 18, 20, 16};
		int r = (int)pick(100), y = 0;
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len), *f;
		const char *top;
		int month, rc;

		while (r >= weights[y]) {
			r -= weights[y];
			y++;
		}
		top = customer(m, i, 2019 + y, ++seq[y], id, sizeof(id), &month) ? "archive"
										 : "customers";
		fclose(m);
		if (months) {
			if (asprintf(&path, "%s/%s/%d/%02d", dir, top, 2019 + y, month) < 0)
				return 1;
			mkdirs(path);
			free(path);
			rc = asprintf(&path, "%s/%s/%d/%02d/%s.yaml", dir, top, 2019 + y, month, id);
		} else if (flat) {
			rc = asprintf(&path, "%s/%s/%s.yaml", dir, top, id);
		} else {
			rc = asprintf(&path, "%s/%s/%d/%s.yaml", dir, top, 2019 + y, id);
		}
		if (rc < 0)
			return 1;
		f = fopen(path, "w");
		if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
			die("cannot write", path);
		free(path);
		free(buf);
	}
	return 0;
}
