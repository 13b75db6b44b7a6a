/* Study loader: every class of bad input gives its exact file:line:col
 * message and MFH_EINPUT; good studies load with the right values. */
#include <check.h>
#include <math.h>

#include <gsl/gsl_math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/plan.h"
#include "pipeline/study.h"
#include "tests/testutil.h"

static const char *GOOD =
    "id: t1\n"
    "title: test\n"
    "theorem: FG-1\n"
    "system: iid\n"
    "model: {law: uniform, dim: 1}\n"
    "observable: {name: wp_law, p: 1}\n"
    "measure: wp\n"
    "sweep:\n"
    "  N: {from: 16, to: 256, factor: 2}\n"
    "replicas: 4\n"
    "checks:\n"
    "  - rate: {proved: -1/2, tol: 0.1}\n"
    "profiles:\n"
    "  quick: {replicas: 2, sweep: {N: [8, 16, 32]}}\n";

/* Write text to a temp study and load it; return status and the message. */
static int load_text(const char *text, const char *profile, mfh_study *s, char *msg, size_t len) {
  char *dir = mfh_test_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/s.yaml", dir);
  mfh_test_write(path, text);
  mfh_err err;
  mfh_err_clear(&err);
  int rc = mfh_study_load(path, profile, -1, s, &err);
  if (rc) {
    /* strip the temp folder from the message: "s.yaml:L:C: msg" */
    snprintf(msg, len, "s.yaml:%d:%d: %s", err.line, err.col, err.msg);
  } else {
    msg[0] = '\0';
  }
  free(dir);
  return rc;
}

START_TEST(good_study_loads) {
  mfh_study s;
  char msg[1200];
  ck_assert_int_eq(load_text(GOOD, "full", &s, msg, sizeof msg), 0);
  ck_assert_str_eq(s.id, "t1");
  ck_assert_uint_eq(s.naxes, 1);
  ck_assert_uint_eq(s.axes[0].n, 5);
  ck_assert_double_eq(s.axes[0].values[4], 256);
  ck_assert_int_eq(s.axes[0].refine_dir, 1);
  ck_assert_uint_eq(s.replicas, 4);
  double proved;
  ck_assert_int_eq(mfh_check_number(&s.checks[0], "proved", &proved), 0);
  ck_assert_double_eq_tol(proved, -0.5, 1e-15);
  ck_assert_double_eq(mfh_params_real(&s.params, "p"), 1);
  ck_assert_str_eq(mfh_params_str(&s.params, "law"), "uniform");
  const double *j1 = mfh_values_get(&s.constants, "J1");
  ck_assert_ptr_nonnull(j1);
  ck_assert_double_eq_tol(*j1, M_PI / 8, 1e-15);
  mfh_study_free(&s);
  /* the quick profile overrides sweep and replicas */
  ck_assert_int_eq(load_text(GOOD, "quick", &s, msg, sizeof msg), 0);
  ck_assert_uint_eq(s.axes[0].n, 3);
  ck_assert_uint_eq(s.replicas, 2);
  mfh_study_free(&s);
}
END_TEST

/* Replace the first occurrence of `from` in GOOD by `to`. */
static char *variant(const char *from, const char *to) {
  const char *p = strstr(GOOD, from);
  ck_assert_msg(p != NULL, "test bug: '%s' not in GOOD", from);
  size_t n = strlen(GOOD) - strlen(from) + strlen(to) + 1;
  char *s = malloc(n);
  snprintf(s, n, "%.*s%s%s", (int)(p - GOOD), GOOD, to, p + strlen(from));
  return s;
}

typedef struct {
  const char *from, *to, *expect;
} bad_case;

