/*
 * test_quantity.c — unit tests for quantity.c: exact Kubernetes quantity and
 * Go duration parsing (values, rounding, overflow, error reasons) and the
 * human and manifest formatters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "glc.h"

typedef int (*parse_fn)(const char *, int64_t *, const char **);

struct ok_case {
    const char *in;
    int64_t want;
};

struct bad_case {
    const char *in;
    const char *why; /* exact reason, or NULL to check only that one is given */
};

static void check_ok(parse_fn fn, const struct ok_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t got = -12345;
        const char *why = NULL;
        int rc = fn(c[i].in, &got, &why);
        if (rc != 0 || got != c[i].want)
            print_error("input \"%s\": rc=%d got=%lld want=%lld why=%s\n", c[i].in, rc,
                        (long long)got, (long long)c[i].want, why ? why : "(none)");
        assert_int_equal(rc, 0);
        assert_true(got == c[i].want);
    }
}

static void check_bad(parse_fn fn, const struct bad_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t got = 0;
        const char *why = NULL;
        int rc = fn(c[i].in, &got, &why);
        if (rc != -1 || !why || (c[i].why && strcmp(why, c[i].why) != 0))
            print_error("input \"%s\": rc=%d got=%lld why=%s want why=%s\n", c[i].in, rc,
                        (long long)got, why ? why : "(none)", c[i].why ? c[i].why : "(any)");
        assert_int_equal(rc, -1);
        assert_non_null(why);
        if (c[i].why)
            assert_string_equal(why, c[i].why);
    }
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ cpu */

static void test_cpu_values(void **state)
{
    (void)state;
    static const struct ok_case c[] = {
        {"0", 0},
        {"0m", 0},
        {"0.0", 0},
        {"1m", 1},
        {"250m", 250},
        {"2000m", 2000},
        {"2", 2000},
        {"1.5", 1500},
        {"0.5", 500},
        {".5", 500},
        {"1.", 1000},
        {"0.001", 1},
        {"1e3m", 1000},
        {"25e1m", 250},
        {"1e-3k", 1000},
        {"1e3", 1000000},
        {"1E3", 1000000},
        {"12e-1", 1200},
        {"12E-1", 1200},
        {"1e+2", 100000},
        {"1e-3", 1},
        {"100k", 100000000},
        {"1M", 1000000000},
        {"500000u", 500},
        {"1000000n", 1},
        {"7910m", 7910},
        {"007", 7000},
        {"1.000000000000000000000000000", 1000},
        {"9223372036854775m", 9223372036854775},
        {"9223372036854775807m", INT64_MAX},
        {"9223372036854775.807", INT64_MAX},
        {"0e99999999999999999999", 0},
    };
    check_ok(glc_qty_cpu_milli, c, N(c));
}

static void test_cpu_rounds_up(void **state)
{
    (void)state;
    static const struct ok_case c[] = {
        {"0.1m", 1},    {"0.0001", 1},   {"1n", 1},       {"1u", 1},
        {"1001u", 2},   {"1.0001", 1001}, {"0.5m", 1},    {"1.5m", 2},
        {"999999n", 1}, {"1000001n", 2}, {"1e-30", 1},     {"1e-999999999999999", 1},
        {"0.000000000000000000000000000000001", 1},
        {"2.0000000000000000000000000001", 2001},
    };
    check_ok(glc_qty_cpu_milli, c, N(c));
}

static void test_cpu_errors(void **state)
{
    (void)state;
    static const struct bad_case c[] = {
        {"", "empty quantity"},
        {"-1", "negative quantity"},
        {"-0.5", "negative quantity"},
        {"+1", "a sign is not allowed"},
        {"abc", "expected a number"},
        {".", "expected a number"},
        {"m", "expected a number"},
        {"1.2.3", "more than one decimal point"},
        {" 1", "unexpected whitespace"},
        {"1 ", "unexpected whitespace"},
        {"1\t", "unexpected whitespace"},
        {"1 m", "unexpected whitespace"},
        {"1-", "unexpected sign inside the quantity"},
        {"1e", NULL},
        {"1e3x", NULL},
        {"1e3Gb", NULL},
        {"1ee3", "invalid exponent"},
        {"1e3e3", NULL},
        {"1mm", NULL},
        {"1x", NULL},
        {"99999999999999999999", "value too large"},
        {"9223372036854775808m", "value too large"},
        {"9223372036854775807", "value too large"},
        {"9223372036854776", "value too large"},
        {"1E", "value too large"},
        {"10P", "value too large"},
        {"1e16", "value too large"},
        {"1e99999999999999999999", "value too large"},
    };
    check_bad(glc_qty_cpu_milli, c, N(c));
}

