/* Work-precision diagrams, after DiffEqDevTools' WorkPrecisionSet: what a
 * method's accuracy costs.  Error (|mean| of a measure, log) against the
 * cost of a task (seconds, log) at each sweep point; the cost is what the
 * verdict stored per axis (core/results.h mfh_cost_axis: CPU seconds, or
 * wall seconds for work done outside the task's thread).
 *
 * Two writers of the one format:
 *   work_precision      per study: work-precision.gp / .dat (+ .png, .svg),
 *                       one panel per swept axis, one curve per measure, the
 *                       points labelled with their sweep value, the fitted
 *                       cost exponent in the panel title;
 *   work_precision_set  per run: the studies that compare methods, one panel
 *                       per comparison, one curve per method.  A comparison
 *                       is the studies' `compare: {group, method}` key when
 *                       they have it, else the studies sharing a theorem,
 *                       an axis and a measure (e.g. DT-1 Verlet and Yoshida
 *                       along dt); curves are named by method, else by id. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/gnuplot.h"
#include "report/numfmt.h"
#include "report/sbuf.h"
#include "report/writer.h"

#define C_SERIES "#1f5fa8", "#e8590c", "#2b8a3e", "#7048a8", "#c2255c", "#0b7285", "#5c940d", "#862e9c"
static const char *const COLOURS[] = {C_SERIES};
#define NCOLOURS (sizeof COLOURS / sizeof COLOURS[0])

/* The cost axis of a study for an axis name, or NULL. */
static const mfh_cost_axis *cost_axis(const mfh_study_result *r, const char *axis) {
  for (size_t a = 0; a < r->ncost; a++)
    if (!strcmp(r->cost[a].axis, axis)) return &r->cost[a];
  return NULL;
}

/* Points of series s that can be drawn against its cost: cost and |mean|
 * both positive and finite. */
static size_t drawable_points(const mfh_series *s, const mfh_cost_axis *c) {
  size_t n = 0;
  for (size_t i = 0; c && i < s->n && i < c->n; i++) {
    double cost = mfh_cost_of(c, i), y = fabs(s->pts[i].mean);
    n += isfinite(cost) && cost > 0 && isfinite(y) && y > 0;
  }
  return n;
}

/* One block of the data file: x cost cost_se value se, a line per point
 * (NaN where the point cannot be drawn), then two blank lines (a gnuplot
 * index). */
static void data_block(mfh_sbuf *b, const char *what, const mfh_series *s, const mfh_cost_axis *c) {
  mfh_sb_puts(b, "# ");
  mfh_sb_esc(b, what, MFH_ESC_LINE);
  mfh_sb_puts(b, "\n");
  for (size_t i = 0; i < s->n && i < c->n; i++) {
    char v[5][40];
    double cost = mfh_cost_of(c, i), y = fabs(s->pts[i].mean);
    int ok = isfinite(cost) && cost > 0 && isfinite(y) && y > 0;
    mfh_sb_printf(b, "%s %s %s %s %s\n", mfh_fmt_g17(v[0], s->pts[i].x), mfh_fmt_g17(v[1], ok ? cost : NAN),
                  mfh_fmt_g17(v[2], c->wall ? NAN : c->pts[i].cpu_se), mfh_fmt_g17(v[3], ok ? y : NAN),
                  mfh_fmt_g17(v[4], s->pts[i].se));
  }
  mfh_sb_puts(b, "\n\n");
}

/* The script's frame: header, terminal loop, multiplot; the panels go
 * between wp_begin and wp_end. */
static void wp_begin(mfh_sbuf *b, const char *name, const char *title, size_t npanels) {
  int cols = npanels <= 1 ? 1 : 2, rows = (int)((npanels + (size_t)cols - 1) / (size_t)cols);
  if (rows < 1) rows = 1;
  int w = cols == 1 ? 900 : 1100, h = rows == 1 ? 650 : 460 * rows + 60;
  mfh_sb_printf(b,
                "# %s.gp: written by mfh: error against the cost of a task (work-precision)\n"
                "# Re-render from this folder with:  gnuplot %s.gp   (writes %s.png and %s.svg)\n"
                "# data: %s.dat, one block (gnuplot index) per curve: x cost cost_se value se\n"
                "if (!exists(\"outbase\")) outbase = \"%s\"\n"
                "set encoding utf8\n"
                "do for [fmt in \"png svg\"] {\n"
                "if (fmt eq \"png\") {\n"
                "  set terminal pngcairo size %d,%d enhanced font \"Sans,12\" background rgb \"white\"\n"
                "} else {\n"
                "  set terminal svg size %d,%d dynamic enhanced font \"Arial,12\" background rgb \"white\"\n"
                "}\n"
                "set output outbase.\".\".fmt\n",
                name, name, name, name, name, name, w, h, w, h);
  mfh_sb_printf(b, "set multiplot layout %d,%d title \"{/:Bold=14 ", rows, cols);
  mfh_sb_esc(b, title, MFH_ESC_GP);
  mfh_sb_puts(b, "}\"\n");
}

