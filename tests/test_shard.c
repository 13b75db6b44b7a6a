/* Tests for pipeline/shard: `--shard auto` read from each launcher's
 * environment, the array x process product, and the errors. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/shard.h"
#include "tests/testutil.h"

/* An environment as "NAME=value" strings, NULL-terminated. */
static const char *lookup(const char *name, void *ctx) {
  size_t n = strlen(name);
  for (const char *const *e = ctx; *e; e++)
    if (!strncmp(*e, name, n) && (*e)[n] == '=') return *e + n + 1;
  return NULL;
}

static mfh_shard shard_of(const char *const *env, size_t count) {
  mfh_shard sh;
  mfh_err err;
  mfh_err_clear(&err);
  int rc = mfh_shard_from_env(lookup, (void *)env, count, &sh, &err);
  ck_assert_msg(rc == MFH_OK, "unexpected error: %s", err.msg);
  return sh;
}

static void expect_shard(const char *const *env, size_t count, size_t i, size_t n) {
  mfh_shard sh = shard_of(env, count);
  ck_assert_msg(sh.index == i && sh.count == n, "got %zu/%zu from %s, wanted %zu/%zu", sh.index, sh.count,
                sh.source, i, n);
}

static void expect_error(const char *const *env, size_t count, const char *needle) {
  mfh_shard sh;
  mfh_err err;
  mfh_err_clear(&err);
  int rc = mfh_shard_from_env(lookup, (void *)env, count, &sh, &err);
  ck_assert_int_eq(rc, MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, needle) != NULL, "message '%s' lacks '%s'", err.msg, needle);
}

START_TEST(slurm_array) {
  const char *e1[] = {"SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_MIN=1", "SLURM_ARRAY_TASK_COUNT=4",
                      "SLURM_PROCID=0", "SLURM_NTASKS=2", NULL}; /* batch script under -n 2: one process */
  expect_shard(e1, 0, 1, 4);
  const char *e2[] = {"SLURM_ARRAY_TASK_ID=3", "SLURM_ARRAY_TASK_MIN=0", "SLURM_ARRAY_TASK_COUNT=4", NULL};
  expect_shard(e2, 0, 4, 4);
  expect_shard(e2, 4, 4, 4); /* an explicit count that agrees */
  const char *e3[] = {"SLURM_ARRAY_TASK_ID=5", "SLURM_ARRAY_TASK_MIN=1", "SLURM_ARRAY_TASK_COUNT=3",
                      "SLURM_ARRAY_TASK_STEP=2", NULL};
  expect_shard(e3, 0, 3, 3);
  mfh_shard sh = shard_of(e2, 0);
  ck_assert_str_eq(sh.source, "SLURM_ARRAY_TASK_ID=3 of 4");
}
END_TEST

START_TEST(slurm_step_and_mpi) {
  const char *srun[] = {"SLURM_STEP_ID=0", "SLURM_PROCID=1", "SLURM_STEP_NUM_TASKS=2", "SLURM_NTASKS=8", NULL};
  expect_shard(srun, 0, 2, 2);
  const char *srun_old[] = {"SLURM_STEP_ID=0", "SLURM_PROCID=2", "SLURM_NTASKS=3", NULL};
  expect_shard(srun_old, 0, 3, 3);
  const char *ompi[] = {"OMPI_COMM_WORLD_RANK=3", "OMPI_COMM_WORLD_SIZE=4", NULL};
  expect_shard(ompi, 0, 4, 4);
  const char *pmi[] = {"PMI_RANK=0", "PMI_SIZE=2", NULL};
  expect_shard(pmi, 0, 1, 2);
  /* mpirun inside a Slurm step: the MPI rank wins over SLURM_PROCID */
  const char *both[] = {"OMPI_COMM_WORLD_RANK=2", "OMPI_COMM_WORLD_SIZE=4", "SLURM_STEP_ID=0", "SLURM_PROCID=0",
                        "SLURM_NTASKS=1", NULL};
  expect_shard(both, 0, 3, 4);
  /* srun -n 2 inside element 3 of a 4-element array: 8 shards */
  const char *prod[] = {"SLURM_ARRAY_TASK_ID=3", "SLURM_ARRAY_TASK_MIN=1", "SLURM_ARRAY_TASK_COUNT=4",
                        "SLURM_STEP_ID=0", "SLURM_PROCID=1", "SLURM_STEP_NUM_TASKS=2", NULL};
  expect_shard(prod, 0, 6, 8);
  ck_assert_str_eq(shard_of(prod, 0).source, "SLURM_ARRAY_TASK_ID=3 of 4 x SLURM_PROCID=1 of 2");
}
END_TEST

