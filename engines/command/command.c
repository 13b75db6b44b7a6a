/* Engine `command`: a user's program, run once per task (a replica at a
 * sweep point, all its output times at once) by /bin/sh -c under the
 * harness's limits (core/proc.h: time, output, stop flag, own process
 * group, a private scratch folder removed afterwards).
 *
 * What the program gets.  The template `cmd` has {name} replaced by the
 * value of parameter `name` at the sweep point (any model parameter, declared
 * or not), each single-quoted for the shell (mfh_cmd_expand), and
 *   {seed}     the task's 64-bit seed (the system's stream; replicas differ)
 *   {replica}  the replica index
 *   {dir}      the scratch folder (also $MFH_TASK_DIR and $TMPDIR)
 *   {times}    the output times, comma-separated (%.17g)
 *   {outputs}  the files to write, one per output time, comma-separated
 *   {input}    the initial cloud mfh wrote (init: ..., or the system's
 *              cloud when this engine is a coupled reference)
 * and the environment MFH_SEED, MFH_REPLICA, MFH_TIMES, MFH_OUTPUTS,
 * MFH_INPUT, MFH_TASK_DIR, and MFH_EXE (the running mfh, to find programs
 * built beside it).  It runs in the folder of the study file.
 *
 * What it gives back.  Numbers on standard output: a JSON object (the whole
 * output or its last line) whose members named in `scalars` are numbers
 * (one output time) or arrays with one number per output time (null: not
 * computable, NaN); or, with one scalar and one time, text whose last number
 * is it.  And, with `state` other than none, the file output_file ({k} = 0,
 * 1, ... in the order of {times}) for every output time, read and checked
 * against the declaration (statefile.h): a cloud of N particles in dimension
 * dim on a torus of period L (L = 0: R^dim), a phase-space grid, a field, a
 * wave function or a density-matrix kernel on the grid of nx (nv) nodes in
 * `box`.  A non-zero exit status, a missing number or a bad file fails the
 * task naming what is wrong, with the end of the program's standard error.
 *
 * Initial data.  init: homogeneous | perturbed | gaussian draws a cloud of N
 * particles from the initial data's stream (the engine's initial state, so
 * a coupled reference, e.g. characteristics, starts from the same particles),
 * and run() writes it to input_file for the program to read:
 *   homogeneous  x uniform on the torus [0, L)^dim, v ~ N(0, sv^2 I)
 *   perturbed    x_1 with density (1 + alpha cos(2 pi x_1 / L)) / L
 *                (rejection), the other x uniform, v ~ N(0, sv^2 I)
 *   gaussian     x ~ N(0, sx^2 I) on R^dim, v ~ N(0, sv^2 I)
 * (all positions, then all velocities; velocities: no draws positions only). */
#include "engines/command/command.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <jansson.h>

#include "core/fsutil.h"
#include "core/kinds.h"
#include "core/proc.h"
#include "engines/command/statefile.h"

