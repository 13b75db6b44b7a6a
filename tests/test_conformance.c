/* The conformance suite, looped over every registered plug-in (after
 * SUNDIALS' test_nvector and GSL's one battery over every step type):
 *
 * engines      declared outputs produced and nothing else, at every output
 *              time; the same parameters and streams give the same bits;
 *              the stream contract (out[k] of a run over several times
 *              equals a run asked for that time alone); shared per-point
 *              work (prepare) changes nothing; every numeric parameter's
 *              out-of-range value is refused by the study loader at the
 *              value's line and column; validate() accepts the conformance
 *              configuration;
 * observables  on states made by a registered engine that produces what
 *              they read: they give exactly their declared outputs, finite
 *              or NaN, and the same bits twice;
 * checks       names unique, documented, each with a judge (their logic at
 *              the decision edges is tests/test_checks.c);
 * kinds        copy is deep and hash-preserving; describe says something.
 *
 * A deliberately broken engine (not registered) shows that each engine
 * property can fail. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kinds.h"
#include "core/rng.h"
#include "pipeline/registry.h"
#include "pipeline/study.h"
#include "tests/testutil.h"

/* ---- helpers --------------------------------------------------------------- */

static const mfh_param_def *def_in(const mfh_param_def *defs, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(defs[i].name, name)) return &defs[i];
  return NULL;
}

static int put_text(mfh_params *ps, const mfh_param_def *d, const char *text, mfh_err *err) {
  mfh_param_val v;
  mfh_mark none = {NULL, 0, 0};
  int rc = mfh_param_parse(d, text, none, d->name, &v, err);
  if (!rc && mfh_params_put(ps, &v)) rc = MFH_ENOMEM;
  return rc;
}

/* name=value settings (space-separated, a value with spaces in single
 * quotes) over the parameters of e in ps. */
static int apply_config(const mfh_engine_type *e, mfh_params *ps, const char *config, mfh_err *err) {
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", config ? config : "");
  for (char *tok = buf; *tok;) {
    while (*tok == ' ') tok++;
    if (!*tok) break;
    char *eq = strchr(tok, '=');
    if (!eq) return mfh_err_set(err, MFH_EINTERNAL, "conformance '%s' is not name=value", tok);
    *eq = '\0';
    char *val = eq + 1, *end;
    if (*val == '\'') {
      val++;
      if (!(end = strchr(val, '\''))) return mfh_err_set(err, MFH_EINTERNAL, "conformance: unclosed quote");
    } else {
      end = val + strcspn(val, " ");
    }
    char *next = *end ? end + 1 : end;
    *end = '\0';
    const mfh_param_def *d = def_in(e->params, e->nparams, tok);
    if (!d) return mfh_err_set(err, MFH_EINTERNAL, "conformance names unknown parameter %s of %s", tok, e->name);
    int rc = put_text(ps, d, val, err);
    if (rc) return rc;
    tok = next;
  }
  return MFH_OK;
}

/* The engine's defaults with its conformance configuration over them. */
static int engine_params(const mfh_engine_type *e, mfh_params *ps, mfh_err *err) {
  memset(ps, 0, sizeof *ps);
  for (size_t i = 0; i < e->nparams; i++)
    if (e->params[i].def) {
      int rc = put_text(ps, &e->params[i], e->params[i].def, err);
      if (rc) return rc;
    }
  int rc = apply_config(e, ps, e->conformance, err);
  if (rc) return rc;
  for (size_t i = 0; i < e->nparams; i++)
    if (!mfh_params_find(ps, e->params[i].name))
      return mfh_err_set(err, MFH_EINTERNAL, "parameter %s has no default and no conformance value", e->params[i].name);
  return MFH_OK;
}

/* Every parameter of engine o also in ps set to ps's value (the model two
 * parts share); 0 when out of memory. */
