/* report_rank.c: what the report's files share below the build: its
 * metrics (derived from the metric-column table, rx_metrics.h), the small
 * helpers, and the ranking of cells that the build (report.c) and the
 * bootstrap statistics (report_stats.c) both run.  It calls nothing else
 * of the report module, so the module's files depend on it one way. */
#include "rx_report.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"
#include "rx_lrgrid.h"
#include "rx_metrics.h"
#include "rx_param.h"

/* ---- metrics -------------------------------------------------------- */

/* The report's metrics, derived from the metric-column table
 * (rx_metrics.h): per shown column its measure (and a fraction's
 * complement too), test split first, then validation, then training.
 * "error" is the paper's: 1 - accuracy, in %. */
typedef struct metric_row {
    char name[40];          /* canonical */
    char alias[40];         /* another accepted name, or "" */
    const char *test_col, *val_col;
    int higher_better;
    rx_metric_unit unit;
    char label[64], val_label[72];
} metric_row;

#define MAX_METRICS 64
static metric_row metric_tab[MAX_METRICS];
static int n_metrics = -1;

static const char *split_label(rx_metric_split s)
{
    return s == RX_SPLIT_TEST ? "test" : s == RX_SPLIT_VAL ? "validation" : "training";
}

static const char *split_prefix(rx_metric_split s)
{
    return s == RX_SPLIT_VAL ? "val_" : s == RX_SPLIT_TRAIN ? "train_" : "";
}

/* The column of runs holding measure m on split s, or NULL. */
static const char *column_of(const rx_metric_col *c, int n, rx_metric_split s, const char *m)
{
    for (int i = 0; i < n; i++)
        if ((c[i].flags & RX_MC_RUN) && c[i].show.split == s && strcmp(c[i].show.measure, m) == 0)
            return c[i].name;
    return NULL;
}

/* Adds the metric of column c under measure name m (the column's own, or
 * its complement when complement is set). */
static void add_metric(const rx_metric_col *all, int n, const rx_metric_col *c, int complement)
{
    if (n_metrics >= MAX_METRICS)
        return;
    const rx_metric_show *sh = &c->show;
    metric_row *r = &metric_tab[n_metrics++];
    const char *m = complement ? sh->complement : sh->measure;
    const char *label = complement ? sh->complement_label : sh->label;
    const char *pct = sh->complement ? " (%)" : "";
    snprintf(r->name, sizeof r->name, "%s%s", split_prefix(sh->split), m);
    if (sh->split == RX_SPLIT_TEST)
        snprintf(r->alias, sizeof r->alias, "test_%s", m);
    r->test_col = c->name;
    r->val_col = sh->split == RX_SPLIT_TEST ? column_of(all, n, RX_SPLIT_VAL, sh->measure)
                 : sh->split == RX_SPLIT_VAL ? c->name : NULL;
    if (!r->val_col)
        r->val_col = "";
    r->higher_better = complement ? !sh->higher_better : sh->higher_better;
    r->unit = !sh->complement ? RX_UNIT_RAW : complement ? RX_UNIT_ERROR_PCT : RX_UNIT_PERCENT;
    snprintf(r->label, sizeof r->label, "%s %s%s", split_label(sh->split), label, pct);
    if (r->val_col[0])
        snprintf(r->val_label, sizeof r->val_label, "validation %s%s", label, pct);
}

/* Builds metric_tab once (the report is single-threaded). */
static void build_metrics(void)
{
    if (n_metrics >= 0)
        return;
    n_metrics = 0;
    int n;
    const rx_metric_col *c = rx_metric_cols(&n);
    static const rx_metric_split order[] = {RX_SPLIT_TEST, RX_SPLIT_VAL, RX_SPLIT_TRAIN};
    for (int s = 0; s < 3; s++)
        for (int i = 0; i < n; i++) {
            if (c[i].show.split != order[s] || !(c[i].flags & RX_MC_RUN))
                continue;
            if (c[i].show.complement)
                add_metric(c, n, &c[i], 1);
            add_metric(c, n, &c[i], 0);
        }
}

