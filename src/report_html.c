/* report_html.c: the report as one self-contained HTML file with inline
 * SVG charts (no script, no external CSS, no network). */
#include "report_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Chart geometry, in SVG user units. */
#define CH_W 680.0
#define CH_H 360.0
#define CH_L 64.0     /* left margin: y tick labels */
#define CH_R 150.0    /* right margin: legend */
#define CH_T 34.0
#define CH_B 48.0

static const char *const palette[] = {
    "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
};
#define N_PALETTE (int)(sizeof palette / sizeof palette[0])

/* One line of a chart: y[i] at x[i], NaN = gap; err[i] (or NULL) draws
 * an error bar of +- err. */
typedef struct series {
    const char *name;
    const char *color;
    const double *x, *y, *err;
    int n;
} series;

typedef struct axis {
    double lo, hi;
    int log;          /* log10 scale */
    int invert;       /* larger values lower on the page (ranks) */
    const double *ticks;
    int n_ticks;
    const char *label;
    int pct_ticks;    /* tick labels as percentages of a fraction */
} axis;

static const char *color_of(const rx_report *r, const char *name)
{
    for (int k = 0; k < r->n_schedules; k++)
        if (strcmp(r->schedules[k], name) == 0)
            return palette[k % N_PALETTE];
    return palette[N_PALETTE - 1];
}

static double map(const axis *a, double v, double p0, double p1)
{
    double lo = a->log ? log10(a->lo) : a->lo, hi = a->log ? log10(a->hi) : a->hi;
    double x = a->log ? log10(v) : v;
    double t = hi > lo ? (x - lo) / (hi - lo) : 0.5;
    if (a->invert)
        t = 1 - t;
    return p0 + t * (p1 - p0);
}

static void tick_label(const axis *a, double v, char *buf, size_t size)
{
    if (a->pct_ticks)
        rx_budget_label(v, buf, size);
    else
        snprintf(buf, size, "%.4g", v);
}

/* Writes one <svg class="chart">: axes, ticks, one <g class="series">
 * per line (data-series names it), a legend, and <title> tooltips. */
static void svg_chart(FILE *f, const char *id, const char *kind, const char *title,
                      const axis *ax, const axis *ay, const series *s, int ns)
{
    double x0 = CH_L, x1 = CH_W - CH_R, y0 = CH_H - CH_B, y1 = CH_T;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"");
    rx_html_text(f, id);
    fprintf(f, "\" data-kind=\"%s\" data-series=\"", kind);
    for (int i = 0; i < ns; i++) {
        if (i)
            fputc(' ', f);
        rx_html_text(f, s[i].name);
    }
    fprintf(f, "\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
               "aria-label=\"", CH_W, CH_H, CH_W, CH_H);
    rx_html_text(f, title);
    fprintf(f, "\">\n<title>");
    rx_html_text(f, title);
    fprintf(f, "</title>\n<text class=\"ctitle\" x=\"%.1f\" y=\"20\">", x0);
    rx_html_text(f, title);
    fprintf(f, "</text>\n<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
               "height=\"%.1f\"/>\n", x0, y1, x1 - x0, y0 - y1);
    /* ticks and grid */
    for (int i = 0; i < ax->n_ticks; i++) {
        double px = map(ax, ax->ticks[i], x0, x1);
        char lab[32];
        tick_label(ax, ax->ticks[i], lab, sizeof lab);
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                   "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                px, y0, px, y1, px, y0 + 16, lab);
    }
    for (int i = 0; i < ay->n_ticks; i++) {
        double py = map(ay, ay->ticks[i], y0, y1);
        char lab[32];
        tick_label(ay, ay->ticks[i], lab, sizeof lab);
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                   "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                x0, py, x1, py, x0 - 6, py + 4, lab);
    }
    fprintf(f, "<text class=\"alabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
            (x0 + x1) / 2, CH_H - 10);
    rx_html_text(f, ax->label);
    fprintf(f, "</text>\n<text class=\"alabel\" transform=\"translate(14 %.1f) rotate(-90)\" "
               "text-anchor=\"middle\">", (y0 + y1) / 2);
    rx_html_text(f, ay->label);
    fputs("</text>\n", f);
    /* series */
    for (int i = 0; i < ns; i++) {
        const series *q = &s[i];
        fputs("<g class=\"series\" data-series=\"", f);
        rx_html_text(f, q->name);
        fprintf(f, "\" stroke=\"%s\" fill=\"%s\">\n<title>", q->color, q->color);
        rx_html_text(f, q->name);
        fputs("</title>\n", f);
        int open = 0;
        for (int j = 0; j < q->n; j++) {
            if (!isfinite(q->y[j]) || !isfinite(q->x[j])) {
                if (open)
                    fputs("\"/>\n", f);
                open = 0;
                continue;
            }
            if (!open)
                fputs("<polyline fill=\"none\" points=\"", f);
            fprintf(f, "%s%.1f,%.1f", open ? " " : "", map(ax, q->x[j], x0, x1),
                    map(ay, q->y[j], y0, y1));
            open = 1;
        }
        if (open)
            fputs("\"/>\n", f);
        for (int j = 0; j < q->n && q->n <= 64; j++) {   /* markers: not on dense curves */
            if (!isfinite(q->y[j]) || !isfinite(q->x[j]))
                continue;
            double px = map(ax, q->x[j], x0, x1), py = map(ay, q->y[j], y0, y1);
            if (q->err && isfinite(q->err[j]))
                fprintf(f, "<line class=\"err\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                        px, map(ay, q->y[j] - q->err[j], y0, y1), px,
                        map(ay, q->y[j] + q->err[j], y0, y1));
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>", px, py);
            rx_html_text(f, q->name);
            fprintf(f, ": %.4g</title></circle>\n", q->y[j]);
        }
        /* legend entry */
        double ly = y1 + 10 + 18.0 * i;
        fprintf(f, "<line class=\"leg\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                   "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\" stroke=\"none\">",
                x1 + 12, ly, x1 + 34, ly, x1 + 40, ly + 4);
        rx_html_text(f, q->name);
        fputs("</text>\n</g>\n", f);
    }
    fputs("</svg>\n", f);
}

