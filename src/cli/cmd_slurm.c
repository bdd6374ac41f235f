/*
 * cmd_slurm.c: `rexsweep slurm`: a sweep as a Slurm job array.
 *
 * SQLite must not be shared over a network filesystem, so every array task
 * writes its own shard store, DIR/shard-K.db, and `rexsweep merge` joins
 * them afterwards.  Task K runs the (K+1)-th of N cost-balanced slices of
 * the grid (rx_grid_shard), with N written into the script rather than
 * read from SLURM_ARRAY_TASK_COUNT: `sbatch --array=<ids>` of the same
 * script must re-run exactly those shards, and a partial array has a
 * different task count.  rexsweep schedules nothing itself.
 *
 * DIR holds: rexsweep-array.sbatch and rexsweep-merge.sbatch (the
 * scripts), jobs.txt (one line per submitted job), logs/ and the shards.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "rx_extend.h"
#include "rx_grid.h"
#include "rx_spec.h"
#include "rx_store.h"

static const char usage_text[] =
    "usage: rexsweep slurm SWEEP.yaml [--tasks N] [--partition P] [--time T]\n"
    "                      [--cpus-per-task C] [--mem M] [--store-dir DIR] [--db OUT.db]\n"
    "                      [--set KEY=VALUE]... [--rexsweep PATH]\n"
    "                      [--submit] [--merge] [--resubmit-failed] [--requeue]\n\n"
    "Writes a Slurm job array for the sweep: task K runs the K-th cost-balanced\n"
    "shard into DIR/shard-K.db.  Prints the script for review, or submits it\n"
    "with --submit; --merge adds a job that merges the shards into OUT.db when\n"
    "the array has finished.  --resubmit-failed resubmits the tasks whose shard\n"
    "is incomplete.";

#define ARRAY_SCRIPT "rexsweep-array.sbatch"
#define MERGE_SCRIPT "rexsweep-merge.sbatch"
#define JOBS_FILE "jobs.txt"
#define DEFAULT_TASKS 16
#define MAX_TASKS 100000       /* beyond any MaxArraySize */

/* How long before its time limit a task is told to checkpoint and go
 * back to the queue (--requeue). */
#define RX_SLURM_SIGNAL_SECONDS 120

typedef struct slurm_args {
    const char *spec;
    int tasks;                 /* 0 = default (or the script's, on resubmit) */
    int cpus;
    const char *partition, *time, *mem, *store_dir, *db, *rexsweep;
    int submit, merge, resubmit;
    int requeue;               /* USR1 before the time limit: checkpoint, requeue */
    rx_opt_list sets;
} slurm_args;

/* Everything the scripts need, resolved: absolute paths, the grid. */
typedef struct slurm_plan {
    char spec_path[PATH_MAX], bin[PATH_MAX], cwd[PATH_MAX];
    char dir[PATH_MAX], db[PATH_MAX];
    char array_script[PATH_MAX + 32], merge_script[PATH_MAX + 32];
    char name[128];
    char grid_hash[RX_KEY_LEN + 1];  /* of the sorted run keys */
    int n_runs, tasks;
    rx_run_ref *jobs;           /* compact: keys and costs only */
    rx_tune_ref *tune;          /* their tuning cells (an adaptive lr grid:
                                   shards keep cells whole), or NULL */
    int n_jobs;
    rx_spec *spec;              /* kept for the extension runs of those
                                   cells (a shard's completeness) */
} slurm_plan;

/* Characters that a value on an #SBATCH line cannot carry safely (sbatch
 * splits those lines on blanks; the rest would need shell quoting). */
static int plain_word(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (strchr(" \t\n\r'\"\\$`;&|<>()*?[]{}#~", *s))
            return 0;
    return 1;
}

/* The absolute form of path, which need not exist yet (its directory
 * must). */
static int absolute(const char *path, char *out, size_t size, rx_err *err)
{
    char buf[PATH_MAX], dir[PATH_MAX];
    if (realpath(path, buf)) {
        if (strlen(buf) >= size)
            return rx_errf(err, RX_EINVAL, "path '%s' is too long", path);
        strcpy(out, buf);
        return RX_OK;
    }
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || !realpath(dir, buf))
        return rx_errf(err, RX_EIO, "cannot resolve '%s': %s", path, strerror(errno));
    if ((size_t)snprintf(out, size, "%s/%s", strcmp(buf, "/") ? buf : "", base) >= size)
        return rx_errf(err, RX_EINVAL, "path '%s' is too long", path);
    return RX_OK;
}

