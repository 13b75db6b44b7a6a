#include "core/values.h"

#include <stdlib.h>
#include <string.h>

#include "core/status.h"

int mfh_values_set(mfh_values *vs, const char *name, double v) {
  if (strlen(name) >= MFH_NAME_MAX) return MFH_EINPUT;
  for (size_t i = 0; i < vs->n; i++)
    if (strcmp(vs->v[i].name, name) == 0) {
      vs->v[i].v = v;
      return MFH_OK;
    }
  if (vs->n == vs->cap) {
    size_t cap = vs->cap ? 2 * vs->cap : 8;
    mfh_value *nv = realloc(vs->v, cap * sizeof *nv);
    if (!nv) return MFH_ENOMEM;
    vs->v = nv;
    vs->cap = cap;
  }
  strcpy(vs->v[vs->n].name, name);
  vs->v[vs->n].v = v;
  vs->n++;
  return MFH_OK;
}

const double *mfh_values_get(const mfh_values *vs, const char *name) {
  for (size_t i = 0; i < vs->n; i++)
    if (strcmp(vs->v[i].name, name) == 0) return &vs->v[i].v;
  return NULL;
}

void mfh_values_clear(mfh_values *vs) { vs->n = 0; }

void mfh_values_free(mfh_values *vs) {
  if (!vs) return;
  free(vs->v);
  vs->v = NULL;
  vs->n = vs->cap = 0;
}
