/* units: parsing and printing of durations, rates and plain numbers; see units.h.
 * The scenario language's value syntax (docs/design.md section 2). Durations are parsed as
 * exact decimals (mantissa and power of ten), never through double, so "0.1ms" is 100000. */
#include "sim/units.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_LIST "(ns, us, ms, s)"
#define MANT_MAX ((UINT64_MAX - 9) / 10) /* largest mantissa that can take one more digit */

/* A decimal number as mant * 10^exp10. round_digit is the first digit dropped because the
 * mantissa was full (-1 if none); it only ever lies in the fraction. */
typedef struct decimal {
    uint64_t mant;
    long exp10;
    int neg;
    int round_digit;
} decimal;

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

static const char *skip_blanks(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* Parses [+-] digits [. digits] [e [+-] digits] at p; returns the end, or NULL if there
 * is no digit in the mantissa. */
static const char *scan_decimal(const char *p, decimal *d)
{
    int digits = 0;
    *d = (decimal){0, 0, 0, -1};
    if (*p == '+' || *p == '-')
        d->neg = *p++ == '-';
    for (int frac = 0;; p++) {
        if (*p == '.' && !frac) {
            frac = 1;
            continue;
        }
        if (!isdigit((unsigned char)*p))
            break;
        digits++;
        int dig = *p - '0';
        if (d->mant <= MANT_MAX) {
            d->mant = d->mant * 10 + (uint64_t)dig;
            if (frac)
                d->exp10--;
        } else if (!frac) {
            d->exp10++;
        } else if (d->round_digit < 0) {
            d->round_digit = dig;
        }
    }
    if (!digits)
        return NULL;
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1;
        int eneg = 0;
        if (*q == '+' || *q == '-')
            eneg = *q++ == '-';
        if (isdigit((unsigned char)*q)) {
            long e = 0;
            for (; isdigit((unsigned char)*q); q++)
                if (e < 100000)
                    e = e * 10 + (*q - '0');
            d->exp10 += eneg ? -e : e;
            p = q;
        }
    }
    return p;
}

/* mant * 10^e rounded to the nearest integer (halves away from zero) into *out, as a
 * magnitude; -1 if it exceeds limit. */
static int scale_round(const decimal *d, long e, uint64_t limit, uint64_t *out)
{
    uint64_t v = d->mant;
    if (v == 0) {
        *out = 0;
        return 0;
    }
    if (e >= 0) {
        for (long i = 0; i < e; i++) {
            if (v > limit / 10)
                return -1;
            v *= 10;
        }
        /* A dropped digit can only survive to here when e == 0 (a full mantissa times
         * any power of ten overflows): it is then the first digit after the point. */
        if (e == 0 && d->round_digit >= 5)
            v++;
    } else {
        if (e < -19) {
            *out = 0; /* mant < 2e19, so the value is below 0.2 */
            return 0;
        }
        uint64_t pow = 1;
        for (long i = 0; i < -e; i++)
            pow *= 10;
        uint64_t rem = v % pow;
        v /= pow;
        if (rem >= pow - rem)
            v++;
    }
    if (v > limit)
        return -1;
    *out = v;
    return 0;
}

int units_parse_duration(const char *s, int64_t *ns, char *err, size_t errlen)
{
    static const struct {
        const char *name;
        long pow10;
    } units[] = {{"ns", 0}, {"us", 3}, {"ms", 6}, {"s", 9}};
    decimal d;
    const char *p = skip_blanks(s);
    if (!*p) {
        set_err(err, errlen, "empty duration");
        return -1;
    }
    p = scan_decimal(p, &d);
    if (!p) {
        set_err(err, errlen, "not a number");
        return -1;
    }
    p = skip_blanks(p);
    const char *u = p;
    while (isalpha((unsigned char)*p))
        p++;
    size_t ulen = (size_t)(p - u);
    if (*skip_blanks(p)) {
        set_err(err, errlen, "unexpected text after the duration");
        return -1;
    }
    long pow10 = -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == ulen && strncmp(u, units[i].name, ulen) == 0)
            pow10 = units[i].pow10;
    if (ulen == 0 && d.mant == 0)
        pow10 = 0; /* a plain zero needs no unit */
    if (pow10 < 0) {
        if (ulen == 0) {
            set_err(err, errlen, "missing unit " UNIT_LIST);
        } else {
            char msg[96];
            snprintf(msg, sizeof msg, "unknown unit '%.*s' " UNIT_LIST, (int)(ulen > 16 ? 16 : ulen), u);
            set_err(err, errlen, msg);
        }
        return -1;
    }
    uint64_t mag, limit = (uint64_t)INT64_MAX + (d.neg ? 1 : 0);
    if (scale_round(&d, d.exp10 + pow10, limit, &mag) < 0) {
        set_err(err, errlen, "out of range");
        return -1;
    }
    if (!d.neg)
        *ns = (int64_t)mag;
    else
        *ns = mag > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)mag;
    return 0;
}

