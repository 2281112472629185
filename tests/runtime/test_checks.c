/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the dependency checks that need no real server: REDIS_URL parsing, driver
 * message classification, log redaction, and that every driver honours its deadline against
 * a peer that accepts connections but never answers, or refuses them.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "rt.h"

static void test_redis_url(void **state)
{
    struct glc_redis_target t;

    (void)state;
    assert_int_equal(glc_redis_parse_url("redis://127.0.0.1:6380/2", &t), 0);
    assert_string_equal(t.host, "127.0.0.1");
    assert_int_equal(t.port, 6380);
    assert_string_equal(t.password, "");
    assert_int_equal(glc_redis_parse_url("redis://:p%40ss%3Aw@cache.internal", &t), 0);
    assert_string_equal(t.host, "cache.internal");
    assert_int_equal(t.port, 6379);
    assert_string_equal(t.user, "");
    assert_string_equal(t.password, "p@ss:w");
    assert_int_equal(glc_redis_parse_url("redis://app:secret@[::1]:7000", &t), 0);
    assert_string_equal(t.host, "::1");
    assert_int_equal(t.port, 7000);
    assert_string_equal(t.user, "app");
    assert_string_equal(t.password, "secret");
    assert_int_equal(glc_redis_parse_url("redis://", &t), 0);
    assert_string_equal(t.host, "127.0.0.1");
    assert_int_equal(glc_redis_parse_url("unix:///run/redis.sock", &t), 0);
    assert_string_equal(t.path, "/run/redis.sock");
    assert_int_equal(glc_redis_parse_url("rediss://h:6379", &t), -1);
    assert_int_equal(glc_redis_parse_url("http://h", &t), -1);
    assert_int_equal(glc_redis_parse_url("redis://h:0", &t), -1);
    assert_int_equal(glc_redis_parse_url("redis://h:65536", &t), -1);
    assert_int_equal(glc_redis_parse_url("redis://h:12x", &t), -1);
    assert_int_equal(glc_redis_parse_url("redis://:bad%zz@h", &t), -1);
    assert_int_equal(glc_redis_parse_url("redis://:trunc%4@h", &t), -1);
    assert_int_equal(glc_redis_parse_url("redis://[::1", &t), -1);
}

static void test_classify(void **state)
{
    (void)state;
    assert_int_equal(glc_pg_classify("connection to server at \"10.0.0.5\", port 5432 failed: Connection refused"),
                     GLC_REASON_CONNECT_REFUSED);
    assert_int_equal(glc_pg_classify("FATAL:  password authentication failed for user \"app\""),
                     GLC_REASON_AUTH_FAILED);
    assert_int_equal(glc_pg_classify("FATAL:  no pg_hba.conf entry for host"), GLC_REASON_AUTH_FAILED);
    assert_int_equal(glc_pg_classify("could not translate host name \"db\" to address"), GLC_REASON_DNS);
    assert_int_equal(glc_pg_classify("timeout expired"), GLC_REASON_TIMEOUT);
    assert_int_equal(glc_pg_classify("invalid URI query parameter: \"x\""), GLC_REASON_MISCONFIGURED);
    assert_int_equal(glc_pg_classify("FATAL:  the database system is starting up"), GLC_REASON_UNAVAILABLE);
    assert_int_equal(glc_pg_classify(""), GLC_REASON_UNAVAILABLE);
    assert_int_equal(glc_redis_classify("Connection refused"), GLC_REASON_CONNECT_REFUSED);
    assert_int_equal(glc_redis_classify("Resource temporarily unavailable"), GLC_REASON_TIMEOUT);
    assert_int_equal(glc_redis_classify("WRONGPASS invalid username-password pair"), GLC_REASON_AUTH_FAILED);
    assert_int_equal(glc_redis_classify("NOAUTH Authentication required."), GLC_REASON_AUTH_FAILED);
    assert_int_equal(glc_redis_classify("Name or service not known"), GLC_REASON_DNS);
    assert_int_equal(glc_redis_classify("Server closed the connection"), GLC_REASON_UNAVAILABLE);
    assert_true(glc_contains_ci("Connection REFUSED", "refused"));
    assert_false(glc_contains_ci("refuse", "refused"));
}

static void redacts(const char *in, const char *want)
{
    char *out = glc_redact(in);

    assert_non_null(out);
    assert_string_equal(out, want);
    free(out);
}

