/* Numeric CSV tables.  See csv.h for the format. */
#include "core/csv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fields longer than this are never numbers (and are shortened in messages). */
#define CSV_NUM_MAX 128
#define CSV_SHOW_MAX 40

typedef struct csv_field {
  const char *s; /* trimmed text (not NUL-terminated) */
  size_t len;
  int col; /* 1-based character column of the field's start */
} csv_field;

/* Outcome of reading one field as a number. */
enum { NUM_OK = 0, NUM_EMPTY, NUM_NOT_A_NUMBER, NUM_NOT_FINITE, NUM_RANGE };

/* Growable state while reading. */
typedef struct csv_reader {
  const char *path;
  csv_field *f;
  size_t nf, fcap;
  size_t rcap; /* rows allocated in out->data / out->line */
} csv_reader;

void mfh_csv_free(mfh_csv *csv) {
  if (!csv) return;
  if (csv->names)
    for (size_t j = 0; j < csv->ncols; j++) free(csv->names[j]);
  free(csv->names);
  free(csv->path);
  free(csv->data);
  free(csv->line);
  memset(csv, 0, sizeof *csv);
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Column (1-based, in characters) of p within the line starting at ls:
 * UTF-8 continuation bytes do not start a character. */
static int char_col(const char *ls, const char *p) {
  int col = 1;
  for (const char *q = ls; q < p; q++)
    if (((unsigned char)*q & 0xC0) != 0x80) col++;
  return col;
}

/* Split the line [ls, le) at commas into r->f (trimmed fields). */
static int split_line(csv_reader *r, const char *ls, const char *le) {
  r->nf = 0;
  const char *a = ls;
  for (;;) {
    const char *b = a;
    while (b < le && *b != ',') b++;
    if (r->nf == r->fcap) {
      size_t cap = r->fcap ? 2 * r->fcap : 16;
      csv_field *g = realloc(r->f, cap * sizeof *g);
      if (!g) return MFH_ENOMEM;
      r->f = g;
      r->fcap = cap;
    }
    const char *s = a, *e = b;
    while (s < e && is_blank(*s)) s++;
    while (e > s && is_blank(e[-1])) e--;
    csv_field *f = &r->f[r->nf++];
    f->s = s;
    f->len = (size_t)(e - s);
    f->col = char_col(ls, f->len ? s : a);
    if (b == le) break;
    a = b + 1;
  }
  return MFH_OK;
}

static int parse_number(const csv_field *f, double *v) {
  char buf[CSV_NUM_MAX + 1];
  if (f->len == 0) return NUM_EMPTY;
  if (f->len > CSV_NUM_MAX) return NUM_NOT_A_NUMBER;
  memcpy(buf, f->s, f->len);
  buf[f->len] = '\0';
  char *end;
  errno = 0;
  *v = strtod(buf, &end);
  if (end == buf || *end != '\0') return NUM_NOT_A_NUMBER;
  if (errno == ERANGE && fabs(*v) == HUGE_VAL) return NUM_RANGE;
  if (!isfinite(*v)) return NUM_NOT_FINITE;
  return NUM_OK; /* underflow to a tiny or zero value is accepted */
}

/* The field's text for a message, shortened when long. */
static void show_field(const csv_field *f, char *out, size_t cap) {
  if (f->len <= CSV_SHOW_MAX)
    snprintf(out, cap, "%.*s", (int)f->len, f->s);
  else
    snprintf(out, cap, "%.*s...", CSV_SHOW_MAX, f->s);
}

static int field_error(const csv_reader *r, int line, const csv_field *f, int what, mfh_err *err) {
  mfh_mark at = {r->path, line, f->col};
  char text[CSV_SHOW_MAX + 8];
  show_field(f, text, sizeof text);
  switch (what) {
  case NUM_EMPTY:
    return mfh_err_at(err, MFH_EINPUT, at, "empty field");
  case NUM_NOT_FINITE:
    return mfh_err_at(err, MFH_EINPUT, at, "'%s' is not a finite number", text);
  case NUM_RANGE:
    return mfh_err_at(err, MFH_EINPUT, at, "'%s' is out of range", text);
  default:
    return mfh_err_at(err, MFH_EINPUT, at, "'%s' is not a number", text);
  }
}

/* Take the header fields as column names (surrounding double quotes removed). */
static int take_header(csv_reader *r, int line, mfh_csv *out, mfh_err *err) {
  out->ncols = r->nf;
  out->names = calloc(r->nf, sizeof *out->names);
  if (!out->names) return mfh_err_set(err, MFH_ENOMEM, "%s: out of memory", r->path);
  for (size_t j = 0; j < r->nf; j++) {
    const csv_field *f = &r->f[j];
    const char *s = f->s;
    size_t len = f->len;
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
      s++;
      len -= 2;
    }
    mfh_mark at = {r->path, line, f->col};
    if (len == 0) return mfh_err_at(err, MFH_EINPUT, at, "empty column name");
    out->names[j] = malloc(len + 1);
    if (!out->names[j]) return mfh_err_set(err, MFH_ENOMEM, "%s: out of memory", r->path);
    memcpy(out->names[j], s, len);
    out->names[j][len] = '\0';
    for (size_t i = 0; i < j; i++)
      if (strcmp(out->names[i], out->names[j]) == 0)
        return mfh_err_at(err, MFH_EINPUT, at, "column name '%s' repeats column %zu",
                          out->names[j], i + 1);
  }
  return MFH_OK;
}

