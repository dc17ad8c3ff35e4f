/* test_tabfile.c: reading CSV (UTF-8, BOM, GB18030) and XLSX files row by row. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>
#include "lib/buf.h"
#include "lib/tabfile.h"

/* ---- helpers ---- */

/* Renders every row as "<rowno>:cell|cell|…\n"; an error ends the text with "ERR code field msg". */
static char *dump(tabfile *t)
{
    buf b;
    buf_init(&b);
    char **c;
    size_t n;
    cx_err e;
    int rc;
    while ((rc = tab_next(t, &c, &n, &e)) == 1) {
        buf_printf(&b, "%zu:", tab_rowno(t));
        for (size_t i = 0; i < n; i++) {
            if (i) buf_addc(&b, '|');
            buf_adds(&b, c[i]);
        }
        assert_null(c[n]);
        buf_addc(&b, '\n');
    }
    if (rc == CX_ERR) {
        buf_printf(&b, "ERR %s %s %s\n", e.code, e.field, e.msg);
        /* the failure is sticky */
        cx_err e2;
        assert_int_equal(tab_next(t, &c, &n, &e2), CX_ERR);
        assert_string_equal(e2.msg, e.msg);
    } else {
        assert_int_equal(rc, 0);
        assert_int_equal(tab_next(t, &c, &n, &e), 0);
    }
    return buf_take(&b);
}

/* Opens bytes in memory and dumps them; "OPEN code field msg" when the open fails. kind, if
 * not NULL, receives tab_kind. */
static char *dump_mem(const void *p, size_t n, char kind[16])
{
    cx_err e;
    tabfile *t = tab_open_mem(p, n, &e);
    if (!t) return xasprintf("OPEN %s %s %s", e.code, e.field, e.msg);
    if (kind) snprintf(kind, 16, "%s", tab_kind(t));
    char *r = dump(t);
    tab_close(t);
    return r;
}

static char *dump_path(const char *path, char kind[16])
{
    cx_err e;
    tabfile *t = tab_open_path(path, &e);
    if (!t) return xasprintf("OPEN %s %s %s", e.code, e.field, e.msg);
    if (kind) snprintf(kind, 16, "%s", tab_kind(t));
    char *r = dump(t);
    tab_close(t);
    return r;
}

/* Compares long texts, reporting the first line that differs instead of both texts. */
static void assert_text(const char *got, const char *want)
{
    if (strcmp(got, want) == 0) return;
    size_t i = 0, line = 1, bol = 0;
    for (; got[i] && got[i] == want[i]; i++)
        if (got[i] == '\n') line++, bol = i + 1;
    print_error("texts differ at line %zu:\n got: %.120s\nwant: %.120s\n", line, got + bol, want + bol);
    fail();
}

static void check_csv(const char *csv, const char *want)
{
    char *got = dump_mem(csv, strlen(csv), NULL);
    assert_string_equal(got, want);
    free(got);
}

/* A fresh empty temporary file whose name ends with suffix. */
static void tmp_path(char path[64], const char *suffix)
{
    snprintf(path, 64, "/tmp/cxtab-XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    assert_true(fd >= 0);
    close(fd);
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    buf b;
    buf_init(&b);
    char tmp[65536];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0) buf_add(&b, tmp, k);
    fclose(f);
    *n = b.len;
    return buf_take(&b);
}

/* UTF-8 → GB18030 with iconv. */
static char *to_gb(const char *s, size_t *outlen)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t inleft = strlen(s), cap = inleft * 2 + 16, outleft = cap;
    char *out = xmalloc(cap), *in = (char *)s, *o = out;
    assert_int_not_equal(iconv(cd, &in, &inleft, &o, &outleft), (size_t)-1);
    iconv_close(cd);
    *outlen = cap - outleft;
    return out;
}

/* ---- CSV ---- */

