/* outdir: the report directory, replaced as a whole (DESIGN.md section 5: a killed run never
 * leaves a half-written report). The new reports are written into a fresh hidden directory
 * next to the output directory (PARENT/.NAME.qsim-XXXXXX) and swapped into place with one
 * atomic rename (Linux renameat2 RENAME_EXCHANGE when the directory exists, rename when it
 * does not): a reader sees either the whole previous set or the whole new one. Where the
 * filesystem refuses the exchange, the previous directory is first renamed aside
 * (PARENT/.NAME.qsim-XXXXXX.old), then the new one into place; between the two renames the
 * output directory is briefly absent, never mixed, and a kill in between puts the previous
 * one back. The previous set is removed after the swap.
 *
 * Whose files: the output directory is replaced, so it must be new, empty, or hold only
 * files qsim writes there (summary.json, runs.csv, trace.jsonl, visibility.csv,
 * intervals.csv, and the temporary names of older qsim versions: .summary.json.tmp,
 * .runs.csv.tmp, .trace.jsonl.tmp, .trace.N.tmp).
 * Anything else (a user's notes, a subdirectory) makes qsim refuse before it runs: it never
 * deletes a file it did not write.
 *
 * Kills: from outdir_open until outdir_commit or outdir_abort, SIGINT, SIGTERM, SIGHUP and
 * SIGPIPE run an async-signal-safe handler that puts the output directory back as it was
 * (or, after the swap, finishes removing the previous set), removes the temporary directory
 * and the parent directories qsim created, then dies of the same signal. Only SIGKILL (or a
 * power cut) can leave a hidden .NAME.qsim-XXXXXX directory, which is safe to delete.
 * One outdir per process. For tests, the environment variable QSIM_TEST_NO_EXCHANGE=1
 * makes qsim use the fallback as if the filesystem refused the exchange. */
#ifndef QSIM_OUTDIR_H
#define QSIM_OUTDIR_H
#include <stddef.h>

typedef struct outdir outdir;

/* Checks path (where the reports go) and makes the temporary directory next to it, creating
 * missing parent directories. Nothing else changes on disk, and nothing at all on failure.
 * Returns 0, -EINVAL when path itself is not acceptable (empty, or ending in ".", ".." or
 * "/": bad command-line input), or another negative errno (it exists and is not a
 * directory, holds files qsim did not write, is the current directory, cannot be written),
 * with a message naming the path and the reason in why. */
int outdir_open(const char *path, outdir **out, char *why, size_t n);
/* The temporary directory the new reports go into. */
const char *outdir_tmp(const outdir *o);
/* Swaps the temporary directory into place (after syncing it to disk) and removes the
 * previous set; frees o. Returns 0; 1 when the new reports are in place but the previous
 * set could not all be removed (why says where it is); or a negative errno when the swap
 * failed: then, as after outdir_abort, nothing in the output directory changed. */
int outdir_commit(outdir *o, char *why, size_t n);
/* Removes the temporary directory and the parents outdir_open created; frees o. NULL is a
 * no-op. Nothing in the output directory changes. */
void outdir_abort(outdir *o);
#endif