const char *const *rx_metric_names(void)
{
    static const char *names[MAX_METRICS + 1];
    build_metrics();
    for (int i = 0; i < n_metrics; i++)
        names[i] = metric_tab[i].name;
    names[n_metrics] = NULL;
    return names;
}

/* "NAME:max" or "NAME:min": a metric of run_metrics.  name may point
 * into m (a metric resolved again by its name). */
static int resolve_named(const char *text, rx_metric *m, rx_err *err)
{
    char name[sizeof m->name];
    snprintf(name, sizeof name, "%s", text);
    const char *colon = strrchr(name, ':');
    size_t n = (size_t)(colon - name);
    if (n == 0 || n > RX_NAMED_METRIC_MAX)
        return rx_errf(err, RX_EINVAL, "metric '%s': the name before ':' must be 1 to %d bytes",
                       name, RX_NAMED_METRIC_MAX);
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !strchr("_.-/", name[i]))
            return rx_errf(err, RX_EINVAL,
                           "metric '%s': names are letters, digits, '_', '.', '-' and '/'", name);
    int hb = strcmp(colon + 1, "max") == 0;
    if (!hb && strcmp(colon + 1, "min") != 0)
        return rx_errf(err, RX_EINVAL, "metric '%s': say ':max' (larger is better) or ':min'",
                       name);
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    snprintf(m->test_col, sizeof m->test_col, "%.*s", (int)n, name);
    snprintf(m->val_col, sizeof m->val_col, "val_%.*s", (int)n, name);
    m->higher_better = hb;
    m->named = 1;
    m->unit = RX_UNIT_RAW;
    snprintf(m->label, sizeof m->label, "%.*s", (int)n, name);
    snprintf(m->val_label, sizeof m->val_label, "val_%.*s", (int)n, name);
    return RX_OK;
}

int rx_metric_resolve(const char *name, rx_metric *m, rx_err *err)
{
    if (strchr(name, ':'))
        return resolve_named(name, m, err);
    build_metrics();
    const metric_row *row = NULL;
    for (int i = 0; i < n_metrics && !row; i++)
        if (strcmp(name, metric_tab[i].name) == 0 || strcmp(name, metric_tab[i].alias) == 0)
            row = &metric_tab[i];
    if (!row) {
        const char *best = NULL;
        int bd = 4;
        for (int i = 0; i < n_metrics; i++) {
            int d = rx_edit_distance(name, metric_tab[i].name);
            if (d < bd)
                bd = d, best = metric_tab[i].name;
        }
        if (best)
            return rx_errf(err, RX_EINVAL, "unknown metric '%s'; did you mean '%s'?", name, best);
        char known[512];
        size_t k = 0;
        known[0] = 0;
        for (int i = 0; i < n_metrics && k < sizeof known; i++)
            k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", i ? ", " : "",
                                  metric_tab[i].name);
        return rx_errf(err, RX_EINVAL,
                       "unknown metric '%s' (known: %s; a metric a command trainer reported: "
                       "'%s:max' or '%s:min')", name, known, name, name);
    }
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", row->name);
    snprintf(m->test_col, sizeof m->test_col, "%s", row->test_col);
    snprintf(m->val_col, sizeof m->val_col, "%s", row->val_col);
    m->higher_better = row->higher_better;
    m->unit = row->unit;
    snprintf(m->label, sizeof m->label, "%s", row->label);
    snprintf(m->val_label, sizeof m->val_label, "%s", row->val_label);
    return RX_OK;
}

double rx_metric_display(const rx_metric *m, double stored)
{
    switch (m->unit) {
    case RX_UNIT_PERCENT: return 100.0 * stored;
    case RX_UNIT_ERROR_PCT: return 100.0 * (1.0 - stored);
    default: return stored;
    }
}

void rx_metric_format(const rx_metric *m, double x, char *buf, size_t size)
{
    if (isnan(x))
        snprintf(buf, size, "-");
    else if (m->unit == RX_UNIT_RAW)
        snprintf(buf, size, "%.4g", x);
    else
        snprintf(buf, size, "%.2f", x);
}

int rx_metric_cmp(const rx_metric *m, double a, double b)
{
    return rx_value_cmp(a, b, m->higher_better);
}

