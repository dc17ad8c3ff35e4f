/* totp.h: one-time codes of authenticator apps (RFC 4226 HOTP, RFC 6238 TOTP with HMAC-SHA1,
 * 30-second steps) and the Base32 text (RFC 4648) their secrets are typed or scanned as. */
#ifndef CX_TOTP_H
#define CX_TOTP_H
#include <stddef.h>
#include <stdint.h>

#define TOTP_SECRET_BYTES 20 /* what the server makes: 160 bits, RFC 4226's recommendation */
#define TOTP_B32_LEN 32      /* 20 bytes as Base32, no padding */
#define TOTP_STEP 30
#define TOTP_DIGITS 6

/* The HOTP value of key at counter with digits decimal digits (6..8): dynamic truncation of
 * HMAC-SHA1, modulo 10^digits. -1 when HMAC fails. */
int32_t hotp_value(const unsigned char *key, size_t n, uint64_t counter, int digits);
/* The time step of a Unix time (T0 = 0, 30 s). */
static inline uint64_t totp_step_of(int64_t unix_time) { return unix_time < 0 ? 0 : (uint64_t)unix_time / TOTP_STEP; }
/* Base32 of n bytes into out without padding (upper case); returns the length, or 0 when cap
 * (which includes the NUL) is too small. */
size_t base32_encode(const unsigned char *in, size_t n, char *out, size_t cap);
/* Decodes Base32 (either case, spaces and '=' padding ignored) into out; returns the byte count,
 * or -1 on a character outside the alphabet, leftover bits that are not zero, or overflow. */
long base32_decode(const char *in, unsigned char *out, size_t cap);
/* A typed code: six digits, spaces ignored. Its value, or -1 when it is anything else. */
int32_t totp_parse(const char *typed);
#endif
