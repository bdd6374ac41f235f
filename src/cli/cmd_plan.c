/* cmd_plan.c: `rexsweep plan SPEC [--db FILE] [--limit N] [--json]`:
 * validate a sweep spec and show its grid, training nothing.  The grid is
 * held as compact runs (rx_run_ref); a run's configuration is rebuilt only
 * for the rows printed, so a grid of a million runs plans in about a
 * second. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "rx_cost.h"
#include "rx_data.h"
#include "rx_extend.h"
#include "rx_grid.h"
#include "rx_keys.h"
#include "rx_param.h"
#include "rx_range.h"
#include "rx_search.h"
#include "rx_sched.h"
#include "rx_spec.h"
#include "rx_store.h"
#include "rx_table.h"
#include "rx_trainer.h"

static const char usage_text[] =
    "usage: rexsweep plan SPEC [--db FILE] [--set KEY=VALUE]... [--limit N] [--json]\n"
    "\n"
    "Validates the sweep spec SPEC, prints the number of runs, how many of them\n"
    "the store already holds (done, failed, ...) and one row per run (index, run\n"
    "key, its state in the store and the swept settings; the first 1000 unless\n"
    "--limit says otherwise).  Trains nothing and writes nothing.  A bad spec\n"
    "prints 'file:line:column: message' and exits with 2.";

/* Columns every plan shows, then one per other swept key.  The keys
 * that start with '=' are the run's cost (rx_cost.h), not settings. */
static const struct {
    const char *title, *key;
} fixed_cols[] = {
    {"budget", "train.budget"},      {"epochs", "=epochs"},      {"steps", "=steps"},
    {"work", "=work"},               {"optimizer", "optimizer.name"},
    {"lr", "optimizer.lr"},          {"schedule", "schedule.name"},
    {"sampling", "schedule.sampling"}, {"seed", "train.seed"},
};
#define N_FIXED (int)(sizeof fixed_cols / sizeof fixed_cols[0])
#define MAX_COLS 64

typedef struct columns {
    const char *key[MAX_COLS];
    const char *title[MAX_COLS];
    int n;
} columns;

static void add_col(columns *c, const char *key, const char *title)
{
    for (int i = 0; i < c->n; i++)
        if (c->key[i] && strcmp(c->key[i], key) == 0)
            return;
    if (c->n < MAX_COLS) {
        c->key[c->n] = key;
        c->title[c->n++] = title;
    }
}

static void plan_columns(const rx_grid *g, columns *c)
{
    c->n = 0;
    for (int i = 0; i < N_FIXED; i++) {
        c->key[c->n] = fixed_cols[i].key;
        c->title[c->n++] = fixed_cols[i].title;
    }
    const char *swept[MAX_COLS];
    int n = rx_grid_swept_keys(g, swept, MAX_COLS);
    for (int i = 0; i < n && i < MAX_COLS; i++)
        add_col(c, swept[i], swept[i]);
    for (int i = 0; i < g->n_over; i++)
        add_col(c, g->over[i].key, g->over[i].key);
}

/* The text of one cell of run j, whose configuration is c.  Budgets read
 * as percentages, exactly; the work as "1.23 TFLOP", "-" when unknown. */
static void cell_text(const rx_spec *s, const rx_run_ref *j, const rx_config *c,
                      const char *key, char *buf, size_t size)
{
    if (strcmp(key, "=epochs") == 0) {
        snprintf(buf, size, "%.6g", j->epochs);
        return;
    }
    if (strcmp(key, "=steps") == 0) {
        snprintf(buf, size, j->steps > 0 ? "%ld" : "-", j->steps);
        return;
    }
    if (strcmp(key, "=work") == 0) {
        if (j->cost > 0)
            rx_cost_format(j->cost, s->trainer, buf, size);
        else
            snprintf(buf, size, "-");
        return;
    }
    if (strcmp(key, "train.budget") == 0) {
        char frac[64], pct[80];
        rx_format_double(c->train.budget, frac, sizeof frac);
        snprintf(pct, sizeof pct, "%se2", frac);
        if (rx_decimal_normalize(pct, buf, size) == RX_OK && strlen(buf) + 1 < size) {
            strcat(buf, "%");
            return;
        }
    }
    if (rx_config_get(c, key, buf, size) != RX_OK)
        snprintf(buf, size, "-");
}

