/* public_addr.c: the address printed in QR codes and on print pages. It used to be taken from
 * the request's Host header, so anyone could have the server print a QR code leading elsewhere.
 * Now it is `cxzy serve --public-url` when given; QR and print requests are answered only for a
 * Host that is the public address's or the listen address (127.0.0.1 also as localhost), and
 * without --public-url the QR leads to that Host. */
#include "web.h"
#include <stdio.h>
#include <string.h>

static char g_public[256]; /* "https://example.org" (no trailing slash), or "" */
static char g_public_host[256], g_listen[128], g_local[128];

int web_public_config(const char *public_url, const char *listen, cx_err *e)
{
    g_public[0] = g_public_host[0] = 0;
    snprintf(g_listen, sizeof g_listen, "%s", listen ? listen : "");
    const char *colon = strrchr(g_listen, ':');
    g_local[0] = 0;
    if (colon && !strncmp(g_listen, "127.0.0.1:", 10)) snprintf(g_local, sizeof g_local, "localhost%s", colon);
    if (!public_url || !*public_url) return CX_OK;
    size_t skip = !strncmp(public_url, "https://", 8) ? 8 : !strncmp(public_url, "http://", 7) ? 7 : 0;
    const char *host = public_url + skip;
    size_t n = strlen(host);
    while (n && host[n - 1] == '/') n--;
    if (!skip || !n || n >= sizeof g_public_host || memchr(host, '/', n) || strpbrk(public_url, "\"<> \\?#@'"))
        return cx_fail(e, 400, "invalid_public_url", "public-url",
                       "--public-url 应为网站的公开地址，例如 https://cxzy.example.gov.cn（只含协议、主机名和端口），收到“%s”",
                       public_url);
    snprintf(g_public_host, sizeof g_public_host, "%.*s", (int)n, host);
    snprintf(g_public, sizeof g_public, "%.*s%s", (int)skip, public_url, g_public_host);
    return CX_OK;
}

bool web_public_https(void) { return !strncmp(g_public, "https://", 8); }

bool req_public_url(req *r, const char *path, buf *out)
{
    const char *host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
    bool ok = host && *host &&
              ((g_public_host[0] && !strcasecmp(host, g_public_host)) || !strcmp(host, g_listen) || (g_local[0] && !strcmp(host, g_local)));
    if (!ok) {
        char shown[80];
        snprintf(shown, sizeof shown, "%s", host ? host : "");
        for (char *p = shown; *p; p++)
            if ((unsigned char)*p < 0x20) *p = '?';
        req_failf(r, 400, "bad_host", "Host", "请求的主机名“%s”不是本站的地址，不能生成二维码或打印页；请用本站地址访问，或由管理员以 cxzy serve --public-url 设置公开地址",
                  shown);
        return false;
    }
    if (g_public[0]) buf_printf(out, "%s%s", g_public, path);
    else buf_printf(out, "http://%s%s", host, path);
    return true;
}
