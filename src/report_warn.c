/* report_warn.c: protocol warnings: where a sweep's design, not its
 * schedules, decides the result (an lr grid too narrow, budgets too short,
 * schedules that never moved the lr, identical results, missing or
 * unmatched seeds, a validation set too small to choose on).  Each names
 * the cells it affects and what to do.  Pure: no I/O. */
#include "report_impl.h"
#include "rx_keys.h"
#include "rx_lrgrid.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define NAMED_MAX 6        /* cells named in a sentence; the rest counted */

const char *rx_warn_kind_name(rx_warn_kind k)
{
    static const char *const names[RX_N_WARN] = {
        [RX_WARN_LR_EDGE] = "lr_at_grid_edge",
        [RX_WARN_FEW_STEPS] = "few_steps",
        [RX_WARN_LR_STATIC] = "lr_never_changed",
        [RX_WARN_IDENTICAL] = "identical_results",
        [RX_WARN_SEEDS] = "seeds",
        [RX_WARN_VAL_NOISE] = "validation_noise",
        [RX_WARN_LR_EXTENDING] = "lr_grid_extending",
        [RX_WARN_TUNE_EDGE] = "tuned_value_at_edge",
    };
    return k >= 0 && k < RX_N_WARN ? names[k] : "unknown";
}

/* A warning being assembled: its cells, then its sentence. */
typedef struct draft {
    int *cells;
    int n, cap;
    int oom;
} draft;

static void draft_add(draft *d, int cell)
{
    if (d->n == d->cap) {
        int cap = d->cap ? 2 * d->cap : 16;
        int *p = realloc(d->cells, (size_t)cap * sizeof *p);
        if (!p) {
            d->oom = 1;
            return;
        }
        d->cells = p;
        d->cap = cap;
    }
    d->cells[d->n++] = cell;
}

static size_t cell_index(const rx_report *r, int s, int o, int k, int b)
{
    return (((size_t)s * r->n_optimizers + o) * r->n_schedules + k) * r->n_budgets + b;
}

/* "rex at 1%, linear at 5%, ... and 4 more" into buf: the cells of d,
 * named by schedule (when by_sched) and budget. */
static void name_cells(const rx_report *r, const draft *d, int by_sched, int by_budget,
                       char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    int nB = r->n_budgets, nK = r->n_schedules;
    for (int i = 0; i < d->n && i < NAMED_MAX && len < size; i++) {
        int b = d->cells[i] % nB, k = d->cells[i] / nB % nK;
        char bl[32];
        rx_budget_label(r->budgets[b], bl, sizeof bl);
        len += (size_t)snprintf(buf + len, size - len, "%s%s%s%s", i ? ", " : "",
                                by_sched ? r->schedules[k] : "", by_sched && by_budget ? " at " : "",
                                by_budget ? bl : "");
    }
    if (d->n > NAMED_MAX && len < size)
        snprintf(buf + len, size - len, " and %d more", d->n - NAMED_MAX);
}

/* Appends a warning of kind k over the cells of d with the formatted
 * sentence.  Takes d's cells either way (kept by the warning, or freed on
 * failure) and resets d.  Returns RX_OK or RX_ENOMEM. */
static int emit(rx_report *r, rx_warn_kind k, draft *d, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int emit(rx_report *r, rx_warn_kind k, draft *d, const char *fmt, ...)
{
    rx_report_warning *w = d->oom ? NULL
                         : realloc(r->warnings, (size_t)(r->n_warnings + 1) * sizeof *w);
    if (!w) {
        free(d->cells);
        memset(d, 0, sizeof *d);
        return RX_ENOMEM;
    }
    r->warnings = w;
    w = &r->warnings[r->n_warnings++];
    memset(w, 0, sizeof *w);
    w->kind = k;
    w->cells = d->cells;
    w->n_cells = d->n;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->text, sizeof w->text, fmt, ap);
    va_end(ap);
    memset(d, 0, sizeof *d);
    return RX_OK;
}

static int is_constant(const char *sched)
{
    char base[RX_REPORT_NAME_MAX];
    snprintf(base, sizeof base, "%s", sched);
    base[strcspn(base, "(@")] = '\0';
    return strcmp(base, "constant") == 0 || strcmp(base, "none") == 0;
}

/* ---- the chosen lr at an edge of its grid --------------------------------- */

