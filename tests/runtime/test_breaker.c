/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the circuit breaker (runtime/breaker.c) with an injected clock: every state,
 * transition and counter of the seed's semantics, plus permits, stale generations, the event
 * log (with each transition's cause), operator actions (force open/close/reset), a resumed
 * open state, and a concurrent hammer test that checks the invariants under contention.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <glc/breaker.h>

#define MS 1000000ull

struct fake_clock {
    _Atomic uint64_t mono;
    _Atomic int64_t wall;
};

static uint64_t fake_mono(void *ctx)
{
    return atomic_load(&((struct fake_clock *)ctx)->mono);
}

static int64_t fake_wall(void *ctx)
{
    return atomic_load(&((struct fake_clock *)ctx)->wall);
}

struct fixture {
    struct fake_clock clk;
    struct glc_breaker_clock clock;
    struct glc_breaker_set *set;
};

/* threshold 3, recovery 1000 ms, half-open 2 permits, 2 successes to close */
static const struct glc_breaker_def db_def[] = {
    { "database", 3, 1000, 2, 2, GLC_CHECK_POSTGRES, 1 },
};

static struct fixture *fixture_new(const struct glc_breaker_def *defs, unsigned n,
                                   unsigned long wait_ms, unsigned events)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct glc_breaker_set_opts opts = { .permit_max_wait_ms = wait_ms, .event_capacity = events };

    assert_non_null(f);
    atomic_init(&f->clk.mono, 5 * MS);
    atomic_init(&f->clk.wall, 1700000000000000000ll);
    f->clock = (struct glc_breaker_clock){ fake_mono, fake_wall, &f->clk };
    opts.clock = &f->clock;
    f->set = glc_breaker_set_new(defs, n, &opts);
    assert_non_null(f->set);
    return f;
}

static int setup_db(void **state)
{
    *state = fixture_new(db_def, 1, 0, 0);
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    glc_breaker_set_free(f->set);
    free(f);
    return 0;
}

static void advance(struct fixture *f, uint64_t ns)
{
    atomic_fetch_add(&f->clk.mono, ns);
}

static enum glc_breaker_state state_of(struct fixture *f)
{
    struct glc_breaker_stats st;

    glc_breaker_get_stats(f->set, 0, &st);
    return st.state;
}

static struct glc_breaker_stats stats_of(struct fixture *f)
{
    struct glc_breaker_stats st;

    glc_breaker_get_stats(f->set, 0, &st);
    return st;
}

/* One admitted call with the given outcome; fails the test if it was rejected. */
static void call(struct fixture *f, enum glc_breaker_outcome o)
{
    struct glc_breaker_ticket t = glc_breaker_acquire(f->set, 0);

    assert_true(t.admitted);
    glc_breaker_release(f->set, &t, o);
}

static void trip(struct fixture *f)
{
    for (unsigned i = 0; i < db_def[0].failure_threshold; i++)
        call(f, GLC_OUTCOME_FAILURE);
    assert_int_equal(state_of(f), GLC_BREAKER_OPEN);
}

static void to_half_open(struct fixture *f)
{
    trip(f);
    advance(f, db_def[0].recovery_timeout_ms * MS);
}

/* --- closed ------------------------------------------------------------------------------- */

static void test_closed_operation(void **state)
{
    struct fixture *f = *state;
    struct glc_breaker_stats st;

    for (int i = 0; i < 10; i++)
        call(f, GLC_OUTCOME_SUCCESS);
    call(f, GLC_OUTCOME_FAILURE);
    call(f, GLC_OUTCOME_FAILURE);
    assert_int_equal(stats_of(f).consecutive_failures, 2);
    call(f, GLC_OUTCOME_SUCCESS);  /* resets the consecutive count */
    assert_int_equal(stats_of(f).consecutive_failures, 0);
    call(f, GLC_OUTCOME_FAILURE);
    call(f, GLC_OUTCOME_FAILURE);
    st = stats_of(f);
    assert_int_equal(st.state, GLC_BREAKER_CLOSED);
    assert_int_equal(st.generation, 0);
    assert_int_equal(st.calls[GLC_CALLS_SUCCESS], 11);
    assert_int_equal(st.calls[GLC_CALLS_FAILURE], 4);
    assert_int_equal(st.calls[GLC_CALLS_REJECTED], 0);
    assert_int_equal(st.last_transition_wall_ns, 0);
}

