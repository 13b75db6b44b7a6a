/* Study loader: libyaml document -> validated mfh_study.  Every error names
 * file:line:col (1-based) of the offending node. */
#include "pipeline/study.h"
#include "pipeline/registry.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

const char *const mfh_check_kind_names[] = {"rate", "bound", "expected", "uniform", "constant",
                                                "expansion"};
const char *const mfh_profiles[] = {"quick", "nightly", "full", NULL};

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
  const char *t = scalar_text(n);
  char *end;
  errno = 0;
  double x = strtod(t, &end);
  if (end != t && *end == '/') {
    const char *den = end + 1;
    double y = strtod(den, &end);
    if (end == den || y == 0) end = (char *)t;  /* force the error below */
    else x /= y;
  }
  while (*end == ' ') end++;
  if (end == t || *end || errno == ERANGE || !isfinite(x))
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "%s: must be a number (got '%s')", where, t);
  *out = x;
  return MFH_OK;
}

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

/* Definition of a parameter of the study (solver's, then observable's). */
static const mfh_param_def *study_def(const mfh_study *s, const char *name) {
  const mfh_param_def *d = find_def(s->solver->params, s->solver->nparams, name);
  if (!d && s->observable) d = find_def(s->observable->params, s->observable->nparams, name);
  return d;
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

/* A free parameter of an open table (solver: command): a number if it
 * parses as one, else text. */
static const mfh_param_def free_real = {"", MFH_PARAM_REAL, NULL, -INFINITY, INFINITY, 0, 0, NULL, "free parameter", 0};
static const mfh_param_def free_string = {"", MFH_PARAM_STRING, NULL, 0, 0, 0, 0, NULL, "free parameter", 0};

static int bind_param(const ctx *c, mfh_study *s, const yaml_node_t *k, const yaml_node_t *v,
                      const char *section) {
  const char *name = scalar_text(k);
  char where[160];
  snprintf(where, sizeof where, "%s.%s", section, name);
  const mfh_param_def *d = study_def(s, name);
  mfh_param_def tmp;
  if (!d) {
    if (!s->solver->open_params) {
      char list[512] = "";
      for (size_t i = 0; i < s->solver->nparams; i++) {
        size_t u = strlen(list);
        snprintf(list + u, sizeof list - u, "%s%s", u ? ", " : "", s->solver->params[i].name);
      }
      for (size_t i = 0; s->observable && i < s->observable->nparams; i++) {
        size_t u = strlen(list);
        snprintf(list + u, sizeof list - u, "%s%s", u ? ", " : "", s->observable->params[i].name);
      }
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k),
                        "%s: '%s' is not a parameter of solver %s or observable %s (parameters: %s)",
                        section, name, s->solver->name, s->observable ? s->observable->name : "-",
                        list[0] ? list : "none");
    }
    if (v->type != YAML_SCALAR_NODE) return want(c, v, YAML_SCALAR_NODE, where);
    char *end;
    strtod(scalar_text(v), &end);
    tmp = (*scalar_text(v) && !*end) ? free_real : free_string;
    tmp.name = name;
    d = &tmp;
  }
  int rc = want(c, v, YAML_SCALAR_NODE, where);
  if (rc) return rc;
  mfh_param_val val;
  rc = mfh_param_parse(d, scalar_text(v), mark_of(c, v), where, &val, c->err);
  if (rc) return rc;
  if (d == &tmp) val.def = NULL;
  if (mfh_params_put(&s->params, &val)) {
    free(val.str);
    return mfh_err_set(c->err, MFH_ENOMEM, "out of memory");
  }
  return MFH_OK;
}

