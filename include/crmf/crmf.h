/* SPDX-License-Identifier: MIT */
/* libcrmf: everything crmf knows about customer files and their repository. */
#ifndef CRMF_CRMF_H
#define CRMF_CRMF_H

#define CRMF_VERSION "0.2.0"

#include "crmf/check.h"
#include "crmf/crypt.h"
#include "crmf/keys.h"
#include "crmf/classify.h"
#include "crmf/date.h"
#include "crmf/dedupe.h"
#include "crmf/diag.h"
#include "crmf/diff.h"
#include "crmf/doc.h"
#include "crmf/edit.h"
#include "crmf/export.h"
#include "crmf/expr.h"
#include "crmf/fields.h"
#include "crmf/guard.h"
#include "crmf/identity.h"
#include "crmf/scan.h"
#include "crmf/schema.h"
#include "crmf/repository.h"
#include "crmf/rows.h"
#include "crmf/store.h"
#include "crmf/text.h"
#include "crmf/change.h"
#include "crmf/assign.h"
#include "crmf/where.h"
#include "crmf/workspace.h"

#endif