static void wp_end(mfh_sbuf *b) { mfh_sb_puts(b, "unset multiplot\nunset output\n}\n"); }

/* A panel's frame: title (gnuplot enhanced text, escaped by the caller),
 * labels, log axes, key. */
static void panel_begin(mfh_sbuf *b, const char *title_gp, const char *xlabel, const char *ylabel) {
  mfh_sb_puts(b, "\nreset\nunset label\nset title \"");
  mfh_sb_puts(b, title_gp);
  mfh_sb_puts(b, "\"\nset xlabel \"");
  mfh_sb_esc(b, xlabel, MFH_ESC_GP);
  mfh_sb_puts(b, "\"\nset ylabel \"");
  mfh_sb_esc(b, ylabel, MFH_ESC_GP);
  mfh_sb_puts(b,
              "\"\nset logscale xy\nset format x \"10^{%L}\"\nset format y \"10^{%L}\"\n"
              "set grid xtics ytics mxtics mytics lc rgb \"#e0e0e0\" lw 1 dt 1\n"
              "set tics nomirror out\nset offsets graph 0.05, graph 0.05, graph 0.08, graph 0.08\n"
              "set key top right Left reverse samplen 2.5 font \",10\" box lc rgb \"#bbbbbb\" opaque\n");
}

static void panel_empty(mfh_sbuf *b, const char *why) {
  mfh_sb_puts(b,
              "unset logscale\nset xrange [0:1]\nset yrange [0:1]\nunset xtics\nunset ytics\nunset grid\n"
              "unset key\nset label 1 \"");
  mfh_sb_esc(b, why, MFH_ESC_GP);
  mfh_sb_puts(b, "\" at graph 0.5,0.5 center tc rgb \"#666666\"\nplot 2 notitle\n");
}

/* "cost ∝ dt^{-1.01 ± 0.02}" in gnuplot's enhanced text, for a cost axis
 * with a fit; nothing otherwise.  Returns 1 if it wrote. */
static int exponent_gp(mfh_sbuf *b, const mfh_cost_axis *c) {
  if (!c || !c->has_fit || !isfinite(c->fit.slope)) return 0;
  double h = 0.5 * (c->fit.slope_hi - c->fit.slope_lo);
  mfh_sb_puts(b, "cost ∝ ");
  mfh_sb_esc(b, c->axis, MFH_ESC_GP);
  if (isfinite(h))
    mfh_sb_printf(b, "^{%.3g ± %.2g}", c->fit.slope, h);
  else
    mfh_sb_printf(b, "^{%.3g}", c->fit.slope);
  return 1;
}

static const char *cost_label(const mfh_cost_axis *c) {
  return c && c->wall ? "wall seconds per task" : "CPU seconds per task";
}

/* Save the data and the script (both buffers released) and draw the images
 * as the render mode says; images of an earlier run never stay beside new
 * data. */
static int save_and_render(mfh_writer_ctx *ctx, mfh_sbuf *d, mfh_sbuf *g, mfh_err *err) {
  int rc = mfh_sb_save(d, ctx->dir, "work-precision.dat", err);
  if (!rc) rc = mfh_sb_save(g, ctx->dir, "work-precision.gp", err);
  mfh_sb_free(g);
  if (rc) return rc;
  int rendered = 0;
  rc = mfh_gnuplot_render_as(ctx->dir, "work-precision", ctx->opts, &rendered, err);
  if (!rendered) {
    mfh_report_remove(ctx->dir, "work-precision.png");
    mfh_report_remove(ctx->dir, "work-precision.svg");
  }
  return rc;
}

/* ---- per study --------------------------------------------------------------- */

