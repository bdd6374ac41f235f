/*
 * trainer_cmd.c: the command trainer (rexsweep-trainer(7)).  One run is
 * one child process in a process group of its own:
 *
 *   rexsweep writes    RUN_DIR/config.json   the canonical configuration
 *                      RUN_DIR/lr.csv|lr.f64 the lr and momentum of every step
 *   the program gets   REXSWEEP_* variables naming them, its key, seed and
 *                      budget; fd 3 for its metrics (JSON lines); fd 4 for
 *                      plateau's answers; stdout and stderr on a pipe
 *   the program sends  {"step":..}, {"epoch":..} and {"final":true,..}
 *                      records on fd 3
 *
 * The worker polls the program's pipes (no per-run scan of anything),
 * turns records into the runner's hooks and named metrics, keeps the last
 * lines of its output, and ends it (SIGTERM to its group, SIGKILL after
 * the grace period) on a timeout, an interrupt, a malformed line or a
 * non-finite loss.  Everything is allocated per run and freed before
 * returning.
 */
#include "rx_trainer.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rx_ckpt.h"
#include "rx_keys.h"
#include "rx_optim.h"
#include "rx_sched.h"

extern char **environ;

#define METRICS_FD 3
#define PLATEAU_FD 4
#define LINE_MAX_BYTES 65536      /* a longer metrics line is malformed */
#define ALIVE_EVERY 10.0          /* seconds between heartbeats (as the runner) */

/* ---- small helpers ---------------------------------------------------- */

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkdir -p; 0 on success. */
static int make_dirs(const char *path)
{
    char buf[2 * RX_PATH_MAX + 64];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0777) && errno != EEXIST ? -1 : 0;
}

static int dir_has_entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return 0;
    struct dirent *e;
    int any = 0;
    while (!any && (e = readdir(d)))
        any = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return any;
}

/* ---- the output tail: the last bytes of stdout+stderr ----------------- */

typedef struct tail {
    char buf[RX_OUTPUT_TAIL_MAX];
    size_t len;          /* valid bytes, at the end of the stream */
    int cut;             /* bytes were dropped before buf */
} tail;

static void tail_add(tail *t, const char *p, size_t n)
{
    if (n >= sizeof t->buf) {
        memcpy(t->buf, p + n - sizeof t->buf, sizeof t->buf);
        t->len = sizeof t->buf;
        t->cut = 1;
        return;
    }
    if (t->len + n > sizeof t->buf) {
        size_t drop = t->len + n - sizeof t->buf;
        memmove(t->buf, t->buf + drop, t->len - drop);
        t->len -= drop;
        t->cut = 1;
    }
    memcpy(t->buf + t->len, p, n);
    t->len += n;
}

/* The last RX_OUTPUT_TAIL_LINES whole lines, malloc'd; NULL when empty. */
static char *tail_text(const tail *t)
{
    size_t start = 0, end = t->len;
    while (end > 0 && t->buf[end - 1] == '\n')
        end--;
    if (end == 0)
        return NULL;
    int lines = 0;
    for (size_t i = end; i > 0; i--)
        if (t->buf[i - 1] == '\n' && ++lines == RX_OUTPUT_TAIL_LINES) {
            start = i;
            break;
        }
    /* a cut first line is dropped, unless it is all there is */
    if (start == 0 && t->cut) {
        const char *nl = memchr(t->buf, '\n', end);
        if (nl)
            start = (size_t)(nl - t->buf) + 1;
    }
    char *s = malloc(end - start + 1);
    if (s) {
        memcpy(s, t->buf + start, end - start);
        s[end - start] = '\0';
    }
    return s;
}

/* ---- a JSON line: one flat object of numbers -------------------------- */

typedef struct field {
    char name[RX_METRIC_NAME_MAX];
    double value;
    int is_bool;
    int is_null;         /* null: not measured (NaN without the alarm) */
} field;

#define MAX_FIELDS 256

typedef struct jparser {
    const char *p;
    char msg[256];
} jparser;

static void ws(jparser *j)
{
    while (*j->p == ' ' || *j->p == '\t' || *j->p == '\r')
        j->p++;
}

static int jfail(jparser *j, const char *what)
{
    snprintf(j->msg, sizeof j->msg, "%s", what);
    return -1;
}

/* A JSON string into out (names: no escapes beyond \" \\ \/). */
static int jstring(jparser *j, char *out, size_t size)
{
    if (*j->p != '"')
        return jfail(j, "expected a quoted name");
    j->p++;
    size_t n = 0;
    while (*j->p && *j->p != '"') {
        char c = *j->p++;
        if (c == '\\') {
            c = *j->p++;
            if (c != '"' && c != '\\' && c != '/')
                return jfail(j, "metric names take no escapes but \\\", \\\\ and \\/");
        }
        if (n + 1 >= size)
            return jfail(j, "a metric name is longer than 63 bytes");
        if (!isalnum((unsigned char)c) && !strchr("_.-/", c))
            return jfail(j, "metric names are letters, digits, '_', '.', '-' and '/'");
        out[n++] = c;
    }
    if (*j->p != '"')
        return jfail(j, "unterminated string");
    j->p++;
    out[n] = '\0';
    return n ? 0 : jfail(j, "an empty metric name");
}

