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
    const char *sweep;     /* NULL: every sweep */
    int json;
    int single;            /* one store (--db): an unknown --sweep is an error */
    double now;            /* seconds since the epoch */
    char host[256];
} status_opts;

/* ---- per sweep -------------------------------------------------------- */

typedef struct sweep_row {
    long long id;
    char name[128];
    long long runs, done, running, failed, diverged, interrupted, pending;
    long long live;        /* running and not stale */
    double cost_trained;   /* cost (budget x epochs) trained, done runs and
                              the share of the runs in flight */
    double seconds;        /* worker-seconds spent on it */
    double cost_left;      /* cost still to train */
    double eta;            /* seconds; NaN unknown, -1 nothing running */
} sweep_row;

typedef struct sweep_list {
    sweep_row *v;
    int n, cap;
} sweep_list;

static double num(const rx_value *v)
{
    double x;
    return rx_value_number(v, &x) ? x : 0;
}

static int sweep_cb(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    sweep_list *l = ud;
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 8;
        sweep_row *p = realloc(l->v, (size_t)cap * sizeof *p);
        if (!p)
            return 1;
        l->v = p;
        l->cap = cap;
    }
    sweep_row *r = &l->v[l->n++];
    memset(r, 0, sizeof *r);
    r->id = v[0].i;
    snprintf(r->name, sizeof r->name, "%s", v[1].s ? v[1].s : "");
    long long *c[] = {&r->runs, &r->done, &r->running, &r->failed, &r->diverged,
                      &r->interrupted, &r->pending, &r->live};
    for (int i = 0; i < 8; i++)
        *c[i] = (long long)num(&v[2 + i]);
    r->cost_trained = num(&v[10]);
    r->seconds = num(&v[11]);
    r->cost_left = num(&v[12]);
    /* the cost trained per worker-second so far, times the workers alive */
    if (r->live == 0)
        r->eta = r->cost_left > 0 ? -1 : 0;
    else if (r->cost_trained > 0 && r->seconds > 0)
        r->eta = r->cost_left / (r->cost_trained / r->seconds * (double)r->live);
    else
        r->eta = NAN;
    return 0;
}

/* A run in flight is stale when its worker was on this host and is gone,
 * or when its heartbeat is older than the runner's limit: the same test
 * as rx_store_claim's, so status says what `run` will do. */
#define STALE_SQL(r)                                                          \
    "((" r "worker_host = ?3 AND NOT rx_pid_alive(" r "worker_pid)) OR "      \
    r "heartbeat < ?1 - ?2)"
/* Its share trained, from the progress its worker records. */
#define SHARE_SQL(r) \
    "coalesce(CASE WHEN " r "steps > 0 THEN 1.0 * " r "steps_done / " r "steps END, 0)"

static const char sweep_sql[] =
    "SELECT s.id, s.name, count(*), sum(r.status = 'done'), sum(r.status = 'running'),"
    " sum(r.status = 'failed'), sum(r.status = 'diverged'), sum(r.status = 'interrupted'),"
    " sum(r.status = 'pending'),"
    " sum(r.status = 'running' AND NOT " STALE_SQL("r.") "),"
    " total(CASE WHEN r.status = 'done' THEN r.budget * r.full_epochs"
    "  WHEN r.status = 'running' THEN r.budget * r.full_epochs * " SHARE_SQL("r.") " END),"
    " total(CASE WHEN r.status = 'done' THEN r.wall"
    "  WHEN r.status = 'running' THEN max(?1 - r.started, 0) END),"
    " total(CASE WHEN r.status IN ('pending', 'interrupted') THEN r.budget * r.full_epochs"
    "  WHEN r.status = 'running' THEN r.budget * r.full_epochs * (1 - " SHARE_SQL("r.") ") END)"
    " FROM sweeps s JOIN sweep_runs l ON l.sweep = s.id JOIN runs r ON r.key = l.key"
    " WHERE ?4 IS NULL OR s.name = ?4 GROUP BY s.id ORDER BY s.id";

