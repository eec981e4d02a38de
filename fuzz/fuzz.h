/* fuzz: what the libFuzzer targets share (see docs/fuzzing.md). A sandbox directory with
 * small files the inputs may name (include = inc.ini, empirical(s.csv), empirical(c.csv)),
 * and a leak check through the allocation wrapper (sim/alloc.h) on top of LeakSanitizer's. */
#ifndef QSIM_FUZZ_H
#define QSIM_FUZZ_H
#include <stddef.h>
#include <stdint.h>

/* The sandbox directory (in /dev/shm, else /tmp), made on first use and removed at exit. */
const char *fuzz_dir(void);
/* A NUL-terminated copy of the input (free it). */
char *fuzz_text(const uint8_t *data, size_t size);
/* Aborts (a crash libFuzzer records) when blocks allocated through sim/alloc.h are still
 * live compared with before. */
void fuzz_check_leaks(long before, const char *what);
#endif
