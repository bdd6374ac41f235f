/*
 * rx_svg.h: the one SVG line-chart writer (report HTML, `rexsweep
 * schedule --svg`, the paper page's figures): axes, ticks, lines with
 * optional interval bars, a legend, tooltips.  Styles are written as
 * attributes, so a chart looks the same inside a page or standing alone;
 * the chart scales to the width of its container (viewBox, no fixed size).
 *
 * Pure output: nothing is allocated; the caller owns every array.
 */
#ifndef RX_SVG_H
#define RX_SVG_H

#include <stdio.h>

/* One line: y[i] at x[i] (NaN = a gap); lo/hi (or NULL) draw an interval
 * bar from lo[i] to hi[i]; step draws sample-and-hold (stairs). */
typedef struct rx_svg_series {
    const char *name;
    const char *color;          /* "#rrggbb"; rx_svg_color(name) for a schedule */
    const double *x, *y;
    const double *lo, *hi;
    int n;
    int step;
} rx_svg_series;

typedef struct rx_svg_axis {
    double lo, hi;
    int log;                    /* log10 scale */
    int invert;                 /* larger values lower on the page (ranks) */
    const double *ticks;
    int n_ticks;
    const char *label;
    int pct_ticks;              /* tick labels as percentages of a fraction */
} rx_svg_axis;

typedef struct rx_svg_frame {
    const char *id;             /* element id, or NULL */
    const char *kind;           /* data-kind: "metric", "rank", "gap", ... */
    const char *title;
    double w, h;                /* user units (the viewBox); 0 = 960 x 400 */
    double x, y;                /* position inside an enclosing <svg> */
    int nested;                 /* 1: an <svg> inside another (x, y used) */
} rx_svg_frame;

/* Writes one <svg class="chart">: a frame, ticks and grid, one
 * <g class="series" data-series="name"> per series, a legend, <title>
 * tooltips.  An empty axis tick list draws five even ticks. */
void rx_svg_chart(FILE *f, const rx_svg_frame *fr, const rx_svg_axis *ax, const rx_svg_axis *ay,
                  const rx_svg_series *s, int ns);

/* Sets ay's range to the finite y (and lo/hi) of the series, padded, with
 * ticks at a round step written to ticks[0..max_ticks). */
void rx_svg_fit_y(rx_svg_axis *ay, const rx_svg_series *s, int ns, double *ticks, int max_ticks);

/* The colour of a schedule, fixed by its name in every chart and every
 * report: the paper's schedules have their own; any other label gets one
 * from a hash of the label. */
const char *rx_svg_color(const char *name);

#endif
