/* SPDX-License-Identifier: MIT */
/*
 * HTTP front end on libmicrohttpd 0.9.75: the probe port (/health/live, /health/ready,
 * /health/startup, /breakers) and the metrics port (/metrics, and the operators' POST
 * /breakers/<name>/<open|close|reset> when GLC_ADMIN_TOKEN is set), each an epoll daemon with an
 * internal thread pool. Bodies that do not change are canned persistent responses; the
 * readiness response is rebuilt only when what it shows changes, and swapped under a
 * read-write lock. Handlers never block on I/O. Both ports are bounded: connections in total
 * and per client address, idle time, memory (hence header size) per connection, request bodies.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "rt.h"

#define CONNECTION_MEMORY (16u * 1024u)  /* per connection: request line + headers must fit */
#define MAX_BODY 1024u                    /* larger request bodies: 413 */
#define LISTEN_BACKLOG 1024u
#define LOG_BURST 5u                      /* server log lines per second, the rest counted */

static const char LIVE_BODY[] = "{\"status\":\"pass\"}\n";
static const char STARTED_BODY[] = "{\"status\":\"pass\"}\n";
static const char STARTING_BODY[] = "{\"status\":\"fail\",\"notes\":[\"starting\"]}\n";
static const char NOT_FOUND_BODY[] = "{\"error\":\"not found\"}\n";
static const char NOT_ALLOWED_BODY[] = "{\"error\":\"method not allowed\"}\n";
static const char UNAUTHORIZED_BODY[] = "{\"error\":\"unauthorized\"}\n";
static const char TOO_LARGE_BODY[] = "{\"error\":\"request body too large\"}\n";
static const char NO_BREAKER_BODY[] = "{\"error\":\"no such breaker\"}\n";

static const char HEALTH_JSON[] = "application/health+json";
static const char JSON[] = "application/json";
static const char PROM_TEXT[] = "text/plain; version=0.0.4; charset=utf-8";

/* At most LOG_BURST lines per second; the number held back is reported with the next one. */
struct log_limit {
    pthread_mutex_t lock;
    uint64_t window_ns;
    unsigned lines;
    uint64_t suppressed;
};

struct glc_http {
    struct glc_rt *rt;
    struct MHD_Daemon *probes, *metrics;
    struct MHD_Response *live, *started, *starting, *not_found, *not_allowed;
    struct MHD_Response *post_only, *unauthorized, *too_large, *no_breaker;
    struct log_limit log_limit;
    pthread_rwlock_t ready_lock;   /* guards ready, ready_code */
    struct MHD_Response *ready;
    unsigned ready_code;
    pthread_mutex_t refresh_lock;  /* serialises rebuilds; guards ready_body, views */
    char *ready_body;
    struct glc_dep_view *views;
};

/* --- responses ------------------------------------------------------------------------------ */

static struct MHD_Response *with_headers(struct MHD_Response *r, const char *type)
{
    if (r) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    }
    return r;
}

static struct MHD_Response *canned(const char *body, const char *type)
{
    return with_headers(MHD_create_response_from_buffer(strlen(body), (void *)body,
                                                        MHD_RESPMEM_PERSISTENT), type);
}

static enum MHD_Result queue(struct glc_http *h, struct MHD_Connection *c, enum glc_http_path path,
                             unsigned code, struct MHD_Response *r)
{
    if (!r)
        code = 500;
    atomic_fetch_add_explicit(&h->rt->http_requests[path][glc_http_code_of(code)], 1,
                              memory_order_relaxed);
    return r ? MHD_queue_response(c, code, r) : MHD_NO;
}

/* Queue a response built for this request only; MHD frees @body. */
static enum MHD_Result queue_owned(struct glc_http *h, struct MHD_Connection *c,
                                   enum glc_http_path path, char *body, size_t len, const char *type)
{
    struct MHD_Response *r = NULL;
    enum MHD_Result ret;

    if (body) {
        r = with_headers(MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE), type);
        if (!r)
            free(body);
    }
    ret = queue(h, c, path, 200, r);
    if (r)
        MHD_destroy_response(r);
    return ret;
}

/* --- readiness ------------------------------------------------------------------------------ */