static int word(jparser *j, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(j->p, w, n) == 0) {
        j->p += n;
        return 1;
    }
    return 0;
}

/* A number, NaN, Infinity, -Infinity (Python's json writes them), null
 * (NaN: not measured), true or false. */
static int jvalue(jparser *j, field *f)
{
    f->is_bool = f->is_null = 0;
    if (word(j, "null")) {
        f->is_null = 1;
        f->value = NAN;
        return 0;
    }
    if (word(j, "NaN")) {
        f->value = NAN;
        return 0;
    }
    if (word(j, "Infinity")) {
        f->value = INFINITY;
        return 0;
    }
    if (word(j, "-Infinity")) {
        f->value = -INFINITY;
        return 0;
    }
    if (word(j, "true") || word(j, "false")) {
        f->is_bool = 1;
        f->value = j->p[-1] == 'e' && j->p[-2] == 'u';
        return 0;
    }
    if (*j->p == '"')
        return jfail(j, "values must be numbers, got a string");
    if (*j->p == '{' || *j->p == '[')
        return jfail(j, "values must be numbers, got an object or array");
    if (*j->p != '-' && (*j->p < '0' || *j->p > '9'))
        return jfail(j, "expected a number");
    char *end;
    f->value = strtod(j->p, &end);
    if (end == j->p)
        return jfail(j, "expected a number");
    j->p = end;
    return 0;
}

static int parse_line(jparser *j, const char *line, field *fs, int *nf)
{
    j->p = line;
    *nf = 0;
    ws(j);
    if (*j->p != '{')
        return jfail(j, "expected a JSON object");
    j->p++;
    ws(j);
    if (*j->p == '}') {
        j->p++;
    } else {
        for (;;) {
            if (*nf == MAX_FIELDS)
                return jfail(j, "more than 256 fields");
            field *f = &fs[*nf];
            ws(j);
            if (jstring(j, f->name, sizeof f->name))
                return -1;
            for (int i = 0; i < *nf; i++)
                if (strcmp(fs[i].name, f->name) == 0)
                    return jfail(j, "a name appears twice");
            ws(j);
            if (*j->p != ':')
                return jfail(j, "expected ':'");
            j->p++;
            ws(j);
            if (jvalue(j, f))
                return -1;
            (*nf)++;
            ws(j);
            if (*j->p == ',') {
                j->p++;
                continue;
            }
            if (*j->p == '}') {
                j->p++;
                break;
            }
            return jfail(j, "expected ',' or '}'");
        }
    }
    ws(j);
    if (*j->p)
        return jfail(j, "text after the object");
    return 0;
}

/* ---- one run ---------------------------------------------------------- */

typedef struct run {
    const rx_trainer_spec *t;
    const rx_trainer_ctx *ctx;
    rx_train_result *res;
    rx_run_extra *x;
    rx_sched sched;
    long spe, total;
    int plateau;
    int plateau_fd;         /* write end, or -1 */
    double t0;
    int have_final;
    int n_lines;
    long last_epoch, last_step;   /* of the epoch and step records so far */
    /* why the run ends early, first reason wins */
    enum { END_NONE, END_MALFORMED, END_DIVERGED, END_TIMEOUT, END_STOPPED } end;
    char why[512];
} run;

static void end_run(run *r, int end, const char *fmt, const char *detail)
{
    if (r->end != END_NONE)
        return;
    r->end = end;
    snprintf(r->why, sizeof r->why, fmt, detail ? detail : "");
}

static int add_named(run *r, const char *name, rx_metric_scope scope, long at, double v)
{
    rx_run_extra *x = r->x;
    if (x->n == x->cap) {
        int cap = x->cap ? 2 * x->cap : 64;
        rx_named_metric *m = realloc(x->m, (size_t)cap * sizeof *m);
        if (!m)
            return -1;
        x->m = m;
        x->cap = cap;
    }
    rx_named_metric *m = &x->m[x->n++];
    size_t len = strlen(name);   /* < RX_METRIC_NAME_MAX: the parser checked */
    memcpy(m->name, name, len + 1);
    m->scope = scope;
    m->at = at;
    m->value = v;
    return 0;
}

/* Takes the field named name out of fs (it is known), returning its value
 * or dflt. */
static double take(field *fs, int nf, const char *name, double dflt, int *found)
{
    for (int i = 0; i < nf; i++)
        if (fs[i].name[0] && strcmp(fs[i].name, name) == 0) {
            fs[i].name[0] = '\0';
            if (found)
                *found = 1;
            return fs[i].value;
        }
    return dflt;
}

/* The field name is there, not null, and not finite: a diverged loss. */
static int nonfinite(const field *fs, int nf, const char *name)
{
    for (int i = 0; i < nf; i++)
        if (fs[i].name[0] && strcmp(fs[i].name, name) == 0)
            return !fs[i].is_null && !isfinite(fs[i].value);
    return 0;
}

static int is_count(double v) { return isfinite(v) && v >= 0 && v == floor(v) && v < 1e15; }

