/* qr.h: QR codes as SVG (libqrencode), for the cards and boards people scan. */
#ifndef CX_QR_H
#define CX_QR_H
#include "buf.h"
#include "util.h"

/* Appends an SVG image of the QR code for text (error correction level M, 4-module quiet zone,
 * one <path> of unit squares, scalable without blur) to out. CX_ERR with e when the text is
 * empty or too long for a QR code. */
int qr_svg(const char *text, buf *out, cx_err *e);
#endif
