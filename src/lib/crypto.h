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
/* Loads the key file (exactly 64 hex characters); refuses a file readable by group or others.
 * The file stays open with a shared lock (flock) while the process runs, so that a key rotation
 * can tell that a server or another command is using it. */
int crypto_key_load(const char *path, cx_err *e);
/* The stable hash key kept in the database (key_check.hash_key_wrapped, written by a rotation),
 * unwrapped with the loaded master key; CX_ERR when it does not open. */
int crypto_stable_unwrap(const void *data, size_t n);
/* ---- key rotation (cxzy key rotate): ----
 * crypto_key_lock_alone: CX_OK when no other process holds the loaded key file (exclusive lock).
 * crypto_rotate_begin: loads the new key file beside the current one; from then on crypto_seal,
 * crypto_field_hash, crypto_audit_mac and crypto_key_check use the new key while crypto_unseal
 * still opens with the old one; the stable hash key is carried over. Refuses the same key.
 * crypto_stable_wrap: the stable hash key sealed under the (new) master key's wrap subkey.
 * crypto_rotate_end: adopt (after the commit) or drop (after a rollback) the new key. */
int crypto_key_lock_alone(void);
int crypto_rotate_begin(const char *path, cx_err *e);
void crypto_stable_wrap(buf *out);
void crypto_rotate_end(bool adopt);
/* Encrypts plain into out (replaces contents): 24-byte nonce || secretbox ciphertext.
 * Store it in a column named *_enc and list that column in store/keyrotate.c (sealed_cols), with
 * its crypto_field_hash column if any: a key rotation refuses a database with an unlisted one. */
void crypto_seal(const char *plain, buf *out);
/* Decrypts; returns a malloc'd NUL-terminated string or NULL when the data is not authentic. */
char *crypto_unseal(const void *data, size_t n);
/* Keyed BLAKE2b of s under the stable hash key, for lookups of values the database does not keep
 * (tracking codes, device tokens, rater keys, address buckets): a key rotation cannot recompute
 * these, so their key outlives it. */
void crypto_keyed_hash(const char *s, unsigned char out[CX_HASH_BYTES]);
/* Keyed BLAKE2b of s under the master key's field-hash subkey, for fields kept encrypted beside
 * their hash (身份证号, phone: duplicate detection without decrypting): a key rotation
 * recomputes them from the decrypted fields. */
void crypto_field_hash(const char *s, unsigned char out[CX_HASH_BYTES]);
/* argon2id password hash (libsodium's string format); CX_ERR when out of memory. The cost is
 * OWASP's argon2id minimum, m = 19 MiB, t = 2, p = 1: each check holds its memory while it runs and
 * several run at once (lib/pwgate), so libsodium's INTERACTIVE 64 MiB put a server past P5's
 * 128 MB under simultaneous logins (docs/BENCHMARKS.md). Hashes made with other limits still
 * verify and are replaced at their owner's next login (crypto_pw_needs_rehash). */
#define CX_PW_OPS 2
#define CX_PW_MEM ((size_t)19 * 1024 * 1024)
int crypto_pw_hash(const char *pw, char out[128]);
int crypto_pw_verify(const char *hash, const char *pw); /* CX_OK when it matches */
/* True when hash was made with other limits (or another algorithm) than crypto_pw_hash's. */
bool crypto_pw_needs_rehash(const char *hash);
/* Overwrites n bytes at p with zeros in a way the compiler keeps (secrets leaving memory). */
void crypto_wipe(void *p, size_t n);
/* n random bytes into p (libsodium's randombytes_buf). */
void crypto_random_buf(void *p, size_t n);
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
