/* rater.c: who rates: SMS codes, signed device tokens and the keyed hashes that
 * stand for a rater, an address and a network without naming them. */
#include "rater.h"
#include "limit.h"
#include "ballot_writer.h"
#include "rating_int.h"
#include "row.h"
#include "../lib/crypto.h"
#include "../lib/sms.h"
#include <arpa/inet.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void phone_hash(const char *phone, unsigned char out[CX_HASH_BYTES])
{
    char *s = xasprintf("sms-phone\x1f%s", phone);
    crypto_keyed_hash(s, out);
    free(s);
}

static void code_hash(const char *phone, const char *code, unsigned char out[CX_HASH_BYTES])
{
    char *s = xasprintf("sms-code\x1f%s\x1f%s", phone, code);
    crypto_keyed_hash(s, out);
    free(s);
}

/* The per-address bucket of a kind ("b" ballots, "s" SMS): a keyed hash, never the address. */
void addr_bucket(char kind, const char *addr, char out[48])
{
    char prefix[3] = {kind, ':', 0};
    limit_bucket(prefix, "addr", addr, out);
}

int sms_code_request(db *d, const rater_phone *p, const char *addr, cx_err *e)
{
    const char *phone = p->phone;
    if (!strcmp(sms_gateway_name(), "none")) return sms_send(phone, "", e); /* says: not available */
    unsigned char ph[CX_HASH_BYTES];
    phone_hash(phone, ph);
    int64_t now = now_unix(), recent = 0, last = 0, n = 0;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (db_i64(d, &recent, 0, "SELECT count(*) FROM sms_code WHERE phone_hash = ? AND created_at > ?", "bi", ph, sizeof ph, now - 3600) != CX_OK ||
        db_i64(d, &last, 0, "SELECT max(created_at) FROM sms_code WHERE phone_hash = ?", "b", ph, sizeof ph) != CX_OK)
        return db_fail(d, e);
    if (last > now - 60) {
        db_rollback(d);
        return cx_fail(e, 429, "rate_limited", "phone", "验证码已发送，请 %" PRId64 " 秒后再重新获取", 60 - (now - last));
    }
    if (recent >= 5) {
        db_rollback(d);
        return cx_fail(e, 429, "rate_limited", "phone", "该手机号一小时内获取验证码次数过多，请稍后再试");
    }
    if (ballots_config()->sms_limit > 0) {
        char b[48];
        addr_bucket('s', addr, b);
        if (limit_add(d, b, now - now % 3600, &n) != CX_OK) return db_fail(d, e);
        if (n > ballots_config()->sms_limit) {
            db_commit(d); /* the attempt counts */
            return cx_fail(e, 429, "rate_limited", "phone", "此网络一小时内获取验证码次数过多，请稍后再试");
        }
    }
    char code[8];
    snprintf(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
    unsigned char ch[CX_HASH_BYTES];
    code_hash(phone, code, ch);
    if (db_run(d, "INSERT INTO sms_code (phone_hash, code_hash, attempts, used, created_at, expires_at) VALUES (?,?,0,0,?,?)", "bbii", ph,
               sizeof ph, ch, sizeof ch, now, now + SMS_CODE_TTL) != CX_OK ||
        db_run(d, "DELETE FROM sms_code WHERE expires_at < ?", "i", now - 86400) != CX_OK || db_commit(d) != CX_OK)
        return db_fail(d, e);
    char text[160];
    snprintf(text, sizeof text, "【创先争优】您的群众评议验证码是 %s，%d 分钟内有效。如非本人操作请忽略。", code, SMS_CODE_TTL / 60);
    return sms_send(phone, text, e);
}

int sms_code_verify(db *d, const char *phone, const char *code, cx_err *e)
{
    char c[8];
    size_t n = code ? strlen(code) : 0;
    if (n == 0) return cx_fail(e, 400, "required", "code", "请填写短信验证码（选择“不满意”需要验证手机号）");
    if (n != 6 || strspn(code, "0123456789") != 6) return cx_fail(e, 400, "wrong_code", "code", "短信验证码应为 6 位数字");
    memcpy(c, code, 7);
    unsigned char ph[CX_HASH_BYTES], want[CX_HASH_BYTES];
    phone_hash(phone, ph);
    code_hash(phone, c, want);
    int64_t now = now_unix();
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    db_stmt *s = db_prepare(d, "SELECT id, code_hash, attempts FROM sms_code WHERE phone_hash = ? AND used = 0 AND expires_at >= ? "
                               "ORDER BY created_at DESC, id DESC LIMIT 1");
    if (!s) return db_fail(d, e);
    db_bind_blob(s, 1, ph, sizeof ph);
    db_bind_i64(s, 2, now);
    int rc = db_step(s);
    int64_t id = 0, attempts = 0;
    bool match = false;
    if (rc == DB_ROW) {
        size_t hn = 0;
        const void *h = db_col_blob(s, 1, &hn);
        id = db_col_i64(s, 0);
        attempts = db_col_i64(s, 2);
        match = hn == sizeof want && sodium_memcmp(h, want, sizeof want) == 0;
    }
    db_done(s);
    if (rc == CX_ERR) return db_fail(d, e);
    if (rc != DB_ROW) {
        db_rollback(d);
        return cx_fail(e, 400, "code_expired", "code", "验证码已过期或尚未获取，请重新获取");
    }
    if (attempts >= SMS_CODE_ATTEMPTS) {
        db_rollback(d);
        return cx_fail(e, 429, "too_many_attempts", "code", "验证码输错次数过多，请重新获取");
    }
    if (!match) {
        if (db_run(d, "UPDATE sms_code SET attempts = attempts + 1 WHERE id = ?", "i", id) != CX_OK || db_commit(d) != CX_OK) return db_fail(d, e);
        return cx_fail(e, 400, "wrong_code", "code", "短信验证码不正确，请核对后重新输入");
    }
    /* used up only if still unused: on PostgreSQL two requests with one code (two instances, or two
     * threads) both read it unused; the second's UPDATE waits for the first and then matches nothing */
    int64_t took = 0;
    if (db_i64(d, &took, 0, "UPDATE sms_code SET used = 1 WHERE id = ? AND used = 0 RETURNING id", "i", id) != CX_OK || db_commit(d) != CX_OK)
        return db_fail(d, e);
    if (!took) return cx_fail(e, 400, "code_expired", "code", "验证码已使用，请重新获取");
    return CX_OK;
}

void rater_key(int64_t round_id, const char *kind, int64_t id, const char *ident, unsigned char out[CX_HASH_BYTES])
{
    char *s = xasprintf("ballot\x1f%" PRId64 "\x1f%s\x1f%" PRId64 "\x1f%s", round_id, kind, id, ident);
    crypto_keyed_hash(s, out);
    free(s);
}

void rater_keys_of(const char *kind, int64_t id, const char *phone, const char *device, unsigned char phone_key[CX_HASH_BYTES],
                   unsigned char device_key[CX_HASH_BYTES])
{
    char ident[64];
    snprintf(ident, sizeof ident, "phone:%s", phone);
    rater_key(0, kind, id, ident, phone_key);
    snprintf(ident, sizeof ident, "device:%.32s", device); /* the token's random id */
    rater_key(0, kind, id, ident, device_key);
    sodium_memzero(ident, sizeof ident);
}

/* Device tokens: "<32 hex random id>.<32 hex keyed hash over the id>". */
static void device_mac(const char *id, char out[33])
{
    unsigned char h[CX_HASH_BYTES];
    char *s = xasprintf("device-token\x1f%.32s", id);
    crypto_keyed_hash(s, h);
    free(s);
    hexof(h, 16, out);
}

void device_issue(char out[DEVICE_TOKEN_LEN + 1])
{
    crypto_random_hex(out, 16);
    out[32] = '.';
    device_mac(out, out + 33);
}

bool device_valid(const char *s)
{
    if (!s || strlen(s) != DEVICE_TOKEN_LEN || s[32] != '.' || strspn(s, "0123456789abcdef") != 32 || strspn(s + 33, "0123456789abcdef") != 32)
        return false;
    char mac[33];
    device_mac(s, mac);
    return sodium_memcmp(mac, s + 33, 32) == 0;
}

/* The network prefix of a client address (IPv4 /24, IPv6 /48) as a keyed-hash bucket "n:…";
 * "" when addr is not an address. */
void net_bucket(const char *addr, char out[48])
{
    unsigned char a[16];
    char pre[40];
    out[0] = 0;
    if (!addr) return;
    if (inet_pton(AF_INET, addr, a) == 1) snprintf(pre, sizeof pre, "4:%u.%u.%u", a[0], a[1], a[2]);
    else if (inet_pton(AF_INET6, addr, a) == 1) {
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (!memcmp(a, mapped, 12)) snprintf(pre, sizeof pre, "4:%u.%u.%u", a[12], a[13], a[14]);
        else hexof(a, 6, pre + 2), pre[0] = '6', pre[1] = ':';
    } else return;
    limit_bucket("n:", "net", pre, out);
}
