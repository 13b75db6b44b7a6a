/* Tests for engines/vlasov/engine.c: the engine `vlasov`.
 *
 * The parameter table (one stream parameter t, dt a step, nx and vsub the
 * grid resolutions a refined reference multiplies, no reference choice) and
 * its validation (every bad input names its parameter); the declaration
 * (every output is exactly what declare() says, NaN where a rate cannot be
 * fitted); the stream contract (out[k] for {t1, t2} is bit for bit the run
 * asked for that time alone, grids and fields included); the model
 * constants (the two-stream root 0.2592499317 of the dispersion relation,
 * mpmath at 30 digits); a short linear Landau run whose fitted damping rate
 * and frequency match the literature values -0.1533 and 1.4156 (exactly
 * -0.153359 and 1.415662 from the plasma dispersion function); the refined
 * reference the harness makes (dt / 2, and nx 2, vsub 2 on nested grids)
 * measured by grid_l2 and field_l2 (order 2 in dt); a coupled start from a
 * phase grid; and the Vlasov run of HV-1 (pair_free, a Gaussian symbol, the
 * Husimi-matched grid) on the Husimi nodes. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/kinds.h"
#include "core/param.h"
#include "core/status.h"
#include "core/values.h"
#include "engines/vlasov/engine.h"
#include "metrics/gridl2.h"
#include "observables/gridl2.h"
#include "tests/testutil.h"

static const mfh_engine_type *const E = &mfh_engine_vlasov;

/* ---- helpers ------------------------------------------------------------ */

static const mfh_param_def *def_of(const char *name) {
  for (size_t i = 0; i < E->nparams; i++)
    if (!strcmp(E->params[i].name, name)) return &E->params[i];
  return NULL;
}
static mfh_params with(const char *list) { return mfh_test_engine_params(E, list); }
static void expect_bad(const char *list, const char *param, const char *needle) {
  mfh_test_engine_expect_bad(E, list, param, needle);
}
static void run_ok(const mfh_params *ps, size_t n, const double *times, mfh_state *out) {
  mfh_test_engine_run_ok(E, ps, n, times, 1, out);
}
static double scalar(const mfh_state *s, const char *name) { return mfh_test_scalar(s, name); }

static uint64_t hash_of(const mfh_state *s) {
  uint64_t h = 0;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_state_hash(s, &h, &err), MFH_OK);
  return h;
}

/* An observable between the states a and b at time t. */
static double observe(const mfh_observable_type *o, const mfh_state *a, const mfh_state *b, const char *out) {
  mfh_obs_args in = {{a, b, NULL, NULL}, 0};
  mfh_params none = {0, NULL};
  mfh_values v = {0, 0, NULL};
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(o->eval(&none, &in, &v, &err) == MFH_OK, "%s: %s", o->name, err.msg);
  const double *d = mfh_values_get(&v, out);
  ck_assert_ptr_nonnull(d);
  double r = *d;
  mfh_values_free(&v);
  return r;
}

/* ---- the table ---------------------------------------------------------- */

START_TEST(test_table) {
  ck_assert_str_eq(E->name, "vlasov");
  ck_assert(E->run && E->validate && E->declare && E->initial && E->constants);
  int nstream = 0;
  for (size_t i = 0; i < E->nparams; i++) {
    const mfh_param_def *d = &E->params[i];
    ck_assert_msg(d->def != NULL, "%s has no default", d->name);
    ck_assert_msg(d->doc && d->doc[0], "%s has no doc", d->name);
    ck_assert_msg(!(d->flags & MFH_PARAM_SAMPLED), "%s: nothing is drawn", d->name);
    if (d->flags & MFH_PARAM_STREAM) {
      nstream++;
      ck_assert_str_eq(d->name, "t");
    }
  }
  ck_assert_int_eq(nstream, 1);
  const char *need[] = {"model", "init", "k", "alpha", "nx", "nv", "vsub", "vmax", "t", "dt",
                        "fit_from", "fit_to", "a", "s", "q0", "p0", "sq", "sp", "L", "vgrid", "eps", "n"};
  for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
    ck_assert_msg(def_of(need[i]) != NULL, "no parameter %s", need[i]);
  /* what a refined reference may change, and that nothing is a reference choice */
  ck_assert(def_of("dt")->flags & MFH_PARAM_STEP);
  ck_assert(def_of("nx")->flags & MFH_PARAM_GRID);
  ck_assert(def_of("vsub")->flags & MFH_PARAM_GRID);
  ck_assert(!(def_of("nv")->flags & MFH_PARAM_GRID)); /* nv r nodes would not contain the nv nodes */
  const char *gone[] = {"reference", "refine", "refine_x", "refine_v"};
  for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) ck_assert_ptr_null(def_of(gone[i]));
  /* the defaults, and each init / model at its defaults, are valid */
  const char *cases[] = {"",
                         "init=two_stream",
                         "init=bump",
                         "init=perturbed",
                         "model=pair",
                         "model=pair init=perturbed vsub=4 nx=64",
                         "model=none init=perturbed",
                         "model=pair_free init=gaussian L=8",
                         "model=pair_free init=gaussian L=8 vgrid=husimi nv=129 vmax=4 eps=0.1 n=512"};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mfh_params ps = mfh_test_engine_valid(E, "%s", cases[i]);
    mfh_params_free(&ps);
  }
}
END_TEST

