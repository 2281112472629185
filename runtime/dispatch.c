/* SPDX-License-Identifier: MIT */
/*
 * The dispatcher: the only consumer of the breaker set's event log. Its thread waits for
 * transitions, writes one log line each, and copies them to the database writer's queue and
 * to the alert sender's queue, so neither the breaker (whose lock is never held here) nor a
 * probe ever waits for PostgreSQL or a webhook. Drops in any queue are logged, rate-limited.
 */
#include <stdio.h>
#include <string.h>

#include "rt.h"

#define NS_PER_MS 1000000ull
#define WAIT_MS 200u
#define BATCH 64u
#define DROP_LOG_EVERY_MS 10000u

/* Per queue: drops seen so far and when they were last logged (dispatcher thread only). */
struct drop_log {
    uint64_t seen, logged, last_log_ns;
};

const char *glc_event_queue_name(enum glc_event_queue q)
{
    static const char *const names[GLC_QUEUE_COUNT] = { "breaker_log", "database", "alerts" };

    return (unsigned)q < GLC_QUEUE_COUNT ? names[q] : "unknown";
}

static void log_event(struct glc_rt *rt, const struct glc_breaker_event *ev)
{
    glc_log(ev->to == GLC_BREAKER_OPEN ? GLC_LOG_WARN : GLC_LOG_INFO, "breaker state changed",
            json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:i}", "breaker", glc_breaker_set_def(rt->set, ev->breaker)->name,
                      "from", glc_breaker_state_name(ev->from), "to", glc_breaker_state_name(ev->to),
                      "seq", (json_int_t)ev->seq, "generation", (json_int_t)ev->generation,
                      "cause", glc_breaker_cause_name(ev->cause), "failure_count", (int)ev->failure_count));
}

/* Log drops: the first at once, then at most one line per DROP_LOG_EVERY_MS with the total. */
static void note_drops(struct drop_log *d, enum glc_event_queue q, uint64_t dropped, int final)
{
    uint64_t now = glc_mono_ns();

    d->seen = dropped;
    if (d->seen == d->logged)
        return;
    if (!final && d->logged && now - d->last_log_ns < DROP_LOG_EVERY_MS * NS_PER_MS)
        return;
    glc_log(GLC_LOG_WARN, "event queue full: oldest breaker events dropped",
            json_pack("{s:s,s:I,s:I}", "queue", glc_event_queue_name(q),
                      "dropped", (json_int_t)(d->seen - d->logged), "dropped_total", (json_int_t)d->seen));
    d->logged = d->seen;
    d->last_log_ns = now;
}

void glc_rt_pipeline_metrics(struct glc_rt *rt, struct glc_pipeline_metrics *out)
{
    memset(out, 0, sizeof *out);
    out->dropped[GLC_QUEUE_BREAKER_LOG] = glc_breaker_events_dropped(rt->set);
    if (rt->persist)
        glc_persist_metrics(rt->persist, out);
    if (rt->alerts)
        glc_alerts_metrics(rt->alerts, out);
}

static void check_drops(struct glc_rt *rt, struct drop_log *drops, int final)
{
    struct glc_pipeline_metrics m;

    glc_rt_pipeline_metrics(rt, &m);
    for (unsigned q = 0; q < GLC_QUEUE_COUNT; q++)
        note_drops(&drops[q], (enum glc_event_queue)q, m.dropped[q], final);
}

/* Hand over everything recorded so far; returns the number of events. */
static size_t drain(struct glc_rt *rt)
{
    struct glc_breaker_event ev[BATCH];
    size_t n, total = 0;

    while ((n = glc_breaker_events_drain(rt->set, ev, BATCH)) > 0) {
        for (size_t i = 0; i < n; i++) {
            log_event(rt, &ev[i]);
            if (rt->persist)
                glc_persist_push(rt->persist, &ev[i]);
            if (rt->alerts)
                glc_alerts_push(rt->alerts, &ev[i]);
        }
        total += n;
    }
    return total;
}

static void *dispatch_main(void *arg)
{
    struct glc_rt *rt = arg;
    struct drop_log drops[GLC_QUEUE_COUNT] = { { 0 } };

    while (!atomic_load(&rt->dispatch_stop)) {
        glc_breaker_events_wait(rt->set, WAIT_MS);
        drain(rt);
        check_drops(rt, drops, 0);
    }
    drain(rt);
    check_drops(rt, drops, 1);
    return NULL;
}

int glc_dispatch_start(struct glc_rt *rt)
{
    if (pthread_create(&rt->dispatch_thread, NULL, dispatch_main, rt) != 0)
        return -1;
    rt->dispatch_running = 1;
    return 0;
}

void glc_dispatch_stop(struct glc_rt *rt)
{
    if (!rt->dispatch_running)
        return;
    atomic_store(&rt->dispatch_stop, 1);
    pthread_join(rt->dispatch_thread, NULL);
    rt->dispatch_running = 0;
}
