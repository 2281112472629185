/*
 * quantity.c — Kubernetes resource quantities and Go durations, parsed exactly.
 *
 * Every value is carried as a decimal digit string times a power of ten times a
 * small multiplier (2^10k for binary suffixes, 60/3600 for minutes and hours),
 * and reduced to an int64 with integer arithmetic only, rounding up.
 */
#include "glc.h"

#include <inttypes.h>
#include <string.h>

#define TOO_LARGE "value too large"
#define EXP_LIMIT INT64_C(1000000000000) /* exponents saturate here */

/* A non-negative decimal number as written: integer digits and fraction digits. */
struct dec {
    const char *ip;
    size_t il;
    const char *fp;
    size_t fl;
};

static int fail(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -1;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int dec_digit(const struct dec *d, size_t i)
{
    return i < d->il ? d->ip[i] - '0' : d->fp[i - d->il] - '0';
}

/* digits [ "." digits ]; at least one digit in all. Returns the end or NULL. */
static const char *parse_dec(const char *s, struct dec *d)
{
    d->ip = s;
    while (is_digit(*s))
        s++;
    d->il = (size_t)(s - d->ip);
    d->fp = s;
    d->fl = 0;
    if (*s == '.') {
        d->fp = ++s;
        while (is_digit(*s))
            s++;
        d->fl = (size_t)(s - d->fp);
    }
    return d->il + d->fl > 0 ? s : NULL;
}

static bool mul_u64(uint64_t a, uint64_t b, uint64_t *r)
{
    if (a != 0 && b > UINT64_MAX / a)
        return false;
    *r = a * b;
    return true;
}

/* Digits [from, to) of d as an integer; the caller keeps the count <= 19. */
static uint64_t dec_range(const struct dec *d, size_t from, size_t to)
{
    uint64_t v = 0;
    for (size_t i = from; i < to; i++)
        v = v * 10 + (uint64_t)dec_digit(d, i);
    return v;
}

/* ceil(mult * 0.[zeros x lead][digits from..to)) with mult <= 2^60. */
static uint64_t frac_ceil(const struct dec *d, size_t from, size_t to, size_t lead,
                          uint64_t mult)
{
    uint64_t x = 0;
    bool rem = false;
    for (size_t i = to; i > from; i--) {
        uint64_t v = (uint64_t)dec_digit(d, i - 1) * mult + x;
        rem |= v % 10 != 0;
        x = v / 10;
    }
    for (size_t i = 0; i < lead && x != 0; i++) {
        rem |= x % 10 != 0;
        x /= 10;
    }
    return x + (rem ? 1 : 0);
}

static bool fits(uint64_t v, int64_t *out)
{
    if (v > (uint64_t)INT64_MAX)
        return false;
    *out = (int64_t)v;
    return true;
}

/* Significant digits [s, t] of N * 10^e, or false when N is zero. */
static bool dec_trim(const struct dec *d, size_t *s, size_t *t, int64_t *e)
{
    size_t len = d->il + d->fl;
    size_t a = 0, b = len;
    while (a < len && dec_digit(d, a) == 0)
        a++;
    if (a == len)
        return false;
    while (dec_digit(d, b - 1) == 0)
        b--;
    *s = a;
    *t = b;
    *e = (int64_t)(len - b) - (int64_t)d->fl;
    return true;
}

/* ceil(d * 10^e10 * mult) into *out; false on int64 overflow. */
static bool dec_scale(const struct dec *d, int64_t e10, uint64_t mult, int64_t *out)
{
    size_t s, t;
    int64_t e;
    if (!dec_trim(d, &s, &t, &e)) {
        *out = 0;
        return true;
    }
    e += e10;
    int64_t n = (int64_t)(t - s);
    uint64_t v;
    if (e >= 0) {
        if (n + e > 19)
            return false;
        v = dec_range(d, s, t);
        for (int64_t i = 0; i < e; i++)
            if (!mul_u64(v, 10, &v))
                return false;
        return mul_u64(v, mult, &v) && fits(v, out);
    }
    int64_t k = -e; /* digits after the point, the last one nonzero */
    size_t split = k < n ? t - (size_t)k : s;
    if ((int64_t)(split - s) > 19)
        return false;
    uint64_t lead = k > n ? (uint64_t)(k - n) : 0;
    if (!mul_u64(dec_range(d, s, split), mult, &v))
        return false;
    uint64_t f = frac_ceil(d, split, t, lead > SIZE_MAX ? SIZE_MAX : (size_t)lead, mult);
    return v <= UINT64_MAX - f && fits(v + f, out);
}

/* ------------------------------------------------------------ quantities */

struct suffix {
    const char *text;
    int pow10;
    int pow1024;
};

static const struct suffix suffixes[] = {
    {"", 0, 0},   {"n", -9, 0}, {"u", -6, 0}, {"m", -3, 0}, {"k", 3, 0},
    {"M", 6, 0},  {"G", 9, 0},  {"T", 12, 0}, {"P", 15, 0}, {"E", 18, 0},
    {"Ki", 0, 1}, {"Mi", 0, 2}, {"Gi", 0, 3}, {"Ti", 0, 4}, {"Pi", 0, 5},
    {"Ei", 0, 6},
};

/* Common misspellings, each with a ready-made (static) reason. */
struct typo {
    const char *text;
    const char *why;
};

#define TYPO_DEC(t, dec, bin) \
    {t, "invalid suffix '" t "' (did you mean '" dec "' or '" bin "'?)"}
#define TYPO_BIN(t, bin) {t, "invalid suffix '" t "' (did you mean '" bin "'?)"}
#define TYPOS(U, L, DEC)                                                     \
    TYPO_DEC(U "b", DEC, U "i"), TYPO_DEC(U "B", DEC, U "i"),                \
        TYPO_DEC(L "b", DEC, U "i"), TYPO_DEC(L "B", DEC, U "i"),            \
        TYPO_BIN(U "iB", U "i"), TYPO_BIN(U "ib", U "i"), TYPO_BIN(L "i", U "i"), \
        TYPO_BIN(L "iB", U "i"), TYPO_BIN(U "I", U "i")

static const struct typo typos[] = {
    TYPOS("K", "k", "k"), TYPOS("M", "m", "M"), TYPOS("G", "g", "G"),
    TYPOS("T", "t", "T"), TYPOS("P", "p", "P"), TYPOS("E", "e", "E"),
    TYPO_DEC("K", "k", "Ki"), TYPO_DEC("g", "G", "Gi"), TYPO_DEC("t", "T", "Ti"),
    TYPO_DEC("p", "P", "Pi"),
    {"B", "invalid suffix 'B' (write plain bytes without a suffix, e.g. '512')"},
    {"b", "invalid suffix 'b' (write plain bytes without a suffix, e.g. '512')"},
};

static const char *suffix_error(const char *sfx)
{
    if (*sfx == '.')
        return "more than one decimal point";
    if (*sfx == '+' || *sfx == '-')
        return "unexpected sign inside the quantity";
    for (size_t i = 0; i < sizeof typos / sizeof typos[0]; i++)
        if (strcmp(sfx, typos[i].text) == 0)
            return typos[i].why;
    return "invalid suffix (expected one of n u m k M G T P E Ki Mi Gi Ti Pi Ei, "
           "or an exponent such as e3)";
}

static int64_t clamp_add(int64_t v, int d)
{
    return v >= EXP_LIMIT ? EXP_LIMIT : v * 10 + d;
}

/* "e" / "E" [sign] digits at s. Returns false when s is not an exponent. */
static bool parse_exponent(const char *s, int64_t *exp, const char **end)
{
    if (*s != 'e' && *s != 'E')
        return false;
    s++;
    bool neg = *s == '-';
    if (*s == '+' || *s == '-')
        s++;
    if (!is_digit(*s))
        return false;
    int64_t v = 0;
    while (is_digit(*s))
        v = clamp_add(v, *s++ - '0');
    *exp = neg ? -v : v;
    *end = s;
    return true;
}

static bool has_space(const char *s)
{
    for (; *s; s++)
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' ||
            *s == '\v')
            return true;
    return false;
}