/* mkdir -p */
static int make_dirs(const char *path, rx_err *err)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || !*p) {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0777) && errno != EEXIST)
                return rx_errf(err, RX_EIO, "cannot create directory '%s': %s", buf, strerror(errno));
            *p = c;
            if (!c)
                return RX_OK;
        }
    }
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A fingerprint of the set of run keys, written into the array script so
 * that --resubmit-failed can tell that it sees the same grid. */
static int grid_hash(const rx_run_ref *jobs, int n, char out[RX_KEY_LEN + 1], rx_err *err)
{
    const char **keys = malloc((size_t)(n ? n : 1) * sizeof *keys);
    if (!keys)
        return rx_errf(err, RX_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++)
        keys[i] = jobs[i].key;
    qsort(keys, (size_t)n, sizeof *keys, cmp_key);
    uint64_t h = RX_HASH_INIT;
    for (int i = 0; i < n; i++)
        h = rx_hash64(keys[i], strlen(keys[i]) + 1, h);
    free(keys);
    snprintf(out, RX_KEY_LEN + 1, "%016llx", (unsigned long long)h);
    return RX_OK;
}

/* Loads the spec with the overrides, expands it and resolves every path. */
static int make_plan(const slurm_args *a, slurm_plan *p, rx_err *err)
{
    rx_spec *spec = NULL;
    int rc = rx_spec_load(a->spec, &spec, err);
    for (int i = 0; rc == RX_OK && i < a->sets.n; i++)
        rc = rx_spec_override(spec, a->sets.v[i], err);
    if (rc == RX_OK && spec->search.strategy != RX_STRATEGY_GRID)
        /* an array of shards cannot promote between rungs: each rung is an
         * array of its own, after the merge of the one below */
        rc = rx_errf(err, RX_EINVAL,
                     "'%s' is a %s sweep, which runs one array per rung with a merge "
                     "between them: see HALVING SWEEPS in rexsweep-slurm(1)",
                     a->spec, spec->search.strategy == RX_STRATEGY_HALVING ? "halving"
                                                                           : "hyperband");
    if (rc == RX_OK)
        rc = rx_spec_plan_tune(spec, &p->jobs, &p->tune, &p->n_jobs, err);
    p->spec = spec;             /* freed with the plan */
    if (rc)
        return rc;
    p->n_runs = p->n_jobs;
    /* The name goes into #SBATCH lines and comments: keep it one word. */
    snprintf(p->name, sizeof p->name, "%s", spec->name);
    for (char *c = p->name; *c; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *c))
            *c = '_';
    char dflt_dir[PATH_MAX];
    snprintf(dflt_dir, sizeof dflt_dir, "%s.shards", p->name);
    const char *db = a->db ? a->db : spec->store ? spec->store : "results/rexsweep.db";
    const char *dir = a->store_dir ? a->store_dir : dflt_dir;
    rc = absolute(a->spec, p->spec_path, sizeof p->spec_path, err);
    if (rc)
        return rc;
    if (p->n_runs == 0)
        return rx_errf(err, RX_EINVAL, "the sweep '%s' has no runs", a->spec);
    if ((rc = grid_hash(p->jobs, p->n_jobs, p->grid_hash, err)))
        return rc;
    if (a->rexsweep) {
        if ((rc = absolute(a->rexsweep, p->bin, sizeof p->bin, err)))
            return rc;
    } else {
        ssize_t k = readlink("/proc/self/exe", p->bin, sizeof p->bin - 1);
        if (k <= 0)
            return rx_errf(err, RX_EIO, "cannot find the rexsweep binary; give --rexsweep PATH");
        p->bin[k] = '\0';
    }
    if (access(p->bin, X_OK))
        return rx_errf(err, RX_EINVAL, "'%s' is not an executable; give --rexsweep PATH", p->bin);
    if (!getcwd(p->cwd, sizeof p->cwd))
        return rx_errf(err, RX_EIO, "cannot read the working directory: %s", strerror(errno));
    /* checked before it is created, and again once resolved */
    for (int pass = 0; pass < 2; pass++) {
        const char *shown = pass ? p->dir : dir;
        if (!plain_word(shown) || (!pass && dir[0] != '/' && !plain_word(p->cwd)))
            return rx_errf(err, RX_EINVAL,
                           "store dir '%s' has a blank or shell character in its path; "
                           "#SBATCH lines cannot carry it",
                           shown);
        if (!pass && ((!a->resubmit && (rc = make_dirs(dir, err))) ||
                      (rc = absolute(dir, p->dir, sizeof p->dir, err))))
            return rc;
    }
    char db_dir[PATH_MAX];
    snprintf(db_dir, sizeof db_dir, "%s", db);
    char *slash = strrchr(db_dir, '/');
    if (slash && slash != db_dir) {
        *slash = '\0';
        if ((rc = make_dirs(db_dir, err)))
            return rc;
    }
    if ((rc = absolute(db, p->db, sizeof p->db, err)))
        return rc;
    snprintf(p->array_script, sizeof p->array_script, "%s/" ARRAY_SCRIPT, p->dir);
    snprintf(p->merge_script, sizeof p->merge_script, "%s/" MERGE_SCRIPT, p->dir);
    return RX_OK;
}

