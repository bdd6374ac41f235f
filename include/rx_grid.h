/*
 * rx_grid.h: the axes of a sweep and their expansion into runs.
 *
 * A grid is a base configuration plus axes.  An axis is a list of
 * choices; a choice is a list of key assignments (as text, applied with
 * rx_config_set) and may carry axes of its own, crossed only within it
 * (an optimizer entry with its own lr list).  The spec parser (rx_spec.h)
 * builds grids from YAML; this module knows nothing about YAML, only the
 * 1-based line and column each assignment came from, for messages.
 *
 * Expansion order: the runs are the cartesian product of the top-level
 * axes in the order of g->axes, the first axis varying slowest and the
 * last fastest; a choice's own axes vary right after it, before the next
 * top-level axis.  Zipped axes advance together at the position of their
 * first member.  A run's configuration is the base, its choices, the
 * overrides, then its optimizer's own defaults (rx_optim_key_default) for
 * the keys none of those set.  Then excluded runs are dropped and repeated runs (same
 * run key) keep their first position.  The result depends only on the
 * grid's content: same spec, same runs, same order, same keys everywhere.
 *
 * Compact runs: rx_grid_plan lists the runs as rx_run_ref (run key, cell
 * key, grid index, cost and pos, the run's position in the full product
 * before exclusion and dedupe).  pos is a mixed-radix number whose digits
 * are the choices taken, slowest axis first, where a digit's radix may
 * depend on the digits before it (a choice's own axes); rx_grid_config
 * decodes it and applies the choices, so a configuration exists only while
 * a run needs it (plan: none; run: the run in hand; a Slurm task: its
 * shard's).  Expansion builds each level's configuration once and reuses
 * it for every run below, so a run costs its innermost assignments, its
 * check and its keys.  An axis added later (an adaptive lr axis, say) is
 * one more digit: give the grid a new axis or choice, and every function
 * here follows.
 *
 * Ownership: a grid owns every string and array hanging from it (one
 * arena: rx_grid_alloc); rx_grid_free releases it all.
 */
#ifndef RX_GRID_H
#define RX_GRID_H

#include <stddef.h>
#include "rx_common.h"
#include "rx_config.h"
#include "rx_job.h"

#define RX_GRID_MAX_RUNS 10000000  /* before exclusion and dedupe: 640 MB
                                       of rx_run_ref at most; refused by
                                       counting, before any expansion */

/* Where a value was written: 1-based line and column; line 0 means no
 * location (a command-line override). */
typedef struct rx_loc {
    int line, col;
} rx_loc;
/* The line of an override's location (rx_spec_override), whose col is
 * its index in rx_grid.over: messages name it "KEY=VALUE: ". */
#define RX_LOC_OVERRIDE (-1)

/* One key set to a value, as text. */
typedef struct rx_assign {
    const char *key;          /* dotted key for rx_config_set */
    const char **vals;        /* n value strings */
    int n;
    int is_list;              /* written as a list */
    rx_loc loc;               /* of the value */
} rx_assign;

typedef struct rx_axis rx_axis;

typedef struct rx_choice {
    const char *label;        /* the value as shown in tables: "0.3", "sgd" */
    rx_assign *set;           /* applied in order when the choice is taken */
    int n_set;
    rx_axis *sub;             /* axes crossed within this choice */
    int n_sub;
    rx_loc loc;
} rx_choice;

struct rx_axis {
    const char *name;         /* "budgets", "optimizers", "schedules",
                                 "sampling", "seeds", a grid key, or the
                                 dotted key of an axis inside an entry */
    rx_choice *choices;
    int n;
    int zip;                  /* zip group, 1-based; 0 = crossed */
    rx_loc loc;               /* of the axis' key */
    int shape;                /* a cache the expansion fills (0 when
                                 building or changing the choices): 1 when
                                 no choice has axes of its own, so that a
                                 run's choice is found by a division, not a
                                 walk (a seeds axis of 10^4 choices) */
    int extend;               /* an adaptive lr axis (optimizer.lr): extra
                                 points per side of each tuning cell's
                                 grid (rx_lrgrid.h); 0 = a plain axis */
    int ext_metric;           /* rx_lr_metric the extension chooses on */
};

