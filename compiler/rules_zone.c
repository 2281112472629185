/*
 * rules_zone.c — zone spread (GLC101–GLC107) and anti-affinity / rollout
 * strategy (GLC110–GLC114).
 *
 * Zone rules reason over the distinct zones of cluster.availability_zones in
 * listed order and, when deployment.replica_distribution is given, over its
 * entries in source order. Without a distribution glc spreads the replicas
 * itself, evenly, larger zones first in listed order (zone_even_split), so only
 * the zone-loss rule (GLC106) has something to say then.
 *
 * Rollout rules resolve maxSurge / maxUnavailable the way the Deployment
 * controller does (ResolveFenceposts): a maxSurge percentage rounds up, a
 * maxUnavailable percentage rounds down, both of the replica count.
 */
#include "glc.h"

#include <string.h>

#define P_REPLICAS "kubernetes.deployment.replicas"
#define P_DIST "kubernetes.deployment.replica_distribution"
#define P_ZONES "kubernetes.cluster.availability_zones"
#define P_ZONE_AA "kubernetes.deployment.anti_affinity.zone"
#define P_HOST_AA "kubernetes.deployment.anti_affinity.host"
#define P_UNAVAIL "kubernetes.deployment.strategy.max_unavailable"
#define P_SURGE "kubernetes.deployment.strategy.max_surge"
#define MAX_NODES 100000 /* the schema's bound on cluster.max_nodes */

/* The zone facts every rule here shares, derived once. */
struct zview {
    const struct glc_k8s *k;
    size_t n;                      /* distinct listed zones */
    const struct glc_zone **zone;  /* the first listing of each, in listed order */
    int64_t *pods;                 /* pods per distinct zone: distribution, or the even split */
    const struct glc_dist_entry **entry; /* its distribution entry; NULL when absent */
    bool dist_given;
    int64_t dist_sum;              /* Σ over every distribution entry */
    bool dist_unknown;             /* an entry names an unlisted zone */
};

static const char *plural(int64_t n)
{
    return n == 1 ? "" : "s";
}

static int64_t ceil_div(int64_t a, int64_t b)
{
    return b > 0 ? (a + b - 1) / b : 0;
}

static int64_t even_share(int64_t total, size_t n, size_t i)
{
    int64_t nn = (int64_t)n;
    return total / nn + ((int64_t)i < total % nn ? 1 : 0);
}

/* "3/3/3": total spread over n zones, larger zones first. */
static const char *even_split(struct glc_ctx *cx, int64_t total, size_t n)
{
    struct glc_buf b = {0};
    for (size_t i = 0; i < n; i++)
        glc_buf_printf(&b, "%s%lld", i ? "/" : "", (long long)even_share(total, n, i));
    const char *s = glc_strdup(cx->arena, b.data ? b.data : "");
    glc_buf_free(&b);
    return s;
}

/* "5/2/2": the pods per listed zone. */
static const char *split_str(struct glc_ctx *cx, const struct zview *zv)
{
    struct glc_buf b = {0};
    for (size_t i = 0; i < zv->n; i++)
        glc_buf_printf(&b, "%s%lld", i ? "/" : "", (long long)zv->pods[i]);
    const char *s = glc_strdup(cx->arena, b.data ? b.data : "");
    glc_buf_free(&b);
    return s;
}

static bool zone_listed(const struct zview *zv, const char *name)
{
    for (size_t i = 0; i < zv->n; i++)
        if (!strcmp(zv->zone[i]->name, name))
            return true;
    return false;
}

static void zview_build(struct glc_ctx *cx, const struct glc_k8s *k, struct zview *zv)
{
    struct glc_arena *a = cx->arena;
    size_t nz = k->cluster.nzones;
    zv->k = k;
    zv->zone = glc_alloc(a, sizeof *zv->zone * (nz + 1));
    zv->pods = glc_alloc(a, sizeof *zv->pods * (nz + 1));
    zv->entry = glc_alloc(a, sizeof *zv->entry * (nz + 1));
    for (size_t i = 0; i < nz; i++) {
        const struct glc_zone *z = &k->cluster.zones[i];
        if (!zone_listed(zv, z->name))
            zv->zone[zv->n++] = z;
    }
    zv->dist_given = k->deployment.dist != NULL;
    for (size_t j = 0; j < k->deployment.ndist; j++) {
        const struct glc_dist_entry *e = &k->deployment.dist[j];
        zv->dist_sum += e->replicas.v;
        if (!zone_listed(zv, e->zone))
            zv->dist_unknown = true;
    }
    for (size_t i = 0; i < zv->n; i++) {
        if (!zv->dist_given) {
            zv->pods[i] = even_share(k->deployment.replicas.v, zv->n, i);
            continue;
        }
        for (size_t j = 0; j < k->deployment.ndist; j++)
            if (!strcmp(k->deployment.dist[j].zone, zv->zone[i]->name)) {
                zv->entry[i] = &k->deployment.dist[j];
                zv->pods[i] = k->deployment.dist[j].replicas.v;
            }
    }
}

