/* The fermion engines of a study (core/engine.h): N fermions in the
 * mean-field semiclassical scaling eps = N^(-1/d), d = 1 or 2 (THEOREMS.md
 * HF-1..HF-4; seed 003, Benedikter-Porta-Saffirio-Schlein).
 *
 *   fermion_kernel    evolves the density-matrix kernel omega(x, y):
 *                     dynamics free | hartree | hf | vlasov (the
 *                     Weyl-quantised Vlasov equation, the reference of
 *                     HF-1..HF-3);
 *   fermion_orbitals  evolves omega = sum_k lambda_k |phi_k><phi_k|:
 *                     dynamics free | hartree | hf (cheaper for Slater
 *                     states: m = N orbitals instead of an n^d x n^d kernel).
 * Both produce one item "omega" of kind density (trace N, the scale eps),
 * start (initial()) from the trap state (mixed at temperature T, or
 * Slater) on the grid of the resolution rule (fermion.h), and can start as
 * a coupled reference from any density on a grid (starts_from "density"):
 * the kernel engine from a kernel (copied) or orbitals (their kernel); the
 * orbital engine from orbitals (copied) or a kernel (its eigenvectors with
 * eigenvalue above 1e-14 of the largest).  So a study's
 * `reference: {coupled: fermion_kernel, dynamics: vlasov}` starts from
 * exactly the system's initial kernel: the initial error is zero and the
 * Strang splitting errors largely cancel (engines.h).
 *
 * Every parameter is shared by name, so `model:` sets both engines at once
 * and a reference changes only what it names.  The time grid: output times
 * t (the stream parameter) are whole numbers of steps dt; every output of
 * one run follows one trajectory and equals a run asked for that time only
 * (mfh_fermion_*_engine_advance / close_into).  The grid depends on t_max,
 * not on t.  validate() refuses an explicit under-resolved n, and a run
 * whose memory estimate exceeds mem_gib, with the size needed. */
#ifndef MFH_ENGINES_FERMION_ENGINE_H
#define MFH_ENGINES_FERMION_ENGINE_H

#include "core/engine.h"

extern const mfh_engine_type mfh_engine_fermion_kernel;
extern const mfh_engine_type mfh_engine_fermion_orbitals;

#endif
