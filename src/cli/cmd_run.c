/* cmd_run.c: `rexsweep run`: a sweep spec into the results store. */
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "rx_grid.h"
#include "rx_keys.h"
#include "rx_runner.h"
#include "rx_search.h"
#include "rx_spec.h"
#include "rx_store.h"
#include "rx_table.h"

static const char usage_text[] =
    "usage: rexsweep run SWEEP.yaml [--db FILE] [-j N] [--retry-failed] [--fail-fast]\n"
    "                    [--max-runs K] [--timeout SECONDS] [--shard K/N|slurm[/N]]\n"
    "                    [--set KEY=VALUE]... [--diverged-ok] [--json] [--quiet]\n"
    "                    [--rung K [--from FILE]]\n\n"
    "Trains every run of the sweep that is not done yet and records it in the store.";

/* Stop signals so far: the first stops claiming and interrupts the runs
 * after their step; the second ends the workers at once. */
static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t winch_flag;

static void on_signal(int sig)
{
    (void)sig;
    if (stop_flag < 2)
        stop_flag++;
}

/* Slurm's warning before a time limit (rexsweep slurm --requeue): the
 * first stop, whatever came before; checkpoints are written. */
static void on_usr1(int sig)
{
    (void)sig;
    if (stop_flag < 1)
        stop_flag = 1;
}

static void on_winch(int sig)
{
    (void)sig;
    winch_flag = 1;
}

typedef struct run_ui {
    const rx_grid *g;
    const rx_run_ref *jobs;
    int n;
    int tty, quiet;
    int cols;               /* terminal width (TIOCGWINSZ) */
    double last_draw;
    int told_stop;          /* the stopping notice is printed */
    /* for the throughput and the cost-weighted ETA */
    long steps_done;        /* steps of the runs finished now */
    double cost_done;       /* their cost, weighted by the share trained */
    double cost_gone;       /* their full cost: no longer to do */
    char slot_lr[256][32];  /* per worker slot: its extension run's lr, or "" */
} run_ui;

static int term_cols(void)
{
    struct winsize ws;
    if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* Strips JSON quotes: rx_config_get gives string values quoted. */
static void unquote(char *s)
{
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        memmove(s, s + 1, n - 2);
        s[n - 2] = '\0';
    }
}

/* "rex sgd lr=0.1 budget=25% seed=0" plus any other axis is in the key;
 * ext_lr: an extension run's lr (the adaptive lr grid), or "". */
static void job_label(const rx_grid *g, const rx_run_ref *j, const char *ext_lr, char *buf,
                      size_t size)
{
    char sched[64] = "", opt[32] = "", lr[32] = "", budget[32] = "", seed[32] = "";
    rx_config cfg;
    rx_err err;
    buf[0] = '\0';
    if ((ext_lr[0] ? rx_grid_config_lr(g, j, ext_lr, &cfg, &err)
                   : rx_grid_config(g, j, &cfg, &err)) != RX_OK)
        return;
    rx_config_get(&cfg, "schedule.name", sched, sizeof sched);
    rx_config_get(&cfg, "optimizer.name", opt, sizeof opt);
    rx_config_get(&cfg, "optimizer.lr", lr, sizeof lr);
    rx_config_get(&cfg, "train.seed", seed, sizeof seed);
    snprintf(budget, sizeof budget, "%g%%", cfg.train.budget * 100);
    unquote(sched);
    unquote(opt);
    snprintf(buf, size, "%s %s lr=%s budget=%s seed=%s", sched, opt, lr, budget, seed);
}

/* The job with grid index `index`: the jobs are in grid order (a shard's
 * too), so a binary search. */
