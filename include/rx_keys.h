/*
 * rx_keys.h: the key table of rx_config.
 *
 * Every configuration key is one row of the table in src/keys.c: dotted
 * name, type, bounds, default and a one-line doc (rx_param.h).  Adding a
 * hyperparameter is one line there.  The same rows drive the spec parser,
 * KEY=VALUE overrides, validation, the canonical JSON that identifies a
 * run, `rexsweep train --keys` and the key list of rexsweep.yaml(5).
 *
 * Two families of keys live outside the main table:
 *   schedule.*   delegated to the schedule module (rx_sched.h): "name"
 *                resets the schedule to a profile with its defaults, the
 *                rest are that profile's parameters, "sampling" and the
 *                warm-up keys;
 *   model.conv   a list of conv layers, each a map of the sub-table
 *                rx_conv_keys() (channels, kernel, stride, padding, pool).
 *
 * Ownership: nothing here allocates except rx_config_json (caller frees).
 */
#ifndef RX_KEYS_H
#define RX_KEYS_H

#include <stddef.h>
#include <stdio.h>
#include "rx_common.h"
#include "rx_config.h"
#include "rx_job.h"
#include "rx_param.h"

/* Row flag beyond rx_param.h's: a runtime setting (threads, time limit)
 * that does not change what a run computes, so it is left out of the run
 * identity. */
#define RX_KF_RUNTIME (1u << 8)

/* The main table and its size (table order: data, model, optimizer,
 * train; the canonical form sorts keys itself). */
const rx_param *rx_keys(int *n);
/* The conv layer sub-table: offsets into rx_conv_config, keys
 * "model.conv.channels" and so on. */
const rx_param *rx_conv_keys(int *n);

/* How a key takes its value. */
typedef enum rx_key_shape {
    RX_KEY_UNKNOWN = 0,
    RX_KEY_SCALAR,          /* one value */
    RX_KEY_LIST             /* a list (hidden sizes, milestones, sampling
                               fractions, conv layers) */
} rx_key_shape;

/* The shape of a dotted key, or RX_KEY_UNKNOWN.  schedule.* keys are
 * known when any profile has that parameter. */
rx_key_shape rx_key_shape_of(const char *key);

/* The closest known key to `key` for a "did you mean" hint, written to
 * out; only keys starting with "section." are considered when section is
 * not NULL.  Returns 1 when a close key exists, else 0. */
int rx_key_suggest(const char *key, const char *section, char *out,
                   size_t size);

/* RX_OK when key may be tuned like the lr (rexsweep-report(1) --tune, a
 * spec's tune:): a known key that changes what a run computes, but not
 * the lr itself, the seed, the budget, nor what a report compares (the
 * schedule's or optimizer's name, the dataset, the model type).  Else
 * RX_EINVAL with why, or a "did you mean" for an unknown key. */
int rx_key_tunable(const char *key, rx_err *err);

/* Sets one key on c from n string values (YAML scalars, or the items of
 * "[a, b]"); is_list says the value was written as a list.  Keys:
 *   table keys               rx_param_set semantics and messages;
 *   schedule.name            rx_sched_init: resets the schedule;
 *   schedule.KEY             rx_sched_set(KEY);
 *   model.conv               one layer per value, each "channels=16
 *                            kernel=3 stride=1 padding=1 pool=2" (keys
 *                            separated by spaces; omitted keys take their
 *                            defaults, channels is required);
 *   model.conv.I.KEY         one field of the existing layer I (0-based).
 * On error returns RX_EINVAL with a message naming the key (unknown keys
 * get a "did you mean" hint). */
int rx_config_set(rx_config *c, const char *key, const char *const *vals,
                  int n, int is_list, rx_err *err);

/* Would rx_config_set(c, key, vals, n, is_list) leave c's canonical form
 * with runtime keys (RX_CANON_RUNTIME) unchanged?  1 yes, 0 no, and 0 when
 * the value does not apply to c (an error of rx_config_set).  The answer
 * of comparing the two canonical forms, which it writes only for keys
 * outside the table (schedule parameters, conv layers): a table key writes
 * its own field alone, whose text in the canonical form is its formatted
 * value, so comparing that value decides.  A few microseconds, not two
 * canonical forms per call (exclusion rules test every run). */
int rx_config_set_is_noop(const rx_config *c, const char *key, const char *const *vals,
                          int n, int is_list);

/* rx_config_set from one string: "[a, b, c]" is a list (rx_param_set_str
 * semantics). */
int rx_config_set_str(rx_config *c, const char *key, const char *val,
                      rx_err *err);

/* Applies one "key=value" setting (split at the first '='). */
int rx_config_assign(rx_config *c, const char *setting, rx_err *err);

/* Cross-field checks (e.g. a cnn needs conv layers, nesterov needs SGD
 * with momentum, plateau needs a validation set) and rx_sched_validate.
 * rx_config_check also names the key at fault in *key (a static string;
 * key may be NULL): a dotted key, or "schedule" when the schedule module
 * found the fault among the schedule's keys. */
int rx_config_validate(const rx_config *c, rx_err *err);
int rx_config_check(const rx_config *c, const char **key, rx_err *err);

