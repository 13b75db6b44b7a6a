/* State files of the engine command (statefile.h): NumPy .npy (core/npy.h)
 * and CSV (core/csv.h) read against a declaration, clouds written for a
 * program to read. */
#include "engines/command/statefile.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cmplx.h"
#include "core/csv.h"
#include "core/density.h"
#include "core/field.h"
#include "core/fsutil.h"
#include "core/grid.h"
#include "core/kinds.h"
#include "core/npy.h"

static const char *const state_names[] = {"none", "cloud", "phase_grid", "field", "wavefunction", "kernel"};

int mfh_command_has_ext(const char *name, const char *ext) {
  size_t n = strlen(name), e = strlen(ext);
  return n > e && !strcmp(name + n - e, ext);
}

size_t mfh_command_cloud_columns(const mfh_command_decl *d) {
  return d->d * (d->velocities ? 2 : 1) + (d->weights ? 1 : 0);
}

/* Values the declared state holds (complex values count once). */
static size_t declared_count(const mfh_command_decl *d) {
  switch (d->state) {
    case MFH_COMMAND_CLOUD: return d->n * mfh_command_cloud_columns(d);
    case MFH_COMMAND_PHASE_GRID: return d->nx * d->nv;
    case MFH_COMMAND_KERNEL: return d->nx * d->nx;
    default: return d->nx;
  }
}

/* "(3, 2)" for messages. */
static void shape_text(const size_t *shape, size_t ndim, char *buf, size_t len) {
  size_t u = (size_t)snprintf(buf, len, "(");
  for (size_t k = 0; k < ndim && u < len; k++) u += (size_t)snprintf(buf + u, len - u, "%s%zu", k ? ", " : "", shape[k]);
  if (u < len) snprintf(buf + u, len - u, ndim == 1 ? ",)" : ")");
}

/* The declared shape of the array (ndim, shape) and what it is, in words. */
static size_t declared_shape(const mfh_command_decl *d, size_t shape[2], char *what, size_t len) {
  switch (d->state) {
    case MFH_COMMAND_CLOUD:
      shape[0] = d->n;
      shape[1] = mfh_command_cloud_columns(d);
      snprintf(what, len, "N = %zu particles x %zu columns (%zu positions%s%s)", d->n, shape[1], d->d,
               d->velocities ? ", velocities" : "", d->weights ? ", a weight" : "");
      return 2;
    case MFH_COMMAND_PHASE_GRID:
      shape[0] = d->nx;
      shape[1] = d->nv;
      snprintf(what, len, "nx = %zu by nv = %zu nodes, f[x, v]", d->nx, d->nv);
      return 2;
    case MFH_COMMAND_KERNEL:
      shape[0] = shape[1] = d->nx;
      snprintf(what, len, "an nx = %zu square kernel", d->nx);
      return 2;
    default:
      shape[0] = d->nx;
      snprintf(what, len, "nx = %zu grid values", d->nx);
      return 1;
  }
}

/* A message about a missing file, with what the folder does hold. */
static int missing(const char *path, const char *name, mfh_err *err) {
  char list[512] = "";
  char *dir = strdup(path);
  char *slash = dir ? strrchr(dir, '/') : NULL;
  if (slash) {
    *slash = '\0';
    DIR *dh = opendir(dir);
    struct dirent *e;
    size_t shown = 0, more = 0;
    while (dh && (e = readdir(dh))) {
      if (e->d_name[0] == '.') continue;
      if (shown == 8) {
        more++;
        continue;
      }
      size_t u = strlen(list);
      snprintf(list + u, sizeof list - u, "%s%.60s", shown++ ? ", " : "", e->d_name);
    }
    if (more) {
      size_t u = strlen(list);
      snprintf(list + u, sizeof list - u, " and %zu more", more);
    }
    if (dh) closedir(dh);
  }
  free(dir);
  return mfh_err_set(err, MFH_EEXTERNAL, "%s: the program did not write this file (its folder holds %s)", name,
                     list[0] ? list : "nothing");
}