static int overlay(mfh_params *ops, const mfh_engine_type *o, const mfh_params *ps) {
  for (size_t k = 0; ps && k < o->nparams; k++) {
    const mfh_param_val *v = mfh_params_find(ps, o->params[k].name);
    if (!v) continue;
    mfh_param_val cp = *v;
    if (cp.str && !(cp.str = strdup(cp.str))) return 0;
    if (mfh_params_put(ops, &cp)) return 0;
  }
  return 1;
}

static const mfh_engine_type *starter_for(const mfh_engine_type *e, const mfh_params *ps, size_t *from,
                                          mfh_params *ops, mfh_err *err) {
  const mfh_kind *want = mfh_kind_find(e->starts_from);
  for (size_t i = *from; want && mfh_engines[i]; i++) {
    const mfh_engine_type *o = mfh_engines[i];
    if (o == e || !o->initial) continue;
    if (engine_params(o, ops, err)) continue;
    int ok = overlay(ops, o, ps);
    mfh_state probe = {0};
    gsl_rng *r = mfh_rng_alloc(1);
    ok = ok && r && !o->initial(ops, r, &probe, err) && mfh_state_get(&probe, want, NULL) != NULL;
    mfh_state_clear(&probe);
    if (r) gsl_rng_free(r);
    if (ok) {
      *from = i + 1;
      return o;
    }
    mfh_params_free(ops);
  }
  mfh_err_set(err, MFH_EINTERNAL, "no registered engine makes a '%s' initial state %s starts from", e->starts_from,
              e->name);
  return NULL;
}

static const char *stream_param(const mfh_engine_type *e) {
  for (size_t i = 0; i < e->nparams; i++)
    if (e->params[i].flags & MFH_PARAM_STREAM) return e->params[i].name;
  return NULL;
}

/* An engine with initial() whose initial state is of the kind e starts
 * from, its parameters (conformance configuration) in *ops, with every
 * parameter of the same name set to e's value (the law they share). */
static const mfh_engine_type *starter_for(const mfh_engine_type *e, const mfh_params *ps, size_t *from,
                                          mfh_params *ops, mfh_err *err);

/* One run of e: its initial state from an init stream seeded seed (its own
 * initial(), or, for an engine that starts from another's state, the
 * initial() of a registered engine making that kind), then run() over
 * times[0..n-1] into out[0..n-1] (zeroed by the caller). */
static int engine_run(const mfh_engine_type *e, const mfh_params *ps, const double *times, size_t n,
                      unsigned long long seed, const void *shared, mfh_state *out, mfh_err *err) {
  size_t from = 0;
  int rc;
  do {
    gsl_rng *ir = mfh_rng_alloc(seed), *r = mfh_rng_alloc(seed + 1);
    mfh_state s0 = {0};
    mfh_params ops = {0};
    const mfh_engine_type *st = NULL;
    int have0 = 0;
    rc = (ir && r) ? MFH_OK : MFH_ENOMEM;
    if (!rc && e->initial) {
      rc = e->initial(ps, ir, &s0, err);
      have0 = 1;
    } else if (!rc && e->starts_from) {
      /* the first starter whose state this engine runs from */
      if (!(st = starter_for(e, ps, &from, &ops, err))) rc = MFH_EINTERNAL;
      else rc = st->initial(&ops, ir, &s0, err);
      have0 = 1;
    }
    mfh_engine_ctx ctx = {n, times, have0 ? &s0 : NULL, r, ir, seed + 1, 0, ".", shared, 60, 1 << 20, NULL};
    if (!rc) rc = e->run(ps, &ctx, out, err);
    mfh_state_clear(&s0);
    mfh_params_free(&ops);
    if (ir) gsl_rng_free(ir);
    if (r) gsl_rng_free(r);
    if (!rc || !st) return rc;
    for (size_t k = 0; k < n; k++) mfh_state_clear(&out[k]);
    memset(out, 0, n * sizeof *out);
  } while (1);
}

/* e run from the initial state of engine st (parameters sps) drawn with
 * seed: a coupled reference, as the harness runs one. */
