/* SPDX-License-Identifier: MIT */
/* What import_map.c (the mapping) shares with import.c (rows to customer files). */
#ifndef CRMF_IMPORT_PRIVATE_H
#define CRMF_IMPORT_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>

#include "crmf/import.h"

/* The values a row fills, in the order the customer file is written. */
enum slot {
	S_ID,
	S_NAME,
	S_INDUSTRY,
	S_SIZE,
	S_SOURCE,
	S_CREATED,
	S_OWNER,
	S_STAGE,
	S_POTENTIAL,
	S_GRADE,
	S_TAGS,
	S_C_NAME,
	S_C_TITLE,
	S_C_PHONE,
	S_C_EMAIL,
	S_N_TYPE,
	S_N_DESC,
	S_N_BUDGET,
	S_N_TIMELINE,
	S_D_AMOUNT,
	S_D_SIGNED,
	S_D_EXPIRES,
	S_F_DATE,
	S_F_BY,
	S_F_METHOD,
	S_F_WITH,
	S_F_SUMMARY,
	S_F_FEEDBACK,
	S_F_NEXT,
	S_F_DUE,
	S_CUSTOMER_TYPE, /* pseudo-fields */
	S_NEXT_PLAN,
	S_NOTE,
	N_SLOTS,
	S_SKIP = -1,
	S_NONE = -2,
	/* custom fields of crmf.yaml: S_CUSTOM + k; resolved against cfg at import */
	S_CUSTOM = 1000,
};

extern const char *const import_slot_path[N_SLOTS];

/* Contacts after the first: numbered columns (联系人2, 电话2…) or paths
 * contacts[1].phone…; contact k (1-based index k from 1) field f (0 name,
 * 1 title, 2 phone, 3 email) is slot S_XC + (k - 1) * 4 + f. */
#define IMPORT_MAX_CONTACTS 9
enum { S_XC = 500, S_XC_END = S_XC + (IMPORT_MAX_CONTACTS - 1) * 4 };

static inline bool import_slot_xc(int s)
{
	return s >= S_XC && s < S_XC_END;
}

/* The slot of the first contact a slot of another contact corresponds to
 * (S_C_PHONE for contacts[2].phone); any other slot unchanged. */
static inline int import_base_slot(int s)
{
	return import_slot_xc(s) ? S_C_NAME + (s - S_XC) % 4 : s;
}

/* The field path of a slot: "stage", "contacts[1].phone" (static). */
const char *import_slot_name(int s);

/* One value of a row: its text as stored, the column it came from (0: a
 * constant or a default), written plain (a date or number that parsed),
 * derived from another value (owner from 跟进人, a contact's name from the
 * first contact's): a re-import does not let such values change a file. */
struct val {
	char *text;
	uint32_t col;
	bool raw;
	bool derived;
};

struct rowvals {
	struct val v[N_SLOTS];
	struct val xc[IMPORT_MAX_CONTACTS - 1][4]; /* contacts after the first */
	struct val *custom; /* one per custom field of crmf.yaml */
};

/* The value of `slot` in a row (a slot, S_XC…, or S_CUSTOM + k). */
static inline struct val *import_val(struct rowvals *rv, int slot)
{
	if (slot >= S_CUSTOM)
		return &rv->custom[slot - S_CUSTOM];
	if (import_slot_xc(slot))
		return &rv->xc[(slot - S_XC) / 4][(slot - S_XC) % 4];
	return &rv->v[slot];
}

/* Whether a row has any contact value. */
bool import_row_contacts(const struct rowvals *rv);

/* What import.c keeps of an import (crmf_import.priv). */
struct import_priv {
	const crmf_config *cfg;
	crmf_config *own_cfg;
	const crmf_import_map *map;
	crmf_import_map *own_map;
	crmf_day today;
	size_t n_custom;
	int *col_slot;	  /* per column index of imp->columns: slot, S_CUSTOM + k, or S_NONE */
	double *col_scale;
	bool no_name; /* no column gives the name */
	/* progress: rows checked so far, the last count told */
	pthread_mutex_t lock;
	size_t done, told;
	crmf_import_progress_fn *progress;
	void *progress_ctx;
};

/* A column rule of the override: header -> slot or custom field name */
struct col_rule {
	char *header; /* normalised */
	int slot;     /* enum slot, S_SKIP, or S_CUSTOM (then `custom` names it) */
	char *custom;
	double scale;
};

struct value_rule {
	int slot; /* or S_CUSTOM with custom */
	char *custom;
	char *from; /* normalised */
	char *to;
};

struct import_const {
	int slot;
	char *custom;
	char *value;
};

struct crmf_import_map {
	char *sheet;
	uint32_t header_row;
	struct col_rule *cols;
	size_t n_cols;
	struct value_rule *values;
	size_t n_values;
	struct import_const *consts;
	size_t n_consts;
};

/* A header or value compared: full-width folded, ASCII lower case, spaces and
 * a leading or trailing '*' and trailing colon dropped (malloc'ed). */
char *import_norm(const char *s);

/* The slot a normalised header names by default, its scale in *scale; S_NONE. */
int import_default_column(const char *norm, double *scale);

/* The slot named by a field path or pseudo-field ("contacts.phone"), or S_NONE. */
int import_slot_of_path(const char *path);

/* The user's value map for slot (or custom field `custom`), or NULL. */
const char *import_user_value(const crmf_import_map *map, int slot, const char *custom,
			      const char *norm_value);

#endif
