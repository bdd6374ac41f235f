/* cmd_schedule.c: `rexsweep schedule`: print, plot or draw schedules, with
 * the spec's parser (rx_sched_parse = rx_sched_init + rx_sched_set). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opts.h"
#include "rx_sched.h"
#include "rx_svg.h"
#include "rx_table.h"

static const char usage_text[] =
    "usage: rexsweep schedule NAME[:KEY=VALUE,...]... --steps T [--epoch-steps N]\n"
    "                         [--sampling S] [--param KEY=VALUE]... [--lr LR] [--momentum M]\n"
    "                         [--val-losses L,L,...] [--plot] [--svg FILE] [--csv]\n\n"
    "Prints the lr and momentum of every step of a T-step run as CSV (step, p, lr,\n"
    "momentum; with several schedules, an lr and a momentum column for each).\n"
    "Parameters attach to a name after a colon, e.g. exp:gamma=-5 or\n"
    "step:gamma=0.5,milestones=[0.3,0.6]; --sampling and --param apply to every\n"
    "schedule first, so a parameter after a name wins.  The keys are the spec's\n"
    "(rexsweep-schedule(1)).";

#define MAX_SCHED 16
#define MAX_LOSSES 100000
#define MAX_POINTS 4096     /* values kept per series for the plots */
#define MAX_STEPS 100000000L

typedef struct series {
    const char *label;      /* the argument as written */
    rx_sched_config cfg;
    rx_sched s;
    long total;             /* steps this schedule runs */
    double *lr, *mom;       /* at the kept points (n_points) */
    double lr_max, mom_min, mom_max;
} series;

typedef struct plot_data {
    series *sr;
    int n;
    long total;             /* the longest run */
    long *at;               /* steps of the kept points */
    int n_points;
    double lr_max, mom_min, mom_max;
    int mom_varies;
} plot_data;

/* ---- the terminal chart ------------------------------------------------ */

static const char markers[] = "*+ox#@%=&$";

/* One panel: values v[s][i] at pd->at[i], y from lo to hi. */
static void draw_panel(const plot_data *pd, int use_mom, double lo, double hi,
                       int width, int height, const char *title)
{
    char *grid = malloc((size_t)width * height);
    if (!grid)
        return;
    memset(grid, ' ', (size_t)width * height);
    double span = hi > lo ? hi - lo : 1;
    for (int k = 0; k < pd->n; k++) {
        const series *s = &pd->sr[k];
        const double *v = use_mom ? s->mom : s->lr;
        double prev = NAN;   /* the last value of the previous column */
        for (int col = 0; col < width; col++) {
            /* the points whose steps fall in this column, and the value
             * before them: mark from the lowest to the highest, so that
             * drops draw as vertical lines */
            long a = (long)((double)col * pd->total / width);
            long b = (long)((double)(col + 1) * pd->total / width);
            double mn = INFINITY, mx = -INFINITY, last = NAN;
            for (int i = 0; i < pd->n_points; i++)
                if (pd->at[i] >= a && (pd->at[i] < b || (b <= a && pd->at[i] == a)) &&
                    pd->at[i] < s->total) {
                    if (v[i] < mn) mn = v[i];
                    if (v[i] > mx) mx = v[i];
                    last = v[i];
                }
            if (mn <= mx && !isnan(prev)) {
                if (prev < mn) mn = prev;
                if (prev > mx) mx = prev;
            }
            if (!isnan(last))
                prev = last;
            if (mn > mx)
                continue;
            int r0 = (int)lround((mn - lo) / span * (height - 1));
            int r1 = (int)lround((mx - lo) / span * (height - 1));
            for (int r = r0; r <= r1; r++)
                if (r >= 0 && r < height)
                    grid[(size_t)(height - 1 - r) * width + col] = markers[k % (sizeof markers - 1)];
        }
    }
    printf("%s\n", title);
    for (int r = 0; r < height; r++) {
        char lab[32] = "";
        if (r == 0)
            snprintf(lab, sizeof lab, "%.4g", hi);
        else if (r == height - 1)
            snprintf(lab, sizeof lab, "%.4g", lo);
        else if (r == (height - 1) / 2)
            snprintf(lab, sizeof lab, "%.4g", lo + span * (height - 1 - r) / (height - 1));
        printf("%10s |%.*s\n", lab, width, grid + (size_t)r * width);
    }
    printf("%10s +", "");
    for (int c = 0; c < width; c++)
        putchar('-');
    printf("\n%10s  0%*ld\n", "", width - 1, pd->total);
    free(grid);
}

