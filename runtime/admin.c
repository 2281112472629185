/* SPDX-License-Identifier: MIT */
/*
 * The operator surface's pure parts: the route "/breakers/<name>/<open|close|reset>", the
 * bearer credential of an Authorization header, and a comparison of the token whose time does
 * not depend on the bytes compared. http.c serves the routes (metrics port only, POST only,
 * only when GLC_ADMIN_TOKEN is set).
 */
#include <string.h>
#include <strings.h>

#include "rt.h"

#define PREFIX "/breakers/"

int glc_ct_equal(const char *given, size_t given_len, const char *secret, size_t secret_len)
{
    volatile unsigned char diff = (unsigned char)(given_len != secret_len);

    /* Walk the secret's length whatever was given; past the end of @given compare against
     * the secret itself (diff already records the length mismatch). */
    for (size_t i = 0; i < secret_len; i++) {
        size_t in = i < given_len;
        unsigned char g = (unsigned char)given[in ? i : 0] * (unsigned char)in;
        unsigned char s = (unsigned char)secret[i];

        diff |= (unsigned char)((g ^ s) * (unsigned char)in);
    }
    return diff == 0;
}

int glc_admin_bearer(const char *header, const char **token, size_t *len)
{
    const char *p, *end;

    if (!header || strncasecmp(header, "Bearer", 6) != 0 || (header[6] != ' ' && header[6] != '\t'))
        return -1;
    p = header + 6;
    while (*p == ' ' || *p == '\t')
        p++;
    end = p + strlen(p);
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (end == p)
        return -1;
    *token = p;
    *len = (size_t)(end - p);
    return 0;
}

const char *glc_admin_action_name(enum glc_breaker_force action)
{
    switch (action) {
    case GLC_FORCE_OPEN: return "open";
    case GLC_FORCE_CLOSE: return "close";
    default: return "reset";
    }
}

static int action_of(const char *s, enum glc_breaker_force *action)
{
    static const enum glc_breaker_force all[] = { GLC_FORCE_OPEN, GLC_FORCE_CLOSE, GLC_FORCE_RESET };

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(s, glc_admin_action_name(all[i])) == 0) {
            *action = all[i];
            return 1;
        }
    return 0;
}

int glc_admin_route(const char *url, char *name, size_t cap, enum glc_breaker_force *action)
{
    const char *start, *slash;
    size_t n;

    if (strncmp(url, PREFIX, sizeof PREFIX - 1) != 0)
        return 0;
    start = url + sizeof PREFIX - 1;
    slash = strchr(start, '/');
    if (!slash || slash == start)
        return 0;
    n = (size_t)(slash - start);
    if (n >= cap || !action_of(slash + 1, action))
        return 0;
    memcpy(name, start, n);
    name[n] = '\0';
    return 1;
}
