/*
 * test_rules.c — every rule, from its fixtures: for each tests/cases/<case>/
 * with an `expect` file, run the front end and checks in-process and assert
 *   CODE FILE:LINE   a finding with that code at that file (basename) and line
 *   !CODE            no finding with that code
 * Each rule has a <code>-fail case (it fires at the right line) and a
 * <code>-pass case (it stays silent).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "glc.h"

struct rcase {
    char dir[1400];
    char name[256];
};

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static bool has_finding(struct glc_ctx *cx, const char *code, const char *file, unsigned line)
{
    for (size_t i = 0; i < cx->ndiags; i++) {
        const struct glc_diag *d = cx->diags[i];
        if (strcmp(d->code, code))
            continue;
        if (!file)
            return true;
        if (!strcmp(base(cx->files[d->at.file].path), file) && d->at.line == line)
            return true;
    }
    return false;
}

static void dump(struct glc_ctx *cx)
{
    for (size_t i = 0; i < cx->ndiags; i++)
        print_message("  found %s at %s: %s\n", cx->diags[i]->code,
                      glc_loc_str(cx, cx->diags[i]->at), cx->diags[i]->message);
}

static void run_case(void **state)
{
    const struct rcase *c = *state;
    struct glc_options opt = {0};
    struct glc_ctx *cx = glc_ctx_new(&opt);
    const char *args[] = {c->dir};
    assert_int_equal(glc_front_end(cx, args, 1), 0);
    glc_diag_finish(cx);
    char path[1500];
    snprintf(path, sizeof path, "%s/expect", c->dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    int checks = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        char code[32] = "", loc[256] = "";
        if (line[0] == '#' || sscanf(line, "%31s %255s", code, loc) < 1)
            continue;
        checks++;
        if (code[0] == '!') {
            if (has_finding(cx, code + 1, NULL, 0)) {
                print_error("%s: %s fired but must not\n", c->name, code + 1);
                bad++;
            }
            continue;
        }
        char *colon = strrchr(loc, ':');
        assert_non_null(colon);
        *colon = '\0';
        if (!has_finding(cx, code, loc, (unsigned)atoi(colon + 1))) {
            print_error("%s: expected %s at %s:%s\n", c->name, code, loc, colon + 1);
            bad++;
        }
    }
    fclose(f);
    if (bad)
        dump(cx);
    glc_ctx_free(cx);
    assert_true(checks > 0);
    assert_int_equal(bad, 0);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct rcase *)a)->name, ((const struct rcase *)b)->name);
}

int main(void)
{
    const char *src = getenv("GLC_SOURCE_DIR");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/cases", src ? src : ".");
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "test_rules: cannot open %s\n", dir);
        return 1;
    }
    struct rcase *cases = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char expect[1400];
        snprintf(expect, sizeof expect, "%s/%s/expect", dir, e->d_name);
        FILE *f = fopen(expect, "r");
        if (!f)
            continue;
        fclose(f);
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            cases = realloc(cases, cap * sizeof *cases);
        }
        snprintf(cases[n].dir, sizeof cases[n].dir, "%s/%s", dir, e->d_name);
        snprintf(cases[n].name, sizeof cases[n].name, "%s", e->d_name);
        n++;
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "test_rules: no cases under %s\n", dir);
        return 1;
    }
    qsort(cases, n, sizeof *cases, by_name);
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    for (size_t i = 0; i < n; i++) {
        tests[i].name = cases[i].name;
        tests[i].test_func = run_case;
        tests[i].initial_state = &cases[i];
    }
    int rc = _cmocka_run_group_tests("rules", tests, n, NULL, NULL);
    free(tests);
    free(cases);
    return rc;
}
