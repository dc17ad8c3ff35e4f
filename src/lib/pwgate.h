/* pwgate.h: admission to password hashing (argon2id). Each check costs a core for tens of
 * milliseconds and 64 MiB, and runs on a web worker thread: unbounded, 32 parallel wrong logins
 * pushed a public page from 2 ms to 2 s. At most PWGATE slots hash at once (half the cores, at
 * least one). A request that finds every slot busy waits (up to a second) only while its address
 * has no recent failures and the whole server is calm, and only while fewer than the workers
 * less one wait; otherwise it is refused at once (429, retry after a second). Failed checks spend
 * tokens of a per-address bucket (PWGATE_ADDR_BURST, one back every PWGATE_ADDR_REFILL seconds):
 * an empty bucket refuses with 429 and the seconds until the next token. Successful logins spend
 * nothing, so people who know their password are not slowed by a busy office network. */
#ifndef CX_PWGATE_H
#define CX_PWGATE_H
#include <stdbool.h>

#define PWGATE_ADDR_BURST 30
#define PWGATE_ADDR_REFILL 2  /* seconds per token */
#define PWGATE_CALM_BURST 60  /* failures across all addresses before nobody waits for a slot */
#define PWGATE_CALM_REFILL 1

/* Sets the number of hashing slots and of waiters allowed (call before serving; defaults: half
 * the cores, one waiter). slots 0: from the number of cores. */
void pwgate_configure(int slots, int waiters);
/* Takes a hashing slot for a check on behalf of addr ("" when unknown). 0 when taken; otherwise
 * the seconds the client should wait before trying again (for Retry-After). */
int pwgate_enter(const char *addr);
/* Gives the slot back; failed: the check found a wrong password (spends addr's token). */
void pwgate_leave(const char *addr, bool failed);
#endif
