/*
 * diag.c — diagnostics: collect every finding, apply `# glc-ignore` comments,
 * sort by file and line, and render as text (source line and caret), JSON,
 * SARIF 2.1.0 or GitHub workflow commands. Every finding has a location.
 */
#include "glc.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- collecting ---- */

#define MAX_MESSAGE 1000  /* bytes; longer messages are cut in the middle */

/* Messages are one line each: control characters that reach one through a
 * user string are escaped, and a message that quotes a huge value is cut. */
static char *clean_message(struct glc_arena *a, char *p, size_t n)
{
    bool dirty = n > MAX_MESSAGE;
    for (size_t i = 0; i < n && !dirty; i++)
        dirty = (unsigned char)p[i] < 0x20 || p[i] == 0x7f;
    if (!dirty)
        return p;
    struct glc_buf b = {0};
    bool cut = n <= MAX_MESSAGE;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!cut && i >= MAX_MESSAGE / 2 && (c & 0xc0) != 0x80) {
            cut = true;
            glc_buf_puts(&b, "...");
            i = n - MAX_MESSAGE / 2;          /* keep the end: it often says what is wrong */
            while (i < n && ((unsigned char)p[i] & 0xc0) == 0x80)
                i++;
            if (i >= n)
                break;
            c = (unsigned char)p[i];
        }
        if (c == '\n')
            glc_buf_puts(&b, "\\n");
        else if (c == '\t')
            glc_buf_puts(&b, "\\t");
        else if (c < 0x20 || c == 0x7f)
            glc_buf_printf(&b, "\\x%02x", c);
        else
            glc_buf_putc(&b, (char)c);
    }
    char *r = glc_strndup(a, b.data ? b.data : "", b.len);
    glc_buf_free(&b);
    return r;
}

static char *vfmt(struct glc_arena *a, const char *fmt, va_list ap)
{
    char small[256]; /* one formatting pass for the usual short message */
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    char *p = glc_alloc(a, n > 0 ? (size_t)n + 1 : 1);
    if (n > 0 && (size_t)n < sizeof small)
        memcpy(p, small, (size_t)n + 1);
    else if (n > 0)
        vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return n > 0 ? clean_message(a, p, (size_t)n) : p;
}

struct glc_diag *glc_report(struct glc_ctx *cx, const char *code, struct glc_loc at,
                            const char *path, const char *fmt, ...)
{
    const struct glc_rule *r = glc_rule_find(code);
    struct glc_diag *d = glc_alloc(cx->arena, sizeof *d);
    d->code = code;
    d->severity = r ? r->severity : GLC_ERROR;
    d->at = at;
    d->path = path;
    d->file_path = at.file < cx->nfiles ? cx->files[at.file].path : "";
    va_list ap;
    va_start(ap, fmt);
    d->message = vfmt(cx->arena, fmt, ap);
    va_end(ap);
    if (cx->ndiags == cx->diags_cap) {
        cx->diags_cap = cx->diags_cap ? cx->diags_cap * 2 : 32;
        cx->diags = realloc(cx->diags, cx->diags_cap * sizeof *cx->diags);
        if (!cx->diags)
            abort();
    }
    d->seq = (uint32_t)cx->ndiags;
    cx->diags[cx->ndiags++] = d;
    return d;
}

void glc_note(struct glc_ctx *cx, struct glc_diag *d, const char *fmt, ...)
{
    if (d->nnotes >= (int)(sizeof d->notes / sizeof d->notes[0]))
        return;
    va_list ap;
    va_start(ap, fmt);
    d->notes[d->nnotes++] = vfmt(cx->arena, fmt, ap);
    va_end(ap);
}

void glc_help(struct glc_ctx *cx, struct glc_diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    d->help = vfmt(cx->arena, fmt, ap);
    va_end(ap);
}

