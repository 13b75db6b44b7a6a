/* Study results: verdict names, release, worst verdict. */
#include "core/results.h"

#include <stdlib.h>
#include <string.h>

const char *mfh_verdict_text(int verdict) {
  switch (verdict) {
    case MFH_PASS: return "pass";
    case MFH_FAIL: return "fail";
    case MFH_INCONCLUSIVE: return "inconclusive";
    case MFH_CHECK_ERROR: return "error";
  }
  return "unknown";
}

void mfh_study_result_free(mfh_study_result *r) {
  if (!r) return;
  for (size_t i = 0; r->series && i < r->nseries; i++) {
    mfh_series *s = &r->series[i];
    free(s->pts);
    mfh_fit_result_free(&s->fit); /* also fine when has_fit == 0 (zeroed) */
    free(s->bound);
  }
  for (size_t i = 0; r->checks && i < r->nchecks; i++) mfh_values_free(&r->checks[i].numbers);
  for (size_t i = 0; r->cost && i < r->ncost; i++) {
    free(r->cost[i].pts);
    mfh_fit_result_free(&r->cost[i].fit);
  }
  free(r->cost);
  free(r->series);
  free(r->checks);
  memset(r, 0, sizeof *r);
}

/* Severity order: pass < inconclusive < error < fail.  A verdict value
 * outside the enum counts as an error. */
static int severity(int v) {
  switch (v) {
    case MFH_PASS: return 0;
    case MFH_INCONCLUSIVE: return 1;
    case MFH_FAIL: return 3;
  }
  return 2;
}

int mfh_study_result_worst(const mfh_study_result *r) {
  if (!r) return MFH_CHECK_ERROR;
  int worst = MFH_PASS; /* a study without checks passes vacuously */
  for (size_t i = 0; r->checks && i < r->nchecks; i++) {
    int v = r->checks[i].verdict;
    if (severity(v) > severity(worst)) worst = severity(v) == 2 ? MFH_CHECK_ERROR : v;
  }
  return worst;
}

size_t mfh_study_results_undecided(const mfh_study_result *const *st, size_t n) {
  size_t u = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < st[i]->nchecks; c++) u += st[i]->checks[c].undecided != 0;
  return u;
}
