/* SPDX-License-Identifier: MIT */
/*
 * The database writer: breaker events reach it through a bounded queue (evq.c) and are written
 * by this thread alone, on its own libpq connection, in order, one transaction per batch: a row
 * in circuit_breaker_events per event and an upsert of circuit_breaker_state. While PostgreSQL
 * is unreachable the events stay queued (the oldest dropped and counted when the queue is full)
 * and the writer retries with capped exponential backoff. Replays are idempotent (unique
 * instance_id, seq) and the state row only moves forward. First of all the thread resumes open
 * breakers from circuit_breaker_state for the time they had left; start-up waits for that only
 * briefly (glc_persist_wait_restored()), so a database that does not answer cannot delay it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rt.h"

#define NS_PER_MS 1000000ull
#define DEFAULT_QUEUE_MAX 4096u
#define QUEUE_MAX_LIMIT 1000000u
#define BATCH 64u
#define CONNECT_TIMEOUT_MS 2000u
#define OP_TIMEOUT_MS 5000u
#define BACKOFF_MIN_MS 250u
#define BACKOFF_MAX_MS 5000u
#define FAILING_LOG_EVERY_MS 30000u

static const char INSERT_EVENT[] =
    "INSERT INTO circuit_breaker_events (service_name, event_type, from_state, to_state,"
    " failure_count, message, occurred_at, pod_name, instance_id, seq)"
    " VALUES ($1, $2, $3, $4, $5::integer, $6,"
    " TIMESTAMP 'epoch' + $7::bigint * INTERVAL '1 microsecond', $8, $9, $10::bigint)"
    " ON CONFLICT (instance_id, seq) DO NOTHING";

static const char UPSERT_STATE[] =
    "INSERT INTO circuit_breaker_state AS s (service_name, state, failure_count,"
    " last_failure_time, last_success_time, next_attempt_time, updated_at, pod_name, instance_id,"
    " seq, changed_at)"
    " VALUES ($1, $2, $3::integer,"
    " TIMESTAMP 'epoch' + $4::bigint * INTERVAL '1 microsecond',"
    " TIMESTAMP 'epoch' + $5::bigint * INTERVAL '1 microsecond',"
    " TIMESTAMP 'epoch' + $6::bigint * INTERVAL '1 microsecond',"
    " now() AT TIME ZONE 'UTC', $7, $8, $9::bigint,"
    " TIMESTAMP 'epoch' + $10::bigint * INTERVAL '1 microsecond')"
    " ON CONFLICT (service_name) DO UPDATE SET state = EXCLUDED.state,"
    " failure_count = EXCLUDED.failure_count,"
    " last_failure_time = COALESCE(EXCLUDED.last_failure_time, s.last_failure_time),"
    " last_success_time = COALESCE(EXCLUDED.last_success_time, s.last_success_time),"
    " next_attempt_time = EXCLUDED.next_attempt_time, updated_at = EXCLUDED.updated_at,"
    " pod_name = EXCLUDED.pod_name, instance_id = EXCLUDED.instance_id, seq = EXCLUDED.seq,"
    " changed_at = EXCLUDED.changed_at"
    " WHERE (s.instance_id = EXCLUDED.instance_id AND s.seq < EXCLUDED.seq)"
    " OR (s.instance_id IS DISTINCT FROM EXCLUDED.instance_id"
    " AND (s.changed_at IS NULL OR s.changed_at <= EXCLUDED.changed_at))";

static const char SELECT_OPEN[] =
    "SELECT service_name, (EXTRACT(EPOCH FROM next_attempt_time) * 1000000)::bigint"
    " FROM circuit_breaker_state WHERE state = 'open' AND next_attempt_time IS NOT NULL";

struct glc_persist {
    struct glc_rt *rt;
    char *url;
    struct glc_evq q;
    pthread_t thread;
    _Atomic uint64_t stop_deadline_ns;  /* 0 while running */
    _Atomic int up;                     /* the last database operation succeeded */
    pthread_mutex_t restore_lock;       /* with restore_cond: guards restored */
    pthread_cond_t restore_cond;        /* CLOCK_MONOTONIC */
    int restored;
    /* writer thread only */
    PGconn *conn;
    unsigned seed;
    uint64_t failing_since_ns, last_fail_log_ns;
    char detail[1024];
    char sqlstate[8];
};

