/* report_tables.c: the tables and notes of a built report, in no format:
 * the writers (report_out.c, report_html.c) render them. */
#include "report_impl.h"

#include "rx_keys.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void rx_report_cell_text(const rx_report *r, const rx_report_cell *c, char *buf, size_t size)
{
    const char *flag = c->n_failed || c->n_diverged || c->n_missing ? "*" : "";
    if (c->n_runs == 0) {
        snprintf(buf, size, "not run");
    } else if (c->chosen < 0) {
        snprintf(buf, size, "%s%s",
                 c->n_diverged ? "diverged" : c->n_failed ? "failed" : "missing", flag);
    } else {
        char m[32], s[32];
        rx_metric_format(&r->metric, c->mean, m, sizeof m);
        rx_metric_format(&r->metric, c->std, s, sizeof s);
        if (c->n >= 2)
            snprintf(buf, size, "%s ± %s (%d)%s", m, s, c->n, flag);
        else
            snprintf(buf, size, "%s (%d)%s", m, c->n, flag);
    }
}

int rx_report_group_has_runs(const rx_report *r, int s, int o)
{
    return r->group_runs[s * r->n_optimizers + o] > 0;
}

static void budget_header(const rx_report *r, const char *first, rx_table *t)
{
    const char **h = calloc((size_t)r->n_budgets + 1, sizeof *h);
    char (*lab)[32] = calloc((size_t)r->n_budgets + 1, sizeof *lab);
    if (!h || !lab) {
        free(h);
        free(lab);
        memset(t, 0, sizeof *t);
        t->oom = 1;
        return;
    }
    h[0] = first;
    for (int b = 0; b < r->n_budgets; b++) {
        rx_budget_label(r->budgets[b], lab[b], sizeof lab[b]);
        h[b + 1] = lab[b];
    }
    rx_table_init(t, r->n_budgets + 1, h);
    for (int b = 0; b < r->n_budgets; b++)
        rx_table_align(t, b + 1, 1);
    free(h);
    free(lab);
}

/* True when schedule k has any run in (s, o). */
static int sched_in_group(const rx_report *r, int s, int o, int k)
{
    for (int b = 0; b < r->n_budgets; b++)
        if (rx_report_cell_at(r, s, o, k, b)->n_runs)
            return 1;
    return 0;
}

void rx_report_cell_table(const rx_report *r, int s, int o, rx_table *t)
{
    budget_header(r, "schedule", t);
    for (int k = 0; k < r->n_schedules; k++) {
        if (!sched_in_group(r, s, o, k))
            continue;
        int row = rx_table_row(t);
        rx_table_set(t, row, 0, "%s", r->schedules[k]);
        for (int b = 0; b < r->n_budgets; b++) {
            char buf[96];
            rx_report_cell_text(r, rx_report_cell_at(r, s, o, k, b), buf, sizeof buf);
            rx_table_set(t, row, b + 1, "%s", buf);
        }
    }
}

int rx_report_lr_table(const rx_report *r, int s, int o, rx_table *t)
{
    int any = 0;
    for (int k = 0; k < r->n_schedules && !any; k++)
        for (int b = 0; b < r->n_budgets; b++)
            any |= rx_report_cell_at(r, s, o, k, b)->n_lrs > 1;
    if (!any)
        return 0;
    budget_header(r, "schedule", t);
    for (int k = 0; k < r->n_schedules; k++) {
        if (!sched_in_group(r, s, o, k))
            continue;
        int row = rx_table_row(t);
        rx_table_set(t, row, 0, "%s", r->schedules[k]);
        for (int b = 0; b < r->n_budgets; b++) {
            const rx_report_cell *c = rx_report_cell_at(r, s, o, k, b);
            if (c->chosen >= 0)
                rx_table_set(t, row, b + 1, "%g (of %d)", c->lrs[c->chosen].lr,
                             rx_report_n_tried(r, c, -1));
            else
                rx_table_set(t, row, b + 1, "-");
        }
    }
    return 1;
}

void rx_report_tune_plain(const char *raw, char *buf, size_t size)
{
    rx_config_unquote(raw, buf, size);
}

