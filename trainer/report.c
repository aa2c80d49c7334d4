/* report.c: report.json, report.md and the plots (see report.h). */
#include "report.h"
#include "quote.h"
#include "learn/checkpoint.h"
#include "learn/metrics.h"
#include "svg.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_GROUPS 16   /* corpora in one report (+ overall) */

typedef struct {
  char name[16];
  tl_confusion win, clip;
} group;

char *tr_command_line(int argc, char **argv)
{
  size_t len = sizeof "emovox ";
  for (int i = 0; i < argc; i++)
    len += strlen(argv[i]) * 2 + 3;
  char *s = malloc(len), *p = s;
  if (!s)
    return NULL;
  p += sprintf(p, "emovox ");
  for (int i = 0; i < argc; i++) {
    int quote = strpbrk(argv[i], " \t'\"$*?;&|<>()") != NULL || !argv[i][0];
    p += sprintf(p, "%s%s", i ? " " : "", quote ? "'" : "");
    for (const char *c = argv[i]; *c; c++)
      p += *c == '\'' ? sprintf(p, "'\\''") : sprintf(p, "%c", *c);
    if (quote)
      p += sprintf(p, "'");
  }
  return s;
}

static group *group_of(group *g, int *n, const char *name)
{
  for (int i = 0; i < *n; i++)
    if (!strcmp(g[i].name, name))
      return &g[i];
  if (*n >= MAX_GROUPS)
    return NULL;
  return &g[(*n)++];
}

/* Per window and per clip confusions, overall (g[0]) and per corpus. */
static int tally(const tr_report *r, group *g, int *n_groups)
{
  *n_groups = 1;
  memset(g, 0, sizeof(group) * MAX_GROUPS);
  snprintf(g[0].name, sizeof g[0].name, "overall");
  for (int i = 0; i < MAX_GROUPS; i++) {
    tl_confusion_init(&g[i].win, r->k);
    tl_confusion_init(&g[i].clip, r->k);
  }
  size_t i = 0;
  float *mean = malloc(sizeof(float) * r->k);
  if (!mean)
    return -1;
  while (i < r->n) {   /* rows of a clip are contiguous */
    size_t j = i;
    memset(mean, 0, sizeof(float) * r->k);
    const tr_clip *c = &r->cl->clips[r->clip[i]];
    group *gc = group_of(g, n_groups, c->corpus);
    if (gc && !gc->name[0])
      snprintf(gc->name, sizeof gc->name, "%s", c->corpus);
    for (; j < r->n && r->clip[j] == r->clip[i]; j++) {
      tl_confusion_add(&g[0].win, r->y[j], r->probs + j * r->k);
      if (gc)
        tl_confusion_add(&gc->win, r->y[j], r->probs + j * r->k);
      for (uint32_t k = 0; k < r->k; k++)
        mean[k] += r->probs[j * r->k + k];
    }
    tl_confusion_add(&g[0].clip, r->y[i], mean);   /* argmax of sum = of mean */
    if (gc)
      tl_confusion_add(&gc->clip, r->y[i], mean);
    i = j;
  }
  free(mean);
  return 0;
}

static void json_metrics(FILE *f, const tl_confusion *c, const char *const *labels)
{
  fprintf(f, "{\"n\": %zu, \"ua\": %.6f, \"wa\": %.6f, \"per_class\": [", c->n, tl_ua(c), tl_wa(c));
  for (uint32_t i = 0; i < c->k; i++) {
    fprintf(f, "%s{\"label\": ", i ? ", " : "");
    tr_json_string(f, labels[i]);
    fprintf(f, ", \"precision\": %.6f, \"recall\": %.6f, \"f1\": %.6f, \"support\": %zu}",
            tl_precision(c, i), tl_recall(c, i), tl_f1(c, i), tl_support(c, i));
  }
  fprintf(f, "], \"confusion\": [");
  for (uint32_t i = 0; i < c->k; i++) {
    fprintf(f, "%s[", i ? ", " : "");
    for (uint32_t j = 0; j < c->k; j++)
      fprintf(f, "%s%zu", j ? ", " : "", c->cm[i][j]);
    fprintf(f, "]");
  }
  fprintf(f, "]}");
}

