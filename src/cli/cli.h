/*
 * cli.h: the command-line front end.  Only this layer prints for the user.
 * A command returns a status (rx_status: RX_OK, a library status, or
 * RX_EFAILED, RX_EMISSING, RX_EDATA for what it found); main() alone turns
 * it into an exit code (rx_exit_code).
 */
#ifndef RX_CLI_H
#define RX_CLI_H

#include <stdio.h>
#include "rx_common.h"
#include "rx_report.h"

typedef struct rx_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);   /* argv[0] is the command name; returns a status */
    const char *summary;
} rx_cmd;

/* Prints "rexsweep: <msg>" to stderr (and returns: the caller decides
 * the status). */
void rx_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes s single-quoted for a POSIX shell ('it'\''s'). */
void rx_shell_quote(FILE *f, const char *s);

/* Formats a duration in seconds as "42s", "3m05s" or "2h07m"; "?" when
 * it is negative or not finite. */
void rx_fmt_duration(double s, char *buf, size_t size);

/* True when argv contains -h or --help (before a "--"). */
int rx_wants_help(int argc, char **argv);

/* What the reading commands (report, check, export) share (reading.c). */
struct rx_store;
struct rx_option;
/* Parses the options of a command that takes no arguments (opts.h).
 * Returns -1 to go on, else the status to return: RX_OK after --help,
 * RX_EINVAL after an error (already printed). */
int rx_cli_options_only(int argc, char **argv, const struct rx_option *opts, int n,
                        const char *usage);
/* Opens the store at path read-only into *st; prints why not and returns
 * a status (RX_EIO) when it cannot. */
int rx_cli_open_store(const char *path, struct rx_store **st);

/* Prints the protocol warnings of sweep (NULL: the only one) in store db
 * to f, one "warning: ..." line each ("- warning: ..." when markdown),
 * and returns how many.  Advice only: a store it cannot read gives none.
 * writable: open it as the command that wrote it did (a read-only
 * handle cannot remove the WAL files on close; run must not leave them). */
int rx_cli_warnings(const char *db, const char *sweep, FILE *f, int markdown, int writable);

/* The keys a report tunes like the lr (tune.c). */
typedef struct rx_cli_tune {
    char key[RX_REPORT_TUNE_MAX][RX_REPORT_NAME_MAX];
    const char *v[RX_REPORT_TUNE_MAX + 1];  /* NULL-terminated, into key: for
                                               rx_report_opts.tune */
    int n;
    int from_spec;                          /* the first from_spec came from
                                               the stored spec's tune: */
    char note[512];                         /* why the stored spec's keys were
                                               not used, or "" */
} rx_cli_tune;

/* rx_cli_tune_keys without the labelling: the keys of the stored spec of
 * sweep (the name read; "" = every run: none), then cli[0..n_cli). */
int rx_cli_tune_collect(struct rx_store *st, const char *sweep, const char *const *cli,
                        int n_cli, int no_spec, rx_cli_tune *out, rx_err *err);

/* The keys tuned like the lr for the runs res read from st: the stored
 * spec's `tune:` of the sweep read (res->sweep; none when every run was
 * read, or when no_spec), then cli[0..n_cli), each once and checked with
 * rx_key_tunable; then res labelled with them (rx_results_label_tuned).
 * A stored spec whose tune: cannot be read is passed over with out->note
 * saying why.  Returns RX_OK, RX_EINVAL (a key that cannot be tuned, too
 * many), RX_ESTORE or RX_ENOMEM with err set. */
struct rx_results;
int rx_cli_tune_keys(struct rx_store *st, struct rx_results *res, const char *const *cli,
                     int n_cli, int no_spec, rx_cli_tune *out, rx_err *err);

/* The spec stored with sweep, with the run's --set overrides (stored as
 * "# --set KEY=VALUE" lines) applied (search_report.c): NULL when it
 * cannot be read back, or when it is a grid and grids is 0.  Free with
 * rx_spec_free. */
struct rx_spec *rx_cli_stored_spec(struct rx_store *st, const char *sweep, int grids);

/* The adaptive lr grid of a sweep's tuning cells, for the report's lr-edge
 * warning (extension.c): rx_report_opts.lr_grid is rx_cli_ext_lookup with
 * lr_grid_ud an rx_cli_ext.  The stored spec is planned on the first
 * lookup, and each tuning cell resolved against st (which the caller
 * keeps open) once, when asked.  rx_cli_ext_new returns NULL when sweep
 * is NULL or "" (runs of several sweeps: no spec to ask) or out of
 * memory. */
typedef struct rx_cli_ext rx_cli_ext;
rx_cli_ext *rx_cli_ext_new(struct rx_store *st, const char *sweep);
int rx_cli_ext_lookup(void *ud, const rx_report_run *run, rx_report_lr_grid *out);
void rx_cli_ext_free(rx_cli_ext *x);

/* Halving sweeps (search_report.c).  Prints the rungs of search hs of
 * spec, their cost at most, decided so far and in the full grid, for
 * plan. */
struct rx_spec;
struct rx_search;
struct rx_err;
void rx_cli_search_plan(FILE *f, const struct rx_spec *spec, struct rx_search *hs);
/* The rung ladders of sweep (its spec as stored) for the report, when
 * that sweep is a search (halving, hyperband): *out a new ladder set
 * (rx_cli_search_free), NULL for a grid; groups are joined with the
 * report's labels through res's runs.  A ladder it cannot build is a
 * note (note_size bytes; "" none) and *out NULL.  RX_OK or RX_ENOMEM. */
struct rx_results;
struct rx_report_search;
int rx_cli_search_load(struct rx_store *st, const struct rx_results *res, const char *sweep,
                       struct rx_report_search **out, char *note, size_t note_size);
void rx_cli_search_free(struct rx_report_search *rs);

/* Subcommands: one file each (cmd_NAME.c). */
int cmd_train(int argc, char **argv);
int cmd_schedule(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_slurm(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_verify(int argc, char **argv);

#endif
