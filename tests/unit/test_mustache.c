/*
 * test_mustache.c — glc-specific behaviour of the Mustache renderer beyond the
 * official spec: the escape callback, located error messages, the partial
 * recursion guard, value formatting, truthiness, robustness and linear time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glc.h"

/* Partials as a NULL-terminated list of name, text pairs; counts lookups. */
struct partials {
    const char *const *pairs;
    int calls;
};

static const char *find_partial(const char *name, void *ud)
{
    struct partials *p = ud;
    p->calls++;
    for (size_t i = 0; p->pairs && p->pairs[i]; i += 2)
        if (!strcmp(p->pairs[i], name))
            return p->pairs[i + 1];
    return NULL;
}

static json_t *parse_view(const char *view)
{
    json_error_t jerr;
    json_t *v = json_loads(view, JSON_DECODE_ANY, &jerr);
    if (!v)
        fail_msg("bad test view '%s': %s", view, jerr.text);
    return v;
}

/* Render tmpl against a JSON view; returns the output (malloc'd) or NULL with err set. */
static char *render_with(const struct glc_mustache *m, const char *tmpl, const char *view,
                         char *err, size_t errlen)
{
    json_t *v = view ? parse_view(view) : NULL;
    struct glc_buf out = { 0 };
    int rc = glc_mustache_render(m, tmpl, strlen(tmpl), v, &out, err, errlen);
    json_decref(v);
    char *s = rc == 0 ? strndup(out.data ? out.data : "", out.len) : NULL;
    glc_buf_free(&out);
    return s;
}

static void expect(const char *tmpl, const char *view, const char *want)
{
    char err[256];
    char *got = render_with(NULL, tmpl, view, err, sizeof err);
    if (!got)
        fail_msg("'%s': unexpected error: %s", tmpl, err);
    assert_string_equal(got, want);
    free(got);
}

static void expect_partials(const char *const *pairs, const char *tmpl, const char *view,
                            const char *want)
{
    struct partials p = { pairs, 0 };
    struct glc_mustache m = { .partial = find_partial, .partial_ud = &p };
    char err[256];
    char *got = render_with(&m, tmpl, view, err, sizeof err);
    if (!got)
        fail_msg("'%s': unexpected error: %s", tmpl, err);
    assert_string_equal(got, want);
    free(got);
}

static void expect_error(const struct glc_mustache *m, const char *tmpl, const char *want_err)
{
    char err[256];
    char *got = render_with(m, tmpl, "{}", err, sizeof err);
    if (got)
        fail_msg("'%s': expected error '%s', rendered '%s'", tmpl, want_err, got);
    assert_string_equal(err, want_err);
}

/* ------------------------------------------------------------ escaping */

static void shout(struct glc_buf *out, const char *s, size_t n, void *ud)
{
    (*(int *)ud)++;
    glc_buf_putc(out, '[');
    glc_buf_put(out, s, n);
    glc_buf_putc(out, ']');
}

static void test_custom_escape(void **state)
{
    (void)state;
    int calls = 0;
    struct glc_mustache m = { .escape = shout, .escape_ud = &calls };
    char err[128];
    char *got = render_with(&m, "{{x}} {{{x}}} {{&x}} {{n}} {{ x }}", "{\"x\":\"<a>\",\"n\":7}",
                            err, sizeof err);
    assert_non_null(got);
    assert_string_equal(got, "[<a>] <a> <a> [7] [<a>]");
    assert_int_equal(calls, 3);
    free(got);
}

static void test_html_escape(void **state)
{
    (void)state;
    expect("{{x}}|{{{x}}}|{{&x}}", "{\"x\":\"a&b<c>\\\"d'e\"}",
           "a&amp;b&lt;c&gt;&quot;d&#39;e|a&b<c>\"d'e|a&b<c>\"d'e");
    struct glc_buf out = { 0 };
    glc_escape_html(&out, "x<y", 2, NULL); /* only n bytes are read */
    assert_int_equal(out.len, 5);
    assert_memory_equal(out.data, "x&lt;", 5);
    glc_buf_free(&out);
}