static void test_csv_basic(void **state)
{
    char kind[16];
    const char *csv = "姓名,身份证号,电话\n张三,110101199001011234,13800138000\n李四,,\n";
    char *got = dump_mem(csv, strlen(csv), kind);
    assert_string_equal(got, "1:姓名|身份证号|电话\n2:张三|110101199001011234|13800138000\n3:李四||\n");
    assert_string_equal(kind, "csv-utf8");
    free(got);
    /* no final line break, CRLF, lone CR (old Mac Excel) */
    check_csv("a,b", "1:a|b\n");
    check_csv("a,b\r\nc,d\r\n", "1:a|b\n2:c|d\n");
    check_csv("a,b\rc,d\r", "1:a|b\n2:c|d\n");
    check_csv("a,b\r\n\r\nc\n", "1:a|b\n3:c\n");
    /* a trailing separator is an empty last cell */
    check_csv("a,\nb,,\n", "1:a|\n2:b||\n");
    check_csv("a,", "1:a|\n");
    /* empty file, only line breaks */
    check_csv("", "");
    check_csv("\n\r\n\r", "");
    char *e = dump_mem(NULL, 0, kind);
    assert_string_equal(e, "");
    assert_string_equal(kind, "csv-utf8");
    free(e);
}

static void test_csv_quotes(void **state)
{
    check_csv("\"x,y\",\"he said \"\"hi\"\"\",plain\r\n", "1:x,y|he said \"hi\"|plain\n");
    check_csv("\"\",\"\"\"\"\n", "1:|\"\n"); /* an empty quoted field and one holding a quote */
    check_csv("q,\"\"\"\"\n", "1:q|\"\n");
    /* line breaks inside quotes; row numbers are the spreadsheet's: one record is one row */
    check_csv("h1,h2\n\"multi\nline\",z\r\n\"a\r\nb\r\nc\",\"d\re\"\nlast,1\n",
              "1:h1|h2\n2:multi\nline|z\n3:a\r\nb\r\nc|d\re\n4:last|1\n");
    /* a CR, an escaped quote, then an LF inside quotes: still one row */
    check_csv("\"a\r\"\"\nb\",x\nz\n", "1:a\r\"\nb|x\n2:z\n");
    /* empty lines are rows too, as Excel shows them */
    check_csv("\"a\nb\"\n\n\"c\"\n", "1:a\nb\n3:c\n");
    /* text after a closing quote is kept; a quote inside an unquoted field is literal */
    check_csv("\"ab\"cd,e\n", "1:abcd|e\n");
    check_csv("5\"3,x\n", "1:5\"3|x\n");
    /* quoted field at the end of input without a line break */
    check_csv("a,\"b\"", "1:a|b\n");
}

static void test_csv_trim_empty_rows(void **state)
{
    /* cells are trimmed of spaces, tabs and U+3000; fully empty rows are skipped */
    check_csv(" a ,\t\"  b  \"\t,\xE3\x80\x80" "c\xE3\x80\x80\n", "1:a|b|c\n");
    check_csv("a,b\n\n,,\n  ,\t\n\"\",\" \"\nc,d\n", "1:a|b\n6:c|d\n");
    check_csv("\n\n\nx\n", "4:x\n");
}

static void test_csv_bom(void **state)
{
    check_csv("\xEF\xBB\xBF姓名,单位\n张三,顺河镇党委\n", "1:姓名|单位\n2:张三|顺河镇党委\n");
    check_csv("\xEF\xBB\xBF", "");
    check_csv("\xEF\xBB\xBF\"q\"\n", "1:q\n");
}

static void test_csv_gb18030(void **state)
{
    size_t n;
    char *gb = to_gb("姓名,单位,备注\n张三,顺河镇党委,\"含,逗号\"\n李四,\"机关\n工委\",𠀀\n", &n);
    char kind[16];
    char *got = dump_mem(gb, n, kind);
    assert_string_equal(kind, "csv-gb18030");
    assert_string_equal(got, "1:姓名|单位|备注\n2:张三|顺河镇党委|含,逗号\n3:李四|机关\n工委|𠀀\n");
    free(got);
    free(gb);
    /* bytes that are not GB18030 either become U+FFFD */
    check_csv("a,\x80" "b\n\xff\n", "1:a|\xEF\xBF\xBD" "b\n2:\xEF\xBF\xBD\n");
    /* a GB18030 sequence cut at the end of the file */
    check_csv("\xD5\xC5,\xD5", "1:张|\xEF\xBF\xBD\n");
}

static void test_csv_unterminated(void **state)
{
    check_csv("a,b\nc,\"d\ne\n", "1:a|b\nERR bad_csv file 文件第 2 行：引号未闭合\n");
    check_csv("\"", "ERR bad_csv file 文件第 1 行：引号未闭合\n");
    check_csv("x\n\n\"abc\"\"", "1:x\nERR bad_csv file 文件第 3 行：引号未闭合\n");
}

