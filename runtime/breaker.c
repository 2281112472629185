/* SPDX-License-Identifier: MIT */
/*
 * Circuit breakers: the closed/open/half-open state machine of glc/breaker.h.
 * Each breaker has a mutex for transitions plus an atomic state word (generation << 2 | state)
 * so that admission while closed, and successes that change nothing, avoid the lock.
 * Transitions are appended to a set-wide, sequence-numbered event ring (leaf lock).
 * Operator actions (force) and a resumed open state are transitions like the others, tagged
 * with their cause; a hold is an open deadline that never comes (HELD).
 */
#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glc/breaker.h>

#define STATE_BITS 2u
#define STATE_MASK 3u
#define WORD(gen, state) (((uint64_t)(gen) << STATE_BITS) | (uint64_t)(state))
#define WORD_GEN(w) ((w) >> STATE_BITS)
#define WORD_STATE(w) ((enum glc_breaker_state)((w) & STATE_MASK))

#define NS_PER_MS 1000000ull
#define DEFAULT_EVENT_CAPACITY 1024u
#define MAX_HALF_OPEN_CALLS 65536u
#define HELD UINT64_MAX  /* open_until_ns of a breaker held open: half-open never comes */

struct permit_slot {
    uint64_t id;       /* 0: free */
    uint64_t since_ns; /* monotonic acquire time */
};

/* Read-mostly fields first; counters written on every release get their own cache line. */
struct breaker {
    alignas(64) _Atomic uint64_t word;
    _Atomic unsigned consecutive_failures;  /* written under lock, read without */
    _Atomic uint64_t open_until_ns;         /* written under lock before word */
    const struct glc_breaker_def *def;
    uint64_t recovery_ns;
    uint64_t permit_max_wait_ns;

    alignas(64) _Atomic uint64_t calls[GLC_CALLS_COUNT];

    alignas(64) pthread_mutex_t lock;
    unsigned half_open_successes;
    unsigned in_flight;
    uint64_t next_permit;
    uint64_t reclaimed;
    uint64_t transitions[GLC_BREAKER_STATE_COUNT][GLC_BREAKER_STATE_COUNT];
    int64_t last_transition_wall_ns;
    struct permit_slot *slots;  /* half_open_max_calls entries */
};

struct event_log {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct glc_breaker_event *ring;
    unsigned capacity;
    uint64_t next_seq;  /* seq of the next event recorded */
    uint64_t read_seq;  /* seq of the oldest event not yet drained */
    uint64_t dropped;
};

struct glc_breaker_set {
    struct breaker *b;
    unsigned count;
    struct glc_breaker_clock clock;
    struct event_log events;
};