static const mfh_param_def command_params[] = {
    {"cmd", MFH_PARAM_STRING, NULL, 0, 0, 0, 0, NULL,
     "command for /bin/sh -c; {param}, {seed}, {replica}, {dir}, {times}, {outputs}, {input} are substituted, "
     "shell-quoted; {{ }} are braces",
     0},
    {"t", MFH_PARAM_REAL, "0", 0, 1e6, 0, 0, NULL,
     "output time: all values of a sweep over t in one run ({times}, one output file each)", MFH_PARAM_STREAM},
    {"scalars", MFH_PARAM_STRING, "", 0, 0, 0, 0, NULL,
     "names of the numbers the program prints (space-separated); empty: 'value' with state none, else none", 0},
    {"state", MFH_PARAM_CHOICE, "none", 0, 0, 0, 0, MFH_COMMAND_STATES,
     "the typed state the program writes per output time (none: numbers on standard output only)", 0},
    {"output_file", MFH_PARAM_STRING, "state_{k}.npy", 0, 0, 0, 0, NULL,
     "the file it writes in {dir} for output time k (0, 1, ...): .npy, or .csv for a cloud", 0},
    {"N", MFH_PARAM_INT, "1000", 1, 1e8, 0, 0, NULL, "cloud: particles (rows)", MFH_PARAM_SAMPLED},
    {"dim", MFH_PARAM_INT, "1", 1, 3, 0, 0, NULL, "cloud: space dimension d", MFH_PARAM_SAMPLED},
    {"velocities", MFH_PARAM_CHOICE, "yes", 0, 0, 0, 0, "yes|no",
     "cloud: d positions then d velocities per particle (yes), or positions only", MFH_PARAM_SAMPLED},
    {"weights", MFH_PARAM_CHOICE, "no", 0, 0, 0, 0, "no|yes", "cloud: a last column of weights (summing to 1)", 0},
    {"L", MFH_PARAM_REAL, "0", 0, 1e6, 0, 0, NULL, "cloud: torus period of the positions (0: the whole space)",
     MFH_PARAM_SAMPLED},
    {"nx", MFH_PARAM_INT, "64", 1, 1e7, 0, 0, NULL, "grids: nodes in x (cells of [xmin, xmax))", 0},
    {"nv", MFH_PARAM_INT, "64", 2, 1e7, 0, 0, NULL, "phase_grid: nodes in v (vmin and vmax included)", 0},
    {"box", MFH_PARAM_STRING, "", 0, 0, 0, 0, NULL,
     "grids: \"xmin xmax\" (field, wavefunction, kernel) or \"xmin xmax vmin vmax\" (phase_grid)", 0},
    {"periodic", MFH_PARAM_CHOICE, "yes", 0, 0, 0, 0, "yes|no", "phase_grid: x is periodic with period xmax - xmin", 0},
    {"eps", MFH_PARAM_REAL, "0", 0, 10, 0, 0, NULL, "wavefunction, kernel: semiclassical scale (0: none)", 0},
    {"init", MFH_PARAM_CHOICE, "none", 0, 0, 0, 0, "none|homogeneous|perturbed|gaussian",
     "initial cloud mfh draws and writes to input_file ({input}): none, uniform x on the torus, density "
     "(1 + alpha cos(2 pi x_1/L))/L, or N(0, sx^2) in R^dim; velocities N(0, sv^2)",
     MFH_PARAM_SAMPLED},
    {"input_file", MFH_PARAM_STRING, "initial.csv", 0, 0, 0, 0, NULL,
     "name of the initial cloud's file in {dir}: .csv (a header line, then %.17g rows) or .npy", 0},
    {"sv", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "init: velocity spread", MFH_PARAM_SAMPLED},
    {"sx", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "init gaussian: position spread", MFH_PARAM_SAMPLED},
    {"alpha", MFH_PARAM_REAL, "0.5", 0, 1, 0, 1, NULL, "init perturbed: density modulation", MFH_PARAM_SAMPLED},
};

enum { INIT_NONE, INIT_HOMOGENEOUS, INIT_PERTURBED, INIT_GAUSSIAN };
#define MAX_SCALARS 32

/* Item names per state kind. */
static const char *const item_names[] = {"", "particles", "f", "field", "density", "density"};

static int pick(const char *s, const char *choices) {
  size_t len = strlen(s);
  int i = 0;
  for (const char *p = choices;; i++) {
    const char *bar = strchr(p, '|');
    size_t n = bar ? (size_t)(bar - p) : strlen(p);
    if (n == len && !strncmp(p, s, n)) return i;
    if (!bar) return -1;
    p = bar + 1;
  }
}

static int state_of(const mfh_params *p) { return pick(mfh_params_str(p, "state"), MFH_COMMAND_STATES); }
static int init_of(const mfh_params *p) {
  return pick(mfh_params_str(p, "init"), "none|homogeneous|perturbed|gaussian");
}

/* The declared scalar names: `scalars`, or "value" with state none. */
static int scalar_names(const mfh_params *p, char names[MAX_SCALARS][MFH_NAME_MAX], size_t *n, const char **bad) {
  const char *s = mfh_params_str(p, "scalars");
  *n = 0;
  if (!s[0] && state_of(p) == MFH_COMMAND_NONE) {
    snprintf(names[(*n)++], MFH_NAME_MAX, "value");
    return MFH_OK;
  }
  for (const char *q = s; *q;) {
    while (*q == ' ' || *q == ',') q++;
    if (!*q) break;
    size_t len = strcspn(q, " ,");
    int ok = len < MFH_NAME_MAX && (isalpha((unsigned char)q[0]) || q[0] == '_');
    for (size_t k = 0; ok && k < len; k++) ok = isalnum((unsigned char)q[k]) || q[k] == '_';
    if (!ok || *n == MAX_SCALARS) {
      *bad = q;
      return MFH_EINPUT;
    }
    for (size_t k = 0; k < *n; k++)
      if (strlen(names[k]) == len && !strncmp(names[k], q, len)) {
        *bad = q;
        return MFH_EINPUT;
      }
    snprintf(names[(*n)++], MFH_NAME_MAX, "%.*s", (int)len, q);
    q += len;
  }
  return MFH_OK;
}