void glc_related(struct glc_ctx *cx, struct glc_diag *d, struct glc_loc at, const char *fmt, ...)
{
    if (d->nrelated >= (int)(sizeof d->related / sizeof d->related[0]))
        return;
    va_list ap;
    va_start(ap, fmt);
    d->related[d->nrelated].at = at;
    d->related[d->nrelated].message = vfmt(cx->arena, fmt, ap);
    d->nrelated++;
    va_end(ap);
}

const char *glc_loc_str(struct glc_ctx *cx, struct glc_loc at)
{
    const char *path = at.file < cx->nfiles ? cx->files[at.file].path : "<input>";
    return glc_sprintf(cx->arena, "%s:%u:%u", path, at.line, at.col);
}

/* ---- suppression comments: `# glc-ignore GLC121[, GLC126]: reason` ---- */

struct ignore {
    uint32_t file, line;
    const char *codes;   /* the code list, up to ':' */
    size_t codes_len;
    const char *reason;  /* NULL when missing */
};

static bool code_in_list(const char *list, size_t len, const char *code)
{
    size_t cl = strlen(code);
    for (size_t i = 0; i + cl <= len; i++)
        if (memcmp(list + i, code, cl) == 0 && (i + cl == len || !isalnum((unsigned char)list[i + cl])) &&
            (i == 0 || !isalnum((unsigned char)list[i - 1])))
            return true;
    return false;
}

/* Front-end errors cannot be silenced: unparsable input never exits 0. */
static bool suppressible(const char *code)
{
    return strcmp(code, "GLC012") > 0;
}

/* Columns count code points, like libfyaml's marks. */
static uint32_t byte_to_col(const char *line, size_t off)
{
    uint32_t col = 1;
    for (size_t i = 0; i < off; i++)
        col += ((unsigned char)line[i] & 0xc0) != 0x80;
    return col;
}

static void validate_ignore(struct glc_ctx *cx, const struct ignore *ig, const char *start)
{
    const struct glc_file *f = &cx->files[ig->file];
    const char *line = f->text + f->line_off[ig->line - 1];
    if (ig->line == 1 && f->len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3))
        line += 3; /* columns start after a byte order mark */
    struct glc_loc at = {.file = ig->file, .line = ig->line,
                         .col = byte_to_col(line, (size_t)(start - line))};
    bool any = false;
    for (size_t i = 0; i < ig->codes_len; i++)
        any |= isalnum((unsigned char)ig->codes[i]) != 0;
    if (!any) {
        struct glc_diag *d = glc_report(cx, "GLC012", at, NULL, "glc-ignore names no code");
        glc_help(cx, d, "write '# glc-ignore GLC121: <why this is acceptable>'");
        return;
    }
    if (!ig->reason) {
        struct glc_diag *d = glc_report(cx, "GLC012", at, NULL,
                                        "glc-ignore needs a reason after the code");
        const char *c = ig->codes, *e = ig->codes + ig->codes_len;
        while (c < e && isspace((unsigned char)*c))
            c++;
        while (e > c && isspace((unsigned char)e[-1]))
            e--;
        glc_help(cx, d, "write '# glc-ignore %.*s: <why this is acceptable>'", (int)(e - c), c);
        return;
    }
    const char *p = ig->codes, *end = ig->codes + ig->codes_len;
    while (p < end) {
        while (p < end && !isalnum((unsigned char)*p))
            p++;
        const char *w = p;
        while (p < end && isalnum((unsigned char)*p))
            p++;
        if (p == w)
            continue;
        char code[16];
        snprintf(code, sizeof code, "%.*s", (int)(p - w < 15 ? p - w : 15), w);
        if (!glc_rule_find(code) || !suppressible(code))
            glc_report(cx, "GLC012", at, NULL, "glc-ignore names %s '%s'",
                       glc_rule_find(code) ? "a code that cannot be suppressed," : "an unknown code", code);
    }
}

/* The first "glc-ignore" in [p, end). A plain loop, not strstr: sanitizer
 * interceptors measure the whole remaining text on every strstr call, which
 * made a file of 100k comments quadratic there. */
