/* cfg: table-driven INI loader over libinih; see cfg.h and docs/design.md sections 1 and 6. */
#include "sim/cfg.h"
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "sim/alloc.h"
#include "sim/dist.h"
#include "sim/file.h"
#include "sim/units.h"
#include "sim/utf8.h"

#define CFG_MAX_DEPTH 16
#define CFG_MAX_ERRORS 100 /* errors listed; more are counted */
#define NONE ((size_t)-1)
#define CFG_TOTAL_MAX ((size_t)16 << 20) /* bytes read for one scenario, includes counted each time */

typedef struct eff {
    char *section, *key, *text;
} eff;

struct cfg {
    cfg_entry *e;
    size_t n, cap;
    char **err, **body; /* as printed; without the context, for de-duplication */
    size_t nerr, errcap, bodycap;
    size_t dropped; /* distinct errors past CFG_MAX_ERRORS, counted but not kept */
    size_t seen;    /* every error met, each time (cfg_errors_seen) */
    char **files; /* interned paths, owned */
    size_t nfiles;
    file_id stack[CFG_MAX_DEPTH]; /* files being read (an include cycle is one of them again) */
    int depth;
    size_t total; /* bytes read by the loads so far (CFG_TOTAL_MAX) */
    char *base_dir;
    char *context; /* prefix of errors (cfg_set_context), never NULL */
    eff *eff;
    size_t neff, effcap;
    int oom;
    /* index of entries by (section, key), so that lookups do not scan every entry (a large
     * scenario must not take quadratic time): chained buckets, newest entry first */
    size_t *head;             /* per bucket: the newest entry in it, or NONE */
    size_t nbucket;           /* a power of two, or 0 before the first entry */
    size_t *next;             /* per entry: the next older entry of its bucket, or NONE */
    unsigned char *reported;  /* per entry: its unknown-key error was recorded (once is enough) */
    size_t aux_cap;           /* capacity of next and reported */
};

/* A set of entry indices keyed by (section, key), or by section alone: open addressing. */
typedef struct idxset {
    size_t *slot; /* entry index + 1; 0 = empty */
    size_t cap, n;
} idxset;

typedef struct reader {
    cfg *c;
    idxset keys;     /* entries this reading appended: a key set twice in one file */
    const char *file; /* interned */
    char *buf;
    size_t pos, len;
    int line;
    int bad_section; /* after a broken "[section" line: its keys are skipped */
} reader;

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    while (nc < need)
        nc *= 2;
    void *q = mem_realloc(*p, nc * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

/* FNV-1a over a, a separator, then b (b NULL: a alone). */
static uint64_t hash_pair(const char *a, const char *b)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (; *a; a++)
        h = (h ^ (unsigned char)*a) * UINT64_C(1099511628211);
    if (b) {
        h = (h ^ 0x100) * UINT64_C(1099511628211);
        for (; *b; b++)
            h = (h ^ (unsigned char)*b) * UINT64_C(1099511628211);
    }
    return h ^ (h >> 31);
}

static int same_pair(const cfg_entry *e, const char *section, const char *key)
{
    return strcmp(e->section, section) == 0 && (!key || strcmp(e->key, key) == 0);
}

/* The entry of the set with this section (and key, unless key is NULL), or NONE; with
 * add != NONE, adds entry add when none is found. Returns NONE with c->oom set when the set
 * cannot grow. */
static size_t idxset_find(cfg *c, idxset *s, const char *section, const char *key, size_t add)
{
    if (s->cap == 0 || (add != NONE && 2 * (s->n + 1) > s->cap)) {
        if (add == NONE && s->cap == 0)
            return NONE;
        size_t nc = s->cap ? 2 * s->cap : 64;
        size_t *ns = mem_calloc(nc, sizeof *ns);
        if (!ns) {
            c->oom = 1;
            return NONE;
        }
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slot[i])
                continue;
            const cfg_entry *e = &c->e[s->slot[i] - 1];
            size_t j = (size_t)hash_pair(e->section, key ? e->key : NULL) & (nc - 1);
            while (ns[j])
                j = (j + 1) & (nc - 1);
            ns[j] = s->slot[i];
        }
        mem_free(s->slot);
        s->slot = ns;
        s->cap = nc;
    }
    size_t j = (size_t)hash_pair(section, key) & (s->cap - 1);
    for (; s->slot[j]; j = (j + 1) & (s->cap - 1))
        if (same_pair(&c->e[s->slot[j] - 1], section, key))
            return s->slot[j] - 1;
    if (add != NONE) {
        s->slot[j] = add + 1;
        s->n++;
    }
    return NONE;
}

static void idxset_free(idxset *s)
{
    mem_free(s->slot);
    s->slot = NULL;
    s->cap = s->n = 0;
}

