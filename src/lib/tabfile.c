/* tabfile.c: opening tabular files by content, the shared row builder and the streaming CSV reader. */
#include "tabfile.h"
#include "tabfile_priv.h"
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RAW_CAP (256u << 10)   /* file read buffer */
#define CONV_CAP (256u << 10)  /* GB18030 → UTF-8 output buffer */
#define SNIFF_BYTES (64u << 10) /* bytes examined to choose the encoding */

enum { K_CSV_UTF8, K_CSV_GB18030, K_XLSX };
enum { ST_OPEN, ST_END, ST_FAILED };

struct tabfile {
    int kind, state;
    tab_row row;
    size_t rowno;
    cx_err err; /* repeated by tab_next after a failure */
    xlsx_reader *x;
    /* CSV input: a FILE (read into raw) or bytes in memory (used in place). */
    FILE *fp;
    const unsigned char *mem;
    size_t memlen;
    unsigned char *raw;
    const unsigned char *rp, *re; /* raw bytes not yet consumed */
    bool raw_eof, io_err;
    /* GB18030 conversion */
    iconv_t cd;
    unsigned char *conv;
    bool conv_started;
    /* What the parser reads: UTF-8 bytes in [p, pe). */
    const unsigned char *p, *pe;
    size_t line;     /* 1-based line number at p */
    size_t rec;      /* records started so far, empty ones included: the row Excel shows */
    bool pending_lf; /* a record ended with CR at the end of the window: skip a following LF */
    bool quo_cr;     /* the last byte of quoted content seen was CR */
};

/* ---- row builder ---- */

void tab_row_init(tab_row *r) { memset(r, 0, sizeof *r); }

void tab_row_free(tab_row *r)
{
    buf_free(&r->data);
    free(r->offs);
    free(r->cells);
    tab_row_init(r);
}

void tab_row_reset(tab_row *r)
{
    r->data.len = 0;
    r->n = 0;
}

static void row_begin(tab_row *r)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 32;
        r->offs = xrealloc(r->offs, r->cap * sizeof *r->offs);
    }
    r->offs[r->n++] = r->data.len;
}

static inline void row_append(tab_row *r, const void *p, size_t n)
{
    if (r->data.len + n + 1 > r->data.cap) buf_grow(&r->data, n);
    memcpy(r->data.p + r->data.len, p, n);
    r->data.len += n;
}

static inline void row_end(tab_row *r)
{
    buf_grow(&r->data, 0);
    r->data.p[r->data.len++] = 0;
}

void tab_row_add(tab_row *r, const char *p, size_t n)
{
    row_begin(r);
    row_append(r, p, n);
    row_end(r);
}

static inline bool trim_byte(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool tab_row_finish(tab_row *r)
{
    if (r->cells_cap < r->n + 1) {
        r->cells_cap = r->n + 1;
        r->cells = xrealloc(r->cells, r->cells_cap * sizeof *r->cells);
    }
    bool any = false;
    for (size_t i = 0; i < r->n; i++) {
        char *s = r->data.p + r->offs[i];
        size_t len = (i + 1 < r->n ? r->offs[i + 1] : r->data.len) - r->offs[i] - 1;
        if (len) {
            unsigned char a = (unsigned char)s[0], z = (unsigned char)s[len - 1];
            if (trim_byte(a) || a == 0xE3 || trim_byte(z) || z == 0x80) str_trim(s);
            if (s[0]) any = true;
        }
        r->cells[i] = s;
    }
    r->cells[r->n] = NULL;
    return any;
}

/* ---- UTF-8 checking ---- */

/* Length of the longest valid UTF-8 prefix of s[0..n). *cut is set when what ends it is a
 * sequence that is valid so far but cut off by the end of the data. */
static size_t utf8_prefix(const unsigned char *s, size_t n, bool *cut)
{
    size_t i = 0;
    *cut = false;
    while (i < n) {
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull) break;
            i += 8;
        }
        if (i >= n) break;
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c == 0xE0) len = 3, lo = 0xA0;
        else if (c == 0xED) len = 3, hi = 0x9F;
        else if (c >= 0xE1 && c <= 0xEF) len = 3;
        else if (c == 0xF0) len = 4, lo = 0x90;
        else if (c == 0xF4) len = 4, hi = 0x8F;
        else if (c >= 0xF1 && c <= 0xF3) len = 4;
        else return i;
        for (size_t k = 1; k < len; k++) {
            if (i + k >= n) {
                *cut = true;
                return i;
            }
            unsigned b = s[i + k];
            if (k == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80) return i;
        }
        i += len;
    }
    return n;
}

