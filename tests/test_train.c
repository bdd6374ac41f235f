/* test_train.c: the trainer end to end: learning, determinism, budgets,
 * divergence, interruption, plateau timing and a vae. */
#include "rx_test.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rx_keys.h"
#include "rx_train.h"

static void set(rx_config *c, const char *kv)
{
    rx_err err = {{0}};
    if (rx_config_assign(c, kv, &err) != RX_OK)
        fail_msg("%s: %s", kv, err.msg);
}

static void spirals_config(rx_config *c)
{
    rx_config_defaults(c);
    set(c, "data.dataset=spirals");
    set(c, "data.noise=0.05");
    set(c, "data.validation=200");
    set(c, "model.hidden=[64,64]");
    set(c, "optimizer.name=adam");
    set(c, "optimizer.lr=0.01");
    set(c, "train.full_epochs=20");
    set(c, "schedule.name=rex");
}

typedef struct recorder {
    rx_epoch_metrics ep[256];
    int n;
} recorder;

static int record(void *ud, const rx_epoch_metrics *m)
{
    recorder *r = ud;
    if (r->n < 256)
        r->ep[r->n++] = *m;
    return 0;
}

static void train_ok(const rx_config *c, recorder *rec, rx_train_result *res)
{
    rx_data data;
    rx_err err = {{0}};
    if (rx_data_load(&c->data, &data, &err))
        fail_msg("data: %s", err.msg);
    rx_train_hooks hooks = {.on_epoch = record, .ud = rec};
    int rc = rx_train(c, &data, rec ? &hooks : NULL, res, &err);
    rx_data_free(&data);
    if (rc)
        fail_msg("train: %s", err.msg);
}

/* The MLP learns two spirals to >= 95% within a few hundred steps. */
static void test_spirals_learn(void **state)
{
    (void)state;
    rx_config c;
    spirals_config(&c);
    rx_train_result res;
    train_ok(&c, NULL, &res);
    assert_int_equal(res.status, RX_RUN_DONE);
    assert_true(res.steps <= 400);
    assert_true(res.final.test_acc >= 0.95);
}

/* Two runs of one configuration give bit-identical metrics. */
static void test_determinism(void **state)
{
    (void)state;
    rx_config c;
    spirals_config(&c);
    set(&c, "model.dropout=0.1"); /* dropout masks come from the seed too */
    static recorder a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    rx_train_result ra, rb;
    train_ok(&c, &a, &ra);
    train_ok(&c, &b, &rb);
    assert_int_equal(a.n, b.n);
    assert_true(a.n > 0);
    for (int i = 0; i < a.n; i++) {
        a.ep[i].wall = b.ep[i].wall = 0;
        assert_memory_equal(&a.ep[i], &b.ep[i], sizeof a.ep[i]);
    }
    /* and another seed gives other numbers */
    set(&c, "train.seed=1");
    static recorder s1;
    memset(&s1, 0, sizeof s1);
    train_ok(&c, &s1, &rb);
    assert_true(s1.ep[0].train_loss != a.ep[0].train_loss);
}

/* A budget is rounded up to whole steps, and the schedule spans exactly
 * that budget: linear reaches lr0/T at the last step. */
static void test_budget_steps(void **state)
{
    (void)state;
    assert_int_equal(rx_budget_steps(0.1, 20, 469), 938);
    assert_int_equal(rx_budget_steps(0.01, 3, 100), 3);
    assert_int_equal(rx_budget_steps(0.001, 1, 10), 1);
    assert_int_equal(rx_budget_steps(1.0 / 3.0, 1, 10), 4);
    rx_config c;
    spirals_config(&c);
    set(&c, "schedule.name=linear");
    set(&c, "train.budget=5%");
    set(&c, "optimizer.lr=0.02");
    recorder *rec = calloc(1, sizeof *rec);
    rx_train_result res;
    train_ok(&c, rec, &res);
    /* 1800 training samples, batch 128: 15 steps an epoch; 5% of 20
     * epochs = 15 steps */
    assert_int_equal(res.steps_per_epoch, 15);
    assert_int_equal(res.total_steps, 15);
    assert_int_equal(res.steps, 15);
    assert_int_equal(rec->n, 1);
    assert_double_close(rec->ep[0].lr, 0.02 * (1.0 / 15.0), 1e-12);
    free(rec);
}

