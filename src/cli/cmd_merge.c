/*
 * cmd_merge.c: `rexsweep merge OUT.db SHARD.db...`: shard stores (from
 * `run --shard` or the tasks of `rexsweep slurm`) into one store, over
 * rx_store_merge: one transaction per shard, keyed by run key, so it is
 * idempotent and safe to stop.  A missing or unreadable shard is reported
 * and skipped; the others are still merged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "opts.h"
#include "rx_store.h"

static const char usage_text[] =
    "usage: rexsweep merge OUT.db SHARD.db... [--quiet]\n\n"
    "Merges the runs of every shard store into OUT.db (created if missing), one\n"
    "transaction per shard, keyed by run key: merging twice changes nothing, a\n"
    "done run beats a failed one, and two different results for one run key are\n"
    "a conflict (exit status 5).";

/* Whether a and b name the same existing file. */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) || stat(b, &sb))
        return strcmp(a, b) == 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void add_stats(rx_merge_stats *t, const rx_merge_stats *s)
{
    t->sweeps_added += s->sweeps_added;
    t->runs_added += s->runs_added;
    t->runs_replaced += s->runs_replaced;
    t->runs_same += s->runs_same;
    t->runs_kept += s->runs_kept;
    t->conflicts += s->conflicts;
}

static void print_stats(const char *what, const rx_merge_stats *s)
{
    printf("%s: %d runs added, %d replaced, %d same, %d kept, %d conflicts, %d sweeps added\n",
           what, s->runs_added, s->runs_replaced, s->runs_same, s->runs_kept, s->conflicts,
           s->sweeps_added);
}

int cmd_merge(int argc, char **argv)
{
    int quiet = 0;
    const rx_option opts[] = {
        {"quiet", 'q', RX_OPT_FLAG, &quiet, NULL, "print only the total line"},
    };
    const char **pos = malloc((size_t)(argc > 1 ? argc : 1) * sizeof *pos);
    int npos;
    if (!pos) {
        rx_cli_error("out of memory");
        return RX_EIO;
    }
    int prc = rx_parse_options(argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), pos,
                               argc, &npos, usage_text);
    if (prc || npos < 2) {
        if (!prc)
            rx_cli_error("merge needs OUT.db and at least one SHARD.db; see 'rexsweep merge --help'");
        free(pos);
        return prc > 0 ? RX_OK : RX_EINVAL;
    }
    const char *out = pos[0];
    for (int i = 1; i < npos; i++)
        if (same_file(out, pos[i])) {
            rx_cli_error("'%s' is both the output and a shard", pos[i]);
            free(pos);
            return RX_EINVAL;
        }

    rx_err err = {{0}};
    rx_store *dst = NULL;
    int orc = rx_store_open(out, RX_STORE_CREATE, &dst, &err);
    if (orc) {
        rx_cli_error("%s", err.msg);
        free(pos);
        return orc;
    }
    rx_merge_stats total = {0};
    int n_failed = 0, n_conflicted = 0;
    for (int i = 1; i < npos; i++) {
        const char *shard = pos[i];
        rx_merge_stats s = {0};
        int rc = rx_store_merge(dst, shard, &s, &err);
        if (rc && rc != RX_ECONFLICT) {
            rx_cli_error("%s", err.msg);
            n_failed++;
            continue;
        }
        add_stats(&total, &s);
        if (!quiet) {
            char what[1100];
            snprintf(what, sizeof what, "%s (schema %d)", shard, s.src_version);
            print_stats(what, &s);
        }
        if (rc == RX_ECONFLICT) {
            n_conflicted++;
            for (int k = 0; k < s.n_conflict_keys; k++)
                rx_cli_error("conflict: run %s has a different result in '%s' than in '%s'",
                           s.conflict_keys[k], shard, out);
            if (s.conflicts > s.n_conflict_keys)
                rx_cli_error("conflict: and %d more runs in '%s'", s.conflicts - s.n_conflict_keys,
                           shard);
        }
    }
    rx_store_counts c;
    int qrc = rx_store_count_runs(dst, &c, &err);
    rx_store_close(dst);
    free(pos);
    print_stats("total", &total);
    if (qrc == RX_OK)
        printf("%s: %d runs, %d done\n", out, c.total, c.done);
    else
        rx_cli_error("%s", err.msg);
    if (n_failed)
        rx_cli_error("%d of %d shards could not be merged", n_failed, npos - 1);
    if (fflush(stdout) != 0)
        return RX_EIO;
    if (n_failed || qrc)
        return RX_EIO;
    return n_conflicted ? RX_ECONFLICT : RX_OK;
}
