/* The engine command and its state files (engines/command/): good files of
 * every kind read with the declared geometry, every failure mode of a bad
 * file refused naming the file and what is wrong, the engine's validation,
 * and runs of real programs (sh) end to end: numbers per output time, a
 * cloud handed over and read back bit for bit, errors with the program's
 * standard error, the time limit, the environment. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/field.h"
#include "core/fsutil.h"
#include "core/kinds.h"
#include "core/npy.h"
#include "core/proc.h"
#include "core/rng.h"
#include "engines/command/command.h"
#include "engines/command/statefile.h"
#include "tests/testutil.h"

static const mfh_engine_type *E = &mfh_engine_command;

/* ---- state files ----------------------------------------------------------- */

typedef struct fixture {
  char *dir;
} fixture;

static char *path_in(const fixture *f, const char *name) {
  char *p = mfh_path_join(f->dir, name);
  ck_assert_ptr_nonnull(p);
  return p;
}

static void write_npy(const fixture *f, const char *name, int cplx, size_t ndim, const size_t *shape,
                      const double *data) {
  char *p = path_in(f, name);
  mfh_err err;
  ck_assert_msg(mfh_npy_write(p, cplx, ndim, shape, data, &err) == 0, "%s", err.msg);
  free(p);
}

static void write_text(const fixture *f, const char *name, const char *text) {
  char *p = path_in(f, name);
  mfh_test_write(p, text);
  free(p);
}

/* Read name into s (cleared first); the status, and the message in err. */
static int read_state(const fixture *f, const char *name, const mfh_command_decl *d, mfh_state *s, mfh_err *err) {
  mfh_state_clear(s);
  char *p = path_in(f, name);
  mfh_err_clear(err);
  int rc = mfh_command_read_state(p, name, d, "item", s, err);
  free(p);
  return rc;
}

/* The file must be refused (MFH_EEXTERNAL) with its name and every needle in the message. */
static void expect_refused(const fixture *f, const char *name, const mfh_command_decl *d, const char *needle,
                           const char *needle2) {
  mfh_state s = {0};
  mfh_err err;
  int rc = read_state(f, name, d, &s, &err);
  ck_assert_msg(rc == MFH_EEXTERNAL, "%s: accepted (rc %d): %s", name, rc, err.msg);
  ck_assert_msg(!strncmp(err.msg, name, strlen(name)), "message does not start with the file name: %s", err.msg);
  ck_assert_msg(strstr(err.msg, needle), "'%s' lacks '%s'", err.msg, needle);
  if (needle2) ck_assert_msg(strstr(err.msg, needle2), "'%s' lacks '%s'", err.msg, needle2);
  ck_assert_uint_eq(s.n, 0);
  mfh_state_clear(&s);
}

static mfh_command_decl cloud_decl(size_t n, size_t d, int vel, int w, double period) {
  mfh_command_decl c = {0};
  c.state = MFH_COMMAND_CLOUD;
  c.n = n;
  c.d = d;
  c.velocities = vel;
  c.weights = w;
  c.period = period;
  return c;
}

static mfh_command_decl grid_decl(int state, size_t nx, size_t nv, double x0, double x1, double v0, double v1) {
  mfh_command_decl c = {0};
  c.state = state;
  c.nx = nx;
  c.nv = nv;
  c.xmin = x0;
  c.xmax = x1;
  c.vmin = v0;
  c.vmax = v1;
  c.eps = 0.25;
  if (state == MFH_COMMAND_PHASE_GRID) c.period = x1 - x0;
  return c;
}

