/*
 * test_mustache_spec.c — runs every test of the official Mustache spec files
 * (interpolation, sections, inverted, comments, partials, delimiters) found in
 * $GLC_MUSTACHE_SPEC_DIR against glc_mustache_render. Skips (exit 77) when
 * the directory is absent; the spec data is never copied into the repo.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "glc.h"

struct spec_run {
    const char *dir;
    int passed, failed;
};

static const char *spec_partial(const char *name, void *ud)
{
    json_t *v = json_object_get((json_t *)ud, name);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Run one spec test; prints why it failed and returns false on failure. */
static bool spec_case(const char *file, json_t *tc)
{
    const char *name = json_string_value(json_object_get(tc, "name"));
    const char *tmpl = json_string_value(json_object_get(tc, "template"));
    const char *want = json_string_value(json_object_get(tc, "expected"));
    json_t *partials = json_object_get(tc, "partials");
    if (!name || !tmpl || !want) {
        printf("FAIL %s: malformed test entry\n", file);
        return false;
    }
    struct glc_mustache m = { .partial = partials ? spec_partial : NULL, .partial_ud = partials };
    struct glc_buf out = { 0 };
    char err[256];
    int rc = glc_mustache_render(&m, tmpl, strlen(tmpl), json_object_get(tc, "data"), &out,
                                 err, sizeof err);
    const char *got = out.data ? out.data : "";
    bool ok = rc == 0 && out.len == strlen(want) && !memcmp(got, want, out.len);
    if (rc != 0)
        printf("FAIL %s: %s: render error: %s\n", file, name, err);
    else if (!ok)
        printf("FAIL %s: %s\n  template: %s\n  expected: [%s]\n  got:      [%.*s]\n", file, name,
               tmpl, want, (int)out.len, got);
    glc_buf_free(&out);
    return ok;
}

static void spec_file(struct spec_run *run, const char *file)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", run->dir, file);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root)
        fail_msg("%s: cannot load: %s (line %d)", path, jerr.text, jerr.line);
    json_t *tests = json_object_get(root, "tests");
    assert_true(json_is_array(tests));
    assert_true(json_array_size(tests) > 0);
    int failed = 0;
    size_t i;
    json_t *tc;
    json_array_foreach(tests, i, tc) {
        if (spec_case(file, tc))
            run->passed++;
        else
            failed++;
    }
    printf("%s: %zu tests, %d failed\n", file, json_array_size(tests), failed);
    run->failed += failed;
    json_decref(root);
    if (failed)
        fail_msg("%s: %d spec tests failed", file, failed);
}

static void test_interpolation(void **state) { spec_file(*state, "interpolation.json"); }
static void test_sections(void **state) { spec_file(*state, "sections.json"); }
static void test_inverted(void **state) { spec_file(*state, "inverted.json"); }
static void test_comments(void **state) { spec_file(*state, "comments.json"); }
static void test_partials(void **state) { spec_file(*state, "partials.json"); }
static void test_delimiters(void **state) { spec_file(*state, "delimiters.json"); }

int main(void)
{
    struct spec_run run = { .dir = getenv("GLC_MUSTACHE_SPEC_DIR") };
    struct stat st;
    if (!run.dir || !*run.dir || stat(run.dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("SKIP: Mustache spec directory not found (GLC_MUSTACHE_SPEC_DIR=%s); "
               "point it at a checkout of the mustache/spec JSON files\n",
               run.dir ? run.dir : "(unset)");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(test_interpolation, &run),
        cmocka_unit_test_prestate(test_sections, &run),
        cmocka_unit_test_prestate(test_inverted, &run),
        cmocka_unit_test_prestate(test_comments, &run),
        cmocka_unit_test_prestate(test_partials, &run),
        cmocka_unit_test_prestate(test_delimiters, &run),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    printf("%d passed, %d failed\n", run.passed, run.failed);
    return rc || run.failed ? 1 : 0;
}
