/* antientropy: Merkle-tree anti-entropy between the replicas of each token range
 * (docs/design.md section 3b). Owns [anti_entropy], the message kinds ae_tree,
 * ae_tree_diff, ae_keys and ae_stream, and the anti_entropy service class ([node]
 * anti_entropy_service). Off unless `interval` > 0; off, it registers its handlers and
 * nothing else: no event, no random draw, no listener.
 *
 * Trees. A token range is the arc of the ring that ends at one token (ring.h, "token
 * ranges"); its replicas are its preference list. Each replica of each range keeps a
 * binary tree of depth `depth`: 2^depth leaves, a key's leaf given by the top `depth` bits
 * of a 64-bit hash of the key (independent of its ring position, so a range's keys spread
 * over the leaves). A tree node's hash is the sum mod 2^64 of h(key, version) over the
 * pairs below it, h a strong 64-bit mix of the key and the whole version. A sum does not
 * depend on insertion order and updates in O(depth): a store change adds h(new) - h(old)
 * to the leaf and each ancestor. Trees follow every store change (nodes_on_apply, any
 * source) and are rebuilt from the store when a node crashes (volatile storage empties it
 * without store changes). Collisions: two different contents of a subtree hash alike only
 * if the sum of the differing pairs' h is 0 mod 2^64, probability 2^-64 per comparison if
 * h behaves as random; a run compares far fewer than 10^9 nodes, so a missed difference
 * has probability below 10^9 * 2^-64 (about 5e-11).
 *
 * Exchanges. Every `interval`, each node (its first tick at a phase drawn from its own
 * stream "anti_entropy nI", so nodes do not synchronise) may start one exchange. It walks a
 * cursor (starting at a drawn position) over its (range, partner) pairs: each range it
 * replicates, in ring order, with each other replica of the range in preference-list order.
 * It takes the next pair whose partner it believes up (the failure detector) and whose
 * range it is not exchanging already; none: the tick is skipped. It does not start a
 * second exchange while its own is running. The initiator A and partner B then ping-pong,
 * one message of the exchange in flight or in service at a time:
 *   ae_tree      A -> B  A's hashes of a slice (at most `batch`) of the frontier: the tree
 *                        nodes of one level whose parents differed (the root first)
 *   ae_tree_diff B -> A  which of them differ from B's (or "busy", below)
 *   ...          levels top to bottom, descending only into children of differing nodes
 *   ae_keys      A -> B  A's (key, version) pairs of the next differing leaves (whole
 *                        leaves, at most `batch` pairs unless one leaf holds more), and the
 *                        versions B asked for after the previous leaves
 *   ae_stream    B -> A  B's versions that are newer than A's (or that A lacks), and the
 *                        keys where A is newer (or B lacks) that B wants
 *   ae_stream    A -> B  the last versions B wanted (when there are any)
 * A receiver offers each streamed version to its store with nodes_apply(APPLY_ANTI_ENTROPY)
 * (last write wins). An exchange ends complete when the roots (or every compared node)
 * agree, or when the last stream is applied: both replicas then hold, for every key of the
 * range, the newer of their two versions as of the exchange. Each message is served by the
 * receiver's anti_entropy class (service time per message, not per item), so exchanges
 * compete with reads and writes for the same servers; each is a real message with its
 * kind's latency, loss, partitions and crashes.
 *
 * Busy, timeouts, crashes. A replica takes part in one exchange per range at a time: a
 * partner already exchanging that range answers "busy" and the exchange ends declined (so
 * two exchanges never stream the same difference twice). An exchange not complete
 * `timeout` after it started is abandoned by its initiator (its partner down or cut off, a
 * message lost, a queue too long); versions applied so far stay. A message of an abandoned
 * exchange is discarded on arrival. A crashed initiator forgets its exchange at once
 * (aborted); a crashed partner forgets its side, so later messages to it are discarded and
 * the initiator's timeout ends the exchange. A node down at its tick starts nothing.
 *
 * When it stops. Anti-entropy runs while the rest of the run is going: until the workload
 * has issued its last operation (run.ops, run.duration, or the last [script] entry), no
 * operation is in flight, and the fault timeline is over. From then on it goes on until
 * every replica agrees, or for at most `settle` (auto: three passes over the largest
 * node's pairs, 3 * pairs * interval), and stops; exchanges under way finish, then the
 * run ends. A write request still travelling once it stopped is not repaired.
 *
 * Agreement. Replicas of a range agree when their roots are equal; all replicas agree
 * when every range's do (every owner of every key holds the same version, up to the
 * collision bound above), tracked at every store change in O(N). time_to_agree is
 * measured from the later of the last store change made by a client write and the last
 * entry of the fault timeline (its end, for a slow window), to the first instant from then
 * on at which all replicas agree: 0 if they agree then, null if not by the end of the run.
 *
 * Bytes (an estimate; values are not modelled, a streamed version is its record): 32 bytes
 * of header per message, 8 per hash, 1 bit per differ flag (rounded up to bytes), 20 per
 * (key, version) record (4-byte key, 16-byte version), 4 per wanted key.
 *
 * Message contents travel in per-exchange side buffers owned by the module (one exchange
 * per initiating node, one message of it outstanding at a time), reused from exchange to
 * exchange and grown only past their largest use: no allocation per message. */