static void test_open_after_threshold(void **state)
{
    struct fixture *f = *state;
    struct glc_breaker_stats st;

    call(f, GLC_OUTCOME_FAILURE);
    call(f, GLC_OUTCOME_FAILURE);
    assert_int_equal(state_of(f), GLC_BREAKER_CLOSED);
    atomic_store(&f->clk.wall, 1700000000123000000ll);
    call(f, GLC_OUTCOME_FAILURE);
    st = stats_of(f);
    assert_int_equal(st.state, GLC_BREAKER_OPEN);
    assert_int_equal(st.generation, 1);
    assert_int_equal(st.transitions[GLC_BREAKER_CLOSED][GLC_BREAKER_OPEN], 1);
    assert_int_equal(st.last_transition_wall_ns, 1700000000123000000ll);
    assert_int_equal(st.open_remaining_ms, 1000);
}

static void test_fail_fast_when_open(void **state)
{
    struct fixture *f = *state;
    struct glc_breaker_ticket t;

    trip(f);
    for (int i = 0; i < 5; i++) {
        t = glc_breaker_acquire(f->set, 0);
        assert_false(t.admitted);
        glc_breaker_release(f->set, &t, GLC_OUTCOME_FAILURE);  /* no-op on a rejected ticket */
    }
    advance(f, 999 * MS);
    t = glc_breaker_acquire(f->set, 0);
    assert_false(t.admitted);
    assert_int_equal(stats_of(f).calls[GLC_CALLS_REJECTED], 6);
    assert_int_equal(stats_of(f).calls[GLC_CALLS_FAILURE], 3);
    assert_int_equal(stats_of(f).open_remaining_ms, 1);
}

/* The open deadline is on the monotonic clock: wall-clock steps change nothing. */
static void test_open_ignores_wall_clock(void **state)
{
    struct fixture *f = *state;
    struct glc_breaker_ticket t;

    trip(f);
    atomic_fetch_add(&f->clk.wall, 3600ll * 1000000000ll);
    t = glc_breaker_acquire(f->set, 0);
    assert_false(t.admitted);
    atomic_fetch_sub(&f->clk.wall, 7200ll * 1000000000ll);
    advance(f, 1000 * MS);
    t = glc_breaker_acquire(f->set, 0);
    assert_true(t.admitted);
    glc_breaker_release(f->set, &t, GLC_OUTCOME_NOT_EXECUTED);
}

/* --- half-open ---------------------------------------------------------------------------- */

static void test_half_open_after_timeout(void **state)
{
    struct fixture *f = *state;
    struct glc_breaker_ticket t;
    struct glc_breaker_stats st;

    to_half_open(f);
    /* Lazy: nothing changes until the next acquire. */
    assert_int_equal(state_of(f), GLC_BREAKER_OPEN);
    t = glc_breaker_acquire(f->set, 0);
    assert_true(t.admitted);
    assert_true(t.permit != 0);
    st = stats_of(f);
    assert_int_equal(st.state, GLC_BREAKER_HALF_OPEN);
    assert_int_equal(st.generation, 2);
    assert_int_equal(t.generation, 2);
    assert_int_equal(st.permits_in_flight, 1);
    assert_int_equal(st.transitions[GLC_BREAKER_OPEN][GLC_BREAKER_HALF_OPEN], 1);
    glc_breaker_release(f->set, &t, GLC_OUTCOME_NOT_EXECUTED);
    assert_int_equal(stats_of(f).permits_in_flight, 0);
    assert_int_equal(state_of(f), GLC_BREAKER_HALF_OPEN);
}

static void test_closed_after_success_threshold(void **state)
{
    struct fixture *f = *state;
    struct glc_breaker_stats st;

    to_half_open(f);
    call(f, GLC_OUTCOME_SUCCESS);
    st = stats_of(f);
    assert_int_equal(st.state, GLC_BREAKER_HALF_OPEN);
    assert_int_equal(st.half_open_successes, 1);
    call(f, GLC_OUTCOME_SUCCESS);
    st = stats_of(f);
    assert_int_equal(st.state, GLC_BREAKER_CLOSED);
    assert_int_equal(st.transitions[GLC_BREAKER_HALF_OPEN][GLC_BREAKER_CLOSED], 1);
    assert_int_equal(st.consecutive_failures, 0);
    /* Closed again: needs the full threshold to re-open. */
    call(f, GLC_OUTCOME_FAILURE);
    call(f, GLC_OUTCOME_FAILURE);
    assert_int_equal(state_of(f), GLC_BREAKER_CLOSED);
}