START_TEST(test_bad_params) {
  expect_bad("t=1.02 dt=0.05", "t", "whole number of time steps");
  expect_bad("t=1000000 dt=0.001", "dt", "time steps");
  expect_bad("vmax=4", "vmax", "vmax = 4");
  expect_bad("init=two_stream vmax=5", "vmax", "vmax = 5");
  expect_bad("fit_from=10 fit_to=5", "fit_to", "fit_from");
  expect_bad("alpha=0", "alpha", "alpha = 0");
  expect_bad("model=pair k=1 s=100", "s", "s = 100");
  expect_bad("nx=65536 nv=65536", "nv", "grid nodes");
  expect_bad("nx=2048 nv=1024 vsub=64", "vsub", "grid nodes");
  expect_bad("L=8", "L", "one wavelength");
  expect_bad("init=gaussian", "L", "L > 0");
  expect_bad("init=gaussian L=2", "L", "does not contain f0");
  expect_bad("init=gaussian L=8 vmax=2", "vmax", "does not contain f0");
  expect_bad("init=gaussian L=8 vgrid=husimi nv=128", "nv", "odd");
  expect_bad("init=gaussian L=8 vgrid=husimi nv=129 vmax=6 eps=0.05 n=256", "vmax", "momentum band");
  /* fine when the rate fit is off */
  const char *ok[] = {"alpha=0 fit=none", "init=perturbed alpha=0", "fit_from=10 fit_to=5 fit=none"};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    mfh_params ps = mfh_test_engine_valid(E, "%s", ok[i]);
    mfh_params_free(&ps);
  }
  /* a stream time that is not a whole number of steps (the loader checks
   * the ends of a sweep only) is rejected by run() */
  mfh_params ps = with("t=2 dt=0.1 fit=none");
  double times[2] = {1.0, 1.05};
  mfh_state out[2];
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_test_engine_try_run(E, &ps, NULL, 2, times, 1, out, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "t = 1.05"));
  for (int k = 0; k < 2; k++) mfh_state_clear(&out[k]);
  mfh_params_free(&ps);
}
END_TEST

/* ---- constants ------------------------------------------------------------ */

