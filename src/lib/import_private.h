/* What import_map.c (the mapping) shares with import.c (rows to customer files). */
#ifndef CRMF_IMPORT_PRIVATE_H
#define CRMF_IMPORT_PRIVATE_H

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
