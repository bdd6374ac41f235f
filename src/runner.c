/*
 * runner.c: the sweep runner.  The parent registers the jobs, reads their
 * states once and lists the runs left to do (the queue, in grid order),
 * forks N workers and turns their events into progress; each worker takes
 * the next runs of the queue (a cursor shared by the workers), claims them
 * in the store by key, trains them and commits each run's metrics together
 * with its final status, in the transaction that claims its next runs
 * (see "Batching" below).
 *
 * Why a queue of our own jobs, not "the next claimable run of the sweep":
 * a worker must only ever take runs of its own invocation (shards of one
 * spec, or the same spec with other --set values, share a store), and a
 * claim must cost one indexed lookup, not a scan past the done runs.
 *
 * Why processes, not threads: one BLAS thread per run is both the fastest
 * and the deterministic configuration, a crashing run cannot take the
 * sweep down, and a killed worker's run is simply found stale and redone.
 */
#include "rx_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rx_ckpt.h"
#include "rx_data.h"
#include "rx_extend.h"
#include "rx_store.h"
#include "rx_table.h"
#include "rx_train.h"
#include "rx_trainer.h"

/* A run of the queue: a run of the grid, or an extension run of the
 * adaptive lr grid (its lr as text, set on the configuration at ref.pos). */
typedef struct queue_item {
    rx_run_ref ref;
    char lr[32];          /* "" for a run of the grid */
    int cell;             /* its tuning cell (rx_ext_cells), or -1 */
} queue_item;

typedef struct slot_runs slot_runs;

/* Shared between the parent and its workers (an anonymous shared mapping).
 * The queue grows while tuning cells extend: the parent writes an item,
 * then raises n_items; workers wait for more until it sets closed. */
typedef struct shared_state {
    int started;          /* runs claimed so far (for --max-runs) */
    int halt;             /* stop claiming: fail-fast or interrupt */
    int next;             /* the queue's cursor, first pass */
    int next_held;        /* the cursor of the second pass */
    int level;            /* the parent's stop level (rx_run_counts.stopping) */
    int n_items;          /* items ready in item[] */
    int closed;           /* no item will be added */
    rx_worker_progress *slot;  /* one per worker slot, in the same mapping */
    slot_runs *own;       /* per worker slot: what it holds unrecorded */
    queue_item *item;     /* the queue (its capacity: every run and every
                             extension run possible), in the same mapping */
    unsigned char held[]; /* per queue entry: found held by a live worker
                             elsewhere in the first pass */
} shared_state;

/* What workers read of the sweep (read-only after the fork). */
typedef struct run_queue {
    const rx_grid *g;
} run_queue;

static volatile sig_atomic_t worker_stop;

static void worker_signal(int sig)
{
    (void)sig;
    worker_stop = 1;
}

typedef struct worker worker;
static void beat_now(worker *w, const char *key, long step, long total, int epoch_end);
static rx_store *worker_store(const worker *w);

/* The metrics of one run, and where its heartbeat goes. */
typedef struct run_log {
    rx_train_log m;      /* first: log_step hands the run_log on as it */
    worker *w;
    const char *key;
    const rx_train_progress *prog;
    struct ckpt_ctx *ck;
} run_log;

/* A heartbeat with the run's progress (runs.steps_done of runs.steps)
 * tells other processes, and `rexsweep status`, that the run is alive
 * and how far it has come. */
static void beat(run_log *l, long step, int epoch_end)
{
    beat_now(l->w, l->key, step, l->prog->total, epoch_end);
}

static int log_epoch(void *ud, const rx_epoch_metrics *m)
{
    run_log *l = ud;
    if (rx_train_log_epoch(&l->m, m))
        return 1;
    beat(l, m->step, 1);
    return 0;
}

static int log_step(void *ud, const rx_step_metrics *m)
{
    run_log *l = ud;
    return rx_train_log_step(&l->m, m);
}

/* The built-in trainer's progress between epochs: at the start, and every
 * RX_RUNNER_BEAT_EVERY seconds. */
static void train_alive(void *ud, long step)
{
    beat(ud, step, 0);
}

/* The trainer's way back into the worker: a heartbeat. */
static void run_alive(void *ud)
{
    run_log *l = ud;
    beat(l, l->prog->step, 0);
}

static void send_event(int fd, const rx_run_event *ev)
{
    /* sizeof(rx_run_event) < PIPE_BUF, so the write is atomic */
    ssize_t w;
    do
        w = write(fd, ev, sizeof *ev);
    while (w < 0 && errno == EINTR);
}


/* The checkpoints of the run a worker trains (rx_ckpt.h). */
typedef struct ckpt_ctx {
    char path[4096];      /* "" when the path does not fit: none */
    const char *key;
    shared_state *sh;
    const rx_run_event *ev;  /* for notes to the parent */
    int fd;
    long resumed_at;
    int warned;           /* one warning per run about writing */
} ckpt_ctx;

static void note(const ckpt_ctx *k, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(const ckpt_ctx *k, const char *status, const char *fmt, ...)
{
    rx_run_event ev = *k->ev;
    ev.kind = RX_EV_NOTE;
    snprintf(ev.status, sizeof ev.status, "%s", status);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ev.error, sizeof ev.error, fmt, ap);
    va_end(ap);
    send_event(k->fd, &ev);
}

/* The run's metric rows not yet committed, and the step, go into the
 * checkpoint beside the trainer's regions. */
static void ckpt_save(void *ud, const rx_train_region *r, int n, long step)
{
    run_log *l = ud;
    ckpt_ctx *k = l->ck;
    /* after a second stop, nothing but the record */
    if (!k->path[0] || __atomic_load_n(&k->sh->level, __ATOMIC_SEQ_CST) >= 2 || n > 60)
        return;
    rx_train_region all[64];
    memcpy(all, r, (size_t)n * sizeof *r);
    all[n++] = (rx_train_region){"log.epochs", l->m.ep, (size_t)l->m.n_ep * sizeof *l->m.ep};
    all[n++] = (rx_train_region){"log.steps", l->m.st, (size_t)l->m.n_st * sizeof *l->m.st};
    all[n++] = (rx_train_region){"step", &step, sizeof step};
    char dir[4096];
    rx_err err = {{0}};
    int rc = rx_ckpt_path(rx_store_path(worker_store(l->w)), NULL, dir, sizeof dir);
    if (rc == RX_OK && mkdir(dir, 0777) != 0 && errno != EEXIST)
        rc = rx_errf(&err, RX_EIO, "cannot create checkpoint directory '%s': %s", dir,
                     strerror(errno));
    if (rc == RX_OK)
        rc = rx_ckpt_write(k->path, k->key, all, n, &err);
    if (rc && !k->warned) {
        k->warned = 1;
        note(k, "warning", "run %s: %s; it goes on without", k->key, err.msg);
    }
}

/* Replaces rows *dst by the n rows of size sz of a checkpoint section.
 * Nonzero when the section is missing or damaged, or out of memory. */
static int take_rows(const rx_ckpt *c, const char *name, size_t sz, void **dst, int *n,
                     int *cap)
{
    size_t size = 0;
    const void *p = rx_ckpt_section(c, name, &size);
    if (!p || size % sz)
        return 1;
    if (size == 0)
        return 0;
    void *q = malloc(size);
    if (!q)
        return 1;
    memcpy(q, p, size);
    free(*dst);
    *dst = q;
    *n = *cap = (int)(size / sz);
    return 0;
}

