/* outdir: replacing the report directory as a whole; see outdir.h. The state the signal
 * handler needs lives in one static struct, filled in before each step it may have to undo;
 * the handler uses only async-signal-safe calls (openat, fstatat, unlinkat, renameat,
 * getdents64 through syscall, raise) and the string functions POSIX lists as safe. */
#define _GNU_SOURCE /* syscall, SYS_getdents64, SYS_renameat2 */
#include "src/outdir.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "sim/alloc.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
#define MAX_MADE 64 /* parent directories created, deepest last */

struct outdir {
    char *tmp_path; /* PARENT/.NAME.qsim-XXXXXX */
};

static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
#define NSIGS (sizeof sigs / sizeof sigs[0])

static struct {
    int parent_fd, tmp_fd;         /* -1 until open */
    uint64_t new_dev, new_ino;     /* identity of the new directory (0 until made) */
    char base[NAME_MAX + 1];       /* the output directory's name in its parent */
    char tmp[NAME_MAX + 1];        /* the new directory's name while it is not in place */
    char old[NAME_MAX + 5];        /* fallback: where the previous directory is put aside */
    char made[PATH_MAX];           /* the parent path; made_len[i] = length of the i-th prefix created */
    size_t made_len[MAX_MADE];
    volatile sig_atomic_t nmade;
    struct sigaction saved[NSIGS];
    int installed;
    char dbuf[8192] __attribute__((aligned(8))); /* getdents64 records */
} g = {.parent_fd = -1, .tmp_fd = -1};

/* The files qsim writes in an output directory, and the temporary names older versions left
 * there when killed. */