START_TEST(clouds_round_trip) {
  fixture f = {mfh_test_tmpdir()};
  /* 5 particles in d = 2 on a torus of period 2: positions, velocities, exact values */
  mfh_cloud *c = mfh_cloud_new(5, 4);
  ck_assert_ptr_nonnull(c);
  for (size_t k = 0; k < 20; k++) c->x[k] = (k % 4 < 2) ? fmod(0.1 * (double)k + 1.0 / 3.0, 2.0) : -0.7 + 0.01 * (double)k;
  c->d = 2;
  c->period = 2;
  mfh_command_decl d = cloud_decl(5, 2, 1, 0, 2);
  mfh_err err;
  mfh_state s = {0};
  const char *names[] = {"c.csv", "c.npy"};
  for (int i = 0; i < 2; i++) {
    char *p = path_in(&f, names[i]);
    ck_assert_int_eq(mfh_command_write_cloud(p, c, &err), 0);
    free(p);
    ck_assert_msg(read_state(&f, names[i], &d, &s, &err) == 0, "%s", err.msg);
    const mfh_cloud *r = mfh_state_get(&s, &mfh_kind_cloud, "item");
    ck_assert_ptr_nonnull(r);
    ck_assert(r->n == 5 && r->dim == 4 && r->d == 2 && r->period == 2 && !r->w);
    ck_assert_msg(!memcmp(r->x, c->x, 20 * sizeof *c->x), "%s: not bit for bit", names[i]);
  }
  /* the header mfh writes names the columns */
  char *p = path_in(&f, "c.csv"), *text = NULL;
  ck_assert_int_eq(mfh_read_file(p, &text, NULL, &err), 0);
  ck_assert(!strncmp(text, "x1,x2,v1,v2\n", 12));
  free(text);
  free(p);
  /* a CSV without a header, positions off the torus (wrapped), weights renormalised */
  write_text(&f, "w.csv", "2.5,0.1,0.25\n-0.5,0.2,0.75\n");
  mfh_command_decl dw = cloud_decl(2, 1, 1, 1, 2);
  ck_assert_msg(read_state(&f, "w.csv", &dw, &s, &err) == 0, "%s", err.msg);
  const mfh_cloud *r = mfh_state_get(&s, &mfh_kind_cloud, NULL);
  ck_assert(r->dim == 2 && r->w && r->w[0] == 0.25 && r->w[1] == 0.75);
  ck_assert(r->x[0] == 0.5 && r->x[2] == 1.5 && r->x[1] == 0.1 && r->x[3] == 0.2);
  /* positions only, one column, as a 1-d array */
  double xs[3] = {1, 2, 3};
  size_t sh1[1] = {3};
  write_npy(&f, "p.npy", 0, 1, sh1, xs);
  mfh_command_decl dp = cloud_decl(3, 1, 0, 0, 0);
  ck_assert_msg(read_state(&f, "p.npy", &dp, &s, &err) == 0, "%s", err.msg);
  r = mfh_state_get(&s, &mfh_kind_cloud, NULL);
  ck_assert(r->dim == 1 && r->d == 0 && r->x[2] == 3);
  mfh_state_clear(&s);
  mfh_kind_cloud.free(c);
  mfh_remove_tree(f.dir);
  free(f.dir);
}
END_TEST

