/* Tests for report/ (the entry points and the writer registry) and
 * core/results: a synthetic study rendered into a temporary folder, then
 * every file checked. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fsutil.h"
#include "report/report.h"
#include "report/model.h"
#include "report/writer.h"
#include "core/results.h"
#include "tests/testutil.h"

/* ---- building a study by hand --------------------------------------------- */

/* Ordinary least squares of log y on log x over the used points, written
 * into f the way the fitter reports it (t quantiles for 95%). */
static void hand_fit(mfh_fit_result *f, const mfh_point_stats *p, size_t n,
                     const unsigned char *used) {
  static const double t95[] = {NAN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365};
  memset(f, 0, sizeof *f);
  f->model = MFH_FIT_POWER;
  f->n = n;
  f->used = calloc(n, 1);
  f->local = calloc(n > 1 ? n - 1 : 1, sizeof *f->local);
  ck_assert(f->used && f->local);
  double sx = 0, sy = 0, m = 0;
  for (size_t i = 0; i < n; i++) {
    f->used[i] = used[i];
    if (!used[i]) continue;
    sx += log(p[i].x);
    sy += log(p[i].mean);
    m++;
  }
  double xb = sx / m, yb = sy / m, sxx = 0, sxy = 0;
  for (size_t i = 0; i < n; i++)
    if (used[i]) {
      sxx += (log(p[i].x) - xb) * (log(p[i].x) - xb);
      sxy += (log(p[i].x) - xb) * (log(p[i].mean) - yb);
    }
  f->n_used = (size_t)m;
  f->slope = sxy / sxx;
  f->intercept = yb - f->slope * xb;
  double ssr = 0;
  for (size_t i = 0; i < n; i++)
    if (used[i]) {
      double r = log(p[i].mean) - f->intercept - f->slope * log(p[i].x);
      ssr += r * r;
    }
  double s2 = m > 2 ? ssr / (m - 2) : NAN;
  f->slope_se = sqrt(s2 / sxx);
  f->intercept_se = sqrt(s2 * (1 / m + xb * xb / sxx));
  f->cov = -xb * s2 / sxx;
  f->t_crit = m >= 3 && m - 2 < 8 ? t95[(size_t)m - 2] : (m >= 3 ? 2.3 : INFINITY);
  f->slope_lo = f->slope - f->t_crit * f->slope_se;
  f->slope_hi = f->slope + f->t_crit * f->slope_se;
  f->r2 = 0.998;
  f->chi2_dof = NAN;
  f->level = 0.95;
  for (size_t i = 0; i + 1 < n; i++)
    f->local[i] = log(p[i + 1].mean / p[i].mean) / log(p[i + 1].x / p[i].x);
}

static void set_point(mfh_point_stats *p, double x, double mean, double se, size_t nrep,
                      size_t nfailed) {
  p->x = x;
  p->mean = mean;
  p->se = se;
  p->nrep = nrep;
  p->nfailed = nfailed;
  p->sd = se * sqrt((double)nrep);
  p->min = mean - 2 * p->sd;
  p->max = mean + 2 * p->sd;
}

static void add_check(mfh_study_result *r, const char *kind, const char *name, int verdict,
                      const char *summary, int series, double slope) {
  mfh_check_result *c = &r->checks[r->nchecks++];
  snprintf(c->kind, sizeof c->kind, "%s", kind);
  snprintf(c->name, sizeof c->name, "%s", name);
  snprintf(c->summary, sizeof c->summary, "%s", summary);
  c->verdict = verdict;
  c->series = series;
  ck_assert_int_eq(mfh_values_set(&c->numbers, "slope", slope), MFH_OK);
  ck_assert_int_eq(mfh_values_set(&c->numbers, "tol", 0.1), MFH_OK);
  ck_assert_int_eq(mfh_values_set(&c->numbers, "undefined", NAN), MFH_OK);
}

/* Reference values kept to compare with what comes back from results.json. */
static const double N_MEAN2 = 0.8 * 0.05 * 0.97; /* series 0, point 2 (N = 400) */

/* Two series (N with a fit, an excluded point, failed replicas and an
 * explicit bound; eps with a log-factor proved rate and a zero-se point) and
 * one check of every verdict. */
static mfh_study_result *make_study(const char *id) {
  mfh_study_result *r = calloc(1, sizeof *r);
  ck_assert_ptr_nonnull(r);
  snprintf(r->id, sizeof r->id, "%s", id);
  snprintf(r->title, sizeof r->title, "Propagation of chaos in W_1 & \"friends\" <T>");
  snprintf(r->theorem, sizeof r->theorem, "FG-1");
  snprintf(r->source, sizeof r->source, "seed.md:120-140");
  snprintf(r->file, sizeof r->file, "studies/%s.yaml", id);
  snprintf(r->profile, sizeof r->profile, "quick");
  snprintf(r->solver, sizeof r->solver, "particles");
  snprintf(r->observable, sizeof r->observable, "w1");
  r->ntasks = 110;
  r->ntasks_cached = 10;
  r->ntasks_run = 100;
  r->ntasks_failed = 2;
  r->elapsed_s = 12.5;
  r->nseries = 2;
  r->series = calloc(2, sizeof *r->series);
  ck_assert_ptr_nonnull(r->series);

  mfh_series *s = &r->series[0];
  snprintf(s->axis, sizeof s->axis, "N");
  snprintf(s->measure, sizeof s->measure, "wpp");
  snprintf(s->label, sizeof s->label, "E W_1(mu_N, mu)");
  static const double fac[] = {1.45, 1.02, 0.97, 1.03, 0.99, 1.01};
  s->n = 6;
  s->pts = calloc(s->n, sizeof *s->pts);
  s->bound = calloc(s->n, sizeof *s->bound);
  ck_assert(s->pts && s->bound);
  unsigned char used[6] = {0, 1, 1, 1, 1, 1};
  for (size_t i = 0; i < s->n; i++) {
    double N = 100 * pow(2, (double)i), mean = 0.8 * pow(N, -0.5) * fac[i];
    set_point(&s->pts[i], N, mean, 0.05 * mean, i == 3 ? 18 : 20, i == 3 ? 2 : 0);
    s->bound[i] = 0.75 * pow(N, -0.5);
  }
  ck_assert_double_eq(s->pts[2].mean, N_MEAN2);
  s->has_fit = 1;
  hand_fit(&s->fit, s->pts, s->n, used);
  s->fit.flags = MFH_FIT_PREASYMPTOTIC;
  s->fit.n_excluded_pre = 1;
  s->fit.weighted = 1;
  s->fit.chi2_dof = 1.3;
  snprintf(s->fit.note, sizeof s->fit.note, "first point pre-asymptotic");
  s->has_proved = 1;
  s->proved_slope = -0.5;
  snprintf(s->bound_label, sizeof s->bound_label, "explicit bound 0.75 N^{-1/2}");

  s = &r->series[1];
  snprintf(s->axis, sizeof s->axis, "eps");
  snprintf(s->measure, sizeof s->measure, "err_x");
  snprintf(s->label, sizeof s->label, "sup_t |x_eps - x|");
  s->n = 5;
  s->pts = calloc(s->n, sizeof *s->pts);
  ck_assert_ptr_nonnull(s->pts);
  unsigned char used1[5] = {1, 1, 1, 1, 1};
  for (size_t i = 0; i < s->n; i++) {
    double eps = 0.1 / pow(2, (double)i), mean = 0.3 * eps * fabs(log(eps)) * (1 + 0.03 * (i % 2));
    set_point(&s->pts[i], eps, mean, i == 4 ? 0 : 0.04 * mean, i == 4 ? 1 : 10, 0);
  }
  s->has_fit = 1;
  hand_fit(&s->fit, s->pts, s->n, used1);
  s->has_proved = 1;
  s->proved_slope = 1;
  s->proved_log = 1;

  r->checks = calloc(4, sizeof *r->checks);
  ck_assert_ptr_nonnull(r->checks);
  add_check(r, "rate", "rate[N] wpp", MFH_PASS, "proved slope -0.5, observed -0.50 +/- 0.02 (95%)",
            0, r->series[0].fit.slope);
  add_check(r, "bound", "bound[N] wpp", MFH_FAIL, "exceeds the bound at 6 of 6 points & <more>",
            0, NAN);
  add_check(r, "rate", "rate[eps] err_x", MFH_INCONCLUSIVE,
            "proved slope 1 (log), observed 1.2 +/- 0.3 \xc2\xb1 wide", 1, r->series[1].fit.slope);
  add_check(r, "expected", "expected", MFH_CHECK_ERROR, "2 tasks failed", -1, 0);
  return r;
}

static void free_study(mfh_study_result *r) {
  mfh_study_result_free(r);
  free(r);
}

/* ---- helpers ---------------------------------------------------------------- */

static char *path2(const char *a, const char *b) {
  char *p = mfh_path_join(a, b);
  ck_assert_ptr_nonnull(p);
  return p;
}

static char *slurp(const char *dir, const char *name) {
  char *p = path2(dir, name), *data = NULL;
  mfh_err err;
  int rc = mfh_read_file(p, &data, NULL, &err);
  ck_assert_msg(rc == MFH_OK, "cannot read %s", p);
  free(p);
  return data;
}

static void assert_nonempty(const char *dir, const char *name) {
  char *p = path2(dir, name);
  struct stat st;
  ck_assert_msg(stat(p, &st) == 0, "%s missing", p);
  ck_assert_msg(st.st_size > 0, "%s is empty", p);
  free(p);
}

static int exists_in(const char *dir, const char *name) {
  char *p = path2(dir, name);
  int e = mfh_path_exists(p);
  free(p);
  return e;
}

static size_t count(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
  return n;
}

static int have_gnuplot(void) { return mfh_test_run("command -v gnuplot", NULL) == 0; }

static void assert_png(const char *dir) {
  char *p = path2(dir, "plot.png");
  FILE *f = fopen(p, "rb");
  ck_assert_msg(f != NULL, "%s missing", p);
  unsigned char magic[8] = {0};
  ck_assert_uint_eq(fread(magic, 1, 8, f), 8);
  fclose(f);
  static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  ck_assert_msg(memcmp(magic, png, 8) == 0, "%s is not a PNG", p);
  free(p);
  char *svg = slurp(dir, "plot.svg");
  ck_assert_msg(strstr(svg, "<svg") != NULL, "plot.svg has no <svg");
  free(svg);
}