static void test_open_again_on_half_open_failure(void **state)
{
    struct fixture *f = *state;
    struct glc_breaker_ticket t;
    struct glc_breaker_stats st;

    to_half_open(f);
    call(f, GLC_OUTCOME_SUCCESS);
    advance(f, 250 * MS);
    call(f, GLC_OUTCOME_FAILURE);
    st = stats_of(f);
    assert_int_equal(st.state, GLC_BREAKER_OPEN);
    assert_int_equal(st.transitions[GLC_BREAKER_HALF_OPEN][GLC_BREAKER_OPEN], 1);
    assert_int_equal(st.open_remaining_ms, 1000);  /* a fresh recovery timeout */
    t = glc_breaker_acquire(f->set, 0);
    assert_false(t.admitted);
    advance(f, 1000 * MS);
    /* The earlier half-open success does not carry over. */
    call(f, GLC_OUTCOME_SUCCESS);
    assert_int_equal(state_of(f), GLC_BREAKER_HALF_OPEN);
    call(f, GLC_OUTCOME_SUCCESS);
    assert_int_equal(state_of(f), GLC_BREAKER_CLOSED);
}

static void test_half_open_max_calls(void **state)
{
    struct fixture *f = *state;
    struct glc_breaker_ticket a, b, c;

    to_half_open(f);
    a = glc_breaker_acquire(f->set, 0);
    b = glc_breaker_acquire(f->set, 0);
    c = glc_breaker_acquire(f->set, 0);
    assert_true(a.admitted);
    assert_true(b.admitted);
    assert_false(c.admitted);
    assert_int_not_equal(a.permit, b.permit);
    assert_int_equal(stats_of(f).permits_in_flight, 2);
    assert_int_equal(stats_of(f).calls[GLC_CALLS_REJECTED], 1);
    /* A call that never ran returns its permit without affecting the state. */
    glc_breaker_release(f->set, &a, GLC_OUTCOME_NOT_EXECUTED);
    assert_int_equal(stats_of(f).permits_in_flight, 1);
    c = glc_breaker_acquire(f->set, 0);
    assert_true(c.admitted);
    glc_breaker_release(f->set, &b, GLC_OUTCOME_SUCCESS);
    glc_breaker_release(f->set, &b, GLC_OUTCOME_SUCCESS);  /* double release: no-op */
    assert_int_equal(stats_of(f).half_open_successes, 1);
    glc_breaker_release(f->set, &c, GLC_OUTCOME_SUCCESS);
    assert_int_equal(state_of(f), GLC_BREAKER_CLOSED);
    assert_int_equal(stats_of(f).calls[GLC_CALLS_NOT_EXECUTED], 1);
}

/* success_threshold larger than half_open_max_calls: permits are returned, so it still closes */
static const struct glc_breaker_def wide_def[] = {
    { "wide", 1, 100, 1, 3, GLC_CHECK_NONE, 0 },
};

static void test_success_threshold(void **state)
{
    struct fixture *f = fixture_new(wide_def, 1, 0, 0);

    (void)state;
    call(f, GLC_OUTCOME_FAILURE);
    assert_int_equal(state_of(f), GLC_BREAKER_OPEN);
    advance(f, 100 * MS);
    call(f, GLC_OUTCOME_SUCCESS);
    call(f, GLC_OUTCOME_SUCCESS);
    assert_int_equal(state_of(f), GLC_BREAKER_HALF_OPEN);
    assert_int_equal(stats_of(f).half_open_successes, 2);
    call(f, GLC_OUTCOME_SUCCESS);
    assert_int_equal(state_of(f), GLC_BREAKER_CLOSED);
    teardown((void **)&f);
}

/* --- permits and generations -------------------------------------------------------------- */

static const struct glc_breaker_def single_def[] = {
    { "single", 1, 100, 1, 1, GLC_CHECK_NONE, 0 },
};

