/* search_report.c: what plan and report say of a halving sweep (the rungs,
 * their cost against the full grid, each group's rung ladder and winner). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rx_report.h"
#include "rx_search.h"
#include "rx_spec.h"
#include "rx_store.h"

void rx_cli_search_plan(FILE *f, const rx_spec *spec, rx_search *hs)
{
    int R = rx_search_n_rungs(hs);
    double max_cost = 0, now_cost = 0, grid_cost = 0;
    int max_runs = 0, now_runs = 0, grid_runs = 0;
    fprintf(f, "\nsearch: successive halving over %d rungs, eta %d, %d group%s (chosen on %s)\n",
            R, spec->search.eta, rx_search_n_groups(hs), rx_search_n_groups(hs) == 1 ? "" : "s",
            rx_search_metric(hs)->val_label[0] ? rx_search_metric(hs)->val_label
                                               : rx_search_metric(hs)->label);
    fprintf(f, "%-5s  %-7s  %-10s  %-14s  %-14s  %-8s  %-12s\n", "rung", "budget", "candidates",
            "runs (at most)", "epochs (most)", "decided", "grid runs");
    for (int k = 0; k < R; k++) {
        rx_search_rung_info ri;
        rx_search_rung_info_of(hs, k, &ri);
        char budget[32], cands[32], decided[32];
        snprintf(budget, sizeof budget, "%.6g%%", 100 * ri.budget);
        snprintf(cands, sizeof cands, "%d", ri.cands_max);
        if (ri.cands_now >= 0)
            snprintf(decided, sizeof decided, "%d run%s", ri.runs_now, ri.runs_now == 1 ? "" : "s");
        else
            snprintf(decided, sizeof decided, "-");
        fprintf(f, "%-5d  %-7s  %-10s  %-14d  %-14.6g  %-8s  %-12d\n", k, budget, cands,
                ri.runs_max, ri.cost_max, decided, ri.runs_grid);
        max_runs += ri.runs_max;
        max_cost += ri.cost_max;
        now_runs += ri.runs_now;
        now_cost += ri.cost_now;
        grid_runs += ri.runs_grid;
        grid_cost += ri.cost_grid;
    }
    fprintf(f,
            "halving: at most %d runs and %.6g epochs (expected the same: fewer only when "
            "candidates diverge or fail), %.1f%% of the full grid's %d runs and %.6g epochs; "
            "decided so far: %d runs, %.6g epochs\n",
            max_runs, max_cost, grid_cost > 0 ? 100 * max_cost / grid_cost : 0, grid_runs,
            grid_cost, now_runs, now_cost);
}

/* A halving spec as stored with its sweep, with the run's --set
 * overrides (stored as "# --set KEY=VALUE" lines) applied; NULL when the
 * sweep is a grid or its spec cannot be read back. */
static rx_spec *stored_spec(rx_store *st, const char *sweep)
{
    char *text = NULL;
    rx_err err;
    if (rx_store_sweep_spec(st, sweep, &text, &err))
        return NULL;
    rx_spec *spec = NULL;
    char path[160];
    snprintf(path, sizeof path, "%s.yaml", sweep);
    if (rx_spec_parse(text, strlen(text), path, &spec, &err) == RX_OK &&
        spec->search.strategy == RX_STRATEGY_HALVING) {
        for (char *line = strstr(text, "\n# --set "); line && spec;
             line = strstr(line + 1, "\n# --set ")) {
            char set[1024];
            size_t len = strcspn(line + 9, "\n");
            snprintf(set, sizeof set, "%.*s", (int)len, line + 9);
            if (rx_spec_override(spec, set, &err) != RX_OK) {
                rx_spec_free(spec);
                spec = NULL;
            }
        }
    } else {
        rx_spec_free(spec);
        spec = NULL;
    }
    free(text);
    return spec;
}

int rx_cli_search_report(FILE *f, rx_store *st, const char *sweep, int markdown, rx_err *err)
{
    if (!sweep || !*sweep)
        return RX_OK;
    rx_spec *spec = stored_spec(st, sweep);
    if (!spec)
        return RX_OK;
    rx_run_ref *runs = NULL;
    rx_search *hs = NULL;
    int n = 0;
    int rc = rx_spec_plan(spec, &runs, &n, err);
    if (rc == RX_OK)
        rc = rx_search_new(spec, runs, n, &hs, err);
    if (rc == RX_OK)
        rc = rx_search_update(hs, st, err);
    if (rc) {
        /* advice only: the tables above stand without it */
        fprintf(f, "\n%snote: the halving ladder cannot be shown: %s\n", markdown ? "- " : "",
                err->msg);
        rx_search_free(hs);
        free(runs);
        rx_spec_free(spec);
        return RX_OK;
    }
    int R = rx_search_n_rungs(hs);
    const rx_metric *m = rx_search_metric(hs);
    fprintf(f, "\n%sSuccessive halving: eta %d, rungs", markdown ? "## " : "", spec->search.eta);
    for (int k = 0; k < R; k++)
        fprintf(f, "%s %.6g%%", k ? "," : "", 100 * rx_search_rung_budget(hs, k));
    fprintf(f, "; candidates chosen on the %s, the winner's %s\n\n",
            m->val_label[0] ? m->val_label : m->label, m->label);
    rx_search_step *steps = calloc((size_t)R, sizeof *steps);
    if (!steps) {
        rx_search_free(hs);
        free(runs);
        rx_spec_free(spec);
        return rx_errf(err, RX_ENOMEM, "out of memory");
    }
    for (int g = 0; g < rx_search_n_groups(hs); g++) {
        int w = rx_search_ladder(hs, g, steps);
        const char *label = rx_search_group_label(hs, g);
        fprintf(f, "%s%s:", markdown ? "- " : "", label[0] ? label : "(no run yet)");
        for (int k = 0; k < R && steps[k].cands > 0; k++) {
            char v[32];
            rx_metric_format(m, steps[k].best_score, v, sizeof v);
            fprintf(f, "%s %d at %.6g%%", k ? " ->" : "", steps[k].cands,
                    100 * rx_search_rung_budget(hs, k));
            if (steps[k].best >= 0)
                fprintf(f, " (best %s: %s)", rx_search_cand_label(hs, steps[k].best), v);
            if (!steps[k].finished)
                fprintf(f, " (unfinished)");
        }
        if (w >= 0) {
            char t[32];
            rx_metric_format(m, steps[R - 1].best_test, t, sizeof t);
            fprintf(f, "; winner %s, %s %s\n", rx_search_cand_label(hs, w), m->label, t);
        } else {
            int last = 0;
            while (last + 1 < R && steps[last + 1].cands > 0)
                last++;
            if (steps[last].finished && steps[last].best < 0)
                fprintf(f, "; stopped at %.6g%%: no candidate finished there without "
                           "diverging\n", 100 * rx_search_rung_budget(hs, last));
            else
                fprintf(f, "; no winner yet\n");
        }
    }
    free(steps);
    rx_search_free(hs);
    free(runs);
    rx_spec_free(spec);
    return RX_OK;
}
