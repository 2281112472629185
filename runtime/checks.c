/* SPDX-License-Identifier: MIT */
/*
 * Background dependency checkers: one thread per breaker whose table row names a check and
 * whose environment variable is set. Every --check-interval-ms each thread runs its check
 * through its breaker, stores the result for the probes and metrics, and refreshes readiness.
 * Probe handlers never touch a dependency; they only read these cached results.
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rt.h"

#define NS_PER_MS 1000000ull

uint64_t glc_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int glc_wait_fd(int fd, short events, uint64_t deadline_ns)
{
    for (;;) {
        uint64_t now = glc_mono_ns();
        struct pollfd p = { .fd = fd, .events = events };
        int rc;

        if (fd < 0)
            return -1;
        if (now >= deadline_ns)
            return 0;
        rc = poll(&p, 1, (int)((deadline_ns - now + NS_PER_MS - 1) / NS_PER_MS));
        if (rc > 0)
            return 1;
        if (rc < 0 && errno != EINTR)
            return -1;
    }
}

int glc_contains_ci(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);

    for (const char *p = haystack; *p; p++) {
        size_t i = 0;

        while (i < n && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
    }
    return n == 0;
}

static const char *env_name(int kind)
{
    switch (kind) {
    case GLC_CHECK_POSTGRES: return "DATABASE_URL";
    case GLC_CHECK_REDIS: return "REDIS_URL";
    case GLC_CHECK_KAFKA: return "KAFKA_BROKERS";
    default: return NULL;
    }
}

int glc_check_run(struct glc_checker *ck, unsigned timeout_ms, enum glc_check_reason *reason,
                  char *detail, size_t cap)
{
    uint64_t deadline = glc_mono_ns() + (uint64_t)timeout_ms * NS_PER_MS;

    *reason = GLC_REASON_NONE;
    detail[0] = '\0';
    switch (ck->kind) {
    case GLC_CHECK_POSTGRES: return glc_pg_check(ck, deadline, reason, detail, cap);
    case GLC_CHECK_REDIS: return glc_redis_check(ck, deadline, reason, detail, cap);
    case GLC_CHECK_KAFKA: return glc_kafka_check(ck, deadline, reason, detail, cap);
    default: *reason = GLC_REASON_MISCONFIGURED; return -1;
    }
}

void glc_check_close(struct glc_checker *ck)
{
    switch (ck->kind) {
    case GLC_CHECK_POSTGRES: glc_pg_close(ck); break;
    case GLC_CHECK_REDIS: glc_redis_close(ck); break;
    case GLC_CHECK_KAFKA: glc_kafka_close(ck); break;
    default: break;
    }
}

/* --- results -------------------------------------------------------------------------------- */

void glc_checker_snapshot(struct glc_checker *ck, struct glc_check_result *out)
{
    pthread_mutex_lock(&ck->lock);
    *out = ck->result;
    pthread_mutex_unlock(&ck->lock);
}

static void log_change(struct glc_checker *ck, enum glc_check_status status,
                       enum glc_check_reason reason, const char *detail)
{
    const char *name = glc_breaker_set_def(ck->rt->set, ck->breaker)->name;
    char *clean;

    if (status == GLC_STATUS_PASS) {
        glc_log(GLC_LOG_INFO, "dependency check passing",
                json_pack("{s:s,s:s}", "dependency", name, "check", glc_check_kind_name(ck->kind)));
        return;
    }
    clean = glc_redact(detail);
    glc_log(GLC_LOG_WARN, "dependency check failing",
            json_pack("{s:s,s:s,s:s,s:s*}", "dependency", name, "check", glc_check_kind_name(ck->kind),
                      "reason", glc_check_reason_name(reason), "detail", clean && *clean ? clean : NULL));
    free(clean);
}

