/* Time steppers for fermionic density matrices (see fermion.h for the model,
 * grid and layouts): Hartree, Hartree-Fock and the Weyl-quantised Vlasov
 * reference on the kernel, Hartree and Hartree-Fock on orbitals.
 *
 * Models (i eps d_t omega = ..., rho = omega(x; x) / N, U = V * rho):
 *   FREE     [-eps^2 Lap, omega]
 *   HARTREE  [-eps^2 Lap + U, omega]
 *   HF       [-eps^2 Lap + U - X, omega],  X(x; y) = V(x - y) omega(x; y) / N
 *   VLASOV   [-eps^2 Lap, w] + A,  A(x; y) = grad U((x + y)/2) . (x - y) w(x; y),
 *            U = V * rho_w: the Weyl quantisation of the Vlasov equation
 *            d_t W + 2 v . grad_x W - grad U . grad_v W = 0 for its Wigner
 *            function [003:L286-288] (kernel engine only).
 * Quadratures: U(x_i) = cell sum_j V(x_i - x_j) rho_j on the grid; grad U
 * at the midpoints (x_i + x_j)/2 by the same quadrature with the analytic
 * grad V (no interpolation: see field.c), so Hartree and Vlasov see the
 * same U and for V = a |x|^2 their steps agree to round-off.
 *
 * Method: Strang splitting (Bao, Jin & Markowich, J. Comput. Phys. 175
 * (2002) 487), in the same form for every model so that the initial error
 * between two engines started from the same kernel is exactly zero and the
 * splitting errors largely cancel in their difference.  One step of dt:
 *   P(dt/2) K(dt) P(dt/2)                         FREE, HARTREE, VLASOV
 *   X(dt/2) P(dt/2) K(dt) P(dt/2) X(dt/2)         HF (= the Hartree step when X = 0)
 *   K(tau): omega <- e^{-i tau H0 / eps} omega e^{i tau H0 / eps}, H0 = -eps^2 Lap,
 *           exact on the periodic grid (FFT; Nyquist |k| = pi / dx);
 *   P(tau): entry (x, y) times exp(-i tau G(x, y) / eps) with
 *           G = U(x) - U(y) (HARTREE, HF) or grad U((x+y)/2).(x - y)
 *           (VLASOV), rho taken at the start; G = 0 on the diagonal, so rho
 *           and U do not change: the exact flow of the sub-equation.
 *           On orbitals: phi_k <- exp(-i tau U / eps) phi_k.
 *   X(tau): the exchange sub-equation i eps d_t omega = -[X[omega], omega]
 *           by classical RK4 (its rate |X| / eps is O(log N) in 1D, so its
 *           local error (tau |X| / eps)^5 / 120 is ~1e-9 or less at the
 *           steps used: negligible against the splitting error).  Kernel:
 *           d_t omega = (i / eps)(Z - Z^*), Z = cell X omega (one zgemm per
 *           stage, 4 per step).  Orbitals: d_t phi_k = (i / eps) cell X phi_k,
 *           X formed from the stage orbitals (zherk + zhemm per stage).
 *           X stays next to P (for N = 1, U phi = X phi and the two flows
 *           cancel exactly: Hartree-Fock equals FREE up to the RK4 error
 *           ~(dt |U| / eps)^5 / 120, round-off at small dt).
 * At the junction of two steps the P half steps (HARTREE, VLASOV: same
 * rho) or the X half steps (HF) are merged, so mfh_fermion_*_run(n steps)
 * applies P n + 1 times, or X n + 1 times (one RK4 sub-step per step, the
 * dominant cost of HF: 4 stages of one n^3 zgemm each).  Order 2 in dt.
 *
 * Kernel kinetic step without a 2D FFT of the whole kernel (whose column
 * passes thrash the cache): with R(M) = M e^{i dt H0 / eps} (FFT of every
 * row, one multiplication, inverse FFT: contiguous) and C = e^{-i dt H0 /
 * eps} K e^{i dt H0 / eps}, C = C^* gives C = R(R(K)^*): two row passes
 * and one blocked in-place conjugate transposition.
 *
 * Reproducibility: FFTW_ESTIMATE plans made once in create under the
 * critical section mfh_fftw_planner, executed with the new-array
 * functions on fixed blocks of rows / orbitals (the same plan for every
 * block whatever the thread count); every sum runs in a fixed order; run
 * allocates nothing.  p.threads OpenMP threads (default 1) share the row /
 * orbital loops; results are bit-identical for any thread count (BLAS
 * calls of the HF exchange use OpenBLAS' own threads: set
 * OPENBLAS_NUM_THREADS=1 for bit-reproducibility across machines).  One
 * engine must not be used by two threads at once. */
#ifndef MFH_ENGINES_FERMION_ENGINES_H
#define MFH_ENGINES_FERMION_ENGINES_H

#include <complex.h>
#include <stddef.h>

#include "core/status.h"
#include "engines/fermion/fermion.h"

enum mfh_fermion_model {
  MFH_FERMION_FREE = 0,
  MFH_FERMION_HARTREE = 1,
  MFH_FERMION_HF = 2,
  MFH_FERMION_VLASOV = 3 /* kernel engine only */
};