static void test_triple_needs_default_delims(void **state)
{
    (void)state;
    /* With other delimiters '{' is part of the name; '&' still works. */
    expect("{{=<% %>=}}<%{x}%>|<%&x%>|<%x%>", "{\"x\":\"<\",\"{x}\":\"b\"}", "b|<|&lt;");
    expect("{{=<% %>=}}<%={{ }}=%>{{{x}}}", "{\"x\":\"<\"}", "<");
}

/* ------------------------------------------------------------ errors */

static void test_error_unclosed_section(void **state)
{
    (void)state;
    expect_error(NULL, "a\nb\n{{#x}}\nc\n", "line 3: unclosed section 'x'");
    expect_error(NULL, "{{#a}}\n{{^b}}\n{{/b}}\n", "line 1: unclosed section 'a'");
}

static void test_error_unclosed_tag(void **state)
{
    (void)state;
    expect_error(NULL, "ok\n\nhello {{name", "line 3: unclosed tag '{{'");
    expect_error(NULL, "{{{name}}", "line 1: unclosed tag '{{'");
    expect_error(NULL, "x\n{{=<% %>=}}\n<%name", "line 3: unclosed tag '<%'");
    expect_error(NULL, "{{! comment", "line 1: unclosed tag '{{'");
}

static void test_error_mismatched_close(void **state)
{
    (void)state;
    expect_error(NULL, "{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}",
                 "line 3: closing tag '/a' does not match section 'b' opened on line 2");
    expect_error(NULL, "x\n\n  {{/a}}", "line 3: closing tag '/a' without an open section");
}

static void test_error_other(void **state)
{
    (void)state;
    expect_error(NULL, "\n{{ }}", "line 2: empty tag name");
    expect_error(NULL, "{{#}}{{/}}", "line 1: empty tag name");
    expect_error(NULL, "{{=<%=}}",
                 "line 1: invalid set-delimiter tag: expected two delimiters separated by space");
    expect_error(NULL, "{{=a b c=}}",
                 "line 1: invalid set-delimiter tag: expected two delimiters separated by space");
}

static void test_error_in_partial(void **state)
{
    (void)state;
    static const char *const pairs[] = { "p", "line one\n{{#open}}\n", NULL };
    struct partials p = { pairs, 0 };
    struct glc_mustache m = { .partial = find_partial, .partial_ud = &p };
    expect_error(&m, "a\n{{>p}}", "line 2: unclosed section 'open' (in partial 'p')");
}

static void test_error_keeps_output(void **state)
{
    (void)state;
    struct glc_buf out = { 0 };
    glc_buf_puts(&out, "kept");
    char err[64];
    json_t *v = json_pack("{s:s}", "x", "y");
    const char *tmpl = "{{x}}{{x}}{{#z}}";
    assert_int_equal(glc_mustache_render(NULL, tmpl, strlen(tmpl), v, &out, err, sizeof err), -1);
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.data, "kept", 4);
    /* A NULL or tiny error buffer is fine, and a truncated message stays terminated. */
    assert_int_equal(glc_mustache_render(NULL, tmpl, strlen(tmpl), v, &out, NULL, 0), -1);
    assert_int_equal(glc_mustache_render(NULL, tmpl, strlen(tmpl), v, &out, err, 5), -1);
    assert_string_equal(err, "line");
    json_decref(v);
    glc_buf_free(&out);
}

/* ------------------------------------------------------------ partials */

