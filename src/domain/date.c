/* date.c: calendar dates: validation and parsing of dates typed in rosters, Excel serial days, day
 * numbers and years added (see date.h). */
#include "date.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define YEAR_MIN 1900
#define YEAR_MAX 2100

/* Writes "YYYY-MM-DD" for a date already known to be valid. */
static void fmt_ymd(char out[11], int y, int m, int d)
{
    if (y < 0 || y > 9999 || m < 0 || m > 99 || d < 0 || d > 99) { /* not a date: as printf has it, cut */
        char tmp[40];
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
        memcpy(out, tmp, 10);
        out[10] = 0;
        return;
    }
    /* digit by digit: a roster import formats three dates a row */
    out[0] = (char)('0' + y / 1000), out[1] = (char)('0' + y / 100 % 10), out[2] = (char)('0' + y / 10 % 10), out[3] = (char)('0' + y % 10);
    out[4] = '-', out[5] = (char)('0' + m / 10), out[6] = (char)('0' + m % 10);
    out[7] = '-', out[8] = (char)('0' + d / 10), out[9] = (char)('0' + d % 10);
    out[10] = 0;
}

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : dm[m - 1];
}

bool date_valid_ymd(int y, int m, int d)
{
    return y >= YEAR_MIN && y <= YEAR_MAX && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* Copies the trimmed input to out (at most cap-1 bytes) with full-width digits and the
 * full-width separators －／．：and the ideographic space mapped to ASCII. Returns false when
 * the input does not fit. */
static bool normalise(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    const unsigned char *s = (const unsigned char *)in;
    while (*s) {
        char c = 0;
        size_t adv = 1;
        if (s[0] == 0xEF && s[1] == 0xBC && s[2] >= 0x90 && s[2] <= 0x99) c = (char)('0' + (s[2] - 0x90)), adv = 3;
        else if (s[0] == 0xEF && s[1] == 0xBC && s[2] == 0x8D) c = '-', adv = 3;
        else if (s[0] == 0xEF && s[1] == 0xBC && s[2] == 0x8F) c = '/', adv = 3;
        else if (s[0] == 0xEF && s[1] == 0xBC && s[2] == 0x8E) c = '.', adv = 3;
        else if (s[0] == 0xEF && s[1] == 0xBC && s[2] == 0x9A) c = ':', adv = 3;
        else if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) c = ' ', adv = 3;
        if (adv == 3) {
            if (n + 1 >= cap) return false;
            out[n++] = c;
            s += 3;
        } else {
            if (n + 1 >= cap) return false;
            out[n++] = (char)*s++;
        }
    }
    out[n] = 0;
    str_trim(out);
    return true;
}

static const char *skip_sp(const char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

/* Reads 1..maxd decimal digits; returns the position after them or NULL. */
static const char *digits(const char *p, int maxd, int *val, int *nd)
{
    int v = 0, k = 0;
    while (*p >= '0' && *p <= '9' && k < maxd) v = v * 10 + (*p++ - '0'), k++;
    if (k == 0 || (*p >= '0' && *p <= '9')) return NULL;
    *val = v;
    *nd = k;
    return p;
}

/* A time of day Excel appends to a date ("0:00", "00:00:00", "12:30:05.5"): accepted and ignored. */
static bool time_tail(const char *p)
{
    if (*p == 'T') p++;
    else if (*p == ' ') p = skip_sp(p);
    else return false;
    int v, nd;
    if (!(p = digits(p, 2, &v, &nd)) || v > 23 || *p++ != ':') return false;
    if (!(p = digits(p, 2, &v, &nd)) || nd != 2 || v > 59) return false;
    if (*p == ':') {
        if (!(p = digits(p + 1, 2, &v, &nd)) || nd != 2 || v > 59) return false;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9') return false;
            while (*p >= '0' && *p <= '9') p++;
        }
    }
    return *skip_sp(p) == 0;
}

/* Recognises the accepted shapes. Returns 1 for a full date, 2 for a month alone, 0 otherwise. */
static int shape(const char *s, int *y, int *m, int *d)
{
    int nd;
    const char *p = s;
    size_t len = strlen(s);
    if (len == 8 && strspn(s, "0123456789") == 8) {
        *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        *m = (s[4] - '0') * 10 + (s[5] - '0');
        *d = (s[6] - '0') * 10 + (s[7] - '0');
        return 1;
    }
    if (len == 6 && strspn(s, "0123456789") == 6) {
        *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        *m = (s[4] - '0') * 10 + (s[5] - '0');
        *d = 1;
        return 2;
    }
    if (!(p = digits(p, 4, y, &nd)) || nd != 4) return 0;
    p = skip_sp(p);
    if (str_starts(p, "年")) {
        p = skip_sp(p + strlen("年"));
        if (!(p = digits(p, 2, m, &nd))) return 0;
        p = skip_sp(p);
        if (!str_starts(p, "月")) return 0;
        p = skip_sp(p + strlen("月"));
        if (*p == 0) return *d = 1, 2;
        if (!(p = digits(p, 2, d, &nd))) return 0;
        p = skip_sp(p);
        if (str_starts(p, "日")) p += strlen("日");
        else if (str_starts(p, "号")) p += strlen("号");
        return *skip_sp(p) == 0 || time_tail(p) ? 1 : 0;
    }
    char sep = *p;
    if (sep != '-' && sep != '/' && sep != '.') return 0;
    p = skip_sp(p + 1);
    if (!(p = digits(p, 2, m, &nd))) return 0;
    p = skip_sp(p);
    if (*p == 0) return *d = 1, 2;
    if (*p != sep) return 0;
    p = skip_sp(p + 1);
    if (!(p = digits(p, 2, d, &nd))) return 0;
    return *p == 0 || time_tail(p) ? 1 : 0;
}