void glc_http_refresh_ready(struct glc_http *h)
{
    struct glc_rt *rt = h->rt;
    struct MHD_Response *r, *old;
    struct glc_strbuf sb;
    unsigned code, old_code;

    glc_sb_init(&sb);
    pthread_mutex_lock(&h->refresh_lock);
    glc_rt_dep_views(rt, h->views);
    code = glc_health_ready_render(&sb, atomic_load(&rt->started), atomic_load(&rt->draining),
                                   h->views, rt->nbreakers);
    if (sb.oom || (h->ready_body && code == h->ready_code && strcmp(sb.data, h->ready_body) == 0)) {
        pthread_mutex_unlock(&h->refresh_lock);
        glc_sb_free(&sb);
        return;
    }
    r = with_headers(MHD_create_response_from_buffer(sb.len, sb.data, MHD_RESPMEM_MUST_COPY), HEALTH_JSON);
    if (!r) {
        pthread_mutex_unlock(&h->refresh_lock);
        glc_sb_free(&sb);
        return;
    }
    pthread_rwlock_wrlock(&h->ready_lock);
    old = h->ready;
    old_code = h->ready_code;
    h->ready = r;
    h->ready_code = code;
    pthread_rwlock_unlock(&h->ready_lock);
    if (old)
        MHD_destroy_response(old);  /* connections still sending it hold their own reference */
    free(h->ready_body);
    h->ready_body = sb.data;
    pthread_mutex_unlock(&h->refresh_lock);
    if (old && code != old_code)
        glc_log(code == 200 ? GLC_LOG_INFO : GLC_LOG_WARN, "readiness changed",
                json_pack("{s:i}", "status", (int)code));
}

static enum MHD_Result serve_ready(struct glc_http *h, struct MHD_Connection *c)
{
    enum MHD_Result ret;
    unsigned code;

    pthread_rwlock_rdlock(&h->ready_lock);
    code = h->ready_code;
    ret = MHD_queue_response(c, code, h->ready);
    pthread_rwlock_unlock(&h->ready_lock);
    atomic_fetch_add_explicit(&h->rt->http_requests[GLC_PATH_READY][glc_http_code_of(code)], 1,
                              memory_order_relaxed);
    return ret;
}

/* --- dynamic bodies ------------------------------------------------------------------------- */

static enum MHD_Result serve_breakers(struct glc_http *h, struct MHD_Connection *c)
{
    struct glc_dep_view *views = calloc(h->rt->nbreakers ? h->rt->nbreakers : 1, sizeof *views);
    char *body = NULL;

    if (views) {
        glc_rt_dep_views(h->rt, views);
        body = glc_health_breakers_json(h->rt->set, views);
        free(views);
    }
    return queue_owned(h, c, GLC_PATH_BREAKERS, body, body ? strlen(body) : 0, JSON);
}

static struct glc_metrics_dep *metrics_deps(struct glc_rt *rt, unsigned *n)
{
    struct glc_metrics_dep *deps = calloc(rt->nbreakers ? rt->nbreakers : 1, sizeof *deps);

    *n = 0;
    for (unsigned i = 0; deps && i < rt->nbreakers; i++) {
        struct glc_checker *ck = &rt->checkers[i];
        struct glc_check_result r;

        if (ck->kind == GLC_CHECK_NONE || !ck->target)
            continue;
        glc_checker_snapshot(ck, &r);
        deps[*n].name = glc_breaker_set_def(rt->set, i)->name;
        deps[*n].up = r.status == GLC_STATUS_PASS;
        deps[*n].hist = r.hist;
        (*n)++;
    }
    return deps;
}

static enum MHD_Result serve_metrics(struct glc_http *h, struct MHD_Connection *c)
{
    uint64_t http[GLC_PATH_COUNT][GLC_CODE_COUNT];
    struct glc_metrics_input in = { .set = h->rt->set, .http = (const uint64_t (*)[GLC_CODE_COUNT])http };
    struct glc_strbuf sb;
    struct glc_metrics_dep *deps;

    for (unsigned p = 0; p < GLC_PATH_COUNT; p++)
        for (unsigned k = 0; k < GLC_CODE_COUNT; k++)
            http[p][k] = atomic_load_explicit(&h->rt->http_requests[p][k], memory_order_relaxed);
    /* This scrape is counted in the next one: the counter cannot include its own response. */
    deps = metrics_deps(h->rt, &in.ndeps);
    in.deps = deps;
    pthread_rwlock_rdlock(&h->ready_lock);
    in.ready = h->ready_code == 200;
    pthread_rwlock_unlock(&h->ready_lock);
    in.draining = atomic_load(&h->rt->draining);
    glc_rt_pipeline_metrics(h->rt, &in.pipeline);
    glc_sb_init(&sb);
    if (!deps || glc_metrics_render(&sb, &in) != 0)
        glc_sb_free(&sb);
    free(deps);
    return queue_owned(h, c, GLC_PATH_METRICS, sb.data, sb.len, PROM_TEXT);
}

