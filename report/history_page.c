#include "report/history_page.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"

/* A text being written (open_memstream), saved atomically as dir/name. */
typedef struct text {
  FILE *f;
  char *s;
  size_t len;
} text;

static int text_open(text *t) {
  t->s = NULL;
  t->len = 0;
  t->f = open_memstream(&t->s, &t->len);
  return t->f ? MFH_OK : MFH_ENOMEM;
}

static int text_save(text *t, const char *dir, const char *name, mfh_err *err) {
  int bad = fclose(t->f) != 0;
  t->f = NULL;
  char *p = mfh_path_join(dir, name);
  int rc = bad || !p ? mfh_err_set(err, MFH_ENOMEM, "out of memory") : mfh_write_atomic(p, t->s, t->len, err);
  free(p);
  free(t->s);
  t->s = NULL;
  return rc;
}

static void html(FILE *f, const char *s) {
  for (; *s; s++) switch (*s) {
      case '<': fputs("&lt;", f); break;
      case '>': fputs("&gt;", f); break;
      case '&': fputs("&amp;", f); break;
      case '"': fputs("&quot;", f); break;
      default: fputc(*s, f);
    }
}

/* Inside a double-quoted gnuplot string (noenhanced text). */
static void gp_str(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    fputc(*s, f);
  }
}

/* A study id is a folder name (validated by the study loader: a-z 0-9 - _ .). */
static int safe_id(const char *id) {
  if (!id[0] || !strcmp(id, ".") || !strcmp(id, "..")) return 0;
  for (const char *p = id; *p; p++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *p)) return 0;
  return 1;
}

static int flagged(const mfh_drift *fl, size_t nfl, size_t run, size_t study, long check) {
  for (size_t i = 0; i < nfl; i++)
    if (fl[i].run == run && fl[i].study == study && fl[i].check == check) return 1;
  return 0;
}

static void num(FILE *f, double v) {
  if (isfinite(v)) fprintf(f, " %.17g", v);
  else fputs(" NaN", f);
}

static const char *ylabel(const char *kind) {
  if (!strcmp(kind, "rate")) return "fitted slope (95% CI)";
  if (!strcmp(kind, "uniform")) return "growth exponent (CI)";
  if (!strcmp(kind, "bound")) return "max ratio to the bound";
  if (!strcmp(kind, "constant")) return "fitted constant";
  if (!strcmp(kind, "expansion")) return "max relative residual";
  if (!strcmp(kind, "expected")) return "max relative deviation";
  return "value";
}

