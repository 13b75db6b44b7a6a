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
     "s.yaml:8:9: solver: is now system: (write `system: iid`; its reference and observables are named beside it: reference:, observable:; docs/studies.md)"},
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

/* Bad parameters of the classical engines, each named at its study line. */
static const char *NBODY =
    "id: t2\n"
    "title: test\n"
    "theorem: MF-1\n"
    "system: nbody\n"
    "model: {dim: 1, domain: torus, potential: cosine, init: homogeneous, N: 64, t: 1, dt: 0.01}\n"
    "reference: {coupled: characteristics, field: zero}\n"
    "observable: {name: coupling, p: 2}\n"
    "sweep:\n"
    "  N: [64, 128, 256]\n"
    "replicas: 2\n"
    "checks:\n"
    "  - bound: {name: mf1}\n";

/* Up to three replacements of NBODY, and the message expected (its start). */
typedef struct {
  const char *edit[3][2];
  const char *expect;
} nbody_case;

static const nbody_case NBODY_BAD[] = {
    {{{"  N: [64, 128, 256]\n", "  N: [64, -128, 256]\n"}},
     "s.yaml:9:11: sweep.N: must be an integer in [2, 1e+07] (got -128)"},
    {{{"dim: 1,", "dim: 4,"}}, "s.yaml:5:14: model.dim: must be an integer in [1, 3] (got 4)"},
    /* random batches pair the particles, estimate the 1/(N-1) system, step with Verlet */
    {{{"{coupled: characteristics, field: zero}", "{coupled: nbody, batches: random}"},
      {"N: 64,", "N: 64, coupling: 1/(N-1),"},
      {"  N: [64, 128, 256]", "  N: [64, 127, 256]"}},
     "s.yaml:9:11: reference (engine nbody): the random batch method pairs particles: N must be even (got 127)"},
    {{{"{coupled: characteristics, field: zero}", "{coupled: nbody, batches: random}"}},
     "s.yaml:6:12: reference (engine nbody): random batches estimate the unbiased full system: coupling 1/(N-1)"},
    {{{"{coupled: characteristics, field: zero}", "{coupled: nbody, batches: random}"},
      {"N: 64,", "N: 64, coupling: 1/(N-1), method: yoshida4,"}},
     "s.yaml:5:104: reference (engine nbody): the random batch method steps with Verlet"},
    {{{"t: 1, dt: 0.01}", "t: 1.005, dt: 0.01}"}}, "s.yaml:5:80: t = 1.005 is not a whole number of steps dt = 0.01"},
    /* the characteristics: which field for which data */
    {{{"field: zero}", "field: vlasov}"}, {"dim: 1,", "dim: 2,"}},
     "s.yaml:5:14: reference (engine characteristics): field vlasov is 1D (dim: 1)"},
    {{{"init: homogeneous,", "init: perturbed,"}},
     "s.yaml:6:46: reference (engine characteristics): field zero is the mean field of spatially homogeneous data"},
    {{{"field: zero}", "field: zero, grid: yes}"}},
     "s.yaml:6:58: reference (engine characteristics): grid: yes gives the Vlasov density: it needs field: vlasov"},
    /* an observable reading what the reference does not produce */
    {{{"{name: coupling, p: 2}", "w1_grid"}, {"field: zero}", "field: vlasov}"}},
     "s.yaml:7:13: observable: observable w1_grid needs a phase_grid from reference, which engine characteristics "
     "does not produce with these parameters (it does with grid: yes)"},
    /* a bound needing a constant the model cannot provide (no vhat_l1 for the minimum-image Gaussian) */
    {{{"potential: cosine,", "potential: gaussian, s: 0.5,"}, {"  - bound: {name: mf1}", "  - bound: {formula: \"vhat_l1/N\"}"}},
     "s.yaml:12:22: checks[1].bound.formula: unknown name 'vhat_l1'"},
    /* a Gaussian on a torus too small for the minimum image */
    {{{"potential: cosine,", "potential: gaussian, s: 1.5,"}}, "s.yaml:5:"},
    {{{"domain: torus,", "domain: free,"}}, "s.yaml:5:42: the cosine potential lives on the torus: use domain: torus"},
};

