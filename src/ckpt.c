/* ckpt.c: checkpoint files (rx_ckpt.h has the format and the rules). */
#include "rx_ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char magic[8] = {'R', 'X', 'S', 'W', 'C', 'K', 'P', 'T'};
#define HEAD_BYTES (8 + 4 + 4 + 16 + 4 + 4)
#define SECTION_HEAD (RX_CKPT_NAME_MAX + 8)

typedef struct section {
    char name[RX_CKPT_NAME_MAX];
    const unsigned char *p;
    uint64_t size;
} section;

struct rx_ckpt {
    unsigned char *buf;    /* the whole file */
    section *s;
    uint32_t n;
};

int rx_ckpt_path(const char *store_path, const char *key, char *buf, size_t size)
{
    int w = key ? snprintf(buf, size, "%s.ckpt/%s.ckpt", store_path, key)
                : snprintf(buf, size, "%s.ckpt", store_path);
    return w < 0 || (size_t)w >= size ? RX_EINVAL : RX_OK;
}

/* ---- writing ---------------------------------------------------------- */

typedef struct writer {
    FILE *f;
    uint64_t h;
    int bad;
} writer;

static void put(writer *w, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, w->f) != n)
        w->bad = 1;
    w->h = rx_hash64(p, n, w->h);
}

static void put_u32(writer *w, uint32_t v)
{
    unsigned char b[4] = {v, v >> 8, v >> 16, v >> 24};
    put(w, b, 4);
}

static void put_u64(writer *w, uint64_t v)
{
    put_u32(w, (uint32_t)v);
    put_u32(w, (uint32_t)(v >> 32));
}

/* fsync of the directory holding path, so that a rename is durable. */
static void sync_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int rx_ckpt_write(const char *path, const char *key, const rx_train_region *r, int n,
                  rx_err *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return rx_errf(err, RX_EINVAL, "checkpoint path '%s' is too long", path);
    if (strlen(key) != 16)
        return rx_errf(err, RX_EINVAL, "run key '%s' is not 16 hex digits", key);
    writer w = {fopen(tmp, "wb"), RX_HASH_INIT, 0};
    if (!w.f)
        return rx_errf(err, RX_EIO, "cannot write checkpoint '%s': %s", tmp, strerror(errno));
    put(&w, magic, sizeof magic);
    put_u32(&w, RX_CKPT_FORMAT);
    put_u32(&w, RX_TRAINER_VERSION);
    put(&w, key, 16);
    put_u32(&w, (uint32_t)n);
    put_u32(&w, 0);
    for (int i = 0; i < n; i++) {
        char name[RX_CKPT_NAME_MAX] = {0};
        if (strlen(r[i].name) >= sizeof name) {
            fclose(w.f);
            unlink(tmp);
            return rx_errf(err, RX_EINVAL, "checkpoint section name '%s' is too long", r[i].name);
        }
        memcpy(name, r[i].name, strlen(r[i].name));
        put(&w, name, sizeof name);
        put_u64(&w, r[i].size);
        put(&w, r[i].p, r[i].size);
    }
    uint64_t h = w.h;
    put_u64(&w, h);
    int saved = errno;
    if (fflush(w.f) != 0 || fsync(fileno(w.f)) != 0)
        w.bad = 1, saved = errno;
    if (fclose(w.f) != 0 && !w.bad)
        w.bad = 1, saved = errno;
    if (w.bad || rename(tmp, path) != 0) {
        if (!w.bad)
            saved = errno;
        unlink(tmp);
        return rx_errf(err, RX_EIO, "cannot write checkpoint '%s': %s", path,
                       strerror(saved ? saved : EIO));
    }
    sync_dir(path);
    return RX_OK;
}

/* ---- reading ---------------------------------------------------------- */

static uint32_t get_u32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t get_u64(const unsigned char *b)
{
    return get_u32(b) | (uint64_t)get_u32(b + 4) << 32;
}