static int engine_run_coupled(const mfh_engine_type *e, const mfh_params *ps, const mfh_engine_type *st,
                              const mfh_params *sps, const double *times, size_t n, unsigned long long seed,
                              mfh_state *out, mfh_err *err) {
  gsl_rng *ir = mfh_rng_alloc(seed), *r = mfh_rng_alloc(seed + 1);
  mfh_state s0 = {0};
  int rc = (ir && r) ? MFH_OK : MFH_ENOMEM;
  if (!rc) rc = st->initial(sps, ir, &s0, err);
  mfh_engine_ctx ctx = {n, times, &s0, r, ir, seed + 1, 0, ".", NULL, 60, 1 << 20, NULL};
  if (!rc) rc = e->run(ps, &ctx, out, err);
  mfh_state_clear(&s0);
  if (ir) gsl_rng_free(ir);
  if (r) gsl_rng_free(r);
  return rc;
}

/* Every optional output on: each no|yes choice set to yes (an observable
 * may read an item only such a switch makes). */
static int all_outputs(mfh_params *ps, const mfh_engine_type *e, mfh_err *err) {
  for (size_t k = 0; k < e->nparams; k++)
    if (e->params[k].kind == MFH_PARAM_CHOICE && e->params[k].choices && !strcmp(e->params[k].choices, "no|yes")) {
      int rc = put_text(ps, &e->params[k], "yes", err);
      if (rc) return rc;
    }
  return MFH_OK;
}

/* A shallow view of s with item i first (what the harness hands an
 * observable given `items:`); never clear it. */
static void view_with_first(const mfh_state *s, size_t i, mfh_state *v) {
  *v = *s;
  if (i >= s->n) return;
  v->item[0] = s->item[i];
  for (size_t j = 0, m = 1; j < s->n; j++)
    if (j != i) v->item[m++] = s->item[j];
}

/* The output times: t (the configuration's value) and t / 2, ascending; a
 * single run when the engine has no stream parameter. */
static size_t output_times(const mfh_engine_type *e, const mfh_params *ps, double *t) {
  const char *sp = stream_param(e);
  if (!sp) {
    t[0] = 0;
    return 1;
  }
  t[1] = mfh_params_real(ps, sp);
  t[0] = t[1] / 2;
  return 2;
}