START_TEST(nbody_bad_parameters) {
  const nbody_case *bc = &NBODY_BAD[_i];
  char *text = strdup(NBODY);
  for (int e = 0; e < 3 && bc->edit[e][0]; e++) {
    const char *from = bc->edit[e][0], *to = bc->edit[e][1], *p = strstr(text, from);
    ck_assert_msg(p != NULL, "test bug: '%s' not in the study", from);
    size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
    char *next = malloc(n);
    snprintf(next, n, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
    free(text);
    text = next;
  }
  mfh_study s;
  char msg[1200];
  int rc = load_text(text, "full", &s, msg, sizeof msg);
  free(text);
  if (rc == 0) mfh_study_free(&s);
  ck_assert_msg(rc == MFH_EINPUT, "case %d: expected MFH_EINPUT, got %d (%s)", _i, rc, msg);
  ck_assert_msg(strncmp(msg, bc->expect, strlen(bc->expect)) == 0, "case %d:\n  got:    %s\n  wanted: %s", _i, msg,
                bc->expect);
  if (_i == (int)(sizeof NBODY_BAD / sizeof NBODY_BAD[0]) - 2) ck_assert_msg(strstr(msg, "s <= L/8") != NULL, "%s", msg);
}
END_TEST

/* The classical studies' parts: the random streams follow the union of the
 * parts' sampled parameters, and the characteristics engine, which declares
 * the law's parameters unsampled, adds nothing to it: its streams are those
 * of the N-body system alone (one line per name=value, however many engines
 * declare it). */
START_TEST(nbody_streams_from_the_system) {
  static const char *alone =
      "id: t3\ntitle: test\ntheorem: MOM-1\nsystem: nbody\n"
      "model: {dim: 1, domain: torus, init: perturbed, alpha: 0.25, N: 64, t: 1, dt: 0.01}\n"
      "observable: value\nsweep:\n  N: [64, 128, 256]\nreplicas: 2\n";
  static const char *coupled =
      "id: t3\ntitle: test\ntheorem: MF-1\nsystem: nbody\n"
      "model: {dim: 1, domain: torus, init: perturbed, alpha: 0.25, N: 64, t: 1, dt: 0.01}\n"
      "reference: {coupled: characteristics, field: vlasov, nx: 64}\n"
      "observable: coupling\nsweep:\n  N: [64, 128, 256]\nreplicas: 2\n";
  static const char *other_law =
      "id: t3\ntitle: test\ntheorem: MF-1\nsystem: nbody\n"
      "model: {dim: 1, domain: torus, init: perturbed, alpha: 0.5, N: 64, t: 1, dt: 0.01}\n"
      "reference: {coupled: characteristics, field: vlasov, nx: 64}\n"
      "observable: coupling\nsweep:\n  N: [64, 128, 256]\nreplicas: 2\n";
  mfh_study a, b, c;
  char msg[1200];
  ck_assert_msg(load_text(alone, "full", &a, msg, sizeof msg) == 0, "%s", msg);
  ck_assert_msg(load_text(coupled, "full", &b, msg, sizeof msg) == 0, "%s", msg);
  ck_assert_msg(load_text(other_law, "full", &c, msg, sizeof msg) == 0, "%s", msg);
  mfh_plan pa, pb, pc;
  mfh_err err;
  ck_assert_int_eq(mfh_plan_build(&a, &pa, &err), 0);
  ck_assert_int_eq(mfh_plan_build(&b, &pb, &err), 0);
  ck_assert_int_eq(mfh_plan_build(&c, &pc, &err), 0);
  ck_assert_uint_eq(pa.ntasks, pb.ntasks);
  for (size_t i = 0; i < pa.ntasks; i++) {
    ck_assert(pa.tasks[i].seed_init == pb.tasks[i].seed_init && pa.tasks[i].seed == pb.tasks[i].seed &&
              pa.tasks[i].seed_ref == pb.tasks[i].seed_ref);
    ck_assert(pb.tasks[i].seed_init != pc.tasks[i].seed_init); /* alpha shapes the draws */
  }
  mfh_plan_free(&pa);
  mfh_plan_free(&pb);
  mfh_plan_free(&pc);
  mfh_study_free(&a);
  mfh_study_free(&b);
  mfh_study_free(&c);
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
  tcase_add_test(tc, nbody_streams_from_the_system);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
