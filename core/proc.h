/* Running external programs under limits: the user's program of the engine
 * `command` (engines/command/), which may also write state files.
 *
 * mfh_proc_run starts a program without a shell (argv as given; run a shell
 * explicitly as {"/bin/sh", "-c", text} - mfh_cmd_expand makes such text
 * safe), in a folder, with /dev/null as input, and
 *   - a wall-time limit: at the limit its process group gets SIGTERM, and
 *     SIGKILL one second later;
 *   - bounded output: standard output is kept up to a byte limit (beyond it
 *     the program is stopped the same way: a flood never exhausts memory);
 *     of standard error only the last MFH_PROC_TAIL bytes are kept;
 *   - a stop flag (the harness's SIGINT/SIGTERM flag): when it is set the
 *     program is stopped at once;
 *   - an optional private temporary folder (TMPDIR and MFH_TASK_DIR point
 *     there), removed with the result: a fresh one, or one the caller made
 *     beforehand with mfh_proc_tmpdir (to put input files in it and name it
 *     in the command line);
 *   - optional extra environment variables.
 * The program runs in its own process group under a small supervisor
 * process that holds a pipe from mfh: if mfh dies, even by kill -9, the pipe
 * closes and the supervisor kills the program's whole group and removes the
 * private folder, so nothing is left running or lying around.  Between
 * fork and exec only async-signal-safe calls are made (mfh is threaded). */
#ifndef MFH_CORE_PROC_H
#define MFH_CORE_PROC_H

#include <signal.h>
#include <stddef.h>

#include "core/status.h"

#define MFH_PROC_TAIL 2048 /* bytes of standard error kept (the last ones) */

typedef struct mfh_proc_spec {
  const char *const *argv;          /* program (a path, or a name searched in PATH) and arguments */
  const char *cwd;                  /* folder to run in (NULL: the current one) */
  double timeout_s;                 /* wall-time limit in seconds (<= 0: none) */
  size_t max_output;                /* standard output bytes allowed (0: none allowed) */
  int private_tmp;                  /* 1: a fresh TMPDIR, removed by mfh_proc_result_free */
  volatile sig_atomic_t *interrupt; /* stop the program when this becomes non-zero; may be NULL */
  /* with private_tmp: this folder (from mfh_proc_tmpdir) instead of a fresh
   * one; it then belongs to the result (removed by mfh_proc_result_free, or
   * by the supervisor if mfh dies), also when the run fails.  NULL: fresh. */
  const char *tmpdir;
  /* extra "NAME=value" entries, NULL-terminated, replacing inherited
   * variables of the same name; NULL: none */
  const char *const *env;
} mfh_proc_spec;

typedef struct mfh_proc_result {
  char *out;                       /* standard output, NUL-terminated (malloc'd) */
  size_t out_len;
  char err_tail[MFH_PROC_TAIL + 1]; /* the end of standard error, NUL-terminated */
  int exited, code;                /* exited normally with this status */
  int signal;                      /* killed by this signal (0 if exited) */
  int timed_out, flooded, interrupted;
  char *tmpdir;                    /* the private folder (NULL without one) */
} mfh_proc_result;

/* Run spec's program to its end (or until a limit stops it).  Returns 0
 * when it ran to its end whatever its exit status (res says how it ended),
 * MFH_EEXTERNAL when it could not be started, ran out of time or printed too
 * much (the message says which), MFH_EINTERRUPT when the stop flag stopped
 * it, MFH_ENOMEM, MFH_EIO.  res is filled in every case; free it with
 * mfh_proc_result_free. */
int mfh_proc_run(const mfh_proc_spec *spec, mfh_proc_result *res, mfh_err *err);
/* Make a private folder for a program ($TMPDIR/mfh-task-XXXXXX, or /tmp)
 * before running it: *path is malloc'd.  Hand it to mfh_proc_run through
 * spec.tmpdir, or remove it with mfh_remove_tree.  0 or MFH_EIO, MFH_ENOMEM. */
int mfh_proc_tmpdir(char **path, mfh_err *err);
/* Free the output and remove the private folder.  Accepts a zeroed struct. */
void mfh_proc_result_free(mfh_proc_result *res);
/* Remove a folder and everything below it (symbolic links are not followed). */
int mfh_remove_tree(const char *path);

/* Command templates for `sh -c`.  {name} is replaced by the value lookup()
 * returns for name, single-quoted for the shell ('it'\''s'), so a value is
 * always exactly one word and never shell syntax; {{ and }} are literal
 * braces.  A placeholder inside quotes ('..{x}..' or ".."{x}"..") is refused,
 * since mfh already quotes it, and so are an unmatched brace and a name that
 * is not [A-Za-z_][A-Za-z0-9_]*.  lookup returns 0 with a malloc'd value, or
 * MFH_EINPUT for a name it does not know (*out is then NULL).  Errors are
 * MFH_EINPUT with the column in the message; *out is malloc'd. */
typedef int (*mfh_cmd_lookup_fn)(const char *name, char **value, void *ctx);
int mfh_cmd_expand(const char *tmpl, mfh_cmd_lookup_fn lookup, void *ctx, char **out, mfh_err *err);

#endif
