/* Study loader: libyaml document -> validated mfh_study.  Every error names
 * file:line:col (1-based) of the offending node. */
#include "pipeline/study.h"
#include "pipeline/registry.h"

#include "core/kinds.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

const char *const mfh_profiles[] = {"quick", "nightly", "full", NULL};

int mfh_profile_index(const char *name) {
  for (int i = 0; mfh_profiles[i]; i++)
    if (!strcmp(name, mfh_profiles[i])) return i;
  return -1;
}

typedef struct ctx {
  const char *file;
  yaml_document_t *doc;
  mfh_err *err;
} ctx;

static mfh_mark mark_of(const ctx *c, const yaml_node_t *n) {
  mfh_mark m = {c->file, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
  return m;
}

static const char *node_kind(const yaml_node_t *n) {
  switch (n->type) {
    case YAML_SCALAR_NODE:
      return "a scalar";
    case YAML_SEQUENCE_NODE:
      return "a list";
    case YAML_MAPPING_NODE:
      return "a mapping";
    default:
      return "empty";
  }
}

static const char *scalar_text(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static int want(const ctx *c, const yaml_node_t *n, yaml_node_type_t type, const char *where) {
  if (n->type == type) return MFH_OK;
  const char *what = type == YAML_SCALAR_NODE     ? "a single value"
                     : type == YAML_SEQUENCE_NODE ? "a list"
                                                  : "a mapping (key: value lines)";
  return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "%s: must be %s, not %s", where, what,
                    node_kind(n));
}

/* Levenshtein distance, for "did you mean" suggestions. */
static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63) return 99;
  size_t d[64][64];
  for (size_t i = 0; i <= la; i++) d[i][0] = i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
      d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
    }
  return d[la][lb];
}

static void join_words(const char *const *words, char *buf, size_t len) {
  buf[0] = '\0';
  for (size_t i = 0; words[i]; i++) {
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, "%s%s", i ? ", " : "", words[i]);
  }
}

/* Check a mapping: keys are scalars, no duplicates, all in allowed (NULL =
 * any key). */
static int check_map(const ctx *c, const yaml_node_t *map, const char *where,
                     const char *const *allowed) {
  int rc = want(c, map, YAML_MAPPING_NODE, where);
  if (rc) return rc;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
    if (k->type != YAML_SCALAR_NODE)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "%s: keys must be plain names", where);
    for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
      yaml_node_t *k2 = yaml_document_get_node(c->doc, q->key);
      if (k2->type == YAML_SCALAR_NODE && strcmp(scalar_text(k), scalar_text(k2)) == 0)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "%s: duplicate key '%s' (first at line %d)",
                          where, scalar_text(k), (int)k2->start_mark.line + 1);
    }
    if (!allowed) continue;
    int ok = 0;
    const char *best = NULL;
    size_t bestd = 3;
    for (size_t i = 0; allowed[i]; i++) {
      if (strcmp(allowed[i], scalar_text(k)) == 0) ok = 1;
      size_t d = edit_distance(allowed[i], scalar_text(k));
      if (d < bestd) bestd = d, best = allowed[i];
    }
    if (!ok) {
      char list[512];
      join_words(allowed, list, sizeof list);
      if (best)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k),
                          "%s: unknown key '%s' (did you mean '%s'? allowed: %s)", where,
                          scalar_text(k), best, list);
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "%s: unknown key '%s' (allowed: %s)",
                        where, scalar_text(k), list);
    }
  }
  return MFH_OK;
}

static yaml_node_t *map_get(const ctx *c, const yaml_node_t *map, const char *key) {
  if (!map || map->type != YAML_MAPPING_NODE) return NULL;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
    if (k->type == YAML_SCALAR_NODE && strcmp(scalar_text(k), key) == 0)
      return yaml_document_get_node(c->doc, p->value);
  }
  return NULL;
}

/* A scalar child, required or optional (NULL when absent). */
static int get_text(const ctx *c, const yaml_node_t *map, const char *key, const char *where,
                    int required, const yaml_node_t *at, const char **out, yaml_node_t **node) {
  yaml_node_t *n = map_get(c, map, key);
  *out = NULL;
  if (node) *node = n;
  if (!n) {
    if (required)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, at), "%s: missing required key '%s'", where,
                        key);
    return MFH_OK;
  }
  char w[160];
  snprintf(w, sizeof w, "%s.%s", where, key);
  int rc = want(c, n, YAML_SCALAR_NODE, w);
  if (rc) return rc;
  *out = scalar_text(n);
  return MFH_OK;
}

/* Parse a real number; fractions "a/b" are allowed (proved: -1/2). */
static int parse_real(const ctx *c, const yaml_node_t *n, const char *where, double *out) {
  int rc = want(c, n, YAML_SCALAR_NODE, where);
  if (rc) return rc;
  if (mfh_number_parse(scalar_text(n), out))
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "%s: must be a number (got '%s')", where,
                      scalar_text(n));
  return MFH_OK;
}

/* An optional number under key in map, within [lo, hi] (default kept when absent). */
static int parse_real_key(const ctx *c, const yaml_node_t *map, const char *key, const char *where,
                          double lo, double hi, double *out) {
  yaml_node_t *n = map_get(c, map, key);
  if (!n) return MFH_OK; /* keep default */
  char w[160];
  snprintf(w, sizeof w, "%s.%s", where, key);
  int rc = parse_real(c, n, w, out);
  if (rc) return rc;
  if (!(*out >= lo && *out <= hi))
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "%s: must be in [%g, %g] (got %s)", w, lo,
                      hi, scalar_text(n));
  return MFH_OK;
}

static int parse_bool(const ctx *c, const yaml_node_t *n, const char *where, int *out) {
  int rc = want(c, n, YAML_SCALAR_NODE, where);
  if (rc) return rc;
  const char *t = scalar_text(n);
  if (!strcmp(t, "true") || !strcmp(t, "yes") || !strcmp(t, "on")) *out = 1;
  else if (!strcmp(t, "false") || !strcmp(t, "no") || !strcmp(t, "off")) *out = 0;
  else return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "%s: must be true or false (got '%s')", where, t);
  return MFH_OK;
}

static int parse_count(const ctx *c, const yaml_node_t *n, const char *where, double lo, double hi,
                       unsigned long long *out) {
  double x;
  int rc = parse_real(c, n, where, &x);
  if (rc) return rc;
  if (x != floor(x) || x < lo || x > hi)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "%s: must be an integer in [%.0f, %.0f] (got %s)",
                      where, lo, hi, scalar_text(n));
  *out = (unsigned long long)x;
  return MFH_OK;
}

/* An id names the folder <out>/<id> beside the run's own files (index.html,
 * junit.xml, summary.md, ...): lower-case letters, digits, '-', '_', '.',
 * starting with a letter or digit, never "..", and not ending like a file
 * name (a '.' followed by letters only). */
static int valid_id(const char *s) {
  size_t n = strlen(s);
  if (!n || n > 100 || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])) || strstr(s, ".."))
    return 0;
  for (const char *q = s; *q; q++)
    if (!(islower((unsigned char)*q) || isdigit((unsigned char)*q) || *q == '-' || *q == '_' || *q == '.'))
      return 0;
  const char *dot = strrchr(s, '.');
  if (dot) {
    const char *q = dot + 1;
    while (*q && islower((unsigned char)*q)) q++;
    if (!*q) return 0;
  }
  return 1;
}

/* ---- parameters ------------------------------------------------------ */

static const mfh_param_def *find_def(const mfh_param_def *defs, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(defs[i].name, name) == 0) return &defs[i];
  return NULL;
}

/* Definition of a model parameter of the study (of the first part that has it). */
static const mfh_param_def *shared_def(const mfh_study *s, const char *name, size_t *count);

static const mfh_param_def *study_def(const mfh_study *s, const char *name) {
  size_t count;
  return shared_def(s, name, &count);
}

static int set_defaults(mfh_study *s, const mfh_param_def *defs, size_t n, mfh_err *err) {
  for (size_t i = 0; i < n; i++) {
    if (!defs[i].def) continue;
    mfh_param_val v;
    mfh_mark none = {0};
    int rc = mfh_param_parse(&defs[i], defs[i].def, none, defs[i].name, &v, err);
    if (rc) return mfh_err_set(err, MFH_EINTERNAL, "bad default for %s: %s", defs[i].name, err->msg);
    if (mfh_params_put(&s->params, &v)) {
      free(v.str);
      return mfh_err_set(err, MFH_ENOMEM, "out of memory");
    }
  }
  return MFH_OK;
}

/* A free parameter of an open table (engine command): a number if it
 * parses as one, else text. */
static const mfh_param_def free_real = {"", MFH_PARAM_REAL, NULL, -INFINITY, INFINITY, 0, 0, NULL, "free parameter", 0};
static const mfh_param_def free_string = {"", MFH_PARAM_STRING, NULL, 0, 0, 0, 0, NULL, "free parameter", 0};

/* ---- sweep ----------------------------------------------------------- */

static int axis_value(const ctx *c, mfh_study *s, const char *axis, const mfh_param_def *d, double x,
                      const yaml_node_t *at, const char *where, double *out) {
  char text[64];
  if (d->kind == MFH_PARAM_INT) x = nearbyint(x);
  snprintf(text, sizeof text, "%.17g", x);
  mfh_param_val v;
  int rc = mfh_param_parse(d, text, mark_of(c, at), where, &v, c->err);
  if (rc) return rc;
  (void)s;
  (void)axis;
  *out = v.num;
  return MFH_OK;
}

