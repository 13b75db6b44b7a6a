/* Shared by the fuzz targets: libFuzzer's entry point, and writing an input
 * to a private file for the loaders that read paths.  Each target is also
 * built with replay.c (no clang needed) to run its corpus and every crash
 * ever found (fuzz/regressions/) as a regression test. */
#ifndef MFH_FUZZ_FUZZ_H
#define MFH_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Write data to /tmp/mfh-fuzz-<pid>.<ext> (or $TMPDIR); returns 0 and the
 * path in buf, or -1. */
int mfh_fuzz_write(const uint8_t *data, size_t size, const char *ext, char *buf, size_t len);

#endif
