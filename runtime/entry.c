/* SPDX-License-Identifier: MIT */
/*
 * glc_runtime_main(): the only reference to the generated table's symbols. It is kept in its
 * own object file so that programs linking the library without a table (tests) never pull it.
 */
#include <glc/runtime.h>

int glc_runtime_main(int argc, char **argv)
{
    return glc_runtime_run(&glc_app, glc_breaker_table, glc_breaker_count, argc, argv);
}