static void test_cpu_null_why(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_int_equal(glc_qty_cpu_milli("bad", &v, NULL), -1);
    assert_int_equal(glc_qty_cpu_milli(NULL, &v, NULL), -1);
    assert_int_equal(glc_qty_cpu_milli("3", &v, NULL), 0);
    assert_true(v == 3000);
}

/* ------------------------------------------------------------ bytes */

static void test_bytes_values(void **state)
{
    (void)state;
    static const struct ok_case c[] = {
        {"0", 0},
        {"1", 1},
        {"4Gi", INT64_C(4294967296)},
        {"500Mi", INT64_C(524288000)},
        {"1.5Gi", INT64_C(1610612736)},
        {"1536Mi", INT64_C(1610612736)},
        {"512Ki", 524288},
        {"1Ti", INT64_C(1099511627776)},
        {"1Pi", INT64_C(1125899906842624)},
        {"7Ei", INT64_C(8070450532247928832)},
        {"1G", INT64_C(1000000000)},
        {"1k", 1000},
        {"1M", 1000000},
        {"1T", INT64_C(1000000000000)},
        {"1P", INT64_C(1000000000000000)},
        {"9E", INT64_C(9000000000000000000)},
        {"1E", INT64_C(1000000000000000000)},
        {"1e3", 1000},
        {"1E3", 1000},
        {"1e9", INT64_C(1000000000)},
        {"128974848", INT64_C(128974848)},
        {"129e6", INT64_C(129000000)},
        {"1e3Ki", 1024000},
        {"1.5e3M", INT64_C(1500000000)},
        {"123Mi", INT64_C(128974848)},
        {"0.5Ki", 512},
        {".5Ki", 512},
        {"9223372036854775807", INT64_MAX},
        {"0Ei", 0},
        {"16384Mi", INT64_C(17179869184)},
    };
    check_ok(glc_qty_bytes, c, N(c));
}

static void test_bytes_rounds_up(void **state)
{
    (void)state;
    static const struct ok_case c[] = {
        {"1m", 1},
        {"1500m", 2},
        {"0.1", 1},
        {"1.1", 2},
        {"12e-1", 2},
        {"0.001Ki", 2},    /* 1.024 bytes */
        {"0.0009765625Ki", 1}, /* exactly 1 byte */
        {"0.3Ki", 308},    /* 307.2 bytes */
        {"1.1Gi", INT64_C(1181116007)}, /* 1181116006.4 */
    };
    check_ok(glc_qty_bytes, c, N(c));
}

static void test_bytes_errors(void **state)
{
    (void)state;
    static const struct bad_case c[] = {
        {"1Gb", "invalid suffix 'Gb' (did you mean 'G' or 'Gi'?)"},
        {"1GB", "invalid suffix 'GB' (did you mean 'G' or 'Gi'?)"},
        {"1gi", "invalid suffix 'gi' (did you mean 'Gi'?)"},
        {"1GiB", "invalid suffix 'GiB' (did you mean 'Gi'?)"},
        {"1MB", "invalid suffix 'MB' (did you mean 'M' or 'Mi'?)"},
        {"1mi", "invalid suffix 'mi' (did you mean 'Mi'?)"},
        {"1Kb", "invalid suffix 'Kb' (did you mean 'k' or 'Ki'?)"},
        {"1K", "invalid suffix 'K' (did you mean 'k' or 'Ki'?)"},
        {"1KiB", "invalid suffix 'KiB' (did you mean 'Ki'?)"},
        {"1g", "invalid suffix 'g' (did you mean 'G' or 'Gi'?)"},
        {"1TB", "invalid suffix 'TB' (did you mean 'T' or 'Ti'?)"},
        {"1GI", "invalid suffix 'GI' (did you mean 'Gi'?)"},
        {"1B", NULL},
        {"1Zi", NULL},
        {"1Gix", NULL},
        {"", "empty quantity"},
        {"-1", "negative quantity"},
        {"-1Gi", "negative quantity"},
        {"1.2.3", "more than one decimal point"},
        {" 1", "unexpected whitespace"},
        {"1 Gi", "unexpected whitespace"},
        {"Gi", "expected a number"},
        {".Gi", "expected a number"},
        {"1e3Gx", NULL},
        {"1e-", NULL},
        {"8Ei", "value too large"},
        {"9223372036854775808", "value too large"},
        {"99999999999999999999", "value too large"},
        {"10E", "value too large"},
        {"8192Pi", "value too large"},
        {"1e19", "value too large"},
    };
    check_bad(glc_qty_bytes, c, N(c));
}

