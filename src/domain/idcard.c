/* idcard.c: 身份证号 (GB 11643-1999) and phone number validation, normalisation and masking. */
#include "idcard.h"
#include "date.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ISO 7064 MOD 11-2 weights for positions 1..17 and the check character for sum mod 11. */
static const int id_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char id_checks[] = "10X98765432";

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

char idcard_check_char(const char *first17)
{
    if (!first17) return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!is_digit(first17[i])) return 0;
        sum += (first17[i] - '0') * id_weights[i];
    }
    return id_checks[sum % 11];
}

/* Length in bytes of the white space at s: ASCII blanks, U+3000 and U+00A0 (Excel pastes
 * carry the latter), or 0. */
static size_t space_at(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if (*u == ' ' || *u == '\t' || *u == '\r' || *u == '\n' || *u == '\v' || *u == '\f') return 1;
    if (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) return 3;
    if (u[0] == 0xC2 && u[1] == 0xA0) return 2;
    return 0;
}

/* Length of the white space that ends at s+n (exclusive), or 0. */
static size_t space_before(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n >= 1 && space_at(s + n - 1) == 1) return 1;
    if (n >= 2 && u[n - 2] == 0xC2 && u[n - 1] == 0xA0) return 2;
    if (n >= 3 && u[n - 3] == 0xE3 && u[n - 2] == 0x80 && u[n - 1] == 0x80) return 3;
    return 0;
}

/* Sets *b and *n to the part of s without surrounding white space. */
static void trim_span(const char *s, const char **b, size_t *n)
{
    size_t k;
    while ((k = space_at(s)) > 0) s += k;
    size_t len = strlen(s);
    while ((k = space_before(s, len)) > 0) len -= k;
    *b = s;
    *n = len;
}

static int digits_val(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
    return v;
}

bool idcard_looks_excel_number(const char *s)
{
    if (!s) return false;
    const char *p;
    size_t n;
    trim_span(s, &p, &n);
    size_t i = 0, digits = 0;
    while (i < n && is_digit(p[i])) i++, digits++;
    if (digits == 0) return false;
    bool point = false;
    if (i < n && p[i] == '.') {
        point = true;
        i++;
        while (i < n && is_digit(p[i])) i++, digits++;
    }
    if (i == n) return point && digits >= 15; /* 440106199001011000.0: a float printed in full */
    if (p[i] != 'E' && p[i] != 'e') return false;
    i++;
    if (i < n && p[i] == '+') i++;
    size_t exp_start = i;
    int exp = 0;
    while (i < n && is_digit(p[i])) {
        if (exp < 1000) exp = exp * 10 + (p[i] - '0');
        i++;
    }
    /* An 18-digit number shows as d.dddddE+17; small exponents are not ids gone wrong. */
    return i == n && i > exp_start && exp >= 10;
}

/* Reads one character of an id at s (at most end): ASCII or a full-width digit/X, which
 * input methods produce. Sets *c to the ASCII equivalent (or 0 for anything else) and
 * returns the bytes consumed. */
static size_t id_char(const char *s, const char *end, char *c)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t left = (size_t)(end - s);
    if (u[0] < 0x80) {
        *c = (char)u[0];
        return 1;
    }
    if (left >= 3 && u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99) {
        *c = (char)('0' + (u[2] - 0x90)); /* ０..９ */
        return 3;
    }
    if (left >= 3 && u[0] == 0xEF && ((u[1] == 0xBC && u[2] == 0xB8) || (u[1] == 0xBD && u[2] == 0x98))) {
        *c = 'X'; /* Ｘ ｘ */
        return 3;
    }
    *c = 0;
    size_t k = 1; /* skip the whole UTF-8 sequence so it counts as one character */
    while (k < left && (u[k] & 0xC0) == 0x80) k++;
    return k;
}