static int add_row(csv_reader *r, int line, mfh_csv *out, mfh_err *err) {
  if (r->nf != out->ncols) {
    /* point at the first surplus field, or just past the end of the row */
    const csv_field *last = &r->f[r->nf - 1];
    mfh_mark at = {r->path, line, 0};
    at.col = r->nf > out->ncols ? r->f[out->ncols].col
                                : last->col + char_col(last->s, last->s + last->len) - 1;
    return mfh_err_at(err, MFH_EINPUT, at, "row has %zu field%s, expected %zu", r->nf,
                      r->nf == 1 ? "" : "s", out->ncols);
  }
  if (out->nrows == r->rcap) {
    size_t cap = r->rcap ? 2 * r->rcap : 64;
    if (cap > SIZE_MAX / sizeof(double) / out->ncols)
      return mfh_err_set(err, MFH_ENOMEM, "%s: too many rows", r->path);
    double *d = realloc(out->data, cap * out->ncols * sizeof *d);
    if (!d) return mfh_err_set(err, MFH_ENOMEM, "%s: out of memory", r->path);
    out->data = d;
    int *l = realloc(out->line, cap * sizeof *l);
    if (!l) return mfh_err_set(err, MFH_ENOMEM, "%s: out of memory", r->path);
    out->line = l;
    r->rcap = cap;
  }
  double *row = out->data + out->nrows * out->ncols;
  for (size_t j = 0; j < r->nf; j++) {
    int st = parse_number(&r->f[j], &row[j]);
    if (st != NUM_OK) return field_error(r, line, &r->f[j], st, err);
  }
  out->line[out->nrows++] = line;
  return MFH_OK;
}

/* Whole file into a NUL-terminated buffer. */
static int slurp(const char *path, char **buf, size_t *len, mfh_err *err) {
  mfh_mark at = {path, 0, 0};
  FILE *fp = fopen(path, "rb");
  if (!fp) return mfh_err_at(err, MFH_EINPUT, at, "cannot open: %s", strerror(errno));
  size_t cap = 4096, n = 0;
  char *b = malloc(cap);
  int st = MFH_OK;
  while (b) {
    if (cap - n < 2) {
      char *g = cap < SIZE_MAX / 2 ? realloc(b, cap * 2) : NULL;
      if (!g) break;
      b = g;
      cap *= 2;
    }
    size_t got = fread(b + n, 1, cap - n - 1, fp);
    n += got;
    if (got == 0) break;
  }
  if (!b || cap - n < 2) {
    st = mfh_err_at(err, MFH_ENOMEM, at, "out of memory reading the file");
  } else if (ferror(fp)) {
    st = mfh_err_at(err, MFH_EIO, at, "read error: %s", strerror(errno));
  }
  fclose(fp);
  if (st) {
    free(b);
    return st;
  }
  b[n] = '\0';
  *buf = b;
  *len = n;
  return MFH_OK;
}