START_TEST(grids_and_densities) {
  fixture f = {mfh_test_tmpdir()};
  mfh_err err;
  mfh_state s = {0};
  double g[12];
  for (int k = 0; k < 12; k++) g[k] = k * 0.5;
  size_t sh[2] = {4, 3};
  write_npy(&f, "f.npy", 0, 2, sh, g);
  mfh_command_decl d = grid_decl(MFH_COMMAND_PHASE_GRID, 4, 3, 0, 2, -1, 1);
  ck_assert_msg(read_state(&f, "f.npy", &d, &s, &err) == 0, "%s", err.msg);
  const mfh_phase_grid *pg = mfh_state_get(&s, &mfh_kind_phase_grid, NULL);
  ck_assert(pg->nx == 4 && pg->nv == 3 && pg->xmin == 0 && pg->dx == 0.5 && pg->vmin == -1 && pg->dv == 1);
  ck_assert(pg->period == 2 && pg->f[1 * 3 + 2] == 2.5); /* f[x_1, v_2] */
  /* a field on nx nodes */
  size_t s4[1] = {4};
  write_npy(&f, "u.npy", 0, 1, s4, g);
  mfh_command_decl df = grid_decl(MFH_COMMAND_FIELD, 4, 0, -2, 2, 0, 0);
  ck_assert_msg(read_state(&f, "u.npy", &df, &s, &err) == 0, "%s", err.msg);
  const mfh_field *u = mfh_state_get(&s, &mfh_kind_field, NULL);
  ck_assert(u->grid.n == 4 && u->grid.xmin == -2 && u->grid.dx == 1 && u->v[3] == 1.5);
  /* a wave function, complex (c16) and real (f8: imaginary part 0) */
  double z[8] = {1, -1, 0.5, 0, 0, 2, -3, 0.25};
  write_npy(&f, "psi.npy", 1, 1, s4, z);
  mfh_command_decl dw = grid_decl(MFH_COMMAND_WAVEFUNCTION, 4, 0, -2, 2, 0, 0);
  ck_assert_msg(read_state(&f, "psi.npy", &dw, &s, &err) == 0, "%s", err.msg);
  const mfh_density *r = mfh_state_get(&s, &mfh_kind_density, NULL);
  ck_assert(r->kind == MFH_DENSITY_ORBITALS && r->norb == 1 && r->w[0] == 1 && r->eps == 0.25);
  ck_assert(creal(r->orb[3]) == -3 && cimag(r->orb[3]) == 0.25 && cimag(r->orb[0]) == -1);
  write_npy(&f, "psi_real.npy", 0, 1, s4, g);
  ck_assert_msg(read_state(&f, "psi_real.npy", &dw, &s, &err) == 0, "%s", err.msg);
  r = mfh_state_get(&s, &mfh_kind_density, NULL);
  ck_assert(creal(r->orb[2]) == 1 && cimag(r->orb[2]) == 0);
  /* a kernel, nx x nx complex */
  double kz[8] = {1, 0, 0.5, 0.5, 0.5, -0.5, 2, 0};
  size_t s22[2] = {2, 2};
  write_npy(&f, "rho.npy", 1, 2, s22, kz);
  mfh_command_decl dk = grid_decl(MFH_COMMAND_KERNEL, 2, 0, 0, 1, 0, 0);
  ck_assert_msg(read_state(&f, "rho.npy", &dk, &s, &err) == 0, "%s", err.msg);
  r = mfh_state_get(&s, &mfh_kind_density, NULL);
  ck_assert(r->kind == MFH_DENSITY_KERNEL && r->grid.n == 2 && creal(r->kernel[3]) == 2 && cimag(r->kernel[2]) == -0.5);
  mfh_state_clear(&s);
  mfh_remove_tree(f.dir);
  free(f.dir);
}
END_TEST