static size_t bucket_of(const cfg *c, const char *section, const char *key)
{
    return (size_t)hash_pair(section, key) & (c->nbucket - 1);
}

/* Rebuilds the buckets for the entries 0..n-1 with nb buckets; on failure the old ones stay
 * (longer chains, same answers). */
static void index_rebuild(cfg *c, size_t nb)
{
    size_t *h = mem_alloc(nb * sizeof *h);
    if (!h)
        return;
    for (size_t b = 0; b < nb; b++)
        h[b] = NONE;
    mem_free(c->head);
    c->head = h;
    c->nbucket = nb;
    for (size_t i = 0; i < c->n; i++) {
        size_t b = bucket_of(c, c->e[i].section, c->e[i].key);
        c->next[i] = h[b];
        h[b] = i;
    }
}

/* The newest entry for section.key, or NONE. */
static size_t index_find(const cfg *c, const char *section, const char *key)
{
    if (!c->nbucket)
        return NONE;
    for (size_t i = c->head[bucket_of(c, section, key)]; i != NONE; i = c->next[i])
        if (same_pair(&c->e[i], section, key))
            return i;
    return NONE;
}

int cfg_create(cfg **out)
{
    cfg *c = mem_calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    c->base_dir = mem_strdup(".");
    c->context = mem_strdup("");
    if (!c->base_dir || !c->context) {
        mem_free(c->base_dir);
        mem_free(c->context);
        mem_free(c);
        return -ENOMEM;
    }
    *out = c;
    return 0;
}

static void eff_clear(cfg *c)
{
    for (size_t i = 0; i < c->neff; i++) {
        mem_free(c->eff[i].section);
        mem_free(c->eff[i].key);
        mem_free(c->eff[i].text);
    }
    c->neff = 0;
}

void cfg_destroy(cfg *c)
{
    if (!c)
        return;
    cfg_truncate(c, 0);
    mem_free(c->e);
    for (size_t i = 0; i < c->nerr; i++) {
        mem_free(c->err[i]);
        mem_free(c->body[i]);
    }
    mem_free(c->err);
    mem_free(c->body);
    for (size_t i = 0; i < c->nfiles; i++)
        mem_free(c->files[i]);
    mem_free(c->files);
    eff_clear(c);
    mem_free(c->eff);
    mem_free(c->base_dir);
    mem_free(c->context);
    mem_free(c->head);
    mem_free(c->next);
    mem_free(c->reported);
    mem_free(c);
}

/* A new string from a printf format (mem_free it), or NULL when memory ran out. Messages
 * are built to their full length: a long value is never cut from an error. */
