/* file: reading a whole input file, safely (DESIGN.md section 6: bad input is an error,
 * never a hang or a read without end). Every file qsim reads (the scenario, its includes,
 * empirical(...) CSV files) comes through file_read: it is opened once, without blocking
 * (so a FIFO cannot stall the open), checked on the open descriptor (never looked up by
 * name a second time, which could race with a rename), and read only if it is a regular
 * file no larger than the caller's limit. Directories, FIFOs, devices (/dev/zero) and
 * sockets are refused with a reason. */
#ifndef QSIM_FILE_H
#define QSIM_FILE_H
#include <stddef.h>
#include <stdint.h>

#define FILE_INI_MAX ((size_t)4 << 20)  /* bytes: a scenario file or an include */
#define FILE_CSV_MAX ((size_t)64 << 20) /* bytes: an empirical(...) file */

/* Identity of an opened file (device and inode): the same file under two names compares equal. */
typedef struct file_id {
    uint64_t dev, ino;
} file_id;

/* Reads the regular file at path, at most max bytes, into a new buffer (*buf, with a NUL
 * after the *len bytes read; the caller mem_frees it). what names the kind of file for the
 * size message ("scenario files"). id (may be NULL) receives the file's identity.
 * Returns 0, or -ENOMEM when memory ran out, or -1 for any other reason; on failure *buf is
 * untouched and why holds the reason, such as "cannot open: No such file or directory",
 * "is a directory, not a regular file", "is larger than 4 MiB, the limit for scenario files". */
int file_read(const char *path, size_t max, const char *what, char **buf, size_t *len, file_id *id, char *why,
              size_t n);
/* "4 MiB", "64 MiB", "512 KiB", "100 bytes": a size limit as a person reads it. */
void file_size_text(size_t bytes, char *buf, size_t n);
#endif
