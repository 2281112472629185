/*
 * mustache.c — the Mustache renderer behind `view → render`: spec v1.x
 * interpolation, sections, inverted sections, comments, partials and
 * set-delimiters (no lambdas) over a jansson view. A template is compiled once
 * into a flat node array (a section node records where its body ends), then
 * rendered against a context stack; partials are compiled once per render.
 */
#include "glc.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MST_MAX_PARTIAL_DEPTH 64   /* partials including partials (recursion guard) */
#define MST_MAX_SECTION_DEPTH 256  /* sections nested inside one template */
#define MST_NOPARTS ((size_t)-1)   /* a name with an empty part ("a..b"): never resolves */
#define MST_SHOWN 60               /* longest name quoted in an error message */

enum mst_kind { MST_TEXT, MST_VAR, MST_RAW, MST_SECTION, MST_INVERTED, MST_PARTIAL };

struct mst_node {
    enum mst_kind kind;
    const char *text;     /* TEXT: the literal bytes; otherwise the tag's name as written */
    size_t len;
    size_t pos;           /* byte offset of the tag in the source, for line numbers */
    size_t name;          /* pool offset: NUL-separated name parts (partials: whole name) */
    size_t nparts;        /* 0 for ".", MST_NOPARTS for a name that cannot resolve */
    size_t end;           /* SECTION/INVERTED: index one past the section's body */
    const char *indent;   /* PARTIAL: the indentation of a standalone partial tag */
    size_t indent_len;
};

struct mst_tmpl {
    const char *src;
    size_t len;
    struct glc_buf copy;        /* owns the indented source of a partial */
    struct glc_buf pool;        /* tag names, NUL-terminated */
    struct mst_node *nodes;
    size_t n, cap;
    const char *partial_name;   /* NULL for the top-level template */
};

struct mst_err {
    char *buf;
    size_t size;
};

struct mst_parser {
    struct mst_tmpl *t;
    struct mst_err *e;
    size_t pos;                 /* start of the literal text not yet emitted */
    const char *otag, *ctag;    /* current delimiters (point into the source) */
    size_t olen, clen;
    size_t open[MST_MAX_SECTION_DEPTH]; /* node indices of the open sections */
    size_t nopen;
};

struct mst_cached {             /* one compiled partial, per name and indentation */
    const char *name;
    const char *indent;
    size_t indent_len;
    struct mst_tmpl t;
};

struct mst_render {
    const struct glc_mustache *m;
    struct glc_buf *out;
    struct mst_err *e;
    json_t **stack;             /* the context stack; the top is stack[depth - 1] */
    size_t depth, cap;
    struct mst_cached **cache;
    size_t ncache, ccap;
    int pdepth;                 /* partials currently being rendered */
};

/* ------------------------------------------------------------ utilities */

static void *mst_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    p = realloc(p, c * elem);
    if (!p)
        abort();
    *cap = c;
    return p;
}

/* First occurrence of the delimiter d (dn bytes) in s (n bytes), or NULL.
 * Delimiters are short, so this stays linear in n. */
static const char *mst_find(const char *s, size_t n, const char *d, size_t dn)
{
    const char *end = s + n;
    while (dn && (size_t)(end - s) >= dn) {
        const char *c = memchr(s, d[0], (size_t)(end - s) - dn + 1);
        if (!c)
            return NULL;
        if (!memcmp(c, d, dn))
            return c;
        s = c + 1;
    }
    return NULL;
}

static size_t mst_line(const struct mst_tmpl *t, size_t pos)
{
    size_t line = 1;
    for (size_t i = 0; i < pos && i < t->len; i++)
        line += t->src[i] == '\n';
    return line;
}

