/* SPDX-License-Identifier: MIT */
/*
 * PostgreSQL check: `SELECT 1` over one persistent libpq connection, re-established on
 * failure. Connect and query are non-blocking and polled against our own deadline (libpq's
 * connect_timeout is whole seconds, min 2, and is ignored by PQconnectPoll); the server side
 * is bounded by statement_timeout.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "rt.h"

enum glc_check_reason glc_pg_classify(const char *msg)
{
    if (!msg || !*msg)
        return GLC_REASON_UNAVAILABLE;
    if (glc_contains_ci(msg, "password authentication failed") ||
        glc_contains_ci(msg, "authentication failed") || glc_contains_ci(msg, "no pg_hba.conf entry") ||
        glc_contains_ci(msg, "password is required") || glc_contains_ci(msg, "no password supplied") ||
        (glc_contains_ci(msg, "role") && glc_contains_ci(msg, "does not exist")))
        return GLC_REASON_AUTH_FAILED;
    if (glc_contains_ci(msg, "connection refused") || glc_contains_ci(msg, "no such file or directory"))
        return GLC_REASON_CONNECT_REFUSED;
    if (glc_contains_ci(msg, "could not translate host name") ||
        glc_contains_ci(msg, "name or service not known") ||
        glc_contains_ci(msg, "temporary failure in name resolution"))
        return GLC_REASON_DNS;
    if (glc_contains_ci(msg, "timeout") || glc_contains_ci(msg, "timed out"))
        return GLC_REASON_TIMEOUT;
    if (glc_contains_ci(msg, "invalid") || glc_contains_ci(msg, "missing \"=\"") ||
        glc_contains_ci(msg, "unterminated quoted string"))
        return GLC_REASON_MISCONFIGURED;
    if (glc_contains_ci(msg, "ssl") || glc_contains_ci(msg, "protocol"))
        return GLC_REASON_PROTOCOL;
    return GLC_REASON_UNAVAILABLE;
}

/* Server notices (e.g. "terminating connection due to administrator command") go to our log,
 * not to libpq's default of stderr. */
static void on_notice(void *arg, const char *message)
{
    char *clean = glc_redact(message);
    size_t n = clean ? strlen(clean) : 0;

    (void)arg;
    while (n && clean[n - 1] == '\n')
        clean[--n] = '\0';
    glc_log(GLC_LOG_WARN, "postgres notice", json_pack("{s:s*}", "detail", clean));
    free(clean);
}

static int fail(enum glc_check_reason *reason, enum glc_check_reason r, char *detail, size_t cap,
                const char *text)
{
    *reason = r;
    snprintf(detail, cap, "%s", text ? text : "");
    return -1;
}

static PGconn *pg_connect(const struct glc_checker *ck, uint64_t deadline_ns,
                          enum glc_check_reason *reason, char *detail, size_t cap)
{
    char options[64];
    const char *keys[] = { "dbname", "connect_timeout", "options", "application_name", NULL };
    const char *vals[] = { ck->target, "2", options, "glc-runtime", NULL };
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    PGconn *c;

