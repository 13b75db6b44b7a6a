/* NumPy .npy files (core/npy.h): files written by NumPy 1.24 itself
 * (tests/data/npy/, made by make_fixtures.py) read to the exact values,
 * mfh's writer equal byte for byte to numpy.save, round trips, and every
 * malformed file refused with MFH_EINPUT and a message that names the file
 * and what is wrong. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "core/npy.h"
#include "tests/testutil.h"

static char *fixture(const char *name) {
  static char path[1024];
  snprintf(path, sizeof path, "%s/tests/data/npy/%s", mfh_test_source_dir(), name);
  return path;
}

/* Read a NumPy fixture; it must load. */
static mfh_npy load(const char *name) {
  mfh_npy a;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_npy_read(fixture(name), &a, &err) == MFH_OK, "%s: %s", name, err.msg);
  return a;
}

static void expect_shape(const mfh_npy *a, size_t ndim, const size_t *shape) {
  ck_assert_uint_eq(a->ndim, ndim);
  size_t count = 1;
  for (size_t k = 0; k < ndim; k++) {
    ck_assert_uint_eq(a->shape[k], shape[k]);
    count *= shape[k];
  }
  ck_assert_uint_eq(a->count, count);
}

static void expect_values(const mfh_npy *a, const double *want, size_t n) {
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(a->data[i] == want[i], "%s value %zu: %.17g, wanted %.17g", a->descr, i, a->data[i], want[i]);
}

static const double A[6] = {0.25, 0.75, 1.25, 1.75, 2.25, 2.75}; /* np.arange(6).reshape(2, 3) * 0.5 + 0.25 */

START_TEST(reads_float64_every_layout) {
  static const char *files[] = {"np_f8.npy", "np_f8_fortran.npy", "np_f8_be.npy", "np_v2.npy", "np_v3.npy"};
  static const int fortran[] = {0, 1, 0, 0, 0}, version[] = {1, 1, 1, 2, 3};
  static const char *descr[] = {"<f8", "<f8", ">f8", "<f8", "<f8"};
  for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
    mfh_npy a = load(files[f]);
    expect_shape(&a, 2, (size_t[]){2, 3});
    ck_assert_int_eq(a.fortran_order, fortran[f]);
    ck_assert_int_eq(a.version, version[f]);
    ck_assert_str_eq(a.descr, descr[f]);
    ck_assert_int_eq(a.is_complex, 0);
    expect_values(&a, A, 6); /* C order whatever the file's order */
    mfh_npy_free(&a);
  }
  /* a 3-d Fortran array: element (i, j, k) = 12 i + 4 j + k in C order */
  mfh_npy a = load("np_f8_3d_fortran.npy");
  expect_shape(&a, 3, (size_t[]){2, 3, 4});
  ck_assert_int_eq(a.fortran_order, 1);
  for (size_t i = 0; i < 24; i++) ck_assert(a.data[i] == (double)i);
  mfh_npy_free(&a);
}
END_TEST

START_TEST(reads_other_types) {
  mfh_npy a = load("np_f4.npy");
  expect_shape(&a, 1, (size_t[]){3});
  expect_values(&a, (double[]){1.5, -2.25, 0.125}, 3);
  mfh_npy_free(&a);
  a = load("np_c16.npy");
  ck_assert_int_eq(a.is_complex, 1);
  expect_shape(&a, 2, (size_t[]){2, 2});
  expect_values(&a, (double[]){1, 2, -3.5, 0, 0, -1, 0.5, 0.25}, 8);
  mfh_npy_free(&a);
  a = load("np_c8_fortran.npy"); /* [[1+2j, -3.5], [-1j, 0.5]] stored by columns */
  ck_assert(a.is_complex && a.fortran_order);
  ck_assert_str_eq(a.descr, "<c8");
  expect_values(&a, (double[]){1, 2, -3.5, 0, 0, -1, 0.5, 0}, 8);
  mfh_npy_free(&a);
  a = load("np_i4_be.npy");
  ck_assert_str_eq(a.descr, ">i4");
  expect_values(&a, (double[]){-1, 2, -2147483648.0}, 3);
  mfh_npy_free(&a);
  a = load("np_i8.npy");
  expect_values(&a, (double[]){-9007199254740992.0, 7}, 2);
  mfh_npy_free(&a);
  a = load("np_u1.npy");
  ck_assert_str_eq(a.descr, "|u1");
  expect_values(&a, (double[]){0, 255, 7}, 3);
  mfh_npy_free(&a);
  a = load("np_u2.npy");
  expect_values(&a, (double[]){65535, 1}, 2);
  mfh_npy_free(&a);
  a = load("np_b1.npy");
  expect_values(&a, (double[]){1, 0, 1}, 3);
  mfh_npy_free(&a);
  a = load("np_scalar.npy"); /* 0-d: one element */
  expect_shape(&a, 0, NULL);
  expect_values(&a, (double[]){3.25}, 1);
  mfh_npy_free(&a);
  a = load("np_empty.npy");
  expect_shape(&a, 2, (size_t[]){0, 3});
  mfh_npy_free(&a);
}
END_TEST

