/*
 * cmd_status.c: `rexsweep status`: what a store holds while other
 * processes write it: per sweep the runs by state and an ETA, the runs in
 * flight with their worker, progress and heartbeat age, and the stale
 * runs with what will happen to them.  It opens every store read-only
 * (no write lock, ever: WAL readers never wait for the writer).
 */
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "rx_runner.h"
#include "rx_store.h"
#include "rx_table.h"

static const char usage_text[] =
    "usage: rexsweep status [--db FILE | --store-dir DIR] [--sweep NAME] [--watch SECONDS]\n"
    "                       [--json]\n\n"
    "Shows the runs of a store by state with an ETA per sweep, the runs in flight\n"
    "(host, pid, progress, heartbeat age) and the stale ones, while other processes\n"
    "write it.  Read-only: it never takes the store's write lock.";

typedef struct status_opts {
    rx_status_query q;     /* q.sweep NULL: every sweep */
    int json;
    int single;            /* one store (--db): an unknown --sweep is an error */
} status_opts;

/* ---- per sweep -------------------------------------------------------- */

typedef struct sweep_row {
    long long id;
    char name[128];
    long long runs, done, running, failed, diverged, interrupted, pending;
    long long live;        /* running and not stale */
    double cost_left;      /* cost still to train */
    double eta;            /* seconds; NaN unknown, -1 nothing running */
} sweep_row;

typedef struct sweep_list {
    sweep_row *v;
    int n, cap;
} sweep_list;

static int sweep_cb(void *ud, const rx_sweep_progress *p)
{
    sweep_list *l = ud;
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 8;
        sweep_row *v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v)
            return 1;
        l->v = v;
        l->cap = cap;
    }
    sweep_row *r = &l->v[l->n++];
    memset(r, 0, sizeof *r);
    r->id = p->id;
    snprintf(r->name, sizeof r->name, "%s", p->name);
    r->runs = p->runs;
    r->done = p->done;
    r->running = p->running;
    r->failed = p->failed;
    r->diverged = p->diverged;
    r->interrupted = p->interrupted;
    r->pending = p->pending;
    r->live = p->live;
    r->cost_left = p->cost_left;
    /* the cost trained per worker-second so far, times the workers alive */
    if (r->live == 0)
        r->eta = r->cost_left > 0 ? -1 : 0;
    else if (p->cost_trained > 0 && p->seconds > 0)
        r->eta = r->cost_left / (p->cost_trained / p->seconds * (double)r->live);
    else
        r->eta = NAN;
    return 0;
}

/* ---- runs in flight --------------------------------------------------- */

typedef struct flight_ctx {
    const status_opts *o;
    int stale;             /* listing: 0 the live runs, 1 the stale ones */
    int n;
    FILE *f;
} flight_ctx;

static void fmt_progress(const rx_flight_run *r, char *buf, size_t size)
{
    if (!isnan(r->steps_done) && !isnan(r->steps) && r->steps > 0)
        snprintf(buf, size, "%.0f/%.0f %3.0f%%", r->steps_done, r->steps,
                 100 * r->steps_done / r->steps);
    else
        snprintf(buf, size, "starting");
}

static void fmt_run(const rx_flight_run *r, char *buf, size_t size)
{
    char lr[32], budget[32];
    rx_fmt_num(r->lr, lr, sizeof lr);
    rx_fmt_num(100 * r->budget, budget, sizeof budget);
    snprintf(buf, size, "%s %s lr=%s budget=%s%% seed=%lld", r->schedule ? r->schedule : "?",
             r->optimizer ? r->optimizer : "?", lr, budget, r->seed);
}

/* Why a run is stale, and what `rexsweep run` will do with it. */
static void fmt_stale(const rx_flight_run *r, char *why, size_t size)
{
    char age[32];
    rx_fmt_duration(r->heartbeat_age, age, sizeof age);
    if (r->worker_gone)
        snprintf(why, size, "worker %lld on this host is gone", r->pid);
    else
        snprintf(why, size, "no heartbeat for %s", age);
}

