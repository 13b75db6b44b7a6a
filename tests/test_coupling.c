/* MF-1's exact reference and distance: the engine free_stream (free
 * transport of the cloud it starts from, wrapped on the torus, every output
 * time independent of the others) and the observable coupling (particle by
 * particle, minimum image on the torus). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/kinds.h"
#include "core/rng.h"
#include "engines/free_stream/free_stream.h"
#include "observables/coupling.h"
#include "tests/testutil.h"

/* A phase-space cloud of n particles in d dimensions on a torus of period L
 * (L = 0: R^d): positions then velocities, fixed values. */
static void make_cloud(mfh_state2 *s, size_t n, size_t d, double L) {
  memset(s, 0, sizeof *s);
  mfh_cloud *c = mfh_cloud_new(n, 2 * d);
  ck_assert_ptr_nonnull(c);
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < d; i++) {
      c->x[j * 2 * d + i] = L > 0 ? fmod(0.37 * (double)(j + 1) * (double)(i + 2), L) : 0.1 * (double)j;
      c->x[j * 2 * d + d + i] = -1.5 + 0.25 * (double)j + 0.125 * (double)i;
    }
  c->d = d;
  c->period = L;
  mfh_err err;
  ck_assert_int_eq(mfh_state_put(s, "particles", &mfh_kind_cloud, c, &err), 0);
}

static int run_fs(const mfh_state2 *from, size_t n, const double *t, mfh_state2 *out, mfh_err *err) {
  mfh_params ps = mfh_test_engine_params(&mfh_engine_free_stream, "");
  gsl_rng *r = mfh_rng_alloc(1);
  mfh_engine_ctx ctx = {n, t, from, r, r, 1, 0, ".", NULL, 0, 0, NULL};
  memset(out, 0, n * sizeof *out);
  mfh_err_clear(err);
  int rc = mfh_engine_free_stream.run(&ps, &ctx, out, err);
  gsl_rng_free(r);
  mfh_params_free(&ps);
  return rc;
}

START_TEST(free_stream_moves_every_particle) {
  mfh_state2 s0, out[3], one;
  make_cloud(&s0, 7, 2, 2.0);
  double t[3] = {0, 0.5, 3};
  mfh_err err;
  ck_assert_msg(run_fs(&s0, 3, t, out, &err) == 0, "%s", err.msg);
  const mfh_cloud *c0 = mfh_state_get(&s0, &mfh_kind_cloud, NULL);
  for (size_t k = 0; k < 3; k++) {
    const mfh_cloud *c = mfh_state_get(&out[k], &mfh_kind_cloud, "particles");
    ck_assert(c && c->n == 7 && c->dim == 4 && c->d == 2 && c->period == 2);
    for (size_t j = 0; j < 7; j++)
      for (size_t i = 0; i < 2; i++) {
        double x = c->x[j * 4 + i], v = c->x[j * 4 + 2 + i];
        double want = fmod(c0->x[j * 4 + i] + c0->x[j * 4 + 2 + i] * t[k], 2.0);
        if (want < 0) want += 2.0;
        ck_assert(x >= 0 && x < 2);
        ck_assert_msg(fabs(x - want) < 1e-14, "t %g particle %zu: %g, want %g", t[k], j, x, want);
        ck_assert(v == c0->x[j * 4 + 2 + i]);
      }
  }
  /* the stream contract: a run for t = 3 alone gives the same bits */
  ck_assert_int_eq(run_fs(&s0, 1, &t[2], &one, &err), 0);
  ck_assert(mfh_test_state_hash(&one) == mfh_test_state_hash(&out[2]));
  /* on R^d nothing wraps */
  mfh_state2 r0, r1;
  make_cloud(&r0, 3, 1, 0);
  ck_assert_int_eq(run_fs(&r0, 1, &t[2], &r1, &err), 0);
  const mfh_cloud *c = mfh_state_get(&r1, &mfh_kind_cloud, NULL);
  ck_assert(c->x[2 * 2] == 0.2 + (-1.0) * 3);
  for (size_t k = 0; k < 3; k++) mfh_state_clear(&out[k]);
  mfh_state_clear(&one);
  mfh_state_clear(&s0);
  mfh_state_clear(&r0);
  mfh_state_clear(&r1);
}
END_TEST

