/*
 * model.c — stage 3: validated trees → the typed model (struct glc_model).
 *
 * Runs only on files that passed the schema, so types and ranges hold here.
 * Absent keys take the schema's default; a defaulted value keeps the location
 * of the nearest key that is present, so rules can still point at a line.
 */
#include "glc.h"

#include <jansson.h>
#include <string.h>

struct mb {
    struct glc_ctx *cx;
    int kind;
};

struct sect {            /* a mapping and where its key is */
    const struct glc_ynode *map;
    struct glc_loc at;
};

static const struct glc_ypair *find_pair(const struct glc_ynode *map, const char *key)
{
    if (!map || map->kind != GLC_YMAP)
        return NULL;
    for (uint32_t i = 0; i < map->count; i++)
        if (!strcmp(map->u.pairs[i].key->u.str, key))
            return &map->u.pairs[i];
    return NULL;
}

static struct sect sub(struct sect s, const char *key)
{
    const struct glc_ypair *p = find_pair(s.map, key);
    struct sect r = {NULL, s.at};
    if (p) {
        r.map = p->val->kind == GLC_YMAP ? p->val : NULL;
        r.at = p->key->at;
    }
    return r;
}

static const char *dotted(struct mb *m, const char *prefix, const char *key)
{
    return glc_sprintf(m->cx->arena, "%s.%s", prefix, key);
}

static json_t *def(struct mb *m, const char *prefix, const char *key)
{
    return glc_schema_default(m->cx, m->kind, dotted(m, prefix, key));
}

/* A YAML 1.2 integer (validated by schema.c): decimal, 0x hex or 0o octal;
 * a leading zero is decimal ("010" is 10, not YAML 1.1's 8). */
static int64_t yaml_int(const char *s)
{
    if (s[0] == '0' && s[1] == 'x')
        return strtoll(s + 2, NULL, 16);
    if (s[0] == '0' && s[1] == 'o')
        return strtoll(s + 2, NULL, 8);
    return strtoll(s, NULL, 10);
}

/* The scalar written for `key` in section s, or NULL when it is absent. A
 * present value locates r_at at its pair; an absent one keeps the section's
 * location, so a defaulted value still points at a line to change. */
static const char *present(struct sect s, const char *key, struct glc_loc *r_at, bool *set)
{
    const struct glc_ypair *p = find_pair(s.map, key);
    *r_at = s.at;
    *set = p && p->val->kind == GLC_YSCALAR;
    if (!*set)
        return NULL;
    *r_at = glc_pair_span(p);
    return p->val->u.str;
}

static glc_int get_int(struct mb *m, struct sect s, const char *prefix, const char *key)
{
    glc_int r;
    const char *v = present(s, key, &r.at, &r.set);
    r.v = v ? yaml_int(v) : json_integer_value(def(m, prefix, key));
    return r;
}

static glc_bool get_bool(struct mb *m, struct sect s, const char *prefix, const char *key)
{
    glc_bool r;
    const char *v = present(s, key, &r.at, &r.set);
    r.v = v ? (v[0] == 't' || v[0] == 'T') : json_is_true(def(m, prefix, key));
    return r;
}

static glc_str get_str(struct mb *m, struct sect s, const char *prefix, const char *key)
{
    glc_str r;
    r.v = present(s, key, &r.at, &r.set);
    if (!r.v)
        r.v = json_string_value(def(m, prefix, key));
    return r;
}

static glc_qty get_qty(struct mb *m, struct sect s, const char *prefix, const char *key, bool cpu)
{
    glc_str t = get_str(m, s, prefix, key);
    glc_qty r = {.text = t.v, .at = t.at, .set = t.set};
    const char *why;
    if (t.v)
        (cpu ? glc_qty_cpu_milli : glc_qty_bytes)(t.v, &r.v, &why);
    return r;
}