static const rx_run_ref *by_index(const run_ui *ui, int index)
{
    int lo = 0, hi = ui->n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (ui->jobs[mid].index == index)
            return &ui->jobs[mid];
        if (ui->jobs[mid].index < index)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

/* Does a KEY=VALUE override change what runs compute (not a runtime
 * setting such as threads or a time limit, which run keys leave out)? */
static int changes_runs(const char *setting)
{
    const char *eq = strchr(setting, '=');
    size_t len = eq ? (size_t)(eq - setting) : strlen(setting);
    int n;
    const rx_param *t = rx_keys(&n);
    for (int i = 0; i < n; i++)
        if (strlen(t[i].key) == len && strncmp(t[i].key, setting, len) == 0)
            return (t[i].flags & RX_KF_RUNTIME) == 0;
    return 1;
}

/*
 * The sweep's identity in the store (sweeps.spec_hash and spec): the spec
 * text, plus the --set overrides that change what runs compute, so that
 * one spec run with other values is another sweep rather than a mix of
 * both.  Without such overrides the spec's own hash and text, as before.
 * *text is malloc'd (the spec text and one "# --set KEY=VALUE" line per
 * override) or NULL when it is the spec's.
 */
static int sweep_identity(const rx_spec *spec, const rx_opt_list *sets, char hash[RX_KEY_LEN + 1],
                          char **text)
{
    size_t len = spec->text_len, extra = 0;
    *text = NULL;
    snprintf(hash, RX_KEY_LEN + 1, "%s", spec->hash);
    for (int i = 0; i < sets->n; i++)
        if (changes_runs(sets->v[i]))
            extra += strlen(sets->v[i]) + 16;
    if (!extra)
        return 0;
    char *t = malloc(len + extra + 2);
    if (!t)
        return -1;
    memcpy(t, spec->text, len);
    if (len && t[len - 1] != '\n')
        t[len++] = '\n';
    for (int i = 0; i < sets->n; i++)
        if (changes_runs(sets->v[i]))
            len += (size_t)sprintf(t + len, "# --set %s\n", sets->v[i]);
    snprintf(hash, RX_KEY_LEN + 1, "%016llx",
             (unsigned long long)rx_hash64(t, len, RX_HASH_INIT));
    *text = t;
    return 0;
}

/* Appends to a line buffer, never past its end. */
static void put(char *line, size_t size, size_t *k, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *line, size_t size, size_t *k, const char *fmt, ...)
{
    if (*k >= size - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(line + *k, size - *k, fmt, ap);
    va_end(ap);
    *k = w < 0 ? *k : *k + (size_t)w >= size ? size - 1 : *k + (size_t)w;
}

/* The status line: counts, time and ETA first (what must survive the
 * cut), then the workers' runs.  The ETA is cost-weighted: the cost
 * left (rx_run_ref.cost of every run still to train, less the share of the
 * runs in flight already trained) over the cost trained per second so
 * far, so that a sweep that runs its small budgets first does not
 * promise to end early. */
static void draw(run_ui *ui, const rx_run_counts *c)
{
    int finished = c->done + c->failed + c->diverged + c->interrupted;
    long steps = ui->steps_done;
    double partial = 0;
    for (int w = 0; w < c->n_slots; w++) {
        const rx_worker_progress *wp = &c->slots[w];
        const rx_run_ref *j = wp->index >= 0 ? by_index(ui, wp->index) : NULL;
        long st = wp->train.step, tot = wp->train.total;
        if (!j || tot <= 0)
            continue;
        steps += st;
        partial += j->cost * (double)st / (double)tot;
    }
    double trained = ui->cost_done + partial;
    double left = c->todo_cost - ui->cost_gone - partial;
    double eta = trained > 0 && c->elapsed > 1 ? (left > 0 ? left : 0) * c->elapsed / trained : NAN;
    char el[32], et[32], line[1024];
    rx_fmt_duration(c->elapsed, el, sizeof el);
    rx_fmt_duration(eta, et, sizeof et);
    size_t k = 0;
    if (c->stopping)
        put(line, sizeof line, &k, "%s ", c->stopping > 1 ? "STOPPING NOW" : "stopping:");
    put(line, sizeof line, &k, "[%d/%d] %d failed %d diverged | %s eta %s",
        c->already_done + finished, c->total, c->failed, c->diverged, el, et);
    if (c->elapsed > 0)
        put(line, sizeof line, &k, " | %.0f steps/s", (double)steps / c->elapsed);
    for (int w = 0; w < c->n_slots; w++) {
        const rx_worker_progress *wp = &c->slots[w];
        const rx_run_ref *j = wp->index >= 0 ? by_index(ui, wp->index) : NULL;
        if (!j)
            continue;
        char lab[160];
        job_label(ui->g, j, w < 256 ? ui->slot_lr[w] : "", lab, sizeof lab);
        if (wp->train.total > 0)
            put(line, sizeof line, &k, " | %ld/%ld %s", (long)wp->train.step,
                (long)wp->train.total, lab);
        else
            put(line, sizeof line, &k, " | starting %s", lab);
    }
    /* one column short of the width: writing the last column makes some
     * terminals wrap, and each redraw would leave a copy behind */
    size_t max = ui->cols > 1 ? (size_t)ui->cols - 1 : 1;
    for (size_t i = 0; i < k; i++)
        if ((unsigned char)line[i] < 32 || (unsigned char)line[i] > 126)
            line[i] = '?';
    if (k > max)
        k = max;
    fprintf(stderr, "\r\033[K%.*s", (int)k, line);
    fflush(stderr);
}

static void on_event(void *ud, const rx_run_event *ev, const rx_run_counts *c)
{
    run_ui *ui = ud;
    if (ev && ev->kind == RX_EV_NOTE) {
        /* warnings always (on stderr), notes unless quiet */
        int warn = strcmp(ev->status, "warning") == 0;
        if (warn || !ui->quiet) {
            if (ui->tty && !ui->quiet)
                fprintf(stderr, "\r\033[K");
            fprintf(stderr, "rexsweep: %s%s\n", warn ? "warning: " : "", ev->error);
        }
        return;
    }
    if (ev && ev->kind == RX_EV_START && ev->worker >= 0 && ev->worker < 256)
        snprintf(ui->slot_lr[ev->worker], sizeof ui->slot_lr[0], "%s", ev->lr);
    if (ev && ev->kind == RX_EV_FINISH) {
        /* an extension run shares its pos and cost with the run it comes
         * from, which by_index finds */
        const rx_run_ref *j = by_index(ui, ev->index);
        if (j) {
            double share = ev->total_steps > 0 ? (double)ev->steps / (double)ev->total_steps : 1;
            ui->cost_done += j->cost * (share < 1 ? share : 1);
            ui->cost_gone += j->cost;
        }
        ui->steps_done += ev->steps;
    }
    if (ev && ev->kind == RX_EV_FINISH && !ui->quiet) {
        const rx_run_ref *j = by_index(ui, ev->index);
        char lab[160] = "";
        if (j)
            job_label(ui->g, j, ev->lr, lab, sizeof lab);
        if (ui->tty)
            fprintf(stderr, "\r\033[K");
        printf("%-11s %s  %s", ev->status, ev->key, lab);
        if (isfinite(ev->test_acc))
            printf("  test_acc=%.4f", ev->test_acc);
        else if (isfinite(ev->test_loss))
            printf("  test_loss=%.4f", ev->test_loss);
        printf("  %.1fs", ev->wall);
        if (ev->resumed_at > 0)
            printf("  resumed at step %ld", ev->resumed_at);
        if (ev->error[0])
            printf("  (%s)", ev->error);
        printf("\n");
        fflush(stdout);
    }
    if (c->stopping && !ui->told_stop && !ui->quiet) {
        ui->told_stop = 1;
        if (ui->tty)
            fprintf(stderr, "\r\033[K");
        fprintf(stderr, "rexsweep: stopping: no new runs; the runs in flight stop after their "
                        "step; a second Ctrl-C stops at once\n");
    }
    if (!ui->tty || ui->quiet)
        return;
    int force = ev != NULL || winch_flag;
    if (winch_flag) {
        winch_flag = 0;
        ui->cols = term_cols();
    }
    double now = rx_now();
    if (force || now - ui->last_draw >= 0.2) {
        ui->last_draw = now;
        draw(ui, c);
    }
}

/* Prints " word", single-quoted for a POSIX shell unless it is plain. */
static void print_shell_word(FILE *f, const char *w)
{
    fputc(' ', f);
    if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                        "_./=:,+%@-") == strlen(w))
        fputs(w, f);
    else
        rx_shell_quote(f, w);
}

