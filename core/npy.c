/* NumPy .npy files (core/npy.h): the format of numpy.lib.format, NEP 1. */
#include "core/npy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"

static const unsigned char MAGIC[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

/* ---- the header dict ------------------------------------------------------- */

typedef struct cursor {
  const char *p, *end, *start;
} cursor;

static void skip_ws(cursor *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) c->p++;
}

static int eat(cursor *c, char ch) {
  skip_ws(c);
  if (c->p < c->end && *c->p == ch) {
    c->p++;
    return 1;
  }
  return 0;
}

/* Byte offset of the cursor within the header, for messages. */
static size_t at(const cursor *c) { return (size_t)(c->p - c->start); }

/* A quoted Python string without escapes into buf: 0, -1 when there is no
 * string here, -2 when it is too long, unterminated or has an escape. */
static int read_str(cursor *c, char *buf, size_t cap) {
  skip_ws(c);
  if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return -1;
  char q = *c->p++;
  size_t n = 0;
  while (c->p < c->end && *c->p != q) {
    if (*c->p == '\\' || n + 1 >= cap) return -2;
    buf[n++] = *c->p++;
  }
  if (c->p >= c->end) return -2;
  c->p++;
  buf[n] = '\0';
  return 0;
}

/* A word made of letters (True, False), for messages and matching. */
static size_t read_word(cursor *c, char *buf, size_t cap) {
  skip_ws(c);
  size_t n = 0;
  while (c->p < c->end && n + 1 < cap &&
         ((*c->p >= 'A' && *c->p <= 'Z') || (*c->p >= 'a' && *c->p <= 'z') || (*c->p >= '0' && *c->p <= '9')))
    buf[n++] = *c->p++;
  buf[n] = '\0';
  return n;
}

typedef struct header {
  char descr[16];
  int fortran;
  size_t ndim, shape[MFH_NPY_MAXDIM];
  int seen[3]; /* descr, fortran_order, shape */
} header;

/* "(3, 2)", "(5,)", "()": a shape as Python writes it. */
static void shape_text(const size_t *shape, size_t ndim, char *buf, size_t cap) {
  size_t u = (size_t)snprintf(buf, cap, "(");
  for (size_t k = 0; k < ndim && u < cap; k++)
    u += (size_t)snprintf(buf + u, cap - u, "%s%zu", k ? ", " : "", shape[k]);
  if (u < cap) snprintf(buf + u, cap - u, ndim == 1 ? ",)" : ")");
}

static int parse_shape(const char *name, cursor *c, header *h, mfh_err *err) {
  if (!eat(c, '('))
    return mfh_err_set(err, MFH_EINPUT, "%s: header: 'shape' must be a tuple of integers such as (3, 2) (byte %zu)",
                       name, at(c));
  h->ndim = 0;
  for (;;) {
    if (eat(c, ')')) return MFH_OK;
    skip_ws(c);
    if (c->p < c->end && *c->p == '-')
      return mfh_err_set(err, MFH_EINPUT, "%s: header: negative dimension in 'shape' (byte %zu)", name, at(c));
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
      return mfh_err_set(err, MFH_EINPUT, "%s: header: 'shape' must be a tuple of integers such as (3, 2) (byte %zu)",
                         name, at(c));
    size_t d = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
      unsigned digit = (unsigned)(*c->p++ - '0');
      if (d > (SIZE_MAX - digit) / 10)
        return mfh_err_set(err, MFH_EINPUT, "%s: header: a dimension of 'shape' is too large (byte %zu)", name,
                           at(c));
      d = d * 10 + digit;
    }
    if (c->p < c->end && *c->p == 'L') c->p++; /* Python 2 long */
    if (h->ndim == MFH_NPY_MAXDIM)
      return mfh_err_set(err, MFH_EINPUT, "%s: header: 'shape' has more than %d dimensions", name, MFH_NPY_MAXDIM);
    h->shape[h->ndim++] = d;
    if (eat(c, ',')) continue;
    if (eat(c, ')')) return MFH_OK;
    return mfh_err_set(err, MFH_EINPUT, "%s: header: expected ',' or ')' in 'shape' (byte %zu)", name, at(c));
  }
}

