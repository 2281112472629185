/* SPDX-License-Identifier: MIT */
/*
 * glc_http_abuse: attacks one port of the runtime the way slow or hostile clients would, and
 * meanwhile measures /health/live (or another path) as a kubelet would see it.
 *
 *   --idle N --idle-ips K   N idle connections spread over K source addresses 127.0.0.10+i
 *   --hog N                 N idle connections from one address (127.0.0.3): the per-IP cap
 *   --slowloris N           N connections from 127.0.0.4 that send a header byte every 200 ms
 *   --big-header BYTES      requests with one header of BYTES from 127.0.0.5, sent repeatedly
 *                           while probing (the first response's status is reported)
 *   --probe PATH --probes N --max-ms MS
 *                           N GETs of PATH from 127.0.0.1, one new connection each, 50 ms apart;
 *                           each must answer 200 within MS
 *   --closed-after S        then wait S seconds: every idle connection must have been closed
 *
 * Prints one JSON line of counts and timings; exits 0 if every check held, 1 if not, 77 if
 * the descriptor limit is too low for the requested connections. alarm(120) bounds a run.
 */
#define _GNU_SOURCE 1  /* POLLRDHUP */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROBE_GAP_MS 50
#define DRIP_MS 200

struct opts {
    int port;
    int idle, idle_ips, hog, slowloris, big_header, probes, max_ms, closed_after;
    const char *probe;
};

struct conns {
    int *fd;
    int n;
};

struct attack {
    const struct opts *o;
    struct conns slow;
    _Atomic int stop;
    int big_status;        /* first big-header answer: HTTP status, 0 closed, -1 none */
    int big_sent;
};

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* A TCP connection from 127.0.0.@src_host to 127.0.0.1:port (blocking connect); -1 on error. */
static int dial(int port, int src_host)
{
    struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    src.sin_addr.s_addr = htonl(0x7f000000u | (unsigned)src_host);
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    dst.sin_port = htons((uint16_t)port);
    if ((src_host != 1 && bind(fd, (struct sockaddr *)&src, sizeof src) != 0) ||
        connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void open_conns(struct conns *c, int n, int port, int first_host, int hosts)
{
    c->fd = calloc((size_t)(n ? n : 1), sizeof *c->fd);
    c->n = n;
    for (int i = 0; i < n; i++)
        c->fd[i] = dial(port, first_host + (hosts > 1 ? i % hosts : 0));
}

/* Connections still open (no EOF or reset from the server). */
static int count_open(const struct conns *c)
{
    int open = 0;

    for (int i = 0; i < c->n; i++) {
        struct pollfd p = { .fd = c->fd[i], .events = POLLIN | POLLRDHUP };
        char b;

        if (c->fd[i] < 0)
            continue;
        if (poll(&p, 1, 0) == 0)
            open++;
        else if (recv(c->fd[i], &b, 1, MSG_DONTWAIT | MSG_PEEK) > 0)
            open++;  /* data (e.g. a 4xx) but not closed yet */
    }
    return open;
}

static void close_conns(struct conns *c)
{
    for (int i = 0; i < c->n; i++)
        if (c->fd[i] >= 0)
            close(c->fd[i]);
    free(c->fd);
    c->fd = NULL;
    c->n = 0;
}

/* Read a response's status code; 0 if the connection closed first, -1 on timeout. */
static int read_status(int fd, int timeout_ms)
{
    char buf[4096];
    size_t have = 0;
    double end = now_ms() + timeout_ms;

    while (have < sizeof buf - 1) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int left = (int)(end - now_ms());
        ssize_t n;

        if (left <= 0 || poll(&p, 1, left) <= 0)
            return -1;
        n = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        if (n <= 0)
            break;
        have += (size_t)n;
        buf[have] = '\0';
        if (strstr(buf, "\r\n"))
            break;
    }
    buf[have] = '\0';
    if (strncmp(buf, "HTTP/1.", 7) != 0 || have < 12)
        return 0;
    return atoi(buf + 9);
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w <= 0)
            return;  /* the server closed it: expected for oversized requests */
        p += w;
        n -= (size_t)w;
    }
}

/* One request with a header of @size bytes; returns the status (0: closed without one). */
static int big_header_once(int port, int size)
{
    static const char start[] = "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ";
    char *req = malloc(sizeof start + (size_t)size + 8);
    int fd = dial(port, 5), status = -1;

    if (req && fd >= 0) {
        memcpy(req, start, sizeof start - 1);
        memset(req + sizeof start - 1, 'a', (size_t)size);
        memcpy(req + sizeof start - 1 + size, "\r\n\r\n", 4);
        send_all(fd, req, sizeof start - 1 + (size_t)size + 4);
        status = read_status(fd, 5000);
    }
    if (fd >= 0)
        close(fd);
    free(req);
    return status;
}