/* Replaces each byte that is not part of valid UTF-8 in the last field of r (still open, no
 * NUL yet) with U+FFFD. */
static void sanitize_last_field(tab_row *r)
{
    size_t off = r->offs[r->n - 1], n = r->data.len - off;
    bool cut;
    size_t v = utf8_prefix((unsigned char *)r->data.p + off, n, &cut);
    if (v == n) return;
    char *copy = xstrndup(r->data.p + off, n);
    const unsigned char *s = (unsigned char *)copy;
    r->data.len = off + v;
    for (size_t i = v; i < n;) {
        row_append(r, "\xEF\xBF\xBD", 3);
        i++;
        size_t w = utf8_prefix(s + i, n - i, &cut);
        row_append(r, s + i, w);
        i += w;
    }
    free(copy);
}

/* Ends the field being read; input that claimed to be UTF-8 is repaired if it is not. */
static void field_end(tabfile *t, tab_row *r)
{
    if (t->kind == K_CSV_UTF8) sanitize_last_field(r);
    row_end(r);
}

/* ---- CSV input ---- */

/* Moves unconsumed raw bytes to the front and reads more. Returns the number of new bytes
 * (0 at the end of input or on a read error, which sets io_err). */
static size_t raw_fill(tabfile *t)
{
    if (t->raw_eof) return 0;
    if (!t->fp) {
        t->rp = t->mem;
        t->re = t->mem + t->memlen;
        t->raw_eof = true;
        return t->memlen;
    }
    size_t left = (size_t)(t->re - t->rp);
    if (left) memmove(t->raw, t->rp, left);
    size_t got = fread(t->raw + left, 1, RAW_CAP - left, t->fp);
    if (got < RAW_CAP - left) {
        t->raw_eof = true;
        if (ferror(t->fp)) t->io_err = true;
    }
    t->rp = t->raw;
    t->re = t->raw + left + got;
    return got;
}

/* Converts the next stretch of GB18030 input into conv. Bytes that are not GB18030 become
 * U+FFFD. Returns false at the end of input. */
static bool gb_refill(tabfile *t)
{
    char *out = (char *)t->conv;
    size_t outleft = CONV_CAP;
    while (out == (char *)t->conv) {
        if (t->rp == t->re && raw_fill(t) == 0) break;
        char *in = (char *)t->rp;
        size_t inleft = (size_t)(t->re - t->rp);
        size_t rc = iconv(t->cd, &in, &inleft, &out, &outleft);
        int err = errno;
        t->rp = (const unsigned char *)in;
        if (rc != (size_t)-1 || err == E2BIG) continue;
        if (err == EINVAL && raw_fill(t) > 0) continue; /* a sequence cut by the buffer end */
        if (outleft < 3) break; /* no room for U+FFFD: the bad byte waits for the next call */
        if (err != EILSEQ && err != EINVAL) t->rp = t->re;
        else t->rp++;
        memcpy(out, "\xEF\xBF\xBD", 3);
        out += 3;
        outleft -= 3;
    }
    t->p = t->conv;
    t->pe = (unsigned char *)out;
    if (!t->conv_started && t->pe - t->p >= 3 && memcmp(t->p, "\xEF\xBB\xBF", 3) == 0) t->p += 3;
    t->conv_started = true;
    return t->pe > t->p;
}

/* Makes more parser input available; false at the end of input. */
static bool csv_refill(tabfile *t)
{
    if (t->kind == K_CSV_GB18030) return gb_refill(t);
    t->rp = t->re;
    if (raw_fill(t) == 0) return false;
    t->p = t->rp;
    t->pe = t->re;
    t->rp = t->re;
    return true;
}

/* ---- CSV parser ---- */

enum { S_START, S_UNQ, S_QUO, S_QQ };

/* Bytes that end an unquoted field. */
static const unsigned char csv_stop[256] = {[','] = 1, ['\r'] = 1, ['\n'] = 1};

