/* Observables of density operators at scale eps (THEOREMS.md sections 1-3),
 * computed with metrics/semiclassical/ on the states' own grid and eps:
 *   mk2eps     MK2^eps(a, b)^2 by the exact formula when one state is pure
 *              (mk2sq), the MK-1 ratio mk1_ratio = 2 d eps / mk2sq (<= 1),
 *              and for two coherent states (parts carrying the scalars q
 *              and p, e.g. engine qstate) the MK-2 excess
 *              mk2sq - |z_a - z_b|^2 (= 2 d eps exactly; NaN otherwise);
 *   wigner     WIG-1 identities of state a on the phase grid of 2n momenta:
 *              wig_mass_err = |int W - tr R|; coh_wig_err = max |W - (pi
 *              eps)^-1 exp(-(|x-q|^2 + |xi-p|^2)/eps)| relative to its max
 *              when a carries its centre (q, p) (NaN otherwise); odd_err =
 *              |pi eps W_odd(0, 0) + 1| for the odd state sqrt(2) (pi
 *              eps)^{-1/4} eps^{-1/2} x e^{-x^2/(2 eps)} on a's grid (a
 *              check of the transform itself); hus_neg = max(0, -min H /
 *              max H) for the Husimi function H of a (>= 0 exactly);
 *   husimi_w2  the certified bracket [w2_husimi_lo, w2_husimi_hi] of W_2
 *              between the Husimi functions of a and b on the phase grid of
 *              n momenta (mfh_sc_w2_grid; the upper end widened by the
 *              continuum cell terms), for MK-3: MK2^eps^2 >=
 *              W_2(Husimi)^2 - 2 d eps;
 *   husimi_grid_w2  the certified W_2 bracket between a phase-space grid b
 *              (a Vlasov density) and the Husimi function of a 1D state a
 *              on b's nodes (HV-1).  The Husimi transform of a is taken on
 *              a's position grid with the nxi momenta whose spacing
 *              2 pi eps/(nxi dx) is b's dv (b's x nodes must be every sx-th
 *              node of a's grid, its v nodes the 2K + 1 Husimi momenta
 *              centred on 0: the Vlasov engine's vgrid husimi), and read on
 *              b's nodes (the window), so both are grid measures on the same
 *              nodes (a lattice offset would add a W_2 of the order of the
 *              grid step).  mfh_sc_w2_grid gives [lower, upper] for the grid
 *              measures (x on the line); the cell terms cells = cell_f +
 *              cell_g widen it to the continuum densities:
 *                w2sq = ((lower + upper)/2)^2 (an estimate), w2sq_lo =
 *                max(0, lower - cells)^2, w2sq_hi = (upper + cells)^2,
 *                w2_grid_lo, w2_grid_hi, w2_coarse, w2_cells (the raw
 *                bracket, W_c, cells), clipped (negative mass of b clipped);
 *              monitors: husimi_mass (the whole Husimi grid), husimi_window
 *              (its fraction on b's nodes), density_mass (tr R of a) and
 *              density_edge (rho = sum_k w_k |psi_k|^2 at the box edge /
 *              max rho). */
#include "observables/semiclassical.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>

#include "core/kinds.h"
#include "metrics/semiclassical/distances.h"
#include "metrics/semiclassical/states.h"
#include "metrics/semiclassical/wigner.h"

static const mfh_density *density_of(const mfh_obs_args *in, int role) {
  return mfh_state_get(in->s[role], &mfh_kind_density, NULL);
}

/* The common scale of a and b (0 and an error when they differ or have none). */
static int common_eps(const mfh_density *a, const mfh_density *b, double *eps, mfh_err *err) {
  if (!(a->eps > 0) || a->eps != b->eps)
    return mfh_err_set(err, MFH_EINPUT, "the two states must live at the same scale eps > 0 (got %g and %g)", a->eps,
                       b->eps);
  *eps = a->eps;
  return MFH_OK;
}

