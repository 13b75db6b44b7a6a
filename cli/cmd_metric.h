/* `mfh metric`: exact Wasserstein distance between two CSV point clouds.
 *
 *   mfh metric w1|w2|wp A.csv B.csv [--p P] [--weights] [--help]
 *
 * One point per row; every column is a coordinate, except with --weights,
 * where the last column is the point's weight (normalised to sum 1).
 * Prints W_p (not W_p^p) with %.17g on stdout.  The metric names and their
 * exponents come from the registry (core/plugin.h); the distance is
 * mfh_wasserstein_pp (metrics/wasserstein.h). */
#ifndef MFH_CLI_CMD_METRIC_H
#define MFH_CLI_CMD_METRIC_H

/* CLI entry point; argv[0] is "metric".  Returns the process exit code: 0 on
 * success (also for --help), 2 for bad usage or input (unknown metric,
 * missing --p, CSV errors as file:line:col, dimension mismatch, bad
 * weights), 3 for other failures (memory, solver) - mfh_status_exit_code.
 * Errors go to stderr through mfh_err_print. */
int mfh_cmd_metric(int argc, char **argv);

#endif
