/* What a finished study hands to the reporters: the measured points per
 * series, the fits and the check verdicts.  Built by pipeline/verdict.c from
 * stored task results; read (never modified) by the report writers (report/). */
#ifndef MFH_CORE_RESULTS_H
#define MFH_CORE_RESULTS_H

#include <stddef.h>

#include "core/fit.h"
#include "core/values.h"

/* Replica statistics of one measured quantity at one sweep point. */
typedef struct mfh_point_stats {
  double x;              /* value of the swept axis */
  size_t nrep;           /* replicas that produced a finite value */
  size_t nfailed;        /* replicas missing or failed */
  double mean, sd, se;   /* se = sd / sqrt(nrep); sd = se = 0 for nrep == 1 */
  double min, max;
} mfh_point_stats;

/* One measured quantity along one swept axis (the other axes pinned). */
typedef struct mfh_series {
  char axis[MFH_NAME_MAX];     /* swept parameter, e.g. "N" */
  char measure[MFH_NAME_MAX];  /* observable output, e.g. "wpp" */
  char label[128];             /* y-axis label, e.g. "E W_1(mu_N, mu)" */
  size_t n;
  mfh_point_stats *pts;        /* n points, coarse to fine */
  int has_fit;
  mfh_fit_result fit;          /* valid when has_fit */
  int has_proved;              /* a proved-rate reference line exists */
  double proved_slope;
  int proved_log;              /* the proved rate carries a log factor */
  int proved_reported;         /* the line is a labelled rate (a literature or pre-asymptotic
                                  one): drawn and reported as such, not as proved */
  double *bound;               /* n explicit bound values, or NULL */
  char bound_label[128];
  int has_expansion;           /* an `expansion` check fitted sum_k c_k x^p_k */
  mfh_expansion_fit expansion; /* valid when has_expansion (drawn dashed) */
  int has_extrap;              /* a `gci` check's Richardson extrapolation (drawn as a line) */
  double extrap;               /* the extrapolated value phi_ext */
  double extrap_x;             /* the finest level, where the GCI band is drawn */
  double extrap_lo, extrap_hi; /* phi_1 (1 -/+ GCI_fine): the fine level's uncertainty band */
  double extrap_gci;           /* GCI_fine, relative */
  double extrap_p;             /* the order it used: observed (3 levels) or given (2 levels) */
  int extrap_levels;           /* 3, or 2 */
} mfh_series;

/* The cost of the tasks at one sweep point: the work side of a
 * work-precision report.  Never part of a task's key or of a verdict. */
typedef struct mfh_cost_point {
  double x;              /* value of the swept axis */
  size_t n;              /* tasks with a known CPU time */
  double cpu_s, cpu_se;  /* mean CPU seconds per task (of the thread that ran it) and its
                            standard error (0 for one task); NaN when n == 0 */
  double wall_s;         /* mean wall seconds per task */
} mfh_cost_point;

/* Cost along one swept axis (the other axes pinned), and the fitted cost
 * exponent: cost ~ C x^s, log-log (core/fit.h, power model).  The cost is
 * the CPU time, or the wall time when the tasks spent most of it outside
 * their thread (under a tenth of the wall time on CPU: a user's program run
 * as a child process, I/O), which the thread's CPU clock does not see. */
typedef struct mfh_cost_axis {
  char axis[MFH_NAME_MAX];
  int wall;              /* 1: the cost is wall_s, 0: cpu_s */
  size_t n;
  mfh_cost_point *pts;   /* coarse to fine, the points of the series on this axis */
  int has_fit;
  mfh_fit_result fit;    /* fit.slope is the cost exponent */
} mfh_cost_axis;

/* The cost of point i of c, as its axis counts it (NaN when unknown). */
static inline double mfh_cost_of(const mfh_cost_axis *c, size_t i) {
  return c->wall ? c->pts[i].wall_s : c->pts[i].cpu_s;
}

enum mfh_verdict { MFH_PASS = 0, MFH_FAIL = 1, MFH_INCONCLUSIVE = 2, MFH_CHECK_ERROR = 3 };
const char *mfh_verdict_text(int verdict); /* "pass", "fail", "inconclusive", "error" */

typedef struct mfh_check_result {
  char kind[32];         /* "rate", "bound", "expected", "uniform", "constant", "expansion", "gci" */
  char name[160];        /* unique within the study, e.g. "rate[N] wpp" */
  int verdict;           /* enum mfh_verdict */
  char summary[512];     /* one line: "proved slope -0.5, observed -0.98 +/- 0.03 (95%)" */
  int series;            /* index of the series it judges, -1 for none */
  mfh_values numbers;    /* the numbers behind the verdict (slope, lo, hi, tol, ...) */
  /* where the study expects it decided: "quick", "nightly", "full", or ""
   * (no expectation); undecided = 1 when it is inconclusive at a profile
   * where the study expects pass or fail (a loss of power to look into) */
  char decided_at[16];
  int undecided;
} mfh_check_result;

typedef struct mfh_study_result {
  char id[128];          /* study id, also the report folder name */
  char title[256];
  char theorem[64];      /* catalogue ID, e.g. "FG-1" */
  char source[256];      /* seed document and lines */
  char file[512];        /* the study file */
  char profile[32];
  char solver[64], observable[64];
  size_t ntasks, ntasks_cached, ntasks_run, ntasks_failed;
  double elapsed_s;      /* wall time of the solver runs */
  double cpu_s;          /* CPU time of the solver runs (tasks computed in this run) */
  size_t ncost;
  mfh_cost_axis *cost;   /* one per swept axis: what the tasks cost along it */
  /* Which method of which comparison this study is, for work-precision sets
   * joining studies (the `compare:` study key); "" when not given, then the
   * writers group by theorem, axis and measure and name curves by id. */
  char compare_group[64], compare_method[64];
  size_t nseries;
  mfh_series *series;
  size_t nchecks;
  mfh_check_result *checks;
  char note[512];        /* run-level remarks (e.g. "incomplete: 3 tasks missing") */
} mfh_study_result;

void mfh_study_result_free(mfh_study_result *r); /* accepts a zeroed struct */
/* Worst verdict of a study: fail > error > inconclusive > pass. */
int mfh_study_result_worst(const mfh_study_result *r);
/* Checks of the n studies inconclusive where their study expects pass or fail. */
size_t mfh_study_results_undecided(const mfh_study_result *const *st, size_t n);

#endif
