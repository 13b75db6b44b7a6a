/* Engine `free_stream`: x(t) = x(0) + v t (wrapped into [0, L) on a torus of
 * period L), v(t) = v(0), for every particle of a phase-space cloud it is
 * started from (a coupled reference: reference: {coupled: free_stream}).
 *
 * These are the mean-field characteristics dx/dt = v, dv/dt = -grad(V *
 * rho_f)(t, x) whenever the mean field vanishes: for spatially homogeneous
 * data on the torus (x uniform, any velocity law) rho_f is constant in x and
 * stays so, and grad V * const = 0 for every periodic V.  So the N-body
 * system and this engine from the same initial particles measure MF-1's
 * coupling distance with no reference error at all (THEOREMS.md MF-1; the
 * legacy solver nbody's `reference: exact`).  For any other data it is free
 * transport, exact for the free Vlasov equation only.
 *
 * The positions at t are computed directly from the initial ones (no time
 * steps), so out[k] does not depend on the other output times. */
#include "engines/free_stream/free_stream.h"

#include <math.h>
#include <string.h>

#include "core/kinds.h"

static const mfh_param_def free_stream_params[] = {
    {"t", MFH_PARAM_REAL, "0", 0, 1e6, 0, 0, NULL, "output time (a sweep over t is one run per replica)",
     MFH_PARAM_STREAM},
};

static int free_stream_declare(const mfh_params *p, mfh_decl *d, mfh_err *err) {
  (void)p;
  return mfh_decl_item(d, "particles", &mfh_kind_cloud) ? mfh_err_set(err, MFH_EINTERNAL, "free_stream: declaration")
                                                         : MFH_OK;
}

static int free_stream_run(const mfh_params *p, const mfh_engine_ctx *ctx, mfh_state2 *out, mfh_err *err) {
  (void)p;
  const mfh_cloud *c0 = ctx->from ? mfh_state_get(ctx->from, &mfh_kind_cloud, NULL) : NULL;
  if (!c0)
    return mfh_err_set(err, MFH_EINPUT,
                       "free_stream starts from another engine's particle cloud (reference: {coupled: free_stream}); "
                       "the state it was given has none (a command system hands over the cloud of its init:)");
  if (!c0->d || c0->dim != 2 * c0->d)
    return mfh_err_set(err, MFH_EINPUT,
                       "free_stream: the cloud it starts from has no velocities (%zu coordinates a point, not "
                       "positions and velocities)",
                       c0->dim);
  size_t n = c0->n, d = c0->d, dim = c0->dim;
  double L = c0->period;
  for (size_t k = 0; k < ctx->nout; k++) {
    void *copy = NULL;
    int rc = mfh_kind_cloud.copy(c0, &copy, err);
    if (rc) return rc;
    mfh_cloud *c = copy;
    double t = ctx->t[k];
    for (size_t j = 0; j < n; j++)
      for (size_t i = 0; i < d; i++) {
        double *x = &c->x[j * dim + i], v = c->x[j * dim + d + i];
        *x += v * t;
        if (L > 0) {
          *x = fmod(*x, L);
          if (*x < 0) *x += L;
          if (*x >= L) *x = 0; /* -tiny + L rounds to L */
        }
      }
    if ((rc = mfh_state_put(&out[k], "particles", &mfh_kind_cloud, c, err))) return rc;
  }
  return MFH_OK;
}

const mfh_engine_type mfh_engine_free_stream = {
    .name = "free_stream",
    .doc = "free streaming x + v t (mod L) of the particle cloud it starts from: the mean-field characteristics of "
           "spatially homogeneous data on the torus, where the mean field vanishes (MF-1's exact reference)",
    .method = "exact: x(t) = x(0) + v t wrapped into [0, L), v(t) = v(0)",
    .version = 1,
    .params = free_stream_params,
    .nparams = sizeof free_stream_params / sizeof free_stream_params[0],
    .declare = free_stream_declare,
    .starts_from = "cloud",
    .run = free_stream_run,
};
