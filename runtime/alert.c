/* SPDX-License-Identifier: MIT */
/*
 * Alerts: when a breaker opens (and, with alert_on_close, when it closes again) a message goes
 * to each channel the table lists and the environment configures: a Slack incoming webhook
 * (GLC_SLACK_WEBHOOK_URL) and PagerDuty Events API v2 (GLC_PAGERDUTY_ROUTING_KEY, trigger and
 * resolve under one dedup_key per breaker). One thread sends them with libcurl, from a bounded
 * queue, with timeouts and capped exponential backoff (retrying 429, 5xx and network errors,
 * never other 4xx). The webhook URL and the routing key are secrets: never logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "rt.h"

#define NS_PER_MS 1000000ull
#define QUEUE_MAX 256u
#define CONNECT_TIMEOUT_MS 3000L
#define REQUEST_TIMEOUT_MS 10000L
#define DEFAULT_BACKOFF_MS 1000u
#define MAX_BACKOFF_MS 30000u
#define MAX_RETRY_AFTER_MS 60000u
#define DEFAULT_ATTEMPTS 5u
#define SLACK_SPACING_MS 1000u  /* Slack: about one message per second per webhook */
#define PAGERDUTY_DEFAULT_URL "https://events.pagerduty.com/v2/enqueue"

struct channel {
    int enabled;
    char *url;          /* secret (Slack: the webhook itself) */
    char *routing_key;  /* PagerDuty only; secret */
    CURL *curl;
    struct curl_slist *headers;
    uint64_t next_allowed_ns;
    _Atomic uint64_t results[GLC_ALERT_RESULT_COUNT];
    _Atomic uint64_t retries;
};

struct glc_alerts {
    struct glc_rt *rt;
    struct glc_evq q;
    struct channel ch[GLC_CHANNEL_COUNT];
    pthread_t thread;
    _Atomic uint64_t stop_deadline_ns;  /* 0 while running */
    unsigned max_attempts;
    uint64_t backoff_ms;
};

/* What one delivery attempt gave. */
struct attempt {
    int code;             /* CURLcode */
    long status;          /* HTTP status, 0 if none */
    uint64_t retry_after_ms;
};

const char *glc_alert_channel_name(enum glc_alert_channel c)
{
    return c == GLC_CHANNEL_SLACK ? "slack" : c == GLC_CHANNEL_PAGERDUTY ? "pagerduty" : "unknown";
}

const char *glc_alert_result_name(enum glc_alert_result r)
{
    return r == GLC_ALERT_OK ? "ok" : "failed";
}

/* --- policy and bodies ---------------------------------------------------------------------- */

enum glc_alert_kind glc_alert_kind_of(const struct glc_app_def *app, const struct glc_breaker_event *ev)
{
    if (ev->cause == GLC_CAUSE_RESUMED)
        return GLC_ALERT_NONE;  /* alerted by the run that opened it */
    if (ev->to == GLC_BREAKER_OPEN && ev->from == GLC_BREAKER_CLOSED)
        return app->alert_on_open ? GLC_ALERT_OPEN : GLC_ALERT_NONE;
    if (ev->to == GLC_BREAKER_CLOSED && ev->from != GLC_BREAKER_CLOSED)
        return app->alert_on_close ? GLC_ALERT_CLOSE : GLC_ALERT_NONE;
    return GLC_ALERT_NONE;
}

enum glc_alert_verdict glc_alert_verdict(int curl_code, long http_status)
{
    if (curl_code != CURLE_OK)
        return curl_code == CURLE_URL_MALFORMAT || curl_code == CURLE_UNSUPPORTED_PROTOCOL ||
                       curl_code == CURLE_NOT_BUILT_IN
                   ? GLC_VERDICT_FAIL
                   : GLC_VERDICT_RETRY;
    if (http_status >= 200 && http_status < 300)
        return GLC_VERDICT_OK;
    if (http_status == 429 || (http_status >= 500 && http_status < 600))
        return GLC_VERDICT_RETRY;
    return GLC_VERDICT_FAIL;
}