/* --- admin routes (metrics port) ------------------------------------------------------------ */

static void client_address(struct MHD_Connection *c, char *buf, size_t cap)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;

    snprintf(buf, cap, "unknown");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)cap);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)cap);
}

/* 1 if a log line may be written now; *held receives how many were held back before it. */
static int log_allowed(struct log_limit *l, uint64_t *held)
{
    uint64_t now = glc_mono_ns();
    int ok;

    pthread_mutex_lock(&l->lock);
    if (now - l->window_ns >= 1000000000ull) {
        l->window_ns = now;
        l->lines = 0;
    }
    ok = l->lines < LOG_BURST;
    if (ok) {
        l->lines++;
        *held = l->suppressed;
        l->suppressed = 0;
    } else {
        l->suppressed++;
    }
    pthread_mutex_unlock(&l->lock);
    return ok;
}

static void log_limited(struct glc_http *h, enum glc_log_level level, const char *msg, json_t *fields)
{
    uint64_t held = 0;

    if (!log_allowed(&h->log_limit, &held)) {
        json_decref(fields);
        return;
    }
    if (held)
        json_object_set_new(fields, "suppressed", json_integer((json_int_t)held));
    glc_log(level, msg, fields);
}

static int authorized(struct glc_http *h, struct MHD_Connection *c)
{
    const char *header = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *token;
    size_t len;

    if (glc_admin_bearer(header, &token, &len) != 0)
        return 0;
    return glc_ct_equal(token, len, h->rt->admin_token, strlen(h->rt->admin_token));
}

static enum MHD_Result admin_action(struct glc_http *h, struct MHD_Connection *c, int idx,
                                    enum glc_breaker_force action, const char *remote)
{
    const char *name = glc_breaker_set_def(h->rt->set, (unsigned)idx)->name;
    enum glc_breaker_state state = glc_breaker_force(h->rt->set, (unsigned)idx, action);
    json_t *doc = json_pack("{s:s,s:s,s:s}", "breaker", name, "action", glc_admin_action_name(action),
                            "state", glc_breaker_state_name(state));
    char *body = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

    json_decref(doc);
    glc_http_refresh_ready(h);
    glc_log(GLC_LOG_WARN, "admin action",
            json_pack("{s:s,s:s,s:s,s:s}", "breaker", name, "action", glc_admin_action_name(action),
                      "state", glc_breaker_state_name(state), "remote", remote));
    return queue_owned(h, c, GLC_PATH_ADMIN, body, body ? strlen(body) : 0, JSON);
}

/* POST /breakers/<name>/<action>: 404 unless GLC_ADMIN_TOKEN is set, then 405 for other
 * methods, 401 without the right bearer token, 404 for an unknown breaker. */
static enum MHD_Result serve_admin(struct glc_http *h, struct MHD_Connection *c, const char *method,
                                   const char *name, enum glc_breaker_force action)
{
    char remote[INET6_ADDRSTRLEN];
    int idx;

    if (!h->rt->admin_token)
        return queue(h, c, GLC_PATH_OTHER, 404, h->not_found);
    if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
        return queue(h, c, GLC_PATH_ADMIN, 405, h->post_only);
    client_address(c, remote, sizeof remote);
    if (!authorized(h, c)) {
        log_limited(h, GLC_LOG_WARN, "admin request rejected: missing or wrong bearer token",
                    json_pack("{s:s,s:s}", "action", glc_admin_action_name(action), "remote", remote));
        return queue(h, c, GLC_PATH_ADMIN, 401, h->unauthorized);
    }
    idx = glc_breaker_set_find(h->rt->set, name);
    if (idx < 0)
        return queue(h, c, GLC_PATH_ADMIN, 404, h->no_breaker);
    return admin_action(h, c, idx, action, remote);
}

/* --- routing -------------------------------------------------------------------------------- */

/* Our endpoints take no request body: one announced larger than MAX_BODY, or of unknown length
 * (chunked), is refused before it is read. */
static int body_too_large(struct MHD_Connection *c)
{
    const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);

    return te != NULL || (len && strtoull(len, NULL, 10) > MAX_BODY);
}

/* MHD's handler contract: the first call for a request only announces it. Queueing a response
 * then would be an "early" response, after which MHD closes the connection (no keep-alive).
 * Any (small) body is consumed and ignored before the response is queued.
 * Returns 1 to answer now, 0 to wait for more, -1 to refuse the body (413, connection closed). */