/* Every way a program's file can be wrong is refused, naming the file. */
START_TEST(bad_files_are_refused) {
  fixture f = {mfh_test_tmpdir()};
  mfh_command_decl d = cloud_decl(4, 1, 1, 0, 0);
  double good[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}; /* enough for every shape below */
  size_t s42[2] = {4, 2}, s32[2] = {3, 2}, s43[2] = {4, 3};
  write_npy(&f, "other.npy", 0, 2, s42, good);
  /* missing: the message lists what the folder holds */
  expect_refused(&f, "state_0.npy", &d, "the program did not write this file", "other.npy");
  /* wrong shape: particles, columns */
  write_npy(&f, "few.npy", 0, 2, s32, good);
  expect_refused(&f, "few.npy", &d, "shape (3, 2)", "declares N = 4 particles x 2 columns");
  write_npy(&f, "wide.npy", 0, 2, s43, good);
  expect_refused(&f, "wide.npy", &d, "shape (4, 3)", "shape (4, 2)");
  write_text(&f, "few.csv", "x1,v1\n0,1\n2,3\n");
  expect_refused(&f, "few.csv", &d, "2 rows of 2 numbers", "4 rows of 2");
  /* a value that is not finite, in .npy and in .csv */
  double nan8[8] = {0, 1, 2, 3, 4, NAN, 6, 7};
  write_npy(&f, "nan.npy", 0, 2, s42, nan8);
  expect_refused(&f, "nan.npy", &d, "not finite", "[2, 1] = nan");
  write_text(&f, "inf.csv", "x1,v1\n0,1\n2,3\ninf,5\n6,7\n");
  expect_refused(&f, "inf.csv", &d, "inf.csv:4:1: 'inf' is not a finite number", NULL);
  /* truncated, not NumPy at all, ragged CSV */
  char *p = path_in(&f, "other.npy"), *text = NULL;
  size_t len;
  mfh_err err;
  ck_assert_int_eq(mfh_read_file(p, &text, &len, &err), 0);
  free(p);
  p = path_in(&f, "cut.npy");
  FILE *fp = fopen(p, "wb");
  ck_assert(fp && fwrite(text, 1, len - 20, fp) == len - 20 && fclose(fp) == 0);
  free(p);
  free(text);
  expect_refused(&f, "cut.npy", &d, "cut short", NULL);
  write_text(&f, "text.npy", "0,1\n2,3\n");
  expect_refused(&f, "text.npy", &d, "magic", NULL);
  write_text(&f, "ragged.csv", "0,1\n2,3\n4\n6,7\n");
  expect_refused(&f, "ragged.csv", &d, "ragged.csv:3", NULL);
  /* far larger than the declared state, before it is read */
  p = path_in(&f, "huge.npy");
  fp = fopen(p, "wb");
  ck_assert(fp && fseek(fp, 200000, SEEK_SET) == 0 && fputc(0, fp) == 0 && fclose(fp) == 0);
  free(p);
  expect_refused(&f, "huge.npy", &d, "200001 bytes, more than the declared cloud of 8 values can take", NULL);
  /* a complex array for a real state; a folder for a file */
  write_npy(&f, "cplx.npy", 1, 2, s42, (double[16]){0});
  expect_refused(&f, "cplx.npy", &d, "a complex array", "a cloud is real");
  p = path_in(&f, "adir.npy");
  ck_assert_int_eq(mfh_mkdirs(p, &err), 0);
  free(p);
  expect_refused(&f, "adir.npy", &d, "not a regular file", NULL);
  /* weights: negative, not summing to 1 */
  mfh_command_decl dw = cloud_decl(2, 1, 1, 1, 0);
  write_text(&f, "neg.csv", "0,1,1.5\n2,3,-0.5\n");
  expect_refused(&f, "neg.csv", &dw, "the weight of particle 1 is negative", NULL);
  write_text(&f, "half.csv", "0,1,0.25\n2,3,0.25\n");
  expect_refused(&f, "half.csv", &dw, "the weights sum to 0.5, not 1", NULL);
  /* a grid of the wrong shape */
  mfh_command_decl dg = grid_decl(MFH_COMMAND_PHASE_GRID, 4, 3, 0, 1, -1, 1);
  expect_refused(&f, "other.npy", &dg, "shape (4, 2)", "nx = 4 by nv = 3 nodes");
  mfh_remove_tree(f.dir);
  free(f.dir);
}
END_TEST

/* ---- validation ---------------------------------------------------------- */