static int parse_axis(const ctx *c, mfh_study *s, const yaml_node_t *k, const yaml_node_t *v,
                      const char *section, mfh_axis *ax) {
  const char *name = scalar_text(k);
  char where[160];
  snprintf(where, sizeof where, "%s.%s", section, name);
  const mfh_param_def *d = study_def(s, name);
  int open = s->parts[0].engine->open_params;
  if (!d && open) {
    const mfh_param_val *pv = mfh_params_find(&s->params, name);
    if (pv && pv->kind == MFH_PARAM_REAL) d = &free_real;
    else if (!pv)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k),
                        "%s: '%s' must also be given a (pinned) value in model", section, name);
  }
  if (!d)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "%s: '%s' is not a parameter of engine %s", section, name,
                      s->parts[0].engine->name);
  if (d->kind != MFH_PARAM_INT && d->kind != MFH_PARAM_REAL)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "%s: only numeric parameters can be swept",
                      where);
  snprintf(ax->name, sizeof ax->name, "%s", name);
  ax->mark = mark_of(c, k);
  free(ax->values);
  free(ax->marks);
  ax->values = NULL;
  ax->marks = NULL;
  ax->n = 0;
  double vals[4096];
  mfh_mark vmarks[4096];
  size_t n = 0;
  if (v->type == YAML_SEQUENCE_NODE) {
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
      yaml_node_t *e = yaml_document_get_node(c->doc, *it);
      if (n == 4096)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, e), "%s: at most 4096 values", where);
      double x;
      int rc = parse_real(c, e, where, &x);
      if (!rc) rc = axis_value(c, s, name, d, x, e, where, &vals[n]);
      if (rc) return rc;
      if (d->kind == MFH_PARAM_INT && vals[n] != x)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, e), "%s: must be a list of integers (got %s)",
                          where, scalar_text(e));
      vmarks[n] = mark_of(c, e);
      n++;
    }
  } else if (v->type == YAML_MAPPING_NODE) {
    static const char *const keys[] = {"from", "to", "factor", "count", NULL};
    int rc = check_map(c, v, where, keys);
    if (rc) return rc;
    yaml_node_t *nf = map_get(c, v, "from"), *nt = map_get(c, v, "to");
    yaml_node_t *nfac = map_get(c, v, "factor"), *ncount = map_get(c, v, "count");
    if (!nf || !nt)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, v), "%s: a range needs 'from' and 'to'", where);
    if (!!nfac == !!ncount)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, v),
                        "%s: a range needs exactly one of 'factor' (geometric step) or 'count'", where);
    double from, to;
    rc = parse_real(c, nf, where, &from);
    if (!rc) rc = parse_real(c, nt, where, &to);
    if (rc) return rc;
    if (!(from > 0) || !(to > 0))
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, from > 0 ? nt : nf),
                        "%s: a geometric range needs from > 0 and to > 0", where);
    double factor;
    if (nfac) {
      rc = parse_real(c, nfac, where, &factor);
      if (rc) return rc;
      if (!(factor > 0) || factor == 1 || (to > from) != (factor > 1) || from == to)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, nfac),
                          "%s.factor: must be > 1 when from < to and in (0, 1) when from > to (got %s)",
                          where, scalar_text(nfac));
      double steps = log(to / from) / log(factor);
      if (steps > 4095)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, nfac), "%s: more than 4096 values", where);
      size_t m = (size_t)floor(steps + 1e-9) + 1;
      for (size_t i = 0; i < m; i++) {
        vmarks[n] = mark_of(c, v);
        rc = axis_value(c, s, name, d, from * pow(factor, (double)i), nf, where, &vals[n++]);
        if (rc) return rc;
      }
    } else {
      unsigned long long cnt;
      rc = parse_count(c, ncount, "count", 2, 4096, &cnt);
      if (rc) return rc;
      for (size_t i = 0; i < cnt; i++) {
        double x = from * pow(to / from, (double)i / (double)(cnt - 1));
        if (i == cnt - 1) x = to;
        vmarks[n] = mark_of(c, v);
        rc = axis_value(c, s, name, d, x, nf, where, &vals[n++]);
        if (rc) return rc;
      }
    }
  } else {
    double x;
    int rc = parse_real(c, v, where, &x);
    vmarks[n] = mark_of(c, v);
    if (!rc) rc = axis_value(c, s, name, d, x, v, where, &vals[n++]);
    if (rc) return rc;
  }
  if (n == 0)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, v), "%s: empty sweep (give at least one value)",
                      where);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++)
      if (vals[i] == vals[j])
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, v),
                          "%s: value %.17g appears twice (after rounding to the parameter's type)",
                          where, vals[i]);
  for (size_t i = 2; i < n; i++)
    if ((vals[i] - vals[i - 1]) * (vals[1] - vals[0]) < 0)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, v),
                        "%s: values must go one way, coarse to fine (N up, eps or dt down)", where);
  /* The sweep order is the direction of refinement every check reads (a
   * rate's one-sided test, a constant's `from`).  Integer parameters are
   * counts and resolutions (N, M, n, nx, realisations): finer is larger, so
   * a descending integer sweep would be judged backwards (a false FAIL). */
  if (d->kind == MFH_PARAM_INT && n >= 2 && vals[1] < vals[0])
    return mfh_err_at(c->err, MFH_EINPUT, vmarks[1],
                      "%s: values go down (%.17g, %.17g, ...), but %s is an integer parameter (a count or a "
                      "resolution), refined upward: list it coarse to fine, ascending",
                      where, vals[0], vals[1], name);
  ax->values = malloc(n * sizeof *ax->values);
  ax->marks = malloc(n * sizeof *ax->marks);
  if (!ax->values || !ax->marks) return mfh_err_set(c->err, MFH_ENOMEM, "out of memory");
  memcpy(ax->values, vals, n * sizeof *vals);
  memcpy(ax->marks, vmarks, n * sizeof *vmarks);
  ax->n = n;
  ax->refine_dir = n < 2 ? 0 : (vals[1] > vals[0] ? 1 : -1);
  return MFH_OK;
}

static int parse_sweep(const ctx *c, mfh_study *s, const yaml_node_t *map, const char *section,
                       int base) {
  int rc = check_map(c, map, section, NULL);
  if (rc) return rc;
  if (base && map->data.mapping.pairs.start == map->data.mapping.pairs.top)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, map), "%s: empty sweep (name at least one axis)",
                      section);
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
    yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
    size_t i;
    for (i = 0; i < s->naxes; i++)
      if (strcmp(s->axes[i].name, scalar_text(k)) == 0) break;
    if (i == s->naxes) {
      if (!base)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k),
                          "%s: '%s' is not an axis of the base sweep (a profile may only change "
                          "the values of existing axes)",
                          section, scalar_text(k));
      if (s->naxes == MFH_MAX_AXES)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "%s: at most %d axes", section, MFH_MAX_AXES);
      s->naxes++;
    }
    rc = parse_axis(c, s, k, v, section, &s->axes[i]);
    if (rc) return rc;
  }
  return MFH_OK;
}

/* ---- checks ---------------------------------------------------------- */

static int check_axis(const ctx *c, mfh_study *s, const yaml_node_t *spec, const char *where,
                      int *axis) {
  const char *name;
  yaml_node_t *n;
  int rc = get_text(c, spec, "axis", where, 0, spec, &name, &n);
  if (rc) return rc;
  if (!name) {
    if (s->naxes == 1) {
      *axis = 0;
      return MFH_OK;
    }
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, spec),
                      "%s: the sweep has %zu axes: say which with 'axis:'", where, s->naxes);
  }
  for (size_t i = 0; i < s->naxes; i++)
    if (strcmp(s->axes[i].name, name) == 0) {
      *axis = (int)i;
      return MFH_OK;
    }
  return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "%s.axis: '%s' is not swept", where, name);
}

static int check_measure(const ctx *c, mfh_study *s, const yaml_node_t *spec, const char *where,
                         mfh_check_spec *ck) {
  const char *name;
  yaml_node_t *n;
  int rc = get_text(c, spec, "measure", where, 0, spec, &name, &n);
  if (rc) return rc;
  ck->measure = 0;
  ck->measure_mark = ck->mark;
  if (name) {
    ck->measure = mfh_study_measure(s, name);
    if (ck->measure < 0)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "%s.measure: '%s' is not one of the study's measures",
                        where, name);
    ck->measure_mark = mark_of(c, n);
  }
  snprintf(ck->measure_name, sizeof ck->measure_name, "%s", s->measures[ck->measure]);
  return MFH_OK;
}

/* `decided_at: quick|nightly|full`: where the study expects the check to
 * pass or fail; -2 when not given (parse_check then defaults it: quick for
 * an asserted check, no expectation for a labelled one, which is reported,
 * not asserted, as its kind's parse hook said through mfh_check_label). */
static int check_decided_at(const ctx *c, const yaml_node_t *spec, const char *where, mfh_check_spec *ck) {
  const char *name;
  yaml_node_t *n;
  int rc = get_text(c, spec, "decided_at", where, 0, spec, &name, &n);
  if (rc) return rc;
  ck->decided_at = -2;
  if (!name || (ck->decided_at = mfh_profile_index(name)) >= 0) return MFH_OK;
  return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n),
                    "%s.decided_at: must be quick, nightly or full (the first profile whose sweep decides "
                    "the check), got '%s'", where, name);
}

static void check_value(const ctx *c, const yaml_node_t *n, const char *key, mfh_check_value *v) {
  v->key = key;
  v->node = n->type == YAML_SCALAR_NODE     ? MFH_NODE_SCALAR
            : n->type == YAML_SEQUENCE_NODE ? MFH_NODE_LIST
            : n->type == YAML_MAPPING_NODE  ? MFH_NODE_MAP
                                            : MFH_NODE_EMPTY;
  v->text = n->type == YAML_SCALAR_NODE ? scalar_text(n) : "";
  v->mark = mark_of(c, n);
}

/* A check's settings (axis and measure left out) as plain values for its
 * kind's parse hook: *out holds the settings first, then the items of the
 * lists among them.  Pointers into the YAML document: free *out before it. */
static int check_values(const ctx *c, const yaml_node_t *spec, mfh_check_value **out, size_t *n) {
  yaml_node_pair_t *p0 = spec->data.mapping.pairs.start, *p1 = spec->data.mapping.pairs.top;
  size_t total = (size_t)(p1 - p0), k = total;
  for (yaml_node_pair_t *p = p0; p < p1; p++) {
    yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
    if (v->type == YAML_SEQUENCE_NODE) total += (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
  }
  mfh_check_value *vals = calloc(total ? total : 1, sizeof *vals);
  if (!vals) return mfh_err_set(c->err, MFH_ENOMEM, "out of memory");
  *n = 0;
  for (yaml_node_pair_t *p = p0; p < p1; p++) {
    const char *key = scalar_text(yaml_document_get_node(c->doc, p->key));
    yaml_node_t *node = yaml_document_get_node(c->doc, p->value);
    if (!strcmp(key, "axis") || !strcmp(key, "measure") || !strcmp(key, "decided_at")) continue;
    mfh_check_value *v = &vals[(*n)++];
    check_value(c, node, key, v);
    if (node->type != YAML_SEQUENCE_NODE) continue;
    v->items = &vals[k];
    for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++)
      check_value(c, yaml_document_get_node(c->doc, *it), NULL, &vals[k++]);
    v->nitems = (size_t)(&vals[k] - v->items);
  }
  *out = vals;
  return MFH_OK;
}

/* One `checks:` item: {KIND: {settings}}.  The keys axis and measure are
 * read here; the rest belong to the kind (a plug-in in checks/). */