/* ---- small helpers -------------------------------------------------- */

rx_outcome rx_outcome_of(const char *status)
{
    if (strcmp(status, "done") == 0) return RX_OUT_DONE;
    if (strcmp(status, "failed") == 0) return RX_OUT_FAILED;
    if (strcmp(status, "diverged") == 0) return RX_OUT_DIVERGED;
    return RX_OUT_MISSING;
}

const char *rx_outcome_name(rx_outcome s)
{
    switch (s) {
    case RX_OUT_DONE: return "done";
    case RX_OUT_FAILED: return "failed";
    case RX_OUT_DIVERGED: return "diverged";
    default: return "missing";
    }
}

void rx_budget_label(double budget, char *buf, size_t size)
{
    snprintf(buf, size, "%.6g%%", budget * 100.0);
}

void rx_rank_values(const rx_metric *m, const double *v, int n, double *rank)
{
    for (int i = 0; i < n; i++) {
        if (isnan(v[i])) {
            rank[i] = NAN;
            continue;
        }
        int better = 0, tied = 0;
        for (int j = 0; j < n; j++) {
            if (j == i || isnan(v[j]))
                continue;
            int c = rx_metric_cmp(m, v[j], v[i]);
            better += c > 0;
            tied += c == 0;
        }
        /* the tie group spans positions better+1 .. better+1+tied */
        rank[i] = better + 1 + tied / 2.0;
    }
}

/* ---- candidates: an lr and the values of the keys tuned with it ---------- */

/* A tuned value's class: absent, a number, anything else. */
static int tune_class(const char *v, double *x)
{
    char *end;
    if (!*v)
        return 0;
    *x = strtod(v, &end);
    return *end == '\0' && isfinite(*x) ? 1 : 2;
}

int rx_report_cand_cmp(double lr_a, const char (*tune_a)[RX_REPORT_TUNE_VAL], double lr_b,
                       const char (*tune_b)[RX_REPORT_TUNE_VAL], int n_tune)
{
    if (lr_a != lr_b)
        return lr_a < lr_b ? -1 : 1;
    for (int q = 0; q < n_tune; q++) {
        double x = 0, y = 0;
        int ca = tune_class(tune_a[q], &x), cb = tune_class(tune_b[q], &y);
        if (ca != cb)
            return ca < cb ? -1 : 1;
        if (ca == 1 && x != y)
            return x < y ? -1 : 1;
        int c = ca == 2 ? strcmp(tune_a[q], tune_b[q]) : 0;
        if (c)
            return c < 0 ? -1 : 1;
    }
    return 0;
}

int rx_report_is_chosen(const rx_report *r, const rx_report_cell *c, const rx_report_run *x)
{
    if (c->chosen < 0)
        return 0;
    const rx_report_lr *e = &c->lrs[c->chosen];
    return rx_report_cand_cmp(x->lr, x->tune, e->lr, e->tune, r->n_tune) == 0;
}

int rx_report_lr_edge(const rx_report *r, const rx_report_cell *c, int *n_lrs)
{
    if (n_lrs)
        *n_lrs = 0;
    if (c->chosen < 0)
        return 0;
    const rx_report_lr *ch = &c->lrs[c->chosen];
    int n = 0, below = 0, above = 0;
    double last = NAN;
    /* candidates are sorted by lr: the grid's lrs come in order */
    for (int i = 0; i < c->n_lrs; i++) {
        const rx_report_lr *e = &c->lrs[i];
        if (rx_report_cand_cmp(ch->lr, ch->tune, ch->lr, e->tune, r->n_tune) != 0)
            continue;          /* other tuned values: another grid */
        if (n == 0 || e->lr != last)
            n++;
        last = e->lr;
        below |= e->lr < ch->lr;
        above |= e->lr > ch->lr;
    }
    if (n_lrs)
        *n_lrs = n;
    if (n < 2)
        return 0;
    return !below ? -1 : !above ? 1 : 0;
}

