#include "tests/testutil.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "core/rng.h"

const char *mfh_test_source_dir(void) {
  const char *s = getenv("MFH_SOURCE_DIR");
  return s ? s : ".";
}

const char *mfh_test_binary(void) {
  const char *s = getenv("MFH_BINARY");
  return s ? s : "./mfh";
}

/* Every test's scratch folder lives under one root made by mfh_test_main,
 * removed when the suite passes (kept, and named, when it fails). */
static char tmp_root[64];

char *mfh_test_tmpdir(void) {
  char tmpl[96];
  snprintf(tmpl, sizeof tmpl, "%s/t-XXXXXX", tmp_root[0] ? tmp_root : "/tmp");
  char *d = mkdtemp(tmpl);
  ck_assert_msg(d != NULL, "mkdtemp failed");
  return strdup(d);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

void mfh_test_write(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  ck_assert_msg(f != NULL, "cannot write %s", path);
  fputs(text, f);
  fclose(f);
}

int mfh_test_run(const char *cmd, char **out) {
  size_t n = strlen(cmd) + 16;
  char *full = malloc(n);
  snprintf(full, n, "%s 2>&1", cmd);
  FILE *p = popen(full, "r");
  free(full);
  ck_assert_msg(p != NULL, "popen failed");
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t got;
  while ((got = fread(buf + len, 1, cap - len - 1, p)) > 0) {
    len += got;
    if (cap - len < 2) buf = realloc(buf, cap *= 2);
  }
  buf[len] = '\0';
  int st = pclose(p);
  if (out)
    *out = buf;
  else
    free(buf);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int mfh_test_main(Suite *s) {
  snprintf(tmp_root, sizeof tmp_root, "/tmp/mfh-test-XXXXXX");
  if (!mkdtemp(tmp_root)) tmp_root[0] = '\0';
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  if (tmp_root[0]) {
    if (failed) fprintf(stderr, "scratch files kept in %s\n", tmp_root);
    else nftw(tmp_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  }
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static const mfh_param_def *def_in(const mfh_param_def *defs, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(defs[i].name, name)) return &defs[i];
  return NULL;
}

static void put_in(const mfh_param_def *defs, size_t n, const char *owner, mfh_params *ps, const char *name,
                   const char *text) {
  const mfh_param_def *d = def_in(defs, n, name);
  ck_assert_msg(d != NULL, "%s has no parameter %s", owner, name);
  mfh_param_val v;
  mfh_err err;
  mfh_err_clear(&err);
  mfh_mark none = {NULL, 0, 0};
  ck_assert_msg(mfh_param_parse(d, text, none, name, &v, &err) == MFH_OK, "%s = %s: %s", name, text,
                err.msg);
  ck_assert_int_eq(mfh_params_put(ps, &v), MFH_OK);
}

/* Defaults of a parameter table, then the "name=value" overrides. */
static mfh_params params_of(const mfh_param_def *defs, size_t n, const char *owner, const char *overrides) {
  mfh_params ps = {0, NULL};
  for (size_t i = 0; i < n; i++)
    if (defs[i].def) put_in(defs, n, owner, &ps, defs[i].name, defs[i].def);
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", overrides);
  for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
    char *eq = strchr(tok, '=');
    ck_assert_msg(eq != NULL, "override '%s' is not name=value", tok);
    *eq = '\0';
    put_in(defs, n, owner, &ps, tok, eq + 1);
  }
  return ps;
}

/* validate() must refuse with MFH_EINPUT, naming param, with needle in the message. */
static void expect_bad(int (*validate)(const mfh_params *, const char **, mfh_err *), mfh_params *ps,
                       const char *overrides, const char *param, const char *needle) {
  const char *bad = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  int rc = validate(ps, &bad, &err);
  ck_assert_msg(rc == MFH_EINPUT, "%s: accepted", overrides);
  ck_assert_msg(bad && !strcmp(bad, param), "%s: names '%s', expected '%s' (%s)", overrides,
                bad ? bad : "(none)", param, err.msg);
  ck_assert_msg(strstr(err.msg, needle) != NULL, "%s: message '%s' lacks '%s'", overrides, err.msg,
                needle);
  mfh_params_free(ps);
}

/* ---- engines ------------------------------------------------------------- */

mfh_params mfh_test_engine_params(const mfh_engine_type *e, const char *overrides) {
  char owner[96];
  snprintf(owner, sizeof owner, "engine %s", e->name);
  return params_of(e->params, e->nparams, owner, overrides);
}

mfh_params mfh_test_engine_valid(const mfh_engine_type *e, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  mfh_params ps = mfh_test_engine_params(e, buf);
  const char *bad = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(!e->validate || e->validate(&ps, &bad, &err) == MFH_OK, "%s: %s: %s", e->name, buf, err.msg);
  return ps;
}

void mfh_test_engine_expect_bad(const mfh_engine_type *e, const char *overrides, const char *param,
                                const char *needle) {
  mfh_params ps = mfh_test_engine_params(e, overrides);
  expect_bad(e->validate, &ps, overrides, param, needle);
}

void mfh_test_engine_initial(const mfh_engine_type *e, const mfh_params *ps, unsigned long long seed,
                             mfh_state *s0) {
  ck_assert_msg(e->initial != NULL, "engine %s has no initial state", e->name);
  gsl_rng *r = mfh_rng_alloc(seed);
  ck_assert(r != NULL);
  memset(s0, 0, sizeof *s0);
  mfh_err err;
  mfh_err_clear(&err);
  int rc = e->initial(ps, r, s0, &err);
  gsl_rng_free(r);
  ck_assert_msg(rc == MFH_OK, "%s: initial: %s", e->name, err.msg);
}

void mfh_test_engine_run(const mfh_engine_type *e, const mfh_params *ps, const mfh_state *from, size_t n,
                         const double *times, unsigned long long seed, mfh_state *out) {
  mfh_test_engine_run_shared(e, ps, from, n, times, seed, NULL, out);
}

void mfh_test_engine_run_shared(const mfh_engine_type *e, const mfh_params *ps, const mfh_state *from, size_t n,
                                const double *times, unsigned long long seed, const void *shared, mfh_state *out) {
  mfh_state own;
  memset(&own, 0, sizeof own);
  if (!from && e->initial) {
    mfh_test_engine_initial(e, ps, seed ^ 0x1, &own);
    from = &own;
  }
  gsl_rng *rng = mfh_rng_alloc(seed), *init = mfh_rng_alloc(seed ^ 0x1);
  ck_assert(rng && init);
  double t0 = 0;
  mfh_engine_ctx ctx = {n ? n : 1, n ? times : &t0, from, rng, init, seed, 0, ".", shared, 0, 0, NULL};
  memset(out, 0, (n ? n : 1) * sizeof *out);
  mfh_err err;
  mfh_err_clear(&err);
  int rc = e->run(ps, &ctx, out, &err);
  ck_assert_msg(rc == MFH_OK, "%s: run: %s", e->name, err.msg);
  mfh_decl d;
  memset(&d, 0, sizeof d);
  if (e->declare) {
    ck_assert_msg(e->declare(ps, &d, &err) == MFH_OK, "%s: declare: %s", e->name, err.msg);
    for (size_t k = 0; k < (n ? n : 1); k++)
      ck_assert_msg(mfh_decl_check(&d, &out[k], &err) == MFH_OK, "%s: output %zu: %s", e->name, k, err.msg);
  }
  gsl_rng_free(rng);
  gsl_rng_free(init);
  mfh_state_clear(&own);
}

static int obs_eval(const mfh_observable_type *o, const char *overrides, const mfh_state *a, const mfh_state *b,
                    double t, mfh_values *v, mfh_err *err) {
  char owner[96];
  snprintf(owner, sizeof owner, "observable %s", o->name);
  mfh_params ps = params_of(o->params, o->nparams, owner, overrides);
  mfh_obs_args in = {{a, b, NULL, NULL}, t};
  mfh_err_clear(err);
  int rc = o->eval(&ps, &in, v, err);
  mfh_params_free(&ps);
  return rc;
}

double mfh_test_obs(const mfh_observable_type *o, const char *overrides, const mfh_state *a, const mfh_state *b,
                    double t, const char *name) {
  mfh_values v = {0};
  mfh_err err;
  int rc = obs_eval(o, overrides, a, b, t, &v, &err);
  ck_assert_msg(rc == MFH_OK, "%s: %s", o->name, err.msg);
  const double *x = mfh_values_get(&v, name);
  ck_assert_msg(x != NULL, "%s gave no '%s'", o->name, name);
  double r = *x;
  mfh_values_free(&v);
  return r;
}

void mfh_test_obs_fails(const mfh_observable_type *o, const mfh_state *a, const mfh_state *b, int rc,
                        const char *needle) {
  mfh_values v = {0};
  mfh_err err;
  int got = obs_eval(o, "", a, b, 0, &v, &err);
  mfh_values_free(&v);
  ck_assert_msg(got == rc, "%s: status %d, expected %d (%s)", o->name, got, rc, err.msg);
  ck_assert_msg(strstr(err.msg, needle) != NULL, "%s: message '%s' lacks '%s'", o->name, err.msg, needle);
}


double mfh_test_scalar(const mfh_state *s, const char *name) {
  const double *v = mfh_values_get(&s->scalars, name);
  ck_assert_msg(v != NULL, "no scalar '%s'", name);
  return *v;
}

int mfh_test_obs_eval(const mfh_observable_type *o, const mfh_state *a, const mfh_state *b, const mfh_state *a0,
                      const mfh_state *b0, double t, mfh_values *out, mfh_err *err) {
  char owner[96];
  snprintf(owner, sizeof owner, "observable %s", o->name);
  mfh_params ps = params_of(o->params, o->nparams, owner, "");
  mfh_obs_args in = {{a, b, a0, b0}, t};
  mfh_err_clear(err);
  int rc = o->eval(&ps, &in, out, err);
  mfh_params_free(&ps);
  return rc;
}

uint64_t mfh_test_state_hash(const mfh_state *s) {
  uint64_t h = 0;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_state_hash(s, &h, &err) == MFH_OK, "hash: %s", err.msg);
  return h;
}

int mfh_test_engine_try_run(const mfh_engine_type *e, const mfh_params *ps, const mfh_state *from, size_t n,
                            const double *times, unsigned long long seed, mfh_state *out, mfh_err *err) {
  gsl_rng *rng = mfh_rng_alloc(seed), *init_rng = mfh_rng_alloc(seed ^ 0x1);
  ck_assert(rng && init_rng);
  memset(out, 0, n * sizeof *out);
  mfh_state s0;
  memset(&s0, 0, sizeof s0);
  int rc = MFH_OK;
  if (!from && e->initial) {
    rc = e->initial(ps, init_rng, &s0, err);
    from = &s0;
  }
  mfh_engine_ctx ctx = {n, times, from, rng, init_rng, seed, 0, ".", NULL, 0, 0, NULL};
  if (!rc) rc = e->run(ps, &ctx, out, err);
  mfh_decl d;
  memset(&d, 0, sizeof d);
  if (!rc && e->declare) {
    ck_assert_int_eq(e->declare(ps, &d, err), MFH_OK);
    for (size_t k = 0; k < n; k++) {
      mfh_err e2;
      mfh_err_clear(&e2);
      ck_assert_msg(mfh_decl_check(&d, &out[k], &e2) == MFH_OK, "%s: output %zu is not what it declares: %s",
                    e->name, k, e2.msg);
    }
  }
  mfh_state_clear(&s0);
  gsl_rng_free(rng);
  gsl_rng_free(init_rng);
  return rc;
}

void mfh_test_engine_run_ok(const mfh_engine_type *e, const mfh_params *ps, size_t n, const double *times,
                            unsigned long long seed, mfh_state *out) {
  mfh_err err;
  mfh_err_clear(&err);
  int rc = mfh_test_engine_try_run(e, ps, NULL, n, times, seed, out, &err);
  ck_assert_msg(rc == MFH_OK, "%s: run failed: %s", e->name, err.msg);
}
