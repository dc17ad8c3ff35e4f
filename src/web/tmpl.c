/* tmpl.c: the template renderer (see tmpl.h for the syntax). Templates are small, so they are
 * interpreted directly from their text on each render. */
#include "tmpl.h"
#include "../lib/assets.h"
#include "../lib/json.h"
#include "../lib/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

typedef struct scope {
    const cJSON *v[MAX_DEPTH];
    int n;
} scope;

static const cJSON *lookup1(const cJSON *v, const char *name, size_t n)
{
    char key[128];
    if (n >= sizeof key || n == 0) return NULL;
    memcpy(key, name, n);
    key[n] = 0;
    if (cJSON_IsArray(v) && key[0] >= '0' && key[0] <= '9') return cJSON_GetArrayItem(v, atoi(key)); /* list.0 */
    if (!cJSON_IsObject(v)) return NULL;
    return cJSON_GetObjectItemCaseSensitive(v, key);
}

static const cJSON *lookup(const scope *s, const char *name, size_t n)
{
    if (n == 1 && name[0] == '.') return s->v[s->n - 1];
    const char *dot = memchr(name, '.', n);
    size_t first = dot ? (size_t)(dot - name) : n;
    for (int i = s->n - 1; i >= 0; i--) {
        const cJSON *v = lookup1(s->v[i], name, first);
        if (!v) continue;
        while (dot) { /* the rest of a dotted name */
            const char *p = dot + 1;
            dot = memchr(p, '.', n - (size_t)(p - name));
            size_t k = dot ? (size_t)(dot - p) : n - (size_t)(p - name);
            v = lookup1(v, p, k);
            if (!v) return NULL;
        }
        return v;
    }
    return NULL;
}

static bool truthy(const cJSON *v)
{
    if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v)) return false;
    if (cJSON_IsString(v)) return v->valuestring && v->valuestring[0];
    if (json_is_num(v)) return v->valuedouble != 0; /* json_int items keep valuedouble too */
    if (cJSON_IsArray(v)) return cJSON_GetArraySize(v) > 0;
    return true;
}

static void value_text(const cJSON *v, char *tmp, size_t cap, const char **out)
{
    *out = "";
    if (!v) return;
    if (cJSON_IsString(v)) *out = v->valuestring;
    else if (json_int_text(v)) *out = json_int_text(v); /* ids and counts: their digits */
    else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d > -9e15 && d < 9e15 && d == (double)(long long)d) snprintf(tmp, cap, "%lld", (long long)d);
        else snprintf(tmp, cap, "%.15g", d);
        *out = tmp;
    } else if (cJSON_IsTrue(v)) *out = "true";
    else if (cJSON_IsFalse(v)) *out = "false";
}

/* The next "{{" in [p, end), or NULL: within the section, not through the rest of the file. */
static const char *find_open(const char *p, const char *end)
{
    while ((p = memchr(p, '{', (size_t)(end - p))) && p + 1 < end) {
        if (p[1] == '{') return p;
        p++;
    }
    return NULL;
}

/* Finds the {{/name}} that closes a section opened just before p, honouring nesting. */
static const char *find_close(const char *p, const char *end, const char *name, size_t n, const char **after)
{
    int depth = 1;
    while (p < end) {
        const char *t = find_open(p, end);
        if (!t) return NULL;
        const char *c = strstr(t, "}}");
        if (!c) return NULL;
        if ((t[2] == '#' || t[2] == '^') && (size_t)(c - t - 3) == n && !memcmp(t + 3, name, n)) depth++;
        else if (t[2] == '/' && (size_t)(c - t - 3) == n && !memcmp(t + 3, name, n) && --depth == 0) {
            *after = c + 2;
            return t;
        }
        p = c + 2;
    }
    return NULL;
}

static int render(const char *p, const char *end, scope *s, buf *out);

/* {{>name}}: templates/name.html rendered in the current scope (one shared piece, e.g. the pager). */
static int partial(const char *name, size_t n, scope *s, buf *out)
{
    char path[128];
    if (n == 0 || n > 64 || s->n >= MAX_DEPTH) return CX_ERR;
    snprintf(path, sizeof path, "templates/%.*s.html", (int)n, name);
    const struct asset *a = asset_find(path);
    if (!a) return CX_ERR;
    s->v[s->n] = s->v[s->n - 1]; /* one level deeper, so a partial including itself ends */
    s->n++;
    int rc = render(a->data, a->data + strlen(a->data), s, out);
    s->n--;
    return rc;
}

static int render(const char *p, const char *end, scope *s, buf *out)
{
    while (p < end) {
        const char *t = find_open(p, end);
        if (!t) {
            buf_add(out, p, (size_t)(end - p));
            return CX_OK;
        }
        buf_add(out, p, (size_t)(t - p));
        bool triple = t[2] == '{';
        const char *c = strstr(t, triple ? "}}}" : "}}");
        if (!c) return CX_ERR;
        const char *name = t + (triple ? 3 : 2);
        char kind = *name;
        if (kind == '#' || kind == '^' || kind == '!' || kind == '%' || kind == '>') name++;
        while (*name == ' ') name++;
        size_t n = (size_t)(c - name);
        while (n && name[n - 1] == ' ') n--;
        const char *next = c + (triple ? 3 : 2);
        if (triple) {
            if (n < 5 || memcmp(name, "html_", 5) != 0) return CX_ERR; /* raw output only for html_ keys */
            const cJSON *v = lookup(s, name, n);
            if (cJSON_IsString(v)) buf_adds(out, v->valuestring);
        } else if (kind == '!') {
        } else if (kind == '>') {
            if (partial(name, n, s, out) != CX_OK) return CX_ERR;
        } else if (kind == '#' || kind == '^') {
            const char *after;
            const char *close = find_close(next, end, name, n, &after);
            if (!close) return CX_ERR;
            const cJSON *v = lookup(s, name, n);
            if (kind == '^') {
                if (!truthy(v) && render(next, close, s, out) != CX_OK) return CX_ERR;
            } else if (truthy(v)) {
                if (s->n >= MAX_DEPTH) return CX_ERR;
                if (cJSON_IsArray(v)) {
                    const cJSON *it;
                    cJSON_ArrayForEach(it, v)
                    {
                        s->v[s->n++] = it;
                        int rc = render(next, close, s, out);
                        s->n--;
                        if (rc != CX_OK) return CX_ERR;
                    }
                } else {
                    const cJSON *top = cJSON_IsObject(v) ? v : s->v[s->n - 1];
                    s->v[s->n++] = top;
                    int rc = render(next, close, s, out);
                    s->n--;
                    if (rc != CX_OK) return CX_ERR;
                }
            }
            next = after;
        } else {
            char tmp[64];
            const char *text;
            value_text(lookup(s, name, n), tmp, sizeof tmp, &text);
            if (kind == '%') buf_urlenc(out, text);
            else buf_html(out, text);
        }
        p = next;
    }
    return CX_OK;
}

int tmpl_render_text(const char *text, const cJSON *data, buf *out)
{
    scope s = {.n = 1};
    s.v[0] = data;
    return render(text, text + strlen(text), &s, out);
}

int tmpl_render(const char *name, const cJSON *data, buf *out)
{
    char path[128];
    snprintf(path, sizeof path, "templates/%s.html", name);
    const struct asset *a = asset_find(path);
    if (!a) {
        buf_printf(out, "template %s not found", name);
        return CX_ERR;
    }
    if (tmpl_render_text(a->data, data, out) != CX_OK) {
        buf_printf(out, "template %s is malformed", name);
        return CX_ERR;
    }
    return CX_OK;
}
