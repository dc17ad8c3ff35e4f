/* media.c: metadata stripping of uploaded JPEG and PNG images (see media.h). */
#include "media.h"
#include "util.h"
#include <stdbool.h>
#include <string.h>

static size_t copy_all(const unsigned char *p, size_t n, unsigned char *o)
{
    memcpy(o, p, n);
    return n;
}

static size_t jpeg_strip(const unsigned char *p, size_t n, unsigned char *o)
{
    if (n < 4 || p[0] != 0xFF || p[1] != 0xD8) return copy_all(p, n, o);
    size_t i = 2, w = 0;
    o[w++] = 0xFF, o[w++] = 0xD8;
    while (i + 4 <= n) {
        if (p[i] != 0xFF) return copy_all(p, n, o);
        unsigned char m = p[i + 1];
        if (m == 0xFF) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0xD9 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) { /* EOI, RST, TEM: no length */
            o[w++] = 0xFF, o[w++] = m;
            i += 2;
            if (m == 0xD9) return w;
            continue;
        }
        size_t len = ((size_t)p[i + 2] << 8) | p[i + 3];
        if (len < 2 || i + 2 + len > n) return copy_all(p, n, o);
        bool drop = (m >= 0xE1 && m <= 0xED) || m == 0xEF || m == 0xFE; /* APP1–APP13, APP15, COM */
        if (!drop) memcpy(o + w, p + i, 2 + len), w += 2 + len;
        i += 2 + len;
        if (m == 0xDA) { /* SOS: entropy-coded data to the end, kept as it is */
            memcpy(o + w, p + i, n - i);
            return w + (n - i);
        }
    }
    return copy_all(p, n, o);
}

static size_t png_strip(const unsigned char *p, size_t n, unsigned char *o)
{
    if (n < 8 || memcmp(p, "\x89PNG\r\n\x1a\n", 8)) return copy_all(p, n, o);
    size_t i = 8, w = 8;
    memcpy(o, p, 8);
    while (i + 12 <= n) {
        size_t len = ((size_t)p[i] << 24) | ((size_t)p[i + 1] << 16) | ((size_t)p[i + 2] << 8) | p[i + 3];
        if (len > n - i - 12) return copy_all(p, n, o);
        const unsigned char *type = p + i + 4;
        bool drop = !memcmp(type, "tEXt", 4) || !memcmp(type, "zTXt", 4) || !memcmp(type, "iTXt", 4) || !memcmp(type, "eXIf", 4) ||
                    !memcmp(type, "tIME", 4);
        if (!drop) memcpy(o + w, p + i, 12 + len), w += 12 + len;
        i += 12 + len;
        if (!memcmp(type, "IEND", 4)) return w;
    }
    return copy_all(p, n, o);
}

size_t media_strip(const char *mime, const void *in, size_t n, void *out)
{
    if (mime && !strcmp(mime, "image/jpeg")) return jpeg_strip(in, n, out);
    if (mime && !strcmp(mime, "image/png")) return png_strip(in, n, out);
    return copy_all(in, n, out);
}

void *media_clean(const char *mime, const void *in, size_t n, size_t *len)
{
    void *out = xmalloc(n ? n : 1);
    *len = media_strip(mime, in, n, out);
    return out;
}
