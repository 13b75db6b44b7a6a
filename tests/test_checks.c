/* Checks: the verdict logic of every kind at its decision edges, and the
 * registry.
 *
 * Each judge is fed synthetic series (and fits, curves, blessed values) placed
 * exactly on an edge and one ulp to either side (nextafter), so a moved
 * comparison (>= for >, a sign, a tolerance on the wrong side) fails a test.
 * The conformance loop runs over every registered kind: its table is
 * complete, its example loads in a study, its documented defaults are the
 * parsed ones, an unknown key is refused at its line, and it reads its
 * measure. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "core/check.h"
#include "pipeline/registry.h"
#include "pipeline/study.h"
#include "tests/testutil.h"

/* ---- a kit: parsed settings, series, fits ---------------------------------- */

/* The axis every kit check judges: N = 2, 4, ..., 1024 (all > 1 for log fits). */
static const double AXIS[] = {2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

/* Study parameters N = 8, for formulas. */
static mfh_params kit_params(void) {
  static const mfh_param_def def = {"N", MFH_PARAM_INT, NULL, 1, 1e9, 0, 0, NULL, "", 0};
  mfh_params ps = {0};
  mfh_param_val pv;
  mfh_mark none = {0};
  mfh_err err;
  ck_assert_int_eq(mfh_param_parse(&def, "8", none, "N", &pv, &err), 0);
  ck_assert_int_eq(mfh_params_put(&ps, &pv), 0);
  return ps;
}

/* A kind's data parsed from "key", "text" pairs (NULL-terminated); a text
 * "[a, b]" is a list.  The parse must succeed.  Free with kit_free. */
static void *kit_parse(const char *kind, ...) {
  const mfh_check_type *t = mfh_check_find(kind);
  ck_assert_ptr_nonnull(t);
  mfh_check_value vals[16], items[16][4];
  char bufs[16][64];
  size_t n = 0;
  va_list ap;
  va_start(ap, kind);
  for (const char *key; (key = va_arg(ap, const char *)) != NULL; n++) {
    const char *text = va_arg(ap, const char *);
    ck_assert_uint_lt(n, 16);
    mfh_check_value *v = &vals[n];
    memset(v, 0, sizeof *v);
    v->key = key;
    v->node = MFH_NODE_SCALAR;
    v->text = text;
    if (text[0] == '[') { /* "[-1, -2]" */
      snprintf(bufs[n], sizeof bufs[n], "%s", text + 1);
      v->node = MFH_NODE_LIST;
      v->text = "";
      v->items = items[n];
      char *save = NULL;
      for (char *tok = strtok_r(bufs[n], ",] ", &save); tok; tok = strtok_r(NULL, ",] ", &save)) {
        mfh_check_value *it = &items[n][v->nitems++];
        memset(it, 0, sizeof *it);
        it->node = MFH_NODE_SCALAR;
        it->text = tok;
      }
    }
  }
  va_end(ap);
  mfh_params ps = kit_params();
  mfh_check_input in = {.where = "checks[1].test", .n = n, .values = vals, .axis_name = "N",
                        .axis_n = sizeof AXIS / sizeof AXIS[0], .axis_values = AXIS, .params = &ps,
                        .find_bound = mfh_bound_find};
  void *data = calloc(1, t->size);
  ck_assert_ptr_nonnull(data);
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(t->parse(&in, data, &err) == MFH_OK, "%s: %s", kind, err.msg);
  mfh_params_free(&ps);
  return data;
}

static void kit_free(const char *kind, void *data) {
  const mfh_check_type *t = mfh_check_find(kind);
  if (t->release) t->release(data);
  free(data);
}

/* A series of n points at AXIS (or the given x) with means and standard errors. */
static mfh_series kit_series(size_t n, const double *x, const double *mean, const double *se) {
  mfh_series s;
  memset(&s, 0, sizeof s);
  snprintf(s.axis, sizeof s.axis, "N");
  snprintf(s.measure, sizeof s.measure, "err");
  s.n = n;
  s.pts = calloc(n, sizeof *s.pts);
  ck_assert_ptr_nonnull(s.pts);
  for (size_t i = 0; i < n; i++) {
    s.pts[i].x = x ? x[i] : AXIS[i];
    s.pts[i].nrep = 10;
    s.pts[i].mean = s.pts[i].min = s.pts[i].max = mean[i];
    s.pts[i].se = se ? se[i] : 0;
  }
  return s;
}

/* Judge data of kind on view v; returns the verdict (the summary in c). */
static int kit_judge(const char *kind, const void *data, const mfh_check_view *v, mfh_check_result *c) {
  const mfh_check_type *t = mfh_check_find(kind);
  mfh_values_free(&c->numbers);
  memset(c, 0, sizeof *c);
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(t->judge(data, v, c, &err), MFH_OK);
  return c->verdict;
}

/* A fit result with the given interval (level 0.95, 5 points used). */
static mfh_fit_result kit_fit(double lo, double hi) {
  mfh_fit_result f;
  memset(&f, 0, sizeof f);
  f.slope = (lo + hi) / 2;
  f.slope_lo = lo;
  f.slope_hi = hi;
  f.level = 0.95;
  f.n = f.n_used = 5;
  return f;
}

static double up(double x) { return nextafter(x, INFINITY); }
static double down(double x) { return nextafter(x, -INFINITY); }

#define VERDICT_IS(got, want, c) \
  ck_assert_msg((got) == (want), "verdict %s, wanted %s: %s", mfh_verdict_text(got), mfh_verdict_text(want), (c).summary)

/* ---- rate -------------------------------------------------------------------- */

/* One fitted interval [lo, hi] and what the judge must make of it: the
 * verdict, and a phrase the summary must hold ("!phrase": must not hold). */
typedef struct interval_case {
  double lo, hi;
  int want;
  const char *says;
} interval_case;

/* Judge every case with data d of kind along an axis of direction dir. */
static void judge_intervals(const char *kind, const void *d, int dir, const interval_case *cases, size_t n) {
  mfh_series s = kit_series(3, NULL, (double[]){1, 1, 1}, NULL);
  mfh_check_result c = {0};
  for (size_t i = 0; i < n; i++) {
    mfh_fit_result f = kit_fit(cases[i].lo, cases[i].hi);
    mfh_check_view v = {.series = &s, .refine_dir = dir, .fit = &f};
    int got = kit_judge(kind, d, &v, &c);
    ck_assert_msg(got == cases[i].want, "%s case %zu [%.17g, %.17g]: %s, wanted %s: %s", kind, i, cases[i].lo,
                  cases[i].hi, mfh_verdict_text(got), mfh_verdict_text(cases[i].want), c.summary);
    const char *says = cases[i].says;
    if (says && says[0] == '!')
      ck_assert_msg(!strstr(c.summary, says + 1), "%s case %zu: '%s' in %s", kind, i, says + 1, c.summary);
    else if (says)
      ck_assert_msg(strstr(c.summary, says), "%s case %zu: no '%s' in %s", kind, i, says, c.summary);
  }
  mfh_values_free(&c.numbers);
  free(s.pts);
}

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

/* N axis (values grow): the decay rate is -slope.  proved -1/2, tol 1/4: the
 * slowest slope that passes is -1/4, "faster than proved" beyond -3/4. */
START_TEST(rate_edges_n_axis) {
  void *d = kit_parse("rate", "proved", "-1/2", "tol", "0.25", NULL);
  const interval_case cases[] = {
      {-0.6, -0.25, MFH_PASS, "proved slope -1/2, observed"},
      {-0.6, up(-0.25), MFH_INCONCLUSIVE, "interval too wide to decide"},
      {-0.25, 0.1, MFH_INCONCLUSIVE, NULL},
      {up(-0.25), 0.1, MFH_FAIL, "slower than proved"},
      {-0.9, -0.75, MFH_PASS, "!faster"},
      {-0.9, down(-0.75), MFH_PASS, "faster than proved"},
  };
  judge_intervals("rate", d, 1, cases, NCASES(cases));
  kit_free("rate", d);
}
END_TEST

/* eps or dt axis (values shrink): the slope itself is the decay rate. */
START_TEST(rate_edges_eps_axis) {
  void *d = kit_parse("rate", "proved", "1", "tol", "0.25", NULL);
  const interval_case cases[] = {
      {0.75, 1.2, MFH_PASS, NULL},
      {down(0.75), 1.2, MFH_INCONCLUSIVE, NULL},
      {0.2, 0.75, MFH_INCONCLUSIVE, NULL},
      {0.2, down(0.75), MFH_FAIL, NULL},
  };
  judge_intervals("rate", d, -1, cases, NCASES(cases));
  kit_free("rate", d);
}
END_TEST

/* model: exp: proved is the largest growth exponent; passes up to proved + tol. */
START_TEST(rate_edges_exp_model) {
  void *d = kit_parse("rate", "proved", "0.5", "tol", "0.25", "model", "exp", NULL);
  const interval_case cases[] = {
      {0.1, 0.75, MFH_PASS, "exponent <= 0.5"},
      {0.1, up(0.75), MFH_INCONCLUSIVE, NULL},
      {up(0.75), 2, MFH_FAIL, "grows faster than proved"},
      {-1, down(0.25), MFH_PASS, "grows more slowly than proved"},
  };
  judge_intervals("rate", d, 1, cases, NCASES(cases));
  kit_free("rate", d);
}
END_TEST

/* A literature rate (label other than "proved") is reported, not asserted:
 * where a proved rate fails it is inconclusive; it still passes. */
START_TEST(rate_literature_label) {
  void *d = kit_parse("rate", "proved", "-2/3", "tol", "0.25", "label", "sharp (Rosenzweig-Serfaty)", NULL);
  const interval_case cases[] = {
      {-1, -0.5, MFH_PASS, "sharp (Rosenzweig-Serfaty) slope -2/3"},
      {-0.3, -0.1, MFH_INCONCLUSIVE, "slower (not a proved rate: reported, not asserted)"},
      {-1.2, -1.0, MFH_PASS, "!than proved"},
      {-1.2, -1.0, MFH_PASS, " - faster"},
  };
  judge_intervals("rate", d, 1, cases, NCASES(cases));
  kit_free("rate", d);
  d = kit_parse("rate", "proved", "-2/3", "tol", "0.25", NULL); /* the same, asserted */
  judge_intervals("rate", d, 1, &(interval_case){-0.3, -0.1, MFH_FAIL, "slower than proved"}, 1);
  kit_free("rate", d);
}
END_TEST

/* No interval (too few points, infinite bounds): inconclusive, never pass. */
START_TEST(rate_without_interval) {
  void *d = kit_parse("rate", "proved", "-1/2", NULL);
  const interval_case cases[] = {
      {-INFINITY, -0.5, MFH_INCONCLUSIVE, "too few usable points"},
      {-0.6, NAN, MFH_INCONCLUSIVE, "too few usable points"},
  };
  judge_intervals("rate", d, 1, cases, NCASES(cases));
  mfh_check_result c = {0};
  mfh_fit_result f = kit_fit(-0.6, -0.5);
  f.flags = MFH_FIT_TOO_FEW;
  mfh_check_view v = {.refine_dir = 1, .fit = &f};
  VERDICT_IS(kit_judge("rate", d, &v, &c), MFH_INCONCLUSIVE, c);
  mfh_values_free(&c.numbers);
  kit_free("rate", d);
}
END_TEST

/* The numbers behind a rate verdict. */
START_TEST(rate_numbers) {
  void *d = kit_parse("rate", "proved", "-1/2", "tol", "0.25", NULL);
  mfh_check_result c = {0};
  mfh_fit_result f = kit_fit(-0.6, -0.4);
  mfh_check_view v = {.refine_dir = 1, .fit = &f};
  kit_judge("rate", d, &v, &c);
  const double *p = mfh_values_get(&c.numbers, "proved"), *tol = mfh_values_get(&c.numbers, "tol");
  const double *lo = mfh_values_get(&c.numbers, "slope_lo"), *hi = mfh_values_get(&c.numbers, "slope_hi");
  ck_assert(p && *p == -0.5 && tol && *tol == 0.25 && lo && *lo == -0.6 && hi && *hi == -0.4);
  mfh_values_free(&c.numbers);
  kit_free("rate", d);
}
END_TEST

/* The fit a rate asks for, and the proved line it puts on its series. */
START_TEST(rate_fit_options_and_plot) {
  const mfh_check_type *t = mfh_check_find("rate");
  void *d = kit_parse("rate", "proved", "-1/2", "log", "true", "exclude", "2", "auto_exclude", "false", "level",
                      "0.9", NULL);
  mfh_fit_opts o;
  mfh_fit_opts_default(&o);
  t->fit_opts(d, &o);
  ck_assert_int_eq(o.model, MFH_FIT_POWER_LOG);
  ck_assert_uint_eq(o.exclude_leading, 2);
  ck_assert_int_eq(o.auto_exclude, 0);
  ck_assert(o.level == 0.9);
  mfh_series s;
  memset(&s, 0, sizeof s);
  t->annotate(d, &s);
  ck_assert(s.has_proved && s.proved_slope == -0.5 && s.proved_log == 1 && !s.proved_reported);
  kit_free("rate", d);
  /* a labelled rate's line is drawn and reported as such, not as proved */
  mfh_series sl;
  memset(&sl, 0, sizeof sl);
  d = kit_parse("rate", "proved", "-3", "label", "derived", NULL);
  t->annotate(d, &sl);
  ck_assert(sl.has_proved && sl.proved_slope == -3 && sl.proved_reported);
  kit_free("rate", d);
  d = kit_parse("rate", "proved", "-1", NULL); /* a second rate on the series: the first keeps the line */
  t->annotate(d, &s);
  ck_assert(s.proved_slope == -0.5);
  mfh_fit_opts_default(&o);
  t->fit_opts(d, &o);
  ck_assert(o.model == MFH_FIT_POWER && o.auto_exclude == 1 && o.level == 0.95);
  kit_free("rate", d);
}
END_TEST

/* ---- uniform ----------------------------------------------------------------- */

/* growth_hi <= tol passes, growth_lo > tol fails; along an eps axis the
 * growth exponent is minus the slope. */
START_TEST(uniform_edges) {
  void *d = kit_parse("uniform", "tol", "0.125", NULL);
  const interval_case up_n[] = {
      {-0.2, 0.125, MFH_PASS, "along the N sweep"},
      {-0.2, up(0.125), MFH_INCONCLUSIVE, "undecided"},
      {0.125, 0.5, MFH_INCONCLUSIVE, NULL},
      {up(0.125), 0.5, MFH_FAIL, " - grows"},
      {-0.5, INFINITY, MFH_INCONCLUSIVE, "too few usable points"},
  };
  judge_intervals("uniform", d, 1, up_n, NCASES(up_n));
  const interval_case down_eps[] = {
      {-0.125, 0.3, MFH_PASS, NULL},
      {down(-0.125), 0.3, MFH_INCONCLUSIVE, NULL},
      {-0.5, down(-0.125), MFH_FAIL, NULL},
  };
  judge_intervals("uniform", d, -1, down_eps, NCASES(down_eps));
  mfh_check_result c = {0};
  mfh_series s = kit_series(3, NULL, (double[]){1, 1, 1}, NULL);
  mfh_fit_result f = kit_fit(-0.125, 0.3);
  mfh_check_view v = {.series = &s, .refine_dir = -1, .fit = &f};
  kit_judge("uniform", d, &v, &c);
  const double *g = mfh_values_get(&c.numbers, "growth"), *g_hi = mfh_values_get(&c.numbers, "growth_hi");
  ck_assert(g && *g == -f.slope && g_hi && *g_hi == 0.125);
  /* its fit uses every point */
  mfh_fit_opts o;
  mfh_fit_opts_default(&o);
  o.auto_exclude = 1;
  mfh_check_find("uniform")->fit_opts(d, &o);
  ck_assert_int_eq(o.auto_exclude, 0);
  mfh_values_free(&c.numbers);
  free(s.pts);
  kit_free("uniform", d);
}
END_TEST

/* A labelled uniformity (a pre-asymptotic window) reports growth without
 * failing; it still passes when flat, and says what it is. */
START_TEST(uniform_labelled) {
  void *d = kit_parse("uniform", "tol", "0.1", "label", "pre-asymptotic", NULL);
  const interval_case cases[] = {
      {-0.2, 0.05, MFH_PASS, "pre-asymptotic: growth exponent"},
      {0.2, 1.1, MFH_INCONCLUSIVE, "grows (reported, not asserted)"},
      {0.05, 1.1, MFH_INCONCLUSIVE, "undecided"},
  };
  judge_intervals("uniform", d, 1, cases, NCASES(cases));
  kit_free("uniform", d);
  d = kit_parse("uniform", "tol", "0.1", NULL); /* unlabelled: the same interval fails */
  const interval_case plain[] = {{0.2, 1.1, MFH_FAIL, " - grows"}};
  judge_intervals("uniform", d, 1, plain, NCASES(plain));
  kit_free("uniform", d);
}
END_TEST

/* ---- bound ------------------------------------------------------------------- */

/* mean <= bound passes; above by more than sigma se fails; within sigma se is
 * inconclusive.  bound 1, se 0.25, sigma 3: the noise edge is mean 1.75. */
START_TEST(bound_edges_mean) {
  void *d = kit_parse("bound", "formula", "1", NULL);
  mfh_check_result c = {0};
  double curve[2] = {1, 1};
  double cases[][2] = {{1, MFH_PASS}, {up(1), MFH_INCONCLUSIVE}, {1.75, MFH_INCONCLUSIVE}, {up(1.75), MFH_FAIL}};
  for (size_t k = 0; k < 4; k++) {
    mfh_series s = kit_series(2, NULL, (double[]){0.5, cases[k][0]}, (double[]){0.25, 0.25});
    mfh_check_view v = {.series = &s, .refine_dir = 1, .curve = curve};
    VERDICT_IS(kit_judge("bound", d, &v, &c), (int)cases[k][1], c);
    free(s.pts);
  }
  ck_assert_ptr_nonnull(strstr(c.summary, "measured > bound at 1 of 2 points (beyond 3 standard errors)"));
  /* sigma 0: any excess fails */
  kit_free("bound", d);
  d = kit_parse("bound", "formula", "1", "sigma", "0", NULL);
  mfh_series s = kit_series(2, NULL, (double[]){0.5, up(1)}, (double[]){0.25, 0.25});
  mfh_check_view v = {.series = &s, .refine_dir = 1, .curve = curve};
  VERDICT_IS(kit_judge("bound", d, &v, &c), MFH_FAIL, c);
  /* a bound that is not finite is an error, not a verdict */
  curve[0] = NAN;
  VERDICT_IS(kit_judge("bound", d, &v, &c), MFH_CHECK_ERROR, c);
  ck_assert_ptr_nonnull(strstr(c.summary, "the bound evaluates to nan at N=2"));
  free(s.pts);
  mfh_values_free(&c.numbers);
  kit_free("bound", d);
}
END_TEST

/* stat: max judges the largest replica, with no noise allowance. */
START_TEST(bound_edges_max) {
  void *d = kit_parse("bound", "formula", "1", "stat", "max", NULL);
  mfh_check_result c = {0};
  double curve[1] = {1};
  mfh_series s = kit_series(1, NULL, (double[]){0.5}, (double[]){0.25});
  mfh_check_view v = {.series = &s, .refine_dir = 1, .curve = curve};
  s.pts[0].max = 1;
  VERDICT_IS(kit_judge("bound", d, &v, &c), MFH_PASS, c);
  ck_assert_ptr_nonnull(strstr(c.summary, "every replica <= bound at all 1 points"));
  s.pts[0].max = up(1); /* the mean is far below, se large: still a failure */
  VERDICT_IS(kit_judge("bound", d, &v, &c), MFH_FAIL, c);
  free(s.pts);
  mfh_values_free(&c.numbers);
  kit_free("bound", d);
}
END_TEST

/* The curve a bound draws: a formula or a registered bound, with its legend. */
START_TEST(bound_curve) {
  const mfh_check_type *t = mfh_check_find("bound");
  void *d = kit_parse("bound", "formula", "2*N", NULL);
  char label[128];
  t->curve_label(d, label, sizeof label);
  ck_assert_str_eq(label, "bound 2*N");
  mfh_params ps = kit_params();
  mfh_err err;
  mfh_bound_ctx bc = {&ps, NULL};
  double y;
  ck_assert_int_eq(t->curve(d, mfh_bound_lookup, &bc, &y, &err), 0);
  ck_assert(y == 16);
  mfh_params_free(&ps);
  kit_free("bound", d);
}
END_TEST

/* ---- constant ---------------------------------------------------------------- */

/* One point with se 1/16 at slope 0: C is the mean and its interval C +/- z/16
 * exactly.  target 1, rtol 0.25: the band is [0.75, 1.25]. */
static int constant_verdict(const void *d, double mean, double se, mfh_check_result *c) {
  mfh_series s = kit_series(1, NULL, &mean, &se);
  mfh_check_view v = {.series = &s, .refine_dir = 1};
  int verdict = kit_judge("constant", d, &v, c);
  free(s.pts);
  return verdict;
}

START_TEST(constant_edges) {
  void *d = kit_parse("constant", "slope", "0", "value", "1", "rtol", "0.25", NULL);
  mfh_check_result c = {0};
  const double h = gsl_cdf_ugaussian_Pinv(0.5 + 0.95 / 2) / 16; /* z se, as the judge computes it */
  /* no standard error: a point interval */
  VERDICT_IS(constant_verdict(d, 0.75, 0, &c), MFH_PASS, c);
  VERDICT_IS(constant_verdict(d, down(0.75), 0, &c), MFH_FAIL, c);
  VERDICT_IS(constant_verdict(d, 1.25, 0, &c), MFH_PASS, c);
  VERDICT_IS(constant_verdict(d, up(1.25), 0, &c), MFH_FAIL, c);
  ck_assert_ptr_nonnull(strstr(c.summary, "outside the tolerance"));
  /* the lowest mean whose whole interval is inside: lo = C - z se >= 0.75 */
  double m = 0.75 + h;
  while (m - h < 0.75) m = up(m);
  while (down(m) - h >= 0.75) m = down(m);
  VERDICT_IS(constant_verdict(d, m, 1.0 / 16, &c), MFH_PASS, c);
  VERDICT_IS(constant_verdict(d, down(m), 1.0 / 16, &c), MFH_INCONCLUSIVE, c);
  ck_assert_ptr_nonnull(strstr(c.summary, "interval too wide to decide"));
  /* the highest mean whose whole interval is below: hi = C + z se < 0.75 */
  m = 0.75 - h;
  while (m + h >= 0.75) m = down(m);
  while (up(m) + h < 0.75) m = up(m);
  VERDICT_IS(constant_verdict(d, m, 1.0 / 16, &c), MFH_FAIL, c);
  VERDICT_IS(constant_verdict(d, up(m), 1.0 / 16, &c), MFH_INCONCLUSIVE, c);
  mfh_values_free(&c.numbers);
  kit_free("constant", d);
  /* a negative target: the band is [1.25 target, 0.75 target] */
  d = kit_parse("constant", "slope", "0", "value", "-1", "rtol", "0.25", NULL);
  VERDICT_IS(constant_verdict(d, -0.75, 0, &c), MFH_PASS, c);
  VERDICT_IS(constant_verdict(d, up(-0.75), 0, &c), MFH_FAIL, c);
  VERDICT_IS(constant_verdict(d, -1.25, 0, &c), MFH_PASS, c);
  VERDICT_IS(constant_verdict(d, down(-1.25), 0, &c), MFH_FAIL, c);
  mfh_values_free(&c.numbers);
  kit_free("constant", d);
}
END_TEST

/* slope and from: C of y = C N^-1/2 from N = 16 on, in sweep order. */
START_TEST(constant_slope_and_from) {
  void *d = kit_parse("constant", "slope", "-1/2", "value", "3", "rtol", "0.01", "from", "16", NULL);
  mfh_check_result c = {0};
  double x[4] = {4, 16, 64, 256}, y[4] = {100, 3.0 / 4, 3.0 / 8, 3.0 / 16};
  mfh_series s = kit_series(4, x, y, NULL);
  mfh_check_view v = {.series = &s, .refine_dir = 1};
  VERDICT_IS(kit_judge("constant", d, &v, &c), MFH_PASS, c); /* N = 4 (C = 200) is left out */
  const double *pts = mfh_values_get(&c.numbers, "points");
  ck_assert(pts && *pts == 3);
  ck_assert_ptr_nonnull(strstr(c.summary, "constant of N^-0.5: expected 3"));
  v.refine_dir = -1; /* x shrinking along the sweep: from 16 on means x <= 16 */
  VERDICT_IS(kit_judge("constant", d, &v, &c), MFH_FAIL, c);
  kit_free("constant", d);
  d = kit_parse("constant", "slope", "0", "value", "1", "from", "1e6", NULL);
  v.refine_dir = 1;
  VERDICT_IS(kit_judge("constant", d, &v, &c), MFH_INCONCLUSIVE, c);
  ck_assert_ptr_nonnull(strstr(c.summary, "no points from N = 1e+06 on"));
  free(s.pts);
  mfh_values_free(&c.numbers);
  kit_free("constant", d);
}
END_TEST

/* ---- expansion --------------------------------------------------------------- */

/* rtol exactly the fit's max relative residual passes; one ulp less fails. */
START_TEST(expansion_edges) {
  double x[5] = {2, 3, 4, 5, 6}, y[5], yerr[5];
  for (size_t i = 0; i < 5; i++) {
    y[i] = 1 / x[i] + 0.5 / (x[i] * x[i]) + (i % 2 ? 1e-3 : -1e-3);
    yerr[i] = 1e-3;
  }
  mfh_expansion_fit f;
  mfh_err err;
  const double powers[2] = {-1, -2};
  ck_assert_int_eq(mfh_fit_expansion(5, x, y, yerr, 2, powers, &f, &err), 0);
  ck_assert(f.max_rel_resid > 0);
  char at[32], below[32];
  snprintf(at, sizeof at, "%.17g", f.max_rel_resid);
  snprintf(below, sizeof below, "%.17g", down(f.max_rel_resid));
  mfh_check_result c = {0};
  mfh_series s = kit_series(5, x, y, yerr);
  mfh_check_view v = {.series = &s, .refine_dir = 1};
  void *d = kit_parse("expansion", "powers", "[-1, -2]", "rtol", at, NULL);
  VERDICT_IS(kit_judge("expansion", d, &v, &c), MFH_PASS, c);
  ck_assert(s.has_expansion && s.expansion.npow == 2); /* the plot draws it */
  const double *c1 = mfh_values_get(&c.numbers, "c1");
  ck_assert(c1 && fabs(*c1 - 1) < 0.05);
  kit_free("expansion", d);
  d = kit_parse("expansion", "powers", "[-1, -2]", "rtol", below, NULL);
  VERDICT_IS(kit_judge("expansion", d, &v, &c), MFH_FAIL, c);
  ck_assert_ptr_nonnull(strstr(c.summary, "the expansion does not describe the data"));
  kit_free("expansion", d);
  /* as many points as terms: exactly determined, not tested */
  free(s.pts);
  s = kit_series(2, x, y, yerr);
  d = kit_parse("expansion", "powers", "[-1, -2]", NULL);
  VERDICT_IS(kit_judge("expansion", d, &v, &c), MFH_INCONCLUSIVE, c);
  ck_assert_ptr_nonnull(strstr(c.summary, "exactly determined, not tested"));
  free(s.pts);
  mfh_values_free(&c.numbers);
  kit_free("expansion", d);
}
END_TEST

/* ---- expected ---------------------------------------------------------------- */

/* One series (mean m, se) against blessed ref 1 at the same x. */
static int expected_verdict(const void *d, double m, double se, int blessed, mfh_check_result *c) {
  mfh_series s = kit_series(1, NULL, &m, &se);
  mfh_study_result r;
  memset(&r, 0, sizeof r);
  r.nseries = 1;
  r.series = &s;
  double bx = AXIS[0], bm = 1;
  mfh_blessed b = {1, &bx, &bm};
  mfh_check_view v = {.result = &r, .measure = "err", .blessed = blessed ? &b : NULL, .file = "s.yaml",
                      .profile = "quick"};
  int verdict = kit_judge("expected", d, &v, c);
  free(s.pts);
  return verdict;
}

START_TEST(expected_edges) {
  mfh_check_result c = {0};
  void *d = kit_parse("expected", "rtol", "0.25", NULL); /* allowance 0.25 |ref| */
  VERDICT_IS(expected_verdict(d, 1.25, 0, 1, &c), MFH_PASS, c);
  VERDICT_IS(expected_verdict(d, up(1.25), 0, 1, &c), MFH_FAIL, c);
  VERDICT_IS(expected_verdict(d, 0.75, 0, 1, &c), MFH_PASS, c);
  VERDICT_IS(expected_verdict(d, down(0.75), 0, 1, &c), MFH_FAIL, c);
  ck_assert_ptr_nonnull(strstr(c.summary, "1 of 1 points differ from expected/"));
  kit_free("expected", d);
  d = kit_parse("expected", "rtol", "0", "atol", "0.5", NULL);
  VERDICT_IS(expected_verdict(d, 1.5, 0, 1, &c), MFH_PASS, c);
  VERDICT_IS(expected_verdict(d, up(1.5), 0, 1, &c), MFH_FAIL, c);
  kit_free("expected", d);
  d = kit_parse("expected", "rtol", "0", "sigma", "2", NULL); /* 2 se = 0.25 */
  VERDICT_IS(expected_verdict(d, 1.25, 0.125, 1, &c), MFH_PASS, c);
  VERDICT_IS(expected_verdict(d, up(1.25), 0.125, 1, &c), MFH_FAIL, c);
  kit_free("expected", d);
  /* the default rtol 1e-9 */
  d = kit_parse("expected", NULL);
  VERDICT_IS(expected_verdict(d, 1 + 0.5e-9, 0, 1, &c), MFH_PASS, c);
  VERDICT_IS(expected_verdict(d, 1 + 2e-9, 0, 1, &c), MFH_FAIL, c);
  /* nothing blessed: inconclusive, and says how to bless */
  VERDICT_IS(expected_verdict(d, 1, 0, 0, &c), MFH_INCONCLUSIVE, c);
  ck_assert_str_eq(c.summary, "no blessed values for profile quick: run `mfh bless s.yaml --profile quick`");
  mfh_values_free(&c.numbers);
  kit_free("expected", d);
}
END_TEST

/* Blessed values at other sweep points only: nothing compared, inconclusive;
 * series of other measures are not compared. */
START_TEST(expected_missing_points) {
  void *d = kit_parse("expected", NULL);
  mfh_check_result c = {0};
  double m[2] = {1, 2};
  mfh_series s[2] = {kit_series(2, NULL, m, NULL), kit_series(2, NULL, m, NULL)};
  snprintf(s[1].measure, sizeof s[1].measure, "other");
  mfh_study_result r;
  memset(&r, 0, sizeof r);
  r.nseries = 2;
  r.series = s;
  double bx[1] = {3}, bm[1] = {1};
  mfh_blessed b[2] = {{1, bx, bm}, {0, NULL, NULL}};
  mfh_check_view v = {.result = &r, .measure = "err", .blessed = b, .file = "s.yaml", .profile = "quick"};
  VERDICT_IS(kit_judge("expected", d, &v, &c), MFH_INCONCLUSIVE, c);
  ck_assert_str_eq(c.summary, "no sweep point in common with the blessed values");
  bx[0] = AXIS[0]; /* now N = 2 is blessed, N = 4 is not */
  VERDICT_IS(kit_judge("expected", d, &v, &c), MFH_PASS, c);
  ck_assert_ptr_nonnull(strstr(c.summary, "1 points match expected/"));
  ck_assert_ptr_nonnull(strstr(c.summary, "; some points not blessed"));
  free(s[0].pts);
  free(s[1].pts);
  mfh_values_free(&c.numbers);
  kit_free("expected", d);
}
END_TEST


/* ---- gci --------------------------------------------------------------------- */

/* A check number that must exist. */
static double num(const mfh_check_result *c, const char *name) {
  const double *v = mfh_values_get(&c->numbers, name);
  ck_assert_msg(v != NULL, "no number '%s'", name);
  return *v;
}

/* x rounds to the published pub with the given decimals. */
static void published(const char *what, double x, double pub, int decimals) {
  double half = 0.5 * pow(10, -decimals);
  ck_assert_msg(fabs(x - pub) <= half * (1 + 1e-9), "%s = %.10g does not round to the published %.*f", what, x,
                decimals, pub);
}

/* Celik, Ghia, Roache, Freitas, Coleman, Raad, J. Fluids Eng. 130 (2008)
 * 078001, Table 1 ("Sample calculations of discretization error"): three
 * 2D grids of N1, N2, N3 cells, h = N^(-1/2).  Inputs and the outputs to
 * the digits published (percentages as fractions: 2.2% = 0.022).  The same
 * inputs and outputs with more digits are in the example of the independent
 * implementation github.com/oscar-monsalve/GCI (README), for columns 1 and 3.
 * Column 2's e_ext is checked against its published phi_ext (0.85%: e_ext =
 * |phi_ext - phi1| / phi_ext), as its printed percentage could not be
 * confirmed here. */
typedef struct celik_column {
  double N[3], phi[3]; /* coarse to fine: N3, N2, N1 and phi3, phi2, phi1 */
  double r21, r32, p, phi_ext, e_a, e_ext, gci;
  int p_dec;
  const char *kind;
} celik_column;

static const celik_column CELIK[3] = {
    {{4500, 8000, 18000}, {5.863, 5.972, 6.063}, 1.5, 1.333, 1.53, 6.1685, 0.015, 0.017, 0.022, 2, "monotone"},
    {{980, 4500, 18000}, {10.6050, 10.7250, 10.7880}, 2.0, 2.143, 0.75, 10.8801, 0.006, NAN, 0.011, 2, "monotone"},
    {{980, 4500, 18000}, {6.0909, 5.9624, 6.0042}, 2.0, 2.143, 1.51, 6.0269, 0.007, 0.004, 0.005, 2, "oscillatory"},
};

START_TEST(gci_celik_table1) {
  void *d = kit_parse("gci", "order", "2", "spacing", "cells", "dim", "2", NULL);
  mfh_check_result c = {0};
  for (int k = 0; k < 3; k++) {
    const celik_column *col = &CELIK[k];
    mfh_series s = kit_series(3, col->N, col->phi, NULL);
    mfh_check_view v = {.series = &s, .refine_dir = 1};
    int verdict = kit_judge("gci", d, &v, &c);
    published("r21", num(&c, "r21"), col->r21, 3);
    published("r32", num(&c, "r32"), col->r32, 3);
    published("p", num(&c, "p"), col->p, col->p_dec);
    published("phi_ext", num(&c, "phi_ext"), col->phi_ext, 4);
    published("e_a", num(&c, "e_a"), col->e_a, 3);   /* 1.5% = 0.015: one decimal in percent */
    if (isnan(col->e_ext))
      published("e_ext", num(&c, "e_ext"), fabs(col->phi_ext - col->phi[2]) / col->phi_ext, 4);
    else
      published("e_ext", num(&c, "e_ext"), col->e_ext, 3);
    published("gci_fine", num(&c, "gci_fine"), col->gci, 3);
    ck_assert(num(&c, "safety") == 1.25);
    ck_assert_msg(strstr(c.summary, col->kind), "%s", c.summary);
    /* order 2 is not observed: columns 1 and 2 are slower than that, column 3 oscillates */
    VERDICT_IS(verdict, k < 2 ? MFH_FAIL : MFH_INCONCLUSIVE, c);
    /* the plot: the extrapolated value and the fine level's GCI band */
    ck_assert(s.has_extrap && s.extrap == num(&c, "phi_ext") && s.extrap_x == 18000);
    ck_assert(s.extrap_lo < col->phi[2] && s.extrap_hi > col->phi[2]);
    free(s.pts);
  }
  /* the independent implementation's digits (oscar-monsalve/GCI): columns 1 and 3 */
  static const double more[2][6] = {{1.5340, 6.1685, 0.015009, 0.017102, 0.021750, 0.9850},
                                    {1.5077, 6.0269, 0.006962, 0.003762, 0.004720, NAN}};
  for (int k = 0; k < 2; k++) {
    const celik_column *col = &CELIK[2 * k];
    mfh_series s = kit_series(3, col->N, col->phi, NULL);
    mfh_check_view v = {.series = &s, .refine_dir = 1};
    kit_judge("gci", d, &v, &c);
    published("p", num(&c, "p"), more[k][0], 4);
    published("phi_ext", num(&c, "phi_ext"), more[k][1], 4);
    published("e_a", num(&c, "e_a"), more[k][2], 6);
    published("e_ext", num(&c, "e_ext"), more[k][3], 6);
    published("gci_fine", num(&c, "gci_fine"), more[k][4], 6);
    if (k == 0) /* theirs is r21^p GCI_fine / GCI_medium, the inverse of ours */
      published("1/asymptotic_ratio", 1 / num(&c, "asymptotic_ratio"), more[k][5], 4);
    free(s.pts);
  }
  /* monotone convergence: the asymptotic ratio is phi1/phi2 by construction of p */
  mfh_series s = kit_series(3, CELIK[0].N, CELIK[0].phi, NULL);
  mfh_check_view v = {.series = &s, .refine_dir = 1};
  kit_judge("gci", d, &v, &c);
  ck_assert(fabs(num(&c, "asymptotic_ratio") - 6.063 / 5.972) < 1e-12);
  ck_assert(num(&c, "p_iterations") > 1); /* r21 != r32: the fixed point iterates */
  free(s.pts);
  mfh_values_free(&c.numbers);
  kit_free("gci", d);
  /* the order Celik's column 1 does show (1.53) passes */
  d = kit_parse("gci", "order", "3/2", "spacing", "cells", "dim", "2", NULL);
  s = kit_series(3, CELIK[0].N, CELIK[0].phi, NULL);
  v.series = &s;
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_PASS, c);
  ck_assert_ptr_nonnull(strstr(c.summary, "proved order 3/2, observed p = 1.53 from the 3 finest levels (monotone"));
  ck_assert_ptr_nonnull(strstr(c.summary, "extrapolated 6.1685, GCI_fine 2.17% (Fs 1.25)"));
  free(s.pts);
  mfh_values_free(&c.numbers);
  kit_free("gci", d);
}
END_TEST

