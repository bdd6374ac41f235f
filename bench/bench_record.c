/*
 * bench_record.c: what recording costs next to training.  Trains the
 * first run of a spec's grid (default: the quickstart's MLP on
 * Fashion-MNIST) at a 25% budget, collecting every epoch's metrics and,
 * a step row every step; then writes them, without and with the step
 * rows, into a fresh store the way the
 * runner does (rx_store_finish: one transaction) several times and prints
 * the median write time as a share of the training time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rx_keys.h"
#include "rx_spec.h"
#include "rx_store.h"
#include "rx_train.h"

typedef struct buf {
    rx_epoch_metrics ep[256];
    int nep;
    rx_step_metrics *st;
    int nst, cap;
} buf;

static int on_epoch(void *ud, const rx_epoch_metrics *m)
{
    buf *b = ud;
    if (b->nep < 256)
        b->ep[b->nep++] = *m;
    return 0;
}

static int on_step(void *ud, const rx_step_metrics *m)
{
    buf *b = ud;
    if (b->nst == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 1024;
        b->st = realloc(b->st, (size_t)b->cap * sizeof *b->st);
    }
    b->st[b->nst++] = *m;
    return 0;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *spec_path = argc > 1 ? argv[1] : "sweeps/quickstart.yaml";
    rx_err err;
    rx_spec *spec;
    rx_job *job;
    int njobs;
    if (rx_spec_load(spec_path, &spec, &err) ||
        rx_spec_override(spec, "train.budget=25%", &err) ||
        rx_spec_override(spec, "train.log_every=1", &err) ||
        rx_spec_expand(spec, &job, &njobs, &err)) {
        fprintf(stderr, "bench_record: %s\n", err.msg);
        return 1;
    }
    rx_data data;
    if (rx_data_load(&job->cfg.data, &data, &err)) {
        fprintf(stderr, "bench_record: %s\n", err.msg);
        return 1;
    }
    buf *b = calloc(1, sizeof *b);
    rx_train_hooks hooks = {.on_epoch = on_epoch, .on_step = on_step, .ud = b};
    rx_train_result res;
    double t0 = rx_now();
    if (rx_train(&job->cfg, &data, &hooks, &res, &err)) {
        fprintf(stderr, "bench_record: %s\n", err.msg);
        return 1;
    }
    double train_s = rx_now() - t0;
    char path[] = "/tmp/rx_bench_recordXXXXXX";
    int fd = mkstemp(path);
    close(fd);
    /* twice: epoch rows only (the default), then with a step row a step */
    for (int with_steps = 0; with_steps <= 1; with_steps++) {
        double w[7];
        for (int r = 0; r < 7; r++) {
            unlink(path);
            rx_store *st;
            int64_t sweep;
            rx_sweep_info info = {"bench", "", "0", NULL};
            char host[64] = "bench";
            char key[RX_KEY_LEN + 1];
            if (rx_store_open(path, RX_STORE_CREATE, &st, &err) ||
                rx_store_begin_sweep(st, &info, &sweep, &err) ||
                rx_store_add_jobs(st, sweep, job, 1, NULL, &err) ||
                rx_store_claim(st, sweep, 0, 0, host, (long)getpid(), key, NULL, &err)) {
                fprintf(stderr, "bench_record: %s\n", err.msg);
                return 1;
            }
            double t1 = rx_now();
            for (int e = 0; e < b->nep; e++)   /* the runner's per-epoch heartbeat */
                rx_store_heartbeat(st, key, NULL);
            if (rx_store_finish(st, key, RX_STATE_DONE, &res, b->ep, b->nep, b->st,
                                with_steps ? b->nst : 0, NULL, &err)) {
                fprintf(stderr, "bench_record: %s\n", err.msg);
                return 1;
            }
            w[r] = rx_now() - t1;
            rx_store_close(st);
        }
        qsort(w, 7, sizeof w[0], cmp);
        printf("record epochs=%d step_rows=%d train_seconds=%.3f record_seconds=%.4f "
               "share=%.2f%% (median of 7 writes; target <= 2%%)\n",
               b->nep, with_steps ? b->nst : 0, train_s, w[3], 100 * w[3] / train_s);
    }
    unlink(path);
    rx_data_free(&data);
    rx_jobs_free(job, njobs); /* the first run of the grid was measured */
    rx_spec_free(spec);
    free(b->st);
    free(b);
    return 0;
}
