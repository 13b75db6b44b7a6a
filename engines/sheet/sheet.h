/* The 1D sheet model (THEOREMS.md section 1, "Coulomb"; CEP-2, CEP-3): N
 * particles on the line with V(x) = -|x|/2 (repulsive, coupling 1/N), so the
 * force on the particle of rank r (sorted, 1-based) is (r - 1/2)/N - 1/2.
 * The engine `sheet` (sheet.c) evolves them from data drawn from the
 * parabolic profile of engines/ep1d/lagrange.h; its exact Euler-Poisson
 * limit is the engine `ep1d`. */
#ifndef MFH_ENGINES_SHEET_SHEET_H
#define MFH_ENGINES_SHEET_SHEET_H

#include <stddef.h>

#include "core/engine.h"

/* The registry entry (`system: sheet`). */
extern const mfh_engine_type mfh_engine_sheet;

/* Forces on n particles: f[j] = (rank_j - 1/2)/n - 1/2, ranks by (x, index).
 * perm (n entries) holds a permutation on entry (e.g. the previous order:
 * it is re-sorted by insertion, falling back to a merge sort with tmp, n
 * entries, when the order changed a lot) and the sorted order on return.
 * 0 or MFH_EINPUT (n = 0). */
int mfh_sheet_forces(const double *x, size_t n, size_t *perm, size_t *tmp, double *f);

#endif
