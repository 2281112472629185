/* SPDX-License-Identifier: MIT */
/*
 * The runtime process: command line (and the `migrate` subcommand), start-up, the main loop
 * and graceful shutdown. SIGTERM/SIGINT are blocked in every thread and read from a signalfd by
 * the main loop, so no signal handler and no global state exist. Start: checkers, event
 * pipeline (dispatcher, database writer, alerts), HTTP, resumed breaker state, then the checks.
 * Shutdown: readiness 503 at once, keep serving for --drain-seconds (a second signal cuts this
 * short), quiesce, drain, stop the checks, flush the pipeline (bounded), exit 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include <glc/runtime.h>

#include "rt.h"

#define MAX_TICK_MS 250u
#define HTTP_DRAIN_MS 1000u
#define PIPELINE_FLUSH_MS 2000u  /* after the checks stop: database writes and alerts */
#define FD_RESERVE 256u          /* descriptors kept for drivers, curl, logs */
#define MIN_ADMIN_TOKEN 16u
#define RESTORE_WAIT_MS 500u     /* checks wait this long at most for the persisted state */

static void usage(FILE *f, const char *prog, const struct glc_app_def *app)
{
    fprintf(f,
            "usage: %s [--port N] [--metrics-port N] [--bind ADDR] [--drain-seconds N]\n"
            "       %*s [--check-interval-ms N] [--max-connections N]\n"
            "       %*s [--max-connections-per-ip N] [--connection-timeout S] [--http-threads N]\n"
            "       %*s [--help]\n"
            "       %s migrate [--print]\n"
            "\n"
            "  --port N                    probes and /breakers (default %u)\n"
            "  --metrics-port N            /metrics and the admin routes (default %u)\n"
            "  --bind ADDR                 listen address, IPv4 or IPv6 (default 0.0.0.0)\n"
            "  --drain-seconds N           keep serving after SIGTERM, readiness failing (default 5)\n"
            "  --check-interval-ms N       dependency check period (default 1000); each check\n"
            "                              times out after N ms, clamped to 500..2000\n"
            "  --max-connections N         open connections per port (default 4096)\n"
            "  --max-connections-per-ip N  per port and client address, 0: no limit (default 64)\n"
            "  --connection-timeout S      close connections idle for S seconds (default 10)\n"
            "  --http-threads N            polling threads of the probe port (default 1: the\n"
            "                              handlers never block, and one thread keeps the tail short)\n"
            "  migrate                     apply the breaker tables' migrations to DATABASE_URL\n"
            "\n"
            "environment: DATABASE_URL REDIS_URL KAFKA_BROKERS (unset: that check is disabled),\n"
            "  POD_NAME, GLC_ADMIN_TOKEN, GLC_SLACK_WEBHOOK_URL, GLC_PAGERDUTY_ROUTING_KEY,\n"
            "  GLC_PAGERDUTY_URL, GLC_EVENT_QUEUE_MAX, GLC_ALERT_BACKOFF_MS, GLC_ALERT_MAX_ATTEMPTS\n",
            prog, (int)strlen(prog), "", (int)strlen(prog), "", (int)strlen(prog), "", prog, app->http_port,
            app->metrics_port);
}