static int ckpt_resume(void *ud, rx_train_region *r, int n)
{
    run_log *l = ud;
    ckpt_ctx *k = l->ck;
    rx_ckpt *c = NULL;
    rx_err err = {{0}};
    if (!k->path[0])
        return 0;
    int rc = rx_ckpt_read(k->path, k->key, &c, &err);
    if (rc == RX_ENOTFOUND)
        return 0;
    size_t size = 0;
    const void *step = rc ? NULL : rx_ckpt_section(c, "step", &size);
    if (rc == RX_OK && (!step || size != sizeof(long)))
        rc = rx_errf(&err, RX_EFORMAT, "checkpoint '%s' has no step", k->path);
    /* the rows first: the trainer's regions are restored all or none */
    if (rc == RX_OK &&
        (take_rows(c, "log.epochs", sizeof *l->m.ep, (void **)&l->m.ep, &l->m.n_ep,
                   &l->m.cap_ep) ||
         take_rows(c, "log.steps", sizeof *l->m.st, (void **)&l->m.st, &l->m.n_st,
                   &l->m.cap_st)))
        rc = rx_errf(&err, RX_EFORMAT, "checkpoint '%s' has damaged metric rows", k->path);
    if (rc == RX_OK)
        rc = rx_ckpt_restore(c, r, n, &err);
    if (rc) {
        /* start over, with none of the saved attempt's rows */
        l->m.n_ep = l->m.n_st = 0;
        note(k, "warning", "run %s: ignoring its checkpoint: %s; the run starts over", k->key,
             err.msg);
        unlink(k->path);
        rx_ckpt_free(c);
        return 0;
    }
    memcpy(&k->resumed_at, step, sizeof k->resumed_at);
    rx_ckpt_free(c);
    note(k, "note", "run %s resumes from its checkpoint at step %ld", k->key, k->resumed_at);
    return 1;
}

