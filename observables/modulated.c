/* Observables `modulated_energy` and `modulated_energy0`: the modulated
 * energy of a particle system against a monokinetic fluid (Serfaty 2020;
 * Duerinckx 2016; THEOREMS.md CEP-1 .. CEP-4), any dimension d <= 3:
 *   K_N = (1/N) sum_j |v_j - u(t, x_j)|^2,
 *   P_N = int int_{x != y} V d(mu_N - rho(t))^{x2},   E_N = K_N + P_N,
 * mu_N the empirical measure of the positions.  The potential part is
 * computed the exact way the fluid offers:
 *   - a 1D fluid with an exact CDF form (the kernel V = -|x|/2, V(0) = 0):
 *     P_N = int (F_N - F_rho)^2 dx, which the fluid integrates itself
 *     (cdf_l2) on the sorted positions;
 *   - otherwise P_N = U_N - (2/N) sum_j phi(t, x_j) + int rho phi, with
 *     phi = V * rho from the fluid and U_N = (1/N^2) sum_{i != j} V(x_i - x_j)
 *     the scalar pair_energy of the particles' engine (which computes it
 *     with its forces).
 * modulated_energy compares the states at t (outputs K_N P_N E_N);
 * modulated_energy0 the same two parts at t = 0 (K_N0 P_N0 E_N0): Gronwall
 * ratios E_N(t) / (e^{2Lt} E_N(0)) and the like are derived measures.
 *
 * `modulated_density` and `modulated_density0`: the same for a pure 1D
 * quantum state (a density of one orbital, at its scale eps = hbar) against
 * a 1D fluid with the kernel V = -|x|/2 (Golse-Paul; THEOREMS.md CEP-5),
 * metrics/semiclassical/modulated.h on the state's grid with the fluid's
 * rho, u, F_rho at the grid points:
 *   G = ||(hbar D - u) psi||^2 + int (F_hbar - F_rho)^2 dx = G_kin + G_pot,
 *   cur_L1, cur_L2 = ||J_hbar - rho u|| in L1 and L2,
 *   jmod_ratio = ||J_hbar - rho_hbar u||_L1 / sqrt(G_kin mass) (<= 1 by
 *   Cauchy-Schwarz; 0 when G_kin = 0);
 * modulated_density0 gives G0 = G of the two parts at t = 0. */
#include "observables/modulated.h"

#include <math.h>
#include <stdlib.h>

#include "core/density.h"
#include "core/fluid.h"
#include "core/kinds.h"
#include "metrics/semiclassical/modulated.h"
#include "metrics/sort.h"

/* int (F_N - F_rho)^2 dx through the fluid, for the positions of c (d = 1)
 * in the order (x_j, j). */
static int cdf_part(const mfh_cloud *c, const mfh_fluid *f, double *P, mfh_err *err) {
  size_t n = c->n;
  double *y = malloc(n * sizeof *y);
  if (!y) return mfh_err_set(err, MFH_ENOMEM, "out of memory (N = %zu)", n);
  for (size_t j = 0; j < n; j++) y[j] = c->x[j * c->dim];
  int rc = mfh_sort_doubles(y, n);
  if (rc) rc = mfh_err_set(err, rc, "out of memory (N = %zu)", n);
  else rc = f->ops->cdf_l2(f, y, n, P, err);
  free(y);
  return rc;
}