/* Checks shared by quantities and durations before any number is read. */
static const char *prefix_error(const char *s, const char *empty, const char *negative)
{
    if (!s || !*s)
        return empty;
    if (has_space(s))
        return "unexpected whitespace";
    if (*s == '-')
        return negative;
    if (*s == '+')
        return "a sign is not allowed";
    return NULL;
}

static const struct suffix *suffix_find(const char *p)
{
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        if (strcmp(p, suffixes[i].text) == 0)
            return &suffixes[i];
    return NULL;
}

/* Quantity s as ceil(value * 10^extra10) in *out. An exponent may precede the
 * suffix ("1e3m", as glc.h documents; the API server itself takes one or the
 * other), so "1E" stays exa while "1E3" is a thousand. */
static int qty_parse(const char *s, int extra10, int64_t *out, const char **why)
{
    const char *err = prefix_error(s, "empty quantity", "negative quantity");
    if (err)
        return fail(why, err);
    struct dec d;
    const char *p = parse_dec(s, &d);
    if (!p)
        return fail(why, "expected a number");
    int64_t e10 = 0;
    const char *end;
    bool has_exp = parse_exponent(p, &e10, &end);
    const struct suffix *sf = suffix_find(has_exp ? end : p);
    if (!sf && !has_exp && (*p == 'e' || *p == 'E') && p[1])
        return fail(why, "invalid exponent");
    if (!sf)
        return fail(why, suffix_error(has_exp ? end : p));
    uint64_t mult = UINT64_C(1) << (10 * sf->pow1024);
    if (!dec_scale(&d, e10 + sf->pow10 + extra10, mult, out))
        return fail(why, TOO_LARGE);
    return 0;
}

int glc_qty_cpu_milli(const char *s, int64_t *out, const char **why)
{
    return qty_parse(s, 3, out, why);
}

int glc_qty_bytes(const char *s, int64_t *out, const char **why)
{
    return qty_parse(s, 0, out, why);
}

/* ------------------------------------------------------------ durations */

