/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the bounded event queue (runtime/evq.c): FIFO order, drop-oldest when full,
 * the counters, peek/ack/nack (nothing leaves before it is handled; a drop while in flight is
 * a loss only if the consumer fails), waiting and closing, and one producer against one
 * consumer under load (order kept, every event either delivered or counted as dropped).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "rt.h"

static struct glc_breaker_event ev(uint64_t seq)
{
    return (struct glc_breaker_event){ .seq = seq, .to = GLC_BREAKER_OPEN };
}

static void push_range(struct glc_evq *q, uint64_t first, uint64_t last)
{
    for (uint64_t s = first; s <= last; s++) {
        struct glc_breaker_event e = ev(s);

        glc_evq_push(q, &e);
    }
}

static void expect_stats(struct glc_evq *q, uint64_t depth, uint64_t pushed, uint64_t dropped, uint64_t done)
{
    struct glc_evq_stats st;

    glc_evq_get_stats(q, &st);
    assert_int_equal(st.depth, depth);
    assert_int_equal(st.pushed, pushed);
    assert_int_equal(st.dropped, dropped);
    assert_int_equal(st.done, done);
}

static void test_fifo_order(void **state)
{
    struct glc_evq q;
    struct glc_breaker_event out[8];

    (void)state;
    assert_int_equal(glc_evq_init(&q, 8), 0);
    push_range(&q, 1, 5);
    assert_int_equal(glc_evq_peek(&q, out, 8), 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(out[i].seq, i + 1);
    glc_evq_ack(&q);
    expect_stats(&q, 0, 5, 0, 5);
    push_range(&q, 6, 13);  /* wraps around the ring */
    assert_int_equal(glc_evq_peek(&q, out, 3), 3);
    assert_int_equal(out[0].seq, 6);
    assert_int_equal(out[2].seq, 8);
    glc_evq_ack(&q);
    assert_int_equal(glc_evq_peek(&q, out, 8), 5);
    assert_int_equal(out[0].seq, 9);
    assert_int_equal(out[4].seq, 13);
    glc_evq_destroy(&q);
}

static void test_drop_oldest_and_count(void **state)
{
    struct glc_evq q;
    struct glc_breaker_event out[4], e = ev(5);

    (void)state;
    assert_int_equal(glc_evq_init(&q, 4), 0);
    push_range(&q, 1, 4);
    assert_int_equal(glc_evq_push(&q, &e), 1);  /* full: 1 goes */
    push_range(&q, 6, 7);                       /* 2 and 3 go */
    expect_stats(&q, 4, 7, 3, 0);
    assert_int_equal(glc_evq_peek(&q, out, 4), 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(out[i].seq, i + 4);    /* the newest four, oldest first */
    glc_evq_ack(&q);
    expect_stats(&q, 0, 7, 3, 4);
    glc_evq_destroy(&q);
}

static void test_nack_keeps_events(void **state)
{
    struct glc_evq q;
    struct glc_breaker_event out[4];

    (void)state;
    assert_int_equal(glc_evq_init(&q, 4), 0);
    push_range(&q, 1, 3);
    assert_int_equal(glc_evq_peek(&q, out, 4), 3);
    glc_evq_nack(&q);                           /* the database is down */
    expect_stats(&q, 3, 3, 0, 0);
    assert_int_equal(glc_evq_peek(&q, out, 4), 3);
    assert_int_equal(out[0].seq, 1);
    glc_evq_ack(&q);
    expect_stats(&q, 0, 3, 0, 3);
    glc_evq_destroy(&q);
}

/* Dropped while the consumer held it: not a loss if it was then written, a loss if not. */
static void test_drop_while_in_flight(void **state)
{
    struct glc_evq q;
    struct glc_breaker_event out[4];

    (void)state;
    assert_int_equal(glc_evq_init(&q, 2), 0);
    push_range(&q, 1, 2);
    assert_int_equal(glc_evq_peek(&q, out, 2), 2);
    push_range(&q, 3, 3);                       /* 1 dropped while in flight */
    glc_evq_ack(&q);                            /* ...but 1 and 2 were written */
    expect_stats(&q, 1, 3, 0, 2);
    assert_int_equal(glc_evq_peek(&q, out, 4), 1);
    assert_int_equal(out[0].seq, 3);
    push_range(&q, 4, 5);                       /* 3 dropped while in flight */
    glc_evq_nack(&q);                           /* ...and the write failed: 3 is lost */
    expect_stats(&q, 2, 5, 1, 2);
    assert_int_equal(glc_evq_peek(&q, out, 4), 2);
    assert_int_equal(out[0].seq, 4);
    assert_int_equal(out[1].seq, 5);
    glc_evq_destroy(&q);
}

static void test_wait_sleep_close(void **state)
{
    struct glc_evq q;
    struct glc_breaker_event e = ev(1);
    uint64_t t0;

    (void)state;
    assert_int_equal(glc_evq_init(&q, 2), 0);
    t0 = glc_mono_ns();
    assert_int_equal(glc_evq_wait(&q, t0 + 20 * 1000000ull), 0);
    assert_true(glc_mono_ns() - t0 >= 19 * 1000000ull);
    glc_evq_push(&q, &e);
    assert_int_equal(glc_evq_wait(&q, t0 + 5000 * 1000000ull), 1);
    assert_int_equal(glc_evq_sleep(&q, glc_mono_ns() + 10 * 1000000ull), 0);
    glc_evq_close(&q);
    t0 = glc_mono_ns();
    assert_int_equal(glc_evq_sleep(&q, t0 + 5000 * 1000000ull), 1);
    assert_true(glc_mono_ns() - t0 < 1000 * 1000000ull);
    glc_evq_destroy(&q);
}

static void test_invalid_capacity(void **state)
{
    struct glc_evq q;

    (void)state;
    assert_int_equal(glc_evq_init(&q, 0), -1);
    glc_evq_destroy(&q);  /* harmless on a queue that failed to initialise */
}

#define STRESS_EVENTS 200000u

struct stress {
    struct glc_evq q;
    uint64_t received, last_seq, last_nacked;
    int in_order;
};

static void *consumer(void *arg)
{
    struct stress *s = arg;
    struct glc_breaker_event out[16];

    for (;;) {
        size_t n;

        glc_evq_wait(&s->q, glc_mono_ns() + 1000 * 1000000ull);
        n = glc_evq_peek(&s->q, out, 16);
        for (size_t i = 0; i < n; i++) {
            s->in_order &= out[i].seq > s->last_seq;
            s->last_seq = out[i].seq;
        }
        s->received += n;
        if (n && (out[0].seq % 3) == 0 && out[0].seq != s->last_nacked) {
            glc_evq_nack(&s->q);  /* sometimes fail (once per batch), like a flaky database */
            s->last_nacked = out[0].seq;
            s->received -= n;
            s->last_seq = out[0].seq - 1;
            continue;
        }
        glc_evq_ack(&s->q);
        if (n && out[n - 1].seq == STRESS_EVENTS)
            return NULL;
    }
}

static void test_producer_consumer(void **state)
{
    struct stress *s = calloc(1, sizeof *s);
    struct glc_evq_stats st;
    pthread_t th;

    (void)state;
    assert_non_null(s);
    s->in_order = 1;
    assert_int_equal(glc_evq_init(&s->q, 64), 0);
    assert_int_equal(pthread_create(&th, NULL, consumer, s), 0);
    push_range(&s->q, 1, STRESS_EVENTS);
    pthread_join(th, NULL);
    glc_evq_get_stats(&s->q, &st);
    assert_true(s->in_order);
    assert_int_equal(st.pushed, STRESS_EVENTS);
    assert_int_equal(st.depth, 0);
    assert_int_equal(st.done, s->received);
    assert_int_equal(st.done + st.dropped, STRESS_EVENTS);
    glc_evq_destroy(&s->q);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_order),
        cmocka_unit_test(test_drop_oldest_and_count),
        cmocka_unit_test(test_nack_keeps_events),
        cmocka_unit_test(test_drop_while_in_flight),
        cmocka_unit_test(test_wait_sleep_close),
        cmocka_unit_test(test_invalid_capacity),
        cmocka_unit_test(test_producer_consumer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
