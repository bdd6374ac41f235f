/* cmd_check.c: `rexsweep check`: the CI regression gate. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "rx_check.h"
#include "rx_results.h"

static const char usage_text[] =
    "usage: rexsweep check --baseline BASE.db [--db NEW.db] [--sweep NAME] [--metric M]\n"
    "                      [--abs X] [--rel Y] [--sigma K] [--junit FILE]\n"
    "                      [--format text|markdown|json]\n\n"
    "Compares every grid cell of a store with a baseline store.  Exit status: 0 no\n"
    "regression, 1 regression, 2 usage, 3 runs missing or not comparable.";

/* Loads one side.  A store without the sweep counts as empty (all its
 * cells then show as missing); a missing file is exit 3. */
static int load_side(const char *what, const char *path, const char *sweep, const char *metric,
                     rx_metric *m, rx_results *out)
{
    memset(out, 0, sizeof *out);
    rx_err perr = {{0}};
    if (rx_store_check_path(path, RX_STORE_READONLY, &perr) == RX_EINVAL) {
        rx_cli_error("%s store: %s", what, perr.msg);
        return RX_EINVAL;
    }
    if (access(path, F_OK) != 0) {
        rx_cli_error("no %s store at '%s': nothing to compare (see rexsweep-check(1) for "
                   "keeping a baseline)", what, path);
        return RX_EMISSING;
    }
    rx_store *st = NULL;
    if (rx_cli_open_store(path, &st))
        return RX_EIO;
    rx_err err = {{0}};
    int rc = rx_results_load_metric(st, sweep, metric, m, NULL, out, &err);
    rx_store_close(st);
    if (rc == RX_ENOTFOUND) {
        rx_cli_error("%s store: %s; counting its runs as missing", what, err.msg);
        memset(out, 0, sizeof *out);
        return RX_OK;
    }
    if (rc) {
        rx_cli_error("%s store: %s", what, err.msg);
        return rc;
    }
    return RX_OK;
}

int cmd_check(int argc, char **argv)
{
    const char *base_path = NULL, *db = "results/rexsweep.db", *sweep = NULL, *metric = NULL;
    const char *junit = NULL, *format = "text";
    double abs_tol = 0, rel_tol = 0, sigma = 0;
    const rx_option opts[] = {
        {"baseline", 0, RX_OPT_STRING, &base_path, "BASE.db", "the baseline store (required)"},
        {"db", 0, RX_OPT_STRING, &db, "NEW.db", "the new store (default results/rexsweep.db)"},
        {"sweep", 0, RX_OPT_STRING, &sweep, "NAME", "compare this sweep (default: the only one, else every run)"},
        {"metric", 0, RX_OPT_STRING, &metric, "M", "error (default), acc, loss, ..., NAME:max as in rexsweep report"},
        {"abs", 0, RX_OPT_DOUBLE, &abs_tol, "X", "allowed worsening in metric units (percentage points for error; default 0)"},
        {"rel", 0, RX_OPT_DOUBLE, &rel_tol, "Y", "allowed worsening as a fraction of the baseline (default 0)"},
        {"sigma", 0, RX_OPT_DOUBLE, &sigma, "K", "also allow K standard deviations of the seeds"},
        {"junit", 0, RX_OPT_STRING, &junit, "FILE", "also write JUnit XML, one testcase per cell"},
        {"format", 0, RX_OPT_STRING, &format, "FMT", "text (default), markdown or json"},
    };
    int done = rx_cli_options_only(argc, argv, opts, (int)(sizeof opts / sizeof opts[0]),
                                   usage_text);
    if (done >= 0)
        return done;
    if (!base_path) {
        rx_cli_error("check needs --baseline BASE.db; see 'rexsweep check --help'");
        return RX_EINVAL;
    }
    int fmt = rx_report_format_parse(format);
    if (fmt != RX_FMT_TEXT && fmt != RX_FMT_MARKDOWN && fmt != RX_FMT_JSON) {
        rx_cli_error("unknown format '%s' (text, markdown or json)", format);
        return RX_EINVAL;
    }
    if (!(abs_tol >= 0) || !(rel_tol >= 0) || !(sigma >= 0) || isinf(abs_tol) ||
        isinf(rel_tol) || isinf(sigma)) {
        rx_cli_error("--abs, --rel and --sigma must be finite and not negative");
        return RX_EINVAL;
    }
    rx_metric m;
    memset(&m, 0, sizeof m);
    rx_err err = {{0}};
    if (metric && rx_metric_resolve(metric, &m, &err)) {
        rx_cli_error("%s", err.msg);
        return RX_EINVAL;
    }

    /* the new store decides the default metric; the baseline follows */
    rx_results sets[2];
    memset(sets, 0, sizeof sets);
    int code = load_side("new", db, sweep, metric, &m, &sets[1]);
    if (!code)
        code = load_side("baseline", base_path, sweep, m.name[0] ? m.name : metric, &m, &sets[0]);
    if (!code && !m.name[0])
        rx_metric_resolve(metric ? metric : "error", &m, NULL);
    rx_check_result res = {0};
    if (!code && rx_results_label(sets, 2, &err)) {
        rx_cli_error("%s", err.msg);
        code = RX_EIO;
    }
    rx_check_opts o = {&m, abs_tol, rel_tol, sigma};
    if (!code && rx_check_compare(sets[0].runs, sets[0].n, sets[1].runs, sets[1].n, &o, &res,
                                  &err)) {
        rx_cli_error("%s", err.msg);
        code = RX_EIO;
    }
    /* the rows are the comparison: the runs go before the warnings read
     * the new store again, so the two never add up */
    char sweep_read[sizeof sets[1].sweep];
    snprintf(sweep_read, sizeof sweep_read, "%s", sets[1].sweep);
    rx_results_free(&sets[0]);
    rx_results_free(&sets[1]);
    if (code)
        goto done;
    rx_check_source src = {base_path, db, sweep ? sweep : sweep_read[0] ? sweep_read : NULL};
    if (rx_check_write(stdout, &res, &o, (rx_report_format)fmt, &src, &err) || fflush(stdout)) {
        rx_cli_error("%s", err.msg[0] ? err.msg : "cannot write the comparison");
        code = RX_EIO;
        goto done;
    }
    /* the new store's protocol warnings: in the document for text and
     * markdown, on standard error for the machine formats */
    {
        int doc = fmt == RX_FMT_TEXT || fmt == RX_FMT_MARKDOWN;
        const char *sw = sweep ? sweep : sweep_read[0] ? sweep_read : NULL;
        if (doc)
            fprintf(stdout, fmt == RX_FMT_MARKDOWN ? "\n## protocol warnings (new store)\n\n"
                                                   : "\n== protocol warnings (new store) ==\n");
        if (!rx_cli_warnings(db, sw, doc ? stdout : stderr, fmt == RX_FMT_MARKDOWN, 0) && doc)
            fputs("none\n", stdout);
        fflush(stdout);
    }
    if (junit) {
        FILE *f = fopen(junit, "w");
        int rc = f ? rx_check_write_junit(f, &res, &o, &src, &err) : RX_EIO;
        if (f && fclose(f) && !rc)
            rc = RX_EIO;
        if (rc) {
            rx_cli_error("cannot write the JUnit file '%s'", junit);
            code = RX_EIO;
            goto done;
        }
    }
    code = rx_check_status(&res);
done:
    rx_check_free(&res);
    rx_results_free(&sets[0]);
    rx_results_free(&sets[1]);
    return code;
}
