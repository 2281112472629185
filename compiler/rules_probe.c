/*
 * rules_probe.c — probe rules (GLC150–GLC154) and app rules (GLC180, GLC181).
 *
 * The three probes are always checked: a probe that is not written in the
 * config takes the schema's defaults and is still emitted, so its values are
 * as real as written ones. A defaulted value points at its probe's key.
 *
 * Every window here is "failure_threshold × period" seconds: how long a probe
 * keeps failing before the kubelet acts. All values are schema-bounded
 * (thresholds ≤ 100000, periods and delays ≤ 3600), so products fit in int64.
 */
#include "glc.h"

#include <string.h>

static const char *key(struct glc_ctx *cx, const struct glc_probe *p, const char *field)
{
    return glc_sprintf(cx->arena, "kubernetes.health_checks.%s.%s", p->kind, field);
}

static int64_t window(const struct glc_probe *p)
{
    return p->failure_threshold.v * p->period.v;
}

/* The endpoint bin/<app>-runtime serves for each probe kind. */
static const char *endpoint(const struct glc_probe *p)
{
    return !strcmp(p->kind, "liveness")    ? "/health/live"
           : !strcmp(p->kind, "readiness") ? "/health/ready"
                                           : "/health/startup";
}

/* The probe kind whose endpoint is `path`, or NULL when the runtime serves no such path. */
static const char *served_by(const char *path)
{
    return !strcmp(path, "/health/live")      ? "liveness"
           : !strcmp(path, "/health/ready")   ? "readiness"
           : !strcmp(path, "/health/startup") ? "startup"
                                              : NULL;
}

/* GLC150: timeout >= period stretches the period and slows failure detection. */
static void check_timeout(struct glc_ctx *cx, const struct glc_probe *p)
{
    if (p->timeout.v < p->period.v)
        return;
    bool on_timeout = p->timeout.set || !p->period.set;
    struct glc_diag *d = glc_report(cx, "GLC150", on_timeout ? p->timeout.at : p->period.at,
                                    key(cx, p, on_timeout ? "timeout" : "period"),
                                    "%s probe timeout (%lld s) is not shorter than its period (%lld s)",
                                    p->kind, (long long)p->timeout.v, (long long)p->period.v);
    glc_note(cx, d, "the kubelet does not start the next probe until this one times out, so the "
                    "period stretches to the timeout and failures are detected later");
    if (p->period.v > 1)
        glc_help(cx, d, "lower %s.timeout to %lld or less, or raise %s.period above %lld", p->kind,
                 (long long)(p->period.v - 1), p->kind, (long long)p->timeout.v);
    else
        glc_help(cx, d, "raise %s.period above %lld", p->kind, (long long)p->timeout.v);
}

/* GLC151: the API server rejects successThreshold != 1 on liveness and startup. */
static void check_success_threshold(struct glc_ctx *cx, const struct glc_probe *p)
{
    if (p->success_threshold.v == 1)
        return;
    struct glc_diag *d = glc_report(cx, "GLC151", p->success_threshold.at, key(cx, p, "success_threshold"),
                                    "%s probe success_threshold is %lld, but Kubernetes requires 1",
                                    p->kind, (long long)p->success_threshold.v);
    glc_note(cx, d, "the API server rejects a %s probe whose successThreshold is not 1", p->kind);
    glc_help(cx, d, "set %s.success_threshold to 1, or remove it", p->kind);
}

/* GLC152: the startup probe must outlast the liveness probe's initial delay. */
static void check_startup_budget(struct glc_ctx *cx, const struct glc_k8s *k)
{
    const struct glc_probe *s = &k->startup, *l = &k->liveness;
    int64_t budget = s->initial_delay.v + s->failure_threshold.v * s->period.v;
    if (budget >= l->initial_delay.v)
        return;
    struct glc_diag *d = glc_report(cx, "GLC152", s->failure_threshold.at,
                                    "kubernetes.health_checks.startup.failure_threshold",
                                    "startup probe gives up after %lld s, before the liveness probe's "
                                    "initial delay of %lld s",
                                    (long long)budget, (long long)l->initial_delay.v);
    glc_note(cx, d, "startup budget: initial_delay %lld s + failure_threshold %lld × period %lld s = %lld s",
             (long long)s->initial_delay.v, (long long)s->failure_threshold.v, (long long)s->period.v,
             (long long)budget);
    glc_note(cx, d, "liveness.initial_delay says the app may take %lld s to start; a pod that "
                    "starts that slowly is killed by the startup probe first",
             (long long)l->initial_delay.v);
    int64_t need = l->initial_delay.v - s->initial_delay.v;
    glc_help(cx, d, "raise startup.failure_threshold to %lld, or lower liveness.initial_delay to %lld",
             (long long)((need + s->period.v - 1) / s->period.v), (long long)budget);
}

