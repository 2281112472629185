/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the Prometheus exposition (runtime/metrics.c): what promtool does not check
 * (unique series, +Inf bucket == _count, monotone buckets, label escaping, one HELP/TYPE per
 * uninterrupted family) plus the metric names and values the runtime promises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "rt.h"

struct sample {
    char name[128];
    char labels[512];  /* raw text between the braces, escapes kept */
    char le[256];      /* the le label, unescaped, if any */
    char dep[256];     /* the dependency label, unescaped, if any */
    double value;
};

struct exposition {
    struct sample *s;
    size_t n;
    char *help[64], *type[64];  /* family names, in order of appearance */
    size_t nhelp, ntype;
};

/* Unescape a label value starting after its opening quote; returns the char after the quote. */
static const char *read_label_value(const char *p, char *out, size_t cap)
{
    size_t o = 0;

    for (; *p && *p != '"'; p++) {
        char c = *p;

        if (c == '\\') {
            p++;
            assert_true(*p == '\\' || *p == '"' || *p == 'n');
            c = *p == 'n' ? '\n' : *p;
        } else {
            assert_true(c != '\n');
        }
        if (o + 1 < cap)
            out[o++] = c;
    }
    assert_int_equal(*p, '"');
    out[o] = '\0';
    return p + 1;
}

static const char *parse_labels(const char *p, struct sample *s)
{
    const char *start = p;

    while (*p != '}') {
        char key[64], value[256];
        size_t k = 0;

        while (*p != '=' && k + 1 < sizeof key)
            key[k++] = *p++;
        key[k] = '\0';
        assert_int_equal(*p++, '=');
        assert_int_equal(*p++, '"');
        p = read_label_value(p, value, sizeof value);
        if (strcmp(key, "le") == 0)
            snprintf(s->le, sizeof s->le, "%s", value);
        if (strcmp(key, "dependency") == 0)
            snprintf(s->dep, sizeof s->dep, "%s", value);
        if (*p == ',')
            p++;
    }
    assert_true((size_t)(p - start) < sizeof s->labels);
    memcpy(s->labels, start, (size_t)(p - start));
    s->labels[p - start] = '\0';
    return p + 1;
}

static void parse_sample(const char *line, struct sample *s)
{
    const char *p = line;
    size_t n = 0;
    char *end;

    memset(s, 0, sizeof *s);
    while (*p && *p != '{' && *p != ' ')
        s->name[n++] = *p++;
    if (*p == '{')
        p = parse_labels(p + 1, s);
    assert_int_equal(*p++, ' ');
    s->value = strtod(p, &end);
    assert_true(end != p);
    assert_true(*end == '\0');
}

static void parse(const char *text, struct exposition *e)
{
    char *copy = strdup(text), *save = NULL;

    memset(e, 0, sizeof *e);
    e->s = calloc(4096, sizeof *e->s);
    assert_non_null(e->s);
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "# HELP ", 7) == 0) {
            e->help[e->nhelp++] = strndup(line + 7, strcspn(line + 7, " "));
        } else if (strncmp(line, "# TYPE ", 7) == 0) {
            e->type[e->ntype++] = strdup(line + 7);
        } else {
            assert_true(line[0] != '#');
            assert_true(e->n < 4096);
            parse_sample(line, &e->s[e->n++]);
        }
    }
    free(copy);
}

static void exposition_free(struct exposition *e)
{
    for (size_t i = 0; i < e->nhelp; i++)
        free(e->help[i]);
    for (size_t i = 0; i < e->ntype; i++)
        free(e->type[i]);
    free(e->s);
}

/* The family a sample belongs to: histogram series drop their suffix. */
static void family_of(const struct sample *s, char *out, size_t cap)
{
    static const char *const suffixes[] = { "_bucket", "_sum", "_count" };
    size_t n = strlen(s->name);

    snprintf(out, cap, "%s", s->name);
    for (size_t i = 0; i < 3; i++) {
        size_t k = strlen(suffixes[i]);

        if (n > k && strcmp(s->name + n - k, suffixes[i]) == 0 &&
            strstr(s->name, "duration_seconds") != NULL) {
            out[n - k] = '\0';
            return;
        }
    }
}

/* --- fixture -------------------------------------------------------------------------------- */