/* Distinct speakers of one side (side -1: all), as a list into f. */
static void speakers(FILE *f, const tr_report *r, int side, int json)
{
  const char **seen = malloc(sizeof(char *) * (r->cl->n + 1));
  size_t n = 0;
  for (size_t i = 0; seen && i < r->cl->n; i++) {
    if (side >= 0 && r->sp && r->sp->side[i] != side)
      continue;
    size_t j = 0;
    while (j < n && strcmp(seen[j], r->cl->clips[i].speaker))
      j++;
    if (j == n)
      seen[n++] = r->cl->clips[i].speaker;
  }
  for (size_t i = 0; i < n; i++) {
    if (json) {
      fputs(i ? ", " : "", f);
      tr_json_string(f, seen[i]);
    } else {
      fprintf(f, "%s%s", i ? ", " : "", seen[i]);
    }
  }
  free(seen);
}

static void write_json(FILE *f, const tr_report *r, const group *g, int ng)
{
  const char *warn = r->sp ? tr_split_warning(r->sp) : NULL;
  fprintf(f, "{\n  \"tool\": ");
  tr_json_string(f, r->title);
  fprintf(f, ",\n  \"command\": ");
  tr_json_string(f, r->command);
  fprintf(f, ",\n  \"seed\": %llu,\n  \"bundle\": ", (unsigned long long)r->seed);
  tr_json_string(f, r->bundle);
  fprintf(f, ",\n  \"evaluated\": ");
  tr_json_string(f, r->evaluated);
  fprintf(f, ",\n  \"degradation\": %s", r->degradation_json ? r->degradation_json : "null");
  fprintf(f, ",\n  \"split\": {\"speaker_independent\": %s, \"warning\": ",
          warn ? "false" : r->sp ? "true" : "null");
  if (warn)
    tr_json_string(f, warn);
  else
    fputs("null", f);
  for (int s = 0; r->sp && s < TR_N_SIDES; s++) {
    fprintf(f, ", \"%s\": {\"clips\": %zu, \"speakers\": [", tr_side_name(s), r->sp->clips[s]);
    speakers(f, r, s, 1);
    fprintf(f, "]}");
  }
  if (!r->sp) {
    fprintf(f, ", \"all\": {\"clips\": %zu, \"speakers\": [", r->cl->n);
    speakers(f, r, -1, 1);
    fprintf(f, "]}");
  }
  fprintf(f, "},\n  \"labels\": [");
  for (uint32_t i = 0; i < r->k; i++) {
    fputs(i ? ", " : "", f);
    tr_json_string(f, r->labels[i]);
  }
  fprintf(f, "],\n");
  const char *unit[2] = { "per_window", "per_clip" };
  for (int u = 0; u < 2; u++) {
    fprintf(f, "  \"%s\": {", unit[u]);
    for (int i = 0; i < ng; i++) {
      fprintf(f, "%s\n    ", i ? "," : "");
      tr_json_string(f, g[i].name);
      fputs(": ", f);
      json_metrics(f, u ? &g[i].clip : &g[i].win, r->labels);
    }
    fprintf(f, "\n  },\n");
  }
  fprintf(f, "  \"epochs\": [");
  for (int i = 0; i < r->n_hist; i++)
    fprintf(f, "%s\n    {\"epoch\": %d, \"train_loss\": %.6f, \"train_acc\": %.6f, "
            "\"val_loss\": %.6f, \"val_acc\": %.6f, \"lr\": %.3g, \"seconds\": %.3f}",
            i ? "," : "", i + 1, r->hist[i].train_loss, r->hist[i].train_acc,
            r->hist[i].val_loss, r->hist[i].val_acc, r->hist[i].lr, r->hist[i].seconds);
  fprintf(f, "\n  ],\n  \"best_epoch\": %d,\n  \"train_seconds\": %.3f\n}\n",
          r->best_epoch, r->train_seconds);
}