/* ---- tests ------------------------------------------------------------------- */

START_TEST(test_results_basics) {
  ck_assert_str_eq(mfh_verdict_text(MFH_PASS), "pass");
  ck_assert_str_eq(mfh_verdict_text(MFH_FAIL), "fail");
  ck_assert_str_eq(mfh_verdict_text(MFH_INCONCLUSIVE), "inconclusive");
  ck_assert_str_eq(mfh_verdict_text(MFH_CHECK_ERROR), "error");

  mfh_study_result z;
  memset(&z, 0, sizeof z);
  ck_assert_int_eq(mfh_study_result_worst(&z), MFH_PASS);
  mfh_study_result_free(&z); /* zeroed struct */
  mfh_study_result_free(NULL);

  mfh_check_result c[3];
  memset(c, 0, sizeof c);
  z.checks = c;
  z.nchecks = 2;
  c[0].verdict = MFH_PASS;
  c[1].verdict = MFH_INCONCLUSIVE;
  ck_assert_int_eq(mfh_study_result_worst(&z), MFH_INCONCLUSIVE);
  c[0].verdict = MFH_CHECK_ERROR;
  ck_assert_int_eq(mfh_study_result_worst(&z), MFH_CHECK_ERROR);
  c[1].verdict = MFH_FAIL;
  ck_assert_int_eq(mfh_study_result_worst(&z), MFH_FAIL);
  z.nchecks = 3;
  c[1].verdict = MFH_PASS;
  c[2].verdict = MFH_PASS;
  c[0].verdict = MFH_PASS;
  ck_assert_int_eq(mfh_study_result_worst(&z), MFH_PASS);

  mfh_study_result *r = make_study("x");
  ck_assert_int_eq(mfh_study_result_worst(r), MFH_FAIL);
  mfh_study_result_free(r);
  ck_assert_ptr_null(r->series);
  ck_assert_uint_eq(r->nseries, 0);
  free(r);
}
END_TEST

START_TEST(test_study_files) {
  char *dir = mfh_test_tmpdir(), *sub = path2(dir, "deep/study");
  mfh_study_result *r = make_study("fg1-chaos");
  mfh_err err;
  mfh_err_clear(&err);
  int rendered = -1, warned = 0;
  mfh_report_opts o = {1, NULL, &warned, stderr};
  int rc = mfh_report_study(r, sub, &o, &rendered, &err);
  ck_assert_msg(rc == MFH_OK, "report failed: %s", err.msg);
  const char *files[] = {"plot.gp", "s1-N-wpp.dat", "s1-N-wpp.curve.dat", "s2-eps-err_x.dat",
                         "s2-eps-err_x.curve.dat", "results.json", "summary.md"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) assert_nonempty(sub, files[i]);
  if (have_gnuplot()) {
    ck_assert_int_eq(rendered, 1);
    assert_png(sub);
  }

  /* data file: header with the column names, one row per point, exact numbers */
  char *dat = slurp(sub, "s1-N-wpp.dat");
  ck_assert_msg(strstr(dat, "# columns: x mean se sd nrep nfailed used bound fit band_lo band_hi"),
                "data header missing");
  char want[128];
  snprintf(want, sizeof want, "\n400 %.17g ", N_MEAN2);
  ck_assert_msg(strstr(dat, want) != NULL, "row for N=400 missing: %s", want);
  const char *row0 = strstr(dat, "\n100 "), *row3 = strstr(dat, "\n800 ");
  ck_assert_msg(row0 && strstr(row0, " 20 0 0 ") < strchr(row0 + 1, '\n'),
                "excluded first point not marked");
  ck_assert_msg(row3 && strstr(row3, " 18 2 1 ") < strchr(row3 + 1, '\n'),
                "failed replicas not written");
  free(dat);

  /* plot.gp: escaped texts, the elements that must be there */
  char *gp = slurp(sub, "plot.gp");
  ck_assert_msg(strstr(gp, "W\\\\_1") != NULL, "underscore not escaped for enhanced text");
  ck_assert_msg(strstr(gp, "\\\"friends\\\"") != NULL, "quotes not escaped");
  ck_assert_msg(strstr(gp, "N^{-1/2}") != NULL, "proved-rate label missing");
  ck_assert_msg(strstr(gp, "eps^{1}\xc2\xa0log eps") != NULL, "log-factor proved label missing");
  ck_assert_msg(strstr(gp, "filledcurves") != NULL, "confidence band missing");
  ck_assert_msg(strstr(gp, "multiplot layout 1,2") != NULL, "no multiplot for two series");
  ck_assert_msg(strstr(gp, "excluded from fit") != NULL, "excluded points not drawn");
  ck_assert_msg(strstr(gp, "failed replicas") != NULL, "failed replicas not marked");
  ck_assert_msg(strstr(gp, "explicit bound 0.75 N\\\\^\\\\{-1/2\\\\}") != NULL,
                "bound label missing or unescaped");
  ck_assert_msg(strstr(gp, "pngcairo") && strstr(gp, "terminal svg"), "terminals missing");
  free(gp);

  char *md = slurp(sub, "summary.md");
  ck_assert_msg(strstr(md, "| rate[N] wpp | rate | **PASS** |") != NULL, "checks table: %s", md);
  ck_assert_msg(strstr(md, "- Theorem: FG-1") != NULL, "theorem missing");
  ck_assert_msg(strstr(md, "points & &lt;more> |") != NULL, "markdown cell not escaped");
  ck_assert_msg(strstr(md, "## Series 2: err_x vs eps") != NULL, "series 2 section missing");
  free(md);

  free_study(r);
  free(sub);
  free(dir);
}
END_TEST

START_TEST(test_results_json) {
  char *dir = mfh_test_tmpdir();
  mfh_study_result *r = make_study("fg1-chaos");
  mfh_err err;
  mfh_report_opts o = {0, NULL, NULL, NULL};
  ck_assert_int_eq(mfh_report_study(r, dir, &o, NULL, &err), MFH_OK);
  char *p = path2(dir, "results.json");
  json_error_t jerr;
  json_t *root = json_load_file(p, 0, &jerr);
  ck_assert_msg(root != NULL, "results.json does not parse: %s (line %d)", jerr.text, jerr.line);

  ck_assert_str_eq(json_string_value(json_object_get(root, "schema")), "mfh-results/1");
  ck_assert_str_eq(json_string_value(json_object_get(root, "verdict")), "fail");
  json_t *study = json_object_get(root, "study");
  ck_assert_str_eq(json_string_value(json_object_get(study, "id")), "fg1-chaos");
  ck_assert_str_eq(json_string_value(json_object_get(study, "title")),
                   "Propagation of chaos in W_1 & \"friends\" <T>");
  json_t *tasks = json_object_get(root, "tasks");
  ck_assert_int_eq(json_integer_value(json_object_get(tasks, "total")), 110);
  ck_assert_int_eq(json_integer_value(json_object_get(tasks, "failed")), 2);

  json_t *series = json_object_get(root, "series");
  ck_assert_uint_eq(json_array_size(series), 2);
  json_t *s0 = json_array_get(series, 0);
  ck_assert_str_eq(json_string_value(json_object_get(s0, "axis")), "N");
  json_t *pts = json_object_get(s0, "points");
  ck_assert_uint_eq(json_array_size(pts), 6);
  json_t *p2 = json_array_get(pts, 2);
  ck_assert(json_real_value(json_object_get(p2, "mean")) == N_MEAN2); /* exact round trip */
  ck_assert(json_real_value(json_object_get(p2, "x")) == 400);
  ck_assert(json_is_true(json_object_get(p2, "used")));
  ck_assert(json_is_false(json_object_get(json_array_get(pts, 0), "used")));
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(pts, 3), "nfailed")), 2);
  ck_assert(json_real_value(json_object_get(p2, "bound")) == r->series[0].bound[2]);
  json_t *fit = json_object_get(s0, "fit");
  ck_assert(json_real_value(json_object_get(fit, "slope")) == r->series[0].fit.slope);
  ck_assert(json_real_value(json_object_get(fit, "cov")) == r->series[0].fit.cov);
  ck_assert_str_eq(json_string_value(json_object_get(fit, "model")), "power");
  ck_assert_uint_eq(json_array_size(json_object_get(fit, "local")), 5);
  ck_assert(json_real_value(json_array_get(json_object_get(fit, "local"), 1)) ==
            r->series[0].fit.local[1]);
  json_t *flags = json_object_get(fit, "flags");
  ck_assert_uint_eq(json_array_size(flags), 1);
  ck_assert_str_eq(json_string_value(json_array_get(flags, 0)), "preasymptotic");
  ck_assert_int_eq(json_integer_value(json_object_get(fit, "flags_value")), MFH_FIT_PREASYMPTOTIC);
  ck_assert(json_real_value(json_object_get(json_object_get(s0, "proved"), "slope")) == -0.5);
  ck_assert_str_eq(json_string_value(json_object_get(s0, "bound_label")),
                   "explicit bound 0.75 N^{-1/2}");

  json_t *s1 = json_array_get(series, 1);
  ck_assert(json_is_null(json_object_get(s1, "bound_label")));
  ck_assert(json_is_null(json_object_get(json_array_get(json_object_get(s1, "points"), 0), "bound")));
  ck_assert(json_is_null(json_object_get(json_object_get(s1, "fit"), "chi2_dof"))); /* NaN */
  ck_assert(json_is_true(json_object_get(json_object_get(s1, "proved"), "log")));

  json_t *checks = json_object_get(root, "checks");
  ck_assert_uint_eq(json_array_size(checks), 4);
  const char *verdicts[] = {"pass", "fail", "inconclusive", "error"};
  for (size_t i = 0; i < 4; i++)
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(checks, i), "verdict")),
                     verdicts[i]);
  json_t *c0 = json_array_get(checks, 0);
  ck_assert_str_eq(json_string_value(json_object_get(c0, "kind")), "rate");
  ck_assert_int_eq(json_integer_value(json_object_get(c0, "series")), 0);
  json_t *nums = json_object_get(c0, "numbers");
  ck_assert(json_real_value(json_object_get(nums, "slope")) == r->series[0].fit.slope);
  ck_assert(json_is_null(json_object_get(nums, "undefined")));
  ck_assert(json_is_null(json_object_get(json_array_get(checks, 3), "series")));

  /* key order is insertion order, not sorted */
  char *text = slurp(dir, "results.json");
  const char *k1 = strstr(text, "\"schema\""), *k2 = strstr(text, "\"study\""),
             *k3 = strstr(text, "\"checks\"");
  ck_assert_msg(k1 && k2 && k3 && k1 < k2 && k2 < k3, "keys not in insertion order");
  free(text);

  /* render = 0: no images, stale ones removed */
  ck_assert(!exists_in(dir, "plot.png"));
  json_decref(root);
  free(p);
  free_study(r);
  free(dir);
}
END_TEST