static const char *find_tag(const char *p, const char *end)
{
    for (; end - p >= 10; p++)
        if (*p == 'g' && !memcmp(p, "glc-ignore", 10))
            return p;
    return NULL;
}

static size_t scan_ignores(struct glc_ctx *cx, struct ignore **out)
{
    size_t n = 0, cap = 0;
    struct ignore *v = NULL;
    const size_t taglen = sizeof "glc-ignore" - 1;
    for (size_t f = 0; f < cx->nfiles; f++) {
        const struct glc_file *file = &cx->files[f];
        for (uint32_t li = 0; li < file->nlines; li++) {
            const char *ls = file->text + file->line_off[li];
            const char *eol = li + 1 < file->nlines ? file->text + file->line_off[li + 1] - 1
                                                    : file->text + file->len;
            for (const char *p = ls; (p = find_tag(p, eol)) != NULL;) {
                const char *h = p; /* find '#' before it on the same line */
                p += taglen;
                while (h > ls && (h[-1] == ' ' || h[-1] == '\t'))
                    h--;
                if (h == ls || h[-1] != '#')
                    continue;
                const char *hash = h - 1;
                if (hash > ls && hash[-1] != ' ' && hash[-1] != '\t')
                    continue;
                const char *codes = p;
                const char *colon = memchr(codes, ':', (size_t)(eol - codes));
                struct ignore ig = {.file = (uint32_t)f, .line = li + 1, .codes = codes,
                                    .codes_len = (size_t)((colon ? colon : eol) - codes)};
                if (colon) {
                    const char *r = colon + 1, *re = eol;
                    while (r < re && isspace((unsigned char)*r))
                        r++;
                    while (re > r && isspace((unsigned char)re[-1])) /* also the \r of CRLF */
                        re--;
                    if (r < re)
                        ig.reason = glc_strndup(cx->arena, r, (size_t)(re - r));
                }
                validate_ignore(cx, &ig, hash);
                if (n == cap) {
                    cap = cap ? cap * 2 : 8;
                    v = realloc(v, cap * sizeof *v);
                    if (!v)
                        abort();
                }
                v[n++] = ig;
                break; /* the rest of the line is this comment: one glc-ignore per line */
            }
        }
    }
    *out = v;
    return n;
}

/* scan_ignores yields comments ordered by (file, line): the first one at or
 * after (file, line), by binary search, so many comments stay cheap. */
static size_t first_ignore(const struct ignore *ig, size_t n, uint32_t file, uint32_t line)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ig[mid].file < file || (ig[mid].file == file && ig[mid].line < line))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void apply_ignores(struct glc_ctx *cx)
{
    struct ignore *ig;
    size_t n = scan_ignores(cx, &ig);
    for (size_t i = 0; i < cx->ndiags && n; i++) {
        struct glc_diag *d = cx->diags[i];
        if (!suppressible(d->code) || d->at.line == 0)
            continue;
        /* a comment on the finding's line, or on the line above it */
        for (size_t k = first_ignore(ig, n, d->at.file, d->at.line - 1);
             k < n && ig[k].file == d->at.file && ig[k].line <= d->at.line; k++) {
            if (!ig[k].reason)
                continue;
            if (code_in_list(ig[k].codes, ig[k].codes_len, d->code)) {
                d->suppressed = true;
                d->suppress_reason = ig[k].reason;
                break;
            }
        }
    }
    free(ig);
}

/* ---- sorting and counting ---- */