static char *vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vformat(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int len = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    char *s = len < 0 ? NULL : mem_alloc((size_t)len + 1);
    if (s)
        vsnprintf(s, (size_t)len + 1, fmt, ap);
    return s;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* Records full (the message as printed) unless an error with the same body (the message
 * without the per-configuration context) was already recorded: a problem shared by every
 * configuration of a sweep is listed once. Takes both strings (either may be NULL: out of
 * memory). */
static void add_error(cfg *c, char *full, char *body)
{
    c->seen++;
    if (!full || !body) {
        c->oom = 1;
        goto drop;
    }
    for (size_t i = 0; i < c->nerr; i++)
        if (strcmp(c->body[i], body) == 0)
            goto drop;
    if (c->nerr == CFG_MAX_ERRORS) {
        c->dropped++; /* a file of garbage lines must not make thousands of lines, or time */
        goto drop;
    }
    if (grow((void **)&c->err, &c->errcap, c->nerr + 1, sizeof *c->err) ||
        grow((void **)&c->body, &c->bodycap, c->nerr + 1, sizeof *c->body)) {
        c->oom = 1;
        goto drop;
    }
    c->err[c->nerr] = full;
    c->body[c->nerr++] = body;
    return;
drop:
    mem_free(full);
    mem_free(body);
}

static void verror_at(cfg *c, const char *file, int line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static void verror_at(cfg *c, const char *file, int line, const char *fmt, va_list ap)
{
    char *msg = vformat(fmt, ap);
    const char *m = msg ? msg : "";
    if (line > 0)
        add_error(c, format("%s:%d: %s%s", file, line, c->context, m), format("%s:%d: %s", file, line, m));
    else
        add_error(c, format("%s: %s%s", file, c->context, m), format("%s: %s", file, m));
    if (!msg)
        c->oom = 1;
    mem_free(msg);
}

static void error_at(cfg *c, const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void error_at(cfg *c, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror_at(c, file, line, fmt, ap);
    va_end(ap);
}

static void entry_error(cfg *c, const cfg_entry *e, const char *msg)
{
    if (!e) {
        error_at(c, "scenario", 0, "%s", msg);
    } else if (e->line > 0) {
        error_at(c, e->file, e->line, "%s.%s = %s: %s", e->section, e->key, e->value, msg);
    } else {
        /* from the command line: "--set section.key=value: message" */
        char *loc = format("%s %s.%s=%s", e->file, e->section, e->key, e->value);
        if (loc)
            error_at(c, loc, 0, "%s", msg);
        else
            c->oom = 1;
        mem_free(loc);
    }
}

void cfg_error(cfg *c, const cfg_entry *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    if (msg)
        entry_error(c, e, msg);
    else
        c->oom = 1;
    mem_free(msg);
}

void cfg_error_key(cfg *c, const char *section, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    if (!msg) {
        c->oom = 1;
        return;
    }
    const cfg_entry *e = cfg_find(c, section, key);
    if (e)
        entry_error(c, e, msg);
    else
        error_at(c, "scenario", 0, "%s.%s (default): %s", section, key, msg);
    mem_free(msg);
}

size_t cfg_nerrors(const cfg *c) { return c->nerr + c->dropped + (size_t)c->oom; }

size_t cfg_errors_seen(const cfg *c) { return c->seen + (size_t)c->oom; }

const char *cfg_error_text(const cfg *c, size_t i) { return i < c->nerr ? c->body[i] : NULL; }

void cfg_clear_errors(cfg *c)
{
    for (size_t i = 0; i < c->nerr; i++) {
        mem_free(c->err[i]);
        mem_free(c->body[i]);
    }
    c->nerr = 0;
    c->dropped = 0;
    if (c->reported) /* an unknown key is listed again after a clear */
        memset(c->reported, 0, c->n);
}

void cfg_print_errors(const cfg *c, FILE *f)
{
    for (size_t i = 0; i < c->nerr; i++)
        fprintf(f, "%s\n", c->err[i]);
    if (c->dropped)
        fprintf(f, "qsim: %zu more error%s not listed (only the first %d are)\n", c->dropped,
                c->dropped == 1 ? "" : "s", CFG_MAX_ERRORS);
    if (c->oom)
        fprintf(f, "qsim: out of memory while reading the scenario\n");
}

void cfg_set_context(cfg *c, const char *prefix)
{
    char *p = mem_strdup(prefix ? prefix : "");
    if (!p) {
        c->oom = 1;
        p = mem_strdup("");
        if (!p)
            return; /* the old prefix stays; the error is recorded */
    }
    mem_free(c->context);
    c->context = p;
}

static const char *intern(cfg *c, const char *path)
{
    for (size_t i = 0; i < c->nfiles; i++)
        if (strcmp(c->files[i], path) == 0)
            return c->files[i];
    char *p = mem_strdup(path);
    char **nf = p ? mem_realloc(c->files, (c->nfiles + 1) * sizeof *nf) : NULL;
    if (!nf) {
        mem_free(p);
        c->oom = 1;
        return "?";
    }
    c->files = nf;
    c->files[c->nfiles++] = p;
    return p;
}

static int append(cfg *c, const char *file, int line, const char *section, const char *key, const char *value)
{
    size_t aux = c->aux_cap;
    if (grow((void **)&c->e, &c->cap, c->n + 1, sizeof *c->e) || grow((void **)&c->next, &aux, c->n + 1, sizeof *c->next) ||
        grow((void **)&c->reported, &c->aux_cap, c->n + 1, sizeof *c->reported)) {
        c->oom = 1;
        return -1;
    }
    cfg_entry *e = &c->e[c->n];
    e->file = file;
    e->line = line;
    e->section = mem_strdup(section);
    e->key = mem_strdup(key);
    e->value = mem_strdup(value);
    e->used = 0;
    if (!e->section || !e->key || !e->value) {
        mem_free(e->section);
        mem_free(e->key);
        mem_free(e->value);
        c->oom = 1;
        return -1;
    }
    c->reported[c->n] = 0;
    c->n++;
    if (c->n > c->nbucket)
        index_rebuild(c, c->nbucket ? 2 * c->nbucket : 64);
    if (!c->nbucket) { /* no index at all: the entry could not be found, so it is not kept */
        c->n--;
        mem_free(e->section);
        mem_free(e->key);
        mem_free(e->value);
        c->oom = 1;
        return -1;
    }
    size_t b = bucket_of(c, section, key), i = c->n - 1;
    if (c->head[b] != i) { /* a rebuild has linked it already */
        c->next[i] = c->head[b];
        c->head[b] = i;
    }
    return 0;
}

size_t cfg_mark(const cfg *c) { return c->n; }

void cfg_truncate(cfg *c, size_t mark)
{
    while (c->n > mark) {
        cfg_entry *e = &c->e[--c->n];
        if (c->nbucket) /* the newest entry heads its bucket */
            c->head[bucket_of(c, e->section, e->key)] = c->next[c->n];
        mem_free(e->section);
        mem_free(e->key);
        mem_free(e->value);
    }
}

static void dir_of(const char *path, char *out, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, n, ".");
    else if (slash == path)
        snprintf(out, n, "/");
    else
        snprintf(out, n, "%.*s", (int)(slash - path), path);
}

static char *reader_next(char *str, int num, void *stream)
{
    reader *r = stream;
    if (r->pos >= r->len)
        return NULL;
    const char *s = r->buf + r->pos;
    const char *nl = memchr(s, '\n', r->len - r->pos);
    size_t len = nl ? (size_t)(nl - s) : r->len - r->pos;
    r->pos += len + (nl ? 1 : 0);
    r->line++;
    if (len && s[len - 1] == '\r')
        len--; /* CRLF */
    /* a byte the library would stop at (NUL) or take as a line end (lone CR) would cut the
     * line or the rest of the file silently: the line is an error and is not read */
    const char *nul = memchr(s, '\0', len), *cr = memchr(s, '\r', len);
    if (nul || cr) {
        if (nul)
            error_at(r->c, r->file, r->line, "line holds a NUL byte (at character %zu): is this a text file?",
                     (size_t)(nul - s) + 1);
        else
            error_at(r->c, r->file, r->line,
                     "line holds a carriage return (at character %zu) not followed by a line feed: "
                     "lines end with LF or CRLF, not CR alone", (size_t)(cr - s) + 1);
        str[0] = '\n';
        str[1] = '\0';
        return str;
    }
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    const char *t = s + i;
    size_t tl = len - i;
    int limit = num - 3; /* the library needs room for "\r\n\0" */
    const char *out = t;
    if (len > (size_t)limit) {
        error_at(r->c, r->file, r->line, "line is %zu characters long; the INI library reads at most %d: '%.*s...'",
                 len, limit, (int)(tl < 40 ? tl : 40), t);
        tl = 0;
    } else if (tl > 0 && t[0] != ';' && t[0] != '#') {
        if (t[0] == '[') {
            r->bad_section = !memchr(t, ']', tl);
            if (r->bad_section) {
                error_at(r->c, r->file, r->line, "section header without ']': %.*s", (int)tl, t);
                tl = 0;
            }
        } else if (!memchr(t, '=', tl) && !memchr(t, ':', tl)) {
            error_at(r->c, r->file, r->line, "expected 'key = value' or '[section]', got '%.*s'", (int)tl, t);
            tl = 0;
        }
    }
    memcpy(str, out, tl);
    str[tl] = '\n';
    str[tl + 1] = '\0';
    return str;
}

static int load_file(cfg *c, const char *path, const char *from_file, int from_line);

/* Why text (a section name, key or value) is refused, or NULL. Scenario text is UTF-8
 * without control characters other than tab: anything else would reach the reports changed
 * or unreadable. */
static const char *text_problem(const char *s, char *why, size_t n)
{
    size_t len = strlen(s), bad = utf8_check(s, len);
    if (bad < len) {
        snprintf(why, n, "is not UTF-8 text (byte 0x%02x at offset %zu)", (unsigned char)s[bad], bad);
        return why;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
            snprintf(why, n, "holds the control character 0x%02x (at offset %zu)", ch, i);
            return why;
        }
    }
    return NULL;
}

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
    reader *r = user;
    cfg *c = r->c;
    if (r->bad_section)
        return 1;
    char why[128];
    if (text_problem(section, why, sizeof why)) {
        error_at(c, r->file, r->line, "the section name %s", why);
        return 1;
    }
    if (text_problem(name, why, sizeof why)) {
        error_at(c, r->file, r->line, "the key %s", why);
        return 1;
    }
    if (text_problem(value, why, sizeof why)) {
        error_at(c, r->file, r->line, "%s%s%s: the value %s", section, section[0] ? "." : "", name, why);
        return 1;
    }
    if (strcmp(name, "include") == 0) {
        if (!value[0]) {
            error_at(c, r->file, r->line, "include = : needs the name of a file to read");
            return 1;
        }
        char dir[PATH_MAX], path[PATH_MAX * 2];
        dir_of(r->file, dir, sizeof dir);
        if (value[0] == '/')
            snprintf(path, sizeof path, "%s", value);
        else
            snprintf(path, sizeof path, "%s/%s", dir, value);
        load_file(c, path, r->file, r->line);
        return 1;
    }
    if (section[0] == '\0') {
        error_at(c, r->file, r->line, "%s = %s: key outside any section (put it under [section])", name, value);
        return 1;
    }
    size_t first = idxset_find(c, &r->keys, section, name, NONE);
    if (first != NONE) {
        error_at(c, r->file, r->line, "%s.%s is set twice in this file (first at line %d)", section, name,
                 c->e[first].line);
        return 1;
    }
    if (append(c, r->file, r->line, section, name, value) == 0)
        idxset_find(c, &r->keys, section, name, c->n - 1);
    return 1;
}

