/* The process runner and command templates (core/proc.h): output captured
 * and bounded, a time limit and a stop flag that end the whole process
 * group, a private temporary folder removed afterwards, no descriptor of
 * mfh's leaking into the program, and substituted values that stay one
 * shell word whatever they hold. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/proc.h"
#include "tests/testutil.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int sh(const char *script, double timeout, size_t max_out, int tmp, volatile sig_atomic_t *stop,
              mfh_proc_result *res, mfh_err *err) {
  const char *argv[] = {"/bin/sh", "-c", script, NULL};
  mfh_proc_spec spec = {argv, NULL, timeout, max_out, tmp, stop, NULL, NULL};
  mfh_err_clear(err);
  return mfh_proc_run(&spec, res, err);
}

START_TEST(output_and_status) {
  mfh_proc_result r;
  mfh_err err;
  ck_assert_int_eq(sh("echo hello; echo oops >&2; exit 3", 10, 1000, 0, NULL, &r, &err), MFH_OK);
  ck_assert_str_eq(r.out, "hello\n");
  ck_assert_str_eq(r.err_tail, "oops\n");
  ck_assert(r.exited && r.code == 3 && !r.signal);
  mfh_proc_result_free(&r);
  ck_assert_int_eq(sh("kill -9 $$", 10, 1000, 0, NULL, &r, &err), MFH_OK);
  ck_assert(!r.exited && r.signal == 9);
  mfh_proc_result_free(&r);
  /* a name searched in PATH; a missing program */
  const char *argv[] = {"true", NULL}, *bad[] = {"/no/such/program", NULL};
  mfh_proc_spec spec = {argv, "/", 10, 100, 0, NULL, NULL, NULL};
  ck_assert_int_eq(mfh_proc_run(&spec, &r, &err), MFH_OK);
  ck_assert(r.exited && r.code == 0);
  mfh_proc_result_free(&r);
  spec.argv = bad;
  ck_assert_int_eq(mfh_proc_run(&spec, &r, &err), MFH_EEXTERNAL);
  mfh_proc_result_free(&r);
}
END_TEST

START_TEST(stderr_keeps_its_tail) {
  mfh_proc_result r;
  mfh_err err;
  /* 100 000 bytes of 'a' then "END": only the last MFH_PROC_TAIL bytes are kept */
  ck_assert_int_eq(sh("head -c 100000 /dev/zero | tr '\\0' a >&2; echo END >&2", 10, 10, 0, NULL, &r, &err), 0);
  ck_assert_uint_eq(strlen(r.err_tail), MFH_PROC_TAIL);
  ck_assert(strcmp(r.err_tail + MFH_PROC_TAIL - 4, "END\n") == 0);
  mfh_proc_result_free(&r);
}
END_TEST

START_TEST(timeout_kills_the_group) {
  mfh_proc_result r;
  mfh_err err;
  char *d = mfh_test_tmpdir();
  char script[512];
  /* a child in the background that would outlive the shell */
  snprintf(script, sizeof script, "(sleep 1; touch %s/late) & sleep 30", d);
  double t0 = now_s();
  ck_assert_int_eq(sh(script, 0.3, 100, 0, NULL, &r, &err), MFH_EEXTERNAL);
  double dt = now_s() - t0;
  ck_assert(r.timed_out);
  ck_assert_msg(strstr(err.msg, "timed out") != NULL, "%s", err.msg);
  ck_assert_msg(dt < 5, "took %g s", dt);
  mfh_proc_result_free(&r);
  /* the background child was killed with the group: its file never comes */
  char *late = mfh_path_join(d, "late");
  ck_assert_int_eq(sh("sleep 1.5", 10, 100, 0, NULL, &r, &err), 0);
  mfh_proc_result_free(&r);
  ck_assert(!mfh_path_exists(late));
  free(late);
  free(d);
}
END_TEST

START_TEST(background_child_does_not_hold_the_task) {
  /* the program ends at once, a child it left behind keeps stdout open */
  mfh_proc_result r;
  mfh_err err;
  double t0 = now_s();
  ck_assert_int_eq(sh("sleep 30 & echo 42", 60, 100, 0, NULL, &r, &err), MFH_OK);
  ck_assert(now_s() - t0 < 5);
  ck_assert(r.exited && r.code == 0 && !r.timed_out);
  ck_assert_str_eq(r.out, "42\n");
  mfh_proc_result_free(&r);
}
END_TEST