/* Parses "K/N" (1-based K), "slurm/N" or "slurm" into a 0-based k and n.
 * Under Slurm the task id is the 0-based shard; N must be explicit unless
 * the array is whole (ids 0..COUNT-1), since a partial rerun such as
 * --array=1,2 has a task count of 2 but belongs to a grid of N shards. */
static int parse_shard(const char *s, int *k, int *n)
{
    if (strncmp(s, "slurm", 5) == 0 && (s[5] == '\0' || s[5] == '/')) {
        const char *id = getenv("SLURM_ARRAY_TASK_ID"), *cnt = getenv("SLURM_ARRAY_TASK_COUNT");
        const char *min = getenv("SLURM_ARRAY_TASK_MIN"), *max = getenv("SLURM_ARRAY_TASK_MAX");
        if (!id) {
            rx_cli_error("--shard %s needs SLURM_ARRAY_TASK_ID (run it inside a Slurm job array)", s);
            return -1;
        }
        *k = atoi(id);
        if (s[5] == '/') {
            *n = atoi(s + 6);
        } else {
            if (!cnt || !min || !max || atoi(min) != 0 || atoi(max) != atoi(cnt) - 1) {
                rx_cli_error("--shard slurm needs a whole array (ids 0..N-1); for a partial "
                           "array give the number of shards: --shard slurm/N");
                return -1;
            }
            *n = atoi(cnt);
        }
    } else {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", s);
        if (!strchr(buf, '/') || sscanf(buf, "%d/%d", k, n) != 2) {
            rx_cli_error("--shard must be K/N (1 <= K <= N), slurm/N or slurm, got '%s'", s);
            return -1;
        }
        (*k)--;
    }
    if (*n < 1 || *k < 0 || *k >= *n) {
        rx_cli_error("--shard '%s' gives shard %d of %d: want 1 <= K <= N", s, *k + 1, *n);
        return -1;
    }
    return 0;
}

