/* crypto.c: libsodium wrappers. One master key from the key file; subkeys are derived for field
 * encryption, field hashes, the audit MAC and key wrapping, so one leaked use does not expose the
 * others. The stable hash key (lookups of values that are not kept: tracking codes, device
 * tokens, rater keys, address buckets) is the master's field-hash subkey until the first key
 * rotation; from then on it is stored in the database wrapped under the master's wrap subkey, so
 * a rotation carries it over (docs/architecture.md, "Keys"). */
#include "crypto.h"
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct keyset {
    unsigned char enc[crypto_secretbox_KEYBYTES];        /* field encryption */
    unsigned char field[crypto_generichash_KEYBYTES];    /* hashes of kept fields, the key check */
    unsigned char audit[crypto_auth_hmacsha256_KEYBYTES]; /* the audit chain's MAC */
    unsigned char wrap[crypto_secretbox_KEYBYTES];       /* wraps the stable hash key */
    unsigned char stable[crypto_generichash_KEYBYTES];   /* hashes of values not kept */
} keyset;
/* cur opens what is stored; wk seals, hashes and MACs: &cur, or &nxt during a key rotation. */
static keyset cur, nxt;
static keyset *wk = &cur;
static int lock_fd = -1; /* the loaded key file, share-locked while this process runs */

int crypto_boot(void) { return sodium_init() < 0 ? CX_ERR : CX_OK; }

int crypto_key_create(const char *path, cx_err *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return cx_fail(e, 400, "key_exists", "key", "无法创建密钥文件 %s：%s", path,
                       errno == EEXIST ? "文件已存在（不会覆盖已有密钥）" : strerror(errno));
    unsigned char k[32];
    char hex[65];
    randombytes_buf(k, sizeof k);
    sodium_bin2hex(hex, sizeof hex, k, sizeof k);
    hex[64] = '\n';
    ssize_t w = write(fd, hex, 65);
    sodium_memzero(k, sizeof k);
    sodium_memzero(hex, sizeof hex);
    if (w != 65 || fsync(fd) != 0) {
        close(fd);
        unlink(path);
        return cx_fail(e, 500, "key_write_failed", "key", "写入密钥文件 %s 失败", path);
    }
    close(fd);
    return CX_OK;
}

/* Reads the master key of path into ks (derived subkeys; stable = the field-hash subkey); the open
 * file is left in *fdp when fdp is given. */
static int key_read(const char *path, keyset *ks, int *fdp, cx_err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cx_fail(e, 400, "key_missing", "key", "无法读取密钥文件 %s：%s（先运行 cxzy init）", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || (st.st_mode & 077)) {
        close(fd);
        return cx_fail(e, 400, "key_mode", "key", "密钥文件 %s 的权限过宽，应为 0600（chmod 600 %s）", path, path);
    }
    char hex[80];
    ssize_t n = read(fd, hex, sizeof hex - 1);
    if (fdp) *fdp = fd;
    else close(fd);
    unsigned char master[32];
    size_t got = 0;
    bool ok = n >= 64 && sodium_hex2bin(master, sizeof master, hex, 64, NULL, &got, NULL) == 0 && got == 32;
    sodium_memzero(hex, sizeof hex);
    if (!ok) {
        if (fdp) close(fd), *fdp = -1;
        return cx_fail(e, 400, "key_invalid", "key", "密钥文件 %s 格式不正确（应为 64 个十六进制字符）", path);
    }
    crypto_kdf_derive_from_key(ks->enc, sizeof ks->enc, 1, "cxzy-enc", master);
    crypto_kdf_derive_from_key(ks->field, sizeof ks->field, 2, "cxzy-hsh", master);
    crypto_kdf_derive_from_key(ks->audit, sizeof ks->audit, 3, "cxzy-aud", master);
    crypto_kdf_derive_from_key(ks->wrap, sizeof ks->wrap, 4, "cxzy-wrp", master);
    memcpy(ks->stable, ks->field, sizeof ks->stable);
    sodium_memzero(master, sizeof master);
    return CX_OK;
}

int crypto_key_load(const char *path, cx_err *e)
{
    int fd = -1;
    if (key_read(path, &cur, &fd, e) != CX_OK) return CX_ERR;
    if (lock_fd >= 0) close(lock_fd); /* another database in the same process (restore) */
    lock_fd = fd;
    flock(lock_fd, LOCK_SH); /* a key rotation waits for no one: it asks for LOCK_EX | LOCK_NB */
    wk = &cur;
    return CX_OK;
}

int crypto_key_lock_alone(void)
{
    return lock_fd >= 0 && flock(lock_fd, LOCK_EX | LOCK_NB) == 0 ? CX_OK : CX_ERR;
}

int crypto_stable_unwrap(const void *data, size_t n)
{
    if (!data || n != crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + sizeof cur.stable) return CX_ERR;
    const unsigned char *p = data;
    unsigned char k[sizeof cur.stable];
    if (crypto_secretbox_open_easy(k, p + crypto_secretbox_NONCEBYTES, n - crypto_secretbox_NONCEBYTES, p, cur.wrap) != 0)
        return CX_ERR;
    memcpy(cur.stable, k, sizeof k);
    sodium_memzero(k, sizeof k);
    return CX_OK;
}

