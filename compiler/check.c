/*
 * check.c — stage 4: the invariant rules over the typed model.
 *
 * Capacity facts (the node type's EKS allocatable and how many pods fit a node)
 * are derived once here; each rule family lives in its own rules_*.c file and
 * reports through glc_report(). Rules run only on configs that passed the
 * schema, and every rule runs: all findings are collected, none stops the run.
 */
#include "glc.h"

static void derive_capacity(struct glc_ctx *cx, struct glc_capacity *cap)
{
    const struct glc_k8s *k = cx->model.k8s;
    if (!k)
        return;
    cap->instance = glc_instance_find(k->cluster.instance_type.v);
    if (!cap->instance) {
        struct glc_diag *d = glc_report(cx, "GLC013", k->cluster.instance_type.at,
                                        "kubernetes.cluster.node_group.instance_type",
                                        "unknown instance type '%s': capacity rules are skipped",
                                        k->cluster.instance_type.v);
        glc_help(cx, d, "use a type from `glc explain GLC013`, or suppress this warning");
        return;
    }
    glc_allocatable(cap->instance, &cap->alloc);
    cap->pods_per_node = glc_pods_per_node(&cap->alloc, k->resources.req_cpu.v,
                                           k->resources.req_mem.v, &cap->binding);
}

static void note_cross_file(struct glc_ctx *cx)
{
    const struct glc_model *m = &cx->model;
    if ((m->k8s != NULL) == (m->res != NULL))
        return;
    struct glc_loc at = m->k8s ? m->k8s->at : m->res->at;
    glc_report(cx, "GLC014", at, NULL, "%s not given: cross-file rules (GLC173, GLC174) were skipped",
               m->k8s ? "resilience_config.yaml" : "kubernetes_config.yaml");
}

int64_t glc_effective_pods_per_node(const struct glc_k8s *k, const struct glc_capacity *cap)
{
    if (k->deployment.host_aa.v == GLC_AFF_REQUIRED)
        return 1;
    return cap->pods_per_node > 0 ? cap->pods_per_node : 1;
}

/* maxSurge in pods: a percentage of replicas rounds up (as the Deployment controller does). */
static int64_t surge_pods(const struct glc_k8s *k)
{
    const glc_intpct *s = &k->deployment.max_surge;
    int64_t r = k->deployment.replicas.v;
    return s->percent ? (s->v * r + 99) / 100 : s->v;
}

int64_t glc_fixed_zone_nodes(const struct glc_k8s *k, const struct glc_capacity *cap, size_t i)
{
    int64_t n = (int64_t)k->cluster.nzones, surge = surge_pods(k);
    int64_t share = surge / n + ((int64_t)i < surge % n ? 1 : 0);
    int64_t pods = k->cluster.zones[i].pods + share;
    int64_t ppn = glc_effective_pods_per_node(k, cap);
    int64_t nodes = pods / ppn + (pods % ppn != 0);
    return nodes < 1 ? 1 : nodes;
}

void glc_check(struct glc_ctx *cx)
{
    struct glc_capacity cap = {0};
    derive_capacity(cx, &cap);
    cx->capacity = cap;
    note_cross_file(cx);
    glc_check_zone(cx, &cap);
    glc_check_autoscale(cx, &cap);
    glc_check_probe(cx, &cap);
    glc_check_lb(cx, &cap);
    glc_check_breaker(cx, &cap);
}
