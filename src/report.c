/* report.c: cell tables, lr tuning on validation, Top-k and average ranks
 * (pure computation: no SQL, no I/O). */
#include "rx_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"
#include "rx_lrgrid.h"
#include "rx_optim.h"

/* ---- orders --------------------------------------------------------- */

/* The paper's order of schedules; others follow alphabetically. */
static const char *const sched_order[] = {
    "rex", "linear", "cosine", "exp", "exponential", "onecycle", "step",
    "plateau", "constant", "none", NULL
};
/* The optimizers in table order; others follow alphabetically. */
static const char *const *const opt_order = rx_optim_names;

static int order_of(const char *const *order, const char *name)
{
    char base[RX_REPORT_NAME_MAX];
    snprintf(base, sizeof base, "%s", name);
    base[strcspn(base, "(@")] = '\0';        /* "linear(sampling=10%)" sorts as linear */
    for (int i = 0; order[i]; i++)
        if (strcmp(order[i], base) == 0)
            return i;
    return 1000;
}

int rx_report_sched_order(const char *label)
{
    return order_of(sched_order, label);
}

int rx_report_opt_order(const char *label)
{
    return order_of(opt_order, label);
}

static const char *const *cmp_order;

static int cmp_names(const void *a, const void *b)
{
    const char *x = a, *y = b;
    int ox = cmp_order ? order_of(cmp_order, x) : 0;
    int oy = cmp_order ? order_of(cmp_order, y) : 0;
    if (ox != oy)
        return ox < oy ? -1 : 1;
    return strcmp(x, y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Index of s in arr[0..n), or -1. */
static int find_name(const char *arr, size_t width, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(arr + (size_t)i * width, s) == 0)
            return i;
    return -1;
}

/* Collects the distinct strings at offset off of every run into arr
 * (capacity n), sorted by order (NULL: alphabetical).  Returns the count. */
static int distinct(const rx_report_run *runs, int n, size_t off, char *arr,
                    size_t width, const char *const *order)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        const char *s = (const char *)&runs[i] + off;
        if (find_name(arr, width, k, s) < 0)
            snprintf(arr + (size_t)k++ * width, width, "%s", s);
    }
    cmp_order = order;
    qsort(arr, (size_t)k, width, cmp_names);
    cmp_order = NULL;
    return k;
}

/* ---- build ---------------------------------------------------------- */

/* calloc that never asks for zero bytes (so NULL always means failure) */
static void *zalloc(size_t n, size_t size)
{
    return calloc(n ? n : 1, size);
}

typedef struct run_ref {
    int cell;
    double lr;
    int run;
} run_ref;

/* qsort's context: the runs the refs point into, the tuned keys. */
static const rx_report_run *cmp_runs;
static int cmp_ntune;

static int cmp_ref(const void *a, const void *b)
{
    const run_ref *x = a, *y = b;
    if (x->cell != y->cell)
        return x->cell < y->cell ? -1 : 1;
    int c = rx_report_cand_cmp(x->lr, cmp_runs[x->run].tune, y->lr, cmp_runs[y->run].tune,
                               cmp_ntune);
    if (c)
        return c;
    return x->run < y->run ? -1 : x->run > y->run;
}

/* True when refs a and b are runs of the same candidate. */
static int same_cand(const rx_report_run *runs, const run_ref *a, const run_ref *b, int n_tune)
{
    return rx_report_cand_cmp(a->lr, runs[a->run].tune, b->lr, runs[b->run].tune, n_tune) == 0;
}

/* Fills one candidate from runs refs[0..n) (all with the same cell and
 * candidate). */