static const bad_case BAD[] = {
    /* unknown key, with a suggestion */
    {"replicas: 4\n", "replica: 4\n",
     "s.yaml:10:1: study: unknown key 'replica' (did you mean 'replicas'?"},
    /* wrong type */
    {"replicas: 4\n", "replicas: [4]\n", "s.yaml:10:11: replicas: must be a single value, not a list"},
    {"replicas: 4\n", "replicas: many\n", "s.yaml:10:11: replicas: must be a number (got 'many')"},
    /* missing required field */
    {"theorem: FG-1\n", "", "s.yaml:1:1: study: missing required key 'theorem'"},
    /* empty sweep */
    {"  N: {from: 16, to: 256, factor: 2}\n", "  N: []\n", "s.yaml:9:6: sweep.N: empty sweep (give at least one value)"},
    /* non-positive N */
    {"  N: {from: 16, to: 256, factor: 2}\n", "  N: [16, -4, 64]\n",
     "s.yaml:9:11: sweep.N: must be an integer in [1, 1e+08] (got -4)"},
    /* solver parameter out of range */
    {"dim: 1}", "dim: 9}", "s.yaml:5:28: model.dim: must be an integer in [1, 6] (got 9)"},
    /* unknown solver / observable / bound */
    {"system: iid\n", "system: iidd\n", "s.yaml:4:9: system: unknown engine 'iidd' (known: iid"},
    {"name: wp_law,", "name: wp_lawx,", "s.yaml:6:20: observable: unknown observable 'wp_lawx'"},
    {"  - rate: {proved: -1/2, tol: 0.1}\n", "  - bound: {name: nope}\n",
     "s.yaml:12:19: checks[1].bound.name: unknown bound 'nope' (see `mfh list bounds`)"},
    /* duplicate key */
    {"replicas: 4\n", "replicas: 4\nreplicas: 5\n", "s.yaml:11:1: study: duplicate key 'replicas' (first at line 10)"},
    /* not YAML */
    {"title: test\n", "title: [unclosed\n", "s.yaml:3:8: not valid YAML: did not find expected ',' or ']' while parsing a flow sequence (started at line 2, column 8)"},
    /* cross-parameter check, reported at the parameter */
    {"dim: 1}", "dim: 2}",
     "s.yaml:6:20: observable: observable wp_law needs a law1d from system, which engine iid does not produce"},
    /* unknown parameter */
    {"law: uniform,", "lwa: uniform,", "s.yaml:5:9: model: 'lwa' is not a parameter of any part of the study (iid: law, dim, N)"},
    /* the parts: a measure no observable gives, a comparison without a reference, references */
    {"measure: wp\n", "measure: wq\n", "s.yaml:7:10: measure: no observable or derived measure of this study gives 'wq' (they give: wpp wp)"},
    {"name: wp_law,", "name: wp,", "s.yaml:6:20: observable: observable wp compares two states, but the study has no reference"},
    {"name: wp_law,", "name: wp, between: [system, twin],", "s.yaml:6:42: observable.between: 'twin' is not a part of the study (parts: system)"},
    {"measure: wp\n", "measure: wp\nreference: {refined: {N: 2}}\n",
     "s.yaml:8:23: reference.refined: engine iid cannot refine 'N' (refinable: none)"},
    {"measure: wp\n", "measure: wp\nreference: {coupled: iid}\n",
     "s.yaml:8:12: reference: engine iid cannot start from another engine's state"},
    {"measure: wp\n", "measure: wp\nreference: {twin: true, perturb: 0.1}\n",
     "s.yaml:8:25: reference.perturb: only a coupled reference starts from a perturbed state"},
    {"measure: wp\n", "measure: wp\nreference: {twin: true, dim: 7}\n",
     "s.yaml:8:30: reference.dim: must be an integer in [1, 6] (got 7)"},
    {"measure: wp\n", "measure: wp\nreference: mirror\n",
     "s.yaml:8:12: reference: a reference is `twin` or a mapping with one of refined:, coupled:, engine:, twin:"},
    {"measure: wp\n", "measure: wp\nderive: {r: \"wp / sqrt(M)\"}\n",
     "s.yaml:8:13: derive.r: unknown name 'M'"},
    {"measure: wp\n", "measure: wp\nsolver: iid\n",
     "s.yaml:8:9: study: give system: (an engine, with reference: and observable:) or the older solver:, not both"},
    /* choice */
    {"law: uniform,", "law: cauchy,", "s.yaml:5:14: model.law: must be one of uniform|gaussian (got 'cauchy')"},
    /* rate check needs points */
    {"  N: {from: 16, to: 256, factor: 2}\n", "  N: [16, 32]\n",
     "s.yaml:12:5: checks[1].rate: a rate needs at least 3 fitted points on axis N"},
    /* geometric range going the wrong way */
    {"factor: 2}", "factor: 0.5}", "s.yaml:9:34: sweep.N.factor: must be > 1 when from < to"},
    /* formula with an unknown name */
    {"  - rate: {proved: -1/2, tol: 0.1}\n", "  - bound: {formula: \"C/sqrt(N)\"}\n",
     "s.yaml:12:22: checks[1].bound.formula: unknown name 'C'"},
    /* profile sweeping a new axis */
    {"sweep: {N: [8, 16, 32]}", "sweep: {dim: [1, 2, 3]}",
     "s.yaml:14:32: profiles.quick.sweep: 'dim' is not an axis of the base sweep"},
    /* expansion: powers must be a list, not repeated, with more points than terms */
    {"  - rate: {proved: -1/2, tol: 0.1}\n", "  - expansion: {powers: -1}\n",
     "s.yaml:12:25: checks[1].expansion: 'powers' must be a non-empty list of exponents"},
    {"  - rate: {proved: -1/2, tol: 0.1}\n", "  - expansion: {powers: [-1, -1]}\n",
     "s.yaml:12:30: checks[1].expansion.powers: -1 appears twice"},
    {"  - rate: {proved: -1/2, tol: 0.1}\n", "  - expansion: {powers: [-1, -2, -3]}\n",
     "s.yaml:12:5: checks[1].expansion: 3 terms need at least 4 points on axis N to be tested (it has 3)"},
    /* rate label: text, not empty */
    {"  - rate: {proved: -1/2, tol: 0.1}\n", "  - rate: {proved: -1/2, tol: 0.1, label: \"\"}\n",
     "s.yaml:12:43: checks[1].rate.label: give 1..63 characters"},
    /* bad id */
    {"id: t1\n", "id: My Study\n", "s.yaml:1:5: id: 'My Study': use lower-case letters"},
    {"id: t1\n", "id: \"..\"\n", "s.yaml:1:5: id: '..': use lower-case letters"},
    {"id: t1\n", "id: index.html\n", "s.yaml:1:5: id: 'index.html': use"},
    {"id: t1\n", "id: .\n", "s.yaml:1:5: id: '.'"},
};