/* gci {order: 1, spacing: SP} parsed on the axis x[0..n-1] (NULL sp: none). */
static void *gci_parse_on(const double *x, size_t n, const char *sp) {
  const mfh_check_type *t = mfh_check_find("gci");
  mfh_check_value vals[2] = {{.key = "order", .node = MFH_NODE_SCALAR, .text = "1"},
                             {.key = "spacing", .node = MFH_NODE_SCALAR, .text = sp}};
  mfh_check_input in = {.where = "checks[1].gci", .n = sp ? 2 : 1, .values = vals, .axis_name = "t", .axis_n = n,
                        .axis_values = x};
  void *data = calloc(1, t->size);
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(t->parse(&in, data, &err) == MFH_OK, "%s", err.msg);
  return data;
}

/* phi = h exactly on h = 1/16, 1/32, 1/64 (N = 16, 32, 64, spacing 1/N):
 * p = 1 to the last bit, so the order edge is exact: order 3/2, tol 1/2
 * passes, one ulp less tolerance fails. */
START_TEST(gci_order_edges) {
  double x[3] = {16, 32, 64}, phi[3] = {1.0 / 16, 1.0 / 32, 1.0 / 64};
  mfh_series s = kit_series(3, x, phi, NULL);
  mfh_check_view v = {.series = &s, .refine_dir = 1};
  mfh_check_result c = {0};
  char tol[40];
  void *d = kit_parse("gci", "order", "1.5", "tol", "0.5", NULL);
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_PASS, c);
  ck_assert(num(&c, "p") == 1 && num(&c, "phi_ext") == 0 && num(&c, "p_iterations") == 1);
  kit_free("gci", d);
  snprintf(tol, sizeof tol, "%.17g", up(1.5)); /* up(1.5) - 0.5 = up(1) exactly */
  d = kit_parse("gci", "order", tol, "tol", "0.5", NULL);
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_FAIL, c);
  ck_assert_ptr_nonnull(strstr(c.summary, " - slower than proved"));
  kit_free("gci", d);
  d = kit_parse("gci", "order", tol, "tol", "0.5", "label", "formal", NULL); /* not asserted */
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_INCONCLUSIVE, c);
  ck_assert_ptr_nonnull(strstr(c.summary, "formal order 1.5000000000000002"));
  kit_free("gci", d);
  d = kit_parse("gci", "order", "0.5", "tol", "0.25", NULL); /* p = 1 > 0.5 + 0.25 */
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_PASS, c);
  ck_assert_ptr_nonnull(strstr(c.summary, " - faster than proved"));
  kit_free("gci", d);
  /* max_gci: phi1 = 1/64, phi2 = 1/32: e_a = 1, GCI_fine = 1.25 / (2 - 1) = 1.25 */
  d = kit_parse("gci", "order", "1", "max_gci", "1.25", NULL);
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_PASS, c);
  ck_assert(num(&c, "gci_fine") == 1.25);
  kit_free("gci", d);
  snprintf(tol, sizeof tol, "%.17g", down(1.25));
  d = kit_parse("gci", "order", "1", "max_gci", tol, NULL);
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_FAIL, c);
  ck_assert_ptr_nonnull(strstr(c.summary, "GCI_fine > max"));
  kit_free("gci", d);
  /* spacing value on the same numbers read as dt = 1/16, 1/32, 1/64 */
  double dt[3] = {1.0 / 16, 1.0 / 32, 1.0 / 64};
  free(s.pts);
  s = kit_series(3, dt, phi, NULL);
  d = gci_parse_on(dt, 3, "value");
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_PASS, c);
  ck_assert(num(&c, "p") == 1 && num(&c, "h1") == 1.0 / 64);
  kit_free("gci", d);
  d = gci_parse_on(dt, 3, NULL); /* auto on a shrinking axis: h = the value */
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_PASS, c);
  ck_assert(num(&c, "h1") == 1.0 / 64);
  free(s.pts);
  mfh_values_free(&c.numbers);
  kit_free("gci", d);
}
END_TEST

