/* `mfh fit`: read two or three columns of a CSV file, fit the rate, print. */
#include "cli/cmd_fit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/fit.h"
#include "core/status.h"

static const char fit_usage[] =
    "usage: mfh fit FILE.csv --x COL --y COL [--yerr COL] [--model power|powerlog]\n"
    "               [--refine up|down] [--exclude K] [--auto-exclude] [--level 0.95]\n";

static const char fit_help[] =
    "\n"
    "Fit a convergence rate: least squares of log(y) on log(x), weighted by\n"
    "(y/yerr)^2 when --yerr is given, with a t-based confidence interval.\n"
    "Rows must run from the coarsest to the finest level (rows whose x runs\n"
    "against --refine are sorted first).  COL is a header name or a 1-based\n"
    "column number.\n"
    "\n"
    "  --x COL           the refinement parameter (N, eps, dt, ...)\n"
    "  --y COL           the error (must be > 0)\n"
    "  --yerr COL        standard errors of y (weights; covariance scaled by\n"
    "                    max(1, chi2/dof))\n"
    "  --model M         power: y = C x^s (default); powerlog: y = C x^s log x\n"
    "  --refine D        up: refinement increases x (N); down: decreases it\n"
    "                    (eps, dt); default: from the first and last rows\n"
    "  --exclude K       drop the first K rows (the coarse end)\n"
    "  --auto-exclude    also drop leading rows whose local order is not yet\n"
    "                    stable (pre-asymptotic)\n"
    "  --level P         confidence level, 0 < P < 1 (default 0.95)\n"
    "  --help            this text\n";

typedef struct fit_args {
  const char *file, *xcol, *ycol, *ecol;
  mfh_fit_opts opts;
  int refine_given;
} fit_args;

/* "--name" or "--name=value": the option's value, from the same or the next
 * argument.  Returns 1 when argv[*i] is this option. */
static int take_value(int argc, char **argv, int *i, const char *name, const char **val,
                      mfh_err *err, int *st) {
  const char *a = argv[*i] + 2;
  size_t len = strlen(name);
  if (strncmp(a, name, len) != 0 || (a[len] != '\0' && a[len] != '=')) return 0;
  if (a[len] == '=') {
    *val = a + len + 1;
  } else if (*i + 1 < argc) {
    *val = argv[++*i];
  } else {
    *st = mfh_err_set(err, MFH_EUSAGE, "fit: option --%s needs a value", name);
  }
  return 1;
}

static int parse_size(const char *s, size_t *v) {
  if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9) return 0;
  *v = (size_t)strtoul(s, NULL, 10);
  return 1;
}

static int parse_args(int argc, char **argv, fit_args *a, mfh_err *err) {
  memset(a, 0, sizeof *a);
  mfh_fit_opts_default(&a->opts);
  int st = MFH_OK, only_files = 0;
  for (int i = 1; i < argc && st == MFH_OK; i++) {
    const char *arg = argv[i], *v = NULL;
    if (only_files || arg[0] != '-' || strcmp(arg, "-") == 0) {
      if (a->file)
        return mfh_err_set(err, MFH_EUSAGE, "fit: more than one input file ('%s', '%s')",
                           a->file, arg);
      a->file = arg;
      continue;
    }
    if (strcmp(arg, "--") == 0) {
      only_files = 1;
      continue;
    }
    if (arg[1] != '-')
      return mfh_err_set(err, MFH_EUSAGE, "fit: unknown option '%s'", arg);
    if (take_value(argc, argv, &i, "x", &v, err, &st)) {
      a->xcol = v;
    } else if (take_value(argc, argv, &i, "yerr", &v, err, &st)) {
      a->ecol = v;
    } else if (take_value(argc, argv, &i, "y", &v, err, &st)) {
      a->ycol = v;
    } else if (take_value(argc, argv, &i, "model", &v, err, &st)) {
      if (st) break;
      if (strcmp(v, "power") == 0)
        a->opts.model = MFH_FIT_POWER;
      else if (strcmp(v, "powerlog") == 0)
        a->opts.model = MFH_FIT_POWER_LOG;
      else
        return mfh_err_set(err, MFH_EUSAGE, "fit: --model must be power or powerlog, not '%s'", v);
    } else if (take_value(argc, argv, &i, "refine", &v, err, &st)) {
      if (st) break;
      if (strcmp(v, "up") == 0)
        a->opts.refine_dir = 1;
      else if (strcmp(v, "down") == 0)
        a->opts.refine_dir = -1;
      else
        return mfh_err_set(err, MFH_EUSAGE, "fit: --refine must be up or down, not '%s'", v);
      a->refine_given = 1;
    } else if (take_value(argc, argv, &i, "exclude", &v, err, &st)) {
      if (st) break;
      if (!parse_size(v, &a->opts.exclude_leading))
        return mfh_err_set(err, MFH_EUSAGE,
                           "fit: --exclude must be a number of rows >= 0, not '%s'", v);
    } else if (take_value(argc, argv, &i, "level", &v, err, &st)) {
      if (st) break;
      char *end;
      a->opts.level = strtod(v, &end);
      if (end == v || *end || !(a->opts.level > 0 && a->opts.level < 1))
        return mfh_err_set(err, MFH_EUSAGE, "fit: --level must be in (0, 1), e.g. 0.95, not '%s'",
                           v);
    } else if (strcmp(arg, "--auto-exclude") == 0) {
      a->opts.auto_exclude = 1;
    } else {
      return mfh_err_set(err, MFH_EUSAGE, "fit: unknown option '%s'", arg);
    }
  }
  if (st) return st;
  if (!a->file) return mfh_err_set(err, MFH_EUSAGE, "fit: no input file");
  if (!a->xcol) return mfh_err_set(err, MFH_EUSAGE, "fit: --x COL is required");
  if (!a->ycol) return mfh_err_set(err, MFH_EUSAGE, "fit: --y COL is required");
  return MFH_OK;
}

