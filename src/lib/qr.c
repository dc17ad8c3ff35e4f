/* qr.c: QR code to SVG with libqrencode. */
#include "qr.h"
#include <qrencode.h>
#include <string.h>

int qr_svg(const char *text, buf *out, cx_err *e)
{
    if (!text || !*text) return cx_fail(e, 400, "qr_empty", "text", "二维码内容为空");
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q) return cx_fail(e, 400, "qr_too_long", "text", "内容过长，无法生成二维码");
    int n = q->width, quiet = 4, size = n + 2 * quiet;
    buf_printf(out,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
               "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
               size, size, size, size);
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
            if (q->data[y * n + x] & 1) {
                /* runs of dark modules on a row become one rectangle */
                int run = 1;
                while (x + run < n && (q->data[y * n + x + run] & 1)) run++;
                buf_printf(out, "M%d %dh%dv1h-%dz", x + quiet, y + quiet, run, run);
                x += run - 1;
            }
    buf_adds(out, "\"/></svg>");
    QRcode_free(q);
    return CX_OK;
}
