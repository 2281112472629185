/* SPDX-License-Identifier: MIT */
/*
 * libpq with deadlines, for the runtime's own use of PostgreSQL (migrate, the event writer,
 * resuming persisted state): connect and run one command, each polled against a monotonic
 * deadline so that no call can hang past it. Sessions run in UTC, so TIMESTAMP columns (which
 * carry no zone) hold UTC. Error text is copied for logs only; callers redact it.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

static void set_detail(char *detail, size_t cap, const char *text)
{
    size_t n;

    snprintf(detail, cap, "%s", text ? text : "");
    n = strlen(detail);
    while (n && (detail[n - 1] == '\n' || detail[n - 1] == ' '))
        detail[--n] = '\0';
}

static void quiet_notice(void *arg, const char *message)
{
    (void)arg, (void)message;  /* NOTICEs such as "relation already exists, skipping" */
}

int glc_pg_conninfo_check(const char *url, char *detail, size_t cap)
{
    PQconninfoOption *opts;
    char *err = NULL;

    if (strncmp(url, "postgresql://", 13) != 0 && strncmp(url, "postgres://", 11) != 0 && !strchr(url, '='))
        return 0;  /* a bare database name: libpq does not parse it */
    opts = PQconninfoParse(url, &err);
    PQfreemem(err);  /* may quote the password: never shown */
    if (opts) {
        PQconninfoFree(opts);
        return 0;
    }
    set_detail(detail, cap, "invalid connection string: libpq cannot parse it");
    return -1;
}

PGconn *glc_pg_open(const char *url, const char *app_name, unsigned statement_timeout_ms,
                    uint64_t deadline_ns, char *detail, size_t cap)
{
    char options[96];
    const char *keys[] = { "dbname", "connect_timeout", "options", "application_name", NULL };
    const char *vals[] = { url, "2", options, app_name, NULL };
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    PGconn *c;

    if (glc_pg_conninfo_check(url, detail, cap) != 0)
        return NULL;
    snprintf(options, sizeof options, "-c statement_timeout=%u -c TimeZone=UTC", statement_timeout_ms);
    c = PQconnectStartParams(keys, vals, 1);
    if (!c) {
        set_detail(detail, cap, "out of memory");
        return NULL;
    }
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    while (PQstatus(c) != CONNECTION_BAD && st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
        int w = glc_wait_fd(PQsocket(c), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline_ns);

        if (w <= 0) {
            set_detail(detail, cap, w == 0 ? "connect timed out" : "poll failed");
            PQfinish(c);
            return NULL;
        }
        st = PQconnectPoll(c);
    }
    if (PQstatus(c) != CONNECTION_OK) {
        set_detail(detail, cap, PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PQsetnonblocking(c, 1);
    return c;
}

static int send_flush(PGconn *c, uint64_t deadline_ns, char *detail, size_t cap)
{
    int flushed;

    while ((flushed = PQflush(c)) == 1) {
        int w = glc_wait_fd(PQsocket(c), POLLOUT | POLLIN, deadline_ns);

        if (w <= 0) {
            set_detail(detail, cap, w == 0 ? "send timed out" : "poll failed");
            return -1;
        }
        if (!PQconsumeInput(c)) {
            set_detail(detail, cap, PQerrorMessage(c));
            return -1;
        }
    }
    if (flushed < 0)
        set_detail(detail, cap, PQerrorMessage(c));
    return flushed < 0 ? -1 : 0;
}

static int result_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);

    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Collect every result; keep the first failed one (or the last one) in *keep. */
static int collect(PGconn *c, uint64_t deadline_ns, PGresult **keep, char *detail, size_t cap)
{
    int ok = 1;

    for (;;) {
        PGresult *res;

        if (!PQconsumeInput(c)) {
            set_detail(detail, cap, PQerrorMessage(c));
            return -1;
        }
        if (PQisBusy(c)) {
            int w = glc_wait_fd(PQsocket(c), POLLIN, deadline_ns);

            if (w <= 0) {
                set_detail(detail, cap, w == 0 ? "query timed out" : "poll failed");
                return -1;
            }
            continue;
        }
        res = PQgetResult(c);
        if (!res)
            return ok ? 0 : -1;
        if (!ok) {
            PQclear(res);  /* after an error: only drain */
            continue;
        }
        if (!result_ok(res)) {
            ok = 0;
            set_detail(detail, cap, PQresultErrorMessage(res));
        }
        PQclear(*keep);
        *keep = res;
    }
}

int glc_pg_exec(PGconn *c, uint64_t deadline_ns, const char *sql, int nparams,
                const char *const *params, PGresult **out, char *detail, size_t cap)
{
    PGresult *keep = NULL;
    int sent, rc;

    if (out)
        *out = NULL;
    sent = nparams ? PQsendQueryParams(c, sql, nparams, NULL, params, NULL, NULL, 0) : PQsendQuery(c, sql);
    if (!sent) {
        set_detail(detail, cap, PQerrorMessage(c));
        return -1;
    }
    rc = send_flush(c, deadline_ns, detail, cap);
    if (rc == 0)
        rc = collect(c, deadline_ns, &keep, detail, cap);
    if (rc == 0 && !keep) {
        set_detail(detail, cap, "no result");
        rc = -1;
    }
    if (out && keep && (rc == 0 || PQresultStatus(keep) == PGRES_FATAL_ERROR))
        *out = keep;
    else
        PQclear(keep);
    return rc;
}

const char *glc_pg_sqlstate(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    return state ? state : "";
}