/* K_N and P_N of the particles of state a against the fluid of state b. */
static int energy(const mfh_state *a, const mfh_state *b, double *K, double *P, mfh_err *err) {
  const mfh_cloud *c = mfh_state_get(a, &mfh_kind_cloud, NULL);
  const mfh_fluid *f = mfh_state_get(b, &mfh_kind_fluid, NULL);
  if (!c || !f) return mfh_err_set(err, MFH_EINTERNAL, "modulated_energy: no cloud or no fluid");
  size_t d = c->d;
  if (d < 1 || c->dim != 2 * d || c->w || c->period > 0 || c->n == 0)
    return mfh_err_set(err, MFH_EINPUT,
                       "modulated_energy: needs an unweighted phase-space cloud of particles in the whole space "
                       "(got %zu points of dimension %zu, d = %zu%s)",
                       c->n, c->dim, d, c->w ? ", weighted" : c->period > 0 ? ", on a torus" : "");
  if (d != f->d)
    return mfh_err_set(err, MFH_EINPUT, "modulated_energy: particles in R^%zu against a fluid on R^%zu", d, f->d);
  int by_cdf = d == 1 && f->ops->cdf_l2;
  const double *pair = by_cdf ? NULL : mfh_values_get(&a->scalars, "pair_energy");
  if (!by_cdf && (!pair || isnan(f->self_energy)))
    return mfh_err_set(err, MFH_EINPUT,
                       "modulated_energy: the potential part needs either a 1D fluid with an exact CDF form or the "
                       "particles' pair_energy and the fluid's potential and self-energy (%s)",
                       !pair ? "the particles' engine gives no pair_energy" : "the fluid does not know its potential");
  double N = (double)c->n, kin = 0, sphi = 0;
  for (size_t j = 0; j < c->n; j++) {
    const double *x = c->x + j * c->dim;
    mfh_fluid_point q;
    int rc = f->ops->eval(f, x, &q, err);
    if (rc) return rc;
    for (size_t i = 0; i < d; i++) {
      double dv = x[d + i] - q.u[i];
      kin += dv * dv;
    }
    if (!by_cdf) sphi += q.phi;
  }
  *K = kin / N;
  if (by_cdf) return cdf_part(c, f, P, err);
  *P = *pair - 2 * sphi / N + f->self_energy;
  return MFH_OK;
}

static int put(mfh_values *out, const char *const names[3], const mfh_state *a, const mfh_state *b, mfh_err *err) {
  double K = NAN, P = NAN;
  int rc = energy(a, b, &K, &P, err);
  if (rc) return rc;
  double E = K + P;
  if (!isfinite(E)) return mfh_err_set(err, MFH_ENUMERIC, "modulated_energy: non-finite (K_N = %g, P_N = %g)", K, P);
  if (mfh_values_set(out, names[0], K) || mfh_values_set(out, names[1], P) || mfh_values_set(out, names[2], E))
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return MFH_OK;
}

static int me_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  static const char *const names[3] = {"K_N", "P_N", "E_N"};
  return put(out, names, in->s[MFH_ROLE_A], in->s[MFH_ROLE_B], err);
}

static int me0_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  static const char *const names[3] = {"K_N0", "P_N0", "E_N0"};
  return put(out, names, in->s[MFH_ROLE_A0], in->s[MFH_ROLE_B0], err);
}

const mfh_observable_type mfh_obs_modulated_energy = {
    "modulated_energy",
    "modulated energy of particles (a) against a monokinetic fluid (b) at t: K_N = (1/N) sum |v_j - u(x_j)|^2, "
    "P_N = int int_{x != y} V d(mu_N - rho)^2 (1D: int (F_N - F_rho)^2 exactly; else from the particles' "
    "pair_energy and the fluid's phi = V * rho), E_N = K_N + P_N",
    NULL,
    0,
    "a:cloud a:scalars b:fluid",
    "K_N P_N E_N",
    NULL,
    me_eval,
};

const mfh_observable_type mfh_obs_modulated_energy0 = {
    "modulated_energy0",
    "the modulated energy of the same two parts at t = 0: K_N0, P_N0, E_N0 (for Gronwall ratios such as "
    "E_N / (exp(2 L t) E_N0) in derive:)",
    NULL,
    0,
    "a0:cloud a0:scalars b0:fluid",
    "K_N0 P_N0 E_N0",
    NULL,
    me0_eval,
};

