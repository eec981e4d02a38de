/* cfg: the scenario language's loader, driven by key tables (docs/design.md sections 1 and 6).
 * Each module declares the INI keys it owns in one cfg_key table; parsing, defaults, range
 * checks, unknown-key errors with a "did you mean", the effective configuration and
 * `qsim --keys` all come from those tables. This file knows nothing of quorums.
 *
 * INI facts (Debian's libinih 55): the handler gets no line number, so lines are fed
 * through an ini_parse_stream reader that counts them; the reader also reports lines too
 * long for the library (it would split them), lines that are neither "[section]" nor
 * "key = value", and strips indentation so no line is ever taken as a continuation.
 * No byte is dropped silently: files are read whole through file_read (regular files,
 * FILE_INI_MAX bytes each, CFG_TOTAL_MAX for a scenario with its includes); lines end with
 * LF or CRLF, a UTF-8 byte-order mark at the start is skipped, a line holding a NUL or a
 * lone CR is an error; section names, keys and values must be UTF-8 without control
 * characters but tab (comments are not checked). Lookups go through a hash index, so
 * loading and binding take time linear in the entries.
 * A key set twice in one file is an error; a later file (an include read later, or
 * --set) overrides an earlier one. `include = PATH` (any section) reads PATH, relative to
 * the including file, at that point; a cycle is an error. At most 100 errors are kept
 * (more are counted). */
#ifndef QSIM_CFG_H
#define QSIM_CFG_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest value read from the command line, in bytes (a line of a file is shorter: the INI
 * library reads at most 197 characters of a line). Longer is an error, never a cut. */
#define CFG_VALUE_MAX 500

typedef enum cfg_type {
    CFG_INT,      /* int64_t; range min..max */
    CFG_NUM,      /* double; range min..max */
    CFG_DURATION, /* int64_t ns, text with unit; range min..max in ns */
    CFG_RATE,     /* double per second, "2000/s"; range min..max */
    CFG_DIST,     /* dist * (owned by the target; see cfg_release); "" = none (NULL), allowed
                   * only for keys whose default is "" */
    CFG_ENUM,     /* int: index in choices "a|b|c" */
    CFG_STR,      /* char * (owned by the target) */
    CFG_CUSTOM,   /* parse() writes the target */
    CFG_LIST,     /* name "*": every key of the section is an entry, read by the owner */
} cfg_type;

struct cfg;
typedef int (*cfg_parse_fn)(const char *text, void *dst, char *err, size_t errlen);

typedef struct cfg_key {
    const char *section; /* "quorum"; "node" with pattern=1 also matches [node.NAME] */
    const char *name;
    cfg_type type;
    const char *def;     /* default as a user would write it ("" = unset) */
    double min, max;     /* numeric range (durations in ns); min > max means no check */
    const char *choices; /* CFG_ENUM: "client|any|owner"; others: allowed-words hint */
    size_t off;          /* offsetof(target struct, field) */
    cfg_parse_fn parse;  /* CFG_CUSTOM */
    const char *doc;     /* one line for qsim --keys */
} cfg_key;

typedef struct cfg_table {
    const cfg_key *keys;
    size_t n;
    int pattern; /* 1: the section also exists as [section.NAME] (per-entity overrides) */
} cfg_table;

/* One "key = value" as read, in reading order. */
typedef struct cfg_entry {
    const char *file; /* path as opened, or "--set" / "--sweep" */
    int line;         /* 1-based; 0 for the command line */
    char *section, *key, *value;
    int used;
} cfg_entry;

typedef struct cfg cfg;

int cfg_create(cfg **out);
void cfg_destroy(cfg *c);

/* Reads a scenario file (and its includes), appending entries; errors are collected.
 * Returns 0 if the file itself could be opened (check cfg_nerrors for the rest). */
int cfg_load(cfg *c, const char *path);
/* Appends an entry from the command line: "section.key=value". Returns 0, or -1 with an
 * error recorded when the text is not of that form, is not UTF-8 text without control
 * characters (tab allowed), or its value is longer than CFG_VALUE_MAX characters. origin
 * is "--set", "--sweep" or "--seed". */
