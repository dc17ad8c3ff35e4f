/* tmpl.h: HTML templates compiled into the binary, rendered from a cJSON value.
 * Escaping is decided by the tag, once, where the value enters the page:
 *   {{name}}          HTML-escaped text (element text and quoted attribute values)
 *   {{%name}}         URL-component-encoded (inside href query strings)
 *   {{{html_name}}}   raw HTML: only keys starting with "html_" may be raw, and only the server
 *                     puts HTML there (e.g. the rendered page body inside the layout)
 *   {{#name}}…{{/name}}  section: repeated for each element of an array, entered for an object,
 *                     shown once for true / non-empty string / non-zero number
 *   {{^name}}…{{/name}}  shown when name is missing, false, null, "", 0 or []
 *   {{>name}}         the template templates/name.html, rendered here in the current scope
 *   {{.}}             the current element; names may be dotted (org.name); lookups fall back
 *                     through enclosing sections to the root.  {{! comment }} */
#ifndef CX_TMPL_H
#define CX_TMPL_H
#include <cjson/cJSON.h>
#include "../lib/buf.h"

/* Renders templates/<name>.html; CX_ERR when there is no such template or it is malformed
 * (an unclosed section), which is a programming error reported in out. */
int tmpl_render(const char *name, const cJSON *data, buf *out);
/* Renders template text (for tests). */
int tmpl_render_text(const char *text, const cJSON *data, buf *out);
#endif