/* --- what is stored ------------------------------------------------------------------------- */

const char *glc_event_type(const struct glc_breaker_event *ev)
{
    return glc_breaker_cause_name(ev->cause);
}

static void calls_message(char *buf, size_t cap, const struct glc_breaker_def *def,
                          const struct glc_breaker_event *ev)
{
    if (ev->to == GLC_BREAKER_OPEN && ev->from == GLC_BREAKER_CLOSED)
        snprintf(buf, cap, "opened after %u consecutive failures; half-open trials in %llu ms",
                 ev->failure_count, (unsigned long long)ev->open_ms);
    else if (ev->to == GLC_BREAKER_OPEN)
        snprintf(buf, cap, "opened again: a half-open trial failed; next trials in %llu ms",
                 (unsigned long long)ev->open_ms);
    else if (ev->to == GLC_BREAKER_HALF_OPEN)
        snprintf(buf, cap, "half-open after %lu ms open: admitting up to %u trial calls",
                 def->recovery_timeout_ms, def->half_open_max_calls);
    else
        snprintf(buf, cap, "closed after %u successful trial calls", def->success_threshold);
}

void glc_event_message(char *buf, size_t cap, const struct glc_breaker_def *def,
                       const struct glc_breaker_event *ev)
{
    switch (ev->cause) {
    case GLC_CAUSE_FORCED_OPEN:
        snprintf(buf, cap, "held open by an operator (admin API) until closed or reset");
        break;
    case GLC_CAUSE_FORCED_CLOSE:
        snprintf(buf, cap, "closed by an operator (admin API)");
        break;
    case GLC_CAUSE_FORCED_RESET:
        snprintf(buf, cap, "reset by an operator (admin API)");
        break;
    case GLC_CAUSE_RESUMED:
        snprintf(buf, cap, "open state resumed from circuit_breaker_state; half-open trials in %llu ms",
                 (unsigned long long)ev->open_ms);
        break;
    default:
        calls_message(buf, cap, def, ev);
        break;
    }
}

/* --- writing -------------------------------------------------------------------------------- */

static void us_text(char *buf, size_t cap, int64_t wall_ns)
{
    snprintf(buf, cap, "%lld", (long long)(wall_ns / 1000));
}

static int pg_run(struct glc_persist *p, uint64_t deadline_ns, const char *sql, int n, const char *const *params)
{
    PGresult *res = NULL;
    int rc = glc_pg_exec(p->conn, deadline_ns, sql, n, params, &res, p->detail, sizeof p->detail);

    snprintf(p->sqlstate, sizeof p->sqlstate, "%s", rc ? glc_pg_sqlstate(res) : "");
    PQclear(res);
    return rc;
}

static int insert_event(struct glc_persist *p, uint64_t deadline_ns, const struct glc_breaker_event *ev)
{
    const struct glc_breaker_def *def = glc_breaker_set_def(p->rt->set, ev->breaker);
    char failures[16], when[32], seq[32], message[256];
    const char *params[10];

    snprintf(failures, sizeof failures, "%u", ev->failure_count);
    us_text(when, sizeof when, ev->wall_ns);
    snprintf(seq, sizeof seq, "%llu", (unsigned long long)ev->seq);
    glc_event_message(message, sizeof message, def, ev);
    params[0] = def->name;
    params[1] = glc_event_type(ev);
    params[2] = glc_breaker_state_name(ev->from);
    params[3] = glc_breaker_state_name(ev->to);
    params[4] = failures;
    params[5] = message;
    params[6] = when;
    params[7] = p->rt->pod_name;
    params[8] = p->rt->instance_id;
    params[9] = seq;
    return pg_run(p, deadline_ns, INSERT_EVENT, 10, params);
}