/* Keeps the shard's runs of jobs[0..*n), in grid order (only they are
 * ever materialised). */
static int take_shard(rx_run_ref *jobs, rx_tune_ref *tune, int *n, int k, int n_shards,
                      rx_err *err)
{
    int *idx = malloc((size_t)(*n ? *n : 1) * sizeof *idx), m = 0;
    if (!idx)
        return rx_errf(err, RX_ENOMEM, "out of memory");
    /* a tuning cell of an adaptive lr grid stays whole in one shard, which
     * extends it from its own store */
    int rc = rx_grid_shard_tune(jobs, tune, *n, k, n_shards, idx, &m, err);
    for (int i = 0; rc == RX_OK && i < m; i++) {
        jobs[i] = jobs[idx[i]]; /* idx ascends, so i <= idx[i] */
        if (tune)
            tune[i] = tune[idx[i]];
    }
    if (rc == RX_OK)
        *n = m;
    free(idx);
    return rc;
}

/* Halving: the runs of rung k as the results so far decide them (from
 * the store at `from`, read-only; none when it does not exist yet), into
 * jobs[0..*n), this shard's share. */
static int rung_runs(rx_search *hs, const char *from, int k, const rx_run_ref *grid, int n_grid,
                     rx_run_ref *jobs, int *n, int shard_k, int shard_n, rx_err *err)
{
    rx_store *st = NULL;
    struct stat sb;
    int rc = RX_OK;
    if (stat(from, &sb) == 0 && sb.st_size > 0)
        rc = rx_store_open(from, RX_STORE_READONLY, &st, err);
    if (rc == RX_OK)
        rc = rx_search_update(hs, st, err);
    rx_store_close(st);
    if (rc)
        return rc;
    int *idx = malloc((size_t)(n_grid ? n_grid : 1) * sizeof *idx), m;
    if (!idx)
        return rx_errf(err, RX_ENOMEM, "out of memory");
    rx_search_runs(hs, k, idx, &m);
    for (int i = 0; i < m; i++)
        jobs[i] = grid[idx[i]];
    free(idx);
    *n = m;
    return shard_n > 1 ? take_shard(jobs, NULL, n, shard_k, shard_n, err) : RX_OK;
}

/* Adds the counts of one rung to the sweep's. */
static void add_counts(rx_run_counts *sum, const rx_run_counts *c)
{
    sum->total += c->total;
    sum->already_done += c->already_done;
    sum->done += c->done;
    sum->failed += c->failed;
    sum->diverged += c->diverged;
    sum->interrupted += c->interrupted;
    sum->skipped += c->skipped;
    sum->elapsed += c->elapsed;
    sum->end_done += c->end_done;
    sum->end_failed += c->end_failed;
    sum->end_diverged += c->end_diverged;
    sum->end_interrupted += c->end_interrupted;
    sum->end_running += c->end_running;
    sum->end_pending += c->end_pending;
}

