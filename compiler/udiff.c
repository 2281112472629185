/*
 * udiff.c — an in-memory line diff printed as unified-diff hunks (glc diff).
 *
 * Lines are interned to integers (a line's identity includes its newline, so
 * a last line without one differs from the same text with one). Lines that
 * occur on one side only can never match: they are marked deleted or inserted
 * at once and set aside, as GNU diff does, which keeps wholly rewritten files
 * linear. What remains goes through Myers' O(ND) algorithm in its linear-space
 * form: find the middle snake, split, repeat on both halves (an explicit work
 * stack, so deep recursion cannot overflow). The result is a minimal edit
 * script, unless a bisection needs more than max(256, sqrt(lines)) edit steps:
 * then it settles for the furthest point reached, as xdiff does, so that
 * pathological inputs stay fast. Hunks carry `context` unchanged lines on each side; changes closer
 * than 2 × context lines share a hunk; counts and starts follow GNU diff
 * ("-5" for one line, "-4,0" for none).
 */
#include "glc.h"

#include <stdlib.h>
#include <string.h>

struct line {
    const char *p;
    size_t len; /* including the '\n' when there is one */
};

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort();
    return p;
}

static size_t split_lines(const char *s, size_t len, struct line **out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n';
    if (len && s[len - 1] != '\n')
        n++;
    struct line *v = xcalloc(n, sizeof *v);
    size_t k = 0, start = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n') {
            v[k++] = (struct line){s + start, i + 1 - start};
            start = i + 1;
        }
    if (start < len)
        v[k++] = (struct line){s + start, len - start};
    *out = v;
    return n;
}

/* ---- interning: equal lines get equal ids; counts per side ---- */

struct intern {
    const struct line **key; /* by id */
    size_t *count[2];        /* occurrences per side, by id */
    uint32_t *slot;          /* id + 1, 0 when empty */
    size_t mask, n, cap;
};

static uint64_t line_hash(const struct line *l)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < l->len; i++)
        h = (h ^ (unsigned char)l->p[i]) * 1099511628211u;
    return h;
}

static uint32_t intern_line(struct intern *t, const struct line *l, int side)
{
    size_t i = (size_t)line_hash(l) & t->mask;
    for (;; i = (i + 1) & t->mask) {
        uint32_t s = t->slot[i];
        if (!s)
            break;
        const struct line *k = t->key[s - 1];
        if (k->len == l->len && !memcmp(k->p, l->p, l->len)) {
            t->count[side][s - 1]++;
            return s - 1;
        }
    }
    uint32_t id = (uint32_t)t->n++;
    t->key[id] = l;
    t->count[side][id] = 1;
    t->slot[i] = id + 1;
    return id;
}

/* ---- Myers, linear space ---- */

struct myers {
    const uint32_t *a, *b; /* the sequences (ids) */
    int max_cost;          /* edit steps one bisection may take before it settles for a good split */
    int *v1, *v2;          /* forward and reverse furthest-x per diagonal */
    bool *del, *ins;       /* marks, indexed like a and b */
    struct range {
        int alo, ahi, blo, bhi;
    } * stack;
    size_t nstack, capstack;
};

static void push(struct myers *m, int alo, int ahi, int blo, int bhi)
{
    if (m->nstack == m->capstack) {
        m->capstack = m->capstack ? m->capstack * 2 : 64;
        m->stack = realloc(m->stack, m->capstack * sizeof *m->stack);
        if (!m->stack)
            abort();
    }
    m->stack[m->nstack++] = (struct range){alo, ahi, blo, bhi};
}

/* After max_cost edit steps without meeting, split where a forward or reverse
 * path got furthest (as xdiff does): the script is then no longer guaranteed
 * minimal, but pathological inputs (100k lines reordered) stay near
 * O(N^1.5) instead of O(N^2). False when no point makes progress. */
