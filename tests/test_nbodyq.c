/* Tests for engines/nbodyq/: the 1D N-body Schroedinger split-step solver.
 *
 * References independent of the code under test: free evolution of a 1D
 * orbital by a direct O(M^2) discrete Fourier transform (V = 0: the product
 * state stays a product and R_{N:1} = |psi_t><psi_t|), conservation of norm
 * and energy, the N = 2 identity RBM = full dynamics with coupling
 * 1/(N-1) = 1 (THEOREMS.md RBM-3), the trace of R_{N:1}, the order of the
 * splitting, and the memory refusal. */
#include <check.h>
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "core/status.h"
#include "engines/nbodyq/nbodyq.h"
#include "tests/testutil.h"

#define PI 3.14159265358979323846

static mfh_nbodyq *make(const mfh_nbodyq_params *p) {
  mfh_nbodyq *q = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  int st = mfh_nbodyq_create(p, &q, &err);
  ck_assert_msg(st == MFH_OK, "create failed: %s", err.msg);
  return q;
}

/* Gaussian orbital centred at x0 with momentum k0 (phi(x) unnormalised). */
static double complex *orbital(const mfh_nbodyq *q, double x0, double k0, double w) {
  int M = mfh_nbodyq_M(q);
  double complex *phi = malloc((size_t)M * sizeof *phi);
  ck_assert_ptr_nonnull(phi);
  for (int i = 0; i < M; i++) {
    double x = mfh_nbodyq_x(q, i);
    phi[i] = cexp(-(x - x0) * (x - x0) / (2 * w * w) + I * k0 * x);
  }
  return phi;
}

static void set_product(mfh_nbodyq *q, const double complex *phi) {
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_nbodyq_set_product(q, phi, &err), MFH_OK);
}

static void run(mfh_nbodyq *q, double dt, int n) {
  mfh_err err;
  mfh_err_clear(&err);
  for (int s = 0; s < n; s++) ck_assert_int_eq(mfh_nbodyq_step(q, dt, &err), MFH_OK);
}

/* Exact free evolution (periodic, spectral) of phi by a direct DFT. */
static void free_evolve(double complex *phi, int M, double L, double eps, double t) {
  double complex *F = malloc((size_t)M * sizeof *F);
  ck_assert_ptr_nonnull(F);
  double dx = L / M;
  for (int m = 0; m < M; m++) {
    double complex s = 0;
    for (int i = 0; i < M; i++) s += phi[i] * cexp(-2 * PI * I * (double)m * i / M);
    int mm = m <= M / 2 ? m : m - M;
    double k = 2 * PI * mm / L;
    if (m == M / 2) k = PI / dx;
    F[m] = s * cexp(-I * t * eps * k * k / 2) / M;
  }
  for (int i = 0; i < M; i++) {
    double complex s = 0;
    for (int m = 0; m < M; m++) s += F[m] * cexp(2 * PI * I * (double)m * i / M);
    phi[i] = s;
  }
  free(F);
}

static double maxdiff(const double complex *a, const double complex *b, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m = fmax(m, cabs(a[i] - b[i]));
  return m;
}

