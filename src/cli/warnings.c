/* warnings.c: the protocol warnings of a sweep (rexsweep-report(1),
 * WARNINGS) for the commands that print no report: run's summary and
 * check.  They advise, so a store that cannot be read for them is
 * passed over in silence: the command's own reading reports its errors. */
#include <stdlib.h>

#include "cli.h"
#include "rx_report.h"
#include "rx_results.h"

int rx_cli_warnings(const char *db, const char *sweep, FILE *f, int markdown, int writable)
{
    rx_store *st = NULL;
    rx_err err = {{0}};
    if (rx_store_open(db, writable ? 0 : RX_STORE_READONLY, &st, &err))
        return 0;
    rx_metric m;
    rx_results res;
    int count = 0;
    if (rx_results_load_metric(st, sweep, NULL, &m, NULL, &res, &err)) {
        rx_store_close(st);
        return 0;
    }
    rx_report_fact *facts = calloc((size_t)(res.n ? res.n : 1), sizeof *facts);
    rx_report *rep = NULL;
    rx_cli_tune tk;            /* the spec's tune: keys, as report reads them */
    if (facts && rx_cli_tune_keys(st, &res, NULL, 0, 0, &tk, &err) == RX_OK &&
        rx_results_facts(st, &res, facts, &err) == RX_OK) {
        rx_report_opts ro = {.metric = &m, .bootstrap = -1, .facts = facts,
                             .tune = tk.n ? tk.v : NULL};
        rx_cli_ext *ext = rx_cli_ext_new(st, res.sweep);
        if (ext)
            ro.lr_grid = rx_cli_ext_lookup, ro.lr_grid_ud = ext;
        if (rx_report_build(res.runs, res.n, &ro, &rep, &err) == RX_OK) {
            /* a grid still extending is news, not a warning */
            for (int i = 0; i < rep->n_warnings; i++)
                fprintf(f, "%s%s: %s\n", markdown ? "- " : "",
                        rep->warnings[i].kind == RX_WARN_LR_EXTENDING ? "note" : "warning",
                        rep->warnings[i].text);
            count = rep->n_warnings;
        }
        rx_cli_ext_free(ext);
    }
    rx_report_free(rep);
    free(facts);
    rx_results_free(&res);
    rx_store_close(st);
    return count;
}