/* Index of the zone holding the most pods (the first in listed order). */
static size_t zview_largest(const struct zview *zv)
{
    size_t m = 0;
    for (size_t i = 1; i < zv->n; i++)
        if (zv->pods[i] > zv->pods[m])
            m = i;
    return m;
}

static size_t zview_smallest(const struct zview *zv)
{
    size_t m = 0;
    for (size_t i = 1; i < zv->n; i++)
        if (zv->pods[i] < zv->pods[m])
            m = i;
    return m;
}

/* ------------------------------------------------------------ zone spread */

/* GLC101: Σ r_z = replicas. */
static void check_dist_sum(struct glc_ctx *cx, const struct zview *zv)
{
    const struct glc_k8s *k = zv->k;
    int64_t r = k->deployment.replicas.v, sum = zv->dist_sum;
    if (!zv->dist_given || sum == r)
        return;
    struct glc_diag *d = glc_report(cx, "GLC101", k->deployment.dist_at, P_DIST,
                                    "replica_distribution places %lld pod%s but replicas is %lld",
                                    (long long)sum, plural(sum), (long long)r);
    struct glc_buf b = {0};
    size_t shown = k->deployment.ndist > 8 ? 7 : k->deployment.ndist;
    for (size_t j = 0; j < shown; j++)
        glc_buf_printf(&b, "%s%s %lld", j ? " + " : "", k->deployment.dist[j].zone,
                       (long long)k->deployment.dist[j].replicas.v);
    if (shown < k->deployment.ndist)
        glc_buf_printf(&b, " + ... (%zu more)", k->deployment.ndist - shown);
    if (b.data)
        glc_note(cx, d, "%s = %lld", b.data, (long long)sum);
    else
        glc_note(cx, d, "replica_distribution is empty");
    glc_buf_free(&b);
    glc_related(cx, d, k->deployment.replicas.at, "replicas is set here");
    int64_t diff = sum > r ? sum - r : r - sum;
    if (sum < 1 && zv->n > 0) {
        glc_help(cx, d, "give the zones their %lld pods: %s", (long long)r, even_split(cx, r, zv->n));
        return;
    }
    if (zv->n == 0 || zv->dist_unknown) {
        glc_help(cx, d, "set replicas to %lld, or make the zones' pods add up to %lld", (long long)sum,
                 (long long)r);
        return;
    }
    if (diff == 1) {
        size_t z = sum < r ? zview_smallest(zv) : zview_largest(zv);
        glc_help(cx, d, "set replicas to %lld, or %s 1 pod %s %s", (long long)sum,
                 sum < r ? "add" : "remove", sum < r ? "to" : "from", zv->zone[z]->name);
        return;
    }
    glc_help(cx, d, "set replicas to %lld, or %s %lld pods (an even split of %lld is %s)", (long long)sum,
             sum < r ? "add" : "remove", (long long)diff, (long long)r, even_split(cx, r, zv->n));
}

