/* ballot.c: casting a ballot: the checks of each channel (QR/web, paper, phone), the rater's key,
 * then the writer (see ballot.h). */
#include "ballot.h"
#include "ballot_writer.h"
#include "paper_batch.h"
#include "phone_draw.h"
#include "rater.h"
#include "rating_int.h"
#include "../domain/review.h"
#include "../domain/date.h"
#include "../lib/code.h"
#include "../lib/crypto.h"
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* answers_check's refusal under this API's code. */
static int answers_fail(cx_err *e)
{
    char msg[sizeof e->msg];
    snprintf(msg, sizeof msg, "%s", e->msg);
    return cx_fail(e, 400, "invalid_answers", "answers", "%s", msg);
}

/* The rater, target and round of a paper sheet: the sheet must be of this batch. */
static int paper_job(db *d, const ballot_in *in, ballot_job *j, rating_target *t, char code[16], cx_err *e)
{
    if (code_parse(in->sheet_code, PAPER_CODE_DATA, code, 16, "code", "问卷编号", e) != CX_OK) return CX_ERR;
    paper_batch b;
    int f = paper_batch_get(d, in->batch_id, &b);
    if (f != 1) return f == 0 ? cx_fail(e, 404, "not_found", "id", "问卷批次不存在") : cx_fail(e, 500, "db_error", "", "数据库错误");
    int64_t sheet = 0;
    if (db_i64(d, &sheet, 0, "SELECT id FROM paper_sheet WHERE code = ? AND batch_id = ?", "si", code, in->batch_id) != CX_OK)
        return cx_fail(e, 500, "db_error", "", "数据库错误");
    if (!sheet) return cx_fail(e, 404, "unknown_code", "code", "问卷编号 %s 不属于这一批问卷，请核对", code);
    j->sheet_id = sheet;
    j->round_id = b.round_id;
    t->kind = b.kind;
    t->id = b.target_id;
    t->org_id = b.org_id;
    snprintf(t->org_path, sizeof t->org_path, "%s", b.org_path);
    snprintf(t->name, sizeof t->name, "%s", b.target_name);
    snprintf((char *)j->questions, 16, "%s", b.questions);
    return CX_OK;
}

/* The entry of a phone draw, decrypted: the rater is the phone called. */
static int phone_job(db *d, const ballot_in *in, ballot_job *j, rating_target *t, char phone[32], cx_err *e)
{
    phone_draw p;
    int f = phone_draw_get(d, in->draw_id, &p);
    if (f != 1) return f == 0 ? cx_fail(e, 404, "not_found", "id", "抽访记录不存在") : cx_fail(e, 500, "db_error", "", "数据库错误");
    db_stmt *s = db_prepare(d, "SELECT id, phone_enc, state FROM phone_draw_entry WHERE draw_id = ? AND seq = ?");
    if (!s) return cx_fail(e, 500, "db_error", "", "数据库错误");
    db_bind_i64(s, 1, in->draw_id);
    db_bind_i64(s, 2, in->seq);
    int rc = db_step(s);
    char *plain = NULL;
    bool pending = false;
    if (rc == DB_ROW) {
        size_t n;
        const void *enc = db_col_blob(s, 1, &n);
        plain = crypto_unseal(enc, n);
        j->entry_id = db_col_i64(s, 0);
        pending = !strcmp(db_col_text(s, 2), "pending");
    }
    db_done(s);
    if (rc != DB_ROW) return cx_fail(e, 404, "not_found", "seq", "抽访名单中没有第 %" PRId64 " 位", in->seq);
    if (!plain) return cx_fail(e, 500, "decrypt_failed", "", "无法解密电话号码（密钥不符？）");
    snprintf(phone, 32, "%s", plain);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    if (!pending) return cx_fail(e, 409, "entry_done", "seq", "第 %" PRId64 " 位已经记录过结果", in->seq);
    j->round_id = p.round_id;
    t->kind = p.kind;
    t->id = p.target_id;
    t->org_id = p.org_id;
    snprintf(t->org_path, sizeof t->org_path, "%s", p.org_path);
    snprintf(t->name, sizeof t->name, "%s", p.target_name);
    snprintf((char *)j->questions, 16, "%s", p.questions);
    return CX_OK;
}