/* #SBATCH lines shared by the array and the merge job. */
static void put_resources(FILE *f, const slurm_args *a)
{
    if (a->partition)
        fprintf(f, "#SBATCH --partition=%s\n", a->partition);
    if (a->time)
        fprintf(f, "#SBATCH --time=%s\n", a->time);
    if (a->mem)
        fprintf(f, "#SBATCH --mem=%s\n", a->mem);
}

static void put_header(FILE *f, const slurm_plan *p, const char *what)
{
    time_t now = time(NULL);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    fprintf(f, "#!/bin/bash\n"
               "# %s of the sweep '%s' (%d runs in %d shards),\n"
               "# written by rexsweep %s on %s.\n",
            what, p->name, p->n_runs, p->tasks, RX_VERSION, when);
}

static void write_array_script(FILE *f, const slurm_args *a, const slurm_plan *p)
{
    int cpus = a->cpus > 0 ? a->cpus : 1;
    put_header(f, p, "Slurm job array");
    fprintf(f, "# Task K trains shard K+1 of %d into %s/shard-K.db.\n"
               "# Re-run tasks with: sbatch --array=<ids> %s\n"
               "# rexsweep-tasks: %d\n"
               "# rexsweep-grid: %s\n",
            p->tasks, p->dir, p->array_script, p->tasks, p->grid_hash);
    fprintf(f, "#SBATCH --job-name=rx-%s\n", p->name);
    fprintf(f, "#SBATCH --array=0-%d\n", p->tasks - 1);
    fprintf(f, "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=%d\n", cpus);
    put_resources(f, a);
    if (a->requeue)
        fprintf(f, "#SBATCH --requeue\n#SBATCH --signal=B:USR1@%d\n", RX_SLURM_SIGNAL_SECONDS);
    fprintf(f, "#SBATCH --output=%s/logs/shard-%%a.out\n", p->dir);
    fprintf(f, "#SBATCH --open-mode=append\n\n");
    fprintf(f, "set -eu\n"
               "export OPENBLAS_NUM_THREADS=%d OMP_NUM_THREADS=%d\n"
               "cd ", cpus, cpus);
    rx_shell_quote(f, p->cwd);
    fprintf(f, "\n# The shard count is fixed here, not read from SLURM_ARRAY_TASK_COUNT,\n"
               "# so that re-running some of the tasks re-runs exactly their shards.\n");
    if (!a->requeue)
        fputs("exec ", f);
    rx_shell_quote(f, p->bin);
    fputs(" run ", f);
    rx_shell_quote(f, p->spec_path);
    fprintf(f, " --shard \"$((SLURM_ARRAY_TASK_ID + 1))/%d\" \\\n"
               "    --db \"%s/shard-${SLURM_ARRAY_TASK_ID}.db\" -j 1 --set train.blas_threads=%d",
            p->tasks, p->dir, cpus);
    for (int i = 0; i < a->sets.n; i++) {
        fputs(" --set ", f);
        rx_shell_quote(f, a->sets.v[i]);
    }
    if (a->requeue)
        fputs(" &\npid=$!\n"
              "# Slurm's USR1 before the time limit: the runs in flight save their\n"
              "# checkpoints and stop (exit 130), and the task goes back to the queue,\n"
              "# where it resumes them.\n"
              "trap 'kill -USR1 \"$pid\"; wait \"$pid\" || true; "
              "scontrol requeue \"$SLURM_JOB_ID\"; exit 0' USR1\n"
              "wait \"$pid\"", f);
    fputc('\n', f);
}

