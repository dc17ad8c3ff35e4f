/* bulletin.c: section kinds, the checks of a draft, the number text and the canonical content of
 * bulletins (see bulletin.h). */
#include "bulletin.h"
#include "text.h"
#include "../lib/crypto.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name, *label, *num, *den;
} kinds[BK_N] = {
    [BK_RANK_ORGS_MEETING] = {"rank_orgs_meeting", "“五个好”党组织比例排名", "达到“五个好”", "评定等次的党组织"},
    [BK_RANK_MEMBERS_MEETING] = {"rank_members_meeting", "“五带头”党员比例排名", "达到“五带头”", "评定等次的党员"},
    [BK_RANK_SATISFACTION] = {"rank_satisfaction", "群众满意度排名", "满意和基本满意（答项）", "全部答项"},
    [BK_RANK_PLEDGES] = {"rank_pledges", "承诺兑现率排名", "已兑现承诺", "到期承诺"},
    [BK_RANK_REPORTS] = {"rank_reports", "按时报送汇报率排名", "按时报送", "应报送"},
    [BK_RANK_RECT] = {"rank_rect", "整改按期销号率排名", "按期销号", "到期整改事项"},
    [BK_RANK_FEEDBACK] = {"rank_feedback", "群众意见按期答复率排名", "按期答复", "到期应答复"},
    [BK_LATE_REPORTS] = {"late_reports", "逾期报送的汇报", NULL, NULL},
    [BK_MISSING_REPORTS] = {"missing_reports", "未报送的汇报", NULL, NULL},
    [BK_OVERDUE_RECT] = {"overdue_rect", "逾期未销号的整改事项", NULL, NULL},
    [BK_OVERDUE_FEEDBACK] = {"overdue_feedback", "逾期未答复的群众意见", NULL, NULL},
    [BK_NAMED] = {"named", "点名：无正当理由未兑现承诺", NULL, NULL},
    [BK_EXEMPLARY] = {"exemplary", "典型事例", NULL, NULL},
    [BK_TEXT] = {"text", "其他事项", NULL, NULL},
    /* the ledger (issue 18) */
    [BK_LEDGER] = {"ledger", "台账统计：走访、帮办实事、结对帮扶、调研报告、座谈会", NULL, NULL},
    /* 评选表彰 awards (issue 19) */
    [BK_AWARDS] = {"awards", "评选表彰：本期批准的表彰", NULL, NULL},
    /* issue 19: contests and posts */
    [BK_CONTESTS] = {"contests", "三比竞赛和党员示范岗、责任区", NULL, NULL},
    /* issue 22: news items */
    [BK_NEWS] = {"news", "信息报送：各月报送和采用的简报信息与典型", NULL, NULL},
    /* issue 22: annual goals */
    [BK_GOALS] = {"goals", "年度工作目标：验收和完成情况", NULL, NULL},
};

const char *bulletin_kind_name(int k) { return k >= 0 && k < BK_N ? kinds[k].name : ""; }
const char *bulletin_kind_label(int k) { return k >= 0 && k < BK_N ? kinds[k].label : ""; }

int bulletin_kind_from_name(const char *s)
{
    for (int k = 0; s && k < BK_N; k++)
        if (!strcmp(s, kinds[k].name)) return k;
    return -1;
}

bool bulletin_kind_round(int k) { return k == BK_RANK_ORGS_MEETING || k == BK_RANK_MEMBERS_MEETING || k == BK_RANK_SATISFACTION; }
bool bulletin_kind_ranking(int k) { return k >= BK_RANK_ORGS_MEETING && k <= BK_RANK_FEEDBACK; }

void bulletin_rank_head(int kind, const char *h[5])
{
    h[0] = "名次", h[1] = "组织", h[2] = kinds[kind].num ? kinds[kind].num : "", h[3] = kinds[kind].den ? kinds[kind].den : "", h[4] = "比例";
}

