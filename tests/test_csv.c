/* Tests for core/csv: parsing, header detection, and the exact
 * file:line:col messages of every input error class. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/csv.h"
#include "tests/testutil.h"

/* Write text to a fresh file "name" in a temporary folder; returns its path. */
static char *write_tmp(const char *name, const char *text) {
  char *dir = mfh_test_tmpdir();
  size_t n = strlen(dir) + strlen(name) + 2;
  char *path = malloc(n);
  snprintf(path, n, "%s/%s", dir, name);
  free(dir);
  mfh_test_write(path, text);
  return path;
}

/* Remove a file made by write_tmp and its folder; frees path. */
static void drop_tmp(char *path) {
  remove(path);
  char *slash = strrchr(path, '/');
  if (slash) {
    *slash = '\0';
    rmdir(path);
  }
  free(path);
}

/* What mfh_err_print writes, without the newline (static buffer). */
static const char *printed(const mfh_err *e) {
  static char buf[2048];
  char *s = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&s, &n);
  ck_assert_ptr_nonnull(f);
  mfh_err_print(e, f);
  fclose(f);
  snprintf(buf, sizeof buf, "%s", s);
  free(s);
  size_t len = strlen(buf);
  if (len && buf[len - 1] == '\n') buf[len - 1] = '\0';
  return buf;
}

/* Read text as a CSV, expect MFH_EINPUT, and compare the printed message
 * with "<path><suffix>". */
static void expect_error(const char *text, const char *suffix) {
  char *path = write_tmp("t.csv", text);
  mfh_csv csv;
  mfh_err err;
  mfh_err_clear(&err);
  int st = mfh_csv_read(path, &csv, &err);
  ck_assert_int_eq(st, MFH_EINPUT);
  ck_assert_int_eq(err.status, MFH_EINPUT);
  ck_assert_ptr_null(csv.data);
  ck_assert_ptr_null(csv.names);
  ck_assert_ptr_null(csv.path);
  char want[1024];
  snprintf(want, sizeof want, "%s%s", path, suffix);
  ck_assert_str_eq(printed(&err), want);
  drop_tmp(path);
}

START_TEST(test_header_and_layout) {
  /* header, comments, blank lines, spaces, tabs, CRLF, no final newline */
  char *path = write_tmp("a.csv",
                         "# convergence in N\r\n"
                         "N, err ,err_se\r\n"
                         "\r\n"
                         "  # another comment\n"
                         "16, 0.25, 1e-3\r\n"
                         "\t32 ,0.125,  5e-4\n"
                         "   \n"
                         "64,6.25e-2,+2.5E-4");
  mfh_csv csv;
  mfh_err err;
  ck_assert_int_eq(mfh_csv_read(path, &csv, &err), MFH_OK);
  ck_assert_str_eq(csv.path, path);
  ck_assert_uint_eq(csv.nrows, 3);
  ck_assert_uint_eq(csv.ncols, 3);
  ck_assert_ptr_nonnull(csv.names);
  ck_assert_str_eq(csv.names[0], "N");
  ck_assert_str_eq(csv.names[1], "err");
  ck_assert_str_eq(csv.names[2], "err_se");
  const double want[9] = {16, 0.25, 1e-3, 32, 0.125, 5e-4, 64, 6.25e-2, 2.5e-4};
  for (int i = 0; i < 9; i++) ck_assert_double_eq(csv.data[i], want[i]);
  ck_assert_int_eq(csv.line[0], 5);
  ck_assert_int_eq(csv.line[1], 6);
  ck_assert_int_eq(csv.line[2], 8);
  mfh_csv_free(&csv);
  ck_assert_ptr_null(csv.data);
  mfh_csv_free(&csv); /* twice is harmless */
  drop_tmp(path);
}
END_TEST

