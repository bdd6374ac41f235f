/* search_report.c: what plan and report say of a halving sweep (the rungs,
 * their cost against the full grid, each group's rung ladder and winner). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rx_report.h"
#include "rx_results.h"
#include "rx_search.h"
#include "rx_spec.h"
#include "rx_store.h"

/* The rows of bracket b's rungs (b < 0: every bracket together) from
 * rung k0, and their sums into *sum (runs_max, cost_max, runs_now,
 * cost_now, runs_grid, cost_grid). */
static void rung_rows(FILE *f, rx_search *hs, int b, int k0, rx_search_rung_info *sum)
{
    fprintf(f, "%-5s  %-7s  %-10s  %-14s  %-14s  %-8s  %-12s\n", "rung", "budget", "candidates",
            "runs (at most)", "epochs (most)", "decided", "grid runs");
    memset(sum, 0, sizeof *sum);
    for (int k = k0; k < rx_search_n_rungs(hs); k++) {
        rx_search_rung_info ri;
        rx_search_rung_info_of(hs, b, k, &ri);
        char budget[32], cands[32], decided[32];
        snprintf(budget, sizeof budget, "%.6g%%", 100 * ri.budget);
        snprintf(cands, sizeof cands, "%d", ri.cands_max);
        if (ri.cands_now >= 0)
            snprintf(decided, sizeof decided, "%d run%s", ri.runs_now, ri.runs_now == 1 ? "" : "s");
        else
            snprintf(decided, sizeof decided, "-");
        fprintf(f, "%-5d  %-7s  %-10s  %-14d  %-14.6g  %-8s  %-12d\n", k, budget, cands,
                ri.runs_max, ri.cost_max, decided, ri.runs_grid);
        sum->runs_max += ri.runs_max;
        sum->cost_max += ri.cost_max;
        sum->runs_now += ri.runs_now;
        sum->cost_now += ri.cost_now;
        sum->runs_grid += ri.runs_grid;
        sum->cost_grid += ri.cost_grid;
    }
}

void rx_cli_search_plan(FILE *f, const rx_spec *spec, rx_search *hs)
{
    int R = rx_search_n_rungs(hs), B = rx_search_n_brackets(hs);
    int hyper = spec->search.strategy == RX_STRATEGY_HYPERBAND;
    const rx_metric *m = rx_search_metric(hs);
    rx_search_rung_info t;
    if (!hyper) {
        fprintf(f, "\nsearch: successive halving over %d rungs, eta %d, %d group%s (chosen on %s)\n",
                R, spec->search.eta, rx_search_n_groups(hs), rx_search_n_groups(hs) == 1 ? "" : "s",
                m->val_label[0] ? m->val_label : m->label);
        rung_rows(f, hs, -1, 0, &t);
    } else {
        fprintf(f, "\nsearch: hyperband over %d rungs, eta %d, %d brackets, %d group%s (chosen on "
                   "%s)\n",
                R, spec->search.eta, B, rx_search_n_groups(hs),
                rx_search_n_groups(hs) == 1 ? "" : "s", m->val_label[0] ? m->val_label : m->label);
        for (int b = 0; b < B; b++) {
            int k0 = rx_search_bracket_start(hs, b);
            rx_search_rung_info bt;
            fprintf(f, "bracket %d (from %.6g%%):\n", R - 1 - k0, 100 * rx_search_rung_budget(hs, k0));
            rung_rows(f, hs, b, k0, &bt);
            fprintf(f, "bracket %d: at most %d runs and %.6g epochs\n", R - 1 - k0, bt.runs_max,
                    bt.cost_max);
        }
        fprintf(f, "all brackets (a candidate that two brackets run at one budget trains once):\n");
        rung_rows(f, hs, -1, 0, &t);
    }
    fprintf(f,
            "%s: at most %d runs and %.6g epochs (expected the same: fewer only when "
            "candidates diverge or fail), %.1f%% of the full grid's %d runs and %.6g epochs; "
            "decided so far: %d runs, %.6g epochs\n",
            hyper ? "hyperband" : "halving", t.runs_max, t.cost_max,
            t.cost_grid > 0 ? 100 * t.cost_max / t.cost_grid : 0, t.runs_grid, t.cost_grid,
            t.runs_now, t.cost_now);
}