int rx_report_tune_table(const rx_report *r, int s, int o, int q, rx_table *t)
{
    int any = 0;
    for (int k = 0; k < r->n_schedules && !any; k++)
        for (int b = 0; b < r->n_budgets; b++)
            any |= rx_report_n_tried(r, rx_report_cell_at(r, s, o, k, b), q) > 0;
    if (!any)
        return 0;
    budget_header(r, "schedule", t);
    for (int k = 0; k < r->n_schedules; k++) {
        int has = 0;
        for (int b = 0; b < r->n_budgets && !has; b++)
            has = rx_report_n_tried(r, rx_report_cell_at(r, s, o, k, b), q) > 0;
        if (!has)
            continue;                  /* a schedule without the key */
        int row = rx_table_row(t);
        rx_table_set(t, row, 0, "%s", r->schedules[k]);
        for (int b = 0; b < r->n_budgets; b++) {
            const rx_report_cell *c = rx_report_cell_at(r, s, o, k, b);
            char v[RX_REPORT_TUNE_VAL];
            if (c->chosen >= 0 && c->lrs[c->chosen].tune[q][0]) {
                rx_report_tune_plain(c->lrs[c->chosen].tune[q], v, sizeof v);
                rx_table_set(t, row, b + 1, "%s (of %d)", v, rx_report_n_tried(r, c, q));
            } else {
                rx_table_set(t, row, b + 1, "-");
            }
        }
    }
    return 1;
}

void rx_report_cand_text(const rx_report *r, const rx_report_lr *e, char *buf, size_t size)
{
    size_t len = (size_t)snprintf(buf, size, "lr %g", e->lr);
    for (int q = 0; q < r->n_tune && len < size; q++) {
        char v[RX_REPORT_TUNE_VAL];
        if (!e->tune[q][0])
            continue;
        rx_report_tune_plain(e->tune[q], v, sizeof v);
        len += (size_t)snprintf(buf + len, size - len, " %s=%s", r->tune_keys[q], v);
    }
}

int rx_report_issues(const rx_report *r, int s, int o,
                     void (*line)(void *ud, const char *text), void *ud)
{
    int count = 0;
    for (int k = 0; k < r->n_schedules; k++) {
        if (!sched_in_group(r, s, o, k))
            continue;
        for (int b = 0; b < r->n_budgets; b++) {
            const rx_report_cell *c = rx_report_cell_at(r, s, o, k, b);
            char bl[32], buf[1024];
            size_t len = 0;
            rx_budget_label(r->budgets[b], bl, sizeof bl);
            if (c->n_runs == 0) {
                snprintf(buf, sizeof buf, "%s at %s: no runs recorded", r->schedules[k], bl);
                if (line)
                    line(ud, buf);
                count++;
                continue;
            }
            if (!c->n_failed && !c->n_diverged && !c->n_missing)
                continue;
            len = (size_t)snprintf(buf, sizeof buf, "%s at %s:", r->schedules[k], bl);
            for (int i = 0; i < c->n_lrs && len < sizeof buf; i++) {
                const rx_report_lr *e = &c->lrs[i];
                if (!e->n_failed && !e->n_diverged && !e->n_missing)
                    continue;
                char cand[320];
                rx_report_cand_text(r, e, cand, sizeof cand);
                len += (size_t)snprintf(buf + len, sizeof buf - len, " %s:", cand);
                const int nn[3] = {e->n_failed, e->n_diverged, e->n_missing};
                const char *nm[3] = {"failed", "diverged", "missing"};
                int first = 1;
                for (int q = 0; q < 3 && len < sizeof buf; q++)
                    if (nn[q]) {
                        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s %d %s",
                                                first ? "" : ",", nn[q], nm[q]);
                        first = 0;
                    }
                if (len < sizeof buf)
                    len += (size_t)snprintf(buf + len, sizeof buf - len, " of %d;", e->n_runs);
            }
            if (len < sizeof buf && buf[len - 1] == ';')
                buf[len - 1] = '\0';
            if (line)
                line(ud, buf);
            count++;
        }
    }
    return count;
}

/* The Top-k rates per ranked schedule, low/high/all: the counts, or
 * (ci) their bootstrap intervals. */
