/* oracle: ground truth and classification (docs/design.md section 4). An observer of the
 * operation life cycle and of every store change; never consulted by the store. For a read
 * r of key k started at s, latest(r) is the newest write of k acknowledged before s; r is
 * fresh if it returns latest(r) or newer, stale if older (k-staleness: acknowledged
 * versions behind), lost if older and no holder (any holder source: replica stores now)
 * has latest(r) or newer at that moment. A lost write is an acknowledged write that no
 * holder has, and no newer version supersedes, at the end of the run. Its verdict on each
 * read goes into the operation (op->v) for the observers that report it. The oracle also
 * writes the version trace (trace.jsonl) for the traced keys. Owns [trace].
 *
 * Memory: per key, a 32-byte record read by every read (latest(r) and the acknowledgement
 * count) and, apart, the ORACLE_RECENT newest acknowledged versions; older acknowledged
 * versions are only counted. k-staleness is therefore exact while the versions a read is
 * behind are still tracked; when they are not (the read is deeper than the list, or more
 * than ORACLE_RECENT newer writes of the key were acknowledged while the read was in
 * flight) it is reported in the last bucket, STALE_KMAX ("8+"). A key losing more
 * acknowledged writes than the list holds is reported as capped. */
#ifndef QSIM_ORACLE_H
#define QSIM_ORACLE_H
#include <stdint.h>
#include "models/coord.h"
#include "models/holders.h"
#include "models/node.h"
#include "models/version.h"
#include "models/ring.h"
#include "sim/cfg.h"
#include "sim/hist.h"
#include "sim/map.h"
#include "sim/trace.h"

#define ORACLE_RECENT 8
/* k-staleness is counted exactly up to STALE_KMAX - 1; the last bucket is ">= STALE_KMAX". */
#define STALE_KMAX 8

typedef struct trace_cfg {
    char *keys;        /* "auto", "all", "none" or "k1,k7,..." */
    int64_t max_lines; /* the trace stops (and says so) after this many lines */
} trace_cfg;

extern const cfg_table trace_table;

/* What the oracle counted, for the report. */
typedef struct oracle_res {
    uint64_t acked_writes, failed_writes; /* all writes, warm-up included */
    uint64_t lost_writes;                 /* acknowledged, and held by no holder at the end */
    uint64_t lost_promised;               /* of those, acknowledged with W + the scenario's R > N */
    int lost_writes_capped;               /* 1: some key lost more than the oracle tracks */
    uint64_t trace_lines;
    int trace_truncated;
    /* the window of inconsistency of each key's newest acknowledged write: from its
     * acknowledgement until every owner's replica store holds it or a newer write is
     * acknowledged */
    uint64_t converged, superseded, open_at_end;
    hist window;                          /* ns, for converged and superseded windows */
} oracle_res;

typedef struct acked {
    version v;
    int64_t ack;       /* ns */
    uint32_t ord;      /* acknowledgement order within the key: 1, 2, ... */
    uint8_t w;         /* the write's W */
    uint8_t fallbacks; /* acknowledgements among those W from sloppy-quorum fallbacks */
    int8_t lvl;        /* the level it was acknowledged at (op.lvl) */
    uint8_t dc;        /* its client's datacenter */
} acked;

/* Read by every read: latest(r) and how many acknowledgements came before. */
typedef struct okey {
    version latest;     /* the newest tracked acknowledged version (valid when nrecent > 0) */
    int64_t latest_ack; /* ns */
    uint32_t nacked;    /* acknowledged writes so far */
    uint8_t nrecent;
    uint16_t missing;   /* owners (bit = preference-list rank) whose store lacks latest: its window is open */
} okey;

/* What a read's verdict needs of latest: its W, its sloppy-quorum fallbacks, its level and
 * its client's datacenter. Four bytes per key in an array of their own, beside okey (32
 * bytes, one per cache line pair): every read reads them, few reads touch the recent list. */
typedef struct olatest {
    uint8_t w, fallbacks;
    int8_t lvl;
    uint8_t dc;
} olatest;

/* For a traced key: who acknowledged its newest acknowledged write. */
typedef struct oack {
    uint32_t seq;
    uint8_t n, nfb;
    uint16_t node[RING_MAX_REPLICAS];     /* owners that acknowledged */
    uint16_t fallback[RING_MAX_REPLICAS]; /* fallbacks that acknowledged (sloppy quorum) */
} oack;

typedef struct oracle {
    okey *keys;
    olatest *lmeta;                 /* per key: latest's olatest */
    acked (*recent)[ORACLE_RECENT]; /* per key: newest acknowledged versions, oldest first */
    uint32_t nkeys;
    uint8_t *traced;                /* bitset over keys, NULL = none traced */
    tracer *tr;
    const holders *hs;
    const node_set *ns;
    const ring *rg;
    map ackidx;                     /* traced key -> index in acks */
    oack *acks;
    size_t nacks, acks_cap;
    int n, w, r;                    /* N and the scenario's W and R (counts, or datacenter levels) */
    const struct wl_cfg *wl;        /* names scripted operations in the trace (NULL: by index) */
    const coord *c;                 /* for coord_overlap */
    size_t ext;                     /* per-operation area: acknowledgements before a read */
    oracle_res *res;
} oracle;

/* Which keys to trace: "auto" = all keys when the run has at most 20000 operations or is
 * scripted, else k1..k4. Registers the oracle as an observer of c and an apply listener of
 * ns. Returns 0, -EINVAL with err for a bad key list, or -ENOMEM. */
int oracle_init(oracle *o, uint32_t nkeys, const trace_cfg *tc, int all_small, tracer *tr, const holders *hs,
                coord *c, node_set *ns, const ring *rg, int w, oracle_res *res, char *err, size_t errn);
void oracle_fini(oracle *o);
/* Checks a [trace] keys value against the key count; 0 or -1 with err. */
int oracle_check_keys(const char *spec, uint32_t nkeys, char *err, size_t n);
/* End of run: counts lost writes and traces them, and the trace's own counts. */
void oracle_finish(oracle *o);
#endif
