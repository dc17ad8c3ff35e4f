/* code.c: short human codes with a check character (see code.h). */
#include "code.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int value_of(char c)
{
    const char *p = c ? strchr(CODE_ALPHABET, c) : NULL;
    return p ? (int)(p - CODE_ALPHABET) : -1;
}

/* Luhn mod N with N = 32: from the right, every second value is doubled and its base-32 digits
 * summed; the check makes the total a multiple of 32. */
char code_check_char(const char *data, size_t n)
{
    int sum = 0, factor = 2;
    for (size_t i = n; i-- > 0;) {
        int v = value_of(data[i]);
        if (v < 0) return 0;
        int a = factor * v;
        sum += a / 32 + a % 32;
        factor = factor == 2 ? 1 : 2;
    }
    return CODE_ALPHABET[(32 - sum % 32) % 32];
}

void code_make(char *out, size_t ndata)
{
    if (ndata < 1) ndata = 1;
    if (ndata > CODE_MAX_DATA) ndata = CODE_MAX_DATA;
    unsigned char r[CODE_MAX_DATA];
    randombytes_buf(r, ndata);
    for (size_t i = 0; i < ndata; i++) out[i] = CODE_ALPHABET[r[i] & 31]; /* 256 is a multiple of 32: unbiased */
    out[ndata] = code_check_char(out, ndata);
    out[ndata + 1] = 0;
}

int code_parse(const char *in, size_t ndata, char *out, size_t cap, const char *field, const char *label, cx_err *e)
{
    char tmp[CODE_MAX_DATA + 2];
    size_t n = 0;
    for (const char *p = in ? in : ""; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '-' || c == '\t') continue;
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (c == 'I' || c == 'L') c = '1';
        if (c == 'O') c = '0';
        if (value_of(c) < 0)
            return cx_fail(e, 400, "invalid_code", field, "%s含有无效字符（只用数字和除 I、L、O、U 以外的字母）", label);
        if (n >= ndata + 1) return cx_fail(e, 400, "invalid_code", field, "%s应为 %zu 位", label, ndata + 1);
        tmp[n++] = c;
    }
    if (n == 0) return cx_fail(e, 400, "invalid_code", field, "%s不能为空", label);
    if (n != ndata + 1) return cx_fail(e, 400, "invalid_code", field, "%s应为 %zu 位（收到 %zu 位）", label, ndata + 1, n);
    if (code_check_char(tmp, ndata) != tmp[ndata])
        return cx_fail(e, 400, "code_check", field, "%s校验位不对，可能抄错了一位，请核对", label);
    if (cap < n + 1) return cx_fail(e, 400, "invalid_code", field, "%s过长", label);
    memcpy(out, tmp, n);
    out[n] = 0;
    return CX_OK;
}

void code_format(const char *code, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; code[i] && k + 2 < cap; i++) {
        if (i && i % 4 == 0) out[k++] = '-';
        out[k++] = code[i];
    }
    if (cap) out[k < cap ? k : cap - 1] = 0;
}