static int bind_params(const ctx *c, mfh_study *s, const yaml_node_t *map, const char *section) {
  if (!map) return MFH_OK;
  int rc = check_map(c, map, section, NULL);
  if (rc) return rc;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    rc = bind_param(c, s, yaml_document_get_node(c->doc, p->key),
                    yaml_document_get_node(c->doc, p->value), section);
    if (rc) return rc;
  }
  return MFH_OK;
}

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
  if (!d && s->solver->open_params) {
    const mfh_param_val *pv = mfh_params_find(&s->params, name);
    if (pv && pv->kind == MFH_PARAM_REAL) d = &free_real;
    else if (!pv)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k),
                        "%s: '%s' must also be given a (pinned) value in model", section, name);
  }
  if (!d)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "%s: '%s' is not a parameter of solver %s",
                      section, name, s->solver->name);
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
                         int *measure) {
  const char *name;
  yaml_node_t *n;
  int rc = get_text(c, spec, "measure", where, 0, spec, &name, &n);
  if (rc) return rc;
  *measure = 0;
  if (!name) return MFH_OK;
  *measure = mfh_study_measure(s, name);
  if (*measure < 0)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "%s.measure: '%s' is not one of the study's measures",
                      where, name);
  return MFH_OK;
}

static int names_available(const mfh_study *s, const char *name) {
  if (mfh_params_find(&s->params, name)) return 1;
  return mfh_values_get(&s->constants, name) != NULL;
}

