/*
 * test_frontend.c — the front end (load.c, schema.c, diag.c) in-process:
 * exact 1-based positions, duplicate keys, aliases and merge keys, YAML 1.2
 * scalar typing, every schema error class with its wording, name patterns
 * that must reject YAML-significant characters, `# glc-ignore` comments, the
 * per-code output cap, and hostile input (alias bombs, deep nesting, floods).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "glc.h"

/* A minimal schema-valid kubernetes config; tests splice lines into it. */
#define K8S_MIN                                                                   \
    "kubernetes:\n"                                                               \
    "  cluster:\n"                                                                \
    "    name: demo\n"                                                            \
    "    region: us-east-1\n"                                                     \
    "    availability_zones: [us-east-1a, us-east-1b, us-east-1c]\n"             \
    "  deployment:\n"                                                             \
    "    replicas: 3\n"                                                           \
    "    replica_distribution: {us-east-1a: 1, us-east-1b: 1, us-east-1c: 1}\n"  \
    "  resources:\n"                                                              \
    "    requests: {cpu: 500m, memory: 1Gi}\n"                                    \
    "    limits: {cpu: \"1\", memory: 2Gi}\n"

/* ---- helpers ---- */

static struct glc_ctx *new_ctx(void)
{
    struct glc_options opt = {0};
    return glc_ctx_new(&opt);
}

/* Load and validate one in-memory file. */
static struct glc_ctx *check_text(const char *text, int *file)
{
    struct glc_ctx *cx = new_ctx();
    int f = glc_load_buffer(cx, "t.yaml", text, strlen(text));
    assert_true(f >= 0);
    glc_schema_validate(cx, f);
    if (file)
        *file = f;
    return cx;
}

static size_t count_code(const struct glc_ctx *cx, const char *code)
{
    size_t n = 0;
    for (size_t i = 0; i < cx->ndiags; i++)
        n += !strcmp(cx->diags[i]->code, code);
    return n;
}

static const struct glc_diag *find_code(const struct glc_ctx *cx, const char *code)
{
    for (size_t i = 0; i < cx->ndiags; i++)
        if (!strcmp(cx->diags[i]->code, code))
            return cx->diags[i];
    return NULL;
}

static void dump(const struct glc_ctx *cx)
{
    for (size_t i = 0; i < cx->ndiags; i++)
        print_message("  %s %u:%u %s\n", cx->diags[i]->code, cx->diags[i]->at.line,
                      cx->diags[i]->at.col, cx->diags[i]->message);
}

/* Exactly one finding of `code` at line:col, else fail with the list. */
static const struct glc_diag *expect_one(const struct glc_ctx *cx, const char *code, unsigned line,
                                         unsigned col)
{
    const struct glc_diag *d = find_code(cx, code);
    if (!d || count_code(cx, code) != 1 || d->at.line != line || d->at.col != col) {
        print_error("want one %s at %u:%u, found:\n", code, line, col);
        dump(cx);
        fail();
    }
    return d;
}

static void expect_clean(const struct glc_ctx *cx)
{
    if (cx->ndiags) {
        print_error("want no findings, found:\n");
        dump(cx);
        fail();
    }
}

static void assert_loc(struct glc_loc at, unsigned line, unsigned col, unsigned end_line,
                       unsigned end_col)
{
    if (at.line != line || at.col != col || at.end_line != end_line || at.end_col != end_col) {
        print_error("loc %u:%u-%u:%u, want %u:%u-%u:%u\n", at.line, at.col, at.end_line, at.end_col,
                    line, col, end_line, end_col);
        fail();
    }
}

static const struct glc_ypair *pair(const struct glc_ynode *map, const char *key)
{
    assert_non_null(map);
    assert_int_equal(map->kind, GLC_YMAP);
    for (uint32_t i = 0; i < map->count; i++)
        if (!strcmp(map->u.pairs[i].key->u.str, key))
            return &map->u.pairs[i];
    print_error("no key '%s'\n", key);
    fail();
    return NULL;
}

/* Replace the first occurrence of `from` in `base` by `to` (malloc'd). */
static char *splice(const char *base, const char *from, const char *to)
{
    const char *p = strstr(base, from);
    assert_non_null(p);
    size_t a = (size_t)(p - base), fl = strlen(from), tl = strlen(to), bl = strlen(base);
    char *r = malloc(bl - fl + tl + 1);
    assert_non_null(r);
    memcpy(r, base, a);
    memcpy(r + a, to, tl);
    memcpy(r + a + tl, p + fl, bl - a - fl + 1);
    return r;
}

/* A temp directory with the given configs (NULL: absent). */
struct tmpdir {
    char path[64];
    char files[2][128];
};

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void tmpdir_make(struct tmpdir *t, const char *k8s, const char *res)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "/tmp/glc-fe.XXXXXX");
    assert_non_null(mkdtemp(t->path));
    if (k8s) {
        snprintf(t->files[0], sizeof t->files[0], "%s/kubernetes_config.yaml", t->path);
        write_file(t->files[0], k8s);
    }
    if (res) {
        snprintf(t->files[1], sizeof t->files[1], "%s/resilience_config.yaml", t->path);
        write_file(t->files[1], res);
    }
}

static void tmpdir_remove(struct tmpdir *t)
{
    for (int i = 0; i < 2; i++)
        if (t->files[i][0])
            unlink(t->files[i]);
    rmdir(t->path);
}