static int is_report_name(const char *s)
{
    static const char *const names[] = {"summary.json",      "runs.csv",      "trace.jsonl",
                                        ".summary.json.tmp", ".runs.csv.tmp", ".trace.jsonl.tmp",
                                        "visibility.csv",    "intervals.csv"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0)
            return 1;
    if (strncmp(s, ".trace.", 7) != 0)
        return 0;
    const char *p = s + 7;
    if (*p < '0' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    return strcmp(p, ".tmp") == 0;
}

struct dirent64_rec {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

/* Unlinks the entries of the directory open as fd (only qsim's report names unless all);
 * returns how many entries were left in place. Async-signal-safe. */
static size_t empty_dir(int fd, int all)
{
    size_t left = 0;
    if (lseek(fd, 0, SEEK_SET) < 0)
        return 1;
    for (;;) {
        long got = syscall(SYS_getdents64, fd, g.dbuf, sizeof g.dbuf);
        if (got <= 0)
            return got < 0 ? left + 1 : left;
        for (long off = 0; off < got;) {
            struct dirent64_rec *d = (struct dirent64_rec *)(g.dbuf + off);
            off += d->reclen;
            if (strcmp(d->name, ".") == 0 || strcmp(d->name, "..") == 0)
                continue;
            if ((!all && !is_report_name(d->name)) || unlinkat(fd, d->name, 0) != 0)
                left++;
        }
    }
}

/* Removes the directory name in the parent: the new directory whole (all), or a previous
 * one only if it holds nothing but qsim's reports (the new one is never taken for it).
 * Returns 0 when it is gone (or was never there). Async-signal-safe. */
static int remove_dir(const char *name, int all)
{
    if (!name[0])
        return 0;
    int fd = openat(g.parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    struct stat sb;
    int is_new = fstat(fd, &sb) == 0 && (uint64_t)sb.st_dev == g.new_dev && (uint64_t)sb.st_ino == g.new_ino;
    if (is_new != all) {
        close(fd);
        return -1;
    }
    int rc = -1;
    /* a thread of this process may still be creating a file in it: a few rounds */
    for (int round = 0; round < 100 && rc != 0; round++) {
        empty_dir(fd, all);
        rc = unlinkat(g.parent_fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT ? 0 : -1;
        if (rc != 0 && errno != ENOTEMPTY && errno != EEXIST)
            break;
    }
    close(fd);
    return rc;
}

/* Is the new directory at the output directory's name? Async-signal-safe. */
static int new_in_place(void)
{
    struct stat sb;
    return g.parent_fd >= 0 && g.new_ino && fstatat(g.parent_fd, g.base, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
           (uint64_t)sb.st_dev == g.new_dev && (uint64_t)sb.st_ino == g.new_ino;
}

/* Brings the disk back to how outdir_open found it, or, once the new directory is in place,
 * finishes removing the previous one. Returns 0 when nothing of qsim's is left over.
 * Async-signal-safe: the signal handler and the error paths share it. */
static int undo(void)
{
    if (new_in_place()) /* swapped: the previous set is under the temporary or the aside name */
        return remove_dir(g.tmp, 0) | remove_dir(g.old, 0);
    int rc = 0;
    if (g.parent_fd >= 0) {
        if (g.old[0]) /* fallback: put the previous directory back, if it was moved */
            renameat(g.parent_fd, g.old, g.parent_fd, g.base);
        if (g.tmp_fd >= 0)
            rc |= remove_dir(g.tmp, 1);
        else if (g.tmp[0]) /* made, not yet opened: still empty */
            unlinkat(g.parent_fd, g.tmp, AT_REMOVEDIR);
    }
    for (sig_atomic_t i = g.nmade; i-- > 0;) { /* the parents it created, deepest first */
        char c = g.made[g.made_len[i]];
        g.made[g.made_len[i]] = '\0';
        rmdir(g.made);
        g.made[g.made_len[i]] = c;
    }
    return rc;
}

static void on_signal(int sig)
{
    undo();
    raise(sig); /* SA_RESETHAND: delivered with the default action once the handler returns */
}

static void block(sigset_t *old, int how)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < NSIGS; i++)
        sigaddset(&set, sigs[i]);
    pthread_sigmask(how, how == SIG_SETMASK ? old : &set, how == SIG_SETMASK ? NULL : old);
}

static void install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = (int)SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NSIGS; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    for (size_t i = 0; i < NSIGS; i++)
        sigaction(sigs[i], &sa, &g.saved[i]);
    g.installed = 1;
}

/* Restores the signal actions and forgets the state; with signals blocked. */
static void finish(outdir *o)
{
    sigset_t old;
    block(&old, SIG_BLOCK);
    if (g.installed)
        for (size_t i = 0; i < NSIGS; i++)
            sigaction(sigs[i], &g.saved[i], NULL);
    g.installed = 0;
    if (g.tmp_fd >= 0)
        close(g.tmp_fd);
    if (g.parent_fd >= 0)
        close(g.parent_fd);
    g.tmp_fd = g.parent_fd = -1;
    g.new_dev = g.new_ino = 0;
    g.base[0] = g.tmp[0] = g.old[0] = '\0';
    g.nmade = 0;
    block(&old, SIG_SETMASK);
    if (o) {
        mem_free(o->tmp_path);
        mem_free(o);
    }
}

/* undo() with the handled signals blocked, so that a kill cannot run it twice at once. */
static void outdir_abort_state(void)
{
    sigset_t old;
    block(&old, SIG_BLOCK);
    undo();
    block(&old, SIG_SETMASK);
}

/* Creates the missing directories of path, recording each in g.made. 0 or -1 (errno). */
static int make_parents(const char *path)
{
    size_t len = strlen(path);
    if (len >= sizeof g.made) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(g.made, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (i < len && g.made[i] != '/')
            continue;
        if (i < len && g.made[i - 1] == '/')
            continue; /* "a//b" */
        char c = g.made[i];
        g.made[i] = '\0';
        int r = mkdir(g.made, 0777);
        int e = errno;
        g.made[i] = c;
        if (r == 0) {
            if (g.nmade == MAX_MADE) {
                g.made[i] = '\0';
                rmdir(g.made);
                g.made[i] = c;
                errno = ENAMETOOLONG;
                return -1;
            }
            g.made_len[g.nmade] = i;
            g.nmade = g.nmade + 1;
        } else if (e != EEXIST) {
            errno = e;
            return -1;
        }
    }
    return 0;
}

/* A short random suffix for the temporary name (uniqueness, not secrecy). */
static void suffix(char out[7])
{
    static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static unsigned long counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid() << 32 ^ ++counter;
    for (int i = 0; i < 6; i++) {
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9ULL;
        out[i] = set[(x >> 40) % (sizeof set - 1)];
    }
    out[6] = '\0';
}

/* Why the existing directory path (open as fd) cannot be replaced, or NULL. */
static const char *check_existing(const char *path, int fd, char *why, size_t n, int *err)
{
    struct stat sb, cwd;
    if (fstat(fd, &sb) == 0 && stat(".", &cwd) == 0 && sb.st_dev == cwd.st_dev && sb.st_ino == cwd.st_ino) {
        *err = -EBUSY;
        snprintf(why, n, "'%s': it is the current directory; qsim replaces the output directory as a whole, so "
                 "name a directory of its own", path);
        return why;
    }
    int dfd = dup(fd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        *err = -errno;
        snprintf(why, n, "'%s': cannot read it: %s", path, strerror(errno));
        return why;
    }
    const struct dirent *e;
    const char *bad = NULL;
    while (!bad && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !is_report_name(e->d_name))
            bad = e->d_name;
    if (bad) {
        *err = -EEXIST;
        snprintf(why, n, "'%s': it holds '%.200s', which qsim did not write; qsim replaces the output directory as "
                 "a whole, so name a new or empty directory, or one that holds only qsim's reports", path, bad);
    }
    closedir(d);
    if (bad)
        return why;
    if (faccessat(fd, ".", W_OK | X_OK, AT_EACCESS) != 0) {
        *err = -errno;
        snprintf(why, n, "'%s': cannot replace its reports: %s", path, strerror(errno));
        return why;
    }
    return NULL;
}

int outdir_open(const char *given, outdir **out, char *why, size_t n)
{
    int err = 0;
    char *path = NULL, *parent = NULL;
    outdir *o = NULL;
    if (!given[0]) {
        snprintf(why, n, "'': the path is empty");
        return -EINVAL;
    }
    path = mem_strdup(given);
    if (!path)
        goto oom;
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        path[--len] = '\0';
    struct stat sb;
    if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        /* a link to a directory: the reports go into the directory it names */
        char *real = realpath(path, NULL);
        if (!real) {
            err = -errno;
            snprintf(why, n, "'%s': it is a symbolic link that leads nowhere: %s", given, strerror(errno));
            goto fail;
        }
        mem_free(path);
        path = mem_strdup(real);
        free(real);
        if (!path)
            goto oom;
        len = strlen(path);
    }
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!base[0] || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        snprintf(why, n, "'%s': name the report directory itself (its last part cannot be '.', '..' or '/')",
                 given);
        err = -EINVAL;
        goto fail;
    }
    if (strlen(base) > NAME_MAX) {
        snprintf(why, n, "'%s': the name is longer than %d bytes", given, NAME_MAX);
        err = -ENAMETOOLONG;
        goto fail;
    }
    parent = mem_alloc(len + 2);
    if (!parent)
        goto oom;
    if (!slash)
        strcpy(parent, ".");
    else if (slash == path)
        strcpy(parent, "/");
    else
        snprintf(parent, len + 2, "%.*s", (int)(slash - path), path);

    install(); /* from here on a kill undoes what is done */
    strcpy(g.base, base);
    if (make_parents(parent) != 0) {
        err = -errno;
        snprintf(why, n, "'%s': cannot create the directory '%s': %s", given, parent, strerror(errno));
        goto fail;
    }
    g.parent_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (g.parent_fd < 0) {
        err = -errno;
        snprintf(why, n, "'%s': cannot use the directory '%s': %s", given, parent, strerror(errno));
        goto fail;
    }
    int fd = openat(g.parent_fd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0) {
        int isdir = fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode);
        const char *bad = NULL;
        if (!isdir) {
            err = -ENOTDIR;
            snprintf(why, n, "'%s': it exists and is not a directory (qsim writes a directory of reports)", given);
            bad = why;
        } else {
            bad = check_existing(given, fd, why, n, &err);
        }
        close(fd);
        if (bad)
            goto fail;
    } else if (errno != ENOENT) {
        err = -errno;
        snprintf(why, n, "'%s': cannot use it: %s", given, strerror(errno));
        goto fail;
    }
    /* the temporary directory: its name is recorded before it exists */
    char sfx[7];
    int made = 0;
    for (int tries = 0; tries < 100 && !made; tries++) {
        suffix(sfx);
        snprintf(g.tmp, sizeof g.tmp, ".%.200s.qsim-%s", base, sfx);
        made = mkdirat(g.parent_fd, g.tmp, 0777) == 0;
        if (!made && errno != EEXIST)
            break;
    }
    if (!made) {
        err = -errno;
        g.tmp[0] = '\0';
        snprintf(why, n, "'%s': cannot create a temporary directory in '%s': %s", given, parent, strerror(errno));
        goto fail;
    }
    g.tmp_fd = openat(g.parent_fd, g.tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (g.tmp_fd < 0 || fstat(g.tmp_fd, &sb) != 0) {
        err = -errno;
        snprintf(why, n, "'%s': cannot open the temporary directory: %s", given, strerror(errno));
        goto fail;
    }
    g.new_dev = (uint64_t)sb.st_dev;
    g.new_ino = (uint64_t)sb.st_ino;
    o = mem_calloc(1, sizeof *o);
    if (!o)
        goto oom;
    o->tmp_path = mem_alloc(strlen(parent) + strlen(g.tmp) + 2);
    if (!o->tmp_path)
        goto oom;
    sprintf(o->tmp_path, "%s/%s", parent, g.tmp);
    mem_free(path);
    mem_free(parent);
    *out = o;
    return 0;
oom:
    err = -ENOMEM;
    snprintf(why, n, "'%s': out of memory", given);
fail:
    outdir_abort_state();
    finish(o);
    mem_free(path);
    mem_free(parent);
    return err;
}

