/* member.c: validation of member records, shared by the form, the JSON API and roster import. */
#include "member.h"
#include "text.h"
#include "date.h"
#include "idcard.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The one table of roster columns and the headers offices write for them (docs/roster.md lists
 * them). Headers are matched after member_col_find's clean-up: white space anywhere in the
 * header ("姓  名", "身份证\n号码"), a required-marker ("*", "（必填）") and a trailing note in
 * brackets ("入党时间（年月日）") do not count. Columns not listed (序号, 备注, 籍贯, …) are
 * ignored. */
const member_col member_cols[] = {
    {"name", "姓名", "党员姓名", 1},
    {"sex", "性别", "", 0},
    {"ethnicity", "民族", "", 0},
    {"birth_date", "出生日期", "出生年月|出生年月日|出生时间", 0},
    {"idcard", "身份证号", "身份证号码|公民身份号码|公民身份证号码|身份证件号码|身份证|证件号码|身份号码", 1},
    {"phone", "联系电话", "手机|手机号|手机号码|移动电话|电话|电话号码|联系方式|联系电话号码", 0},
    {"joined_date", "入党时间", "入党日期|入党年月|加入党组织日期|加入中国共产党日期", 1},
    {"full_date", "转正时间", "转正日期|转正年月|转为正式党员日期", 0},
    {"education", "学历", "文化程度|最高学历", 0},
    {"post", "工作岗位", "岗位|职务|现任职务|工作职务|工作单位及职务", 0},
    {"duties", "岗位职责", "职责", 0},
    {"status", "党员状态", "党员类别|人员类别|党籍状态|党员身份", 0},
    {"org", "所在党组织", "党组织|所在支部|所在党支部|党组织名称|所属党组织|所属支部|所属党支部|支部名称|所在党组织名称", 0},
    {0, 0, 0, 0},
};

/* Length of a header without trailing white space and required-markers, in any order. */
static size_t strip_suffix(const char *s, size_t n)
{
    static const char *suffixes[] = {"*", "（必填）", "(必填)", "＊"};
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) n--;
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t k = strlen(suffixes[i]);
        if (n >= k && memcmp(s + n - k, suffixes[i], k) == 0) return strip_suffix(s, n - k);
    }
    return n;
}

static int col_match(const char *h, size_t n)
{
    for (int i = 0; member_cols[i].field; i++) {
        if (strlen(member_cols[i].label) == n && memcmp(member_cols[i].label, h, n) == 0) return i;
        const char *a = member_cols[i].aliases;
        while (a && *a) {
            const char *bar = strchr(a, '|');
            size_t k = bar ? (size_t)(bar - a) : strlen(a);
            if (k == n && memcmp(a, h, n) == 0) return i;
            a = bar ? bar + 1 : NULL;
        }
    }
    return -1;
}

int member_col_find(const char *header)
{
    /* The header without white space (ASCII, U+3000, U+00A0) anywhere, and without a leading "*". */
    char h[192];
    size_t n = 0;
    for (const unsigned char *u = (const unsigned char *)header; *u && n < sizeof h - 1;) {
        if (*u == ' ' || *u == '\t' || *u == '\r' || *u == '\n') u++;
        else if (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) u += 3;
        else if (u[0] == 0xC2 && u[1] == 0xA0) u += 2;
        else h[n++] = (char)*u++;
    }
    h[n] = 0;
    const char *p = h;
    while (*p == '*') p++, n--;
    if (!strncmp(p, "＊", 3)) p += 3, n -= 3;
    n = strip_suffix(p, n);
    int c = col_match(p, n);
    if (c >= 0 || n < 2) return c;
    /* A note in brackets at the end: "入党时间（年月日）", "身份证号码(18位)". */
    const char *open = NULL;
    bool ascii = p[n - 1] == ')', wide = n >= 3 && !memcmp(p + n - 3, "）", 3);
    for (const char *q = p; (ascii || wide) && q < p + n; q++)
        if (ascii ? *q == '(' : !strncmp(q, "（", 3)) open = q;
    if (!open || open == p) return -1;
    return col_match(p, strip_suffix(p, (size_t)(open - p)));
}

const char **member_in_slot(member_in *in, int i)
{
    static const size_t off[] = {
        offsetof(member_in, name), offsetof(member_in, sex), offsetof(member_in, ethnicity),
        offsetof(member_in, birth_date), offsetof(member_in, idcard), offsetof(member_in, phone),
        offsetof(member_in, joined_date), offsetof(member_in, full_date), offsetof(member_in, education),
        offsetof(member_in, post), offsetof(member_in, duties), offsetof(member_in, status),
    };
    if (i < 0 || (size_t)i >= sizeof off / sizeof off[0]) return NULL; /* "org" has no slot */
    return (const char **)((char *)in + off[i]);
}

