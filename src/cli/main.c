/* main.c: git-style subcommand dispatch and exit-code mapping. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Sorted by name.  A NULL fn means "not built yet" in this version. */
static const rx_cmd commands[] = {
    {"check", cmd_check, "compare a store against a baseline (CI regression gate)"},
    {"export", cmd_export, "dump runs and metrics as CSV or JSON"},
    {"merge", cmd_merge, "merge shard stores into one"},
    {"plan", cmd_plan, "validate a sweep spec and show its grid"},
    {"report", cmd_report, "summarise a store: cell tables, Top-k, average ranks"},
    {"run", cmd_run, "run a sweep spec into the results store"},
    {"schedule", cmd_schedule, "print or plot learning-rate schedules"},
    {"slurm", cmd_slurm, "write or submit a Slurm job array for a sweep"},
    {"status", cmd_status, "show a store's sweeps, runs in flight and stale runs (read-only)"},
    {"train", cmd_train, "train one job from a YAML file or KEY=VALUE settings"},
    {"verify", cmd_verify, "train stored runs again and compare them bit for bit"},
};
#define N_COMMANDS (int)(sizeof commands / sizeof commands[0])

int rx_exit_for(int status)
{
    switch (status) {
    case RX_OK: return RX_EXIT_OK;
    case RX_EINVAL: return RX_EXIT_USAGE;
    case RX_EFORMAT: return RX_EXIT_DATA;
    case RX_EIO: case RX_ESTORE: case RX_ENOMEM: return RX_EXIT_IO;
    case RX_EINTR: return RX_EXIT_INTERRUPTED;
    case RX_ECONFLICT: return RX_EXIT_CONFLICT;
    case RX_ENOTFOUND: return RX_EXIT_MISSING;
    default: return RX_EXIT_FAILED;
    }
}

void rx_die_msg(const char *fmt, ...)
{
    va_list ap;
    fputs("rexsweep: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void rx_shell_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++)
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    fputc('\'', f);
}

void rx_fmt_duration(double s, char *buf, size_t size)
{
    if (!isfinite(s) || s < 0) { snprintf(buf, size, "?"); return; }
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, size, "%ldh%02ldm", t / 3600, t / 60 % 60);
    else if (t >= 60) snprintf(buf, size, "%ldm%02lds", t / 60, t % 60);
    else snprintf(buf, size, "%lds", t);
}

int rx_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: rexsweep [--version] [--help] <command> [<args>]\n\ncommands:\n");
    for (int i = 0; i < N_COMMANDS; i++)
        if (commands[i].fn)
            fprintf(f, "   %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'rexsweep <command> --help' describes a command; man rexsweep lists exit codes\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return RX_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("rexsweep %s (trainer %d)\n", RX_VERSION, RX_TRAINER_VERSION);
        return RX_EXIT_OK;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return RX_EXIT_OK;
    }
    for (int i = 0; i < N_COMMANDS; i++)
        if (commands[i].fn && strcmp(commands[i].name, argv[1]) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    rx_die_msg("'%s' is not a rexsweep command; see 'rexsweep --help'", argv[1]);
    return RX_EXIT_USAGE;
}
