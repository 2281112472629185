/*
 * schema.c — stage 2: check each loaded tree against its JSON Schema.
 *
 * The schemas in schema/ are embedded at build time and are the single source
 * of truth for keys, types, ranges, enums, patterns, formats and defaults.
 * This file implements the subset of JSON Schema (draft-07) they use, with
 * YAML 1.2 core typing of plain scalars, and reports each violation at the
 * key or value that must change (with a "did you mean" for unknown keys).
 */
#include "glc.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

/* ---- scalar typing (YAML 1.2 core schema) ---- */

enum stype { S_NULL, S_BOOL, S_INT, S_FLOAT, S_STRING };

static bool is_null_word(const char *s)
{
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static int bool_word(const char *s)
{
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
        return 1;
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
        return 0;
    return -1;
}

/* YAML 1.2 core: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ (no sign on 0o/0x). */
static bool is_int_text(const char *s)
{
    int base = 10;
    if (s[0] == '0' && s[1] == 'x')
        base = 16, s += 2;
    else if (s[0] == '0' && s[1] == 'o')
        base = 8, s += 2;
    else if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return false;
    for (; *s; s++) {
        int c = (unsigned char)*s;
        bool ok = base == 16 ? isxdigit(c) : base == 8 ? (c >= '0' && c <= '7') : isdigit(c);
        if (!ok)
            return false;
    }
    return true;
}

static bool is_float_text(const char *s)
{
    if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))
        return true;
    if (*s == '-' || *s == '+')
        s++;
    if (!strcmp(s, ".inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF"))
        return true;
    bool digits = false, dot = false;
    for (; *s && *s != 'e' && *s != 'E'; s++) {
        if (*s >= '0' && *s <= '9')
            digits = true;
        else if (*s == '.' && !dot)
            dot = true;
        else
            return false;
    }
    if (!digits)
        return false;
    if (*s) {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!*s)
            return false;
        for (; *s; s++)
            if (*s < '0' || *s > '9')
                return false;
    }
    return true;
}

static enum stype scalar_type(const struct glc_ynode *n)
{
    if (n->quoted)
        return S_STRING;
    const char *s = n->u.str;
    if (is_null_word(s))
        return S_NULL;
    if (bool_word(s) >= 0)
        return S_BOOL;
    if (is_int_text(s))
        return S_INT;
    if (is_float_text(s))
        return S_FLOAT;
    return S_STRING;
}

static const char *node_type_name(const struct glc_ynode *n)
{
    if (n->kind == GLC_YMAP)
        return "a mapping";
    if (n->kind == GLC_YSEQ)
        return "a list";
    switch (scalar_type(n)) {
    case S_NULL: return "nothing (null)";
    case S_BOOL: return "a boolean";
    case S_INT: return "an integer";
    case S_FLOAT: return "a decimal number";
    default: return "a string";
    }
}

/* Parse a YAML 1.2 integer exactly into int64. Returns 0, -1 syntax, -2 range. */
static int parse_int(const char *s, int64_t *out)
{
    bool neg = *s == '-';
    int base = 10;
    if (s[0] == '0' && s[1] == 'x')
        base = 16, s += 2;
    else if (s[0] == '0' && s[1] == 'o')
        base = 8, s += 2;
    else if (*s == '-' || *s == '+')
        s++;
    if (!*s || *s == '-' || *s == '+' || *s == ' ')
        return -1; /* strtoull would accept a second sign or blanks */
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, base);
    if (*end || end == s)
        return -1;
    if (errno == ERANGE || (!neg && v > INT64_MAX) || (neg && v > (unsigned long long)INT64_MAX + 1))
        return -2;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}


/* ---- the validator ---- */

struct seg {             /* the key path, kept on the stack; materialized on error */
    const char *key;
    long index;          /* -1 for a key */
    const struct seg *up;
};

struct regex_cache {
    const char *pattern;
    regex_t re;
    bool ok;
};

