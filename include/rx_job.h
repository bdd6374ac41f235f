/*
 * rx_job.h: one run of a sweep, as the grid expands it and as the runner
 * and the store see it.  The run key is content-addressed: a hash of the
 * canonical configuration JSON (which includes the seed) and the trainer
 * version, so the same run has the same key on every machine.
 */
#ifndef RX_JOB_H
#define RX_JOB_H

#include <stdint.h>
#include "rx_config.h"

#define RX_KEY_LEN 16           /* hex digits of a run key */

/*
 * A run as the grid lists it (rx_grid_plan): what tells it apart, without
 * its configuration.  72 bytes, so a grid of 10^6 runs takes 72 MB; the
 * configuration is rebuilt from pos when the run is needed (rx_grid_job).
 */
typedef struct rx_run_ref {
    char key[RX_KEY_LEN + 1];   /* run key, hex */
    char cell[RX_KEY_LEN + 1];  /* key of the grid cell: config minus seed */
    int index;                  /* position in the expanded grid (after
                                   exclusion and dedupe): the grid order */
    int64_t pos;                /* position in the grid's full product (the
                                   mixed-radix coordinate of its choices) */
    double cost;                /* what it costs (rx_cost.h: GFLOP of work)
                                   for the shards, totals and ETAs */
    long steps;                 /* the steps it takes; 0 unknown */
    double epochs;              /* budget x full_epochs */
} rx_run_ref;

/* A run with its configuration materialised (rx_grid_job): about 4 KB
 * plus its JSON, so only for the runs in hand, not a whole grid. */
typedef struct rx_job {
    rx_config cfg;
    char key[RX_KEY_LEN + 1];   /* run key, hex */
    char cell[RX_KEY_LEN + 1];  /* key of the grid cell: config minus seed */
    char *config_json;          /* canonical JSON; owned by the job list */
    int index;                  /* position in the expanded grid */
    int64_t pos;                /* as rx_run_ref */
    double cost;                /* as rx_run_ref */
    long steps;                 /* as rx_run_ref */
    double epochs;              /* as rx_run_ref */
} rx_job;

/* Frees the config_json strings of jobs[0..n) and the array itself. */
void rx_jobs_free(rx_job *jobs, int n);

#endif
