/*
 * load.c — stage 1: bytes → glc's compact, located YAML tree.
 *
 * libfyaml's event parser feeds a small stack machine; libfyaml's document
 * builder is not used (its duplicate-key check is quadratic and its tree costs
 * ~4 KB a node). Duplicate keys are found with a hash per mapping, aliases
 * share the anchored node, merge keys (<<) are resolved, and budgets bound
 * nesting depth, alias expansion and size, so hostile input stays harmless.
 */
#include "glc.h"

#include <errno.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_BYTES   (64u << 20)  /* 64 MiB */
#define MAX_DEPTH        64           /* glc's configs nest 6 deep */
#define MAX_WEIGHT       (1u << 22)   /* nodes after alias expansion (100k breakers ~ 1M) */

struct frame {
    struct glc_ynode *node;     /* the collection being built */
    struct glc_ynode *key;      /* pending key of a mapping */
    void *vec;                  /* malloc'd growable pairs / items */
    size_t len, cap;
    const char *anchor;
};

/* A string-keyed open-addressing hash table (malloc'd). Used for anchors
 * (name -> node, the latest definition wins) and for merge keys, so hostile
 * inputs with 100k anchors or keys stay linear. */
struct strmap {
    const char **keys;
    void **vals;
    size_t cap, n;
};

struct loader {
    struct glc_ctx *cx;
    int file;
    struct frame *stack;
    size_t depth, stack_cap;
    struct strmap anchors;
    struct glc_ynode *root;
    int ndocs;
    bool failed;
};

/* ---- small helpers ---- */