START_TEST(test_constants) {
  mfh_err err;
  mfh_err_clear(&err);
  mfh_values c = {0, 0, NULL};
  mfh_params ps = with("init=two_stream");
  ck_assert_int_eq(E->constants(&ps, &c, &err), MFH_OK);
  const double *g = mfh_values_get(&c, "gamma_lin"), *L = mfh_values_get(&c, "L");
  ck_assert_ptr_nonnull(g);
  ck_assert_ptr_nonnull(L);
  ck_assert_msg(fabs(*g - 0.2592499317326985) < 1e-9, "two-stream gamma_lin %.12g", *g);
  ck_assert_double_eq_tol(*L, 4.0 * M_PI, 1e-15);
  mfh_params_free(&ps);
  mfh_values_free(&c);
  /* bump on tail, k = 0.3: omega = 1.001218 + 0.198098 i (mpmath, plasma
   * dispersion function) */
  ps = with("init=bump k=0.3");
  ck_assert_int_eq(E->constants(&ps, &c, &err), MFH_OK);
  g = mfh_values_get(&c, "gamma_lin");
  const double *w = mfh_values_get(&c, "omega_lin");
  ck_assert_ptr_nonnull(g);
  ck_assert_ptr_nonnull(w);
  ck_assert_msg(fabs(*g - 0.198097975843025) < 1e-8 && fabs(*w - 1.00121789363112) < 1e-8,
                "bump root %.12g + %.12g i", *w, *g);
  mfh_params_free(&ps);
  mfh_values_free(&c);
  /* Landau: a damped root, not provided; the pair model: no Poisson theory */
  const char *none[] = {"init=landau", "model=pair init=two_stream"};
  for (int i = 0; i < 2; i++) {
    ps = with(none[i]);
    ck_assert_int_eq(E->constants(&ps, &c, &err), MFH_OK);
    ck_assert_ptr_null(mfh_values_get(&c, "gamma_lin"));
    mfh_params_free(&ps);
    mfh_values_free(&c);
  }
  /* the Gaussian's box */
  ps = with("init=gaussian L=8 model=pair_free");
  ck_assert_int_eq(E->constants(&ps, &c, &err), MFH_OK);
  ck_assert_double_eq(*mfh_values_get(&c, "L"), 8.0);
  mfh_params_free(&ps);
  mfh_values_free(&c);
}
END_TEST

/* ---- stream values ---------------------------------------------------------- */

/* out[k] of one run with stream {t1, t2} equals the runs with {t1} and {t2},
 * bit for bit (grid, field and scalars); the names in `finite` are numbers. */
static void check_stream(const char *list, double t1, double t2, const char *finite) {
  mfh_params ps = with(list);
  double both[2] = {t1, t2};
  mfh_state s2[2], a[1], b[1];
  run_ok(&ps, 2, both, s2);
  run_ok(&ps, 1, &both[0], a);
  run_ok(&ps, 1, &both[1], b);
  ck_assert_msg(hash_of(&s2[0]) == hash_of(&a[0]), "%s: t = %g differs from its own run", list, t1);
  ck_assert_msg(hash_of(&s2[1]) == hash_of(&b[0]), "%s: t = %g differs from its own run", list, t2);
  /* the two times really differ */
  ck_assert(scalar(&s2[0], "field_energy") != scalar(&s2[1], "field_energy"));
  ck_assert(hash_of(&s2[0]) != hash_of(&s2[1]));
  char names[256];
  snprintf(names, sizeof names, "%s", finite);
  for (char *tok = strtok(names, " "); tok; tok = strtok(NULL, " ")) {
    ck_assert_msg(isfinite(scalar(&s2[0], tok)), "%s: %s not finite", list, tok);
    ck_assert_msg(isfinite(scalar(&s2[1], tok)), "%s: %s not finite", list, tok);
  }
  for (int k = 0; k < 2; k++) mfh_state_clear(&s2[k]);
  mfh_state_clear(&a[0]);
  mfh_state_clear(&b[0]);
  mfh_params_free(&ps);
}

START_TEST(test_stream) {
  /* growth fit at every step, on a split velocity grid */
  check_stream("init=two_stream alpha=0.01 nx=16 nv=64 vsub=2 t=2 dt=0.1 fit_from=0", 1.0, 2.0,
               "field_energy log_field_energy mass mass_err momentum_err energy_err l2_ratio fmin edge gamma "
               "fit_points");
  /* the pair model, no fit */
  check_stream("model=pair init=perturbed alpha=0.3 nx=16 nv=64 t=2 dt=0.1", 1.0, 2.0,
               "field_energy energy_err mass_err");
  /* maxima fit: every value at t uses only the run up to t */
  check_stream("alpha=0.001 nx=16 nv=64 t=20 dt=0.1 fit_from=2", 12.0, 20.0, "gamma omega fit_points");
}
END_TEST

/* ---- values ---------------------------------------------------------------- */

