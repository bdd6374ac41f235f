/* report_out.c: the report as text, markdown, CSV and JSON. */
#include "report_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rx_param.h"

/* ---- shared tables -------------------------------------------------- */

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
                rx_table_set(t, row, b + 1, "%g (of %d)", c->lrs[c->chosen].lr, c->n_lrs);
            else
                rx_table_set(t, row, b + 1, "-");
        }
    }
    return 1;
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
                len += (size_t)snprintf(buf + len, sizeof buf - len, " lr %g:", e->lr);
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

void rx_report_topk_table(const rx_report *r, rx_table *t)
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
                int n = r->top_n[i * RX_N_SPLIT + sp];
                int k = r->top[(i * RX_N_SPLIT + sp) * 2 + q];
                if (n)
                    rx_table_set(t, row, 1 + sp * 2 + q, "%.0f%% (%d/%d)", 100.0 * k / n, k, n);
                else
                    rx_table_set(t, row, 1 + sp * 2 + q, "-");
            }
    }
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
    char buf[512];
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
    else if (r->any_selection)
        snprintf(buf, sizeof buf,
                 "lr: tuned per cell (setting, optimizer, schedule, budget) on the best mean %s; "
                 "the tables show that lr's %s; ties go to the smaller lr; an lr that diverged "
                 "for any seed is never chosen",
                 r->metric.val_label, r->metric.label);
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

/* ---- text and markdown ---------------------------------------------- */

typedef struct out_ctx {
    FILE *f;
    rx_report_format fmt;
} out_ctx;

/* Text notes wrap at 78 columns, continuation lines indented. */
static void note_line(void *ud, const char *text)
{
    out_ctx *c = ud;
    if (c->fmt == RX_FMT_MARKDOWN) {
        fprintf(c->f, "- %s\n", text);
        return;
    }
    int col = 0;
    const char *p = text;
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t len = sp ? (size_t)(sp - p) : strlen(p);
        char word[256];
        snprintf(word, sizeof word, "%.*s", (int)(len < 255 ? len : 255), p);
        int w = rx_text_width(word);
        if (col > 0 && col + 1 + w > 78) {
            fputs("\n  ", c->f);
            col = 2;
        } else if (col > 0) {
            fputc(' ', c->f);
            col++;
        }
        fwrite(p, 1, len, c->f);
        col += w;
        p += len;
        while (*p == ' ')
            p++;
    }
    fputc('\n', c->f);
}

static void issue_line(void *ud, const char *text)
{
    out_ctx *c = ud;
    fprintf(c->f, c->fmt == RX_FMT_MARKDOWN ? "- %s\n" : "  %s\n", text);
}

static void heading(out_ctx *c, int level, const char *text)
{
    if (c->fmt == RX_FMT_MARKDOWN)
        fprintf(c->f, "\n%s %s\n\n", level == 1 ? "#" : level == 2 ? "##" : "###", text);
    else if (level == 3)
        fprintf(c->f, "\n%s\n", text);
    else
        fprintf(c->f, "\n== %s ==\n", text);
}

static int emit(out_ctx *c, rx_table *t)
{
    int rc = rx_table_write(c->f, t, c->fmt == RX_FMT_MARKDOWN ? RX_TABLE_MARKDOWN : RX_TABLE_TEXT);
    rx_table_free(t);
    return rc;
}