/* Removes a run's checkpoint (and a temporary file that a kill left). */
static void ckpt_remove(const char *path)
{
    char tmp[4200];
    if (!path[0])
        return;
    unlink(path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    unlink(tmp);
}

/*
 * Batching.  A run costs the store a claim, a record and its heartbeats,
 * each a write transaction under the store's one write lock; for runs of
 * a millisecond that is most of a worker's time, and two workers mostly
 * wait for each other.  So a worker records a run together with claiming
 * the next ones, in one transaction (rx_store_commit_batch), and a worker
 * of short runs (under BATCH_SECONDS / 2 each, by its recent runs) claims
 * up to BATCH_SECONDS of runs ahead, holds their records back for up to
 * BATCH_SECONDS and skips the heartbeats that follow a write closer than
 * that.  A worker of longer runs records each run at its end (with the
 * next claim) and beats at a run's start, every 10 s and at its epochs'
 * ends (at most every BEAT_MIN).  What a worker holds
 * unrecorded is listed in shared memory (slot_runs): if it dies, its
 * replacement claims those runs again first; a worker that stops gives
 * back the runs it claimed and never started.
 */
#define BATCH_SECONDS 0.1
#define BATCH_MAX 64
#define BEAT_MIN 0.02
#define HELD_MAX (2 * BATCH_MAX + 1)   /* held back, in training, ahead */

/* A worker's claimed runs not yet recorded (queue items), for its parent. */
struct slot_runs {
    int n;
    int item[HELD_MAX];
};

/* A run trained and not yet recorded. */
typedef struct trained {
    int item;
    rx_run_event ev;          /* its START event, made the FINISH one */
    rx_run_state state;
    rx_train_result res;
    rx_train_log log;         /* its metric rows (owned) */
    rx_run_extra extra;       /* owned */
    char error[1024];
    char ckpt[4096];          /* its checkpoint's path, "" for none */
    double started;           /* unix time */
} trained;

typedef struct worker {
    rx_store *st;
    const run_queue *q;
    const rx_runner_opts *o;
    shared_state *sh;
    slot_runs *own;           /* this slot's list in the shared mapping */
    rx_data_cache *dc;
    int slot, fd;
    char host[256];
    int ready[BATCH_MAX];     /* claimed ahead, in queue order */
    int n_ready, at_ready;
    int inherit[HELD_MAX];    /* a dead predecessor's runs */
    int n_inherit, at_inherit;
    trained *done;            /* [BATCH_MAX], and the run in training at
                                 [BATCH_MAX] (a heartbeat may flush the
                                 others meanwhile) */
    int n_done;
    int current;              /* the item in training, -1 none */
    double oldest;            /* rx_now() when done[0] was trained */
    double last_write;        /* rx_now() of the last transaction */
    double per_run;           /* recent seconds per run, 0: none yet */
    int batching;             /* runs are short: see above */
    double last_epoch_beat;   /* rx_now() of the last epoch end's beat */
    int stop;                 /* stop after the run in training */
} worker;

static rx_store *worker_store(const worker *w)
{
    return w->st;
}

/* Reports a store error to the parent. */
static void send_error(int fd, const rx_err *err)
{
    rx_run_event ev = {0};
    ev.kind = RX_EV_FINISH;
    ev.index = -1;
    snprintf(ev.status, sizeof ev.status, "error");
    snprintf(ev.error, sizeof ev.error, "%s", err->msg);
    send_event(fd, &ev);
}

/* Tells the parent that queue item t was not claimed here (finished, or
 * held elsewhere), so that its tuning cell is not waited for. */
static void send_skip(int fd, int slot, int t)
{
    rx_run_event ev = {0};
    ev.kind = RX_EV_SKIP;
    ev.worker = slot;
    ev.index = -1;
    ev.item = t;
    send_event(fd, &ev);
}

/* Lists what the worker holds unrecorded for the parent (which reads it
 * only once the worker has exited). */
static void publish(worker *w)
{
    int n = 0;
    for (int i = 0; i < w->n_done; i++)
        w->own->item[n++] = w->done[i].item;
    if (w->current >= 0)
        w->own->item[n++] = w->current;
    for (int i = w->at_ready; i < w->n_ready; i++)
        w->own->item[n++] = w->ready[i];
    __atomic_store_n(&w->own->n, n, __ATOMIC_SEQ_CST);
}

/* How many runs to claim at once: BATCH_SECONDS of them. */
static int batch_want(const worker *w)
{
    if (w->per_run <= 0)
        return 1;
    double k = BATCH_SECONDS / w->per_run;
    return k < 1 ? 1 : k > BATCH_MAX ? BATCH_MAX : (int)k;
}

static int halted(const worker *w)
{
    return worker_stop || __atomic_load_n(&w->sh->halt, __ATOMIC_SEQ_CST);
}

static void trained_free(trained *d)
{
    rx_run_extra_free(&d->extra);
    rx_train_log_free(&d->log);
}

/* The runs recorded (or not) by the last commit: their checkpoints,
 * their events; nonzero when the worker must stop. */
static int settle(worker *w, const rx_store_record *rec, int commit_rc, const rx_err *cerr)
{
    int stop = 0, told = 0;
    for (int i = 0; i < w->n_done; i++) {
        trained *d = &w->done[i];
        int src = commit_rc ? commit_rc : rec[i].status;
        rx_run_event *ev = &d->ev;
        /* The store could not record the run (a full disk, a corrupt
         * store): the result is lost, so the run goes back to be claimed
         * again, and the parent stops the sweep (exit 4).  A run
         * reclaimed by another worker (RX_ECONFLICT) is that worker's. */
        int store_failed = src != RX_OK && src != RX_ECONFLICT;
        if (store_failed)
            rx_store_mark(w->st, ev->key, RX_STATE_INTERRUPTED, "not recorded: the store failed",
                          NULL);
        /* a run recorded for good needs its checkpoint no more */
        if (src == RX_OK && d->state != RX_STATE_INTERRUPTED)
            ckpt_remove(d->ckpt);
        ev->kind = RX_EV_FINISH;
        snprintf(ev->status, sizeof ev->status, "%s",
                 store_failed ? "interrupted" : src ? "failed" : rx_run_state_name(d->state));
        if (src == RX_ECONFLICT)
            snprintf(ev->error, sizeof ev->error,
                     "run '%s' is no longer held by worker %s:%ld (another worker reclaimed it)",
                     ev->key, w->host, (long)getpid());
        else if (src)
            snprintf(ev->error, sizeof ev->error, "%s", cerr->msg);
        else
            snprintf(ev->error, sizeof ev->error, "%s", d->error);
        send_event(w->fd, ev);
        if (store_failed && !told++) {
            rx_run_event e = *ev;
            e.index = -1;
            snprintf(e.status, sizeof e.status, "error");
            send_event(w->fd, &e);
        }
        /* fail-fast is decided here, not in the parent, so that this
         * worker claims nothing more after its own failure */
        if (src != RX_OK || d->res.status == RX_RUN_INTERRUPTED ||
            (w->o->fail_fast && (d->state == RX_STATE_FAILED || d->state == RX_STATE_DIVERGED)))
            stop = 1;
        trained_free(d);
    }
    w->n_done = 0;
    return stop;
}

/* One transaction: records the runs trained, gives back unclaim[], beats
 * for the run in training (beat_key), and claims claim[].  Returns the
 * store's status: on a failure the claims and give-backs did not happen.
 * Sets w->stop when the worker must stop (a failure of anything but the
 * beat alone, which the run survives, as it does a lost heartbeat). */
static int flush(worker *w, const char *const *unclaim, int n_unclaim, rx_store_claim_try *claim,
                 int n_claim, const char *beat_key, long steps_done, long steps)
{
    rx_store_record rec[BATCH_MAX];
    for (int i = 0; i < w->n_done; i++) {
        trained *d = &w->done[i];
        rec[i] = (rx_store_record){d->ev.key, d->state, &d->res, d->log.ep, d->log.n_ep,
                                   d->log.st, d->log.n_st, d->error[0] ? d->error : NULL,
                                   &d->extra, d->started, RX_OK};
    }
    rx_store_batch b = {rec, w->n_done, unclaim, n_unclaim, claim, n_claim,
                        w->o->retry_failed ? RX_CLAIM_RETRY_FAILED : 0, w->o->stale_after,
                        w->host, (long)getpid(), beat_key, steps_done, steps};
    rx_err err = {{0}};
    int rc = rx_store_commit_batch(w->st, &b, &err);
    w->last_write = rx_now();
    int beat_only = w->n_done + n_claim + n_unclaim == 0;
    if (rc && !beat_only && w->n_done == 0)
        send_error(w->fd, &err);
    if (settle(w, rec, rc, &err) || (rc && !beat_only))
        w->stop = 1;
    publish(w);
    return rc;
}

/* Takes the next item of the queue to try, or -1: *wait set when more
 * may come (the parent has not closed the queue).  *pass: 1 for the first
 * pass (each entry tried by one worker, as the queue grows), 2 for the
 * second, which tries again the runs found held by a live worker
 * elsewhere, in case that worker died or stopped meanwhile. */
static int take_item(shared_state *sh, int *pass, int *wait)
{
    *wait = 0;
    for (;;) {
        int t = __atomic_load_n(&sh->next, __ATOMIC_SEQ_CST);
        if (t < __atomic_load_n(&sh->n_items, __ATOMIC_SEQ_CST)) {
            if (!__atomic_compare_exchange_n(&sh->next, &t, t + 1, 0, __ATOMIC_SEQ_CST,
                                             __ATOMIC_SEQ_CST))
                continue;
            *pass = 1;
            return t;
        }
        /* closed after its last item: a second look sees them all */
        if (!__atomic_load_n(&sh->closed, __ATOMIC_SEQ_CST) ||
            t < __atomic_load_n(&sh->n_items, __ATOMIC_SEQ_CST)) {
            *wait = 1;
            return -1;
        }
        break;
    }
    for (;;) {
        int t = __atomic_fetch_add(&sh->next_held, 1, __ATOMIC_SEQ_CST);
        if (t >= __atomic_load_n(&sh->n_items, __ATOMIC_SEQ_CST))
            return -1;
        if (sh->held[t]) {
            *pass = 2;
            return t;
        }
    }
}

/*
 * Records what the worker trained and claims its next runs (up to
 * batch_want, a predecessor's first), in one transaction; waits while the
 * queue may still grow.  Returns RX_OK with ready[] filled, RX_ENOTFOUND
 * when there is nothing more to claim or the worker stops (everything
 * trained is recorded then), or a store error (reported to the parent).
 */
static int refill(worker *w)
{
    const rx_runner_opts *o = w->o;
    shared_state *sh = w->sh;
    w->n_ready = w->at_ready = 0;
    for (;;) {
        rx_store_claim_try claim[BATCH_MAX];
        int item[BATCH_MAX], pass[BATCH_MAX];
        int n = 0, want = halted(w) ? 0 : batch_want(w), wait = 0, out = 0;
        while (n < want) {
            if (o->max_runs > 0 &&
                __atomic_fetch_add(&sh->started, 1, __ATOMIC_SEQ_CST) >= o->max_runs) {
                __atomic_fetch_sub(&sh->started, 1, __ATOMIC_SEQ_CST);
                out = 1;
                break;
            }
            int t, p = 0;
            if (w->at_inherit < w->n_inherit)
                t = w->inherit[w->at_inherit++];
            else
                t = take_item(sh, &p, &wait);
            if (t < 0) {
                if (o->max_runs > 0)
                    __atomic_fetch_sub(&sh->started, 1, __ATOMIC_SEQ_CST);
                out = !wait;
                break;
            }
            item[n] = t;
            pass[n] = p;
            claim[n++] = (rx_store_claim_try){sh->item[t].ref.key, 0, -1};
        }
        int failed = n > 0 || w->n_done > 0 ? flush(w, NULL, 0, claim, n, NULL, 0, 0) : RX_OK;
        for (int i = 0; i < n; i++) {
            int t = item[i];
            if (!failed && claim[i].claimed) {
                w->ready[w->n_ready++] = t;
                continue;
            }
            if (o->max_runs > 0)
                __atomic_fetch_sub(&sh->started, 1, __ATOMIC_SEQ_CST);
            if (failed || pass[i] == 2)
                continue;
            if (claim[i].state == RX_STATE_RUNNING)
                sh->held[t] = 1;
            /* not ours to run: its tuning cell must not wait for it */
            if (sh->item[t].cell >= 0)
                send_skip(w->fd, w->slot, t);
        }
        publish(w);
        if (failed)
            return failed;
        if (w->stop || halted(w)) {
            w->stop = 1;
            return w->n_ready ? RX_OK : RX_ENOTFOUND;
        }
        if (w->n_ready)
            return RX_OK;
        if (out || want == 0)
            return RX_ENOTFOUND;
        if (wait && n == 0)
            usleep(20000);
    }
}

/* A progress write: at a run's start and its alive beats (every 10 s),
 * and at an epoch's end at most BEAT_MIN seconds after the last epoch's
 * (a run of 10,000 epochs of 30 us spent more time beating than
 * training); for a worker of short runs, at most one every BATCH_SECONDS
 * after any write.  It records the runs held back, if any, as well. */
static void beat_now(worker *w, const char *key, long step, long total, int epoch_end)
{
    double now = rx_now();
    if (w->batching ? now - w->last_write < BATCH_SECONDS
                    : epoch_end && now - w->last_epoch_beat < BEAT_MIN)
        return;
    if (epoch_end)
        w->last_epoch_beat = now;
    flush(w, NULL, 0, NULL, 0, key, step, total);
}

/* Adds the run trained at done[BATCH_MAX] to those held back. */
static void keep(worker *w, const trained *d)
{
    if (w->n_done == 0)
        w->oldest = rx_now();
    w->done[w->n_done++] = *d;
}

/* Trains queue item t (claimed) into a new done[] entry.  Its record and
 * FINISH event come with the next flush. */
static void train_item(worker *w, int t)
{
    const queue_item *it = &w->sh->item[t];
    const rx_runner_opts *o = w->o;
    rx_worker_progress *wp = &w->sh->slot[w->slot];
    trained *d = &w->done[BATCH_MAX];
    memset(d, 0, sizeof *d);
    d->item = t;
    d->started = rx_unix_now();
    rx_run_event *ev = &d->ev;
    ev->kind = RX_EV_START;
    ev->worker = w->slot;
    ev->index = it->ref.index;
    ev->item = t;
    ev->pos = it->ref.pos;
    ev->cost = it->ref.cost;
    snprintf(ev->lr, sizeof ev->lr, "%s", it->lr);
    memcpy(ev->key, it->ref.key, sizeof ev->key);

    /* the configuration exists only while its run does */
    rx_job job;
    rx_err err = {{0}};
    int rc = it->lr[0] ? rx_grid_job_lr(w->q->g, &it->ref, it->lr, &job, &err)
                       : rx_grid_job(w->q->g, &it->ref, &job, &err);
    if (rc) {
        d->state = RX_STATE_FAILED;
        d->res.status = RX_RUN_FAILED;
        snprintf(d->error, sizeof d->error, "%s", err.msg);
        send_event(w->fd, ev);
        keep(w, d);
        return;
    }
    /* an extension run's keys as the parent registered them (rekeyed for
     * a command trainer) */
    memcpy(job.key, it->ref.key, sizeof job.key);
    memcpy(job.cell, it->ref.cell, sizeof job.cell);
    job.index = it->ref.index;
    ev->index = job.index;
    ev->pos = job.pos;
    ev->cost = job.cost;

    wp->train.step = wp->train.total = 0;
    wp->started = rx_now();
    wp->index = job.index;
    send_event(w->fd, ev);
#ifdef RX_TEST_HOOKS
    /* test hook (build/rexsweep-hooks only): a worker that dies in the
     * middle of a given run */
    const char *crash = getenv("RX_TEST_CRASH_KEY");
    if (crash && strcmp(crash, job.key) == 0)
        kill(getpid(), SIGKILL);
#endif

    rx_config cfg = job.cfg;
    if (o->timeout > 0 && (cfg.train.max_seconds <= 0 || o->timeout < cfg.train.max_seconds))
        cfg.train.max_seconds = o->timeout;
    run_log log = {0};
    log.prog = &wp->train;
    log.w = w;
    log.key = job.key;
    ckpt_ctx ck = {.key = job.key, .sh = w->sh, .ev = ev, .fd = w->fd};
    if (rx_ckpt_path(o->db_path, job.key, ck.path, sizeof ck.path) != RX_OK)
        ck.path[0] = '\0';
    log.ck = &ck;
    double every = o->checkpoint_every >= 0 ? o->checkpoint_every : cfg.train.checkpoint_every;
    rx_train_hooks hooks = {.on_epoch = log_epoch, .on_step = log_step, .ud = &log,
                            .stop = &worker_stop, .progress = &wp->train,
                            .on_resume = ckpt_resume, .on_save = ckpt_save,
                            .save_every = every, .on_alive = train_alive,
                            .alive_every = RX_RUNNER_BEAT_EVERY};
    rx_trainer_ctx tc = {&job, &cfg, w->slot, o->db_path, &hooks, w->dc, run_alive};
    double t0 = rx_now();
    rc = rx_trainer_ops_of(o->trainer)->run(o->trainer, &tc, &d->res, &d->extra, &err);
    double took = rx_now() - t0;
    /* a sudden long run counts at once; shorter ones bring it down slowly */
    w->per_run = w->per_run <= 0 || took > w->per_run ? took : 0.75 * w->per_run + 0.25 * took;
    free(job.config_json);
    if (rc) {
        memset(&d->res, 0, sizeof d->res);
        d->res.status = RX_RUN_FAILED;
        d->state = RX_STATE_FAILED;
        snprintf(d->error, sizeof d->error, "%s", err.msg);
    } else {
        d->state = rx_run_state_of(d->res.status);
        if (d->extra.error[0])
            snprintf(d->error, sizeof d->error, "%s", d->extra.error);
        else if (d->res.status == RX_RUN_TIMEOUT)
            snprintf(d->error, sizeof d->error, "timed out after %g s (step %ld of %ld)",
                     cfg.train.max_seconds, d->res.steps, d->res.total_steps);
        else if (d->res.status == RX_RUN_DIVERGED)
            snprintf(d->error, sizeof d->error, "loss is not finite at step %ld",
                     d->res.diverged_step);
    }
    d->log = log.m;
    snprintf(d->ckpt, sizeof d->ckpt, "%s", ck.path);
    ev->wall = d->res.wall;
    ev->steps = d->res.steps;
    ev->total_steps = d->res.total_steps;
    ev->resumed_at = ck.resumed_at;
    ev->train_loss = d->res.final.train_loss;
    ev->val_acc = d->res.final.val_acc;
    ev->test_acc = d->res.final.test_acc;
    ev->test_loss = d->res.final.test_loss;
    wp->index = -1;
    keep(w, d);
    if (d->res.status == RX_RUN_INTERRUPTED || worker_stop ||
        (o->fail_fast && (d->state == RX_STATE_FAILED || d->state == RX_STATE_DIVERGED)))
        w->stop = 1;
}

static void worker_main(const run_queue *q, const rx_runner_opts *o, int slot, int fd,
                        shared_state *sh, slot_runs *own, rx_data_cache *dc)
{
    struct sigaction sa = {0};
    sa.sa_handler = worker_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() == 1)
        _exit(0);

    worker w = {.q = q, .o = o, .sh = sh, .own = own, .dc = dc, .slot = slot, .fd = fd,
                .current = -1};
    rx_err err;
    w.done = calloc(BATCH_MAX + 1, sizeof *w.done);
    if (!w.done) {
        rx_errf(&err, RX_ENOMEM, "out of memory");
        send_error(fd, &err);
        _exit(1);
    }
    if (rx_store_open(o->db_path, 0, &w.st, &err) ||
        (o->provenance && rx_store_set_provenance(w.st, o->provenance, &err))) {
        send_error(fd, &err);
        _exit(1);
    }
    gethostname(w.host, sizeof w.host - 1);
    /* a dead predecessor's runs come first (the parent left out the one
     * it died in) */
    w.n_inherit = own->n;
    memcpy(w.inherit, own->item, (size_t)own->n * sizeof *own->item);
    while (!w.stop && !halted(&w)) {
        if (w.at_ready == w.n_ready && refill(&w) != RX_OK)
            break;
        if (w.at_ready == w.n_ready)
            break;
        w.batching = batch_want(&w) >= 2;
        w.current = w.ready[w.at_ready++];
        publish(&w);
        train_item(&w, w.current);
        w.current = -1;
        /* a worker of long runs records each at once; one of short runs
         * holds them back for a while, unless it stops */
        if (w.n_done > 0 && w.at_ready < w.n_ready &&
            (!w.batching || w.stop || halted(&w) || w.n_done == BATCH_MAX ||
             batch_want(&w) < 2 || rx_now() - w.oldest >= BATCH_SECONDS))
            flush(&w, NULL, 0, NULL, 0, NULL, 0, 0);
        else
            publish(&w);
    }
    /* what is trained is recorded; what is claimed and not started goes
     * back, in one last transaction */
    const char *back[BATCH_MAX];
    int n_back = 0;
    for (int i = w.at_ready; i < w.n_ready; i++)
        back[n_back++] = sh->item[w.ready[i]].ref.key;
    w.at_ready = w.n_ready;
    if (o->max_runs > 0)
        __atomic_fetch_sub(&sh->started, n_back, __ATOMIC_SEQ_CST);
    if (w.n_done > 0 || n_back > 0)
        flush(&w, back, n_back, NULL, 0, NULL, 0, 0);
    publish(&w);
    if (o->fail_fast && w.stop)
        __atomic_store_n(&sh->halt, 1, __ATOMIC_SEQ_CST);
    rx_store_close(w.st);
    free(w.done);
    rx_data_cache_free(dc);
    _exit(0);
}

