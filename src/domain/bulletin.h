/* bulletin.h: bulletins (通报) in plain C: the kinds of section an office may pick and their
 * labels, what a ranking section ranks, the checks of a draft as typed, the printed number
 * (河西创〔2026〕3号) and the canonical JSON of a published bulletin's content with its SHA-256.
 * No SQL, no HTTP.
 *
 * A section is {kind, title, note (the office's annotation), figures}; figures (made by
 * store/bulletin_figures.c, frozen at publication) is one table:
 *   {"caption", "as_of" (lists), "round_id"/"round" (round rankings), "head": [column labels],
 *    "rows": [{"key": "org:12", "cells": [texts]}], "total": rows in all (a list shows at most
 *    BULLETIN_LIST_MAX)}
 * Every cell is text, so the canonical JSON is the same however often it is parsed and printed. */
#ifndef CX_BULLETIN_H
#define CX_BULLETIN_H
#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "../lib/util.h"

typedef enum {
    BK_RANK_ORGS_MEETING = 0, /* 五个好 share of graded organisations (a review round) */
    BK_RANK_MEMBERS_MEETING,  /* 五带头 share of graded members (a review round) */
    BK_RANK_SATISFACTION,     /* public satisfaction (a review round) */
    BK_RANK_PLEDGES,          /* pledges fulfilled of those due (quarters) */
    BK_RANK_REPORTS,          /* reports on time of those due */
    BK_RANK_RECT,             /* rectification closed on time of those due */
    BK_RANK_FEEDBACK,         /* feedback answered on time of those due */
    BK_LATE_REPORTS,          /* reports submitted after their deadline */
    BK_MISSING_REPORTS,       /* reports never submitted, deadline passed */
    BK_OVERDUE_RECT,          /* rectification open past its deadline */
    BK_OVERDUE_FEEDBACK,      /* feedback unanswered past its deadline */
    BK_NAMED,                 /* 点名: unjustified pledge misses */
    BK_EXEMPLARY,             /* 典型事例: pledges the office picks */
    BK_TEXT,                  /* free text */
    /* the ledger (issue 18) */
    BK_LEDGER,                /* 台账: entries by kind of each direct child (roll-up) */
    /* 评选表彰 awards (issue 19) */
    BK_AWARDS,                /* honours approved in the period (not revoked) */
    /* issue 19: contests and posts */
    BK_CONTESTS,              /* 三比竞赛 published and 示范岗/责任区 set up in the period */
    /* issue 22: news items (简报 / 信息报送) */
    BK_NEWS,                  /* items submitted and adopted per month, by direct child */
    /* issue 22: annual goals (年初工作目标) */
    BK_GOALS,                 /* goals of the period's years accepted and done as of its end, by direct child */
    BK_N
} bulletin_kind;

#define BULLETIN_LIST_MAX 50     /* rows a list section shows (the total is given) */
#define BULLETIN_EXEMPLARY_MAX 20
#define BULLETIN_TITLE_MAX 100
#define BULLETIN_NOTE_MAX 2000
#define BULLETIN_TEXT_MAX 5000   /* a free-text section's note */
#define BULLETIN_PREFIX_MAX 20
#define BULLETIN_QUARTERS_MAX 8  /* the longest period a bulletin covers */

const char *bulletin_kind_name(int k);  /* "rank_reports" */
const char *bulletin_kind_label(int k); /* "按时报送汇报率排名" */
int bulletin_kind_from_name(const char *s); /* -1 when unknown */
/* A ranking over a review round's counters (rollup), not the quarters' (period_rollup). */
bool bulletin_kind_round(int k);
bool bulletin_kind_ranking(int k);

/* A ranking's figure: numerator / denominator of one child (-1 / 0: no data). The table's rows
 * are ranked by the share, highest first (equal shares share a rank); children with nothing due
 * come last with "—". */
typedef struct bulletin_share {
    int64_t org_id;
    const char *name;
    int64_t num, den;
} bulletin_share;
/* The ranking table of n shares (sorted in place) into figures: head and rows. */
void bulletin_rank_rows(cJSON *figures, int kind, bulletin_share *v, int n);
/* Column heads of a ranking (名次, 组织, numerator label, denominator label, 比例). */
void bulletin_rank_head(int kind, const char *h[5]);

/* A draft as typed. sections: comma-separated kinds (API), or, when NULL, picked[k] (a page's
 * ticked boxes); notes[k] each section's annotation; exemplary: comma-separated pledge ids. The
 * period: "period" ("2026", "2026H1", "2026Q3"), or from..to ("2026Q1".."2026Q3"), read into
 * from_q..to_q by the caller (bulletin_read_period, store/bulletin.h; 0 when unreadable), with
 * today's quarter (today_q; a period that has not begun is refused). visibility: subtree (default)
 * or public. */
typedef struct bulletin_in {
    const char *title, *period, *from, *to, *visibility, *sections, *exemplary;
    int from_q, to_q, today_q;
    bool picked[BK_N];
    const char *notes[BK_N];
} bulletin_in;

typedef struct bulletin_ok {
    char title[BULLETIN_TITLE_MAX * 4 + 1];
    int from_q, to_q;
    bool is_public;
    int nsec;
    int kinds[BK_N];
    char *notes[BK_N]; /* malloc'd, in kinds order */
    int64_t pledges[BULLETIN_EXEMPLARY_MAX];
    int npledges;
} bulletin_ok;
/* Checks a draft: title 1–100 characters on one line, a period of at most 8 quarters, at least
 * one section, notes within bounds, the exemplary section's pledge ids (required when picked).
 * CX_OK with ok filled (free with bulletin_ok_free), or CX_ERR with e naming the field. */
int bulletin_check(const bulletin_in *in, bulletin_ok *ok, cx_err *e);
void bulletin_ok_free(bulletin_ok *ok);
/* The sections of a draft as stored: [{kind, title, note, pledge_ids?}], without figures. */
cJSON *bulletin_draft_sections(const bulletin_ok *ok);

/* The printed number: prefix〔year〕seq号 into out. */
void bulletin_number_text(const char *prefix, int year, int64_t seq, char *out, size_t cap);
/* A prefix as typed: 1–20 characters, one line, no 〔〕. CX_OK with out filled. */
int bulletin_prefix_check(const char *in, char *out, size_t cap, cx_err *e);

/* What a published bulletin's content is, field by field. */
typedef struct bulletin_content {
    int64_t id, org_id, corrects_id, published_at;
    const char *number_text, *title, *visibility;
    int year, from_q, to_q;
    int64_t seq;
    const char *sections; /* the JSON text of the sections as stored */
} bulletin_content;
/* The canonical JSON of c (malloc'd; NULL when the sections are not JSON): one object with the
 * keys in a fixed order, printed without white space. */
char *bulletin_canonical(const bulletin_content *c);
/* SHA-256 hex of the canonical JSON into out[65]; CX_ERR when the sections are not JSON. */
int bulletin_hash(const bulletin_content *c, char out[65]);
#endif
