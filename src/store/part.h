/* part.h: the province a row belongs to (`part`, issue 20); see part.c. */
#ifndef CX_PART_H
#define CX_PART_H
#include "store.h"

/* The setting that makes the root national: its children are provinces, each its own part. */
#define SETTING_NATIONAL "national"

/* 1 when the root is national, 0 when not, CX_ERR. */
int part_national(db *d);
/* The part of a new or moved organisation id placed under parent: id itself when parent is a
 * national root, else the parent's part. */
int part_child(db *d, const org *parent, int64_t id, int64_t *part);
/* After the orgs with paths under path got their new part: every row carrying `part` under them
 * follows (members, photos, campaigns, pledges and their progress and evidence, feedback,
 * rectification items and their evidence, events and escalations). Inside the caller's write
 * transaction. */
int part_follow(db *d, const char *path);
/* A member moved to another organisation: the photo row follows the member's part. */
int part_follow_member(db *d, int64_t member_id);
/* Every part as the setting says (migration 0039), inside the caller's write transaction. */
int part_fill(db *d);
/* Turns the national root on or off and rewrites every part accordingly, audited (entity
 * "setting", name "national"); the same value again records nothing. */
int part_national_set(db *d, const actor *a, bool on, cx_err *e);
#endif