static int parse_check(const ctx *c, mfh_study *s, const yaml_node_t *item, size_t idx,
                       mfh_check_spec *ck) {
  char where[64], known[256] = "", kinds[256] = "";
  for (size_t i = 0; mfh_checks[i]; i++) {
    size_t u = strlen(known), w = strlen(kinds);
    snprintf(known + u, sizeof known - u, "%s%s", i ? ", " : "", mfh_checks[i]->name);
    snprintf(kinds + w, sizeof kinds - w, "%s%s:", i ? ", " : "", mfh_checks[i]->name);
  }
  snprintf(where, sizeof where, "checks[%zu]", idx + 1);
  int rc = want(c, item, YAML_MAPPING_NODE, where);
  if (rc) return rc;
  if (item->data.mapping.pairs.top - item->data.mapping.pairs.start != 1)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, item),
                      "%s: each check is one of %s with its settings below it", where, kinds);
  yaml_node_t *k = yaml_document_get_node(c->doc, item->data.mapping.pairs.start->key);
  yaml_node_t *spec = yaml_document_get_node(c->doc, item->data.mapping.pairs.start->value);
  memset(ck, 0, sizeof *ck);
  ck->mark = mark_of(c, k);
  ck->axis = -1;
  ck->type = k->type == YAML_SCALAR_NODE ? mfh_check_find(scalar_text(k)) : NULL;
  if (!ck->type)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "%s: unknown check '%s' (known: %s)", where,
                      k->type == YAML_SCALAR_NODE ? scalar_text(k) : "?", known);
  const mfh_check_type *t = ck->type;
  snprintf(where, sizeof where, "checks[%zu].%s", idx + 1, t->name);
  const char *keys[32];
  size_t nk = 0;
  if (t->axis) keys[nk++] = "axis";
  keys[nk++] = "measure";
  keys[nk++] = "decided_at";
  for (size_t i = 0; i < t->nsettings && nk + 1 < sizeof keys / sizeof keys[0]; i++) keys[nk++] = t->settings[i].name;
  keys[nk] = NULL;
  if ((rc = check_map(c, spec, where, keys))) return rc;
  if (t->axis && (rc = check_axis(c, s, spec, where, &ck->axis))) return rc;
  if ((rc = check_measure(c, s, spec, where, ck))) return rc;
  if ((rc = check_decided_at(c, spec, where, ck))) return rc;
  if (!(ck->data = calloc(1, t->size ? t->size : 1))) return mfh_err_set(c->err, MFH_ENOMEM, "out of memory");
  mfh_check_value *vals = NULL;
  size_t nvals = 0;
  if ((rc = check_values(c, spec, &vals, &nvals))) return rc;
  const mfh_axis *ax = ck->axis >= 0 ? &s->axes[ck->axis] : NULL;
  int reported = 0;
  mfh_check_input in = {.where = where, .mark = ck->mark, .spec_mark = mark_of(c, spec),
                        .n = nvals, .values = vals,
                        .axis_name = ax ? ax->name : NULL, .axis_n = ax ? ax->n : 0,
                        .axis_values = ax ? ax->values : NULL,
                        .params = &s->params, .constants = &s->constants, .solver = s->parts[0].engine->name,
                        .find_bound = mfh_bound_find, .reported = &reported};
  rc = t->parse(&in, ck->data, c->err);
  free(vals);
  if (ck->decided_at == -2) ck->decided_at = reported ? -1 : 0;
  return rc;
}

/* ---- parts: system, references, observables, derived measures ---------- */

const char *const mfh_ref_kind_names[] = {"system", "refined", "coupled", "engine", "twin"};

static void list_names(char *buf, size_t len, size_t n, const char *(*name_at)(size_t)) {
  buf[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    size_t u = strlen(buf);
    snprintf(buf + u, len - u, "%s%s", i ? ", " : "", name_at(i));
  }
}
static const char *engine_name_at(size_t i) { return mfh_engines[i]->name; }
static const char *obs_name_at(size_t i) { return mfh_obs_types[i]->name; }
static size_t count_engines(void) {
  size_t n = 0;
  while (mfh_engines[n]) n++;
  return n;
}
static size_t count_obs(void) {
  size_t n = 0;
  while (mfh_obs_types[n]) n++;
  return n;
}

static int lookup_engine(const ctx *c, const yaml_node_t *n, const char *where, const mfh_engine_type **out) {
  int rc = want(c, n, YAML_SCALAR_NODE, where);
  if (rc) return rc;
  if ((*out = mfh_engine_find(scalar_text(n)))) return MFH_OK;
  char list[512];
  list_names(list, sizeof list, count_engines(), engine_name_at);
  return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "%s: unknown engine '%s' (known: %s; `mfh list engines`)",
                    where, scalar_text(n), list);
}

/* Bind one parameter of a component's own table into ps. */
static int bind_own(const ctx *c, const mfh_param_def *defs, size_t ndefs, int open, const char *owner,
                    const yaml_node_t *k, const yaml_node_t *v, const char *section, mfh_params *ps) {
  const char *name = scalar_text(k);
  char where[160];
  snprintf(where, sizeof where, "%s.%s", section, name);
  const mfh_param_def *d = find_def(defs, ndefs, name);
  mfh_param_def tmp;
  int rc = want(c, v, YAML_SCALAR_NODE, where);
  if (rc) return rc;
  if (!d) {
    if (!open) {
      char list[512] = "";
      for (size_t i = 0; i < ndefs; i++) {
        size_t u = strlen(list);
        snprintf(list + u, sizeof list - u, "%s%s", u ? ", " : "", defs[i].name);
      }
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "%s: '%s' is not a parameter of %s (parameters: %s)",
                        section, name, owner, list[0] ? list : "none");
    }
    char *end;
    strtod(scalar_text(v), &end);
    tmp = (*scalar_text(v) && !*end) ? free_real : free_string;
    tmp.name = name;
    d = &tmp;
  }
  mfh_param_val val;
  if ((rc = mfh_param_parse(d, scalar_text(v), mark_of(c, v), where, &val, c->err))) return rc;
  if (d == &tmp) val.def = NULL;
  if (mfh_params_put(ps, &val)) {
    free(val.str);
    return mfh_err_set(c->err, MFH_ENOMEM, "out of memory");
  }
  return MFH_OK;
}

/* `refined: {dt: 8, n: 2}` (or `refine:` on any reference): parameters the
 * engine declares refinable (MFH_PARAM_STEP divided, MFH_PARAM_GRID
 * multiplied) and their factors. */
static int parse_refine(const ctx *c, const yaml_node_t *kn, const char *w, mfh_part *pt) {
  int rc;
  if ((rc = check_map(c, kn, w, NULL))) return rc;
  for (yaml_node_pair_t *p = kn->data.mapping.pairs.start; p < kn->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
    const mfh_param_def *d = find_def(pt->engine->params, pt->engine->nparams, scalar_text(k));
    if (!d || !(d->flags & (MFH_PARAM_STEP | MFH_PARAM_GRID))) {
      char list[256] = "";
      for (size_t i = 0; i < pt->engine->nparams; i++)
        if (pt->engine->params[i].flags & (MFH_PARAM_STEP | MFH_PARAM_GRID)) {
          size_t u = strlen(list);
          snprintf(list + u, sizeof list - u, "%s%s", u ? ", " : "", pt->engine->params[i].name);
        }
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "%s: engine %s cannot refine '%s' (refinable: %s)", w,
                        pt->engine->name, scalar_text(k), list[0] ? list : "none");
    }
    if (pt->nrefine == MFH_MAX_REFINE)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "%s: at most %d parameters", w, MFH_MAX_REFINE);
    double f;
    char wf[200];
    snprintf(wf, sizeof wf, "%s.%s", w, scalar_text(k));
    if ((rc = parse_real(c, v, wf, &f))) return rc;
    if (!(f > 1) || f > 1024 || ((d->flags & MFH_PARAM_GRID) && f != floor(f)))
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, v), "%s: the factor must be %s in (1, 1024] (got %s)", wf,
                        (d->flags & MFH_PARAM_GRID) ? "an integer" : "a number", scalar_text(v));
    snprintf(pt->refine_param[pt->nrefine], 64, "%s", scalar_text(k));
    pt->refine_factor[pt->nrefine] = f;
    pt->refine_divide[pt->nrefine] = (d->flags & MFH_PARAM_STEP) != 0;
    pt->nrefine++;
  }
  if (!pt->nrefine)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, kn), "%s: name at least one parameter and its factor", w);
  return MFH_OK;
}

/* A part: `system: ENGINE`, `system: {engine: ENGINE, params...}`, or a
 * reference `twin` / {refined: {dt: 8}} / {coupled: ENGINE, perturb: d,
 * params...} / {engine: ENGINE, params...} / {twin: true, params...}. */