/* The array of a state file: .npy, or a .csv table as an (nrows, ncols) array. */
static int load_array(const char *path, const char *name, mfh_npy *a, mfh_err *err) {
  memset(a, 0, sizeof *a);
  if (mfh_command_has_ext(name, ".npy")) {
    char *buf = NULL;
    size_t len = 0;
    if (mfh_read_file(path, &buf, &len, err))
      return mfh_err_set(err, MFH_EEXTERNAL, "%s: cannot be read", name);
    int rc = mfh_npy_parse(name, buf, len, a, err);
    free(buf);
    return rc == MFH_EINPUT ? MFH_EEXTERNAL : rc;
  }
  mfh_csv csv;
  int rc = mfh_csv_read(path, &csv, err);
  if (rc) {
    /* messages name the file as the program knows it, not mfh's folder,
     * and hold the place: this is a task's error, not a study file's */
    char rest[MFH_ERR_MSG];
    size_t pl = strlen(path);
    snprintf(rest, sizeof rest, "%s", !strncmp(err->msg, path, pl) ? err->msg + pl : err->msg);
    if (err->line > 0)
      snprintf(err->msg, sizeof err->msg, "%.200s:%d:%d: %.700s", name, err->line, err->col, rest);
    else if (rest[0] == ':')
      snprintf(err->msg, sizeof err->msg, "%.200s%.700s", name, rest);
    else
      snprintf(err->msg, sizeof err->msg, "%.200s: %.700s", name, rest);
    err->file[0] = '\0';
    err->line = err->col = 0;
    return rc == MFH_EINPUT ? MFH_EEXTERNAL : rc;
  }
  a->ndim = 2;
  a->shape[0] = csv.nrows;
  a->shape[1] = csv.ncols;
  a->count = csv.nrows * csv.ncols;
  a->data = csv.data; /* moved */
  csv.data = NULL;
  snprintf(a->descr, sizeof a->descr, "csv");
  mfh_csv_free(&csv);
  return MFH_OK;
}

/* The first value that is not finite, as "[i, j] = nan", or "" when all are. */
static int first_nonfinite(const mfh_npy *a, char *buf, size_t len) {
  size_t per = a->is_complex ? 2 : 1;
  for (size_t k = 0; k < a->count * per; k++)
    if (!isfinite(a->data[k])) {
      size_t e = k / per, idx[MFH_NPY_MAXDIM];
      for (size_t q = a->ndim; q-- > 0;) {
        idx[q] = e % a->shape[q];
        e /= a->shape[q];
      }
      size_t u = (size_t)snprintf(buf, len, "[");
      for (size_t q = 0; q < a->ndim && u < len; q++)
        u += (size_t)snprintf(buf + u, len - u, "%s%zu", q ? ", " : "", idx[q]);
      if (u < len)
        snprintf(buf + u, len - u, "]%s = %g", a->is_complex ? (k % 2 ? " (imaginary part)" : " (real part)") : "",
                 a->data[k]);
      return 1;
    }
  return 0;
}

static int make_cloud(const mfh_npy *a, const char *name, const mfh_command_decl *d, mfh_cloud **out,
                      mfh_err *err) {
  size_t n = d->n, cols = mfh_command_cloud_columns(d), dim = d->d * (d->velocities ? 2 : 1);
  mfh_cloud *c = mfh_cloud_new(n, dim);
  if (!c || (d->weights && !(c->w = malloc(n * sizeof *c->w)))) {
    if (c) {
      mfh_cloud_free(c);
      free(c);
    }
    return mfh_err_set(err, MFH_ENOMEM, "out of memory for a cloud of %zu particles", n);
  }
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    const double *row = a->data + i * cols;
    for (size_t k = 0; k < dim; k++) {
      double x = row[k];
      if (d->period > 0 && k < d->d) {
        x = fmod(x, d->period);
        if (x < 0) x += d->period;
        if (x >= d->period) x = 0; /* -tiny + period rounds to period */
      }
      c->x[i * dim + k] = x;
    }
    if (d->weights) {
      if (row[dim] < 0) {
        mfh_cloud_free(c);
        free(c);
        return mfh_err_set(err, MFH_EEXTERNAL, "%s: the weight of particle %zu is negative (%g)", name, i, row[dim]);
      }
      c->w[i] = row[dim];
      sum += row[dim];
    }
  }
  if (d->weights) {
    if (!(fabs(sum - 1) <= 1e-6)) {
      mfh_cloud_free(c);
      free(c);
      return mfh_err_set(err, MFH_EEXTERNAL, "%s: the weights sum to %.9g, not 1", name, sum);
    }
    for (size_t i = 0; i < n; i++) c->w[i] /= sum;
  }
  c->d = d->velocities ? d->d : 0;
  c->period = d->period;
  *out = c;
  return MFH_OK;
}