/* A NaN/Inf loss stops the run as diverged, with its step. */
static void test_divergence(void **state)
{
    (void)state;
    rx_config c;
    spirals_config(&c);
    set(&c, "optimizer.name=sgd");
    set(&c, "optimizer.lr=1e5");
    set(&c, "schedule.name=constant");
    rx_train_result res;
    train_ok(&c, NULL, &res);
    assert_int_equal(res.status, RX_RUN_DIVERGED);
    assert_true(res.diverged_step >= 1);
    assert_true(res.diverged_step <= res.total_steps);
}

/* Raises the stop flag at the end of epoch `at`. */
typedef struct stopper {
    volatile sig_atomic_t flag;
    int at;
} stopper;

static int stop_after_epoch(void *ud, const rx_epoch_metrics *m)
{
    stopper *s = ud;
    if (m->epoch == s->at)
        s->flag = 1;
    return 0;
}

/* Trains the spirals run, stopping after epoch `at`; prog may be NULL. */
static void train_stopped(int at, rx_train_progress *prog, rx_train_result *res)
{
    rx_config c;
    spirals_config(&c);
    rx_data data;
    rx_err err;
    assert_int_equal(rx_data_load(&c.data, &data, &err), RX_OK);
    static stopper s;
    s.flag = 0;
    s.at = at;
    rx_train_hooks hooks = {.on_epoch = stop_after_epoch, .ud = &s, .stop = &s.flag, .progress = prog};
    assert_int_equal(rx_train(&c, &data, &hooks, res, &err), RX_OK);
    rx_data_free(&data);
}

/* The stop flag interrupts a run at the next step. */
static void test_interrupt(void **state)
{
    (void)state;
    rx_train_result res;
    train_stopped(2, NULL, &res);
    assert_int_equal(res.status, RX_RUN_INTERRUPTED);
    assert_int_equal(res.n_epochs_done, 2);
    assert_int_equal(res.steps, 2 * res.steps_per_epoch);
}

/* A stop (or a timeout) that arrives once the last step is trained does
 * not turn a finished run into an interrupted one: it would be retrained
 * for nothing on the rerun. */
static void test_interrupt_after_last_step(void **state)
{
    (void)state;
    rx_train_progress prog = {0, 0};
    rx_train_result res;
    train_stopped(20, &prog, &res);
    assert_int_equal(res.status, RX_RUN_DONE);
    assert_int_equal(res.steps, res.total_steps);
    assert_int_equal(prog.step, res.total_steps);
    assert_int_equal(prog.total, res.total_steps);
    /* a time limit that expires during the last step */
    rx_config c;
    spirals_config(&c);
    rx_data data;
    rx_err err;
    assert_int_equal(rx_data_load(&c.data, &data, &err), RX_OK);
    set(&c, "train.full_epochs=2");
    c.train.max_seconds = 1e-9;
    assert_int_equal(rx_train(&c, &data, NULL, &res, &err), RX_OK);
    assert_int_equal(res.status, RX_RUN_TIMEOUT);
    assert_int_equal(res.steps, 1);
    /* ... unless that step was the last one */
    set(&c, "train.full_epochs=0.001");
    assert_int_equal(rx_train(&c, &data, NULL, &res, &err), RX_OK);
    rx_data_free(&data);
    assert_int_equal(res.total_steps, 1);
    assert_int_equal(res.status, RX_RUN_DONE);
}

/* plateau lowers the lr exactly when the validation losses say so, as
 * PyTorch's ReduceLROnPlateau (mode min, rel threshold) would. */
