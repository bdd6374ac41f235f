/* opts.c: the option-table parser shared by every command. */
#include "opts.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rx_param.h"

void rx_print_help(FILE *f, const char *usage, const rx_option *opts, int n)
{
    fprintf(f, "%s\n\noptions:\n", usage);
    for (int i = 0; i < n; i++) {
        char left[64];
        if (opts[i].short_name)
            snprintf(left, sizeof left, "-%c, --%s%s%s", opts[i].short_name, opts[i].name,
                     opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", opts[i].name,
                     opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        fprintf(f, "  %-28s %s\n", left, opts[i].help);
    }
    fprintf(f, "  %-28s %s\n", "-h, --help", "show this help");
}

static int set_value(const rx_option *o, const char *v)
{
    switch (o->type) {
    case RX_OPT_INT: {
        long long x;
        if (rx_parse_int(v, &x) || x < -2147483647LL || x > 2147483647LL) {
            rx_cli_error("option '--%s' needs an integer, got '%s'", o->name, v);
            return -1;
        }
        *(int *)o->value = (int)x;
        return 0;
    }
    case RX_OPT_DOUBLE: {
        double x;
        if (rx_parse_double(v, &x)) {
            rx_cli_error("option '--%s' needs a number, got '%s'", o->name, v);
            return -1;
        }
        *(double *)o->value = x;
        return 0;
    }
    case RX_OPT_STRING:
        *(const char **)o->value = v;
        return 0;
    case RX_OPT_LIST: {
        rx_opt_list *l = o->value;
        if (l->n == (int)(sizeof l->v / sizeof l->v[0])) {
            rx_cli_error("option '--%s' given too many times", o->name);
            return -1;
        }
        l->v[l->n++] = v;
        return 0;
    }
    default:
        *(int *)o->value = 1;
        return 0;
    }
}

int rx_parse_options(int argc, char **argv, const rx_option *opts, int n,
                     const char **pos, int max_pos, int *n_pos,
                     const char *usage)
{
    *n_pos = 0;
    int only_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!only_pos && strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (!only_pos && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            rx_print_help(stdout, usage, opts, n);
            return 1;
        }
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (*n_pos == max_pos) {
                rx_cli_error("too many arguments ('%s'); see '%s --help'", a, argv[0]);
                return -1;
            }
            pos[(*n_pos)++] = a;
            continue;
        }
        const rx_option *o = NULL;
        const char *inl = NULL;
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            for (int k = 0; k < n; k++)
                if (strlen(opts[k].name) == len && strncmp(opts[k].name, name, len) == 0)
                    o = &opts[k];
            if (eq)
                inl = eq + 1;
        } else {
            for (int k = 0; k < n; k++)
                if (opts[k].short_name == a[1])
                    o = &opts[k];
            if (o && a[2])
                inl = a + 2;
        }
        if (!o) {
            rx_cli_error("unknown option '%s'; see 'rexsweep %s --help'", a, argv[0]);
            return -1;
        }
        if (o->type == RX_OPT_FLAG) {
            if (inl) {
                rx_cli_error("option '--%s' takes no value", o->name);
                return -1;
            }
            *(int *)o->value = 1;
            continue;
        }
        if (!inl) {
            if (i + 1 >= argc) {
                rx_cli_error("option '--%s' needs a value (%s)", o->name, o->arg ? o->arg : "VALUE");
                return -1;
            }
            inl = argv[++i];
        }
        if (set_value(o, inl))
            return -1;
    }
    return 0;
}
