/*
 * glc.h — the compiler's one internal header, read as a module map.
 *
 * The pipeline is   load → schema → model → check → (view → render → emit → link)
 * and every stage lives in its own file, in that order, below. Each stage takes
 * the run's context (struct glc_ctx *) first. There are no mutable globals.
 *
 * Ownership: everything the compiler allocates for a run comes from the run's
 * arena (cx->arena) and is released at once by glc_ctx_free(); core code never
 * calls free() on arena memory. Functions that hand out malloc'd memory say so.
 */
#ifndef GLC_H
#define GLC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef GLC_VERSION
#define GLC_VERSION "0.0.0"
#endif

struct json_t;
struct glc_ctx;

/* ------------------------------------------------------------------ arena.c */

struct glc_arena;

struct glc_arena *glc_arena_new(void);
void glc_arena_free(struct glc_arena *a);
void *glc_alloc(struct glc_arena *a, size_t n);         /* zeroed, 16-aligned; aborts on OOM */
char *glc_strndup(struct glc_arena *a, const char *s, size_t n);
char *glc_strdup(struct glc_arena *a, const char *s);
char *glc_sprintf(struct glc_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *glc_vsprintf(struct glc_arena *a, const char *fmt, va_list ap);
/* A user string fit for a message: control characters escaped, cut at 60
 * characters (a 10 MB value must not make a 10 MB diagnostic). */
const char *glc_shown(struct glc_arena *a, const char *s);
size_t glc_arena_bytes(const struct glc_arena *a);      /* total bytes reserved */

/* Growable byte buffer (malloc'd; the owner calls glc_buf_free). */
struct glc_buf {
    char *data;
    size_t len, cap;
};
void glc_buf_put(struct glc_buf *b, const char *s, size_t n);
void glc_buf_puts(struct glc_buf *b, const char *s);
void glc_buf_putc(struct glc_buf *b, char c);
void glc_buf_printf(struct glc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void glc_buf_free(struct glc_buf *b);

/* ------------------------------------------------------------------ diag.c */

/* A source span. Lines and columns are 1-based (converted once, in load.c).
 * file is an index into cx->files; line 0 means "the whole file". */
struct glc_loc {
    uint32_t file;
    uint32_t line, col;
    uint32_t end_line, end_col; /* exclusive end column; 0 = point */
};

enum glc_severity { GLC_NOTE = 0, GLC_WARNING = 1, GLC_ERROR = 2 };

struct glc_related {
    struct glc_loc at;
    const char *message;
};

struct glc_diag {
    const char *code;     /* "GLC121" */
    enum glc_severity severity;
    struct glc_loc at;
    const char *path;     /* dotted key path, "kubernetes.autoscaling.horizontal.max_replicas" */
    const char *message;
    const char *notes[4]; /* "= note: ..." lines */
    int nnotes;
    const char *help;     /* "= help: ..." line */
    struct glc_related related[2];
    int nrelated;
    bool suppressed;
    const char *suppress_reason;
    uint32_t seq;         /* insertion order, for a stable sort */
    const char *file_path; /* the file's path, the first sort key */
};

enum glc_format { GLC_FMT_TEXT, GLC_FMT_JSON, GLC_FMT_SARIF, GLC_FMT_GITHUB };

/* Report a finding; returns it so callers can add notes, help and related
 * locations (all strings must live in the arena or be static). */
struct glc_diag *glc_report(struct glc_ctx *cx, const char *code, struct glc_loc at,
                            const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void glc_note(struct glc_ctx *cx, struct glc_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void glc_help(struct glc_ctx *cx, struct glc_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void glc_related(struct glc_ctx *cx, struct glc_diag *d, struct glc_loc at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void glc_diag_finish(struct glc_ctx *cx);              /* apply suppressions, sort, count */
void glc_diag_render(struct glc_ctx *cx, FILE *out, enum glc_format fmt, bool color);
int glc_diag_count(const struct glc_ctx *cx, enum glc_severity sev); /* unsuppressed */

/* ------------------------------------------------------------------ rules.c */

/* The rule registry: every diagnostic code, its default severity and its
 * one-line title. docs/rules/<code>.md is the long form (glc explain). */
struct glc_rule {
    const char *code;
    enum glc_severity severity;
    const char *name;   /* short kebab-case name, "hpa-max-exceeds-capacity" */
    const char *title;  /* one sentence */
};
const struct glc_rule *glc_rule_find(const char *code);
const struct glc_rule *glc_rules(size_t *n);
const char *glc_severity_name(enum glc_severity s);

/* ------------------------------------------------------------------ load.c */

/* glc's own compact, located YAML tree, built from libfyaml parser events.
 * Aliases share the anchored node (no copy); merge keys (<<) are resolved.
 * Budgets bound nesting depth, alias expansion and total node count. */
enum glc_ykind { GLC_YSCALAR, GLC_YMAP, GLC_YSEQ };

struct glc_ypair;

struct glc_ynode {
    uint8_t kind;       /* enum glc_ykind */
    uint8_t quoted;     /* scalar written quoted or as a block scalar: always a string */
    uint32_t count;     /* pairs (map) or items (seq); byte length (scalar) */
    uint64_t weight;    /* nodes in this subtree counting alias expansions (the budget) */
    struct glc_loc at;  /* the node's own span */
    union {
        const char *str;               /* scalar bytes, NUL-terminated */
        struct glc_ypair *pairs;       /* map */
        struct glc_ynode **items;      /* seq */
    } u;
};

struct glc_ypair {
    struct glc_ynode *key; /* always a scalar (complex keys are rejected) */
    struct glc_ynode *val;
};

struct glc_file {
    const char *path;      /* as given on the command line */
    const char *text;      /* whole file, NUL-terminated */
    size_t len;
    const uint32_t *line_off; /* byte offset of each line start; line_off[i] = line i+1 */
    uint32_t nlines;
    struct glc_ynode *root;   /* NULL when the file failed to parse */
    int kind;                 /* enum glc_cfg_kind */
};

/* Read and parse a file; diagnostics go to cx. Returns the file index, or -1
 * when the file cannot be read at all (an I/O problem: exit code 2). */
int glc_load_file(struct glc_ctx *cx, const char *path);
/* Parse an in-memory buffer (tests, glc diff). The buffer is copied. */
int glc_load_buffer(struct glc_ctx *cx, const char *path, const char *buf, size_t len);

const struct glc_ynode *glc_ymap_get(const struct glc_ynode *map, const char *key);
/* Span from a pair's key to the end of its value (what a caret underlines). */
struct glc_loc glc_pair_span(const struct glc_ypair *p);

/* ------------------------------------------------------------------ quantity.c */

/* Kubernetes quantities, parsed exactly in integers.
 * cpu:    "2000m", "2", "1.5", "0.5", "250m", "1e3m"      -> millicores
 * memory: "4Gi", "500Mi", "1G", "1.5Gi", "128974848", "1e9" -> bytes
 * A value that is not a whole number of the target unit is rounded up (as the
 * API server does for sub-milli cpu). Returns 0, or -1 with *why set to a
 * static English reason ("invalid suffix 'Gb'", "value too large"). */
int glc_qty_cpu_milli(const char *s, int64_t *out, const char **why);
int glc_qty_bytes(const char *s, int64_t *out, const char **why);
/* Durations in Go/Kubernetes syntax: "10m", "1h30m", "300s", "1.5h", "500ms"; a
 * bare integer is seconds. -> milliseconds. Returns 0 or -1 with *why. */
int glc_duration_ms(const char *s, int64_t *out, const char **why);
/* Format for humans: 7910 -> "7910m"; bytes -> "15.0Gi" / "893Mi" / "512Ki". */
char *glc_fmt_cpu(struct glc_arena *a, int64_t milli);
char *glc_fmt_bytes(struct glc_arena *a, int64_t bytes);
/* Canonical Kubernetes spelling for manifests: "2000m" -> "2", "1500m"; "4Gi". */
char *glc_k8s_cpu(struct glc_arena *a, int64_t milli);
char *glc_k8s_bytes(struct glc_arena *a, int64_t bytes);

/* ------------------------------------------------------------------ capacity.c */

/* Built-in EC2 instance table with EKS allocatable. */
struct glc_instance {
    const char *name;       /* "c6i.2xlarge" */
    int vcpu;
    int64_t memory_mib;     /* nominal memory */
    int enis, ips_per_eni;  /* for the max-pods formula */
};
struct glc_allocatable {
    int max_pods;           /* enis * (ips_per_eni - 1) + 2 */
    int64_t cpu_milli;      /* vcpu*1000 - kube-reserved cpu */
    int64_t memory_bytes;   /* memory - kube-reserved (255Mi + 11Mi*max_pods) - eviction (100Mi) */
    int64_t kube_reserved_cpu_milli;
    int64_t kube_reserved_memory_bytes;
    int64_t eviction_bytes;
};
const struct glc_instance *glc_instance_find(const char *name);
const struct glc_instance *glc_instances(size_t *n);
void glc_allocatable(const struct glc_instance *it, struct glc_allocatable *out);
/* How many pods with these requests fit one node: min over cpu, memory, max_pods.
 * Reports which resource binds through *limit ("cpu", "memory", "max-pods"). */
int64_t glc_pods_per_node(const struct glc_allocatable *al, int64_t cpu_milli,
                          int64_t mem_bytes, const char **limit);

/* ------------------------------------------------------------------ schema.c */

/* The JSON Schemas in schema/ are embedded at build time (embed.c, generated). */
struct glc_embedded {
    const char *name; /* path relative to the source root, "schema/kubernetes_config.schema.json" */
    const unsigned char *data;
    size_t len;
};
extern const struct glc_embedded glc_embedded_files[];
extern const size_t glc_embedded_count;
const struct glc_embedded *glc_embedded_find(const char *name);

enum glc_cfg_kind { GLC_CFG_UNKNOWN = 0, GLC_CFG_KUBERNETES, GLC_CFG_RESILIENCE };

/* Validate a loaded file against its schema: types, ranges, enums, patterns,
 * formats (quantity, duration, dns-label), required keys and unknown keys (with
 * a "did you mean"). Returns the number of errors reported. */
int glc_schema_validate(struct glc_ctx *cx, int file);
/* The parsed embedded schema of a config kind, and the default at a dotted
 * path ("kubernetes.app.name"); NULL when the schema has none. */
struct json_t *glc_schema_get(struct glc_ctx *cx, int kind);
struct json_t *glc_schema_default(struct glc_ctx *cx, int kind, const char *dotted);
/* The config reference as markdown (schemadoc.c), from the embedded schema. */
int glc_schema_markdown(struct glc_ctx *cx, int kind, struct glc_buf *out);
/* Levenshtein-based suggestion among candidates; NULL when nothing is close. */
const char *glc_suggest(const char *word, const char *const *cands, size_t n);

/* ------------------------------------------------------------------ model.c */

/* Typed values keep their location. `set` is false when the value is the
 * schema default; `at` then points at the nearest key that is present (the
 * parent section), so a diagnostic still names a line to change. */
typedef struct { int64_t v; struct glc_loc at; bool set; } glc_int;
typedef struct { bool v; struct glc_loc at; bool set; } glc_bool;
typedef struct { const char *v; struct glc_loc at; bool set; } glc_str;
/* cpu in millicores or memory in bytes, plus the text as written. */
typedef struct { int64_t v; const char *text; struct glc_loc at; bool set; } glc_qty;
/* maxSurge / maxUnavailable: an integer or a percentage. */
typedef struct { int64_t v; bool percent; struct glc_loc at; bool set; } glc_intpct;

enum glc_affinity { GLC_AFF_NONE, GLC_AFF_PREFERRED, GLC_AFF_REQUIRED };
enum glc_vpa_mode { GLC_VPA_OFF, GLC_VPA_INITIAL, GLC_VPA_RECREATE, GLC_VPA_AUTO, GLC_VPA_INPLACE };

struct glc_zone {
    const char *name;
    struct glc_loc at;    /* the item in cluster.availability_zones */
    glc_int replicas;     /* from deployment.replica_distribution; set=false if absent */
    int64_t pods;         /* pods that run here: the distribution's count, or the even
                             split of replicas (remainder to the first zones listed) */
};

struct glc_dist_entry {   /* deployment.replica_distribution, in source order */
    const char *zone;
    glc_int replicas;
    struct glc_loc key_at;
};

struct glc_probe {
    const char *kind;     /* "liveness" | "readiness" | "startup" */
    struct glc_loc at;    /* the probe's key */
    bool present;
    glc_str path;
    glc_int port, initial_delay, period, timeout, failure_threshold, success_threshold;
};

enum glc_check { GLC_CHECK_NONE = 0, GLC_CHECK_POSTGRES, GLC_CHECK_REDIS, GLC_CHECK_KAFKA };

struct glc_breaker {
    const char *name;
    struct glc_loc at;    /* the service's key */
    glc_int failure_threshold, recovery_timeout, half_open_max_calls, success_threshold;
    struct { enum glc_check v; struct glc_loc at; bool set; } check; /* inferred from the name */
};

struct glc_k8s {
    int file;             /* index into cx->files */
    struct glc_loc at;    /* the top-level `kubernetes:` key */
    struct {
        glc_str name, namespace, image, version;
        glc_int http_port, metrics_port;
        struct glc_loc at;
    } app;
    struct {
        glc_str name, region, instance_type;
        struct glc_zone *zones; size_t nzones;
        struct glc_loc at, zones_at;
    } cluster;
    struct {
        glc_int replicas, termination_grace_period;
        glc_intpct max_unavailable, max_surge;
        struct glc_dist_entry *dist; size_t ndist;
        struct glc_loc at, dist_at;
        struct { enum glc_affinity v; struct glc_loc at; bool set; } zone_aa, host_aa;
    } deployment;
    struct {
        glc_qty req_cpu, req_mem, lim_cpu, lim_mem;
        struct glc_loc at;
    } resources;
    struct {
        glc_bool enabled;
        glc_int min_replicas, max_replicas, target_cpu, target_memory;
        glc_int scale_up_stabilization, scale_down_stabilization;
        glc_int scale_up_percent, scale_up_pods, scale_up_period;
        glc_int scale_down_percent, scale_down_period, target_requests_per_second;
        struct glc_loc at;
    } hpa;
    struct {
        glc_bool enabled;
        struct { enum glc_vpa_mode v; struct glc_loc at; bool set; } mode;
        glc_qty min_cpu, max_cpu, min_mem, max_mem;
        bool controls_cpu, controls_memory; struct glc_loc controlled_at;
        struct glc_loc at;
    } vpa;
    struct {
        glc_bool enabled;
        glc_int min_nodes, max_nodes;
        glc_int scale_down_delay_after_add_ms, scale_down_unneeded_time_ms;
        struct glc_loc at;
    } ca;
    struct glc_probe liveness, readiness, startup;
    struct { const char **names; struct glc_loc *at; size_t n; struct glc_loc list_at; bool set; }
        readiness_deps;   /* health_checks.readiness.dependencies */
    struct {
        glc_str type, scheme, session_affinity, health_check_path;
        glc_bool cross_zone;
        glc_int deregistration_delay, health_check_interval, healthy_threshold, unhealthy_threshold;
        struct glc_loc at;
    } lb;
};

struct glc_resilience {
    int file;
    struct glc_loc at;
    glc_bool enabled;
    struct glc_breaker *breakers; size_t nbreakers;   /* source order */
    struct glc_loc services_at;
    struct {
        glc_bool track_state_changes, alert_on_open, alert_on_close;
        const char **channels; struct glc_loc *channel_at; size_t nchannels;
        struct glc_loc at, channels_at;
    } monitoring;
};

struct glc_model {
    struct glc_k8s *k8s;          /* NULL when no kubernetes config was given */
    struct glc_resilience *res;   /* NULL when no resilience config was given */
};

/* Build the typed model from the validated trees (defaults from the schema). */
void glc_model_build(struct glc_ctx *cx);

/* ------------------------------------------------------------------ check.c */

/* Capacity facts derived once for the rules (node type may be unknown). */
struct glc_capacity {
    const struct glc_instance *instance;  /* NULL: unknown type, capacity rules skipped */
    struct glc_allocatable alloc;
    int64_t pods_per_node;
    const char *binding;                  /* "cpu" | "memory" | "max-pods" */
};

/* Nodes of zone i's node group when the cluster autoscaler is off (fixed
 * size): its pods plus its share of the rollout surge, divided by the pods
 * that fit a node (one per node with required host anti-affinity), at least 1.
 * The view sizes the Terraform node groups with it, and GLC121 checks against
 * it, so the rule and the output cannot disagree. */
int64_t glc_fixed_zone_nodes(const struct glc_k8s *k, const struct glc_capacity *cap, size_t i);
/* Pods per node as the scheduler will place them: 1 with required host
 * anti-affinity, else cap->pods_per_node (at least 1). */
int64_t glc_effective_pods_per_node(const struct glc_k8s *k, const struct glc_capacity *cap);

/* Run every invariant rule over cx->model. Each rule family is a file:
 * rules_zone.c, rules_autoscale.c, rules_probe.c, rules_lb.c, rules_breaker.c. */
void glc_check(struct glc_ctx *cx);
void glc_check_zone(struct glc_ctx *cx, const struct glc_capacity *cap);
void glc_check_autoscale(struct glc_ctx *cx, const struct glc_capacity *cap);
void glc_check_probe(struct glc_ctx *cx, const struct glc_capacity *cap);
void glc_check_lb(struct glc_ctx *cx, const struct glc_capacity *cap);
void glc_check_breaker(struct glc_ctx *cx, const struct glc_capacity *cap);

/* ------------------------------------------------------------------ view.c */

/* The checked model as the JSON view the templates are filled from (jansson;
 * the caller json_decref()s it). Uses cx->capacity from glc_check(). */
struct json_t *glc_view(struct glc_ctx *cx);

/* ------------------------------------------------------------------ emit.c */

/* One rendered output file, path relative to the output directory. */
struct glc_output {
    const char *path;
    char *data;      /* malloc'd */
    size_t len;
};
struct glc_outset {
    struct glc_output *v;
    size_t n, cap;
};
void glc_outset_free(struct glc_outset *o);

/* Render every template (built-in, or overridden file by file from
 * templates_dir) into memory; outputs are sorted by path. Returns 0, or -1
 * after reporting a template error on stderr. */
int glc_render_all(struct glc_ctx *cx, const char *templates_dir, struct glc_outset *out);

enum glc_write_mode { GLC_WRITE, GLC_CHECK_ONLY };
struct glc_write_stats {
    int written, unchanged, removed;      /* GLC_WRITE */
    int stale, missing, extra;            /* GLC_CHECK_ONLY */
};
/* Write outputs atomically (temp file + rename, unchanged files untouched),
 * remove files a previous build generated but this one does not (per the
 * .glc-manifest), or in GLC_CHECK_ONLY mode only compare and list drift on
 * stderr. Returns 0, 1 on drift (check mode), 2 on an I/O error. */
int glc_write_outputs(struct glc_ctx *cx, const char *outdir, const struct glc_outset *o,
                      enum glc_write_mode mode, struct glc_write_stats *st);

/* ------------------------------------------------------------------ link.c */

/* Compile <out>/c/glc_breakers.c with the runtime's main and link
 * <out>/bin/<app>-runtime against the runtime library ($CC, pkg-config);
 * relinks only when an input changed. Returns 0, or 2 with a message. */
int glc_link(struct glc_ctx *cx, const char *outdir);

/* ------------------------------------------------------------------ udiff.c */

/* A line diff of a against b as unified-diff hunks with `context` unchanged
 * lines around each change (Myers' O(ND) algorithm in linear space). Appends
 * "--- a_label", "+++ b_label" and the hunks to out; a last line without a
 * newline is followed by "\ No newline at end of file". Returns the number
 * of hunks: 0 when a and b are equal (nothing is appended). */
int glc_udiff(const char *a, size_t alen, const char *b, size_t blen, const char *a_label,
              const char *b_label, int context, struct glc_buf *out);

/* ------------------------------------------------------------------ diff.c */

/* glc diff: the configs at a git revision against the working tree, or two
 * config directories. Each side is loaded into its own context and analyzed;
 * the report lists findings introduced and resolved, the impact computed from
 * the two models, and a unified diff of the generated output. */
enum glc_diff_format { GLC_DIFF_TEXT, GLC_DIFF_JSON, GLC_DIFF_MARKDOWN, GLC_DIFF_GITHUB };
enum glc_impact_class { GLC_IMPACT_SAFE, GLC_IMPACT_RISKY, GLC_IMPACT_BREAKING };

struct glc_diff_options {
    const char *base;                /* git revision (NULL: HEAD, or two directories) */
    enum glc_diff_format format;
    enum glc_impact_class fail_on;   /* BREAKING (default) or RISKY */
    bool color;                      /* text format only */
};

/* One line of impact. `at` is in the new side's files (for something removed:
 * its parent section there); strings live in the new side's arena. */
struct glc_impact {
    enum glc_impact_class cls;
    const char *message;   /* "replicas 9 → 6" */
    const char *path;      /* dotted key path, "kubernetes.deployment.replicas" */
    struct glc_loc at;
    uint32_t seq;          /* computation order, for a stable sort */
};

/* Run glc diff on args (files or directories; none: the current directory)
 * and write the report to out. Returns the exit code: 0 no change or only
 * safe changes, 1 new errors or a breaking impact (or risky with fail_on
 * RISKY), 2 usage, I/O or git problems (reported on stderr). */
int glc_diff(const struct glc_diff_options *o, const char *const *args, int nargs, FILE *out);
/* The impact of going from old's checked model to new's (both analyzed),
 * breaking first, then risky, then safe. Returns the count; *out is malloc'd. */
size_t glc_diff_impact(struct glc_ctx *old, struct glc_ctx *new, struct glc_impact **out);
const char *glc_impact_class_name(enum glc_impact_class c);

/* ------------------------------------------------------------------ mustache.c */

/* A Mustache renderer (spec v1.x: interpolation, sections, inverted sections,
 * comments, partials, set-delimiters; no lambdas) over a jansson view.
 * {{name}} goes through `escape` (HTML when NULL); {{{name}}} and {{&name}}
 * do not. Partials are looked up through `partial` (NULL = none). Returns 0,
 * or -1 with a located message ("line 3: unclosed section 'x'") in err. */
typedef void (*glc_escape_fn)(struct glc_buf *out, const char *s, size_t n, void *ud);
typedef const char *(*glc_partial_fn)(const char *name, void *ud);

struct glc_mustache {
    glc_escape_fn escape; void *escape_ud;
    glc_partial_fn partial; void *partial_ud;
};
int glc_mustache_render(const struct glc_mustache *m, const char *tmpl, size_t len,
                        struct json_t *view, struct glc_buf *out, char *err, size_t errlen);
void glc_escape_html(struct glc_buf *out, const char *s, size_t n, void *ud);

/* ------------------------------------------------------------------ context */

struct glc_options {
    enum glc_format format;
    bool werror;
    bool color;
};

struct glc_ctx {
    struct glc_arena *arena;
    struct glc_options opt;
    struct glc_file *files; size_t nfiles, files_cap;
    struct glc_diag **diags; size_t ndiags, diags_cap;
    int nerrors, nwarnings, nnotes, nsuppressed;
    struct glc_model model;
    struct glc_capacity capacity;  /* derived by glc_check() */
    struct json_t *schema[3];     /* parsed embedded schemas, by enum glc_cfg_kind */
};

struct glc_ctx *glc_ctx_new(const struct glc_options *opt);
void glc_ctx_free(struct glc_ctx *cx);

/* Discover inputs (files, or directories holding kubernetes_config.yaml and
 * resilience_config.yaml, also under config/), load, validate and model them.
 * Returns 0, or 2 on a usage or I/O problem (already reported on stderr). */
int glc_front_end(struct glc_ctx *cx, const char *const *args, int nargs);
/* The back half of glc_front_end on files already loaded (glc diff loads
 * buffers): validate, model and check. False when front-end errors stopped it
 * before the model was built. */
bool glc_analyze(struct glc_ctx *cx);
/* The config files of a directory as glc_front_end finds them: out[0] the
 * kubernetes, out[1] the resilience config (NULL when absent). Returns the count. */
int glc_dir_configs(struct glc_ctx *cx, const char *dir, const char *out[2]);

/* Render a loc as "file:line:col" into the arena. */
const char *glc_loc_str(struct glc_ctx *cx, struct glc_loc at);

#endif
