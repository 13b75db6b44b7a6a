#include "tests/testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

const char *mfh_test_source_dir(void) {
  const char *s = getenv("MFH_SOURCE_DIR");
  return s ? s : ".";
}

const char *mfh_test_binary(void) {
  const char *s = getenv("MFH_BINARY");
  return s ? s : "./mfh";
}

char *mfh_test_tmpdir(void) {
  char tmpl[] = "/tmp/mfh-test-XXXXXX";
  char *d = mkdtemp(tmpl);
  ck_assert_msg(d != NULL, "mkdtemp failed");
  return strdup(d);
}

void mfh_test_write(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  ck_assert_msg(f != NULL, "cannot write %s", path);
  fputs(text, f);
  fclose(f);
}

int mfh_test_run(const char *cmd, char **out) {
  size_t n = strlen(cmd) + 16;
  char *full = malloc(n);
  snprintf(full, n, "%s 2>&1", cmd);
  FILE *p = popen(full, "r");
  free(full);
  ck_assert_msg(p != NULL, "popen failed");
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t got;
  while ((got = fread(buf + len, 1, cap - len - 1, p)) > 0) {
    len += got;
    if (cap - len < 2) buf = realloc(buf, cap *= 2);
  }
  buf[len] = '\0';
  int st = pclose(p);
  if (out)
    *out = buf;
  else
    free(buf);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int mfh_test_main(Suite *s) {
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