/* GLC153: liveness must not fail faster than readiness, nor be the same probe. */
static void check_liveness_vs_readiness(struct glc_ctx *cx, const struct glc_k8s *k)
{
    const struct glc_probe *l = &k->liveness, *r = &k->readiness;
    if (!strcmp(l->path.v, r->path.v)) {
        /* the probe to change: liveness, unless the shared path already is the liveness endpoint */
        bool fix_readiness = !strcmp(l->path.v, "/health/live");
        const struct glc_probe *fix = fix_readiness ? r : l, *other = fix_readiness ? l : r;
        struct glc_diag *d = glc_report(cx, "GLC153", fix->path.at, key(cx, fix, "path"),
                                        "liveness and readiness probes use the same path '%s'", l->path.v);
        glc_note(cx, d, "when the endpoint fails, the pod is restarted instead of only taken out of "
                        "the load balancer, and a dependency outage becomes a restart loop");
        glc_related(cx, d, other->path.at, "%s path is %s%s", other->kind, other->path.v,
                    other->path.set ? "" : " (the default)");
        glc_help(cx, d, "set %s.path to %s", fix->kind, endpoint(fix));
        return;
    }
    int64_t lw = window(l), rw = window(r);
    if (lw >= rw)
        return;
    struct glc_diag *d = glc_report(cx, "GLC153", l->failure_threshold.at,
                                    "kubernetes.health_checks.liveness.failure_threshold",
                                    "liveness probe fails after %lld s, sooner than readiness (%lld s)",
                                    (long long)lw, (long long)rw);
    glc_note(cx, d, "failure_threshold × period: liveness %lld × %lld s = %lld s, readiness %lld × %lld s = %lld s",
             (long long)l->failure_threshold.v, (long long)l->period.v, (long long)lw,
             (long long)r->failure_threshold.v, (long long)r->period.v, (long long)rw);
    glc_note(cx, d, "a pod should be taken out of the load balancer before it is restarted");
    glc_help(cx, d, "raise liveness.failure_threshold to %lld", (long long)((rw + l->period.v - 1) / l->period.v));
}

/* GLC154: each probe must hit its runtime endpoint on app.http_port. */
static void check_endpoint(struct glc_ctx *cx, const struct glc_k8s *k, const struct glc_probe *p)
{
    const char *want = endpoint(p);
    if (strcmp(p->path.v, want)) {
        const char *other = served_by(p->path.v);
        struct glc_diag *d;
        if (other) {
            d = glc_report(cx, "GLC154", p->path.at, key(cx, p, "path"),
                           "%s probe path '%s' is the runtime's %s endpoint, not %s", p->kind, p->path.v, other,
                           want);
            glc_note(cx, d, "%s reports %s, not %s: the %s probe would act on the wrong signal", p->path.v, other,
                     p->kind, p->kind);
        } else {
            d = glc_report(cx, "GLC154", p->path.at, key(cx, p, "path"),
                           "%s probe path '%s' is not served by the runtime", p->kind, p->path.v);
            glc_note(cx, d, "bin/%s-runtime serves /health/live, /health/ready and /health/startup; "
                            "any other path answers 404 and the probe always fails",
                     k->app.name.v);
        }
        glc_help(cx, d, "set %s.path to %s", p->kind, want);
    }
    if (p->port.v != k->app.http_port.v) {
        struct glc_diag *d = glc_report(cx, "GLC154", p->port.at, key(cx, p, "port"),
                                        "%s probe port %lld is not app.http_port (%lld)", p->kind,
                                        (long long)p->port.v, (long long)k->app.http_port.v);
        glc_note(cx, d, "the runtime serves %s only on app.http_port", want);
        glc_related(cx, d, k->app.http_port.at, "app.http_port is %lld%s", (long long)k->app.http_port.v,
                    k->app.http_port.set ? "" : " (the default)");
        glc_help(cx, d, "set %s.port to %lld, or remove it (it defaults to app.http_port)", p->kind,
                 (long long)k->app.http_port.v);
    }
}

/* GLC180: 'latest' is not a pinned image. */
static void check_image_tag(struct glc_ctx *cx, const struct glc_k8s *k)
{
    if (!k->app.version.v || strcmp(k->app.version.v, "latest"))
        return;
    struct glc_diag *d = glc_report(cx, "GLC180", k->app.version.at, "kubernetes.app.version",
                                    "image tag is 'latest': %s:latest is not reproducible", k->app.image.v);
    glc_note(cx, d, "'latest' moves with every push, so two pods of one Deployment can run different "
                    "code and a rollback redeploys whatever 'latest' is now");
    glc_help(cx, d, "pin app.version to a release tag, e.g. v1.0.0");
}

/* GLC181: the API and /metrics need distinct container ports. */
static void check_ports(struct glc_ctx *cx, const struct glc_k8s *k)
{
    if (k->app.http_port.v != k->app.metrics_port.v)
        return;
    struct glc_diag *d = glc_report(cx, "GLC181", k->app.metrics_port.at, "kubernetes.app.metrics_port",
                                    "metrics_port and http_port are both %lld",
                                    (long long)k->app.metrics_port.v);
    glc_note(cx, d, "the runtime listens on each port separately, so the second listener cannot bind");
    glc_related(cx, d, k->app.http_port.at, "http_port is %lld%s", (long long)k->app.http_port.v,
                k->app.http_port.set ? "" : " (the default)");
    glc_help(cx, d, "give metrics_port its own port, e.g. %lld",
             (long long)(k->app.http_port.v == 9090 ? 9091 : 9090));
}

void glc_check_probe(struct glc_ctx *cx, const struct glc_capacity *cap)
{
    (void)cap;
    const struct glc_k8s *k = cx->model.k8s;
    if (!k)
        return;
    const struct glc_probe *probes[] = {&k->liveness, &k->readiness, &k->startup};
    for (size_t i = 0; i < 3; i++)
        check_timeout(cx, probes[i]);
    check_success_threshold(cx, &k->liveness);
    check_success_threshold(cx, &k->startup);
    check_startup_budget(cx, k);
    check_liveness_vs_readiness(cx, k);
    for (size_t i = 0; i < 3; i++)
        check_endpoint(cx, k, probes[i]);
    check_image_tag(cx, k);
    check_ports(cx, k);
}
