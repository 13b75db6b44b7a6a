#define _GNU_SOURCE /* pipe2, O_CLOEXEC, nftw flags */
#include "core/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/fsutil.h"

extern char **environ;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- removing a folder ------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)ftw;
  return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 || errno == ENOENT ? 0 : -1;
}

int mfh_remove_tree(const char *path) {
  return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? MFH_OK : MFH_EIO;
}

/* ---- the child side: async-signal-safe only -------------------------- */

/* Write a constant message (no formatting: not async-signal-safe). */
static void say(int fd, const char *a, const char *b) {
  ssize_t r = write(fd, a, strlen(a));
  if (b) r = write(fd, b, strlen(b));
  r = write(fd, "\n", 1);
  (void)r;
}

/* Close every descriptor from `from` up, but the (ascending) ones in keep. */
static void close_others(int from, const int *keep, int nkeep) {
  for (int k = 0; k <= nkeep; k++) {
    unsigned lo = (unsigned)from, hi = k < nkeep ? (unsigned)keep[k] - 1u : ~0u;
    if (k < nkeep && keep[k] < from) continue;
    if (lo <= hi) {
#ifdef SYS_close_range
      if (syscall(SYS_close_range, lo, hi, 0) != 0)
#endif
      {
        long max = sysconf(_SC_OPEN_MAX);
        if (max < 0 || max > 65536) max = 65536;
        for (long fd = (long)lo; fd <= (long)hi && fd < max; fd++) close((int)fd);
      }
    }
    if (k < nkeep) from = keep[k] + 1;
  }
}

typedef struct child_args {
  const char *path;   /* resolved program */
  char *const *argv;
  char *const *envp;
  const char *cwd;
  const char *tmpdir; /* removed by the supervisor if mfh dies */
  int out_w, err_w, life_r, stat_w;
} child_args;

/* The supervisor: starts the program in a new process group, reports its pid
 * and then its wait status on stat_w, and kills the group (and removes the
 * private folder) if the life line from mfh closes first. */
static void supervise(const child_args *a) {
  setpgid(0, 0); /* out of mfh's group: a signal to mfh's group spares it */
  struct sigaction ign, dfl;
  memset(&ign, 0, sizeof ign);
  memset(&dfl, 0, sizeof dfl);
  ign.sa_handler = SIG_IGN;
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGINT, &ign, NULL);
  sigaction(SIGTERM, &ign, NULL);
  sigaction(SIGHUP, &ign, NULL);
  sigaction(SIGPIPE, &ign, NULL);
  int keep[4] = {a->out_w, a->err_w, a->life_r, a->stat_w};
  for (int i = 1; i < 4; i++) /* ascending, for close_others */
    for (int j = i; j > 0 && keep[j] < keep[j - 1]; j--) {
      int t = keep[j];
      keep[j] = keep[j - 1];
      keep[j - 1] = t;
    }
  close_others(3, keep, 4);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);

  pid_t g = fork();
  if (g == 0) {
    setpgid(0, 0);
    sigaction(SIGINT, &dfl, NULL);
    sigaction(SIGTERM, &dfl, NULL);
    sigaction(SIGHUP, &dfl, NULL);
    sigaction(SIGPIPE, &dfl, NULL);
    int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, 0) < 0 || dup2(a->out_w, 1) < 0 || dup2(a->err_w, 2) < 0) _exit(126);
    close_others(3, NULL, 0);
    if (a->cwd && chdir(a->cwd) != 0) {
      say(2, "mfh: cannot enter the folder ", a->cwd);
      _exit(126);
    }
    execve(a->path, a->argv, a->envp);
    say(2, "mfh: cannot run ", a->path);
    _exit(127);
  }
  if (g < 0) {
    int v = -1;
    if (write(a->stat_w, &v, sizeof v) < 0) _exit(1);
    _exit(1);
  }
  setpgid(g, g); /* also here: no window in which mfh would signal the wrong group */
  int gi = (int)g;
  if (write(a->stat_w, &gi, sizeof gi) < 0) { /* mfh is gone: the life line says so below */
  }
  close(a->out_w);
  close(a->err_w);
  /* wait for the program or for the life line to close, whichever first: a
   * pidfd is readable when the program ends (Linux >= 5.3); without one,
   * look every 20 ms */
  int pfd = -1;
