/*
 * capacity.c — a built-in table of EC2 instance types and what EKS leaves
 * allocatable on one node, so rules can tell how many pods fit a node.
 */

/*
 * Sources and formulas
 *
 *   max pods   = ENIs * (IPv4 addresses per ENI - 1) + 2
 *       awslabs/amazon-eks-ami, files/eni-max-pods.txt (now
 *       templates/shared/runtime/eni-max-pods.txt): the first IP of each ENI is
 *       not used for pods, +2 for the host-network pods (aws-node, kube-proxy).
 *       ENI and IP counts: EC2 User Guide, "IP addresses per network interface
 *       per instance type". Every max_pods below matches eni-max-pods.txt.
 *
 *   kube-reserved cpu = 6% of the first core + 1% of the second
 *                     + 0.5% of cores 3-4 + 0.25% of every core above 4
 *       amazon-eks-ami bootstrap.sh, get_cpu_millicores_to_reserve (ranges
 *       taken from GKE). In millicores: 60m + 10m + 5m each + 2.5m each. We sum
 *       the ranges exactly and round the total up to a whole millicore
 *       (bootstrap.sh truncates each range; the two agree for even core counts).
 *
 *   kube-reserved memory = 255Mi + 11Mi * max pods
 *       bootstrap.sh, get_memory_mebibytes_to_reserve.
 *   eviction threshold   = 100Mi (evictionHard memory.available in bootstrap.sh)
 *
 *   allocatable cpu    = vCPU * 1000m - kube-reserved cpu
 *   allocatable memory = nominal MiB * 1Mi - kube-reserved memory - eviction
 *
 * Worked example, c6i.2xlarge (8 vCPU, 16384 MiB, 4 ENIs x 15 IPs):
 *   max pods 4*14+2 = 58; cpu 8000m - (60+10+10+10)m = 7910m;
 *   memory 16384Mi - (255+11*58 = 893)Mi - 100Mi = 15391Mi.
 */
#include "glc.h"

#include <stdlib.h>
#include <string.h>

#define MIB INT64_C(1048576)
#define EVICTION_MIB 100
#define RESERVED_BASE_MIB 255
#define RESERVED_PER_POD_MIB 11

/* Sorted by name (strcmp order): glc_instance_find uses binary search. */
static const struct glc_instance instances[] = {
    /* name            vcpu  memory MiB  ENIs  IPs/ENI */
    {"c5.2xlarge",     8,    16384,      4,    15},
    {"c5.large",       2,    4096,       3,    10},
    {"c5.xlarge",      4,    8192,       4,    15},
    {"c6i.2xlarge",    8,    16384,      4,    15},
    {"c6i.4xlarge",    16,   32768,      8,    30},
    {"c6i.8xlarge",    32,   65536,      8,    30},
    {"c6i.large",      2,    4096,       3,    10},
    {"c6i.xlarge",     4,    8192,       4,    15},
    {"c7i.2xlarge",    8,    16384,      4,    15},
    {"c7i.4xlarge",    16,   32768,      8,    30},
    {"c7i.8xlarge",    32,   65536,      8,    30},
    {"c7i.large",      2,    4096,       3,    10},
    {"c7i.xlarge",     4,    8192,       4,    15},
    {"m5.2xlarge",     8,    32768,      4,    15},
    {"m5.large",       2,    8192,       3,    10},
    {"m5.xlarge",      4,    16384,      4,    15},
    {"m6i.2xlarge",    8,    32768,      4,    15},
    {"m6i.4xlarge",    16,   65536,      8,    30},
    {"m6i.8xlarge",    32,   131072,     8,    30},
    {"m6i.large",      2,    8192,       3,    10},
    {"m6i.xlarge",     4,    16384,      4,    15},
    {"m7i.2xlarge",    8,    32768,      4,    15},
    {"m7i.4xlarge",    16,   65536,      8,    30},
    {"m7i.8xlarge",    32,   131072,     8,    30},
    {"m7i.large",      2,    8192,       3,    10},
    {"m7i.xlarge",     4,    16384,      4,    15},
    {"r5.2xlarge",     8,    65536,      4,    15},
    {"r5.large",       2,    16384,      3,    10},
    {"r5.xlarge",      4,    32768,      4,    15},
    {"r6i.2xlarge",    8,    65536,      4,    15},
    {"r6i.4xlarge",    16,   131072,     8,    30},
    {"r6i.8xlarge",    32,   262144,     8,    30},
    {"r6i.large",      2,    16384,      3,    10},
    {"r6i.xlarge",     4,    32768,      4,    15},
    {"r7i.2xlarge",    8,    65536,      4,    15},
    {"r7i.4xlarge",    16,   131072,     8,    30},
    {"r7i.8xlarge",    32,   262144,     8,    30},
    {"r7i.large",      2,    16384,      3,    10},
    {"r7i.xlarge",     4,    32768,      4,    15},
    {"t3.2xlarge",     8,    32768,      4,    15},
    {"t3.large",       2,    8192,       3,    12},
    {"t3.xlarge",      4,    16384,      4,    15},
};

