/* Tests for metrics/gridl2.c (L2 differences on nested grids) and the state
 * kind "field" (core/field.h, core/kind_field.c): which grids nest (strides,
 * offsets, a step that rounds, a node off the fine grid, a coarse grid that
 * runs past the fine one), the sums on the coarse nodes with hand values
 * in 1D, 2D and phase space, symmetry in the two arguments, and the field
 * kind's copy and hash. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/kinds.h"
#include "metrics/gridl2.h"
#include "tests/testutil.h"

START_TEST(test_nest_axis) {
  size_t st = 0, off = 0;
  /* the same axis */
  ck_assert(mfh_gridl2_nest_axis(0, 0.5, 8, 0, 0.5, 8, &st, &off) && st == 1 && off == 0);
  /* every other fine node, from the third */
  ck_assert(mfh_gridl2_nest_axis(1, 1, 4, 0, 0.5, 9, &st, &off) && st == 2 && off == 2);
  /* velocity nodes (nv - 1) r + 1: [-8, 8] with 511 and 1533 cells (steps that round) */
  ck_assert(mfh_gridl2_nest_axis(-8, 16.0 / 511, 512, -8, 16.0 / 1533, 1534, &st, &off) && st == 3 && off == 0);
  /* not nested: a step that is not a multiple, a node between fine nodes,
   * a coarse grid running past the fine one, a coarse grid starting before */
  ck_assert(!mfh_gridl2_nest_axis(0, 0.75, 4, 0, 0.5, 9, &st, &off));
  ck_assert(!mfh_gridl2_nest_axis(0.25, 1, 4, 0, 0.5, 9, &st, &off));
  ck_assert(!mfh_gridl2_nest_axis(0, 1, 6, 0, 0.5, 9, &st, &off));
  ck_assert(!mfh_gridl2_nest_axis(-1, 1, 2, 0, 0.5, 9, &st, &off));
  /* the finer as the coarse: never nested */
  ck_assert(!mfh_gridl2_nest_axis(0, 0.5, 9, 0, 1, 5, &st, &off));
}
END_TEST

START_TEST(test_l2_x) {
  /* u on 4 nodes of step 1, w on 8 of step 0.5 from the same origin:
   * differences at the common nodes 0, 1, 2, 3 are 1, 0, 2, 0 */
  mfh_xgrid gu = {1, 4, 0, 1}, gw = {1, 8, 0, 0.5};
  double u[4] = {1, 2, 3, 4}, w[8] = {0, 9, 2, 9, 1, 9, 4, 9}, d = 0, e = 0;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_gridl2_x(&gu, u, &gw, w, &d, &err), MFH_OK);
  ck_assert_double_eq(d, sqrt(5.0));
  ck_assert_int_eq(mfh_gridl2_x(&gw, w, &gu, u, &e, &err), MFH_OK);
  ck_assert_double_eq(d, e);
  /* 2D: 2 x 2 coarse nodes (step 1) inside 3 x 3 fine ones (step 0.5): the
   * coarse nodes are fine nodes (0, 0), (0, 2), (2, 0), (2, 2) */
  mfh_xgrid c2 = {2, 2, 0, 1}, f2 = {2, 3, 0, 0.5};
  double a[4] = {1, 1, 1, 1}, b[9] = {1, 7, 3, 7, 7, 7, 1, 7, 1};
  ck_assert_int_eq(mfh_gridl2_x(&c2, a, &f2, b, &d, &err), MFH_OK);
  ck_assert_double_eq(d, 2.0); /* sqrt(4 * 1) */
  /* grids that do not nest, dimensions that differ */
  mfh_xgrid bad = {1, 4, 0.25, 1};
  ck_assert_int_eq(mfh_gridl2_x(&bad, u, &gw, w, &d, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "not nested"));
  ck_assert_int_eq(mfh_gridl2_x(&c2, a, &gu, u, &d, &err), MFH_EINPUT);
}
END_TEST

START_TEST(test_l2_phase) {
  /* coarse 2 x 2 (dx = 1, dv = 2) on fine 4 x 5 (dx = 0.5, dv = 1), offset
   * one fine node in v: coarse (i, j) = fine (2 i, 2 j + 1) */
  mfh_phase_grid c = {2, 2, 0, 1, -1, 2, 2, NULL}, f = {4, 5, 0, 0.5, -2, 1, 2, NULL};
  double cf[4] = {1, 1, 1, 1}, ff[20] = {0};
  c.f = cf;
  f.f = ff;
  ff[0 * 5 + 1] = 1;
  ff[0 * 5 + 3] = 2; /* difference -1 */
  ff[2 * 5 + 1] = 4; /* difference -3 */
  ff[2 * 5 + 3] = 1;
  ff[1 * 5 + 0] = 100; /* not a coarse node */
  double d = 0, e = 0;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_gridl2_phase(&c, &f, &d, &err), MFH_OK);
  ck_assert_double_eq(d, sqrt(10.0 * 1 * 2));
  ck_assert_int_eq(mfh_gridl2_phase(&f, &c, &e, &err), MFH_OK);
  ck_assert_double_eq(d, e);
  f.vmin = -1.5;
  ck_assert_int_eq(mfh_gridl2_phase(&c, &f, &d, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "not nested"));
}
END_TEST

START_TEST(test_field_kind) {
  ck_assert_ptr_eq(mfh_kind_find("field"), &mfh_kind_field);
  mfh_xgrid g = {1, 5, -1, 0.5};
  mfh_field *f = mfh_field_new(&g);
  ck_assert_ptr_nonnull(f);
  for (size_t j = 0; j < 5; j++) ck_assert_double_eq(f->v[j], 0);
  for (size_t j = 0; j < 5; j++) f->v[j] = (double)j * 0.25;
  void *c = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_kind_field.copy(f, &c, &err), MFH_OK);
  uint64_t h1 = 0, h2 = 0;
  ck_assert_int_eq(mfh_kind_field.hash(f, &h1, &err), MFH_OK);
  ck_assert_int_eq(mfh_kind_field.hash(c, &h2, &err), MFH_OK);
  ck_assert(h1 == h2);
  ((mfh_field *)c)->v[4] = nextafter(1.0, 2.0);
  ck_assert_int_eq(mfh_kind_field.hash(c, &h2, &err), MFH_OK);
  ck_assert(h1 != h2);
  char buf[128];
  mfh_kind_field.describe(f, buf, sizeof buf);
  ck_assert_ptr_nonnull(strstr(buf, "5^1 points"));
  mfh_kind_field.free(c);
  mfh_field_free(f);
  mfh_field_free(NULL);
  mfh_xgrid none = {3, 5, 0, 1};
  ck_assert_ptr_null(mfh_field_new(&none));
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("gridl2");
  TCase *tc = tcase_create("gridl2");
  tcase_add_test(tc, test_nest_axis);
  tcase_add_test(tc, test_l2_x);
  tcase_add_test(tc, test_l2_phase);
  tcase_add_test(tc, test_field_kind);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
