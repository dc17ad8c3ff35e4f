/* media.h: uploaded photos lose what they carry besides the picture. A JPEG from a phone holds
 * EXIF (with GPS coordinates, the camera, the time), XMP and comments; a PNG may hold text chunks
 * and eXIf. Photos and evidence are published (public cards, boards, feedback pages), so every
 * upload is stored without them. */
#ifndef CX_MEDIA_H
#define CX_MEDIA_H
#include <stddef.h>

/* Writes into out (at least n bytes) the image without its metadata and returns the new length:
 * JPEG keeps SOI, APP0 (JFIF), APP14 (Adobe: colour transform), DQT, SOF, DHT, SOS and the
 * entropy-coded data, DRI and the rest to EOI, and drops APP1–APP13, APP15 and COM (EXIF, XMP,
 * ICC, IPTC, comments); PNG keeps every chunk but tEXt, zTXt, iTXt, eXIf and tIME. Anything else,
 * or an image it cannot walk (truncated, malformed), is copied unchanged: the caller has already
 * checked the type, and a damaged file is the viewer's problem, not a leak. */
size_t media_strip(const char *mime, const void *in, size_t n, void *out);
/* The same into a new allocation (free it): *len gets its length. */
void *media_clean(const char *mime, const void *in, size_t n, size_t *len);
#endif