START_TEST(free_stream_needs_particles) {
  mfh_state2 empty = {0}, out[1];
  double t = 1;
  mfh_err err;
  ck_assert_int_eq(run_fs(&empty, 1, &t, out, &err), MFH_EINPUT);
  ck_assert(strstr(err.msg, "starts from another engine's particle cloud"));
  ck_assert_int_eq(run_fs(NULL, 1, &t, out, &err), MFH_EINPUT);
  /* a cloud of plain points (no velocities) */
  mfh_state2 pts = {0};
  mfh_cloud *c = mfh_cloud_new(4, 2);
  ck_assert_int_eq(mfh_state_put(&pts, "sample", &mfh_kind_cloud, c, &err), 0);
  ck_assert_int_eq(run_fs(&pts, 1, &t, out, &err), MFH_EINPUT);
  ck_assert(strstr(err.msg, "no velocities"));
  mfh_state_clear(&pts);
}
END_TEST

static int eval_coupling(const mfh_state2 *a, const mfh_state2 *b, const char *over, mfh_values *v, mfh_err *err) {
  mfh_params ps = {0};
  mfh_param_val p = {0};
  snprintf(p.name, sizeof p.name, "p");
  p.kind = MFH_PARAM_REAL;
  p.num = over ? atof(over) : 2;
  mfh_params_put(&ps, &p);
  mfh_obs_args in = {{a, b, NULL, NULL}, 0};
  mfh_values_clear(v);
  mfh_err_clear(err);
  int rc = mfh_obs_coupling.eval(&ps, &in, v, err);
  mfh_params_free(&ps);
  return rc;
}

START_TEST(coupling_distance) {
  mfh_state2 a, b;
  make_cloud(&a, 2, 1, 1.0);
  make_cloud(&b, 2, 1, 1.0);
  mfh_cloud *ca = (mfh_cloud *)mfh_state_get(&a, &mfh_kind_cloud, NULL), *cb = (mfh_cloud *)mfh_state_get(&b, &mfh_kind_cloud, NULL);
  mfh_values v = {0};
  mfh_err err;
  ck_assert_int_eq(eval_coupling(&a, &b, NULL, &v, &err), 0);
  ck_assert(*mfh_values_get(&v, "D") == 0);
  /* particle 0: x 0.05 vs 0.95 on the unit torus (minimum image 0.1), v off by 0.5;
   * particle 1: x 0.2 vs 0.5 (0.3), v equal */
  ca->x[0] = 0.05, cb->x[0] = 0.95, cb->x[1] = ca->x[1] + 0.5;
  ca->x[2] = 0.2, cb->x[2] = 0.5;
  ck_assert_int_eq(eval_coupling(&a, &b, NULL, &v, &err), 0);
  double dx = (0.1 * 0.1 + 0.3 * 0.3) / 2, dv = 0.25 / 2;
  ck_assert(fabs(*mfh_values_get(&v, "Dx") - dx) < 1e-15 && fabs(*mfh_values_get(&v, "Dv") - dv) < 1e-15);
  ck_assert(fabs(*mfh_values_get(&v, "D") - (dx + dv)) < 1e-15);
  /* p = 1: absolute differences */
  ck_assert_int_eq(eval_coupling(&a, &b, "1", &v, &err), 0);
  ck_assert(fabs(*mfh_values_get(&v, "D") - ((0.1 + 0.3) / 2 + 0.5 / 2)) < 1e-15);
  /* different particles are refused */
  mfh_state2 c;
  make_cloud(&c, 3, 1, 1.0);
  ck_assert_int_eq(eval_coupling(&a, &c, NULL, &v, &err), MFH_EINPUT);
  ck_assert(strstr(err.msg, "do not hold the same particles"));
  cb->period = 2;
  ck_assert_int_eq(eval_coupling(&a, &b, NULL, &v, &err), MFH_EINPUT);
  ck_assert(strstr(err.msg, "different tori"));
  mfh_values_free(&v);
  mfh_state_clear(&a);
  mfh_state_clear(&b);
  mfh_state_clear(&c);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("coupling");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, free_stream_moves_every_particle);
  tcase_add_test(tc, free_stream_needs_particles);
  tcase_add_test(tc, coupling_distance);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
