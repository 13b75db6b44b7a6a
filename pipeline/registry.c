/* The registries.  Adding an engine, observable, bound, metric or check = one
 * line here (and its own file). */
#include "pipeline/registry.h"

#include <string.h>

#include "bounds/classical.h"
#include "bounds/fg1.h"
#include "observables/density.h"
#include "observables/gridl2.h"
#include "observables/modulated.h"
#include "observables/dual.h"
#include "observables/meanfield.h"
#include "observables/phase.h"
#include "observables/semiclassical.h"
#include "observables/value.h"
#include "observables/w1grid.h"
#include "observables/wasserstein.h"
#include "engines/command/command.h"
#include "engines/hartree/engine.h"
#include "engines/coulomb3d/coulomb3d.h"
#include "engines/ep1d/exact.h"
#include "engines/fermion/engine.h"
#include "engines/iid/iid.h"
#include "engines/nbodyq/engine.h"
#include "engines/nbodyq/identities.h"
#include "engines/particles/particles.h"
#include "engines/semiclassical/qstate.h"
#include "engines/sheet/sheet.h"
#include "engines/vlasov/engine.h"

/* Engines: what a study's system or reference runs (core/engine.h). */
const mfh_engine_type *const mfh_engines[] = {
    &mfh_engine_iid,
    &mfh_engine_hartree,
    &mfh_engine_qstate,
    &mfh_engine_vlasov,
    &mfh_engine_nbody,
    &mfh_engine_characteristics,
    &mfh_engine_sheet,
    &mfh_engine_ep1d,
    &mfh_engine_coulomb3d,
    &mfh_engine_ep3d,
    &mfh_engine_nbodyq,
    &mfh_engine_rbm_identities,
    &mfh_engine_command,
    &mfh_engine_fermion_kernel,
    &mfh_engine_fermion_orbitals,
    NULL,
};

/* Observables over parts (core/engine.h). */
const mfh_observable_type *const mfh_obs_types[] = {
    &mfh_obs_value,
    &mfh_obs_density_norms,
    &mfh_obs_wigner_modes,
    &mfh_obs_density_monitors,
    &mfh_obs_wp,
    &mfh_obs_wp_law,
    &mfh_obs_orbital_l2,
    &mfh_obs_mk2eps,
    &mfh_obs_wigner,
    &mfh_obs_husimi_w2,
    &mfh_obs_husimi_grid_w2,
    &mfh_obs_grid_l2,
    &mfh_obs_field_l2,
    &mfh_obs_coupling,
    &mfh_obs_w1_phase,
    &mfh_obs_moments,
    &mfh_obs_weak,
    &mfh_obs_w1_grid,
    &mfh_obs_modulated_energy,
    &mfh_obs_modulated_energy0,
    &mfh_obs_modulated_density,
    &mfh_obs_modulated_density0,
    &mfh_obs_pickl,
    &mfh_obs_pair_norms,
    &mfh_obs_marginal_norms,
    &mfh_obs_dual_proxy,
    &mfh_obs_smooth_obs,
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
  X(expansion)             \
  X(gci)

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

MFH_FIND(mfh_bound_find, mfh_bound_type, mfh_bounds)
MFH_FIND(mfh_metric_find, mfh_metric_type, mfh_metrics)
MFH_FIND(mfh_check_find, mfh_check_type, mfh_checks)
MFH_FIND(mfh_engine_find, mfh_engine_type, mfh_engines)
MFH_FIND(mfh_obs_find, mfh_observable_type, mfh_obs_types)