int ballot_prepare(db *d, const ballot_in *in, ballot_prep *p, cx_err *e)
{
    memset(p, 0, sizeof *p);
    ballot_job j = {0};
    j.questions = p->questions;
    const char *ch = in->channel ? in->channel : "";
    bool anon = !strcmp(ch, "qr") || !strcmp(ch, "web"), unsat = false;
    rating_open ro = {0};
    if (anon) {
        int f = rating_target_open_recent(d, !in->recent, in->kind, in->target_id, &p->t, &ro); /* one round trip at most */
        if (f == CX_ERR) return cx_fail(e, 500, "db_error", "", "数据库错误");
        if (f == 0) return cx_fail(e, 404, "not_found", "target_id", "要评价的对象不存在或未公开");
        if (f == 1) return cx_fail(e, 409, "rating_closed", "target_id", "“%s”目前没有进行中的群众评议", p->t.name);
        j.round_id = ro.round_id;
        snprintf(p->questions, sizeof p->questions, "%s", ro.questions);
        if (!in->device || !*in->device)
            return cx_fail(e, 400, "invalid_device", "device", "缺少设备标记：请允许浏览器保存 Cookie 后刷新页面再评价");
        if (!device_valid(in->device))
            return cx_fail(e, 400, "invalid_device", "device", "设备标记不是本站签发的：请刷新评价页面（或重新获取评价表）后再评价");
        unsat = answers_unsatisfied(in->answers);
        if (answers_check(in->answers, questions_of(p->questions, NULL), "answers", e) != CX_OK) return answers_fail(e);
    } else if (!strcmp(ch, "paper")) {
        if (paper_job(d, in, &j, &p->t, p->code, e) != CX_OK) return CX_ERR;
        if (!in->spoiled && answers_check(in->answers, questions_of(p->questions, NULL), "answers", e) != CX_OK) return answers_fail(e);
    } else if (!strcmp(ch, "phone")) {
        if (phone_job(d, in, &j, &p->t, p->phone, e) != CX_OK) return CX_ERR;
        if (answers_check(in->answers, questions_of(p->questions, NULL), "answers", e) != CX_OK) return answers_fail(e);
    } else return cx_fail(e, 400, "invalid_channel", "channel", "评议渠道应为 qr、web、paper 或 phone");
    p->round_id = j.round_id;
    p->round_org_id = ro.round_org_id;
    p->sheet_id = j.sheet_id;
    p->entry_id = j.entry_id;
    p->anon = anon;
    p->need_sms = anon && unsat && ro.sms_required;
    p->texts = (ballot_texts_in){in->reason, in->comment, in->phone, anon && unsat, anon, p->need_sms};
    return CX_OK;
}

