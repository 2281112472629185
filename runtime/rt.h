/* SPDX-License-Identifier: MIT */
/*
 * Internal interfaces of the runtime library, shared by its modules and its tests:
 * logging and redaction (log.c), the Prometheus writer (metrics.c), health bodies (health.c),
 * dependency checkers (checks.c), the HTTP front end (http.c) and its admin routes (admin.c),
 * the event pipeline (evq.c, dispatch.c, persist.c, alert.c), PostgreSQL helpers and
 * migrations (pg.c, migrate.c) and the process (runtime.c).
 */
#ifndef GLC_RT_H
#define GLC_RT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include <glc/breaker.h>
#include <glc/table.h>

/* Per check (connect + query, enforced by our own deadline): the check interval, clamped to
 * [GLC_CHECK_TIMEOUT_MIN_MS, GLC_CHECK_TIMEOUT_MAX_MS]. */
#define GLC_CHECK_TIMEOUT_MIN_MS 500u
#define GLC_CHECK_TIMEOUT_MAX_MS 2000u

/* --- log.c ---------------------------------------------------------------------------------- */

enum glc_log_level { GLC_LOG_DEBUG, GLC_LOG_INFO, GLC_LOG_WARN, GLC_LOG_ERROR };

/* Write one JSON line {"ts","level","msg",...fields} to stdout with a single write(2).
 * @fields is consumed (may be NULL). Never pass secrets: run driver text through glc_redact(). */
void glc_log(enum glc_log_level level, const char *msg, json_t *fields);

/* Copy of @text with URL passwords (scheme://user:PASS@) and password=VALUE pairs replaced by
 * "***". Returns NULL only when out of memory. */
char *glc_redact(const char *text);

/* --- metrics.c ------------------------------------------------------------------------------ */

struct glc_strbuf {
    char *data;
    size_t len, cap;
    int oom;  /* sticky: an append failed */
};