static const struct glc_breaker_def defs[] = {
    { "database", 1, 60000, 1, 1, GLC_CHECK_POSTGRES, 1 },
    { "redis", 3, 60000, 2, 2, GLC_CHECK_REDIS, 1 },
    { "anthropic_api", 1, 1, 1, 2, GLC_CHECK_NONE, 0 },
};

struct world {
    struct glc_breaker_set *set;
    struct glc_metrics_dep deps[3];
    uint64_t http[GLC_PATH_COUNT][GLC_CODE_COUNT];
    struct glc_strbuf out;
    struct exposition e;
};

static void render(struct world *w)
{
    struct glc_metrics_input in = {
        .set = w->set, .deps = w->deps, .ndeps = 3,
        .http = (const uint64_t (*)[GLC_CODE_COUNT])w->http, .ready = 1,
    };

    glc_sb_init(&w->out);
    assert_int_equal(glc_metrics_render(&w->out, &in), 0);
    assert_non_null(w->out.data);
    parse(w->out.data, &w->e);
}

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    struct glc_breaker_ticket t;
    struct timespec pause = { 0, 2 * 1000000L };

    w->set = glc_breaker_set_new(defs, 3, NULL);
    assert_non_null(w->set);
    t = glc_breaker_acquire(w->set, 0);                 /* database: open */
    glc_breaker_release(w->set, &t, GLC_OUTCOME_FAILURE);
    t = glc_breaker_acquire(w->set, 2);                 /* anthropic_api: half-open */
    glc_breaker_release(w->set, &t, GLC_OUTCOME_FAILURE);
    nanosleep(&pause, NULL);
    t = glc_breaker_acquire(w->set, 2);
    glc_breaker_release(w->set, &t, GLC_OUTCOME_SUCCESS);
    t = glc_breaker_acquire(w->set, 1);                 /* redis: closed, one success */
    glc_breaker_release(w->set, &t, GLC_OUTCOME_SUCCESS);

    w->deps[0].name = "database";
    w->deps[1].name = "redis";
    w->deps[1].up = 1;
    w->deps[2].name = "we\"ird\\na\nme";               /* escaping must hold for any value */
    glc_histogram_observe(&w->deps[0].hist, 0.0004);
    glc_histogram_observe(&w->deps[0].hist, 0.001);     /* le is inclusive */
    glc_histogram_observe(&w->deps[0].hist, 0.3);
    glc_histogram_observe(&w->deps[0].hist, 7.5);       /* only +Inf */
    for (int i = 0; i < 50; i++)
        glc_histogram_observe(&w->deps[1].hist, 0.0001 * i);
    w->http[GLC_PATH_READY][GLC_CODE_503] = 4;
    w->http[GLC_PATH_OTHER][GLC_CODE_404] = 2;
    render(w);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;

    exposition_free(&w->e);
    glc_sb_free(&w->out);
    glc_breaker_set_free(w->set);
    free(w);
    return 0;
}

static const struct sample *find(const struct exposition *e, const char *name, const char *labels)
{
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->s[i].name, name) == 0 && strcmp(e->s[i].labels, labels) == 0)
            return &e->s[i];
    return NULL;
}

static double value_of(const struct exposition *e, const char *name, const char *labels)
{
    const struct sample *s = find(e, name, labels);

    if (!s)
        fail_msg("missing series %s{%s}", name, labels);
    return s->value;
}

/* --- tests ---------------------------------------------------------------------------------- */

static void test_ends_with_newline(void **state)
{
    struct world *w = *state;

    assert_true(w->out.len > 0);
    assert_int_equal(w->out.data[w->out.len - 1], '\n');
    assert_null(strstr(w->out.data, "\n\n"));
}

static void test_unique_series(void **state)
{
    struct world *w = *state;

    for (size_t i = 0; i < w->e.n; i++)
        for (size_t j = i + 1; j < w->e.n; j++)
            if (strcmp(w->e.s[i].name, w->e.s[j].name) == 0 &&
                strcmp(w->e.s[i].labels, w->e.s[j].labels) == 0)
                fail_msg("duplicate series %s{%s}", w->e.s[i].name, w->e.s[i].labels);
}

