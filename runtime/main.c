/* SPDX-License-Identifier: MIT */
/*
 * main() of <app>-runtime. glc build compiles this file with the generated glc_breakers.c
 * and links libglc_runtime.a; everything else lives in the library.
 */
#include <glc/runtime.h>

int main(int argc, char **argv)
{
    return glc_runtime_main(argc, argv);
}
