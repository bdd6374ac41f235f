/* check.c: the regression gate: baseline against new, cell by cell, and
 * its text, markdown, JSON and JUnit outputs. */
#include "rx_check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rx_table.h"

const char *rx_verdict_name(rx_verdict v)
{
    switch (v) {
    case RX_VERDICT_OK: return "ok";
    case RX_VERDICT_IMPROVED: return "improved";
    case RX_VERDICT_REGRESSED: return "regressed";
    case RX_VERDICT_MISSING: return "missing";
    default: return "not comparable";
    }
}

/* ---- compare -------------------------------------------------------- */

typedef struct ref {
    const rx_report_run *run;
    int side;                  /* 0 baseline, 1 new */
} ref;

static int cmp_ref(const void *a, const void *b)
{
    const ref *x = a, *y = b;
    int c = strcmp(x->run->cell, y->run->cell);
    return c ? c : x->side - y->side;
}

static int cmp_row(const void *a, const void *b)
{
    const rx_check_row *x = a, *y = b;
    int c;
    if ((c = strcmp(x->setting, y->setting)))
        return c;
    if ((c = rx_report_opt_order(x->optimizer) - rx_report_opt_order(y->optimizer)) ||
        (c = strcmp(x->optimizer, y->optimizer)))
        return c;
    if ((c = rx_report_sched_order(x->schedule) - rx_report_sched_order(y->schedule)) ||
        (c = strcmp(x->schedule, y->schedule)))
        return c;
    if (x->budget != y->budget)
        return x->budget < y->budget ? -1 : 1;
    if (x->lr != y->lr)
        return x->lr < y->lr ? -1 : 1;
    return strcmp(x->cell, y->cell);
}

typedef struct side_stats {
    int runs, done, failed, diverged, unfinished, n;
    double mean, std;
} side_stats;

static void stats_of(const ref *g, int n, int side, const rx_metric *m, double *tmp,
                     side_stats *s)
{
    memset(s, 0, sizeof *s);
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (g[i].side != side)
            continue;
        const rx_report_run *r = g[i].run;
        s->runs++;
        switch (r->state) {
        case RX_OUT_DONE: s->done++; break;
        case RX_OUT_FAILED: s->failed++; break;
        case RX_OUT_DIVERGED: s->diverged++; break;
        default: s->unfinished++; break;
        }
        if (r->state == RX_OUT_DONE)
            tmp[k++] = rx_metric_display(m, r->test);
    }
    s->n = rx_mean_std(tmp, k, &s->mean, &s->std);
}

static int cmp_key_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 1 when both sides ran exactly the same run keys (sorted and searched:
 * a cell may have hundreds of seeds); -1 when out of memory. */
static int same_keys(const ref *g, int n)
{
    int nb = 0, nn = 0;
    for (int i = 0; i < n; i++) {
        if (!g[i].run->key[0])
            return 0;
        nb += g[i].side == 0;
        nn += g[i].side == 1;
    }
    if (nb != nn)
        return 0;
    const char **keys = malloc((size_t)(nn ? nn : 1) * sizeof *keys);
    if (!keys)
        return -1;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (g[i].side == 1)
            keys[k++] = g[i].run->key;
    qsort(keys, (size_t)k, sizeof *keys, cmp_key_ptr);
    int same = 1;
    for (int i = 0; i < n && same; i++) {
        const char *key = g[i].run->key;
        same = g[i].side != 0 || bsearch(&key, keys, (size_t)k, sizeof *keys, cmp_key_ptr);
    }
    free(keys);
    return same;
}

