/*
 * cli.h: the command-line front end.  Only this layer prints for the user
 * and only main() turns statuses into exit codes.
 */
#ifndef RX_CLI_H
#define RX_CLI_H

#include <stdio.h>
#include "rx_common.h"

/* Process exit codes (listed in rexsweep(1); keep in sync). */
typedef enum rx_exit {
    RX_EXIT_OK = 0,          /* success: every run done, no regression */
    RX_EXIT_FAILED = 1,      /* some runs failed or diverged; check: regression */
    RX_EXIT_USAGE = 2,       /* bad usage, bad spec or bad configuration */
    RX_EXIT_MISSING = 3,     /* check: runs missing or not comparable */
    RX_EXIT_IO = 4,          /* the store or a file could not be read/written */
    RX_EXIT_CONFLICT = 5,    /* merge: two different results for one run key */
    RX_EXIT_DATA = 6,        /* a dataset file is missing or malformed */
    RX_EXIT_INTERRUPTED = 130 /* SIGINT/SIGTERM: in-flight runs marked interrupted */
} rx_exit;

typedef struct rx_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);   /* argv[0] is the command name */
    const char *summary;
} rx_cmd;

/* Maps a library status to an exit code. */
int rx_exit_for(int status);

/* Prints "rexsweep: <msg>" to stderr. */
void rx_die_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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
 * Returns -1 to go on, else the exit code to return: 0 after --help, 2
 * after an error (already printed). */
int rx_cli_options_only(int argc, char **argv, const struct rx_option *opts, int n,
                        const char *usage);
/* Opens the store at path read-only into *st; prints why not and returns
 * an exit code (RX_EXIT_IO) when it cannot. */
int rx_cli_open_store(const char *path, struct rx_store **st);
/* The exit code for a failed rx_results_load status. */
int rx_cli_load_exit(int status);

/* Prints the protocol warnings of sweep (NULL: the only one) in store db
 * to f, one "warning: ..." line each ("- warning: ..." when markdown),
 * and returns how many.  Advice only: a store it cannot read gives none.
 * writable: open it as the command that wrote it did (a read-only
 * handle cannot remove the WAL files on close; run must not leave them). */
int rx_cli_warnings(const char *db, const char *sweep, FILE *f, int markdown, int writable);

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