/* a before b: a share is higher (cross-multiplied); nothing due comes last; then by name */
static int share_cmp(const void *pa, const void *pb)
{
    const bulletin_share *a = pa, *b = pb;
    if (!a->den != !b->den) return a->den ? -1 : 1;
    if (a->den && b->den) {
        __int128 l = (__int128)a->num * b->den, r = (__int128)b->num * a->den;
        if (l != r) return l > r ? -1 : 1;
    }
    int c = strcmp(a->name, b->name);
    return c ? c : (a->org_id < b->org_id ? -1 : a->org_id > b->org_id);
}

void bulletin_rank_rows(cJSON *figures, int kind, bulletin_share *v, int n)
{
    const char *h[5];
    bulletin_rank_head(kind, h);
    cJSON *head = cJSON_AddArrayToObject(figures, "head");
    for (int i = 0; i < 5; i++) cJSON_AddItemToArray(head, cJSON_CreateString(h[i]));
    qsort(v, (size_t)n, sizeof *v, share_cmp);
    cJSON *rows = cJSON_AddArrayToObject(figures, "rows");
    int rank = 0;
    for (int i = 0; i < n; i++) {
        if (v[i].den && (i == 0 || share_cmp(&(bulletin_share){0, "", v[i - 1].num, v[i - 1].den},
                                             &(bulletin_share){0, "", v[i].num, v[i].den}) != 0))
            rank = i + 1;
        char key[32], r[16], a[24], b[24], pct[24];
        snprintf(key, sizeof key, "org:%" PRId64, v[i].org_id);
        if (v[i].den) {
            snprintf(r, sizeof r, "%d", rank);
            /* one decimal, rounded half up, from integers only */
            int64_t t = (v[i].num * 2000 + v[i].den) / (2 * v[i].den);
            snprintf(pct, sizeof pct, "%" PRId64 ".%" PRId64 "%%", t / 10, t % 10);
        } else snprintf(r, sizeof r, "—"), snprintf(pct, sizeof pct, "—");
        snprintf(a, sizeof a, "%" PRId64, v[i].num);
        snprintf(b, sizeof b, "%" PRId64, v[i].den);
        cJSON *row = cJSON_CreateObject(), *cells = cJSON_CreateArray();
        cJSON_AddStringToObject(row, "key", key);
        const char *c[] = {r, v[i].name, a, b, pct};
        for (int j = 0; j < 5; j++) cJSON_AddItemToArray(cells, cJSON_CreateString(c[j]));
        cJSON_AddItemToObject(row, "cells", cells);
        cJSON_AddItemToArray(rows, row);
    }
    cJSON_AddNumberToObject(figures, "total", n);
}

/* The period as the caller parsed it (bulletin_in: from_q/to_q 0 when a text was absent or unreadable). */
static int period_of(const bulletin_in *in, int *from_q, int *to_q, cx_err *e)
{
    static const char *const how = "写作 2026（全年）、2026H1（上半年）、2026H2（下半年）或 2026Q3（第三季度）";
    *from_q = in->from_q, *to_q = in->to_q;
    if (in->period && *in->period) {
        if (!*from_q || !*to_q) return cx_fail(e, 400, "invalid_period", "period", "通报期间应%s", how);
        return CX_OK;
    }
    if (!in->from || !*in->from) return cx_fail(e, 400, "required", "from", "请填写通报期间的起始季度（如 2026Q1）");
    if (!*from_q) return cx_fail(e, 400, "invalid_period", "from", "起始季度应%s", how);
    if (!in->to || !*in->to) return cx_fail(e, 400, "required", "to", "请填写通报期间的截止季度（如 2026Q3）");
    if (!*to_q) return cx_fail(e, 400, "invalid_period", "to", "截止季度应%s", how);
    if (*to_q < *from_q) return cx_fail(e, 422, "invalid_period", "to", "截止季度不能早于起始季度");
    return CX_OK;
}

static int quarters(int from_q, int to_q) { return (to_q / 10 - from_q / 10) * 4 + (to_q % 10 - from_q % 10) + 1; }