/* Counts line breaks (CR, LF, CRLF) in quoted content, which may be split across windows. */
static void count_lines(tabfile *t, const unsigned char *s, size_t n)
{
    if (!n) return;
    if (memchr(s, '\n', n) || memchr(s, '\r', n)) {
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '\r') t->line++;
            else if (s[i] == '\n' && !(i ? s[i - 1] == '\r' : t->quo_cr)) t->line++;
        }
    }
    t->quo_cr = s[n - 1] == '\r';
}

/* Fails the read for good: "文件第 <line> 行：<what>". */
static int csv_fail(tabfile *t, cx_err *e, size_t line, const char *what)
{
    cx_fail(&t->err, 400, "bad_csv", "file", "文件第 %zu 行：%s", line, what);
    t->state = ST_FAILED;
    if (e) *e = t->err;
    return CX_ERR;
}

static int csv_next(tabfile *t, cx_err *e)
{
    tab_row *r = &t->row;
    for (;;) {
        tab_row_reset(r);
        int s = S_START;
        bool any = false;
        size_t start = t->line, quote_line = 0, recno = ++t->rec;
        for (;;) {
            if (t->p == t->pe && !csv_refill(t)) {
                if (t->io_err) {
                    cx_fail(&t->err, 400, "bad_file", "file", "读取文件失败");
                    t->state = ST_FAILED;
                    if (e) *e = t->err;
                    return CX_ERR;
                }
                if (s == S_QUO) return csv_fail(t, e, quote_line, "引号未闭合");
                if (!any) return 0;
                if (s == S_START) row_begin(r); /* "a," ends with an empty field */
                field_end(t, r);
                break;
            }
            if (t->pending_lf) {
                t->pending_lf = false;
                if (*t->p == '\n') {
                    t->p++;
                    continue;
                }
            }
            any = true;
            const unsigned char *p = t->p, *pe = t->pe;
            unsigned char c = *p;
            if (s == S_START) {
                if (c == ' ' || c == '\t') { /* blanks before an opening quote: a, "b" */
                    t->p = p + 1;
                    continue;
                }
                if (r->n >= TAB_MAX_FIELDS)
                    return csv_fail(t, e, start, "列数超过 16384");
                row_begin(r);
                if (c == '"') {
                    s = S_QUO;
                    quote_line = t->line;
                    t->quo_cr = false;
                    t->p = p + 1;
                    continue;
                }
                s = S_UNQ;
            }
            if (s == S_UNQ) {
                const unsigned char *q = p;
                while (q < pe && !csv_stop[*q]) q++;
                row_append(r, p, (size_t)(q - p));
                t->p = q;
                if (q == pe) goto check_size;
                c = *q;
            } else if (s == S_QUO) {
                const unsigned char *q = memchr(p, '"', (size_t)(pe - p));
                if (!q) q = pe;
                count_lines(t, p, (size_t)(q - p));
                row_append(r, p, (size_t)(q - p));
                if (q < pe) {
                    s = S_QQ;
                    q++;
                }
                t->p = q;
                goto check_size;
            } else { /* S_QQ: just after a quote inside a quoted field */
                if (c == '"') {
                    row_append(r, "\"", 1);
                    t->quo_cr = false;
                    s = S_QUO;
                    t->p = p + 1;
                    continue;
                }
                if (!csv_stop[c]) { /* text after the closing quote: kept, as spreadsheets do */
                    s = S_UNQ;
                    continue;
                }
            }
            /* c ends the field: ',' or a line break */
            field_end(t, r);
            t->p++;
            if (c == ',') {
                s = S_START;
                continue;
            }
            t->line++;
            if (c == '\r') {
                if (t->p < t->pe) {
                    if (*t->p == '\n') t->p++;
                } else {
                    t->pending_lf = true;
                }
            }
            break;
        check_size:
            if (r->data.len > TAB_MAX_ROW_BYTES)
                return csv_fail(t, e, start, "内容过长（可能有引号未闭合）");
        }
        if (tab_row_finish(r)) {
            t->rowno = recno;
            return 1;
        }
    }
}

/* ---- opening ---- */

static tabfile *tab_new(void)
{
    tabfile *t = xcalloc(1, sizeof *t);
    tab_row_init(&t->row);
    t->cd = (iconv_t)-1;
    t->line = 1;
    return t;
}

/* Decides what the first bytes are and prepares the CSV reader. Returns CX_OK, CX_ERR with e,
 * or 1 when the content is a ZIP package (XLSX). */