static void test_partial_recursion_guard(void **state)
{
    (void)state;
    static const char *const pairs[] = { "self", "x{{>self}}", NULL };
    struct partials p = { pairs, 0 };
    struct glc_mustache m = { .partial = find_partial, .partial_ud = &p };
    expect_error(&m, "\n{{>self}}",
                 "line 1: partial 'self' nested more than 64 levels deep (in partial 'self')");
    assert_int_equal(p.calls, 1); /* fetched and compiled once */

    static const char *const pairs2[] = { "a", "{{#k}}{{>b}}{{/k}}", "b", "\n  {{>a}}\n", NULL };
    struct partials p2 = { pairs2, 0 };
    struct glc_mustache m2 = { .partial = find_partial, .partial_ud = &p2 };
    char err[256];
    assert_null(render_with(&m2, "{{>a}}", "{\"k\":true}", err, sizeof err));
    assert_non_null(strstr(err, "nested more than 64 levels deep"));
}

static void test_partial_recursion_by_data(void **state)
{
    (void)state;
    static const char *const pairs[] = { "n", "{{v}}({{#c}}{{>n}}{{/c}})", NULL };
    expect_partials(pairs, "{{>n}}",
                    "{\"v\":1,\"c\":[{\"v\":2,\"c\":[{\"v\":3,\"c\":[]}]},{\"v\":4,\"c\":[]}]}",
                    "1(2(3())4())");
}

static void test_partial_indentation(void **state)
{
    (void)state;
    static const char *const pairs[] = {
        "outer", "o1\n  {{>inner}}\no2\n",
        "inner", "i1\n\ni2\n",
        "sec", "{{#xs}}\n- {{.}}\n{{/xs}}\n",
        NULL,
    };
    expect_partials(pairs, "  {{>outer}}\nend", "{}",
                    "  o1\n    i1\n    \n    i2\n  o2\nend");
    expect_partials(pairs, "list:\n    {{> sec }}\n", "{\"xs\":[1,2]}",
                    "list:\n    - 1\n    - 2\n");
    expect_partials(pairs, "x {{>inner}}|", "{}", "x i1\n\ni2\n|");
    expect_partials(pairs, "[{{>missing}}]", "{}", "[]");
    expect("[{{>none}}]", "{}", "[]"); /* no partial callback at all */
}

static void test_partial_fetched_once(void **state)
{
    (void)state;
    static const char *const pairs[] = { "item", "<{{.}}>", NULL };
    struct partials p = { pairs, 0 };
    struct glc_mustache m = { .partial = find_partial, .partial_ud = &p };
    char err[64];
    char *got = render_with(&m, "{{#xs}}{{>item}}{{>gone}}{{/xs}}", "{\"xs\":[1,2,3,4]}", err,
                            sizeof err);
    assert_non_null(got);
    assert_string_equal(got, "<1><2><3><4>");
    assert_int_equal(p.calls, 2);
    free(got);
}

/* ------------------------------------------------------------ values */

static void test_numbers(void **state)
{
    (void)state;
    expect("{{a}} {{b}} {{c}} {{d}}", "{\"a\":42,\"b\":-7,\"c\":9007199254740993,\"d\":0}",
           "42 -7 9007199254740993 0");
    expect("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
           "{\"a\":1.210,\"b\":0.1,\"c\":2.0,\"d\":0.30000000000000004,\"e\":-1.5e-7,\"f\":1e300}",
           "1.21 0.1 2 0.30000000000000004 -1.5e-07 1e+300");
    expect("{{#xs}}{{.}},{{/xs}}", "{\"xs\":[1.5,0.3333333333333333,100]}",
           "1.5,0.3333333333333333,100,");
}

static void test_booleans_null(void **state)
{
    (void)state;
    expect("[{{t}}|{{f}}|{{n}}|{{missing}}|{{{t}}}|{{&n}}]",
           "{\"t\":true,\"f\":false,\"n\":null}", "[true|false|||true|]");
}

static void test_lists_objects(void **state)
{
    (void)state;
    expect("{{xs}} {{{o}}} {{o}}", "{\"xs\":[1,\"a\"],\"o\":{\"k\":\"v\"}}",
           "[1,&quot;a&quot;] {\"k\":\"v\"} {&quot;k&quot;:&quot;v&quot;}");
}