/* What mfh writes is what numpy.save writes for the same array. */
START_TEST(writer_matches_numpy_bytes) {
  const struct {
    const char *file;
    int cplx;
    size_t ndim, shape[2];
    const double *data;
  } cases[] = {
      {"np_f8.npy", 0, 2, {2, 3}, A},
      {"np_c16.npy", 1, 2, {2, 2}, (const double[]){1, 2, -3.5, 0, -0.0, -1, 0.5, 0.25}}, /* -1j is (-0, -1) */
      {"np_scalar.npy", 0, 0, {0, 0}, (const double[]){3.25}},
      {"np_empty.npy", 0, 2, {0, 3}, NULL},
  };
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    char *want;
    size_t wlen;
    unsigned char *got;
    size_t glen;
    mfh_err err;
    ck_assert_int_eq(mfh_read_file(fixture(cases[k].file), &want, &wlen, &err), 0);
    ck_assert_int_eq(mfh_npy_encode(cases[k].cplx, cases[k].ndim, cases[k].shape, cases[k].data, &got, &glen, &err), 0);
    ck_assert_msg(glen == wlen && memcmp(got, want, wlen) == 0, "%s: mfh wrote %zu bytes unlike numpy's %zu",
                  cases[k].file, glen, wlen);
    free(got);
    free(want);
  }
}
END_TEST

START_TEST(write_then_read) {
  char *dir = mfh_test_tmpdir(), path[1024];
  snprintf(path, sizeof path, "%s/x.npy", dir);
  double v[2 * 60];
  for (size_t i = 0; i < 120; i++) v[i] = sin(1.0 + (double)i) * exp((double)i / 7.0); /* full 53-bit mantissas */
  v[3] = NAN;                                                                           /* read as written */
  size_t shape[3] = {3, 4, 5};
  mfh_err err;
  for (int cplx = 0; cplx < 2; cplx++) {
    ck_assert_int_eq(mfh_npy_write(path, cplx, 3, shape, v, &err), 0);
    mfh_npy a;
    ck_assert_int_eq(mfh_npy_read(path, &a, &err), 0);
    ck_assert_int_eq(a.is_complex, cplx);
    expect_shape(&a, 3, shape);
    for (size_t i = 0; i < 60u * (cplx ? 2 : 1); i++)
      ck_assert(i == 3 ? isnan(a.data[i]) : a.data[i] == v[i]);
    mfh_npy_free(&a);
  }
  /* bad shapes are refused before anything is written */
  size_t many[MFH_NPY_MAXDIM + 1];
  for (size_t k = 0; k <= MFH_NPY_MAXDIM; k++) many[k] = 1;
  ck_assert_int_eq(mfh_npy_write(path, 0, MFH_NPY_MAXDIM + 1, many, v, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "33 dimensions (at most 32)"));
  size_t huge[2] = {(size_t)1 << 40, (size_t)1 << 40};
  ck_assert_int_eq(mfh_npy_write(path, 0, 2, huge, v, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "overflows"));
  ck_assert_int_eq(mfh_npy_write(path, 0, 3, shape, NULL, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "no data for 60 elements"));
  ck_assert_ptr_eq(strstr(err.msg, path), err.msg);
  free(dir);
}
END_TEST

