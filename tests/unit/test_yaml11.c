/*
 * test_yaml11.c — glc's YAML output read back by a second YAML library under YAML 1.1 rules.
 *
 * kubectl, kustomize and most Kubernetes tooling read YAML 1.1 (go-yaml, a port of libyaml):
 * there an unquoted `on`, `yes`, `n`, `0644`, `1:30`, `1e3`, `~` is not the string it looks
 * like. glc's templates quote every string, so in every emitted .yaml file:
 *   - a plain (unquoted) value is an int (decimal, no leading zero, no `_`) or true/false;
 *   - a plain mapping key is a plain string in YAML 1.1 too (not a bool, int, float or null);
 *   - quoted scalars carry no tag; there are no anchors, aliases or tags at all.
 * The example and every tests/build-configs/<name>/ config are built with $GLC_BIN into a temp
 * dir (plus a variant of the example whose names and version are YAML 1.1 look-alikes), and
 * every .yaml file is re-read with libyaml's event parser. A failure names the file, the line
 * and the scalar.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

static char g_tmp[256];
static int g_files, g_scalars;

/* ---- YAML 1.1 implicit types (yaml.org/type/{bool,int,float,null}.html) ---- */

static regex_t re_bool11, re_int11, re_float11, re_null11, re_int_ok, re_timestamp11;

static void compile(regex_t *re, const char *pat)
{
    int rc = regcomp(re, pat, REG_EXTENDED | REG_NOSUB);
    if (rc != 0)
        fail_msg("bad regex %s", pat);
}

static void init_regexes(void)
{
    compile(&re_bool11, "^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$");
    compile(&re_int11, "^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|"
                       "[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$");
    compile(&re_float11, "^([-+]?([0-9][0-9_]*)?\\.[0-9.]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|"
                         "[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)|[-+]?[0-9]+([eE][-+]?[0-9]+))$");
    compile(&re_null11, "^(~|null|Null|NULL|)$");
    compile(&re_timestamp11, "^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}");
    /* what glc may leave plain: a decimal int without sign games or leading zeros */
    compile(&re_int_ok, "^(0|-?[1-9][0-9]*)$");
}

static bool match(regex_t *re, const char *s)
{
    return regexec(re, s, 0, NULL, 0) == 0;
}

/* The YAML 1.1 type a plain scalar resolves to. */
static const char *type11(const char *s)
{
    if (match(&re_null11, s))
        return "null";
    if (match(&re_bool11, s))
        return "bool";
    if (match(&re_int11, s))
        return "int";
    if (match(&re_float11, s))
        return "float";
    if (match(&re_timestamp11, s))
        return "timestamp";
    if (!strcmp(s, "<<"))
        return "merge";
    if (!strcmp(s, "="))
        return "value";
    return "str";
}

/* ---- walking one file ---- */

struct frame {
    bool map;      /* in a mapping (else a sequence) */
    bool want_key; /* mapping: the next node is a key */
};

struct walk {
    const char *file;
    char **problems;
    size_t nproblems, cap;
};

static void problem(struct walk *w, size_t line, const char *fmt, ...)
{
    char msg[512], full[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "%s:%zu: %s", w->file, line, msg);
    if (w->nproblems == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        w->problems = realloc(w->problems, w->cap * sizeof *w->problems);
        assert_non_null(w->problems);
    }
    w->problems[w->nproblems++] = strdup(full);
}

static void walk_free(struct walk *w)
{
    for (size_t i = 0; i < w->nproblems; i++)
        free(w->problems[i]);
    free(w->problems);
    w->problems = NULL;
    w->nproblems = w->cap = 0;
}

/* Show a scalar with control characters escaped. */
static const char *shown(const unsigned char *s, size_t n, char *buf, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 8 < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, s[i] < 0x20 || s[i] == 0x7f ? "\\x%02x" : "%c", s[i]);
    buf[o] = '\0';
    return buf;
}

static void check_scalar(struct walk *w, const yaml_event_t *ev, bool is_key)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t line = ev->start_mark.line + 1;
    char buf[300];
    g_scalars++;
    if (ev->data.scalar.tag)
        problem(w, line, "scalar '%s' has an explicit tag %s", shown((const unsigned char *)v, ev->data.scalar.length, buf, sizeof buf),
                (const char *)ev->data.scalar.tag);
    if (ev->data.scalar.anchor)
        problem(w, line, "scalar '%s' has an anchor", v);
    if (strlen(v) != ev->data.scalar.length)
        problem(w, line, "scalar contains a NUL byte");
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return; /* quoted or block: a string */
    const char *t = type11(v);
    if (is_key) {
        if (strcmp(t, "str"))
            problem(w, line, "plain key '%s' is a YAML 1.1 %s, not a string", shown((const unsigned char *)v, ev->data.scalar.length, buf, sizeof buf), t);
        return;
    }
    if (!strcmp(v, "true") || !strcmp(v, "false"))
        return;
    if (match(&re_int_ok, v) && !strcmp(t, "int"))
        return;
    problem(w, line, "plain value '%s' (YAML 1.1 %s): only decimal ints and true/false may be unquoted",
            shown((const unsigned char *)v, ev->data.scalar.length, buf, sizeof buf), t);
}