struct validator {
    struct glc_ctx *cx;
    json_t *root;        /* the schema, for $ref */
    struct regex_cache re[32];
    size_t nre;
    int errors;
    /* the last "did you mean" (a repeated unknown key is common in floods) */
    const char *sugg_word;
    const json_t *sugg_obj, *sugg_arr;
    const char *sugg;    /* the help line it gave */
    const json_t *list_obj, *list_arr;
    const char *list;    /* the last "expected one of: ..." line */
};

static const char *path_str(struct validator *v, const struct seg *s)
{
    const struct seg *chain[64];
    size_t n = 0;
    for (; s && n < 64; s = s->up)
        chain[n++] = s;
    struct glc_buf b = {0};
    while (n-- > 0) {
        if (chain[n]->index >= 0) {
            char num[32];
            int k = snprintf(num, sizeof num, "[%ld]", chain[n]->index);
            glc_buf_put(&b, num, (size_t)k);
        } else {
            if (b.len)
                glc_buf_putc(&b, '.');
            glc_buf_puts(&b, chain[n]->key);
        }
    }
    const char *r = glc_strndup(v->cx->arena, b.data ? b.data : "", b.len);
    glc_buf_free(&b);
    return r;
}

static struct glc_diag *error(struct validator *v, const char *code, struct glc_loc at,
                              const struct seg *path, const char *fmt, const char *a, const char *b)
{
    v->errors++;
    return glc_report(v->cx, code, at, path_str(v, path), fmt, a, b);
}

static json_t *resolve(struct validator *v, json_t *schema)
{
    json_t *ref = json_object_get(schema, "$ref");
    if (!json_is_string(ref))
        return schema;
    const char *r = json_string_value(ref);
    if (strncmp(r, "#/definitions/", 14) != 0)
        return schema;
    json_t *t = json_object_get(json_object_get(v->root, "definitions"), r + 14);
    return t ? t : schema;
}

static regex_t *get_regex(struct validator *v, const char *pattern)
{
    for (size_t i = 0; i < v->nre; i++)
        if (v->re[i].pattern == pattern)
            return v->re[i].ok ? &v->re[i].re : NULL;
    if (v->nre == sizeof v->re / sizeof v->re[0])
        return NULL;
    struct regex_cache *c = &v->re[v->nre++];
    c->pattern = pattern;
    c->ok = regcomp(&c->re, pattern, REG_EXTENDED | REG_NOSUB) == 0;
    return c->ok ? &c->re : NULL;
}

static const char *schema_str(json_t *schema, const char *key)
{
    return json_string_value(json_object_get(schema, key));
}

static bool type_allows(json_t *schema, const char *type)
{
    json_t *t = json_object_get(schema, "type");
    if (!t)
        return true;
    if (json_is_string(t))
        return !strcmp(json_string_value(t), type);
    size_t i;
    json_t *e;
    json_array_foreach(t, i, e) if (!strcmp(json_string_value(e), type)) return true;
    return false;
}

/* Edit distance, or some value above `max` as soon as it must exceed it
 * (a row's minimum never decreases), which keeps a flood of unknown keys cheap. */
static size_t levenshtein(const char *a, size_t la, const char *b, size_t lb, size_t max)
{
    if (la > 64 || lb > 64)
        return 99;
    size_t d[65];
    for (size_t j = 0; j <= lb; j++)
        d[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = d[0];
        d[0] = i;
        size_t rowmin = d[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = d[j];
            size_t sub = prev + (a[i - 1] != b[j - 1]);
            size_t del = d[j] + 1, ins = d[j - 1] + 1;
            d[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            if (d[j] < rowmin)
                rowmin = d[j];
            prev = cur;
        }
        if (rowmin > max)
            return max + 1;
    }
    return d[lb];
}

const char *glc_suggest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t bestd = 99, wl = strlen(word);
    size_t limit = wl < 4 ? 1 : wl / 3 + 1;
    for (size_t i = 0; i < n; i++) {
        size_t cl = strlen(cands[i]);
        if ((cl > wl ? cl - wl : wl - cl) > limit) /* the distance is at least that */
            continue;
        size_t d = levenshtein(word, wl, cands[i], cl, bestd < limit ? bestd : limit);
        if (d < bestd) {
            bestd = d;
            best = cands[i];
        }
    }
    return bestd <= limit ? best : NULL;
}

