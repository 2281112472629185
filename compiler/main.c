/*
 * main.c — the glc command line: argument parsing and dispatch only.
 *
 *   glc check [FILE|DIR]... [--format text|json|sarif|github] [--werror]
 *   glc build [FILE|DIR]... [-o DIR] [--no-link] [--check] [--view] [--templates DIR]
 *   glc diff [--base REV] [--format text|json|markdown|github] [--fail-on breaking|risky] [FILE|DIR]...
 *   glc diff OLD_DIR NEW_DIR
 *   glc explain CODE        glc schema kubernetes|resilience
 *   glc --version           glc --help
 *
 * Exit codes: 0 no errors; 1 errors (or warnings with --werror); 2 usage or I/O.
 */
#include "glc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: glc check [FILE|DIR]... [--format text|json|sarif|github] [--werror]\n"
    "       glc build [FILE|DIR]... [-o DIR] [--no-link] [--check] [--view] [--templates DIR]\n"
    "                 [--format text|json|sarif|github] [--werror]\n"
    "       glc diff [--base REV] [FILE|DIR]... [--format text|json|markdown|github]\n"
    "                [--fail-on breaking|risky]\n"
    "       glc diff OLD_DIR NEW_DIR [--format ...] [--fail-on ...]\n"
    "       glc explain CODE | --list\n"
    "       glc schema kubernetes|resilience [--markdown]   glc schema diff\n"
    "       glc --version | --help\n"
    "\n"
    "Inputs are files, or directories holding kubernetes_config.yaml and\n"
    "resilience_config.yaml (also under config/); default: the current directory.\n"
    "Exit status: 0 no errors, 1 errors (or warnings with --werror), 2 usage or I/O problem.\n"
    "glc diff: 0 no change or only safe changes, 1 new errors or a breaking change (or a risky\n"
    "one with --fail-on risky), 2 usage, I/O or git problem.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("glc: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    fputs(usage, stderr);
    return 2;
}

static bool parse_format(const char *s, enum glc_format *out)
{
    static const char *const names[] = {"text", "json", "sarif", "github"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) {
            *out = (enum glc_format)i;
            return true;
        }
    return false;
}

static bool want_color(enum glc_format fmt)
{
    const char *nc = getenv("NO_COLOR");
    return fmt == GLC_FMT_TEXT && isatty(STDERR_FILENO) && !(nc && *nc);
}

struct build_opts {
    const char *out, *templates;
    bool no_link, check, view;
};

/* Options that take a value: "--opt V" or "--opt=V". */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (!strncmp(a, name, n) && a[n] == '=')
        return a + n + 1;
    if (!strcmp(a, name))
        return *i + 1 < argc ? argv[++*i] : "";
    return NULL;
}

/* Parse the options; positional arguments are collected into args. bo is
 * NULL for commands without build options. */
static int parse_common(int argc, char **argv, struct glc_options *opt, struct build_opts *bo,
                        const char **args, int *nargs)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v;
        if (bo && (v = opt_value(argc, argv, &i, "-o")) != NULL) {
            if (!*v)
                return usage_error("-o needs a directory%s", "");
            bo->out = v;
        } else if (bo && (v = opt_value(argc, argv, &i, "--templates")) != NULL) {
            if (!*v)
                return usage_error("--templates needs a directory%s", "");
            bo->templates = v;
        } else if (bo && !strcmp(a, "--no-link")) {
            bo->no_link = true;
        } else if (bo && !strcmp(a, "--check")) {
            bo->check = true;
        } else if (bo && !strcmp(a, "--view")) {
            bo->view = true;
        } else if (!strcmp(a, "--format") || !strncmp(a, "--format=", 9)) {
            v = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || !parse_format(v, &opt->format))
                return usage_error("--format takes text, json, sarif or github, not '%s'", v ? v : "");
        } else if (!strcmp(a, "--werror")) {
            opt->werror = true;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s'", a);
        } else {
            args[(*nargs)++] = a;
        }
    }
    return 0;
}

static int finish(struct glc_ctx *cx)
{
    glc_diag_finish(cx);
    FILE *out = cx->opt.format == GLC_FMT_TEXT ? stderr : stdout;
    glc_diag_render(cx, out, cx->opt.format, cx->opt.color);
    if (cx->nerrors)
        return 1;
    return cx->opt.werror && cx->nwarnings ? 1 : 0;
}

