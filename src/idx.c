/*
 * idx.c: the IDX format of MNIST and Fashion-MNIST, gzipped or raw.
 *
 * The only file that includes <zlib.h>.  gzread reads raw files
 * transparently, so one path serves both; every byte offset in a message
 * counts the uncompressed stream.  Speed matters (the 26 MB Fashion-MNIST
 * training images are loaded by every process): a 1 MiB zlib buffer, one
 * gzread straight into the destination, and the destination from
 * rx_arena_alloc (huge pages make first touch cheap).
 */
#include "rx_dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define IDX_IMAGES 0x00000803u
#define IDX_LABELS 0x00000801u
#define GZ_BUFFER (1u << 20)
#define GZ_CHUNK (1u << 30)     /* gzread takes an unsigned length */
#define DEFLATE_MAX_RATIO 1032  /* deflate cannot expand more than this */

typedef struct idx_file {
    const char *path;
    gzFile gz;
    off_t file_size;   /* on disk */
    int raw;           /* not gzipped: the uncompressed size is file_size */
    size_t pos;        /* uncompressed bytes consumed */
} idx_file;

static int idx_open(idx_file *f, const char *path, rx_err *err)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    int fd;
    int64_t size;
    int rc = rx_data_open(path, &fd, &size, err);
    if (rc != RX_OK)
        return rc;
    f->file_size = (off_t)size;
    f->gz = gzdopen(fd, "rb");
    if (!f->gz) {
        close(fd);
        return rx_errf(err, RX_ENOMEM, "cannot open '%s': out of memory",
                       path);
    }
    gzbuffer(f->gz, GZ_BUFFER);
    f->raw = gzdirect(f->gz);
    return RX_OK;
}

static void idx_close(idx_file *f)
{
    if (f->gz)
        gzclose_r(f->gz);
    f->gz = NULL;
}

/* Reads up to n bytes; returns how many arrived (fewer only at the end of
 * the data).  A zlib error sets *zmsg. */
static size_t idx_read(idx_file *f, void *buf, size_t n, const char **zmsg)
{
    unsigned char *p = buf;
    size_t got = 0;
    *zmsg = NULL;
    while (got < n) {
        size_t want = n - got < GZ_CHUNK ? n - got : GZ_CHUNK;
        int r = gzread(f->gz, p + got, (unsigned)want);
        if (r < 0) {
            int zerr;
            *zmsg = gzerror(f->gz, &zerr);
            /* gzread drops the count of a partial read on error */
            z_off_t t = gztell(f->gz);
            if (t >= 0 && (size_t)t >= f->pos + got)
                got = (size_t)t - f->pos;
            break;
        }
        if (r == 0) {
            int zerr;
            const char *m = gzerror(f->gz, &zerr);
            if (zerr != Z_OK)
                *zmsg = m;  /* a gzip stream cut short */
            break;
        }
        got += (size_t)r;
    }
    f->pos += got;
    return got;
}