static void validate(struct validator *v, const struct glc_ynode *n, json_t *schema,
                     const struct seg *path, struct glc_loc key_at);

static void suggest_help(struct validator *v, struct glc_diag *d, const char *word,
                         json_t *cands_obj, json_t *cands_arr)
{
    if (v->sugg_word && v->sugg_obj == cands_obj && v->sugg_arr == cands_arr &&
        !strcmp(v->sugg_word, word)) {
        glc_help(v->cx, d, "%s", v->sugg);
        return;
    }
    const char *names[128];
    size_t nn = 0;
    if (cands_obj) {
        const char *k;
        json_t *val;
        json_object_foreach(cands_obj, k, val) if (nn < 128) names[nn++] = k;
    }
    if (cands_arr) {
        size_t i;
        json_t *e;
        json_array_foreach(cands_arr, i, e) if (nn < 128 && json_is_string(e)) names[nn++] = json_string_value(e);
    }
    const char *s = glc_suggest(word, names, nn);
    if (s) {
        glc_help(v->cx, d, "did you mean '%s'?", s);
    } else if (v->list && v->list_obj == cands_obj && v->list_arr == cands_arr) {
        glc_help(v->cx, d, "%s", v->list);
    } else {
        struct glc_buf b = {0};
        for (size_t i = 0; i < nn; i++)
            glc_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
        glc_help(v->cx, d, "expected one of: %s", b.data ? b.data : "(none)");
        glc_buf_free(&b);
        v->list_obj = cands_obj;
        v->list_arr = cands_arr;
        v->list = d->help;
    }
    v->sugg_word = word;
    v->sugg_obj = cands_obj;
    v->sugg_arr = cands_arr;
    v->sugg = d->help;
}

static void check_required_keys(struct validator *v, const struct glc_ynode *n, json_t *schema,
                                json_t *required, const struct seg *path, struct glc_loc key_at);

/* Does a scalar equal a JSON Schema `const` (a boolean, string or integer)? */
static bool equals_const(const struct glc_ynode *n, json_t *c)
{
    if (!n || n->kind != GLC_YSCALAR)
        return false;
    if (json_is_boolean(c))
        return !n->quoted && bool_word(n->u.str) == (json_is_true(c) ? 1 : 0);
    if (json_is_string(c))
        return !strcmp(n->u.str, json_string_value(c));
    int64_t x;
    return json_is_integer(c) && !n->quoted && parse_int(n->u.str, &x) == 0 && x == json_integer_value(c);
}

/* The subset of draft-07 `if` glc's schemas use: required keys that must be
 * present and properties whose `const` must match, e.g. "enabled: false". */
static bool if_holds(const struct glc_ynode *map, json_t *cond)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(cond, "required"), i, r) if (!glc_ymap_get(map, json_string_value(r))) return false;
    const char *key;
    json_t *sub;
    json_object_foreach(json_object_get(cond, "properties"), key, sub) {
        json_t *c = json_object_get(sub, "const");
        const struct glc_ynode *n = glc_ymap_get(map, key);
        if (c && n && !equals_const(n, c))
            return false;
    }
    return true;
}

static void check_required(struct validator *v, const struct glc_ynode *n, json_t *schema,
                           const struct seg *path, struct glc_loc key_at)
{
    json_t *cond = json_object_get(schema, "if");
    if (cond) { /* e.g. min/max are required unless the section says enabled: false */
        json_t *branch = json_object_get(schema, if_holds(n, cond) ? "then" : "else");
        if (branch)
            check_required_keys(v, n, schema, json_object_get(branch, "required"), path, key_at);
    }
    check_required_keys(v, n, schema, json_object_get(schema, "required"), path, key_at);
}