START_TEST(test_landau_short) {
  /* gamma and omega from the maxima of the field energy in t = [6, 20] */
  mfh_params ps = with("alpha=0.001 nx=32 nv=128 t=20 dt=0.1 fit_from=6");
  double t = 20.0;
  mfh_state s[1];
  run_ok(&ps, 1, &t, s);
  double gamma = scalar(&s[0], "gamma"), omega = scalar(&s[0], "omega"), n = scalar(&s[0], "fit_points");
  fprintf(stderr,
          "vlasov engine: short Landau run (t = 20, %g maxima in [6, 20]): gamma = %.5f (literature "
          "-0.1533, rel %.2g), omega = %.5f (literature 1.4156, rel %.2g)\n",
          n, gamma, fabs(gamma / -0.1533 - 1), omega, fabs(omega / 1.4156 - 1));
  ck_assert_msg(fabs(gamma / -0.1533 - 1) < 0.02, "gamma %g", gamma);
  ck_assert_msg(fabs(omega / 1.4156 - 1) < 0.02, "omega %g", omega);
  ck_assert(n >= 5);
  /* conservation on the way */
  ck_assert_msg(scalar(&s[0], "mass_err") < 1e-13, "mass_err %g", scalar(&s[0], "mass_err"));
  ck_assert_msg(scalar(&s[0], "l2_ratio") <= 1.0, "l2_ratio %.17g", scalar(&s[0], "l2_ratio"));
  ck_assert_msg(scalar(&s[0], "edge") < 1e-8, "edge %g", scalar(&s[0], "edge"));
  /* the state: f on the 32 x 128 grid of [0, 4 pi) x [-8, 8], the field on its x nodes */
  const mfh_phase_grid *f = mfh_state_get(&s[0], &mfh_kind_phase_grid, "f");
  const mfh_field *a = mfh_state_get(&s[0], &mfh_kind_field, "field");
  ck_assert(f && a);
  ck_assert(f->nx == 32 && f->nv == 128 && f->xmin == 0 && f->vmin == -8);
  ck_assert_double_eq_tol(f->period, 4 * M_PI, 1e-14);
  ck_assert(a->grid.dim == 1 && a->grid.n == 32 && a->grid.dx == f->dx && a->grid.xmin == 0);
  double fe = 0;
  for (size_t i = 0; i < a->grid.n; i++) fe += a->v[i] * a->v[i];
  ck_assert_double_eq(0.5 * fe * a->grid.dx, scalar(&s[0], "field_energy"));
  mfh_state_clear(&s[0]);
  /* too short for 3 maxima in the window: gamma and omega are NaN */
  t = 4.0;
  run_ok(&ps, 1, &t, s);
  ck_assert(isnan(scalar(&s[0], "gamma")) && isnan(scalar(&s[0], "omega")));
  ck_assert(scalar(&s[0], "fit_points") < 3);
  mfh_state_clear(&s[0]);
  mfh_params_free(&ps);
  /* no fit: gamma, omega and fit_points are NaN, still declared */
  ps = with("alpha=0.001 nx=16 nv=64 t=1 dt=0.1 fit=none");
  t = 1.0;
  run_ok(&ps, 1, &t, s);
  ck_assert(isnan(scalar(&s[0], "gamma")) && isnan(scalar(&s[0], "omega")) && isnan(scalar(&s[0], "fit_points")));
  mfh_state_clear(&s[0]);
  mfh_params_free(&ps);
}
END_TEST

/* ---- against a refined solve (what the harness's refined reference runs) ---- */

/* grid_l2 and field_l2 at t = 2 between the run of `sys` and that of `ref`. */
static void refined_errors(const char *sys, const char *ref, double *el2, double *efield) {
  mfh_params ps = with(sys), pr = with(ref);
  double t = 2.0;
  mfh_state a[1], b[1];
  run_ok(&ps, 1, &t, a);
  run_ok(&pr, 1, &t, b);
  *el2 = observe(&mfh_obs_grid_l2, &a[0], &b[0], "grid_l2");
  *efield = observe(&mfh_obs_field_l2, &a[0], &b[0], "field_l2");
  /* symmetric: the coarse grid is found whichever comes first */
  ck_assert_double_eq(*el2, observe(&mfh_obs_grid_l2, &b[0], &a[0], "grid_l2"));
  ck_assert_double_eq(*efield, observe(&mfh_obs_field_l2, &b[0], &a[0], "field_l2"));
  mfh_state_clear(&a[0]);
  mfh_state_clear(&b[0]);
  mfh_params_free(&ps);
  mfh_params_free(&pr);
}