const char *member_rec_get(const member_rec *r, const char *f)
{
    if (!strcmp(f, "name")) return r->name;
    if (!strcmp(f, "sex")) return r->sex;
    if (!strcmp(f, "ethnicity")) return r->ethnicity;
    if (!strcmp(f, "birth_date")) return r->birth_date;
    if (!strcmp(f, "idcard")) return r->idcard;
    if (!strcmp(f, "phone")) return r->phone;
    if (!strcmp(f, "joined_date")) return r->joined_date;
    if (!strcmp(f, "full_date")) return r->full_date;
    if (!strcmp(f, "education")) return r->education;
    if (!strcmp(f, "post")) return r->post;
    if (!strcmp(f, "duties")) return r->duties;
    if (!strcmp(f, "status")) return r->status;
    return NULL;
}

const char *member_status_label(const char *status)
{
    return strcmp(status, "probationary") == 0 ? "预备党员" : "正式党员";
}

/* The 56 民族 by their official names; an entry written without the final "族" (汉, 蒙古,
 * 维吾尔) is read as the full name. */
static const char *const ethnicities[] = {
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族", "白族",
    "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族",
    "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族",
    "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族",
    "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
};

const char *member_ethnicity_full(const char *v)
{
    size_t n = strlen(v);
    for (size_t i = 0; i < sizeof ethnicities / sizeof ethnicities[0]; i++) {
        size_t k = strlen(ethnicities[i]);
        if ((k == n || k == n + 3) && !memcmp(ethnicities[i], v, n)) return ethnicities[i];
    }
    return NULL;
}

typedef struct errs {
    cx_err *v;
    int n, max;
} errs;

static cx_err *add(errs *E)
{
    static __thread cx_err sink;
    E->n++;
    return E->n <= E->max ? &E->v[E->n - 1] : &sink;
}

/* Given means something is left after trimming exactly as str_trim does (incl. U+3000). */
static bool given(const char *s)
{
    const char *b = s ? s : "";
    size_t n = strlen(b);
    text_span(&b, &n);
    return n > 0;
}

/* The texts of a member, by the one rule for text fields (domain/text.h). */
static const text_rule T_NAME = {"name", "姓名", 1, 20, true}, T_ETHNICITY = {"ethnicity", "民族", 0, 10, false},
                       T_EDUCATION = {"education", "学历", 0, 20, false}, T_POST = {"post", "工作岗位", 0, 50, false},
                       T_DUTIES = {"duties", "岗位职责", 0, 300, false};

/* The trimmed text into dst (size cap) when it passes r; otherwise one more error in E. */
static void text_field(errs *E, const text_rule *r, const char *src, char *dst, size_t cap)
{
    cx_err e;
    if (text_check(r, src, dst, cap, &e) != CX_OK) *add(E) = e;
}

static int validate(const member_in *in, bool birth_month_ok, member_rec *out, cx_err *ev, int maxerr);

int member_validate(const member_in *in, member_rec *out, cx_err *ev, int maxerr) { return validate(in, false, out, ev, maxerr); }

int member_validate_row(const member_in *in, member_rec *out, cx_err *ev, int maxerr)
{
    return validate(in, true, out, ev, maxerr);
}