/* Full front end (load, schema, model, checks) and finish on a temp dir. */
static struct glc_ctx *run_dir(struct tmpdir *t, const char *k8s, const char *res)
{
    tmpdir_make(t, k8s, res);
    struct glc_ctx *cx = new_ctx();
    const char *args[] = {t->path};
    assert_int_equal(glc_front_end(cx, args, 1), 0);
    glc_diag_finish(cx);
    return cx;
}

/* Render text output into a malloc'd string. */
static char *render(struct glc_ctx *cx)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    assert_non_null(f);
    glc_diag_render(cx, f, GLC_FMT_TEXT, false);
    fclose(f);
    return mem;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- positions ---- */

static void test_positions_block_and_quoted(void **state)
{
    (void)state;
    const char *text = "kubernetes:\n"                 /* 1 */
                       "  app:\n"                      /* 2 */
                       "    name: demo\n"              /* 3 */
                       "    image: \"greenlang/x\"\n"  /* 4 */
                       "    version: 'v1'\n";          /* 5 */
    struct glc_ctx *cx = new_ctx();
    int f = glc_load_buffer(cx, "t.yaml", text, strlen(text));
    expect_clean(cx);
    const struct glc_ynode *root = cx->files[f].root;
    const struct glc_ypair *k = pair(root, "kubernetes");
    assert_loc(k->key->at, 1, 1, 1, 11);
    const struct glc_ypair *app = pair(k->val, "app");
    assert_loc(app->key->at, 2, 3, 2, 6);
    const struct glc_ypair *name = pair(app->val, "name");
    assert_loc(name->key->at, 3, 5, 3, 9);
    assert_loc(name->val->at, 3, 11, 3, 15);          /* plain scalar */
    assert_false(name->val->quoted);
    const struct glc_ypair *image = pair(app->val, "image");
    assert_loc(image->val->at, 4, 12, 4, 25);         /* double-quoted: the quotes included */
    assert_true(image->val->quoted);
    assert_string_equal(image->val->u.str, "greenlang/x");
    const struct glc_ypair *version = pair(app->val, "version");
    assert_loc(version->val->at, 5, 14, 5, 18);       /* single-quoted */
    /* the span a caret underlines: key to end of a same-line value */
    assert_loc(glc_pair_span(name), 3, 5, 3, 15);
    glc_ctx_free(cx);
}

static void test_positions_flow(void **state)
{
    (void)state;
    /*           1234567890123456789012345678901234567890123 */
    const char *text = "kubernetes:\n"
                       "  cluster: {name: c1, region: 'us-east-1', zones: [a, \"b\"]}\n";
    struct glc_ctx *cx = new_ctx();
    int f = glc_load_buffer(cx, "t.yaml", text, strlen(text));
    expect_clean(cx);
    const struct glc_ypair *cl = pair(pair(cx->files[f].root, "kubernetes")->val, "cluster");
    assert_loc(cl->key->at, 2, 3, 2, 10);
    assert_int_equal(cl->val->at.line, 2);
    assert_int_equal(cl->val->at.col, 12);            /* the '{' */
    const struct glc_ypair *name = pair(cl->val, "name");
    assert_loc(name->key->at, 2, 13, 2, 17);
    assert_loc(name->val->at, 2, 19, 2, 21);
    const struct glc_ypair *region = pair(cl->val, "region");
    assert_loc(region->key->at, 2, 23, 2, 29);
    assert_loc(region->val->at, 2, 31, 2, 42);
    const struct glc_ypair *zones = pair(cl->val, "zones");
    assert_int_equal(zones->val->kind, GLC_YSEQ);
    assert_int_equal(zones->val->count, 2);
    assert_loc(zones->val->u.items[0]->at, 2, 52, 2, 53);
    assert_loc(zones->val->u.items[1]->at, 2, 55, 2, 58);
    glc_ctx_free(cx);
}

/* Columns count code points (SARIF columnKind unicodeCodePoints), also for
 * quoted scalars after non-ASCII text and for byte-level errors. */
static void test_positions_unicode(void **state)
{
    (void)state;
    const char *text = "kubernetes:\n"
                       "  \"\xc3\xa9t\xc3\xa9\": {n\xc3\xa4me: \"x\"}\n"; /* "été": {näme: "x"} */
    struct glc_ctx *cx = new_ctx();
    int f = glc_load_buffer(cx, "t.yaml", text, strlen(text));
    expect_clean(cx);
    const struct glc_ypair *ete = pair(pair(cx->files[f].root, "kubernetes")->val, "\xc3\xa9t\xc3\xa9");
    assert_loc(ete->key->at, 2, 3, 2, 8);             /* "été" with its quotes: 5 code points */
    const struct glc_ypair *name = pair(ete->val, "n\xc3\xa4me");
    assert_loc(name->key->at, 2, 11, 2, 15);
    assert_loc(name->val->at, 2, 17, 2, 20);
    glc_ctx_free(cx);

    /* an invalid byte after two-byte characters: column 4, not 6 */
    const char bad[] = "a: \xc3\xa9\xc3\xa9\xff\n";
    cx = new_ctx();
    glc_load_buffer(cx, "t.yaml", bad, sizeof bad - 1);
    expect_one(cx, "GLC010", 1, 6);
    glc_ctx_free(cx);
}

