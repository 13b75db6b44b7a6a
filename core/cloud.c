#include "core/cloud.h"

#include <stdlib.h>

#include "core/status.h"

int mfh_cloud_alloc(mfh_cloud *c, size_t n, size_t dim) {
  c->n = n;
  c->dim = dim;
  c->w = NULL;
  c->d = 0;
  c->period = 0;
  c->x = calloc(n * dim > 0 ? n * dim : 1, sizeof *c->x);
  return c->x ? MFH_OK : MFH_ENOMEM;
}

void mfh_cloud_free(mfh_cloud *c) {
  if (!c) return;
  free(c->x);
  free(c->w);
  c->x = c->w = NULL;
  c->n = 0;
}