static void test_truthiness(void **state)
{
    (void)state;
    const char *view = "{\"es\":\"\",\"s\":\"x\",\"z\":0,\"zr\":0.0,\"i\":3,\"eo\":{},"
                       "\"el\":[],\"n\":null,\"f\":false}";
    expect("{{#es}}A{{/es}}{{#s}}B{{/s}}{{#z}}C{{/z}}{{#zr}}D{{/zr}}{{#i}}E{{/i}}"
           "{{#eo}}F{{/eo}}{{#el}}G{{/el}}{{#n}}H{{/n}}{{#f}}I{{/f}}{{#nope}}J{{/nope}}",
           view, "BEF");
    expect("{{^es}}A{{/es}}{{^s}}B{{/s}}{{^z}}C{{/z}}{{^zr}}D{{/zr}}{{^i}}E{{/i}}"
           "{{^eo}}F{{/eo}}{{^el}}G{{/el}}{{^n}}H{{/n}}{{^f}}I{{/f}}{{^nope}}J{{/nope}}",
           view, "ACDGHIJ");
}

static void test_lookup(void **state)
{
    (void)state;
    const char *view = "{\"a\":{\"b\":{\"c\":\"deep\"},\"x\":\"ax\"},\"x\":\"top\",\"y\":\"why\"}";
    expect("{{a.b.c}}|{{#a}}{{x}}{{y}}{{b.c}}{{/a}}|{{a..b}}|{{a.}}|{{.a}}|{{a.b.c.d}}", view,
           "deep|axwhydeep||||");
    expect("{{.}}", "\"root\"", "root");
    expect("[{{x}}{{.}}{{#x}}y{{/x}}]", NULL, "[]"); /* NULL view */
}

/* ------------------------------------------------------------ robustness */

static void test_length_bounded(void **state)
{
    (void)state;
    const char tmpl[] = { 'a', '{', '{', 'x', '}', '}', 'b', '{', '{', 'y', '}', '}' };
    json_t *v = json_pack("{s:s}", "x", "X");
    struct glc_buf out = { 0 };
    char err[64];
    assert_int_equal(glc_mustache_render(NULL, tmpl, 7, v, &out, err, sizeof err), 0);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, "aXb", 3);
    glc_buf_free(&out);
    assert_int_equal(glc_mustache_render(NULL, tmpl, 10, v, &out, err, sizeof err), -1);
    assert_string_equal(err, "line 1: unclosed tag '{{'");
    assert_int_equal(glc_mustache_render(NULL, NULL, 0, v, &out, err, sizeof err), 0);
    assert_int_equal(out.len, 0);
    json_decref(v);
    glc_buf_free(&out);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    struct glc_buf t = { 0 };
    for (int i = 0; i < 100000; i++)
        glc_buf_puts(&t, "{{#a}}");
    char err[128];
    struct glc_buf out = { 0 };
    json_t *v = json_pack("{s:b}", "a", 1);
    assert_int_equal(glc_mustache_render(NULL, t.data, t.len, v, &out, err, sizeof err), -1);
    assert_string_equal(err, "line 1: sections nested more than 256 levels deep");
    json_decref(v);
    glc_buf_free(&out);
    glc_buf_free(&t);
}