START_TEST(validation) {
  {
    mfh_params ok = mfh_test_engine_valid(E, "cmd=true");
    mfh_params_free(&ok);
  }
  {
    mfh_params ok = mfh_test_engine_valid(E, "cmd=true state=phase_grid box=0,1,-2,2");
    mfh_params_free(&ok);
  }
  {
    mfh_params ok = mfh_test_engine_valid(E, "cmd=x-{input} state=cloud init=homogeneous L=6");
    mfh_params_free(&ok);
  }
  mfh_test_engine_expect_bad(E, "cmd=echo-{nope}", "cmd", "{nope} is not a parameter");
  mfh_test_engine_expect_bad(E, "cmd=true scalars=2x", "scalars", "'2x' is not a name");
  mfh_test_engine_expect_bad(E, "cmd=true scalars=a,a", "scalars", "'a' is not a name");
  mfh_test_engine_expect_bad(E, "cmd=true scalars=,", "scalars", "with state none the program must print");
  mfh_test_engine_expect_bad(E, "cmd=true state=cloud output_file=../x.npy", "output_file", "must be a file name");
  mfh_test_engine_expect_bad(E, "cmd=true state=field output_file=x.csv box=0,1", "output_file", "ending in .npy;");
  mfh_test_engine_expect_bad(E, "cmd=true state=cloud output_file=x_{t}.npy", "output_file", "{k} (the output index)");
  mfh_test_engine_expect_bad(E, "cmd=true state=field", "box", "a grid needs \"xmin xmax\"");
  mfh_test_engine_expect_bad(E, "cmd=true state=phase_grid box=0,1", "box", "\"xmin xmax vmin vmax\"");
  mfh_test_engine_expect_bad(E, "cmd=true state=field box=1,0", "box", "each upper end must exceed");
  mfh_test_engine_expect_bad(E, "cmd=true init=homogeneous", "L", "L > 0");
  mfh_test_engine_expect_bad(E, "cmd=true init=gaussian L=1", "L", "L must be 0");
  mfh_test_engine_expect_bad(E, "cmd=true init=gaussian input_file=in.txt", "input_file", "ending in .csv or .npy");
  mfh_test_engine_expect_bad(E, "cmd=true init=gaussian state=cloud input_file=a.csv output_file=a.csv",
                             "input_file", "other than output_file");
}
END_TEST

/* ---- runs ---------------------------------------------------------------- */

typedef struct run {
  mfh_state out[4];
  mfh_err err;
  int rc;
} run;

/* Run the engine with these overrides for the times given, from its own
 * initial state, under a time limit; output limited to 1 MB.  same_cloud:
 * the cloud of the first output must be the initial one, bit for bit. */
static void run_engine(const char *overrides, size_t n, const double *times, double limit, int same_cloud, run *r) {
  mfh_params ps = mfh_test_engine_params(E, overrides);
  const char *bad = NULL;
  mfh_err_clear(&r->err);
  ck_assert_msg(E->validate(&ps, &bad, &r->err) == 0, "%s: %s", overrides, r->err.msg);
  mfh_state s0 = {0};
  gsl_rng *rng = mfh_rng_alloc(7), *init = mfh_rng_alloc(8);
  r->rc = E->initial(&ps, init, &s0, &r->err);
  ck_assert_int_eq(r->rc, 0);
  mfh_engine_ctx ctx = {n, times, &s0, rng, init, 123456789012345ULL, 3, "/", NULL, limit, 1 << 20, NULL};
  memset(r->out, 0, sizeof r->out);
  r->rc = E->run(&ps, &ctx, r->out, &r->err);
  if (!r->rc) {
    mfh_decl d = {0};
    ck_assert_int_eq(E->declare(&ps, &d, &r->err), 0);
    for (size_t k = 0; k < n; k++) ck_assert_msg(mfh_decl_check(&d, &r->out[k], &r->err) == 0, "%s", r->err.msg);
    /* the initial cloud handed over is the one initial() drew */
    const mfh_cloud *c0 = mfh_state_get(&s0, &mfh_kind_cloud, NULL);
    const mfh_cloud *c1 = mfh_state_get(&r->out[0], &mfh_kind_cloud, NULL);
    if (same_cloud)
      ck_assert_msg(c0 && c1 && c0->n == c1->n && !memcmp(c0->x, c1->x, c0->n * c0->dim * sizeof *c0->x),
                    "the cloud read back differs from the one written");
  }
  mfh_state_clear(&s0);
  gsl_rng_free(rng);
  gsl_rng_free(init);
  mfh_params_free(&ps);
}

static void clear_run(run *r) {
  for (size_t k = 0; k < 4; k++) mfh_state_clear(&r->out[k]);
}

/* The test kit splits overrides at spaces: commands are scripts in files. */
static char *script(const char *name, const char *text) {
  static char dir[4096];
  if (!dir[0]) {
    char *d = mfh_test_tmpdir();
    snprintf(dir, sizeof dir, "%s", d);
    free(d);
  }
  char *p = mfh_path_join(dir, name);
  mfh_test_write(p, text);
  return p;
}

/* Run the engine with cmd = an executable script holding body (the kit's
 * overrides cannot hold spaces). */
