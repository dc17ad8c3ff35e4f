/* code.h: short human codes (paper questionnaire sheets now, tracking codes of feedback later):
 * Crockford's base32 digits without I L O U (0-9 A-H J K M N P-T V-Z), random from libsodium so
 * they cannot be guessed, ending in one check character from the same alphabet (Luhn mod 32:
 * catches every single mistyped character and every swap of two neighbours but one pair), so a
 * typo is told apart from a wrong code. Read aloud in groups of four: "K7Q4-M2XP-3". */
#ifndef CX_CODE_H
#define CX_CODE_H
#include <stddef.h>
#include "util.h"

#define CODE_ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#define CODE_MAX_DATA 30

/* The check character of n data characters (all from CODE_ALPHABET); 0 when one is not. */
char code_check_char(const char *data, size_t n);
/* A new random code of ndata characters (1..CODE_MAX_DATA) plus its check character into out,
 * which must hold ndata + 2 bytes. No separators. */
void code_make(char *out, size_t ndata);
/* Reads a code as a person types it: case, spaces and dashes do not matter, and the letters
 * Crockford reads as digits count as those digits (I and L as 1, O as 0). On success writes the
 * ndata + 1 characters (no separators) to out (cap bytes, at least ndata + 2) and returns CX_OK;
 * otherwise fills e with field and one of the codes "invalid_code" (empty, wrong length, a
 * character outside the alphabet) or "code_check" (the check character does not match: a typo)
 * and a Chinese message naming label. */
int code_parse(const char *in, size_t ndata, char *out, size_t cap, const char *field, const char *label, cx_err *e);
/* The code with a dash after every four characters, for print and speech (cap ≥ 2 × len). */
void code_format(const char *code, char *out, size_t cap);
#endif
