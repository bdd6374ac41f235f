/*
 * opts.h: one declarative option table per command, parsed by one
 * function (git's parse-options in miniature).  --help text comes from
 * the same table.
 */
#ifndef RX_OPTS_H
#define RX_OPTS_H

#include <stdio.h>

typedef enum rx_opt_type {
    RX_OPT_FLAG,     /* int, set to 1 */
    RX_OPT_INT,      /* int */
    RX_OPT_DOUBLE,   /* double */
    RX_OPT_STRING,   /* const char * (points into argv) */
    RX_OPT_LIST      /* rx_opt_list: repeatable string */
} rx_opt_type;

typedef struct rx_opt_list {
    const char *v[64];
    int n;
} rx_opt_list;

typedef struct rx_option {
    const char *name;        /* long name without "--" */
    char short_name;         /* 0 for none */
    rx_opt_type type;
    void *value;
    const char *arg;         /* argument name for help, e.g. "FILE" */
    const char *help;
} rx_option;

/* Parses argv[1..argc) (argv[0] is the command name).  Options may be
 * written --name VALUE, --name=VALUE, -x VALUE; "--" ends options.
 * Non-option arguments are collected in pos[] (room for max_pos).
 * Returns 0 on success, 1 when --help was printed (exit 0), or -1 after
 * printing an error to stderr (exit 2). */
int rx_parse_options(int argc, char **argv, const rx_option *opts, int n,
                     const char **pos, int max_pos, int *n_pos,
                     const char *usage);

void rx_print_help(FILE *f, const char *usage, const rx_option *opts, int n);

#endif
