/* `--shard auto`: which 1/N of a run this process does, read from the
 * environment a batch scheduler or MPI launcher gives it.
 *
 * Two levels multiply: an array level (one job of a job array / indexed
 * job) and a process level (one rank of srun or mpirun inside that job):
 * shard = array_index * nprocs + rank, count = array_count * nprocs.
 *
 *   array level, in this order (the first one set is used):
 *     SLURM_ARRAY_TASK_ID   with SLURM_ARRAY_TASK_MIN, _COUNT (and _STEP)
 *     SGE_TASK_ID           with SGE_TASK_FIRST, _LAST, _STEPSIZE
 *                           ("undefined" outside an array job = unset)
 *     LSB_JOBINDEX          LSF; 0 outside an array job = unset
 *     PBS_ARRAY_INDEX       PBS Pro
 *     PBS_ARRAYID           Torque
 *     JOB_COMPLETION_INDEX  Kubernetes indexed Job
 *   The last four carry no count: the caller names it (`--shard auto/N`),
 *   and shard = index mod N, a one-to-one map for any N consecutive
 *   indices whatever the first one (0 or 1).
 *   process level:
 *     OMPI_COMM_WORLD_RANK  with OMPI_COMM_WORLD_SIZE (Open MPI mpirun)
 *     PMI_RANK              with PMI_SIZE (MPICH / Intel MPI hydra, srun --mpi=pmi2)
 *     SLURM_PROCID          with SLURM_STEP_NUM_TASKS, else SLURM_NTASKS, only
 *                           inside a job step (SLURM_STEP_ID set): a batch
 *                           script itself is one process even under -n 4.
 *
 * No global state: the environment is read through a caller's lookup. */
#ifndef MFH_PIPELINE_SHARD_H
#define MFH_PIPELINE_SHARD_H

#include <stddef.h>

#include "core/status.h"

/* The value of an environment variable, or NULL when unset. */
typedef const char *(*mfh_env_lookup)(const char *name, void *ctx);

typedef struct mfh_shard {
  size_t index, count; /* 1 <= index <= count */
  char source[256];    /* what it was read from, e.g. "SLURM_ARRAY_TASK_ID=3 of 4" */
} mfh_shard;

/* Read the shard from the environment.  explicit_count is the N of
 * `--shard auto/N` (0 when not given): required by the sources without a
 * count, checked against the sources with one.  MFH_EINPUT with a message
 * naming the variables when none is set, a value is not an integer or is
 * out of range. */
int mfh_shard_from_env(mfh_env_lookup env, void *ctx, size_t explicit_count, mfh_shard *out,
                       mfh_err *err);

#endif
