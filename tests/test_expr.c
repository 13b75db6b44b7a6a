/* Tests for core/expr: values, precedence, variables, errors with columns. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/expr.h"
#include "tests/testutil.h"

/* Variables for lookups: x = 3, y = -2, gradV = 1.5, Gamma = 0.7, t = 2,
 * N = 1000, v<k> = k. */
static int lookup(const char *name, double *val, void *ctx) {
  (void)ctx;
  static const struct {
    const char *name;
    double v;
  } tab[] = {{"x", 3}, {"y", -2}, {"gradV", 1.5}, {"Gamma", 0.7}, {"t", 2}, {"N", 1000}};
  for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
    if (strcmp(tab[i].name, name) == 0) {
      *val = tab[i].v;
      return 0;
    }
  if (name[0] == 'v' && name[1] >= '0' && name[1] <= '9') {
    *val = atof(name + 1);
    return 0;
  }
  return -1;
}

static double eval_ok(const char *text) {
  mfh_expr *e = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  int col = -1;
  int rc = mfh_expr_parse(text, &e, &col, &err);
  ck_assert_msg(rc == MFH_OK, "parse '%s' failed: %s", text, err.msg);
  ck_assert_ptr_nonnull(e);
  ck_assert_int_eq(col, 0);
  double v = NAN;
  rc = mfh_expr_eval(e, lookup, NULL, &v, &err);
  ck_assert_msg(rc == MFH_OK, "eval '%s' failed: %s", text, err.msg);
  mfh_expr_free(e);
  return v;
}

#define CHECK_VAL(text, expect) ck_assert_double_eq_tol(eval_ok(text), (expect), 1e-12)

/* Parse must fail with MFH_EINPUT at column col and a message equal to msg
 * (or containing it when partial). */
static void check_err(const char *text, int col, const char *msg, int partial) {
  mfh_expr *e = (mfh_expr *)&e; /* must be reset to NULL */
  mfh_err err;
  mfh_err_clear(&err);
  int got = -1;
  int rc = mfh_expr_parse(text, &e, &got, &err);
  ck_assert_msg(rc == MFH_EINPUT, "'%s': expected MFH_EINPUT, got %d", text, rc);
  ck_assert_ptr_null(e);
  ck_assert_msg(got == col, "'%s': error column %d, expected %d (%s)", text, got, col, err.msg);
  char prefix[32];
  snprintf(prefix, sizeof prefix, "col %d: ", col);
  ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0, "'%s': message '%s'", text,
                err.msg);
  if (partial)
    ck_assert_msg(strstr(err.msg, msg) != NULL, "'%s': message '%s' lacks '%s'", text, err.msg,
                  msg);
  else
    ck_assert_str_eq(err.msg, msg);
}

START_TEST(test_values) {
  CHECK_VAL("1+2*3", 7);
  CHECK_VAL("(1+2)*3", 9);
  CHECK_VAL("8-3-2", 3);
  CHECK_VAL("10/4/5", 0.5);
  CHECK_VAL("2*3/4", 1.5);
  CHECK_VAL("1e-3*1000", 1);
  CHECK_VAL("2.5E+2", 250);
  CHECK_VAL(".5+1.5", 2);
  CHECK_VAL("  7  ", 7);
  CHECK_VAL("pi", 3.14159265358979323846);
  CHECK_VAL("e", exp(1.0));
  CHECK_VAL("exp(1)", exp(1.0));
  CHECK_VAL("log(e)", 1);
  CHECK_VAL("log10(1000)", 3);
  CHECK_VAL("sqrt(16)", 4);
  CHECK_VAL("abs(-3)", 3);
  CHECK_VAL("sin(0)+cos(0)", 1);
  CHECK_VAL("tanh(0)", 0);
  CHECK_VAL("cbrt(-27)", -3);
  CHECK_VAL("pow(2,10)", 1024);
  CHECK_VAL("min(3,4)", 3);
  CHECK_VAL("max(3, 4)", 4);
  CHECK_VAL("max(min(1,2), -5)", 1);
  CHECK_VAL("div0(3, 4)", 0.75);
  CHECK_VAL("div0(3, 0)", 0);
  CHECK_VAL("div0(0, 0)", 0);
  CHECK_VAL("expm1(1e-20) * 1e20", 1); /* exp(1e-20) - 1 would be 0 */
  CHECK_VAL("round(2.5)", 3);
  CHECK_VAL("round(-2.5)", -3);
  CHECK_VAL("round(0.49999999999999994)", 0);
  CHECK_VAL("round(12.5 / 0.5) * 0.5", 12.5);
  CHECK_VAL("x*y", -6);
}
END_TEST

