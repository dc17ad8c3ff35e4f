/* xlsx_read.c: streaming reader for the first worksheet of an XLSX package (libzip + expat). */
#include "tabfile_priv.h"
#include "../domain/date.h"
#include <ctype.h>
#include <expat.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#define CHUNK (64 << 10)
#define SST_MAX_BYTES (256u << 20)
#define SST_MAX_COUNT (16u << 20)
#define MAX_XF 65536
#define MAX_PARTS 4096 /* sheets, relationships, custom number formats */

#define MSG_BAD "不是有效的 Excel（.xlsx）文件，或文件已损坏"
/* A zip bomb: an 8.4 MB .xlsx inflated to 8 GiB and took 12 s of CPU. Every part is read through
 * read_part, which counts what the archive inflates to, across all its parts, and stops at
 * INFLATE_RATIO times the archive's size (a real roster inflates about 5–15 times), at least
 * INFLATE_MIN and at most INFLATE_MAX. The count is of bytes actually inflated, not the sizes the
 * archive claims. */
#define INFLATE_RATIO 40
#define INFLATE_MIN (32ull << 20)
#define INFLATE_MAX (1ull << 30)

enum { CT_N, CT_S, CT_INLINE, CT_STR, CT_B, CT_E, CT_D };

struct xlsx_reader {
    zip_t *za;
    zip_file_t *zf;   /* the worksheet */
    XML_Parser xp;    /* the worksheet's parser */
    XML_Parser cur;   /* the parser running now, for aborts from handlers */
    void *aux;        /* per-part parsing state */
    tab_row *row;
    /* shared strings: NUL-terminated texts back to back, the i-th at sst.p + sst_off[i] */
    buf sst;
    size_t *sst_off, sst_n, sst_cap;
    bool in_si, in_t;
    int rph; /* depth inside <rPh> (phonetic runs, not part of the text) */
    /* styles: whether each cellXfs entry has a date format, and to what precision (DATE_*) */
    unsigned char *xf_date;
    size_t n_xf;
    bool date1904;
    /* worksheet */
    bool suspended, final, row_ready, in_row, in_c, in_v, in_is;
    size_t rowno, col, c_col, c_style;
    int c_type;
    buf text;
    bool failed;
    char msg[256];
    unsigned long long inflated, inflate_cap; /* bytes inflated so far, and the most allowed */
};

/* zip_fread with the inflation count; CX_ERR (e filled) past the cap. */
static zip_int64_t read_part(xlsx_reader *x, zip_file_t *zf, void *b, cx_err *e)
{
    zip_int64_t n = zip_fread(zf, b, CHUNK);
    if (n > 0 && (x->inflated += (unsigned long long)n) > x->inflate_cap) {
        cx_fail(e, 400, "xlsx_too_large", "file", "Excel 文件解压后超过 %llu MB（是文件大小的 %d 倍以上），不像正常的名册，已拒绝",
                x->inflate_cap >> 20, INFLATE_RATIO);
        return -2;
    }
    return n;
}