static void why_text(char *buf, size_t cap, const struct glc_breaker_event *ev)
{
    switch (ev->cause) {
    case GLC_CAUSE_FORCED_OPEN: snprintf(buf, cap, "held open by an operator"); break;
    case GLC_CAUSE_FORCED_CLOSE: snprintf(buf, cap, "closed by an operator"); break;
    case GLC_CAUSE_FORCED_RESET: snprintf(buf, cap, "reset by an operator"); break;
    default:
        if (ev->to == GLC_BREAKER_OPEN)
            snprintf(buf, cap, "after %u consecutive failures", ev->failure_count);
        else
            snprintf(buf, cap, "trial calls succeeded");
        break;
    }
}

/* Slack's mrkdwn needs &, < and > escaped in text. */
static void slack_escape(struct glc_strbuf *sb, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '&')
            glc_sb_puts(sb, "&amp;");
        else if (*s == '<')
            glc_sb_puts(sb, "&lt;");
        else if (*s == '>')
            glc_sb_puts(sb, "&gt;");
        else
            glc_sb_append(sb, s, 1);
    }
}

static char *dump(json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

    json_decref(doc);
    return text;
}

char *glc_alert_slack_body(const struct glc_alert_info *info, const struct glc_breaker_event *ev,
                           enum glc_alert_kind kind)
{
    struct glc_strbuf sb;
    char why[96];
    char *body;

    why_text(why, sizeof why, ev);
    glc_sb_init(&sb);
    glc_sb_puts(&sb, kind == GLC_ALERT_OPEN ? ":rotating_light: *" : ":white_check_mark: *");
    slack_escape(&sb, info->app);
    glc_sb_printf(&sb, "*: circuit breaker `%s` %s (%s)", info->def->name,
                  kind == GLC_ALERT_OPEN ? "opened" : "closed again", why);
    if (kind == GLC_ALERT_OPEN && ev->open_ms)
        glc_sb_printf(&sb, "; calls fail fast, half-open trials in %.1f s", (double)ev->open_ms / 1000.0);
    else if (kind == GLC_ALERT_OPEN)
        glc_sb_puts(&sb, "; calls fail fast until it is closed");
    if (info->def->readiness && kind == GLC_ALERT_OPEN)
        glc_sb_puts(&sb, ". Readiness fails while it is open");
    if (info->pod) {
        glc_sb_puts(&sb, ". Pod ");
        slack_escape(&sb, info->pod);
    }
    glc_sb_puts(&sb, ".");
    if (sb.oom) {
        glc_sb_free(&sb);
        return NULL;
    }
    body = dump(json_pack("{s:s}", "text", sb.data));
    glc_sb_free(&sb);
    return body;
}

char *glc_alert_pagerduty_body(const struct glc_alert_info *info, const char *routing_key,
                               const struct glc_breaker_event *ev, enum glc_alert_kind kind)
{
    char dedup[256], summary[512], why[96];

    snprintf(dedup, sizeof dedup, "%s/%s", info->app, info->def->name);
    if (kind != GLC_ALERT_OPEN)
        return dump(json_pack("{s:s,s:s,s:s}", "routing_key", routing_key, "event_action", "resolve",
                              "dedup_key", dedup));
    why_text(why, sizeof why, ev);
    snprintf(summary, sizeof summary, "%s: circuit breaker %s opened (%s)", info->app, info->def->name, why);
    return dump(json_pack(
        "{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s,s:i,s:I,s:b,s:s*}}}",
        "routing_key", routing_key, "event_action", "trigger", "dedup_key", dedup,
        "payload", "summary", summary, "source", info->pod ? info->pod : info->app,
        "severity", info->def->readiness ? "critical" : "error", "component", info->def->name,
        "group", info->app, "class", "circuit_breaker",
        "custom_details", "breaker", info->def->name, "from", glc_breaker_state_name(ev->from),
        "cause", glc_breaker_cause_name(ev->cause), "failure_count", (int)ev->failure_count,
        "open_ms", (json_int_t)ev->open_ms, "readiness", info->def->readiness, "pod", info->pod));
}

/* --- sending -------------------------------------------------------------------------------- */

static size_t discard(char *data, size_t size, size_t n, void *ud)
{
    (void)data, (void)ud;
    return size * n;
}

/* Abort a transfer in flight once the shutdown deadline has passed. */
static int progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    struct glc_alerts *a = ud;
    uint64_t stop = atomic_load(&a->stop_deadline_ns);

    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return stop && glc_mono_ns() >= stop;
}