START_TEST(test_precedence) {
  CHECK_VAL("2^3^2", 512);  /* right-associative */
  CHECK_VAL("-2^2", -4);    /* ^ binds tighter than unary minus */
  CHECK_VAL("(-2)^2", 4);
  CHECK_VAL("-x^2", -9);
  CHECK_VAL("2^-1", 0.5);
  CHECK_VAL("2*-3", -6);
  CHECK_VAL("--3", 3);
  CHECK_VAL("+3", 3);
  CHECK_VAL("-+-3", 3);
  CHECK_VAL("1-2^2*3", -11);
  CHECK_VAL("2*3^2", 18);
  CHECK_VAL("-3+4", 1);
  CHECK_VAL("2^(1+1)", 4);
  CHECK_VAL("x^2^0.5", pow(3, pow(2, 0.5)));
}
END_TEST

START_TEST(test_bound_formula) {
  const char *text = "4*gradV^2*(exp(Gamma*t)-1)/(Gamma*N)";
  double gradV = 1.5, Gamma = 0.7, t = 2, N = 1000;
  double expect = 4 * pow(gradV, 2) * (exp(Gamma * t) - 1) / (Gamma * N);
  ck_assert_double_eq_tol(eval_ok(text), expect, 1e-15 * expect);

  mfh_expr *e = NULL;
  mfh_err err;
  ck_assert_int_eq(mfh_expr_parse(text, &e, NULL, &err), MFH_OK);
  ck_assert_uint_eq(mfh_expr_nvars(e), 4);
  ck_assert_str_eq(mfh_expr_var(e, 0), "gradV");
  ck_assert_str_eq(mfh_expr_var(e, 1), "Gamma");
  ck_assert_str_eq(mfh_expr_var(e, 2), "t");
  ck_assert_str_eq(mfh_expr_var(e, 3), "N");
  ck_assert_ptr_null(mfh_expr_var(e, 4));
  mfh_expr_free(e);
}
END_TEST

START_TEST(test_vars) {
  mfh_expr *e = NULL;
  mfh_err err;
  /* duplicates counted once; constants and functions are not variables */
  ck_assert_int_eq(mfh_expr_parse("x*pi + exp(x) - e*y + y", &e, NULL, &err), MFH_OK);
  ck_assert_uint_eq(mfh_expr_nvars(e), 2);
  ck_assert_str_eq(mfh_expr_var(e, 0), "x");
  ck_assert_str_eq(mfh_expr_var(e, 1), "y");
  mfh_expr_free(e);

  /* no variables: a NULL lookup is fine */
  ck_assert_int_eq(mfh_expr_parse("2*pi", &e, NULL, &err), MFH_OK);
  ck_assert_uint_eq(mfh_expr_nvars(e), 0);
  double v = 0;
  ck_assert_int_eq(mfh_expr_eval(e, NULL, NULL, &v, &err), MFH_OK);
  ck_assert_double_eq_tol(v, 2 * 3.14159265358979323846, 1e-15);
  mfh_expr_free(e);

  /* unknown variable */
  ck_assert_int_eq(mfh_expr_parse("x + zeta_2", &e, NULL, &err), MFH_OK);
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_expr_eval(e, lookup, NULL, &v, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "'zeta_2'") != NULL, "message: %s", err.msg);
  ck_assert_int_eq(mfh_expr_eval(e, NULL, NULL, &v, &err), MFH_EINPUT);
  mfh_expr_free(e);

  /* more variables than the evaluator keeps on its stack: v0 + ... + v69 */
  char text[1024] = "v0";
  for (int k = 1; k < 70; k++) snprintf(text + strlen(text), sizeof text - strlen(text), "+v%d", k);
  ck_assert_double_eq(eval_ok(text), 69.0 * 70 / 2);

  /* deep right-nested sums need a big evaluation stack */
  char deep[2048] = "";
  for (int k = 0; k < 150; k++) strcat(deep, "1+(");
  strcat(deep, "1");
  for (int k = 0; k < 150; k++) strcat(deep, ")");
  ck_assert_double_eq(eval_ok(deep), 151);

  mfh_expr_free(NULL);
}
END_TEST

