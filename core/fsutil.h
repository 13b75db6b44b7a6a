/* File-system helpers: mkdir -p and atomic writes (write a temporary file
 * in the same folder, fsync, rename), so a reader never sees half a file
 * and an interrupted run leaves either the old file or the new one. */
#ifndef MFH_CORE_FSUTIL_H
#define MFH_CORE_FSUTIL_H

#include <stddef.h>
#include <stdio.h>

#include "core/status.h"

/* Create a folder and its parents (like mkdir -p).  0 or MFH_EIO. */
int mfh_mkdirs(const char *path, mfh_err *err);
/* Write len bytes to path atomically.  0 or MFH_EIO. */
int mfh_write_atomic(const char *path, const void *data, size_t len, mfh_err *err);
/* The same without fsync: still atomic (a reader sees the old file or the
 * whole new one), but after a power loss the file may be missing or empty;
 * for many small files whose loader validates them and a caller that calls
 * mfh_sync_dir now and then (the task store). */
int mfh_write_atomic_nosync(const char *path, const void *data, size_t len, mfh_err *err);
/* Flush the file system holding path to disk (syncfs).  0 or MFH_EIO. */
int mfh_sync_dir(const char *path, mfh_err *err);

/* Streamed atomic write: open a temporary sibling of path for writing, then
 * commit (flush, fsync, rename onto path) or abort (remove the temporary). */
typedef struct mfh_afile {
  FILE *f;
  char *path, *tmp;
  int nosync; /* 1: skip the fsync at commit */
} mfh_afile;
int mfh_afile_open(mfh_afile *a, const char *path, mfh_err *err);
int mfh_afile_commit(mfh_afile *a, mfh_err *err);
void mfh_afile_abort(mfh_afile *a);

/* Read a whole file into a NUL-terminated malloc'd buffer (*len may be NULL).
 * MFH_EIO when it cannot be read. */
int mfh_read_file(const char *path, char **data, size_t *len, mfh_err *err);
/* Read a stream to its end into a NUL-terminated malloc'd buffer (*len may
 * be NULL).  MFH_ENOMEM, or MFH_EIO on a read error (nothing returned). */
int mfh_read_stream(FILE *f, char **data, size_t *len);
/* 1 if path exists (any type). */
int mfh_path_exists(const char *path);
/* 1 if path is a directory. */
int mfh_is_dir(const char *path);
/* malloc'd "a/b" (a single '/' between). NULL on out-of-memory. */
char *mfh_path_join(const char *a, const char *b);

/* Absolute path of an executable program: prog itself when it has a '/'
 * (made absolute), else the first match in PATH.  malloc'd; NULL when there
 * is none (or out of memory). */
char *mfh_find_program(const char *prog);
/* Absolute path of the running executable (Linux: /proc/self/exe) into buf
 * (len bytes); 0, or MFH_EIO when it cannot be read or does not fit. */
int mfh_self_exe(char *buf, size_t len);

/* Confinement: every file mfh writes is <out>/<name>/... with names that
 * cannot leave their folder. */
/* 1 if name is one path component that stays in its folder: not empty, not
 * "." or "..", no '/', shorter than 256 bytes. */
int mfh_name_ok(const char *name);
/* 0 if path (which must exist) resolves, symbolic links followed, to base or
 * a folder below it; MFH_EINPUT naming where it leads otherwise, MFH_EIO when
 * either cannot be resolved. */
int mfh_path_inside(const char *base, const char *path, mfh_err *err);
/* An output folder the user named (--out): not empty; an existing folder we
 * may write in, or creatable (its nearest existing ancestor is a writable
 * folder).  0 or MFH_EUSAGE with the reason; writes nothing. */
int mfh_outdir_check(const char *dir, mfh_err *err);

#endif