static uint64_t default_mono_ns(void *ctx)
{
    struct timespec ts;

    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int64_t default_wall_ns(void *ctx)
{
    struct timespec ts;

    (void)ctx;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000ll + (int64_t)ts.tv_nsec;
}

const char *glc_breaker_state_name(enum glc_breaker_state state)
{
    switch (state) {
    case GLC_BREAKER_CLOSED: return "closed";
    case GLC_BREAKER_OPEN: return "open";
    case GLC_BREAKER_HALF_OPEN: return "half_open";
    default: return "unknown";
    }
}

const char *glc_breaker_cause_name(enum glc_breaker_cause cause)
{
    static const char *const names[GLC_CAUSE_COUNT] = {
        "state_change", "forced_open", "forced_close", "forced_reset", "resumed_open",
    };

    return (unsigned)cause < GLC_CAUSE_COUNT ? names[cause] : "unknown";
}

const char *glc_breaker_calls_name(enum glc_breaker_calls calls)
{
    static const char *const names[GLC_CALLS_COUNT] = {
        "success", "failure", "rejected", "stale", "not_executed",
    };

    return (unsigned)calls < GLC_CALLS_COUNT ? names[calls] : "unknown";
}

static int name_is_valid(const char *name)
{
    if (!name || *name < 'a' || *name > 'z')
        return 0;
    for (const char *p = name + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    return 1;
}

const char *glc_breaker_def_check(const struct glc_breaker_def *def)
{
    if (!name_is_valid(def->name))
        return "name must match [a-z][a-z0-9_]*";
    if (def->failure_threshold < 1)
        return "failure_threshold must be >= 1";
    if (def->recovery_timeout_ms < 1)
        return "recovery_timeout_ms must be >= 1";
    if (def->half_open_max_calls < 1 || def->half_open_max_calls > MAX_HALF_OPEN_CALLS)
        return "half_open_max_calls must be in 1..65536";
    if (def->success_threshold < 1)
        return "success_threshold must be >= 1";
    if (def->check < GLC_CHECK_NONE || def->check > GLC_CHECK_KAFKA)
        return "check must be an enum glc_check_kind";
    return NULL;
}

static int defs_are_valid(const struct glc_breaker_def *defs, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        if (glc_breaker_def_check(&defs[i]))
            return 0;
        for (unsigned j = 0; j < i; j++)
            if (strcmp(defs[i].name, defs[j].name) == 0)
                return 0;
    }
    return 1;
}

static int breaker_init(struct breaker *b, const struct glc_breaker_def *def, unsigned long wait_ms)
{
    b->slots = calloc(def->half_open_max_calls, sizeof *b->slots);
    if (!b->slots)
        return -1;
    if (pthread_mutex_init(&b->lock, NULL) != 0) {
        free(b->slots);
        b->slots = NULL;
        return -1;
    }
    b->def = def;
    b->recovery_ns = (uint64_t)def->recovery_timeout_ms * NS_PER_MS;
    b->permit_max_wait_ns = (uint64_t)(wait_ms ? wait_ms : def->recovery_timeout_ms) * NS_PER_MS;
    atomic_init(&b->word, WORD(0, GLC_BREAKER_CLOSED));
    atomic_init(&b->consecutive_failures, 0);
    atomic_init(&b->open_until_ns, 0);
    for (unsigned i = 0; i < GLC_CALLS_COUNT; i++)
        atomic_init(&b->calls[i], 0);
    return 0;
}

static int event_log_init(struct event_log *log, unsigned capacity)
{
    log->capacity = capacity ? capacity : DEFAULT_EVENT_CAPACITY;
    log->ring = calloc(log->capacity, sizeof *log->ring);
    if (!log->ring)
        return -1;
    if (pthread_mutex_init(&log->lock, NULL) != 0) {
        free(log->ring);
        return -1;
    }
    if (pthread_cond_init(&log->cond, NULL) != 0) {
        pthread_mutex_destroy(&log->lock);
        free(log->ring);
        return -1;
    }
    log->next_seq = 1;
    log->read_seq = 1;
    return 0;
}

struct glc_breaker_set *glc_breaker_set_new(const struct glc_breaker_def *defs, unsigned count,
                                            const struct glc_breaker_set_opts *opts)
{
    static const struct glc_breaker_set_opts no_opts;
    struct glc_breaker_set *set;

    if (!opts)
        opts = &no_opts;
    if ((count && !defs) || !defs_are_valid(defs, count)) {
        errno = EINVAL;
        return NULL;
    }
    set = calloc(1, sizeof *set);
    if (!set)
        return NULL;
    set->clock.mono_ns = default_mono_ns;
    set->clock.wall_ns = default_wall_ns;
    if (opts->clock)
        set->clock = *opts->clock;
    if (event_log_init(&set->events, opts->event_capacity) != 0) {
        free(set);
        errno = ENOMEM;
        return NULL;
    }
    set->b = aligned_alloc(alignof(struct breaker), (count ? count : 1) * sizeof *set->b);
    if (!set->b) {
        glc_breaker_set_free(set);
        errno = ENOMEM;
        return NULL;
    }
    memset(set->b, 0, (count ? count : 1) * sizeof *set->b);
    for (; set->count < count; set->count++) {
        if (breaker_init(&set->b[set->count], &defs[set->count], opts->permit_max_wait_ms) != 0) {
            glc_breaker_set_free(set);
            errno = ENOMEM;
            return NULL;
        }
    }
    return set;
}

void glc_breaker_set_free(struct glc_breaker_set *set)
{
    if (!set)
        return;
    for (unsigned i = 0; i < set->count; i++) {
        pthread_mutex_destroy(&set->b[i].lock);
        free(set->b[i].slots);
    }
    free(set->b);
    pthread_cond_destroy(&set->events.cond);
    pthread_mutex_destroy(&set->events.lock);
    free(set->events.ring);
    free(set);
}

unsigned glc_breaker_set_count(const struct glc_breaker_set *set)
{
    return set->count;
}

const struct glc_breaker_def *glc_breaker_set_def(const struct glc_breaker_set *set, unsigned idx)
{
    return set->b[idx].def;
}

int glc_breaker_set_find(const struct glc_breaker_set *set, const char *name)
{
    for (unsigned i = 0; i < set->count; i++)
        if (strcmp(set->b[i].def->name, name) == 0)
            return (int)i;
    return -1;
}

/* --- event log ------------------------------------------------------------------------------ */

static void event_log_push(struct event_log *log, struct glc_breaker_event *ev)
{
    pthread_mutex_lock(&log->lock);
    if (log->next_seq - log->read_seq == log->capacity) {
        log->read_seq++;
        log->dropped++;
    }
    ev->seq = log->next_seq++;
    log->ring[ev->seq % log->capacity] = *ev;
    pthread_cond_broadcast(&log->cond);
    pthread_mutex_unlock(&log->lock);
}

size_t glc_breaker_events_drain(struct glc_breaker_set *set, struct glc_breaker_event *out, size_t max)
{
    struct event_log *log = &set->events;
    size_t n = 0;

    pthread_mutex_lock(&log->lock);
    while (n < max && log->read_seq < log->next_seq) {
        out[n++] = log->ring[log->read_seq % log->capacity];
        log->read_seq++;
    }
    pthread_mutex_unlock(&log->lock);
    return n;
}

int glc_breaker_events_wait(struct glc_breaker_set *set, unsigned timeout_ms)
{
    struct event_log *log = &set->events;
    struct timespec deadline;
    int pending;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&log->lock);
    while (log->read_seq == log->next_seq)
        if (pthread_cond_timedwait(&log->cond, &log->lock, &deadline) == ETIMEDOUT)
            break;
    pending = log->read_seq < log->next_seq;
    pthread_mutex_unlock(&log->lock);
    return pending;
}

