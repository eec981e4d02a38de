/* test_map: the engine's u64 -> u32 hash map against a reference array, through random
 * inserts, replacements and deletions that exercise wrap-around and backward shift. */
#include <string.h>
#include "sim/alloc.h"
#include "sim/map.h"
#include "tests/testutil.h"

static void map_agrees_with_reference(void **state)
{
    (void)state;
    enum { KEYS = 3000 };
    static int64_t ref[KEYS];
    long before = mem_live();
    uint64_t rs = 12345;
    map m;
    map_init(&m);
    for (int i = 0; i < KEYS; i++)
        ref[i] = -1;
    for (int step = 0; step < 200000; step++) {
        uint64_t r = tu_xorshift(&rs);
        int k = (int)(r % KEYS);
        uint64_t key = (uint64_t)k * UINT64_C(0x100000001) + 7; /* high and low halves both vary */
        if ((r >> 20) % 3 == 0) {
            EQ(map_del(&m, key), ref[k] >= 0);
            ref[k] = -1;
        } else {
            uint32_t v = (uint32_t)(r >> 32);
            EQ(map_put(&m, key, v), 0);
            ref[k] = v;
        }
        if (step % 997 == 0) {
            size_t n = 0;
            for (int i = 0; i < KEYS; i++) {
                EQ(map_get(&m, (uint64_t)i * UINT64_C(0x100000001) + 7), ref[i]);
                n += ref[i] >= 0;
            }
            EQ(m.n, n);
        }
    }
    map_clear(&m);
    EQ(m.n, 0);
    EQ(map_get(&m, 7), -1);
    map_fini(&m);
    EQ(mem_live(), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(map_agrees_with_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
