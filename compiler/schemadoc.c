/*
 * schemadoc.c — the config reference, generated from the embedded schemas.
 *
 * `glc schema kubernetes --markdown` prints one table row per key (path, type,
 * default, allowed values, description); docs/config.md is this output,
 * and a test keeps the two identical, so the docs cannot drift from the schema.
 */
#include "glc.h"

#include <jansson.h>
#include <string.h>

static json_t *deref(json_t *root, json_t *s)
{
    const char *ref = json_string_value(json_object_get(s, "$ref"));
    if (ref && !strncmp(ref, "#/definitions/", 14))
        return json_object_get(json_object_get(root, "definitions"), ref + 14);
    return s;
}

static void md_text(struct glc_buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            glc_buf_puts(b, "\\|");
        else if (*s == '\n')
            glc_buf_putc(b, ' ');
        else
            glc_buf_putc(b, *s);
    }
}

static void md_json(struct glc_buf *b, json_t *v)
{
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    glc_buf_puts(b, "`");
    md_text(b, s);
    glc_buf_puts(b, "`");
    free(s);
}

static const char *type_of(json_t *s)
{
    if (json_object_get(s, "oneOf"))
        return "integer or percent";
    const char *t = json_string_value(json_object_get(s, "type"));
    const char *f = json_string_value(json_object_get(s, "format"));
    if (f && !strcmp(f, "k8s-cpu"))
        return "cpu quantity";
    if (f && !strcmp(f, "k8s-memory"))
        return "memory quantity";
    if (f && !strcmp(f, "duration"))
        return "duration";
    if (t && !strcmp(t, "object") && json_is_object(json_object_get(s, "additionalProperties")))
        return "map";
    return t ? t : "any";
}

static void allowed(struct glc_buf *b, json_t *s)
{
    json_t *e = json_object_get(s, "enum");
    json_t *items = json_object_get(s, "items");
    if (!e && items)
        e = json_object_get(items, "enum");
    if (e) {
        size_t i;
        json_t *x;
        json_array_foreach(e, i, x) {
            glc_buf_puts(b, i ? ", " : "");
            md_json(b, x);
        }
        return;
    }
    json_t *lo = json_object_get(s, "minimum"), *hi = json_object_get(s, "maximum");
    if (lo || hi) {
        glc_buf_printf(b, "%s%lld", lo ? "" : "≤ ", (long long)json_integer_value(lo ? lo : hi));
        if (lo && hi)
            glc_buf_printf(b, "–%lld", (long long)json_integer_value(hi));
        else if (lo)
            glc_buf_puts(b, " or more");
        return;
    }
    const char *pat = json_string_value(json_object_get(s, "pattern"));
    if (!pat && json_object_get(s, "propertyNames"))
        pat = json_string_value(json_object_get(json_object_get(s, "propertyNames"), "pattern"));
    if (!pat && items)
        pat = json_string_value(json_object_get(items, "pattern"));
    if (pat) {
        glc_buf_puts(b, "`");
        md_text(b, pat);
        glc_buf_puts(b, "`");
    }
}

static void row(struct glc_buf *b, json_t *root, const char *path, json_t *s, const char *required)
{
    s = deref(root, s);
    glc_buf_printf(b, "| `%s` | %s | ", path, type_of(s));
    json_t *d = json_object_get(s, "default");
    if (d)
        md_json(b, d);
    else
        glc_buf_puts(b, required ? required : "—");
    glc_buf_puts(b, " | ");
    allowed(b, s);
    glc_buf_puts(b, " | ");
    md_text(b, json_string_value(json_object_get(s, "description")));
    glc_buf_puts(b, " |\n");
}

static bool in_list(json_t *list, const char *key)
{
    size_t i;
    json_t *r;
    json_array_foreach(list, i, r) if (!strcmp(json_string_value(r), key)) return true;
    return false;
}

/* "**required**", "**required** unless `enabled: false`" (an if/else), or NULL. */
static const char *required_text(json_t *parent, const char *key)
{
    if (in_list(json_object_get(parent, "required"), key))
        return "**required**";
    if (in_list(json_object_get(json_object_get(parent, "else"), "required"), key))
        return "**required** unless `enabled: false`";
    return NULL;
}

static void walk(struct glc_buf *b, json_t *root, json_t *s, const char *prefix, struct glc_arena *a)
{
    s = deref(root, s);
    const char *key;
    json_t *sub;
    json_object_foreach(json_object_get(s, "properties"), key, sub) {
        const char *path = *prefix ? glc_sprintf(a, "%s.%s", prefix, key) : key;
        row(b, root, path, sub, required_text(s, key));
        walk(b, root, sub, path, a);
    }
    json_t *ap = json_object_get(s, "additionalProperties");
    if (json_is_object(ap)) {
        const char *path = glc_sprintf(a, "%s.<name>", prefix);
        json_t *d = deref(root, ap);
        if (json_object_get(d, "properties"))
            walk(b, root, d, path, a);
    }
}

int glc_schema_markdown(struct glc_ctx *cx, int kind, struct glc_buf *out)
{
    json_t *root = glc_schema_get(cx, kind);
    glc_buf_printf(out, "## %s\n\n", json_string_value(json_object_get(root, "title")));
    glc_buf_printf(out, "%s\n\n", json_string_value(json_object_get(root, "description")));
    glc_buf_puts(out, "| key | type | default | allowed | description |\n|---|---|---|---|---|\n");
    walk(out, root, root, "", cx->arena);
    glc_buf_putc(out, '\n');
    return 0;
}
