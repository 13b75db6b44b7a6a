/* Helpers shared by the Check test programs. */
#ifndef MFH_TESTS_TESTUTIL_H
#define MFH_TESTS_TESTUTIL_H

#include <stddef.h>

/* The source tree (env MFH_SOURCE_DIR, set by ctest; "." otherwise). */
const char *mfh_test_source_dir(void);
/* The mfh binary (env MFH_BINARY; "./mfh" otherwise). */
const char *mfh_test_binary(void);
/* A fresh empty temporary folder (malloc'd path); aborts the test on failure. */
char *mfh_test_tmpdir(void);
/* Write text to a file (creating it); aborts the test on failure. */
void mfh_test_write(const char *path, const char *text);
/* Run a shell command; return its exit status and, when out != NULL, its
 * combined stdout+stderr as a malloc'd string. */
int mfh_test_run(const char *cmd, char **out);
/* Run a Check suite with CK_NORMAL output; returns the process exit code. */
struct Suite;
int mfh_test_main(struct Suite *s);

#endif
