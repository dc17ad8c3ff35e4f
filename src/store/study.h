/* study.h: study notes (学习心得, migration 0028): a member's own note for a study meeting (kind
 * 'study') of their organisation or one above it, or for self-study (no meeting, the material
 * named); read by the secretary and offices over the member's organisation. Each note counts in
 * period_rollup.study_notes in the quarter it was written (period.h, PK_STUDY_NOTE). */
#ifndef CX_STUDY_STORE_H
#define CX_STUDY_STORE_H
#include "store.h"
#include "../domain/quiz.h"

typedef struct study_note {
    int64_t id, member_id, org_id, meeting_id, created_at;
    char member_name[64], org_name[256], org_path[CX_PATH_MAX], meeting_title[256], meeting_on[11];
    char material[4 * STUDY_MATERIAL_MAX + 1], written_on[11];
    char *text; /* malloc'd by the list (valid during the callback) */
} study_note;

/* Records member_id's note (text 1..STUDY_TEXT_MAX characters) for meeting_id (0: self-study,
 * material required) written today, in one transaction, audited. Errors: the member inactive
 * 404 not_found; a meeting that is not a study session of the member's organisation or one above
 * it, or cancelled, 422 invalid_meeting; text or material 400 as text.h says. */
int study_note_add(db *d, const actor *a, int64_t member_id, int64_t meeting_id, const char *material, const char *text, int64_t *id, cx_err *e);
/* One note: 1, 0 none, CX_ERR; n->text is malloc'd (free it). */
CX_MUST_USE int study_note_get(db *d, int64_t id, study_note *n);

typedef struct study_query {
    int64_t member_id;   /* one member's notes, or 0 */
    const char *path;    /* with member_id 0: the notes written in the subtree at path */
    const char *from, *to; /* written_on between (inclusive; NULL: any) */
    int64_t offset, limit;
} study_query;
int study_note_list(db *d, const study_query *q, int (*fn)(void *ctx, const study_note *n), void *ctx);
CX_MUST_USE int study_note_count(db *d, const study_query *q, int64_t *n);
#endif