/* Fills ay's range from the finite y +- err of the series, padded. */
static void fit_y(axis *ay, const series *s, int ns, double *ticks, int max_ticks)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < ns; i++)
        for (int j = 0; j < s[i].n; j++) {
            double y = s[i].y[j], e = s[i].err && isfinite(s[i].err[j]) ? s[i].err[j] : 0;
            if (!isfinite(y))
                continue;
            lo = fmin(lo, y - e);
            hi = fmax(hi, y + e);
        }
    if (!isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    if (hi - lo < 1e-12) {
        double d = fabs(lo) > 0 ? fabs(lo) * 0.05 : 1;
        lo -= d;
        hi += d;
    }
    double pad = (hi - lo) * 0.06;
    ay->lo = lo - pad;
    ay->hi = hi + pad;
    /* ticks at a "nice" step */
    double raw = (ay->hi - ay->lo) / 5, mag = pow(10, floor(log10(raw)));
    double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag
                                                                                   : 10 * mag;
    int n = 0;
    for (double t = ceil(ay->lo / step) * step; t <= ay->hi + 1e-12 && n < max_ticks; t += step)
        ticks[n++] = fabs(t) < step * 1e-9 ? 0 : t;
    ay->ticks = ticks;
    ay->n_ticks = n;
}

static void budget_axis(const rx_report *r, axis *ax)
{
    memset(ax, 0, sizeof *ax);
    ax->lo = r->budgets[0];
    ax->hi = r->budgets[r->n_budgets - 1];
    ax->log = ax->lo > 0 && ax->hi > ax->lo;
    if (ax->log) {
        ax->lo /= 1.25;               /* room for the end points */
        ax->hi *= 1.25;
    } else {
        ax->lo -= 0.05;
        ax->hi += 0.05;
    }
    ax->ticks = r->budgets;
    ax->n_ticks = r->n_budgets;
    ax->label = "budget (share of the full epochs, log scale)";
    ax->pct_ticks = 1;
}