static const char *local(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

static const char *attr(const XML_Char **a, const char *name)
{
    for (; *a; a += 2)
        if (strcmp(local(a[0]), name) == 0) return a[1];
    return NULL;
}

/* Stops the running parser for good with a message for the user. */
static void xfail(xlsx_reader *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void xfail(xlsx_reader *x, const char *fmt, ...)
{
    if (x->failed) return;
    x->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->msg, sizeof x->msg, fmt, ap);
    va_end(ap);
    XML_StopParser(x->cur, XML_FALSE);
}

/* Appends character data to x->text, within the per-cell limit. */
static void text_add(xlsx_reader *x, const XML_Char *s, int len)
{
    if (x->text.len + (size_t)len > TAB_MAX_CELL_BYTES) {
        xfail(x, "Excel 文件中有单元格内容过长（超过 1 MB）");
        return;
    }
    buf_add(&x->text, s, (size_t)len);
}

static void doctype_reject(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                           int has_internal_subset)
{
    xfail(ud, MSG_BAD "（含有不支持的 DTD）");
}

static XML_Parser new_parser(xlsx_reader *x, XML_StartElementHandler st, XML_EndElementHandler en,
                             XML_CharacterDataHandler cd)
{
    XML_Parser p = XML_ParserCreate("UTF-8");
    if (!p) return NULL;
    XML_SetUserData(p, x);
    XML_SetElementHandler(p, st, en);
    if (cd) XML_SetCharacterDataHandler(p, cd);
    XML_SetStartDoctypeDeclHandler(p, doctype_reject);
    return p;
}

static zip_int64_t locate(zip_t *za, const char *name)
{
    zip_int64_t i = zip_name_locate(za, name, 0);
    return i >= 0 ? i : zip_name_locate(za, name, ZIP_FL_NOCASE);
}

static int xml_error(xlsx_reader *x, XML_Parser p, const char *part, cx_err *e)
{
    if (x->failed) return cx_fail(e, 400, "bad_xlsx", "file", "%s", x->msg);
    if (XML_GetErrorCode(p) == XML_ERROR_NO_MEMORY)
        return cx_fail(e, 400, "bad_xlsx", "file", "Excel 文件过大，无法读取");
    return cx_fail(e, 400, "bad_xlsx", "file", MSG_BAD "（%s 第 %lu 行格式错误）", part,
                   (unsigned long)XML_GetCurrentLineNumber(p));
}

/* Streams one package part through a fresh parser. CX_OK, CX_ERR with e, or 1 when the part
 * does not exist. */
static int parse_part(xlsx_reader *x, const char *name, XML_StartElementHandler st, XML_EndElementHandler en,
                      XML_CharacterDataHandler cd, cx_err *e)
{
    zip_int64_t idx = locate(x->za, name);
    if (idx < 0) return 1;
    zip_file_t *zf = zip_fopen_index(x->za, (zip_uint64_t)idx, 0);
    if (!zf) return cx_fail(e, 400, "bad_xlsx", "file", MSG_BAD "（无法读取 %s）", name);
    XML_Parser p = new_parser(x, st, en, cd);
    if (!p) {
        zip_fclose(zf);
        return cx_fail(e, 500, "bad_xlsx", "file", "内存不足，无法读取 Excel 文件");
    }
    x->cur = p;
    int rc = CX_OK;
    for (;;) {
        void *b = XML_GetBuffer(p, CHUNK);
        if (!b) {
            rc = cx_fail(e, 400, "bad_xlsx", "file", "Excel 文件过大，无法读取");
            break;
        }
        zip_int64_t n = read_part(x, zf, b, e);
        if (n == -2) {
            rc = CX_ERR;
            break;
        }
        if (n < 0) {
            rc = cx_fail(e, 400, "bad_xlsx", "file", MSG_BAD "（%s 数据损坏）", name);
            break;
        }
        if (XML_ParseBuffer(p, (int)n, n == 0) != XML_STATUS_OK) {
            rc = xml_error(x, p, name, e);
            break;
        }
        if (n == 0) break;
    }
    x->cur = NULL;
    XML_ParserFree(p);
    zip_fclose(zf);
    return rc;
}

/* ---- workbook: which part is the first worksheet ---- */

typedef struct {
    char *id, *target; /* id: r:id of a <sheet>, or Id of a <Relationship> */
    bool flag;         /* sheet: hidden; relationship: points at a worksheet */
} wb_item;

typedef struct {
    wb_item *sheets, *rels;
    size_t ns, nr;
} wb_info;

static void wb_push(wb_item **arr, size_t *n, const char *id, const char *target, bool flag)
{
    if (!id || *n >= MAX_PARTS) return;
    *arr = xrealloc(*arr, (*n + 1) * sizeof **arr);
    (*arr)[*n] = (wb_item){xstrdup(id), target ? xstrdup(target) : NULL, flag};
    (*n)++;
}

static void wb_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    xlsx_reader *x = ud;
    wb_info *w = x->aux;
    const char *n = local(name);
    if (strcmp(n, "workbookPr") == 0) {
        const char *v = attr(a, "date1904");
        x->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    } else if (strcmp(n, "sheet") == 0) {
        const char *state = attr(a, "state");
        wb_push(&w->sheets, &w->ns, attr(a, "id"), NULL, state && strcmp(state, "visible") != 0);
    }
}

