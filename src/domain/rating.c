/* rating.c: the checks of what is typed on the rating side (see rating.h). */
#include "rating.h"
#include "text.h"
#include "idcard.h"
#include <string.h>

static const text_rule T_WINDOW_NAME = {"name", "窗口名称", 1, WINDOW_NAME_MAX, false},
                       T_WINDOW_LOCATION = {"location", "窗口位置", 0, WINDOW_LOCATION_MAX, false},
                       T_PAPER_NOTE = {"note", "备注", 0, PAPER_NOTE_MAX, false},
                       T_BURST_RELEASE = {"note", "审核说明", 0, BURST_NOTE_MAX, false},
                       T_BURST_DISCARD = {"note", "审核说明", 1, BURST_NOTE_MAX, false},
                       T_REASON = {"reason", "不满意的理由", 0, BALLOT_TEXT_MAX, false},
                       T_REASON_REQUIRED = {"reason", "不满意的理由", 1, BALLOT_TEXT_MAX, false},
                       T_COMMENT = {"comment", "意见建议", 0, BALLOT_TEXT_MAX, false};

int window_check(const window_in *in, window_ok *out, cx_err *e)
{
    if (text_check(&T_WINDOW_NAME, in->name, out->name, sizeof out->name, e) != CX_OK) return CX_ERR;
    return text_check(&T_WINDOW_LOCATION, in->location, out->location, sizeof out->location, e);
}

int paper_batch_check(const paper_batch_in *in, paper_batch_ok *out, cx_err *e)
{
    if (in->sheets < 1 || in->sheets > PAPER_MAX_SHEETS)
        return cx_fail(e, 400, "invalid_sheets", "sheets", "问卷份数应为 1 到 %d 之间的整数", PAPER_MAX_SHEETS);
    out->sheets = in->sheets;
    return text_check(&T_PAPER_NOTE, in->note, out->note, sizeof out->note, e);
}

int burst_check(const burst_in *in, burst_ok *out, cx_err *e)
{
    out->release = in->release;
    return text_check(in->release ? &T_BURST_RELEASE : &T_BURST_DISCARD, in->note, out->note, sizeof out->note, e);
}

int phone_draw_check(const phone_draw_in *in, phone_draw_ok *out, cx_err *e)
{
    int64_t n = 0;
    if (in->seed && *in->seed)
        return cx_fail(e, 400, "seed_not_accepted", "seed", "随机种子由系统生成（上传名单前先公布其 SHA-256 摘要），不接受上传者指定的种子，请去掉 seed");
    if (!in->n || str_to_i64(in->n, &n) != CX_OK || n < 1 || n > PHONE_MAX_DRAW)
        return cx_fail(e, 400, "invalid_n", "n", "抽取人数应为 1 到 %d 之间的整数", PHONE_MAX_DRAW);
    if (!in->commitment_id || !*in->commitment_id)
        return cx_fail(e, 400, "commitment_required", "commitment_id", "请先生成抽签承诺（系统先公布随机种子的 SHA-256 摘要），再上传名单抽取");
    if (!in->file || !in->len) return cx_fail(e, 400, "required", "file", "请上传联系人名单（CSV 或 Excel，每行一个手机号）");
    *out = (phone_draw_ok){in->file, in->len, n, in->commitment_id};
    return CX_OK;
}

int rating_phone(const char *in, char out[32], cx_err *e)
{
    char p[32];
    if (!in || !*in) return cx_fail(e, 400, "required", "phone", "手机号不能为空");
    if (phone_validate(in, p, NULL) != CX_OK || strlen(p) != 11 || p[0] != '1')
        return cx_fail(e, 400, "invalid_phone", "phone", "手机号格式不正确：应为 11 位手机号码（1 开头）");
    memcpy(out, p, 12);
    return CX_OK;
}

int ballot_texts_check(const ballot_texts_in *in, ballot_texts_ok *out, cx_err *e)
{
    out->reason[0] = out->comment[0] = out->phone[0] = 0;
    if (text_check(in->reason_required ? &T_REASON_REQUIRED : &T_REASON, in->reason, out->reason, sizeof out->reason, e) != CX_OK) return CX_ERR;
    if (in->phone_checked && (in->phone_required || (in->phone && *in->phone)) && rating_phone(in->phone, out->phone, e) != CX_OK) return CX_ERR;
    return text_check(&T_COMMENT, in->comment, out->comment, sizeof out->comment, e);
}