/* Last failure/success are known at transitions only: a breaker opens on a failure and closes
 * on a success (unless forced). NULL keeps the stored value. */
static int upsert_state(struct glc_persist *p, uint64_t deadline_ns, const struct glc_breaker_event *ev)
{
    const struct glc_breaker_def *def = glc_breaker_set_def(p->rt->set, ev->breaker);
    int by_calls = ev->cause == GLC_CAUSE_CALLS;
    int has_next = ev->to == GLC_BREAKER_OPEN && ev->cause != GLC_CAUSE_FORCED_OPEN;  /* held: none */
    char failures[16], when[32], next[32], seq[32];
    const char *params[10];

    snprintf(failures, sizeof failures, "%u", ev->failure_count);
    us_text(when, sizeof when, ev->wall_ns);
    us_text(next, sizeof next, ev->wall_ns + (int64_t)(ev->open_ms * NS_PER_MS));
    snprintf(seq, sizeof seq, "%llu", (unsigned long long)ev->seq);
    params[0] = def->name;
    params[1] = glc_breaker_state_name(ev->to);
    params[2] = failures;
    params[3] = by_calls && ev->to == GLC_BREAKER_OPEN ? when : NULL;
    params[4] = by_calls && ev->to == GLC_BREAKER_CLOSED ? when : NULL;
    params[5] = has_next ? next : NULL;
    params[6] = p->rt->pod_name;
    params[7] = p->rt->instance_id;
    params[8] = seq;
    params[9] = when;
    return pg_run(p, deadline_ns, UPSERT_STATE, 10, params);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static int connect_writer(struct glc_persist *p, uint64_t deadline_ns)
{
    if (p->conn)
        return 0;
    p->sqlstate[0] = '\0';
    p->conn = glc_pg_open(p->url, "glc-runtime-events", OP_TIMEOUT_MS,
                          min_u64(deadline_ns, glc_mono_ns() + CONNECT_TIMEOUT_MS * NS_PER_MS),
                          p->detail, sizeof p->detail);
    return p->conn ? 0 : -1;
}

static int write_batch(struct glc_persist *p, const struct glc_breaker_event *ev, size_t n,
                       uint64_t deadline_ns)
{
    if (connect_writer(p, deadline_ns) != 0)
        return -1;
    if (pg_run(p, deadline_ns, "BEGIN", 0, NULL) != 0)
        goto fail;
    for (size_t i = 0; i < n; i++)
        if (insert_event(p, deadline_ns, &ev[i]) != 0 || upsert_state(p, deadline_ns, &ev[i]) != 0)
            goto fail;
    if (pg_run(p, deadline_ns, "COMMIT", 0, NULL) == 0)
        return 0;
fail:
    PQfinish(p->conn);  /* rolls back; a fresh connection next time */
    p->conn = NULL;
    return -1;
}

/* --- the writer thread ---------------------------------------------------------------------- */

static void log_failing(struct glc_persist *p, uint64_t now)
{
    struct glc_evq_stats st;
    char *clean;
    const char *hint = NULL;

    if (p->failing_since_ns && now - p->last_fail_log_ns < FAILING_LOG_EVERY_MS * NS_PER_MS)
        return;
    if (!p->failing_since_ns)
        p->failing_since_ns = now;
    p->last_fail_log_ns = now;
    if (strcmp(p->sqlstate, "42P01") == 0 || strcmp(p->sqlstate, "42703") == 0 || strcmp(p->sqlstate, "42P10") == 0)
        hint = "the breaker tables are missing or old: run '<app>-runtime migrate'";
    glc_evq_get_stats(&p->q, &st);
    clean = glc_redact(p->detail);
    glc_log(GLC_LOG_WARN, "cannot write breaker events to the database; keeping them and retrying",
            json_pack("{s:s,s:s*,s:s*,s:s*,s:I}", "reason", glc_check_reason_name(glc_pg_classify(p->detail)),
                      "sqlstate", p->sqlstate[0] ? p->sqlstate : NULL, "detail", clean, "hint", hint,
                      "queued", (json_int_t)st.depth));
    free(clean);
}

static void log_recovered(struct glc_persist *p, uint64_t now)
{
    struct glc_evq_stats st;

    if (!p->failing_since_ns)
        return;
    glc_evq_get_stats(&p->q, &st);
    glc_log(GLC_LOG_INFO, "writing breaker events to the database again",
            json_pack("{s:I,s:I,s:I}", "outage_ms", (json_int_t)((now - p->failing_since_ns) / NS_PER_MS),
                      "written", (json_int_t)st.done, "dropped", (json_int_t)st.dropped));
    p->failing_since_ns = 0;
}

/* Capped exponential backoff with +-20% jitter. */
static uint64_t next_backoff_ms(struct glc_persist *p, uint64_t prev_ms)
{
    uint64_t ms = prev_ms ? prev_ms * 2 : BACKOFF_MIN_MS;

    if (ms > BACKOFF_MAX_MS)
        ms = BACKOFF_MAX_MS;
    return ms * (80 + (uint64_t)(rand_r(&p->seed) % 41)) / 100;
}

static void sleep_until(uint64_t deadline_ns)
{
    struct timespec ts = { .tv_sec = (time_t)(deadline_ns / 1000000000ull),
                           .tv_nsec = (long)(deadline_ns % 1000000000ull) };

    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
        ;
}

/* After a database operation: record the outcome; returns the backoff now in force and sets
 * when to try again (0: at once). */
static uint64_t outcome(struct glc_persist *p, int ok, uint64_t backoff_ms, uint64_t *retry_at)
{
    atomic_store(&p->up, ok);
    if (ok) {
        log_recovered(p, glc_mono_ns());
        *retry_at = 0;
        return 0;
    }
    log_failing(p, glc_mono_ns());
    backoff_ms = next_backoff_ms(p, backoff_ms);
    *retry_at = glc_mono_ns() + backoff_ms * NS_PER_MS;
    return backoff_ms;
}

/* One batch: write it, or keep it and schedule a retry. Returns the backoff now in force. */
static uint64_t write_once(struct glc_persist *p, uint64_t backoff_ms, uint64_t stop_ns, uint64_t *retry_at)
{
    struct glc_breaker_event batch[BATCH];
    uint64_t now = glc_mono_ns(), deadline = now + OP_TIMEOUT_MS * NS_PER_MS;
    size_t n = glc_evq_peek(&p->q, batch, BATCH);
    int ok;

    if (n == 0)
        return backoff_ms;
    if (stop_ns)
        deadline = min_u64(deadline, stop_ns);
    ok = write_batch(p, batch, n, deadline) == 0;
    if (ok)
        glc_evq_ack(&p->q);
    else
        glc_evq_nack(&p->q);
    return outcome(p, ok, backoff_ms, retry_at);
}

/* Idle and down: reconnect (with the same backoff), so glc_events_writer_up shows when the
 * database is back even with nothing to write. */
static uint64_t reconnect_idle(struct glc_persist *p, uint64_t backoff_ms, uint64_t *retry_at)
{
    if (atomic_load(&p->up))
        return backoff_ms;
    return outcome(p, connect_writer(p, glc_mono_ns() + CONNECT_TIMEOUT_MS * NS_PER_MS) == 0, backoff_ms,
                   retry_at);
}

static void restore(struct glc_persist *p);

static void *writer_main(void *arg)
{
    struct glc_persist *p = arg;
    uint64_t backoff_ms = 0, retry_at = 0;

    restore(p);
    pthread_mutex_lock(&p->restore_lock);
    p->restored = 1;
    pthread_cond_broadcast(&p->restore_cond);
    pthread_mutex_unlock(&p->restore_lock);

    for (;;) {
        uint64_t stop = atomic_load(&p->stop_deadline_ns), now = glc_mono_ns();
        struct glc_evq_stats st;

        glc_evq_get_stats(&p->q, &st);
        if (stop && (now >= stop || st.depth == 0))
            break;
        if (now < retry_at) {
            if (stop)
                sleep_until(min_u64(retry_at, stop));
            else
                glc_evq_sleep(&p->q, retry_at);
            continue;
        }
        if (!stop && !glc_evq_wait(&p->q, now + 1000 * NS_PER_MS)) {
            backoff_ms = reconnect_idle(p, backoff_ms, &retry_at);
            continue;
        }
        backoff_ms = write_once(p, backoff_ms, stop, &retry_at);
    }
    if (p->conn)
        PQfinish(p->conn);
    p->conn = NULL;
    return NULL;
}

/* --- lifecycle ------------------------------------------------------------------------------ */

static unsigned queue_max(void)
{
    const char *s = getenv("GLC_EVENT_QUEUE_MAX");
    char *end;
    unsigned long v;

    if (!s || !*s)
        return DEFAULT_QUEUE_MAX;
    v = strtoul(s, &end, 10);
    if (*end || v < 1 || v > QUEUE_MAX_LIMIT) {
        glc_log(GLC_LOG_WARN, "GLC_EVENT_QUEUE_MAX must be an integer in 1..1000000; using the default",
                json_pack("{s:i}", "default", (int)DEFAULT_QUEUE_MAX));
        return DEFAULT_QUEUE_MAX;
    }
    return (unsigned)v;
}

static int persistence_wanted(struct glc_rt *rt, const char **url)
{
    *url = getenv("DATABASE_URL");
    if (!rt->app->track_state_changes) {
        glc_log(GLC_LOG_INFO, "breaker events are not stored: monitoring.track_state_changes is off", NULL);
        return 0;
    }
    if (!*url || !**url) {
        glc_log(GLC_LOG_INFO, "breaker events are not stored: DATABASE_URL is not set", NULL);
        return 0;
    }
    return 1;
}

static void init_sync(struct glc_persist *p)
{
    pthread_condattr_t ca;

    pthread_mutex_init(&p->restore_lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->restore_cond, &ca);
    pthread_condattr_destroy(&ca);
}

struct glc_persist *glc_persist_start(struct glc_rt *rt, int *err)
{
    struct glc_persist *p;
    const char *url;
    unsigned max;

    *err = 0;
    if (!persistence_wanted(rt, &url))
        return NULL;
    max = queue_max();
    p = calloc(1, sizeof *p);
    if (!p || !(p->url = strdup(url)) || glc_evq_init(&p->q, max) != 0)
        goto fail;
    init_sync(p);
    p->rt = rt;
    p->seed = (unsigned)glc_mono_ns() ^ (unsigned)strtoul(rt->instance_id + 24, NULL, 16);
    if (pthread_create(&p->thread, NULL, writer_main, p) != 0)
        goto fail;
    glc_log(GLC_LOG_INFO, "storing breaker events in the database",
            json_pack("{s:i,s:s,s:s*}", "queue_max", (int)max, "instance", rt->instance_id, "pod", rt->pod_name));
    return p;
fail:
    *err = 1;
    glc_log(GLC_LOG_ERROR, "cannot start the database writer", NULL);
    if (p) {
        glc_persist_free(p);
    }
    return NULL;
}

int glc_persist_wait_restored(struct glc_persist *p, unsigned timeout_ms)
{
    uint64_t deadline = glc_mono_ns() + (uint64_t)timeout_ms * NS_PER_MS;
    struct timespec ts = { .tv_sec = (time_t)(deadline / 1000000000ull), .tv_nsec = (long)(deadline % 1000000000ull) };
    int done;

    pthread_mutex_lock(&p->restore_lock);
    while (!p->restored)
        if (pthread_cond_timedwait(&p->restore_cond, &p->restore_lock, &ts) != 0)
            break;
    done = p->restored;
    pthread_mutex_unlock(&p->restore_lock);
    if (!done)
        glc_log(GLC_LOG_WARN, "circuit_breaker_state not read yet: checks start; breakers that change "
                              "state meanwhile keep their live state",
                json_pack("{s:i}", "waited_ms", (int)timeout_ms));
    return done;
}

int glc_persist_push(struct glc_persist *p, const struct glc_breaker_event *ev)
{
    return glc_evq_push(&p->q, ev);
}

void glc_persist_stop(struct glc_persist *p, uint64_t deadline_ns)
{
    atomic_store(&p->stop_deadline_ns, deadline_ns ? deadline_ns : 1);
    glc_evq_close(&p->q);
}

void glc_persist_join(struct glc_persist *p)
{
    struct glc_evq_stats st;

    pthread_join(p->thread, NULL);
    glc_evq_get_stats(&p->q, &st);
    if (st.depth)
        glc_log(GLC_LOG_WARN, "breaker events not written to the database at shutdown",
                json_pack("{s:I}", "events", (json_int_t)st.depth));
}

void glc_persist_free(struct glc_persist *p)
{
    if (!p)
        return;
    if (p->q.ring) {
        pthread_cond_destroy(&p->restore_cond);
        pthread_mutex_destroy(&p->restore_lock);
    }
    glc_evq_destroy(&p->q);
    free(p->url);
    free(p);
}

void glc_persist_metrics(struct glc_persist *p, struct glc_pipeline_metrics *out)
{
    struct glc_evq_stats st;

    glc_evq_get_stats(&p->q, &st);
    out->dropped[GLC_QUEUE_DATABASE] = st.dropped;
    out->depth[GLC_QUEUE_DATABASE] = st.depth;
    out->written = st.done;
    out->writer_up = atomic_load(&p->up);
}

/* --- resuming persisted state ---------------------------------------------------------------- */

static int64_t wall_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void resume_row(struct glc_persist *p, const char *name, const char *next_us_text)
{
    int idx = glc_breaker_set_find(p->rt->set, name);
    int64_t next_us = strtoll(next_us_text, NULL, 10), now_us = wall_us();
    uint64_t remaining_ms;
    const struct glc_breaker_def *def;

    if (idx < 0 || next_us <= now_us)
        return;  /* not ours, or its open period is over */
    def = glc_breaker_set_def(p->rt->set, (unsigned)idx);
    remaining_ms = (uint64_t)(next_us - now_us + 999) / 1000;
    if (remaining_ms > def->recovery_timeout_ms)
        remaining_ms = def->recovery_timeout_ms;  /* a clock ahead, or a shortened timeout */
    if (glc_breaker_resume_open(p->rt->set, (unsigned)idx, remaining_ms) == 0)
        glc_log(GLC_LOG_WARN, "breaker resumed open from circuit_breaker_state",
                json_pack("{s:s,s:I}", "breaker", name, "remaining_ms", (json_int_t)remaining_ms));
    else
        glc_log(GLC_LOG_INFO, "persisted open state not resumed: the breaker has changed state since start",
                json_pack("{s:s}", "breaker", name));
}

/* On the writer's own connection, which it then keeps. */
static void restore(struct glc_persist *p)
{
    uint64_t deadline = glc_mono_ns() + CONNECT_TIMEOUT_MS * NS_PER_MS;
    PGresult *res = NULL;
    int rc = connect_writer(p, deadline);

    if (rc == 0)
        rc = glc_pg_exec(p->conn, deadline, SELECT_OPEN, 0, NULL, &res, p->detail, sizeof p->detail);
    if (rc == 0) {
        atomic_store(&p->up, 1);
        for (int i = 0; i < PQntuples(res); i++)
            if (!PQgetisnull(res, i, 1))
                resume_row(p, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
    } else {
        char *clean = glc_redact(p->detail);

        glc_log(GLC_LOG_WARN, "cannot read circuit_breaker_state: breakers start closed",
                json_pack("{s:s,s:s*,s:s*}", "reason", glc_check_reason_name(glc_pg_classify(p->detail)),
                          "sqlstate", res && *glc_pg_sqlstate(res) ? glc_pg_sqlstate(res) : NULL,
                          "detail", clean));
        free(clean);
        if (p->conn && PQstatus(p->conn) != CONNECTION_OK) {
            PQfinish(p->conn);
            p->conn = NULL;
        }
    }
    PQclear(res);
}