/* The start every analysing command shares: parse the options, then load,
 * validate, model and check. Returns 0 with *cxp and *argsp set (the caller
 * frees both), or the exit status of a usage or I/O problem. */
static int start_run(int argc, char **argv, struct build_opts *bo, struct glc_ctx **cxp,
                     const char ***argsp, int *nargs)
{
    struct glc_options opt = {0};
    const char **args = calloc((size_t)argc + 1, sizeof *args);
    *nargs = 0;
    int rc = parse_common(argc, argv, &opt, bo, args, nargs);
    if (rc) {
        free(args);
        return rc;
    }
    opt.color = want_color(opt.format);
    struct glc_ctx *cx = glc_ctx_new(&opt);
    rc = glc_front_end(cx, args, *nargs);
    if (rc) {
        glc_ctx_free(cx);
        free(args);
        return rc;
    }
    *cxp = cx;
    *argsp = args;
    return 0;
}

static int cmd_check(int argc, char **argv)
{
    struct glc_ctx *cx;
    const char **args;
    int nargs;
    int rc = start_run(argc, argv, NULL, &cx, &args, &nargs);
    if (rc)
        return rc;
    rc = finish(cx);
    glc_ctx_free(cx);
    free(args);
    return rc;
}

static void regen_command(int nargs, const char **args, const struct build_opts *bo)
{
    fputs("glc: output is out of date; regenerate it with:\n    glc build", stderr);
    for (int i = 0; i < nargs; i++)
        fprintf(stderr, " %s", args[i]);
    if (bo->templates)
        fprintf(stderr, " --templates %s", bo->templates);
    fprintf(stderr, " -o %s%s\n", bo->out, bo->no_link ? " --no-link" : "");
}

static int build_outputs(struct glc_ctx *cx, const struct build_opts *bo, int nargs, const char **args)
{
    struct glc_outset out = {0};
    if (glc_render_all(cx, bo->templates, &out) != 0)
        return 2;
    struct glc_write_stats st;
    int rc = glc_write_outputs(cx, bo->out, &out, bo->check ? GLC_CHECK_ONLY : GLC_WRITE, &st);
    if (bo->check && rc == 1) {
        fprintf(stderr, "glc: %d stale, %d missing, %d extra file%s in %s\n", st.stale, st.missing, st.extra,
                st.stale + st.missing + st.extra == 1 ? "" : "s", bo->out);
        regen_command(nargs, args, bo);
    } else if (bo->check && rc == 0) {
        fprintf(stderr, "glc: %s is up to date (%zu files)\n", bo->out, out.n);
    } else if (rc == 0) {
        fprintf(stderr, "glc: %zu files in %s: %d written, %d unchanged, %d removed\n", out.n, bo->out,
                st.written, st.unchanged, st.removed);
        if (!bo->no_link)
            rc = glc_link(cx, bo->out);
    }
    glc_outset_free(&out);
    return rc;
}

static int cmd_build(int argc, char **argv)
{
    struct build_opts bo = {.out = "generated"};
    struct glc_ctx *cx;
    const char **args;
    int nargs;
    int rc = start_run(argc, argv, &bo, &cx, &args, &nargs);
    if (rc)
        return rc;
    rc = finish(cx); /* diagnostics first; nothing is written when there are errors */
    if (rc == 0 && bo.view) {
        json_t *v = glc_view(cx);
        json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(v);
    } else if (rc == 0) {
        rc = build_outputs(cx, &bo, nargs, args);
    }
    glc_ctx_free(cx);
    free(args);
    return rc;
}

static int cmd_diff(int argc, char **argv)
{
    static const char *const formats[] = {"text", "json", "markdown", "github"};
    struct glc_diff_options o = {.fail_on = GLC_IMPACT_BREAKING};
    const char **args = calloc((size_t)argc + 1, sizeof *args);
    int nargs = 0, rc = 0;
    for (int i = 0; i < argc && rc == 0; i++) {
        const char *a = argv[i], *v;
        if ((v = opt_value(argc, argv, &i, "--base")) != NULL) {
            if (!*v)
                rc = usage_error("--base needs a git revision%s", "");
            o.base = v;
        } else if ((v = opt_value(argc, argv, &i, "--format")) != NULL) {
            int k = 0;
            while (k < 4 && strcmp(v, formats[k]))
                k++;
            if (k == 4)
                rc = usage_error("diff --format takes text, json, markdown or github, not '%s'", v);
            o.format = (enum glc_diff_format)k;
        } else if ((v = opt_value(argc, argv, &i, "--fail-on")) != NULL) {
            if (!strcmp(v, "breaking"))
                o.fail_on = GLC_IMPACT_BREAKING;
            else if (!strcmp(v, "risky"))
                o.fail_on = GLC_IMPACT_RISKY;
            else
                rc = usage_error("--fail-on takes breaking or risky, not '%s'", v);
        } else if (a[0] == '-' && a[1]) {
            rc = usage_error("unknown option '%s'", a);
        } else {
            args[nargs++] = a;
        }
    }
    if (rc == 0) {
        const char *nc = getenv("NO_COLOR");
        o.color = o.format == GLC_DIFF_TEXT && isatty(STDOUT_FILENO) && !(nc && *nc);
        rc = glc_diff(&o, args, nargs, stdout);
    }
    free(args);
    return rc;
}