static void test_positions_schema_errors(void **state)
{
    (void)state;
    /* a type error points at the value, an unknown key at the key */
    char *text = splice(K8S_MIN, "    replicas: 3\n", "    replicas: \"3\"\n    replicaz: 1\n");
    struct glc_ctx *cx = check_text(text, NULL);
    const struct glc_diag *d = expect_one(cx, "GLC004", 7, 15);
    assert_int_equal(d->at.end_col, 18);
    assert_string_equal(d->path, "kubernetes.deployment.replicas");
    expect_one(cx, "GLC003", 8, 5);
    glc_ctx_free(cx);
    free(text);
}

/* ---- duplicate keys ---- */

static void test_duplicate_key_both_locations(void **state)
{
    (void)state;
    char *text = splice(K8S_MIN, "    replicas: 3\n", "    replicas: 3\n    replicas: 4\n");
    struct glc_ctx *cx = check_text(text, NULL);
    const struct glc_diag *d = expect_one(cx, "GLC002", 8, 5);
    assert_string_equal(d->message, "duplicate key 'replicas'");
    assert_int_equal(d->nrelated, 1);
    assert_int_equal(d->related[0].at.line, 7);
    assert_int_equal(d->related[0].at.col, 5);
    assert_non_null(d->help);
    glc_ctx_free(cx);
    free(text);

    /* quoted and plain spellings of one key are duplicates; so is an alias key */
    cx = check_text("kubernetes:\n  a: 1\n  'a': 2\n  &k b: 3\n  *k : 4\n", NULL);
    assert_int_equal(count_code(cx, "GLC002"), 2);
    const struct glc_diag *alias = NULL;
    for (size_t i = 0; i < cx->ndiags; i++)
        if (!strcmp(cx->diags[i]->code, "GLC002") && cx->diags[i]->at.line == 5)
            alias = cx->diags[i];
    assert_non_null(alias);
    assert_int_equal(alias->at.col, 3);                /* at the `*k` that repeats it */
    assert_int_equal(alias->related[0].at.line, 4);
    glc_ctx_free(cx);
}

static void test_duplicate_flood_is_linear_and_capped(void **state)
{
    (void)state;
    const size_t n = 100000;
    struct glc_buf b = {0};
    glc_buf_puts(&b, "kubernetes:\n");
    for (size_t i = 0; i < n; i++)
        glc_buf_puts(&b, "  app: {}\n");
    double t0 = now();
    struct glc_ctx *cx = new_ctx();
    int f = glc_load_buffer(cx, "t.yaml", b.data, b.len);
    glc_schema_validate(cx, f);
    glc_diag_finish(cx);
    char *out = render(cx);
    double dt = now() - t0;
    assert_int_equal(count_code(cx, "GLC002"), n - 1);   /* every duplicate is kept (JSON lists all) */
    /* text shows the first 100 of the code, then one line with the rest */
    size_t lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    assert_true(lines < 100 * 8 + 20);
    assert_non_null(strstr(out, "... and 99899 more [GLC002] in t.yaml not shown"));
    assert_non_null(strstr(out, "glc: 100002 errors"));  /* the count covers every finding */
    print_message("  100k duplicate keys: %.0f ms\n", dt * 1000);
    assert_true(dt < 5.0); /* generous: sanitizer builds; quadratic would take minutes */
    free(out);
    glc_ctx_free(cx);
    glc_buf_free(&b);
}

/* ---- aliases and merge keys ---- */

static void test_aliases_resolve(void **state)
{
    (void)state;
    int f;
    struct glc_ctx *cx = check_text("kubernetes:\n"
                                    "  cluster:\n"
                                    "    name: &n demo\n"
                                    "    region: us-east-1\n"
                                    "    availability_zones: &z [us-east-1a]\n"
                                    "  deployment:\n"
                                    "    replicas: &r 1\n"
                                    "    replica_distribution: {us-east-1a: *r}\n"
                                    "  app: {name: *n}\n"
                                    "  resources:\n"
                                    "    requests: {cpu: 500m, memory: 1Gi}\n"
                                    "    limits: {cpu: \"1\", memory: 2Gi}\n",
                                    &f);
    expect_clean(cx);
    const struct glc_ynode *k = pair(cx->files[f].root, "kubernetes")->val;
    const struct glc_ynode *app_name = pair(pair(k, "app")->val, "name")->val;
    assert_string_equal(app_name->u.str, "demo");
    assert_int_equal(app_name->at.line, 9);           /* a scalar alias keeps its own position */
    glc_ctx_free(cx);

    cx = check_text("kubernetes:\n  app: {name: *nope}\n", NULL);
    const struct glc_diag *d = expect_one(cx, "GLC001", 2, 15);
    assert_string_equal(d->message, "unknown alias '*nope'");
    glc_ctx_free(cx);
}

static const char merge_res[] =
    "circuit_breaker:\n"
    "  services:\n"
    "    database: &defaults\n"
    "      failure_threshold: 3\n"
    "      recovery_timeout: 30\n"
    "      half_open_max_calls: 4\n"
    "      success_threshold: 2\n"
    "    redis:\n"
    "      <<: *defaults\n"
    "      failure_threshold: 7\n"
    "    kafka: {<<: *defaults, recovery_timeout: 45}\n"
    "    payments: &fast {failure_threshold: 2, recovery_timeout: 5}\n"
    "    ledger:\n"
    "      <<: [*fast, *defaults]\n";