static void judge(rx_check_row *w, const side_stats *b, const side_stats *c,
                  const rx_check_opts *o)
{
    const rx_metric *m = o->metric;
    char x[32], y[32];
    w->delta = c->mean - b->mean;
    w->allowed = NAN;
    if (b->runs == 0) {
        w->verdict = RX_VERDICT_MISSING;
        snprintf(w->why, sizeof w->why, "not in the baseline: a new cell (refresh the baseline "
                                        "to accept it)");
        return;
    }
    if (c->runs == 0) {
        w->verdict = RX_VERDICT_MISSING;
        snprintf(w->why, sizeof w->why, "missing from the new store (%d baseline runs)", b->runs);
        return;
    }
    if (c->failed || c->unfinished) {
        w->verdict = RX_VERDICT_MISSING;
        snprintf(w->why, sizeof w->why, "new store: %d failed and %d unfinished of %d runs",
                 c->failed, c->unfinished, c->runs);
        return;
    }
    if (c->diverged > b->diverged) {
        w->verdict = RX_VERDICT_REGRESSED;
        snprintf(w->why, sizeof w->why, "%d of %d runs diverged (baseline: %d of %d)",
                 c->diverged, c->runs, b->diverged, b->runs);
        return;
    }
    if (b->n == 0) {
        if (b->diverged && c->n) {
            w->verdict = RX_VERDICT_IMPROVED;
            snprintf(w->why, sizeof w->why, "the baseline diverged; the new runs finished");
        } else if (b->diverged && c->diverged) {
            w->verdict = RX_VERDICT_OK;
            snprintf(w->why, sizeof w->why, "diverged on both sides");
        } else {
            w->verdict = RX_VERDICT_NOT_COMPARABLE;
            snprintf(w->why, sizeof w->why, "the baseline has no finished run (%d failed, "
                     "%d unfinished)", b->failed, b->unfinished);
        }
        return;
    }
    if (c->n == 0) {
        w->verdict = RX_VERDICT_NOT_COMPARABLE;
        snprintf(w->why, sizeof w->why, "the new store has no value of %s", m->label);
        return;
    }
    double std = b->n >= 2 ? b->std : c->n >= 2 ? c->std : NAN;
    if (o->sigma > 0 && isnan(std)) {
        w->verdict = RX_VERDICT_NOT_COMPARABLE;
        snprintf(w->why, sizeof w->why, "--sigma needs two or more seeds on one side "
                                        "(baseline %d, new %d)", b->n, c->n);
        return;
    }
    double allowed = fmax(o->abs_tol, o->rel_tol * fabs(b->mean));
    if (o->sigma > 0)
        allowed = fmax(allowed, o->sigma * std);
    w->allowed = allowed;
    double worse = m->higher_better ? b->mean - c->mean : c->mean - b->mean;
    double eps = 1e-12 * fmax(1.0, fabs(b->mean));   /* rounding is not a regression */
    rx_metric_format(m, fabs(worse), x, sizeof x);
    rx_metric_format(m, allowed, y, sizeof y);
    if (worse > allowed + eps) {
        w->verdict = RX_VERDICT_REGRESSED;
        snprintf(w->why, sizeof w->why, "worse by %s, more than the %s allowed", x, y);
    } else if (-worse > allowed + eps) {
        w->verdict = RX_VERDICT_IMPROVED;
        snprintf(w->why, sizeof w->why, "better by %s", x);
    } else {
        w->verdict = RX_VERDICT_OK;
        snprintf(w->why, sizeof w->why, "within %s", y);
    }
}

int rx_check_compare(const rx_report_run *base, int nb, const rx_report_run *cur, int nc,
                     const rx_check_opts *o, rx_check_result *out, rx_err *err)
{
    memset(out, 0, sizeof *out);
    int n = nb + nc;
    ref *g = calloc((size_t)(n ? n : 1), sizeof *g);
    double *tmp = calloc((size_t)(n ? n : 1), sizeof *tmp);
    out->rows = calloc((size_t)(n ? n : 1), sizeof *out->rows);
    if (!g || !tmp || !out->rows) {
        free(g);
        free(tmp);
        rx_check_free(out);
        return rx_errf(err, RX_ENOMEM, "out of memory comparing the stores");
    }
    for (int i = 0; i < nb; i++)
        g[i] = (ref){&base[i], 0};
    for (int i = 0; i < nc; i++)
        g[nb + i] = (ref){&cur[i], 1};
    qsort(g, (size_t)n, sizeof *g, cmp_ref);
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && strcmp(g[j].run->cell, g[i].run->cell) == 0)
            j++;
        rx_check_row *w = &out->rows[out->n++];
        const rx_report_run *r0 = g[i].run;
        snprintf(w->setting, sizeof w->setting, "%s", r0->setting);
        snprintf(w->optimizer, sizeof w->optimizer, "%s", r0->optimizer);
        snprintf(w->schedule, sizeof w->schedule, "%s", r0->schedule);
        snprintf(w->cell, sizeof w->cell, "%s", r0->cell);
        w->budget = r0->budget;
        w->lr = r0->lr;
        side_stats b, c;
        stats_of(g + i, j - i, 0, o->metric, tmp, &b);
        stats_of(g + i, j - i, 1, o->metric, tmp, &c);
        if ((w->by_key = same_keys(g + i, j - i)) < 0) {
            free(g);
            free(tmp);
            rx_check_free(out);
            return rx_errf(err, RX_ENOMEM, "out of memory comparing the stores");
        }
        w->base_runs = b.runs;
        w->new_runs = c.runs;
        w->base_n = b.n;
        w->new_n = c.n;
        w->base_diverged = b.diverged;
        w->new_diverged = c.diverged;
        w->base = b.mean;
        w->base_std = b.std;
        w->cur = c.mean;
        w->cur_std = c.std;
        judge(w, &b, &c, o);
        out->count[w->verdict]++;
        i = j;
    }
    qsort(out->rows, (size_t)out->n, sizeof *out->rows, cmp_row);
    free(g);
    free(tmp);
    return RX_OK;
}