/* GLC102: every distribution key is a listed zone. */
static void check_dist_unknown(struct glc_ctx *cx, const struct zview *zv)
{
    const struct glc_k8s *k = zv->k;
    const char **cands = glc_alloc(cx->arena, sizeof *cands * (zv->n + 1));
    size_t nc = 0;
    for (size_t i = 0; i < zv->n; i++) /* zones the distribution leaves out */
        if (!zv->entry[i])
            cands[nc++] = zv->zone[i]->name;
    for (size_t j = 0; j < k->deployment.ndist; j++) {
        const struct glc_dist_entry *e = &k->deployment.dist[j];
        if (zone_listed(zv, e->zone))
            continue;
        struct glc_diag *d = glc_report(cx, "GLC102", e->key_at,
                                        glc_sprintf(cx->arena, P_DIST ".%s", e->zone),
                                        "replica_distribution names zone '%s', which is not in "
                                        "availability_zones",
                                        e->zone);
        const char *s = glc_suggest(e->zone, cands, nc);
        if (s)
            glc_help(cx, d, "did you mean '%s'? (listed in availability_zones but given no pods)", s);
        else
            glc_help(cx, d, "add '%s' to cluster.availability_zones, or move its %lld pod%s to a listed zone",
                     e->zone, (long long)e->replicas.v, plural(e->replicas.v));
        glc_related(cx, d, k->cluster.zones_at, "the cluster's zones are listed here");
    }
}

/* GLC103: with a distribution, every listed zone gets at least one pod. */
static void check_dist_missing(struct glc_ctx *cx, const struct zview *zv)
{
    const struct glc_k8s *k = zv->k;
    if (!zv->dist_given)
        return;
    int64_t r = k->deployment.replicas.v;
    for (size_t i = 0; i < zv->n; i++) {
        if (zv->pods[i] > 0)
            continue;
        const struct glc_zone *z = zv->zone[i];
        struct glc_diag *d;
        if (!zv->entry[i]) {
            d = glc_report(cx, "GLC103", z->at, P_ZONES,
                           "zone %s gets no pods: replica_distribution has no entry for it", z->name);
            glc_related(cx, d, k->deployment.dist_at, "the distribution is here");
        } else {
            d = glc_report(cx, "GLC103", z->at, P_ZONES, "zone %s gets no pods: replica_distribution gives it 0",
                           z->name);
            glc_related(cx, d, zv->entry[i]->replicas.at, "0 pods for %s here", z->name);
        }
        glc_note(cx, d, "the pods run in fewer zones than the cluster spans, so a zone outage takes a larger "
                 "share of them down");
        if (r >= (int64_t)zv->n)
            glc_help(cx, d, "give %s pods (an even split of %lld over %zu zones is %s), or remove it from "
                     "availability_zones",
                     z->name, (long long)r, zv->n, even_split(cx, r, zv->n));
        else
            glc_help(cx, d, "raise replicas to at least %zu so every zone runs a pod, or remove %s from "
                     "availability_zones",
                     zv->n, z->name);
    }
}

/* GLC104: max r_z − min r_z ≤ 1 over the listed zones. */
static void check_dist_skew(struct glc_ctx *cx, const struct zview *zv)
{
    const struct glc_k8s *k = zv->k;
    if (!zv->dist_given || zv->n < 2)
        return;
    size_t hi = zview_largest(zv), lo = zview_smallest(zv);
    int64_t skew = zv->pods[hi] - zv->pods[lo];
    if (skew <= 1)
        return;
    struct glc_loc at = zv->entry[hi] ? zv->entry[hi]->replicas.at : k->deployment.dist_at;
    struct glc_diag *d = glc_report(cx, "GLC104", at, P_DIST,
                                    "zones differ by %lld pods: %s has %lld, %s has %lld", (long long)skew,
                                    zv->zone[hi]->name, (long long)zv->pods[hi], zv->zone[lo]->name,
                                    (long long)zv->pods[lo]);
    glc_note(cx, d, "the zone topology spread constraint glc emits gets maxSkew %lld (max - min), so the "
             "scheduler keeps this imbalance",
             (long long)skew);
    int64_t total = 0;
    for (size_t i = 0; i < zv->n; i++)
        total += zv->pods[i];
    glc_help(cx, d, "spread the %lld pods evenly: %s", (long long)total, even_split(cx, total, zv->n));
}

/* GLC105: every zone is the region plus one letter. */
static void check_zone_region(struct glc_ctx *cx, const struct zview *zv)
{
    const struct glc_k8s *k = zv->k;
    const char *region = k->cluster.region.v;
    if (!region)
        return;
    size_t rl = strlen(region);
    for (size_t i = 0; i < zv->n; i++) {
        const char *name = zv->zone[i]->name;
        size_t nl = strlen(name);
        if (nl == rl + 1 && !strncmp(name, region, rl) && name[rl] >= 'a' && name[rl] <= 'z')
            continue;
        struct glc_diag *d = glc_report(cx, "GLC105", zv->zone[i]->at, P_ZONES,
                                        "zone %s is not in region %s", name, region);
        glc_note(cx, d, "a zone of %s is named %s plus one letter (%sa, %sb, ...)", region, region, region,
                 region);
        if (nl > 1)
            glc_help(cx, d, "use a zone of %s, or set cluster.region to %.*s if the cluster runs there",
                     region, (int)(nl - 1), name);
        glc_related(cx, d, k->cluster.region.at, "the region is set here");
    }
}

