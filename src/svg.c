/* svg.c: the one SVG line-chart writer. */
#include "rx_svg.h"

#include <math.h>
#include <string.h>

#include "rx_common.h"
#include "rx_table.h"

#define MARGIN_L 64.0     /* y tick labels */
#define MARGIN_R 190.0    /* legend */
#define MARGIN_T 34.0
#define MARGIN_B 48.0

/* Colours by name: the paper's schedules keep theirs in every chart. */
static const struct { const char *name, *color; } named[] = {
    {"rex", "#d62728"},      {"linear", "#1f77b4"},   {"cosine", "#2ca02c"},
    {"exp", "#9467bd"},      {"exponential", "#9467bd"}, {"onecycle", "#ff7f0e"},
    {"step", "#8c564b"},     {"plateau", "#e377c2"},  {"constant", "#7f7f7f"},
    {"none", "#7f7f7f"},
};
static const char *const spare[] = {"#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31",
                                    "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354"};

const char *rx_svg_color(const char *name)
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(name, named[i].name) == 0)
            return named[i].color;
    uint64_t h = rx_hash64(name, strlen(name), RX_HASH_INIT);
    return spare[h % (sizeof spare / sizeof spare[0])];
}

static double map(const rx_svg_axis *a, double v, double p0, double p1)
{
    double lo = a->log ? log10(a->lo) : a->lo, hi = a->log ? log10(a->hi) : a->hi;
    double x = a->log ? log10(v) : v;
    double t = hi > lo ? (x - lo) / (hi - lo) : 0.5;
    if (a->invert)
        t = 1 - t;
    return p0 + t * (p1 - p0);
}

static void tick_label(const rx_svg_axis *a, double v, char *buf, size_t size)
{
    if (a->pct_ticks)
        snprintf(buf, size, "%.6g%%", v * 100.0);
    else
        snprintf(buf, size, "%.4g", v);
}

/* The axis's ticks, or five even ones when it has none. */
static int ticks_of(const rx_svg_axis *a, double *buf)
{
    if (a->n_ticks > 0) {
        memcpy(buf, a->ticks, (size_t)(a->n_ticks < 64 ? a->n_ticks : 64) * sizeof *buf);
        return a->n_ticks < 64 ? a->n_ticks : 64;
    }
    for (int i = 0; i <= 4; i++)
        buf[i] = a->lo + (a->hi - a->lo) * i / 4.0;
    return 5;
}

static int finite_pt(const rx_svg_series *q, int j)
{
    return isfinite(q->x[j]) && isfinite(q->y[j]);
}

