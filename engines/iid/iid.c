/* Engine `iid`: N points of the uniform law on [0,1]^dim or of the standard
 * Gaussian on R^dim, and (dim = 1) the exact law for exact W_p.  An
 * independent second sample is the harness's twin reference (the same
 * engine on the reference's stream). */
#include "engines/iid/iid.h"
#include "core/kinds.h"
#include "metrics/wasserstein.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>

static const mfh_param_def iid_params[] = {
    {"law", MFH_PARAM_CHOICE, "uniform", 0, 0, 0, 0, "uniform|gaussian",
     "uniform on [0,1]^dim, or standard Gaussian on R^dim", MFH_PARAM_SAMPLED},
    {"dim", MFH_PARAM_INT, "1", 1, 6, 0, 0, NULL, "dimension n of the space the samples live in", MFH_PARAM_SAMPLED},
    {"N", MFH_PARAM_INT, "1000", 1, 1e8, 0, 0, NULL, "number of sample points", MFH_PARAM_SAMPLED},
};

static int is_gaussian(const mfh_params *p) { return strcmp(mfh_params_str(p, "law"), "gaussian") == 0; }

static const mfh_law1d *law_of(const mfh_params *p) {
  return is_gaussian(p) ? mfh_law1d_std_normal() : mfh_law1d_uniform01();
}

/* Items: "sample" (cloud of N points in R^dim) and, in 1D, "law" (the exact law). */
static int iid_declare(const mfh_params *p, mfh_decl *d, mfh_err *err) {
  int rc = mfh_decl_item(d, "sample", &mfh_kind_cloud);
  if (!rc && mfh_params_int(p, "dim") == 1) rc = mfh_decl_item(d, "law", &mfh_kind_law1d);
  return rc ? mfh_err_set(err, MFH_EINTERNAL, "iid: bad declaration") : MFH_OK;
}

/* The sample, drawn from the initial data's stream: the state itself (an
 * i.i.d. sample does not evolve).  A twin reference draws its own. */
static int iid_initial(const mfh_params *p, gsl_rng *rng, mfh_state *s0, mfh_err *err) {
  size_t dim = (size_t)mfh_params_int(p, "dim");
  size_t n = (size_t)mfh_params_int(p, "N");
  mfh_cloud *c = mfh_cloud_new(n, dim);
  if (!c) return mfh_err_set(err, MFH_ENOMEM, "out of memory for %zu points", n);
  size_t m = n * dim;
  if (is_gaussian(p))
    for (size_t i = 0; i < m; i++) c->x[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
  else
    for (size_t i = 0; i < m; i++) c->x[i] = gsl_rng_uniform(rng);
  int rc = mfh_state_put(s0, "sample", &mfh_kind_cloud, c, err);
  if (!rc && dim == 1) rc = mfh_state_put(s0, "law", &mfh_kind_law1d, (void *)law_of(p), err);
  return rc;
}

static int iid_run(const mfh_params *p, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  (void)p;
  return mfh_state_copy(ctx->from, &out[0], err);
}

static double sqrt_f1mf(double x, void *unused) {
  (void)unused;
  double f = gsl_cdf_ugaussian_P(x);
  return sqrt(f * (1.0 - f));
}

/* J1 = int sqrt(F (1 - F)) dx: E W_1(mu_N, mu) <= J1 / sqrt(N) in 1D
 * (Cauchy-Schwarz on E|F_N - F|; Bobkov & Ledoux 2019, Thm 3.5). */
static int iid_constants(const mfh_params *p, mfh_values *out, mfh_err *err) {
  if (mfh_params_int(p, "dim") != 1) return MFH_OK;
  double j1 = M_PI / 8.0;
  if (is_gaussian(p)) {
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(200);
    if (!w) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
    gsl_function f = {sqrt_f1mf, NULL};
    double abserr;
    int st = gsl_integration_qagi(&f, 1e-12, 1e-10, 200, w, &j1, &abserr);
    gsl_integration_workspace_free(w);
    if (st) return mfh_err_set(err, MFH_ENUMERIC, "J1 integral: %s", gsl_strerror(st));
  }
  return mfh_values_set(out, "J1", j1);
}

/* The sample of one part: N dim doubles; drawing them costs some 20 ns a
 * coordinate (a twin reference is a second part, estimated on its own). */
static int iid_estimate(const mfh_params *p, double *bytes, double *seconds) {
  double pts = (double)mfh_params_int(p, "N"), dim = (double)mfh_params_int(p, "dim");
  *bytes = 8 * pts * dim;
  *seconds = 2e-8 * pts * dim;
  return MFH_OK;
}

const mfh_engine_type mfh_engine_iid = {
    .name = "iid",
    .doc = "i.i.d. samples of the uniform law on [0,1]^dim or the standard Gaussian (and, in 1D, the law)",
    .method = "GSL gsl_rng_uniform / gsl_ran_gaussian_ziggurat on the initial data's xoshiro256++ stream",
    .version = 1,
    .params = iid_params,
    .nparams = sizeof iid_params / sizeof iid_params[0],
    .declare = iid_declare,
    .constants = iid_constants,
    .initial = iid_initial,
    .run = iid_run,
    .estimate = iid_estimate,
};