static const struct glc_breaker *breaker(const struct glc_resilience *r, const char *name)
{
    for (size_t i = 0; i < r->nbreakers; i++)
        if (!strcmp(r->breakers[i].name, name))
            return &r->breakers[i];
    print_error("no breaker '%s'\n", name);
    fail();
    return NULL;
}

static void test_merge_keys_give_breaker_values(void **state)
{
    (void)state;
    struct tmpdir t;
    struct glc_ctx *cx = run_dir(&t, NULL, merge_res);
    assert_int_equal(cx->nerrors, 0);
    const struct glc_resilience *r = cx->model.res;
    assert_non_null(r);
    assert_int_equal(r->nbreakers, 5);
    const struct glc_breaker *redis = breaker(r, "redis");
    assert_int_equal(redis->failure_threshold.v, 7);  /* explicit key wins */
    assert_int_equal(redis->recovery_timeout.v, 30);   /* merged from defaults */
    assert_int_equal(redis->half_open_max_calls.v, 4);
    assert_int_equal(redis->success_threshold.v, 2);
    assert_true(redis->recovery_timeout.set);
    const struct glc_breaker *kafka = breaker(r, "kafka");
    assert_int_equal(kafka->failure_threshold.v, 3);
    assert_int_equal(kafka->recovery_timeout.v, 45);
    const struct glc_breaker *ledger = breaker(r, "ledger");
    assert_int_equal(ledger->failure_threshold.v, 2);  /* earlier map in the list wins */
    assert_int_equal(ledger->recovery_timeout.v, 5);
    assert_int_equal(ledger->half_open_max_calls.v, 4);
    assert_int_equal(ledger->success_threshold.v, 2);
    const struct glc_breaker *payments = breaker(r, "payments");
    assert_int_equal(payments->half_open_max_calls.v, 3); /* schema default */
    assert_false(payments->half_open_max_calls.set);
    glc_ctx_free(cx);
    tmpdir_remove(&t);

    /* a merge of something that is not a mapping is an error */
    cx = check_text("circuit_breaker:\n  services:\n    x: {<<: 5}\n", NULL);
    expect_one(cx, "GLC001", 3, 13);
    glc_ctx_free(cx);
}

/* ---- YAML 1.2 scalar typing ---- */

