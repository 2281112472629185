/* SPDX-License-Identifier: MIT */
/*
 * Health bodies: the application/health+json readiness document and the /breakers JSON.
 * Both are built only from the breaker table's names and fixed vocabularies (status, reason,
 * state, kind), so no connection string, host, port or driver text can ever reach a client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rt.h"

const char *glc_check_status_name(enum glc_check_status status)
{
    switch (status) {
    case GLC_STATUS_PASS: return "pass";
    case GLC_STATUS_DISABLED: return "disabled";
    default: return "fail";
    }
}

const char *glc_check_reason_name(enum glc_check_reason reason)
{
    static const char *const names[GLC_REASON_COUNT] = {
        "none", "starting", "timeout", "connect_refused", "auth_failed", "dns",
        "unavailable", "protocol", "misconfigured", "breaker_open",
    };

    return (unsigned)reason < GLC_REASON_COUNT ? names[reason] : "unavailable";
}

const char *glc_check_kind_name(int kind)
{
    switch (kind) {
    case GLC_CHECK_POSTGRES: return "postgres";
    case GLC_CHECK_REDIS: return "redis";
    case GLC_CHECK_KAFKA: return "kafka";
    default: return "none";
    }
}

static const char *component_type(int kind)
{
    return kind == GLC_CHECK_POSTGRES || kind == GLC_CHECK_REDIS ? "datastore" : "component";
}

/* Dependencies shown on /health/ready: every check, and required breakers without one. */
static int shown_on_ready(const struct glc_dep_view *d)
{
    return d->kind != GLC_CHECK_NONE || d->readiness;
}

static void render_check(struct glc_strbuf *sb, const struct glc_dep_view *d)
{
    glc_sb_printf(sb, "\"%s\":[{\"componentType\":\"%s\",\"status\":\"%s\"", d->name,
                  component_type(d->kind), glc_check_status_name(d->status));
    if (d->status == GLC_STATUS_FAIL)
        glc_sb_printf(sb, ",\"reason\":\"%s\"", glc_check_reason_name(d->reason));
    glc_sb_printf(sb, ",\"breaker\":\"%s\",\"required\":%s}]", glc_breaker_state_name(d->breaker),
                  d->readiness ? "true" : "false");
}

unsigned glc_health_ready_render(struct glc_strbuf *out, int started, int draining,
                                 const struct glc_dep_view *deps, unsigned ndeps)
{
    int fail = !started || draining, warn = 0, first = 1;

    for (unsigned i = 0; i < ndeps; i++) {
        if (!shown_on_ready(&deps[i]) || deps[i].status != GLC_STATUS_FAIL)
            continue;
        if (deps[i].readiness)
            fail = 1;
        else
            warn = 1;
    }
    glc_sb_printf(out, "{\"status\":\"%s\"", fail ? "fail" : warn ? "warn" : "pass");
    if (!started || draining)
        glc_sb_printf(out, ",\"notes\":[\"%s\"]", draining ? "draining" : "starting");
    glc_sb_puts(out, ",\"checks\":{");
    for (unsigned i = 0; i < ndeps; i++) {
        if (!shown_on_ready(&deps[i]))
            continue;
        if (!first)
            glc_sb_puts(out, ",");
        first = 0;
        render_check(out, &deps[i]);
    }
    glc_sb_puts(out, "}}\n");
    return fail ? 503 : 200;
}

/* --- /breakers ------------------------------------------------------------------------------ */

static json_t *iso_time_or_null(int64_t wall_ns)
{
    char buf[40];
    struct tm tm;
    time_t secs;
    size_t n;

    if (wall_ns <= 0)
        return json_null();
    secs = (time_t)(wall_ns / 1000000000ll);
    gmtime_r(&secs, &tm);
    n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof buf - n, ".%03dZ", (int)(wall_ns % 1000000000ll / 1000000));
    return json_string(buf);
}

static json_t *calls_json(const struct glc_breaker_stats *st)
{
    json_t *o = json_object();

    for (unsigned c = 0; c < GLC_CALLS_COUNT; c++)
        json_object_set_new(o, glc_breaker_calls_name((enum glc_breaker_calls)c),
                            json_integer((json_int_t)st->calls[c]));
    return o;
}

static json_t *transitions_json(const struct glc_breaker_stats *st)
{
    json_t *o = json_object();
    char key[40];

    for (unsigned f = 0; f < GLC_BREAKER_STATE_COUNT; f++)
        for (unsigned t = 0; t < GLC_BREAKER_STATE_COUNT; t++) {
            if (f == t)
                continue;
            snprintf(key, sizeof key, "%s_to_%s", glc_breaker_state_name((enum glc_breaker_state)f),
                     glc_breaker_state_name((enum glc_breaker_state)t));
            json_object_set_new(o, key, json_integer((json_int_t)st->transitions[f][t]));
        }
    return o;
}

static json_t *breaker_json(struct glc_breaker_set *set, unsigned i, const struct glc_dep_view *d)
{
    const struct glc_breaker_def *def = glc_breaker_set_def(set, i);
    struct glc_breaker_stats st;
    json_t *o = json_object();

    glc_breaker_get_stats(set, i, &st);
    json_object_set_new(o, "name", json_string(def->name));
    json_object_set_new(o, "state", json_string(glc_breaker_state_name(st.state)));
    json_object_set_new(o, "check", json_string(glc_check_kind_name(def->check)));
    if (def->check != GLC_CHECK_NONE)
        json_object_set_new(o, "check_status", json_string(glc_check_status_name(d->status)));
    json_object_set_new(o, "readiness", json_boolean(def->readiness));
    json_object_set_new(o, "generation", json_integer((json_int_t)st.generation));
    json_object_set_new(o, "consecutive_failures", json_integer(st.consecutive_failures));
    json_object_set_new(o, "half_open_successes", json_integer(st.half_open_successes));
    json_object_set_new(o, "permits_in_flight", json_integer(st.permits_in_flight));
    json_object_set_new(o, "permits_reclaimed", json_integer((json_int_t)st.permits_reclaimed));
    json_object_set_new(o, "open_remaining_ms", json_integer((json_int_t)st.open_remaining_ms));
    json_object_set_new(o, "held_open", json_boolean(st.held_open));
    json_object_set_new(o, "calls", calls_json(&st));
    json_object_set_new(o, "transitions", transitions_json(&st));
    json_object_set_new(o, "last_transition", iso_time_or_null(st.last_transition_wall_ns));
    json_object_set_new(o, "config", json_pack("{s:I,s:I,s:I,s:I}",
        "failure_threshold", (json_int_t)def->failure_threshold,
        "recovery_timeout_ms", (json_int_t)def->recovery_timeout_ms,
        "half_open_max_calls", (json_int_t)def->half_open_max_calls,
        "success_threshold", (json_int_t)def->success_threshold));
    return o;
}

char *glc_health_breakers_json(struct glc_breaker_set *set, const struct glc_dep_view *deps)
{
    json_t *list = json_array(), *doc;
    char *text;

    for (unsigned i = 0; i < glc_breaker_set_count(set); i++)
        json_array_append_new(list, breaker_json(set, i, &deps[i]));
    doc = json_pack("{s:o}", "breakers", list);
    text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    return text;
}