/* err_l2 against a dt / 2 reference falls by 4 when dt halves (Strang). */
START_TEST(test_refined_order) {
  double e[2], ef[2];
  refined_errors("alpha=0.3 nx=32 nv=128 t=2 dt=0.2 fit=none", "alpha=0.3 nx=32 nv=128 t=2 dt=0.1 fit=none", &e[0],
                 &ef[0]);
  refined_errors("alpha=0.3 nx=32 nv=128 t=2 dt=0.1 fit=none", "alpha=0.3 nx=32 nv=128 t=2 dt=0.05 fit=none", &e[1],
                 &ef[1]);
  fprintf(stderr, "vlasov engine: err_l2 %.4g (dt = 0.2), %.4g (dt = 0.1), ratio %.3f; field %.3f\n", e[0], e[1],
          e[0] / e[1], ef[0] / ef[1]);
  ck_assert_msg(e[0] / e[1] > 3.6 && e[0] / e[1] < 4.4, "ratio %g", e[0] / e[1]);
  ck_assert_msg(ef[0] / ef[1] > 3.6 && ef[0] / ef[1] < 4.4, "field ratio %g", ef[0] / ef[1]);
}
END_TEST

/* A reference refined in space: nx 2 cells and (nv - 1) 2 + 1 velocity
 * nodes (vsub 2) contain the coarse nodes; the errors are taken there, and
 * equal the sums over the coarse nodes written out. */
START_TEST(test_refined_grid) {
  const char *sys = "alpha=0.3 nx=16 nv=64 t=1 dt=0.1 fit=none";
  const char *ref = "alpha=0.3 nx=32 nv=64 vsub=2 t=1 dt=0.05 fit=none";
  mfh_params ps = with(sys), pr = with(ref);
  double t = 1.0;
  mfh_state a[1], b[1];
  run_ok(&ps, 1, &t, a);
  run_ok(&pr, 1, &t, b);
  const mfh_phase_grid *f = mfh_state_get(&a[0], &mfh_kind_phase_grid, NULL),
                       *g = mfh_state_get(&b[0], &mfh_kind_phase_grid, NULL);
  const mfh_field *u = mfh_state_get(&a[0], &mfh_kind_field, NULL), *w = mfh_state_get(&b[0], &mfh_kind_field, NULL);
  ck_assert(g->nx == 32 && g->nv == 127 && g->vmin == f->vmin);
  double s = 0;
  for (size_t i = 0; i < f->nx; i++)
    for (size_t j = 0; j < f->nv; j++) {
      double e = f->f[i * f->nv + j] - g->f[2 * i * g->nv + 2 * j];
      s += e * e;
    }
  double el2 = observe(&mfh_obs_grid_l2, &a[0], &b[0], "grid_l2");
  ck_assert_double_eq(el2, sqrt(s * f->dx * f->dv));
  s = 0;
  for (size_t i = 0; i < u->grid.n; i++) s += (u->v[i] - w->v[2 * i]) * (u->v[i] - w->v[2 * i]);
  ck_assert_double_eq(observe(&mfh_obs_field_l2, &a[0], &b[0], "field_l2"), sqrt(s * u->grid.dx));
  ck_assert(el2 > 0 && el2 < 1e-2);
  mfh_state_clear(&a[0]);
  mfh_state_clear(&b[0]);
  mfh_params_free(&ps);
  mfh_params_free(&pr);
  /* nv 2 nodes are not nested with nv: grid_l2 says so */
  ps = with("alpha=0.3 nx=16 nv=64 t=1 dt=0.1 fit=none");
  pr = with("alpha=0.3 nx=16 nv=128 t=1 dt=0.1 fit=none");
  run_ok(&ps, 1, &t, a);
  run_ok(&pr, 1, &t, b);
  mfh_obs_args in = {{&a[0], &b[0], NULL, NULL}, t};
  mfh_values v = {0, 0, NULL};
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_obs_grid_l2.eval(&ps, &in, &v, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "not nested"));
  mfh_values_free(&v);
  mfh_state_clear(&a[0]);
  mfh_state_clear(&b[0]);
  mfh_params_free(&ps);
  mfh_params_free(&pr);
}
END_TEST

/* ---- coupled start ------------------------------------------------------------ */

/* Started from its own initial state handed over (a coupled reference), the
 * run is the same; a phase grid on other nodes is refused. */