static glc_intpct get_intpct(struct mb *m, struct sect s, const char *prefix, const char *key)
{
    glc_str t = get_str(m, s, prefix, key);
    glc_intpct r = {.at = t.at, .set = t.set};
    if (t.v) {
        r.percent = strchr(t.v, '%') != NULL;
        r.v = r.percent ? strtoll(t.v, NULL, 10) : yaml_int(t.v); /* 0x3 is 3, as the schema read it */
    } else {
        r.v = json_integer_value(def(m, prefix, key));
    }
    return r;
}

static int64_t get_duration(struct mb *m, struct sect s, const char *prefix, const char *key,
                            struct glc_loc *at)
{
    glc_str t = get_str(m, s, prefix, key);
    int64_t ms = 0;
    const char *why;
    if (t.v)
        glc_duration_ms(t.v, &ms, &why);
    *at = t.at;
    return ms;
}

static enum glc_affinity get_affinity(struct mb *m, struct sect s, const char *prefix,
                                      const char *key, struct glc_loc *at, bool *set)
{
    glc_str t = get_str(m, s, prefix, key);
    *at = t.at;
    *set = t.set;
    if (!t.v || !strcmp(t.v, "none"))
        return GLC_AFF_NONE;
    return strcmp(t.v, "required") ? GLC_AFF_PREFERRED : GLC_AFF_REQUIRED;
}

/* ---- kubernetes ---- */

static void build_app(struct mb *m, struct glc_k8s *k, struct sect top)
{
    struct sect s = sub(top, "app");
    const char *p = "kubernetes.app";
    k->app.at = s.at;
    k->app.name = get_str(m, s, p, "name");
    k->app.namespace = get_str(m, s, p, "namespace");
    k->app.image = get_str(m, s, p, "image");
    k->app.version = get_str(m, s, p, "version");
    k->app.http_port = get_int(m, s, p, "http_port");
    k->app.metrics_port = get_int(m, s, p, "metrics_port");
}

static void build_cluster(struct mb *m, struct glc_k8s *k, struct sect top)
{
    struct sect s = sub(top, "cluster");
    const char *p = "kubernetes.cluster";
    k->cluster.at = s.at;
    k->cluster.name = get_str(m, s, p, "name");
    k->cluster.region = get_str(m, s, p, "region");
    k->cluster.instance_type = get_str(m, sub(s, "node_group"), "kubernetes.cluster.node_group",
                                       "instance_type");
    const struct glc_ypair *zp = find_pair(s.map, "availability_zones");
    k->cluster.zones_at = zp ? zp->key->at : s.at;
    if (!zp || zp->val->kind != GLC_YSEQ)
        return;
    k->cluster.nzones = zp->val->count;
    k->cluster.zones = glc_alloc(m->cx->arena, sizeof *k->cluster.zones * (zp->val->count + 1));
    for (uint32_t i = 0; i < zp->val->count; i++) {
        k->cluster.zones[i].name = zp->val->u.items[i]->u.str;
        k->cluster.zones[i].at = zp->val->u.items[i]->at;
    }
}

