/* Helpers shared by every plug-in kind: the state they exchange. */
#include "core/plugin.h"

#include <stdlib.h>
#include <string.h>

int mfh_word_in(const char *list, const char *word) {
  size_t n = strlen(word);
  const char *p = list;
  while (*p) {
    while (*p == ' ') p++;
    const char *e = p;
    while (*e && *e != ' ') e++;
    if ((size_t)(e - p) == n && strncmp(p, word, n) == 0) return 1;
    p = e;
  }
  return 0;
}

void mfh_state_free(mfh_state *s) {
  if (!s) return;
  mfh_cloud_free(&s->cloud);
  mfh_cloud_free(&s->twin);
  mfh_cloud_free(&s->cloud0);
  mfh_cloud_free(&s->twin0);
  mfh_phase_grid_free(&s->grid);
  mfh_phase_grid_free(&s->grid0);
  mfh_values_free(&s->values);
  s->law = NULL;
}
