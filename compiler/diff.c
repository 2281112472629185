/*
 * diff.c — glc diff: what a config change does.
 *
 * Two sides are loaded, each into its own context: the configs at a git
 * revision (read with `git cat-file blob REV:path`, never checked out) against
 * the working tree, or two config directories. Each side goes through the
 * whole front end (glc_analyze). Then, in this order:
 *
 *   1. diagnostics  findings introduced and resolved, matched by code and
 *                   dotted key path (code and message when there is no path);
 *   2. impact       plain-language lines computed from the two checked models,
 *                   each classified breaking, risky or safe (docs/diff.md has
 *                   the table and the reasons);
 *   3. output       a unified diff (udiff.c) of every generated file that
 *                   changes, both sides rendered in memory (glc_render_all).
 *
 * Formats: text, json (schema/diff.schema.json), markdown (a pull-request
 * comment), github (workflow annotations). Exit: 0 no change or only safe
 * changes; 1 new errors or a breaking impact (risky too with --fail-on
 * risky); 2 usage, I/O or git problems.
 */
#include "glc.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *const class_names[] = {"safe", "risky", "breaking"};

const char *glc_impact_class_name(enum glc_impact_class c)
{
    return class_names[c];
}

/* ================================================================ git */

/* Run `git -C dir ARGS...` without a shell; stdout and stderr are captured.
 * Returns git's exit status, or -1 when git could not be started. */