static void test_csv_bad_files(void **state)
{
    char *got = dump_mem("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0", 11, NULL);
    assert_string_equal(got, "OPEN bad_file file 不支持旧版 Excel（.xls）或加密的 Excel 文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入");
    free(got);
    got = dump_mem("\xFF\xFE" "a\0,\0", 6, NULL);
    assert_string_equal(got, "OPEN bad_file file 不支持 UTF-16 编码的文本文件，请另存为“CSV UTF-8（逗号分隔）”后再导入");
    free(got);
    got = dump_mem("abc\0def", 7, NULL);
    assert_string_equal(got, "OPEN bad_file file 不是有效的 CSV 或 Excel（.xlsx）文件");
    free(got);
    got = dump_path("/nonexistent/cxtab.csv", NULL);
    assert_true(str_starts(got, "OPEN bad_file file 无法打开文件"));
    free(got);
    got = dump_path("/tmp", NULL);
    assert_true(str_starts(got, "OPEN bad_file file "));
    free(got);
}

/* Invalid UTF-8 after the part used to decide the encoding is repaired, not passed on. */
static void test_csv_late_bad_utf8(void **state)
{
    buf b;
    buf_init(&b);
    for (int i = 0; i < 10000; i++) buf_printf(&b, "行%d,值\n", i);
    buf_adds(&b, "x\xC3y,\xE4\xB8\n");
    char kind[16];
    char *got = dump_mem(b.p, b.len, kind);
    assert_string_equal(kind, "csv-utf8");
    const char *tail = got + strlen(got) - strlen("10001:x\xEF\xBF\xBDy|\xEF\xBF\xBD\xEF\xBF\xBD\n");
    assert_string_equal(tail, "10001:x\xEF\xBF\xBDy|\xEF\xBF\xBD\xEF\xBF\xBD\n");
    free(got);
    buf_free(&b);
}

/* A CR LF pair split by the reader's 256 KiB buffer is still one line break. */
static void test_csv_crlf_on_buffer_edge(void **state)
{
    size_t first = 256 * 1024 - 1;
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < first; i++) buf_addc(&b, 'x');
    buf_adds(&b, "\r\ny\r\nz\n");
    char path[64];
    tmp_path(path, ".csv");
    write_file(path, b.p, b.len);
    char *got = dump_path(path, NULL);
    assert_int_equal(strlen(got), 2 + first + 1 + 4 + 4);
    assert_string_equal(got + 2 + first + 1, "2:y\n3:z\n");
    free(got);
    unlink(path);
    buf_free(&b);
}

static uint64_t rng_state;
static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

/* Random records written with RFC 4180 quoting, read back from memory, from a file and as
 * GB18030: the cells and row numbers must match, across many buffer boundaries. */
static void test_csv_roundtrip(void **state)
{
    static const char *pieces[] = {"a", "b", "中", "文", ",", "\"", "\n", "\r\n", "\r", " ", "党支部", "1", "x\"y"};
    buf csv, want;
    buf_init(&csv);
    buf_init(&want);
    rng_state = 88172645463325252ull;
    for (int r = 0; r < 30000; r++) {
        int nf = 1 + (int)rnd(6);
        buf row;
        buf_init(&row);
        bool any = false;
        for (int f = 0; f < nf; f++) {
            buf v;
            buf_init(&v);
            int np = (int)rnd(5);
            for (int k = 0; k < np; k++) buf_adds(&v, pieces[rnd(sizeof pieces / sizeof *pieces)]);
            char *cell = xstrdup(v.p ? v.p : "");
            bool quote = strpbrk(cell, ",\"\r\n") || rnd(4) == 0 || (nf == 1 && !*cell);
            if (f) buf_addc(&csv, ',');
            if (quote) {
                buf_addc(&csv, '"');
                for (const char *c = cell; *c; c++) {
                    if (*c == '"') buf_addc(&csv, '"');
                    buf_addc(&csv, *c);
                }
                buf_addc(&csv, '"');
            } else {
                buf_adds(&csv, cell);
            }
            str_trim(cell);
            if (*cell) any = true;
            if (f) buf_addc(&row, '|');
            buf_adds(&row, cell);
            free(cell);
            buf_free(&v);
        }
        static const char *ends[] = {"\n", "\r\n", "\r"};
        buf_adds(&csv, ends[rnd(3)]);
        if (any) buf_printf(&want, "%d:%s\n", r + 1, row.p ? row.p : ""); /* one record, one spreadsheet row */
        buf_free(&row);
    }
    assert_true(csv.len > 600 * 1024);
    char kind[16];
    char *got = dump_mem(csv.p, csv.len, kind);
    assert_string_equal(kind, "csv-utf8");
    assert_text(got, want.p);
    free(got);

    char path[64];
    tmp_path(path, ".csv");
    write_file(path, csv.p, csv.len);
    got = dump_path(path, kind);
    assert_string_equal(kind, "csv-utf8");
    assert_text(got, want.p);
    free(got);

    size_t gn;
    char *gb = to_gb(csv.p, &gn);
    write_file(path, gb, gn);
    got = dump_path(path, kind);
    assert_string_equal(kind, "csv-gb18030");
    assert_text(got, want.p);
    free(got);
    got = dump_mem(gb, gn, kind);
    assert_string_equal(kind, "csv-gb18030");
    assert_text(got, want.p);
    free(got);
    free(gb);
    unlink(path);
    buf_free(&csv);
    buf_free(&want);
}