static void topk_table(const rx_report *r, int ci, rx_table *t)
{
    static const char *const h[] = {"schedule", "low Top-1", "low Top-3", "high Top-1",
                                    "high Top-3", "all Top-1", "all Top-3"};
    rx_table_init(t, 7, h);
    for (int c = 1; c < 7; c++)
        rx_table_align(t, c, 1);
    for (int i = 0; i < r->n_ranked; i++) {
        int row = rx_table_row(t);
        rx_table_set(t, row, 0, "%s", r->ranked[i]);
        for (int sp = 0; sp < RX_N_SPLIT; sp++)
            for (int q = 0; q < 2; q++) {
                int n = r->top_n[i * RX_N_SPLIT + sp], col = 1 + sp * 2 + q;
                int k = r->top[(i * RX_N_SPLIT + sp) * 2 + q];
                const double *lh = ci ? &r->top_ci[(((size_t)i * RX_N_SPLIT + sp) * 2 + q) * 2]
                                      : NULL;
                if (!n || (lh && isnan(lh[0])))
                    rx_table_set(t, row, col, "-");
                else if (lh)
                    rx_table_set(t, row, col, "[%.0f%%, %.0f%%]", 100 * lh[0], 100 * lh[1]);
                else
                    rx_table_set(t, row, col, "%.0f%% (%d/%d)", 100.0 * k / n, k, n);
            }
    }
}

void rx_report_topk_table(const rx_report *r, rx_table *t)
{
    topk_table(r, 0, t);
}

void rx_report_rank_table(const rx_report *r, int o, rx_table *t)
{
    budget_header(r, "schedule", t);
    int nsett = 0;
    for (int s = 0; s < r->n_settings; s++)
        nsett += rx_report_group_has_runs(r, s, o);
    for (int i = 0; i < r->n_ranked; i++) {
        int row = rx_table_row(t), any = 0;
        rx_table_set(t, row, 0, "%s", r->ranked[i]);
        for (int b = 0; b < r->n_budgets; b++) {
            size_t at = ((size_t)o * r->n_budgets + b) * r->n_ranked + i;
            double x = r->avg_rank[at];
            int n = r->avg_rank_n[at];
            any |= n > 0;
            if (!n)
                rx_table_set(t, row, b + 1, "-");
            else if (nsett > 1)
                rx_table_set(t, row, b + 1, "%.2f (%d)", x, n);
            else
                rx_table_set(t, row, b + 1, "%.2f", x);
        }
        if (!any)
            t->nrow--;                 /* the schedule never ran with o */
    }
}

void rx_report_notes(const rx_report *r, void (*line)(void *ud, const char *text), void *ud)
{
    char buf[1280]; /* the tuned-keys note: two lists of up to 319 bytes and two labels */
    snprintf(buf, sizeof buf,
             "metric: %s, %s is better; a cell is the mean ± std over seeds, with the number "
             "of seeds in parentheses; * marks cells with failed, diverged or missing runs "
             "(listed below each table)",
             r->metric.label, r->metric.higher_better ? "higher" : "lower");
    line(ud, buf);
    if (r->select_on_test)
        snprintf(buf, sizeof buf,
                 "WARNING: the lr of each cell was chosen on the TEST metric (--select-on test), "
                 "not on validation: the numbers are optimistically biased");
    else if (r->any_selection && r->n_tune) {
        char keys[320] = "";
        for (int q = 0, len = 0; q < r->n_tune && len < (int)sizeof keys; q++)
            len += snprintf(keys + len, sizeof keys - (size_t)len, "%s%s", q ? ", " : "",
                            r->tune_keys[q]);
        snprintf(buf, sizeof buf,
                 "lr and %s: tuned together per cell (setting, optimizer, schedule, budget): "
                 "each (lr, %s) tried is a candidate, and the one with the best mean %s is "
                 "chosen; the tables show its %s; ties go to the smaller lr, then the smaller "
                 "value; a candidate that diverged for any seed is never chosen",
                 keys, keys, r->metric.val_label, r->metric.label);
    } else if (r->any_selection)
        snprintf(buf, sizeof buf,
                 "lr: tuned per cell (setting, optimizer, schedule, budget) on the best mean %s; "
                 "the tables show that lr's %s; ties go to the smaller lr; an lr that diverged "
                 "for any seed is never chosen",
                 r->metric.val_label, r->metric.label);
    else if (r->several_lrs)
        snprintf(buf, sizeof buf, "lr: several were tried, but in every cell only one has a "
                                  "value and no diverged seed, so nothing was chosen");
    else
        snprintf(buf, sizeof buf, "lr: one learning rate per cell; nothing was tuned");
    line(ud, buf);
    snprintf(buf, sizeof buf,
             "ranks: 1 = best; tied schedules share the average of their ranks; a cell whose "
             "every lr diverged ranks last; cells without a value are left out; low budgets "
             "are below %g%%, high budgets the rest",
             r->low_cut * 100);
    line(ud, buf);
    if (r->merged)
        line(ud, "step and plateau: in Top-k and ranks, step is the better of step and plateau "
                 "in each cell (the paper's rule)");
    else {
        int st = 0, pl = 0;
        for (int k = 0; k < r->n_schedules; k++) {
            st |= strcmp(r->schedules[k], "step") == 0;
            pl |= strcmp(r->schedules[k], "plateau") == 0;
        }
        if (st && pl)
            line(ud, "step and plateau: ranked separately (--no-merge)");
    }
}


