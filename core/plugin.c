/* Helpers shared by every plug-in kind. */
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

