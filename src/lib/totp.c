/* totp.c: HOTP/TOTP (RFC 4226, RFC 6238) over OpenSSL's HMAC-SHA1 (libsodium has no SHA-1), and
 * Base32 (RFC 4648). */
#include "totp.h"
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int32_t hotp_value(const unsigned char *key, size_t n, uint64_t counter, int digits)
{
    if (digits < 6 || digits > 8) return -1;
    unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    for (int i = 7; i >= 0; i--, counter >>= 8) msg[i] = (unsigned char)(counter & 0xff);
    if (!HMAC(EVP_sha1(), key, (int)n, msg, sizeof msg, mac, &len) || len != 20) return -1;
    /* dynamic truncation: the low nibble of the last byte picks 4 bytes, top bit cleared */
    int off = mac[19] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) | ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    uint32_t mod = 1;
    for (int i = 0; i < digits; i++) mod *= 10;
    return (int32_t)(bin % mod);
}

size_t base32_encode(const unsigned char *in, size_t n, char *out, size_t cap)
{
    size_t need = (n * 8 + 4) / 5;
    if (need + 1 > cap) return 0;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) out[o++] = B32[(acc >> (bits - 5)) & 31], bits -= 5;
    }
    if (bits > 0) out[o++] = B32[(acc << (5 - bits)) & 31];
    out[o] = 0;
    return o;
}

long base32_decode(const char *in, unsigned char *out, size_t cap)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (const char *p = in; *p; p++) {
        if (*p == ' ' || *p == '=') continue;
        char c = *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p;
        const char *k = c ? strchr(B32, c) : NULL;
        if (!k) return -1;
        acc = (acc << 5) | (uint32_t)(k - B32);
        bits += 5;
        if (bits >= 8) {
            if (o >= cap) return -1;
            out[o++] = (unsigned char)(acc >> (bits - 8));
            bits -= 8;
        }
        acc &= (1u << bits) - 1;
    }
    if (acc) return -1; /* leftover bits must be zero */
    return (long)o;
}

int32_t totp_parse(const char *typed)
{
    if (!typed) return -1;
    int32_t v = 0;
    int nd = 0;
    for (const char *p = typed; *p; p++) {
        if (*p == ' ') continue;
        if (*p < '0' || *p > '9' || ++nd > TOTP_DIGITS) return -1;
        v = v * 10 + (*p - '0');
    }
    return nd == TOTP_DIGITS ? v : -1;
}
