/* The gnuplot writer: per series the data files s<k>-<axis>-<measure>.dat
 * (points), .curve.dat (fitted line, band, proved rate, expansion) and
 * .gci.dat (a gci check's extrapolated value and GCI band), the
 * script plot.gp (gnuplot_script.c), and plot.png + plot.svg drawn by the
 * gnuplot program when the render mode asks for it (gnuplot_run.c). */
#include "report/gnuplot.h"

#include <math.h>
#include <stdio.h>

#include "report/numfmt.h"
#include "report/sbuf.h"
#include "report/writer.h"

/* Base name of series k's data files: "s<k+1>-<axis>-<measure>", made of
 * [A-Za-z0-9._-] only (safe in gnuplot strings and every file system). */
void mfh_gnuplot_series_base(char *buf, size_t n, size_t k, const mfh_series *s) {
  snprintf(buf, n, "s%zu-%.40s-%.40s", k + 1, s->axis, s->measure);
  for (char *p = buf; *p; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
          *p == '.' || *p == '-' || *p == '_'))
      *p = '_';
}

static int write_series_data(const mfh_study_result *r, size_t k, const mfh_plot_geom *g,
                             const char *dir, mfh_err *err) {
  const mfh_series *s = &r->series[k];
  char base[128], name[160], a[40], b[40], c[40], d[40];
  mfh_gnuplot_series_base(base, sizeof base, k, s);
  mfh_sbuf o = {0};
  mfh_sb_puts(&o, "# mfh study ");
  mfh_sb_esc(&o, r->id, MFH_ESC_LINE);
  mfh_sb_printf(&o, ": series %zu of %zu: ", k + 1, r->nseries);
  mfh_sb_esc(&o, s->measure, MFH_ESC_LINE);
  mfh_sb_puts(&o, " vs ");
  mfh_sb_esc(&o, s->axis, MFH_ESC_LINE);
  mfh_sb_puts(&o, "\n# label: ");
  mfh_sb_esc(&o, s->label, MFH_ESC_LINE);
  mfh_sb_putc(&o, '\n');
  if (s->has_fit)
    mfh_sb_printf(&o, "# fit%s: %s %s, interval [%s, %s] at level %s, %zu of %zu points used\n",
                  is_exp(s) ? " y = C e^(s x)" : "", slope_word(s), mfh_fmt_g17(a, s->fit.slope),
                  mfh_fmt_g17(b, s->fit.slope_lo), mfh_fmt_g17(c, s->fit.slope_hi),
                  mfh_fmt_g17(d, s->fit.level), s->fit.n_used, s->fit.n);
  mfh_sb_puts(&o,
              "# columns: x mean se sd nrep nfailed used bound fit band_lo band_hi\n"
              "#   x: value of the swept parameter; mean, se, sd: replica statistics\n"
              "#   nrep: replicas with a finite value; nfailed: replicas missing or failed\n"
              "#   used: 1 if the point entered the rate fit (0 if excluded or no fit)\n"
              "#   bound: explicit bound at x; fit: fitted line at x; band_lo, band_hi: its\n"
              "#   confidence band (NaN where there is none)\n");
  for (size_t i = 0; i < s->n; i++) {
    const mfh_point_stats *p = &s->pts[i];
    double fit = NAN, lo = NAN, hi = NAN;
    if (s->has_fit && x_ok(is_exp(s), p->x)) {
      fit = mfh_fit_predict(&s->fit, p->x);
      double hw = mfh_fit_band_halfwidth_log(&s->fit, p->x);
      if (isfinite(fit) && isfinite(hw)) {
        lo = fit * exp(-hw);
        hi = fit * exp(hw);
      }
    }
    char v[8][40];
    mfh_sb_printf(&o, "%s %s %s %s %zu %zu %d %s %s %s %s\n", mfh_fmt_g17(v[0], p->x),
                  mfh_fmt_g17(v[1], p->mean), mfh_fmt_g17(v[2], p->se), mfh_fmt_g17(v[3], p->sd),
                  p->nrep, p->nfailed, pt_used(s, i),
                  mfh_fmt_g17(v[4], s->bound ? s->bound[i] : NAN), mfh_fmt_g17(v[5], fit),
                  mfh_fmt_g17(v[6], lo), mfh_fmt_g17(v[7], hi));
  }
  snprintf(name, sizeof name, "%s.dat", base);
  int rc = mfh_sb_save(&o, dir, name, err);
  if (!rc && (g->extrap || g->gciband)) {
    mfh_sb_puts(&o, "# mfh study ");
    mfh_sb_esc(&o, r->id, MFH_ESC_LINE);
    mfh_sb_printf(&o,
                  ": series %zu: the gci check's Richardson extrapolation (Celik et al. 2008)\n"
                  "# columns: x phi1 lo hi phi_ext gci_fine\n"
                  "#   x, phi1: the finest level; lo, hi: phi1 (1 -/+ GCI_fine), its uncertainty band;\n"
                  "#   phi_ext: the extrapolated value; gci_fine: relative\n",
                  k + 1);
    char v[6][40];
    mfh_sb_printf(&o, "%s %s %s %s %s %s\n", mfh_fmt_g17(v[0], s->extrap_x),
                  mfh_fmt_g17(v[1], 0.5 * (s->extrap_lo + s->extrap_hi)), mfh_fmt_g17(v[2], s->extrap_lo),
                  mfh_fmt_g17(v[3], s->extrap_hi), mfh_fmt_g17(v[4], s->extrap), mfh_fmt_g17(v[5], s->extrap_gci));
    snprintf(name, sizeof name, "%s.gci.dat", base);
    rc = mfh_sb_save(&o, dir, name, err);
  }
  if (rc || !(g->line || g->proved || g->expn)) return rc;

  mfh_sb_puts(&o, "# mfh study ");
  mfh_sb_esc(&o, r->id, MFH_ESC_LINE);
  mfh_sb_printf(&o, ": series %zu: curves for plotting, %s in x\n", k + 1,
                g->xlin ? "evenly spaced" : "log-spaced");
  mfh_sb_printf(&o,
                "# columns: x fit band_lo band_hi proved%s\n"
                "#   fit, band_lo, band_hi: fitted line and confidence band over the fitted\n"
                "#   range (NaN elsewhere; band clipped at a factor e^200)\n"
                "#   proved: proved rate through the fitted line at the first fitted point\n",
                g->expn ? " expansion" : "");
  if (g->expn)
    mfh_sb_puts(
        &o, "#   expansion: the `expansion` check's fitted sum c_k x^p_k (NaN outside the data)\n");
  if (is_exp(s))
    mfh_sb_puts(&o, "#   (exponential model: proved = y0 e^(p (x - x0)), fit = C e^(s x))\n");
  for (size_t j = 0; j < g->ncurve; j++) {
    char v[6][40];
    mfh_sb_printf(&o, "%s %s %s %s %s", mfh_fmt_g17(v[0], g->cx[j]), mfh_fmt_g17(v[1], g->cfit[j]),
                  mfh_fmt_g17(v[2], g->clo[j]), mfh_fmt_g17(v[3], g->chi[j]),
                  mfh_fmt_g17(v[4], g->cref[j]));
    if (g->expn) mfh_sb_printf(&o, " %s", mfh_fmt_g17(v[5], g->cexp[j]));
    mfh_sb_puts(&o, "\n");
  }
  snprintf(name, sizeof name, "%s.curve.dat", base);
  return mfh_sb_save(&o, dir, name, err);
}

static int write_gnuplot(mfh_writer_ctx *ctx, mfh_err *err) {
  const mfh_plot_model *m = ctx->plot;
  int rc = MFH_OK;
  for (size_t k = 0; k < m->view.nseries && !rc; k++)
    rc = write_series_data(&m->view, k, &m->geom[k], ctx->dir, err);
  if (!rc) rc = mfh_gnuplot_script(m, ctx->dir, err);
  if (rc) return rc;
  rc = mfh_gnuplot_render(ctx->dir, ctx->opts, &ctx->rendered, err);
  if (!ctx->rendered) { /* never leave images of an earlier run next to new data */
    mfh_report_remove(ctx->dir, "plot.png");
    mfh_report_remove(ctx->dir, "plot.svg");
  }
  return rc;
}

const mfh_writer_type mfh_writer_gnuplot = {
    .name = "gnuplot",
    .doc = "plot.gp with its data files, and plot.png + plot.svg drawn by gnuplot",
    .scope = MFH_WRITER_STUDY,
    .files = "plot.gp",
    .write = write_gnuplot,
};