static void test_yaml12_typing(void **state)
{
    (void)state;
    static const struct {
        const char *replicas; /* the text after `replicas: ` */
        const char *code;     /* NULL: valid */
        const char *got;      /* substring of the message */
    } cases[] = {
        {"3", NULL, NULL},
        {"0x3", NULL, NULL},
        {"0o3", NULL, NULL},
        {"+3", NULL, NULL},
        {"1e3", "GLC004", "got a decimal number"},
        {"3.0", "GLC004", "got a decimal number"},
        {".inf", "GLC004", "got a decimal number"},
        {"-.Inf", "GLC004", "got a decimal number"},
        {"~", "GLC004", "got nothing (null)"},
        {"null", "GLC004", "got nothing (null)"},
        {"", "GLC004", "got nothing (null)"},
        {"true", "GLC004", "got a boolean"},
        {"False", "GLC004", "got a boolean"},
        {"\"3\"", "GLC004", "got a string"},
        {"'3'", "GLC004", "got a string"},
        {"-0x3", "GLC004", "got a string"},   /* no sign on hex in YAML 1.2 core */
        {"0X3", "GLC004", "got a string"},
        {"3_000", "GLC004", "got a string"},  /* YAML 1.1 only */
        {"yes", "GLC004", "got a string"},
        {"0", "GLC005", "0 is too small: must be at least 1"},
        {"100001", "GLC005", "100001 is too large: must be at most 100000"},
        {"99999999999999999999", "GLC005", "outside the 64-bit integer range"},
        {"-9223372036854775809", "GLC005", "outside the 64-bit integer range"},
        {"-9223372036854775808", "GLC005", "too small"},
        {"0x7fffffffffffffff", "GLC005", "too large"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[96];
        snprintf(line, sizeof line, "    replicas: %s\n", cases[i].replicas);
        char *text = splice(K8S_MIN, "    replicas: 3\n", line);
        struct glc_ctx *cx = check_text(text, NULL);
        if (!cases[i].code) {
            if (cx->ndiags) {
                print_error("replicas: %s\n", cases[i].replicas);
                expect_clean(cx);
            }
        } else {
            const struct glc_diag *d = find_code(cx, cases[i].code);
            if (!d || cx->ndiags != 1 || !strstr(d->message, cases[i].got)) {
                print_error("replicas: %s: want %s '%s', found:\n", cases[i].replicas, cases[i].code,
                            cases[i].got);
                dump(cx);
                fail();
            }
        }
        glc_ctx_free(cx);
        free(text);
    }
}

static void test_typed_values_reach_the_model(void **state)
{
    (void)state;
    char *text = splice(K8S_MIN, "  resources:\n",
                        "  autoscaling:\n"
                        "    horizontal: {enabled: True, min_replicas: 0x3, max_replicas: 0o17}\n"
                        "  resources:\n");
    struct tmpdir t;
    struct glc_ctx *cx = run_dir(&t, text, NULL);
    assert_int_equal(cx->nerrors, 0);
    assert_non_null(cx->model.k8s);
    assert_true(cx->model.k8s->hpa.enabled.v);
    assert_int_equal(cx->model.k8s->hpa.min_replicas.v, 3);
    assert_int_equal(cx->model.k8s->hpa.max_replicas.v, 15);
    glc_ctx_free(cx);
    tmpdir_remove(&t);
    free(text);
}

static void test_quoted_numbers_are_strings(void **state)
{
    (void)state;
    /* a quoted number is a string: fine for a namespace (a DNS-1123 label may
     * start with a digit), an error for a count */
    char *text = splice(K8S_MIN, "kubernetes:\n", "kubernetes:\n  app:\n    namespace: \"123\"\n");
    struct glc_ctx *cx = check_text(text, NULL);
    expect_clean(cx);
    glc_ctx_free(cx);
    free(text);

    /* the same namespace unquoted is an integer: an error with a fix */
    text = splice(K8S_MIN, "kubernetes:\n", "kubernetes:\n  app:\n    namespace: 123\n");
    cx = check_text(text, NULL);
    const struct glc_diag *d = expect_one(cx, "GLC004", 3, 16);
    assert_string_equal(d->message, "expected a string, got an integer");
    assert_non_null(strstr(d->help, "quote the value"));
    glc_ctx_free(cx);
    free(text);

    text = splice(K8S_MIN, "    replicas: 3\n", "    replicas: \"3\"\n");
    cx = check_text(text, NULL);
    d = expect_one(cx, "GLC004", 7, 15);
    assert_string_equal(d->help, "remove the quotes: \"3\" is a string");
    glc_ctx_free(cx);
    free(text);

    /* cpu takes a quantity: `cpu: 2` and `cpu: "2"` are both fine */
    text = splice(K8S_MIN, "requests: {cpu: 500m", "requests: {cpu: 1");
    cx = check_text(text, NULL);
    expect_clean(cx);
    glc_ctx_free(cx);
    free(text);
}

/* ---- schema errors ---- */

static void test_unknown_key_suggestion(void **state)
{
    (void)state;
    char *text = splice(K8S_MIN, "    replicas: 3\n", "    replicas: 3\n    termination_grace_periode: 60\n");
    struct glc_ctx *cx = check_text(text, NULL);
    const struct glc_diag *d = expect_one(cx, "GLC003", 8, 5);
    assert_string_equal(d->message, "unknown key 'termination_grace_periode'");
    assert_string_equal(d->help, "did you mean 'termination_grace_period'?");
    assert_string_equal(d->path, "kubernetes.deployment.termination_grace_periode");
    glc_ctx_free(cx);
    free(text);

    /* nothing close: the allowed keys are listed */
    text = splice(K8S_MIN, "    replicas: 3\n", "    replicas: 3\n    zzzzzz: 1\n");
    cx = check_text(text, NULL);
    d = expect_one(cx, "GLC003", 8, 5);
    assert_non_null(strstr(d->help, "expected one of: replicas, replica_distribution"));
    glc_ctx_free(cx);
    free(text);
}

static void test_wrong_types(void **state)
{
    (void)state;
    static const struct {
        const char *from, *to, *msg;
        unsigned line, col;
    } cases[] = {
        {"    name: demo\n", "    name: {a: 1}\n", "expected a string, got a mapping", 3, 5},
        {"    name: demo\n", "    name: [a]\n", "expected a string, got a list", 3, 5},
        {"    replicas: 3\n", "    replicas: [3]\n", "expected an integer, got a list", 7, 5},
        {"  resources:\n    requests: {cpu: 500m, memory: 1Gi}\n",
         "  resources:\n    requests: [500m, 1Gi]\n", "expected a mapping, got a list", 10, 5},
        {"    availability_zones: [us-east-1a, us-east-1b, us-east-1c]\n",
         "    availability_zones: us-east-1a\n", "expected a list, got a string", 5, 25},
        {"  resources:\n", "  autoscaling: {horizontal: {enabled: yes, max_replicas: 3}}\n  resources:\n",
         "expected a boolean (true or false), got a string", 9, 39},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = splice(K8S_MIN, cases[i].from, cases[i].to);
        struct glc_ctx *cx = check_text(text, NULL);
        const struct glc_diag *d = expect_one(cx, "GLC004", cases[i].line, cases[i].col);
        assert_string_equal(d->message, cases[i].msg);
        glc_ctx_free(cx);
        free(text);
    }
}

static void test_range_enum_missing(void **state)
{
    (void)state;
    char *text = splice(K8S_MIN, "  resources:\n",
                        "  autoscaling:\n"
                        "    horizontal: {max_replicas: 10, target_cpu_percentage: 101}\n"
                        "    vertical: {update_mode: auto}\n"
                        "  resources:\n");
    struct glc_ctx *cx = check_text(text, NULL);
    const struct glc_diag *d = expect_one(cx, "GLC005", 10, 59);
    assert_string_equal(d->message, "101 is too large: must be at most 100");
    d = expect_one(cx, "GLC006", 11, 29);
    assert_string_equal(d->message, "'auto' is not an allowed value");
    assert_string_equal(d->help, "did you mean 'Auto'?");
    glc_ctx_free(cx);
    free(text);

    /* a required key is reported at its parent's key */
    text = splice(K8S_MIN, "    region: us-east-1\n", "");
    cx = check_text(text, NULL);
    d = expect_one(cx, "GLC009", 2, 3);
    assert_string_equal(d->message, "missing required key 'region'");
    assert_string_equal(d->path, "kubernetes.cluster.region");
    glc_ctx_free(cx);
    free(text);

    /* an empty section still needs its required keys */
    cx = check_text("kubernetes:\n  cluster:\n  deployment: {replicas: 1}\n  resources: {}\n", NULL);
    size_t n = 0;
    for (size_t i = 0; i < cx->ndiags; i++) {
        const struct glc_diag *e = cx->diags[i];
        if (!strcmp(e->code, "GLC009") && !strncmp(e->path, "kubernetes.cluster.", 19)) {
            assert_int_equal(e->at.line, 2); /* at the empty `cluster:` */
            n++;
        }
    }
    assert_int_equal(n, 3); /* name, region, availability_zones */
    glc_ctx_free(cx);
}

/* Names end up in object names, SQL, C identifiers and YAML: anything with
 * quotes, newlines or YAML indicators must be rejected where names are read. */
static void test_name_patterns(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\"a\\\"b\"", "\"a'b\"", "\"a\\nb\"", "\"- x\"", "\"a: b\"", "\"{x}\"", "\"#x\"",
        "\"a b\"",    "\"A\"",   "\"-a\"",    "\"a-\"",  "\"\"",     "\"a\\tb\"", "\"a\\u0000b\"",
    };
    static const char *const where[] = {"app.name", "app.namespace", "cluster.name"};
    for (size_t w = 0; w < 3; w++) {
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            char line[128];
            char *text;
            if (w == 2) {
                snprintf(line, sizeof line, "    name: %s\n", bad[i]);
                text = splice(K8S_MIN, "    name: demo\n", line);
            } else {
                snprintf(line, sizeof line, "kubernetes:\n  app:\n    %s: %s\n", w ? "namespace" : "name",
                         bad[i]);
                text = splice(K8S_MIN, "kubernetes:\n", line);
            }
            struct glc_ctx *cx = check_text(text, NULL);
            /* NUL inside a string is refused while loading (GLC010) */
            const char *want = strstr(bad[i], "\\u0000") ? "GLC010" : "GLC008";
            if (count_code(cx, want) != 1 || cx->ndiags != 1) {
                print_error("%s: %s: want one %s, found:\n", where[w], bad[i], want);
                dump(cx);
                fail();
            }
            /* the message stays on one line */
            assert_null(strchr(cx->diags[0]->message, '\n'));
            glc_ctx_free(cx);
            free(text);
        }
    }
}

