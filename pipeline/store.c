#define _DEFAULT_SOURCE /* flock */
#include "pipeline/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/fsutil.h"
#include "core/rng.h"

static const char *const stored_text[] = {
#define MFH_X_STORED(name, text) text,
    MFH_STORED_LIST(MFH_X_STORED)
#undef MFH_X_STORED
};

const char *mfh_stored_text(int stored) {
  return stored >= 0 && stored < MFH_STORED_NKINDS ? stored_text[stored] : "unknown";
}

static char *task_path(const char *dir, const mfh_task *t) {
  size_t n = strlen(dir) + 64;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/tasks/%s.json", dir, t->key);
  return p;
}

/* ---- checksum -------------------------------------------------------- */

static int cmp_value_ptr(const void *a, const void *b) {
  return strcmp((*(const mfh_value *const *)a)->name, (*(const mfh_value *const *)b)->name);
}

/* XXH3-128 of "mfh-task 1", the key, the canonical text, the values sorted
 * by name and the wall time, each number as %.17g (what the file holds).
 * The CPU time is left out: it is optional (files written before it was kept
 * have none) and read only by the work-precision plots, never a verdict. */
static int checksum(const mfh_task *t, const mfh_values *vals, double elapsed_s, char hex[33]) {
  size_t cap = strlen(t->canon) + 128 + vals->n * (MFH_NAME_MAX + 40);
  char *text = malloc(cap);
  const mfh_value **sorted = malloc((vals->n ? vals->n : 1) * sizeof *sorted);
  if (!text || !sorted) {
    free(text);
    free(sorted);
    return MFH_ENOMEM;
  }
  for (size_t i = 0; i < vals->n; i++) sorted[i] = &vals->v[i];
  if (vals->n > 1) qsort(sorted, vals->n, sizeof *sorted, cmp_value_ptr);
  size_t len = (size_t)snprintf(text, cap, "mfh-task 1\nkey %s\n%s\n", t->key, t->canon);
  for (size_t i = 0; i < vals->n; i++)
    len += (size_t)snprintf(text + len, cap - len, "value %s=%.17g\n", sorted[i]->name, sorted[i]->v);
  len += (size_t)snprintf(text + len, cap - len, "elapsed %.17g\n", elapsed_s);
  mfh_hash128_hex(text, len, hex);
  free(text);
  free(sorted);
  return MFH_OK;
}

/* ---- task files ------------------------------------------------------ */

/* A derived measure is computed from the stored values after loading
 * (pipeline/exec.c), never stored: a task file cannot be missing it. */
static int is_derived(const mfh_study *s, const char *name) {
  for (size_t i = 0; i < s->nderived; i++)
    if (!strcmp(s->derived[i].name, name)) return 1;
  return 0;
}

int mfh_store_parse(const char *text, size_t len, const mfh_plan *plan, size_t ti, mfh_values *vals,
                    double *elapsed_s, double *cpu_s) {
  const mfh_task *t = &plan->tasks[ti];
  const mfh_study *s = plan->study;
  mfh_values_clear(vals);
  *elapsed_s = 0;
  *cpu_s = NAN;
  json_error_t jerr;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!root) return MFH_STORED_UNREADABLE;
  int verdict = MFH_STORED_OK;
  json_t *key = json_object_get(root, "key"), *canon = json_object_get(root, "task");
  json_t *jv = json_object_get(root, "values"), *el = json_object_get(root, "elapsed_s");
  json_t *sum = json_object_get(root, "checksum"), *cpu = json_object_get(root, "cpu_s");
  if (!json_is_object(root) || !json_is_object(jv) || !json_is_number(el) || (cpu && !json_is_number(cpu))) {
    verdict = MFH_STORED_UNREADABLE;
    goto done;
  }
  if (!json_is_string(key) || !json_is_string(canon) || strcmp(json_string_value(key), t->key) != 0 ||
      strcmp(json_string_value(canon), t->canon) != 0) {
    verdict = MFH_STORED_FOREIGN;
    goto done;
  }
  const char *k;
  json_t *v;
  json_object_foreach(jv, k, v) {
    if (!json_is_number(v) || !isfinite(json_number_value(v))) {
      verdict = MFH_STORED_NONFINITE;
      goto done;
    }
    if (mfh_values_set(vals, k, json_number_value(v))) {
      verdict = MFH_STORED_UNREADABLE;
      goto done;
    }
  }
  for (size_t m = 0; m < s->nmeasures; m++)
    if (!is_derived(s, s->measures[m]) && !mfh_values_get(vals, s->measures[m])) {
      verdict = MFH_STORED_INCOMPLETE;
      goto done;
    }
  *elapsed_s = json_number_value(el);
  if (cpu) *cpu_s = json_number_value(cpu);
  char hex[33];
  if (checksum(t, vals, *elapsed_s, hex)) {
    verdict = MFH_STORED_UNREADABLE; /* out of memory: do not trust it */
    goto done;
  }
  if (!json_is_string(sum) || strcmp(json_string_value(sum), hex) != 0) verdict = MFH_STORED_CHECKSUM;