/* GLC106: losing the largest zone leaves pods — and enough of them for the HPA minimum. */
static void check_zone_loss(struct glc_ctx *cx, const struct zview *zv)
{
    const struct glc_k8s *k = zv->k;
    int64_t r = k->deployment.replicas.v;
    if (zv->n < 2)
        return;
    if (zv->dist_given && (zv->dist_sum != r || zv->dist_unknown))
        return; /* GLC101/GLC102 say the distribution is not what will run */
    size_t big = zview_largest(zv);
    int64_t lost = zv->pods[big], remaining = r - lost;
    const char *zone = zv->zone[big]->name;
    struct glc_loc at = zv->dist_given ? (zv->entry[big] ? zv->entry[big]->replicas.at : k->deployment.dist_at)
                                       : k->deployment.replicas.at;
    const char *path = zv->dist_given ? P_DIST : P_REPLICAS;
    const char *how = zv->dist_given ? "replica_distribution"
                                     : glc_sprintf(cx->arena, "glc's even split of %lld replica%s", (long long)r,
                                                   plural(r));
    if (remaining <= 0) {
        struct glc_diag *d = glc_report(cx, "GLC106", at, path,
                                        "losing %s takes every pod down: %s", zone,
                                        r == 1 ? "the only replica runs there"
                                               : glc_sprintf(cx->arena, "all %lld replicas run there",
                                                             (long long)r));
        d->severity = GLC_ERROR;
        glc_note(cx, d, "%s over %zu zones is %s", how, zv->n, split_str(cx, zv));
        if (r < (int64_t)zv->n)
            glc_help(cx, d, "raise replicas to at least %zu so every zone runs one", zv->n);
        else
            glc_help(cx, d, "spread the %lld replicas over the zones: %s", (long long)r,
                     even_split(cx, r, zv->n));
        return;
    }
    if (!k->hpa.enabled.v || k->hpa.min_replicas.v < 1)
        return;
    int64_t hmin = k->hpa.min_replicas.v, n = (int64_t)zv->n;
    int64_t keep = hmin - ceil_div(hmin, n);
    if (remaining >= keep)
        return;
    struct glc_diag *d = glc_report(cx, "GLC106", at, path,
                                    "losing %s leaves %lld pod%s; an even spread of the HPA minimum %lld "
                                    "keeps %lld",
                                    zone, (long long)remaining, plural(remaining), (long long)hmin,
                                    (long long)keep);
    glc_note(cx, d, "%s over %zu zones is %s: %s holds %lld of %lld pods", how, zv->n, split_str(cx, zv), zone,
             (long long)lost, (long long)r);
    glc_note(cx, d, "%lld - ceil(%lld / %zu zones) = %lld pods survive a zone loss at the HPA minimum",
             (long long)hmin, (long long)hmin, zv->n, (long long)keep);
    int64_t target = r > hmin ? r : hmin;
    glc_help(cx, d, "%s %lld replicas evenly (%s) so losing a zone keeps %lld",
             target > r ? "raise replicas to" : "spread the", (long long)target, even_split(cx, target, zv->n),
             (long long)(target - ceil_div(target, n)));
    glc_related(cx, d, k->hpa.min_replicas.at, "the HPA minimum is set here");
}

/* GLC107: no zone listed twice. */
static void check_zone_dup(struct glc_ctx *cx, const struct glc_k8s *k)
{
    for (size_t i = 1; i < k->cluster.nzones; i++) {
        const struct glc_zone *z = &k->cluster.zones[i];
        for (size_t j = 0; j < i; j++) {
            if (strcmp(k->cluster.zones[j].name, z->name))
                continue;
            struct glc_diag *d = glc_report(cx, "GLC107", z->at, P_ZONES,
                                            "zone %s is listed twice in availability_zones", z->name);
            glc_note(cx, d, "glc creates one node group per zone; a second listing would duplicate it");
            glc_help(cx, d, "remove the second %s", z->name);
            glc_related(cx, d, k->cluster.zones[j].at, "first listed here");
            break;
        }
    }
}

