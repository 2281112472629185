/*
 * rules_autoscale.c — autoscaling and capacity rules (GLC120-GLC129) and
 * requests against limits (GLC140).
 *
 * HPA, VPA and cluster-autoscaler rules run only when their section is
 * enabled. Capacity rules need the node type's EKS allocatable; when the type
 * is unknown (cap->instance == NULL, GLC013 already said so) they are skipped.
 * Sources: ../shared/notes/invariants.md §6.1 (A1, A3, A6-A8) and §6.5 (E1, E2).
 */
#include "glc.h"

#include <inttypes.h>
#include <string.h>

#define HPA "kubernetes.autoscaling.horizontal."
#define VPA "kubernetes.autoscaling.vertical."
#define CA "kubernetes.autoscaling.cluster."
#define REQ "kubernetes.resources.requests."
#define LIM "kubernetes.resources.limits."

static int64_t ceil_div(int64_t a, int64_t b)
{
    return (a + b - 1) / b;
}

static const char *mode_name(enum glc_vpa_mode m)
{
    static const char *const names[] = {"Off", "Initial", "Recreate", "Auto", "InPlaceOrRecreate"};
    return (unsigned)m < sizeof names / sizeof names[0] ? names[m] : "Off";
}

/* Does this VPA mode change the requests of running pods? */
static bool mode_updates_pods(enum glc_vpa_mode m)
{
    return m == GLC_VPA_AUTO || m == GLC_VPA_RECREATE || m == GLC_VPA_INPLACE;
}

/* "3 pods/node: 2000m cpu of 7910m allocatable, 4Gi of 15.0Gi (EKS allocatable for
 * c6i.2xlarge)", or "58 pods/node: max-pods for c6i.2xlarge (...)" when the ENI
 * limit binds. The same wording as the GLC114 surge-capacity note. */
static const char *pods_per_node_note(struct glc_ctx *cx, const struct glc_k8s *k,
                                      const struct glc_capacity *cap)
{
    struct glc_arena *a = cx->arena;
    const struct glc_instance *it = cap->instance;
    const char *unit = cap->pods_per_node == 1 ? "pod/node" : "pods/node";
    if (cap->binding && !strcmp(cap->binding, "max-pods"))
        return glc_sprintf(a, "%" PRId64 " %s: max-pods for %s (%d ENIs x %d pod IPs + 2)",
                           cap->pods_per_node, unit, it->name, it->enis, it->ips_per_eni - 1);
    return glc_sprintf(a, "%" PRId64 " %s: %s cpu of %s allocatable, %s of %s (EKS allocatable for %s)",
                       cap->pods_per_node, unit, glc_fmt_cpu(a, k->resources.req_cpu.v),
                       glc_fmt_cpu(a, cap->alloc.cpu_milli), glc_fmt_bytes(a, k->resources.req_mem.v),
                       glc_fmt_bytes(a, cap->alloc.memory_bytes), it->name);
}

/* "EKS allocatable for c6i.2xlarge: 8000m - 90m kube-reserved = 7910m" */
static const char *alloc_cpu_note(struct glc_ctx *cx, const struct glc_capacity *cap)
{
    struct glc_arena *a = cx->arena;
    return glc_sprintf(a, "EKS allocatable for %s: %d vCPU = %s - %s kube-reserved = %s",
                       cap->instance->name, cap->instance->vcpu,
                       glc_fmt_cpu(a, (int64_t)cap->instance->vcpu * 1000),
                       glc_fmt_cpu(a, cap->alloc.kube_reserved_cpu_milli),
                       glc_fmt_cpu(a, cap->alloc.cpu_milli));
}

/* "EKS allocatable for c6i.2xlarge: 16Gi - 893Mi kube-reserved - 100Mi eviction
 * threshold = 15391Mi" */
static const char *alloc_mem_note(struct glc_ctx *cx, const struct glc_capacity *cap)
{
    struct glc_arena *a = cx->arena;
    return glc_sprintf(a, "EKS allocatable for %s: %s - %s kube-reserved - %s eviction threshold = %s",
                       cap->instance->name,
                       glc_fmt_bytes(a, cap->instance->memory_mib * INT64_C(1048576)),
                       glc_fmt_bytes(a, cap->alloc.kube_reserved_memory_bytes),
                       glc_fmt_bytes(a, cap->alloc.eviction_bytes),
                       glc_k8s_bytes(a, cap->alloc.memory_bytes));
}