static void walk_file(const char *path, struct walk *w)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    yaml_parser_t p;
    assert_true(yaml_parser_initialize(&p));
    yaml_parser_set_input_file(&p, f);
    struct frame stack[128];
    int depth = 0;
    bool done = false;
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            problem(w, p.problem_mark.line + 1, "libyaml cannot parse: %s %s", p.problem ? p.problem : "",
                    p.context ? p.context : "");
            break;
        }
        bool is_key = depth > 0 && stack[depth - 1].map && stack[depth - 1].want_key;
        bool node = false;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (ev.data.document_start.version_directive)
                problem(w, ev.start_mark.line + 1, "%%YAML directive: the reader's YAML version must not change");
            break;
        case YAML_ALIAS_EVENT:
            problem(w, ev.start_mark.line + 1, "alias *%s: glc output must not use anchors and aliases",
                    (const char *)ev.data.alias.anchor);
            node = true;
            break;
        case YAML_SCALAR_EVENT:
            check_scalar(w, &ev, is_key);
            node = true;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            bool map = ev.type == YAML_MAPPING_START_EVENT;
            const yaml_char_t *anchor = map ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
            const yaml_char_t *tag = map ? ev.data.mapping_start.tag : ev.data.sequence_start.tag;
            if (anchor || tag)
                problem(w, ev.start_mark.line + 1, "collection with an anchor or a tag");
            if (is_key)
                problem(w, ev.start_mark.line + 1, "complex (non-scalar) mapping key");
            assert_true(depth < 128);
            stack[depth++] = (struct frame){map, true};
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            node = true;
            break;
        default:
            break;
        }
        /* a finished node flips its parent mapping between key and value */
        if (node && depth > 0 && stack[depth - 1].map)
            stack[depth - 1].want_key = !stack[depth - 1].want_key;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    fclose(f);
    g_files++;
}

/* Every *.yaml / *.yml under dir, recursively, in sorted order. */
static void walk_dir(const char *dir, struct walk *w)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    assert_true(n >= 0);
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        struct stat st;
        size_t len = strlen(name);
        if (name[0] != '.' && stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                walk_dir(path, w);
            } else if ((len > 5 && !strcmp(name + len - 5, ".yaml")) || (len > 4 && !strcmp(name + len - 4, ".yml"))) {
                w->file = path; /* problem() copies it into each message */
                walk_file(path, w);
                w->file = NULL;
            }
        }
        free(ents[i]);
    }
    free(ents);
}

/* ---- building the configs ---- */

