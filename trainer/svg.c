/* svg.c: learning curves and confusion matrices as SVG (see svg.h). */
#include "svg.h"
#include <math.h>

typedef struct { double x, y, w, h; } box;

/* One panel: axes, two series (train solid, val dashed) over epochs. */
static void panel(FILE *f, box b, const char *title, const double *a, const double *v,
                  int n, int best_epoch, int unit_range)
{
  double lo = 0, hi = 1;
  if (!unit_range) {
    lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++) {
      lo = fmin(lo, fmin(a[i], v[i]));
      hi = fmax(hi, fmax(a[i], v[i]));
    }
    if (!(hi > lo))
      hi = lo + 1;
    lo = fmin(lo, 0);
  }
  fprintf(f, "<rect x='%g' y='%g' width='%g' height='%g' fill='none' stroke='#888'/>\n",
          b.x, b.y, b.w, b.h);
  fprintf(f, "<text x='%g' y='%g' font-size='14' text-anchor='middle'>%s</text>\n",
          b.x + b.w / 2, b.y - 8, title);
  for (int t = 0; t <= 4; t++) {
    double val = lo + (hi - lo) * t / 4, y = b.y + b.h - b.h * t / 4;
    fprintf(f, "<text x='%g' y='%g' font-size='10' text-anchor='end'>%.3g</text>\n",
            b.x - 4, y + 3, val);
    fprintf(f, "<line x1='%g' y1='%g' x2='%g' y2='%g' stroke='#eee'/>\n", b.x, y, b.x + b.w, y);
  }
  fprintf(f, "<text x='%g' y='%g' font-size='11' text-anchor='middle'>epoch (1..%d)</text>\n",
          b.x + b.w / 2, b.y + b.h + 18, n);
  const double *series[2] = { a, v };
  const char *style[2] = { "stroke='#1f77b4'", "stroke='#d62728' stroke-dasharray='5,3'" };
  for (int s = 0; s < 2; s++) {
    fprintf(f, "<polyline fill='none' stroke-width='1.5' %s points='", style[s]);
    for (int i = 0; i < n; i++) {
      double x = b.x + (n > 1 ? b.w * i / (n - 1) : b.w / 2);
      double y = b.y + b.h - b.h * (series[s][i] - lo) / (hi - lo);
      fprintf(f, "%.1f,%.1f ", x, y);
    }
    fprintf(f, "'/>\n");
  }
  if (best_epoch >= 1 && best_epoch <= n) {
    double x = b.x + (n > 1 ? b.w * (best_epoch - 1) / (n - 1) : b.w / 2);
    fprintf(f, "<line x1='%g' y1='%g' x2='%g' y2='%g' stroke='#2ca02c' stroke-dasharray='2,2'/>\n",
            x, b.y, x, b.y + b.h);
  }
}

void tr_svg_curves(FILE *f, const tl_epoch *hist, int n, int best_epoch)
{
  double tl[TL_MAX_EPOCHS], vl[TL_MAX_EPOCHS], ta[TL_MAX_EPOCHS], va[TL_MAX_EPOCHS];
  for (int i = 0; i < n && i < TL_MAX_EPOCHS; i++) {
    tl[i] = hist[i].train_loss, vl[i] = hist[i].val_loss;
    ta[i] = hist[i].train_acc, va[i] = hist[i].val_acc;
  }
  fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='900' height='360' "
          "font-family='sans-serif'>\n<rect width='900' height='360' fill='white'/>\n");
  panel(f, (box){ 60, 40, 360, 260 }, "loss", tl, vl, n, best_epoch, 0);
  panel(f, (box){ 510, 40, 360, 260 }, "accuracy (per window)", ta, va, n, best_epoch, 1);
  fprintf(f, "<text x='60' y='345' font-size='11' fill='#1f77b4'>train (solid)</text>"
          "<text x='160' y='345' font-size='11' fill='#d62728'>validation (dashed)</text>"
          "<text x='300' y='345' font-size='11' fill='#2ca02c'>best epoch %d (weights kept)</text>\n",
          best_epoch);
  fprintf(f, "</svg>\n");
}

void tr_svg_confusion(FILE *f, const tl_confusion *c, const char *const *labels,
                       const char *title)
{
  const double cell = 44, x0 = 110, y0 = 60;
  const double size = x0 + cell * c->k + 20;
  fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%g' height='%g' "
          "font-family='sans-serif'>\n<rect width='100%%' height='100%%' fill='white'/>\n",
          size, size + 30);
  fprintf(f, "<text x='%g' y='20' font-size='14' text-anchor='middle'>%s</text>\n",
          size / 2, title);
  fprintf(f, "<text x='%g' y='%g' font-size='11' text-anchor='middle'>predicted</text>\n",
          x0 + cell * c->k / 2, y0 + cell * c->k + 20);
  fprintf(f, "<text x='%g' y='%g' font-size='11' text-anchor='middle' "
          "transform='rotate(-90 %g %g)'>true</text>\n", 14.0, y0 + cell * c->k / 2,
          14.0, y0 + cell * c->k / 2);
  for (uint32_t i = 0; i < c->k; i++) {
    fprintf(f, "<text x='%g' y='%g' font-size='10' text-anchor='end'>%s</text>\n",
            x0 - 4, y0 + cell * i + cell / 2 + 3, labels[i]);
    fprintf(f, "<text x='%g' y='%g' font-size='10' text-anchor='start' "
            "transform='rotate(-45 %g %g)'>%s</text>\n", x0 + cell * i + cell / 2,
            y0 - 4, x0 + cell * i + cell / 2, y0 - 4, labels[i]);
    size_t row = tl_support(c, i);
    for (uint32_t j = 0; j < c->k; j++) {
      double rate = row ? (double)c->cm[i][j] / (double)row : 0;
      int shade = (int)(255 - 200 * rate);
      fprintf(f, "<rect x='%g' y='%g' width='%g' height='%g' fill='rgb(%d,%d,255)' "
              "stroke='#ccc'/>\n", x0 + cell * j, y0 + cell * i, cell, cell, shade, shade);
      fprintf(f, "<text x='%g' y='%g' font-size='11' text-anchor='middle' fill='%s'>%zu</text>\n",
              x0 + cell * j + cell / 2, y0 + cell * i + cell / 2 + 4,
              rate > 0.5 ? "white" : "black", c->cm[i][j]);
    }
  }
  fprintf(f, "</svg>\n");
}