static void test_plateau_timing(void **state)
{
    (void)state;
    rx_config c;
    spirals_config(&c);
    set(&c, "optimizer.name=sgd");
    set(&c, "optimizer.lr=0.3");
    set(&c, "optimizer.momentum=0.9");
    set(&c, "train.full_epochs=40");
    set(&c, "data.noise=0.3");
    set(&c, "schedule.name=plateau");
    set(&c, "schedule.patience=1");
    set(&c, "schedule.factor=0.5");
    recorder *rec = calloc(1, sizeof *rec);
    rx_train_result res;
    train_ok(&c, rec, &res);
    assert_int_equal(rec->n, 40);
    double lr = 0.3, best = INFINITY;
    int bad = 0, reductions = 0;
    for (int e = 0; e < rec->n; e++) {
        assert_double_close(rec->ep[e].lr, lr, 1e-12 * lr);
        double v = rec->ep[e].val_loss;
        if (v < best * (1 - 1e-4)) {
            best = v;
            bad = 0;
        } else if (++bad > 1) {
            lr *= 0.5;
            bad = 0;
            reductions++;
        }
    }
    assert_true(reductions >= 1); /* the case must exercise a reduction */
    free(rec);
}

/* Defaults on Fashion-MNIST; skips the test when the dataset is missing. */
static void fmnist_config(rx_config *c)
{
    struct stat sb;
    if (stat(RX_FMNIST_DIR "/train-images-idx3-ubyte.gz", &sb) != 0)
        skip();
    rx_config_defaults(c);
    set(c, "data.dataset=fashion-mnist");
}

/* One epoch of MLP 784-256-256-10 (batch 128, SGD momentum 0.9, lr 0.05)
 * on Fashion-MNIST reaches >= 82% test accuracy. */
static void test_fashion_mnist_epoch(void **state)
{
    (void)state;
    rx_config c;
    fmnist_config(&c);
    set(&c, "model.hidden=[256,256]");
    set(&c, "optimizer.name=sgd");
    set(&c, "optimizer.momentum=0.9");
    set(&c, "optimizer.lr=0.05");
    set(&c, "train.batch_size=128");
    set(&c, "train.full_epochs=1");
    set(&c, "schedule.name=constant");
    rx_train_result res;
    train_ok(&c, NULL, &res);
    assert_int_equal(res.status, RX_RUN_DONE);
    assert_int_equal(res.steps, 469);
    print_message("fashion-mnist 1 epoch: test_acc %.4f\n", res.final.test_acc);
    assert_true(res.final.test_acc >= 0.82);
}

/* A vae on 2000 raw Fashion-MNIST images (data.normalize none: the binary
 * cross-entropy needs pixels in [0, 1]): the loss per image falls well below
 * its starting value of about 784 * log 2 = 543, and a vae reports no
 * accuracy (NaN, never a meaningless 0). */
static void test_fashion_mnist_vae(void **state)
{
    (void)state;
    rx_config c;
    fmnist_config(&c);
    set(&c, "data.normalize=none");
    set(&c, "data.train_subset=2000");
    set(&c, "data.validation=500");
    set(&c, "data.test_subset=500");
    set(&c, "model.type=vae");
    set(&c, "model.hidden=[128,64]");
    set(&c, "optimizer.name=adam");
    set(&c, "optimizer.lr=0.003");
    set(&c, "train.full_epochs=3");
    set(&c, "schedule.name=rex");
    rx_err err = {{0}};
    assert_int_equal(rx_config_validate(&c, &err), RX_OK);
    recorder *rec = calloc(1, sizeof *rec);
    assert_non_null(rec);
    rx_train_result res;
    train_ok(&c, rec, &res);
    assert_int_equal(res.status, RX_RUN_DONE);
    assert_int_equal(rec->n, 3);
    print_message("vae: val loss %.1f -> %.1f, test loss %.1f\n", rec->ep[0].val_loss,
                  rec->ep[2].val_loss, res.final.test_loss);
    assert_true(isfinite(res.final.test_loss) && res.final.test_loss > 0);
    assert_true(rec->ep[2].val_loss < rec->ep[0].val_loss);
    assert_true(res.final.test_loss < 400);
    assert_true(isnan(res.final.train_acc) && isnan(res.final.val_acc) &&
                isnan(res.final.test_acc));
    free(rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spirals_learn),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_budget_steps),
        cmocka_unit_test(test_divergence),
        cmocka_unit_test(test_interrupt),
        cmocka_unit_test(test_interrupt_after_last_step),
        cmocka_unit_test(test_plateau_timing),
        cmocka_unit_test(test_fashion_mnist_epoch),
        cmocka_unit_test(test_fashion_mnist_vae),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
