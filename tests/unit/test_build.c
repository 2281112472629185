/*
 * test_build.c — what glc build produces from a checked model, in-process:
 * the output set when only one config is given, node group sizes without the
 * cluster autoscaler, the rollout strategy as the schema read it, and the
 * counts `glc build --check` reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "glc.h"

#define K8S_HEAD                                                                  \
    "kubernetes:\n"                                                               \
    "  cluster:\n"                                                                \
    "    name: demo\n"                                                            \
    "    region: us-east-1\n"                                                     \
    "    availability_zones: [us-east-1a, us-east-1b, us-east-1c]\n"             \
    "  resources:\n"                                                              \
    "    requests: {cpu: 500m, memory: 1Gi}\n"                                    \
    "    limits: {cpu: \"1\", memory: 2Gi}\n"

#define RES_MIN                                                                   \
    "circuit_breaker:\n"                                                          \
    "  services:\n"                                                               \
    "    database: {recovery_timeout: 10}\n"                                      \
    "    redis: {recovery_timeout: 10}\n"                                         \
    "    kafka: {recovery_timeout: 10}\n"

/* Load the given texts (NULL: not given), validate, build the model and check. */
static struct glc_ctx *analyze(const char *k8s, const char *res)
{
    struct glc_options opt = {0};
    struct glc_ctx *cx = glc_ctx_new(&opt);
    if (k8s)
        assert_true(glc_load_buffer(cx, "kubernetes_config.yaml", k8s, strlen(k8s)) >= 0);
    if (res)
        assert_true(glc_load_buffer(cx, "resilience_config.yaml", res, strlen(res)) >= 0);
    assert_true(glc_analyze(cx));
    glc_diag_finish(cx);
    assert_int_equal(cx->nerrors, 0);
    return cx;
}

static const struct glc_output *find(const struct glc_outset *o, const char *path)
{
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->v[i].path, path))
            return &o->v[i];
    return NULL;
}

/* resilience_config.yaml alone: no Kubernetes manifests or Terraform made of
 * empty values, and a breaker table that compiles. */
static void resilience_only(void **state)
{
    (void)state;
    struct glc_ctx *cx = analyze(NULL, RES_MIN);
    struct glc_outset out = {0};
    assert_int_equal(glc_render_all(cx, NULL, &out), 0);
    for (size_t i = 0; i < out.n; i++) {
        if (!strncmp(out.v[i].path, "kubernetes/", 11) || !strncmp(out.v[i].path, "terraform/", 10))
            fail_msg("%s is produced without a kubernetes config", out.v[i].path);
    }
    const struct glc_output *c = find(&out, "c/glc_breakers.c"), *h = find(&out, "c/glc_breakers.h");
    assert_non_null(c);
    assert_non_null(h);
    assert_non_null(find(&out, "sql/013_add_circuit_breaker_state.sql"));
    assert_null(strstr(c->data, " u,")); /* an empty number before its suffix: not C */
    if (system("command -v cc >/dev/null 2>&1") == 0) {
        char dir[] = "/tmp/glc-test-build-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char p[128], cmd[512];
        FILE *f;
        snprintf(p, sizeof p, "%s/glc_breakers.c", dir);
        assert_non_null(f = fopen(p, "w"));
        fwrite(c->data, 1, c->len, f);
        fclose(f);
        snprintf(p, sizeof p, "%s/glc_breakers.h", dir);
        assert_non_null(f = fopen(p, "w"));
        fwrite(h->data, 1, h->len, f);
        fclose(f);
        snprintf(cmd, sizeof cmd, "cc -std=c99 -pedantic -Wall -Wextra -Werror -c %s/glc_breakers.c -o %s/t.o",
                 dir, dir);
        int rc = system(cmd);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            print_message("could not remove %s\n", dir);
        if (rc != 0)
            fail_msg("glc_breakers.c of a resilience-only build does not compile:\n%s", c->data);
    }
    glc_outset_free(&out);
    glc_ctx_free(cx);
}