static void diverged_at(run *r, long step, const char *what)
{
    if (r->end != END_NONE)
        return;
    r->res->diverged_step = step > 0 ? step : 1;
    end_run(r, END_DIVERGED, "%s is not finite", what);
}

static int record(run *r, field *fs, int nf)
{
    rx_train_result *res = r->res;
    int has_epoch = 0, has_step = 0, is_final = 0;
    double ep = take(fs, nf, "epoch", 0, &has_epoch);
    double stp = take(fs, nf, "step", 0, &has_step);
    double fin = take(fs, nf, "final", 0, NULL);
    is_final = fin != 0;
    if (has_epoch && (!is_count(ep) || ep < 1))
        return end_run(r, END_MALFORMED, "'epoch' must be a whole number >= 1%s", NULL), -1;
    if (has_step && (!is_count(stp) || stp < 1))
        return end_run(r, END_MALFORMED, "'step' must be a whole number >= 1%s", NULL), -1;
    if (!has_epoch && !has_step && !is_final)
        return end_run(r, END_MALFORMED,
                       "a record needs 'step', 'epoch' or \"final\": true%s", NULL), -1;
    long step = has_step ? (long)stp : 0;
    /* each point once: the store keys metrics by epoch and by step */
    if (!is_final && has_epoch && (long)ep <= r->last_epoch) {
        char m[96];
        snprintf(m, sizeof m, "epoch %ld after epoch %ld", (long)ep, r->last_epoch);
        return end_run(r, END_MALFORMED, "%s (epochs must increase)", m), -1;
    }
    if (!is_final && !has_epoch && step <= r->last_step) {
        char m[96];
        snprintf(m, sizeof m, "step %ld after step %ld", step, r->last_step);
        return end_run(r, END_MALFORMED, "%s (steps must increase)", m), -1;
    }
    if (!is_final && has_epoch)
        r->last_epoch = (long)ep;
    else if (!is_final)
        r->last_step = step;
    if (step > res->steps)
        res->steps = step;
    if (r->ctx->hooks && r->ctx->hooks->progress)
        r->ctx->hooks->progress->step = res->steps;
    const char *bad = nonfinite(fs, nf, "loss") ? "'loss'"
                    : nonfinite(fs, nf, "train_loss") ? "'train_loss'" : NULL;
    const rx_train_hooks *h = r->ctx->hooks;
    rx_metric_scope scope;
    long at;
    if (is_final) {
        rx_epoch_metrics *f = &res->final;
        int any = 0;
        f->train_loss = take(fs, nf, "train_loss", f->train_loss, &any);
        f->train_acc = take(fs, nf, "train_acc", f->train_acc, &any);
        f->val_loss = take(fs, nf, "val_loss", f->val_loss, &any);
        f->val_acc = take(fs, nf, "val_acc", f->val_acc, &any);
        f->test_loss = take(fs, nf, "test_loss", f->test_loss, &any);
        f->test_acc = take(fs, nf, "test_acc", f->test_acc, &any);
        res->best_val_acc = take(fs, nf, "best_val_acc", res->best_val_acc, NULL);
        res->best_val_loss = take(fs, nf, "best_val_loss", res->best_val_loss, NULL);
        res->best_test_acc = take(fs, nf, "best_test_acc", res->best_test_acc, NULL);
        double np = take(fs, nf, "n_params", NAN, NULL);
        if (is_count(np))
            res->n_params = (long)np;
        double fl = take(fs, nf, "flops", NAN, NULL);
        if (isfinite(fl))
            res->flops = fl;
        double sm = take(fs, nf, "samples", NAN, NULL);
        if (is_count(sm))
            res->samples = (long)sm;
        if (any && f->epoch == 0)
            f->epoch = res->n_epochs_done > 0 ? res->n_epochs_done : 1;
        if (!has_step)
            res->steps = r->total > res->steps ? r->total : res->steps;
        if (bad)
            diverged_at(r, res->steps, bad);
        r->have_final = 1;
        scope = RX_MS_FINAL;
        at = 0;
    } else if (has_epoch) {
        rx_epoch_metrics m = {0};
        m.epoch = (int)ep;
        m.step = has_step ? step : (long)ep * r->spe < r->total ? (long)ep * r->spe : r->total;
        if (m.step > res->steps)
            res->steps = m.step;
        double lr, mom;
        rx_sched_step(&r->sched, m.step > 0 ? m.step - 1 : 0, &lr, &mom);
        int sfound = 0;
        double sm = take(fs, nf, "samples", NAN, &sfound);
        m.samples = sfound && is_count(sm) ? (long)sm : 0;
        if (m.samples > res->samples)
            res->samples = m.samples;
        m.train_loss = take(fs, nf, "train_loss", NAN, NULL);
        m.train_acc = take(fs, nf, "train_acc", NAN, NULL);
        m.val_loss = take(fs, nf, "val_loss", NAN, NULL);
        m.val_acc = take(fs, nf, "val_acc", NAN, NULL);
        m.test_loss = take(fs, nf, "test_loss", NAN, NULL);
        m.test_acc = take(fs, nf, "test_acc", NAN, NULL);
        m.lr = take(fs, nf, "lr", lr, NULL);
        m.momentum = take(fs, nf, "momentum", mom, NULL);
        m.grad_norm = take(fs, nf, "grad_norm", NAN, NULL);
        m.wall = take(fs, nf, "wall", rx_now() - r->t0, NULL);
        if (bad)
            diverged_at(r, m.step, bad);
        rx_train_result_epoch(res, &m);
        if (h && h->on_epoch && h->on_epoch(h->ud, &m))
            end_run(r, END_STOPPED, "stopped by the runner%s", NULL);
        if (r->plateau && r->plateau_fd >= 0) {
            rx_sched_epoch_end(&r->sched, isfinite(m.val_loss) ? m.val_loss : m.train_loss);
            char line[64];
            int n = snprintf(line, sizeof line, "%.17g\n", r->sched.plateau_lr / r->sched.lr0);
            if (write_all(r->plateau_fd, line, (size_t)n)) {
                close(r->plateau_fd);
                r->plateau_fd = -1;
            }
        }
        scope = RX_MS_EPOCH;
        at = m.epoch;
    } else {
        rx_step_metrics m = {0};
        m.step = step;
        double lr, mom;
        rx_sched_step(&r->sched, step - 1, &lr, &mom);
        m.loss = take(fs, nf, "loss", NAN, NULL);
        m.lr = take(fs, nf, "lr", lr, NULL);
        m.momentum = take(fs, nf, "momentum", mom, NULL);
        m.grad_norm = take(fs, nf, "grad_norm", NAN, NULL);
        if (bad)
            diverged_at(r, step, bad);
        if (h && h->on_step && h->on_step(h->ud, &m))
            end_run(r, END_STOPPED, "stopped by the runner%s", NULL);
        scope = RX_MS_STEP;
        at = step;
    }
    for (int i = 0; i < nf; i++)
        if (fs[i].name[0] && add_named(r, fs[i].name, scope, at, fs[i].value))
            return end_run(r, END_MALFORMED, "out of memory%s", NULL), -1;
    return 0;
}

