/*
 * rules_lb.c — load balancer rules (GLC160–GLC163): the NLB target group
 * against the pods' termination, readiness probe and zone spread.
 *
 * Values are schema-bounded (delays ≤ 3600 s, interval ≤ 300 s, thresholds
 * ≤ 10 for the NLB and ≤ 100000 for probes), so products fit in int64.
 */
#include "glc.h"

#include <string.h>

/* GLC160: the pod must outlive the NLB's draining of it. */
static void check_deregistration(struct glc_ctx *cx, const struct glc_k8s *k)
{
    int64_t dereg = k->lb.deregistration_delay.v, grace = k->deployment.termination_grace_period.v;
    if (dereg < grace)
        return;
    struct glc_diag *d = glc_report(cx, "GLC160", k->lb.deregistration_delay.at,
                                    "kubernetes.load_balancer.deregistration_delay",
                                    "NLB drains a pod for %lld s but Kubernetes kills it after %lld s",
                                    (long long)dereg, (long long)grace);
    glc_note(cx, d, "the target stays 'draining' for deregistration_delay (%lld s) after the pod gets "
                    "SIGTERM; termination_grace_period (%lld s) later the kubelet sends SIGKILL, and "
                    "connections the NLB still routes there are reset",
             (long long)dereg, (long long)grace);
    glc_related(cx, d, k->deployment.termination_grace_period.at, "termination_grace_period is %lld s%s",
                (long long)grace, k->deployment.termination_grace_period.set ? "" : " (the default)");
    if (grace > 0)
        glc_help(cx, d, "lower deregistration_delay to %lld or less, or raise "
                        "deployment.termination_grace_period to %lld or more",
                 (long long)(grace - 1), (long long)(dereg + 1));
    else
        glc_help(cx, d, "raise deployment.termination_grace_period to %lld or more", (long long)(dereg + 1));
}

/* GLC161: the NLB must check what readiness checks. */
static void check_health_path(struct glc_ctx *cx, const struct glc_k8s *k)
{
    if (!k->lb.health_check_path.set || !strcmp(k->lb.health_check_path.v, k->readiness.path.v))
        return;
    struct glc_diag *d = glc_report(cx, "GLC161", k->lb.health_check_path.at,
                                    "kubernetes.load_balancer.health_check_path",
                                    "NLB health check path '%s' is not the readiness path '%s'",
                                    k->lb.health_check_path.v, k->readiness.path.v);
    glc_note(cx, d, "the NLB and Kubernetes then disagree about which pods can take traffic: "
                    "an unready pod keeps receiving NLB connections, or a ready one gets none");
    glc_related(cx, d, k->readiness.path.at, "readiness path is %s%s", k->readiness.path.v,
                k->readiness.path.set ? "" : " (the default)");
    glc_help(cx, d, "set health_check_path to %s, or remove it (it defaults to the readiness path)",
             k->readiness.path.v);
}