/* ------------------------------------------------------ anti-affinity, rollout */

/* maxSurge / maxUnavailable as the Deployment controller resolves them. */
static int64_t resolve(const glc_intpct *v, int64_t replicas, bool round_up)
{
    if (!v->percent)
        return v->v;
    int64_t x = v->v * replicas; /* v ≤ 999, replicas ≤ 100000 */
    return round_up ? ceil_div(x, 100) : x / 100;
}

static const char *intpct_str(struct glc_ctx *cx, const glc_intpct *v, int64_t resolved, int64_t replicas)
{
    if (!v->percent)
        return glc_sprintf(cx->arena, "%lld", (long long)v->v);
    return glc_sprintf(cx->arena, "%lld%% (%lld of %lld replicas)", (long long)v->v, (long long)resolved,
                       (long long)replicas);
}

/* GLC110: required zone anti-affinity admits one pod per zone. */
static void check_zone_aa(struct glc_ctx *cx, const struct zview *zv)
{
    const struct glc_k8s *k = zv->k;
    if (k->deployment.zone_aa.v != GLC_AFF_REQUIRED)
        return;
    int64_t n = (int64_t)zv->n, r = k->deployment.replicas.v;
    bool hpa = k->hpa.enabled.v && k->hpa.max_replicas.v > n;
    if (r <= n && !hpa)
        return;
    struct glc_diag *d;
    if (r > n) {
        d = glc_report(cx, "GLC110", k->deployment.zone_aa.at, P_ZONE_AA,
                       "required zone anti-affinity allows %lld pod%s (one per zone) but replicas is %lld: "
                       "%lld pod%s stay Pending",
                       (long long)n, plural(n), (long long)r, (long long)(r - n), plural(r - n));
        glc_related(cx, d, k->deployment.replicas.at, "replicas is set here");
    } else {
        int64_t m = k->hpa.max_replicas.v;
        d = glc_report(cx, "GLC110", k->deployment.zone_aa.at, P_ZONE_AA,
                       "required zone anti-affinity allows %lld pod%s (one per zone) but the HPA can scale "
                       "to %lld: %lld pod%s would stay Pending",
                       (long long)n, plural(n), (long long)m, (long long)(m - n), plural(m - n));
        glc_related(cx, d, k->hpa.max_replicas.at, "the HPA maximum is set here");
    }
    glc_note(cx, d, "requiredDuringSchedulingIgnoredDuringExecution on topology.kubernetes.io/zone admits "
             "a single pod per zone");
    glc_help(cx, d, "use zone: preferred (topology spread constraints already keep zones even)");
}

/* GLC111: required host anti-affinity admits one pod per node. */
static void check_host_aa(struct glc_ctx *cx, const struct glc_k8s *k)
{
    if (k->deployment.host_aa.v != GLC_AFF_REQUIRED || !k->ca.enabled.v)
        return;
    int64_t nodes = k->ca.max_nodes.v, r = k->deployment.replicas.v;
    bool hpa = k->hpa.enabled.v && k->hpa.max_replicas.v > nodes;
    if (r <= nodes && !hpa)
        return;
    struct glc_diag *d;
    int64_t want;
    if (r > nodes) {
        want = r;
        d = glc_report(cx, "GLC111", k->deployment.host_aa.at, P_HOST_AA,
                       "required host anti-affinity allows %lld pod%s (one per node, max_nodes %lld) but "
                       "replicas is %lld: %lld pod%s stay Pending",
                       (long long)nodes, plural(nodes), (long long)nodes, (long long)r,
                       (long long)(r - nodes), plural(r - nodes));
    } else {
        want = k->hpa.max_replicas.v;
        d = glc_report(cx, "GLC111", k->deployment.host_aa.at, P_HOST_AA,
                       "required host anti-affinity allows %lld pod%s (one per node, max_nodes %lld) but the "
                       "HPA can scale to %lld: %lld pod%s would stay Pending",
                       (long long)nodes, plural(nodes), (long long)nodes, (long long)want,
                       (long long)(want - nodes), plural(want - nodes));
    }
    glc_note(cx, d, "requiredDuringSchedulingIgnoredDuringExecution on kubernetes.io/hostname admits a "
             "single pod per node, and the cluster autoscaler stops at max_nodes");
    bool to_hpa = hpa && k->hpa.max_replicas.v > want; /* fewer nodes leave the HPA's pods Pending */
    if (to_hpa)
        want = k->hpa.max_replicas.v;
    glc_help(cx, d, "use host: preferred, or raise cluster.max_nodes to %lld%s", (long long)want,
             to_hpa ? " (the HPA maximum)" : "");
    glc_related(cx, d, k->ca.max_nodes.at, "max_nodes is set here");
}

