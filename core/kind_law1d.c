/* State kind "law1d": an exact law on R (mfh_law1d, core/law1d.h) given by
 * its CDF and quantile function: what an exact W_p of a 1D sample is
 * measured against.  The data point to a static object: nothing to free. */
#include <stdio.h>
#include <string.h>

#include <xxhash.h>

#include "core/kinds.h"

static void law_free(void *data) { (void)data; }

static int law_copy(const void *data, void **out, mfh_err *err) {
  (void)err;
  *out = (void *)data; /* static: shared, never freed */
  return MFH_OK;
}

static int law_hash(const void *data, uint64_t *out, mfh_err *err) {
  const mfh_law1d *l = data;
  if (!l || !l->name) return mfh_err_set(err, MFH_EINPUT, "law1d: no law or no name");
  *out = XXH3_64bits(l->name, strlen(l->name));
  return MFH_OK;
}

static void law_describe(const void *data, char *buf, size_t len) {
  const mfh_law1d *l = data;
  snprintf(buf, len, "exact 1D law: %s", l->name ? l->name : "(unnamed)");
}

const mfh_kind mfh_kind_law1d = {
    "law1d", "an exact law on R (CDF and quantile function)", "const mfh_law1d (core/law1d.h)",
    law_free, law_copy, law_hash, law_describe,
};