/* G and its parts for the pure 1D state of a against the fluid of b. */
static int density_energy(const mfh_state *a, const mfh_state *b, mfh_sc_modulated *m, mfh_err *err) {
  const mfh_density *R = mfh_state_get(a, &mfh_kind_density, NULL);
  const mfh_fluid *f = mfh_state_get(b, &mfh_kind_fluid, NULL);
  if (!R || !f) return mfh_err_set(err, MFH_EINTERNAL, "modulated_density: no density or no fluid");
  if (R->kind != MFH_DENSITY_ORBITALS || R->norb != 1 || R->grid.dim != 1 || f->d != 1)
    return mfh_err_set(err, MFH_EINPUT,
                       "modulated_density: needs a pure 1D state (one orbital; got %zu orbitals, dimension %d) "
                       "and a 1D fluid (got d = %zu)",
                       R->norb, R->grid.dim, f->d);
  if (!(R->eps > 0)) return mfh_err_set(err, MFH_EINPUT, "modulated_density: the state has no scale eps = hbar");
  size_t n = R->grid.n;
  double xmin = R->grid.xmin, dx = R->grid.dx;
  double *fl = malloc(3 * n * sizeof *fl);
  mfh_sc_modulated_work *w = NULL;
  int rc = fl ? mfh_sc_modulated_work_create(n, &w, err) : mfh_err_set(err, MFH_ENOMEM, "out of memory (n = %zu)", n);
  for (size_t j = 0; !rc && j < n; j++) {
    double x = xmin + dx * (double)j;
    mfh_fluid_point q;
    rc = f->ops->eval(f, &x, &q, err);
    if (!rc) {
      fl[j] = q.rho;
      fl[n + j] = q.u[0];
      fl[2 * n + j] = q.F;
    }
  }
  if (!rc) rc = mfh_sc_modulated_energy(w, R->orb, dx, R->eps, fl, fl + n, fl + 2 * n, m, err);
  if (rc) mfh_err_prefix(err, "modulated_density at t = %g", f->t);
  mfh_sc_modulated_work_destroy(w);
  free(fl);
  return rc;
}

static int md_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  mfh_sc_modulated m;
  int rc = density_energy(in->s[MFH_ROLE_A], in->s[MFH_ROLE_B], &m, err);
  if (rc) return rc;
  const char *names[] = {"G", "G_kin", "G_pot", "cur_L1", "cur_L2", "jmod_ratio"};
  const double vals[] = {m.G,      m.G_kin, m.G_pot, m.cur_l1, m.cur_l2,
                         m.G_kin > 0 ? m.jmod_l1 / sqrt(m.G_kin * m.mass) : 0};
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
    if (mfh_values_set(out, names[i], vals[i])) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return MFH_OK;
}

static int md0_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  mfh_sc_modulated m;
  int rc = density_energy(in->s[MFH_ROLE_A0], in->s[MFH_ROLE_B0], &m, err);
  if (rc) return rc;
  return mfh_values_set(out, "G0", m.G) ? mfh_err_set(err, MFH_ENOMEM, "out of memory") : MFH_OK;
}

const mfh_observable_type mfh_obs_modulated_density = {
    "modulated_density",
    "modulated energy of a pure 1D quantum state (a) against a 1D fluid (b), kernel -|x|/2 (CEP-5): G = "
    "||(hbar D - u) psi||^2 + int (F_hbar - F_rho)^2 = G_kin + G_pot, the current error ||J_hbar - rho u|| in "
    "L1 and L2 (cur_L1, cur_L2), jmod_ratio = ||J_hbar - rho_hbar u||_L1 / sqrt(G_kin mass) <= 1",
    NULL,
    0,
    "a:density b:fluid",
    "G G_kin G_pot cur_L1 cur_L2 jmod_ratio",
    NULL,
    md_eval,
};

const mfh_observable_type mfh_obs_modulated_density0 = {
    "modulated_density0",
    "the modulated energy G0 of the same pure state and fluid at t = 0 (for the CEP-5 bound in derive:)",
    NULL,
    0,
    "a0:density b0:fluid",
    "G0",
    NULL,
    md0_eval,
};
