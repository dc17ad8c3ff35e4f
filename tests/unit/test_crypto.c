/* test_crypto.c: unit tests of key rotation in lib/crypto.c: during a rotation old fields still
 * open and new ones are sealed under the new key; the field hash and the key check change, the
 * stable hash (tracking codes, device tokens) does not; the stable key travels wrapped under the
 * new key; the same key is refused; a dropped rotation changes nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/crypto.h"

static char dir[64], key_a[96], key_b[96];

static int setup(void **st)
{
    (void)st;
    if (crypto_boot() != CX_OK) return -1;
    snprintf(dir, sizeof dir, "/tmp/cxzy-crypto-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(key_a, sizeof key_a, "%s/a.key", dir);
    snprintf(key_b, sizeof key_b, "%s/b.key", dir);
    cx_err e = {0};
    return crypto_key_create(key_a, &e) == CX_OK && crypto_key_create(key_b, &e) == CX_OK ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    unlink(key_a), unlink(key_b), rmdir(dir);
    return 0;
}

/* What the loaded key makes of the same inputs: a stable hash, a field hash, the key check. */
typedef struct snap {
    unsigned char stable[CX_HASH_BYTES], field[CX_HASH_BYTES];
    char check[65];
} snap;

static void snap_of(snap *k)
{
    crypto_keyed_hash("feedback-code\x1f" "ABCDEFGHJKMNP", k->stable);
    crypto_field_hash("11010519491231002X", k->field);
    crypto_key_check(k->check);
}

static void test_rotation(void **st)
{
    (void)st;
    cx_err e = {0};
    assert_int_equal(crypto_key_load(key_a, &e), CX_OK);
    snap k1, k2, k3;
    snap_of(&k1);
    /* before any rotation the stable key is the field-hash subkey (what every hash used before) */
    unsigned char a[CX_HASH_BYTES], b[CX_HASH_BYTES];
    crypto_keyed_hash("x", a);
    crypto_field_hash("x", b);
    assert_memory_equal(a, b, CX_HASH_BYTES);
    buf old, nu, wrapped;
    buf_init(&old), buf_init(&nu), buf_init(&wrapped);
    crypto_seal("13812345678", &old);

    assert_int_equal(crypto_rotate_begin(key_a, &e), CX_ERR); /* the same key */
    assert_string_equal(e.code, "key_same");
    assert_int_equal(crypto_rotate_begin(key_b, &e), CX_OK);
    crypto_seal("13812345678", &nu);
    char *p = crypto_unseal(old.p, old.len);
    assert_non_null(p); /* old fields open with the old key during the rotation */
    assert_string_equal(p, "13812345678");
    free(p);
    assert_null(crypto_unseal(nu.p, nu.len)); /* not yet: the old key still opens */
    snap_of(&k2);
    assert_memory_equal(k1.stable, k2.stable, CX_HASH_BYTES);  /* tracking codes keep working */
    assert_memory_not_equal(k1.field, k2.field, CX_HASH_BYTES); /* 身份证号 hashes are recomputed */
    assert_string_not_equal(k1.check, k2.check);
    crypto_stable_wrap(&wrapped);
    crypto_rotate_end(true);

    assert_null(crypto_unseal(old.p, old.len)); /* the old key's fields no longer open */
    p = crypto_unseal(nu.p, nu.len);
    assert_non_null(p);
    free(p);
    snap_of(&k3);
    assert_memory_equal(k1.stable, k3.stable, CX_HASH_BYTES);
    assert_memory_equal(k2.field, k3.field, CX_HASH_BYTES);

    /* a new process with the new key: the stable key comes from the database, wrapped */
    assert_int_equal(crypto_key_load(key_b, &e), CX_OK);
    snap_of(&k3);
    assert_memory_not_equal(k1.stable, k3.stable, CX_HASH_BYTES);
    assert_int_equal(crypto_stable_unwrap(wrapped.p, wrapped.len), CX_OK);
    snap_of(&k3);
    assert_memory_equal(k1.stable, k3.stable, CX_HASH_BYTES);
    assert_string_equal(k2.check, k3.check);
    /* the old key cannot open the wrapped key; a changed byte neither */
    assert_int_equal(crypto_key_load(key_a, &e), CX_OK);
    assert_int_equal(crypto_stable_unwrap(wrapped.p, wrapped.len), CX_ERR);
    assert_int_equal(crypto_key_load(key_b, &e), CX_OK);
    wrapped.p[wrapped.len - 1] ^= 1;
    assert_int_equal(crypto_stable_unwrap(wrapped.p, wrapped.len), CX_ERR);
    assert_int_equal(crypto_stable_unwrap(wrapped.p, 10), CX_ERR);
    buf_free(&old), buf_free(&nu), buf_free(&wrapped);
}

static void test_dropped_rotation(void **st)
{
    (void)st;
    cx_err e = {0};
    assert_int_equal(crypto_key_load(key_a, &e), CX_OK);
    snap k1, k2;
    snap_of(&k1);
    assert_int_equal(crypto_rotate_begin(key_b, &e), CX_OK);
    crypto_rotate_end(false);
    snap_of(&k2);
    assert_memory_equal(k1.field, k2.field, CX_HASH_BYTES);
    assert_string_equal(k1.check, k2.check);
    buf b;
    buf_init(&b);
    crypto_seal("x", &b);
    char *p = crypto_unseal(b.p, b.len);
    assert_non_null(p);
    free(p);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_dropped_rotation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