/* Record the first error as "line N: message[ (in partial 'p')]"; returns -1. */
static int mst_fail(struct mst_err *e, const struct mst_tmpl *t, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int mst_fail(struct mst_err *e, const struct mst_tmpl *t, size_t pos, const char *fmt, ...)
{
    if (!e->buf || !e->size || e->buf[0])
        return -1;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *pn = t->partial_name;
    snprintf(e->buf, e->size, "line %zu: %s%s%s%s", mst_line(t, pos), msg,
             pn ? " (in partial '" : "", pn ? pn : "", pn ? "')" : "");
    return -1;
}

static bool mst_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void mst_trim(const char **s, size_t *n)
{
    while (*n && mst_space(**s))
        (*s)++, (*n)--;
    while (*n && mst_space((*s)[*n - 1]))
        (*n)--;
}

static int mst_shown(size_t n)
{
    return n > MST_SHOWN ? MST_SHOWN : (int)n;
}

/* ------------------------------------------------------------ templates */

static void mst_tmpl_free(struct mst_tmpl *t)
{
    glc_buf_free(&t->copy);
    glc_buf_free(&t->pool);
    free(t->nodes);
}

/* Use src as the template's source; with an indentation, every line of it is
 * indented first (a standalone partial), so the copy owns the bytes. */
static void mst_tmpl_source(struct mst_tmpl *t, const char *src, size_t n,
                            const char *indent, size_t ilen)
{
    if (!ilen) {
        t->src = src;
        t->len = n;
        return;
    }
    size_t line = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && src[i] != '\n')
            continue;
        size_t end = i < n ? i + 1 : n;
        if (end > line) {
            glc_buf_put(&t->copy, indent, ilen);
            glc_buf_put(&t->copy, src + line, end - line);
        }
        line = end;
    }
    t->src = t->copy.data ? t->copy.data : "";
    t->len = t->copy.len;
}

static struct mst_node *mst_add(struct mst_tmpl *t, enum mst_kind kind, size_t pos)
{
    t->nodes = mst_grow(t->nodes, &t->cap, t->n + 1, sizeof *t->nodes);
    struct mst_node *nd = &t->nodes[t->n++];
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    nd->pos = pos;
    return nd;
}

static void mst_add_text(struct mst_tmpl *t, size_t from, size_t to)
{
    if (to <= from)
        return;
    struct mst_node *nd = mst_add(t, MST_TEXT, from);
    nd->text = t->src + from;
    nd->len = to - from;
}

/* Store a tag name in the pool; dotted names are split into NUL-separated parts. */
static void mst_set_name(struct mst_tmpl *t, struct mst_node *nd, const char *s, size_t n,
                         bool split)
{
    nd->text = s;
    nd->len = n;
    nd->name = t->pool.len;
    nd->nparts = 1;
    if (split && n == 1 && s[0] == '.') {
        nd->nparts = 0;
        return;
    }
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && !(split && s[i] == '.'))
            continue;
        if (i == start)
            nd->nparts = MST_NOPARTS;
        glc_buf_put(&t->pool, s + start, i - start);
        glc_buf_putc(&t->pool, '\0');
        if (i < n && nd->nparts != MST_NOPARTS)
            nd->nparts++;
        start = i + 1;
    }
}

/* ------------------------------------------------------------ parser */

static bool mst_default_delims(const struct mst_parser *p)
{
    return p->olen == 2 && p->clen == 2 && !memcmp(p->otag, "{{", 2) && !memcmp(p->ctag, "}}", 2);
}

/* Find the closing delimiter from q; with a lead character ('}' or '='), it
 * must directly precede the delimiter. Sets *cend to the end of the tag's
 * content and returns the offset past the tag, or 0 when the tag is unclosed. */
static size_t mst_find_close(const struct mst_parser *p, size_t q, char lead, size_t *cend)
{
    const char *s = p->t->src;
    size_t len = p->t->len, from = q;
    while (from < len) {
        const char *c = mst_find(s + from, len - from, p->ctag, p->clen);
        if (!c)
            return 0;
        size_t off = (size_t)(c - s);
        if (!lead || (off > q && s[off - 1] == lead)) {
            *cend = lead ? off - 1 : off;
            return off + p->clen;
        }
        from = off + 1;
    }
    return 0;
}

/* A tag alone on its line (only spaces or tabs around it) is standalone: the
 * whole line, newline included, disappears. Sets [*ls, *le) to that line. */
static bool mst_standalone(const struct mst_parser *p, size_t start, size_t tag_end,
                           size_t *ls, size_t *le)
{
    const char *s = p->t->src;
    size_t len = p->t->len, a = start, b = tag_end;
    while (a > p->pos && (s[a - 1] == ' ' || s[a - 1] == '\t'))
        a--;
    if (a > 0 && s[a - 1] != '\n')
        return false;
    while (b < len && (s[b] == ' ' || s[b] == '\t'))
        b++;
    if (b < len && s[b] == '\n')
        b++;
    else if (b + 1 < len && s[b] == '\r' && s[b + 1] == '\n')
        b += 2;
    else if (b < len)
        return false;
    *ls = a;
    *le = b;
    return true;
}

