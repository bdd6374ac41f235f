/* cmd_train.c: `rexsweep train`: one run, one line per epoch. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rx_table.h"
#include "rx_metrics.h"
#include "opts.h"
#include "rx_data.h"
#include "rx_keys.h"
#include "rx_spec.h"
#include "rx_train.h"
#include "rx_trainer.h"

static const char usage_text[] =
    "usage: rexsweep train [FILE.yaml] [KEY=VALUE...] [--log-every N] [--json] [--quiet]\n"
    "       rexsweep train --keys\n\n"
    "Trains one job described by a YAML file (the spec syntax of rexsweep.yaml(5),\n"
    "expanding to exactly one run) and/or KEY=VALUE settings, which override the\n"
    "file: e.g. model.hidden=[256,256] optimizer.lr=0.05 schedule.name=rex train.budget=25%.";

typedef struct train_ui {
    int json, quiet;
    double full;     /* epochs the run will take */
} train_ui;

static void print_num(const char *name, double x, const char *fmt)
{
    if (isfinite(x)) {
        printf(" %s ", name);
        printf(fmt, x);
    }
}

/* ,"name":value with JSON's null for NaN and Inf (JSON has neither). */
static void jnum(const char *name, double x)
{
    if (isfinite(x))
        printf(",\"%s\":%.9g", name, x);
    else
        printf(",\"%s\":null", name);
}

static int on_epoch(void *ud, const rx_epoch_metrics *m)
{
    train_ui *ui = ud;
    if (ui->quiet)
        return 0;
    if (ui->json) {
        printf("{\"epoch\":%d,\"step\":%ld,\"samples\":%ld", m->epoch, m->step, m->samples);
        int n;
        const rx_metric_col *c = rx_metric_cols(&n);
        for (int i = 0; i < n; i++)
            if (c[i].flags & RX_MC_EPOCH)
                jnum(c[i].name, rx_metric_at(m, c[i].epoch_off));
        printf("}\n");
    } else {
        printf("epoch %d/%g step %ld", m->epoch, ceil(ui->full), m->step);
        /* the losses and accuracies of every split (the metric table's
         * report metrics), the training ones without their prefix */
        int n;
        const rx_metric_col *c = rx_metric_cols(&n);
        for (int i = 0; i < n; i++)
            if ((c[i].flags & RX_MC_EPOCH) && c[i].show.split)
                print_num(c[i].show.split == RX_SPLIT_TRAIN ? c[i].show.measure : c[i].name,
                          rx_metric_at(m, c[i].epoch_off), "%.4f");
        printf(" lr %.6g mom %.4g gnorm %.4g %.1fs\n", m->lr, m->momentum, m->grad_norm, m->wall);
    }
    fflush(stdout);
    return 0;
}

static int on_step(void *ud, const rx_step_metrics *m)
{
    train_ui *ui = ud;
    if (!ui->quiet && !ui->json)
        printf("  step %ld loss %.4f lr %.6g mom %.4g gnorm %.4g\n", m->step, m->loss, m->lr,
               m->momentum, m->grad_norm);
    return 0;
}

