/* Tests for engine `nbodyq` with the full dynamics (engines/nbodyq/engine.c)
 * and the observables it is measured with against the Hartree engine:
 * pickl and pair_norms (observables/meanfield.c), dual_proxy and smooth_obs
 * (observables/dual.c), density_norms.
 *
 * Independent references: with V = 0 the product state stays a product, so
 * R_{N:1}(t) = |psi_t><psi_t| and R_{N:2}(t) = |psi_t psi_t><psi_t psi_t|
 * with psi_t the free evolution of the Hartree engine (interaction none)
 * from the same orbital: every distance vanishes; the initial orbital is the
 * Hartree engine's own coherent state (normalised) or mfh_sc_coherent's
 * samples; tr R_{N:1} = 1 and the partial trace of R_{N:2} is R_{N:1}; the
 * Pickl functional of a pure a is 1 - |<a|b>|^2 by the orbital and the
 * kernel routes alike; pair_norms of b (x) b against b is 0 for a mixed b;
 * the wave function (wave: yes) is normalised and bosonic, and its marginals
 * computed by marginal_norms measure exactly as the engine's own rdm1 and
 * rdm2 do; outputs as declared, the stream contract, refusals. */
#include <check.h>
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/kinds.h"
#include "engines/hartree/engine.h"
#include "engines/nbodyq/engine.h"
#include "metrics/semiclassical/states.h"
#include "observables/density.h"
#include "observables/dual.h"
#include "observables/meanfield.h"
#include "tests/testutil.h"

static const mfh_engine_type *E = &mfh_engine_nbodyq;
static const char *BASE = "N=3 M=16 L=8 eps=0.65 a=1 s=1 q=0.3 p=0.5 dt=0.05";

static const mfh_density *item(const mfh_state *s, const char *name) {
  const mfh_density *d = mfh_state_get(s, &mfh_kind_density, name);
  ck_assert_msg(d != NULL, "no density '%s'", name);
  return d;
}

/* A state holding only the item `name` of s (a view: never cleared). */
static mfh_state only(const mfh_state *s, const char *name) {
  mfh_state v;
  memset(&v, 0, sizeof v);
  for (size_t i = 0; i < s->n; i++)
    if (!strcmp(s->item[i].name, name)) v.item[v.n++] = s->item[i];
  ck_assert(v.n == 1);
  return v;
}

START_TEST(initial_orbital) {
  mfh_params pn = mfh_test_engine_valid(E, "%s", BASE);
  mfh_params ps = mfh_test_engine_valid(E, "%s orbital=sampled", BASE);
  mfh_state sn, ss;
  mfh_test_engine_initial(E, &pn, 1, &sn);
  mfh_test_engine_initial(E, &ps, 1, &ss);
  const mfh_density *dn = item(&sn, "rdm1"), *ds = item(&ss, "rdm1");
  ck_assert(dn->kind == MFH_DENSITY_ORBITALS && dn->norb == 1 && dn->w[0] == 1 && dn->eps == 0.65);
  ck_assert(dn->grid.n == 16 && dn->grid.xmin == -4 && dn->grid.dx == 0.5);
  double complex ref[16];
  double q = 0.3, p = 0.5, nn = 0, mx = 0;
  mfh_err err;
  ck_assert(mfh_sc_coherent(&ds->grid, 0.65, &q, &p, ref, &err) == MFH_OK);
  for (int i = 0; i < 16; i++) {
    ck_assert(ds->orb[i] == ref[i]);
    nn += creal(dn->orb[i] * conj(dn->orb[i])) * 0.5;
    mx = fmax(mx, cabs(dn->orb[i] - ref[i]));
  }
  ck_assert_msg(fabs(nn - 1) < 1e-14 && mx < 1e-6, "norm %.17g, distance to the samples %g", nn, mx);
  mfh_state_clear(&sn);
  mfh_state_clear(&ss);
  mfh_params_free(&pn);
  mfh_params_free(&ps);
}
END_TEST