done:
  json_decref(root);
  if (verdict != MFH_STORED_OK) {
    mfh_values_clear(vals);
    *cpu_s = NAN;
  }
  return verdict;
}

int mfh_store_load(const char *dir, const mfh_plan *plan, size_t ti, mfh_values *vals, double *elapsed_s,
                   double *cpu_s) {
  mfh_values_clear(vals);
  *elapsed_s = 0;
  *cpu_s = NAN;
  char *path = task_path(dir, &plan->tasks[ti]);
  if (!path) return MFH_STORED_UNREADABLE;
  char *text = NULL;
  size_t len = 0;
  int rc = mfh_read_file(path, &text, &len, NULL);
  free(path);
  if (rc) return errno == ENOENT ? MFH_STORED_ABSENT : MFH_STORED_UNREADABLE;
  int verdict = mfh_store_parse(text, len, plan, ti, vals, elapsed_s, cpu_s);
  free(text);
  return verdict;
}

int mfh_store_save(const char *dir, const mfh_plan *plan, size_t ti, const mfh_values *vals,
                   double elapsed_s, double cpu_s, mfh_err *err) {
  const mfh_task *t = &plan->tasks[ti];
  mfh_values fin = {0};
  json_t *root = json_object(), *jv = json_object();
  char *text = NULL, *path = NULL;
  int rc = MFH_OK;
  if (!root || !jv) goto nomem;
  /* JSON has no NaN or Inf: such values are left out (the executor has
   * already failed a task whose measure is not finite) */
  for (size_t i = 0; i < vals->n; i++) {
    if (!isfinite(vals->v[i].v)) continue;
    if (mfh_values_set(&fin, vals->v[i].name, vals->v[i].v) ||
        json_object_set_new(jv, vals->v[i].name, json_real(vals->v[i].v)))
      goto nomem;
  }
  char hex[33];
  if (checksum(t, &fin, elapsed_s, hex)) goto nomem;
  if (json_object_set_new(root, "key", json_string(t->key)) ||
      json_object_set_new(root, "task", json_string(t->canon)) || json_object_set(root, "values", jv) ||
      json_object_set_new(root, "elapsed_s", json_real(elapsed_s)) ||
      (isfinite(cpu_s) && json_object_set_new(root, "cpu_s", json_real(cpu_s))) ||
      json_object_set_new(root, "checksum", json_string(hex)))
    goto nomem;
  text = json_dumps(root, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
  path = task_path(dir, t);
  if (!text || !path) goto nomem;
  /* No fsync per task: the rename is atomic and the loader verifies every
   * file, so a crash can only cost tasks (recomputed identically), never
   * corrupt one; the executor syncs the folder once a second instead. */
  rc = mfh_write_atomic_nosync(path, text, strlen(text), err);
  goto out;
nomem:
  rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
out:
  json_decref(jv);
  json_decref(root);
  mfh_values_free(&fin);
  free(text);
  free(path);
  return rc;
}

/* ---- the keys of a folder -------------------------------------------- */

static int cmp_key(const void *a, const void *b) { return strcmp(a, b); }

void mfh_store_keys_load(const char *dir, mfh_store_keys *ks) {
  ks->key = NULL;
  ks->n = 0;
  char *tdir = mfh_path_join(dir, "tasks");
  DIR *d = tdir ? opendir(tdir) : NULL;
  free(tdir);
  if (!d) return;
  size_t cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (len != 37 || strcmp(e->d_name + 32, ".json") != 0) continue;
    if (ks->n == cap) {
      cap = cap ? 2 * cap : 1024;
      char(*nk)[33] = realloc(ks->key, cap * sizeof *nk);
      if (!nk) break;
      ks->key = nk;
    }
    memcpy(ks->key[ks->n], e->d_name, 32);
    ks->key[ks->n++][32] = '\0';
  }
  closedir(d);
  if (ks->n) qsort(ks->key, ks->n, sizeof *ks->key, cmp_key);
}

int mfh_store_keys_has(const mfh_store_keys *ks, const char *key) {
  return ks->n && bsearch(key, ks->key, ks->n, sizeof *ks->key, cmp_key) != NULL;
}

void mfh_store_keys_free(mfh_store_keys *ks) {
  free(ks->key);
  ks->key = NULL;
  ks->n = 0;
}

/* ---- the run lock ---------------------------------------------------- */

struct mfh_store_lock {
  int fd_main, fd_shard;
};