static int validate(const member_in *in, bool birth_month_ok, member_rec *out, cx_err *ev, int maxerr)
{
    errs E = {ev, 0, maxerr};
    memset(out, 0, sizeof *out);
    char today[11];
    date_today(today);

    text_field(&E, &T_NAME, in->name, out->name, sizeof out->name);

    bool id_ok = false;
    if (!given(in->idcard)) cx_fail(add(&E), 400, "required", "idcard", "身份证号不能为空");
    else if (idcard_validate(in->idcard, out->idcard, add(&E)) == CX_OK) {
        E.n--; /* no error after all */
        id_ok = true;
    }

    if (id_ok) {
        idcard_birth(out->idcard, out->birth_date);
        snprintf(out->sex, sizeof out->sex, "%s", idcard_sex(out->idcard) == 1 ? "男" : "女");
    }
    if (given(in->birth_date)) {
        /* A full date, or (as 出生年月 columns hold) a month or a year, compared with the
         * number's date to that precision. */
        char bd[11], tmp[16];
        size_t prec = 10;
        cx_err ign;
        snprintf(tmp, sizeof tmp, "%s", in->birth_date);
        str_trim(tmp);
        size_t tl = strlen(tmp);
        if (tl >= 3 && !strcmp(tmp + tl - 3, "年")) tmp[tl -= 3] = 0;
        if (!birth_month_ok) {
        } else if (tl == 4 && strspn(tmp, "0123456789") == 4 && atoi(tmp) >= 1900 && atoi(tmp) <= 2100) {
            snprintf(bd, sizeof bd, "%s-01-01", tmp);
            prec = 4;
        } else if (date_parse(in->birth_date, false, "birth_date", "出生日期", bd, &ign) != CX_OK &&
                   date_parse(in->birth_date, true, "birth_date", "出生日期", bd, &ign) == CX_OK)
            prec = 7;
        if (prec < 10 || date_parse(in->birth_date, false, "birth_date", "出生日期", bd, add(&E)) == CX_OK) {
            if (prec == 10) E.n--;
            if (id_ok && strncmp(bd, out->birth_date, prec) != 0)
                /* the number's own date is never named: with the mask and the birth year it would give the number back */
                cx_fail(add(&E), 400, "birth_date_mismatch", "birth_date", "出生日期 %.*s 与身份证号中的出生日期不一致",
                        (int)prec, bd);
            else if (!id_ok && prec == 10) memcpy(out->birth_date, bd, 11);
        }
    }
    if (given(in->sex)) {
        char sx[16];
        snprintf(sx, sizeof sx, "%s", in->sex);
        str_trim(sx);
        const char *norm = NULL;
        if (!strcmp(sx, "男") || !strcmp(sx, "男性") || !strcmp(sx, "M") || !strcmp(sx, "m")) norm = "男";
        else if (!strcmp(sx, "女") || !strcmp(sx, "女性") || !strcmp(sx, "F") || !strcmp(sx, "f")) norm = "女";
        if (!norm) cx_fail(add(&E), 400, "invalid_sex", "sex", "性别应为“男”或“女”");
        else if (id_ok && strcmp(norm, out->sex) != 0)
            cx_fail(add(&E), 400, "sex_mismatch", "sex", "性别“%s”与身份证号（第17位表示%s）不一致", norm, out->sex);
        else if (!id_ok) snprintf(out->sex, sizeof out->sex, "%s", norm);
    }

    text_field(&E, &T_ETHNICITY, in->ethnicity, out->ethnicity, sizeof out->ethnicity);
    const char *eth = member_ethnicity_full(out->ethnicity);
    if (eth) snprintf(out->ethnicity, sizeof out->ethnicity, "%s", eth);
    text_field(&E, &T_EDUCATION, in->education, out->education, sizeof out->education);
    text_field(&E, &T_POST, in->post, out->post, sizeof out->post);
    text_field(&E, &T_DUTIES, in->duties, out->duties, sizeof out->duties);

    if (given(in->phone)) {
        if (phone_validate(in->phone, out->phone, add(&E)) == CX_OK) E.n--;
    }

    bool prob = false;
    if (given(in->status)) {
        char st[32];
        snprintf(st, sizeof st, "%s", in->status);
        str_trim(st);
        if (!strcmp(st, "正式") || !strcmp(st, "正式党员") || !strcmp(st, "full")) prob = false;
        else if (!strcmp(st, "预备") || !strcmp(st, "预备党员") || !strcmp(st, "probationary")) prob = true;
        else cx_fail(add(&E), 400, "invalid_status", "status", "党员状态应为“正式党员”或“预备党员”");
    }
    snprintf(out->status, sizeof out->status, "%s", prob ? "probationary" : "full");

    bool joined_ok = false;
    if (!given(in->joined_date)) cx_fail(add(&E), 400, "required", "joined_date", "入党时间不能为空");
    else if (date_parse(in->joined_date, true, "joined_date", "入党时间", out->joined_date, add(&E)) == CX_OK) {
        E.n--;
        char adult[11] = "";
        if (out->birth_date[0]) date_add_years(out->birth_date, 18, adult);
        if (date_cmp(out->joined_date, today) > 0)
            cx_fail(add(&E), 400, "date_in_future", "joined_date", "入党时间 %s 晚于今天", out->joined_date);
        else if (adult[0] && date_cmp(out->joined_date, adult) < 0)
            cx_fail(add(&E), 400, "joined_too_young", "joined_date", "入党时间 %s 早于本人年满18周岁（按身份证号中的出生日期）", out->joined_date);
        else joined_ok = true;
    }
    if (given(in->full_date)) {
        if (prob) cx_fail(add(&E), 400, "full_date_probationary", "full_date", "预备党员不应填写转正时间");
        else if (date_parse(in->full_date, true, "full_date", "转正时间", out->full_date, add(&E)) == CX_OK) {
            E.n--;
            if (date_cmp(out->full_date, today) > 0)
                cx_fail(add(&E), 400, "date_in_future", "full_date", "转正时间 %s 晚于今天", out->full_date);
            else if (joined_ok && date_cmp(out->full_date, out->joined_date) <= 0)
                cx_fail(add(&E), 400, "full_before_joined", "full_date", "转正时间 %s 应晚于入党时间 %s", out->full_date,
                        out->joined_date);
        }
    }
    return E.n;
}
