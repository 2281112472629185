/*
 * view.c — stage 5: the checked model as a JSON view for the templates.
 *
 * Everything a template needs is computed here once (derived numbers such as
 * the zone skew, per-zone node-group sizes, canonical quantities), so the
 * templates stay logic-less. Key order is fixed, so the view is deterministic;
 * `glc build --view` prints it for template authors.
 */
#include "glc.h"

#include <jansson.h>
#include <string.h>

static json_t *str(const char *s)
{
    return json_string(s ? s : "");
}

static void set(json_t *o, const char *k, json_t *v)
{
    json_object_set_new(o, k, v);
}

static char *upper_ident(struct glc_arena *a, const char *s)
{
    char *u = glc_strdup(a, s);
    for (char *p = u; *p; p++)
        *p = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : (*p == '-' ? '_' : *p);
    return u;
}

/* ---- names for the Terraform output ----
 * AWS caps these names (an ELB or target group name at 32 characters, an IAM
 * role or EKS node group name_prefix at 38 and 37, since Terraform appends a
 * 26-character unique suffix), so the view derives names that always fit. */

/* a-b, cutting a (never b) so the whole fits in max; no '-' left dangling. */
static char *join_fit(struct glc_arena *ar, const char *a, const char *b, size_t max)
{
    size_t la = strlen(a), lb = strlen(b);
    if (lb + 2 > max) { /* no room for any of a: b alone, cut */
        size_t n = lb < max ? lb : max;
        while (n > 1 && b[n - 1] == '-')
            n--;
        return glc_strndup(ar, b, n);
    }
    size_t keep = la + 1 + lb <= max ? la : max - 1 - lb;
    while (keep > 1 && a[keep - 1] == '-')
        keep--;
    return glc_sprintf(ar, "%.*s-%s", (int)keep, a, b);
}

/* A name_prefix of at most max characters: s cut, then one '-'. */
static char *prefix_fit(struct glc_arena *ar, const char *s, size_t max)
{
    size_t n = strlen(s) < max - 1 ? strlen(s) : max - 1;
    while (n > 1 && s[n - 1] == '-')
        n--;
    return glc_sprintf(ar, "%.*s-", (int)n, s);
}

