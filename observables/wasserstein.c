/* Observables `wp` (W_p between the clouds of two parts: a sample and an
 * independent twin, or particles against a reference cloud) and `wp_law`
 * (a 1D sample against its exact law), both exact (metrics/wasserstein.h). */
#include "observables/wasserstein.h"

#include <math.h>

#include "core/kinds.h"
#include "metrics/wasserstein.h"

static const mfh_param_def wp_params[] = {
    {"p", MFH_PARAM_REAL, "1", 1, 1e3, 0, 0, NULL, "exponent p of W_p (cost |x - y|^p)", 0},
};

static int put(mfh_values *out, double wpp, double p) {
  int rc = mfh_values_set(out, "wpp", wpp);
  if (!rc) rc = mfh_values_set(out, "wp", pow(wpp, 1.0 / p));
  return rc;
}

static int wp_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  const mfh_cloud *a = mfh_state_get(in->s[MFH_ROLE_A], &mfh_kind_cloud, NULL);
  const mfh_cloud *b = mfh_state_get(in->s[MFH_ROLE_B], &mfh_kind_cloud, NULL);
  double pp = mfh_params_real(p, "p"), wpp;
  int rc = mfh_wasserstein_pp(a, b, pp, &wpp, err);
  return rc ? rc : put(out, wpp, pp);
}

const mfh_observable_type mfh_obs_wp = {
    "wp",
    "exact W_p^p (wpp) and W_p (wp) between the clouds of two parts (cost |x - y|^p): optimal "
    "assignment, transportation, or quantiles in 1D",
    wp_params,
    sizeof wp_params / sizeof wp_params[0],
    "a:cloud b:cloud",
    "wpp wp",
    NULL,
    wp_eval,
};

static int wp_law_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  const mfh_cloud *a = mfh_state_get(in->s[MFH_ROLE_A], &mfh_kind_cloud, NULL);
  const mfh_law1d *law = mfh_state_get(in->s[MFH_ROLE_A], &mfh_kind_law1d, NULL);
  double pp = mfh_params_real(p, "p"), wpp;
  int rc = mfh_wasserstein_law1d_pp(a, law, pp, &wpp, err);
  return rc ? rc : put(out, wpp, pp);
}

const mfh_observable_type mfh_obs_wp_law = {
    "wp_law",
    "exact W_p^p (wpp) and W_p (wp) between a 1D sample and its exact law (both from part a)",
    wp_params,
    sizeof wp_params / sizeof wp_params[0],
    "a:cloud a:law1d",
    "wpp wp",
    NULL,
    wp_law_eval,
};