static int mst_set_delims(struct mst_parser *p, size_t start, const char *s, size_t n)
{
    size_t a = 0;
    while (a < n && !mst_space(s[a]))
        a++;
    size_t b = a;
    while (b < n && mst_space(s[b]))
        b++;
    size_t c = b;
    while (c < n && !mst_space(s[c]))
        c++;
    if (a == 0 || b == a || c == b || c != n)
        return mst_fail(p->e, p->t, start,
                        "invalid set-delimiter tag: expected two delimiters separated by space");
    p->otag = s;
    p->olen = a;
    p->ctag = s + b;
    p->clen = c - b;
    return 0;
}

static int mst_open_section(struct mst_parser *p, char type, size_t start, const char *name,
                            size_t n)
{
    if (p->nopen == MST_MAX_SECTION_DEPTH)
        return mst_fail(p->e, p->t, start, "sections nested more than %d levels deep",
                        MST_MAX_SECTION_DEPTH);
    struct mst_node *nd = mst_add(p->t, type == '#' ? MST_SECTION : MST_INVERTED, start);
    mst_set_name(p->t, nd, name, n, true);
    p->open[p->nopen++] = p->t->n - 1;
    return 0;
}

static int mst_close_section(struct mst_parser *p, size_t start, const char *name, size_t n)
{
    if (!p->nopen)
        return mst_fail(p->e, p->t, start, "closing tag '/%.*s' without an open section",
                        mst_shown(n), name);
    struct mst_node *open = &p->t->nodes[p->open[p->nopen - 1]];
    if (open->len != n || memcmp(open->text, name, n))
        return mst_fail(p->e, p->t, start,
                        "closing tag '/%.*s' does not match section '%.*s' opened on line %zu",
                        mst_shown(n), name, mst_shown(open->len), open->text,
                        mst_line(p->t, open->pos));
    open->end = p->t->n;
    p->nopen--;
    return 0;
}

/* Add the node for one tag; indent is the standalone indentation (partials). */
static int mst_tag_node(struct mst_parser *p, char type, size_t start, const char *name,
                        size_t n, const char *indent, size_t ilen)
{
    if (type == '!')
        return 0;
    if (type == '=')
        return mst_set_delims(p, start, name, n);
    if (!n)
        return mst_fail(p->e, p->t, start, "empty tag name");
    if (type == '#' || type == '^')
        return mst_open_section(p, type, start, name, n);
    if (type == '/')
        return mst_close_section(p, start, name, n);
    if (type == '>') {
        struct mst_node *nd = mst_add(p->t, MST_PARTIAL, start);
        mst_set_name(p->t, nd, name, n, false);
        nd->indent = indent;
        nd->indent_len = ilen;
        return 0;
    }
    struct mst_node *nd = mst_add(p->t, type ? MST_RAW : MST_VAR, start);
    mst_set_name(p->t, nd, name, n, true);
    return 0;
}

static char mst_tag_type(const struct mst_parser *p, size_t q)
{
    if (q >= p->t->len)
        return 0;
    char c = p->t->src[q];
    if (c == '{')
        return mst_default_delims(p) ? c : 0;
    return (c && strchr("#^/!>=&", c)) ? c : 0;
}

/* Parse the tag whose opening delimiter starts at `start`. */
static int mst_tag(struct mst_parser *p, size_t start)
{
    const char *s = p->t->src;
    size_t q = start + p->olen, cend = 0;
    char type = mst_tag_type(p, q);
    q += type != 0;
    char lead = type == '{' ? '}' : type == '=' ? '=' : 0;
    size_t tag_end = mst_find_close(p, q, lead, &cend);
    if (!tag_end)
        return mst_fail(p->e, p->t, start, "unclosed tag '%.*s'", mst_shown(p->olen), p->otag);
    size_t ls = start, le = tag_end;
    bool alone = type && strchr("#^/!>=", type) && mst_standalone(p, start, tag_end, &ls, &le);
    mst_add_text(p->t, p->pos, ls);
    p->pos = le;
    const char *name = s + q;
    size_t n = cend - q;
    mst_trim(&name, &n);
    return mst_tag_node(p, type, start, name, n, s + ls, alone ? start - ls : 0);
}

static int mst_compile(struct mst_err *e, struct mst_tmpl *t)
{
    struct mst_parser p = { .t = t, .e = e, .otag = "{{", .olen = 2, .ctag = "}}", .clen = 2 };
    while (p.pos < t->len) {
        const char *o = mst_find(t->src + p.pos, t->len - p.pos, p.otag, p.olen);
        if (!o) {
            mst_add_text(t, p.pos, t->len);
            break;
        }
        if (mst_tag(&p, (size_t)(o - t->src)) < 0)
            return -1;
    }
    if (p.nopen) {
        const struct mst_node *nd = &t->nodes[p.open[p.nopen - 1]];
        return mst_fail(e, t, nd->pos, "unclosed section '%.*s'", mst_shown(nd->len), nd->text);
    }
    return 0;
}