void rx_svg_chart(FILE *f, const rx_svg_frame *fr, const rx_svg_axis *ax, const rx_svg_axis *ay,
                  const rx_svg_series *s, int ns)
{
    double W = fr->w > 0 ? fr->w : 960, H = fr->h > 0 ? fr->h : 400;
    double x0 = MARGIN_L, x1 = W - MARGIN_R, y0 = H - MARGIN_B, y1 = MARGIN_T;
    fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\"", f);
    if (fr->id) {
        fputs(" id=\"", f);
        rx_html_text(f, fr->id);
        fputc('"', f);
    }
    fprintf(f, " data-kind=\"%s\" data-series=\"", fr->kind ? fr->kind : "line");
    for (int i = 0; i < ns; i++) {
        if (i)
            fputc(' ', f);
        rx_html_text(f, s[i].name);
    }
    fputc('"', f);
    if (fr->nested)
        fprintf(f, " x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\"", fr->x, fr->y, W, H);
    fprintf(f, " viewBox=\"0 0 %.0f %.0f\" preserveAspectRatio=\"xMinYMin meet\" "
               "font-family=\"sans-serif\" role=\"img\" aria-label=\"", W, H);
    rx_html_text(f, fr->title);
    fputs("\">\n<title>", f);
    rx_html_text(f, fr->title);
    fprintf(f, "</title>\n<rect width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n"
               "<text class=\"ctitle\" x=\"%.1f\" y=\"20\" font-size=\"13\" font-weight=\"bold\" "
               "fill=\"#222\">", W, H, x0);
    rx_html_text(f, fr->title);
    fprintf(f, "</text>\n<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
               "height=\"%.1f\" fill=\"none\" stroke=\"#999\"/>\n", x0, y1, x1 - x0, y0 - y1);
    double tk[64];
    int nt = ticks_of(ax, tk);
    for (int i = 0; i < nt; i++) {
        double px = map(ax, tk[i], x0, x1);
        char lab[32];
        tick_label(ax, tk[i], lab, sizeof lab);
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                   "stroke=\"#eee\"/><text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
                   "text-anchor=\"middle\" font-size=\"11\" fill=\"#333\">%s</text>\n",
                px, y0, px, y1, px, y0 + 16, lab);
    }
    nt = ticks_of(ay, tk);
    for (int i = 0; i < nt; i++) {
        double py = map(ay, tk[i], y0, y1);
        char lab[32];
        tick_label(ay, tk[i], lab, sizeof lab);
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                   "stroke=\"#eee\"/><text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
                   "text-anchor=\"end\" font-size=\"11\" fill=\"#333\">%s</text>\n",
                x0, py, x1, py, x0 - 6, py + 4, lab);
    }
    fprintf(f, "<text class=\"alabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
               "font-size=\"11\" fill=\"#333\">", (x0 + x1) / 2, H - 10);
    rx_html_text(f, ax->label ? ax->label : "");
    fprintf(f, "</text>\n<text class=\"alabel\" transform=\"translate(14 %.1f) rotate(-90)\" "
               "text-anchor=\"middle\" font-size=\"11\" fill=\"#333\">", (y0 + y1) / 2);
    rx_html_text(f, ay->label ? ay->label : "");
    fputs("</text>\n", f);
    for (int i = 0; i < ns; i++) {
        const rx_svg_series *q = &s[i];
        fputs("<g class=\"series\" data-series=\"", f);
        rx_html_text(f, q->name);
        fprintf(f, "\" stroke=\"%s\" fill=\"%s\">\n<title>", q->color, q->color);
        rx_html_text(f, q->name);
        fputs("</title>\n", f);
        int open = 0;
        double prev_py = 0;
        for (int j = 0; j < q->n; j++) {
            if (!finite_pt(q, j)) {
                if (open)
                    fputs("\"/>\n", f);
                open = 0;
                continue;
            }
            double px = map(ax, q->x[j], x0, x1), py = map(ay, q->y[j], y0, y1);
            if (!open)
                fputs("<polyline fill=\"none\" stroke-width=\"2\" points=\"", f);
            else if (q->step && py != prev_py)
                fprintf(f, " %.1f,%.1f", px, prev_py);   /* hold, then jump */
            fprintf(f, "%s%.1f,%.1f", open ? " " : "", px, py);
            prev_py = py;
            open = 1;
        }
        if (open)
            fputs("\"/>\n", f);
        for (int j = 0; j < q->n && q->n <= 64; j++) {   /* markers: not on dense curves */
            if (!finite_pt(q, j))
                continue;
            double px = map(ax, q->x[j], x0, x1), py = map(ay, q->y[j], y0, y1);
            if (q->lo && q->hi && isfinite(q->lo[j]) && isfinite(q->hi[j]))
                fprintf(f, "<line class=\"err\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                           "stroke-width=\"1\"/>", px, map(ay, q->lo[j], y0, y1), px,
                        map(ay, q->hi[j], y0, y1));
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" stroke=\"none\"><title>", px, py);
            rx_html_text(f, q->name);
            fprintf(f, ": %.4g</title></circle>\n", q->y[j]);
        }
        double ly = y1 + 10 + 18.0 * i;
        fprintf(f, "<line class=\"leg\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                   "stroke-width=\"3\"/><text class=\"legend\" x=\"%.1f\" y=\"%.1f\" "
                   "stroke=\"none\" font-size=\"11\" fill=\"#333\">",
                x1 + 12, ly, x1 + 34, ly, x1 + 40, ly + 4);
        rx_html_text(f, q->name);
        fputs("</text>\n</g>\n", f);
    }
    fputs("</svg>\n", f);
}

void rx_svg_fit_y(rx_svg_axis *ay, const rx_svg_series *s, int ns, double *ticks, int max_ticks)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < ns; i++)
        for (int j = 0; j < s[i].n; j++) {
            double y = s[i].y[j];
            if (!isfinite(y))
                continue;
            lo = fmin(lo, y);
            hi = fmax(hi, y);
            if (s[i].lo && isfinite(s[i].lo[j]))
                lo = fmin(lo, s[i].lo[j]);
            if (s[i].hi && isfinite(s[i].hi[j]))
                hi = fmax(hi, s[i].hi[j]);
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