/* Deterministic garbage built from tag fragments must never crash. */
static void test_malformed_no_crash(void **state)
{
    (void)state;
    static const char *const frags[] = {
        "{{", "}}", "{{{", "}}}", "{{#a}}", "{{/a}}", "{{^a}}", "{{>p}}", "{{=", "=}}",
        "{{= | | =}}", "|", "{{&", "{{!", "\n", "\r\n", "  ", "x", ".", "{{.}}", "{{a.b}}",
        "{{/b}}", "{{#.}}", "{{/.}}", "=", "{", "}",
    };
    static const char *const pairs[] = { "p", "{{#a}}{{>p}}{{/a}}", NULL };
    struct partials p = { pairs, 0 };
    struct glc_mustache m = { .partial = find_partial, .partial_ud = &p };
    json_t *v = parse_view("{\"a\":[{\"a\":[]},{\"b\":1}],\"b\":{\"a\":true}}");
    uint32_t seed = 12345;
    int ok = 0;
    for (int round = 0; round < 20000; round++) {
        struct glc_buf t = { 0 }, out = { 0 };
        int n = 1 + round % 12;
        for (int k = 0; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            glc_buf_puts(&t, frags[(seed >> 16) % (sizeof frags / sizeof *frags)]);
        }
        char err[128];
        ok += glc_mustache_render(&m, t.data, t.len, v, &out, err, sizeof err) == 0;
        glc_buf_free(&out);
        glc_buf_free(&t);
    }
    assert_true(ok > 0);
    json_decref(v);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_large_list_linear(void **state)
{
    (void)state;
    json_t *items = json_array();
    for (int i = 0; i < 100000; i++)
        json_array_append_new(items, json_pack("{s:i,s:s}", "id", i, "name", "node<x>"));
    json_t *v = json_pack("{s:o,s:s}", "items", items, "ns", "prod");
    const char *tmpl = "items:\n{{#items}}\n- id: {{id}}\n  name: {{name}}\n  ns: {{ns}}\n"
                       "{{/items}}\n";
    struct glc_buf out = { 0 };
    char err[64];
    double t0 = now_ms();
    assert_int_equal(glc_mustache_render(NULL, tmpl, strlen(tmpl), v, &out, err, sizeof err), 0);
    double ms = now_ms() - t0;
    print_message("100k-item list rendered in %.1f ms (%zu bytes)\n", ms, out.len);
    assert_non_null(strstr(out.data, "- id: 99999\n  name: node&lt;x&gt;\n  ns: prod\n"));
    assert_true(ms < 1000); /* well under 100 ms in a release build; slack for sanitizers */
    glc_buf_free(&out);
    json_decref(v);
}

static void test_large_template_linear(void **state)
{
    (void)state;
    struct glc_buf t = { 0 };
    for (int i = 0; i < 100000; i++)
        glc_buf_puts(&t, "{{#s}}\n  {{x}} {{! c }}\n{{/s}}\n{{=<% %>=}}<%x%><%={{ }}=%>\n");
    json_t *v = json_pack("{s:b,s:s}", "s", 1, "x", "v");
    struct glc_buf out = { 0 };
    char err[64];
    double t0 = now_ms();
    assert_int_equal(glc_mustache_render(NULL, t.data, t.len, v, &out, err, sizeof err), 0);
    double ms = now_ms() - t0;
    print_message("%zu-byte template rendered in %.1f ms\n", t.len, ms);
    assert_int_equal(out.len, 100000 * strlen("  v \nv\n"));
    assert_true(ms < 2000);
    glc_buf_free(&out);
    glc_buf_free(&t);
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_custom_escape),
        cmocka_unit_test(test_html_escape),
        cmocka_unit_test(test_triple_needs_default_delims),
        cmocka_unit_test(test_error_unclosed_section),
        cmocka_unit_test(test_error_unclosed_tag),
        cmocka_unit_test(test_error_mismatched_close),
        cmocka_unit_test(test_error_other),
        cmocka_unit_test(test_error_in_partial),
        cmocka_unit_test(test_error_keeps_output),
        cmocka_unit_test(test_partial_recursion_guard),
        cmocka_unit_test(test_partial_recursion_by_data),
        cmocka_unit_test(test_partial_indentation),
        cmocka_unit_test(test_partial_fetched_once),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_booleans_null),
        cmocka_unit_test(test_lists_objects),
        cmocka_unit_test(test_truthiness),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_length_bounded),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_malformed_no_crash),
        cmocka_unit_test(test_large_list_linear),
        cmocka_unit_test(test_large_template_linear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