static int parse_part(const ctx *c, mfh_study *s, const yaml_node_t *n, const char *where, int is_system,
                      mfh_part *pt) {
  int rc;
  pt->mark = mark_of(c, n);
  if (n->type == YAML_SCALAR_NODE) {
    if (is_system) {
      pt->kind = MFH_PART_SYSTEM;
      return lookup_engine(c, n, where, &pt->engine);
    }
    if (strcmp(scalar_text(n), "twin") != 0)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n),
                        "%s: a reference is `twin` or a mapping with one of refined:, coupled:, engine:, twin: "
                        "(got '%s')",
                        where, scalar_text(n));
    pt->kind = MFH_REF_TWIN;
    pt->engine = s->parts[0].engine;
    return MFH_OK;
  }
  if ((rc = check_map(c, n, where, NULL))) return rc;
  yaml_node_t *kn = NULL;
  if (is_system) {
    pt->kind = MFH_PART_SYSTEM;
    if (!(kn = map_get(c, n, "engine")))
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "%s: missing required key 'engine'", where);
    if ((rc = lookup_engine(c, kn, where, &pt->engine))) return rc;
  } else {
    static const char *const kinds[] = {"refined", "coupled", "engine", "twin", NULL};
    int found = 0;
    for (int k = 0; kinds[k]; k++) {
      yaml_node_t *v = map_get(c, n, kinds[k]);
      if (!v) continue;
      if (found++)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, v),
                          "%s: give one of refined:, coupled:, engine:, twin: (not two)", where);
      kn = v;
      pt->kind = k == 0 ? MFH_REF_REFINED : k == 1 ? MFH_REF_COUPLED : k == 2 ? MFH_REF_ENGINE : MFH_REF_TWIN;
    }
    if (!found)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n),
                        "%s: say how the reference is made: refined: {dt: 8}, coupled: ENGINE, engine: ENGINE "
                        "or twin: true",
                        where);
    char w[160];
    snprintf(w, sizeof w, "%s.%s", where, mfh_ref_kind_names[pt->kind]);
    if (pt->kind == MFH_REF_COUPLED || pt->kind == MFH_REF_ENGINE) {
      if ((rc = lookup_engine(c, kn, w, &pt->engine))) return rc;
    } else if (pt->kind == MFH_REF_TWIN) {
      int yes = 0;
      if ((rc = parse_bool(c, kn, w, &yes))) return rc;
      if (!yes) return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, kn), "%s: must be true", w);
      pt->engine = s->parts[0].engine;
    } else {
      pt->engine = s->parts[0].engine;
      if ((rc = parse_refine(c, kn, w, pt))) return rc;
    }
  }
  /* the part's own parameters: every other key */
  for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
    const char *key = scalar_text(k);
    if (v == kn) continue;
    if (!is_system && !strcmp(key, "refine")) {
      char w[160];
      snprintf(w, sizeof w, "%s.refine", where);
      if (pt->kind == MFH_REF_REFINED)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "%s: give the factors in refined: itself", w);
      if ((rc = parse_refine(c, v, w, pt))) return rc;
      continue;
    }
    if (!is_system && !strcmp(key, "perturb")) {
      char w[160];
      snprintf(w, sizeof w, "%s.perturb", where);
      if (pt->kind != MFH_REF_COUPLED)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "%s: only a coupled reference starts from a perturbed state",
                          w);
      if ((rc = parse_real(c, v, w, &pt->perturb))) return rc;
      if (!(pt->perturb > 0))
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, v), "%s: must be > 0 (got %s)", w, scalar_text(v));
      continue;
    }
    if (pt->kind == MFH_REF_REFINED)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k),
                        "%s: a refined reference is the system with only its refined parameters changed; '%s' "
                        "does not belong here",
                        where, key);
    char owner[96];
    snprintf(owner, sizeof owner, "engine %s", pt->engine->name);
    if ((rc = bind_own(c, pt->engine->params, pt->engine->nparams, pt->engine->open_params, owner, k, v, where,
                       &pt->own)))
      return rc;
  }
  return MFH_OK;
}

/* Index of a part by name, or -1. */
static int part_index(const mfh_study *s, const char *name) {
  for (size_t i = 0; i < s->nparts; i++)
    if (!strcmp(s->parts[i].name, name)) return (int)i;
  return -1;
}

/* One observable: NAME or {name: NAME, between: [A, B], as: {from: to}, params...}. */
static int parse_obs(const ctx *c, mfh_study *s, const yaml_node_t *n, const char *where, mfh_obs_spec *o) {
  int rc;
  o->mark = mark_of(c, n);
  o->part[0] = 0;
  o->part[1] = s->nparts > 1 ? 1 : -1;
  const yaml_node_t *nn = n, *between = NULL;
  if (n->type == YAML_MAPPING_NODE) {
    if ((rc = check_map(c, n, where, NULL))) return rc;
    if (!(nn = map_get(c, n, "name")))
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "%s: missing required key 'name'", where);
    between = map_get(c, n, "between");
  }
  if ((rc = want(c, nn, YAML_SCALAR_NODE, where))) return rc;
  if (!(o->type = mfh_obs_find(scalar_text(nn)))) {
    char list[512];
    list_names(list, sizeof list, count_obs(), obs_name_at);
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, nn),
                      "%s: unknown observable '%s' (known: %s; `mfh list observables`)", where, scalar_text(nn), list);
  }
  if (between) {
    char w[160];
    snprintf(w, sizeof w, "%s.between", where);
    if ((rc = want(c, between, YAML_SEQUENCE_NODE, w))) return rc;
    size_t m = 0;
    for (yaml_node_item_t *it = between->data.sequence.items.start; it < between->data.sequence.items.top; it++) {
      yaml_node_t *e = yaml_document_get_node(c->doc, *it);
      if (m == 2) return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, e), "%s: at most two parts", w);
      if ((rc = want(c, e, YAML_SCALAR_NODE, w))) return rc;
      int idx = part_index(s, scalar_text(e));
      if (idx < 0) {
        char list[256] = "";
        for (size_t i = 0; i < s->nparts; i++) {
          size_t u = strlen(list);
          snprintf(list + u, sizeof list - u, "%s%s", i ? ", " : "", s->parts[i].name);
        }
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, e), "%s: '%s' is not a part of the study (parts: %s)", w,
                          scalar_text(e), list);
      }
      o->part[m++] = idx;
    }
    if (m == 1) o->part[1] = -1;
  }
  /* its own parameters */
  if (n->type == YAML_MAPPING_NODE)
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
      yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
      const char *key = scalar_text(k);
      if (!strcmp(key, "name") || !strcmp(key, "between") || !strcmp(key, "as")) continue;
      if (!strcmp(key, "items")) {
        yaml_node_t *iv = yaml_document_get_node(c->doc, p->value);
        char w[160];
        snprintf(w, sizeof w, "%s.items", where);
        static const char *const roles[] = {"a", "b", NULL};
        if ((rc = check_map(c, iv, w, roles))) return rc;
        for (int r = 0; r < 2; r++) {
          yaml_node_t *in = map_get(c, iv, roles[r]);
          if (!in) continue;
          char wr[200];
          snprintf(wr, sizeof wr, "%s.%s", w, roles[r]);
          if ((rc = want(c, in, YAML_SCALAR_NODE, wr))) return rc;
          if (strlen(scalar_text(in)) >= MFH_ITEM_NAME)
            return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, in), "%s: name too long", wr);
          snprintf(o->item[r], MFH_ITEM_NAME, "%s", scalar_text(in));
        }
        continue;
      }
      char owner[96];
      snprintf(owner, sizeof owner, "observable %s", o->type->name);
      if ((rc = bind_own(c, o->type->params, o->type->nparams, 0, owner, k, yaml_document_get_node(c->doc, p->value),
                         where, &o->own)))
        return rc;
    }
  return MFH_OK;
}

/* For an output the engine of part pi does not produce at the pinned point:
 * the first other choice of one of its parameters with which it would, as
 * " (it does with wave: yes)"; "" when none does. */
static void produce_hint(const mfh_study *s, size_t pi, const mfh_kind *k, const char *item, char *buf,
                         size_t len) {
  buf[0] = '\0';
  const mfh_engine_type *e = s->parts[pi].engine;
  if (!e->declare) return;
  for (size_t q = 0; q < e->nparams && !buf[0]; q++) {
    const mfh_param_def *d = &e->params[q];
    if (d->kind != MFH_PARAM_CHOICE || !d->choices) continue;
    char choices[256];
    snprintf(choices, sizeof choices, "%s", d->choices);
    for (char *save = NULL, *w = strtok_r(choices, "|", &save); w && !buf[0]; w = strtok_r(NULL, "|", &save)) {
      mfh_params ep;
      mfh_err quiet;
      mfh_err_clear(&quiet);
      if (mfh_part_params(s, pi, &s->params, &ep, &quiet)) return;
      const mfh_param_val *cur = mfh_params_find(&ep, d->name);
      mfh_param_val v = {.def = d, .kind = MFH_PARAM_CHOICE, .str = strdup(w)};
      snprintf(v.name, sizeof v.name, "%s", d->name);
      const char *bad = NULL;
      mfh_decl dd = {0};
      if ((!cur || !cur->str || strcmp(cur->str, w)) && v.str && mfh_params_put(&ep, &v) == MFH_OK &&
          !(e->validate && e->validate(&ep, &bad, &quiet)) && e->declare(&ep, &dd, &quiet) == MFH_OK &&
          mfh_decl_find(&dd, k, item) >= 0)
        snprintf(buf, len, " (it does with %s: %s)", d->name, w);
      free(v.str);
      mfh_params_free(&ep);
    }
  }
}

/* The second half of an observable: what it reads against what its parts
 * declare (at the pinned point), then its outputs and renames. */
static int join_obs(const ctx *c, mfh_study *s, const yaml_node_t *n, const char *where, mfh_obs_spec *o) {
  int rc;
  const yaml_node_t *nn = n->type == YAML_MAPPING_NODE ? map_get(c, n, "name") : n;
  const yaml_node_t *as = n->type == YAML_MAPPING_NODE ? map_get(c, n, "as") : NULL;
  /* the parts' declarations against what the observable reads */
  char needs[256];
  snprintf(needs, sizeof needs, "%s", o->type->needs);
  for (char *save = NULL, *w = strtok_r(needs, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
    char *colon = strchr(w, ':');
    if (!colon) return mfh_err_set(c->err, MFH_EINTERNAL, "observable %s: bad needs '%s'", o->type->name, w);
    *colon = '\0';
    int role = !strcmp(w, "a") ? MFH_ROLE_A : !strcmp(w, "b") ? MFH_ROLE_B : !strcmp(w, "a0") ? MFH_ROLE_A0 : MFH_ROLE_B0;
    int pi = o->part[role & 1];
    if (role >= MFH_ROLE_A0) o->needs_initial = 1;
    if (pi < 0)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, nn),
                        "%s: observable %s compares two states, but the study has no reference to compare with "
                        "(add reference: or between: [A, B])",
                        where, o->type->name);
    if (!strcmp(colon + 1, "scalars")) continue;
    const mfh_kind *k = mfh_kind_find(colon + 1);
    if (!k) return mfh_err_set(c->err, MFH_EINTERNAL, "observable %s: unknown kind '%s'", o->type->name, colon + 1);
    const char *item = o->item[role & 1][0] ? o->item[role & 1] : NULL;
    if (mfh_decl_find(&s->parts[pi].decl, k, item) < 0) {
      char hint[160];
      produce_hint(s, (size_t)pi, k, item, hint, sizeof hint);
      if (item)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, nn),
                          "%s: observable %s reads the %s '%s' of %s, which engine %s does not produce with these "
                          "parameters%s",
                          where, o->type->name, k->name, item, s->parts[pi].name, s->parts[pi].engine->name, hint);
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, nn),
                        "%s: observable %s needs a %s from %s, which engine %s does not produce with these "
                        "parameters%s",
                        where, o->type->name, k->name, s->parts[pi].name, s->parts[pi].engine->name, hint);
    }
    if (role >= MFH_ROLE_A0 && !s->stream_param)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, nn),
                        "%s: observable %s compares with the initial state, but engine %s has no time parameter",
                        where, o->type->name, s->parts[0].engine->name);
  }
  /* outputs ("*": the scalars of part a), then renames */
  if (!strcmp(o->type->outputs, "*")) {
    const mfh_decl *d = &s->parts[o->part[0]].decl;
    for (size_t i = 0; i < d->nscalars && o->nout < MFH_DECL_SCALARS; i++, o->nout++) {
      snprintf(o->out[o->nout], MFH_NAME_MAX, "%s", d->scalar[i]);
      snprintf(o->from[o->nout], MFH_NAME_MAX, "%s", d->scalar[i]);
    }
  } else {
    mfh_decl tmp = {0};
    if (mfh_decl_scalars(&tmp, o->type->outputs))
      return mfh_err_set(c->err, MFH_EINTERNAL, "observable %s: bad outputs", o->type->name);
    for (size_t i = 0; i < tmp.nscalars; i++, o->nout++) {
      snprintf(o->out[o->nout], MFH_NAME_MAX, "%s", tmp.scalar[i]);
      snprintf(o->from[o->nout], MFH_NAME_MAX, "%s", tmp.scalar[i]);
    }
  }
  if (as) {
    char w[160];
    snprintf(w, sizeof w, "%s.as", where);
    if ((rc = check_map(c, as, w, NULL))) return rc;
    for (yaml_node_pair_t *p = as->data.mapping.pairs.start; p < as->data.mapping.pairs.top; p++) {
      yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
      if ((rc = want(c, v, YAML_SCALAR_NODE, w))) return rc;
      size_t i;
      for (i = 0; i < o->nout; i++)
        if (!strcmp(o->from[i], scalar_text(k))) break;
      if (i == o->nout)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "%s: observable %s has no output '%s'", w, o->type->name,
                          scalar_text(k));
      if (strlen(scalar_text(v)) >= MFH_NAME_MAX || !*scalar_text(v))
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, v), "%s: bad name '%s'", w, scalar_text(v));
      snprintf(o->out[i], MFH_NAME_MAX, "%s", scalar_text(v));
    }
  }
  return MFH_OK;
}