/* ---- runs in flight --------------------------------------------------- */

typedef struct flight_ctx {
    const status_opts *o;
    int stale;             /* listing: 0 the live runs, 1 the stale ones */
    int n;
    FILE *f;
} flight_ctx;

static const char flight_sql[] =
    "SELECT r.key, r.worker_host, r.worker_pid, r.steps_done, r.steps, ?1 - r.heartbeat,"
    " ?1 - r.started, r.schedule, r.optimizer, r.lr, r.budget, r.seed,"
    " (r.worker_host = ?3 AND NOT rx_pid_alive(r.worker_pid)),"
    " (SELECT group_concat(name, ',') FROM (SELECT DISTINCT s.name FROM sweep_runs l"
    "   JOIN sweeps s ON s.id = l.sweep WHERE l.key = r.key))"
    " FROM runs r WHERE r.status = 'running' AND " STALE_SQL("r.") " = ?5"
    " AND (?4 IS NULL OR EXISTS (SELECT 1 FROM sweep_runs l JOIN sweeps s"
    "   ON s.id = l.sweep WHERE l.key = r.key AND s.name = ?4))"
    " ORDER BY r.started, r.key";

static void fmt_progress(const rx_value *v, char *buf, size_t size)
{
    double done, steps;
    if (rx_value_number(&v[3], &done) && rx_value_number(&v[4], &steps) && steps > 0)
        snprintf(buf, size, "%.0f/%.0f %3.0f%%", done, steps, 100 * done / steps);
    else
        snprintf(buf, size, "starting");
}

static void fmt_run(const rx_value *v, char *buf, size_t size)
{
    char lr[32], budget[32];
    rx_fmt_num(num(&v[9]), lr, sizeof lr);
    rx_fmt_num(100 * num(&v[10]), budget, sizeof budget);
    snprintf(buf, size, "%s %s lr=%s budget=%s%% seed=%lld", v[7].s ? v[7].s : "?",
             v[8].s ? v[8].s : "?", lr, budget, (long long)v[11].i);
}

/* Why a run is stale, and what `rexsweep run` will do with it. */
static void fmt_stale(const flight_ctx *c, const rx_value *v, char *why, size_t size)
{
    char age[32];
    rx_fmt_duration(num(&v[5]), age, sizeof age);
    if (v[12].i)
        snprintf(why, size, "worker %lld on this host is gone", (long long)v[2].i);
    else
        snprintf(why, size, "no heartbeat for %s", age);
}

