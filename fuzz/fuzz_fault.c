/* fuzz_fault: fault_parse (a [faults] value) on any text, for clusters of 1 to 16 nodes
 * (the first byte picks the size). */
#include <stdlib.h>
#include <string.h>
#include "fuzz/fuzz.h"
#include "models/fault.h"
#include "sim/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int nodes = size ? 1 + data[0] % 16 : 3;
    char *text = fuzz_text(size ? data + 1 : data, size ? size - 1 : 0);
    long before = mem_live();
    fault f;
    memset(&f, 0, sizeof f);
    char err[512];
    fault_parse(text, nodes, fuzz_dir(), &f, err, sizeof err);
    fault_free(&f);
    fuzz_check_leaks(before, "fault_parse");
    free(text);
    return 0;
}