/* Store a result; @duration_s < 0 means the check did not run (breaker open). */
static void record(struct glc_checker *ck, enum glc_check_status status, enum glc_check_reason reason,
                   double duration_s, const char *detail)
{
    int changed;

    pthread_mutex_lock(&ck->lock);
    changed = !ck->result.completed || ck->result.status != status || ck->result.reason != reason;
    ck->result.status = status;
    ck->result.reason = reason;
    ck->result.completed = 1;
    if (duration_s >= 0)
        glc_histogram_observe(&ck->result.hist, duration_s);
    pthread_mutex_unlock(&ck->lock);
    if (changed)
        log_change(ck, status, reason, detail);
}

static void run_once(struct glc_checker *ck)
{
    struct glc_breaker_ticket t = glc_breaker_acquire(ck->rt->set, ck->breaker);
    enum glc_check_reason reason;
    char detail[512];
    uint64_t t0;
    int rc;

    if (!t.admitted) {
        record(ck, GLC_STATUS_FAIL, GLC_REASON_BREAKER_OPEN, -1, "");
        return;
    }
    t0 = glc_mono_ns();
    rc = glc_check_run(ck, ck->timeout_ms, &reason, detail, sizeof detail);
    glc_breaker_release(ck->rt->set, &t, rc == 0 ? GLC_OUTCOME_SUCCESS : GLC_OUTCOME_FAILURE);
    record(ck, rc == 0 ? GLC_STATUS_PASS : GLC_STATUS_FAIL, rc == 0 ? GLC_REASON_NONE : reason,
           (double)(glc_mono_ns() - t0) / 1e9, detail);
}

/* Sleep until @deadline_ns (monotonic) or shutdown; returns 1 when stopping. */
static int sleep_until(struct glc_rt *rt, uint64_t deadline_ns)
{
    struct timespec ts = { .tv_sec = (time_t)(deadline_ns / 1000000000ull),
                           .tv_nsec = (long)(deadline_ns % 1000000000ull) };
    int stopping;

    pthread_mutex_lock(&rt->stop_lock);
    while (!rt->stopping)
        if (pthread_cond_timedwait(&rt->stop_cond, &rt->stop_lock, &ts) == ETIMEDOUT)
            break;
    stopping = rt->stopping;
    pthread_mutex_unlock(&rt->stop_lock);
    return stopping;
}

static void *checker_main(void *arg)
{
    struct glc_checker *ck = arg;
    uint64_t interval = (uint64_t)ck->rt->opts.check_interval_ms * NS_PER_MS;
    uint64_t next = glc_mono_ns();

    do {
        run_once(ck);
        if (ck->rt->http)
            glc_http_refresh_ready(ck->rt->http);
        next += interval;
        if (next < glc_mono_ns())
            next = glc_mono_ns();  /* a slow check: start the next one now, don't burst */
    } while (!sleep_until(ck->rt, next));
    glc_check_close(ck);
    return NULL;
}

/* --- lifecycle ------------------------------------------------------------------------------ */

static void init_one(struct glc_rt *rt, struct glc_checker *ck, unsigned i)
{
    const struct glc_breaker_def *def = glc_breaker_set_def(rt->set, i);
    const char *env = env_name(def->check);
    const char *value = env ? getenv(env) : NULL;
    char *clean;

    ck->rt = rt;
    ck->breaker = i;
    ck->kind = def->check;
    ck->timeout_ms = rt->opts.check_interval_ms;
    if (ck->timeout_ms < GLC_CHECK_TIMEOUT_MIN_MS)
        ck->timeout_ms = GLC_CHECK_TIMEOUT_MIN_MS;
    if (ck->timeout_ms > GLC_CHECK_TIMEOUT_MAX_MS)
        ck->timeout_ms = GLC_CHECK_TIMEOUT_MAX_MS;
    ck->result = (struct glc_check_result){ .status = GLC_STATUS_FAIL, .reason = GLC_REASON_STARTING };
    pthread_mutex_init(&ck->lock, NULL);
    if (!env)
        return;
    if (!value || !*value) {
        ck->result = (struct glc_check_result){ .status = GLC_STATUS_DISABLED, .completed = 1 };
        glc_log(GLC_LOG_INFO, "dependency check disabled",
                json_pack("{s:s,s:s,s:s}", "dependency", def->name, "check",
                          glc_check_kind_name(def->check), "env", env));
        return;
    }
    ck->target = strdup(value);
    clean = glc_redact(value);
    glc_log(GLC_LOG_INFO, "dependency check enabled",
            json_pack("{s:s,s:s,s:s,s:s?}", "dependency", def->name, "check",
                      glc_check_kind_name(def->check), "env", env, "target", clean));
    free(clean);
}