static int parse_ids(const char *s, int64_t *out, int cap, int *n, cx_err *e)
{
    *n = 0;
    const char *p = s ? s : "";
    while (*p) {
        while (*p == ',' || *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
        if (!*p) break;
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v <= 0 || (*end && *end != ',' && *end != ' ' && *end != '\n' && *end != '\r' && *end != '\t'))
            return cx_fail(e, 400, "invalid_exemplary", "exemplary", "典型事例应为承诺编号（正整数），以逗号分隔");
        if (*n >= cap) return cx_fail(e, 400, "too_many", "exemplary", "典型事例最多 %d 项", cap);
        bool dup = false;
        for (int i = 0; i < *n; i++) dup |= out[i] == v;
        if (!dup) out[(*n)++] = v;
        p = end;
    }
    return CX_OK;
}

int bulletin_check(const bulletin_in *in, bulletin_ok *ok, cx_err *e)
{
    memset(ok, 0, sizeof *ok);
    text_rule title = {"title", "通报标题", 1, BULLETIN_TITLE_MAX, true};
    if (text_check(&title, in->title, ok->title, sizeof ok->title, e) != CX_OK) return CX_ERR;
    if (period_of(in, &ok->from_q, &ok->to_q, e) != CX_OK) return CX_ERR;
    if (in->today_q && ok->from_q > in->today_q)
        return cx_fail(e, 422, "invalid_period", in->period && *in->period ? "period" : "from", "通报期间还没有开始，不能通报");
    if (quarters(ok->from_q, ok->to_q) > BULLETIN_QUARTERS_MAX)
        return cx_fail(e, 422, "invalid_period", in->period && *in->period ? "period" : "to", "通报期间最长 %d 个季度", BULLETIN_QUARTERS_MAX);
    const char *vis = in->visibility;
    if (!vis || !*vis || !strcmp(vis, "subtree")) ok->is_public = false;
    else if (!strcmp(vis, "public")) ok->is_public = true;
    else return cx_fail(e, 400, "invalid_visibility", "visibility", "公开范围应为 subtree（本组织及下级）或 public（向社会公开）");
    bool pick[BK_N] = {0};
    if (in->sections) {
        const char *p = in->sections;
        while (*p) {
            while (*p == ',' || *p == ' ') p++;
            if (!*p) break;
            size_t n = strcspn(p, ", ");
            char name[40];
            snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name - 1 ? n : sizeof name - 1), p);
            int k = n < sizeof name - 1 ? bulletin_kind_from_name(name) : -1;
            if (k < 0) {
                char names[600] = "";
                for (int j = 0; j < BK_N; j++) {
                    size_t used = strlen(names);
                    snprintf(names + used, sizeof names - used, "%s%s", j ? "、" : "", kinds[j].name);
                }
                return cx_fail(e, 400, "invalid_section", "sections", "不认识的通报栏目；栏目应为以逗号分隔的 %s", names);
            }
            pick[k] = true;
            p += n;
        }
    } else memcpy(pick, in->picked, sizeof pick);
    for (int k = 0; k < BK_N; k++) {
        if (!pick[k]) continue;
        char field[40];
        snprintf(field, sizeof field, "note_%s", kinds[k].name);
        char label[120];
        snprintf(label, sizeof label, "“%s”的说明", kinds[k].label);
        text_rule r = {field, label, k == BK_TEXT ? 1 : 0, k == BK_TEXT ? BULLETIN_TEXT_MAX : BULLETIN_NOTE_MAX, false};
        char *note = text_dup(&r, in->notes[k], e);
        if (!note) {
            bulletin_ok_free(ok);
            return CX_ERR;
        }
        ok->kinds[ok->nsec] = k;
        ok->notes[ok->nsec++] = note;
    }
    if (!ok->nsec) return cx_fail(e, 400, "required", "sections", "请至少选择一个通报栏目");
    if (pick[BK_EXEMPLARY]) {
        if (parse_ids(in->exemplary, ok->pledges, BULLETIN_EXEMPLARY_MAX, &ok->npledges, e) != CX_OK) {
            bulletin_ok_free(ok);
            return CX_ERR;
        }
        if (!ok->npledges) {
            bulletin_ok_free(ok);
            return cx_fail(e, 400, "required", "exemplary", "选了“典型事例”栏目，请填写作为典型的承诺编号");
        }
    }
    return CX_OK;
}

