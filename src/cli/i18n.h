/* SPDX-License-Identifier: MIT */
/* Marking user-facing text for translation: _("text") translates now,
 * N_("text") only marks a string whose translation is looked up later. */
#ifndef CRMF_I18N_H
#define CRMF_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/** Take the language of the environment (LANG, LC_ALL, LC_MESSAGES) for
 * messages, the CLI's and the library's, when a catalogue of crmf speaks it;
 * numbers, dates and collation stay as they were (the C locale). */
void cli_i18n_init(void);

/** Messages in the language an LSP client asked for: `tag` as BCP 47 gives it
 * ("zh-CN", "zh-cn", "en"), or NULL for the environment's (cli_i18n_init);
 * English when crmf has no catalogue for it. */
void cli_i18n_tag(const char *tag);

/** Messages in English from now on: the output is read by programs (JSON,
 * CSV, iCalendar, the language server, completion). */
void cli_i18n_off(void);

#endif
