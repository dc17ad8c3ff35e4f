/* form.c: a failed form shown again with the user's values and the message beside its field
 * (see form.h). The pages are our own templates, so the markup is regular: double-quoted
 * attributes, <form>, <input>, <textarea>, <select>/<option>. */
#include "form.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_ATTRS 32

typedef struct attr {
    const char *text; /* the attribute as written, e.g. name="x" */
    size_t len;
    const char *n, *v;
    size_t nl, vl;
    bool has_v;
} attr;

typedef struct tag {
    const char *start, *end; /* '<' and just after '>' */
    char name[16];
    bool closing, self_closing;
    attr a[MAX_ATTRS];
    int na;
} tag;

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

/* Parses the tag at p ('<'); false for comments, doctype and anything that is not a tag. */
static bool parse_tag(const char *p, tag *t)
{
    memset(t, 0, sizeof *t);
    t->start = p++;
    if (*p == '/') t->closing = true, p++;
    size_t k = 0;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) {
        if (k + 1 < sizeof t->name) t->name[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        p++;
    }
    if (!k) return false;
    for (;;) {
        while (is_space(*p)) p++;
        if (!*p) return false;
        if (*p == '>') break;
        if (*p == '/' && p[1] == '>') {
            t->self_closing = true;
            p++;
            break;
        }
        attr *a = t->na < MAX_ATTRS ? &t->a[t->na++] : NULL;
        const char *s = p;
        while (*p && !is_space(*p) && *p != '=' && *p != '>' && !(*p == '/' && p[1] == '>')) p++;
        if (p == s) p++; /* a stray character: skip it */
        const char *ne = p, *v = NULL, *ve = NULL;
        if (*p == '=') {
            p++;
            if (*p == '"' || *p == '\'') {
                char q = *p++;
                v = p;
                while (*p && *p != q) p++;
                if (!*p) return false;
                ve = p++;
            } else {
                v = p;
                while (*p && !is_space(*p) && *p != '>') p++;
                ve = p;
            }
        }
        if (a) *a = (attr){s, (size_t)(p - s), s, v, (size_t)(ne - s), v ? (size_t)(ve - v) : 0, v != NULL};
    }
    t->end = p + 1;
    return true;
}

/* The next tag at or after p and before lim; false when there is none. */
static bool next_tag(const char *p, const char *lim, tag *t)
{
    for (; p < lim && (p = memchr(p, '<', (size_t)(lim - p))); p++)
        if (parse_tag(p, t) && t->end <= lim) return true;
    return false;
}

static const attr *get_attr(const tag *t, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < t->na; i++)
        if (t->a[i].nl == n && !strncasecmp(t->a[i].n, name, n)) return &t->a[i];
    return NULL;
}

/* Undoes the template's HTML escaping of an attribute value (or element text). */
static char *unescape(const char *s, size_t n)
{
    static const struct { const char *e, *c; } ents[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""},
                                                          {"&#39;", "'"}, {"&#x27;", "'"}, {"&#34;", "\""}};
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < sizeof ents / sizeof ents[0]; k++) {
            size_t el = strlen(ents[k].e);
            if (i + el <= n && !memcmp(s + i, ents[k].e, el)) {
                buf_adds(&b, ents[k].c);
                i += el;
                break;
            }
        }
        if (k == sizeof ents / sizeof ents[0]) buf_addc(&b, s[i++]);
    }
    buf_addc(&b, 0);
    return buf_take(&b);
}

/* The attribute's value, unescaped (NULL when absent); free it. */
static char *attr_val(const tag *t, const char *name)
{
    const attr *a = get_attr(t, name);
    return a ? unescape(a->has_v ? a->v : "", a->vl) : NULL;
}

/* Whether the form tag posts to action (its path; query and fragment do not count). */
static bool posts_to(const tag *t, const char *action)
{
    char *m = attr_val(t, "method");
    bool post = m && !strcasecmp(m, "post");
    free(m);
    char *v = post ? attr_val(t, "action") : NULL;
    if (!v) return false;
    v[strcspn(v, "?#")] = 0;
    bool same = !strcmp(v, action);
    free(v);
    return same;
}

static bool input_kind(const char *type, const char *kind) { return type && !strcasecmp(type, kind); }

/* The first posted value of name not yet given to an element (marked used), or NULL. */
static const char *take_value(const form_value *vals, size_t nvals, bool *used, const char *name)
{
    for (size_t i = 0; i < nvals; i++)
        if (!used[i] && !strcmp(vals[i].name, name)) {
            used[i] = true;
            return vals[i].value;
        }
    return NULL;
}

static bool posted(const form_value *vals, size_t nvals, const char *name, const char *value)
{
    for (size_t i = 0; i < nvals; i++)
        if (!strcmp(vals[i].name, name) && (!value || !strcmp(vals[i].value, value))) return true;
    return false;
}