static int parse_header(const char *name, const char *text, size_t len, header *h, mfh_err *err) {
  static const char *const keys[3] = {"descr", "fortran_order", "shape"};
  cursor c = {text, text + len, text};
  memset(h, 0, sizeof *h);
  if (!eat(&c, '{'))
    return mfh_err_set(err, MFH_EINPUT, "%s: header: not a Python dict (it does not start with '{')", name);
  for (;;) {
    if (eat(&c, '}')) break;
    char key[32];
    int r = read_str(&c, key, sizeof key);
    if (r)
      return mfh_err_set(err, MFH_EINPUT, "%s: header: expected a quoted key or '}' at byte %zu", name, at(&c));
    int k = -1;
    for (int i = 0; i < 3; i++)
      if (!strcmp(key, keys[i])) k = i;
    if (k < 0)
      return mfh_err_set(err, MFH_EINPUT,
                         "%s: header: unexpected key '%s' (a .npy header has descr, fortran_order and shape)", name,
                         key);
    if (h->seen[k]) return mfh_err_set(err, MFH_EINPUT, "%s: header: key '%s' appears twice", name, key);
    h->seen[k] = 1;
    if (!eat(&c, ':'))
      return mfh_err_set(err, MFH_EINPUT, "%s: header: expected ':' after '%s' (byte %zu)", name, key, at(&c));
    if (k == 0) {
      skip_ws(&c);
      if (c.p < c.end && (*c.p == '[' || *c.p == '{'))
        return mfh_err_set(err, MFH_EINPUT,
                           "%s: unsupported dtype: a structured array (give a plain float64 or complex128 array)",
                           name);
      r = read_str(&c, h->descr, sizeof h->descr);
      if (r == -1)
        return mfh_err_set(err, MFH_EINPUT, "%s: header: 'descr' must be a quoted dtype such as '<f8' (byte %zu)",
                           name, at(&c));
      if (r)
        return mfh_err_set(err, MFH_EINPUT, "%s: unsupported dtype: 'descr' is not a short dtype string such as '<f8'",
                           name);
    } else if (k == 1) {
      char w[16];
      read_word(&c, w, sizeof w);
      if (!strcmp(w, "True"))
        h->fortran = 1;
      else if (!strcmp(w, "False"))
        h->fortran = 0;
      else
        return mfh_err_set(err, MFH_EINPUT, "%s: header: 'fortran_order' must be True or False (got '%s')", name, w);
    } else {
      int rc = parse_shape(name, &c, h, err);
      if (rc) return rc;
    }
    if (eat(&c, ',')) continue;
    if (eat(&c, '}')) break;
    return mfh_err_set(err, MFH_EINPUT, "%s: header: expected ',' or '}' after the value of '%s' (byte %zu)", name,
                       key, at(&c));
  }
  skip_ws(&c);
  if (c.p != c.end)
    return mfh_err_set(err, MFH_EINPUT, "%s: header: text after the dict (byte %zu)", name, at(&c));
  for (int i = 0; i < 3; i++)
    if (!h->seen[i]) return mfh_err_set(err, MFH_EINPUT, "%s: header: no '%s' key", name, keys[i]);
  return MFH_OK;
}

/* ---- dtypes ---------------------------------------------------------------- */

typedef struct dtype {
  char kind;   /* 'f', 'c', 'i', 'u', 'b' */
  size_t size; /* bytes per element (a complex: both parts) */
  int big;     /* big-endian */
} dtype;

static int parse_descr(const char *name, const char *d, dtype *t, mfh_err *err) {
  const char *s = d;
  char order = '=';
  if (*s == '<' || *s == '>' || *s == '|' || *s == '=') order = *s++;
  char kind = *s ? *s++ : '\0';
  char *end;
  unsigned long size = (*s >= '0' && *s <= '9') ? strtoul(s, &end, 10) : 0;
  int ok = (size && !*end) &&
           ((kind == 'f' && (size == 4 || size == 8)) || (kind == 'c' && (size == 8 || size == 16)) ||
            ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
            (kind == 'b' && size == 1));
  if (!ok) {
    const char *why = kind == 'f' && size == 2                     ? " (half precision)"
                      : (kind == 'f' || kind == 'c') && size > 8   ? " (long double)"
                      : kind == 'O'                                ? " (Python objects)"
                      : kind == 'U' || kind == 'S' || kind == 'a'  ? " (strings)"
                      : kind == 'M' || kind == 'm'                 ? " (dates and times)"
                      : kind == 'V'                                ? " (raw bytes)"
                                                                   : "";
    return mfh_err_set(err, MFH_EINPUT,
                       "%s: unsupported dtype '%s'%s: mfh reads float32/64, complex64/128 and integer arrays", name,
                       d, why);
  }
  if (order == '|' && size > 1)
    return mfh_err_set(err, MFH_EINPUT, "%s: unsupported dtype '%s': byte order '|' on a %lu-byte type", name, d,
                       size);
  t->kind = kind;
  t->size = size;
  if (order == '=') {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    t->big = b == 0;
  } else {
    t->big = order == '>';
  }
  return MFH_OK;
}

