/* Engine `nbodyq`: N bosons in one space dimension, exact N-body
 * Schroedinger dynamics on the M^N tensor grid (engines/nbodyq/nbodyq.h:
 * Strang split-step Fourier, Bao, Jin & Markowich 2002), from the bosonic
 * product state psi_in^(x)N, with the full pair interaction (coupling 1/N,
 * the harness convention, or 1/(N-1), the random batch paper's) or with
 * random batches (Golse, Jin & Paul, seed 004: each step draws a uniform
 * random perfect matching and only paired particles interact, coefficient 1
 * per pair; N even).  THEOREMS.md section 1 (SH-1..3, RBM-1..2).
 *
 * Initial state (initial()): the one-body coherent orbital psi_in = |q, p>
 * at scale eps on the grid x_i = -L/2 + i L/M, as a density with one
 * orbital (what a coupled Hartree reference starts from):
 *   orbital: normalised   sampled as engine `hartree` samples it, then
 *                         normalised on the grid (dx sum |psi|^2 = 1);
 *   orbital: sampled      the analytic samples (metrics/semiclassical/
 *                         states.h mfh_sc_coherent), not renormalised.
 * run() starts from any one-orbital density (its grid, centred on 0, and its
 * eps): Psi = phi^(x)N, phi normalised on the grid by the product itself.
 *
 * State at every output time t (a stream parameter; t = round(t / dt) dt):
 *   rdm1   the one-particle reduced density matrix R_{N:1}(t) (averaged over
 *          the particle index) as a density kernel on the one-body grid;
 *   rdm2   (rdm2: yes) R_{N:2}(t), averaged over ordered pairs, as a density
 *          kernel on the 2D grid (x_1, x_2) (O(M^(N+2)) work per output);
 *   psi    (wave: yes) the N-body wave function Psi(t) itself (state kind
 *          nbody_wave, M^N values per output time), for observables of the
 *          whole state (its marginals: observable marginal_norms).
 * rdm1 and rdm2 are computed by metrics/marginals.h, the same code the
 * observables of psi call, so both routes give the same bits.
 * With batches: random, rdm1 is the Monte Carlo mean E R~_1(t) over
 * `realisations` R independent RBM runs, and carries the R per-realisation
 * kernels as its samples (core/density.h) for standard errors.  The
 * engine's stream (ctx->rng) draws R 64-bit seeds first, seed_r =
 * (g_1 << 32) | g_2 from two consecutive gsl_rng_get draws, r = 0..R-1 in
 * order; realisation r runs on its own generator mfh_rng_alloc(seed_r), so
 * its matchings depend neither on the output times nor on the other
 * realisations.  The mean is the sum in realisation order divided by R.
 * The comparisons (Hartree, full dynamics, the same at dt / 2) are the
 * harness's references and the observables' business. */
#include "engines/nbodyq/engine.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/kinds.h"
#include "core/rng.h"
#include "engines/hartree/hartree.h"
#include "engines/nbodyq/common.h"
#include "engines/nbodyq/nbodyq.h"
#include "metrics/semiclassical/states.h"

