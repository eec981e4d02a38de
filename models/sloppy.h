/* sloppy: the sloppy quorum, and who keeps a write for an owner believed down (docs/design.md
 * section 3b). A fan-out policy for the coordinator: instead of the key's N owners, the
 * first N nodes of the ring walk that the coordinator believes up (its failure-detector
 * view, fd.h). An owner believed down is replaced by the next node clockwise that is
 * believed up, which gets the write as a hint naming the owner (hints.h) and whose
 * acknowledgement counts toward W like an owner's. Reads go to the first N nodes believed
 * up as well (Dynamo): all of them, or R of them with read_fanout = r; a fallback answers
 * from its replica store (and its hints if hints.readable = on). With every owner believed
 * up it sends exactly what the default fan-out sends.
 *
 * A write at ANY (Cassandra's; coord.h) sends to the owners the coordinator believes up
 * (with sloppy on: to the fallbacks as above) and the coordinator keeps a hint itself for
 * each owner believed down that has no fallback, a message to itself whose acknowledgement
 * counts: so ANY is acknowledged at once when an owner is believed down, by a hint that is
 * on no replica. The policy is installed for a scenario at ANY even with sloppy off, where
 * every other operation goes out as the default fan-out sends it. With `hints.coordinator =
 * on` (Cassandra's hinted handoff) the coordinator keeps those hints for writes at every
 * level, sending no write to an owner it believes down; they count toward W only at ANY.
 * Owns [quorum] sloppy. */
#ifndef QSIM_SLOPPY_H
#define QSIM_SLOPPY_H
#include <stdint.h>
#include "models/coord.h"
#include "models/fd.h"
#include "models/ring.h"
#include "sim/cfg.h"
#include "sim/trace.h"

typedef struct sloppy_cfg {
    int on; /* 0 off, 1 on */
} sloppy_cfg;

extern const cfg_table sloppy_table;

typedef struct sloppy_res {
    uint64_t ops;            /* operations that used at least one fallback */
    uint64_t fallbacks;      /* requests sent to fallbacks */
    uint64_t believed_down;  /* owners skipped because the coordinator believed them down */
    uint64_t short_of_n;     /* operations that found fewer than N nodes believed up */
    uint64_t coord_hints;    /* hints a coordinator kept itself (writes at ANY, or hints.coordinator) */
} sloppy_res;

typedef struct sloppy {
    coord *c;
    const ring *rg;
    const fd_iface *fd;
    tracer *tr;
    const struct wl_cfg *wl; /* names scripted operations in the trace (NULL: by index) */
    int n, nodes;
    int on;          /* the sloppy quorum */
    int coord_hints; /* hints.coordinator: every write's coordinator keeps hints (not only at ANY) */
    sloppy_res *res;
} sloppy;

/* Installs the policy on c (on: a sloppy quorum; coord_hints: coordinators keep hints for
 * every write; with neither, for writes at ANY only). 0, or -1 with err when another policy
 * is installed. */
int sloppy_init(sloppy *sl, coord *c, const ring *rg, const fd_iface *fd, tracer *tr, int on, int coord_hints,
                sloppy_res *res, char *err, size_t n);
#endif
