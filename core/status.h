/* Status codes and the one error reporter.
 *
 * Every function that can fail returns an int status: 0 (MFH_OK) or one of
 * the negative codes below.  The detail goes into a caller-owned mfh_err,
 * which carries an optional source position (file:line:col, 1-based) so
 * input errors read `studies/x.yaml:12:5: sweep.N: must be ...`.
 * Nothing below main() prints, calls exit() or abort(). */
#ifndef MFH_CORE_STATUS_H
#define MFH_CORE_STATUS_H

#include <stdarg.h>
#include <stdio.h>

/* X(enum name, value, short text, process exit code) */
#define MFH_STATUS_LIST(X)                                   \
  X(MFH_OK, 0, "ok", 0)                                      \
  X(MFH_EINPUT, -1, "bad input", 2)                          \
  X(MFH_EUSAGE, -2, "bad usage", 2)                          \
  X(MFH_ENOMEM, -3, "out of memory", 3)                      \
  X(MFH_EIO, -4, "input/output error", 3)                    \
  X(MFH_ENUMERIC, -5, "numerical failure (NaN/Inf)", 3)      \
  X(MFH_ESOLVER, -6, "solver failed", 3)                     \
  X(MFH_EEXTERNAL, -7, "external program failed", 3)         \
  X(MFH_EINTERRUPT, -8, "interrupted", 3)                    \
  X(MFH_EINTERNAL, -9, "internal error", 3)                  \
  X(MFH_EBUSY, -10, "in use by another run", 3)

enum mfh_status {
#define MFH_X_ENUM(name, value, text, code) name = value,
  MFH_STATUS_LIST(MFH_X_ENUM)
#undef MFH_X_ENUM
};

/* Short text of a status code ("bad input"). */
const char *mfh_status_text(int status);
/* Process exit code for a status (0, 2 or 3). */
int mfh_status_exit_code(int status);

#define MFH_ERR_MSG 1024
#define MFH_ERR_FILE 512

typedef struct mfh_err {
  int status;               /* last status set, MFH_OK when clear */
  char file[MFH_ERR_FILE];  /* "" when the error has no source position */
  int line, col;            /* 1-based; 0 when unknown */
  char msg[MFH_ERR_MSG];
} mfh_err;

/* A position in an input file (1-based line and column; 0 = unknown). */
typedef struct mfh_mark {
  const char *file;  /* not owned */
  int line, col;
} mfh_mark;

void mfh_err_clear(mfh_err *e);
/* Record an error without position; returns status so callers can
 * `return mfh_err_set(e, MFH_EINPUT, "...")`.  e may be NULL. */
int mfh_err_set(mfh_err *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record an error at a source position. */
int mfh_err_at(mfh_err *e, int status, mfh_mark at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int mfh_err_vset(mfh_err *e, int status, mfh_mark at, const char *fmt, va_list ap);
/* Prefix the existing message with "what: " (adds context on the way up). */
void mfh_err_prefix(mfh_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write "file:line:col: msg" (or "mfh: msg") and a newline. */
void mfh_err_print(const mfh_err *e, FILE *out);

/* Route GSL errors into status codes instead of GSL's abort(): call once at
 * start-up (it installs a handler that does nothing; every GSL call's return
 * status is checked by its caller). */
void mfh_gsl_quiet(void);

#endif
