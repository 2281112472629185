/* SPDX-License-Identifier: MIT */
/*
 * Redis check: PING (after AUTH when the URL has a password) over one persistent hiredis
 * 0.14 context, re-established on failure. Connect, read and write are bounded by the time
 * left before the check's deadline (redisConnectWithTimeout + redisSetTimeout).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis.h>

#include "rt.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode [s, s+n) into out (cap bytes). 0 on success. */
static int decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (c == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;

            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (o + 1 >= cap)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

static int parse_userinfo(const char *s, size_t n, struct glc_redis_target *t)
{
    const char *colon = memchr(s, ':', n);

    if (!colon)
        return decode(s, n, t->user, sizeof t->user);
    if (decode(s, (size_t)(colon - s), t->user, sizeof t->user) != 0)
        return -1;
    return decode(colon + 1, n - (size_t)(colon - s) - 1, t->password, sizeof t->password);
}

static int parse_port(const char *s, size_t n, int *port)
{
    long v = 0;

    if (n == 0 || n > 5)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return -1;
    *port = (int)v;
    return 0;
}

/* host, [v6], host:port or [v6]:port */
static int parse_hostport(const char *s, size_t n, struct glc_redis_target *t)
{
    const char *host = s, *colon;
    size_t hlen;

    if (n && *s == '[') {
        const char *close = memchr(s, ']', n);

        if (!close)
            return -1;
        host = s + 1;
        hlen = (size_t)(close - host);
        colon = close + 1 < s + n ? close + 1 : NULL;
        if (colon && *colon != ':')
            return -1;
    } else {
        colon = memchr(s, ':', n);
        hlen = colon ? (size_t)(colon - s) : n;
    }
    if (colon && parse_port(colon + 1, n - (size_t)(colon + 1 - s), &t->port) != 0)
        return -1;
    if (hlen == 0)
        return snprintf(t->host, sizeof t->host, "127.0.0.1") < 0 ? -1 : 0;
    return decode(host, hlen, t->host, sizeof t->host);
}

int glc_redis_parse_url(const char *url, struct glc_redis_target *t)
{
    const char *auth, *end, *at;

    memset(t, 0, sizeof *t);
    t->port = 6379;
    if (strncmp(url, "unix://", 7) == 0)
        return url[7] == '/' && strlen(url + 7) < sizeof t->path
                   ? (snprintf(t->path, sizeof t->path, "%s", url + 7), 0) : -1;
    if (strncmp(url, "redis://", 8) != 0)
        return -1;  /* rediss:// (TLS) is not supported by Debian's hiredis 0.14 */
    auth = url + 8;
    end = auth + strcspn(auth, "/?#");
    at = NULL;
    for (const char *p = auth; p < end; p++)
        if (*p == '@')
            at = p;
    if (at && parse_userinfo(auth, (size_t)(at - auth), t) != 0)
        return -1;
    return parse_hostport(at ? at + 1 : auth, (size_t)(end - (at ? at + 1 : auth)), t);
}

enum glc_check_reason glc_redis_classify(const char *msg)
{
    if (!msg || !*msg)
        return GLC_REASON_UNAVAILABLE;
    if (glc_contains_ci(msg, "NOAUTH") || glc_contains_ci(msg, "WRONGPASS") ||
        glc_contains_ci(msg, "invalid password") || glc_contains_ci(msg, "invalid username"))
        return GLC_REASON_AUTH_FAILED;
    if (glc_contains_ci(msg, "refused") || glc_contains_ci(msg, "No such file"))
        return GLC_REASON_CONNECT_REFUSED;
    if (glc_contains_ci(msg, "timed out") || glc_contains_ci(msg, "temporarily unavailable") ||
        glc_contains_ci(msg, "timeout"))
        return GLC_REASON_TIMEOUT;
    if (glc_contains_ci(msg, "resolve") || glc_contains_ci(msg, "name or service not known") ||
        glc_contains_ci(msg, "name resolution"))
        return GLC_REASON_DNS;
    if (glc_contains_ci(msg, "protocol"))
        return GLC_REASON_PROTOCOL;
    return GLC_REASON_UNAVAILABLE;
}

static struct timeval remaining_tv(uint64_t deadline_ns)
{
    uint64_t now = glc_mono_ns(), left = deadline_ns > now ? deadline_ns - now : 1000;

    if (left < 1000) /* a zero timeval means "no timeout" to the socket: never ask for that */
        left = 1000;

    return (struct timeval){ .tv_sec = (time_t)(left / 1000000000ull),
                             .tv_usec = (suseconds_t)(left % 1000000000ull / 1000) };
}

static int fail(enum glc_check_reason *reason, enum glc_check_reason r, char *detail, size_t cap,
                const char *text)
{
    *reason = r;
    snprintf(detail, cap, "%s", text ? text : "");
    return -1;
}

static redisContext *redis_connect(const struct glc_redis_target *t, uint64_t deadline_ns,
                                   enum glc_check_reason *reason, char *detail, size_t cap)
{
    redisContext *c = t->path[0] ? redisConnectUnixWithTimeout(t->path, remaining_tv(deadline_ns))
                                 : redisConnectWithTimeout(t->host, t->port, remaining_tv(deadline_ns));

    if (!c) {
        fail(reason, GLC_REASON_UNAVAILABLE, detail, cap, "out of memory");
        return NULL;
    }
    if (c->err) {
        fail(reason, glc_redis_classify(c->errstr), detail, cap, c->errstr);
        redisFree(c);
        return NULL;
    }
    return c;
}

/* Run one command; on success return its reply (caller frees). */
static redisReply *command(redisContext *c, uint64_t deadline_ns, enum glc_check_reason *reason,
                           char *detail, size_t cap, int argc, const char **argv)
{
    redisReply *r;

    redisSetTimeout(c, remaining_tv(deadline_ns));
    r = redisCommandArgv(c, argc, argv, NULL);
    if (!r) {
        fail(reason, glc_redis_classify(c->errstr), detail, cap, c->errstr);
        return NULL;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        fail(reason, glc_redis_classify(r->str), detail, cap, r->str);
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

static int redis_auth(redisContext *c, const struct glc_redis_target *t, uint64_t deadline_ns,
                      enum glc_check_reason *reason, char *detail, size_t cap)
{
    const char *with_user[3] = { "AUTH", t->user, t->password };
    const char *password_only[2] = { "AUTH", t->password };
    redisReply *r;

    if (!t->password[0])
        return 0;
    if (t->user[0])
        r = command(c, deadline_ns, reason, detail, cap, 3, with_user);
    else
        r = command(c, deadline_ns, reason, detail, cap, 2, password_only);
    if (!r) {
        if (*reason == GLC_REASON_UNAVAILABLE || *reason == GLC_REASON_PROTOCOL)
            *reason = GLC_REASON_AUTH_FAILED;
        return -1;
    }
    freeReplyObject(r);
    return 0;
}

static int redis_ping(redisContext *c, uint64_t deadline_ns, enum glc_check_reason *reason,
                      char *detail, size_t cap)
{
    const char *argv[1] = { "PING" };
    redisReply *r = command(c, deadline_ns, reason, detail, cap, 1, argv);
    int ok;

    if (!r)
        return -1;
    ok = r->type == REDIS_REPLY_STATUS && r->str && strcmp(r->str, "PONG") == 0;
    freeReplyObject(r);
    return ok ? 0 : fail(reason, GLC_REASON_PROTOCOL, detail, cap, "unexpected PING reply");
}

int glc_redis_check(struct glc_checker *ck, uint64_t deadline_ns, enum glc_check_reason *reason,
                    char *detail, size_t cap)
{
    struct glc_redis_target t;
    int reused = ck->driver != NULL;

    if (glc_redis_parse_url(ck->target, &t) != 0)
        return fail(reason, GLC_REASON_MISCONFIGURED, detail, cap, "REDIS_URL is not a redis:// or unix:// URL");
    for (;;) {
        if (!ck->driver) {
            ck->driver = redis_connect(&t, deadline_ns, reason, detail, cap);
            if (ck->driver && redis_auth(ck->driver, &t, deadline_ns, reason, detail, cap) != 0)
                glc_redis_close(ck);
        }
        if (!ck->driver)
            return -1;
        if (redis_ping(ck->driver, deadline_ns, reason, detail, cap) == 0)
            return 0;
        /* The kept context may have died with a server restart: retry once on a fresh one. */
        glc_redis_close(ck);
        if (!reused || glc_mono_ns() >= deadline_ns || *reason == GLC_REASON_TIMEOUT)
            return -1;
        reused = 0;
    }
}

void glc_redis_close(struct glc_checker *ck)
{
    if (ck->driver)
        redisFree(ck->driver);
    ck->driver = NULL;
}