/* `glc explain --list`: the rule index as markdown (docs/rules/README.md). */
static int list_rules(void)
{
    size_t n;
    const struct glc_rule *r = glc_rules(&n);
    puts("| code | severity | name | what it finds |\n|---|---|---|---|");
    for (size_t i = 0; i < n; i++)
        printf("| [%s](%s.md) | %s | %s | %s |\n", r[i].code, r[i].code, glc_severity_name(r[i].severity),
               r[i].name, r[i].title);
    return 0;
}

static int cmd_explain(int argc, char **argv)
{
    if (argc == 1 && !strcmp(argv[0], "--list"))
        return list_rules();
    if (argc != 1)
        return usage_error("explain takes one code, e.g. 'glc explain GLC121'%s", "");
    char code[16];
    snprintf(code, sizeof code, "%s", argv[0]);
    for (char *p = code; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    const struct glc_rule *r = glc_rule_find(code);
    if (!r)
        return usage_error("unknown code '%s'; codes look like GLC121", argv[0]);
    char page[64];
    snprintf(page, sizeof page, "docs/rules/%s.md", r->code);
    const struct glc_embedded *e = glc_embedded_find(page);
    if (e)
        fwrite(e->data, 1, e->len, stdout);
    else
        printf("%s (%s, %s): %s\n", r->code, r->name, glc_severity_name(r->severity), r->title);
    return 0;
}

static int cmd_schema(int argc, char **argv)
{
    if (argc == 1 && !strcmp(argv[0], "diff")) { /* the schema of glc diff --format json */
        const struct glc_embedded *e = glc_embedded_find("schema/diff.schema.json");
        fwrite(e->data, 1, e->len, stdout);
        return 0;
    }
    bool md = argc == 2 && !strcmp(argv[1], "--markdown");
    if ((argc != 1 && !md) || (strcmp(argv[0], "kubernetes") && strcmp(argv[0], "resilience")))
        return usage_error("schema takes 'kubernetes' or 'resilience' [--markdown]%s", "");
    if (md) {
        struct glc_ctx *cx = glc_ctx_new(NULL);
        struct glc_buf b = {0};
        glc_schema_markdown(cx, !strcmp(argv[0], "kubernetes") ? GLC_CFG_KUBERNETES : GLC_CFG_RESILIENCE, &b);
        fwrite(b.data, 1, b.len, stdout);
        glc_buf_free(&b);
        glc_ctx_free(cx);
        return 0;
    }
    const char *name = !strcmp(argv[0], "kubernetes") ? "schema/kubernetes_config.schema.json"
                                                      : "schema/resilience_config.schema.json";
    const struct glc_embedded *e = glc_embedded_find(name);
    fwrite(e->data, 1, e->len, stdout);
    return 0;
}

int main(int argc, char **argv)
{
    /* diagnostics go to stderr: buffer it (100k findings would be 6M writes) */
    static char errbuf[1 << 16];
    setvbuf(stderr, errbuf, _IOFBF, sizeof errbuf);
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("glc %s\n", GLC_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "check"))
        return cmd_check(argc - 2, argv + 2);
    if (!strcmp(cmd, "build"))
        return cmd_build(argc - 2, argv + 2);
    if (!strcmp(cmd, "diff"))
        return cmd_diff(argc - 2, argv + 2);
    if (!strcmp(cmd, "explain"))
        return cmd_explain(argc - 2, argv + 2);
    if (!strcmp(cmd, "schema"))
        return cmd_schema(argc - 2, argv + 2);
    return usage_error("unknown command '%s'", cmd);
}