/* One line from fd 3. */
static void on_line(run *r, char *line)
{
    r->n_lines++;
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
        line[--n] = '\0';
    if (n == 0 || r->end != END_NONE)
        return;
    field fs[MAX_FIELDS];
    int nf;
    jparser j = {0};
    if (parse_line(&j, line, fs, &nf)) {
        char m[400];
        snprintf(m, sizeof m, "%d: %s at column %d", r->n_lines, j.msg, (int)(j.p - line) + 1);
        end_run(r, END_MALFORMED, "malformed metrics line %s", m);
        return;
    }
    if (r->have_final) {
        end_run(r, END_MALFORMED, "a metrics record after the final one%s", NULL);
        return;
    }
    record(r, fs, nf);
    if (r->end == END_MALFORMED) {
        char m[sizeof r->why];
        snprintf(m, sizeof m, "%s", r->why);
        snprintf(r->why, sizeof r->why, "malformed metrics line %d: %.440s", r->n_lines, m);
    }
}

/* Splits n bytes from fd 3 into lines for on_line; line holds the
 * partial line (*len bytes) between calls, *too_long marks one being
 * skipped. */
static void feed(run *r, const char *buf, ssize_t n, char *line, size_t *len, int *too_long)
{
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            line[*len] = '\0';
            if (!*too_long)
                on_line(r, line);
            *too_long = 0;
            *len = 0;
        } else if (*len < LINE_MAX_BYTES) {
            line[(*len)++] = buf[i];
        } else if (!*too_long) {
            *too_long = 1;
            r->n_lines++;
            char m[64];
            snprintf(m, sizeof m, "%d is longer than %d bytes", r->n_lines, LINE_MAX_BYTES);
            end_run(r, END_MALFORMED, "metrics line %s", m);
        }
    }
}

/* ---- the hand-over ---------------------------------------------------- */

static int write_file(const char *path, const void *p, size_t n, rx_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return rx_errf(err, RX_EIO, "cannot create '%s': %s", path, strerror(errno));
    int bad = write_all(fd, p, n);
    if (close(fd) || bad)
        return rx_errf(err, RX_EIO, "cannot write '%s': %s", path, strerror(errno));
    return RX_OK;
}

/* The lr table: every step's lr and momentum, as the built-in trainer
 * would use them (plateau: before any reduction). */
static int write_lr_table(run *r, const char *path, rx_err *err)
{
    FILE *f = fopen(path, "wbe");
    if (!f)
        return rx_errf(err, RX_EIO, "cannot create '%s': %s", path, strerror(errno));
    char buf[1 << 16];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    if (r->t->lr_format == RX_LR_CSV)
        fputs("step,lr,momentum\n", f);
    for (long s = 0; s < r->total; s++) {
        double lr, mom;
        rx_sched_step(&r->sched, s, &lr, &mom);
        if (r->t->lr_format == RX_LR_CSV) {
            fprintf(f, "%ld,%.17g,%.17g\n", s, lr, mom);
        } else {
            double v[2] = {lr, mom};
            fwrite(v, sizeof v, 1, f);
        }
    }
    int bad = ferror(f);
    if (fclose(f) || bad)
        return rx_errf(err, RX_EIO, "cannot write '%s'", path);
    return RX_OK;
}

