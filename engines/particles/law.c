/* The classical particle model shared by the engines nbody and
 * characteristics (law.h): reading it from parameters, its rules, its V. */
#include "engines/particles/law.h"

#include <stdlib.h>
#include <string.h>

#include "core/kinds.h"

void mfh_particles_law_read(const mfh_params *p, mfh_particles_law *m) {
  const char *init = mfh_params_str(p, "init");
  m->dim = (int)mfh_params_int(p, "dim");
  m->torus = !strcmp(mfh_params_str(p, "domain"), "torus");
  m->gaussian_pot = !strcmp(mfh_params_str(p, "potential"), "gaussian");
  m->init = !strcmp(init, "gaussian")    ? MFH_PARTICLES_GAUSSIAN
            : !strcmp(init, "perturbed") ? MFH_PARTICLES_PERTURBED
                                         : MFH_PARTICLES_HOMOGENEOUS;
  m->L = mfh_params_real(p, "L");
  m->a = mfh_params_real(p, "a");
  m->s = mfh_params_real(p, "s");
  m->sv = mfh_params_real(p, "sv");
  m->alpha = mfh_params_real(p, "alpha");
}

int mfh_particles_potential(const mfh_particles_law *m, mfh_potential *pot, mfh_err *err) {
  if (m->gaussian_pot) return mfh_potential_init_gaussian(pot, m->dim, m->a, m->s, m->torus ? m->L : 0, err);
  return mfh_potential_init_cosine(pot, m->dim, m->a, m->L, err);
}

int mfh_particles_law_check(const mfh_particles_law *m, const char **param, mfh_err *err) {
#define BAD(name, ...) return mfh_param_reject(param, name, err, __VA_ARGS__)
  if (!m->torus && !m->gaussian_pot) BAD("potential", "the cosine potential lives on the torus: use domain: torus");
  if (m->torus && m->init == MFH_PARTICLES_GAUSSIAN) BAD("init", "init gaussian is for domain: free");
  if (!m->torus && m->init != MFH_PARTICLES_GAUSSIAN) BAD("init", "on the whole space use init: gaussian");
  if (m->torus && m->gaussian_pot && m->s > m->L / 8)
    BAD("s", "the Gaussian potential on the torus needs s <= L/8 (minimum image), got s = %g, L = %g", m->s, m->L);
  mfh_potential pot;
  mfh_err perr;
  if (mfh_particles_potential(m, &pot, &perr)) BAD(m->gaussian_pot ? "s" : "L", "%s", perr.msg);
#undef BAD
  return MFH_OK;
}

int mfh_particles_load(mfh_nbody *sys, const mfh_cloud *cl, mfh_err *err) {
  size_t d = (size_t)mfh_nbody_dim(sys), nd = mfh_nbody_size(sys) * d;
  double *x = malloc(nd * sizeof *x), *v = malloc(nd * sizeof *v);
  int rc = (x && v) ? MFH_OK : mfh_err_set(err, MFH_ENOMEM, "out of memory for %zu particles", nd / d);
  for (size_t m = 0; !rc && m < nd; m++) {
    x[m] = cl->x[(m / d) * 2 * d + m % d];
    v[m] = cl->x[(m / d) * 2 * d + d + m % d];
  }
  if (!rc) rc = mfh_nbody_set_positions(sys, x, err);
  if (!rc) rc = mfh_nbody_set_velocities(sys, v, err);
  free(x);
  free(v);
  return rc;
}

int mfh_particles_put(const mfh_nbody *sys, double period, mfh_state *out, mfh_err *err) {
  size_t n = mfh_nbody_size(sys), d = (size_t)mfh_nbody_dim(sys);
  mfh_cloud *cl = mfh_cloud_new(n, 2 * d);
  if (!cl) return mfh_err_set(err, MFH_ENOMEM, "out of memory for %zu particles", n);
  cl->d = d;
  cl->period = period;
  for (size_t i = 0; i < d; i++) {
    const double *x = mfh_nbody_x(sys, (int)i), *v = mfh_nbody_v(sys, (int)i);
    for (size_t j = 0; j < n; j++) {
      cl->x[j * 2 * d + i] = x[j];
      cl->x[j * 2 * d + d + i] = v[j];
    }
  }
  return mfh_state_put(out, "particles", &mfh_kind_cloud, cl, err);
}