static void test_redact(void **state)
{
    (void)state;
    redacts("postgresql://app:s3cr3t@db:5432/app", "postgresql://app:***@db:5432/app");
    redacts("redis://:pw@cache/0", "redis://:***@cache/0");
    redacts("redis://secret@cache", "redis://***@cache");
    redacts("host=db password=s3cr3t user=app", "host=db password=*** user=app");
    redacts("host=db password = 'a b\\' c' user=app", "host=db password=*** user=app");
    redacts("postgres://db/app?sslmode=disable&password=x&user=y", "postgres://db/app?sslmode=disable&password=***&user=y");
    redacts("a:b@c no scheme", "a:b@c no scheme");
    redacts("failed: x://u:p@h and y://v:q@i", "failed: x://u:***@h and y://v:***@i");
    redacts("passwordless", "passwordless");
    redacts("", "");
    redacts("127.0.0.1:9092,kafka-2:9092", "127.0.0.1:9092,kafka-2:9092");
    /* Characters libpq accepts in a URI password (RFC 3986 sub-delims, '?', '#', quotes): the
     * whole userinfo up to the last '@' of the authority is the secret. */
    redacts("postgresql://app:pa,ss@db/app", "postgresql://app:***@db/app");
    redacts("postgresql://app:pa;ss@db/app", "postgresql://app:***@db/app");
    redacts("postgresql://app:pa?ss@db/app", "postgresql://app:***@db/app");
    redacts("postgresql://app:pa#ss@db/app", "postgresql://app:***@db/app");
    redacts("postgresql://app:it's\"ok@db/app", "postgresql://app:***@db/app");
    redacts("redis://:pa,ss@cache/0", "redis://:***@cache/0");
    redacts("postgres://db?sslmode=disable&password=x", "postgres://db?sslmode=disable&password=***");
    redacts("\"x://h\",\"y://u:p@z\"", "\"x://h\",\"y://u:***@z\"");
}

/* --- deadlines against a silent peer -------------------------------------------------------- */

/* A listening socket that never accepts: connects succeed (backlog), nothing is ever said. */
static int silent_listener(int *port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* A port nobody listens on (bound, then closed). */
static int closed_port(void)
{
    int port, fd = silent_listener(&port);

    close(fd);
    return port;
}

static const struct glc_app_def app = { .name = "test" };

static double run_check(int kind, const char *target, enum glc_check_reason *reason)
{
    struct glc_rt rt = { .app = &app };
    struct glc_checker ck = { .rt = &rt, .kind = kind, .timeout_ms = 600 };
    char detail[512];
    uint64_t t0 = glc_mono_ns();
    int rc;

    ck.target = (char *)target;
    rc = glc_check_run(&ck, ck.timeout_ms, reason, detail, sizeof detail);
    glc_check_close(&ck);
    assert_int_equal(rc, -1);
    return (double)(glc_mono_ns() - t0) / 1e9;
}

static void test_deadlines_silent_peer(void **state)
{
    static const int kinds[] = { GLC_CHECK_POSTGRES, GLC_CHECK_REDIS, GLC_CHECK_KAFKA };
    static const char *const fmt[] = {
        "postgresql://u:p@127.0.0.1:%d/db", "redis://127.0.0.1:%d", "127.0.0.1:%d",
    };
    int port, fd = silent_listener(&port);

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        char target[128];
        enum glc_check_reason reason;
        double took;

        snprintf(target, sizeof target, fmt[i], port);
        took = run_check(kinds[i], target, &reason);
        if (took < 0.5 || took > 1.5)
            fail_msg("%s check took %.3f s with a 0.6 s timeout", glc_check_kind_name(kinds[i]), took);
        if (reason != GLC_REASON_TIMEOUT)
            fail_msg("%s check: reason %s, want timeout", glc_check_kind_name(kinds[i]),
                     glc_check_reason_name(reason));
    }
    close(fd);
}

/* libpq quotes pieces of a connection string it cannot parse (a password with a raw '%' is
 * "invalid percent-encoded token: \"<password>\""): that text must never reach a log. */
static void test_unparsable_url_not_echoed(void **state)
{
    static const char *const urls[] = {
        "postgresql://app:50%zzS3CRET@127.0.0.1:1/db", "host=127.0.0.1 password S3CRET",
    };
    char detail[512];

    (void)state;
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        struct glc_rt rt = { .app = &app };
        struct glc_checker ck = { .rt = &rt, .kind = GLC_CHECK_POSTGRES, .timeout_ms = 600 };
        enum glc_check_reason reason;
        PGconn *c;

        ck.target = (char *)urls[i];
        assert_int_equal(glc_check_run(&ck, ck.timeout_ms, &reason, detail, sizeof detail), -1);
        glc_check_close(&ck);
        if (strstr(detail, "S3CRET"))
            fail_msg("check detail echoes the password: %s", detail);
        assert_int_equal(reason, GLC_REASON_MISCONFIGURED);
        c = glc_pg_open(urls[i], "test", 1000, glc_mono_ns() + 600000000ull, detail, sizeof detail);
        assert_null(c);
        if (strstr(detail, "S3CRET"))
            fail_msg("glc_pg_open detail echoes the password: %s", detail);
    }
}

static void test_refused(void **state)
{
    char target[128];
    enum glc_check_reason reason;
    int port = closed_port();

    (void)state;
    snprintf(target, sizeof target, "postgresql://127.0.0.1:%d/db", port);
    assert_true(run_check(GLC_CHECK_POSTGRES, target, &reason) < 0.5);
    assert_int_equal(reason, GLC_REASON_CONNECT_REFUSED);
    snprintf(target, sizeof target, "redis://127.0.0.1:%d", port);
    assert_true(run_check(GLC_CHECK_REDIS, target, &reason) < 0.5);
    assert_int_equal(reason, GLC_REASON_CONNECT_REFUSED);
    assert_true(run_check(GLC_CHECK_REDIS, "rediss://127.0.0.1:1", &reason) < 0.1);
    assert_int_equal(reason, GLC_REASON_MISCONFIGURED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redis_url),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_redact),
        cmocka_unit_test(test_deadlines_silent_peer),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_unparsable_url_not_echoed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