static int load_file(cfg *c, const char *path, const char *from_file, int from_line)
{
    char why[256], lim[32];
    char *buf = NULL;
    size_t len = 0;
    file_id id;
    const char *at = from_file ? from_file : path;
    char inc[PATH_MAX + 16] = "";
    if (from_file)
        snprintf(inc, sizeof inc, "include = %s: ", path);
    int rc = file_read(path, FILE_INI_MAX, "scenario files", &buf, &len, &id, why, sizeof why);
    if (rc == -ENOMEM)
        c->oom = 1;
    if (rc) {
        if (rc != -ENOMEM)
            error_at(c, at, from_line, "%s%s", inc, why);
        return -1;
    }
    for (int i = 0; i < c->depth; i++) {
        if (c->stack[i].dev == id.dev && c->stack[i].ino == id.ino) {
            mem_free(buf);
            error_at(c, at, from_line, "%sinclude cycle (the file is already being read)", inc);
            return -1;
        }
    }
    if (c->depth == CFG_MAX_DEPTH) {
        mem_free(buf);
        error_at(c, at, from_line, "%sincludes nested deeper than %d", inc, CFG_MAX_DEPTH);
        return -1;
    }
    /* a fragment included over and over (each file within its own limit) must not make
     * the loader read without end */
    if (len > CFG_TOTAL_MAX - c->total) {
        mem_free(buf);
        file_size_text(CFG_TOTAL_MAX, lim, sizeof lim);
        error_at(c, at, from_line, "%sthe scenario and its includes are larger than %s in total", inc, lim);
        c->total = CFG_TOTAL_MAX;
        return -1;
    }
    c->total += len;
    reader r = {.c = c, .file = intern(c, path), .buf = buf, .len = len};
    /* a UTF-8 byte-order mark, as some editors write it, is not part of the first line */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        r.pos = 3;
    c->stack[c->depth++] = id;
    int pr = ini_parse_stream(reader_next, &r, on_pair, &r);
    if (pr > 0)
        error_at(c, r.file, pr, "the INI library could not parse this line");
    c->depth--;
    idxset_free(&r.keys);
    mem_free(buf);
    return 0;
}