/* Read a file that must be refused: MFH_EINPUT, a message starting with its
 * name and holding `says`. */
static void refused(const char *name, const void *buf, size_t len, const char *says) {
  mfh_npy a;
  mfh_err err;
  mfh_err_clear(&err);
  int rc = mfh_npy_parse(name, buf, len, &a, &err);
  ck_assert_msg(rc == MFH_EINPUT, "%s: accepted (rc %d), wanted '%s'", name, rc, says);
  ck_assert_msg(strncmp(err.msg, name, strlen(name)) == 0, "%s: message does not name the file: %s", name, err.msg);
  ck_assert_msg(strstr(err.msg, says) != NULL, "%s: no '%s' in: %s", name, says, err.msg);
  ck_assert_ptr_null(a.data);
}

START_TEST(numpy_types_mfh_refuses) {
  static const struct {
    const char *file, *says;
  } cases[] = {
      {"np_structured.npy", "unsupported dtype: a structured array"},
      {"np_f2.npy", "unsupported dtype '<f2' (half precision)"},
      {"np_f16.npy", "unsupported dtype '<f16' (long double)"},
      {"np_str.npy", "unsupported dtype '<U2' (strings)"},
      {"np_object.npy", "unsupported dtype '|O' (Python objects)"},
      {"np_datetime.npy", "unsupported dtype '<M8[D]' (dates and times)"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    char *buf;
    size_t len;
    mfh_err err;
    ck_assert_int_eq(mfh_read_file(fixture(cases[k].file), &buf, &len, &err), 0);
    refused(cases[k].file, buf, len, cases[k].says);
    free(buf);
  }
  mfh_npy a;
  mfh_err err;
  ck_assert_int_eq(mfh_npy_read("/nonexistent/x.npy", &a, &err), MFH_EIO);
}
END_TEST

/* A version-1.0 file with the given header text (padded to 64 bytes) and
 * nbytes of data. */
static unsigned char *make(const char *hdr, size_t nbytes, size_t *len) {
  size_t h = strlen(hdr), hlen = h + 1 + (64 - (10 + h + 1) % 64) % 64;
  unsigned char *b = calloc(10 + hlen + nbytes + 1, 1);
  ck_assert_ptr_nonnull(b);
  memcpy(b, "\x93NUMPY\x01\x00", 8);
  b[8] = (unsigned char)(hlen & 0xff);
  b[9] = (unsigned char)(hlen >> 8);
  memset(b + 10, ' ', hlen);
  memcpy(b + 10, hdr, h);
  b[10 + hlen - 1] = '\n';
  *len = 10 + hlen + nbytes;
  return b;
}

START_TEST(malformed_headers) {
  static const struct {
    const char *hdr;
    size_t nbytes;
    const char *says;
  } cases[] = {
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16, NULL}, /* the valid one */
      {"['descr', '<f8']", 16, "header: not a Python dict"},
      {"{'descr': '<f8', 'shape': (2,), }", 16, "header: no 'fortran_order' key"},
      {"{'fortran_order': False, 'shape': (2,), }", 16, "header: no 'descr' key"},
      {"{'descr': '<f8', 'fortran_order': False}", 16, "header: no 'shape' key"},
      {"{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16, "key 'descr' appears twice"},
      {"{'descr': '<f8', 'order': 'C', 'fortran_order': False, 'shape': (2,), }", 16, "unexpected key 'order'"},
      {"{descr: '<f8', 'fortran_order': False, 'shape': (2,), }", 16, "expected a quoted key or '}' at byte 1"},
      {"{'descr' '<f8', 'fortran_order': False, 'shape': (2,), }", 16, "expected ':' after 'descr'"},
      {"{'descr': '<f8' 'fortran_order': False, 'shape': (2,), }", 16, "expected ',' or '}' after the value of 'descr'"},
      {"{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }", 16, "'fortran_order' must be True or False (got '0')"},
      {"{'descr': 8, 'fortran_order': False, 'shape': (2,), }", 16, "'descr' must be a quoted dtype"},
      {"{'descr': '<f8, 'fortran_order': False, 'shape': (2,), }", 16, "expected ',' or '}' after the value of 'descr'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': [2], }", 16, "'shape' must be a tuple of integers"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", 16, "negative dimension in 'shape'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2 1), }", 16, "expected ',' or ')' in 'shape'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2.5,), }", 16, "expected ',' or ')' in 'shape'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }", 16,
       "a dimension of 'shape' is too large"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", 16,
       "shape (4294967296, 4294967296, 4294967296): the number of elements overflows"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (1152921504606846976,), }", 16,
       "the number of elements overflows"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
       "1,1,1), }",
       8, "'shape' has more than 32 dimensions"},
      {"{'descr': '|f8', 'fortran_order': False, 'shape': (2,), }", 16, "byte order '|' on a 8-byte type"},
      {"{'descr': '<q8', 'fortran_order': False, 'shape': (2,), }", 16, "unsupported dtype '<q8': mfh reads"},
      {"{'descr': '<f', 'fortran_order': False, 'shape': (2,), }", 16, "unsupported dtype '<f'"},
      {"{'descr': '<f8x', 'fortran_order': False, 'shape': (2,), }", 16, "unsupported dtype '<f8x'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), } x", 16, "header: text after the dict"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 15, "data cut short: 15 bytes after the header, "
                                                                       "shape (2,) of '<f8' needs 16"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 17, "trailing garbage: 1 bytes after the array"},
      {"{'descr': '<c16', 'fortran_order': True, 'shape': (2, 3), }", 95, "shape (2, 3) of '<c16' needs 96"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    size_t len;
    unsigned char *b = make(cases[k].hdr, cases[k].nbytes, &len);
    char name[32];
    snprintf(name, sizeof name, "case%zu.npy", k);
    if (cases[k].says) {
      refused(name, b, len, cases[k].says);
    } else {
      mfh_npy a;
      mfh_err err;
      ck_assert_msg(mfh_npy_parse(name, b, len, &a, &err) == 0, "%s", err.msg);
      ck_assert(a.count == 2 && a.data[0] == 0 && a.data[1] == 0);
      mfh_npy_free(&a);
    }
    free(b);
  }
}
END_TEST