/* A partial assignment: a run matching every term is dropped.  A term on
 * "schedule.name" matches the schedule entry's name as written; any other
 * term matches when setting it on the run's configuration changes
 * nothing (so 1% matches 0.01, and a preset matches its values). */
typedef struct rx_exclude {
    rx_assign *terms;
    int n;
    rx_loc loc;
} rx_exclude;

typedef struct rx_grid_block rx_grid_block;

typedef struct rx_grid {
    const char *file;         /* for messages "file:line:column: ..." */
    rx_config base;           /* defaults + the base assignments */
    rx_assign *base_set;      /* the assignments that made base (kept for
                                 the locations of messages) */
    int n_base_set;
    rx_assign *sched_common;  /* schedule keys re-applied after every
                                 schedule.name (a schedule section's
                                 settings shared by all schedules) */
    int n_sched_common;
    rx_axis *axes;            /* top-level axes, slowest first */
    int n_axes;
    rx_exclude *excl;
    int n_excl;
    rx_assign *over;          /* overrides, applied last to every run */
    int n_over;
    rx_grid_block *mem;       /* the arena owning all of the above */
    const struct rx_trainer_spec *trainer; /* what trains the runs, for their
                                 cost (rx_cost.h); NULL: the built-in
                                 trainer.  Borrowed (the spec's). */
} rx_grid;

/* Initialises g with the default configuration and no axes.  file is
 * copied.  Returns RX_OK or RX_ENOMEM. */
int rx_grid_init(rx_grid *g, const char *file, rx_err *err);
/* Frees everything g owns; g may then be initialised again. */
void rx_grid_free(rx_grid *g);

/* Zeroed memory (and string copies) owned by g; NULL when out of
 * memory. */
void *rx_grid_alloc(rx_grid *g, size_t size);
char *rx_grid_strdup(rx_grid *g, const char *s);
/* Returns a copy of p (old bytes) in a block of new_size bytes, the rest
 * zeroed, for growing arrays; p stays allocated until rx_grid_free.  NULL
 * when out of memory. */
void *rx_grid_grow(rx_grid *g, const void *p, size_t old, size_t new_size);

/* Formats "file:line:col: message" into err ("KEY=VALUE: message" for an
 * override's loc, just the message when loc has no line or g no file)
 * and returns status. */
