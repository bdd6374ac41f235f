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

typedef struct out_counts {
    long runs, done;
} out_counts;

static int count_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    out_counts *c = ud;
    c->runs = ncols > 0 && v[0].type == RX_VINT ? (long)v[0].i : 0;
    c->done = ncols > 1 && v[1].type == RX_VINT ? (long)v[1].i : 0;
    return 0;
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
        rx_die_msg("out of memory");
        return RX_EXIT_IO;
    }
    int prc = rx_parse_options(argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), pos,
                               argc, &npos, usage_text);
    if (prc || npos < 2) {
        if (!prc)
            rx_die_msg("merge needs OUT.db and at least one SHARD.db; see 'rexsweep merge --help'");
        free(pos);
        return prc > 0 ? RX_EXIT_OK : RX_EXIT_USAGE;
    }
    const char *out = pos[0];
    for (int i = 1; i < npos; i++)
        if (same_file(out, pos[i])) {
            rx_die_msg("'%s' is both the output and a shard", pos[i]);
            free(pos);
            return RX_EXIT_USAGE;
        }

    rx_err err = {{0}};
    rx_store *dst = NULL;
    int orc = rx_store_open(out, RX_STORE_CREATE, &dst, &err);
    if (orc) {
        rx_die_msg("%s", err.msg);
        free(pos);
        return orc == RX_EINVAL ? RX_EXIT_USAGE : RX_EXIT_IO;
    }
    rx_merge_stats total = {0};
    int n_failed = 0, n_conflicted = 0;
    for (int i = 1; i < npos; i++) {
        const char *shard = pos[i];
        rx_merge_stats s = {0};
        int rc = rx_store_merge(dst, shard, &s, &err);
        if (rc && rc != RX_ECONFLICT) {
            rx_die_msg("%s", err.msg);
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
                rx_die_msg("conflict: run %s has a different result in '%s' than in '%s'",
                           s.conflict_keys[k], shard, out);
            if (s.conflicts > s.n_conflict_keys)
                rx_die_msg("conflict: and %d more runs in '%s'", s.conflicts - s.n_conflict_keys,
                           shard);
        }
    }
    out_counts c = {0, 0};
    int qrc = rx_store_query(dst,
                             "SELECT count(*), count(CASE WHEN status = 'done' THEN 1 END) FROM runs",
                             NULL, 0, count_row, &c, &err);
    rx_store_close(dst);
    free(pos);
    print_stats("total", &total);
    if (qrc == RX_OK)
        printf("%s: %ld runs, %ld done\n", out, c.runs, c.done);
    if (n_failed)
        rx_die_msg("%d of %d shards could not be merged", n_failed, npos - 1);
    if (fflush(stdout) != 0)
        return RX_EXIT_IO;
    if (n_failed || qrc)
        return RX_EXIT_IO;
    return n_conflicted ? RX_EXIT_CONFLICT : RX_EXIT_OK;
}