const char *outdir_tmp(const outdir *o) { return o->tmp_path; }

void outdir_abort(outdir *o)
{
    if (!o)
        return;
    outdir_abort_state();
    finish(o);
}

/* renameat2(RENAME_EXCHANGE), or -1 with EINVAL when the fallback is asked for (tests). */
static int exchange(void)
{
    const char *no = getenv("QSIM_TEST_NO_EXCHANGE");
    if (no && strcmp(no, "1") == 0) {
        errno = EINVAL;
        return -1;
    }
    return (int)syscall(SYS_renameat2, g.parent_fd, g.tmp, g.parent_fd, g.base, RENAME_EXCHANGE);
}

int outdir_commit(outdir *o, char *why, size_t n)
{
    int rc = 0;
    if (fsync(g.tmp_fd) != 0) { /* the entries, before they become visible */
        rc = -errno;
        snprintf(why, n, "cannot sync the new reports to disk: %s", strerror(-rc));
        outdir_abort(o);
        return rc;
    }
    sigset_t old;
    block(&old, SIG_BLOCK); /* the swap and the clean-up run whole; a kill waits for them */
    struct stat sb;
    int exists = fstatat(g.parent_fd, g.base, &sb, AT_SYMLINK_NOFOLLOW) == 0;
    if (!exists && renameat(g.parent_fd, g.tmp, g.parent_fd, g.base) == 0)
        goto swapped;
    if (!exists && errno != EEXIST && errno != ENOTEMPTY)
        goto failed;
    if (exchange() == 0)
        goto swapped;
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
        goto failed;
    /* the filesystem cannot exchange: previous aside, new in place, previous back on failure */
    snprintf(g.old, sizeof g.old, "%s.old", g.tmp);
    if (renameat(g.parent_fd, g.base, g.parent_fd, g.old) != 0) {
        g.old[0] = '\0';
        goto failed;
    }
    if (renameat(g.parent_fd, g.tmp, g.parent_fd, g.base) != 0)
        goto failed; /* undo puts the previous one back */
swapped:
    fsync(g.parent_fd);
    if (undo() != 0) { /* removes the previous set */
        rc = 1;
        snprintf(why, n, "the new reports are in place, but the previous ones could not all be removed from "
                 "'%s' (in the same directory)", g.old[0] ? g.old : g.tmp);
    }
    block(&old, SIG_SETMASK);
    finish(o);
    return rc;
failed:
    rc = -errno;
    snprintf(why, n, "cannot move the new reports into place: %s", strerror(-rc));
    undo();
    block(&old, SIG_SETMASK);
    finish(o);
    return rc;
}
