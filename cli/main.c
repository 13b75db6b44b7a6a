/* mfh: the command-line driver.  One table of commands; each command lives
 * in its own file (cli/cmd_*.c) and shares cli/common.c.  main() only
 * dispatches, so `mfh COMMAND` is found by reading one table. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd_fit.h"
#include "cli/cmd_metric.h"
#include "cli/common.h"

typedef struct command {
  const char *name;
  const char *usage; /* what `mfh --help` shows */
  int (*fn)(int argc, char **argv);
} command;

static const command commands[] = {
    {"run", "run PATH...        run studies, fit rates, judge checks, write reports", mfh_cli_cmd_run},
    {"validate", "validate PATH...   check study files without running", mfh_cli_cmd_validate},
    {"list", "list [WHAT]        engines, kinds, observables, metrics, bounds, checks, studies", mfh_cli_cmd_list},
    {"report", "report RUNDIR...   re-render reports from stored results (merges shards)", mfh_cli_cmd_report},
    {"submit", "submit PATH...     run studies as a Slurm job array of shards and a report job", mfh_cli_cmd_submit},
    {"history", "history FILE       trend plots and drift flags from a history database (run --history)", mfh_cli_cmd_history},
    {"bless", "bless STUDY...     write current results into expected/ (regression baseline)", mfh_cli_cmd_bless},
    {"metric", "metric NAME A B    Wasserstein distance between two CSV point clouds", mfh_cmd_metric},
    {"fit", "fit FILE.csv       fit a convergence rate with its confidence interval", mfh_cmd_fit},
};

static void help(FILE *out) {
  fprintf(out,
          "mfh %s - mean-field harness: checks quantitative mean-field and classical-limit theorems\n"
          "\n"
          "usage: mfh COMMAND [ARGS]   (mfh COMMAND --help for details)\n",
          MFH_VERSION);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) fprintf(out, "  %s\n", commands[i].usage);
  fprintf(out, "  --version          print the version\n");
}

int main(int argc, char **argv) {
  mfh_gsl_quiet();
  if (argc < 2) {
    help(stderr);
    return 2;
  }
  const char *c = argv[1];
  if (!strcmp(c, "--version") || !strcmp(c, "version")) {
    printf("mfh %s\n", MFH_VERSION);
    return 0;
  }
  if (!strcmp(c, "--help") || !strcmp(c, "-h") || !strcmp(c, "help")) {
    help(stdout);
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(c, commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "mfh: unknown command '%s'\n\n", c);
  help(stderr);
  return 2;
}