/* Convergence kinds, noise, equal levels, two levels, the trend. */
START_TEST(gci_convergence_kinds) {
  void *d = kit_parse("gci", "order", "1", NULL);
  mfh_check_result c = {0};
  double x[4] = {8, 16, 32, 64};
  struct {
    double phi[3];
    int want;
    const char *says;
  } cases[] = {
      {{1, 0.5, 0.75}, MFH_INCONCLUSIVE, "(oscillatory, R = -0.5"},       /* eps21 -0.25, eps32 0.5 */
      {{1, 0.5, 1}, MFH_FAIL, "(oscillatory divergence, R = -1"},         /* |R| = 1 */
      {{1, 0.9, 0.7}, MFH_FAIL, "(monotone divergence, R = 2"},           /* the change grows */
      {{1, 0.5, 0}, MFH_FAIL, "does not converge: the change grows"},    /* R = 1 */
      {{1, 0.5, 0.5}, MFH_INCONCLUSIVE, "the two finest levels give the same err"},
      {{1, 1, 0.5}, MFH_INCONCLUSIVE, "the 2nd and 3rd finest levels give the same err"},
  };
  for (size_t k = 0; k < NCASES(cases); k++) {
    mfh_series s = kit_series(3, x, cases[k].phi, NULL);
    mfh_check_view v = {.series = &s, .refine_dir = 1};
    int got = kit_judge("gci", d, &v, &c);
    ck_assert_msg(got == cases[k].want && strstr(c.summary, cases[k].says), "case %zu: %s: %s", k,
                  mfh_verdict_text(got), c.summary);
    free(s.pts);
  }
  kit_free("gci", d);
  d = kit_parse("gci", "order", "1", "label", "formal", NULL); /* a formal order does not fail on divergence */
  mfh_series s = kit_series(3, x, cases[2].phi, NULL);
  mfh_check_view v = {.series = &s, .refine_dir = 1};
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_INCONCLUSIVE, c);
  ck_assert_ptr_nonnull(strstr(c.summary, "not a proved order: reported, not asserted"));
  free(s.pts);
  kit_free("gci", d);
  /* noise: eps21 = 1/64 against sigma sqrt(se1^2 + se2^2); se = 1/64 / (3 sqrt 2) puts it on the edge */
  d = kit_parse("gci", "order", "1", NULL);
  double phi[3] = {1.0 / 16, 1.0 / 32, 1.0 / 64};
  double se = 1.0 / 64 / 3 / sqrt(2.0), ses[3] = {0, se, se};
  s = kit_series(3, x + 1, phi, ses);
  v.series = &s;
  while (3 * sqrt(2 * ses[1] * ses[1]) < 1.0 / 64) ses[1] = ses[2] = up(ses[1]); /* now unresolved */
  while (!(3 * sqrt(2 * down(ses[1]) * down(ses[1])) < 1.0 / 64)) ses[1] = ses[2] = down(ses[1]);
  s.pts[1].se = s.pts[2].se = ses[1];
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_INCONCLUSIVE, c);
  ck_assert_ptr_nonnull(strstr(c.summary, "within 3 standard errors of the replica noise"));
  s.pts[1].se = s.pts[2].se = down(ses[1]);
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_PASS, c);
  free(s.pts);
  kit_free("gci", d);
  /* two levels: the given order and Fs = 3; judged only against max_gci */
  d = kit_parse("gci", "order", "1", NULL);
  s = kit_series(2, x, (double[]){1, 0.5}, NULL);
  v.series = &s;
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_INCONCLUSIVE, c);
  ck_assert(num(&c, "safety") == 3 && num(&c, "phi_ext") == 0 && num(&c, "gci_fine") == 3 && isnan(num(&c, "p")));
  ck_assert_ptr_nonnull(strstr(c.summary, "two levels: no observed order, proved order 1 assumed"));
  kit_free("gci", d);
  d = kit_parse("gci", "order", "1", "max_gci", "3", NULL);
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_PASS, c);
  kit_free("gci", d);
  d = kit_parse("gci", "order", "1", "max_gci", "2.9999999999999996", NULL);
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_FAIL, c);
  free(s.pts);
  kit_free("gci", d);
  /* the trend: p of every triple, coarse to fine (here 2, 2 exactly: phi = h^2) */
  d = kit_parse("gci", "order", "2", NULL);
  s = kit_series(4, x, (double[]){1.0 / 64, 1.0 / 256, 1.0 / 1024, 1.0 / 4096}, NULL);
  v.series = &s;
  VERDICT_IS(kit_judge("gci", d, &v, &c), MFH_PASS, c);
  ck_assert(num(&c, "p_triple_1") == 2 && num(&c, "p_triple_2") == 2);
  ck_assert_ptr_nonnull(strstr(c.summary, "; p trend 2, 2)"));
  free(s.pts);
  mfh_values_free(&c.numbers);
  kit_free("gci", d);
}
END_TEST