void crypto_stable_wrap(buf *out)
{
    size_t n = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + sizeof wk->stable;
    buf_reset(out);
    buf_grow(out, n);
    unsigned char *p = (unsigned char *)out->p;
    randombytes_buf(p, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(p + crypto_secretbox_NONCEBYTES, wk->stable, sizeof wk->stable, p, wk->wrap);
    out->len = n;
    out->p[n] = 0;
}

int crypto_rotate_begin(const char *path, cx_err *e)
{
    if (key_read(path, &nxt, NULL, e) != CX_OK) return CX_ERR;
    if (sodium_memcmp(nxt.enc, cur.enc, sizeof cur.enc) == 0) {
        sodium_memzero(&nxt, sizeof nxt);
        return cx_fail(e, 400, "key_same", "new_key", "新密钥文件 %s 与当前密钥相同，轮换没有意义", path);
    }
    memcpy(nxt.stable, cur.stable, sizeof cur.stable); /* carried over */
    wk = &nxt;
    return CX_OK;
}

void crypto_rotate_end(bool adopt)
{
    if (adopt) memcpy(&cur, &nxt, sizeof cur);
    sodium_memzero(&nxt, sizeof nxt);
    wk = &cur;
}

/* Nonces: 16 random bytes drawn once per thread, then an 8-byte counter. XSalsa20's 24-byte
 * nonce makes this unique without a getrandom() system call per field (2 per imported row). */
static __thread unsigned char nonce_prefix[16];
static __thread uint64_t nonce_counter;
static __thread int nonce_ready;

static void next_nonce(unsigned char n[crypto_secretbox_NONCEBYTES])
{
    if (!nonce_ready) {
        randombytes_buf(nonce_prefix, sizeof nonce_prefix);
        nonce_ready = 1;
    }
    memcpy(n, nonce_prefix, 16);
    uint64_t c = ++nonce_counter;
    memcpy(n + 16, &c, 8);
}

void crypto_seal(const char *plain, buf *out)
{
    size_t n = strlen(plain);
    buf_reset(out);
    buf_grow(out, crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n);
    unsigned char *p = (unsigned char *)out->p;
    next_nonce(p);
    crypto_secretbox_easy(p + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n, p, wk->enc);
    out->len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    out->p[out->len] = 0;
}

char *crypto_unseal(const void *data, size_t n)
{
    if (!data || n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return NULL;
    const unsigned char *p = data;
    size_t m = n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    char *out = xmalloc(m + 1);
    if (crypto_secretbox_open_easy((unsigned char *)out, p + crypto_secretbox_NONCEBYTES, n - crypto_secretbox_NONCEBYTES, p,
                                   cur.enc) != 0) {
        free(out);
        return NULL;
    }
    out[m] = 0;
    return out;
}

void crypto_keyed_hash(const char *s, unsigned char out[CX_HASH_BYTES])
{
    crypto_generichash(out, CX_HASH_BYTES, (const unsigned char *)s, strlen(s), wk->stable, sizeof wk->stable);
}

void crypto_field_hash(const char *s, unsigned char out[CX_HASH_BYTES])
{
    crypto_generichash(out, CX_HASH_BYTES, (const unsigned char *)s, strlen(s), wk->field, sizeof wk->field);
}

int crypto_pw_hash(const char *pw, char out[128])
{
    _Static_assert(crypto_pwhash_STRBYTES <= 128, "pwhash string fits");
    return crypto_pwhash_str_alg(out, pw, strlen(pw), CX_PW_OPS, CX_PW_MEM, crypto_pwhash_ALG_ARGON2ID13) == 0 ? CX_OK : CX_ERR;
}

bool crypto_pw_needs_rehash(const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash, CX_PW_OPS, CX_PW_MEM) != 0;
}

int crypto_pw_verify(const char *hash, const char *pw)
{
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0 ? CX_OK : CX_ERR;
}

void crypto_random_buf(void *p, size_t n) { randombytes_buf(p, n); }
void crypto_wipe(void *p, size_t n) { sodium_memzero(p, n); }

void crypto_random_hex(char *out, size_t n)
{
    unsigned char tmp[64];
    if (n > sizeof tmp) n = sizeof tmp;
    randombytes_buf(tmp, n);
    sodium_bin2hex(out, 2 * n + 1, tmp, n);
}

void crypto_sha256(const void *data, size_t n, unsigned char out[32])
{
    crypto_hash_sha256(out, data, n);
}

void crypto_audit_mac(const void *data, size_t n, char out[65])
{
    unsigned char h[32];
    crypto_auth_hmacsha256(h, data, n, wk->audit);
    sodium_bin2hex(out, 65, h, 32);
}

bool crypto_verify_eq(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

void crypto_key_check(char out[65])
{
    unsigned char h[CX_HASH_BYTES];
    crypto_field_hash("cxzy key check v1", h);
    sodium_bin2hex(out, 65, h, sizeof h);
}