/* The centre (q, p) a coherent state's part carries, or 0. */
static int centre(const mfh_state *s, double *q, double *p) {
  const double *qv = mfh_values_get(&s->scalars, "q"), *pv = mfh_values_get(&s->scalars, "p");
  if (!qv || !pv) return 0;
  *q = *qv;
  *p = *pv;
  return 1;
}

static int mk2eps_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  const mfh_density *a = density_of(in, MFH_ROLE_A), *b = density_of(in, MFH_ROLE_B);
  double eps = 0, mk2sq = 0, qa = 0, pa = 0, qb = 0, pb = 0;
  int rc = common_eps(a, b, &eps, err);
  if (!rc) rc = mfh_sc_mk2eps_sq(a, b, eps, &mk2sq, err);
  if (rc) return rc;
  double d = a->grid.dim, excess = NAN;
  if (centre(in->s[MFH_ROLE_A], &qa, &pa) && centre(in->s[MFH_ROLE_B], &qb, &pb)) {
    double dz2 = (qa - qb) * (qa - qb) + (pa - pb) * (pa - pb);
    excess = mk2sq - dz2;
  }
  if (mfh_values_set(out, "mk2sq", mk2sq) || mfh_values_set(out, "mk1_ratio", 2 * d * eps / mk2sq) ||
      mfh_values_set(out, "excess", excess))
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return MFH_OK;
}

const mfh_observable_type mfh_obs_mk2eps = {
    "mk2eps",
    "MK2^eps(a, b)^2 (mk2sq, exact formula: one state pure), mk1_ratio = 2 d eps / mk2sq (MK-1: <= 1), and "
    "for two coherent states the excess mk2sq - |z_a - z_b|^2 (MK-2: = 2 d eps; NaN otherwise)",
    NULL,
    0,
    "a:density b:density",
    "mk2sq mk1_ratio excess",
    NULL,
    mk2eps_eval,
};

/* The odd state on g at scale eps into psi (n values). */
static void odd_state(const mfh_xgrid *g, double eps, double complex *psi) {
  for (size_t j = 0; j < g->n; j++) {
    double x = g->xmin + (double)j * g->dx;
    psi[j] = sqrt(2.0) * pow(M_PI * eps, -0.25) / sqrt(eps) * x * exp(-x * x / (2 * eps));
  }
}

static int wigner_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  const mfh_density *A = density_of(in, MFH_ROLE_A);
  const mfh_xgrid *g = &A->grid;
  double eps = A->eps, q = 0, pc = 0;
  int coherent = centre(in->s[MFH_ROLE_A], &q, &pc);
  if (!(eps > 0)) return mfh_err_set(err, MFH_EINPUT, "wigner: the state has no scale eps");
  mfh_sc_phase *ws = NULL;
  mfh_phase_grid W = {0}, H = {0};
  size_t nxi = 2 * g->n;
  int rc = mfh_sc_phase_create(g, eps, nxi, 1, &ws, err);
  if (!rc) rc = mfh_sc_phase_grid_alloc(ws, &W, err);
  if (!rc) rc = mfh_sc_phase_grid_alloc(ws, &H, err);
  if (!rc) rc = mfh_sc_wigner(ws, A, &W, NULL, err);
  double mass = 0, tr = 0, coh = NAN;
  if (!rc) rc = mfh_phase_grid_moments(&W, &mass, NULL, NULL, err);
  if (!rc) rc = mfh_sc_state_trace(A, &tr, err);
  if (!rc && coherent) {
    double emax = 0, wmax = 1 / (M_PI * eps);
    for (size_t i = 0; i < W.nx; i++)
      for (size_t k = 0; k < W.nv; k++) {
        double x = W.xmin + (double)i * W.dx, xi = W.vmin + (double)k * W.dv;
        double ex = exp(-((x - q) * (x - q) + (xi - pc) * (xi - pc)) / eps) / (M_PI * eps);
        double d = fabs(W.f[i * W.nv + k] - ex);
        if (d > emax) emax = d;
      }
    coh = emax / wmax;
  }
  if (!rc) rc = mfh_sc_husimi(ws, A, &H, NULL, err);
  double hus_neg = 0, odd_err = 0;
  if (!rc) {
    double hmin = INFINITY, hmax = -INFINITY;
    for (size_t m = 0; m < H.nx * H.nv; m++) {
      if (H.f[m] < hmin) hmin = H.f[m];
      if (H.f[m] > hmax) hmax = H.f[m];
    }
    hus_neg = fmax(0.0, -hmin / hmax);
  }
  /* the odd state: W(0, 0) = -1/(pi eps) exactly */
  if (!rc) {
    double w1 = 1;
    mfh_density odd = {.grid = *g, .kind = MFH_DENSITY_ORBITALS, .norb = 1, .w = &w1, .eps = eps};
    odd.orb = malloc(g->n * sizeof *odd.orb);
    if (!odd.orb) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
    if (!rc) {
      odd_state(g, eps, odd.orb);
      rc = mfh_sc_wigner(ws, &odd, &W, NULL, err);
    }
    /* the node nearest (0, 0): x = 0 is node n/2, xi = 0 is node nxi/2 */
    if (!rc) odd_err = fabs(M_PI * eps * W.f[(g->n / 2) * W.nv + W.nv / 2] + 1);
    free(odd.orb);
  }
  mfh_phase_grid_free(&W);
  mfh_phase_grid_free(&H);
  mfh_sc_phase_destroy(ws);
  if (rc) return rc;
  if (mfh_values_set(out, "wig_mass_err", fabs(mass - tr)) || mfh_values_set(out, "coh_wig_err", coh) ||
      mfh_values_set(out, "odd_err", odd_err) || mfh_values_set(out, "hus_neg", hus_neg))
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return MFH_OK;
}