/* dir/c<k>.dat, dir/cost.dat and dir/plot.gp for study si. */
static int write_study_plot(const mfh_history *h, size_t si, const mfh_drift *fl, size_t nfl, const char *dir,
                            mfh_err *err) {
  const mfh_history_study *s = &h->studies[si];
  text t;
  char name[32];
  int rc = MFH_OK;
  for (size_t k = 0; !rc && k < s->nchecks; k++) {
    const mfh_history_check *c = &h->checks[s->first_check + k];
    if (text_open(&t)) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
    fprintf(t.f, "# %s %s: run value lo hi flagged verdict(0 pass 1 fail 2 inconclusive 3 error)\n", c->study,
            c->name);
    for (size_t j = 0; j < c->n; j++) {
      const mfh_history_point *p = &c->pts[j];
      fprintf(t.f, "%zu", p->run + 1);
      num(t.f, p->value);
      num(t.f, p->lo);
      num(t.f, p->hi);
      fprintf(t.f, " %d %d\n", flagged(fl, nfl, p->run, si, (long)(s->first_check + k)), p->verdict);
    }
    snprintf(name, sizeof name, "c%zu.dat", k + 1);
    rc = text_save(&t, dir, name, err);
  }
  if (rc) return rc;
  if (text_open(&t)) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  fputs("# run solver_seconds_per_task flagged\n", t.f);
  for (size_t j = 0; j < s->n; j++)
    if (s->pts[j].tasks_run > 0) {
      fprintf(t.f, "%zu", s->pts[j].run + 1);
      num(t.f, s->pts[j].solver_s / (double)s->pts[j].tasks_run);
      fprintf(t.f, " %d\n", flagged(fl, nfl, s->pts[j].run, si, -1));
    }
  if ((rc = text_save(&t, dir, "cost.dat", err))) return rc;

  size_t panels = s->nchecks + 1;
  int height = 60 + 250 * (int)panels;
  if (text_open(&t)) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  FILE *f = t.f;
  fprintf(f,
          "# plot.gp: written by mfh history for study %s; gnuplot plot.gp redraws plot.png and plot.svg\n"
          "if (!exists(\"outbase\")) outbase = \"plot\"\n"
          "set encoding utf8\n"
          "do for [fmt in \"png svg\"] {\n"
          "if (fmt eq \"png\") {\n"
          "  set terminal pngcairo size 960,%d noenhanced font \"Sans,11\" background rgb \"white\"\n"
          "} else {\n"
          "  set terminal svg size 960,%d dynamic noenhanced font \"Arial,11\" background rgb \"white\"\n"
          "}\n"
          "set output outbase.\".\".fmt\n"
          "set multiplot layout %zu,1 title \"",
          s->id, height, height, panels);
  gp_str(f, s->theorem);
  fputs(s->theorem[0] ? ": " : "", f);
  gp_str(f, s->id);
  fprintf(f,
          " over %zu runs\" font \",14\"\n"
          "set xrange [0.5:%zu.5]\n"
          "set xlabel \"run\"\n"
          "set xtics 1 nomirror\n"
          "if (%zu > 20) { set xtics %zu }\n"
          "set grid ytics lc rgb \"#dddddd\"\n"
          "set key outside right top vertical Left reverse font \",10\" width 1\n"
          "set lmargin 12\nset rmargin 24\n"
          "set border 3\nset ytics nomirror\nset offsets 0, 0, graph 0.08, graph 0.08\n",
          h->nruns, h->nruns, h->nruns, (h->nruns + 9) / 10);
  for (size_t k = 0; k < s->nchecks; k++) {
    const mfh_history_check *c = &h->checks[s->first_check + k];
    int interval = 0;
    for (size_t j = 0; j < c->n; j++) interval |= isfinite(c->pts[j].lo) && isfinite(c->pts[j].hi);
    fprintf(f, "set title \"");
    gp_str(f, c->name);
    fprintf(f, "\"\nset ylabel \"%s\"\n", ylabel(c->kind));
    fprintf(f, "plot ");
    if (!strcmp(c->kind, "rate") && isfinite(c->proved))
      fprintf(f, "%.17g with lines dt 2 lw 2 lc rgb \"#555555\" title \"proved %.4g\", ", c->proved, c->proved);
    if (!strcmp(c->kind, "bound")) fprintf(f, "1 with lines dt 2 lw 2 lc rgb \"#555555\" title \"bound\", ");
    fprintf(f, "\"c%zu.dat\" using 1:2 with lines lc rgb \"#9aa3b0\" notitle", k + 1);
    if (interval)
      fprintf(f, ", \"\" using 1:2:3:4 with yerrorbars pt 7 ps 0.6 lc rgb \"#1f5fa8\" title \"estimate, interval\"");
    static const struct {
      int v;
      const char *name, *color;
    } vs[] = {{0, "pass", "#2e9b4a"}, {1, "fail", "#c62828"}, {2, "inconclusive", "#d49000"}, {3, "error", "#6a3d9a"}};
    int seen[4] = {0}, any_flag = 0;
    for (size_t j = 0; j < c->n; j++) {
      if (c->pts[j].verdict >= 0 && c->pts[j].verdict <= 3) seen[c->pts[j].verdict] = 1;
      any_flag |= flagged(fl, nfl, c->pts[j].run, si, (long)(s->first_check + k));
    }
    for (size_t i = 0; i < 4; i++)
      if (seen[vs[i].v])
        fprintf(f, ", \"\" using 1:($6 == %d ? $2 : 1/0) with points pt 7 ps 1.1 lc rgb \"%s\" title \"%s\"",
                vs[i].v, vs[i].color, vs[i].name);
    if (any_flag)
      fprintf(f, ", \"\" using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.6 lw 2.5 lc rgb \"#e4002b\" title \"drift\"");
    fputc('\n', f);
  }
  fprintf(f,
          "set title \"solver cost\"\nset ylabel \"solver seconds per computed task\"\n"
          "plot \"cost.dat\" using 1:2 with linespoints pt 7 ps 0.8 lc rgb \"#444444\" title \"s / task\", "
          "\"\" using 1:($3 > 0 ? $2 : 1/0) with points pt 6 ps 2.6 lw 2.5 lc rgb \"#e4002b\" title \"slower\"\n"
          "unset multiplot\nunset output\n}\n");
  return text_save(&t, dir, "plot.gp", err);
}