static void rels_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    xlsx_reader *x = ud;
    wb_info *w = x->aux;
    if (strcmp(local(name), "Relationship") != 0) return;
    const char *type = attr(a, "Type"), *target = attr(a, "Target");
    size_t tl = type ? strlen(type) : 0;
    bool ws = tl >= 10 && strcmp(type + tl - 10, "/worksheet") == 0;
    if (target) wb_push(&w->rels, &w->nr, attr(a, "Id"), target, ws);
}

static void no_end(void *ud, const XML_Char *name) {}

static void wb_free(wb_info *w)
{
    for (size_t i = 0; i < w->ns; i++) free(w->sheets[i].id), free(w->sheets[i].target);
    for (size_t i = 0; i < w->nr; i++) free(w->rels[i].id), free(w->rels[i].target);
    free(w->sheets);
    free(w->rels);
}

/* The package path of the first worksheet (visible ones first); caller frees. Falls back to
 * xl/worksheets/sheet1.xml when the workbook does not say. */
static int find_sheet(xlsx_reader *x, char **path, cx_err *e)
{
    wb_info w = {0};
    x->aux = &w;
    int rc = parse_part(x, "xl/workbook.xml", wb_start, no_end, NULL, e);
    if (rc == CX_OK) rc = parse_part(x, "xl/_rels/workbook.xml.rels", rels_start, no_end, NULL, e);
    x->aux = NULL;
    if (rc == CX_ERR) {
        wb_free(&w);
        return CX_ERR;
    }
    const char *target = NULL;
    for (int pass = 0; pass < 2 && !target; pass++)
        for (size_t i = 0; i < w.ns && !target; i++) {
            if (pass == 0 && w.sheets[i].flag) continue;
            for (size_t k = 0; k < w.nr; k++)
                if (w.rels[k].flag && strcmp(w.rels[k].id, w.sheets[i].id) == 0) {
                    target = w.rels[k].target;
                    break;
                }
        }
    if (!target) *path = xstrdup("xl/worksheets/sheet1.xml");
    else if (target[0] == '/') *path = xstrdup(target + 1);
    else *path = xasprintf("xl/%s", target);
    wb_free(&w);
    return CX_OK;
}

/* ---- shared strings ---- */

static void sst_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    xlsx_reader *x = ud;
    const char *n = local(name);
    if (strcmp(n, "si") == 0) {
        x->in_si = true;
        x->rph = 0;
        buf_reset(&x->text);
    } else if (strcmp(n, "rPh") == 0) {
        x->rph++;
    } else if (strcmp(n, "t") == 0 && x->in_si && x->rph == 0) {
        x->in_t = true;
    }
}

static void sst_end(void *ud, const XML_Char *name)
{
    xlsx_reader *x = ud;
    const char *n = local(name);
    if (strcmp(n, "t") == 0) {
        x->in_t = false;
    } else if (strcmp(n, "rPh") == 0) {
        if (x->rph > 0) x->rph--;
    } else if (strcmp(n, "si") == 0 && x->in_si) {
        x->in_si = false;
        if (x->sst_n >= SST_MAX_COUNT || x->sst.len + x->text.len > SST_MAX_BYTES) {
            xfail(x, "Excel 文件过大（文字内容超过 256 MB），请拆分后再导入");
            return;
        }
        if (x->sst_n == x->sst_cap) {
            x->sst_cap = x->sst_cap ? x->sst_cap * 2 : 1024;
            x->sst_off = xrealloc(x->sst_off, x->sst_cap * sizeof *x->sst_off);
        }
        x->sst_off[x->sst_n++] = x->sst.len;
        buf_add(&x->sst, x->text.p, x->text.len);
        buf_addc(&x->sst, 0);
    }
}