static void md_metrics(FILE *f, const group *g, const char *unit, const tr_report *r)
{
  fprintf(f, "\n### %s: %s\n\nUA %.1f%%, WA %.1f%% (%zu %ss)\n\n"
          "| class | precision | recall | F1 | support |\n|---|---|---|---|---|\n",
          g->name, unit, 100 * tl_ua(unit[0] == 'w' ? &g->win : &g->clip),
          100 * tl_wa(unit[0] == 'w' ? &g->win : &g->clip),
          (unit[0] == 'w' ? &g->win : &g->clip)->n, unit);
  const tl_confusion *c = unit[0] == 'w' ? &g->win : &g->clip;
  for (uint32_t i = 0; i < c->k; i++)
    fprintf(f, "| %s | %.3f | %.3f | %.3f | %zu |\n", r->labels[i], tl_precision(c, i),
            tl_recall(c, i), tl_f1(c, i), tl_support(c, i));
  fprintf(f, "\nConfusion (rows truth, columns predicted):\n\n| |");
  for (uint32_t j = 0; j < c->k; j++)
    fprintf(f, " %s |", r->labels[j]);
  fprintf(f, "\n|---|");
  for (uint32_t j = 0; j < c->k; j++)
    fprintf(f, "---|");
  for (uint32_t i = 0; i < c->k; i++) {
    fprintf(f, "\n| %s |", r->labels[i]);
    for (uint32_t j = 0; j < c->k; j++)
      fprintf(f, " %zu |", c->cm[i][j]);
  }
  fprintf(f, "\n");
}

static void write_md(FILE *f, const tr_report *r, const group *g, int ng)
{
  const char *warn = r->sp ? tr_split_warning(r->sp) : NULL;
  fprintf(f, "# %s report\n\n", r->title);
  if (warn)
    fprintf(f, "**%s** — scores below are NOT speaker-independent.\n\n", warn);
  fprintf(f, "- command: `%s`\n- seed: %llu\n- bundle: `%s`\n- evaluated: %s\n",
          r->command, (unsigned long long)r->seed, r->bundle, r->evaluated);
  if (r->degradation)
    fprintf(f, "- degradation: %s\n", r->degradation);
  if (r->sp) {
    fprintf(f, "- split: %s\n", warn ? warn : "speaker-independent (no speaker on two sides)");
    for (int s = 0; s < TR_N_SIDES; s++) {
      fprintf(f, "  - %s: %zu clip%s, %zu speaker%s: ", tr_side_name(s), r->sp->clips[s],
              r->sp->clips[s] == 1 ? "" : "s", r->sp->speakers[s],
              r->sp->speakers[s] == 1 ? "" : "s");
      speakers(f, r, s, 0);
      fputc('\n', f);
    }
  } else {
    fprintf(f, "- data: %zu clips, speakers: ", r->cl->n);
    speakers(f, r, -1, 0);
    fputc('\n', f);
  }
  fprintf(f, "\n## Scores\n\nUA = unweighted average recall (mean over classes present), "
          "WA = accuracy. *Per window*: each network input on its own (what the plugin "
          "reports live). *Per clip*: mean of the clip's window probabilities.\n\n"
          "| group | UA window | WA window | UA clip | WA clip | windows | clips |\n"
          "|---|---|---|---|---|---|---|\n");
  for (int i = 0; i < ng; i++)
    fprintf(f, "| %s | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %zu | %zu |\n", g[i].name,
            100 * tl_ua(&g[i].win), 100 * tl_wa(&g[i].win), 100 * tl_ua(&g[i].clip),
            100 * tl_wa(&g[i].clip), g[i].win.n, g[i].clip.n);
  for (int i = 0; i < ng; i++) {
    md_metrics(f, &g[i], "window", r);
    md_metrics(f, &g[i], "clip", r);
  }
  fprintf(f, "\n![confusion per window](confusion_window.svg)\n"
          "![confusion per clip](confusion_clip.svg)\n");
  if (r->n_hist) {
    fprintf(f, "\n## Training\n\n%d epochs in %.1f s, best validation loss at epoch %d "
            "(its weights are in the bundle).\n\n![learning curves](learning_curves.svg)\n\n"
            "| epoch | train loss | train acc | val loss | val acc | lr | s |\n"
            "|---|---|---|---|---|---|---|\n", r->n_hist, r->train_seconds, r->best_epoch);
    for (int i = 0; i < r->n_hist; i++)
      fprintf(f, "| %d | %.4f | %.3f | %.4f | %.3f | %.2g | %.1f |\n", i + 1,
              r->hist[i].train_loss, r->hist[i].train_acc, r->hist[i].val_loss,
              r->hist[i].val_acc, r->hist[i].lr, r->hist[i].seconds);
  }
}

