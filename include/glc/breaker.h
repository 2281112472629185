/* SPDX-License-Identifier: MIT */
/**
 * DOC: glc/breaker.h - circuit breakers with permits, generations and an ordered event log
 *
 * A &struct glc_breaker_set holds one breaker per row of a &struct glc_breaker_def table.
 * Each breaker follows the seed's consecutive-count state machine:
 *
 * - CLOSED: every call is admitted. @failure_threshold consecutive failures open the breaker;
 *   a success resets the count.
 * - OPEN: every call is rejected (fail fast) until @recovery_timeout_ms have passed on the
 *   monotonic clock; the next acquire after that moves the breaker to HALF_OPEN (lazily: there
 *   is no timer thread).
 * - HALF_OPEN: at most @half_open_max_calls permits are in flight at once. @success_threshold
 *   successes close the breaker; any failure opens it again. A permit that is never released is
 *   reclaimed once it has been held for the set's permit wait, so it cannot pin the breaker.
 *
 * Every transition starts a new *generation*. glc_breaker_acquire() hands out a ticket carrying
 * the generation it was admitted in; a result released with a ticket from an older generation
 * (or for a reclaimed permit) is counted as "stale" and cannot change the state.
 *
 * Transitions are never reported through callbacks. They are appended, in order and with a
 * set-wide sequence number, to a bounded event log that a consumer drains with
 * glc_breaker_events_drain(), outside any breaker lock.
 *
 * Operators may force a breaker (glc_breaker_force()): *open* holds it open, with no half-open
 * trial, until a *close* or *reset*; *close* and *reset* return it to the closed state with
 * nothing counted. A process that restarts may resume a persisted open state for the time it
 * had left (glc_breaker_resume_open()). Both are transitions like any other, recorded in the
 * event log with a &enum glc_breaker_cause saying why they happened.
 *
 * All functions are thread-safe. Admission in the closed state is a single atomic load.
 */
#ifndef GLC_BREAKER_H
#define GLC_BREAKER_H

#include <stddef.h>
#include <stdint.h>

#include <glc/table.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * enum glc_breaker_state - the three breaker states
 * @GLC_BREAKER_CLOSED: calls flow; consecutive failures are counted
 * @GLC_BREAKER_OPEN: calls are rejected until the recovery timeout has passed
 * @GLC_BREAKER_HALF_OPEN: a bounded number of trial calls decide between closed and open
 * @GLC_BREAKER_STATE_COUNT: number of states (for arrays)
 */
enum glc_breaker_state {
    GLC_BREAKER_CLOSED = 0,
    GLC_BREAKER_OPEN = 1,
    GLC_BREAKER_HALF_OPEN = 2,
    GLC_BREAKER_STATE_COUNT = 3
};

/**
 * enum glc_breaker_outcome - what happened to an admitted call
 * @GLC_OUTCOME_SUCCESS: the call succeeded
 * @GLC_OUTCOME_FAILURE: the call failed (timeout, connection error, 5xx, ...)
 * @GLC_OUTCOME_NOT_EXECUTED: the call was admitted but never made; the permit is returned and
 *                            the state is not affected
 */
enum glc_breaker_outcome {
    GLC_OUTCOME_SUCCESS = 0,
    GLC_OUTCOME_FAILURE = 1,
    GLC_OUTCOME_NOT_EXECUTED = 2
};

/**
 * enum glc_breaker_calls - call counters kept per breaker (the ``outcome`` metric label)
 * @GLC_CALLS_SUCCESS: released with SUCCESS in the generation it was admitted in
 * @GLC_CALLS_FAILURE: released with FAILURE in the generation it was admitted in
 * @GLC_CALLS_REJECTED: not admitted (open, or half-open with no permit left)
 * @GLC_CALLS_STALE: released with SUCCESS or FAILURE after its generation ended, or after its
 *                   permit was reclaimed; counted only
 * @GLC_CALLS_NOT_EXECUTED: released with NOT_EXECUTED
 * @GLC_CALLS_COUNT: number of counters (for arrays)
 */
enum glc_breaker_calls {
    GLC_CALLS_SUCCESS = 0,
    GLC_CALLS_FAILURE,
    GLC_CALLS_REJECTED,
    GLC_CALLS_STALE,
    GLC_CALLS_NOT_EXECUTED,
    GLC_CALLS_COUNT
};