/* ---- the adaptive lr grid, in the parent --------------------------------- */

/* The tuning cells of this invocation's runs and where each stands. */
typedef struct ext_ctl {
    rx_ext_cells cells;
    rx_ext_ctx ctx;
    int *outstanding;         /* per cell: its queued runs not yet finished */
    int *queued;              /* per cell: extension lrs queued so far */
    int *known;               /* per cell: extension runs counted so far */
    int open;                 /* cells with outstanding runs */
    int cap;                  /* the queue's capacity */
    int64_t sweep_id;
    int retry_failed;
    rx_store *st;             /* opened when needed; closed before a fork */
    rx_run_ref *ext;          /* the extension runs of our cells, for the
                                 summary */
    int n_ext, cap_ext;
} ext_ctl;

/* Could a run in this state be claimed now or later (held elsewhere)? */
static int claimable(int state, int retry_failed)
{
    return state < 0 || state == RX_STATE_PENDING || state == RX_STATE_RUNNING ||
           state == RX_STATE_INTERRUPTED || (retry_failed && state == RX_STATE_FAILED);
}

static void ext_free(ext_ctl *x)
{
    rx_store_close(x->st);
    rx_ext_cells_free(&x->cells);
    free(x->outstanding);
    free(x->queued);
    free(x->known);
    free(x->ext);
    memset(x, 0, sizeof *x);
}