static void plot_terminal(const plot_data *pd)
{
    int width = 72;
    draw_panel(pd, 0, 0, pd->lr_max, width, 18, "lr");
    if (pd->mom_varies) {
        putchar('\n');
        draw_panel(pd, 1, pd->mom_min, pd->mom_max, width, 8, "momentum");
    }
    printf("%10s  step\n", "");
    for (int k = 0; k < pd->n; k++)
        printf("  %c %s\n", markers[k % (sizeof markers - 1)], pd->sr[k].label);
}

/* ---- SVG ----------------------------------------------------------------- */

/* One chart of the lr (or momentum) of every schedule against the step,
 * drawn as stairs (the value holds until the step that changes it). */
static int svg_panel(FILE *f, const plot_data *pd, int use_mom, double y, const char *title)
{
    rx_svg_series *sr = calloc((size_t)pd->n, sizeof *sr);
    double *x = calloc((size_t)pd->n_points + 1, sizeof *x);
    if (!sr || !x) {
        free(sr);
        free(x);
        return RX_ENOMEM;
    }
    for (int i = 0; i < pd->n_points; i++)
        x[i] = (double)pd->at[i];
    for (int k = 0; k < pd->n; k++) {
        const series *s = &pd->sr[k];
        int n = 0;
        while (n < pd->n_points && pd->at[n] < s->total)
            n++;
        /* "exp:gamma=-5" takes exp's colour, as in the report */
        char base[64];
        snprintf(base, sizeof base, "%s", s->label);
        base[strcspn(base, ":")] = '\0';
        sr[k] = (rx_svg_series){s->label, rx_svg_color(base), x, use_mom ? s->mom : s->lr,
                                NULL, NULL, n, 1};
    }
    rx_svg_axis ax = {0, (double)(pd->total > 1 ? pd->total - 1 : 1), 0, 0, NULL, 0, "step", 0};
    rx_svg_axis ay = {0};
    double ticks[16];
    rx_svg_fit_y(&ay, sr, pd->n, ticks, 16);
    if (!use_mom)
        ay.lo = 0;
    ay.label = title;
    rx_svg_frame fr = {use_mom ? "schedule-momentum" : "schedule-lr", title, title, 960,
                       use_mom ? 260 : 400, 0, y, 1};
    rx_svg_chart(f, &fr, &ax, &ay, sr, pd->n);
    free(sr);
    free(x);
    return RX_OK;
}

static int write_svg(const plot_data *pd, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f) {
        rx_die_msg("cannot write '%s': %s", path, strerror(errno));
        return RX_EXIT_IO;
    }
    double H = 400 + (pd->mom_varies ? 260 : 0);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" height=\"%g\" "
               "viewBox=\"0 0 960 %g\">\n", H, H);
    int oom = svg_panel(f, pd, 0, 0, "lr");
    if (pd->mom_varies && !oom)
        oom = svg_panel(f, pd, 1, 400, "momentum");
    fputs("</svg>\n", f);
    if (oom) {
        rx_die_msg("out of memory drawing '%s'", path);
        if (f != stdout)
            fclose(f);
        return RX_EXIT_IO;
    }
    int bad = ferror(f);
    if (f != stdout)
        bad |= fclose(f) != 0;
    else
        bad |= fflush(f) != 0;
    if (bad) {
        rx_die_msg("cannot write '%s'", path);
        return RX_EXIT_IO;
    }
    return RX_EXIT_OK;
}