static int run_git(const char *dir, const char *const *args, struct glc_buf *out, struct glc_buf *err)
{
    const char *argv[16];
    int n = 0;
    argv[n++] = "git";
    argv[n++] = "-C";
    argv[n++] = dir;
    for (int i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int po[2], pe[2];
    if (pipe(po) != 0)
        return -1;
    if (pipe(pe) != 0) {
        close(po[0]);
        close(po[1]);
        return -1;
    }
    for (int i = 0; i < 2; i++) { /* the child gets them through dup2 only */
        fcntl(po[i], F_SETFD, FD_CLOEXEC);
        fcntl(pe[i], F_SETFD, FD_CLOEXEC);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    pid_t pid;
    int rc = posix_spawnp(&pid, "git", &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    if (rc != 0) {
        close(po[0]);
        close(pe[0]);
        errno = rc;
        return -1;
    }
    struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    struct glc_buf *dst[2] = {out, err};
    int open_fds = 2;
    char chunk[65536];
    while (open_fds) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t r = read(fds[i].fd, chunk, sizeof chunk);
            if (r > 0) {
                glc_buf_put(dst[i], chunk, (size_t)r);
            } else if (r == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* git's first line of complaint, for our own error message. */
static const char *git_says(struct glc_ctx *cx, const struct glc_buf *err)
{
    if (!err->len)
        return "";
    size_t n = 0;
    while (n < err->len && err->data[n] != '\n')
        n++;
    return glc_sprintf(cx->arena, " (git: %.*s)", (int)n, err->data);
}

static char *chomp(struct glc_ctx *cx, const struct glc_buf *b)
{
    size_t n = b->len;
    while (n && (b->data[n - 1] == '\n' || b->data[n - 1] == '\r'))
        n--;
    return glc_strndup(cx->arena, b->data ? b->data : "", n);
}

struct gitrepo {
    const char *top;    /* realpath of the work tree's top */
    const char *commit; /* the revision, resolved */
};

/* The repository holding dir, and the revision resolved in it. 0, or 2 after
 * a message. */
static int git_open(struct glc_ctx *cx, const char *dir, const char *rev, struct gitrepo *g)
{
    struct glc_buf out = {0}, err = {0};
    static const char *const top_args[] = {"rev-parse", "--show-toplevel", NULL};
    int rc = run_git(dir, top_args, &out, &err);
    if (rc < 0) {
        fprintf(stderr, "glc: error: cannot run git: %s\n", strerror(errno));
        return 2;
    }
    if (rc != 0 || !out.len) {
        fprintf(stderr,
                "glc: error: '%s' is not in a git repository%s; to compare two directories, run "
                "glc diff OLD_DIR NEW_DIR\n",
                dir, git_says(cx, &err));
        glc_buf_free(&out);
        glc_buf_free(&err);
        return 2;
    }
    char *top = chomp(cx, &out);
    char real[PATH_MAX];
    g->top = glc_strdup(cx->arena, realpath(top, real) ? real : top);
    out.len = err.len = 0;
    const char *spec = glc_sprintf(cx->arena, "%s^{commit}", rev);
    const char *const rev_args[] = {"rev-parse", "--verify", "--quiet", spec, NULL};
    rc = run_git(g->top, rev_args, &out, &err);
    if (rc != 0 || !out.len) {
        fprintf(stderr, "glc: error: unknown revision '%s' in the git repository at %s%s\n", rev, g->top,
                git_says(cx, &err));
        glc_buf_free(&out);
        glc_buf_free(&err);
        return 2;
    }
    g->commit = chomp(cx, &out);
    glc_buf_free(&out);
    glc_buf_free(&err);
    return 0;
}

static const char *dir_of(struct glc_ctx *cx, const char *path)
{
    const char *s = strrchr(path, '/');
    if (!s)
        return ".";
    if (s == path)
        return "/";
    return glc_strndup(cx->arena, path, (size_t)(s - path));
}

/* The path of file relative to the repository top, for REV:path. */
static const char *repo_relative(struct glc_ctx *cx, const struct gitrepo *g, const char *file)
{
    char real[PATH_MAX];
    if (!realpath(file, real))
        return NULL;
    size_t tl = strlen(g->top);
    if (strncmp(real, g->top, tl) || (real[tl] != '/' && strcmp(g->top, "/")))
        return NULL;
    return glc_strdup(cx->arena, real + tl + (strcmp(g->top, "/") ? 1 : 0));
}

/* ================================================================ inputs */

struct side {
    struct glc_ctx *cx;
    const char *label; /* "HEAD", "working tree", or the directory */
    bool modeled;      /* the model was built (no front-end errors) */
};

struct run {
    const struct glc_diff_options *o;
    struct side old, new;
    const char *base, *base_commit, *head;
    bool dir_mode;
};

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Show a loaded file under another name (its path from the repository top:
 * what git, GitHub annotations and code scanning expect). */
static void rename_file(struct glc_ctx *cx, int idx, const char *name)
{
    cx->files[idx].path = name;
    for (size_t i = 0; i < cx->ndiags; i++)
        if (cx->diags[i]->at.file == (uint32_t)idx)
            cx->diags[i]->file_path = name;
}

static const char *strip_dot(const char *p)
{
    while (p[0] == '.' && p[1] == '/' && p[2])
        p += 2;
    return p;
}

static int load_git_side(struct run *r, const char *path)
{
    struct glc_ctx *ocx = r->old.cx;
    int idx = glc_load_file(r->new.cx, path);
    if (idx < 0)
        return 2;
    struct gitrepo g;
    int rc = git_open(ocx, dir_of(ocx, path), r->base, &g);
    if (rc)
        return rc;
    if (!r->base_commit)
        r->base_commit = g.commit;
    const char *rel = repo_relative(ocx, &g, path);
    if (!rel) {
        fprintf(stderr, "glc: error: '%s' is outside the git repository at %s\n", path, g.top);
        return 2;
    }
    rename_file(r->new.cx, idx, glc_strdup(r->new.cx->arena, rel));
    struct glc_buf out = {0}, err = {0};
    const char *obj = glc_sprintf(ocx->arena, "%s:%s", g.commit, rel);
    const char *const args[] = {"cat-file", "blob", obj, NULL};
    rc = run_git(g.top, args, &out, &err);
    if (rc != 0) {
        fprintf(stderr,
                "glc: error: %s does not exist at revision %s (it is new in the working tree, or not "
                "committed there); pick a --base where it exists\n",
                rel, r->base);
        glc_buf_free(&out);
        glc_buf_free(&err);
        return 2;
    }
    glc_load_buffer(ocx, glc_sprintf(ocx->arena, "%s:%s", r->base, rel), out.data ? out.data : "", out.len);
    glc_buf_free(&out);
    glc_buf_free(&err);
    return 0;
}

static int load_git(struct run *r, const char *const *args, int nargs)
{
    static const char *const here[] = {"."};
    if (nargs == 0) {
        args = here;
        nargs = 1;
    }
    r->base = r->o->base ? r->o->base : "HEAD";
    r->head = "working tree";
    if (r->base[0] == '-' || !r->base[0]) {
        fprintf(stderr, "glc: error: '%s' is not a revision\n", r->base);
        return 2;
    }
    for (int i = 0; i < nargs; i++) {
        struct stat st;
        if (stat(args[i], &st) != 0) {
            fprintf(stderr, "glc: error: '%s' does not exist\n", args[i]);
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            int rc = load_git_side(r, args[i]);
            if (rc)
                return rc;
            continue;
        }
        const char *paths[2];
        if (!glc_dir_configs(r->new.cx, args[i], paths)) {
            fprintf(stderr,
                    "glc: error: no kubernetes_config.yaml or resilience_config.yaml in '%s' "
                    "(nor in its config/)\n",
                    args[i]);
            return 2;
        }
        for (int k = 0; k < 2; k++) {
            int rc = paths[k] ? load_git_side(r, paths[k]) : 0;
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int load_dirs(struct run *r, const char *olddir, const char *newdir)
{
    static const char *const names[] = {"kubernetes_config.yaml", "resilience_config.yaml"};
    const char *op[2], *np[2];
    r->base = olddir;
    r->head = newdir;
    int no = glc_dir_configs(r->old.cx, olddir, op), nn = glc_dir_configs(r->new.cx, newdir, np);
    if (!no || !nn) {
        fprintf(stderr,
                "glc: error: no kubernetes_config.yaml or resilience_config.yaml in '%s' "
                "(nor in its config/)\n",
                no ? newdir : olddir);
        return 2;
    }
    for (int k = 0; k < 2; k++) {
        if (!op[k] != !np[k]) {
            fprintf(stderr,
                    "glc: error: '%s' has %s but '%s' has none: glc diff compares the same configs on "
                    "both sides\n",
                    op[k] ? olddir : newdir, names[k], op[k] ? newdir : olddir);
            return 2;
        }
        if (op[k] && (glc_load_file(r->old.cx, strip_dot(op[k])) < 0 ||
                      glc_load_file(r->new.cx, strip_dot(np[k])) < 0))
            return 2;
    }
    return 0;
}

/* ================================================================ findings */

struct finding {
    const struct glc_diag *d;
    json_t *json;       /* the entry glc check --format json prints (borrowed) */
    const char *key[2]; /* [0] exact: code, path, message; [1] loose: code, path or message shape */
    size_t seq;
    bool matched;
};

struct findings {
    struct finding *v;
    size_t n;
    json_t *list; /* owns the json entries */
};

/* Digits vary with the numbers a message quotes: "4 pods" and "6 pods" are
 * the same finding when it has no key path to go by. */
static const char *shape(struct glc_ctx *cx, const char *msg)
{
    struct glc_buf b = {0};
    for (const char *p = msg; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            glc_buf_putc(&b, '#');
            while (p[1] >= '0' && p[1] <= '9')
                p++;
        } else {
            glc_buf_putc(&b, *p);
        }
    }
    const char *r = glc_strndup(cx->arena, b.data ? b.data : "", b.len);
    glc_buf_free(&b);
    return r;
}

/* The JSON entries of glc check --format json, rendered by diag.c itself so
 * the shape is the same; index k is the k-th unsuppressed finding. */
static json_t *check_entries(struct glc_ctx *cx)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    if (!f)
        return json_array();
    glc_diag_render(cx, f, GLC_FMT_JSON, false);
    fclose(f);
    json_t *root = json_loadb(mem, len, 0, NULL);
    free(mem);
    json_t *list = json_object_get(root, "diagnostics");
    list = json_is_array(list) ? json_incref(list) : json_array();
    json_decref(root);
    return list;
}

static void collect(struct glc_ctx *cx, struct findings *fs)
{
    fs->list = check_entries(cx);
    fs->v = calloc(cx->ndiags + 1, sizeof *fs->v);
    if (!fs->v)
        abort();
    size_t k = 0;
    for (size_t i = 0; i < cx->ndiags; i++) {
        const struct glc_diag *d = cx->diags[i];
        if (d->suppressed)
            continue;
        struct finding *f = &fs->v[fs->n];
        f->d = d;
        f->seq = fs->n++;
        f->json = json_array_get(fs->list, k++);
        int kind = d->at.file < cx->nfiles ? cx->files[d->at.file].kind : 0;
        f->key[0] = glc_sprintf(cx->arena, "%s\037%s\037%s", d->code, d->path ? d->path : "", d->message);
        f->key[1] = d->path ? glc_sprintf(cx->arena, "%s\037%s", d->code, d->path)
                            : glc_sprintf(cx->arena, "%s\037%d\037%s", d->code, kind, shape(cx, d->message));
    }
}

static int g_pass; /* the key qsort compares by (qsort has no user pointer) */

static int by_key(const void *a, const void *b)
{
    const struct finding *x = *(const struct finding *const *)a, *y = *(const struct finding *const *)b;
    int c = strcmp(x->key[g_pass], y->key[g_pass]);
    return c ? c : (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/* Pair old and new findings with equal keys, in order: first exactly, then loosely. */
static void match(struct findings *o, struct findings *n)
{
    struct finding **a = calloc(o->n + 1, sizeof *a), **b = calloc(n->n + 1, sizeof *b);
    if (!a || !b)
        abort();
    for (g_pass = 0; g_pass < 2; g_pass++) {
        size_t na = 0, nb = 0;
        for (size_t i = 0; i < o->n; i++)
            if (!o->v[i].matched)
                a[na++] = &o->v[i];
        for (size_t i = 0; i < n->n; i++)
            if (!n->v[i].matched)
                b[nb++] = &n->v[i];
        qsort(a, na, sizeof *a, by_key);
        qsort(b, nb, sizeof *b, by_key);
        for (size_t i = 0, j = 0; i < na && j < nb;) {
            int c = strcmp(a[i]->key[g_pass], b[j]->key[g_pass]);
            if (c < 0) {
                i++;
            } else if (c > 0) {
                j++;
            } else {
                a[i++]->matched = b[j++]->matched = true;
            }
        }
    }
    free(a);
    free(b);
}

/* ================================================================ impact */

struct impacts {
    struct glc_ctx *ocx, *ncx;
    struct glc_impact *v;
    size_t n, cap;
};

static const char *pl(int64_t n)
{
    return n == 1 ? "" : "s";
}

static void add(struct impacts *im, enum glc_impact_class cls, const char *path, struct glc_loc at,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add(struct impacts *im, enum glc_impact_class cls, const char *path, struct glc_loc at,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = glc_vsprintf(im->ncx->arena, fmt, ap);
    va_end(ap);
    if (im->n == im->cap) {
        im->cap = im->cap ? im->cap * 2 : 32;
        im->v = realloc(im->v, im->cap * sizeof *im->v);
        if (!im->v)
            abort();
    }
    im->v[im->n] = (struct glc_impact){cls, msg, path, at, (uint32_t)im->n};
    im->n++;
}

static bool str_eq(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

/* A growing "a, b and c" list. */
struct list {
    const char *item[24];
    int n;
};

static void list_add(struct list *l, const char *s)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->item[i], s))
            return;
    if (l->n < 24)
        l->item[l->n++] = s;
}

static const char *list_str(struct glc_arena *a, const struct list *l, const char *last_sep)
{
    struct glc_buf b = {0};
    for (int i = 0; i < l->n; i++) {
        if (i)
            glc_buf_puts(&b, i + 1 == l->n ? last_sep : ", ");
        glc_buf_puts(&b, l->item[i]);
    }
    const char *r = glc_strndup(a, b.data ? b.data : "", b.len);
    glc_buf_free(&b);
    return r;
}

/* --- zones --- */

static int64_t zone_pods(const struct glc_k8s *k, size_t i)
{
    if (k->deployment.ndist)
        return k->cluster.zones[i].replicas.v;
    int64_t n = (int64_t)k->cluster.nzones, r = k->deployment.replicas.v;
    return r / n + ((int64_t)i < r % n ? 1 : 0);
}

static const struct glc_zone *zone_find(const struct glc_k8s *k, const char *name, size_t *idx)
{
    for (size_t i = 0; i < k->cluster.nzones; i++)
        if (!strcmp(k->cluster.zones[i].name, name)) {
            if (idx)
                *idx = i;
            return &k->cluster.zones[i];
        }
    return NULL;
}

/* Pods left when the zone with the most pods goes down; -1 without zones. */
static int64_t zone_loss_survivors(const struct glc_k8s *k)
{
    if (!k->cluster.nzones)
        return -1;
    int64_t big = 0;
    for (size_t i = 0; i < k->cluster.nzones; i++)
        if (zone_pods(k, i) > big)
            big = zone_pods(k, i);
    return k->deployment.replicas.v - big;
}

static int64_t max_skew(const struct glc_k8s *k)
{
    int64_t lo = INT64_MAX, hi = 0;
    for (size_t i = 0; i < k->cluster.nzones; i++) {
        int64_t r = zone_pods(k, i);
        lo = r < lo ? r : lo;
        hi = r > hi ? r : hi;
    }
    return k->cluster.nzones && hi - lo > 1 ? hi - lo : 1;
}

static void impact_zones(struct impacts *im, const struct glc_k8s *o, const struct glc_k8s *n)
{
    struct glc_arena *a = im->ncx->arena;
    bool same_set = o->cluster.nzones == n->cluster.nzones;
    for (size_t i = 0; i < o->cluster.nzones; i++) {
        const char *z = o->cluster.zones[i].name;
        if (zone_find(n, z, NULL))
            continue;
        same_set = false;
        int64_t pods = zone_pods(o, i);
        add(im, GLC_IMPACT_RISKY, "kubernetes.cluster.availability_zones", n->cluster.zones_at,
            "zone %s removed: its node group goes away and its %lld pod%s move to the other zones", z,
            (long long)pods, pl(pods));
    }
    for (size_t i = 0; i < n->cluster.nzones; i++) {
        const char *z = n->cluster.zones[i].name;
        if (zone_find(o, z, NULL))
            continue;
        same_set = false;
        add(im, GLC_IMPACT_RISKY, "kubernetes.cluster.availability_zones", n->cluster.zones[i].at,
            "zone %s added: a new node group, and %lld pod%s move into it", z, (long long)zone_pods(n, i),
            pl(zone_pods(n, i)));
    }
    /* the same zones and replicas, spread differently: pods move between zones */
    if (same_set && o->deployment.replicas.v == n->deployment.replicas.v) {
        struct list moved = {0};
        for (size_t i = 0; i < n->cluster.nzones; i++) {
            size_t j = 0;
            zone_find(o, n->cluster.zones[i].name, &j);
            if (zone_pods(o, j) != zone_pods(n, i))
                list_add(&moved, glc_sprintf(a, "%s %lld → %lld", n->cluster.zones[i].name,
                                             (long long)zone_pods(o, j), (long long)zone_pods(n, i)));
        }
        if (moved.n)
            add(im, GLC_IMPACT_RISKY, "kubernetes.deployment.replica_distribution", n->deployment.dist_at,
                "pods move between zones (%s)", list_str(a, &moved, ", "));
    }
    /* the PDB lets a zone's worth of pods (the largest zone) be drained at once;
     * what that leaves is the zone-loss line's concern, so this one is safe */
    int64_t po = o->deployment.replicas.v - zone_loss_survivors(o),
            pn = n->deployment.replicas.v - zone_loss_survivors(n);
    if (o->cluster.nzones && n->cluster.nzones && (po > 0 ? po : 1) != (pn > 0 ? pn : 1)) {
        po = po > 0 ? po : 1;
        pn = pn > 0 ? pn : 1;
        add(im, GLC_IMPACT_SAFE, "kubernetes.deployment.replica_distribution",
            n->deployment.ndist ? n->deployment.dist_at : n->deployment.replicas.at,
            "disruption budget: node drains may evict %lld pod%s at once (was %lld)", (long long)pn, pl(pn),
            (long long)po);
    }
    int64_t so = zone_loss_survivors(o), sn = zone_loss_survivors(n);
    if (so < 0 || sn < 0 || so == sn)
        return;
    bool hpa = n->hpa.enabled.v && n->hpa.min_replicas.v > 0;
    int64_t hmin = n->hpa.min_replicas.v, nz = (int64_t)n->cluster.nzones;
    int64_t keep = hmin - (hmin + nz - 1) / nz; /* what an even spread of the HPA minimum keeps (GLC106) */
    enum glc_impact_class cls = GLC_IMPACT_SAFE;
    if (sn < so)
        cls = sn <= 0 || (hpa && sn < keep) ? GLC_IMPACT_BREAKING : GLC_IMPACT_RISKY;
    const char *below = hpa && sn < hmin ? glc_sprintf(a, ", below HPA min %lld", (long long)hmin) : "";
    add(im, cls,
        n->deployment.ndist ? "kubernetes.deployment.replica_distribution" : "kubernetes.deployment.replicas",
        n->deployment.ndist ? n->deployment.dist_at : n->deployment.replicas.at,
        "zone loss now leaves %lld pod%s (was %lld)%s", (long long)sn, pl(sn), (long long)so, below);
}

/* --- the pod template: what restarts pods --- */

static bool probe_changed(const struct glc_probe *o, const struct glc_probe *n)
{
    return o->present != n->present || !str_eq(o->path.v, n->path.v) || o->port.v != n->port.v ||
           o->initial_delay.v != n->initial_delay.v || o->period.v != n->period.v ||
           o->timeout.v != n->timeout.v || o->failure_threshold.v != n->failure_threshold.v ||
           o->success_threshold.v != n->success_threshold.v;
}

static void impact_template(struct impacts *im, const struct glc_k8s *o, const struct glc_k8s *n)
{
    struct glc_arena *a = im->ncx->arena;
    struct list why = {0};
    const char *path = NULL;
    struct glc_loc at = n->at;
#define WHY(cond, label, p, loc)                                                                             \
    do {                                                                                                     \
        if (cond) {                                                                                          \
            list_add(&why, label);                                                                           \
            if (!path) {                                                                                     \
                path = p;                                                                                    \
                at = loc;                                                                                    \
            }                                                                                                \
        }                                                                                                    \
    } while (0)
    WHY(!str_eq(o->app.image.v, n->app.image.v) || !str_eq(o->app.version.v, n->app.version.v), "image",
        "kubernetes.app.version",
        str_eq(o->app.image.v, n->app.image.v) ? n->app.version.at : n->app.image.at);
    WHY(o->resources.req_cpu.v != n->resources.req_cpu.v ||
            o->resources.req_mem.v != n->resources.req_mem.v ||
            o->resources.lim_cpu.v != n->resources.lim_cpu.v ||
            o->resources.lim_mem.v != n->resources.lim_mem.v,
        "resources", "kubernetes.resources", n->resources.at);
    WHY(probe_changed(&o->liveness, &n->liveness) || probe_changed(&o->readiness, &n->readiness) ||
            probe_changed(&o->startup, &n->startup),
        "probes", "kubernetes.health_checks",
        probe_changed(&o->liveness, &n->liveness)     ? n->liveness.at
        : probe_changed(&o->readiness, &n->readiness) ? n->readiness.at
                                                      : n->startup.at);
    WHY(o->app.http_port.v != n->app.http_port.v || o->app.metrics_port.v != n->app.metrics_port.v, "ports",
        "kubernetes.app", n->app.at);
    WHY(o->deployment.termination_grace_period.v != n->deployment.termination_grace_period.v, "grace period",
        "kubernetes.deployment.termination_grace_period", n->deployment.termination_grace_period.at);
    WHY(o->deployment.zone_aa.v != n->deployment.zone_aa.v ||
            o->deployment.host_aa.v != n->deployment.host_aa.v,
        "anti-affinity", "kubernetes.deployment.anti_affinity",
        o->deployment.zone_aa.v != n->deployment.zone_aa.v ? n->deployment.zone_aa.at
                                                           : n->deployment.host_aa.at);
    WHY(max_skew(o) != max_skew(n), "zone spread", "kubernetes.deployment.replica_distribution",
        n->deployment.dist_at);
#undef WHY
    if (why.n) {
        add(im, GLC_IMPACT_RISKY, path, at, "pods will be restarted (template change: %s)",
            list_str(a, &why, ", "));
        return;
    }
    /* nothing in the pod template: say what changed instead */
    if (!str_eq(o->app.name.v, n->app.name.v) || !str_eq(o->app.namespace.v, n->app.namespace.v) ||
        !str_eq(o->cluster.instance_type.v, n->cluster.instance_type.v) ||
        o->cluster.nzones != n->cluster.nzones)
        return; /* pods move anyway: the lines for those say how */
    for (size_t i = 0; i < n->cluster.nzones; i++)
        if (!zone_find(o, n->cluster.zones[i].name, NULL))
            return;
    struct list what = {0};
    const char *wpath = NULL;
    struct glc_loc wat = n->at;
#define WHAT(cond, label, p, loc)                                                                            \
    do {                                                                                                     \
        if (cond) {                                                                                          \
            list_add(&what, label);                                                                          \
            if (!wpath) {                                                                                    \
                wpath = p;                                                                                   \
                wat = loc;                                                                                   \
            }                                                                                                \
        }                                                                                                    \
    } while (0)
    bool dist = false;
    for (size_t i = 0; i < n->cluster.nzones; i++) {
        size_t j = 0;
        zone_find(o, n->cluster.zones[i].name, &j);
        dist |= zone_pods(o, j) != zone_pods(n, i);
    }
    WHAT(o->deployment.replicas.v != n->deployment.replicas.v || dist, "replicas",
         "kubernetes.deployment.replicas", n->deployment.replicas.at);
    WHAT(o->deployment.max_surge.v != n->deployment.max_surge.v ||
             o->deployment.max_surge.percent != n->deployment.max_surge.percent ||
             o->deployment.max_unavailable.v != n->deployment.max_unavailable.v ||
             o->deployment.max_unavailable.percent != n->deployment.max_unavailable.percent,
         "rollout strategy", "kubernetes.deployment.strategy", n->deployment.at);
    WHAT(o->hpa.enabled.v != n->hpa.enabled.v, "HPA", "kubernetes.autoscaling.horizontal.enabled",
         n->hpa.enabled.at);
    WHAT(o->hpa.min_replicas.v != n->hpa.min_replicas.v || o->hpa.max_replicas.v != n->hpa.max_replicas.v,
         "HPA bounds", "kubernetes.autoscaling.horizontal",
         o->hpa.max_replicas.v != n->hpa.max_replicas.v ? n->hpa.max_replicas.at : n->hpa.min_replicas.at);
    WHAT(o->hpa.target_cpu.v != n->hpa.target_cpu.v || o->hpa.target_memory.v != n->hpa.target_memory.v ||
             o->hpa.target_requests_per_second.v != n->hpa.target_requests_per_second.v,
         "HPA targets", "kubernetes.autoscaling.horizontal", n->hpa.at);
    WHAT(o->hpa.scale_up_stabilization.v != n->hpa.scale_up_stabilization.v ||
             o->hpa.scale_down_stabilization.v != n->hpa.scale_down_stabilization.v ||
             o->hpa.scale_up_percent.v != n->hpa.scale_up_percent.v ||
             o->hpa.scale_up_pods.v != n->hpa.scale_up_pods.v ||
             o->hpa.scale_up_period.v != n->hpa.scale_up_period.v ||
             o->hpa.scale_down_percent.v != n->hpa.scale_down_percent.v ||
             o->hpa.scale_down_period.v != n->hpa.scale_down_period.v,
         "HPA behavior", "kubernetes.autoscaling.horizontal", n->hpa.at);
    WHAT(o->vpa.enabled.v != n->vpa.enabled.v || o->vpa.mode.v != n->vpa.mode.v ||
             o->vpa.min_cpu.v != n->vpa.min_cpu.v || o->vpa.max_cpu.v != n->vpa.max_cpu.v ||
             o->vpa.min_mem.v != n->vpa.min_mem.v || o->vpa.max_mem.v != n->vpa.max_mem.v ||
             o->vpa.controls_cpu != n->vpa.controls_cpu || o->vpa.controls_memory != n->vpa.controls_memory,
         "VPA", "kubernetes.autoscaling.vertical", n->vpa.at);
    WHAT(o->ca.enabled.v != n->ca.enabled.v || o->ca.min_nodes.v != n->ca.min_nodes.v ||
             o->ca.max_nodes.v != n->ca.max_nodes.v ||
             o->ca.scale_down_delay_after_add_ms.v != n->ca.scale_down_delay_after_add_ms.v ||
             o->ca.scale_down_unneeded_time_ms.v != n->ca.scale_down_unneeded_time_ms.v,
         "cluster autoscaler", "kubernetes.autoscaling.cluster", n->ca.at);
    WHAT(!str_eq(o->lb.type.v, n->lb.type.v) || !str_eq(o->lb.scheme.v, n->lb.scheme.v) ||
             !str_eq(o->lb.session_affinity.v, n->lb.session_affinity.v) ||
             !str_eq(o->lb.health_check_path.v, n->lb.health_check_path.v) ||
             o->lb.cross_zone.v != n->lb.cross_zone.v ||
             o->lb.deregistration_delay.v != n->lb.deregistration_delay.v ||
             o->lb.health_check_interval.v != n->lb.health_check_interval.v ||
             o->lb.healthy_threshold.v != n->lb.healthy_threshold.v ||
             o->lb.unhealthy_threshold.v != n->lb.unhealthy_threshold.v,
         "load balancer", "kubernetes.load_balancer", n->lb.at);
    bool deps = o->readiness_deps.n != n->readiness_deps.n;
    for (size_t i = 0; !deps && i < n->readiness_deps.n; i++)
        deps = strcmp(o->readiness_deps.names[i], n->readiness_deps.names[i]) != 0;
    WHAT(deps, "readiness dependencies", "kubernetes.health_checks.readiness.dependencies",
         n->readiness_deps.list_at);
    WHAT(!str_eq(o->cluster.name.v, n->cluster.name.v) || !str_eq(o->cluster.region.v, n->cluster.region.v),
         "cluster", "kubernetes.cluster", n->cluster.at);
#undef WHAT
    if (what.n)
        add(im, GLC_IMPACT_SAFE, wpath, wat, "no restart: %s only", list_str(a, &what, " and "));
}

/* --- identity, node type, replicas --- */

static void impact_identity(struct impacts *im, const struct glc_k8s *o, const struct glc_k8s *n)
{
    struct glc_arena *a = im->ncx->arena;
    if (!str_eq(o->app.name.v, n->app.name.v))
        add(im, GLC_IMPACT_BREAKING, "kubernetes.app.name", n->app.name.at,
            "app renamed %s → %s: every Kubernetes object and the load balancer are created anew under the new "
            "name, and the old ones keep running until deleted",
            o->app.name.v, n->app.name.v);
    if (!str_eq(o->app.namespace.v, n->app.namespace.v))
        add(im, GLC_IMPACT_BREAKING, "kubernetes.app.namespace", n->app.namespace.at,
            "namespace %s → %s: every object is created anew in the new namespace", o->app.namespace.v,
            n->app.namespace.v);
    if (!str_eq(o->cluster.name.v, n->cluster.name.v))
        add(im, GLC_IMPACT_BREAKING, "kubernetes.cluster.name", n->cluster.name.at,
            "cluster %s → %s: the node groups and the cluster autoscaler target another cluster",
            o->cluster.name.v, n->cluster.name.v);
    if (!str_eq(o->cluster.region.v, n->cluster.region.v))
        add(im, GLC_IMPACT_BREAKING, "kubernetes.cluster.region", n->cluster.region.at,
            "region %s → %s: the infrastructure is created anew in another region", o->cluster.region.v,
            n->cluster.region.v);
    if (!str_eq(o->cluster.instance_type.v, n->cluster.instance_type.v)) {
        int64_t po = im->ocx->capacity.pods_per_node, pn = im->ncx->capacity.pods_per_node;
        const char *ppn = po > 0 && pn > 0 && po != pn ? glc_sprintf(a, " (%lld pod%s per node, was %lld)",
                                                                     (long long)pn, pl(pn), (long long)po)
                                                       : "";
        add(im, GLC_IMPACT_RISKY, "kubernetes.cluster.node_group.instance_type", n->cluster.instance_type.at,
            "node type %s → %s: the node groups are replaced and every pod is rescheduled%s",
            o->cluster.instance_type.v, n->cluster.instance_type.v, ppn);
    }
    if (o->deployment.replicas.v != n->deployment.replicas.v)
        add(im, n->deployment.replicas.v < o->deployment.replicas.v ? GLC_IMPACT_RISKY : GLC_IMPACT_SAFE,
            "kubernetes.deployment.replicas", n->deployment.replicas.at, "replicas %lld → %lld",
            (long long)o->deployment.replicas.v, (long long)n->deployment.replicas.v);
    if (o->deployment.termination_grace_period.v != n->deployment.termination_grace_period.v) {
        bool lower = n->deployment.termination_grace_period.v < o->deployment.termination_grace_period.v;
        add(im, lower ? GLC_IMPACT_RISKY : GLC_IMPACT_SAFE, "kubernetes.deployment.termination_grace_period",
            n->deployment.termination_grace_period.at, "termination grace period %lld → %lld s%s",
            (long long)o->deployment.termination_grace_period.v,
            (long long)n->deployment.termination_grace_period.v,
            lower ? ": stopping pods get less time to drain" : "");
    }
    const glc_intpct *ou = &o->deployment.max_unavailable, *nu = &n->deployment.max_unavailable;
    if (ou->v != nu->v || ou->percent != nu->percent) {
        bool more = ou->percent == nu->percent && nu->v > ou->v;
        add(im, more || ou->percent != nu->percent ? GLC_IMPACT_RISKY : GLC_IMPACT_SAFE,
            "kubernetes.deployment.strategy.max_unavailable", nu->at,
            "rollout max_unavailable %lld%s → %lld%s%s", (long long)ou->v, ou->percent ? "%" : "",
            (long long)nu->v, nu->percent ? "%" : "",
            more ? ": more pods are down at once during a rollout" : "");
    }
    const glc_intpct *os = &o->deployment.max_surge, *ns = &n->deployment.max_surge;
    if (os->v != ns->v || os->percent != ns->percent)
        add(im, GLC_IMPACT_SAFE, "kubernetes.deployment.strategy.max_surge", ns->at,
            "rollout max_surge %lld%s → %lld%s", (long long)os->v, os->percent ? "%" : "", (long long)ns->v,
            ns->percent ? "%" : "");
}

/* --- autoscaling and capacity --- */

static int64_t capacity_at_max(const struct glc_k8s *k, const struct glc_capacity *cap)
{
    if (!k->ca.enabled.v || cap->pods_per_node <= 0)
        return -1;
    return cap->pods_per_node * k->ca.max_nodes.v;
}

static void impact_autoscaling(struct impacts *im, const struct glc_k8s *o, const struct glc_k8s *n)
{
    struct glc_arena *a = im->ncx->arena;
    const struct glc_capacity *oc = &im->ocx->capacity, *nc = &im->ncx->capacity;
    int64_t capo = capacity_at_max(o, oc), capn = capacity_at_max(n, nc);
    const char *hp = "kubernetes.autoscaling.horizontal";
    if (o->hpa.enabled.v != n->hpa.enabled.v) {
        if (n->hpa.enabled.v)
            add(im, GLC_IMPACT_SAFE, glc_sprintf(a, "%s.enabled", hp), n->hpa.enabled.at,
                "HPA enabled (min %lld, max %lld)", (long long)n->hpa.min_replicas.v,
                (long long)n->hpa.max_replicas.v);
        else
            add(im, GLC_IMPACT_RISKY, glc_sprintf(a, "%s.enabled", hp), n->hpa.enabled.at,
                "HPA disabled: replicas stay at %lld whatever the load", (long long)n->deployment.replicas.v);
    } else if (n->hpa.enabled.v) {
        int64_t omin = o->hpa.min_replicas.v, nmin = n->hpa.min_replicas.v;
        int64_t omax = o->hpa.max_replicas.v, nmax = n->hpa.max_replicas.v;
        if (omin != nmin)
            add(im, nmin < omin ? GLC_IMPACT_RISKY : GLC_IMPACT_SAFE, glc_sprintf(a, "%s.min_replicas", hp),
                n->hpa.min_replicas.at, "HPA min %lld → %lld%s", (long long)omin, (long long)nmin,
                nmin < omin ? ": fewer pods stay up when load is low" : "");
        if (omax != nmax) {
            enum glc_impact_class cls = nmax < omax ? GLC_IMPACT_RISKY : GLC_IMPACT_SAFE;
            const char *tail = nmax < omax ? ": less room for load spikes" : "";
            if (capn > 0 && nmax < omax && nmax <= capn && omax > capn)
                tail = glc_sprintf(a, ": less room for load spikes, but now within the %lld-pod capacity",
                                   (long long)capn);
            if (capn > 0 && nmax > omax && nmax > capn) {
                cls = GLC_IMPACT_RISKY;
                tail = glc_sprintf(a, ", above the %lld pods the cluster can hold", (long long)capn);
            }
            add(im, cls, glc_sprintf(a, "%s.max_replicas", hp), n->hpa.max_replicas.at,
                "HPA max %lld → %lld%s", (long long)omax, (long long)nmax, tail);
        }
        static const struct {
            const char *what, *key;
            size_t off;
        } targets[] = {
            {"cpu", "target_cpu_percentage", offsetof(struct glc_k8s, hpa.target_cpu)},
            {"memory", "target_memory_percentage", offsetof(struct glc_k8s, hpa.target_memory)},
            {"requests per second", "target_requests_per_second",
             offsetof(struct glc_k8s, hpa.target_requests_per_second)},
        };
        for (size_t i = 0; i < 3; i++) {
            const glc_int *ot = (const glc_int *)((const char *)o + targets[i].off);
            const glc_int *nt = (const glc_int *)((const char *)n + targets[i].off);
            if (ot->v == nt->v)
                continue;
            const char *u = i < 2 ? "%" : "";
            add(im, nt->v > ot->v ? GLC_IMPACT_RISKY : GLC_IMPACT_SAFE,
                glc_sprintf(a, "%s.%s", hp, targets[i].key), nt->at,
                "HPA %s target %lld%s → %lld%s: scales out %s", targets[i].what, (long long)ot->v, u,
                (long long)nt->v, u, nt->v > ot->v ? "later, under more load per pod" : "sooner");
        }
        struct list slower = {0}, other = {0};
#define BEH(field, key, up_is_slower)                                                                        \
    do {                                                                                                     \
        if (o->hpa.field.v != n->hpa.field.v) {                                                              \
            const char *s =                                                                                  \
                glc_sprintf(a, "%s %lld → %lld", key, (long long)o->hpa.field.v, (long long)n->hpa.field.v); \
            list_add((n->hpa.field.v > o->hpa.field.v) == (up_is_slower) ? &slower : &other, s);             \
        }                                                                                                    \
    } while (0)
        /* risky: scaling up gets slower, or scaling down gets faster */
        BEH(scale_up_stabilization, "scale_up_stabilization", true);
        BEH(scale_up_percent, "scale_up_percent", false);
        BEH(scale_up_pods, "scale_up_pods", false);
        BEH(scale_up_period, "scale_up_period", true);
        BEH(scale_down_stabilization, "scale_down_stabilization", false);
        BEH(scale_down_percent, "scale_down_percent", true);
        BEH(scale_down_period, "scale_down_period", false);
#undef BEH
        if (slower.n)
            add(im, GLC_IMPACT_RISKY, hp, n->hpa.at, "HPA reacts to load less safely (%s)",
                list_str(a, &slower, ", "));
        if (other.n)
            add(im, GLC_IMPACT_SAFE, hp, n->hpa.at, "HPA scaling behavior: %s", list_str(a, &other, ", "));
    }
    /* cluster autoscaler and the capacity it gives the HPA */
    const char *cp = "kubernetes.autoscaling.cluster";
    if (o->ca.enabled.v != n->ca.enabled.v) {
        add(im, n->ca.enabled.v ? GLC_IMPACT_SAFE : GLC_IMPACT_RISKY, glc_sprintf(a, "%s.enabled", cp),
            n->ca.enabled.at, "cluster autoscaler %s",
            n->ca.enabled.v ? "enabled" : "disabled: node groups stay at their current size");
    } else if (n->ca.enabled.v && o->ca.min_nodes.v != n->ca.min_nodes.v) {
        bool lower = n->ca.min_nodes.v < o->ca.min_nodes.v;
        add(im, lower ? GLC_IMPACT_RISKY : GLC_IMPACT_SAFE, glc_sprintf(a, "%s.min_nodes", cp),
            n->ca.min_nodes.at, "cluster min nodes %lld → %lld%s", (long long)o->ca.min_nodes.v,
            (long long)n->ca.min_nodes.v, lower ? ": fewer warm nodes, scale-ups wait for new ones" : "");
    }
    if (capo > 0 && capn > 0 && capo != capn) {
        struct list why = {0};
        if (o->ca.max_nodes.v != n->ca.max_nodes.v)
            list_add(&why, glc_sprintf(a, "max nodes %lld → %lld", (long long)o->ca.max_nodes.v,
                                       (long long)n->ca.max_nodes.v));
        if (oc->pods_per_node != nc->pods_per_node)
            list_add(&why, glc_sprintf(a, "%lld pod%s per node, was %lld", (long long)nc->pods_per_node,
                                       pl(nc->pods_per_node), (long long)oc->pods_per_node));
        bool hpa = n->hpa.enabled.v;
        int64_t hmax = n->hpa.max_replicas.v;
        enum glc_impact_class cls = GLC_IMPACT_SAFE;
        if (capn < capo)
            cls = hpa && capn < hmax ? GLC_IMPACT_BREAKING : GLC_IMPACT_RISKY;
        const char *path = o->ca.max_nodes.v != n->ca.max_nodes.v ? "kubernetes.autoscaling.cluster.max_nodes"
                                                                  : "kubernetes.resources.requests";
        struct glc_loc at = o->ca.max_nodes.v != n->ca.max_nodes.v ? n->ca.max_nodes.at : n->resources.at;
        add(im, cls, path, at, "capacity at HPA max %s from %lld to %lld pods%s (%s)",
            capn < capo ? "drops" : "rises", (long long)capo, (long long)capn,
            hpa && capn < hmax ? glc_sprintf(a, ", below HPA max %lld", (long long)hmax) : "",
            list_str(a, &why, "; "));
    } else if (n->ca.enabled.v && o->ca.enabled.v && o->ca.max_nodes.v != n->ca.max_nodes.v) {
        bool lower = n->ca.max_nodes.v < o->ca.max_nodes.v;
        add(im, lower ? GLC_IMPACT_RISKY : GLC_IMPACT_SAFE, glc_sprintf(a, "%s.max_nodes", cp),
            n->ca.max_nodes.at, "cluster max nodes %lld → %lld", (long long)o->ca.max_nodes.v,
            (long long)n->ca.max_nodes.v);
    }
    /* VPA */
    static const char *const modes[] = {"Off", "Initial", "Recreate", "Auto", "InPlaceOrRecreate"};
    const char *vp = "kubernetes.autoscaling.vertical";
    bool ovpa = o->vpa.enabled.v, nvpa = n->vpa.enabled.v;
    bool oevict = ovpa && o->vpa.mode.v >= GLC_VPA_RECREATE,
         nevict = nvpa && n->vpa.mode.v >= GLC_VPA_RECREATE;
    if (ovpa != nvpa || o->vpa.mode.v != n->vpa.mode.v) {
        const char *from = ovpa ? modes[o->vpa.mode.v] : "disabled",
                   *to = nvpa ? modes[n->vpa.mode.v] : "disabled";
        add(im, nevict && !oevict ? GLC_IMPACT_RISKY : GLC_IMPACT_SAFE, glc_sprintf(a, "%s.update_mode", vp),
            n->vpa.mode.at, "VPA %s → %s%s", from, to,
            nevict && !oevict   ? ": the VPA now evicts pods to apply its recommendations"
            : oevict && !nevict ? ": the VPA no longer evicts pods"
                                : "");
    }
    if (nvpa && ovpa) {
        struct list b = {0};
        if (o->vpa.min_cpu.v != n->vpa.min_cpu.v)
            list_add(&b, glc_sprintf(a, "min cpu %s → %s", glc_fmt_cpu(a, o->vpa.min_cpu.v),
                                     glc_fmt_cpu(a, n->vpa.min_cpu.v)));
        if (o->vpa.max_cpu.v != n->vpa.max_cpu.v)
            list_add(&b, glc_sprintf(a, "max cpu %s → %s", glc_fmt_cpu(a, o->vpa.max_cpu.v),
                                     glc_fmt_cpu(a, n->vpa.max_cpu.v)));
        if (o->vpa.min_mem.v != n->vpa.min_mem.v)
            list_add(&b, glc_sprintf(a, "min memory %s → %s", glc_fmt_bytes(a, o->vpa.min_mem.v),
                                     glc_fmt_bytes(a, n->vpa.min_mem.v)));
        if (o->vpa.max_mem.v != n->vpa.max_mem.v)
            list_add(&b, glc_sprintf(a, "max memory %s → %s", glc_fmt_bytes(a, o->vpa.max_mem.v),
                                     glc_fmt_bytes(a, n->vpa.max_mem.v)));
        if (b.n)
            add(im, GLC_IMPACT_SAFE, vp, n->vpa.at, "VPA bounds: %s", list_str(a, &b, ", "));
    }
}

/* --- resources --- */

static const char *qty(struct glc_arena *a, const glc_qty *q, bool cpu)
{
    if (q->text)
        return q->text;
    return cpu ? glc_k8s_cpu(a, q->v) : glc_k8s_bytes(a, q->v);
}

static void impact_resources(struct impacts *im, const struct glc_k8s *o, const struct glc_k8s *n)
{
    struct glc_arena *a = im->ncx->arena;
    int64_t po = im->ocx->capacity.pods_per_node, pn = im->ncx->capacity.pods_per_node;
    const char *ppn = "";
    if (po > 0 && pn > 0 && str_eq(o->cluster.instance_type.v, n->cluster.instance_type.v))
        ppn = po == pn
                  ? glc_sprintf(a, " (still %lld pod%s per node)", (long long)pn, pl(pn))
                  : glc_sprintf(a, ": %lld pod%s per node (was %lld)", (long long)pn, pl(pn), (long long)po);
    static const struct {
        const char *what, *path;
        size_t off;
        bool cpu, request;
    } rs[] = {
        {"cpu request", "kubernetes.resources.requests.cpu", offsetof(struct glc_k8s, resources.req_cpu),
         true, true},
        {"memory request", "kubernetes.resources.requests.memory",
         offsetof(struct glc_k8s, resources.req_mem), false, true},
        {"cpu limit", "kubernetes.resources.limits.cpu", offsetof(struct glc_k8s, resources.lim_cpu), true,
         false},
        {"memory limit", "kubernetes.resources.limits.memory", offsetof(struct glc_k8s, resources.lim_mem),
         false, false},
    };
    for (size_t i = 0; i < 4; i++) {
        const glc_qty *oq = (const glc_qty *)((const char *)o + rs[i].off);
        const glc_qty *nq = (const glc_qty *)((const char *)n + rs[i].off);
        if (oq->v == nq->v)
            continue;
        bool up = nq->v > oq->v;
        const char *tail;
        enum glc_impact_class cls;
        if (rs[i].request) {
            cls = up ? GLC_IMPACT_RISKY : GLC_IMPACT_SAFE;
            tail = ppn;
        } else {
            cls = up ? GLC_IMPACT_SAFE : GLC_IMPACT_RISKY;
            tail = up ? "" : rs[i].cpu ? ": pods are throttled sooner" : ": pods are OOM-killed sooner";
        }
        add(im, cls, rs[i].path, nq->at, "%s %s → %s%s", rs[i].what, qty(a, oq, rs[i].cpu),
            qty(a, nq, rs[i].cpu), tail);
    }
}

/* --- probes --- */

static void impact_probe(struct impacts *im, const struct glc_probe *o, const struct glc_probe *n,
                         bool has_startup)
{
    struct glc_arena *a = im->ncx->arena;
    const char *base = glc_sprintf(a, "kubernetes.health_checks.%s", n->kind);
    if (o->present != n->present) {
        add(im, n->present ? GLC_IMPACT_SAFE : GLC_IMPACT_RISKY, base, n->at, "%s probe %s", n->kind,
            n->present ? "added" : "removed");
        return;
    }
    if (!str_eq(o->path.v, n->path.v) || o->port.v != n->port.v)
        add(im, GLC_IMPACT_RISKY,
            glc_sprintf(a, "%s.%s", base, str_eq(o->path.v, n->path.v) ? "port" : "path"),
            str_eq(o->path.v, n->path.v) ? n->port.at : n->path.at,
            "%s probe now checks %s on port %lld (was %s on %lld)", n->kind, n->path.v, (long long)n->port.v,
            o->path.v, (long long)o->port.v);
    struct list ch = {0};
    const char *fpath = NULL;
    struct glc_loc fat = n->at;
#define FIELD(f, key)                                                                                        \
    do {                                                                                                     \
        if (o->f.v != n->f.v) {                                                                              \
            list_add(&ch, glc_sprintf(a, "%s %lld → %lld", key, (long long)o->f.v, (long long)n->f.v));      \
            if (!fpath) {                                                                                    \
                fpath = glc_sprintf(a, "%s.%s", base, key);                                                  \
                fat = n->f.at;                                                                               \
            }                                                                                                \
        }                                                                                                    \
    } while (0)
    FIELD(initial_delay, "initial_delay");
    FIELD(period, "period");
    FIELD(timeout, "timeout");
    FIELD(failure_threshold, "failure_threshold");
    FIELD(success_threshold, "success_threshold");
#undef FIELD
    if (!ch.n)
        return;
    const char *fields = list_str(a, &ch, ", ");
    int64_t wo = o->period.v * o->failure_threshold.v, wn = n->period.v * n->failure_threshold.v;
    if (!strcmp(n->kind, "liveness")) {
        bool stricter = wn < wo || n->timeout.v < o->timeout.v ||
                        (!has_startup && n->initial_delay.v < o->initial_delay.v);
        add(im, stricter ? GLC_IMPACT_RISKY : GLC_IMPACT_SAFE, fpath, fat,
            "liveness probe %s(%s): a pod is restarted after %lld s of failed checks (was %lld s)",
            stricter ? "stricter " : "", fields, (long long)wn, (long long)wo);
    } else if (!strcmp(n->kind, "readiness")) {
        add(im, GLC_IMPACT_SAFE, fpath, fat,
            "readiness probe (%s): a failing pod leaves the load balancer after %lld s (was %lld s)", fields,
            (long long)wn, (long long)wo);
    } else {
        int64_t bo = o->initial_delay.v + wo, bn = n->initial_delay.v + wn;
        add(im, bn < bo ? GLC_IMPACT_RISKY : GLC_IMPACT_SAFE, fpath, fat,
            "startup probe (%s): a pod has %lld s to start (was %lld s)", fields, (long long)bn,
            (long long)bo);
    }
}

static bool has_name(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], s))
            return true;
    return false;
}

static void impact_health(struct impacts *im, const struct glc_k8s *o, const struct glc_k8s *n)
{
    impact_probe(im, &o->liveness, &n->liveness, n->startup.present);
    impact_probe(im, &o->readiness, &n->readiness, n->startup.present);
    impact_probe(im, &o->startup, &n->startup, n->startup.present);
    const char *dp = "kubernetes.health_checks.readiness.dependencies";
    for (size_t i = 0; i < n->readiness_deps.n; i++)
        if (!has_name(o->readiness_deps.names, o->readiness_deps.n, n->readiness_deps.names[i]))
            add(im, GLC_IMPACT_RISKY, dp, n->readiness_deps.at[i],
                "readiness now depends on %s: every pod goes unready while it is down",
                n->readiness_deps.names[i]);
    for (size_t i = 0; i < o->readiness_deps.n; i++)
        if (!has_name(n->readiness_deps.names, n->readiness_deps.n, o->readiness_deps.names[i]))
            add(im, GLC_IMPACT_SAFE, dp, n->readiness_deps.list_at, "readiness no longer depends on %s",
                o->readiness_deps.names[i]);
}

/* --- load balancer --- */

static void impact_lb(struct impacts *im, const struct glc_k8s *o, const struct glc_k8s *n)
{
    const char *p = "kubernetes.load_balancer";
    struct glc_arena *a = im->ncx->arena;
    if (!str_eq(o->lb.type.v, n->lb.type.v))
        add(im, GLC_IMPACT_BREAKING, glc_sprintf(a, "%s.type", p), n->lb.type.at,
            "load balancer type %s → %s: Terraform replaces the load balancer (a new DNS name)", o->lb.type.v,
            n->lb.type.v);
    if (!str_eq(o->lb.scheme.v, n->lb.scheme.v))
        add(im, GLC_IMPACT_BREAKING, glc_sprintf(a, "%s.scheme", p), n->lb.scheme.at,
            "load balancer scheme %s → %s: Terraform replaces the NLB (a new DNS name)", o->lb.scheme.v,
            n->lb.scheme.v);
    if (o->lb.cross_zone.v != n->lb.cross_zone.v)
        add(im, n->lb.cross_zone.v ? GLC_IMPACT_SAFE : GLC_IMPACT_RISKY, glc_sprintf(a, "%s.cross_zone", p),
            n->lb.cross_zone.at, "cross-zone load balancing %s",
            n->lb.cross_zone.v ? "on: every NLB node spreads traffic over all zones' pods"
                               : "off: each zone's NLB node sends traffic only to its own zone's pods");
    if (o->lb.deregistration_delay.v != n->lb.deregistration_delay.v) {
        bool lower = n->lb.deregistration_delay.v < o->lb.deregistration_delay.v;
        add(im, lower ? GLC_IMPACT_RISKY : GLC_IMPACT_SAFE, glc_sprintf(a, "%s.deregistration_delay", p),
            n->lb.deregistration_delay.at, "deregistration delay %lld → %lld s: %s",
            (long long)o->lb.deregistration_delay.v, (long long)n->lb.deregistration_delay.v,
            lower ? "connections to a stopping pod are cut sooner"
                  : "stopping pods keep their connections longer");
    }
    if (!str_eq(o->lb.session_affinity.v, n->lb.session_affinity.v))
        add(im, GLC_IMPACT_RISKY, glc_sprintf(a, "%s.session_affinity", p), n->lb.session_affinity.at,
            "session affinity %s → %s: clients may land on other pods", o->lb.session_affinity.v,
            n->lb.session_affinity.v);
    struct list hc = {0};
    if (!str_eq(o->lb.health_check_path.v, n->lb.health_check_path.v))
        list_add(&hc, glc_sprintf(a, "path %s → %s", o->lb.health_check_path.v, n->lb.health_check_path.v));
    if (o->lb.health_check_interval.v != n->lb.health_check_interval.v)
        list_add(&hc, glc_sprintf(a, "interval %lld → %lld s", (long long)o->lb.health_check_interval.v,
                                  (long long)n->lb.health_check_interval.v));
    if (o->lb.healthy_threshold.v != n->lb.healthy_threshold.v)
        list_add(&hc, glc_sprintf(a, "healthy_threshold %lld → %lld", (long long)o->lb.healthy_threshold.v,
                                  (long long)n->lb.healthy_threshold.v));
    if (o->lb.unhealthy_threshold.v != n->lb.unhealthy_threshold.v)
        list_add(&hc,
                 glc_sprintf(a, "unhealthy_threshold %lld → %lld", (long long)o->lb.unhealthy_threshold.v,
                             (long long)n->lb.unhealthy_threshold.v));
    if (hc.n)
        add(im, GLC_IMPACT_SAFE, p, n->lb.at, "NLB health check: %s", list_str(a, &hc, ", "));
}

/* --- breakers and alerting --- */

struct bref {
    const char *name;
    size_t idx;
};

static int by_bname(const void *a, const void *b)
{
    return strcmp(((const struct bref *)a)->name, ((const struct bref *)b)->name);
}

static struct bref *bsorted(const struct glc_resilience *r)
{
    struct bref *v = calloc(r->nbreakers + 1, sizeof *v);
    if (!v)
        abort();
    for (size_t i = 0; i < r->nbreakers; i++)
        v[i] = (struct bref){r->breakers[i].name, i};
    qsort(v, r->nbreakers, sizeof *v, by_bname);
    return v;
}

static const struct glc_breaker *bfind(const struct glc_resilience *r, const struct bref *sorted,
                                       const char *name)
{
    struct bref key = {name, 0};
    const struct bref *f = bsearch(&key, sorted, r->nbreakers, sizeof *sorted, by_bname);
    return f ? &r->breakers[f->idx] : NULL;
}

static void impact_breaker(struct impacts *im, const struct glc_breaker *o, const struct glc_breaker *n)
{
    struct glc_arena *a = im->ncx->arena;
    const char *p = glc_sprintf(a, "circuit_breaker.services.%s", n->name);
    int64_t ov = o->failure_threshold.v, nv = n->failure_threshold.v;
    if (ov != nv)
        add(im, nv < ov ? GLC_IMPACT_RISKY : GLC_IMPACT_SAFE, glc_sprintf(a, "%s.failure_threshold", p),
            n->failure_threshold.at, "%s breaker opens %s (failure_threshold %lld → %lld)", n->name,
            nv < ov ? "sooner" : "later", (long long)ov, (long long)nv);
    ov = o->recovery_timeout.v, nv = n->recovery_timeout.v;
    if (ov != nv)
        add(im, nv > ov ? GLC_IMPACT_RISKY : GLC_IMPACT_SAFE, glc_sprintf(a, "%s.recovery_timeout", p),
            n->recovery_timeout.at, "%s breaker %s (recovery_timeout %lld → %lld s)", n->name,
            nv > ov ? "stays open longer" : "retries sooner", (long long)ov, (long long)nv);
    ov = o->half_open_max_calls.v, nv = n->half_open_max_calls.v;
    if (ov != nv)
        add(im, GLC_IMPACT_SAFE, glc_sprintf(a, "%s.half_open_max_calls", p), n->half_open_max_calls.at,
            "%s breaker allows %lld trial call%s when half-open (was %lld)", n->name, (long long)nv, pl(nv),
            (long long)ov);
    ov = o->success_threshold.v, nv = n->success_threshold.v;
    if (ov != nv)
        add(im, GLC_IMPACT_SAFE, glc_sprintf(a, "%s.success_threshold", p), n->success_threshold.at,
            "%s breaker closes after %lld success%s (was %lld)", n->name, (long long)nv, nv == 1 ? "" : "es",
            (long long)ov);
    if (o->check.v != n->check.v) {
        static const char *const kinds[] = {"none", "postgres", "redis", "kafka"};
        add(im, GLC_IMPACT_RISKY, glc_sprintf(a, "%s.check", p), n->check.at,
            "%s breaker's health check %s → %s", n->name, kinds[o->check.v], kinds[n->check.v]);
    }
}

static void impact_resilience(struct impacts *im, const struct glc_resilience *o,
                              const struct glc_resilience *n, const struct glc_k8s *nk)
{
    struct glc_arena *a = im->ncx->arena;
    if (o->enabled.v != n->enabled.v)
        add(im, n->enabled.v ? GLC_IMPACT_SAFE : GLC_IMPACT_RISKY, "circuit_breaker.enabled", n->enabled.at,
            "circuit breakers %s",
            n->enabled.v ? "enabled" : "disabled: failing dependencies are called without a breaker");
    struct bref *os = bsorted(o), *ns = bsorted(n);
    for (size_t i = 0; i < n->nbreakers; i++) {
        const struct glc_breaker *nb = &n->breakers[i], *ob = bfind(o, os, nb->name);
        if (ob)
            impact_breaker(im, ob, nb);
        else
            add(im, GLC_IMPACT_SAFE, glc_sprintf(a, "circuit_breaker.services.%s", nb->name), nb->at,
                "breaker %s added", nb->name);
    }
    for (size_t i = 0; i < o->nbreakers; i++) {
        const char *name = o->breakers[i].name;
        if (bfind(n, ns, name))
            continue;
        bool dep = nk && has_name(nk->readiness_deps.names, nk->readiness_deps.n, name);
        add(im, dep ? GLC_IMPACT_BREAKING : GLC_IMPACT_RISKY,
            glc_sprintf(a, "circuit_breaker.services.%s", name), n->services_at, "breaker %s removed%s", name,
            dep ? ", but readiness still depends on it" : ": calls to it are no longer protected");
    }
    free(os);
    free(ns);
    const char *mp = "circuit_breaker.monitoring";
    for (size_t i = 0; i < o->monitoring.nchannels; i++)
        if (!has_name(n->monitoring.channels, n->monitoring.nchannels, o->monitoring.channels[i]))
            add(im, GLC_IMPACT_RISKY, glc_sprintf(a, "%s.alert_channels", mp), n->monitoring.channels_at,
                "alerts to %s removed", o->monitoring.channels[i]);
    for (size_t i = 0; i < n->monitoring.nchannels; i++)
        if (!has_name(o->monitoring.channels, o->monitoring.nchannels, n->monitoring.channels[i]))
            add(im, GLC_IMPACT_SAFE, glc_sprintf(a, "%s.alert_channels", mp), n->monitoring.channel_at[i],
                "alerts to %s added", n->monitoring.channels[i]);
    if (o->monitoring.alert_on_open.v != n->monitoring.alert_on_open.v)
        add(im, n->monitoring.alert_on_open.v ? GLC_IMPACT_SAFE : GLC_IMPACT_RISKY,
            glc_sprintf(a, "%s.alert_on_open", mp), n->monitoring.alert_on_open.at, "%s",
            n->monitoring.alert_on_open.v ? "alerts when a breaker opens" : "no alert when a breaker opens");
    if (o->monitoring.alert_on_close.v != n->monitoring.alert_on_close.v)
        add(im, GLC_IMPACT_SAFE, glc_sprintf(a, "%s.alert_on_close", mp), n->monitoring.alert_on_close.at,
            "%s",
            n->monitoring.alert_on_close.v ? "alerts when a breaker closes"
                                           : "no alert when a breaker closes");
    if (o->monitoring.track_state_changes.v != n->monitoring.track_state_changes.v)
        add(im, n->monitoring.track_state_changes.v ? GLC_IMPACT_SAFE : GLC_IMPACT_RISKY,
            glc_sprintf(a, "%s.track_state_changes", mp), n->monitoring.track_state_changes.at, "%s",
            n->monitoring.track_state_changes.v ? "breaker state changes are recorded in PostgreSQL"
                                                : "breaker state changes are no longer recorded");
}

static int by_class(const void *a, const void *b)
{
    const struct glc_impact *x = a, *y = b;
    if (x->cls != y->cls)
        return x->cls > y->cls ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

size_t glc_diff_impact(struct glc_ctx *old, struct glc_ctx *new, struct glc_impact **out)
{
    struct impacts im = {.ocx = old, .ncx = new};
    const struct glc_model *o = &old->model, *n = &new->model;
    if (o->k8s && n->k8s) {
        impact_identity(&im, o->k8s, n->k8s);
        impact_zones(&im, o->k8s, n->k8s);
        impact_template(&im, o->k8s, n->k8s);
        impact_autoscaling(&im, o->k8s, n->k8s);
        impact_resources(&im, o->k8s, n->k8s);
        impact_health(&im, o->k8s, n->k8s);
        impact_lb(&im, o->k8s, n->k8s);
    }
    if (o->res && n->res)
        impact_resilience(&im, o->res, n->res, n->k8s);
    /* breaking first, then risky, then safe; computation order within a class.
     * qsort is not stable: tag the order first. */
    for (size_t i = 0; i < im.n; i++)
        im.v[i].seq = (uint32_t)i;
    if (im.n > 1)
        qsort(im.v, im.n, sizeof *im.v, by_class);
    *out = im.v;
    return im.n;
}

/* ================================================================ outputs */

struct outdiff {
    const char *path;
    const char *status; /* "modified" | "added" | "removed" */
    struct glc_buf diff;
};

struct report {
    struct run *r;
    struct findings of, nf;
    struct glc_impact *imp;
    size_t nimp;
    struct outdiff *out;
    size_t nout;
    const char *notes[6];
    int nnotes;
    int count[3]; /* by enum glc_impact_class */
    int introduced, resolved, introduced_errors;
};

static void out_add(struct report *rp, size_t *cap, const char *path, const char *status,
                    const struct glc_output *a, const struct glc_output *b)
{
    struct glc_ctx *cx = rp->r->new.cx;
    struct outdiff d = {path, status, {0}};
    const char *la = a ? glc_sprintf(cx->arena, "a/%s", path) : "/dev/null";
    const char *lb = b ? glc_sprintf(cx->arena, "b/%s", path) : "/dev/null";
    if (!glc_udiff(a ? a->data : "", a ? a->len : 0, b ? b->data : "", b ? b->len : 0, la, lb, 3, &d.diff) &&
        a && b)
        return; /* identical */
    if (rp->nout == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        rp->out = realloc(rp->out, *cap * sizeof *rp->out);
        if (!rp->out)
            abort();
    }
    rp->out[rp->nout++] = d;
}

/* Render both sides in memory and diff every file by path (both sets are
 * sorted by path). Returns 0, or 2 after a template error. */
static int diff_outputs(struct report *rp)
{
    struct glc_outset a = {0}, b = {0};
    /* Generated headers name the inputs ("from kubernetes_config.yaml"): render
     * the old side under its plain path, not REV:path, or every file differs. */
    struct glc_ctx *ocx = rp->r->old.cx;
    const char **names = calloc(ocx->nfiles + 1, sizeof *names);
    if (!names)
        abort();
    size_t bl = strlen(rp->r->base);
    for (size_t i = 0; i < ocx->nfiles; i++) {
        names[i] = ocx->files[i].path;
        if (rp->r->base_commit && !strncmp(names[i], rp->r->base, bl) && names[i][bl] == ':')
            ocx->files[i].path = names[i] + bl + 1;
    }
    int rc = glc_render_all(ocx, NULL, &a);
    for (size_t i = 0; i < ocx->nfiles; i++)
        ocx->files[i].path = names[i];
    free(names);
    if (rc != 0 || glc_render_all(rp->r->new.cx, NULL, &b) != 0) {
        glc_outset_free(&a);
        glc_outset_free(&b);
        return 2;
    }
    size_t cap = 0;
    for (size_t i = 0, j = 0; i < a.n || j < b.n;) {
        int c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.v[i].path, b.v[j].path);
        if (c == 0) {
            out_add(rp, &cap, b.v[j].path, "modified", &a.v[i], &b.v[j]);
            i++;
            j++;
        } else if (c < 0) {
            out_add(rp, &cap, a.v[i].path, "removed", &a.v[i], NULL);
            i++;
        } else {
            out_add(rp, &cap, b.v[j].path, "added", NULL, &b.v[j]);
            j++;
        }
    }
    glc_outset_free(&a);
    glc_outset_free(&b);
    return 0;
}

/* ================================================================ rendering */

static const char *loc_file(struct glc_ctx *cx, struct glc_loc at)
{
    return at.file < cx->nfiles ? cx->files[at.file].path : NULL;
}

static const char *short_commit(const char *c)
{
    static char s[13];
    snprintf(s, sizeof s, "%.12s", c ? c : "");
    return s;
}

/* ---- text ---- */

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"

static const char *class_color(enum glc_impact_class c)
{
    return c == GLC_IMPACT_BREAKING ? "\033[1;31m" : c == GLC_IMPACT_RISKY ? "\033[1;33m" : "\033[1;32m";
}

static const char *sev_color(enum glc_severity s)
{
    return s == GLC_ERROR ? "\033[1;31m" : s == GLC_WARNING ? "\033[1;35m" : "\033[1;36m";
}

static void text_finding(FILE *out, struct glc_ctx *cx, const struct glc_diag *d, char sign, bool color)
{
    fprintf(out, "  %c %s%s:%s %s%s:%s %s [%s]\n", sign, color ? C_BOLD : "", glc_loc_str(cx, d->at),
            color ? C_RESET : "", color ? sev_color(d->severity) : "", glc_severity_name(d->severity),
            color ? C_RESET : "", d->message, d->code);
}

static void text_diff(FILE *out, const struct glc_buf *d, bool color)
{
    const char *p = d->data, *end = d->data + d->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *c = NULL;
        if (color) {
            if (n >= 3 && (!strncmp(p, "---", 3) || !strncmp(p, "+++", 3)))
                c = C_BOLD;
            else if (n >= 2 && !strncmp(p, "@@", 2))
                c = "\033[36m";
            else if (*p == '+')
                c = "\033[32m";
            else if (*p == '-')
                c = "\033[31m";
        }
        fprintf(out, "%s%.*s%s\n", c ? c : "", (int)n, p, c ? C_RESET : "");
        p += n + 1;
    }
}

static void render_text(struct report *rp, FILE *out, bool color)
{
    struct run *r = rp->r;
    const char *b = color ? C_BOLD : "", *z = color ? C_RESET : "";
    if (r->base_commit)
        fprintf(out, "%sglc diff%s %s (%s) → %s\n", b, z, r->base, short_commit(r->base_commit), r->head);
    else
        fprintf(out, "%sglc diff%s %s → %s\n", b, z, r->base, r->head);
    for (int i = 0; i < rp->nnotes; i++)
        fprintf(out, "note: %s\n", rp->notes[i]);
    if (rp->introduced || rp->resolved) {
        fprintf(out, "\n%sFindings%s\n", b, z);
        for (size_t i = 0; i < rp->nf.n; i++)
            if (!rp->nf.v[i].matched)
                text_finding(out, r->new.cx, rp->nf.v[i].d, '+', color);
        for (size_t i = 0; i < rp->of.n; i++)
            if (!rp->of.v[i].matched)
                text_finding(out, r->old.cx, rp->of.v[i].d, '-', color);
    }
    if (rp->nimp) {
        fprintf(out, "\n%sImpact%s\n", b, z);
        for (size_t i = 0; i < rp->nimp; i++) {
            const struct glc_impact *m = &rp->imp[i];
            const char *f = loc_file(r->new.cx, m->at);
            fprintf(out, "  %s%-8s%s  %s", color ? class_color(m->cls) : "", class_names[m->cls], z,
                    m->message);
            if (f && m->at.line)
                fprintf(out, "  %s(%s:%u)%s", color ? "\033[2m" : "", f, m->at.line, z);
            fputc('\n', out);
        }
    }
    if (rp->nout) {
        fprintf(out, "\n%sOutput%s (%zu generated file%s change%s)\n", b, z, rp->nout,
                rp->nout == 1 ? "" : "s", rp->nout == 1 ? "s" : "");
        for (size_t i = 0; i < rp->nout; i++)
            text_diff(out, &rp->out[i].diff, color);
    }
    if (!rp->introduced && !rp->resolved && !rp->nimp && !rp->nout) {
        fprintf(
            out,
            "\nglc: no change: no finding introduced or resolved, no impact, generated output identical\n");
        return;
    }
    fprintf(
        out,
        "\nglc: %d breaking, %d risky, %d safe; %d finding%s introduced, %d resolved; %zu generated file%s "
        "change%s\n",
        rp->count[GLC_IMPACT_BREAKING], rp->count[GLC_IMPACT_RISKY], rp->count[GLC_IMPACT_SAFE],
        rp->introduced, rp->introduced == 1 ? "" : "s", rp->resolved, rp->nout, rp->nout == 1 ? "" : "s",
        rp->nout == 1 ? "s" : "");
}

/* ---- JSON (schema/diff.schema.json) ---- */

static json_t *finding_json(struct glc_ctx *cx, const struct finding *f)
{
    if (f->json)
        return json_incref(f->json);
    /* the entry shape of glc check --format json, should diag.c list differ */
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(f->d->code));
    json_object_set_new(o, "severity", json_string(glc_severity_name(f->d->severity)));
    json_object_set_new(o, "message", json_string(f->d->message));
    const char *file = loc_file(cx, f->d->at);
    json_object_set_new(o, "file", json_string(file ? file : ""));
    json_object_set_new(o, "line", json_integer(f->d->at.line));
    json_object_set_new(o, "column", json_integer(f->d->at.col));
    if (f->d->path)
        json_object_set_new(o, "path", json_string(f->d->path));
    return o;
}

static json_t *report_json(struct report *rp)
{
    struct run *r = rp->r;
    json_t *root = json_object();
    json_object_set_new(root, "base", json_string(r->base));
    json_object_set_new(root, "base_commit", r->base_commit ? json_string(r->base_commit) : json_null());
    json_object_set_new(root, "head", json_string(r->head));
    json_t *intro = json_array(), *res = json_array();
    for (size_t i = 0; i < rp->nf.n; i++)
        if (!rp->nf.v[i].matched)
            json_array_append_new(intro, finding_json(r->new.cx, &rp->nf.v[i]));
    for (size_t i = 0; i < rp->of.n; i++)
        if (!rp->of.v[i].matched)
            json_array_append_new(res, finding_json(r->old.cx, &rp->of.v[i]));
    json_object_set_new(root, "diagnostics", json_pack("{s:o,s:o}", "introduced", intro, "resolved", res));
    json_t *imp = json_array();
    for (size_t i = 0; i < rp->nimp; i++) {
        const struct glc_impact *m = &rp->imp[i];
        const char *f = loc_file(r->new.cx, m->at);
        json_t *o = json_object();
        json_object_set_new(o, "class", json_string(class_names[m->cls]));
        json_object_set_new(o, "message", json_string(m->message));
        json_object_set_new(o, "path", m->path ? json_string(m->path) : json_null());
        json_object_set_new(o, "file", f ? json_string(f) : json_null());
        json_object_set_new(o, "line", f && m->at.line ? json_integer(m->at.line) : json_null());
        json_object_set_new(o, "column", f && m->at.line ? json_integer(m->at.col) : json_null());
        json_array_append_new(imp, o);
    }
    json_object_set_new(root, "impact", imp);
    json_t *outs = json_array();
    for (size_t i = 0; i < rp->nout; i++)
        json_array_append_new(
            outs, json_pack("{s:s,s:s,s:s%}", "path", rp->out[i].path, "status", rp->out[i].status, "diff",
                            rp->out[i].diff.data ? rp->out[i].diff.data : "", rp->out[i].diff.len));
    json_object_set_new(root, "outputs", outs);
    json_t *notes = json_array();
    for (int i = 0; i < rp->nnotes; i++)
        json_array_append_new(notes, json_string(rp->notes[i]));
    json_object_set_new(root, "notes", notes);
    json_object_set_new(root, "summary",
                        json_pack("{s:i,s:i,s:i,s:i,s:i,s:i}", "breaking", rp->count[GLC_IMPACT_BREAKING],
                                  "risky", rp->count[GLC_IMPACT_RISKY], "safe", rp->count[GLC_IMPACT_SAFE],
                                  "introduced", rp->introduced, "resolved", rp->resolved, "outputs_changed",
                                  (int)rp->nout));
    return root;
}

/* ---- markdown (a pull-request comment) ---- */

/* GitHub comments stop at 65536 characters: the lists are cut (breaking lines
 * come first), and the output diff gets what is left of MD_BUDGET. */
#define MD_BUDGET 60000
#define MD_MAX_IMPACT 100
#define MD_MAX_FINDINGS 50

static void md_text(struct glc_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': glc_buf_puts(b, "&amp;"); break;
        case '<': glc_buf_puts(b, "&lt;"); break;
        case '>': glc_buf_puts(b, "&gt;"); break;
        case '\n':
        case '\r': glc_buf_putc(b, ' '); break;
        case '\\':
        case '`':
        case '*':
        case '_':
        case '[':
        case ']':
        case '|':
        case '#':
        case '~':
        case '!':
            glc_buf_putc(b, '\\');
            glc_buf_putc(b, *s);
            break;
        default: glc_buf_putc(b, *s);
        }
    }
}

