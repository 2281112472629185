/*
 * link.c — stage 7: link <out>/bin/<app>-runtime.
 *
 * The generated table (<out>/c/glc_breakers.c) and the runtime's main.c are
 * compiled with $CC (default cc) and linked against libglc_runtime.a and the
 * system libraries pkg-config names. The runtime is found next to an
 * installed glc (<prefix>/lib, include, share/glc/runtime) or in the build
 * tree glc came from. A stamp of the command and the inputs' contents makes
 * the link happen only when something changed. No shell is involved.
 */
#include "glc.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#ifndef GLC_RUNTIME_PKGS
#define GLC_RUNTIME_PKGS "libmicrohttpd libpq hiredis rdkafka jansson libcurl"
#endif
#ifndef GLC_RUNTIME_LDFLAGS
#define GLC_RUNTIME_LDFLAGS ""
#endif
#ifndef GLC_INSTALL_LIBDIR
#define GLC_INSTALL_LIBDIR "lib"
#endif

struct rt_paths {
    const char *lib, *include, *main_c;
};

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Installed layout first (relative to this executable), then the build tree. */
static bool find_runtime(struct glc_ctx *cx, struct rt_paths *p)
{
    const char *env = getenv("GLC_RUNTIME_PREFIX");
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    const char *prefix = env;
    if (!prefix && n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            prefix = glc_sprintf(cx->arena, "%s/..", exe);
        }
    }
    if (prefix) {
        p->lib = glc_sprintf(cx->arena, "%s/%s/libglc_runtime.a", prefix, GLC_INSTALL_LIBDIR);
        p->include = glc_sprintf(cx->arena, "%s/include", prefix);
        p->main_c = glc_sprintf(cx->arena, "%s/share/glc/runtime/main.c", prefix);
        if (exists(p->lib) && exists(p->main_c))
            return true;
    }
#ifdef GLC_BUILD_RUNTIME_LIB
    p->lib = GLC_BUILD_RUNTIME_LIB;
    p->include = GLC_SOURCE_INCLUDE_DIR;
    p->main_c = GLC_SOURCE_RUNTIME_MAIN;
    if (exists(p->lib) && exists(p->main_c))
        return true;
#endif
    return false;
}

/* Run argv; returns the exit status, or -1 with errno when it cannot start.
 * With `out`, stdout is captured (pkg-config). */
static int run(char *const argv[], struct glc_buf *out)
{
    int fds[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (out) {
        if (pipe(fds) != 0)
            return -1;
        posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&fa, fds[0]);
    }
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (out)
        close(fds[1]);
    if (rc != 0) {
        if (out)
            close(fds[0]);
        errno = rc;
        return -1;
    }
    if (out) {
        char buf[4096];
        ssize_t r;
        while ((r = read(fds[0], buf, sizeof buf)) > 0)
            glc_buf_put(out, buf, (size_t)r);
        close(fds[0]);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

struct argv_b {
    char **v;
    size_t n, cap;
};

static void arg(struct glc_ctx *cx, struct argv_b *a, const char *s)
{
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 32;
        char **v = glc_alloc(cx->arena, a->cap * sizeof *v);
        if (a->v)
            memcpy(v, a->v, a->n * sizeof *v);
        a->v = v;
    }
    a->v[a->n++] = glc_strdup(cx->arena, s);
    a->v[a->n] = NULL;
}

/* Split on whitespace (pkg-config and $CC output/values). */
static void args_split(struct glc_ctx *cx, struct argv_b *a, const char *s)
{
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        const char *w = s;
        while (*s && *s != ' ' && *s != '\t' && *s != '\n')
            s++;
        if (s > w)
            arg(cx, a, glc_strndup(cx->arena, w, (size_t)(s - w)));
    }
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

static uint64_t hash_file(const char *path, uint64_t h)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return h ^ 1;
    char buf[65536];
    size_t r;
    while ((r = fread(buf, 1, sizeof buf, f)) > 0)
        h = fnv(h, buf, r);
    fclose(f);
    return h;
}