static int is_command(const rx_spec *s)
{
    return s->trainer && s->trainer->kind == RX_TRAINER_COMMAND;
}

/* The runs' epochs, steps and cost (rx_cost.h) in all. */
typedef struct totals {
    double epochs, cost;
    long steps;
} totals;

static totals total_of(const rx_run_ref *jobs, int n)
{
    totals t = {0, 0, 0};
    for (int i = 0; i < n; i++) {
        t.epochs += jobs[i].epochs;
        t.steps += jobs[i].steps;
        t.cost += jobs[i].cost;
    }
    return t;
}

/* What the store says about the runs: counts by state, and each run's
 * state. */
typedef struct store_view {
    const char *path;
    int exists;               /* the file exists (else every run is new) */
    rx_store_counts counts;
    signed char *state;       /* per run: an rx_run_state, -1 when new */
    int cells;                /* distinct cell keys */
} store_view;

static const char *state_text(const store_view *v, int i)
{
    return v->state[i] < 0 ? "new" : rx_run_state_name((rx_run_state)v->state[i]);
}

/* Reads the store at view->path, read-only, when it exists: one read
 * transaction, one indexed lookup per run. */
static int read_store(store_view *view, const rx_run_ref *jobs, int n, rx_err *err)
{
    memset(&view->counts, 0, sizeof view->counts);
    view->state = malloc((size_t)(n ? n : 1));
    if (!view->state)
        return rx_errf(err, RX_ENOMEM, "out of memory");
    memset(view->state, -1, (size_t)(n ? n : 1));
    /* a name that is no store file, or a directory, is refused; a
     * missing store is plain news: every run is new */
    int rc = rx_store_check_path(view->path, RX_STORE_CREATE, err);
    if (rc == RX_EINVAL)
        return rc;
    /* an empty file too, as `run` takes it (it writes the schema there) */
    struct stat sb;
    view->exists = stat(view->path, &sb) == 0 && sb.st_size > 0;
    if (!view->exists) {
        view->counts.new_runs = view->counts.total = n;
        return RX_OK;
    }
    rx_store *st;
    rc = rx_store_open(view->path, RX_STORE_READONLY, &st, err);
    if (rc)
        return rc;
    rc = rx_store_key_states(st, n ? jobs[0].key : "", sizeof *jobs, n, view->state,
                             &view->counts, err);
    rx_store_close(st);
    return rc;
}

static void print_store_text(const store_view *v)
{
    const rx_store_counts *c = &v->counts;
    if (!v->exists) {
        printf("store '%s' does not exist yet (or is empty): every run is new\n", v->path);
        return;
    }
    printf("store '%s': %d new, %d done, %d failed, %d diverged, %d interrupted, %d running, "
           "%d pending\n",
           v->path, c->new_runs, c->done, c->failed, c->diverged, c->interrupted, c->running,
           c->pending);
}

/* The number of rows a limit lets through: limit 0 (or less) is all. */
static int rows_shown(int n, int limit)
{
    return limit > 0 && limit < n ? limit : n;
}

/* ---- the adaptive lr grid ------------------------------------------------ */

/* What plan says of an adaptive lr grid (rexsweep.yaml(5), ADAPTIVE LR
 * GRID): its tuning cells, the extension runs the store's results have
 * decided, and how many more may come at most. */
typedef struct ext_view {
    int cells;                 /* tuning cells; 0: no lr axis extends */
    int extend_max;            /* the largest extend */
    long runs_max;             /* extension runs at most, with no results */
    int decided, done, diverged, failed, to_run;  /* extension runs decided */
    int verdict[RX_LRV_COUNT]; /* cells by verdict */
    long more_max;             /* extension runs at most beyond those decided */
    rx_job *runs;              /* the first `keep` runs decided, for listing */
    signed char *state;
    int n_runs;
} ext_view;

static void ext_view_free(ext_view *x)
{
    rx_jobs_free(x->runs, x->n_runs);
    free(x->state);
    memset(x, 0, sizeof *x);
}

/* The extension lrs a cell may still add: one side only once it has two
 * lrs (an lr chosen at one edge never becomes the other), both for one. */
static int lrs_left(const rx_ext_cell *c, int n_lo, int n_hi)
{
    if (c->n_lrs == 1)
        return 2 * c->extend - n_lo - n_hi;
    return c->extend - (n_lo > n_hi ? n_lo : n_hi);
}

