/*
 * train.c: the built-in CPU trainer.  One call trains one run: it builds
 * the model and optimizer, allocates every buffer once, steps through the
 * budget with the schedule driving lr and momentum, evaluates every epoch
 * and reports through callbacks.  It never prints and never touches
 * storage.
 */
#include "rx_train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rx_blas.h"
#include "rx_model.h"
#include "rx_optim.h"
#include "rx_sched.h"

const char *rx_run_status_name(rx_run_status s)
{
    static const char *names[] = {"done", "diverged", "interrupted", "timeout", "failed"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

void rx_train_result_epoch(rx_train_result *res, const rx_epoch_metrics *m)
{
    res->final = *m;
    res->n_epochs_done = m->epoch;
    if (isfinite(m->val_acc) && !(m->val_acc <= res->best_val_acc))
        res->best_val_acc = m->val_acc;
    if (isfinite(m->val_loss) && !(m->val_loss >= res->best_val_loss))
        res->best_val_loss = m->val_loss;
    if (isfinite(m->test_acc) && !(m->test_acc <= res->best_test_acc))
        res->best_test_acc = m->test_acc;
}

long rx_budget_steps(double budget, double full_epochs, long steps_per_epoch)
{
    /* Round up to whole iterations; the tiny tolerance keeps 0.1 * 20 * 469
     * from becoming one step more than the exact product. */
    double exact = budget * full_epochs * (double)steps_per_epoch;
    long t = (long)ceil(exact - 1e-9 * exact);
    return t < 1 ? 1 : t;
}

/* Everything allocated for one run; freed by run_free. */
typedef struct run_state {
    rx_model *model;
    rx_optim *optim;
    float *xb, *yb;
    int32_t *lb;
    int *order;   /* the epoch's sample order (ntrain) */
    int *pos;     /* evaluation positions (B) */
    size_t xb_n, yb_n, lb_n, order_n, pos_n;
} run_state;

static void run_free(run_state *r)
{
    rx_model_free(r->model);
    rx_optim_free(r->optim);
    rx_arena_free(r->xb, r->xb_n * sizeof(float));
    rx_arena_free(r->yb, r->yb_n * sizeof(float));
    rx_arena_free(r->lb, r->lb_n * sizeof(int32_t));
    rx_arena_free(r->order, r->order_n * sizeof(int));
    rx_arena_free(r->pos, r->pos_n * sizeof(int));
}

/* Where a run is between two steps, besides its buffers: one region of
 * its checkpoints, so that no field can be left out. */
typedef struct train_pos {
    long t;                /* steps done: the next step is t */
    int epoch;             /* epochs begun (1-based once one has) */
    double ep_loss, ep_gnorm;        /* the epoch's sums so far */
    long ep_correct, ep_n, ep_steps;
    double lr, mom;        /* in force at the last step */
    double wall;           /* seconds trained when saved */
} train_pos;

/* Mean loss and accuracy of the model on split s (eval mode). */
static void evaluate(run_state *r, const rx_data *data, const rx_split *s,
                     int B, int classify, double *loss, double *acc)
{
    if (!s->src || s->n == 0) {
        *loss = NAN;
        *acc = NAN;
        return;
    }
    double sum = 0;
    long correct = 0;
    for (int i = 0; i < s->n; i += B) {
        int nb = s->n - i < B ? s->n - i : B;
        /* positions i..i+nb of the split, in order */
        for (int k = 0; k < nb; k++)
            r->pos[k] = i + k;
        rx_data_gather(data, s, r->pos, nb, r->xb, r->lb, r->yb);
        rx_batch_stats st = rx_model_eval_batch(r->model, r->xb, r->lb, r->yb, nb);
        sum += st.loss_sum;
        correct += st.n_correct;
    }
    *loss = sum / s->n;
    *acc = classify ? (double)correct / s->n : NAN;
}

int rx_train(const rx_config *c, const rx_data *data,
             const rx_train_hooks *hooks, rx_train_result *res, rx_err *err)
{
    memset(res, 0, sizeof *res);
    res->status = RX_RUN_FAILED;
    res->best_val_acc = res->best_test_acc = res->final_lr = NAN;
    res->best_val_loss = NAN;
    double t0 = rx_now();

    const rx_dataset *ds = data->train_set;
    int ntrain = data->train.n, B = c->train.batch_size;
    if (ntrain <= 0)
        return rx_errf(err, RX_EINVAL, "the training split is empty");
    if (B <= 0)
        return rx_errf(err, RX_EINVAL, "'train.batch_size' must be positive");
    if (B > ntrain)
        B = ntrain;
    int classify = ds->n_classes > 0;
    int is_vae = c->model.type == RX_MODEL_VAE;
    /* a vae reconstructs its input: it has a loss but no accuracy */
    int has_acc = classify && !is_vae;
    if (!classify && !is_vae && c->model.loss == RX_LOSS_XENT)
        return rx_errf(err, RX_EINVAL, "cross-entropy needs a classification dataset");

    rx_blas_set_threads(c->train.blas_threads > 0 ? c->train.blas_threads : 1);

    long spe = (ntrain + B - 1) / B;
    long T = rx_budget_steps(c->train.budget, c->train.full_epochs, spe);
    long total = rx_sched_total_steps(&c->sched, T);
    res->total_steps = T;
    res->steps_per_epoch = spe;
    res->epochs = (double)total / (double)spe;

    rx_shape in = {ds->c ? ds->c : 1, ds->h ? ds->h : 1, ds->w ? ds->w : ds->d};
    int n_out = classify ? ds->n_classes : ds->n_targets;
    run_state r = {0};
    /* AUTO cannot see the data: targets mean mse */
    rx_model_config mc = rx_model_config_for(&c->model, !classify);
    int rc = rx_model_create(&r.model, &mc, in, n_out, B, err);
    if (rc)
        return rc;
    rx_rng init_rng, shuf_rng, drop_rng;
    rx_rng_seed(&init_rng, rx_seed_mix(c->train.seed, 1));
    rx_rng_seed(&shuf_rng, rx_seed_mix(c->train.seed, 2));
    rx_rng_seed(&drop_rng, rx_seed_mix(c->train.seed, 3));
    rx_model_init(r.model, &init_rng);
    res->n_params = (long)rx_model_nparams(r.model);
    rx_model_describe(r.model, res->model_desc, sizeof res->model_desc);

    rc = rx_optim_create(&r.optim, &c->optim, rx_model_nparams(r.model),
                         rx_model_decay_mask(r.model), err);
    if (rc)
        goto out;
    r.xb_n = (size_t)B * ds->d;
    r.lb_n = classify ? (size_t)B : 0;
    r.yb_n = !classify && !is_vae ? (size_t)B * ds->n_targets : 0;
    r.order_n = (size_t)ntrain;
    r.pos_n = (size_t)B;
    r.xb = rx_arena_alloc(r.xb_n * sizeof(float));
    r.lb = r.lb_n ? rx_arena_alloc(r.lb_n * sizeof(int32_t)) : NULL;
    r.yb = r.yb_n ? rx_arena_alloc(r.yb_n * sizeof(float)) : NULL;
    r.order = rx_arena_alloc(r.order_n * sizeof(int));
    r.pos = rx_arena_alloc(r.pos_n * sizeof(int));
    int *order = r.order;
    if (!r.xb || !r.order || !r.pos || (r.lb_n && !r.lb) || (r.yb_n && !r.yb)) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory allocating batch buffers");
        goto out;
    }

    rx_sched sched;
    double mom0 = rx_optim_momentum(&c->optim);
    rx_sched_start(&sched, &c->sched, c->optim.lr, mom0, total, spe);

    float *params = rx_model_params(r.model), *grads = rx_model_grads(r.model);
    double flops_ps = rx_model_flops_per_sample(r.model);
    train_pos pos = {0};
    pos.lr = c->optim.lr;
    pos.mom = mom0;
    res->status = RX_RUN_DONE;

    /* Everything that a checkpoint saves: with the model's parameters, the
     * optimizer's state, the two streams still drawn from, the epoch's
     * sample order, the schedule (plateau's history) and the result so
     * far, the run continues bit for bit where it stopped. */
    float *ostate;
    size_t n_ostate;
    long *osteps;
    int *obuf_init;
    rx_optim_state(r.optim, &ostate, &n_ostate, &osteps, &obuf_init);
    rx_train_region reg[] = {
        {"params", params, rx_model_nparams(r.model) * sizeof(float)},
        {"optim.state", ostate, n_ostate * sizeof(float)},
        {"optim.steps", osteps, sizeof *osteps},
        {"optim.buf_init", obuf_init, sizeof *obuf_init},
        {"rng.shuffle", &shuf_rng, sizeof shuf_rng},
        {"rng.dropout", &drop_rng, sizeof drop_rng},
        {"order", order, (size_t)ntrain * sizeof(int)},
        {"sched", &sched, sizeof sched},
        {"position", &pos, sizeof pos},
        {"result", res, sizeof *res},
    };
    int n_reg = (int)(sizeof reg / sizeof reg[0]);
    if (hooks && hooks->on_resume && hooks->on_resume(hooks->ud, reg, n_reg) == 1) {
        /* the wall clock goes on from the saved attempt's */
        t0 = rx_now() - pos.wall;
        res->status = RX_RUN_DONE;
    }
    double last_save = rx_now();
    rx_train_progress *prog = hooks ? hooks->progress : NULL;
    if (prog) {
        prog->step = pos.t;
        prog->total = total;
    }
    int alive = hooks && hooks->on_alive;
    double last_alive = rx_now();
    if (alive)
        hooks->on_alive(hooks->ud, pos.t);
    for (long t = pos.t; t < total; t++) {
        long in_epoch = t % spe;
        if (in_epoch == 0) {
            for (int i = 0; i < ntrain; i++)
                order[i] = i;
            rx_rng_shuffle(&shuf_rng, order, ntrain);
            pos.ep_loss = pos.ep_gnorm = 0;
            pos.ep_correct = pos.ep_n = pos.ep_steps = 0;
            pos.epoch++;
        }
        int start = (int)(in_epoch * B);
        int nb = ntrain - start < B ? ntrain - start : B;
        rx_data_gather(data, &data->train, order + start, nb, r.xb, r.lb, r.yb);
        rx_sched_step(&sched, t, &pos.lr, &pos.mom);
        res->final_lr = pos.lr;
        rx_batch_stats st = rx_model_train_batch(r.model, r.xb, r.lb, r.yb, nb, &drop_rng);
        double loss = st.loss_sum / nb;
        if (!isfinite(loss)) {
            res->status = RX_RUN_DIVERGED;
            res->diverged_step = t + 1;
            res->final.train_loss = loss;
            break;
        }
        double gnorm = rx_optim_step_clear(r.optim, params, grads, pos.lr, pos.mom);
        rx_model_grads_cleared(r.model);
        if (!isfinite(gnorm)) {
            res->status = RX_RUN_DIVERGED;
            res->diverged_step = t + 1;
            res->final.train_loss = NAN;
            break;
        }
        res->steps = t + 1;
        if (prog)
            prog->step = t + 1;
        /* the clock is read every 16 steps: a step is tens of microseconds */
        if (alive && hooks->alive_every > 0 && (t & 15) == 15 &&
            rx_now() - last_alive >= hooks->alive_every) {
            hooks->on_alive(hooks->ud, t + 1);
            last_alive = rx_now();
        }
        res->samples += nb;
        pos.t = t + 1;
        pos.ep_loss += st.loss_sum;
        pos.ep_correct += st.n_correct;
        pos.ep_n += nb;
        pos.ep_gnorm += gnorm;
        pos.ep_steps++;
        if (hooks && hooks->on_step && c->train.log_every > 0 &&
            (t + 1) % c->train.log_every == 0) {
            rx_step_metrics sm = {t + 1, loss, pos.lr, pos.mom, gnorm};
            if (hooks->on_step(hooks->ud, &sm)) {
                res->status = RX_RUN_INTERRUPTED;
                break;
            }
        }
        if (in_epoch == spe - 1 || t == total - 1) {
            rx_epoch_metrics m = {0};
            m.epoch = pos.epoch;
            m.step = t + 1;
            m.samples = res->samples;
            m.train_loss = pos.ep_loss / pos.ep_n;
            m.train_acc = has_acc ? (double)pos.ep_correct / pos.ep_n : NAN;
            evaluate(&r, data, &data->val, B, has_acc, &m.val_loss, &m.val_acc);
            if (c->train.eval_test)
                evaluate(&r, data, &data->test, B, has_acc, &m.test_loss, &m.test_acc);
            else
                m.test_loss = m.test_acc = NAN;
            m.lr = pos.lr;
            m.momentum = pos.mom;
            m.grad_norm = pos.ep_gnorm / pos.ep_steps;
            m.wall = rx_now() - t0;
            rx_train_result_epoch(res, &m);
            /* Plateau watches validation loss; without a validation split
             * it falls back to the training loss. */
            rx_sched_epoch_end(&sched, isfinite(m.val_loss) ? m.val_loss : m.train_loss);
            if (hooks && hooks->on_epoch && hooks->on_epoch(hooks->ud, &m)) {
                res->status = RX_RUN_INTERRUPTED;
                break;
            }
        }
        /* after the last step the run is done, whatever arrived */
        if (t + 1 == total)
            break;
        int stopping = hooks && hooks->stop && *hooks->stop;
        /* a checkpoint at most once an epoch and once every save_every
         * seconds (whichever is rarer), and when the run is stopped */
        if (hooks && hooks->on_save && hooks->save_every > 0 &&
            (stopping || (in_epoch == spe - 1 && rx_now() - last_save >= hooks->save_every))) {
            pos.wall = rx_now() - t0;
            hooks->on_save(hooks->ud, reg, n_reg, pos.t);
            last_save = rx_now();
        }
        if (stopping) {
            res->status = RX_RUN_INTERRUPTED;
            break;
        }
        if (c->train.max_seconds > 0 && rx_now() - t0 > c->train.max_seconds) {
            res->status = RX_RUN_TIMEOUT;
            break;
        }
    }
    res->flops = flops_ps * (double)res->samples;
    rc = RX_OK;
out:
    res->wall = rx_now() - t0;
    run_free(&r);
    return rc;
}

/* Makes room for one more element of size sz in *p (capacity *cap, n
 * used), doubling from first.  Returns nonzero when out of memory. */
static int grow(void **p, int *cap, int n, int first, size_t sz)
{
    if (n < *cap)
        return 0;
    int c = *cap ? 2 * *cap : first;
    void *q = realloc(*p, (size_t)c * sz);
    if (!q)
        return 1;
    *p = q;
    *cap = c;
    return 0;
}

int rx_train_log_epoch(void *log, const rx_epoch_metrics *m)
{
    rx_train_log *l = log;
    if (grow((void **)&l->ep, &l->cap_ep, l->n_ep, 64, sizeof *l->ep))
        return 1;
    l->ep[l->n_ep++] = *m;
    return 0;
}

int rx_train_log_step(void *log, const rx_step_metrics *m)
{
    rx_train_log *l = log;
    if (grow((void **)&l->st, &l->cap_st, l->n_st, 256, sizeof *l->st))
        return 1;
    l->st[l->n_st++] = *m;
    return 0;
}

void rx_train_log_free(rx_train_log *log)
{
    free(log->ep);
    free(log->st);
    memset(log, 0, sizeof *log);
}
