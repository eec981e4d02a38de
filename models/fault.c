/* fault: parsing and applying the fault timeline; see fault.h. */
#include "models/fault.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "models/world.h"
#include "sim/alloc.h"
#include "sim/json.h"
#include "sim/units.h"

const char *const fault_kind_name[] = {
#define X(e, n) #n,
    FAULT_KINDS(X)
#undef X
};

static const cfg_key faults_keys[] = {
    {"faults", "*", CFG_LIST, "", 1, 0, NULL, 0, NULL,
     "NAME = TIME crash NODE [durable|volatile] | recover NODE | partition G1 | G2 | partition G1 > G2 | heal"
     " | slow NODE FACTOR [until TIME] | link A>B latency DIST|default | link A>B loss P|default"},
};
const cfg_table faults_table = {faults_keys, 1, 0};

/* Splits on blanks into at most max tokens; returns the count (max + 1 if there are more). */
static int split(char *s, char **tok, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(s, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        if (n == max)
            return max + 1;
        tok[n++] = t;
    }
    return n;
}

static int node_arg(const char *t, int nodes, int *out, char *err, size_t n)
{
    int e = ep_parse(t, nodes);
    if (e <= 0) {
        snprintf(err, n, "unknown node '%s' (n1..n%d)", t, nodes);
        return -1;
    }
    *out = e;
    return 0;
}

/* "n1,n2 | n3" or "n1 > n2,n3": groups of endpoints. */
static int parse_partition(const char *spec, int nodes, fault *f, char *err, size_t n)
{
    f->group = mem_alloc((size_t)(nodes + 1));
    if (!f->group) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    memset(f->group, -1, (size_t)(nodes + 1));
    f->oneway = strchr(spec, '>') != NULL;
    if (f->oneway && strchr(spec, '|')) {
        snprintf(err, n, "partition: use '|' between groups (both ways) or one '>' (one way), not both");
        return -1;
    }
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    int g = 0;
    char *save = NULL;
    for (char *grp = strtok_r(buf, f->oneway ? ">" : "|", &save); grp; grp = strtok_r(NULL, f->oneway ? ">" : "|", &save), g++) {
        if (g > 100) {
            snprintf(err, n, "partition: too many groups");
            return -1;
        }
        char *s2 = NULL;
        int members = 0;
        for (char *t = strtok_r(grp, ", \t", &s2); t; t = strtok_r(NULL, ", \t", &s2)) {
            int e = ep_parse(t, nodes);
            if (e < 0) {
                snprintf(err, n, "partition: unknown endpoint '%s' (client or n1..n%d)", t, nodes);
                return -1;
            }
            if (f->group[e] >= 0) {
                snprintf(err, n, "partition: '%s' is in two groups", t);
                return -1;
            }
            f->group[e] = (int8_t)g;
            members++;
        }
        if (!members) {
            snprintf(err, n, "partition: empty group");
            return -1;
        }
    }
    if (g < 2 || (f->oneway && g != 2)) {
        snprintf(err, n, f->oneway ? "partition: one way is 'G1 > G2'" : "partition: needs at least two groups 'G1 | G2'");
        return -1;
    }
    return 0;
}

