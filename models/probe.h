/* probe: the probe workload, `[workload] mode = probe` (docs/design.md sections 3 and 4):
 * PBS's experiment run by clients, so that one run gives the whole t-visibility curve.
 * Part of the workload module (models/wl.h); these functions are its probe mode.
 *
 * A probe is a write to a key, then exactly one read of that key started `read_after`
 * (a distribution) after the write is acknowledged, so the read's t is read_after, drawn
 * anew for each probe. `clients` probes run in parallel; the next probe of a client writes
 * `gap` (a distribution) after its read ends (is answered, successfully or not).
 *
 * Decisions, where the brief left room:
 * - "After the write is acknowledged" is the instant the coordinator responds (docs/design.md
 *   section 4: that is when a write is acknowledged), heard as a life-cycle observer (the
 *   respond step), not when the answer reaches the client: with a coordinator on a node the
 *   reader is, as in PBS, any client that reads t after the acknowledgement, and t is then
 *   read_after exactly. A write that fails without being acknowledged (the deadline passed)
 *   has no read: its client's next probe writes `gap` after that failure.
 * - Keys are otherwise quiet: client i (0-based) probes keys k(i+1), k(i+1+C), k(i+1+2C), ...
 *   (C = clients) in turn, wrapping around at workload.keys, so no two clients share a key
 *   and a key is written again only C probes of its client later. workload.keys must be at
 *   least clients. Key popularity, read_ratio, rate, arrival and think are not used.
 * - Stopping: run.ops counts operations, two per probe; a probe begins only while what its
 *   write and its read need is left, so a run of 2P operations is P probes and issues
 *   exactly run.ops operations (an odd run.ops ends with a write alone; a write that fails
 *   gives its read's place back). run.duration: no probe begins at or after it, and a
 *   probe that began still issues its read.
 * - Randomness: each client draws read_after and gap from streams of its own, derived from
 *   the run seed and "workload probe N read_after" / "... gap": the j-th probe of a client
 *   waits the same read_after in every configuration of a sweep (common random numbers),
 *   whatever the order in which the clients' probes interleave.
 * - All clients begin at time 0. */
#ifndef QSIM_PROBE_H
#define QSIM_PROBE_H
#include <stdint.h>
#include "models/op.h"
#include "sim/cfg.h"
#include "sim/rng.h"
#include "sim/sim.h"

struct wl;
struct wl_cfg;
struct scenario;

typedef struct wl_probe {
    sim_event ev;      /* pending: the read (reading = 1) or the next probe's write */
    struct wl *l;
    uint32_t id;
    uint32_t key;      /* the current probe's key, 0-based */
    uint8_t reading;
    uint8_t has_read;  /* the current probe's read is counted in wl.reserved */
    uint8_t dc;        /* its datacenter (wl_draw_dc) */
    rng r_after, r_gap;
} wl_probe;

/* Starts the probe clients of l (its configuration, limits and seed set): every client
 * writes at time 0. 0 or -ENOMEM. */
int probe_start(struct wl *l, uint64_t seed);
void probe_fini(struct wl *l);
/* Life-cycle hooks of the workload observer in probe mode (ctx: the wl). */
void probe_on_respond(void *ctx, op *o);
void probe_on_answer(struct wl *l, op *o);
/* The probe keys' rules: read_after and gap only in probe mode; clients <= keys; ops. */
void probe_check(cfg *c, const struct scenario *sc, const struct wl_cfg *wc);
#endif
