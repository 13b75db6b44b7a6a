/* A property of every shipped study: whatever would fail at run time for a
 * name that does not exist is refused by the loader (`mfh validate`) at the
 * name's file:line:col.  For each study under studies/ and each measure it
 * names (in `measure:` and in its checks), a copy with that one name
 * misspelled must be refused with MFH_EINPUT at the line of the misspelling.
 * Then the two cases of the engines issue: a renamed measure of CEP-2 and a
 * perturbed reference for MF-3's grid observable. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "pipeline/study.h"
#include "tests/testutil.h"

typedef struct {
  char **v;
  size_t n, cap;
} list;

static void add(list *l, const char *s) {
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 64;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
    ck_assert_ptr_nonnull(l->v);
  }
  l->v[l->n++] = strdup(s);
}

static void collect(const char *dir, list *out) {
  DIR *d = opendir(dir);
  ck_assert_ptr_nonnull(d);
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    size_t n = strlen(e->d_name);
    if (mfh_is_dir(path)) collect(path, out);
    else if (n > 5 && !strcmp(e->d_name + n - 5, ".yaml")) add(out, path);
  }
  closedir(d);
}

static char *slurp(const char *path) {
  char *text = NULL;
  size_t len;
  mfh_err err;
  ck_assert_msg(mfh_read_file(path, &text, &len, &err) == 0, "%s: %s", path, err.msg);
  return text;
}

/* text with the token at (line, col) (1-based; the token runs to the next
 * character that cannot be part of a name) replaced by token + suffix */
static char *mutate(const char *text, int line, int col, const char *suffix) {
  const char *p = text;
  for (int l = 1; l < line && p; l++) {
    p = strchr(p, '\n');
    if (p) p++;
  }
  ck_assert_ptr_nonnull(p);
  p += col - 1;
  if (*p == '"' || *p == '\'') p++;
  const char *q = p;
  while (*q && (q[0] == '_' || (q[0] >= '0' && q[0] <= '9') || (q[0] >= 'a' && q[0] <= 'z') || (q[0] >= 'A' && q[0] <= 'Z')))
    q++;
  ck_assert_msg(q > p, "no name at %d:%d", line, col);
  size_t head = (size_t)(q - text), sl = strlen(suffix);
  char *out = malloc(strlen(text) + sl + 1);
  memcpy(out, text, head);
  memcpy(out + head, suffix, sl);
  strcpy(out + head + sl, q);
  return out;
}

/* load text written beside the original (so relative paths still work) */
static int load_variant(const char *orig, const char *text, mfh_err *err) {
  char *dir = mfh_test_tmpdir(), path[2048];
  const char *base = strrchr(orig, '/');
  snprintf(path, sizeof path, "%s/%s", dir, base ? base + 1 : orig);
  mfh_test_write(path, text);
  mfh_study s;
  mfh_err_clear(err);
  int rc = mfh_study_load(path, "quick", -1, &s, err);
  if (!rc) mfh_study_free(&s);
  free(dir);
  return rc;
}

START_TEST(every_measure_name_is_checked) {
  char root[1024];
  snprintf(root, sizeof root, "%s/studies", mfh_test_source_dir());
  list files = {0};
  collect(root, &files);
  ck_assert_uint_gt(files.n, 40);
  size_t tried = 0;
  for (size_t f = 0; f < files.n; f++) {
    mfh_study s;
    mfh_err err;
    mfh_err_clear(&err);
    ck_assert_msg(mfh_study_load(files.v[f], "quick", -1, &s, &err) == 0, "%s: %s", files.v[f], err.msg);
    char *text = slurp(files.v[f]);
    /* every place a measure is named: measure: entries and the checks' measure: */
    mfh_mark marks[MFH_MAX_MEASURES + MFH_MAX_CHECKS];
    size_t nm = 0;
    for (size_t i = 0; i < s.nmeasures; i++)
      if (s.measure_marks[i].file) marks[nm++] = s.measure_marks[i];
    for (size_t i = 0; i < s.nchecks; i++)
      if (s.checks[i].measure_mark.file && s.checks[i].measure_mark.line != s.checks[i].mark.line)
        marks[nm++] = s.checks[i].measure_mark;
    mfh_study_free(&s);
    for (size_t i = 0; i < nm; i++) {
      char *bad = mutate(text, marks[i].line, marks[i].col, "Qz");
      int rc = load_variant(files.v[f], bad, &err);
      ck_assert_msg(rc == MFH_EINPUT, "%s:%d:%d: a misspelled measure was accepted", files.v[f], marks[i].line,
                    marks[i].col);
      ck_assert_msg(err.line == marks[i].line, "%s:%d:%d: refused at line %d instead: %s", files.v[f], marks[i].line,
                    marks[i].col, err.line, err.msg);
      free(bad);
      tried++;
    }
    free(text);
  }
  ck_assert_uint_gt(tried, 100);
  for (size_t f = 0; f < files.n; f++) free(files.v[f]);
  free(files.v);
}
END_TEST

/* The two cases of the engines issue (validate ok, run failed). */
START_TEST(the_issue_cases_are_refused) {
  char path[1024];
  mfh_err err;
  snprintf(path, sizeof path, "%s/studies/coulomb/cep2-sheet-quantile.yaml", mfh_test_source_dir());
  char *text = slurp(path), *p = strstr(text, "\nmeasure:");
  ck_assert_ptr_nonnull(p);
  p = strstr(p, "N2P");
  ck_assert_ptr_nonnull(p);
  p[2] = 'Q'; /* the measure N2P renamed N2Q in measure: (the derive still makes N2P) */
  ck_assert_int_eq(load_variant(path, text, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "N2Q"), "%s", err.msg);
  free(text);
  snprintf(path, sizeof path, "%s/studies/classical/mf3-vlasov-1d.yaml", mfh_test_source_dir());
  text = slurp(path);
  /* the grid observable against a perturbed N-body copy, which has no grid */
  char *ref = strstr(text, "\nreference:");
  ck_assert_ptr_nonnull(ref);
  char *eol = strchr(ref + 1, '\n');
  size_t head = (size_t)(ref - text) + 1;
  char *v = malloc(strlen(text) + 128);
  memcpy(v, text, head);
  strcpy(v + head, "reference: {coupled: nbody, perturb: 0.001}");
  strcat(v, eol);
  ck_assert_int_eq(load_variant(path, v, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "phase_grid"), "%s", err.msg);
  free(v);
  free(text);
}
END_TEST

int main(void) {
  Suite *s = suite_create("study_mutations");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, every_measure_name_is_checked);
  tcase_add_test(tc, the_issue_cases_are_refused);
  suite_add_tcase(s, tc);
  return mfh_test_main(s);
}