static int flight_cb(void *ud, const rx_flight_run *r)
{
    flight_ctx *c = ud;
    char prog[64], run[256], age[32], why[128];
    fmt_progress(r, prog, sizeof prog);
    fmt_run(r, run, sizeof run);
    rx_fmt_duration(r->heartbeat_age, age, sizeof age);
    if (c->o->json) {
        fprintf(c->f, "%s{", c->n ? "," : "");
        rx_json_kv_str(c->f, "key", r->key, 1);
        rx_json_kv_str(c->f, "sweep", r->sweeps, 1);
        rx_json_kv_str(c->f, "host", r->host, 1);
        rx_json_kv_int(c->f, "pid", r->pid, 1);
        rx_json_kv_num(c->f, "steps_done", r->steps_done, 1);
        rx_json_kv_num(c->f, "steps", r->steps, 1);
        rx_json_kv_num(c->f, "heartbeat_age", round(r->heartbeat_age * 10) / 10, 1);
        rx_json_kv_num(c->f, "running_for", round(r->running_for * 10) / 10, 1);
        if (c->stale) {
            fmt_stale(r, why, sizeof why);
            rx_json_kv_str(c->f, "why", why, 1);
            rx_json_kv_str(c->f, "action", "claimed again by the next 'rexsweep run' of its sweep", 1);
        }
        rx_json_kv_str(c->f, "run", run, 0);
        fputc('}', c->f);
    } else {
        if (c->n == 0 && !c->stale)
            fprintf(c->f, "  running:\n    %-16s  %-12s %7s  %-18s %9s  %s\n", "key", "host",
                    "pid", "progress", "heartbeat", "run");
        if (c->n == 0 && c->stale)
            fprintf(c->f, "  stale (the next 'rexsweep run' of its sweep claims it again):\n"
                          "    %-16s  %-12s %7s  %-18s  %s\n", "key", "host", "pid", "progress",
                    "why");
        if (c->stale) {
            fmt_stale(r, why, sizeof why);
            fprintf(c->f, "    %-16s  %-12.12s %7lld  %-18s  %s; %s\n", r->key,
                    r->host ? r->host : "?", r->pid, prog, why, run);
        } else {
            fprintf(c->f, "    %-16s  %-12.12s %7lld  %-18s %5s ago  %s\n", r->key,
                    r->host ? r->host : "?", r->pid, prog, age, run);
        }
    }
    c->n++;
    return 0;
}

/* ---- one store -------------------------------------------------------- */

/* Prints the status of the store at path.  Returns an exit code. */
static int status_store(const char *path, const status_opts *o, int first, FILE *f)
{
    rx_store *st = NULL;
    int rc = rx_cli_open_store(path, &st);
    if (rc)
        return rc;
    rx_err err = {{0}};
    sweep_list l = {0};
    if (rx_store_sweep_progress(st, &o->q, sweep_cb, &l, &err)) {
        rx_cli_error("%s", err.msg[0] ? err.msg : "out of memory");
        free(l.v);
        rx_store_close(st);
        return RX_EIO;
    }
    if (o->q.sweep && l.n == 0 && o->single) {
        rx_cli_error("no sweep named '%s' in '%s'", o->q.sweep, path);
        rx_store_close(st);
        return RX_EINVAL;
    }
    if (o->json) {
        fprintf(f, "%s{", first ? "" : ",");
        rx_json_kv_str(f, "store", path, 1);
        rx_json_key(f, "sweeps");
        fputc('[', f);
        for (int i = 0; i < l.n; i++) {
            const sweep_row *r = &l.v[i];
            fprintf(f, "%s{", i ? "," : "");
            rx_json_kv_int(f, "id", r->id, 1);
            rx_json_kv_str(f, "name", r->name, 1);
            rx_json_kv_int(f, "runs", r->runs, 1);
            rx_json_kv_int(f, "done", r->done, 1);
            rx_json_kv_int(f, "running", r->running, 1);
            rx_json_kv_int(f, "failed", r->failed, 1);
            rx_json_kv_int(f, "diverged", r->diverged, 1);
            rx_json_kv_int(f, "interrupted", r->interrupted, 1);
            rx_json_kv_int(f, "pending", r->pending, 1);
            rx_json_kv_int(f, "stale", r->running - r->live, 1);
            rx_json_kv_num(f, "eta_seconds", r->eta < 0 ? NAN : round(r->eta), 0);
            fputc('}', f);
        }
        fputs("],", f);
    } else {
        fprintf(f, "%s%s\n", first ? "" : "\n", path);
        if (l.n == 0)
            fprintf(f, "  no sweep%s%s%s\n", o->q.sweep ? " named '" : "",
                    o->q.sweep ? o->q.sweep : "", o->q.sweep ? "'" : "");
        else
            fprintf(f, "  %-24s %6s %6s %7s %6s %8s %11s %7s  %s\n", "sweep", "runs", "done",
                    "running", "failed", "diverged", "interrupted", "pending", "eta");
        for (int i = 0; i < l.n; i++) {
            const sweep_row *r = &l.v[i];
            char eta[32], name[160];
            if (r->eta < 0)
                snprintf(eta, sizeof eta, "- (nothing running)");
            else if (r->cost_left <= 0)
                snprintf(eta, sizeof eta, "finished");
            else
                rx_fmt_duration(r->eta, eta, sizeof eta);
            snprintf(name, sizeof name, "%s #%lld", r->name, r->id);
            fprintf(f, "  %-24s %6lld %6lld %7lld %6lld %8lld %11lld %7lld  %s\n", name, r->runs,
                    r->done, r->running, r->failed, r->diverged, r->interrupted, r->pending,
                    eta);
        }
    }
    free(l.v);
    /* the runs in flight, then the stale ones */
    for (int stale = 0; stale < 2; stale++) {
        flight_ctx c = {o, stale, 0, f};
        if (o->json) {
            rx_json_key(f, stale ? "stale" : "running");
            fputc('[', f);
        }
        if (rx_store_runs_in_flight(st, &o->q, stale, flight_cb, &c, &err)) {
            rx_cli_error("%s", err.msg);
            rx_store_close(st);
            return RX_EIO;
        }
        if (o->json)
            fputs(stale ? "]" : "],", f);
    }
    if (o->json)
        fputc('}', f);
    rx_store_close(st);
    return RX_OK;
}