START_TEST(test_no_header) {
  char *path = write_tmp("b.csv", "\xEF\xBB\xBF" "1,2\n3,-4.5\n");
  mfh_csv csv;
  mfh_err err;
  ck_assert_int_eq(mfh_csv_read(path, &csv, &err), MFH_OK);
  ck_assert_ptr_null(csv.names);
  ck_assert_uint_eq(csv.nrows, 2);
  ck_assert_uint_eq(csv.ncols, 2);
  ck_assert_double_eq(csv.data[0], 1);
  ck_assert_double_eq(csv.data[3], -4.5);
  ck_assert_int_eq(csv.line[0], 1);
  mfh_csv_free(&csv);
  drop_tmp(path);
}
END_TEST

START_TEST(test_quoted_header_and_underflow) {
  char *path = write_tmp("c.csv", "\"N\",\"err\"\n2,1e-400\n");
  mfh_csv csv;
  mfh_err err;
  ck_assert_int_eq(mfh_csv_read(path, &csv, &err), MFH_OK);
  ck_assert_str_eq(csv.names[0], "N");
  ck_assert_str_eq(csv.names[1], "err");
  ck_assert(csv.data[1] >= 0 && csv.data[1] < 1e-300);
  mfh_csv_free(&csv);
  drop_tmp(path);
}
END_TEST

START_TEST(test_ragged_rows) {
  expect_error("N,err,se\n1,2,3\n# c\n4,5\n", ":4:4: row has 2 fields, expected 3");
  expect_error("1,2,3\n4, 5,6,  7\n", ":2:10: row has 4 fields, expected 3");
  expect_error("1,2\n3\n", ":2:2: row has 1 field, expected 2");
  expect_error("1,2\n3,4,\n", ":2:5: row has 3 fields, expected 2");
}
END_TEST

START_TEST(test_non_numeric) {
  expect_error("N,err\n1,2\n3, abc\n", ":3:4: 'abc' is not a number");
  expect_error("1,2\n3,4x\n", ":2:3: '4x' is not a number");
  expect_error("1,2\n3,1 2\n", ":2:3: '1 2' is not a number");
  /* the column counts characters, not bytes */
  expect_error("x,\xCE\xB5\n1,2\n\xCE\xB5\xCE\xB5,1,2\n", ":3:6: row has 3 fields, expected 2");
  expect_error("a,b\n1,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
               ":2:3: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is not a number");
}
END_TEST

START_TEST(test_empty_field) {
  expect_error("N,err\n1,\n", ":2:3: empty field");
  expect_error("1,,2\n", ":1:3: empty field");
  expect_error("1,2\n  ,2\n", ":2:1: empty field");
}
END_TEST

START_TEST(test_nonfinite_literals) {
  expect_error("N,err\n1,nan\n", ":2:3: 'nan' is not a finite number");
  expect_error("1,2\n-inf,2\n", ":2:1: '-inf' is not a finite number");
  expect_error("1,2\n3,Infinity\n", ":2:3: 'Infinity' is not a finite number");
  /* a first line of NaN/Inf literals is data, not a header */
  expect_error("NaN,1\n", ":1:1: 'NaN' is not a finite number");
  expect_error("1,2\n3,1e999\n", ":2:3: '1e999' is out of range");
}
END_TEST

START_TEST(test_empty_files) {
  expect_error("", ": no data rows");
  expect_error("# only a comment\n\n   \n", ": no data rows");
  expect_error("N,err\n# nothing\n", ": no data rows (only a header)");
}
END_TEST

START_TEST(test_bad_header) {
  expect_error("N,,err\n1,2,3\n", ":1:3: empty column name");
  expect_error("N, err, N\n1,2,3\n", ":1:9: column name 'N' repeats column 1");
}
END_TEST

