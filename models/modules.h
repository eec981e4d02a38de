/* modules: the module list (docs/design.md section 1b). Order matters and is the order of
 * key binding (and of the effective configuration in summary.json), of `qsim --keys`, of
 * assembly (a module may use the services of the modules before it), of events scheduled
 * when a run starts (faults before the workload, so a fault and an operation at the same
 * instant run in that order), of life-cycle observers, and of the reports.
 * X(ENUM, descriptor) */
#ifndef QSIM_MODULES_H
#define QSIM_MODULES_H

#define MODULES(X)                                                                                      \
    X(MOD_RUN, run_module)                                                                              \
    X(MOD_CLUSTER, cluster_module)                                                                      \
    X(MOD_QUORUM, quorum_module)                                                                        \
    X(MOD_NETWORK, network_module)                                                                      \
    X(MOD_NODE, node_module)                                                                            \
    X(MOD_REPLICA, replica_module)                                                                      \
    X(MOD_FAILURE_DETECTOR, failure_detector_module)                                                    \
    X(MOD_HINTS, hints_module)                                                                          \
    X(MOD_SLOPPY, sloppy_module)                                                                        \
    X(MOD_READ_REPAIR, read_repair_module)                                                              \
    X(MOD_HEDGE, hedge_module)                                                                          \
    X(MOD_READ_TARGETS, read_targets_module)                                                            \
    X(MOD_DATACENTERS, datacenters_module)                                                              \
    X(MOD_RETRY, retry_module)                                                                          \
    X(MOD_ANTI_ENTROPY, anti_entropy_module)                                                            \
    X(MOD_FAULTS, faults_module)                                                                        \
    X(MOD_WORKLOAD, workload_module)                                                                    \
    X(MOD_ORACLE, oracle_module)                                                                        \
    X(MOD_STATS, stats_module)                                                                          \
    X(MOD_SERIES, series_module)                                                                        \
    X(MOD_EXPLAIN, explain_module)

typedef enum module_id {
#define X(e, d) e,
    MODULES(X)
#undef X
    MOD_COUNT
} module_id;
#endif