int idcard_validate(const char *in, char out[19], cx_err *e)
{
    const char *p;
    size_t n;
    if (!in) in = "";
    trim_span(in, &p, &n);
    if (n == 0) return cx_fail(e, 400, "invalid_idcard", "idcard", "身份证号不能为空");
    if (memchr(p, '*', n) || memmem(p, n, "＊", 3))
        return cx_fail(e, 400, "idcard_masked", "idcard",
                       "身份证号是脱敏后的号码（含 *），请填写完整号码；从本系统导出再导入时，请使用“完整导出”的文件");
    if (idcard_looks_excel_number(in))
        return cx_fail(e, 400, "idcard_excel_number", "idcard",
                       "身份证号被 Excel 转成了数字（%.*s），请把该列设为“文本”格式后重新填写",
                       (int)(n > 40 ? 40 : n), p);

    char id[19];
    size_t count = 0;
    bool inner_space = false, bad_char = false;
    const char *end = p + n;
    for (const char *s = p; s < end;) {
        size_t sp = space_at(s);
        if (sp) {
            inner_space = true;
            s += sp;
            continue;
        }
        char c;
        s += id_char(s, end, &c);
        if (c == 'x') c = 'X';
        if (!is_digit(c) && c != 'X') bad_char = true;
        if (count < 18) id[count] = c ? c : '?';
        count++;
    }
    if (inner_space) return cx_fail(e, 400, "invalid_idcard", "idcard", "身份证号中间不能有空格");
    if (count != 18)
        return cx_fail(e, 400, "invalid_idcard", "idcard", "身份证号长度应为18位（当前为%zu位）", count);
    id[18] = 0;
    for (int i = 0; i < 17; i++)
        if (!is_digit(id[i])) return cx_fail(e, 400, "invalid_idcard", "idcard", "身份证号前17位应为数字");
    if (bad_char) return cx_fail(e, 400, "invalid_idcard", "idcard", "身份证号第18位应为数字或 X");
    if (id[0] == '0') return cx_fail(e, 400, "invalid_idcard", "idcard", "身份证号前6位地区码无效（%.6s）", id);

    int y = digits_val(id + 6, 4), m = digits_val(id + 10, 2), d = digits_val(id + 12, 2);
    if (!date_valid_ymd(y, m, d))
        return cx_fail(e, 400, "invalid_idcard", "idcard", "身份证号中的出生日期无效（%.8s）", id + 6);
    char born[11], today[11];
    snprintf(born, sizeof born, "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
    date_today(today);
    if (date_cmp(born, today) > 0)
        return cx_fail(e, 400, "invalid_idcard", "idcard", "身份证号中的出生日期晚于今天（%04d-%02d-%02d）", y, m,
                       d);

    char want = idcard_check_char(id);
    if (id[17] != want) {
        /* A number Excel stored as a double keeps 15 significant digits: the tail becomes 000. */
        if (!strcmp(id + 15, "000"))
            return cx_fail(e, 400, "idcard_excel_number", "idcard",
                           "身份证号末尾几位变成了 0（%s），可能被 Excel 转成了数字，请把该列设为“文本”格式后重新填写",
                           id);
        return cx_fail(e, 400, "invalid_idcard", "idcard", "身份证号校验码错误（应为 %c），请核对号码", want);
    }
    if (out) memcpy(out, id, 19);
    return CX_OK;
}

void idcard_birth(const char *id, char out[11])
{
    snprintf(out, 11, "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
}

int idcard_sex(const char *id) { return (id[16] - '0') % 2 == 1 ? 1 : 2; }

void idcard_mask(const char *id, char out[19])
{
    size_t n = id ? strlen(id) : 0;
    if (n != 18) {
        /* Not a normalised id: reveal nothing. */
        if (n > 18) n = 18;
        memset(out, '*', n);
        out[n] = 0;
        return;
    }
    memcpy(out, id, 6);
    memset(out + 6, '*', 8);
    memcpy(out + 14, id + 14, 4);
    out[18] = 0;
}

/* ---- phones ---- */

#define PHONE_FMT_HINT "应为11位手机号，或带区号的固定电话（如 0371-12345678）"

/* Extension markers people write after a landline number. */
static const char *const ext_marks[] = {"转", "分机", "ext.", "EXT.", "Ext.", "ext", "EXT", "Ext", "x", "X", "#"};

int phone_validate(const char *in, char out[32], cx_err *e)
{
    const char *p;
    size_t n;
    if (!in) in = "";
    trim_span(in, &p, &n);
    if (n == 0) return cx_fail(e, 400, "invalid_phone", "phone", "联系电话不能为空");
    if (n > 48) return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：号码过长");
    if (memchr(p, '*', n) || memmem(p, n, "＊", 3))
        return cx_fail(e, 400, "phone_masked", "phone",
                       "联系电话是脱敏后的号码（含 *），请填写完整号码；从本系统导出再导入时，请使用“完整导出”的文件");

    char s[49];
    memcpy(s, p, n);
    s[n] = 0;

    /* Split off an explicit extension: "0371-12345678转801", "010-12345678 ext 12". */
    const char *ext = NULL;
    size_t main_len = n;
    for (size_t i = 0; i < n && !ext; i++) {
        if (is_digit(s[i])) continue; /* no marker starts with one */
        for (size_t k = 0; k < sizeof ext_marks / sizeof ext_marks[0]; k++) {
            size_t ml = strlen(ext_marks[k]);
            if (i > 0 && !strncmp(s + i, ext_marks[k], ml)) {
                main_len = i;
                ext = s + i + ml;
                break;
            }
        }
    }
    char extd[8];
    size_t extn = 0;
    if (ext) {
        for (const char *q = ext; *q; q++) {
            size_t sp = space_at(q);
            if (sp) {
                q += sp - 1;
                continue;
            }
            if (*q == '-' || *q == '.' || *q == ':') continue;
            if (!is_digit(*q) || extn >= 6)
                return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：分机号应为1-6位数字");
            extd[extn++] = *q;
        }
        if (extn == 0) return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：分机号应为1-6位数字");
        extd[extn] = 0;
    }

    /* The main part: digits with spaces, dashes and parentheses; '+' only in front. Remember
     * after how many digits each dash came, to find a dash-separated extension. */
    char d[40];
    size_t dn = 0;
    size_t seps[16];
    size_t nseps = 0;
    bool plus = false;
    for (size_t i = 0; i < main_len;) {
        size_t sp = space_at(s + i);
        if (sp) {
            i += sp;
            continue;
        }
        char c = s[i];
        if (is_digit(c)) {
            if (dn >= sizeof d - 1) return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：号码过长");
            d[dn++] = c;
        } else if (c == '-' || c == '(' || c == ')') {
            if (dn > 0 && nseps < 16) seps[nseps++] = dn;
        } else if (c == '+' && dn == 0 && !plus) {
            plus = true;
        } else {
            return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：含有无效字符，" PHONE_FMT_HINT);
        }
        i++;
    }
    d[dn] = 0;
    if (dn == 0) return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：" PHONE_FMT_HINT);

    /* The country code: +86 / 0086 / a bare 86 before a mobile number. */
    size_t off = 0;
    bool intl = false;
    if (plus) {
        if (dn < 2 || d[0] != '8' || d[1] != '6')
            return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：只支持中国大陆号码（+86）");
        off = 2, intl = true;
    } else if (dn > 4 && !strncmp(d, "0086", 4)) {
        off = 4, intl = true;
    } else if (dn == 13 && d[0] == '8' && d[1] == '6' && d[2] == '1') {
        off = 2;
    }
    const char *num = d + off;
    size_t nn = dn - off;

    if (num[0] == '1' && !(intl && (num[1] == '0' || num[1] == '2'))) {
        if (ext) return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：手机号不能带分机号");
        if (nn != 11)
            return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：手机号应为11位（当前为%zu位）", nn);
        if (num[1] < '3')
            return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：手机号第2位应为3-9");
        memcpy(out, num, 11);
        out[11] = 0;
        return CX_OK;
    }

    /* A landline. From abroad the trunk 0 is dropped (+86 10 ...): put it back. */
    char area[6];
    const char *local;
    if (num[0] == '0' || intl) {
        const char *a = num[0] == '0' ? num + 1 : num;
        if (a[0] < '1' || a[0] > '9')
            return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：区号不正确");
        /* 010 and 02x are three-digit area codes; all others have four digits. */
        size_t body = a[0] == '1' || a[0] == '2' ? 2 : 3;
        if ((size_t)(a - num) + body > nn)
            return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：" PHONE_FMT_HINT);
        area[0] = '0';
        memcpy(area + 1, a, body);
        area[body + 1] = 0;
        local = a + body;
    } else if (nn == 7 || nn == 8) {
        return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：固定电话请加区号，如 0371-12345678");
    } else {
        return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：" PHONE_FMT_HINT);
    }
    size_t ln = nn - (size_t)(local - num);
    size_t local_start = (size_t)(local - d); /* index in d where the local number begins */
    if (!ext && ln > 8) {
        /* "010-12345678-801": a dash after 7 or 8 local digits starts the extension. */
        for (size_t k = 0; k < nseps; k++) {
            if (seps[k] <= local_start) continue;
            size_t before = seps[k] - local_start;
            if ((before == 7 || before == 8) && before < ln && ln - before <= 6) {
                extn = ln - before;
                memcpy(extd, local + before, extn);
                extd[extn] = 0;
                ext = extd;
                ln = before;
                break;
            }
        }
    }
    if (ln != 7 && ln != 8)
        return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：固定电话号码（区号后）应为7-8位，当前为%zu位", ln);
    if (local[0] == '0')
        return cx_fail(e, 400, "invalid_phone", "phone", "联系电话格式不正确：区号后的号码不能以0开头");
    if (ext)
        snprintf(out, 32, "%s-%.*s-%s", area, (int)ln, local, extd);
    else
        snprintf(out, 32, "%s-%.*s", area, (int)ln, local);
    return CX_OK;
}

void phone_mask(const char *phone, char out[32])
{
    size_t n = phone ? strlen(phone) : 0;
    bool digits = n > 0;
    for (size_t i = 0; i < n; i++)
        if (!is_digit(phone[i])) digits = false;
    if (digits && n == 11 && phone[0] == '1') {
        snprintf(out, 32, "%.3s****%.4s", phone, phone + 7);
        return;
    }
    const char *dash = phone && phone[0] == '0' ? strchr(phone, '-') : NULL;
    if (dash) {
        size_t an = (size_t)(dash - phone);
        const char *loc = dash + 1;
        size_t ln = strcspn(loc, "-");
        if (an >= 3 && an <= 4 && ln >= 7 && ln <= 8) {
            /* Area code and the last two digits; the extension is left out. */
            memcpy(out, phone, an + 1);
            memset(out + an + 1, '*', ln - 2);
            memcpy(out + an + 1 + ln - 2, loc + ln - 2, 2);
            out[an + 1 + ln] = 0;
            return;
        }
    }
    /* Not a normalised number: reveal nothing. */
    if (n > 31) n = 31;
    memset(out, '*', n);
    out[n] = 0;
}