START_TEST(bad_input_messages) {
  const bad_case *bc = &BAD[_i];
  char *text = variant(bc->from, bc->to);
  mfh_study s;
  char msg[1200];
  int rc = load_text(text, "full", &s, msg, sizeof msg);
  if (rc == 0) { /* some errors live in a profile: load that one too */
    mfh_study_free(&s);
    rc = load_text(text, "quick", &s, msg, sizeof msg);
    if (rc == 0) mfh_study_free(&s);
  }
  free(text);
  ck_assert_msg(rc == MFH_EINPUT, "case %d: expected MFH_EINPUT, got %d (%s)", _i, rc, msg);
  ck_assert_msg(strncmp(msg, bc->expect, strlen(bc->expect)) == 0, "case %d:\n  got:    %s\n  wanted: %s", _i,
                msg, bc->expect);
}
END_TEST

START_TEST(not_a_mapping_and_empty) {
  mfh_study s;
  char msg[1200];
  ck_assert_int_eq(load_text("", "full", &s, msg, sizeof msg), MFH_EINPUT);
  ck_assert_str_eq(msg, "s.yaml:1:1: empty study file");
  ck_assert_int_eq(load_text("- a\n- b\n", "full", &s, msg, sizeof msg), MFH_EINPUT);
  ck_assert_msg(strstr(msg, "s.yaml:1:1: a study file must be a mapping") == msg, "%s", msg);
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_study_load("/nonexistent/x.yaml", "full", -1, &s, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "cannot open"));
}
END_TEST

