/* Run a fuzz target over files and folders of inputs (no libFuzzer): the
 * regression test of every crash ever found, and of the seed corpus, in any
 * build.  usage: fuzz_replay_<target> FILE_OR_FOLDER... */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fsutil.h"
#include "fuzz/fuzz.h"

static int replay(const char *path, size_t *count) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "%s: cannot read\n", path);
    return 1;
  }
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (!d) return 1;
    struct dirent *e;
    int bad = 0;
    while ((e = readdir(d))) {
      if (e->d_name[0] == '.' || !strcmp(e->d_name, "README.md")) continue;
      char *sub = mfh_path_join(path, e->d_name);
      bad |= sub ? replay(sub, count) : 1;
      free(sub);
    }
    closedir(d);
    return bad;
  }
  char *data = NULL;
  size_t len = 0;
  if (mfh_read_file(path, &data, &len, NULL)) return 1;
  LLVMFuzzerTestOneInput((const uint8_t *)data, len);
  free(data);
  (*count)++;
  return 0;
}

int main(int argc, char **argv) {
  size_t count = 0;
  int bad = 0;
  for (int i = 1; i < argc; i++) bad |= replay(argv[i], &count);
  printf("%zu inputs replayed without a crash\n", count);
  return bad || count == 0;
}