/* Keeps job j of es (moved: es no longer frees it) for the listing. */
static int keep_run(ext_view *x, rx_ext_state *es, int j)
{
    rx_job *r = realloc(x->runs, (size_t)(x->n_runs + 1) * sizeof *r);
    if (r)
        x->runs = r;
    signed char *st = r ? realloc(x->state, (size_t)(x->n_runs + 1)) : NULL;
    if (st)
        x->state = st;
    if (!r || !st)
        return RX_ENOMEM;
    x->runs[x->n_runs] = es->jobs[j];
    x->state[x->n_runs++] = es->states[j];
    es->jobs[j].config_json = NULL;
    return RX_OK;
}

static int ext_plan(const rx_spec *s, const rx_run_ref *jobs, const rx_tune_ref *tune, int n,
                    const store_view *v, int keep, ext_view *x, rx_err *err)
{
    memset(x, 0, sizeof *x);
    rx_ext_cells cells;
    int rc = rx_ext_cells_build(jobs, tune, n, &cells, err);
    if (rc || cells.n == 0)
        return rc;
    x->cells = cells.n;
    rx_store *st = NULL;
    if (v->exists)
        rc = rx_store_open(v->path, RX_STORE_READONLY, &st, err);
    rx_ext_ctx ctx = {&s->grid, s->trainer, jobs, tune, &cells};
    for (int c = 0; rc == RX_OK && c < cells.n; c++) {
        const rx_ext_cell *ce = &cells.cell[c];
        if (ce->extend > x->extend_max)
            x->extend_max = ce->extend;
        x->runs_max += (long)lrs_left(ce, 0, 0) * ce->n_seeds;
        if (!st) {
            x->verdict[RX_LRV_WAIT]++;
            x->more_max += (long)lrs_left(ce, 0, 0) * ce->n_seeds;
            continue;
        }
        rx_ext_state es;
        if ((rc = rx_ext_resolve(st, &ctx, c, &es, err)))
            break;
        x->verdict[es.verdict]++;
        if (es.verdict == RX_LRV_WAIT || es.verdict == RX_LRV_UP || es.verdict == RX_LRV_DOWN)
            x->more_max += (long)lrs_left(ce, es.n_lo, es.n_hi) * ce->n_seeds;
        for (int j = 0; j < es.n_jobs && rc == RX_OK; j++) {
            int k = es.states[j];
            x->decided++;
            x->done += k == RX_STATE_DONE;
            x->diverged += k == RX_STATE_DIVERGED;
            x->failed += k == RX_STATE_FAILED;
            x->to_run += k != RX_STATE_DONE && k != RX_STATE_DIVERGED && k != RX_STATE_FAILED;
            if (x->n_runs < keep && keep_run(x, &es, j))
                rc = rx_errf(err, RX_ENOMEM, "out of memory");
        }
        rx_ext_state_free(&es);
    }
    rx_store_close(st);
    rx_ext_cells_free(&cells);
    return rc;
}

static void print_ext_text(const ext_view *x, const store_view *v)
{
    if (!x->cells)
        return;
    printf("\nadaptive lr grid: %d tuning cell%s extend by up to %d lr%s per side: at most %ld "
           "extension runs\n",
           x->cells, x->cells == 1 ? "" : "s", x->extend_max, x->extend_max == 1 ? "" : "s",
           x->runs_max);
    if (!v->exists)
        return;
    printf("store: %d extension runs decided (%d done, %d diverged, %d failed, %d to run); "
           "cells: %d interior, %d bounded by divergence, %d at the limit, %d with nothing to "
           "choose on, %d extending, %d waiting for their runs; at most %ld more runs\n",
           x->decided, x->done, x->diverged, x->failed, x->to_run, x->verdict[RX_LRV_INTERIOR],
           x->verdict[RX_LRV_DIVERGED], x->verdict[RX_LRV_LIMIT], x->verdict[RX_LRV_NONE],
           x->verdict[RX_LRV_UP] + x->verdict[RX_LRV_DOWN], x->verdict[RX_LRV_WAIT], x->more_max);
    if (!x->n_runs)
        return;
    printf("\n%-*s  %-11s  %-10s  %s\n", RX_KEY_LEN, "key", "state", "lr", "cell, seed");
    for (int i = 0; i < x->n_runs; i++) {
        char lr[32], label[160];
        rx_fmt_num(x->runs[i].cfg.optim.lr, lr, sizeof lr);
        rx_ext_label(&x->runs[i].cfg, label, sizeof label);
        printf("%-*s  %-11s  %-10s  %s, seed %llu\n", RX_KEY_LEN, x->runs[i].key,
               x->state[i] < 0 ? "new" : rx_run_state_name((rx_run_state)x->state[i]), lr, label,
               (unsigned long long)x->runs[i].cfg.train.seed);
    }
    if (x->n_runs < x->decided)
        printf("... %d more extension run%s (--limit 0 lists every run)\n",
               x->decided - x->n_runs, x->decided - x->n_runs == 1 ? "" : "s");
}

