/*
 * rx_sched.h: learning-rate schedules as the REX paper frames them: a
 * profile (a function of p = t/T) plus a sampling rate (when the lr is
 * re-read from the profile; held in between).
 *
 * The profile table is the single source of truth: the spec parser, the
 * `schedule` command, canonical JSON and the man page all read it.  Adding
 * a schedule is one table entry plus its function.
 *
 * Conventions (PyTorch's, so that torch fixtures line up step for step):
 * the lr of step t (0-based) is the value a torch scheduler holds after t
 * calls of scheduler.step(), i.e. the profile at p = t/T; step 0 uses
 * p = 0 and the last step T-1 uses p = (T-1)/T.  Nothing here allocates.
 */
#ifndef RX_SCHED_H
#define RX_SCHED_H

#include <stddef.h>
#include "rx_common.h"
#include "rx_config.h"
#include "rx_param.h"

/* Row flag beyond rx_param.h's: a write-only alias of another parameter
 * (exp's "final" sets gamma); it has no default and no canonical form. */
#define RX_SF_ALIAS (1u << 10)

/* A profile: the multiplier of lr0 at p = t/T in [0,1].  t and T are the
 * step and the span in steps; only onecycle reads them (PyTorch places its
 * phase ends at steps pct*T-1 and T-1); T = 0 asks for the continuous form
 * (phase ends at p = pct and p = 1), as in the paper's tables.  A profile
 * that cycles momentum sets *mom (the momentum or Adam's beta1); the
 * others leave it. */
typedef double (*rx_profile_fn)(double p, double t, double T,
                                const rx_sched_config *c, double *mom);

typedef struct rx_profile {
    const char *name;          /* "rex", "linear", ... */
    rx_profile_fn fn;          /* NULL for plateau (driven by epochs) */
    const rx_param *params;    /* rows with offsets into rx_sched_config */
    int n_params;
    const char *formula;       /* for help and man pages */
    const char *doc;
} rx_profile;

/* A preset: a name that resolves to a profile with some keys set. */
typedef struct rx_preset {
    const char *name;          /* "step-30-60-90" */
    const char *profile;       /* "step" */
    const char *settings;      /* "milestones=[0.3,0.6,0.9]" (rx_sched_parse) */
    const char *doc;
} rx_preset;

/* The tables and their sizes (static storage; do not free). */
const rx_profile *rx_profiles(int *n);
const rx_preset *rx_presets(int *n);
/* The warm-up keys every profile takes (warmup, warmup_start,
 * warmup_counts), rows with offsets into rx_sched_config.  "sampling" is
 * not a row: rx_sched_set parses it (forms below). */
const rx_param *rx_sched_common_params(int *n);
#define RX_SAMPLING_DEFAULT "iteration"
#define RX_SAMPLING_FORMS "iteration, epoch, N% with N in (0, 100), every-N with N >= 1, " \
                          "a list of fractions in [0, 1), or one of 50-75, 33-66, 25-50-75, 10-10, 1-100"

/* Index of name in the profile table (presets such as "step-30-60-90"
 * resolve to their base profile), or -1. */
int rx_profile_find(const char *name);

/* Resets c to profile `name` with all its defaults (sampling iteration, no
 * warm-up, warm-up counted in the budget), then applies a preset's
 * settings.  Errors name the unknown schedule and suggest the closest. */
int rx_sched_init(rx_sched_config *c, const char *name, rx_err *err);

/* Sets one schedule key on c: a profile parameter ("gamma", "milestones",
 * "d", ...), "sampling" (iteration | epoch | N% | every-N | a list of
 * fractions in [0,1) | the presets 50-75, 33-66, 25-50-75, 10-10, 1-100),
 * or the warm-up keys "warmup", "warmup_start", "warmup_counts".  Values
 * are strings as in rx_param_set; is_list says they were written as a
 * list.  Errors name the schedule, the parameter and the allowed range;
 * values are never clamped.  "name" is accepted only when it names the
 * current profile (use rx_sched_init to change it). */
