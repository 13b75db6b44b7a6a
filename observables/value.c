#include "observables/value.h"

/* The scalars of part a, as its engine declares them. */
static int value_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  const mfh_values *v = &in->s[MFH_ROLE_A]->scalars;
  for (size_t i = 0; i < v->n; i++)
    if (mfh_values_set(out, v->v[i].name, v->v[i].v)) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return MFH_OK;
}

const mfh_observable_type mfh_obs_value = {
    "value",
    "the named scalars an engine computed about its own state (energy drift, conservation errors, "
    "monitors), as declared by the engine",
    NULL,
    0,
    "a:scalars",
    "*",
    NULL,
    value_eval,
};