/* Checks an engine's contracts; fills why on the first violation. */
static int engine_conforms(const mfh_engine_type *e, char *why, size_t len) {
  mfh_err err;
  mfh_err_clear(&err);
  mfh_params ps;
  mfh_state a[2], b[2], c[1], d[2];
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  memset(c, 0, sizeof c);
  memset(d, 0, sizeof d);
  double t[2];
  int ok = 0;
  void *shared = NULL;
  if (engine_params(e, &ps, &err)) {
    snprintf(why, len, "%s: %s", e->name, err.msg);
    return 0;
  }
  size_t n = output_times(e, &ps, t);
  const char *bad = NULL;
  mfh_decl decl = {0};
  if (e->validate && e->validate(&ps, &bad, &err)) {
    snprintf(why, len, "%s: its conformance configuration is refused (%s): %s", e->name, bad ? bad : "?", err.msg);
    goto done;
  }
  if (!e->declare || e->declare(&ps, &decl, &err)) {
    snprintf(why, len, "%s: no declaration (%s)", e->name, err.msg);
    goto done;
  }
  if (engine_run(e, &ps, t, n, 7, NULL, a, &err)) {
    snprintf(why, len, "%s: run failed: %s", e->name, err.msg);
    goto done;
  }
  for (size_t k = 0; k < n; k++)
    if (mfh_decl_check(&decl, &a[k], &err)) {
      snprintf(why, len, "%s: output %zu: %s", e->name, k, err.msg);
      goto done;
    }
  /* the same bits twice */
  if (engine_run(e, &ps, t, n, 7, NULL, b, &err)) {
    snprintf(why, len, "%s: second run failed: %s", e->name, err.msg);
    goto done;
  }
  for (size_t k = 0; k < n; k++) {
    uint64_t ha, hb;
    if (mfh_state_hash(&a[k], &ha, &err) || mfh_state_hash(&b[k], &hb, &err) || ha != hb) {
      snprintf(why, len, "%s: two runs with the same streams differ at output %zu", e->name, k);
      goto done;
    }
  }
  /* the stream contract: the last time alone equals the last of several */
  if (n > 1) {
    if (engine_run(e, &ps, &t[n - 1], 1, 7, NULL, c, &err)) {
      snprintf(why, len, "%s: single-time run failed: %s", e->name, err.msg);
      goto done;
    }
    uint64_t ha, hc;
    if (mfh_state_hash(&a[n - 1], &ha, &err) || mfh_state_hash(&c[0], &hc, &err) || ha != hc) {
      snprintf(why, len, "%s: the state at t = %g differs when other output times are asked for too", e->name,
               t[n - 1]);
      goto done;
    }
  }
  /* shared per-point work changes nothing */
  if (e->prepare) {
    if (e->prepare(&ps, n, t, &shared, &err) || engine_run(e, &ps, t, n, 7, shared, d, &err)) {
      snprintf(why, len, "%s: prepared run failed: %s", e->name, err.msg);
      goto done;
    }
    for (size_t k = 0; k < n; k++) {
      uint64_t ha, hd;
      if (mfh_state_hash(&a[k], &ha, &err) || mfh_state_hash(&d[k], &hd, &err) || ha != hd) {
        snprintf(why, len, "%s: prepare() changes the state at output %zu", e->name, k);
        goto done;
      }
    }
  }
  ok = 1;
done:
  for (size_t k = 0; k < 2; k++) {
    mfh_state_clear(&a[k]);
    mfh_state_clear(&b[k]);
    mfh_state_clear(&d[k]);
  }
  mfh_state_clear(&c[0]);
  if (shared) e->release(shared);
  mfh_params_free(&ps);
  return ok;
}

/* ---- engines ----------------------------------------------------------------- */

START_TEST(every_engine_conforms) {
  for (size_t i = 0; mfh_engines[i]; i++) {
    const mfh_engine_type *e = mfh_engines[i];
    ck_assert_msg(e->name && e->doc && e->method && e->version > 0 && e->run && e->declare, "engine %zu", i);
    ck_assert_ptr_eq(mfh_engine_find(e->name), e);
    for (size_t j = 0; j < i; j++) ck_assert_str_ne(mfh_engines[j]->name, e->name);
    ck_assert_msg(!e->prepare == !e->release, "%s: prepare and release go together", e->name);
    char why[1200] = "";
    ck_assert_msg(engine_conforms(e, why, sizeof why), "%s", why);
  }
}
END_TEST

/* A study with system: E, the bad value in its own parameters, and the
 * first numeric parameter at its default swept. */
static int bad_value_refused(const mfh_engine_type *e, const mfh_param_def *d, const char *bad, char *why,
                             size_t len) {
  const mfh_param_def *sw = NULL;
  for (size_t i = 0; i < e->nparams && !sw; i++)
    if (&e->params[i] != d && e->params[i].def && !(e->params[i].flags & MFH_PARAM_STREAM) &&
        (e->params[i].kind == MFH_PARAM_INT || e->params[i].kind == MFH_PARAM_REAL))
      sw = &e->params[i];
  char text[2048], *dir = mfh_test_tmpdir(), path[1200];
  /* line 5 holds the bad value, at column 30 */
  snprintf(text, sizeof text,
           "id: c\ntitle: t\ntheorem: DT-1\n"
           "observable: value\n"
           "system: {engine: %-10s, %s: %s}\n"
           "sweep: {%s: [%s]}\n",
           e->name, d->name, bad, sw ? sw->name : d->name, sw ? sw->def : d->def);
  char key[96];
  snprintf(key, sizeof key, ", %s: ", d->name);
  int col = (int)(strstr(strchr(text, '{'), key) - strchr(text, '{')) + (int)strlen("system: ") + (int)strlen(key) + 1;
  snprintf(path, sizeof path, "%s/s.yaml", dir);
  mfh_test_write(path, text);
  mfh_study s;
  mfh_err err;
  mfh_err_clear(&err);
  int rc = mfh_study_load(path, "full", -1, &s, &err), ok = 1;
  if (!rc) {
    mfh_study_free(&s);
    snprintf(why, len, "%s.%s = %s was accepted", e->name, d->name, bad);
    ok = 0;
  } else if (rc != MFH_EINPUT || err.line != 5 || err.col != col) {
    snprintf(why, len, "%s.%s = %s: refused at %d:%d (wanted 5:%d): %s", e->name, d->name, bad, err.line, err.col, col,
             err.msg);
    ok = 0;
  }
  free(dir);
  return ok;
}