int mfh_command_read_state(const char *path, const char *name, const mfh_command_decl *d, const char *item,
                           mfh_state *s, mfh_err *err) {
  if (d->state <= MFH_COMMAND_NONE || d->state > MFH_COMMAND_KERNEL)
    return mfh_err_set(err, MFH_EINTERNAL, "state file: no state declared");
  int csv = mfh_command_has_ext(name, ".csv");
  if (!csv && !mfh_command_has_ext(name, ".npy"))
    return mfh_err_set(err, MFH_EINTERNAL, "%s: a state file is .npy or .csv", name);
  struct stat st;
  if (stat(path, &st) != 0) {
    if (errno == ENOENT) return missing(path, name, err);
    return mfh_err_set(err, MFH_EEXTERNAL, "%s: %s", name, strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return mfh_err_set(err, MFH_EEXTERNAL, "%s: not a regular file", name);
  /* refuse a file far larger than the declared state before reading it:
   * 16 bytes a value (complex128) and a 64 kB header in .npy, 64 characters
   * a number in .csv */
  size_t count = declared_count(d);
  double most = 65536.0 + (csv ? 64.0 : 16.0) * (double)count;
  if ((double)st.st_size > most)
    return mfh_err_set(err, MFH_EEXTERNAL,
                       "%s: %lld bytes, more than the declared %s of %zu values can take (at most %.0f bytes)", name,
                       (long long)st.st_size, state_names[d->state], count, most);
  mfh_npy a;
  int rc = load_array(path, name, &a, err);
  if (rc) {
    mfh_npy_free(&a);
    return rc;
  }
  size_t shape[2];
  char what[160], got[160], want[160], bad[160];
  size_t ndim = declared_shape(d, shape, what, sizeof what);
  /* a cloud of one column may be a 1-d array */
  int shape_ok = a.ndim == ndim && a.shape[0] == shape[0] && (ndim == 1 || a.shape[1] == shape[1]);
  if (!shape_ok && d->state == MFH_COMMAND_CLOUD && shape[1] == 1 && a.ndim == 1 && a.shape[0] == shape[0])
    shape_ok = 1;
  if (!shape_ok) {
    shape_text(a.shape, a.ndim, got, sizeof got);
    shape_text(shape, ndim, want, sizeof want);
    if (csv)
      rc = mfh_err_set(err, MFH_EEXTERNAL, "%s: %zu rows of %zu numbers, the study declares %s: %zu rows of %zu", name,
                       a.shape[0], a.ndim > 1 ? a.shape[1] : 1, what, shape[0], shape[1]);
    else
      rc = mfh_err_set(err, MFH_EEXTERNAL, "%s: an array of shape %s, the study declares %s: shape %s", name, got,
                       what, want);
    goto done;
  }
  int want_complex = d->state == MFH_COMMAND_WAVEFUNCTION || d->state == MFH_COMMAND_KERNEL;
  if (a.is_complex && !want_complex) {
    rc = mfh_err_set(err, MFH_EEXTERNAL, "%s: a complex array (%s), but a %s is real", name, a.descr,
                     state_names[d->state]);
    goto done;
  }
  if (first_nonfinite(&a, bad, sizeof bad)) {
    rc = mfh_err_set(err, MFH_EEXTERNAL, "%s: a value is not finite: %s%s", name, csv ? "row, column " : "", bad);
    goto done;
  }
  if (d->state == MFH_COMMAND_CLOUD) {
    mfh_cloud *c = NULL;
    if (!(rc = make_cloud(&a, name, d, &c, err))) rc = mfh_state_put(s, item, &mfh_kind_cloud, c, err);
    goto done;
  }
  double dx = (d->xmax - d->xmin) / (double)d->nx;
  if (d->state == MFH_COMMAND_PHASE_GRID) {
    mfh_phase_grid *g = calloc(1, sizeof *g);
    if (!g || mfh_phase_grid_alloc(g, d->nx, d->nv, err)) {
      free(g);
      rc = mfh_err_set(err, MFH_ENOMEM, "out of memory for a %zu x %zu grid", d->nx, d->nv);
      goto done;
    }
    memcpy(g->f, a.data, d->nx * d->nv * sizeof *g->f);
    g->xmin = d->xmin;
    g->dx = dx;
    g->vmin = d->vmin;
    g->dv = (d->vmax - d->vmin) / (double)(d->nv - 1);
    g->period = d->period;
    rc = mfh_state_put(s, item, &mfh_kind_phase_grid, g, err);
    goto done;
  }
  mfh_xgrid xg = {1, d->nx, d->xmin, dx};
  if (d->state == MFH_COMMAND_FIELD) {
    mfh_field *f = mfh_field_new(&xg);
    if (!f) {
      rc = mfh_err_set(err, MFH_ENOMEM, "out of memory for a field of %zu values", d->nx);
      goto done;
    }
    memcpy(f->v, a.data, d->nx * sizeof *f->v);
    rc = mfh_state_put(s, item, &mfh_kind_field, f, err);
    goto done;
  }
  int kernel = d->state == MFH_COMMAND_KERNEL;
  mfh_density *r = mfh_density_new(&xg, kernel ? MFH_DENSITY_KERNEL : MFH_DENSITY_ORBITALS, kernel ? 0 : 1);
  if (!r) {
    rc = mfh_err_set(err, MFH_ENOMEM, "out of memory for a density on %zu points", d->nx);
    goto done;
  }
  double complex *z = kernel ? r->kernel : r->orb;
  for (size_t k = 0; k < a.count; k++)
    z[k] = a.is_complex ? CMPLX(a.data[2 * k], a.data[2 * k + 1]) : CMPLX(a.data[k], 0.0);
  if (!kernel) r->w[0] = 1;
  r->eps = d->eps;
  rc = mfh_state_put(s, item, &mfh_kind_density, r, err);
done:
  mfh_npy_free(&a);
  return rc;
}

int mfh_command_write_cloud(const char *path, const mfh_cloud *c, mfh_err *err) {
  size_t cols = c->dim + (c->w ? 1 : 0);
  if (mfh_command_has_ext(path, ".npy")) {
    size_t m = c->n * cols;
    double *data = malloc((m ? m : 1) * sizeof *data);
    if (!data) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->n; i++) {
      memcpy(data + i * cols, c->x + i * c->dim, c->dim * sizeof *data);
      if (c->w) data[i * cols + c->dim] = c->w[i];
    }
    size_t shape[2] = {c->n, cols};
    int rc = mfh_npy_write(path, 0, 2, shape, data, err);
    free(data);
    return rc;
  }
  if (!mfh_command_has_ext(path, ".csv")) return mfh_err_set(err, MFH_EINPUT, "%s: a cloud file is .npy or .csv", path);
  mfh_afile f;
  int rc = mfh_afile_open(&f, path, err);
  if (rc) return rc;
  for (size_t k = 0; k < c->dim; k++) {
    if (c->d && c->dim == 2 * c->d)
      fprintf(f.f, "%s%c%zu", k ? "," : "", k < c->d ? 'x' : 'v', k % c->d + 1);
    else
      fprintf(f.f, "%sx%zu", k ? "," : "", k + 1);
  }
  fprintf(f.f, "%s\n", c->w ? ",w" : "");
  for (size_t i = 0; i < c->n; i++) {
    for (size_t k = 0; k < c->dim; k++) fprintf(f.f, "%s%.17g", k ? "," : "", c->x[i * c->dim + k]);
    if (c->w) fprintf(f.f, ",%.17g", c->w[i]);
    fputc('\n', f.f);
  }
  return mfh_afile_commit(&f, err);
}
