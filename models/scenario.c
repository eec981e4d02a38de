/* scenario: binding the module list's key tables into a validated struct scenario; see scenario.h. */
#include "models/scenario.h"
#include <stdio.h>
#include <string.h>
#include "sim/alloc.h"

static const cfg_table *tables[2 * MOD_COUNT + 8];
static size_t ntables;

const cfg_table *const *scenario_tables(size_t *n)
{
    if (!ntables) {
        size_t k = 0;
        for (int m = 0; m < MOD_COUNT; m++) {
            const module *md = module_list[m];
            if (md->keys)
                tables[k++] = md->keys;
            for (const cfg_table *const *l = md->lists; l && *l; l++)
                tables[k++] = *l;
        }
        ntables = k;
    }
    *n = ntables;
    return tables;
}

const char *scenario_keep(cfg *c, scenario *sc, const char *s)
{
    char **nn = mem_grow(sc->names, &sc->names_cap, sc->nnames + 1, sizeof *nn);
    char *d = nn ? mem_strdup(s) : NULL;
    if (nn)
        sc->names = nn;
    if (!d) {
        cfg_error(c, NULL, "out of memory");
        return "?";
    }
    sc->names[sc->nnames++] = d;
    return d;
}

size_t scenario_build(cfg *c, scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    size_t e0 = cfg_nerrors(c);
    cfg_begin_pass(c);
    for (int m = 0; m < MOD_COUNT; m++) {
        const module *md = module_list[m];
        if (!md->cfg_size)
            continue;
        sc->cfg[m] = mem_calloc(1, md->cfg_size);
        if (!sc->cfg[m]) {
            cfg_error(c, NULL, "out of memory");
            return cfg_nerrors(c) - e0;
        }
        if (md->keys)
            cfg_bind(c, md->keys, md->keys->keys[0].section, sc->cfg[m], 1);
    }
    for (int m = 0; m < MOD_COUNT; m++)
        if (module_list[m]->load)
            module_list[m]->load(c, sc, sc->cfg[m]);
    for (int m = 0; m < MOD_COUNT; m++)
        if (module_list[m]->check)
            module_list[m]->check(c, sc, sc->cfg[m]);
    size_t nt;
    const cfg_table *const *t = scenario_tables(&nt);
    cfg_check_unused(c, t, nt);
    return cfg_nerrors(c) - e0;
}

void scenario_free(scenario *sc)
{
    for (int m = 0; m < MOD_COUNT; m++) {
        const module *md = module_list[m];
        if (!sc->cfg[m])
            continue;
        if (md->release)
            md->release(sc->cfg[m]);
        if (md->keys)
            cfg_release(md->keys, sc->cfg[m]);
        mem_free(sc->cfg[m]);
    }
    for (size_t i = 0; i < sc->nnames; i++)
        mem_free(sc->names[i]);
    mem_free(sc->names);
    memset(sc, 0, sizeof *sc);
}