START_TEST(test_coupled_start) {
  mfh_params ps = with("model=pair init=perturbed alpha=0.3 nx=16 nv=64 t=1 dt=0.1");
  mfh_state s0, a[1], b[1];
  memset(&s0, 0, sizeof s0);
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(E->initial(&ps, NULL, &s0, &err), MFH_OK);
  double t = 1.0;
  run_ok(&ps, 1, &t, a);
  ck_assert_int_eq(mfh_test_engine_try_run(E, &ps, &s0, 1, &t, 7, b, &err), MFH_OK);
  ck_assert(hash_of(&a[0]) == hash_of(&b[0]));
  mfh_state_clear(&a[0]);
  mfh_state_clear(&b[0]);
  /* the same data evolved by Vlasov-Poisson: same grid, another model */
  mfh_params pp = with("model=poisson init=perturbed alpha=0.3 nx=16 nv=64 t=1 dt=0.1");
  ck_assert_int_eq(mfh_test_engine_try_run(E, &pp, &s0, 1, &t, 7, b, &err), MFH_OK);
  mfh_state_clear(&b[0]);
  mfh_params_free(&pp);
  /* another grid */
  pp = with("model=pair init=perturbed alpha=0.3 nx=32 nv=64 t=1 dt=0.1");
  ck_assert_int_eq(mfh_test_engine_try_run(E, &pp, &s0, 1, &t, 7, b, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "not this engine's grid"));
  mfh_state_clear(&b[0]);
  mfh_params_free(&pp);
  mfh_state_clear(&s0);
  mfh_params_free(&ps);
}
END_TEST

/* ---- the Vlasov side of HV-1 ------------------------------------------------ */

/* model pair_free, init gaussian, vgrid husimi with HV-1's parameters
 * (studies/semiclassical/hv1-hartree-vlasov.yaml; the observable
 * husimi_grid_w2 reads this grid against a Husimi function): a grid whose
 * nodes are Husimi nodes. */
START_TEST(test_hv1_vlasov) {
  const char *common = "eps=0.2 dt=0.05 nx=64 nv=65 n=256 L=8 vmax=4 a=1 s=1 q0=0 p0=0 sq=0.5 sp=0.5";
  char list[512];
  snprintf(list, sizeof list, "%s model=pair_free init=gaussian vgrid=husimi fit=none", common);
  mfh_params ps = with(list);
  double both[2] = {0.5, 1};
  mfh_state s[2];
  run_ok(&ps, 2, both, s);
  for (int k = 0; k < 2; k++) ck_assert(fabs(scalar(&s[k], "mass") - 1) < 1e-8);
  /* the velocity nodes are 65 of the nxi = 322 Husimi momentum nodes
   * xi_k = -pi eps / dx + k dxi of the 256-point grid (dx = 8/256, pi eps/dx
   * = 20.1, the smallest even nxi with dxi = 2 pi eps / (nxi dx) <= 8/64),
   * k = 161 - 32 .. 161 + 32; the x nodes every 4th node of that grid */
  const mfh_phase_grid *f = mfh_state_get(&s[0], &mfh_kind_phase_grid, NULL);
  double dxh = 8.0 / 256, dxi = 2 * M_PI * 0.2 / (322 * dxh);
  ck_assert(dxi <= 0.125 && 2 * M_PI * 0.2 / (320 * dxh) > 0.125);
  size_t st, off;
  ck_assert(mfh_gridl2_nest_axis(f->vmin, f->dv, f->nv, -M_PI * 0.2 / dxh, dxi, 322, &st, &off));
  ck_assert_msg(st == 1 && off == 129, "stride %zu offset %zu", st, off);
  ck_assert(mfh_gridl2_nest_axis(f->xmin, f->dx, f->nx, -4, dxh, 256, &st, &off) && st == 4 && off == 0);
  for (int k = 0; k < 2; k++) mfh_state_clear(&s[k]);
  mfh_params_free(&ps);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("vlasov_engine");
  TCase *tc = tcase_create("vlasov_engine");
  tcase_set_timeout(tc, 120);
  mfh_gsl_quiet();
  tcase_add_test(tc, test_table);
  tcase_add_test(tc, test_bad_params);
  tcase_add_test(tc, test_constants);
  tcase_add_test(tc, test_stream);
  tcase_add_test(tc, test_landau_short);
  tcase_add_test(tc, test_refined_order);
  tcase_add_test(tc, test_refined_grid);
  tcase_add_test(tc, test_coupled_start);
  tcase_add_test(tc, test_hv1_vlasov);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