void bulletin_ok_free(bulletin_ok *ok)
{
    for (int i = 0; i < ok->nsec; i++) free(ok->notes[i]), ok->notes[i] = NULL;
    ok->nsec = 0;
}

cJSON *bulletin_draft_sections(const bulletin_ok *ok)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < ok->nsec; i++) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "kind", kinds[ok->kinds[i]].name);
        cJSON_AddStringToObject(s, "title", kinds[ok->kinds[i]].label);
        cJSON_AddStringToObject(s, "note", ok->notes[i]);
        if (ok->kinds[i] == BK_EXEMPLARY) {
            cJSON *ids = cJSON_AddArrayToObject(s, "pledge_ids");
            for (int j = 0; j < ok->npledges; j++) {
                char t[24];
                snprintf(t, sizeof t, "%" PRId64, ok->pledges[j]);
                cJSON_AddItemToArray(ids, cJSON_CreateString(t));
            }
        }
        cJSON_AddItemToArray(a, s);
    }
    return a;
}

void bulletin_number_text(const char *prefix, int year, int64_t seq, char *out, size_t cap)
{
    snprintf(out, cap, "%s〔%d〕%" PRId64 "号", prefix, year, seq);
}

int bulletin_prefix_check(const char *in, char *out, size_t cap, cx_err *e)
{
    text_rule r = {"prefix", "发文字号前缀", 1, BULLETIN_PREFIX_MAX, true};
    if (text_check(&r, in, out, cap, e) != CX_OK) return CX_ERR;
    if (strstr(out, "〔") || strstr(out, "〕") || strchr(out, '[') || strchr(out, ']'))
        return cx_fail(e, 400, "invalid_text", "prefix", "发文字号前缀只写机关代字（如“河西创”），年份和序号由系统加上");
    return CX_OK;
}

char *bulletin_canonical(const bulletin_content *c)
{
    cJSON *sections = cJSON_Parse(c->sections ? c->sections : "");
    if (!sections || !cJSON_IsArray(sections)) {
        cJSON_Delete(sections);
        return NULL;
    }
    char t[24];
    cJSON *j = cJSON_CreateObject();
    snprintf(t, sizeof t, "%" PRId64, c->id);
    cJSON_AddStringToObject(j, "id", t);
    snprintf(t, sizeof t, "%" PRId64, c->org_id);
    cJSON_AddStringToObject(j, "org_id", t);
    cJSON_AddStringToObject(j, "number", c->number_text);
    snprintf(t, sizeof t, "%d-%" PRId64, c->year, c->seq);
    cJSON_AddStringToObject(j, "seq", t);
    cJSON_AddStringToObject(j, "title", c->title);
    snprintf(t, sizeof t, "%d-%d", c->from_q, c->to_q);
    cJSON_AddStringToObject(j, "period", t);
    cJSON_AddStringToObject(j, "visibility", c->visibility);
    snprintf(t, sizeof t, "%" PRId64, c->corrects_id);
    cJSON_AddStringToObject(j, "corrects_id", c->corrects_id ? t : "");
    snprintf(t, sizeof t, "%" PRId64, c->published_at);
    cJSON_AddStringToObject(j, "published_at", t);
    cJSON_AddItemToObject(j, "sections", sections);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

int bulletin_hash(const bulletin_content *c, char out[65])
{
    char *s = bulletin_canonical(c);
    if (!s) return CX_ERR;
    unsigned char h[32];
    crypto_sha256(s, strlen(s), h);
    free(s);
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", h[i]);
    return CX_OK;
}
