/* Classical 3D Coulomb N-body system, no softening (THEOREMS.md section 1,
 * "Classical N-body" and "Coulomb"; CEP-1, CEP-4):
 *
 *   dx_j/dt = v_j,   dv_j/dt = -c sum_k grad V(x_j - x_k),   V(x) = 1/(4 pi |x|),
 *
 * unit masses, coupling c (1/N in the harness), repulsive.  Direct O(N^2)
 * sum; velocity Verlet (kick-drift-kick) with a fixed step.
 *
 * Determinism: forces, potential energies and steps are bit-identical for
 * any thread count and any vector width (x86-64 SSE2 / AVX2 / AVX-512
 * clones), built without FMA contraction (-ffp-contract=off) and without
 * -ffast-math: sums are taken in orders fixed by N alone (the tiling of
 * engines/particles/nbody.c), and 1/|x| is computed with +, -, * only (see
 * pairs.c), never libm.
 *
 * Coincident particles (x_j = x_k exactly, probability 0 for continuous
 * data) are not handled: 1/r overflows and the force becomes NaN, which the
 * step reports as MFH_ENUMERIC (never a silent value).
 *
 * Ownership: mfh_c3_create allocates everything; the step functions
 * allocate nothing; mfh_c3_destroy frees everything. */
#ifndef MFH_ENGINES_COULOMB3D_PAIRS_H
#define MFH_ENGINES_COULOMB3D_PAIRS_H

#include <stddef.h>

#include "core/status.h"

typedef struct mfh_c3 mfh_c3;

/* A system of n >= 2 particles at the origin at rest, coupling c (finite),
 * one thread.  MFH_OK, MFH_EINPUT or MFH_ENOMEM. */
int mfh_c3_create(size_t n, double coupling, mfh_c3 **out, mfh_err *err);
void mfh_c3_destroy(mfh_c3 *s); /* accepts NULL */
/* OpenMP threads for the pair loops (>= 1; results do not depend on it). */
int mfh_c3_set_threads(mfh_c3 *s, int nthreads, mfh_err *err);
size_t mfh_c3_size(const mfh_c3 *s);

/* Copy positions and velocities in (row-major: particle j is x[3j..3j+2]);
 * v may be NULL (all at rest).  MFH_EINPUT on a non-finite value. */
int mfh_c3_set_state(mfh_c3 *s, const double *x, const double *v, mfh_err *err);
/* Borrowed views of component i (0..2): n contiguous doubles, valid until
 * the next call that changes the system. */
const double *mfh_c3_x(const mfh_c3 *s, int i);
const double *mfh_c3_v(const mfh_c3 *s, int i);
const double *mfh_c3_acc(const mfh_c3 *s, int i);

/* Accelerations acc_j = -c sum_k grad V(x_j - x_k) at the current positions,
 * each unordered pair evaluated once.  With pot != NULL also
 * *pot = sum_{i != j} V(x_i - x_j) (ordered pairs, no coupling factor).
 * MFH_OK, or MFH_ENUMERIC when an acceleration is not finite. */
int mfh_c3_forces(mfh_c3 *s, double *pot, mfh_err *err);
/* Only the pair potential sum_{i != j} V(x_i - x_j) (a separate pass). */
double mfh_c3_potential(mfh_c3 *s);

/* One velocity Verlet step of length dt (the forces at the current
 * positions are cached from the previous step or computed first).  With
 * pot != NULL, *pot = sum_{i != j} V at the new positions (computed with
 * the new forces, same pass).  MFH_OK, MFH_EINPUT (dt not finite) or
 * MFH_ENUMERIC. */
int mfh_c3_step(mfh_c3 *s, double dt, double *pot, mfh_err *err);

/* (1/2) sum_j |v_j|^2 and the total momentum sum_j v_j (fixed-order sums). */
double mfh_c3_kinetic(const mfh_c3 *s);
void mfh_c3_momentum(const mfh_c3 *s, double p[3]);

#endif