static void build_deployment(struct mb *m, struct glc_k8s *k, struct sect top)
{
    struct sect s = sub(top, "deployment");
    const char *p = "kubernetes.deployment";
    k->deployment.at = s.at;
    k->deployment.replicas = get_int(m, s, p, "replicas");
    k->deployment.termination_grace_period = get_int(m, s, p, "termination_grace_period");
    struct sect st = sub(s, "strategy");
    k->deployment.max_unavailable = get_intpct(m, st, "kubernetes.deployment.strategy", "max_unavailable");
    k->deployment.max_surge = get_intpct(m, st, "kubernetes.deployment.strategy", "max_surge");
    struct sect aa = sub(s, "anti_affinity");
    const char *ap = "kubernetes.deployment.anti_affinity";
    k->deployment.zone_aa.v = get_affinity(m, aa, ap, "zone", &k->deployment.zone_aa.at,
                                           &k->deployment.zone_aa.set);
    k->deployment.host_aa.v = get_affinity(m, aa, ap, "host", &k->deployment.host_aa.at,
                                           &k->deployment.host_aa.set);
    const struct glc_ypair *dp = find_pair(s.map, "replica_distribution");
    k->deployment.dist_at = dp ? dp->key->at : s.at;
    if (dp && dp->val->kind == GLC_YMAP) {
        const struct glc_ynode *d = dp->val;
        k->deployment.ndist = d->count;
        k->deployment.dist = glc_alloc(m->cx->arena, sizeof *k->deployment.dist * (d->count + 1));
        for (uint32_t i = 0; i < d->count; i++) {
            struct glc_dist_entry *e = &k->deployment.dist[i];
            e->zone = d->u.pairs[i].key->u.str;
            e->key_at = d->u.pairs[i].key->at;
            e->replicas.v = yaml_int(d->u.pairs[i].val->u.str);
            e->replicas.at = glc_pair_span(&d->u.pairs[i]);
            e->replicas.set = true;
        }
    }
    int64_t n = (int64_t)k->cluster.nzones, r = k->deployment.replicas.v;
    for (size_t z = 0; z < k->cluster.nzones; z++) {
        struct glc_zone *zone = &k->cluster.zones[z];
        zone->replicas.at = k->deployment.dist_at;
        for (size_t i = 0; i < k->deployment.ndist; i++)
            if (!strcmp(k->deployment.dist[i].zone, zone->name))
                zone->replicas = k->deployment.dist[i].replicas;
        zone->pods = k->deployment.ndist ? zone->replicas.v : r / n + ((int64_t)z < r % n ? 1 : 0);
    }
}

static void build_resources(struct mb *m, struct glc_k8s *k, struct sect top)
{
    struct sect s = sub(top, "resources");
    k->resources.at = s.at;
    struct sect rq = sub(s, "requests"), lm = sub(s, "limits");
    k->resources.req_cpu = get_qty(m, rq, "kubernetes.resources.requests", "cpu", true);
    k->resources.req_mem = get_qty(m, rq, "kubernetes.resources.requests", "memory", false);
    k->resources.lim_cpu = get_qty(m, lm, "kubernetes.resources.limits", "cpu", true);
    k->resources.lim_mem = get_qty(m, lm, "kubernetes.resources.limits", "memory", false);
}

static glc_bool section_enabled(struct mb *m, struct sect parent, struct sect s, const char *prefix)
{
    glc_bool r = get_bool(m, s, prefix, "enabled");
    if (s.at.line == parent.at.line && s.at.col == parent.at.col && !s.map)
        r.v = false; /* the section is absent */
    return r;
}

static void build_hpa(struct mb *m, struct glc_k8s *k, struct sect as)
{
    struct sect s = sub(as, "horizontal");
    const char *p = "kubernetes.autoscaling.horizontal";
    k->hpa.at = s.at;
    k->hpa.enabled = section_enabled(m, as, s, p);
    k->hpa.min_replicas = get_int(m, s, p, "min_replicas");
    k->hpa.max_replicas = get_int(m, s, p, "max_replicas");
    k->hpa.target_cpu = get_int(m, s, p, "target_cpu_percentage");
    k->hpa.target_memory = get_int(m, s, p, "target_memory_percentage");
    k->hpa.target_requests_per_second = get_int(m, s, p, "target_requests_per_second");
    k->hpa.scale_up_stabilization = get_int(m, s, p, "scale_up_stabilization");
    k->hpa.scale_down_stabilization = get_int(m, s, p, "scale_down_stabilization");
    k->hpa.scale_up_percent = get_int(m, s, p, "scale_up_percent");
    k->hpa.scale_up_pods = get_int(m, s, p, "scale_up_pods");
    k->hpa.scale_up_period = get_int(m, s, p, "scale_up_period");
    k->hpa.scale_down_percent = get_int(m, s, p, "scale_down_percent");
    k->hpa.scale_down_period = get_int(m, s, p, "scale_down_period");
}

