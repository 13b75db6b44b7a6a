/* What every check kind shares: its spec's lifetime, the measures it reads,
 * and the readers its parse hook uses (with the study loader's messages). */
#include "core/check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void mfh_check_spec_free(mfh_check_spec *ck) {
  if (!ck) return;
  if (ck->data && ck->type && ck->type->release) ck->type->release(ck->data);
  free(ck->data);
  ck->data = NULL;
}

size_t mfh_check_reads(const mfh_check_spec *ck, const char **names, mfh_mark *marks, size_t max) {
  if (!ck || !ck->type || max == 0) return 0;
  if (names) names[0] = ck->measure_name;
  if (marks) marks[0] = ck->measure_mark;
  return 1;
}

int mfh_check_number(const mfh_check_spec *ck, const char *setting, double *out) {
  if (!ck || !ck->type || !ck->data) return MFH_EINPUT;
  for (size_t i = 0; i < ck->type->nsettings; i++) {
    const mfh_check_setting *st = &ck->type->settings[i];
    if (strcmp(st->name, setting) != 0) continue;
    const char *at = (const char *)ck->data + st->offset;
    switch (st->kind) {
      case MFH_SETTING_REAL: {
        double v;
        memcpy(&v, at, sizeof v);
        *out = v;
        return MFH_OK;
      }
      case MFH_SETTING_BOOL: {
        int v;
        memcpy(&v, at, sizeof v);
        *out = v;
        return MFH_OK;
      }
      case MFH_SETTING_COUNT: {
        size_t v;
        memcpy(&v, at, sizeof v);
        *out = (double)v;
        return MFH_OK;
      }
      default:
        return MFH_EINPUT;
    }
  }
  return MFH_EINPUT;
}

const mfh_check_value *mfh_check_get(const mfh_check_input *in, const char *key) {
  for (size_t i = 0; i < in->n; i++)
    if (strcmp(in->values[i].key, key) == 0) return &in->values[i];
  return NULL;
}

static const char *node_kind(int node) {
  switch (node) {
    case MFH_NODE_SCALAR: return "a scalar";
    case MFH_NODE_LIST: return "a list";
    case MFH_NODE_MAP: return "a mapping";
  }
  return "empty";
}

int mfh_check_want_scalar(const mfh_check_value *v, const char *where, mfh_err *err) {
  if (v->node == MFH_NODE_SCALAR) return MFH_OK;
  return mfh_err_at(err, MFH_EINPUT, v->mark, "%s: must be a single value, not %s", where, node_kind(v->node));
}

int mfh_check_value_real(const mfh_check_value *v, const char *where, double *out, mfh_err *err) {
  int rc = mfh_check_want_scalar(v, where, err);
  if (rc) return rc;
  if (mfh_number_parse(v->text, out))
    return mfh_err_at(err, MFH_EINPUT, v->mark, "%s: must be a number (got '%s')", where, v->text);
  return MFH_OK;
}

int mfh_check_value_bool(const mfh_check_value *v, const char *where, int *out, mfh_err *err) {
  int rc = mfh_check_want_scalar(v, where, err);
  if (rc) return rc;
  const char *t = v->text;
  if (!strcmp(t, "true") || !strcmp(t, "yes") || !strcmp(t, "on"))
    *out = 1;
  else if (!strcmp(t, "false") || !strcmp(t, "no") || !strcmp(t, "off"))
    *out = 0;
  else
    return mfh_err_at(err, MFH_EINPUT, v->mark, "%s: must be true or false (got '%s')", where, t);
  return MFH_OK;
}

int mfh_check_value_count(const mfh_check_value *v, const char *where, double lo, double hi,
                          unsigned long long *out, mfh_err *err) {
  double x;
  int rc = mfh_check_value_real(v, where, &x, err);
  if (rc) return rc;
  if (x != floor(x) || x < lo || x > hi)
    return mfh_err_at(err, MFH_EINPUT, v->mark, "%s: must be an integer in [%.0f, %.0f] (got %s)", where, lo, hi,
                      v->text);
  *out = (unsigned long long)x;
  return MFH_OK;
}

int mfh_check_real_in(const mfh_check_input *in, const char *key, double lo, double hi, double *out,
                      mfh_err *err) {
  const mfh_check_value *v = mfh_check_get(in, key);
  if (!v) return MFH_OK; /* keep the default */
  char w[160];
  snprintf(w, sizeof w, "%s.%s", in->where, key);
  int rc = mfh_check_value_real(v, w, out, err);
  if (rc) return rc;
  if (!(*out >= lo && *out <= hi))
    return mfh_err_at(err, MFH_EINPUT, v->mark, "%s: must be in [%g, %g] (got %s)", w, lo, hi, v->text);
  return MFH_OK;
}

int mfh_check_asserted(const char *label) { return strcmp(label, "proved") == 0; }

int mfh_check_label(const mfh_check_input *in, char *buf, size_t len, mfh_err *err) {
  const mfh_check_value *v = mfh_check_get(in, "label");
  snprintf(buf, len, "proved");
  if (!v) return MFH_OK;
  char w[160];
  snprintf(w, sizeof w, "%s.label", in->where);
  int rc = mfh_check_want_scalar(v, w, err);
  if (rc) return rc;
  if (!*v->text || strlen(v->text) >= len)
    return mfh_err_at(err, MFH_EINPUT, v->mark, "%s: give 1..%zu characters", w, len - 1);
  snprintf(buf, len, "%s", v->text);
  if (in->reported && !mfh_check_asserted(buf)) *in->reported = 1;
  return MFH_OK;
}

int mfh_check_name_known(const mfh_check_input *in, const char *name) {
  if (in->params && mfh_params_find(in->params, name)) return 1;
  return in->constants && mfh_values_get(in->constants, name) != NULL;
}

void mfh_check_fmt_x(double x, char *buf, size_t len) {
  if (x == floor(x) && fabs(x) < 1e15)
    snprintf(buf, len, "%.0f", x);
  else
    snprintf(buf, len, "%.4g", x);
}

void mfh_check_num(mfh_check_result *c, const char *name, double v) { mfh_values_set(&c->numbers, name, v); }
