/* Classical N-body Newton dynamics with a smooth even pair potential, in
 * d = 1, 2, 3, on R^d or on the torus [0,L)^d (THEOREMS.md section 1,
 * "Classical N-body"; KLIM-1, DOB-1, MF-1..3, RBM-4, DT-1):
 *
 *   dx_j/dt = v_j,   dv_j/dt = -c sum_{k=1..N} grad V(x_j - x_k),
 *
 * with the coupling c given by the caller (1/N is the harness convention;
 * 1/(N-1) is the unbiased reference of the random batch method).  Unit
 * masses.  On the torus positions are kept in [0,L) and displacements use
 * the minimum image.
 *
 * Determinism: every result (forces, steps, energies) is bit-identical
 * whatever the thread count and the vector width of the x86-64 machine, as
 * long as the code is built without FMA contraction (-ffp-contract=off) and
 * without -ffast-math.  Sums are taken in fixed orders; exp/sin/cos are the
 * library's own (engines/particles/vmath.h), not libm's.
 *
 * Ownership: mfh_nbody_create allocates everything; the step functions
 * allocate nothing; mfh_nbody_destroy frees everything. */
#ifndef MFH_ENGINES_PARTICLES_NBODY_H
#define MFH_ENGINES_PARTICLES_NBODY_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "core/status.h"
#include "engines/particles/potential.h"

/* Time integrators (all symplectic and time-symmetric). */
enum mfh_nbody_method {
  /* velocity Verlet, kick-drift-kick, order 2, 1 force evaluation per step
   * (Verlet 1967; Hairer, Lubich & Wanner, Geometric Numerical
   * Integration, 2nd ed., sec. I.1.4) */
  MFH_NBODY_VERLET = 1,
  /* Yoshida's triple jump of Verlet, order 4, 3 force evaluations per step
   * (Yoshida 1990, Phys. Lett. A 150, 262; Forest & Ruth 1990) */
  MFH_NBODY_YOSHIDA4 = 2
};

typedef struct mfh_nbody mfh_nbody;

/* An external acceleration field for mean-field characteristics: fill
 * acc[i][j] (component i of particle j, i < dim, j < n) with the
 * acceleration at time t and position (x[0][j], .., x[dim-1][j]).  It must be
 * a function of (t, x) only (see mfh_nbody_step_field).  Return MFH_OK or a
 * negative status; the step then returns that status. */
typedef int (*mfh_field_fn)(double t, size_t n, int dim, const double *const *x,
                            double *const *acc, void *ctx);

/* Create a system of n particles in dimension dim (must equal pot->dim)
 * interacting through *pot (copied) with coupling `coupling`; positions and
 * velocities start at 0, threads at 1.  On success *out owns the system
 * (free with mfh_nbody_destroy).  Returns MFH_OK, MFH_EINPUT (n = 0, dim
 * not in 1..3 or != pot->dim, invalid pot, coupling not finite) or
 * MFH_ENOMEM, with a message in err (may be NULL). */
int mfh_nbody_create(size_t n, int dim, const mfh_potential *pot, double coupling,
                     mfh_nbody **out, mfh_err *err);

/* Free a system; accepts NULL. */
void mfh_nbody_destroy(mfh_nbody *sys);

/* Number of OpenMP threads for the force and energy loops (>= 1; results do
 * not depend on it).  MFH_OK or MFH_EINPUT. */
int mfh_nbody_set_threads(mfh_nbody *sys, int nthreads, mfh_err *err);

size_t mfh_nbody_size(const mfh_nbody *sys);
int mfh_nbody_dim(const mfh_nbody *sys);
double mfh_nbody_coupling(const mfh_nbody *sys);
const mfh_potential *mfh_nbody_potential(const mfh_nbody *sys);

/* Copy positions in from x (n*dim doubles, row-major: particle j is
 * x[j*dim .. j*dim+dim-1], the mfh_cloud layout); on the torus they are
 * wrapped into [0,L).  MFH_OK, or MFH_EINPUT for a non-finite value (the
 * state is then unchanged). */
int mfh_nbody_set_positions(mfh_nbody *sys, const double *x, mfh_err *err);
/* Copy velocities in (same layout).  MFH_OK or MFH_EINPUT (non-finite). */
int mfh_nbody_set_velocities(mfh_nbody *sys, const double *v, mfh_err *err);
/* Copy positions / velocities out (n*dim doubles, row-major). */
void mfh_nbody_get_positions(const mfh_nbody *sys, double *x);
void mfh_nbody_get_velocities(const mfh_nbody *sys, double *v);

