/* `mfh fit`: fit a convergence rate to two columns of a CSV file.
 *
 *   mfh fit FILE.csv --x COL --y COL [--yerr COL] [--model power|powerlog]
 *           [--refine up|down] [--exclude K] [--auto-exclude] [--level 0.95]
 *
 * The rows must run from coarse to fine; the report (model, points used,
 * slope with standard error and t interval, intercept and C, R^2, chi2/dof,
 * pairwise local orders, flags) goes to stdout, errors to stderr.  The fit
 * itself is mfh_fit_rate (core/fit.h). */
#ifndef MFH_CLI_CMD_FIT_H
#define MFH_CLI_CMD_FIT_H

/* CLI entry point; argv[0] is "fit".  Returns the process exit code: 0 on
 * success (also for --help), 2 for bad usage or input, 3 for I/O or memory
 * failures (mfh_status_exit_code). */
int mfh_cmd_fit(int argc, char **argv);

#endif