START_TEST(test_bad_params) {
  mfh_nbodyq_params p;
  mfh_nbodyq *q = NULL;
  mfh_err err;
  mfh_nbodyq_params_init(&p);
  p.N = 6;
  ck_assert_int_eq(mfh_nbodyq_create(&p, &q, &err), MFH_EINPUT);
  ck_assert_ptr_null(q);
  mfh_nbodyq_params_init(&p);
  p.M = 33;
  ck_assert_int_eq(mfh_nbodyq_create(&p, &q, &err), MFH_EINPUT);
  mfh_nbodyq_params_init(&p);
  p.eps = 0;
  ck_assert_int_eq(mfh_nbodyq_create(&p, &q, &err), MFH_EINPUT);
  mfh_nbodyq_params_init(&p);
  p.coupling_kind = MFH_NBODYQ_COUPLING_CUSTOM;
  p.coupling = NAN;
  ck_assert_int_eq(mfh_nbodyq_create(&p, &q, &err), MFH_EINPUT);
  /* RBM needs N even and a permutation. */
  mfh_nbodyq_params_init(&p);
  p.N = 3;
  p.M = 8;
  q = make(&p);
  int perm3[3] = {0, 1, 2};
  ck_assert_int_eq(mfh_nbodyq_rbm_step_matching(q, 0.1, perm3, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_nbodyq_step(q, 0.0, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_nbodyq_step(q, NAN, &err), MFH_EINPUT);
  mfh_nbodyq_destroy(q);
  p.N = 4;
  q = make(&p);
  int bad[4] = {0, 1, 1, 3};
  ck_assert_int_eq(mfh_nbodyq_rbm_step_matching(q, 0.1, bad, &err), MFH_EINPUT);
  mfh_nbodyq_destroy(q);
  mfh_nbodyq_destroy(NULL);
}
END_TEST

START_TEST(test_memory_refusal) {
  mfh_nbodyq_params p;
  mfh_nbodyq_params_init(&p);
  p.N = 5;
  p.M = 128;
  p.max_bytes = 12e9;
  ck_assert(mfh_nbodyq_bytes(5, 128) >= 16.0 * pow(128.0, 5));
  ck_assert(mfh_nbodyq_bytes(5, 128) < 1.01 * 16.0 * pow(128.0, 5));
  mfh_nbodyq *q = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_nbodyq_create(&p, &q, &err), MFH_EINPUT);
  ck_assert_ptr_null(q);
  ck_assert_str_eq(err.msg,
                   "N = 5, M = 128 needs 550 GB for the wave function and workspace; limit 12 GB");
  /* A configuration under the limit is accepted. */
  p.N = 3;
  p.M = 16;
  q = make(&p);
  mfh_nbodyq_destroy(q);
}
END_TEST

/* V = 0: the product stays a product of free evolutions; R_{N:1} is
 * |psi_t><psi_t|. */
START_TEST(test_free_product) {
  mfh_nbodyq_params p;
  mfh_nbodyq_params_init(&p);
  p.N = 3;
  p.M = 32;
  p.L = 16;
  p.eps = 0.7;
  p.a = 0.0;
  mfh_nbodyq *q = make(&p);
  double complex *phi = orbital(q, -1.0, 1.5, 1.0);
  set_product(q, phi);
  run(q, 0.05, 20);
  double dx = mfh_nbodyq_dx(q);
  double nrm = 0;
  for (int i = 0; i < p.M; i++) nrm += dx * creal(phi[i] * conj(phi[i]));
  for (int i = 0; i < p.M; i++) phi[i] /= sqrt(nrm);
  free_evolve(phi, p.M, p.L, p.eps, 1.0);
  const double complex *psi = mfh_nbodyq_psi_const(q);
  double err = 0;
  for (int i = 0; i < p.M; i++)
    for (int j = 0; j < p.M; j++)
      for (int k = 0; k < p.M; k++)
        err = fmax(err, cabs(psi[((size_t)i * p.M + j) * p.M + k] - phi[i] * phi[j] * phi[k]));
  ck_assert_msg(err < 1e-12, "product error %g", err);
  double complex *R = malloc((size_t)p.M * p.M * sizeof *R);
  mfh_err e;
  ck_assert_int_eq(mfh_nbodyq_rdm1(q, R, &e), MFH_OK);
  double rerr = 0;
  for (int i = 0; i < p.M; i++)
    for (int j = 0; j < p.M; j++)
      rerr = fmax(rerr, cabs(R[(size_t)i * p.M + j] - phi[i] * conj(phi[j])));
  ck_assert_msg(rerr < 1e-12, "R_{N:1} error %g", rerr);
  free(R);
  free(phi);
  mfh_nbodyq_destroy(q);
}
END_TEST

static mfh_nbodyq *interacting(int N, int M, int threads) {
  mfh_nbodyq_params p;
  mfh_nbodyq_params_init(&p);
  p.N = N;
  p.M = M;
  p.L = 12;
  p.eps = 0.5;
  p.a = 3.0;
  p.s = 0.8;
  p.threads = threads;
  mfh_nbodyq *q = make(&p);
  double complex *phi = orbital(q, 0.5, -1.0, 0.9);
  set_product(q, phi);
  free(phi);
  return q;
}

START_TEST(test_norm_trace) {
  mfh_nbodyq *q = interacting(4, 16, 1);
  run(q, 0.02, 100);
  double nrm = mfh_nbodyq_norm(q);
  ck_assert_msg(fabs(nrm - 1) < 1e-13, "norm - 1 = %g", nrm - 1);
  int M = 16;
  double complex *R = malloc((size_t)M * M * sizeof *R);
  mfh_err e;
  ck_assert_int_eq(mfh_nbodyq_rdm1(q, R, &e), MFH_OK);
  double tr = 0, herm = 0;
  for (int i = 0; i < M; i++) {
    tr += mfh_nbodyq_dx(q) * creal(R[(size_t)i * M + i]);
    for (int j = 0; j < M; j++)
      herm = fmax(herm, cabs(R[(size_t)i * M + j] - conj(R[(size_t)j * M + i])));
  }
  ck_assert_msg(fabs(tr - 1) < 1e-13, "trace - 1 = %g", tr - 1);
  ck_assert(herm == 0);
  free(R);
  mfh_nbodyq_destroy(q);
}
END_TEST

START_TEST(test_energy) {
  double derr[2];
  for (int r = 0; r < 2; r++) {
    mfh_nbodyq *q = interacting(3, 32, 1);
    double e0 = mfh_nbodyq_energy(q, NULL, NULL), emax = 0;
    double dt = 0.04 / (1 << r);
    for (int s = 0; s < 25 << r; s++) {
      run(q, dt, 1);
      emax = fmax(emax, fabs(mfh_nbodyq_energy(q, NULL, NULL) - e0));
    }
    derr[r] = emax;
    mfh_nbodyq_destroy(q);
  }
  ck_assert_msg(derr[0] < 1e-2, "energy error %g", derr[0]);
  double ratio = derr[0] / derr[1];
  ck_assert_msg(ratio > 3.0 && ratio < 5.0, "energy error ratio %g (%g, %g)", ratio, derr[0],
                derr[1]);
}
END_TEST

START_TEST(test_order) {
  int M = 16, N = 3;
  double T = 0.4;
  mfh_nbodyq *ref = interacting(N, M, 1);
  run(ref, T / 256, 256);
  double e[3];
  for (int r = 0; r < 3; r++) {
    mfh_nbodyq *q = interacting(N, M, 1);
    int n = 8 << r;
    run(q, T / n, n);
    e[r] = maxdiff(mfh_nbodyq_psi_const(q), mfh_nbodyq_psi_const(ref), mfh_nbodyq_size(q));
    mfh_nbodyq_destroy(q);
  }
  for (int r = 0; r < 2; r++) {
    double order = log2(e[r] / e[r + 1]);
    ck_assert_msg(order > 1.8 && order < 2.3, "order %g (%g -> %g)", order, e[r], e[r + 1]);
  }
  mfh_nbodyq_destroy(ref);
}
END_TEST

/* N = 2: RBM (pair coefficient 1) equals the full dynamics with 1/(N-1). */
START_TEST(test_rbm_n2) {
  mfh_nbodyq_params p;
  mfh_nbodyq_params_init(&p);
  p.N = 2;
  p.M = 64;
  p.L = 12;
  p.eps = 0.5;
  p.a = 2.0;
  p.coupling_kind = MFH_NBODYQ_COUPLING_NM1;
  mfh_nbodyq *full = make(&p), *rbm = make(&p);
  ck_assert(mfh_nbodyq_coupling(full) == 1.0);
  double complex *phi = orbital(full, 1.0, 0.5, 0.8);
  set_product(full, phi);
  set_product(rbm, phi);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 7);
  mfh_err err;
  for (int s = 0; s < 40; s++) {
    ck_assert_int_eq(mfh_nbodyq_step(full, 0.03, &err), MFH_OK);
    int perm[2];
    ck_assert_int_eq(mfh_nbodyq_rbm_step(rbm, 0.03, r, perm, &err), MFH_OK);
    ck_assert(perm[0] + perm[1] == 1);
  }
  double d = maxdiff(mfh_nbodyq_psi_const(full), mfh_nbodyq_psi_const(rbm), 64 * 64);
  ck_assert_msg(d < 1e-13, "RBM vs full: %g", d);
  gsl_rng_free(r);
  free(phi);
  mfh_nbodyq_destroy(full);
  mfh_nbodyq_destroy(rbm);
}
END_TEST

