#include "tests/testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

char *mfh_test_tmpdir(void) {
  char tmpl[] = "/tmp/mfh-test-XXXXXX";
  char *d = mkdtemp(tmpl);
  ck_assert_msg(d != NULL, "mkdtemp failed");
  return strdup(d);
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
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
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

/* Every default of the table, then the "name=value" overrides. */
static mfh_params params_in(const mfh_param_def *defs, size_t n, const char *owner, const char *overrides) {
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

/* validate() must refuse, name `param` and say `needle`. */
static void expect_bad(int (*validate)(const mfh_params *, const char **, mfh_err *), const mfh_params *ps,
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
}

mfh_params mfh_test_params(const mfh_solver_type *t, const char *overrides) {
  return params_in(t->params, t->nparams, t->name, overrides);
}

void mfh_test_expect_bad(const mfh_solver_type *t, const char *overrides, const char *param,
                         const char *needle) {
  mfh_params ps = mfh_test_params(t, overrides);
  expect_bad(t->validate, &ps, overrides, param, needle);
  mfh_params_free(&ps);
}

mfh_params mfh_test_engine_params(const mfh_engine_type *t, const char *overrides) {
  return params_in(t->params, t->nparams, t->name, overrides);
}

void mfh_test_engine_expect_bad(const mfh_engine_type *t, const char *overrides, const char *param,
                                const char *needle) {
  mfh_params ps = mfh_test_engine_params(t, overrides);
  expect_bad(t->validate, &ps, overrides, param, needle);
  mfh_params_free(&ps);
}

void mfh_test_engine_run(const mfh_engine_type *t, const mfh_params *ps, const mfh_state2 *from, size_t n,
                         const double *times, mfh_state2 *out) {
  mfh_err err;
  mfh_err_clear(&err);
  mfh_state2 init;
  memset(&init, 0, sizeof init);
  gsl_rng *rng = mfh_rng_alloc(1), *irng = mfh_rng_alloc(2);
  ck_assert(rng && irng);
  int rc = MFH_OK;
  if (!from && t->initial) {
    rc = t->initial(ps, irng, &init, &err);
    ck_assert_msg(rc == MFH_OK, "%s: initial() failed: %s", t->name, err.msg);
    from = &init;
  }
  mfh_engine_ctx ctx = {n, times, from, rng, irng, 1, 0, ".", NULL};
  memset(out, 0, n * sizeof *out);
  rc = t->run(ps, &ctx, out, &err);
  ck_assert_msg(rc == MFH_OK, "%s: run failed: %s", t->name, err.msg);
  mfh_decl d = {0};
  ck_assert_int_eq(t->declare(ps, &d, &err), MFH_OK);
  for (size_t k = 0; k < n; k++) {
    rc = mfh_decl_check(&d, &out[k], &err);
    ck_assert_msg(rc == MFH_OK, "%s: output %zu differs from the declaration: %s", t->name, k, err.msg);
  }
  mfh_state_clear(&init);
  gsl_rng_free(rng);
  gsl_rng_free(irng);
}

void mfh_test_solver_run(const mfh_solver_type *t, const mfh_params *ps, size_t n, const double *times,
                         unsigned long long seed, mfh_state *out) {
  mfh_task_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.needs = MFH_HAS_VALUES;
  ctx.seed = seed;
  ctx.nstream = n;
  ctx.stream = times;
  gsl_rng *rng = mfh_rng_alloc(seed);
  ctx.init_rng = mfh_rng_alloc(seed ^ 0x1);
  ctx.ref_rng = mfh_rng_alloc(seed ^ 0x2);
  ck_assert(rng && ctx.init_rng && ctx.ref_rng);
  memset(out, 0, n * sizeof *out);
  mfh_err err;
  mfh_err_clear(&err);
  int rc = t->run(ps, &ctx, rng, out, &err);
  gsl_rng_free(rng);
  gsl_rng_free(ctx.init_rng);
  gsl_rng_free(ctx.ref_rng);
  ck_assert_msg(rc == MFH_OK, "run failed: %s", err.msg);
}

double mfh_test_value(const mfh_state *s, const char *name) {
  const double *v = mfh_values_get(&s->values, name);
  ck_assert_msg(v != NULL, "no value '%s'", name);
  return *v;
}
