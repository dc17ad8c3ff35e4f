/* attachment.c: files attached to a record, alike in three tables (see attachment.h). */
#include "attachment.h"
#include "row.h"
#include "../lib/media.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *evidence_sniff(const void *data, size_t n)
{
    const unsigned char *p = data;
    if (n >= 5 && !memcmp(p, "%PDF-", 5)) return "application/pdf";
    return photo_sniff(data, n);
}

int evidence_check(const evidence_in *files, int nfiles, const char *mimes[], cx_err *e)
{
    if (nfiles > EVIDENCE_MAX_FILES) return cx_fail(e, 400, "too_many_files", "evidence", "每次最多上传 %d 个佐证文件", EVIDENCE_MAX_FILES);
    for (int i = 0; i < nfiles; i++) {
        if (files[i].len > EVIDENCE_MAX_BYTES)
            return cx_fail(e, 413, "evidence_too_large", "evidence", "佐证文件“%s”超过 5 MB", files[i].name);
        if (!files[i].len) return cx_fail(e, 400, "evidence_empty", "evidence", "佐证文件“%s”是空的", files[i].name);
        mimes[i] = evidence_sniff(files[i].data, files[i].len);
        if (!mimes[i])
            return cx_fail(e, 400, "evidence_type", "evidence", "佐证文件“%s”须为 JPEG、PNG 图片或 PDF（按文件内容判断，而非文件名）", files[i].name);
    }
    return CX_OK;
}

int attachment_get(db *d, const char *sql, int64_t id, buf *out, char mime[32], char name[128], int64_t *owner)
{
    mime[0] = name[0] = 0;
    if (owner) *owner = 0;
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        size_t n;
        const void *p = db_col_blob(s, 2, &n);
        copy_col(mime, 32, s, 0);
        copy_col(name, 128, s, 1);
        buf_reset(out);
        buf_add(out, p, n);
        if (owner) *owner = db_col_i64(s, 3);
    }
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

/* One row of an attachment list: (id, size, name, mime, author). */
static void read_attachment(db_stmt *s, attachment *a)
{
    a->id = db_col_i64(s, 0);
    a->size = db_col_i64(s, 1);
    copy_col(a->name, sizeof a->name, s, 2);
    copy_col(a->mime, sizeof a->mime, s, 3);
    copy_col(a->author, sizeof a->author, s, 4);
}

int attachment_list(db *d, const char *sql, int64_t owner, attachment_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, owner);
    return DB_EACH(s, attachment, read_attachment, fn, ctx);
}

int attachment_store(db *d, const actor *a, const char *sql, int64_t owner, const evidence_in *files, const char **mimes, int nfiles,
                     const char *fallback, cJSON *names)
{
    int rc = CX_OK;
    int64_t now = now_unix();
    for (int i = 0; rc == CX_OK && i < nfiles; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s", files[i].name && *files[i].name && utf8_valid(files[i].name, strlen(files[i].name)) ? files[i].name : fallback);
        size_t cn;
        void *clean = media_clean(mimes[i], files[i].data, files[i].len, &cn);
        rc = db_run(d, sql, "issibsi", owner, mimes[i], name, (int64_t)cn, clean, cn, actor_shown(a), now);
        free(clean);
        if (names) cJSON_AddItemToArray(names, cJSON_CreateString(name));
    }
    return rc;
}