int mfh_csv_read(const char *path, mfh_csv *out, mfh_err *err) {
  if (!out) return mfh_err_set(err, MFH_EINPUT, "csv: no table to fill");
  memset(out, 0, sizeof *out);
  if (!path || !*path) return mfh_err_set(err, MFH_EINPUT, "csv: no file name");
  char *buf = NULL;
  size_t len = 0;
  int st = slurp(path, &buf, &len, err);
  if (st) return st;
  csv_reader r = {.path = path};
  out->path = malloc(strlen(path) + 1);
  if (!out->path) {
    st = mfh_err_set(err, MFH_ENOMEM, "%s: out of memory", path);
    goto done;
  }
  strcpy(out->path, path);

  const char *p = buf, *end = buf + len;
  if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3; /* UTF-8 byte order mark */
  int line = 0, seen_first = 0;
  while (p < end) {
    const char *ls = p, *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - ls) : (size_t)(end - ls);
    p = nl ? nl + 1 : end;
    if (line == INT_MAX) {
      st = mfh_err_set(err, MFH_EINPUT, "%s: too many lines", path);
      goto done;
    }
    line++;
    if (n > 0 && ls[n - 1] == '\r') n--;
    const char *le = ls + n, *nul = memchr(ls, '\0', n);
    if (nul) {
      mfh_mark at = {path, line, char_col(ls, nul)};
      st = mfh_err_at(err, MFH_EINPUT, at, "NUL byte (not a text file?)");
      goto done;
    }
    const char *q = ls;
    while (q < le && is_blank(*q)) q++;
    if (q == le || *q == '#') continue;
    if ((st = split_line(&r, ls, le))) {
      st = mfh_err_set(err, MFH_ENOMEM, "%s: out of memory", path);
      goto done;
    }
    if (!seen_first) {
      /* a header when any non-empty field is not a number (NaN/Inf literals
       * and out-of-range values count as numbers here, to be rejected as data) */
      seen_first = 1;
      int header = 0;
      for (size_t j = 0; j < r.nf && !header; j++) {
        double v;
        header = parse_number(&r.f[j], &v) == NUM_NOT_A_NUMBER;
      }
      if (header) {
        if ((st = take_header(&r, line, out, err))) goto done;
        continue;
      }
      out->ncols = r.nf;
    }
    if ((st = add_row(&r, line, out, err))) goto done;
  }
  if (out->nrows == 0) {
    mfh_mark at = {path, 0, 0};
    st = mfh_err_at(err, MFH_EINPUT, at, out->names ? "no data rows (only a header)" : "no data rows");
  }

done:
  free(buf);
  free(r.f);
  if (st) mfh_csv_free(out);
  return st;
}

int mfh_csv_column(const mfh_csv *csv, const char *spec, size_t *col, mfh_err *err) {
  if (!csv || !col) return mfh_err_set(err, MFH_EINPUT, "csv: no table");
  mfh_mark at = {csv->path, 0, 0};
  if (!spec || !*spec) return mfh_err_at(err, MFH_EINPUT, at, "empty column name");
  if (csv->names)
    for (size_t j = 0; j < csv->ncols; j++)
      if (strcmp(csv->names[j], spec) == 0) {
        *col = j;
        return MFH_OK;
      }
  if (strspn(spec, "0123456789") == strlen(spec) && strlen(spec) < 10) {
    size_t k = (size_t)strtoul(spec, NULL, 10);
    if (k >= 1 && k <= csv->ncols) {
      *col = k - 1;
      return MFH_OK;
    }
  }
  if (!csv->names)
    return mfh_err_at(err, MFH_EINPUT, at,
                      "no column '%s' (the file has no header; columns are numbered 1..%zu)", spec,
                      csv->ncols);
  char list[MFH_ERR_MSG / 2];
  size_t len = 0;
  for (size_t j = 0; j < csv->ncols; j++) {
    int w = snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "", csv->names[j]);
    if (w < 0 || (size_t)w >= sizeof list - len) {
      memcpy(list + sizeof list - 4, "...", 4);
      break;
    }
    len += (size_t)w;
  }
  return mfh_err_at(err, MFH_EINPUT, at, "no column '%s' (columns: %s)", spec, list);
}
