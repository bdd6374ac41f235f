/* cmd_export.c: `rexsweep export`: runs (and per-epoch metrics) as CSV or
 * JSON, straight from the store's public views. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "opts.h"
#include "rx_store.h"
#include "rx_table.h"

static const char usage_text[] =
    "usage: rexsweep export [--db FILE] [--sweep NAME] --format csv|json [--metrics] [--config]\n"
    "                       [-o FILE]\n\n"
    "Dumps one row per run (the run_results view, or sweep_results with --sweep) and,\n"
    "with --metrics, every run's per-epoch metrics (the epoch_results view); with\n"
    "--config, each run's configuration too (nested JSON, or one CSV column per key).";

typedef struct export_ctx {
    FILE *f;
    int json;
    int rows;
    int metrics;          /* json: nest the "metric:" columns per run */
    char key[64];         /* json + metrics: the run being written */
    int open_metrics;     /* its metrics array has entries */
    int config;           /* json: the RX_EXPORT_CONFIG column is JSON */
} export_ctx;

static void write_value(FILE *f, const rx_value *v, int json)
{
    char buf[40];
    switch (v->type) {
    case RX_VINT:
        fprintf(f, "%lld", (long long)v->i);
        break;
    case RX_VREAL:
        if (json)
            rx_json_number(f, v->r);
        else {
            rx_fmt_num(v->r, buf, sizeof buf);
            fputs(buf, f);
        }
        break;
    case RX_VTEXT:
        if (json)
            rx_json_string(f, v->s);
        else
            rx_csv_field(f, v->s);
        break;
    default:
        if (json)
            fputs("null", f);
    }
}

static int csv_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    export_ctx *c = ud;
    if (c->rows++ == 0) {
        for (int i = 0; i < ncols; i++) {
            if (i)
                fputc(',', c->f);
            rx_csv_field(c->f, names[i]);
        }
        fputc('\n', c->f);
    }
    for (int i = 0; i < ncols; i++) {
        if (i)
            fputc(',', c->f);
        write_value(c->f, &v[i], 0);
    }
    fputc('\n', c->f);
    return ferror(c->f) ? RX_EIO : 0;
}

/* One JSON object per run; with --metrics the rows are runs LEFT JOIN
 * epochs ordered by run, and the "metric:" columns go into the run's
 * "metrics" array. */
static int json_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    export_ctx *c = ud;
    const char *key = "";
    for (int i = 0; i < ncols; i++)
        if (strcmp(names[i], "key") == 0 && v[i].type == RX_VTEXT)
            key = v[i].s;
    int new_run = !c->metrics || c->rows == 0 || strcmp(key, c->key) != 0;
    if (new_run) {
        if (c->rows)
            fputs(c->metrics ? "]}" : "}", c->f);
        fputs(c->rows ? ",\n{" : "\n{", c->f);
        int first = 1;
        for (int i = 0; i < ncols; i++) {
            if (strncmp(names[i], RX_EXPORT_METRIC, strlen(RX_EXPORT_METRIC)) == 0)
                continue;
            if (!first)
                fputc(',', c->f);
            first = 0;
            rx_json_string(c->f, names[i]);
            fputc(':', c->f);
            /* the store checked that it is JSON (json_valid) */
            if (c->config && v[i].type == RX_VTEXT && strcmp(names[i], RX_EXPORT_CONFIG) == 0)
                fputs(v[i].s, c->f);
            else
                write_value(c->f, &v[i], 1);
        }
        if (c->metrics)
            fputs(first ? "\"metrics\":[" : ",\"metrics\":[", c->f);
        snprintf(c->key, sizeof c->key, "%s", key);
        c->open_metrics = 0;
    }
    c->rows++;
    if (c->metrics) {
        int has = 0;
        for (int i = 0; i < ncols; i++)
            has |= strcmp(names[i], RX_EXPORT_METRIC "epoch") == 0 && v[i].type != RX_VNULL;
        if (has) {
            fputs(c->open_metrics++ ? ",{" : "{", c->f);
            int first = 1;
            for (int i = 0; i < ncols; i++) {
                if (strncmp(names[i], RX_EXPORT_METRIC, strlen(RX_EXPORT_METRIC)) != 0)
                    continue;
                if (!first)
                    fputc(',', c->f);
                first = 0;
                rx_json_string(c->f, names[i] + strlen(RX_EXPORT_METRIC));
                fputc(':', c->f);
                write_value(c->f, &v[i], 1);
            }
            fputc('}', c->f);
        }
    }
    return ferror(c->f) ? RX_EIO : 0;
}

