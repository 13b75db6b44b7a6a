#include "core/status.h"

#include <string.h>

#include <gsl/gsl_errno.h>

const char *mfh_status_text(int status) {
  switch (status) {
#define MFH_X_TEXT(name, value, text, code) \
  case value:                               \
    return text;
    MFH_STATUS_LIST(MFH_X_TEXT)
#undef MFH_X_TEXT
  }
  return "unknown status";
}

int mfh_status_exit_code(int status) {
  switch (status) {
#define MFH_X_CODE(name, value, text, code) \
  case value:                               \
    return code;
    MFH_STATUS_LIST(MFH_X_CODE)
#undef MFH_X_CODE
  }
  return 3;
}

void mfh_err_clear(mfh_err *e) {
  if (!e) return;
  e->status = MFH_OK;
  e->file[0] = '\0';
  e->line = e->col = 0;
  e->msg[0] = '\0';
}

int mfh_err_vset(mfh_err *e, int status, mfh_mark at, const char *fmt, va_list ap) {
  if (!e) return status;
  e->status = status;
  snprintf(e->file, sizeof e->file, "%s", at.file ? at.file : "");
  e->line = at.line;
  e->col = at.col;
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  return status;
}

int mfh_err_set(mfh_err *e, int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mfh_mark none = {0};
  mfh_err_vset(e, status, none, fmt, ap);
  va_end(ap);
  return status;
}

int mfh_err_at(mfh_err *e, int status, mfh_mark at, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mfh_err_vset(e, status, at, fmt, ap);
  va_end(ap);
  return status;
}

void mfh_err_prefix(mfh_err *e, const char *fmt, ...) {
  if (!e) return;
  char head[MFH_ERR_MSG], old[MFH_ERR_MSG];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(head, sizeof head, fmt, ap);
  va_end(ap);
  memcpy(old, e->msg, sizeof old);
  snprintf(e->msg, sizeof e->msg, "%.500s: %.500s", head, old);
}

void mfh_err_print(const mfh_err *e, FILE *out) {
  if (e->file[0] && e->line > 0)
    fprintf(out, "%s:%d:%d: %s\n", e->file, e->line, e->col, e->msg);
  else if (e->file[0])
    fprintf(out, "%s: %s\n", e->file, e->msg);
  else
    fprintf(out, "mfh: %s\n", e->msg[0] ? e->msg : mfh_status_text(e->status));
}

void mfh_gsl_quiet(void) { gsl_set_error_handler_off(); }
