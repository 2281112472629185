/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of what the event pipeline produces: which transitions raise an alert (and
 * which do not: re-opens from half-open, resumed state), the retry policy, the Slack and
 * PagerDuty request bodies (fields, dedup key, severity, resolve), and the event_type and
 * message stored in circuit_breaker_events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "rt.h"

static const struct glc_breaker_def redis = { "redis", 3, 30000, 2, 2, GLC_CHECK_REDIS, 1 };
static const struct glc_breaker_def llm = { "anthropic_api", 5, 60000, 3, 2, GLC_CHECK_NONE, 0 };
static const struct glc_app_def app = { .name = "agent-foundation", .alert_on_open = 1, .alert_on_close = 1 };

static struct glc_breaker_event event(enum glc_breaker_state from, enum glc_breaker_state to,
                                      enum glc_breaker_cause cause)
{
    return (struct glc_breaker_event){ .seq = 7, .from = from, .to = to, .cause = cause, .failure_count = 3,
                                       .open_ms = to == GLC_BREAKER_OPEN ? 30000 : 0 };
}

static void test_alert_kind(void **state)
{
    struct glc_app_def quiet = app;
    struct glc_breaker_event e;

    (void)state;
    e = event(GLC_BREAKER_CLOSED, GLC_BREAKER_OPEN, GLC_CAUSE_CALLS);
    assert_int_equal(glc_alert_kind_of(&app, &e), GLC_ALERT_OPEN);
    e = event(GLC_BREAKER_HALF_OPEN, GLC_BREAKER_OPEN, GLC_CAUSE_CALLS);     /* no re-alert */
    assert_int_equal(glc_alert_kind_of(&app, &e), GLC_ALERT_NONE);
    e = event(GLC_BREAKER_OPEN, GLC_BREAKER_HALF_OPEN, GLC_CAUSE_CALLS);
    assert_int_equal(glc_alert_kind_of(&app, &e), GLC_ALERT_NONE);
    e = event(GLC_BREAKER_HALF_OPEN, GLC_BREAKER_CLOSED, GLC_CAUSE_CALLS);
    assert_int_equal(glc_alert_kind_of(&app, &e), GLC_ALERT_CLOSE);
    e = event(GLC_BREAKER_CLOSED, GLC_BREAKER_OPEN, GLC_CAUSE_RESUMED);      /* alerted already */
    assert_int_equal(glc_alert_kind_of(&app, &e), GLC_ALERT_NONE);
    e = event(GLC_BREAKER_CLOSED, GLC_BREAKER_OPEN, GLC_CAUSE_FORCED_OPEN);
    assert_int_equal(glc_alert_kind_of(&app, &e), GLC_ALERT_OPEN);
    e = event(GLC_BREAKER_OPEN, GLC_BREAKER_CLOSED, GLC_CAUSE_FORCED_RESET);
    assert_int_equal(glc_alert_kind_of(&app, &e), GLC_ALERT_CLOSE);
    e = event(GLC_BREAKER_CLOSED, GLC_BREAKER_CLOSED, GLC_CAUSE_FORCED_CLOSE);  /* no change */
    assert_int_equal(glc_alert_kind_of(&app, &e), GLC_ALERT_NONE);
    quiet.alert_on_close = 0;
    e = event(GLC_BREAKER_HALF_OPEN, GLC_BREAKER_CLOSED, GLC_CAUSE_CALLS);
    assert_int_equal(glc_alert_kind_of(&quiet, &e), GLC_ALERT_NONE);
    quiet.alert_on_open = 0;
    e = event(GLC_BREAKER_CLOSED, GLC_BREAKER_OPEN, GLC_CAUSE_CALLS);
    assert_int_equal(glc_alert_kind_of(&quiet, &e), GLC_ALERT_NONE);
}

static void test_retry_policy(void **state)
{
    (void)state;
    assert_int_equal(glc_alert_verdict(CURLE_OK, 200), GLC_VERDICT_OK);
    assert_int_equal(glc_alert_verdict(CURLE_OK, 202), GLC_VERDICT_OK);
    assert_int_equal(glc_alert_verdict(CURLE_OK, 429), GLC_VERDICT_RETRY);
    assert_int_equal(glc_alert_verdict(CURLE_OK, 500), GLC_VERDICT_RETRY);
    assert_int_equal(glc_alert_verdict(CURLE_OK, 503), GLC_VERDICT_RETRY);
    assert_int_equal(glc_alert_verdict(CURLE_OK, 400), GLC_VERDICT_FAIL);
    assert_int_equal(glc_alert_verdict(CURLE_OK, 403), GLC_VERDICT_FAIL);
    assert_int_equal(glc_alert_verdict(CURLE_OK, 404), GLC_VERDICT_FAIL);
    assert_int_equal(glc_alert_verdict(CURLE_OK, 301), GLC_VERDICT_FAIL);
    assert_int_equal(glc_alert_verdict(CURLE_COULDNT_CONNECT, 0), GLC_VERDICT_RETRY);
    assert_int_equal(glc_alert_verdict(CURLE_OPERATION_TIMEDOUT, 0), GLC_VERDICT_RETRY);
    assert_int_equal(glc_alert_verdict(CURLE_COULDNT_RESOLVE_HOST, 0), GLC_VERDICT_RETRY);
    assert_int_equal(glc_alert_verdict(CURLE_URL_MALFORMAT, 0), GLC_VERDICT_FAIL);
    assert_int_equal(glc_alert_verdict(CURLE_UNSUPPORTED_PROTOCOL, 0), GLC_VERDICT_FAIL);
}