static int corrupt(idx_file *f, const char *zmsg, rx_err *err)
{
    /* gzerror prefixes the descriptor, "<fd:3>: ", useless here */
    const char *m = strstr(zmsg, ": ");
    if (zmsg[0] == '<' && m)
        zmsg = m + 2;
    /* zlib's own allocation failed: the file may be fine */
    if (strcmp(zmsg, "out of memory") == 0)
        return rx_errf(err, RX_ENOMEM, "'%s': out of memory decompressing it", f->path);
    return rx_errf(err, RX_EFORMAT, "'%s': corrupt gzip data at offset %zu: %s",
                   f->path, f->pos, zmsg);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* Reads the magic and the nd dimensions.  dims[0] is the count. */
static int idx_header(idx_file *f, uint32_t magic, int nd, uint32_t *dims,
                      rx_err *err)
{
    unsigned char h[16];
    size_t want = 4 + 4 * (size_t)nd;
    const char *zmsg;
    size_t got = idx_read(f, h, want, &zmsg);
    if (got == 0 && !zmsg)
        return rx_errf(err, RX_EFORMAT, "'%s': empty file", f->path);
    if (got >= 4 && be32(h) != magic)
        return rx_errf(err, RX_EFORMAT,
                       "'%s': bad magic 0x%08x at offset 0 (want 0x%08x for %s)",
                       f->path, be32(h), magic,
                       magic == IDX_IMAGES ? "images" : "labels");
    if (got < want) {
        if (zmsg)
            return corrupt(f, zmsg, err);
        return rx_errf(err, RX_EFORMAT,
                       "'%s': truncated header: file ends at offset %zu (want %zu bytes)",
                       f->path, got, want);
    }
    for (int i = 0; i < nd; i++) {
        dims[i] = be32(h + 4 + 4 * i);
        if (dims[i] == 0 || dims[i] > INT32_MAX)
            return rx_errf(err, RX_EFORMAT,
                           "'%s': bad dimension %u at offset %d (want 1 to %d)",
                           f->path, dims[i], 4 + 4 * i, INT32_MAX);
    }
    return RX_OK;
}

/* Counts what follows the current position (to report trailing bytes). */
static size_t idx_rest(idx_file *f, const char **zmsg)
{
    unsigned char scratch[65536];
    size_t start = f->pos, r;
    do
        r = idx_read(f, scratch, sizeof scratch, zmsg);
    while (r == sizeof scratch && !*zmsg);
    size_t n = f->pos - start;
    f->pos = start;
    return n;
}

/* Reads exactly n body bytes into buf, then checks that the file ends
 * there.  what describes the header's promise for messages. */
static int idx_body(idx_file *f, void *buf, size_t n, const char *what,
                    rx_err *err)
{
    const char *zmsg;
    size_t start = f->pos;
    size_t got = idx_read(f, buf, n, &zmsg);
    if (got < n) {
        if (zmsg)
            return corrupt(f, zmsg, err);
        return rx_errf(err, RX_EFORMAT,
                       "'%s': truncated at offset %zu (header says %s, %zu bytes from offset %zu)",
                       f->path, f->pos, what, n, start);
    }
    size_t extra = idx_rest(f, &zmsg);
    if (zmsg) {
        f->pos += extra;
        return corrupt(f, zmsg, err);
    }
    if (extra)
        return rx_errf(err, RX_EFORMAT,
                       "'%s': %zu bytes of trailing garbage at offset %zu (header says %s end there)",
                       f->path, extra, f->pos, what);
    return RX_OK;
}

/* True when a body of n bytes cannot possibly fit in the file, so that a
 * lying header fails as truncation rather than as a huge allocation. */
static int idx_too_big(const idx_file *f, size_t header, size_t n)
{
    double avail = (double)f->file_size;
    if (!f->raw)
        avail = avail * DEFLATE_MAX_RATIO + 1024;
    return (double)n > avail - (double)header + 0.5;
}

static int idx_short(idx_file *f, const char *what, size_t n, rx_err *err)
{
    const char *zmsg;
    size_t start = f->pos;
    size_t have = idx_rest(f, &zmsg);
    f->pos += have;
    if (zmsg)
        return corrupt(f, zmsg, err);
    return rx_errf(err, RX_EFORMAT,
                   "'%s': truncated at offset %zu (header says %s, %zu bytes from offset %zu)",
                   f->path, f->pos, what, n, start);
}

int rx_idx_load_classes(const char *images, const char *labels,
                        int n_classes, rx_dataset *out, rx_err *err)
{
    idx_file fi, fl;
    uint32_t di[3], dl[1];
    unsigned char *lab = NULL;
    char wi[96], wl[96];  /* what each header promises */
    int rc;

    memset(out, 0, sizeof *out);
    if (n_classes < 0 || n_classes > 256)
        return rx_errf(err, RX_EINVAL,
                       "idx: n_classes %d out of range [0, 256]", n_classes);
    if ((rc = idx_open(&fi, images, err)) != RX_OK)
        return rc;
    if ((rc = idx_open(&fl, labels, err)) != RX_OK) {
        idx_close(&fi);
        return rc;
    }
    if ((rc = idx_header(&fi, IDX_IMAGES, 3, di, err)) != RX_OK)
        goto done;
    int n = (int)di[0];
    uint64_t d = (uint64_t)di[1] * di[2];
    if (d > INT32_MAX || d * n > (uint64_t)SIZE_MAX / 2) {
        rc = rx_errf(err, RX_EFORMAT, "'%s': %u images of %ux%u are too large",
                     images, di[0], di[1], di[2]);
        goto done;
    }
    size_t nbytes = (size_t)d * (size_t)n;
    snprintf(wi, sizeof wi, "%d images of %ux%u", n, di[1], di[2]);
    if (idx_too_big(&fi, 16, nbytes)) {
        rc = idx_short(&fi, wi, nbytes, err);
        goto done;
    }
    if ((rc = idx_header(&fl, IDX_LABELS, 1, dl, err)) != RX_OK)
        goto done;
    snprintf(wl, sizeof wl, "%u labels", dl[0]);
    if (idx_too_big(&fl, 8, dl[0])) {
        rc = idx_short(&fl, wl, dl[0], err);
        goto done;
    }
    if (di[0] != dl[0]) {
        rc = rx_errf(err, RX_EFORMAT,
                     "'%s' has %u images but '%s' has %u labels", images,
                     di[0], labels, dl[0]);
        goto done;
    }
    if ((rc = rx_dataset_alloc(out, n, (int)d, 1, 1, 0, err)) != RX_OK)
        goto done;
    out->c = 1;
    out->h = (int)di[1];
    out->w = (int)di[2];
    if ((rc = idx_body(&fi, out->x_u8, nbytes, wi, err)) != RX_OK)
        goto done;
    if (!(lab = malloc((size_t)n))) {
        rc = rx_errf(err, RX_ENOMEM, "'%s': cannot allocate %d labels",
                     labels, n);
        goto done;
    }
    if ((rc = idx_body(&fl, lab, (size_t)n, wl, err)) != RX_OK)
        goto done;
    int max = 0;
    for (int i = 0; i < n; i++) {
        int v = lab[i];
        if (n_classes > 0 && v >= n_classes) {
            rc = rx_errf(err, RX_EFORMAT,
                         "'%s': label %d at offset %d out of range [0, %d)",
                         labels, v, 8 + i, n_classes);
            goto done;
        }
        out->label[i] = v;
        if (v > max)
            max = v;
    }
    out->n_classes = n_classes > 0 ? n_classes : max + 1;
done:
    free(lab);
    idx_close(&fi);
    idx_close(&fl);
    if (rc != RX_OK)
        rx_dataset_free(out);
    return rc;
}

int rx_idx_load(const char *images, const char *labels, rx_dataset *out,
                rx_err *err)
{
    return rx_idx_load_classes(images, labels, 0, out, err);
}

int rx_idx_shape(const char *images, const char *labels, int *n, int *h, int *w,
                 int *n_classes, rx_err *err)
{
    idx_file fi, fl;
    uint32_t di[3], dl[1];
    unsigned char *lab = NULL;
    int rc = idx_open(&fi, images, err);
    if (rc != RX_OK)
        return rc;
    rc = idx_header(&fi, IDX_IMAGES, 3, di, err);
    idx_close(&fi);
    if (rc != RX_OK)
        return rc;
    *n = (int)di[0];
    *h = (int)di[1];
    *w = (int)di[2];
    if (!labels)
        return RX_OK;
    /* the classes are the labels' largest + 1: read the labels alone */
    if ((rc = idx_open(&fl, labels, err)) != RX_OK)
        return rc;
    if ((rc = idx_header(&fl, IDX_LABELS, 1, dl, err)) != RX_OK)
        goto done;
    char wl[64];
    snprintf(wl, sizeof wl, "%u labels", dl[0]);
    if (idx_too_big(&fl, 8, dl[0])) {
        rc = idx_short(&fl, wl, dl[0], err);
        goto done;
    }
    if (!(lab = malloc((size_t)dl[0]))) {
        rc = rx_errf(err, RX_ENOMEM, "'%s': cannot allocate %u labels", labels, dl[0]);
        goto done;
    }
    if ((rc = idx_body(&fl, lab, dl[0], wl, err)) != RX_OK)
        goto done;
    int max = 0;
    for (uint32_t i = 0; i < dl[0]; i++)
        if (lab[i] > max)
            max = lab[i];
    *n_classes = max + 1;
done:
    free(lab);
    idx_close(&fl);
    return rc;
}