static void test_permit_leak_reclaimed(void **state)
{
    struct fixture *f = fixture_new(single_def, 1, 500, 0);
    struct glc_breaker_ticket leaked, t;
    struct glc_breaker_stats st;

    (void)state;
    call(f, GLC_OUTCOME_FAILURE);
    advance(f, 100 * MS);
    leaked = glc_breaker_acquire(f->set, 0);  /* never released in time */
    assert_true(leaked.admitted);
    advance(f, 499 * MS);
    t = glc_breaker_acquire(f->set, 0);
    assert_false(t.admitted);
    advance(f, 1 * MS);
    t = glc_breaker_acquire(f->set, 0);
    assert_true(t.admitted);
    st = stats_of(f);
    assert_int_equal(st.permits_reclaimed, 1);
    assert_int_equal(st.permits_in_flight, 1);
    /* The late result of the reclaimed permit is stale: it neither frees the new holder's
     * permit nor changes the state. */
    glc_breaker_release(f->set, &leaked, GLC_OUTCOME_FAILURE);
    st = stats_of(f);
    assert_int_equal(st.state, GLC_BREAKER_HALF_OPEN);
    assert_int_equal(st.permits_in_flight, 1);
    assert_int_equal(st.calls[GLC_CALLS_STALE], 1);
    glc_breaker_release(f->set, &t, GLC_OUTCOME_SUCCESS);
    assert_int_equal(state_of(f), GLC_BREAKER_CLOSED);
    teardown((void **)&f);
}

static void test_stale_results(void **state)
{
    struct fixture *f = *state;
    struct glc_breaker_ticket slow_ok, slow_fail, probe;
    struct glc_breaker_stats st;

    /* Two calls admitted while closed are still running when the breaker opens. */
    slow_ok = glc_breaker_acquire(f->set, 0);
    slow_fail = glc_breaker_acquire(f->set, 0);
    trip(f);
    glc_breaker_release(f->set, &slow_fail, GLC_OUTCOME_FAILURE);
    st = stats_of(f);
    assert_int_equal(st.state, GLC_BREAKER_OPEN);
    assert_int_equal(st.generation, 1);
    assert_int_equal(st.calls[GLC_CALLS_STALE], 1);
    assert_int_equal(st.calls[GLC_CALLS_FAILURE], 3);

    /* Half-open: an old success must not count towards closing. */
    advance(f, 1000 * MS);
    probe = glc_breaker_acquire(f->set, 0);
    assert_true(probe.admitted);
    glc_breaker_release(f->set, &slow_ok, GLC_OUTCOME_SUCCESS);
    st = stats_of(f);
    assert_int_equal(st.half_open_successes, 0);
    assert_int_equal(st.calls[GLC_CALLS_STALE], 2);

    /* The probe fails: open again. A half-open ticket released later is stale too. */
    {
        struct glc_breaker_ticket other = glc_breaker_acquire(f->set, 0);

        assert_true(other.admitted);
        glc_breaker_release(f->set, &probe, GLC_OUTCOME_FAILURE);
        assert_int_equal(state_of(f), GLC_BREAKER_OPEN);
        glc_breaker_release(f->set, &other, GLC_OUTCOME_SUCCESS);
    }
    st = stats_of(f);
    assert_int_equal(st.state, GLC_BREAKER_OPEN);
    assert_int_equal(st.calls[GLC_CALLS_STALE], 3);
    assert_int_equal(st.permits_in_flight, 0);
    assert_int_equal(st.generation, 3);
}

/* --- event log ---------------------------------------------------------------------------- */

static void test_events_ordered(void **state)
{
    struct fixture *f = *state;
    struct glc_breaker_event ev[8];
    size_t n;

    to_half_open(f);
    call(f, GLC_OUTCOME_SUCCESS);
    call(f, GLC_OUTCOME_SUCCESS);
    n = glc_breaker_events_drain(f->set, ev, 8);
    assert_int_equal(n, 3);
    assert_int_equal(ev[0].seq, 1);
    assert_int_equal(ev[0].from, GLC_BREAKER_CLOSED);
    assert_int_equal(ev[0].to, GLC_BREAKER_OPEN);
    assert_int_equal(ev[0].mono_ns, 5 * MS);
    assert_int_equal(ev[1].seq, 2);
    assert_int_equal(ev[1].from, GLC_BREAKER_OPEN);
    assert_int_equal(ev[1].to, GLC_BREAKER_HALF_OPEN);
    assert_int_equal(ev[1].mono_ns, 1005 * MS);
    assert_int_equal(ev[2].seq, 3);
    assert_int_equal(ev[2].to, GLC_BREAKER_CLOSED);
    assert_int_equal(ev[2].generation, 3);
    assert_int_equal(glc_breaker_events_drain(f->set, ev, 8), 0);
    assert_int_equal(glc_breaker_events_wait(f->set, 1), 0);
    trip(f);
    assert_int_equal(glc_breaker_events_wait(f->set, 1), 1);
    n = glc_breaker_events_drain(f->set, ev, 8);
    assert_int_equal(n, 1);
    assert_int_equal(ev[0].seq, 4);
}