static int cmp_diag(const void *a, const void *b)
{
    const struct glc_diag *x = *(const struct glc_diag *const *)a, *y = *(const struct glc_diag *const *)b;
    if (x->at.file != y->at.file) {
        int c = strcmp(x->file_path, y->file_path);
        if (c)
            return c;
        return x->at.file < y->at.file ? -1 : 1;
    }
    if (x->at.line != y->at.line)
        return x->at.line < y->at.line ? -1 : 1;
    if (x->at.col != y->at.col)
        return x->at.col < y->at.col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void glc_diag_finish(struct glc_ctx *cx)
{
    apply_ignores(cx);
    if (cx->ndiags > 1)
        qsort(cx->diags, cx->ndiags, sizeof *cx->diags, cmp_diag);
    cx->nerrors = cx->nwarnings = cx->nnotes = cx->nsuppressed = 0;
    for (size_t i = 0; i < cx->ndiags; i++) {
        const struct glc_diag *d = cx->diags[i];
        if (d->suppressed)
            cx->nsuppressed++;
        else if (d->severity == GLC_ERROR)
            cx->nerrors++;
        else if (d->severity == GLC_WARNING)
            cx->nwarnings++;
        else
            cx->nnotes++;
    }
}

int glc_diag_count(const struct glc_ctx *cx, enum glc_severity sev)
{
    int n = 0;
    for (size_t i = 0; i < cx->ndiags; i++)
        n += !cx->diags[i]->suppressed && cx->diags[i]->severity == sev;
    return n;
}

/* ---- text ---- */

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"

static const char *sev_color(enum glc_severity s)
{
    return s == GLC_ERROR ? "\033[1;31m" : s == GLC_WARNING ? "\033[1;35m" : "\033[1;36m";
}

/* Length of the valid UTF-8 sequence at p (1 for ASCII), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    size_t n;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4;
    else
        return 0;
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* One display cell per code point: the byte length of the next one (an
 * invalid byte counts as one code point of its own). */
static size_t cp_len(const char *s, size_t left)
{
    size_t n = utf8_seq((const unsigned char *)s, left);
    return n ? n : 1;
}

/* Echo source text without letting it drive the terminal: control bytes
 * (C0, DEL, C1) and invalid UTF-8 print as '?', one cell each. */
static void put_source(FILE *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        const unsigned char *p = (const unsigned char *)s + i;
        size_t n = utf8_seq(p, len - i);
        bool bad = n == 0 || (n == 1 && ((*p < 0x20 && *p != '\t') || *p == 0x7f)) ||
                   (n == 2 && p[0] == 0xc2 && p[1] < 0xa0);
        if (bad) {
            fputc('?', out);
            i += n ? n : 1;
        } else {
            fwrite(p, 1, n, out);
            i += n;
        }
    }
}

/* The source line and a caret under the span. Columns count code points. */
static void print_source(const struct glc_ctx *cx, FILE *out, struct glc_loc at, bool color)
{
    if (at.file >= cx->nfiles || at.line == 0 || at.line > cx->files[at.file].nlines ||
        cx->files[at.file].len == 0) /* an empty (or unread) file has no line to show */
        return;
    const struct glc_file *f = &cx->files[at.file];
    const char *line = f->text + f->line_off[at.line - 1];
    if (at.line == 1 && f->len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3))
        line += 3; /* columns start after a byte order mark */
    const char *eol = memchr(line, '\n', (size_t)(f->text + f->len - line));
    size_t len = eol ? (size_t)(eol - line) : (size_t)(f->text + f->len - line);
    if (len && line[len - 1] == '\r')
        len--;
    size_t col = at.col ? at.col - 1 : 0, start = 0;
    size_t ncp = 0; /* the line's length in code points, counted no further than needed */
    for (size_t i = 0; i < len && ncp <= col + 161; i += cp_len(line + i, len - i))
        ncp++;
    if (col > ncp)
        col = ncp;
    if (ncp > 160 && col > 60) /* long line: show a window around the column */
        start = col - 60;
    size_t show = ncp - start > 160 ? 160 : ncp - start;
    size_t width = 1;
    if (at.end_line == at.line && at.end_col > at.col)
        width = at.end_col - at.col;
    if (col + width > start + show)
        width = start + show > col ? start + show - col : 1;
    /* byte offsets of the window */
    size_t b = 0, cp = 0, bstart = 0, bcol = 0, bend = len;
    for (; b < len; b += cp_len(line + b, len - b), cp++) {
        if (cp == start)
            bstart = b;
        if (cp == col)
            bcol = b;
        if (cp == start + show) {
            bend = b;
            break;
        }
    }
    if (col >= ncp)
        bcol = b < len ? b : len;
    if (start >= ncp)
        bstart = len;
    fprintf(out, "%5u | %s", at.line, start ? "..." : "");
    put_source(out, line + bstart, bend - bstart);
    fprintf(out, "%s\n", bend < len ? "..." : "");
    fprintf(out, "      | %s", start ? "   " : "");
    for (size_t i = bstart; i < bcol; i += cp_len(line + i, bcol - i))
        fputc(line[i] == '\t' ? '\t' : ' ', out);
    if (color)
        fputs("\033[1;32m", out);
    fputc('^', out);
    for (size_t i = 1; i < width; i++)
        fputc('~', out);
    if (color)
        fputs(C_RESET, out);
    fputc('\n', out);
}