/* V = 0: Hartree's free evolution of the same orbital is exact. */
START_TEST(free_product_against_hartree) {
  mfh_params pq = mfh_test_engine_valid(E, "%s a=0 rdm2=yes", BASE);
  mfh_params ph = mfh_test_engine_valid(&mfh_engine_hartree, "n=16 L=8 eps=0.65 q=0.3 p=0.5 dt=0.05 interaction=none");
  mfh_state s0, nq[2], nh[2];
  double t[2] = {0.5, 1};
  mfh_test_engine_initial(E, &pq, 1, &s0);
  mfh_test_engine_run(E, &pq, &s0, 2, t, 3, nq);
  mfh_test_engine_run(&mfh_engine_hartree, &ph, &s0, 2, t, 3, nh);
  for (int k = 0; k < 2; k++) {
    mfh_state r2 = only(&nq[k], "rdm2");
    double tr = mfh_test_obs(&mfh_obs_density_norms, "", &nq[k], &nh[k], t[k], "tr");
    double pk = mfh_test_obs(&mfh_obs_pickl, "", &nq[k], &nh[k], t[k], "pickl");
    double t2 = mfh_test_obs(&mfh_obs_pair_norms, "", &r2, &nh[k], t[k], "tr");
    double dual = mfh_test_obs(&mfh_obs_dual_proxy, "", &nq[k], &nh[k], t[k], "dual");
    double gxi = mfh_test_obs(&mfh_obs_smooth_obs, "", &nq[k], &nh[k], t[k], "gxi");
    double se = mfh_test_obs(&mfh_obs_smooth_obs, "", &nq[k], &nh[k], t[k], "gxi_se");
    ck_assert_msg(tr < 1e-12 && fabs(pk) < 1e-13 && t2 < 1e-12 && dual < 1e-13 && fabs(gxi) < 1e-13 && se == 0,
                  "t %g: tr %g pickl %g tr2 %g dual %g gxi %g", t[k], tr, pk, t2, dual, gxi);
    /* the dynamics moved the state: the distance to the initial one is not small */
    ck_assert(mfh_test_obs(&mfh_obs_density_norms, "", &nq[k], &s0, t[k], "tr") > 0.1);
  }
  for (int k = 0; k < 2; k++) {
    mfh_state_clear(&nq[k]);
    mfh_state_clear(&nh[k]);
  }
  mfh_state_clear(&s0);
  mfh_params_free(&pq);
  mfh_params_free(&ph);
}
END_TEST

/* Interacting: tr R_{N:1} = 1, the partial trace of R_{N:2} is R_{N:1},
 * the Pickl functional is small but positive, the stream contract holds. */
START_TEST(marginals_and_stream) {
  mfh_params ps = mfh_test_engine_valid(E, "%s rdm2=yes", BASE);
  double t[2] = {0.25, 0.5};
  mfh_state two[2], one;
  mfh_test_engine_run(E, &ps, NULL, 2, t, 5, two);
  mfh_test_engine_run(E, &ps, NULL, 1, &t[1], 5, &one);
  ck_assert_uint_eq(mfh_test_state_hash(&two[1]), mfh_test_state_hash(&one));
  const mfh_density *R1 = item(&two[1], "rdm1"), *R2 = item(&two[1], "rdm2");
  size_t M = R1->grid.n;
  ck_assert(R2->grid.dim == 2 && R2->grid.n == M);
  double trace = 0, dev = 0, dx = R1->grid.dx;
  for (size_t i = 0; i < M; i++) trace += creal(R1->kernel[i * M + i]) * dx;
  for (size_t a = 0; a < M; a++)
    for (size_t c = 0; c < M; c++) {
      double complex s = 0;
      for (size_t b = 0; b < M; b++) s += R2->kernel[(a * M + b) * M * M + (c * M + b)] * dx;
      dev = fmax(dev, cabs(s - R1->kernel[a * M + c]));
    }
  ck_assert_msg(fabs(trace - 1) < 1e-12 && dev < 1e-12, "trace %.17g, partial trace off by %g", trace, dev);
  mfh_state s0;
  mfh_test_engine_initial(E, &ps, 0, &s0);
  double pk = mfh_test_obs(&mfh_obs_pickl, "", &two[1], &s0, 0, "pickl");
  ck_assert_msg(pk > 1e-4 && pk < 0.5, "pickl against the initial orbital %g", pk);
  mfh_state_clear(&two[0]);
  mfh_state_clear(&two[1]);
  mfh_state_clear(&one);
  mfh_state_clear(&s0);
  mfh_params_free(&ps);
}
END_TEST

/* pickl of a pure a: 1 - |<a|b>|^2 by both routes; b must be pure.
 * pair_norms: b (x) b against b is 0, also for a mixed b. */