/* A code span, or escaped text when s holds a backtick or a newline. */
static void md_code(struct glc_buf *b, const char *s)
{
    if (strpbrk(s, "`\n\r|")) {
        md_text(b, s);
        return;
    }
    glc_buf_printf(b, "`%s`", s);
}

static const char *const emoji[] = {"🟢", "🟠", "🔴"};

static void md_finding(struct glc_buf *b, struct glc_ctx *cx, const struct glc_diag *d)
{
    glc_buf_printf(b, "- **%s** %s ", glc_severity_name(d->severity), d->code);
    const char *f = loc_file(cx, d->at);
    if (f)
        md_code(b, glc_sprintf(cx->arena, "%s:%u", f, d->at.line));
    glc_buf_puts(b, " — ");
    md_text(b, d->message);
    glc_buf_putc(b, '\n');
}

static size_t longest_run(const char *s, size_t n, char c)
{
    size_t best = 0, cur = 0;
    for (size_t i = 0; i < n; i++) {
        cur = s[i] == c ? cur + 1 : 0;
        best = cur > best ? cur : best;
    }
    return best;
}

static void render_markdown(struct report *rp, struct glc_buf *b)
{
    struct run *r = rp->r;
    glc_buf_puts(b, "### glc diff: ");
    md_code(b, r->base);
    if (r->base_commit)
        glc_buf_printf(b, " (%s)", short_commit(r->base_commit));
    glc_buf_puts(b, " → ");
    md_text(b, r->head);
    glc_buf_puts(b, "\n\n");
    glc_buf_puts(b, "| change | count |\n|---|---:|\n");
    for (int c = GLC_IMPACT_BREAKING; c >= GLC_IMPACT_SAFE; c--)
        glc_buf_printf(b, "| %s %s | %d |\n", emoji[c], class_names[c], rp->count[c]);
    glc_buf_printf(
        b, "| findings introduced | %d |\n| findings resolved | %d |\n| generated files changed | %zu |\n\n",
        rp->introduced, rp->resolved, rp->nout);
    for (int i = 0; i < rp->nnotes; i++) {
        glc_buf_puts(b, "> ");
        md_text(b, rp->notes[i]);
        glc_buf_puts(b, "\n\n");
    }
    if (!rp->introduced && !rp->resolved && !rp->nimp && !rp->nout)
        glc_buf_puts(
            b, "No change: no finding introduced or resolved, no impact, generated output identical.\n");
    if (rp->nimp) {
        glc_buf_puts(b, "#### Impact\n\n");
        for (size_t i = 0; i < rp->nimp; i++) {
            const struct glc_impact *m = &rp->imp[i];
            if (i == MD_MAX_IMPACT) {
                glc_buf_printf(b, "- … and %zu more (`glc diff --format json` lists all)\n", rp->nimp - i);
                break;
            }
            glc_buf_printf(b, "- %s **%s** — ", emoji[m->cls], class_names[m->cls]);
            md_text(b, m->message);
            const char *f = loc_file(r->new.cx, m->at);
            if (m->path || f) {
                glc_buf_puts(b, " (");
                if (m->path)
                    md_code(b, m->path);
                if (f && m->at.line) {
                    glc_buf_puts(b, m->path ? ", " : "");
                    md_code(b, glc_sprintf(r->new.cx->arena, "%s:%u", f, m->at.line));
                }
                glc_buf_putc(b, ')');
            }
            glc_buf_putc(b, '\n');
        }
        glc_buf_putc(b, '\n');
    }
    for (int side = 0; side < 2; side++) {
        const struct findings *fs = side ? &rp->of : &rp->nf;
        int total = side ? rp->resolved : rp->introduced, shown = 0;
        if (!total)
            continue;
        glc_buf_printf(b, "#### Findings %s (%d)\n\n", side ? "resolved" : "introduced", total);
        for (size_t i = 0; i < fs->n; i++) {
            if (fs->v[i].matched)
                continue;
            if (shown++ == MD_MAX_FINDINGS) {
                glc_buf_printf(b, "- … and %d more (`glc diff --format json` lists all)\n",
                               total - MD_MAX_FINDINGS);
                break;
            }
            md_finding(b, side ? r->old.cx : r->new.cx, fs->v[i].d);
        }
        glc_buf_putc(b, '\n');
    }
    if (rp->nout) {
        glc_buf_printf(b, "<details><summary>Generated output: %zu file%s changed</summary>\n\n", rp->nout,
                       rp->nout == 1 ? "" : "s");
        size_t used = b->len, shown = 0;
        for (size_t i = 0; i < rp->nout; i++) {
            const struct outdiff *d = &rp->out[i];
            if (used + d->diff.len + 2 * strlen(d->path) + 64 > MD_BUDGET)
                break;
            size_t fence = longest_run(d->diff.data, d->diff.len, '`') + 1;
            fence = fence < 3 ? 3 : fence;
            md_code(b, d->path);
            glc_buf_printf(b, " (%s)\n\n", d->status);
            for (size_t k = 0; k < fence; k++)
                glc_buf_putc(b, '`');
            glc_buf_puts(b, "diff\n");
            glc_buf_put(b, d->diff.data, d->diff.len);
            if (d->diff.len && d->diff.data[d->diff.len - 1] != '\n')
                glc_buf_putc(b, '\n');
            for (size_t k = 0; k < fence; k++)
                glc_buf_putc(b, '`');
            glc_buf_puts(b, "\n\n");
            used += d->diff.len + 2 * strlen(d->path) + 64;
            shown++;
        }
        if (shown < rp->nout) {
            glc_buf_printf(b, "… and %zu more file%s not shown (too long for a comment):", rp->nout - shown,
                           rp->nout - shown == 1 ? "" : "s");
            for (size_t i = shown; i < rp->nout; i++) {
                glc_buf_puts(b, i == shown ? " " : ", ");
                md_code(b, rp->out[i].path);
            }
            glc_buf_puts(b, ". Run `glc diff` locally for the full diff.\n\n");
        }
        glc_buf_puts(b, "</details>\n");
    }
}

