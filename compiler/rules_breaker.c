/*
 * rules_breaker.c — circuit breaker rules (GLC170–GLC174).
 *
 * GLC170–GLC172 read resilience_config.yaml alone; GLC173 and GLC174 join it
 * with the readiness probe of kubernetes_config.yaml and are skipped when
 * either file is missing (check.c reports GLC014 then).
 *
 * There can be 100,000 breakers, so every rule is linear: names are found
 * through an open-addressing hash set built once per run, never by a scan.
 */
#include "glc.h"

#include <string.h>

/* ---- a string set: open addressing, linear probing, built in the arena ---- */

struct strset {
    const char *const *keys; /* the strings, by index */
    uint32_t *slot;          /* index + 1, or 0 when empty */
    size_t mask;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static void set_init(struct glc_arena *a, struct strset *t, const char *const *keys, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    t->keys = keys;
    t->slot = glc_alloc(a, cap * sizeof *t->slot);
    t->mask = cap - 1;
}

/* The slot holding `key`, or the empty slot where it belongs. */
static uint32_t *set_find(const struct strset *t, const char *key)
{
    size_t i = (size_t)hash(key) & t->mask;
    while (t->slot[i] && strcmp(t->keys[t->slot[i] - 1], key))
        i = (i + 1) & t->mask;
    return &t->slot[i];
}

/* Index of `key`, or -1. */
static long set_get(const struct strset *t, const char *key)
{
    uint32_t s = *set_find(t, key);
    return s ? (long)s - 1 : -1;
}

/* Insert key index i; returns the index already holding the same key, or -1. */
static long set_add(struct strset *t, size_t i)
{
    uint32_t *s = set_find(t, t->keys[i]);
    if (*s)
        return (long)*s - 1;
    *s = (uint32_t)i + 1;
    return -1;
}

/* ---- helpers ---- */

static const char *bkey(struct glc_ctx *cx, const struct glc_breaker *b, const char *field)
{
    return glc_sprintf(cx->arena, "circuit_breaker.services.%s.%s", b->name, field);
}

/* The suffix of the generated enum constant GLC_BREAKER_<IDENT>. */
static char *c_ident(struct glc_arena *a, const char *name)
{
    size_t n = strlen(name);
    char *s = glc_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        s[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A')
               : (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c
                                                                  : '_';
    }
    return s;
}

/* ---- resilience_config.yaml alone ---- */

/* GLC170: half-open admits half_open_max_calls trials; closing needs success_threshold. */
static void check_never_closes(struct glc_ctx *cx, const struct glc_breaker *b)
{
    int64_t need = b->success_threshold.v, trials = b->half_open_max_calls.v;
    if (need <= trials)
        return;
    struct glc_diag *d = glc_report(cx, "GLC170", b->success_threshold.at, bkey(cx, b, "success_threshold"),
                                    "breaker '%s' needs %lld successful trial calls to close but admits only "
                                    "%lld while half-open",
                                    b->name, (long long)need, (long long)trials);
    glc_note(cx, d, "half-open lets at most half_open_max_calls (%lld) calls through, so it never sees %lld "
                    "successes: the breaker stays open or half-open forever",
             (long long)trials, (long long)need);
    glc_related(cx, d, b->half_open_max_calls.at, "half_open_max_calls is %lld", (long long)trials);
    glc_help(cx, d, "lower success_threshold to %lld, or raise half_open_max_calls to %lld", (long long)trials,
             (long long)need);
}

/* GLC171: GLC_BREAKER_<NAME> must be unique and not the GLC_BREAKER_COUNT sentinel. */
static void check_identifiers(struct glc_ctx *cx, const struct glc_resilience *r)
{
    size_t n = r->nbreakers;
    const char **ids = glc_alloc(cx->arena, (n + 1) * sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = c_ident(cx->arena, r->breakers[i].name);
    ids[n] = "COUNT";
    struct strset t;
    set_init(cx->arena, &t, ids, n + 1);
    set_add(&t, n);
    for (size_t i = 0; i < n; i++) {
        long j = set_add(&t, i);
        if (j < 0)
            continue;
        const struct glc_breaker *b = &r->breakers[i];
        struct glc_diag *d;
        if ((size_t)j == n) {
            d = glc_report(cx, "GLC171", b->at, glc_sprintf(cx->arena, "circuit_breaker.services.%s", b->name),
                           "breaker '%s' becomes GLC_BREAKER_%s, the generated constant that counts the breakers",
                           b->name, ids[i]);
            glc_note(cx, d, "c/glc_breakers.h declares GLC_BREAKER_<NAME> for each breaker, then "
                            "GLC_BREAKER_COUNT; the two would clash and the table would not compile");
        } else {
            d = glc_report(cx, "GLC171", b->at, glc_sprintf(cx->arena, "circuit_breaker.services.%s", b->name),
                           "breakers '%s' and '%s' both become GLC_BREAKER_%s", r->breakers[j].name, b->name,
                           ids[i]);
            glc_related(cx, d, r->breakers[j].at, "'%s' is defined here", r->breakers[j].name);
        }
        glc_help(cx, d, "rename breaker '%s', e.g. to '%s_svc'", b->name, b->name);
    }
}

/* GLC172: alerts need somewhere to go, and channels need alerts to carry. */
static void check_alerts(struct glc_ctx *cx, const struct glc_resilience *r)
{
    const glc_bool *open = &r->monitoring.alert_on_open, *close = &r->monitoring.alert_on_close;
    const char *p = "circuit_breaker.monitoring";
    if (r->monitoring.nchannels == 0) {
        /* Defaults alone (alerts on, no channels) are not a choice the user made. */
        const glc_bool *on = open->set && open->v ? open : close->set && close->v ? close : NULL;
        if (!on)
            return;
        const char *what = on == open ? "alert_on_open" : "alert_on_close";
        struct glc_diag *d = glc_report(cx, "GLC172", on->at, glc_sprintf(cx->arena, "%s.%s", p, what),
                                        "%s is true but alert_channels is empty: alerts are enabled but go "
                                        "nowhere", what);
        glc_note(cx, d, "the runtime sends breaker alerts only to the listed channels "
                        "(slack: GLC_SLACK_WEBHOOK_URL, pagerduty: GLC_PAGERDUTY_ROUTING_KEY)");
        glc_help(cx, d, "add alert_channels: [slack] or [pagerduty], or set %s: false", what);
        return;
    }
    if (open->v || close->v)
        return;
    struct glc_diag *d = glc_report(cx, "GLC172", r->monitoring.channels_at, glc_sprintf(cx->arena,
                                    "%s.alert_channels", p),
                                    "alert_channels lists %zu channel%s but alert_on_open and alert_on_close "
                                    "are both false: nothing is ever sent",
                                    r->monitoring.nchannels, r->monitoring.nchannels == 1 ? "" : "s");
    glc_related(cx, d, open->at, "alert_on_open is false");
    glc_help(cx, d, "set alert_on_open: true, or remove alert_channels");
}

/* ---- cross-file: readiness dependencies and their breakers ---- */

/* GLC173: a readiness dependency needs a breaker the runtime can check. */
static const struct glc_breaker *check_dependency(struct glc_ctx *cx, const struct glc_k8s *k,
                                                  const struct glc_resilience *r, const struct strset *names,
                                                  size_t i)
{
    const char *dep = k->readiness_deps.names[i];
    struct glc_loc at = k->readiness_deps.at[i];
    const char *path = "kubernetes.health_checks.readiness.dependencies";
    long j = set_get(names, dep);
    if (j < 0) {
        struct glc_diag *d = glc_report(cx, "GLC173", at, path,
                                        "readiness depends on '%s' but resilience_config.yaml has no breaker '%s'",
                                        dep, dep);
        glc_note(cx, d, "/health/ready reports each dependency through its breaker; without one the "
                        "runtime cannot check '%s'", dep);
        if (!k->readiness_deps.set)
            glc_note(cx, d, "readiness.dependencies is not written, so it defaults to [database, redis, kafka]");
        glc_related(cx, d, r->services_at, "breakers are defined here");
        /* Levenshtein over every name: bounded so 100,000 breakers stay linear and fast. */
        const char *near = r->nbreakers <= 256 ? glc_suggest(dep, names->keys, r->nbreakers) : NULL;
        if (near)
            glc_help(cx, d, "did you mean '%s'? otherwise add a breaker '%s' under circuit_breaker.services, "
                            "or remove '%s' from readiness.dependencies", near, dep, dep);
        else
            glc_help(cx, d, "add a breaker '%s' under circuit_breaker.services, or remove '%s' from "
                            "readiness.dependencies", dep, dep);
        return NULL;
    }
    const struct glc_breaker *b = &r->breakers[j];
    if (b->check.v == GLC_CHECK_NONE) {
        struct glc_diag *d = glc_report(cx, "GLC173", at, path,
                                        "readiness depends on '%s' but its breaker has no check kind", dep);
        glc_note(cx, d, "the runtime checks a dependency with its breaker's check (postgres, redis or "
                        "kafka); %s", b->check.set ? "this one is set to none"
                                                    : "none is set, and none can be inferred from the name");
        glc_related(cx, d, b->check.set ? b->check.at : b->at, "breaker '%s' is defined here", b->name);
        glc_help(cx, d, "set check: postgres, redis or kafka on breaker '%s', or remove '%s' from "
                        "readiness.dependencies", b->name, dep);
    }
    return b;
}

/* GLC174: an open shared breaker fails every pod's readiness at once. */
static void check_open_window(struct glc_ctx *cx, const struct glc_k8s *k, const struct glc_breaker *b,
                              size_t i)
{
    const struct glc_probe *rp = &k->readiness;
    int64_t rw = rp->failure_threshold.v * rp->period.v, open = b->recovery_timeout.v;
    if (open <= rw)
        return;
    struct glc_diag *d = glc_report(cx, "GLC174", b->recovery_timeout.at, bkey(cx, b, "recovery_timeout"),
                                    "an open '%s' breaker keeps every pod unready for %lld s, longer than "
                                    "readiness tolerates (%lld failure%s × %lld s = %lld s)",
                                    b->name, (long long)open, (long long)rp->failure_threshold.v,
                                    rp->failure_threshold.v == 1 ? "" : "s", (long long)rp->period.v, (long long)rw);
    glc_note(cx, d, "'%s' is shared by all pods, so its breaker opens on all of them together and every "
                    "/health/ready fails at once: a short blip becomes a %lld s outage",
             b->name, (long long)open);
    if (rp->present)
        glc_related(cx, d, rp->at, "readiness probe is here");
    else
        glc_related(cx, d, rp->at, "readiness probe is not written: it takes the defaults");
    if (k->readiness_deps.at[i].line != rp->at.line || k->readiness_deps.at[i].file != rp->at.file)
        glc_related(cx, d, k->readiness_deps.at[i], "'%s' gates readiness here", b->name);
    glc_help(cx, d, "lower recovery_timeout to %lld or less, or remove '%s' from readiness.dependencies if "
                    "pods can serve without it",
             (long long)rw, b->name);
}

void glc_check_breaker(struct glc_ctx *cx, const struct glc_capacity *cap)
{
    (void)cap;
    const struct glc_resilience *r = cx->model.res;
    if (!r)
        return;
    for (size_t i = 0; i < r->nbreakers; i++)
        check_never_closes(cx, &r->breakers[i]);
    check_identifiers(cx, r);
    check_alerts(cx, r);

    const struct glc_k8s *k = cx->model.k8s;
    if (!k || k->readiness_deps.n == 0)
        return;
    const char **names = glc_alloc(cx->arena, (r->nbreakers + 1) * sizeof *names);
    for (size_t i = 0; i < r->nbreakers; i++)
        names[i] = r->breakers[i].name;
    struct strset t;
    set_init(cx->arena, &t, names, r->nbreakers);
    for (size_t i = 0; i < r->nbreakers; i++)
        set_add(&t, i);
    for (size_t i = 0; i < k->readiness_deps.n; i++) {
        const struct glc_breaker *b = check_dependency(cx, k, r, &t, i);
        if (b)
            check_open_window(cx, k, b, i);
    }
}