START_TEST(bad_parameters_refused_at_their_line) {
  for (size_t i = 0; mfh_engines[i]; i++) {
    const mfh_engine_type *e = mfh_engines[i];
    for (size_t k = 0; k < e->nparams; k++) {
      const mfh_param_def *d = &e->params[k];
      char why[1400], bad[64];
      if (d->kind == MFH_PARAM_INT || d->kind == MFH_PARAM_REAL) {
        if (isfinite(d->max)) {
          snprintf(bad, sizeof bad, "%.17g", d->max * 2 + 1);
          ck_assert_msg(bad_value_refused(e, d, bad, why, sizeof why), "%s", why);
        }
        ck_assert_msg(bad_value_refused(e, d, "nan-ish", why, sizeof why), "%s", why);
      } else if (d->kind == MFH_PARAM_CHOICE) {
        ck_assert_msg(bad_value_refused(e, d, "no-such-choice", why, sizeof why), "%s", why);
      }
    }
  }
}
END_TEST

/* ---- a broken engine: the checks above must catch each fault ---------------- */

static int broken_mode = 0; /* test-only switch, set before each run below */

static const mfh_param_def broken_params[] = {
    {"t", MFH_PARAM_REAL, "1", 0, 10, 0, 0, NULL, "output time", MFH_PARAM_STREAM},
};

static int broken_declare(const mfh_params *p, mfh_decl *d, mfh_err *err) {
  (void)p;
  (void)err;
  return mfh_decl_scalars(d, "x");
}

static int broken_run(const mfh_params *p, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  (void)p;
  (void)err;
  static unsigned calls = 0; /* the fault of mode 2: output depends on call history */
  calls++;
  for (size_t k = 0; k < ctx->nout; k++) {
    double x = ctx->t[k];
    if (broken_mode == 2) x += calls;
    if (broken_mode == 3) x += (double)ctx->nout; /* depends on the other output times */
    if (broken_mode != 1) mfh_values_set(&out[k].scalars, "x", x);
    else mfh_values_set(&out[k].scalars, "y", x); /* undeclared output */
  }
  return MFH_OK;
}

static const mfh_engine_type broken = {
    .name = "broken", .doc = "test", .method = "test", .version = 1, .params = broken_params, .nparams = 1,
    .declare = broken_declare, .run = broken_run,
};

START_TEST(the_suite_can_fail) {
  char why[1200];
  broken_mode = 0;
  ck_assert_msg(engine_conforms(&broken, why, sizeof why), "%s", why);
  broken_mode = 1;
  ck_assert(!engine_conforms(&broken, why, sizeof why));
  ck_assert_msg(strstr(why, "not declared") || strstr(why, "not produced"), "%s", why);
  broken_mode = 2;
  ck_assert(!engine_conforms(&broken, why, sizeof why));
  ck_assert_msg(strstr(why, "same streams differ"), "%s", why);
  broken_mode = 3;
  ck_assert(!engine_conforms(&broken, why, sizeof why));
  ck_assert_msg(strstr(why, "other output times"), "%s", why);
  broken_mode = 0;
}
END_TEST

/* ---- observables ---------------------------------------------------------------- */

/* A registered engine whose conformance configuration produces every kind
 * in the observable's needs for role a (and b). */