/* ---- GitHub workflow commands ---- */

#define GH_LIMIT 10 /* GitHub shows at most 10 annotations of each type per step */

static void gh_escape(struct glc_buf *b, const char *s, bool property)
{
    for (; *s; s++) {
        switch (*s) {
        case '%': glc_buf_puts(b, "%25"); break;
        case '\r': glc_buf_puts(b, "%0D"); break;
        case '\n': glc_buf_puts(b, "%0A"); break;
        case ':': glc_buf_puts(b, property ? "%3A" : ":"); break;
        case ',': glc_buf_puts(b, property ? "%2C" : ","); break;
        default: glc_buf_putc(b, *s);
        }
    }
}

struct gh {
    struct glc_buf *b;
    int shown[3], dropped[3]; /* notice, warning, error */
};

static void gh_emit(struct gh *g, int type, const char *file, struct glc_loc at, const char *title,
                    const char *msg)
{
    static const char *const cmds[] = {"notice", "warning", "error"};
    int limit = type == 0 ? GH_LIMIT - 1 : GH_LIMIT; /* one notice is kept for the summary */
    if (g->shown[type] >= limit) {
        g->dropped[type]++;
        return;
    }
    g->shown[type]++;
    glc_buf_printf(g->b, "::%s ", cmds[type]);
    if (file) {
        glc_buf_puts(g->b, "file=");
        gh_escape(g->b, file, true);
        if (at.line) {
            glc_buf_printf(g->b, ",line=%u", at.line);
            if (at.col)
                glc_buf_printf(g->b, ",col=%u", at.col);
        }
        glc_buf_putc(g->b, ',');
    }
    glc_buf_puts(g->b, "title=");
    gh_escape(g->b, title, true);
    glc_buf_puts(g->b, "::");
    gh_escape(g->b, msg, false);
    glc_buf_putc(g->b, '\n');
}