/* metric against budget, one line per schedule of (s, o) */
static void metric_chart(FILE *f, const rx_report *r, int s, int o, int idx)
{
    int nK = r->n_schedules, nB = r->n_budgets, ns = 0;
    series *sr = calloc((size_t)nK, sizeof *sr);
    double *y = calloc((size_t)(nK * nB), sizeof *y), *e = calloc((size_t)(nK * nB), sizeof *e);
    if (!sr || !y || !e)
        goto out;
    for (int k = 0; k < nK; k++) {
        int any = 0;
        for (int b = 0; b < nB; b++) {
            const rx_report_cell *c = rx_report_cell_at(r, s, o, k, b);
            y[ns * nB + b] = c->mean;
            e[ns * nB + b] = c->std;
            any |= c->n_runs > 0;
        }
        if (!any)
            continue;
        sr[ns] = (series){r->schedules[k], color_of(r, r->schedules[k]), r->budgets,
                          y + ns * nB, e + ns * nB, nB};
        ns++;
    }
    axis ax, ay = {0};
    double ticks[16];
    budget_axis(r, &ax);
    fit_y(&ay, sr, ns, ticks, 16);
    ay.label = r->metric.label;
    char id[48], title[RX_REPORT_SETTING_MAX + 128];
    snprintf(id, sizeof id, "chart-metric-%d", idx);
    snprintf(title, sizeof title, "%s against budget: %s, %s (mean ± std over seeds)",
             r->metric.label, r->settings[s], r->optimizers[o]);
    svg_chart(f, id, "metric", title, &ax, &ay, sr, ns);
out:
    free(sr);
    free(y);
    free(e);
}

/* average rank against budget for optimizer o: the paper's Figure 1 */
static void rank_chart(FILE *f, const rx_report *r, int o)
{
    int nR = r->n_ranked, nB = r->n_budgets, ns = 0;
    series *sr = calloc((size_t)nR, sizeof *sr);
    double *y = calloc((size_t)(nR * nB), sizeof *y);
    double *ticks = calloc((size_t)nR + 1, sizeof *ticks);
    if (!sr || !y || !ticks)
        goto out;
    for (int i = 0; i < nR; i++) {
        int any = 0;
        for (int b = 0; b < nB; b++) {
            size_t at = ((size_t)o * nB + b) * nR + i;
            y[ns * nB + b] = r->avg_rank[at];
            any |= r->avg_rank_n[at] > 0;
        }
        if (!any)
            continue;
        sr[ns] = (series){r->ranked[i], color_of(r, r->ranked[i]), r->budgets, y + ns * nB,
                          NULL, nB};
        ns++;
    }
    if (!ns)
        goto out;
    for (int i = 0; i < ns; i++)
        ticks[i] = i + 1;
    axis ax, ay = {0};
    budget_axis(r, &ax);
    ay.lo = 0.7;
    ay.hi = ns + 0.3;
    ay.invert = 1;
    ay.ticks = ticks;
    ay.n_ticks = ns;
    ay.label = "average rank (1 = best)";
    char id[RX_REPORT_NAME_MAX + 16], title[RX_REPORT_NAME_MAX + 64];
    snprintf(id, sizeof id, "chart-rank-%s", r->optimizers[o]);
    snprintf(title, sizeof title, "average rank against budget, %s", r->optimizers[o]);
    svg_chart(f, id, "rank", title, &ax, &ay, sr, ns);
out:
    free(sr);
    free(y);
    free(ticks);
}

static void lr_chart(FILE *f, const rx_report *r, const rx_report_curve *c, int n)
{
    series *sr = calloc((size_t)(n ? n : 1), sizeof *sr);
    if (!sr)
        return;
    /* in the report's schedule order, then any others */
    int ns = 0;
    for (int k = 0; k <= r->n_schedules; k++)
        for (int i = 0; i < n; i++) {
            int known = 0;
            for (int q = 0; q < r->n_schedules && !known; q++)
                known = strcmp(c[i].schedule, r->schedules[q]) == 0;
            int take = k < r->n_schedules ? strcmp(c[i].schedule, r->schedules[k]) == 0 : !known;
            if (take && c[i].n > 0)
                sr[ns++] = (series){c[i].schedule, color_of(r, c[i].schedule), c[i].p, c[i].lr,
                                    NULL, c[i].n};
        }
    static const double xt[] = {0, 0.25, 0.5, 0.75, 1};
    axis ax = {-0.02, 1.02, 0, 0, xt, 5, "p = t / T (progress through the run's own budget)", 0};
    axis ay = {0};
    double ticks[16];
    fit_y(&ay, sr, ns, ticks, 16);
    ay.lo = fmin(ay.lo, 0);
    ay.label = "lr / lr0";
    svg_chart(f, "chart-lr", "lr", "learning-rate profiles of the schedules used", &ax, &ay,
              sr, ns);
    free(sr);
}