static enum glc_vpa_mode vpa_mode(const char *s)
{
    static const char *const names[] = {"Off", "Initial", "Recreate", "Auto", "InPlaceOrRecreate"};
    for (int i = 0; i < 5; i++)
        if (s && !strcmp(s, names[i]))
            return (enum glc_vpa_mode)i;
    return GLC_VPA_OFF;
}

static void build_vpa(struct mb *m, struct glc_k8s *k, struct sect as)
{
    struct sect s = sub(as, "vertical");
    const char *p = "kubernetes.autoscaling.vertical";
    k->vpa.at = s.at;
    k->vpa.enabled = section_enabled(m, as, s, p);
    glc_str mode = get_str(m, s, p, "update_mode");
    k->vpa.mode.v = vpa_mode(mode.v);
    k->vpa.mode.at = mode.at;
    k->vpa.mode.set = mode.set;
    k->vpa.min_cpu = get_qty(m, s, p, "min_allowed_cpu", true);
    k->vpa.max_cpu = get_qty(m, s, p, "max_allowed_cpu", true);
    k->vpa.min_mem = get_qty(m, s, p, "min_allowed_memory", false);
    k->vpa.max_mem = get_qty(m, s, p, "max_allowed_memory", false);
    const struct glc_ypair *cr = find_pair(s.map, "controlled_resources");
    k->vpa.controlled_at = cr ? glc_pair_span(cr) : s.at;
    if (!cr || cr->val->kind != GLC_YSEQ) {
        k->vpa.controls_cpu = k->vpa.controls_memory = true;
        return;
    }
    for (uint32_t i = 0; i < cr->val->count; i++) {
        const char *r = cr->val->u.items[i]->u.str;
        k->vpa.controls_cpu |= !strcmp(r, "cpu");
        k->vpa.controls_memory |= !strcmp(r, "memory");
    }
}

static void build_ca(struct mb *m, struct glc_k8s *k, struct sect as)
{
    struct sect s = sub(as, "cluster");
    const char *p = "kubernetes.autoscaling.cluster";
    struct glc_loc at;
    k->ca.at = s.at;
    k->ca.enabled = section_enabled(m, as, s, p);
    k->ca.min_nodes = get_int(m, s, p, "min_nodes");
    k->ca.max_nodes = get_int(m, s, p, "max_nodes");
    k->ca.scale_down_delay_after_add_ms.v = get_duration(m, s, p, "scale_down_delay_after_add", &at);
    k->ca.scale_down_delay_after_add_ms.at = at;
    k->ca.scale_down_unneeded_time_ms.v = get_duration(m, s, p, "scale_down_unneeded_time", &at);
    k->ca.scale_down_unneeded_time_ms.at = at;
}

static void build_probe(struct mb *m, struct glc_k8s *k, struct sect hc, struct glc_probe *pr,
                        const char *kind)
{
    struct sect s = sub(hc, kind);
    const char *p = glc_sprintf(m->cx->arena, "kubernetes.health_checks.%s", kind);
    pr->kind = kind;
    pr->at = s.at;
    pr->present = s.map != NULL;
    pr->path = get_str(m, s, p, "path");
    pr->port = get_int(m, s, p, "port");
    if (!pr->port.set)
        pr->port.v = k->app.http_port.v;
    pr->initial_delay = get_int(m, s, p, "initial_delay");
    pr->period = get_int(m, s, p, "period");
    pr->timeout = get_int(m, s, p, "timeout");
    pr->failure_threshold = get_int(m, s, p, "failure_threshold");
    pr->success_threshold = get_int(m, s, p, "success_threshold");
}