static void text_cd(void *ud, const XML_Char *s, int len)
{
    xlsx_reader *x = ud;
    if (x->in_t || x->in_v) text_add(x, s, len);
}

/* ---- styles: which cell formats show dates ---- */

typedef struct {
    int *cust_id;
    unsigned char *cust_date;
    size_t nc;
    int *xf_fmt;
    size_t nx;
    bool in_numfmts, in_cellxfs;
} style_info;

/* What a date format shows: not a date, a day, a month ("yyyy/m", "mmm-yy": a 出生年月 column)
 * or a year alone. */
enum { DATE_NONE, DATE_DAY, DATE_MONTH, DATE_YEAR };

static unsigned char builtin_date(int id)
{
    if (id == 17) return DATE_MONTH; /* mmm-yy */
    return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58) ? DATE_DAY
                                                                                                                 : DATE_NONE;
}

/* Whether a number format code shows a date: it has a year, a day, or a month without hours
 * or seconds ("mm:ss" and "h:mm" are times). Quoted text, escaped characters and bracketed
 * parts ([Red], [$-804]) are skipped; an elapsed-time bracket ([h], [mm]) counts as a time.
 * Returns DATE_DAY, or DATE_MONTH / DATE_YEAR for a code with a year and no day ("yyyy/m",
 * "yyyy"年"m"月"; "yyyy"), else DATE_NONE. */
static unsigned char date_format(const char *f)
{
    bool y = false, m = false, d = false, hs = false;
    for (; *f; f++) {
        char c = (char)tolower((unsigned char)*f);
        if (c == '"') {
            while (f[1] && f[1] != '"') f++;
            if (f[1]) f++;
        } else if (c == '[') {
            const char *b = f + 1;
            char k = (char)tolower((unsigned char)*b);
            size_t n = 0;
            while (b[n] && b[n] != ']' && tolower((unsigned char)b[n]) == k) n++;
            if (n && b[n] == ']' && (k == 'h' || k == 'm' || k == 's')) hs = true;
            while (f[1] && f[1] != ']') f++;
            if (f[1]) f++;
        } else if (c == '\\' || c == '_' || c == '*') {
            if (f[1]) f++;
        } else if (c == 'y' || c == 'e') {
            y = true;
        } else if (c == 'm') {
            m = true;
        } else if (c == 'd') {
            d = true;
        } else if (c == 'h' || c == 's') {
            hs = true;
        }
    }
    if (!(y || d || (m && !hs))) return DATE_NONE;
    if (y && !d && !hs) return m ? DATE_MONTH : DATE_YEAR;
    return DATE_DAY;
}

static int int_attr(const XML_Char **a, const char *name, int dflt)
{
    const char *v = attr(a, name);
    if (!v) return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    return end != v && *end == 0 && n >= 0 && n < 1000000 ? (int)n : dflt;
}

static void styles_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    xlsx_reader *x = ud;
    style_info *s = x->aux;
    const char *n = local(name);
    if (strcmp(n, "numFmts") == 0) {
        s->in_numfmts = true;
    } else if (strcmp(n, "cellXfs") == 0) {
        s->in_cellxfs = true;
    } else if (strcmp(n, "numFmt") == 0 && s->in_numfmts && s->nc < MAX_PARTS) {
        const char *code = attr(a, "formatCode");
        s->cust_id = xrealloc(s->cust_id, (s->nc + 1) * sizeof *s->cust_id);
        s->cust_date = xrealloc(s->cust_date, (s->nc + 1) * sizeof *s->cust_date);
        s->cust_id[s->nc] = int_attr(a, "numFmtId", -1);
        s->cust_date[s->nc] = code ? date_format(code) : DATE_NONE;
        s->nc++;
    } else if (strcmp(n, "xf") == 0 && s->in_cellxfs) {
        if (s->nx >= MAX_XF) {
            xfail(x, MSG_BAD "（单元格样式过多）");
            return;
        }
        s->xf_fmt = xrealloc(s->xf_fmt, (s->nx + 1) * sizeof *s->xf_fmt);
        s->xf_fmt[s->nx++] = int_attr(a, "numFmtId", 0);
    }
}

