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

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
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

static void cell_free(rx_report_cell *c)
{
    free(c->lrs);
    free(c->seeds);
    free(c->vals);
}

void rx_report_free(rx_report *r)
{
    if (!r)
        return;
    if (r->cells) {
        size_t nc = (size_t)r->n_settings * r->n_optimizers * r->n_schedules * r->n_budgets;
        for (size_t i = 0; i < nc; i++)
            cell_free(&r->cells[i]);
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

/* A list of distinct names, grown as they come (never sized by the runs:
 * a sweep of 10^6 runs has a handful of settings). */
typedef struct names {
    char *v;
    size_t width;
    int n, cap;
} names;

/* Adds s to l unless it is there; RX_OK or RX_ENOMEM. */
static int names_add(names *l, const char *s)
{
    if (find_name(l->v, l->width, l->n, s) >= 0)
        return RX_OK;
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 8;
        char *v = realloc(l->v, (size_t)cap * l->width);
        if (!v)
            return RX_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    snprintf(l->v + (size_t)l->n++ * l->width, l->width, "%s", s);
    return RX_OK;
}

static void names_sort(names *l, const char *const *order)
{
    if (l->n < 2)
        return;         /* qsort(NULL, 0) is undefined */
    cmp_order = order;
    qsort(l->v, (size_t)l->n, l->width, cmp_names);
    cmp_order = NULL;
}

/* Adds budget x to v[0..*n) (capacity *cap) unless it is there. */
static int budgets_add(double **v, int *n, int *cap, double x)
{
    for (int b = 0; b < *n; b++)
        if ((*v)[b] == x)
            return RX_OK;
    if (*n == *cap) {
        int c = *cap ? 2 * *cap : 8;
        double *p = realloc(*v, (size_t)c * sizeof *p);
        if (!p)
            return RX_ENOMEM;
        *v = p;
        *cap = c;
    }
    (*v)[(*n)++] = x;
    return RX_OK;
}

/* A cell computed from its runs, with its labels, waiting for the
 * report's layout (rx_report_acc_finish). */
typedef struct pend_cell {
    char setting[RX_REPORT_SETTING_MAX];
    char optimizer[RX_REPORT_NAME_MAX];
    char schedule[RX_REPORT_NAME_MAX];
    double budget;
    rx_report_cell cell;
    rx_cell_facts facts;
} pend_cell;

struct rx_report_acc {
    rx_report *r;               /* the options and flags so far; laid out at the end */
    rx_report_opts opts;        /* the caller's (what it points to is borrowed) */
    pend_cell *cells;
    int n, cap;
};

void rx_report_acc_free(rx_report_acc *a)
{
    if (!a)
        return;
    for (int i = 0; i < a->n; i++)
        cell_free(&a->cells[i].cell);
    free(a->cells);
    rx_report_free(a->r);
    free(a);
}

int rx_report_acc_new(const rx_report_opts *opts, rx_report_acc **out, rx_err *err)
{
    *out = NULL;
    if (!opts || !opts->metric)
        return rx_errf(err, RX_EINVAL, "report needs a metric");
    rx_report_acc *a = calloc(1, sizeof *a);
    rx_report *r = a ? calloc(1, sizeof *r) : NULL;
    if (!r) {
        free(a);
        return rx_errf(err, RX_ENOMEM, "out of memory building the report");
    }
    a->r = r;
    a->opts = *opts;
    r->metric = *opts->metric;
    r->select_on_test = opts->select_on_test;
    r->low_cut = opts->low_cut > 0 ? opts->low_cut : RX_REPORT_LOW_CUT;
    r->only = opts->only != NULL;
    for (int q = 0; opts->tune && opts->tune[q]; q++) {
        if (q == RX_REPORT_TUNE_MAX) {
            rx_report_acc_free(a);
            return rx_errf(err, RX_EINVAL, "at most %d keys can be tuned besides the lr",
                           RX_REPORT_TUNE_MAX);
        }
        snprintf(r->tune_keys[q], sizeof r->tune_keys[q], "%s", opts->tune[q]);
        r->n_tune = q + 1;
    }
    *out = a;
    return RX_OK;
}

/* What the warnings need of cell c's runs refs[0..n): the fewest steps of
 * any run, over the done runs of the chosen candidate whether the lr ever
 * moved and the smallest validation set, and at an edge of its lr grid the
 * adaptive grid (opts->lr_grid) of its tuning cell: asked of the runs of
 * its chosen values in the load's order (run index), until one is known.
 * RX_OK or RX_ENOMEM. */
static int cell_facts(const rx_report *r, const rx_report_cell *c, const rx_report_run *runs,
                      const rx_report_fact *facts, const run_ref *refs, int n,
                      const rx_report_opts *opts, rx_cell_facts *cf)
{
    memset(cf, 0, sizeof *cf);
    int n_lrs;
    if (opts->lr_grid && rx_report_lr_edge(r, c, &n_lrs) != 0 && n_lrs >= 2) {
        const rx_report_lr *ch = &c->lrs[c->chosen];
        int *idx = malloc((size_t)(n ? n : 1) * sizeof *idx), m = 0;
        if (!idx)
            return RX_ENOMEM;
        for (int i = 0; i < n; i++)
            if (rx_report_cand_cmp(ch->lr, ch->tune, ch->lr, runs[refs[i].run].tune,
                                   r->n_tune) == 0)
                idx[m++] = refs[i].run;
        if (m > 1)
            qsort(idx, (size_t)m, sizeof *idx, cmp_int);
        for (int i = 0; i < m && !cf->grid_known; i++)
            cf->grid_known = opts->lr_grid(opts->lr_grid_ud, &runs[idx[i]], &cf->grid) == 1;
        free(idx);
    }
    for (int i = 0; facts && i < n; i++) {
        const rx_report_fact *f = &facts[refs[i].run];
        const rx_report_run *x = &runs[refs[i].run];
        if (f->steps > 0 && (cf->steps == 0 || f->steps < cf->steps))
            cf->steps = f->steps;
        if (!rx_report_is_chosen(r, c, x) || x->state != RX_OUT_DONE)
            continue;
        if (f->lr_changed == 1)
            cf->lr_static = -1;
        else if (f->lr_changed == 0 && cf->lr_static == 0)
            cf->lr_static = 1;
        if (f->n_val > 0 && (cf->n_val == 0 || f->n_val < cf->n_val))
            cf->n_val = f->n_val;
    }
    return RX_OK;
}

int rx_report_acc_add(rx_report_acc *a, const rx_report_run *runs, const rx_report_fact *facts,
                      int n, rx_err *err)
{
    rx_report *r = a->r;
    names sett = {NULL, sizeof *r->settings, 0, 0}, opt = {NULL, sizeof *r->optimizers, 0, 0};
    names sch = {NULL, sizeof *r->schedules, 0, 0};
    double *bud = NULL;
    int nB = 0, capB = 0;
    size_t cap = n > 0 ? (size_t)n : 0;
    run_ref *refs = zalloc(cap, sizeof *refs);
    double *tv = zalloc(cap, sizeof *tv), *tt = zalloc(cap, sizeof *tt);
    int rc = !refs || !tv || !tt ? RX_ENOMEM : RX_OK;
    for (int i = 0; i < n && rc == RX_OK; i++)
        if ((rc = names_add(&sett, runs[i].setting)) || (rc = names_add(&opt, runs[i].optimizer)) ||
            (rc = names_add(&sch, runs[i].schedule)) ||
            (rc = budgets_add(&bud, &nB, &capB, runs[i].budget)))
            break;
    if (rc) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory building the report");
        goto out;
    }
    /* the batch's cells in the report's order: its lists sorted as the
     * report sorts the whole */
    names_sort(&sett, NULL);
    names_sort(&opt, opt_order);
    names_sort(&sch, sched_order);
    if (nB)
        qsort(bud, (size_t)nB, sizeof *bud, cmp_double);
    int nO = opt.n, nK = sch.n;
    for (int i = 0; i < n; i++) {
        int s = find_name(sett.v, sett.width, sett.n, runs[i].setting);
        int o = find_name(opt.v, opt.width, nO, runs[i].optimizer);
        int k = find_name(sch.v, sch.width, nK, runs[i].schedule);
        int b = 0;
        while (bud[b] != runs[i].budget)
            b++;
        refs[i].cell = (int)((((size_t)s * nO + o) * nK + k) * nB + b);
        refs[i].lr = runs[i].lr;
        refs[i].run = i;
    }
    cmp_runs = runs;
    cmp_ntune = r->n_tune;
    qsort(refs, cap, sizeof *refs, cmp_ref);   /* refs: never NULL */
    cmp_runs = NULL;

    for (int i = 0; i < n;) {
        int j = i, nlr = 0;
        while (j < n && refs[j].cell == refs[i].cell) {
            if (j == i || !same_cand(runs, &refs[j], &refs[j - 1], r->n_tune))
                nlr++;
            j++;
        }
        if (a->n == a->cap) {
            int c = a->cap ? 2 * a->cap : 64;
            pend_cell *p = realloc(a->cells, (size_t)c * sizeof *p);
            if (!p) {
                rc = rx_errf(err, RX_ENOMEM, "out of memory building the report");
                goto out;
            }
            a->cells = p;
            a->cap = c;
        }
        pend_cell *pc = &a->cells[a->n++];
        memset(pc, 0, sizeof *pc);
        const rx_report_run *r0 = &runs[refs[i].run];
        memcpy(pc->setting, r0->setting, sizeof pc->setting);
        memcpy(pc->optimizer, r0->optimizer, sizeof pc->optimizer);
        memcpy(pc->schedule, r0->schedule, sizeof pc->schedule);
        pc->budget = r0->budget;
        rx_report_cell *c = &pc->cell;
        c->chosen = -1;
        c->mean = c->std = NAN;
        c->lrs = calloc((size_t)nlr, sizeof *c->lrs);
        if (!c->lrs) {
            rc = rx_errf(err, RX_ENOMEM, "out of memory building the report");
            goto out;
        }
        for (int x = i; x < j;) {
            int z = x;
            while (z < j && same_cand(runs, &refs[z], &refs[x], r->n_tune))
                z++;
            rx_report_lr *e = &c->lrs[c->n_lrs++];
            lr_stats(runs, refs + x, z - x, &r->metric, tv, tt, e);
            c->n_runs += e->n_runs;
            c->n_done += e->n_done;
            c->n_failed += e->n_failed;
            c->n_diverged += e->n_diverged;
            c->n_missing += e->n_missing;
            x = z;
        }
        r->several_lrs |= c->n_lrs > 1;
        char where[RX_REPORT_SETTING_MAX + 3 * RX_REPORT_NAME_MAX], bl[32];
        rx_budget_label(r0->budget, bl, sizeof bl);
        snprintf(where, sizeof where, "%s/%s/%s/%s", r0->setting, r0->optimizer, r0->schedule, bl);
        rc = choose_lr(r, c, where, err);
        if (rc || (rc = chosen_seeds(runs, refs + i, j - i, r, c, err)))
            goto out;
        if (cell_facts(r, c, runs, facts, refs + i, j - i, &a->opts, &pc->facts)) {
            rc = rx_errf(err, RX_ENOMEM, "out of memory building the report");
            goto out;
        }
        i = j;
    }
out:
    free(sett.v);
    free(opt.v);
    free(sch.v);
    free(bud);
    free(refs);
    free(tv);
    free(tt);
    return rc;
}

int rx_report_acc_finish(rx_report_acc *a, rx_report **out, rx_err *err)
{
    *out = NULL;
    rx_report *r = a->r;
    const rx_report_opts *opts = &a->opts;
    names sett = {NULL, sizeof *r->settings, 0, 0}, opt = {NULL, sizeof *r->optimizers, 0, 0};
    names sch = {NULL, sizeof *r->schedules, 0, 0};
    int capB = 0, rc = RX_OK;
    rx_cell_facts *cf = NULL;
    for (int i = 0; i < a->n && rc == RX_OK; i++) {
        const pend_cell *p = &a->cells[i];
        if ((rc = names_add(&sett, p->setting)) || (rc = names_add(&opt, p->optimizer)) ||
            (rc = names_add(&sch, p->schedule)) ||
            (rc = budgets_add(&r->budgets, &r->n_budgets, &capB, p->budget)))
            break;
    }
    names_sort(&sett, NULL);
    names_sort(&opt, opt_order);
    names_sort(&sch, sched_order);
    /* never NULL, so that NULL means out of memory */
    if (!sett.v)
        sett.v = zalloc(1, sett.width);
    if (!opt.v)
        opt.v = zalloc(1, opt.width);
    if (!sch.v)
        sch.v = zalloc(1, sch.width);
    if (!r->budgets)
        r->budgets = zalloc(1, sizeof *r->budgets);
    r->settings = (char (*)[RX_REPORT_SETTING_MAX])sett.v;
    r->n_settings = sett.n;
    r->optimizers = (char (*)[RX_REPORT_NAME_MAX])opt.v;
    r->n_optimizers = opt.n;
    r->schedules = (char (*)[RX_REPORT_NAME_MAX])sch.v;
    r->n_schedules = sch.n;
    if (r->n_budgets)
        qsort(r->budgets, (size_t)r->n_budgets, sizeof *r->budgets, cmp_double);
    int nS = r->n_settings, nO = r->n_optimizers, nK = r->n_schedules, nB = r->n_budgets;
    size_t ncells = (size_t)nS * nO * nK * nB;
    if (rc == RX_OK) {
        r->cells = zalloc(ncells, sizeof *r->cells);
        r->group_runs = zalloc((size_t)nS * nO, sizeof *r->group_runs);
        cf = zalloc(ncells, sizeof *cf);
        if (!r->settings || !r->optimizers || !r->schedules || !r->budgets || !r->cells ||
            !r->group_runs || !cf)
            rc = RX_ENOMEM;
    }
    if (rc) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory building the report");
        goto fail;
    }
    for (size_t i = 0; i < ncells; i++) {
        r->cells[i].chosen = -1;
        r->cells[i].mean = r->cells[i].std = NAN;
    }
    unsigned char *taken = zalloc(ncells, 1);
    if (!taken) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory building the report");
        goto fail;
    }
    for (int i = 0; i < a->n; i++) {
        pend_cell *p = &a->cells[i];
        int s = find_name((char *)r->settings, sizeof *r->settings, nS, p->setting);
        int o = find_name((char *)r->optimizers, sizeof *r->optimizers, nO, p->optimizer);
        int k = find_name((char *)r->schedules, sizeof *r->schedules, nK, p->schedule);
        int b = 0;
        while (r->budgets[b] != p->budget)
            b++;
        size_t ci = (((size_t)s * nO + o) * nK + k) * nB + b;
        if (taken[ci]) {
            /* its runs came in two batches: the caller broke the contract */
            char bl[32];
            rx_budget_label(p->budget, bl, sizeof bl);
            free(taken);
            rc = rx_errf(err, RX_ECONFLICT, "cell '%s/%s/%s/%s' came in two parts", p->setting,
                         p->optimizer, p->schedule, bl);
            goto fail;
        }
        taken[ci] = 1;
        r->cells[ci] = p->cell;
        memset(&p->cell, 0, sizeof p->cell);   /* the report owns it now */
        cf[ci] = p->facts;
        r->group_runs[s * nO + o] += r->cells[ci].n_runs;
    }
    free(taken);

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
    r->min_steps = opts->min_steps > 0 ? opts->min_steps : RX_REPORT_MIN_STEPS;
    if (rx_report_warn(r, cf, opts)) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory building the report");
        goto fail;
    }
    free(cf);
    a->r = NULL;
    rx_report_acc_free(a);
    *out = r;
    return RX_OK;
fail:
    free(cf);
    rx_report_acc_free(a);
    return rc;
}

int rx_report_build(const rx_report_run *runs, int n, const rx_report_opts *opts,
                    rx_report **out, rx_err *err)
{
    *out = NULL;
    rx_report_acc *a;
    int rc = rx_report_acc_new(opts, &a, err);
    if (rc)
        return rc;
    if ((rc = rx_report_acc_add(a, runs, opts->facts, n, err))) {
        rx_report_acc_free(a);
        return rc;
    }
    return rx_report_acc_finish(a, out, err);
}