typedef struct mfh_fermion_engine_params {
  mfh_fermion_grid grid;
  double N;                /* normalisation (> 0): rho = omega(x; x) / N, X = V omega / N */
  int model;               /* enum mfh_fermion_model */
  mfh_fermion_potential V; /* pair potential */
  int threads;             /* OpenMP threads, >= 1 (default 1) */
} mfh_fermion_engine_params;

/* Defaults: grid 1D n = 64 on [-4, 4) at eps = 1/16, N = 16, HARTREE,
 * Gaussian a = s = 1, 1 thread. */
void mfh_fermion_engine_params_init(mfh_fermion_engine_params *p);

/* ---- on the kernel ---------------------------------------------------------------- */

typedef struct mfh_fermion_kernel_engine mfh_fermion_kernel_engine;

/* Bytes the kernel engine allocates for p (1 kernel; 5 for HF). */
double mfh_fermion_kernel_engine_bytes(const mfh_fermion_engine_params *p);

/* Validate p, allocate the kernel (zero) and scratch, make the plans.
 * MFH_OK and *out (free with mfh_fermion_kernel_engine_destroy),
 * MFH_EINPUT (bad parameter, named), MFH_ENOMEM. */
int mfh_fermion_kernel_engine_create(const mfh_fermion_engine_params *p,
                                     mfh_fermion_kernel_engine **out, mfh_err *err);
/* Free; accepts NULL. */
void mfh_fermion_kernel_engine_destroy(mfh_fermion_kernel_engine *e);

/* The kernel (npts x npts row-major, owned by e): read it, or write the
 * initial data (it must be Hermitian), e.g. with mfh_fermion_trap_kernel
 * (much cheaper than mfh_fermion_kernel_engine_set for mixed trap states);
 * the time is not reset. */
double complex *mfh_fermion_kernel_engine_data(mfh_fermion_kernel_engine *e);

/* Set the kernel to that of orbitals o (same grid) and the time to 0.
 * MFH_EINPUT (grid mismatch), MFH_ENOMEM. */
int mfh_fermion_kernel_engine_set(mfh_fermion_kernel_engine *e, const mfh_fermion_orbitals *o,
                                  mfh_err *err);

/* nsteps >= 0 Strang steps of dt (finite, != 0; < 0 runs backwards):
 * advance, then close in place.  Allocates nothing.  MFH_EINPUT,
 * MFH_ENUMERIC (mean field not finite). */
int mfh_fermion_kernel_engine_run(mfh_fermion_kernel_engine *e, double dt, long nsteps,
                                  mfh_err *err);

/* nsteps Strang steps of dt leaving the last step's closing half step
 * pending (the engine is "open"; its kernel is then not the state at the
 * time reached).  A later advance with the same dt merges the pending half
 * step with the next opening one, exactly as one longer run would: so
 * advance(a); advance(b) performs the operations of advance(a + b), and a
 * closed copy taken in between (close_into) is bit-identical to the result
 * of run(a).  Another dt while open is refused (MFH_EINPUT).  Allocates
 * nothing. */
int mfh_fermion_kernel_engine_advance(mfh_fermion_kernel_engine *e, double dt, long nsteps,
                                      mfh_err *err);

/* The state at the time reached: the kernel with the pending half step
 * applied, written into K (npts^2 values, caller-owned; K may be the
 * engine's own data, which closes the engine).  A closed engine's kernel
 * is copied.  MFH_EINPUT, MFH_ENUMERIC. */
int mfh_fermion_kernel_engine_close_into(mfh_fermion_kernel_engine *e, double complex *K,
                                         mfh_err *err);

/* Time reached (sum of dt). */
double mfh_fermion_kernel_engine_time(const mfh_fermion_kernel_engine *e);

/* ---- on orbitals --------------------------------------------------------------- */

typedef struct mfh_fermion_orb_engine mfh_fermion_orb_engine;

/* Bytes the orbital engine allocates for p and m orbitals. */
double mfh_fermion_orb_engine_bytes(const mfh_fermion_engine_params *p, int m);

/* Validate p (model FREE, HARTREE or HF), copy the initial orbitals init
 * (same grid; init->N is ignored, p->N is used), make the plans.  MFH_OK
 * and *out, MFH_EINPUT, MFH_ENOMEM. */
int mfh_fermion_orb_engine_create(const mfh_fermion_engine_params *p,
                                  const mfh_fermion_orbitals *init, mfh_fermion_orb_engine **out,
                                  mfh_err *err);
/* Free; accepts NULL. */
void mfh_fermion_orb_engine_destroy(mfh_fermion_orb_engine *e);

/* The current orbitals (owned by e; occupations unchanged by the run; the
 * open state while an advance is pending, see close_into). */
const mfh_fermion_orbitals *mfh_fermion_orb_engine_state(const mfh_fermion_orb_engine *e);

/* As mfh_fermion_kernel_engine_run, _advance and _close_into (phi: m npts
 * values, caller-owned, or the engine's own orbitals). */
int mfh_fermion_orb_engine_run(mfh_fermion_orb_engine *e, double dt, long nsteps, mfh_err *err);
int mfh_fermion_orb_engine_advance(mfh_fermion_orb_engine *e, double dt, long nsteps, mfh_err *err);
int mfh_fermion_orb_engine_close_into(mfh_fermion_orb_engine *e, double complex *phi, mfh_err *err);

/* Time reached. */
double mfh_fermion_orb_engine_time(const mfh_fermion_orb_engine *e);

#endif
