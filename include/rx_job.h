/*
 * rx_job.h: one run of a sweep, as the grid expands it and as the runner
 * and the store see it.  The run key is content-addressed: a hash of the
 * canonical configuration JSON (which includes the seed) and the trainer
 * version, so the same run has the same key on every machine.
 */
#ifndef RX_JOB_H
#define RX_JOB_H

#include "rx_config.h"

#define RX_KEY_LEN 16           /* hex digits of a run key */

typedef struct rx_job {
    rx_config cfg;
    char key[RX_KEY_LEN + 1];   /* run key, hex */
    char cell[RX_KEY_LEN + 1];  /* key of the grid cell: config minus seed */
    char *config_json;          /* canonical JSON; owned by the job list */
    int index;                  /* position in the expanded grid */
    double cost;                /* estimated cost (budget x full_epochs) for
                                   shard balancing */
} rx_job;

/* Frees the config_json strings of jobs[0..n) and the array itself. */
void rx_jobs_free(rx_job *jobs, int n);

#endif