static int write_study(mfh_writer_ctx *ctx, mfh_err *err) {
  const mfh_study_result *r = ctx->study;
  mfh_sbuf d = {0}, g = {0};
  char title[400];
  snprintf(title, sizeof title, "%s%s%s (work-precision)", r->theorem, r->theorem[0] ? ": " : "",
           r->title[0] ? r->title : r->id);
  if (strlen(title) > 80) /* a long title does not fit one panel's width: the id does */
    snprintf(title, sizeof title, "%s%s%s (work-precision)", r->theorem, r->theorem[0] ? ": " : "", r->id);
  /* panels: the axes with a cost and a drawable series */
  size_t npanels = 0, block = 0;
  for (size_t a = 0; a < r->ncost; a++) {
    size_t any = 0;
    for (size_t k = 0; k < r->nseries; k++)
      if (!strcmp(r->series[k].axis, r->cost[a].axis)) any += drawable_points(&r->series[k], &r->cost[a]);
    npanels += any > 0;
  }
  mfh_sb_puts(&d, "# mfh study ");
  mfh_sb_esc(&d, r->id, MFH_ESC_LINE);
  mfh_sb_puts(&d,
              ": work-precision data\n# columns: x cost cost_se value se\n"
              "#   x: the swept value; cost: seconds per task (mean over replicas; CPU, or wall where noted);\n"
              "#   cost_se: its standard error; value: |replica mean| of the measure; se: its standard error\n\n");
  wp_begin(&g, "work-precision", title, npanels ? npanels : 1);
  if (!npanels) {
    panel_begin(&g, "", "", "");
    panel_empty(&g, "no cost data (tasks stored before mfh recorded CPU time, or nothing positive to draw)");
  }
  for (size_t a = 0; a < r->ncost; a++) {
    const mfh_cost_axis *c = &r->cost[a];
    size_t first = block, ncurves = 0;
    const char *ylabel = "|measure|";
    mfh_sbuf plot = {0};
    for (size_t k = 0; k < r->nseries; k++) {
      const mfh_series *s = &r->series[k];
      if (strcmp(s->axis, c->axis) != 0 || !drawable_points(s, c)) continue;
      char what[200];
      snprintf(what, sizeof what, "block %zu: %.60s along %.60s (%s)", block, s->measure, s->axis,
               c->wall ? "wall seconds" : "CPU seconds");
      data_block(&d, what, s, c);
      ylabel = ncurves ? "|measure|" : s->label[0] ? s->label : s->measure;
      mfh_sb_puts(&plot, ncurves ? ", \\\n     " : "plot ");
      mfh_sb_printf(&plot,
                    "'work-precision.dat' index %zu using 2:4 with linespoints lc rgb \"%s\" lw 2 pt 7 ps 1.1 "
                    "title \"",
                    block, COLOURS[ncurves % NCOLOURS]);
      mfh_sb_esc(&plot, s->label[0] ? s->label : s->measure, MFH_ESC_GP);
      mfh_sb_puts(&plot, "\"");
      block++;
      ncurves++;
    }
    if (!ncurves) {
      mfh_sb_free(&plot);
      continue;
    }
    /* the sweep values at the first curve's points */
    mfh_sb_printf(&plot,
                  ", \\\n     'work-precision.dat' index %zu using 2:4:(sprintf(\"%s=%%g\", $1)) with labels "
                  "offset 0,0.9 font \",8\" tc rgb \"#555555\" notitle\n",
                  first, c->axis);
    mfh_sbuf pt = {0};
    mfh_sb_puts(&pt, "along ");
    mfh_sb_esc(&pt, c->axis, MFH_ESC_GP);
    mfh_sb_puts(&pt, ": ");
    if (!exponent_gp(&pt, c)) mfh_sb_puts(&pt, "no cost exponent (too few points with a cost)");
    panel_begin(&g, mfh_sb_str(&pt), cost_label(c), ylabel);
    mfh_sb_free(&pt);
    mfh_sb_puts(&g, mfh_sb_str(&plot));
    mfh_sb_free(&plot);
  }
  wp_end(&g);
  return save_and_render(ctx, &d, &g, err);
}

const mfh_writer_type mfh_writer_work_precision = {
    .name = "work_precision",
    .doc = "work-precision.gp (+ .png, .svg) and .dat: error against the cost of a task, a panel per axis",
    .scope = MFH_WRITER_STUDY,
    .files = "work-precision.gp work-precision.dat",
    .write = write_study,
};

/* ---- per run: studies that compare methods -------------------------------------- */

/* One curve of a comparison: series k of study i. */
typedef struct member {
  size_t study, series;
} member;

/* The comparison key of series k of study r. */
static void group_key(const mfh_study_result *r, const mfh_series *s, char *buf, size_t n) {
  if (r->compare_group[0])
    snprintf(buf, n, "%s | %s | %s", r->compare_group, s->axis, s->measure);
  else
    snprintf(buf, n, "%s | %s | %s", r->theorem, s->axis, s->measure);
}

