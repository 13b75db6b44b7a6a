/* The task store: what a run keeps on disk under its study folder
 * <out>/<id>/, and who may write there.
 *
 * Task files.  Each finished task is <dir>/tasks/<key>.json, written to a
 * temporary sibling and renamed (atomic), holding the task's key, its
 * canonical text, its values ("%.17g", read back exactly), its wall time,
 * its CPU time when known (cpu_s: never in a key or a verdict, the cost axis
 * of work-precision reports, so not checksummed either) and a checksum:
 * XXH3-128 of the key, the canonical text, every value and the wall time.  A stored file is reused only when it parses, names this task
 * (key and canonical text), matches its checksum, and holds every declared
 * measure as a finite number; anything else is reported with a reason and
 * recomputed.  The checksum catches corruption and careless edits, not an
 * adversary who recomputes it (the store is as trustworthy as the folder).
 *
 * The run lock.  Overlapping runs on one study folder are refused, while the
 * shards of one run (Slurm arrays, `mpirun ... --shard auto`) may write it
 * together.  The output folder has .lock-run (exclusive for an unsharded run
 * or a report, shared by shards), and flock(2) locks on three files in each
 * study folder:
 *   .lock               an unsharded run holds it exclusively; the shards of
 *                       a sharded run hold it shared;
 *   .lock-shard-I-of-N  each shard holds its own exclusively (the same shard
 *                       twice is refused);
 *   .lock-meta          held exclusively for the few milliseconds in which a
 *                       process takes the two above and reads or writes
 *                       run.json, so joining and starting are never raced.
 * The first process of a run (the one that gets .lock exclusively) writes
 * run.json and removes temporary files a killed run left behind; a shard
 * that joins live shards compares its run.json (profile, seed, number of
 * shards) with theirs and is refused when they differ.  Locks vanish with
 * their process (kill -9 included), so a dead run never blocks the next.
 * On NFS, Linux emulates flock with POSIX byte-range locks (NFSv4: works
 * across nodes); Lustre needs the `flock` mount option. */
#ifndef MFH_PIPELINE_STORE_H
#define MFH_PIPELINE_STORE_H

#include <stddef.h>

#include "core/values.h"
#include "pipeline/plan.h"

/* What loading a stored task found (only MFH_STORED_OK is reused). */
#define MFH_STORED_LIST(X)                                                   \
  X(MFH_STORED_OK, "verified")                                             \
  X(MFH_STORED_ABSENT, "not stored")                                       \
  X(MFH_STORED_UNREADABLE, "not a readable task file (truncated or not JSON)") \
  X(MFH_STORED_FOREIGN, "the file belongs to another task")                \
  X(MFH_STORED_CHECKSUM, "checksum mismatch (the file was changed)")       \
  X(MFH_STORED_INCOMPLETE, "a declared measure is missing")                \
  X(MFH_STORED_NONFINITE, "a value is not a finite number")

enum mfh_stored {
#define MFH_X_STORED(name, text) name,
  MFH_STORED_LIST(MFH_X_STORED)
#undef MFH_X_STORED
  MFH_STORED_NKINDS
};
/* Text of an enum mfh_stored value. */
const char *mfh_stored_text(int stored);

/* Load task ti of plan from dir/tasks/<key>.json into vals (cleared first),
 * *elapsed_s and *cpu_s (NaN when the file has none).  Returns an enum
 * mfh_stored; vals is meaningful only for MFH_STORED_OK. */
int mfh_store_load(const char *dir, const mfh_plan *plan, size_t ti, mfh_values *vals, double *elapsed_s,
                   double *cpu_s);
/* The same check on a task file's text (len bytes, need not be terminated);
 * the fuzz target of the reader. */
int mfh_store_parse(const char *text, size_t len, const mfh_plan *plan, size_t ti, mfh_values *vals,
                    double *elapsed_s, double *cpu_s);
/* Store task ti's values (non-finite values are not stored) and times
 * (cpu_s left out when not finite) atomically, without fsync (see
 * mfh_write_atomic_nosync).  0, MFH_EIO or MFH_ENOMEM. */
int mfh_store_save(const char *dir, const mfh_plan *plan, size_t ti, const mfh_values *vals,
                   double elapsed_s, double cpu_s, mfh_err *err);

/* The keys of the task files in dir/tasks, sorted, so that a task never
 * stored costs no failed open() (slow with thousands of files on overlay
 * file systems). */
typedef struct mfh_store_keys {
  char (*key)[33];
  size_t n;
} mfh_store_keys;
void mfh_store_keys_load(const char *dir, mfh_store_keys *ks); /* empty when unreadable */
int mfh_store_keys_has(const mfh_store_keys *ks, const char *key);
void mfh_store_keys_free(mfh_store_keys *ks);

/* The run lock of one study folder (see above). */
typedef struct mfh_store_lock mfh_store_lock;
/* Take it for a run: shard_n = 0 for an unsharded run, else shard shard_i of
 * shard_n (1-based).  run_json is the run record (a JSON object with
 * "profile", "seed" and "shards") to write as dir/run.json when this process
 * starts the run; a shard joining live shards compares it instead, and so
 * does a shard starting over an unfinished sharded run unless fresh.
 * MFH_EBUSY when an overlapping run holds the folder, MFH_EUSAGE when the
 * run differs (profile, seed, shards), MFH_EIO. */
int mfh_store_lock_run(const char *dir, size_t shard_i, size_t shard_n, int fresh, const char *run_json,
                       mfh_store_lock **out, mfh_err *err);
/* Take it to read a finished run (mfh report): exclusive, refused
 * (MFH_EBUSY) while a run writes the folder.  A folder without a lock file
 * that cannot be given one (read-only) is read unlocked (*out = NULL). */
int mfh_store_lock_read(const char *dir, mfh_store_lock **out, mfh_err *err);
/* The lock of a whole output folder (<out>/.lock-run), for the files a run
 * writes beside the study folders (index.html, junit.xml, summary.md):
 * exclusive for an unsharded run or a report, shared by shards.  MFH_EBUSY
 * when another process holds it the other way. */
int mfh_store_lock_out(const char *dir, int exclusive, mfh_store_lock **out, mfh_err *err);
void mfh_store_unlock(mfh_store_lock *l); /* accepts NULL */

#endif
