/* A small, safe expression evaluator for user-defined bound formulas in
 * study files, e.g. "4*gradV^2*(exp(Gamma*t)-1)/(Gamma*N)".
 *
 * Grammar (recursive descent, compiled to RPN):
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/') unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := primary ('^' unary)?        right-associative, binds tighter
 *                                          than unary minus: -x^2 = -(x^2),
 *                                          2^-1 = 0.5, 2^3^2 = 2^9
 *   primary := number | name | func '(' expr (',' expr)* ')' | '(' expr ')'
 * Numbers: 12, 1.5, .5, 1e-3, 2.5E+4 (decimal only).  Names:
 * [A-Za-z_][A-Za-z0-9_]*.  Functions: exp log (natural) log10 sqrt abs sin
 * cos tanh cbrt expm1 (exp(x) - 1 without cancellation) round (half away
 * from zero) (one argument), pow min max div0 (two; div0(a, b) = a / b, and 0
 * when b = 0).  Constants: pi, e (they are
 * never looked up).  Columns in messages are 1-based byte offsets.
 * Evaluation follows IEEE arithmetic: log(-1) or 1/0 give NaN/Inf, which the
 * caller must check (this module only reports syntax and unknown names).
 * No global state: a compiled expression may be evaluated from several
 * threads at once. */
#ifndef MFH_CORE_EXPR_H
#define MFH_CORE_EXPR_H

#include <stddef.h>

#include "core/status.h"

typedef struct mfh_expr mfh_expr; /* compiled expression (opaque, owned by caller) */

/* Parse text.  On success *out is a new expression (free with
 * mfh_expr_free) and *errcol = 0.  On a syntax error: MFH_EINPUT, *out =
 * NULL, err message "col C: what is wrong" and *errcol = C (1-based column
 * within text) so the caller can add the file's line.  errcol may be NULL.
 * MFH_ENOMEM when out of memory. */
int mfh_expr_parse(const char *text, mfh_expr **out, int *errcol, mfh_err *err);

/* Names of the variables it uses (for validation), deduplicated, in order of
 * first appearance; constants and function names are not included.  The
 * returned string is owned by e. */
size_t mfh_expr_nvars(const mfh_expr *e);
const char *mfh_expr_var(const mfh_expr *e, size_t i); /* NULL when i >= nvars */

/* Evaluate: each variable is resolved once through lookup (which returns 0
 * and sets *val, or nonzero for an unknown name).  Returns 0 and sets *val,
 * or MFH_EINPUT "unknown variable 'x'" when lookup fails (or is NULL while
 * the expression has variables). */
int mfh_expr_eval(const mfh_expr *e, int (*lookup)(const char *name, double *val, void *ctx),
                  void *ctx, double *val, mfh_err *err);

void mfh_expr_free(mfh_expr *e); /* accepts NULL */

#endif