static void lr_stats(const rx_report_run *runs, const run_ref *refs, int n,
                     const rx_metric *m, double *tmp_v,
                     double *tmp_t, rx_report_lr *e)
{
    memset(e, 0, sizeof *e);
    e->lr = refs[0].lr;
    memcpy(e->tune, runs[refs[0].run].tune, sizeof e->tune);
    e->n_runs = n;
    int nv = 0, nt = 0;
    for (int i = 0; i < n; i++) {
        const rx_report_run *r = &runs[refs[i].run];
        switch (r->state) {
        case RX_OUT_DONE: e->n_done++; break;
        case RX_OUT_FAILED: e->n_failed++; break;
        case RX_OUT_DIVERGED: e->n_diverged++; break;
        default: e->n_missing++; break;
        }
        if (r->state != RX_OUT_DONE)
            continue;
        tmp_v[nv++] = m->val_col[0] ? rx_metric_display(m, r->val) : NAN;
        tmp_t[nt++] = rx_metric_display(m, r->test);
    }
    double sd;
    e->n_val = rx_mean_std(tmp_v, nv, &e->val_mean, &sd);
    e->n_test = rx_mean_std(tmp_t, nt, &e->test_mean, &e->test_std);
    e->eligible = rx_lr_eligible(&(rx_lr_point){.n_diverged = e->n_diverged,
                                                .n_test = e->n_test});
}

/* Chooses the lr of cell c by the adaptive grid's rule (rx_lr_choose),
 * so that the runner extends a grid exactly where the report would choose
 * at its edge.  Returns RX_EINVAL when a choice is needed but there is
 * nothing legitimate to choose on. */
static int choose_lr(rx_report *rep, rx_report_cell *c, const char *where, rx_err *err)
{
    const rx_metric *m = &rep->metric;
    rx_lr_point *pts = zalloc((size_t)c->n_lrs, sizeof *pts);
    if (!pts)
        return rx_errf(err, RX_ENOMEM, "out of memory building the report");
    for (int i = 0; i < c->n_lrs; i++) {
        const rx_report_lr *e = &c->lrs[i];
        pts[i] = (rx_lr_point){.lr = e->lr, .n_runs = e->n_runs, .n_diverged = e->n_diverged,
                               .n_val = e->n_val, .n_test = e->n_test,
                               .val = rep->select_on_test ? e->test_mean : e->val_mean};
    }
    int n_cand;
    c->chosen = rx_lr_choose(pts, c->n_lrs, m->higher_better, &n_cand);
    free(pts);
    if (n_cand > 1)
        rep->any_selection = 1;
    if (c->chosen == RX_LR_UNJUDGED) {
        c->chosen = -1;
        return rx_errf(err, RX_EINVAL,
                       "cell '%s' has %d %s to choose from but no %s to choose "
                       "on; choosing on the test metric must be asked for with "
                       "'--select-on test'",
                       where, n_cand, rep->n_tune ? "candidates (lr and tuned keys)"
                                                  : "learning rates",
                       m->val_label[0] ? m->val_label : "validation metric");
    }
    if (c->chosen >= 0) {
        const rx_report_lr *e = &c->lrs[c->chosen];
        c->mean = e->test_mean;
        c->std = e->test_std;
        c->n = e->n_test;
    }
    return RX_OK;
}

static int compute_ranks(rx_report *r, int **src)
{
    size_t ncells = (size_t)r->n_settings * r->n_optimizers * r->n_schedules * r->n_budgets;
    size_t nrank = (size_t)r->n_settings * r->n_optimizers * r->n_budgets * r->n_ranked;
    double *v = zalloc((size_t)r->n_ranked, sizeof *v);
    double *cv = zalloc(ncells, sizeof *cv);
    *src = zalloc(nrank, sizeof **src);
    if (!v || !cv || !*src) {
        free(v);
        free(cv);
        return RX_ENOMEM;
    }
    for (size_t i = 0; i < ncells; i++)
        cv[i] = rx_report_cell_value(r, &r->cells[i]);
    rx_rank_out out = {r->rank, r->avg_rank, r->avg_rank_n, r->top, r->top_n,
                       r->n_comparisons, *src};
    rx_report_rank_from(r, cv, v, &out);
    free(v);
    free(cv);
    return RX_OK;
}