/* Reads the whole file at path into *buf (*len bytes). */
static int slurp(const char *path, unsigned char **buf, size_t *len, rx_err *err)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return errno == ENOENT ? RX_ENOTFOUND
                               : rx_errf(err, RX_EIO, "cannot open checkpoint '%s': %s", path,
                                         strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return rx_errf(err, RX_EIO, "cannot read checkpoint '%s': %s", path, strerror(errno));
    }
    *len = (size_t)sb.st_size;
    *buf = malloc(*len ? *len : 1);
    if (!*buf) {
        close(fd);
        return rx_errf(err, RX_ENOMEM, "out of memory reading checkpoint '%s' (%zu bytes)", path,
                       *len);
    }
    size_t got = 0;
    while (got < *len) {
        ssize_t k = read(fd, *buf + got, *len - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (got != *len) {
        free(*buf);
        return rx_errf(err, RX_EIO, "cannot read checkpoint '%s': short read", path);
    }
    return RX_OK;
}

/* Checks and indexes the file image c->buf of len bytes. */
static int parse(rx_ckpt *c, size_t len, const char *path, const char *key, rx_err *err)
{
    const unsigned char *b = c->buf;
    if (len < HEAD_BYTES + 8 || memcmp(b, magic, sizeof magic) != 0)
        return rx_errf(err, RX_EFORMAT, "'%s' is not a rexsweep checkpoint (%s)", path,
                       len < HEAD_BYTES + 8 ? "too short" : "bad magic number");
    uint32_t format = get_u32(b + 8), trainer = get_u32(b + 12);
    if (format != RX_CKPT_FORMAT)
        return rx_errf(err, RX_EFORMAT, "checkpoint '%s' has format version %u, this rexsweep "
                       "reads %d", path, format, RX_CKPT_FORMAT);
    if (trainer != RX_TRAINER_VERSION)
        return rx_errf(err, RX_EFORMAT, "checkpoint '%s' was written by trainer version %u, "
                       "this is version %d", path, trainer, RX_TRAINER_VERSION);
    if (memcmp(b + 16, key, 16) != 0)
        return rx_errf(err, RX_EFORMAT, "checkpoint '%s' belongs to run '%.16s', not '%s'", path,
                       (const char *)(b + 16), key);
    if (get_u64(b + len - 8) != rx_hash64(b, len - 8, RX_HASH_INIT))
        return rx_errf(err, RX_EFORMAT, "checkpoint '%s' is damaged or cut short (bad checksum)",
                       path);
    c->n = get_u32(b + 32);
    if (c->n > (len - HEAD_BYTES - 8) / SECTION_HEAD)
        return rx_errf(err, RX_EFORMAT, "checkpoint '%s' is cut short (%u sections)", path, c->n);
    c->s = calloc(c->n ? c->n : 1, sizeof *c->s);
    if (!c->s)
        return rx_errf(err, RX_ENOMEM, "out of memory reading checkpoint '%s'", path);
    size_t at = HEAD_BYTES, end = len - 8;
    for (uint32_t i = 0; i < c->n; i++) {
        if (end - at < SECTION_HEAD)
            return rx_errf(err, RX_EFORMAT, "checkpoint '%s' is cut short in section %u", path, i);
        memcpy(c->s[i].name, b + at, RX_CKPT_NAME_MAX);
        c->s[i].name[RX_CKPT_NAME_MAX - 1] = '\0';
        c->s[i].size = get_u64(b + at + RX_CKPT_NAME_MAX);
        at += SECTION_HEAD;
        if (c->s[i].size > end - at)
            return rx_errf(err, RX_EFORMAT, "checkpoint '%s' is cut short in section '%s'", path,
                           c->s[i].name);
        c->s[i].p = b + at;
        at += c->s[i].size;
    }
    if (at != end)
        return rx_errf(err, RX_EFORMAT, "checkpoint '%s' has %zu bytes after its sections", path,
                       end - at);
    return RX_OK;
}

int rx_ckpt_read(const char *path, const char *key, rx_ckpt **out, rx_err *err)
{
    *out = NULL;
    rx_ckpt *c = calloc(1, sizeof *c);
    if (!c)
        return rx_errf(err, RX_ENOMEM, "out of memory reading checkpoint '%s'", path);
    size_t len = 0;
    int rc = slurp(path, &c->buf, &len, err);
    if (rc) {
        free(c);
        return rc;
    }
    rc = parse(c, len, path, key, err);
    if (rc) {
        rx_ckpt_free(c);
        return rc;
    }
    *out = c;
    return RX_OK;
}

void rx_ckpt_free(rx_ckpt *c)
{
    if (!c)
        return;
    free(c->buf);
    free(c->s);
    free(c);
}

const void *rx_ckpt_section(const rx_ckpt *c, const char *name, size_t *size)
{
    for (uint32_t i = 0; i < c->n; i++)
        if (strcmp(c->s[i].name, name) == 0) {
            *size = (size_t)c->s[i].size;
            return c->s[i].p;
        }
    return NULL;
}

int rx_ckpt_restore(const rx_ckpt *c, rx_train_region *r, int n, rx_err *err)
{
    for (int i = 0; i < n; i++) {
        size_t size = 0;
        if (!rx_ckpt_section(c, r[i].name, &size))
            return rx_errf(err, RX_EFORMAT, "the checkpoint has no section '%s'", r[i].name);
        if (size != r[i].size)
            return rx_errf(err, RX_EFORMAT, "the checkpoint's section '%s' has %zu bytes, "
                           "the run has %zu", r[i].name, size, r[i].size);
    }
    for (int i = 0; i < n; i++) {
        size_t size;
        memcpy(r[i].p, rx_ckpt_section(c, r[i].name, &size), r[i].size);
    }
    return RX_OK;
}
