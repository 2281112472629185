/* SPDX-License-Identifier: MIT */
/*
 * glc_http_sink: a tiny HTTP/1.1 server for the alert tests (standing in for Slack and
 * PagerDuty). It listens on 127.0.0.1 (an ephemeral port, written to --port-file), answers each
 * request with the next status of --status (the last one repeats) and "Connection: close", and
 * appends one JSON line per request to --log: {"n","method","path","status","body"}.
 * Runs until SIGTERM/SIGINT; every read is bounded by a timeout.
 *
 *   glc_http_sink --port-file F --log F [--status 500,202]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_HEAD 65536
#define MAX_BODY (1024 * 1024)
#define READ_TIMEOUT_MS 5000
#define MAX_STATUSES 32

struct sink {
    int statuses[MAX_STATUSES];
    int nstatuses;
    FILE *log;
    unsigned long served;
};

struct request {
    char head[MAX_HEAD + 1];
    size_t head_len;
    char *body;
    size_t body_len;
};

static int parse_statuses(const char *s, struct sink *k)
{
    char *end;

    k->nstatuses = 0;
    while (*s && k->nstatuses < MAX_STATUSES) {
        long v = strtol(s, &end, 10);

        if (end == s || v < 100 || v > 599)
            return -1;
        k->statuses[k->nstatuses++] = (int)v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return k->nstatuses ? 0 : -1;
}

/* Read up to @cap bytes, waiting at most READ_TIMEOUT_MS for each chunk. */
static ssize_t read_some(int fd, char *buf, size_t cap)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };

    if (poll(&p, 1, READ_TIMEOUT_MS) <= 0)
        return -1;
    return read(fd, buf, cap);
}

static const char *header_value(const char *head, const char *name)
{
    size_t n = strlen(name);

    for (const char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n"))
        if (strncasecmp(line + 2, name, n) == 0 && line[2 + n] == ':')
            return line + 3 + n;
    return NULL;
}

static int read_request(int fd, struct request *r)
{
    char *end = NULL;
    const char *cl;
    size_t have, want = 0;
    ssize_t n;

    r->head_len = 0;
    while (!end) {
        if (r->head_len == MAX_HEAD)
            return -1;
        n = read_some(fd, r->head + r->head_len, MAX_HEAD - r->head_len);
        if (n <= 0)
            return -1;
        r->head_len += (size_t)n;
        r->head[r->head_len] = '\0';
        end = strstr(r->head, "\r\n\r\n");
    }
    cl = header_value(r->head, "Content-Length");
    if (cl)
        want = strtoul(cl, NULL, 10);
    if (want > MAX_BODY)
        return -1;
    have = r->head_len - (size_t)(end + 4 - r->head);
    r->body = calloc(1, want + 1);
    if (!r->body)
        return -1;
    memcpy(r->body, end + 4, have < want ? have : want);
    r->body_len = have < want ? have : want;
    *end = '\0';
    while (r->body_len < want) {
        n = read_some(fd, r->body + r->body_len, want - r->body_len);
        if (n <= 0)
            return -1;
        r->body_len += (size_t)n;
    }
    return 0;
}

static void json_string(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void log_request(struct sink *k, const struct request *r, int status)
{
    char method[16] = "", path[1024] = "";

    sscanf(r->head, "%15s %1023s", method, path);
    fprintf(k->log, "{\"n\":%lu,\"method\":", k->served);
    json_string(k->log, method, strlen(method));
    fputs(",\"path\":", k->log);
    json_string(k->log, path, strlen(path));
    fprintf(k->log, ",\"status\":%d,\"body\":", status);
    json_string(k->log, r->body, r->body_len);
    fputs("}\n", k->log);
    fflush(k->log);
}

static void respond(int fd, int status)
{
    static const char body[] = "{\"status\":\"success\",\"message\":\"Event processed\"}";
    char out[512];
    int n = snprintf(out, sizeof out,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s",
                     status, status < 300 ? "OK" : status < 500 ? "Client Error" : "Server Error",
                     sizeof body - 1, body);

    if (write(fd, out, (size_t)n) < 0)
        perror("glc_http_sink: write");
}

static void serve(struct sink *k, int fd)
{
    struct request r = { .body = NULL };
    int status;

    if (read_request(fd, &r) == 0) {
        status = k->statuses[k->served < (unsigned long)k->nstatuses ? k->served : (unsigned long)k->nstatuses - 1];
        k->served++;
        log_request(k, &r, status);
        respond(fd, status);
    }
    free(r.body);
    close(fd);
}

static int listen_local(const char *port_file)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    FILE *f;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    f = fopen(port_file, "w");
    if (!f)
        return -1;
    fprintf(f, "%u\n", ntohs(a.sin_port));
    fclose(f);
    return fd;
}

/* Wait up to 200 ms for a connection (signals are polled between waits). */
static int wait_accept(int lfd)
{
    struct pollfd p = { .fd = lfd, .events = POLLIN };

    return poll(&p, 1, 200);
}

int main(int argc, char **argv)
{
    struct sink k = { .statuses = { 200 }, .nstatuses = 1 };
    const char *port_file = NULL, *log_file = NULL;
    sigset_t set, pending;
    int lfd;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--port-file") == 0)
            port_file = argv[i + 1];
        else if (strcmp(argv[i], "--log") == 0)
            log_file = argv[i + 1];
        else if (strcmp(argv[i], "--status") == 0 && parse_statuses(argv[i + 1], &k) != 0)
            return 2;
    }
    if (!port_file || !log_file || !(k.log = fopen(log_file, "a"))) {
        fprintf(stderr, "usage: glc_http_sink --port-file F --log F [--status 500,202]\n");
        return 2;
    }
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    lfd = listen_local(port_file);
    if (lfd < 0) {
        perror("glc_http_sink: listen");
        return 1;
    }
    for (;;) {
        sigpending(&pending);
        if (sigismember(&pending, SIGTERM) || sigismember(&pending, SIGINT))
            break;
        if (wait_accept(lfd) > 0) {
            int fd = accept(lfd, NULL, NULL);

            if (fd >= 0)
                serve(&k, fd);
        }
    }
    close(lfd);
    fclose(k.log);
    return 0;
}
