/* `solver: command`.  The parameter `cmd` is a command template run by
 * /bin/sh -c; {name} is replaced by the value of parameter `name` at the
 * sweep point (any extra parameter in the study's model section is
 * allowed), {seed} by the task's 64-bit seed and {replica} by the replica
 * index, each single-quoted for the shell (core/proc.h: mfh_cmd_expand), so
 * a value can never become shell syntax; {{ and }} are literal braces.  The
 * command's standard output is either a JSON object whose numeric members
 * become the task's values, or text whose last number becomes the value
 * "value".  A non-zero exit status, or output with no number, fails the task
 * with the end of the command's standard error in the message.  The command
 * runs in the folder of the study file, so paths in it are relative to the
 * study, under the harness's limits (study key `limits`: task_seconds,
 * output_mb), in its own process group, with a private TMPDIR that is
 * removed afterwards (core/proc.h). */
#include "engines/command/command.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/proc.h"

static const mfh_param_def command_params[] = {
    {"cmd", MFH_PARAM_STRING, NULL, 0, 0, 0, 0, NULL,
     "command for /bin/sh -c; {param}, {seed}, {replica} are substituted, shell-quoted; {{ }} are braces", 0},
};

typedef struct lookup_ctx {
  const mfh_params *p;
  const mfh_task_ctx *task; /* NULL when validating */
} lookup_ctx;

static int lookup(const char *name, char **value, void *vctx) {
  const lookup_ctx *c = vctx;
  char buf[64];
  const mfh_param_val *v = mfh_params_find(c->p, name);
  *value = NULL;
  if (strcmp(name, "seed") == 0)
    snprintf(buf, sizeof buf, "%llu", c->task ? c->task->seed : 0ULL);
  else if (strcmp(name, "replica") == 0)
    snprintf(buf, sizeof buf, "%zu", c->task ? c->task->replica : (size_t)0);
  else if (v && strcmp(name, "cmd") != 0 && v->str)
    return (*value = strdup(v->str)) ? MFH_OK : MFH_ENOMEM;
  else if (v && strcmp(name, "cmd") != 0)
    mfh_param_format(v, buf, sizeof buf);
  else
    return MFH_EINPUT;
  return (*value = strdup(buf)) ? MFH_OK : MFH_ENOMEM;
}

static int command_validate(const mfh_params *p, const char **param, mfh_err *err) {
  char *cmd = NULL;
  lookup_ctx lc = {p, NULL};
  int rc = mfh_cmd_expand(mfh_params_str(p, "cmd"), lookup, &lc, &cmd, err);
  free(cmd);
  if (rc == MFH_EINPUT) {
    *param = "cmd";
    mfh_err_prefix(err, "cmd");
    if (strstr(err->msg, "is not a parameter of this study"))
      snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
               " (known: {seed}, {replica} and the model's parameters)");
  }
  return rc;
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
  lookup_ctx lc = {p, task};
  int rc = mfh_cmd_expand(mfh_params_str(p, "cmd"), lookup, &lc, &cmd, err);
  if (rc) return rc;
  const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
  mfh_proc_spec spec = {argv, task->workdir, task->time_limit_s, task->output_limit, 1, task->interrupt};
  mfh_proc_result res;
  rc = mfh_proc_run(&spec, &res, err);
  for (char *q = res.err_tail; *q; q++)
    if (*q == '\n' || *q == '\r') *q = ' ';
  if (rc == MFH_EEXTERNAL && res.err_tail[0])
    snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg), " -- stderr: ...%.300s",
             res.err_tail + (strlen(res.err_tail) > 300 ? strlen(res.err_tail) - 300 : 0));
  if (rc == MFH_EEXTERNAL) mfh_err_prefix(err, "%.200s", cmd);
  if (!rc && !(res.exited && res.code == 0)) {
    size_t tl = strlen(res.err_tail);
    char how[64];
    if (res.exited)
      snprintf(how, sizeof how, "exited with status %d", res.code);
    else
      snprintf(how, sizeof how, "was killed by signal %d", res.signal);
    rc = mfh_err_set(err, MFH_EEXTERNAL, "command %s: %.300s%s%.300s", how, cmd, tl ? " -- stderr: " : "",
                     res.err_tail + (tl > 300 ? tl - 300 : 0));
  }
  if (!rc) {
    rc = parse_output(res.out, &out->values, err);
    if (rc) mfh_err_prefix(err, "%.300s", cmd);
  }
  mfh_proc_result_free(&res);
  free(cmd);
  return rc;
}

const mfh_solver_type mfh_solver_command = {
    "command",
    "your own solver: a shell command per task, its stdout gives the observable",
    "/bin/sh -c under limits (core/proc.h); output: a JSON object of numbers, or text whose last number is 'value'",
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
    NULL,
};