START_TEST(test_run_files) {
  char *dir = mfh_test_tmpdir();
  mfh_study_result *a = make_study("fg1-chaos"), *b = make_study("second study");
  b->checks[1].verdict = MFH_PASS; /* b: pass, pass, inconclusive, error */
  const mfh_study_result *st[2] = {a, b};
  mfh_err err;
  mfh_err_clear(&err);
  int warned = 0;
  mfh_report_opts o = {1, NULL, &warned, stderr};
  int rc = mfh_report_run(st, 2, dir, &o, &err);
  ck_assert_msg(rc == MFH_OK, "run report failed: %s", err.msg);
  const char *files[] = {"index.html", "junit.xml", "summary.md", "fg1-chaos/results.json",
                         "second study/summary.md", "second study/plot.gp"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) assert_nonempty(dir, files[i]);

  char *x = slurp(dir, "junit.xml");
  ck_assert_uint_eq(count(x, "<testsuite "), 2);
  ck_assert_uint_eq(count(x, "<testcase "), 8);
  ck_assert_uint_eq(count(x, "<failure "), 1);
  ck_assert_uint_eq(count(x, "<error "), 2);
  ck_assert_uint_eq(count(x, "<skipped "), 2);
  ck_assert_msg(strstr(x, "tests=\"8\" failures=\"1\" errors=\"2\" skipped=\"2\""),
                "testsuites totals wrong");
  ck_assert_msg(strstr(x, "&amp; &lt;more&gt;") != NULL, "XML text not escaped");
  ck_assert_msg(strstr(x, "<more>") == NULL, "raw markup in XML");
  ck_assert_msg(strstr(x, "slope = ") != NULL, "numbers missing from failure text");
  free(x);

  char *h = slurp(dir, "index.html");
  if (have_gnuplot()) {
    ck_assert_msg(strstr(h, "<img src=\"fg1-chaos/plot.png\"") != NULL, "PNG not embedded");
    ck_assert_msg(strstr(h, "<img src=\"second%20study/plot.png\"") != NULL,
                  "href not percent-encoded");
    char *sub = path2(dir, "second study");
    assert_png(sub);
    free(sub);
  }
  ck_assert_msg(strstr(h, "W_1 &amp; &quot;friends&quot; &lt;T&gt;") != NULL,
                "HTML text not escaped");
  ck_assert_msg(strstr(h, "class=\"v fail\"") && strstr(h, "class=\"v inconclusive\"") &&
                    strstr(h, "class=\"v error\"") && strstr(h, "class=\"v pass\""),
                "verdict colours missing");
  ck_assert_uint_eq(count(h, "<tr><td>"), 8);
  free(h);

  char *md = slurp(dir, "summary.md");
  ck_assert_msg(strstr(md, "2 studies, 8 checks: 3 pass, 1 fail, 2 inconclusive, 2 error.") != NULL,
                "run summary counts: %s", md);
  ck_assert_uint_eq(count(md, "| **"), 8);
  free(md);

  free_study(a);
  free_study(b);
  free(dir);
}
END_TEST

/* Study folders already written are reused, not re-rendered; missing ones
 * are written. */
START_TEST(test_run_reuses_study_folders) {
  char *dir = mfh_test_tmpdir(), *da = path2(dir, "a"), *db = path2(dir, "b");
  mfh_study_result *a = make_study("a"), *b = make_study("b");
  mfh_err err;
  mfh_err_clear(&err);
  mfh_report_opts none = {0, NULL, NULL, NULL};
  ck_assert_int_eq(mfh_report_study(a, da, &none, NULL, &err), MFH_OK);
  const mfh_study_result *st[2] = {a, b};
  mfh_report_opts o = {have_gnuplot() ? 2 : 0, NULL, NULL, NULL};
  int rc = mfh_report_run(st, 2, dir, &o, &err);
  ck_assert_msg(rc == MFH_OK, "run report failed: %s", err.msg);
  ck_assert(!exists_in(da, "plot.png")); /* a was not rendered again */
  assert_nonempty(db, "results.json"); /* b was written */
  char *h = slurp(dir, "index.html");
  ck_assert_msg(strstr(h, "<img src=\"a/plot.png\"") == NULL, "index shows a missing image");
  ck_assert_msg(strstr(h, "Plot not rendered") != NULL, "index does not say the plot is missing");
  if (have_gnuplot()) {
    ck_assert_msg(strstr(h, "<img src=\"b/plot.png\"") != NULL, "index lacks b's image");
    assert_png(db);
  }
  free(h);
  free_study(a);
  free_study(b);
  free(da);
  free(db);
  free(dir);
}
END_TEST

START_TEST(test_run_bad_ids) {
  char *dir = mfh_test_tmpdir();
  mfh_study_result *a = make_study("../escape"), *b = make_study("same"), *c = make_study("same");
  mfh_report_opts o = {0, NULL, NULL, NULL};
  mfh_err err;
  const mfh_study_result *st1[1] = {a};
  ck_assert_int_eq(mfh_report_run(st1, 1, dir, &o, &err), MFH_EINPUT);
  const mfh_study_result *st2[2] = {b, c};
  ck_assert_int_eq(mfh_report_run(st2, 2, dir, &o, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "same") != NULL, "message: %s", err.msg);
  free_study(a);
  free_study(b);
  free_study(c);
  free(dir);
}
END_TEST

START_TEST(test_gnuplot_required_missing) {
  char *dir = mfh_test_tmpdir();
  mfh_study_result *r = make_study("s");
  mfh_err err;
  mfh_err_clear(&err);
  int rendered = -1;
  mfh_report_opts o = {2, "mfh-no-such-gnuplot-xyz", NULL, NULL};
  ck_assert_int_eq(mfh_report_study(r, dir, &o, &rendered, &err), MFH_EEXTERNAL);
  ck_assert_int_eq(rendered, 0);
  ck_assert_msg(strstr(err.msg, "mfh-no-such-gnuplot-xyz") != NULL, "message: %s", err.msg);
  /* everything but the images is still there */
  assert_nonempty(dir, "plot.gp");
  assert_nonempty(dir, "results.json");
  o.gnuplot = "/nonexistent/bin/gnuplot";
  ck_assert_int_eq(mfh_report_study(r, dir, &o, &rendered, &err), MFH_EEXTERNAL);
  free_study(r);
  free(dir);
}
END_TEST

START_TEST(test_gnuplot_optional_missing_warns_once) {
  char *dir = mfh_test_tmpdir(), *d1 = path2(dir, "a"), *d2 = path2(dir, "b");
  mfh_study_result *r = make_study("s");
  char *log = NULL;
  size_t loglen = 0;
  FILE *warn = open_memstream(&log, &loglen);
  ck_assert_ptr_nonnull(warn);
  int warned = 0, rendered = -1;
  mfh_report_opts o = {1, "mfh-no-such-gnuplot-xyz", &warned, warn};
  mfh_err err;
  /* a stale image from an earlier run must disappear */
  ck_assert_int_eq(mfh_mkdirs(d1, &err), MFH_OK);
  char *stale = path2(d1, "plot.png");
  mfh_test_write(stale, "old");
  ck_assert_int_eq(mfh_report_study(r, d1, &o, &rendered, &err), MFH_OK);
  ck_assert_int_eq(rendered, 0);
  ck_assert_int_eq(mfh_report_study(r, d2, &o, &rendered, &err), MFH_OK);
  fclose(warn);
  ck_assert_int_eq(warned, 1);
  ck_assert_uint_eq(count(log, "warning"), 1);
  ck_assert_msg(strstr(log, "mfh-no-such-gnuplot-xyz") != NULL, "warning: %s", log);
  ck_assert(!mfh_path_exists(stale));
  assert_nonempty(d1, "plot.gp");
  assert_nonempty(d2, "plot.gp");
  assert_nonempty(d2, "s1-N-wpp.dat");
  assert_nonempty(d2, "summary.md");
  char *md = slurp(d2, "summary.md");
  ck_assert_msg(strstr(md, "Plot not rendered") != NULL, "summary claims a plot");
  free(md);
  free(log);
  free(stale);
  free_study(r);
  free(d1);
  free(d2);
  free(dir);
}
END_TEST

START_TEST(test_gnuplot_fails) {
  char *dir = mfh_test_tmpdir(), *fake = path2(dir, "fakegp"), *out = path2(dir, "out");
  mfh_test_write(fake, "#!/bin/sh\necho 'line 3: boom, bad plot' >&2\nexit 3\n");
  ck_assert_int_eq(chmod(fake, 0755), 0);
  mfh_study_result *r = make_study("s");
  mfh_err err;
  mfh_err_clear(&err);
  int rendered = -1;
  mfh_report_opts o = {1, fake, NULL, NULL};
  ck_assert_int_eq(mfh_report_study(r, out, &o, &rendered, &err), MFH_EEXTERNAL);
  ck_assert_int_eq(rendered, 0);
  ck_assert_msg(strstr(err.msg, "boom, bad plot") != NULL, "stderr not in message: %s", err.msg);
  ck_assert_msg(strstr(err.msg, "exit status 3") != NULL, "status not in message: %s", err.msg);
  assert_nonempty(out, "results.json");
  ck_assert(!exists_in(out, "plot.png"));
  free_study(r);
  free(fake);
  free(out);
  free(dir);
}
END_TEST

/* Degenerate series must still render: one point, no fit, all-equal y with
 * a floor fit, zero se everywhere, a NaN fit, nothing plottable, no points. */
