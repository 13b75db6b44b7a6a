/* Fuzz target: the study loader (YAML -> validated study), then, for
 * studies small enough, the estimate and the plan.  Anything may be refused;
 * nothing may crash, leak, hang or read out of bounds. */
#include <stdio.h>

#include "fuzz/fuzz.h"
#include "pipeline/estimate.h"
#include "pipeline/plan.h"
#include "pipeline/study.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[512];
  if (mfh_fuzz_write(data, size, "yaml", path, sizeof path)) return 0;
  static const char *const profiles[] = {"quick", "full"};
  for (int p = 0; p < 2; p++) {
    mfh_study s;
    mfh_err err;
    mfh_err_clear(&err);
    if (mfh_study_load(path, profiles[p], p ? 7 : -1, &s, &err)) continue;
    mfh_estimate e;
    if (!mfh_study_estimate(&s, 2, &e, &err) && e.tasks <= 2000) {
      mfh_plan plan;
      if (!mfh_plan_build(&s, &plan, &err)) mfh_plan_free(&plan);
    }
    mfh_study_free(&s);
  }
  remove(path);
  return 0;
}