static int csv_start(tabfile *t, cx_err *e)
{
    while ((size_t)(t->re - t->rp) < SNIFF_BYTES && raw_fill(t) > 0) {
    }
    if (t->io_err) return cx_fail(e, 400, "bad_file", "file", "读取文件失败");
    const unsigned char *s = t->rp;
    size_t n = (size_t)(t->re - t->rp);
    if (n >= 4 && memcmp(s, "PK\3\4", 4) == 0) return 1;
    if (n >= 8 && memcmp(s, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
        return cx_fail(e, 400, "bad_file", "file",
                       "不支持旧版 Excel（.xls）或加密的 Excel 文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入");
    if (n >= 2 && (memcmp(s, "\xFF\xFE", 2) == 0 || memcmp(s, "\xFE\xFF", 2) == 0))
        return cx_fail(e, 400, "bad_file", "file",
                       "不支持 UTF-16 编码的文本文件，请另存为“CSV UTF-8（逗号分隔）”后再导入");
    size_t m = n < SNIFF_BYTES ? n : SNIFF_BYTES;
    if (memchr(s, 0, m)) return cx_fail(e, 400, "bad_file", "file", "不是有效的 CSV 或 Excel（.xlsx）文件");
    bool cut;
    size_t v = utf8_prefix(s, m, &cut);
    if (v == m || cut) {
        t->kind = K_CSV_UTF8;
        if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3;
        t->p = s;
        t->pe = t->re;
        t->rp = t->re;
    } else {
        t->kind = K_CSV_GB18030;
        t->cd = iconv_open("UTF-8", "GB18030");
        if (t->cd == (iconv_t)-1)
            return cx_fail(e, 500, "bad_file", "file", "无法转换 GB18030 编码（系统缺少字符集支持）");
        t->conv = xmalloc(CONV_CAP);
        t->p = t->pe = t->conv;
    }
    return CX_OK;
}

tabfile *tab_open_path(const char *path, cx_err *e)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        cx_fail(e, 400, "bad_file", "file", "无法打开文件：%s", strerror(errno));
        return NULL;
    }
    tabfile *t = tab_new();
    t->fp = fp;
    t->raw = xmalloc(RAW_CAP);
    int rc = csv_start(t, e);
    if (rc == 1) {
        tab_close(t);
        t = tab_new();
        t->kind = K_XLSX;
        if (!(t->x = xlsx_open_path(path, &t->row, e))) rc = CX_ERR;
        else rc = CX_OK;
    }
    if (rc != CX_OK) {
        tab_close(t);
        return NULL;
    }
    return t;
}

tabfile *tab_open_mem(const void *data, size_t len, cx_err *e)
{
    tabfile *t = tab_new();
    t->mem = data ? data : (const void *)"";
    t->memlen = data ? len : 0;
    int rc = csv_start(t, e);
    if (rc == 1) {
        t->kind = K_XLSX;
        if (!(t->x = xlsx_open_mem(data, len, &t->row, e))) rc = CX_ERR;
        else rc = CX_OK;
    }
    if (rc != CX_OK) {
        tab_close(t);
        return NULL;
    }
    return t;
}

void tab_close(tabfile *t)
{
    if (!t) return;
    if (t->x) xlsx_close(t->x);
    if (t->fp) fclose(t->fp);
    if (t->cd != (iconv_t)-1) iconv_close(t->cd);
    free(t->raw);
    free(t->conv);
    tab_row_free(&t->row);
    free(t);
}

int tab_next(tabfile *t, char ***cells, size_t *ncells, cx_err *e)
{
    if (t->state == ST_END) return 0;
    if (t->state == ST_FAILED) {
        if (e) *e = t->err;
        return CX_ERR;
    }
    int rc;
    if (t->kind == K_XLSX) {
        do rc = xlsx_next(t->x, &t->rowno, &t->err);
        while (rc == 1 && !tab_row_finish(&t->row));
        if (rc == CX_ERR && e) *e = t->err;
    } else {
        rc = csv_next(t, e);
    }
    if (rc == 1) {
        *cells = t->row.cells;
        *ncells = t->row.n;
    } else {
        t->state = rc == 0 ? ST_END : ST_FAILED;
    }
    return rc;
}

size_t tab_rowno(const tabfile *t) { return t->rowno; }

const char *tab_kind(const tabfile *t)
{
    return t->kind == K_XLSX ? "xlsx" : t->kind == K_CSV_GB18030 ? "csv-gb18030" : "csv-utf8";
}