START_TEST(plan_is_content_addressed) {
  mfh_study s;
  char msg[1200];
  ck_assert_int_eq(load_text(GOOD, "full", &s, msg, sizeof msg), 0);
  mfh_plan a, b;
  mfh_err err;
  ck_assert_int_eq(mfh_plan_build(&s, &a, &err), 0);
  ck_assert_uint_eq(a.npoints, 5);
  ck_assert_uint_eq(a.ntasks, 20);
  /* distinct seeds and keys for every task */
  for (size_t i = 0; i < a.ntasks; i++)
    for (size_t j = 0; j < i; j++) {
      ck_assert(a.tasks[i].seed != a.tasks[j].seed);
      ck_assert_str_ne(a.tasks[i].key, a.tasks[j].key);
    }
  /* the quick profile shares the points it has in common (N = 16, 32) */
  mfh_study q;
  ck_assert_int_eq(load_text(GOOD, "quick", &q, msg, sizeof msg), 0);
  ck_assert_int_eq(mfh_plan_build(&q, &b, &err), 0);
  ck_assert_str_eq(b.tasks[2].key, a.tasks[0].key); /* N=16 replica 0 */
  ck_assert(b.tasks[2].seed == a.tasks[0].seed);
  mfh_plan_free(&a);
  mfh_plan_free(&b);
  mfh_study_free(&s);
  mfh_study_free(&q);
}
END_TEST

/* Bad parameters of the classical solver, each named at its study line. */
static const char *NBODY =
    "id: t2\n"
    "title: test\n"
    "theorem: MF-1\n"
    "solver: nbody\n"
    "model: {dim: 1, domain: torus, potential: cosine, reference: exact, N: 64, t: 1, dt: 0.01}\n"
    "observable: {name: coupling, p: 2}\n"
    "sweep:\n"
    "  N: [64, 128, 256]\n"
    "replicas: 2\n"
    "checks:\n"
    "  - bound: {name: mf1}\n";

static const bad_case NBODY_BAD[] = {
    {"  N: [64, 128, 256]\n", "  N: [64, -128, 256]\n",
     "s.yaml:8:11: sweep.N: must be an integer in [2, 1e+07] (got -128)"},
    {"dim: 1,", "dim: 4,", "s.yaml:5:14: model.dim: must be an integer in [1, 3] (got 4)"},
    {"reference: exact, N: 64,", "reference: rbm, coupling: 1/(N-1), N: 64,", "s.yaml:8:6: the random batch method pairs particles: N must be even"},
    {"  N: [64, 128, 256]\n", "  N: [64, 127, 256]\n", "s.yaml:8:11: the random batch method pairs particles: N must be even (got 127)"},
    {"t: 1, dt: 0.01}", "t: 1.005, dt: 0.01}", "s.yaml:5:79: t = 1.005 is not a whole number of steps dt = 0.01"},
    {"dim: 1, domain: torus, potential: cosine, reference: exact,", "dim: 2, domain: torus, potential: cosine, reference: vlasov,", "s.yaml:5:14: reference vlasov is 1D"},
    {"  - bound: {name: mf1}\n", "  - bound: {formula: \"vhat_l1/N\"}\n", ""},
    {"potential: cosine,", "potential: gaussian, s: 0.5,", ""},
};

static char *nbody_variant(const bad_case *bc) {
  const char *p = strstr(NBODY, bc->from);
  ck_assert_msg(p != NULL, "test bug: '%s' not in NBODY", bc->from);
  size_t n = strlen(NBODY) - strlen(bc->from) + strlen(bc->to) + 1;
  char *s = malloc(n);
  snprintf(s, n, "%.*s%s%s", (int)(p - NBODY), NBODY, bc->to, p + strlen(bc->from));
  return s;
}