static const char css[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;"
    "padding:0 1em}\n"
    "h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}"
    "h3{font-size:1.05em}\n"
    "table{border-collapse:collapse;margin:.6em 0}th,td{padding:.2em .7em;"
    "border-bottom:1px solid #e4e4e4;text-align:left;white-space:nowrap}"
    ".num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "ul.notes li{margin:.2em 0}.warn{color:#a00;font-weight:bold}\n"
    "svg.chart{display:block;margin:1em 0;background:#fff}"
    "svg .frame{fill:none;stroke:#999}svg .grid{stroke:#eee}"
    "svg .tick,svg .legend,svg .alabel{font-size:11px;fill:#333}"
    "svg .ctitle{font-size:13px;font-weight:bold;fill:#222}"
    "svg polyline{stroke-width:2}svg .leg{stroke-width:3}svg .err{stroke-width:1}"
    "svg circle{stroke:none}\n";

typedef struct html_ctx {
    FILE *f;
} html_ctx;

static void li_line(void *ud, const char *text)
{
    html_ctx *c = ud;
    fputs(strncmp(text, "WARNING", 7) == 0 ? "<li class=\"warn\">" : "<li>", c->f);
    rx_html_text(c->f, text);
    fputs("</li>\n", c->f);
}

static int table_html(FILE *f, rx_table *t)
{
    int rc = rx_table_write(f, t, RX_TABLE_HTML);
    rx_table_free(t);
    return rc;
}

/* The paired statistics and the bootstrap intervals. */
static int stats_html(FILE *f, const rx_report *r, html_ctx *hc)
{
    int rc = RX_OK;
    rx_table t;
    fputs("<section class=\"stats\">\n<h2>paired comparisons against ", f);
    rx_html_text(f, r->ranked[r->ref]);
    fputs("</h2>\n<ul class=\"notes\">\n", f);
    rx_report_stats_notes(r, li_line, hc);
    fputs("</ul>\n<h3>verdicts</h3>\n<ul class=\"verdicts\">\n", f);
    rx_report_verdicts(r, li_line, hc);
    fputs("</ul>\n<h3>tests over all comparisons</h3>\n", f);
    rx_report_versus_table(r, &t);
    rc |= table_html(f, &t);
    for (int s = 0; s < r->n_settings; s++)
        for (int o = 0; o < r->n_optimizers; o++) {
            if (!rx_report_group_has_runs(r, s, o))
                continue;
            if (!rx_report_pair_table(r, s, o, &t)) {
                rx_table_free(&t);
                continue;
            }
            fputs("<h3>", f);
            rx_html_text(f, r->settings[s]);
            fputs(", ", f);
            rx_html_text(f, r->optimizers[o]);
            fputs(": rival - ", f);
            rx_html_text(f, r->ranked[r->ref]);
            fputs(" (95% interval)</h3>\n", f);
            rc |= table_html(f, &t);
        }
    if (r->n_boot > 0) {
        fprintf(f, "<h2>bootstrap 95%% intervals (%d replicates)</h2>\n<p>Seeds are drawn with "
                   "replacement within each comparison, the same draw for every schedule, and "
                   "the ranks recomputed; percentile intervals; the lr of each cell stays as "
                   "chosen; with one seed per cell an interval is a point: it cannot show seed "
                   "noise.</p>\n<h3>Top-1 / Top-3 rates</h3>\n", r->n_boot);
        rx_report_topk_ci_table(r, &t);
        rc |= table_html(f, &t);
        for (int o = 0; o < r->n_optimizers; o++) {
            fputs("<h3>average rank, ", f);
            rx_html_text(f, r->optimizers[o]);
            fputs("</h3>\n", f);
            rx_report_rank_ci_table(r, o, &t);
            rc |= table_html(f, &t);
        }
    }
    fputs("</section>\n", f);
    return rc;
}

int rx_report_write_html(FILE *f, const rx_report *r, const rx_report_source *src,
                         const rx_report_curve *curves, int n_curves, rx_err *err)
{
    html_ctx hc = {f};
    int rc = RX_OK;
    const char *sweep = src && src->sweep ? src->sweep : "all sweeps";
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
          "rexsweep report: ", f);
    rx_html_text(f, sweep);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>rexsweep report</h1>\n<p>"
               "store <code>", css);
    rx_html_text(f, src && src->db ? src->db : "-");
    fputs("</code>, sweep <code>", f);
    rx_html_text(f, sweep);
    fputs("</code></p>\n<ul class=\"notes\">\n", f);
    rx_report_notes(r, li_line, &hc);
    fputs("</ul>\n", f);

    int idx = 0;
    for (int s = 0; s < r->n_settings; s++)
        for (int o = 0; o < r->n_optimizers; o++) {
            if (!rx_report_group_has_runs(r, s, o))
                continue;
            rx_table t;
            fputs("<section class=\"group\">\n<h2>", f);
            rx_html_text(f, r->settings[s]);
            fputs(", ", f);
            rx_html_text(f, r->optimizers[o]);
            fputs(": ", f);
            rx_html_text(f, r->metric.label);
            fputs("</h2>\n", f);
            rx_report_cell_table(r, s, o, &t);
            rc |= table_html(f, &t);
            metric_chart(f, r, s, o, idx++);
            if (rx_report_lr_table(r, s, o, &t)) {
                fputs("<h3>chosen lr (on ", f);
                rx_html_text(f, r->select_on_test ? r->metric.label : r->metric.val_label);
                fputs("; of N tried)</h3>\n", f);
                rc |= table_html(f, &t);
            }
            if (rx_report_issues(r, s, o, NULL, NULL)) {
                fputs("<h3>cells with failed, diverged or missing runs</h3>\n<ul>\n", f);
                rx_report_issues(r, s, o, li_line, &hc);
                fputs("</ul>\n", f);
            }
            fputs("</section>\n", f);
        }
    if (r->n_comparisons[RX_SPLIT_ALL] > 0) {
        rx_table t;
        fprintf(f, "<section class=\"summary\">\n<h2>Top-1 / Top-3 rates (%d comparisons: %d "
                   "low, %d high budget)</h2>\n", r->n_comparisons[RX_SPLIT_ALL],
                r->n_comparisons[RX_SPLIT_LOW], r->n_comparisons[RX_SPLIT_HIGH]);
        rx_report_topk_table(r, &t);
        rc |= table_html(f, &t);
        fputs("<p>A comparison is one (setting, optimizer, budget) with two or more schedules; "
              "(k/n) = Top-k in k of the n comparisons the schedule took part in.</p>\n", f);
        for (int o = 0; o < r->n_optimizers; o++) {
            fputs("<h2>average rank, ", f);
            rx_html_text(f, r->optimizers[o]);
            fputs(" (1 = best)</h2>\n", f);
            rx_report_rank_table(r, o, &t);
            rc |= table_html(f, &t);
            rank_chart(f, r, o);
        }
        fputs("</section>\n", f);
    } else {
        fputs("<p>No comparisons: no budget has two or more schedules with a value.</p>\n", f);
    }
    if (rx_report_has_stats(r))
        rc |= stats_html(f, r, &hc);
    fputs("<section class=\"lr\">\n<h2>learning-rate profiles</h2>\n", f);
    if (n_curves > 0) {
        lr_chart(f, r, curves, n_curves);
        for (int i = 0; i < n_curves; i++)
            if (curves[i].note[0]) {
                fputs("<p>", f);
                rx_html_text(f, curves[i].schedule);
                fputs(": ", f);
                rx_html_text(f, curves[i].note);
                fputs("</p>\n", f);
            }
    } else {
        fputs("<p>No schedule curves were given.</p>\n", f);
    }
    fputs("</section>\n</body>\n</html>\n", f);
    if (rc == RX_ENOMEM)
        return rx_errf(err, rc, "out of memory writing the report");
    if (rc || ferror(f))
        return rx_errf(err, RX_EIO, "cannot write the report");
    return RX_OK;
}