/* GLC162: with cross-zone off, each zone's NLB node serves only its zone's pods. */
static void check_cross_zone(struct glc_ctx *cx, const struct glc_k8s *k)
{
    if (k->lb.cross_zone.v || k->cluster.nzones == 0)
        return;
    const struct glc_zone *lo = &k->cluster.zones[0], *hi = lo;
    for (size_t i = 1; i < k->cluster.nzones; i++) {
        const struct glc_zone *z = &k->cluster.zones[i];
        if (z->pods < lo->pods)
            lo = z;
        if (z->pods > hi->pods)
            hi = z;
    }
    int64_t nlo = lo->pods, nhi = hi->pods;
    if (nlo == nhi && nlo > 0)
        return;
    size_t nz = k->cluster.nzones;
    struct glc_diag *d;
    if (nlo <= 0) {
        d = glc_report(cx, "GLC162", k->lb.cross_zone.at, "kubernetes.load_balancer.cross_zone",
                       "cross-zone load balancing is off but zone %s has no pods", lo->name);
        glc_note(cx, d, "each zone's NLB node sends only to targets in its own zone; the %s node "
                        "has none, so its share of clients (1/%zu) cannot be served",
                 lo->name, nz);
    } else {
        d = glc_report(cx, "GLC162", k->lb.cross_zone.at, "kubernetes.load_balancer.cross_zone",
                       "cross-zone load balancing is off but zones hold %lld (%s) to %lld (%s) pods",
                       (long long)nlo, lo->name, (long long)nhi, hi->name);
        glc_note(cx, d, "each zone's NLB node gets 1/%zu of the traffic and sends it only to its own "
                        "zone: a pod in %s serves %.0f%% of all traffic, a pod in %s %.0f%% (%.1f×)",
                 nz, lo->name, 100.0 / (double)(nz * (size_t)nlo), hi->name, 100.0 / (double)(nz * (size_t)nhi),
                 (double)nhi / (double)nlo);
    }
    glc_related(cx, d, k->deployment.dist_at, "replica distribution is here");
    int64_t reps = k->deployment.replicas.v;
    if (reps > 0 && reps % (int64_t)nz == 0)
        glc_help(cx, d, "set cross_zone: true, or spread the replicas evenly (%lld per zone)",
                 (long long)(reps / (int64_t)nz));
    else {
        int64_t even = (reps + (int64_t)nz - 1) / (int64_t)nz;
        if (even < 1)
            even = 1;
        glc_help(cx, d, "set cross_zone: true, or spread the replicas evenly (e.g. %lld replicas, %lld per zone)",
                 (long long)(even * (int64_t)nz), (long long)even);
    }
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Help for GLC163: an interval (keeping, else resetting, unhealthy_threshold) within 3× of rw. */
static void help_health_window(struct glc_ctx *cx, struct glc_diag *d, int64_t rw, int64_t iv, int64_t un)
{
    const int64_t tries[] = {un, 2};
    for (size_t i = 0; i < 2; i++) {
        int64_t u = tries[i], want = clamp((rw + u / 2) / u, 5, 300);
        if (want * u > 3 * rw || rw > 3 * want * u)
            continue;
        if (u == un)
            glc_help(cx, d, "set health_check_interval to %lld (%lld × %lld = %lld s)", (long long)want,
                     (long long)want, (long long)u, (long long)(want * u));
        else
            glc_help(cx, d, "set health_check_interval to %lld and unhealthy_threshold to %lld (%lld × %lld = %lld s)",
                     (long long)want, (long long)u, (long long)want, (long long)u, (long long)(want * u));
        return;
    }
    glc_help(cx, d, "bring readiness failure_threshold × period within %lld–%lld s", (long long)((iv * un + 2) / 3),
             (long long)(3 * iv * un));
}

/* GLC163: the NLB and readiness should mark a pod down in the same order of time. */
static void check_health_window(struct glc_ctx *cx, const struct glc_k8s *k)
{
    const struct glc_probe *r = &k->readiness;
    int64_t iv = k->lb.health_check_interval.v, un = k->lb.unhealthy_threshold.v;
    int64_t nlb = iv * un, rw = r->failure_threshold.v * r->period.v;
    if (nlb <= 3 * rw && rw <= 3 * nlb)
        return;
    struct glc_diag *d = glc_report(cx, "GLC163", k->lb.health_check_interval.at,
                                    "kubernetes.load_balancer.health_check_interval",
                                    nlb > rw ? "NLB takes %lld s to mark a pod down, more than 3× the readiness "
                                               "probe's %lld s"
                                             : "NLB marks a pod down after %lld s, less than a third of the "
                                               "readiness probe's %lld s",
                                    (long long)nlb, (long long)rw);
    glc_note(cx, d, "NLB: %lld s interval × %lld unhealthy checks = %lld s; readiness: failure_threshold %lld × "
                    "period %lld s = %lld s",
             (long long)iv, (long long)un, (long long)nlb, (long long)r->failure_threshold.v,
             (long long)r->period.v, (long long)rw);
    if (nlb > rw)
        glc_note(cx, d, "for up to %lld s the NLB keeps sending new connections to a pod Kubernetes has "
                        "already marked unready", (long long)(nlb - rw));
    else
        glc_note(cx, d, "for up to %lld s the NLB sends nothing to a pod Kubernetes still counts as ready",
                 (long long)(rw - nlb));
    if (r->present)
        glc_related(cx, d, r->at, "readiness probe is here");
    else
        glc_related(cx, d, r->at, "readiness probe is not written: it takes the defaults");
    help_health_window(cx, d, rw, iv, un);
}

void glc_check_lb(struct glc_ctx *cx, const struct glc_capacity *cap)
{
    (void)cap;
    const struct glc_k8s *k = cx->model.k8s;
    if (!k)
        return;
    check_deregistration(cx, k);
    check_health_path(cx, k);
    check_cross_zone(cx, k);
    check_health_window(cx, k);
}