/* The box of a grid: 2 or 4 numbers. */
static int parse_box(const char *s, size_t want, double *v) {
  const char *q = s;
  for (size_t k = 0; k < want; k++) {
    char *end;
    while (*q == ' ' || *q == ',') q++;
    v[k] = strtod(q, &end);
    if (end == q || !isfinite(v[k])) return MFH_EINPUT;
    q = end;
  }
  while (*q == ' ') q++;
  return *q ? MFH_EINPUT : MFH_OK;
}

static void make_decl(const mfh_params *p, mfh_command_decl *d) {
  memset(d, 0, sizeof *d);
  d->state = state_of(p);
  d->n = (size_t)mfh_params_int(p, "N");
  d->d = (size_t)mfh_params_int(p, "dim");
  d->velocities = !strcmp(mfh_params_str(p, "velocities"), "yes");
  d->weights = !strcmp(mfh_params_str(p, "weights"), "yes");
  d->nx = (size_t)mfh_params_int(p, "nx");
  d->nv = (size_t)mfh_params_int(p, "nv");
  d->eps = mfh_params_real(p, "eps");
  if (d->state == MFH_COMMAND_CLOUD) {
    d->period = mfh_params_real(p, "L");
  } else if (d->state > MFH_COMMAND_CLOUD) {
    double b[4] = {0, 1, 0, 1};
    parse_box(mfh_params_str(p, "box"), d->state == MFH_COMMAND_PHASE_GRID ? 4 : 2, b);
    d->xmin = b[0];
    d->xmax = b[1];
    d->vmin = b[2];
    d->vmax = b[3];
    if (d->state == MFH_COMMAND_PHASE_GRID && !strcmp(mfh_params_str(p, "periodic"), "yes"))
      d->period = d->xmax - d->xmin;
  }
}

/* ---- the template -------------------------------------------------------- */

typedef struct lookup_ctx {
  const mfh_params *p;
  const mfh_engine_ctx *run; /* NULL when validating */
  const char *dir, *input, *times, *outputs;
  int no_input; /* set when {input} was asked for without an initial cloud */
} lookup_ctx;

static int lookup(const char *name, char **value, void *vctx) {
  lookup_ctx *c = vctx;
  char buf[64];
  const char *text = NULL;
  *value = NULL;
  if (!strcmp(name, "seed"))
    snprintf(buf, sizeof buf, "%llu", c->run ? c->run->seed : 0ULL);
  else if (!strcmp(name, "replica"))
    snprintf(buf, sizeof buf, "%zu", c->run ? c->run->replica : (size_t)0);
  else if (!strcmp(name, "dir"))
    text = c->dir;
  else if (!strcmp(name, "times"))
    text = c->times;
  else if (!strcmp(name, "outputs"))
    text = c->outputs;
  else if (!strcmp(name, "input")) {
    if (!c->input) {
      c->no_input = 1;
      return MFH_EIO;
    }
    text = c->input;
  } else {
    const mfh_param_val *v = mfh_params_find(c->p, name);
    if (!v || !strcmp(name, "cmd")) return MFH_EINPUT;
    if (v->str)
      text = v->str;
    else
      mfh_param_format(v, buf, sizeof buf);
  }
  return (*value = strdup(text ? text : buf)) ? MFH_OK : MFH_ENOMEM;
}

/* ---- validation ---------------------------------------------------------- */

/* A file name in the scratch folder: one component, .npy or .csv. */
static int bad_file_name(const char *s, int allow_k, int allow_csv) {
  if (!mfh_command_has_ext(s, ".npy") && !(allow_csv && mfh_command_has_ext(s, ".csv"))) return 1;
  if (strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, "..") || strlen(s) > 200) return 1;
  for (const char *q = s; *q; q++) {
    if (*q == '{' && allow_k && !strncmp(q, "{k}", 3)) {
      q += 2;
      continue;
    }
    if (*q == '{' || *q == '}') return 1;
  }
  return 0;
}