/* ------------------------------------------------------------ values */

/* Shortest "%g" form that reads back as the same double: 1.21, not 1.2100000000000002. */
static void mst_fmt_real(char *buf, size_t size, double d)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

/* Falsey as in the spec's `!!data`: missing, null, false, "", 0, and the
 * empty list. Objects, even empty ones, are truthy. */
static bool mst_truthy(const json_t *v)
{
    if (!v || json_is_null(v) || json_is_false(v))
        return false;
    if (json_is_array(v))
        return json_array_size(v) > 0;
    if (json_is_string(v))
        return json_string_length(v) > 0;
    if (json_is_integer(v))
        return json_integer_value(v) != 0;
    if (json_is_real(v))
        return json_real_value(v) < 0 || json_real_value(v) > 0;
    return true;
}

static json_t *mst_lookup(const struct mst_render *r, const struct mst_tmpl *t,
                          const struct mst_node *nd)
{
    if (nd->nparts == 0)
        return r->depth ? r->stack[r->depth - 1] : NULL;
    if (nd->nparts == MST_NOPARTS)
        return NULL;
    const char *part = t->pool.data + nd->name;
    json_t *v = NULL;
    for (size_t i = r->depth; i-- > 0 && !v;)
        v = json_is_object(r->stack[i]) ? json_object_get(r->stack[i], part) : NULL;
    for (size_t k = 1; v && k < nd->nparts; k++) {
        part += strlen(part) + 1;
        v = json_is_object(v) ? json_object_get(v, part) : NULL;
    }
    return v;
}

static void mst_emit(struct mst_render *r, const char *s, size_t n, bool escape)
{
    if (!escape)
        glc_buf_put(r->out, s, n);
    else if (r->m->escape)
        r->m->escape(r->out, s, n, r->m->escape_ud);
    else
        glc_escape_html(r->out, s, n, NULL);
}

/* Interpolate a value: strings as they are, numbers in their shortest form,
 * booleans as true/false, null or missing as nothing, lists and objects as
 * compact JSON. */
static void mst_put_value(struct mst_render *r, const json_t *v, bool escape)
{
    char num[64];
    if (!v || json_is_null(v))
        return;
    if (json_is_string(v)) {
        mst_emit(r, json_string_value(v), json_string_length(v), escape);
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        mst_emit(r, num, strlen(num), escape);
    } else if (json_is_real(v)) {
        mst_fmt_real(num, sizeof num, json_real_value(v));
        mst_emit(r, num, strlen(num), escape);
    } else if (json_is_boolean(v)) {
        mst_emit(r, json_is_true(v) ? "true" : "false", json_is_true(v) ? 4 : 5, escape);
    } else {
        char *dump = json_dumps(v, JSON_COMPACT);
        if (dump)
            mst_emit(r, dump, strlen(dump), escape);
        free(dump);
    }
}

/* ------------------------------------------------------------ rendering */

static int mst_render_range(struct mst_render *r, const struct mst_tmpl *t, size_t from, size_t to);

static void mst_push(struct mst_render *r, json_t *v)
{
    r->stack = mst_grow(r->stack, &r->cap, r->depth + 1, sizeof *r->stack);
    r->stack[r->depth++] = v;
}

static int mst_render_body(struct mst_render *r, const struct mst_tmpl *t, size_t i, json_t *v)
{
    mst_push(r, v);
    int rc = mst_render_range(r, t, i + 1, t->nodes[i].end);
    r->depth--;
    return rc;
}

static int mst_section(struct mst_render *r, const struct mst_tmpl *t, size_t i)
{
    const struct mst_node *nd = &t->nodes[i];
    json_t *v = mst_lookup(r, t, nd);
    if (nd->kind == MST_INVERTED)
        return mst_truthy(v) ? 0 : mst_render_range(r, t, i + 1, nd->end);
    if (json_is_array(v)) {
        size_t n = json_array_size(v);
        for (size_t k = 0; k < n; k++)
            if (mst_render_body(r, t, i, json_array_get(v, k)) < 0)
                return -1;
        return 0;
    }
    return mst_truthy(v) ? mst_render_body(r, t, i, v) : 0;
}

