/* metrics.h: request counters and latency histograms for /metrics (Prometheus text format).
 * Counting is lock-free: relaxed atomic additions into fixed arrays, one slot per route. */
#ifndef CX_METRICS_H
#define CX_METRICS_H
#include <stdint.h>
#include "../lib/buf.h"

/* Slots beyond the route table's: */
enum { M_STATIC = -1, M_UNMATCHED = -2, M_HEALTHZ = -3, M_METRICS = -4 };
/* One finished request: route (index into web_routes or M_*), HTTP status, time taken. */
void metrics_request(int rt, int status, uint64_t usec);
/* Appends every metric (requests, latency, ballots, writer, database errors) to out. */
void metrics_render(buf *out);
#endif
