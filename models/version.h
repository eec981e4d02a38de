/* version: what a write is named by, and the one place versions are compared
 * (docs/design.md section 3, "Versions"). Last-write-wins: a version is ordered by
 * (timestamp, writer, seq); seq is the per-key number every report shows (v1, v2, ...),
 * handed out in issue order by the key's counter here, never by the oracle. Every
 * comparison in the store goes through ver_cmp: a replica applying a write, the
 * coordinator reconciling replies, the oracle classifying a read. Vector clocks with
 * siblings would be a second implementation of this interface. */
#ifndef QSIM_VERSION_H
#define QSIM_VERSION_H
#include <stdint.h>

typedef struct version {
    int64_t ts;      /* ns: the coordinator's clock when the write began */
    uint32_t writer; /* client id */
    uint32_t seq;    /* per-key number, in issue order; 0 means "no value" */
} version;

static const version VERSION_NONE = {0, 0, 0};

/* < 0, 0, > 0 as a is older than, the same as, or newer than b. */
static inline int ver_cmp(const version *a, const version *b)
{
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    if (a->writer != b->writer)
        return a->writer < b->writer ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return 0;
}

/* The per-key counters that name new versions: 4 bytes per key. */
typedef struct versions {
    uint32_t *next; /* last seq handed out, per key */
    uint32_t nkeys;
} versions;

/* 0, or -1 when out of memory. */
int versions_init(versions *vs, uint32_t nkeys);
void versions_fini(versions *vs);
/* A new version of key written by writer at time now (ns). */
static inline version ver_new(versions *vs, uint32_t key, int64_t now, uint32_t writer)
{
    return (version){now, writer, ++vs->next[key]};
}
#endif
