/* tune.c: the keys a report tunes like the lr (rexsweep-report(1),
 * --tune): the stored spec's `tune:` and the command line's, checked, and
 * the runs labelled with them. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rx_keys.h"
#include "rx_results.h"
#include "rx_search.h"
#include "rx_spec.h"
#include "rx_store.h"

static int is_key(const rx_cli_tune *t, const char *key)
{
    for (int q = 0; q < t->n; q++)
        if (strcmp(t->key[q], key) == 0)
            return 1;
    return 0;
}

/* Adds key to t once; RX_EINVAL when it cannot be tuned or there are too
 * many. */
static int add_key(rx_cli_tune *t, const char *key, rx_err *err)
{
    if (is_key(t, key))
        return RX_OK;
    int rc = rx_key_tunable(key, err);
    if (rc)
        return rc;
    if (t->n == RX_REPORT_TUNE_MAX)
        return rx_errf(err, RX_EINVAL, "at most %d keys can be tuned besides the lr ('%s' is "
                       "one more)", RX_REPORT_TUNE_MAX, key);
    if (strlen(key) >= sizeof t->key[0])
        return rx_errf(err, RX_EINVAL, "key '%.40s...' is too long", key);
    snprintf(t->key[t->n], sizeof t->key[0], "%s", key);
    t->v[t->n] = t->key[t->n];
    t->n++;
    t->v[t->n] = NULL;
    return RX_OK;
}

int rx_cli_tune_collect(rx_store *st, const char *sweep, const char *const *cli, int n_cli,
                        int no_spec, rx_cli_tune *out, rx_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = RX_OK;
    if (!no_spec && sweep[0]) {
        /* the sweep's spec as stored by its latest run: the sweep read */
        char *text = NULL;
        rc = rx_store_sweep_spec(st, sweep, &text, err);
        if (rc == RX_ENOTFOUND)
            rc = RX_OK;      /* no such sweep: no spec to take keys from */
        rx_spec *spec = NULL;
        if (rc == RX_OK && text) {
            char where[192];
            snprintf(where, sizeof where, "the stored spec of sweep '%s'", sweep);
            rx_err e = {{0}};
            if (rx_spec_parse_tune(text, strlen(text), where, &spec, &e) == RX_OK) {
                for (int q = 0; q < spec->n_tune && rc == RX_OK; q++)
                    rc = add_key(out, spec->tune[q], err);
                out->from_spec = out->n;
            } else {
                /* advice lost, results intact: say so and go on */
                snprintf(out->note, sizeof out->note, "%.400s; its tune: keys are not used",
                         e.msg);
            }
            rx_spec_free(spec);
            /* a search's keys and sampled keys: a cell's candidates with
             * the lr, not optimizers of their own (the full spec: keys
             * it cannot read leave them to --tune) */
            if (rc == RX_OK && rx_spec_parse(text, strlen(text), where, &spec, &e) == RX_OK) {
                const char *k[RX_SEARCH_MAX_OVER];
                char past[256] = "";
                int n = rx_search_tuned_keys(spec, k, RX_SEARCH_MAX_OVER), n_past = 0;
                for (int q = 0; q < n && rc == RX_OK; q++) {
                    if (rx_key_tunable(k[q], &e) != RX_OK)
                        continue;
                    if (out->n < RX_REPORT_TUNE_MAX)
                        rc = add_key(out, k[q], err);
                    else if (!is_key(out, k[q]) && n_past++ < 4)
                        snprintf(past + strlen(past), sizeof past - strlen(past), "%s%s",
                                 n_past > 1 ? ", " : "", k[q]);
                }
                /* past the limit, a key's values would split its cells
                 * into optimizers of their own: say so */
                if (n_past && !out->note[0])
                    snprintf(out->note, sizeof out->note,
                             "sweep '%.100s' samples or searches %d more key%s than the %d a "
                             "report tunes besides the lr (%.150s%s): each value of %s is "
                             "compared as an optimizer of its own; sample fewer keys",
                             sweep, n_past, n_past > 1 ? "s" : "", RX_REPORT_TUNE_MAX, past,
                             n_past > 4 ? ", ..." : "", n_past > 1 ? "them" : "it");
                out->from_spec = out->n;
                rx_spec_free(spec);
            }
        }
        free(text);
    }
    for (int q = 0; q < n_cli && rc == RX_OK; q++)
        rc = add_key(out, cli[q], err);
    return rc;
}

int rx_cli_tune_keys(rx_store *st, rx_results *res, const char *const *cli, int n_cli,
                     int no_spec, rx_cli_tune *out, rx_err *err)
{
    int rc = rx_cli_tune_collect(st, res->sweep, cli, n_cli, no_spec, out, err);
    if (rc == RX_OK && out->n)
        rc = rx_results_label_tuned(res, 1, out->v, err);
    return rc;
}