static void styles_end(void *ud, const XML_Char *name)
{
    xlsx_reader *x = ud;
    style_info *s = x->aux;
    const char *n = local(name);
    if (strcmp(n, "numFmts") == 0) s->in_numfmts = false;
    else if (strcmp(n, "cellXfs") == 0) s->in_cellxfs = false;
}

static int load_styles(xlsx_reader *x, cx_err *e)
{
    style_info s = {0};
    x->aux = &s;
    int rc = parse_part(x, "xl/styles.xml", styles_start, styles_end, NULL, e);
    x->aux = NULL;
    if (rc != CX_ERR && s.nx) {
        x->n_xf = s.nx;
        x->xf_date = xcalloc(s.nx, 1);
        for (size_t i = 0; i < s.nx; i++) {
            int id = s.xf_fmt[i];
            bool custom = false;
            unsigned char date = DATE_NONE;
            for (size_t k = 0; k < s.nc && !custom; k++)
                if (s.cust_id[k] == id) custom = true, date = s.cust_date[k];
            x->xf_date[i] = custom ? date : builtin_date(id);
        }
    }
    free(s.cust_id);
    free(s.cust_date);
    free(s.xf_fmt);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* ---- worksheet ---- */

/* Column index (0-based) from a reference such as "B3"; -1 when it has no valid column. */
static long ref_col(const char *r)
{
    long c = 0;
    int k = 0;
    for (; *r && k < 4; r++, k++) {
        char ch = (char)toupper((unsigned char)*r);
        if (ch < 'A' || ch > 'Z') break;
        c = c * 26 + (ch - 'A' + 1);
    }
    if (k == 0 || (*r && (*r < '0' || *r > '9'))) return -1;
    return c - 1;
}

/* A number as Excel's General format shows it: integers below 10^15 in full ("13800138000"),
 * anything else with 15 significant digits, large values in E notation: 440106199001011234
 * becomes "4.40106199001011E+17". Text that is not a number is kept as it is. */
static const char *number_text(const char *v, char out[64])
{
    char *end;
    double d = strtod(v, &end);
    while (end != v && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')) end++;
    if (end == v || *end || !isfinite(d)) return v;
    if (d == 0) d = 0; /* no "-0" */
    if (d == floor(d) && fabs(d) < 1e15) snprintf(out, 64, "%.0f", d);
    else snprintf(out, 64, "%.15G", d);
    return out;
}

static void sheet_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    xlsx_reader *x = ud;
    const char *n = local(name);
    if (x->in_c) {
        if (strcmp(n, "v") == 0) {
            x->in_v = true;
        } else if (strcmp(n, "is") == 0) {
            x->in_is = true;
        } else if (x->in_is && strcmp(n, "rPh") == 0) {
            x->rph++;
        } else if (x->in_is && x->rph == 0 && strcmp(n, "t") == 0) {
            x->in_t = true;
        }
    } else if (strcmp(n, "row") == 0) {
        const char *r = attr(a, "r");
        char *end;
        unsigned long v = r ? strtoul(r, &end, 10) : 0;
        x->rowno = r && end != r && *end == 0 && v > 0 ? (size_t)v : x->rowno + 1;
        tab_row_reset(x->row);
        x->col = 0;
        x->in_row = true;
    } else if (strcmp(n, "c") == 0 && x->in_row) {
        const char *r = attr(a, "r"), *t = attr(a, "t");
        long c = r ? ref_col(r) : -1;
        x->c_col = c >= 0 ? (size_t)c : x->col;
        x->c_type = !t                            ? CT_N
                    : strcmp(t, "s") == 0         ? CT_S
                    : strcmp(t, "inlineStr") == 0 ? CT_INLINE
                    : strcmp(t, "str") == 0       ? CT_STR
                    : strcmp(t, "b") == 0         ? CT_B
                    : strcmp(t, "e") == 0         ? CT_E
                    : strcmp(t, "d") == 0         ? CT_D
                                                  : CT_N;
        x->c_style = (size_t)int_attr(a, "s", 0);
        buf_reset(&x->text);
        x->in_c = true;
        x->rph = 0;
    }
}

/* Turns the collected value of the cell that just ended into text and places it in its column. */
static void cell_end(xlsx_reader *x)
{
    const char *v = x->text.p ? x->text.p : "";
    char tmp[64];
    switch (x->c_type) {
    case CT_S: {
        char *end;
        unsigned long i = strtoul(v, &end, 10);
        if (end == v || *end || i >= x->sst_n) {
            xfail(x, MSG_BAD "（第 %zu 行引用了不存在的共享字符串）", x->rowno);
            return;
        }
        v = x->sst.p + x->sst_off[i];
        break;
    }
    case CT_B:
        if (strcmp(v, "1") == 0) v = "TRUE";
        else if (strcmp(v, "0") == 0) v = "FALSE";
        break;
    case CT_D: { /* ISO 8601 "2023-01-01T00:00:00": the date part */
        char head[11], d[11];
        if (strlen(v) < 10) break;
        memcpy(head, v, 10);
        head[10] = 0;
        if (date_parse(head, false, NULL, NULL, d, NULL) == CX_OK) v = memcpy(tmp, d, sizeof d);
        break;
    }
    case CT_N:
        if (*v) {
            char *end;
            double d = strtod(v, &end);
            if (x->c_style < x->n_xf && x->xf_date[x->c_style] && end != v && *end == 0 &&
                date_from_excel_serial(d + (x->date1904 ? 1462 : 0), tmp) == CX_OK) {
                v = tmp;
                if (x->xf_date[x->c_style] == DATE_MONTH) tmp[7] = 0; /* "1985-03": the sheet shows no day */
                else if (x->xf_date[x->c_style] == DATE_YEAR) tmp[4] = 0;
            }
            else
                v = number_text(v, tmp);
        }
        break;
    default:
        break;
    }
    if (!*v) return; /* empty cells are filled in only where a later cell needs them */
    if (x->c_col < x->row->n) {
        xfail(x, MSG_BAD "（第 %zu 行单元格顺序错误）", x->rowno);
        return;
    }
    if (x->c_col >= TAB_MAX_FIELDS) {
        xfail(x, MSG_BAD "（第 %zu 行列数超过 16384）", x->rowno);
        return;
    }
    while (x->row->n < x->c_col) tab_row_add(x->row, "", 0);
    tab_row_add(x->row, v, strlen(v));
    if (x->row->data.len > TAB_MAX_ROW_BYTES) xfail(x, "Excel 文件第 %zu 行内容过长", x->rowno);
}

static void sheet_end(void *ud, const XML_Char *name)
{
    xlsx_reader *x = ud;
    const char *n = local(name);
    if (x->in_c) {
        if (strcmp(n, "v") == 0) {
            x->in_v = false;
        } else if (strcmp(n, "t") == 0) {
            x->in_t = false;
        } else if (strcmp(n, "rPh") == 0) {
            if (x->rph > 0) x->rph--;
        } else if (strcmp(n, "is") == 0) {
            x->in_is = false;
        } else if (strcmp(n, "c") == 0) {
            x->in_c = x->in_v = x->in_is = x->in_t = false;
            cell_end(x);
            x->col = x->c_col + 1;
        }
    } else if (strcmp(n, "row") == 0 && x->in_row) {
        x->in_row = false;
        x->row_ready = true;
        XML_StopParser(x->xp, XML_TRUE);
    }
}

/* ---- opening and reading ---- */

static xlsx_reader *xlsx_init(zip_t *za, size_t archive, tab_row *row, cx_err *e)
{
    xlsx_reader *x = xcalloc(1, sizeof *x);
    x->za = za;
    unsigned long long cap = (unsigned long long)archive * INFLATE_RATIO;
    x->inflate_cap = cap < INFLATE_MIN ? INFLATE_MIN : cap > INFLATE_MAX ? INFLATE_MAX : cap;
    x->row = row;
    buf_init(&x->sst);
    buf_init(&x->text);
    char *path = NULL;
    if (find_sheet(x, &path, e) != CX_OK) goto fail;
    int rc = parse_part(x, "xl/sharedStrings.xml", sst_start, sst_end, text_cd, e);
    if (rc == CX_ERR || load_styles(x, e) != CX_OK) goto fail;
    buf_free(&x->text);
    zip_int64_t idx = locate(za, path);
    if (idx < 0) {
        cx_fail(e, 400, "bad_xlsx", "file", MSG_BAD "（没有找到工作表）");
        goto fail;
    }
    if (!(x->zf = zip_fopen_index(za, (zip_uint64_t)idx, 0))) {
        cx_fail(e, 400, "bad_xlsx", "file", MSG_BAD "（无法读取工作表）");
        goto fail;
    }
    if (!(x->xp = new_parser(x, sheet_start, sheet_end, text_cd))) {
        cx_fail(e, 500, "bad_xlsx", "file", "内存不足，无法读取 Excel 文件");
        goto fail;
    }
    x->cur = x->xp;
    free(path);
    return x;
fail:
    free(path);
    xlsx_close(x);
    return NULL;
}

static void zip_fail(int code, cx_err *e)
{
    if (code == ZIP_ER_MEMORY) cx_fail(e, 500, "bad_xlsx", "file", "内存不足，无法读取 Excel 文件");
    else if (code == ZIP_ER_OPEN || code == ZIP_ER_READ || code == ZIP_ER_NOENT)
        cx_fail(e, 400, "bad_file", "file", "无法读取文件");
    else cx_fail(e, 400, "bad_xlsx", "file", MSG_BAD "（可能未完整上传）");
}

xlsx_reader *xlsx_open_path(const char *path, tab_row *row, cx_err *e)
{
    int code = 0;
    zip_t *za = zip_open(path, ZIP_RDONLY, &code);
    if (!za) {
        zip_fail(code, e);
        return NULL;
    }
    struct stat st;
    return xlsx_init(za, stat(path, &st) == 0 ? (size_t)st.st_size : 0, row, e);
}

xlsx_reader *xlsx_open_mem(const void *data, size_t len, tab_row *row, cx_err *e)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!za) {
        zip_fail(zip_error_code_zip(&ze), e);
        if (src) zip_source_free(src);
        zip_error_fini(&ze);
        return NULL;
    }
    zip_error_fini(&ze);
    return xlsx_init(za, len, row, e);
}