static int request_complete(void *marker, struct MHD_Connection *c, size_t *upload_size, void **req_cls)
{
    if (!*req_cls) {
        *req_cls = marker;
        return body_too_large(c) ? -1 : 0;
    }
    if (*upload_size) {
        *upload_size = 0;
        return 0;
    }
    return 1;
}

static int is_get(const char *method)
{
    return strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
}

static enum MHD_Result on_probe(void *cls, struct MHD_Connection *c, const char *url,
                                const char *method, const char *version, const char *upload,
                                size_t *upload_size, void **req_cls)
{
    struct glc_http *h = cls;
    enum glc_http_path path = glc_http_path_of(url);
    int ready = request_complete(h, c, upload_size, req_cls);

    (void)version, (void)upload;
    if (ready < 0)
        return queue(h, c, path, 413, h->too_large);
    if (!ready)
        return MHD_YES;
    if (path == GLC_PATH_METRICS || path == GLC_PATH_OTHER)
        return queue(h, c, GLC_PATH_OTHER, 404, h->not_found);
    if (!is_get(method))
        return queue(h, c, path, 405, h->not_allowed);
    switch (path) {
    case GLC_PATH_LIVE:
        return queue(h, c, path, 200, h->live);
    case GLC_PATH_READY:
        return serve_ready(h, c);
    case GLC_PATH_STARTUP:
        return atomic_load(&h->rt->started) ? queue(h, c, path, 200, h->started)
                                            : queue(h, c, path, 503, h->starting);
    default:
        return serve_breakers(h, c);
    }
}

static enum MHD_Result on_metrics(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    struct glc_http *h = cls;
    char name[128];
    enum glc_breaker_force action;
    int ready = request_complete(h, c, upload_size, req_cls);

    (void)version, (void)upload;
    if (ready < 0)
        return queue(h, c, GLC_PATH_OTHER, 413, h->too_large);
    if (!ready)
        return MHD_YES;
    if (glc_admin_route(url, name, sizeof name, &action))
        return serve_admin(h, c, method, name, action);
    if (glc_http_path_of(url) != GLC_PATH_METRICS)
        return queue(h, c, GLC_PATH_OTHER, 404, h->not_found);
    if (!is_get(method))
        return queue(h, c, GLC_PATH_METRICS, 405, h->not_allowed);
    return serve_metrics(h, c);
}

/* --- daemons -------------------------------------------------------------------------------- */

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char text[512];
    size_t n;

    vsnprintf(text, sizeof text, fmt, ap);
    n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = '\0';
    log_limited(cls, GLC_LOG_WARN, "http server", json_pack("{s:s}", "detail", text));
}

static int make_addr(const char *bind, unsigned port, struct sockaddr_storage *ss, int *v6)
{
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

    memset(ss, 0, sizeof *ss);
    *v6 = 0;
    if (inet_pton(AF_INET, bind, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        return 0;
    }
    if (inet_pton(AF_INET6, bind, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *v6 = 1;
        return 0;
    }
    return -1;
}


static struct MHD_Daemon *start_daemon(struct glc_http *h, unsigned port, unsigned threads,
                                       MHD_AccessHandlerCallback handler, const char *what)
{
    const struct glc_rt_opts *o = &h->rt->opts;
    struct sockaddr_storage ss;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    int v6;
    struct MHD_OptionItem opts[] = {
        { MHD_OPTION_SOCK_ADDR, 0, &ss },
        { MHD_OPTION_CONNECTION_LIMIT, o->max_connections, NULL },
        { MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->max_connections_per_ip, NULL },
        { MHD_OPTION_CONNECTION_TIMEOUT, o->connection_timeout_s, NULL },
        { MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONNECTION_MEMORY, NULL },
        { MHD_OPTION_LISTEN_BACKLOG_SIZE, LISTEN_BACKLOG, NULL },
        { MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL },
        /* MHD warns about a pool of 1: leave the option out then. */
        { threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, threads, NULL },
        { MHD_OPTION_END, 0, NULL },
    };

    if (make_addr(o->bind, port, &ss, &v6) != 0) {
        glc_log(GLC_LOG_ERROR, "invalid --bind address", json_pack("{s:s}", "bind", o->bind));
        return NULL;
    }
    d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
            (v6 ? MHD_USE_IPv6 : 0),
        0, NULL, NULL, handler, h,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,  /* must be first */
        MHD_OPTION_ARRAY, opts,
        MHD_OPTION_END);
    if (!d) {
        glc_log(GLC_LOG_ERROR, "cannot start http server",
                json_pack("{s:s,s:s,s:i}", "server", what, "bind", o->bind, "port", (int)port));
        return NULL;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    glc_log(GLC_LOG_INFO, "listening",
            json_pack("{s:s,s:s,s:i,s:i,s:i,s:i}", "server", what, "bind", o->bind,
                      "port", info ? (int)info->port : (int)port, "max_connections", (int)o->max_connections,
                      "max_connections_per_ip", (int)o->max_connections_per_ip,
                      "connection_timeout_s", (int)o->connection_timeout_s));
    return d;
}

static void free_http(struct glc_http *h)
{
    struct MHD_Response *all[] = { h->live, h->started, h->starting, h->not_found, h->not_allowed, h->ready,
                                   h->post_only, h->unauthorized, h->too_large, h->no_breaker };

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i])
            MHD_destroy_response(all[i]);
    pthread_rwlock_destroy(&h->ready_lock);
    pthread_mutex_destroy(&h->refresh_lock);
    pthread_mutex_destroy(&h->log_limit.lock);
    free(h->ready_body);
    free(h->views);
    free(h);
}

