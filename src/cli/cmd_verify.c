/* cmd_verify.c: `rexsweep verify`: trains stored runs again and compares
 * every recorded value bit for bit. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opts.h"
#include "rx_store.h"
#include "rx_table.h"
#include "rx_verify.h"

static const char usage_text[] =
    "usage: rexsweep verify [--db FILE] [--sweep NAME] [--sample N [--seed S] | --all | KEY...]\n"
    "                       [--json] [--quiet]\n\n"
    "Trains done runs again from their stored configuration and compares every\n"
    "stored metric (final, per epoch, per step) bit for bit.  Exit 0 when all match,\n"
    "1 when any differs (each difference is listed).  Default: --sample 5.";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static const char *const verdict_names[] = {"match", "differs", "error"};

/* How the environment a run was recorded in compares with this one. */
typedef struct env_note {
    int recorded;          /* the run has a provenance */
    int n_diff;            /* fields that differ */
    char diff[640];
} env_note;

static void env_compare(rx_store *st, const char *key, const rx_provenance *now, env_note *e)
{
    rx_provenance rec;
    memset(e, 0, sizeof *e);
    if (rx_store_run_provenance(st, key, &rec, NULL) == RX_OK) {
        e->recorded = 1;
        e->n_diff = rx_provenance_diff(&rec, now, e->diff, sizeof e->diff);
    }
}

static void print_text(const rx_verify_run *r, const env_note *e)
{
    printf("%-8s %s", verdict_names[r->verdict], r->key);
    if (r->verdict == RX_VERIFY_ERROR) {
        printf("  (%s)\n", r->error);
        return;
    }
    if (r->verdict == RX_VERIFY_MATCH)
        printf("  %d values identical (%d epoch rows, %d step rows)  %.1fs", r->n_compared,
               r->n_epochs, r->n_steps, r->wall);
    else
        printf("  %d of %d values differ", r->n_diffs, r->n_compared);
    if (r->trainer_version && r->trainer_version != RX_TRAINER_VERSION)
        printf("  [recorded by trainer %d, this is trainer %d]", r->trainer_version,
               RX_TRAINER_VERSION);
    if (!e->recorded)
        printf("  [environment not recorded]");
    else if (e->n_diff)
        printf("  [environment differs: %s]", e->diff);
    printf("\n");
    int shown = r->n_diffs < RX_VERIFY_MAX_DIFFS ? r->n_diffs : RX_VERIFY_MAX_DIFFS;
    for (int i = 0; i < shown; i++)
        printf("    %-28s stored %-24s now %s\n", r->diffs[i].what, r->diffs[i].stored,
               r->diffs[i].now);
    if (r->n_diffs > shown)
        printf("    ... and %d more\n", r->n_diffs - shown);
}

static void print_json_run(const rx_verify_run *r, const env_note *e, int first)
{
    printf("%s{", first ? "" : ",");
    rx_json_kv_str(stdout, "key", r->key, 1);
    rx_json_kv_str(stdout, "verdict", verdict_names[r->verdict], 1);
    if (r->verdict == RX_VERIFY_ERROR) {
        rx_json_kv_str(stdout, "error", r->error, 0);
        printf("}");
        return;
    }
    rx_json_kv_int(stdout, "trainer_version", r->trainer_version, 1);
    rx_json_kv_bool(stdout, "environment_recorded", e->recorded, 1);
    rx_json_kv_str(stdout, "environment_differs", e->n_diff ? e->diff : NULL, 1);
    rx_json_kv_int(stdout, "compared", r->n_compared, 1);
    rx_json_kv_int(stdout, "epoch_rows", r->n_epochs, 1);
    rx_json_kv_int(stdout, "step_rows", r->n_steps, 1);
    rx_json_kv_num(stdout, "seconds", r->wall, 1);
    rx_json_kv_int(stdout, "n_diffs", r->n_diffs, 1);
    rx_json_key(stdout, "diffs");
    printf("[");
    int shown = r->n_diffs < RX_VERIFY_MAX_DIFFS ? r->n_diffs : RX_VERIFY_MAX_DIFFS;
    for (int i = 0; i < shown; i++) {
        printf("%s{", i ? "," : "");
        rx_json_kv_str(stdout, "what", r->diffs[i].what, 1);
        rx_json_kv_str(stdout, "stored", r->diffs[i].stored, 1);
        rx_json_kv_str(stdout, "now", r->diffs[i].now, 0);
        printf("}");
    }
    printf("]}");
}