static const mfh_param_def nbq_params[] = {
    {"N", MFH_PARAM_INT, "2", 2, 5, 0, 0, NULL, "number of bosons", MFH_PARAM_SAMPLED},
    {"M", MFH_PARAM_INT, "32", 8, 4096, 0, 0, NULL, "grid points per particle (even)", MFH_PARAM_GRID},
    MFH_NBQ_MODEL_PARAMS,
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL, "output time (a sweep over t is one run)", MFH_PARAM_STREAM},
    {"dt", MFH_PARAM_REAL, "0.01", 0, 10, 1, 0, NULL, "time step (t must be a multiple of it)", MFH_PARAM_STEP},
    {"coupling", MFH_PARAM_CHOICE, "1/N", 0, 0, 0, 0, "1/N|1/(N-1)",
     "pair coupling of the full dynamics (the harness's mean-field scaling, or the random batch paper's; "
     "random batches use 1 per pair)", 0},
    {"batches", MFH_PARAM_CHOICE, "none", 0, 0, 0, 0, "none|random",
     "none: the full pair dynamics; random: the random batch method (a uniform random perfect matching "
     "per step, N even), `realisations` runs averaged", 0},
    {"realisations", MFH_PARAM_INT, "200", 2, 1e7, 0, 0, NULL,
     "batches: random: RBM runs averaged inside one task (E over the random matchings)", MFH_PARAM_SAMPLED},
    {"orbital", MFH_PARAM_CHOICE, "normalised", 0, 0, 0, 0, "normalised|sampled",
     "the initial orbital |q, p>: normalised on the grid, or the analytic samples as they are", 0},
    {"rdm2", MFH_PARAM_CHOICE, "no", 0, 0, 0, 0, "no|yes",
     "also output R_{N:2} (item rdm2: O(M^(N+2)) work per output time, an M^2 x M^2 kernel)", 0},
    {"wave", MFH_PARAM_CHOICE, "no", 0, 0, 0, 0, "no|yes",
     "also output the N-body wave function Psi (item psi, kind nbody_wave: M^N values kept per output time)", 0},
    {"memory_gb", MFH_PARAM_REAL, "8", 0, 1e6, 1, 0, NULL,
     "refuse configurations whose wave function and workspace exceed this (GB)", 0},
};

typedef struct opts {
  mfh_nbq_cfg c;
  int nm1, random, sampled, rdm2, wave;
  size_t R;
} opts;

static void read_opts(const mfh_params *ps, opts *o) {
  mfh_nbq_cfg_read(ps, &o->c);
  o->nm1 = !strcmp(mfh_params_str(ps, "coupling"), "1/(N-1)");
  o->random = !strcmp(mfh_params_str(ps, "batches"), "random");
  o->R = (size_t)mfh_params_int(ps, "realisations");
  o->sampled = !strcmp(mfh_params_str(ps, "orbital"), "sampled");
  o->rdm2 = !strcmp(mfh_params_str(ps, "rdm2"), "yes");
  o->wave = !strcmp(mfh_params_str(ps, "wave"), "yes");
}

/* Memory beyond one wave function: R_{N:2}, its scratch and the norms'
 * copies (rdm2: yes); one more M^N copy per output time (wave: yes; counted
 * once here, the output times are the plan's). */
static double extra_bytes(const opts *o) {
  double extra = o->rdm2 ? mfh_nbodyq_rdm2_bytes(o->c.M) + 3 * 16.0 * pow((double)o->c.M, 4) : 0;
  if (o->wave) extra += 16.0 * pow((double)o->c.M, (double)o->c.N);
  return extra;
}

static int nbq_validate(const mfh_params *ps, const char **param, mfh_err *err) {
  opts o;
  read_opts(ps, &o);
  if (o.random && o.c.N % 2)
    return mfh_param_reject(param, "N", err,
                            "the random batch method pairs the particles: N must be even (got %d)", o.c.N);
  if (o.random && o.rdm2)
    return mfh_param_reject(param, "rdm2", err, "rdm2: yes is for the full dynamics (batches: none)");
  if (o.random && o.wave)
    return mfh_param_reject(param, "wave", err,
                            "wave: yes is for the full dynamics (batches: none gives one wave function per time)");
  return mfh_nbq_cfg_check(ps, &o.c, extra_bytes(&o), param, err);
}

static int nbq_declare(const mfh_params *ps, mfh_decl *d, mfh_err *err) {
  int rc = mfh_decl_item(d, "rdm1", &mfh_kind_density);
  if (!rc && !strcmp(mfh_params_str(ps, "rdm2"), "yes")) rc = mfh_decl_item(d, "rdm2", &mfh_kind_density);
  if (!rc && !strcmp(mfh_params_str(ps, "wave"), "yes")) rc = mfh_decl_item(d, "psi", &mfh_kind_nbody_wave);
  return rc ? mfh_err_set(err, MFH_EINTERNAL, "nbodyq: bad declaration") : MFH_OK;
}

