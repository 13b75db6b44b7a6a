#define _GNU_SOURCE /* syncfs */
#include "core/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mfh_mkdirs(const char *path, mfh_err *err) {
  if (!path[0]) return mfh_err_set(err, MFH_EUSAGE, "an empty folder name");
  char *p = strdup(path);
  if (!p) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = '\0';
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
      int e = errno;
      mfh_err_set(err, MFH_EIO, "cannot create folder %s: %s", p, strerror(e));
      free(p);
      return MFH_EIO;
    }
    *s = '/';
  }
  int rc = MFH_OK;
  if (mkdir(p, 0777) != 0 && errno != EEXIST)
    rc = mfh_err_set(err, MFH_EIO, "cannot create folder %s: %s", p, strerror(errno));
  else if (!mfh_is_dir(p))
    rc = mfh_err_set(err, MFH_EIO, "%s exists and is not a folder", p);
  free(p);
  return rc;
}

int mfh_afile_open(mfh_afile *a, const char *path, mfh_err *err) {
  a->f = NULL;
  a->nosync = 0;
  a->path = strdup(path);
  size_t n = strlen(path) + 96;
  a->tmp = malloc(n);
  if (!a->path || !a->tmp) {
    free(a->path);
    free(a->tmp);
    a->path = a->tmp = NULL;
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  char host[64] = "";
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  host[sizeof host - 1] = '\0';
  snprintf(a->tmp, n, "%s.tmp.%s.%ld", path, host, (long)getpid());
  /* Several threads of one process may write different files: one path is
   * only ever written by one thread at a time.  Processes on several hosts
   * may write one path in a shared store (every shard writes run.json), and
   * containers often share pids (a Kubernetes pod's mfh may be pid 1
   * everywhere): the host name keeps their temporaries apart. */
  a->f = fopen(a->tmp, "wb");
  if (!a->f) {
    int e = errno;
    mfh_err_set(err, MFH_EIO, "cannot write %s: %s", path, strerror(e));
    free(a->path);
    free(a->tmp);
    a->path = a->tmp = NULL;
    return MFH_EIO;
  }
  return MFH_OK;
}

int mfh_afile_commit(mfh_afile *a, mfh_err *err) {
  int rc = MFH_OK;
  if (fflush(a->f) != 0 || ferror(a->f) || (!a->nosync && fsync(fileno(a->f)) != 0))
    rc = mfh_err_set(err, MFH_EIO, "cannot write %s: %s", a->path, strerror(errno));
  if (fclose(a->f) != 0 && rc == MFH_OK)
    rc = mfh_err_set(err, MFH_EIO, "cannot write %s: %s", a->path, strerror(errno));
  a->f = NULL;
  if (rc == MFH_OK && rename(a->tmp, a->path) != 0)
    rc = mfh_err_set(err, MFH_EIO, "cannot rename %s to %s: %s", a->tmp, a->path,
                     strerror(errno));
  if (rc != MFH_OK) remove(a->tmp);
  free(a->path);
  free(a->tmp);
  a->path = a->tmp = NULL;
  return rc;
}

void mfh_afile_abort(mfh_afile *a) {
  if (!a || !a->tmp) return;
  if (a->f) fclose(a->f);
  remove(a->tmp);
  free(a->path);
  free(a->tmp);
  a->f = NULL;
  a->path = a->tmp = NULL;
}

static int write_atomic(const char *path, const void *data, size_t len, int nosync, mfh_err *err) {
  mfh_afile a;
  int rc = mfh_afile_open(&a, path, err);
  if (rc) return rc;
  a.nosync = nosync;
  if (len && fwrite(data, 1, len, a.f) != len) {
    mfh_afile_abort(&a);
    return mfh_err_set(err, MFH_EIO, "cannot write %s", path);
  }
  return mfh_afile_commit(&a, err);
}

int mfh_write_atomic(const char *path, const void *data, size_t len, mfh_err *err) {
  return write_atomic(path, data, len, 0, err);
}

int mfh_write_atomic_nosync(const char *path, const void *data, size_t len, mfh_err *err) {
  return write_atomic(path, data, len, 1, err);
}

int mfh_sync_dir(const char *path, mfh_err *err) {
  int fd = open(path, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return mfh_err_set(err, MFH_EIO, "cannot open %s: %s", path, strerror(errno));
  int rc = syncfs(fd) == 0 ? MFH_OK : mfh_err_set(err, MFH_EIO, "cannot sync %s: %s", path, strerror(errno));
  close(fd);
  return rc;
}

int mfh_read_stream(FILE *f, char **data, size_t *len) {
  *data = NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    if (n + 1 >= cap) {
      char *nb = realloc(buf, cap *= 2);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  if (!buf) return MFH_ENOMEM;
  if (ferror(f)) {
    free(buf);
    return MFH_EIO;
  }
  buf[n] = '\0';
  *data = buf;
  if (len) *len = n;
  return MFH_OK;
}

int mfh_read_file(const char *path, char **data, size_t *len, mfh_err *err) {
  *data = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return mfh_err_set(err, MFH_EIO, "cannot read %s: %s", path, strerror(errno));
  int rc = mfh_read_stream(f, data, len);
  fclose(f);
  if (rc == MFH_ENOMEM) return mfh_err_set(err, MFH_ENOMEM, "out of memory reading %s", path);
  if (rc) return mfh_err_set(err, MFH_EIO, "cannot read %s", path);
  return MFH_OK;
}

int mfh_path_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

int mfh_is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *mfh_path_join(const char *a, const char *b) {
  size_t la = strlen(a);
  while (la > 1 && a[la - 1] == '/') la--;
  size_t n = la + strlen(b) + 2;
  char *s = malloc(n);
  if (s) snprintf(s, n, "%.*s/%s", (int)la, a, b);
  return s;
}

int mfh_name_ok(const char *name) {
  size_t n = strlen(name);
  return n > 0 && n < 256 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && !strchr(name, '/');
}

int mfh_path_inside(const char *base, const char *path, mfh_err *err) {
  char rb[PATH_MAX], rp[PATH_MAX];
  if (!realpath(base, rb)) return mfh_err_set(err, MFH_EIO, "cannot resolve %s: %s", base, strerror(errno));
  if (!realpath(path, rp)) return mfh_err_set(err, MFH_EIO, "cannot resolve %s: %s", path, strerror(errno));
  size_t n = strlen(rb);
  if (strcmp(rb, "/") == 0 || (strncmp(rp, rb, n) == 0 && (rp[n] == '/' || rp[n] == '\0'))) return MFH_OK;
  return mfh_err_set(err, MFH_EINPUT, "%s resolves to %s, outside %s (a symbolic link?)", path, rp, rb);
}

int mfh_outdir_check(const char *dir, mfh_err *err) {
  if (!dir[0]) return mfh_err_set(err, MFH_EUSAGE, "--out: an empty folder name");
  struct stat st;
  if (stat(dir, &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return mfh_err_set(err, MFH_EUSAGE, "--out %s: exists and is not a folder", dir);
    if (access(dir, W_OK | X_OK) != 0)
      return mfh_err_set(err, MFH_EUSAGE, "--out %s: not writable: %s", dir, strerror(errno));
    return MFH_OK;
  }
  if (errno != ENOENT) return mfh_err_set(err, MFH_EUSAGE, "--out %s: %s", dir, strerror(errno));
  /* the nearest existing ancestor must be a writable folder */
  char *p = strdup(dir);
  if (!p) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  int rc = MFH_OK;
  for (;;) {
    char *slash = strrchr(p, '/');
    while (slash && slash > p && slash[-1] == '/') slash--;
    if (!slash) {
      strcpy(p, ".");
    } else if (slash == p) {
      p[1] = '\0';
    } else {
      *slash = '\0';
    }
    if (stat(p, &st) == 0) {
      if (!S_ISDIR(st.st_mode))
        rc = mfh_err_set(err, MFH_EUSAGE, "--out %s: %s is not a folder", dir, p);
      else if (access(p, W_OK | X_OK) != 0)
        rc = mfh_err_set(err, MFH_EUSAGE, "--out %s: cannot create it in %s: %s", dir, p, strerror(errno));
      break;
    }
    if (errno != ENOENT) {
      rc = mfh_err_set(err, MFH_EUSAGE, "--out %s: %s: %s", dir, p, strerror(errno));
      break;
    }
    if (!strcmp(p, ".") || !strcmp(p, "/")) break;
  }
  free(p);
  return rc;
}

static int is_exe(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

/* malloc'd absolute form of p (a child may change folder before exec). */
static char *abs_path(const char *p) {
  if (p[0] == '/') return strdup(p);
  size_t cap = 256;
  for (;;) {
    char *cwd = malloc(cap);
    if (!cwd) return NULL;
    if (getcwd(cwd, cap)) {
      char *r = mfh_path_join(cwd, p);
      free(cwd);
      return r;
    }
    free(cwd);
    if (errno != ERANGE || cap > 65536) return NULL;
    cap *= 2;
  }
}

int mfh_self_exe(char *buf, size_t len) {
  if (len < 2) return MFH_EIO;
  ssize_t n = readlink("/proc/self/exe", buf, len - 1);
  if (n <= 0 || (size_t)n >= len - 1) return MFH_EIO;
  buf[n] = '\0';
  return MFH_OK;
}

char *mfh_find_program(const char *prog) {
  if (!prog || !prog[0]) return NULL;
  if (strchr(prog, '/')) return is_exe(prog) ? abs_path(prog) : NULL;
  const char *path = getenv("PATH");
  if (!path || !path[0]) path = "/usr/local/bin:/usr/bin:/bin";
  for (const char *p = path;;) {
    const char *colon = strchr(p, ':');
    size_t len = colon ? (size_t)(colon - p) : strlen(p);
    size_t n = len + strlen(prog) + 3;
    char *cand = malloc(n);
    if (!cand) return NULL;
    snprintf(cand, n, "%.*s/%s", (int)(len ? len : 1), len ? p : ".", prog);
    char *abs = is_exe(cand) ? abs_path(cand) : NULL;
    free(cand);
    if (abs) return abs;
    if (!colon) return NULL;
    p = colon + 1;
  }
}