/* The merge command line (without a trailing newline). */
static void put_merge_command(FILE *f, const slurm_plan *p)
{
    rx_shell_quote(f, p->bin);
    fputs(" merge ", f);
    rx_shell_quote(f, p->db);
    fprintf(f, " %s/shard-{0..%d}.db", p->dir, p->tasks - 1);
}

static void write_merge_script(FILE *f, const slurm_args *a, const slurm_plan *p)
{
    put_header(f, p, "Slurm merge job");
    fprintf(f, "# Submitted with --dependency=afterany:<array job id>.\n");
    fprintf(f, "#SBATCH --job-name=rx-%s-merge\n", p->name);
    fprintf(f, "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n");
    put_resources(f, a);
    fprintf(f, "#SBATCH --output=%s/logs/merge.out\n", p->dir);
    fprintf(f, "#SBATCH --open-mode=append\n\n");
    fprintf(f, "set -eu\nexec ");
    put_merge_command(f, p);
    fputc('\n', f);
}

/* Writes a script file through fn, executable. */
static int write_script(const char *path, void (*fn)(FILE *, const slurm_args *, const slurm_plan *),
                        const slurm_args *a, const slurm_plan *p, rx_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return rx_errf(err, RX_EIO, "cannot write '%s': %s", path, strerror(errno));
    fn(f, a, p);
    int bad = ferror(f);
    if (fclose(f) || bad)
        return rx_errf(err, RX_EIO, "cannot write '%s'", path);
    chmod(path, 0755);
    return RX_OK;
}

/* Runs argv (found on PATH) and reads its standard output into out.
 * Returns RX_OK when it exited with 0. */
