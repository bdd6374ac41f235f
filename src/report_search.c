/* report_search.c: a search sweep's rung ladders (rx_report_search) in
 * every format: text and markdown lines, a JSON member, CSV columns per
 * cell and an HTML table. */
#include "report_impl.h"

#include <math.h>
#include <string.h>

/* "9 at 10% (best lr=0.01: 12.3) -> 3 at 30% (unfinished)" */
static void ladder_steps(FILE *f, const rx_report_search *rs, const rx_report_ladder *l)
{
    for (int k = 0; k < l->n_rungs && l->rungs[k].candidates > 0; k++) {
        const rx_report_rung *u = &l->rungs[k];
        fprintf(f, "%s %d at %.6g%%", k ? " ->" : "", u->candidates, 100 * u->budget);
        if (u->best[0]) {
            char v[32];
            rx_metric_format(rs->metric, u->best_val, v, sizeof v);
            fprintf(f, " (best %s: %s)", u->best, v);
        }
        if (!u->finished)
            fprintf(f, " (unfinished)");
    }
}

/* "; winner lr=0.01, test error (%) 12.1", or why there is none */
static void ladder_end(FILE *f, const rx_report_search *rs, const rx_report_ladder *l)
{
    if (l->winner[0]) {
        char t[32];
        rx_metric_format(rs->metric, l->winner_test, t, sizeof t);
        fprintf(f, "; winner %s, %s %s\n", l->winner, rs->metric->label, t);
    } else if (l->stopped_at > 0) {
        fprintf(f, "; stopped at %.6g%%: no candidate finished there without diverging\n",
                100 * l->stopped_at);
    } else {
        fprintf(f, "; no winner yet\n");
    }
}

void rx_report_search_text(FILE *f, const rx_report_search *rs, int markdown)
{
    const rx_metric *m = rs->metric;
    int hb = strcmp(rs->strategy, "hyperband") == 0;
    fprintf(f, "\n%s%s: eta %d, rungs", markdown ? "## " : "",
            hb ? "Hyperband" : "Successive halving", rs->eta);
    for (int k = 0; k < rs->n_budgets; k++)
        fprintf(f, "%s %.6g%%", k ? "," : "", 100 * rs->budgets[k]);
    if (hb && rs->n_groups > 0)
        fprintf(f, ", %d brackets", rs->group_first[1] - rs->group_first[0]);
    fprintf(f, "; candidates chosen on the %s, the winner's %s\n\n",
            m->val_label[0] ? m->val_label : m->label, m->label);
    for (int g = 0; g < rs->n_groups; g++) {
        const rx_report_ladder *l0 = &rs->ladders[rs->group_first[g]];
        const char *label = l0->group[0] ? l0->group : "(no run yet)";
        if (!hb) {
            fprintf(f, "%s%s:", markdown ? "- " : "", label);
            ladder_steps(f, rs, l0);
            ladder_end(f, rs, l0);
            continue;
        }
        fprintf(f, "%s%s:\n", markdown ? "- " : "", label);
        for (int i = rs->group_first[g]; i < rs->group_first[g + 1]; i++) {
            const rx_report_ladder *l = &rs->ladders[i];
            fprintf(f, "%sbracket %d:", markdown ? "  - " : "  ", l->bracket);
            ladder_steps(f, rs, l);
            ladder_end(f, rs, l);
        }
        int w = rs->winner[g];
        if (w >= 0) {
            char t[32];
            rx_metric_format(m, rs->ladders[w].winner_test, t, sizeof t);
            fprintf(f, "%swinner %s (bracket %d), %s %s\n", markdown ? "  - " : "  ",
                    rs->ladders[w].winner, rs->ladders[w].bracket, m->label, t);
        } else {
            fprintf(f, "%sno winner yet\n", markdown ? "  - " : "  ");
        }
    }
}

