/*
 * rx_ckpt.h: checkpoint files, the saved state of a run in the middle of
 * its training, so that a rerun of an interrupted, killed or preempted run
 * goes on from there and ends with the metrics, bit for bit, of a run
 * that was never stopped.
 *
 * Convention (for any trainer that keeps checkpoints): the checkpoints of
 * the runs recorded in the store STORE live in the directory STORE.ckpt
 * beside it, one file per run, named by run key: STORE.ckpt/KEY.ckpt.
 * A file is written whole to KEY.ckpt.tmp, flushed to disk (fsync) and
 * renamed over KEY.ckpt, so a crash leaves either the old checkpoint or the
 * new one, never half of one; it is removed once the run is recorded with
 * a final status.  Only the worker that holds the run in the store touches
 * its checkpoint.
 *
 * The file format (little-endian; documented in rexsweep-run(1)):
 *   "RXSWCKPT"            8 bytes, the magic number
 *   u32 format version    RX_CKPT_FORMAT
 *   u32 trainer version   RX_TRAINER_VERSION of the writer
 *   char key[16]          the run key, hex digits
 *   u32 n                 the number of sections
 *   u32 0                 reserved
 *   n sections:           char name[32] (NUL-padded), u64 size, size bytes
 *   u64 checksum          64-bit FNV-1a of every byte before it
 * A file with another magic, format or trainer version, another key, a bad
 * checksum, or that is cut short, is refused with a message saying which.
 *
 * Ownership: rx_ckpt_read allocates an rx_ckpt holding the whole file;
 * rx_ckpt_free releases it, and the section pointers with it.
 */
#ifndef RX_CKPT_H
#define RX_CKPT_H

#include <stddef.h>
#include "rx_common.h"
#include "rx_train.h"

#define RX_CKPT_FORMAT 1
#define RX_CKPT_NAME_MAX 32      /* a section name's bytes, NUL included */

typedef struct rx_ckpt rx_ckpt;

/* The checkpoint file of run key of the store at store_path
 * (STORE.ckpt/KEY.ckpt) into buf; with key NULL, the directory
 * (STORE.ckpt).  Returns RX_EINVAL when it does not fit. */
int rx_ckpt_path(const char *store_path, const char *key, char *buf, size_t size);

/*
 * Writes the sections r[0..n) (names shorter than RX_CKPT_NAME_MAX) as the
 * checkpoint of run key at path, atomically: into path.tmp, fsync,
 * rename, fsync of the directory, which must exist.  On failure path is
 * left as it was and err says why (RX_EIO).
 */
int rx_ckpt_write(const char *path, const char *key, const rx_train_region *r, int n,
                  rx_err *err);

/*
 * Reads and checks the checkpoint of run key at path into *out (the
 * caller frees it with rx_ckpt_free).  RX_ENOTFOUND when there is no
 * file; RX_EFORMAT, with what is wrong, when it is not a checkpoint of
 * this run by this trainer version or is damaged (a bad checksum, cut
 * short); RX_EIO when it cannot be read; RX_ENOMEM.
 */
int rx_ckpt_read(const char *path, const char *key, rx_ckpt **out, rx_err *err);

void rx_ckpt_free(rx_ckpt *c);

/* The section named name: its bytes (owned by c) and *size, or NULL. */
const void *rx_ckpt_section(const rx_ckpt *c, const char *name, size_t *size);

/*
 * Copies the sections named like r[0..n) into their regions, all or
 * none: when one is missing or of another size, RX_EFORMAT says which and
 * no region is touched.
 */
int rx_ckpt_restore(const rx_ckpt *c, rx_train_region *r, int n, rx_err *err);

#endif
