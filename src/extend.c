/* extend.c: the adaptive lr grid against a store: tuning cells and how
 * far each has extended (rx_extend.h). */
#include "rx_extend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_keys.h"
#include "rx_stats.h"
#include "rx_trainer.h"

/* ---- cells --------------------------------------------------------------- */

static const rx_tune_ref *sort_tune;

/* By cell, then lr, then grid order. */
static int cmp_member(const void *x, const void *y)
{
    const rx_tune_ref *a = &sort_tune[*(const int *)x], *b = &sort_tune[*(const int *)y];
    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    if (a->lr != b->lr)
        return a->lr < b->lr ? -1 : 1;
    return (*(const int *)x > *(const int *)y) - (*(const int *)x < *(const int *)y);
}

int rx_ext_cells_build(const rx_run_ref *runs, const rx_tune_ref *tune, int n, rx_ext_cells *out,
                       rx_err *err)
{
    (void)runs;
    memset(out, 0, sizeof *out);
    int m = 0;
    for (int i = 0; tune && i < n; i++)
        m += tune[i].group != 0;
    if (!m)
        return RX_OK;
    out->member = malloc((size_t)m * sizeof *out->member);
    out->cell_of = malloc((size_t)n * sizeof *out->cell_of);
    out->cell = malloc((size_t)m * sizeof *out->cell);
    if (!out->member || !out->cell_of || !out->cell) {
        rx_ext_cells_free(out);
        return rx_errf(err, RX_ENOMEM, "out of memory");
    }
    m = 0;
    for (int i = 0; i < n; i++) {
        out->cell_of[i] = -1;
        if (tune[i].group)
            out->member[m++] = i;
    }
    sort_tune = tune;
    qsort(out->member, (size_t)m, sizeof *out->member, cmp_member);
    sort_tune = NULL;
    for (int j = 0; j < m;) {
        const rx_tune_ref *t = &tune[out->member[j]];
        rx_ext_cell *c = &out->cell[out->n];
        memset(c, 0, sizeof *c);
        c->group = t->group;
        c->first = j;
        c->extend = t->extend;
        c->metric = t->metric;
        while (j < m && tune[out->member[j]].group == c->group) {
            int k = j;
            while (k < m && tune[out->member[k]].group == c->group &&
                   tune[out->member[k]].lr == tune[out->member[j]].lr)
                out->cell_of[out->member[k++]] = out->n;
            c->n_lrs++;
            if (k - j > c->n_seeds)
                c->n_seeds = k - j;
            j = k;
        }
        c->n = j - c->first;
        out->n++;
    }
    return RX_OK;
}

void rx_ext_cells_free(rx_ext_cells *c)
{
    free(c->cell);
    free(c->member);
    free(c->cell_of);
    memset(c, 0, sizeof *c);
}

/* ---- the results of an lr ---------------------------------------------- */

/* A run's row, in the units of both metrics the choice may use. */
typedef struct run_row {
    int state;                 /* rx_run_state, -1 when not stored */
    double err_val, err_test;  /* 100 (1 - acc): the report's error */
    double loss_val, loss_test;
} run_row;

/* The keys asked for and their rows, matched by key. */
typedef struct row_set {
    const char *key0;
    size_t stride;
    int m;
    run_row *row;
} row_set;

static int take_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    (void)names;
    row_set *rs = ud;
    if (ncols < 6 || v[0].type != RX_VTEXT)
        return 0;
    int i = 0;
    while (i < rs->m && strcmp(rs->key0 + (size_t)i * rs->stride, v[0].s) != 0)
        i++;
    if (i == rs->m)
        return 0;
    run_row *a = &rs->row[i];
    double x;
    a->state = v[1].type == RX_VTEXT ? rx_run_state_parse(v[1].s) : -1;
    a->err_val = rx_value_number(&v[2], &x) ? 100.0 * (1.0 - x) : NAN;
    a->loss_val = rx_value_number(&v[3], &x) ? x : NAN;
    a->err_test = rx_value_number(&v[4], &x) ? 100.0 * (1.0 - x) : NAN;
    a->loss_test = rx_value_number(&v[5], &x) ? x : NAN;
    return 0;
}

/* The point of one lr whose runs' rows are row[0..n), in the validation
 * error (acc) or loss. */