START_TEST(meanfield_observables) {
  mfh_xgrid g = {1, 16, -4, 0.5};
  mfh_density *a = mfh_density_new(&g, MFH_DENSITY_ORBITALS, 1), *b = mfh_density_new(&g, MFH_DENSITY_ORBITALS, 2);
  ck_assert(a && b);
  double q[3] = {0, 0.7, -0.4}, p[3] = {0.5, 0, 0.2};
  mfh_err err;
  ck_assert(mfh_sc_coherent(&g, 0.7, &q[0], &p[0], a->orb, &err) == MFH_OK);
  ck_assert(mfh_sc_coherent(&g, 0.7, &q[1], &p[1], b->orb, &err) == MFH_OK);
  ck_assert(mfh_sc_coherent(&g, 0.7, &q[2], &p[2], b->orb + 16, &err) == MFH_OK);
  a->w[0] = 1;
  a->eps = b->eps = 0.7;
  b->w[0] = 1; /* pure: only the first orbital counts */
  b->w[1] = 0;
  double complex ov = 0;
  for (int j = 0; j < 16; j++) ov += conj(b->orb[j]) * a->orb[j] * 0.5;
  double expect = 1 - creal(ov * conj(ov));
  mfh_sc_state *ak = NULL;
  ck_assert(mfh_sc_state_to_kernel(a, &ak, &err) == MFH_OK);
  mfh_state sa = {0}, sk = {0}, sb = {0};
  ck_assert(mfh_state_put(&sa, "a", &mfh_kind_density, a, &err) == MFH_OK);
  ck_assert(mfh_state_put(&sk, "a", &mfh_kind_density, ak, &err) == MFH_OK);
  ck_assert(mfh_state_put(&sb, "b", &mfh_kind_density, b, &err) == MFH_OK);
  double p1 = mfh_test_obs(&mfh_obs_pickl, "", &sa, &sb, 0, "pickl");
  double p2 = mfh_test_obs(&mfh_obs_pickl, "", &sk, &sb, 0, "pickl");
  ck_assert_msg(fabs(p1 - expect) < 1e-14 && fabs(p2 - expect) < 1e-14 && expect > 0.01, "%g %g %g", p1, p2,
                expect);
  b->w[0] = b->w[1] = 0.5; /* mixed */
  mfh_test_obs_fails(&mfh_obs_pickl, &sa, &sb, MFH_EINPUT, "pure");
  /* the two-particle product state of the mixed b as a kernel on the 2D grid */
  mfh_xgrid g2 = {2, 16, -4, 0.5};
  mfh_density *pr = mfh_density_new(&g2, MFH_DENSITY_KERNEL, 0);
  ck_assert(pr);
  for (size_t i = 0; i < 256; i++)
    for (size_t j = 0; j < 256; j++) {
      double complex s = 0;
      for (int k = 0; k < 2; k++)
        for (int l = 0; l < 2; l++)
          s += 0.25 * b->orb[k * 16 + i / 16] * b->orb[l * 16 + i % 16] *
               conj(b->orb[k * 16 + j / 16] * b->orb[l * 16 + j % 16]);
      pr->kernel[i * 256 + j] = s;
    }
  mfh_state sp = {0};
  ck_assert(mfh_state_put(&sp, "rdm2", &mfh_kind_density, pr, &err) == MFH_OK);
  double tr = mfh_test_obs(&mfh_obs_pair_norms, "", &sp, &sb, 0, "tr");
  ck_assert_msg(tr < 1e-12, "pair_norms of b (x) b against b: %g", tr);
  b->w[0] = 1, b->w[1] = 0;
  ck_assert(mfh_test_obs(&mfh_obs_pair_norms, "", &sp, &sb, 0, "op") > 0.1);
  mfh_test_obs_fails(&mfh_obs_pair_norms, &sa, &sb, MFH_EINPUT, "2D grid");
  mfh_state_clear(&sa);
  mfh_state_clear(&sk);
  mfh_state_clear(&sb);
  mfh_state_clear(&sp);
}
END_TEST

/* wave: yes hands over Psi itself (kind nbody_wave): normalised, bosonic,
 * and the marginals marginal_norms computes from it give the same bits as
 * the engine's own rdm1 / rdm2 measured by density_norms / pair_norms. */