int rx_grid_errf(const rx_grid *g, rx_loc loc, rx_err *err, int status,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Applies a to c with rx_config_set; after "schedule.name" it re-applies
 * g->sched_common.  On error the message carries a's location. */
int rx_grid_apply(const rx_grid *g, rx_config *c, const rx_assign *a,
                  rx_err *err);

/* The keys the axes set (entries' keys and the keys of their own axes
 * included), each once, in expansion order: the columns that tell the
 * runs apart.  Writes up to max pointers (owned by g) and returns how
 * many there are. */
int rx_grid_swept_keys(const rx_grid *g, const char **keys, int max);

/* The number of runs before exclusion and dedupe (as a double: it may be
 * huge). */
double rx_grid_count(const rx_grid *g);

/* Lists the runs of g: *runs is a malloc'd array (free()) of *n compact
 * runs in grid order, index 0..n-1, each with its run key, cell key, pos
 * and cost (rx_cost.h: the data of each distinct data configuration is
 * looked at once).  Errors (a value that does not apply to a combination, a run
 * that fails rx_config_check, more than RX_GRID_MAX_RUNS runs, refused
 * before expanding) carry the location of the assignment at fault. */
int rx_grid_plan(const rx_grid *g, rx_run_ref **runs, int *n, rx_err *err);

/* A run's place in an adaptive lr grid (rx_grid_plan_tune): the runs of
 * one tuning cell differ only by lr and seed.  24 bytes, beside the run's
 * rx_run_ref. */
typedef struct rx_tune_ref {
    uint64_t group;           /* the tuning cell: a hash of the canonical
                                 configuration without seed and lr; 0 when
                                 the run's lr axis does not extend */
    double lr;                /* the run's optimizer.lr */
    int extend;               /* the axis' extend (points per side) */
    int metric;               /* the axis' rx_lr_metric */
} rx_tune_ref;

/* Does any axis of g extend (an adaptive lr axis)? */
int rx_grid_extends(const rx_grid *g);

/* rx_grid_plan, and when tune is not NULL, *tune: a malloc'd array
 * (free()) parallel to *runs, each run's tuning cell (NULL when no axis
 * of g extends).  Costs one more memoised key per run, and only for grids
 * that extend. */
int rx_grid_plan_tune(const rx_grid *g, rx_run_ref **runs, rx_tune_ref **tune, int *n,
                      rx_err *err);

/* The number of distinct cells among runs[0..n) (-1 when out of
 * memory): linear, for grids of millions of runs. */
int rx_grid_count_cells(const rx_run_ref *runs, int n);

/* The configuration of run r of g (as rx_grid_plan listed it) into *c. */
int rx_grid_config(const rx_grid *g, const rx_run_ref *r, rx_config *c,
                   rx_err *err);

/* Materialises run r into *job: its configuration and canonical JSON
 * (job->config_json is malloc'd: free it, or rx_jobs_free(job, 1) for a
 * job that was malloc'd itself). */
int rx_grid_job(const rx_grid *g, const rx_run_ref *r, rx_job *job,
                rx_err *err);

/* An extension run: the configuration of run r at another lr (exact
 * decimal text, as rx_lr_next writes it), set after r's choices and
 * before the overrides, exclusions and checks.  rx_grid_job_lr
 * materialises it into *job with its own run and cell keys (pos, index
 * and cost are r's; rekey it for a command trainer). */
int rx_grid_config_lr(const rx_grid *g, const rx_run_ref *r, const char *lr, rx_config *c,
                      rx_err *err);
int rx_grid_job_lr(const rx_grid *g, const rx_run_ref *r, const char *lr, rx_job *job,
                   rx_err *err);

/* rx_grid_job for runs[0..n): *jobs is a malloc'd array (rx_jobs_free). */
int rx_grid_jobs(const rx_grid *g, const rx_run_ref *runs, int n,
                 rx_job **jobs, rx_err *err);

/* rx_grid_plan and rx_grid_jobs: every run materialised, for small grids
 * (a job is about 4 KB).  *jobs: free with rx_jobs_free. */
int rx_grid_expand(const rx_grid *g, rx_job **jobs, int *n, rx_err *err);

/* The shard of the runs that worker k of n_shards (0 <= k < n_shards)
 * runs: deterministic, disjoint slices that together cover the runs,
 * balanced by cost (longest processing time first: runs sorted by cost
 * descending then run key, each given to the least loaded shard, ties to
 * the lowest shard).  It depends only on the set of (key, cost) pairs,
 * not on their order, so it is stable under resume.  Writes the indices
 * (into runs) of the shard's runs, ascending, to idx (room for n) and
 * their count to *n_idx. */
int rx_grid_shard(const rx_run_ref *runs, int n, int k, int n_shards, int *idx,
                  int *n_idx, rx_err *err);

/* rx_grid_shard by tuning cell: with tune (parallel to runs; may be
 * NULL, then exactly rx_grid_shard), the runs of one tuning cell (same
 * tune[i].group, nonzero) are one item of the balance, their costs
 * summed and the group as tie-break, so that each shard holds its cells
 * whole and can extend them from its own store. */
int rx_grid_shard_tune(const rx_run_ref *runs, const rx_tune_ref *tune, int n, int k,
                       int n_shards, int *idx, int *n_idx, rx_err *err);

#endif
