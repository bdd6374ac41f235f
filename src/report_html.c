/* report_html.c: the report as one self-contained HTML file with inline
 * SVG charts (no script, no external CSS, no network). */
#include "report_impl.h"
#include "rx_svg.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void budget_axis(const rx_report *r, rx_svg_axis *ax)
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

/* Per schedule of (s, o), against budget: the metric (mean with +- std
 * bars), or (gap) its gap to the best schedule of each budget (display
 * units, 0 = the best, larger is worse) with the 95% t-interval of the gap
 * over the seeds both share: in the metric chart the budget's effect
 * hides the differences between schedules. */
static void budget_chart(FILE *f, const rx_report *r, int s, int o, int idx, int gap)
{
    int nK = r->n_schedules, nB = r->n_budgets, ns = 0, maxn = 1;
    for (int k = 0; k < nK; k++)
        for (int b = 0; b < nB; b++)
            if (rx_report_cell_at(r, s, o, k, b)->n > maxn)
                maxn = rx_report_cell_at(r, s, o, k, b)->n;
    rx_svg_series *sr = calloc((size_t)nK, sizeof *sr);
    double *y = calloc((size_t)(nK * nB), sizeof *y), *lo = calloc((size_t)(nK * nB), sizeof *lo);
    double *hi = calloc((size_t)(nK * nB), sizeof *hi), *d = calloc((size_t)maxn, sizeof *d);
    if (!sr || !y || !lo || !hi || !d)
        goto out;
    double sgn = r->metric.higher_better ? -1 : 1;
    for (int k = 0; k < nK; k++) {
        int any = 0;
        for (int b = 0; b < nB; b++) {
            const rx_report_cell *c = rx_report_cell_at(r, s, o, k, b), *best = NULL;
            double *py = &y[ns * nB + b], *pl = &lo[ns * nB + b], *ph = &hi[ns * nB + b];
            if (!gap) {
                *py = c->mean;
                *pl = c->mean - c->std;
                *ph = c->mean + c->std;
                any |= c->n_runs > 0;
                continue;
            }
            for (int q = 0; q < nK; q++) {
                const rx_report_cell *x = rx_report_cell_at(r, s, o, q, b);
                if (x->chosen >= 0 && (!best || rx_metric_cmp(&r->metric, x->mean, best->mean) > 0))
                    best = x;
            }
            *py = *pl = *ph = NAN;
            if (c->chosen < 0 || !best)
                continue;
            any = 1;
            *py = sgn * (c->mean - best->mean);
            rx_paired p = rx_paired_t(d, rx_report_matched(best, c, d));
            if (p.n >= 2) {
                *pl = sgn > 0 ? p.lo : -p.hi;
                *ph = sgn > 0 ? p.hi : -p.lo;
            }
        }
        if (!any)
            continue;
        sr[ns] = (rx_svg_series){r->schedules[k], rx_svg_color(r->schedules[k]), r->budgets,
                                 y + ns * nB, lo + ns * nB, hi + ns * nB, nB, 0};
        ns++;
    }
    rx_svg_axis ax, ay = {0};
    double ticks[16];
    budget_axis(r, &ax);
    rx_svg_fit_y(&ay, sr, ns, ticks, 16);
    char ylab[96], id[48], title[RX_REPORT_SETTING_MAX + 160];
    snprintf(ylab, sizeof ylab, "gap to the best, %s (0 = best)", r->metric.label);
    ay.label = gap ? ylab : r->metric.label;
    snprintf(id, sizeof id, "chart-%s-%d", gap ? "gap" : "metric", idx);
    if (gap)
        snprintf(title, sizeof title, "gap to the best schedule per budget: %s, %s (95%% paired "
                 "interval over seeds)", r->settings[s], r->optimizers[o]);
    else
        snprintf(title, sizeof title, "%s against budget: %s, %s (mean ± std over seeds)",
                 r->metric.label, r->settings[s], r->optimizers[o]);
    rx_svg_frame fr = {id, gap ? "gap" : "metric", title, 0, 0, 0, 0, 0};
    rx_svg_chart(f, &fr, &ax, &ay, sr, ns);
out:
    free(sr);
    free(y);
    free(lo);
    free(hi);
    free(d);
}

/* The learning curves of (s, o), one line per schedule; returns 1 when
 * it drew a chart. */
static int learning_chart(FILE *f, const rx_report *r, const rx_report_lcurve *lc, int n_lc,
                          int s, int o, int idx)
{
    rx_svg_series *sr = calloc((size_t)n_lc, sizeof *sr);
    int ns = 0;
    if (!sr)
        return 0;
    for (int i = 0; i < n_lc; i++)
        if (lc[i].setting == s && lc[i].optimizer == o && lc[i].n > 0)
            sr[ns++] = (rx_svg_series){r->schedules[lc[i].schedule],
                                       rx_svg_color(r->schedules[lc[i].schedule]), lc[i].epoch,
                                       lc[i].val, NULL, NULL, lc[i].n, 0};
    if (ns) {
        double xmax = 1, ticks[16];
        for (int i = 0; i < ns; i++)
            xmax = fmax(xmax, sr[i].x[sr[i].n - 1]);
        rx_svg_axis ax = {0.5, xmax + 0.5, 0, 0, NULL, 0, "epoch", 0}, ay = {0};
        rx_svg_fit_y(&ay, sr, ns, ticks, 16);
        ay.label = r->metric.val_label[0] ? r->metric.val_label : r->metric.label;
        char id[48], title[RX_REPORT_SETTING_MAX + 160];
        snprintf(id, sizeof id, "chart-learning-%d", idx);
        snprintf(title, sizeof title, "learning curves: %s, %s (%s per epoch)", r->settings[s],
                 r->optimizers[o], ay.label);
        rx_svg_frame fr = {id, "learning", title, 0, 0, 0, 0, 0};
        rx_svg_chart(f, &fr, &ax, &ay, sr, ns);
    }
    free(sr);
    return ns > 0;
}