/* GLC112: required host anti-affinity, maxUnavailable 0 and no free node:
 * the surge pod never schedules and no old pod may go first. */
static void check_rollout_deadlock(struct glc_ctx *cx, const struct glc_k8s *k)
{
    if (k->deployment.host_aa.v != GLC_AFF_REQUIRED || !k->ca.enabled.v)
        return;
    int64_t r = k->deployment.replicas.v, nodes = k->ca.max_nodes.v;
    int64_t surge = resolve(&k->deployment.max_surge, r, true);
    int64_t unavail = resolve(&k->deployment.max_unavailable, r, false);
    if (unavail != 0 || surge == 0) /* surge 0 too: GLC113, and the controller lets one pod go */
        return;
    int64_t peak = r;
    bool at_hpa = false;
    if (k->hpa.enabled.v && k->hpa.max_replicas.v > peak) {
        peak = k->hpa.max_replicas.v;
        at_hpa = true;
    }
    if (nodes > peak)
        return;
    const glc_intpct *mu = &k->deployment.max_unavailable;
    struct glc_diag *d;
    if (!at_hpa)
        d = glc_report(cx, "GLC112", mu->at, P_UNAVAIL,
                       "rolling update deadlocks: %lld pod%s with required host anti-affinity fill all %lld "
                       "node%s (max_nodes) and maxUnavailable is %s, so no surge pod can start and no old "
                       "pod may stop",
                       (long long)r, plural(r), (long long)nodes, plural(nodes), intpct_str(cx, mu, unavail, r));
    else
        d = glc_report(cx, "GLC112", mu->at, P_UNAVAIL,
                       "rolling update deadlocks at the HPA maximum: %lld pods with required host "
                       "anti-affinity fill all %lld nodes (max_nodes) and maxUnavailable is %s, so no "
                       "surge pod can start and no old pod may stop",
                       (long long)peak, (long long)nodes, intpct_str(cx, mu, unavail, r));
    const glc_intpct *ms = &k->deployment.max_surge;
    glc_note(cx, d, "maxSurge %lld%s adds %lld pod%s, each needing a node without a pod of this app; "
             "maxUnavailable 0 keeps every old pod until a new one is ready (kubernetes/kubernetes#116891)",
             (long long)ms->v, ms->percent ? "%" : "", (long long)surge, plural(surge));
    if (peak + surge <= MAX_NODES)
        glc_help(cx, d, "set max_unavailable: 1, or raise cluster.max_nodes to %lld (a free node per surge pod)",
                 (long long)(peak + surge));
    else
        glc_help(cx, d, "set max_unavailable: 1 (an old pod stops first and frees its node)");
    glc_related(cx, d, k->ca.max_nodes.at, "max_nodes is set here");
}

/* GLC113: maxSurge and maxUnavailable both 0, as written or after rounding. */
static void check_no_progress(struct glc_ctx *cx, const struct glc_k8s *k)
{
    int64_t r = k->deployment.replicas.v;
    const glc_intpct *ms = &k->deployment.max_surge, *mu = &k->deployment.max_unavailable;
    int64_t surge = resolve(ms, r, true), unavail = resolve(mu, r, false);
    if (surge != 0 || unavail != 0)
        return;
    struct glc_diag *d;
    if (ms->v == 0 && mu->v == 0) {
        d = glc_report(cx, "GLC113", ms->at, P_SURGE,
                       "max_surge and max_unavailable are both 0: a rollout could neither add nor remove a "
                       "pod, so the API server rejects the Deployment");
        glc_note(cx, d, "apps validation (ValidateRollingUpdateDeployment): maxUnavailable may not be 0 when "
                 "maxSurge is 0");
    } else {
        d = glc_report(cx, "GLC113", ms->at, P_SURGE,
                       "max_surge %s and max_unavailable %s both resolve to 0 pods: as written, no "
                       "rollout step is allowed",
                       intpct_str(cx, ms, surge, r), intpct_str(cx, mu, unavail, r));
        glc_note(cx, d, "a max_unavailable percentage rounds down; when both resolve to 0 the Deployment "
                 "controller overrides maxUnavailable to 1 (ResolveFenceposts) and takes a pod down anyway");
    }
    glc_related(cx, d, mu->at, "max_unavailable is set here");
    glc_help(cx, d, "set max_surge: 1 (one extra pod during the rollout), or max_unavailable: 1");
}

