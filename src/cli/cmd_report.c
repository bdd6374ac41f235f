/* cmd_report.c: `rexsweep report`: cell tables, Top-k and average ranks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opts.h"
#include "rx_report.h"
#include "rx_results.h"
#include "rx_store.h"

static const char usage_text[] =
    "usage: rexsweep report [--db FILE] [--sweep NAME] [--metric M]\n"
    "                       [--format text|markdown|csv|json|html] [-o FILE]\n"
    "                       [--select-on val|test] [--no-merge] [--vs SCHEDULE]\n"
    "                       [--schedules A,B,...] [--bootstrap N] [--min-steps N]\n"
    "                       [--curve-budget B] [--tune KEY]... [--no-tune]\n\n"
    "Summarises a store as the REX paper does: per setting and optimizer a table of\n"
    "schedules x budgets (mean +- std over seeds, the lr tuned on validation), the\n"
    "Top-1/Top-3 rates of each schedule and its average rank per budget; then\n"
    "paired differences against a reference schedule, sign and signed-rank tests,\n"
    "and bootstrap intervals of the ranks and rates.  --tune KEY tunes a key (e.g.\n"
    "schedule.patience) together with the lr, per cell, instead of comparing its\n"
    "values as schedules.";

typedef struct prov_block {
    FILE *f;
    int markdown;
    int n;
} prov_block;

static int prov_line(void *ud, const rx_provenance *p, int n_runs)
{
    prov_block *b = ud;
    char line[1024];
    if (p)
        rx_provenance_format(p, line, sizeof line);
    else
        snprintf(line, sizeof line, "not recorded (finished before rexsweep recorded provenance)");
    if (b->n++ == 0)
        fprintf(b->f, b->markdown ? "\n**Provenance** of the finished runs:\n\n"
                                  : "\n== provenance of the finished runs ==\n");
    fprintf(b->f, b->markdown ? "- %d run%s: %s\n" : "%5d run%s  %s\n", n_runs,
            n_runs == 1 ? "" : "s", line);
    return 0;
}

int cmd_report(int argc, char **argv)
{
    const char *db = "results/rexsweep.db", *sweep = NULL, *metric = NULL, *format = "text";
    const char *out_path = NULL, *select = "val";
    const char *vs = NULL, *only = NULL, *curve_budget = NULL;
    int no_merge = 0, n_boot = RX_REPORT_BOOTSTRAP, min_steps = RX_REPORT_MIN_STEPS;
    int no_tune = 0;
    rx_opt_list tune = {{0}, 0};
    const rx_option opts[] = {
        {"db", 0, RX_OPT_STRING, &db, "FILE", "results store (default results/rexsweep.db)"},
        {"sweep", 0, RX_OPT_STRING, &sweep, "NAME", "the sweep to report (default: the only one, else every run)"},
        {"metric", 0, RX_OPT_STRING, &metric, "M", "error (default), acc, loss, val_error, val_acc, val_loss, train_loss, train_acc, train_error, or NAME:max|NAME:min (a metric a command trainer reported)"},
        {"format", 0, RX_OPT_STRING, &format, "FMT", "text (default), markdown, csv, json or html"},
        {"output", 'o', RX_OPT_STRING, &out_path, "FILE", "write to FILE instead of standard output"},
        {"select-on", 0, RX_OPT_STRING, &select, "val|test", "choose each cell's lr on validation (default) or, said loudly, on test"},
        {"no-merge", 0, RX_OPT_FLAG, &no_merge, NULL, "rank plateau apart from step (the paper merges them)"},
        {"vs", 0, RX_OPT_STRING, &vs, "SCHEDULE", "the reference of the paired statistics (default: the best average rank)"},
        {"schedules", 0, RX_OPT_STRING, &only, "A,B,...", "rank only these schedules (the tables keep all)"},
        {"bootstrap", 0, RX_OPT_INT, &n_boot, "N", "bootstrap replicates of the rank and Top-k intervals (default 1000, 0 = none)"},
        {"min-steps", 0, RX_OPT_INT, &min_steps, "N", "warn about budgets of fewer optimizer steps (default 50)"},
        {"curve-budget", 0, RX_OPT_STRING, &curve_budget, "B", "the budget of the HTML learning curves, e.g. 50% (default: the largest)"},
        {"tune", 0, RX_OPT_LIST, &tune, "KEY", "tune KEY (e.g. schedule.patience) with the lr per cell, on validation (repeatable; adds to the spec's tune:)"},
        {"no-tune", 0, RX_OPT_FLAG, &no_tune, NULL, "ignore the stored spec's tune: (only --tune keys are tuned)"},
    };
    int code = rx_cli_options_only(argc, argv, opts, (int)(sizeof opts / sizeof opts[0]),
                                   usage_text);
    if (code >= 0)
        return code;
    int fmt = rx_report_format_parse(format);
    if (fmt < 0) {
        rx_cli_error("unknown format '%s' (text, markdown, csv, json or html)", format);
        return RX_EINVAL;
    }
    int on_test = strcmp(select, "test") == 0;
    if (!on_test && strcmp(select, "val") != 0 && strcmp(select, "validation") != 0) {
        rx_cli_error("--select-on must be 'val' or 'test', got '%s'", select);
        return RX_EINVAL;
    }
    if (metric) {
        rx_metric probe;
        rx_err e = {{0}};
        if (rx_metric_resolve(metric, &probe, &e)) {
            rx_cli_error("%s", e.msg);
            return RX_EINVAL;
        }
    }

    if (n_boot < 0 || n_boot > 1000000) {
        rx_cli_error("--bootstrap must be between 0 and 1000000, got %d", n_boot);
        return RX_EINVAL;
    }
    double lc_budget = 0;      /* 0: the largest */
    if (curve_budget) {
        char *end;
        lc_budget = strtod(curve_budget, &end);
        if (*end == '%')
            lc_budget /= 100, end++;
        if (end == curve_budget || *end || !(lc_budget > 0)) {
            rx_cli_error("--curve-budget must be a budget such as 50%% or 0.5, got '%s'", curve_budget);
            return RX_EINVAL;
        }
    }
    if (min_steps < 1) {
        rx_cli_error("--min-steps must be at least 1, got %d", min_steps);
        return RX_EINVAL;
    }
    /* --schedules a,b,c: a NULL-terminated list of names */
    char only_buf[1024];
    const char *only_v[65];
    int n_only = 0;
    if (only) {
        snprintf(only_buf, sizeof only_buf, "%s", only);
        for (char *tok = strtok(only_buf, ","); tok && n_only < 64; tok = strtok(NULL, ","))
            if (*tok)
                only_v[n_only++] = tok;
        if (n_only == 0) {
            rx_cli_error("--schedules needs schedule names separated by commas, got '%s'", only);
            return RX_EINVAL;
        }
    }
    only_v[n_only] = NULL;

    rx_store *st = NULL;
    code = rx_cli_open_store(db, &st);
    if (code)
        return code;
    rx_err err = {{0}};
    rx_metric m;
    rx_results res;
    int fell_back = 0;
    int rc = rx_results_load_metric(st, sweep, metric, &m, &fell_back, &res, &err);
    if (rc) {
        rx_cli_error("%s", err.msg);
        rx_store_close(st);
        return rc;
    }
    rx_cli_tune tk;
    if ((rc = rx_cli_tune_keys(st, &res, tune.v, tune.n, no_tune, &tk, &err))) {
        rx_cli_error("%s", err.msg);
        rx_results_free(&res);
        rx_store_close(st);
        return rc;
    }
    if (tk.note[0])
        rx_cli_error("warning: %s", tk.note);
    if (fell_back)
        rx_cli_error("no run recorded an accuracy: reporting the %s", m.label);
    if (on_test)
        rx_cli_error("warning: choosing each cell's lr on the TEST metric (--select-on test); "
                   "the report says so");
    rx_report_fact *facts = calloc((size_t)(res.n ? res.n : 1), sizeof *facts);
    if (!facts || (rc = rx_results_facts(st, &res, facts, &err))) {
        rx_cli_error("%s", facts ? err.msg : "out of memory reading the runs");
        free(facts);
        rx_results_free(&res);
        rx_store_close(st);
        return RX_EIO;
    }
    rx_report_opts ro = {.metric = &m, .select_on_test = on_test, .no_merge = no_merge,
                         .vs = vs, .only = only ? only_v : NULL,
                         .bootstrap = n_boot ? n_boot : -1, .facts = facts,
                         .min_steps = min_steps, .tune = tk.n ? tk.v : NULL};
    rx_cli_ext *ext = rx_cli_ext_new(st, res.sweep);
    if (ext)
        ro.lr_grid = rx_cli_ext_lookup, ro.lr_grid_ud = ext;
    rx_report *rep = NULL;
    rc = rx_report_build(res.runs, res.n, &ro, &rep, &err);
    free(facts);               /* the report keeps what it needs */
    rx_cli_ext_free(ext);
    if (rc) {
        rx_cli_error("%s", err.msg);
        rx_results_free(&res);
        rx_store_close(st);
        return rc;
    }
    rx_report_search *ladders = NULL;
    char ladder_note[512] = "";
    rx_report_curve *curves = NULL;
    int n_curves = 0;
    rx_report_lcurve *lc = NULL;
    int n_lc = 0;
    if (fmt == RX_FMT_HTML && (rc = rx_results_curves(st, &res, rep, &curves, &n_curves, &err))) {
        rx_cli_error("%s", err.msg);
        code = RX_EIO;
        goto done;
    }
    if (fmt == RX_FMT_HTML && rep->n_budgets > 0) {
        double b = lc_budget > 0 ? lc_budget : rep->budgets[rep->n_budgets - 1];
        int known = 0;
        for (int i = 0; i < rep->n_budgets; i++)
            known |= fabs(rep->budgets[i] - b) <= 1e-9 * b ? (b = rep->budgets[i], 1) : 0;
        if (!known) {
            rx_cli_error("--curve-budget '%s': no run has that budget", curve_budget);
            code = RX_EINVAL;
            goto done;
        }
        if ((rc = rx_results_learning(st, &res, rep, b, &lc, &n_lc, &err))) {
            rx_cli_error("%s", err.msg);
            code = RX_EIO;
            goto done;
        }
    }
    if (rx_cli_search_load(st, &res, res.sweep, &ladders, ladder_note, sizeof ladder_note)) {
        rx_cli_error("out of memory reading the search's ladders");
        code = RX_ENOMEM;
        goto done;
    }
    if (ladder_note[0] && fmt != RX_FMT_TEXT && fmt != RX_FMT_MARKDOWN)
        rx_cli_error("note: %s", ladder_note);
    FILE *f = out_path ? fopen(out_path, "w") : stdout;
    if (!f) {
        rx_cli_error("cannot write '%s'", out_path);
        code = RX_EIO;
        goto done;
    }
    rx_report_source src = {db, res.sweep[0] ? res.sweep : NULL, ladders};
    rc = fmt == RX_FMT_HTML ? rx_report_write_html(f, rep, &src, curves, n_curves, lc, n_lc, &err)
                            : rx_report_write(f, rep, (rx_report_format)fmt, &src, &err);
    /* where the runs come from: versions, BLAS kernel, CPU, host, git */
    prov_block pb = {f, fmt == RX_FMT_MARKDOWN, 0};
    if (!rc && ladders && (fmt == RX_FMT_TEXT || fmt == RX_FMT_MARKDOWN))
        rx_report_search_text(f, ladders, fmt == RX_FMT_MARKDOWN);
    else if (!rc && ladder_note[0] && (fmt == RX_FMT_TEXT || fmt == RX_FMT_MARKDOWN))
        fprintf(f, "\n%snote: %s\n", fmt == RX_FMT_MARKDOWN ? "- " : "", ladder_note);
    if (!rc && (fmt == RX_FMT_TEXT || fmt == RX_FMT_MARKDOWN))
        rc = rx_store_provenances(st, src.sweep, prov_line, &pb, &err);
    if (fflush(f) || ferror(f))
        rc = rc ? rc : rx_errf(&err, RX_EIO, "cannot write '%s'", out_path ? out_path : "stdout");
    if (out_path && fclose(f) && !rc)
        rc = rx_errf(&err, RX_EIO, "cannot write '%s'", out_path);
    if (rc) {
        rx_cli_error("%s", err.msg);
        code = RX_EIO;
    }
done:
    rx_cli_search_free(ladders);
    rx_results_learning_free(lc, n_lc);
    rx_results_curves_free(curves, n_curves);
    rx_report_free(rep);
    rx_results_free(&res);
    rx_store_close(st);
    return code;
}