/* kubernetes_config.yaml alone still produces everything but the binary. */
static void kubernetes_only(void **state)
{
    (void)state;
    struct glc_ctx *cx = analyze(K8S_HEAD "  deployment:\n    replicas: 3\n", NULL);
    struct glc_outset out = {0};
    assert_int_equal(glc_render_all(cx, NULL, &out), 0);
    assert_non_null(find(&out, "kubernetes/deployment.yaml"));
    assert_non_null(find(&out, "terraform/eks.tf"));
    assert_non_null(find(&out, "c/glc_breakers.c"));
    glc_outset_free(&out);
    glc_ctx_free(cx);
}

/* Without the cluster autoscaler each zone's group holds its own pods; with
 * required host anti-affinity that is one node per pod, whatever the requests. */
static void no_autoscaler_host_required(void **state)
{
    (void)state;
    struct glc_ctx *cx = analyze(K8S_HEAD "  deployment:\n    replicas: 9\n"
                                          "    anti_affinity: {host: required}\n",
                                 NULL);
    json_t *v = glc_view(cx);
    json_t *zones = json_object_get(v, "zones");
    assert_int_equal(json_array_size(zones), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *z = json_array_get(zones, i);
        /* one node per pod: its 3 pods plus 1 of the 3 surge pods (max_surge 3) */
        assert_int_equal(json_integer_value(json_object_get(z, "replicas")), 3);
        assert_int_equal(json_integer_value(json_object_get(z, "min_nodes")), 4);
        assert_int_equal(json_integer_value(json_object_get(z, "max_nodes")), 4);
    }
    json_decref(v);
    glc_ctx_free(cx);

    /* preferred: the pods share nodes (500m of 7910m: 15 a node) */
    cx = analyze(K8S_HEAD "  deployment:\n    replicas: 9\n", NULL);
    v = glc_view(cx);
    json_t *z = json_array_get(json_object_get(v, "zones"), 0);
    assert_int_equal(json_integer_value(json_object_get(z, "max_nodes")), 1);
    json_decref(v);
    glc_ctx_free(cx);
}

/* max_surge / max_unavailable written as YAML 1.2 hex or octal integers are the
 * numbers the schema validated, not 0. */
static void strategy_integer_forms(void **state)
{
    (void)state;
    struct glc_ctx *cx = analyze(K8S_HEAD "  deployment:\n    replicas: 9\n"
                                          "    strategy: {max_surge: 0x2, max_unavailable: 0o1}\n",
                                 NULL);
    assert_int_equal(cx->model.k8s->deployment.max_surge.v, 2);
    assert_false(cx->model.k8s->deployment.max_surge.percent);
    assert_int_equal(cx->model.k8s->deployment.max_unavailable.v, 1);
    glc_ctx_free(cx);

    cx = analyze(K8S_HEAD "  deployment:\n    replicas: 9\n    strategy: {max_surge: 25%}\n", NULL);
    assert_int_equal(cx->model.k8s->deployment.max_surge.v, 25);
    assert_true(cx->model.k8s->deployment.max_surge.percent);
    glc_ctx_free(cx);
}

/* --check on an empty output directory: every file, the manifest too, is missing. */
static void check_counts_missing_manifest(void **state)
{
    (void)state;
    struct glc_ctx *cx = analyze(K8S_HEAD "  deployment:\n    replicas: 3\n", RES_MIN);
    struct glc_outset out = {0};
    assert_int_equal(glc_render_all(cx, NULL, &out), 0);
    char dir[] = "/tmp/glc-test-check-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct glc_write_stats st;
    fflush(stderr); /* silence the per-file lines */
    int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
    assert_true(saved >= 0 && null >= 0);
    dup2(null, STDERR_FILENO);
    int rc = glc_write_outputs(cx, dir, &out, GLC_CHECK_ONLY, &st);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(null);
    rmdir(dir);
    assert_int_equal(rc, 1);
    assert_int_equal(st.stale, 0);
    assert_int_equal(st.missing, (int)out.n + 1);
    assert_int_equal(st.extra, 0);
    glc_outset_free(&out);
    glc_ctx_free(cx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(resilience_only),
        cmocka_unit_test(kubernetes_only),
        cmocka_unit_test(no_autoscaler_host_required),
        cmocka_unit_test(strategy_integer_forms),
        cmocka_unit_test(check_counts_missing_manifest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
