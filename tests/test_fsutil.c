/* File-system helpers: mkdir -p refuses an empty name (it used to read past
 * the end of the string), names and paths stay in their folder, and a bad
 * output folder is a usage error before anything is written. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "tests/testutil.h"

START_TEST(mkdirs_empty_is_refused) {
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_mkdirs("", &err), MFH_EUSAGE);
  char *d = mfh_test_tmpdir();
  char *p = mfh_path_join(d, "a/b/c");
  ck_assert_int_eq(mfh_mkdirs(p, &err), MFH_OK);
  ck_assert(mfh_is_dir(p));
  free(p);
  free(d);
}
END_TEST

START_TEST(names_stay_in_their_folder) {
  ck_assert(mfh_name_ok("fg1-uniform"));
  ck_assert(mfh_name_ok("a.b"));
  ck_assert(!mfh_name_ok(""));
  ck_assert(!mfh_name_ok("."));
  ck_assert(!mfh_name_ok(".."));
  ck_assert(!mfh_name_ok("a/b"));
  ck_assert(!mfh_name_ok("/etc"));
  char big[300];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  ck_assert(!mfh_name_ok(big));
}
END_TEST

START_TEST(path_inside_follows_links) {
  char *d = mfh_test_tmpdir(), *out = mfh_test_tmpdir();
  char *in = mfh_path_join(d, "x"), *link = mfh_path_join(d, "y");
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_mkdirs(in, &err), 0);
  ck_assert_int_eq(symlink(out, link), 0);
  ck_assert_int_eq(mfh_path_inside(d, in, &err), MFH_OK);
  ck_assert_int_eq(mfh_path_inside(d, d, &err), MFH_OK);
  ck_assert_int_eq(mfh_path_inside(d, link, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "outside") != NULL, "%s", err.msg);
  free(in);
  free(link);
  free(d);
  free(out);
}
END_TEST

START_TEST(outdir_check) {
  char *d = mfh_test_tmpdir();
  char *file = mfh_path_join(d, "f"), *below = mfh_path_join(d, "f/sub"), *fresh = mfh_path_join(d, "new/deeper");
  mfh_test_write(file, "x");
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_outdir_check("", &err), MFH_EUSAGE);
  ck_assert_int_eq(mfh_outdir_check(file, &err), MFH_EUSAGE);
  ck_assert_msg(strstr(err.msg, "not a folder") != NULL, "%s", err.msg);
  ck_assert_int_eq(mfh_outdir_check(below, &err), MFH_EUSAGE);
  ck_assert_int_eq(mfh_outdir_check(d, &err), MFH_OK);
  ck_assert_int_eq(mfh_outdir_check(fresh, &err), MFH_OK);
  ck_assert(!mfh_path_exists(fresh)); /* checking writes nothing */
  ck_assert_int_eq(mfh_outdir_check("relative-name-xyz", &err), MFH_OK);
  free(file);
  free(below);
  free(fresh);
  free(d);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("fsutil");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, mkdirs_empty_is_refused);
  tcase_add_test(tc, names_stay_in_their_folder);
  tcase_add_test(tc, path_inside_follows_links);
  tcase_add_test(tc, outdir_check);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
