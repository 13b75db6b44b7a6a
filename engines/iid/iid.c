/* i.i.d. sampler: N points of the uniform law on [0,1]^dim or of the
 * standard Gaussian on R^dim, plus (when an observable asks) an independent
 * twin sample of size M, and (dim = 1) the exact law for exact W_p. */
#include "engines/iid/iid.h"
#include "metrics/wasserstein.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>

static const mfh_param_def iid_params[] = {
    {"law", MFH_PARAM_CHOICE, "uniform", 0, 0, 0, 0, "uniform|gaussian",
     "uniform on [0,1]^dim, or standard Gaussian on R^dim", 0},
    {"dim", MFH_PARAM_INT, "1", 1, 6, 0, 0, NULL, "dimension n of the space the samples live in", 0},
    {"N", MFH_PARAM_INT, "1000", 1, 1e8, 0, 0, NULL, "number of sample points", 0},
    {"M", MFH_PARAM_INT, "0", 0, 1e8, 0, 0, NULL,
     "size of the independent twin sample (0: same as N)", 0},
};

static int is_gaussian(const mfh_params *p) { return strcmp(mfh_params_str(p, "law"), "gaussian") == 0; }

static void fill(mfh_cloud *c, int gaussian, gsl_rng *rng) {
  size_t m = c->n * c->dim;
  if (gaussian)
    for (size_t i = 0; i < m; i++) c->x[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
  else
    for (size_t i = 0; i < m; i++) c->x[i] = gsl_rng_uniform(rng);
}

static int iid_run(const mfh_params *p, const mfh_task_ctx *task, gsl_rng *rng, mfh_state *out,
                   mfh_err *err) {
  size_t dim = (size_t)mfh_params_int(p, "dim");
  size_t n = (size_t)mfh_params_int(p, "N");
  size_t m = (size_t)mfh_params_int(p, "M");
  int gaussian = is_gaussian(p);
  if (m == 0) m = n;
  if (mfh_cloud_alloc(&out->cloud, n, dim)) return mfh_err_set(err, MFH_ENOMEM, "out of memory for %zu points", n);
  fill(&out->cloud, gaussian, rng);
  if (task->needs & MFH_HAS_TWIN) {
    if (mfh_cloud_alloc(&out->twin, m, dim))
      return mfh_err_set(err, MFH_ENOMEM, "out of memory for %zu points", m);
    fill(&out->twin, gaussian, rng);
  }
  if (dim == 1) out->law = gaussian ? mfh_law1d_std_normal() : mfh_law1d_uniform01();
  return MFH_OK;
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

/* The samples (and a twin of the same size): 2 (N + M) dim doubles; drawing
 * them costs some 20 ns a coordinate. */
static int iid_estimate(const mfh_params *p, double *bytes, double *seconds) {
  double pts = (double)mfh_params_int(p, "N") + (double)mfh_params_int(p, "M");
  double dim = (double)mfh_params_int(p, "dim");
  *bytes = 2 * 8 * pts * dim;
  *seconds = 2e-8 * pts * dim;
  return MFH_OK;
}

const mfh_solver_type mfh_solver_iid = {
    "iid",
    "i.i.d. samples of the uniform law on [0,1]^dim or the standard Gaussian",
    "GSL gsl_rng_uniform / gsl_ran_gaussian_ziggurat on a per-task xoshiro256++ stream",
    1,
    iid_params,
    sizeof iid_params / sizeof iid_params[0],
    0,
    MFH_HAS_CLOUD | MFH_HAS_TWIN | MFH_HAS_LAW1D,
    NULL,
    iid_constants,
    iid_run,
    NULL,
    NULL,
    iid_estimate,
};