int cfg_load(cfg *c, const char *path)
{
    char dir[PATH_MAX];
    dir_of(path, dir, sizeof dir);
    char *d = mem_strdup(dir);
    if (d) {
        mem_free(c->base_dir);
        c->base_dir = d;
    } else
        c->oom = 1;
    return load_file(c, path, NULL, 0);
}

int cfg_add_arg(cfg *c, const char *origin, const char *arg)
{
    const char *eq = strchr(arg, '=');
    const char *dot = strchr(arg, '.');
    char why[128];
    size_t vlen = eq ? strlen(eq + 1) : 0;
    /* the key part, checked and echoed apart from the value: a bad byte is not printed */
    char *k0 = format("%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
    if (!k0) {
        c->oom = 1;
        return -1;
    }
    char *loc = format("%s %s", origin, k0);
    int bad = 1;
    if (!loc)
        c->oom = 1;
    else if (text_problem(k0, why, sizeof why))
        error_at(c, origin, 0, "the key %s", why);
    else if (eq && text_problem(eq + 1, why, sizeof why))
        error_at(c, loc, 0, "the value %s", why);
    else if (vlen > CFG_VALUE_MAX)
        error_at(c, loc, 0, "the value is %zu characters long; at most %d are read", vlen, CFG_VALUE_MAX);
    else if (!eq || !dot || dot > eq || dot == arg || dot + 1 == eq) {
        char *all = format("%s %s", origin, arg);
        if (all)
            error_at(c, all, 0, "expected section.key=value");
        else
            c->oom = 1;
        mem_free(all);
    } else
        bad = 0;
    mem_free(k0);
    mem_free(loc);
    if (bad)
        return -1;
    /* the key is after the last dot before '=' so that [node.n2] overrides work: node.n2.slow=3 */
    const char *kdot = dot;
    for (const char *p = dot; p < eq; p++)
        if (*p == '.')
            kdot = p;
    char *section = format("%.*s", (int)(kdot - arg), arg), *key = format("%.*s", (int)(eq - kdot - 1), kdot + 1);
    int rc = -1;
    if (section && key)
        rc = append(c, intern(c, origin), 0, section, key, eq + 1);
    else
        c->oom = 1;
    mem_free(section);
    mem_free(key);
    return rc;
}

void cfg_begin_pass(cfg *c)
{
    for (size_t i = 0; i < c->n; i++)
        c->e[i].used = 0;
    eff_clear(c);
}

const cfg_entry *cfg_find(const cfg *c, const char *section, const char *key)
{
    size_t i = index_find(c, section, key);
    return i == NONE ? NULL : &c->e[i];
}

static void record_eff(cfg *c, const char *section, const char *key, const char *text)
{
    if (grow((void **)&c->eff, &c->effcap, c->neff + 1, sizeof *c->eff)) {
        c->oom = 1;
        return;
    }
    eff *f = &c->eff[c->neff];
    f->section = mem_strdup(section);
    f->key = mem_strdup(key);
    f->text = mem_strdup(text);
    if (!f->section || !f->key || !f->text) {
        mem_free(f->section);
        mem_free(f->key);
        mem_free(f->text);
        c->oom = 1;
        return;
    }
    c->neff++;
}

size_t cfg_effective_count(const cfg *c) { return c->neff; }

void cfg_effective_set(cfg *c, const char *section, const char *key, const char *text)
{
    for (size_t i = 0; i < c->neff; i++) {
        eff *f = &c->eff[i];
        if (strcmp(f->section, section) != 0 || strcmp(f->key, key) != 0)
            continue;
        char *t = mem_strdup(text);
        if (!t) {
            c->oom = 1;
            return;
        }
        mem_free(f->text);
        f->text = t;
        return;
    }
}

void cfg_effective_get(const cfg *c, size_t i, const char **section, const char **key, const char **text)
{
    *section = c->eff[i].section;
    *key = c->eff[i].key;
    *text = c->eff[i].text;
}

const char *cfg_base_dir(const cfg *c) { return c->base_dir; }

void cfg_entry_dir(const cfg *c, const cfg_entry *e, char *dir, size_t n)
{
    if (e->line > 0)
        dir_of(e->file, dir, n);
    else
        snprintf(dir, n, "%s", c->base_dir);
}

static int enum_index(const char *choices, const char *text)
{
    size_t tl = strlen(text);
    int idx = 0;
    for (const char *p = choices;; idx++) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l == tl && strncmp(p, text, l) == 0)
            return idx;
        if (!bar)
            return -1;
        p = bar + 1;
    }
}