/* The next registered engine (from *from on) whose conformance
 * configuration, with the parameters of `model` it shares set to model's
 * values, produces every kind the observable reads in role `role` ('a': a
 * and a0, 'b': b and b0); its parameters in *ps.  NULL when none is left. */
static const mfh_engine_type *engine_for(const mfh_observable_type *o, char role, const mfh_params *model, size_t *from,
                                         mfh_params *ps) {
  for (size_t i = *from; mfh_engines[i]; i++) {
    mfh_err err;
    mfh_err_clear(&err);
    if (engine_params(mfh_engines[i], ps, &err) || all_outputs(ps, mfh_engines[i], &err)) continue;
    mfh_decl d = {0};
    int ok = overlay(ps, mfh_engines[i], model) && (!mfh_engines[i]->validate || !mfh_engines[i]->validate(ps, &(const char *){NULL}, &err)) &&
             !mfh_engines[i]->declare(ps, &d, &err);
    char needs[256];
    snprintf(needs, sizeof needs, "%s", o->needs);
    for (char *save = NULL, *w = strtok_r(needs, " ", &save); ok && w; w = strtok_r(NULL, " ", &save)) {
      const char *kind = strchr(w, ':') + 1;
      if (w[0] != role || !strcmp(kind, "scalars")) continue;
      const mfh_kind *k = mfh_kind_find(kind);
      ok = k && mfh_decl_find(&d, k, NULL) >= 0;
    }
    if (ok) {
      *from = i + 1;
      return mfh_engines[i];
    }
    mfh_params_free(ps);
  }
  return NULL;
}

/* Observables that compare two engines only in a matched configuration
 * (one grid on the other's nodes) are run on that pair, as the shipped
 * study does; the others on whatever registered engines make their kinds. */
static const struct {
  const char *obs, *ea, *ca, *eb, *cb;
} fixtures[] = {
    {"husimi_grid_w2", "hartree", "state=toeplitz interaction=gaussian eps=0.2 t=0.1 dt=0.05 sq=0.5 sp=0.5 n=128 L=8",
     "vlasov", "model=pair_free init=gaussian vgrid=husimi eps=0.2 t=0.1 dt=0.05 sq=0.5 sp=0.5 n=128 L=8 nx=64 "
     "nv=65 vmax=4"},
};

/* The fixture engine named `name` with its configuration in *ps. */
static const mfh_engine_type *fixture_engine(const char *name, const char *config, mfh_params *ps) {
  const mfh_engine_type *e = mfh_engine_find(name);
  mfh_err err;
  ck_assert_msg(e != NULL, "fixture: no engine %s", name);
  ck_assert_msg(!engine_params(e, ps, &err) && !apply_config(e, ps, config, &err), "fixture %s: %s", name, err.msg);
  return e;
}

static void clear_states(mfh_state *s, size_t n) {
  for (size_t k = 0; k < n; k++) mfh_state_clear(&s[k]);
}