START_TEST(nbody_bad_parameters) {
  bad_case bc = NBODY_BAD[_i];
  char *text;
  if (_i == 2) { /* rbm needs even N: make N odd too */
    char *t1 = nbody_variant(&bc);
    const char *q = strstr(t1, "  N: [64, 128, 256]");
    text = malloc(strlen(t1) + 8);
    snprintf(text, strlen(t1) + 8, "%.*s  N: [64, 127, 256]%s", (int)(q - t1), t1, q + strlen("  N: [64, 128, 256]"));
    free(t1);
    bc.expect = "s.yaml:8:11: the random batch method pairs particles: N must be even (got 127)";
  } else if (_i == 3) {
    bad_case b2 = {"reference: exact, N: 64,", "reference: rbm, coupling: 1/(N-1), N: 64,", ""};
    char *t1 = nbody_variant(&b2);
    const char *q = strstr(t1, "  N: [64, 128, 256]");
    text = malloc(strlen(t1) + 8);
    snprintf(text, strlen(t1) + 8, "%.*s  N: [64, 127, 256]%s", (int)(q - t1), t1, q + strlen("  N: [64, 128, 256]"));
    free(t1);
  } else if (_i == 6) { /* a bound needing a constant the model cannot provide */
    bad_case b2 = {"potential: cosine,", "potential: gaussian, s: 0.5,", ""};
    char *t1 = nbody_variant(&b2);
    const char *q = strstr(t1, "  - bound: {name: mf1}");
    const char *rep = "  - bound: {formula: \"vhat_l1/N\"}";
    text = malloc(strlen(t1) + 64);
    snprintf(text, strlen(t1) + 64, "%.*s%s%s", (int)(q - t1), t1, rep, q + strlen("  - bound: {name: mf1}"));
    free(t1);
    bc.expect = "s.yaml:11:22: checks[1].bound.formula: unknown name 'vhat_l1'";
  } else if (_i == 7) { /* Gaussian on a torus too small for minimum image */
    text = nbody_variant(&bc);
    char *q = strstr(text, "s: 0.5,");
    memcpy(q, "s: 1.5,", 7);
    bc.expect = "s.yaml:5:";
  } else {
    text = nbody_variant(&bc);
  }
  mfh_study s;
  char msg[1200];
  int rc = load_text(text, "full", &s, msg, sizeof msg);
  free(text);
  ck_assert_msg(rc == MFH_EINPUT, "case %d: expected MFH_EINPUT, got %d (%s)", _i, rc, msg);
  ck_assert_msg(strncmp(msg, bc.expect, strlen(bc.expect)) == 0, "case %d:\n  got:    %s\n  wanted: %s", _i, msg,
                bc.expect);
  if (_i == 7) ck_assert_msg(strstr(msg, "s <= L/8") != NULL, "%s", msg);
}
END_TEST

/* Semiclassical bad input: weights not summing to 1, eps <= 0, a grid too
 * coarse for eps. */
START_TEST(hartree_bad_input) {
  static const char *base =
      "id: w\ntitle: t\ntheorem: HV-2\nsystem: hartree\n"
      "model: {state: mixture, weights: \"%s\", eps: %s, n: %s}\n"
      "observable: value\nmeasure: x2\nsweep:\n  t: [1, 2]\n";
  static const char *cases[][4] = {
      {"0.5, 0.3, 0.1", "0.1", "512", "s.yaml:5:34: weights: a mixed state's weights must sum to 1"},
      {"0.5, 0.5", "-0.1", "512", "s.yaml:5:51: model.eps: must be a number in (0, 10] (got -0.1)"},
      {"0.5, 0.5", "0.01", "512", "under-resolved: eps = 0.01 needs dx <= 0.0049 (n >= 3298 on a box of width 16), got n = 512"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[1024], msg[1200];
    snprintf(text, sizeof text, base, cases[i][0], cases[i][1], cases[i][2]);
    mfh_study s;
    int rc = load_text(text, "full", &s, msg, sizeof msg);
    ck_assert_msg(rc == MFH_EINPUT, "case %zu: got %d (%s)", i, rc, msg);
    ck_assert_msg(strstr(msg, cases[i][3]) != NULL, "case %zu:\n  got:    %s\n  wanted: %s", i, msg, cases[i][3]);
  }
  /* n: 0 chooses a grid that resolves eps = 0.01 (512 points did not) */
  char text[1024], msg[1200];
  snprintf(text, sizeof text, base, "0.5, 0.5", "0.01", "0");
  mfh_study s;
  ck_assert_msg(load_text(text, "full", &s, msg, sizeof msg) == 0, "%s", msg);
  mfh_study_free(&s);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("study");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, good_study_loads);
  tcase_add_loop_test(tc, bad_input_messages, 0, (int)(sizeof BAD / sizeof BAD[0]));
  tcase_add_test(tc, not_a_mapping_and_empty);
  tcase_add_test(tc, plan_is_content_addressed);
  tcase_add_test(tc, hartree_bad_input);
  tcase_add_loop_test(tc, nbody_bad_parameters, 0, (int)(sizeof NBODY_BAD / sizeof NBODY_BAD[0]));
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