static void check_required_keys(struct validator *v, const struct glc_ynode *n, json_t *schema,
                                json_t *required, const struct seg *path, struct glc_loc key_at)
{
    size_t i;
    json_t *r;
    json_array_foreach(required, i, r) {
        const char *name = json_string_value(r);
        if (glc_ymap_get(n, name))
            continue;
        struct seg s = {name, -1, path};
        json_t *sub = json_object_get(json_object_get(schema, "properties"), name);
        struct glc_diag *d = error(v, "GLC009", key_at, &s, "missing required key '%s'%s", name, "");
        if (sub && schema_str(sub, "description"))
            glc_help(v->cx, d, "add '%s:' here: %s", name, schema_str(sub, "description"));
    }
}

static void validate_string(struct validator *v, const struct glc_ynode *n, json_t *schema,
                            const struct seg *path);

/* A key that names something (a breaker, a zone) is text even when it looks
 * like a number or a boolean: `123:` must not slip past the name pattern. */
static void validate_name(struct validator *v, const struct glc_ynode *key, json_t *names,
                          json_t *parent, const struct seg *path)
{
    json_t *maxl = json_object_get(names, "maxLength");
    const char *pat = schema_str(names, "pattern");
    const char *desc = schema_str(names, "description");
    if (!desc)
        desc = schema_str(parent, "description");
    struct glc_diag *d = NULL;
    size_t len = 0;
    for (size_t i = 0; i < key->count; i++)
        len += ((unsigned char)key->u.str[i] & 0xc0) != 0x80;
    if (scalar_type(key) != S_STRING) { /* `true:`, `null:` may fit the pattern but are not strings */
        d = error(v, "GLC008", key->at, path, "name '%s' is %s in YAML, not a string",
                  glc_shown(v->cx->arena, key->u.str), node_type_name(key));
        glc_help(v->cx, d, "use another name, or quote it (\"%s\")", glc_shown(v->cx->arena, key->u.str));
        return;
    }
    if (maxl && (json_int_t)len > json_integer_value(maxl)) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(maxl));
        d = error(v, "GLC008", key->at, path, "name longer than %s characters: '%s'", buf,
                  glc_shown(v->cx->arena, key->u.str));
    } else if (pat) {
        regex_t *re = get_regex(v, pat);
        if (re && regexec(re, key->u.str, 0, NULL, 0) != 0) {
            d = error(v, "GLC008", key->at, path, "invalid name '%s'%s", glc_shown(v->cx->arena, key->u.str), "");
            glc_note(v->cx, d, "must match %s", pat);
        }
    }
    if (d && desc)
        glc_help(v->cx, d, "%s", desc);
}

static void validate_map(struct validator *v, const struct glc_ynode *n, json_t *schema,
                         const struct seg *path, struct glc_loc key_at)
{
    json_t *props = json_object_get(schema, "properties");
    json_t *addl = json_object_get(schema, "additionalProperties");
    json_t *names = json_object_get(schema, "propertyNames");
    for (uint32_t i = 0; i < n->count; i++) {
        const struct glc_ypair *p = &n->u.pairs[i];
        const char *k = p->key->u.str;
        struct seg s = {k, -1, path};
        struct glc_loc at = glc_pair_span(p);
        json_t *sub = props ? json_object_get(props, k) : NULL;
        if (!sub && json_is_object(addl)) {
            if (names)
                validate_name(v, p->key, names, schema, &s);
            sub = addl;
        }
        if (!sub) {
            struct glc_diag *d = error(v, "GLC003", p->key->at, &s, "unknown key '%s'%s", glc_shown(v->cx->arena, k), "");
            suggest_help(v, d, k, props, NULL);
            continue;
        }
        validate(v, p->val, sub, &s, at);
    }
    check_required(v, n, schema, path, key_at);
}