static mfh_xgrid grid1(int M, double L) {
  mfh_xgrid g = {1, (size_t)M, -L / 2, L / (double)M};
  return g;
}

/* psi_in = |q, p> on the grid.  normalised: the Hartree solver's own
 * coherent state, normalised by it (the orbital a Hartree reference evolves);
 * sampled: mfh_sc_coherent's analytic samples. */
static int nbq_initial(const mfh_params *ps, gsl_rng *init_rng, mfh_state *s0, mfh_err *err) {
  (void)init_rng;
  opts o;
  read_opts(ps, &o);
  const mfh_nbq_cfg *c = &o.c;
  mfh_xgrid g = grid1(c->M, c->L);
  mfh_density *d = mfh_density_new(&g, MFH_DENSITY_ORBITALS, 1);
  if (!d) return mfh_err_set(err, MFH_ENOMEM, "nbodyq: out of memory for the initial orbital");
  d->eps = c->eps;
  d->w[0] = 1;
  int rc = MFH_OK;
  if (o.sampled) {
    rc = mfh_sc_coherent(&g, c->eps, &c->q, &c->p, d->orb, err);
  } else {
    mfh_hartree_params hp;
    mfh_hartree_params_init(&hp);
    hp.dim = 1;
    hp.n = c->M;
    hp.xmin = -c->L / 2;
    hp.xmax = c->L / 2;
    hp.eps = c->eps;
    hp.threads = 1;
    mfh_hartree *h = NULL;
    rc = mfh_hartree_create(&hp, &h, err);
    if (!rc) rc = mfh_hartree_set_coherent(h, 0, &c->q, &c->p, err);
    if (!rc) rc = mfh_hartree_normalize(h, err);
    if (!rc) memcpy(d->orb, mfh_hartree_orbital_const(h, 0), (size_t)c->M * sizeof *d->orb);
    mfh_hartree_destroy(h);
  }
  if (rc) {
    mfh_density_free(d);
    return rc;
  }
  return mfh_state_put(s0, "rdm1", &mfh_kind_density, d, err);
}

/* The N-body solver on the grid of the one-orbital density R0 (a box
 * centred on 0), at R0's eps (the parameters' when R0 has none), holding
 * the product of R0's orbital. */
static int solver_from(const opts *o, const mfh_density *R0, mfh_nbodyq **q, mfh_err *err) {
  *q = NULL;
  if (R0->kind != MFH_DENSITY_ORBITALS || R0->norb != 1 || !R0->orb)
    return mfh_err_set(err, MFH_EINPUT, "nbodyq: the initial density must be one orbital (psi_in^(x)N is a product)");
  const mfh_xgrid *g = &R0->grid;
  if (g->dim != 1 || g->n > 4096 || g->n % 2 ||
      fabs(g->xmin + 0.5 * (double)g->n * g->dx) > 1e-12 * fabs(g->xmin))
    return mfh_err_set(err, MFH_EINPUT,
                       "nbodyq: the initial orbital must live on a 1D grid of an even number of points centred on 0 "
                       "(got dim %d, %zu points from %g)",
                       g->dim, g->n, g->xmin);
  mfh_nbodyq_params np;
  mfh_nbodyq_params_init(&np);
  np.N = o->c.N;
  np.M = (int)g->n;
  np.L = -2 * g->xmin;
  np.eps = R0->eps > 0 ? R0->eps : o->c.eps;
  np.a = o->c.a;
  np.s = o->c.s;
  np.coupling_kind = o->nm1 ? MFH_NBODYQ_COUPLING_NM1 : MFH_NBODYQ_COUPLING_N;
  np.max_bytes = o->c.mem;
  int rc = mfh_nbodyq_create(&np, q, err);
  if (!rc) rc = mfh_nbodyq_set_product(*q, R0->orb, err);
  return rc;
}