static void print_ext_json(const ext_view *x)
{
    if (!x->cells)
        return;
    printf("\"extension\":{\"cells\":%d,\"extend\":%d,\"runs_max\":%ld,\"decided\":%d,"
           "\"done\":%d,\"diverged\":%d,\"failed\":%d,\"to_run\":%d,\"more_max\":%ld,"
           "\"verdicts\":{",
           x->cells, x->extend_max, x->runs_max, x->decided, x->done, x->diverged, x->failed,
           x->to_run, x->more_max);
    for (int k = 0; k < RX_LRV_COUNT; k++) {
        printf("%s", k ? "," : "");
        rx_json_kv_int(stdout, rx_lr_verdict_name((rx_lr_verdict)k), x->verdict[k], 0);
    }
    printf("},\"runs\":[");
    for (int i = 0; i < x->n_runs; i++) {
        char lr[32];
        rx_fmt_num(x->runs[i].cfg.optim.lr, lr, sizeof lr);
        printf("%s{\"key\":\"%s\",\"cell\":\"%s\",\"state\":\"%s\",\"lr\":%s,\"config\":%s}",
               i ? "," : "", x->runs[i].key, x->runs[i].cell,
               x->state[i] < 0 ? "new" : rx_run_state_name((rx_run_state)x->state[i]), lr,
               x->runs[i].config_json);
    }
    printf("]},");
}

/* The rungs of bracket b (b < 0: every bracket together) from rung k0,
 * as a JSON array. */
static void print_rungs_json(rx_search *hs, int b, int k0)
{
    char num[64];
    putchar('[');
    for (int k = k0; k < rx_search_n_rungs(hs); k++) {
        rx_search_rung_info ri;
        rx_search_rung_info_of(hs, b, k, &ri);
        rx_format_double(ri.budget, num, sizeof num);
        printf("%s{\"budget\":%s,\"candidates_max\":%d,\"runs_max\":%d,", k > k0 ? "," : "", num,
               ri.cands_max, ri.runs_max);
        rx_format_double(ri.cost_max, num, sizeof num);
        printf("\"epochs_max\":%s,\"runs_decided\":%d,\"runs_grid\":%d,", num, ri.runs_now,
               ri.runs_grid);
        rx_format_double(ri.cost_grid, num, sizeof num);
        printf("\"epochs_grid\":%s}", num);
    }
    putchar(']');
}

/* The "search" member of the JSON plan: the rungs and their cost, in all
 * and per bracket. */
static void print_search_json(const rx_spec *s, rx_search *hs)
{
    int R = rx_search_n_rungs(hs);
    printf("\"search\":{\"strategy\":\"%s\",\"eta\":%d,\"rungs\":",
           s->search.strategy == RX_STRATEGY_HYPERBAND ? "hyperband" : "halving",
           rx_search_eta(hs));
    print_rungs_json(hs, -1, 0);
    printf(",\"brackets\":[");
    for (int b = 0; b < rx_search_n_brackets(hs); b++) {
        int k0 = rx_search_bracket_start(hs, b);
        printf("%s{\"bracket\":%d,\"first_rung\":%d,\"rungs\":", b ? "," : "", R - 1 - k0, k0);
        print_rungs_json(hs, b, k0);
        putchar('}');
    }
    printf("]},");
}