static int write_doc(FILE *f, const rx_report *r, rx_report_format fmt,
                     const rx_report_source *src)
{
    out_ctx c = {f, fmt};
    int rc = RX_OK;
    char buf[512];
    if (fmt == RX_FMT_MARKDOWN)
        fprintf(f, "# rexsweep report\n\n");
    else
        fprintf(f, "rexsweep report\n");
    fprintf(f, "%sstore: %s; sweep: %s\n", fmt == RX_FMT_MARKDOWN ? "- " : "",
            src && src->db ? src->db : "-", src && src->sweep ? src->sweep : "all sweeps");
    rx_report_notes(r, note_line, &c);
    for (int s = 0; s < r->n_settings; s++)
        for (int o = 0; o < r->n_optimizers; o++) {
            if (!rx_report_group_has_runs(r, s, o))
                continue;
            rx_table t;
            snprintf(buf, sizeof buf, "%s, %s: %s", r->settings[s], r->optimizers[o],
                     r->metric.label);
            heading(&c, 2, buf);
            rx_report_cell_table(r, s, o, &t);
            rc |= emit(&c, &t);
            if (rx_report_lr_table(r, s, o, &t)) {
                snprintf(buf, sizeof buf, "chosen lr (on %s; of N tried)",
                         r->select_on_test ? r->metric.label : r->metric.val_label);
                heading(&c, 3, buf);
                rc |= emit(&c, &t);
            }
            if (rx_report_issues(r, s, o, NULL, NULL)) {
                heading(&c, 3, "cells with failed, diverged or missing runs");
                rx_report_issues(r, s, o, issue_line, &c);
            }
        }
    if (r->n_comparisons[RX_SPLIT_ALL] > 0) {
        snprintf(buf, sizeof buf, "Top-1 / Top-3 rates (%d comparisons: %d low, %d high budget)",
                 r->n_comparisons[RX_SPLIT_ALL], r->n_comparisons[RX_SPLIT_LOW],
                 r->n_comparisons[RX_SPLIT_HIGH]);
        heading(&c, 2, buf);
        rx_table t;
        rx_report_topk_table(r, &t);
        rc |= emit(&c, &t);
        static const char topk_note[] =
            "a comparison is one (setting, optimizer, budget) with two or more schedules; "
            "(k/n) = Top-k in k of the n comparisons the schedule took part in";
        if (fmt == RX_FMT_MARKDOWN)
            fprintf(f, "\n%s\n", topk_note);
        else
            note_line(&c, topk_note);
        for (int o = 0; o < r->n_optimizers; o++) {
            snprintf(buf, sizeof buf, "average rank, %s (1 = best)", r->optimizers[o]);
            heading(&c, 2, buf);
            rx_report_rank_table(r, o, &t);
            rc |= emit(&c, &t);
            if (r->n_settings > 1)
                fprintf(f, "%s(n) = settings averaged\n", fmt == RX_FMT_MARKDOWN ? "\n" : "");
        }
    } else {
        heading(&c, 2, "Top-1 / Top-3 rates and average ranks");
        fprintf(f, "no comparisons: no budget has two or more schedules with a value\n");
    }
    return rc;
}

/* ---- csv ------------------------------------------------------------ */

static void num_or_empty(char *buf, size_t size, double x)
{
    if (isfinite(x))
        rx_fmt_num(x, buf, size);
    else
        buf[0] = '\0';
}

/* One row per cell: scripts get every number at full precision. */
static int write_csv(FILE *f, const rx_report *r)
{
    static const char *const h[] = {
        "setting", "optimizer", "schedule", "budget", "metric", "selected_on", "lr", "mean",
        "std", "n", "lrs_tried", "runs", "done", "failed", "diverged", "missing", "rank"};
    rx_table t;
    rx_table_init(&t, 17, h);
    const char *sel = r->select_on_test ? "test" : r->any_selection ? "validation" : "none";
    for (int s = 0; s < r->n_settings; s++)
        for (int o = 0; o < r->n_optimizers; o++)
            for (int k = 0; k < r->n_schedules; k++)
                for (int b = 0; b < r->n_budgets; b++) {
                    const rx_report_cell *c = rx_report_cell_at(r, s, o, k, b);
                    if (!c->n_runs)
                        continue;
                    char bud[40], lr[40] = "", mean[40], sd[40], rk[40];
                    rx_fmt_num(r->budgets[b], bud, sizeof bud);
                    if (c->chosen >= 0)
                        rx_fmt_num(c->lrs[c->chosen].lr, lr, sizeof lr);
                    num_or_empty(mean, sizeof mean, c->mean);
                    num_or_empty(sd, sizeof sd, c->std);
                    size_t ri = (((size_t)s * r->n_optimizers + o) * r->n_budgets + b) *
                                r->n_ranked + r->rank_of[k];
                    /* plateau merged into step has no rank of its own */
                    num_or_empty(rk, sizeof rk,
                                 r->merged && strcmp(r->schedules[k], "plateau") == 0
                                 ? NAN : r->rank[ri]);
                    int row = rx_table_row(&t);
                    const char *v[17] = {r->settings[s], r->optimizers[o], r->schedules[k], bud,
                                         r->metric.name, sel, lr, mean, sd};
                    for (int i = 0; i < 9; i++)
                        rx_table_set(&t, row, i, "%s", v[i]);
                    rx_table_set(&t, row, 9, "%d", c->n);
                    rx_table_set(&t, row, 10, "%d", c->n_lrs);
                    rx_table_set(&t, row, 11, "%d", c->n_runs);
                    rx_table_set(&t, row, 12, "%d", c->n_done);
                    rx_table_set(&t, row, 13, "%d", c->n_failed);
                    rx_table_set(&t, row, 14, "%d", c->n_diverged);
                    rx_table_set(&t, row, 15, "%d", c->n_missing);
                    rx_table_set(&t, row, 16, "%s", rk);
                }
    int rc = rx_table_write(f, &t, RX_TABLE_CSV);
    rx_table_free(&t);
    return rc;
}

/* ---- json ----------------------------------------------------------- */