int cmd_train(int argc, char **argv)
{
    int log_every = 0, json = 0, quiet = 0, keys = 0;
    const rx_option opts[] = {
        {"log-every", 0, RX_OPT_INT, &log_every, "N", "also print the loss every N steps"},
        {"json", 0, RX_OPT_FLAG, &json, NULL, "one JSON object per epoch and a final one"},
        {"quiet", 'q', RX_OPT_FLAG, &quiet, NULL, "print only the final line"},
        {"keys", 0, RX_OPT_FLAG, &keys, NULL, "list every configuration key and exit"},
    };
    const char *pos[128];
    int npos;
    int prc = rx_parse_options(argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), pos, 128,
                               &npos, usage_text);
    if (prc)
        return prc > 0 ? RX_OK : RX_EINVAL;
    if (keys) {
        rx_keys_print(stdout, RX_KEYS_TEXT);
        return RX_OK;
    }
    rx_err err = {{0}};
    rx_spec *spec = NULL;
    int first = 0, rc;
    if (npos > 0 && !strchr(pos[0], '=')) {
        rc = rx_spec_load(pos[0], &spec, &err);
        first = 1;
    } else {
        rc = rx_spec_new("train", &spec, &err);
    }
    if (rc) {
        rx_cli_error("%s", err.msg);
        return rc;
    }
    for (int i = first; i < npos && rc == RX_OK; i++) {
        if (!strchr(pos[i], '=')) {
            rx_cli_error("'%s' is not a KEY=VALUE setting; see 'rexsweep train --help'", pos[i]);
            rx_spec_free(spec);
            return RX_EINVAL;
        }
        rc = rx_spec_override(spec, pos[i], &err);
    }
    if (rc == RX_OK && spec->trainer && spec->trainer->kind != RX_TRAINER_BUILTIN)
        rc = rx_errf(&err, RX_EINVAL,
                     "'%s' has a command trainer; 'rexsweep train' runs the built-in one "
                     "(run it with 'rexsweep run')", spec->path);
    rx_job *job = NULL;
    if (rc == RX_OK)
        rc = rx_spec_single(spec, &job, &err);
    rx_spec_free(spec);
    if (rc) {
        rx_cli_error("%s", err.msg);
        return RX_EINVAL;
    }
    rx_config c = job->cfg;
    if (log_every > 0)
        c.train.log_every = log_every;

    rx_data data;
    rc = rx_data_load(&c.data, &data, &err);
    if (rc) {
        rx_cli_error("%s", err.msg);
        rx_jobs_free(job, 1);
        return rc == RX_EINVAL || rc == RX_ENOMEM ? rc : RX_EDATA;  /* whatever the loader said */
    }
    train_ui ui = {json, quiet, c.train.budget * c.train.full_epochs};
    rx_train_hooks hooks = {.on_epoch = on_epoch, .on_step = on_step, .ud = &ui};
    rx_train_result res;
    rc = rx_train(&c, &data, &hooks, &res, &err);
    rx_data_free(&data);
    if (rc) {
        rx_cli_error("%s", err.msg);
        rx_jobs_free(job, 1);
        return rc;
    }
    const rx_epoch_metrics *f = &res.final;
    if (json) {
        printf("{\"key\":\"%s\",\"status\":\"%s\",\"steps\":%ld,\"total_steps\":%ld,"
               "\"diverged_step\":%ld,\"samples\":%ld",
               job->key, rx_run_status_name(res.status), res.steps, res.total_steps,
               res.diverged_step, res.samples);
        jnum("epochs", res.epochs);
        jnum("flops", res.flops);
        jnum("train_loss", f->train_loss);
        jnum("val_acc", f->val_acc);
        jnum("test_loss", f->test_loss);
        jnum("test_acc", f->test_acc);
        jnum("wall", res.wall);
        putchar(',');
        rx_json_kv_str(stdout, "model", res.model_desc, 0);
        printf("}\n");
    }
    else if (res.status == RX_RUN_DIVERGED)
        printf("diverged at step %ld of %ld (loss is not finite); %s; run %s\n",
               res.diverged_step, res.total_steps, res.model_desc, job->key);
    else
        printf("%s: %ld steps, %ld samples, %.1fs; test_acc %.4f test_loss %.4f; %s; run %s\n",
               rx_run_status_name(res.status), res.steps, res.samples, res.wall, f->test_acc,
               f->test_loss, res.model_desc, job->key);
    rx_jobs_free(job, 1);
    switch (res.status) {
    case RX_RUN_DONE: return RX_OK;
    case RX_RUN_INTERRUPTED: return RX_EINTR;
    case RX_RUN_DIVERGED: return RX_EDIVERGED;
    case RX_RUN_TIMEOUT: return RX_ETIMEOUT;
    default: return RX_EFAILED;
    }
}
