/* msg: message kinds and the message pool shared by the models (docs/design.md sections
 * 1b and 3). A message is embedded-event storage: its sim_event carries it through the
 * network and then through a replica's service queue. Beside the version it carries a
 * small payload for the kinds that need more (a hint names its intended owner, an
 * anti-entropy message a range and a digest). Messages come from a free list grown in
 * slabs, so the hot path never calls malloc. Each kind has exactly one handler, registered
 * with the router (route.h) by the module that owns it. */
#ifndef QSIM_MSG_H
#define QSIM_MSG_H
#include <stddef.h>
#include <stdint.h>
#include "models/version.h"
#include "sim/sim.h"

/* X(ENUM, name in scenarios and reports) */
#define MSG_KINDS(X)                 \
    X(MSG_WRITE_REQ, write_request)  \
    X(MSG_WRITE_ACK, write_ack)      \
    X(MSG_READ_REQ, read_request)    \
    X(MSG_READ_RESP, read_response)  \
    X(MSG_CLIENT_REQ, client_request) \
    X(MSG_CLIENT_RESP, client_response) \
    X(MSG_HINT_WRITE, hint_write)       \
    X(MSG_HINT_ACK, hint_ack)           \
    X(MSG_HANDOFF, handoff)             \
    X(MSG_HANDOFF_ACK, handoff_ack)     \
    X(MSG_REPAIR_REQ, repair_request)   \
    X(MSG_REPAIR_ACK, repair_ack)       \
    X(MSG_CANCEL, cancel)             \
    X(MSG_AE_TREE, ae_tree)          \
    X(MSG_AE_TREE_DIFF, ae_tree_diff) \
    X(MSG_AE_KEYS, ae_keys)          \
    X(MSG_AE_STREAM, ae_stream)      \
    X(MSG_GOSSIP, gossip)

typedef enum msg_kind {
#define X(e, n) e,
    MSG_KINDS(X)
#undef X
    MSG_NKINDS
} msg_kind;

extern const char *const msg_kind_name[MSG_NKINDS];

/* Endpoint 0 is the client tier; nodes are 1..nodes. */
#define EP_CLIENT 0

/* What a kind may carry beside the version. */
typedef union msg_payload {
    struct {
        uint16_t owner; /* the node a hint is meant for */
    } hint;
    struct {
        uint32_t lo, hi; /* a token range */
        uint64_t digest;
    } range;
    struct {
        uint32_t table; /* the heartbeat table it carries (the failure detector's side buffer), or none */
    } gossip;
} msg_payload;

typedef struct msg {
    sim_event ev;
    struct msg *next, *prev; /* service queue, in-service list or free list */
    uint8_t kind;            /* msg_kind */
    uint8_t svc;             /* service class while queued or served at a replica */
    uint16_t src, dst;       /* endpoints */
    uint16_t row;            /* the operation's target-table row this request or reply is for */
    uint32_t op, gen;        /* the operation slot and its generation */
    uint32_t key;
    uint32_t epoch;          /* node epoch when service began */
    int64_t deadline;        /* ns: the operation's deadline (0: none); a replica drops a request past it */
    version ver;
    msg_payload pl;
} msg;

/* Told when a message of a hooked kind returns to the pool, wherever that happens (its
 * handler was done with it, or it was lost, cut by a partition, dropped at a crashed node):
 * a kind that keeps something beside the message (a side buffer) releases it here. */
typedef void (*msg_release_fn)(void *ctx, msg *m);

typedef struct msg_pool {
    msg *free;
    msg **slabs;
    size_t nslabs, slabs_cap;
    size_t live, peak; /* messages handed out and not returned; high-water mark */
    uint32_t hooked;   /* bit k: kind k has a release hook */
    msg_release_fn release[MSG_NKINDS];
    void *release_ctx[MSG_NKINDS];
} msg_pool;

void msg_pool_init(msg_pool *p);
void msg_pool_fini(msg_pool *p); /* frees every slab (messages need not be returned) */
/* A zeroed message, or NULL when a new slab could not be allocated. Amortised O(1). */
msg *msg_get(msg_pool *p);
/* Returns m to the pool; the release hook of its kind, if any, runs first. */
void msg_put(msg_pool *p, msg *m);
/* Sets kind's release hook (one per kind; NULL removes it). */
void msg_pool_on_release(msg_pool *p, msg_kind kind, msg_release_fn fn, void *ctx);

/* Endpoint names: "client" is EP_CLIENT, "n1".."nN" are 1..N. Returns the endpoint or -1. */
int ep_parse(const char *name, int nodes);
/* Writes "client" or "nI" into buf (at least 16 bytes); returns buf. */
const char *ep_name(int ep, char *buf);
#endif
