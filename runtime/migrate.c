/* SPDX-License-Identifier: MIT */
/*
 * `<app>-runtime migrate`: apply the migrations embedded in the library (templates/sql/, see
 * cmake/embed_sql.cmake) to DATABASE_URL. Everything happens in one transaction, under an
 * advisory lock so that replicas starting together take turns; each applied version is recorded
 * in glc_schema_migrations with the md5 of its SQL, so a second run applies nothing. Messages
 * are JSON log lines and never contain the URL or its password.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

#define CONNECT_TIMEOUT_MS 10000u
#define MIGRATE_TIMEOUT_MS 120000u
#define NS_PER_MS 1000000ull

static const char CREATE_TABLE[] =
    "CREATE TABLE IF NOT EXISTS glc_schema_migrations ("
    " version VARCHAR(32) PRIMARY KEY,"
    " name VARCHAR(200) NOT NULL,"
    " checksum CHAR(32) NOT NULL,"
    " applied_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'))";
static const char LOCK[] = "SELECT pg_advisory_xact_lock(hashtext('glc_schema_migrations'))";
static const char APPLIED[] = "SELECT checksum = md5($2) FROM glc_schema_migrations WHERE version = $1";
static const char RECORD[] =
    "INSERT INTO glc_schema_migrations (version, name, checksum) VALUES ($1, $2, md5($3))";

struct session {
    PGconn *conn;
    uint64_t deadline_ns;
    char detail[1024];
    char sqlstate[8];
};

static void usage(FILE *f, const char *prog)
{
    fprintf(f,
            "usage: %s migrate [--print]\n"
            "\n"
            "  Apply the breaker tables' migrations to DATABASE_URL, once each, in one\n"
            "  transaction (recorded in glc_schema_migrations). Exit 0 when the schema is\n"
            "  current, 1 when the database is unreachable or a migration fails.\n"
            "  --print  write the migrations' SQL to stdout instead\n",
            prog);
}

static void print_all(void)
{
    for (unsigned i = 0; i < glc_migration_count; i++)
        fwrite(glc_migrations[i].sql, 1, glc_migrations[i].len, stdout);
    fflush(stdout);
}

/* Log a failure with the redacted driver text. */
static void log_failure(const char *msg, const struct session *s, json_t *fields)
{
    char *clean = glc_redact(s->detail);

    if (!fields)
        fields = json_object();
    json_object_set_new(fields, "reason", json_string(glc_check_reason_name(glc_pg_classify(s->detail))));
    if (s->sqlstate[0])
        json_object_set_new(fields, "sqlstate", json_string(s->sqlstate));
    if (clean)
        json_object_set_new(fields, "detail", json_string(clean));
    glc_log(GLC_LOG_ERROR, msg, fields);
    free(clean);
}

/* Run one command; on failure keep its SQLSTATE. With @out, the result is returned. */
static int run(struct session *s, const char *sql, int n, const char *const *params, PGresult **out)
{
    PGresult *res = NULL;
    int rc = glc_pg_exec(s->conn, s->deadline_ns, sql, n, params, &res, s->detail, sizeof s->detail);

    if (rc != 0)
        snprintf(s->sqlstate, sizeof s->sqlstate, "%s", glc_pg_sqlstate(res));
    if (out && rc == 0)
        *out = res;
    else
        PQclear(res);
    return rc;
}

/* 1 if already applied (warning when its SQL has changed since), 0 if not, -1 on error. */
static int applied(struct session *s, const struct glc_migration *m)
{
    const char *params[] = { m->version, m->sql };
    PGresult *res = NULL;
    int rc;

    if (run(s, APPLIED, 2, params, &res) != 0)
        return -1;
    rc = PQntuples(res) > 0;
    if (rc && strcmp(PQgetvalue(res, 0, 0), "t") != 0)
        glc_log(GLC_LOG_WARN, "migration already applied, but its SQL has changed since; not re-applied",
                json_pack("{s:s,s:s}", "version", m->version, "name", m->name));
    PQclear(res);
    return rc;
}

static int apply(struct session *s, const struct glc_migration *m)
{
    const char *params[] = { m->version, m->name, m->sql };

    if (run(s, m->sql, 0, NULL, NULL) != 0) {
        log_failure("migration failed; nothing was applied",
                    s, json_pack("{s:s,s:s}", "version", m->version, "name", m->name));
        return -1;
    }
    if (run(s, RECORD, 3, params, NULL) != 0) {
        log_failure("cannot record the migration; nothing was applied", s,
                    json_pack("{s:s}", "version", m->version));
        return -1;
    }
    glc_log(GLC_LOG_INFO, "migration applied", json_pack("{s:s,s:s}", "version", m->version, "name", m->name));
    return 0;
}

/* Inside BEGIN..COMMIT: lock, bookkeeping table, each migration not yet applied. */
static int migrate_all(struct session *s, unsigned *napplied)
{
    if (run(s, LOCK, 0, NULL, NULL) != 0 || run(s, CREATE_TABLE, 0, NULL, NULL) != 0) {
        log_failure("cannot prepare glc_schema_migrations", s, NULL);
        return -1;
    }
    for (unsigned i = 0; i < glc_migration_count; i++) {
        int done = applied(s, &glc_migrations[i]);

        if (done < 0) {
            log_failure("cannot read glc_schema_migrations", s, NULL);
            return -1;
        }
        if (done)
            continue;
        if (apply(s, &glc_migrations[i]) != 0)
            return -1;
        (*napplied)++;
    }
    return 0;
}

static int migrate(struct session *s)
{
    unsigned napplied = 0;

    if (run(s, "BEGIN", 0, NULL, NULL) != 0) {
        log_failure("cannot start a transaction", s, NULL);
        return 1;
    }
    if (migrate_all(s, &napplied) != 0)
        return 1;  /* closing the connection rolls back */
    if (run(s, "COMMIT", 0, NULL, NULL) != 0) {
        log_failure("commit failed; nothing was applied", s, NULL);
        return 1;
    }
    glc_log(GLC_LOG_INFO, napplied ? "migrations applied" : "schema is up to date",
            json_pack("{s:i,s:i}", "applied", (int)napplied, "migrations", (int)glc_migration_count));
    return 0;
}

int glc_migrate_main(const struct glc_app_def *app, const char *prog, int argc, char **argv)
{
    struct session s = { 0 };
    const char *url = getenv("DATABASE_URL");
    int rc;

    (void)app;
    if (argc > 2 || (argc == 2 && strcmp(argv[1], "--print") != 0 && strcmp(argv[1], "--help") != 0)) {
        usage(stderr, prog);
        return 2;
    }
    if (argc == 2) {
        if (strcmp(argv[1], "--help") == 0)
            usage(stdout, prog);
        else
            print_all();
        return 0;
    }
    if (!url || !*url) {
        glc_log(GLC_LOG_ERROR, "DATABASE_URL is not set: nothing to migrate", NULL);
        return 1;
    }
    s.deadline_ns = glc_mono_ns() + (uint64_t)MIGRATE_TIMEOUT_MS * NS_PER_MS;
    s.conn = glc_pg_open(url, "glc-runtime-migrate", MIGRATE_TIMEOUT_MS,
                         glc_mono_ns() + (uint64_t)CONNECT_TIMEOUT_MS * NS_PER_MS, s.detail, sizeof s.detail);
    if (!s.conn) {
        log_failure("cannot connect to the database (DATABASE_URL)", &s, NULL);
        return 1;
    }
    rc = migrate(&s);
    PQfinish(s.conn);
    return rc;
}
