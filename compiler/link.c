/*
 * link.c — stage 7: link bin/<app>-runtime from the generated breaker table
 * and the runtime library (being written; see runtime/).
 */
#include "glc.h"

int glc_link(struct glc_ctx *cx, const char *outdir)
{
    (void)cx;
    (void)outdir;
    fputs("glc: error: linking the runtime is not available in this build; use --no-link\n", stderr);
    return 2;
}
