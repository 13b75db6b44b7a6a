#include "core/param.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void fmt_num(double x, char *buf, size_t len) {
  if (x == floor(x) && fabs(x) < 1e15)
    snprintf(buf, len, "%.0f", x);
  else
    snprintf(buf, len, "%.17g", x);
}

static void fmt_short(double x, char *buf, size_t len) {
  if (x == floor(x) && fabs(x) < 1e7)
    snprintf(buf, len, "%.0f", x);
  else
    snprintf(buf, len, "%g", x);
}

void mfh_param_def_expect(const mfh_param_def *d, char *buf, size_t len) {
  char lo[32], hi[32];
  fmt_short(d->min, lo, sizeof lo);
  fmt_short(d->max, hi, sizeof hi);
  const char *what = d->kind == MFH_PARAM_INT ? "an integer" : "a number";
  switch (d->kind) {
    case MFH_PARAM_INT:
    case MFH_PARAM_REAL: {
      int has_lo = isfinite(d->min), has_hi = isfinite(d->max);
      if (has_lo && has_hi)
        snprintf(buf, len, "%s in %s%s, %s%s", what, d->min_open ? "(" : "[", lo, hi,
                 d->max_open ? ")" : "]");
      else if (has_lo)
        snprintf(buf, len, "%s %s %s", what, d->min_open ? ">" : ">=", lo);
      else if (has_hi)
        snprintf(buf, len, "%s %s %s", what, d->max_open ? "<" : "<=", hi);
      else
        snprintf(buf, len, "%s", what);
      break;
    }
    case MFH_PARAM_CHOICE:
      snprintf(buf, len, "one of %s", d->choices);
      break;
    default:
      snprintf(buf, len, "a string");
  }
}

static int choice_ok(const char *choices, const char *s) {
  size_t n = strlen(s);
  const char *p = choices;
  while (*p) {
    const char *bar = strchr(p, '|');
    size_t m = bar ? (size_t)(bar - p) : strlen(p);
    if (m == n && strncmp(p, s, n) == 0) return 1;
    if (!bar) break;
    p = bar + 1;
  }
  return 0;
}

/* The refusal of text as a value of def; the expected form is written only
 * here (parsing defaults is on the hot path of planning every task).  The
 * text is quoted but for a number out of range. */
static int refuse(const mfh_param_def *def, const char *text, mfh_mark at, const char *where, int quote,
                  mfh_err *err) {
  char expect[160];
  mfh_param_def_expect(def, expect, sizeof expect);
  if (quote) return mfh_err_at(err, MFH_EINPUT, at, "%s: must be %s (got '%s')", where, expect, text);
  return mfh_err_at(err, MFH_EINPUT, at, "%s: must be %s (got %s)", where, expect, text);
}