static void test_help_type_once_and_grouped(void **state)
{
    struct world *w = *state;
    char fam[128], prev[128] = "";
    size_t families = 0;

    assert_int_equal(w->e.nhelp, w->e.ntype);
    for (size_t i = 0; i < w->e.nhelp; i++)
        for (size_t j = i + 1; j < w->e.nhelp; j++)
            assert_string_not_equal(w->e.help[i], w->e.help[j]);
    /* Samples of one family are contiguous, and families appear in HELP order. */
    for (size_t i = 0; i < w->e.n; i++) {
        family_of(&w->e.s[i], fam, sizeof fam);
        if (strcmp(fam, prev) == 0)
            continue;
        assert_true(families < w->e.nhelp);
        assert_string_equal(fam, w->e.help[families]);
        families++;
        snprintf(prev, sizeof prev, "%s", fam);
    }
    assert_int_equal(families, w->e.nhelp);
}

static void test_required_families(void **state)
{
    static const char *const required[] = {
        "glc_circuit_breaker_state gauge", "glc_circuit_breaker_calls_total counter",
        "glc_circuit_breaker_transitions_total counter", "glc_dependency_up gauge",
        "glc_dependency_check_duration_seconds histogram", "glc_http_requests_total counter",
    };
    struct world *w = *state;

    for (size_t r = 0; r < sizeof required / sizeof required[0]; r++) {
        size_t i = 0;

        while (i < w->e.ntype && strcmp(w->e.type[i], required[r]) != 0)
            i++;
        if (i == w->e.ntype)
            fail_msg("no '# TYPE %s'", required[r]);
    }
}

static void test_state_gauge(void **state)
{
    struct world *w = *state;
    const struct exposition *e = &w->e;

    assert_true(value_of(e, "glc_circuit_breaker_state", "breaker=\"database\",state=\"open\"") == 1);
    assert_true(value_of(e, "glc_circuit_breaker_state", "breaker=\"database\",state=\"closed\"") == 0);
    assert_true(value_of(e, "glc_circuit_breaker_state", "breaker=\"database\",state=\"half_open\"") == 0);
    assert_true(value_of(e, "glc_circuit_breaker_state", "breaker=\"redis\",state=\"closed\"") == 1);
    assert_true(value_of(e, "glc_circuit_breaker_state", "breaker=\"anthropic_api\",state=\"half_open\"") == 1);
    for (unsigned b = 0; b < 3; b++) {
        double sum = 0;

        for (size_t i = 0; i < e->n; i++)
            if (strcmp(e->s[i].name, "glc_circuit_breaker_state") == 0 &&
                strncmp(e->s[i].labels + 9, defs[b].name, strlen(defs[b].name)) == 0 &&
                e->s[i].labels[9 + strlen(defs[b].name)] == '"')
                sum += e->s[i].value;
        assert_true(sum == 1);
    }
}

static void test_counters(void **state)
{
    struct world *w = *state;
    const struct exposition *e = &w->e;

    assert_true(value_of(e, "glc_circuit_breaker_calls_total", "breaker=\"database\",outcome=\"failure\"") == 1);
    assert_true(value_of(e, "glc_circuit_breaker_calls_total", "breaker=\"redis\",outcome=\"success\"") == 1);
    assert_true(value_of(e, "glc_circuit_breaker_calls_total", "breaker=\"anthropic_api\",outcome=\"success\"") == 1);
    assert_true(value_of(e, "glc_circuit_breaker_transitions_total",
                         "breaker=\"anthropic_api\",from=\"open\",to=\"half_open\"") == 1);
    assert_true(value_of(e, "glc_circuit_breaker_transitions_total",
                         "breaker=\"database\",from=\"closed\",to=\"open\"") == 1);
    assert_true(value_of(e, "glc_dependency_up", "dependency=\"redis\"") == 1);
    assert_true(value_of(e, "glc_dependency_up", "dependency=\"database\"") == 0);
    assert_true(value_of(e, "glc_http_requests_total", "path=\"/health/ready\",code=\"503\"") == 4);
    assert_true(value_of(e, "glc_http_requests_total", "path=\"other\",code=\"404\"") == 2);
    assert_true(value_of(e, "glc_http_requests_total", "path=\"/health/live\",code=\"200\"") == 0);
    assert_true(value_of(e, "glc_circuit_breaker_last_transition_timestamp_seconds",
                         "breaker=\"database\"") > 1.5e9);
    assert_true(value_of(e, "glc_circuit_breaker_last_transition_timestamp_seconds",
                         "breaker=\"redis\"") == 0);
}