static void build_readiness_deps(struct mb *m, struct glc_k8s *k, struct sect hc)
{
    struct sect rd = sub(hc, "readiness");
    const struct glc_ypair *dp = find_pair(rd.map, "dependencies");
    struct glc_arena *a = m->cx->arena;
    if (dp && dp->val->kind == GLC_YSEQ) {
        size_t n = dp->val->count;
        k->readiness_deps.names = glc_alloc(a, sizeof(char *) * (n + 1));
        k->readiness_deps.at = glc_alloc(a, sizeof(struct glc_loc) * (n + 1));
        for (size_t i = 0; i < n; i++) {
            k->readiness_deps.names[i] = dp->val->u.items[i]->u.str;
            k->readiness_deps.at[i] = dp->val->u.items[i]->at;
        }
        k->readiness_deps.n = n;
        k->readiness_deps.list_at = dp->key->at;
        k->readiness_deps.set = true;
        return;
    }
    json_t *d = def(m, "kubernetes.health_checks.readiness", "dependencies");
    size_t n = json_array_size(d);
    k->readiness_deps.names = glc_alloc(a, sizeof(char *) * (n + 1));
    k->readiness_deps.at = glc_alloc(a, sizeof(struct glc_loc) * (n + 1));
    for (size_t i = 0; i < n; i++) {
        k->readiness_deps.names[i] = glc_strdup(a, json_string_value(json_array_get(d, i)));
        k->readiness_deps.at[i] = rd.at;
    }
    k->readiness_deps.n = n;
    k->readiness_deps.list_at = rd.at;
}

static void build_lb(struct mb *m, struct glc_k8s *k, struct sect top)
{
    struct sect s = sub(top, "load_balancer");
    const char *p = "kubernetes.load_balancer";
    k->lb.at = s.at;
    k->lb.type = get_str(m, s, p, "type");
    k->lb.scheme = get_str(m, s, p, "scheme");
    k->lb.session_affinity = get_str(m, s, p, "session_affinity");
    k->lb.health_check_path = get_str(m, s, p, "health_check_path");
    if (!k->lb.health_check_path.set)
        k->lb.health_check_path.v = k->readiness.path.v;
    k->lb.cross_zone = get_bool(m, s, p, "cross_zone");
    k->lb.deregistration_delay = get_int(m, s, p, "deregistration_delay");
    k->lb.health_check_interval = get_int(m, s, p, "health_check_interval");
    k->lb.healthy_threshold = get_int(m, s, p, "healthy_threshold");
    k->lb.unhealthy_threshold = get_int(m, s, p, "unhealthy_threshold");
}

static struct glc_k8s *build_k8s(struct glc_ctx *cx, int file)
{
    struct mb m = {cx, GLC_CFG_KUBERNETES};
    const struct glc_ypair *tp = find_pair(cx->files[file].root, "kubernetes");
    struct glc_k8s *k = glc_alloc(cx->arena, sizeof *k);
    k->file = file;
    k->at = tp->key->at;
    struct sect top = {tp->val->kind == GLC_YMAP ? tp->val : NULL, tp->key->at};
    build_app(&m, k, top);
    build_cluster(&m, k, top);
    build_deployment(&m, k, top);
    build_resources(&m, k, top);
    struct sect as = sub(top, "autoscaling");
    build_hpa(&m, k, as);
    build_vpa(&m, k, as);
    build_ca(&m, k, as);
    struct sect hc = sub(top, "health_checks");
    build_probe(&m, k, hc, &k->liveness, "liveness");
    build_probe(&m, k, hc, &k->readiness, "readiness");
    build_probe(&m, k, hc, &k->startup, "startup");
    build_readiness_deps(&m, k, hc);
    build_lb(&m, k, top);
    return k;
}

/* ---- resilience ---- */

static enum glc_check infer_check(const char *name)
{
    if (!strcmp(name, "database") || !strcmp(name, "postgres") || !strcmp(name, "postgresql"))
        return GLC_CHECK_POSTGRES;
    if (!strcmp(name, "redis"))
        return GLC_CHECK_REDIS;
    if (!strcmp(name, "kafka"))
        return GLC_CHECK_KAFKA;
    return GLC_CHECK_NONE;
}

static enum glc_check check_kind(const char *s)
{
    return !strcmp(s, "postgres") ? GLC_CHECK_POSTGRES
           : !strcmp(s, "redis")  ? GLC_CHECK_REDIS
           : !strcmp(s, "kafka")  ? GLC_CHECK_KAFKA
                                  : GLC_CHECK_NONE;
}

