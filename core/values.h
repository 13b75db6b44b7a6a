/* Named scalars: what an observable returns for one task, and the numbers
 * behind a check.  A small growable array; names are copied. */
#ifndef MFH_CORE_VALUES_H
#define MFH_CORE_VALUES_H

#include <stddef.h>

#define MFH_NAME_MAX 64

typedef struct mfh_value {
  char name[MFH_NAME_MAX];
  double v;
} mfh_value;

typedef struct mfh_values {
  size_t n, cap;
  mfh_value *v;
} mfh_values;

/* Set (or overwrite) name = v.  0, MFH_ENOMEM, or MFH_EINPUT for a name
 * longer than MFH_NAME_MAX - 1. */
int mfh_values_set(mfh_values *vs, const char *name, double v);
/* Pointer to the value of name, or NULL. */
const double *mfh_values_get(const mfh_values *vs, const char *name);
void mfh_values_clear(mfh_values *vs); /* keep storage, n = 0 */
void mfh_values_free(mfh_values *vs);  /* accepts a zeroed struct */

#endif