static void validate_seq(struct validator *v, const struct glc_ynode *n, json_t *schema,
                         const struct seg *path, struct glc_loc key_at)
{
    json_t *items = json_object_get(schema, "items");
    json_int_t lo = json_integer_value(json_object_get(schema, "minItems"));
    json_t *hi = json_object_get(schema, "maxItems");
    char buf[64];
    if ((json_int_t)n->count < lo) {
        snprintf(buf, sizeof buf, "%lld", (long long)lo);
        error(v, "GLC005", key_at, path, "the list needs at least %s item%s", buf, lo == 1 ? "" : "s");
    }
    if (hi && (json_int_t)n->count > json_integer_value(hi)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(hi));
        error(v, "GLC005", key_at, path, "the list allows at most %s items%s", buf, "");
    }
    bool unique = json_is_true(json_object_get(schema, "uniqueItems")) && n->count > 1;
    /* uniqueItems in O(n): an open-addressing set of item indexes + 1 */
    size_t cap = 16;
    while (unique && cap < (size_t)n->count * 2)
        cap *= 2;
    uint32_t *slot = unique ? calloc(cap, sizeof *slot) : NULL;
    if (unique && !slot)
        abort();
    for (uint32_t i = 0; i < n->count; i++) {
        struct seg s = {NULL, (long)i, path};
        const struct glc_ynode *it = n->u.items[i];
        if (items)
            validate(v, it, items, &s, it->at);
        if (!unique || it->kind != GLC_YSCALAR)
            continue;
        uint64_t h = 1469598103934665603ull;
        for (const char *c = it->u.str; *c; c++)
            h = (h ^ (unsigned char)*c) * 1099511628211ull;
        for (size_t k = (size_t)h & (cap - 1);; k = (k + 1) & (cap - 1)) {
            if (!slot[k]) {
                slot[k] = i + 1;
                break;
            }
            const struct glc_ynode *o = n->u.items[slot[k] - 1];
            if (!strcmp(o->u.str, it->u.str)) {
                struct glc_diag *d = error(v, "GLC002", it->at, &s, "duplicate item '%s' in the list%s",
                                           glc_shown(v->cx->arena, it->u.str), "");
                glc_related(v->cx, d, o->at, "first listed here");
                break;
            }
        }
    }
    free(slot);
}

static bool check_format(struct validator *v, const struct glc_ynode *n, const char *format,
                         const struct seg *path)
{
    int64_t out;
    const char *why = NULL;
    int rc;
    const char *what;
    if (!strcmp(format, "k8s-cpu"))
        rc = glc_qty_cpu_milli(n->u.str, &out, &why), what = "CPU quantity";
    else if (!strcmp(format, "k8s-memory"))
        rc = glc_qty_bytes(n->u.str, &out, &why), what = "memory quantity";
    else if (!strcmp(format, "duration"))
        rc = glc_duration_ms(n->u.str, &out, &why), what = "duration";
    else
        return true;
    if (rc == 0)
        return true;
    struct glc_diag *d = error(v, "GLC007", n->at, path, "invalid %s '%s'", what, glc_shown(v->cx->arena, n->u.str));
    if (why)
        glc_note(v->cx, d, "%s", why);
    glc_help(v->cx, d, "%s", !strcmp(format, "duration") ? "write a duration such as 10m, 90s or 1h30m"
                             : !strcmp(format, "k8s-cpu") ? "write CPU as millicores (2000m) or cores (2, 0.5)"
                                                          : "write memory with a binary suffix (4Gi, 512Mi) or in bytes");
    return false;
}