/* Why a cell's chosen lr is at an edge, for what to do about it. */
enum {
    EDGE_UNKNOWN,      /* no spec to ask: add lrs or let the grid extend */
    EDGE_PLAIN,        /* the lr axis does not extend: make it extend */
    EDGE_LIMIT,        /* the grid used its extend on that side: raise it */
    EDGE_STOPPED,      /* the grid stopped short of its extend there */
    EDGE_EXTENDING,    /* the grid is still extending: a note, no warning */
    N_EDGE
};

static int edge_reason(const rx_report_lr_grid *g, int known, int top)
{
    if (!known)
        return EDGE_UNKNOWN;
    if (g->extend == 0)
        return EDGE_PLAIN;
    if (g->verdict == RX_LRV_WAIT || g->verdict == RX_LRV_UP || g->verdict == RX_LRV_DOWN)
        return EDGE_EXTENDING;
    return (top ? g->n_hi : g->n_lo) >= g->extend ? EDGE_LIMIT : EDGE_STOPPED;
}

static int warn_lr_edge(rx_report *r, int s, int o, const char *group, const rx_cell_facts *cf)
{
    for (int top = 1; top >= 0; top--)
        for (int why = 0; why < N_EDGE; why++) {
            draft d = {0};
            int n_tuned = 0, extend = 0;
            for (int k = 0; k < r->n_schedules; k++)
                for (int b = 0; b < r->n_budgets; b++) {
                    size_t ci = cell_index(r, s, o, k, b);
                    int n_lrs, edge = rx_report_lr_edge(r, &r->cells[ci], &n_lrs);
                    if (n_lrs < 2)
                        continue;
                    n_tuned++;
                    if (edge != (top ? 1 : -1) ||
                        edge_reason(&cf[ci].grid, cf[ci].grid_known, top) != why)
                        continue;
                    draft_add(&d, (int)ci);
                    extend = cf[ci].grid.extend > extend ? cf[ci].grid.extend : extend;
                }
            if (!d.n)
                continue;
            char names[512], at[160] = "", head[1280];
            name_cells(r, &d, 1, 1, names, sizeof names);
            if (r->n_tune)     /* the grid is the lrs tried with the chosen values */
                snprintf(at, sizeof at, " (the lrs tried with the chosen %s%s)", r->tune_keys[0],
                         r->n_tune > 1 ? ", ..." : "");
            const char *side = top ? "largest" : "smallest", *dir = top ? "above" : "below";
            if (why == EDGE_EXTENDING) {
                int rc = emit(r, RX_WARN_LR_EXTENDING, &d,
                              "%s: the adaptive lr grid of %d cell%s is still extending (%s): "
                              "the chosen lr there is the %s tried so far, and lrs %s it are "
                              "still to add or train, so the choice is provisional; rexsweep "
                              "run resumes the sweep and finishes them",
                              group, d.n, d.n == 1 ? "" : "s", names, side, dir);
                if (rc)
                    return rc;
                continue;
            }
            snprintf(head, sizeof head,
                     "%s: the chosen lr is the %s of its grid%s in %d of %d tuned cells (%s): "
                     "the optimum may lie %s it, and schedules compared at a capped lr favour "
                     "the constant one",
                     group, side, at, d.n, n_tuned, names, dir);
            int rc;
            if (why == EDGE_PLAIN)
                rc = emit(r, RX_WARN_LR_EDGE, &d,
                          "%s; let the grid extend itself: write the optimizer's lr as "
                          "lr: {values: [...], extend: 2} (rexsweep.yaml(5), ADAPTIVE LR GRID) "
                          "and rerun: run adds %s lrs where the chosen one is at the edge (only "
                          "the new runs train)",
                          head, top ? "larger" : "smaller");
            else if (why == EDGE_LIMIT)
                rc = emit(r, RX_WARN_LR_EDGE, &d,
                          "%s; the adaptive grid reached its extension limit there (it added "
                          "all the lrs %s the spec's that its extend: %d allows): raise extend "
                          "(e.g. to %d) and rerun (only the new runs train)",
                          head, dir, extend, 2 * extend);
            else if (why == EDGE_STOPPED)
                rc = emit(r, RX_WARN_LR_EDGE, &d,
                          "%s; the adaptive grid (extend: %d) stopped there before its limit: "
                          "the next lr %s is outside optimizer.lr's range or excluded, or the "
                          "grid chooses on another metric than this report (its metric:); "
                          "widen the range, or align the metrics, and rerun",
                          head, extend, dir);
            else
                rc = emit(r, RX_WARN_LR_EDGE, &d,
                          "%s; add %s lrs (x3 steps), or let the grid extend itself "
                          "(lr: {values: [...], extend: 2}, rexsweep.yaml(5)), and rerun (run "
                          "resumes: only the new runs train)",
                          head, top ? "larger" : "smaller");
            if (rc)
                return rc;
        }
    return RX_OK;
}

