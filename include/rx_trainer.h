/*
 * rx_trainer.h: the trainers a sweep can run on, behind one interface.
 *
 * A trainer is one row of a table (src/trainer.c): "builtin", the CPU
 * trainer of rx_train.h and the default, and "command", any program that
 * speaks the protocol of rexsweep-trainer(7) (src/trainer_cmd.c).  The
 * runner dispatches every run through the row of its spec's trainer, so
 * adding a trainer is one row plus its run function.
 *
 * A spec's `trainer:` section is an rx_trainer_spec, filled key by key
 * from text (rx_trainer_spec_set: the spec parser owns the YAML, this
 * module the keys, their checks and their docs).  What a command trainer
 * is (its argv, the content of its code files, the values of the
 * environment variables it names) is part of every run key: see
 * rx_trainer_rekey.  The built-in trainer adds nothing, so its keys are
 * those of rx_config_run_key.
 *
 * Ownership: an rx_trainer_spec owns every string in it (free with
 * rx_trainer_spec_free); an rx_run_extra owns its arrays (free with
 * rx_run_extra_free).
 */
#ifndef RX_TRAINER_H
#define RX_TRAINER_H

#include <stdio.h>
#include "rx_common.h"
#include "rx_config.h"
#include "rx_data.h"
#include "rx_job.h"
#include "rx_train.h"

#define RX_TRAINER_MAX_LIST 64      /* argv words, code files, env names, gpus */
#define RX_METRIC_NAME_MAX 64       /* a reported metric's name, NUL included */
#define RX_OUTPUT_TAIL_MAX 4096     /* bytes of a failed run's stderr kept */
#define RX_OUTPUT_TAIL_LINES 20     /* ... and at most this many lines */

typedef enum rx_trainer_kind { RX_TRAINER_BUILTIN, RX_TRAINER_COMMAND } rx_trainer_kind;
typedef enum rx_lr_format { RX_LR_CSV, RX_LR_F64 } rx_lr_format;

/* A spec's trainer section. */
typedef struct rx_trainer_spec {
    rx_trainer_kind kind;
    char *dir;                          /* the spec's directory: the program's
                                           working directory, code paths are
                                           relative to it */
    char *argv[RX_TRAINER_MAX_LIST];    /* the command, placeholders unexpanded */
    int argc;
    char *code[RX_TRAINER_MAX_LIST];    /* code files as written */
    uint64_t code_hash[RX_TRAINER_MAX_LIST]; /* FNV-1a 64 of each file's bytes */
    int n_code;
    char *env[RX_TRAINER_MAX_LIST];     /* environment variables in the identity */
    int n_env;
    char *gpus[RX_TRAINER_MAX_LIST];    /* CUDA_VISIBLE_DEVICES per worker slot */
    int n_gpus;
    double timeout;                     /* seconds per run; 0 = none */
    double grace;                       /* seconds from SIGTERM to SIGKILL */
    long steps_per_epoch;               /* 0: from train_size */
    long train_size;                    /* 0: from steps_per_epoch */
    rx_lr_format lr_format;
    int checkpoints;                    /* hand over a checkpoint directory */
    char *identity;                     /* canonical JSON of what identifies
                                           the program (rx_trainer_spec_finish) */
} rx_trainer_spec;

/* A new trainer spec of kind builtin, for a spec file in directory dir
 * (copied; "." when NULL).  NULL when out of memory. */
rx_trainer_spec *rx_trainer_spec_new(const char *dir);
void rx_trainer_spec_free(rx_trainer_spec *t);

/* Sets one key of the trainer section from n string values (is_list: the
 * value was written as a list), e.g. "command" [python3, train.py].
 * Setting "command" makes it a command trainer.  A code file is read and
 * hashed here, so a missing one is reported at its place in the spec.
 * Errors (RX_EINVAL, RX_EIO) name the key and what was expected; unknown
 * keys get RX_ENOTFOUND and a "did you mean" hint. */
int rx_trainer_spec_set(rx_trainer_spec *t, const char *key,
                        const char *const *vals, int n, int is_list,
                        rx_err *err);