/* N = 4, V = 0: RBM is the free dynamics; with V != 0 it is unitary and
 * the matchings are uniform (each partner of particle 0 about 1/3). */
START_TEST(test_rbm_n4) {
  mfh_nbodyq_params p;
  mfh_nbodyq_params_init(&p);
  p.N = 4;
  p.M = 8;
  p.L = 10;
  p.a = 0.0;
  mfh_nbodyq *a = make(&p), *b = make(&p);
  double complex *phi = orbital(a, 0.0, 1.0, 1.0);
  set_product(a, phi);
  set_product(b, phi);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 11);
  mfh_err err;
  for (int s = 0; s < 10; s++) {
    ck_assert_int_eq(mfh_nbodyq_step(a, 0.05, &err), MFH_OK);
    ck_assert_int_eq(mfh_nbodyq_rbm_step(b, 0.05, r, NULL, &err), MFH_OK);
  }
  ck_assert(maxdiff(mfh_nbodyq_psi_const(a), mfh_nbodyq_psi_const(b), mfh_nbodyq_size(a)) <
            1e-14);
  mfh_nbodyq_destroy(a);
  mfh_nbodyq_destroy(b);
  p.a = 2.0;
  a = make(&p);
  set_product(a, phi);
  int count[4] = {0};
  for (int s = 0; s < 600; s++) {
    int perm[4];
    ck_assert_int_eq(mfh_nbodyq_rbm_step(a, 0.01, r, perm, &err), MFH_OK);
    for (int k = 0; k < 4; k++)
      if (perm[k] == 0) count[perm[k ^ 1]]++;
  }
  for (int j = 1; j < 4; j++) ck_assert_msg(abs(count[j] - 200) < 50, "partner %d: %d", j, count[j]);
  /* 600 steps: round-off of the FFTs accumulates to ~1e-13. */
  ck_assert_msg(fabs(mfh_nbodyq_norm(a) - 1) < 1e-12, "norm - 1 = %g", mfh_nbodyq_norm(a) - 1);
  gsl_rng_free(r);
  free(phi);
  mfh_nbodyq_destroy(a);
}
END_TEST

