/* Safe expression evaluator: recursive-descent parser compiling to RPN,
 * evaluated on a small stack.  See expr.h for the grammar. */
#include "core/expr.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EXPR_MAX_DEPTH 200 /* nesting limit (parentheses and unary signs) */
#define EXPR_LOCAL 64      /* stack/variable slots kept on the C stack in eval */
#define EXPR_PI 3.14159265358979323846
#define EXPR_E 2.71828182845904523536

enum { OP_NUM, OP_VAR, OP_NEG, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW, OP_FN1, OP_FN2 };

typedef struct instr {
  int op;
  int fn;      /* index into fn_table for OP_FN1/OP_FN2 */
  size_t var;  /* index into vars for OP_VAR */
  double num;  /* OP_NUM */
} instr;

struct mfh_expr {
  size_t ncode, capcode;
  instr *code;
  size_t nvars, capvars;
  char **vars;
  size_t maxstack;
};

static double fn_min(double a, double b) { return isnan(a) || isnan(b) ? NAN : (a < b ? a : b); }
static double fn_max(double a, double b) { return isnan(a) || isnan(b) ? NAN : (a > b ? a : b); }
/* a / b, and 0 where b = 0 (a ratio that is defined as 0 when its scale vanishes,
 * such as a bound ratio at t = 0) */
static double fn_div0(double a, double b) { return b == 0 ? 0 : a / b; }

static const struct {
  const char *name;
  int nargs;
  double (*f1)(double);
  double (*f2)(double, double);
} fn_table[] = {
    {"exp", 1, exp, NULL},   {"log", 1, log, NULL},   {"log10", 1, log10, NULL},
    {"sqrt", 1, sqrt, NULL}, {"abs", 1, fabs, NULL},  {"sin", 1, sin, NULL},
    {"cos", 1, cos, NULL},   {"tanh", 1, tanh, NULL}, {"pow", 2, NULL, pow},
    {"min", 2, NULL, fn_min}, {"max", 2, NULL, fn_max}, {"div0", 2, NULL, fn_div0},
    {"cbrt", 1, cbrt, NULL},
    {"expm1", 1, expm1, NULL}, {"round", 1, round, NULL},
};
#define FN_COUNT (sizeof fn_table / sizeof fn_table[0])

/* ---- lexer ---------------------------------------------------------- */

enum { T_END, T_NUM, T_NAME, T_OP, T_BAD };

typedef struct token {
  int type;
  size_t pos, len; /* byte offset and length in the text */
  char op;         /* T_OP: the character */
  double num;      /* T_NUM */
} token;

typedef struct parser {
  const char *text;
  size_t pos;  /* next unread byte */
  token tok;   /* current token */
  mfh_expr *e;
  int depth;
  size_t stack; /* current RPN stack depth while emitting */
  int failed;   /* an error has been recorded */
  int errcol;
  int status;
  mfh_err *err;
} parser;