    if (glc_pg_conninfo_check(ck->target, detail, cap) != 0) {
        *reason = GLC_REASON_MISCONFIGURED;
        return NULL;
    }
    snprintf(options, sizeof options, "-c statement_timeout=%u", ck->timeout_ms);
    c = PQconnectStartParams(keys, vals, 1);
    if (!c) {
        fail(reason, GLC_REASON_UNAVAILABLE, detail, cap, "out of memory");
        return NULL;
    }
    PQsetNoticeProcessor(c, on_notice, NULL);
    while (PQstatus(c) != CONNECTION_BAD && st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
        int w = glc_wait_fd(PQsocket(c), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline_ns);

        if (w <= 0) {
            fail(reason, w == 0 ? GLC_REASON_TIMEOUT : GLC_REASON_UNAVAILABLE, detail, cap,
                 w == 0 ? "connect timed out" : "poll failed");
            PQfinish(c);
            return NULL;
        }
        st = PQconnectPoll(c);
    }
    if (PQstatus(c) != CONNECTION_OK) {
        fail(reason, glc_pg_classify(PQerrorMessage(c)), detail, cap, PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PQsetnonblocking(c, 1);
    return c;
}

static enum glc_check_reason result_reason(const PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

    if (state && strcmp(state, "57014") == 0)
        return GLC_REASON_TIMEOUT;          /* query_canceled: statement_timeout */
    if (state && strncmp(state, "28", 2) == 0)
        return GLC_REASON_AUTH_FAILED;      /* invalid authorization */
    if (state && strncmp(state, "57P", 3) == 0)
        return GLC_REASON_UNAVAILABLE;      /* admin shutdown, crash shutdown, cannot connect now */
    return glc_pg_classify(PQresultErrorMessage(res));
}

/* Wait for and check every result of the query in flight. */
static int pg_collect(PGconn *c, uint64_t deadline_ns, enum glc_check_reason *reason, char *detail,
                      size_t cap)
{
    int ok = 0, seen = 0;

    for (;;) {
        PGresult *res;

        if (!PQconsumeInput(c))
            return fail(reason, glc_pg_classify(PQerrorMessage(c)), detail, cap, PQerrorMessage(c));
        if (PQisBusy(c)) {
            int w = glc_wait_fd(PQsocket(c), POLLIN, deadline_ns);

            if (w <= 0)
                return fail(reason, w == 0 ? GLC_REASON_TIMEOUT : GLC_REASON_UNAVAILABLE, detail, cap,
                            w == 0 ? "query timed out" : "poll failed");
            continue;
        }
        res = PQgetResult(c);
        if (!res)
            break;
        if (!seen++) {
            ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
                 strcmp(PQgetvalue(res, 0, 0), "1") == 0;
            if (!ok)
                fail(reason, result_reason(res), detail, cap, PQresultErrorMessage(res));
        }
        PQclear(res);
    }
    if (!seen)
        return fail(reason, GLC_REASON_PROTOCOL, detail, cap, "no result");
    return ok ? 0 : -1;
}

static int pg_query(PGconn *c, uint64_t deadline_ns, enum glc_check_reason *reason, char *detail,
                    size_t cap)
{
    int flushed;

    if (!PQsendQuery(c, "SELECT 1"))
        return fail(reason, glc_pg_classify(PQerrorMessage(c)), detail, cap, PQerrorMessage(c));
    while ((flushed = PQflush(c)) == 1) {
        int w = glc_wait_fd(PQsocket(c), POLLOUT, deadline_ns);

        if (w <= 0)
            return fail(reason, w == 0 ? GLC_REASON_TIMEOUT : GLC_REASON_UNAVAILABLE, detail, cap,
                        "send timed out");
    }
    if (flushed < 0)
        return fail(reason, glc_pg_classify(PQerrorMessage(c)), detail, cap, PQerrorMessage(c));
    return pg_collect(c, deadline_ns, reason, detail, cap);
}

int glc_pg_check(struct glc_checker *ck, uint64_t deadline_ns, enum glc_check_reason *reason,
                 char *detail, size_t cap)
{
    int reused = ck->driver != NULL;

    for (;;) {
        if (!ck->driver)
            ck->driver = pg_connect(ck, deadline_ns, reason, detail, cap);
        if (!ck->driver)
            return -1;
        if (pg_query(ck->driver, deadline_ns, reason, detail, cap) == 0)
            return 0;
        /* A kept connection may have died with a server restart: retry once on a fresh one. */
        if (PQstatus(ck->driver) == CONNECTION_OK && *reason != GLC_REASON_TIMEOUT)
            return -1;
        glc_pg_close(ck);
        if (!reused || glc_mono_ns() >= deadline_ns)
            return -1;
        reused = 0;
    }
}

void glc_pg_close(struct glc_checker *ck)
{
    if (ck->driver)
        PQfinish(ck->driver);
    ck->driver = NULL;
}
