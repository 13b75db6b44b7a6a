/* `mfh validate`: load every study under every profile, run nothing. */
#include "cli/common.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/fsutil.h"
#include "pipeline/exec.h"
#include "pipeline/plan.h"
#include "pipeline/registry.h"
#include "pipeline/verdict.h"

int mfh_cli_cmd_validate(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: mfh validate PATH...\nCheck study files (every profile) without running anything.\n"
             "Exit 0 when all are valid, 2 otherwise (each error as file:line:col: message).\n");
      return 0;
    }
  int worst = 0;
  for (size_t p = 0; mfh_profiles[p]; p++) {
    mfh_cli_opts o;
    int rc = mfh_cli_parse_opts("validate", argc, argv, &o, "");
    if (rc) return rc;
    o.profile = mfh_profiles[p];
    o.jobs = 1; /* can it run at all: one task at a time */
    mfh_loaded *ls;
    size_t n;
    rc = mfh_cli_load_all("validate", &o, &ls, &n);
    if (rc && !worst) worst = rc;
    if (!rc)
      for (size_t i = 0; i < n; i++) {
        char est[256];
        mfh_estimate_format(&ls[i].estimate, est, sizeof est);
        if (p == 0) printf("%s: ok (%s, %s)\n", ls[i].study.file, ls[i].study.id, ls[i].study.theorem);
        printf("%s [%s]: %s\n", ls[i].study.file, mfh_profiles[p], est);
      }
    mfh_cli_free_loaded(ls, n);
    mfh_cli_sl_free(&o.paths);
    if (rc) break; /* the same error would repeat for every profile */
  }
  return worst;
}

