#include "pipeline/shard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A variable's value as an integer; 0 unset (or the "unset" spelling), 1 set,
 * MFH_EINPUT not an integer. */
static int env_int(mfh_env_lookup env, void *ctx, const char *name, const char *unset_as,
                   long long *v, mfh_err *err) {
  const char *s = env(name, ctx);
  if (!s || !s[0] || (unset_as && !strcmp(s, unset_as))) return 0;
  char *end;
  errno = 0;
  long long x = strtoll(s, &end, 10);
  if (*end || errno) return mfh_err_set(err, MFH_EINPUT, "--shard auto: %s='%s' is not an integer", name, s);
  *v = x;
  return 1;
}

/* Like env_int, but the variable must be set when `needed_by` is. */
static int env_needed(mfh_env_lookup env, void *ctx, const char *name, const char *needed_by, long long *v,
                      mfh_err *err) {
  int rc = env_int(env, ctx, name, NULL, v, err);
  if (rc == 0)
    return mfh_err_set(err, MFH_EINPUT, "--shard auto: %s is set but %s is not", needed_by, name);
  return rc;
}

typedef struct level {
  long long index, count; /* 0-based index; count 0 = unknown */
  char what[120];
} level;

/* The array level: 1 found, 0 none, < 0 error. */
static int array_level(mfh_env_lookup env, void *ctx, level *L, mfh_err *err) {
  long long id, a, b, step = 1;
  int rc;
  if ((rc = env_int(env, ctx, "SLURM_ARRAY_TASK_ID", NULL, &id, err))) {
    if (rc < 0) return rc;
    if ((rc = env_needed(env, ctx, "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_ID", &a, err)) < 0) return rc;
    if ((rc = env_needed(env, ctx, "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_ID", &b, err)) < 0) return rc;
    if ((rc = env_int(env, ctx, "SLURM_ARRAY_TASK_STEP", NULL, &step, err)) < 0) return rc;
    if (step < 1) step = 1;
    if (b < 1 || id < a || (id - a) % step != 0 || (id - a) / step >= b)
      return mfh_err_set(err, MFH_EINPUT,
                         "--shard auto: SLURM_ARRAY_TASK_ID=%lld is not one of %lld indices from %lld in steps "
                         "of %lld; submit a range such as --array=1-%lld (not a list)",
                         id, b, a, step, b > 0 ? b : 1);
    L->index = (id - a) / step;
    L->count = b;
    snprintf(L->what, sizeof L->what, "SLURM_ARRAY_TASK_ID=%lld of %lld", id, b);
    return 1;
  }
  if ((rc = env_int(env, ctx, "SGE_TASK_ID", "undefined", &id, err))) {
    if (rc < 0) return rc;
    if ((rc = env_needed(env, ctx, "SGE_TASK_FIRST", "SGE_TASK_ID", &a, err)) < 0) return rc;
    if ((rc = env_needed(env, ctx, "SGE_TASK_LAST", "SGE_TASK_ID", &b, err)) < 0) return rc;
    if ((rc = env_int(env, ctx, "SGE_TASK_STEPSIZE", "undefined", &step, err)) < 0) return rc;
    if (step < 1) step = 1;
    if (id < a || id > b || (id - a) % step != 0)
      return mfh_err_set(err, MFH_EINPUT, "--shard auto: SGE_TASK_ID=%lld is not in %lld-%lld:%lld", id, a, b, step);
    L->index = (id - a) / step;
    L->count = (b - a) / step + 1;
    snprintf(L->what, sizeof L->what, "SGE_TASK_ID=%lld of %lld", id, L->count);
    return 1;
  }
  /* index-only sources: the count comes from --shard auto/N */
  static const char *const bare[] = {"LSB_JOBINDEX", "PBS_ARRAY_INDEX", "PBS_ARRAYID", "JOB_COMPLETION_INDEX"};
  for (size_t k = 0; k < sizeof bare / sizeof bare[0]; k++) {
    if ((rc = env_int(env, ctx, bare[k], NULL, &id, err)) < 0) return rc;
    if (rc == 0 || (k == 0 && id == 0)) continue; /* LSF sets LSB_JOBINDEX=0 outside arrays */
    if (id < 0) return mfh_err_set(err, MFH_EINPUT, "--shard auto: %s=%lld is negative", bare[k], id);
    L->index = id;
    L->count = 0;
    snprintf(L->what, sizeof L->what, "%s=%lld", bare[k], id);
    return 1;
  }
  return 0;
}