const struct glc_instance *glc_instances(size_t *n)
{
    if (n)
        *n = sizeof instances / sizeof instances[0];
    return instances;
}

static int cmp_name(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const struct glc_instance *)elem)->name);
}

const struct glc_instance *glc_instance_find(const char *name)
{
    if (!name)
        return NULL;
    return bsearch(name, instances, sizeof instances / sizeof instances[0],
                   sizeof instances[0], cmp_name);
}

/* CPU ranges in millicores and the share reserved in each, in basis points. */
struct cpu_range {
    int64_t from, to; /* to < 0: no upper bound */
    int64_t bp;
};

static const struct cpu_range cpu_ranges[] = {
    {0, 1000, 600}, {1000, 2000, 100}, {2000, 4000, 50}, {4000, -1, 25},
};

static int64_t reserved_cpu_milli(int vcpu)
{
    int64_t total = (int64_t)vcpu * 1000, sum = 0; /* millicores * basis points */
    for (size_t i = 0; i < sizeof cpu_ranges / sizeof cpu_ranges[0]; i++) {
        const struct cpu_range *r = &cpu_ranges[i];
        int64_t end = r->to < 0 || total < r->to ? total : r->to;
        if (end > r->from)
            sum += (end - r->from) * r->bp;
    }
    return (sum + 9999) / 10000;
}

void glc_allocatable(const struct glc_instance *it, struct glc_allocatable *out)
{
    memset(out, 0, sizeof *out);
    out->max_pods = it->enis * (it->ips_per_eni - 1) + 2;
    out->kube_reserved_cpu_milli = reserved_cpu_milli(it->vcpu);
    out->kube_reserved_memory_bytes =
        (RESERVED_BASE_MIB + (int64_t)RESERVED_PER_POD_MIB * out->max_pods) * MIB;
    out->eviction_bytes = EVICTION_MIB * MIB;
    out->cpu_milli = (int64_t)it->vcpu * 1000 - out->kube_reserved_cpu_milli;
    out->memory_bytes =
        it->memory_mib * MIB - out->kube_reserved_memory_bytes - out->eviction_bytes;
}

/* How many requests of size `each` fit in `have` (never negative). */
static int64_t fit(int64_t have, int64_t each)
{
    return have <= 0 ? 0 : have / each;
}

int64_t glc_pods_per_node(const struct glc_allocatable *al, int64_t cpu_milli,
                          int64_t mem_bytes, const char **limit)
{
    int64_t best = al->max_pods;
    const char *why = "max-pods";
    /* Checked in reverse preference so that on a tie cpu wins, then memory. */
    if (mem_bytes > 0 && fit(al->memory_bytes, mem_bytes) <= best) {
        best = fit(al->memory_bytes, mem_bytes);
        why = "memory";
    }
    if (cpu_milli > 0 && fit(al->cpu_milli, cpu_milli) <= best) {
        best = fit(al->cpu_milli, cpu_milli);
        why = "cpu";
    }
    if (limit)
        *limit = why;
    return best;
}