/* The n-byte unsigned integer at p in the given byte order. */
static uint64_t get_uint(const unsigned char *p, size_t n, int big) {
  uint64_t u = 0;
  for (size_t k = 0; k < n; k++) u |= (uint64_t)p[big ? n - 1 - k : k] << (8 * k);
  return u;
}

/* One real value of n bytes at p (for a complex: one part). */
static double get_value(const unsigned char *p, char kind, size_t n, int big) {
  uint64_t u = get_uint(p, n, big);
  switch (kind) {
    case 'f':
    case 'c':
      if (n == 4) {
        uint32_t w = (uint32_t)u;
        float f;
        memcpy(&f, &w, sizeof f);
        return f;
      } else {
        double x;
        memcpy(&x, &u, sizeof x);
        return x;
      }
    case 'i': {
      if (n < 8 && (u >> (8 * n - 1)) & 1) u |= ~(uint64_t)0 << (8 * n); /* sign-extend */
      int64_t v;
      memcpy(&v, &u, sizeof v);
      return (double)v;
    }
    default: /* 'u', 'b' */
      return (double)u;
  }
}

/* ---- reading -------------------------------------------------------------- */

void mfh_npy_free(mfh_npy *a) {
  if (!a) return;
  free(a->data);
  memset(a, 0, sizeof *a);
}

int mfh_npy_parse(const char *name, const void *vbuf, size_t len, mfh_npy *out, mfh_err *err) {
  const unsigned char *b = vbuf;
  memset(out, 0, sizeof *out);
  if (len < 8 || memcmp(b, MAGIC, sizeof MAGIC) != 0)
    return mfh_err_set(err, MFH_EINPUT, "%s: not a NumPy .npy file (bad magic: it does not start with \\x93NUMPY)",
                       name);
  unsigned major = b[6], minor = b[7];
  if (major < 1 || major > 3 || minor != 0)
    return mfh_err_set(err, MFH_EINPUT, "%s: unsupported .npy format version %u.%u (mfh reads 1.0, 2.0 and 3.0)",
                       name, major, minor);
  size_t pre = major == 1 ? 10 : 12;
  if (len < pre)
    return mfh_err_set(err, MFH_EINPUT, "%s: cut short before the header length (%zu bytes)", name, len);
  size_t hlen = (size_t)get_uint(b + 8, pre - 8, 0);
  if (hlen > len - pre)
    return mfh_err_set(err, MFH_EINPUT, "%s: header cut short: it announces %zu bytes, the file has %zu after the "
                       "preamble", name, hlen, len - pre);
  header h;
  int rc = parse_header(name, (const char *)b + pre, hlen, &h, err);
  if (rc) return rc;
  dtype t = {0, 0, 0};
  if ((rc = parse_descr(name, h.descr, &t, err))) return rc;
  char shp[64 + 24 * MFH_NPY_MAXDIM];
  shape_text(h.shape, h.ndim, shp, sizeof shp);
  size_t count = 1;
  for (size_t k = 0; k < h.ndim; k++) {
    if (h.shape[k] && count > SIZE_MAX / h.shape[k])
      return mfh_err_set(err, MFH_EINPUT, "%s: shape %s: the number of elements overflows", name, shp);
    count *= h.shape[k];
  }
  if (count > SIZE_MAX / 16)
    return mfh_err_set(err, MFH_EINPUT, "%s: shape %s: the number of elements overflows", name, shp);
  size_t need = count * t.size, have = len - pre - hlen;
  if (have < need)
    return mfh_err_set(err, MFH_EINPUT, "%s: data cut short: %zu bytes after the header, shape %s of '%s' needs %zu",
                       name, have, shp, h.descr, need);
  if (have > need)
    return mfh_err_set(err, MFH_EINPUT,
                       "%s: trailing garbage: %zu bytes after the array data (shape %s of '%s' is %zu bytes)", name,
                       have - need, shp, h.descr, need);
  out->is_complex = t.kind == 'c';
  out->fortran_order = h.fortran;
  out->version = (int)major;
  snprintf(out->descr, sizeof out->descr, "%s", h.descr);
  out->ndim = h.ndim;
  memcpy(out->shape, h.shape, h.ndim * sizeof *h.shape);
  out->count = count;
  size_t per = out->is_complex ? 2 : 1, part = t.size / per;
  out->data = malloc((count ? count : 1) * per * sizeof *out->data);
  if (!out->data) return mfh_err_set(err, MFH_ENOMEM, "%s: out of memory for %zu elements", name, count);
  const unsigned char *src = b + pre + hlen;
  /* walk the C-order index; the source offset follows the file's order */
  size_t idx[MFH_NPY_MAXDIM] = {0}, stride[MFH_NPY_MAXDIM], off = 0;
  for (size_t k = 0; k < h.ndim; k++) { /* element strides in the file */
    size_t s = 1;
    if (h.fortran)
      for (size_t j = 0; j < k; j++) s *= h.shape[j];
    else
      for (size_t j = k + 1; j < h.ndim; j++) s *= h.shape[j];
    stride[k] = s;
  }
  for (size_t i = 0; i < count; i++) {
    for (size_t q = 0; q < per; q++) out->data[i * per + q] = get_value(src + off * t.size + q * part, t.kind, part, t.big);
    for (size_t k = h.ndim; k-- > 0;) { /* next C index */
      off += stride[k];
      if (++idx[k] < h.shape[k]) break;
      off -= idx[k] * stride[k];
      idx[k] = 0;
    }
  }
  return MFH_OK;
}

