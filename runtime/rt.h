/* SPDX-License-Identifier: MIT */
/*
 * Internal interfaces of the runtime library, shared by its modules and its tests:
 * logging and redaction (log.c), the Prometheus writer (metrics.c), health bodies (health.c),
 * dependency checkers (checks.c), the HTTP front end (http.c) and the process (runtime.c).
 */
#ifndef GLC_RT_H
#define GLC_RT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

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

enum glc_http_path {
    GLC_PATH_LIVE, GLC_PATH_READY, GLC_PATH_STARTUP, GLC_PATH_BREAKERS, GLC_PATH_METRICS,
    GLC_PATH_OTHER, GLC_PATH_COUNT
};
enum glc_http_code { GLC_CODE_200, GLC_CODE_404, GLC_CODE_405, GLC_CODE_500, GLC_CODE_503, GLC_CODE_COUNT };

const char *glc_http_path_label(enum glc_http_path path);
unsigned glc_http_code_value(enum glc_http_code code);
enum glc_http_path glc_http_path_of(const char *url);
enum glc_http_code glc_http_code_of(unsigned status);

struct glc_metrics_dep {
    const char *name;  /* breaker name */
    int up;            /* last check passed */
    struct glc_histogram hist;
};

struct glc_metrics_input {
    struct glc_breaker_set *set;
    const struct glc_metrics_dep *deps;  /* enabled dependency checks only */
    unsigned ndeps;
    const uint64_t (*http)[GLC_CODE_COUNT];  /* [GLC_PATH_COUNT][GLC_CODE_COUNT] */
    int ready, draining;
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
};

/* Build the dependency views (one per breaker) used by health bodies. */
void glc_rt_dep_views(struct glc_rt *rt, struct glc_dep_view *views);

#endif /* GLC_RT_H */
