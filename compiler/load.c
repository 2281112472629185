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
#define MAX_WEIGHT       (1u << 24)   /* nodes after alias expansion */

struct frame {
    struct glc_ynode *node;     /* the collection being built */
    struct glc_ynode *key;      /* pending key of a mapping */
    void *vec;                  /* malloc'd growable pairs / items */
    size_t len, cap;
    const char *anchor;
};

struct anchor {
    const char *name;
    struct glc_ynode *node;
};

struct loader {
    struct glc_ctx *cx;
    int file;
    struct frame *stack;
    size_t depth, stack_cap;
    struct anchor *anchors;
    size_t nanchors, anchors_cap;
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
    size_t cap = 64 * 1024, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > MAX_FILE_BYTES) {
                free(buf);
                fclose(f);
                *why = "file larger than 64 MiB";
                return -2;
            }
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        if (!buf) {
            fclose(f);
            *why = "out of memory";
            return -1;
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
    at.col = (uint32_t)(off - f->line_off[lo]) + 1;
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
    if (!name)
        return;
    ld->anchors = grow(ld->anchors, &ld->anchors_cap, ld->nanchors, sizeof *ld->anchors);
    ld->anchors[ld->nanchors].name = name;
    ld->anchors[ld->nanchors].node = n;
    ld->nanchors++;
}

static struct glc_ynode *find_anchor(struct loader *ld, const char *name)
{
    for (size_t i = ld->nanchors; i-- > 0;) /* latest definition wins */
        if (strcmp(ld->anchors[i].name, name) == 0)
            return ld->anchors[i].node;
    return NULL;
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
 * the document root). */
static void attach(struct loader *ld, struct glc_ynode *n)
{
    if (ld->depth == 0) {
        ld->root = n;
        return;
    }
    struct frame *fr = &ld->stack[ld->depth - 1];
    fr->node->weight += n->weight;
    if (over_budget(ld, n->at, fr->node->weight))
        return;
    if (fr->node->kind == GLC_YSEQ) {
        fr->vec = grow(fr->vec, &fr->cap, fr->len, sizeof(struct glc_ynode *));
        ((struct glc_ynode **)fr->vec)[fr->len++] = n;
        return;
    }
    if (!fr->key) {
        if (n->kind != GLC_YSCALAR) {
            fail(ld, "GLC001", n->at, "complex mapping keys are not supported",
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

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
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
                                                "duplicate key '%s'", k);
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

static bool map_has(const struct glc_ypair *pairs, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(pairs[i].key->u.str, key) == 0)
            return true;
    return false;
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
                if (map_has(fr->vec, fr->len, src->u.pairs[k].key->u.str))
                    continue;
                fr->vec = grow(fr->vec, &fr->cap, fr->len, sizeof(struct glc_ypair));
                ((struct glc_ypair *)fr->vec)[fr->len++] = src->u.pairs[k];
            }
        }
    }
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
        memcpy(n->u.pairs, fr->vec, sizeof(struct glc_ypair) * cnt);
    } else {
        n->count = (uint32_t)fr->len;
        n->u.items = glc_alloc(ld->cx->arena, sizeof(struct glc_ynode *) * (fr->len ? fr->len : 1));
        memcpy(n->u.items, fr->vec, sizeof(struct glc_ynode *) * fr->len);
    }
    free(fr->vec);
    add_anchor(ld, fr->anchor, n);
    attach(ld, n);
}

/* libfyaml marks a quoted scalar's content; the caret should cover the quotes. */
static void widen_to_quotes(const struct loader *ld, struct glc_loc *at)
{
    const struct glc_file *f = &ld->cx->files[ld->file];
    if (at->line == 0 || at->line > f->nlines || at->col < 2)
        return;
    const char *line = f->text + f->line_off[at->line - 1];
    char q = line[at->col - 2];
    if (q != '"' && q != '\'')
        return;
    at->col--;
    if (at->end_line == at->line && at->end_col && line[at->end_col - 1] == q)
        at->end_col++;
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
        widen_to_quotes(ld, &n->at);
    if (ev->scalar.tag) {
        fail(ld, "GLC001", n->at, "YAML tags are not supported in glc configs",
             "remove the tag (e.g. !!str); quote a value to make it a string");
        return;
    }
    if (strlen(n->u.str) != len) {
        fail(ld, "GLC010", n->at, "a string value contains a NUL character", NULL);
        return;
    }
    if (ev->scalar.anchor)
        add_anchor(ld, token_text(ld, ev->scalar.anchor, NULL), n);
    attach(ld, n);
}

static void on_alias(struct loader *ld, struct fy_event *ev)
{
    struct glc_loc at = event_loc(ld, ev);
    const char *name = token_text(ld, ev->alias.anchor, NULL);
    struct glc_ynode *target = find_anchor(ld, name);
    if (!target) {
        fail(ld, "GLC001", at, glc_sprintf(ld->cx->arena, "unknown alias '*%s'", name),
             "define the anchor (&name) before using it");
        return;
    }
    if (over_budget(ld, at, target->weight))
        return;
    attach(ld, target);
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
        fail(ld, "GLC001", at,
             glc_sprintf(ld->cx->arena, "YAML syntax error: %s", e->msg ? e->msg : "invalid YAML"),
             NULL);
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
        push(ld, GLC_YMAP, ev, ev->mapping_start.anchor);
        break;
    case FYET_SEQUENCE_START:
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
    free(ld.anchors);
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
        glc_report(cx, "GLC011", (struct glc_loc){.file = (uint32_t)idx, .line = 1, .col = 1}, NULL,
                   "%s", why);
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