static void *attack_main(void *arg)
{
    struct attack *a = arg;
    static const char slow_start[] = "GET /health/live HTTP/1.1\r\nHost: x\r\n";
    static const char drip[] = "X-Slow: 1\r\n";
    size_t pos = 0;
    double next_drip = now_ms();

    for (int i = 0; i < a->slow.n; i++)
        if (a->slow.fd[i] >= 0)
            send_all(a->slow.fd[i], slow_start, sizeof slow_start - 1);
    while (!atomic_load(&a->stop)) {
        if (a->o->big_header) {
            int st = big_header_once(a->o->port, a->o->big_header);

            if (a->big_sent++ == 0)
                a->big_status = st;
        }
        if (now_ms() >= next_drip) {
            for (int i = 0; i < a->slow.n; i++)
                if (a->slow.fd[i] >= 0)
                    send(a->slow.fd[i], &drip[pos % (sizeof drip - 1)], 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            pos++;
            next_drip = now_ms() + DRIP_MS;
        }
        if (!a->o->big_header)
            sleep_ms(20);
    }
    return NULL;
}

/* One probe: status in *status, elapsed ms returned. */
static double probe_once(const struct opts *o, int *status)
{
    char req[512];
    double t0 = now_ms();
    int fd = dial(o->port, 1);
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", o->probe);

    *status = -1;
    if (fd >= 0) {
        send_all(fd, req, (size_t)n);
        *status = read_status(fd, 2000);
        close(fd);
    }
    return now_ms() - t0;
}

static int raise_nofile(int need)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if (rl.rlim_cur < (rlim_t)need) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)need ? rl.rlim_max : (rlim_t)need;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur >= (rlim_t)need ? 0 : -1;
}

static int parse(int argc, char **argv, struct opts *o)
{
    struct { const char *name; int *v; } ints[] = {
        { "--port", &o->port }, { "--idle", &o->idle }, { "--idle-ips", &o->idle_ips },
        { "--hog", &o->hog }, { "--slowloris", &o->slowloris }, { "--big-header", &o->big_header },
        { "--probes", &o->probes }, { "--max-ms", &o->max_ms }, { "--closed-after", &o->closed_after },
    };

    *o = (struct opts){ .idle_ips = 1, .probes = 20, .max_ms = 100, .probe = "/health/live" };
    for (int i = 1; i + 1 < argc; i += 2) {
        size_t k = 0;

        if (strcmp(argv[i], "--probe") == 0) {
            o->probe = argv[i + 1];
            continue;
        }
        while (k < sizeof ints / sizeof ints[0] && strcmp(argv[i], ints[k].name) != 0)
            k++;
        if (k == sizeof ints / sizeof ints[0])
            return -1;
        *ints[k].v = atoi(argv[i + 1]);
    }
    return o->port > 0 && o->idle_ips > 0 && o->idle_ips < 200 ? 0 : -1;
}

/* The probes, 50 ms apart; returns how many answered 200 in time, *worst the slowest (ms). */
static int run_probes(const struct opts *o, double *worst)
{
    int ok = 0;

    *worst = 0;
    for (int i = 0; i < o->probes; i++) {
        int status;
        double ms = probe_once(o, &status);

        *worst = ms > *worst ? ms : *worst;
        ok += status == 200 && ms <= o->max_ms;
        sleep_ms(PROBE_GAP_MS);
    }
    return ok;
}

int main(int argc, char **argv)
{
    struct opts o;
    struct conns idle = { 0 }, hog = { 0 };
    struct attack a = { .big_status = -1 };
    pthread_t th;
    double worst;
    int ok, idle_held, hog_held, slow_held, idle_left = -1, pass;

    if (parse(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: see the comment at the top of tests/runtime/http_abuse.c\n");
        return 2;
    }
    alarm(120);
    if (raise_nofile(o.idle + o.hog + o.slowloris + 64) != 0) {
        printf("{\"skip\":\"descriptor limit too low\"}\n");
        return 77;
    }
    open_conns(&idle, o.idle, o.port, 10, o.idle_ips);
    open_conns(&hog, o.hog, o.port, 3, 1);
    open_conns(&a.slow, o.slowloris, o.port, 4, 1);
    a.o = &o;
    pthread_create(&th, NULL, attack_main, &a);
    sleep_ms(500);  /* let the server accept or refuse */
    idle_held = count_open(&idle);
    hog_held = count_open(&hog);
    ok = run_probes(&o, &worst);
    slow_held = count_open(&a.slow);
    atomic_store(&a.stop, 1);
    pthread_join(th, NULL);
    if (o.closed_after > 0) {
        sleep_ms(o.closed_after * 1000);
        idle_left = count_open(&idle) + count_open(&hog);
    }
    pass = ok == o.probes && (o.closed_after <= 0 || idle_left == 0);
    printf("{\"idle\":%d,\"idle_held\":%d,\"hog\":%d,\"hog_held\":%d,\"slowloris\":%d,\"slowloris_held\":%d,"
           "\"big_header_status\":%d,\"big_header_requests\":%d,\"probes\":%d,\"probes_ok\":%d,"
           "\"probe_max_ms\":%.1f,\"idle_left\":%d,\"pass\":%s}\n",
           o.idle, idle_held, o.hog, hog_held, o.slowloris, slow_held, a.big_status, a.big_sent, o.probes, ok,
           worst, idle_left, pass ? "true" : "false");
    close_conns(&idle);
    close_conns(&hog);
    close_conns(&a.slow);
    return pass ? 0 : 1;
}