static int open_in(const char *dir, const char *name, int flags, mfh_err *err) {
  char *p = mfh_path_join(dir, name);
  if (!p) {
    mfh_err_set(err, MFH_ENOMEM, "out of memory");
    return -1;
  }
  int fd = open(p, flags | O_CLOEXEC, 0666);
  if (fd < 0) mfh_err_set(err, MFH_EIO, "cannot open %s: %s", p, strerror(errno));
  free(p);
  return fd;
}

/* flock with a bounded wait: the meta lock is held only for milliseconds,
 * so a holder that keeps it for 30 s is stuck (stopped), not busy. */
static int flock_wait(int fd, int op) {
  for (int i = 0; i < 3000; i++) {
    if (flock(fd, op | LOCK_NB) == 0) return 0;
    if (errno != EWOULDBLOCK && errno != EINTR) return -1;
    struct timespec ts = {0, 10000000};
    nanosleep(&ts, NULL);
  }
  errno = EWOULDBLOCK;
  return -1;
}

/* 1 if name is a temporary of mfh_afile_open: NAME.tmp.HOST.PID (the host
 * name may hold dots or be empty), or NAME.tmp.PID of older runs. */
static int is_tmp_name(const char *name) {
  const char *t = strstr(name, ".tmp.");
  if (!t) return 0;
  const char *dot = strrchr(t + 5, '.'), *pid = dot ? dot + 1 : t + 5;
  return pid[0] && strspn(pid, "0123456789") == strlen(pid);
}

/* Remove the temporary files of killed runs in folder d (called by the
 * process that holds the folder alone: any temporary there is stale). */
static void remove_stale_tmp(const char *d) {
  DIR *dh = opendir(d);
  if (!dh) return;
  struct dirent *e;
  while ((e = readdir(dh))) {
    if (!is_tmp_name(e->d_name)) continue;
    char *p = mfh_path_join(d, e->d_name);
    if (p) unlink(p);
    free(p);
  }
  closedir(dh);
}

/* The run identity in a run record: profile, seed, number of shards. */
typedef struct run_id {
  char profile[32];
  long long seed, shards;
} run_id;

static int run_id_parse(json_t *j, run_id *id) {
  json_t *p = json_object_get(j, "profile"), *s = json_object_get(j, "seed");
  json_t *n = json_object_get(j, "shards");
  if (!json_is_string(p) || !json_is_integer(s)) return -1;
  snprintf(id->profile, sizeof id->profile, "%s", json_string_value(p));
  id->seed = (long long)json_integer_value(s);
  id->shards = json_is_integer(n) ? (long long)json_integer_value(n) : 0;
  return 0;
}

/* 0 when dir/run.json records the same run as run_json (or there is no
 * readable sharded record and allow_missing), else MFH_EUSAGE with both. */
static int same_run(const char *dir, const char *run_json, int allow_missing, const char *why,
                    mfh_err *err) {
  json_error_t jerr;
  json_t *mine = json_loads(run_json, 0, &jerr);
  char *p = mfh_path_join(dir, "run.json");
  json_t *theirs = p ? json_load_file(p, 0, &jerr) : NULL;
  run_id a, b;
  int rc = MFH_OK;
  if (!mine || run_id_parse(mine, &a)) {
    rc = mfh_err_set(err, MFH_EINTERNAL, "bad run record");
  } else if (!theirs || run_id_parse(theirs, &b) || (allow_missing && b.shards == 0)) {
    if (!allow_missing)
      rc = mfh_err_set(err, MFH_EBUSY, "%s: shards are running but %s is missing or unreadable", dir,
                       p ? p : "run.json");
  } else if (strcmp(a.profile, b.profile) != 0 || a.seed != b.seed || a.shards != b.shards) {
    rc = mfh_err_set(err, MFH_EUSAGE,
                     "%s: %s (profile %s, seed %lld, %lld shards); this one has profile %s, seed %lld, %lld "
                     "shards: use the same options, another --out%s",
                     dir, why, b.profile, b.seed, b.shards, a.profile, a.seed, a.shards,
                     allow_missing ? ", or --fresh to start over" : "");
  }
  json_decref(mine);
  json_decref(theirs);
  free(p);
  return rc;
}

static void lock_close(mfh_store_lock *l) {
  if (!l) return;
  if (l->fd_shard >= 0) close(l->fd_shard);
  if (l->fd_main >= 0) close(l->fd_main);
  free(l);
}