static struct mst_cached *mst_cache_find(const struct mst_render *r, const char *name,
                                         const char *indent, size_t ilen)
{
    for (size_t i = 0; i < r->ncache; i++) {
        struct mst_cached *c = r->cache[i];
        if (c->indent_len == ilen && !strcmp(c->name, name) && !memcmp(c->indent, indent, ilen))
            return c;
    }
    return NULL;
}

/* The compiled partial for this name and indentation (fetched and compiled on
 * first use; an unknown partial is empty). NULL when it does not compile. */
static const struct mst_tmpl *mst_partial_get(struct mst_render *r, const char *name,
                                              const char *indent, size_t ilen)
{
    struct mst_cached *c = mst_cache_find(r, name, indent, ilen);
    if (c)
        return &c->t;
    c = calloc(1, sizeof *c);
    if (!c)
        abort();
    r->cache = mst_grow(r->cache, &r->ccap, r->ncache + 1, sizeof *r->cache);
    r->cache[r->ncache++] = c;
    c->name = name;
    c->indent = indent;
    c->indent_len = ilen;
    c->t.partial_name = name;
    const char *src = r->m->partial ? r->m->partial(name, r->m->partial_ud) : NULL;
    if (!src)
        return &c->t;
    mst_tmpl_source(&c->t, src, strlen(src), indent, ilen);
    return mst_compile(r->e, &c->t) < 0 ? NULL : &c->t;
}

static int mst_partial(struct mst_render *r, const struct mst_tmpl *t, const struct mst_node *nd)
{
    const char *name = t->pool.data + nd->name;
    if (r->pdepth >= MST_MAX_PARTIAL_DEPTH)
        return mst_fail(r->e, t, nd->pos, "partial '%.*s' nested more than %d levels deep",
                        mst_shown(nd->len), name, MST_MAX_PARTIAL_DEPTH);
    const struct mst_tmpl *pt = mst_partial_get(r, name, nd->indent, nd->indent_len);
    if (!pt)
        return -1;
    r->pdepth++;
    int rc = mst_render_range(r, pt, 0, pt->n);
    r->pdepth--;
    return rc;
}

static int mst_render_range(struct mst_render *r, const struct mst_tmpl *t, size_t from, size_t to)
{
    size_t i = from;
    while (i < to) {
        const struct mst_node *nd = &t->nodes[i];
        if (nd->kind == MST_SECTION || nd->kind == MST_INVERTED) {
            if (mst_section(r, t, i) < 0)
                return -1;
            i = nd->end;
            continue;
        }
        if (nd->kind == MST_TEXT)
            glc_buf_put(r->out, nd->text, nd->len);
        else if (nd->kind == MST_PARTIAL && mst_partial(r, t, nd) < 0)
            return -1;
        else if (nd->kind == MST_VAR || nd->kind == MST_RAW)
            mst_put_value(r, mst_lookup(r, t, nd), nd->kind == MST_VAR);
        i++;
    }
    return 0;
}

static void mst_render_free(struct mst_render *r)
{
    for (size_t i = 0; i < r->ncache; i++) {
        mst_tmpl_free(&r->cache[i]->t);
        free(r->cache[i]);
    }
    free(r->cache);
    free(r->stack);
}

/* ------------------------------------------------------------ public API */

int glc_mustache_render(const struct glc_mustache *m, const char *tmpl, size_t len,
                        struct json_t *view, struct glc_buf *out, char *err, size_t errlen)
{
    static const struct glc_mustache defaults = { 0 };
    struct mst_err e = { err, errlen };
    struct mst_tmpl t = { .src = tmpl ? tmpl : "", .len = tmpl ? len : 0 };
    struct mst_render r = { .m = m ? m : &defaults, .out = out, .e = &e };
    size_t mark = out->len;
    if (err && errlen)
        err[0] = '\0';
    int rc = mst_compile(&e, &t);
    if (rc == 0) {
        if (view)
            mst_push(&r, view);
        rc = mst_render_range(&r, &t, 0, t.n);
    }
    mst_render_free(&r);
    mst_tmpl_free(&t);
    if (rc < 0 && out->data && out->cap > mark) {
        out->len = mark;
        out->data[mark] = '\0';
    }
    return rc;
}

static const char *mst_html_entity(char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return NULL;
    }
}

void glc_escape_html(struct glc_buf *out, const char *s, size_t n, void *ud)
{
    (void)ud;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *ent = mst_html_entity(s[i]);
        if (!ent)
            continue;
        glc_buf_put(out, s + run, i - run);
        glc_buf_puts(out, ent);
        run = i + 1;
    }
    glc_buf_put(out, s + run, n - run);
}