/* Cross-key checks once every key is set (a command trainer needs
 * steps_per_epoch or train_size, a variable cannot be both listed in env
 * and set by gpus) and the identity JSON.  Returns RX_OK or RX_EINVAL
 * with a message naming the key. */
int rx_trainer_spec_finish(rx_trainer_spec *t, rx_err *err);

/* Checks one run's configuration against the trainer (a command trainer
 * needs its schedule's lr table, so a schedule must be computable by
 * rexsweep: all are, plateau through its pipe).  RX_OK or RX_EINVAL. */
int rx_trainer_check_config(const rx_trainer_spec *t, const rx_config *c,
                            rx_err *err);

/* Re-keys a job for its trainer: the run and cell keys continue their
 * FNV-1a hash with "\ntrainer=" and the identity JSON, so a changed
 * program changes every key and the built-in trainer (t NULL or builtin)
 * changes none. */
void rx_trainer_rekey(const rx_trainer_spec *t, rx_job *job);

/* Steps per epoch of a run of c on trainer t, when rexsweep can tell
 * without loading data (a command trainer); 0 when it cannot. */
long rx_trainer_steps_per_epoch(const rx_trainer_spec *t, const rx_config *c);

/* The documentation of the trainer keys, one "key  doc" line each
 * (RX_KEYS_TEXT style) or as roff (.TP blocks). */
void rx_trainer_keys_print(FILE *f, int roff);

/* ---- running ------------------------------------------------------- */

/* A reported metric whose name has no column in the store. */
typedef enum rx_metric_scope { RX_MS_STEP, RX_MS_EPOCH, RX_MS_FINAL } rx_metric_scope;

typedef struct rx_named_metric {
    char name[RX_METRIC_NAME_MAX];
    rx_metric_scope scope;
    long at;                     /* the step (step), the epoch (epoch), 0 (final) */
    double value;
} rx_named_metric;

/* What a run adds to the store beyond rx_train_result and its metrics. */
typedef struct rx_run_extra {
    rx_named_metric *m;          /* in report order */
    int n, cap;
    char *output_tail;           /* last lines of stderr of a run that did
                                    not end done, or NULL */
    const char *trainer;         /* the trainer's identity JSON (owned by its
                                    spec), NULL for the built-in trainer */
    char error[600];             /* why the run did not end done, when the
                                    trainer says it better than its status */
} rx_run_extra;

void rx_run_extra_free(rx_run_extra *x);

/* Everything a trainer needs to train one run. */
typedef struct rx_trainer_ctx {
    const rx_job *job;            /* its key, cell and canonical JSON */
    const rx_config *cfg;         /* the configuration to train (the job's,
                                     with runtime limits applied) */
    int worker;                   /* 0-based worker slot */
    const char *db_path;          /* the store (checkpoints live beside it) */
    const rx_train_hooks *hooks;  /* metrics out, stop flag in */
    rx_data_cache *data;          /* the worker's loaded data (built-in only) */
    /* optional: called about once a minute while a run is alive */
    void (*alive)(void *ud);
} rx_trainer_ctx;

/* One row of the trainer table. */
typedef struct rx_trainer_ops {
    const char *name;             /* "builtin", "command" */
    int needs_data;               /* rexsweep loads the dataset for it */
    /* Trains one run: RX_OK when it ended (res->status says how; an
     * error text for a failed run goes to err too), else an error status
     * when it could not start.  x receives what has no rx_train_result
     * field. */
    int (*run)(const rx_trainer_spec *t, const rx_trainer_ctx *ctx,
               rx_train_result *res, rx_run_extra *x, rx_err *err);
} rx_trainer_ops;

/* The row of t's kind; t NULL is the built-in trainer. */
const rx_trainer_ops *rx_trainer_ops_of(const rx_trainer_spec *t);

/* The command trainer's run function (src/trainer_cmd.c). */
int rx_trainer_cmd_run(const rx_trainer_spec *t, const rx_trainer_ctx *ctx,
                       rx_train_result *res, rx_run_extra *x, rx_err *err);

#endif
