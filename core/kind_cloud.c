/* State kind "cloud": a particle cloud or sample (mfh_cloud, core/cloud.h):
 * n points in R^dim with optional weights; a phase-space cloud of particles
 * has dim = 2 d (positions then velocities) and may live on a torus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "core/kinds.h"

mfh_cloud *mfh_cloud_new(size_t n, size_t dim) {
  mfh_cloud *c = calloc(1, sizeof *c);
  if (c && mfh_cloud_alloc(c, n, dim)) {
    free(c);
    c = NULL;
  }
  return c;
}

static void cloud_free(void *data) {
  mfh_cloud *c = data;
  mfh_cloud_free(c);
  free(c);
}

static int cloud_copy(const void *data, void **out, mfh_err *err) {
  const mfh_cloud *c = data;
  mfh_cloud *d = mfh_cloud_new(c->n, c->dim);
  if (!d || (c->w && !(d->w = malloc(c->n * sizeof *d->w)))) {
    cloud_free(d);
    return mfh_err_set(err, MFH_ENOMEM, "out of memory for a cloud of %zu points", c->n);
  }
  memcpy(d->x, c->x, c->n * c->dim * sizeof *d->x);
  if (c->w) memcpy(d->w, c->w, c->n * sizeof *d->w);
  d->d = c->d;
  d->period = c->period;
  *out = d;
  return MFH_OK;
}

static int cloud_hash(const void *data, uint64_t *out, mfh_err *err) {
  const mfh_cloud *c = data;
  if (!c || (!c->x && c->n)) return mfh_err_set(err, MFH_EINPUT, "cloud: no data");
  XXH3_state_t *h = XXH3_createState();
  if (!h) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  XXH3_64bits_reset(h);
  size_t shape[3] = {c->n, c->dim, c->d};
  XXH3_64bits_update(h, shape, sizeof shape);
  XXH3_64bits_update(h, &c->period, sizeof c->period);
  XXH3_64bits_update(h, c->x, c->n * c->dim * sizeof *c->x);
  if (c->w) XXH3_64bits_update(h, c->w, c->n * sizeof *c->w);
  *out = XXH3_64bits_digest(h);
  XXH3_freeState(h);
  return MFH_OK;
}

static void cloud_describe(const void *data, char *buf, size_t len) {
  const mfh_cloud *c = data;
  if (c->d)
    snprintf(buf, len, "cloud of %zu particles in phase space (d = %zu%s%g)%s", c->n, c->d,
             c->period > 0 ? ", torus period " : ", whole space", c->period > 0 ? c->period : 0.0,
             c->w ? ", weighted" : "");
  else
    snprintf(buf, len, "cloud of %zu points in R^%zu%s", c->n, c->dim, c->w ? ", weighted" : "");
}

const mfh_kind mfh_kind_cloud = {
    "cloud",
    "particle cloud or sample: n points in R^dim (positions then velocities for particles), optional weights",
    "mfh_cloud (core/cloud.h)",
    cloud_free,
    cloud_copy,
    cloud_hash,
    cloud_describe,
};