/* Borrowed read-only views of component i (0 <= i < dim) of the positions,
 * velocities and last computed accelerations: n contiguous doubles, valid
 * until the next call that changes the system. */
const double *mfh_nbody_x(const mfh_nbody *sys, int i);
const double *mfh_nbody_v(const mfh_nbody *sys, int i);
const double *mfh_nbody_acc(const mfh_nbody *sys, int i);

/* Compute the interaction accelerations acc_j = -c sum_k grad V(x_j - x_k)
 * for the current positions (read them with mfh_nbody_acc).
 *  Gaussian: direct O(N^2) sum over the N(N-1)/2 pairs, each pair evaluated
 *    once and added to both particles (Newton's third law); the pair matrix
 *    is cut in 256 x 256 tiles processed in the rounds of a round-robin
 *    tournament (circle method), so tiles of one round touch disjoint
 *    particles and run in parallel, and every particle receives its
 *    contributions in an order fixed by N alone.  Inside a tile the row sums
 *    use 8 lane accumulators combined pairwise; the exponential is the
 *    library's own, vectorised (vmath.h).
 *  Cosine: O(N) by the exact identity sum_k sin(u_j - u_k) =
 *    sin u_j sum_k cos u_k - cos u_j sum_k sin u_k, per axis.
 * Returns MFH_OK. */
int mfh_nbody_compute_acc(mfh_nbody *sys, mfh_err *err);

/* Advance the interacting system by one step of length dt with `method`.
 * The accelerations at the end of a step are kept and reused by the next
 * step (one force evaluation per Verlet step) until positions are set.
 * MFH_OK or MFH_EINPUT (unknown method, dt not finite). */
int mfh_nbody_step(mfh_nbody *sys, int method, double dt, mfh_err *err);

/* Advance from time t to t + dt non-interacting particles in the external
 * field `field` (mean-field characteristics dx/dt = v, dv/dt = a(t, x)),
 * with exactly the same integrator as mfh_nbody_step (kicks at the
 * intermediate times of the method).  The field at the end of a step is
 * reused at the start of the next when that call has the same field and ctx
 * and its t equals the previous t + dt (bit for bit); so the field must not
 * change for a given (t, x).  MFH_OK, MFH_EINPUT (unknown method, NULL
 * field, t or dt not finite) or the field's own status. */
int mfh_nbody_step_field(mfh_nbody *sys, int method, double t, double dt, mfh_field_fn field,
                         void *ctx, mfh_err *err);

/* One random-batch step (Jin, Li & Liu 2020, J. Comput. Phys. 400, 108877;
 * THEOREMS.md RBM-4, seed 004 convention): draw a uniform random
 * permutation sigma with gsl_ran_shuffle, pair (sigma(2k-1), sigma(2k));
 * each particle feels only its partner, with coefficient 1 (acc_j =
 * -grad V(x_j - x_partner); the coupling is not used), for one velocity
 * Verlet step of length dt.  O(N).  The unbiased full system to compare
 * with has coupling 1/(N-1).  Needs N even.  MFH_OK or MFH_EINPUT (odd N,
 * NULL rng, dt not finite). */
int mfh_nbody_step_rbm(mfh_nbody *sys, double dt, gsl_rng *rng, mfh_err *err);

/* The permutation drawn by the last random-batch step (n indices; pairs
 * (p[2k], p[2k+1])), borrowed; NULL before the first one. */
const size_t *mfh_nbody_rbm_pairing(const mfh_nbody *sys);

/* Kinetic energy sum_j |v_j|^2 / 2. */
double mfh_nbody_kinetic_energy(const mfh_nbody *sys);
/* Potential energy c sum_{j<k} V(x_j - x_k): O(N^2) for the Gaussian
 * (parallel, fixed order), O(N) for the cosine (|sum_k e^{i u_k}|^2 - N)/2
 * per axis).  Uses the system's scratch space, hence not const. */
double mfh_nbody_potential_energy(mfh_nbody *sys);
/* Kinetic plus potential energy. */
double mfh_nbody_total_energy(mfh_nbody *sys);
/* Total momentum sum_j v_j into p (dim components). */
void mfh_nbody_momentum(const mfh_nbody *sys, double *p);

#endif
