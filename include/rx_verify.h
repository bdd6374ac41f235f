/*
 * rx_verify.h: trains stored runs again and compares every recorded value
 * bit for bit (`rexsweep verify`): the run's final and best metrics, its
 * step and sample counts, every per-epoch row and every per-step row that
 * was recorded.  Times (wall) are not compared.  The configuration comes
 * from the store alone (runs.config), checked against the run's key, so a
 * store received from elsewhere can be verified without its spec.
 *
 * Reads only: nothing here writes to the store.
 * Ownership: rx_verify_select allocates the key array (caller frees it);
 * the caller's rx_data_cache keeps the last dataset loaded across runs.
 */
#ifndef RX_VERIFY_H
#define RX_VERIFY_H

#include <signal.h>
#include <stdint.h>
#include "rx_common.h"
#include "rx_data.h"
#include "rx_job.h"

struct rx_store;

/* Which runs to verify. */
typedef struct rx_verify_select {
    const char *sweep;        /* only runs of sweeps with this name, or NULL */
    int all;                  /* every done run */
    int sample;               /* else this many done runs, spread by key */
    uint64_t seed;            /* picks the sample (same seed, same runs) */
    const char *const *keys;  /* else these runs (unique key prefixes) */
    int n_keys;
} rx_verify_select;

/*
 * Lists the keys to verify into *keys (malloc'd, *n entries, in key
 * order).  A sample takes the done runs whose keys follow a point that
 * the seed sets, wrapping around: keys are hashes, so that is a uniform,
 * deterministic choice, read by one walk of the key index.  Named runs
 * must exist (RX_ENOTFOUND), be unique prefixes (RX_EINVAL) and be done
 * or diverged (RX_EINVAL).
 */
int rx_verify_select_keys(struct rx_store *st, const rx_verify_select *sel,
                          char (**keys)[RX_KEY_LEN + 1], int *n, rx_err *err);

enum { RX_VERIFY_MATCH, RX_VERIFY_DIFFERS, RX_VERIFY_ERROR };

#define RX_VERIFY_MAX_DIFFS 16

/* One value that differs: what ("test_acc", "epoch 3 val_loss", "step 17
 * loss", "epoch rows") and both sides as text (%.17g for reals, which
 * tells any two doubles apart). */
typedef struct rx_verify_diff {
    char what[48];
    char stored[40];
    char now[40];
} rx_verify_diff;

typedef struct rx_verify_run {
    char key[RX_KEY_LEN + 1];
    int verdict;                 /* RX_VERIFY_* */
    int trainer_version;         /* the version whose key it has; 0: none */
    int n_compared;              /* values compared */
    int n_diffs;                 /* values that differ (all of them) */
    rx_verify_diff diffs[RX_VERIFY_MAX_DIFFS];  /* the first ones */
    int n_epochs, n_steps;       /* rows compared */
    double wall;                 /* seconds this verification trained */
    char error[1024];            /* RX_VERIFY_ERROR: why */
} rx_verify_run;

/*
 * Trains run key again (one BLAS thread, its stored configuration) and
 * compares it with what the store holds, into *out.  Returns RX_OK with a
 * verdict (a configuration that no longer matches the key is a
 * difference, and is not trained); RX_EINTR when *stop was raised; or an
 * error (the dataset cannot be loaded, the store cannot be read) with
 * out->verdict RX_VERIFY_ERROR and the message in out->error and err.
 */
int rx_verify_run_key(struct rx_store *st, const char *key, rx_data_cache *cache,
                      volatile sig_atomic_t *stop, rx_verify_run *out, rx_err *err);

#endif