void rx_check_free(rx_check_result *r)
{
    free(r->rows);
    memset(r, 0, sizeof *r);
}

int rx_check_status(const rx_check_result *r)
{
    if (r->count[RX_VERDICT_REGRESSED])
        return RX_EFAILED;
    if (r->count[RX_VERDICT_MISSING] || r->count[RX_VERDICT_NOT_COMPARABLE] || r->n == 0)
        return RX_EMISSING;
    return RX_OK;
}

/* ---- output --------------------------------------------------------- */

static void value_pm(const rx_metric *m, double mean, double std, int n, char *buf, size_t size)
{
    char a[32], b[32];
    rx_metric_format(m, mean, a, sizeof a);
    if (isnan(mean))
        snprintf(buf, size, "-");
    else if (n >= 2) {
        rx_metric_format(m, std, b, sizeof b);
        snprintf(buf, size, "%s ± %s (%d)", a, b, n);
    } else
        snprintf(buf, size, "%s (%d)", a, n);
}

static const char *verdict_label(rx_verdict v)
{
    switch (v) {
    case RX_VERDICT_OK: return "ok";
    case RX_VERDICT_IMPROVED: return "improved";
    case RX_VERDICT_REGRESSED: return "REGRESSED";
    case RX_VERDICT_MISSING: return "MISSING";
    default: return "NOT COMPARABLE";
    }
}

static void rule_text(const rx_check_opts *o, char *buf, size_t size)
{
    char a[32], s[64] = "";
    rx_metric_format(o->metric, o->abs_tol, a, sizeof a);
    if (o->sigma > 0)
        snprintf(s, sizeof s, ", %g x the seeds' std", o->sigma);
    snprintf(buf, size,
             "a cell regresses when its mean %s is worse than the baseline's by more than "
             "max(%s, %g%% of the baseline%s)",
             o->metric->label, a, o->rel_tol * 100, s);
}

static void summary_text(const rx_check_result *r, char *buf, size_t size)
{
    int code = rx_exit_code(rx_check_status(r));
    snprintf(buf, size, "%d cells: %d ok, %d improved, %d regressed, %d missing, %d not "
             "comparable; %s (exit %d)",
             r->n, r->count[RX_VERDICT_OK], r->count[RX_VERDICT_IMPROVED],
             r->count[RX_VERDICT_REGRESSED], r->count[RX_VERDICT_MISSING],
             r->count[RX_VERDICT_NOT_COMPARABLE],
             code == 1 ? "REGRESSION" : code == 3 ? (r->n ? "INCOMPLETE" : "NOTHING COMPARED")
                                                  : "no regression",
             code);
}

static void fill_table(const rx_check_result *r, const rx_check_opts *o, int with_note,
                       rx_table *t)
{
    static const char *const h[] = {"setting", "optimizer", "schedule", "budget", "lr",
                                    "match", "baseline", "new", "delta", "allowed",
                                    "verdict", "note"};
    rx_table_init(t, with_note ? 12 : 11, h);
    for (int c = 3; c <= 9; c++)
        rx_table_align(t, c, c != 5);
    for (int i = 0; i < r->n; i++) {
        const rx_check_row *w = &r->rows[i];
        char bl[32], b[96], c[96], d[32], a[32];
        rx_budget_label(w->budget, bl, sizeof bl);
        value_pm(o->metric, w->base, w->base_std, w->base_n, b, sizeof b);
        value_pm(o->metric, w->cur, w->cur_std, w->new_n, c, sizeof c);
        if (isnan(w->delta))
            snprintf(d, sizeof d, "-");
        else {
            rx_metric_format(o->metric, w->delta, d, sizeof d);
            if (w->delta >= 0) {
                memmove(d + 1, d, strlen(d) + 1);
                d[0] = '+';
            }
        }
        rx_metric_format(o->metric, w->allowed, a, sizeof a);
        int row = rx_table_row(t);
        rx_table_set(t, row, 0, "%s", w->setting);
        rx_table_set(t, row, 1, "%s", w->optimizer);
        rx_table_set(t, row, 2, "%s", w->schedule);
        rx_table_set(t, row, 3, "%s", bl);
        rx_table_set(t, row, 4, "%g", w->lr);
        rx_table_set(t, row, 5, "%s", w->base_runs && w->new_runs ? (w->by_key ? "key" : "cell")
                                                               : "-");
        rx_table_set(t, row, 6, "%s", b);
        rx_table_set(t, row, 7, "%s", c);
        rx_table_set(t, row, 8, "%s", d);
        rx_table_set(t, row, 9, "%s", a);
        rx_table_set(t, row, 10, "%s", verdict_label(w->verdict));
        if (with_note)
            rx_table_set(t, row, 11, "%s", w->why);
    }
}