static int flight_cb(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    flight_ctx *c = ud;
    char prog[64], run[256], age[32], why[128];
    fmt_progress(v, prog, sizeof prog);
    fmt_run(v, run, sizeof run);
    rx_fmt_duration(num(&v[5]), age, sizeof age);
    if (c->o->json) {
        fprintf(c->f, "%s{", c->n ? "," : "");
        rx_json_kv_str(c->f, "key", v[0].s, 1);
        rx_json_kv_str(c->f, "sweep", v[13].s, 1);
        rx_json_kv_str(c->f, "host", v[1].s, 1);
        rx_json_kv_int(c->f, "pid", v[2].i, 1);
        rx_json_kv_num(c->f, "steps_done", v[3].type == RX_VINT ? (double)v[3].i : NAN, 1);
        rx_json_kv_num(c->f, "steps", v[4].type == RX_VINT ? (double)v[4].i : NAN, 1);
        rx_json_kv_num(c->f, "heartbeat_age", round(num(&v[5]) * 10) / 10, 1);
        rx_json_kv_num(c->f, "running_for", round(num(&v[6]) * 10) / 10, 1);
        if (c->stale) {
            fmt_stale(c, v, why, sizeof why);
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
            fmt_stale(c, v, why, sizeof why);
            fprintf(c->f, "    %-16s  %-12.12s %7lld  %-18s  %s; %s\n", v[0].s,
                    v[1].s ? v[1].s : "?", (long long)v[2].i, prog, why, run);
        } else {
            fprintf(c->f, "    %-16s  %-12.12s %7lld  %-18s %5s ago  %s\n", v[0].s,
                    v[1].s ? v[1].s : "?", (long long)v[2].i, prog, age, run);
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
    rx_value b[5] = {rx_vreal(o->now), rx_vreal(RX_RUNNER_STALE_AFTER), rx_vtext(o->host),
                     o->sweep ? rx_vtext(o->sweep) : rx_vnull(), rx_vint(0)};
    rx_err err = {{0}};
    sweep_list l = {0};
    if (rx_store_query(st, sweep_sql, b, 4, sweep_cb, &l, &err)) {
        rx_die_msg("%s", err.msg[0] ? err.msg : "out of memory");
        free(l.v);
        rx_store_close(st);
        return RX_EXIT_IO;
    }
    if (o->sweep && l.n == 0 && o->single) {
        rx_die_msg("no sweep named '%s' in '%s'", o->sweep, path);
        rx_store_close(st);
        return RX_EXIT_USAGE;
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
            fprintf(f, "  no sweep%s%s%s\n", o->sweep ? " named '" : "",
                    o->sweep ? o->sweep : "", o->sweep ? "'" : "");
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
        b[4] = rx_vint(stale);
        if (o->json) {
            rx_json_key(f, stale ? "stale" : "running");
            fputc('[', f);
        }
        if (rx_store_query(st, flight_sql, b, 5, flight_cb, &c, &err)) {
            rx_die_msg("%s", err.msg);
            rx_store_close(st);
            return RX_EXIT_IO;
        }
        if (o->json)
            fputs(stale ? "]" : "],", f);
    }
    if (o->json)
        fputc('}', f);
    rx_store_close(st);
    return RX_EXIT_OK;
}

/* The status of every store once.  Returns an exit code. */
static int status_once(const char *db, const char *dir, status_opts *o)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    o->now = (double)tv.tv_sec + tv.tv_usec * 1e-6;
    glob_t g = {0};
    const char **paths = &db;
    size_t n = 1;
    if (dir) {
        char pat[4096];
        snprintf(pat, sizeof pat, "%s/*.db", dir);
        int gr = glob(pat, 0, NULL, &g);
        if (gr != 0) {
            rx_die_msg("no stores (*.db) in '%s'", dir);
            globfree(&g);
            return RX_EXIT_IO;
        }
        paths = (const char **)g.gl_pathv;
        n = g.gl_pathc;
    }
    int rc = RX_EXIT_OK;
    if (o->json)
        fputs("{\"stores\":[", stdout);
    for (size_t i = 0; i < n && rc == RX_EXIT_OK; i++)
        rc = status_store(paths[i], o, i == 0, stdout);
    if (o->json && rc == RX_EXIT_OK)
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
        {"sweep", 0, RX_OPT_STRING, &o.sweep, "NAME", "only the sweeps of this name"},
        {"watch", 0, RX_OPT_DOUBLE, &watch, "SECONDS", "show it again every SECONDS until interrupted"},
        {"json", 0, RX_OPT_FLAG, &o.json, NULL, "print it as JSON (one object per line with --watch)"},
    };
    int rc = rx_cli_options_only(argc, argv, opts, (int)(sizeof opts / sizeof opts[0]),
                                 usage_text);
    if (rc >= 0)
        return rc;
    if (db && dir) {
        rx_die_msg("--db and --store-dir exclude each other");
        return RX_EXIT_USAGE;
    }
    if (watch < 0 || (watch > 0 && watch < 0.1)) {
        rx_die_msg("--watch must be at least 0.1 seconds, got %g", watch);
        return RX_EXIT_USAGE;
    }
    if (!db)
        db = "results/rexsweep.db";
    o.single = dir == NULL;
    gethostname(o.host, sizeof o.host - 1);
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