static int print_json(const rx_spec *s, const rx_run_ref *jobs, int n, int limit,
                      const store_view *v, rx_search *hs, const ext_view *x, rx_err *err)
{
    int rc;
    totals t = total_of(jobs, n);
    printf("{\"name\":");
    rx_json_string(stdout, s->name);
    printf(",\"spec\":");
    rx_json_string(stdout, s->path);
    printf(",\"spec_hash\":\"%s\",\"runs\":%d,\"cells\":%d,\"epochs\":", s->hash, n,
           v->cells);
    char num[64];
    rx_format_double(t.epochs, num, sizeof num);
    printf("%s,\"steps\":%ld,\"cost\":", num, t.steps);
    rx_format_double(t.cost, num, sizeof num);
    printf("%s,", num);
    if (is_command(s))
        printf("\"trainer\":%s,", s->trainer->identity);
    if (hs)
        print_search_json(s, hs);
    print_ext_json(x);
    printf("\"tune\":[");
    for (int q = 0; q < s->n_tune; q++) {
        if (q)
            putchar(',');
        rx_json_string(stdout, s->tune[q]);
    }
    printf("],\"axes\":[");
    for (int i = 0; i < s->grid.n_axes; i++) {
        if (i)
            putchar(',');
        rx_json_string(stdout, s->grid.axes[i].name);
    }
    const rx_store_counts *c = &v->counts;
    printf("],\"store\":{\"path\":");
    rx_json_string(stdout, v->path);
    printf(",\"exists\":%s,\"new\":%d,\"pending\":%d,\"running\":%d,\"done\":%d,"
           "\"failed\":%d,\"diverged\":%d,\"interrupted\":%d},\"jobs\":[",
           v->exists ? "true" : "false", c->new_runs, c->pending, c->running, c->done,
           c->failed, c->diverged, c->interrupted);
    int shown = rows_shown(n, limit);
    for (int i = 0; i < shown; i++) {
        /* materialised one run at a time: the JSON of a million runs is
         * written in constant memory */
        rx_job job;
        if ((rc = rx_grid_job(&s->grid, &jobs[i], &job, err)))
            return rc;
        rx_format_double(jobs[i].cost, num, sizeof num);
        printf("%s\n{\"index\":%d,\"key\":\"%s\",\"cell\":\"%s\",\"state\":\"%s\","
               "\"cost\":%s,\"steps\":%ld,\"config\":%s}",
               i ? "," : "", jobs[i].index, jobs[i].key, jobs[i].cell, state_text(v, i), num,
               jobs[i].steps, job.config_json);
        free(job.config_json);
    }
    printf("]}\n");
    return RX_OK;
}

static int print_table(const rx_spec *s, const rx_run_ref *jobs, int n, int limit,
                       const store_view *v, rx_err *err)
{
    int rc, cells = v->cells;
    totals t = total_of(jobs, n);
    char work[64];
    rx_cost_format(t.cost, s->trainer, work, sizeof work);
    printf("sweep '%s': %d run%s in %d cell%s, %.6g epochs in all", s->name, n,
           n == 1 ? "" : "s", cells, cells == 1 ? "" : "s", t.epochs);
    if (is_command(s))
        printf(" (%ld steps), trained by '%s'", t.steps, s->trainer->argv[0]);
    else
        printf(" (%ld steps, %s)", t.steps, work);
    putchar('\n');
    for (int q = 0; q < s->n_tune; q++)      /* tune: changes no run, only the report */
        printf("%s%s%s", q ? ", " : "the report tunes ", s->tune[q],
               q + 1 == s->n_tune ? " with the lr (tune:)\n" : "");
    print_store_text(v);
    columns c;
    plan_columns(&s->grid, &c);
    int width[MAX_COLS + 3];
    char buf[512];
    width[0] = 5;
    width[1] = RX_KEY_LEN;
    width[2] = 11; /* "interrupted" */
    for (int k = 0; k < c.n; k++)
        width[k + 3] = (int)strlen(c.title[k]);
    /* the configurations of the rows shown only, built twice (widths, then
     * rows) rather than held: --limit 0 on a million runs stays small */
    int shown = rows_shown(n, limit);
    rx_config cfg;
    for (int i = 0; i < shown; i++) {
        int w = snprintf(buf, sizeof buf, "%d", jobs[i].index);
        if (w > width[0])
            width[0] = w;
        if ((rc = rx_grid_config(&s->grid, &jobs[i], &cfg, err)))
            return rc;
        for (int k = 0; k < c.n; k++) {
            cell_text(s, &jobs[i], &cfg, c.key[k], buf, sizeof buf);
            if ((int)strlen(buf) > width[k + 3])
                width[k + 3] = (int)strlen(buf);
        }
    }
    printf("\n%-*s  %-*s  %-*s", width[0], "index", width[1], "key", width[2], "state");
    for (int k = 0; k < c.n; k++)
        printf("  %-*s", width[k + 3], c.title[k]);
    putchar('\n');
    for (int i = 0; i < shown; i++) {
        printf("%-*d  %-*s  %-*s", width[0], jobs[i].index, width[1], jobs[i].key, width[2],
               state_text(v, i));
        if ((rc = rx_grid_config(&s->grid, &jobs[i], &cfg, err)))
            return rc;
        for (int k = 0; k < c.n; k++) {
            cell_text(s, &jobs[i], &cfg, c.key[k], buf, sizeof buf);
            if (k == c.n - 1)
                printf("  %s", buf);
            else
                printf("  %-*s", width[k + 3], buf);
        }
        putchar('\n');
    }
    if (shown < n)
        printf("... %d more run%s (--limit 0 lists every run)\n", n - shown,
               n - shown == 1 ? "" : "s");
    return RX_OK;
}