static int channel_init(struct glc_alerts *a, struct channel *ch)
{
    ch->curl = curl_easy_init();
    ch->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (!ch->curl || !ch->headers)
        return -1;
    curl_easy_setopt(ch->curl, CURLOPT_URL, ch->url);
    curl_easy_setopt(ch->curl, CURLOPT_HTTPHEADER, ch->headers);
    curl_easy_setopt(ch->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(ch->curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(ch->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(ch->curl, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
    curl_easy_setopt(ch->curl, CURLOPT_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
    curl_easy_setopt(ch->curl, CURLOPT_USERAGENT, "glc-runtime/" GLC_VERSION);
    curl_easy_setopt(ch->curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(ch->curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(ch->curl, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(ch->curl, CURLOPT_XFERINFODATA, a);
    return 0;
}

static struct attempt post(struct channel *ch, const char *body)
{
    struct attempt at = { 0 };
    curl_off_t retry_after = 0;

    curl_easy_setopt(ch->curl, CURLOPT_COPYPOSTFIELDS, body);
    at.code = (int)curl_easy_perform(ch->curl);
    curl_easy_getinfo(ch->curl, CURLINFO_RESPONSE_CODE, &at.status);
    if (curl_easy_getinfo(ch->curl, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
        at.retry_after_ms = (uint64_t)retry_after * 1000u;
    if (at.retry_after_ms > MAX_RETRY_AFTER_MS)
        at.retry_after_ms = MAX_RETRY_AFTER_MS;
    return at;
}

static void log_attempt(enum glc_log_level level, const char *msg, enum glc_alert_channel c,
                        const struct glc_breaker_def *def, enum glc_alert_kind kind,
                        const struct attempt *at, unsigned attempts)
{
    glc_log(level, msg,
            json_pack("{s:s,s:s,s:s,s:i,s:s*,s:i}", "channel", glc_alert_channel_name(c), "breaker", def->name,
                      "alert", kind == GLC_ALERT_OPEN ? "open" : "close", "status", (int)at->status,
                      "error", at->code ? curl_easy_strerror((CURLcode)at->code) : NULL,
                      "attempts", (int)attempts));
}

static void sleep_until(uint64_t deadline_ns)
{
    struct timespec ts = { .tv_sec = (time_t)(deadline_ns / 1000000000ull),
                           .tv_nsec = (long)(deadline_ns % 1000000000ull) };

    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
        ;
}

/* Wait until @when; 0 if reached, -1 if the shutdown deadline comes first. */
static int wait_until(struct glc_alerts *a, uint64_t when)
{
    uint64_t stop = atomic_load(&a->stop_deadline_ns);

    if (!stop && glc_mono_ns() < when && !glc_evq_sleep(&a->q, when))
        return 0;
    stop = atomic_load(&a->stop_deadline_ns);
    if (stop && when > stop)
        return -1;
    sleep_until(when);
    return 0;
}

static uint64_t retry_delay_ms(const struct glc_alerts *a, unsigned attempt, const struct attempt *at)
{
    uint64_t ms = a->backoff_ms;

    for (unsigned i = 1; i < attempt && ms < MAX_BACKOFF_MS; i++)
        ms *= 2;
    if (ms > MAX_BACKOFF_MS)
        ms = MAX_BACKOFF_MS;
    return at->retry_after_ms > ms ? at->retry_after_ms : ms;
}

static void send_one(struct glc_alerts *a, enum glc_alert_channel c, const struct glc_breaker_def *def,
                     enum glc_alert_kind kind, const char *body)
{
    struct channel *ch = &a->ch[c];
    struct attempt at = { 0 };

    for (unsigned attempt = 1;; attempt++) {
        enum glc_alert_verdict v;

        if (wait_until(a, ch->next_allowed_ns) != 0)
            break;
        at = post(ch, body);
        if (c == GLC_CHANNEL_SLACK)
            ch->next_allowed_ns = glc_mono_ns() + SLACK_SPACING_MS * NS_PER_MS;
        v = glc_alert_verdict(at.code, at.status);
        if (v == GLC_VERDICT_OK) {
            atomic_fetch_add(&ch->results[GLC_ALERT_OK], 1);
            log_attempt(GLC_LOG_INFO, "alert sent", c, def, kind, &at, attempt);
            return;
        }
        if (v == GLC_VERDICT_FAIL || attempt >= a->max_attempts)
            break;
        log_attempt(GLC_LOG_WARN, "alert not delivered; retrying", c, def, kind, &at, attempt);
        atomic_fetch_add(&ch->retries, 1);
        if (wait_until(a, glc_mono_ns() + retry_delay_ms(a, attempt, &at) * NS_PER_MS) != 0)
            break;
    }
    atomic_fetch_add(&ch->results[GLC_ALERT_FAILED], 1);
    log_attempt(GLC_LOG_ERROR, "alert failed", c, def, kind, &at, 0);
}

static void deliver(struct glc_alerts *a, const struct glc_breaker_event *ev)
{
    const struct glc_breaker_def *def = glc_breaker_set_def(a->rt->set, ev->breaker);
    enum glc_alert_kind kind = glc_alert_kind_of(a->rt->app, ev);
    struct glc_alert_info info = { a->rt->app->name, a->rt->pod_name, def };

    if (kind == GLC_ALERT_NONE)
        return;
    for (unsigned c = 0; c < GLC_CHANNEL_COUNT; c++) {
        char *body;

        if (!a->ch[c].enabled)
            continue;
        body = c == GLC_CHANNEL_SLACK ? glc_alert_slack_body(&info, ev, kind)
                                      : glc_alert_pagerduty_body(&info, a->ch[c].routing_key, ev, kind);
        if (body)
            send_one(a, (enum glc_alert_channel)c, def, kind, body);
        else
            atomic_fetch_add(&a->ch[c].results[GLC_ALERT_FAILED], 1);
        free(body);
    }
}

static void *sender_main(void *arg)
{
    struct glc_alerts *a = arg;
    struct glc_breaker_event ev;

    for (;;) {
        uint64_t stop = atomic_load(&a->stop_deadline_ns), now = glc_mono_ns();
        struct glc_evq_stats st;

        glc_evq_get_stats(&a->q, &st);
        if (stop && (now >= stop || st.depth == 0))
            break;
        if (!stop && !glc_evq_wait(&a->q, now + 1000 * NS_PER_MS))
            continue;
        if (glc_evq_peek(&a->q, &ev, 1) == 0)
            continue;
        deliver(a, &ev);
        glc_evq_ack(&a->q);
    }
    return NULL;
}

/* --- lifecycle ------------------------------------------------------------------------------ */

static unsigned env_uint(const char *name, unsigned def, unsigned min, unsigned max)
{
    const char *s = getenv(name);
    char *end;
    unsigned long v;

    if (!s || !*s)
        return def;
    v = strtoul(s, &end, 10);
    if (*end || v < min || v > max) {
        glc_log(GLC_LOG_WARN, "ignoring an invalid setting; using the default",
                json_pack("{s:s,s:i,s:i,s:i}", "env", name, "min", (int)min, "max", (int)max, "default", (int)def));
        return def;
    }
    return (unsigned)v;
}

static const char *env_value(const char *name)
{
    const char *v = getenv(name);

    return v && *v ? v : NULL;
}

/* A channel is used when the table lists it and its environment variable is set. */
static int configure(struct glc_alerts *a, enum glc_alert_channel c, int listed, const char *env,
                     const char *secret)
{
    struct channel *ch = &a->ch[c];
    const char *name = glc_alert_channel_name(c);

    if (listed && !secret)
        glc_log(GLC_LOG_WARN, "alert channel listed in alert_channels but not configured: not used",
                json_pack("{s:s,s:s}", "channel", name, "env", env));
    if (!listed && secret)
        glc_log(GLC_LOG_INFO, "alert channel configured but not listed in alert_channels: not used",
                json_pack("{s:s,s:s}", "channel", name, "env", env));
    if (!listed || !secret)
        return 0;
    if (c == GLC_CHANNEL_SLACK) {
        ch->url = strdup(secret);
    } else {
        ch->routing_key = strdup(secret);
        ch->url = strdup(env_value("GLC_PAGERDUTY_URL") ? env_value("GLC_PAGERDUTY_URL") : PAGERDUTY_DEFAULT_URL);
        if (!ch->routing_key)
            return -1;
    }
    if (!ch->url || channel_init(a, ch) != 0)
        return -1;
    ch->enabled = 1;
    return 0;
}

static void free_alerts(struct glc_alerts *a)
{
    for (unsigned c = 0; c < GLC_CHANNEL_COUNT; c++) {
        if (a->ch[c].curl)
            curl_easy_cleanup(a->ch[c].curl);
        curl_slist_free_all(a->ch[c].headers);
        free(a->ch[c].url);
        free(a->ch[c].routing_key);
    }
    glc_evq_destroy(&a->q);
    free(a);
}

struct glc_alerts *glc_alerts_start(struct glc_rt *rt, int *err)
{
    const struct glc_app_def *app = rt->app;
    struct glc_alerts *a;

    *err = 0;
    if (!app->alert_on_open && !app->alert_on_close)
        return NULL;
    a = calloc(1, sizeof *a);
    if (!a || glc_evq_init(&a->q, QUEUE_MAX) != 0) {
        free(a);
        *err = 1;
        return NULL;
    }
    a->rt = rt;
    a->max_attempts = env_uint("GLC_ALERT_MAX_ATTEMPTS", DEFAULT_ATTEMPTS, 1, 20);
    a->backoff_ms = env_uint("GLC_ALERT_BACKOFF_MS", DEFAULT_BACKOFF_MS, 10, 60000);
    if (configure(a, GLC_CHANNEL_SLACK, app->alert_slack, "GLC_SLACK_WEBHOOK_URL",
                  env_value("GLC_SLACK_WEBHOOK_URL")) != 0 ||
        configure(a, GLC_CHANNEL_PAGERDUTY, app->alert_pagerduty, "GLC_PAGERDUTY_ROUTING_KEY",
                  env_value("GLC_PAGERDUTY_ROUTING_KEY")) != 0) {
        free_alerts(a);
        *err = 1;
        return NULL;
    }
    if (!a->ch[GLC_CHANNEL_SLACK].enabled && !a->ch[GLC_CHANNEL_PAGERDUTY].enabled) {
        free_alerts(a);
        return NULL;
    }
    if (pthread_create(&a->thread, NULL, sender_main, a) != 0) {
        free_alerts(a);
        *err = 1;
        return NULL;
    }
    glc_log(GLC_LOG_INFO, "alerts enabled",
            json_pack("{s:b,s:b,s:b,s:b}", "slack", a->ch[GLC_CHANNEL_SLACK].enabled,
                      "pagerduty", a->ch[GLC_CHANNEL_PAGERDUTY].enabled, "on_open", app->alert_on_open,
                      "on_close", app->alert_on_close));
    return a;
}

int glc_alerts_push(struct glc_alerts *a, const struct glc_breaker_event *ev)
{
    if (glc_alert_kind_of(a->rt->app, ev) == GLC_ALERT_NONE)
        return 0;
    return glc_evq_push(&a->q, ev);
}

void glc_alerts_stop(struct glc_alerts *a, uint64_t deadline_ns)
{
    atomic_store(&a->stop_deadline_ns, deadline_ns ? deadline_ns : 1);
    glc_evq_close(&a->q);
}

void glc_alerts_join(struct glc_alerts *a)
{
    struct glc_evq_stats st;

    pthread_join(a->thread, NULL);
    glc_evq_get_stats(&a->q, &st);
    if (st.depth)
        glc_log(GLC_LOG_WARN, "alerts not sent at shutdown", json_pack("{s:I}", "alerts", (json_int_t)st.depth));
}

void glc_alerts_free(struct glc_alerts *a)
{
    if (a)
        free_alerts(a);
}

void glc_alerts_metrics(struct glc_alerts *a, struct glc_pipeline_metrics *out)
{
    struct glc_evq_stats st;

    glc_evq_get_stats(&a->q, &st);
    out->dropped[GLC_QUEUE_ALERTS] = st.dropped;
    out->depth[GLC_QUEUE_ALERTS] = st.depth;
    for (unsigned c = 0; c < GLC_CHANNEL_COUNT; c++) {
        for (unsigned r = 0; r < GLC_ALERT_RESULT_COUNT; r++)
            out->alerts[c][r] = atomic_load(&a->ch[c].results[r]);
        out->alert_retries[c] = atomic_load(&a->ch[c].retries);
    }
}