static int write_json(FILE *f, const rx_check_result *r, const rx_check_opts *o,
                      const rx_check_source *src)
{
    fputc('{', f);
    rx_json_kv_str(f, "baseline", src ? src->baseline : NULL, 1);
    rx_json_kv_str(f, "new", src ? src->current : NULL, 1);
    rx_json_kv_str(f, "sweep", src ? src->sweep : NULL, 1);
    rx_json_kv_str(f, "metric", o->metric->name, 1);
    rx_json_kv_bool(f, "higher_is_better", o->metric->higher_better, 1);
    rx_json_kv_num(f, "abs", o->abs_tol, 1);
    rx_json_kv_num(f, "rel", o->rel_tol, 1);
    rx_json_kv_num(f, "sigma", o->sigma, 1);
    rx_json_key(f, "cells");
    fputc('[', f);
    for (int i = 0; i < r->n; i++) {
        const rx_check_row *w = &r->rows[i];
        fputs(i ? ",{" : "{", f);
        rx_json_kv_str(f, "setting", w->setting, 1);
        rx_json_kv_str(f, "optimizer", w->optimizer, 1);
        rx_json_kv_str(f, "schedule", w->schedule, 1);
        rx_json_kv_num(f, "budget", w->budget, 1);
        rx_json_kv_num(f, "lr", w->lr, 1);
        rx_json_kv_str(f, "cell", w->cell, 1);
        rx_json_kv_str(f, "match", w->by_key ? "key" : "cell", 1);
        rx_json_kv_int(f, "baseline_runs", w->base_runs, 1);
        rx_json_kv_int(f, "new_runs", w->new_runs, 1);
        rx_json_kv_int(f, "baseline_n", w->base_n, 1);
        rx_json_kv_int(f, "new_n", w->new_n, 1);
        rx_json_kv_int(f, "baseline_diverged", w->base_diverged, 1);
        rx_json_kv_int(f, "new_diverged", w->new_diverged, 1);
        rx_json_kv_num(f, "baseline", w->base, 1);
        rx_json_kv_num(f, "baseline_std", w->base_std, 1);
        rx_json_kv_num(f, "new", w->cur, 1);
        rx_json_kv_num(f, "new_std", w->cur_std, 1);
        rx_json_kv_num(f, "delta", w->delta, 1);
        rx_json_kv_num(f, "allowed", w->allowed, 1);
        rx_json_kv_str(f, "verdict", rx_verdict_name(w->verdict), 1);
        rx_json_kv_str(f, "why", w->why, 0);
        fputc('}', f);
    }
    fputs("],\"counts\":{", f);
    static const char *const names[] = {"ok", "improved", "regressed", "missing",
                                        "not_comparable"};
    for (int v = 0; v < 5; v++)
        rx_json_kv_int(f, names[v], r->count[v], v < 4);
    fputs("},", f);
    rx_json_kv_int(f, "exit", rx_exit_code(rx_check_status(r)), 0);
    fputs("}\n", f);
    return ferror(f) ? RX_EIO : RX_OK;
}

/* One line per cell that is neither ok nor improved (what a reader of
 * the gate must see), each after `bullet`; a blank line first when there
 * is any.  Returns how many. */
static int write_problems(FILE *f, const rx_check_result *r, const char *bullet)
{
    int n = 0;
    for (int i = 0; i < r->n; i++) {
        const rx_check_row *w = &r->rows[i];
        if (w->verdict == RX_VERDICT_OK || w->verdict == RX_VERDICT_IMPROVED)
            continue;
        char bl[32];
        rx_budget_label(w->budget, bl, sizeof bl);
        if (n++ == 0)
            fputs("\n", f);
        fprintf(f, "%s%s: %s %s %s %s lr %g: %s\n", bullet, verdict_label(w->verdict),
                w->setting, w->optimizer, w->schedule, bl, w->lr, w->why);
    }
    return n;
}

