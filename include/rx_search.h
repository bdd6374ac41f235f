/*
 * rx_search.h: budget-aware search over a grid (rexsweep.yaml(5),
 * SEARCH): successive halving or hyperband with the spec's budgets as
 * rungs.
 *
 * A halving sweep is a subset of its grid.  Its candidates are the points
 * of the searched keys (search.over: by default the keys the optimizer
 * entries sweep, such as optimizer.lr, and any sampled key); a group is
 * everything else but the budget and the seed (by default a setting,
 * optimizer and schedule cell, so each schedule is tuned on its own).
 * Every candidate runs at the lowest budget; at each rung, once all of a
 * group's runs there are finished, the best max(1, floor(n / eta)) of its
 * n candidates by the mean validation metric over their seeds (the
 * report's choice rule: a candidate that diverged for any seed is never
 * chosen; ties go to the smaller lr, then to grid order) run at the next
 * budget.  Every run is an ordinary run of the grid (same key), so a grid
 * sweep over the same points reuses them and they reuse it.  Promotions are
 * a pure function of the stored results: an interrupted search continues
 * where it stopped, on any machine, with the same choices.
 *
 * Hyperband (Li et al. 2018) runs R brackets over R rungs: bracket s =
 * R-1 .. 0 is a successive halving that starts at rung R-1-s with
 * ceil(R eta^s / (s+1)) candidates of each group (at most the group's),
 * the next consecutive slice of the group's candidates in grid order
 * (wrapping around), so the brackets are a pure function of the spec.
 * A candidate that two brackets run at one rung is one set of runs.
 *
 * Ownership: rx_search_new allocates a search that borrows spec and runs
 * (they must outlive it); rx_search_free frees it.
 */
#ifndef RX_SEARCH_H
#define RX_SEARCH_H

#include "rx_common.h"
#include "rx_job.h"
#include "rx_report.h"
#include "rx_spec.h"
#include "rx_store.h"

typedef struct rx_search rx_search;

/* One candidate of one group at one rung, as the promotion sees it. */
typedef struct rx_search_cand {
    double score;     /* mean validation metric over its done seeds, display
                         units; NaN: none */
    int eligible;     /* finished, has a score, no seed diverged */
    double lr;        /* ties: the smaller lr first (the report's rule) */
    int first;        /* then grid order: its first run's grid index */
    int promoted;     /* OUT: 1 when it runs at the next rung */
} rx_search_cand;

/* Promotes the best max(1, floor(n / eta)) eligible candidates of c[0..n)
 * by score under metric m (better first; scores equal within
 * rx_metric_cmp's tolerance go by lr, then by first).  Ineligible ones
 * are never promoted, so fewer may be.  Sets c[i].promoted; returns how
 * many. */
int rx_search_promote(const rx_metric *m, rx_search_cand *c, int n, int eta);

/* The keys a report of spec's runs tunes with the lr (rexsweep-report(1),
 * SEARCH SWEEPS): a search's searched keys, or a grid's sampled keys, but
 * the lr itself (always tuned), into keys (room for max; borrowed from
 * spec).  Their values are a cell's candidates, not optimizers (or
 * schedules) of their own.  Returns how many (0 when the search's keys
 * are in error: rx_search_new says why). */
int rx_search_tuned_keys(const rx_spec *spec, const char **keys, int max);

/* Builds the search of spec (a halving spec: spec->search.strategy) over
 * runs[0..n), as rx_spec_plan lists them: each run's rung (the rank of its
 * budget among the grid's budgets), group and candidate, from its
 * configuration.  Nothing is promoted yet (rx_search_update).  Errors:
 * RX_EINVAL (a searched key the grid does not sweep, runs without a
 * validation split), RX_ENOMEM. */
int rx_search_new(const rx_spec *spec, const rx_run_ref *runs, int n, rx_search **out,
                  rx_err *err);
void rx_search_free(rx_search *s);

/* Decides every promotion the results in st allow (st may be NULL: no
 * results yet): for each group, rung after rung, as long as every run of
 * the rung's candidates is finished.  Reads every run of the store once. */
int rx_search_update(rx_search *s, rx_store *st, rx_err *err);

/* The number of rungs and the budget of rung k. */
int rx_search_n_rungs(const rx_search *s);
double rx_search_rung_budget(const rx_search *s, int k);

/* The runs of rung k (k < 0: of every rung) that the search runs as far
 * as it is decided: indices into runs, ascending (grid order), into idx
 * (room for n) and their count into *n_idx. */
void rx_search_runs(const rx_search *s, int k, int *idx, int *n_idx);

/* The groups whose candidates at rung k are not decided yet (rung k-1
 * is not finished, or is not decided itself). */
int rx_search_undecided(const rx_search *s, int k);

/* What a rung costs: at most (every group promoting its full share), as
 * decided so far, and in the full grid. */
typedef struct rx_search_rung_info {
    double budget;
    int groups;            /* groups with candidates at this rung */
    int cands_max;         /* candidates at most */
    int cands_now;         /* decided so far (-1 when no group decided) */
    int runs_max, runs_now, runs_grid, runs_done;
    double cost_max, cost_now, cost_grid;  /* epochs (rx_run_ref.epochs) */
} rx_search_rung_info;

/* Of bracket b at rung k (b < 0: of every bracket, a candidate that
 * several run counted once, at most the group's candidates). */
void rx_search_rung_info_of(const rx_search *s, int b, int k, rx_search_rung_info *out);

/* The rung ladder of a group for the report. */
typedef struct rx_search_step {
    int cands;             /* candidates run at this rung (0: not yet) */
    int promoted;          /* of them, run at the next rung; -1: not
                              decided yet, or the last rung */
    int finished;          /* every run of them finished */
    int best;              /* candidate index (rx_search_cand_label) of the
                              best eligible one, -1 none */
    double best_score;     /* its mean validation metric (display units) */
    double best_test;      /* its mean test metric (display units) */
} rx_search_step;

int rx_search_n_groups(const rx_search *s);
/* The label of group g ("sgd / rex", then any other swept key that sets
 * it apart: "adam / cosine hidden=[64]") and of candidate c ("lr=0.1"). */
const char *rx_search_group_label(const rx_search *s, int g);
const char *rx_search_cand_label(const rx_search *s, int c);
/* The eta of the search, its brackets (halving: 1), the first rung of
 * bracket b (halving: 0) and the group of run i (an index into runs). */
int rx_search_eta(const rx_search *s);
int rx_search_n_brackets(const rx_search *s);
int rx_search_bracket_start(const rx_search *s, int b);
int rx_search_run_group(const rx_search *s, int i);
/* Fills steps[0..n_rungs) for group g in bracket b (rungs below the
 * bracket's first have no candidates); returns the winner (the best of
 * the last rung once it is finished) or -1. */
int rx_search_ladder(const rx_search *s, int g, int b, rx_search_step *steps);
/* The metric the search chooses on (resolved by rx_search_update). */
const rx_metric *rx_search_metric(const rx_search *s);

#endif