int mfh_store_lock_run(const char *dir, size_t shard_i, size_t shard_n, int fresh, const char *run_json,
                       mfh_store_lock **out, mfh_err *err) {
  *out = NULL;
  mfh_store_lock *l = malloc(sizeof *l);
  if (!l) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  l->fd_main = l->fd_shard = -1;
  int rc = MFH_OK;
  int meta = open_in(dir, ".lock-meta", O_RDWR | O_CREAT, err);
  if (meta < 0) {
    lock_close(l);
    return err ? err->status : MFH_EIO;
  }
  if (flock_wait(meta, LOCK_EX) != 0) {
    rc = mfh_err_set(err, MFH_EBUSY, "%s/.lock-meta: held for more than 30 s by another mfh process", dir);
    goto out;
  }
  l->fd_main = open_in(dir, ".lock", O_RDWR | O_CREAT, err);
  if (l->fd_main < 0) {
    rc = err ? err->status : MFH_EIO;
    goto out;
  }
  if (flock(l->fd_main, LOCK_EX | LOCK_NB) == 0) {
    /* nobody else is running here: this process starts the run */
    if (shard_n && !fresh && (rc = same_run(dir, run_json, 1, "the unfinished sharded run recorded here has", err)))
      goto out;
    remove_stale_tmp(dir);
    char *tdir = mfh_path_join(dir, "tasks");
    if (tdir) remove_stale_tmp(tdir);
    free(tdir);
    char *p = mfh_path_join(dir, "run.json");
    rc = p ? mfh_write_atomic(p, run_json, strlen(run_json), err) : mfh_err_set(err, MFH_ENOMEM, "out of memory");
    free(p);
    if (rc) goto out;
    /* a shard keeps the folder open to the other shards (the conversion is
     * not atomic, but every taker holds the meta lock) */
    if (shard_n && flock(l->fd_main, LOCK_SH | LOCK_NB) != 0) {
      rc = mfh_err_set(err, MFH_EIO, "%s/.lock: %s", dir, strerror(errno));
      goto out;
    }
  } else if (errno != EWOULDBLOCK) {
    rc = mfh_err_set(err, MFH_EIO, "%s/.lock: %s", dir, strerror(errno));
    goto out;
  } else if (!shard_n) {
    rc = mfh_err_set(err, MFH_EBUSY,
                     "%s: another mfh process is running this study there (two runs on one --out "
                     "would overwrite each other): wait for it, or use another --out",
                     dir);
    goto out;
  } else if (flock(l->fd_main, LOCK_SH | LOCK_NB) != 0) {
    rc = mfh_err_set(err, MFH_EBUSY,
                     "%s: an unsharded mfh run (or mfh report) is using this folder: wait for it, or use "
                     "another --out",
                     dir);
    goto out;
  } else if ((rc = same_run(dir, run_json, 0, "the shards running here have", err))) {
    goto out;
  }
  if (shard_n) {
    char name[96];
    snprintf(name, sizeof name, ".lock-shard-%zu-of-%zu", shard_i, shard_n);
    l->fd_shard = open_in(dir, name, O_RDWR | O_CREAT, err);
    if (l->fd_shard < 0) {
      rc = err ? err->status : MFH_EIO;
      goto out;
    }
    if (flock(l->fd_shard, LOCK_EX | LOCK_NB) != 0) {
      rc = mfh_err_set(err, MFH_EBUSY, "%s: shard %zu/%zu is already running there", dir, shard_i, shard_n);
      goto out;
    }
  }
out:
  close(meta);
  if (rc) {
    lock_close(l);
    return rc;
  }
  *out = l;
  return MFH_OK;
}

int mfh_store_lock_read(const char *dir, mfh_store_lock **out, mfh_err *err) {
  *out = NULL;
  mfh_store_lock *l = malloc(sizeof *l);
  if (!l) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  l->fd_shard = -1;
  l->fd_main = open_in(dir, ".lock", O_RDWR | O_CREAT, NULL);
  if (l->fd_main < 0) l->fd_main = open_in(dir, ".lock", O_RDONLY, NULL);
  if (l->fd_main < 0) { /* an old or read-only folder: nobody can be writing it with a lock */
    free(l);
    return MFH_OK;
  }
  if (flock(l->fd_main, LOCK_EX | LOCK_NB) != 0) {
    lock_close(l);
    return mfh_err_set(err, MFH_EBUSY, "%s: a run (or one of its shards) is still writing there: wait for it", dir);
  }
  *out = l;
  return MFH_OK;
}

int mfh_store_lock_out(const char *dir, int exclusive, mfh_store_lock **out, mfh_err *err) {
  *out = NULL;
  mfh_store_lock *l = malloc(sizeof *l);
  if (!l) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  l->fd_shard = -1;
  l->fd_main = open_in(dir, ".lock-run", O_RDWR | O_CREAT, err);
  if (l->fd_main < 0) {
    free(l);
    return err ? err->status : MFH_EIO;
  }
  if (flock(l->fd_main, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    lock_close(l);
    return mfh_err_set(err, MFH_EBUSY,
                       "%s: another mfh %s is using this folder: wait for it, or use another --out", dir,
                       exclusive ? "run or report" : "run (not a shard of this one)");
  }
  *out = l;
  return MFH_OK;
}

void mfh_store_unlock(mfh_store_lock *l) { lock_close(l); }