/* Resolves cell c against the store and queues the runs of its next lr
 * (registered with the sweep first), as ordinary items of sh's queue.
 * Extension runs already finished count as done before, new ones add to
 * the total.  Notes go to the caller's callback. */
static int extend_cell(ext_ctl *x, int c, shared_state *sh, const rx_runner_opts *o,
                       rx_run_counts *counts, rx_err *err)
{
    int rc = RX_OK;
    if (!x->st && (rc = rx_store_open(o->db_path, 0, &x->st, err)))
        return rc;
    rx_ext_state es;
    if ((rc = rx_ext_resolve(x->st, &x->ctx, c, &es, err)))
        return rc;
    /* every extension run is linked to this sweep (a rerun links the ones
     * an earlier sweep trained), once */
    int from = x->known[c];
    if (es.n_jobs > from) {
        rc = rx_store_add_jobs(x->st, x->sweep_id, es.jobs + from, es.n_jobs - from, NULL, err);
        if (rc == RX_OK && x->n_ext + es.n_jobs - from > x->cap_ext) {
            int cap = 2 * (x->n_ext + es.n_jobs - from) + 64;
            rx_run_ref *e = realloc(x->ext, (size_t)cap * sizeof *e);
            if (!e)
                rc = rx_errf(err, RX_ENOMEM, "out of memory");
            else
                x->ext = e, x->cap_ext = cap;
        }
        for (int j = from; rc == RX_OK && j < es.n_jobs; j++) {
            rx_run_ref *r = &x->ext[x->n_ext++];
            memset(r, 0, sizeof *r);
            memcpy(r->key, es.jobs[j].key, sizeof r->key);
            memcpy(r->cell, es.jobs[j].cell, sizeof r->cell);
            counts->total++;
            counts->extension++;
            if (es.states[j] == RX_STATE_DONE)
                counts->already_done++;
        }
        if (rc == RX_OK)
            x->known[c] = es.n_jobs;
    }
    int pts = es.n_lo + es.n_hi;
    if (rc == RX_OK && (es.verdict == RX_LRV_UP || es.verdict == RX_LRV_DOWN) && es.n_new > 0 &&
        x->queued[c] < pts) {
        x->queued[c] = pts;
        int added = 0;
        for (int j = es.n_jobs - es.n_new; j < es.n_jobs; j++) {
            if (!claimable(es.states[j], x->retry_failed))
                continue;
            int t = __atomic_load_n(&sh->n_items, __ATOMIC_SEQ_CST);
            if (t >= x->cap)
                break;              /* cannot happen: the capacity is the worst case */
            queue_item *it = &sh->item[t];
            memset(it, 0, sizeof *it);
            memcpy(it->ref.key, es.jobs[j].key, sizeof it->ref.key);
            memcpy(it->ref.cell, es.jobs[j].cell, sizeof it->ref.cell);
            it->ref.index = es.jobs[j].index;
            it->ref.pos = es.jobs[j].pos;
            it->ref.cost = es.jobs[j].cost;
            it->ref.steps = es.jobs[j].steps;
            it->ref.epochs = es.jobs[j].epochs;
            rx_fmt_num(es.jobs[j].cfg.optim.lr, it->lr, sizeof it->lr);
            it->cell = c;
            counts->todo_cost += it->ref.cost;
            __atomic_store_n(&sh->n_items, t + 1, __ATOMIC_SEQ_CST);
            added++;
        }
        if (added) {
            x->outstanding[c] = added;
            x->open++;
        }
        if (o->on_event) {
            rx_run_event ev = {0};
            char label[160], chosen[32];
            ev.kind = RX_EV_NOTE;
            ev.index = ev.item = -1;
            snprintf(ev.status, sizeof ev.status, "note");
            rx_ext_label(&es.jobs[es.n_jobs - 1].cfg, label, sizeof label);
            rx_fmt_num(es.chosen_lr, chosen, sizeof chosen);
            snprintf(ev.error, sizeof ev.error,
                     "lr grid of %s: %s is the %s lr tried; adding lr %s (%d runs)", label,
                     isnan(es.chosen_lr) ? "every lr diverged:" : chosen,
                     isnan(es.chosen_lr) ? "nothing chosen, so below the smallest"
                     : es.verdict == RX_LRV_UP ? "largest" : "smallest",
                     sh->item[__atomic_load_n(&sh->n_items, __ATOMIC_SEQ_CST) - 1].lr, added);
            if (added)
                o->on_event(o->ud, &ev, counts);
        }
    }
    rx_ext_state_free(&es);
    return rc;
}

