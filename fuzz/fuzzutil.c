#include "fuzz/fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int mfh_fuzz_write(const uint8_t *data, size_t size, const char *ext, char *buf, size_t len) {
  const char *dir = getenv("TMPDIR");
  snprintf(buf, len, "%s/mfh-fuzz-%ld.%s", dir && dir[0] == '/' ? dir : "/tmp", (long)getpid(), ext);
  FILE *f = fopen(buf, "wb");
  if (!f) return -1;
  size_t put = size ? fwrite(data, 1, size, f) : 0;
  return fclose(f) == 0 && put == size ? 0 : -1;
}