static void run_script(const char *body, const char *overrides, size_t n, const double *times, double limit,
                       int same_cloud, run *r) {
  static int count;
  char name[32], ov[1024], *text = malloc(strlen(body) + 16);
  ck_assert_ptr_nonnull(text);
  snprintf(text, strlen(body) + 16, "#!/bin/sh\n%s", body);
  snprintf(name, sizeof name, "s%d.sh", count++);
  char *p = script(name, text);
  free(text);
  ck_assert_int_eq(chmod(p, 0755), 0);
  snprintf(ov, sizeof ov, "cmd=%s %s", p, overrides);
  run_engine(ov, n, times, limit, same_cloud, r);
  free(p);
}

START_TEST(numbers_per_output_time) {
  double t2[2] = {0.5, 1};
  run r;
  run_script("echo progress 1 2 3\necho '{\"a\": [1.5, 2.5], \"b\": [null, 4], \"extra\": 9}'\n", "scalars=a,b", 2,
             t2, 20, 0, &r);
  ck_assert_msg(r.rc == 0, "%s", r.err.msg);
  ck_assert(mfh_test_scalar(&r.out[0], "a") == 1.5 && mfh_test_scalar(&r.out[1], "a") == 2.5);
  ck_assert(isnan(mfh_test_scalar(&r.out[0], "b")) && mfh_test_scalar(&r.out[1], "b") == 4);
  ck_assert_ptr_null(mfh_values_get(&r.out[0].scalars, "extra"));
  clear_run(&r);
  /* one scalar, one time: the last number of plain text */
  run_script("echo step 1 of 1: error 0.25\n", "", 1, t2, 20, 0, &r);
  ck_assert_msg(r.rc == 0, "%s", r.err.msg);
  ck_assert(mfh_test_scalar(&r.out[0], "value") == 0.25);
  clear_run(&r);
}
END_TEST

START_TEST(cloud_through_the_program) {
  /* the program copies mfh's initial cloud to every output: mfh reads back
   * bit for bit what it wrote (csv and npy), at each output time */
  double t2[2] = {0, 1};
  const char *body = "[ -n \"$MFH_INPUT\" ] || exit 9\n"
                     "IFS=,; for f in $MFH_OUTPUTS; do cp \"$MFH_INPUT\" \"$f\"; done\n"
                     "echo \"{\\\"seed\\\": $MFH_SEED, \\\"rep\\\": $MFH_REPLICA, \\\"t\\\": [$MFH_TIMES]}\"\n";
  const char *formats[][2] = {{"a.csv", "b_{k}.csv"}, {"a.npy", "b_{k}.npy"}};
  for (int i = 0; i < 2; i++) {
    char ov[512];
    snprintf(ov, sizeof ov,
             "state=cloud init=homogeneous L=6.25 N=50 dim=2 input_file=%s output_file=%s scalars=t",
             formats[i][0], formats[i][1]);
    run r;
    run_script(body, ov, 2, t2, 20, 1, &r);
    ck_assert_msg(r.rc == 0, "%s", r.err.msg);
    const mfh_cloud *c = mfh_state_get(&r.out[1], &mfh_kind_cloud, "particles");
    ck_assert(c && c->n == 50 && c->dim == 4 && c->d == 2 && c->period == 6.25);
    ck_assert(mfh_test_scalar(&r.out[0], "t") == 0 && mfh_test_scalar(&r.out[1], "t") == 1);
    clear_run(&r);
  }
  /* the seed and replica reach the program: scalars from its environment */
  run r;
  run_script("echo \"{\\\"s\\\": $MFH_SEED, \\\"r\\\": $MFH_REPLICA}\"\n", "scalars=s,r", 1, t2, 20, 0, &r);
  ck_assert_msg(r.rc == 0, "%s", r.err.msg);
  ck_assert(mfh_test_scalar(&r.out[0], "s") == 123456789012345.0 && mfh_test_scalar(&r.out[0], "r") == 3);
  clear_run(&r);
}
END_TEST