/* The parent's view of its workers. */
typedef struct parent {
    const rx_runner_opts *o;
    rx_run_counts *counts;
    shared_state *sh;
    int workers, live, halted;
    double killed_at;                   /* when a second stop was given */
    pid_t *pids;                        /* 0: slot empty */
    char (*slot_key)[RX_KEY_LEN + 1];   /* run in flight per slot, "" none */
    int *slot_index;                    /* its grid index */
    int *slot_item;                     /* its queue item */
    int store_error;
    char store_msg[1024];
    char host[256];
    ext_ctl *x;                         /* the tuning cells, or NULL */
} parent;

static void halt_all(parent *p);

/* A queued run of a tuning cell is over (finished, or left to another
 * process): when it was the cell's last, the cell is resolved and may
 * queue more; when no cell is open, the queue closes. */
static void item_over(parent *p, int t)
{
    ext_ctl *x = p->x;
    shared_state *sh = p->sh;
    if (!x || t < 0 || t >= __atomic_load_n(&sh->n_items, __ATOMIC_SEQ_CST) ||
        __atomic_load_n(&sh->closed, __ATOMIC_SEQ_CST))
        return;
    int c = sh->item[t].cell;
    if (c < 0 || --x->outstanding[c] != 0)
        return;
    x->open--;
    rx_err err;
    if (!p->halted && extend_cell(x, c, sh, p->o, p->counts, &err) != RX_OK && !p->store_error) {
        snprintf(p->store_msg, sizeof p->store_msg, "%s", err.msg);
        p->store_error = 1;
    }
    if (x->open == 0 || p->halted || p->store_error)
        __atomic_store_n(&sh->closed, 1, __ATOMIC_SEQ_CST);
    if (p->store_error)
        halt_all(p);
}

static void spawn(parent *p, int w, const run_queue *q, int fds[2], rx_data_cache *dc)
{
    if (p->x && p->x->st) {
        /* SQLite connections must not cross fork() */
        rx_store_close(p->x->st);
        p->x->st = NULL;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        worker_main(q, p->o, w, fds[1], p->sh, &p->sh->own[w], dc);
    }
    if (pid > 0) {
        p->pids[w] = pid;
        p->live++;
    }
}

/* Stops claiming and interrupts every worker (once). */
static void halt_all(parent *p)
{
    if (p->halted)
        return;
    p->halted = 1;
    __atomic_store_n(&p->sh->halt, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&p->sh->closed, 1, __ATOMIC_SEQ_CST);
    for (int w = 0; w < p->workers; w++)
        if (p->pids[w] > 0)
            kill(p->pids[w], SIGTERM);
}

static void on_worker_event(parent *p, const rx_run_event *ev)
{
    rx_run_counts *c = p->counts;
    if (ev->kind == RX_EV_SKIP) {
        item_over(p, ev->item);
        return;
    }
    if (ev->kind == RX_EV_NOTE) {
        if (p->o->on_event)
            p->o->on_event(p->o->ud, ev, c);
        return;
    }
    if (strcmp(ev->status, "error") == 0) {
        /* the first store failure stops the sweep: the others would fail
         * the same way (a full disk) or build on damage (a corrupt store) */
        if (!p->store_error)
            snprintf(p->store_msg, sizeof p->store_msg, "%s", ev->error);
        p->store_error = 1;
        halt_all(p);
        return;
    }
    int w = ev->worker >= 0 && ev->worker < p->workers ? ev->worker : -1;
    /* a worker of short runs records them after it has started the next
     * ones: a run is in flight from its start until its worker starts
     * another or records it */
    if (ev->kind == RX_EV_START) {
        if (w < 0 || !p->slot_key[w][0])
            c->running++;
        if (w >= 0) {
            memcpy(p->slot_key[w], ev->key, sizeof p->slot_key[w]);
            p->slot_index[w] = ev->index;
            p->slot_item[w] = ev->item;
        }
    } else {
        if (w < 0 || strcmp(p->slot_key[w], ev->key) == 0) {
            c->running--;
            if (w >= 0)
                p->slot_key[w][0] = '\0';
        }
        if (strcmp(ev->status, "done") == 0) c->done++;
        else if (strcmp(ev->status, "diverged") == 0) c->diverged++;
        else if (strcmp(ev->status, "interrupted") == 0) c->interrupted++;
        else c->failed++;
        if (p->o->fail_fast && (strcmp(ev->status, "failed") == 0 ||
                                strcmp(ev->status, "diverged") == 0))
            halt_all(p);
    }
    if (p->o->on_event)
        p->o->on_event(p->o->ud, ev, c);
    if (ev->kind == RX_EV_FINISH)
        item_over(p, ev->item);
}

static void sh_slot_clear(parent *p, int w)
{
    p->sh->slot[w].index = -1;
    p->sh->slot[w].train.step = p->sh->slot[w].train.total = 0;
}

/* Follows the caller's stop count: a first stop halts claiming and
 * interrupts the runs; a second tells the workers to skip everything
 * but recording, and 2 seconds later kills the ones still alive. */
static void follow_stop(parent *p)
{
    int level = p->o->stop ? (int)*p->o->stop : 0;
    if (level >= 1)
        halt_all(p);
    if (level >= 2 && p->counts->stopping < 2) {
        p->counts->stopping = 2;
        __atomic_store_n(&p->sh->level, 2, __ATOMIC_SEQ_CST);
        p->killed_at = rx_now();
        for (int w = 0; w < p->workers; w++)
            if (p->pids[w] > 0)
                kill(p->pids[w], SIGTERM);
    } else if (level == 1) {
        p->counts->stopping = 1;
    }
    if (p->killed_at > 0 && rx_now() - p->killed_at > 2.0) {
        for (int w = 0; w < p->workers; w++)
            if (p->pids[w] > 0)
                kill(p->pids[w], SIGKILL);
        p->killed_at = -1;
    }
}

/* Releases whatever run a stopped worker still holds (its own release
 * failed, e.g. on a full disk) as interrupted, so that it is claimed
 * again first; a run of a dead worker on this host would otherwise be
 * found stale only by the next `run`. */
static void release_runs(parent *p, pid_t dead)
{
    rx_store *st;
    rx_err err;
    if (rx_store_open(p->o->db_path, 0, &st, &err) == RX_OK) {
        rx_store_release_worker(st, p->host, (long)dead, RX_STATE_INTERRUPTED, NULL, NULL);
        rx_store_close(st);
    }
}

static void fail_dead_run(parent *p, int w, pid_t dead, int ws, int stopped);

/* Reaps exited workers.  A worker that died (a crash in a run, the OOM
 * killer) fails the run it was training, with the reason, and a fresh
 * worker takes its slot, and first the other runs it held unrecorded
 * (trained, or claimed ahead): one failing run never stops the sweep. */
static void reap(parent *p, const run_queue *q, int fds[2])
{
    for (int w = 0; w < p->workers; w++) {
        int ws;
        if (p->pids[w] <= 0 || waitpid(p->pids[w], &ws, WNOHANG) != p->pids[w])
            continue;
        pid_t dead = p->pids[w];
        p->pids[w] = 0;
        p->live--;
        int crashed = WIFSIGNALED(ws) || (WIFEXITED(ws) && WEXITSTATUS(ws) != 0);
        /* a worker ended by a second stop was not a failure */
        int stopped = p->counts->stopping >= 2;
        /* its last events are in the pipe already: read them first, so
         * that slot_key names the run it died in and a store failure it
         * reported is known */
        struct pollfd pfd = {fds[0], POLLIN, 0};
        rx_run_event ev;
        while (poll(&pfd, 1, 0) > 0 && read(fds[0], &ev, sizeof ev) == (ssize_t)sizeof ev)
            on_worker_event(p, &ev);
        if (!crashed) {
            if (p->store_error)
                release_runs(p, dead);
            continue;
        }
        slot_runs *own = &p->sh->own[w];
        if (!p->slot_key[w][0] && own->n == 0)
            continue;
        if (p->slot_key[w][0])
            fail_dead_run(p, w, dead, ws, stopped);
        sh_slot_clear(p, w);
        if (!p->halted && !p->store_error) {
            rx_data_cache none = {0};
            spawn(p, w, q, fds, &none);
        } else if (own->n > 0) {
            release_runs(p, dead);
            own->n = 0;
        }
    }
}