static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned *out)
{
    char *end;
    unsigned long v;

    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

struct flag {
    const char *name;
    unsigned long min, max;
    unsigned *value;
};

/* Parse one "--name V" or "--name=V"; returns arguments consumed, 0 if not this flag, -1 on error. */
static int parse_flag(const struct flag *f, int argc, char **argv, int i)
{
    size_t n = strlen(f->name);
    const char *v;

    if (strncmp(argv[i], f->name, n) != 0 || (argv[i][n] != '\0' && argv[i][n] != '='))
        return 0;
    v = argv[i][n] == '=' ? argv[i] + n + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
    if (parse_uint(v, f->min, f->max, f->value) != 0) {
        fprintf(stderr, "%s: %s needs an integer in %lu..%lu\n", argv[0], f->name, f->min, f->max);
        return -1;
    }
    return argv[i][n] == '=' ? 1 : 2;
}

static int parse_bind(int argc, char **argv, int i, struct glc_rt_opts *o)
{
    if (strncmp(argv[i], "--bind=", 7) == 0) {
        o->bind = argv[i] + 7;
        return 1;
    }
    if (strcmp(argv[i], "--bind") != 0)
        return 0;
    if (i + 1 >= argc) {
        fprintf(stderr, "%s: --bind needs an address\n", argv[0]);
        return -1;
    }
    o->bind = argv[i + 1];
    return 2;
}

static int is_ip_address(const char *s)
{
    unsigned char buf[sizeof(struct in6_addr)];

    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* Returns 0 to run, 1 after --help, 2 on a usage error. */
static int parse_args(int argc, char **argv, const struct glc_app_def *app, struct glc_rt_opts *o)
{
    const struct flag flags[] = {
        { "--port", 0, 65535, &o->port },
        { "--metrics-port", 0, 65535, &o->metrics_port },
        { "--drain-seconds", 0, 3600, &o->drain_seconds },
        { "--check-interval-ms", 10, 3600000, &o->check_interval_ms },
        { "--max-connections-per-ip", 0, 100000, &o->max_connections_per_ip },
        { "--max-connections", 1, 100000, &o->max_connections },
        { "--connection-timeout", 1, 3600, &o->connection_timeout_s },
        { "--http-threads", 1, 64, &o->http_threads },
    };

    *o = (struct glc_rt_opts){ .bind = "0.0.0.0", .port = app->http_port,
                               .metrics_port = app->metrics_port, .drain_seconds = 5,
                               .check_interval_ms = 1000, .max_connections = 4096,
                               .max_connections_per_ip = 64, .connection_timeout_s = 10,
                               .http_threads = 1 };
    for (int i = 1; i < argc;) {
        int used = 0;

        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout, argv[0], app);
            return 1;
        }
        for (size_t f = 0; f < sizeof flags / sizeof flags[0] && used == 0; f++)
            used = parse_flag(&flags[f], argc, argv, i);
        if (used == 0)
            used = parse_bind(argc, argv, i, o);
        if (used == 0)
            fprintf(stderr, "%s: unknown argument '%s'\n", argv[0], argv[i]);
        if (used <= 0) {
            usage(stderr, argv[0], app);
            return 2;
        }
        i += used;
    }
    if (!is_ip_address(o->bind)) {
        fprintf(stderr, "%s: --bind needs a numeric IPv4 or IPv6 address, not '%s'\n", argv[0], o->bind);
        return 2;
    }
    if (o->port != 0 && o->port == o->metrics_port) {
        fprintf(stderr, "%s: --port and --metrics-port must differ\n", argv[0]);
        return 2;
    }
    return 0;
}

/* --- signals and events --------------------------------------------------------------------- */