/* Parse-time refusals that need an axis the study kit cannot give. */
START_TEST(gci_parse_axes) {
  const mfh_check_type *t = mfh_check_find("gci");
  mfh_check_value order = {.key = "order", .node = MFH_NODE_SCALAR, .text = "2"};
  mfh_check_value spacing = {.key = "spacing", .node = MFH_NODE_SCALAR, .text = "value"};
  mfh_check_value vals[2] = {order, spacing};
  const double zero[3] = {0, 1, 2}, grow[3] = {1, 2, 4}, one[1] = {1};
  struct {
    const double *x;
    size_t n, nvals;
    const char *says;
  } cases[] = {
      {one, 1, 1, "a gci check needs at least 2 levels on axis t (it has 1)"},
      {zero, 3, 1, "every t must be > 0 to give a spacing (got 0)"},
      {grow, 3, 2, "spacing value makes h grow or stay from t = 1 to 2"},
  };
  for (size_t k = 0; k < NCASES(cases); k++) {
    mfh_check_input in = {.where = "checks[1].gci", .n = cases[k].nvals, .values = vals, .axis_name = "t",
                          .axis_n = cases[k].n, .axis_values = cases[k].x};
    void *data = calloc(1, t->size);
    mfh_err err;
    mfh_err_clear(&err);
    ck_assert_int_eq(t->parse(&in, data, &err), MFH_EINPUT);
    ck_assert_msg(strstr(err.msg, cases[k].says), "%s", err.msg);
    free(data);
  }
}
END_TEST

