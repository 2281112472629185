/* rules_lb.c — rule family (being written). */
#include "glc.h"

void glc_check_lb(struct glc_ctx *cx, const struct glc_capacity *cap)
{
    (void)cx;
    (void)cap;
}