/* ---- a tuned key's chosen value at an edge of its values ------------------- */

/* A tuned value (raw JSON) as a number: 1, or 0 when absent or not one. */
static int tune_number(const char *v, double *x)
{
    char *end;
    if (!v[0])
        return 0;
    *x = strtod(v, &end);
    return end != v && *end == '\0' && isfinite(*x);
}

/* Where the chosen value of tuned key q lies among the values of q tried
 * with the chosen values of the other tuned keys (any lr): -1 the
 * smallest, +1 the largest, 0 inside or no order.  *several: two
 * distinct numbers or more were tried (else there is no edge). */
static int tune_edge(const rx_report *r, const rx_report_cell *c, int q, int *several)
{
    *several = 0;
    if (c->chosen < 0)
        return 0;
    const rx_report_lr *ch = &c->lrs[c->chosen];
    double v, x, lo = INFINITY, hi = -INFINITY;
    if (!tune_number(ch->tune[q], &v))
        return 0;
    for (int i = 0; i < c->n_lrs; i++) {
        const rx_report_lr *e = &c->lrs[i];
        int other = 0;
        for (int p = 0; p < r->n_tune && !other; p++)
            other = p != q && strcmp(e->tune[p], ch->tune[p]) != 0;
        if (other || !tune_number(e->tune[q], &x))
            continue;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    *several = lo < hi;
    return !*several ? 0 : v == hi ? 1 : v == lo ? -1 : 0;
}

/* Can key take a value beyond v (above when up) in a run of schedule
 * sched?  0 when v is the key's bound (patience 0 has nothing below):
 * there is nothing to add there. */
static int room_beyond(const char *key, double v, int up, const char *sched)
{
    rx_config c;
    rx_err err;
    rx_config_defaults(&c);
    char base[RX_REPORT_NAME_MAX], probe[64];
    snprintf(base, sizeof base, "%s", sched);
    base[strcspn(base, "(@")] = '\0';
    if (strncmp(key, "schedule.", 9) == 0 && rx_config_set_str(&c, "schedule.name", base, &err))
        return 1;              /* cannot tell: say it */
    double w = v == floor(v) && fabs(v) < 1e15 ? v + (up ? 1 : -1)
             : v > 0 ? (up ? 2 * v : v / 2) : v + (up ? 1 : -1);
    snprintf(probe, sizeof probe, "%.17g", w);
    return rx_config_set_str(&c, key, probe, &err) == RX_OK;
}

static int warn_tune_edge(rx_report *r, int s, int o, const char *group)
{
    for (int q = 0; q < r->n_tune; q++)
        for (int top = 1; top >= 0; top--) {
            draft d = {0};
            int n_tuned = 0, same = 1;
            const char *value = NULL;
            for (int k = 0; k < r->n_schedules; k++)
                for (int b = 0; b < r->n_budgets; b++) {
                    size_t ci = cell_index(r, s, o, k, b);
                    const rx_report_cell *c = &r->cells[ci];
                    int several, edge = tune_edge(r, c, q, &several);
                    if (!several)
                        continue;
                    n_tuned++;
                    const char *v = c->lrs[c->chosen].tune[q];
                    double x;
                    if (edge != (top ? 1 : -1) || !tune_number(v, &x) ||
                        !room_beyond(r->tune_keys[q], x, top, r->schedules[k]))
                        continue;
                    draft_add(&d, (int)ci);
                    same &= !value || strcmp(value, v) == 0;
                    value = value ? value : v;
                }
            if (!d.n)
                continue;
            char names[512], what[96];
            name_cells(r, &d, 1, 1, names, sizeof names);
            if (same)
                snprintf(what, sizeof what, "%s (%s)", top ? "the largest" : "the smallest", value);
            else
                snprintf(what, sizeof what, "%s", top ? "the largest" : "the smallest");
            int rc = emit(r, RX_WARN_TUNE_EDGE, &d,
                          "%s: the chosen %s is %s of the values tried in %d of %d cells that "
                          "tune it (%s): its optimum may lie %s it, and the schedules are "
                          "compared at a capped choice; add a %s value of %s to the spec and "
                          "rerun (run resumes: only the new runs train)",
                          group, r->tune_keys[q], what, d.n, n_tuned, names,
                          top ? "above" : "below", top ? "larger" : "smaller", r->tune_keys[q]);
            if (rc)
                return rc;
        }
    return RX_OK;
}

/* ---- budgets of too few steps ---------------------------------------------- */

static int warn_few_steps(rx_report *r, int s, int o, const char *group, const long *bsteps,
                          long min_steps)
{
    for (int b = 0; b < r->n_budgets; b++) {
        long steps = bsteps[((size_t)s * r->n_optimizers + o) * r->n_budgets + b];
        if (steps <= 0 || steps >= min_steps)
            continue;
        draft d = {0};
        for (int k = 0; k < r->n_schedules; k++) {
            size_t ci = cell_index(r, s, o, k, b);
            if (r->cells[ci].n_runs)
                draft_add(&d, (int)ci);
        }
        char bl[32];
        rx_budget_label(r->budgets[b], bl, sizeof bl);
        int rc = emit(r, RX_WARN_FEW_STEPS, &d,
                      "%s: budget %s spans %ld optimizer steps, fewer than %ld: its %d cells "
                      "compare initialisations more than schedules, yet count in every Top-k "
                      "and rank; read them apart, or raise train.full_epochs or lower "
                      "data.batch_size (the threshold is --min-steps)",
                      group, bl, steps, min_steps, d.n);
        if (rc)
            return rc;
    }
    return RX_OK;
}

/* ---- schedules whose lr never changed -------------------------------------- */

static int warn_lr_static(rx_report *r, int s, int o, const char *group, const rx_cell_facts *cf)
{
    for (int k = 0; k < r->n_schedules; k++) {
        if (is_constant(r->schedules[k]))
            continue;
        draft d = {0};
        for (int b = 0; b < r->n_budgets; b++) {
            size_t ci = cell_index(r, s, o, k, b);
            if (cf[ci].lr_static > 0)
                draft_add(&d, (int)ci);
        }
        if (!d.n)
            continue;
        char names[512], what[320];
        name_cells(r, &d, 0, 1, names, sizeof names);
        rx_report_chosen_what(r, what, sizeof what);
        int rc = emit(r, RX_WARN_LR_STATIC, &d,
                      "%s: the lr of %s never changed in any run of the chosen %s at %s "
                      "(a plateau that never fired, a step milestone past the end): there it is "
                      "a copy of the constant lr and its ranks count the constant lr twice; read "
                      "those cells as constant, or shorten the patience or move the milestones "
                      "inside the budget",
                      group, r->schedules[k], what, names);
        if (rc)
            return rc;
    }
    return RX_OK;
}

/* ---- identical results ------------------------------------------------------ */

static int same_values(const rx_report_cell *a, const rx_report_cell *b)
{
    if (a->chosen < 0 || b->chosen < 0 || a->n == 0 || a->n != b->n ||
        a->lrs[a->chosen].lr != b->lrs[b->chosen].lr)
        return 0;
    for (int i = 0; i < a->n; i++)
        if (a->seeds[i] != b->seeds[i] || a->vals[i] != b->vals[i])
            return 0;
    return 1;
}

static int warn_identical(rx_report *r, int s, int o, const char *group)
{
    for (int k1 = 0; k1 < r->n_schedules; k1++)
        for (int k2 = k1 + 1; k2 < r->n_schedules; k2++) {
            draft d = {0}, first = {0};   /* both cells; the first, to name budgets */
            for (int b = 0; b < r->n_budgets; b++) {
                size_t c1 = cell_index(r, s, o, k1, b), c2 = cell_index(r, s, o, k2, b);
                if (same_values(&r->cells[c1], &r->cells[c2])) {
                    draft_add(&d, (int)c1);
                    draft_add(&d, (int)c2);
                    draft_add(&first, (int)c1);
                }
            }
            if (!first.n) {
                free(d.cells);
                continue;
            }
            char names[512];
            name_cells(r, &first, 0, 1, names, sizeof names);
            free(first.cells);
            if (first.oom)
                d.oom = 1;
            int merged = r->merged && ((strcmp(r->schedules[k1], "step") == 0 &&
                                        strcmp(r->schedules[k2], "plateau") == 0) ||
                                       (strcmp(r->schedules[k1], "plateau") == 0 &&
                                        strcmp(r->schedules[k2], "step") == 0));
            int rc = emit(r, RX_WARN_IDENTICAL, &d,
                          "%s: %s and %s gave identical test values, seed by seed, at %s: %s",
                          group, r->schedules[k1], r->schedules[k2], names,
                          merged ? "the ranks merge them already; say so when counting wins"
                                 : "their Top-k and ranks count one result twice; leave one "
                                   "out with --schedules, or find why they coincide (a "
                                   "schedule that never moved the lr?)");
            if (rc)
                return rc;
        }
    return RX_OK;
}

/* ---- seeds ---------------------------------------------------------------- */

static int warn_seeds(rx_report *r, int s, int o, const char *group)
{
    int asked = 0;
    for (int k = 0; k < r->n_schedules; k++)
        for (int b = 0; b < r->n_budgets; b++) {
            const rx_report_cell *c = &r->cells[cell_index(r, s, o, k, b)];
            for (int i = 0; i < c->n_lrs; i++)
                asked = c->lrs[i].n_runs > asked ? c->lrs[i].n_runs : asked;
        }
    draft few = {0}, unmatched = {0};
    int fewest = asked;
    for (int b = 0; b < r->n_budgets; b++) {
        /* the comparison's seeds: the union over its schedules */
        int n_union = 0;
        for (int k = 0; k < r->n_schedules; k++) {
            const rx_report_cell *c = &r->cells[cell_index(r, s, o, k, b)];
            n_union = c->n > n_union ? c->n : n_union;
        }
        for (int k = 0; k < r->n_schedules; k++) {
            size_t ci = cell_index(r, s, o, k, b);
            const rx_report_cell *c = &r->cells[ci];
            if (c->chosen < 0)
                continue;
            if (c->n < asked) {
                draft_add(&few, (int)ci);
                fewest = c->n < fewest ? c->n : fewest;
            }
            /* unmatched: another schedule of the comparison has a seed this
             * one lacks */
            for (int k2 = 0; k2 < r->n_schedules; k2++) {
                const rx_report_cell *c2 = &r->cells[cell_index(r, s, o, k2, b)];
                if (k2 == k || c2->chosen < 0)
                    continue;
                int i = 0, j = 0, miss = 0;
                while (j < c2->n && !miss) {
                    if (i < c->n && c->seeds[i] < c2->seeds[j])
                        i++;
                    else if (i < c->n && c->seeds[i] == c2->seeds[j])
                        i++, j++;
                    else
                        miss = 1;
                }
                if (miss) {
                    draft_add(&unmatched, (int)ci);
                    break;
                }
            }
        }
    }
    int rc = RX_OK;
    char names[512];
    if (few.n) {
        name_cells(r, &few, 1, 1, names, sizeof names);
        rc = emit(r, RX_WARN_SEEDS, &few,
                  "%s: %d cell%s fewer seeds with a value than the %d asked (as few as %d): "
                  "%s; their means are noisier and their paired comparisons shorter; rerun the "
                  "sweep (run resumes failed and missing runs) or look at why they failed",
                  group, few.n, few.n == 1 ? " has" : "s have", asked, fewest, names);
    }
    if (!rc && unmatched.n) {
        name_cells(r, &unmatched, 1, 1, names, sizeof names);
        rc = emit(r, RX_WARN_SEEDS, &unmatched,
                  "%s: in %d cell%s the seeds differ from those of the schedules they are "
                  "compared with: %s; the paired statistics use only the matched seeds; run "
                  "the same seeds for every schedule",
                  group, unmatched.n, unmatched.n == 1 ? "" : "s", names);
    }
    free(few.cells);
    free(unmatched.cells);
    return rc;
}

/* ---- validation noise --------------------------------------------------------- */

static int warn_val_noise(rx_report *r, int s, int o, const char *group, const rx_cell_facts *cf)
{
    const rx_metric *m = &r->metric;
    if (m->unit == RX_UNIT_RAW || !m->val_col[0] || r->select_on_test)
        return RX_OK;              /* a binomial standard error needs an accuracy */
    draft d = {0};
    int n_choices = 0;
    double worst_se = 0;
    long nval_min = 0;
    for (int k = 0; k < r->n_schedules; k++)
        for (int b = 0; b < r->n_budgets; b++) {
            size_t ci = cell_index(r, s, o, k, b);
            const rx_report_cell *c = &r->cells[ci];
            long nv = cf[ci].n_val;
            if (c->chosen < 0 || nv <= 0)
                continue;
            /* the runner-up: the best other eligible lr on validation */
            const rx_report_lr *best = &c->lrs[c->chosen], *second = NULL;
            for (int i = 0; i < c->n_lrs; i++)
                if (i != c->chosen && c->lrs[i].eligible && !isnan(c->lrs[i].val_mean) &&
                    (!second || rx_metric_cmp(m, c->lrs[i].val_mean, second->val_mean) > 0))
                    second = &c->lrs[i];
            if (!second || isnan(best->val_mean))
                continue;
            n_choices++;
            /* p from the display value: accuracy or error in % */
            double p = best->val_mean / 100.0;
            int nseed = best->n_val > 0 ? best->n_val : 1;
            double se = 100.0 * sqrt(p * (1 - p) / (double)nv) / sqrt((double)nseed);
            double gap = fabs(best->val_mean - second->val_mean);
            if (gap < se) {
                draft_add(&d, (int)ci);
                worst_se = se > worst_se ? se : worst_se;
                nval_min = !nval_min || nv < nval_min ? nv : nval_min;
            }
        }
    if (!d.n)
        return RX_OK;
    char names[512], what[320];
    name_cells(r, &d, 1, 1, names, sizeof names);
    rx_report_chosen_what(r, what, sizeof what);
    int rc = emit(r, RX_WARN_VAL_NOISE, &d,
                  "%s: in %d of %d %s choices the best one beats the runner-up on %s by less "
                  "than the validation set's standard error (up to %.2f points with %ld "
                  "examples): %s; the choice there is a coin toss; enlarge data.validation "
                  "(the error falls as 1/sqrt(n)) or add seeds",
                  group, d.n, n_choices, what, m->val_label, worst_se, nval_min, names);
    return rc;
}

/* ---- all of them ------------------------------------------------------------------ */

int rx_report_warn(rx_report *r, const rx_cell_facts *cf, const rx_report_opts *opts)
{
    int nS = r->n_settings, nO = r->n_optimizers, nK = r->n_schedules, nB = r->n_budgets;
    size_t ncells = (size_t)nS * nO * nK * nB;
    long min_steps = opts->min_steps > 0 ? opts->min_steps : RX_REPORT_MIN_STEPS;
    long *bsteps = calloc((size_t)nS * nO * nB + 1, sizeof *bsteps);
    if (!bsteps)
        return RX_ENOMEM;
    int rc = RX_OK;
    /* per budget: the fewest steps of any run */
    for (size_t ci = 0; ci < ncells; ci++) {
        int b = (int)(ci % (size_t)nB);
        size_t go = ci / (size_t)nB / (size_t)nK;
        long *bs = &bsteps[go * (size_t)nB + (size_t)b];
        if (cf[ci].steps > 0 && (*bs == 0 || cf[ci].steps < *bs))
            *bs = cf[ci].steps;
    }
    for (int s = 0; s < nS && !rc; s++)
        for (int o = 0; o < nO && !rc; o++) {
            if (!rx_report_group_has_runs(r, s, o))
                continue;
            char group[RX_REPORT_SETTING_MAX + RX_REPORT_NAME_MAX + 4];
            snprintf(group, sizeof group, "%s, %s", r->settings[s], r->optimizers[o]);
            if ((rc = warn_lr_edge(r, s, o, group, cf)) ||
                (rc = warn_tune_edge(r, s, o, group)) ||
                (rc = warn_few_steps(r, s, o, group, bsteps, min_steps)) ||
                (rc = warn_lr_static(r, s, o, group, cf)) ||
                (rc = warn_identical(r, s, o, group)) ||
                (rc = warn_seeds(r, s, o, group)) ||
                (rc = warn_val_noise(r, s, o, group, cf)))
                break;
        }
    free(bsteps);
    return rc;
}
