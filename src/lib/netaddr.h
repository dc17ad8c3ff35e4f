/* netaddr.h: lists of addresses and networks (--trusted-proxy) and the client address behind
 * trusted proxies (X-Forwarded-For, X-Real-IP). */
#ifndef CX_NETADDR_H
#define CX_NETADDR_H
#include <stdbool.h>
#include "util.h"

#define NETLIST_MAX 64
typedef struct netlist {
    int n;
    struct {
        int family; /* 4 or 6 */
        unsigned char addr[16];
        int bits; /* prefix length */
    } net[NETLIST_MAX];
} netlist;

/* Parses "127.0.0.1,10.0.0.0/8,::1,fd00::/8" (spaces allowed around items) into l: CX_ERR with a
 * Chinese message naming the bad item (field "trusted-proxy"). An empty list is an empty netlist. */
int netlist_parse(const char *list, netlist *l, cx_err *e);
/* Whether text is an IPv4 or IPv6 address inside one of l's networks (false when not an address). */
bool netlist_has(const netlist *l, const char *text);
/* The client's address as out (≤ 64 bytes): peer itself unless peer is in trusted; then the
 * right-most X-Forwarded-For entry (xff, may be NULL) not itself trusted, or all trusted: the
 * left-most trusted one; without a usable X-Forwarded-For (absent, or its right-most entry not an
 * address), X-Real-IP (xri). Entries left of the first untrusted one are never read, so whatever
 * a client puts there (junk, ports, thousands of entries) does not change its address. */
void netaddr_client(const netlist *trusted, const char *peer, const char *xff, const char *xri, char out[64]);
#endif