/* The smallest instance of the same family (the part before '.') on which one
 * pod with these requests fits; NULL when there is none. */
static const struct glc_instance *larger_instance(const struct glc_instance *cur, int64_t cpu,
                                                  int64_t mem)
{
    size_t n, flen = strcspn(cur->name, ".");
    const struct glc_instance *all = glc_instances(&n), *best = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(all[i].name, cur->name, flen) || all[i].name[flen] != '.')
            continue;
        struct glc_allocatable al;
        glc_allocatable(&all[i], &al);
        if (glc_pods_per_node(&al, cpu, mem, NULL) < 1)
            continue;
        if (!best || all[i].vcpu < best->vcpu ||
            (all[i].vcpu == best->vcpu && all[i].memory_mib < best->memory_mib))
            best = &all[i];
    }
    return best;
}

/* ---- HPA ---- */

/* GLC120: 1 <= min_replicas <= max_replicas (the API server rejects the HPA). */
static void check_hpa_bounds(struct glc_ctx *cx, const struct glc_k8s *k)
{
    int64_t lo = k->hpa.min_replicas.v, hi = k->hpa.max_replicas.v;
    if (lo <= hi)
        return;
    struct glc_diag *d = glc_report(cx, "GLC120", k->hpa.min_replicas.at, HPA "min_replicas",
                                    "HPA min_replicas %" PRId64 " is greater than max_replicas %" PRId64,
                                    lo, hi);
    glc_note(cx, d, "the API server rejects the HorizontalPodAutoscaler: maxReplicas must be "
                    "greater than or equal to minReplicas");
    glc_help(cx, d, "lower min_replicas to %" PRId64 ", or raise max_replicas to %" PRId64, hi, lo);
}

/* GLC121: the HPA's maximum fits on the cluster autoscaler's maximum nodes. */
/* GLC121 without the cluster autoscaler: the node groups are fixed at the
 * size glc gives them (glc_fixed_zone_nodes), so that is the HPA's ceiling. */
static void check_hpa_fixed_capacity(struct glc_ctx *cx, const struct glc_k8s *k,
                                     const struct glc_capacity *cap)
{
    int64_t nodes = 0, ppn = glc_effective_pods_per_node(k, cap);
    for (size_t i = 0; i < k->cluster.nzones; i++)
        nodes += glc_fixed_zone_nodes(k, cap, i);
    int64_t want = k->hpa.max_replicas.v, hold = nodes * ppn;
    if (want <= hold)
        return;
    struct glc_diag *d = glc_report(cx, "GLC121", k->hpa.max_replicas.at, HPA "max_replicas",
                                    "HPA can reach %" PRId64 " pods but the fixed node groups (%" PRId64
                                    " %s nodes, no cluster autoscaler) hold at most %" PRId64,
                                    want, nodes, cap->instance->name, hold);
    glc_note(cx, d, "without autoscaling.cluster, glc sizes each zone's node group for its pods plus its "
                    "share of the rollout surge; pods the HPA adds beyond that stay Pending");
    glc_note(cx, d, "%s", pods_per_node_note(cx, k, cap));
    glc_help(cx, d, "enable autoscaling.cluster with max_nodes of at least %" PRId64 ", or lower max_replicas to %" PRId64,
             ceil_div(want, ppn), hold);
}

