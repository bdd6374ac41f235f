/* extension.c: the adaptive lr grid of a stored sweep, for the report's
 * lr-edge warning (cli.h, rx_cli_ext): which lr axis extends, and how far
 * each tuning cell has gone, so that the warning says what to do (make
 * the axis extend, raise its extend, or wait for the sweep). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rx_extend.h"
#include "rx_spec.h"
#include "rx_store.h"

struct rx_cli_ext {
    rx_store *st;              /* the caller's */
    char sweep[256];
    int planned;               /* 1: tried (spec may still be NULL) */
    rx_spec *spec;
    rx_run_ref *runs;
    rx_tune_ref *tune;         /* NULL: no lr axis of the spec extends */
    int n;
    int *by_key;               /* runs' indices sorted by key */
    rx_ext_cells cells;
    rx_report_lr_grid *grid;   /* per cell, once resolved */
    signed char *resolved;     /* per cell: 1 resolved, -1 failed */
};

rx_cli_ext *rx_cli_ext_new(rx_store *st, const char *sweep)
{
    if (!sweep || !*sweep)
        return NULL;
    rx_cli_ext *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->st = st;
    snprintf(x->sweep, sizeof x->sweep, "%s", sweep);
    return x;
}

void rx_cli_ext_free(rx_cli_ext *x)
{
    if (!x)
        return;
    rx_ext_cells_free(&x->cells);
    free(x->grid);
    free(x->resolved);
    free(x->by_key);
    free(x->runs);
    free(x->tune);
    rx_spec_free(x->spec);
    free(x);
}

static const rx_run_ref *sort_runs;

static int cmp_by_key(const void *a, const void *b)
{
    return strcmp(sort_runs[*(const int *)a].key, sort_runs[*(const int *)b].key);
}

/* The stored spec planned, its runs indexed by key and its tuning cells
 * built; on any failure x stays without a spec (every lookup unknown). */
static void plan(rx_cli_ext *x)
{
    rx_err err;
    x->planned = 1;
    x->spec = rx_cli_stored_spec(x->st, x->sweep, 1);
    if (!x->spec)
        return;
    int ok = rx_spec_plan_tune(x->spec, &x->runs, &x->tune, &x->n, &err) == RX_OK &&
             (x->by_key = malloc((size_t)(x->n ? x->n : 1) * sizeof *x->by_key)) &&
             rx_ext_cells_build(x->runs, x->tune, x->n, &x->cells, &err) == RX_OK &&
             (x->grid = calloc((size_t)x->cells.n + 1, sizeof *x->grid)) &&
             (x->resolved = calloc((size_t)x->cells.n + 1, 1));
    if (!ok) {
        rx_spec_free(x->spec);
        x->spec = NULL;
        return;
    }
    for (int i = 0; i < x->n; i++)
        x->by_key[i] = i;
    sort_runs = x->runs;
    qsort(x->by_key, (size_t)x->n, sizeof *x->by_key, cmp_by_key);
    sort_runs = NULL;
}

int rx_cli_ext_lookup(void *ud, const rx_report_run *run, rx_report_lr_grid *out)
{
    rx_cli_ext *x = ud;
    if (!x->planned)
        plan(x);
    if (!x->spec || !run->key[0])
        return 0;
    int lo = 0, hi = x->n - 1, i = -1;
    while (lo <= hi && i < 0) {
        int mid = lo + (hi - lo) / 2, c = strcmp(x->runs[x->by_key[mid]].key, run->key);
        if (c == 0)
            i = x->by_key[mid];
        else if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    if (i < 0)
        return 0;              /* an extension run, or a run of an older spec */
    memset(out, 0, sizeof *out);
    out->verdict = RX_LRV_NONE;
    int c = x->tune && x->tune[i].group ? x->cells.cell_of[i] : -1;
    if (c < 0)
        return 1;              /* its lr axis is a plain list */
    if (!x->resolved[c]) {
        rx_ext_ctx ctx = {&x->spec->grid, x->spec->trainer, x->runs, x->tune, &x->cells};
        rx_ext_state es;
        rx_err err;
        x->resolved[c] = -1;
        if (rx_ext_resolve(x->st, &ctx, c, &es, &err) == RX_OK) {
            x->grid[c] = (rx_report_lr_grid){x->cells.cell[c].extend, es.verdict, es.n_lo,
                                             es.n_hi};
            x->resolved[c] = 1;
            rx_ext_state_free(&es);
        }
    }
    if (x->resolved[c] < 0)
        return 0;
    *out = x->grid[c];
    return 1;
}