/* ---- the registry and every kind ----------------------------------------------- */

START_TEST(registry_is_complete) {
  size_t n = 0;
  for (size_t i = 0; mfh_checks[i]; i++, n++) {
    const mfh_check_type *t = mfh_checks[i];
    ck_assert_msg(t->name && *t->name, "check %zu has no name", i);
    ck_assert_ptr_eq(mfh_check_find(t->name), t);
    for (size_t j = 0; j < i; j++) ck_assert_str_ne(mfh_checks[j]->name, t->name);
    ck_assert_msg(t->doc && strlen(t->doc) > 20, "%s: no doc", t->name);
    ck_assert_msg(t->example && t->example[0] == '{', "%s: no example", t->name);
    ck_assert_msg(t->parse && t->judge && t->size > 0, "%s: no parse, judge or size", t->name);
    ck_assert_msg(!t->curve == !t->curve_label, "%s: a curve needs its label", t->name);
    ck_assert_msg(!t->fit_opts == (t->fit_rank == 0), "%s: a fit needs a rank", t->name);
    ck_assert_msg(t->axis || (!t->fit_opts && !t->curve && !t->annotate), "%s: series hooks need an axis", t->name);
    for (size_t k = 0; k < t->nsettings; k++) {
      const mfh_check_setting *st = &t->settings[k];
      ck_assert_msg(st->name && st->doc && *st->doc, "%s: setting %zu undocumented", t->name, k);
      ck_assert_msg(strcmp(st->name, "axis") && strcmp(st->name, "measure"), "%s: %s is the pipeline's", t->name,
                    st->name);
      for (size_t j = 0; j < k; j++) ck_assert_str_ne(t->settings[j].name, st->name);
    }
  }
  ck_assert_uint_eq(n, 7);
  ck_assert_ptr_null(mfh_check_find("nope"));
}
END_TEST

