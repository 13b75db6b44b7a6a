/* State kind "fluid": a monokinetic fluid at one time (core/fluid.h),
 * described by the engine that made it.  Copy = a new reference to the
 * engine's context (ops->retain); free = ops->release; hash = the numbers
 * that define it and its fields at five fixed points x = s scale e_1,
 * s in {-1, -1/2, 1/4, 1/2, 1} (an evaluation error hashes its status). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "core/fluid.h"
#include "core/kinds.h"

mfh_fluid *mfh_fluid_new(const mfh_fluid_ops *ops, void *ctx) {
  mfh_fluid *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  f->d = 1;
  f->scale = 1;
  f->self_energy = NAN;
  f->ops = ops;
  f->ctx = ctx;
  if (ops->retain) ops->retain(ctx);
  return f;
}

void mfh_fluid_point_nan(mfh_fluid_point *q) {
  q->rho = q->F = q->phi = NAN;
  for (int i = 0; i < MFH_FLUID_DMAX; i++) q->u[i] = NAN;
}

static void fluid_free(void *data) {
  mfh_fluid *f = data;
  if (!f) return;
  if (f->ops->release) f->ops->release(f->ctx);
  free(f);
}

static int fluid_copy(const void *data, void **out, mfh_err *err) {
  const mfh_fluid *f = data;
  mfh_fluid *c = malloc(sizeof *c);
  if (!c) return mfh_err_set(err, MFH_ENOMEM, "out of memory for a fluid");
  *c = *f;
  if (f->ops->retain) f->ops->retain(f->ctx);
  *out = c;
  return MFH_OK;
}

static int fluid_hash(const void *data, uint64_t *out, mfh_err *err) {
  const mfh_fluid *f = data;
  if (!f || !f->ops || !f->ops->eval || f->d < 1 || f->d > MFH_FLUID_DMAX || f->nparam > MFH_FLUID_NPARAM)
    return mfh_err_set(err, MFH_EINPUT, "fluid: malformed");
  XXH3_state_t *h = XXH3_createState();
  if (!h) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  XXH3_64bits_reset(h);
  XXH3_64bits_update(h, f->ops->name, strlen(f->ops->name));
  XXH3_64bits_update(h, f->what, strlen(f->what));
  double head[4] = {(double)f->d, f->t, f->scale, f->self_energy};
  XXH3_64bits_update(h, head, sizeof head);
  XXH3_64bits_update(h, f->param, f->nparam * sizeof *f->param);
  static const double at[5] = {-1, -0.5, 0.25, 0.5, 1};
  for (int k = 0; k < 5; k++) {
    double x[MFH_FLUID_DMAX] = {at[k] * f->scale, 0, 0};
    mfh_fluid_point q;
    mfh_err e;
    mfh_fluid_point_nan(&q);
    int st = f->ops->eval(f, x, &q, &e);
    if (st) {
      XXH3_64bits_update(h, &st, sizeof st);
      continue;
    }
    double v[3 + MFH_FLUID_DMAX] = {q.rho, q.F, q.phi};
    for (size_t i = 0; i < f->d; i++) v[3 + i] = q.u[i];
    XXH3_64bits_update(h, v, (3 + f->d) * sizeof *v);
  }
  *out = XXH3_64bits_digest(h);
  XXH3_freeState(h);
  return MFH_OK;
}

static void fluid_describe(const void *data, char *buf, size_t len) {
  const mfh_fluid *f = data;
  snprintf(buf, len, "fluid on R^%zu at t = %g: %s%s%s%s", f->d, f->t, f->ops->name, f->what[0] ? " (" : "",
           f->what, f->what[0] ? ")" : "");
}

const mfh_kind mfh_kind_fluid = {
    "fluid",
    "a monokinetic fluid (rho(t), u(t)) at one time: density, one velocity field and, where known, the "
    "potential V * rho or the 1D cumulative distribution; described by the engine that made it",
    "mfh_fluid (core/fluid.h)",
    fluid_free,
    fluid_copy,
    fluid_hash,
    fluid_describe,
};