/* 1 if some observable (after renaming) or derived measure gives name. */
static int output_exists(const mfh_study *s, const char *name, size_t nderived) {
  for (size_t i = 0; i < s->nobs; i++)
    for (size_t j = 0; j < s->obs[i].nout; j++)
      if (!strcmp(s->obs[i].out[j], name)) return 1;
  for (size_t i = 0; i < nderived; i++)
    if (!strcmp(s->derived[i].name, name)) return 1;
  return 0;
}

static void output_list(const mfh_study *s, char *buf, size_t len) {
  buf[0] = '\0';
  for (size_t i = 0; i < s->nobs; i++)
    for (size_t j = 0; j < s->obs[i].nout; j++) {
      size_t u = strlen(buf);
      snprintf(buf + u, len - u, "%s%s", u ? " " : "", s->obs[i].out[j]);
    }
  for (size_t i = 0; i < s->nderived; i++) {
    size_t u = strlen(buf);
    snprintf(buf + u, len - u, "%s%s", u ? " " : "", s->derived[i].name);
  }
}

static int parse_derived(const ctx *c, mfh_study *s, const yaml_node_t *map) {
  int rc = check_map(c, map, "derive", NULL);
  if (rc) return rc;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
    char w[160];
    snprintf(w, sizeof w, "derive.%s", scalar_text(k));
    if ((rc = want(c, v, YAML_SCALAR_NODE, w))) return rc;
    if (s->nderived == MFH_MAX_DERIVED)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "derive: at most %d measures", MFH_MAX_DERIVED);
    if (strlen(scalar_text(k)) >= MFH_NAME_MAX || output_exists(s, scalar_text(k), s->nderived) ||
        mfh_params_find(&s->params, scalar_text(k)))
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "%s: the name is too long or already used", w);
    mfh_derived *d = &s->derived[s->nderived];
    snprintf(d->name, sizeof d->name, "%s", scalar_text(k));
    if (strlen(scalar_text(v)) >= sizeof d->text)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, v), "%s: formula too long", w);
    snprintf(d->text, sizeof d->text, "%s", scalar_text(v));
    d->mark = mark_of(c, v);
    int col = 0;
    mfh_err e;
    mfh_err_clear(&e);
    if ((rc = mfh_expr_parse(d->text, &d->expr, &col, &e))) {
      mfh_mark m = mark_of(c, v);
      m.col += col > 0 ? col - 1 : 0;
      return mfh_err_at(c->err, rc, m, "%s: %s", w, e.msg);
    }
    s->nderived++;
    for (size_t i = 0; i < mfh_expr_nvars(d->expr); i++) {
      const char *var = mfh_expr_var(d->expr, i);
      if (output_exists(s, var, s->nderived - 1) || mfh_params_find(&s->params, var) ||
          mfh_values_get(&s->constants, var))
        continue;
      char outs[1024];
      output_list(s, outs, sizeof outs);
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, v),
                        "%s: unknown name '%s' (a formula may use the measured values %s, earlier derived "
                        "measures, the model's parameters and the engine's constants)",
                        w, var, outs);
    }
  }
  return MFH_OK;
}

/* The study's shared parameters: the defaults of every part's engine and
 * every observable (the system's first), then model: values, each checked
 * against every table that declares the name. */
static const mfh_param_def *shared_def(const mfh_study *s, const char *name, size_t *count) {
  const mfh_param_def *first = NULL;
  *count = 0;
  for (size_t i = 0; i < s->nparts; i++) {
    const mfh_param_def *d = find_def(s->parts[i].engine->params, s->parts[i].engine->nparams, name);
    if (d && !first) first = d;
    *count += d != NULL;
  }
  for (size_t i = 0; i < s->nobs; i++) {
    const mfh_param_def *d = find_def(s->obs[i].type->params, s->obs[i].type->nparams, name);
    if (d && !first) first = d;
    *count += d != NULL;
  }
  return first;
}

static int bind_model(const ctx *c, mfh_study *s, const yaml_node_t *map, const char *section) {
  if (!map) return MFH_OK;
  int rc = check_map(c, map, section, NULL);
  if (rc) return rc;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
    size_t count;
    const mfh_param_def *d = shared_def(s, scalar_text(k), &count);
    char where[160];
    snprintf(where, sizeof where, "%s.%s", section, scalar_text(k));
    if (!d && !s->parts[0].engine->open_params) {
      char list[1024] = "";
      for (size_t i = 0; i < s->nparts; i++) {
        size_t u = strlen(list);
        snprintf(list + u, sizeof list - u, "%s%s", u ? "; " : "", s->parts[i].engine->name);
        for (size_t j = 0; j < s->parts[i].engine->nparams; j++) {
          u = strlen(list);
          snprintf(list + u, sizeof list - u, "%s%s", j ? ", " : ": ", s->parts[i].engine->params[j].name);
        }
      }
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k),
                        "%s: '%s' is not a parameter of any part of the study (%s)", section, scalar_text(k), list);
    }
    if ((rc = bind_own(c, d ? d : NULL, d ? 1 : 0, 1, "the study", k, v, section, &s->params))) return rc;
    if (!d) continue;
    /* every other table that declares it must accept the value too */
    mfh_param_val tmp;
    for (size_t i = 0; i < s->nparts; i++) {
      const mfh_param_def *e = find_def(s->parts[i].engine->params, s->parts[i].engine->nparams, scalar_text(k));
      if (!e || e == d) continue;
      if ((rc = mfh_param_parse(e, scalar_text(v), mark_of(c, v), where, &tmp, c->err))) return rc;
      free(tmp.str);
    }
    for (size_t i = 0; i < s->nobs; i++) {
      const mfh_param_def *e = find_def(s->obs[i].type->params, s->obs[i].type->nparams, scalar_text(k));
      if (!e || e == d) continue;
      if ((rc = mfh_param_parse(e, scalar_text(v), mark_of(c, v), where, &tmp, c->err))) return rc;
      free(tmp.str);
    }
  }
  return MFH_OK;
}

static int shared_defaults(mfh_study *s, mfh_err *err) {
  for (size_t i = 0; i < s->nparts; i++) {
    int rc = set_defaults(s, s->parts[i].engine->params, s->parts[i].engine->nparams, err);
    if (rc) return rc;
  }
  for (size_t i = 0; i < s->nobs; i++) {
    int rc = set_defaults(s, s->obs[i].type->params, s->obs[i].type->nparams, err);
    if (rc) return rc;
  }
  return MFH_OK;
}

/* Copy the values of the names a table declares from src into dst; an
 * open table (a command's) takes every value, other parts' parameters
 * included, so that its template may name any model parameter. */
static int take_declared(mfh_params *dst, const mfh_param_def *defs, size_t n, const mfh_params *src, int open) {
  for (size_t i = 0; i < src->n; i++) {
    const mfh_param_def *d = find_def(defs, n, src->v[i].name);
    if (!d && !open) continue;
    mfh_param_val v = src->v[i];
    v.str = src->v[i].str ? strdup(src->v[i].str) : NULL;
    if (src->v[i].str && !v.str) return MFH_ENOMEM;
    if (d) {
      v.def = d;
      v.kind = d->kind;
    }
    if (mfh_params_put(dst, &v)) {
      free(v.str);
      return MFH_ENOMEM;
    }
  }
  return MFH_OK;
}

static int table_defaults(mfh_params *out, const mfh_param_def *defs, size_t n, mfh_err *err) {
  for (size_t i = 0; i < n; i++) {
    if (!defs[i].def) continue;
    mfh_param_val v;
    mfh_mark none = {0};
    if (mfh_param_parse(&defs[i], defs[i].def, none, defs[i].name, &v, err))
      return mfh_err_set(err, MFH_EINTERNAL, "bad default for %s: %s", defs[i].name, err->msg);
    if (mfh_params_put(out, &v)) {
      free(v.str);
      return mfh_err_set(err, MFH_ENOMEM, "out of memory");
    }
  }
  return MFH_OK;
}

int mfh_part_params(const mfh_study *s, size_t i, const mfh_params *point, mfh_params *out, mfh_err *err) {
  const mfh_part *pt = &s->parts[i];
  const mfh_engine_type *e = pt->engine;
  memset(out, 0, sizeof *out);
  int rc = table_defaults(out, e->params, e->nparams, err);
  if (!rc && take_declared(out, e->params, e->nparams, point, e->open_params)) rc = MFH_ENOMEM;
  /* refined and twin references start from the system's own values */
  if (!rc && (pt->kind == MFH_REF_REFINED || pt->kind == MFH_REF_TWIN) &&
      take_declared(out, e->params, e->nparams, &s->parts[0].own, e->open_params))
    rc = MFH_ENOMEM;
  if (!rc && take_declared(out, e->params, e->nparams, &pt->own, e->open_params)) rc = MFH_ENOMEM;
  for (size_t r = 0; !rc && r < pt->nrefine; r++) {
    mfh_param_val *v = (mfh_param_val *)mfh_params_find(out, pt->refine_param[r]);
    if (!v) {
      rc = mfh_err_set(err, MFH_EINTERNAL, "refined parameter %s has no value", pt->refine_param[r]);
      break;
    }
    v->num = pt->refine_divide[r] ? v->num / pt->refine_factor[r] : v->num * pt->refine_factor[r];
  }
  if (rc == MFH_ENOMEM) mfh_err_set(err, MFH_ENOMEM, "out of memory");
  if (rc) mfh_params_free(out);
  return rc;
}