typedef struct fit_row {
  double key; /* refine_dir * x */
  size_t row;
} fit_row;

static int cmp_row(const void *p, const void *q) {
  const fit_row *a = p, *b = q;
  if (a->key != b->key) return a->key < b->key ? -1 : 1;
  return (a->row > b->row) - (a->row < b->row);
}

/* A number for the report: fixed with `digits` decimals, or %.2e when it
 * would print as zero. */
static const char *num(char *buf, size_t cap, double v, int digits) {
  if (v == 0) v = 0; /* no "-0.000" */
  if (v != 0 && isfinite(v) && fabs(v) < 0.5 * pow(10.0, -digits))
    snprintf(buf, cap, "%.2e", v);
  else
    snprintf(buf, cap, "%.*f", digits, v);
  return buf;
}

static void col_name(const mfh_csv *csv, size_t col, char *buf, size_t cap) {
  if (csv->names)
    snprintf(buf, cap, "%s", csv->names[col]);
  else
    snprintf(buf, cap, "column %zu", col + 1);
}

static void print_report(const fit_args *a, const mfh_csv *csv, const size_t cols[3],
                         const double *x, const mfh_fit_result *r, int inferred, int sorted) {
  char b1[64], b2[64], b3[64], b4[64];
  char nx[128], ny[128], ne[128];
  col_name(csv, cols[0], nx, sizeof nx);
  col_name(csv, cols[1], ny, sizeof ny);
  printf("file: %s (%zu rows), x = %s, y = %s", a->file, csv->nrows, nx, ny);
  if (a->ecol) {
    col_name(csv, cols[2], ne, sizeof ne);
    printf(", yerr = %s", ne);
  }
  printf("\nmodel: %s\n", r->model == MFH_FIT_POWER_LOG ? "powerlog, y = C x^s log x"
                                                         : "power, y = C x^s");
  printf("refinement: x %s%s%s\n", a->opts.refine_dir > 0 ? "increasing (up)" : "decreasing (down)",
         inferred ? ", from the row order" : "", sorted ? "; rows sorted from coarse to fine" : "");
  size_t other = r->n - r->n_used - r->n_excluded_pre;
  printf("points: %zu given, %zu used, %zu excluded at the coarse end", r->n, r->n_used,
         r->n_excluded_pre);
  if (other) printf(", %zu unusable", other);
  printf("\n");

  double pct = 100 * r->level;
  if (isnan(r->slope)) {
    printf("slope: undefined\n");
  } else if (!isfinite(r->slope_se)) {
    printf("slope %s (%zu points: no interval)\n", num(b1, sizeof b1, r->slope, 4), r->n_used);
  } else {
    printf("slope %s +/- %s (%g%% CI [%s, %s], t = %.3f, %zu dof)\n",
           num(b1, sizeof b1, r->slope, 4), num(b2, sizeof b2, r->slope_se, 4), pct,
           num(b3, sizeof b3, r->slope_lo, 3), num(b4, sizeof b4, r->slope_hi, 3), r->t_crit,
           r->n_used - 2);
  }
  if (isfinite(r->intercept)) {
    printf("intercept log C = %s", num(b1, sizeof b1, r->intercept, 4));
    if (isfinite(r->intercept_se)) printf(" +/- %s", num(b2, sizeof b2, r->intercept_se, 4));
    printf(", C = %.4g\n", exp(r->intercept));
  }
  if (isfinite(r->r2)) printf("R^2 = %.6f\n", r->r2);
  if (r->weighted && isfinite(r->chi2_dof))
    printf("chi2/dof = %.4g (weighted by yerr; covariance %s)\n", r->chi2_dof,
           r->chi2_dof > 1 ? "scaled by chi2/dof" : "not scaled");
  else if (!r->weighted)
    printf("weights: none (unweighted fit)\n");

  if (r->n > 1) {
    printf("local orders (x_i -> x_{i+1}: order):\n");
    for (size_t i = 0; i + 1 < r->n; i++) {
      printf("  %10g -> %-10g ", x[i], x[i + 1]);
      if (isnan(r->local[i]))
        printf("%9s", "n/a");
      else
        printf("%9.4f", r->local[i]);
      printf("%s\n", r->used[i] && r->used[i + 1] ? "" : "  (not in the fit)");
    }
  }

  static const struct {
    unsigned flag;
    const char *text;
  } words[] = {
      {MFH_FIT_NONFINITE, "non-finite values (those points not used)"},
      {MFH_FIT_NONPOSITIVE, "y <= 0 at some points (not used: no logarithm)"},
      {MFH_FIT_NOT_DECREASING, "the error does not decrease along refinement"},
      {MFH_FIT_FLOOR, "identical errors at every level (an error floor)"},
      {MFH_FIT_TOO_FEW, "fewer than 3 usable points (no confidence interval)"},
      {MFH_FIT_PREASYMPTOTIC, "leading points excluded as pre-asymptotic"},
  };
  printf("flags:");
  int any = 0;
  for (size_t j = 0; j < sizeof words / sizeof words[0]; j++)
    if (r->flags & words[j].flag) {
      printf("%s %s", any ? ";" : "", words[j].text);
      any = 1;
    }
  printf("%s\n", any ? "" : " none");
  if (r->note[0]) printf("note: %s\n", r->note);
}