static void fmt_num(double v, const cfg_key *k, char *buf, size_t n)
{
    if (k->type == CFG_DURATION)
        units_format_duration((int64_t)v, buf, n);
    else if (k->type == CFG_RATE)
        snprintf(buf, n, "%.10g/s", v);
    else if (k->type == CFG_INT)
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.10g", v);
}

static int range_ok(const cfg_key *k, double v, char *err, size_t n)
{
    if (k->min > k->max)
        return 1;
    char lo[64], hi[64];
    fmt_num(k->min, k, lo, sizeof lo);
    fmt_num(k->max, k, hi, sizeof hi);
    if (v < k->min || v > k->max) {
        snprintf(err, n, "out of range: must be between %s and %s", lo, hi);
        return 0;
    }
    return 1;
}

/* Parses text for key k into base; returns 0 or -1 with err. dir resolves file names. */
static int parse_value(const cfg_key *k, const char *text, const char *dir, void *base, char *err, size_t n)
{
    char *dst = (char *)base + k->off;
    switch (k->type) {
    case CFG_INT: {
        int64_t v;
        if (units_parse_int(text, &v)) {
            snprintf(err, n, "not an integer");
            return -1;
        }
        if (!range_ok(k, (double)v, err, n))
            return -1;
        memcpy(dst, &v, sizeof v);
        return 0;
    }
    case CFG_NUM: {
        double v;
        if (units_parse_double(text, &v)) {
            snprintf(err, n, "not a number");
            return -1;
        }
        if (!range_ok(k, v, err, n))
            return -1;
        memcpy(dst, &v, sizeof v);
        return 0;
    }
    case CFG_DURATION: {
        int64_t v;
        if (units_parse_duration(text, &v, err, n))
            return -1;
        if (!range_ok(k, (double)v, err, n))
            return -1;
        memcpy(dst, &v, sizeof v);
        return 0;
    }
    case CFG_RATE: {
        double v;
        if (units_parse_rate(text, &v, err, n))
            return -1;
        if (!range_ok(k, v, err, n))
            return -1;
        memcpy(dst, &v, sizeof v);
        return 0;
    }
    case CFG_DIST: {
        dist *d = NULL;
        if (!text[0] && k->def[0]) {
            snprintf(err, n, "must not be empty: give a distribution such as exp(1ms)");
            return -1;
        }
        if (text[0] && dist_parse(text, dir, &d, err, n) < 0)
            return -1;
        dist *old;
        memcpy(&old, dst, sizeof old);
        dist_destroy(old);
        memcpy(dst, &d, sizeof d);
        return 0;
    }
    case CFG_ENUM: {
        int v = enum_index(k->choices, text);
        if (v < 0) {
            char list[256];
            snprintf(list, sizeof list, "%s", k->choices);
            for (char *p = list; *p; p++)
                if (*p == '|')
                    *p = '/';
            snprintf(err, n, "must be one of %s", list);
            return -1;
        }
        memcpy(dst, &v, sizeof v);
        return 0;
    }
    case CFG_STR: {
        char *s = mem_strdup(text), *old;
        if (!s) {
            snprintf(err, n, "out of memory");
            return -1;
        }
        memcpy(&old, dst, sizeof old);
        mem_free(old);
        memcpy(dst, &s, sizeof s);
        return 0;
    }
    case CFG_CUSTOM:
        return k->parse(text, dst, err, n) ? -1 : 0;
    case CFG_LIST:
        return 0;
    }
    return -1;
}