START_TEST(test_degenerate) {
  if (!have_gnuplot()) return;
  char *dir = mfh_test_tmpdir();
  mfh_study_result *r = calloc(1, sizeof *r);
  snprintf(r->id, sizeof r->id, "degenerate");
  /* every character gnuplot treats specially, and a trailing backslash */
  snprintf(r->title, sizeof r->title,
           "degenerate_data {test} a\\b @x ~y &z %%d ^2 \"q\" 'single'\nnext line end\\");
  snprintf(r->theorem, sizeof r->theorem, "T&C_1");
  r->nseries = 7;
  r->series = calloc(r->nseries, sizeof *r->series);
  for (size_t k = 0; k < r->nseries; k++) {
    mfh_series *s = &r->series[k];
    snprintf(s->axis, sizeof s->axis, k % 2 ? "dt" : "N_x");
    snprintf(s->measure, sizeof s->measure, "m%zu", k);
    s->n = k == 0 ? 1 : (k == 6 ? 0 : 4);
    s->pts = calloc(s->n ? s->n : 1, sizeof *s->pts);
    for (size_t i = 0; i < s->n; i++) {
      double x = k % 2 ? 0.1 / pow(2, (double)i) : 10 * pow(2, (double)i);
      double y = k == 2 ? 0.25 : 1 / x;
      if (k == 5) y = i % 2 ? NAN : -1; /* nothing plottable */
      set_point(&s->pts[i], x, y, k == 3 ? 0 : 0.1 * fabs(y), k == 3 ? 1 : 5, k == 4 ? 1 : 0);
    }
    s->has_proved = k != 1;
    s->proved_slope = k % 2 ? 1 : -1;
    s->proved_log = k == 4;
  }
  unsigned char all[4] = {1, 1, 1, 1};
  hand_fit(&r->series[2].fit, r->series[2].pts, 4, all); /* slope 0, se 0 */
  r->series[2].has_fit = 1;
  r->series[2].fit.flags = MFH_FIT_FLOOR;
  hand_fit(&r->series[4].fit, r->series[4].pts, 4, all);
  r->series[4].fit.slope = NAN; /* a NaN fit */
  r->series[4].fit.intercept = NAN;
  r->series[4].has_fit = 1;
  r->series[0].bound = calloc(1, sizeof(double));
  r->series[0].bound[0] = 0.5;
  r->checks = calloc(1, sizeof *r->checks);
  r->nchecks = 1;
  r->checks[0].verdict = MFH_INCONCLUSIVE;
  snprintf(r->checks[0].name, sizeof r->checks[0].name, "degenerate");
  mfh_err err;
  mfh_err_clear(&err);
  int rendered = 0;
  mfh_report_opts o = {2, NULL, NULL, NULL};
  int rc = mfh_report_study(r, dir, &o, &rendered, &err);
  ck_assert_msg(rc == MFH_OK, "degenerate report failed: %s", err.msg);
  ck_assert_int_eq(rendered, 1);
  assert_png(dir);

  /* no series at all, and a single series with one point */
  size_t ns = r->nseries;
  r->nseries = 0;
  char *d0 = path2(dir, "none");
  rc = mfh_report_study(r, d0, &o, &rendered, &err);
  ck_assert_msg(rc == MFH_OK, "empty study report failed: %s", err.msg);
  assert_png(d0);
  r->nseries = 1;
  char *d1 = path2(dir, "one");
  rc = mfh_report_study(r, d1, &o, &rendered, &err);
  ck_assert_msg(rc == MFH_OK, "one-point study report failed: %s", err.msg);
  assert_png(d1);
  r->nseries = ns;
  free(d0);
  free(d1);
  free_study(r);
  free(dir);
}
END_TEST

/* ---- exponential model and linear x axes ------------------------------------------ */

/* Number of NaN / Inf fields on the data lines (not '#' comments) of text. */
static size_t data_nonfinite(const char *text) {
  size_t n = 0;
  for (const char *line = text, *eol; line && *line; line = eol ? eol + 1 : NULL) {
    eol = strchr(line, '\n');
    if (*line == '#' || *line == '\n') continue;
    size_t len = eol ? (size_t)(eol - line) : strlen(line);
    char buf[1024];
    snprintf(buf, sizeof buf, "%.*s", (int)len, line);
    n += count(buf, "NaN") + count(buf, "Inf");
  }
  return n;
}

/* The data line of text whose first field is x (as written, e.g. "0"). */
static const char *data_row(const char *text, const char *x) {
  char want[64];
  snprintf(want, sizeof want, "\n%s ", x);
  const char *p = strstr(text, want);
  return p ? p + 1 : NULL;
}

/* Field k (0-based) of a data line as a number. */
static double field(const char *row, int k) {
  ck_assert_ptr_nonnull(row);
  const char *p = row;
  for (int i = 0; i < k; i++) {
    p = strchr(p, ' ');
    ck_assert_ptr_nonnull(p);
    p++;
  }
  return strtod(p, NULL);
}

/* Gronwall-type growth W_1(t)/W_1(0) ~ 0.9 e^{0.83 t} at t = 0, 0.5, ..., 3,
 * fitted by the real fitter with the exponential model (exclude leading
 * points as asked); proved exponent 1.5, explicit bound 1.2 e^{1.5 t},
 * two failed replicas at t = 2. */
static mfh_study_result *make_exp_study(const char *id, size_t exclude) {
  mfh_study_result *r = calloc(1, sizeof *r);
  ck_assert_ptr_nonnull(r);
  snprintf(r->id, sizeof r->id, "%s", id);
  snprintf(r->title, sizeof r->title, "Gronwall growth of W_1(t)/W_1(0)");
  snprintf(r->theorem, sizeof r->theorem, "GR-1");
  r->nseries = 1;
  r->series = calloc(1, sizeof *r->series);
  ck_assert_ptr_nonnull(r->series);
  mfh_series *s = &r->series[0];
  snprintf(s->axis, sizeof s->axis, "t");
  snprintf(s->measure, sizeof s->measure, "ratio");
  snprintf(s->label, sizeof s->label, "W_1(t) / W_1(0)");
  s->n = 7;
  s->pts = calloc(s->n, sizeof *s->pts);
  s->bound = calloc(s->n, sizeof *s->bound);
  ck_assert(s->pts && s->bound);
  double x[7], y[7];
  for (size_t i = 0; i < s->n; i++) {
    double t = 0.5 * (double)i, mean = 0.9 * exp(0.83 * t) * (1 + 0.02 * ((double)(i % 3) - 1));
    set_point(&s->pts[i], t, mean, 0.03 * mean, i == 4 ? 18 : 20, i == 4 ? 2 : 0);
    s->bound[i] = 1.2 * exp(1.5 * t);
    x[i] = t;
    y[i] = mean;
  }
  snprintf(s->bound_label, sizeof s->bound_label, "Gronwall bound");
  mfh_fit_opts o;
  mfh_fit_opts_default(&o);
  o.model = MFH_FIT_EXP;
  o.exclude_leading = exclude;
  mfh_err err;
  ck_assert_int_eq(mfh_fit_rate(s->n, x, y, NULL, &o, &s->fit, &err), MFH_OK);
  s->has_fit = 1;
  ck_assert_msg(fabs(s->fit.slope - 0.83) < 0.05, "fitted exponent %g", s->fit.slope);
  s->has_proved = 1;
  s->proved_slope = 1.5;
  return r;
}

/* A labelled rate (reported, not proved) is drawn and written as such. */
START_TEST(test_reported_rate) {
  char *dir = mfh_test_tmpdir();
  mfh_study_result *r = make_exp_study("gronwall", 0);
  r->series[0].proved_reported = 1;
  mfh_err err;
  mfh_err_clear(&err);
  int rendered = -1;
  mfh_report_opts o = {0, NULL, NULL, NULL};
  ck_assert_msg(mfh_report_study(r, dir, &o, &rendered, &err) == MFH_OK, "%s", err.msg);
  char *g = slurp(dir, "plot.gp");
  ck_assert_msg(strstr(g, "title \"reported e^{1.5 t}\"") != NULL, "legend: %s", g);
  ck_assert_msg(strstr(g, "reported (not proved) \xe2\x89\xa4 1.5") != NULL, "subtitle: %s", g);
  ck_assert_msg(strstr(g, "title \"proved") == NULL, "still called proved: %s", g);
  free(g);
  char *md = slurp(dir, "summary.md");
  ck_assert_msg(strstr(md, "- Reported (labelled, not proved) growth: e^(1.5 t)") != NULL, "summary: %s", md);
  free(md);
  char *p = path2(dir, "results.json");
  json_error_t jerr;
  json_t *root = json_load_file(p, 0, &jerr);
  ck_assert_msg(root != NULL, "results.json does not parse: %s", jerr.text);
  json_t *pr = json_object_get(json_array_get(json_object_get(root, "series"), 0), "proved");
  ck_assert(json_is_false(json_object_get(pr, "asserted")));
  json_decref(root);
  free(p);
  free_study(r);
  free(dir);
}
END_TEST