#ifdef SYS_pidfd_open
  pfd = (int)syscall(SYS_pidfd_open, g, 0);
#endif
  for (;;) {
    int st;
    if (waitpid(g, &st, WNOHANG) == g) {
      if (write(a->stat_w, &st, sizeof st) < 0) _exit(1);
      _exit(0);
    }
    struct pollfd p[2] = {{a->life_r, POLLIN, 0}, {pfd, POLLIN, 0}};
    int r = poll(p, pfd >= 0 ? 2 : 1, pfd >= 0 ? -1 : 20);
    if (r > 0 && p[0].revents) {
      /* mfh closed the line (it died, or gave up on the program) */
      kill(-g, SIGKILL);
      waitpid(g, &st, 0);
      if (a->tmpdir) {
        char *const rm[] = {"rm", "-rf", "--", (char *)a->tmpdir, NULL};
        char *const env[] = {"PATH=/usr/bin:/bin", NULL};
        execve("/bin/rm", rm, env);
      }
      _exit(1);
    }
  }
}

/* ---- the mfh side -------------------------------------------------------- */

/* 1 if the entry "NAME=..." sets a variable that one of the NULL-terminated
 * entries in set sets too. */
static int env_replaced(const char *entry, const char *const *set) {
  size_t len = strcspn(entry, "=");
  for (size_t i = 0; set && set[i]; i++)
    if (!strncmp(entry, set[i], len) && set[i][len] == '=') return 1;
  return 0;
}

/* environ with TMPDIR and MFH_TASK_DIR replaced when tmpdir is set and the
 * entries of add (replacing inherited ones); the array is malloc'd, the
 * strings in it are environ's, add's or the two in extra. */
static char **make_env(const char *tmpdir, const char *const *add, char *extra[2]) {
  size_t n = 0, na = 0;
  while (environ && environ[n]) n++;
  while (add && add[na]) na++;
  char **env = malloc((n + na + 3) * sizeof *env);
  if (!env) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (tmpdir && (!strncmp(environ[i], "TMPDIR=", 7) || !strncmp(environ[i], "MFH_TASK_DIR=", 13))) continue;
    if (env_replaced(environ[i], add)) continue;
    env[k++] = environ[i];
  }
  for (size_t i = 0; i < na; i++)
    if (!tmpdir || (strncmp(add[i], "TMPDIR=", 7) && strncmp(add[i], "MFH_TASK_DIR=", 13))) env[k++] = (char *)add[i];
  if (tmpdir) {
    size_t len = strlen(tmpdir) + 16;
    extra[0] = malloc(len);
    extra[1] = malloc(len);
    if (!extra[0] || !extra[1]) {
      free(env);
      return NULL;
    }
    snprintf(extra[0], len, "TMPDIR=%s", tmpdir);
    snprintf(extra[1], len, "MFH_TASK_DIR=%s", tmpdir);
    env[k++] = extra[0];
    env[k++] = extra[1];
  }
  env[k] = NULL;
  return env;
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

static int read_full(int fd, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char *)buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

int mfh_proc_tmpdir(char **path, mfh_err *err) {
  const char *base = getenv("TMPDIR");
  if (!base || base[0] != '/') base = "/tmp";
  size_t n = strlen(base) + 32;
  if (!(*path = malloc(n))) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  snprintf(*path, n, "%s/mfh-task-XXXXXX", base);
  if (!mkdtemp(*path)) {
    int e = errno;
    free(*path);
    *path = NULL;
    return mfh_err_set(err, MFH_EIO, "cannot create a temporary folder in %s: %s", base, strerror(e));
  }
  return MFH_OK;
}

