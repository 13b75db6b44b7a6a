/* The registry of state kinds: adding one = core/kind_<name>.c and a line. */
#include "core/kinds.h"

const mfh_kind *const mfh_kinds[] = {
    &mfh_kind_cloud,
    &mfh_kind_law1d,
    &mfh_kind_phase_grid,
    &mfh_kind_density,
    &mfh_kind_field,
    &mfh_kind_fluid,
    &mfh_kind_nbody_wave,
    NULL,
};
