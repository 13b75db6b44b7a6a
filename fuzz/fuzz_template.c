/* Fuzz target: command templates (core/proc.h).  An expansion either fails
 * or substitutes every placeholder as one single-quoted shell word. */
#include <stdlib.h>
#include <string.h>

#include "core/proc.h"
#include "fuzz/fuzz.h"

static int lookup(const char *name, char **value, void *ctx) {
  (void)ctx;
  if (!strcmp(name, "x")) return (*value = strdup("a'b c;$(d)")) ? 0 : MFH_ENOMEM;
  if (!strcmp(name, "dt")) return (*value = strdup("0.5")) ? 0 : MFH_ENOMEM;
  return MFH_EINPUT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *tmpl = malloc(size + 1);
  if (!tmpl) return 0;
  memcpy(tmpl, data, size);
  tmpl[size] = '\0';
  char *out = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  int rc = mfh_cmd_expand(tmpl, lookup, NULL, &out, &err);
  if (rc == 0 && !out) __builtin_trap();
  if (rc != 0 && out) __builtin_trap();
  free(out);
  free(tmpl);
  return 0;
}
