/* Running the external gnuplot program on a study's plot.gp, or another
 * script of a report folder (report/gnuplot.h). */
#include "report/gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "report/sbuf.h"


static int rename_in(const char *dir, const char *from, const char *to, mfh_err *err) {
  char *a = mfh_path_join(dir, from), *b = mfh_path_join(dir, to);
  int rc = MFH_OK;
  if (!a || !b)
    rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  else if (rename(a, b) != 0)
    rc = mfh_err_set(err, MFH_EIO, "cannot rename %s to %s: %s", a, b, strerror(errno));
  free(a);
  free(b);
  return rc;
}

/* Run `prog -e "outbase='...'" NAME.gp` in dir (exe: its absolute path),
 * with stdout and stderr captured; then move the images into place as
 * NAME.png and NAME.svg. */
static int run_gnuplot(const char *exe, const char *prog, const char *dir, const char *name, mfh_err *err) {
  char outbase[64], setvar[96], png[80], svg[80], script[96], final_png[96], final_svg[96];
  snprintf(script, sizeof script, "%.80s.gp", name);
  snprintf(final_png, sizeof final_png, "%.80s.png", name);
  snprintf(final_svg, sizeof final_svg, "%.80s.svg", name);
  snprintf(outbase, sizeof outbase, ".plot-tmp-%ld", (long)getpid());
  snprintf(setvar, sizeof setvar, "outbase='%s'", outbase);
  snprintf(png, sizeof png, "%s.png", outbase);
  snprintf(svg, sizeof svg, "%s.svg", outbase);
  int fds[2];
  if (pipe(fds) != 0)
    return mfh_err_set(err, MFH_EEXTERNAL, "cannot run %s: %s", prog, strerror(errno));
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  char *const argv[] = {(char *)prog, (char *)"-e", setvar, script, NULL};
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(fds[0]);
    close(fds[1]);
    return mfh_err_set(err, MFH_EEXTERNAL, "cannot run %s: %s", prog, strerror(e));
  }
  if (pid == 0) { /* child: only async-signal-safe calls */
    int nul = open("/dev/null", O_RDONLY);
    if (nul >= 0) dup2(nul, 0);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    if (chdir(dir) != 0) _exit(126);
    execv(exe, argv);
    _exit(127);
  }
  close(fds[1]);
  char out[4096]; /* the last 4095 bytes of its output (errors come last) */
  size_t len = 0;
  for (;;) {
    char chunk[1024];
    ssize_t got = read(fds[0], chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    size_t g = (size_t)got;
    if (len + g > sizeof out - 1) {
      size_t drop = len + g - (sizeof out - 1);
      memmove(out, out + drop, len - drop);
      len -= drop;
    }
    memcpy(out + len, chunk, g);
    len += g;
  }
  out[len] = '\0';
  close(fds[0]);
  int st = 0, waited = 1, wait_errno = 0;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) {
      waited = 0;
      wait_errno = errno;
      break;
    }
  int ok = waited && WIFEXITED(st) && WEXITSTATUS(st) == 0;
  if (ok && mfh_report_nonempty(dir, png) && mfh_report_nonempty(dir, svg)) {
    int rc = rename_in(dir, png, final_png, err);
    if (!rc) rc = rename_in(dir, svg, final_svg, err);
    if (rc) {
      mfh_report_remove(dir, png);
      mfh_report_remove(dir, svg);
    }
    return rc;
  }
  mfh_report_remove(dir, png);
  mfh_report_remove(dir, svg);
  /* one line: the captured output with newlines folded, trimmed */
  for (size_t i = 0; i < len; i++)
    if (out[i] == '\n' || out[i] == '\r' || out[i] == '\t') out[i] = ' ';
  while (len && out[len - 1] == ' ') out[--len] = '\0';
  const char *msg = out;
  while (*msg == ' ') msg++;
  if (len > 700) msg = out + len - 700;
  if (ok)
    return mfh_err_set(err, MFH_EEXTERNAL, "%s ran on %s/%s but wrote no images: %s", prog, dir, script,
                       msg[0] ? msg : "(no output)");
  if (!waited)
    return mfh_err_set(err, MFH_EEXTERNAL, "%s on %s/%s: cannot get its exit status: %s", prog, dir, script,
                       strerror(wait_errno));
  if (WIFEXITED(st))
    return mfh_err_set(err, MFH_EEXTERNAL, "%s failed on %s/%s (exit status %d): %s", prog, dir, script,
                       WEXITSTATUS(st), msg[0] ? msg : "(no output)");
  return mfh_err_set(err, MFH_EEXTERNAL, "%s failed on %s/%s (killed by signal %d): %s", prog, dir, script,
                     WIFSIGNALED(st) ? WTERMSIG(st) : 0, msg[0] ? msg : "(no output)");
}

int mfh_gnuplot_render(const char *dir, const mfh_report_opts *o, int *rendered, mfh_err *err) {
  return mfh_gnuplot_render_as(dir, "plot", o, rendered, err);
}

/* Decide whether to render and do it.  *rendered = 1 on success. */
int mfh_gnuplot_render_as(const char *dir, const char *name, const mfh_report_opts *o, int *rendered,
                          mfh_err *err) {
  *rendered = 0;
  if (o->render <= 0) return MFH_OK;
  const char *prog = o->gnuplot ? o->gnuplot : "gnuplot";
  char *exe = mfh_find_program(prog);
  if (!exe) {
    if (o->render >= 2)
      return mfh_err_set(err, MFH_EEXTERNAL,
                         "gnuplot not found: '%s' is not an executable program%s", prog,
                         strchr(prog, '/') ? "" : " in PATH");
    if (!o->gnuplot_warned || !*o->gnuplot_warned) {
      if (o->warn)
        fprintf(o->warn,
                "mfh: warning: gnuplot ('%s') not found; reports get plot.gp and data files "
                "but no images\n",
                prog);
      if (o->gnuplot_warned) *o->gnuplot_warned = 1;
    }
    return MFH_OK;
  }
  int rc = run_gnuplot(exe, prog, dir, name, err);
  free(exe);
  if (!rc) *rendered = 1;
  return rc;
}