int rx_sched_set(rx_sched_config *c, const char *key,
                 const char *const *vals, int n, int is_list, rx_err *err);

/* rx_sched_set from one string; "[a, b]" is a list. */
int rx_sched_set_str(rx_sched_config *c, const char *key, const char *val,
                     rx_err *err);

/* Parses "NAME", "NAME:k=v,k=v" or "NAME,k=v,..." (commas inside [...]
 * belong to the value) with rx_sched_init and rx_sched_set_str: the
 * command-line form of a schedule. */
int rx_sched_parse(rx_sched_config *c, const char *text, rx_err *err);

/* Cross-parameter checks after all keys are set (three_phase needs
 * pct_start < 0.5, plateau takes no sampling but iteration or epoch, a
 * warm-up of 1 or more is a whole number of steps), and every value
 * against its bounds again (for configs not built through rx_sched_set). */
int rx_sched_validate(const rx_sched_config *c, rx_err *err);

/* Canonical JSON object of the schedule: {"name":..., params...,
 * "sampling":..., "warmup":..., "warmup_start":..., "warmup_counts":...},
 * every parameter present, keys in table order (hidden aliases such as
 * exp's "final" are stored as what they set).  snprintf rules. */
int rx_sched_format(const rx_sched_config *c, char *buf, size_t size);
/* The sampling alone, as text ("iteration", "epoch", "10%", "every-50",
 * "[0.5,0.75]").  snprintf rules. */
int rx_sampling_format(const rx_sched_config *c, char *buf, size_t size);

/* The profile of c at p (T = 0: continuous) or at step t of T; *mom is
 * left alone unless the profile cycles momentum.  Plateau gives 1. */
double rx_profile_value(const rx_sched_config *c, double p, double t,
                        double T, double *mom);

/* Warm-up steps for a run of T steps: ceil(warmup*T) for a fraction,
 * warmup for a step count, 0 for none. */
long rx_sched_warmup_steps(const rx_sched_config *c, long T);
/* The steps a trainer runs for a budget of T steps: T, plus the warm-up
 * when it does not count toward the budget. */
long rx_sched_total_steps(const rx_sched_config *c, long T);

/* Runtime state of one run's schedule; plain data, no allocation. */
typedef struct rx_sched {
    rx_sched_config cfg;
    double lr0, mom0;
    long total;             /* steps the trainer runs */
    long warm;              /* warm-up steps at the start */
    long T;                 /* steps the profile spans (after the warm-up) */
    long steps_per_epoch;
    /* plateau (PyTorch ReduceLROnPlateau) */
    double plateau_lr, best;
    int bad_epochs, cooldown_left;
    long epochs;            /* rx_sched_epoch_end calls so far */
} rx_sched;

/* Starts a schedule for a run of total_steps steps with steps_per_epoch
 * steps per epoch.  total_steps is what the trainer runs: the budget,
 * plus the warm-up when warmup_counts is false (rx_sched_total_steps).
 * The warm-up takes the first steps; the profile spans the rest, with
 * p = (t - warm)/T.  c must have passed rx_sched_validate. */
void rx_sched_start(rx_sched *s, const rx_sched_config *c, double lr0,
                    double mom0, long total_steps, long steps_per_epoch);

/* The lr and momentum to use for step t (0-based).  A pure function of t
 * and the epochs fed so far, so any order works; the trainer calls it with
 * t = 0, 1, 2, ... */
void rx_sched_step(const rx_sched *s, long t, double *lr, double *mom);

/* Feeds the end of an epoch (validation loss, or the monitored metric) to
 * plateau, which then follows torch's ReduceLROnPlateau.step(metric)
 * exactly; a no-op for the other profiles. */
void rx_sched_epoch_end(rx_sched *s, double val_metric);

#endif