static void test_events_overflow_keeps_newest(void **state)
{
    struct fixture *f = fixture_new(single_def, 1, 0, 2);
    struct glc_breaker_event ev[4];

    (void)state;
    call(f, GLC_OUTCOME_FAILURE);          /* 1: closed -> open */
    advance(f, 100 * MS);
    call(f, GLC_OUTCOME_SUCCESS);          /* 2: open -> half_open, 3: half_open -> closed */
    assert_int_equal(glc_breaker_events_dropped(f->set), 1);
    assert_int_equal(glc_breaker_events_drain(f->set, ev, 4), 2);
    assert_int_equal(ev[0].seq, 2);
    assert_int_equal(ev[1].seq, 3);
    assert_int_equal(ev[1].to, GLC_BREAKER_CLOSED);
    teardown((void **)&f);
}

static void test_events_carry_cause(void **state)
{
    struct fixture *f = *state;
    struct glc_breaker_event ev[4];

    to_half_open(f);
    call(f, GLC_OUTCOME_FAILURE);          /* half-open trial fails: open again */
    assert_int_equal(glc_breaker_events_drain(f->set, ev, 4), 3);
    assert_int_equal(ev[0].cause, GLC_CAUSE_CALLS);
    assert_int_equal(ev[0].failure_count, 3);
    assert_int_equal(ev[0].open_ms, 1000);
    assert_int_equal(ev[1].failure_count, 0);
    assert_int_equal(ev[1].open_ms, 0);
    assert_int_equal(ev[2].from, GLC_BREAKER_HALF_OPEN);
    assert_int_equal(ev[2].failure_count, 1);
    assert_string_equal(glc_breaker_cause_name(ev[2].cause), "state_change");
}

/* --- operator actions and resumed state ---------------------------------------------------- */

static void test_force_open_holds(void **state)
{
    struct fixture *f = *state;
    struct glc_breaker_ticket before = glc_breaker_acquire(f->set, 0), t;
    struct glc_breaker_event ev[4];
    struct glc_breaker_stats st;

    call(f, GLC_OUTCOME_FAILURE);
    assert_int_equal(glc_breaker_force(f->set, 0, GLC_FORCE_OPEN), GLC_BREAKER_OPEN);
    advance(f, 100 * 1000 * MS);           /* far past the recovery timeout: still held */
    t = glc_breaker_acquire(f->set, 0);
    assert_false(t.admitted);
    st = stats_of(f);
    assert_int_equal(st.state, GLC_BREAKER_OPEN);
    assert_true(st.held_open);
    assert_int_equal(st.open_remaining_ms, 0);
    glc_breaker_release(f->set, &before, GLC_OUTCOME_SUCCESS);  /* admitted before: stale */
    assert_int_equal(stats_of(f).calls[GLC_CALLS_STALE], 1);
    assert_int_equal(glc_breaker_events_drain(f->set, ev, 4), 1);
    assert_int_equal(ev[0].cause, GLC_CAUSE_FORCED_OPEN);
    assert_int_equal(ev[0].from, GLC_BREAKER_CLOSED);
    assert_int_equal(ev[0].failure_count, 1);
    assert_int_equal(ev[0].open_ms, 0);    /* held: no half-open time */
    assert_int_equal(glc_breaker_force(f->set, 0, GLC_FORCE_CLOSE), GLC_BREAKER_CLOSED);
    assert_false(stats_of(f).held_open);
    call(f, GLC_OUTCOME_SUCCESS);
    assert_int_equal(glc_breaker_events_drain(f->set, ev, 4), 1);
    assert_int_equal(ev[0].cause, GLC_CAUSE_FORCED_CLOSE);
    assert_int_equal(ev[0].from, GLC_BREAKER_OPEN);
    assert_int_equal(ev[0].to, GLC_BREAKER_CLOSED);
}