START_TEST(every_observable_conforms) {
  for (size_t i = 0; mfh_obs_types[i]; i++) {
    const mfh_observable_type *o = mfh_obs_types[i];
    ck_assert_msg(o->name && o->doc && o->needs && o->outputs && o->eval, "observable %zu", i);
    ck_assert_ptr_eq(mfh_obs_find(o->name), o);
    for (size_t j = 0; j < i; j++) ck_assert_str_ne(mfh_obs_types[j]->name, o->name);
    /* a from the first registered engine producing a's kinds, b from the
     * first producing b's (the same model parameters), on which the
     * observable evaluates (a kind may hold more than it reads: a cloud
     * with or without velocities); no such pair at all is a failure */
    int uses_b = strstr(o->needs, "b:") || strstr(o->needs, "b0:");
    mfh_params pa = {0}, pb = {0}, op = {0};
    size_t fa = 0, n = 0;
    const mfh_engine_type *ea = NULL, *eb = NULL;
    double t[2];
    mfh_state a[2], b[2];
    mfh_values v1 = {0}, v2 = {0};
    mfh_err err;
    char last[1800] = "no registered engine produces what it reads";
    for (size_t k = 0; k < o->nparams; k++)
      if (o->params[k].def) ck_assert_int_eq(put_text(&op, &o->params[k], o->params[k].def, &err), 0);
    int done = 0;
    for (size_t f = 0; f < sizeof fixtures / sizeof fixtures[0]; f++) {
      if (strcmp(fixtures[f].obs, o->name)) continue;
      ea = fixture_engine(fixtures[f].ea, fixtures[f].ca, &pa);
      eb = fixture_engine(fixtures[f].eb, fixtures[f].cb, &pb);
      n = output_times(ea, &pa, t);
      memset(a, 0, sizeof a);
      memset(b, 0, sizeof b);
      ck_assert_msg(!engine_run(ea, &pa, t, n, 11, NULL, a, &err), "%s: %s", ea->name, err.msg);
      ck_assert_msg(!engine_run(eb, &pb, t, n, 23, NULL, b, &err), "%s: %s", eb->name, err.msg);
      mfh_obs_args in = {{&a[n - 1], &b[n - 1], &a[0], &b[0]}, t[n - 1]};
      ck_assert_msg(!o->eval(&op, &in, &v1, &err), "%s on its fixture: %s", o->name, err.msg);
      ck_assert_msg(!o->eval(&op, &in, &v2, &err), "%s on its fixture: %s", o->name, err.msg);
      done = 1;
    }
    while (!done && (ea = engine_for(o, 'a', NULL, &fa, &pa))) {
      size_t fb = 0;
      n = output_times(ea, &pa, t);
      memset(a, 0, sizeof a);
      mfh_err_clear(&err);
      ck_assert_msg(!engine_run(ea, &pa, t, n, 11, NULL, a, &err), "%s: %s", ea->name, err.msg);
      while (!done && (eb = uses_b ? engine_for(o, 'b', &pa, &fb, &pb) : (fb++ ? NULL : ea))) {
        const mfh_params *qb = uses_b ? &pb : &pa;
        /* b on its own stream, or coupled: started from a's initial state */
        for (int coupled = 0; coupled < 2 && !done; coupled++) {
          if (coupled && !(eb->starts_from && ea->initial)) break;
          memset(b, 0, sizeof b);
          int rb = coupled ? engine_run_coupled(eb, qb, ea, &pa, t, n, 11, b, &err)
                           : engine_run(eb, qb, t, n, 23, NULL, b, &err);
          for (size_t first = 0; !rb && !done && first < (a[n - 1].n ? a[n - 1].n : 1); first++) {
            mfh_state va, va0;
            view_with_first(&a[n - 1], first, &va);
            view_with_first(&a[0], first, &va0);
            mfh_obs_args in = {{&va, &b[n - 1], &va0, &b[0]}, t[n - 1]};
            if (!o->eval(&op, &in, &v1, &err)) {
              ck_assert_msg(!o->eval(&op, &in, &v2, &err), "%s on %s: %s", o->name, ea->name, err.msg);
              done = 1;
            } else {
              mfh_values_free(&v1);
            }
          }
          if (!done) {
            snprintf(last, sizeof last, "%s on %s / %s%s: %s", o->name, ea->name, eb->name,
                     coupled ? " (coupled)" : "", err.msg);
            if (getenv("MFH_CONF_DEBUG")) fprintf(stderr, "%s\n", last); /* every pairing tried */
            clear_states(b, n);
          }
        }
        if (!done && uses_b) mfh_params_free(&pb);
      }
      if (!done) {
        clear_states(a, n);
        mfh_params_free(&pa);
      }
    }
    ck_assert_msg(done, "observable %s: %s", o->name, last);
    /* exactly the declared outputs ("*": the scalars of a), the same bits twice */
    mfh_decl want = {0};
    if (!strcmp(o->outputs, "*")) {
      mfh_decl d = {0};
      ck_assert_int_eq(ea->declare(&pa, &d, &err), 0);
      for (size_t k = 0; k < d.nscalars; k++) mfh_decl_scalars(&want, d.scalar[k]);
    } else {
      mfh_decl_scalars(&want, o->outputs);
    }
    ck_assert_msg(v1.n == want.nscalars, "%s gives %zu values, declares %zu", o->name, v1.n, want.nscalars);
    for (size_t k = 0; k < want.nscalars; k++) {
      const double *x = mfh_values_get(&v1, want.scalar[k]), *y = mfh_values_get(&v2, want.scalar[k]);
      ck_assert_msg(x && y, "%s: no output %s", o->name, want.scalar[k]);
      ck_assert_msg(!memcmp(x, y, sizeof *x), "%s: %s differs between two evaluations", o->name, want.scalar[k]);
      ck_assert_msg(!isinf(*x), "%s: %s = %g", o->name, want.scalar[k], *x);
    }
    mfh_values_free(&v1);
    mfh_values_free(&v2);
    mfh_params_free(&op);
    clear_states(a, n);
    clear_states(b, n);
    mfh_params_free(&pa);
    mfh_params_free(&pb);
  }
}
END_TEST