START_TEST(test_errors) {
  check_err("", 1, "col 1: empty expression", 0);
  check_err("   ", 1, "col 1: empty expression", 0);
  check_err("1 + 2*lgo(3)", 7, "col 7: unknown function 'lgo'", 0);
  check_err("lgo(x)", 1, "unknown function 'lgo'", 1);
  check_err("(1+2", 5, "expected ')'", 1);
  check_err("2*(x+(y*3)", 11, "expected ')'", 1);
  check_err("exp(1", 6, "expected ')'", 1);
  check_err("1 +", 4, "unexpected end of expression", 1);
  check_err("2^", 3, "unexpected end of expression", 1);
  check_err("1 2", 3, "unexpected number '2' after the end of the expression", 1);
  check_err("(1))", 4, "unexpected ')'", 1);
  check_err("x y", 3, "missing operator", 1);
  check_err("1 + $", 5, "unexpected character '$'", 1);
  check_err("2x", 1, "malformed number '2x'", 1);
  check_err("1.2.3", 1, "malformed number", 1);
  check_err("exp", 1, "function 'exp' needs", 1);
  check_err("pow(1)", 1, "function 'pow' takes 2 arguments, got 1", 1);
  check_err("sqrt(1, 2)", 1, "function 'sqrt' takes 1 argument, got 2", 1);
  check_err("3*exp()", 3, "takes 1 argument, got 0", 1);
  check_err("max(1,)", 7, "expected a number, name or '('", 1);
  check_err("()", 2, "empty parentheses", 1);
  check_err("1e999", 1, "out of range", 1);
  check_err("* 2", 1, "expected a number, name or '('", 1);
  check_err("pi(2)", 1, "unknown function 'pi'", 1);

  /* nesting beyond the limit is an error, not a stack overflow */
  char *deep = malloc(20001);
  memset(deep, '(', 10000);
  deep[10000] = '1';
  memset(deep + 10001, ')', 10000);
  deep[20001 - 1] = '\0';
  mfh_expr *e = NULL;
  mfh_err err;
  int col = 0;
  ck_assert_int_eq(mfh_expr_parse(deep, &e, &col, &err), MFH_EINPUT);
  ck_assert_ptr_null(e);
  ck_assert_msg(strstr(err.msg, "nested too deeply") != NULL, "message: %s", err.msg);
  memset(deep, '-', 10000); /* unary minus chains too */
  deep[10000] = '1';
  deep[10001] = '\0';
  ck_assert_int_eq(mfh_expr_parse(deep, &e, &col, &err), MFH_EINPUT);
  free(deep);
}
END_TEST

START_TEST(test_ieee) {
  /* domain errors are the caller's to check: the evaluator returns IEEE values */
  ck_assert(isnan(eval_ok("log(-1)")));
  ck_assert(isinf(eval_ok("1/0")));
  ck_assert(isnan(eval_ok("min(0/0, 1)")));
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("expr");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_values);
  tcase_add_test(tc, test_precedence);
  tcase_add_test(tc, test_bound_formula);
  tcase_add_test(tc, test_vars);
  tcase_add_test(tc, test_errors);
  tcase_add_test(tc, test_ieee);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