/**
 * enum glc_breaker_cause - why a transition happened (&glc_breaker_event.cause)
 * @GLC_CAUSE_CALLS: the state machine itself: call outcomes or the end of the open period
 * @GLC_CAUSE_FORCED_OPEN: glc_breaker_force() with %GLC_FORCE_OPEN
 * @GLC_CAUSE_FORCED_CLOSE: glc_breaker_force() with %GLC_FORCE_CLOSE
 * @GLC_CAUSE_FORCED_RESET: glc_breaker_force() with %GLC_FORCE_RESET
 * @GLC_CAUSE_RESUMED: glc_breaker_resume_open(), an open state carried over from a previous run
 * @GLC_CAUSE_COUNT: number of causes (for arrays)
 */
enum glc_breaker_cause {
    GLC_CAUSE_CALLS = 0,
    GLC_CAUSE_FORCED_OPEN,
    GLC_CAUSE_FORCED_CLOSE,
    GLC_CAUSE_FORCED_RESET,
    GLC_CAUSE_RESUMED,
    GLC_CAUSE_COUNT
};

/**
 * enum glc_breaker_force - operator actions for glc_breaker_force()
 * @GLC_FORCE_OPEN: open now and hold open: every call is rejected and no half-open trial is
 *                  made until a %GLC_FORCE_CLOSE or %GLC_FORCE_RESET
 * @GLC_FORCE_CLOSE: close now (from any state, ending a hold); failures count from zero
 * @GLC_FORCE_RESET: back to the initial state: closed, nothing counted, no permits, no hold.
 *                   The resulting state is the one %GLC_FORCE_CLOSE gives; the event records
 *                   which one the operator meant
 */
enum glc_breaker_force {
    GLC_FORCE_OPEN = 0,
    GLC_FORCE_CLOSE,
    GLC_FORCE_RESET
};

/**
 * struct glc_breaker_clock - injectable time source
 * @mono_ns: monotonic nanoseconds; used for every deadline
 * @wall_ns: wall-clock nanoseconds since the Unix epoch; used only for display and persistence
 * @ctx: passed to both functions
 *
 * Tests inject a fake clock to step time deterministically.
 */
struct glc_breaker_clock {
    uint64_t (*mono_ns)(void *ctx);
    int64_t (*wall_ns)(void *ctx);
    void *ctx;
};

/**
 * struct glc_breaker_set_opts - optional settings for glc_breaker_set_new()
 * @clock: time source, copied; NULL selects CLOCK_MONOTONIC and CLOCK_REALTIME
 * @permit_max_wait_ms: how long a half-open permit may be held before it is reclaimed;
 *                      0 selects each breaker's own @recovery_timeout_ms
 * @event_capacity: size of the transition event log; 0 selects 1024. When full, the oldest
 *                  event is overwritten and counted by glc_breaker_events_dropped()
 */
struct glc_breaker_set_opts {
    const struct glc_breaker_clock *clock;
    unsigned long permit_max_wait_ms;
    unsigned event_capacity;
};

/**
 * struct glc_breaker_ticket - the result of glc_breaker_acquire()
 * @generation: generation the call was admitted in
 * @permit: non-zero id of the half-open permit held by this call, 0 if none
 * @breaker: index of the breaker in its set
 * @slot: permit slot (meaningful only when @permit is non-zero)
 * @admitted: 1 if the call may proceed; 0 if it was rejected (fail fast)
 *
 * Release every admitted ticket exactly once with glc_breaker_release(). Releasing a rejected
 * or already released ticket is a no-op.
 */
struct glc_breaker_ticket {
    uint64_t generation;
    uint64_t permit;
    unsigned breaker;
    unsigned slot;
    int admitted;
};