static void *grow(void *vec, size_t *cap, size_t len, size_t elem)
{
    if (len < *cap)
        return vec;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = realloc(vec, ncap * elem);
    if (!p) {
        fputs("glc: out of memory\n", stderr);
        abort();
    }
    *cap = ncap;
    return p;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void strmap_rehash(struct strmap *m, size_t ncap)
{
    const char **keys = calloc(ncap, sizeof *keys);
    void **vals = calloc(ncap, sizeof *vals);
    if (!keys || !vals) {
        fputs("glc: out of memory\n", stderr);
        abort();
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t h = (size_t)hash_str(m->keys[i]) & (ncap - 1);
        while (keys[h])
            h = (h + 1) & (ncap - 1);
        keys[h] = m->keys[i];
        vals[h] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = ncap;
}

/* The value slot of key, inserted (with a NULL value) when absent. */
static void **strmap_slot(struct strmap *m, const char *key)
{
    if ((m->n + 1) * 2 > m->cap)
        strmap_rehash(m, m->cap ? m->cap * 2 : 16);
    size_t h = (size_t)hash_str(key) & (m->cap - 1);
    for (; m->keys[h]; h = (h + 1) & (m->cap - 1))
        if (strcmp(m->keys[h], key) == 0)
            return &m->vals[h];
    m->keys[h] = key;
    m->n++;
    return &m->vals[h];
}

static void *strmap_get(const struct strmap *m, const char *key)
{
    if (!m->cap)
        return NULL;
    size_t h = (size_t)hash_str(key) & (m->cap - 1);
    for (; m->keys[h]; h = (h + 1) & (m->cap - 1))
        if (strcmp(m->keys[h], key) == 0)
            return m->vals[h];
    return NULL;
}

static void strmap_free(struct strmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* Columns are counted in code points (as libfyaml's marks and SARIF's
 * columnKind "unicodeCodePoints" do); these convert within one line. */
static size_t col_to_byte(const char *line, size_t len, uint32_t col)
{
    size_t i = 0;
    for (uint32_t c = 1; c < col && i < len; c++) {
        i++;
        while (i < len && ((unsigned char)line[i] & 0xc0) == 0x80)
            i++;
    }
    return i;
}

static uint32_t byte_to_col(const char *line, size_t off)
{
    uint32_t col = 1;
    for (size_t i = 0; i < off; i++)
        col += ((unsigned char)line[i] & 0xc0) != 0x80;
    return col;
}

static struct glc_loc mark_loc(const struct loader *ld, const struct fy_mark *s,
                               const struct fy_mark *e)
{
    struct glc_loc at = {.file = (uint32_t)ld->file,
                         .line = (uint32_t)s->line + 1, .col = (uint32_t)s->column + 1};
    if (e) {
        at.end_line = (uint32_t)e->line + 1;
        at.end_col = (uint32_t)e->column + 1;
    }
    return at;
}

static struct glc_loc event_loc(const struct loader *ld, struct fy_event *ev)
{
    const struct fy_mark *s = fy_event_start_mark(ev), *e = fy_event_end_mark(ev);
    if (!s) {
        struct glc_loc at = {.file = (uint32_t)ld->file, .line = 1, .col = 1};
        return at;
    }
    return mark_loc(ld, s, e);
}

static void fail(struct loader *ld, const char *code, struct glc_loc at, const char *msg,
                 const char *help)
{
    if (ld->failed)
        return;
    ld->failed = true;
    struct glc_diag *d = glc_report(ld->cx, code, at, NULL, "%s", msg);
    if (help)
        glc_help(ld->cx, d, "%s", help);
}

/* ---- file reading and byte-level checks ---- */

static int read_all(const char *path, char **out, size_t *len, const char **why)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *why = strerror(errno);
        return -1;
    }
    /* Read at most MAX_FILE_BYTES + 1 bytes: one more than the cap proves the
     * file is too large without reading the rest (works for pipes and devices). */
    size_t cap = 64 * 1024, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (!buf) {
            fclose(f);
            *why = "out of memory";
            return -1;
        }
        if (n == cap) {
            if (cap > MAX_FILE_BYTES) {
                free(buf);
                fclose(f);
                *why = "the file is larger than 64 MiB";
                return -2;
            }
            size_t ncap = cap * 2 > MAX_FILE_BYTES ? (size_t)MAX_FILE_BYTES + 1 : cap * 2;
            char *nb = realloc(buf, ncap + 1);
            if (!nb)
                free(buf);
            buf = nb;
            cap = ncap;
            continue;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        *why = "read error";
        return -1;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

/* Index line starts so diagnostics can print source lines. */
static void index_lines(struct glc_ctx *cx, struct glc_file *f)
{
    uint32_t n = 1;
    for (size_t i = 0; i < f->len; i++)
        n += f->text[i] == '\n';
    uint32_t *off = glc_alloc(cx->arena, sizeof *off * (n + 1));
    uint32_t k = 0;
    off[k++] = 0;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n')
            off[k++] = (uint32_t)(i + 1);
    f->line_off = off;
    f->nlines = n;
}

static struct glc_loc offset_loc(const struct glc_file *f, int file, size_t off)
{
    struct glc_loc at = {.file = (uint32_t)file, .line = 1, .col = 1};
    uint32_t lo = 0, hi = f->nlines;
    while (hi - lo > 1) {           /* last line start <= off */
        uint32_t mid = (lo + hi) / 2;
        if (f->line_off[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    at.line = lo + 1;
    size_t start = f->line_off[lo];
    if (lo == 0 && off >= 3 && !memcmp(f->text, "\xef\xbb\xbf", 3))
        start = 3; /* columns start after a byte order mark */
    at.col = byte_to_col(f->text + start, off - start);
    return at;
}

/* Length of a valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    if (left < n)
        return 0;
    unsigned cp = c & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* glc reads UTF-8 text only: NUL bytes, control characters and invalid
 * sequences mean binary input, reported at the first offending byte. */
static bool check_text(struct glc_ctx *cx, int file)
{
    const struct glc_file *f = &cx->files[file];
    const unsigned char *p = (const unsigned char *)f->text;
    size_t i = 0;
    if (f->len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
        i = 3; /* BOM */
    while (i < f->len) {
        unsigned c = p[i];
        if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) {
            struct glc_diag *d = glc_report(cx, "GLC010", offset_loc(f, file, i), NULL,
                                            "binary data: control byte 0x%02x is not allowed in a config file", c);
            glc_help(cx, d, "glc reads UTF-8 YAML text; check that the right file was given");
            return false;
        }
        size_t n = utf8_len(p + i, f->len - i);
        if (n == 0) {
            struct glc_diag *d = glc_report(cx, "GLC010", offset_loc(f, file, i), NULL,
                                            "invalid UTF-8 byte 0x%02x", c);
            glc_help(cx, d, "save the file as UTF-8");
            return false;
        }
        i += n;
    }
    return true;
}

/* ---- tree building ---- */

static struct glc_ynode *new_node(struct loader *ld, int kind, struct glc_loc at)
{
    struct glc_ynode *n = glc_alloc(ld->cx->arena, sizeof *n);
    n->kind = (uint8_t)kind;
    n->at = at;
    n->weight = 1;
    return n;
}

static const char *token_text(struct loader *ld, struct fy_token *t, size_t *len)
{
    size_t n = 0;
    const char *s = t ? fy_token_get_text(t, &n) : NULL;
    if (!s) {
        s = "";
        n = 0;
    }
    if (len)
        *len = n;
    return glc_strndup(ld->cx->arena, s, n);
}

static void add_anchor(struct loader *ld, const char *name, struct glc_ynode *n)
{
    if (name)
        *strmap_slot(&ld->anchors, name) = n; /* a redefinition replaces: latest wins */
}

static struct glc_ynode *find_anchor(struct loader *ld, const char *name)
{
    return strmap_get(&ld->anchors, name);
}

static bool over_budget(struct loader *ld, struct glc_loc at, uint64_t weight)
{
    if (weight <= MAX_WEIGHT)
        return false;
    fail(ld, "GLC011", at,
         glc_sprintf(ld->cx->arena, "document expands to more than %u nodes through aliases",
                     MAX_WEIGHT),
         "this looks like an alias bomb; write the values out or use fewer nested aliases");
    return true;
}

/* Attach a finished node to the collection on top of the stack (or make it
 * the document root); `where` is the position a budget error names. */
static void attach(struct loader *ld, struct glc_ynode *n, struct glc_loc where)
{
    if (ld->depth == 0) {
        ld->root = n;
        return;
    }
    struct frame *fr = &ld->stack[ld->depth - 1];
    fr->node->weight += n->weight;
    if (over_budget(ld, where, fr->node->weight))
        return;
    if (fr->node->kind == GLC_YSEQ) {
        fr->vec = grow(fr->vec, &fr->cap, fr->len, sizeof(struct glc_ynode *));
        ((struct glc_ynode **)fr->vec)[fr->len++] = n;
        return;
    }
    if (!fr->key) {
        if (n->kind != GLC_YSCALAR) {
            fail(ld, "GLC001", where, "complex mapping keys are not supported",
                 "use a plain string as the key");
            return;
        }
        fr->key = n;
        return;
    }
    fr->vec = grow(fr->vec, &fr->cap, fr->len, sizeof(struct glc_ypair));
    struct glc_ypair *p = &((struct glc_ypair *)fr->vec)[fr->len++];
    p->key = fr->key;
    p->val = n;
    fr->key = NULL;
}

static void push(struct loader *ld, int kind, struct fy_event *ev, struct fy_token *anchor)
{
    struct glc_loc at = event_loc(ld, ev);
    if (ld->depth >= MAX_DEPTH) {
        fail(ld, "GLC011", at,
             glc_sprintf(ld->cx->arena, "nesting deeper than %d levels", MAX_DEPTH),
             "glc configs nest a few levels deep; check the indentation");
        return;
    }
    ld->stack = grow(ld->stack, &ld->stack_cap, ld->depth, sizeof *ld->stack);
    struct frame *fr = &ld->stack[ld->depth++];
    memset(fr, 0, sizeof *fr);
    fr->node = new_node(ld, kind, at);
    fr->anchor = anchor ? token_text(ld, anchor, NULL) : NULL;
}


/* Report duplicate keys among the pairs, in O(n) with an open-addressing set. */
static void check_duplicates(struct loader *ld, struct glc_ypair *pairs, size_t n)
{
    if (n < 2)
        return;
    size_t cap = 16;
    while (cap < n * 2)
        cap *= 2;
    uint32_t *slot = calloc(cap, sizeof *slot); /* pair index + 1 */
    if (!slot)
        abort();
    for (size_t i = 0; i < n; i++) {
        const char *k = pairs[i].key->u.str;
        size_t h = (size_t)hash_str(k) & (cap - 1);
        for (;; h = (h + 1) & (cap - 1)) {
            if (!slot[h]) {
                slot[h] = (uint32_t)i + 1;
                break;
            }
            const struct glc_ypair *prev = &pairs[slot[h] - 1];
            if (strcmp(prev->key->u.str, k) == 0) {
                struct glc_diag *d = glc_report(ld->cx, "GLC002", pairs[i].key->at, NULL,
                                                "duplicate key '%s'", glc_shown(ld->cx->arena, k));
                glc_related(ld->cx, d, prev->key->at, "first defined here");
                glc_help(ld->cx, d, "remove one of the two; YAML readers disagree on which wins");
                break;
            }
        }
    }
    free(slot);
}

static bool is_merge_key(const struct glc_ynode *k)
{
    return !k->quoted && strcmp(k->u.str, "<<") == 0;
}

/* Resolve `<<: *base` / `<<: [*a, *b]`: explicit keys win, then earlier maps. */
static size_t apply_merges(struct loader *ld, struct frame *fr)
{
    struct glc_ypair *pairs = fr->vec;
    size_t n = 0, nmerge = 0;
    for (size_t i = 0; i < fr->len; i++)
        if (is_merge_key(pairs[i].key))
            nmerge++;
    if (!nmerge)
        return fr->len;
    /* compact the explicit pairs, remember the merge sources */
    struct glc_ypair *merges = malloc(nmerge * sizeof *merges);
    size_t m = 0;
    for (size_t i = 0; i < fr->len; i++) {
        if (is_merge_key(pairs[i].key))
            merges[m++] = pairs[i];
        else
            pairs[n++] = pairs[i];
    }
    fr->len = n;
    struct strmap seen = {0}; /* keys already in the map: explicit, then merged */
    for (size_t i = 0; i < n; i++)
        *strmap_slot(&seen, pairs[i].key->u.str) = pairs;
    for (size_t i = 0; i < m; i++) {
        struct glc_ynode *v = merges[i].val;
        size_t nsrc = v->kind == GLC_YSEQ ? v->count : 1;
        for (size_t j = 0; j < nsrc; j++) {
            struct glc_ynode *src = v->kind == GLC_YSEQ ? v->u.items[j] : v;
            if (src->kind != GLC_YMAP) {
                fail(ld, "GLC001", src->at, "a merge key (<<) needs a mapping or a list of mappings",
                     NULL);
                continue;
            }
            for (size_t k = 0; k < src->count; k++) {
                void **slot = strmap_slot(&seen, src->u.pairs[k].key->u.str);
                if (*slot)
                    continue;
                *slot = src;
                fr->vec = grow(fr->vec, &fr->cap, fr->len, sizeof(struct glc_ypair));
                ((struct glc_ypair *)fr->vec)[fr->len++] = src->u.pairs[k];
            }
        }
    }
    strmap_free(&seen);
    free(merges);
    return fr->len;
}

static void pop(struct loader *ld)
{
    struct frame *fr = &ld->stack[--ld->depth];
    struct glc_ynode *n = fr->node;
    if (n->kind == GLC_YMAP) {
        if (fr->key) { /* a key without value cannot come from a valid stream */
            fr->vec = grow(fr->vec, &fr->cap, fr->len, sizeof(struct glc_ypair));
            struct glc_ypair *p = &((struct glc_ypair *)fr->vec)[fr->len++];
            p->key = fr->key;
            p->val = new_node(ld, GLC_YSCALAR, fr->key->at);
            p->val->u.str = "";
        }
        check_duplicates(ld, fr->vec, fr->len);
        size_t cnt = apply_merges(ld, fr);
        n->count = (uint32_t)cnt;
        n->u.pairs = glc_alloc(ld->cx->arena, sizeof(struct glc_ypair) * (cnt ? cnt : 1));
        if (cnt) /* an empty {} has no vector: memcpy from NULL is undefined */
            memcpy(n->u.pairs, fr->vec, sizeof(struct glc_ypair) * cnt);
    } else {
        n->count = (uint32_t)fr->len;
        n->u.items = glc_alloc(ld->cx->arena, sizeof(struct glc_ynode *) * (fr->len ? fr->len : 1));
        if (fr->len)
            memcpy(n->u.items, fr->vec, sizeof(struct glc_ynode *) * fr->len);
    }
    free(fr->vec);
    add_anchor(ld, fr->anchor, n);
    attach(ld, n, n->at);
}

/* libfyaml marks a quoted scalar's content; the caret should cover the quotes. */
static const char *line_text(const struct glc_file *f, uint32_t line, size_t *len)
{
    const char *p = f->text + f->line_off[line - 1];
    if (line == 1 && f->len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
        p += 3; /* libfyaml's columns start after a byte order mark */
    const char *eol = memchr(p, '\n', (size_t)(f->text + f->len - p));
    *len = eol ? (size_t)(eol - p) : (size_t)(f->text + f->len - p);
    return p;
}

/* The source character at a location ('\0' when out of range). */
static char char_at(const struct loader *ld, struct glc_loc at)
{
    const struct glc_file *f = &ld->cx->files[ld->file];
    if (at.line == 0 || at.line > f->nlines)
        return '\0';
    size_t len;
    const char *line = line_text(f, at.line, &len);
    size_t b = col_to_byte(line, len, at.col);
    return b < len ? line[b] : '\0';
}

/* The input byte just before / at a mark, or '\0' (marks carry byte offsets,
 * so looking at the source costs O(1) even on a 10 MB line). */
static char byte_before(const struct loader *ld, const struct fy_mark *m)
{
    const struct glc_file *f = &ld->cx->files[ld->file];
    return m && m->input_pos >= 1 && m->input_pos <= f->len ? f->text[m->input_pos - 1] : '\0';
}

static char byte_at(const struct loader *ld, const struct fy_mark *m)
{
    const struct glc_file *f = &ld->cx->files[ld->file];
    return m && m->input_pos < f->len ? f->text[m->input_pos] : '\0';
}

/* libfyaml marks a quoted scalar's content; the caret should cover the quotes. */
static void widen_to_quotes(const struct loader *ld, struct fy_event *ev, struct glc_loc *at)
{
    char q = byte_before(ld, fy_event_start_mark(ev));
    if (at->col < 2 || (q != '"' && q != '\''))
        return;
    at->col--;
    if (at->end_line == at->line && at->end_col && byte_at(ld, fy_event_end_mark(ev)) == q)
        at->end_col++;
}

static void reject_tag(struct loader *ld, struct fy_token *tag, struct glc_loc at)
{
    const struct fy_mark *m = fy_token_start_mark(tag), *e = fy_token_end_mark(tag);
    if (m)
        at = mark_loc(ld, m, e);
    /* quote the tag as written (!!binary), not resolved (tag:yaml.org,2002:binary) */
    const struct glc_file *f = &ld->cx->files[ld->file];
    size_t len = 0;
    const char *text = "";
    if (m && e && m->input_pos < e->input_pos && e->input_pos <= f->len) {
        text = f->text + m->input_pos;
        len = e->input_pos - m->input_pos;
    }
    if (!len)
        text = token_text(ld, tag, &len);
    fail(ld, "GLC001", at,
         glc_sprintf(ld->cx->arena, "YAML tag '%.*s' is not supported in glc configs",
                     len > 40 ? 40 : (int)len, text),
         "remove the tag; quote a value to make it a string");
}

static void on_scalar(struct loader *ld, struct fy_event *ev)
{
    struct glc_ynode *n = new_node(ld, GLC_YSCALAR, event_loc(ld, ev));
    size_t len;
    n->u.str = token_text(ld, ev->scalar.value, &len);
    n->count = (uint32_t)len;
    enum fy_scalar_style st = fy_token_scalar_style(ev->scalar.value);
    n->quoted = st != FYSS_PLAIN && st != FYSS_ANY;
    if (st == FYSS_SINGLE_QUOTED || st == FYSS_DOUBLE_QUOTED)
        widen_to_quotes(ld, ev, &n->at);
    if (ev->scalar.tag) {
        reject_tag(ld, ev->scalar.tag, n->at);
        return;
    }
    if (strlen(n->u.str) != len) {
        fail(ld, "GLC010", n->at, "a string value contains a NUL character", NULL);
        return;
    }
    if (ev->scalar.anchor)
        add_anchor(ld, token_text(ld, ev->scalar.anchor, NULL), n);
    attach(ld, n, n->at);
}

static void on_alias(struct loader *ld, struct fy_event *ev)
{
    struct glc_loc at = event_loc(ld, ev);
    if (at.col > 1 && byte_before(ld, fy_event_start_mark(ev)) == '*')
        at.col--; /* libfyaml marks the name; the span should include the '*' */
    const char *name = token_text(ld, ev->alias.anchor, NULL);
    struct glc_ynode *target = find_anchor(ld, name);
    if (!target) {
        fail(ld, "GLC001", at, glc_sprintf(ld->cx->arena, "unknown alias '*%s'", glc_shown(ld->cx->arena, name)),
             "define the anchor (&name) before using it");
        return;
    }
    if (over_budget(ld, at, target->weight))
        return;
    if (target->kind == GLC_YSCALAR) {
        /* A scalar is copied so it carries the alias's own position: a
         * diagnostic about `*name` (or about an alias used as a key) then
         * points where it is used, not at the anchor. */
        struct glc_ynode *copy = new_node(ld, GLC_YSCALAR, at);
        copy->quoted = target->quoted;
        copy->count = target->count;
        copy->u.str = target->u.str;
        target = copy;
    }
    attach(ld, target, at); /* a budget error points at the alias that overflows */
}

/* True when only blanks follow the location: the parser ran out of input. */
static bool at_eof(const struct loader *ld, struct glc_loc at)
{
    const struct glc_file *f = &ld->cx->files[ld->file];
    if (at.line > f->nlines)
        return true;
    size_t len;
    const char *line = line_text(f, at.line, &len);
    for (const char *p = line + col_to_byte(line, len, at.col); p < f->text + f->len; p++)
        if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t')
            return false;
    return true;
}

/* An unclosed '[' or '{' is reported where it opens (the parser only notices
 * at the end of the file); the end is a related location. */
static bool unclosed_flow(struct loader *ld, struct glc_loc end, const char *msg)
{
    char open = strstr(msg, "flow sequence") ? '[' : strstr(msg, "flow mapping") ? '{' : 0;
    if (!open || (!strstr(msg, "without a closing") && !at_eof(ld, end)))
        return false;
    for (size_t i = ld->depth; i-- > 0;) {
        struct glc_loc at = ld->stack[i].node->at;
        if (char_at(ld, at) != open)
            continue;
        at.end_line = at.line;
        at.end_col = at.col + 1;
        struct glc_diag *d = glc_report(ld->cx, "GLC001", at, NULL, "YAML syntax error: %s",
                                        open == '[' ? "flow sequence without a closing bracket"
                                                    : "flow mapping without a closing brace");
        glc_related(ld->cx, d, end, "the file ends before the closing '%c'", open == '[' ? ']' : '}');
        glc_help(ld->cx, d, "add the closing '%c'", open == '[' ? ']' : '}');
        ld->failed = true;
        return true;
    }
    return false;
}

static void parser_error(struct loader *ld, struct fy_diag *diag)
{
    void *it = NULL;
    struct fy_diag_error *e;
    while ((e = fy_diag_errors_iterate(diag, &it)) != NULL) {
        if (e->type < FYET_ERROR)
            continue;
        struct glc_loc at = {.file = (uint32_t)ld->file,
                             .line = e->line > 0 ? (uint32_t)e->line : 1,
                             .col = e->column > 0 ? (uint32_t)e->column : 1};
        const char *msg = e->msg ? e->msg : "invalid YAML";
        if (unclosed_flow(ld, at, msg))
            return;
        if (strstr(msg, "without closing quote") && at.col > 1) {
            struct glc_loc q = at; /* libfyaml marks the content; point at the quote */
            q.col--;
            char c = char_at(ld, q);
            if (c == '"' || c == '\'')
                at = q;
        }
        fail(ld, "GLC001", at, glc_sprintf(ld->cx->arena, "YAML syntax error: %s", msg), NULL);
        /* "wrongly indented flow sequence" and the like: the usual cause is a
         * bracket left open further up, so point at it */
        for (size_t i = ld->depth; strstr(msg, "flow") && i-- > 0;) {
            char c = char_at(ld, ld->stack[i].node->at);
            if (c != '[' && c != '{')
                continue;
            struct glc_diag *d = ld->cx->diags[ld->cx->ndiags - 1];
            glc_related(ld->cx, d, ld->stack[i].node->at, "the '%c' opened here is not closed yet", c);
            glc_help(ld->cx, d, "close it with '%c' on its line, or indent the continuation lines",
                     c == '[' ? ']' : '}');
            break;
        }
        return;
    }
    struct glc_loc at = {.file = (uint32_t)ld->file, .line = 1, .col = 1};
    fail(ld, "GLC001", at, "YAML syntax error", NULL);
}

static void on_event(struct loader *ld, struct fy_event *ev)
{
    switch (ev->type) {
    case FYET_DOCUMENT_START:
        if (++ld->ndocs > 1)
            fail(ld, "GLC010", event_loc(ld, ev), "a config file holds one YAML document, found a second",
                 "split the documents into separate files");
        break;
    case FYET_MAPPING_START:
        if (ev->mapping_start.tag)
            reject_tag(ld, ev->mapping_start.tag, event_loc(ld, ev));
        else
            push(ld, GLC_YMAP, ev, ev->mapping_start.anchor);
        break;
    case FYET_SEQUENCE_START:
        if (ev->sequence_start.tag)
            reject_tag(ld, ev->sequence_start.tag, event_loc(ld, ev));
        else
            push(ld, GLC_YSEQ, ev, ev->sequence_start.anchor);
        break;
    case FYET_MAPPING_END:
    case FYET_SEQUENCE_END:
        if (ld->depth)
            pop(ld);
        break;
    case FYET_SCALAR:
        on_scalar(ld, ev);
        break;
    case FYET_ALIAS:
        on_alias(ld, ev);
        break;
    default:
        break;
    }
}

static void parse_text(struct glc_ctx *cx, int file)
{
    struct glc_file *f = &cx->files[file];
    struct loader ld = {.cx = cx, .file = file};
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg cfg = {.search_path = "", .flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG |
                                                          FYPCF_DISABLE_RECYCLING, .diag = diag};
    struct fy_parser *fyp = fy_parser_create(&cfg);
    if (!fyp || fy_parser_set_string(fyp, f->text, f->len) != 0) {
        fail(&ld, "GLC001", (struct glc_loc){.file = (uint32_t)file, .line = 1, .col = 1},
             "cannot start the YAML parser", NULL);
    } else {
        struct fy_event *ev;
        while (!ld.failed && (ev = fy_parser_parse(fyp)) != NULL) {
            on_event(&ld, ev);
            fy_parser_event_free(fyp, ev);
        }
        if (!ld.failed && fy_parser_get_stream_error(fyp))
            parser_error(&ld, diag);
    }
    for (size_t i = 0; i < ld.depth; i++)
        free(ld.stack[i].vec);
    free(ld.stack);
    strmap_free(&ld.anchors);
    if (fyp)
        fy_parser_destroy(fyp);
    fy_diag_destroy(diag);
    if (ld.failed)
        return;
    if (!ld.root || (ld.root->kind == GLC_YSCALAR && !ld.root->quoted && ld.root->u.str[0] == '\0')) {
        struct glc_diag *d = glc_report(cx, "GLC010", (struct glc_loc){.file = (uint32_t)file, .line = 1, .col = 1},
                                        NULL, "empty file: no configuration found");
        glc_help(cx, d, "a kubernetes config starts with 'kubernetes:', a resilience config with 'circuit_breaker:'");
        return;
    }
    f->root = ld.root;
}

static int add_file(struct glc_ctx *cx, const char *path, char *text, size_t len)
{
    if (cx->nfiles == cx->files_cap) {
        cx->files_cap = cx->files_cap ? cx->files_cap * 2 : 4;
        cx->files = realloc(cx->files, cx->files_cap * sizeof *cx->files);
        if (!cx->files)
            abort();
    }
    int idx = (int)cx->nfiles++;
    struct glc_file *f = &cx->files[idx];
    memset(f, 0, sizeof *f);
    f->path = glc_strdup(cx->arena, path);
    f->text = glc_strndup(cx->arena, text, len);
    f->len = len;
    index_lines(cx, f);
    return idx;
}

int glc_load_buffer(struct glc_ctx *cx, const char *path, const char *buf, size_t len)
{
    int idx = add_file(cx, path, (char *)buf, len);
    if (check_text(cx, idx))
        parse_text(cx, idx);
    return idx;
}

int glc_load_file(struct glc_ctx *cx, const char *path)
{
    char *text = NULL;
    size_t len = 0;
    const char *why = NULL;
    int rc = read_all(path, &text, &len, &why);
    if (rc == -1) {
        fprintf(stderr, "glc: error: cannot read '%s': %s\n", path, why);
        return -1;
    }
    if (rc == -2) {
        int idx = add_file(cx, path, "", 0);
        struct glc_diag *d = glc_report(cx, "GLC011", (struct glc_loc){.file = (uint32_t)idx, .line = 1, .col = 1},
                                        NULL, "%s (glc's limit for a config file)", why);
        glc_help(cx, d, "a glc config is a few kilobytes; check that the right file was given");
        return idx;
    }
    int idx = glc_load_buffer(cx, path, text, len);
    free(text);
    return idx;
}

const struct glc_ynode *glc_ymap_get(const struct glc_ynode *map, const char *key)
{
    if (!map || map->kind != GLC_YMAP)
        return NULL;
    for (uint32_t i = 0; i < map->count; i++)
        if (strcmp(map->u.pairs[i].key->u.str, key) == 0)
            return map->u.pairs[i].val;
    return NULL;
}

struct glc_loc glc_pair_span(const struct glc_ypair *p)
{
    struct glc_loc at = p->key->at;
    const struct glc_loc *v = &p->val->at;
    if (p->val->kind == GLC_YSCALAR && v->line == at.line && v->end_line == at.line) {
        at.end_line = v->end_line;
        at.end_col = v->end_col;
    }
    return at;
}
