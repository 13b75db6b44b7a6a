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

#include <stddef.h>

#include "core/engine.h"
#include "engines/fermion/engines.h"
#include "engines/fermion/fermion.h"

extern const mfh_engine_type mfh_engine_fermion_kernel;
extern const mfh_engine_type mfh_engine_fermion_orbitals;

/* A run of one of the two engines, as its parameters make it. */
typedef struct mfh_fermion_run_config {
  mfh_fermion_setup setup;          /* state, N, T, t_max, V: the grid rule's input */
  mfh_fermion_engine_params engine; /* the stepper's grid, N, model, V, threads */
  size_t m;                         /* orbitals (levels) of the trap state */
  double dt;
  long steps;                       /* Strang steps to the output time t */
  double engine_bytes;              /* what the stepper allocates */
  double state_bytes;               /* one state: the kernel, or m orbitals */
  double need_bytes;                /* engine + 3 states: what validate() holds to mem_gib */
} mfh_fermion_run_config;

/* The run of engine type (mfh_engine_fermion_kernel or _orbitals) with
 * parameters p (complete, defaults filled): the grid of the resolution rule
 * (or the n asked for, checked), the trap levels, the steps and the memory
 * estimate that validate() compares with mem_gib (the size a refusal names).
 * For benchmarks and size planning; builds the trap levels (O(m) Hermite
 * evaluations), allocates nothing that outlives the call.  MFH_OK;
 * MFH_EINPUT (not a fermion engine; or what validate() refuses, with
 * *param the parameter to blame when param is not NULL), MFH_ENOMEM. */
int mfh_fermion_run_config_of(const mfh_engine_type *type, const mfh_params *p, mfh_fermion_run_config *out,
                              const char **param, mfh_err *err);

#endif