static int fail_at(parser *p, size_t pos, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(parser *p, size_t pos, int status, const char *fmt, ...) {
  if (p->failed) return p->status;
  p->failed = 1;
  p->status = status;
  p->errcol = (int)pos + 1;
  char what[MFH_ERR_MSG - 32];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (status == MFH_ENOMEM)
    mfh_err_set(p->err, status, "out of memory parsing an expression");
  else
    mfh_err_set(p->err, status, "col %d: %s", p->errcol, what);
  return status;
}

static int is_name_start(int c) { return isalpha(c) || c == '_'; }
static int is_name_char(int c) { return isalnum(c) || c == '_'; }

/* Describe the current token for messages: "')'", "name 'x'", "end of expression". */
static void describe(const parser *p, char *buf, size_t n) {
  const token *t = &p->tok;
  switch (t->type) {
    case T_END: snprintf(buf, n, "end of expression"); break;
    case T_OP: snprintf(buf, n, "'%c'", t->op); break;
    case T_NAME: snprintf(buf, n, "name '%.*s'", (int)(t->len > 40 ? 40 : t->len), p->text + t->pos); break;
    case T_NUM: snprintf(buf, n, "number '%.*s'", (int)(t->len > 40 ? 40 : t->len), p->text + t->pos); break;
    default: snprintf(buf, n, "'%.*s'", (int)t->len, p->text + t->pos); break;
  }
}

static int next(parser *p) {
  const char *s = p->text;
  while (s[p->pos] == ' ' || s[p->pos] == '\t' || s[p->pos] == '\n' || s[p->pos] == '\r')
    p->pos++;
  token *t = &p->tok;
  t->pos = p->pos;
  t->len = 0;
  unsigned char c = (unsigned char)s[p->pos];
  if (c == '\0') {
    t->type = T_END;
    return MFH_OK;
  }
  if (isdigit(c) || (c == '.' && isdigit((unsigned char)s[p->pos + 1]))) {
    size_t i = p->pos;
    while (isdigit((unsigned char)s[i])) i++;
    if (s[i] == '.') {
      i++;
      while (isdigit((unsigned char)s[i])) i++;
    }
    if (s[i] == 'e' || s[i] == 'E') {
      size_t j = i + 1;
      if (s[j] == '+' || s[j] == '-') j++;
      if (isdigit((unsigned char)s[j])) {
        while (isdigit((unsigned char)s[j])) j++;
        i = j;
      }
    }
    if (is_name_char((unsigned char)s[i]) || s[i] == '.') {
      size_t j = i;
      while (is_name_char((unsigned char)s[j]) || s[j] == '.') j++;
      return fail_at(p, p->pos, MFH_EINPUT, "malformed number '%.*s'%s", (int)(j - p->pos),
                     s + p->pos,
                     is_name_start((unsigned char)s[i]) ? " (use '*' to multiply)" : "");
    }
    char buf[128];
    size_t len = i - p->pos;
    if (len >= sizeof buf)
      return fail_at(p, p->pos, MFH_EINPUT, "number too long");
    memcpy(buf, s + p->pos, len);
    buf[len] = '\0';
    errno = 0;
    double v = strtod(buf, NULL);
    if (errno == ERANGE && isinf(v))
      return fail_at(p, p->pos, MFH_EINPUT, "number '%s' is out of range", buf);
    t->type = T_NUM;
    t->num = v;
    t->len = len;
    p->pos = i;
    return MFH_OK;
  }
  if (is_name_start(c)) {
    size_t i = p->pos;
    while (is_name_char((unsigned char)s[i])) i++;
    t->type = T_NAME;
    t->len = i - p->pos;
    p->pos = i;
    return MFH_OK;
  }
  if (strchr("+-*/^(),", c)) {
    t->type = T_OP;
    t->op = (char)c;
    t->len = 1;
    p->pos++;
    return MFH_OK;
  }
  t->type = T_BAD;
  t->len = 1;
  if (isprint(c)) return fail_at(p, p->pos, MFH_EINPUT, "unexpected character '%c'", c);
  return fail_at(p, p->pos, MFH_EINPUT, "unexpected character (byte 0x%02x)", c);
}

static int is_op(const parser *p, char op) { return p->tok.type == T_OP && p->tok.op == op; }

/* ---- code emission ---------------------------------------------------- */

static int emit(parser *p, int op, int fn, size_t var, double num) {
  mfh_expr *e = p->e;
  if (e->ncode == e->capcode) {
    size_t cap = e->capcode ? 2 * e->capcode : 16;
    instr *nc = realloc(e->code, cap * sizeof *nc);
    if (!nc) return fail_at(p, p->tok.pos, MFH_ENOMEM, "out of memory");
    e->code = nc;
    e->capcode = cap;
  }
  e->code[e->ncode++] = (instr){op, fn, var, num};
  /* stack effect: push +1; unary 0; binary -1 */
  if (op == OP_NUM || op == OP_VAR)
    p->stack++;
  else if (op != OP_NEG && op != OP_FN1)
    p->stack--;
  if (p->stack > e->maxstack) e->maxstack = p->stack;
  return MFH_OK;
}

static int add_var(parser *p, const char *name, size_t len, size_t *idx) {
  mfh_expr *e = p->e;
  for (size_t i = 0; i < e->nvars; i++)
    if (strlen(e->vars[i]) == len && memcmp(e->vars[i], name, len) == 0) {
      *idx = i;
      return MFH_OK;
    }
  if (e->nvars == e->capvars) {
    size_t cap = e->capvars ? 2 * e->capvars : 8;
    char **nv = realloc(e->vars, cap * sizeof *nv);
    if (!nv) return fail_at(p, p->tok.pos, MFH_ENOMEM, "out of memory");
    e->vars = nv;
    e->capvars = cap;
  }
  char *copy = malloc(len + 1);
  if (!copy) return fail_at(p, p->tok.pos, MFH_ENOMEM, "out of memory");
  memcpy(copy, name, len);
  copy[len] = '\0';
  e->vars[e->nvars] = copy;
  *idx = e->nvars++;
  return MFH_OK;
}

/* ---- parser ----------------------------------------------------------- */

static int parse_expr(parser *p);
static int parse_unary(parser *p);

static int expected_operand(parser *p) {
  char what[96];
  describe(p, what, sizeof what);
  if (p->tok.type == T_END)
    return fail_at(p, p->tok.pos, MFH_EINPUT,
                   "unexpected end of expression (expected a number, name or '(')");
  return fail_at(p, p->tok.pos, MFH_EINPUT, "expected a number, name or '(' but found %s", what);
}

static int parse_call(parser *p, size_t name_pos, size_t name_len) {
  const char *name = p->text + name_pos;
  int fn = -1;
  for (size_t i = 0; i < FN_COUNT; i++)
    if (strlen(fn_table[i].name) == name_len && memcmp(fn_table[i].name, name, name_len) == 0)
      fn = (int)i;
  if (fn < 0)
    return fail_at(p, name_pos, MFH_EINPUT, "unknown function '%.*s'", (int)name_len, name);
  int rc = next(p); /* past '(' */
  if (rc) return rc;
  int nargs = 0;
  if (!is_op(p, ')')) {
    for (;;) {
      if ((rc = parse_expr(p))) return rc;
      nargs++;
      if (!is_op(p, ',')) break;
      if ((rc = next(p))) return rc;
    }
  }
  if (!is_op(p, ')')) {
    char what[96];
    describe(p, what, sizeof what);
    return fail_at(p, p->tok.pos, MFH_EINPUT, "expected ')' but found %s", what);
  }
  if (nargs != fn_table[fn].nargs)
    return fail_at(p, name_pos, MFH_EINPUT, "function '%s' takes %d argument%s, got %d",
                   fn_table[fn].name, fn_table[fn].nargs, fn_table[fn].nargs == 1 ? "" : "s",
                   nargs);
  if ((rc = emit(p, nargs == 1 ? OP_FN1 : OP_FN2, fn, 0, 0))) return rc;
  return next(p);
}

static int parse_primary(parser *p) {
  int rc;
  token t = p->tok;
  if (t.type == T_NUM) {
    if ((rc = emit(p, OP_NUM, 0, 0, t.num))) return rc;
    return next(p);
  }
  if (t.type == T_NAME) {
    if ((rc = next(p))) return rc;
    const char *name = p->text + t.pos;
    if (is_op(p, '(')) return parse_call(p, t.pos, t.len);
    for (size_t i = 0; i < FN_COUNT; i++)
      if (strlen(fn_table[i].name) == t.len && memcmp(fn_table[i].name, name, t.len) == 0)
        return fail_at(p, t.pos, MFH_EINPUT, "function '%s' needs its argument%s in parentheses",
                       fn_table[i].name, fn_table[i].nargs == 1 ? "" : "s");
    if (t.len == 2 && memcmp(name, "pi", 2) == 0) return emit(p, OP_NUM, 0, 0, EXPR_PI);
    if (t.len == 1 && name[0] == 'e') return emit(p, OP_NUM, 0, 0, EXPR_E);
    size_t idx = 0;
    if ((rc = add_var(p, name, t.len, &idx))) return rc;
    return emit(p, OP_VAR, 0, idx, 0);
  }
  if (is_op(p, '(')) {
    size_t open = t.pos;
    if (++p->depth > EXPR_MAX_DEPTH)
      return fail_at(p, t.pos, MFH_EINPUT, "expression nested too deeply");
    if ((rc = next(p))) return rc;
    if (is_op(p, ')')) return fail_at(p, p->tok.pos, MFH_EINPUT, "empty parentheses");
    if ((rc = parse_expr(p))) return rc;
    if (!is_op(p, ')')) {
      char what[96];
      describe(p, what, sizeof what);
      return fail_at(p, p->tok.pos, MFH_EINPUT, "expected ')' (to close '(' at col %d) but found %s",
                     (int)open + 1, what);
    }
    p->depth--;
    return next(p);
  }
  return expected_operand(p);
}

static int parse_power(parser *p) {
  int rc = parse_primary(p);
  if (rc) return rc;
  if (is_op(p, '^')) {
    if ((rc = next(p))) return rc;
    if ((rc = parse_unary(p))) return rc; /* right-assoc; allows 2^-1 */
    return emit(p, OP_POW, 0, 0, 0);
  }
  return MFH_OK;
}

static int parse_unary(parser *p) {
  if (is_op(p, '-') || is_op(p, '+')) {
    int neg = p->tok.op == '-';
    if (++p->depth > EXPR_MAX_DEPTH)
      return fail_at(p, p->tok.pos, MFH_EINPUT, "expression nested too deeply");
    int rc = next(p);
    if (!rc) rc = parse_unary(p);
    if (!rc && neg) rc = emit(p, OP_NEG, 0, 0, 0);
    p->depth--;
    return rc;
  }
  return parse_power(p);
}

static int parse_term(parser *p) {
  int rc = parse_unary(p);
  while (!rc && (is_op(p, '*') || is_op(p, '/'))) {
    int op = p->tok.op == '*' ? OP_MUL : OP_DIV;
    if (!(rc = next(p)) && !(rc = parse_unary(p))) rc = emit(p, op, 0, 0, 0);
  }
  return rc;
}

static int parse_expr(parser *p) {
  int rc = parse_term(p);
  while (!rc && (is_op(p, '+') || is_op(p, '-'))) {
    int op = p->tok.op == '+' ? OP_ADD : OP_SUB;
    if (!(rc = next(p)) && !(rc = parse_term(p))) rc = emit(p, op, 0, 0, 0);
  }
  return rc;
}

/* ---- public API --------------------------------------------------------- */

int mfh_expr_parse(const char *text, mfh_expr **out, int *errcol, mfh_err *err) {
  *out = NULL;
  if (errcol) *errcol = 0;
  parser p = {0};
  p.text = text ? text : "";
  p.err = err;
  p.e = calloc(1, sizeof *p.e);
  if (!p.e) return mfh_err_set(err, MFH_ENOMEM, "out of memory parsing an expression");
  int rc = next(&p);
  if (!rc && p.tok.type == T_END) rc = fail_at(&p, 0, MFH_EINPUT, "empty expression");
  if (!rc) rc = parse_expr(&p);
  if (!rc && p.tok.type != T_END) {
    char what[96];
    describe(&p, what, sizeof what);
    rc = fail_at(&p, p.tok.pos, MFH_EINPUT, "unexpected %s after the end of the expression%s",
                 what, p.tok.type == T_NAME || p.tok.type == T_NUM || is_op(&p, '(')
                           ? " (missing operator?)"
                           : "");
  }
  if (rc) {
    if (errcol && rc == MFH_EINPUT) *errcol = p.errcol;
    mfh_expr_free(p.e);
    return rc;
  }
  *out = p.e;
  return MFH_OK;
}

size_t mfh_expr_nvars(const mfh_expr *e) { return e ? e->nvars : 0; }

const char *mfh_expr_var(const mfh_expr *e, size_t i) {
  return e && i < e->nvars ? e->vars[i] : NULL;
}

int mfh_expr_eval(const mfh_expr *e, int (*lookup)(const char *name, double *val, void *ctx),
                  void *ctx, double *val, mfh_err *err) {
  if (!e || !val) return mfh_err_set(err, MFH_EINTERNAL, "mfh_expr_eval: no expression");
  double stack_local[EXPR_LOCAL], vars_local[EXPR_LOCAL];
  double *stack = stack_local, *vars = vars_local;
  if (e->maxstack > EXPR_LOCAL) stack = malloc(e->maxstack * sizeof *stack);
  if (e->nvars > EXPR_LOCAL) vars = malloc(e->nvars * sizeof *vars);
  int rc = MFH_OK;
  if (!stack || !vars) {
    rc = mfh_err_set(err, MFH_ENOMEM, "out of memory evaluating an expression");
    goto done;
  }
  for (size_t i = 0; i < e->nvars; i++)
    if (!lookup || lookup(e->vars[i], &vars[i], ctx) != 0) {
      rc = mfh_err_set(err, MFH_EINPUT, "unknown variable '%s'", e->vars[i]);
      goto done;
    }
  size_t sp = 0;
  for (size_t k = 0; k < e->ncode; k++) {
    const instr *in = &e->code[k];
    switch (in->op) {
      case OP_NUM: stack[sp++] = in->num; break;
      case OP_VAR: stack[sp++] = vars[in->var]; break;
      case OP_NEG: stack[sp - 1] = -stack[sp - 1]; break;
      case OP_FN1: stack[sp - 1] = fn_table[in->fn].f1(stack[sp - 1]); break;
      default: {
        double b = stack[--sp], a = stack[sp - 1], r;
        switch (in->op) {
          case OP_ADD: r = a + b; break;
          case OP_SUB: r = a - b; break;
          case OP_MUL: r = a * b; break;
          case OP_DIV: r = a / b; break;
          case OP_POW: r = pow(a, b); break;
          default: r = fn_table[in->fn].f2(a, b); break;
        }
        stack[sp - 1] = r;
      }
    }
  }
  *val = stack[0];
done:
  if (stack != stack_local) free(stack);
  if (vars != vars_local) free(vars);
  return rc;
}

void mfh_expr_free(mfh_expr *e) {
  if (!e) return;
  for (size_t i = 0; i < e->nvars; i++) free(e->vars[i]);
  free(e->vars);
  free(e->code);
  free(e);
}