int units_parse_rate(const char *s, double *per_s, char *err, size_t errlen)
{
    static const struct {
        const char *name;
        double per_s;
    } units[] = {{"ns", 1e9}, {"us", 1e6}, {"ms", 1e3}, {"s", 1.0}};
    const char *slash = strchr(s, '/');
    if (!slash) {
        set_err(err, errlen, "missing '/unit' (e.g. 2000/s)");
        return -1;
    }
    char num[64];
    size_t nlen = (size_t)(slash - s);
    if (nlen >= sizeof num) {
        set_err(err, errlen, "not a number");
        return -1;
    }
    memcpy(num, s, nlen);
    num[nlen] = '\0';
    double v;
    if (units_parse_double(num, &v) < 0) {
        set_err(err, errlen, "not a number");
        return -1;
    }
    const char *u = skip_blanks(slash + 1);
    size_t ulen = 0;
    while (isalpha((unsigned char)u[ulen]))
        ulen++;
    if (*skip_blanks(u + ulen)) {
        set_err(err, errlen, "unexpected text after the rate");
        return -1;
    }
    double mult = 0.0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == ulen && strncmp(u, units[i].name, ulen) == 0)
            mult = units[i].per_s;
    if (mult == 0.0) {
        char msg[96];
        if (ulen)
            snprintf(msg, sizeof msg, "unknown unit '%.*s' " UNIT_LIST, (int)(ulen > 16 ? 16 : ulen), u);
        else
            snprintf(msg, sizeof msg, "missing unit after '/' " UNIT_LIST);
        set_err(err, errlen, msg);
        return -1;
    }
    v *= mult;
    if (!(v > 0.0) || !isfinite(v)) {
        set_err(err, errlen, "rate must be > 0 and finite");
        return -1;
    }
    *per_s = v;
    return 0;
}

int units_parse_double(const char *s, double *out)
{
    const char *p = skip_blanks(s);
    char *end;
    if (!*p)
        return -1;
    double v = strtod(p, &end);
    if (end == p || *skip_blanks(end) || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int units_parse_int(const char *s, int64_t *out)
{
    const char *p = skip_blanks(s);
    char *end;
    if (!*p)
        return -1;
    errno = 0;
    long long v = strtoll(p, &end, 10);
    if (end == p || *skip_blanks(end) || errno == ERANGE)
        return -1;
    *out = (int64_t)v;
    return 0;
}

char *units_format_duration(int64_t ns, char *buf, size_t n)
{
    static const struct {
        const char *name;
        uint64_t size;
    } units[] = {{"s", 1000000000}, {"ms", 1000000}, {"us", 1000}, {"ns", 1}};
    if (n == 0)
        return buf;
    uint64_t mag = ns < 0 ? 0 - (uint64_t)ns : (uint64_t)ns;
    const char *sign = ns < 0 ? "-" : "";
    if (mag == 0) {
        snprintf(buf, n, "0ns");
        return buf;
    }
    /* The largest unit the value reaches that leaves at most three decimals. */
    size_t i = 0;
    while (units[i].size > 1 && (mag < units[i].size || mag % (units[i].size / 1000) != 0))
        i++;
    uint64_t size = units[i].size;
    uint64_t whole = mag / size;
    if (size == 1 || mag % size == 0) {
        snprintf(buf, n, "%s%llu%s", sign, (unsigned long long)whole, units[i].name);
        return buf;
    }
    unsigned milli = (unsigned)(mag % size / (size / 1000));
    int decimals = 3;
    while (milli % 10 == 0) {
        milli /= 10;
        decimals--;
    }
    snprintf(buf, n, "%s%llu.%0*u%s", sign, (unsigned long long)whole, decimals, milli, units[i].name);
    return buf;
}

char *units_format_latency(int64_t ns, char *buf, size_t n)
{
    if (ns < 1000)
        snprintf(buf, n, "%lldns", (long long)ns);
    else if (ns < 1000000)
        snprintf(buf, n, "%.1fus", (double)ns / 1e3);
    else if (ns < 1000000000)
        snprintf(buf, n, "%.2fms", (double)ns / 1e6);
    else
        snprintf(buf, n, "%.3fs", (double)ns / 1e9);
    return buf;
}