/* Text and GitHub output show at most CAP_PER_CODE findings of one code per
 * file (a 100k-times repeated key must not print 100k diagnostics); a final
 * note counts the rest. JSON and SARIF list everything. */
#define CAP_PER_CODE 100

struct capper {
    size_t nrules, nfiles;
    uint32_t *count; /* [(file) * (nrules + 1) + rule] */
};

static void capper_init(struct capper *c, const struct glc_ctx *cx)
{
    glc_rules(&c->nrules);
    c->nfiles = cx->nfiles;
    c->count = calloc((c->nfiles + 1) * (c->nrules + 1), sizeof *c->count);
    if (!c->count)
        abort();
}

static uint32_t *capper_slot(struct capper *c, const struct glc_diag *d)
{
    size_t n;
    const struct glc_rule *rules = glc_rules(&n);
    const struct glc_rule *r = glc_rule_find(d->code);
    size_t ri = r ? (size_t)(r - rules) : c->nrules;
    size_t fi = d->at.file < c->nfiles ? d->at.file : c->nfiles;
    return &c->count[fi * (c->nrules + 1) + ri];
}

/* True when d is shown; counts it either way. */
static bool capper_take(struct capper *c, const struct glc_diag *d)
{
    return ++*capper_slot(c, d) <= CAP_PER_CODE;
}

static void capper_report(struct capper *c, const struct glc_ctx *cx, FILE *out, bool github)
{
    size_t n;
    const struct glc_rule *rules = glc_rules(&n);
    for (size_t fi = 0; fi <= c->nfiles; fi++) {
        for (size_t ri = 0; ri <= c->nrules; ri++) {
            uint32_t k = c->count[fi * (c->nrules + 1) + ri];
            if (k <= CAP_PER_CODE)
                continue;
            const char *path = fi < cx->nfiles ? cx->files[fi].path : "<input>";
            const char *code = ri < c->nrules ? rules[ri].code : "other codes";
            if (github)
                fprintf(out, "::notice title=%s::... and %u more %s findings in ", code,
                        k - CAP_PER_CODE, code);
            else
                fprintf(out, "glc: note: ... and %u more [%s] in ", k - CAP_PER_CODE, code);
            fputs(path, out);
            fprintf(out, " not shown (the first %d of a code per file are; --format json lists all)\n",
                    CAP_PER_CODE);
        }
    }
    free(c->count);
}

