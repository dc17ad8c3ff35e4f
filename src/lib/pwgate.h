/* pwgate.h: admission to password hashing (argon2id). Each check costs a core for tens of
 * milliseconds and 64 MiB, and runs on a web worker thread: unbounded, 32 parallel wrong logins
 * pushed a public page from 2 ms to 2 s. At most `slots` checks run at once (half the cores, at
 * least one); past them, up to one per worker, a check runs only for an address with no recent
 * failures while the whole server has seen at most a few failures (so people logging in together
 * are not refused, and a flood soon has only the slots). Nobody waits: a refused check is answered
 * at once (429, retry after a second), as a waiting worker would serve nobody else. Failed checks spend
 * tokens of a per-address bucket (PWGATE_ADDR_BURST, one back every PWGATE_ADDR_REFILL seconds):
 * an empty bucket refuses with 429 and the seconds until the next token. Successful logins spend
 * nothing, so people who know their password are not slowed by a busy office network. */
#ifndef CX_PWGATE_H
#define CX_PWGATE_H
#include <stdbool.h>

#define PWGATE_ADDR_BURST 30
#define PWGATE_ADDR_REFILL 2  /* seconds per token */
#define PWGATE_CALM_BURST 60  /* failure tokens across all addresses; calm: at most 5 spent */
#define PWGATE_CALM_REFILL 1

/* Sets the number of hashing slots, and how many checks may run at once at most for clean
 * addresses (the number of workers). slots 0: half the cores. Call before serving. */
void pwgate_configure(int slots, int most);
/* Takes a hashing slot for a check on behalf of addr ("" when unknown). 0 when taken; otherwise
 * the seconds the client should wait before trying again (for Retry-After). */
int pwgate_enter(const char *addr);
/* Gives the slot back; failed: the check found a wrong password (spends addr's token). */
void pwgate_leave(const char *addr, bool failed);
#endif
