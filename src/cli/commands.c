/* SPDX-License-Identifier: MIT */
/* The command table (commands.def) as an array: dispatch, help, completion and the man pages read it. */
#include <string.h>

#include "cli.h"

static const struct crmf_cmd *const commands[] = {
#define CMD(name) &cmd_##name,
#include "commands.def"
#undef CMD
};

const struct crmf_cmd *const *cli_commands(size_t *n)
{
	*n = sizeof(commands) / sizeof(commands[0]);
	return commands;
}

const struct crmf_cmd *cli_find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}