static void test_suffix_reason_is_specific(void **state)
{
    (void)state;
    int64_t v;
    const char *why = NULL;
    assert_int_equal(glc_qty_bytes("1Zi", &v, &why), -1);
    assert_non_null(strstr(why, "invalid suffix"));
    assert_non_null(strstr(why, "Gi"));
    assert_int_equal(glc_qty_bytes("1B", &v, &why), -1);
    assert_non_null(strstr(why, "invalid suffix 'B'"));
}

/* ------------------------------------------------------------ durations */

static void test_duration_values(void **state)
{
    (void)state;
    static const struct ok_case c[] = {
        {"10m", 600000},
        {"1h30m", 5400000},
        {"1.5h", 5400000},
        {"300ms", 300},
        {"300s", 300000},
        {"500ms", 500},
        {"0", 0},
        {"0s", 0},
        {"90", 90000},
        {"10", 10000},
        {"007", 7000},
        {"1h0m0s", 3600000},
        {"2h45m30.5s", 9930500},
        {"1m30s", 90000},
        {"1000us", 1},
        {"1000000ns", 1},
        {"1500\xc2\xb5s", 2},     /* micro sign */
        {"2000\xce\xbcs", 2},     /* Greek mu */
        {".5s", 500},
        {"5.s", 5000},
        {"0.25m", 15000},
        {"1s500ms", 1500},
        {"1h1h", 7200000},
        {"2562047h", INT64_C(9223369200000)},
        {"9223372036", INT64_C(9223372036000)},
    };
    check_ok(glc_duration_ms, c, N(c));
}

static void test_duration_rounds_up(void **state)
{
    (void)state;
    static const struct ok_case c[] = {
        {"1ns", 1},        {"1us", 1},        {"1001us", 2},    {"1.5ms", 2},
        {"0.0001s", 1},    {"999999ns", 1},   {"1000001ns", 2}, {"0.5ns", 1},
        {"1s1ns", 1001},   {"0.0000000001h", 1},
    };
    check_ok(glc_duration_ms, c, N(c));
}

static void test_duration_errors(void **state)
{
    (void)state;
    static const struct bad_case c[] = {
        {"", "empty duration"},
        {"-1s", "negative duration"},
        {"-5", "negative duration"},
        {"+1s", "a sign is not allowed"},
        {"1d", "unknown unit 'd' in duration (days are not supported; use h, e.g. 24h)"},
        {"1x", "unknown unit in duration (use ns, us, ms, s, m or h)"},
        {"1H", "unknown unit in duration (use ns, us, ms, s, m or h)"},
        {"1hour", "unknown unit in duration (use ns, us, ms, s, m or h)"},
        {"1.5", "missing unit in duration (use ns, us, ms, s, m or h)"},
        {"1h30", "missing unit in duration (use ns, us, ms, s, m or h)"},
        {"h", "expected a number"},
        {"1h.m", "expected a number"},
        {"1.2.3s", "more than one decimal point"},
        {"1 h", "unexpected whitespace"},
        {" 10m", "unexpected whitespace"},
        {"2562048h", "value too large"},
        {"9223372037", "value too large"},
        {"99999999999999999999", "value too large"},
        {"99999999999999999999h", "value too large"},
        {"2562047h2562047h", "value too large"},
        {"9223372036854775807ns1ns", "value too large"},
    };
    check_bad(glc_duration_ms, c, N(c));
}

/* ------------------------------------------------------------ formatting */

static int arena_setup(void **state)
{
    *state = glc_arena_new();
    return *state ? 0 : -1;
}

static int arena_teardown(void **state)
{
    glc_arena_free(*state);
    return 0;
}

static void test_fmt_cpu(void **state)
{
    struct glc_arena *a = *state;
    assert_string_equal(glc_fmt_cpu(a, 7910), "7910m");
    assert_string_equal(glc_fmt_cpu(a, 0), "0m");
    assert_string_equal(glc_fmt_cpu(a, 2000), "2000m");
    assert_string_equal(glc_fmt_cpu(a, 1), "1m");
}