/**
 * struct glc_breaker_event - one state transition, as recorded in the event log
 * @seq: set-wide sequence number, starting at 1, strictly increasing
 * @breaker: index of the breaker
 * @from: state left
 * @to: state entered
 * @generation: generation entered
 * @mono_ns: monotonic time of the transition
 * @wall_ns: wall-clock time of the transition (ns since the epoch)
 * @cause: why it happened
 * @failure_count: failures that caused it: the consecutive failures that opened a closed
 *                 breaker, 1 for a failed half-open trial; for a forced transition, the
 *                 failures counted when it was forced; else 0
 * @open_ms: entering OPEN: the time until half-open trials may start (the recovery timeout,
 *           or what was left of it when resumed); 0 when held open or not entering OPEN
 */
struct glc_breaker_event {
    uint64_t seq;
    unsigned breaker;
    enum glc_breaker_state from;
    enum glc_breaker_state to;
    uint64_t generation;
    uint64_t mono_ns;
    int64_t wall_ns;
    enum glc_breaker_cause cause;
    unsigned failure_count;
    uint64_t open_ms;
};

/**
 * struct glc_breaker_stats - a consistent snapshot of one breaker
 * @state: current state (as last transitioned; an expired open state is still reported open
 *         until the next acquire)
 * @generation: current generation
 * @consecutive_failures: failures counted towards opening (closed state)
 * @half_open_successes: successes counted towards closing (half-open state)
 * @permits_in_flight: half-open permits currently held
 * @open_remaining_ms: while open, the time left until half-open becomes possible, else 0
 *                     (also 0 while held open)
 * @held_open: 1 while held open by glc_breaker_force() with %GLC_FORCE_OPEN
 * @calls: counters indexed by &enum glc_breaker_calls
 * @transitions: transition counters indexed [from][to]
 * @permits_reclaimed: half-open permits reclaimed because they were held too long
 * @last_transition_wall_ns: wall-clock time of the last transition, 0 if none yet
 */
struct glc_breaker_stats {
    enum glc_breaker_state state;
    uint64_t generation;
    unsigned consecutive_failures;
    unsigned half_open_successes;
    unsigned permits_in_flight;
    uint64_t open_remaining_ms;
    int held_open;
    uint64_t calls[GLC_CALLS_COUNT];
    uint64_t transitions[GLC_BREAKER_STATE_COUNT][GLC_BREAKER_STATE_COUNT];
    uint64_t permits_reclaimed;
    int64_t last_transition_wall_ns;
};

struct glc_breaker_set;

/**
 * glc_breaker_def_check() - validate one table row
 * @def: the row
 *
 * Return: NULL if valid, otherwise a static message naming the offending field.
 */
const char *glc_breaker_def_check(const struct glc_breaker_def *def);

/**
 * glc_breaker_set_new() - create a set of closed breakers from a table
 * @defs: table rows; must outlive the set (the generated table is static)
 * @count: number of rows
 * @opts: optional settings, may be NULL
 *
 * Return: the set, or NULL with errno set (EINVAL for an invalid row or duplicate name,
 * ENOMEM).
 */
struct glc_breaker_set *glc_breaker_set_new(const struct glc_breaker_def *defs, unsigned count,
                                            const struct glc_breaker_set_opts *opts);

/**
 * glc_breaker_set_free() - destroy a set; NULL is allowed
 * @set: the set; no other thread may be using it
 */
void glc_breaker_set_free(struct glc_breaker_set *set);

/**
 * glc_breaker_set_count() - number of breakers in a set
 * @set: the set
 *
 * Return: the count given to glc_breaker_set_new().
 */
unsigned glc_breaker_set_count(const struct glc_breaker_set *set);

/**
 * glc_breaker_set_def() - the table row of a breaker
 * @set: the set
 * @idx: breaker index, < glc_breaker_set_count()
 *
 * Return: the row.
 */
const struct glc_breaker_def *glc_breaker_set_def(const struct glc_breaker_set *set, unsigned idx);

/**
 * glc_breaker_set_find() - look a breaker up by name
 * @set: the set
 * @name: breaker name
 *
 * Return: its index, or -1 if there is none.
 */
int glc_breaker_set_find(const struct glc_breaker_set *set, const char *name);

/**
 * glc_breaker_acquire() - ask permission to make a call
 * @set: the set
 * @idx: breaker index
 *
 * Closed: always admitted. Open: rejected until the recovery timeout has passed, then the
 * breaker moves to half-open. Half-open: admitted with a permit while fewer than
 * @half_open_max_calls permits are held (expired permits are reclaimed first).
 * Reads the clock at most once, and not at all in the closed state.
 *
 * Return: a ticket; check &glc_breaker_ticket.admitted.
 */
