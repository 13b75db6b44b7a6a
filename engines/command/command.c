/* `solver: command`.  The parameter `cmd` is a shell command template;
 * {name} is replaced by the value of parameter `name` at the sweep point
 * (any extra parameter in the study's model section is allowed), {seed} by
 * the task's 64-bit seed and {replica} by the replica index.  The command's
 * standard output is either a JSON object whose numeric members become the
 * task's values, or text whose last number becomes the value "value".
 * A non-zero exit status, or output with no number, fails the task with the
 * command's standard error in the message.  The command runs in the folder
 * of the study file, so paths in it are relative to the study. */
#include "engines/command/command.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

static const mfh_param_def command_params[] = {
    {"cmd", MFH_PARAM_STRING, NULL, 0, 0, 0, 0, NULL,
     "shell command template; {param}, {seed}, {replica} are substituted", 0},
};

typedef struct {
  char *s;
  size_t n, cap;
} sbuf;

static int sb_add(sbuf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = (b->n + n + 1) * 2;
    char *ns = realloc(b->s, cap);
    if (!ns) return MFH_ENOMEM;
    b->s = ns;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
  return MFH_OK;
}

/* Expand the template.  unknown (may be NULL) receives the first unknown
 * {name}, for validation. */
static int expand(const mfh_params *p, const mfh_task_ctx *task, char **out, char *unknown,
                  size_t ulen) {
  const char *t = mfh_params_str(p, "cmd");
  sbuf b = {0};
  int rc = sb_add(&b, "", 0);
  while (!rc && *t) {
    const char *open = strchr(t, '{');
    const char *close = open ? strchr(open, '}') : NULL;
    if (!open || !close) {
      rc = sb_add(&b, t, strlen(t));
      break;
    }
    rc = sb_add(&b, t, (size_t)(open - t));
    char name[64];
    size_t len = (size_t)(close - open - 1);
    if (len >= sizeof name) len = sizeof name - 1;
    memcpy(name, open + 1, len);
    name[len] = '\0';
    char val[128];
    const mfh_param_val *v = mfh_params_find(p, name);
    if (strcmp(name, "seed") == 0)
      snprintf(val, sizeof val, "%llu", task ? task->seed : 0ULL);
    else if (strcmp(name, "replica") == 0)
      snprintf(val, sizeof val, "%zu", task ? task->replica : (size_t)0);
    else if (v && strcmp(name, "cmd") != 0)
      mfh_param_format(v, val, sizeof val);
    else {
      if (unknown && !unknown[0]) snprintf(unknown, ulen, "%s", name);
      val[0] = '\0';
    }
    if (!rc) rc = sb_add(&b, val, strlen(val));
    t = close + 1;
  }
  if (rc) {
    free(b.s);
    return rc;
  }
  *out = b.s;
  return MFH_OK;
}

static int command_validate(const mfh_params *p, const char **param, mfh_err *err) {
  char *cmd = NULL, unknown[64] = "";
  if (expand(p, NULL, &cmd, unknown, sizeof unknown)) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  free(cmd);
  if (unknown[0]) {
    *param = "cmd";
    return mfh_err_set(err, MFH_EINPUT,
                       "cmd: {%s} is not a parameter of this study (known: {seed}, {replica} "
                       "and the model's parameters)",
                       unknown);
  }
  return MFH_OK;
}

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

static int parse_output(const char *text, mfh_values *out, mfh_err *err) {
  json_error_t jerr;
  json_t *root = json_loads(text, JSON_DECODE_ANY, &jerr);
  if (root && json_is_object(root)) {
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
      if (!json_is_number(val)) continue;
      if (mfh_values_set(out, key, json_number_value(val))) {
        json_decref(root);
        return mfh_err_set(err, MFH_EINPUT, "command output: bad value name '%s'", key);
      }
    }
    json_decref(root);
    if (out->n == 0)
      return mfh_err_set(err, MFH_EEXTERNAL, "command printed a JSON object with no numbers");
    return MFH_OK;
  }
  if (root) json_decref(root);
  double x = last_number(text);
  if (isnan(x)) return mfh_err_set(err, MFH_EEXTERNAL, "command printed no number");
  return mfh_values_set(out, "value", x);
}

static int command_run(const mfh_params *p, const mfh_task_ctx *task, gsl_rng *rng, mfh_state *out,
                       mfh_err *err) {
  (void)rng;
  char *cmd = NULL;
  if (expand(p, task, &cmd, NULL, 0)) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  char errpath[] = "/tmp/mfh-cmd-XXXXXX";
  int fd = mkstemp(errpath);
  if (fd < 0) {
    free(cmd);
    return mfh_err_set(err, MFH_EIO, "cannot create a temporary file: %s", strerror(errno));
  }
  close(fd);
  /* cd into the study's folder: quote it for the shell ('...' with ' as '\'') */
  const char *wd = task->workdir ? task->workdir : ".";
  size_t full_len = strlen(cmd) + strlen(errpath) + 4 * strlen(wd) + 48;
  char *full = malloc(full_len);
  if (!full) {
    free(cmd);
    remove(errpath);
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  size_t pos = (size_t)snprintf(full, full_len, "cd '");
  for (const char *q = wd; *q; q++)
    pos += (size_t)snprintf(full + pos, full_len - pos, *q == '\'' ? "'\\''" : "%c", *q);
  snprintf(full + pos, full_len - pos, "' && ( %s ) 2>%s </dev/null", cmd, errpath);
  FILE *pipe = popen(full, "r");
  free(full);
  int rc = MFH_OK;
  sbuf b = {0};
  if (!pipe) {
    rc = mfh_err_set(err, MFH_EEXTERNAL, "cannot start: %s", cmd);
  } else {
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, pipe)) > 0)
      if (sb_add(&b, chunk, got)) rc = MFH_ENOMEM;
    int st = pclose(pipe);
    if (!rc && (!WIFEXITED(st) || WEXITSTATUS(st) != 0)) {
      char tail[400] = "";
      FILE *ef = fopen(errpath, "r");
      if (ef) {
        size_t n = fread(tail, 1, sizeof tail - 1, ef);
        tail[n] = '\0';
        fclose(ef);
        for (char *q = tail; *q; q++)
          if (*q == '\n') *q = ' ';
      }
      rc = mfh_err_set(err, MFH_EEXTERNAL, "command exited with status %d: %s%s%s",
                       WIFEXITED(st) ? WEXITSTATUS(st) : -1, cmd, tail[0] ? " -- stderr: " : "",
                       tail);
    }
  }
  if (!rc) {
    rc = parse_output(b.s ? b.s : "", &out->values, err);
    if (rc) mfh_err_prefix(err, "%s", cmd);
  }
  remove(errpath);
  free(b.s);
  free(cmd);
  return rc;
}

const mfh_solver_type mfh_solver_command = {
    "command",
    "your own solver: a shell command per task, its stdout gives the observable",
    "popen(3); output: a JSON object of numbers, or text whose last number is 'value'",
    1,
    command_params,
    sizeof command_params / sizeof command_params[0],
    1,
    MFH_HAS_VALUES,
    command_validate,
    NULL,
    command_run,
    NULL,
    NULL,
};