/* The values of the {NAME} placeholders of one run. */
typedef struct names {
    char worker[16], key[RX_KEY_LEN + 1], seed[32];
    char run_dir[RX_PATH_MAX], ckpt_dir[2 * RX_PATH_MAX + 64];
    const rx_config *cfg;
} names;

/* Expands the placeholders of one argv word into a malloc'd string. */
static char *expand(const char *w, const names *v, rx_err *err)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f) {
        rx_errf(err, RX_ENOMEM, "out of memory");
        return NULL;
    }
    int rc = RX_OK;
    for (const char *p = w; *p && rc == RX_OK; p++) {
        if (p[0] == '{' && p[1] == '{') {
            fputc('{', f);
            p++;
            continue;
        }
        if (p[0] == '}' && p[1] == '}') {
            fputc('}', f);
            p++;
            continue;
        }
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (!close) {
            fputc(*p, f);
            continue;
        }
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(close - p - 1), p + 1);
        char val[4096];
        if (strcmp(name, "worker") == 0) snprintf(val, sizeof val, "%s", v->worker);
        else if (strcmp(name, "key") == 0) snprintf(val, sizeof val, "%s", v->key);
        else if (strcmp(name, "seed") == 0) snprintf(val, sizeof val, "%s", v->seed);
        else if (strcmp(name, "run_dir") == 0) snprintf(val, sizeof val, "%s", v->run_dir);
        else if (strcmp(name, "checkpoint_dir") == 0) snprintf(val, sizeof val, "%s", v->ckpt_dir);
        else if (rx_config_get(v->cfg, name, val, sizeof val) != RX_OK)
            rc = rx_errf(err, RX_EINVAL, "'trainer.command': no value for the placeholder '{%s}'",
                         name);
        fputs(val, f);
        p = close;
    }
    if (fclose(f) || rc) {
        free(out);
        if (rc == RX_OK)
            rx_errf(err, RX_ENOMEM, "out of memory");
        return NULL;
    }
    return out;
}

/* The program's environment: ours, with the REXSWEEP_* variables (and
 * CUDA_VISIBLE_DEVICES from gpus) set.  Strings live in a (malloc'd, one
 * per entry) array freed by free_env. */
typedef struct env_list {
    char **v;
    int n, cap;
} env_list;