static void render_github(struct report *rp, struct glc_buf *b)
{
    struct run *r = rp->r;
    struct gh g = {.b = b};
    for (size_t i = 0; i < rp->nf.n; i++) {
        const struct finding *f = &rp->nf.v[i];
        if (f->matched)
            continue;
        const struct glc_diag *d = f->d;
        struct glc_buf msg = {0};
        glc_buf_puts(&msg, d->message);
        for (int k = 0; k < d->nnotes; k++)
            glc_buf_printf(&msg, "\nnote: %s", d->notes[k]);
        if (d->help)
            glc_buf_printf(&msg, "\nhelp: %s", d->help);
        gh_emit(&g,
                d->severity == GLC_ERROR     ? 2
                : d->severity == GLC_WARNING ? 1
                                             : 0,
                loc_file(r->new.cx, d->at), d->at, d->code, msg.data);
        glc_buf_free(&msg);
    }
    for (size_t i = 0; i < rp->nimp; i++) {
        const struct glc_impact *m = &rp->imp[i];
        if (m->cls == GLC_IMPACT_SAFE)
            continue;
        gh_emit(&g, m->cls == GLC_IMPACT_BREAKING ? 2 : 1, loc_file(r->new.cx, m->at), m->at,
                m->cls == GLC_IMPACT_BREAKING ? "glc diff: breaking" : "glc diff: risky", m->message);
    }
    struct glc_buf msg = {0};
    glc_buf_printf(&msg,
                   "glc diff %s → %s: %d breaking, %d risky, %d safe; %d finding%s introduced, %d resolved; "
                   "%zu generated file%s change%s",
                   r->base, r->head, rp->count[GLC_IMPACT_BREAKING], rp->count[GLC_IMPACT_RISKY],
                   rp->count[GLC_IMPACT_SAFE], rp->introduced, rp->introduced == 1 ? "" : "s", rp->resolved,
                   rp->nout, rp->nout == 1 ? "" : "s", rp->nout == 1 ? "s" : "");
    int dropped = g.dropped[0] + g.dropped[1] + g.dropped[2];
    if (dropped)
        glc_buf_printf(
            &msg,
            " (%d more annotation%s not shown, GitHub shows %d per type: %d error%s, %d warning%s, "
            "%d notice%s; glc diff --format json lists all)",
            dropped, dropped == 1 ? "" : "s", GH_LIMIT, g.dropped[2], g.dropped[2] == 1 ? "" : "s",
            g.dropped[1], g.dropped[1] == 1 ? "" : "s", g.dropped[0], g.dropped[0] == 1 ? "" : "s");
    glc_buf_puts(b, "::notice title=glc diff::");
    gh_escape(b, msg.data, false);
    glc_buf_putc(b, '\n');
    glc_buf_free(&msg);
}

