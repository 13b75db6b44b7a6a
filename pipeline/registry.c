/* The registries.  Adding a solver, observable, bound, metric or check = one
 * line here (and its own file). */
#include "pipeline/registry.h"

#include <string.h>

#include "bounds/classical.h"
#include "bounds/fg1.h"
#include "observables/density.h"
#include "observables/phase.h"
#include "observables/value.h"
#include "observables/w1grid.h"
#include "observables/wasserstein.h"
#include "engines/command/command.h"
#include "engines/coulomb3d/solver.h"
#include "engines/fermion/engine.h"
#include "engines/hartree/solver.h"
#include "engines/hartree_ep/hartree_ep.h"
#include "engines/iid/iid.h"
#include "engines/nbodyq/rbm.h"
#include "engines/nbodyq/solver.h"
#include "engines/particles/particles.h"
#include "engines/semiclassical/hv1.h"
#include "engines/sheet/sheet.h"
#include "engines/semiclassical/solver.h"
#include "engines/vlasov/solver.h"

const mfh_solver_type *const mfh_solvers[] = {
    &mfh_solver_command,
    &mfh_solver_nbody,
    &mfh_solver_vlasov,
    &mfh_solver_hartree,
    &mfh_solver_qstates,
    &mfh_solver_hv1,
    &mfh_solver_sheet,
    &mfh_solver_hartree_ep,
    &mfh_solver_schrodinger,
    &mfh_solver_coulomb3d,
    &mfh_solver_rbm,
    &mfh_solver_rbm_identities,
    NULL,
};

const mfh_observable_type *const mfh_observables[] = {
    &mfh_observable_value,
    &mfh_observable_coupling,
    &mfh_observable_w1_phase,
    &mfh_observable_moments,
    &mfh_observable_weak,
    &mfh_observable_w1_grid,
    NULL,
};

/* Engines: what a study's system or reference runs (core/engine.h). */
const mfh_engine_type *const mfh_engines[] = {
    &mfh_engine_iid,
    &mfh_engine_fermion_kernel,
    &mfh_engine_fermion_orbitals,
    NULL,
};

/* Observables over parts (core/engine.h). */
const mfh_obs_type *const mfh_obs_types[] = {
    &mfh_obs_value,
    &mfh_obs_density_norms,
    &mfh_obs_wigner_modes,
    &mfh_obs_density_monitors,
    &mfh_obs_wp,
    &mfh_obs_wp_law,
    NULL,
};

const mfh_bound_type *const mfh_bounds[] = {
    &mfh_bound_w1_1d,
    &mfh_bound_mf1,
    &mfh_bound_dob1,
    &mfh_bound_mom1,
    NULL,
};

static const mfh_metric_type metric_w1 = {"w1", "exact W_1 (cost |x - y|)", 1.0};
static const mfh_metric_type metric_w2 = {"w2", "exact W_2 (cost |x - y|^2)", 2.0};
static const mfh_metric_type metric_wp = {"wp", "exact W_p, p >= 1 given by --p", 0.0};

const mfh_metric_type *const mfh_metrics[] = {&metric_w1, &metric_w2, &metric_wp, NULL};

/* Checks: checks/<name>.c defines `const mfh_check_type mfh_check_<name>`.
 * The order is the order of `mfh list checks` and of the "known:" lists in
 * messages. */
#define MFH_CHECK_KINDS(X) \
  X(rate)                  \
  X(bound)                 \
  X(expected)              \
  X(uniform)               \
  X(constant)              \
  X(expansion)

#define MFH_X_DECLARE(name) extern const mfh_check_type mfh_check_##name;
MFH_CHECK_KINDS(MFH_X_DECLARE)
#undef MFH_X_DECLARE
#define MFH_X_ENTRY(name) &mfh_check_##name,
const mfh_check_type *const mfh_checks[] = {MFH_CHECK_KINDS(MFH_X_ENTRY) NULL};
#undef MFH_X_ENTRY

#define MFH_FIND(fn, type, table)                  \
  const type *fn(const char *name) {               \
    for (size_t i = 0; table[i]; i++)              \
      if (strcmp(table[i]->name, name) == 0) return table[i]; \
    return NULL;                                   \
  }

MFH_FIND(mfh_solver_find, mfh_solver_type, mfh_solvers)
MFH_FIND(mfh_observable_find, mfh_observable_type, mfh_observables)
MFH_FIND(mfh_bound_find, mfh_bound_type, mfh_bounds)
MFH_FIND(mfh_metric_find, mfh_metric_type, mfh_metrics)
MFH_FIND(mfh_check_find, mfh_check_type, mfh_checks)
MFH_FIND(mfh_engine_find, mfh_engine_type, mfh_engines)
MFH_FIND(mfh_obs_find, mfh_obs_type, mfh_obs_types)