static void test_breaker_names(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\"- x\"", "\"a b\"", "\"a\\nb\"", "\"a: b\"", "\"{x}\"", "\"#x\"", "\"a'b\"", "\"a\\\"b\"",
        "Database", "\"1db\"", "123", "true", "null", "~", "\"db-main\"", "\"\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "circuit_breaker:\n  services:\n    %s: {failure_threshold: 3}\n", bad[i]);
        struct glc_ctx *cx = check_text(text, NULL);
        if (count_code(cx, "GLC008") != 1 || cx->ndiags != 1) {
            print_error("breaker %s: want one GLC008, found:\n", bad[i]);
            dump(cx);
            fail();
        }
        assert_int_equal(cx->diags[0]->at.line, 3);
        assert_int_equal(cx->diags[0]->at.col, 5);
        assert_null(strchr(cx->diags[0]->message, '\n'));
        glc_ctx_free(cx);
    }
    struct glc_ctx *cx = check_text("circuit_breaker:\n  services:\n    db_main2: {}\n    \"true\": {}\n", NULL);
    expect_clean(cx);
    glc_ctx_free(cx);
}

/* ---- suppression comments ---- */

/* The example's HPA: GLC121 fires on max_replicas (line 9 here). */
#define K8S_HPA(comment_above, comment_on)                                        \
    "kubernetes:\n"                                                               \
    "  cluster: {name: demo, region: us-east-1, availability_zones: [us-east-1a]}\n" \
    "  deployment: {replicas: 1, replica_distribution: {us-east-1a: 1}}\n"        \
    "  resources:\n"                                                              \
    "    requests: {cpu: 2000m, memory: 4Gi}\n"                                   \
    "    limits: {cpu: 4000m, memory: 8Gi}\n"                                     \
    "  autoscaling:\n"                                                            \
    "    horizontal: {enabled: true, min_replicas: 1,\n"                          \
    comment_above "\n"                                                            \
    "      max_replicas: 100}   " comment_on "\n"                                 \
    "    cluster: {enabled: true, min_nodes: 1, max_nodes: 30}\n"

static void test_suppress_on_line_and_above(void **state)
{
    (void)state;
    struct tmpdir t;
    /* baseline: GLC121 fires on line 10 */
    struct glc_ctx *cx = run_dir(&t, K8S_HPA("", ""), NULL);
    const struct glc_diag *d = find_code(cx, "GLC121");
    assert_non_null(d);
    assert_int_equal(d->at.line, 10);
    assert_false(d->suppressed);
    int warnings = cx->nwarnings;
    glc_ctx_free(cx);
    tmpdir_remove(&t);

    cx = run_dir(&t, K8S_HPA("", "# glc-ignore GLC121: capacity is raised by a separate node group"), NULL);
    d = find_code(cx, "GLC121");
    assert_non_null(d);
    assert_true(d->suppressed);
    assert_string_equal(d->suppress_reason, "capacity is raised by a separate node group");
    assert_int_equal(cx->nsuppressed, 1);
    assert_int_equal(cx->nwarnings, warnings - 1);
    assert_null(find_code(cx, "GLC012"));
    char *out = render(cx);
    assert_null(strstr(out, "[GLC121]"));
    assert_non_null(strstr(out, "1 suppressed"));
    free(out);
    glc_ctx_free(cx);
    tmpdir_remove(&t);

    cx = run_dir(&t, K8S_HPA("      # glc-ignore GLC126, GLC121: burst capacity is bought on demand", ""), NULL);
    d = find_code(cx, "GLC121");
    assert_true(d->suppressed);
    assert_int_equal(cx->nsuppressed, 1);
    glc_ctx_free(cx);
    tmpdir_remove(&t);

    /* two lines above is too far */
    cx = run_dir(&t, K8S_HPA("      # glc-ignore GLC121: too far\n", ""), NULL);
    assert_false(find_code(cx, "GLC121")->suppressed);
    glc_ctx_free(cx);
    tmpdir_remove(&t);
}

