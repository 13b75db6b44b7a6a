/* Engines and observables: the plug-in interfaces of a study's parts.
 *
 * A theorem compares a *system* with a *reference* through a distance along
 * a sweep.  An engine evolves one typed state to the requested output times
 * and knows nothing of references or errors (GSL's step types; REBOUND's
 * integrators).  The harness owns the references (pipeline/): the same
 * engine refined, another engine started from the system's initial state
 * (coupled), another engine from the same parameters (an exact solution), an
 * independent twin.  An observable turns two states (and, when it asks, the
 * two initial states) into named scalars.  Engines declare what they produce
 * as a function of their parameters and observables what they need, so a
 * study that would fail at run time is refused before anything runs.
 *
 * Contracts every engine keeps (tests/test_conformance.c checks them):
 *  - run() produces exactly the declared items and scalars at every output
 *    time (a value that cannot be computed is NaN, never missing);
 *  - the same parameters, initial state and streams give the same bits;
 *  - the stream contract: out[k] is bit-identical to a run asked only for
 *    t[k] (all output times of one run follow one trajectory);
 *  - prepare()'s shared work changes nothing: run() gives the same values
 *    with ctx->shared NULL;
 *  - bad parameters are refused by validate() naming the parameter;
 *  - no mutable global state: tasks run in parallel threads; FFTW plans are
 *    made inside `#pragma omp critical(mfh_fftw_planner)` and destroyed
 *    through mfh_fftw_destroy (core/fftw.h). */
#ifndef MFH_CORE_ENGINE_H
#define MFH_CORE_ENGINE_H

#include <signal.h>
#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "core/param.h"
#include "core/state.h"
#include "core/status.h"
#include "core/values.h"

/* What one engine run gets besides its parameters. */
typedef struct mfh_engine_ctx {
  size_t nout;
  const double *t;       /* output times (the stream parameter's values), ascending;
                            out[k] is the state at t[k].  An engine without a stream
                            parameter gets nout = 1. */
  const mfh_state *from; /* the initial state to start from: the engine's own
                            initial() result, or the system's for a coupled
                            reference; NULL for engines without initial() */
  gsl_rng *rng;          /* the engine's own draws (random batches, ...) */
  gsl_rng *init_rng;     /* the initial data's stream (engines without initial()
                            that draw their own data) */
  unsigned long long seed; /* the seed of rng (for external programs) */
  size_t replica;
  const char *workdir;   /* folder of the study file (external programs run there) */
  const void *shared;    /* what prepare() made for this point, or NULL */
  /* the harness's limits on one task (study key `limits`) and its stop flag,
   * for engines that run external programs (core/proc.h) */
  double time_limit_s;     /* wall time a program may take (<= 0: none) */
  size_t output_limit;     /* bytes a program may print on standard output */
  volatile sig_atomic_t *interrupt; /* non-zero when mfh was asked to stop; may be NULL */
} mfh_engine_ctx;

typedef struct mfh_engine_type {
  const char *name;
  const char *doc;    /* one line */
  const char *method; /* method and paper */
  int version;        /* bump when results change: part of the task key */
  const mfh_param_def *params;
  size_t nparams;
  int open_params; /* 1: extra parameters are allowed (a command's template) */
  /* Cross-parameter validation (may be NULL): MFH_EINPUT with *param the
   * offending parameter's name. */
  int (*validate)(const mfh_params *p, const char **param, mfh_err *err);
  /* Model constants for explicit bounds and derived measures (may be NULL). */
  int (*constants)(const mfh_params *p, mfh_values *out, mfh_err *err);
  /* What run() produces for these parameters (items and scalars). */
  int (*declare)(const mfh_params *p, mfh_decl *out, mfh_err *err);
  /* The kinds (space-separated names) of initial state this engine can start
   * from as a coupled reference, or NULL: it cannot be coupled. */
  const char *starts_from;
  /* The initial state (may be NULL: the engine builds everything in run()).
   * Draws only from init_rng.  A coupled reference starts from it. */
  int (*initial)(const mfh_params *p, gsl_rng *init_rng, mfh_state *s0, mfh_err *err);
  /* Evolve ctx->from (or the engine's own data) to every output time:
   * out[k] for t[k], k < ctx->nout. */
  int (*run)(const mfh_params *p, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err);
  /* Optional per-point work shared by every replica (a reference field that
   * does not depend on the draws); freed by release(). */
  int (*prepare)(const mfh_params *p, size_t nout, const double *t, void **shared, mfh_err *err);
  void (*release)(void *shared);
  /* Optional: what one run costs at most, in bytes of memory and seconds of
   * one core (rough, for the harness's refusal of oversize studies before
   * anything runs: pipeline/estimate.c sums the parts of a task). */
  int (*estimate)(const mfh_params *p, double *bytes, double *seconds);
  /* A small, fast configuration for the conformance suite
   * (tests/test_conformance.c): "name=value ..." over the defaults, e.g.
   * "N=64 dt=0.05"; NULL: the defaults are small enough.  With a stream
   * parameter the suite asks for its value here and half of it. */
  const char *conformance;
} mfh_engine_type;

/* The roles an observable reads: the two states it compares at time t and,
 * when it asks, the same two at time 0. */
enum mfh_obs_role { MFH_ROLE_A = 0, MFH_ROLE_B = 1, MFH_ROLE_A0 = 2, MFH_ROLE_B0 = 3, MFH_NROLES = 4 };

typedef struct mfh_obs_args {
  const mfh_state *s[MFH_NROLES]; /* NULL where not asked for */
  double t;                       /* the output time */
} mfh_obs_args;

typedef struct mfh_observable_type {
  const char *name;
  const char *doc;
  const mfh_param_def *params;
  size_t nparams;
  /* What it reads: space-separated ROLE:KIND words, ROLE one of a, b, a0, b0
   * (e.g. "a:cloud b:cloud" or "a:cloud b:phase_grid a0:cloud b0:phase_grid");
   * "a:scalars" reads the scalars of a. */
  const char *needs;
  /* Space-separated output names; "*" = the scalars of a (observable value). */
  const char *outputs;
  /* Checks its parameters against the states it will get (may be NULL):
   * decl[r] is what role r's engine declares (NULL if the role is unused). */
  int (*validate)(const mfh_params *p, const mfh_decl *const decl[MFH_NROLES], const char **param,
                  mfh_err *err);
  int (*eval)(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err);
} mfh_observable_type;

#endif