/* Does an axis of g set a data key?  Else every run has the data settings
 * of the base and the overrides (only data.* keys write them). */
static int data_swept(const rx_grid *g)
{
    const char *keys[256];
    int n = rx_grid_swept_keys(g, keys, 256);
    if (n > 256)
        return 1;
    for (int i = 0; i < n; i++)
        if (strncmp(keys[i], "data.", 5) == 0)
            return 1;
    return 0;
}

/* Runs whose splits would be empty, when the configuration tells (the
 * synthetic sets): each fails when run, so plan says so on stderr and
 * returns RX_EDATA (exit 6) after printing the plan.  *bad counts them.
 * The data settings are checked once when no axis sets a data key, else
 * per run. */
static int data_problems(const rx_grid *g, const rx_run_ref *runs, int n, int *bad,
                         rx_err *err)
{
    int per_run = data_swept(g), ok = 1;
    rx_err e;
    *bad = 0;
    for (int i = 0; i < n; i++) {
        if (i == 0 || per_run) {
            rx_config c;
            int rc = rx_grid_config(g, &runs[i], &c, err);
            if (rc)
                return rc;
            ok = rx_data_check_sizes(&c.data, &e) == RX_OK;
        }
        if (!ok && (*bad)++ < 10)
            rx_cli_error("run %d (%s) will fail: %s", runs[i].index, runs[i].key, e.msg);
    }
    if (*bad > 10)
        rx_cli_error("... and %d more runs with empty splits", *bad - 10);
    if (*bad)
        return RX_OK;
    /* a run whose data could not be read has no steps (rx_cost.h): say
     * why, for the first few */
    for (int i = 0; i < n; i++) {
        if (runs[i].steps > 0)
            continue;
        if ((*bad)++ >= 10)
            continue;
        rx_config c;
        rx_data_shape z;
        int rc = rx_grid_config(g, &runs[i], &c, err);
        if (rc)
            return rc;
        if ((rc = rx_data_shape_of(&c.data, &z, &e)) == RX_ENOMEM)
            return rx_errf(err, rc, "%s", e.msg);
        rx_cli_error("run %d (%s) will fail: %s", runs[i].index, runs[i].key,
                     rc ? e.msg : "its training split is empty");
    }
    if (*bad > 10)
        rx_cli_error("... and %d more runs whose data cannot be read", *bad - 10);
    return RX_OK;
}

/* A halving or hyperband sweep's search over the runs (which it borrows), its
 * promotions decided by the store at db (NULL: none yet); *hs is the
 * caller's to free. */
static int halving_of(const rx_spec *s, const rx_run_ref *runs, int n, const char *db,
                      rx_search **hs, rx_err *err)
{
    int rc = rx_search_new(s, runs, n, hs, err);
    rx_store *st = NULL;
    if (rc == RX_OK && db)
        rc = rx_store_open(db, RX_STORE_READONLY, &st, err);
    if (rc == RX_OK)
        rc = rx_search_update(*hs, st, err);
    rx_store_close(st);
    return rc;
}