START_TEST(flood_is_bounded) {
  mfh_proc_result r;
  mfh_err err;
  double t0 = now_s();
  ck_assert_int_eq(sh("yes flood", 30, 100000, 0, NULL, &r, &err), MFH_EEXTERNAL);
  ck_assert(r.flooded);
  ck_assert_uint_le(r.out_len, 100000);
  ck_assert(now_s() - t0 < 10);
  ck_assert_msg(strstr(err.msg, "printed more than 100000 bytes") != NULL, "%s", err.msg);
  mfh_proc_result_free(&r);
  /* exactly the limit is fine */
  ck_assert_int_eq(sh("printf 12345", 30, 5, 0, NULL, &r, &err), MFH_OK);
  ck_assert_str_eq(r.out, "12345");
  mfh_proc_result_free(&r);
}
END_TEST

START_TEST(stop_flag) {
  mfh_proc_result r;
  mfh_err err;
  volatile sig_atomic_t stop = 1;
  double t0 = now_s();
  ck_assert_int_eq(sh("sleep 30", 60, 100, 0, &stop, &r, &err), MFH_EINTERRUPT);
  ck_assert(r.interrupted);
  ck_assert(now_s() - t0 < 5);
  mfh_proc_result_free(&r);
}
END_TEST

START_TEST(private_tmp_is_removed) {
  mfh_proc_result r;
  mfh_err err;
  ck_assert_int_eq(sh("mkdir -p \"$TMPDIR/sub\" && echo x > \"$TMPDIR/sub/f\" && printf %s \"$MFH_TASK_DIR\"", 10,
                      4096, 1, NULL, &r, &err),
                   0);
  ck_assert(r.exited && r.code == 0);
  ck_assert_str_eq(r.out, r.tmpdir);
  char *f = mfh_path_join(r.tmpdir, "sub/f"), *dir = strdup(r.tmpdir);
  ck_assert(mfh_path_exists(f));
  mfh_proc_result_free(&r);
  ck_assert(!mfh_path_exists(dir));
  free(f);
  free(dir);
}
END_TEST

/* A folder made beforehand (input files put in it) is the program's TMPDIR
 * and goes with the result, also when the program cannot be started; extra
 * variables replace inherited ones. */
START_TEST(given_tmp_and_env) {
  mfh_err err;
  char *dir = NULL;
  ck_assert_int_eq(mfh_proc_tmpdir(&dir, &err), 0);
  char *in = mfh_path_join(dir, "input.txt");
  mfh_test_write(in, "41\n");
  setenv("MFH_TEST_VAR", "inherited", 1);
  const char *env[] = {"MFH_TEST_VAR=replaced", "MFH_OTHER=two words", NULL};
  const char *argv[] = {"/bin/sh", "-c",
                        "read x < \"$MFH_TASK_DIR/input.txt\"; echo $((x + 1)) > \"$TMPDIR/out.txt\"; "
                        "printf '%s|%s|%s' \"$MFH_TEST_VAR\" \"$MFH_OTHER\" \"$TMPDIR\"",
                        NULL};
  mfh_proc_spec spec = {argv, "/", 10, 4096, 1, NULL, dir, env};
  mfh_proc_result r;
  ck_assert_int_eq(mfh_proc_run(&spec, &r, &err), 0);
  ck_assert(r.exited && r.code == 0);
  char want[512];
  snprintf(want, sizeof want, "replaced|two words|%s", dir);
  ck_assert_str_eq(r.out, want);
  char *out = mfh_path_join(r.tmpdir, "out.txt"), *text = NULL;
  size_t len;
  ck_assert_int_eq(mfh_read_file(out, &text, &len, &err), 0);
  ck_assert_str_eq(text, "42\n");
  mfh_proc_result_free(&r);
  ck_assert(!mfh_path_exists(dir));
  free(text);
  free(out);
  free(in);
  free(dir);
  /* a program that cannot start still takes the folder with it */
  ck_assert_int_eq(mfh_proc_tmpdir(&dir, &err), 0);
  const char *bad[] = {"/no/such/program", NULL};
  mfh_proc_spec spec2 = {bad, "/", 10, 100, 1, NULL, dir, NULL};
  ck_assert_int_eq(mfh_proc_run(&spec2, &r, &err), MFH_EEXTERNAL);
  mfh_proc_result_free(&r);
  ck_assert(!mfh_path_exists(dir));
  free(dir);
  unsetenv("MFH_TEST_VAR");
}
END_TEST