uint64_t glc_breaker_events_dropped(struct glc_breaker_set *set)
{
    uint64_t dropped;

    pthread_mutex_lock(&set->events.lock);
    dropped = set->events.dropped;
    pthread_mutex_unlock(&set->events.lock);
    return dropped;
}

/* --- state machine (called with b->lock held) ----------------------------------------------- */

static void count_call(struct breaker *b, enum glc_breaker_calls which)
{
    atomic_fetch_add_explicit(&b->calls[which], 1, memory_order_relaxed);
}

/* Why and how a transition happens: the cause, the failures behind it, and for OPEN how long
 * until half-open (HELD: never, until forced closed). */
struct why {
    enum glc_breaker_cause cause;
    unsigned failures;
    uint64_t open_ns;
};

static struct why by_calls(const struct breaker *b, unsigned failures)
{
    return (struct why){ GLC_CAUSE_CALLS, failures, b->recovery_ns };
}

/* Move to @to, starting a new generation; the event is recorded before the lock is dropped,
 * so the log order of one breaker's events is its transition order. */
static void transition(struct glc_breaker_set *set, struct breaker *b, enum glc_breaker_state to,
                       uint64_t now_ns, struct why why)
{
    uint64_t w = atomic_load_explicit(&b->word, memory_order_relaxed);
    enum glc_breaker_state from = WORD_STATE(w);
    struct glc_breaker_event ev;

    if (from == GLC_BREAKER_HALF_OPEN)
        memset(b->slots, 0, b->def->half_open_max_calls * sizeof *b->slots);
    b->in_flight = 0;
    b->half_open_successes = 0;
    if (to == GLC_BREAKER_OPEN)
        atomic_store_explicit(&b->open_until_ns, why.open_ns == HELD ? HELD : now_ns + why.open_ns,
                              memory_order_relaxed);
    atomic_store_explicit(&b->word, WORD(WORD_GEN(w) + 1, to), memory_order_release);
    /* After the word: a lock-free reader that sees this reset also sees the new generation. */
    atomic_store_explicit(&b->consecutive_failures, 0, memory_order_release);

    b->transitions[from][to]++;
    b->last_transition_wall_ns = set->clock.wall_ns(set->clock.ctx);
    ev = (struct glc_breaker_event){
        .breaker = (unsigned)(b - set->b), .from = from, .to = to,
        .generation = WORD_GEN(w) + 1, .mono_ns = now_ns, .wall_ns = b->last_transition_wall_ns,
        .cause = why.cause, .failure_count = why.failures,
        .open_ms = to == GLC_BREAKER_OPEN && why.open_ns != HELD ? why.open_ns / NS_PER_MS : 0,
    };
    event_log_push(&set->events, &ev);
}