int fault_parse(const char *text, int nodes, const char *dir, fault *f, char *err, size_t n)
{
    char buf[FAULT_TEXT_MAX + 1];
    if (strlen(text) >= sizeof buf) {
        snprintf(err, n, "too long: at most %zu characters", sizeof buf - 1);
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", text);
    char *sp = buf;
    while (*sp == ' ' || *sp == '\t')
        sp++;
    char *t_end = strpbrk(sp, " \t");
    if (!t_end) {
        snprintf(err, n, "expected 'TIME ACTION ...'");
        return -1;
    }
    *t_end = '\0';
    char e2[128];
    if (units_parse_duration(sp, &f->at, e2, sizeof e2) || f->at < 0) {
        snprintf(err, n, "time '%s': %s", sp, f->at < 0 ? "must be >= 0" : e2);
        return -1;
    }
    char *rest = t_end + 1;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    char *a_end = strpbrk(rest, " \t");
    char *args = a_end ? a_end + 1 : rest + strlen(rest);
    if (a_end)
        *a_end = '\0';
    const char *action = rest;
    char *tok[8];
    int nt;
    f->until = 0;
    f->loss = -1;
    if (strcmp(action, "crash") == 0) {
        f->kind = FAULT_CRASH;
        nt = split(args, tok, 2);
        if (nt < 1 || nt > 2 || node_arg(tok[0], nodes, &f->node, err, n)) {
            if (nt < 1 || nt > 2)
                snprintf(err, n, "crash: expected 'crash NODE [durable|volatile]'");
            return -1;
        }
        if (nt == 2 && strcmp(tok[1], "durable") != 0 && strcmp(tok[1], "volatile") != 0) {
            snprintf(err, n, "crash: storage '%s' must be durable or volatile", tok[1]);
            return -1;
        }
        f->storage_volatile = nt == 2 && strcmp(tok[1], "volatile") == 0;
    } else if (strcmp(action, "recover") == 0) {
        f->kind = FAULT_RECOVER;
        nt = split(args, tok, 1);
        if (nt != 1) {
            snprintf(err, n, "recover: expected 'recover NODE'");
            return -1;
        }
        if (node_arg(tok[0], nodes, &f->node, err, n))
            return -1;
    } else if (strcmp(action, "partition") == 0) {
        f->kind = FAULT_PARTITION;
        return parse_partition(args, nodes, f, err, n);
    } else if (strcmp(action, "heal") == 0) {
        f->kind = FAULT_HEAL;
        if (split(args, tok, 0) != 0) {
            snprintf(err, n, "heal takes no arguments (it restores every cut link)");
            return -1;
        }
    } else if (strcmp(action, "slow") == 0) {
        f->kind = FAULT_SLOW;
        nt = split(args, tok, 4);
        if (nt != 2 && nt != 4) {
            snprintf(err, n, "slow: expected 'slow NODE FACTOR [until TIME]'");
            return -1;
        }
        if (node_arg(tok[0], nodes, &f->node, err, n))
            return -1;
        if (units_parse_double(tok[1], &f->factor) || f->factor <= 0 || f->factor > 1e6) {
            snprintf(err, n, "slow: factor '%s' must be a number in (0, 1e6]", tok[1]);
            return -1;
        }
        if (nt == 4) {
            if (strcmp(tok[2], "until") != 0 || units_parse_duration(tok[3], &f->until, e2, sizeof e2)) {
                snprintf(err, n, "slow: expected 'until TIME' after the factor");
                return -1;
            }
            if (f->until <= f->at) {
                snprintf(err, n, "slow: 'until' must be later than the start");
                return -1;
            }
        }
    } else if (strcmp(action, "link") == 0) {
        f->kind = FAULT_LINK;
        char *lname = args;
        while (*lname == ' ')
            lname++;
        char *l_end = strpbrk(lname, " \t");
        if (!l_end) {
            snprintf(err, n, "link: expected 'link A>B latency DIST|default' or 'link A>B loss P|default'");
            return -1;
        }
        *l_end = '\0';
        if (net_parse_link_name(lname, nodes, &f->src, &f->dst, &f->both, err, n))
            return -1;
        char *what = l_end + 1;
        while (*what == ' ')
            what++;
        char *w_end = strpbrk(what, " \t");
        if (!w_end) {
            snprintf(err, n, "link: expected 'latency DIST|default' or 'loss P|default'");
            return -1;
        }
        *w_end = '\0';
        char *val = w_end + 1;
        while (*val == ' ')
            val++;
        f->to_default = strcmp(val, "default") == 0;
        if (strcmp(what, "latency") == 0) {
            f->link_loss = 0;
            if (!f->to_default && dist_parse(val, dir, &f->latency, err, n) < 0)
                return -1;
        } else if (strcmp(what, "loss") == 0) {
            f->link_loss = 1;
            if (!f->to_default && (units_parse_double(val, &f->loss) || f->loss < 0 || f->loss > 1)) {
                snprintf(err, n, "link: loss must be a probability between 0 and 1");
                return -1;
            }
        } else {
            snprintf(err, n, "link: '%s' must be latency or loss", what);
            return -1;
        }
    } else {
        snprintf(err, n, "unknown action '%s' (crash, recover, partition, heal, slow, link)", action);
        return -1;
    }
    return 0;
}

void fault_free(fault *f)
{
    mem_free(f->group);
    dist_destroy(f->latency);
    f->group = NULL;
    f->latency = NULL;
}

/* A node's slowdown is its configured factor times every slow window active on it, so
 * overlapping windows compose and the end of one leaves the others in force. */
static void recompute_slow(world *w, int nd)
{
    double f = w->nodes[nd].base_slow;
    for (size_t i = 0; i < w->nfaults; i++)
        if (w->faults[i].active && w->faults[i].f->node == nd)
            f *= w->faults[i].f->factor;
    w->nodes[nd].slow = f;
}

static void apply(world *w, fault_rt *rt)
{
    const fault *f = rt->f;
    int ending = rt->ending;
    /* fault_parse takes at most FAULT_TEXT_MAX characters; escaped, each takes at most 6 */
    char spec[FAULT_TEXT_MAX * 6 + 1];
    jw_escape_to(spec, sizeof spec, f->text);
    char members[sizeof spec + 128], a[16], b[16];
    switch (f->kind) {
    case FAULT_CRASH:
        node_crash(w, &w->nodes[f->node], f->storage_volatile);
        snprintf(members, sizeof members, "\"action\":\"crash\",\"node\":\"%s\",\"storage\":\"%s\"",
                 ep_name(f->node, a), f->storage_volatile ? "volatile" : "durable");
        break;
    case FAULT_RECOVER:
        node_recover(&w->nodes[f->node]);
        snprintf(members, sizeof members, "\"action\":\"recover\",\"node\":\"%s\"", ep_name(f->node, a));
        break;
    case FAULT_PARTITION:
        for (int x = 0; x <= w->nnodes; x++)
            for (int y = 0; y <= w->nnodes; y++) {
                int gx = f->group[x], gy = f->group[y];
                if (gx < 0 || gy < 0 || gx == gy)
                    continue;
                if (!f->oneway || (gx == 0 && gy == 1))
                    net_set_cut(&w->net, x, y, 1);
            }
        snprintf(members, sizeof members, "\"action\":\"partition\",\"spec\":\"%s\"", spec);
        break;
    case FAULT_HEAL:
        net_heal(&w->net);
        snprintf(members, sizeof members, "\"action\":\"heal\"");
        break;
    case FAULT_SLOW: {
        /* the window's start event carries its active flag; the end event follows it */
        (ending ? rt - 1 : rt)->active = !ending;
        recompute_slow(w, f->node);
        snprintf(members, sizeof members, "\"action\":\"%s\",\"node\":\"%s\",\"factor\":%.10g",
                 ending ? "slow_end" : "slow", ep_name(f->node, a), ending ? 1.0 : f->factor);
        break;
    }
    case FAULT_LINK:
        for (int d = 0; d < (f->both ? 2 : 1); d++) {
            int x = d ? f->dst : f->src, y = d ? f->src : f->dst;
            if (f->link_loss)
                net_set_loss(&w->net, x, y, f->loss, f->to_default);
            else
                net_set_latency(&w->net, x, y, f->latency, f->to_default);
        }
        snprintf(members, sizeof members, "\"action\":\"link\",\"link\":\"%s%s%s\",\"spec\":\"%s\"",
                 ep_name(f->src, a), f->both ? "-" : ">", ep_name(f->dst, b), spec);
        break;
    default:
        return;
    }
    oracle_fault(w, members);
}

static void on_fault(sim *s, sim_event *ev)
{
    world *w = SIM_CONTAINER_OF(s, world, s);
    apply(w, SIM_CONTAINER_OF(ev, fault_rt, ev));
}

int fault_schedule(world *w)
{
    const scenario *sc = w->sc;
    size_t n = 0;
    for (size_t i = 0; i < sc->nfaults; i++)
        n += 1 + (sc->faults[i].kind == FAULT_SLOW && sc->faults[i].until > 0);
    w->faults = mem_calloc(n ? n : 1, sizeof *w->faults);
    if (!w->faults)
        return -ENOMEM;
    w->nfaults = n;
    size_t j = 0;
    for (size_t i = 0; i < sc->nfaults; i++) {
        const fault *f = &sc->faults[i];
        for (int end = 0; end < 2; end++) {
            if (end && !(f->kind == FAULT_SLOW && f->until > 0))
                break;
            fault_rt *rt = &w->faults[j++];
            rt->f = f;
            rt->ending = end;
            sim_event_init(&rt->ev, on_fault);
            if (sim_schedule(&w->s, &rt->ev, end ? f->until : f->at))
                return -ENOMEM;
        }
    }
    return 0;
}
