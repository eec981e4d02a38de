/* fuzz_script: wl_parse_script (a [script] value) on any text, for 1 to 16 nodes and 1 to
 * 64 keys (picked by the first byte). */
#include <stdlib.h>
#include <string.h>
#include "fuzz/fuzz.h"
#include "models/wl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int nodes = size ? 1 + data[0] % 16 : 3;
    int64_t keys = size ? 1 + data[0] / 16 * 4 : 3;
    char *text = fuzz_text(size ? data + 1 : data, size ? size - 1 : 0);
    script_op so;
    memset(&so, 0, sizeof so);
    char err[512];
    if (wl_parse_script(text, keys, nodes, &so, err, sizeof err) == 0) {
        if (so.key >= (uint64_t)keys || so.nprefer > RING_MAX_REPLICAS || so.at < 0)
            abort();
        for (int p = 0; p < so.nprefer; p++)
            if (so.prefer[p] < 1 || so.prefer[p] > nodes)
                abort();
    }
    free(text);
    return 0;
}