START_TEST(other_schedulers) {
  const char *sge[] = {"SGE_TASK_ID=7", "SGE_TASK_FIRST=3", "SGE_TASK_LAST=9", "SGE_TASK_STEPSIZE=2", NULL};
  expect_shard(sge, 0, 3, 4);
  const char *sge_plain[] = {"SGE_TASK_ID=undefined", "SGE_TASK_FIRST=undefined", "PMI_RANK=1", "PMI_SIZE=2", NULL};
  expect_shard(sge_plain, 0, 2, 2);
  /* index-only sources: index mod N maps any N consecutive indices one to one */
  const char *k8s[] = {"JOB_COMPLETION_INDEX=0", NULL};
  expect_shard(k8s, 3, 1, 3);
  int seen[5] = {0};
  for (int first = 0; first <= 1; first++) {
    memset(seen, 0, sizeof seen);
    for (int k = first; k < first + 5; k++) {
      char v[40];
      snprintf(v, sizeof v, "PBS_ARRAY_INDEX=%d", k);
      const char *pbs[] = {v, NULL};
      mfh_shard sh = shard_of(pbs, 5);
      ck_assert(sh.index >= 1 && sh.index <= 5 && sh.count == 5);
      seen[sh.index - 1]++;
    }
    for (int k = 0; k < 5; k++) ck_assert_int_eq(seen[k], 1);
  }
  const char *lsf[] = {"LSB_JOBINDEX=2", NULL};
  expect_shard(lsf, 2, 1, 2);
  const char *lsf0[] = {"LSB_JOBINDEX=0", "OMPI_COMM_WORLD_RANK=1", "OMPI_COMM_WORLD_SIZE=2", NULL};
  expect_shard(lsf0, 0, 2, 2); /* LSB_JOBINDEX=0: not an array job */
  const char *torque[] = {"PBS_ARRAYID=4", NULL};
  expect_shard(torque, 4, 1, 4);
}
END_TEST

START_TEST(errors) {
  const char *none[] = {"HOME=/root", "SLURM_PROCID=0", "SLURM_NTASKS=4", NULL};
  expect_error(none, 0, "no launcher environment found");
  const char *nocount[] = {"PBS_ARRAY_INDEX=3", NULL};
  expect_error(nocount, 0, "say it with --shard auto/N");
  const char *notint[] = {"OMPI_COMM_WORLD_RANK=two", "OMPI_COMM_WORLD_SIZE=4", NULL};
  expect_error(notint, 0, "OMPI_COMM_WORLD_RANK='two' is not an integer");
  const char *rank[] = {"PMI_RANK=4", "PMI_SIZE=4", NULL};
  expect_error(rank, 0, "PMI_RANK=4 is not a rank of PMI_SIZE=4");
  const char *half[] = {"SLURM_ARRAY_TASK_ID=2", NULL};
  expect_error(half, 0, "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN is not");
  const char *list[] = {"SLURM_ARRAY_TASK_ID=7", "SLURM_ARRAY_TASK_MIN=1", "SLURM_ARRAY_TASK_COUNT=3", NULL};
  expect_error(list, 0, "not one of 3 indices");
  const char *disagree[] = {"OMPI_COMM_WORLD_RANK=0", "OMPI_COMM_WORLD_SIZE=4", NULL};
  expect_error(disagree, 3, "the environment says 4 shards");
  const char *neg[] = {"JOB_COMPLETION_INDEX=-1", NULL};
  expect_error(neg, 2, "negative");
}
END_TEST

int main(void) {
  Suite *s = suite_create("shard");
  TCase *tc = tcase_create("env");
  tcase_add_test(tc, slurm_array);
  tcase_add_test(tc, slurm_step_and_mpi);
  tcase_add_test(tc, other_schedulers);
  tcase_add_test(tc, errors);
  suite_add_tcase(s, tc);
  return mfh_test_main(s);
}
