/* SPDX-License-Identifier: MIT */
/*
 * A hand-written stand-in for glc's generated glc_breakers.c, mirroring the seed's breakers.
 * Built with GLC_FIXTURE_FAST, recovery timeouts are short so integration tests can watch a
 * breaker open, half-open and close within seconds.
 */
#include <glc/table.h>

#ifdef GLC_FIXTURE_FAST
#define DEP_RECOVERY_MS 1500ul
#define API_RECOVERY_MS 1500ul
#else
#define DEP_RECOVERY_MS 30000ul
#define API_RECOVERY_MS 60000ul
#endif

const struct glc_breaker_def glc_breaker_table[] = {
    { "database", 3, DEP_RECOVERY_MS, 2, 2, GLC_CHECK_POSTGRES, 1 },
    { "redis", 3, DEP_RECOVERY_MS, 2, 2, GLC_CHECK_REDIS, 1 },
    { "kafka", 5, API_RECOVERY_MS, 3, 2, GLC_CHECK_KAFKA, 1 },
    { "anthropic_api", 5, API_RECOVERY_MS, 3, 2, GLC_CHECK_NONE, 0 },
};
const unsigned glc_breaker_count = sizeof glc_breaker_table / sizeof glc_breaker_table[0];

const struct glc_app_def glc_app = {
    .name = "fixture",
    .http_port = 8080,
    .metrics_port = 9090,
    .track_state_changes = 1,
    .alert_on_open = 1,
    .alert_on_close = 1,
    .alert_slack = 1,
    .alert_pagerduty = 1,
};
