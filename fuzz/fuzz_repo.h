/* SPDX-License-Identifier: MIT */
/* For the harnesses that need a repository: a small git repository made once per process, removed at exit. */
#ifndef CRMF_FUZZ_REPO_H
#define CRMF_FUZZ_REPO_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/store.h"
#include "fuzz.h"

/*
 * Made from LLVMFuzzerInitialize, which libFuzzer calls once and replay.c
 * calls before it forks a child per input: every input starts from the same
 * repository. A harness that changes a file puts it back before it returns.
 */

static char fuzz_root[256];
static pid_t fuzz_root_owner; /* the process that made it, and removes it */

/* Three customers of one team, committed on two days: the first in intent, then a customer. */
static const struct {
	const char *path, *text;
} fuzz_customers[] = {
    {"customers/2025/C2025001.yaml",
    "id: C2025001\n"
    "name: 宁波甬达汽车零部件有限公司\n"
    "industry: 制造业/汽车零部件\n"
    "size: 200-1000\n"
    "source: 展会\n"
    "created: 2025-03-12\n"
    "owner: zhang.wei\n"
    "stage: intent\n"
    "potential: high\n"
    "grade: A\n"
    "contacts:\n"
    "  - name: 周建国\n"
    "    phone: \"+86 139 0574 2210\"\n"
    "followups:\n"
    "  - date: 2025-03-14\n"
    "    by: zhang.wei\n"
    "    method: phone\n"
    "    summary: 展会后回访\n"
    "    next: 发送案例\n"
    "    due: 2025-03-18\n"},
    {"customers/2025/C2025002.yaml",
    "id: C2025002\n"
    "name: 杭州云栖物流有限公司\n"
    "industry: 物流运输/仓储物流\n"
    "size: 50-200\n"
    "source: 官网\n"
    "created: 2025-05-02\n"
    "owner: li.na\n"
    "stage: lead\n"
    "grade: B\n"
    "contacts:\n"
    "  - name: 王磊\n"
    "    email: wanglei@yunqi.example.cn\n"
    "followups:\n"
    "  - date: 2025-06-03\n"
    "    by: li.na\n"
    "    method: visit\n"
    "    summary: 上门演示\n"},
    {"archive/C2024007.yaml",
    "id: C2024007\n"
    "name: 成都蜀味餐饮管理有限公司\n"
    "industry: 零售业/连锁餐饮\n"
    "source: 转介绍\n"
    "created: 2024-02-01\n"
    "owner: li.na\n"
    "stage: lost\n"
    "lost_reason: 预算取消\n"
    "contacts:\n"
    "  - name: 刘芳\n"
    "    phone: 13800000000\n"},
    {NULL, NULL},
};

static const char fuzz_config_yaml[] = "version: 1\n"
				       "team:\n"
				       "  - {id: zhang.wei, name: 张伟}\n"
				       "  - {id: li.na, name: 李娜}\n"
				       "goals:\n"
				       "  new_customers: {per: quarter, target: 6}\n"
				       "  followups: {per: month, target: 30}\n";

/* Write `text` to fuzz_root/rel, making its folders; false on failure. */
static inline int fuzz_repo_put(const char *rel, const char *text, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_root, rel);
	for (char *p = path + strlen(fuzz_root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	f = fopen(path, "wb");
	if (!f)
		return -1;
	if (fwrite(text, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static void fuzz_repo_remove(void)
{
	char cmd[512];

	if (!fuzz_root[0] || getpid() != fuzz_root_owner)
		return; /* a child of replay.c leaves it to its parent */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", fuzz_root);
}

/* The repository's root: made on the first call (crmf.yaml, the customers, two commits). */
static inline const char *fuzz_repo(void)
{
	char cmd[1024];

	if (fuzz_root[0])
		return fuzz_root;
	snprintf(fuzz_root, sizeof(fuzz_root), "/tmp/crmf-fuzz.%ld", (long)getpid());
	if (mkdir(fuzz_root, 0777) != 0) {
		perror(fuzz_root);
		abort();
	}
	fuzz_root_owner = getpid();
	atexit(fuzz_repo_remove);
	/* git with no configuration but its identity, whatever the user has */
	setenv("HOME", fuzz_root, 1);
	setenv("XDG_CONFIG_HOME", fuzz_root, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "Fuzz", 1);
	setenv("GIT_AUTHOR_EMAIL", "fuzz@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "Fuzz", 1);
	setenv("GIT_COMMITTER_EMAIL", "fuzz@example.com", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	FUZZ_ASSERT(fuzz_repo_put("crmf.yaml", fuzz_config_yaml, sizeof(fuzz_config_yaml) - 1) == 0,
		    "crmf.yaml written");
	for (size_t i = 0; fuzz_customers[i].path; i++)
		FUZZ_ASSERT(fuzz_repo_put(fuzz_customers[i].path, fuzz_customers[i].text,
					  strlen(fuzz_customers[i].text)) == 0,
			    "%s written", fuzz_customers[i].path);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && git init -q && git add -A && "
		 "GIT_AUTHOR_DATE='2025-03-12T10:00:00' GIT_COMMITTER_DATE='2025-03-12T10:00:00' "
		 "git commit -q -m start && "
		 "sed -i 's/^stage: intent/stage: customer/' customers/2025/C2025001.yaml && "
		 "printf 'deals:\\n  - amount: 380000\\n    signed: 2025-05-28\\n' "
		 ">>customers/2025/C2025001.yaml && "
		 "GIT_AUTHOR_DATE='2025-05-28T10:00:00' GIT_COMMITTER_DATE='2025-05-28T10:00:00' "
		 "git commit -q -am signed",
		 fuzz_root);
	FUZZ_ASSERT(system(cmd) == 0, "the repository made: %s", cmd);
	crmf_lib_init();
	return fuzz_root;
}

#endif