static bool settle(const struct myers *m, int d, int n, int mm, int delta_off, int k1start, int k1end,
                   int k2start, int k2end, int *x, int *y)
{
    int best = 0;
    for (int k = -d + k1start; k <= d - k1end; k += 2) {
        int fx = m->v1[delta_off + k], fy = fx - k;
        if (fx >= 0 && fx <= n && fy >= 0 && fy <= mm && fx + fy > best && fx + fy < n + mm) {
            best = fx + fy;
            *x = fx;
            *y = fy;
        }
    }
    for (int k = -d + k2start; k <= d - k2end; k += 2) {
        int rx = m->v2[delta_off + k], ry = rx - k;
        if (rx >= 0 && rx <= n && ry >= 0 && ry <= mm && rx + ry > best && rx + ry < n + mm) {
            best = rx + ry;
            *x = n - rx;
            *y = mm - ry;
        }
    }
    return best > 0;
}

/* Find the middle snake of a[alo,ahi) against b[blo,bhi) (both non-empty) and
 * return its start (*sx, *sy) in absolute indices; false when there is no
 * common line at all. The bisection of Myers (1986) §4b, as in diff-match-patch. */
static bool bisect(struct myers *m, int alo, int ahi, int blo, int bhi, int *sx, int *sy)
{
    const uint32_t *a = m->a + alo, *b = m->b + blo;
    int n = ahi - alo, mm = bhi - blo;
    int max_d = (n + mm + 1) / 2, off = max_d + 1, vlen = 2 * max_d + 3;
    int *v1 = m->v1, *v2 = m->v2;
    for (int i = 0; i < vlen; i++)
        v1[i] = v2[i] = -1;
    v1[off + 1] = v2[off + 1] = 0;
    int delta = n - mm;
    bool front = (delta & 1) != 0;
    int k1start = 0, k1end = 0, k2start = 0, k2end = 0;
    for (int d = 0; d < max_d; d++) {
        for (int k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
            int ko = off + k1, x1;
            if (k1 == -d || (k1 != d && v1[ko - 1] < v1[ko + 1]))
                x1 = v1[ko + 1];
            else
                x1 = v1[ko - 1] + 1;
            int y1 = x1 - k1;
            while (x1 < n && y1 < mm && a[x1] == b[y1]) {
                x1++;
                y1++;
            }
            v1[ko] = x1;
            if (x1 > n) {
                k1end += 2;
            } else if (y1 > mm) {
                k1start += 2;
            } else if (front) {
                int k2o = off + delta - k1;
                if (k2o >= 0 && k2o < vlen && v2[k2o] != -1 && x1 >= n - v2[k2o]) {
                    *sx = alo + x1;
                    *sy = blo + y1;
                    return true;
                }
            }
        }
        for (int k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
            int ko = off + k2, x2;
            if (k2 == -d || (k2 != d && v2[ko - 1] < v2[ko + 1]))
                x2 = v2[ko + 1];
            else
                x2 = v2[ko - 1] + 1;
            int y2 = x2 - k2;
            while (x2 < n && y2 < mm && a[n - x2 - 1] == b[mm - y2 - 1]) {
                x2++;
                y2++;
            }
            v2[ko] = x2;
            if (x2 > n) {
                k2end += 2;
            } else if (y2 > mm) {
                k2start += 2;
            } else if (!front) {
                int k1o = off + delta - k2;
                if (k1o >= 0 && k1o < vlen && v1[k1o] != -1) {
                    int x1 = v1[k1o], y1 = x1 - (k1o - off);
                    if (x1 >= n - x2) {
                        *sx = alo + x1;
                        *sy = blo + y1;
                        return true;
                    }
                }
            }
        }
        int x, y;
        if (d >= m->max_cost && settle(m, d, n, mm, off, k1start, k1end, k2start, k2end, &x, &y)) {
            *sx = alo + x;
            *sy = blo + y;
            return true;
        }
    }
    return false;
}

