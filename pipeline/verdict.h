/* Fit and verdict: stored task results -> replica statistics per series,
 * rate fits, and each check's pass / fail / inconclusive with its numbers.
 * The only place that judges a study against its theorem. */
#ifndef MFH_PIPELINE_VERDICT_H
#define MFH_PIPELINE_VERDICT_H

#include <jansson.h>

#include "pipeline/exec.h"
#include "pipeline/plan.h"
#include "core/results.h"

/* Build the study result from a plan and its task outcomes.  baseline is
 * the blessed entry of this study and profile from expected/ (NULL when
 * there is none).  r must be released with mfh_study_result_free. */
int mfh_verdict_build(const mfh_plan *plan, const mfh_outcome *out, const json_t *baseline,
                      mfh_study_result *r, mfh_err *err);

/* expected/<id>.json: {"study": id, "profiles": {"quick": ENTRY, ...}},
 * ENTRY = {"mfh_version", "series": [{"axis", "measure", "x": [], "mean": [],
 * "se": [], "slope"}]}.  Load the entry for a profile (new reference, NULL
 * if absent; a malformed file is MFH_EINPUT naming it). */
int mfh_baseline_load(const char *expected_dir, const char *id, const char *profile, json_t **entry,
                      mfh_err *err);
/* Write (atomically) the current results of a study as the blessed entry
 * of its profile, keeping the other profiles' entries. */
int mfh_baseline_bless(const char *expected_dir, const mfh_study_result *r, mfh_err *err);

#endif