/* ---- statistics --------------------------------------------------------- */

/* A signed difference in display units: "+0.42" (percentages), "+0.0123". */
static void fmt_signed(const rx_metric *m, double x, char *buf, size_t size)
{
    if (isnan(x))
        snprintf(buf, size, "-");
    else if (m->unit == RX_UNIT_RAW)
        snprintf(buf, size, "%+.4g", x);
    else
        snprintf(buf, size, "%+.2f", x);
}

int rx_report_has_stats(const rx_report *r)
{
    return r->ref >= 0 && r->pair && r->n_ranked >= 2 && r->n_comparisons[RX_SPLIT_ALL] > 0;
}

void rx_report_pair_text(const rx_report *r, const rx_report_pair *p, char *buf, size_t size)
{
    char mean[32], lo[32], hi[32];
    fmt_signed(&r->metric, p->d.mean, mean, sizeof mean);
    if (p->cmp == 2)
        snprintf(buf, size, "-");
    else if (p->d.n >= 2) {
        fmt_signed(&r->metric, p->d.lo, lo, sizeof lo);
        fmt_signed(&r->metric, p->d.hi, hi, sizeof hi);
        snprintf(buf, size, "%s [%s, %s]%s", mean, lo, hi, p->beyond ? "!" : "");
    } else if (p->d.n == 1)
        snprintf(buf, size, "%s (1 seed)", mean);
    else
        snprintf(buf, size, "%s", p->cmp == 0 ? "tied" : "no matched seeds");
}

int rx_report_pair_table(const rx_report *r, int s, int o, rx_table *t)
{
    int any = 0;
    budget_header(r, "schedule", t);
    for (int q = 0; q < r->n_ranked; q++) {
        if (q == r->ref)
            continue;
        int row = rx_table_row(t), used = 0;
        rx_table_set(t, row, 0, "%s", r->ranked[q]);
        for (int b = 0; b < r->n_budgets; b++) {
            const rx_report_pair *p =
                &r->pair[(((size_t)s * r->n_optimizers + o) * r->n_budgets + b) * r->n_ranked + q];
            char buf[128];
            rx_report_pair_text(r, p, buf, sizeof buf);
            used |= p->cmp != 2;
            rx_table_set(t, row, b + 1, "%s", buf);
        }
        if (!used)
            t->nrow--;                 /* never compared in this group */
        any |= used;
    }
    return any;
}

void rx_report_versus_table(const rx_report *r, rx_table *t)
{
    static const char *const h[] = {"schedule", "low W/L/T", "low sign p", "high W/L/T",
                                    "high sign p", "all W/L/T", "all sign p", "all Wilcoxon p",
                                    "beyond noise"};
    rx_table_init(t, 9, h);
    for (int c = 1; c < 9; c++)
        rx_table_align(t, c, 1);
    for (int q = 0; q < r->n_ranked; q++) {
        if (q == r->ref)
            continue;
        const rx_report_versus *v = &r->versus[q];
        int row = rx_table_row(t);
        rx_table_set(t, row, 0, "%s", r->ranked[q]);
        for (int sp = 0; sp < RX_N_SPLIT; sp++) {
            char p[16];
            rx_report_fmt_p(v->sign_p[sp], p, sizeof p);
            rx_table_set(t, row, 1 + 2 * sp, "%d/%d/%d", v->wins[sp], v->losses[sp], v->ties[sp]);
            rx_table_set(t, row, 2 + 2 * sp, "%s", p);
        }
        char p[16];
        rx_report_fmt_p(v->wilcoxon[RX_SPLIT_ALL].p, p, sizeof p);
        rx_table_set(t, row, 7, "%s%s", p,
                     v->wilcoxon[RX_SPLIT_ALL].exact || !v->wilcoxon[RX_SPLIT_ALL].n ? "" : " (normal)");
        if (v->with_interval[RX_SPLIT_ALL])
            rx_table_set(t, row, 8, "%d/%d of %d", v->beyond_win[RX_SPLIT_ALL],
                         v->beyond_loss[RX_SPLIT_ALL], v->with_interval[RX_SPLIT_ALL]);
        else
            rx_table_set(t, row, 8, "-");
    }
}