static void check_histogram(const struct exposition *e, const char *dep)
{
    double prev_le = -1, prev_count = -1, inf = -1, count = -1;
    int buckets = 0;

    for (size_t i = 0; i < e->n; i++) {
        const struct sample *s = &e->s[i];

        if (strcmp(s->dep, dep) != 0 || !strstr(s->name, "check_duration"))
            continue;
        if (strcmp(s->name, "glc_dependency_check_duration_seconds_count") == 0)
            count = s->value;
        if (strcmp(s->name, "glc_dependency_check_duration_seconds_bucket") != 0)
            continue;
        buckets++;
        assert_true(s->value >= prev_count);  /* cumulative: monotone */
        prev_count = s->value;
        if (strcmp(s->le, "+Inf") == 0) {
            inf = s->value;
            continue;
        }
        assert_true(inf < 0);                 /* +Inf comes last */
        assert_true(strtod(s->le, NULL) > prev_le);
        prev_le = strtod(s->le, NULL);
    }
    assert_int_equal(buckets, GLC_HIST_BUCKETS + 1);
    assert_true(inf >= 0);
    assert_true(inf == count);
}

static void test_histograms(void **state)
{
    struct world *w = *state;
    const struct exposition *e = &w->e;

    check_histogram(e, "database");
    check_histogram(e, "redis");
    check_histogram(e, "we\"ird\\na\nme");
    assert_true(value_of(e, "glc_dependency_check_duration_seconds_bucket",
                         "dependency=\"database\",le=\"0.001\"") == 2);
    assert_true(value_of(e, "glc_dependency_check_duration_seconds_bucket",
                         "dependency=\"database\",le=\"5\"") == 3);
    assert_true(value_of(e, "glc_dependency_check_duration_seconds_bucket",
                         "dependency=\"database\",le=\"+Inf\"") == 4);
    assert_true(value_of(e, "glc_dependency_check_duration_seconds_count", "dependency=\"database\"") == 4);
    assert_true(value_of(e, "glc_dependency_check_duration_seconds_sum", "dependency=\"database\"") > 7.80);
    assert_true(value_of(e, "glc_dependency_check_duration_seconds_count", "dependency=\"redis\"") == 50);
}

static void test_label_escaping(void **state)
{
    struct world *w = *state;
    struct glc_strbuf sb;

    glc_sb_init(&sb);
    glc_prom_escape_label(&sb, "a\"b\\c\nd");
    assert_string_equal(sb.data, "a\\\"b\\\\c\\nd");
    glc_sb_free(&sb);
    assert_non_null(strstr(w->out.data, "glc_dependency_up{dependency=\"we\\\"ird\\\\na\\nme\"} 0\n"));
}

/* promtool's own lint, when it is installed (it is in CI). */
static void test_promtool(void **state)
{
    struct world *w = *state;
    FILE *p;

    if (system("command -v promtool >/dev/null 2>&1") != 0)
        skip();
    p = popen("promtool check metrics >/dev/null", "w");
    assert_non_null(p);
    fwrite(w->out.data, 1, w->out.len, p);
    assert_int_equal(pclose(p), 0);
}

static void test_path_and_code_enums(void **state)
{
    (void)state;
    assert_int_equal(glc_http_path_of("/health/ready"), GLC_PATH_READY);
    assert_int_equal(glc_http_path_of("/metrics"), GLC_PATH_METRICS);
    assert_int_equal(glc_http_path_of("/health/ready/"), GLC_PATH_OTHER);
    assert_int_equal(glc_http_path_of("/x?y"), GLC_PATH_OTHER);
    assert_int_equal(glc_http_code_of(503), GLC_CODE_503);
    assert_int_equal(glc_http_code_of(418), GLC_CODE_500);
    assert_string_equal(glc_http_path_label(GLC_PATH_OTHER), "other");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ends_with_newline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unique_series, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_type_once_and_grouped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_required_families, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_gauge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_histograms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_label_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_promtool, setup, teardown),
        cmocka_unit_test(test_path_and_code_enums),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