static int run_capture(char *const argv[], char *out, size_t size, rx_err *err)
{
    int fd[2];
    if (pipe(fd))
        return rx_errf(err, RX_EIO, "cannot create a pipe: %s", strerror(errno));
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return rx_errf(err, RX_EIO, "cannot fork: %s", strerror(errno));
    }
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "rexsweep: cannot run '%s': %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fd[1]);
    size_t k = 0;
    ssize_t r;
    char sink[512];
    while ((r = read(fd[0], k + 1 < size ? out + k : sink,
                     k + 1 < size ? size - 1 - k : sizeof sink)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        if (k + 1 < size)
            k += (size_t)r;
    }
    out[k] = '\0';
    close(fd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return rx_errf(err, RX_EIO, "'%s' failed (exit status %d)", argv[0],
                       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    return RX_OK;
}

/* Appends "TIME KIND ID DETAIL" to DIR/jobs.txt. */
static void record_job(const slurm_plan *p, const char *kind, const char *id, const char *detail)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/" JOBS_FILE, p->dir);
    FILE *f = fopen(path, "a");
    if (!f) {
        rx_cli_error("warning: cannot record job %s in '%s': %s", id, path, strerror(errno));
        return;
    }
    time_t now = time(NULL);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    fprintf(f, "%s %s %s %s\n", when, kind, id, detail);
    fclose(f);
}

/* sbatch --parsable [extra...] script; the job id into id. */
static int sbatch(const char *script, const char *extra1, const char *extra2, char *id,
                  size_t size, rx_err *err)
{
    char *argv[6];
    int k = 0;
    argv[k++] = "sbatch";
    argv[k++] = "--parsable";
    if (extra1)
        argv[k++] = (char *)extra1;
    if (extra2)
        argv[k++] = (char *)extra2;
    argv[k++] = (char *)script;
    argv[k] = NULL;
    int rc = run_capture(argv, id, size, err);
    if (rc)
        return rx_errctx(err, rc, "cannot submit '%s'", script);
    /* --parsable prints "id" or "id;cluster" */
    id[strcspn(id, ";\n")] = '\0';
    if (!*id || strspn(id, "0123456789") != strlen(id))
        return rx_errf(err, RX_EIO, "sbatch printed no job id for '%s'", script);
    return RX_OK;
}

/* Submits the merge job after job `after`; prints its id. */
static int submit_merge(const slurm_plan *p, const char *after, rx_err *err)
{
    char dep[64], id[64];
    snprintf(dep, sizeof dep, "--dependency=afterany:%s", after);
    int rc = sbatch(p->merge_script, dep, NULL, id, sizeof id, err);
    if (rc)
        return rc;
    record_job(p, "merge", id, after);
    printf("submitted merge job %s (after job %s; writes %s)\n", id, after, p->db);
    return RX_OK;
}

/* Reads "# rexsweep-tasks: N" and "# rexsweep-grid: H" from the script. */
static int read_script_marks(const slurm_plan *p, int *tasks, char grid[RX_KEY_LEN + 1], rx_err *err)
{
    FILE *f = fopen(p->array_script, "r");
    if (!f)
        return rx_errf(err, RX_EINVAL,
                       "cannot read '%s': %s; write and submit the array first "
                       "(rexsweep slurm SPEC --store-dir DIR --submit)",
                       p->array_script, strerror(errno));
    char line[512];
    *tasks = 0;
    grid[0] = '\0';
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "# rexsweep-tasks: %d", tasks) == 1)
            continue;
        sscanf(line, "# rexsweep-grid: %16s", grid);
    }
    fclose(f);
    if (*tasks < 1 || *tasks > MAX_TASKS || strlen(grid) != RX_KEY_LEN)
        return rx_errf(err, RX_EINVAL, "'%s' was not written by 'rexsweep slurm'", p->array_script);
    return RX_OK;
}

/* Counts in *n_queued the array tasks of our jobs (DIR/jobs.txt) that
 * Slurm still has pending or running, and marks them in queued[] (may be
 * NULL; room for p->tasks): submitting them again would put two writers,
 * maybe on two nodes, on one shard. */