/* Whether every hidden input of the form (but _csrf) carries the value that was posted. */
static bool hidden_match(const char *from, const char *lim, const form_value *vals, size_t nvals)
{
    tag t;
    bool ok = true;
    for (const char *p = from; ok && next_tag(p, lim, &t); p = t.end) {
        if (t.closing || strcmp(t.name, "input")) continue;
        char *type = attr_val(&t, "type"), *name = attr_val(&t, "name"), *value = attr_val(&t, "value");
        if (input_kind(type, "hidden") && name && strcmp(name, "_csrf")) ok = posted(vals, nvals, name, value ? value : "");
        free(type), free(name), free(value);
    }
    return ok;
}

/* Whether the form holds a field element named field (hidden inputs do not count: nobody can
 * correct those). */
static bool has_field(const char *from, const char *lim, const char *field)
{
    tag t;
    bool found = false;
    for (const char *p = from; !found && next_tag(p, lim, &t); p = t.end) {
        if (t.closing || (strcmp(t.name, "input") && strcmp(t.name, "textarea") && strcmp(t.name, "select"))) continue;
        char *type = attr_val(&t, "type"), *name = attr_val(&t, "name");
        found = name && !strcmp(name, field) && !input_kind(type, "hidden");
        free(type), free(name);
    }
    return found;
}

/* Copies tag t to out without the attributes listed in drop (NULL-terminated), then adds extra. */
static void emit_tag(buf *out, const tag *t, const char *const *drop, const char *extra)
{
    buf_printf(out, "<%s", t->name);
    for (int i = 0; i < t->na; i++) {
        bool skip = false;
        for (int k = 0; drop[k] && !skip; k++) skip = t->a[i].nl == strlen(drop[k]) && !strncasecmp(t->a[i].n, drop[k], t->a[i].nl);
        if (skip) continue;
        buf_addc(out, ' ');
        buf_add(out, t->a[i].text, t->a[i].len);
    }
    if (extra) buf_adds(out, extra);
    buf_adds(out, t->self_closing ? " />" : ">");
}

static void emit_message(buf *out, const form_error *err, bool beside)
{
    buf_adds(out, "<p class=\"alert");
    if (beside) {
        buf_adds(out, " field-error\" id=\"ferr-");
        buf_html(out, err->field);
    }
    buf_adds(out, "\" role=\"alert\" data-code=\"");
    buf_html(out, err->code ? err->code : "");
    buf_adds(out, "\" data-field=\"");
    buf_html(out, err->field ? err->field : "");
    buf_adds(out, "\">");
    buf_html(out, err->message ? err->message : "");
    buf_adds(out, "</p>");
}

/* The attributes that tie the element to its message. */
static char *invalid_attrs(const char *field)
{
    buf b;
    buf_init(&b);
    buf_adds(&b, " aria-invalid=\"true\" aria-describedby=\"ferr-");
    buf_html(&b, field);
    buf_adds(&b, "\"");
    return buf_take(&b);
}

/* The messages for field (one element shows them), marked placed; a first one without an id
 * would not be referred to, so the first gets it. */
static void emit_field_messages(buf *out, const form_error *errs, size_t nerrs, bool *placed, const char *field)
{
    for (size_t i = 0; i < nerrs; i++)
        if (!placed[i] && errs[i].field && !strcmp(errs[i].field, field)) {
            emit_message(out, &errs[i], true);
            placed[i] = true;
            break; /* one message per field: the first reason is the one to fix */
        }
    for (size_t i = 0; i < nerrs; i++)
        if (errs[i].field && !strcmp(errs[i].field, field)) placed[i] = true;
}