int mfh_obs_params(const mfh_study *s, size_t i, const mfh_params *point, mfh_params *out, mfh_err *err) {
  const mfh_obs_spec *o = &s->obs[i];
  memset(out, 0, sizeof *out);
  int rc = table_defaults(out, o->type->params, o->type->nparams, err);
  if (!rc && take_declared(out, o->type->params, o->type->nparams, point, 0)) rc = MFH_ENOMEM;
  if (!rc && take_declared(out, o->type->params, o->type->nparams, &o->own, 0)) rc = MFH_ENOMEM;
  if (rc == MFH_ENOMEM) mfh_err_set(err, MFH_ENOMEM, "out of memory");
  if (rc) mfh_params_free(out);
  return rc;
}

/* Run every part's and observable's validation at a point; on failure
 * the message is placed at the offending value's mark (or fallback). */
static int validate_point(const ctx *c, mfh_study *s, const mfh_params *pt, mfh_mark fallback, const mfh_axis *ax,
                          size_t j, int declare) {
  for (size_t i = 0; i < s->nparts; i++) {
    mfh_params ep;
    int rc = mfh_part_params(s, i, pt, &ep, c->err);
    if (rc) return rc;
    const char *bad = NULL;
    mfh_err verr;
    mfh_err_clear(&verr);
    const mfh_engine_type *e = s->parts[i].engine;
    /* required parameters */
    for (size_t k = 0; !rc && k < e->nparams; k++)
      if (!mfh_params_find(&ep, e->params[k].name)) {
        bad = e->params[k].name;
        rc = mfh_err_set(&verr, MFH_EINPUT, "%s: engine %s needs a value for '%s' (%s)", s->parts[i].name, e->name,
                         e->params[k].name, e->params[k].doc);
      }
    if (!rc && e->validate && (rc = e->validate(&ep, &bad, &verr)))
      if (strncmp(verr.msg, s->parts[i].name, strlen(s->parts[i].name)) != 0 && i > 0)
        mfh_err_prefix(&verr, "%s (engine %s)", s->parts[i].name, e->name);
    mfh_decl d = {0};
    if (!rc && e->declare && (rc = e->declare(&ep, &d, &verr)) == MFH_OK) {
      if (declare)
        s->parts[i].decl = d;
      else if (memcmp(&d, &s->parts[i].decl, sizeof d) != 0)
        rc = mfh_err_set(&verr, MFH_EINPUT, "%s: engine %s produces different outputs at this sweep point than at "
                         "the pinned one: sweep a parameter that does not change what it computes",
                         s->parts[i].name, e->name);
    }
    if (rc) {
      const mfh_param_val *v = bad ? mfh_params_find(&ep, bad) : NULL;
      /* the value's place; for a parameter left at its default, the part's */
      mfh_mark m = v && v->mark.file ? v->mark : s->parts[i].mark.file ? s->parts[i].mark : fallback;
      if (ax && bad && !strcmp(bad, ax->name)) m = ax->marks[j];
      mfh_params_free(&ep);
      return mfh_err_at(c->err, rc, m, "%s", verr.msg);
    }
    mfh_params_free(&ep);
  }
  return MFH_OK;
}

static int validate_obs(const ctx *c, mfh_study *s, const mfh_params *pt, mfh_mark fallback) {
  for (size_t i = 0; i < s->nobs; i++) {
    const mfh_obs_spec *o = &s->obs[i];
    if (!o->type->validate) continue;
    mfh_params op;
    int rc = mfh_obs_params(s, i, pt, &op, c->err);
    if (rc) return rc;
    const mfh_decl *decl[MFH_NROLES] = {&s->parts[o->part[0]].decl, o->part[1] >= 0 ? &s->parts[o->part[1]].decl : NULL,
                                        &s->parts[o->part[0]].decl, o->part[1] >= 0 ? &s->parts[o->part[1]].decl : NULL};
    const char *bad = NULL;
    mfh_err verr;
    mfh_err_clear(&verr);
    rc = o->type->validate(&op, decl, &bad, &verr);
    if (rc) {
      const mfh_param_val *v = bad ? mfh_params_find(&op, bad) : NULL;
      mfh_params_free(&op);
      return mfh_err_at(c->err, rc, v && v->mark.file ? v->mark : o->mark.file ? o->mark : fallback, "observable %s: %s",
                        o->type->name, verr.msg);
    }
    mfh_params_free(&op);
  }
  return MFH_OK;
}

/* system:, reference(s):, observable(s):, derive:, model: (new schema). */
static int load_parts(const ctx *c, mfh_study *s, const yaml_node_t *root, yaml_node_t **obs_nodes) {
  int rc;
  yaml_node_t *n = map_get(c, root, "system");
  mfh_part *sys = &s->parts[0];
  snprintf(sys->name, sizeof sys->name, "system");
  if ((rc = parse_part(c, s, n, "system", 1, sys))) return rc;
  s->nparts = 1;
  for (size_t i = 0; i < sys->engine->nparams; i++)
    if (sys->engine->params[i].flags & MFH_PARAM_STREAM) s->stream_param = sys->engine->params[i].name;
  yaml_node_t *ref = map_get(c, root, "reference"), *refs = map_get(c, root, "references");
  if (ref && refs)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, refs), "study: give reference: (one) or references: (named), not both");
  if (ref) {
    snprintf(s->parts[1].name, sizeof s->parts[1].name, "reference");
    if ((rc = parse_part(c, s, ref, "reference", 0, &s->parts[1]))) return rc;
    s->nparts = 2;
  } else if (refs) {
    if ((rc = check_map(c, refs, "references", NULL))) return rc;
    for (yaml_node_pair_t *p = refs->data.mapping.pairs.start; p < refs->data.mapping.pairs.top; p++) {
      yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
      if (s->nparts == MFH_MAX_PARTS)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "references: at most %d", MFH_MAX_PARTS - 1);
      if (!valid_id(scalar_text(k)) || strlen(scalar_text(k)) >= 64 || !strcmp(scalar_text(k), "system"))
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "references: '%s' is not a usable name", scalar_text(k));
      mfh_part *pt = &s->parts[s->nparts];
      snprintf(pt->name, sizeof pt->name, "%s", scalar_text(k));
      char w[96];
      snprintf(w, sizeof w, "references.%s", pt->name);
      if ((rc = parse_part(c, s, yaml_document_get_node(c->doc, p->value), w, 0, pt))) return rc;
      s->nparts++;
    }
  }
  yaml_node_t *ob = map_get(c, root, "observable"), *obs = map_get(c, root, "observables");
  if (ob && obs)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, obs), "study: give observable: (one) or observables: (a list), not both");
  if (!ob && !obs) return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, root), "study: missing required key 'observable'");
  if (ob) {
    if ((rc = parse_obs(c, s, ob, "observable", &s->obs[0]))) return rc;
    obs_nodes[0] = ob;
    s->nobs = 1;
  } else {
    if ((rc = want(c, obs, YAML_SEQUENCE_NODE, "observables"))) return rc;
    for (yaml_node_item_t *it = obs->data.sequence.items.start; it < obs->data.sequence.items.top; it++) {
      if (s->nobs == MFH_MAX_OBS)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, obs), "observables: at most %d", MFH_MAX_OBS);
      char w[64];
      snprintf(w, sizeof w, "observables[%zu]", s->nobs + 1);
      obs_nodes[s->nobs] = yaml_document_get_node(c->doc, *it);
      if ((rc = parse_obs(c, s, obs_nodes[s->nobs], w, &s->obs[s->nobs]))) return rc;
      s->nobs++;
    }
  }
  /* the stream parameter must mean the same for every part */
  for (size_t i = 1; i < s->nparts; i++) {
    const mfh_engine_type *e = s->parts[i].engine;
    const char *sp = NULL;
    for (size_t k = 0; k < e->nparams; k++)
      if (e->params[k].flags & MFH_PARAM_STREAM) sp = e->params[k].name;
    if ((sp == NULL) != (s->stream_param == NULL) || (sp && strcmp(sp, s->stream_param)))
      return mfh_err_at(c->err, MFH_EINPUT, s->parts[i].mark,
                        "%s: engine %s runs over '%s' but the system's engine %s over '%s': they cannot be compared at "
                        "the same times",
                        s->parts[i].name, e->name, sp ? sp : "(no time)", s->parts[0].engine->name,
                        s->stream_param ? s->stream_param : "(no time)");
    if (s->parts[i].kind == MFH_REF_COUPLED && !e->starts_from)
      return mfh_err_at(c->err, MFH_EINPUT, s->parts[i].mark,
                        "%s: engine %s cannot start from another engine's state (use engine: for an independent "
                        "run)",
                        s->parts[i].name, e->name);
    if (s->parts[i].kind == MFH_REF_COUPLED && !s->parts[0].engine->initial)
      return mfh_err_at(c->err, MFH_EINPUT, s->parts[i].mark,
                        "%s: the system's engine %s has no initial state to hand over", s->parts[i].name,
                        s->parts[0].engine->name);
  }
  return MFH_OK;
}

/* After model: and the sweep: declarations at the pinned point, the
 * couplings' kinds, the observables, the derived measures. */