int mfh_npy_read(const char *path, mfh_npy *out, mfh_err *err) {
  char *buf = NULL;
  size_t len = 0;
  memset(out, 0, sizeof *out);
  int rc = mfh_read_file(path, &buf, &len, err);
  if (rc) return rc;
  rc = mfh_npy_parse(path, buf, len, out, err);
  free(buf);
  if (rc) mfh_npy_free(out);
  return rc;
}

/* ---- writing -------------------------------------------------------------- */

/* The bytes of a file; name starts every message. */
static int encode(const char *name, int is_complex, size_t ndim, const size_t *shape, const double *data,
                  unsigned char **buf, size_t *len, mfh_err *err) {
  *buf = NULL;
  *len = 0;
  if (ndim > MFH_NPY_MAXDIM)
    return mfh_err_set(err, MFH_EINPUT, "%s: %zu dimensions (at most %d)", name, ndim, MFH_NPY_MAXDIM);
  size_t count = 1;
  for (size_t k = 0; k < ndim; k++) {
    if (shape[k] && count > SIZE_MAX / 16 / shape[k])
      return mfh_err_set(err, MFH_EINPUT, "%s: the shape's number of elements overflows", name);
    count *= shape[k];
  }
  if (count && !data) return mfh_err_set(err, MFH_EINPUT, "%s: no data for %zu elements", name, count);
  char dict[128 + 24 * MFH_NPY_MAXDIM], shp[64 + 24 * MFH_NPY_MAXDIM];
  shape_text(shape, ndim, shp, sizeof shp);
  /* as numpy.lib.format writes it: the sorted dict, spare room for the first
   * dimension to grow to 21 digits, spaces up to a multiple of 64, '\n' */
  size_t dlen = (size_t)snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                                 is_complex ? "<c16" : "<f8", shp);
  if (ndim > 0) {
    char first[32];
    size_t grow = 21 - (size_t)snprintf(first, sizeof first, "%zu", shape[0]);
    memset(dict + dlen, ' ', grow);
    dlen += grow;
  }
  /* at most 32 dimensions keep the header under 1 kB: version 1.0 always */
  size_t pre = 10, pad = 64 - (pre + dlen + 1) % 64, hlen = dlen + pad + 1;
  size_t per = is_complex ? 2 : 1, nbytes = count * per * 8;
  unsigned char *b = malloc(pre + hlen + nbytes);
  if (!b) return mfh_err_set(err, MFH_ENOMEM, "%s: out of memory", name);
  memcpy(b, MAGIC, sizeof MAGIC);
  b[6] = 1;
  b[7] = 0;
  b[8] = (unsigned char)(hlen & 0xff);
  b[9] = (unsigned char)(hlen >> 8);
  memcpy(b + pre, dict, dlen);
  memset(b + pre + dlen, ' ', pad);
  b[pre + hlen - 1] = '\n';
  unsigned char *d = b + pre + hlen;
  for (size_t i = 0; i < count * per; i++) {
    uint64_t u;
    memcpy(&u, &data[i], sizeof u);
    for (size_t k = 0; k < 8; k++) d[8 * i + k] = (unsigned char)(u >> (8 * k));
  }
  *buf = b;
  *len = pre + hlen + nbytes;
  return MFH_OK;
}

int mfh_npy_encode(int is_complex, size_t ndim, const size_t *shape, const double *data, unsigned char **buf,
                   size_t *len, mfh_err *err) {
  return encode("npy", is_complex, ndim, shape, data, buf, len, err);
}

int mfh_npy_write(const char *path, int is_complex, size_t ndim, const size_t *shape, const double *data,
                  mfh_err *err) {
  unsigned char *b;
  size_t len;
  int rc = encode(path, is_complex, ndim, shape, data, &b, &len, err);
  if (rc) return rc;
  rc = mfh_write_atomic(path, b, len, err);
  free(b);
  return rc;
}
