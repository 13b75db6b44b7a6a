/* Fuzz target: the CSV reader of `mfh fit` and `mfh metric`, and column
 * lookup by name and number. */
#include <stdio.h>

#include "core/csv.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[512];
  if (mfh_fuzz_write(data, size, "csv", path, sizeof path)) return 0;
  mfh_csv csv;
  mfh_err err;
  mfh_err_clear(&err);
  if (!mfh_csv_read(path, &csv, &err)) {
    static const char *const specs[] = {"1", "2", "0", "x", "N", "err", "99999999999999999999"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
      size_t col;
      if (!mfh_csv_column(&csv, specs[i], &col, &err) && col >= csv.ncols) __builtin_trap();
    }
    mfh_csv_free(&csv);
  }
  remove(path);
  return 0;
}
