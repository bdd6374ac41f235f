/*
 * rx_sched.h: learning-rate schedules as the REX paper frames them: a
 * profile (a pure function of p = t/T) plus a sampling rate (when the lr
 * is re-read from the profile; held in between).
 *
 * The profile table is the single source of truth: the spec parser, the
 * `schedule` command, canonical JSON and the man page all read it.  Adding
 * a schedule is one table entry plus its function.
 */
#ifndef RX_SCHED_H
#define RX_SCHED_H

#include <stddef.h>
#include "rx_common.h"
#include "rx_config.h"
#include "rx_param.h"

/* A profile: multiplier of lr0 at p in [0,1]; may set *mom (the momentum
 * or Adam beta1 to use) when it cycles momentum, else leaves it. */
typedef double (*rx_profile_fn)(double p, const rx_sched_config *c,
                                double *mom);

typedef struct rx_profile {
    const char *name;          /* "rex", "linear", ... */
    rx_profile_fn fn;          /* NULL for plateau (driven by epochs) */
    const rx_param *params;    /* rows with offsets into rx_sched_config */
    int n_params;
    const char *formula;       /* for help and man pages */
    const char *doc;
} rx_profile;

/* The table and its size. */
const rx_profile *rx_profiles(int *n);
/* Index of name in the table (presets such as "step-30-60-90" resolve to
 * their base profile with parameters set), or -1. */
int rx_profile_find(const char *name);

/* Resets c to profile `name` with all its defaults (sampling iteration, no
 * warm-up).  Errors name the unknown schedule and suggest the closest. */
int rx_sched_init(rx_sched_config *c, const char *name, rx_err *err);

/* Sets one schedule key on c: a profile parameter ("gamma", "milestones",
 * "d", ...), "sampling" (iteration | epoch | N% | every-N | a list of
 * fractions | the presets 50-75, 33-66, 25-50-75), or the warm-up keys
 * "warmup", "warmup_start", "warmup_counts".  Values are strings as in
 * rx_param_set.  Errors name the parameter and the allowed range; values
 * are never clamped. */
int rx_sched_set(rx_sched_config *c, const char *key,
                 const char *const *vals, int n, int is_list, rx_err *err);

/* Cross-parameter checks after all keys are set (e.g. milestones inside
 * (0,1), pct_start in (0,1)). */
int rx_sched_validate(const rx_sched_config *c, rx_err *err);

/* Canonical JSON object of the schedule: {"name":..., params...,
 * "sampling":...}, every parameter present, keys in table order. */
int rx_sched_format(const rx_sched_config *c, char *buf, size_t size);
/* The sampling alone, as text ("iteration", "epoch", "10%", "every-50",
 * "[0.5,0.75]"). */
int rx_sampling_format(const rx_sched_config *c, char *buf, size_t size);

/* Runtime state of one run's schedule; plain data, no allocation. */
typedef struct rx_sched {
    rx_sched_config cfg;
    double lr0, mom0;
    long T;                 /* steps the profile spans */
    long warm;              /* warm-up steps before/inside T */
    long steps_per_epoch;
    double held_lr, held_mom; /* sample-and-hold values */
    long next_sample;       /* next sampling step */
    int next_at;            /* next index into sample_at */
    /* plateau (PyTorch ReduceLROnPlateau) */
    double plateau_lr, best;
    int bad_epochs, cooldown_left;
} rx_sched;

/* Starts a schedule for a run of total_steps steps (the budget; warm-up
 * that does not count is added on top by the trainer, which then passes
 * total_steps + warm-up here) with steps_per_epoch steps per epoch. */
void rx_sched_start(rx_sched *s, const rx_sched_config *c, double lr0,
                    double mom0, long total_steps, long steps_per_epoch);

/* The lr and momentum to use for step t (0-based, called with t = 0, 1,
 * 2, ... in order). */
void rx_sched_step(rx_sched *s, long t, double *lr, double *mom);

/* Feeds the end of an epoch (validation loss) to plateau; no-op for the
 * other profiles. */
void rx_sched_epoch_end(rx_sched *s, double val_metric);

#endif