static void check_hpa_capacity(struct glc_ctx *cx, const struct glc_k8s *k,
                               const struct glc_capacity *cap)
{
    if (!cap->instance || cap->pods_per_node < 1)
        return;
    if (!k->ca.enabled.v) {
        check_hpa_fixed_capacity(cx, k, cap);
        return;
    }
    int64_t want = k->hpa.max_replicas.v, nodes = k->ca.max_nodes.v;
    int64_t hold = nodes * cap->pods_per_node;
    if (want <= hold)
        return;
    struct glc_diag *d = glc_report(cx, "GLC121", k->hpa.max_replicas.at, HPA "max_replicas",
                                    "HPA can reach %" PRId64 " pods but %" PRId64 " %s nodes hold at most %" PRId64,
                                    want, nodes, cap->instance->name, hold);
    glc_note(cx, d, "%s", pods_per_node_note(cx, k, cap));
    int64_t need = ceil_div(want, cap->pods_per_node);
    if (hold >= k->hpa.min_replicas.v)
        glc_help(cx, d, "raise cluster.max_nodes to %" PRId64 ", or lower max_replicas to %" PRId64,
                 need, hold);
    else
        glc_help(cx, d, "raise cluster.max_nodes to %" PRId64, need);
}

/* GLC122: deployment.replicas within [min_replicas, max_replicas]. */
static void check_replicas_in_hpa(struct glc_ctx *cx, const struct glc_k8s *k)
{
    int64_t r = k->deployment.replicas.v, lo = k->hpa.min_replicas.v, hi = k->hpa.max_replicas.v;
    if (lo > hi || (r >= lo && r <= hi))
        return;
    bool below = r < lo;
    struct glc_diag *d = glc_report(cx, "GLC122", k->deployment.replicas.at, "kubernetes.deployment.replicas",
                                    "replicas %" PRId64 " is %s the HPA's %s %" PRId64, r,
                                    below ? "below" : "above", below ? "min_replicas" : "max_replicas",
                                    below ? lo : hi);
    glc_note(cx, d, "the HPA scales the Deployment to %" PRId64 " as soon as it runs, so the replica "
                    "count and distribution as written never hold", below ? lo : hi);
    if (below)
        glc_help(cx, d, "raise replicas to at least %" PRId64 ", or lower min_replicas to %" PRId64, lo, r);
    else
        glc_help(cx, d, "lower replicas to at most %" PRId64 ", or raise max_replicas to %" PRId64, hi, r);
}

/* ---- VPA ---- */

/* GLC123: min_allowed <= max_allowed, for cpu and for memory. */
static void check_vpa_bounds(struct glc_ctx *cx, const struct glc_k8s *k)
{
    struct glc_arena *a = cx->arena;
    if (k->vpa.min_cpu.v > k->vpa.max_cpu.v) {
        struct glc_diag *d = glc_report(cx, "GLC123", k->vpa.min_cpu.at, VPA "min_allowed_cpu",
                                        "VPA min_allowed_cpu %s is greater than max_allowed_cpu %s",
                                        glc_fmt_cpu(a, k->vpa.min_cpu.v), glc_fmt_cpu(a, k->vpa.max_cpu.v));
        glc_help(cx, d, "lower min_allowed_cpu to %s, or raise max_allowed_cpu to %s",
                 glc_fmt_cpu(a, k->vpa.max_cpu.v), glc_fmt_cpu(a, k->vpa.min_cpu.v));
    }
    if (k->vpa.min_mem.v > k->vpa.max_mem.v) {
        struct glc_diag *d = glc_report(cx, "GLC123", k->vpa.min_mem.at, VPA "min_allowed_memory",
                                        "VPA min_allowed_memory %s is greater than max_allowed_memory %s",
                                        glc_k8s_bytes(a, k->vpa.min_mem.v), glc_k8s_bytes(a, k->vpa.max_mem.v));
        glc_help(cx, d, "lower min_allowed_memory to %s, or raise max_allowed_memory to %s",
                 glc_k8s_bytes(a, k->vpa.max_mem.v), glc_k8s_bytes(a, k->vpa.min_mem.v));
    }
}