static void test_csv_limits(void **state)
{
    /* a quote that is never closed makes a huge record: stopped at the row limit */
    size_t n = 17u << 20;
    char *big = xmalloc(n);
    memset(big, 'a', n);
    big[0] = 'h';
    big[1] = '\n';
    big[2] = '"';
    char *got = dump_mem(big, n, NULL);
    assert_string_equal(got, "1:h\nERR bad_csv file 文件第 2 行：内容过长（可能有引号未闭合）\n");
    free(got);
    free(big);
    /* more than 16384 columns */
    buf b;
    buf_init(&b);
    for (int i = 0; i < 16385; i++) buf_adds(&b, "1,");
    got = dump_mem(b.p, b.len, NULL);
    assert_string_equal(got, "ERR bad_csv file 文件第 1 行：列数超过 16384\n");
    free(got);
    buf_free(&b);
}

/* ---- XLSX ---- */

/* The roster a person keeps in Excel: strings, a 身份证号 typed as a number, dates, a gap. */
static void make_roster(const char *path, bool constant_memory)
{
    lxw_workbook_options opt = {.constant_memory = constant_memory};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "名单");
    lxw_format *datef = workbook_add_format(wb);
    format_set_num_format(datef, "yyyy-mm-dd");
    lxw_format *cnf = workbook_add_format(wb);
    format_set_num_format(cnf, "yyyy\"年\"m\"月\"d\"日\"");
    lxw_format *timef = workbook_add_format(wb);
    format_set_num_format(timef, "hh:mm");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    const char *head[] = {"姓名", "身份证号", "出生日期", "备注", "电话", "党员"};
    for (int i = 0; i < 6; i++) worksheet_write_string(ws, 0, (lxw_col_t)i, head[i], bold);
    worksheet_write_string(ws, 1, 0, " 张三 ", NULL);
    worksheet_write_number(ws, 1, 1, 440106199001011234.0, NULL);
    lxw_datetime dt = {2023, 1, 1, 0, 0, 0};
    worksheet_write_datetime(ws, 1, 2, &dt, datef);
    /* D2 left empty */
    worksheet_write_number(ws, 1, 4, 13800138000.0, NULL);
    worksheet_write_boolean(ws, 1, 5, 1, NULL);
    worksheet_write_blank(ws, 2, 0, datef); /* a formatted but empty row */
    if (!constant_memory) {
        lxw_rich_string_tuple f1 = {.format = bold, .string = "富"};
        lxw_rich_string_tuple f2 = {.format = NULL, .string = "文本"};
        lxw_rich_string_tuple *rich[] = {&f1, &f2, NULL};
        worksheet_write_rich_string(ws, 3, 0, rich, NULL);
    } else {
        worksheet_write_string(ws, 3, 0, "富文本", NULL);
    }
    worksheet_write_number(ws, 3, 1, 0.1 + 0.2, NULL);
    worksheet_write_number(ws, 3, 2, -3.5, NULL);
    worksheet_write_number(ws, 3, 3, 0.5, timef);
    lxw_datetime leap = {2024, 2, 29, 13, 30, 0};
    worksheet_write_datetime(ws, 3, 4, &leap, cnf);
    worksheet_write_number(ws, 3, 6, 60, datef); /* Excel's 1900-02-29: kept as a number */
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

static const char *roster_want =
    "1:姓名|身份证号|出生日期|备注|电话|党员\n"
    "2:张三|4.40106199001011E+17|2023-01-01||13800138000|TRUE\n"
    "4:富文本|0.3|-3.5|0.5|2024-02-29||60\n";

