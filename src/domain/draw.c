/* draw.c: committed random draws (see draw.h). */
#include "draw.h"
#include "review.h"
#include "../lib/crypto.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex_of(const unsigned char *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) out[2 * i] = hex[p[i] >> 4], out[2 * i + 1] = hex[p[i] & 15];
    out[2 * n] = 0;
}

void draw_seed_new(char seed[2 * DRAW_SEED_BYTES + 1]) { crypto_random_hex(seed, DRAW_SEED_BYTES); }

void draw_commitment_of(const char *seed, char hash[65])
{
    unsigned char h[32];
    crypto_sha256(seed, strlen(seed), h);
    hex_of(h, sizeof h, hash);
}

int draw_seed_ok(const char *s)
{
    return s && strlen(s) == 2 * DRAW_SEED_BYTES && strspn(s, "0123456789abcdef") == 2 * DRAW_SEED_BYTES;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void draw_list_canonical(char **v, size_t *n)
{
    if (*n == 0) return;
    qsort(v, *n, sizeof *v, cmp_str);
    size_t k = 1;
    for (size_t i = 1; i < *n; i++) {
        if (!strcmp(v[i], v[k - 1])) free(v[i]);
        else v[k++] = v[i];
    }
    *n = k;
}

void draw_list_digest(char *const *v, size_t n, char digest[65])
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) len += strlen(v[i]) + 1;
    char *all = malloc(len + 1), *p = all;
    if (!all) abort();
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(v[i]);
        memcpy(p, v[i], l);
        p[l] = '\n';
        p += l + 1;
    }
    unsigned char h[32];
    crypto_sha256(all, len, h);
    free(all);
    hex_of(h, sizeof h, digest);
}

uint64_t draw_state_of(const char *seed, const char *list_digest)
{
    char text[256];
    int len = snprintf(text, sizeof text, "cxzy-draw-v1\n%s\n%s\n", seed, list_digest);
    unsigned char h[32];
    crypto_sha256(text, len > 0 && (size_t)len < sizeof text ? (size_t)len : strlen(text), h);
    uint64_t st = 0;
    for (int i = 0; i < 8; i++) st = st << 8 | h[i];
    return st;
}

void draw_committed(const char *seed, const char *list_digest, uint32_t population, uint32_t n, uint32_t *out)
{
    draw_sample(draw_state_of(seed, list_digest), population, n, out);
}
