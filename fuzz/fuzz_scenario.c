/* fuzz_scenario: the scenario loader as qsim runs it (DESIGN.md section 6): the input is
 * written to a file, loaded (cfg_load, with includes and empirical files resolved in the
 * sandbox), built (scenario_build) and freed. No input may crash, hang or leak. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "fuzz/fuzz.h"
#include "models/scenario.h"
#include "sim/alloc.h"
#include "sim/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[128];
    if (!path[0])
        snprintf(path, sizeof path, "%s/f.ini", fuzz_dir());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || close(fd) != 0)
        abort();
    long before = mem_live();
    cfg *c;
    if (cfg_create(&c) != 0)
        abort();
    if (cfg_load(c, path) == 0) {
        scenario sc;
        scenario_build(c, &sc);
        scenario_free(&sc);
    }
    /* errors are printed into a memory stream: the printing code runs too */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f) {
        cfg_print_errors(c, f);
        fclose(f);
    }
    free(buf);
    cfg_destroy(c);
    fuzz_check_leaks(before, "cfg_load + scenario_build");
    return 0;
}