static void test_xlsx_roster(void **state)
{
    for (int cm = 0; cm < 2; cm++) {
        char path[64], kind[16];
        tmp_path(path, ".xlsx");
        make_roster(path, cm);
        char *got = dump_path(path, kind);
        assert_string_equal(kind, "xlsx");
        assert_string_equal(got, roster_want);
        free(got);
        size_t n;
        char *data = slurp(path, &n);
        got = dump_mem(data, n, kind);
        assert_string_equal(kind, "xlsx");
        assert_string_equal(got, roster_want);
        free(got);
        /* the name does not matter, the content does */
        char other[64];
        tmp_path(other, ".csv");
        write_file(other, data, n);
        got = dump_path(other, kind);
        assert_string_equal(kind, "xlsx");
        assert_string_equal(got, roster_want);
        free(got);
        unlink(other);
        free(data);
        unlink(path);
    }
}

static void test_xlsx_truncated_corrupt(void **state)
{
    char path[64];
    tmp_path(path, ".xlsx");
    make_roster(path, false);
    size_t n;
    char *data = slurp(path, &n);
    /* the first half of the file */
    char *got = dump_mem(data, n / 2, NULL);
    assert_string_equal(got, "OPEN bad_xlsx file 不是有效的 Excel（.xlsx）文件，或文件已损坏（可能未完整上传）");
    free(got);
    write_file(path, data, n / 2);
    got = dump_path(path, NULL);
    assert_string_equal(got, "OPEN bad_xlsx file 不是有效的 Excel（.xlsx）文件，或文件已损坏（可能未完整上传）");
    free(got);
    /* every length and damaged bytes everywhere: an error or rows, never a crash */
    int errors = 0;
    for (size_t len = 0; len < n; len += 7) {
        got = dump_mem(data, len, NULL);
        if (strstr(got, "OPEN ") || strstr(got, "ERR ")) errors++;
        free(got);
    }
    assert_true(errors > 0);
    char *copy = xmalloc(n);
    for (size_t pos = 0; pos < n; pos += 5) {
        memcpy(copy, data, n);
        copy[pos] ^= (char)(0x5A + pos);
        got = dump_mem(copy, n, NULL);
        free(got);
    }
    free(copy);
    free(data);
    unlink(path);
}

static void test_xlsx_first_visible_sheet(void **state)
{
    char path[64];
    tmp_path(path, ".xlsx");
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *dict = workbook_add_worksheet(wb, "字典");
    lxw_worksheet *list = workbook_add_worksheet(wb, "名单");
    worksheet_write_string(dict, 0, 0, "下拉选项", NULL);
    worksheet_write_string(list, 0, 0, "姓名", NULL);
    worksheet_activate(list);
    worksheet_hide(dict);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    char *got = dump_path(path, NULL);
    assert_string_equal(got, "1:姓名\n");
    free(got);
    unlink(path);
}

