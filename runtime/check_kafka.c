/* SPDX-License-Identifier: MIT */
/*
 * Kafka check: a metadata request through one persistent librdkafka producer handle (which
 * reconnects by itself), bounded by the time left before the check's deadline. librdkafka's
 * own log lines are routed into our JSON log at warning level and above, redacted.
 */
#include <stdio.h>
#include <stdlib.h>

#include <librdkafka/rdkafka.h>

#include "rt.h"

static void kafka_log(const rd_kafka_t *rk, int level, const char *facility, const char *text)
{
    char *clean = glc_redact(text);

    (void)rk;
    (void)level;  /* only warnings and errors are enabled; an outage is reported by the check */
    glc_log(GLC_LOG_WARN, "kafka client", json_pack("{s:s,s:s*}", "facility", facility, "detail", clean));
    free(clean);
}

/* Broker-down errors are what the check reports; don't also log each one. */
static void kafka_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk, (void)err, (void)reason, (void)opaque;
}

static enum glc_check_reason classify(rd_kafka_resp_err_t err)
{
    switch (err) {
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
        return GLC_REASON_TIMEOUT;
    case RD_KAFKA_RESP_ERR__RESOLVE:
        return GLC_REASON_DNS;
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
        return GLC_REASON_AUTH_FAILED;
    case RD_KAFKA_RESP_ERR__SSL:
        return GLC_REASON_PROTOCOL;
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
        return GLC_REASON_MISCONFIGURED;
    default:
        return GLC_REASON_UNAVAILABLE;
    }
}

static int set_conf(rd_kafka_conf_t *conf, const char *key, const char *value, char *detail, size_t cap)
{
    return rd_kafka_conf_set(conf, key, value, detail, cap) == RD_KAFKA_CONF_OK ? 0 : -1;
}

static rd_kafka_t *kafka_open(struct glc_checker *ck, enum glc_check_reason *reason, char *detail,
                              size_t cap)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char timeout[16];
    rd_kafka_t *rk;

    snprintf(timeout, sizeof timeout, "%u", GLC_CHECK_TIMEOUT_MAX_MS);  /* librdkafka: >= 1000 */
    if (set_conf(conf, "bootstrap.servers", ck->target, detail, cap) != 0 ||
        set_conf(conf, "client.id", ck->rt->app->name, detail, cap) != 0 ||
        set_conf(conf, "reconnect.backoff.max.ms", "1000", detail, cap) != 0 ||
        set_conf(conf, "socket.connection.setup.timeout.ms", timeout, detail, cap) != 0 ||
        set_conf(conf, "log_level", "4", detail, cap) != 0 ||
        set_conf(conf, "log.connection.close", "false", detail, cap) != 0) {
        rd_kafka_conf_destroy(conf);
        *reason = GLC_REASON_MISCONFIGURED;
        return NULL;
    }
    rd_kafka_conf_set_log_cb(conf, kafka_log);
    rd_kafka_conf_set_error_cb(conf, kafka_error);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, detail, cap);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        *reason = GLC_REASON_MISCONFIGURED;
    }
    return rk;
}

int glc_kafka_check(struct glc_checker *ck, uint64_t deadline_ns, enum glc_check_reason *reason,
                    char *detail, size_t cap)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err;
    uint64_t now = glc_mono_ns();
    int timeout_ms = deadline_ns > now ? (int)((deadline_ns - now) / 1000000ull) : 1;
    int brokers;

    if (!ck->driver)
        ck->driver = kafka_open(ck, reason, detail, cap);
    if (!ck->driver)
        return -1;
    err = rd_kafka_metadata(ck->driver, 0, NULL, &md, timeout_ms > 0 ? timeout_ms : 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        /* With no usable broker librdkafka waits out the whole timeout, then reports a
         * transport failure: whatever the code, a spent deadline is a timeout. */
        *reason = glc_mono_ns() + 10 * 1000000ull >= deadline_ns ? GLC_REASON_TIMEOUT : classify(err);
        snprintf(detail, cap, "%s", rd_kafka_err2str(err));
        return -1;
    }
    brokers = md->broker_cnt;
    rd_kafka_metadata_destroy(md);
    if (brokers < 1) {
        *reason = GLC_REASON_UNAVAILABLE;
        snprintf(detail, cap, "metadata lists no brokers");
        return -1;
    }
    return 0;
}

void glc_kafka_close(struct glc_checker *ck)
{
    if (ck->driver)
        rd_kafka_destroy(ck->driver);
    ck->driver = NULL;
}
