/* SPDX-License-Identifier: MIT */
/*
 * glc_kafka_mock: a librdkafka mock cluster in its own process, for the runtime integration
 * test. Prints the bootstrap servers on stdout, then runs until SIGTERM/SIGINT;
 * SIGUSR1 takes every broker down, SIGUSR2 brings them back up (same ports).
 * Usage: glc_kafka_mock [brokers]   (default 1)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static void set_all(rd_kafka_mock_cluster_t *mc, int brokers, int up)
{
    for (int id = 1; id <= brokers; id++) {
        rd_kafka_resp_err_t err = up ? rd_kafka_mock_broker_set_up(mc, id)
                                     : rd_kafka_mock_broker_set_down(mc, id);

        if (err)
            fprintf(stderr, "broker %d: %s\n", id, rd_kafka_err2str(err));
    }
    fprintf(stderr, "brokers %s\n", up ? "up" : "down");
}

int main(int argc, char **argv)
{
    int brokers = argc > 1 ? atoi(argv[1]) : 1;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[256];
    rd_kafka_t *rk;
    rd_kafka_mock_cluster_t *mc;
    sigset_t set;
    int sig = 0;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);  /* before librdkafka starts its threads */
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk || brokers < 1) {
        fprintf(stderr, "glc_kafka_mock: %s\n", rk ? "brokers must be >= 1" : err);
        return 1;
    }
    mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (!mc) {
        fprintf(stderr, "glc_kafka_mock: cannot create the mock cluster\n");
        return 1;
    }
    printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);
    while (sigwait(&set, &sig) == 0 && sig != SIGTERM && sig != SIGINT)
        set_all(mc, brokers, sig == SIGUSR2);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}