START_TEST(test_threads) {
  mfh_nbodyq *a = interacting(3, 16, 1), *b = interacting(3, 16, 2);
  run(a, 0.03, 10);
  run(b, 0.03, 10);
  ck_assert(memcmp(mfh_nbodyq_psi_const(a), mfh_nbodyq_psi_const(b),
                   mfh_nbodyq_size(a) * sizeof(double complex)) == 0);
  double complex Ra[256], Rb[256];
  mfh_err e;
  ck_assert_int_eq(mfh_nbodyq_rdm1(a, Ra, &e), MFH_OK);
  ck_assert_int_eq(mfh_nbodyq_rdm1(b, Rb, &e), MFH_OK);
  ck_assert(memcmp(Ra, Rb, sizeof Ra) == 0);
  mfh_nbodyq_destroy(a);
  mfh_nbodyq_destroy(b);
}
END_TEST

/* R_{N:2}: for a product state it is |phi phi><phi phi| exactly; after an
 * interacting run its partial trace is R_{N:1}, its trace 1, it is Hermitian
 * and swap-symmetric; for N = 2 it is the swap average of |Psi><Psi| (an
 * asymmetric Psi tests the pair average); bit-identical for 1 and 2
 * threads. */
START_TEST(test_rdm2) {
  const int M = 12;
  const size_t n = (size_t)M * M;
  double complex *R2 = malloc(n * n * sizeof *R2), *R1 = malloc(n * sizeof *R1), *Rb = malloc(n * n * sizeof *Rb);
  ck_assert(R2 && R1 && Rb);
  mfh_err e;
  mfh_err_clear(&e);
  for (int N = 2; N <= 4; N++) {
    mfh_nbodyq *q = interacting(N, M, 1);
    double dx = mfh_nbodyq_dx(q);
    ck_assert_int_eq(mfh_nbodyq_rdm2(q, R2, &e), MFH_OK);
    /* product: phi(x_a) phi(x_b) conj(phi(x_c) phi(x_d)) with phi normalised */
    double complex *phi = orbital(q, 0.5, -1.0, 0.9);
    double nn = 0;
    for (int i = 0; i < M; i++) nn += dx * creal(phi[i] * conj(phi[i]));
    double err = 0;
    for (size_t a = 0; a < n; a++)
      for (size_t b = 0; b < n; b++) {
        double complex want = phi[a / M] * phi[a % M] * conj(phi[b / M] * phi[b % M]) / (nn * nn);
        err = fmax(err, cabs(R2[a * n + b] - want));
      }
    ck_assert_msg(err < 1e-14, "N = %d product R2 error %g", N, err);
    free(phi);
    run(q, 0.05, 20);
    ck_assert_int_eq(mfh_nbodyq_rdm2(q, R2, &e), MFH_OK);
    ck_assert_int_eq(mfh_nbodyq_rdm1(q, R1, &e), MFH_OK);
    double tr = 0, herm = 0, swap = 0, ptr = 0;
    for (size_t a = 0; a < n; a++) {
      tr += dx * dx * creal(R2[a * n + a]);
      for (size_t b = 0; b < n; b++) {
        herm = fmax(herm, cabs(R2[a * n + b] - conj(R2[b * n + a])));
        size_t as = (a % M) * M + a / M, bs = (b % M) * M + b / M;
        swap = fmax(swap, cabs(R2[a * n + b] - R2[as * n + bs]));
      }
    }
    for (int i = 0; i < M; i++)
      for (int k = 0; k < M; k++) {
        double complex s2 = 0;
        for (int j = 0; j < M; j++) s2 += dx * R2[((size_t)i * M + j) * n + (size_t)k * M + j];
        ptr = fmax(ptr, cabs(s2 - R1[(size_t)i * M + k]));
      }
    /* (Hermitian and swap-symmetric by construction; the real tests are the
     * trace, the partial trace and the asymmetric case below) */
    ck_assert_msg(fabs(tr - 1) < 1e-12 && herm == 0 && swap == 0, "N = %d: tr %g herm %g swap %g", N, tr, herm, swap);
    ck_assert_msg(ptr < 1e-13, "N = %d: partial trace vs R1: %g", N, ptr);
    /* threads */
    mfh_nbodyq *q2 = interacting(N, M, 2);
    run(q2, 0.05, 20);
    ck_assert_int_eq(mfh_nbodyq_rdm2(q2, Rb, &e), MFH_OK);
    ck_assert(memcmp(R2, Rb, n * n * sizeof *R2) == 0);
    mfh_nbodyq_destroy(q2);
    mfh_nbodyq_destroy(q);
  }
  /* N = 2, an asymmetric Psi: R2 = (|Psi><Psi| + |Psi_s><Psi_s|)/2, Psi_s the swap */
  mfh_nbodyq *q = interacting(2, M, 1);
  double complex *psi = mfh_nbodyq_psi(q);
  for (size_t a = 0; a < n; a++) psi[a] = cexp(I * 0.37 * (double)(a % 7)) * (1.0 + 0.1 * (double)(a % 5));
  ck_assert_int_eq(mfh_nbodyq_rdm2(q, R2, &e), MFH_OK);
  double err = 0;
  for (size_t a = 0; a < n; a++)
    for (size_t b = 0; b < n; b++) {
      size_t as = (a % M) * M + a / M, bs = (b % M) * M + b / M;
      double complex want = 0.5 * (psi[a] * conj(psi[b]) + psi[as] * conj(psi[bs]));
      err = fmax(err, cabs(R2[a * n + b] - want));
    }
  ck_assert_msg(err < 1e-13, "asymmetric N = 2: %g", err);
  ck_assert_int_eq(mfh_nbodyq_rdm2(q, NULL, &e), MFH_EINPUT);
  mfh_nbodyq_destroy(q);
  free(R2);
  free(R1);
  free(Rb);
}
END_TEST