int cmd_export(int argc, char **argv)
{
    const char *db = "results/rexsweep.db", *sweep = NULL, *format = NULL, *out_path = NULL;
    int metrics = 0, config = 0;
    const rx_option opts[] = {
        {"db", 0, RX_OPT_STRING, &db, "FILE", "results store (default results/rexsweep.db)"},
        {"sweep", 0, RX_OPT_STRING, &sweep, "NAME", "only the runs of this sweep (default: every run)"},
        {"format", 0, RX_OPT_STRING, &format, "csv|json", "output format (required)"},
        {"metrics", 0, RX_OPT_FLAG, &metrics, NULL, "also the per-epoch metrics"},
        {"config", 0, RX_OPT_FLAG, &config, NULL, "also each run's configuration (JSON: nested; CSV: a column per key)"},
        {"output", 'o', RX_OPT_STRING, &out_path, "FILE", "write to FILE instead of standard output"},
    };
    int done = rx_cli_options_only(argc, argv, opts, (int)(sizeof opts / sizeof opts[0]),
                                   usage_text);
    if (done >= 0)
        return done;
    if (!format || (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)) {
        rx_cli_error(format ? "unknown format '%s' (csv or json)" : "export needs --format csv or "
                   "--format json%s", format ? format : "");
        return RX_EINVAL;
    }
    int json = strcmp(format, "json") == 0;
    rx_store *st = NULL;
    int code = rx_cli_open_store(db, &st);
    if (code)
        return code;
    rx_err err = {{0}};
    int64_t id = 0;
    if (sweep && rx_store_find_sweep(st, sweep, &id, &err)) {
        rx_cli_error("%s", err.msg);
        rx_store_close(st);
        return RX_EINVAL;
    }
    /* every row comes from the documented views (rexsweep-results(5)) */
    rx_export_what what = !metrics ? RX_EXPORT_RUNS : json ? RX_EXPORT_NESTED : RX_EXPORT_EPOCHS;
    FILE *f = out_path ? fopen(out_path, "w") : stdout;
    if (!f) {
        rx_cli_error("cannot write '%s'", out_path);
        rx_store_close(st);
        return RX_EIO;
    }
    export_ctx c = {f, json, 0, json && metrics, "", 0, json && config};
    if (json) {
        fputc('{', f);
        rx_json_kv_str(f, "store", db, 1);
        rx_json_kv_str(f, "sweep", sweep, 1);
        rx_json_key(f, "runs");
        fputc('[', f);
    }
    rx_export_config cw = !config ? RX_CONFIG_NONE : json ? RX_CONFIG_JSON : RX_CONFIG_FLAT;
    int rc = rx_store_export(st, sweep ? id : 0, what, cw, json ? json_row : csv_row, &c, &err);
    if (json && rc == RX_OK) {
        if (c.rows)
            fputs(c.metrics ? "]}" : "}", f);
        fputs("\n]}\n", f);
    }
    if (rc == RX_OK && (fflush(f) || ferror(f)))
        rc = RX_EIO;
    if (out_path && fclose(f) && rc == RX_OK)
        rc = RX_EIO;
    if (rc) {
        rx_cli_error("%s", err.msg[0] ? err.msg : "cannot write the export");
        code = RX_EIO;
    }
    rx_store_close(st);
    return code;
}