rx_spec *rx_cli_stored_spec(rx_store *st, const char *sweep, int grids)
{
    char *text = NULL;
    rx_err err;
    if (rx_store_sweep_spec(st, sweep, &text, &err))
        return NULL;
    rx_spec *spec = NULL;
    char path[160];
    snprintf(path, sizeof path, "%s.yaml", sweep);
    if (rx_spec_parse(text, strlen(text), path, &spec, &err) == RX_OK &&
        (grids || spec->search.strategy != RX_STRATEGY_GRID)) {
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

typedef struct key_ix {
    const char *key;
    int i;
} key_ix;

static int cmp_key_ix(const void *a, const void *b)
{
    return strcmp(((const key_ix *)a)->key, ((const key_ix *)b)->key);
}

/* Names each ladder's group with the report's labels of a stored run of
 * it (res's runs, looked up by key among the search's). */
static int join_labels(rx_report_search *rs, rx_search *hs, const rx_run_ref *runs, int n,
                       const rx_results *res)
{
    key_ix *ix = malloc((size_t)(n ? n : 1) * sizeof *ix);
    if (!ix)
        return RX_ENOMEM;
    for (int i = 0; i < n; i++)
        ix[i] = (key_ix){runs[i].key, i};
    qsort(ix, (size_t)n, sizeof *ix, cmp_key_ix);
    for (int j = 0; res && j < res->n; j++) {
        key_ix want = {res->runs[j].key, 0};
        const key_ix *hit = bsearch(&want, ix, (size_t)n, sizeof *ix, cmp_key_ix);
        if (!hit)
            continue;
        int g = rx_search_run_group(hs, hit->i);
        for (int l = rs->group_first[g]; l < rs->group_first[g + 1]; l++) {
            rx_report_ladder *ld = &rs->ladders[l];
            if (ld->optimizer[0])
                continue;
            const rx_report_run *r = &res->runs[j];
            memcpy(ld->setting, r->setting, sizeof ld->setting);
            memcpy(ld->optimizer, r->optimizer, sizeof ld->optimizer);
            memcpy(ld->schedule, r->schedule, sizeof ld->schedule);
        }
    }
    free(ix);
    return RX_OK;
}

/* Fills rs from search hs (updated): one ladder per group and bracket. */
static int fill_ladders(rx_report_search *rs, rx_search *hs)
{
    int R = rx_search_n_rungs(hs), G = rx_search_n_groups(hs), B = rx_search_n_brackets(hs);
    rs->n_groups = G;
    rs->n_ladders = G * B;
    size_t nl = (size_t)G * (size_t)B, nr = nl * (size_t)R;
    rs->ladders = calloc(nl ? nl : 1, sizeof *rs->ladders);
    rs->group_first = calloc((size_t)G + 1, sizeof *rs->group_first);
    rs->winner = calloc((size_t)(G ? G : 1), sizeof *rs->winner);
    rx_report_rung *rungs = calloc(nr ? nr : 1, sizeof *rungs);
    rx_search_step *steps = calloc((size_t)(R ? R : 1), sizeof *steps);
    if (!rs->ladders || !rs->group_first || !rs->winner || !rungs || !steps) {
        free(rungs);
        free(steps);
        return RX_ENOMEM;
    }
    const rx_metric *m = rs->metric;
    for (int g = 0; g < G; g++) {
        rs->group_first[g + 1] = (g + 1) * B;
        rs->winner[g] = -1;
        for (int b = 0; b < B; b++) {
            rx_report_ladder *l = &rs->ladders[g * B + b];
            int k0 = rx_search_bracket_start(hs, b);
            int w = rx_search_ladder(hs, g, b, steps);
            snprintf(l->group, sizeof l->group, "%s", rx_search_group_label(hs, g));
            l->bracket = R - 1 - k0;
            l->n_rungs = R - k0;
            l->rungs = rungs + (size_t)(g * B + b) * (size_t)R;
            l->winner_val = l->winner_test = NAN;
            int last = -1;
            for (int k = k0; k < R; k++) {
                rx_report_rung *u = &l->rungs[k - k0];
                const rx_search_step *st = &steps[k];
                u->budget = rx_search_rung_budget(hs, k);
                u->candidates = st->cands;
                u->promoted = st->promoted;
                u->finished = st->finished;
                u->best_val = st->best >= 0 ? st->best_score : NAN;
                u->best_test = st->best >= 0 ? st->best_test : NAN;
                if (st->best >= 0)
                    snprintf(u->best, sizeof u->best, "%s", rx_search_cand_label(hs, st->best));
                if (st->cands > 0)
                    last = k;
            }
            if (w >= 0) {
                snprintf(l->winner, sizeof l->winner, "%s", rx_search_cand_label(hs, w));
                l->winner_val = steps[R - 1].best_score;
                l->winner_test = steps[R - 1].best_test;
                int cur = rs->winner[g];
                if (cur < 0 || rx_metric_cmp(m, l->winner_val, rs->ladders[cur].winner_val) > 0)
                    rs->winner[g] = g * B + b;
            } else if (last >= 0 && steps[last].finished && steps[last].best < 0) {
                l->stopped_at = rx_search_rung_budget(hs, last);
            }
        }
        /* the overall winner waits for every bracket's last rung */
        for (int b = 0; b < B && rs->winner[g] >= 0; b++) {
            const rx_report_ladder *l = &rs->ladders[g * B + b];
            if (!l->winner[0] && !(l->stopped_at > 0))
                rs->winner[g] = -1;
        }
    }
    free(steps);
    return RX_OK;
}

void rx_cli_search_free(rx_report_search *rs)
{
    if (!rs)
        return;
    if (rs->ladders)
        free(rs->ladders[0].rungs);
    free(rs->ladders);
    free(rs->group_first);
    free(rs->winner);
    free((void *)rs->budgets);
    free((void *)rs->metric);
    free(rs);
}

int rx_cli_search_load(rx_store *st, const rx_results *res, const char *sweep,
                       rx_report_search **out, char *note, size_t note_size)
{
    *out = NULL;
    note[0] = '\0';
    if (!sweep || !*sweep)
        return RX_OK;
    rx_spec *spec = rx_cli_stored_spec(st, sweep, 0);
    if (!spec)
        return RX_OK;
    rx_run_ref *runs = NULL;
    rx_search *hs = NULL;
    rx_err err = {{0}};
    int n = 0;
    int rc = rx_spec_plan(spec, &runs, &n, &err);
    if (rc == RX_OK)
        rc = rx_search_new(spec, runs, n, &hs, &err);
    if (rc == RX_OK)
        rc = rx_search_update(hs, st, &err);
    rx_report_search *rs = NULL;
    if (rc == RX_OK) {
        int R = rx_search_n_rungs(hs);
        rs = calloc(1, sizeof *rs);
        double *budgets = calloc((size_t)(R ? R : 1), sizeof *budgets);
        rx_metric *m = malloc(sizeof *m);
        if (rs) {
            rs->budgets = budgets;
            rs->metric = m;
        }
        if (!rs || !budgets || !m) {
            rc = rx_errf(&err, RX_ENOMEM, "out of memory");
        } else {
            *m = *rx_search_metric(hs);
            rs->strategy = spec->search.strategy == RX_STRATEGY_HYPERBAND ? "hyperband" : "halving";
            rs->eta = rx_search_eta(hs);
            rs->n_budgets = R;
            for (int k = 0; k < R; k++)
                budgets[k] = rx_search_rung_budget(hs, k);
            if (fill_ladders(rs, hs) || join_labels(rs, hs, runs, n, res))
                rc = rx_errf(&err, RX_ENOMEM, "out of memory");
        }
    }
    if (rc) {
        /* advice only: the tables stand without it */
        snprintf(note, note_size, "the %s ladder cannot be shown: %s",
                 spec->search.strategy == RX_STRATEGY_HYPERBAND ? "hyperband" : "halving",
                 err.msg);
        rx_cli_search_free(rs);
        rs = NULL;
    }
    rx_search_free(hs);
    free(runs);
    rx_spec_free(spec);
    *out = rs;
    return rc == RX_ENOMEM ? RX_ENOMEM : RX_OK;
}
