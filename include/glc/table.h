/* SPDX-License-Identifier: MIT */
/**
 * DOC: glc/table.h - the contract between glc's generated breaker table and the runtime
 *
 * ``glc build`` emits ``glc_breakers.h``/``glc_breakers.c`` defining the three symbols below.
 * The structure definitions are guarded by GLC_TABLE_TYPES_DEFINED so that this header and the
 * generated one may be included together, in either order.
 *
 * The library API (breaker.h, runtime.h) always takes a table pointer and a count; the extern
 * symbols are referenced only by glc_runtime_main(), which lives in its own object file so a
 * program that does not call it need not define them.
 */
#ifndef GLC_TABLE_H
#define GLC_TABLE_H

#ifdef __cplusplus
extern "C" {
#endif

#ifndef GLC_TABLE_TYPES_DEFINED
#define GLC_TABLE_TYPES_DEFINED
/**
 * enum glc_check_kind - the dependency a breaker guards
 * @GLC_CHECK_NONE: no background check (the breaker is driven by application calls only)
 * @GLC_CHECK_POSTGRES: PostgreSQL ``SELECT 1`` using DATABASE_URL
 * @GLC_CHECK_REDIS: Redis ``PING`` using REDIS_URL
 * @GLC_CHECK_KAFKA: Kafka metadata request using KAFKA_BROKERS
 */
enum glc_check_kind { GLC_CHECK_NONE = 0, GLC_CHECK_POSTGRES = 1, GLC_CHECK_REDIS = 2, GLC_CHECK_KAFKA = 3 };

/**
 * struct glc_breaker_def - one row of the generated breaker table
 * @name: breaker name, ``[a-z][a-z0-9_]*``
 * @failure_threshold: consecutive failures (>= 1) that open a closed breaker
 * @recovery_timeout_ms: time spent open before the next acquire moves to half-open (monotonic)
 * @half_open_max_calls: permits that may be in flight while half-open (>= 1)
 * @success_threshold: successes in half-open (>= 1) that close the breaker
 * @check: an &enum glc_check_kind, the dependency this breaker guards
 * @readiness: 1 if an open breaker or failing check makes ``/health/ready`` answer 503
 */
struct glc_breaker_def {
    const char *name;                 /* [a-z][a-z0-9_]* */
    unsigned failure_threshold;       /* >= 1 consecutive failures to open */
    unsigned long recovery_timeout_ms;/* open -> half-open after this, monotonic */
    unsigned half_open_max_calls;     /* permits in half-open */
    unsigned success_threshold;       /* successes in half-open to close */
    int check;                        /* enum glc_check_kind: which dependency this breaker guards */
    int readiness;                    /* 1: an open breaker / failing check makes /health/ready 503 */
};

/**
 * struct glc_app_def - application-wide settings from the config
 * @name: application name (a DNS label)
 * @http_port: default for ``--port``
 * @metrics_port: default for ``--metrics-port``
 * @track_state_changes: store transitions in PostgreSQL (with DATABASE_URL set)
 * @alert_on_open: alert when a breaker opens
 * @alert_on_close: alert when a breaker closes again (PagerDuty: resolve)
 * @alert_slack: the Slack channel is listed (used when GLC_SLACK_WEBHOOK_URL is set)
 * @alert_pagerduty: the PagerDuty channel is listed (used when GLC_PAGERDUTY_ROUTING_KEY is set)
 */
struct glc_app_def {
    const char *name;                 /* app name (DNS label) */
    unsigned http_port, metrics_port;
    int track_state_changes, alert_on_open, alert_on_close, alert_slack, alert_pagerduty;
};
#endif /* GLC_TABLE_TYPES_DEFINED */

extern const struct glc_breaker_def glc_breaker_table[];
extern const unsigned glc_breaker_count;
extern const struct glc_app_def glc_app;

#ifdef __cplusplus
}
#endif

#endif /* GLC_TABLE_H */