/* The process level (a rank of mpirun or srun): 1 found, 0 none, < 0 error. */
static int process_level(mfh_env_lookup env, void *ctx, level *L, mfh_err *err) {
  static const char *const pairs[][2] = {{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"}, {"PMI_RANK", "PMI_SIZE"}};
  long long r, n;
  int rc;
  for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
    if ((rc = env_int(env, ctx, pairs[k][0], NULL, &r, err)) < 0) return rc;
    if (rc == 0) continue;
    if ((rc = env_needed(env, ctx, pairs[k][1], pairs[k][0], &n, err)) < 0) return rc;
    if (n < 1 || r < 0 || r >= n)
      return mfh_err_set(err, MFH_EINPUT, "--shard auto: %s=%lld is not a rank of %s=%lld", pairs[k][0], r,
                         pairs[k][1], n);
    L->index = r;
    L->count = n;
    snprintf(L->what, sizeof L->what, "%s=%lld of %lld", pairs[k][0], r, n);
    return 1;
  }
  const char *step = env("SLURM_STEP_ID", ctx);
  if (!step || !step[0]) return 0;
  if ((rc = env_int(env, ctx, "SLURM_PROCID", NULL, &r, err)) <= 0) return rc;
  const char *count_var = "SLURM_STEP_NUM_TASKS";
  if ((rc = env_int(env, ctx, count_var, NULL, &n, err)) < 0) return rc;
  if (rc == 0) {
    count_var = "SLURM_NTASKS";
    if ((rc = env_needed(env, ctx, count_var, "SLURM_PROCID", &n, err)) < 0) return rc;
  }
  if (n < 1 || r < 0 || r >= n)
    return mfh_err_set(err, MFH_EINPUT, "--shard auto: SLURM_PROCID=%lld is not a rank of %s=%lld", r, count_var, n);
  L->index = r;
  L->count = n;
  snprintf(L->what, sizeof L->what, "SLURM_PROCID=%lld of %lld", r, n);
  return 1;
}

int mfh_shard_from_env(mfh_env_lookup env, void *ctx, size_t explicit_count, mfh_shard *out, mfh_err *err) {
  level A = {0, 1, ""}, P = {0, 1, ""};
  int has_a = array_level(env, ctx, &A, err);
  if (has_a < 0) return has_a;
  int has_p = process_level(env, ctx, &P, err);
  if (has_p < 0) return has_p;
  if (!has_a && !has_p)
    return mfh_err_set(err, MFH_EINPUT,
                       "--shard auto: no launcher environment found (none of SLURM_ARRAY_TASK_ID, SLURM_PROCID in "
                       "a job step, OMPI_COMM_WORLD_RANK, PMI_RANK, SGE_TASK_ID, LSB_JOBINDEX, PBS_ARRAY_INDEX, "
                       "PBS_ARRAYID, JOB_COMPLETION_INDEX is set); outside a scheduler use --shard I/N");
  if (has_a && A.count == 0) {
    if (!explicit_count)
      return mfh_err_set(err, MFH_EINPUT,
                         "--shard auto: %s gives no count of array jobs; say it with --shard auto/N", A.what);
    A.index %= (long long)explicit_count;
    A.count = (long long)explicit_count;
    size_t len = strlen(A.what);
    snprintf(A.what + len, sizeof A.what - len, " mod %zu", explicit_count);
  } else if (explicit_count) {
    long long total = A.count * P.count;
    if ((long long)explicit_count != total)
      return mfh_err_set(err, MFH_EINPUT, "--shard auto/%zu: the environment says %lld shards (%s%s%s)",
                         explicit_count, total, A.what, has_a && has_p ? ", " : "", P.what);
  }
  out->index = (size_t)(A.index * P.count + P.index) + 1;
  out->count = (size_t)(A.count * P.count);
  snprintf(out->source, sizeof out->source, "%s%s%s", A.what, has_a && has_p ? " x " : "", P.what);
  return MFH_OK;
}
