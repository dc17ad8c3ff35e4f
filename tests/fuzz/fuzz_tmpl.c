/* fuzz_tmpl.c: the template engine on arbitrary template text (sections, inverted sections,
 * dotted names, escapes) over fixed data with strings, numbers, lists and nested objects. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "../../src/lib/buf.h"
#include "../../src/web/tmpl.h"

static cJSON *data;

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
    if (!data)
        data = cJSON_Parse("{\"a\":\"<script>x</script>\",\"n\":3,\"t\":true,\"f\":false,\"z\":null,\"l\":[{\"b\":1,\"c\":\"二\"},{\"b\":2}],"
                           "\"o\":{\"p\":{\"q\":\"&\\\"'\"}},\"e\":[]}");
    char *s = malloc(size + 1);
    memcpy(s, in, size);
    s[size] = 0;
    buf out;
    buf_init(&out);
    (void)tmpl_render_text(s, data, &out);
    buf_free(&out);
    free(s);
    return 0;
}
