/*
 * driver.c — the run's context and the front half of the pipeline:
 * find the inputs, load them (load.c), validate them (schema.c), build the
 * model (model.c) and check it (check.c). Later stages start from cx->model.
 */
#include "glc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct glc_ctx *glc_ctx_new(const struct glc_options *opt)
{
    struct glc_ctx *cx = calloc(1, sizeof *cx);
    if (!cx)
        abort();
    cx->arena = glc_arena_new();
    if (opt)
        cx->opt = *opt;
    return cx;
}

void glc_ctx_free(struct glc_ctx *cx)
{
    if (!cx)
        return;
    for (size_t i = 0; i < sizeof cx->schema / sizeof cx->schema[0]; i++)
        json_decref(cx->schema[i]);
    free(cx->files);
    free(cx->diags);
    glc_arena_free(cx->arena);
    free(cx);
}

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* A directory holds kubernetes_config.yaml and resilience_config.yaml,
 * directly or under config/: out[0] and out[1] get their paths (NULL when
 * absent). Returns how many were found. */
int glc_dir_configs(struct glc_ctx *cx, const char *dir, const char *out[2])
{
    static const char *const names[] = {"kubernetes_config.yaml", "resilience_config.yaml"};
    static const char *const subs[] = {"", "config/"};
    int found = 0;
    size_t dl = strlen(dir);
    const char *sep = dl && dir[dl - 1] == '/' ? "" : "/";
    for (size_t n = 0; n < 2; n++) {
        out[n] = NULL;
        for (size_t s = 0; s < 2 && !out[n]; s++) {
            const char *p = glc_sprintf(cx->arena, "%s%s%s%s", dir, sep, subs[s], names[n]);
            if (is_file(p)) {
                out[n] = p;
                found++;
            }
        }
    }
    return found;
}

/* Load what glc_dir_configs finds. Returns how many were loaded, -1 on I/O error. */
static int load_dir(struct glc_ctx *cx, const char *dir)
{
    const char *paths[2];
    int found = glc_dir_configs(cx, dir, paths);
    for (size_t n = 0; n < 2; n++)
        if (paths[n] && glc_load_file(cx, paths[n]) < 0)
            return -1;
    return found;
}

/* Two configs of one kind: keep the first, report the second. */
static void check_kinds(struct glc_ctx *cx)
{
    int first[3] = {-1, -1, -1};
    for (size_t i = 0; i < cx->nfiles; i++) {
        int k = cx->files[i].kind;
        if (k == GLC_CFG_UNKNOWN || !cx->files[i].root)
            continue;
        if (first[k] < 0) {
            first[k] = (int)i;
            continue;
        }
        const struct glc_ynode *r = cx->files[i].root, *r0 = cx->files[first[k]].root;
        struct glc_diag *d = glc_report(cx, "GLC010", r->u.pairs[0].key->at, NULL,
                                        "a second %s config: glc reads one of each kind",
                                        k == GLC_CFG_KUBERNETES ? "kubernetes" : "resilience");
        glc_related(cx, d, r0->u.pairs[0].key->at, "the first one");
        cx->files[i].root = NULL;
    }
}

int glc_front_end(struct glc_ctx *cx, const char *const *args, int nargs)
{
    static const char *const here[] = {"."};
    if (nargs == 0) {
        args = here;
        nargs = 1;
    }
    for (int i = 0; i < nargs; i++) {
        struct stat st;
        if (stat(args[i], &st) != 0) {
            fprintf(stderr, "glc: error: '%s' does not exist\n", args[i]);
            return 2;
        }
        if (S_ISDIR(st.st_mode)) {
            int n = load_dir(cx, args[i]);
            if (n < 0)
                return 2;
            if (n == 0) {
                fprintf(stderr, "glc: error: no kubernetes_config.yaml or resilience_config.yaml in '%s' "
                                "(nor in its config/)\n", args[i]);
                return 2;
            }
        } else if (glc_load_file(cx, args[i]) < 0) {
            return 2;
        }
    }
    glc_analyze(cx);
    return 0;
}

bool glc_analyze(struct glc_ctx *cx)
{
    int errors = 0;
    for (size_t i = 0; i < cx->nfiles; i++)
        errors += glc_schema_validate(cx, (int)i);
    check_kinds(cx);
    if (errors || glc_diag_count(cx, GLC_ERROR))
        return false; /* the model needs valid input; the diagnostics say why */
    glc_model_build(cx);
    glc_check(cx);
    return true;
}
