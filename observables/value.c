#include "observables/value.h"

static int value_eval(const mfh_params *p, const mfh_state *s, mfh_values *out, mfh_err *err) {
  (void)p;
  for (size_t i = 0; i < s->values.n; i++)
    if (mfh_values_set(out, s->values.v[i].name, s->values.v[i].v))
      return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return MFH_OK;
}

const mfh_observable_type mfh_observable_value = {
    "value",
    "the scalars the solver computed itself (e.g. the numbers a command printed)",
    NULL,
    0,
    MFH_HAS_VALUES,
    "*",
    NULL,
    value_eval,
};