/* ---- CSV ----------------------------------------------------------------- */

/* A CSV field, quoted when it needs to be (RFC 4180). */
static void csv_field(const char *s, const char *suffix)
{
    int quote = strpbrk(s, ",\"\n") != NULL;
    if (quote)
        putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    fputs(suffix, stdout);
    if (quote)
        putchar('"');
}

/* Parses "a,b,c" (or "[a, b, c]") into x; returns the count or -1. */
static int parse_losses(const char *text, double *x, int max)
{
    char *buf = strdup(text), *save = NULL;
    int n = 0;
    if (!buf)
        return -1;
    for (char *tok = strtok_r(buf, "[], ", &save); tok; tok = strtok_r(NULL, "[], ", &save)) {
        if (n == max || rx_parse_double(tok, &x[n])) {
            rx_die_msg("option '--val-losses' needs numbers separated by commas, got '%s'", tok);
            free(buf);
            return -1;
        }
        n++;
    }
    free(buf);
    return n;
}

int cmd_schedule(int argc, char **argv)
{
    int steps = 0, epoch_steps = 0, plot = 0, csv = 0;
    double lr0 = 1.0, mom0 = 0.9;
    const char *sampling = NULL, *svg = NULL, *losses_text = NULL;
    rx_opt_list params = {{0}, 0};
    const rx_option opts[] = {
        {"steps", 'T', RX_OPT_INT, &steps, "T", "steps in the run (the budget T; required)"},
        {"epoch-steps", 0, RX_OPT_INT, &epoch_steps, "N", "steps per epoch (epoch sampling, plateau)"},
        {"sampling", 0, RX_OPT_STRING, &sampling, "S", "sampling for every schedule (default iteration)"},
        {"param", 0, RX_OPT_LIST, &params, "KEY=VALUE", "a parameter for every schedule (repeatable)"},
        {"lr", 0, RX_OPT_DOUBLE, &lr0, "LR", "lr0, the initial (onecycle: peak) lr (default 1)"},
        {"momentum", 0, RX_OPT_DOUBLE, &mom0, "M", "momentum (or Adam beta1) when not cycled (default 0.9)"},
        {"val-losses", 0, RX_OPT_STRING, &losses_text, "L,L,...", "plateau: the validation loss of each epoch"},
        {"plot", 0, RX_OPT_FLAG, &plot, NULL, "draw the curves in the terminal instead of CSV"},
        {"svg", 0, RX_OPT_STRING, &svg, "FILE", "write the curves as an SVG file ('-': stdout)"},
        {"csv", 0, RX_OPT_FLAG, &csv, NULL, "print the CSV too when plotting"},
    };
    const int n_opts = (int)(sizeof opts / sizeof opts[0]);
    if (rx_wants_help(argc, argv)) {
        rx_print_help(stdout, usage_text, opts, n_opts);
        int np, nq, nc;
        const rx_profile *pr = rx_profiles(&np);
        const rx_preset *ps = rx_presets(&nq);
        const rx_param *cm = rx_sched_common_params(&nc);
        printf("\nschedules (value = lr0 * profile(p), p = t/T):\n");
        for (int i = 0; i < np; i++) {
            printf("  %-15s %s\n", pr[i].name, pr[i].formula);
            for (int j = 0; j < pr[i].n_params; j++)
                printf("  %17s%s=%s  %s\n", "", pr[i].params[j].key,
                       pr[i].params[j].def ? pr[i].params[j].def : "-", pr[i].params[j].doc);
        }
        printf("\npresets:\n");
        for (int i = 0; i < nq; i++)
            printf("  %-15s %s%s%s\n", ps[i].name, ps[i].profile, ps[i].settings[0] ? ":" : "",
                   ps[i].settings);
        printf("\nkeys of every schedule:\n  sampling=%s  when the lr is re-read from the profile "
               "and held:\n    %s\n", RX_SAMPLING_DEFAULT, RX_SAMPLING_FORMS);
        for (int i = 0; i < nc; i++)
            printf("  %s=%s  %s\n", cm[i].key, cm[i].def, cm[i].doc);
        printf("\nexamples:\n  rexsweep schedule rex linear step --steps 1000 --plot\n"
               "  rexsweep schedule exp:gamma=-5 step --sampling 50-75 --steps 300 --svg s.svg\n"
               "  rexsweep schedule plateau:patience=1 --steps 50 --epoch-steps 10 "
               "--val-losses 1,0.9,0.9,0.9,0.8\n");
        return RX_EXIT_OK;
    }
    const char *pos[MAX_SCHED];
    int npos;
    int rc = rx_parse_options(argc, argv, opts, n_opts, pos, MAX_SCHED, &npos, usage_text);
    if (rc)
        return rc > 0 ? RX_EXIT_OK : RX_EXIT_USAGE;
    if (npos == 0) {
        rx_die_msg("name at least one schedule; see 'rexsweep schedule --help'");
        return RX_EXIT_USAGE;
    }
    if (steps < 1 || steps > MAX_STEPS) {
        rx_die_msg(steps ? "'--steps' must be in [1, %ld], got %d" : "'--steps' is required (in [1, %ld])",
                   MAX_STEPS, steps);
        return RX_EXIT_USAGE;
    }
    if (epoch_steps < 0) {
        rx_die_msg("'--epoch-steps' must be at least 1, got %d", epoch_steps);
        return RX_EXIT_USAGE;
    }
    if (!(lr0 > 0) || !(mom0 >= 0 && mom0 < 1)) {
        rx_die_msg(lr0 > 0 ? "'--momentum' must be in [0, 1), got %g" : "'--lr' must be positive, got %g",
                   lr0 > 0 ? mom0 : lr0);
        return RX_EXIT_USAGE;
    }
    static double losses[MAX_LOSSES];
    int n_losses = 0;
    if (losses_text && (n_losses = parse_losses(losses_text, losses, MAX_LOSSES)) < 0)
        return RX_EXIT_USAGE;
    if (n_losses > 0 && epoch_steps == 0) {
        rx_die_msg("'--val-losses' needs '--epoch-steps' (the losses are fed at epoch ends)");
        return RX_EXIT_USAGE;
    }

    series sr[MAX_SCHED];
    memset(sr, 0, sizeof sr);
    long total = 0;
    int exit_code = RX_EXIT_OK;
    for (int k = 0; k < npos; k++) {
        series *s = &sr[k];
        rx_err err;
        s->label = pos[k];
        /* NAME, then the shared settings, then the name's own: one
         * rx_sched_parse text, so later keys win */
        size_t len = strlen(pos[k]) + 16 + (sampling ? strlen(sampling) : 0);
        for (int i = 0; i < params.n; i++)
            len += strlen(params.v[i]) + 1;
        char *text = malloc(len);
        if (!text) {
            rx_die_msg("out of memory");
            return RX_EXIT_IO;
        }
        size_t nlen = strcspn(pos[k], ":,");
        int m = snprintf(text, len, "%.*s", (int)nlen, pos[k]);
        char sep = ':';
        if (sampling)
            m += snprintf(text + m, len - (size_t)m, "%csampling=%s", sep, sampling), sep = ',';
        for (int i = 0; i < params.n; i++)
            m += snprintf(text + m, len - (size_t)m, "%c%s", sep, params.v[i]), sep = ',';
        if (pos[k][nlen])
            snprintf(text + m, len - (size_t)m, "%c%s", sep, pos[k] + nlen + 1);
        rc = rx_sched_parse(&s->cfg, text, &err);
        free(text);
        if (rc == RX_OK)
            rc = rx_sched_validate(&s->cfg, &err);
        if (rc) {
            rx_die_msg("%s", err.msg);
            return rx_exit_for(rc);
        }
        int np;
        const rx_profile *pr = rx_profiles(&np);
        if (s->cfg.sampling == RX_SAMPLE_EPOCH && epoch_steps == 0) {
            rx_die_msg("'%s': epoch sampling needs '--epoch-steps'", pos[k]);
            return RX_EXIT_USAGE;
        }
        if (pr[s->cfg.profile].fn == NULL && n_losses == 0)
            fprintf(stderr, "rexsweep: note: '%s' holds lr0 without '--val-losses' (plateau acts on "
                            "validation losses)\n", pos[k]);
        s->total = rx_sched_total_steps(&s->cfg, steps);
        rx_sched_start(&s->s, &s->cfg, lr0, mom0, s->total, epoch_steps);
        if (s->total > total)
            total = s->total;
    }

    /* the kept points: every step, or MAX_POINTS spread evenly */
    plot_data pd = {sr, npos, total, NULL, 0, 0, INFINITY, -INFINITY, 0};
    int drawing = plot || svg;
    if (drawing) {
        pd.n_points = total < MAX_POINTS ? (int)total : MAX_POINTS;
        pd.at = malloc(sizeof(long) * (size_t)pd.n_points);
        for (int k = 0; k < npos && pd.at; k++) {
            sr[k].lr = malloc(sizeof(double) * (size_t)pd.n_points);
            sr[k].mom = malloc(sizeof(double) * (size_t)pd.n_points);
            if (!sr[k].lr || !sr[k].mom)
                pd.at = (free(pd.at), NULL);
        }
        if (!pd.at) {
            rx_die_msg("out of memory");
            exit_code = RX_EXIT_IO;
            goto out;
        }
        for (int i = 0; i < pd.n_points; i++)
            pd.at[i] = pd.n_points == total ? i
                     : (long)llround((double)i * (double)(total - 1) / (pd.n_points - 1));
    }
    int print_csv = csv || !drawing;
    if (print_csv) {
        fputs("step,p", stdout);
        for (int k = 0; k < npos; k++) {
            putchar(',');
            csv_field(npos == 1 ? "" : sr[k].label, npos == 1 ? "lr" : ".lr");
            putchar(',');
            csv_field(npos == 1 ? "" : sr[k].label, npos == 1 ? "momentum" : ".momentum");
        }
        putchar('\n');
    }
    int next_point = 0;
    for (long t = 0; t < total; t++) {
        int keep = drawing && next_point < pd.n_points && pd.at[next_point] == t;
        if (print_csv)
            printf("%ld,%.10g", t, (double)t / steps);
        for (int k = 0; k < npos; k++) {
            series *s = &sr[k];
            if (t >= s->total) {
                if (print_csv)
                    fputs(",,", stdout);
                continue;
            }
            double lr, mom;
            rx_sched_step(&s->s, t, &lr, &mom);
            if (print_csv)
                printf(",%.10g,%.10g", lr, mom);
            if (keep) {
                s->lr[next_point] = lr;
                s->mom[next_point] = mom;
            }
            if (lr > pd.lr_max) pd.lr_max = lr;
            if (mom < pd.mom_min) pd.mom_min = mom;
            if (mom > pd.mom_max) pd.mom_max = mom;
            /* the epoch ends after its last step (the trainer's order) */
            if (epoch_steps > 0 && (t + 1) % epoch_steps == 0) {
                long e = (t + 1) / epoch_steps - 1;
                if (e < n_losses)
                    rx_sched_epoch_end(&s->s, losses[e]);
            }
        }
        if (print_csv)
            putchar('\n');
        if (keep)
            next_point++;
    }
    pd.mom_varies = pd.mom_max > pd.mom_min;
    if (plot) {
        if (print_csv)
            putchar('\n');
        plot_terminal(&pd);
    }
    if (svg)
        exit_code = write_svg(&pd, svg);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        rx_die_msg("cannot write the output: %s", strerror(errno));
        exit_code = RX_EXIT_IO;
    }
out:
    free(pd.at);
    for (int k = 0; k < npos; k++) {
        free(sr[k].lr);
        free(sr[k].mom);
    }
    return exit_code;
}