START_TEST(test_exp_series) {
  char *dir = mfh_test_tmpdir();
  mfh_study_result *r = make_exp_study("gronwall", 0);
  mfh_err err;
  mfh_err_clear(&err);
  int gp = have_gnuplot(), rendered = -1;
  mfh_report_opts o = {gp ? 2 : 0, NULL, NULL, NULL};
  int rc = mfh_report_study(r, dir, &o, &rendered, &err);
  ck_assert_msg(rc == MFH_OK, "exp report failed: %s", err.msg);
  if (gp) {
    ck_assert_int_eq(rendered, 1);
    assert_png(dir);
  }

  /* data: nothing took log(0); the t = 0 row carries the fit and its band */
  char *dat = slurp(dir, "s1-t-ratio.dat");
  ck_assert_msg(data_nonfinite(dat) == 0, "NaN/Inf in the data file:\n%s", dat);
  const char *row0 = data_row(dat, "0");
  ck_assert_msg(row0 != NULL, "no row for t = 0:\n%s", dat);
  ck_assert(fabs(field(row0, 8) - exp(r->series[0].fit.intercept)) < 1e-12);
  ck_assert(field(row0, 9) < field(row0, 8) && field(row0, 8) < field(row0, 10));
  ck_assert_msg(strstr(dat, "# fit y = C e^(s x): exponent ") != NULL, "fit comment: %s", dat);
  free(dat);
  char *cur = slurp(dir, "s1-t-ratio.curve.dat");
  ck_assert_msg(data_nonfinite(cur) == 0, "NaN/Inf in the curve file:\n%s", cur);
  ck_assert_msg(strstr(cur, "evenly spaced in x") != NULL, "curve not sampled linearly");
  const char *c0 = data_row(cur, "0");
  ck_assert_msg(c0 != NULL, "curve does not start at t = 0:\n%.600s", cur);
  const char *c1 = strchr(c0, '\n') + 1;
  ck_assert_msg(fabs(field(c1, 0) - 3.0 / 80) < 1e-12, "curve not evenly spaced: %.600s", cur);
  /* proved curve: C e^{1.5 t} through the fitted line at t = 0 */
  ck_assert(fabs(field(c0, 4) - field(c0, 1)) < 1e-12 * field(c0, 1));
  ck_assert(fabs(field(c1, 4) / field(c0, 4) - exp(1.5 * 0.0375)) < 1e-12);
  free(cur);

  /* plot.gp: semi-log axes, exponential labels, every element */
  char *g = slurp(dir, "plot.gp");
  ck_assert_msg(strstr(g, "unset logscale\nset logscale y\n") != NULL, "no semi-log axes");
  ck_assert_msg(strstr(g, "set logscale xy") == NULL, "log x axis for an exp series");
  ck_assert_msg(strstr(g, "title \"fit e^{0.8") != NULL, "fit label: %s", g);
  ck_assert_msg(strstr(g, "title \"proved e^{1.5 t}\"") != NULL, "proved label missing");
  ck_assert_msg(strstr(g, "observed exponent 0.8") != NULL, "subtitle: no exponent");
  ck_assert_msg(strstr(g, "proved \xe2\x89\xa4 1.5") != NULL, "subtitle: no proved bound");
  ck_assert_msg(strstr(g, "filledcurves") != NULL, "confidence band missing");
  ck_assert_msg(strstr(g, "Gronwall bound") != NULL, "bound curve missing");
  ck_assert_msg(strstr(g, "failed replicas") != NULL, "failed replicas not marked");
  ck_assert_msg(strstr(g, "(\"0\" 0, \"0.5\" 0.5, ") != NULL, "x tics not at the sweep values");
  ck_assert_msg(strstr(g, "observed slope") == NULL, "power-law wording for an exp fit");
  free(g);

  /* results.json */
  char *p = path2(dir, "results.json");
  json_error_t jerr;
  json_t *root = json_load_file(p, 0, &jerr);
  ck_assert_msg(root != NULL, "results.json does not parse: %s", jerr.text);
  json_t *s0 = json_array_get(json_object_get(root, "series"), 0);
  json_t *fit = json_object_get(s0, "fit");
  ck_assert_str_eq(json_string_value(json_object_get(fit, "model")), "exp");
  ck_assert(json_real_value(json_object_get(fit, "slope")) == r->series[0].fit.slope);
  json_t *local = json_object_get(fit, "local");
  ck_assert_uint_eq(json_array_size(local), 6);
  for (size_t i = 0; i < 6; i++) ck_assert(json_is_real(json_array_get(local, i)));
  ck_assert(json_real_value(json_object_get(json_object_get(s0, "proved"), "slope")) == 1.5);
  ck_assert(json_real_value(json_object_get(json_array_get(json_object_get(s0, "points"), 0),
                                            "x")) == 0);
  json_decref(root);
  free(p);

  char *md = slurp(dir, "summary.md");
  ck_assert_msg(strstr(md, "- Fit (exponential C e^(s x), unweighted): exponent **0.8") != NULL,
                "summary fit line: %s", md);
  ck_assert_msg(strstr(md, "- Proved growth: e^(1.5 t) (exponent \xe2\x89\xa4 1.5)") != NULL,
                "summary proved line: %s", md);
  ck_assert_msg(strstr(md, "| local exponent |") != NULL, "local column: %s", md);
  free(md);
  free_study(r);

  /* the t = 0 point excluded from the fit: drawn hollow, its row still has
   * the (extrapolated) fitted line and band */
  char *d2 = path2(dir, "excluded");
  r = make_exp_study("gronwall-excluded", 1);
  rc = mfh_report_study(r, d2, &o, &rendered, &err);
  ck_assert_msg(rc == MFH_OK, "exp report with exclusion failed: %s", err.msg);
  if (gp) assert_png(d2);
  g = slurp(d2, "plot.gp");
  ck_assert_msg(strstr(g, "excluded from fit") != NULL, "excluded point not drawn");
  free(g);
  dat = slurp(d2, "s1-t-ratio.dat");
  ck_assert_msg(data_nonfinite(dat) == 0, "NaN/Inf in the data file:\n%s", dat);
  ck_assert_msg(strstr(data_row(dat, "0"), " 20 0 0 ") != NULL, "t = 0 not marked unused");
  free(dat);
  free_study(r);
  free(d2);
  free(dir);
}
END_TEST

/* Drop a series' fit; returns the series. */
static mfh_series *unfit(mfh_series *s) {
  mfh_fit_result_free(&s->fit);
  memset(&s->fit, 0, sizeof s->fit);
  s->has_fit = 0;
  return s;
}

/* A series without a fit whose x values include 0 and negatives gets a
 * linear x axis (a log axis would drop or break on them); a power-law panel
 * next to it keeps its log-log axes. */
START_TEST(test_linear_x_without_fit) {
  char *dir = mfh_test_tmpdir();
  mfh_study_result *r = make_study("mixed-axes");
  mfh_series *s = unfit(&r->series[1]);
  s->proved_log = 0;
  s->proved_slope = -0.5; /* drawn where it is defined (t > 0) */
  snprintf(s->axis, sizeof s->axis, "t");
  snprintf(s->measure, sizeof s->measure, "energy");
  for (size_t i = 0; i < s->n; i++) {
    double t = -1 + 0.75 * (double)i; /* -1, -0.25, 0.5, 1.25, 2 */
    set_point(&s->pts[i], t, 2 + 0.1 * t, 0.05, 10, 0);
  }
  mfh_err err;
  mfh_err_clear(&err);
  int gp = have_gnuplot(), rendered = -1;
  mfh_report_opts o = {gp ? 2 : 0, NULL, NULL, NULL};
  int rc = mfh_report_study(r, dir, &o, &rendered, &err);
  ck_assert_msg(rc == MFH_OK, "report failed: %s", err.msg);
  if (gp) {
    ck_assert_int_eq(rendered, 1);
    assert_png(dir);
  }
  char *g = slurp(dir, "plot.gp");
  ck_assert_uint_eq(count(g, "set logscale xy\n"), 1);                 /* the N panel */
  ck_assert_uint_eq(count(g, "unset logscale\nset logscale y\n"), 1); /* the t panel */
  const char *panel = strstr(g, "# ---- series 2");
  ck_assert_ptr_nonnull(panel);
  ck_assert_msg(strstr(panel, "\"-1\" -1") && strstr(panel, "\"0.5\" 0.5"),
                "x tics at the sweep values missing: %s", panel);
  ck_assert_msg(strstr(panel, "not fitted") != NULL, "subtitle");
  free(g);
  char *dat = slurp(dir, "s2-t-energy.dat");
  ck_assert_msg(data_row(dat, "-1") && data_row(dat, "-0.25"), "rows for t <= 0 missing");
  free(dat);
  char *cur = slurp(dir, "s2-t-energy.curve.dat");
  const char *c0 = data_row(cur, "-1");
  ck_assert_msg(c0 != NULL, "curve does not start at t = -1: %s", cur);
  ck_assert(isnan(field(c0, 4))); /* no power of t <= 0 */
  ck_assert(isfinite(field(data_row(cur, "2"), 4)));
  free(cur);
  free_study(r);
  free(dir);
}
END_TEST

