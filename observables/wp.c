#include "observables/wp.h"
#include "metrics/wasserstein.h"

#include <math.h>

static const mfh_param_def wp_params[] = {
    {"p", MFH_PARAM_REAL, "1", 1, 1e3, 0, 0, NULL, "exponent p of W_p (cost |x - y|^p)", 0},
};

static int put(mfh_values *out, double wpp, double p) {
  int rc = mfh_values_set(out, "wpp", wpp);
  if (!rc) rc = mfh_values_set(out, "wp", pow(wpp, 1.0 / p));
  return rc;
}

static int wp_law_validate(const mfh_params *p, const char **param, mfh_err *err) {
  if (mfh_params_int(p, "dim") != 1) {
    *param = "dim";
    return mfh_err_set(err, MFH_EINPUT,
                       "observable wp_law needs dim = 1 (an exact 1D law); "
                       "use wp_twin in dimension 2 or more");
  }
  return MFH_OK;
}

static int wp_law_eval(const mfh_params *p, const mfh_state *s, mfh_values *out, mfh_err *err) {
  double pp = mfh_params_real(p, "p"), wpp;
  int rc = mfh_wasserstein_law1d_pp(&s->cloud, s->law, pp, &wpp, err);
  return rc ? rc : put(out, wpp, pp);
}

static int wp_twin_eval(const mfh_params *p, const mfh_state *s, mfh_values *out, mfh_err *err) {
  double pp = mfh_params_real(p, "p"), wpp;
  int rc = mfh_wasserstein_pp(&s->cloud, &s->twin, pp, &wpp, err);
  return rc ? rc : put(out, wpp, pp);
}

const mfh_observable_type mfh_observable_wp_law = {
    "wp_law",
    "exact W_p^p (wpp) and W_p (wp) between the empirical measure and its 1D law",
    wp_params,
    sizeof wp_params / sizeof wp_params[0],
    MFH_HAS_CLOUD | MFH_HAS_LAW1D,
    "wpp wp",
    wp_law_validate,
    wp_law_eval,
};

const mfh_observable_type mfh_observable_wp_twin = {
    "wp_twin",
    "exact W_p^p (wpp) and W_p (wp) between the sample and an independent twin sample",
    wp_params,
    sizeof wp_params / sizeof wp_params[0],
    MFH_HAS_CLOUD | MFH_HAS_TWIN,
    "wpp wp",
    NULL,
    wp_twin_eval,
};
