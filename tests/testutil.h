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

/* ---- a kit for testing an engine directly ------------------------------- */
#include <stdint.h>

#include "core/engine.h"

/* Every parameter of engine e at its default, then the "name=value"
 * overrides (as mfh_test_params).  Free with mfh_params_free. */
mfh_params mfh_test_engine_params(const mfh_engine_type *e, const char *overrides);
/* e->validate on the overrides must fail with MFH_EINPUT, name `param`, and
 * a message containing `needle`. */
void mfh_test_engine_expect_bad(const mfh_engine_type *e, const char *overrides, const char *param,
                                const char *needle);
/* e->initial with a stream seeded by seed into *s0 (zeroed here); must succeed. */
void mfh_test_engine_initial(const mfh_engine_type *e, const mfh_params *ps, unsigned long long seed,
                             mfh_state2 *s0);
/* Run e for the output times times[0..n-1] (n = 0: one output, t = 0) from
 * *from, or from its own initial state (seed ^ 1) when from is NULL; out: n
 * states, zeroed here (free each with mfh_state_clear).  The run must
 * succeed and every output match e->declare. */
void mfh_test_engine_run(const mfh_engine_type *e, const mfh_params *ps, const mfh_state2 *from, size_t n,
                         const double *times, unsigned long long seed, mfh_state2 *out);
/* e->validate must accept the overrides. */
void mfh_test_engine_valid(const mfh_engine_type *e, const char *overrides);
/* Run e like mfh_test_engine_run (from its own initial() when from is NULL,
 * outputs checked against e->declare) but return run()'s status instead of
 * requiring success (err filled), for tests of refusals. */
int mfh_test_engine_try_run(const mfh_engine_type *e, const mfh_params *ps, const mfh_state2 *from, size_t n,
                            const double *times, unsigned long long seed, mfh_state2 *out, mfh_err *err);
/* The same from e's own initial state; the run must succeed. */
void mfh_test_engine_run_ok(const mfh_engine_type *e, const mfh_params *ps, size_t n, const double *times,
                            unsigned long long seed, mfh_state2 *out);
/* The scalar `name` of a state (must exist). */
double mfh_test_scalar(const mfh_state2 *s, const char *name);
/* mfh_state_hash of s (must succeed). */
uint64_t mfh_test_state_hash(const mfh_state2 *s);

/* Run a Check suite with CK_NORMAL output; returns the process exit code. */
struct Suite;
int mfh_test_main(struct Suite *s);

#endif