static void myers_run(struct myers *m, int na, int nb)
{
    push(m, 0, na, 0, nb);
    while (m->nstack) {
        struct range r = m->stack[--m->nstack];
        while (r.alo < r.ahi && r.blo < r.bhi && m->a[r.alo] == m->b[r.blo]) {
            r.alo++;
            r.blo++;
        }
        while (r.alo < r.ahi && r.blo < r.bhi && m->a[r.ahi - 1] == m->b[r.bhi - 1]) {
            r.ahi--;
            r.bhi--;
        }
        if (r.alo == r.ahi || r.blo == r.bhi) {
            for (int i = r.alo; i < r.ahi; i++)
                m->del[i] = true;
            for (int j = r.blo; j < r.bhi; j++)
                m->ins[j] = true;
            continue;
        }
        int x, y;
        if (!bisect(m, r.alo, r.ahi, r.blo, r.bhi, &x, &y)) {
            for (int i = r.alo; i < r.ahi; i++)
                m->del[i] = true;
            for (int j = r.blo; j < r.bhi; j++)
                m->ins[j] = true;
            continue;
        }
        push(m, x, r.ahi, y, r.bhi);
        push(m, r.alo, x, r.blo, y);
    }
}

/* ---- hunks ---- */

struct block { /* a change: a[a0,a1) replaced by b[b0,b1) */
    size_t a0, a1, b0, b1;
};

static void put_line(struct glc_buf *out, char tag, const struct line *l)
{
    glc_buf_putc(out, tag);
    glc_buf_put(out, l->p, l->len);
    if (!l->len || l->p[l->len - 1] != '\n')
        glc_buf_puts(out, "\n\\ No newline at end of file\n");
}

static void put_range(struct glc_buf *out, size_t start, size_t count)
{
    /* GNU diff: the first line of the range, or the line before an empty one */
    if (count == 1)
        glc_buf_printf(out, "%zu", start + 1);
    else
        glc_buf_printf(out, "%zu,%zu", count ? start + 1 : start, count);
}