static void point_of(const run_row *row, int n, double lr, int loss, double *tmp,
                     rx_lr_point *p)
{
    memset(p, 0, sizeof *p);
    p->lr = lr;
    p->n_runs = n;
    int nd = 0;
    for (int i = 0; i < n; i++) {
        int s = row[i].state;
        p->n_finished += s == RX_STATE_DONE || s == RX_STATE_DIVERGED;
        p->n_diverged += s == RX_STATE_DIVERGED;
        if (s == RX_STATE_DONE) {
            tmp[nd] = loss ? row[i].loss_val : row[i].err_val;
            tmp[n + nd++] = loss ? row[i].loss_test : row[i].err_test;
        }
    }
    double sd, unused;
    p->n_val = rx_mean_std(tmp, nd, &p->val, &sd);
    p->n_test = rx_mean_std(tmp + n, nd, &unused, &sd);
}

/* The results of the n runs whose keys are at key0, stride bytes apart:
 * one indexed query per 256 keys.  row[0..n) receives them. */
static int lr_rows(rx_store *st, const char *key0, size_t stride, int n, run_row *row,
                   rx_err *err)
{
    enum { MAXB = 256 };
    char sql[128 + 8 * MAXB];
    rx_value binds[MAXB];
    for (int i = 0; i < n; i++)
        row[i] = (run_row){-1, NAN, NAN, NAN, NAN};
    for (int at = 0; at < n; at += MAXB) {
        int m = n - at < MAXB ? n - at : MAXB;
        size_t k = (size_t)snprintf(sql, sizeof sql, "SELECT key, status, val_acc, val_loss, "
                                    "test_acc, test_loss FROM runs WHERE key IN (");
        for (int i = 0; i < m; i++) {
            k += (size_t)snprintf(sql + k, sizeof sql - k, "%s?%d", i ? "," : "", i + 1);
            binds[i] = rx_vtext(key0 + (size_t)(at + i) * stride);
        }
        snprintf(sql + k, sizeof sql - k, ")");
        row_set rs = {key0 + (size_t)at * stride, stride, m, row + at};
        int rc = rx_store_query(st, sql, binds, m, take_row, &rs, err);
        if (rc)
            return rc;
    }
    return RX_OK;
}

/* ---- resolving a cell ------------------------------------------------------ */

void rx_ext_label(const rx_config *c, char *buf, size_t size)
{
    char opt[64] = "", sched[64] = "";
    rx_config_get(c, "optimizer.name", opt, sizeof opt);
    rx_config_get(c, "schedule.name", sched, sizeof sched);
    opt[strcspn(opt, "\"")] = '\0';
    snprintf(buf, size, "%s %s %g%%", opt[0] == '"' ? opt + 1 : opt,
             sched[0] == '"' ? sched + 1 : sched, c->train.budget * 100);
}

void rx_ext_state_free(rx_ext_state *s)
{
    rx_jobs_free(s->jobs, s->n_jobs);
    free(s->states);
    memset(s, 0, sizeof *s);
}

int rx_ext_pending(const rx_ext_state *s)
{
    if (s->verdict != RX_LRV_UP && s->verdict != RX_LRV_DOWN)
        return 0;
    for (int j = s->n_jobs - s->n_new; j < s->n_jobs; j++)
        if (s->states[j] != RX_STATE_DONE && s->states[j] != RX_STATE_DIVERGED &&
            s->states[j] != RX_STATE_FAILED)
            return 1;
    return 0;
}

/* Appends the runs of cell c at lr (text) to out: one per seed, from the
 * cell's runs at its lr with the most runs.  -1 (nothing appended) when a
 * run cannot take that lr. */
static int add_lr_jobs(const rx_ext_ctx *x, const rx_ext_cell *c, const char *lr,
                       rx_ext_state *out, rx_err *err)
{
    const int *mem = x->cells->member + c->first;
    /* the representatives: the first lr with n_seeds runs */
    int r0 = 0;
    for (int j = 0; j < c->n;) {
        int k = j;
        while (k < c->n && x->tune[mem[k]].lr == x->tune[mem[j]].lr)
            k++;
        if (k - j == c->n_seeds) {
            r0 = j;
            break;
        }
        j = k;
    }
    rx_job *jobs = realloc(out->jobs, (size_t)(out->n_jobs + c->n_seeds) * sizeof *jobs);
    signed char *states = jobs ? realloc(out->states, (size_t)(out->n_jobs + c->n_seeds)) : NULL;
    if (jobs)
        out->jobs = jobs;
    if (states)
        out->states = states;
    if (!jobs || !states)
        return rx_errf(err, RX_ENOMEM, "out of memory");
    for (int s = 0; s < c->n_seeds; s++) {
        rx_err e;
        if (rx_grid_job_lr(x->g, &x->runs[mem[r0 + s]], lr, &out->jobs[out->n_jobs + s], &e)) {
            for (int t = 0; t < s; t++)
                free(out->jobs[out->n_jobs + t].config_json);
            return -1;
        }
        rx_trainer_rekey(x->trainer, &out->jobs[out->n_jobs + s]);
    }
    out->n_jobs += c->n_seeds;
    return RX_OK;
}