static int open_signalfd(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    /* Blocked before any thread exists, so every thread inherits the mask. */
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
        return -1;
    signal(SIGPIPE, SIG_IGN);
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Wait up to @timeout_ms for a signal; returns its number, or 0. */
static int wait_signal(int sfd, unsigned timeout_ms)
{
    struct pollfd p = { .fd = sfd, .events = POLLIN };
    struct signalfd_siginfo si;

    if (poll(&p, 1, (int)timeout_ms) <= 0)
        return 0;
    if (read(sfd, &si, sizeof si) != (ssize_t)sizeof si)
        return 0;
    return (int)si.ssi_signo;
}

/* --- lifecycle ------------------------------------------------------------------------------ */

static unsigned tick_ms(const struct glc_rt *rt)
{
    return rt->opts.check_interval_ms < MAX_TICK_MS ? rt->opts.check_interval_ms : MAX_TICK_MS;
}

static void mark_started_when_ready(struct glc_rt *rt)
{
    if (atomic_load(&rt->started) || !glc_checkers_all_completed(rt))
        return;
    atomic_store(&rt->started, 1);
    glc_log(GLC_LOG_INFO, "started", NULL);
}

/* Serve until SIGTERM or SIGINT. */
static void serve(struct glc_rt *rt, int sfd)
{
    for (;;) {
        int sig = wait_signal(sfd, tick_ms(rt));

        if (sig) {
            atomic_store(&rt->draining, 1);
            glc_http_refresh_ready(rt->http);
            glc_log(GLC_LOG_INFO, "draining",
                    json_pack("{s:s,s:i}", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT",
                              "drain_seconds", (int)rt->opts.drain_seconds));
            return;
        }
        mark_started_when_ready(rt);
        glc_http_refresh_ready(rt->http);
    }
}

/* Keep serving (readiness failing) for --drain-seconds; a second signal ends the wait. */
static void drain(struct glc_rt *rt, int sfd)
{
    uint64_t deadline = glc_mono_ns() + (uint64_t)rt->opts.drain_seconds * 1000000000ull;

    for (uint64_t now = glc_mono_ns(); now < deadline; now = glc_mono_ns()) {
        uint64_t left_ms = (deadline - now + 999999) / 1000000;

        if (wait_signal(sfd, left_ms < tick_ms(rt) ? (unsigned)left_ms : tick_ms(rt))) {
            glc_log(GLC_LOG_INFO, "second signal: stopping now", NULL);
            break;
        }
    }
}

/* 32 hex digits, random per start: tells this run's rows from another's (same pod name after a
 * restart included). */
static void make_instance_id(char out[33])
{
    unsigned char raw[16];

    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        uint64_t t = glc_mono_ns() ^ ((uint64_t)getpid() << 32);

        for (size_t i = 0; i < sizeof raw; i++)
            raw[i] = (unsigned char)(t >> (8 * (i % 8))) ^ (unsigned char)(i * 37);
    }
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

static void read_identity(struct glc_rt *rt)
{
    const char *pod = getenv("POD_NAME"), *token = getenv("GLC_ADMIN_TOKEN");

    make_instance_id(rt->instance_id);
    rt->pod_name = pod && *pod ? pod : NULL;
    if (!token || !*token)
        return;
    rt->admin_token = strdup(token);
    if (strlen(token) < MIN_ADMIN_TOKEN)
        glc_log(GLC_LOG_WARN, "GLC_ADMIN_TOKEN is short: use at least 32 random characters",
                json_pack("{s:i}", "length", (int)strlen(token)));
}

/* Connections need descriptors: raise the soft limit toward what the caps need, and lower the
 * caps if the hard limit cannot cover them (accept() failing with EMFILE would stall probes). */
static void fit_fd_limit(struct glc_rt_opts *o)
{
    struct rlimit rl;
    rlim_t want = 2 * (rlim_t)o->max_connections + FD_RESERVE;
    unsigned fit;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur >= want)
        return;
    fit = rl.rlim_cur > 2 * FD_RESERVE ? (unsigned)((rl.rlim_cur - FD_RESERVE) / 2) : 64;
    glc_log(GLC_LOG_WARN, "file descriptor limit too low for --max-connections: lowered",
            json_pack("{s:I,s:i,s:i}", "nofile", (json_int_t)rl.rlim_cur, "requested", (int)o->max_connections,
                      "max_connections", (int)fit));
    o->max_connections = fit;
}

static int init_rt(struct glc_rt *rt, const struct glc_app_def *app, const struct glc_breaker_def *defs,
                   unsigned count)
{
    pthread_condattr_t ca;

    rt->app = app;
    read_identity(rt);
    rt->nbreakers = count;
    for (unsigned i = 0; i < count; i++) {
        const char *why = glc_breaker_def_check(&defs[i]);

        if (why) {
            glc_log(GLC_LOG_ERROR, "invalid breaker table",
                    json_pack("{s:i,s:s}", "row", (int)i, "error", why));
            return -1;
        }
    }
    rt->set = glc_breaker_set_new(defs, count, NULL);
    if (!rt->set) {
        glc_log(GLC_LOG_ERROR, "cannot create breakers", json_pack("{s:s}", "error", strerror(errno)));
        return -1;
    }
    pthread_mutex_init(&rt->stop_lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&rt->stop_cond, &ca);
    pthread_condattr_destroy(&ca);
    return 0;
}