void rx_report_free(rx_report *r)
{
    if (!r)
        return;
    if (r->cells) {
        size_t nc = (size_t)r->n_settings * r->n_optimizers * r->n_schedules * r->n_budgets;
        for (size_t i = 0; i < nc; i++) {
            free(r->cells[i].lrs);
            free(r->cells[i].seeds);
            free(r->cells[i].vals);
        }
    }
    free(r->cells);
    free(r->group_runs);
    free(r->settings);
    free(r->optimizers);
    free(r->schedules);
    free(r->budgets);
    free(r->ranked);
    free(r->rank_of);
    free(r->rank);
    free(r->avg_rank);
    free(r->avg_rank_n);
    free(r->top);
    free(r->top_n);
    free(r->pair);
    free(r->versus);
    free(r->avg_rank_ci);
    free(r->top_ci);
    for (int i = 0; i < r->n_warnings; i++)
        free(r->warnings[i].cells);
    free(r->warnings);
    free(r);
}

typedef struct seed_val {
    long long seed;
    double val;
} seed_val;

static int cmp_seed(const void *a, const void *b)
{
    const seed_val *x = a, *y = b;
    return x->seed < y->seed ? -1 : x->seed > y->seed;
}

/* Keeps the chosen candidate's (seed, test value) pairs of cell c, whose runs
 * are refs[0..n), ascending by seed: the paired statistics match on them. */
static int chosen_seeds(const rx_report_run *runs, const run_ref *refs, int n,
                        const rx_report *r, rx_report_cell *c, rx_err *err)
{
    if (c->chosen < 0 || c->n == 0)
        return RX_OK;
    seed_val *sv = calloc((size_t)c->n, sizeof *sv);
    c->seeds = calloc((size_t)c->n, sizeof *c->seeds);
    c->vals = calloc((size_t)c->n, sizeof *c->vals);
    if (!sv || !c->seeds || !c->vals) {
        free(sv);
        return rx_errf(err, RX_ENOMEM, "out of memory building the report");
    }
    int k = 0;
    for (int i = 0; i < n && k < c->n; i++) {
        const rx_report_run *x = &runs[refs[i].run];
        double v = rx_metric_display(&r->metric, x->test);
        if (rx_report_is_chosen(r, c, x) && x->state == RX_OUT_DONE && isfinite(v))
            sv[k++] = (seed_val){x->seed, v};
    }
    qsort(sv, (size_t)k, sizeof *sv, cmp_seed);
    for (int i = 0; i < k; i++) {
        c->seeds[i] = sv[i].seed;
        c->vals[i] = sv[i].val;
    }
    free(sv);
    return RX_OK;
}

/* True when name is in the NULL-terminated set (every name when NULL). */
static int in_only(const char *const *only, const char *name)
{
    if (!only)
        return 1;
    for (int i = 0; only[i]; i++)
        if (strcmp(only[i], name) == 0)
            return 1;
    return 0;
}

/* Every name of --schedules must be a schedule of the report. */
static int check_only(const rx_report *r, const char *const *only, rx_err *err)
{
    for (int i = 0; only && only[i]; i++)
        if (find_name((char *)r->schedules, sizeof *r->schedules, r->n_schedules, only[i]) < 0) {
            char known[512];
            size_t len = 0;
            known[0] = '\0';
            for (int k = 0; k < r->n_schedules && len < sizeof known; k++)
                len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", k ? ", " : "",
                                        r->schedules[k]);
            return rx_errf(err, RX_EINVAL, "unknown schedule '%s' in --schedules (the store has: %s)",
                           only[i], known);
        }
    return RX_OK;
}

