/*
 * dataset.c: a dataset's arrays, and the text-reading helpers that the
 * text formats (csv.c, libsvm.c) share.
 *
 * The bottom of the data module: the format loaders (idx.c, csv.c,
 * libsvm.c, synth.c) allocate through it, and data.c, which picks a loader
 * by name and carves the splits, sits above them.
 */
#include "rx_dataset.h"
#include "dataset_text.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- datasets ------------------------------------------------------ */

/* Bytes of each array of a dataset; the same sums allocate and free. */
static size_t x_bytes(const rx_dataset *ds)
{
    return (size_t)ds->n * (size_t)ds->d * (ds->x_u8 ? 1 : sizeof(float));
}

int rx_dataset_alloc(rx_dataset *ds, int n, int d, int u8, int n_classes,
                     int n_targets, rx_err *err)
{
    memset(ds, 0, sizeof *ds);
    if (n < 0 || d < 1 || (n_classes > 0) == (n_targets > 0) ||
        n_classes < 0 || n_targets < 0)
        return rx_errf(err, RX_EINVAL,
                       "bad dataset shape: %d samples, %d features, %d classes, %d targets",
                       n, d, n_classes, n_targets);
    size_t elem = u8 ? 1 : sizeof(float);
    if ((size_t)d > SIZE_MAX / 4 / elem / ((size_t)n + 1) ||
        (size_t)n_targets > SIZE_MAX / 4 / ((size_t)n + 1))
        return rx_errf(err, RX_ENOMEM,
                       "dataset of %d samples of %d features is too large", n,
                       d);
    size_t nx = (size_t)n * d * elem;
    void *x = rx_arena_alloc(nx);
    void *lab = n_classes ? rx_arena_alloc((size_t)n * sizeof(int32_t)) : NULL;
    void *y = n_targets ? rx_arena_alloc((size_t)n * n_targets * sizeof(float))
                        : NULL;
    if (!x || (n_classes && !lab) || (n_targets && !y)) {
        rx_arena_free(x, nx);
        rx_arena_free(lab, (size_t)n * sizeof(int32_t));
        rx_arena_free(y, (size_t)n * n_targets * sizeof(float));
        return rx_errf(err, RX_ENOMEM,
                       "cannot allocate a dataset of %d samples of %d features",
                       n, d);
    }
    ds->n = n;
    ds->d = d;
    ds->n_classes = n_classes;
    ds->n_targets = n_targets;
    if (u8)
        ds->x_u8 = x;
    else
        ds->x_f32 = x;
    ds->label = lab;
    ds->y = y;
    return RX_OK;
}

void rx_dataset_free(rx_dataset *ds)
{
    if (!ds)
        return;
    if (ds->x_u8 || ds->x_f32)
        rx_arena_free(ds->x_u8 ? (void *)ds->x_u8 : (void *)ds->x_f32,
                      x_bytes(ds));
    rx_arena_free(ds->label, (size_t)ds->n * sizeof(int32_t));
    rx_arena_free(ds->y, (size_t)ds->n * ds->n_targets * sizeof(float));
    memset(ds, 0, sizeof *ds);
}

/* ---- text helpers (dataset_text.h) --------------------------------- */

static const char *file_kind(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device"
         : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

int rx_data_open(const char *path, int *fd, int64_t *size, rx_err *err)
{
    *fd = -1;
    *size = 0;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer */
    int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (f < 0)
        return rx_errf(err, RX_EIO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(f, &st) != 0) {
        int e = errno;
        close(f);
        return rx_errf(err, RX_EIO, "cannot read '%s': %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(f);
        return rx_errf(err, RX_EIO, "'%s' is %s, not a regular file", path,
                       file_kind(st.st_mode));
    }
    int fl = fcntl(f, F_GETFL);
    if (fl >= 0)
        fcntl(f, F_SETFL, fl & ~O_NONBLOCK);
    *fd = f;
    *size = (int64_t)st.st_size;
    return RX_OK;
}

int rx_text_read(const char *path, char **buf, size_t *len, rx_err *err)
{
    *buf = NULL;
    *len = 0;
    int fd;
    int64_t size;
    int rc = rx_data_open(path, &fd, &size, err);
    if (rc != RX_OK)
        return rc;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return rx_errf(err, RX_ENOMEM, "cannot read '%s': out of memory", path);
    }
    size_t cap = size > 0 ? (size_t)size + 1 : 4096, n = 0;
    char *p = malloc(cap);
    for (;;) {
        if (!p) {
            fclose(f);
            return rx_errf(err, RX_ENOMEM, "cannot read '%s': out of memory",
                           path);
        }
        n += fread(p + n, 1, cap - 1 - n, f);
        if (n < cap - 1)
            break;
        /* the file grew while being read */
        char *q = realloc(p, cap *= 2);
        if (!q)
            free(p);
        p = q;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(p);
        return rx_errf(err, RX_EIO, "cannot read '%s': read error", path);
    }
    p[n] = '\0';
    *buf = p;
    *len = n;
    return RX_OK;
}

int rx_text_number(const char *s, const char *e, double *out)
{
    if (s == e)
        return RX_TOK_EMPTY;
    char *end;
    /* strtod skips leading blanks; the token must not start with one */
    if (*s == ' ' || *s == '\t')
        return RX_TOK_BAD;
    double v = strtod(s, &end);
    if (end != e)
        return RX_TOK_BAD;
    if (!isfinite(v))
        return RX_TOK_INF;
    if (fabs(v) > FLT_MAX)
        return RX_TOK_HUGE;
    *out = v;
    return RX_TOK_OK;
}

const char *rx_text_problem(int tok)
{
    switch (tok) {
    case RX_TOK_EMPTY: return "empty number";
    case RX_TOK_INF: return "non-finite number";
    case RX_TOK_HUGE: return "number too large for a float";
    default: return "bad number";
    }
}

const char *rx_text_skip_bom(const char *buf, size_t len)
{
    return len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? buf + 3 : buf;
}

int rx_text_label(const char *s, const char *e, long *out)
{
    double v;
    int rc = rx_text_number(s, e, &v);
    if (rc != RX_TOK_OK)
        return rc;
    if (v != floor(v))
        return RX_TOK_FRACTION;
    if (fabs(v) >= RX_MAX_CLASSES)
        return RX_TOK_RANGE;
    *out = (long)v;
    return RX_TOK_OK;
}