static void test_suppress_invalid(void **state)
{
    (void)state;
    struct tmpdir t;
    /* no reason: GLC012, and the finding stays */
    struct glc_ctx *cx = run_dir(&t, K8S_HPA("", "# glc-ignore GLC121"), NULL);
    const struct glc_diag *d = find_code(cx, "GLC012");
    assert_non_null(d);
    assert_int_equal(d->at.line, 10);
    assert_int_equal(d->at.col, 28);
    assert_false(find_code(cx, "GLC121")->suppressed);
    assert_int_equal(cx->nsuppressed, 0);
    glc_ctx_free(cx);
    tmpdir_remove(&t);

    cx = run_dir(&t, K8S_HPA("", "# glc-ignore GLC121:   "), NULL);
    assert_non_null(find_code(cx, "GLC012"));
    assert_false(find_code(cx, "GLC121")->suppressed);
    glc_ctx_free(cx);
    tmpdir_remove(&t);

    /* an unknown code */
    cx = run_dir(&t, K8S_HPA("", "# glc-ignore GLC999: no such rule"), NULL);
    d = find_code(cx, "GLC012");
    assert_non_null(d);
    assert_non_null(strstr(d->message, "unknown code 'GLC999'"));
    assert_false(find_code(cx, "GLC121")->suppressed);
    glc_ctx_free(cx);
    tmpdir_remove(&t);

    /* no code at all */
    cx = run_dir(&t, K8S_HPA("", "# glc-ignore: because"), NULL);
    assert_non_null(find_code(cx, "GLC012"));
    glc_ctx_free(cx);
    tmpdir_remove(&t);
}

static void test_front_end_codes_not_suppressible(void **state)
{
    (void)state;
    char *text = splice(K8S_MIN, "    replicas: 3\n",
                        "    replicas: 3\n    replicaz: 3   # glc-ignore GLC003: we want it\n");
    struct tmpdir t;
    struct glc_ctx *cx = run_dir(&t, text, NULL);
    const struct glc_diag *d = find_code(cx, "GLC003");
    assert_non_null(d);
    assert_false(d->suppressed);
    d = find_code(cx, "GLC012");
    assert_non_null(d);
    assert_non_null(strstr(d->message, "cannot be suppressed"));
    assert_int_equal(cx->nsuppressed, 0);
    assert_int_equal(cx->nerrors, 2);
    glc_ctx_free(cx);
    tmpdir_remove(&t);
    free(text);

    /* GLC012 itself cannot be silenced either */
    cx = run_dir(&t, K8S_HPA("      # glc-ignore GLC012: hush", "# glc-ignore GLC121"), NULL);
    assert_int_equal(count_code(cx, "GLC012"), 2);
    for (size_t i = 0; i < cx->ndiags; i++)
        if (!strcmp(cx->diags[i]->code, "GLC012"))
            assert_false(cx->diags[i]->suppressed);
    glc_ctx_free(cx);
    tmpdir_remove(&t);
}

/* ---- input-level errors ---- */