#ifndef QSIM_ANTIENTROPY_H
#define QSIM_ANTIENTROPY_H
#include <stddef.h>
#include <stdint.h>
#include "models/version.h"
#include "sim/cfg.h"

typedef struct ae_cfg {
    int64_t interval; /* ns between a node's exchanges; 0 = anti-entropy off */
    int64_t depth;    /* tree depth: 2^depth leaves per range and replica */
    int64_t timeout;  /* ns an exchange may take before its initiator abandons it */
    int64_t batch;    /* hashes or records per message */
    int64_t settle;   /* ns it goes on once the rest of the run is over; -1 = auto */
} ae_cfg;

extern const cfg_table anti_entropy_table;

/* What anti-entropy counted, for the report. */
typedef struct ae_res {
    int on;
    uint64_t started, completed, repairing, declined, timed_out, aborted, skipped;
    uint64_t compared; /* tree nodes compared (by the partner, hash against hash) */
    uint64_t streamed; /* versions sent in ae_keys and ae_stream messages */
    uint64_t bytes;    /* estimated bytes of every anti-entropy message sent */
    int64_t time_to_agree; /* ns; -1: replicas did not agree by the end */
    int64_t apart;         /* ranges whose replicas differ at the end */
} ae_res;

/* ---- the tree on its own: h points at 2^(depth+1) hashes, node 1 the root, node i's
 * children 2i and 2i+1, the leaves 2^depth .. 2^(depth+1)-1; h[0] unused ---- */

/* The 64-bit hash that places key in a leaf. */
uint64_t ae_key_hash(uint32_t key);
/* key's leaf, 0 .. 2^depth - 1 (depth 0..30). */
uint32_t ae_leaf(uint32_t key, int depth);
/* h(key, version): what a (key, version) pair adds to its leaf and every ancestor. */
uint64_t ae_pair_hash(uint32_t key, const version *v);
/* key's version changes from was to now (seq 0: none): O(depth). */
void ae_tree_update(uint64_t *h, int depth, uint32_t key, const version *was, const version *now);
/* Compares tree a with tree b as an exchange does: level by level from the root, comparing
 * only the children of differing nodes. Writes the differing leaves' node ids (ascending)
 * into leaves and returns their count; *compared grows by the nodes compared. leaves and
 * scratch hold 2^depth entries each. */
size_t ae_tree_diff(const uint64_t *a, const uint64_t *b, int depth, uint32_t *leaves, uint32_t *scratch,
                    uint64_t *compared);
#endif