static int command_validate(const mfh_params *p, const char **param, mfh_err *err) {
  char *cmd = NULL;
  lookup_ctx lc = {p, NULL, "/tmp/mfh-task-XXXXXX", "/tmp/mfh-task-XXXXXX/initial.csv", "0",
                   "/tmp/mfh-task-XXXXXX/state_0.npy", 0};
  int rc = mfh_cmd_expand(mfh_params_str(p, "cmd"), lookup, &lc, &cmd, err);
  free(cmd);
  if (rc == MFH_EINPUT) {
    *param = "cmd";
    mfh_err_prefix(err, "cmd");
    if (strstr(err->msg, "is not a parameter of this study"))
      snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
               " (known: {seed}, {replica}, {dir}, {times}, {outputs}, {input} and the model's parameters)");
    return rc;
  }
  if (rc) return rc;
  char names[MAX_SCALARS][MFH_NAME_MAX];
  size_t ns;
  const char *bad = NULL;
  if (scalar_names(p, names, &ns, &bad))
    return mfh_param_reject(param, "scalars", err,
                            "scalars: '%.40s' is not a name (letters, digits, _; at most %d distinct names)", bad,
                            MAX_SCALARS);
  int state = state_of(p), init = init_of(p);
  if (state == MFH_COMMAND_NONE && ns == 0)
    return mfh_param_reject(param, "scalars", err, "scalars: with state none the program must print some number");
  const char *out = mfh_params_str(p, "output_file");
  if (state != MFH_COMMAND_NONE && bad_file_name(out, 1, state == MFH_COMMAND_CLOUD))
    return mfh_param_reject(param, "output_file", err,
                            "output_file: '%s' must be a file name (no '/') ending in .npy%s; {k} (the output "
                            "index) is its only placeholder",
                            out, state == MFH_COMMAND_CLOUD ? " or .csv" : "");
  if (state > MFH_COMMAND_CLOUD) {
    size_t want = state == MFH_COMMAND_PHASE_GRID ? 4 : 2;
    double b[4];
    const char *box = mfh_params_str(p, "box");
    if (parse_box(box, want, b))
      return mfh_param_reject(param, "box", err, "box: a %s needs \"%s\" (got \"%s\")",
                              state == MFH_COMMAND_PHASE_GRID ? "phase_grid" : "grid",
                              want == 4 ? "xmin xmax vmin vmax" : "xmin xmax", box);
    if (!(b[1] > b[0]) || (want == 4 && !(b[3] > b[2])))
      return mfh_param_reject(param, "box", err, "box: \"%s\": each upper end must exceed its lower end", box);
  }
  double L = mfh_params_real(p, "L");
  if (init == INIT_HOMOGENEOUS || init == INIT_PERTURBED) {
    if (!(L > 0))
      return mfh_param_reject(param, "L", err, "L = %g: init %s draws positions on the torus [0, L)^dim: L > 0", L,
                              mfh_params_str(p, "init"));
  } else if (init == INIT_GAUSSIAN && L > 0) {
    return mfh_param_reject(param, "L", err, "L = %g: init gaussian draws positions in R^dim: L must be 0", L);
  }
  const char *in = mfh_params_str(p, "input_file");
  if (init != INIT_NONE && (bad_file_name(in, 0, 1) || !strcmp(in, out)))
    return mfh_param_reject(param, "input_file", err,
                            "input_file: '%s' must be a file name (no '/', no braces) ending in .csv or .npy, other "
                            "than output_file",
                            in);
  return MFH_OK;
}

/* ---- declaration and initial state --------------------------------------- */

static int command_declare(const mfh_params *p, mfh_decl *d, mfh_err *err) {
  int state = state_of(p);
  static const mfh_kind *const kinds[] = {NULL, &mfh_kind_cloud, &mfh_kind_phase_grid, &mfh_kind_field,
                                          &mfh_kind_density, &mfh_kind_density};
  if (state > MFH_COMMAND_NONE && mfh_decl_item(d, item_names[state], kinds[state]))
    return mfh_err_set(err, MFH_EINTERNAL, "command: bad declaration");
  char names[MAX_SCALARS][MFH_NAME_MAX];
  size_t ns;
  const char *bad;
  if (scalar_names(p, names, &ns, &bad)) return mfh_err_set(err, MFH_EINPUT, "scalars: bad name");
  for (size_t k = 0; k < ns; k++)
    if (mfh_decl_scalars(d, names[k])) return mfh_err_set(err, MFH_EINTERNAL, "command: too many scalars");
  return MFH_OK;
}