static void test_xlsx_many_rows(void **state)
{
    char path[64];
    tmp_path(path, ".xlsx");
    lxw_workbook_options opt = {.constant_memory = true};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    buf want;
    buf_init(&want);
    for (int r = 0; r < 40000; r++) {
        char name[32];
        snprintf(name, sizeof name, "党员%d", r);
        worksheet_write_string(ws, (lxw_row_t)r, 0, name, NULL);
        worksheet_write_number(ws, (lxw_row_t)r, 1, r * 3, NULL);
        worksheet_write_string(ws, (lxw_row_t)r, 2, "顺河镇王庄村党支部", NULL);
        buf_printf(&want, "%d:%s|%d|顺河镇王庄村党支部\n", r + 1, name, r * 3);
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    char *got = dump_path(path, NULL);
    assert_text(got, want.p);
    free(got);
    buf_free(&want);
    unlink(path);
}

/* Writes a ZIP package with the given parts (name, content pairs, NULL-terminated). */
static void write_zip(const char *path, const char *const *parts)
{
    int err;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    for (; parts[0]; parts += 2) {
        zip_source_t *s = zip_source_buffer(z, parts[1], strlen(parts[1]), 0);
        assert_non_null(s);
        assert_true(zip_file_add(z, parts[0], s, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
}

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
#define RNS "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define WS_TYPE "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"

static const char *wb_xml = "<?xml version=\"1.0\"?><workbook " NS " " RNS ">"
                            "<workbookPr date1904=\"1\"/><sheets><sheet name=\"表\" sheetId=\"1\" r:id=\"rId5\"/>"
                            "</sheets></workbook>";
static const char *rels_xml =
    "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
    "Target=\"styles.xml\"/>"
    "<Relationship Id=\"rId5\" Type=\"" WS_TYPE "\" Target=\"/xl/worksheets/data.xml\"/></Relationships>";
static const char *styles_xml =
    "<?xml version=\"1.0\"?><styleSheet " NS "><numFmts count=\"5\">"
    "<numFmt numFmtId=\"164\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"[h]:mm\"/>"
    "<numFmt numFmtId=\"166\" formatCode=\"[$-804]yyyy/m;@\"/>"
    "<numFmt numFmtId=\"167\" formatCode=\"0.00\"/>"
    "<numFmt numFmtId=\"168\" formatCode=\"mm:ss\"/>"
    "<numFmt numFmtId=\"169\" formatCode=\"[Red]&quot;day&quot;0\"/>"
    "<numFmt numFmtId=\"170\" formatCode=\"yyyy&quot;年&quot;\"/>"
    "<numFmt numFmtId=\"171\" formatCode=\"yyyy.mm.dd hh:mm\"/>"
    "</numFmts><cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs count=\"11\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/><xf numFmtId=\"165\"/>"
    "<xf numFmtId=\"166\"/><xf numFmtId=\"167\"/><xf numFmtId=\"168\"/><xf numFmtId=\"169\"/>"
    "<xf numFmtId=\"170\"/><xf numFmtId=\"171\"/><xf numFmtId=\"17\"/></cellXfs></styleSheet>";
static const char *sst_xml =
    "<?xml version=\"1.0\"?><sst " NS " count=\"2\" uniqueCount=\"2\"><si><t>普通</t></si>"
    "<si><r><rPr><b/></rPr><t>富</t></r><r><t xml:space=\"preserve\">文本 </t></r>"
    "<rPh sb=\"0\" eb=\"1\"><t>ふ</t></rPh></si><si><t/></si></sst>";
static const char *sheet_xml =
    "<?xml version=\"1.0\"?><x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<x:sheetData>"
    "<x:row r=\"2\"><x:c r=\"A2\" t=\"s\"><x:v>0</x:v></x:c><x:c r=\"C2\" t=\"s\"><x:v>1</x:v></x:c>"
    "<x:c t=\"inlineStr\"><x:is><x:r><x:t>行</x:t></x:r><x:r><x:t xml:space=\"preserve\"> 内 </x:t></x:r>"
    "<x:rPh sb=\"0\" eb=\"1\"><x:t>ぎょう</x:t></x:rPh></x:is></x:c><x:c r=\"E2\" t=\"s\"><x:v>2</x:v></x:c></x:row>"
    "<x:row r=\"3\"><x:c r=\"A3\" s=\"1\"><x:v>43465</x:v></x:c><x:c r=\"B3\" s=\"2\"><x:v>1.5</x:v></x:c>"
    "<x:c r=\"C3\" s=\"3\"><x:v>0.25</x:v></x:c><x:c r=\"D3\" s=\"4\"><x:v>43465.5</x:v></x:c>"
    "<x:c r=\"E3\" s=\"5\"><x:v>12.5</x:v></x:c><x:c r=\"F3\" s=\"6\"><x:v>43466</x:v></x:c>"
    "<x:c r=\"G3\" s=\"7\"><x:v>5</x:v></x:c><x:c r=\"H3\" s=\"99\"><x:v>7</x:v></x:c></x:row>"
    "<x:row r=\"5\"><x:c r=\"A5\" t=\"e\"><x:v>#N/A</x:v></x:c>"
    "<x:c r=\"B5\" t=\"str\"><x:f>A1&amp;\"x\"</x:f><x:v>公式结果</x:v></x:c>"
    "<x:c r=\"C5\" t=\"d\"><x:v>2023-01-01T08:00:00</x:v></x:c><x:c r=\"D5\" t=\"b\"><x:v>0</x:v></x:c>"
    "<x:c r=\"E5\"><x:v>-0</x:v></x:c><x:c r=\"F5\"><x:v>1E-3</x:v></x:c><x:c r=\"G5\"><x:v>  </x:v></x:c>"
    "<x:c r=\"H5\"><x:v>abc</x:v></x:c><x:c r=\"I5\" t=\"n\"><x:v>1234567890123456789</x:v></x:c></x:row>"
    "<x:row><x:c><x:v>1</x:v></x:c><x:c><x:f>1+1</x:f><x:v>2</x:v></x:c>"
    "<x:c s=\"8\"><x:v>43465</x:v></x:c><x:c s=\"9\"><x:v>43465.75</x:v></x:c><x:c s=\"10\"><x:v>43465</x:v></x:c></x:row>"
    "<x:row r=\"9\" spans=\"1:3\"></x:row>"
    "<x:row r=\"10\"><x:c r=\"AA10\" t=\"inlineStr\"><x:is><x:t>远列</x:t></x:is></x:c></x:row>"
    "</x:sheetData><x:mergeCells count=\"0\"/></x:worksheet>";

static void test_xlsx_handwritten(void **state)
{
    char path[64];
    tmp_path(path, ".xlsx");
    const char *parts[] = {"xl/workbook.xml", wb_xml, "xl/_rels/workbook.xml.rels", rels_xml,
                           "xl/styles.xml", styles_xml, "xl/sharedStrings.xml", sst_xml,
                           "xl/worksheets/data.xml", sheet_xml, NULL};
    write_zip(path, parts);
    char *got = dump_path(path, NULL);
    buf want;
    buf_init(&want);
    buf_adds(&want, "2:普通||富文本|行 内\n"
                    "3:2023-01-01|1904-01-02|0.25|2023-01|12.5|43466|5|7\n" /* D3: yyyy/m shows no day */
                    "5:#N/A|公式结果|2023-01-01|FALSE|0|0.001||abc|1.23456789012346E+18\n"
                    "6:1|2|2023|2023-01-01|2023-01\n" /* yyyy"年": a year; a day with a time; mmm-yy */
                    "10:");
    for (int i = 0; i < 26; i++) buf_addc(&want, '|');
    buf_adds(&want, "远列\n");
    assert_text(got, want.p);
    free(got);
    buf_free(&want);
    unlink(path);
}

/* Reads a package made of a workbook pointing at sheet1.xml and the given sheet XML. */
static char *dump_sheet(const char *sheet, const char *sst)
{
    char path[64];
    tmp_path(path, ".xlsx");
    const char *parts[] = {"xl/worksheets/sheet1.xml", sheet, sst ? "xl/sharedStrings.xml" : NULL, sst, NULL};
    write_zip(path, parts);
    char *got = dump_path(path, NULL);
    unlink(path);
    return got;
}

static void test_xlsx_errors(void **state)
{
    /* no workbook part: falls back to xl/worksheets/sheet1.xml */
    char *got = dump_sheet("<worksheet " NS "><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>a</t></is></c>"
                           "</row></sheetData></worksheet>",
                           NULL);
    assert_string_equal(got, "1:a\n");
    free(got);
    got = dump_sheet("<worksheet><sheetData><row r=\"1\"><c t=\"s\"><v>3</v></c></row></sheetData></worksheet>",
                     "<sst><si><t>x</t></si></sst>");
    assert_string_equal(got, "ERR bad_xlsx file 不是有效的 Excel（.xlsx）文件，或文件已损坏（第 1 行引用了不存在的共享字符串）\n");
    free(got);
    got = dump_sheet("<worksheet><sheetData><row r=\"1\"><c><v>1</v></c></row><row r=\"2\"><c><v>1</v></row>"
                     "</sheetData></worksheet>",
                     NULL);
    assert_string_equal(got, "1:1\nERR bad_xlsx file 不是有效的 Excel（.xlsx）文件，或文件已损坏（工作表 第 1 行格式错误）\n");
    free(got);
    got = dump_sheet("<worksheet><sheetData><row r=\"1\"><c r=\"C1\"><v>1</v></c><c r=\"A1\"><v>2</v></c></row>"
                     "</sheetData></worksheet>",
                     NULL);
    assert_string_equal(got, "ERR bad_xlsx file 不是有效的 Excel（.xlsx）文件，或文件已损坏（第 1 行单元格顺序错误）\n");
    free(got);
    got = dump_sheet("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
                     "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
                     "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&lol2;</t></is></c></row></sheetData>"
                     "</worksheet>",
                     NULL);
    assert_string_equal(got, "ERR bad_xlsx file 不是有效的 Excel（.xlsx）文件，或文件已损坏（含有不支持的 DTD）\n");
    free(got);
    got = dump_sheet("<worksheet><sheetData><row><c r=\"XFE1\"><v>1</v></c></row></sheetData></worksheet>", NULL);
    assert_string_equal(got, "ERR bad_xlsx file 不是有效的 Excel（.xlsx）文件，或文件已损坏（第 1 行列数超过 16384）\n");
    free(got);
    /* a ZIP that is not a workbook at all */
    char path[64];
    tmp_path(path, ".xlsx");
    const char *parts[] = {"hello.txt", "hi", NULL};
    write_zip(path, parts);
    got = dump_path(path, NULL);
    assert_string_equal(got, "OPEN bad_xlsx file 不是有效的 Excel（.xlsx）文件，或文件已损坏（没有找到工作表）");
    free(got);
    unlink(path);
    /* only a ZIP signature */
    got = dump_mem("PK\3\4", 4, NULL);
    assert_string_equal(got, "OPEN bad_xlsx file 不是有效的 Excel（.xlsx）文件，或文件已损坏（可能未完整上传）");
    free(got);
}

/* A zip bomb (issue 13): a part repeated past the inflation cap (40 times the file's size, at
 * least 32 MB; lib/xlsx_read.c), which deflates about a thousandfold, is refused as it is read,
 * whatever the archive declares: in the worksheet, and in the shared strings, which are read
 * while opening, before any row (the sheet here is one small row). */
static void test_xlsx_bomb(void **state)
{
    static const char want[] = "xlsx_too_large file Excel 文件解压后超过 32 MB（是文件大小的 40 倍以上），不像正常的名册，已拒绝";
    static const char row[] = "<row><c t=\"inlineStr\"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>";
    char wantnl[sizeof want + 1];
    snprintf(wantnl, sizeof wantnl, "%s\n", want);
    buf b;
    buf_init(&b);
    buf_adds(&b, "<worksheet " NS "><sheetData>");
    while (b.len < (34u << 20)) buf_adds(&b, row);
    buf_adds(&b, "</sheetData></worksheet>");
    char *got = dump_sheet(b.p, NULL);
    char *end = strstr(got, "ERR ");
    assert_non_null(end);
    assert_string_equal(end + 4, wantnl);
    free(got);
    /* the same bytes as shared strings: the open itself is refused */
    buf sst;
    buf_init(&sst);
    buf_adds(&sst, "<sst " NS ">");
    while (sst.len < (34u << 20)) buf_adds(&sst, "<si><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></si>");
    buf_adds(&sst, "</sst>");
    got = dump_sheet("<worksheet " NS "><sheetData><row r=\"1\"><c t=\"s\"><v>0</v></c></row></sheetData></worksheet>", sst.p);
    assert_true(strncmp(got, "OPEN ", 5) == 0);
    assert_string_equal(got + 5, want);
    free(got);
    /* a sheet and shared strings each under the cap, together over it: the count is across parts */
    buf_reset(&b);
    buf_adds(&b, "<worksheet " NS "><sheetData>");
    while (b.len < (20u << 20)) buf_adds(&b, row);
    buf_adds(&b, "</sheetData></worksheet>");
    sst.len = 20u << 20;
    sst.p[sst.len] = 0;
    char *cut = strstr(sst.p + sst.len - 100, "</si>");
    cut[5] = 0;
    sst.len = (size_t)(cut + 5 - sst.p);
    buf_adds(&sst, "</sst>");
    got = dump_sheet(b.p, sst.p);
    end = strstr(got, "ERR ");
    assert_non_null(end);
    assert_string_equal(end + 4, wantnl);
    free(got);
    buf_free(&sst);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_basic),
        cmocka_unit_test(test_csv_quotes),
        cmocka_unit_test(test_csv_trim_empty_rows),
        cmocka_unit_test(test_csv_bom),
        cmocka_unit_test(test_csv_gb18030),
        cmocka_unit_test(test_csv_unterminated),
        cmocka_unit_test(test_csv_bad_files),
        cmocka_unit_test(test_csv_late_bad_utf8),
        cmocka_unit_test(test_csv_crlf_on_buffer_edge),
        cmocka_unit_test(test_csv_roundtrip),
        cmocka_unit_test(test_csv_limits),
        cmocka_unit_test(test_xlsx_roster),
        cmocka_unit_test(test_xlsx_truncated_corrupt),
        cmocka_unit_test(test_xlsx_first_visible_sheet),
        cmocka_unit_test(test_xlsx_many_rows),
        cmocka_unit_test(test_xlsx_handwritten),
        cmocka_unit_test(test_xlsx_errors),
        cmocka_unit_test(test_xlsx_bomb),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