static void json_cell(FILE *f, const rx_report *r, const rx_report_cell *c, int k, double budget)
{
    fputc('{', f);
    rx_json_kv_str(f, "schedule", r->schedules[k], 1);
    rx_json_kv_num(f, "budget", budget, 1);
    rx_json_kv_num(f, "lr", c->chosen >= 0 ? c->lrs[c->chosen].lr : NAN, 1);
    rx_json_kv_num(f, "mean", c->mean, 1);
    rx_json_kv_num(f, "std", c->std, 1);
    rx_json_kv_int(f, "n", c->n, 1);
    rx_json_kv_int(f, "runs", c->n_runs, 1);
    rx_json_kv_int(f, "done", c->n_done, 1);
    rx_json_kv_int(f, "failed", c->n_failed, 1);
    rx_json_kv_int(f, "diverged", c->n_diverged, 1);
    rx_json_kv_int(f, "missing", c->n_missing, 1);
    rx_json_key(f, "lrs");
    fputc('[', f);
    for (int i = 0; i < c->n_lrs; i++) {
        const rx_report_lr *e = &c->lrs[i];
        fprintf(f, "%s{", i ? "," : "");
        rx_json_kv_num(f, "lr", e->lr, 1);
        rx_json_kv_num(f, "val_mean", e->val_mean, 1);
        rx_json_kv_num(f, "test_mean", e->test_mean, 1);
        rx_json_kv_num(f, "test_std", e->test_std, 1);
        rx_json_kv_int(f, "n_val", e->n_val, 1);
        rx_json_kv_int(f, "n_test", e->n_test, 1);
        rx_json_kv_int(f, "runs", e->n_runs, 1);
        rx_json_kv_int(f, "done", e->n_done, 1);
        rx_json_kv_int(f, "failed", e->n_failed, 1);
        rx_json_kv_int(f, "diverged", e->n_diverged, 1);
        rx_json_kv_int(f, "missing", e->n_missing, 1);
        rx_json_kv_bool(f, "eligible", e->eligible, 1);
        rx_json_kv_bool(f, "chosen", i == c->chosen, 0);
        fputc('}', f);
    }
    fputs("]}", f);
}

typedef struct json_list {
    FILE *f;
    int n;
} json_list;

static void json_note(void *ud, const char *text)
{
    json_list *l = ud;
    if (l->n++)
        fputc(',', l->f);
    rx_json_string(l->f, text);
}

