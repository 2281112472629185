/* SPDX-License-Identifier: MIT */
/*
 * A bounded, ordered queue of breaker events between the dispatcher (producer) and one
 * consumer thread (the database writer, or the alert sender). The consumer peeks a batch,
 * works on it, then acks (done: remove it) or nacks (failed: keep it, retry later), so nothing
 * leaves the queue before it has been handled. When the queue is full the oldest event is
 * dropped and counted; an event dropped while in flight counts as lost only if the consumer
 * then fails on it (had it succeeded, the event was not lost).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rt.h"

int glc_evq_init(struct glc_evq *q, unsigned capacity)
{
    pthread_condattr_t ca;

    memset(q, 0, sizeof *q);
    if (capacity == 0)
        return -1;
    q->ring = calloc(capacity, sizeof *q->ring);
    if (!q->ring)
        return -1;
    q->capacity = capacity;
    pthread_mutex_init(&q->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->cond, &ca);
    pthread_condattr_destroy(&ca);
    return 0;
}

void glc_evq_destroy(struct glc_evq *q)
{
    if (!q->ring)
        return;
    pthread_cond_destroy(&q->cond);
    pthread_mutex_destroy(&q->lock);
    free(q->ring);
    q->ring = NULL;
}

/* Drop the oldest queued event (called with the lock held, queue full). */
static void drop_oldest(struct glc_evq *q)
{
    if (q->head < q->inflight_end)
        q->inflight_dropped++;
    else
        q->dropped++;
    q->head++;
}

int glc_evq_push(struct glc_evq *q, const struct glc_breaker_event *ev)
{
    int dropped = 0;

    pthread_mutex_lock(&q->lock);
    if (q->tail - q->head == q->capacity) {
        drop_oldest(q);
        dropped = 1;
    }
    q->ring[q->tail % q->capacity] = *ev;
    q->tail++;
    q->pushed++;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
    return dropped;
}

static struct timespec to_timespec(uint64_t ns)
{
    return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000ull), .tv_nsec = (long)(ns % 1000000000ull) };
}

int glc_evq_wait(struct glc_evq *q, uint64_t deadline_ns)
{
    struct timespec ts = to_timespec(deadline_ns);
    int pending;

    pthread_mutex_lock(&q->lock);
    while (q->head == q->tail && !q->closed)
        if (pthread_cond_timedwait(&q->cond, &q->lock, &ts) == ETIMEDOUT)
            break;
    pending = q->head < q->tail;
    pthread_mutex_unlock(&q->lock);
    return pending;
}

/* Sleep until @deadline_ns or until the queue is closed; 1 if it was closed. */
int glc_evq_sleep(struct glc_evq *q, uint64_t deadline_ns)
{
    struct timespec ts = to_timespec(deadline_ns);
    int closed;

    pthread_mutex_lock(&q->lock);
    while (!q->closed)
        if (pthread_cond_timedwait(&q->cond, &q->lock, &ts) == ETIMEDOUT)
            break;
    closed = q->closed;
    pthread_mutex_unlock(&q->lock);
    return closed;
}

size_t glc_evq_peek(struct glc_evq *q, struct glc_breaker_event *out, size_t max)
{
    size_t n = 0;

    pthread_mutex_lock(&q->lock);
    while (n < max && q->head + n < q->tail) {
        out[n] = q->ring[(q->head + n) % q->capacity];
        n++;
    }
    q->inflight_end = q->head + n;
    q->inflight_n = n;
    q->inflight_dropped = 0;
    pthread_mutex_unlock(&q->lock);
    return n;
}

void glc_evq_ack(struct glc_evq *q)
{
    pthread_mutex_lock(&q->lock);
    if (q->head < q->inflight_end)
        q->head = q->inflight_end;
    q->done += q->inflight_n;
    q->inflight_n = 0;
    q->inflight_dropped = 0;
    q->inflight_end = q->head;
    pthread_mutex_unlock(&q->lock);
}

void glc_evq_nack(struct glc_evq *q)
{
    pthread_mutex_lock(&q->lock);
    q->dropped += q->inflight_dropped;
    q->inflight_n = 0;
    q->inflight_dropped = 0;
    q->inflight_end = q->head;
    pthread_mutex_unlock(&q->lock);
}

void glc_evq_close(struct glc_evq *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

void glc_evq_get_stats(struct glc_evq *q, struct glc_evq_stats *out)
{
    pthread_mutex_lock(&q->lock);
    out->depth = q->tail - q->head;
    out->pushed = q->pushed;
    out->dropped = q->dropped;
    out->done = q->done;
    pthread_mutex_unlock(&q->lock);
}
