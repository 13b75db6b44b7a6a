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
/* ---- a kit for testing an engine directly ------------------------------- */
#include <stdint.h>

#include "core/engine.h"

/* Every parameter of engine e at its default, then the "name=value"
 * overrides (as mfh_test_params).  Free with mfh_params_free. */
mfh_params mfh_test_engine_params(const mfh_engine_type *e, const char *overrides);
/* The same, the overrides given printf-style, and e->validate must accept
 * them. */
mfh_params mfh_test_engine_valid(const mfh_engine_type *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), warn_unused_result));
/* e->validate on the overrides must fail with MFH_EINPUT, name `param`, and
 * a message containing `needle`. */
void mfh_test_engine_expect_bad(const mfh_engine_type *e, const char *overrides, const char *param,
                                const char *needle);
/* e->initial with a stream seeded by seed into *s0 (zeroed here); must succeed. */
void mfh_test_engine_initial(const mfh_engine_type *e, const mfh_params *ps, unsigned long long seed,
                             mfh_state *s0);
/* Run e for the output times times[0..n-1] (n = 0: one output, t = 0) from
 * *from, or from its own initial state (seed ^ 1) when from is NULL; out: n
 * states, zeroed here (free each with mfh_state_clear).  The run must
 * succeed and every output match e->declare. */
void mfh_test_engine_run(const mfh_engine_type *e, const mfh_params *ps, const mfh_state *from, size_t n,
                         const double *times, unsigned long long seed, mfh_state *out);
/* The same with ctx->shared = shared (an engine's prepare() result, or NULL). */
void mfh_test_engine_run_shared(const mfh_engine_type *e, const mfh_params *ps, const mfh_state *from, size_t n,
                                const double *times, unsigned long long seed, const void *shared, mfh_state *out);
/* Run e like mfh_test_engine_run (from its own initial() when from is NULL,
 * outputs checked against e->declare) but return run()'s status instead of
 * requiring success (err filled), for tests of refusals. */
int mfh_test_engine_try_run(const mfh_engine_type *e, const mfh_params *ps, const mfh_state *from, size_t n,
                            const double *times, unsigned long long seed, mfh_state *out, mfh_err *err);
/* The same from e's own initial state; the run must succeed. */
void mfh_test_engine_run_ok(const mfh_engine_type *e, const mfh_params *ps, size_t n, const double *times,
                            unsigned long long seed, mfh_state *out);
/* The scalar `name` of a state (must exist). */
double mfh_test_scalar(const mfh_state *s, const char *name);
/* mfh_state_hash of s (must succeed). */
uint64_t mfh_test_state_hash(const mfh_state *s);
/* Evaluate observable o with its default parameters on a, b (a0, b0: the
 * states at t = 0, or NULL) at time t; its status (values into out). */
int mfh_test_obs_eval(const mfh_observable_type *o, const mfh_state *a, const mfh_state *b, const mfh_state *a0,
                      const mfh_state *b0, double t, mfh_values *out, mfh_err *err);
/* Observable o with its default parameters and the "name=value" overrides,
 * on the states a and b (b NULL when unused; items as the harness hands
 * them: the first of each kind) at time t: its output `name` (the
 * evaluation must succeed and give it). */
double mfh_test_obs(const mfh_observable_type *o, const char *overrides, const mfh_state *a, const mfh_state *b,
                    double t, const char *name);
/* The same evaluation expected to fail with status rc and needle in the message. */
void mfh_test_obs_fails(const mfh_observable_type *o, const mfh_state *a, const mfh_state *b, int rc,
                        const char *needle);

/* Run a Check suite with CK_NORMAL output; returns the process exit code. */
struct Suite;
int mfh_test_main(struct Suite *s);

#endif