int cfg_add_arg(cfg *c, const char *origin, const char *arg);
/* Number of entries; entries past a mark can be dropped (for per-configuration overrides). */
size_t cfg_mark(const cfg *c);
void cfg_truncate(cfg *c, size_t mark);
/* Clears the used flags and the effective-value record before a new binding pass. */
void cfg_begin_pass(cfg *c);

/* Binds every key of table t into base: the last entry for [name].key (marked used), or
 * with with_defaults the key's default. Records the effective text. Errors (bad value,
 * out of range) are collected with file:line. name is the section as written ("node",
 * or "node.n2" for a pattern table). Returns a mask of the keys set by entries
 * (bit i = t->keys[i]; tables have at most 64 keys). */
uint64_t cfg_bind(cfg *c, const cfg_table *t, const char *name, void *base, int with_defaults);
/* Calls fn for each entry of a CFG_LIST section, marking it used. */
void cfg_each(cfg *c, const char *section, void (*fn)(void *ctx, cfg_entry *e), void *ctx);
/* Distinct names NAME of sections written [prefix.NAME], in reading order; fn per name. */
void cfg_each_subsection(cfg *c, const char *prefix, void (*fn)(void *ctx, const char *name, const cfg_entry *first), void *ctx);
/* Reports every entry not used by a binding: unknown section or key, with a suggestion
 * drawn from tables. Call after all binds of a pass. */
void cfg_check_unused(cfg *c, const cfg_table *const *tables, size_t ntables);

/* The entry that set section.key last (NULL if defaulted): for cross-key errors. */
const cfg_entry *cfg_find(const cfg *c, const char *section, const char *key);
/* Records an error "file:line: section.key = value: message" (entry may be NULL:
 * then "scenario: message"; when set by the command line: "--set section.key=value: message"). */
void cfg_error(cfg *c, const cfg_entry *e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same as cfg_error with the entry looked up by section.key. */
void cfg_error_key(cfg *c, const char *section, const char *key, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
size_t cfg_nerrors(const cfg *c);
/* How many errors were met, each time one was met: an error already listed (or past the
 * limit) counts again, and so does an unknown key met again by a later binding pass. Grows
 * whenever a step finds an error, so a caller can tell whether a step failed. */
size_t cfg_errors_seen(const cfg *c);
/* The i-th listed error without its context prefix ("file:line: message"), or NULL when
 * fewer are listed. */
const char *cfg_error_text(const cfg *c, size_t i);
/* Forgets the listed errors (an out-of-memory stays; cfg_errors_seen keeps growing), so that
 * a step's errors can be read apart from the others'. */
void cfg_clear_errors(cfg *c);
/* Writes each distinct error on its own line. */
void cfg_print_errors(const cfg *c, FILE *f);
/* Prefix for errors recorded from now on ("" to clear), e.g. "with quorum.r=3: ". */
void cfg_set_context(cfg *c, const char *prefix);

/* Effective configuration of the last pass, in binding order: (section, key, text). */
size_t cfg_effective_count(const cfg *c);
/* Replaces the recorded text of section.key, for a value a module derived from other keys
 * (a default that follows them). No effect when the key was not bound in this pass. */
void cfg_effective_set(cfg *c, const char *section, const char *key, const char *text);
void cfg_effective_get(const cfg *c, size_t i, const char **section, const char **key, const char **text);

/* Directory of the top-level scenario file (for resolving relative paths in values). */
const char *cfg_base_dir(const cfg *c);
/* Directory that relative paths in entry e resolve against: its file's directory, or the
 * top-level file's for command-line entries. */
void cfg_entry_dir(const cfg *c, const cfg_entry *e, char *dir, size_t n);
/* Releases what a binding allocated in base (dists, strings) for keys of that table. */
void cfg_release(const cfg_table *t, void *base);
/* Writes the key reference (qsim --keys) for the tables. */
void cfg_print_keys(FILE *f, const cfg_table *const *tables, size_t ntables);
#endif
