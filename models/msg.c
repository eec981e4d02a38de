/* msg: message pool and kind names; see msg.h. */
#include "models/msg.h"
#include <stdio.h>
#include <string.h>
#include "sim/alloc.h"

#define MSG_SLAB 1024

const char *const msg_kind_name[MSG_NKINDS] = {
#define X(e, n) #n,
    MSG_KINDS(X)
#undef X
};

void msg_pool_init(msg_pool *p) { memset(p, 0, sizeof *p); }

void msg_pool_fini(msg_pool *p)
{
    for (size_t i = 0; i < p->nslabs; i++)
        mem_free(p->slabs[i]);
    mem_free(p->slabs);
    memset(p, 0, sizeof *p);
}

static int grow(msg_pool *p)
{
    msg **ns = mem_grow(p->slabs, &p->slabs_cap, p->nslabs + 1, sizeof *ns);
    if (!ns)
        return -1;
    p->slabs = ns;
    msg *slab = mem_alloc(MSG_SLAB * sizeof *slab);
    if (!slab)
        return -1;
    p->slabs[p->nslabs++] = slab;
    for (size_t i = 0; i < MSG_SLAB; i++) {
        slab[i].next = p->free;
        p->free = &slab[i];
    }
    return 0;
}

msg *msg_get(msg_pool *p)
{
    if (!p->free && grow(p))
        return NULL;
    msg *m = p->free;
    p->free = m->next;
    memset(m, 0, sizeof *m);
    m->ev.hn.index = HEAP_NONE;
    if (++p->live > p->peak)
        p->peak = p->live;
    return m;
}

_Static_assert(MSG_NKINDS <= 32, "msg_pool.hooked has a bit per kind");

void msg_pool_on_release(msg_pool *p, msg_kind kind, msg_release_fn fn, void *ctx)
{
    p->release[kind] = fn;
    p->release_ctx[kind] = ctx;
    if (fn)
        p->hooked |= UINT32_C(1) << kind;
    else
        p->hooked &= ~(UINT32_C(1) << kind);
}

void msg_put(msg_pool *p, msg *m)
{
    if (p->hooked & (UINT32_C(1) << m->kind))
        p->release[m->kind](p->release_ctx[m->kind], m);
    m->next = p->free;
    p->free = m;
    p->live--;
}

int ep_parse(const char *name, int nodes)
{
    if (strcmp(name, "client") == 0)
        return EP_CLIENT;
    if (name[0] != 'n' || name[1] < '1' || name[1] > '9')
        return -1;
    long v = 0;
    for (const char *p = name + 1; *p; p++) {
        if (*p < '0' || *p > '9' || v > 100000)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v >= 1 && v <= nodes ? (int)v : -1;
}

const char *ep_name(int ep, char *buf)
{
    if (ep == EP_CLIENT)
        snprintf(buf, 16, "client");
    else
        snprintf(buf, 16, "n%d", ep);
    return buf;
}