struct dur_unit {
    const char *text;
    int pow10;     /* nanoseconds = value * 10^pow10 * mult */
    uint64_t mult;
};

static const struct dur_unit dur_units[] = {
    {"ns", 0, 1},
    {"us", 3, 1},
    {"\xc2\xb5s", 3, 1}, /* U+00B5 micro sign */
    {"\xce\xbcs", 3, 1}, /* U+03BC Greek small mu */
    {"ms", 6, 1},
    {"s", 9, 1},
    {"m", 9, 60},
    {"h", 9, 3600},
};

static const struct dur_unit *dur_unit_find(const char *u, size_t n)
{
    for (size_t i = 0; i < sizeof dur_units / sizeof dur_units[0]; i++)
        if (strlen(dur_units[i].text) == n && memcmp(dur_units[i].text, u, n) == 0)
            return &dur_units[i];
    return NULL;
}

static const char *dur_unit_error(const char *u, size_t n)
{
    if (*u == '.')
        return "more than one decimal point";
    if (n == 0)
        return "missing unit in duration (use ns, us, ms, s, m or h)";
    if (*u == 'd' && n == 1)
        return "unknown unit 'd' in duration (days are not supported; use h, e.g. 24h)";
    return "unknown unit in duration (use ns, us, ms, s, m or h)";
}

static bool all_digits(const char *s)
{
    for (; *s; s++)
        if (!is_digit(*s))
            return false;
    return true;
}

/* One "<number><unit>" at *sp, added to *ns (rounded up to whole ns). */
static const char *dur_component(const char **sp, int64_t *ns)
{
    struct dec d;
    const char *p = parse_dec(*sp, &d);
    if (!p)
        return "expected a number";
    const char *u = p;
    while (*p && !is_digit(*p) && *p != '.')
        p++;
    const struct dur_unit *un = dur_unit_find(u, (size_t)(p - u));
    if (!un)
        return dur_unit_error(u, (size_t)(p - u));
    int64_t v;
    if (!dec_scale(&d, un->pow10, un->mult, &v) || v > INT64_MAX - *ns)
        return TOO_LARGE;
    *ns += v;
    *sp = p;
    return NULL;
}

/* ceil(ns / 1e6) for ns >= 0. */
static int64_t ns_to_ms(int64_t ns)
{
    return ns / 1000000 + (ns % 1000000 != 0);
}

/* A bare integer is seconds; otherwise a sequence of components. -> ns */
static const char *dur_parse_ns(const char *s, int64_t *ns)
{
    *ns = 0;
    if (all_digits(s)) {
        struct dec d = {s, strlen(s), s, 0};
        return dec_scale(&d, 9, 1, ns) ? NULL : TOO_LARGE;
    }
    const char *err = NULL;
    while (*s && !err)
        err = dur_component(&s, ns);
    return err;
}

/* Like Go, the total must fit int64 nanoseconds (about 292 years); each
 * component is rounded up to a whole ns, the total up to a whole ms. */
int glc_duration_ms(const char *s, int64_t *out, const char **why)
{
    const char *err = prefix_error(s, "empty duration", "negative duration");
    int64_t ns = 0;
    if (!err)
        err = dur_parse_ns(s, &ns);
    if (err)
        return fail(why, err);
    *out = ns_to_ms(ns);
    return 0;
}

/* ------------------------------------------------------------ formatting */

static const char *const bin_names[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

char *glc_fmt_cpu(struct glc_arena *a, int64_t milli)
{
    return glc_sprintf(a, "%" PRId64 "m", milli);
}

/* Largest binary unit (1024^k) not above m, as k. */
static int bin_unit_at_most(uint64_t m)
{
    int k = 0;
    while (k < 6 && m >> (10 * (k + 1)) != 0)
        k++;
    return k;
}

char *glc_fmt_bytes(struct glc_arena *a, int64_t bytes)
{
    uint64_t m = magnitude(bytes);
    const char *sign = bytes < 0 ? "-" : "";
    int k = bin_unit_at_most(m);
    uint64_t unit = UINT64_C(1) << (10 * k);
    uint64_t whole = m / unit, rest = m % unit;
    if (rest == 0)
        return glc_sprintf(a, "%s%" PRIu64 "%s", sign, whole, bin_names[k]);
    return glc_sprintf(a, "%s%" PRIu64 ".%" PRIu64 "%s", sign, whole, rest * 10 / unit,
                       bin_names[k]);
}

char *glc_k8s_cpu(struct glc_arena *a, int64_t milli)
{
    if (milli % 1000 == 0)
        return glc_sprintf(a, "%" PRId64, milli / 1000);
    return glc_sprintf(a, "%" PRId64 "m", milli);
}

char *glc_k8s_bytes(struct glc_arena *a, int64_t bytes)
{
    uint64_t m = magnitude(bytes);
    int k = 6;
    while (k > 0 && (m == 0 || m % (UINT64_C(1) << (10 * k)) != 0))
        k--;
    return glc_sprintf(a, "%s%" PRIu64 "%s", bytes < 0 ? "-" : "", m >> (10 * k),
                       bin_names[k]);
}