START_TEST(malformed_preambles) {
  size_t len;
  unsigned char *b = make("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16, &len);
  refused("short.npy", b, 5, "not a NumPy .npy file (bad magic");
  refused("short.npy", b, 9, "cut short before the header length (9 bytes)");
  refused("short.npy", b, 40, "header cut short: it announces 118 bytes, the file has 30 after the preamble");
  b[7] = 1;
  refused("v11.npy", b, len, "unsupported .npy format version 1.1");
  b[7] = 0;
  b[6] = 4;
  refused("v4.npy", b, len, "unsupported .npy format version 4.0");
  b[6] = 0;
  refused("v0.npy", b, len, "unsupported .npy format version 0.0");
  b[6] = 1;
  b[1] = 'n';
  refused("magic.npy", b, len, "bad magic");
  b[1] = 'N';
  b[0] = 'x';
  refused("magic.npy", b, len, "bad magic");
  free(b);
  /* a version-2.0 preamble with a header length beyond the file */
  unsigned char v2[16] = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0xff, 0xff, 0xff, 0x7f, '{', '}', ' ', '\n'};
  refused("v2.npy", v2, sizeof v2, "header cut short: it announces 2147483647 bytes");
  refused("v2.npy", v2, 11, "cut short before the header length");
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("npy");
  TCase *tc = tcase_create("npy");
  tcase_add_test(tc, reads_float64_every_layout);
  tcase_add_test(tc, reads_other_types);
  tcase_add_test(tc, writer_matches_numpy_bytes);
  tcase_add_test(tc, write_then_read);
  tcase_add_test(tc, numpy_types_mfh_refuses);
  tcase_add_test(tc, malformed_headers);
  tcase_add_test(tc, malformed_preambles);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