START_TEST(no_descriptor_leaks) {
  /* the program sees 0, 1, 2 and nothing of mfh's (ls opens one for the listing) */
  FILE *keep = tmpfile();
  ck_assert_ptr_nonnull(keep);
  mfh_proc_result r;
  mfh_err err;
  ck_assert_int_eq(sh("ls /proc/self/fd | wc -l", 10, 100, 0, NULL, &r, &err), 0);
  ck_assert_msg(atoi(r.out) <= 4, "the program holds %s descriptors", r.out);
  mfh_proc_result_free(&r);
  fclose(keep);
}
END_TEST

/* ---- templates ---- */

static int lookup(const char *name, char **value, void *ctx) {
  (void)ctx;
  if (!strcmp(name, "label")) return (*value = strdup("x; touch pwned")) ? 0 : MFH_ENOMEM;
  if (!strcmp(name, "q")) return (*value = strdup("it's \"$(ls)\" `x` \\")) ? 0 : MFH_ENOMEM;
  if (!strcmp(name, "dt")) return (*value = strdup("0.5")) ? 0 : MFH_ENOMEM;
  if (!strcmp(name, "long")) {
    char *v = malloc(301);
    memset(v, 'z', 300);
    v[300] = '\0';
    *value = v;
    return v ? 0 : MFH_ENOMEM;
  }
  return MFH_EINPUT;
}

static char *expand_ok(const char *t) {
  char *out = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_cmd_expand(t, lookup, NULL, &out, &err) == 0, "%s: %s", t, err.msg);
  return out;
}

static void expand_bad(const char *t, const char *needle) {
  char *out = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_cmd_expand(t, lookup, NULL, &out, &err), MFH_EINPUT);
  ck_assert_ptr_null(out);
  ck_assert_msg(strstr(err.msg, needle) != NULL, "%s: '%s' lacks '%s'", t, err.msg, needle);
}

START_TEST(templates) {
  char *s = expand_ok("echo {label} --dt={dt}");
  ck_assert_str_eq(s, "echo 'x; touch pwned' --dt='0.5'");
  free(s);
  s = expand_ok("awk '{{print $1}}' f");
  ck_assert_str_eq(s, "awk '{print $1}' f");
  free(s);
  s = expand_ok("x {long}");
  ck_assert_uint_eq(strlen(s), 2 + 302);
  free(s);
  expand_bad("echo '{label}'", "inside single quotes");
  expand_bad("echo \"{label}\"", "inside double quotes");
  expand_bad("echo {nope}", "{nope} is not a parameter");
  expand_bad("echo {a b}", "not a parameter name");
  expand_bad("echo {label", "without '}'");
  expand_bad("echo }", "lone '}'");
  expand_bad("echo 'open", "unterminated single quote");
}
END_TEST

START_TEST(quoted_values_stay_one_word) {
  /* run the expansion through a real shell: the values come back verbatim */
  char *d = mfh_test_tmpdir();
  char *s = expand_ok("printf '%s|' {label} {q}");
  const char *argv[] = {"/bin/sh", "-c", s, NULL};
  mfh_proc_spec spec = {argv, d, 10, 1000, 0, NULL, NULL, NULL};
  mfh_proc_result r;
  mfh_err err;
  ck_assert_int_eq(mfh_proc_run(&spec, &r, &err), 0);
  ck_assert_str_eq(r.out, "x; touch pwned|it's \"$(ls)\" `x` \\|");
  mfh_proc_result_free(&r);
  char *pwned = mfh_path_join(d, "pwned");
  ck_assert(!mfh_path_exists(pwned));
  free(pwned);
  free(s);
  free(d);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("proc");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, output_and_status);
  tcase_add_test(tc, stderr_keeps_its_tail);
  tcase_add_test(tc, timeout_kills_the_group);
  tcase_add_test(tc, background_child_does_not_hold_the_task);
  tcase_add_test(tc, flood_is_bounded);
  tcase_add_test(tc, stop_flag);
  tcase_add_test(tc, private_tmp_is_removed);
  tcase_add_test(tc, given_tmp_and_env);
  tcase_add_test(tc, no_descriptor_leaks);
  tcase_add_test(tc, templates);
  tcase_add_test(tc, quoted_values_stay_one_word);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
