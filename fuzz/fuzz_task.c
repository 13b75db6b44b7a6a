/* Fuzz target: the stored-task reader (pipeline/store.h) against task 0 of
 * a fixed small study.  A file is either verified (and then holds every
 * measure, finite) or rejected with a reason. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "pipeline/plan.h"
#include "pipeline/store.h"

static const char study_yaml[] =
    "id: fuzz-task\n"
    "title: \"the study of the task-file fuzz target\"\n"
    "theorem: FG-1\n"
    "system: iid\n"
    "model: {law: uniform, dim: 1}\n"
    "observable: {name: wp_law, p: 1}\n"
    "measure: wp\n"
    "sweep:\n"
    "  N: [16, 64, 256]\n"
    "replicas: 2\n"
    "seed: 5\n";

/* The plan, made once per process (harness state, not the library's). */
static const mfh_plan *the_plan(void) {
  static mfh_study s;
  static mfh_plan plan;
  static int state; /* 0 not made, 1 made, -1 failed */
  if (state) return state > 0 ? &plan : NULL;
  char path[512];
  mfh_err err;
  state = -1;
  if (mfh_fuzz_write((const uint8_t *)study_yaml, sizeof study_yaml - 1, "yaml", path, sizeof path)) return NULL;
  int rc = mfh_study_load(path, "quick", -1, &s, &err);
  remove(path);
  if (rc || mfh_plan_build(&s, &plan, &err)) return NULL;
  state = 1;
  return &plan;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const mfh_plan *plan = the_plan();
  if (!plan) __builtin_trap();
  mfh_values v = {0};
  double el, cpu;
  int verdict = mfh_store_parse((const char *)data, size, plan, 0, &v, &el, &cpu);
  if (verdict == MFH_STORED_OK) {
    const double *wp = mfh_values_get(&v, "wp");
    if (!wp || !isfinite(*wp) || !isfinite(el)) __builtin_trap();
  } else if (verdict < 0 || verdict >= MFH_STORED_NKINDS || v.n != 0) {
    __builtin_trap();
  }
  mfh_values_free(&v);
  return 0;
}