static int command_initial(const mfh_params *p, gsl_rng *rng, mfh_state *s0, mfh_err *err) {
  int init = init_of(p);
  if (init == INIT_NONE) return MFH_OK;
  size_t n = (size_t)mfh_params_int(p, "N"), d = (size_t)mfh_params_int(p, "dim");
  int vel = !strcmp(mfh_params_str(p, "velocities"), "yes");
  size_t dim = vel ? 2 * d : d;
  double L = mfh_params_real(p, "L"), sv = mfh_params_real(p, "sv"), sx = mfh_params_real(p, "sx"),
         alpha = mfh_params_real(p, "alpha");
  mfh_cloud *c = mfh_cloud_new(n, dim);
  if (!c) return mfh_err_set(err, MFH_ENOMEM, "out of memory for %zu particles", n);
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < d; i++) {
      double *x = &c->x[j * dim + i];
      if (init == INIT_GAUSSIAN) {
        *x = sx * gsl_ran_gaussian_ziggurat(rng, 1.0);
      } else if (init == INIT_PERTURBED && i == 0) {
        do *x = L * gsl_rng_uniform(rng);
        while (gsl_rng_uniform(rng) * (1 + alpha) > 1 + alpha * cos(2 * M_PI * *x / L));
      } else {
        *x = L * gsl_rng_uniform(rng);
      }
    }
  for (size_t j = 0; vel && j < n; j++)
    for (size_t i = 0; i < d; i++) c->x[j * dim + d + i] = sv * gsl_ran_gaussian_ziggurat(rng, 1.0);
  c->d = vel ? d : 0;
  c->period = L;
  return mfh_state_put(s0, "particles", &mfh_kind_cloud, c, err);
}

/* ---- output --------------------------------------------------------------- */

/* Last number in a text, or NaN. */
static double last_number(const char *s) {
  double last = NAN;
  const char *q = s;
  while (*q) {
    if (isdigit((unsigned char)*q) || ((*q == '-' || *q == '+' || *q == '.') && q[1])) {
      char *end;
      double x = strtod(q, &end);
      if (end != q) {
        last = x;
        q = end;
        continue;
      }
    }
    q++;
  }
  return last;
}

/* The JSON object the program printed: its whole output, or its last line. */
static json_t *output_object(const char *text) {
  json_error_t jerr;
  json_t *root = json_loads(text, JSON_DECODE_ANY, &jerr);
  if (root && json_is_object(root)) return root;
  json_decref(root);
  size_t len = strlen(text);
  while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' ')) len--;
  size_t start = len;
  while (start && text[start - 1] != '\n') start--;
  if (start == len) return NULL;
  root = json_loadb(text + start, len - start, JSON_DECODE_ANY, &jerr);
  if (root && json_is_object(root)) return root;
  json_decref(root);
  return NULL;
}

static int json_number_or_null(const json_t *v, double *x) {
  if (json_is_number(v)) *x = json_number_value(v);
  else if (json_is_null(v)) *x = NAN;
  else return 0;
  return 1;
}

/* The declared scalars of every output time from the program's output. */
static int parse_scalars(const char *text, char names[][MFH_NAME_MAX], size_t ns, size_t nout, mfh_state *out,
                         mfh_err *err) {
  if (!ns) return MFH_OK;
  json_t *root = output_object(text);
  int rc = MFH_OK;
  if (!root) {
    double x = last_number(text);
    if (ns == 1 && nout == 1 && !isnan(x)) return mfh_values_set(&out[0].scalars, names[0], x);
    if (ns == 1 && nout == 1) return mfh_err_set(err, MFH_EEXTERNAL, "the program printed no number");
    return mfh_err_set(err, MFH_EEXTERNAL,
                       "the program printed no JSON object (it must give %s%s%s as %s, on its last line or as its "
                       "whole output)",
                       names[0], ns > 1 ? ", " : "", ns > 1 ? names[1] : "",
                       nout > 1 ? "arrays of one number per output time" : "numbers");
  }
  for (size_t i = 0; !rc && i < ns; i++) {
    json_t *v = json_object_get(root, names[i]);
    if (!v) {
      char have[256] = "";
      const char *key;
      json_t *val;
      json_object_foreach(root, key, val) {
        size_t u = strlen(have);
        snprintf(have + u, sizeof have - u, "%s%.40s", u ? ", " : "", key);
      }
      rc = mfh_err_set(err, MFH_EEXTERNAL, "the program printed no '%s' (its JSON has: %s)", names[i],
                       have[0] ? have : "nothing");
      break;
    }
    for (size_t k = 0; !rc && k < nout; k++) {
      double x;
      const json_t *e = json_is_array(v) ? json_array_get(v, k) : (k == 0 ? v : NULL);
      if (json_is_array(v) && json_array_size(v) != nout)
        rc = mfh_err_set(err, MFH_EEXTERNAL, "'%s': %zu numbers for %zu output times", names[i], json_array_size(v),
                         nout);
      else if (!json_is_array(v) && nout > 1)
        rc = mfh_err_set(err, MFH_EEXTERNAL, "'%s': one number for %zu output times (give an array, one per time)",
                         names[i], nout);
      else if (!e || !json_number_or_null(e, &x))
        rc = mfh_err_set(err, MFH_EEXTERNAL, "'%s' is not a number%s", names[i],
                         json_is_array(v) ? " at every output time" : "");
      else if (mfh_values_set(&out[k].scalars, names[i], x))
        rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
    }
  }
  json_decref(root);
  return rc;
}

