/* SPDX-License-Identifier: MIT */
/*
 * Structured logging: one JSON object per line on stdout, written with a single write(2) so
 * lines from different threads never interleave. glc_redact() strips passwords from URLs and
 * key=value connection strings before any driver text reaches a log line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

static const char *level_name(enum glc_log_level level)
{
    switch (level) {
    case GLC_LOG_DEBUG: return "debug";
    case GLC_LOG_INFO: return "info";
    case GLC_LOG_WARN: return "warn";
    default: return "error";
    }
}

static void format_ts(char *buf, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    size_t n;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, cap - n, ".%03ldZ", ts.tv_nsec / 1000000L);
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

void glc_log(enum glc_log_level level, const char *msg, json_t *fields)
{
    char ts[40];
    json_t *line = json_object();
    char *text;
    size_t n;

    format_ts(ts, sizeof ts);
    json_object_set_new(line, "ts", json_string(ts));
    json_object_set_new(line, "level", json_string(level_name(level)));
    json_object_set_new(line, "msg", json_string(msg));
    if (fields)
        json_object_update(line, fields);
    json_decref(fields);
    text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(line);
    if (!text)
        return;
    n = strlen(text);
    text[n] = '\n';  /* json_dumps leaves room: replace the NUL, write n + 1 bytes */
    write_all(STDOUT_FILENO, text, n + 1);
    free(text);
}

/* --- redaction ------------------------------------------------------------------------------ */

/* Generous on purpose: libpq takes everything up to the last '@' before a '/' as userinfo, so a
 * password may hold ',', ';', '?', '#' or quotes; stopping there would print the rest of it. */
static int ends_authority(char c)
{
    return c == '\0' || c == '/' || isspace((unsigned char)c);
}

/* At "://": copy the userinfo with its password (or the whole userinfo when it has no ':',
 * as some Redis clients read "redis://secret@host") replaced. Returns chars consumed. */
static size_t redact_authority(struct glc_strbuf *sb, const char *p)
{
    const char *start = p + 3, *end = start, *at = NULL, *colon;

    while (!ends_authority(*end)) {
        if (*end == '@')
            at = end;
        end++;
    }
    glc_sb_append(sb, p, 3);
    if (!at)
        return 3;
    colon = memchr(start, ':', (size_t)(at - start));
    if (colon)
        glc_sb_append(sb, start, (size_t)(colon - start) + 1);
    glc_sb_puts(sb, "***");
    return (size_t)(at - p);
}

/* At "password": if it is a key followed by '=', copy "password=***" and skip the value. */
static size_t redact_pair(struct glc_strbuf *sb, const char *p)
{
    const char *v = p + 8;
    char quote;

    while (*v == ' ')
        v++;
    if (*v != '=')
        return 0;
    v++;
    while (*v == ' ')
        v++;
    if (*v == '\'' || *v == '"') {
        quote = *v++;
        while (*v && *v != quote)
            v += (*v == '\\' && v[1]) ? 2 : 1;
        if (*v)
            v++;
    } else {
        while (*v && !isspace((unsigned char)*v) && *v != '&' && *v != ';' && *v != ',')
            v++;
    }
    glc_sb_puts(sb, "password=***");
    return (size_t)(v - p);
}

char *glc_redact(const char *text)
{
    struct glc_strbuf sb;
    const char *p = text;

    glc_sb_init(&sb);
    while (*p) {
        size_t used = 0;

        if (strncmp(p, "://", 3) == 0)
            used = redact_authority(&sb, p);
        else if (strncasecmp(p, "password", 8) == 0)
            used = redact_pair(&sb, p);
        if (used == 0) {
            glc_sb_append(&sb, p, 1);
            used = 1;
        }
        p += used;
    }
    glc_sb_append(&sb, "", 0);  /* a terminated buffer even for "" */
    if (sb.oom) {
        glc_sb_free(&sb);
        return NULL;
    }
    return sb.data;
}