static char *read_small(struct glc_ctx *cx, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char buf[256];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    return glc_strndup(cx->arena, buf, n);
}

static int fail_cc(const char *cc)
{
    fprintf(stderr,
            "glc: error: cannot run the C compiler '%s': %s\n"
            "glc: install one (apt-get install gcc), set CC, or build with --no-link\n",
            cc, strerror(errno));
    return 2;
}

int glc_link(struct glc_ctx *cx, const char *outdir)
{
    const struct glc_k8s *k = cx->model.k8s;
    if (!k || !cx->model.res) {
        fputs("glc: note: the runtime needs both configs; not linking\n", stderr);
        return 0;
    }
    struct rt_paths rp;
    if (!find_runtime(cx, &rp)) {
        fputs("glc: error: the runtime library (libglc_runtime.a) was not found next to glc or in its build "
              "tree; install glc with the runtime, or build with --no-link\n", stderr);
        return 2;
    }
    const char *cc = getenv("CC");
    cc = cc && *cc ? cc : "cc";
    struct glc_buf libs = {0};
    char *pkg[16] = {"pkg-config", "--libs"};
    struct argv_b pa = {0};
    arg(cx, &pa, "pkg-config");
    arg(cx, &pa, "--libs");
    args_split(cx, &pa, GLC_RUNTIME_PKGS);
    (void)pkg;
    int rc = run(pa.v, &libs);
    if (rc != 0) {
        fprintf(stderr, "glc: error: pkg-config --libs %s failed; install the runtime's -dev packages\n",
                GLC_RUNTIME_PKGS);
        glc_buf_free(&libs);
        return 2;
    }
    const char *bindir = glc_sprintf(cx->arena, "%s/bin", outdir);
    const char *bin = glc_sprintf(cx->arena, "%s/%s-runtime", bindir, k->app.name.v);
    const char *tmp = glc_sprintf(cx->arena, "%s.glc-tmp", bin);
    const char *table = glc_sprintf(cx->arena, "%s/c/glc_breakers.c", outdir);
    struct argv_b a = {0};
    args_split(cx, &a, cc);
    const char *fixed[] = {"-std=c11", "-O2", "-o", tmp, "-I", rp.include, "-I",
                           glc_sprintf(cx->arena, "%s/c", outdir), table, rp.main_c, rp.lib};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        arg(cx, &a, fixed[i]);
    args_split(cx, &a, libs.data ? libs.data : "");
    args_split(cx, &a, "-lpthread " GLC_RUNTIME_LDFLAGS);
    glc_buf_free(&libs);

    /* the stamp: the command line and the inputs' contents */
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < a.n; i++)
        if (a.v[i] != a.v[3]) /* not the temp name */
            h = fnv(h, a.v[i], strlen(a.v[i]) + 1);
    h = hash_file(table, hash_file(rp.main_c, hash_file(rp.lib, h)));
    h = hash_file(glc_sprintf(cx->arena, "%s/c/glc_breakers.h", outdir), h);
    char stamp[32];
    snprintf(stamp, sizeof stamp, "%016llx\n", (unsigned long long)h);
    const char *stamp_path = glc_sprintf(cx->arena, "%s/.%s-runtime.stamp", bindir, k->app.name.v);
    const char *old = read_small(cx, stamp_path);
    if (old && !strcmp(old, stamp) && exists(bin)) {
        fprintf(stderr, "glc: %s is up to date\n", bin);
        return 0;
    }
    if (mkdir(bindir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "glc: error: cannot create '%s': %s\n", bindir, strerror(errno));
        return 2;
    }
    rc = run(a.v, NULL);
    if (rc < 0)
        return fail_cc(a.v[0]);
    if (rc != 0 || rename(tmp, bin) != 0) {
        unlink(tmp);
        fprintf(stderr, "glc: error: linking %s failed (%s exited with %d)\n", bin, a.v[0], rc);
        return 2;
    }
    FILE *f = fopen(stamp_path, "w");
    if (f) {
        fputs(stamp, f);
        fclose(f);
    }
    fprintf(stderr, "glc: linked %s\n", bin);
    return 0;
}
