/* draw.h: committed random draws (电话随机抽访, 随机抽查 inspections) that nobody can rig.
 *
 * The server makes a secret seed and shows only its SHA-256 (the commitment) before the list to
 * draw from exists; the list is put into a canonical order (sorted, repeats removed), so the
 * order of an uploaded file has no effect; the draw is a function of the seed and the canonical
 * list alone. After the draw the seed is shown beside the list's digest, and anyone can check
 * sha256(seed) == commitment and re-run the draw (docs/architecture.md, "Committed draws").
 * Pure code: no storage, no HTTP. */
#ifndef CX_DRAW_H
#define CX_DRAW_H
#include <stddef.h>
#include <stdint.h>

#define DRAW_SEED_BYTES 32            /* 256 random bits, written as 64 lowercase hex characters */
#define DRAW_METHOD "committed-v1"    /* the name of the procedure below, recorded with each draw */

/* A new random seed: 64 lowercase hex characters. */
void draw_seed_new(char seed[2 * DRAW_SEED_BYTES + 1]);
/* The commitment of a seed: SHA-256 of its 64 characters (no newline), as 64 hex characters.
 * Re-run: printf %s SEED | sha256sum */
void draw_commitment_of(const char *seed, char hash[65]);
/* Puts v[0..*n) into canonical order: sorted by strcmp (for the 11-digit mobile numbers of a
 * contact list this is numeric order), repeats removed (freed) and *n lowered. */
void draw_list_canonical(char **v, size_t *n);
/* SHA-256 of the canonical list, each item followed by "\n", as hex.
 * Re-run: sort -u numbers.txt | sha256sum */
void draw_list_digest(char *const *v, size_t n, char digest[65]);
/* The 64-bit state draw_sample starts from: the first 8 bytes (big-endian) of
 * SHA-256("cxzy-draw-v1\n" seed "\n" list_digest "\n"). */
uint64_t draw_state_of(const char *seed, const char *list_digest);
/* n distinct 0-based indexes into the canonical list, in draw order: draw_sample started from
 * draw_state_of(seed, list_digest). out must hold n; n ≤ population. */
void draw_committed(const char *seed, const char *list_digest, uint32_t population, uint32_t n, uint32_t *out);
/* True when s is a seed as draw_seed_new makes them (64 lowercase hex characters). */
int draw_seed_ok(const char *s);
#endif