static void validate_string(struct validator *v, const struct glc_ynode *n, json_t *schema,
                            const struct seg *path)
{
    const char *s = n->u.str;
    size_t len = 0; /* in characters (code points), as JSON Schema counts */
    for (size_t i = 0; i < n->count; i++)
        len += ((unsigned char)s[i] & 0xc0) != 0x80;
    json_t *maxl = json_object_get(schema, "maxLength"), *minl = json_object_get(schema, "minLength");
    char buf[32], have[32];
    snprintf(have, sizeof have, "%zu", len);
    if (maxl && (json_int_t)len > json_integer_value(maxl)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(maxl));
        error(v, "GLC008", n->at, path, "value is %s characters long; at most %s are allowed", have, buf);
        return;
    }
    if (minl && (json_int_t)len < json_integer_value(minl)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(minl));
        error(v, "GLC008", n->at, path, "value is %s characters long; at least %s are needed", have, buf);
        return;
    }
    json_t *en = json_object_get(schema, "enum");
    if (en) {
        size_t i;
        json_t *e;
        json_array_foreach(en, i, e) if (json_is_string(e) && !strcmp(json_string_value(e), s)) return;
        struct glc_diag *d = error(v, "GLC006", n->at, path, "'%s' is not an allowed value%s", glc_shown(v->cx->arena, s), "");
        suggest_help(v, d, s, NULL, en);
        return;
    }
    const char *pat = schema_str(schema, "pattern");
    if (pat) {
        regex_t *re = get_regex(v, pat);
        if (re && regexec(re, s, 0, NULL, 0) != 0) {
            struct glc_diag *d = error(v, "GLC008", n->at, path, "invalid value '%s'%s", glc_shown(v->cx->arena, s), "");
            const char *desc = schema_str(schema, "description");
            glc_note(v->cx, d, "must match %s", pat);
            if (desc)
                glc_help(v->cx, d, "%s", desc);
            return;
        }
    }
    const char *fmt = schema_str(schema, "format");
    if (fmt)
        check_format(v, n, fmt, path);
}

static void validate_int(struct validator *v, const struct glc_ynode *n, json_t *schema,
                         const struct seg *path)
{
    int64_t x;
    int rc = parse_int(n->u.str, &x);
    if (rc != 0) {
        struct glc_diag *d = error(v, "GLC005", n->at, path, "%s is outside the 64-bit integer range%s",
                                   glc_shown(v->cx->arena, n->u.str), "");
        json_t *lo = json_object_get(schema, "minimum"), *hi = json_object_get(schema, "maximum");
        if (lo && hi)
            glc_help(v->cx, d, "use a value from %lld to %lld", (long long)json_integer_value(lo),
                     (long long)json_integer_value(hi));
        return;
    }
    json_t *lo = json_object_get(schema, "minimum"), *hi = json_object_get(schema, "maximum");
    char a[32], b[64];
    if (lo && x < json_integer_value(lo)) {
        snprintf(a, sizeof a, "%lld", (long long)x);
        snprintf(b, sizeof b, "at least %lld", (long long)json_integer_value(lo));
        struct glc_diag *d = error(v, "GLC005", n->at, path, "%s is too small: must be %s", a, b);
        glc_help(v->cx, d, "use a value of %s", b);
    } else if (hi && x > json_integer_value(hi)) {
        snprintf(a, sizeof a, "%lld", (long long)x);
        snprintf(b, sizeof b, "at most %lld", (long long)json_integer_value(hi));
        struct glc_diag *d = error(v, "GLC005", n->at, path, "%s is too large: must be %s", a, b);
        glc_help(v->cx, d, "use a value of %s", b);
    }
}

/* Pick the oneOf branch whose type matches the node (glc uses oneOf only for
 * "integer or percentage"). */
static json_t *pick_branch(json_t *schema, const struct glc_ynode *n)
{
    json_t *one = json_object_get(schema, "oneOf");
    if (!one)
        return schema;
    size_t i;
    json_t *b;
    const char *want = n->kind != GLC_YSCALAR ? "object"
                       : scalar_type(n) == S_INT ? "integer" : scalar_type(n) == S_STRING ? "string" : "?";
    json_array_foreach(one, i, b) if (type_allows(b, want)) return b;
    return NULL;
}

static void type_error(struct validator *v, const struct glc_ynode *n, const char *want,
                       const struct seg *path, struct glc_loc key_at)
{
    struct glc_loc at = n->kind == GLC_YSCALAR && n->count ? n->at : key_at;
    struct glc_diag *d = error(v, "GLC004", at, path, "expected %s, got %s", want, node_type_name(n));
    if (n->kind == GLC_YSCALAR && n->quoted && (is_int_text(n->u.str) || bool_word(n->u.str) >= 0))
        glc_help(v->cx, d, "remove the quotes: \"%s\" is a string", glc_shown(v->cx->arena, n->u.str));
    else if (n->kind == GLC_YSCALAR && !n->quoted && !strcmp(want, "a string"))
        glc_help(v->cx, d, "quote the value (\"%s\") so every YAML reader keeps it a string",
                 glc_shown(v->cx->arena, n->u.str));
    else if (n->kind == GLC_YSCALAR && (!strcmp(n->u.str, "yes") || !strcmp(n->u.str, "no") ||
                                        !strcmp(n->u.str, "on") || !strcmp(n->u.str, "off")))
        glc_help(v->cx, d, "YAML 1.2 booleans are true and false");
}