int xlsx_next(xlsx_reader *x, size_t *rowno, cx_err *e)
{
    x->row_ready = false;
    for (;;) {
        enum XML_Status st;
        if (x->suspended) {
            x->suspended = false;
            st = XML_ResumeParser(x->xp);
        } else if (x->final) {
            return 0;
        } else {
            void *b = XML_GetBuffer(x->xp, CHUNK);
            if (!b) return cx_fail(e, 400, "bad_xlsx", "file", "Excel 文件过大，无法读取");
            zip_int64_t n = read_part(x, x->zf, b, e);
            if (n == -2) return CX_ERR;
            if (n < 0) return cx_fail(e, 400, "bad_xlsx", "file", MSG_BAD "（工作表数据损坏）");
            x->final = n == 0;
            st = XML_ParseBuffer(x->xp, (int)n, x->final);
        }
        if (st == XML_STATUS_ERROR) return xml_error(x, x->xp, "工作表", e);
        if (st == XML_STATUS_SUSPENDED) x->suspended = true;
        if (x->row_ready) {
            *rowno = x->rowno;
            return 1;
        }
    }
}

void xlsx_close(xlsx_reader *x)
{
    if (!x) return;
    if (x->xp) XML_ParserFree(x->xp);
    if (x->zf) zip_fclose(x->zf);
    if (x->za) zip_discard(x->za);
    buf_free(&x->sst);
    buf_free(&x->text);
    free(x->sst_off);
    free(x->xf_date);
    free(x);
}