const mfh_observable_type mfh_obs_wigner = {
    "wigner",
    "WIG-1 identities of a 1D state's Wigner and Husimi functions: |int W - tr R|, the coherent state's W "
    "against its closed form (when the part carries q, p), the odd state's W(0, 0) = -1/(pi eps), Husimi >= 0",
    NULL,
    0,
    "a:density",
    "wig_mass_err coh_wig_err odd_err hus_neg",
    NULL,
    wigner_eval,
};

static int husimi_w2_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  const mfh_density *A = density_of(in, MFH_ROLE_A), *B = density_of(in, MFH_ROLE_B);
  const mfh_xgrid *g = &A->grid;
  double eps = 0;
  int rc = common_eps(A, B, &eps, err);
  if (rc) return rc;
  if (B->grid.dim != g->dim || B->grid.n != g->n || B->grid.xmin != g->xmin || B->grid.dx != g->dx)
    return mfh_err_set(err, MFH_EINPUT, "husimi_w2: the two states must live on the same grid");
  mfh_sc_phase *ws = NULL;
  mfh_phase_grid HA = {0}, HB = {0};
  mfh_sc_w2grid w;
  rc = mfh_sc_phase_create(g, eps, g->n, 1, &ws, err);
  if (!rc) rc = mfh_sc_phase_grid_alloc(ws, &HA, err);
  if (!rc) rc = mfh_sc_phase_grid_alloc(ws, &HB, err);
  if (!rc) rc = mfh_sc_husimi(ws, A, &HA, NULL, err);
  if (!rc) rc = mfh_sc_husimi(ws, B, &HB, NULL, err);
  if (!rc) rc = mfh_sc_w2_grid(&HA, &HB, NULL, &w, err);
  mfh_phase_grid_free(&HA);
  mfh_phase_grid_free(&HB);
  mfh_sc_phase_destroy(ws);
  if (rc) return rc;
  double up = w.upper + w.cell_f + w.cell_g;
  if (mfh_values_set(out, "w2_husimi_lo", w.lower) || mfh_values_set(out, "w2_husimi_hi", up))
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return MFH_OK;
}

const mfh_observable_type mfh_obs_husimi_w2 = {
    "husimi_w2",
    "certified bracket [w2_husimi_lo, w2_husimi_hi] of W_2 between the Husimi functions of two 1D states on "
    "the same grid (phase grid of n momenta; upper end widened by the continuum cell terms)",
    NULL,
    0,
    "a:density b:density",
    "w2_husimi_lo w2_husimi_hi",
    NULL,
    husimi_w2_eval,
};

