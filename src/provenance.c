/*
 * provenance.c: where a run comes from (rx_provenance.h).  Collected once
 * per `rexsweep run`, before the workers fork, so that git and
 * /proc/cpuinfo are read once, not per run.
 */
#include "rx_provenance.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rx_blas.h"
#include "rx_common.h"

/* Runs a shell command; the first line it prints goes into buf (may be
 * NULL), *any (may be NULL) says whether it printed anything.  Returns
 * its exit status (-1 when it could not run). */
static int run_cmd(const char *cmd, char *buf, size_t size, int *any)
{
    char line[512];
    int n = 0;
    if (buf && size)
        buf[0] = '\0';
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        if (n++ == 0 && buf)
            snprintf(buf, size, "%.*s", (int)strcspn(line, "\n"), line);
    }
    if (any)
        *any = n > 0;
    return pclose(f);
}

/* Quotes s for a POSIX shell: 'it'\''s'.  Returns 0 when it does not fit. */
static int shell_quote(const char *s, char *buf, size_t size)
{
    size_t k = 0;
    if (size < 3)
        return 0;
    buf[k++] = '\'';
    for (; *s; s++) {
        if (k + 6 >= size)
            return 0;
        if (*s == '\'') {
            memcpy(buf + k, "'\\''", 4);
            k += 4;
        } else {
            buf[k++] = *s;
        }
    }
    buf[k++] = '\'';
    buf[k] = '\0';
    return 1;
}

static void collect_git(const char *spec_path, rx_provenance *p)
{
    char dir[1024], qdir[1200], qfile[1200], cmd[2600], out[128];
    const char *slash = strrchr(spec_path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash == spec_path ? 1 : slash - spec_path),
                 spec_path);
    if (!shell_quote(dir, qdir, sizeof qdir) ||
        !shell_quote(slash ? slash + 1 : spec_path, qfile, sizeof qfile))
        return;
    snprintf(cmd, sizeof cmd, "git -C %s rev-parse --verify -q HEAD 2>/dev/null", qdir);
    if (run_cmd(cmd, out, sizeof out, NULL) != 0 || strlen(out) != 40)
        return;
    memcpy(p->git_commit, out, 41);
    /* dirty: changes to tracked files, or the spec itself untracked or
     * changed (what ran is then not what the commit holds) */
    int tracked = 0, spec = 0;
    snprintf(cmd, sizeof cmd, "git -C %s status --porcelain --untracked-files=no 2>/dev/null",
             qdir);
    if (run_cmd(cmd, NULL, 0, &tracked) != 0)
        return;
    snprintf(cmd, sizeof cmd, "git -C %s status --porcelain -- %s 2>/dev/null", qdir, qfile);
    if (run_cmd(cmd, NULL, 0, &spec) != 0)
        return;
    p->git_dirty = tracked || spec;
}

static void collect_cpu(rx_provenance *p)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0)
            continue;
        const char *v = strchr(line, ':');
        if (v) {
            v += 1 + strspn(v + 1, " \t");
            snprintf(p->cpu, sizeof p->cpu, "%.*s", (int)strcspn(v, "\n"), v);
        }
        break;
    }
    fclose(f);
}

void rx_provenance_hash(rx_provenance *p)
{
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "%s\n%d\n%s\n%d\n%s\n%s\n%s\n%s\n%s", p->git_commit,
                     p->git_dirty, p->rexsweep_version, p->trainer_version, p->blas_version,
                     p->blas_core, p->cpu, p->compiler, p->host);
    uint64_t h = rx_hash64(buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1, RX_HASH_INIT);
    snprintf(p->id, sizeof p->id, "%016" PRIx64, h);
}

void rx_provenance_collect(const char *spec_path, rx_provenance *p)
{
    memset(p, 0, sizeof *p);
    p->git_dirty = -1;
    if (spec_path)
        collect_git(spec_path, p);
    snprintf(p->rexsweep_version, sizeof p->rexsweep_version, "%s", RX_VERSION);
    p->trainer_version = RX_TRAINER_VERSION;
    /* "OpenBLAS 0.3.21 DYNAMIC_ARCH ...": the first two words */
    const char *cfg = rx_blas_config();
    int w = (int)strcspn(cfg, " ");
    w += cfg[w] ? 1 + (int)strcspn(cfg + w + 1, " ") : 0;
    snprintf(p->blas_version, sizeof p->blas_version, "%.*s", w, cfg);
    snprintf(p->blas_core, sizeof p->blas_core, "%s", rx_blas_corename());
    collect_cpu(p);
#if defined(__clang__)
    snprintf(p->compiler, sizeof p->compiler, "clang %s", __clang_version__);
#elif defined(__GNUC__)
    snprintf(p->compiler, sizeof p->compiler, "gcc %s", __VERSION__);
#else
    snprintf(p->compiler, sizeof p->compiler, "unknown");
#endif
    if (gethostname(p->host, sizeof p->host - 1) != 0)
        snprintf(p->host, sizeof p->host, "unknown");
    rx_provenance_hash(p);
}

int rx_provenance_diff(const rx_provenance *a, const rx_provenance *b, char *buf, size_t size)
{
    char ta[16], tb[16];
    snprintf(ta, sizeof ta, "%d", a->trainer_version);
    snprintf(tb, sizeof tb, "%d", b->trainer_version);
    const struct { const char *name, *x, *y; } f[] = {
        {"rexsweep", a->rexsweep_version, b->rexsweep_version},
        {"trainer", ta, tb},
        {"openblas", a->blas_version, b->blas_version},
        {"blas_core", a->blas_core, b->blas_core},
        {"cpu", a->cpu, b->cpu},
        {"compiler", a->compiler, b->compiler},
        {"host", a->host, b->host},
    };
    int n = 0;
    size_t k = 0;
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (strcmp(f[i].x, f[i].y) == 0)
            continue;
        n++;
        if (k < size)
            k += (size_t)snprintf(buf + k, size - k, "%s%s '%s' -> '%s'", k ? "; " : "",
                                  f[i].name, f[i].x, f[i].y);
    }
    return n;
}

void rx_provenance_format(const rx_provenance *p, char *buf, size_t size)
{
    char git[64];
    if (p->git_commit[0])
        snprintf(git, sizeof git, ", git %.12s%s", p->git_commit,
                 p->git_dirty == 1 ? " (dirty)" : p->git_dirty == 0 ? "" : " (dirty?)");
    else
        snprintf(git, sizeof git, ", no git commit");
    snprintf(buf, size, "rexsweep %s, trainer %d, %s (%s), %s, %s, host %s%s",
             p->rexsweep_version, p->trainer_version,
             p->blas_version[0] ? p->blas_version : "OpenBLAS ?",
             p->blas_core[0] ? p->blas_core : "?", p->compiler[0] ? p->compiler : "compiler ?",
             p->cpu[0] ? p->cpu : "cpu ?", p->host, git);
}
