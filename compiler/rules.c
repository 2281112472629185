/*
 * rules.c — the registry of diagnostic codes.
 *
 * One row per code: default severity, a stable kebab-case name and a title.
 * docs/rules/<code>.md holds each rule's page (what, why with its source, a
 * bad and a good example); `glc explain CODE` prints it. Codes never change.
 */
#include "glc.h"

#include <string.h>

#define E GLC_ERROR
#define W GLC_WARNING
#define N GLC_NOTE

static const struct glc_rule rules[] = {
    /* front end: reading, schema, suppression */
    {"GLC001", E, "yaml-syntax", "The file is not valid YAML, or uses a YAML feature glc does not accept."},
    {"GLC002", E, "duplicate-key", "A mapping defines the same key twice."},
    {"GLC003", E, "unknown-key", "A key is not part of the config schema."},
    {"GLC004", E, "wrong-type", "A value has the wrong type for its key."},
    {"GLC005", E, "out-of-range", "A number is outside the range its key allows."},
    {"GLC006", E, "invalid-enum", "A value is not one of the values its key allows."},
    {"GLC007", E, "invalid-quantity", "A Kubernetes quantity or duration cannot be parsed."},
    {"GLC008", E, "invalid-name", "A name is not valid where it will be used (DNS-1123 label, breaker name, path)."},
    {"GLC009", E, "missing-key", "A required key is missing."},
    {"GLC010", E, "not-a-config", "The input is not a glc config: empty, binary, several documents, or an unknown top-level key."},
    {"GLC011", E, "input-too-large", "The input exceeds glc's limits: alias expansion, nesting depth or size."},
    {"GLC012", E, "invalid-suppression", "A glc-ignore comment has no reason or names an unknown code."},
    {"GLC013", W, "unknown-instance-type", "The node instance type is not in glc's table, so capacity rules are skipped."},
    {"GLC014", N, "cross-file-skipped", "Only one of the two configs was given, so cross-file rules were skipped."},
    /* zone spread */
    {"GLC101", E, "distribution-sum", "The replica distribution does not add up to the replica count."},
    {"GLC102", E, "distribution-unknown-zone", "The replica distribution names a zone that is not in availability_zones."},
    {"GLC103", E, "distribution-missing-zone", "An availability zone gets no replicas."},
    {"GLC104", W, "distribution-skew", "Zones differ by more than one replica."},
    {"GLC105", E, "zone-not-in-region", "An availability zone does not belong to the cluster's region."},
    {"GLC106", W, "zone-loss", "Losing the largest zone leaves too few pods."},
    {"GLC107", E, "duplicate-zone", "An availability zone is listed twice."},
    /* anti-affinity and rollout strategy */
    {"GLC110", E, "zone-anti-affinity-required", "Required zone anti-affinity allows one pod per zone, fewer than the pods asked for."},
    {"GLC111", E, "host-anti-affinity-required", "Required host anti-affinity allows one pod per node, more pods than nodes."},
    {"GLC112", E, "rollout-deadlock", "Required host anti-affinity with no free node for the surge pod deadlocks a rolling update."},
    {"GLC113", E, "rollout-no-progress", "maxSurge and maxUnavailable are both zero, so a rollout cannot progress."},
    {"GLC114", W, "surge-capacity", "The cluster cannot hold the extra pods of a rolling update."},
    /* autoscaling and capacity */
    {"GLC120", E, "hpa-bounds", "The HPA's min_replicas is greater than max_replicas."},
    {"GLC121", W, "hpa-max-exceeds-capacity", "The HPA can ask for more pods than the cluster's maximum nodes can hold."},
    {"GLC122", E, "replicas-outside-hpa-bounds", "The replica count is outside the HPA's bounds."},
    {"GLC123", E, "vpa-bounds", "A VPA minimum is greater than its maximum."},
    {"GLC124", W, "requests-outside-vpa-bounds", "The container requests are outside the VPA's bounds."},
    {"GLC125", W, "vpa-max-exceeds-node", "The VPA may recommend more than one node can allocate."},
    {"GLC126", W, "vpa-hpa-conflict", "A VPA that updates pods controls the same resource an HPA scales on."},
    {"GLC127", E, "cluster-node-bounds", "The cluster autoscaler's min_nodes is greater than max_nodes."},
    {"GLC128", E, "pod-does-not-fit-node", "One pod's requests do not fit on one node."},
    {"GLC129", W, "min-nodes-below-replicas", "The minimum node count cannot hold the replicas."},
    /* resources */
    {"GLC140", E, "request-exceeds-limit", "A resource request is greater than its limit."},
    /* probes */
    {"GLC150", W, "probe-timeout-not-below-period", "A probe's timeout is not shorter than its period."},
    {"GLC151", E, "probe-success-threshold", "Liveness and startup probes must have success_threshold 1."},
    {"GLC152", W, "startup-budget-too-short", "The startup probe gives up before the liveness probe's initial delay."},
    {"GLC153", W, "liveness-stricter-than-readiness", "The liveness probe fails faster than the readiness probe."},
    {"GLC154", E, "probe-endpoint-mismatch", "A probe does not point at the runtime's health endpoint."},
    /* load balancer */
    {"GLC160", E, "deregistration-exceeds-grace", "The NLB deregistration delay is not shorter than the pod's termination grace period."},
    {"GLC161", E, "lb-health-check-path", "The NLB health check does not use the readiness path."},
    {"GLC162", W, "cross-zone-off-uneven", "Cross-zone load balancing is off while zones hold different numbers of pods."},
    {"GLC163", W, "lb-health-window-mismatch", "The NLB and the readiness probe take very different times to mark a pod down."},
    /* circuit breakers */
    {"GLC170", E, "breaker-never-closes", "success_threshold is greater than half_open_max_calls, so the breaker can never close."},
    {"GLC171", E, "breaker-identifier-collision", "A breaker's name collides with another generated identifier."},
    {"GLC172", W, "alert-config", "Alerting is inconsistent: alerts on open without channels, or channels that never fire."},
    {"GLC173", E, "readiness-dependency-without-breaker", "A readiness dependency has no circuit breaker."},
    {"GLC174", W, "breaker-open-exceeds-readiness-window", "An open breaker keeps every pod unready longer than readiness would."},
    /* app */
    {"GLC180", E, "image-tag-latest", "The image tag is 'latest', so deployments are not reproducible."},
    {"GLC181", E, "port-conflict", "Two ports of the app are the same."},
};

const struct glc_rule *glc_rules(size_t *n)
{
    *n = sizeof rules / sizeof rules[0];
    return rules;
}

const struct glc_rule *glc_rule_find(const char *code)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (strcmp(rules[i].code, code) == 0)
            return &rules[i];
    return NULL;
}

const char *glc_severity_name(enum glc_severity s)
{
    return s == GLC_ERROR ? "error" : s == GLC_WARNING ? "warning" : "note";
}