int glc_udiff(const char *a, size_t alen, const char *b, size_t blen, const char *a_label,
              const char *b_label, int context, struct glc_buf *out)
{
    if (context < 0)
        context = 0;
    if (alen == blen && (alen == 0 || !memcmp(a, b, alen)))
        return 0;
    struct line *la, *lb;
    size_t na = split_lines(a, alen, &la), nb = split_lines(b, blen, &lb);

    /* intern */
    struct intern t = {0};
    size_t cap = 16;
    while (cap < 2 * (na + nb) + 2)
        cap *= 2;
    t.mask = cap - 1;
    t.slot = xcalloc(cap, sizeof *t.slot);
    t.key = xcalloc(na + nb, sizeof *t.key);
    t.count[0] = xcalloc(na + nb, sizeof *t.count[0]);
    t.count[1] = xcalloc(na + nb, sizeof *t.count[1]);
    uint32_t *ida = xcalloc(na, sizeof *ida), *idb = xcalloc(nb, sizeof *idb);
    for (size_t i = 0; i < na; i++)
        ida[i] = intern_line(&t, &la[i], 0);
    for (size_t j = 0; j < nb; j++)
        idb[j] = intern_line(&t, &lb[j], 1);

    /* lines on one side only are changes for certain; diff the rest */
    bool *del = xcalloc(na, sizeof *del), *ins = xcalloc(nb, sizeof *ins);
    uint32_t *sa = xcalloc(na, sizeof *sa), *sb = xcalloc(nb, sizeof *sb);
    size_t *mapa = xcalloc(na, sizeof *mapa), *mapb = xcalloc(nb, sizeof *mapb);
    size_t ka = 0, kb = 0;
    for (size_t i = 0; i < na; i++) {
        if (!t.count[1][ida[i]]) {
            del[i] = true;
        } else {
            sa[ka] = ida[i];
            mapa[ka++] = i;
        }
    }
    for (size_t j = 0; j < nb; j++) {
        if (!t.count[0][idb[j]]) {
            ins[j] = true;
        } else {
            sb[kb] = idb[j];
            mapb[kb++] = j;
        }
    }
    if (ka > (size_t)(INT32_MAX / 4) || kb > (size_t)(INT32_MAX / 4))
        abort(); /* far beyond any config's output */
    struct myers m = {.a = sa, .b = sb, .max_cost = 256};
    while ((size_t)m.max_cost * (size_t)m.max_cost < ka + kb)
        m.max_cost++; /* max(256, sqrt(lines)) */
    size_t vcap = ka + kb + 4;
    m.v1 = xcalloc(vcap, sizeof *m.v1);
    m.v2 = xcalloc(vcap, sizeof *m.v2);
    m.del = xcalloc(ka, sizeof *m.del);
    m.ins = xcalloc(kb, sizeof *m.ins);
    myers_run(&m, (int)ka, (int)kb);
    for (size_t i = 0; i < ka; i++)
        if (m.del[i])
            del[mapa[i]] = true;
    for (size_t j = 0; j < kb; j++)
        if (m.ins[j])
            ins[mapb[j]] = true;

    /* change blocks: unchanged lines pair up in order between them */
    struct block *blk = NULL;
    size_t nblk = 0, capblk = 0;
    for (size_t i = 0, j = 0; i < na || j < nb;) {
        if (i < na && j < nb && !del[i] && !ins[j]) {
            i++;
            j++;
            continue;
        }
        struct block bl = {i, i, j, j};
        while (bl.a1 < na && del[bl.a1])
            bl.a1++;
        while (bl.b1 < nb && ins[bl.b1])
            bl.b1++;
        if (nblk == capblk) {
            capblk = capblk ? capblk * 2 : 16;
            blk = realloc(blk, capblk * sizeof *blk);
            if (!blk)
                abort();
        }
        blk[nblk++] = bl;
        i = bl.a1;
        j = bl.b1;
    }

    int hunks = 0;
    if (nblk) {
        glc_buf_printf(out, "--- %s\n+++ %s\n", a_label, b_label);
        size_t ctx = (size_t)context;
        for (size_t h = 0; h < nblk;) {
            size_t e = h; /* blocks h..e share a hunk */
            while (e + 1 < nblk && blk[e + 1].a0 - blk[e].a1 <= 2 * ctx)
                e++;
            size_t before = blk[h].a0 < ctx ? blk[h].a0 : ctx;
            size_t after = na - blk[e].a1 < ctx ? na - blk[e].a1 : ctx;
            size_t a0 = blk[h].a0 - before, b0 = blk[h].b0 - before;
            size_t a1 = blk[e].a1 + after, b1 = blk[e].b1 + after;
            glc_buf_puts(out, "@@ -");
            put_range(out, a0, a1 - a0);
            glc_buf_puts(out, " +");
            put_range(out, b0, b1 - b0);
            glc_buf_puts(out, " @@\n");
            size_t i = a0;
            for (size_t k = h; k <= e; k++) {
                for (; i < blk[k].a0; i++)
                    put_line(out, ' ', &la[i]);
                for (i = blk[k].a0; i < blk[k].a1; i++)
                    put_line(out, '-', &la[i]);
                for (size_t j = blk[k].b0; j < blk[k].b1; j++)
                    put_line(out, '+', &lb[j]);
            }
            for (; i < a1; i++)
                put_line(out, ' ', &la[i]);
            hunks++;
            h = e + 1;
        }
    }

    free(blk);
    free(m.v1);
    free(m.v2);
    free(m.del);
    free(m.ins);
    free(m.stack);
    free(sa);
    free(sb);
    free(mapa);
    free(mapb);
    free(del);
    free(ins);
    free(ida);
    free(idb);
    free(t.slot);
    free(t.key);
    free(t.count[0]);
    free(t.count[1]);
    free(la);
    free(lb);
    return hunks;
}