void rx_report_search_json(FILE *f, const rx_report_search *rs)
{
    if (!rs) {
        fputs("null", f);
        return;
    }
    fputc('{', f);
    rx_json_kv_str(f, "strategy", rs->strategy, 1);
    rx_json_kv_int(f, "eta", rs->eta, 1);
    rx_json_key(f, "budgets");
    rx_json_num_array(f, rs->budgets, rs->n_budgets);
    fputc(',', f);
    rx_json_kv_str(f, "chosen_on", rs->metric->val_label[0] ? rs->metric->val_col : NULL, 1);
    rx_json_key(f, "groups");
    fputc('[', f);
    for (int g = 0; g < rs->n_groups; g++) {
        const rx_report_ladder *l0 = &rs->ladders[rs->group_first[g]];
        fputs(g ? ",{" : "{", f);
        rx_json_kv_str(f, "group", l0->group, 1);
        rx_json_kv_str(f, "setting", l0->setting[0] ? l0->setting : NULL, 1);
        rx_json_kv_str(f, "optimizer", l0->optimizer[0] ? l0->optimizer : NULL, 1);
        rx_json_kv_str(f, "schedule", l0->schedule[0] ? l0->schedule : NULL, 1);
        int w = rs->winner[g];
        rx_json_kv_str(f, "winner", w >= 0 ? rs->ladders[w].winner : NULL, 1);
        if (w >= 0)
            rx_json_kv_int(f, "winner_bracket", rs->ladders[w].bracket, 1);
        else
            fputs("\"winner_bracket\":null,", f);
        rx_json_kv_num(f, "winner_validation", w >= 0 ? rs->ladders[w].winner_val : NAN, 1);
        rx_json_kv_num(f, "winner_test", w >= 0 ? rs->ladders[w].winner_test : NAN, 1);
        rx_json_key(f, "brackets");
        fputc('[', f);
        for (int i = rs->group_first[g]; i < rs->group_first[g + 1]; i++) {
            const rx_report_ladder *l = &rs->ladders[i];
            fputs(i > rs->group_first[g] ? ",{" : "{", f);
            rx_json_kv_int(f, "bracket", l->bracket, 1);
            rx_json_kv_str(f, "winner", l->winner[0] ? l->winner : NULL, 1);
            rx_json_kv_num(f, "winner_validation", l->winner[0] ? l->winner_val : NAN, 1);
            rx_json_kv_num(f, "winner_test", l->winner[0] ? l->winner_test : NAN, 1);
            rx_json_kv_num(f, "stopped_at", l->stopped_at > 0 ? l->stopped_at : NAN, 1);
            rx_json_key(f, "rungs");
            fputc('[', f);
            for (int k = 0; k < l->n_rungs; k++) {
                const rx_report_rung *u = &l->rungs[k];
                fputs(k ? ",{" : "{", f);
                rx_json_kv_num(f, "budget", u->budget, 1);
                rx_json_kv_int(f, "candidates", u->candidates, 1);
                if (u->promoted >= 0)
                    rx_json_kv_int(f, "promoted", u->promoted, 1);
                else
                    fputs("\"promoted\":null,", f);
                rx_json_kv_bool(f, "finished", u->finished, 1);
                rx_json_kv_str(f, "best", u->best[0] ? u->best : NULL, 1);
                rx_json_kv_num(f, "best_validation", u->best_val, 1);
                rx_json_kv_num(f, "best_test", u->best_test, 0);
                fputc('}', f);
            }
            fputs("]}", f);
        }
        fputs("]}", f);
    }
    fputs("]}", f);
}

/* The ladders of a report cell, by the report's labels: the rungs at
 * budget summed over brackets (candidates, promoted: -1 when some bracket
 * has not decided), the best candidate there over the brackets, and the
 * group's winner.  0 when no ladder matches the cell. */