START_TEST(test_nul_byte) {
  char *dir = mfh_test_tmpdir();
  char path[600];
  snprintf(path, sizeof path, "%s/bin.csv", dir);
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  fwrite("1,2\n3,\0\n", 1, 8, f);
  fclose(f);
  mfh_csv csv;
  mfh_err err;
  ck_assert_int_eq(mfh_csv_read(path, &csv, &err), MFH_EINPUT);
  char want[700];
  snprintf(want, sizeof want, "%s:2:3: NUL byte (not a text file?)", path);
  ck_assert_str_eq(printed(&err), want);
  remove(path);
  rmdir(dir);
  free(dir);
}
END_TEST

START_TEST(test_missing_file) {
  mfh_csv csv;
  mfh_err err;
  mfh_err_clear(&err);
  int st = mfh_csv_read("/nonexistent/mfh/x.csv", &csv, &err);
  ck_assert_int_eq(st, MFH_EINPUT);
  ck_assert_ptr_null(csv.path);
  ck_assert_str_eq(printed(&err), "/nonexistent/mfh/x.csv: cannot open: No such file or directory");
  ck_assert_int_eq(mfh_csv_read(NULL, &csv, &err), MFH_EINPUT);
}
END_TEST

START_TEST(test_column_lookup) {
  char *path = write_tmp("d.csv", "N,err,2\n1,2,3\n");
  mfh_csv csv;
  mfh_err err;
  ck_assert_int_eq(mfh_csv_read(path, &csv, &err), MFH_OK);
  size_t col = 99;
  ck_assert_int_eq(mfh_csv_column(&csv, "err", &col, &err), MFH_OK);
  ck_assert_uint_eq(col, 1);
  ck_assert_int_eq(mfh_csv_column(&csv, "1", &col, &err), MFH_OK);
  ck_assert_uint_eq(col, 0);
  ck_assert_int_eq(mfh_csv_column(&csv, "2", &col, &err), MFH_OK); /* the name wins */
  ck_assert_uint_eq(col, 2);
  ck_assert_int_eq(mfh_csv_column(&csv, "3", &col, &err), MFH_OK);
  ck_assert_uint_eq(col, 2);

  char want[700];
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_csv_column(&csv, "foo", &col, &err), MFH_EINPUT);
  snprintf(want, sizeof want, "%s: no column 'foo' (columns: N, err, 2)", path);
  ck_assert_str_eq(printed(&err), want);
  ck_assert_int_eq(mfh_csv_column(&csv, "4", &col, &err), MFH_EINPUT);
  snprintf(want, sizeof want, "%s: no column '4' (columns: N, err, 2)", path);
  ck_assert_str_eq(printed(&err), want);
  ck_assert_int_eq(mfh_csv_column(&csv, "0", &col, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_csv_column(&csv, "Err", &col, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_csv_column(&csv, "", &col, &err), MFH_EINPUT);
  mfh_csv_free(&csv);
  drop_tmp(path);

  path = write_tmp("e.csv", "1,2,3\n");
  ck_assert_int_eq(mfh_csv_read(path, &csv, &err), MFH_OK);
  ck_assert_int_eq(mfh_csv_column(&csv, "3", &col, &err), MFH_OK);
  ck_assert_uint_eq(col, 2);
  ck_assert_int_eq(mfh_csv_column(&csv, "err", &col, &err), MFH_EINPUT);
  snprintf(want, sizeof want,
           "%s: no column 'err' (the file has no header; columns are numbered 1..3)", path);
  ck_assert_str_eq(printed(&err), want);
  mfh_csv_free(&csv);
  drop_tmp(path);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("csv");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_header_and_layout);
  tcase_add_test(tc, test_no_header);
  tcase_add_test(tc, test_quoted_header_and_underflow);
  tcase_add_test(tc, test_ragged_rows);
  tcase_add_test(tc, test_non_numeric);
  tcase_add_test(tc, test_empty_field);
  tcase_add_test(tc, test_nonfinite_literals);
  tcase_add_test(tc, test_empty_files);
  tcase_add_test(tc, test_bad_header);
  tcase_add_test(tc, test_nul_byte);
  tcase_add_test(tc, test_missing_file);
  tcase_add_test(tc, test_column_lookup);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
