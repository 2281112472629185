/* SPDX-License-Identifier: MIT */
/**
 * DOC: glc/runtime.h - the health-and-breaker runtime process
 *
 * ``<app>-runtime`` is runtime/main.c + the generated glc_breakers.c + libglc_runtime.a.
 * main() calls glc_runtime_main(), which runs glc_runtime_run() on the generated table.
 *
 * Command line::
 *
 *   <app>-runtime [--port N] [--metrics-port N] [--bind ADDR] [--drain-seconds N]
 *                 [--check-interval-ms N] [--max-connections N]
 *                 [--max-connections-per-ip N] [--connection-timeout S] [--help]
 *   <app>-runtime migrate [--print]
 *
 * Environment: DATABASE_URL, REDIS_URL, KAFKA_BROKERS (unset: that check is disabled);
 * POD_NAME; GLC_ADMIN_TOKEN; GLC_SLACK_WEBHOOK_URL, GLC_PAGERDUTY_ROUTING_KEY,
 * GLC_PAGERDUTY_URL; GLC_EVENT_QUEUE_MAX, GLC_ALERT_BACKOFF_MS, GLC_ALERT_MAX_ATTEMPTS.
 *
 * Endpoints on --port: /health/live, /health/ready, /health/startup, /breakers.
 * On --metrics-port: /metrics (Prometheus text format 0.0.4) and, with GLC_ADMIN_TOKEN,
 * POST /breakers/<name>/<open|close|reset>.
 * Breaker transitions are stored in PostgreSQL (circuit_breaker_events, circuit_breaker_state)
 * and alerted to Slack and PagerDuty, asynchronously. ``migrate`` applies the embedded SQL
 * migrations. SIGTERM/SIGINT: readiness answers 503 at once, serving continues for
 * --drain-seconds, then the servers are quiesced, drained and stopped, pending events get a
 * bounded flush, and the process exits 0. Reference: docs/runtime.md.
 */
#ifndef GLC_RUNTIME_H
#define GLC_RUNTIME_H

#include <glc/table.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * glc_runtime_run() - run the runtime on a given table until SIGTERM or SIGINT
 * @app: application settings (defaults for the ports)
 * @defs: breaker table
 * @count: number of rows in @defs
 * @argc: argument count, as given to main()
 * @argv: arguments, as given to main()
 *
 * With ``migrate`` as the first argument, applies the migrations to DATABASE_URL instead.
 *
 * Return: the process exit status: 0 after a clean shutdown or --help, 2 for a usage error,
 * 1 for a start-up failure (or a failed migration).
 */
int glc_runtime_run(const struct glc_app_def *app, const struct glc_breaker_def *defs,
                    unsigned count, int argc, char **argv);

/**
 * glc_runtime_main() - glc_runtime_run() on the generated glc_app and glc_breaker_table
 * @argc: argument count
 * @argv: arguments
 *
 * Return: the process exit status.
 */
int glc_runtime_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* GLC_RUNTIME_H */