/* A kernel density on g at scale eps, put into s as `name`; *out borrows it. */
static int put_kernel(mfh_state *s, const char *name, const mfh_xgrid *g, double eps, mfh_density **out,
                      mfh_err *err) {
  mfh_density *d = mfh_density_new(g, MFH_DENSITY_KERNEL, 0);
  if (!d) return mfh_err_set(err, MFH_ENOMEM, "nbodyq: out of memory for %s on %zu^%d points", name, g->n, g->dim);
  d->eps = eps;
  *out = d;
  return mfh_state_put(s, name, &mfh_kind_density, d, err);
}

/* A copy of the wave function of q, at scale eps, put into s as "psi". */
static int put_wave(mfh_state *s, const mfh_nbodyq *q, const mfh_xgrid *g, double eps, mfh_err *err) {
  mfh_nbody_wave *w = mfh_nbody_wave_new(g, mfh_nbodyq_N(q));
  if (!w)
    return mfh_err_set(err, MFH_ENOMEM, "nbodyq: out of memory for the wave function (%zu values)", mfh_nbodyq_size(q));
  w->eps = eps;
  memcpy(w->psi, mfh_nbodyq_psi_const(q), mfh_nbodyq_size(q) * sizeof *w->psi);
  return mfh_state_put(s, "psi", &mfh_kind_nbody_wave, w, err);
}

/* The full dynamics: R_{N:1} (and R_{N:2}, Psi) at every output time. */
static int run_full(const opts *o, mfh_nbodyq *q, const mfh_xgrid *g, double eps, const mfh_engine_ctx *ctx,
                    mfh_state *out, mfh_err *err) {
  mfh_xgrid g2 = {2, g->n, g->xmin, g->dx};
  long step = 0;
  int rc = MFH_OK;
  for (size_t k = 0; !rc && k < ctx->nout; k++) {
    long target = lround(ctx->t[k] / o->c.dt);
    for (; !rc && step < target; step++) rc = mfh_nbodyq_step(q, o->c.dt, err);
    mfh_density *R = NULL, *R2 = NULL;
    if (!rc) rc = put_kernel(&out[k], "rdm1", g, eps, &R, err);
    if (!rc) rc = mfh_nbodyq_rdm1(q, R->kernel, err);
    if (!rc && o->rdm2) rc = put_kernel(&out[k], "rdm2", &g2, eps, &R2, err);
    if (!rc && o->rdm2) rc = mfh_nbodyq_rdm2(q, R2->kernel, err);
    if (!rc && o->wave) rc = put_wave(&out[k], q, g, eps, err);
  }
  return rc;
}

/* Random batches: R realisations, each on its own generator seeded from
 * ctx->rng (all seeds drawn first); rdm1 = the mean in realisation order,
 * its samples the R kernels. */