static json_t *parse(char *text)
{
    json_error_t err;
    json_t *doc;

    assert_non_null(text);
    doc = json_loads(text, 0, &err);
    free(text);
    if (!doc)
        fail_msg("invalid JSON: %s", err.text);
    return doc;
}

static const char *str(json_t *doc, const char *path1, const char *path2)
{
    json_t *v = json_object_get(doc, path1);

    if (path2)
        v = json_object_get(v, path2);
    return json_string_value(v);
}

static void test_slack_body(void **state)
{
    struct glc_alert_info info = { "agent-foundation", "pod-<1>&", &redis };
    struct glc_breaker_event open = event(GLC_BREAKER_CLOSED, GLC_BREAKER_OPEN, GLC_CAUSE_CALLS);
    struct glc_breaker_event closed = event(GLC_BREAKER_HALF_OPEN, GLC_BREAKER_CLOSED, GLC_CAUSE_CALLS);
    json_t *doc;

    (void)state;
    doc = parse(glc_alert_slack_body(&info, &open, GLC_ALERT_OPEN));
    assert_non_null(str(doc, "text", NULL));
    assert_non_null(strstr(str(doc, "text", NULL), "circuit breaker `redis` opened (after 3 consecutive failures)"));
    assert_non_null(strstr(str(doc, "text", NULL), "agent-foundation"));
    assert_non_null(strstr(str(doc, "text", NULL), "pod-&lt;1&gt;&amp;"));  /* mrkdwn escaped */
    assert_non_null(strstr(str(doc, "text", NULL), "30.0 s"));
    json_decref(doc);
    doc = parse(glc_alert_slack_body(&info, &closed, GLC_ALERT_CLOSE));
    assert_non_null(strstr(str(doc, "text", NULL), "`redis` closed again"));
    json_decref(doc);
}

static void test_pagerduty_bodies(void **state)
{
    struct glc_alert_info info = { "agent-foundation", "pod-1", &redis }, info2 = { "agent-foundation", NULL, &llm };
    struct glc_breaker_event open = event(GLC_BREAKER_CLOSED, GLC_BREAKER_OPEN, GLC_CAUSE_CALLS);
    struct glc_breaker_event closed = event(GLC_BREAKER_HALF_OPEN, GLC_BREAKER_CLOSED, GLC_CAUSE_CALLS);
    json_t *doc;

    (void)state;
    doc = parse(glc_alert_pagerduty_body(&info, "R0UTING", &open, GLC_ALERT_OPEN));
    assert_string_equal(str(doc, "routing_key", NULL), "R0UTING");
    assert_string_equal(str(doc, "event_action", NULL), "trigger");
    assert_string_equal(str(doc, "dedup_key", NULL), "agent-foundation/redis");
    assert_string_equal(str(doc, "payload", "severity"), "critical");  /* gates readiness */
    assert_string_equal(str(doc, "payload", "source"), "pod-1");
    assert_string_equal(str(doc, "payload", "component"), "redis");
    assert_non_null(strstr(str(doc, "payload", "summary"), "redis opened"));
    json_decref(doc);
    doc = parse(glc_alert_pagerduty_body(&info2, "R0UTING", &open, GLC_ALERT_OPEN));
    assert_string_equal(str(doc, "payload", "severity"), "error");
    assert_string_equal(str(doc, "payload", "source"), "agent-foundation");
    json_decref(doc);
    doc = parse(glc_alert_pagerduty_body(&info, "R0UTING", &closed, GLC_ALERT_CLOSE));
    assert_string_equal(str(doc, "event_action", NULL), "resolve");
    assert_string_equal(str(doc, "dedup_key", NULL), "agent-foundation/redis");
    assert_null(json_object_get(doc, "payload"));
    json_decref(doc);
}

static void test_stored_events(void **state)
{
    struct glc_breaker_event e = event(GLC_BREAKER_CLOSED, GLC_BREAKER_OPEN, GLC_CAUSE_CALLS);
    char msg[256];

    (void)state;
    assert_string_equal(glc_event_type(&e), "state_change");
    glc_event_message(msg, sizeof msg, &redis, &e);
    assert_string_equal(msg, "opened after 3 consecutive failures; half-open trials in 30000 ms");
    e = event(GLC_BREAKER_OPEN, GLC_BREAKER_HALF_OPEN, GLC_CAUSE_CALLS);
    glc_event_message(msg, sizeof msg, &redis, &e);
    assert_string_equal(msg, "half-open after 30000 ms open: admitting up to 2 trial calls");
    e = event(GLC_BREAKER_HALF_OPEN, GLC_BREAKER_CLOSED, GLC_CAUSE_CALLS);
    glc_event_message(msg, sizeof msg, &redis, &e);
    assert_string_equal(msg, "closed after 2 successful trial calls");
    e = event(GLC_BREAKER_CLOSED, GLC_BREAKER_OPEN, GLC_CAUSE_FORCED_OPEN);
    assert_string_equal(glc_event_type(&e), "forced_open");
    e.cause = GLC_CAUSE_FORCED_CLOSE;
    assert_string_equal(glc_event_type(&e), "forced_close");
    e.cause = GLC_CAUSE_FORCED_RESET;
    assert_string_equal(glc_event_type(&e), "forced_reset");
    e.cause = GLC_CAUSE_RESUMED;
    assert_string_equal(glc_event_type(&e), "resumed_open");
    assert_string_equal(glc_event_queue_name(GLC_QUEUE_DATABASE), "database");
    assert_string_equal(glc_alert_channel_name(GLC_CHANNEL_PAGERDUTY), "pagerduty");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alert_kind),
        cmocka_unit_test(test_retry_policy),
        cmocka_unit_test(test_slack_body),
        cmocka_unit_test(test_pagerduty_bodies),
        cmocka_unit_test(test_stored_events),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
