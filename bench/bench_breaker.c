/* SPDX-License-Identifier: MIT */
/*
 * bench_breaker: nanoseconds per acquire+release of one closed breaker, uncontended and with
 * 2 threads hammering the same breaker, plus the rejection path of an open breaker.
 * Usage: bench_breaker [iterations-per-thread]   (default 20000000). Not a test.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <glc/breaker.h>

static const struct glc_breaker_def defs[] = {
    { "bench", 5, 60000, 3, 2, GLC_CHECK_NONE, 0 },
    { "tripped", 1, 3600000, 1, 1, GLC_CHECK_NONE, 0 },
};

struct run {
    struct glc_breaker_set *set;
    unsigned idx;
    long iters;
    long admitted;
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *loop(void *arg)
{
    struct run *r = arg;

    for (long i = 0; i < r->iters; i++) {
        struct glc_breaker_ticket t = glc_breaker_acquire(r->set, r->idx);

        r->admitted += t.admitted;
        glc_breaker_release(r->set, &t, GLC_OUTCOME_SUCCESS);
    }
    return NULL;
}

/* Run @nthreads copies of loop() and return ns per acquire+release pair, per thread. */
static double measure(struct glc_breaker_set *set, unsigned idx, int nthreads, long iters)
{
    pthread_t th[2];
    struct run r[2];
    double t0, t1;

    for (int i = 0; i < nthreads; i++)
        r[i] = (struct run){ set, idx, iters, 0 };
    t0 = now_s();
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&th[i], NULL, loop, &r[i]) != 0)
            exit(1);
    for (int i = 0; i < nthreads; i++)
        pthread_join(th[i], NULL);
    t1 = now_s();
    return (t1 - t0) * 1e9 / (double)iters;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 20000000L;
    struct glc_breaker_set *set = glc_breaker_set_new(defs, 2, NULL);
    struct glc_breaker_ticket t;

    if (!set || iters <= 0) {
        fprintf(stderr, "usage: bench_breaker [iterations]\n");
        return 2;
    }
    t = glc_breaker_acquire(set, 1);
    glc_breaker_release(set, &t, GLC_OUTCOME_FAILURE);  /* trip the second breaker */
    measure(set, 0, 1, iters / 10);                     /* warm-up */
    printf("closed, 1 thread : %6.1f ns per acquire+release\n", measure(set, 0, 1, iters));
    printf("closed, 2 threads: %6.1f ns per acquire+release (per thread, same breaker)\n",
           measure(set, 0, 2, iters));
    printf("open (rejected)  : %6.1f ns per acquire (1 thread, reads the clock)\n",
           measure(set, 1, 1, iters));
    glc_breaker_set_free(set);
    return 0;
}
