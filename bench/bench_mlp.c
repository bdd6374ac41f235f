/*
 * bench_mlp.c: throughput of the built-in trainer on the issue's
 * reference job, and the GEMM-only bound for the same steps.
 *
 *   bench_mlp train [epochs]   MLP 784-256-256-10, batch 128, SGD momentum
 *                              0.9, lr 0.05 on Fashion-MNIST (training
 *                              only: no validation or test evaluation)
 *   bench_mlp gemm [epochs]    the same 8 matrix products per step, timed
 *                              alone through rx_sgemm
 * Each prints one line: "<mode> samples_per_sec=<x> seconds=<s> wall=<w>
 * steps=<n>", where seconds is the thread's CPU time (one BLAS thread runs
 * in the calling thread), so that a shared, loaded machine disturbs the
 * figure less than wall time would; wall is printed beside it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rx_blas.h"
#include "rx_config.h"
#include "rx_data.h"
#include "rx_keys.h"
#include "rx_train.h"

#define B 128

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
#define NTRAIN 60000

static int bench_gemm(double epochs)
{
    const int D = 784, H = 256, C = 10;
    long steps = (long)(epochs * ((NTRAIN + B - 1) / B));
    size_t big = (size_t)B * D + (size_t)H * D * 2 + (size_t)H * H * 2 +
                 (size_t)C * H * 2 + (size_t)B * H * 4 + (size_t)B * C * 2;
    float *m = calloc(big, sizeof(float));
    if (!m)
        return 1;
    for (size_t i = 0; i < big; i++)
        m[i] = (float)((i * 2654435761u) % 1000) * 1e-3f - 0.5f;
    float *X = m, *W1 = X + (size_t)B * D, *dW1 = W1 + (size_t)H * D;
    float *W2 = dW1 + (size_t)H * D, *dW2 = W2 + (size_t)H * H;
    float *W3 = dW2 + (size_t)H * H, *dW3 = W3 + (size_t)C * H;
    float *H1 = dW3 + (size_t)C * H, *H2 = H1 + (size_t)B * H;
    float *dH1 = H2 + (size_t)B * H, *dH2 = dH1 + (size_t)B * H;
    float *Y = dH2 + (size_t)B * H, *dY = Y + (size_t)B * C;
    rx_blas_set_threads(1);
    double t0 = rx_now(), c0 = cpu_now();
    for (long s = 0; s < steps; s++) {
        /* forward: out = inp @ W^T */
        rx_sgemm(0, 1, B, H, D, 1, X, D, W1, D, 0, H1, H);
        rx_sgemm(0, 1, B, H, H, 1, H1, H, W2, H, 0, H2, H);
        rx_sgemm(0, 1, B, C, H, 1, H2, H, W3, H, 0, Y, C);
        /* backward: dW = dout^T @ inp, dinp = dout @ W (first layer skips
         * its input gradient) */
        rx_sgemm(1, 0, C, H, B, 1, dY, C, H2, H, 0, dW3, H);
        rx_sgemm(0, 0, B, H, C, 1, dY, C, W3, H, 0, dH2, H);
        rx_sgemm(1, 0, H, H, B, 1, dH2, H, H1, H, 0, dW2, H);
        rx_sgemm(0, 0, B, H, H, 1, dH2, H, W2, H, 0, dH1, H);
        rx_sgemm(1, 0, H, D, B, 1, dH1, H, X, D, 0, dW1, D);
    }
    double dc = cpu_now() - c0, dt = rx_now() - t0;
    printf("gemm samples_per_sec=%.1f seconds=%.3f wall=%.3f steps=%ld\n",
           (double)steps * B / dc, dc, dt, steps);
    free(m);
    return 0;
}

static int bench_train(double epochs)
{
    rx_config c;
    rx_err err;
    rx_config_defaults(&c);
    const char *set[][2] = {
        {"data.dataset", "fashion-mnist"}, {"data.validation", "0"},
        {"model.type", "mlp"}, {"model.hidden", "[256,256]"},
        {"model.activation", "relu"}, {"train.batch_size", "128"},
        {"train.eval_test", "false"}, {"optimizer.name", "sgd"},
        {"optimizer.lr", "0.05"}, {"optimizer.momentum", "0.9"},
        {"schedule.name", "constant"}, {"train.budget", "1"}};
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++) {
        const char *v = set[i][1];
        if (rx_config_set_str(&c, set[i][0], v, &err)) {
            fprintf(stderr, "bench: %s\n", err.msg);
            return 1;
        }
    }
    c.train.full_epochs = epochs;
    rx_data data;
    if (rx_data_load(&c.data, &data, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    rx_train_result res;
    double t0 = rx_now(), c0 = cpu_now();
    int rc = rx_train(&c, &data, NULL, &res, &err);
    double dc = cpu_now() - c0, dt = rx_now() - t0;
    if (rc || res.status != RX_RUN_DONE) {
        fprintf(stderr, "bench: training failed: %s\n", rc ? err.msg : rx_run_status_name(res.status));
        rx_data_free(&data);
        return 1;
    }
    printf("train samples_per_sec=%.1f seconds=%.3f wall=%.3f steps=%ld train_loss=%.4f\n",
           (double)res.samples / dc, dc, dt, res.steps, res.final.train_loss);
    rx_data_free(&data);
    return 0;
}

int main(int argc, char **argv)
{
    double epochs = argc > 2 ? atof(argv[2]) : 2.0;
    if (argc > 1 && strcmp(argv[1], "gemm") == 0)
        return bench_gemm(epochs);
    if (argc > 1 && strcmp(argv[1], "train") == 0)
        return bench_train(epochs);
    fprintf(stderr, "usage: bench_mlp train|gemm [epochs]\n");
    return 2;
}