/* Shortens a value for a message: at most 60 bytes, cut on a UTF-8 boundary. */
static void shown(const char *in, char out[72])
{
    size_t n = strlen(in);
    if (n <= 60) {
        memcpy(out, in, n + 1);
        return;
    }
    n = 60;
    while (n && ((unsigned char)in[n] & 0xC0) == 0x80) n--;
    memcpy(out, in, n);
    memcpy(out + n, "…", sizeof "…");
}

int date_parse(const char *in, bool allow_month, const char *field, const char *label, char out[11],
               cx_err *e)
{
    char s[64], v[72];
    if (!label) label = "日期";
    if (!in) in = "";
    shown(in, v);
    str_trim(v);
    int y = 0, m = 0, d = 0;
    int k = normalise(in, s, sizeof s) ? shape(s, &y, &m, &d) : 0;
    if (k == 0)
        return cx_fail(e, 400, "invalid_date", field, "%s不是有效日期：%s（应为 2020-01-05 形式）", label, v);
    if (k == 2 && !allow_month)
        return cx_fail(e, 400, "invalid_date", field, "%s应精确到日：%s（应为 2020-01-05 形式）", label, v);
    if (y < YEAR_MIN || y > YEAR_MAX)
        return cx_fail(e, 400, "invalid_date", field, "%s不是有效日期：%s（年份应在%d-%d之间）", label, v,
                       YEAR_MIN, YEAR_MAX);
    if (m < 1 || m > 12)
        return cx_fail(e, 400, "invalid_date", field, "%s不是有效日期：%s（月份应为1-12）", label, v);
    if (d < 1 || d > 31)
        return cx_fail(e, 400, "invalid_date", field, "%s不是有效日期：%s（日应为1-31）", label, v);
    if (d > days_in_month(y, m))
        return cx_fail(e, 400, "invalid_date", field, "%s不是有效日期：%s（%d年%d月没有%d日）", label, v, y,
                       m, d);
    fmt_ymd(out, y, m, d);
    return CX_OK;
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's algorithm). */
static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

/* Serial 1 is 1900-01-01. Serial 60 is Excel's nonexistent 1900-02-29 and is rejected
 * (CX_ERR); 61 onwards are shifted by one so that 61 is 1900-03-01 and 44927 is 2023-01-01.
 * The time of day (fraction) is dropped; a value within half a millisecond below midnight
 * counts as the next day, as Excel rounds to milliseconds. */
int date_from_excel_serial(double serial, char out[11])
{
    if (!isfinite(serial) || serial < 1 || serial > 100000) return CX_ERR;
    long n = (long)floor(serial + 0.5 / 86400000.0);
    if (n == 60) return CX_ERR;
    /* 1899-12-31 is day -25568 since the Unix epoch; from serial 61 Excel counts one day too many. */
    long z = -25568 + n - (n > 60 ? 1 : 0);
    int y, m, d;
    civil_from_days(z, &y, &m, &d);
    if (!date_valid_ymd(y, m, d)) return CX_ERR;
    fmt_ymd(out, y, m, d);
    return CX_OK;
}

static const char *test_clock;
void date_test_clock(const char *file) { test_clock = file; }

/* The days the test clock's file adds (0 when it cannot be read). */
static long test_days(void)
{
    long n = 0;
    FILE *f = fopen(test_clock, "r");
    if (f) {
        if (fscanf(f, "%ld", &n) != 1) n = 0;
        fclose(f);
    }
    return n;
}

void date_today(char out[11])
{
    /* the last answer per thread, kept for the second it was given in: validating a roster row
     * asks twice, and localtime_r takes a process-wide lock each time */
    static __thread time_t last = -1;
    static __thread char day[11];
    time_t t = time(NULL);
    if (test_clock) t += (time_t)test_days() * 86400, last = -1; /* never kept: the file may change */
    if (t != last) {
        struct tm tm;
        localtime_r(&t, &tm);
        fmt_ymd(day, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        last = t;
    }
    memcpy(out, day, 11);
}

int date_cmp(const char *a, const char *b)
{
    int r = strcmp(a ? a : "", b ? b : "");
    return r < 0 ? -1 : r > 0;
}

/* ---- day numbers ---- */

/* Days from civil (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int64_t day_number(const char *date)
{
    int y = 0, m = 0, d = 0;
    if (!date || sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3) return 0;
    return days_from_civil(y, (unsigned)m, (unsigned)d);
}

int64_t day_of_ymd(int y, int m, int d) { return days_from_civil(y, (unsigned)m, (unsigned)d); }

void day_ymd(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t y0 = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    const unsigned mo = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(y0 + (mo <= 2)), *m = (int)mo, *d = (int)dd;
}

void day_string(int64_t z, char out[11])
{
    int y, m, d;
    day_ymd(z, &y, &m, &d);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 13u, (unsigned)d % 32u);
}

int64_t day_add_years(int64_t day, int n)
{
    int y, m, d;
    day_ymd(day, &y, &m, &d);
    y += n;
    if (m == 2 && d == 29 && !leap(y)) m = 3, d = 1;
    return day_of_ymd(y, m, d);
}

void date_add_years(const char *date, int n, char out[11]) { day_string(day_add_years(day_number(date), n), out); }