int mfh_cmd_fit(int argc, char **argv) {
  mfh_err err;
  mfh_err_clear(&err);
  mfh_gsl_quiet();
  for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      printf("%s%s", fit_usage, fit_help);
      return 0;
    }
  fit_args a;
  int st = parse_args(argc, argv, &a, &err);
  if (st) {
    mfh_err_print(&err, stderr);
    fputs(fit_usage, stderr);
    return mfh_status_exit_code(st);
  }

  mfh_csv csv;
  mfh_fit_result r;
  memset(&r, 0, sizeof r);
  double *x = NULL, *y = NULL, *e = NULL;
  fit_row *rows = NULL;
  size_t cols[3] = {0, 0, 0};
  if ((st = mfh_csv_read(a.file, &csv, &err))) goto out;
  if ((st = mfh_csv_column(&csv, a.xcol, &cols[0], &err))) goto out;
  if ((st = mfh_csv_column(&csv, a.ycol, &cols[1], &err))) goto out;
  if (a.ecol && (st = mfh_csv_column(&csv, a.ecol, &cols[2], &err))) goto out;

  size_t n = csv.nrows;
  x = malloc(n * sizeof *x);
  y = malloc(n * sizeof *y);
  e = malloc(n * sizeof *e);
  rows = malloc(n * sizeof *rows);
  if (!x || !y || !e || !rows) {
    st = mfh_err_set(&err, MFH_ENOMEM, "fit: out of memory");
    goto out;
  }
  /* refinement direction: as given, or from the first and last rows */
  const double *d = csv.data;
  const size_t nc = csv.ncols;
  int inferred = !a.refine_given;
  if (inferred) a.opts.refine_dir = d[(n - 1) * nc + cols[0]] < d[cols[0]] ? -1 : 1;
  int sorted = 0;
  for (size_t i = 0; i < n; i++) {
    rows[i].key = a.opts.refine_dir * d[i * nc + cols[0]];
    rows[i].row = i;
    if (i && rows[i].key < rows[i - 1].key) sorted = 1;
  }
  if (sorted) qsort(rows, n, sizeof *rows, cmp_row);
  for (size_t i = 0; i < n; i++) {
    const double *row = d + rows[i].row * nc;
    x[i] = row[cols[0]];
    y[i] = row[cols[1]];
    e[i] = a.ecol ? row[cols[2]] : 0;
  }
  if ((st = mfh_fit_rate(n, x, y, a.ecol ? e : NULL, &a.opts, &r, &err))) goto out;
  print_report(&a, &csv, cols, x, &r, inferred, sorted);
  /* the command's answer is a slope: without one the input was not fit to give it */
  if (!isfinite(r.slope))
    st = mfh_err_set(&err, MFH_EINPUT, "%s: no slope could be computed from %zu usable of %zu rows (see the flags above)",
                     a.file, r.n_used, n);

out:
  if (st) mfh_err_print(&err, stderr);
  mfh_fit_result_free(&r);
  mfh_csv_free(&csv);
  free(x);
  free(y);
  free(e);
  free(rows);
  return mfh_status_exit_code(st);
}
