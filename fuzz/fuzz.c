/* fuzz: the shared sandbox and checks; see fuzz.h. */
#include "fuzz/fuzz.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sim/alloc.h"

static char dir[64];

static void put(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        abort();
}

static void cleanup(void)
{
    static const char *const names[] = {"inc.ini", "s.csv", "c.csv", "f.ini"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

const char *fuzz_dir(void)
{
    if (!dir[0]) {
        /* tmpfs when there is one: the loader target rewrites a file every execution */
        snprintf(dir, sizeof dir, "%s/qsim-fuzz-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
        if (!mkdtemp(dir))
            abort();
        put("inc.ini", "[network]\nloss = 0.01\nlatency = shift(0.1ms, exp(0.4ms))\n");
        put("s.csv", "# samples\n0.5ms\n1ms\n1.5ms\n250000\n");
        put("c.csv", "1ms,0.25\n2ms,0.5\n4ms,1\n");
        atexit(cleanup);
    }
    return dir;
}

char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

void fuzz_check_leaks(long before, const char *what)
{
    long now = mem_live();
    if (now != before) {
        fprintf(stderr, "fuzz: %s left %ld blocks allocated\n", what, now - before);
        abort();
    }
}