/* One resource of GLC124; the quantities are already formatted. */
static void report_request_outside_vpa(struct glc_ctx *cx, const struct glc_k8s *k, const glc_qty *req,
                                       const char *res, bool below, const char *req_s,
                                       const char *bound_s, const char *lo_s, const char *hi_s)
{
    const char *key = below ? "min_allowed" : "max_allowed";
    struct glc_diag *d = glc_report(cx, "GLC124", req->at,
                                    glc_sprintf(cx->arena, REQ "%s", res),
                                    "%s request %s is %s the VPA's %s_%s %s", res, req_s,
                                    below ? "below" : "above", key, res, bound_s);
    if (k->vpa.mode.v == GLC_VPA_OFF)
        glc_note(cx, d, "the VPA only recommends %s within [%s, %s], never the request as written",
                 res, lo_s, hi_s);
    else
        glc_note(cx, d, "in %s mode the VPA sets the %s request within [%s, %s], so the request as "
                        "written never runs", mode_name(k->vpa.mode.v), res, lo_s, hi_s);
    glc_help(cx, d, "%s requests.%s to %s, or %s %s_%s to %s", below ? "raise" : "lower", res, bound_s,
             below ? "lower" : "raise", key, res, req_s);
}

/* GLC124: min_allowed <= requests <= max_allowed for each controlled resource. */
static void check_requests_in_vpa(struct glc_ctx *cx, const struct glc_k8s *k)
{
    struct glc_arena *a = cx->arena;
    const glc_qty *rc = &k->resources.req_cpu, *rm = &k->resources.req_mem;
    if (k->vpa.controls_cpu && k->vpa.min_cpu.v <= k->vpa.max_cpu.v &&
        (rc->v < k->vpa.min_cpu.v || rc->v > k->vpa.max_cpu.v)) {
        bool below = rc->v < k->vpa.min_cpu.v;
        report_request_outside_vpa(cx, k, rc, "cpu", below, glc_fmt_cpu(a, rc->v),
                                   glc_fmt_cpu(a, below ? k->vpa.min_cpu.v : k->vpa.max_cpu.v),
                                   glc_fmt_cpu(a, k->vpa.min_cpu.v), glc_fmt_cpu(a, k->vpa.max_cpu.v));
    }
    if (k->vpa.controls_memory && k->vpa.min_mem.v <= k->vpa.max_mem.v &&
        (rm->v < k->vpa.min_mem.v || rm->v > k->vpa.max_mem.v)) {
        bool below = rm->v < k->vpa.min_mem.v;
        report_request_outside_vpa(cx, k, rm, "memory", below, glc_k8s_bytes(a, rm->v),
                                   glc_k8s_bytes(a, below ? k->vpa.min_mem.v : k->vpa.max_mem.v),
                                   glc_k8s_bytes(a, k->vpa.min_mem.v), glc_k8s_bytes(a, k->vpa.max_mem.v));
    }
}

/* GLC125: the VPA's maximum fits one node (A3). Off mode never applies a
 * recommendation, so nothing can go Pending and the rule stays silent. */
static void check_vpa_fits_node(struct glc_ctx *cx, const struct glc_k8s *k, const struct glc_capacity *cap)
{
    struct glc_arena *a = cx->arena;
    if (!cap->instance || k->vpa.mode.v == GLC_VPA_OFF)
        return;
    const char *type = cap->instance->name;
    if (k->vpa.controls_cpu && k->vpa.max_cpu.v > cap->alloc.cpu_milli) {
        struct glc_diag *d = glc_report(cx, "GLC125", k->vpa.max_cpu.at, VPA "max_allowed_cpu",
                                        "VPA may raise the cpu request to %s but a %s node allocates %s: "
                                        "the pod would stay Pending",
                                        glc_fmt_cpu(a, k->vpa.max_cpu.v), type,
                                        glc_fmt_cpu(a, cap->alloc.cpu_milli));
        glc_note(cx, d, "%s", alloc_cpu_note(cx, cap));
        glc_help(cx, d, "lower max_allowed_cpu to %s", glc_fmt_cpu(a, cap->alloc.cpu_milli));
    }
    if (k->vpa.controls_memory && k->vpa.max_mem.v > cap->alloc.memory_bytes) {
        struct glc_diag *d = glc_report(cx, "GLC125", k->vpa.max_mem.at, VPA "max_allowed_memory",
                                        "VPA may raise the memory request to %s but a %s node allocates %s: "
                                        "the pod would stay Pending",
                                        glc_k8s_bytes(a, k->vpa.max_mem.v), type,
                                        glc_k8s_bytes(a, cap->alloc.memory_bytes));
        glc_note(cx, d, "%s", alloc_mem_note(cx, cap));
        glc_help(cx, d, "lower max_allowed_memory to %s", glc_k8s_bytes(a, cap->alloc.memory_bytes));
    }
}