static void render_text(struct glc_ctx *cx, FILE *out, bool color)
{
    struct capper cap;
    capper_init(&cap, cx);
    for (size_t i = 0; i < cx->ndiags; i++) {
        const struct glc_diag *d = cx->diags[i];
        if (d->suppressed || !capper_take(&cap, d))
            continue;
        fprintf(out, "%s%s:%s %s%s:%s %s%s%s [%s]\n", color ? C_BOLD : "", glc_loc_str(cx, d->at),
                color ? C_RESET : "", color ? sev_color(d->severity) : "", glc_severity_name(d->severity),
                color ? C_RESET : "", color ? C_BOLD : "", d->message, color ? C_RESET : "", d->code);
        print_source(cx, out, d->at, color);
        for (int k = 0; k < d->nnotes; k++)
            fprintf(out, "   = note: %s\n", d->notes[k]);
        if (d->help)
            fprintf(out, "   = help: %s\n", d->help);
        for (int k = 0; k < d->nrelated; k++) {
            fprintf(out, "%s%s:%s %snote:%s %s\n", color ? C_BOLD : "", glc_loc_str(cx, d->related[k].at),
                    color ? C_RESET : "", color ? sev_color(GLC_NOTE) : "", color ? C_RESET : "",
                    d->related[k].message);
            print_source(cx, out, d->related[k].at, color);
        }
    }
    capper_report(&cap, cx, out, false);
    if (cx->ndiags || cx->nsuppressed) {
        fprintf(out, "glc: %d error%s, %d warning%s", cx->nerrors, cx->nerrors == 1 ? "" : "s",
                cx->nwarnings, cx->nwarnings == 1 ? "" : "s");
        if (cx->nnotes)
            fprintf(out, ", %d note%s", cx->nnotes, cx->nnotes == 1 ? "" : "s");
        if (cx->nsuppressed)
            fprintf(out, ", %d suppressed", cx->nsuppressed);
        fputc('\n', out);
    }
}

/* ---- JSON ---- */

static json_t *loc_fields(const struct glc_ctx *cx, json_t *o, struct glc_loc at)
{
    json_object_set_new(o, "file", json_string(at.file < cx->nfiles ? cx->files[at.file].path : ""));
    json_object_set_new(o, "line", json_integer(at.line));
    json_object_set_new(o, "column", json_integer(at.col));
    if (at.end_line) {
        json_object_set_new(o, "end_line", json_integer(at.end_line));
        json_object_set_new(o, "end_column", json_integer(at.end_col));
    }
    return o;
}

static json_t *diag_json(const struct glc_ctx *cx, const struct glc_diag *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(d->code));
    json_object_set_new(o, "severity", json_string(glc_severity_name(d->severity)));
    json_object_set_new(o, "message", json_string(d->message));
    loc_fields(cx, o, d->at);
    if (d->path)
        json_object_set_new(o, "path", json_string(d->path));
    if (d->help)
        json_object_set_new(o, "help", json_string(d->help));
    if (d->nnotes) {
        json_t *a = json_array();
        for (int k = 0; k < d->nnotes; k++)
            json_array_append_new(a, json_string(d->notes[k]));
        json_object_set_new(o, "notes", a);
    }
    if (d->nrelated) {
        json_t *a = json_array();
        for (int k = 0; k < d->nrelated; k++) {
            json_t *r = loc_fields(cx, json_object(), d->related[k].at);
            json_object_set_new(r, "message", json_string(d->related[k].message));
            json_array_append_new(a, r);
        }
        json_object_set_new(o, "related", a);
    }
    if (d->suppressed)
        json_object_set_new(o, "suppression_reason", json_string(d->suppress_reason));
    return o;
}

static void render_json(struct glc_ctx *cx, FILE *out)
{
    json_t *root = json_object(), *list = json_array(), *supp = json_array();
    for (size_t i = 0; i < cx->ndiags; i++)
        json_array_append_new(cx->diags[i]->suppressed ? supp : list, diag_json(cx, cx->diags[i]));
    json_object_set_new(root, "diagnostics", list);
    json_object_set_new(root, "errors", json_integer(cx->nerrors));
    json_object_set_new(root, "warnings", json_integer(cx->nwarnings));
    json_object_set_new(root, "notes", json_integer(cx->nnotes));
    json_object_set_new(root, "suppressed", json_integer(cx->nsuppressed));
    json_object_set_new(root, "suppressions", supp);
    json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(root);
}

/* ---- SARIF 2.1.0 ---- */

static const char *sarif_level(enum glc_severity s)
{
    return s == GLC_ERROR ? "error" : s == GLC_WARNING ? "warning" : "note";
}