static int parse_check(const ctx *c, mfh_study *s, const yaml_node_t *item, size_t idx,
                       mfh_check_spec *ck) {
  char where[64];
  snprintf(where, sizeof where, "checks[%zu]", idx + 1);
  int rc = want(c, item, YAML_MAPPING_NODE, where);
  if (rc) return rc;
  if (item->data.mapping.pairs.top - item->data.mapping.pairs.start != 1)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, item),
                      "%s: each check is one of rate:, bound:, expected:, uniform:, constant:, expansion: "
                      "with its settings below it",
                      where);
  yaml_node_t *k = yaml_document_get_node(c->doc, item->data.mapping.pairs.start->key);
  yaml_node_t *spec = yaml_document_get_node(c->doc, item->data.mapping.pairs.start->value);
  memset(ck, 0, sizeof *ck);
  ck->mark = mark_of(c, k);
  ck->kind = -1;
  for (int i = 0; i < MFH_CHECK_NKINDS; i++)
    if (k->type == YAML_SCALAR_NODE && strcmp(scalar_text(k), mfh_check_kind_names[i]) == 0) ck->kind = i;
  if (ck->kind < 0)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k),
                      "%s: unknown check '%s' (known: rate, bound, expected, uniform, constant, expansion)", where,
                      k->type == YAML_SCALAR_NODE ? scalar_text(k) : "?");
  snprintf(where, sizeof where, "checks[%zu].%s", idx + 1, mfh_check_kind_names[ck->kind]);
  static const char *const rate_keys[] = {"axis", "measure", "proved", "log", "model", "tol", "level",
                                          "exclude", "auto_exclude", "label", NULL};
  static const char *const bound_keys[] = {"axis", "measure", "name", "formula", "sigma", "stat", NULL};
  static const char *const exp_keys[] = {"measure", "rtol", "atol", "sigma", NULL};
  static const char *const uni_keys[] = {"axis", "measure", "tol", "level", NULL};
  static const char *const const_keys[] = {"axis", "measure", "slope", "value", "rtol", "from",
                                           "level", NULL};
  static const char *const expn_keys[] = {"axis", "measure", "powers", "rtol", NULL};
  static const char *const *const keys[] = {rate_keys, bound_keys, exp_keys, uni_keys, const_keys, expn_keys};
  rc = check_map(c, spec, where, keys[ck->kind]);
  if (rc) return rc;
  ck->axis = -1;
  ck->level = 0.95;
  ck->tol = 0.05;
  ck->sigma = 3;
  ck->auto_exclude = 1;
  if (ck->kind != MFH_CHECK_EXPECTED && (rc = check_axis(c, s, spec, where, &ck->axis))) return rc;
  if ((rc = check_measure(c, s, spec, where, &ck->measure))) return rc;
  yaml_node_t *n;
  switch (ck->kind) {
    case MFH_CHECK_RATE:
      if (!(n = map_get(c, spec, "proved")))
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, spec),
                          "%s: missing required key 'proved' (the proved log-log slope, e.g. -1/2)", where);
      if ((rc = parse_real(c, n, "proved", &ck->proved))) return rc;
      snprintf(ck->proved_text, sizeof ck->proved_text, "%s", scalar_text(n));
      snprintf(ck->label, sizeof ck->label, "proved");
      if ((n = map_get(c, spec, "label"))) {
        if ((rc = want(c, n, YAML_SCALAR_NODE, "label"))) return rc;
        if (!*scalar_text(n) || strlen(scalar_text(n)) >= sizeof ck->label)
          return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "%s.label: give 1..%zu characters", where,
                            sizeof ck->label - 1);
        snprintf(ck->label, sizeof ck->label, "%s", scalar_text(n));
      }
      if ((n = map_get(c, spec, "log")) && (rc = parse_bool(c, n, "log", &ck->proved_log))) return rc;
      if ((n = map_get(c, spec, "model"))) {
        if ((rc = want(c, n, YAML_SCALAR_NODE, "model"))) return rc;
        if (!strcmp(scalar_text(n), "exp")) ck->exp_model = 1;
        else if (strcmp(scalar_text(n), "power") != 0)
          return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n),
                            "%s.model: must be power (C x^s, the default) or exp (C e^{s x}) (got '%s')",
                            where, scalar_text(n));
        if (ck->exp_model && ck->proved_log)
          return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "%s: 'log: true' goes with the power model", where);
      }
      if ((n = map_get(c, spec, "auto_exclude")) && (rc = parse_bool(c, n, "auto_exclude", &ck->auto_exclude)))
        return rc;
      if ((rc = parse_real_key(c, spec, "tol", where, 0, 10, &ck->tol))) return rc;
      if ((rc = parse_real_key(c, spec, "level", where, 0.5, 0.9999, &ck->level))) return rc;
      if ((n = map_get(c, spec, "exclude"))) {
        unsigned long long e;
        if ((rc = parse_count(c, n, "exclude", 0, 1000, &e))) return rc;
        ck->exclude = (size_t)e;
      }
      if (s->axes[ck->axis].n < ck->exclude + 3)
        return mfh_err_at(c->err, MFH_EINPUT, ck->mark,
                          "%s: a rate needs at least 3 fitted points on axis %s (it has %zu, %zu excluded)",
                          where, s->axes[ck->axis].name, s->axes[ck->axis].n, ck->exclude);
      if (ck->proved_log && s->axes[ck->axis].values[0] <= 1)
        return mfh_err_at(c->err, MFH_EINPUT, ck->mark,
                          "%s: 'log: true' fits C x^s log x and needs every %s > 1", where,
                          s->axes[ck->axis].name);
      break;
    case MFH_CHECK_BOUND: {
      const char *name, *formula;
      yaml_node_t *nn, *nfm;
      if ((rc = get_text(c, spec, "name", where, 0, spec, &name, &nn))) return rc;
      if ((rc = get_text(c, spec, "formula", where, 0, spec, &formula, &nfm))) return rc;
      if (!!name == !!formula)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, spec),
                          "%s: give exactly one of 'name' (a registered bound, see `mfh list bounds`) "
                          "or 'formula'", where);
      if ((rc = parse_real_key(c, spec, "sigma", where, 0, 100, &ck->sigma))) return rc;
      if ((n = map_get(c, spec, "stat"))) {
        if ((rc = want(c, n, YAML_SCALAR_NODE, "stat"))) return rc;
        if (!strcmp(scalar_text(n), "max")) ck->use_max = 1;
        else if (strcmp(scalar_text(n), "mean") != 0)
          return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n),
                            "%s.stat: must be mean (the replica mean, default) or max (every replica) (got '%s')",
                            where, scalar_text(n));
      }
      if (name) {
        ck->bound = mfh_bound_find(name);
        if (!ck->bound)
          return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, nn),
                            "%s.name: unknown bound '%s' (see `mfh list bounds`)", where, name);
        char need[256];
        snprintf(need, sizeof need, "%s", ck->bound->needs);
        for (char *tok = strtok(need, " "); tok; tok = strtok(NULL, " "))
          if (!names_available(s, tok))
            return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, nn),
                              "%s.name: bound %s needs '%s', which this model does not provide "
                              "(a parameter or a model constant of solver %s)",
                              where, name, tok, s->solver->name);
      } else {
        snprintf(ck->formula_text, sizeof ck->formula_text, "%s", formula);
        int col = 0;
        mfh_err perr;
        mfh_err_clear(&perr);
        if (mfh_expr_parse(formula, &ck->formula, &col, &perr)) {
          mfh_mark m = mark_of(c, nfm);
          return mfh_err_at(c->err, MFH_EINPUT, m, "%s.formula: %s", where, perr.msg);
        }
        for (size_t i = 0; i < mfh_expr_nvars(ck->formula); i++)
          if (!names_available(s, mfh_expr_var(ck->formula, i)))
            return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, nfm),
                              "%s.formula: unknown name '%s' (not a parameter or model constant)",
                              where, mfh_expr_var(ck->formula, i));
      }
      break;
    }
    case MFH_CHECK_EXPECTED:
      ck->rtol = 1e-9;
      ck->atol = 0;
      ck->sigma = 0;
      if ((rc = parse_real_key(c, spec, "rtol", where, 0, 1e3, &ck->rtol))) return rc;
      if ((rc = parse_real_key(c, spec, "atol", where, 0, INFINITY, &ck->atol))) return rc;
      if ((rc = parse_real_key(c, spec, "sigma", where, 0, 100, &ck->sigma))) return rc;
      break;
    case MFH_CHECK_UNIFORM:
      if ((rc = parse_real_key(c, spec, "tol", where, 0, 10, &ck->tol))) return rc;
      if ((rc = parse_real_key(c, spec, "level", where, 0.5, 0.9999, &ck->level))) return rc;
      if (s->axes[ck->axis].n < 3)
        return mfh_err_at(c->err, MFH_EINPUT, ck->mark, "%s: needs at least 3 points on axis %s",
                          where, s->axes[ck->axis].name);
      break;
    case MFH_CHECK_CONSTANT:
      if (!(n = map_get(c, spec, "slope")))
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, spec), "%s: missing required key 'slope'", where);
      if ((rc = parse_real(c, n, "slope", &ck->slope))) return rc;
      if (!(n = map_get(c, spec, "value")))
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, spec), "%s: missing required key 'value'", where);
      if ((rc = parse_real(c, n, "value", &ck->target))) return rc;
      ck->from = -INFINITY;
      if ((rc = parse_real_key(c, spec, "rtol", where, 0, 10, &ck->tol))) return rc;
      if ((rc = parse_real_key(c, spec, "from", where, -INFINITY, INFINITY, &ck->from))) return rc;
      if ((rc = parse_real_key(c, spec, "level", where, 0.5, 0.9999, &ck->level))) return rc;
      break;
    case MFH_CHECK_EXPANSION: {
      if (!(n = map_get(c, spec, "powers")) || n->type != YAML_SEQUENCE_NODE ||
          n->data.sequence.items.top == n->data.sequence.items.start)
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n ? n : spec),
                          "%s: 'powers' must be a non-empty list of exponents, e.g. [-1, -2] for a/N + b/N^2",
                          where);
      size_t np = 0, len = 0;
      for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *e = yaml_document_get_node(c->doc, *it);
        if (np == 4)
          return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, e), "%s.powers: at most 4 terms", where);
        if ((rc = parse_real(c, e, "powers", &ck->powers[np]))) return rc;
        for (size_t j = 0; j < np; j++)
          if (ck->powers[j] == ck->powers[np])
            return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, e), "%s.powers: %s appears twice", where,
                              scalar_text(e));
        int w = snprintf(ck->powers_text + len, sizeof ck->powers_text - len, "%s%s", np ? ", " : "",
                         scalar_text(e));
        if (w > 0 && len + (size_t)w < sizeof ck->powers_text) len += (size_t)w;
        np++;
      }
      ck->npow = np;
      if ((rc = parse_real_key(c, spec, "rtol", where, 0, 10, &ck->tol))) return rc;
      if (s->axes[ck->axis].n < np + 1)
        return mfh_err_at(c->err, MFH_EINPUT, ck->mark,
                          "%s: %zu terms need at least %zu points on axis %s to be tested (it has %zu)", where,
                          np, np + 1, s->axes[ck->axis].name, s->axes[ck->axis].n);
      break;
    }
  }
  return MFH_OK;
}