/* "3 pods/node: 2000m cpu of 7910m allocatable, 4Gi of 15.0Gi (EKS allocatable for c6i.2xlarge)" */
static void note_pods_per_node(struct glc_ctx *cx, struct glc_diag *d, const struct glc_k8s *k,
                               const struct glc_capacity *cap)
{
    struct glc_arena *a = cx->arena;
    if (cap->binding && !strcmp(cap->binding, "max-pods")) {
        glc_note(cx, d, "%lld pods/node: the max-pods limit of %s", (long long)cap->pods_per_node,
                 cap->instance->name);
        return;
    }
    glc_note(cx, d, "%lld pods/node: %s cpu of %s allocatable, %s of %s (EKS allocatable for %s)",
             (long long)cap->pods_per_node, glc_fmt_cpu(a, k->resources.req_cpu.v),
             glc_fmt_cpu(a, cap->alloc.cpu_milli), glc_fmt_bytes(a, k->resources.req_mem.v),
             glc_fmt_bytes(a, cap->alloc.memory_bytes), cap->instance->name);
}

/* GLC114: the cluster holds the replicas plus the rollout's surge pods. */
static void check_surge_capacity(struct glc_ctx *cx, const struct glc_k8s *k, const struct glc_capacity *cap)
{
    if (!cap || !cap->instance || cap->pods_per_node <= 0 || !k->ca.enabled.v)
        return;
    int64_t r = k->deployment.replicas.v, nodes = k->ca.max_nodes.v;
    int64_t surge = resolve(&k->deployment.max_surge, r, true);
    int64_t hold = nodes * cap->pods_per_node; /* ≤ 100000 × max-pods */
    if (surge == 0 || r + surge <= hold)
        return;
    const glc_intpct *ms = &k->deployment.max_surge;
    struct glc_diag *d = glc_report(cx, "GLC114", ms->at, P_SURGE,
                                    "a rollout runs up to %lld pods (%lld replicas + %lld surge) but %lld %s "
                                    "node%s hold at most %lld",
                                    (long long)(r + surge), (long long)r, (long long)surge, (long long)nodes,
                                    cap->instance->name, plural(nodes), (long long)hold);
    note_pods_per_node(cx, d, k, cap);
    int64_t need = ceil_div(r + surge, cap->pods_per_node);
    if (need > MAX_NODES && hold > r)
        glc_help(cx, d, "lower max_surge to %lld", (long long)(hold - r));
    else if (need > MAX_NODES)
        glc_help(cx, d, "use max_surge: 0 with max_unavailable: 1 (the replicas alone fill the cluster)");
    else if (hold > r)
        glc_help(cx, d, "raise cluster.max_nodes to %lld, or lower max_surge to %lld", (long long)need,
                 (long long)(hold - r));
    else
        glc_help(cx, d, "raise cluster.max_nodes to %lld, or use max_surge: 0 with max_unavailable: 1 (the "
                 "replicas alone fill the cluster)",
                 (long long)need);
    glc_related(cx, d, k->ca.max_nodes.at, "max_nodes is set here");
}

void glc_check_zone(struct glc_ctx *cx, const struct glc_capacity *cap)
{
    const struct glc_k8s *k = cx->model.k8s;
    if (!k)
        return;
    struct zview zv = {0};
    zview_build(cx, k, &zv);
    check_dist_sum(cx, &zv);
    check_dist_unknown(cx, &zv);
    check_dist_missing(cx, &zv);
    check_dist_skew(cx, &zv);
    check_zone_region(cx, &zv);
    check_zone_loss(cx, &zv);
    check_zone_dup(cx, k);
    check_zone_aa(cx, &zv);
    check_host_aa(cx, k);
    check_rollout_deadlock(cx, k);
    check_no_progress(cx, k);
    check_surge_capacity(cx, k, cap);
}
