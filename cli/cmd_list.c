/* `mfh list`: what exists (plug-ins with their parameter tables, studies). */
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
#include "core/kinds.h"
#include "pipeline/exec.h"
#include "pipeline/plan.h"
#include "pipeline/registry.h"
#include "pipeline/verdict.h"

int mfh_cli_cmd_list(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "all";
  if (!strcmp(what, "--help") || !strcmp(what, "-h")) {
    printf("usage: mfh list [engines|observables|kinds|metrics|bounds|checks|studies [PATH]]\n"
           "Print what exists: engines with their parameter tables and what they produce, observables\n"
           "with what they read and give, the state kinds, checks with their settings.\n");
    return 0;
  }
  int all = !strcmp(what, "all"), any = 0;
  if (all || !strcmp(what, "engines")) {
    any = 1;
    printf("engines (system: ENGINE, reference: {coupled: ENGINE} / {engine: ENGINE}):\n");
    for (size_t i = 0; mfh_engines[i]; i++) {
      const mfh_engine_type *e = mfh_engines[i];
      printf("  %s (v%d): %s\n    method: %s\n", e->name, e->version, e->doc, e->method);
      if (e->starts_from) printf("    can start from another engine's: %s\n", e->starts_from);
      mfh_params dp = {0};
      mfh_err derr;
      mfh_err_clear(&derr);
      int ok = 1;
      for (size_t k = 0; ok && k < e->nparams; k++) {
        if (!e->params[k].def) {
          ok = 0;
          break;
        }
        mfh_param_val v;
        mfh_mark none = {0};
        if (mfh_param_parse(&e->params[k], e->params[k].def, none, e->params[k].name, &v, &derr)) ok = 0;
        else if (mfh_params_put(&dp, &v)) ok = 0;
      }
      mfh_decl d = {0};
      if (ok && e->declare && !e->declare(&dp, &d, &derr)) {
        printf("    produces (with its defaults):");
        for (size_t k = 0; k < d.nitems; k++) printf(" %s:%s", d.item[k].name, d.item[k].kind->name);
        for (size_t k = 0; k < d.nscalars; k++) printf(" %s", d.scalar[k]);
        printf("\n");
      }
      mfh_params_free(&dp);
      for (size_t k = 0; k < e->nparams; k++) mfh_param_def_print(&e->params[k], stdout);
      if (e->open_params) printf("    (any further parameter may be given and swept)\n");
    }
  }
  if (all || !strcmp(what, "kinds")) {
    any = 1;
    printf("state kinds (what engines produce and observables read):\n");
    for (size_t i = 0; mfh_kinds[i]; i++)
      printf("  %-11s %s\n              %s\n", mfh_kinds[i]->name, mfh_kinds[i]->doc, mfh_kinds[i]->type);
  }
  if (all || !strcmp(what, "observables")) {
    any = 1;
    printf("observables (observable: NAME or {name: NAME, between: [A, B], params...}):\n");
    for (size_t i = 0; mfh_obs_types[i]; i++) {
      const mfh_observable_type *ob = mfh_obs_types[i];
      printf("  %s: %s\n    reads: %s\n    gives: %s\n", ob->name, ob->doc, ob->needs,
             strcmp(ob->outputs, "*") ? ob->outputs : "(the scalars of part a)");
      for (size_t k = 0; k < ob->nparams; k++) mfh_param_def_print(&ob->params[k], stdout);
    }
  }
  if (all || !strcmp(what, "metrics")) {
    any = 1;
    printf("metrics (mfh metric NAME A.csv B.csv):\n");
    for (size_t i = 0; mfh_metrics[i]; i++) printf("  %-4s %s\n", mfh_metrics[i]->name, mfh_metrics[i]->doc);
  }
  if (all || !strcmp(what, "bounds")) {
    any = 1;
    printf("bounds (checks: - bound: {name: NAME}):\n");
    for (size_t i = 0; mfh_bounds[i]; i++)
      printf("  %s: %s\n    needs: %s\n    source: %s\n", mfh_bounds[i]->name, mfh_bounds[i]->doc,
             mfh_bounds[i]->needs, mfh_bounds[i]->reference);
  }
  if (all || !strcmp(what, "checks")) {
    static const char *const kinds[] = {"real", "bool", "count", "text", "choice", "list"};
    any = 1;
    printf("checks (checks: - KIND: {settings}):\n");
    for (size_t i = 0; mfh_checks[i]; i++) {
      const mfh_check_type *t = mfh_checks[i];
      printf("  %s: passes when %s\n    example: - %s: %s\n", t->name, t->doc, t->name, t->example);
      if (t->axis)
        printf("    %-12s %-7s %-18s %s\n", "axis", "text", "(the one swept)", "the swept parameter judged");
      printf("    %-12s %-7s %-18s %s\n", "measure", "text", "(the first)",
             t->axis ? "the measure judged" : "the measure judged, along every axis");
      printf("    %-12s %-7s %-18s %s\n", "decided_at", "choice", "(quick; labelled: none)",
             "quick, nightly or full: the first profile expected to pass or fail it");
      for (size_t k = 0; k < t->nsettings; k++) {
        const mfh_check_setting *st = &t->settings[k];
        printf("    %-12s %-7s %-18s %s\n", st->name, kinds[st->kind],
               !st->def ? "(required)" : *st->def ? st->def : "(none)", st->doc);
      }
    }
  }
  if (all || !strcmp(what, "studies")) {
    any = 1;
    const char *dir = argc > 2 ? argv[2] : "studies";
    mfh_strlist files = {0};
    mfh_err err;
    mfh_err_clear(&err);
    printf("studies (%s):\n", dir);
    if (mfh_cli_collect(dir, &files, &err)) {
      if (!all) return mfh_cli_fail(&err);
      printf("  (none: %s)\n", err.msg);
    }
    for (size_t i = 0; i < files.n; i++) {
      mfh_study s;
      if (mfh_study_load(files.v[i], "quick", -1, &s, &err)) {
        printf("  %-28s INVALID: ", files.v[i]);
        mfh_err_print(&err, stdout);
        continue;
      }
      printf("  %-24s %-7s %s\n    %s\n", s.id, s.theorem, s.title, s.file);
      mfh_study_free(&s);
    }
    mfh_cli_sl_free(&files);
  }
  if (!any) return mfh_cli_usage_error("list", "unknown list '%s' (engines, observables, kinds, metrics, bounds, checks, studies)", what);
  return 0;
}

