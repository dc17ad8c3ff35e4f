/* news.h: talking with the public and inside the system (issue 22) in plain C: news items and
 * cases (简报 / 信息报送, 典型) — their kinds, states and visibility with names and labels, the
 * check of what is typed; online consultations (网上征询) — the check of a consultation, a comment,
 * an answer and a summary, and whether one is open on a day. No SQL, no HTTP. */
#ifndef CX_DOMAIN_NEWS_H
#define CX_DOMAIN_NEWS_H
#include <stdbool.h>
#include <stdint.h>
#include "../lib/util.h"

typedef enum { NK_NEWS = 0, NK_CASE, NK_COUNT } news_kind;
typedef enum { NS_SUBMITTED = 0, NS_ADOPTED, NS_DECLINED, NS_PUBLISHED, NS_COUNT } news_status;
/* "news" | "case", "简报信息" | "典型"; "submitted" … with 已报送 …; "" out of range; -1 unknown. */
const char *news_kind_name(int k);
const char *news_kind_label(int k);
int news_kind_from_name(const char *s);
const char *news_status_name(int s);
const char *news_status_label(int s);
int news_status_from_name(const char *s);

#define NEWS_TITLE_MAX 100
#define NEWS_BODY_MAX 5000
#define NEWS_NOTE_MAX 500
#define NEWS_PHOTOS_MAX 5
typedef struct news_ok {
    news_kind kind;
    char title[NEWS_TITLE_MAX * 4 + 1];
    char *body; /* malloc'd: free with news_ok_free */
} news_ok;
/* kind news|case (422 invalid_kind), title 1–100 characters on one line, body 1–5000 (text.h's
 * errors on the field). */
int news_check(const char *kind, const char *title, const char *body, news_ok *out, cx_err *e);
void news_ok_free(news_ok *o);
/* The month ("YYYY-MM") of unix time t in local time. */
void news_month_of(int64_t t, char out[8]);
/* visibility "internal" | "public" (400 invalid_visibility): 1 public, 0 internal, CX_ERR. */
int news_visibility(const char *s, cx_err *e);

#define CONSULT_TITLE_MAX 100
#define CONSULT_BODY_MAX 5000
#define CONSULT_COMMENT_MAX 1000
#define CONSULT_REPLY_MAX 2000
#define CONSULT_SUMMARY_MAX 5000
typedef struct consult_ok {
    char title[CONSULT_TITLE_MAX * 4 + 1];
    char closes_on[11];
    char *body; /* malloc'd: free with consult_ok_free */
} consult_ok;
/* title 1–100 on one line, body 1–5000, closes_on a date (YYYY-MM-DD, 400 invalid_date) not
 * before today (422 closes_in_past; today: "YYYY-MM-DD", NULL skips the check). */
int consult_check(const char *title, const char *body, const char *closes_on, const char *today, consult_ok *out, cx_err *e);
void consult_ok_free(consult_ok *o);
/* Whether comments are taken on day today: up to and including closes_on. */
bool consult_open(const char *closes_on, const char *today);
#endif