/* RBM with a fixed matching factorises: from phi^(x)4, steps with the
 * matching {(a, b), (c, d)} give Psi_4(x_a, x_b, x_c, x_d) =
 * Psi_2(x_a, x_b) Psi_2(x_c, x_d), Psi_2 the N = 2 dynamics with pair
 * coefficient 1 from phi^(x)2 -- for every matching, so both the prefix
 * pairs and the last-particle pairs of the phase loop are exercised. */
START_TEST(test_rbm_factorises) {
  const int M = 12;
  static const int perms[3][4] = {{0, 1, 2, 3}, {0, 2, 1, 3}, {0, 3, 1, 2}};
  mfh_err e;
  mfh_err_clear(&e);
  for (int m = 0; m < 3; m++) {
    mfh_nbodyq_params p;
    mfh_nbodyq_params_init(&p);
    p.M = M;
    p.L = 12;
    p.eps = 0.5;
    p.a = 3.0;
    p.s = 0.8;
    p.N = 4;
    mfh_nbodyq *q4 = make(&p);
    p.N = 2;
    p.coupling_kind = MFH_NBODYQ_COUPLING_CUSTOM;
    p.coupling = 1.0;
    mfh_nbodyq *q2 = make(&p);
    double complex *phi = orbital(q4, 0.5, -1.0, 0.9);
    set_product(q4, phi);
    set_product(q2, phi);
    free(phi);
    for (int k = 0; k < 3; k++) {
      ck_assert_int_eq(mfh_nbodyq_rbm_step_matching(q4, 0.07, perms[m], &e), MFH_OK);
      ck_assert_int_eq(mfh_nbodyq_step(q2, 0.07, &e), MFH_OK);
    }
    const double complex *a = mfh_nbodyq_psi_const(q4), *b = mfh_nbodyq_psi_const(q2);
    const int *pm = perms[m];
    double err = 0, size = 0;
    int d[4];
    for (d[0] = 0; d[0] < M; d[0]++)
      for (d[1] = 0; d[1] < M; d[1]++)
        for (d[2] = 0; d[2] < M; d[2]++)
          for (d[3] = 0; d[3] < M; d[3]++) {
            size_t i4 = (((size_t)d[0] * M + d[1]) * M + d[2]) * M + d[3];
            double complex want = b[(size_t)d[pm[0]] * M + d[pm[1]]] * b[(size_t)d[pm[2]] * M + d[pm[3]]];
            err = fmax(err, cabs(a[i4] - want));
            size = fmax(size, cabs(want));
          }
    ck_assert_msg(err < 1e-13 * size, "matching %d: max |Psi_4 - Psi_2 Psi_2| = %g (scale %g)", m, err, size);
    /* and the interaction matters: without it the two would differ */
    ck_assert(size > 0);
    mfh_nbodyq_destroy(q4);
    mfh_nbodyq_destroy(q2);
  }
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("nbodyq");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_bad_params);
  tcase_add_test(tc, test_memory_refusal);
  tcase_add_test(tc, test_rdm2);
  tcase_add_test(tc, test_rbm_factorises);
  tcase_add_test(tc, test_free_product);
  tcase_add_test(tc, test_norm_trace);
  tcase_add_test(tc, test_energy);
  tcase_add_test(tc, test_order);
  tcase_add_test(tc, test_rbm_n2);
  tcase_add_test(tc, test_rbm_n4);
  tcase_add_test(tc, test_threads);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