int mfh_param_parse(const mfh_param_def *def, const char *text, mfh_mark at, const char *where,
                    mfh_param_val *out, mfh_err *err) {
  memset(out, 0, sizeof *out);
  out->def = def;
  snprintf(out->name, sizeof out->name, "%s", def->name);
  out->kind = def->kind;
  out->mark = at;
  if (def->kind == MFH_PARAM_STRING || def->kind == MFH_PARAM_CHOICE) {
    if (def->kind == MFH_PARAM_CHOICE && !choice_ok(def->choices, text)) return refuse(def, text, at, where, 1, err);
    out->str = strdup(text);
    return out->str ? MFH_OK : mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  char *end;
  errno = 0;
  double x = strtod(text, &end);
  while (*end == ' ') end++;
  if (end == text || *end || errno == ERANGE || !isfinite(x)) return refuse(def, text, at, where, 1, err);
  if (def->kind == MFH_PARAM_INT && (x != floor(x) || fabs(x) > 9007199254740992.0))
    return refuse(def, text, at, where, 1, err);
  if ((def->min_open ? !(x > def->min) : !(x >= def->min)) ||
      (def->max_open ? !(x < def->max) : !(x <= def->max)))
    return refuse(def, text, at, where, 0, err);
  out->num = x;
  return MFH_OK;
}

int mfh_number_parse(const char *t, double *out) {
  char *end;
  errno = 0;
  double x = strtod(t, &end);
  if (end != t && *end == '/') {
    const char *den = end + 1;
    double y = strtod(den, &end);
    if (end == den || y == 0)
      end = (char *)t; /* refuse below */
    else
      x /= y;
  }
  while (*end == ' ') end++;
  if (end == t || *end || errno == ERANGE || !isfinite(x)) return MFH_EINPUT;
  *out = x;
  return MFH_OK;
}

int mfh_params_put(mfh_params *ps, mfh_param_val *val) {
  for (size_t i = 0; i < ps->n; i++)
    if (strcmp(ps->v[i].name, val->name) == 0) {
      free(ps->v[i].str);
      ps->v[i] = *val;
      val->str = NULL;
      return MFH_OK;
    }
  mfh_param_val *nv = realloc(ps->v, (ps->n + 1) * sizeof *nv);
  if (!nv) return MFH_ENOMEM;
  ps->v = nv;
  ps->v[ps->n++] = *val;
  val->str = NULL;
  return MFH_OK;
}

const mfh_param_val *mfh_params_find(const mfh_params *ps, const char *name) {
  for (size_t i = 0; i < ps->n; i++)
    if (strcmp(ps->v[i].name, name) == 0) return &ps->v[i];
  return NULL;
}

double mfh_params_real(const mfh_params *ps, const char *name) {
  const mfh_param_val *v = mfh_params_find(ps, name);
  return v && (v->kind == MFH_PARAM_INT || v->kind == MFH_PARAM_REAL) ? v->num : NAN;
}

long long mfh_params_int(const mfh_params *ps, const char *name) {
  const mfh_param_val *v = mfh_params_find(ps, name);
  return v && (v->kind == MFH_PARAM_INT || v->kind == MFH_PARAM_REAL) ? (long long)v->num : 0;
}

const char *mfh_params_str(const mfh_params *ps, const char *name) {
  const mfh_param_val *v = mfh_params_find(ps, name);
  return v && v->str ? v->str : "";
}

int mfh_params_copy(mfh_params *dst, const mfh_params *src) {
  dst->n = 0;
  dst->v = src->n ? malloc(src->n * sizeof *dst->v) : NULL;
  if (src->n && !dst->v) return MFH_ENOMEM;
  for (size_t i = 0; i < src->n; i++) {
    dst->v[i] = src->v[i];
    if (src->v[i].str && !(dst->v[i].str = strdup(src->v[i].str))) {
      dst->n = i;
      mfh_params_free(dst);
      return MFH_ENOMEM;
    }
    dst->n = i + 1;
  }
  return MFH_OK;
}

void mfh_params_free(mfh_params *ps) {
  if (!ps) return;
  for (size_t i = 0; i < ps->n; i++) free(ps->v[i].str);
  free(ps->v);
  ps->v = NULL;
  ps->n = 0;
}

void mfh_param_format(const mfh_param_val *v, char *buf, size_t len) {
  if (v->kind == MFH_PARAM_STRING || v->kind == MFH_PARAM_CHOICE)
    snprintf(buf, len, "%s", v->str ? v->str : "");
  else
    fmt_num(v->num, buf, len);
}

int mfh_param_reject(const char **param, const char *name, mfh_err *err, const char *fmt, ...) {
  *param = name;
  va_list ap;
  va_start(ap, fmt);
  mfh_mark none = {0};
  mfh_err_vset(err, MFH_EINPUT, none, fmt, ap);
  va_end(ap);
  return MFH_EINPUT;
}

int mfh_whole_steps(double t, double dt) {
  double steps = t / dt;
  return fabs(steps - nearbyint(steps)) <= 1e-9 * fmax(1.0, steps);
}

void mfh_param_def_print(const mfh_param_def *d, FILE *out) {
  static const char *kinds[] = {"int", "real", "string", "choice"};
  char expect[160];
  mfh_param_def_expect(d, expect, sizeof expect);
  fprintf(out, "    %-12s %-7s %-18s %-34s %s%s%s%s\n", d->name, kinds[d->kind],
          d->def ? d->def : "(required)", expect, d->doc,
          (d->flags & MFH_PARAM_STREAM) ? " [stream: all values in one run]" : "",
          (d->flags & MFH_PARAM_SAMPLED) ? " [sampled: seeds the random draws]" : "",
          (d->flags & MFH_PARAM_STEP) ? " [refinable: a step]" : (d->flags & MFH_PARAM_GRID) ? " [refinable: a resolution]" : "");
}
