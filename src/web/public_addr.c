/* public_addr.c: the address printed in QR codes and on print pages. It used to be taken from
 * the request's Host header, so anyone could have the server print a QR code leading elsewhere.
 * Now it is the public address stored in the database (setting public_url: the settings page
 * /settings, `cxzy config set public-url URL`), read on every QR or print request so that the
 * command line and every instance agree at once. `cxzy serve --public-url URL` seeds it: stored
 * when the database has none; when the database holds another one, the stored one is used and
 * serve says so. QR and print requests are answered only for a Host that is the public address's
 * or the listen address (127.0.0.1 also as localhost); with no address stored, the QR leads to
 * that Host and the print pages say so (data.public_url_unset). */
#include "web.h"
#include "../lib/qr.h"
#include <stdio.h>
#include <string.h>

static char g_listen[128], g_local[128];
static bool g_https;

int web_public_config(const char *public_url, const char *listen, cx_err *e)
{
    snprintf(g_listen, sizeof g_listen, "%s", listen ? listen : "");
    const char *colon = strrchr(g_listen, ':');
    g_local[0] = 0;
    g_https = false;
    if (colon && !strncmp(g_listen, "127.0.0.1:", 10)) snprintf(g_local, sizeof g_local, "localhost%s", colon);
    if (!public_url || !*public_url) return CX_OK;
    char base[256], host[256];
    if (setting_public_url_check(public_url, base, host, e) != CX_OK)
        return cx_fail(e, 400, "invalid_public_url", "public-url",
                       "--public-url 应为网站的公开地址，例如 https://cxzy.example.gov.cn（只含协议、主机名和端口），收到“%.100s”",
                       public_url);
    g_https = !strncmp(base, "https://", 8);
    return CX_OK;
}

int web_public_seed(db *d, const char *public_url, cx_err *e)
{
    char stored[256], base[256], host[256];
    int f = setting_get(d, SETTING_PUBLIC_URL, stored, sizeof stored);
    if (f == CX_ERR) return cx_fail(e, 500, "db_error", "", "读取公开地址设置失败：%s", db_errmsg(d));
    if (public_url && *public_url) {
        if (setting_public_url_check(public_url, base, host, e) != CX_OK) return CX_ERR;
        if (f == 0) {
            if (setting_set(d, &actor_cli, SETTING_PUBLIC_URL, base, e) != CX_OK) return CX_ERR;
            snprintf(stored, sizeof stored, "%s", base);
            fprintf(stderr, "公开地址 %s 已保存到数据库（此后各实例和命令行都用它；修改用设置页或 cxzy config set public-url）\n", base);
        } else if (strcmp(stored, base) != 0)
            fprintf(stderr, "注意：数据库中的公开地址是 %s，--public-url %s 未采用；修改请用设置页或 cxzy config set public-url\n", stored, base);
    }
    g_https = !strncmp(stored, "https://", 8);
    return CX_OK;
}

bool web_public_https(void) { return g_https; }

/* FNV-1a of the address in force: public pages put it in their ETag, so a page holding a QR code
 * is not answered from a cache made under another address. */
static uint32_t tag_of(const char *s)
{
    return (uint32_t)fnv1a_str(s) | 1; /* never 0: 0 means "no QR on this page" */
}

bool req_public_url(req *r, const char *path, buf *out)
{
    char stored[256], base[256] = "", host[256] = "";
    cx_err e = {0};
    int f = setting_get(r->db, SETTING_PUBLIC_URL, stored, sizeof stored);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "读取公开地址设置失败");
        return false;
    }
    if (f == 1 && setting_public_url_check(stored, base, host, &e) != CX_OK) base[0] = host[0] = 0; /* edited by hand: as if none */
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
    bool ok = h && *h && ((host[0] && !strcasecmp(h, host)) || !strcmp(h, g_listen) || (g_local[0] && !strcmp(h, g_local)));
    if (!ok) {
        char shown[80];
        snprintf(shown, sizeof shown, "%s", h ? h : "");
        for (char *p = shown; *p; p++)
            if ((unsigned char)*p < 0x20) *p = '?';
        req_failf(r, 400, "bad_host", "Host",
                  "请求的主机名“%s”不是本站的地址，不能生成二维码或打印页；请用本站地址访问，或由办公室在“设置”页设置公开地址（也可用 cxzy config set public-url 或 cxzy serve --public-url）",
                  shown);
        return false;
    }
    r->public_tag = tag_of(base);
    if (base[0]) {
        buf_printf(out, "%s%s", base, path);
        return true;
    }
    buf_printf(out, "http://%s%s", h, path);
    cJSON *d = req_data(r);
    if (!cJSON_GetObjectItem(d, "public_url_unset")) {
        cJSON_AddTrueToObject(d, "public_url_unset");
        char used[300];
        snprintf(used, sizeof used, "http://%s", h);
        cJSON_AddStringToObject(d, "qr_base", used);
    }
    return true;
}

int json_add_qr(cJSON *x, const char *url)
{
    buf svg;
    buf_init(&svg);
    cx_err e;
    int rc = qr_svg(url, &svg, &e);
    cJSON_AddStringToObject(x, "html_qr", svg.p ? svg.p : ""); /* made here from our own URL */
    cJSON_AddStringToObject(x, "url", url);
    buf_free(&svg);
    return rc;
}

void req_qr(req *r, buf *url)
{
    buf_init(&r->file);
    cx_err e;
    if (qr_svg(url->p, &r->file, &e) != CX_OK) {
        buf_free(&r->file);
        req_fail(r, &e);
    }
    r->file_mime = "image/svg+xml";
    buf_free(url);
}