struct glc_breaker_ticket glc_breaker_acquire(struct glc_breaker_set *set, unsigned idx);

/**
 * glc_breaker_release() - report the outcome of an admitted call
 * @set: the set
 * @ticket: the ticket from glc_breaker_acquire(); marked released on return
 * @outcome: what happened
 *
 * Returns the permit (if any) and applies the outcome to the state machine, unless the ticket
 * is stale, in which case the outcome is only counted.
 */
void glc_breaker_release(struct glc_breaker_set *set, struct glc_breaker_ticket *ticket,
                         enum glc_breaker_outcome outcome);

/**
 * glc_breaker_force() - an operator action: open (and hold), close or reset a breaker
 * @set: the set
 * @idx: breaker index
 * @action: what to do, see &enum glc_breaker_force
 *
 * Always records one event (cause %GLC_CAUSE_FORCED_*) and starts a new generation, even when
 * the state does not change (e.g. closing a closed breaker), so every action is on record and
 * results of calls admitted before it count as stale.
 *
 * Return: the state entered.
 */
enum glc_breaker_state glc_breaker_force(struct glc_breaker_set *set, unsigned idx,
                                         enum glc_breaker_force action);

/**
 * glc_breaker_resume_open() - carry an open state over from a previous run
 * @set: the set
 * @idx: breaker index
 * @remaining_ms: how long the breaker still had to stay open; clamped to the breaker's
 *                @recovery_timeout_ms
 *
 * Only a breaker that has never transitioned (closed, generation 0: just created) is
 * resumed; the event has cause %GLC_CAUSE_RESUMED.
 *
 * Return: 0 if the breaker is now open, -1 (errno EBUSY) if it had already transitioned.
 */
int glc_breaker_resume_open(struct glc_breaker_set *set, unsigned idx, uint64_t remaining_ms);

/**
 * glc_breaker_cause_name() - spelling of a cause, as stored in event_type columns
 * @cause: the cause
 *
 * Return: "state_change", "forced_open", "forced_close", "forced_reset" or "resumed_open"
 * ("unknown" for anything else).
 */
const char *glc_breaker_cause_name(enum glc_breaker_cause cause);

/**
 * glc_breaker_get_stats() - take a consistent snapshot of one breaker
 * @set: the set
 * @idx: breaker index
 * @out: filled in
 */
void glc_breaker_get_stats(struct glc_breaker_set *set, unsigned idx, struct glc_breaker_stats *out);

/**
 * glc_breaker_events_drain() - take recorded transitions, oldest first
 * @set: the set
 * @out: destination array
 * @max: capacity of @out
 *
 * Return: the number of events copied; they are removed from the log. A gap in
 * &glc_breaker_event.seq means events were overwritten because nobody drained them in time.
 */
size_t glc_breaker_events_drain(struct glc_breaker_set *set, struct glc_breaker_event *out, size_t max);

/**
 * glc_breaker_events_wait() - wait until the event log is non-empty
 * @set: the set
 * @timeout_ms: maximum wait
 *
 * Return: 1 if events are pending, 0 on timeout.
 */
int glc_breaker_events_wait(struct glc_breaker_set *set, unsigned timeout_ms);

/**
 * glc_breaker_events_dropped() - events overwritten before being drained
 * @set: the set
 *
 * Return: the number of events lost so far.
 */
uint64_t glc_breaker_events_dropped(struct glc_breaker_set *set);

/**
 * glc_breaker_state_name() - metric/JSON spelling of a state
 * @state: the state
 *
 * Return: "closed", "open" or "half_open" ("unknown" for anything else).
 */
const char *glc_breaker_state_name(enum glc_breaker_state state);

/**
 * glc_breaker_calls_name() - metric spelling of a call counter
 * @calls: the counter
 *
 * Return: "success", "failure", "rejected", "stale" or "not_executed".
 */
const char *glc_breaker_calls_name(enum glc_breaker_calls calls);

#ifdef __cplusplus
}
#endif

#endif /* GLC_BREAKER_H */