/* "cpu", "memory" or "cpu and memory"; NULL when neither. */
static const char *resources_str(bool cpu, bool mem)
{
    return cpu && mem ? "cpu and memory" : cpu ? "cpu" : mem ? "memory" : NULL;
}

/* GLC126: a VPA that updates pods must not control a resource the HPA scales
 * on (A1). The HPA always has a cpu and a memory utilization target. */
static void check_vpa_hpa_conflict(struct glc_ctx *cx, const struct glc_k8s *k)
{
    if (!k->hpa.enabled.v || !mode_updates_pods(k->vpa.mode.v))
        return;
    bool hpa_cpu = k->hpa.target_cpu.v > 0, hpa_mem = k->hpa.target_memory.v > 0;
    const char *both = resources_str(k->vpa.controls_cpu && hpa_cpu, k->vpa.controls_memory && hpa_mem);
    if (!both)
        return;
    struct glc_diag *d = glc_report(cx, "GLC126", k->vpa.mode.at, VPA "update_mode",
                                    "VPA in %s mode changes %s requests while the HPA scales on %s utilization",
                                    mode_name(k->vpa.mode.v), both, both);
    glc_note(cx, d, "HPA utilization is usage divided by the request, so every request the VPA changes "
                    "moves the HPA's metric: the two controllers fight over the same signal");
    const char *free_res = resources_str(!hpa_cpu, !hpa_mem);
    if (free_res)
        glc_help(cx, d, "set update_mode: Off (recommendations only), or limit controlled_resources to %s, "
                        "which the HPA does not use", free_res);
    else
        glc_help(cx, d, "set update_mode: Off (recommendations only); the HPA scales on both cpu and "
                        "memory, so no choice of controlled_resources avoids the overlap");
}

/* ---- cluster autoscaler and nodes ---- */

/* GLC127: min_nodes <= max_nodes. */
static void check_node_bounds(struct glc_ctx *cx, const struct glc_k8s *k)
{
    int64_t lo = k->ca.min_nodes.v, hi = k->ca.max_nodes.v;
    if (lo <= hi)
        return;
    struct glc_diag *d = glc_report(cx, "GLC127", k->ca.min_nodes.at, CA "min_nodes",
                                    "cluster min_nodes %" PRId64 " is greater than max_nodes %" PRId64, lo, hi);
    glc_note(cx, d, "EKS rejects a node group whose minimum size is greater than its maximum");
    glc_help(cx, d, "lower min_nodes to %" PRId64 ", or raise max_nodes to %" PRId64, hi, lo);
}

/* One resource of GLC128. */
static void report_no_fit(struct glc_ctx *cx, const struct glc_k8s *k, const struct glc_capacity *cap,
                          const glc_qty *req, const char *res, const char *req_s, const char *alloc_s,
                          const char *note, const char *fix_s)
{
    struct glc_diag *d = glc_report(cx, "GLC128", req->at, glc_sprintf(cx->arena, REQ "%s", res),
                                    "a pod requests %s %s but a %s node allocates %s: no node can run it",
                                    req_s, res, cap->instance->name, alloc_s);
    glc_note(cx, d, "%s", note);
    const struct glc_instance *big =
        larger_instance(cap->instance, k->resources.req_cpu.v, k->resources.req_mem.v);
    if (big)
        glc_help(cx, d, "lower requests.%s to %s or less, or use a larger instance type such as %s",
                 res, fix_s, big->name);
    else
        glc_help(cx, d, "lower requests.%s to %s or less", res, fix_s);
}

/* GLC128: one pod's requests fit one node (A8). Runs whether or not the
 * cluster autoscaler is enabled: the node type is always known. */
