/* rules_zone.c — rule family (being written). */
#include "glc.h"

void glc_check_zone(struct glc_ctx *cx, const struct glc_capacity *cap)
{
    (void)cx;
    (void)cap;
}
