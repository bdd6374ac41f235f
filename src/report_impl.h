/*
 * report_impl.h: what the report writers (report_out.c, report_html.c)
 * share: the tables of a built report, ready to render in any format.
 * Private to the report module.
 */
#ifndef RX_REPORT_IMPL_H
#define RX_REPORT_IMPL_H

#include "rx_report.h"
#include "rx_table.h"

/* The value of a cell as shown: "27.94 ± 0.31 (3)", or why there is
 * none: "diverged", "failed", "missing", "not run". */
void rx_report_cell_text(const rx_report *r, const rx_report_cell *c, char *buf,
                         size_t size);

/* Schedules x budgets of (setting s, optimizer o).  t is initialised
 * here; the caller frees it. */
void rx_report_cell_table(const rx_report *r, int s, int o, rx_table *t);

/* The chosen lr per cell of (s, o); returns 0 (and leaves t alone) when
 * no cell of the group had more than one lr to choose from. */
int rx_report_lr_table(const rx_report *r, int s, int o, rx_table *t);

/* Lines naming every cell of (s, o) with failed, diverged or missing
 * runs, or with no runs; each is passed to line(ud, text).  Returns how
 * many there were. */
int rx_report_issues(const rx_report *r, int s, int o,
                     void (*line)(void *ud, const char *text), void *ud);

/* Top-1/Top-3 rates per ranked schedule, low/high/all. */
void rx_report_topk_table(const rx_report *r, rx_table *t);

/* Average rank per ranked schedule and budget for optimizer o. */
void rx_report_rank_table(const rx_report *r, int o, rx_table *t);

/* One-sentence explanations shown above the tables. */
void rx_report_notes(const rx_report *r, void (*line)(void *ud, const char *text),
                     void *ud);

/* True when (setting s, optimizer o) has runs. */
int rx_report_group_has_runs(const rx_report *r, int s, int o);

#endif