int rx_ext_resolve(rx_store *st, const rx_ext_ctx *x, int cell, rx_ext_state *out, rx_err *err)
{
    memset(out, 0, sizeof *out);
    out->chosen_lr = NAN;
    const rx_ext_cell *c = &x->cells->cell[cell];
    const int *mem = x->cells->member + c->first;
    int cap = c->n_lrs + 2 * c->extend;
    int maxrows = c->n > c->n_seeds ? c->n : c->n_seeds;
    rx_lr_point *acc = calloc((size_t)cap, sizeof *acc), *loss = calloc((size_t)cap, sizeof *loss);
    run_row *row = calloc((size_t)maxrows, sizeof *row);
    double *tmp = calloc((size_t)(2 * maxrows), sizeof *tmp);
    int rc = RX_OK, np = 0;
    if (!acc || !loss || !row || !tmp) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory");
        goto out;
    }
    /* the spec's lrs: one query each */
    for (int j = 0; j < c->n && rc == RX_OK;) {
        int k = j;
        while (k < c->n && x->tune[mem[k]].lr == x->tune[mem[j]].lr)
            k++;
        /* the keys of runs[mem[j..k)] are not evenly spaced: gather them */
        char (*kb)[RX_KEY_LEN + 1] = malloc((size_t)(k - j) * sizeof *kb);
        if (!kb) {
            rc = rx_errf(err, RX_ENOMEM, "out of memory");
            break;
        }
        for (int i = j; i < k; i++)
            memcpy(kb[i - j], x->runs[mem[i]].key, sizeof kb[0]);
        rc = lr_rows(st, kb[0], sizeof kb[0], k - j, row, err);
        free(kb);
        double lr = x->tune[mem[j]].lr;
        point_of(row, k - j, lr, 0, tmp, &acc[np]);
        point_of(row, k - j, lr, 1, tmp, &loss[np]);
        np++;
        j = k;
    }
    if (rc)
        goto out;
    /* auto: the error when any run recorded an accuracy, else the loss */
    int use_loss = c->metric == RX_LR_METRIC_LOSS;
    if (c->metric == RX_LR_METRIC_AUTO) {
        int any_acc = 0;
        for (int i = 0; i < np; i++)
            any_acc |= acc[i].n_val > 0 || acc[i].n_test > 0;
        use_loss = !any_acc;
    }
    for (;;) {
        rx_lr_point *pts = use_loss ? loss : acc;
        double next;
        char txt[64];
        int chosen;
        rx_lr_verdict v = rx_lr_decide(pts, np, out->n_lo, out->n_hi, c->extend, 0, &chosen,
                                       &next, txt, sizeof txt);
        out->verdict = v;
        out->chosen_lr = chosen >= 0 ? pts[chosen].lr : NAN;
        out->n_new = 0;
        if (v != RX_LRV_UP && v != RX_LRV_DOWN)
            break;
        int at = out->n_jobs;
        rc = add_lr_jobs(x, c, txt, out, err);
        if (rc < 0) {
            rc = RX_OK;           /* the lr does not apply: the grid ends here */
            out->verdict = RX_LRV_LIMIT;
            break;
        }
        if (rc)
            break;
        out->n_new = c->n_seeds;
        if ((rc = lr_rows(st, out->jobs[at].key, sizeof *out->jobs, c->n_seeds, row, err)))
            break;
        for (int s = 0; s < c->n_seeds; s++)
            out->states[at + s] = (signed char)row[s].state;
        /* the new lr goes at its end of the points, ascending */
        int up = v == RX_LRV_UP, slot = up ? np : 0;
        if (!up) {
            memmove(acc + 1, acc, (size_t)np * sizeof *acc);
            memmove(loss + 1, loss, (size_t)np * sizeof *loss);
        }
        point_of(row, c->n_seeds, next, 0, tmp, &acc[slot]);
        point_of(row, c->n_seeds, next, 1, tmp, &loss[slot]);
        np++;
        if (up)
            out->n_hi++;
        else
            out->n_lo++;
        if (pts[slot].n_finished < pts[slot].n_runs)
            break;                /* its runs are to run: the verdict stands */
    }
out:
    free(acc);
    free(loss);
    free(row);
    free(tmp);
    if (rc)
        rx_ext_state_free(out);
    return rc;
}