static void test_force_close_and_reset(void **state)
{
    struct fixture *f = *state;
    struct glc_breaker_event ev[4];
    struct glc_breaker_stats st;

    to_half_open(f);
    assert_true(glc_breaker_acquire(f->set, 0).admitted);  /* a permit in flight */
    assert_int_equal(glc_breaker_force(f->set, 0, GLC_FORCE_RESET), GLC_BREAKER_CLOSED);
    st = stats_of(f);
    assert_int_equal(st.state, GLC_BREAKER_CLOSED);
    assert_int_equal(st.permits_in_flight, 0);
    assert_int_equal(st.consecutive_failures, 0);
    call(f, GLC_OUTCOME_FAILURE);
    call(f, GLC_OUTCOME_FAILURE);
    assert_int_equal(glc_breaker_force(f->set, 0, GLC_FORCE_CLOSE), GLC_BREAKER_CLOSED);  /* no change... */
    assert_int_equal(stats_of(f).consecutive_failures, 0);  /* ...but the count starts over */
    call(f, GLC_OUTCOME_FAILURE);
    call(f, GLC_OUTCOME_FAILURE);
    assert_int_equal(state_of(f), GLC_BREAKER_CLOSED);
    glc_breaker_events_drain(f->set, ev, 2);  /* the trip and the half-open */
    assert_int_equal(glc_breaker_events_drain(f->set, ev, 4), 2);
    assert_int_equal(ev[0].cause, GLC_CAUSE_FORCED_RESET);
    assert_int_equal(ev[0].from, GLC_BREAKER_HALF_OPEN);
    assert_int_equal(ev[1].cause, GLC_CAUSE_FORCED_CLOSE);
    assert_int_equal(ev[1].from, GLC_BREAKER_CLOSED);  /* recorded although nothing changed */
    assert_int_equal(ev[1].to, GLC_BREAKER_CLOSED);
    assert_int_equal(ev[1].failure_count, 2);
    assert_int_equal(ev[1].generation, 4);
}

static void test_resume_open(void **state)
{
    struct fixture *f = *state;
    struct glc_breaker_event ev[4];
    struct glc_breaker_stats st;

    assert_int_equal(glc_breaker_resume_open(f->set, 0, 400), 0);
    st = stats_of(f);
    assert_int_equal(st.state, GLC_BREAKER_OPEN);
    assert_int_equal(st.open_remaining_ms, 400);
    assert_false(glc_breaker_acquire(f->set, 0).admitted);
    assert_int_equal(glc_breaker_events_drain(f->set, ev, 4), 1);
    assert_int_equal(ev[0].cause, GLC_CAUSE_RESUMED);
    assert_int_equal(ev[0].open_ms, 400);
    assert_string_equal(glc_breaker_cause_name(ev[0].cause), "resumed_open");
    advance(f, 400 * MS);
    call(f, GLC_OUTCOME_SUCCESS);          /* half-open now */
    assert_int_equal(state_of(f), GLC_BREAKER_HALF_OPEN);
    errno = 0;
    assert_int_equal(glc_breaker_resume_open(f->set, 0, 400), -1);  /* too late: it has moved */
    assert_int_equal(errno, EBUSY);
}

static void test_resume_open_clamped(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(glc_breaker_resume_open(f->set, 0, 3600 * 1000), 0);
    assert_int_equal(stats_of(f).open_remaining_ms, 1000);  /* never beyond the recovery timeout */
    advance(f, 1000 * MS);
    assert_true(glc_breaker_acquire(f->set, 0).admitted);
}

/* --- validation --------------------------------------------------------------------------- */

