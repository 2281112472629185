/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the admin surface's pure parts (runtime/admin.c): the constant-time token
 * comparison (correct for every length and position of a difference, and with a running time
 * that does not depend on where the first difference is), the bearer header parser, and the
 * route parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rt.h"

static int eq(const char *given, const char *secret)
{
    return glc_ct_equal(given, strlen(given), secret, strlen(secret));
}

static void test_ct_equal_results(void **state)
{
    const char *secret = "s3cret-token-0123456789abcdef";
    char probe[64];

    (void)state;
    assert_true(eq(secret, secret));
    assert_false(eq("", secret));
    assert_false(eq("s3cret", secret));                               /* a prefix */
    assert_false(eq("s3cret-token-0123456789abcdefX", secret));       /* longer */
    assert_false(eq("S3cret-token-0123456789abcdef", secret));        /* case */
    assert_true(eq("", ""));
    assert_false(eq("x", ""));
    /* one byte different, at every position */
    for (size_t i = 0; i < strlen(secret); i++) {
        snprintf(probe, sizeof probe, "%s", secret);
        probe[i] ^= 1;
        assert_false(eq(probe, secret));
    }
    /* embedded NUL: the given length counts, not the string */
    assert_false(glc_ct_equal("s3cret\0token", 12, "s3cret", 6));
}

static double time_compare(const char *given, size_t glen, const char *secret, size_t slen, int rounds)
{
    uint64_t t0 = glc_mono_ns();
    volatile int sink = 0;

    for (int i = 0; i < rounds; i++)
        sink += glc_ct_equal(given, glen, secret, slen);
    (void)sink;
    return (double)(glc_mono_ns() - t0);
}

/* A difference in the first byte costs as long as one in the last (a plain memcmp returns
 * early on the first). Medians of interleaved runs absorb scheduling noise; the bound is loose
 * because only an early exit (a factor of ~the token length) must be caught. */
static void test_ct_equal_timing(void **state)
{
    char secret[4096], first[4096], last[4096];
    double a[9], b[9], tmp;

    (void)state;
    memset(secret, 'k', sizeof secret);
    memcpy(first, secret, sizeof first);
    memcpy(last, secret, sizeof last);
    first[0] = 'x';
    last[sizeof last - 1] = 'x';
    for (int r = 0; r < 9; r++) {
        a[r] = time_compare(first, sizeof first, secret, sizeof secret, 2000);
        b[r] = time_compare(last, sizeof last, secret, sizeof secret, 2000);
    }
    for (int i = 0; i < 9; i++)
        for (int j = i + 1; j < 9; j++) {
            if (a[j] < a[i]) { tmp = a[i]; a[i] = a[j]; a[j] = tmp; }
            if (b[j] < b[i]) { tmp = b[i]; b[i] = b[j]; b[j] = tmp; }
        }
    if (a[4] < b[4] / 3 || a[4] > b[4] * 3)
        fail_msg("first-byte difference %.0f ns vs last-byte %.0f ns: the time depends on the data",
                 a[4], b[4]);
}

static void test_bearer(void **state)
{
    const char *tok;
    size_t len;

    (void)state;
    assert_int_equal(glc_admin_bearer("Bearer abc", &tok, &len), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(tok, "abc", 3);
    assert_int_equal(glc_admin_bearer("bearer   abc  ", &tok, &len), 0);
    assert_int_equal(len, 3);
    assert_int_equal(glc_admin_bearer(NULL, &tok, &len), -1);
    assert_int_equal(glc_admin_bearer("", &tok, &len), -1);
    assert_int_equal(glc_admin_bearer("Bearer", &tok, &len), -1);
    assert_int_equal(glc_admin_bearer("Bearer    ", &tok, &len), -1);
    assert_int_equal(glc_admin_bearer("Basic dXNlcjpwdw==", &tok, &len), -1);
    assert_int_equal(glc_admin_bearer("Bearerabc", &tok, &len), -1);
}

static void test_route(void **state)
{
    char name[16];
    enum glc_breaker_force action;

    (void)state;
    assert_int_equal(glc_admin_route("/breakers/redis/open", name, sizeof name, &action), 1);
    assert_string_equal(name, "redis");
    assert_int_equal(action, GLC_FORCE_OPEN);
    assert_int_equal(glc_admin_route("/breakers/db/close", name, sizeof name, &action), 1);
    assert_int_equal(action, GLC_FORCE_CLOSE);
    assert_int_equal(glc_admin_route("/breakers/db/reset", name, sizeof name, &action), 1);
    assert_int_equal(action, GLC_FORCE_RESET);
    assert_int_equal(glc_admin_route("/breakers", name, sizeof name, &action), 0);
    assert_int_equal(glc_admin_route("/breakers/", name, sizeof name, &action), 0);
    assert_int_equal(glc_admin_route("/breakers//open", name, sizeof name, &action), 0);
    assert_int_equal(glc_admin_route("/breakers/redis", name, sizeof name, &action), 0);
    assert_int_equal(glc_admin_route("/breakers/redis/", name, sizeof name, &action), 0);
    assert_int_equal(glc_admin_route("/breakers/redis/explode", name, sizeof name, &action), 0);
    assert_int_equal(glc_admin_route("/breakers/redis/open/x", name, sizeof name, &action), 0);
    assert_int_equal(glc_admin_route("/breakers/a-very-long-breaker-name/open", name, sizeof name, &action), 0);
    assert_int_equal(glc_admin_route("/metrics", name, sizeof name, &action), 0);
    assert_string_equal(glc_admin_action_name(GLC_FORCE_RESET), "reset");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ct_equal_results),
        cmocka_unit_test(test_ct_equal_timing),
        cmocka_unit_test(test_bearer),
        cmocka_unit_test(test_route),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