static void check_pod_fits_node(struct glc_ctx *cx, const struct glc_k8s *k, const struct glc_capacity *cap)
{
    struct glc_arena *a = cx->arena;
    if (!cap->instance || cap->pods_per_node > 0)
        return;
    if (k->resources.req_cpu.v > cap->alloc.cpu_milli)
        report_no_fit(cx, k, cap, &k->resources.req_cpu, "cpu", glc_fmt_cpu(a, k->resources.req_cpu.v),
                      glc_fmt_cpu(a, cap->alloc.cpu_milli), alloc_cpu_note(cx, cap),
                      glc_fmt_cpu(a, cap->alloc.cpu_milli));
    if (k->resources.req_mem.v > cap->alloc.memory_bytes)
        report_no_fit(cx, k, cap, &k->resources.req_mem, "memory",
                      glc_k8s_bytes(a, k->resources.req_mem.v), glc_k8s_bytes(a, cap->alloc.memory_bytes),
                      alloc_mem_note(cx, cap), glc_k8s_bytes(a, cap->alloc.memory_bytes));
}

/* GLC129: the minimum node count holds the replicas. */
static void check_min_nodes(struct glc_ctx *cx, const struct glc_k8s *k, const struct glc_capacity *cap)
{
    if (!cap->instance || cap->pods_per_node < 1)
        return;
    int64_t nodes = k->ca.min_nodes.v, hold = nodes * cap->pods_per_node, r = k->deployment.replicas.v;
    if (hold >= r)
        return;
    struct glc_diag *d = glc_report(cx, "GLC129", k->ca.min_nodes.at, CA "min_nodes",
                                    "min_nodes %" PRId64 " can hold at most %" PRId64 " pods but replicas is %" PRId64
                                    ": pods wait for scale-up after every scale-down to the minimum",
                                    nodes, hold, r);
    glc_note(cx, d, "%s", pods_per_node_note(cx, k, cap));
    int64_t need = ceil_div(r, cap->pods_per_node);
    if (need > k->ca.max_nodes.v)
        glc_help(cx, d, "raise min_nodes and max_nodes to at least %" PRId64, need);
    else
        glc_help(cx, d, "raise min_nodes to %" PRId64, need);
}

/* ---- resources ---- */

/* GLC140: requests <= limits (E1; the API server rejects the pod template). */
static void check_request_limit(struct glc_ctx *cx, const glc_qty *req, const glc_qty *lim,
                                const char *res, const char *req_s, const char *lim_s)
{
    struct glc_diag *d = glc_report(cx, "GLC140", req->at, glc_sprintf(cx->arena, REQ "%s", res),
                                    "%s request %s is greater than its limit %s", res, req_s, lim_s);
    glc_note(cx, d, "the API server rejects the Deployment: \"must be less than or equal to %s limit\"", res);
    glc_help(cx, d, "lower requests.%s to %s, or raise limits.%s to %s", res, lim_s, res, req_s);
    glc_related(cx, d, lim->at, "the %s limit is set here", res);
}

static void check_requests_limits(struct glc_ctx *cx, const struct glc_k8s *k)
{
    struct glc_arena *a = cx->arena;
    const glc_qty *rc = &k->resources.req_cpu, *lc = &k->resources.lim_cpu;
    const glc_qty *rm = &k->resources.req_mem, *lm = &k->resources.lim_mem;
    if (rc->v > lc->v)
        check_request_limit(cx, rc, lc, "cpu", glc_fmt_cpu(a, rc->v), glc_fmt_cpu(a, lc->v));
    if (rm->v > lm->v)
        check_request_limit(cx, rm, lm, "memory", glc_k8s_bytes(a, rm->v), glc_k8s_bytes(a, lm->v));
}

void glc_check_autoscale(struct glc_ctx *cx, const struct glc_capacity *cap)
{
    const struct glc_k8s *k = cx->model.k8s;
    if (!k)
        return;
    if (k->hpa.enabled.v) {
        check_hpa_bounds(cx, k);
        check_hpa_capacity(cx, k, cap);
        check_replicas_in_hpa(cx, k);
    }
    if (k->vpa.enabled.v) {
        check_vpa_bounds(cx, k);
        check_requests_in_vpa(cx, k);
        check_vpa_fits_node(cx, k, cap);
        check_vpa_hpa_conflict(cx, k);
    }
    if (k->ca.enabled.v) {
        check_node_bounds(cx, k);
        check_min_nodes(cx, k, cap);
    }
    check_pod_fits_node(cx, k, cap);
    check_requests_limits(cx, k);
}
