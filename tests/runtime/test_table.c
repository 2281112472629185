/* SPDX-License-Identifier: MIT */
/*
 * The table contract: glc's generated glc_breakers.h defines the same structures under the
 * same guard, so including it before (or after) glc/table.h must compile, and a table written
 * against the generated definitions must be usable by the library unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* What glc_breakers.h contains (copied from the contract), included first. */
#ifndef GLC_TABLE_TYPES_DEFINED
#define GLC_TABLE_TYPES_DEFINED
enum glc_check_kind { GLC_CHECK_NONE = 0, GLC_CHECK_POSTGRES = 1, GLC_CHECK_REDIS = 2, GLC_CHECK_KAFKA = 3 };
struct glc_breaker_def {
    const char *name;
    unsigned failure_threshold;
    unsigned long recovery_timeout_ms;
    unsigned half_open_max_calls;
    unsigned success_threshold;
    int check;
    int readiness;
};
struct glc_app_def {
    const char *name;
    unsigned http_port, metrics_port;
    int track_state_changes, alert_on_open, alert_on_close, alert_slack, alert_pagerduty;
};
#endif

#include <glc/breaker.h>
#include <glc/runtime.h>
#include <glc/table.h>

static const struct glc_breaker_def generated[] = {
    { .name = "database", .failure_threshold = 3, .recovery_timeout_ms = 30000,
      .half_open_max_calls = 2, .success_threshold = 2, .check = GLC_CHECK_POSTGRES, .readiness = 1 },
    { .name = "anthropic_api", .failure_threshold = 5, .recovery_timeout_ms = 60000,
      .half_open_max_calls = 3, .success_threshold = 2, .check = GLC_CHECK_NONE, .readiness = 0 },
};

static void test_generated_table_is_usable(void **state)
{
    struct glc_breaker_set *set = glc_breaker_set_new(generated, 2, NULL);

    (void)state;
    assert_non_null(set);
    assert_int_equal(glc_breaker_set_find(set, "anthropic_api"), 1);
    assert_ptr_equal(glc_breaker_set_def(set, 0), &generated[0]);
    glc_breaker_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_table_is_usable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
