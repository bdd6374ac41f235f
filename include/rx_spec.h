/*
 * rx_spec.h: sweep specs (YAML, rexsweep.yaml(5)).
 *
 * A spec names the data, the model and the training settings (the base
 * configuration) and the axes to sweep: budgets, optimizers with their
 * own lr lists, schedules, sampling rates, seeds and any other key under
 * grid, with zip and exclude.  Parsing checks everything it can: every
 * error is one message "file:line:column: message", line and column
 * 1-based, pointing at the offending node.  Expansion into runs belongs
 * to rx_grid.h; rx_spec_expand is a shortcut.
 *
 * src/spec.c is the only file that includes <yaml.h>.
 * Ownership: an rx_spec owns all its strings and its grid; free it with
 * rx_spec_free.
 */
#ifndef RX_SPEC_H
#define RX_SPEC_H

#include <stddef.h>
#include "rx_common.h"
#include "rx_config.h"
#include "rx_grid.h"
#include "rx_job.h"

#define RX_SPEC_MAX_BYTES (16 << 20)
#define RX_SPEC_MAX_DEPTH 64        /* nesting of YAML collections */
#define RX_SPEC_TUNE_MAX 4          /* keys of `tune:` */
#define RX_SPEC_MAX_EXCLUDES 1000   /* distinct rules of exclude: every run is
                                       matched against each */

#define RX_SEARCH_MAX_OVER 16

/* How the runs of the grid are chosen (`search:`, rx_search.h). */
typedef enum rx_strategy {
    RX_STRATEGY_GRID = 0,     /* every run */
    RX_STRATEGY_HALVING,      /* successive halving over the budgets */
    RX_STRATEGY_HYPERBAND     /* brackets of successive halving */
} rx_strategy;

typedef struct rx_search_spec {
    rx_strategy strategy;
    int eta;                  /* keep 1/eta per rung; >= 2 (default 3) */
    const char *over[RX_SEARCH_MAX_OVER]; /* the searched keys (owned by the
                                 grid's arena); n_over 0: the default */
    int n_over;
    char metric[80];          /* what promotions choose on; "": the report's
                                 default */
    rx_loc loc;               /* of `search:` */
} rx_search_spec;

typedef struct rx_spec {
    char *path;               /* the file as named; messages start with it */
    char *name;               /* `name:`, else the file name without its
                                 directory and extension */
    char *store;              /* `store:`, or NULL (the runner's default) */
    char *text;               /* the spec text as read ("" without a file) */
    size_t text_len;
    char hash[RX_KEY_LEN + 1];/* FNV-1a 64 of the text, hex */
    rx_grid grid;             /* grid.base is the base configuration */
    char *tune[RX_SPEC_TUNE_MAX]; /* `tune:`: keys the report tunes like the
                                 lr (rexsweep-report(1)); never part of a
                                 run's configuration or key */
    int n_tune;
    rx_search_spec search;    /* `search:`; zero: the grid */
    const char *sampled[RX_SEARCH_MAX_OVER]; /* the keys a sampled range
                                 sets, each once, in order (owned by the
                                 grid's arena); the report tunes them */
    int n_sampled;
    struct rx_trainer_spec *trainer; /* `trainer:`, or NULL (built-in);
                                 run keys of a command trainer carry its
                                 identity (rx_spec_expand) */
} rx_spec;

/* Reads and parses the spec file at path.  On success *out is a new spec
 * (free with rx_spec_free).  Errors: RX_EIO when the file cannot be read,
 * RX_EINVAL with "path:line:column: message" for a bad spec. */
int rx_spec_load(const char *path, rx_spec **out, rx_err *err);

/* The same from text (len bytes); path is used for messages and the
 * default name. */
int rx_spec_parse(const char *text, size_t len, const char *path,
                  rx_spec **out, rx_err *err);

/* Reads only the `tune:` key of the spec text (a spec stored with a
 * sweep, whose trainer's files need not exist here): *out has its name,
 * text and tune, nothing else.  Errors as rx_spec_parse's for that key
 * and for malformed YAML. */
int rx_spec_parse_tune(const char *text, size_t len, const char *path,
                       rx_spec **out, rx_err *err);

/* A spec with no file: the default configuration and no axes, for
 * `rexsweep train KEY=VALUE...`.  name may be NULL ("train"). */
int rx_spec_new(const char *name, rx_spec **out, rx_err *err);

/* Applies a "key=value" setting (value "[a, b]" for a list) to every run
 * of the spec, after everything the file sets: the command line has the
 * last word.  Unknown keys and bad values of table keys are reported
 * here; a schedule parameter is checked when the runs are expanded,
 * since which parameters exist depends on the schedule. */
int rx_spec_override(rx_spec *s, const char *setting, rx_err *err);

/* rx_grid_expand(&s->grid, ...), then, for a command trainer, every run
 * re-keyed with the program's identity (rx_trainer_rekey) and checked
 * against it. */
int rx_spec_expand(const rx_spec *s, rx_job **jobs, int *n, rx_err *err);

/* rx_grid_plan(&s->grid, ...), the runs rekeyed for a command trainer
 * (as rx_spec_expand does): *runs is malloc'd (free()). */
int rx_spec_plan(const rx_spec *s, rx_run_ref **runs, int *n, rx_err *err);
/* rx_spec_plan with each run's tuning cell (rx_grid_plan_tune): *tune is
 * malloc'd (free()), NULL when no lr axis extends. */
int rx_spec_plan_tune(const rx_spec *s, rx_run_ref **runs, rx_tune_ref **tune, int *n,
                      rx_err *err);

/* Expands a spec that must describe exactly one run (`rexsweep train`):
 * *job is an array of one job (free with rx_jobs_free(*job, 1)).  A spec
 * with several runs is an error that says how many. */
int rx_spec_single(const rx_spec *s, rx_job **job, rx_err *err);

void rx_spec_free(rx_spec *s);

#endif