static const mfh_param_def husimi_grid_w2_params[] = {
    {"w2_points", MFH_PARAM_INT, "1000", 16, 2000, 0, 0, NULL, "W_2 bracket: coarse points per measure", 0},
    {"w2_sweeps", MFH_PARAM_INT, "8", 0, 1000, 0, 0, NULL, "W_2 bracket: refinement sweeps of the upper coupling",
     0},
    {"neg_tol", MFH_PARAM_REAL, "1e-6", 0, 1, 1, 0, NULL,
     "W_2 bracket: relative negative undershoot of the phase grid b clipped to 0", 0},
};

/* The Husimi nodes of A under b: nxi momenta, b's v nodes k0 .. k0 + nv - 1
 * of them, b's x nodes every sx-th node of A's grid.  MFH_EINPUT when b
 * does not lie on such nodes. */
static int husimi_window(const mfh_density *A, const mfh_phase_grid *b, size_t *nxi, size_t *k0, size_t *sx,
                         mfh_err *err) {
  const mfh_xgrid *g = &A->grid;
  double r = 2 * M_PI * A->eps / (b->dv * g->dx), s = b->dx / g->dx;
  if (g->dim != 1 || !(r >= 4 && r < 1e8) || !(s >= 1 && s < 1e8) || b->nv % 2 == 0)
    return mfh_err_set(err, MFH_EINPUT,
                       "husimi_grid_w2: the phase grid (dx %g, dv %g, %zu v nodes) is not on the Husimi nodes of "
                       "the 1D state (dx %g, eps %g)",
                       b->dx, b->dv, b->nv, g->dx, A->eps);
  *nxi = (size_t)lround(r);
  *sx = (size_t)lround(s);
  size_t K = (b->nv - 1) / 2;
  double dxi = 2 * M_PI * A->eps / ((double)*nxi * g->dx);
  if (*nxi % 2 || K + 1 > *nxi / 2 || fabs(dxi - b->dv) > 1e-9 * dxi ||
      fabs(b->vmin + (double)K * dxi) > 1e-9 * (double)K * dxi || fabs(b->dx - (double)*sx * g->dx) > 1e-9 * b->dx ||
      fabs(b->xmin - g->xmin) > 1e-9 * b->dx || (b->nx - 1) * *sx >= g->n)
    return mfh_err_set(err, MFH_EINPUT,
                       "husimi_grid_w2: the phase grid's nodes (x from %g step %g, %zu; v from %g step %g, %zu) are "
                       "not nodes of the Husimi grid of the state (x from %g step %g, %zu; %zu momenta)",
                       b->xmin, b->dx, b->nx, b->vmin, b->dv, b->nv, g->xmin, g->dx, g->n, *nxi);
  *k0 = *nxi / 2 - K;
  return MFH_OK;
}

/* tr R of a's orbitals (dx sum_k w_k sum_j |psi_k(x_j)|^2, in this order)
 * and the edge of its position density rho = sum_k w_k |psi_k|^2. */
static int density_monitors(const mfh_density *A, double *mass, double *edge, mfh_err *err) {
  int rc = mfh_sc_state_trace(A, mass, err);
  if (rc) return rc;
  size_t n = A->grid.n;
  double rmax = 0, r0 = 0, r1 = 0;
  for (size_t j = 0; j < n; j++) {
    double r = 0;
    for (size_t k = 0; k < A->norb; k++) {
      double complex p = A->orb[k * n + j];
      r += A->w[k] * (creal(p) * creal(p) + cimag(p) * cimag(p));
    }
    rmax = fmax(rmax, r);
    if (j == 0) r0 = r;
    if (j == n - 1) r1 = r;
  }
  *edge = rmax > 0 ? fmax(r0, r1) / rmax : 0;
  return MFH_OK;
}