int rx_report_n_tried(const rx_report *r, const rx_report_cell *c, int q)
{
    int n = 0;
    for (int i = 0; i < c->n_lrs; i++) {
        const rx_report_lr *e = &c->lrs[i];
        if (q >= 0 && !e->tune[q][0])
            continue;
        int seen = 0;
        for (int j = 0; j < i && !seen; j++) {
            const rx_report_lr *f = &c->lrs[j];
            if (q < 0)
                seen = f->lr == e->lr;
            else
                seen = rx_report_cand_cmp(0, &f->tune[q], 0, &e->tune[q], 1) == 0;
        }
        n += !seen;
    }
    return n;
}

/* ---- ranking -------------------------------------------------------- */

const rx_report_cell *rx_report_cell_at(const rx_report *r, int s, int o, int k, int b)
{
    return &r->cells[(((size_t)s * r->n_optimizers + o) * r->n_schedules + k) * r->n_budgets + b];
}

double rx_report_cell_value(const rx_report *r, const rx_report_cell *c)
{
    if (c->chosen >= 0)
        return c->mean;
    /* every lr diverged: ranks last */
    return c->n_diverged > 0 ? (r->metric.higher_better ? -INFINITY : INFINITY) : NAN;
}

void rx_report_rank_from(const rx_report *r, const double *cv, double *v, rx_rank_out *out)
{
    const rx_metric *m = &r->metric;
    int nS = r->n_settings, nO = r->n_optimizers, nB = r->n_budgets, nR = r->n_ranked;
    int nK = r->n_schedules;
    for (int s = 0; s < nS; s++)
    for (int o = 0; o < nO; o++) {
        if (!r->group_runs[s * nO + o])
            continue;
        for (int b = 0; b < nB; b++) {
            size_t at = (((size_t)s * nO + o) * nB + b) * nR;
            int *src = out->src ? out->src + at : NULL;
            for (int i = 0; i < nR; i++) {
                v[i] = NAN;
                if (src)
                    src[i] = -1;
            }
            for (int k = 0; k < nK; k++) {
                int i = r->rank_of[k];
                if (i < 0)
                    continue;          /* not in the chosen set */
                double x = cv[((((size_t)s * nO + o) * nK + k) * nB + b)];
                if (rx_metric_cmp(m, x, v[i]) > 0) {
                    v[i] = x;          /* merged step: the better of step and plateau */
                    if (src)
                        src[i] = k;
                }
            }
            int present = 0;
            for (int i = 0; i < nR; i++)
                present += !isnan(v[i]);
            double *dst = &out->rank[at];
            if (present < 2) {
                for (int i = 0; i < nR; i++)
                    dst[i] = NAN;
                continue;
            }
            rx_rank_values(m, v, nR, dst);
            int split = r->budgets[b] < r->low_cut ? RX_SPLIT_LOW : RX_SPLIT_HIGH;
            out->n_comparisons[split]++;
            out->n_comparisons[RX_SPLIT_ALL]++;
            for (int i = 0; i < nR; i++) {
                if (isnan(v[i]))
                    continue;
                int better = 0;
                for (int j = 0; j < nR; j++)
                    better += j != i && rx_metric_cmp(m, v[j], v[i]) > 0;
                int sp[2] = {split, RX_SPLIT_ALL};
                for (int q = 0; q < 2; q++) {
                    out->top_n[i * RX_N_SPLIT + sp[q]]++;
                    out->top[(i * RX_N_SPLIT + sp[q]) * 2 + 0] += better < 1;
                    out->top[(i * RX_N_SPLIT + sp[q]) * 2 + 1] += better < 3;
                }
            }
        }
    }
    for (int o = 0; o < nO; o++)
    for (int b = 0; b < nB; b++)
    for (int i = 0; i < nR; i++) {
        double sum = 0;
        int k = 0;
        for (int s = 0; s < nS; s++) {
            double x = out->rank[(((size_t)s * nO + o) * nB + b) * nR + i];
            if (!isnan(x))
                sum += x, k++;
        }
        out->avg_rank[((size_t)o * nB + b) * nR + i] = k ? sum / k : NAN;
        if (out->avg_rank_n)
            out->avg_rank_n[((size_t)o * nB + b) * nR + i] = k;
    }
}

