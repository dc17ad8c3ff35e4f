/* json.h: integers in cJSON trees, written as their decimal digits.
 * cJSON keeps every number as a double and prints it with "%1.15g": 1112406247550370 comes out as
 * 1.11240624755037e+15, and past 2^53 digits are lost. Every id and count that goes into JSON goes
 * through json_add_i64 / json_int, which make a raw item holding the digits (printed verbatim) and
 * also set valuedouble, so a reader that wants a double still gets one. Read such a value back
 * with json_i64 (exact) and test it with json_is_num: cJSON_IsNumber is false for a raw item.
 * Real fractions (percentages, scores) stay cJSON numbers. */
#ifndef CX_JSON_H
#define CX_JSON_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* A new item holding v; NULL only when out of memory. */
cJSON *json_int(int64_t v);
/* Adds v under key k to object o (or, with k NULL, to the end of array o); returns the item. */
cJSON *json_add_i64(cJSON *o, const char *k, int64_t v);
/* True for a cJSON number and for an integer item made by json_int. */
bool json_is_num(const cJSON *v);
/* The integer v holds: exact for json_int items; a parsed number is truncated toward zero and
 * clamped to the int64 range; 0 for anything else (NULL, strings, NaN). */
int64_t json_i64(const cJSON *v);
/* json_i64 of member k of object o. */
int64_t json_get_i64(const cJSON *o, const char *k);
/* The digits of an integer item made by json_int, or NULL for anything else. */
const char *json_int_text(const cJSON *v);
#endif