static int husimi_grid_w2_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  const mfh_density *A = density_of(in, MFH_ROLE_A);
  const mfh_phase_grid *b = mfh_state_get(in->s[MFH_ROLE_B], &mfh_kind_phase_grid, NULL);
  if (!(A->eps > 0)) return mfh_err_set(err, MFH_EINPUT, "husimi_grid_w2: the state has no scale eps");
  if (A->kind != MFH_DENSITY_ORBITALS)
    return mfh_err_set(err, MFH_EINPUT, "husimi_grid_w2: the state must be orbitals + weights");
  size_t nxi = 0, k0 = 0, sx = 0;
  int rc = husimi_window(A, b, &nxi, &k0, &sx, err);
  if (rc) return rc;
  mfh_sc_phase *ws = NULL;
  mfh_phase_grid H = {0}, Hw = {0};
  rc = mfh_sc_phase_create(&A->grid, A->eps, nxi, 1, &ws, err);
  if (!rc) rc = mfh_sc_phase_grid_alloc(ws, &H, err);
  if (!rc) rc = mfh_phase_grid_alloc(&Hw, b->nx, b->nv, err);
  if (!rc) rc = mfh_sc_husimi(ws, A, &H, NULL, err);
  double hm = 0, wm = 0;
  mfh_sc_w2grid w;
  if (!rc) {
    for (size_t m = 0; m < H.nx * H.nv; m++) hm += H.f[m];
    for (size_t i = 0; i < b->nx; i++)
      for (size_t j = 0; j < b->nv; j++) {
        double x = H.f[(i * sx) * H.nv + k0 + j];
        Hw.f[i * b->nv + j] = x;
        wm += x;
      }
    hm *= H.dx * H.dv;
    wm *= b->dx * b->dv;
    Hw.xmin = b->xmin;
    Hw.dx = b->dx;
    Hw.vmin = b->vmin;
    Hw.dv = b->dv;
    mfh_phase_grid F = Hw; /* b's values on the same geometry */
    F.f = b->f;
    mfh_sc_w2grid_opts o;
    mfh_sc_w2grid_opts_init(&o);
    o.max_points = (size_t)mfh_params_int(p, "w2_points");
    o.sweeps = (int)mfh_params_int(p, "w2_sweeps");
    o.neg_tol = mfh_params_real(p, "neg_tol");
    rc = mfh_sc_w2_grid(&F, &Hw, &o, &w, err);
  }
  mfh_phase_grid_free(&H);
  mfh_phase_grid_free(&Hw);
  mfh_sc_phase_destroy(ws);
  double mass = 0, edge = 0;
  if (!rc) rc = density_monitors(A, &mass, &edge, err);
  if (rc) return rc;
  double cells = w.cell_f + w.cell_g;
  double lo = fmax(0.0, w.lower - cells), hi = w.upper + cells, mid = 0.5 * (w.lower + w.upper);
  const char *names[] = {"w2sq",      "w2sq_lo",     "w2sq_hi",        "w2_grid_lo",    "w2_grid_hi",
                         "w2_coarse", "w2_cells",    "husimi_mass",    "husimi_window", "clipped",
                         "density_mass", "density_edge"};
  const double vals[] = {mid * mid, lo * lo, hi * hi, w.lower, w.upper, w.w2_coarse, cells, hm,
                         hm > 0 ? wm / hm : 0, w.clipped_f, mass, edge};
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
    if (mfh_values_set(out, names[i], vals[i])) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return MFH_OK;
}

const mfh_observable_type mfh_obs_husimi_grid_w2 = {
    "husimi_grid_w2",
    "certified W_2 bracket between a phase-space grid b (a Vlasov density on the Husimi nodes) and the Husimi "
    "function of a 1D state a read on b's nodes (HV-1): w2sq (midpoint^2), w2sq_lo, w2sq_hi (with the cell "
    "terms), the raw bracket, and mass monitors",
    husimi_grid_w2_params,
    sizeof husimi_grid_w2_params / sizeof husimi_grid_w2_params[0],
    "a:density b:phase_grid",
    "w2sq w2sq_lo w2sq_hi w2_grid_lo w2_grid_hi w2_coarse w2_cells husimi_mass husimi_window clipped density_mass "
    "density_edge",
    NULL,
    husimi_grid_w2_eval,
};