/* ---- measures -------------------------------------------------------- */

static int add_measure(const ctx *c, mfh_study *s, const yaml_node_t *k, const char *label) {
  const char *name = scalar_text(k);
  if (s->nmeasures == MFH_MAX_MEASURES)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "measure: at most %d", MFH_MAX_MEASURES);
  if (strcmp(s->observable->outputs, "*") != 0 && !mfh_word_in(s->observable->outputs, name))
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k),
                      "measure: observable %s has no output '%s' (outputs: %s)", s->observable->name,
                      name, s->observable->outputs);
  if (strlen(name) >= 64 || mfh_study_measure(s, name) >= 0)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "measure: bad or repeated name '%s'", name);
  snprintf(s->measures[s->nmeasures], 64, "%s", name);
  snprintf(s->labels[s->nmeasures], 128, "%s", label ? label : name);
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

static const char *const top_keys[] = {"id", "title", "theorem", "source", "description", "solver",
                                       "model", "observable", "measure", "sweep", "replicas",
                                       "seed", "checks", "profiles", "limits", NULL};
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

  const char *solver;
  if ((rc = get_text(c, root, "solver", "study", 1, root, &solver, &n))) return rc;
  if (!(s->solver = mfh_solver_find(solver))) {
    char list[256] = "";
    for (size_t i = 0; mfh_solvers[i]; i++) {
      size_t u = strlen(list);
      snprintf(list + u, sizeof list - u, "%s%s", i ? ", " : "", mfh_solvers[i]->name);
    }
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, n), "solver: unknown solver '%s' (known: %s)",
                      solver, list);
  }

  /* observable: a name, or a mapping {name: ..., <its parameters>} */
  yaml_node_t *obs = map_get(c, root, "observable"), *obs_params = NULL;
  if (!obs) return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, root), "study: missing required key 'observable'");
  yaml_node_t *obs_name_node = obs;
  if (obs->type == YAML_MAPPING_NODE) {
    if ((rc = check_map(c, obs, "observable", NULL))) return rc;
    obs_name_node = map_get(c, obs, "name");
    if (!obs_name_node)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, obs), "observable: missing required key 'name'");
    obs_params = obs;
  }
  if ((rc = want(c, obs_name_node, YAML_SCALAR_NODE, "observable"))) return rc;
  if (!(s->observable = mfh_observable_find(scalar_text(obs_name_node)))) {
    char list[256] = "";
    for (size_t i = 0; mfh_observables[i]; i++) {
      size_t u = strlen(list);
      snprintf(list + u, sizeof list - u, "%s%s", i ? ", " : "", mfh_observables[i]->name);
    }
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, obs_name_node),
                      "observable: unknown observable '%s' (known: %s)", scalar_text(obs_name_node), list);
  }
  unsigned missing = s->observable->needs & ~s->solver->provides;
  if (missing)
    return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, obs_name_node),
                      "observable: %s needs %s, which solver %s does not produce", s->observable->name,
                      (missing & MFH_HAS_TWIN)    ? "a twin sample"
                      : (missing & MFH_HAS_LAW1D) ? "an exact 1D law"
                      : (missing & MFH_HAS_CLOUD) ? "a point cloud"
                                                  : "solver-computed values",
                      s->solver->name);
  /* parameters: defaults, then model:, then observable params, then the profile */
  if ((rc = set_defaults(s, s->solver->params, s->solver->nparams, c->err))) return rc;
  if ((rc = set_defaults(s, s->observable->params, s->observable->nparams, c->err))) return rc;
  yaml_node_t *model = map_get(c, root, "model");
  if ((rc = bind_params(c, s, model, "model"))) return rc;
  if (obs_params) {
    for (yaml_node_pair_t *p = obs_params->data.mapping.pairs.start; p < obs_params->data.mapping.pairs.top; p++) {
      yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
      if (strcmp(scalar_text(k), "name") == 0) continue;
      if (!find_def(s->observable->params, s->observable->nparams, scalar_text(k)))
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, k), "observable: '%s' is not a parameter of %s",
                          scalar_text(k), s->observable->name);
      if ((rc = bind_param(c, s, k, yaml_document_get_node(c->doc, p->value), "observable"))) return rc;
    }
  }

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
  if (prof) {
    char w[80];
    snprintf(w, sizeof w, "%s.model", psec);
    if ((rc = bind_params(c, s, map_get(c, prof, "model"), w))) return rc;
  }
  /* every required parameter has a value */
  const mfh_param_def *tables[2] = {s->solver->params, s->observable->params};
  size_t sizes[2] = {s->solver->nparams, s->observable->nparams};
  for (int t = 0; t < 2; t++)
    for (size_t i = 0; i < sizes[t]; i++)
      if (!mfh_params_find(&s->params, tables[t][i].name))
        return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, model ? model : root),
                          "model: missing required parameter '%s' (%s)", tables[t][i].name, tables[t][i].doc);

  /* sweep */
  yaml_node_t *sweep = map_get(c, root, "sweep");
  if (!sweep) return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, root), "study: missing required key 'sweep'");
  if ((rc = parse_sweep(c, s, sweep, "sweep", 1))) return rc;
  if (prof && (n = map_get(c, prof, "sweep"))) {
    char w[80];
    snprintf(w, sizeof w, "%s.sweep", psec);
    if ((rc = parse_sweep(c, s, n, w, 0))) return rc;
  }

  /* cross-parameter validation at every sweep point (and the pinned one) */
  for (size_t a = 0; a <= s->naxes; a++) {
    size_t nv = a < s->naxes ? s->axes[a].n : 1;
    for (size_t j = 0; j < nv; j++) {
      mfh_params pt;
      if (mfh_params_copy(&pt, &s->params)) return mfh_err_set(c->err, MFH_ENOMEM, "out of memory");
      if (a < s->naxes) {
        mfh_param_val *v = (mfh_param_val *)mfh_params_find(&pt, s->axes[a].name);
        if (v) v->num = s->axes[a].values[j];
      }
      const char *bad = NULL;
      mfh_err verr;
      mfh_err_clear(&verr);
      rc = MFH_OK;
      if (s->solver->validate) rc = s->solver->validate(&pt, &bad, &verr);
      if (!rc && s->observable->validate) rc = s->observable->validate(&pt, &bad, &verr);
      if (rc) {
        const mfh_param_val *v = bad ? mfh_params_find(&pt, bad) : NULL;
        mfh_mark m = v && v->mark.file ? v->mark : (a < s->naxes ? s->axes[a].mark : mark_of(c, root));
        if (a < s->naxes && bad && strcmp(bad, s->axes[a].name) == 0) m = s->axes[a].marks[j];
        mfh_params_free(&pt);
        return mfh_err_at(c->err, rc, m, "%s", verr.msg);
      }
      mfh_params_free(&pt);
    }
  }
  if (s->solver->constants && (rc = s->solver->constants(&s->params, &s->constants, c->err))) return rc;

  /* measures */
  if ((n = map_get(c, root, "measure"))) {
    if ((rc = parse_measures(c, s, n))) return rc;
  } else {
    if (strcmp(s->observable->outputs, "*") == 0)
      return mfh_err_at(c->err, MFH_EINPUT, mark_of(c, root),
                        "study: missing 'measure' (observable %s has no fixed outputs: name the value to fit)",
                        s->observable->name);
    char outs[256];
    snprintf(outs, sizeof outs, "%s", s->observable->outputs);
    char *tok = strtok(outs, " ");
    snprintf(s->measures[0], 64, "%s", tok);
    snprintf(s->labels[0], 128, "%s", tok);
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
  int known = 0;
  for (size_t i = 0; mfh_profiles[i]; i++) known |= strcmp(mfh_profiles[i], profile) == 0;
  if (!known) return mfh_err_set(err, MFH_EUSAGE, "unknown profile '%s' (quick, nightly or full)", profile);
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
                    "a study file must be a mapping of keys (id:, title:, solver:, ...), not %s",
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
  for (size_t i = 0; i < s->nchecks; i++) mfh_expr_free(s->checks[i].formula);
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
