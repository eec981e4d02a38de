/* fuzz_units: the number, duration and rate parsers of sim/units.c on any text. A parsed
 * duration, formatted by units_format_duration, parses back to the same number of ns. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz/fuzz.h"
#include "sim/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    char err[128], buf[64];
    int64_t ns, back, i;
    double v;
    if (units_parse_duration(text, &ns, err, sizeof err) == 0) {
        units_format_duration(ns, buf, sizeof buf);
        if (units_parse_duration(buf, &back, err, sizeof err) != 0 || back != ns)
            abort();
    }
    if (units_parse_rate(text, &v, err, sizeof err) == 0 && !(v > 0 && isfinite(v)))
        abort();
    if (units_parse_double(text, &v) == 0 && !isfinite(v))
        abort();
    units_parse_int(text, &i);
    /* the NULL-err forms */
    units_parse_duration(text, &ns, NULL, 0);
    units_parse_rate(text, &v, NULL, 0);
    free(text);
    return 0;
}
