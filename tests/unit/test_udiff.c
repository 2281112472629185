/*
 * test_udiff.c — unit tests for udiff.c, the in-memory unified diff of glc diff:
 * exact hunks for inserts, deletes and replacements at the start, middle and
 * end; context merging; the "\ No newline at end of file" marker; then
 * properties on random inputs (the hunks apply back to the new text, and the
 * edit script is minimal against a dynamic-programming LCS); then speed on
 * 10k-line files (a generous bound, not a benchmark).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "glc.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char *udiff(const char *a, const char *b, int ctx, int *hunks)
{
    struct glc_buf out = {0};
    int h = glc_udiff(a, strlen(a), b, strlen(b), "a/f", "b/f", ctx, &out);
    if (hunks)
        *hunks = h;
    char *s = strndup(out.data ? out.data : "", out.len);
    glc_buf_free(&out);
    return s;
}

static void expect(const char *a, const char *b, const char *want)
{
    int h;
    char *got = udiff(a, b, 3, &h);
    if (strcmp(got, want))
        print_error("--- want\n%s--- got\n%s---\n", want, got);
    assert_string_equal(got, want);
    assert_true((h == 0) == (*want == '\0'));
    free(got);
}

/* "1\n2\n...\nn\n" */
static char *numbers(int n)
{
    struct glc_buf b = {0};
    for (int i = 1; i <= n; i++)
        glc_buf_printf(&b, "%d\n", i);
    char *s = strndup(b.data ? b.data : "", b.len);
    glc_buf_free(&b);
    return s;
}

static void test_identical(void **state)
{
    (void)state;
    expect("", "", "");
    expect("a\nb\n", "a\nb\n", "");
    expect("no newline", "no newline", "");
}