int ballot_cast(db **dp, const actor *a, const ballot_in *in, ballot_prep *p, ballot_texts_ok *ok, ballot_out *out, cx_err *e)
{
    db *d = *dp;
    ballot_job j = {0};
    const rating_target t = p->t;
    char answers[8] = "", ident[160], phone[32];
    j.questions = p->questions;
    j.round_id = p->round_id;
    j.sheet_id = p->sheet_id;
    j.entry_id = p->entry_id;
    const char *ch = in->channel ? in->channel : "", *code = p->code, *comment = ok->comment, *reason = ok->reason;
    bool anon = p->anon, need_sms = p->need_sms;
    snprintf(phone, sizeof phone, "%s", anon ? ok->phone : p->phone); /* the verified phone (web/QR) or the one called */
    sodium_memzero(ok->phone, sizeof ok->phone);
    sodium_memzero(p->phone, sizeof p->phone);
    /* a paper sheet's or phone draw's round may have closed since the batch or draw was made; a
     * web / QR ballot's round was read open by ballot_prepare in this request (a round closing
     * since is the writer's to see: the ballot is kept as late, 409 rating_late) */
    bool open = anon;
    int64_t round_org = p->round_org_id;
    if (!anon && (round_state(d, j.round_id, &open, &round_org) != 1 || !open))
        return cx_fail(e, 409, "rating_closed", "round_id", "这一轮评议已经结束，不能再录入");
    if (!in->spoiled) snprintf(answers, sizeof answers, "%s", in->answers);
    /* the rater: a verified phone first (checked last, so a bad ballot does not use the code up) */
    if (anon && phone[0] && (need_sms || (in->code && *in->code))) {
        if (sms_code_verify(d, phone, in->code, e) != CX_OK) return CX_ERR;
    } else if (anon && !(phone[0] && in->phone_verified)) phone[0] = 0; /* a phone not verified identifies nobody */
    /* a paper sheet's code and a phone draw verify their rater; on the web only a verified phone */
    j.anon = anon;
    j.verified = !anon || phone[0];
    const char *kind = rating_kind_name(t.kind);
    if (phone[0]) snprintf(ident, sizeof ident, "phone:%s", phone);
    else if (!strcmp(ch, "paper")) snprintf(ident, sizeof ident, "sheet:%s", code);
    else snprintf(ident, sizeof ident, "device:%.32s", in->device); /* the token's random id */
    rater_key(j.round_id, kind, t.id, ident, j.key);
    j.has_key = true;
    if (anon && phone[0]) { /* the device counts too */
        snprintf(ident, sizeof ident, "device:%.32s", in->device);
        rater_key(j.round_id, kind, t.id, ident, j.dev);
        j.has_dev = true;
    }
    sodium_memzero(phone, sizeof phone);
    sodium_memzero(ident, sizeof ident);
    if (anon && in->addr) { /* no address: written by the system (the demo), not over HTTP */
        addr_bucket('b', in->addr, j.bucket);
        j.limit = ballots_config()->ballot_limit;
        net_bucket(in->addr, j.net);
    }
    j.round_org_id = round_org;
    j.org_id = t.org_id;
    j.org_path = t.org_path;
    j.target_id = t.id;
    j.kind = kind;
    j.channel = ch;
    j.answers = answers;
    j.comment = comment;
    j.reason = reason;
    j.spoiled = in->spoiled && !strcmp(ch, "paper");
    j.user_id = a ? a->user_id : 0;
    j.actor_name = a && a->name ? a->name : "群众（匿名）";
    date_today(j.day);
    ballot_submit(dp, &j); /* *dp may be another connection now: d is not used after */
    if (out) {
        out->valid = j.outcome == BO_VALID;
        out->verified = j.verified;
        out->held = j.held;
        out->round_id = j.round_id;
        snprintf(out->target_name, sizeof out->target_name, "%s", t.name);
    }
    switch (j.outcome) {
    case BO_VALID: case BO_SPOILED: return CX_OK;
    case BO_REPEAT:
        if (!strcmp(ch, "paper")) return cx_fail(e, 409, "duplicate_ballot", "code", "问卷编号 %s 已经录入过，重复录入不计入结果（已记为无效票）", code);
        if (!strcmp(ch, "phone")) return cx_fail(e, 409, "duplicate_ballot", "seq", "这位群众本轮已经评价过“%s”，重复评价不计入结果（已记为无效票）", t.name);
        return cx_fail(e, 409, "duplicate_ballot", "", "您本轮已经评价过“%s”，每人只能评价一次，重复评价不计入结果（已记为无效票）", t.name);
    case BO_LIMITED: return cx_fail(e, 429, "rate_limited", "", "此网络提交的评价过多，请稍后再试");
    case BO_LATE:
        return cx_fail(e, 409, "rating_late", "round_id", "“%s”这一轮评议已经结束或不在评议期内，这份评价已记录，但不计入评议结果", t.name);
    case BO_ENTRY_DONE: return cx_fail(e, 409, "entry_done", "seq", "第 %" PRId64 " 位已经记录过结果", in->seq);
    case BO_GONE: return cx_fail(e, 404, "not_found", "target_id", "要评价的对象不存在或未公开（“%s”已停用）", t.name);
    default: return cx_fail(e, 500, "db_error", "", "评价保存失败，请稍后再试");
    }
}
