/* cost.c: what a run costs before it runs (rx_cost.h). */
#include "rx_cost.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_data.h"
#include "rx_model.h"
#include "rx_sched.h"
#include "rx_train.h"

/* Distinct data configurations and models a memo keeps: a grid has a few;
 * past this the oldest entry makes room (round robin). */
#define MEMO_SLOTS 64

typedef struct data_entry {
    rx_data_config key;
    int ok;                 /* the shape was read */
    rx_data_shape shape;
} data_entry;

typedef struct model_entry {
    rx_model_config key;
    rx_shape in;
    int n_out;
    int ok;
    double flops;           /* per sample, forward and backward */
} model_entry;

struct rx_cost_memo {
    const rx_trainer_spec *trainer;
    data_entry data[MEMO_SLOTS];
    int n_data, next_data;
    model_entry model[MEMO_SLOTS];
    int n_model, next_model;
};

rx_cost_memo *rx_cost_memo_new(const rx_trainer_spec *trainer)
{
    rx_cost_memo *m = calloc(1, sizeof *m);
    if (m)
        m->trainer = trainer;
    return m;
}

void rx_cost_memo_free(rx_cost_memo *m)
{
    free(m);
}

/* Field by field, not bytewise: the bytes after a string's NUL and the
 * padding may differ between equal configurations, and a miss per run
 * would read the data once per run. */
static int same_data(const rx_data_config *a, const rx_data_config *b)
{
    return strcmp(a->dataset, b->dataset) == 0 && strcmp(a->path, b->path) == 0 &&
           strcmp(a->test_path, b->test_path) == 0 && a->label_column == b->label_column &&
           a->header == b->header && a->n_features == b->n_features &&
           a->validation == b->validation && a->train_subset == b->train_subset &&
           a->test_subset == b->test_subset && a->n_samples == b->n_samples &&
           a->n_classes == b->n_classes && a->n_dims == b->n_dims &&
           a->n_outputs == b->n_outputs && a->teacher_hidden == b->teacher_hidden &&
           a->noise == b->noise && a->data_seed == b->data_seed;
}

/* What a model's FLOPs depend on (dropout and init do not). */
static int same_model(const rx_model_config *a, const rx_model_config *b)
{
    if (a->type != b->type || a->n_hidden != b->n_hidden || a->activation != b->activation ||
        a->loss != b->loss || a->n_conv != b->n_conv || a->latent != b->latent)
        return 0;
    for (int i = 0; i < a->n_hidden && i < RX_MAX_HIDDEN; i++)
        if (a->hidden[i] != b->hidden[i])
            return 0;
    for (int i = 0; i < a->n_conv && i < RX_MAX_CONV; i++) {
        const rx_conv_config *x = &a->conv[i], *y = &b->conv[i];
        if (x->channels != y->channels || x->kernel != y->kernel || x->stride != y->stride ||
            x->padding != y->padding || x->pool != y->pool)
            return 0;
    }
    return 1;
}

/* The memo's entry for c into *out; RX_ENOMEM when looking ran out of
 * memory (then nothing is kept). */
static int data_of(rx_cost_memo *m, const rx_data_config *c, const data_entry **out,
                   rx_err *err)
{
    for (int i = 0; i < m->n_data; i++)
        if (same_data(&m->data[i].key, c)) {
            *out = &m->data[i];
            return RX_OK;
        }
    rx_data_shape z;
    rx_err e;
    int rc = rx_data_shape_of(c, &z, &e);
    if (rc == RX_ENOMEM)
        return rx_errf(err, rc, "out of memory sizing the data of a run: %s", e.msg);
    int k = m->n_data < MEMO_SLOTS ? m->n_data++ : m->next_data++ % MEMO_SLOTS;
    data_entry *d = &m->data[k];
    d->key = *c;
    d->shape = z;
    d->ok = rc == RX_OK && z.n_train > 0;
    *out = d;
    return RX_OK;
}

/* As data_of, for a model on inputs of shape in. */
static int model_of(rx_cost_memo *m, const rx_model_config *c, rx_shape in, int n_out,
                    const model_entry **out, rx_err *err)
{
    for (int i = 0; i < m->n_model; i++) {
        const model_entry *e = &m->model[i];
        if (e->in.c == in.c && e->in.h == in.h && e->in.w == in.w && e->n_out == n_out &&
            same_model(&e->key, c)) {
            *out = e;
            return RX_OK;
        }
    }
    double flops;
    rx_err e;
    int rc = rx_model_flops(c, in, n_out, &flops, &e);
    if (rc == RX_ENOMEM)
        return rx_errf(err, rc, "out of memory sizing the model of a run: %s", e.msg);
    int k = m->n_model < MEMO_SLOTS ? m->n_model++ : m->next_model++ % MEMO_SLOTS;
    model_entry *me = &m->model[k];
    me->key = *c;
    me->in = in;
    me->n_out = n_out;
    me->flops = flops;
    me->ok = rc == RX_OK;
    *out = me;
    return RX_OK;
}

int rx_cost_of(rx_cost_memo *m, const rx_config *c, rx_cost *out, rx_err *err)
{
    rx_cost *r = out;
    *r = (rx_cost){0, 0, c->train.budget * c->train.full_epochs};
    long B = c->train.batch_size > 0 ? c->train.batch_size : 1;
    if (m->trainer && m->trainer->kind != RX_TRAINER_BUILTIN) {
        long spe = rx_trainer_steps_per_epoch(m->trainer, c);
        if (spe > 0) {
            r->steps = rx_sched_total_steps(&c->sched,
                                            rx_budget_steps(c->train.budget,
                                                            c->train.full_epochs, spe));
            r->cost = (double)r->steps * (double)B * 1e-9;
        }
        return RX_OK;
    }
    /* as rx_train: a batch is at most the training split */
    const data_entry *d = NULL;
    const model_entry *e = NULL;
    int rc = data_of(m, &c->data, &d, err);
    if (rc || !d->ok)
        return rc;
    if (B > d->shape.n_train)
        B = d->shape.n_train;
    long spe = (d->shape.n_train + B - 1) / B;
    r->steps = rx_sched_total_steps(&c->sched,
                                    rx_budget_steps(c->train.budget, c->train.full_epochs, spe));
    rx_shape in = {d->shape.c, d->shape.h, d->shape.w};
    rx_model_config mc = rx_model_config_for(&c->model, d->shape.regression);
    if ((rc = model_of(m, &mc, in, d->shape.n_out, &e, err)))
        return rc;
    /* the samples of its steps (an epoch's last batch is short): the
     * estimate rx_train records as the run's flops, to the bit */
    long samples = r->steps / spe * d->shape.n_train + r->steps % spe * B;
    if (e->ok)
        r->cost = e->flops * (double)samples * 1e-9;
    return RX_OK;
}

void rx_cost_format(double cost, const rx_trainer_spec *trainer, char *buf, size_t size)
{
    if (trainer && trainer->kind != RX_TRAINER_BUILTIN) {
        snprintf(buf, size, "%.3g samples", cost * 1e9);
        return;
    }
    static const char *const unit[] = {"GFLOP", "TFLOP", "PFLOP", "EFLOP", "ZFLOP"};
    int u = 0;
    while (u < 4 && cost >= 999.5) {
        cost /= 1000;
        u++;
    }
    snprintf(buf, size, "%.3g %s", cost, unit[u]);
}