static int run_random(const opts *o, mfh_nbodyq *q, const double complex *phi, const mfh_xgrid *g, double eps,
                      const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  const size_t R = o->R, M2 = g->n * g->n, nout = ctx->nout;
  double bytes = 16.0 * (double)M2 * (double)R * (double)nout;
  if (bytes > o->c.mem)
    return mfh_err_set(err, MFH_EINPUT,
                       "nbodyq: %zu realisations at %zu output times need %.3g GB for their kernels; limit %.3g GB "
                       "(memory_gb)",
                       R, nout, bytes / 1e9, o->c.mem / 1e9);
  unsigned long long *seeds = malloc(R * sizeof *seeds);
  mfh_density **D = calloc(nout, sizeof *D);
  int rc = seeds && D ? MFH_OK : mfh_err_set(err, MFH_ENOMEM, "nbodyq: out of memory");
  for (size_t r = 0; !rc && r < R; r++) {
    unsigned long long hi = gsl_rng_get(ctx->rng), lo = gsl_rng_get(ctx->rng);
    seeds[r] = (hi << 32) | (lo & 0xffffffffULL);
  }
  for (size_t k = 0; !rc && k < nout; k++) {
    rc = put_kernel(&out[k], "rdm1", g, eps, &D[k], err);
    if (!rc && !(D[k]->samples = malloc(R * M2 * sizeof *D[k]->samples)))
      rc = mfh_err_set(err, MFH_ENOMEM, "nbodyq: out of memory for %zu samples", R);
    if (!rc) D[k]->nsamples = R;
  }
  for (size_t r = 0; !rc && r < R; r++) {
    gsl_rng *rr = mfh_rng_alloc(seeds[r]);
    if (!rr) {
      rc = mfh_err_set(err, MFH_ENOMEM, "nbodyq: out of memory");
      break;
    }
    rc = mfh_nbodyq_set_product(q, phi, err);
    long step = 0;
    for (size_t k = 0; !rc && k < nout; k++) {
      long target = lround(ctx->t[k] / o->c.dt);
      for (; !rc && step < target; step++) rc = mfh_nbodyq_rbm_step(q, o->c.dt, rr, NULL, err);
      double complex *Rt = D[k]->samples + r * M2, *acc = D[k]->kernel;
      if (!rc) rc = mfh_nbodyq_rdm1(q, Rt, err);
      for (size_t i = 0; !rc && i < M2; i++) acc[i] += Rt[i];
    }
    gsl_rng_free(rr);
  }
  for (size_t k = 0; !rc && k < nout; k++)
    for (size_t i = 0; i < M2; i++) D[k]->kernel[i] /= (double)R;
  free(seeds);
  free(D);
  return rc;
}

static int nbq_run(const mfh_params *ps, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  opts o;
  read_opts(ps, &o);
  const mfh_density *R0 = ctx->from ? mfh_state_get(ctx->from, &mfh_kind_density, NULL) : NULL;
  if (!R0) return mfh_err_set(err, MFH_EINPUT, "nbodyq: no initial orbital to start from");
  mfh_nbodyq *q = NULL;
  int rc = solver_from(&o, R0, &q, err);
  double eps = R0->eps > 0 ? R0->eps : o.c.eps;
  if (!rc && o.random) rc = run_random(&o, q, R0->orb, &R0->grid, eps, ctx, out, err);
  else if (!rc) rc = run_full(&o, q, &R0->grid, eps, ctx, out, err);
  mfh_nbodyq_destroy(q);
  return rc;
}

/* One wave function of M^N points at a time (random batches: `realisations`
 * runs one after the other), R_{N:2} and its scratch with rdm2: yes.  A
 * coupled reference is a part estimated on its own. */
static int nbq_estimate(const mfh_params *ps, double *bytes, double *seconds) {
  opts o;
  read_opts(ps, &o);
  double extra = extra_bytes(&o);
  double runs = o.random ? (double)mfh_params_int(ps, "realisations") : 1;
  mfh_nbq_estimate(ps, extra, 1, runs, bytes, seconds);
  return MFH_OK;
}

const mfh_engine_type mfh_engine_nbodyq = {
    .name = "nbodyq",
    .doc = "N bosons in 1D (N = 2..5) on the M^N grid from psi_in^(x)N, full pair dynamics or random batches: "
           "R_{N:1} (and R_{N:2}, Psi) at every t, a Monte Carlo mean with its samples for random batches",
    .method = "Strang split-step Fourier on the tensor grid (Bao, Jin & Markowich 2002), engines/nbodyq/nbodyq.h; "
              "random batch method of Golse, Jin & Paul (seed 004)",
    .version = 1,
    .params = nbq_params,
    .nparams = sizeof nbq_params / sizeof nbq_params[0],
    .validate = nbq_validate,
    .declare = nbq_declare,
    .starts_from = "density",
    .initial = nbq_initial,
    .run = nbq_run,
    .estimate = nbq_estimate,
    .conformance = "N=2 M=16 L=8 eps=0.65 dt=0.05 t=0.1",
};