static void test_invalid_tables(void **state)
{
    struct glc_breaker_def bad[] = {
        { "Upper", 1, 1, 1, 1, 0, 0 }, { "ok", 0, 1, 1, 1, 0, 0 }, { "ok", 1, 0, 1, 1, 0, 0 },
        { "ok", 1, 1, 0, 1, 0, 0 },    { "ok", 1, 1, 1, 0, 0, 0 }, { "ok", 1, 1, 1, 1, 7, 0 },
        { "9x", 1, 1, 1, 1, 0, 0 },    { "a-b", 1, 1, 1, 1, 0, 0 },
    };
    const struct glc_breaker_def dup[] = { { "a", 1, 1, 1, 1, 0, 0 }, { "a", 1, 1, 1, 1, 0, 0 } };
    struct glc_breaker_set *set;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_non_null(glc_breaker_def_check(&bad[i]));
        errno = 0;
        assert_null(glc_breaker_set_new(&bad[i], 1, NULL));
        assert_int_equal(errno, EINVAL);
    }
    assert_null(glc_breaker_set_new(dup, 2, NULL));
    set = glc_breaker_set_new(dup, 1, NULL);
    assert_non_null(set);
    assert_int_equal(glc_breaker_set_find(set, "a"), 0);
    assert_int_equal(glc_breaker_set_find(set, "b"), -1);
    assert_string_equal(glc_breaker_set_def(set, 0)->name, "a");
    assert_int_equal(glc_breaker_set_count(set), 1);
    glc_breaker_set_free(set);
    assert_string_equal(glc_breaker_state_name(GLC_BREAKER_HALF_OPEN), "half_open");
    assert_string_equal(glc_breaker_calls_name(GLC_CALLS_NOT_EXECUTED), "not_executed");
}

/* --- concurrency -------------------------------------------------------------------------- */

#define HAMMER_THREADS 4
#define HAMMER_ITERS 40000
#define MAX_GEN 65536

static const struct glc_breaker_def hammer_def[] = {
    { "hammer", 3, 1, 2, 2, GLC_CHECK_NONE, 0 },
};

struct hammer {
    struct fixture *f;
    _Atomic unsigned held[MAX_GEN];  /* permits held per generation, as seen by callers */
    _Atomic unsigned max_held;
    _Atomic uint64_t admitted, rejected, executed, not_executed;
    _Atomic int stop_consumer;
    struct glc_breaker_event *events;
    size_t nevents;
};

static void note_max(struct hammer *h, unsigned v)
{
    unsigned m = atomic_load(&h->max_held);

    while (v > m && !atomic_compare_exchange_weak(&h->max_held, &m, v))
        ;
}

static void *hammer_thread(void *arg)
{
    struct hammer *h = arg;
    unsigned seed = (unsigned)(uintptr_t)pthread_self();

    for (int i = 0; i < HAMMER_ITERS; i++) {
        struct glc_breaker_ticket t;
        unsigned r = (unsigned)rand_r(&seed);

        atomic_fetch_add(&h->f->clk.mono, 50000);  /* 50 us per call: recovery every 20 calls */
        t = glc_breaker_acquire(h->f->set, 0);
        if (!t.admitted) {
            atomic_fetch_add(&h->rejected, 1);
            continue;
        }
        atomic_fetch_add(&h->admitted, 1);
        /* Hold the permit for a while; callers of one generation must never hold more
         * permits at once than half_open_max_calls. */
        if (t.permit && t.generation < MAX_GEN) {
            note_max(h, atomic_fetch_add(&h->held[t.generation], 1) + 1);
            if (r % 4 == 0)
                sched_yield();
            atomic_fetch_sub(&h->held[t.generation], 1);
        }
        if (r % 10 == 0) {
            atomic_fetch_add(&h->not_executed, 1);
            glc_breaker_release(h->f->set, &t, GLC_OUTCOME_NOT_EXECUTED);
        } else {
            atomic_fetch_add(&h->executed, 1);
            glc_breaker_release(h->f->set, &t, r % 3 == 0 ? GLC_OUTCOME_FAILURE : GLC_OUTCOME_SUCCESS);
        }
    }
    return NULL;
}

static void *event_consumer(void *arg)
{
    struct hammer *h = arg;

    for (;;) {
        int stopping = atomic_load(&h->stop_consumer);

        glc_breaker_events_wait(h->f->set, 5);
        h->nevents += glc_breaker_events_drain(h->f->set, h->events + h->nevents, 4096);
        if (stopping)
            return NULL;
    }
}

static void check_event_chain(struct hammer *h, const struct glc_breaker_stats *st)
{
    enum glc_breaker_state cur = GLC_BREAKER_CLOSED;

    assert_int_equal(h->nevents, st->generation);
    for (size_t i = 0; i < h->nevents; i++) {
        assert_int_equal(h->events[i].seq, i + 1);
        assert_int_equal(h->events[i].generation, i + 1);
        assert_int_equal(h->events[i].from, cur);
        assert_int_not_equal(h->events[i].to, cur);
        cur = h->events[i].to;
    }
    assert_int_equal(cur, st->state);
}

