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
