/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the health bodies (runtime/health.c): readiness status codes for starting,
 * draining, failing, disabled and non-required dependencies; the application/health+json
 * shape; the fixed vocabulary; and the /breakers document.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rt.h"

static struct glc_dep_view deps[4];

static int setup(void **state)
{
    (void)state;
    deps[0] = (struct glc_dep_view){ "database", GLC_CHECK_POSTGRES, 1, GLC_STATUS_PASS, GLC_REASON_NONE, GLC_BREAKER_CLOSED };
    deps[1] = (struct glc_dep_view){ "redis", GLC_CHECK_REDIS, 1, GLC_STATUS_PASS, GLC_REASON_NONE, GLC_BREAKER_CLOSED };
    deps[2] = (struct glc_dep_view){ "kafka", GLC_CHECK_KAFKA, 1, GLC_STATUS_DISABLED, GLC_REASON_NONE, GLC_BREAKER_CLOSED };
    deps[3] = (struct glc_dep_view){ "anthropic_api", GLC_CHECK_NONE, 0, GLC_STATUS_PASS, GLC_REASON_NONE, GLC_BREAKER_CLOSED };
    return 0;
}

/* Render, check the JSON parses, and return it with the status code. */
static json_t *ready(int started, int draining, unsigned *code)
{
    struct glc_strbuf sb;
    json_error_t err;
    json_t *doc;

    glc_sb_init(&sb);
    *code = glc_health_ready_render(&sb, started, draining, deps, 4);
    assert_false(sb.oom);
    doc = json_loads(sb.data, 0, &err);
    if (!doc)
        fail_msg("invalid JSON (%s): %s", err.text, sb.data);
    glc_sb_free(&sb);
    return doc;
}

static const char *check_field(json_t *doc, const char *dep, const char *field)
{
    json_t *v = json_object_get(json_array_get(json_object_get(json_object_get(doc, "checks"), dep), 0), field);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void test_ready_pass(void **state)
{
    unsigned code;
    json_t *doc = ready(1, 0, &code);

    (void)state;
    assert_int_equal(code, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "pass");
    assert_string_equal(check_field(doc, "database", "status"), "pass");
    assert_string_equal(check_field(doc, "database", "componentType"), "datastore");
    assert_string_equal(check_field(doc, "kafka", "status"), "disabled");
    assert_null(check_field(doc, "database", "reason"));
    assert_null(json_object_get(json_object_get(doc, "checks"), "anthropic_api"));  /* not required, no check */
    json_decref(doc);
}

static void test_ready_starting_and_draining(void **state)
{
    unsigned code;
    json_t *doc = ready(0, 0, &code);

    (void)state;
    assert_int_equal(code, 503);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "fail");
    assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "notes"), 0)), "starting");
    json_decref(doc);
    doc = ready(1, 1, &code);
    assert_int_equal(code, 503);
    assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "notes"), 0)), "draining");
    json_decref(doc);
}

static void test_ready_required_failure(void **state)
{
    unsigned code;
    json_t *doc;

    (void)state;
    deps[1].status = GLC_STATUS_FAIL;
    deps[1].reason = GLC_REASON_BREAKER_OPEN;
    deps[1].breaker = GLC_BREAKER_OPEN;
    doc = ready(1, 0, &code);
    assert_int_equal(code, 503);
    assert_string_equal(check_field(doc, "redis", "status"), "fail");
    assert_string_equal(check_field(doc, "redis", "reason"), "breaker_open");
    assert_string_equal(check_field(doc, "redis", "breaker"), "open");
    json_decref(doc);
}

static void test_ready_optional_failure_warns(void **state)
{
    unsigned code;
    json_t *doc;

    (void)state;
    deps[3].status = GLC_STATUS_FAIL;
    deps[3].reason = GLC_REASON_BREAKER_OPEN;
    deps[3].breaker = GLC_BREAKER_OPEN;
    deps[0].readiness = 0;
    deps[0].status = GLC_STATUS_FAIL;
    deps[0].reason = GLC_REASON_TIMEOUT;
    doc = ready(1, 0, &code);
    assert_int_equal(code, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "warn");
    assert_string_equal(check_field(doc, "database", "reason"), "timeout");
    json_decref(doc);
}

static void test_ready_required_breaker_without_check(void **state)
{
    unsigned code;
    json_t *doc;

    (void)state;
    deps[3].readiness = 1;
    deps[3].status = GLC_STATUS_FAIL;
    deps[3].reason = GLC_REASON_BREAKER_OPEN;
    doc = ready(1, 0, &code);
    assert_int_equal(code, 503);
    assert_string_equal(check_field(doc, "anthropic_api", "componentType"), "component");
    json_decref(doc);
}

static void test_vocabulary(void **state)
{
    static const char *const reasons[] = {
        "none", "starting", "timeout", "connect_refused", "auth_failed", "dns", "unavailable",
        "protocol", "misconfigured", "breaker_open",
    };

    (void)state;
    for (unsigned r = 0; r < GLC_REASON_COUNT; r++)
        assert_string_equal(glc_check_reason_name((enum glc_check_reason)r), reasons[r]);
    assert_string_equal(glc_check_reason_name(GLC_REASON_COUNT), "unavailable");
    assert_string_equal(glc_check_status_name(GLC_STATUS_DISABLED), "disabled");
    assert_string_equal(glc_check_kind_name(GLC_CHECK_KAFKA), "kafka");
    assert_string_equal(glc_check_kind_name(42), "none");
}

static void test_breakers_json(void **state)
{
    static const struct glc_breaker_def defs[] = {
        { "database", 1, 60000, 1, 1, GLC_CHECK_POSTGRES, 1 },
        { "anthropic_api", 5, 60000, 3, 2, GLC_CHECK_NONE, 0 },
    };
    struct glc_breaker_set *set = glc_breaker_set_new(defs, 2, NULL);
    struct glc_breaker_ticket t = glc_breaker_acquire(set, 0);
    json_t *doc, *db, *api;
    char *text;

    (void)state;
    glc_breaker_release(set, &t, GLC_OUTCOME_FAILURE);
    deps[0].status = GLC_STATUS_FAIL;
    text = glc_health_breakers_json(set, deps);
    assert_non_null(text);
    doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    db = json_array_get(json_object_get(doc, "breakers"), 0);
    api = json_array_get(json_object_get(doc, "breakers"), 1);
    assert_string_equal(json_string_value(json_object_get(db, "name")), "database");
    assert_string_equal(json_string_value(json_object_get(db, "state")), "open");
    assert_string_equal(json_string_value(json_object_get(db, "check_status")), "fail");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(db, "calls"), "failure")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(db, "transitions"), "closed_to_open")), 1);
    assert_true(json_integer_value(json_object_get(db, "open_remaining_ms")) > 59000);
    assert_true(json_is_string(json_object_get(db, "last_transition")));
    assert_int_equal(strlen(json_string_value(json_object_get(db, "last_transition"))), 24);
    assert_true(json_is_null(json_object_get(api, "last_transition")));
    assert_null(json_object_get(api, "check_status"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(api, "config"), "failure_threshold")), 5);
    json_decref(doc);
    free(text);
    glc_breaker_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_ready_pass, setup),
        cmocka_unit_test_setup(test_ready_starting_and_draining, setup),
        cmocka_unit_test_setup(test_ready_required_failure, setup),
        cmocka_unit_test_setup(test_ready_optional_failure_warns, setup),
        cmocka_unit_test_setup(test_ready_required_breaker_without_check, setup),
        cmocka_unit_test(test_vocabulary),
        cmocka_unit_test_setup(test_breakers_json, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