int cmd_run(int argc, char **argv)
{
    const char *db = NULL, *shard = NULL, *from = NULL;
    int rung = -1;
    int workers = 1, retry = 0, fail_fast = 0, max_runs = -1, json = 0, quiet = 0;
    int diverged_ok = 0;
    double timeout = 0, ckpt_every = NAN;
    rx_opt_list sets = {{0}, 0};
    const rx_option opts[] = {
        {"db", 0, RX_OPT_STRING, &db, "FILE", "results store (default: the spec's store, else results/rexsweep.db)"},
        {"jobs", 'j', RX_OPT_INT, &workers, "N", "worker processes, one BLAS thread each (default 1)"},
        {"retry-failed", 0, RX_OPT_FLAG, &retry, NULL, "also rerun failed runs (diverged runs are results)"},
        {"fail-fast", 0, RX_OPT_FLAG, &fail_fast, NULL, "stop at the first failed or diverged run"},
        {"max-runs", 0, RX_OPT_INT, &max_runs, "K", "start at most K runs (K >= 1)"},
        {"diverged-ok", 0, RX_OPT_FLAG, &diverged_ok, NULL, "diverged runs are results: exit 0 when every other run is done"},
        {"timeout", 0, RX_OPT_DOUBLE, &timeout, "SECONDS", "stop any run after SECONDS (stored as failed)"},
        {"checkpoint-every", 0, RX_OPT_DOUBLE, &ckpt_every, "SECONDS", "save a run's state once an epoch at most this often, and when stopped; 0: never (default: train.checkpoint_every, 300)"},
        {"shard", 0, RX_OPT_STRING, &shard, "K/N|slurm[/N]", "run only the K-th of N cost-balanced slices"},
        {"set", 0, RX_OPT_LIST, &sets, "KEY=VALUE", "override a key for every run (repeatable)"},
        {"rung", 0, RX_OPT_INT, &rung, "K", "halving, hyperband: run only rung K (0-based), promoted from the results of the rungs below"},
        {"from", 0, RX_OPT_STRING, &from, "FILE", "halving, hyperband: read the results to promote from FILE (read-only), not from --db"},
        {"json", 0, RX_OPT_FLAG, &json, NULL, "print the final summary as JSON"},
        {"quiet", 'q', RX_OPT_FLAG, &quiet, NULL, "print only the final summary"},
    };
    const char *pos[2];
    int npos;
    int prc = rx_parse_options(argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), pos, 2,
                               &npos, usage_text);
    if (prc)
        return prc > 0 ? RX_OK : RX_EINVAL;
    if (npos != 1) {
        rx_cli_error("run needs exactly one sweep spec; see 'rexsweep run --help'");
        return RX_EINVAL;
    }
    if (max_runs == 0) {
        /* 0 used to mean "no limit": refuse it rather than train all */
        rx_cli_error("--max-runs 0 would start no run; to see the grid and what is done without "
                   "training, use 'rexsweep plan'");
        return RX_EINVAL;
    }
    if (workers < 1 || workers > 256 || max_runs < -1 || timeout < 0 || ckpt_every < 0) {
        rx_cli_error("-j must be in [1, 256], --max-runs, --timeout and --checkpoint-every must "
                   "not be negative");
        return RX_EINVAL;
    }
    int shard_k = 0, shard_n = 1;
    if (shard && parse_shard(shard, &shard_k, &shard_n))
        return RX_EINVAL;
    if (rung < -1 || (from && rung < 0)) {
        rx_cli_error("--rung must be 0 or more, and --from goes with --rung");
        return RX_EINVAL;
    }

    rx_err err = {{0}};
    rx_spec *spec = NULL;
    int rc = rx_spec_load(pos[0], &spec, &err);
    for (int i = 0; rc == RX_OK && i < sets.n; i++)
        rc = rx_spec_override(spec, sets.v[i], &err);
    rx_run_ref *jobs = NULL;
    rx_tune_ref *tune = NULL;
    int n = 0;
    if (rc == RX_OK)
        rc = rx_spec_plan_tune(spec, &jobs, &tune, &n, &err);
    if (rc) {
        rx_cli_error("%s", err.msg);
        rx_spec_free(spec);
        return rc;
    }
    int halving = spec->search.strategy != RX_STRATEGY_GRID;  /* or hyperband */
    const char *strategy = spec->search.strategy == RX_STRATEGY_HYPERBAND ? "hyperband" : "halving";
    if (!halving && rung >= 0) {
        rx_cli_error("--rung is for halving and hyperband sweeps, and '%s' is a grid "
                     "(search.strategy)", pos[0]);
        free(jobs);
        free(tune);
        rx_spec_free(spec);
        return RX_EINVAL;
    }
    if (halving && shard_n > 1 && rung < 0) {
        /* a shard must not read the other shards' stores while it runs */
        rx_cli_error("a %s sweep is sharded one rung at a time: give --rung K (and the "
                     "merged results of rung K-1 with --from FILE); see rexsweep-slurm(1)",
                     strategy);
        free(jobs);
        free(tune);
        rx_spec_free(spec);
        return RX_EINVAL;
    }
    if (halving && tune) {
        /* its rungs run subsets of the grid: a cell's lrs are not all there */
        rx_cli_error("'%s': an lr axis that extends (extend:) is for grid sweeps, not for "
                     "search.strategy %s", pos[0], strategy);
        free(jobs);
        free(tune);
        rx_spec_free(spec);
        return RX_EINVAL;
    }
    rx_search *hs = NULL;
    rx_run_ref *grid_runs = jobs;   /* halving: the whole grid, jobs a rung's */
    int n_grid = n;
    if (halving) {
        rc = rx_search_new(spec, grid_runs, n_grid, &hs, &err);
        if (rc == RX_OK && rung >= rx_search_n_rungs(hs))
            rc = rx_errf(&err, RX_EINVAL, "--rung %d: the sweep has %d rungs (0 to %d)", rung,
                         rx_search_n_rungs(hs), rx_search_n_rungs(hs) - 1);
        if (rc == RX_OK && !(jobs = malloc((size_t)(n_grid ? n_grid : 1) * sizeof *jobs)))
            rc = rx_errf(&err, RX_ENOMEM, "out of memory");
        if (rc) {
            rx_cli_error("%s", err.msg);
            rx_search_free(hs);
            if (jobs != grid_runs)
                free(jobs);
            free(grid_runs);
            rx_spec_free(spec);
            return rc;
        }
        n = 0;
    } else if (shard_n > 1 && (rc = take_shard(jobs, tune, &n, shard_k, shard_n, &err))) {
        rx_cli_error("%s", err.msg);
        free(jobs);
        free(tune);
        rx_spec_free(spec);
        return RX_EINVAL;
    }
    if (!db)
        db = spec->store ? spec->store : "results/rexsweep.db";
    if ((rc = rx_store_check_path(db, RX_STORE_CREATE, &err))) {
        rx_cli_error("%s", err.msg);
        free(jobs);
        free(tune);
        rx_spec_free(spec);
        return rc;
    }

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);

    run_ui ui = {0};
    ui.g = &spec->grid;
    ui.jobs = jobs;
    ui.n = n;
    ui.tty = isatty(2) && !json;
    ui.quiet = quiet || json;
    if (ui.tty && !ui.quiet) {
        ui.cols = term_cols();
        sa.sa_handler = on_winch;
        sigaction(SIGWINCH, &sa, NULL);
    }
    char id_hash[RX_KEY_LEN + 1];
    char *id_text = NULL;
    if (sweep_identity(spec, &sets, id_hash, &id_text)) {
        rx_cli_error("out of memory");
        free(jobs);
        free(tune);
        rx_spec_free(spec);
        return RX_EIO;
    }
    rx_runner_opts ro = {0};
    ro.db_path = db;
    ro.sweep_name = spec->name;
    ro.spec_text = id_text ? id_text : spec->text;
    ro.spec_hash = id_hash;
    ro.workers = workers;
    ro.trainer = spec->trainer;
    ro.retry_failed = retry;
    ro.fail_fast = fail_fast;
    ro.max_runs = max_runs > 0 ? max_runs : 0;
    ro.timeout = timeout;
    ro.stale_after = RX_RUNNER_STALE_AFTER;
    ro.checkpoint_every = isnan(ckpt_every) ? -1 : ckpt_every;
    ro.on_event = on_event;
    ro.ud = &ui;
    ro.stop = &stop_flag;
    rx_provenance prov;
    rx_provenance_collect(pos[0], &prov);
    ro.provenance = &prov;
    ro.tune = tune;
    rx_run_counts c;
    memset(&c, 0, sizeof c);
    int missing = 0, started = 0, cut = 0; /* cut: rungs left for a rerun */
    if (!halving) {
        rc = n > 0 ? rx_runner_run(&spec->grid, jobs, n, &ro, &c, &err) : RX_OK;
    } else {
        /* rung after rung: each promotion is decided by the results of the
         * rung below, read back from the store */
        int k0 = rung >= 0 ? rung : 0, k1 = rung >= 0 ? rung + 1 : rx_search_n_rungs(hs);
        for (int k = k0; k < k1 && rc == RX_OK; k++) {
            rx_run_counts ck;
            memset(&ck, 0, sizeof ck);
            rc = rung_runs(hs, from ? from : db, k, grid_runs, n_grid, jobs, &n, shard_k, shard_n,
                           &err);
            int undecided = rc == RX_OK && rung >= 0 ? rx_search_undecided(hs, k) : 0;
            if (undecided) {
                /* a rung job run before the rung below it finished */
                rx_cli_error("rung %d is not finished for %d group%s in '%s': run (and merge) "
                             "rung %d first",
                             k - 1, undecided, undecided == 1 ? "" : "s", from ? from : db, k - 1);
                missing = 1;
                break;
            }
            ui.n = n;
            /* --max-runs and --fail-fast hold for the whole search */
            if (max_runs > 0 && (ro.max_runs = max_runs - started) <= 0) {
                cut = 1;
                break;
            }
            if (rc == RX_OK && n > 0)
                rc = rx_runner_run(&spec->grid, jobs, n, &ro, &ck, &err);
            add_counts(&c, &ck);
            started += ck.done + ck.failed + ck.diverged + ck.interrupted;
            if (fail_fast && ck.failed + ck.diverged > 0) {
                cut = k + 1 < k1;
                break;
            }
        }
        rx_search_free(hs);
        free(grid_runs);
    }
    if (missing) {
        free(jobs);
        free(id_text);
        rx_spec_free(spec);
        return RX_EMISSING;
    }
    if (ui.tty && !ui.quiet)
        fprintf(stderr, "\r\033[K");
    free(jobs);
    free(tune);
    free(id_text);
    if (rc && rc != RX_EINTR) {
        rx_cli_error("%s", err.msg);
        rx_spec_free(spec);
        return rc == RX_EINVAL ? RX_ESTORE : rc;  /* the runner's bad values are the store's */
    }
    /* an lr sweep expects divergence: with --diverged-ok it is a result */
    int complete = c.end_done + (diverged_ok ? c.end_diverged : 0) == c.total && !cut;
    int stopped = rc == RX_EINTR;
    int resumable = c.end_interrupted + c.end_pending;
    if (json) {
        printf("{");
        rx_json_kv_str(stdout, "sweep", spec->name, 1);
        rx_json_kv_str(stdout, "store", db, 1);
        rx_json_kv_int(stdout, "total", c.total, 1);
        rx_json_kv_int(stdout, "done", c.end_done, 1);
        rx_json_kv_int(stdout, "done_now", c.done, 1);
        rx_json_kv_int(stdout, "failed", c.end_failed, 1);
        rx_json_kv_int(stdout, "diverged", c.end_diverged, 1);
        rx_json_kv_int(stdout, "skipped", c.skipped, 1);
        rx_json_kv_int(stdout, "interrupted", c.end_interrupted, 1);
        rx_json_kv_int(stdout, "running", c.end_running, 1);
        rx_json_kv_int(stdout, "pending", c.end_pending, 1);
        rx_json_kv_num(stdout, "seconds", round(c.elapsed * 1000) / 1000, 1);
        rx_json_kv_str(stdout, "status", stopped ? "interrupted" : complete ? "ok" : "incomplete", 0);
        printf("}\n");
    } else {
        printf("%s: %d runs: %d done (%d now), %d failed, %d diverged, %d skipped, %d interrupted"
               ", %d running, %d pending; %.1fs; store %s\n",
               spec->name, c.total, c.end_done, c.done, c.end_failed, c.end_diverged, c.skipped,
               c.end_interrupted, c.end_running, c.end_pending, c.elapsed, db);
        /* what to rerun: the same command resumes the interrupted runs
         * first, then the pending ones; what finished is never redone */
        if (stopped && resumable > 0) {
            printf("%s: stopped; %d interrupted and %d pending runs remain; to finish them, "
                   "run the same command again: rexsweep",
                   spec->name, c.end_interrupted, c.end_pending);
            for (int i = 0; i < argc; i++)
                print_shell_word(stdout, argv[i]);
            printf("\n");
        }
    }
    if (c.end_done > 0)        /* the protocol's own problems; JSON stays clean */
        rx_cli_warnings(db, spec->name, json ? stderr : stdout, 0, 1);
    rx_spec_free(spec);
    if (rc == RX_EINTR)
        return RX_EINTR;
    return complete ? RX_OK : RX_EFAILED;
}