static int env_put(env_list *e, const char *name, const char *value)
{
    size_t nl = strlen(name);
    for (int i = 0; i < e->n; i++)
        if (strncmp(e->v[i], name, nl) == 0 && e->v[i][nl] == '=') {
            free(e->v[i]);
            e->v[i] = e->v[--e->n];
            break;
        }
    if (e->n + 2 > e->cap) {
        int cap = e->cap ? 2 * e->cap : 64;
        char **v = realloc(e->v, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        e->v = v;
        e->cap = cap;
    }
    char *s = malloc(nl + strlen(value) + 2);
    if (!s)
        return -1;
    sprintf(s, "%s=%s", name, value);
    e->v[e->n++] = s;
    e->v[e->n] = NULL;
    return 0;
}

static void free_env(env_list *e)
{
    for (int i = 0; i < e->n; i++)
        free(e->v[i]);
    free(e->v);
}

/* ---- the process ------------------------------------------------------ */

static void child_exec(char **argv, char **envp, const char *dir, int mfd, int pfd, int ofd,
                       int efd)
{
    /* own process group, so that signals reach the program and its
     * children together; and die with the worker even after kill -9 */
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    int devnull = open("/dev/null", O_RDONLY);
    /* move the pipe ends above the target numbers first, then place them */
    int m = fcntl(mfd, F_DUPFD, 10), o = fcntl(ofd, F_DUPFD, 10);
    int p = pfd >= 0 ? fcntl(pfd, F_DUPFD, 10) : -1;
    int in = fcntl(devnull, F_DUPFD, 10);
    if (m < 0 || o < 0 || in < 0 || (pfd >= 0 && p < 0) || dup2(in, 0) < 0 || dup2(o, 1) < 0 ||
        dup2(o, 2) < 0 || dup2(m, METRICS_FD) < 0 || (p >= 0 && dup2(p, PLATEAU_FD) < 0))
        goto fail;
    int e = fcntl(efd, F_DUPFD_CLOEXEC, 5);
    if (e < 0)
        goto fail;
    if (e > 5)
        close_range(5, (unsigned)e - 1, 0);
    close_range((unsigned)e + 1, ~0U, 0);
    if (p < 0)
        close(PLATEAU_FD);
    if (chdir(dir) != 0)
        goto fail;
    execvpe(argv[0], argv, envp);
    efd = e;
fail:;
    int er = errno;
    ssize_t w = write(efd, &er, sizeof er);
    (void)w;
    _exit(127);
}

static void kill_group(pid_t pid, int sig)
{
    if (kill(-pid, sig) != 0)
        kill(pid, sig);
}

/* Here rather than in trainer.c, which dispatches to this file: the
 * steps of a command trainer's epoch are its spec's. */
long rx_trainer_steps_per_epoch(const rx_trainer_spec *t, const rx_config *c)
{
    if (!t || t->kind == RX_TRAINER_BUILTIN)
        return 0;
    if (t->steps_per_epoch > 0)
        return t->steps_per_epoch;
    long b = c->train.batch_size > 0 ? c->train.batch_size : 1;
    return (t->train_size + b - 1) / b;
}

int rx_trainer_cmd_run(const rx_trainer_spec *t, const rx_trainer_ctx *ctx,
                       rx_train_result *res, rx_run_extra *x, rx_err *err)
{
    const rx_config *c = ctx->cfg;
    const rx_job *job = ctx->job;
    memset(res, 0, sizeof *res);
    res->status = RX_RUN_FAILED;
    res->best_val_acc = res->best_test_acc = res->best_val_loss = NAN;
    res->final.train_loss = res->final.train_acc = res->final.val_loss = NAN;
    res->final.val_acc = res->final.test_loss = res->final.test_acc = NAN;
    x->trainer = t->identity;

    run r = {0};
    r.t = t;
    r.ctx = ctx;
    r.res = res;
    r.x = x;
    r.plateau_fd = -1;
    r.t0 = rx_now();
    r.spe = rx_trainer_steps_per_epoch(t, c);
    long T = rx_budget_steps(c->train.budget, c->train.full_epochs, r.spe);
    r.total = rx_sched_total_steps(&c->sched, T);
    res->total_steps = T;
    res->steps_per_epoch = r.spe;
    res->epochs = (double)r.total / (double)r.spe;
    double mom0 = rx_optim_momentum(&c->optim);
    rx_sched_start(&r.sched, &c->sched, c->optim.lr, mom0, r.total, r.spe);
    r.plateau = rx_profile_find("plateau") == c->sched.profile;
    if (ctx->hooks && ctx->hooks->progress) {
        ctx->hooks->progress->step = 0;
        ctx->hooks->progress->total = r.total;
    }
    /* the run's steps are known: `status` shows 0 of them from now on */
    if (ctx->alive)
        ctx->alive(ctx->hooks ? ctx->hooks->ud : NULL);

    names nm = {.cfg = c};
    snprintf(nm.worker, sizeof nm.worker, "%d", ctx->worker);
    snprintf(nm.key, sizeof nm.key, "%s", job->key);
    snprintf(nm.seed, sizeof nm.seed, "%llu", (unsigned long long)c->train.seed);
    const char *tmp = getenv("TMPDIR");
    snprintf(nm.run_dir, sizeof nm.run_dir, "%s/rexsweep-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp",
             job->key);
    if (!mkdtemp(nm.run_dir))
        return rx_errf(err, RX_EIO, "cannot create a run directory '%s': %s", nm.run_dir,
                       strerror(errno));
    int resume = 0;
    if (t->checkpoints) {
        /* the store's checkpoint directory (rx_ckpt.h), a directory of
         * the program's own per run: STORE.ckpt/KEY beside the built-in
         * trainer's STORE.ckpt/KEY.ckpt files */
        char rel[RX_PATH_MAX + 64], dir[RX_PATH_MAX];
        if (rx_ckpt_path(ctx->db_path, NULL, dir, sizeof dir) != RX_OK) {
            rm_tree(nm.run_dir);
            return rx_errf(err, RX_EINVAL, "the store path '%s' is too long", ctx->db_path);
        }
        snprintf(rel, sizeof rel, "%s/%s", dir, job->key);
        if (rel[0] != '/') {
            char cwd[RX_PATH_MAX - 64];
            if (getcwd(cwd, sizeof cwd))
                snprintf(nm.ckpt_dir, sizeof nm.ckpt_dir, "%s/%s", cwd, rel);
        } else {
            snprintf(nm.ckpt_dir, sizeof nm.ckpt_dir, "%s", rel);
        }
        if (make_dirs(nm.ckpt_dir)) {
            rx_errf(err, RX_EIO, "cannot create the checkpoint directory '%s': %s", nm.ckpt_dir,
                    strerror(errno));
            rm_tree(nm.run_dir);
            return RX_EIO;
        }
        resume = dir_has_entries(nm.ckpt_dir);
    }

    char cfg_path[RX_PATH_MAX + 32], lr_path[RX_PATH_MAX + 32];
    snprintf(cfg_path, sizeof cfg_path, "%s/config.json", nm.run_dir);
    snprintf(lr_path, sizeof lr_path, "%s/lr.%s", nm.run_dir,
             t->lr_format == RX_LR_CSV ? "csv" : "f64");
    char *argv[RX_TRAINER_MAX_LIST + 1] = {0};
    env_list env = {0};
    int rc = write_file(cfg_path, job->config_json, strlen(job->config_json), err);
    if (rc == RX_OK)
        rc = write_lr_table(&r, lr_path, err);
    for (int i = 0; rc == RX_OK && i < t->argc; i++)
        if (!(argv[i] = expand(t->argv[i], &nm, err)))
            rc = RX_EINVAL;
    for (char **e = environ; rc == RX_OK && *e; e++) {
        const char *eq = strchr(*e, '=');
        char name[256];
        if (!eq || (size_t)(eq - *e) >= sizeof name)
            continue;
        snprintf(name, sizeof name, "%.*s", (int)(eq - *e), *e);
        if (env_put(&env, name, eq + 1))
            rc = rx_errf(err, RX_ENOMEM, "out of memory");
    }
    if (rc == RX_OK) {
        char num[64];
        struct { const char *name; const char *value; } vars[] = {
            {"REXSWEEP_RUN_KEY", job->key}, {"REXSWEEP_CELL_KEY", job->cell},
            {"REXSWEEP_SEED", nm.seed}, {"REXSWEEP_WORKER", nm.worker},
            {"REXSWEEP_CONFIG", cfg_path}, {"REXSWEEP_LR_TABLE", lr_path},
            {"REXSWEEP_LR_FORMAT", t->lr_format == RX_LR_CSV ? "csv" : "f64"},
            {"REXSWEEP_RUN_DIR", nm.run_dir}, {"REXSWEEP_METRICS_FD", "3"},
        };
        for (size_t i = 0; rc == RX_OK && i < sizeof vars / sizeof vars[0]; i++)
            if (env_put(&env, vars[i].name, vars[i].value))
                rc = rx_errf(err, RX_ENOMEM, "out of memory");
        struct { const char *name; double v; } nums[] = {
            {"REXSWEEP_STEPS", (double)r.total}, {"REXSWEEP_BUDGET_STEPS", (double)T},
            {"REXSWEEP_WARMUP_STEPS", (double)r.sched.warm},
            {"REXSWEEP_STEPS_PER_EPOCH", (double)r.spe}, {"REXSWEEP_EPOCHS", res->epochs},
            {"REXSWEEP_BATCH_SIZE", (double)c->train.batch_size},
        };
        for (size_t i = 0; rc == RX_OK && i < sizeof nums / sizeof nums[0]; i++) {
            snprintf(num, sizeof num, "%.17g", nums[i].v);
            if (env_put(&env, nums[i].name, num))
                rc = rx_errf(err, RX_ENOMEM, "out of memory");
        }
        if (rc == RX_OK && r.plateau && env_put(&env, "REXSWEEP_PLATEAU_FD", "4"))
            rc = rx_errf(err, RX_ENOMEM, "out of memory");
        if (rc == RX_OK && t->checkpoints &&
            (env_put(&env, "REXSWEEP_CHECKPOINT_DIR", nm.ckpt_dir) ||
             env_put(&env, "REXSWEEP_RESUME", resume ? "1" : "0")))
            rc = rx_errf(err, RX_ENOMEM, "out of memory");
        if (rc == RX_OK && t->n_gpus &&
            env_put(&env, "CUDA_VISIBLE_DEVICES", t->gpus[ctx->worker % t->n_gpus]))
            rc = rx_errf(err, RX_ENOMEM, "out of memory");
    }

    int mp[2] = {-1, -1}, op[2] = {-1, -1}, pp[2] = {-1, -1}, ep[2] = {-1, -1};
    pid_t pid = -1;
    if (rc == RX_OK && (pipe2(mp, O_CLOEXEC) || pipe2(op, O_CLOEXEC) ||
                        (r.plateau && pipe2(pp, O_CLOEXEC)) || pipe2(ep, O_CLOEXEC)))
        rc = rx_errf(err, RX_EIO, "cannot create pipes: %s", strerror(errno));
    if (rc == RX_OK) {
        fflush(NULL);
        pid = fork();
        if (pid < 0)
            rc = rx_errf(err, RX_EIO, "cannot fork: %s", strerror(errno));
        else if (pid == 0)
            child_exec(argv, env.v, t->dir, mp[1], pp[0], op[1], ep[1]);
    }
    if (rc) {
        for (int i = 0; i < 2; i++) {
            if (mp[i] >= 0) close(mp[i]);
            if (op[i] >= 0) close(op[i]);
            if (pp[i] >= 0) close(pp[i]);
            if (ep[i] >= 0) close(ep[i]);
        }
        goto out;
    }
    setpgid(pid, pid);   /* also here: no race with the first kill */
    close(mp[1]);
    close(op[1]);
    close(ep[1]);
    if (pp[0] >= 0)
        close(pp[0]);
    r.plateau_fd = pp[1];
    struct sigaction ign = {0}, old_pipe;
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &old_pipe);

    /* did exec work? the CLOEXEC pipe closes empty when it did */
    int exec_errno = 0;
    ssize_t got;
    do
        got = read(ep[0], &exec_errno, sizeof exec_errno);
    while (got < 0 && errno == EINTR);
    close(ep[0]);

    tail out = {0};
    char *line = malloc(LINE_MAX_BYTES + 1);
    size_t line_len = 0;
    int open_m = 1, open_o = 1, too_long = 0;
    double limit = t->timeout;
    if (c->train.max_seconds > 0 && (limit <= 0 || c->train.max_seconds < limit))
        limit = c->train.max_seconds;
    double killed_at = 0, last_alive = r.t0;
    int killed_hard = 0, exited = 0, ws = 0;
    if (!line)
        end_run(&r, END_MALFORMED, "out of memory%s", NULL);
    while (!exited) {
        struct pollfd pf[2] = {{open_m ? mp[0] : -1, POLLIN, 0}, {open_o ? op[0] : -1, POLLIN, 0}};
        int pr = open_m || open_o ? poll(pf, 2, 200) : 0;
        if (!open_m && !open_o)
            usleep(20000);
        char buf[8192];
        if (pr > 0 && open_m && (pf[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = read(mp[0], buf, sizeof buf);
            if (n <= 0 && !(n < 0 && errno == EINTR)) {
                open_m = 0;
                if (line_len && line) {
                    line[line_len] = '\0';
                    on_line(&r, line);
                    line_len = 0;
                }
            }
            if (line)
                feed(&r, buf, n, line, &line_len, &too_long);
        }
        if (pr > 0 && open_o && (pf[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = read(op[0], buf, sizeof buf);
            if (n > 0)
                tail_add(&out, buf, (size_t)n);
            else if (!(n < 0 && errno == EINTR))
                open_o = 0;
        }
        double now = rx_now();
        if (ctx->hooks && ctx->hooks->stop && *ctx->hooks->stop)
            end_run(&r, END_STOPPED, "interrupted%s", NULL);
        if (limit > 0 && now - r.t0 > limit) {
            char m[64];
            snprintf(m, sizeof m, "%g s", limit);
            end_run(&r, END_TIMEOUT, "timed out after %s", m);
        }
        if (ctx->alive && now - last_alive > ALIVE_EVERY) {
            ctx->alive(ctx->hooks ? ctx->hooks->ud : NULL);
            last_alive = now;
        }
        if (r.end != END_NONE && killed_at == 0) {
            kill_group(pid, SIGTERM);
            killed_at = now;
        }
        if (killed_at > 0 && !killed_hard && now - killed_at > t->grace) {
            kill_group(pid, SIGKILL);
            killed_hard = 1;
        }
        pid_t w = waitpid(pid, &ws, WNOHANG);
        if (w == pid) {
            exited = 1;
            /* the group may outlive its leader: end the stragglers */
            kill(-pid, SIGKILL);
        }
    }
    /* drain what the program wrote just before it exited */
    fcntl(mp[0], F_SETFL, O_NONBLOCK);
    fcntl(op[0], F_SETFL, O_NONBLOCK);
    char buf[8192];
    ssize_t n;
    while (open_m && line && (n = read(mp[0], buf, sizeof buf)) > 0)
        feed(&r, buf, n, line, &line_len, &too_long);
    if (open_m && line && line_len && !too_long) {
        line[line_len] = '\0';
        on_line(&r, line);
    }
    while (open_o && (n = read(op[0], buf, sizeof buf)) > 0)
        tail_add(&out, buf, (size_t)n);
    close(mp[0]);
    close(op[0]);
    if (r.plateau_fd >= 0)
        close(r.plateau_fd);
    sigaction(SIGPIPE, &old_pipe, NULL);
    free(line);

    /* what happened, most telling reason first */
    char why[600] = "";
    res->status = RX_RUN_FAILED;
    if (exec_errno) {
        snprintf(why, sizeof why, "cannot run '%s': %s", argv[0], strerror(exec_errno));
    } else if (r.end == END_MALFORMED) {
        snprintf(why, sizeof why, "%s", r.why);
    } else if (r.end == END_DIVERGED) {
        res->status = RX_RUN_DIVERGED;
        snprintf(why, sizeof why, "%s at step %ld", r.why, res->diverged_step);
    } else if (r.end == END_TIMEOUT) {
        res->status = RX_RUN_TIMEOUT;
        snprintf(why, sizeof why, "%s (step %ld of %ld)", r.why, res->steps, r.total);
    } else if (r.end == END_STOPPED) {
        res->status = RX_RUN_INTERRUPTED;
        snprintf(why, sizeof why, "%s", r.why);
    } else if (WIFSIGNALED(ws)) {
        snprintf(why, sizeof why, "'%s' died of signal %d (%s)", t->argv[0], WTERMSIG(ws),
                 strsignal(WTERMSIG(ws)));
    } else if (WEXITSTATUS(ws) != 0) {
        snprintf(why, sizeof why, "'%s' exited with status %d", t->argv[0], WEXITSTATUS(ws));
    } else if (!r.have_final) {
        snprintf(why, sizeof why, "'%s' exited without a final record", t->argv[0]);
    } else {
        res->status = RX_RUN_DONE;
    }
    if (res->status != RX_RUN_DONE) {
        x->output_tail = tail_text(&out);
        snprintf(x->error, sizeof x->error, "%s", why);
    }
out:
    res->wall = rx_now() - r.t0;
    for (int i = 0; i < t->argc; i++)
        free(argv[i]);
    free_env(&env);
    rm_tree(nm.run_dir);
    /* a finished run's checkpoints are of no more use */
    if (rc == RX_OK && res->status == RX_RUN_DONE && t->checkpoints)
        rm_tree(nm.ckpt_dir);
    return rc;
}