int cmd_verify(int argc, char **argv)
{
    const char *db = "results/rexsweep.db", *sweep = NULL;
    int sample = -1, all = 0, seed = 0, json = 0, quiet = 0;
    const rx_option opts[] = {
        {"db", 0, RX_OPT_STRING, &db, "FILE", "results store (default results/rexsweep.db)"},
        {"sweep", 0, RX_OPT_STRING, &sweep, "NAME", "only runs of the sweeps named NAME"},
        {"sample", 0, RX_OPT_INT, &sample, "N", "verify N done runs spread over the store (default 5)"},
        {"seed", 0, RX_OPT_INT, &seed, "S", "which sample: the same S gives the same runs (default 0)"},
        {"all", 0, RX_OPT_FLAG, &all, NULL, "verify every done run"},
        {"json", 0, RX_OPT_FLAG, &json, NULL, "print the result as one JSON object"},
        {"quiet", 'q', RX_OPT_FLAG, &quiet, NULL, "print only differences, errors and the summary"},
    };
    int nopt = (int)(sizeof opts / sizeof opts[0]);
    const char **pos = calloc((size_t)argc + 1, sizeof *pos);
    int npos = 0;
    if (!pos) {
        rx_die_msg("out of memory");
        return RX_EXIT_IO;
    }
    int prc = rx_parse_options(argc, argv, opts, nopt, pos, argc, &npos, usage_text);
    if (prc) {
        free(pos);
        return prc > 0 ? RX_EXIT_OK : RX_EXIT_USAGE;
    }
    if ((npos > 0) + all + (sample >= 0) > 1) {
        rx_die_msg("give one of --sample N, --all or run keys; see 'rexsweep verify --help'");
        free(pos);
        return RX_EXIT_USAGE;
    }
    if (sample == 0 || sample < -1 || seed < 0) {
        rx_die_msg("--sample must be at least 1 and --seed not negative");
        free(pos);
        return RX_EXIT_USAGE;
    }
    rx_store *st = NULL;
    int code = rx_cli_open_store(db, &st);
    if (code) {
        free(pos);
        return code;
    }
    rx_verify_select sel = {sweep, all, sample > 0 ? sample : 5, (uint64_t)seed, pos, npos};
    char (*keys)[RX_KEY_LEN + 1] = NULL;
    int n = 0;
    rx_err err = {{0}};
    int rc = rx_verify_select_keys(st, &sel, &keys, &n, &err);
    free(pos);
    if (rc) {
        rx_die_msg("%s", err.msg);
        rx_store_close(st);
        return rc == RX_ENOTFOUND || rc == RX_EINVAL ? RX_EXIT_USAGE : rx_exit_for(rc);
    }

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    rx_provenance now;
    rx_provenance_collect(NULL, &now);
    if (!json && !quiet) {
        char here[1024];
        rx_provenance_format(&now, here, sizeof here);
        /* git says where a spec came from, not what trains it */
        char *git = strstr(here, ", no git commit");
        if (git)
            *git = '\0';
        printf("this machine: %s\n", here);
        if (npos)
            printf("verify: %d run%s of store '%s'\n", n, n == 1 ? "" : "s", db);
        else
            printf("verify: %d done run%s of store '%s'%s%s%s\n", n, n == 1 ? "" : "s", db,
                   sweep ? ", sweep '" : "", sweep ? sweep : "", sweep ? "'" : "");
        fflush(stdout);
    }
    if (json) {
        printf("{");
        rx_json_kv_str(stdout, "store", db, 1);
        rx_json_kv_int(stdout, "trainer_version", RX_TRAINER_VERSION, 1);
        rx_json_key(stdout, "runs");
        printf("[");
    }
    rx_data_cache cache = {0};
    int counts[3] = {0, 0, 0}, first_error = RX_OK;
    for (int i = 0; i < n; i++) {
        rx_verify_run r;
        rc = rx_verify_run_key(st, keys[i], &cache, &stop_flag, &r, &err);
        if (rc == RX_EINTR)
            break;
        counts[r.verdict]++;
        if (rc && !first_error)
            first_error = rc;
        env_note e;
        env_compare(st, keys[i], &now, &e);
        if (json)
            print_json_run(&r, &e, i == 0);
        else if (!quiet || r.verdict != RX_VERIFY_MATCH)
            print_text(&r, &e);
        fflush(stdout);
    }
    rx_data_cache_free(&cache);
    rx_store_close(st);
    free(keys);
    const char *status = rc == RX_EINTR ? "interrupted"
                         : counts[RX_VERIFY_DIFFERS] ? "differs"
                         : counts[RX_VERIFY_ERROR] ? "error"
                                                   : "ok";
    if (json) {
        printf("],");
        rx_json_kv_int(stdout, "match", counts[RX_VERIFY_MATCH], 1);
        rx_json_kv_int(stdout, "differs", counts[RX_VERIFY_DIFFERS], 1);
        rx_json_kv_int(stdout, "errors", counts[RX_VERIFY_ERROR], 1);
        rx_json_kv_str(stdout, "status", status, 0);
        printf("}\n");
    } else {
        printf("verify: %d of %d run%s match, %d differ%s, %d error%s%s\n",
               counts[RX_VERIFY_MATCH], n, n == 1 ? "" : "s", counts[RX_VERIFY_DIFFERS],
               counts[RX_VERIFY_DIFFERS] == 1 ? "s" : "", counts[RX_VERIFY_ERROR],
               counts[RX_VERIFY_ERROR] == 1 ? "" : "s",
               rc == RX_EINTR ? "; interrupted" : "");
    }
    if (rc == RX_EINTR)
        return RX_EXIT_INTERRUPTED;
    if (counts[RX_VERIFY_DIFFERS])
        return RX_EXIT_FAILED;
    if (first_error)
        return rx_exit_for(first_error);
    return RX_EXIT_OK;
}