/* Render with fn into memory, then write atomically to dir/name. */
static int emit(const char *dir, const char *name, void (*fn)(FILE *, const void *),
                const void *ctx, char *err, size_t errlen)
{
  char *buf = NULL, path[4096];
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  fn(f, ctx);
  fclose(f);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int rc = tl_write_atomic(path, buf, len, err, errlen);
  free(buf);
  return rc;
}

typedef struct {
  const tr_report *r;
  const group *g;
  int ng;
  int clip;
} emit_ctx;

static void do_json(FILE *f, const void *p) { const emit_ctx *c = p; write_json(f, c->r, c->g, c->ng); }
static void do_md(FILE *f, const void *p) { const emit_ctx *c = p; write_md(f, c->r, c->g, c->ng); }
static void do_curves(FILE *f, const void *p)
{
  const emit_ctx *c = p;
  tr_svg_curves(f, c->r->hist, c->r->n_hist, c->r->best_epoch);
}
static void do_confusion(FILE *f, const void *p)
{
  const emit_ctx *c = p;
  tr_svg_confusion(f, c->clip ? &c->g[0].clip : &c->g[0].win, c->r->labels,
                    c->clip ? "confusion per clip (overall)" : "confusion per window (overall)");
}

/* windows.csv: every scored window's probabilities, so that two bundles
 * scored on the same clips can be compared or averaged window by window. */
static void do_windows(FILE *f, const void *p)
{
  const emit_ctx *c = p;
  const tr_report *r = c->r;
  fputs("clip,speaker,window,label", f);
  for (uint32_t j = 0; j < r->k; j++)
    fprintf(f, ",p_%s", r->labels[j]);
  fputc('\n', f);
  uint32_t w = 0;
  for (size_t i = 0; i < r->n; i++) {
    const tr_clip *clip = &r->cl->clips[r->clip[i]];
    w = i && r->clip[i] == r->clip[i - 1] ? w + 1 : 0;
    tr_csv_string(f, clip->path, 0);   /* as found; quoted only when it must be */
    int y = r->y[i];
    fprintf(f, ",%s,%u,%s", clip->speaker, w, y >= 0 && (uint32_t)y < r->k ? r->labels[y] : "");
    for (uint32_t j = 0; j < r->k; j++)
      fprintf(f, ",%.6g", r->probs[i * r->k + j]);
    fputc('\n', f);
  }
}

int tr_report_write(const char *dir, const tr_report *r, double *ua_window,
                     double *ua_clip, char *err, size_t errlen)
{
  if (dir && mkdir(dir, 0755) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "%s: cannot create report directory: %s", dir, strerror(errno));
    return -1;
  }
  group *g = malloc(sizeof(group) * MAX_GROUPS);
  int ng = 0;
  if (!g || tally(r, g, &ng)) {
    free(g);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  emit_ctx c = { r, g, ng, 0 }, cc = { r, g, ng, 1 };
  int rc = 0;
  if (dir) {   /* NULL: scores only */
    rc = emit(dir, "report.json", do_json, &c, err, errlen);
    rc = rc ? rc : emit(dir, "report.md", do_md, &c, err, errlen);
    rc = rc ? rc : emit(dir, "confusion_window.svg", do_confusion, &c, err, errlen);
    rc = rc ? rc : emit(dir, "confusion_clip.svg", do_confusion, &cc, err, errlen);
    rc = rc ? rc : emit(dir, "windows.csv", do_windows, &c, err, errlen);
    if (!rc && r->n_hist)
      rc = emit(dir, "learning_curves.svg", do_curves, &c, err, errlen);
  }
  if (ua_window)
    *ua_window = tl_ua(&g[0].win);
  if (ua_clip)
    *ua_clip = tl_ua(&g[0].clip);
  free(g);
  return rc;
}