START_TEST(wave_and_its_marginals) {
  mfh_params ps = mfh_test_engine_valid(E, "%s rdm2=yes wave=yes", BASE);
  double t = 0.5;
  mfh_state out, s0;
  mfh_test_engine_run(E, &ps, NULL, 1, &t, 5, &out);
  mfh_test_engine_initial(E, &ps, 0, &s0);
  const mfh_nbody_wave *w = mfh_state_get(&out, &mfh_kind_nbody_wave, "psi");
  ck_assert(w != NULL && w->N == 3 && w->grid.n == 16 && w->grid.dx == 0.5 && w->eps == 0.65);
  double nn = 0, asym = 0;
  for (size_t i = 0; i < 16; i++)
    for (size_t j = 0; j < 16; j++)
      for (size_t k = 0; k < 16; k++) {
        double complex v = w->psi[(i * 16 + j) * 16 + k];
        nn += creal(v * conj(v)) * 0.125;
        asym = fmax(asym, cabs(v - w->psi[(j * 16 + i) * 16 + k]));
        asym = fmax(asym, cabs(v - w->psi[(k * 16 + j) * 16 + i]));
      }
  ck_assert_msg(fabs(nn - 1) < 1e-12 && asym < 1e-12, "norm %.17g, bosonic symmetry off by %g", nn, asym);
  mfh_state r1 = only(&out, "rdm1"), r2 = only(&out, "rdm2"), wv = only(&out, "psi");
  const char *names[3] = {"tr", "hs", "op"};
  for (int m = 0; m < 3; m++) {
    double d1 = mfh_test_obs(&mfh_obs_density_norms, "", &r1, &s0, t, names[m]);
    double w1 = mfh_test_obs(&mfh_obs_marginal_norms, "k=1", &wv, &s0, t, names[m]);
    double d2 = mfh_test_obs(&mfh_obs_pair_norms, "", &r2, &s0, t, names[m]);
    double w2 = mfh_test_obs(&mfh_obs_marginal_norms, "k=2", &wv, &s0, t, names[m]);
    ck_assert_msg(d1 == w1 && d2 == w2 && d1 > 1e-4 && d2 > d1 / 10, "%s: R1 %.17g vs %.17g, R2 %.17g vs %.17g",
                  names[m], d1, w1, d2, w2);
  }
  /* b on another axis is refused */
  mfh_xgrid g = {1, 32, -4, 0.25};
  mfh_state sb = {0};
  mfh_err err;
  mfh_density *b = mfh_density_new(&g, MFH_DENSITY_ORBITALS, 1);
  ck_assert(b && mfh_state_put(&sb, "b", &mfh_kind_density, b, &err) == MFH_OK);
  b->w[0] = 1;
  mfh_test_obs_fails(&mfh_obs_marginal_norms, &wv, &sb, MFH_EINPUT, "must be the same");
  mfh_state_clear(&sb);
  mfh_state_clear(&out);
  mfh_state_clear(&s0);
  mfh_params_free(&ps);
}
END_TEST

START_TEST(refusals) {
  mfh_test_engine_expect_bad(E, "M=15", "M", "even");
  mfh_test_engine_expect_bad(E, "t=0.5 dt=0.3", "t", "not a whole number of steps");
  mfh_test_engine_expect_bad(E, "N=5 M=64 memory_gb=0.1", "N", "needs");
  mfh_test_engine_expect_bad(E, "N=2 M=16 L=8 eps=0.1", "M", "under-resolved");
  mfh_test_engine_expect_bad(E, "N=3 batches=random", "N", "must be even");
  mfh_test_engine_expect_bad(E, "N=4 batches=random wave=yes", "wave", "full dynamics");
  mfh_params ps = mfh_test_engine_valid(E, "%s", E->conformance);
  mfh_params_free(&ps);
  /* a kernel is not a product's factor */
  ps = mfh_test_engine_valid(E, "%s", BASE);
  mfh_xgrid g = {1, 16, -4, 0.5};
  mfh_state s0 = {0}, out[1];
  mfh_err err;
  ck_assert(mfh_state_put(&s0, "k", &mfh_kind_density, mfh_density_new(&g, MFH_DENSITY_KERNEL, 0), &err) == 0);
  double t = 0.1;
  mfh_engine_ctx ctx = {1, &t, &s0, NULL, NULL, 0, 0, ".", NULL, 0, 0, NULL};
  memset(out, 0, sizeof out);
  mfh_err_clear(&err);
  ck_assert_int_eq(E->run(&ps, &ctx, out, &err), MFH_EINPUT);
  ck_assert(strstr(err.msg, "one orbital") != NULL);
  mfh_state_clear(&out[0]);
  mfh_state_clear(&s0);
  mfh_params_free(&ps);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("nbodyq_engine");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, initial_orbital);
  tcase_add_test(tc, free_product_against_hartree);
  tcase_add_test(tc, marginals_and_stream);
  tcase_add_test(tc, meanfield_observables);
  tcase_add_test(tc, wave_and_its_marginals);
  tcase_add_test(tc, refusals);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