static int load_parts_outputs(const ctx *c, mfh_study *s, const yaml_node_t *root, yaml_node_t *const *obs_nodes) {
  int rc;
  if ((rc = validate_point(c, s, &s->params, mark_of(c, root), NULL, 0, 1))) return rc;
  for (size_t i = 1; i < s->nparts; i++) {
    const mfh_part *pt = &s->parts[i];
    if (pt->kind != MFH_REF_COUPLED) continue;
    /* the system's initial state must hold a kind the reference starts from */
    int ok = 0;
    char kinds[256];
    snprintf(kinds, sizeof kinds, "%s", pt->engine->starts_from);
    for (char *save = NULL, *w = strtok_r(kinds, " ", &save); w && !ok; w = strtok_r(NULL, " ", &save)) {
      const mfh_kind *k = mfh_kind_find(w);
      ok = k && mfh_decl_find(&s->parts[0].decl, k, NULL) >= 0;
    }
    if (!ok)
      return mfh_err_at(c->err, MFH_EINPUT, pt->mark, "%s: engine %s starts from a %s, which the system (%s) does not have",
                        pt->name, pt->engine->name, pt->engine->starts_from, s->parts[0].engine->name);
    if (pt->perturb > 0 && mfh_decl_find(&s->parts[0].decl, &mfh_kind_cloud, NULL) < 0)
      return mfh_err_at(c->err, MFH_EINPUT, pt->mark, "%s: perturb: moves the particles of a cloud; the system has none",
                        pt->name);
  }
  for (size_t i = 0; i < s->nobs; i++) {
    char w[64];
    if (s->nobs == 1 && map_get(c, root, "observable"))
      snprintf(w, sizeof w, "observable");
    else
      snprintf(w, sizeof w, "observables[%zu]", i + 1);
    if ((rc = join_obs(c, s, obs_nodes[i], w, &s->obs[i]))) return rc;
  }
  /* outputs are unique across observables */
  for (size_t i = 0; i < s->nobs; i++)
    for (size_t j = 0; j < s->obs[i].nout; j++)
      for (size_t i2 = 0; i2 <= i; i2++)
        for (size_t j2 = 0; j2 < (i2 == i ? j : s->obs[i2].nout); j2++)
          if (!strcmp(s->obs[i].out[j], s->obs[i2].out[j2]))
            return mfh_err_at(c->err, MFH_EINPUT, s->obs[i].mark,
                              "observable %s: output '%s' is also given by observable %s: rename one with as: {%s: NEW}",
                              s->obs[i].type->name, s->obs[i].out[j], s->obs[i2].type->name, s->obs[i].from[j]);
  yaml_node_t *dv = map_get(c, root, "derive");
  if (dv && (rc = parse_derived(c, s, dv))) return rc;
  return MFH_OK;
}

/* ---- measures -------------------------------------------------------- */

static int add_measure(const ctx *c, mfh_study *s, const yaml_node_t *k, const char *label) {
  const char *name = scalar_text(k);
  if (s->nmeasures == MFH_MAX_MEASURES)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "measure: at most %d", MFH_MAX_MEASURES);
  if (!output_exists(s, name, s->nderived)) {
    char outs[1024];
    output_list(s, outs, sizeof outs);
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k),
                      "measure: no observable or derived measure of this study gives '%s' (they give: %s)", name, outs);
  }
  if (strlen(name) >= 64 || mfh_study_measure(s, name) >= 0)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "measure: bad or repeated name '%s'", name);
  snprintf(s->measures[s->nmeasures], 64, "%s", name);
  snprintf(s->labels[s->nmeasures], 128, "%s", label ? label : name);
  s->measure_marks[s->nmeasures] = mark_of(c, k);
  s->nmeasures++;
  return MFH_OK;
}

static int parse_measures(const ctx *c, mfh_study *s, const yaml_node_t *n) {
  if (n->type == YAML_SCALAR_NODE) return add_measure(c, s, n, NULL);
  if (n->type == YAML_SEQUENCE_NODE) {
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
      yaml_node_t *e = yaml_document_get_node(c->doc, *it);
      int rc = want(c, e, YAML_SCALAR_NODE, "measure");
      if (!rc) rc = add_measure(c, s, e, NULL);
      if (rc) return rc;
    }
  } else {
    int rc = check_map(c, n, "measure", NULL);
    if (rc) return rc;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
      yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
      if ((rc = want(c, v, YAML_SCALAR_NODE, "measure label"))) return rc;
      if ((rc = add_measure(c, s, yaml_document_get_node(c->doc, p->key), scalar_text(v)))) return rc;
    }
  }
  if (s->nmeasures == 0)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "measure: name at least one measured quantity");
  return MFH_OK;
}

/* ---- the study ------------------------------------------------------- */

static const char *const top_keys[] = {"id", "title", "theorem", "source", "description", "system",
                                       "reference", "references", "model", "observable", "observables",
                                       "derive", "measure", "sweep", "replicas", "seed", "checks",
                                       "profiles", "limits", "solver", NULL};
static const char *const profile_keys[] = {"sweep", "replicas", "model", NULL};

static int copy_text(const ctx *c, const yaml_node_t *root, const char *key, int required, char *dst,
                     size_t len) {
  const char *t;
  yaml_node_t *n;
  int rc = get_text(c, root, key, "study", required, root, &t, &n);
  if (rc) return rc;
  if (!t) return MFH_OK;
  if (strlen(t) >= len)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "%s: too long (at most %zu characters)", key,
                      len - 1);
  snprintf(dst, len, "%s", t);
  return MFH_OK;
}

/* The schema with parts: system:, reference(s):, observable(s):, derive:. */
static int load_with_parts(const ctx *c, mfh_study *s, const yaml_node_t *root, const yaml_node_t *prof,
                           const char *psec) {
  yaml_node_t *obs_nodes[MFH_MAX_OBS] = {0}, *n;
  int rc = load_parts(c, s, root, obs_nodes);
  if (!rc) rc = shared_defaults(s, c->err);
  yaml_node_t *model = map_get(c, root, "model");
  if (!rc) rc = bind_model(c, s, model, "model");
  if (!rc && prof) {
    char w[80];
    snprintf(w, sizeof w, "%s.model", psec);
    rc = bind_model(c, s, map_get(c, prof, "model"), w);
  }
  if (rc) return rc;
  yaml_node_t *sweep = map_get(c, root, "sweep");
  if (!sweep) return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, root), "study: missing required key 'sweep'");
  if ((rc = parse_sweep(c, s, sweep, "sweep", 1))) return rc;
  if (prof && (n = map_get(c, prof, "sweep"))) {
    char w[80];
    snprintf(w, sizeof w, "%s.sweep", psec);
    if ((rc = parse_sweep(c, s, n, w, 0))) return rc;
  }
  /* the system's model constants at the pinned point (bounds, derived measures) */
  if (s->parts[0].engine->constants) {
    mfh_params ep;
    if ((rc = mfh_part_params(s, 0, &s->params, &ep, c->err))) return rc;
    rc = s->parts[0].engine->constants(&ep, &s->constants, c->err);
    mfh_params_free(&ep);
    if (rc) return rc;
  }
  /* declarations at the pinned point, then what reads them */
  if ((rc = load_parts_outputs(c, s, root, obs_nodes))) return rc;
  /* every sweep point: each part's and observable's validation, the same outputs */
  for (size_t a = 0; a <= s->naxes; a++) {
    size_t nv = a < s->naxes ? s->axes[a].n : 1;
    for (size_t j = 0; j < nv; j++) {
      mfh_params pt;
      if (mfh_params_copy(&pt, &s->params)) return mfh_err_set(c->err, MFH_ENOMEM, "out of memory");
      if (a < s->naxes) {
        mfh_param_val *v = (mfh_param_val *)mfh_params_find(&pt, s->axes[a].name);
        if (v) v->num = s->axes[a].values[j];
      }
      mfh_mark fb = a < s->naxes ? s->axes[a].marks[j] : mark_of(c, root);
      rc = validate_point(c, s, &pt, fb, a < s->naxes ? &s->axes[a] : NULL, j, 0);
      if (!rc) rc = validate_obs(c, s, &pt, fb);
      mfh_params_free(&pt);
      if (rc) return rc;
    }
  }
  return MFH_OK;
}

static int load_doc(const ctx *c, mfh_study *s, const yaml_node_t *root, const char *profile,
                    long long seed_override) {
  int rc = check_map(c, root, "study", top_keys);
  if (rc) return rc;
  yaml_node_t *n;
  if ((rc = copy_text(c, root, "id", 1, s->id, sizeof s->id))) return rc;
  if (!valid_id(s->id))
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, map_get(c, root, "id")),
                      "id: '%s': use lower-case letters, digits, '-', '_' or '.', starting with a letter or digit, "
                      "without '..' and not ending like a file name (.html, .json, ...): it names the report folder",
                      s->id);
  if ((rc = copy_text(c, root, "title", 1, s->title, sizeof s->title))) return rc;
  if ((rc = copy_text(c, root, "theorem", 1, s->theorem, sizeof s->theorem))) return rc;
  if ((rc = copy_text(c, root, "source", 0, s->source, sizeof s->source))) return rc;
  const char *desc;
  if ((rc = get_text(c, root, "description", "study", 0, root, &desc, NULL))) return rc;
  if (desc && !(s->description = strdup(desc))) return mfh_err_set(c->err, MFH_ENOMEM, "out of memory");

  yaml_node_t *prof = NULL, *profiles = map_get(c, root, "profiles");
  if (profiles) {
    if ((rc = check_map(c, profiles, "profiles", mfh_profiles))) return rc;
    for (size_t i = 0; mfh_profiles[i]; i++) {
      yaml_node_t *pn = map_get(c, profiles, mfh_profiles[i]);
      char w[64];
      snprintf(w, sizeof w, "profiles.%s", mfh_profiles[i]);
      if (pn && (rc = check_map(c, pn, w, profile_keys))) return rc;
    }
    prof = map_get(c, profiles, profile);
  }
  snprintf(s->profile, sizeof s->profile, "%s", profile);
  char psec[64];
  snprintf(psec, sizeof psec, "profiles.%s", profile);
  if ((n = map_get(c, root, "solver"))) {
    /* the older schema (one solver running its own reference): name the new keys */
    const char *old = n->type == YAML_SCALAR_NODE ? scalar_text(n) : "";
    if (mfh_engine_find(old))
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n),
                        "solver: is now system: (write `system: %s`; its reference and observables are "
                        "named beside it: reference:, observable:; docs/studies.md)",
                        old);
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n),
                      "solver: is now system: (an engine, `mfh list engines`; the reference it ran and what it "
                      "measured are named beside it: reference:, observable:; docs/studies.md)");
  }
  if (!map_get(c, root, "system"))
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, root),
                      "study: missing 'system' (the engine whose state is measured: `mfh list engines`)");
  rc = load_with_parts(c, s, root, prof, psec);
  if (rc) return rc;
  /* measures */
  if ((n = map_get(c, root, "measure"))) {
    if ((rc = parse_measures(c, s, n))) return rc;
  } else {
    if (!s->obs[0].nout)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, root),
                        "study: missing 'measure' (observable %s gives nothing by default: name the value to fit)",
                        s->obs[0].type->name);
    snprintf(s->measures[0], 64, "%s", s->obs[0].out[0]);
    snprintf(s->labels[0], 128, "%s", s->obs[0].out[0]);
    s->nmeasures = 1;
  }

  /* replicas, seed */
  unsigned long long u = 1;
  s->replicas = 1;
  if ((n = map_get(c, root, "replicas"))) {
    if ((rc = parse_count(c, n, "replicas", 1, 1e7, &u))) return rc;
    s->replicas = (size_t)u;
  }
  if (prof && (n = map_get(c, prof, "replicas"))) {
    char w[80];
    snprintf(w, sizeof w, "%s.replicas", psec);
    if ((rc = parse_count(c, n, w, 1, 1e7, &u))) return rc;
    s->replicas = (size_t)u;
  }
  s->seed = 1;
  if ((n = map_get(c, root, "seed"))) {
    if ((rc = parse_count(c, n, "seed", 0, 9007199254740992.0, &u))) return rc;
    s->seed = u;
  }
  if (seed_override >= 0) s->seed = (unsigned long long)seed_override;

  /* limits */
  s->limits = (mfh_limits){0, 1e7, 0, 600, 16, {NULL, 0, 0}};
  if ((n = map_get(c, root, "limits"))) {
    static const char *const limit_keys[] = {"memory_gb", "tasks", "cpu_hours", "task_seconds", "output_mb", NULL};
    if ((rc = check_map(c, n, "limits", limit_keys))) return rc;
    s->limits.mark = mark_of(c, n);
    if ((rc = parse_real_key(c, n, "memory_gb", "limits", 0.001, 1e6, &s->limits.memory_gb)) ||
        (rc = parse_real_key(c, n, "tasks", "limits", 1, 1e9, &s->limits.tasks)) ||
        (rc = parse_real_key(c, n, "cpu_hours", "limits", 0, 1e9, &s->limits.cpu_hours)) ||
        (rc = parse_real_key(c, n, "task_seconds", "limits", 0.01, 1e7, &s->limits.task_seconds)) ||
        (rc = parse_real_key(c, n, "output_mb", "limits", 0.001, 1e5, &s->limits.output_mb)))
      return rc;
  }

  /* checks */
  yaml_node_t *checks = map_get(c, root, "checks");
  if (checks) {
    if ((rc = want(c, checks, YAML_SEQUENCE_NODE, "checks"))) return rc;
    size_t i = 0;
    for (yaml_node_item_t *it = checks->data.sequence.items.start; it < checks->data.sequence.items.top; it++, i++) {
      if (i == MFH_MAX_CHECKS)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, checks), "checks: at most %d", MFH_MAX_CHECKS);
      rc = parse_check(c, s, yaml_document_get_node(c->doc, *it), i, &s->checks[i]);
      s->nchecks = i + 1;
      if (rc) return rc;
    }
  }
  return MFH_OK;
}