void glc_sb_init(struct glc_strbuf *sb);
void glc_sb_free(struct glc_strbuf *sb);
void glc_sb_append(struct glc_strbuf *sb, const char *s, size_t n);
void glc_sb_puts(struct glc_strbuf *sb, const char *s);
void glc_sb_printf(struct glc_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append @value escaped for a label value: backslash, double quote and newline. */
void glc_prom_escape_label(struct glc_strbuf *sb, const char *value);

#define GLC_HIST_BUCKETS 12
extern const double glc_hist_bounds[GLC_HIST_BUCKETS];  /* seconds, increasing; +Inf implied */

struct glc_histogram {
    uint64_t bucket[GLC_HIST_BUCKETS + 1];  /* per bucket (not cumulative); last is +Inf */
    uint64_t count;
    double sum;
};

void glc_histogram_observe(struct glc_histogram *h, double value);

/* GLC_PATH_ADMIN ("/breakers/{name}/{action}", metrics port) is never returned by
 * glc_http_path_of(): the admin router recognises it. */
enum glc_http_path {
    GLC_PATH_LIVE, GLC_PATH_READY, GLC_PATH_STARTUP, GLC_PATH_BREAKERS, GLC_PATH_METRICS,
    GLC_PATH_OTHER, GLC_PATH_ADMIN, GLC_PATH_COUNT
};
enum glc_http_code {
    GLC_CODE_200, GLC_CODE_401, GLC_CODE_404, GLC_CODE_405, GLC_CODE_413, GLC_CODE_500, GLC_CODE_503,
    GLC_CODE_COUNT
};

const char *glc_http_path_label(enum glc_http_path path);
unsigned glc_http_code_value(enum glc_http_code code);
enum glc_http_path glc_http_path_of(const char *url);
enum glc_http_code glc_http_code_of(unsigned status);

struct glc_metrics_dep {
    const char *name;  /* breaker name */
    int up;            /* last check passed */
    struct glc_histogram hist;
};

/* Queues of breaker events: the breaker set's own log, the database writer's, the alerts'. */
enum glc_event_queue { GLC_QUEUE_BREAKER_LOG, GLC_QUEUE_DATABASE, GLC_QUEUE_ALERTS, GLC_QUEUE_COUNT };
enum glc_alert_channel { GLC_CHANNEL_SLACK, GLC_CHANNEL_PAGERDUTY, GLC_CHANNEL_COUNT };
enum glc_alert_result { GLC_ALERT_OK, GLC_ALERT_FAILED, GLC_ALERT_RESULT_COUNT };

const char *glc_event_queue_name(enum glc_event_queue q);
const char *glc_alert_channel_name(enum glc_alert_channel c);
const char *glc_alert_result_name(enum glc_alert_result r);

/* Counters of the event pipeline (all zero when a stage is disabled). */
struct glc_pipeline_metrics {
    uint64_t dropped[GLC_QUEUE_COUNT];
    uint64_t depth[GLC_QUEUE_COUNT];     /* breaker_log: always 0 (drained continuously) */
    uint64_t written;                    /* events stored in PostgreSQL */
    int writer_up;                       /* the writer's last database operation succeeded */
    uint64_t alerts[GLC_CHANNEL_COUNT][GLC_ALERT_RESULT_COUNT];
    uint64_t alert_retries[GLC_CHANNEL_COUNT];
};

struct glc_metrics_input {
    struct glc_breaker_set *set;
    const struct glc_metrics_dep *deps;  /* enabled dependency checks only */
    unsigned ndeps;
    const uint64_t (*http)[GLC_CODE_COUNT];  /* [GLC_PATH_COUNT][GLC_CODE_COUNT] */
    int ready, draining;
    struct glc_pipeline_metrics pipeline;
};

/* Render the Prometheus text exposition (format 0.0.4). Returns 0, or -1 if out of memory. */
int glc_metrics_render(struct glc_strbuf *out, const struct glc_metrics_input *in);

/* --- health.c ------------------------------------------------------------------------------- */

enum glc_check_status { GLC_STATUS_PASS, GLC_STATUS_FAIL, GLC_STATUS_DISABLED };

/* The only failure reasons ever shown to clients (no driver text, hosts or ports). */
enum glc_check_reason {
    GLC_REASON_NONE, GLC_REASON_STARTING, GLC_REASON_TIMEOUT, GLC_REASON_CONNECT_REFUSED,
    GLC_REASON_AUTH_FAILED, GLC_REASON_DNS, GLC_REASON_UNAVAILABLE, GLC_REASON_PROTOCOL,
    GLC_REASON_MISCONFIGURED, GLC_REASON_BREAKER_OPEN, GLC_REASON_COUNT
};

const char *glc_check_status_name(enum glc_check_status status);
const char *glc_check_reason_name(enum glc_check_reason reason);
const char *glc_check_kind_name(int kind);

struct glc_dep_view {
    const char *name;              /* breaker name */
    int kind;                      /* enum glc_check_kind */
    int readiness;                 /* required for readiness */
    enum glc_check_status status;  /* GLC_CHECK_NONE: derived from the breaker */
    enum glc_check_reason reason;
    enum glc_breaker_state breaker;
};

/* Render the application/health+json readiness body into @out.
 * Returns the HTTP status: 200 (pass, or warn for a failing non-required check) or 503. */
unsigned glc_health_ready_render(struct glc_strbuf *out, int started, int draining,
                                 const struct glc_dep_view *deps, unsigned ndeps);

/* /breakers body: a JSON document (caller frees with free()); NULL when out of memory. */
char *glc_health_breakers_json(struct glc_breaker_set *set, const struct glc_dep_view *deps);

/* --- checks.c ------------------------------------------------------------------------------- */

struct glc_rt;

struct glc_check_result {
    enum glc_check_status status;
    enum glc_check_reason reason;
    int completed;                 /* at least one run finished */
    struct glc_histogram hist;
};

struct glc_checker {
    struct glc_rt *rt;
    unsigned breaker;
    int kind;                      /* enum glc_check_kind; GLC_CHECK_NONE: no checker */
    unsigned timeout_ms;           /* per run */
    char *target;                  /* the env value: secret, never logged unredacted */
    void *driver;                  /* PGconn *, redisContext * or rd_kafka_t * */
    pthread_t thread;
    int running;
    pthread_mutex_t lock;          /* guards result */
    struct glc_check_result result;
};

struct glc_redis_target {
    char host[256];
    char path[256];                /* unix socket path, if any */
    int port;
    char user[128];
    char password[256];
};

/* Parse redis://[[user]:password@]host[:port][/db] or unix:///path. 0 on success. */
int glc_redis_parse_url(const char *url, struct glc_redis_target *out);

enum glc_check_reason glc_pg_classify(const char *driver_message);
enum glc_check_reason glc_redis_classify(const char *driver_message);

uint64_t glc_mono_ns(void);
/* poll(2) one fd until @deadline_ns (monotonic): 1 ready, 0 timed out, -1 error. */
int glc_wait_fd(int fd, short events, uint64_t deadline_ns);
/* Case-insensitive substring test, for classifying driver messages. */
int glc_contains_ci(const char *haystack, const char *needle);

/* Drivers: one attempt before @deadline_ns, reusing ck->driver; 0 on success. */
int glc_pg_check(struct glc_checker *ck, uint64_t deadline_ns, enum glc_check_reason *reason,
                 char *detail, size_t cap);
void glc_pg_close(struct glc_checker *ck);
int glc_redis_check(struct glc_checker *ck, uint64_t deadline_ns, enum glc_check_reason *reason,
                    char *detail, size_t cap);
void glc_redis_close(struct glc_checker *ck);
int glc_kafka_check(struct glc_checker *ck, uint64_t deadline_ns, enum glc_check_reason *reason,
                    char *detail, size_t cap);
void glc_kafka_close(struct glc_checker *ck);

/* One check run; *reason is set on failure; @detail (cap bytes) receives the raw driver text
 * for the log. Returns 0 on success. Keeps the driver connection across calls. */
int glc_check_run(struct glc_checker *ck, unsigned timeout_ms, enum glc_check_reason *reason,
                  char *detail, size_t cap);
void glc_check_close(struct glc_checker *ck);

/* Create checkers (one per breaker) from the environment, logging enabled/disabled ones. */
int glc_checkers_init(struct glc_rt *rt);
int glc_checkers_start(struct glc_rt *rt);
void glc_checkers_stop(struct glc_rt *rt);
void glc_checkers_free(struct glc_rt *rt);
/* 1 once every enabled checker has completed a run. */
int glc_checkers_all_completed(struct glc_rt *rt);
void glc_checker_snapshot(struct glc_checker *ck, struct glc_check_result *out);

/* --- evq.c: bounded ordered queue of breaker events ----------------------------------------- */

/* One producer, one consumer. Items [head, tail) are queued; [head, inflight_end) were handed
 * to the consumer by the last peek. Sequence numbers are the queue's own. */
struct glc_evq {
    pthread_mutex_t lock;
    pthread_cond_t cond;             /* CLOCK_MONOTONIC */
    struct glc_breaker_event *ring;
    unsigned capacity;
    uint64_t head, tail;
    uint64_t inflight_end;
    uint64_t inflight_n;             /* items the last peek returned */
    uint64_t inflight_dropped;       /* dropped while in flight: lost only on nack */
    uint64_t pushed, dropped, done;
    int closed;
};

struct glc_evq_stats {
    uint64_t depth, pushed, dropped, done;
};

/* 0 on success; -1 for capacity 0 or out of memory. */
int glc_evq_init(struct glc_evq *q, unsigned capacity);
void glc_evq_destroy(struct glc_evq *q);
/* Append a copy; when full the oldest event is dropped first. Returns 1 if one was dropped. */
int glc_evq_push(struct glc_evq *q, const struct glc_breaker_event *ev);
/* Wait until something is queued, the queue is closed, or @deadline_ns (monotonic) passes.
 * Returns 1 if events are queued. */
int glc_evq_wait(struct glc_evq *q, uint64_t deadline_ns);
/* Sleep until @deadline_ns (monotonic) unless the queue is closed first; 1 if closed. */
int glc_evq_sleep(struct glc_evq *q, uint64_t deadline_ns);
/* Copy up to @max of the oldest events; they stay queued, in flight, until ack or nack. */
size_t glc_evq_peek(struct glc_evq *q, struct glc_breaker_event *out, size_t max);
/* The consumer handled what it peeked: remove it. */
void glc_evq_ack(struct glc_evq *q);
/* The consumer failed: keep what it peeked for the next try (drops meanwhile now count). */
void glc_evq_nack(struct glc_evq *q);
/* Wake every waiter; glc_evq_wait() and glc_evq_sleep() stop blocking. */
void glc_evq_close(struct glc_evq *q);
void glc_evq_get_stats(struct glc_evq *q, struct glc_evq_stats *out);

/* --- pg.c ----------------------------------------------------------------------------------- */

/* 0 if libpq can parse @url (or it is a bare database name); else -1 with fixed text in
 * @detail: libpq's own parse errors quote pieces of the string, a password included. */
int glc_pg_conninfo_check(const char *url, char *detail, size_t cap);
/* Connect to @url (a libpq URL or key=value string) before @deadline_ns; the session runs with
 * TimeZone=UTC and @statement_timeout_ms. NULL on failure, with libpq's text in @detail
 * (unredacted: for glc_redact() and a log line only). */
PGconn *glc_pg_open(const char *url, const char *app_name, unsigned statement_timeout_ms,
                    uint64_t deadline_ns, char *detail, size_t cap);
/* Run @sql (several statements when @nparams is 0; else one, with text parameters, NULL for SQL
 * NULL) and wait for every result before @deadline_ns. Returns 0 if all succeeded. *out (if
 * given) receives the last result on success, or the failed one (for glc_pg_sqlstate()); the
 * caller PQclear()s it. After -1 the connection may be mid-command: close it. */
int glc_pg_exec(PGconn *c, uint64_t deadline_ns, const char *sql, int nparams,
                const char *const *params, PGresult **out, char *detail, size_t cap);
/* The SQLSTATE of a failed result, or "". */
const char *glc_pg_sqlstate(const PGresult *res);

/* --- migrate.c ------------------------------------------------------------------------------ */

/* The migrations, in version order, embedded from templates/sql/ at build time. */
struct glc_migration {
    const char *version;  /* "013" */
    const char *name;     /* "013_add_circuit_breaker_state" */
    const char *sql;
    size_t len;
};
extern const struct glc_migration glc_migrations[];
extern const unsigned glc_migration_count;

/* `<app>-runtime migrate [--print]`; @argv[0] is "migrate". Returns the exit status. */
int glc_migrate_main(const struct glc_app_def *app, const char *prog, int argc, char **argv);

/* --- persist.c: the database writer ---------------------------------------------------------- */

struct glc_persist;

/* The event_type and message stored for an event; the message names only the breaker's
 * settings and counts, never a connection string or driver text. */
const char *glc_event_type(const struct glc_breaker_event *ev);
void glc_event_message(char *buf, size_t cap, const struct glc_breaker_def *def,
                       const struct glc_breaker_event *ev);

/* Start the writer thread when the table tracks state changes and DATABASE_URL is set;
 * otherwise (logged) NULL. *err is set when it should have started but could not. */
struct glc_persist *glc_persist_start(struct glc_rt *rt, int *err);
/* Queue an event (never blocks on the database). Returns 1 if the oldest queued one was dropped. */
int glc_persist_push(struct glc_persist *p, const struct glc_breaker_event *ev);
/* The writer first resumes open breakers from circuit_breaker_state (see
 * glc_breaker_resume_open()). Wait up to @timeout_ms for that; 1 if it is done. */
int glc_persist_wait_restored(struct glc_persist *p, unsigned timeout_ms);
/* Ask the writer to finish: it keeps writing (and retrying) until the queue is empty or
 * @deadline_ns; glc_persist_join() waits for it and reports what was not written. */
void glc_persist_stop(struct glc_persist *p, uint64_t deadline_ns);
void glc_persist_join(struct glc_persist *p);
void glc_persist_free(struct glc_persist *p);
void glc_persist_metrics(struct glc_persist *p, struct glc_pipeline_metrics *out);

/* --- alert.c: Slack and PagerDuty ------------------------------------------------------------ */

enum glc_alert_kind { GLC_ALERT_NONE, GLC_ALERT_OPEN, GLC_ALERT_CLOSE };
enum glc_alert_verdict { GLC_VERDICT_OK, GLC_VERDICT_RETRY, GLC_VERDICT_FAIL };

struct glc_alert_info {
    const char *app;       /* application name */
    const char *pod;       /* POD_NAME, or NULL */
    const struct glc_breaker_def *def;
};

/* Which alert (if any) an event raises under the table's settings: OPEN when a breaker leaves
 * CLOSED for OPEN (not a re-open from half-open, not a resumed state) and alert_on_open;
 * CLOSE when it returns to CLOSED from another state and alert_on_close. */
enum glc_alert_kind glc_alert_kind_of(const struct glc_app_def *app, const struct glc_breaker_event *ev);
/* Request bodies (JSON, caller frees); NULL when out of memory. */
char *glc_alert_slack_body(const struct glc_alert_info *info, const struct glc_breaker_event *ev,
                           enum glc_alert_kind kind);
char *glc_alert_pagerduty_body(const struct glc_alert_info *info, const char *routing_key,
                               const struct glc_breaker_event *ev, enum glc_alert_kind kind);
/* Retry policy: 2xx ok; 429, 5xx and network errors retry; anything else (4xx, 3xx, a
 * malformed URL or unsupported scheme) fails at once. @curl_code is a CURLcode. */
enum glc_alert_verdict glc_alert_verdict(int curl_code, long http_status);

struct glc_alerts;

/* Start the sender thread when an alert setting and a configured channel meet; else NULL. */
struct glc_alerts *glc_alerts_start(struct glc_rt *rt, int *err);
int glc_alerts_push(struct glc_alerts *a, const struct glc_breaker_event *ev);
void glc_alerts_stop(struct glc_alerts *a, uint64_t deadline_ns);
void glc_alerts_join(struct glc_alerts *a);
void glc_alerts_free(struct glc_alerts *a);
void glc_alerts_metrics(struct glc_alerts *a, struct glc_pipeline_metrics *out);

/* --- dispatch.c ----------------------------------------------------------------------------- */

/* The breaker event log's consumer: one log line per transition, then a copy to the database
 * writer and to the alert sender. Runs in its own thread from start to stop. */
int glc_dispatch_start(struct glc_rt *rt);
/* Stop after handing over every event recorded so far. */
void glc_dispatch_stop(struct glc_rt *rt);
/* The pipeline's counters, for /metrics. */
void glc_rt_pipeline_metrics(struct glc_rt *rt, struct glc_pipeline_metrics *out);

/* --- admin.c -------------------------------------------------------------------------------- */

/* Equal contents, in time that depends only on @secret_len (not on where they differ or on
 * @given_len). */
int glc_ct_equal(const char *given, size_t given_len, const char *secret, size_t secret_len);
/* The token of an "Authorization: Bearer <token>" header value (scheme case-insensitive);
 * 0 with *token and *len set, -1 if the header is missing or not a bearer credential. */
int glc_admin_bearer(const char *header, const char **token, size_t *len);
/* Parse "/breakers/<name>/<open|close|reset>". Returns 1 and fills @name/@action if @url has
 * that shape (name not yet checked against the table), else 0. */
int glc_admin_route(const char *url, char *name, size_t cap, enum glc_breaker_force *action);
const char *glc_admin_action_name(enum glc_breaker_force action);

/* --- http.c --------------------------------------------------------------------------------- */

struct glc_http;

struct glc_http *glc_http_start(struct glc_rt *rt);
/* Rebuild the readiness response if anything it shows has changed; thread-safe. */
void glc_http_refresh_ready(struct glc_http *http);
/* Stop accepting connections, wait up to @wait_ms for open connections to finish, stop the
 * daemons. glc_http_refresh_ready() stays safe to call until glc_http_free(). */
void glc_http_stop(struct glc_http *http, unsigned wait_ms);
void glc_http_free(struct glc_http *http);

/* --- runtime.c ------------------------------------------------------------------------------ */

struct glc_rt_opts {
    const char *bind;
    unsigned port, metrics_port;
    unsigned drain_seconds;
    unsigned check_interval_ms;
    unsigned max_connections;         /* per port */
    unsigned max_connections_per_ip;  /* per port and client address */
    unsigned connection_timeout_s;    /* idle time before a connection is closed */
    unsigned http_threads;            /* polling threads of the probe port (default 1) */
};

struct glc_rt {
    const struct glc_app_def *app;
    struct glc_breaker_set *set;
    struct glc_rt_opts opts;
    struct glc_checker *checkers;  /* one per breaker */
    unsigned nbreakers;
    struct glc_http *http;
    _Atomic int started, draining;
    _Atomic uint64_t http_requests[GLC_PATH_COUNT][GLC_CODE_COUNT];
    pthread_mutex_t stop_lock;     /* with stop_cond: wakes sleeping checkers */
    pthread_cond_t stop_cond;      /* uses CLOCK_MONOTONIC */
    int stopping;
    /* event pipeline */
    char instance_id[33];          /* random per start: 32 hex digits */
    const char *pod_name;          /* POD_NAME, or NULL */
    char *admin_token;             /* GLC_ADMIN_TOKEN, or NULL: admin routes answer 404 */
    struct glc_persist *persist;   /* NULL: not persisting */
    struct glc_alerts *alerts;     /* NULL: no alerts */
    pthread_t dispatch_thread;
    int dispatch_running;
    _Atomic int dispatch_stop;
};

/* Build the dependency views (one per breaker) used by health bodies. */
void glc_rt_dep_views(struct glc_rt *rt, struct glc_dep_view *views);

#endif /* GLC_RT_H */
