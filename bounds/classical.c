#include "bounds/classical.h"

#include <math.h>

static int need(mfh_lookup_fn lookup, void *ctx, const char *bound, const char *name, double *v,
                mfh_err *err) {
  if (lookup(name, v, ctx))
    return mfh_err_set(err, MFH_EINPUT, "bound %s needs '%s' (a parameter or model constant)", bound, name);
  return MFH_OK;
}

/* MF-1 (derived, eps = 0 case of seed 001 L1292-1409):
 * E (1/N) sum_j |x_j - xbar_j|^2 + |v_j - vbar_j|^2
 *   <= 4 ||grad V||^2 (e^{Gamma t} - 1) / (Gamma N),  Gamma = 1 + 2 max(1, 2 Lip(grad V)^2). */
static int mf1_eval(mfh_lookup_fn lookup, void *ctx, double *out, mfh_err *err) {
  double n, t, g, lip;
  int rc = need(lookup, ctx, "mf1", "N", &n, err);
  if (!rc) rc = need(lookup, ctx, "mf1", "t", &t, err);
  if (!rc) rc = need(lookup, ctx, "mf1", "gradinf", &g, err);
  if (!rc) rc = need(lookup, ctx, "mf1", "lipgrad", &lip, err);
  if (rc) return rc;
  double gam = 1 + 2 * fmax(1.0, 2 * lip * lip);
  *out = 4 * g * g * expm1(gam * t) / (gam * n);
  return MFH_OK;
}

/* DOB-1 [001:L185, L291]: W_1(f(t), g(t)) / W_1(f(0), g(0)) <= exp((max(1, L) + L) t). */
static int dob1_eval(mfh_lookup_fn lookup, void *ctx, double *out, mfh_err *err) {
  double t, lip;
  int rc = need(lookup, ctx, "dob1", "t", &t, err);
  if (!rc) rc = need(lookup, ctx, "dob1", "lipgrad", &lip, err);
  if (rc) return rc;
  *out = exp((fmax(1.0, lip) + lip) * t);
  return MFH_OK;
}

/* MOM-1 [000:L354]: M_q(t) / M_q(0) <= exp((q - 1)(1 + 2 Lip) t), q >= 2. */
static int mom1_eval(mfh_lookup_fn lookup, void *ctx, double *out, mfh_err *err) {
  double q, t, lip;
  int rc = need(lookup, ctx, "mom1", "q", &q, err);
  if (!rc) rc = need(lookup, ctx, "mom1", "t", &t, err);
  if (!rc) rc = need(lookup, ctx, "mom1", "lipgrad", &lip, err);
  if (rc) return rc;
  *out = exp((q - 1) * (1 + 2 * lip) * t);
  return MFH_OK;
}

const mfh_bound_type mfh_bound_mf1 = {
    "mf1",
    "E D_N^2(t) <= 4 ||grad V||_inf^2 (e^{Gamma t} - 1)/(Gamma N), Gamma = 1 + 2 max(1, 2 Lip(grad V)^2)",
    "MF-1 (THEOREMS.md; eps = 0 case of seed 001 L1292-1409)",
    "N t gradinf lipgrad",
    mf1_eval,
};

const mfh_bound_type mfh_bound_dob1 = {
    "dob1",
    "W_1(t) / W_1(0) <= exp((max(1, L) + L) t), L = Lip(grad V), cost |x - y| + |v - w|",
    "DOB-1 (Dobrushin; seed 001 L185, L291)",
    "t lipgrad",
    dob1_eval,
};

const mfh_bound_type mfh_bound_mom1 = {
    "mom1",
    "M_q(t) / M_q(0) <= exp((q - 1)(1 + 2 Lip(grad V)) t)",
    "MOM-1 (seed 000 L354)",
    "q t lipgrad",
    mom1_eval,
};