int mfh_proc_run(const mfh_proc_spec *spec, mfh_proc_result *res, mfh_err *err) {
  memset(res, 0, sizeof *res);
  /* a folder handed over belongs to the result from here on, whatever happens */
  if (spec->private_tmp && spec->tmpdir && !(res->tmpdir = strdup(spec->tmpdir))) {
    mfh_remove_tree(spec->tmpdir);
    if ((res->out = malloc(1))) res->out[0] = '\0';
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  int pout[2] = {-1, -1}, perr[2] = {-1, -1}, plife[2] = {-1, -1}, pstat[2] = {-1, -1};
  char *path = NULL, **env = NULL, *extra[2] = {NULL, NULL};
  size_t cap = 0;
  int rc = MFH_OK;
  if (!spec->argv || !spec->argv[0]) return mfh_err_set(err, MFH_EINTERNAL, "no program to run");
  if (!(path = mfh_find_program(spec->argv[0]))) {
    rc = mfh_err_set(err, MFH_EEXTERNAL, "cannot run %s: not found or not executable", spec->argv[0]);
    goto out;
  }
  if (spec->private_tmp && !res->tmpdir && (rc = mfh_proc_tmpdir(&res->tmpdir, err))) goto out;
  if (!(env = make_env(res->tmpdir, spec->env, extra))) goto nomem;
  cap = spec->max_output < 4096 ? spec->max_output + 1 : 4096;
  if (!(res->out = malloc(cap))) goto nomem;
  res->out[0] = '\0';
  if (pipe2(pout, O_CLOEXEC) || pipe2(perr, O_CLOEXEC) || pipe2(plife, O_CLOEXEC) || pipe2(pstat, O_CLOEXEC)) {
    rc = mfh_err_set(err, MFH_EIO, "cannot create a pipe: %s", strerror(errno));
    goto out;
  }
  child_args ca = {path, (char *const *)spec->argv, env, spec->cwd, res->tmpdir,
                   pout[1], perr[1], plife[0], pstat[1]};
  pid_t sup = fork();
  if (sup < 0) {
    rc = mfh_err_set(err, MFH_EEXTERNAL, "cannot start %s: %s", spec->argv[0], strerror(errno));
    goto out;
  }
  if (sup == 0) {
    supervise(&ca);
    _exit(1);
  }
  close_fd(&pout[1]);
  close_fd(&perr[1]);
  close_fd(&plife[0]);
  close_fd(&pstat[1]);
  int g = -1;
  if (read_full(pstat[0], &g, sizeof g) || g <= 0) {
    rc = mfh_err_set(err, MFH_EEXTERNAL, "cannot start %s", spec->argv[0]);
    close_fd(&plife[1]);
    waitpid(sup, NULL, 0);
    goto out;
  }
  /* collect output until both streams end and the status is known */
  double t0 = now_s(), kill_at = 0, ended_at = 0;
  int stage = 0, have_status = 0, status = 0;
  char tail[2 * MFH_PROC_TAIL];
  size_t tail_len = 0;
  for (;;) {
    int stop_reason = 0;
    if (spec->interrupt && *spec->interrupt && !res->interrupted) res->interrupted = stop_reason = 1;
    if (spec->timeout_s > 0 && !res->timed_out && now_s() - t0 > spec->timeout_s) res->timed_out = stop_reason = 1;
    if (stop_reason && stage == 0) {
      kill(-g, SIGTERM);
      stage = 1;
      kill_at = now_s();
    }
    if (stage == 1 && now_s() - kill_at > 1.0) {
      kill(-g, SIGKILL);
      stage = 2;
      kill_at = now_s();
    }
    if (stage == 2 && now_s() - kill_at > 2.0) break; /* a descendant escaped the group: stop reading */
    /* the program has ended but something it started still holds its
     * output: one second, then the rest of its group goes too */
    if (have_status && stage == 0 && (pout[0] >= 0 || perr[0] >= 0)) {
      if (ended_at == 0) ended_at = now_s();
      if (now_s() - ended_at > 1.0) {
        kill(-g, SIGKILL);
        stage = 2;
        kill_at = now_s();
      }
    }
    if (pout[0] < 0 && perr[0] < 0 && have_status) break;
    struct pollfd p[3] = {{pout[0], POLLIN, 0}, {perr[0], POLLIN, 0}, {pstat[0], POLLIN, 0}};
    int r = poll(p, 3, 100);
    if (r < 0 && errno != EINTR) {
      rc = mfh_err_set(err, MFH_EIO, "poll: %s", strerror(errno));
      kill(-g, SIGKILL);
      break;
    }
    if (r <= 0) continue;
    char buf[65536];
    if (p[0].revents) {
      ssize_t got = read(pout[0], buf, sizeof buf);
      if (got <= 0 && !(got < 0 && errno == EINTR)) {
        close_fd(&pout[0]);
      } else if (got > 0 && !res->flooded) {
        size_t g2 = (size_t)got;
        if (res->out_len + g2 > spec->max_output) {
          res->flooded = 1;
          if (stage == 0) {
            kill(-g, SIGTERM);
            stage = 1;
            kill_at = now_s();
          }
        } else {
          if (res->out_len + g2 + 1 > cap) {
            size_t nc = cap;
            while (res->out_len + g2 + 1 > nc) nc *= 2;
            if (nc > spec->max_output + 1) nc = spec->max_output + 1;
            char *nb = realloc(res->out, nc);
            if (!nb) {
              rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
              kill(-g, SIGKILL);
              stage = 2;
              kill_at = now_s();
              continue;
            }
            res->out = nb;
            cap = nc;
          }
          memcpy(res->out + res->out_len, buf, g2);
          res->out_len += g2;
          res->out[res->out_len] = '\0';
        }
      }
    }
    if (p[1].revents) {
      ssize_t got = read(perr[0], buf, sizeof buf);
      if (got <= 0 && !(got < 0 && errno == EINTR)) {
        close_fd(&perr[0]);
      } else if (got > 0) {
        size_t g2 = (size_t)got;
        const char *src = buf;
        if (g2 > MFH_PROC_TAIL) {
          src += g2 - MFH_PROC_TAIL;
          g2 = MFH_PROC_TAIL;
        }
        if (tail_len + g2 > sizeof tail) {
          size_t keep = MFH_PROC_TAIL - g2;
          memmove(tail, tail + tail_len - keep, keep);
          tail_len = keep;
        }
        memcpy(tail + tail_len, src, g2);
        tail_len += g2;
      }
    }
    if (p[2].revents && !have_status) {
      if (read_full(pstat[0], &status, sizeof status) == 0)
        have_status = 1;
      else {
        close_fd(&pstat[0]);
        have_status = 2; /* the supervisor died: no status */
      }
    }
  }
  close_fd(&pout[0]);
  close_fd(&perr[0]);
  if (!have_status) {
    /* still running after SIGKILL (a descendant keeps the pipes): close the
     * life line so the supervisor kills the group, then take its word */
    kill(-g, SIGKILL);
    if (pstat[0] >= 0 && read_full(pstat[0], &status, sizeof status) == 0) have_status = 1;
  }
  close_fd(&plife[1]);
  waitpid(sup, NULL, 0);
  size_t from = tail_len > MFH_PROC_TAIL ? tail_len - MFH_PROC_TAIL : 0;
  memcpy(res->err_tail, tail + from, tail_len - from);
  res->err_tail[tail_len - from] = '\0';
  if (have_status == 1) {
    res->exited = WIFEXITED(status);
    res->code = res->exited ? WEXITSTATUS(status) : -1;
    res->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  if (rc) goto out;
  if (res->interrupted)
    rc = mfh_err_set(err, MFH_EINTERRUPT, "%s: stopped (mfh was interrupted)", spec->argv[0]);
  else if (res->timed_out)
    rc = mfh_err_set(err, MFH_EEXTERNAL, "timed out after %g s and was stopped", spec->timeout_s);
  else if (res->flooded)
    rc = mfh_err_set(err, MFH_EEXTERNAL, "printed more than %zu bytes and was stopped", spec->max_output);
  else if (have_status != 1)
    rc = mfh_err_set(err, MFH_EEXTERNAL, "lost track of %s", spec->argv[0]);
  goto out;
nomem:
  rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
out:
  close_fd(&pout[0]);
  close_fd(&pout[1]);
  close_fd(&perr[0]);
  close_fd(&perr[1]);
  close_fd(&plife[0]);
  close_fd(&plife[1]);
  close_fd(&pstat[0]);
  close_fd(&pstat[1]);
  free(path);
  free(env);
  free(extra[0]);
  free(extra[1]);
  if (!res->out && (res->out = malloc(1))) res->out[0] = '\0';
  return rc;
}

void mfh_proc_result_free(mfh_proc_result *res) {
  if (!res) return;
  free(res->out);
  if (res->tmpdir) mfh_remove_tree(res->tmpdir);
  free(res->tmpdir);
  res->out = res->tmpdir = NULL;
  res->out_len = 0;
}

/* ---- command templates ------------------------------------------------- */

typedef struct sbuf {
  char *s;
  size_t n, cap;
} sbuf;

static int sb_add(sbuf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = (b->n + n + 1) * 2;
    char *ns = realloc(b->s, cap);
    if (!ns) return MFH_ENOMEM;
    b->s = ns;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
  return MFH_OK;
}

/* 'value' with every ' written as '\'' (POSIX sh: nothing is special inside
 * single quotes, so the value is one word whatever it holds). */
static int sb_quoted(sbuf *b, const char *v) {
  int rc = sb_add(b, "'", 1);
  for (const char *q = v; !rc && *q; q++) rc = *q == '\'' ? sb_add(b, "'\\''", 4) : sb_add(b, q, 1);
  if (!rc) rc = sb_add(b, "'", 1);
  return rc;
}

int mfh_cmd_expand(const char *tmpl, mfh_cmd_lookup_fn lookup, void *ctx, char **out, mfh_err *err) {
  *out = NULL;
  sbuf b = {0};
  int rc = sb_add(&b, "", 0);
  enum { BARE, SQUOTE, DQUOTE } q = BARE;
  for (size_t i = 0; !rc && tmpl[i]; i++) {
    char c = tmpl[i];
    size_t col = i + 1;
    if (c == '{' && tmpl[i + 1] == '{') {
      rc = sb_add(&b, "{", 1);
      i++;
      continue;
    }
    if (c == '}' && tmpl[i + 1] == '}') {
      rc = sb_add(&b, "}", 1);
      i++;
      continue;
    }
    if (c == '}') {
      rc = mfh_err_set(err, MFH_EINPUT, "column %zu: a lone '}' (write }} for a literal brace)", col);
      break;
    }
    if (c == '{') {
      const char *close = strchr(tmpl + i + 1, '}');
      if (!close) {
        rc = mfh_err_set(err, MFH_EINPUT, "column %zu: '{' without '}' (write {{ for a literal brace)", col);
        break;
      }
      size_t len = (size_t)(close - (tmpl + i + 1));
      char *name = strndup(tmpl + i + 1, len);
      if (!name) {
        rc = MFH_ENOMEM;
        break;
      }
      int okname = len > 0 && (name[0] == '_' || (name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z'));
      for (size_t k = 1; okname && k < len; k++)
        okname = name[k] == '_' || (name[k] >= 'A' && name[k] <= 'Z') || (name[k] >= 'a' && name[k] <= 'z') ||
                 (name[k] >= '0' && name[k] <= '9');
      if (!okname) {
        rc = mfh_err_set(err, MFH_EINPUT,
                         "column %zu: {%.60s} is not a parameter name (write {{ and }} for literal braces)", col, name);
      } else if (q != BARE) {
        rc = mfh_err_set(err, MFH_EINPUT,
                         "column %zu: {%s} is inside %s quotes; write it bare: mfh quotes every substituted value "
                         "itself ({{ and }} are literal braces)",
                         col, name, q == SQUOTE ? "single" : "double");
      } else {
        char *val = NULL;
        int lr = lookup(name, &val, ctx);
        if (lr == MFH_EINPUT)
          rc = mfh_err_set(err, MFH_EINPUT, "{%s} is not a parameter of this study", name);
        else if (lr)
          rc = mfh_err_set(err, lr, "cannot substitute {%s}", name);
        else
          rc = sb_quoted(&b, val);
        free(val);
      }
      free(name);
      i += len + 1;
      continue;
    }
    /* track the template's own quoting */
    if (q == BARE && c == '\\' && tmpl[i + 1]) {
      rc = sb_add(&b, tmpl + i, 2);
      i++;
      continue;
    }
    if (q == DQUOTE && c == '\\' && tmpl[i + 1]) {
      rc = sb_add(&b, tmpl + i, 2);
      i++;
      continue;
    }
    if (q == BARE && c == '\'') q = SQUOTE;
    else if (q == SQUOTE && c == '\'') q = BARE;
    else if (q == BARE && c == '"') q = DQUOTE;
    else if (q == DQUOTE && c == '"') q = BARE;
    rc = sb_add(&b, &c, 1);
  }
  if (!rc && q != BARE) rc = mfh_err_set(err, MFH_EINPUT, "unterminated %s quote", q == SQUOTE ? "single" : "double");
  if (rc == MFH_ENOMEM) mfh_err_set(err, MFH_ENOMEM, "out of memory");
  if (rc) {
    free(b.s);
    return rc;
  }
  *out = b.s;
  return MFH_OK;
}