START_TEST(test_table) {
  mfh_study_result *a = make_study("fg1-chaos"), *b = make_study("b");
  for (size_t i = 0; i < b->nchecks; i++) mfh_values_free(&b->checks[i].numbers);
  b->nchecks = 0; /* a study without checks gets a "no checks" row */
  const mfh_study_result *st[2] = {a, b};
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  mfh_report_table(st, 2, f);
  fclose(f);
  ck_assert_msg(strncmp(buf, "STUDY", 5) == 0, "no header: %s", buf);
  const char *words[] = {"PASS", "FAIL", "INCONCLUSIVE", "ERROR"};
  /* every row's verdict starts in the same column as the header's VERDICT */
  const char *hdr_v = strstr(buf, "VERDICT");
  ck_assert_ptr_nonnull(hdr_v);
  long vcol = hdr_v - buf;
  for (const char *line = strchr(buf, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
    for (size_t w = 0; w < 4; w++) {
      const char *at = strstr(line, words[w]);
      const char *eol = strchr(line, '\n');
      if (at && at < eol && strncmp(line, "fg1-chaos", 9) == 0)
        ck_assert_int_eq(at - line, vcol);
    }
    for (const char *p = line; *p && *p != '\n'; p++)
      ck_assert_msg((unsigned char)*p < 0x80, "non-ASCII byte in the table");
  }
  for (size_t w = 0; w < 4; w++)
    ck_assert_msg(strstr(buf, words[w]) != NULL, "%s missing", words[w]);
  ck_assert_msg(strstr(buf, "proved slope -0.5, observed -0.50 +/- 0.02 (95%)") != NULL,
                "summary missing");
  ck_assert_msg(strstr(buf, "observed 1.2 +/- 0.3 +/- wide") != NULL, "UTF-8 not transliterated");
  ck_assert_msg(strstr(buf, "4 checks: 1 pass, 1 fail, 1 inconclusive, 1 error") != NULL,
                "totals: %s", buf);
  free(buf);
  free_study(a);
  free_study(b);
}
END_TEST

/* The writer registry: every writer has a unique name that finds it, a doc
 * line and a known scope, every scope has one, and each writer, handed only
 * the fields of its scope, writes every file it declares (non-empty) into
 * a folder of its own, or prints something for the terminal. */
START_TEST(test_writer_registry) {
  size_t nw = 0, per_scope[3] = {0, 0, 0};
  for (; mfh_writers[nw]; nw++) {
    const mfh_writer_type *w = mfh_writers[nw];
    ck_assert_msg(w->name && w->name[0], "writer %zu has no name", nw);
    ck_assert_msg(w->doc && w->doc[0] && !strchr(w->doc, '\n'), "%s: doc is not one line", w->name);
    ck_assert_msg(w->files && w->write, "%s: no files or write", w->name);
    ck_assert_msg(mfh_writer_find(w->name) == w, "%s is not found by its name", w->name);
    for (size_t j = 0; j < nw; j++) ck_assert_str_ne(mfh_writers[j]->name, w->name);
    ck_assert_msg(w->scope == MFH_WRITER_STUDY || w->scope == MFH_WRITER_RUN ||
                      w->scope == MFH_WRITER_TERMINAL,
                  "%s: unknown scope", w->name);
    ck_assert_msg((w->scope == MFH_WRITER_TERMINAL) == (w->files[0] == '\0'),
                  "%s: a folder writer declares its files, the terminal one none", w->name);
    per_scope[w->scope]++;
  }
  ck_assert_uint_ge(nw, 7);
  for (int s = 0; s < 3; s++) ck_assert_uint_ge(per_scope[s], 1);
  ck_assert_ptr_null(mfh_writer_find("no-such-writer"));
  ck_assert_ptr_null(mfh_writer_find(""));

  mfh_study_result *r = make_study("registry");
  const mfh_study_result *st[1] = {r};
  const int rendered[1] = {0};
  const mfh_report_opts o = {0, NULL, NULL, NULL};
  mfh_err err;
  mfh_err_clear(&err);
  mfh_plot_model plot;
  ck_assert_int_eq(mfh_plot_model_build(r, &plot, &err), MFH_OK);
  char *tmp = mfh_test_tmpdir();
  for (size_t i = 0; mfh_writers[i]; i++) {
    const mfh_writer_type *w = mfh_writers[i];
    char *dir = path2(tmp, w->name), *text = NULL;
    size_t len = 0;
    FILE *out = NULL;
    ck_assert_int_eq(mfh_mkdirs(dir, &err), MFH_OK);
    mfh_writer_ctx ctx = {0};
    ctx.opts = &o;
    if (w->scope == MFH_WRITER_STUDY) {
      ctx.dir = dir;
      ctx.study = r;
      ctx.plot = &plot;
    } else {
      ctx.studies = st;
      ctx.nstudies = 1;
      if (w->scope == MFH_WRITER_RUN) {
        ctx.dir = dir;
        ctx.study_rendered = rendered;
      } else {
        out = open_memstream(&text, &len);
        ck_assert_ptr_nonnull(out);
        ctx.out = out;
      }
    }
    int rc = w->write(&ctx, &err);
    ck_assert_msg(rc == MFH_OK, "writer %s: %s", w->name, err.msg);
    if (out) {
      fclose(out);
      ck_assert_msg(len > 0, "writer %s printed nothing", w->name);
      free(text);
    }
    char files[256];
    snprintf(files, sizeof files, "%s", w->files);
    for (char *save = NULL, *f = strtok_r(files, " ", &save); f; f = strtok_r(NULL, " ", &save))
      assert_nonempty(dir, f);
    free(dir);
  }
  mfh_plot_model_free(&plot);
  free(tmp);
  free_study(r);
}
END_TEST

/* A series with an `expansion` fit: the curve file gains the expansion
 * column (the fitted sum at x, NaN outside the data), the plot draws it with
 * a key naming the terms, and a series without one keeps five columns. */
START_TEST(test_expansion_curve) {
  char *dir = mfh_test_tmpdir();
  mfh_study_result *r = make_study("expn");
  mfh_series *s = &r->series[0];
  double x[6], y[6], pw[] = {-0.5, -1};
  for (size_t i = 0; i < s->n; i++) x[i] = s->pts[i].x, y[i] = s->pts[i].mean;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_fit_expansion(s->n, x, y, NULL, 2, pw, &s->expansion, &err), MFH_OK);
  s->has_expansion = 1;
  mfh_report_opts o = {0, NULL, NULL, NULL};
  int rendered = -1;
  ck_assert_int_eq(mfh_report_study(r, dir, &o, &rendered, &err), MFH_OK);
  char *cur = slurp(dir, "s1-N-wpp.curve.dat");
  ck_assert_msg(strstr(cur, "# columns: x fit band_lo band_hi proved expansion\n") != NULL, "%s", cur);
  /* at the data's x = 400 row (if sampled) or anywhere inside: 6 fields and the sum */
  size_t inside = 0;
  for (const char *l = strchr(cur, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
    if (l[1] == '#') continue;
    double xv = strtod(l + 1, NULL);
    if (xv < 100 || xv > 3200) continue;
    ck_assert_double_eq_tol(field(l + 1, 5), mfh_expansion_predict(&s->expansion, xv), 1e-15);
    inside++;
  }
  ck_assert(inside > 10);
  char *gp = slurp(dir, "plot.gp");
  ck_assert_msg(strstr(gp, "using 1:6 with lines") && strstr(gp, "a N^{-0.5} + b N^{-1}"), "%s", gp);
  free(cur);
  cur = slurp(dir, "s2-eps-err_x.curve.dat");
  ck_assert_msg(strstr(cur, "# columns: x fit band_lo band_hi proved\n") != NULL, "%s", cur);
  free(cur);
  free(gp);
  free_study(r);
  free(dir);
}
END_TEST

/* A series whose every value is exactly 0 (an identity checked to the bit)
 * says so in its panel instead of "no usable fit". */
START_TEST(test_all_zero_series) {
  char *dir = mfh_test_tmpdir();
  mfh_study_result *r = make_study("zeros");
  mfh_series *s = &r->series[1];
  for (size_t i = 0; i < s->n; i++) s->pts[i].mean = 0, s->pts[i].se = 0;
  s->fit.slope = NAN;
  mfh_report_opts o = {0, NULL, NULL, NULL};
  int rendered = -1;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_report_study(r, dir, &o, &rendered, &err), MFH_OK);
  char *gp = slurp(dir, "plot.gp");
  ck_assert_msg(strstr(gp, "every value is exactly 0") != NULL, "%s", gp);
  s->pts[2].mean = 1e-3; /* one nonzero value: the usual wording */
  ck_assert_int_eq(mfh_report_study(r, dir, &o, &rendered, &err), MFH_OK);
  free(gp);
  gp = slurp(dir, "plot.gp");
  ck_assert(strstr(gp, "every value is exactly 0") == NULL && strstr(gp, "no usable fit") != NULL);
  free(gp);
  free_study(r);
  free(dir);
}
END_TEST


/* ---- work-precision ------------------------------------------------------------- */

/* A cost axis N for study r: cost = c0 (N/100)^2 at the N of its first
 * series, fitted as the verdict does (power law, log-log). */
static void add_cost(mfh_study_result *r, double c0, int wall) {
  const mfh_series *s = &r->series[0];
  r->cost = calloc(1, sizeof *r->cost);
  ck_assert_ptr_nonnull(r->cost);
  r->ncost = 1;
  mfh_cost_axis *c = &r->cost[0];
  snprintf(c->axis, sizeof c->axis, "%s", s->axis);
  c->n = s->n;
  c->wall = wall;
  c->pts = calloc(c->n, sizeof *c->pts);
  ck_assert_ptr_nonnull(c->pts);
  double x[16], y[16];
  for (size_t i = 0; i < c->n; i++) {
    double t = c0 * pow(s->pts[i].x / 100, 2);
    c->pts[i] = (mfh_cost_point){s->pts[i].x, 4, wall ? t / 50 : t, 0.01 * t, wall ? t : 1.5 * t};
    x[i] = c->pts[i].x;
    y[i] = mfh_cost_of(c, i);
  }
  mfh_fit_opts fo;
  mfh_fit_opts_default(&fo);
  mfh_err err;
  ck_assert_int_eq(mfh_fit_rate(c->n, x, y, NULL, &fo, &c->fit, &err), MFH_OK);
  c->has_fit = 1;
}

/* Per study: a block per series that has a cost on its axis (the eps series
 * has none), the cost in column 2, the exponent in the panel title, the
 * numbers in results.json; the cost is wall time when the axis says so. */
START_TEST(test_work_precision_study) {
  char *dir = mfh_test_tmpdir();
  mfh_study_result *r = make_study("wp");
  add_cost(r, 1e-3, 0);
  r->cpu_s = 7.25;
  mfh_err err;
  mfh_report_opts o = {have_gnuplot() ? 2 : 0, NULL, NULL, NULL}; /* gnuplot runs the script */
  ck_assert_msg(mfh_report_study(r, dir, &o, NULL, &err) == MFH_OK, "%s", err.msg);
  if (have_gnuplot()) assert_nonempty(dir, "work-precision.png");
  o.render = 0;
  char *dat = slurp(dir, "work-precision.dat"), *gp = slurp(dir, "work-precision.gp");
  ck_assert_msg(strstr(dat, "# block 0: wpp along N (CPU seconds)\n100 0.001 1.0000000000000001e-05 "), "%s", dat);
  ck_assert_msg(strstr(dat, "\n400 0.016 "), "%s", dat);
  ck_assert_ptr_null(strstr(dat, "block 1")); /* err_x along eps: no cost axis eps */
  ck_assert_msg(strstr(gp, "set title \"along N: cost ∝ N^{2 ± "), "%s", gp);
  ck_assert_ptr_nonnull(strstr(gp, "set xlabel \"CPU seconds per task\""));
  ck_assert_ptr_nonnull(strstr(gp, "'work-precision.dat' index 0 using 2:4 with linespoints"));
  ck_assert_ptr_nonnull(strstr(gp, "sprintf(\"N=%g\", $1)"));
  char *js = slurp(dir, "results.json");
  ck_assert_ptr_nonnull(strstr(js, "\"cpu_s\": 7.25"));
  ck_assert_ptr_nonnull(strstr(js, "\"basis\": \"cpu_s\""));
  const char *ex = strstr(js, "\"exponent\": ");
  ck_assert(ex && fabs(strtod(ex + 12, NULL) - 2) < 1e-12);
  ck_assert_ptr_nonnull(strstr(js, "\"compare\": null"));
  const char *cost = strstr(js, "\n  \"cost\": ["), *checks = strstr(js, "\n  \"checks\": [");
  ck_assert_msg(cost && checks && cost > checks && !strstr(cost + 1, "\n  \""), "cost is not the last key");
  free(dat);
  free(gp);
  free(js);
  free_study(r);
  /* the wall-time basis */
  r = make_study("wp");
  add_cost(r, 1e-3, 1);
  ck_assert_int_eq(mfh_report_study(r, dir, &o, NULL, &err), MFH_OK);
  dat = slurp(dir, "work-precision.dat");
  gp = slurp(dir, "work-precision.gp");
  ck_assert_msg(strstr(dat, "(wall seconds)\n100 0.001 NaN "), "%s", dat);
  ck_assert_ptr_nonnull(strstr(gp, "set xlabel \"wall seconds per task\""));
  free(dat);
  free(gp);
  free_study(r);
  /* no cost at all: one panel that says so */
  r = make_study("wp");
  ck_assert_int_eq(mfh_report_study(r, dir, &o, NULL, &err), MFH_OK);
  gp = slurp(dir, "work-precision.gp");
  ck_assert_ptr_nonnull(strstr(gp, "no cost data"));
  ck_assert_ptr_null(strstr(gp, "index 0"));
  free(gp);
  free_study(r);
  free(dir);
}
END_TEST