static json_t *sarif_region(struct glc_loc at)
{
    json_t *r = json_object();
    json_object_set_new(r, "startLine", json_integer(at.line ? at.line : 1));
    json_object_set_new(r, "startColumn", json_integer(at.col ? at.col : 1));
    if (at.end_line >= at.line && at.end_col && (at.end_line > at.line || at.end_col > at.col)) {
        json_object_set_new(r, "endLine", json_integer(at.end_line));
        json_object_set_new(r, "endColumn", json_integer(at.end_col));
    }
    return r;
}

static json_t *sarif_location(const struct glc_ctx *cx, struct glc_loc at, const char *msg)
{
    json_t *art = json_object();
    json_object_set_new(art, "uri", json_string(at.file < cx->nfiles ? cx->files[at.file].path : ""));
    json_t *phys = json_object();
    json_object_set_new(phys, "artifactLocation", art);
    json_object_set_new(phys, "region", sarif_region(at));
    json_t *loc = json_object();
    json_object_set_new(loc, "physicalLocation", phys);
    if (msg)
        json_object_set_new(loc, "message", json_pack("{s:s}", "text", msg));
    return loc;
}

static json_t *sarif_rules(void)
{
    size_t n;
    const struct glc_rule *r = glc_rules(&n);
    json_t *rules = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(r[i].code));
        json_object_set_new(o, "name", json_string(r[i].name));
        json_object_set_new(o, "shortDescription", json_pack("{s:s}", "text", r[i].title));
        json_object_set_new(o, "fullDescription", json_pack("{s:s}", "text", r[i].title));
        char uri[256];
        snprintf(uri, sizeof uri, "%s%s.md", GLC_DOCS_BASE_URL, r[i].code);
        json_object_set_new(o, "helpUri", json_string(uri));
        char page[64];
        snprintf(page, sizeof page, "docs/rules/%s.md", r[i].code);
        const struct glc_embedded *e = glc_embedded_find(page);
        json_t *help = json_pack("{s:s}", "text", r[i].title);
        if (e)
            json_object_set_new(help, "markdown", json_stringn((const char *)e->data, e->len));
        json_object_set_new(o, "help", help);
        json_object_set_new(o, "defaultConfiguration",
                            json_pack("{s:s}", "level", sarif_level(r[i].severity)));
        json_array_append_new(rules, o);
    }
    return rules;
}

static json_t *sarif_result(const struct glc_ctx *cx, const struct glc_diag *d)
{
    json_t *res = json_object();
    json_object_set_new(res, "ruleId", json_string(d->code));
    size_t n;
    const struct glc_rule *rules = glc_rules(&n);
    const struct glc_rule *r = glc_rule_find(d->code);
    if (r)
        json_object_set_new(res, "ruleIndex", json_integer(r - rules));
    json_object_set_new(res, "level", json_string(sarif_level(d->severity)));
    struct glc_buf msg = {0};
    glc_buf_puts(&msg, d->message);
    for (int k = 0; k < d->nnotes; k++)
        glc_buf_printf(&msg, "\nnote: %s", d->notes[k]);
    if (d->help)
        glc_buf_printf(&msg, "\nhelp: %s", d->help);
    json_object_set_new(res, "message", json_pack("{s:s}", "text", msg.data));
    glc_buf_free(&msg);
    json_t *locs = json_array();
    json_array_append_new(locs, sarif_location(cx, d->at, NULL));
    json_object_set_new(res, "locations", locs);
    if (d->nrelated) {
        json_t *rel = json_array();
        for (int k = 0; k < d->nrelated; k++) {
            json_t *l = sarif_location(cx, d->related[k].at, d->related[k].message);
            json_object_set_new(l, "id", json_integer(k));
            json_array_append_new(rel, l);
        }
        json_object_set_new(res, "relatedLocations", rel);
    }
    if (d->suppressed) {
        json_t *s = json_pack("{s:s,s:s}", "kind", "inSource", "justification", d->suppress_reason);
        json_object_set_new(res, "suppressions", json_pack("[o]", s));
    }
    return res;
}