static int run_glc_build(const char *cfg, const char *out)
{
    const char *bin = getenv("GLC_BIN");
    char cmd[3000];
    snprintf(cmd, sizeof cmd, "'%s' build '%s' -o '%s' --no-link >'%s/build.log' 2>&1", bin, cfg, out, g_tmp);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void build_and_walk(const char *cfg, const char *label)
{
    char out[600];
    snprintf(out, sizeof out, "%s/out-%s", g_tmp, label);
    int rc = run_glc_build(cfg, out);
    if (rc != 0) {
        char log[1024];
        snprintf(log, sizeof log, "%s/build.log", g_tmp);
        FILE *f = fopen(log, "r");
        char line[512];
        while (f && fgets(line, sizeof line, f))
            if (strstr(line, "error"))
                print_error("  %s", line);
        if (f)
            fclose(f);
        fail_msg("glc build %s exited %d", cfg, rc);
    }
    struct walk w = {0};
    int before = g_files;
    walk_dir(out, &w);
    print_message("  %s: %d YAML files re-read with libyaml %s\n", label, g_files - before, yaml_get_version_string());
    assert_true(g_files - before >= 8);
    for (size_t i = 0; i < w.nproblems; i++)
        print_error("  %s\n", w.problems[i]);
    size_t n = w.nproblems;
    walk_free(&w);
    if (n)
        fail_msg("%zu YAML 1.1 problems in glc's output of %s", n, label);
}

static const char *source_dir(void)
{
    const char *s = getenv("GLC_SOURCE_DIR");
    return s && *s ? s : ".";
}

static void example(void **state)
{
    (void)state;
    char cfg[600];
    snprintf(cfg, sizeof cfg, "%s/examples/agent-foundation", source_dir());
    build_and_walk(cfg, "example");
}

static void build_configs(void **state)
{
    (void)state;
    char dir[600];
    snprintf(dir, sizeof dir, "%s/tests/build-configs", source_dir());
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    if (n < 0)
        skip();
    int built = 0;
    for (int i = 0; i < n; i++) {
        char cfg[1200];
        struct stat st;
        snprintf(cfg, sizeof cfg, "%s/%s", dir, ents[i]->d_name);
        if (ents[i]->d_name[0] != '.' && stat(cfg, &st) == 0 && S_ISDIR(st.st_mode)) {
            build_and_walk(cfg, ents[i]->d_name);
            built++;
        }
        free(ents[i]);
    }
    free(ents);
    assert_true(built >= 3);
}

/* The example with names and a version that YAML 1.1 would read as null, bool, octal, float. */
static void look_alikes(void **state)
{
    (void)state;
    static const char *const variants[][3] = {
        /* app.name, namespace, version */
        {"null", "on", "0644"},
        {"yes", "off", "1e3"},
        {"y", "n", "1_000"},
        {"true", "no", "0x1F"},
        {"false", "null", "1.5"},
    };
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        char dir[600], src[800], dst[800];
        snprintf(dir, sizeof dir, "%s/lookalike-%zu", g_tmp, v);
        assert_int_equal(mkdir(dir, 0700), 0);
        for (int k = 0; k < 2; k++) {
            const char *name = k ? "resilience_config.yaml" : "kubernetes_config.yaml";
            snprintf(src, sizeof src, "%s/examples/agent-foundation/config/%s", source_dir(), name);
            snprintf(dst, sizeof dst, "%s/%s", dir, name);
            FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
            assert_non_null(in);
            assert_non_null(out);
            char line[1024];
            while (fgets(line, sizeof line, in)) {
                fputs(line, out);
                if (k == 0 && !strcmp(line, "kubernetes:\n"))
                    fprintf(out, "  app:\n    name: \"%s\"\n    namespace: \"%s\"\n    version: \"%s\"\n"
                                 "    image: \"registry.local:5000/team/app\"\n",
                            variants[v][0], variants[v][1], variants[v][2]);
            }
            fclose(in);
            fclose(out);
        }
        char label[64];
        snprintf(label, sizeof label, "lookalike-%s-%s-%s", variants[v][0], variants[v][1], variants[v][2]);
        build_and_walk(dir, label);
    }
}

/* The checker itself: it must flag what it is there to flag. */
static void checker_rejects_yaml11_traps(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "a: yes\n", "a: on\n", "a: n\n", "a: 0644\n", "a: 1:30\n", "a: 1e3\n", "a: 1.5\n", "a: ~\n", "a: null\n",
        "a:\n", "a: 1_000\n", "a: 0x1F\n", "a: True\n", "a: plain string\n", "on: 1\n", "- &x 1\n- *x\n",
        "a: !!str 1\n", "a: 2024-01-01\n", "? [a]\n: 1\n",
    };
    static const char *const good[] = {
        "a: 1\n", "a: 0\n", "a: -3\n", "a: true\n", "a: false\n", "a: \"yes\"\n", "a: '0644'\n",
        "b:\n  - \"x\"\n  - 2\n", "app.kubernetes.io/name: \"x\"\n", "a: {}\n", "a: [\"\", \"b\"]\n",
        "a: |\n  text\n",
    };
    char path[600];
    snprintf(path, sizeof path, "%s/probe.yaml", g_tmp);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0] + sizeof good / sizeof good[0]; i++) {
        bool is_bad = i < sizeof bad / sizeof bad[0];
        const char *text = is_bad ? bad[i] : good[i - sizeof bad / sizeof bad[0]];
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        struct walk w = {.file = "probe.yaml"};
        walk_file(path, &w);
        size_t n = w.nproblems;
        char first[900] = "";
        if (n)
            snprintf(first, sizeof first, "%s", w.problems[0]);
        walk_free(&w);
        if (is_bad && n == 0)
            fail_msg("the checker accepts %s", text);
        if (!is_bad && n != 0)
            fail_msg("the checker rejects %s: %s", text, first);
    }
}

static int setup(void **state)
{
    (void)state;
    const char *bin = getenv("GLC_BIN");
    if (!bin || access(bin, X_OK) != 0) {
        fprintf(stderr, "test_yaml11: GLC_BIN is not set to an executable glc (ctest sets it)\n");
        return -1;
    }
    snprintf(g_tmp, sizeof g_tmp, "%s/glc-yaml11.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(g_tmp))
        return -1;
    init_regexes();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    if (g_tmp[0] && system(cmd) != 0)
        return -1;
    print_message("  %d files, %d scalars checked\n", g_files, g_scalars);
    return 0;
}

int main(void)
{
    if (!getenv("GLC_BIN")) {
        fprintf(stderr, "test_yaml11: GLC_BIN not set; skipped (run through ctest)\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(checker_rejects_yaml11_traps),
        cmocka_unit_test(example),
        cmocka_unit_test(build_configs),
        cmocka_unit_test(look_alikes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
