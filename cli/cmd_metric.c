/* `mfh metric`: read two CSV point clouds, print the exact W_p. */
#include "cli/cmd_metric.h"
#include "pipeline/registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/plugin.h"
#include "core/status.h"
#include "core/cloud.h"
#include "metrics/wasserstein.h"

static const char metric_usage[] = "usage: mfh metric NAME A.csv B.csv [--p P] [--weights]\n";

static const char metric_help[] =
    "\n"
    "Exact Wasserstein distance W_p between the empirical measures of two\n"
    "point clouds (cost |x - y|^p, Euclidean norm), printed with %.17g.\n"
    "One point per row, all columns are coordinates (an optional header line\n"
    "of column names is skipped); both files must have the same dimension.\n"
    "Method: 1D by sorting (quantile coupling); in 2D and up, optimal\n"
    "assignment for equal sizes and weights, else the transportation problem\n"
    "(memory ~ 8 |A| |B| bytes).\n"
    "\n"
    "  --p P       the exponent for wp (P >= 1)\n"
    "  --weights   the last column is the point's weight (>= 0, not all zero;\n"
    "              normalised to sum 1)\n"
    "  --help      this text\n"
    "\n"
    "NAME:\n";

static void print_help(FILE *out) {
  fputs(metric_usage, out);
  fputs(metric_help, out);
  for (size_t i = 0; mfh_metrics[i]; i++)
    fprintf(out, "  %-4s %s\n", mfh_metrics[i]->name, mfh_metrics[i]->doc);
}

typedef struct metric_args {
  const char *name, *file[2], *pval;
  int weights;
} metric_args;

static int parse_args(int argc, char **argv, metric_args *a, mfh_err *err) {
  memset(a, 0, sizeof *a);
  int npos = 0, only_pos = 0;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (only_pos || arg[0] != '-' || strcmp(arg, "-") == 0) {
      if (npos == 3)
        return mfh_err_set(err, MFH_EUSAGE, "metric: too many arguments ('%s')", arg);
      if (npos == 0)
        a->name = arg;
      else
        a->file[npos - 1] = arg;
      npos++;
    } else if (strcmp(arg, "--") == 0) {
      only_pos = 1;
    } else if (strcmp(arg, "--weights") == 0) {
      a->weights = 1;
    } else if (strncmp(arg, "--p=", 4) == 0) {
      a->pval = arg + 4;
    } else if (strcmp(arg, "--p") == 0) {
      if (i + 1 >= argc) return mfh_err_set(err, MFH_EUSAGE, "metric: option --p needs a value");
      a->pval = argv[++i];
    } else {
      return mfh_err_set(err, MFH_EUSAGE, "metric: unknown option '%s'", arg);
    }
  }
  if (npos == 0) return mfh_err_set(err, MFH_EUSAGE, "metric: no metric name (w1, w2 or wp)");
  if (npos < 3) return mfh_err_set(err, MFH_EUSAGE, "metric: two CSV files are needed");
  return MFH_OK;
}

/* The exponent: the registry's, or --p for a metric without a fixed one. */
static int metric_p(const metric_args *a, double *p, mfh_err *err) {
  const mfh_metric_type *m = mfh_metric_find(a->name);
  if (!m) {
    char names[256] = "";
    size_t len = 0;
    for (size_t i = 0; mfh_metrics[i] && len < sizeof names; i++)
      len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "",
                              mfh_metrics[i]->name);
    return mfh_err_set(err, MFH_EUSAGE, "metric: unknown metric '%s' (known: %s)", a->name, names);
  }
  if (m->p > 0) {
    if (a->pval)
      return mfh_err_set(err, MFH_EUSAGE, "metric: %s has p = %g; --p is only for wp", m->name,
                         m->p);
    *p = m->p;
    return MFH_OK;
  }
  if (!a->pval) return mfh_err_set(err, MFH_EUSAGE, "metric: %s needs --p P (P >= 1)", m->name);
  char *end;
  *p = strtod(a->pval, &end);
  if (end == a->pval || *end || !isfinite(*p) || !(*p >= 1))
    return mfh_err_set(err, MFH_EUSAGE, "metric: --p must be a number >= 1, not '%s'", a->pval);
  return MFH_OK;
}