/* What a schema asks for, in words ("an integer"). */
static const char *want_name(json_t *schema)
{
    if (json_object_get(schema, "oneOf"))
        return "an integer or a percentage";
    if (!json_object_get(schema, "type"))
        return "another type";
    if (type_allows(schema, "object"))
        return "a mapping";
    if (type_allows(schema, "array"))
        return "a list";
    if (type_allows(schema, "integer"))
        return "an integer";
    if (type_allows(schema, "boolean"))
        return "a boolean (true or false)";
    return "a string";
}

static void validate(struct validator *v, const struct glc_ynode *n, json_t *schema,
                     const struct seg *path, struct glc_loc key_at)
{
    schema = resolve(v, schema);
    json_t *branch = pick_branch(schema, n);
    if (!branch) {
        type_error(v, n, want_name(schema), path, key_at);
        return;
    }
    if (n->kind == GLC_YMAP) {
        if (!type_allows(branch, "object"))
            type_error(v, n, want_name(schema), path, key_at);
        else
            validate_map(v, n, branch, path, key_at);
        return;
    }
    if (n->kind == GLC_YSEQ) {
        if (!type_allows(branch, "array"))
            type_error(v, n, want_name(schema), path, key_at);
        else
            validate_seq(v, n, branch, path, key_at);
        return;
    }
    schema = branch;
    enum stype t = scalar_type(n);
    if (t == S_NULL && type_allows(schema, "object")) {
        check_required(v, NULL, schema, path, key_at); /* an empty section */
        return;
    }
    if (type_allows(schema, "object") || type_allows(schema, "array")) {
        if (!json_object_get(schema, "type"))
            return;
        type_error(v, n, type_allows(schema, "object") ? "a mapping" : "a list", path, key_at);
        return;
    }
    const char *fmt = schema_str(schema, "format");
    bool numeric_ok = fmt && (t == S_INT || t == S_FLOAT); /* `cpu: 2`, `delay: 600` */
    if (type_allows(schema, "string") && (t == S_STRING || numeric_ok)) {
        validate_string(v, n, schema, path);
        return;
    }
    if (type_allows(schema, "integer") && t == S_INT) {
        validate_int(v, n, schema, path);
        return;
    }
    if (type_allows(schema, "boolean") && t == S_BOOL)
        return;
    const char *want = type_allows(schema, "integer") ? "an integer"
                       : type_allows(schema, "boolean") ? "a boolean (true or false)"
                                                        : "a string";
    type_error(v, n, want, path, key_at);
}

/* ---- entry points ---- */

static json_t *load_schema(struct glc_ctx *cx, int kind)
{
    if (cx->schema[kind])
        return cx->schema[kind];
    const char *name = kind == GLC_CFG_KUBERNETES ? "schema/kubernetes_config.schema.json"
                                                  : "schema/resilience_config.schema.json";
    const struct glc_embedded *e = glc_embedded_find(name);
    json_error_t err;
    cx->schema[kind] = e ? json_loadb((const char *)e->data, e->len, 0, &err) : NULL;
    if (!cx->schema[kind]) {
        fprintf(stderr, "glc: internal error: embedded schema %s is missing or invalid\n", name);
        abort();
    }
    return cx->schema[kind];
}

json_t *glc_schema_get(struct glc_ctx *cx, int kind)
{
    return load_schema(cx, kind);
}

