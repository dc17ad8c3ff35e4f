/* netaddr.c: address lists and the client address behind trusted proxies (see netaddr.h). */
#include "netaddr.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One address (no port, no brackets) into family and 16 bytes (IPv4-mapped IPv6 counts as IPv4). */
static bool parse_addr(const char *s, size_t n, int *family, unsigned char a[16])
{
    char t[64];
    if (n == 0 || n >= sizeof t) return false;
    memcpy(t, s, n);
    t[n] = 0;
    memset(a, 0, 16);
    if (inet_pton(AF_INET, t, a) == 1) return *family = 4, true;
    if (inet_pton(AF_INET6, t, a) != 1) return false;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!memcmp(a, mapped, 12)) {
        memmove(a, a + 12, 4);
        memset(a + 4, 0, 12);
        return *family = 4, true;
    }
    return *family = 6, true;
}

static const char *trim(const char *s, size_t *n)
{
    while (*n && (*s == ' ' || *s == '\t')) s++, (*n)--;
    while (*n && (s[*n - 1] == ' ' || s[*n - 1] == '\t')) (*n)--;
    return s;
}

int netlist_parse(const char *list, netlist *l, cx_err *e)
{
    l->n = 0;
    const char *p = list ? list : "";
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *item = trim(p, &n);
        if (n) {
            if (l->n == NETLIST_MAX) return cx_fail(e, 422, "invalid_trusted_proxy", "trusted-proxy", "受信任的代理最多 %d 项", NETLIST_MAX);
            const char *slash = memchr(item, '/', n);
            size_t alen = slash ? (size_t)(slash - item) : n;
            int fam, bits;
            unsigned char a[16];
            bool ok = parse_addr(item, alen, &fam, a);
            bits = fam == 4 ? 32 : 128;
            if (ok && slash) {
                char num[8];
                size_t blen = n - alen - 1;
                char *end;
                if (blen == 0 || blen >= sizeof num) ok = false;
                else {
                    memcpy(num, slash + 1, blen);
                    num[blen] = 0;
                    long b = strtol(num, &end, 10);
                    if (*end || num[0] < '0' || num[0] > '9' || b < 0 || b > (fam == 4 ? 32 : 128)) ok = false;
                    else bits = (int)b;
                }
            }
            if (!ok)
                return cx_fail(e, 422, "invalid_trusted_proxy", "trusted-proxy",
                               "受信任的代理“%.*s”不是 IPv4 或 IPv6 地址或网段（如 127.0.0.1、10.0.0.0/8）", (int)(n > 64 ? 64 : n), item);
            l->net[l->n].family = fam;
            memcpy(l->net[l->n].addr, a, 16);
            l->net[l->n].bits = bits;
            l->n++;
        }
        p += strcspn(p, ",");
        if (*p == ',') p++;
    }
    return CX_OK;
}

static bool has_bin(const netlist *l, int fam, const unsigned char a[16])
{
    for (int i = 0; l && i < l->n; i++) {
        if (l->net[i].family != fam) continue;
        int bits = l->net[i].bits, full = bits / 8, rest = bits % 8;
        if (memcmp(l->net[i].addr, a, (size_t)full)) continue;
        if (rest && ((l->net[i].addr[full] ^ a[full]) & (0xff << (8 - rest)) & 0xff)) continue;
        return true;
    }
    return false;
}

bool netlist_has(const netlist *l, const char *text)
{
    int fam;
    unsigned char a[16];
    return text && parse_addr(text, strlen(text), &fam, a) && has_bin(l, fam, a);
}

/* The address as text in its canonical form. */
static void canon(int fam, const unsigned char a[16], char out[64])
{
    if (!inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, out, 64)) snprintf(out, 64, "?");
}

/* From X-Forwarded-For: false when the header is absent or its right-most entry (the one our
 * trusted peer added) is not an address. Read right to left up to the first untrusted entry, the
 * client: what stands left of it was written by the client and is never parsed, so junk, ports or
 * thousands of entries in front of the real address cannot turn the header off (which would fall
 * back to X-Real-IP, passed through from the client by a proxy that does not set it, or to the
 * proxy's own address, shared by everyone behind it). A malformed entry right of every untrusted
 * one (a trusted hop that wrote junk) ends the walk at the left-most trusted entry seen. */
static bool from_xff(const netlist *l, const char *xff, char out[64])
{
    if (!xff || !*xff) return false;
    int fam = 0, cfam = 0, n = 0;
    unsigned char a[16], chosen[16];
    const char *end = xff + strlen(xff);
    while (end > xff) { /* right to left */
        const char *start = end;
        while (start > xff && start[-1] != ',') start--;
        size_t n1 = (size_t)(end - start);
        const char *item = trim(start, &n1);
        if (!parse_addr(item, n1, &fam, a)) break;
        n++;
        memcpy(chosen, a, 16), cfam = fam; /* all trusted so far: the left-most one seen */
        if (!has_bin(l, fam, a)) break;    /* the first untrusted entry: the client */
        if (start == xff) break;
        end = start - 1;
    }
    if (!n) return false;
    canon(cfam, chosen, out);
    return true;
}

void netaddr_client(const netlist *trusted, const char *peer, const char *xff, const char *xri, char out[64])
{
    snprintf(out, 64, "%s", peer ? peer : "?");
    if (!trusted || !trusted->n || !netlist_has(trusted, peer)) return;
    if (from_xff(trusted, xff, out)) return;
    int fam;
    unsigned char a[16];
    size_t n = xri ? strlen(xri) : 0;
    const char *t = xri ? trim(xri, &n) : NULL;
    if (t && parse_addr(t, n, &fam, a)) canon(fam, a, out);
}