/* output_file with {k} replaced by k. */
static void output_name(const char *pattern, size_t k, char *buf, size_t len) {
  size_t u = 0;
  buf[0] = '\0';
  for (const char *q = pattern; *q && u + 1 < len; q++) {
    if (!strncmp(q, "{k}", 3)) {
      u += (size_t)snprintf(buf + u, len - u, "%zu", k);
      q += 2;
    } else {
      buf[u++] = *q;
      buf[u] = '\0';
    }
  }
  if (u >= len) buf[len - 1] = '\0';
}

/* A growing text: "a,b,c". */
static int append(char **s, size_t *len, const char *piece) {
  size_t n = strlen(piece), at = *len;
  char *ns = realloc(*s, at + n + 2);
  if (!ns) return MFH_ENOMEM;
  if (at) ns[at++] = ',';
  memcpy(ns + at, piece, n + 1);
  *s = ns;
  *len = at + n;
  return MFH_OK;
}

/* The stderr tail on one line, at most 300 bytes from its end. */
static const char *tail_of(mfh_proc_result *res) {
  for (char *q = res->err_tail; *q; q++)
    if (*q == '\n' || *q == '\r') *q = ' ';
  size_t tl = strlen(res->err_tail);
  return res->err_tail + (tl > 300 ? tl - 300 : 0);
}

