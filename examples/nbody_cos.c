/* A small N-body code standing in for "your own solver" (the study
 * studies/examples/nbody-mf1.yaml checks it against the MF-1 theorem).
 *
 * N particles on the torus [0, L)^d, d = 1, 2 or 3, unit masses, the mean-field
 * coupling 1/N and the cosine pair potential V(x) = a sum_i cos(2 pi x_i / L):
 *
 *   dx_j/dt = v_j,   dv_j/dt = -(1/N) sum_k grad V(x_j - x_k),
 *
 * integrated with velocity Verlet (kick-drift-kick) and step dt.  The force
 * costs O(N) per axis, not O(N^2): with u = 2 pi x / L,
 * sum_k sin(u_j - u_k) = sin u_j sum_k cos u_k - cos u_j sum_k sin u_k.
 *
 * usage: mfh-example-nbody INPUT.csv OUT_0.csv,OUT_1.csv,... T_0,T_1,... DT L A
 *   INPUT.csv   the initial particles: a header line, then one line per
 *               particle, x_1..x_d then v_1..v_d (mfh writes it: init:)
 *   OUT_k.csv   where to write the particles at time T_k (same layout)
 *   DT, L, A    time step, torus period, amplitude of V
 * It prints {"energy_drift": [..]} (the relative drift of the total energy
 * at each output time) on standard output, and errors on standard error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, const char *arg) {
  fprintf(stderr, "mfh-example-nbody: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
  return 1;
}

/* Read the particles: a header line (its comma count gives 2 d), then rows. */
static int read_particles(const char *path, size_t *n, int *d, double **x, double **v) {
  FILE *f = fopen(path, "r");
  if (!f) return fail("cannot open the input", path);
  char line[4096];
  if (!fgets(line, sizeof line, f)) {
    fclose(f);
    return fail("empty input", path);
  }
  int cols = 1;
  for (const char *c = line; *c; c++) cols += *c == ',';
  if (cols % 2 || cols < 2 || cols > 6) {
    fclose(f);
    return fail("the input must have 2 d columns (positions, then velocities)", path);
  }
  *d = cols / 2;
  size_t cap = 1024;
  *n = 0;
  *x = malloc(cap * (size_t)*d * sizeof **x);
  *v = malloc(cap * (size_t)*d * sizeof **v);
  while (*x && *v && fgets(line, sizeof line, f)) {
    if (*n == cap) {
      cap *= 2;
      double *nx = realloc(*x, cap * (size_t)*d * sizeof **x), *nv = realloc(*v, cap * (size_t)*d * sizeof **v);
      if (nx) *x = nx;
      if (nv) *v = nv;
      if (!nx || !nv) break;
    }
    char *p = line;
    for (int k = 0; k < cols; k++) {
      double val = strtod(p, &p);
      if (k < *d) (*x)[*n * (size_t)*d + (size_t)k] = val;
      else (*v)[*n * (size_t)*d + (size_t)(k - *d)] = val;
      if (*p == ',') p++;
    }
    (*n)++;
  }
  fclose(f);
  if (!*x || !*v) return fail("out of memory", NULL);
  return *n ? 0 : fail("no particles in", path);
}

static int write_particles(const char *path, size_t n, int d, const double *x, const double *v) {
  FILE *f = fopen(path, "w");
  if (!f) return fail("cannot write", path);
  for (int k = 0; k < 2 * d; k++) fprintf(f, "%s%c%d", k ? "," : "", k < d ? 'x' : 'v', k % d + 1);
  fputc('\n', f);
  for (size_t j = 0; j < n; j++) {
    for (int k = 0; k < d; k++) fprintf(f, "%s%.17g", k ? "," : "", x[j * (size_t)d + (size_t)k]);
    for (int k = 0; k < d; k++) fprintf(f, ",%.17g", v[j * (size_t)d + (size_t)k]);
    fputc('\n', f);
  }
  return fclose(f) == 0 ? 0 : fail("cannot write", path);
}

/* acc_j = (a k0 / N) sum_k sin(k0 (x_j - x_k)) per axis, k0 = 2 pi / L;
 * returns the potential energy (1/N) sum_{j<k} V(x_j - x_k).  cs, sn:
 * scratch of n * d. */
static double forces(size_t n, int d, const double *x, double *acc, double k0, double a, double *cs, double *sn) {
  double epot = 0;
  size_t m = n * (size_t)d;
  for (size_t q = 0; q < m; q++) {
    cs[q] = cos(k0 * x[q]);
    sn[q] = sin(k0 * x[q]);
  }
  for (int i = 0; i < d; i++) {
    double c = 0, s = 0;
    for (size_t j = 0; j < n; j++) {
      c += cs[j * (size_t)d + (size_t)i];
      s += sn[j * (size_t)d + (size_t)i];
    }
    for (size_t j = 0; j < n; j++) {
      size_t q = j * (size_t)d + (size_t)i;
      acc[q] = a * k0 * (sn[q] * c - cs[q] * s) / (double)n;
    }
    epot += a * (c * c + s * s - (double)n) / 2 / (double)n; /* sum_{j<k} cos(u_j - u_k) */
  }
  return epot;
}

static double kinetic(size_t n, int d, const double *v) {
  double e = 0;
  for (size_t m = 0; m < n * (size_t)d; m++) e += v[m] * v[m] / 2;
  return e;
}

int main(int argc, char **argv) {
  if (argc != 7) return fail("usage: mfh-example-nbody INPUT OUT_0,OUT_1,.. T_0,T_1,.. DT L A", NULL);
  double dt = atof(argv[4]), L = atof(argv[5]), a = atof(argv[6]), k0 = 2 * M_PI / L;
  if (!(dt > 0) || !(L > 0)) return fail("DT and L must be positive", NULL);
  size_t n;
  int d;
  double *x = NULL, *v = NULL;
  if (read_particles(argv[1], &n, &d, &x, &v)) return 1;
  double *acc = malloc(n * (size_t)d * sizeof *acc), *cs = malloc(n * (size_t)d * sizeof *cs),
         *sn = malloc(n * (size_t)d * sizeof *sn);
  if (!acc || !cs || !sn) return fail("out of memory", NULL);
  double e0 = kinetic(n, d, v) + forces(n, d, x, acc, k0, a, cs, sn), t = 0;
  char *outs = argv[2], *times = argv[3];
  printf("{\"energy_drift\": [");
  for (int first = 1; *times; first = 0) {
    double target = strtod(times, &times);
    if (*times == ',') times++;
    size_t steps = (size_t)floor((target - t) / dt + 0.5);
    double epot;
    for (size_t s = 0; s < steps; s++) { /* kick, drift, kick */
      for (size_t m = 0; m < n * (size_t)d; m++) v[m] += dt / 2 * acc[m];
      for (size_t m = 0; m < n * (size_t)d; m++) x[m] = fmod(fmod(x[m] + dt * v[m], L) + L, L);
      forces(n, d, x, acc, k0, a, cs, sn);
      for (size_t m = 0; m < n * (size_t)d; m++) v[m] += dt / 2 * acc[m];
    }
    t = target;
    epot = forces(n, d, x, acc, k0, a, cs, sn);
    char *comma = strchr(outs, ',');
    if (comma) *comma = '\0';
    if (write_particles(outs, n, d, x, v)) return 1;
    outs = comma ? comma + 1 : outs + strlen(outs);
    printf("%s%.17g", first ? "" : ", ", fabs(kinetic(n, d, v) + epot - e0) / fabs(e0));
  }
  printf("]}\n");
  free(x);
  free(v);
  free(acc);
  free(cs);
  free(sn);
  return 0;
}