static void test_not_a_config(void **state)
{
    (void)state;
    static const struct {
        const char *text, *code, *msg;
        unsigned line, col;
    } cases[] = {
        {"", "GLC010", "empty file: no configuration found", 1, 1},
        {"  \n\n", "GLC010", "empty file: no configuration found", 1, 1},
        {"# only\n# comments\n", "GLC010", "empty file: no configuration found", 1, 1},
        {"---\n", "GLC010", "empty file: no configuration found", 1, 1},
        {"kubernetes: {}\n---\nkubernetes: {}\n", "GLC010", "a config file holds one YAML document, found a second",
         2, 1},
        {"- a\n", "GLC010", "not a glc config: the file is a list, not a mapping", 1, 1},
        {"hello\n", "GLC010", "not a glc config: the file is a string, not a mapping", 1, 1},
        {"kubernets:\n  a: 1\n", "GLC010",
         "not a glc config: expected the top-level key 'kubernetes:' or 'circuit_breaker:'", 1, 1},
        {"kubernetes: {}\ncircuit_breaker: {}\n", "GLC010",
         "one file holds both configs: 'kubernetes:' and 'circuit_breaker:'", 2, 1},
        {"kubernetes:\n  a: !!binary aGk=\n", "GLC001", "YAML tag '!!binary' is not supported in glc configs",
         2, 6},
        {"kubernetes:\n  a: !custom {b: 1}\n", "GLC001", "YAML tag '!custom' is not supported in glc configs",
         2, 6},
        {"kubernetes:\n  ? [a]\n  : 1\n", "GLC001", "complex mapping keys are not supported", 2, 5},
        {"kubernetes:\n  a: \"x\\0y\"\n", "GLC010", "a string value contains a NUL character", 2, 6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct glc_ctx *cx = check_text(cases[i].text, NULL);
        const struct glc_diag *d = find_code(cx, cases[i].code);
        if (!d || cx->ndiags != 1 || strcmp(d->message, cases[i].msg) || d->at.line != cases[i].line ||
            d->at.col != cases[i].col) {
            print_error("case %zu: want %s %u:%u '%s', found:\n", i, cases[i].code, cases[i].line,
                        cases[i].col, cases[i].msg);
            dump(cx);
            fail();
        }
        glc_ctx_free(cx);
    }
}

static void test_syntax_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
        unsigned line, col;
    } cases[] = {
        {"kubernetes:\n  a: 1\n b: 2\n", "invalid indentation", 3, 2},
        {"kubernetes:\n  a: [1, 2\n", "flow sequence without a closing bracket", 2, 6},
        {"kubernetes:\n  a: {b: 1\n", "flow mapping without a closing brace", 2, 6},
        {"kubernetes:\n  a: \"abc\n", "double-quoted scalar without closing quote", 2, 6},
        {"kubernetes:\n\ta: 1\n", "tab character", 2, 1},
        {"kubernetes:\n  a: b: c\n", "invalid nested block mapping on the same line", 2, 7},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct glc_ctx *cx = check_text(cases[i].text, NULL);
        const struct glc_diag *d = find_code(cx, "GLC001");
        if (!d || cx->ndiags != 1 || !strstr(d->message, cases[i].msg) || d->at.line != cases[i].line ||
            d->at.col != cases[i].col) {
            print_error("case %zu: want GLC001 %u:%u '%s', found:\n", i, cases[i].line, cases[i].col,
                        cases[i].msg);
            dump(cx);
            fail();
        }
        glc_ctx_free(cx);
    }
}

static void test_budgets(void **state)
{
    (void)state;
    /* billion laughs: 9 levels x 9 aliases */
    struct glc_buf b = {0};
    glc_buf_puts(&b, "kubernetes:\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 10; i++) {
        glc_buf_printf(&b, "  a%d: &a%d [", i, i);
        for (int j = 0; j < 9; j++)
            glc_buf_printf(&b, "%s*a%d", j ? ", " : "", i - 1);
        glc_buf_puts(&b, "]\n");
    }
    double t0 = now();
    struct glc_ctx *cx = check_text(b.data, NULL);
    assert_non_null(find_code(cx, "GLC011"));
    assert_true(now() - t0 < 2.0);
    glc_ctx_free(cx);
    glc_buf_free(&b);

    /* 100k levels of flow nesting */
    size_t n = 100000;
    char *deep = malloc(2 * n + 32);
    assert_non_null(deep);
    strcpy(deep, "kubernetes: ");
    memset(deep + 12, '[', n);
    memset(deep + 12 + n, ']', n);
    strcpy(deep + 12 + 2 * n, "\n");
    cx = check_text(deep, NULL);
    const struct glc_diag *d = find_code(cx, "GLC011");
    assert_non_null(d);
    assert_string_equal(d->message, "nesting deeper than 64 levels");
    glc_ctx_free(cx);

    /* the same in block style: `- - - - ...` */
    strcpy(deep, "kubernetes:\n  ");
    for (size_t i = 0; i < n; i++)
        memcpy(deep + 14 + 2 * i, "- ", 2);
    strcpy(deep + 14 + 2 * n, "x\n");
    cx = check_text(deep, NULL);
    assert_non_null(find_code(cx, "GLC011"));
    glc_ctx_free(cx);
    free(deep);

    /* a message quoting a huge value stays short, on one line */
    size_t big = 1 << 20;
    char *s = malloc(big + 64);
    assert_non_null(s);
    strcpy(s, "kubernetes:\n  \"");
    memset(s + 15, 'k', big);
    strcpy(s + 15 + big, "\\n\": 1\n");
    cx = check_text(s, NULL);
    d = find_code(cx, "GLC003");
    assert_non_null(d);
    assert_true(strlen(d->message) < 200);
    assert_null(strchr(d->message, '\n'));
    glc_ctx_free(cx);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions_block_and_quoted),
        cmocka_unit_test(test_positions_flow),
        cmocka_unit_test(test_positions_unicode),
        cmocka_unit_test(test_positions_schema_errors),
        cmocka_unit_test(test_duplicate_key_both_locations),
        cmocka_unit_test(test_duplicate_flood_is_linear_and_capped),
        cmocka_unit_test(test_aliases_resolve),
        cmocka_unit_test(test_merge_keys_give_breaker_values),
        cmocka_unit_test(test_yaml12_typing),
        cmocka_unit_test(test_typed_values_reach_the_model),
        cmocka_unit_test(test_quoted_numbers_are_strings),
        cmocka_unit_test(test_unknown_key_suggestion),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_range_enum_missing),
        cmocka_unit_test(test_name_patterns),
        cmocka_unit_test(test_breaker_names),
        cmocka_unit_test(test_suppress_on_line_and_above),
        cmocka_unit_test(test_suppress_invalid),
        cmocka_unit_test(test_front_end_codes_not_suppressible),
        cmocka_unit_test(test_not_a_config),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_budgets),
    };
    return cmocka_run_group_tests_name("frontend", tests, NULL, NULL);
}
