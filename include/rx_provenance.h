/*
 * rx_provenance.h: where a sweep and a run come from: the git commit of
 * the repository holding the spec (and whether it was dirty), the
 * rexsweep and trainer versions, the OpenBLAS version and the kernel it
 * chose, the CPU model, the compiler and the host.  The store records one
 * row per distinct provenance (rexsweep-results(5)); runs point to it.
 *
 * Ownership: plain values, nothing allocated.
 */
#ifndef RX_PROVENANCE_H
#define RX_PROVENANCE_H

#include <stddef.h>

typedef struct rx_provenance {
    char git_commit[41];       /* full hash; "" outside a git repository */
    int git_dirty;             /* 1: uncommitted changes (or an untracked
                                  spec), 0: clean, -1: unknown */
    char rexsweep_version[32];
    int trainer_version;
    char blas_version[64];     /* "OpenBLAS 0.3.21" */
    char blas_core[64];        /* the kernel OpenBLAS chose: "Haswell" */
    char cpu[128];             /* /proc/cpuinfo's model name */
    char compiler[96];         /* "gcc 12.2.0" */
    char host[128];
    char id[17];               /* a hash of all the above: the row's key */
} rx_provenance;

/*
 * Fills *p for this process.  spec_path (may be NULL) is the sweep spec:
 * its directory's git repository gives the commit and the dirty flag
 * (`git rev-parse HEAD`, `git status --porcelain`); no git, or no
 * repository, leaves them empty and unknown.  Never fails.
 */
void rx_provenance_collect(const char *spec_path, rx_provenance *p);

/* Sets p->id from the other fields (after filling them by hand). */
void rx_provenance_hash(rx_provenance *p);

/*
 * Lists, into buf, the fields of the execution environment that differ
 * between recorded and now ("trainer 1 -> 2; blas_core Haswell ->
 * SkylakeX"); the git fields, which say where a spec came from, are left
 * out.  Returns how many differ.
 */
int rx_provenance_diff(const rx_provenance *recorded, const rx_provenance *now, char *buf,
                       size_t size);

/* One line: "rexsweep 0.1.0, trainer 2, OpenBLAS 0.3.21 (Haswell), gcc
 * 12.2.0, AMD EPYC, host h, git 1a2b3c4d5e6f (dirty)". */
void rx_provenance_format(const rx_provenance *p, char *buf, size_t size);

#endif