int rx_report_search_cell(const rx_report_search *rs, const char *setting,
                          const char *optimizer, const char *schedule, double budget,
                          rx_report_rung *out, const char **winner)
{
    memset(out, 0, sizeof *out);
    out->best_val = out->best_test = NAN;
    *winner = "";
    int found = 0, any_rung = 0;
    for (int g = 0; g < rs->n_groups; g++) {
        const rx_report_ladder *l0 = &rs->ladders[rs->group_first[g]];
        if (strcmp(l0->setting, setting) || strcmp(l0->optimizer, optimizer) ||
            strcmp(l0->schedule, schedule))
            continue;
        found = 1;
        if (rs->winner[g] >= 0 && !(*winner)[0])
            *winner = rs->ladders[rs->winner[g]].winner;
        for (int i = rs->group_first[g]; i < rs->group_first[g + 1]; i++) {
            const rx_report_ladder *l = &rs->ladders[i];
            for (int k = 0; k < l->n_rungs; k++) {
                const rx_report_rung *u = &l->rungs[k];
                if (u->budget != budget || u->candidates == 0)
                    continue;
                out->budget = budget;
                out->candidates += u->candidates;
                out->promoted = !any_rung || out->promoted >= 0
                                ? (u->promoted < 0 ? -1 : out->promoted + u->promoted) : -1;
                any_rung = 1;
                if (u->best[0] && (!out->best[0] || rx_metric_cmp(rs->metric, u->best_val,
                                                                  out->best_val) > 0)) {
                    memcpy(out->best, u->best, sizeof out->best);
                    out->best_val = u->best_val;
                    out->best_test = u->best_test;
                }
            }
        }
    }
    if (!any_rung)
        out->promoted = -1;
    return found;
}

int rx_report_search_html(FILE *f, const rx_report_search *rs)
{
    static const char *const h[] = {"group", "bracket", "budget", "candidates", "promoted",
                                    "best", "best validation", "best test", "winner"};
    rx_table t;
    int hb = strcmp(rs->strategy, "hyperband") == 0;
    fprintf(f, "<section class=\"search\">\n<h2>%s: eta %d, the rung ladder per group</h2>\n",
            hb ? "Hyperband" : "successive halving", rs->eta);
    rx_table_init(&t, 9, h);
    for (int g = 0; g < rs->n_groups; g++)
        for (int i = rs->group_first[g]; i < rs->group_first[g + 1]; i++) {
            const rx_report_ladder *l = &rs->ladders[i];
            for (int k = 0; k < l->n_rungs && l->rungs[k].candidates > 0; k++) {
                const rx_report_rung *u = &l->rungs[k];
                int row = rx_table_row(&t);
                char b[40], v[32], te[32];
                rx_budget_label(u->budget, b, sizeof b);
                rx_metric_format(rs->metric, u->best_val, v, sizeof v);
                rx_metric_format(rs->metric, u->best_test, te, sizeof te);
                rx_table_set(&t, row, 0, "%s", k ? "" : l->group);
                rx_table_set(&t, row, 1, "%d", l->bracket);
                rx_table_set(&t, row, 2, "%s", b);
                rx_table_set(&t, row, 3, "%d%s", u->candidates, u->finished ? "" : " (unfinished)");
                if (u->promoted >= 0)
                    rx_table_set(&t, row, 4, "%d", u->promoted);
                else
                    rx_table_set(&t, row, 4, "-");
                rx_table_set(&t, row, 5, "%s", u->best[0] ? u->best : "-");
                rx_table_set(&t, row, 6, "%s", u->best[0] ? v : "-");
                rx_table_set(&t, row, 7, "%s", u->best[0] ? te : "-");
                int last = k + 1 == l->n_rungs;
                rx_table_set(&t, row, 8, "%s",
                             l->stopped_at == u->budget ? "stopped"
                             : last ? (l->winner[0] ? l->winner : "-") : "");
            }
        }
    int rc = rx_table_write(f, &t, RX_TABLE_HTML);
    rx_table_free(&t);
    if (hb) {
        fputs("<p>Overall winners (the best at the last budget over the brackets):</p>\n<ul>\n", f);
        for (int g = 0; g < rs->n_groups; g++) {
            const rx_report_ladder *l0 = &rs->ladders[rs->group_first[g]];
            int w = rs->winner[g];
            fputs("<li>", f);
            rx_html_text(f, l0->group);
            fputs(": ", f);
            rx_html_text(f, w >= 0 ? rs->ladders[w].winner : "no winner yet");
            if (w >= 0)
                fprintf(f, " (bracket %d)", rs->ladders[w].bracket);
            fputs("</li>\n", f);
        }
        fputs("</ul>\n", f);
    }
    fputs("</section>\n", f);
    return rc;
}