json_t *glc_schema_default(struct glc_ctx *cx, int kind, const char *dotted)
{
    json_t *s = load_schema(cx, kind), *root = s;
    for (const char *p = dotted; s && *p;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        /* getn: no copy of the segment (the model asks this for every defaulted key) */
        json_t *next = json_object_getn(json_object_get(s, "properties"), p, n);
        json_t *addl = json_object_get(s, "additionalProperties");
        s = next ? next : json_is_object(addl) ? addl : NULL; /* map entries: services.<name> */
        if (s && json_object_get(s, "$ref")) {
            const char *r = json_string_value(json_object_get(s, "$ref"));
            s = json_object_get(json_object_get(root, "definitions"), r + 14);
        }
        p += n + (dot != NULL);
    }
    return s ? json_object_get(s, "default") : NULL;
}

const struct glc_embedded *glc_embedded_find(const char *name)
{
    for (size_t i = 0; i < glc_embedded_count; i++)
        if (!strcmp(glc_embedded_files[i].name, name))
            return &glc_embedded_files[i];
    return NULL;
}

static int detect_kind(struct glc_ctx *cx, int file)
{
    struct glc_file *f = &cx->files[file];
    const struct glc_ynode *r = f->root;
    struct glc_loc at = {.file = (uint32_t)file, .line = 1, .col = 1};
    if (r->kind != GLC_YMAP) {
        struct glc_diag *d = glc_report(cx, "GLC010", r->at, NULL, "not a glc config: the file is %s, not a mapping",
                                        node_type_name(r));
        glc_help(cx, d, "a kubernetes config starts with 'kubernetes:', a resilience config with 'circuit_breaker:'");
        return GLC_CFG_UNKNOWN;
    }
    const struct glc_ypair *kp = NULL, *cp = NULL;
    for (uint32_t i = 0; i < r->count; i++) {
        const char *k = r->u.pairs[i].key->u.str;
        if (!kp && !strcmp(k, "kubernetes"))
            kp = &r->u.pairs[i];
        else if (!cp && !strcmp(k, "circuit_breaker"))
            cp = &r->u.pairs[i];
    }
    if (kp && cp) {
        const struct glc_ypair *second = kp < cp ? cp : kp, *first = kp < cp ? kp : cp;
        struct glc_diag *d = glc_report(cx, "GLC010", second->key->at, NULL,
                                        "one file holds both configs: 'kubernetes:' and 'circuit_breaker:'");
        glc_related(cx, d, first->key->at, "the other config starts here");
        glc_help(cx, d, "move 'circuit_breaker:' into resilience_config.yaml and keep 'kubernetes:' in "
                        "kubernetes_config.yaml");
        return GLC_CFG_UNKNOWN;
    }
    if (kp)
        return GLC_CFG_KUBERNETES;
    if (cp)
        return GLC_CFG_RESILIENCE;
    if (r->count)
        at = r->u.pairs[0].key->at;
    static const char *const tops[] = {"kubernetes", "circuit_breaker"};
    const char *first = r->count ? r->u.pairs[0].key->u.str : "";
    struct glc_diag *d = glc_report(cx, "GLC010", at, NULL,
                                    "not a glc config: expected the top-level key 'kubernetes:' or 'circuit_breaker:'");
    const char *s = glc_suggest(first, tops, 2);
    if (s)
        glc_help(cx, d, "did you mean '%s'?", s);
    else
        glc_help(cx, d, "a kubernetes config starts with 'kubernetes:', a resilience config with "
                        "'circuit_breaker:'");
    return GLC_CFG_UNKNOWN;
}

int glc_schema_validate(struct glc_ctx *cx, int file)
{
    struct glc_file *f = &cx->files[file];
    if (!f->root)
        return 1;
    f->kind = detect_kind(cx, file);
    if (f->kind == GLC_CFG_UNKNOWN)
        return 1;
    struct validator v = {.cx = cx, .root = load_schema(cx, f->kind)};
    struct glc_loc top = {.file = (uint32_t)file, .line = 1, .col = 1};
    validate(&v, f->root, v.root, NULL, top);
    for (size_t i = 0; i < v.nre; i++)
        if (v.re[i].ok)
            regfree(&v.re[i].re);
    return v.errors;
}
