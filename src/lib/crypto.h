/* crypto.h: libsodium wrappers: the key file, field encryption, keyed hashes, passwords,
 * random tokens and the audit MAC. Call crypto_init once before anything else. */
#ifndef CX_CRYPTO_H
#define CX_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "util.h"

#define CX_HASH_BYTES 32

int crypto_boot(void); /* sodium_init; CX_ERR when the library cannot start */
/* Creates a new random 32-byte key file at path with mode 0600; refuses to overwrite. */
int crypto_key_create(const char *path, cx_err *e);
/* Loads the key file (exactly 64 hex characters); refuses a file readable by group or others. */
int crypto_key_load(const char *path, cx_err *e);
/* Encrypts plain into out (replaces contents): 24-byte nonce || secretbox ciphertext. */
void crypto_seal(const char *plain, buf *out);
/* Decrypts; returns a malloc'd NUL-terminated string or NULL when the data is not authentic. */
char *crypto_unseal(const void *data, size_t n);
/* Keyed BLAKE2b of s, for duplicate detection and lookup without decrypting. */
void crypto_keyed_hash(const char *s, unsigned char out[CX_HASH_BYTES]);
/* argon2id password hash (libsodium's string format); CX_ERR when out of memory. */
int crypto_pw_hash(const char *pw, char out[128]);
int crypto_pw_verify(const char *hash, const char *pw); /* CX_OK when it matches */
/* n random bytes as 2n lowercase hex characters into out (2n+1 bytes). */
void crypto_random_hex(char *out, size_t n);
void crypto_sha256(const void *data, size_t n, unsigned char out[32]);
/* HMAC-SHA256 of data under the audit key, as 64 hex characters. */
void crypto_audit_mac(const void *data, size_t n, char out[65]);
/* The key's check value (64 hex characters): a keyed hash of a constant, stored in the database
 * (key_check) so that a command given another key file refuses it. */
void crypto_key_check(char out[65]);
/* Constant-time comparison of two strings of the same length. */
bool crypto_verify_eq(const char *a, const char *b);
#endif