/* The status of every store once.  Returns an exit code. */
static int status_once(const char *db, const char *dir, status_opts *o)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    o->q.now = (double)tv.tv_sec + tv.tv_usec * 1e-6;
    glob_t g = {0};
    const char **paths = &db;
    size_t n = 1;
    if (dir) {
        char pat[4096];
        snprintf(pat, sizeof pat, "%s/*.db", dir);
        int gr = glob(pat, 0, NULL, &g);
        if (gr != 0) {
            rx_cli_error("no stores (*.db) in '%s'", dir);
            globfree(&g);
            return RX_EIO;
        }
        paths = (const char **)g.gl_pathv;
        n = g.gl_pathc;
    }
    int rc = RX_OK;
    if (o->json)
        fputs("{\"stores\":[", stdout);
    for (size_t i = 0; i < n && rc == RX_OK; i++)
        rc = status_store(paths[i], o, i == 0, stdout);
    if (o->json && rc == RX_OK)
        fputs("]}\n", stdout);
    fflush(stdout);
    globfree(&g);
    return rc;
}

int cmd_status(int argc, char **argv)
{
    const char *db = NULL, *dir = NULL;
    double watch = 0;
    status_opts o = {0};
    const rx_option opts[] = {
        {"db", 0, RX_OPT_STRING, &db, "FILE", "results store (default results/rexsweep.db)"},
        {"store-dir", 0, RX_OPT_STRING, &dir, "DIR", "every store DIR/*.db (Slurm shard stores)"},
        {"sweep", 0, RX_OPT_STRING, &o.q.sweep, "NAME", "only the sweeps of this name"},
        {"watch", 0, RX_OPT_DOUBLE, &watch, "SECONDS", "show it again every SECONDS until interrupted"},
        {"json", 0, RX_OPT_FLAG, &o.json, NULL, "print it as JSON (one object per line with --watch)"},
    };
    int rc = rx_cli_options_only(argc, argv, opts, (int)(sizeof opts / sizeof opts[0]),
                                 usage_text);
    if (rc >= 0)
        return rc;
    if (db && dir) {
        rx_cli_error("--db and --store-dir exclude each other");
        return RX_EINVAL;
    }
    if (watch < 0 || (watch > 0 && watch < 0.1)) {
        rx_cli_error("--watch must be at least 0.1 seconds, got %g", watch);
        return RX_EINVAL;
    }
    if (!db)
        db = "results/rexsweep.db";
    o.single = dir == NULL;
    o.q.stale_after = RX_RUNNER_STALE_AFTER;
    int clear = watch > 0 && !o.json && isatty(1);
    for (;;) {
        if (clear)
            fputs("\033[H\033[2J", stdout);
        rc = status_once(db, dir, &o);
        if (rc || watch <= 0)
            return rc;
        if (!clear && !o.json)
            fputc('\n', stdout);
        fflush(stdout);
        struct timespec ts = {(time_t)watch, (long)((watch - floor(watch)) * 1e9)};
        nanosleep(&ts, NULL);
    }
}