static void reclaim_expired_permits(struct breaker *b, uint64_t now_ns)
{
    for (unsigned i = 0; i < b->def->half_open_max_calls; i++) {
        struct permit_slot *s = &b->slots[i];

        /* now_ns was read before the lock: a racing caller may have stamped a later time. */
        if (s->id && now_ns > s->since_ns && now_ns - s->since_ns >= b->permit_max_wait_ns) {
            s->id = 0;
            b->in_flight--;
            b->reclaimed++;
        }
    }
}

static int take_permit(struct breaker *b, uint64_t now_ns, struct glc_breaker_ticket *t)
{
    reclaim_expired_permits(b, now_ns);
    if (b->in_flight >= b->def->half_open_max_calls)
        return 0;
    for (unsigned i = 0; i < b->def->half_open_max_calls; i++) {
        if (b->slots[i].id == 0) {
            b->slots[i].id = ++b->next_permit;
            b->slots[i].since_ns = now_ns;
            b->in_flight++;
            t->permit = b->slots[i].id;
            t->slot = i;
            return 1;
        }
    }
    return 0;  /* unreachable: in_flight < max implies a free slot */
}

static void admit_locked(struct glc_breaker_set *set, struct breaker *b, uint64_t now_ns,
                         struct glc_breaker_ticket *t)
{
    uint64_t w = atomic_load_explicit(&b->word, memory_order_relaxed);

    if (WORD_STATE(w) == GLC_BREAKER_OPEN) {
        if (now_ns < atomic_load_explicit(&b->open_until_ns, memory_order_relaxed))
            return;
        transition(set, b, GLC_BREAKER_HALF_OPEN, now_ns, by_calls(b, 0));
        w = atomic_load_explicit(&b->word, memory_order_relaxed);
    }
    t->generation = WORD_GEN(w);
    if (WORD_STATE(w) == GLC_BREAKER_CLOSED)
        t->admitted = 1;
    else
        t->admitted = take_permit(b, now_ns, t);
}

static struct glc_breaker_ticket acquire_slow(struct glc_breaker_set *set, struct breaker *b,
                                              struct glc_breaker_ticket t, uint64_t w)
{
    uint64_t now_ns = set->clock.mono_ns(set->clock.ctx);

    /* Fail fast without the lock while the open deadline has not passed. */
    if (WORD_STATE(w) == GLC_BREAKER_OPEN &&
        now_ns < atomic_load_explicit(&b->open_until_ns, memory_order_relaxed) &&
        atomic_load_explicit(&b->word, memory_order_acquire) == w) {
        count_call(b, GLC_CALLS_REJECTED);
        return t;
    }
    pthread_mutex_lock(&b->lock);
    admit_locked(set, b, now_ns, &t);
    pthread_mutex_unlock(&b->lock);
    if (!t.admitted)
        count_call(b, GLC_CALLS_REJECTED);
    return t;
}

