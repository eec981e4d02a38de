/* oracle: ground truth and classification (DESIGN.md section 4). It sees every write,
 * acknowledgement and replica apply, and is never consulted by the store. For a read r of
 * key k started at s, latest(r) is the newest write of k acknowledged before s; r is
 * fresh if it returns latest(r) or newer, stale if older (k-staleness: acknowledged
 * versions behind), lost if older and no replica holds latest(r) or newer at that moment.
 * A lost write is an acknowledged write that no replica holds, and no newer version
 * supersedes, at the end of the run. The oracle also writes the version trace
 * (trace.jsonl) for the traced keys. Owns [trace].
 *
 * Memory: one record per key, with the ORACLE_RECENT newest acknowledged versions; older
 * acknowledged versions are only counted. k-staleness is therefore exact while the
 * versions a read is behind are still tracked; when they are not (the read is deeper than
 * the list, or more than ORACLE_RECENT newer writes of the key were acknowledged while the
 * read was in flight) it is reported in the last bucket, STALE_KMAX ("8+"). A key losing
 * more acknowledged writes than the list holds is reported as capped. */
#ifndef QSIM_ORACLE_H
#define QSIM_ORACLE_H
#include <stdint.h>
#include <stdio.h>
#include "models/msg.h"
#include "sim/cfg.h"

#define ORACLE_RECENT 8

typedef struct trace_cfg {
    char *keys;        /* "auto", "all", "none" or "k1,k7,..." */
    int64_t max_lines; /* the trace stops (and says so) after this many lines */
} trace_cfg;

extern const cfg_table trace_table;

typedef struct acked {
    version v;
    int64_t ack;  /* ns */
    uint32_t ord; /* acknowledgement order within the key: 1, 2, ... */
} acked;

typedef struct okey {
    uint32_t next_seq; /* last version number handed out */
    uint32_t nacked;   /* acknowledged writes so far */
    uint8_t nrecent;
    acked recent[ORACLE_RECENT]; /* newest acknowledged versions, oldest first */
} okey;

typedef struct oracle {
    okey *keys;
    uint32_t nkeys;
    uint8_t *traced; /* bitset over keys, NULL = none traced */
    FILE *trace;
    int64_t max_lines;
    int run;         /* configuration index written on every trace line */
} oracle;

struct world;
struct op;

/* Which keys to trace: "auto" = all keys when the run has at most 20000 operations or is
 * scripted, else k1..k4. Returns 0 or -1 with err for a bad list. */
int oracle_init(oracle *o, uint32_t nkeys, const trace_cfg *tc, int all_small, FILE *trace, int run,
                char *err, size_t n);
void oracle_fini(oracle *o);
/* Checks a [trace] keys value against the key count; 0 or -1 with err. */
int oracle_check_keys(const char *spec, uint32_t nkeys, char *err, size_t n);
/* Hands out the next version number of key. */
uint32_t oracle_next_seq(struct world *w, uint32_t key);
void oracle_write_begin(struct world *w, const struct op *op);
void oracle_on_apply(struct world *w, int nd, uint32_t key, const version *v, const version *was, int stored);
void oracle_write_acked(struct world *w, const struct op *op);
void oracle_write_failed(struct world *w, const struct op *op);
/* Records latest(r) in the read at its start. */
void oracle_read_start(struct world *w, struct op *op);
/* Classifies a read whose quorum was reached now (sets op->cls and op->k), traces it. */
void oracle_read_done(struct world *w, struct op *op);
void oracle_read_failed(struct world *w, const struct op *op);
/* A fault took effect: one trace line, text already JSON members ("\"action\":...") */
void oracle_fault(struct world *w, const char *members);
/* End of run: counts lost writes into the run's stats and traces them. */
void oracle_finish(struct world *w);
#endif
