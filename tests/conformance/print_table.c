/* Prints a generated breaker table (glc_breakers.h/.c) so the conformance
 * scripts can compare it with the config; compiled with -std=c99/c11/c17 -pedantic. */
#include <stdio.h>
#include "glc_breakers.h"
int main(void)
{
    unsigned i;
    for (i = 0; i < glc_breaker_count; i++) {
        const struct glc_breaker_def *b = &glc_breaker_table[i];
        printf("breaker %s %u %lu %u %u %d %d\n", b->name, b->failure_threshold, b->recovery_timeout_ms,
               b->half_open_max_calls, b->success_threshold, b->check, b->readiness);
    }
    printf("count %u\n", glc_breaker_count);
    printf("app %s %u %u %d %d %d %d %d\n", glc_app.name, glc_app.http_port, glc_app.metrics_port,
           glc_app.track_state_changes, glc_app.alert_on_open, glc_app.alert_on_close, glc_app.alert_slack,
           glc_app.alert_pagerduty);
    return 0;
}