struct glc_breaker_ticket glc_breaker_acquire(struct glc_breaker_set *set, unsigned idx)
{
    struct breaker *b = &set->b[idx];
    uint64_t w = atomic_load_explicit(&b->word, memory_order_acquire);
    struct glc_breaker_ticket t = { .generation = WORD_GEN(w), .breaker = idx };

    if (WORD_STATE(w) == GLC_BREAKER_CLOSED) {
        t.admitted = 1;
        return t;
    }
    return acquire_slow(set, b, t, w);
}

/* Return the ticket's permit; 0 if it was reclaimed (and possibly handed out again). */
static int return_permit(struct breaker *b, const struct glc_breaker_ticket *t)
{
    struct permit_slot *s = &b->slots[t->slot];

    if (s->id != t->permit)
        return 0;
    s->id = 0;
    b->in_flight--;
    return 1;
}

static void apply_closed(struct glc_breaker_set *set, struct breaker *b, enum glc_breaker_outcome o)
{
    unsigned failures;

    if (o == GLC_OUTCOME_SUCCESS) {
        count_call(b, GLC_CALLS_SUCCESS);
        atomic_store_explicit(&b->consecutive_failures, 0, memory_order_relaxed);
        return;
    }
    count_call(b, GLC_CALLS_FAILURE);
    failures = atomic_load_explicit(&b->consecutive_failures, memory_order_relaxed) + 1;
    atomic_store_explicit(&b->consecutive_failures, failures, memory_order_relaxed);
    if (failures >= b->def->failure_threshold)
        transition(set, b, GLC_BREAKER_OPEN, set->clock.mono_ns(set->clock.ctx), by_calls(b, failures));
}

static void apply_half_open(struct glc_breaker_set *set, struct breaker *b, enum glc_breaker_outcome o)
{
    if (o == GLC_OUTCOME_FAILURE) {
        count_call(b, GLC_CALLS_FAILURE);
        transition(set, b, GLC_BREAKER_OPEN, set->clock.mono_ns(set->clock.ctx), by_calls(b, 1));
        return;
    }
    count_call(b, GLC_CALLS_SUCCESS);
    if (++b->half_open_successes >= b->def->success_threshold)
        transition(set, b, GLC_BREAKER_CLOSED, set->clock.mono_ns(set->clock.ctx), by_calls(b, 0));
}

static void release_locked(struct glc_breaker_set *set, struct breaker *b,
                           const struct glc_breaker_ticket *t, enum glc_breaker_outcome o)
{
    uint64_t w = atomic_load_explicit(&b->word, memory_order_relaxed);
    int current = WORD_GEN(w) == t->generation;

    if (current && t->permit)
        current = return_permit(b, t);
    if (o == GLC_OUTCOME_NOT_EXECUTED) {
        count_call(b, GLC_CALLS_NOT_EXECUTED);
        return;
    }
    if (!current || WORD_STATE(w) == GLC_BREAKER_OPEN) {
        count_call(b, GLC_CALLS_STALE);
        return;
    }
    if (WORD_STATE(w) == GLC_BREAKER_CLOSED)
        apply_closed(set, b, o);
    else
        apply_half_open(set, b, o);
}

/* A closed-state result that changes nothing (success with no failures counted, or a call
 * that never ran) is only counted. The state word is re-read after the failure count so that
 * a concurrent transition is never missed. */
static int release_fast(struct breaker *b, const struct glc_breaker_ticket *t,
                        enum glc_breaker_outcome o)
{
    uint64_t w = WORD(t->generation, GLC_BREAKER_CLOSED);

    if (t->permit || o == GLC_OUTCOME_FAILURE)
        return 0;
    if (o == GLC_OUTCOME_NOT_EXECUTED) {
        count_call(b, GLC_CALLS_NOT_EXECUTED);
        return 1;
    }
    if (atomic_load_explicit(&b->word, memory_order_acquire) != w ||
        atomic_load_explicit(&b->consecutive_failures, memory_order_acquire) != 0 ||
        atomic_load_explicit(&b->word, memory_order_acquire) != w)
        return 0;
    count_call(b, GLC_CALLS_SUCCESS);
    return 1;
}