/* Hand every recorded event to the writer and the sender, then give both until @deadline_ns. */
static void stop_pipeline(struct glc_rt *rt, uint64_t deadline_ns)
{
    glc_dispatch_stop(rt);
    if (rt->persist)
        glc_persist_stop(rt->persist, deadline_ns);
    if (rt->alerts)
        glc_alerts_stop(rt->alerts, deadline_ns);
    if (rt->persist)
        glc_persist_join(rt->persist);
    if (rt->alerts)
        glc_alerts_join(rt->alerts);
    glc_persist_free(rt->persist);
    glc_alerts_free(rt->alerts);
    rt->persist = NULL;
    rt->alerts = NULL;
}

static void destroy_rt(struct glc_rt *rt)
{
    glc_http_stop(rt->http, 0);  /* no-op once stopped */
    glc_checkers_stop(rt);
    stop_pipeline(rt, glc_mono_ns());
    glc_http_free(rt->http);
    glc_checkers_free(rt);
    glc_breaker_set_free(rt->set);
    free(rt->admin_token);
    pthread_cond_destroy(&rt->stop_cond);
    pthread_mutex_destroy(&rt->stop_lock);
}

/* Dispatcher, database writer, alert sender. */
static int start_pipeline(struct glc_rt *rt)
{
    int err = 0;

    rt->persist = glc_persist_start(rt, &err);
    if (err)
        return -1;
    rt->alerts = glc_alerts_start(rt, &err);
    if (err)
        return -1;
    return glc_dispatch_start(rt);
}

static void log_start(const struct glc_rt *rt)
{
    glc_log(GLC_LOG_INFO, "starting",
            json_pack("{s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:s,s:s*,s:b}", "app", rt->app->name, "version", GLC_VERSION,
                      "breakers", (int)rt->nbreakers, "port", (int)rt->opts.port,
                      "metrics_port", (int)rt->opts.metrics_port,
                      "check_interval_ms", (int)rt->opts.check_interval_ms,
                      "drain_seconds", (int)rt->opts.drain_seconds, "instance", rt->instance_id,
                      "pod", rt->pod_name, "admin", rt->admin_token != NULL));
}

static int run_server(const struct glc_app_def *app, const struct glc_breaker_def *defs,
                      unsigned count, int argc, char **argv)
{
    struct glc_rt rt;
    int rc, sfd;

    memset(&rt, 0, sizeof rt);
    rc = parse_args(argc, argv, app, &rt.opts);
    if (rc != 0)
        return rc == 1 ? 0 : 2;
    sfd = open_signalfd();
    if (sfd < 0) {
        glc_log(GLC_LOG_ERROR, "cannot set up signal handling", json_pack("{s:s}", "error", strerror(errno)));
        return 1;
    }
    if (init_rt(&rt, app, defs, count) != 0) {
        close(sfd);
        return 1;
    }
    log_start(&rt);
    fit_fd_limit(&rt.opts);
    if (glc_checkers_init(&rt) != 0 || start_pipeline(&rt) != 0 || !(rt.http = glc_http_start(&rt))) {
        destroy_rt(&rt);
        close(sfd);
        return 1;
    }
    if (rt.persist)
        glc_persist_wait_restored(rt.persist, RESTORE_WAIT_MS);
    if (glc_checkers_start(&rt) != 0) {
        destroy_rt(&rt);
        close(sfd);
        return 1;
    }
    serve(&rt, sfd);
    drain(&rt, sfd);
    glc_http_stop(rt.http, HTTP_DRAIN_MS);
    glc_checkers_stop(&rt);
    stop_pipeline(&rt, glc_mono_ns() + (uint64_t)PIPELINE_FLUSH_MS * 1000000ull);
    destroy_rt(&rt);
    close(sfd);
    glc_log(GLC_LOG_INFO, "stopped", NULL);
    return 0;
}

/* The subcommand, or the server. */
static int run_command(const struct glc_app_def *app, const struct glc_breaker_def *defs,
                       unsigned count, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "migrate") == 0)
        return glc_migrate_main(app, argv[0], argc - 1, argv + 1);
    return run_server(app, defs, count, argc, argv);
}

int glc_runtime_run(const struct glc_app_def *app, const struct glc_breaker_def *defs,
                    unsigned count, int argc, char **argv)
{
    int rc;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        glc_log(GLC_LOG_ERROR, "cannot initialise libcurl", NULL);
        return 1;
    }
    rc = run_command(app, defs, count, argc, argv);
    curl_global_cleanup();
    return rc;
}