static void test_fmt_bytes(void **state)
{
    struct glc_arena *a = *state;
    assert_string_equal(glc_fmt_bytes(a, INT64_C(16139145216)), "15.0Gi");
    assert_string_equal(glc_fmt_bytes(a, INT64_C(4294967296)), "4Gi");
    assert_string_equal(glc_fmt_bytes(a, INT64_C(936378368)), "893Mi");
    assert_string_equal(glc_fmt_bytes(a, 524288), "512Ki");
    assert_string_equal(glc_fmt_bytes(a, INT64_C(16138633216)), "15.0Gi"); /* 15391Mi */
    assert_string_equal(glc_fmt_bytes(a, INT64_C(1610612736)), "1.5Gi");   /* 1536Mi */
    assert_string_equal(glc_fmt_bytes(a, INT64_C(105906176)), "101Mi");
    assert_string_equal(glc_fmt_bytes(a, INT64_C(1181116006)), "1.0Gi");
    assert_string_equal(glc_fmt_bytes(a, INT64_C(2040109465)), "1.8Gi"); /* 1.9 - 1 byte */
    assert_string_equal(glc_fmt_bytes(a, 1536), "1.5Ki");
    assert_string_equal(glc_fmt_bytes(a, 1023), "1023");
    assert_string_equal(glc_fmt_bytes(a, 1024), "1Ki");
    assert_string_equal(glc_fmt_bytes(a, 1025), "1.0Ki");
    assert_string_equal(glc_fmt_bytes(a, 0), "0");
    assert_string_equal(glc_fmt_bytes(a, INT64_MAX), "7.9Ei");
    assert_string_equal(glc_fmt_bytes(a, INT64_C(-1073741824)), "-1Gi");
    assert_string_equal(glc_fmt_bytes(a, INT64_MIN), "-8Ei");
}

static void test_k8s_cpu(void **state)
{
    struct glc_arena *a = *state;
    assert_string_equal(glc_k8s_cpu(a, 2000), "2");
    assert_string_equal(glc_k8s_cpu(a, 1500), "1500m");
    assert_string_equal(glc_k8s_cpu(a, 250), "250m");
    assert_string_equal(glc_k8s_cpu(a, 1000), "1");
    assert_string_equal(glc_k8s_cpu(a, 0), "0");
    assert_string_equal(glc_k8s_cpu(a, 1), "1m");
}

static void test_k8s_bytes(void **state)
{
    struct glc_arena *a = *state;
    assert_string_equal(glc_k8s_bytes(a, INT64_C(4294967296)), "4Gi");
    assert_string_equal(glc_k8s_bytes(a, INT64_C(524288000)), "500Mi");
    assert_string_equal(glc_k8s_bytes(a, INT64_C(1610612736)), "1536Mi");
    assert_string_equal(glc_k8s_bytes(a, 1024), "1Ki");
    assert_string_equal(glc_k8s_bytes(a, 1000), "1000");
    assert_string_equal(glc_k8s_bytes(a, 1000000000), "1000000000");
    assert_string_equal(glc_k8s_bytes(a, 0), "0");
    assert_string_equal(glc_k8s_bytes(a, INT64_C(1152921504606846976)), "1Ei");
}

/* Formatting then parsing gives the value back. */
static void test_k8s_round_trip(void **state)
{
    struct glc_arena *a = *state;
    static const int64_t cpu[] = {0, 1, 250, 1000, 1500, 7910, 64000};
    static const int64_t mem[] = {0, 1, 1000, 1024, 524288000, INT64_C(1610612736),
                                  INT64_C(16138633216), INT64_MAX};
    for (size_t i = 0; i < N(cpu); i++) {
        int64_t v = -1;
        assert_int_equal(glc_qty_cpu_milli(glc_k8s_cpu(a, cpu[i]), &v, NULL), 0);
        assert_true(v == cpu[i]);
    }
    for (size_t i = 0; i < N(mem); i++) {
        int64_t v = -1;
        assert_int_equal(glc_qty_bytes(glc_k8s_bytes(a, mem[i]), &v, NULL), 0);
        assert_true(v == mem[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpu_values),
        cmocka_unit_test(test_cpu_rounds_up),
        cmocka_unit_test(test_cpu_errors),
        cmocka_unit_test(test_cpu_null_why),
        cmocka_unit_test(test_bytes_values),
        cmocka_unit_test(test_bytes_rounds_up),
        cmocka_unit_test(test_bytes_errors),
        cmocka_unit_test(test_suffix_reason_is_specific),
        cmocka_unit_test(test_duration_values),
        cmocka_unit_test(test_duration_rounds_up),
        cmocka_unit_test(test_duration_errors),
        cmocka_unit_test_setup_teardown(test_fmt_cpu, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_fmt_bytes, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_k8s_cpu, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_k8s_bytes, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_k8s_round_trip, arena_setup, arena_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
