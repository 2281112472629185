/* SPDX-License-Identifier: MIT */
/*
 * Prometheus text exposition (format 0.0.4), written by hand: Debian has no C client.
 * Every family gets HELP and TYPE, series are emitted once each, label sets are bounded by
 * the breaker table and fixed enums, histograms carry cumulative buckets ending in +Inf.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

const double glc_hist_bounds[GLC_HIST_BUCKETS] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
};

/* --- string buffer -------------------------------------------------------------------------- */

void glc_sb_init(struct glc_strbuf *sb)
{
    memset(sb, 0, sizeof *sb);
}

void glc_sb_free(struct glc_strbuf *sb)
{
    free(sb->data);
    glc_sb_init(sb);
}

static int sb_reserve(struct glc_strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1, cap = sb->cap ? sb->cap : 256;
    char *p;

    if (sb->oom)
        return -1;
    if (need <= sb->cap)
        return 0;
    while (cap < need)
        cap *= 2;
    p = realloc(sb->data, cap);
    if (!p) {
        sb->oom = 1;
        return -1;
    }
    sb->data = p;
    sb->cap = cap;
    return 0;
}

void glc_sb_append(struct glc_strbuf *sb, const char *s, size_t n)
{
    if (sb_reserve(sb, n) != 0)
        return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void glc_sb_puts(struct glc_strbuf *sb, const char *s)
{
    glc_sb_append(sb, s, strlen(s));
}

void glc_sb_printf(struct glc_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || sb_reserve(sb, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void glc_prom_escape_label(struct glc_strbuf *sb, const char *value)
{
    for (const char *p = value; *p; p++) {
        if (*p == '\\')
            glc_sb_append(sb, "\\\\", 2);
        else if (*p == '"')
            glc_sb_append(sb, "\\\"", 2);
        else if (*p == '\n')
            glc_sb_append(sb, "\\n", 2);
        else
            glc_sb_append(sb, p, 1);
    }
}

/* --- histogram and enums -------------------------------------------------------------------- */

void glc_histogram_observe(struct glc_histogram *h, double value)
{
    unsigned i = 0;

    while (i < GLC_HIST_BUCKETS && value > glc_hist_bounds[i])
        i++;
    h->bucket[i]++;
    h->count++;
    h->sum += value;
}

const char *glc_http_path_label(enum glc_http_path path)
{
    static const char *const labels[GLC_PATH_COUNT] = {
        "/health/live", "/health/ready", "/health/startup", "/breakers", "/metrics", "other",
        "/breakers/{name}/{action}",
    };

    return (unsigned)path < GLC_PATH_COUNT ? labels[path] : "other";
}

enum glc_http_path glc_http_path_of(const char *url)
{
    for (unsigned i = 0; i < GLC_PATH_OTHER; i++)
        if (strcmp(url, glc_http_path_label((enum glc_http_path)i)) == 0)
            return (enum glc_http_path)i;
    return GLC_PATH_OTHER;
}

unsigned glc_http_code_value(enum glc_http_code code)
{
    static const unsigned values[GLC_CODE_COUNT] = { 200, 401, 404, 405, 413, 500, 503 };

    return (unsigned)code < GLC_CODE_COUNT ? values[code] : 500;
}

enum glc_http_code glc_http_code_of(unsigned status)
{
    for (unsigned i = 0; i < GLC_CODE_COUNT; i++)
        if (glc_http_code_value((enum glc_http_code)i) == status)
            return (enum glc_http_code)i;
    return GLC_CODE_500;
}

/* --- exposition ----------------------------------------------------------------------------- */

static void family(struct glc_strbuf *sb, const char *name, const char *type, const char *help)
{
    glc_sb_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{label="value"  -- the caller closes the brace */
static void series_open(struct glc_strbuf *sb, const char *name, const char *label, const char *value)
{
    glc_sb_printf(sb, "%s{%s=\"", name, label);
    glc_prom_escape_label(sb, value);
    glc_sb_puts(sb, "\"");
}

static void label(struct glc_strbuf *sb, const char *name, const char *value)
{
    glc_sb_printf(sb, ",%s=\"", name);
    glc_prom_escape_label(sb, value);
    glc_sb_puts(sb, "\"");
}

static void render_state(struct glc_strbuf *sb, struct glc_breaker_set *set,
                         const struct glc_breaker_stats *st)
{
    family(sb, "glc_circuit_breaker_state", "gauge",
           "Circuit breaker state: 1 for the current state, 0 for the others.");
    for (unsigned i = 0; i < glc_breaker_set_count(set); i++)
        for (unsigned s = 0; s < GLC_BREAKER_STATE_COUNT; s++) {
            series_open(sb, "glc_circuit_breaker_state", "breaker", glc_breaker_set_def(set, i)->name);
            label(sb, "state", glc_breaker_state_name((enum glc_breaker_state)s));
            glc_sb_printf(sb, "} %d\n", st[i].state == (enum glc_breaker_state)s);
        }
}

static void render_calls(struct glc_strbuf *sb, struct glc_breaker_set *set,
                         const struct glc_breaker_stats *st)
{
    family(sb, "glc_circuit_breaker_calls_total", "counter",
           "Calls through the circuit breaker, by outcome.");
    for (unsigned i = 0; i < glc_breaker_set_count(set); i++)
        for (unsigned c = 0; c < GLC_CALLS_COUNT; c++) {
            series_open(sb, "glc_circuit_breaker_calls_total", "breaker", glc_breaker_set_def(set, i)->name);
            label(sb, "outcome", glc_breaker_calls_name((enum glc_breaker_calls)c));
            glc_sb_printf(sb, "} %llu\n", (unsigned long long)st[i].calls[c]);
        }
}

static void render_transitions(struct glc_strbuf *sb, struct glc_breaker_set *set,
                               const struct glc_breaker_stats *st)
{
    static const enum glc_breaker_state edges[][2] = {
        { GLC_BREAKER_CLOSED, GLC_BREAKER_OPEN },
        { GLC_BREAKER_OPEN, GLC_BREAKER_HALF_OPEN },
        { GLC_BREAKER_HALF_OPEN, GLC_BREAKER_CLOSED },
        { GLC_BREAKER_HALF_OPEN, GLC_BREAKER_OPEN },
        { GLC_BREAKER_OPEN, GLC_BREAKER_CLOSED },  /* forced close or reset only */
    };

    family(sb, "glc_circuit_breaker_transitions_total", "counter",
           "Circuit breaker state transitions, by origin and destination state.");
    for (unsigned i = 0; i < glc_breaker_set_count(set); i++)
        for (unsigned e = 0; e < sizeof edges / sizeof edges[0]; e++) {
            series_open(sb, "glc_circuit_breaker_transitions_total", "breaker",
                        glc_breaker_set_def(set, i)->name);
            label(sb, "from", glc_breaker_state_name(edges[e][0]));
            label(sb, "to", glc_breaker_state_name(edges[e][1]));
            glc_sb_printf(sb, "} %llu\n",
                          (unsigned long long)st[i].transitions[edges[e][0]][edges[e][1]]);
        }
}

static void render_last_transition(struct glc_strbuf *sb, struct glc_breaker_set *set,
                                   const struct glc_breaker_stats *st)
{
    family(sb, "glc_circuit_breaker_last_transition_timestamp_seconds", "gauge",
           "Wall-clock time of the last state transition (0: none since start).");
    for (unsigned i = 0; i < glc_breaker_set_count(set); i++) {
        series_open(sb, "glc_circuit_breaker_last_transition_timestamp_seconds", "breaker",
                    glc_breaker_set_def(set, i)->name);
        glc_sb_printf(sb, "} %.3f\n", (double)st[i].last_transition_wall_ns / 1e9);
    }
}

static void render_up(struct glc_strbuf *sb, const struct glc_metrics_input *in)
{
    family(sb, "glc_dependency_up", "gauge", "1 if the last dependency check passed, else 0.");
    for (unsigned i = 0; i < in->ndeps; i++) {
        series_open(sb, "glc_dependency_up", "dependency", in->deps[i].name);
        glc_sb_printf(sb, "} %d\n", in->deps[i].up ? 1 : 0);
    }
}

static void render_histogram(struct glc_strbuf *sb, const char *name, const char *dep,
                             const struct glc_histogram *h)
{
    uint64_t cumulative = 0;

    for (unsigned b = 0; b <= GLC_HIST_BUCKETS; b++) {
        cumulative += h->bucket[b];
        glc_sb_printf(sb, "%s_bucket{dependency=\"", name);
        glc_prom_escape_label(sb, dep);
        if (b < GLC_HIST_BUCKETS)
            glc_sb_printf(sb, "\",le=\"%g\"} %llu\n", glc_hist_bounds[b], (unsigned long long)cumulative);
        else
            glc_sb_printf(sb, "\",le=\"+Inf\"} %llu\n", (unsigned long long)cumulative);
    }
    glc_sb_printf(sb, "%s_sum{dependency=\"", name);
    glc_prom_escape_label(sb, dep);
    glc_sb_printf(sb, "\"} %.9g\n", h->sum);
    glc_sb_printf(sb, "%s_count{dependency=\"", name);
    glc_prom_escape_label(sb, dep);
    glc_sb_printf(sb, "\"} %llu\n", (unsigned long long)h->count);
}

static void render_durations(struct glc_strbuf *sb, const struct glc_metrics_input *in)
{
    static const char name[] = "glc_dependency_check_duration_seconds";

    family(sb, name, "histogram", "Duration of dependency checks that were admitted by their breaker.");
    for (unsigned i = 0; i < in->ndeps; i++)
        render_histogram(sb, name, in->deps[i].name, &in->deps[i].hist);
}

static void render_http(struct glc_strbuf *sb, const struct glc_metrics_input *in)
{
    family(sb, "glc_http_requests_total", "counter", "HTTP requests served, by path and status code.");
    for (unsigned p = 0; p < GLC_PATH_COUNT; p++)
        for (unsigned c = 0; c < GLC_CODE_COUNT; c++) {
            series_open(sb, "glc_http_requests_total", "path", glc_http_path_label((enum glc_http_path)p));
            glc_sb_printf(sb, ",code=\"%u\"} %llu\n", glc_http_code_value((enum glc_http_code)c),
                          (unsigned long long)(in->http ? in->http[p][c] : 0));
        }
}

static void render_queues(struct glc_strbuf *sb, const struct glc_pipeline_metrics *p)
{
    family(sb, "glc_events_dropped_total", "counter",
           "Breaker events dropped because a queue was full (oldest first), by queue.");
    for (unsigned q = 0; q < GLC_QUEUE_COUNT; q++) {
        series_open(sb, "glc_events_dropped_total", "queue", glc_event_queue_name((enum glc_event_queue)q));
        glc_sb_printf(sb, "} %llu\n", (unsigned long long)p->dropped[q]);
    }
    family(sb, "glc_events_queued", "gauge", "Breaker events waiting in a queue, by queue.");
    for (unsigned q = GLC_QUEUE_DATABASE; q < GLC_QUEUE_COUNT; q++) {
        series_open(sb, "glc_events_queued", "queue", glc_event_queue_name((enum glc_event_queue)q));
        glc_sb_printf(sb, "} %llu\n", (unsigned long long)p->depth[q]);
    }
    family(sb, "glc_events_written_total", "counter", "Breaker events written to PostgreSQL.");
    glc_sb_printf(sb, "glc_events_written_total %llu\n", (unsigned long long)p->written);
    family(sb, "glc_events_writer_up", "gauge",
           "1 if the event writer's last PostgreSQL operation succeeded, else 0.");
    glc_sb_printf(sb, "glc_events_writer_up %d\n", p->writer_up ? 1 : 0);
}

static void render_alerts(struct glc_strbuf *sb, const struct glc_pipeline_metrics *p)
{
    family(sb, "glc_alerts_sent_total", "counter",
           "Alerts by channel and final result (ok: accepted; failed: rejected or retries exhausted).");
    for (unsigned c = 0; c < GLC_CHANNEL_COUNT; c++)
        for (unsigned r = 0; r < GLC_ALERT_RESULT_COUNT; r++) {
            series_open(sb, "glc_alerts_sent_total", "channel", glc_alert_channel_name((enum glc_alert_channel)c));
            label(sb, "result", glc_alert_result_name((enum glc_alert_result)r));
            glc_sb_printf(sb, "} %llu\n", (unsigned long long)p->alerts[c][r]);
        }
    family(sb, "glc_alert_retries_total", "counter", "Alert deliveries retried (429, 5xx, network errors).");
    for (unsigned c = 0; c < GLC_CHANNEL_COUNT; c++) {
        series_open(sb, "glc_alert_retries_total", "channel", glc_alert_channel_name((enum glc_alert_channel)c));
        glc_sb_printf(sb, "} %llu\n", (unsigned long long)p->alert_retries[c]);
    }
}

static void render_process(struct glc_strbuf *sb, const struct glc_metrics_input *in)
{
    family(sb, "glc_ready", "gauge", "1 while /health/ready answers 200, else 0.");
    glc_sb_printf(sb, "glc_ready %d\n", in->ready ? 1 : 0);
    family(sb, "glc_draining", "gauge", "1 after SIGTERM or SIGINT, while the runtime drains.");
    glc_sb_printf(sb, "glc_draining %d\n", in->draining ? 1 : 0);
}

int glc_metrics_render(struct glc_strbuf *out, const struct glc_metrics_input *in)
{
    unsigned n = glc_breaker_set_count(in->set);
    struct glc_breaker_stats *st = calloc(n ? n : 1, sizeof *st);

    if (!st)
        return -1;
    for (unsigned i = 0; i < n; i++)
        glc_breaker_get_stats(in->set, i, &st[i]);
    render_state(out, in->set, st);
    render_calls(out, in->set, st);
    render_transitions(out, in->set, st);
    render_last_transition(out, in->set, st);
    render_up(out, in);
    render_durations(out, in);
    render_http(out, in);
    render_queues(out, &in->pipeline);
    render_alerts(out, &in->pipeline);
    render_process(out, in);
    free(st);
    return out->oom ? -1 : 0;
}