/* Per run: studies sharing theorem, axis and measure form one panel, a
 * curve each named by id; a `compare` group overrides (curves named by
 * method); a study alone in its group draws nothing. */
START_TEST(test_work_precision_set) {
  char *dir = mfh_test_tmpdir();
  mfh_study_result *a = make_study("verlet"), *b = make_study("yoshida"), *c = make_study("other");
  add_cost(a, 1e-3, 0);
  add_cost(b, 4e-3, 0);
  add_cost(c, 2e-3, 0);
  snprintf(c->theorem, sizeof c->theorem, "MF-1");
  const mfh_study_result *st[3] = {a, b, c};
  mfh_err err;
  mfh_report_opts o = {have_gnuplot() ? 2 : 0, NULL, NULL, NULL};
  ck_assert_msg(mfh_report_run(st, 3, dir, &o, &err) == MFH_OK, "%s", err.msg);
  if (have_gnuplot()) assert_nonempty(dir, "work-precision.png");
  o.render = 0;
  char *gp = slurp(dir, "work-precision.gp"), *dat = slurp(dir, "work-precision.dat");
  ck_assert_msg(strstr(gp, "set title \"FG-1: wpp along N\""), "%s", gp);
  ck_assert_ptr_nonnull(strstr(gp, "title \"verlet (cost ∝ N^{2"));
  ck_assert_ptr_nonnull(strstr(gp, "title \"yoshida (cost ∝ N^{2"));
  ck_assert_ptr_null(strstr(gp, "other"));
  ck_assert_ptr_nonnull(strstr(gp, "set multiplot layout 1,1"));
  ck_assert_ptr_nonnull(strstr(dat, "# block 1: study yoshida, wpp along N\n100 0.0040000000000000001 "));
  free(gp);
  free(dat);
  /* compare groups: a and c compare, b is alone */
  snprintf(a->compare_group, sizeof a->compare_group, "integrators");
  snprintf(a->compare_method, sizeof a->compare_method, "Verlet");
  snprintf(c->compare_group, sizeof c->compare_group, "integrators");
  snprintf(c->compare_method, sizeof c->compare_method, "Yoshida_4");
  char *dir2 = path2(dir, "second");
  ck_assert_int_eq(mfh_report_run(st, 3, dir2, &o, &err), MFH_OK);
  gp = slurp(dir2, "work-precision.gp");
  ck_assert_msg(strstr(gp, "set title \"integrators: wpp along N\""), "%s", gp);
  ck_assert_ptr_nonnull(strstr(gp, "title \"Verlet (cost"));
  ck_assert_ptr_nonnull(strstr(gp, "title \"Yoshida\\\\_4 (cost")); /* gnuplot-escaped */
  ck_assert_ptr_null(strstr(gp, "yoshida ("));
  free(gp);
  /* nothing to compare */
  char *dir3 = path2(dir, "third");
  ck_assert_int_eq(mfh_report_run(st, 1, dir3, &o, &err), MFH_OK);
  gp = slurp(dir3, "work-precision.gp");
  ck_assert_ptr_nonnull(strstr(gp, "no two studies compare methods"));
  free(gp);
  free(dir2);
  free(dir3);
  free_study(a);
  free_study(b);
  free_study(c);
  free(dir);
}
END_TEST

/* ---- paper tables ----------------------------------------------------------------- */

static void set_nums(mfh_check_result *c, const char *const *names, const double *v, size_t n) {
  for (size_t i = 0; i < n; i++) ck_assert_int_eq(mfh_values_set(&c->numbers, names[i], v[i]), MFH_OK);
}

/* Four studies: FG-1 (a proved rate whose series also has a failing bound,
 * a rate with a log factor), CEP-4 (a literature rate, a gci order), DOB-1
 * (a growth exponent and a bound-only series), and one without checks. */
static void paper_studies(mfh_study_result *st[4]) {
  static const char *const rn[] = {"proved", "asserted", "log", "exp_model", "slope", "slope_lo", "slope_hi",
                                   "level"};
  st[0] = make_study("fg1-x");
  mfh_check_result *c = st[0]->checks;
  set_nums(&c[0], rn, (double[]){-0.5, 1, 0, 0, -0.5, -0.51, -0.49, 0.95}, 8);
  set_nums(&c[1], (const char *const[]){"max_ratio"}, (double[]){1.2}, 1);
  set_nums(&c[2], rn, (double[]){1, 1, 1, 0, 1.2, 0.9, 1.5, 0.95}, 8);
  st[1] = make_study("cep4");
  snprintf(st[1]->theorem, sizeof st[1]->theorem, "CEP-4");
  snprintf(st[1]->title, sizeof st[1]->title, "3D Coulomb explosion: |E_N(t)| vs N (proved -1/3, sharp -2/3)");
  for (size_t i = 0; i < st[1]->nchecks; i++) mfh_values_free(&st[1]->checks[i].numbers);
  st[1]->nchecks = 0;
  add_check(st[1], "rate", "rate[N] wpp #2", MFH_INCONCLUSIVE,
            "sharp (Rosenzweig-Serfaty) slope -2/3, observed -0.41 +/- 0.02 - slower (not a proved rate)", 0, -0.41);
  set_nums(&st[1]->checks[0], rn, (double[]){-2.0 / 3, 0, 0, 0, -0.41, -0.43, -0.39, 0.95}, 8);
  add_check(st[1], "gci", "gci[eps] err_x", MFH_PASS, "proved order 2, observed p = 1.98", 1, NAN);
  set_nums(&st[1]->checks[1], (const char *const[]){"order", "asserted", "p"}, (double[]){2, 1, 1.98}, 3);
  st[2] = make_study("dob1");
  snprintf(st[2]->theorem, sizeof st[2]->theorem, "DOB-1");
  snprintf(st[2]->title, sizeof st[2]->title, "W_1 ratio, 100%% of $ & # ~ ^ \\ {x}");
  for (size_t i = 0; i < st[2]->nchecks; i++) mfh_values_free(&st[2]->checks[i].numbers);
  st[2]->nchecks = 0;
  add_check(st[2], "rate", "rate[eps] err_x", MFH_PASS, "proved exponent <= 3/2", 1, 0.83);
  set_nums(&st[2]->checks[0], rn, (double[]){1.5, 1, 0, 1, 0.83, 0.78, 0.88, 0.9}, 8);
  add_check(st[2], "bound", "bound[N] wpp", MFH_PASS, "measured <= bound", 0, NAN);
  set_nums(&st[2]->checks[1], (const char *const[]){"max_ratio"}, (double[]){0.004197}, 1);
  st[3] = make_study("empty");
  snprintf(st[3]->theorem, sizeof st[3]->theorem, "FG-1");
  for (size_t i = 0; i < st[3]->nchecks; i++) mfh_values_free(&st[3]->checks[i].numbers);
  st[3]->nchecks = 0;
}

/* A LaTeX table's structure: one table and one tabular, booktabs rules in
 * order, every row 6 cells (5 unescaped &) ending in \\, braces and dollars
 * balanced. */
static void assert_tex_structure(const char *t) {
  const char *top = strstr(t, "\\toprule"), *bot = strstr(t, "\\bottomrule");
  ck_assert_msg(strstr(t, "\\begin{table}") && strstr(t, "\\end{table}") && top && bot && top < bot, "%.1500s", t);
  ck_assert_ptr_nonnull(strstr(t, "\\begin{tabularx}{\\linewidth}{@{}lXllll@{}}"));
  ck_assert_ptr_nonnull(strstr(bot, "\\end{tabularx}"));
  long depth = 0;
  for (const char *p = t; *p; p++) {
    if (*p == '%' && (p == t || p[-1] != '\\')) { /* a comment runs to the end of its line */
      while (*p && *p != '\n') p++;
      if (!*p) break;
    }
    if ((*p == '{' || *p == '}') && p > t && p[-1] == '\\') continue;
    depth += *p == '{' ? 1 : *p == '}' ? -1 : 0;
    ck_assert_msg(depth >= 0, "unbalanced } near: %.40s", p);
  }
  ck_assert_int_eq(depth, 0);
  size_t rows = 0;
  for (const char *line = top; line && line < bot; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line), amp = 0, dollars = 0;
    if (len < 2 || strncmp(line + len - 2, "\\\\", 2) != 0) continue;
    for (size_t i = 0; i < len; i++) {
      int escaped = i > 0 && line[i - 1] == '\\';
      amp += line[i] == '&' && !escaped;
      dollars += line[i] == '$' && !escaped;
    }
    ck_assert_msg(amp == 5 || strstr(line, "\\multicolumn{6}"), "row with %zu cells: %.*s", amp + 1, (int)len, line);
    ck_assert_msg(dollars % 2 == 0, "unbalanced $ in: %.*s", (int)len, line);
    rows++;
  }
  ck_assert_uint_ge(rows, 2);
}