START_TEST(program_failures) {
  double t1[1] = {1}, t2[2] = {0.5, 1};
  run r;
  /* a non-zero exit: its status and the end of its standard error */
  run_script("echo working >&2; echo boom >&2; exit 3\n", "", 1, t1, 20, 0, &r);
  ck_assert_int_eq(r.rc, MFH_EEXTERNAL);
  ck_assert_msg(strstr(r.err.msg, "exited with status 3") && strstr(r.err.msg, "stderr: working boom"), "%s", r.err.msg);
  clear_run(&r);
  /* a declared number missing: what it did print */
  run_script("echo '{\"b\": 1}'\n", "scalars=a", 1, t1, 20, 0, &r);
  ck_assert_msg(r.rc == MFH_EEXTERNAL && strstr(r.err.msg, "printed no 'a' (its JSON has: b)"), "%s", r.err.msg);
  clear_run(&r);
  run_script("echo '{\"a\": 1}'\n", "scalars=a", 2, t2, 20, 0, &r);
  ck_assert_msg(r.rc == MFH_EEXTERNAL && strstr(r.err.msg, "one number for 2 output times"), "%s", r.err.msg);
  clear_run(&r);
  run_script("echo no numbers here\n", "", 1, t1, 20, 0, &r);
  ck_assert_msg(r.rc == MFH_EEXTERNAL && strstr(r.err.msg, "printed no number"), "%s", r.err.msg);
  clear_run(&r);
  /* a state file with a NaN: the output time, the file, what is wrong, its stderr */
  run_script("printf 'x1\\n1\\nnan\\n' > \"$MFH_TASK_DIR/out_0.csv\"\necho wrote it >&2\n",
             "state=cloud N=2 velocities=no output_file=out_{k}.csv scalars=", 1, t1, 20, 0, &r);
  ck_assert_msg(r.rc == MFH_EEXTERNAL && strstr(r.err.msg, "output for t = 1: out_0.csv:3:1: 'nan' is not a finite number") &&
                    strstr(r.err.msg, "stderr: ...wrote it"),
                "%s", r.err.msg);
  clear_run(&r);
  /* no file for the second output time */
  run_script("printf '1\\n2\\n' > \"$MFH_TASK_DIR/out_0.csv\"\n",
             "state=cloud N=2 velocities=no output_file=out_{k}.csv scalars=", 2, t2, 20, 0, &r);
  ck_assert_msg(r.rc == MFH_EEXTERNAL && strstr(r.err.msg, "output for t = 1: out_1.csv: the program did not write") &&
                    strstr(r.err.msg, "holds out_0.csv"),
                "%s", r.err.msg);
  clear_run(&r);
  /* several output times need {k} in the file name */
  run_script("true\n", "state=cloud output_file=out.csv scalars=", 2, t2, 20, 0, &r);
  ck_assert_msg(r.rc == MFH_EINPUT && strstr(r.err.msg, "has no {k}"), "%s", r.err.msg);
  clear_run(&r);
  /* the time limit stops a hanging program */
  run_script("echo started >&2\nsleep 30\n", "", 1, t1, 0.5, 0, &r);
  ck_assert_msg(r.rc == MFH_EEXTERNAL && strstr(r.err.msg, "timed out") && strstr(r.err.msg, "started"), "%s",
                r.err.msg);
  clear_run(&r);
}
END_TEST

START_TEST(input_needs_a_cloud) {
  double t1[1] = {1};
  run r;
  run_engine("cmd=cat_{input}", 1, t1, 20, 0, &r);
  ck_assert_msg(r.rc == MFH_EINPUT && strstr(r.err.msg, "cmd uses {input}, but there is no initial cloud"), "%s",
                r.err.msg);
  clear_run(&r);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("command");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, clouds_round_trip);
  tcase_add_test(tc, grids_and_densities);
  tcase_add_test(tc, bad_files_are_refused);
  tcase_add_test(tc, validation);
  tcase_add_test(tc, numbers_per_output_time);
  tcase_add_test(tc, cloud_through_the_program);
  tcase_add_test(tc, program_failures);
  tcase_add_test(tc, input_needs_a_cloud);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
