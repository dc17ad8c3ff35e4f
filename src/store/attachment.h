/* attachment.h: files attached to a record, kept alike in three tables — evidence of a pledge's
 * progress (evidence), of a rectification item (rect_evidence) and files sent with feedback
 * (feedback_file): how an upload is checked, how one file is read and how a record's files are
 * listed. */
#ifndef CX_ATTACHMENT_H
#define CX_ATTACHMENT_H
#include "store.h"

/* A file as uploaded. */
typedef struct evidence_in {
    const char *name, *mime;
    const void *data;
    size_t len;
} evidence_in;
#define EVIDENCE_MAX_BYTES (5u << 20)
#define EVIDENCE_MAX_FILES 5
/* "image/jpeg", "image/png", "application/pdf" decided by content, or NULL. */
const char *evidence_sniff(const void *data, size_t n);
/* Checks files uploaded together: at most EVIDENCE_MAX_FILES, each non-empty, at most
 * EVIDENCE_MAX_BYTES and typed by content; mimes[i] gets each type. CX_OK, or CX_ERR with e
 * (codes too_many_files, evidence_too_large, evidence_empty, evidence_type; field "evidence"). */
int evidence_check(const evidence_in *files, int nfiles, const char *mimes[], cx_err *e);

/* A stored file, without its bytes. */
typedef struct attachment {
    int64_t id, size;
    char name[128], mime[32], author[64];
} attachment;
typedef int (*attachment_fn)(void *ctx, const attachment *a);

/* One file's bytes into out: sql selects (mime, name, data[, the owning record's id]) by the
 * file's id; owner (when given) gets the fourth column. 1, 0 (none), CX_ERR. */
CX_MUST_USE int attachment_get(db *d, const char *sql, int64_t id, buf *out, char mime[32], char name[128], int64_t *owner);
/* A record's files in order: sql selects (id, size, name, mime, author) by the record's id. */
int attachment_list(db *d, const char *sql, int64_t owner, attachment_fn fn, void *ctx);
/* Stores checked files (mimes from evidence_check) of record owner without their metadata
 * (media_clean), inside the caller's transaction: sql inserts (owner, mime, name, size, data,
 * author, created_at); a file without a usable name is called fallback; each name stored is
 * appended to the cJSON array names (may be NULL) for the audit. */
struct cJSON;
int attachment_store(db *d, const actor *a, const char *sql, int64_t owner, const evidence_in *files, const char **mimes, int nfiles,
                     const char *fallback, struct cJSON *names);
#endif