static const char *STUDY =
    "id: c1\n"
    "title: test\n"
    "theorem: FG-1\n"
    "system: iid\n"
    "model: {law: uniform, dim: 1}\n"
    "observable: {name: wp_law, p: 1}\n"
    "measure: [wp, wpp]\n"
    "sweep:\n"
    "  N: [16, 32, 64, 128, 256]\n"
    "checks:\n"
    "  - %s: %s\n";

static int load_check(const mfh_check_type *t, const char *settings, mfh_study *s, mfh_err *err) {
  char *dir = mfh_test_tmpdir(), path[512], text[2048];
  snprintf(path, sizeof path, "%s/s.yaml", dir);
  snprintf(text, sizeof text, STUDY, t->name, settings);
  mfh_test_write(path, text);
  mfh_err_clear(err);
  int rc = mfh_study_load(path, "full", -1, s, err);
  free(dir);
  return rc;
}

/* Every kind: its example loads; documented defaults are the parsed ones; it
 * reads its measure (the first by default, else the one named, with its
 * place); an unknown key is refused at its line and column. */
START_TEST(every_kind_conforms) {
  const mfh_check_type *t = mfh_checks[_i];
  mfh_study s;
  mfh_err err;
  ck_assert_msg(load_check(t, t->example, &s, &err) == 0, "%s %s: %s", t->name, t->example, err.msg);
  ck_assert_uint_eq(s.nchecks, 1);
  ck_assert_ptr_eq(s.checks[0].type, t);
  ck_assert_int_eq(s.checks[0].axis, t->axis ? 0 : -1);
  for (size_t k = 0; k < t->nsettings; k++) {
    const mfh_check_setting *st = &t->settings[k];
    double v, def;
    int numeric = st->kind == MFH_SETTING_REAL || st->kind == MFH_SETTING_BOOL || st->kind == MFH_SETTING_COUNT;
    ck_assert_int_eq(mfh_check_number(&s.checks[0], st->name, &v), numeric ? MFH_OK : MFH_EINPUT);
    if (!numeric || !st->def || !*st->def || strstr(t->example, st->name)) continue;
    if (st->kind == MFH_SETTING_BOOL)
      def = !strcmp(st->def, "true");
    else
      ck_assert_int_eq(mfh_number_parse(st->def, &def), MFH_OK);
    ck_assert_msg(v == def, "%s.%s: documented default %s, parsed %g", t->name, st->name, st->def, v);
  }
  const char *names[4];
  mfh_mark marks[4];
  ck_assert_uint_eq(mfh_check_reads(&s.checks[0], names, marks, 4), 1);
  ck_assert_str_eq(names[0], "wp");
  ck_assert_int_eq(marks[0].line, 11); /* defaulted: the check's own key */
  ck_assert_int_eq(marks[0].col, 5);
  mfh_study_free(&s);
  /* name the second measure */
  char set[256];
  snprintf(set, sizeof set, "{measure: wpp, %s", t->example + 1);
  if (!strcmp(t->example, "{}")) snprintf(set, sizeof set, "{measure: wpp}");
  ck_assert_msg(load_check(t, set, &s, &err) == 0, "%s %s: %s", t->name, set, err.msg);
  ck_assert_uint_eq(mfh_check_reads(&s.checks[0], names, marks, 4), 1);
  ck_assert_str_eq(names[0], "wpp");
  ck_assert_int_eq(s.checks[0].measure, 1);
  ck_assert_int_eq(marks[0].line, 11);
  ck_assert_int_eq(marks[0].col, 17 + (int)strlen(t->name)); /* "  - KIND: {measure: wpp" */
  mfh_study_free(&s);
  /* an unknown key */
  snprintf(set, sizeof set, "{bogus: 1, %s", t->example + 1);
  if (!strcmp(t->example, "{}")) snprintf(set, sizeof set, "{bogus: 1}");
  ck_assert_int_eq(load_check(t, set, &s, &err), MFH_EINPUT);
  char want[128];
  snprintf(want, sizeof want, "checks[1].%s: unknown key 'bogus'", t->name);
  ck_assert_msg(strstr(err.msg, want) == err.msg, "%s", err.msg);
  ck_assert_int_eq(err.line, 11);
  ck_assert_int_eq(err.col, 8 + (int)strlen(t->name));
}
END_TEST