int cmd_plan(int argc, char **argv)
{
    const char *db = NULL;
    int json = 0, limit = INT_MIN; /* INT_MIN: not given (the parser refuses it) */
    rx_opt_list setl = {{0}, 0};
    const rx_option opts[] = {
        {"set", 0, RX_OPT_LIST, &setl, "KEY=VALUE", "override a key for every run (repeatable), as run does"},
        {"db", 0, RX_OPT_STRING, &db, "FILE", "the results store to compare against (default: the spec's 'store', else results/rexsweep.db)"},
        {"limit", 0, RX_OPT_INT, &limit, "N", "list the first N runs (default 1000 in the table, every run with --json); 0 lists every run"},
        {"json", 0, RX_OPT_FLAG, &json, NULL, "print the plan as one JSON object, for scripts"},
    };
    const char *pos[2];
    int npos;
    int prc = rx_parse_options(argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), pos, 2,
                               &npos, usage_text);
    if (prc)
        return prc > 0 ? RX_OK : RX_EINVAL;
    const char **sets = setl.v;
    int n_sets = setl.n;
    if (npos == 0) {
        fputs(usage_text, stderr);
        fputc('\n', stderr);
        return RX_EINVAL;
    }
    if (npos > 1) {
        rx_cli_error("plan takes one spec, got '%s' and '%s'", pos[0], pos[1]);
        return RX_EINVAL;
    }
    if (limit < 0 && limit != INT_MIN) {
        rx_cli_error("option '--limit' needs a number of runs >= 0, got '%d'", limit);
        return RX_EINVAL;
    }
    const char *path = pos[0];
    rx_err err;
    rx_spec *s;
    int rc = rx_spec_load(path, &s, &err);
    for (int i = 0; rc == RX_OK && i < n_sets; i++)
        if ((rc = rx_spec_override(s, sets[i], &err)))
            rx_spec_free(s);
    if (rc) {
        /* spec errors already read "file:line:column: message" */
        if (rc == RX_EINVAL)
            fprintf(stderr, "%s\n", err.msg);
        else
            rx_cli_error("%s", err.msg);
        return rc;
    }
    rx_run_ref *jobs;
    rx_tune_ref *tune;
    int n;
    if ((rc = rx_spec_plan_tune(s, &jobs, &tune, &n, &err))) {
        fprintf(stderr, "%s\n", err.msg);
        rx_spec_free(s);
        return rc;
    }
    /* a command trainer reads its own data: rexsweep's splits are not its */
    int bad_data = 0;
    if (!is_command(s))
        rc = data_problems(&s->grid, jobs, n, &bad_data, &err);
    store_view view = {.path = db ? db : s->store ? s->store : "results/rexsweep.db"};
    if (rc == RX_OK && (view.cells = rx_grid_count_cells(jobs, n)) < 0)
        rc = rx_errf(&err, RX_ENOMEM, "out of memory");
    if (rc == RX_OK && (rc = read_store(&view, jobs, n, &err)))
        rc = rc == RX_EINVAL ? RX_EINVAL : RX_ESTORE;
    rx_search *hs = NULL;
    if (rc == RX_OK && s->search.strategy != RX_STRATEGY_GRID &&
        (rc = halving_of(s, jobs, n, view.exists ? view.path : NULL, &hs, &err)) == RX_EINVAL) {
        fprintf(stderr, "%s\n", err.msg);   /* a spec error: file:line:column */
        rx_search_free(hs);
        free(view.state);
        free(jobs);
        free(tune);
        rx_spec_free(s);
        return rc;
    }
    /* the adaptive lr grid: its extension runs decided by the store's
     * results, listed as the runs are (within --limit) */
    int shown = json ? (limit == INT_MIN || limit == 0 ? INT_MAX : limit)
                     : limit == INT_MIN ? 1000 : limit == 0 ? INT_MAX : limit;
    ext_view xv = {0};
    if (rc == RX_OK)
        rc = ext_plan(s, jobs, tune, n, &view, shown, &xv, &err);
    if (rc == RX_OK)
        rc = json ? print_json(s, jobs, n, limit, &view, hs, &xv, &err)
                  : print_table(s, jobs, n, limit == INT_MIN ? 1000 : limit, &view, &err);
    if (rc == RX_OK && hs && !json)
        rx_cli_search_plan(stdout, s, hs);
    if (rc == RX_OK && !json)
        print_ext_text(&xv, &view);
    ext_view_free(&xv);
    rx_search_free(hs);
    if (rc)
        rx_cli_error("%s", err.msg);
    free(view.state);
    free(jobs);
    free(tune);
    rx_spec_free(s);
    if (rc)
        return rc;
    if (fflush(stdout) != 0) {
        rx_cli_error("cannot write the plan");
        return RX_EIO;
    }
    return bad_data ? RX_EDATA : RX_OK;
}