/* Flags of the canonical form. */
enum {
    RX_CANON_NOSEED = 1 << 0,   /* omit train.seed (the cell key) */
    RX_CANON_RUNTIME = 1 << 1   /* include runtime-only keys */
};

/* Writes the canonical JSON of c into buf: sections data, model,
 * optimizer, schedule, train in that (sorted) order, every key present,
 * keys sorted bytewise within a section, numbers in their shortest exact
 * form, no spaces.  Two configs describe the same run exactly when their
 * canonical forms are equal.  Returns the length it needs (snprintf
 * rules: the output is truncated when that is >= size). */
int rx_config_canonical(const rx_config *c, unsigned flags, char *buf,
                        size_t size);
/* A bound on the canonical form's length (with its NUL) for any config:
 * the longest, every string at its maximum of escaped characters, is
 * about 20 KiB (test_keys checks it). */
#define RX_CANON_MAX 65536
/* The same in a malloc'd string (caller frees); NULL when out of memory. */
char *rx_config_json(const rx_config *c, unsigned flags);

/* The run key: FNV-1a 64 of the canonical JSON (runtime keys omitted)
 * and RX_TRAINER_VERSION, as 16 lower-case hex digits.  The cell key is
 * the same without the seed: the runs of one cell differ only by seed.
 * Returns RX_OK, or RX_ENOMEM (out is then "") when the canonical form
 * cannot be allocated. */
int rx_config_run_key(const rx_config *c, char out[RX_KEY_LEN + 1]);
int rx_config_cell_key(const rx_config *c, char out[RX_KEY_LEN + 1]);
/* The key of a canonical JSON text (as rx_config_json with flags 0 gives
 * it) under a trainer version (RX_TRAINER_VERSION for this build's runs):
 * how the store checks that a stored run still matches its key, and
 * verify finds which trainer version recorded a run.  RX_EINVAL (out is
 * then "") when json is NULL: no configuration has no key, and the key of
 * the version alone would match nothing stored. */
int rx_key_of_json(const char *json, int trainer_version, char out[RX_KEY_LEN + 1]);
/* Reads a canonical JSON text (flags 0) back into *c, from the defaults
 * (keys_json.c, on rx_config_json_walk): the inverse of rx_config_canonical, so that a stored run
 * can be trained again from the store alone.  RX_EFORMAT for text that is
 * not canonical JSON, RX_EINVAL for a value the key table refuses.  The
 * caller checks the result's run key against the stored one. */
int rx_config_from_json(const char *json, rx_config *c, rx_err *err);

/* Remembers the text of the last configuration keyed, so that the keys
 * of many configurations differing in a few values (a grid's runs) cost
 * the values that changed: the same keys as rx_config_run_key and
 * rx_config_cell_key, about 30x faster on a grid.  Owned by the caller
 * (rx_key_memo_new: NULL when out of memory; rx_key_memo_free). */
typedef struct rx_key_memo rx_key_memo;
rx_key_memo *rx_key_memo_new(void);
void rx_key_memo_free(rx_key_memo *m);
/* The run and cell keys of c through memo m.  RX_OK, or RX_ENOMEM. */
int rx_config_keys(rx_key_memo *m, const rx_config *c, char run[RX_KEY_LEN + 1],
                   char cell[RX_KEY_LEN + 1]);

/* Writes the value of one key as it appears in the canonical form
 * (schedule.name as the bare profile name, strings unquoted).  Returns
 * RX_OK, or RX_ENOTFOUND when c has no such key (e.g. a schedule
 * parameter of another profile). */
int rx_config_get(const rx_config *c, const char *key, char *buf,
                  size_t size);

/* Copies the JSON text json into buf (snprintf rules; returns the length
 * it needs), without the quotes when it is a string: the value of a key
 * as rx_config_get writes it.  Escapes are kept as they are. */
int rx_config_unquote(const char *json, char *buf, size_t size);

/* Called for each leaf of a configuration's JSON: key is the dotted path
 * ("optimizer.lr"; nested objects join with '.', cut at 255 bytes), val
 * the raw JSON text of the value (a string keeps its quotes, a list is one
 * leaf), len its length (val is not NUL-terminated).  Non-zero stops the
 * walk. */
typedef int (*rx_json_leaf_fn)(void *ud, const char *key, const char *val,
                               size_t len);

/* The one reader of the canonical JSON (rx_config_canonical; keys_json.c):
 * calls fn for every leaf of the object json in document order.
 * Allocates nothing.  Returns RX_OK, fn's non-zero status, or RX_EFORMAT
 * when json is not one JSON object (or nests deeper than 8). */
int rx_config_json_walk(const char *json, rx_json_leaf_fn fn, void *ud);

/* Writes the key reference: every key with its type, bounds, default and
 * doc; schedule keys come from the profile table.  RX_KEYS_ROFF writes
 * the roff block of rexsweep.yaml(5), RX_KEYS_TEXT the `--keys` listing.
 * This function's job is output. */
typedef enum rx_keys_format { RX_KEYS_TEXT, RX_KEYS_ROFF } rx_keys_format;
void rx_keys_print(FILE *f, rx_keys_format fmt);

#endif