/* Messages of the study loader that name the kinds come from the registry. */
START_TEST(kind_lists_in_messages) {
  mfh_check_type fake = {.name = "nope"};
  mfh_study s;
  mfh_err err;
  ck_assert_int_eq(load_check(&fake, "{}", &s, &err), MFH_EINPUT);
  ck_assert_str_eq(err.msg, "checks[1]: unknown check 'nope' (known: rate, bound, expected, uniform, constant, "
                            "expansion, gci)");
  ck_assert_int_eq(err.col, 5);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("checks");
  TCase *tc = tcase_create("verdicts");
  tcase_add_test(tc, rate_edges_n_axis);
  tcase_add_test(tc, rate_edges_eps_axis);
  tcase_add_test(tc, rate_edges_exp_model);
  tcase_add_test(tc, rate_literature_label);
  tcase_add_test(tc, rate_without_interval);
  tcase_add_test(tc, rate_numbers);
  tcase_add_test(tc, rate_fit_options_and_plot);
  tcase_add_test(tc, uniform_edges);
  tcase_add_test(tc, uniform_labelled);
  tcase_add_test(tc, bound_edges_mean);
  tcase_add_test(tc, bound_edges_max);
  tcase_add_test(tc, bound_curve);
  tcase_add_test(tc, constant_edges);
  tcase_add_test(tc, constant_slope_and_from);
  tcase_add_test(tc, expansion_edges);
  tcase_add_test(tc, expected_edges);
  tcase_add_test(tc, expected_missing_points);
  tcase_add_test(tc, gci_celik_table1);
  tcase_add_test(tc, gci_order_edges);
  tcase_add_test(tc, gci_convergence_kinds);
  tcase_add_test(tc, gci_parse_axes);
  suite_add_tcase(s, tc);
  TCase *reg = tcase_create("registry");
  tcase_add_test(reg, registry_is_complete);
  size_t n = 0;
  while (mfh_checks[n]) n++;
  tcase_add_loop_test(reg, every_kind_conforms, 0, (int)n);
  tcase_add_test(reg, kind_lists_in_messages);
  suite_add_tcase(s, reg);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