/* Bounds on a study file, so hostile YAML (100 000 levels of nesting, 40 000
 * keys, /dev/zero) is refused in milliseconds: a study is a few hundred
 * nodes; a sweep list may have 4096 values per axis. */
#define MFH_STUDY_MAX_BYTES (1 << 20)
#define MFH_STUDY_MAX_DEPTH 32
#define MFH_STUDY_MAX_NODES 100000
#define MFH_STUDY_MAX_KEYS 256

static int read_bounded(const char *path, char **text, size_t *len, mfh_err *err) {
  *text = NULL;
  mfh_mark at = {path, 0, 0};
  FILE *f = fopen(path, "rb");
  if (!f) return mfh_err_at(err, MFH_EINPUT, at, "cannot open: %s", strerror(errno));
  char *buf = malloc(MFH_STUDY_MAX_BYTES + 2);
  size_t n = buf ? fread(buf, 1, MFH_STUDY_MAX_BYTES + 1, f) : 0;
  int bad = ferror(f);
  fclose(f);
  if (!buf) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  if (bad || n > MFH_STUDY_MAX_BYTES) {
    free(buf);
    return bad ? mfh_err_at(err, MFH_EINPUT, at, "cannot read: %s", strerror(errno))
               : mfh_err_at(err, MFH_EINPUT, at, "larger than %d bytes: not a study file", MFH_STUDY_MAX_BYTES);
  }
  buf[n] = '\0';
  *text = buf;
  *len = n;
  return MFH_OK;
}

/* Walk the YAML events once and refuse nesting, node counts and mapping
 * sizes beyond the bounds above.  Syntax errors are left to the loader,
 * which reports them with their position. */
static int yaml_bounded(const char *file, const char *text, size_t len, mfh_err *err) {
  yaml_parser_t p;
  yaml_event_t ev;
  if (!yaml_parser_initialize(&p)) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
  size_t items[MFH_STUDY_MAX_DEPTH + 1] = {0}, nodes = 0;
  int is_map[MFH_STUDY_MAX_DEPTH + 1] = {0}, depth = 0, rc = MFH_OK, done = 0;
  while (!done && !rc && yaml_parser_parse(&p, &ev)) {
    mfh_mark m = {file, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1};
    int node = ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT ||
               ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT;
    if (node) {
      if (++nodes > MFH_STUDY_MAX_NODES)
        rc = mfh_err_at(err, MFH_EINPUT, m, "more than %d YAML nodes: not a study file", MFH_STUDY_MAX_NODES);
      else if (depth > 0 && is_map[depth] && ++items[depth] > 2 * MFH_STUDY_MAX_KEYS)
        rc = mfh_err_at(err, MFH_EINPUT, m, "more than %d keys in one mapping", MFH_STUDY_MAX_KEYS);
    }
    if (!rc && (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)) {
      if (depth == MFH_STUDY_MAX_DEPTH) {
        rc = mfh_err_at(err, MFH_EINPUT, m, "nested more than %d levels deep", MFH_STUDY_MAX_DEPTH);
      } else {
        depth++;
        items[depth] = 0;
        is_map[depth] = ev.type == YAML_MAPPING_START_EVENT;
      }
    }
    if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) depth = depth > 0 ? depth - 1 : 0;
    done = ev.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&p);
  return rc;
}

int mfh_study_load(const char *path, const char *profile, long long seed_override, mfh_study *s,
                   mfh_err *err) {
  memset(s, 0, sizeof *s);
  if (mfh_profile_index(profile) < 0)
    return mfh_err_set(err, MFH_EUSAGE, "unknown profile '%s' (quick, nightly or full)", profile);
  if (!(s->file = strdup(path))) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  {
    char real[4096];
    const char *slash;
    if (realpath(path, real) && (slash = strrchr(real, '/')))
      s->dir = strndup(real, slash == real ? 1 : (size_t)(slash - real));
    else
      s->dir = strdup(".");
    if (!s->dir) {
      mfh_study_free(s);
      return mfh_err_set(err, MFH_ENOMEM, "out of memory");
    }
  }
  char *text = NULL;
  size_t len = 0;
  int rc = read_bounded(path, &text, &len, err);
  if (!rc) rc = yaml_bounded(s->file, text, len, err);
  if (rc) {
    free(text);
    mfh_study_free(s);
    return rc;
  }
  yaml_parser_t parser;
  yaml_document_t doc;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  ctx c = {s->file, &doc, err};
  /* yaml_parser_load initialises the document itself (initialising it
   * before, as this did, leaked one document per study) */
  if (!yaml_parser_load(&parser, &doc)) {
    mfh_mark m = {s->file, (int)parser.problem_mark.line + 1, (int)parser.problem_mark.column + 1};
    char where[96] = "";
    if (parser.context)
      snprintf(where, sizeof where, " (started at line %d, column %d)", (int)parser.context_mark.line + 1,
               (int)parser.context_mark.column + 1);
    rc = mfh_err_at(err, MFH_EINPUT, m, "not valid YAML: %s%s%s%s", parser.problem ? parser.problem : "parse error",
                    parser.context ? " " : "", parser.context ? parser.context : "", where);
    yaml_parser_delete(&parser);
    free(text);
    mfh_study_free(s);
    return rc;
  }
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  if (!root) {
    mfh_mark m = {s->file, 1, 1};
    rc = mfh_err_at(err, MFH_EINPUT, m, "empty study file");
  } else if (root->type != YAML_MAPPING_NODE) {
    rc = mfh_err_at(err, MFH_EINPUT, mark_of(&c, root),
                    "a study file must be a mapping of keys (id:, title:, system:, ...), not %s",
                    node_kind(root));
  } else {
    /* a second document in the same file is a mistake worth reporting */
    yaml_document_t extra;
    rc = load_doc(&c, s, root, profile, seed_override);
    if (!rc && yaml_parser_load(&parser, &extra)) {
      yaml_node_t *r2 = yaml_document_get_root_node(&extra);
      if (r2)
        rc = mfh_err_at(err, MFH_EINPUT, (mfh_mark){s->file, (int)r2->start_mark.line + 1, (int)r2->start_mark.column + 1},
                        "a study file holds one YAML document; this is a second one");
      yaml_document_delete(&extra);
    }
  }
  /* marks in params point at s->file, which stays alive with the study */
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  free(text);
  if (rc) mfh_study_free(s);
  return rc;
}

void mfh_study_free(mfh_study *s) {
  if (!s) return;
  free(s->file);
  free(s->dir);
  free(s->description);
  mfh_params_free(&s->params);
  mfh_values_free(&s->constants);
  for (size_t i = 0; i < MFH_MAX_AXES; i++) {
    free(s->axes[i].values);
    free(s->axes[i].marks);
  }
  for (size_t i = 0; i < s->nchecks; i++) mfh_check_spec_free(&s->checks[i]);
  for (size_t i = 0; i < MFH_MAX_PARTS; i++) mfh_params_free(&s->parts[i].own);
  for (size_t i = 0; i < MFH_MAX_OBS; i++) mfh_params_free(&s->obs[i].own);
  for (size_t i = 0; i < MFH_MAX_DERIVED; i++) mfh_expr_free(s->derived[i].expr);
  memset(s, 0, sizeof *s);
}

int mfh_study_measure(const mfh_study *s, const char *name) {
  for (size_t i = 0; i < s->nmeasures; i++)
    if (strcmp(s->measures[i], name) == 0) return (int)i;
  return -1;
}

int mfh_bound_lookup(const char *name, double *val, void *vctx) {
  const mfh_bound_ctx *bc = vctx;
  const mfh_param_val *v = mfh_params_find(bc->params, name);
  if (v && (v->kind == MFH_PARAM_INT || v->kind == MFH_PARAM_REAL)) {
    *val = v->num;
    return MFH_OK;
  }
  const double *d = bc->constants ? mfh_values_get(bc->constants, name) : NULL;
  if (d) {
    *val = *d;
    return MFH_OK;
  }
  return MFH_EINPUT;
}
