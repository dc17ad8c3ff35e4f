/* json.c: integers in cJSON trees as raw items with their decimal digits (see json.h). */
#include "json.h"
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

cJSON *json_int(int64_t v)
{
    char digits[24];
    snprintf(digits, sizeof digits, "%" PRId64, v);
    cJSON *x = cJSON_CreateRaw(digits);
    if (!x) return NULL;
    x->valuedouble = (double)v;
    x->valueint = v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (int)v;
    return x;
}

cJSON *json_add_i64(cJSON *o, const char *k, int64_t v)
{
    cJSON *x = json_int(v);
    if (!x) return NULL;
    if (k ? !cJSON_AddItemToObject(o, k, x) : !cJSON_AddItemToArray(o, x)) {
        cJSON_Delete(x);
        return NULL;
    }
    return x;
}

const char *json_int_text(const cJSON *v)
{
    if (!cJSON_IsRaw(v) || !v->valuestring) return NULL;
    const char *p = v->valuestring + (v->valuestring[0] == '-');
    if (!*p) return NULL;
    for (; *p; p++)
        if (*p < '0' || *p > '9') return NULL;
    return v->valuestring;
}

bool json_is_num(const cJSON *v) { return cJSON_IsNumber(v) || json_int_text(v); }

int64_t json_i64(const cJSON *v)
{
    const char *t = json_int_text(v);
    if (t) {
        errno = 0;
        long long x = strtoll(t, NULL, 10);
        return errno ? 0 : (int64_t)x;
    }
    if (!cJSON_IsNumber(v) || isnan(v->valuedouble)) return 0;
    double d = v->valuedouble;
    if (d >= 9223372036854775808.0) return INT64_MAX;
    if (d < -9223372036854775808.0) return INT64_MIN;
    return (int64_t)d;
}

int64_t json_get_i64(const cJSON *o, const char *k) { return json_i64(cJSON_GetObjectItemCaseSensitive(o, k)); }