START_TEST(test_paper_table) {
  mfh_study_result *st[4];
  paper_studies(st);
  const mfh_study_result *cst[4] = {st[0], st[1], st[2], st[3]};
  char *dir = mfh_test_tmpdir(), *tex, *md;
  mfh_err err;
  mfh_report_opts o = {0, NULL, NULL, NULL};
  ck_assert_int_eq(mfh_report_run(cst, 4, dir, &o, &err), MFH_OK);
  tex = slurp(dir, "table.tex");
  md = slurp(dir, "table.md");
  /* the command's text is the file's */
  char *t2 = NULL;
  ck_assert_int_eq(mfh_report_paper_table(cst, 4, "latex", &t2, &err), MFH_OK);
  ck_assert_str_eq(t2, tex);
  free(t2);
  ck_assert_int_eq(mfh_report_paper_table(cst, 4, "html", &t2, &err), MFH_EUSAGE);
  assert_tex_structure(tex);
  static const char *const tex_rows[] = {
      /* theorems in order, a rule between them; the claim's verdict joined with its series' bound */
      "\\midrule\nCEP-4 & 3D Coulomb explosion: \\textbar{}E\\_N(t)\\textbar{} vs N (proved -1/3, sharp -2/3) "
      "{\\footnotesize(wpp vs N; sharp (Rosenzweig-Serfaty))} & ${N}^{-2/3}$$^\\dagger$ & $-0.410 \\pm 0.020$ & -- & "
      "inconclusive \\\\\n",
      " & \\quad {\\footnotesize(err\\_x vs eps)} & ${\\varepsilon}^{2}$$^\\ddagger$ & $1.980$ & -- & pass \\\\\n",
      "\\midrule\nDOB-1 & W\\_1 ratio, 100\\% of \\$ \\& \\# \\~{} \\^{} \\textbackslash{} \\{x\\} "
      "{\\footnotesize(err\\_x vs eps)} & $\\le e^{3/2\\,\\varepsilon}$ & $0.830 \\pm 0.050$ & -- & pass \\\\\n",
      " & \\quad {\\footnotesize(wpp vs N)} & -- & -- & 0.0042 & pass \\\\\n",
      "\\midrule\nFG-1 & Propagation of chaos in W\\_1 \\& \"friends\" \\textless{}T\\textgreater{} "
      "& -- & -- & -- & pass \\\\\n",
      " & Propagation of chaos in W\\_1 \\& \"friends\" \\textless{}T\\textgreater{} {\\footnotesize(wpp vs N)} & "
      "${N}^{-1/2}$ & $-0.500 \\pm 0.010$ & 1.2 & \\textbf{fail} \\\\\n",
      " & \\quad {\\footnotesize(err\\_x vs eps)} & ${\\varepsilon}^{1}\\log \\varepsilon$ & $1.200 \\pm 0.300$ & -- & "
      "inconclusive \\\\\n",
  };
  const char *at = tex;
  for (size_t i = 0; i < sizeof tex_rows / sizeof *tex_rows; i++) {
    const char *hit = strstr(at, tex_rows[i]);
    ck_assert_msg(hit, "row %zu missing or out of order:\n%s\nin:\n%.1500s", i, tex_rows[i], tex);
    at = hit + strlen(tex_rows[i]);
  }
  /* the levels differ (0.9 and 0.95): the caption does not claim one */
  ck_assert_ptr_nonnull(strstr(tex, "of its stated confidence interval"));
  ck_assert_ptr_nonnull(strstr(tex, "$^\\dagger$A literature rate, reported, not asserted."));
  ck_assert_ptr_nonnull(strstr(tex, "$^\\ddagger$Observed order of the three finest levels"));
  ck_assert_ptr_nonnull(strstr(tex, "(profile quick)"));
  static const char *const md_rows[] = {
      "| Theorem | Statement | Proved | Observed | Bound (max ratio) | Verdict |\n|---|---|---|---|---|---|\n",
      ("| CEP-4 | 3D Coulomb explosion: \\|E_N(t)\\| vs N (proved -1/3, sharp -2/3) (wpp vs N; sharp "
       "(Rosenzweig-Serfaty)) | N^(-2/3) † | -0.410 ± 0.020 | - | inconclusive |\n"),
      "|  | (err_x vs eps) | eps^(2) ‡ | 1.980 | - | pass |\n",
      "| DOB-1 |",
      "|  | (wpp vs N) | - | - | 0.0042 | pass |\n",
      "| FG-1 | Propagation of chaos in W_1 & \"friends\" &lt;T> | - | - | - | pass |\n",
      "N^(-1/2) | -0.500 ± 0.010 | 1.2 | **fail** |\n",
      "|  | (err_x vs eps) | eps^(1) log eps | 1.200 ± 0.300 | - | inconclusive |\n",
  };
  at = md;
  for (size_t i = 0; i < sizeof md_rows / sizeof *md_rows; i++) {
    const char *hit = strstr(at, md_rows[i]);
    ck_assert_msg(hit, "markdown row %zu missing or out of order:\n%s\nin:\n%.1500s", i, md_rows[i], md);
    at = hit + strlen(md_rows[i]);
  }
  /* LaTeX accepts it, without an overfull line in an article's text width,
   * when a LaTeX is installed (Debian: texlive-latex-base, texlive-latex-recommended) */
  if (mfh_test_run("command -v pdflatex >/dev/null && kpsewhich booktabs.sty >/dev/null", NULL) == 0) {
    char *doc = path2(dir, "doc.tex"), cmd[2048], *out = NULL;
    mfh_test_write(doc, "\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{tabularx}\n"
                        "\\begin{document}\n\\input{table.tex}\n\\end{document}\n");
    snprintf(cmd, sizeof cmd, "cd '%s' && pdflatex -interaction=nonstopmode -halt-on-error doc.tex 2>&1", dir);
    int rc = mfh_test_run(cmd, &out);
    ck_assert_msg(rc == 0, "pdflatex failed on table.tex:\n%.1500s", out ? out + (strlen(out) > 1500 ? strlen(out) - 1500 : 0) : "");
    ck_assert_msg(out && !strstr(out, "Overfull"), "pdflatex: overfull box:\n%.1500s", out ? strstr(out, "Overfull") : "");
    assert_nonempty(dir, "doc.pdf");
    free(out);
    free(doc);
  }
  free(tex);
  free(md);
  /* no studies: a table that says so, still well formed */
  char *dir2 = path2(dir, "none");
  ck_assert_int_eq(mfh_report_run(cst, 0, dir2, &o, &err), MFH_OK);
  tex = slurp(dir2, "table.tex");
  assert_tex_structure(tex);
  ck_assert_ptr_nonnull(strstr(tex, "\\multicolumn{6}{@{}l}{no studies}"));
  free(tex);
  free(dir2);
  for (int i = 0; i < 4; i++) free_study(st[i]);
  free(dir);
}
END_TEST

/* A gci check's series (a value converging to a limit, no rate fit): a
 * linear y axis, the extrapolated value as a level line, the finest level's
 * GCI band from its .gci.dat, and the numbers in results.json. */
START_TEST(test_gci_series_plot) {
  char *dir = mfh_test_tmpdir();
  mfh_study_result *r = make_study("gci");
  mfh_series *s = unfit(&r->series[1]);
  s->has_proved = 0;
  for (size_t i = 0; i < s->n; i++) s->pts[i].mean = 2 - s->pts[i].x; /* 1.9, 1.95, ... -> 2 */
  s->has_extrap = 1;
  s->extrap = 2;
  s->extrap_x = s->pts[s->n - 1].x;
  s->extrap_gci = 0.004;
  s->extrap_lo = s->pts[s->n - 1].mean * (1 - 0.004);
  s->extrap_hi = s->pts[s->n - 1].mean * (1 + 0.004);
  s->extrap_p = 1;
  s->extrap_levels = 3;
  mfh_err err;
  mfh_report_opts o = {have_gnuplot() ? 2 : 0, NULL, NULL, NULL};
  ck_assert_msg(mfh_report_study(r, dir, &o, NULL, &err) == MFH_OK, "%s", err.msg);
  char *gp = slurp(dir, "plot.gp"), *dat = slurp(dir, "s2-eps-err_x.gci.dat"), *js = slurp(dir, "results.json");
  const char *panel = strstr(gp, "# ---- series 2");
  ck_assert_ptr_nonnull(panel);
  ck_assert_msg(strstr(panel, "unset logscale\nset logscale x\n"), "series 2 is not on a linear y axis:\n%.1500s",
                panel);
  ck_assert_ptr_nonnull(strstr(panel, "observed order p = 1 (3 finest levels), extrapolated 2, GCI_{fine} 0.4%"));
  ck_assert_ptr_nonnull(strstr(panel, "2 with lines lc rgb \"#c2255c\" dt 5 lw 2 title \"Richardson extrapolation 2\""));
  ck_assert_ptr_nonnull(strstr(panel, "'s2-eps-err_x.gci.dat' using 1:2:($3):4 with yerrorbars"));
  ck_assert_ptr_null(strstr(panel, "'s2-eps-err_x.curve.dat' every")); /* no fitted line */
  ck_assert_msg(strstr(dat, "\n0.0062500000000000003 1.9937499999999999 1.98577"), "%s", dat);
  ck_assert_ptr_nonnull(strstr(js, "\"extrapolated\": {\n        \"value\": 2"));
  ck_assert_ptr_nonnull(strstr(js, "\"extrapolated\": null")); /* the other series */
  if (have_gnuplot()) assert_png(dir);
  free(gp);
  free(dat);
  free(js);
  free_study(r);
  free(dir);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("report");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_results_basics);
  tcase_add_test(tc, test_study_files);
  tcase_add_test(tc, test_results_json);
  tcase_add_test(tc, test_run_files);
  tcase_add_test(tc, test_run_reuses_study_folders);
  tcase_add_test(tc, test_run_bad_ids);
  tcase_add_test(tc, test_gnuplot_required_missing);
  tcase_add_test(tc, test_gnuplot_optional_missing_warns_once);
  tcase_add_test(tc, test_gnuplot_fails);
  tcase_add_test(tc, test_degenerate);
  tcase_add_test(tc, test_exp_series);
  tcase_add_test(tc, test_reported_rate);
  tcase_add_test(tc, test_linear_x_without_fit);
  tcase_add_test(tc, test_table);
  tcase_add_test(tc, test_writer_registry);
  tcase_add_test(tc, test_expansion_curve);
  tcase_add_test(tc, test_all_zero_series);
  tcase_add_test(tc, test_work_precision_study);
  tcase_add_test(tc, test_work_precision_set);
  tcase_add_test(tc, test_paper_table);
  tcase_add_test(tc, test_gci_series_plot);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