/* Read one CSV file into a cloud (coordinates, and normalised weights from
 * the last column when weights is set).  On error *c is left empty. */
static int load_cloud(const char *path, int weights, mfh_cloud *c, mfh_err *err) {
  mfh_csv csv;
  memset(c, 0, sizeof *c);
  int st = mfh_csv_read(path, &csv, err);
  if (st) return st;
  size_t n = csv.nrows, nc = csv.ncols, dim = weights ? nc - 1 : nc;
  if (n == 0) {
    st = mfh_err_set(err, MFH_EINPUT, "%s: no points (no data rows)", path);
    goto out;
  }
  if (dim == 0 || nc == 0) {
    st = mfh_err_set(err, MFH_EINPUT,
                     "%s: --weights needs at least 2 columns (coordinates, then the weight); "
                     "found %zu",
                     path, nc);
    goto out;
  }
  if (mfh_cloud_alloc(c, n, dim) != MFH_OK || (weights && !(c->w = malloc(n * sizeof *c->w)))) {
    st = mfh_err_set(err, MFH_ENOMEM, "%s: out of memory (%zu points)", path, n);
    goto out;
  }
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    const double *row = csv.data + i * nc;
    memcpy(c->x + i * dim, row, dim * sizeof *c->x);
    if (!weights) continue;
    double w = row[dim];
    if (!(w >= 0) || !isfinite(w)) {
      st = mfh_err_set(err, MFH_EINPUT, "%s:%d: the weight (column %zu) must be >= 0, not %g",
                       path, csv.line[i], nc, w);
      goto out;
    }
    c->w[i] = w;
    sum += w;
  }
  if (weights) {
    if (!(sum > 0) || !isfinite(sum)) {
      st = mfh_err_set(err, MFH_EINPUT, "%s: the weights (column %zu) are all zero", path, nc);
      goto out;
    }
    for (size_t i = 0; i < n; i++) c->w[i] /= sum;
  }
out:
  mfh_csv_free(&csv);
  if (st) mfh_cloud_free(c);
  return st;
}

int mfh_cmd_metric(int argc, char **argv) {
  mfh_err err;
  mfh_err_clear(&err);
  for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      print_help(stdout);
      return 0;
    }
  metric_args a;
  double p = 0;
  int st = parse_args(argc, argv, &a, &err);
  if (!st) st = metric_p(&a, &p, &err);
  if (st) {
    mfh_err_print(&err, stderr);
    fputs(metric_usage, stderr);
    return mfh_status_exit_code(st);
  }
  mfh_cloud c[2] = {{0}, {0}};
  double wpp = 0;
  for (int k = 0; k < 2 && !st; k++) st = load_cloud(a.file[k], a.weights, &c[k], &err);
  if (!st && c[0].dim != c[1].dim)
    st = mfh_err_set(&err, MFH_EINPUT,
                     "metric: dimension mismatch: %s has dimension %zu, %s has dimension %zu",
                     a.file[0], c[0].dim, a.file[1], c[1].dim);
  if (!st) {
    st = mfh_wasserstein_pp(&c[0], &c[1], p, &wpp, &err);
    if (st) mfh_err_prefix(&err, "metric %s %s %s", a.name, a.file[0], a.file[1]);
  }
  if (!st) {
    double w = p == 1.0 ? wpp : (p == 2.0 ? sqrt(wpp) : pow(wpp, 1.0 / p));
    printf("%.17g\n", w);
  }
  mfh_cloud_free(&c[0]);
  mfh_cloud_free(&c[1]);
  if (st) mfh_err_print(&err, stderr);
  return mfh_status_exit_code(st);
}
