/* outdir: the report directory, written as a whole (DESIGN.md section 5: a killed run never
 * leaves a half-written report), and never over an earlier run's reports unless asked
 * (outdir_mode). The new reports are written into a fresh hidden directory next to the
 * output directory (PARENT/.NAME.qsim-XXXXXX; numbered: PATH/.run.qsim-XXXXXX) and moved
 * into place with one atomic rename (replacing: Linux renameat2 RENAME_EXCHANGE when the
 * directory exists, rename when it does not): a reader sees either the whole previous set,
 * or none, or the whole new one. Replacing, where the
 * filesystem refuses the exchange, the previous directory is first renamed aside
 * (PARENT/.NAME.qsim-XXXXXX.old), then the new one into place; between the two renames the
 * output directory is briefly absent, never mixed, and a kill in between puts the previous
 * one back. The previous set is removed after the swap.
 *
 * Whose files: an output directory named by --out is replaced, so it must be new, empty
 * (OUTDIR_FRESH: nothing else), or hold only files qsim writes there (summary.json,
 * runs.csv, trace.jsonl, visibility.csv, intervals.csv, the directory latency/ holding
 * N.read.hgrm and N.write.hgrm, and the temporary names of older qsim versions:
 * .summary.json.tmp, .runs.csv.tmp, .trace.jsonl.tmp, .trace.N.tmp).
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

/* What an output directory that already holds reports gets (docs/design.md section 5: a
 * run never silently overwrites an earlier one). */
typedef enum outdir_mode {
    OUTDIR_FRESH,    /* --out DIR: DIR must be new or empty; one that holds reports is refused */
    OUTDIR_REPLACE,  /* --out DIR --force: the reports DIR holds are replaced as a whole */
    OUTDIR_NUMBERED, /* no --out: path is out/<scenario>; every run writes a new directory in it,
                      * numbered 0001, 0002, ... (one past the largest number there), and
                      * path/latest becomes a symbolic link to it; nothing is ever replaced */
} outdir_mode;

/* Checks path (where the reports go) and makes the temporary directory next to it (in it,
 * numbered), creating missing parent directories (and, numbered, path itself). Nothing
 * else changes on disk, and nothing at all on failure. Returns 0, or with a message naming
 * the path and the reason in why: -EINVAL when path itself is not acceptable (empty, "/",
 * or its last part "." or ".."), -ENOTEMPTY (OUTDIR_FRESH) when it holds the reports of an
 * earlier run, -ENOTDIR when it (or a parent) is not a directory, -EEXIST when it holds
 * files qsim did not write (numbered: path/latest is not a symbolic link), -EBUSY when it
 * is the current directory (all of these: the command line asks for what cannot be done),
 * or another negative errno when the file system fails (cannot be written, no space). */
int outdir_open(const char *path, outdir_mode mode, outdir **out, char *why, size_t n);
/* The temporary directory the new reports go into. */
const char *outdir_tmp(const outdir *o);
/* Moves the temporary directory into place (after syncing it to disk): renamed to the
 * output directory (OUTDIR_FRESH: onto nothing or an empty directory, never over reports),
 * swapped with the previous set which is then removed (OUTDIR_REPLACE), or renamed to the
 * next number with latest pointed at it (OUTDIR_NUMBERED). Frees o and writes the
 * directory the reports are now in to where ("out/drift/0003"; the path as given unless
 * numbered). Returns 0; 1 when the new reports are in place but the previous set could not
 * all be removed, or latest could not be pointed at them (why says which); or a negative
 * errno when the move failed: then, as after outdir_abort, nothing in the output directory
 * changed. */
int outdir_commit(outdir *o, char *where, size_t nwhere, char *why, size_t n);
/* Removes the temporary directory and the parents outdir_open created; frees o. NULL is a
 * no-op. Nothing in the output directory changes. */
void outdir_abort(outdir *o);
#endif
