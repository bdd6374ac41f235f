/* warnings.c: the protocol warnings of a sweep (rexsweep-report(1),
 * WARNINGS) for the commands that print no report: run's summary and
 * check.  They advise, so a store that cannot be read for them is
 * passed over in silence: the command's own reading reports its errors.
 * The runs are read a cell group at a time (rx_results_stream into
 * rx_report_acc), so that a sweep of 10^6 runs is not held whole. */
#include <stdlib.h>

#include "cli.h"
#include "rx_report.h"
#include "rx_results.h"

static int add_batch(void *ud, const rx_report_run *runs, const rx_report_fact *facts, int n,
                     rx_err *err)
{
    return rx_report_acc_add(ud, runs, facts, n, err);
}

/* The report whose warnings are printed, built a batch at a time: as
 * rx_report_build over rx_results_load_metric's runs, labelled with the
 * stored spec's tune: keys (rx_cli_tune_keys) and their facts.
 * RX_ECONFLICT when a cell's runs came in two batches (columns that
 * disagree with the configurations: a store edited by hand). */
static int streamed(rx_store *st, const char *sweep, rx_report **rep, rx_err *err)
{
    rx_results_stream *rs = NULL;
    int rc = rx_results_stream_open(st, sweep, NULL, &rs, err);
    if (rc)
        return rc;
    rx_cli_tune tk;            /* the spec's tune: keys, as report reads them */
    rc = rx_cli_tune_collect(st, rx_results_stream_sweep(rs), NULL, 0, 0, &tk, err);
    rx_report_opts ro = {.metric = rx_results_stream_metric(rs, NULL), .bootstrap = -1,
                         .tune = tk.n ? tk.v : NULL};
    rx_cli_ext *ext = rc == RX_OK ? rx_cli_ext_new(st, rx_results_stream_sweep(rs)) : NULL;
    if (ext)
        ro.lr_grid = rx_cli_ext_lookup, ro.lr_grid_ud = ext;
    rx_report_acc *acc = NULL;
    if (rc == RX_OK)
        rc = rx_report_acc_new(&ro, &acc, err);
    if (rc == RX_OK)
        rc = rx_results_stream_each(rs, ro.tune, add_batch, acc, err);
    if (rc == RX_OK)
        rc = rx_report_acc_finish(acc, rep, err);   /* frees acc */
    else
        rx_report_acc_free(acc);
    rx_cli_ext_free(ext);
    rx_results_stream_free(rs);
    return rc;
}

/* The same report from every run held at once: the way the report
 * command reads, for a store the stream cannot cut into cells. */
static int whole(rx_store *st, const char *sweep, rx_report **rep, rx_err *err)
{
    rx_metric m;
    rx_results res;
    int rc = rx_results_load_metric(st, sweep, NULL, &m, NULL, &res, err);
    if (rc)
        return rc;
    rx_report_fact *facts = calloc((size_t)(res.n ? res.n : 1), sizeof *facts);
    rx_cli_tune tk;
    rc = facts ? RX_OK : RX_ENOMEM;
    if (rc == RX_OK)
        rc = rx_cli_tune_keys(st, &res, NULL, 0, 0, &tk, err);
    if (rc == RX_OK)
        rc = rx_results_facts(st, &res, facts, err);
    if (rc == RX_OK) {
        rx_report_opts ro = {.metric = &m, .bootstrap = -1, .facts = facts,
                             .tune = tk.n ? tk.v : NULL};
        rx_cli_ext *ext = rx_cli_ext_new(st, res.sweep);
        if (ext)
            ro.lr_grid = rx_cli_ext_lookup, ro.lr_grid_ud = ext;
        rc = rx_report_build(res.runs, res.n, &ro, rep, err);
        rx_cli_ext_free(ext);
    }
    free(facts);
    rx_results_free(&res);
    return rc;
}

int rx_cli_warnings(const char *db, const char *sweep, FILE *f, int markdown, int writable)
{
    rx_store *st = NULL;
    rx_err err = {{0}};
    if (rx_store_open(db, writable ? 0 : RX_STORE_READONLY, &st, &err))
        return 0;
    rx_report *rep = NULL;
    int count = 0, rc = streamed(st, sweep, &rep, &err);
    if (rc == RX_ECONFLICT)
        rc = whole(st, sweep, &rep, &err);
    if (rc == RX_OK) {
        /* a grid still extending is news, not a warning */
        for (int i = 0; i < rep->n_warnings; i++)
            fprintf(f, "%s%s: %s\n", markdown ? "- " : "",
                    rep->warnings[i].kind == RX_WARN_LR_EXTENDING ? "note" : "warning",
                    rep->warnings[i].text);
        count = rep->n_warnings;
    }
    rx_report_free(rep);
    rx_store_close(st);
    return count;
}