int glc_checkers_init(struct glc_rt *rt)
{
    rt->checkers = calloc(rt->nbreakers ? rt->nbreakers : 1, sizeof *rt->checkers);
    if (!rt->checkers)
        return -1;
    for (unsigned i = 0; i < rt->nbreakers; i++)
        init_one(rt, &rt->checkers[i], i);
    return 0;
}

static int enabled(const struct glc_checker *ck)
{
    return ck->kind != GLC_CHECK_NONE && ck->target != NULL;
}

int glc_checkers_start(struct glc_rt *rt)
{
    for (unsigned i = 0; i < rt->nbreakers; i++) {
        struct glc_checker *ck = &rt->checkers[i];

        if (!enabled(ck))
            continue;
        if (pthread_create(&ck->thread, NULL, checker_main, ck) != 0)
            return -1;
        ck->running = 1;
    }
    return 0;
}

void glc_checkers_stop(struct glc_rt *rt)
{
    pthread_mutex_lock(&rt->stop_lock);
    rt->stopping = 1;
    pthread_cond_broadcast(&rt->stop_cond);
    pthread_mutex_unlock(&rt->stop_lock);
    for (unsigned i = 0; rt->checkers && i < rt->nbreakers; i++) {
        if (rt->checkers[i].running)
            pthread_join(rt->checkers[i].thread, NULL);
        rt->checkers[i].running = 0;
    }
}

void glc_checkers_free(struct glc_rt *rt)
{
    for (unsigned i = 0; rt->checkers && i < rt->nbreakers; i++) {
        glc_check_close(&rt->checkers[i]);
        pthread_mutex_destroy(&rt->checkers[i].lock);
        free(rt->checkers[i].target);
    }
    free(rt->checkers);
    rt->checkers = NULL;
}

int glc_checkers_all_completed(struct glc_rt *rt)
{
    for (unsigned i = 0; i < rt->nbreakers; i++) {
        struct glc_check_result r;

        if (!enabled(&rt->checkers[i]))
            continue;
        glc_checker_snapshot(&rt->checkers[i], &r);
        if (!r.completed)
            return 0;
    }
    return 1;
}

void glc_rt_dep_views(struct glc_rt *rt, struct glc_dep_view *views)
{
    for (unsigned i = 0; i < rt->nbreakers; i++) {
        const struct glc_breaker_def *def = glc_breaker_set_def(rt->set, i);
        struct glc_breaker_stats st;
        struct glc_check_result r;

        glc_breaker_get_stats(rt->set, i, &st);
        views[i] = (struct glc_dep_view){ .name = def->name, .kind = def->check,
                                          .readiness = def->readiness, .breaker = st.state };
        if (def->check == GLC_CHECK_NONE) {
            views[i].status = st.state == GLC_BREAKER_OPEN ? GLC_STATUS_FAIL : GLC_STATUS_PASS;
            views[i].reason = st.state == GLC_BREAKER_OPEN ? GLC_REASON_BREAKER_OPEN : GLC_REASON_NONE;
            continue;
        }
        glc_checker_snapshot(&rt->checkers[i], &r);
        views[i].status = r.status;
        views[i].reason = r.reason;
        /* A readiness dependency whose breaker is open is failing whatever its last result. */
        if (r.status == GLC_STATUS_PASS && st.state == GLC_BREAKER_OPEN) {
            views[i].status = GLC_STATUS_FAIL;
            views[i].reason = GLC_REASON_BREAKER_OPEN;
        }
    }
}
