/* report_out.c: the report as text, markdown, CSV and JSON. */
#include "report_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rx_param.h"

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

/* The paired statistics and the bootstrap intervals. */
static int write_stats(out_ctx *c, const rx_report *r)
{
    char buf[512];
    int rc = RX_OK;
    rx_table t;
    snprintf(buf, sizeof buf, "paired comparisons against %s", r->ranked[r->ref]);
    heading(c, 2, buf);
    rx_report_stats_notes(r, note_line, c);
    if (c->fmt == RX_FMT_MARKDOWN)
        fputc('\n', c->f);
    heading(c, 3, "verdicts");
    rx_report_verdicts(r, c->fmt == RX_FMT_MARKDOWN ? issue_line : note_line, c);
    heading(c, 3, "tests over all comparisons");
    rx_report_versus_table(r, &t);
    rc |= emit(c, &t);
    for (int s = 0; s < r->n_settings; s++)
        for (int o = 0; o < r->n_optimizers; o++) {
            if (!rx_report_group_has_runs(r, s, o))
                continue;
            if (rx_report_pair_table(r, s, o, &t)) {
                snprintf(buf, sizeof buf, "%s, %s: rival - %s (95%% interval)", r->settings[s],
                         r->optimizers[o], r->ranked[r->ref]);
                heading(c, 3, buf);
                rc |= emit(c, &t);
            } else {
                rx_table_free(&t);
            }
        }
    if (r->n_boot > 0) {
        snprintf(buf, sizeof buf, "bootstrap 95%% intervals (%d replicates)", r->n_boot);
        heading(c, 2, buf);
        char note[512];
        rx_report_boot_note(r, note, sizeof note);
        note_line(c, note);
        heading(c, 3, "Top-1 / Top-3 rates");
        rx_report_topk_ci_table(r, &t);
        rc |= emit(c, &t);
        for (int o = 0; o < r->n_optimizers; o++) {
            snprintf(buf, sizeof buf, "average rank, %s", r->optimizers[o]);
            heading(c, 3, buf);
            rx_report_rank_ci_table(r, o, &t);
            rc |= emit(c, &t);
        }
    }
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
    if (r->n_warnings) {
        snprintf(buf, sizeof buf, "protocol warnings (%d)", r->n_warnings);
        heading(&c, 2, buf);
        rx_report_warning_lines(r, note_line, &c);
    }
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
            for (int q = 0; q < r->n_tune; q++)
                if (rx_report_tune_table(r, s, o, q, &t)) {
                    snprintf(buf, sizeof buf, "chosen %s (with the lr, on %s; of N tried)",
                             r->tune_keys[q],
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
    if (rx_report_has_stats(r))
        rc |= write_stats(&c, r);
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
static int write_csv(FILE *f, const rx_report *r, const rx_report_search *rs)
{
    static const char *const h[] = {
        "setting", "optimizer", "schedule", "budget", "metric", "selected_on", "lr", "mean",
        "std", "n", "lrs_tried", "runs", "done", "failed", "diverged", "missing", "rank",
        "reference", "diff", "diff_lo", "diff_hi", "pairs", "beyond_noise", "warnings"};
    /* a search's ladder, after the tuned keys: the rung of the cell's
     * group at its budget */
    static const char *const hs[] = {"rung_candidates", "rung_promoted", "rung_best",
                                     "search_winner"};
    const char *hh[24 + RX_REPORT_TUNE_MAX + 4];
    memcpy(hh, h, sizeof h);
    for (int q = 0; q < r->n_tune; q++)
        hh[24 + q] = r->tune_keys[q];     /* the chosen value of each tuned key */
    int sc = 24 + r->n_tune;
    for (int q = 0; rs && q < 4; q++)
        hh[sc + q] = hs[q];
    rx_table t;
    rx_table_init(&t, sc + (rs ? 4 : 0), hh);
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
                                r->n_ranked + (r->rank_of[k] < 0 ? 0 : r->rank_of[k]);
                    /* plateau merged into step has no rank of its own; nor
                     * has a schedule left out by --schedules */
                    num_or_empty(rk, sizeof rk,
                                 r->rank_of[k] < 0 ||
                                 (r->merged && strcmp(r->schedules[k], "plateau") == 0)
                                 ? NAN : r->rank[ri]);
                    int row = rx_table_row(&t);
                    const char *v[17] = {r->settings[s], r->optimizers[o], r->schedules[k], bud,
                                         r->metric.name, sel, lr, mean, sd};
                    for (int i = 0; i < 9; i++)
                        rx_table_set(&t, row, i, "%s", v[i]);
                    rx_table_set(&t, row, 9, "%d", c->n);
                    rx_table_set(&t, row, 10, "%d", rx_report_n_tried(r, c, -1));
                    for (int q = 0; q < r->n_tune && c->chosen >= 0; q++) {
                        char tv[RX_REPORT_TUNE_VAL];
                        rx_report_tune_plain(c->lrs[c->chosen].tune[q], tv, sizeof tv);
                        rx_table_set(&t, row, 24 + q, "%s", tv);
                    }
                    rx_report_rung u;
                    const char *win;
                    if (rs && rx_report_search_cell(rs, r->settings[s], r->optimizers[o],
                                                    r->schedules[k], r->budgets[b], &u, &win)) {
                        rx_table_set(&t, row, sc, "%d", u.candidates);
                        if (u.promoted >= 0)
                            rx_table_set(&t, row, sc + 1, "%d", u.promoted);
                        rx_table_set(&t, row, sc + 2, "%s", u.best);
                        rx_table_set(&t, row, sc + 3, "%s", win);
                    }
                    rx_table_set(&t, row, 11, "%d", c->n_runs);
                    rx_table_set(&t, row, 12, "%d", c->n_done);
                    rx_table_set(&t, row, 13, "%d", c->n_failed);
                    rx_table_set(&t, row, 14, "%d", c->n_diverged);
                    rx_table_set(&t, row, 15, "%d", c->n_missing);
                    rx_table_set(&t, row, 16, "%s", rk);
                    unsigned wm = rx_report_cell_warnings(
                        r, (((size_t)s * r->n_optimizers + o) * r->n_schedules + k) * r->n_budgets + b);
                    char wl[256] = "";
                    for (int w = 0; w < RX_N_WARN; w++)
                        if (wm & 1u << w)
                            snprintf(wl + strlen(wl), sizeof wl - strlen(wl), "%s%s",
                                     wl[0] ? " " : "", rx_warn_kind_name((rx_warn_kind)w));
                    rx_table_set(&t, row, 23, "%s", wl);
                    /* the paired difference to the reference (empty when
                     * none, and for the reference itself) */
                    if (!rx_report_has_stats(r) || r->rank_of[k] < 0 ||
                        (r->merged && strcmp(r->schedules[k], "plateau") == 0))
                        continue;
                    rx_table_set(&t, row, 17, "%s", r->ranked[r->ref]);
                    const rx_report_pair *p = &r->pair[ri];
                    if (r->rank_of[k] == r->ref || p->cmp == 2)
                        continue;
                    char dm[40], dl[40], dh[40];
                    num_or_empty(dm, sizeof dm, p->d.mean);
                    num_or_empty(dl, sizeof dl, p->d.lo);
                    num_or_empty(dh, sizeof dh, p->d.hi);
                    rx_table_set(&t, row, 18, "%s", dm);
                    rx_table_set(&t, row, 19, "%s", dl);
                    rx_table_set(&t, row, 20, "%s", dh);
                    rx_table_set(&t, row, 21, "%d", p->d.n);
                    rx_table_set(&t, row, 22, "%d", p->beyond);
                }
    int rc = rx_table_write(f, &t, RX_TABLE_CSV);
    rx_table_free(&t);
    return rc;
}

/* ---- json ----------------------------------------------------------- */

/* "tuned":{"schedule.patience":3,...}, the values of candidate e (null
 * when absent), and a comma. */
static void json_tuned(FILE *f, const rx_report *r, const rx_report_lr *e)
{
    rx_json_key(f, "tuned");
    fputc('{', f);
    for (int q = 0; q < r->n_tune; q++) {
        rx_json_key(f, r->tune_keys[q]);
        /* a value of the canonical configuration: JSON already */
        fprintf(f, "%s%s", e && e->tune[q][0] ? e->tune[q] : "null",
                q + 1 < r->n_tune ? "," : "");
    }
    fputs("},", f);
}

static void json_cell(FILE *f, const rx_report *r, const rx_report_cell *c, int k, double budget)
{
    fputc('{', f);
    rx_json_kv_str(f, "schedule", r->schedules[k], 1);
    rx_json_kv_num(f, "budget", budget, 1);
    rx_json_kv_num(f, "lr", c->chosen >= 0 ? c->lrs[c->chosen].lr : NAN, 1);
    json_tuned(f, r, c->chosen >= 0 ? &c->lrs[c->chosen] : NULL);
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
        json_tuned(f, r, e);
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

static void json_pair_array(FILE *f, const double *lohi)
{
    fputc('[', f);
    rx_json_number(f, lohi[0]);
    fputc(',', f);
    rx_json_number(f, lohi[1]);
    fputc(']', f);
}

/* rx_report_notes with the shape of rx_report_verdicts. */
static int notes_lines(const rx_report *r, void (*line)(void *ud, const char *text),
                                 void *ud)
{
    rx_report_notes(r, line, ud);
    return 0;
}

/* "key":[the lines of emit, as JSON strings] */
static void json_lines(FILE *f, const char *key, const rx_report *r,
                       int (*lines)(const rx_report *, void (*)(void *, const char *), void *))
{
    rx_json_key(f, key);
    fputc('[', f);
    json_list l = {f, 0};
    lines(r, json_note, &l);
    fputc(']', f);
}

/* "warnings": [{"kind", "text", "cells": [{setting, optimizer, schedule,
 * budget}]}] */
static void json_warnings(FILE *f, const rx_report *r)
{
    rx_json_key(f, "warnings");
    fputc('[', f);
    int nO = r->n_optimizers, nK = r->n_schedules, nB = r->n_budgets;
    for (int i = 0; i < r->n_warnings; i++) {
        const rx_report_warning *w = &r->warnings[i];
        fprintf(f, "%s{", i ? "," : "");
        rx_json_kv_str(f, "kind", rx_warn_kind_name(w->kind), 1);
        rx_json_kv_str(f, "text", w->text, 1);
        rx_json_key(f, "cells");
        fputc('[', f);
        for (int j = 0; j < w->n_cells; j++) {
            int c = w->cells[j];
            int b = c % nB, k = c / nB % nK, o = c / nB / nK % nO, s = c / nB / nK / nO;
            fprintf(f, "%s{", j ? "," : "");
            rx_json_kv_str(f, "setting", r->settings[s], 1);
            rx_json_kv_str(f, "optimizer", r->optimizers[o], 1);
            rx_json_kv_str(f, "schedule", r->schedules[k], 1);
            rx_json_kv_num(f, "budget", r->budgets[b], 0);
            fputc('}', f);
        }
        fputs("]}", f);
    }
    fputc(']', f);
}

/* "statistics": the paired comparisons, the tests and the bootstrap
 * intervals; null when nothing was compared. */
static void json_stats(FILE *f, const rx_report *r)
{
    static const char *const split[RX_N_SPLIT] = {"low", "high", "all"};
    if (!rx_report_has_stats(r)) {
        fputs("null", f);
        return;
    }
    int nO = r->n_optimizers, nB = r->n_budgets, nR = r->n_ranked;
    fputc('{', f);
    rx_json_kv_str(f, "reference", r->ranked[r->ref], 1);
    rx_json_kv_str(f, "reference_from", r->ref_asked ? "vs" : "best_average_rank", 1);
    rx_json_kv_int(f, "bootstrap_replicates", r->n_boot, 1);
    json_lines(f, "verdicts", r, rx_report_verdicts);
    fputc(',', f);
    rx_json_key(f, "versus");
    fputc('{', f);
    int first = 1;
    for (int q = 0; q < nR; q++) {
        if (q == r->ref)
            continue;
        const rx_report_versus *vs = &r->versus[q];
        if (!first)
            fputc(',', f);
        first = 0;
        rx_json_key(f, r->ranked[q]);
        fputc('{', f);
        for (int sp = 0; sp < RX_N_SPLIT; sp++) {
            rx_json_key(f, split[sp]);
            fputc('{', f);
            rx_json_kv_int(f, "wins", vs->wins[sp], 1);
            rx_json_kv_int(f, "losses", vs->losses[sp], 1);
            rx_json_kv_int(f, "ties", vs->ties[sp], 1);
            rx_json_kv_num(f, "sign_p", vs->sign_p[sp], 1);
            rx_json_kv_int(f, "wilcoxon_n", vs->wilcoxon[sp].n, 1);
            rx_json_kv_num(f, "wilcoxon_w_plus", vs->wilcoxon[sp].w_plus, 1);
            rx_json_kv_num(f, "wilcoxon_p", vs->wilcoxon[sp].p, 1);
            rx_json_kv_bool(f, "wilcoxon_exact", vs->wilcoxon[sp].exact, 1);
            rx_json_kv_int(f, "with_interval", vs->with_interval[sp], 1);
            rx_json_kv_int(f, "beyond_noise_reference_better", vs->beyond_win[sp], 1);
            rx_json_kv_int(f, "beyond_noise_rival_better", vs->beyond_loss[sp], 0);
            fprintf(f, "}%s", sp + 1 < RX_N_SPLIT ? "," : "");
        }
        fputc('}', f);
    }
    fputs("},", f);
    rx_json_key(f, "pairs");
    fputc('[', f);
    first = 1;
    for (int s = 0; s < r->n_settings; s++)
    for (int o = 0; o < nO; o++)
    for (int b = 0; b < nB; b++)
    for (int q = 0; q < nR; q++) {
        const rx_report_pair *p = &r->pair[(((size_t)s * nO + o) * nB + b) * nR + q];
        if (p->cmp == 2)
            continue;
        fprintf(f, "%s{", first ? "" : ",");
        first = 0;
        rx_json_kv_str(f, "setting", r->settings[s], 1);
        rx_json_kv_str(f, "optimizer", r->optimizers[o], 1);
        rx_json_kv_num(f, "budget", r->budgets[b], 1);
        rx_json_kv_str(f, "schedule", r->ranked[q], 1);
        rx_json_kv_str(f, "result", p->cmp > 0 ? "reference_better" : p->cmp < 0
                                    ? "rival_better" : "tie", 1);
        rx_json_kv_int(f, "pairs", p->d.n, 1);
        rx_json_kv_num(f, "diff", p->d.mean, 1);
        rx_json_kv_num(f, "se", p->d.se, 1);
        rx_json_kv_num(f, "lo", p->d.lo, 1);
        rx_json_kv_num(f, "hi", p->d.hi, 1);
        rx_json_kv_int(f, "beyond_noise", p->beyond, 1);
        rx_json_kv_int(f, "unmatched_seeds", p->unmatched, 0);
        fputc('}', f);
    }
    fputc(']', f);
    if (r->n_boot > 0) {
        fputc(',', f);
        rx_json_key(f, "average_rank_ci");
        fputc('{', f);
        for (int o = 0; o < nO; o++) {
            rx_json_key(f, r->optimizers[o]);
            fputc('{', f);
            for (int i = 0; i < nR; i++) {
                rx_json_key(f, r->ranked[i]);
                fputc('[', f);
                for (int b = 0; b < nB; b++) {
                    if (b)
                        fputc(',', f);
                    json_pair_array(f, &r->avg_rank_ci[2 * (((size_t)o * nB + b) * nR + i)]);
                }
                fprintf(f, "]%s", i + 1 < nR ? "," : "");
            }
            fprintf(f, "}%s", o + 1 < nO ? "," : "");
        }
        fputs("},", f);
        rx_json_key(f, "top_k_ci");
        fputc('{', f);
        for (int i = 0; i < nR; i++) {
            rx_json_key(f, r->ranked[i]);
            fputc('{', f);
            for (int sp = 0; sp < RX_N_SPLIT; sp++) {
                rx_json_key(f, split[sp]);
                fputs("{\"top1_rate\":", f);
                json_pair_array(f, &r->top_ci[(((size_t)i * RX_N_SPLIT + sp) * 2 + 0) * 2]);
                fputs(",\"top3_rate\":", f);
                json_pair_array(f, &r->top_ci[(((size_t)i * RX_N_SPLIT + sp) * 2 + 1) * 2]);
                fprintf(f, "}%s", sp + 1 < RX_N_SPLIT ? "," : "");
            }
            fprintf(f, "}%s", i + 1 < nR ? "," : "");
        }
        fputc('}', f);
    }
    fputc('}', f);
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
    rx_json_key(f, "tuned_keys");
    rx_json_str_array(f, r->tune_keys[0], sizeof r->tune_keys[0], r->n_tune);
    fputc(',', f);
    rx_json_kv_num(f, "low_budget_below", r->low_cut, 1);
    json_lines(f, "notes", r, notes_lines);
    fputc(',', f);
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
    fputs("},", f);
    rx_json_key(f, "statistics");
    json_stats(f, r);
    fputc(',', f);
    json_warnings(f, r);
    fputc(',', f);
    rx_json_key(f, "search");
    rx_report_search_json(f, src ? src->search : NULL);
    fputs("}\n", f);
    return ferror(f) ? RX_EIO : RX_OK;
}

/* ---- entry point (for report_write.c) ---------------------------------- */

int rx_report_write_plain(FILE *f, const rx_report *r, rx_report_format fmt,
                          const rx_report_source *src)
{
    switch (fmt) {
    case RX_FMT_CSV: return write_csv(f, r, src ? src->search : NULL);
    case RX_FMT_JSON: return write_json(f, r, src);
    default: return write_doc(f, r, fmt, src);
    }
}
