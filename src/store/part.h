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
/* A member moved to another organisation: the photo row, and the ballots and reviews about the
 * member, follow the member's part. */
int part_follow_member(db *d, int64_t member_id);
/* Every part as the setting says (migration 0039), inside the caller's write transaction. */
int part_fill(db *d);
/* Turns the national root on or off and rewrites every part accordingly, audited (entity
 * "setting", name "national"); the same value again records nothing. */
int part_national_set(db *d, const actor *a, bool on, cx_err *e);

/* PostgreSQL: creates the province org_id's partition of every partitioned table and moves its
 * rows out of DEFAULT, in one transaction, audited ("create", entity "partition"); *moved gets
 * the rows moved. Refuses SQLite (sqlite_one_file), an unknown organisation (not_found), a root
 * that is not national (not_national), an organisation not directly under it (not_province) and
 * one that has its partitions already (partition_exists). */
int part_add(db *d, const actor *a, int64_t org_id, int64_t *moved, cx_err *e);
/* The provinces with partitions, then DEFAULT (org_id 0), with the rows each holds per table
 * (part_table_name(i) names count[i]); PostgreSQL only. Caller frees *rows. */
#define PART_TABLES 6
typedef struct part_row {
    int64_t org_id, created_at, count[PART_TABLES];
    char name[256];
    bool province; /* still directly under the root (a province moved since keeps its empty partition) */
} part_row;
int part_list(db *d, part_row **rows, size_t *n);
const char *part_table_name(size_t i);
#endif