bool form_refill(const char *html, const char *action, const form_value *vals, size_t nvals, const form_error *errs, size_t nerrs,
                 buf *out)
{
    const char *end = html + strlen(html);
    tag ft, chosen = {0};
    const char *chosen_lim = NULL;
    for (const char *p = html; next_tag(p, end, &ft); p = ft.end) {
        if (ft.closing || strcmp(ft.name, "form") || !posts_to(&ft, action)) continue;
        const char *lim = strstr(ft.end, "</form>");
        if (!lim) lim = end;
        bool match = hidden_match(ft.end, lim, vals, nvals);
        if (!chosen_lim || match) chosen = ft, chosen_lim = lim;
        if (match) break;
    }
    if (!chosen_lim) return false;
    bool *placed = calloc(nerrs + 1, sizeof *placed), *beside = calloc(nerrs + 1, sizeof *beside);
    for (size_t i = 0; i < nerrs; i++) beside[i] = errs[i].field && *errs[i].field && has_field(chosen.end, chosen_lim, errs[i].field);
    bool *used = calloc(nvals ? nvals : 1, sizeof *used);
    static const char *const drop_value[] = {"value", "aria-invalid", "aria-describedby", NULL};
    static const char *const drop_checked[] = {"checked", "aria-invalid", "aria-describedby", NULL};
    static const char *const drop_selected[] = {"selected", NULL};
    static const char *const drop_aria[] = {"aria-invalid", "aria-describedby", NULL};

    buf_add(out, html, (size_t)(chosen.end - html));
    for (size_t i = 0; i < nerrs; i++)
        if (!beside[i]) emit_message(out, &errs[i], false), placed[i] = true;
    const char *p = chosen.end;
    tag t;
    while (next_tag(p, chosen_lim, &t)) {
        buf_add(out, p, (size_t)(t.start - p));
        p = t.end;
        bool field_tag = !t.closing && (!strcmp(t.name, "input") || !strcmp(t.name, "textarea") || !strcmp(t.name, "select"));
        char *name = field_tag ? attr_val(&t, "name") : NULL;
        if (!name) {
            buf_add(out, t.start, (size_t)(t.end - t.start));
            continue;
        }
        char *type = attr_val(&t, "type");
        bool target = false;
        for (size_t i = 0; i < nerrs && !target; i++) target = beside[i] && !placed[i] && !strcmp(name, errs[i].field) && !input_kind(type, "hidden");
        char *inv = target ? invalid_attrs(name) : NULL;
        const char *extra = inv;
        bool fill = nvals > 0 && strcmp(name, "_csrf") != 0;
        if (!strcmp(t.name, "input")) {
            if (!fill || input_kind(type, "password") || input_kind(type, "file") || input_kind(type, "submit") ||
                input_kind(type, "button") || input_kind(type, "reset") || input_kind(type, "image")) {
                if (extra) emit_tag(out, &t, drop_aria, extra);
                else buf_add(out, t.start, (size_t)(t.end - t.start));
            } else if (input_kind(type, "checkbox") || input_kind(type, "radio")) {
                char *v = attr_val(&t, "value");
                bool on = posted(vals, nvals, name, v ? v : "on");
                free(v);
                buf b;
                buf_init(&b);
                if (on) buf_adds(&b, " checked");
                if (extra) buf_adds(&b, extra);
                emit_tag(out, &t, drop_checked, b.p);
                buf_free(&b);
            } else {
                const char *v = take_value(vals, nvals, used, name);
                if (!v) {
                    if (extra) emit_tag(out, &t, drop_aria, extra);
                    else buf_add(out, t.start, (size_t)(t.end - t.start));
                } else {
                    buf b;
                    buf_init(&b);
                    buf_adds(&b, " value=\"");
                    buf_html(&b, v);
                    buf_adds(&b, "\"");
                    if (extra) buf_adds(&b, extra);
                    emit_tag(out, &t, drop_value, b.p);
                    buf_free(&b);
                }
            }
        } else if (!strcmp(t.name, "textarea")) {
            const char *close = strstr(p, "</textarea>");
            if (!close || close > chosen_lim) close = NULL;
            const char *v = fill && close ? take_value(vals, nvals, used, name) : NULL;
            if (extra) emit_tag(out, &t, drop_aria, extra);
            else buf_add(out, t.start, (size_t)(t.end - t.start));
            if (v) {
                buf_html(out, v);
                p = close;
            }
            if (target && close) { /* the message after the closing tag */
                buf_add(out, p, (size_t)(close - p));
                buf_adds(out, "</textarea>");
                p = close + strlen("</textarea>");
            }
        } else { /* select */
            const char *close = strstr(p, "</select>");
            if (!close || close > chosen_lim) close = NULL;
            bool multiple = get_attr(&t, "multiple") != NULL;
            const char *v = fill && close && !multiple ? take_value(vals, nvals, used, name) : NULL;
            bool any = v || (fill && close && multiple);
            if (extra) emit_tag(out, &t, drop_aria, extra);
            else buf_add(out, t.start, (size_t)(t.end - t.start));
            if (any) {
                tag o;
                while (next_tag(p, close, &o)) {
                    buf_add(out, p, (size_t)(o.start - p));
                    p = o.end;
                    if (o.closing || strcmp(o.name, "option")) {
                        buf_add(out, o.start, (size_t)(o.end - o.start));
                        continue;
                    }
                    char *ov = attr_val(&o, "value");
                    if (!ov) { /* the option's text is its value */
                        const char *ts = o.end, *te = strchr(ts, '<');
                        if (!te) te = ts + strlen(ts);
                        while (ts < te && is_space(*ts)) ts++;
                        while (te > ts && is_space(te[-1])) te--;
                        ov = unescape(ts, (size_t)(te - ts));
                    }
                    bool sel = multiple ? posted(vals, nvals, name, ov) : !strcmp(ov, v);
                    free(ov);
                    emit_tag(out, &o, drop_selected, sel ? " selected" : NULL);
                }
            }
            if (target && close) {
                buf_add(out, p, (size_t)(close - p));
                buf_adds(out, "</select>");
                p = close + strlen("</select>");
            }
        }
        if (target) emit_field_messages(out, errs, nerrs, placed, name);
        free(inv);
        free(type);
        free(name);
    }
    buf_adds(out, p);
    free(used);
    free(placed);
    free(beside);
    return true;
}