void rx_report_topk_ci_table(const rx_report *r, rx_table *t)
{
    topk_table(r, 1, t);
}

void rx_report_rank_ci_table(const rx_report *r, int o, rx_table *t)
{
    budget_header(r, "schedule", t);
    for (int i = 0; i < r->n_ranked; i++) {
        int row = rx_table_row(t), any = 0;
        rx_table_set(t, row, 0, "%s", r->ranked[i]);
        for (int b = 0; b < r->n_budgets; b++) {
            size_t at = ((size_t)o * r->n_budgets + b) * r->n_ranked + i;
            const double *ci = &r->avg_rank_ci[2 * at];
            any |= r->avg_rank_n[at] > 0;
            if (!r->avg_rank_n[at] || isnan(ci[0]))
                rx_table_set(t, row, b + 1, "-");
            else
                rx_table_set(t, row, b + 1, "[%.2f, %.2f]", ci[0], ci[1]);
        }
        if (!any)
            t->nrow--;
    }
}

void rx_report_stats_notes(const rx_report *r, void (*line)(void *ud, const char *text),
                           void *ud)
{
    char buf[1024];
    const rx_metric *m = &r->metric;
    snprintf(buf, sizeof buf,
             "reference: %s (%s); a comparison is one (setting, optimizer, budget); each entry "
             "is rival - %s in %s, the mean over matched seeds (the same seed for both, so "
             "the same initialisation and batch order), with its 95%% t-interval over the "
             "seed pairs; ! marks a difference beyond noise (the interval excludes 0); "
             "%s is better",
             r->ranked[r->ref], r->ref_asked ? "--vs" : "the best average rank; --vs to choose",
             r->ranked[r->ref], m->label,
             m->higher_better ? "positive (the rival higher)" : "negative (the rival lower)");
    line(ud, buf);
    line(ud, "W/L/T: comparisons the reference wins, loses and ties (the cell means; a "
             "diverged cell loses); sign test: exact two-sided binomial on W and L; Wilcoxon: "
             "signed-rank test of the mean paired differences (exact up to 100 comparisons, "
             "else normal); beyond noise: reference better / rival better, of the comparisons "
             "with two or more matched seeds");
}

void rx_report_chosen_what(const rx_report *r, char *buf, size_t size)
{
    size_t len = (size_t)snprintf(buf, size, "lr");
    for (int q = 0; q < r->n_tune && len < size; q++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                q + 1 == r->n_tune ? " and " : ", ", r->tune_keys[q]);
}

void rx_report_boot_note(const rx_report *r, char *buf, size_t size)
{
    char what[320];
    rx_report_chosen_what(r, what, sizeof what);
    snprintf(buf, size,
             "seeds are drawn with replacement within each comparison, the same draw for every "
             "schedule, and the ranks recomputed; percentile intervals; the %s of each cell "
             "%s as chosen; with one seed per cell an interval is a point: it cannot show seed "
             "noise",
             what, r->n_tune ? "stay" : "stays");
}

/* ---- protocol warnings ---------------------------------------------------- */

int rx_report_warning_lines(const rx_report *r, void (*line)(void *ud, const char *text),
                            void *ud)
{
    for (int i = 0; i < r->n_warnings; i++)
        line(ud, r->warnings[i].text);
    return r->n_warnings;
}

unsigned rx_report_cell_warnings(const rx_report *r, size_t cell)
{
    unsigned mask = 0;
    for (int i = 0; i < r->n_warnings; i++)
        for (int j = 0; j < r->warnings[i].n_cells; j++)
            if ((size_t)r->warnings[i].cells[j] == cell)
                mask |= 1u << r->warnings[i].kind;
    return mask;
}