int rx_report_build(const rx_report_run *runs, int n, const rx_report_opts *opts,
                    rx_report **out, rx_err *err)
{
    *out = NULL;
    if (!opts || !opts->metric)
        return rx_errf(err, RX_EINVAL, "report needs a metric");
    rx_report *r = calloc(1, sizeof *r);
    if (!r)
        return rx_errf(err, RX_ENOMEM, "out of memory building the report");
    r->metric = *opts->metric;
    r->select_on_test = opts->select_on_test;
    r->low_cut = opts->low_cut > 0 ? opts->low_cut : RX_REPORT_LOW_CUT;
    r->only = opts->only != NULL;
    for (int q = 0; opts->tune && opts->tune[q]; q++) {
        if (q == RX_REPORT_TUNE_MAX) {
            rx_report_free(r);
            return rx_errf(err, RX_EINVAL, "at most %d keys can be tuned besides the lr",
                           RX_REPORT_TUNE_MAX);
        }
        snprintf(r->tune_keys[q], sizeof r->tune_keys[q], "%s", opts->tune[q]);
        r->n_tune = q + 1;
    }
    size_t cap = n > 0 ? (size_t)n : 0;
    r->settings = zalloc(cap, sizeof *r->settings);
    r->optimizers = zalloc(cap, sizeof *r->optimizers);
    r->schedules = zalloc(cap, sizeof *r->schedules);
    r->budgets = zalloc(cap, sizeof *r->budgets);
    run_ref *refs = zalloc(cap, sizeof *refs);
    double *tv = zalloc(cap, sizeof *tv), *tt = zalloc(cap, sizeof *tt);
    int rc = RX_OK;
    if (!r->settings || !r->optimizers || !r->schedules || !r->budgets || !refs || !tv || !tt) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory building the report");
        goto fail;
    }
    r->n_settings = distinct(runs, n, offsetof(rx_report_run, setting), (char *)r->settings,
                             sizeof *r->settings, NULL);
    r->n_optimizers = distinct(runs, n, offsetof(rx_report_run, optimizer),
                               (char *)r->optimizers, sizeof *r->optimizers, opt_order);
    r->n_schedules = distinct(runs, n, offsetof(rx_report_run, schedule), (char *)r->schedules,
                              sizeof *r->schedules, sched_order);
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int b = 0; b < r->n_budgets && !seen; b++)
            seen = r->budgets[b] == runs[i].budget;
        if (!seen)
            r->budgets[r->n_budgets++] = runs[i].budget;
    }
    qsort(r->budgets, (size_t)r->n_budgets, sizeof *r->budgets, cmp_double);

    int nS = r->n_settings, nO = r->n_optimizers, nK = r->n_schedules, nB = r->n_budgets;
    size_t ncells = (size_t)nS * nO * nK * nB;
    r->cells = zalloc(ncells, sizeof *r->cells);
    r->group_runs = zalloc((size_t)nS * nO, sizeof *r->group_runs);
    if (!r->cells || !r->group_runs) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory building the report");
        goto fail;
    }
    for (size_t i = 0; i < ncells; i++) {
        r->cells[i].chosen = -1;
        r->cells[i].mean = r->cells[i].std = NAN;
    }
    for (int i = 0; i < n; i++) {
        int s = find_name((char *)r->settings, sizeof *r->settings, nS, runs[i].setting);
        int o = find_name((char *)r->optimizers, sizeof *r->optimizers, nO, runs[i].optimizer);
        int k = find_name((char *)r->schedules, sizeof *r->schedules, nK, runs[i].schedule);
        int b = 0;
        while (r->budgets[b] != runs[i].budget)
            b++;
        refs[i].cell = (int)((((size_t)s * nO + o) * nK + k) * nB + b);
        refs[i].lr = runs[i].lr;
        refs[i].run = i;
        r->group_runs[s * nO + o]++;
    }
    cmp_runs = runs;
    cmp_ntune = r->n_tune;
    qsort(refs, (size_t)n, sizeof *refs, cmp_ref);
    cmp_runs = NULL;

    for (int i = 0; i < n;) {
        int j = i, nlr = 0;
        while (j < n && refs[j].cell == refs[i].cell) {
            if (j == i || !same_cand(runs, &refs[j], &refs[j - 1], r->n_tune))
                nlr++;
            j++;
        }
        rx_report_cell *c = &r->cells[refs[i].cell];
        c->lrs = calloc((size_t)nlr, sizeof *c->lrs);
        if (!c->lrs) {
            rc = rx_errf(err, RX_ENOMEM, "out of memory building the report");
            goto fail;
        }
        for (int a = i; a < j;) {
            int z = a;
            while (z < j && same_cand(runs, &refs[z], &refs[a], r->n_tune))
                z++;
            rx_report_lr *e = &c->lrs[c->n_lrs++];
            lr_stats(runs, refs + a, z - a, &r->metric, tv, tt, e);
            c->n_runs += e->n_runs;
            c->n_done += e->n_done;
            c->n_failed += e->n_failed;
            c->n_diverged += e->n_diverged;
            c->n_missing += e->n_missing;
            a = z;
        }
        r->several_lrs |= c->n_lrs > 1;
        const rx_report_run *r0 = &runs[refs[i].run];
        char where[RX_REPORT_SETTING_MAX + 3 * RX_REPORT_NAME_MAX], bl[32];
        rx_budget_label(r0->budget, bl, sizeof bl);
        snprintf(where, sizeof where, "%s/%s/%s/%s", r0->setting, r0->optimizer, r0->schedule, bl);
        rc = choose_lr(r, c, where, err);
        if (rc || (rc = chosen_seeds(runs, refs + i, j - i, r, c, err)))
            goto fail;
        i = j;
    }

    /* ranked schedules: the chosen set (--schedules), plateau folded
     * into step when both ran and both are in it */
    r->ranked = zalloc((size_t)nK, sizeof *r->ranked);
    r->rank_of = zalloc((size_t)nK, sizeof *r->rank_of);
    if (!r->ranked || !r->rank_of) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory building the report");
        goto fail;
    }
    if ((rc = check_only(r, opts->only, err)))
        goto fail;
    int k_step = find_name((char *)r->schedules, sizeof *r->schedules, nK, "step");
    int k_plat = find_name((char *)r->schedules, sizeof *r->schedules, nK, "plateau");
    r->merged = !opts->no_merge && k_step >= 0 && k_plat >= 0 &&
                in_only(opts->only, "step") && in_only(opts->only, "plateau");
    for (int k = 0; k < nK; k++) {
        r->rank_of[k] = -1;
        if ((r->merged && k == k_plat) || !in_only(opts->only, r->schedules[k]))
            continue;
        memcpy(r->ranked[r->n_ranked], r->schedules[k], sizeof *r->ranked);
        r->rank_of[k] = r->n_ranked++;
    }
    if (r->merged)
        r->rank_of[k_plat] = r->rank_of[k_step];
    int nR = r->n_ranked;
    size_t nrank = (size_t)nS * nO * nB * nR;
    r->rank = zalloc(nrank, sizeof *r->rank);
    r->avg_rank = zalloc((size_t)nO * nB * nR, sizeof *r->avg_rank);
    r->avg_rank_n = zalloc((size_t)nO * nB * nR, sizeof *r->avg_rank_n);
    r->top = zalloc((size_t)nR * RX_N_SPLIT * 2, sizeof *r->top);
    r->top_n = zalloc((size_t)nR * RX_N_SPLIT, sizeof *r->top_n);
    if (!r->rank || !r->avg_rank || !r->avg_rank_n || !r->top || !r->top_n) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory building the report");
        goto fail;
    }
    for (size_t i = 0; i < nrank; i++)
        r->rank[i] = NAN;
    int *src = NULL;
    if (compute_ranks(r, &src)) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory building the report");
        goto fail;
    }
    rc = rx_report_stats(r, src, opts, err);
    free(src);
    if (rc)
        goto fail;
    int *run_cell = zalloc(cap, sizeof *run_cell);
    if (!run_cell) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory building the report");
        goto fail;
    }
    for (int i = 0; i < n; i++)
        run_cell[refs[i].run] = refs[i].cell;
    r->min_steps = opts->min_steps > 0 ? opts->min_steps : RX_REPORT_MIN_STEPS;
    rc = rx_report_warn(r, runs, n, run_cell, opts);
    free(run_cell);
    if (rc) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory building the report");
        goto fail;
    }
    free(refs);
    free(tv);
    free(tt);
    *out = r;
    return RX_OK;
fail:
    free(refs);
    free(tv);
    free(tt);
    rx_report_free(r);
    return rc;
}
