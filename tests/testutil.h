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
/* ---- a kit for testing a registry solver directly --------------------- */
#include "core/plugin.h"

/* Every parameter of solver t at its default, then the space-separated
 * "name=value" overrides (each parsed against the table; aborts the test on
 * an unknown name or a bad value).  Free with mfh_params_free. */
mfh_params mfh_test_params(const mfh_solver_type *t, const char *overrides);
/* t->validate on the overrides must fail with MFH_EINPUT, name `param`, and
 * a message containing `needle`. */
void mfh_test_expect_bad(const mfh_solver_type *t, const char *overrides, const char *param,
                         const char *needle);
/* Run t for the stream values times[0..n-1] (out: n states, zeroed here),
 * seeded with seed; the run must succeed. */
void mfh_test_solver_run(const mfh_solver_type *t, const mfh_params *ps, size_t n, const double *times,
                         unsigned long long seed, mfh_state *out);
/* The value `name` a run put in s (must exist). */
double mfh_test_value(const mfh_state *s, const char *name);

/* ---- the same kit for an engine (core/engine.h) ----------------------- */
#include "core/engine.h"

/* Every parameter of engine t at its default, then the overrides. */
mfh_params mfh_test_engine_params(const mfh_engine_type *t, const char *overrides);
/* t->validate on the overrides must fail with MFH_EINPUT, name `param`,
 * and say `needle`. */
void mfh_test_engine_expect_bad(const mfh_engine_type *t, const char *overrides, const char *param,
                                const char *needle);
/* Run t for times[0..n-1] from `from` (NULL: its own initial() state); out:
 * n states (zeroed here; the caller clears them).  The run must succeed and
 * every output match the engine's declaration. */
void mfh_test_engine_run(const mfh_engine_type *t, const mfh_params *ps, const mfh_state2 *from, size_t n,
                         const double *times, mfh_state2 *out);

/* Run a Check suite with CK_NORMAL output; returns the process exit code. */
struct Suite;
int mfh_test_main(struct Suite *s);

#endif