static int write_set(mfh_writer_ctx *ctx, mfh_err *err) {
  const mfh_study_result *const *st = ctx->studies;
  size_t n = ctx->nstudies, total = 0;
  for (size_t i = 0; i < n; i++) total += st[i]->nseries;
  member *m = calloc(total ? total : 1, sizeof *m);
  char(*keys)[300] = calloc(total ? total : 1, sizeof *keys);
  unsigned char *done = calloc(total ? total : 1, 1);
  if (!m || !keys || !done) {
    free(m);
    free(keys);
    free(done);
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  size_t nm = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < st[i]->nseries; k++) {
      const mfh_series *s = &st[i]->series[k];
      if (!drawable_points(s, cost_axis(st[i], s->axis))) continue;
      m[nm].study = i;
      m[nm].series = k;
      group_key(st[i], s, keys[nm], sizeof keys[nm]);
      nm++;
    }
  /* comparisons: keys shared by two studies or more, in order of first appearance */
  size_t npanels = 0;
  for (size_t a = 0; a < nm; a++) {
    if (done[a]) continue;
    size_t studies = 1;
    for (size_t b = a + 1; b < nm; b++)
      if (!done[b] && !strcmp(keys[a], keys[b]) && m[b].study != m[a].study) studies++;
    npanels += studies >= 2;
  }
  mfh_sbuf d = {0}, g = {0};
  mfh_sb_puts(&d,
              "# mfh run: work-precision data of the studies that compare methods\n"
              "# columns: x cost cost_se value se (see <study>/work-precision.dat)\n\n");
  wp_begin(&g, "work-precision", "work-precision: studies that compare methods", npanels ? npanels : 1);
  if (!npanels) {
    panel_begin(&g, "", "", "");
    panel_empty(&g, "no two studies compare methods (same compare group, or same theorem, axis and measure)");
  }
  size_t block = 0;
  for (size_t a = 0; a < nm; a++) {
    if (done[a]) continue;
    size_t studies = 1;
    for (size_t b = a + 1; b < nm; b++)
      if (!strcmp(keys[a], keys[b]) && m[b].study != m[a].study) studies++;
    if (studies < 2) continue;
    mfh_sbuf plot = {0};
    size_t ncurves = 0;
    int wall = 0;
    for (size_t b = a; b < nm; b++) {
      if (done[b] || strcmp(keys[a], keys[b]) != 0) continue;
      done[b] = 1;
      const mfh_study_result *r = st[m[b].study];
      const mfh_series *s = &r->series[m[b].series];
      const mfh_cost_axis *c = cost_axis(r, s->axis);
      wall |= c->wall;
      char what[300];
      snprintf(what, sizeof what, "block %zu: study %.80s, %.60s along %.60s", block, r->id, s->measure, s->axis);
      data_block(&d, what, s, c);
      mfh_sb_puts(&plot, ncurves ? ", \\\n     " : "plot ");
      mfh_sb_printf(&plot,
                    "'work-precision.dat' index %zu using 2:4 with linespoints lc rgb \"%s\" lw 2 pt %zu ps 1.1 "
                    "title \"",
                    block, COLOURS[ncurves % NCOLOURS], 5 + 2 * (ncurves % 4));
      mfh_sb_esc(&plot, r->compare_method[0] ? r->compare_method : r->id, MFH_ESC_GP);
      mfh_sb_puts(&plot, " (");
      if (!exponent_gp(&plot, c)) mfh_sb_puts(&plot, "no cost exponent");
      mfh_sb_puts(&plot, ")\"");
      block++;
      ncurves++;
    }
    mfh_sb_puts(&plot, "\n");
    const mfh_study_result *r0 = st[m[a].study];
    const mfh_series *s0 = &r0->series[m[a].series];
    mfh_sbuf pt = {0};
    mfh_sb_esc(&pt, r0->compare_group[0] ? r0->compare_group : r0->theorem, MFH_ESC_GP);
    mfh_sb_puts(&pt, ": ");
    mfh_sb_esc(&pt, s0->measure, MFH_ESC_GP);
    mfh_sb_puts(&pt, " along ");
    mfh_sb_esc(&pt, s0->axis, MFH_ESC_GP);
    panel_begin(&g, mfh_sb_str(&pt), wall ? "seconds per task (CPU; wall where a curve's work ran outside mfh)"
                             : "CPU seconds per task",
                s0->label[0] ? s0->label : s0->measure);
    mfh_sb_free(&pt);
    mfh_sb_puts(&g, mfh_sb_str(&plot));
    mfh_sb_free(&plot);
  }
  wp_end(&g);
  free(m);
  free(keys);
  free(done);
  return save_and_render(ctx, &d, &g, err);
}

const mfh_writer_type mfh_writer_work_precision_set = {
    .name = "work_precision_set",
    .doc = "work-precision.gp (+ .png, .svg) of the run: a panel per comparison of methods, a curve per method",
    .scope = MFH_WRITER_RUN,
    .files = "work-precision.gp work-precision.dat",
    .write = write_set,
};