int rx_check_write(FILE *f, const rx_check_result *r, const rx_check_opts *o,
                   rx_report_format fmt, const rx_check_source *src, rx_err *err)
{
    int rc;
    char rule[512], sum[256];
    rule_text(o, rule, sizeof rule);
    summary_text(r, sum, sizeof sum);
    const char *sweep = src && src->sweep ? src->sweep : "all sweeps";
    if (fmt == RX_FMT_JSON) {
        rc = write_json(f, r, o, src);
    } else if (fmt == RX_FMT_MARKDOWN) {
        /* for a pull-request comment: the verdict and what went wrong
         * first, the full table folded */
        rx_table t;
        fprintf(f, "## rexsweep check: %s\n\n**%s**\n", sweep, sum);
        write_problems(f, r, "- ");
        fprintf(f, "\n- new: `%s`\n- baseline: `%s`\n- %s\n"
                   "- match: key = the same run keys on both sides; cell = the same "
                   "configuration with other seeds or another trainer version\n\n"
                   "<details><summary>all %d cells</summary>\n\n",
                src && src->current ? src->current : "-",
                src && src->baseline ? src->baseline : "-", rule, r->n);
        fill_table(r, o, 1, &t);
        rc = rx_table_write(f, &t, RX_TABLE_MARKDOWN);
        rx_table_free(&t);
        fputs("\n</details>\n", f);
    } else {
        rx_table t;
        fprintf(f, "rexsweep check: %s against baseline %s (%s)\n%s\n\n",
                src && src->current ? src->current : "-",
                src && src->baseline ? src->baseline : "-", sweep, rule);
        fill_table(r, o, 0, &t);
        rc = rx_table_write(f, &t, RX_TABLE_TEXT);
        rx_table_free(&t);
        write_problems(f, r, "");
        fprintf(f, "\n%s\n", sum);
    }
    if (rc == RX_ENOMEM)
        return rx_errf(err, rc, "out of memory writing the comparison");
    if (rc || ferror(f))
        return rx_errf(err, RX_EIO, "cannot write the comparison");
    return RX_OK;
}

int rx_check_write_junit(FILE *f, const rx_check_result *r, const rx_check_opts *o,
                         const rx_check_source *src, rx_err *err)
{
    int fails = r->count[RX_VERDICT_REGRESSED];
    int errs = r->count[RX_VERDICT_MISSING] + r->count[RX_VERDICT_NOT_COMPARABLE];
    const char *sweep = src && src->sweep ? src->sweep : "all";
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<testsuites name=\"rexsweep check\" tests=\"%d\" failures=\"%d\" errors=\"%d\">\n"
               "  <testsuite name=\"rexsweep check: ", r->n, fails, errs);
    rx_html_text(f, sweep);
    fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"0\">\n", r->n, fails,
            errs);
    fputs("    <properties>\n      <property name=\"metric\" value=\"", f);
    rx_html_text(f, o->metric->name);
    fputs("\"/>\n      <property name=\"baseline\" value=\"", f);
    rx_html_text(f, src && src->baseline ? src->baseline : "");
    fputs("\"/>\n      <property name=\"new\" value=\"", f);
    rx_html_text(f, src && src->current ? src->current : "");
    fputs("\"/>\n    </properties>\n", f);
    for (int i = 0; i < r->n; i++) {
        const rx_check_row *w = &r->rows[i];
        char bl[32], b[96], c[96];
        rx_budget_label(w->budget, bl, sizeof bl);
        value_pm(o->metric, w->base, w->base_std, w->base_n, b, sizeof b);
        value_pm(o->metric, w->cur, w->cur_std, w->new_n, c, sizeof c);
        fputs("    <testcase classname=\"rexsweep.", f);
        rx_html_text(f, w->setting);
        fputc('.', f);
        rx_html_text(f, w->optimizer);
        fputs("\" name=\"", f);
        rx_html_text(f, w->schedule);
        fprintf(f, " budget=%s lr=%g\"", bl, w->lr);
        if (w->verdict == RX_VERDICT_OK || w->verdict == RX_VERDICT_IMPROVED) {
            fputs("/>\n", f);
            continue;
        }
        int fail = w->verdict == RX_VERDICT_REGRESSED;
        fprintf(f, ">\n      <%s type=\"%s\" message=\"", fail ? "failure" : "error",
                rx_verdict_name(w->verdict));
        rx_html_text(f, w->why);
        fputs("\">baseline ", f);
        rx_html_text(f, b);
        fputs(", new ", f);
        rx_html_text(f, c);
        fprintf(f, "</%s>\n    </testcase>\n", fail ? "failure" : "error");
    }
    fputs("  </testsuite>\n</testsuites>\n", f);
    if (ferror(f))
        return rx_errf(err, RX_EIO, "cannot write the JUnit file");
    return RX_OK;
}