static int find_queued(const slurm_plan *p, int *queued, int *n_queued, rx_err *err)
{
    char path[PATH_MAX + 16], line[256];
    long *ours = NULL;
    int n_ours = 0, cap = 0, rc = RX_OK;
    *n_queued = 0;
    snprintf(path, sizeof path, "%s/" JOBS_FILE, p->dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return RX_OK;
    while (rc == RX_OK && fgets(line, sizeof line, f)) {
        char when[64], kind[32];
        long id;
        if (sscanf(line, "%63s %31s %ld", when, kind, &id) != 3 || strcmp(kind, "merge") == 0)
            continue;
        if (n_ours == cap) {
            long *grown = realloc(ours, (size_t)(cap = cap ? 2 * cap : 64) * sizeof *ours);
            if (!grown)
                rc = rx_errf(err, RX_ENOMEM, "out of memory");
            else
                ours = grown;
        }
        if (rc == RX_OK)
            ours[n_ours++] = id;
    }
    fclose(f);
    static char out[1 << 20];
    char *argv[] = {"squeue", "--noheader", "--array", "--me", "--format=%i", NULL};
    if (rc == RX_OK && n_ours > 0 && (rc = run_capture(argv, out, sizeof out, err)))
        rc = rx_errctx(err, rc, "cannot list the queued tasks");
    for (char *s = rc || n_ours == 0 ? NULL : strtok(out, "\n"); s; s = strtok(NULL, "\n")) {
        long job;
        int task;
        if (sscanf(s, "%ld_%d", &job, &task) != 2)
            continue;
        for (int i = 0; i < n_ours; i++)
            if (ours[i] == job) {
                (*n_queued)++;
                if (queued && task >= 0 && task < p->tasks)
                    queued[task] = 1;
                break;
            }
    }
    free(ours);
    return rc;
}

/* Whether a tuning cell of the m runs sel[] (tune[] parallel) still has
 * extension runs to train in st (rx_ext_pending): *pending. */
static int cells_pending(const slurm_plan *p, rx_store *st, const rx_run_ref *sel,
                         const rx_tune_ref *tune, int m, int *pending, rx_err *err)
{
    rx_ext_cells cells;
    int rc = rx_ext_cells_build(sel, tune, m, &cells, err);
    rx_ext_ctx ctx = {&p->spec->grid, p->spec->trainer, sel, tune, &cells};
    *pending = 0;
    for (int c = 0; rc == RX_OK && c < cells.n && !*pending; c++) {
        rx_ext_state es;
        if ((rc = rx_ext_resolve(st, &ctx, c, &es, err)) == RX_OK)
            *pending = rx_ext_pending(&es);
        rx_ext_state_free(&es);
    }
    rx_ext_cells_free(&cells);
    return rc;
}

/* Whether shard k is complete: its store exists, every run of the shard
 * is finished there (done, diverged or failed: failed runs need
 * --retry-failed, not a resubmission), and so is every tuning cell of an
 * adaptive lr grid (no extension lr left to add or train).  sel and
 * seltune have room for all jobs. */
static int shard_complete(const slurm_plan *p, int k, int *idx, rx_run_ref *sel,
                          rx_tune_ref *seltune, int *complete, rx_err *err)
{
    char path[PATH_MAX + 32];
    int m;
    snprintf(path, sizeof path, "%s/shard-%d.db", p->dir, k);
    *complete = 0;
    int rc = rx_grid_shard_tune(p->jobs, p->tune, p->n_jobs, k, p->tasks, idx, &m, err);
    if (rc || access(path, F_OK))
        return rc;
    for (int i = 0; i < m; i++) {
        sel[i] = p->jobs[idx[i]];
        if (p->tune)
            seltune[i] = p->tune[idx[i]];
    }
    rx_store *st = NULL;
    rx_store_counts c;
    int pending = 0;
    if ((rc = rx_store_open(path, RX_STORE_READONLY, &st, err)) == RX_OK)
        rc = rx_store_key_states(st, m ? sel[0].key : "", sizeof *sel, m, NULL, &c, err);
    *complete = rc == RX_OK && c.done + c.diverged + c.failed == m;
    if (*complete && p->tune)
        rc = cells_pending(p, st, sel, seltune, m, &pending, err);
    rx_store_close(st);
    if (rc) {
        *complete = 0;
        return rx_errctx(err, rc, "cannot read shard '%s'", path);
    }
    *complete = *complete && !pending;
    return RX_OK;
}

static int resubmit_failed(const slurm_args *a, slurm_plan *p, rx_err *err)
{
    int tasks;
    char grid[RX_KEY_LEN + 1];
    int rc = read_script_marks(p, &tasks, grid, err);
    if (rc)
        return rc;
    if (a->tasks && a->tasks != tasks)
        return rx_errf(err, RX_EINVAL, "'%s' has %d tasks, not %d", p->array_script, tasks, a->tasks);
    if (strcmp(grid, p->grid_hash) != 0)
        return rx_errf(err, RX_EINVAL,
                       "'%s' was written for another grid; give the same spec and --set options",
                       p->array_script);
    p->tasks = tasks;
    int *queued = calloc((size_t)tasks, sizeof *queued);
    int *idx = malloc((size_t)p->n_jobs * sizeof *idx);
    rx_run_ref *sel = malloc((size_t)p->n_jobs * sizeof *sel);
    rx_tune_ref *seltune = p->tune ? malloc((size_t)p->n_jobs * sizeof *seltune) : NULL;
    size_t cap = (size_t)tasks * 12 + 16;
    char *ids = malloc(cap);
    if (!queued || !idx || !sel || !ids || (p->tune && !seltune)) {
        free(queued), free(idx), free(sel), free(seltune), free(ids);
        return rx_errf(err, RX_ENOMEM, "out of memory");
    }
    int n_queued;
    rc = find_queued(p, queued, &n_queued, err);
    if (rc == RX_OK && a->merge && access(p->merge_script, F_OK))
        rc = rx_errf(err, RX_EINVAL, "no merge script '%s'; write it with --merge", p->merge_script);
    size_t len = 0;
    int n_resubmit = 0;
    ids[0] = '\0';
    for (int k = 0; rc == RX_OK && k < tasks; k++) {
        int complete;
        if (queued[k])
            continue;
        rc = shard_complete(p, k, idx, sel, seltune, &complete, err);
        if (rc == RX_OK && !complete) {
            len += (size_t)snprintf(ids + len, cap - len, "%s%d", n_resubmit ? "," : "", k);
            n_resubmit++;
        }
    }
    free(queued);
    free(idx);
    free(sel);
    free(seltune);
    if (rc == RX_OK && n_resubmit == 0) {
        printf("%d of %d shards complete, %d still queued: nothing to resubmit\n",
               tasks - n_queued, tasks, n_queued);
    } else if (rc == RX_OK) {
        char id[64];
        char *array_arg = malloc(len + 16);
        if (!array_arg) {
            free(ids);
            return rx_errf(err, RX_ENOMEM, "out of memory");
        }
        snprintf(array_arg, len + 16, "--array=%s", ids);
        rc = sbatch(p->array_script, array_arg, NULL, id, sizeof id, err);
        free(array_arg);
        if (rc == RX_OK) {
            record_job(p, "resubmit", id, ids);
            printf("resubmitted %d of %d tasks as array job %s: --array=%s%s\n", n_resubmit, tasks,
                   id, ids, n_queued ? " (others still queued)" : "");
            if (a->merge)
                rc = submit_merge(p, id, err);
        }
    }
    free(ids);
    return rc;
}

static int submit_new(const slurm_args *a, const slurm_plan *p, rx_err *err)
{
    char id[64], detail[32];
    int rc = sbatch(p->array_script, NULL, NULL, id, sizeof id, err);
    if (rc)
        return rc;
    snprintf(detail, sizeof detail, "0-%d", p->tasks - 1);
    record_job(p, "array", id, detail);
    printf("submitted array job %s (%d tasks, %d runs) from %s\n", id, p->tasks, p->n_runs,
           p->array_script);
    if (a->merge && (rc = submit_merge(p, id, err)))
        return rc;
    printf("merge command: ");
    put_merge_command(stdout, p);
    printf("\n");
    return RX_OK;
}

/* Before the scripts in DIR are (re)written: with --submit, no task of an
 * earlier array may still be queued (two writers on one shard); a script
 * for another grid or task count is replaced with a warning, since the
 * old shards then hold runs of other slices (kept, and merged too). */
static int check_rewrite(const slurm_args *a, const slurm_plan *p, rx_err *err)
{
    int n_queued, tasks;
    char grid[RX_KEY_LEN + 1];
    int rc = a->submit ? find_queued(p, NULL, &n_queued, err) : RX_OK;
    if (rc)
        return rc;
    if (a->submit && n_queued)
        return rx_errf(err, RX_EINVAL,
                       "%d tasks of earlier arrays in '%s' are still queued or running; "
                       "wait for them or scancel them first",
                       n_queued, p->dir);
    if (access(p->array_script, F_OK) == 0 && read_script_marks(p, &tasks, grid, NULL) == RX_OK &&
        (tasks != p->tasks || strcmp(grid, p->grid_hash) != 0))
        rx_cli_error("warning: replacing '%s', written for %s; its shards stay and are merged too",
                   p->array_script, tasks != p->tasks ? "another task count" : "another grid");
    return RX_OK;
}

static int check_args(const slurm_args *a)
{
    const char *words[][2] = {{"partition", a->partition}, {"time", a->time}, {"mem", a->mem}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (words[i][1] && !plain_word(words[i][1])) {
            rx_cli_error("--%s '%s' has a blank or shell character", words[i][0], words[i][1]);
            return -1;
        }
    if (a->tasks < 0 || a->tasks > MAX_TASKS || a->cpus < 0 || a->cpus > 1024) {
        rx_cli_error("--tasks must be in [1, %d] and --cpus-per-task in [1, 1024]", MAX_TASKS);
        return -1;
    }
    return 0;
}

int cmd_slurm(int argc, char **argv)
{
    slurm_args a = {0};
    const rx_option opts[] = {
        {"tasks", 0, RX_OPT_INT, &a.tasks, "N", "array tasks, one shard each (default 16, at most the runs)"},
        {"partition", 0, RX_OPT_STRING, &a.partition, "P", "Slurm partition"},
        {"time", 0, RX_OPT_STRING, &a.time, "T", "time limit per task, in Slurm's format"},
        {"cpus-per-task", 0, RX_OPT_INT, &a.cpus, "C", "CPUs per task = BLAS threads (default 1)"},
        {"mem", 0, RX_OPT_STRING, &a.mem, "M", "memory per task, in Slurm's format"},
        {"store-dir", 0, RX_OPT_STRING, &a.store_dir, "DIR", "scripts, logs and shard stores (default NAME.shards)"},
        {"db", 0, RX_OPT_STRING, &a.db, "OUT.db", "the merged store (default: as for run)"},
        {"set", 0, RX_OPT_LIST, &a.sets, "KEY=VALUE", "override a key for every run (repeatable)"},
        {"rexsweep", 0, RX_OPT_STRING, &a.rexsweep, "PATH", "the rexsweep the tasks run (default: this one)"},
        {"submit", 0, RX_OPT_FLAG, &a.submit, NULL, "submit the array with sbatch"},
        {"merge", 0, RX_OPT_FLAG, &a.merge, NULL, "also submit a merge job that runs after the array"},
        {"resubmit-failed", 0, RX_OPT_FLAG, &a.resubmit, NULL, "resubmit the tasks whose shard is incomplete"},
        {"requeue", 0, RX_OPT_FLAG, &a.requeue, NULL, "before the time limit, checkpoint the runs and requeue the task to resume them"},
    };
    const char *pos[2];
    int npos;
    int prc = rx_parse_options(argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), pos, 2,
                               &npos, usage_text);
    if (prc)
        return prc > 0 ? RX_OK : RX_EINVAL;
    if (npos != 1) {
        rx_cli_error("slurm needs exactly one sweep spec; see 'rexsweep slurm --help'");
        return RX_EINVAL;
    }
    if (check_args(&a))
        return RX_EINVAL;
    a.spec = pos[0];

    rx_err err = {{0}};
    slurm_plan *p = calloc(1, sizeof *p);
    if (!p) {
        rx_cli_error("out of memory");
        return RX_EIO;
    }
    int rc = make_plan(&a, p, &err);
    if (rc == RX_OK && a.resubmit) {
        rc = resubmit_failed(&a, p, &err);
    } else if (rc == RX_OK) {
        p->tasks = a.tasks ? a.tasks : DEFAULT_TASKS;
        if (p->tasks > p->n_runs)
            p->tasks = p->n_runs;
        rc = check_rewrite(&a, p, &err);
        if (rc == RX_OK)
            rc = write_script(p->array_script, write_array_script, &a, p, &err);
        if (rc == RX_OK && a.merge)
            rc = write_script(p->merge_script, write_merge_script, &a, p, &err);
        char logs[PATH_MAX + 8];
        snprintf(logs, sizeof logs, "%s/logs", p->dir);
        if (rc == RX_OK)
            rc = make_dirs(logs, &err);
        if (rc == RX_OK && a.submit) {
            rc = submit_new(&a, p, &err);
        } else if (rc == RX_OK) {
            write_array_script(stdout, &a, p);
            if (a.merge) {
                printf("\n");
                write_merge_script(stdout, &a, p);
            }
            fprintf(stderr, "rexsweep: wrote %s%s%s; submit with 'rexsweep slurm ... --submit' "
                            "or 'sbatch %s'\n",
                    p->array_script, a.merge ? " and " : "", a.merge ? p->merge_script : "",
                    p->array_script);
        }
    }
    if (rc) {
        /* spec errors already read "file:line:column: message" */
        if (rc == RX_EINVAL && strchr(err.msg, ':') && strncmp(err.msg, a.spec, strlen(a.spec)) == 0)
            fprintf(stderr, "%s\n", err.msg);
        else
            rx_cli_error("%s", err.msg);
    }
    free(p->jobs);
    free(p->tune);
    rx_spec_free(p->spec);
    free(p);
    if (fflush(stdout) != 0 && rc == RX_OK) {
        rx_cli_error("cannot write to standard output");
        return RX_EIO;
    }
    return rc;
}
