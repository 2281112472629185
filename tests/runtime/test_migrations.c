/* SPDX-License-Identifier: MIT */
/*
 * The migrations `<app>-runtime migrate` applies are the ones glc build writes to sql/: the
 * runtime embeds templates/sql/NNN_name.sql.mustache at build time (cmake/embed_sql.cmake). Check
 * that every template is embedded byte for byte, in version order, and that each statement is
 * written to be applied twice (IF NOT EXISTS).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rt.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static const struct glc_migration *embedded(const char *name)
{
    for (unsigned i = 0; i < glc_migration_count; i++)
        if (strcmp(glc_migrations[i].name, name) == 0)
            return &glc_migrations[i];
    return NULL;
}

static void test_templates_embedded_verbatim(void **state)
{
    const char *src = getenv("GLC_SOURCE_DIR");
    char dir[4096], path[8192], name[256];
    struct dirent *de;
    unsigned seen = 0;
    DIR *d;

    (void)state;
    if (!src)
        skip();
    snprintf(dir, sizeof dir, "%s/templates/sql", src);
    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name), len;
        const struct glc_migration *m;
        char *text;

        if (n < 14 || strcmp(de->d_name + n - 13, ".sql.mustache") != 0)
            continue;
        snprintf(name, sizeof name, "%.*s", (int)(n - 13), de->d_name);
        m = embedded(name);
        if (!m)
            fail_msg("templates/sql/%s is not embedded in the runtime (rebuild?)", de->d_name);
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        text = slurp(path, &len);
        assert_non_null(text);
        assert_int_equal(m->len, len);
        assert_memory_equal(m->sql, text, len);
        assert_int_equal(strlen(m->sql), m->len);
        free(text);
        seen++;
    }
    closedir(d);
    assert_int_equal(seen, glc_migration_count);
}

static void test_versions_ordered(void **state)
{
    (void)state;
    assert_true(glc_migration_count >= 3);
    assert_string_equal(glc_migrations[0].version, "013");
    assert_string_equal(glc_migrations[1].version, "014");
    for (unsigned i = 0; i < glc_migration_count; i++) {
        size_t v = strlen(glc_migrations[i].version);

        assert_memory_equal(glc_migrations[i].name, glc_migrations[i].version, v);
        assert_int_equal(glc_migrations[i].name[v], '_');
        if (i)
            assert_true(atoi(glc_migrations[i].version) > atoi(glc_migrations[i - 1].version));
    }
}

/* Every CREATE and ADD COLUMN is guarded so that a migration applied twice is harmless. */
static void test_statements_idempotent(void **state)
{
    static const char *const guarded[] = { "CREATE TABLE ", "CREATE INDEX ", "CREATE UNIQUE INDEX ", "ADD COLUMN " };

    (void)state;
    for (unsigned i = 0; i < glc_migration_count; i++)
        for (size_t g = 0; g < sizeof guarded / sizeof guarded[0]; g++)
            for (const char *p = strstr(glc_migrations[i].sql, guarded[g]); p; p = strstr(p + 1, guarded[g]))
                if (strncmp(p + strlen(guarded[g]), "IF NOT EXISTS", 13) != 0)
                    fail_msg("%s: '%s' without IF NOT EXISTS", glc_migrations[i].name, guarded[g]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_templates_embedded_verbatim),
        cmocka_unit_test(test_versions_ordered),
        cmocka_unit_test(test_statements_idempotent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