static void test_insert_positions(void **state)
{
    (void)state;
    char *a = numbers(10);
    /* at the start */
    expect(a, "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "--- a/f\n+++ b/f\n@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n");
    /* in the middle */
    expect(a, "1\n2\n3\n4\n5\nX\n6\n7\n8\n9\n10\n",
           "--- a/f\n+++ b/f\n@@ -3,6 +3,7 @@\n 3\n 4\n 5\n+X\n 6\n 7\n 8\n");
    /* at the end */
    expect(a, "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n", "--- a/f\n+++ b/f\n@@ -8,3 +8,4 @@\n 8\n 9\n 10\n+11\n");
    /* into an empty file */
    expect("", "x\ny\n", "--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+x\n+y\n");
    free(a);
}

static void test_delete_positions(void **state)
{
    (void)state;
    char *a = numbers(10);
    expect(a, "2\n3\n4\n5\n6\n7\n8\n9\n10\n", "--- a/f\n+++ b/f\n@@ -1,4 +1,3 @@\n-1\n 2\n 3\n 4\n");
    expect(a, "1\n2\n3\n4\n6\n7\n8\n9\n10\n",
           "--- a/f\n+++ b/f\n@@ -2,7 +2,6 @@\n 2\n 3\n 4\n-5\n 6\n 7\n 8\n");
    expect(a, "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "--- a/f\n+++ b/f\n@@ -7,4 +7,3 @@\n 7\n 8\n 9\n-10\n");
    expect("x\ny\n", "", "--- a/f\n+++ b/f\n@@ -1,2 +0,0 @@\n-x\n-y\n");
    free(a);
}

static void test_replace_positions(void **state)
{
    (void)state;
    char *a = numbers(10);
    expect(a, "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
           "--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n");
    expect(a, "1\n2\n3\n4\nfive\nsix\n7\n8\n9\n10\n",
           "--- a/f\n+++ b/f\n@@ -2,8 +2,8 @@\n 2\n 3\n 4\n-5\n-6\n+five\n+six\n 7\n 8\n 9\n");
    expect(a, "1\n2\n3\n4\n5\n6\n7\n8\n9\nten\n",
           "--- a/f\n+++ b/f\n@@ -7,4 +7,4 @@\n 7\n 8\n 9\n-10\n+ten\n");
    free(a);
}

static void test_context_merging(void **state)
{
    (void)state;
    char *a = numbers(20);
    /* changes 6 lines apart (2 x context): one hunk */
    expect(
        a, "1\n2\nC\n4\n5\n6\n7\n8\n9\nI\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n",
        "--- a/f\n+++ b/f\n@@ -1,13 +1,13 @@\n 1\n 2\n-3\n+C\n 4\n 5\n 6\n 7\n 8\n 9\n-10\n+I\n 11\n 12\n 13\n");
    /* 7 lines apart: two hunks */
    expect(a, "1\n2\nC\n4\n5\n6\n7\n8\n9\n10\nK\n12\n13\n14\n15\n16\n17\n18\n19\n20\n",
           "--- a/f\n+++ b/f\n@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+C\n 4\n 5\n 6\n"
           "@@ -8,7 +8,7 @@\n 8\n 9\n 10\n-11\n+K\n 12\n 13\n 14\n");
    int h;
    char *got = udiff(a, "1\n2\nC\n4\n5\n6\n7\n8\n9\n10\nK\n12\n13\n14\n15\n16\n17\n18\n19\n20\n", 3, &h);
    assert_int_equal(h, 2);
    free(got);
    /* no context at all */
    got = udiff("a\nb\nc\n", "a\nB\nc\n", 0, &h);
    assert_string_equal(got, "--- a/f\n+++ b/f\n@@ -2 +2 @@\n-b\n+B\n");
    free(got);
    free(a);
}

static void test_no_newline_at_end(void **state)
{
    (void)state;
    /* the same text, with and without the final newline */
    expect("a\nb\n", "a\nb", "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n");
    expect("a\nb", "a\nb\n", "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
    /* both lack it: the last line is context and keeps the marker */
    expect("a\nb\nc", "A\nb\nc",
           "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n-a\n+A\n b\n c\n\\ No newline at end of file\n");
    expect("", "x", "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n\\ No newline at end of file\n");
}

static void test_labels(void **state)
{
    (void)state;
    struct glc_buf out = {0};
    assert_int_equal(glc_udiff("", 0, "x\n", 2, "/dev/null", "b/kubernetes/vpa.yaml", 3, &out), 1);
    assert_true(out.len > 0);
    assert_true(!strncmp(out.data, "--- /dev/null\n+++ b/kubernetes/vpa.yaml\n@@ -0,0 +1 @@\n+x\n", out.len));
    glc_buf_free(&out);
}

/* ---- properties on random inputs ---- */

struct lines {
    const char **p;
    size_t *len;
    size_t n;
};

static void split(const char *s, struct lines *l)
{
    size_t n = 0, len = strlen(s);
    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n';
    n += len && s[len - 1] != '\n';
    l->p = calloc(n + 1, sizeof *l->p);
    l->len = calloc(n + 1, sizeof *l->len);
    l->n = 0;
    for (size_t i = 0, start = 0; i < len; i++)
        if (s[i] == '\n' || i + 1 == len) {
            l->p[l->n] = s + start;
            l->len[l->n++] = i + 1 - start;
            start = i + 1;
        }
}

/* Apply the unified diff d to a; returns the result (malloc'd) or NULL when a
 * context or deleted line does not match. Counts +/- lines into *edits. */
static char *apply(const char *a, const char *d, size_t *edits)
{
    struct lines la;
    split(a, &la);
    struct glc_buf out = {0};
    size_t ai = 0;
    *edits = 0;
    const char *p = d;
    /* skip the two header lines */
    for (int k = 0; k < 2 && *p; k++)
        p = strchr(p, '\n') + 1;
    bool ok = true;
    while (*p && ok) {
        unsigned long as, ac = 1, bs, bc = 1;
        assert_true(!strncmp(p, "@@ -", 4));
        char *e;
        as = strtoul(p + 4, &e, 10);
        if (*e == ',')
            ac = strtoul(e + 1, &e, 10);
        assert_true(*e == ' ' && e[1] == '+');
        bs = strtoul(e + 2, &e, 10);
        if (*e == ',')
            bc = strtoul(e + 1, &e, 10);
        (void)bs;
        (void)bc;
        size_t start = ac ? as - 1 : as;
        for (; ai < start; ai++)
            glc_buf_put(&out, la.p[ai], la.len[ai]);
        p = strchr(p, '\n') + 1;
        while (*p && *p != '@') {
            const char *nl = strchr(p, '\n');
            size_t n = (size_t)(nl - p); /* the tag and the text, without the newline */
            bool nonl = nl[1] == '\\';   /* "\ No newline at end of file" follows */
            const char *text = p + 1;
            if (*p == ' ' || *p == '-') {
                size_t want = n - 1 + (nonl ? 0 : 1);
                if (ai >= la.n || la.len[ai] != want || memcmp(la.p[ai], text, want)) {
                    ok = false;
                    break;
                }
                if (*p == ' ')
                    glc_buf_put(&out, la.p[ai], la.len[ai]);
                else
                    ++*edits;
                ai++;
            } else if (*p == '+') {
                glc_buf_put(&out, text, n - 1 + (nonl ? 0 : 1));
                ++*edits;
            } else {
                ok = false;
                break;
            }
            p = nl + 1;
            if (nonl)
                p = strchr(p, '\n') + 1;
        }
    }
    for (; ok && ai < la.n; ai++)
        glc_buf_put(&out, la.p[ai], la.len[ai]);
    char *r = ok ? strndup(out.data ? out.data : "", out.len) : NULL;
    glc_buf_free(&out);
    free(la.p);
    free(la.len);
    return r;
}

static size_t lcs(const struct lines *a, const struct lines *b)
{
    size_t *prev = calloc(b->n + 1, sizeof *prev), *cur = calloc(b->n + 1, sizeof *cur);
    for (size_t i = 1; i <= a->n; i++) {
        for (size_t j = 1; j <= b->n; j++) {
            bool eq = a->len[i - 1] == b->len[j - 1] && !memcmp(a->p[i - 1], b->p[j - 1], a->len[i - 1]);
            cur[j] = eq ? prev[j - 1] + 1 : (prev[j] > cur[j - 1] ? prev[j] : cur[j - 1]);
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    size_t r = prev[b->n];
    free(prev);
    free(cur);
    return r;
}

static char *random_text(unsigned *seed, int maxlines, int alphabet)
{
    struct glc_buf b = {0};
    int n = rand_r(seed) % (maxlines + 1);
    for (int i = 0; i < n; i++)
        glc_buf_printf(&b, "%c\n", 'a' + rand_r(seed) % alphabet);
    if (b.len && rand_r(seed) % 4 == 0)
        b.len--; /* no newline at the end */
    char *s = strndup(b.data ? b.data : "", b.len);
    glc_buf_free(&b);
    return s;
}

static void test_random_apply_and_minimal(void **state)
{
    (void)state;
    unsigned seed = 12345;
    for (int iter = 0; iter < 3000; iter++) {
        int alphabet = 2 + iter % 6;
        char *a = random_text(&seed, 30, alphabet), *b = random_text(&seed, 30, alphabet);
        int ctx = iter % 4;
        int h;
        char *d = udiff(a, b, ctx, &h);
        size_t edits = 0;
        char *r = apply(a, d, &edits);
        if (!r || strcmp(r, b))
            print_error("iteration %d, context %d\n--- a\n%s\n--- b\n%s\n--- diff\n%s--- applied\n%s\n", iter,
                        ctx, a, b, d, r ? r : "(did not apply)");
        assert_non_null(r);
        assert_string_equal(r, b);
        struct lines la, lb;
        split(a, &la);
        split(b, &lb);
        size_t want = la.n + lb.n - 2 * lcs(&la, &lb);
        if (edits != want)
            print_error("iteration %d: %zu edits, minimal is %zu\n", iter, edits, want);
        assert_int_equal(edits, want);
        assert_true((h == 0) == (strcmp(a, b) == 0));
        free(la.p);
        free(la.len);
        free(lb.p);
        free(lb.len);
        free(r);
        free(d);
        free(a);
        free(b);
    }
}

/* ---- speed sanity on 10k lines ---- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void time_one(const char *what, const char *a, const char *b, double bound)
{
    double t0 = now();
    int h;
    char *d = udiff(a, b, 3, &h);
    double dt = now() - t0;
    size_t edits = 0;
    char *r = apply(a, d, &edits);
    assert_non_null(r);
    assert_string_equal(r, b);
    print_message("udiff %s: %.3f s, %d hunks, %zu edited lines\n", what, dt, h, edits);
    if (dt > bound)
        print_error("%s took %.3f s, bound %.1f s\n", what, dt, bound);
    assert_true(dt <= bound);
    free(r);
    free(d);
}

static void test_speed_10k(void **state)
{
    (void)state;
    enum { LINES = 10000 };
    struct glc_buf a = {0}, b = {0}, c = {0}, s = {0};
    unsigned seed = 7;
    for (int i = 0; i < LINES; i++) {
        glc_buf_printf(&a, "      key_%d: value %d\n", i, i * 7);
        /* every 50th line edited, every 333rd deleted, a line inserted every 500 */
        if (i % 333 == 5)
            continue;
        if (i % 500 == 0)
            glc_buf_printf(&b, "      inserted_%d: yes\n", i);
        glc_buf_printf(&b, i % 50 == 7 ? "      key_%d: changed %d\n" : "      key_%d: value %d\n", i, i * 7);
        glc_buf_printf(&c, "      other_%d: %d\n", i, i); /* nothing in common */
    }
    /* the same lines in another order: no line is one-sided, Myers does all the work */
    int *perm = calloc(LINES, sizeof *perm);
    for (int i = 0; i < LINES; i++)
        perm[i] = i;
    for (int i = LINES - 1; i > 0; i--) {
        int j = rand_r(&seed) % (i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (int i = 0; i < LINES; i++)
        glc_buf_printf(&s, "      key_%d: value %d\n", perm[i], perm[i] * 7);
    glc_buf_putc(&a, '\0');
    glc_buf_putc(&b, '\0');
    glc_buf_putc(&c, '\0');
    glc_buf_putc(&s, '\0');
    time_one("scattered edits", a.data, b.data, 2.0);
    time_one("rewritten file", a.data, c.data, 2.0);
    time_one("shuffled lines", a.data, s.data, 10.0);
    free(perm);
    glc_buf_free(&a);
    glc_buf_free(&b);
    glc_buf_free(&c);
    glc_buf_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical),        cmocka_unit_test(test_insert_positions),
        cmocka_unit_test(test_delete_positions), cmocka_unit_test(test_replace_positions),
        cmocka_unit_test(test_context_merging),  cmocka_unit_test(test_no_newline_at_end),
        cmocka_unit_test(test_labels),           cmocka_unit_test(test_random_apply_and_minimal),
        cmocka_unit_test(test_speed_10k),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