/* ---- checks and kinds ----------------------------------------------------------------- */

START_TEST(every_check_is_registered_once) {
  size_t n = 0;
  for (size_t i = 0; mfh_checks[i]; i++, n++) {
    const mfh_check_type *t = mfh_checks[i];
    ck_assert_msg(t->name && t->doc && t->example && t->judge && t->parse, "check %zu", i);
    ck_assert_ptr_eq(mfh_check_find(t->name), t);
    for (size_t j = 0; j < i; j++) ck_assert_str_ne(mfh_checks[j]->name, t->name);
  }
  ck_assert_uint_ge(n, 6);
}
END_TEST

START_TEST(every_kind_copies_and_hashes) {
  /* one item of each kind that some engine produces, from its conformance run */
  for (size_t i = 0; mfh_kinds[i]; i++) {
    const mfh_kind *k = mfh_kinds[i];
    ck_assert_msg(k->name && k->doc && k->type && k->free && k->copy && k->hash && k->describe, "kind %zu", i);
    ck_assert_ptr_eq(mfh_kind_find(k->name), k);
    for (size_t e = 0; mfh_engines[e]; e++) {
      mfh_params ps;
      mfh_err err;
      mfh_err_clear(&err);
      if (engine_params(mfh_engines[e], &ps, &err)) continue;
      double t[2];
      size_t n = output_times(mfh_engines[e], &ps, t);
      mfh_state out[2];
      memset(out, 0, sizeof out);
      const void *data = NULL;
      if (!engine_run(mfh_engines[e], &ps, t, n, 5, NULL, out, &err)) data = mfh_state_get(&out[n - 1], k, NULL);
      if (data) {
        void *copy = NULL;
        uint64_t h1, h2;
        ck_assert_int_eq(k->copy(data, &copy, &err), 0);
        ck_assert_int_eq(k->hash(data, &h1, &err), 0);
        ck_assert_int_eq(k->hash(copy, &h2, &err), 0);
        ck_assert_msg(h1 == h2, "kind %s: the copy hashes differently", k->name);
        char desc[256] = "";
        k->describe(copy, desc, sizeof desc);
        ck_assert_msg(strlen(desc) > 5, "kind %s: describe says '%s'", k->name, desc);
        k->free(copy);
      }
      for (size_t m = 0; m < n; m++) mfh_state_clear(&out[m]);
      mfh_params_free(&ps);
      if (data) break;
    }
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("conformance");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, every_engine_conforms);
  tcase_add_test(tc, bad_parameters_refused_at_their_line);
  tcase_add_test(tc, the_suite_can_fail);
  tcase_add_test(tc, every_observable_conforms);
  tcase_add_test(tc, every_check_is_registered_once);
  tcase_add_test(tc, every_kind_copies_and_hashes);
  suite_add_tcase(s, tc);
  return mfh_test_main(s);
}
