/* SPDX-License-Identifier: MIT */
/* Marking user-facing text for translation: _("text") translates now,
 * N_("text") only marks a string whose translation is looked up later. */
#ifndef CRMF_I18N_H
#define CRMF_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

#endif
