/*
 * arena.c — memory for one compiler run.
 *
 * Every allocation of a run comes from one arena of large blocks and is
 * released at once (nginx pool style); core code never frees arena memory.
 * glc_buf is the one malloc'd growable buffer, for output rendering.
 */
#include "glc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK (256 * 1024)

struct block {
    struct block *next;
    size_t used, cap;
    max_align_t data[];
};

struct glc_arena {
    struct block *head;
    size_t total;
};

static void oom(void)
{
    fputs("glc: out of memory\n", stderr);
    abort();
}

struct glc_arena *glc_arena_new(void)
{
    struct glc_arena *a = calloc(1, sizeof *a);
    if (!a)
        oom();
    return a;
}

void glc_arena_free(struct glc_arena *a)
{
    if (!a)
        return;
    for (struct block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

static struct block *new_block(struct glc_arena *a, size_t need)
{
    size_t cap = need > ARENA_BLOCK ? need : ARENA_BLOCK;
    struct block *b = malloc(sizeof *b + cap);
    if (!b)
        oom();
    b->used = 0;
    b->cap = cap;
    a->total += cap;
    return b;
}

void *glc_alloc(struct glc_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    struct block *b = a->head;
    if (!b || b->cap - b->used < n) {
        b = new_block(a, n);
        if (a->head && n > ARENA_BLOCK / 4) {
            /* a big request gets its own block behind the current one */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

size_t glc_arena_bytes(const struct glc_arena *a)
{
    return a->total;
}

char *glc_strndup(struct glc_arena *a, const char *s, size_t n)
{
    char *p = glc_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *glc_strdup(struct glc_arena *a, const char *s)
{
    return glc_strndup(a, s, strlen(s));
}

char *glc_vsprintf(struct glc_arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0)
        n = 0;
    char *p = glc_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

char *glc_sprintf(struct glc_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = glc_vsprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

/* A user string for a message: control characters escaped, long ones cut
 * (a 10 MB key must not make a 10 MB diagnostic). */
const char *glc_shown(struct glc_arena *a, const char *s)
{
    size_t i = 0;
    while (i <= 60 && s[i] && (unsigned char)s[i] >= 0x20 && s[i] != 0x7f)
        i++;
    if (!s[i])
        return s; /* short and printable: as is */
    struct glc_buf b = {0};
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xc0) != 0x80 && ++chars > 60) {
            glc_buf_puts(&b, "...");
            break;
        }
        if (*p == '\n')
            glc_buf_puts(&b, "\\n");
        else if (*p == '\t')
            glc_buf_puts(&b, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            glc_buf_printf(&b, "\\x%02x", *p);
        else
            glc_buf_putc(&b, (char)*p);
    }
    const char *r = glc_strdup(a, b.data ? b.data : "");
    glc_buf_free(&b);
    return r;
}


/* ---- glc_buf ---- */

static void buf_reserve(struct glc_buf *b, size_t extra)
{
    if (b->cap - b->len > extra)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= extra)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        oom();
    b->data = p;
    b->cap = cap;
}

void glc_buf_put(struct glc_buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void glc_buf_puts(struct glc_buf *b, const char *s)
{
    glc_buf_put(b, s, strlen(s));
}

void glc_buf_putc(struct glc_buf *b, char c)
{
    glc_buf_put(b, &c, 1);
}

void glc_buf_printf(struct glc_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void glc_buf_free(struct glc_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