static void test_concurrent_callers(void **state)
{
    struct hammer *h = calloc(1, sizeof *h);
    pthread_t th[HAMMER_THREADS], consumer;
    struct glc_breaker_stats st;
    uint64_t transitions = 0;

    (void)state;
    assert_non_null(h);
    h->f = fixture_new(hammer_def, 1, 60000, 1 << 20);
    h->events = calloc(2 * HAMMER_THREADS * HAMMER_ITERS + 4096, sizeof *h->events);
    assert_non_null(h->events);
    assert_int_equal(pthread_create(&consumer, NULL, event_consumer, h), 0);
    for (int i = 0; i < HAMMER_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, hammer_thread, h), 0);
    for (int i = 0; i < HAMMER_THREADS; i++)
        pthread_join(th[i], NULL);
    atomic_store(&h->stop_consumer, 1);
    pthread_join(consumer, NULL);

    glc_breaker_get_stats(h->f->set, 0, &st);
    assert_true(st.generation > 10);          /* the hammer did exercise every state */
    assert_true(st.generation < MAX_GEN);
    assert_true(atomic_load(&h->max_held) <= hammer_def[0].half_open_max_calls);
    assert_int_equal(st.permits_in_flight, 0);
    assert_int_equal(st.calls[GLC_CALLS_REJECTED], atomic_load(&h->rejected));
    assert_int_equal(st.calls[GLC_CALLS_NOT_EXECUTED], atomic_load(&h->not_executed));
    assert_int_equal(st.calls[GLC_CALLS_SUCCESS] + st.calls[GLC_CALLS_FAILURE] +
                     st.calls[GLC_CALLS_STALE], atomic_load(&h->executed));
    assert_int_equal(atomic_load(&h->admitted) + atomic_load(&h->rejected),
                     (uint64_t)HAMMER_THREADS * HAMMER_ITERS);
    for (int a = 0; a < GLC_BREAKER_STATE_COUNT; a++)
        for (int b = 0; b < GLC_BREAKER_STATE_COUNT; b++)
            transitions += st.transitions[a][b];
    assert_int_equal(transitions, st.generation);
    assert_int_equal(st.permits_reclaimed, 0);
    assert_int_equal(glc_breaker_events_dropped(h->f->set), 0);
    check_event_chain(h, &st);
    free(h->events);
    teardown((void **)&h->f);
    free(h);
}

/* Two breakers in one set are independent. */
static void test_breakers_independent(void **state)
{
    static const struct glc_breaker_def two[] = {
        { "a", 1, 100, 1, 1, GLC_CHECK_NONE, 0 }, { "b", 1, 100, 1, 1, GLC_CHECK_NONE, 0 },
    };
    struct fixture *f = fixture_new(two, 2, 0, 0);
    struct glc_breaker_ticket t = glc_breaker_acquire(f->set, 1);
    struct glc_breaker_stats st;

    (void)state;
    glc_breaker_release(f->set, &t, GLC_OUTCOME_FAILURE);
    glc_breaker_get_stats(f->set, 1, &st);
    assert_int_equal(st.state, GLC_BREAKER_OPEN);
    assert_int_equal(state_of(f), GLC_BREAKER_CLOSED);
    t = glc_breaker_acquire(f->set, 0);
    assert_true(t.admitted);
    glc_breaker_release(f->set, &t, GLC_OUTCOME_SUCCESS);
    teardown((void **)&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_closed_operation, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_open_after_threshold, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_fail_fast_when_open, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_open_ignores_wall_clock, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_half_open_after_timeout, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_closed_after_success_threshold, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_open_again_on_half_open_failure, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_half_open_max_calls, setup_db, teardown),
        cmocka_unit_test(test_success_threshold),
        cmocka_unit_test(test_permit_leak_reclaimed),
        cmocka_unit_test_setup_teardown(test_stale_results, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_events_ordered, setup_db, teardown),
        cmocka_unit_test(test_events_overflow_keeps_newest),
        cmocka_unit_test_setup_teardown(test_events_carry_cause, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_force_open_holds, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_force_close_and_reset, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_resume_open, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_resume_open_clamped, setup_db, teardown),
        cmocka_unit_test(test_invalid_tables),
        cmocka_unit_test(test_concurrent_callers),
        cmocka_unit_test(test_breakers_independent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