/* ================================================================ the command */

static int report(struct run *r, FILE *out)
{
    struct report rp = {.r = r};
    glc_diag_finish(r->old.cx);
    glc_diag_finish(r->new.cx);
    collect(r->old.cx, &rp.of);
    collect(r->new.cx, &rp.nf);
    /* when a side stopped before its rules ran, only load and schema findings
     * (GLC001-GLC012) are comparable: the rest are set aside, not "resolved" */
    bool partial = !r->old.modeled || !r->new.modeled;
    for (int side = 0; partial && side < 2; side++) {
        struct findings *fs = side ? &rp.nf : &rp.of;
        for (size_t i = 0; i < fs->n; i++)
            if (strcmp(fs->v[i].d->code, "GLC012") > 0)
                fs->v[i].matched = true;
    }
    match(&rp.of, &rp.nf);
    for (size_t i = 0; i < rp.nf.n; i++)
        if (!rp.nf.v[i].matched) {
            rp.introduced++;
            rp.introduced_errors += rp.nf.v[i].d->severity == GLC_ERROR;
        }
    for (size_t i = 0; i < rp.of.n; i++)
        rp.resolved += !rp.of.v[i].matched;

    int rc = 0;
    struct glc_arena *a = r->new.cx->arena;
    const char *broken = !r->old.modeled && !r->new.modeled ? "neither side's config loads"
                         : !r->new.modeled                  ? "the new config does not load"
                         : !r->old.modeled                  ? "the base config does not load"
                                                            : NULL;
    if (broken) {
        rp.notes[rp.nnotes++] = glc_sprintf(a, "impact not computed: %s (see the findings)", broken);
        rp.notes[rp.nnotes++] = glc_sprintf(a, "output diff skipped: %s", broken);
        rp.notes[rp.nnotes++] =
            "only load and schema findings (GLC001-GLC012) are compared: the rules ran on one "
            "side at most";
    } else {
        rp.nimp = glc_diff_impact(r->old.cx, r->new.cx, &rp.imp);
        const struct glc_model *o = &r->old.cx->model, *n = &r->new.cx->model;
        if (!o->k8s != !n->k8s || !o->res != !n->res)
            rp.notes[rp.nnotes++] = "a config is on one side only: its impact is not computed";
        if (r->new.cx->nerrors || r->old.cx->nerrors)
            rp.notes[rp.nnotes++] = glc_sprintf(a, "output diff skipped: the %s config has errors",
                                                r->new.cx->nerrors ? "new" : "base");
        else
            rc = diff_outputs(&rp);
    }
    for (size_t i = 0; i < rp.nimp; i++)
        rp.count[rp.imp[i].cls]++;

    if (rc == 0) {
        struct glc_buf b = {0};
        switch (r->o->format) {
        case GLC_DIFF_JSON: {
            json_t *j = report_json(&rp);
            char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            glc_buf_puts(&b, s);
            glc_buf_putc(&b, '\n');
            free(s);
            json_decref(j);
            break;
        }
        case GLC_DIFF_MARKDOWN: render_markdown(&rp, &b); break;
        case GLC_DIFF_GITHUB: render_github(&rp, &b); break;
        default: {
            FILE *m = open_memstream(&b.data, &b.len);
            if (m) {
                render_text(&rp, m, r->o->color);
                fclose(m);
                b.cap = b.len;
            }
        }
        }
        if (b.len)
            fwrite(b.data, 1, b.len, out);
        fflush(out);
        glc_buf_free(&b);
        bool fail = rp.introduced_errors || rp.count[GLC_IMPACT_BREAKING] ||
                    (r->o->fail_on == GLC_IMPACT_RISKY && rp.count[GLC_IMPACT_RISKY]);
        rc = fail ? 1 : 0;
    }
    for (size_t i = 0; i < rp.nout; i++)
        glc_buf_free(&rp.out[i].diff);
    free(rp.out);
    free(rp.imp);
    free(rp.of.v);
    free(rp.nf.v);
    json_decref(rp.of.list);
    json_decref(rp.nf.list);
    return rc;
}

int glc_diff(const struct glc_diff_options *o, const char *const *args, int nargs, FILE *out)
{
    struct glc_options copt = {.format = GLC_FMT_JSON};
    struct run r = {.o = o};
    r.old.cx = glc_ctx_new(&copt);
    r.new.cx = glc_ctx_new(&copt);
    r.dir_mode = !o->base && nargs == 2 && is_dir(args[0]) && is_dir(args[1]);
    int rc = r.dir_mode ? load_dirs(&r, args[0], args[1]) : load_git(&r, args, nargs);
    if (rc == 0) {
        r.old.modeled = glc_analyze(r.old.cx);
        r.new.modeled = glc_analyze(r.new.cx);
        rc = report(&r, out);
    }
    glc_ctx_free(r.old.cx);
    glc_ctx_free(r.new.cx);
    return rc;
}