static void build_breaker(struct mb *m, struct glc_breaker *b, const struct glc_ypair *p)
{
    const char *d = "circuit_breaker.services.X"; /* defaults live in definitions/breaker */
    (void)d;
    struct sect s = {p->val->kind == GLC_YMAP ? p->val : NULL, p->key->at};
    b->name = p->key->u.str;
    b->at = p->key->at;
    b->failure_threshold = get_int(m, s, "circuit_breaker.services.x", "failure_threshold");
    b->recovery_timeout = get_int(m, s, "circuit_breaker.services.x", "recovery_timeout");
    b->half_open_max_calls = get_int(m, s, "circuit_breaker.services.x", "half_open_max_calls");
    b->success_threshold = get_int(m, s, "circuit_breaker.services.x", "success_threshold");
    glc_str c = get_str(m, s, "circuit_breaker.services.x", "check");
    b->check.v = c.v ? check_kind(c.v) : infer_check(b->name);
    b->check.at = c.at;
    b->check.set = c.set;
}

static struct glc_resilience *build_res(struct glc_ctx *cx, int file)
{
    struct mb m = {cx, GLC_CFG_RESILIENCE};
    const struct glc_ypair *tp = find_pair(cx->files[file].root, "circuit_breaker");
    struct glc_resilience *r = glc_alloc(cx->arena, sizeof *r);
    r->file = file;
    r->at = tp->key->at;
    struct sect top = {tp->val->kind == GLC_YMAP ? tp->val : NULL, tp->key->at};
    r->enabled = get_bool(&m, top, "circuit_breaker", "enabled");
    const struct glc_ypair *sp = find_pair(top.map, "services");
    r->services_at = sp ? sp->key->at : top.at;
    if (sp && sp->val->kind == GLC_YMAP) {
        r->nbreakers = sp->val->count;
        r->breakers = glc_alloc(cx->arena, sizeof *r->breakers * (r->nbreakers + 1));
        for (size_t i = 0; i < r->nbreakers; i++)
            build_breaker(&m, &r->breakers[i], &sp->val->u.pairs[i]);
    }
    struct sect mon = sub(top, "monitoring");
    const char *p = "circuit_breaker.monitoring";
    r->monitoring.at = mon.at;
    r->monitoring.track_state_changes = get_bool(&m, mon, p, "track_state_changes");
    r->monitoring.alert_on_open = get_bool(&m, mon, p, "alert_on_open");
    r->monitoring.alert_on_close = get_bool(&m, mon, p, "alert_on_close");
    const struct glc_ypair *cp = find_pair(mon.map, "alert_channels");
    r->monitoring.channels_at = cp ? glc_pair_span(cp) : mon.at;
    if (cp && cp->val->kind == GLC_YSEQ) {
        size_t n = cp->val->count;
        r->monitoring.channels = glc_alloc(cx->arena, sizeof(char *) * (n + 1));
        r->monitoring.channel_at = glc_alloc(cx->arena, sizeof(struct glc_loc) * (n + 1));
        for (size_t i = 0; i < n; i++) {
            r->monitoring.channels[i] = cp->val->u.items[i]->u.str;
            r->monitoring.channel_at[i] = cp->val->u.items[i]->at;
        }
        r->monitoring.nchannels = n;
    }
    return r;
}

void glc_model_build(struct glc_ctx *cx)
{
    for (size_t i = 0; i < cx->nfiles; i++) {
        const struct glc_file *f = &cx->files[i];
        if (!f->root)
            continue;
        if (f->kind == GLC_CFG_KUBERNETES && !cx->model.k8s)
            cx->model.k8s = build_k8s(cx, (int)i);
        else if (f->kind == GLC_CFG_RESILIENCE && !cx->model.res)
            cx->model.res = build_res(cx, (int)i);
    }
}