/* An HCL identifier (also a safe map key): [a-z0-9_], never starting with a digit. */
static char *hcl_ident(struct glc_arena *ar, const char *s)
{
    char *u = glc_sprintf(ar, "%s%s", (*s >= '0' && *s <= '9') ? "n_" : "", s);
    for (char *p = u; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    return u;
}

static uint32_t fnv1a(const char *a, const char *b)
{
    uint32_t h = 2166136261u;
    for (const char *p = a; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    h = (h ^ '/') * 16777619u;
    for (const char *p = b; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

/* The NLB's name: unique per account and region, at most 32 characters, not
 * starting with "internal-" (AWS reserves it): <cluster>-<app> when that fits,
 * else <app>-<8 hex digits of a hash of cluster and app>. */
static char *lb_name(struct glc_arena *ar, const char *cluster, const char *app)
{
    char *n = glc_sprintf(ar, "%s-%s", cluster, app);
    if (strlen(n) > 32 || !strncmp(n, "internal-", 9)) {
        char *h = glc_sprintf(ar, "%08x", (unsigned)fnv1a(cluster, app));
        n = join_fit(ar, strncmp(app, "internal-", 9) ? app : glc_sprintf(ar, "nlb-%s", app), h, 32);
    }
    return n;
}

/* maxSurge / maxUnavailable: {value, percent}; the template spells "25%" or 3. */
static json_t *intpct(const glc_intpct *v)
{
    json_t *o = json_object();
    set(o, "value", json_integer(v->v));
    set(o, "percent", json_boolean(v->percent));
    return o;
}

static json_t *view_app(struct glc_ctx *cx, const struct glc_k8s *k, int64_t drain)
{
    json_t *a = json_object();
    set(a, "name", str(k->app.name.v));
    set(a, "namespace", str(k->app.namespace.v));
    set(a, "image", str(k->app.image.v));
    set(a, "version", str(k->app.version.v));
    set(a, "image_ref", json_string(glc_sprintf(cx->arena, "%s:%s", k->app.image.v, k->app.version.v)));
    set(a, "http_port", json_integer(k->app.http_port.v));
    set(a, "metrics_port", json_integer(k->app.metrics_port.v));
    set(a, "runtime", json_string(glc_sprintf(cx->arena, "%s-runtime", k->app.name.v)));
    set(a, "drain_seconds", json_integer(drain));
    return a;
}

static int64_t split(int64_t total, size_t n, size_t i)
{
    return total / (int64_t)n + ((int64_t)i < total % (int64_t)n ? 1 : 0);
}

static json_t *view_zones(struct glc_ctx *cx, const struct glc_k8s *k, int64_t *skew, int64_t *largest,
                          const struct glc_capacity *cap)
{
    json_t *zs = json_array();
    size_t n = k->cluster.nzones;
    int64_t lo = INT64_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t r = k->cluster.zones[i].pods;
        lo = r < lo ? r : lo;
        hi = r > hi ? r : hi;
        json_t *z = json_object();
        set(z, "name", str(k->cluster.zones[i].name));
        set(z, "key", json_string(upper_ident(cx->arena, k->cluster.zones[i].name)));
        set(z, "ident", json_string(glc_sprintf(cx->arena, "%s", k->cluster.zones[i].name)));
        set(z, "replicas", json_integer(r));
        int64_t nmin, nmax;
        if (k->ca.enabled.v) {
            nmin = split(k->ca.min_nodes.v, n, i);
            nmax = split(k->ca.max_nodes.v, n, i);
        } else { /* no autoscaler: fixed groups for this zone's pods and its surge share */
            nmin = nmax = glc_fixed_zone_nodes(k, cap, i);
        }
        if (nmax < 1)
            nmax = 1;
        set(z, "min_nodes", json_integer(nmin));
        set(z, "max_nodes", json_integer(nmax));
        set(z, "desired_nodes", json_integer(nmin));
        set(z, "last", json_boolean(i + 1 == n));
        /* Terraform: the eks_managed_node_groups key, and the node group's name
         * (also its IAM role's name), which must fit a 37-character name_prefix */
        set(z, "node_group_key", json_string(hcl_ident(cx->arena, glc_sprintf(cx->arena, "%s_%s", k->app.name.v,
                                                                                   k->cluster.zones[i].name))));
        set(z, "node_group_name", json_string(join_fit(cx->arena, k->app.name.v, k->cluster.zones[i].name, 36)));
        json_array_append_new(zs, z);
    }
    *skew = n ? (hi - lo > 1 ? hi - lo : 1) : 1;
    *largest = hi;
    return zs;
}

static json_t *view_probe(const struct glc_probe *p)
{
    json_t *o = json_object();
    set(o, "path", str(p->path.v));
    set(o, "port", json_integer(p->port.v));
    set(o, "initial_delay", json_integer(p->initial_delay.v));
    set(o, "period", json_integer(p->period.v));
    set(o, "timeout", json_integer(p->timeout.v));
    set(o, "failure_threshold", json_integer(p->failure_threshold.v));
    set(o, "success_threshold", json_integer(p->success_threshold.v));
    return o;
}

static json_t *view_deployment(struct glc_ctx *cx, const struct glc_k8s *k, int64_t skew)
{
    json_t *d = json_object();
    set(d, "replicas", json_integer(k->deployment.replicas.v));
    set(d, "termination_grace_period", json_integer(k->deployment.termination_grace_period.v));
    set(d, "max_unavailable", intpct(&k->deployment.max_unavailable));
    set(d, "max_surge", intpct(&k->deployment.max_surge));
    set(d, "max_skew", json_integer(skew));
    static const char *const aff[] = {"none", "preferred", "required"};
    set(d, "zone_anti_affinity", json_string(aff[k->deployment.zone_aa.v]));
    set(d, "host_anti_affinity", json_string(aff[k->deployment.host_aa.v]));
    set(d, "zone_preferred", json_boolean(k->deployment.zone_aa.v == GLC_AFF_PREFERRED));
    set(d, "zone_required", json_boolean(k->deployment.zone_aa.v == GLC_AFF_REQUIRED));
    set(d, "host_preferred", json_boolean(k->deployment.host_aa.v == GLC_AFF_PREFERRED));
    set(d, "host_required", json_boolean(k->deployment.host_aa.v == GLC_AFF_REQUIRED));
    set(d, "any_preferred", json_boolean(k->deployment.zone_aa.v == GLC_AFF_PREFERRED ||
                                         k->deployment.host_aa.v == GLC_AFF_PREFERRED));
    set(d, "any_required", json_boolean(k->deployment.zone_aa.v == GLC_AFF_REQUIRED ||
                                        k->deployment.host_aa.v == GLC_AFF_REQUIRED));
    set(d, "any_anti_affinity", json_boolean(k->deployment.zone_aa.v != GLC_AFF_NONE ||
                                             k->deployment.host_aa.v != GLC_AFF_NONE));
    json_t *res = json_object();
    set(res, "requests_cpu", json_string(glc_k8s_cpu(cx->arena, k->resources.req_cpu.v)));
    set(res, "requests_memory", json_string(glc_k8s_bytes(cx->arena, k->resources.req_mem.v)));
    set(res, "limits_cpu", json_string(glc_k8s_cpu(cx->arena, k->resources.lim_cpu.v)));
    set(res, "limits_memory", json_string(glc_k8s_bytes(cx->arena, k->resources.lim_mem.v)));
    set(d, "resources", res);
    set(d, "liveness", view_probe(&k->liveness));
    set(d, "readiness", view_probe(&k->readiness));
    set(d, "startup", view_probe(&k->startup));
    return d;
}

static json_t *view_hpa(const struct glc_k8s *k)
{
    json_t *h = json_object();
    set(h, "enabled", json_boolean(k->hpa.enabled.v));
    set(h, "min_replicas", json_integer(k->hpa.min_replicas.v));
    set(h, "max_replicas", json_integer(k->hpa.max_replicas.v));
    set(h, "target_cpu", json_integer(k->hpa.target_cpu.v));
    set(h, "target_memory", json_integer(k->hpa.target_memory.v));
    set(h, "requests_per_second", json_integer(k->hpa.target_requests_per_second.v));
    set(h, "has_requests_metric", json_boolean(k->hpa.target_requests_per_second.v > 0));
    set(h, "scale_up_stabilization", json_integer(k->hpa.scale_up_stabilization.v));
    set(h, "scale_down_stabilization", json_integer(k->hpa.scale_down_stabilization.v));
    set(h, "scale_up_percent", json_integer(k->hpa.scale_up_percent.v));
    set(h, "scale_up_pods", json_integer(k->hpa.scale_up_pods.v));
    set(h, "scale_up_period", json_integer(k->hpa.scale_up_period.v));
    set(h, "scale_down_percent", json_integer(k->hpa.scale_down_percent.v));
    set(h, "scale_down_period", json_integer(k->hpa.scale_down_period.v));
    return h;
}

static json_t *view_vpa(struct glc_ctx *cx, const struct glc_k8s *k)
{
    static const char *const modes[] = {"Off", "Initial", "Recreate", "Auto", "InPlaceOrRecreate"};
    json_t *v = json_object();
    set(v, "enabled", json_boolean(k->vpa.enabled.v));
    set(v, "update_mode", json_string(modes[k->vpa.mode.v]));
    set(v, "min_cpu", json_string(glc_k8s_cpu(cx->arena, k->vpa.min_cpu.v)));
    set(v, "max_cpu", json_string(glc_k8s_cpu(cx->arena, k->vpa.max_cpu.v)));
    set(v, "min_memory", json_string(glc_k8s_bytes(cx->arena, k->vpa.min_mem.v)));
    set(v, "max_memory", json_string(glc_k8s_bytes(cx->arena, k->vpa.max_mem.v)));
    json_t *cr = json_array();
    if (k->vpa.controls_cpu)
        json_array_append_new(cr, json_string("cpu"));
    if (k->vpa.controls_memory)
        json_array_append_new(cr, json_string("memory"));
    set(v, "controlled_resources", cr);
    return v;
}

static json_t *view_ca(struct glc_ctx *cx, const struct glc_k8s *k)
{
    json_t *c = json_object();
    set(c, "enabled", json_boolean(k->ca.enabled.v));
    set(c, "min_nodes", json_integer(k->ca.min_nodes.v));
    set(c, "max_nodes", json_integer(k->ca.max_nodes.v));
    int64_t a = k->ca.scale_down_delay_after_add_ms.v, u = k->ca.scale_down_unneeded_time_ms.v;
    set(c, "scale_down_delay_after_add", json_string(glc_sprintf(cx->arena, "%llds", (long long)((a + 999) / 1000))));
    set(c, "scale_down_unneeded_time", json_string(glc_sprintf(cx->arena, "%llds", (long long)((u + 999) / 1000))));
    /* Terraform: name_prefix of the autoscaler's IRSA role (IAM caps a prefix at 38) */
    set(c, "iam_role_prefix", json_string(prefix_fit(cx->arena, glc_sprintf(cx->arena, "%s-ca", k->cluster.name.v), 38)));
    return c;
}

static json_t *view_lb(struct glc_ctx *cx, const struct glc_k8s *k)
{
    json_t *l = json_object();
    /* Terraform: the NLB's name and the target group's name_prefix (at most 6) */
    set(l, "name", json_string(lb_name(cx->arena, k->cluster.name.v, k->app.name.v)));
    set(l, "target_group_prefix", json_string(prefix_fit(cx->arena, k->app.name.v, 6)));
    set(l, "internal", json_boolean(!strcmp(k->lb.scheme.v, "internal")));
    set(l, "scheme", str(k->lb.scheme.v));
    set(l, "cross_zone", json_boolean(k->lb.cross_zone.v));
    set(l, "stickiness", json_boolean(!strcmp(k->lb.session_affinity.v, "source_ip")));
    set(l, "deregistration_delay", json_integer(k->lb.deregistration_delay.v));
    set(l, "health_check_interval", json_integer(k->lb.health_check_interval.v));
    set(l, "health_check_path", str(k->lb.health_check_path.v));
    set(l, "healthy_threshold", json_integer(k->lb.healthy_threshold.v));
    set(l, "unhealthy_threshold", json_integer(k->lb.unhealthy_threshold.v));
    /* NLB health checks time out at most at the interval; keep 5 s under it */
    int64_t t = k->lb.health_check_interval.v > 10 ? 10 : k->lb.health_check_interval.v - 1;
    set(l, "health_check_timeout", json_integer(t < 2 ? 2 : t));
    return l;
}

static const char *check_name(enum glc_check c)
{
    static const char *const n[] = {"none", "postgres", "redis", "kafka"};
    return n[c];
}

static bool is_readiness_dep(const struct glc_k8s *k, const char *name)
{
    if (!k)
        return false;
    for (size_t i = 0; i < k->readiness_deps.n; i++)
        if (!strcmp(k->readiness_deps.names[i], name))
            return true;
    return false;
}

static json_t *view_breakers(struct glc_ctx *cx, const struct glc_resilience *r, const struct glc_k8s *k)
{
    json_t *a = json_array();
    for (size_t i = 0; r && i < r->nbreakers; i++) {
        const struct glc_breaker *b = &r->breakers[i];
        json_t *o = json_object();
        set(o, "name", str(b->name));
        set(o, "ident", json_string(upper_ident(cx->arena, b->name)));
        set(o, "failure_threshold", json_integer(b->failure_threshold.v));
        set(o, "recovery_timeout", json_integer(b->recovery_timeout.v));
        set(o, "recovery_timeout_ms", json_integer(b->recovery_timeout.v * 1000));
        set(o, "half_open_max_calls", json_integer(b->half_open_max_calls.v));
        set(o, "success_threshold", json_integer(b->success_threshold.v));
        set(o, "check", json_string(check_name(b->check.v)));
        set(o, "check_enum", json_string(upper_ident(cx->arena, check_name(b->check.v))));
        set(o, "readiness", json_integer(is_readiness_dep(k, b->name)));
        set(o, "index", json_integer((json_int_t)i));
        set(o, "last", json_boolean(i + 1 == r->nbreakers));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *view_monitoring(const struct glc_resilience *r)
{
    json_t *m = json_object();
    bool slack = false, pd = false;
    for (size_t i = 0; r && i < r->monitoring.nchannels; i++) {
        slack |= !strcmp(r->monitoring.channels[i], "slack");
        pd |= !strcmp(r->monitoring.channels[i], "pagerduty");
    }
    set(m, "enabled", json_integer(r ? r->enabled.v : 0));
    set(m, "track_state_changes", json_integer(r ? r->monitoring.track_state_changes.v : 0));
    set(m, "alert_on_open", json_integer(r ? r->monitoring.alert_on_open.v : 0));
    set(m, "alert_on_close", json_integer(r ? r->monitoring.alert_on_close.v : 0));
    set(m, "alert_slack", json_integer(slack));
    set(m, "alert_pagerduty", json_integer(pd));
    return m;
}

static json_t *view_inputs(struct glc_ctx *cx)
{
    /* basenames: the output must not depend on the directory glc ran from */
    struct glc_buf b = {0};
    const struct glc_model *m = &cx->model;
    const int files[2] = {m->k8s ? m->k8s->file : -1, m->res ? m->res->file : -1};
    for (int i = 0; i < 2; i++) {
        if (files[i] < 0)
            continue;
        const char *p = cx->files[files[i]].path, *s = strrchr(p, '/');
        glc_buf_puts(&b, b.len ? " and " : "");
        /* the name lands in comments of every output: keep only characters that
         * cannot end a comment or a line in any of the output languages */
        for (const char *c = s ? s + 1 : p; *c; c++) {
            bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                      *c == '.' || *c == '_' || *c == '-' || *c == '+' || *c == '@';
            glc_buf_putc(&b, ok ? *c : '_');
        }
    }
    json_t *r = json_string(b.data ? b.data : "");
    glc_buf_free(&b);
    return r;
}

json_t *glc_view(struct glc_ctx *cx)
{
    const struct glc_capacity *cap = &cx->capacity;
    const struct glc_k8s *k = cx->model.k8s;
    const struct glc_resilience *r = cx->model.res;
    json_t *v = json_object();
    json_t *g = json_object();
    set(g, "version", json_string(GLC_VERSION));
    set(g, "inputs", view_inputs(cx));
    set(v, "glc", g);
    if (k) {
        int64_t skew = 1, largest = 0;
        int64_t grace = k->deployment.termination_grace_period.v;
        int64_t drain = grace / 4 < 15 ? grace / 4 : 15; /* keep serving while endpoints update */
        set(v, "app", view_app(cx, k, drain));
        json_t *c = json_object();
        set(c, "name", str(k->cluster.name.v));
        set(c, "region", str(k->cluster.region.v));
        set(c, "instance_type", str(k->cluster.instance_type.v));
        /* Terraform: the cluster IAM role's name; the EKS module adds "-" and a
         * 26-character suffix, and IAM caps a name_prefix at 38 */
        set(c, "iam_role_name", json_string(join_fit(cx->arena, k->cluster.name.v, "cluster", 37)));
        set(v, "cluster", c);
        set(v, "zones", view_zones(cx, k, &skew, &largest, cap));
        set(v, "deployment", view_deployment(cx, k, skew));
        json_t *pdb = json_object();
        set(pdb, "max_unavailable", json_integer(largest > 0 ? largest : 1));
        set(v, "pdb", pdb);
        set(v, "hpa", view_hpa(k));
        set(v, "vpa", view_vpa(cx, k));
        set(v, "ca", view_ca(cx, k));
        set(v, "lb", view_lb(cx, k));
    }
    set(v, "breakers", view_breakers(cx, r, k));
    set(v, "breaker_count", json_integer(r ? (json_int_t)r->nbreakers : 0));
    set(v, "monitoring", view_monitoring(r));
    return v;
}
