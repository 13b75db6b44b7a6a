/* The classical particle model shared by the engines `nbody` and
 * `characteristics` (THEOREMS.md section 1, "Classical N-body"): the domain
 * (the torus [0,L)^d or R^d, d = 1, 2, 3), the pair potential V (cosine or
 * Gaussian, engines/particles/potential.h) and the initial law
 *   homogeneous  x uniform on [0,L)^d,
 *   perturbed    x with density (1 + alpha cos(2 pi x_1 / L)) / L^d,
 *   gaussian     x ~ N(0, sx^2 I) on R^d,
 * with velocities N(0, sv^2 I).  Both engines declare these parameters
 * with the same names, kinds and defaults (MFH_PARTICLES_LAW_PARAMS), so a
 * study's model: values bind to both; only `nbody`, which draws the
 * particles, flags the ones that shape the draws as sampled (the random
 * streams follow them, pipeline/plan.c). */
#ifndef MFH_ENGINES_PARTICLES_LAW_H
#define MFH_ENGINES_PARTICLES_LAW_H

#include "core/cloud.h"
#include "core/param.h"
#include "core/state.h"
#include "core/status.h"
#include "engines/particles/nbody.h"
#include "engines/particles/potential.h"

/* The parameter definitions of the model, for an engine's table;
 * SAMPLED is MFH_PARAM_SAMPLED (the engine draws the particles) or 0.
 * sx, the spread of init gaussian, is the drawing engine's alone. */
#define MFH_PARTICLES_LAW_PARAMS(SAMPLED)                                                      \
  {"dim", MFH_PARAM_INT, "1", 1, 3, 0, 0, NULL, "space dimension d", (SAMPLED)},               \
  {"domain", MFH_PARAM_CHOICE, "torus", 0, 0, 0, 0, "torus|free",                              \
   "the torus [0,L)^d (periodic) or the whole space R^d", (SAMPLED)},                          \
  {"L", MFH_PARAM_REAL, "6.283185307179586", 0, 1e6, 1, 0, NULL, "torus period", (SAMPLED)},   \
  {"potential", MFH_PARAM_CHOICE, "cosine", 0, 0, 0, 0, "cosine|gaussian",                     \
   "V = a sum_i cos(2 pi x_i / L) (torus) or V = a exp(-|x|^2 / (2 s^2))", 0},                 \
  {"a", MFH_PARAM_REAL, "1", -1e6, 1e6, 0, 0, NULL, "amplitude of V (a > 0 repulsive)", 0},    \
  {"s", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "width of the Gaussian potential", 0},        \
  {"init", MFH_PARAM_CHOICE, "homogeneous", 0, 0, 0, 0, "homogeneous|perturbed|gaussian",      \
   "initial law: uniform x on the torus, density (1 + alpha cos(2 pi x_1/L))/L^d, or "         \
   "N(0, sx^2) in R^d; velocities N(0, sv^2)", (SAMPLED)},                                     \
  {"sv", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "velocity spread", (SAMPLED)},               \
  {"alpha", MFH_PARAM_REAL, "0.5", 0, 1, 0, 1, NULL, "density modulation (init perturbed)",    \
   (SAMPLED)}

enum mfh_particles_init { MFH_PARTICLES_HOMOGENEOUS, MFH_PARTICLES_PERTURBED, MFH_PARTICLES_GAUSSIAN };

/* The model's values at a point. */
typedef struct mfh_particles_law {
  int dim;
  int torus;        /* domain torus */
  int gaussian_pot; /* potential gaussian (else cosine) */
  int init;         /* enum mfh_particles_init */
  double L, a, s, sv, alpha;
} mfh_particles_law;

/* Read the model from parameters holding MFH_PARTICLES_LAW_PARAMS. */
void mfh_particles_law_read(const mfh_params *p, mfh_particles_law *m);

/* The rules every engine of the model keeps: the cosine lives on the
 * torus; init gaussian is the law on R^d and the other two live on the
 * torus; a Gaussian on the torus needs s <= L/8 (minimum image); V must be
 * valid.  MFH_OK, or MFH_EINPUT with *param the offending parameter. */
int mfh_particles_law_check(const mfh_particles_law *m, const char **param, mfh_err *err);

/* The pair potential V of the model (on the torus for domain torus). */
int mfh_particles_potential(const mfh_particles_law *m, mfh_potential *pot, mfh_err *err);

/* Positions and velocities of a phase cloud (x_1..x_d, v_1..v_d per
 * particle, d = the system's dimension, n its size) into sys; on the torus
 * positions are wrapped into [0,L).  MFH_OK, MFH_EINPUT (non-finite) or
 * MFH_ENOMEM. */
int mfh_particles_load(mfh_nbody *sys, const mfh_cloud *cl, mfh_err *err);

/* The phase cloud of sys (d and torus period `period` set) added to out as
 * the item "particles". */
int mfh_particles_put(const mfh_nbody *sys, double period, mfh_state *out, mfh_err *err);

#endif