static int write_json(FILE *f, const rx_report *r, const rx_report_source *src)
{
    fputc('{', f);
    rx_json_kv_str(f, "store", src ? src->db : NULL, 1);
    rx_json_kv_str(f, "sweep", src ? src->sweep : NULL, 1);
    rx_json_key(f, "metric");
    fputc('{', f);
    rx_json_kv_str(f, "name", r->metric.name, 1);
    rx_json_kv_str(f, "label", r->metric.label, 1);
    rx_json_kv_str(f, "column", r->metric.test_col, 1);
    rx_json_kv_str(f, "validation_column", r->metric.val_col, 1);
    rx_json_kv_bool(f, "higher_is_better", r->metric.higher_better, 0);
    fputs("},", f);
    rx_json_kv_str(f, "lr_selection",
                   r->select_on_test ? "test" : r->any_selection ? "validation" : "none", 1);
    rx_json_kv_bool(f, "step_plateau_merged", r->merged, 1);
    rx_json_kv_num(f, "low_budget_below", r->low_cut, 1);
    rx_json_key(f, "notes");
    fputc('[', f);
    json_list notes = {f, 0};
    rx_report_notes(r, json_note, &notes);
    fputs("],", f);
    rx_json_key(f, "budgets");
    rx_json_num_array(f, r->budgets, r->n_budgets);
    fputc(',', f);
    rx_json_key(f, "schedules");
    rx_json_str_array(f, r->schedules[0], sizeof r->schedules[0], r->n_schedules);
    fputc(',', f);
    rx_json_key(f, "ranked_schedules");
    rx_json_str_array(f, r->ranked[0], sizeof r->ranked[0], r->n_ranked);
    fputc(',', f);

    rx_json_key(f, "tables");
    fputc('[', f);
    int first = 1;
    for (int s = 0; s < r->n_settings; s++)
        for (int o = 0; o < r->n_optimizers; o++) {
            if (!rx_report_group_has_runs(r, s, o))
                continue;
            fprintf(f, "%s{", first ? "" : ",");
            first = 0;
            rx_json_kv_str(f, "setting", r->settings[s], 1);
            rx_json_kv_str(f, "optimizer", r->optimizers[o], 1);
            rx_json_key(f, "cells");
            fputc('[', f);
            int fc = 1;
            for (int k = 0; k < r->n_schedules; k++)
                for (int b = 0; b < r->n_budgets; b++) {
                    const rx_report_cell *c = rx_report_cell_at(r, s, o, k, b);
                    if (!c->n_runs)
                        continue;
                    if (!fc)
                        fputc(',', f);
                    fc = 0;
                    json_cell(f, r, c, k, r->budgets[b]);
                }
            fputs("],", f);
            rx_json_key(f, "ranks");
            fputc('{', f);
            for (int i = 0; i < r->n_ranked; i++) {
                rx_json_key(f, r->ranked[i]);
                fputc('[', f);
                for (int b = 0; b < r->n_budgets; b++) {
                    if (b)
                        fputc(',', f);
                    rx_json_number(f, r->rank[(((size_t)s * r->n_optimizers + o) * r->n_budgets +
                                               b) * r->n_ranked + i]);
                }
                fprintf(f, "]%s", i + 1 < r->n_ranked ? "," : "");
            }
            fputs("}}", f);
        }
    fputs("],", f);

    static const char *const split[RX_N_SPLIT] = {"low", "high", "all"};
    rx_json_key(f, "top_k");
    fputc('{', f);
    rx_json_key(f, "comparisons");
    fprintf(f, "{\"low\":%d,\"high\":%d,\"all\":%d},", r->n_comparisons[RX_SPLIT_LOW],
            r->n_comparisons[RX_SPLIT_HIGH], r->n_comparisons[RX_SPLIT_ALL]);
    rx_json_key(f, "schedules");
    fputc('{', f);
    for (int i = 0; i < r->n_ranked; i++) {
        rx_json_key(f, r->ranked[i]);
        fputc('{', f);
        for (int sp = 0; sp < RX_N_SPLIT; sp++) {
            int n = r->top_n[i * RX_N_SPLIT + sp];
            int t1 = r->top[(i * RX_N_SPLIT + sp) * 2], t3 = r->top[(i * RX_N_SPLIT + sp) * 2 + 1];
            fprintf(f, "\"%s\":{\"n\":%d,\"top1\":%d,\"top3\":%d,", split[sp], n, t1, t3);
            rx_json_kv_num(f, "top1_rate", n ? (double)t1 / n : NAN, 1);
            rx_json_kv_num(f, "top3_rate", n ? (double)t3 / n : NAN, 0);
            fprintf(f, "}%s", sp + 1 < RX_N_SPLIT ? "," : "");
        }
        fprintf(f, "}%s", i + 1 < r->n_ranked ? "," : "");
    }
    fputs("}},", f);

    rx_json_key(f, "average_rank");
    fputc('{', f);
    for (int o = 0; o < r->n_optimizers; o++) {
        rx_json_key(f, r->optimizers[o]);
        fputc('{', f);
        for (int i = 0; i < r->n_ranked; i++) {
            rx_json_key(f, r->ranked[i]);
            fputs("{\"rank\":[", f);
            for (int b = 0; b < r->n_budgets; b++) {
                if (b)
                    fputc(',', f);
                rx_json_number(f, r->avg_rank[((size_t)o * r->n_budgets + b) * r->n_ranked + i]);
            }
            fputs("],\"settings\":[", f);
            for (int b = 0; b < r->n_budgets; b++)
                fprintf(f, "%s%d", b ? "," : "",
                        r->avg_rank_n[((size_t)o * r->n_budgets + b) * r->n_ranked + i]);
            fprintf(f, "]}%s", i + 1 < r->n_ranked ? "," : "");
        }
        fprintf(f, "}%s", o + 1 < r->n_optimizers ? "," : "");
    }
    fputs("}}\n", f);
    return ferror(f) ? RX_EIO : RX_OK;
}

/* ---- entry points --------------------------------------------------- */

int rx_report_format_parse(const char *s)
{
    static const struct { const char *name; rx_report_format fmt; } tab[] = {
        {"text", RX_FMT_TEXT}, {"markdown", RX_FMT_MARKDOWN}, {"md", RX_FMT_MARKDOWN},
        {"csv", RX_FMT_CSV}, {"json", RX_FMT_JSON}, {"html", RX_FMT_HTML},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (strcmp(s, tab[i].name) == 0)
            return (int)tab[i].fmt;
    return -1;
}

int rx_report_write(FILE *f, const rx_report *r, rx_report_format fmt,
                    const rx_report_source *src, rx_err *err)
{
    int rc;
    switch (fmt) {
    case RX_FMT_CSV: rc = write_csv(f, r); break;
    case RX_FMT_JSON: rc = write_json(f, r, src); break;
    case RX_FMT_HTML: return rx_report_write_html(f, r, src, NULL, 0, err);
    default: rc = write_doc(f, r, fmt, src); break;
    }
    if (rc == RX_ENOMEM)
        return rx_errf(err, rc, "out of memory writing the report");
    if (rc || ferror(f))
        return rx_errf(err, RX_EIO, "cannot write the report");
    return RX_OK;
}