static int make_canned(struct glc_http *h)
{
    h->live = canned(LIVE_BODY, HEALTH_JSON);
    h->started = canned(STARTED_BODY, HEALTH_JSON);
    h->starting = canned(STARTING_BODY, HEALTH_JSON);
    h->not_found = canned(NOT_FOUND_BODY, JSON);
    h->not_allowed = canned(NOT_ALLOWED_BODY, JSON);
    h->post_only = canned(NOT_ALLOWED_BODY, JSON);
    h->unauthorized = canned(UNAUTHORIZED_BODY, JSON);
    h->too_large = canned(TOO_LARGE_BODY, JSON);
    h->no_breaker = canned(NO_BREAKER_BODY, JSON);
    if (!h->live || !h->started || !h->starting || !h->not_found || !h->not_allowed || !h->post_only ||
        !h->unauthorized || !h->too_large || !h->no_breaker)
        return -1;
    MHD_add_response_header(h->not_allowed, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    MHD_add_response_header(h->post_only, MHD_HTTP_HEADER_ALLOW, "POST");
    MHD_add_response_header(h->unauthorized, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"glc-admin\"");
    MHD_add_response_header(h->too_large, MHD_HTTP_HEADER_CONNECTION, "close");
    return 0;
}

struct glc_http *glc_http_start(struct glc_rt *rt)
{
    struct glc_http *h = calloc(1, sizeof *h);

    if (!h)
        return NULL;
    h->rt = rt;
    pthread_rwlock_init(&h->ready_lock, NULL);
    pthread_mutex_init(&h->refresh_lock, NULL);
    pthread_mutex_init(&h->log_limit.lock, NULL);
    h->views = calloc(rt->nbreakers ? rt->nbreakers : 1, sizeof *h->views);
    if (!h->views || make_canned(h) != 0) {
        free_http(h);
        return NULL;
    }
    glc_http_refresh_ready(h);
    if (!h->ready) {
        free_http(h);
        return NULL;
    }
    h->probes = start_daemon(h, rt->opts.port, rt->opts.http_threads, on_probe, "probes");
    if (h->probes)
        h->metrics = start_daemon(h, rt->opts.metrics_port, 1, on_metrics, "metrics");
    if (!h->metrics) {
        if (h->probes)
            MHD_stop_daemon(h->probes);
        free_http(h);
        return NULL;
    }
    return h;
}

static unsigned connections(struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

    return info ? info->num_connections : 0;
}

void glc_http_stop(struct glc_http *h, unsigned wait_ms)
{
    MHD_socket ls_probes, ls_metrics;
    uint64_t deadline = glc_mono_ns() + (uint64_t)wait_ms * 1000000ull;
    const struct timespec tick = { 0, 20 * 1000000L };

    if (!h || !h->probes)
        return;
    ls_probes = MHD_quiesce_daemon(h->probes);
    ls_metrics = MHD_quiesce_daemon(h->metrics);
    while ((connections(h->probes) || connections(h->metrics)) && glc_mono_ns() < deadline)
        nanosleep(&tick, NULL);
    MHD_stop_daemon(h->probes);
    MHD_stop_daemon(h->metrics);
    if (ls_probes != MHD_INVALID_SOCKET)
        close(ls_probes);  /* only after MHD_stop_daemon */
    if (ls_metrics != MHD_INVALID_SOCKET)
        close(ls_metrics);
    h->probes = h->metrics = NULL;
}

void glc_http_free(struct glc_http *h)
{
    if (h)
        free_http(h);
}
