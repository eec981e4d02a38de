/* file: bounded reading of regular files; see file.h. */
#include "sim/file.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sim/alloc.h"

void file_size_text(size_t bytes, char *buf, size_t n)
{
    if (bytes >= ((size_t)1 << 20) && bytes % ((size_t)1 << 20) == 0)
        snprintf(buf, n, "%zu MiB", bytes >> 20);
    else if (bytes >= 1024 && bytes % 1024 == 0)
        snprintf(buf, n, "%zu KiB", bytes >> 10);
    else
        snprintf(buf, n, "%zu bytes", bytes);
}

static const char *kind_of(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO (named pipe)";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return NULL;
}

int file_read(const char *path, size_t max, const char *what, char **buf, size_t *len, file_id *id, char *why,
              size_t n)
{
    char lim[32];
    file_size_text(max, lim, sizeof lim);
    /* O_NONBLOCK: opening a FIFO without a writer must not wait for one */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, n, "cannot open: %s", strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        snprintf(why, n, "cannot open: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        const char *k = kind_of(sb.st_mode);
        snprintf(why, n, "is %s, not a regular file", k ? k : "something else");
        close(fd);
        return -1;
    }
    if (sb.st_size < 0 || (uint64_t)sb.st_size > (uint64_t)max) {
        snprintf(why, n, "is larger than %s, the limit for %s", lim, what);
        close(fd);
        return -1;
    }
    /* st_size is a hint (files in /proc say 0, a file may grow): read up to max + 1 bytes */
    size_t cap = (size_t)sb.st_size + 1, got = 0;
    if (cap < 4096)
        cap = 4096;
    if (cap > max + 1)
        cap = max + 1;
    int rc = -1;
    char *b = mem_alloc(cap + 1);
    if (!b) {
        snprintf(why, n, "out of memory");
        close(fd);
        return -ENOMEM;
    }
    for (;;) {
        if (got == cap) {
            if (cap == max + 1)
                break;
            size_t nc = cap > (max + 1) / 2 ? max + 1 : cap * 2;
            char *nb = mem_realloc(b, nc + 1);
            if (!nb) {
                snprintf(why, n, "out of memory");
                rc = -ENOMEM;
                goto fail;
            }
            b = nb;
            cap = nc;
        }
        ssize_t r = read(fd, b + got, cap - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(why, n, "cannot read: %s", strerror(errno));
            goto fail;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    if (got > max) {
        snprintf(why, n, "is larger than %s, the limit for %s", lim, what);
        goto fail;
    }
    close(fd);
    b[got] = '\0';
    *buf = b;
    *len = got;
    if (id) {
        id->dev = (uint64_t)sb.st_dev;
        id->ino = (uint64_t)sb.st_ino;
    }
    return 0;
fail:
    mem_free(b);
    close(fd);
    return rc;
}