/* average rank against budget for optimizer o: the paper's Figure 1 */
static void rank_chart(FILE *f, const rx_report *r, int o)
{
    int nR = r->n_ranked, nB = r->n_budgets, ns = 0;
    rx_svg_series *sr = calloc((size_t)nR, sizeof *sr);
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
        sr[ns] = (rx_svg_series){r->ranked[i], rx_svg_color(r->ranked[i]), r->budgets,
                                 y + ns * nB, NULL, NULL, nB, 0};
        ns++;
    }
    if (!ns)
        goto out;
    for (int i = 0; i < ns; i++)
        ticks[i] = i + 1;
    rx_svg_axis ax, ay = {0};
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
    rx_svg_frame fr = {id, "rank", title, 0, 0, 0, 0, 0};
    rx_svg_chart(f, &fr, &ax, &ay, sr, ns);
out:
    free(sr);
    free(y);
    free(ticks);
}

static void lr_chart(FILE *f, const rx_report *r, const rx_report_curve *c, int n)
{
    rx_svg_series *sr = calloc((size_t)(n ? n : 1), sizeof *sr);
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
                sr[ns++] = (rx_svg_series){c[i].schedule, rx_svg_color(c[i].schedule), c[i].p,
                                           c[i].lr, NULL, NULL, c[i].n, 0};
        }
    static const double xt[] = {0, 0.25, 0.5, 0.75, 1};
    rx_svg_axis ax = {-0.02, 1.02, 0, 0, xt, 5, "p = t / T (progress through the run's own budget)", 0};
    rx_svg_axis ay = {0};
    double ticks[16];
    rx_svg_fit_y(&ay, sr, ns, ticks, 16);
    ay.lo = fmin(ay.lo, 0);
    ay.label = "lr / lr0";
    rx_svg_frame fr = {"chart-lr", "lr", "learning-rate profiles of the schedules used",
                       0, 0, 0, 0, 0};
    rx_svg_chart(f, &fr, &ax, &ay, sr, ns);
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
    "svg.chart{display:block;margin:1em 0;width:100%;height:auto}\n";

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
        char note[512];
        rx_report_boot_note(r, note, sizeof note);
        note[0] = (char)toupper((unsigned char)note[0]);
        fprintf(f, "<h2>bootstrap 95%% intervals (%d replicates)</h2>\n<p>", r->n_boot);
        rx_html_text(f, note);
        fputs(".</p>\n<h3>Top-1 / Top-3 rates</h3>\n", f);
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
                         const rx_report_curve *curves, int n_curves,
                         const rx_report_lcurve *lc, int n_lc, rx_err *err)
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
    if (r->n_warnings) {
        fprintf(f, "<section class=\"warnings\">\n<h2>protocol warnings (%d)</h2>\n"
                   "<ul class=\"warnings\">\n", r->n_warnings);
        for (int i = 0; i < r->n_warnings; i++) {
            fprintf(f, "<li class=\"warn\" data-kind=\"%s\">",
                    rx_warn_kind_name(r->warnings[i].kind));
            rx_html_text(f, r->warnings[i].text);
            fputs("</li>\n", f);
        }
        fputs("</ul>\n</section>\n", f);
    }

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
            budget_chart(f, r, s, o, idx, 0);
            budget_chart(f, r, s, o, idx++, 1);
            if (rx_report_lr_table(r, s, o, &t)) {
                fputs("<h3>chosen lr (on ", f);
                rx_html_text(f, r->select_on_test ? r->metric.label : r->metric.val_label);
                fputs("; of N tried)</h3>\n", f);
                rc |= table_html(f, &t);
            }
            for (int q = 0; q < r->n_tune; q++)
                if (rx_report_tune_table(r, s, o, q, &t)) {
                    fputs("<h3>chosen ", f);
                    rx_html_text(f, r->tune_keys[q]);
                    fputs(" (with the lr, on ", f);
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
    if (src && src->search)
        rc |= rx_report_search_html(f, src->search);
    if (n_lc > 0) {
        char bl[32];
        rx_budget_label(lc[0].budget, bl, sizeof bl);
        fputs("<section class=\"learning\">\n<h2>learning curves at ", f);
        rx_html_text(f, bl);
        fputs("</h2>\n<p>The validation metric at the end of each epoch, the mean over the "
              "seeds of each cell's chosen lr.</p>\n", f);
        int nlc = 0;
        for (int s = 0; s < r->n_settings; s++)
            for (int o = 0; o < r->n_optimizers; o++)
                nlc += learning_chart(f, r, lc, n_lc, s, o, nlc);
        fputs("</section>\n", f);
    }
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