/* Fails (or, after a second stop, interrupts) the run dead worker w was
 * training, and leaves it out of the runs its replacement takes over. */
static void fail_dead_run(parent *p, int w, pid_t dead, int ws, int stopped)
{
    rx_run_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = RX_EV_FINISH;
    ev.worker = w;
    ev.index = p->slot_index[w];
    ev.item = p->slot_item[w];
    memcpy(ev.key, p->slot_key[w], sizeof ev.key);
    snprintf(ev.status, sizeof ev.status, stopped ? "interrupted" : "failed");
    if (stopped)
        snprintf(ev.error, sizeof ev.error, "stopped by a second signal");
    else if (WIFSIGNALED(ws))
        snprintf(ev.error, sizeof ev.error, "worker %ld died of signal %d (%s)",
                 (long)dead, WTERMSIG(ws), strsignal(WTERMSIG(ws)));
    else
        snprintf(ev.error, sizeof ev.error, "worker %ld exited with status %d",
                 (long)dead, WEXITSTATUS(ws));
    rx_store *st;
    rx_err err;
    if (rx_store_open(p->o->db_path, 0, &st, &err) == RX_OK) {
        rx_store_mark(st, ev.key, stopped ? RX_STATE_INTERRUPTED : RX_STATE_FAILED,
                      ev.error, NULL);
        rx_store_close(st);
    }
    on_worker_event(p, &ev);
    slot_runs *own = &p->sh->own[w];
    int n = 0;
    for (int i = 0; i < own->n; i++)
        if (own->item[i] != ev.item)
            own->item[n++] = own->item[i];
    own->n = n;
}

/* Registers runs[0..n) with sweep_id, materialising them a batch at a
 * time (adding is idempotent, so batches need not share a transaction).
 * A run an earlier `run` of this sweep registered is skipped when its keys
 * are the configuration's hash (the built-in trainer; a command trainer's
 * keys also hash its program): rx_store_registered. */
static int register_runs(rx_store *st, int64_t sweep_id, const rx_grid *g,
                         const rx_trainer_spec *trainer, const rx_run_ref *runs, int n,
                         rx_err *err)
{
    /* a transaction per batch: at 512 runs, 100k runs into a new store
     * spent a third of their system time rewriting the same index pages
     * into the WAL; 2048 cuts 12% of the CPU for 6 MB of jobs */
    enum { BATCH = 2048 };
    rx_job *batch = calloc(BATCH, sizeof *batch);
    unsigned char *done = calloc((size_t)(n ? n : 1), 1);
    if (!batch || !done) {
        free(batch);
        free(done);
        return rx_errf(err, RX_ENOMEM, "out of memory");
    }
    int rc = RX_OK;
    if (!trainer || trainer->kind == RX_TRAINER_BUILTIN)
        rc = rx_store_registered(st, sweep_id, runs, n, done, err);
    for (int i = 0; i < n && rc == RX_OK;) {
        int m = 0;
        for (; m < BATCH && i < n && rc == RX_OK; i++)
            if (!done[i])
                rc = rx_grid_job(g, &runs[i], &batch[m++], err);
        if (rc == RX_OK && m)
            rc = rx_store_add_jobs(st, sweep_id, batch, m, NULL, err);
        for (int k = 0; k < m; k++) {
            free(batch[k].config_json);
            batch[k].config_json = NULL;
        }
    }
    free(batch);
    free(done);
    return rc;
}

/* Registers the runs and reads their states (into states[0..n)) and the
 * counts before the run; *sweep_id is the sweep's. */
static int prepare(const rx_grid *g, const rx_run_ref *runs, int n, const rx_runner_opts *o,
                   signed char *states, int64_t *sweep_id, rx_store_counts *before, rx_err *err)
{
    rx_store *st = NULL;
    int rc = rx_store_open(o->db_path, RX_STORE_CREATE, &st, err);
    if (rc)
        return rc;
    rx_sweep_info info = {o->sweep_name, o->spec_text, o->spec_hash, NULL};
    if (o->provenance)
        rc = rx_store_set_provenance(st, o->provenance, err);
    if (rc == RX_OK)
        rc = rx_store_begin_sweep(st, &info, sweep_id, err);
    if (rc == RX_OK)
        rc = register_runs(st, *sweep_id, g, o->trainer, runs, n, err);
    if (rc == RX_OK)
        rc = rx_store_key_states(st, n ? runs[0].key : "", sizeof *runs, n, states, before, err);
    /* Close before forking: SQLite connections must not cross fork(). */
    rx_store_close(st);
    return rc;
}

/* The tuning cells of runs[0..n) and the queue's worst case: every run,
 * and every extension lr of every cell on both sides. */
static int ext_init(ext_ctl *x, const rx_grid *g, const rx_run_ref *runs, int n,
                    const rx_runner_opts *o, rx_err *err)
{
    memset(x, 0, sizeof *x);
    x->cap = n;
    int rc = rx_ext_cells_build(runs, o->tune, n, &x->cells, err);
    if (rc || x->cells.n == 0)
        return rc;
    int nc = x->cells.n;
    x->outstanding = calloc((size_t)nc, sizeof *x->outstanding);
    x->queued = calloc((size_t)nc, sizeof *x->queued);
    x->known = calloc((size_t)nc, sizeof *x->known);
    if (!x->outstanding || !x->queued || !x->known)
        return rx_errf(err, RX_ENOMEM, "out of memory");
    for (int c = 0; c < nc; c++) {
        double worst = (double)x->cap + 2.0 * x->cells.cell[c].extend * x->cells.cell[c].n_seeds;
        if (worst > RX_GRID_MAX_RUNS)
            return rx_errf(err, RX_EINVAL, "the adaptive lr grid may add more runs than the "
                           "limit of %d", RX_GRID_MAX_RUNS);
        x->cap = (int)worst;
    }
    x->ctx = (rx_ext_ctx){g, o->trainer, runs, o->tune, &x->cells};
    x->retry_failed = o->retry_failed;
    return RX_OK;
}