static void render_sarif(struct glc_ctx *cx, FILE *out)
{
    json_t *driver = json_object();
    json_object_set_new(driver, "name", json_string("glc"));
    json_object_set_new(driver, "version", json_string(GLC_VERSION));
    json_object_set_new(driver, "semanticVersion", json_string(GLC_VERSION));
    json_object_set_new(driver, "informationUri", json_string(GLC_DOCS_BASE_URL));
    json_object_set_new(driver, "rules", sarif_rules());
    json_t *results = json_array();
    for (size_t i = 0; i < cx->ndiags; i++)
        json_array_append_new(results, sarif_result(cx, cx->diags[i]));
    json_t *run = json_object();
    json_object_set_new(run, "tool", json_pack("{s:o}", "driver", driver));
    json_object_set_new(run, "columnKind", json_string("unicodeCodePoints"));
    json_object_set_new(run, "results", results);
    json_t *root = json_object();
    json_object_set_new(root, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
    json_object_set_new(root, "version", json_string("2.1.0"));
    json_object_set_new(root, "runs", json_pack("[o]", run));
    json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(root);
}

/* ---- GitHub workflow commands ---- */

static void gh_escape(FILE *out, const char *s, bool property)
{
    for (; *s; s++) {
        switch (*s) {
        case '%': fputs("%25", out); break;
        case '\r': fputs("%0D", out); break;
        case '\n': fputs("%0A", out); break;
        case ':': fputs(property ? "%3A" : ":", out); break;
        case ',': fputs(property ? "%2C" : ",", out); break;
        default: fputc(*s, out);
        }
    }
}

static void render_github(struct glc_ctx *cx, FILE *out)
{
    struct capper cap;
    capper_init(&cap, cx);
    for (size_t i = 0; i < cx->ndiags; i++) {
        const struct glc_diag *d = cx->diags[i];
        if (d->suppressed || !capper_take(&cap, d))
            continue;
        const char *cmd = d->severity == GLC_ERROR ? "error" : d->severity == GLC_WARNING ? "warning" : "notice";
        fprintf(out, "::%s file=", cmd);
        gh_escape(out, d->at.file < cx->nfiles ? cx->files[d->at.file].path : "", true);
        fprintf(out, ",line=%u,col=%u", d->at.line, d->at.col);
        if (d->at.end_line == d->at.line && d->at.end_col > d->at.col)
            fprintf(out, ",endColumn=%u", d->at.end_col);
        fputs(",title=", out);
        gh_escape(out, d->code, true);
        fputs("::", out);
        struct glc_buf msg = {0};
        glc_buf_puts(&msg, d->message);
        for (int k = 0; k < d->nnotes; k++)
            glc_buf_printf(&msg, "\nnote: %s", d->notes[k]);
        if (d->help)
            glc_buf_printf(&msg, "\nhelp: %s", d->help);
        gh_escape(out, msg.data, false);
        glc_buf_free(&msg);
        fputc('\n', out);
    }
    capper_report(&cap, cx, out, true);
}

void glc_diag_render(struct glc_ctx *cx, FILE *out, enum glc_format fmt, bool color)
{
    /* Render into memory and write once: text goes to stderr, which is
     * unbuffered, and one write(2) per character made 100k findings take
     * seconds. */
    char *mem = NULL;
    size_t memlen = 0;
    FILE *o = open_memstream(&mem, &memlen);
    if (!o)
        o = out;
    switch (fmt) {
    case GLC_FMT_JSON: render_json(cx, o); break;
    case GLC_FMT_SARIF: render_sarif(cx, o); break;
    case GLC_FMT_GITHUB: render_github(cx, o); break;
    default: render_text(cx, o, color); break;
    }
    if (o != out) {
        fclose(o);
        fwrite(mem, 1, memlen, out);
        fflush(out);
        free(mem);
    }
}