static int command_run(const mfh_params *p, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  mfh_command_decl decl;
  make_decl(p, &decl);
  char names[MAX_SCALARS][MFH_NAME_MAX];
  size_t ns;
  const char *bad;
  if (scalar_names(p, names, &ns, &bad)) return mfh_err_set(err, MFH_EINPUT, "scalars: bad name");
  const char *pattern = mfh_params_str(p, "output_file");
  if (decl.state != MFH_COMMAND_NONE && ctx->nout > 1 && !strstr(pattern, "{k}"))
    return mfh_err_set(err, MFH_EINPUT, "output_file '%s' has no {k}, but the study asks for %zu output times",
                       pattern, ctx->nout);
  char *dir = NULL, *cmd = NULL, *times = NULL, *outputs = NULL, *input = NULL;
  char *env[8] = {NULL};
  size_t tl = 0, ol = 0;
  mfh_proc_result res;
  memset(&res, 0, sizeof res);
  int rc = mfh_proc_tmpdir(&dir, err), handed = 0;
  for (size_t k = 0; !rc && k < ctx->nout; k++) {
    char num[32], file[256];
    snprintf(num, sizeof num, "%.17g", ctx->t[k]);
    output_name(pattern, k, file, sizeof file);
    char *path = mfh_path_join(dir, file);
    if (!path || append(&times, &tl, num) || (decl.state && append(&outputs, &ol, path)))
      rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
    free(path);
  }
  if (!rc && !times && !(times = strdup(""))) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  if (!rc && !outputs && !(outputs = strdup(""))) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  /* the initial cloud: this engine's own (init:) or, coupled, the system's */
  const mfh_cloud *c0 = ctx->from ? mfh_state_get(ctx->from, &mfh_kind_cloud, NULL) : NULL;
  if (!rc && c0) {
    if (!(input = mfh_path_join(dir, mfh_params_str(p, "input_file"))))
      rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
    else if ((rc = mfh_command_write_cloud(input, c0, err)))
      mfh_err_prefix(err, "writing the initial cloud for the program");
  }
  lookup_ctx lc = {p, ctx, dir, input, times, outputs, 0};
  if (!rc && (rc = mfh_cmd_expand(mfh_params_str(p, "cmd"), lookup, &lc, &cmd, err)) && lc.no_input)
    rc = mfh_err_set(err, MFH_EINPUT,
                     "cmd uses {input}, but there is no initial cloud to write (set init:, or make this engine a "
                     "coupled reference of a system with a cloud)");
  if (!rc) {
    char exe[4096];
    const char *vars[][2] = {{"MFH_TIMES", times}, {"MFH_OUTPUTS", outputs}, {"MFH_INPUT", input ? input : ""},
                             {"MFH_EXE", mfh_self_exe(exe, sizeof exe) ? "" : exe}};
    size_t ne = 0;
    char buf[64];
    snprintf(buf, sizeof buf, "MFH_SEED=%llu", ctx->seed);
    env[ne++] = strdup(buf);
    snprintf(buf, sizeof buf, "MFH_REPLICA=%zu", ctx->replica);
    env[ne++] = strdup(buf);
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
      size_t n = strlen(vars[i][0]) + strlen(vars[i][1]) + 2;
      if ((env[ne] = malloc(n))) snprintf(env[ne], n, "%s=%s", vars[i][0], vars[i][1]);
      ne++;
    }
    for (size_t i = 0; i < ne; i++)
      if (!env[i]) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  if (!rc) {
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    mfh_proc_spec spec = {argv,    ctx->workdir, ctx->time_limit_s, ctx->output_limit, 1, ctx->interrupt,
                          dir,     (const char *const *)env};
    handed = 1;
    rc = mfh_proc_run(&spec, &res, err);
    if (rc == MFH_EEXTERNAL) {
      const char *t = tail_of(&res);
      if (t[0]) snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg), " -- stderr: ...%s", t);
      mfh_err_prefix(err, "%.200s", cmd);
    }
    if (!rc && !(res.exited && res.code == 0)) {
      char how[64];
      if (res.exited)
        snprintf(how, sizeof how, "exited with status %d", res.code);
      else
        snprintf(how, sizeof how, "was killed by signal %d", res.signal);
      const char *t = tail_of(&res);
      rc = mfh_err_set(err, MFH_EEXTERNAL, "command %s: %.300s%s%s", how, cmd, t[0] ? " -- stderr: " : "", t);
    }
  }
  if (!rc) rc = parse_scalars(res.out, names, ns, ctx->nout, out, err);
  for (size_t k = 0; !rc && decl.state && k < ctx->nout; k++) {
    char file[256];
    output_name(pattern, k, file, sizeof file);
    char *path = mfh_path_join(res.tmpdir, file);
    if (!path) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
    else rc = mfh_command_read_state(path, file, &decl, item_names[decl.state], &out[k], err);
    if (rc) mfh_err_prefix(err, "output for t = %g", ctx->t[k]);
    free(path);
  }
  if (rc && rc != MFH_EINTERRUPT && res.exited && res.code == 0 && res.err_tail[0]) {
    const char *t = tail_of(&res);
    snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg), " -- stderr: ...%s", t);
  }
  mfh_proc_result_free(&res);
  if (!handed && dir) mfh_remove_tree(dir);
  for (size_t i = 0; i < sizeof env / sizeof env[0]; i++) free(env[i]);
  free(dir);
  free(cmd);
  free(times);
  free(outputs);
  free(input);
  return rc;
}

const mfh_engine_type mfh_engine_command = {
    .name = "command",
    .doc = "your own solver: a program per task; numbers on its standard output and, declared in the study, a "
           "typed state per output time in files (cloud .csv/.npy, phase_grid, field, wavefunction, kernel .npy)",
    .method = "/bin/sh -c under limits (core/proc.h); state files read and checked by engines/command/statefile.h",
    .version = 1,
    .params = command_params,
    .nparams = sizeof command_params / sizeof command_params[0],
    .open_params = 1,
    .validate = command_validate,
    .declare = command_declare,
    .starts_from = "cloud",
    .initial = command_initial,
    .run = command_run,
    /* prints {"value": [t_1, ..., t_n]}: one number per output time */
    .conformance = "cmd='echo {{\\\"value\\\": [{times}]}}'",
};