void glc_breaker_release(struct glc_breaker_set *set, struct glc_breaker_ticket *ticket,
                         enum glc_breaker_outcome outcome)
{
    struct breaker *b;

    if (!ticket->admitted)
        return;
    ticket->admitted = 0;
    b = &set->b[ticket->breaker];
    if (release_fast(b, ticket, outcome))
        return;
    pthread_mutex_lock(&b->lock);
    release_locked(set, b, ticket, outcome);
    pthread_mutex_unlock(&b->lock);
}

/* --- operator actions and resumed state ----------------------------------------------------- */

enum glc_breaker_state glc_breaker_force(struct glc_breaker_set *set, unsigned idx,
                                         enum glc_breaker_force action)
{
    static const enum glc_breaker_cause causes[] = {
        [GLC_FORCE_OPEN] = GLC_CAUSE_FORCED_OPEN, [GLC_FORCE_CLOSE] = GLC_CAUSE_FORCED_CLOSE,
        [GLC_FORCE_RESET] = GLC_CAUSE_FORCED_RESET,
    };
    struct breaker *b = &set->b[idx];
    enum glc_breaker_state to = action == GLC_FORCE_OPEN ? GLC_BREAKER_OPEN : GLC_BREAKER_CLOSED;
    uint64_t now_ns = set->clock.mono_ns(set->clock.ctx);
    struct why why = { causes[action], 0, HELD };

    pthread_mutex_lock(&b->lock);
    why.failures = atomic_load_explicit(&b->consecutive_failures, memory_order_relaxed);
    transition(set, b, to, now_ns, why);
    pthread_mutex_unlock(&b->lock);
    return to;
}

int glc_breaker_resume_open(struct glc_breaker_set *set, unsigned idx, uint64_t remaining_ms)
{
    struct breaker *b = &set->b[idx];
    uint64_t now_ns = set->clock.mono_ns(set->clock.ctx);
    struct why why = { GLC_CAUSE_RESUMED, 0, 0 };
    int rc = -1;

    why.open_ns = remaining_ms < b->def->recovery_timeout_ms ? remaining_ms * NS_PER_MS : b->recovery_ns;
    pthread_mutex_lock(&b->lock);
    if (atomic_load_explicit(&b->word, memory_order_relaxed) == WORD(0, GLC_BREAKER_CLOSED)) {
        transition(set, b, GLC_BREAKER_OPEN, now_ns, why);
        rc = 0;
    }
    pthread_mutex_unlock(&b->lock);
    if (rc != 0)
        errno = EBUSY;
    return rc;
}

void glc_breaker_get_stats(struct glc_breaker_set *set, unsigned idx, struct glc_breaker_stats *out)
{
    struct breaker *b = &set->b[idx];
    uint64_t w, until, now;

    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&b->lock);
    w = atomic_load_explicit(&b->word, memory_order_relaxed);
    out->state = WORD_STATE(w);
    out->generation = WORD_GEN(w);
    out->consecutive_failures = atomic_load_explicit(&b->consecutive_failures, memory_order_relaxed);
    out->half_open_successes = b->half_open_successes;
    out->permits_in_flight = b->in_flight;
    out->permits_reclaimed = b->reclaimed;
    out->last_transition_wall_ns = b->last_transition_wall_ns;
    memcpy(out->transitions, b->transitions, sizeof out->transitions);
    for (unsigned i = 0; i < GLC_CALLS_COUNT; i++)
        out->calls[i] = atomic_load_explicit(&b->calls[i], memory_order_relaxed);
    until = atomic_load_explicit(&b->open_until_ns, memory_order_relaxed);
    pthread_mutex_unlock(&b->lock);
    out->held_open = out->state == GLC_BREAKER_OPEN && until == HELD;
    if (out->state == GLC_BREAKER_OPEN && !out->held_open) {
        now = set->clock.mono_ns(set->clock.ctx);
        out->open_remaining_ms = now < until ? (until - now + NS_PER_MS - 1) / NS_PER_MS : 0;
    }
}