uint64_t cfg_bind(cfg *c, const cfg_table *t, const char *name, void *base, int with_defaults)
{
    uint64_t mask = 0;
    for (size_t i = 0; i < t->n; i++) {
        const cfg_key *k = &t->keys[i];
        if (k->type == CFG_LIST)
            continue;
        cfg_entry *e = NULL;
        for (size_t j = index_find(c, name, k->name); j != NONE; j = c->next[j]) {
            if (same_pair(&c->e[j], name, k->name)) {
                if (!e)
                    e = &c->e[j];
                c->e[j].used = 1; /* earlier, overridden entries are known keys too */
            }
        }
        char err[512] = "";
        if (e) {
            char dir[PATH_MAX];
            cfg_entry_dir(c, e, dir, sizeof dir);
            if (parse_value(k, e->value, dir, base, err, sizeof err)) {
                cfg_error(c, e, "%s", err);
                /* keep checking the rest against the default, not against garbage */
                if (with_defaults)
                    parse_value(k, k->def, c->base_dir, base, err, sizeof err);
            } else
                mask |= UINT64_C(1) << i;
            record_eff(c, name, k->name, e->value);
        } else if (with_defaults) {
            if (parse_value(k, k->def, c->base_dir, base, err, sizeof err))
                error_at(c, "qsim", 0, "internal: default %s.%s = %s: %s", name, k->name, k->def, err);
            record_eff(c, name, k->name, k->def);
        }
    }
    return mask;
}

void cfg_each(cfg *c, const char *section, void (*fn)(void *ctx, cfg_entry *e), void *ctx)
{
    for (size_t i = 0; i < c->n; i++) {
        cfg_entry *e = &c->e[i];
        if (strcmp(e->section, section) != 0)
            continue;
        /* a later file may redefine an entry of the same name: the last one counts */
        const cfg_entry *last = cfg_find(c, e->section, e->key);
        e->used = 1;
        if (last == e) {
            fn(ctx, e);
            record_eff(c, e->section, e->key, e->value);
        }
    }
}

void cfg_each_subsection(cfg *c, const char *prefix, void (*fn)(void *ctx, const char *name, const cfg_entry *first), void *ctx)
{
    size_t pl = strlen(prefix);
    idxset seen = {0};
    for (size_t i = 0; i < c->n; i++) {
        const char *s = c->e[i].section;
        if (strncmp(s, prefix, pl) != 0 || s[pl] != '.' || s[pl + 1] == '\0')
            continue;
        int oom = c->oom;
        if (idxset_find(c, &seen, s, NULL, i) == NONE && c->oom == oom)
            fn(ctx, s + pl + 1, &c->e[i]);
    }
    idxset_free(&seen);
}

/* Levenshtein distance between a and b, or max + 1 as soon as it is known to exceed max
 * (a suggestion further away is never shown, so it need not be computed). */
static size_t edit_distance(const char *a, const char *b, size_t max)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63 || (la > lb ? la - lb : lb - la) > max)
        return max + 1;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0], low = i;
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
            if (best < low)
                low = best;
        }
        if (low > max) /* every later row is at least this row's minimum */
            return max + 1;
    }
    return row[lb] <= max ? row[lb] : max + 1;
}

static const cfg_table *table_for(const char *section, const cfg_table *const *tables, size_t nt, int *is_list)
{
    for (size_t i = 0; i < nt; i++) {
        const char *ts = tables[i]->keys[0].section;
        size_t tl = strlen(ts);
        int match = strcmp(section, ts) == 0 ||
                    (tables[i]->pattern && strncmp(section, ts, tl) == 0 && section[tl] == '.' && section[tl + 1]);
        if (match) {
            *is_list = tables[i]->keys[0].type == CFG_LIST;
            return tables[i];
        }
    }
    return NULL;
}