int rx_runner_run(const rx_grid *g, const rx_run_ref *runs, int n, const rx_runner_opts *o,
                  rx_run_counts *counts, rx_err *err)
{
    memset(counts, 0, sizeof *counts);
    counts->total = n;
    double t0 = rx_now();
    run_queue q = {g};
    ext_ctl x;
    rx_store_counts before = {0};
    int64_t sweep_id = 0;
    signed char *states = malloc((size_t)(n ? n : 1));
    int rc = states ? ext_init(&x, g, runs, n, o, err) : rx_errf(err, RX_ENOMEM, "out of memory");
    if (rc == RX_OK)
        rc = prepare(g, runs, n, o, states, &sweep_id, &before, err);
    if (rc) {
        free(states);
        ext_free(&x);
        return rc;
    }
    x.sweep_id = sweep_id;
    counts->already_done = before.done;

    int workers = o->workers < 1 ? 1 : o->workers;
    int fds[2];
    /* the header, the queue's flags, the worker slots, the runs each holds
     * unrecorded, the queue (aligned) */
    size_t slot_off = (sizeof(shared_state) + (size_t)x.cap + 15) & ~(size_t)15;
    size_t own_off = (slot_off + (size_t)workers * sizeof(rx_worker_progress) + 15) & ~(size_t)15;
    size_t item_off = (own_off + (size_t)workers * sizeof(slot_runs) + 15) & ~(size_t)15;
    size_t sh_size = item_off + (size_t)(x.cap ? x.cap : 1) * sizeof(queue_item);
    shared_state *sh = mmap(NULL, sh_size, PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        free(states);
        ext_free(&x);
        return rx_errf(err, RX_EIO, "cannot set up workers: %s", strerror(errno));
    }
    memset(sh, 0, item_off);
    sh->slot = (rx_worker_progress *)((char *)sh + slot_off);
    sh->own = (slot_runs *)((char *)sh + own_off);
    sh->item = (queue_item *)((char *)sh + item_off);
    /* the queue: the runs claimable now or possibly later (held
     * elsewhere), in grid order */
    for (int i = 0; i < n; i++) {
        if (!claimable(states[i], o->retry_failed))
            continue;
        queue_item *it = &sh->item[sh->n_items++];
        memset(it, 0, sizeof *it);
        it->ref = runs[i];
        it->cell = x.cells.cell_of ? x.cells.cell_of[i] : -1;
        counts->todo_cost += runs[i].cost;
        if (it->cell >= 0 && x.outstanding[it->cell]++ == 0)
            x.open++;
    }
    free(states);
    /* cells with nothing left to run resolve now: a rerun with `extend`
     * on a finished grid queues its extension runs at once */
    for (int c = 0; c < x.cells.n && rc == RX_OK; c++)
        if (x.outstanding[c] == 0)
            rc = extend_cell(&x, c, sh, o, counts, err);
    rx_store_close(x.st);
    x.st = NULL;
    if (rc || sh->n_items == 0 || (o->stop && *o->stop)) {
        munmap(sh, sh_size);
        if (rc) {
            ext_free(&x);
            return rc;
        }
        goto summary;
    }
    sh->closed = x.open == 0;

    /* Load the first job's data before forking so workers share its pages
     * (copy-on-write) instead of each decompressing it again. */
    rx_data_cache dc = {0};
    const rx_data *unused;
    rx_err derr = {{0}};    /* on an error the workers report it per run */
    rx_config first;
    const queue_item *it0 = &sh->item[0];
    if (rx_trainer_ops_of(o->trainer)->needs_data &&
        (it0->lr[0] ? rx_grid_config_lr(g, &it0->ref, it0->lr, &first, &derr)
                    : rx_grid_config(g, &it0->ref, &first, &derr)) == RX_OK)
        rx_data_cache_get(&dc, &first.data, &unused, &derr);

    /* with cells that may extend, more runs may come than are queued now */
    int may_come = x.cap - sh->n_items;
    if (workers > sh->n_items + (x.open ? may_come : 0))
        workers = sh->n_items + (x.open ? may_come : 0);
    if (pipe(fds) != 0) {
        rx_data_cache_free(&dc);
        munmap(sh, sh_size);
        ext_free(&x);
        return rx_errf(err, RX_EIO, "cannot set up workers: %s", strerror(errno));
    }
    for (int w = 0; w < workers; w++)
        sh->slot[w].index = -1;
    counts->slots = sh->slot;
    counts->n_slots = workers;
    parent p = {0};
    p.o = o;
    p.counts = counts;
    p.sh = sh;
    p.workers = workers;
    p.x = x.cells.n ? &x : NULL;
    p.pids = calloc((size_t)workers, sizeof *p.pids);
    p.slot_key = calloc((size_t)workers, sizeof *p.slot_key);
    p.slot_index = calloc((size_t)workers, sizeof *p.slot_index);
    p.slot_item = calloc((size_t)workers, sizeof *p.slot_item);
    if (!p.pids || !p.slot_key || !p.slot_index || !p.slot_item) {
        free(p.pids);
        free(p.slot_key);
        free(p.slot_index);
        free(p.slot_item);
        close(fds[0]);
        close(fds[1]);
        munmap(sh, sh_size);
        rx_data_cache_free(&dc);
        ext_free(&x);
        return rx_errf(err, RX_ENOMEM, "out of memory");
    }
    gethostname(p.host, sizeof p.host - 1);
    fflush(NULL);
    for (int w = 0; w < workers; w++)
        spawn(&p, w, &q, fds, &dc);
    rx_data_cache_free(&dc);    /* a respawned worker loads its own */

    /* The parent keeps the pipe's write end for respawned workers, so the
     * loop ends when every worker has been reaped, not at EOF. */
    while (p.live > 0) {
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int pr = poll(&pfd, 1, 250);
        follow_stop(&p);
        counts->elapsed = rx_now() - t0;
        if (pr > 0) {
            rx_run_event ev;
            ssize_t r = read(fds[0], &ev, sizeof ev);
            if (r == (ssize_t)sizeof ev)
                on_worker_event(&p, &ev);
        } else if (o->on_event) {
            o->on_event(o->ud, NULL, counts);
        }
        reap(&p, &q, fds);
    }
    /* events written just before the last exit */
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    rx_run_event ev;
    while (read(fds[0], &ev, sizeof ev) == (ssize_t)sizeof ev)
        on_worker_event(&p, &ev);
    close(fds[0]);
    close(fds[1]);
    int store_error = p.store_error;
    char store_msg[1024];
    memcpy(store_msg, p.store_msg, sizeof store_msg);
    free(p.slot_key);
    free(p.slot_index);
    free(p.slot_item);
    free(p.pids);
    counts->slots = NULL;
    counts->n_slots = 0;
    munmap(sh, sh_size);
    if (store_error) {
        ext_free(&x);
        return rx_errf(err, RX_ESTORE, "%s", store_msg);
    }

summary:
    counts->elapsed = rx_now() - t0;
    rx_store *st = NULL;
    rc = rx_store_open(o->db_path, 0, &st, err);
    if (rc) {
        ext_free(&x);
        return rc;
    }
    rx_store_counts after = {0}, ext_after = {0};
    rc = rx_store_key_states(st, n ? runs[0].key : "", sizeof *runs, n, NULL, &after, err);
    if (rc == RX_OK && x.n_ext)
        rc = rx_store_key_states(st, x.ext[0].key, sizeof *x.ext, x.n_ext, NULL, &ext_after, err);
    rx_store_close(st);
    ext_free(&x);
    if (rc)
        return rc;
    counts->end_done = after.done + ext_after.done;
    counts->end_failed = after.failed + ext_after.failed;
    counts->end_diverged = after.diverged + ext_after.diverged;
    counts->end_interrupted = after.interrupted + ext_after.interrupted;
    /* our own workers are gone: a run still running is held elsewhere */
    counts->end_running = after.running + ext_after.running;
    counts->end_pending = after.pending + after.new_runs + ext_after.pending + ext_after.new_runs;
    /* Runs not attempted now: failed ones without --retry-failed, earlier
     * diverged ones, and whatever --max-runs or --fail-fast left. */
    counts->skipped = counts->total - counts->end_done - counts->end_running - counts->failed -
                      counts->diverged - counts->interrupted;
    if (counts->skipped < 0)
        counts->skipped = 0;
    if (o->stop && *o->stop)
        return RX_EINTR;
    return RX_OK;
}