static const char *vclass(int v) { return v >= 0 && v <= 3 ? mfh_verdict_text(v) : "error"; }

static void run_cell(FILE *f, const mfh_history *h, size_t run) {
  const mfh_history_run *r = &h->runs[run];
  fprintf(f, "<td>#%zu</td><td class=\"nw\">", run + 1);
  html(f, r->started_at);
  fputs("</td><td><code>", f);
  fprintf(f, "%.10s", r->commit[0] ? r->commit : "-");
  fputs("</code></td>", f);
}

int mfh_history_page(const mfh_history *h, const mfh_drift *fl, size_t nfl, const char *source, const char *outdir,
                     const mfh_report_opts *o, mfh_err *err) {
  int rc = mfh_mkdirs(outdir, err), first_fail = MFH_OK;
  mfh_err ferr;
  mfh_err_clear(&ferr);
  int *rendered = calloc(h->nstudies ? h->nstudies : 1, sizeof *rendered);
  if (!rendered) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  for (size_t s = 0; !rc && s < h->nstudies; s++) {
    if (!safe_id(h->studies[s].id)) continue;
    char *dir = mfh_path_join(outdir, h->studies[s].id);
    rc = dir ? mfh_mkdirs(dir, err) : mfh_err_set(err, MFH_ENOMEM, "out of memory");
    if (!rc) rc = write_study_plot(h, s, fl, nfl, dir, err);
    if (!rc) {
      int r = mfh_report_render_dir(dir, o, &rendered[s], &ferr);
      if (r && !first_fail) first_fail = r;
    }
    free(dir);
  }
  text t;
  if (rc || text_open(&t)) {
    free(rendered);
    return rc ? rc : mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  FILE *f = t.f;
  size_t latest = h->nruns ? h->nruns - 1 : 0, now = 0;
  for (size_t i = 0; i < nfl; i++) now += fl[i].run == latest;
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>mfh history</title>\n"
        "<style>\n"
        "body{font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,Helvetica,Arial,sans-serif;margin:0;"
        "background:#f4f5f7;color:#1d2330}\n"
        "header{background:#1d2330;color:#fff;padding:18px 32px}header h1{margin:0 0 4px;font-size:22px}\n"
        "main{max-width:1200px;margin:0 auto;padding:8px 32px 40px}h2{font-size:19px;margin:22px 0 6px}\n"
        "a{color:#1f5fa8;text-decoration:none}\n"
        "table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 3px rgba(0,0,0,.08)}\n"
        "th,td{padding:6px 10px;border-bottom:1px solid #e6e8ec;text-align:left;vertical-align:top;font-size:14px}\n"
        "th{background:#eceff3;font-weight:600;font-size:12px;text-transform:uppercase;color:#4a5260}\n"
        "td.nw{white-space:nowrap}\n"
        "td.sum{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}\n"
        ".v{display:inline-block;min-width:14px;height:14px;margin-right:2px;border-radius:3px}\n"
        ".pass{background:#2e9b4a}.fail{background:#c62828}.inconclusive{background:#d49000}.error{background:#6a3d9a}\n"
        ".drift td{background:#fdecea}.latest td{background:#fbd0cb;font-weight:600}\n"
        ".ok{background:#dcf3e1;color:#1e6b2e;padding:8px 12px;border-radius:6px}\n"
        ".alarm{background:#fbdcdc;color:#a61b1b;padding:8px 12px;border-radius:6px;font-weight:600}\n"
        "section.study{background:#fff;margin:24px 0;padding:16px 22px;border-radius:8px;"
        "box-shadow:0 1px 3px rgba(0,0,0,.08)}\n"
        "section.study img{display:block;max-width:100%;height:auto;margin:12px 0;border:1px solid #e6e8ec}\n"
        ".meta{color:#5a6270;font-size:13px}\n</style>\n</head>\n<body>\n<header>\n<h1>mfh history</h1>\n"
        "<div>",
        f);
  html(f, source);
  fprintf(f, ": %zu run%s", h->nruns, h->nruns == 1 ? "" : "s");
  if (h->nruns) {
    fputs(", ", f);
    html(f, h->runs[0].started_at);
    fputs(" to ", f);
    html(f, h->runs[latest].started_at);
  }
  fprintf(f, "; %zu stud%s, %zu check%s</div>\n</header>\n<main>\n<h2>Drift</h2>\n", h->nstudies,
          h->nstudies == 1 ? "y" : "ies", h->nchecks, h->nchecks == 1 ? "" : "s");
  if (now)
    fprintf(f, "<p class=\"alarm\">The latest run (#%zu) drifted: %zu flag%s below.</p>\n", latest + 1, now,
            now == 1 ? "" : "s");
  else
    fprintf(f, "<p class=\"ok\">No drift in the latest run%s.</p>\n", nfl ? " (earlier flags below)" : "");
  if (nfl) {
    fputs("<table>\n<tr><th>Run</th><th>Date</th><th>Commit</th><th>Flag</th><th>What</th></tr>\n", f);
    for (size_t i = nfl; i-- > 0;) {
      fprintf(f, "<tr class=\"%s\">", fl[i].run == latest ? "latest" : "drift");
      run_cell(f, h, fl[i].run);
      fprintf(f, "<td>%s</td><td class=\"sum\"><a href=\"#", mfh_drift_kind_text(fl[i].kind));
      html(f, h->studies[fl[i].study].id);
      fputs("\">", f);
      html(f, fl[i].what);
      fputs("</a></td></tr>\n", f);
    }
    fputs("</table>\n", f);
  }
  fputs("<p class=\"meta\">Flags: <b>moved</b>, an estimate moved by more than its interval and the earlier one "
        "allow (half-widths in quadrature), against the run before or the level it last moved to (at first, run #1); <b>flipped</b>, the verdict "
        "changed; <b>creeping</b>, a bound ratio rose three runs in a row by 5% or more in all; <b>slower</b>, "
        "solver seconds per task at or above the factor times the median of up to five earlier runs on the same "
        "machine.</p>\n<h2>Runs</h2>\n<table>\n<tr><th>Run</th><th>Date</th><th>Commit</th><th>Machine</th>"
        "<th>Profile</th><th>Exit</th><th>Wall</th></tr>\n",
        f);
  size_t from = h->nruns > 30 ? h->nruns - 30 : 0;
  for (size_t r = h->nruns; r-- > from;) {
    fputs("<tr>", f);
    run_cell(f, h, r);
    fputs("<td>", f);
    html(f, h->runs[r].machine);
    fprintf(f, " (%d cpus)</td><td>", h->runs[r].cpus);
    html(f, h->runs[r].profile);
    fprintf(f, "</td><td>%d</td><td>%.1f s</td></tr>\n", h->runs[r].exit_code, h->runs[r].wall_s);
  }
  fputs("</table>\n", f);
  if (from) fprintf(f, "<p class=\"meta\">(the latest 30 of %zu runs)</p>\n", h->nruns);
  for (size_t s = 0; s < h->nstudies; s++) {
    const mfh_history_study *st = &h->studies[s];
    if (!safe_id(st->id)) continue;
    fputs("<section class=\"study\" id=\"", f);
    html(f, st->id);
    fputs("\">\n<h2>", f);
    html(f, st->id);
    fputs("</h2>\n<div class=\"meta\">", f);
    html(f, st->theorem);
    fputs(st->theorem[0] ? ": " : "", f);
    html(f, st->title);
    fputs("</div>\n", f);
    if (rendered[s]) {
      fputs("<img src=\"", f);
      html(f, st->id);
      fputs("/plot.png\" alt=\"trends\">\n", f);
    } else {
      fputs("<p class=\"meta\">Plot not rendered: run <code>gnuplot plot.gp</code> in its folder.</p>\n", f);
    }
    fputs("<table>\n<tr><th>Check</th><th>Verdicts, oldest first</th><th>Latest</th></tr>\n", f);
    for (size_t k = 0; k < st->nchecks; k++) {
      const mfh_history_check *c = &h->checks[st->first_check + k];
      fputs("<tr><td>", f);
      html(f, c->name);
      fputs("</td><td>", f);
      for (size_t j = c->n > 40 ? c->n - 40 : 0; j < c->n; j++)
        fprintf(f, "<span class=\"v %s\" title=\"run #%zu: %s\"></span>", vclass(c->pts[j].verdict),
                c->pts[j].run + 1, vclass(c->pts[j].verdict));
      fputs("</td><td class=\"sum\">", f);
      html(f, c->last_summary);
      fputs("</td></tr>\n", f);
    }
    fputs("</table>\n</section>\n", f);
  }
  fputs("</main>\n</body>\n</html>\n", f);
  free(rendered);
  rc = text_save(&t, outdir, "index.html", err);
  if (!rc && first_fail) {
    *err = ferr;
    rc = first_fail;
  }
  return rc;
}