void cfg_check_unused(cfg *c, const cfg_table *const *tables, size_t nt)
{
    for (size_t i = 0; i < c->n; i++) {
        cfg_entry *e = &c->e[i];
        if (e->used)
            continue;
        c->seen++; /* met again in every configuration, listed once */
        if (c->reported[i])
            continue;
        c->reported[i] = 1; /* an entry of the file is the same mistake in every configuration */
        if (c->nerr >= CFG_MAX_ERRORS) {
            c->dropped++; /* not listed: spare the suggestion's cost */
            continue;
        }
        int is_list = 0;
        const cfg_table *t = table_for(e->section, tables, nt, &is_list);
        char full[300], best[300] = "";
        size_t bestd = 99;
        snprintf(full, sizeof full, "%s.%s", t ? t->keys[0].section : e->section, e->key);
        size_t fl = strlen(full), far = fl / 3 > 2 ? fl / 3 : 2; /* a suggestion is at most this far */
        for (size_t ti = 0; ti < nt; ti++) {
            for (size_t k = 0; k < tables[ti]->n; k++) {
                const cfg_key *key = &tables[ti]->keys[k];
                if (key->type == CFG_LIST)
                    continue;
                char cand[300];
                snprintf(cand, sizeof cand, "%s.%s", key->section, key->name);
                size_t d = edit_distance(full, cand, far);
                if (d <= far && d < bestd) {
                    bestd = d;
                    snprintf(best, sizeof best, "%s", cand);
                }
            }
        }
        int close = bestd <= far;
        if (!t) {
            /* unknown section: suggest the nearest section name */
            char bests[128] = "";
            size_t bd = 99;
            for (size_t ti = 0; ti < nt; ti++) {
                size_t d = edit_distance(e->section, tables[ti]->keys[0].section, 2);
                if (d <= 2 && d < bd) {
                    bd = d;
                    snprintf(bests, sizeof bests, "%s", tables[ti]->keys[0].section);
                }
            }
            if (bd <= 2)
                cfg_error(c, e, "unknown section [%s] (did you mean [%s]?)", e->section, bests);
            else
                cfg_error(c, e, "unknown section [%s] (see qsim --keys)", e->section);
        } else if (close) {
            cfg_error(c, e, "unknown key (did you mean %s?)", best);
        } else {
            cfg_error(c, e, "unknown key (see qsim --keys)");
        }
    }
}

void cfg_release(const cfg_table *t, void *base)
{
    for (size_t i = 0; i < t->n; i++) {
        const cfg_key *k = &t->keys[i];
        char *dst = (char *)base + k->off;
        if (k->type == CFG_DIST) {
            dist *d;
            memcpy(&d, dst, sizeof d);
            dist_destroy(d);
            d = NULL;
            memcpy(dst, &d, sizeof d);
        } else if (k->type == CFG_STR) {
            char *s;
            memcpy(&s, dst, sizeof s);
            mem_free(s);
            s = NULL;
            memcpy(dst, &s, sizeof s);
        }
    }
}

static const char *type_name(const cfg_key *k)
{
    switch (k->type) {
    case CFG_INT: return "integer";
    case CFG_NUM: return "number";
    case CFG_DURATION: return "duration";
    case CFG_RATE: return "rate";
    case CFG_DIST: return "distribution";
    case CFG_ENUM: return "choice";
    case CFG_STR: return "text";
    case CFG_CUSTOM: return "value";
    case CFG_LIST: return "entries";
    }
    return "?";
}

void cfg_print_keys(FILE *f, const cfg_table *const *tables, size_t nt)
{
    for (size_t ti = 0; ti < nt; ti++) {
        const cfg_table *t = tables[ti];
        if (t->pattern)
            fprintf(f, "[%s]  (and [%s.NAME]: the same keys for one entity)\n", t->keys[0].section, t->keys[0].section);
        else
            fprintf(f, "[%s]\n", t->keys[0].section);
        for (size_t i = 0; i < t->n; i++) {
            const cfg_key *k = &t->keys[i];
            char range[160] = "";
            if (k->type == CFG_ENUM || (k->type == CFG_CUSTOM && k->choices))
                snprintf(range, sizeof range, "  {%s}", k->choices);
            else if (k->min <= k->max && k->type != CFG_LIST) {
                char lo[64], hi[64];
                fmt_num(k->min, k, lo, sizeof lo);
                fmt_num(k->max, k, hi, sizeof hi);
                snprintf(range, sizeof range, "  [%s .. %s]", lo, hi);
            }
            if (k->type == CFG_LIST)
                fprintf(f, "  %-18s %s\n", "NAME = ...", k->doc);
            else
                fprintf(f, "  %-18s %s%s, default '%s'\n  %-18s %s\n", k->name, type_name(k), range, k->def, "", k->doc);
        }
        fprintf(f, "\n");
    }
}
