/* cmd_analyze.c: `emovox analyze FILE... [--csv|--json] [--svg PLOT]
 * [--model BUNDLE]`: the emotion timeline of audio files, computed by the
 * same streaming engine as the LV2 plugins (core/evx_engine.h), fed in
 * blocks as a host would. Non-RT (a command-line tool). */
#include "audio.h"
#include "channel_pick.h"
#include "cli.h"
#include "cmd.h"
#include "evx_engine.h"
#include "evx_labels.h"
#include "quote.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef enum { OUT_TABLE, OUT_CSV, OUT_JSON } out_format;

#define MAX_VOICE_CHANGES 1024

/* A speaker event: at t seconds, switch to voice slot (0-based), or forget
 * the voice (slot -1). */
typedef struct { double t; int slot; } voice_event;

typedef struct {
  const char *stdin_path;  /* the memfd path standard input was copied to */
  const char *stdin_name;  /* what it is called in the output ("-") */
  const char *model_path;
  const char *svg_path;
  out_format format;
  uint32_t block;
  evx_engine_params params;
  int one_voice;          /* files are one speaker: adaptation carries on */
  voice_event voice_at[MAX_VOICE_CHANGES]; /* --voice-at, --new-voice-at; by time */
  int n_voice_at;
  int channel;            /* --channel: 0-based, or TR_PICK_* */
  int adapt;              /* --adapt: ADAPT_STREAM, ADAPT_FREEZE, ADAPT_COLD */
} analyze_opts;

/* --adapt: stream learns as it goes (the plugins' Learn); freeze learns the
 * whole file first, then judges all of it against what it learnt (the same
 * audio reads the same wherever it is); cold judges against the training
 * speakers' average (the plugins' Off; emovox eval --adapt cold). */
enum { ADAPT_STREAM, ADAPT_FREEZE, ADAPT_COLD };

/* One published result, as a row of the timeline. */
typedef struct { double t; evx_engine_out o; } row;

typedef struct {
  const char *path;
  double rate, duration;
  double interval;         /* s between updates */
  row *rows;
  size_t n, cap;
} timeline;

static const char *const colours[EVX_N_EMOTIONS] = {
  "#d62728", "#17becf", "#8c564b", "#9467bd", "#ff7f0e", "#7f7f7f", "#1f77b4", "#2ca02c"
};

static void usage(FILE *f)
{
  fprintf(f,
    "usage: emovox analyze FILE|-... [--csv|--json] [--svg PLOT] [--model BUNDLE]\n"
    "                      [--response S] [--gate DB] [--hold S] [--block N]\n"
    "                      [--one-voice] [--voice-at T:V,...] [--new-voice-at T,...]\n"
    "                      [--channel N|mix|loudest|auto] [--adapt stream|freeze|cold]\n"
    "  The emotion timeline of each FILE (any format libsndfile reads), from the\n"
    "  same engine as the emovox LV2 plugins: one row per update, then (table\n"
    "  and JSON) a summary: the dominant emotion and its share of voiced time.\n"
    "  - reads the audio from standard input. A file shorter than the first\n"
    "  update gives no rows and a note. Unvoiced rows with no decision leave\n"
    "  arousal and valence empty.\n"
    "  --csv, --json   machine-readable output (default: a plain table)\n"
    "  --svg PLOT      also draw the eight probabilities over time as SVG\n"
    "  --model BUNDLE  weight bundle (default: $EMOVOX_MODEL, else the\n"
    "                  default.emvx of the built or installed emovox.lv2)\n"
    "  --response S    smoothing time constant, 0..10 s (default %.1f)\n"
    "  --gate DB       voice gate, -90..0 dBFS (default %.0f)\n"
    "  --hold S        keep the last decision through silence, 0..10 s (default %.1f)\n"
    "  --block N       samples per push, as a host's block size (default 512)\n"
    "  --one-voice     the files are one speaker, in order: a speaker-adapting\n"
    "                  model carries what it learnt of the voice from file to\n"
    "                  file (default: each file starts afresh, as a new plugin)\n"
    "  --voice-at T:V[,T:V...]  voice V (1..8) talks from T seconds on, in every\n"
    "                  file: each voice keeps its own speaker statistics, as the\n"
    "                  plugins' urn:emovox:voice parameter does (a dialogue:\n"
    "                  --voice-at 0:1,12.5:2,31:1)\n"
    "  --new-voice-at T[,T...]  forget the voice talking at these times (the\n"
    "                  plugins' urn:emovox:newVoice)\n"
    "  --channel C     which channel of a multichannel file is judged: N (1-based),\n"
    "                  mix (averaged; antiphase cancels), loudest, or auto (the\n"
    "                  default: the centre of a 5.1 or 7.1 file, else the channel\n"
    "                  with the most speech)\n"
    "  --adapt A       speaker adaptation of an adapting model: stream (default:\n"
    "                  learns the voice as it plays, as the plugins' Learn),\n"
    "                  freeze (learns the whole file first, then judges all of it\n"
    "                  against that, as the plugins' Freeze after one pass), cold\n"
    "                  (the training speakers' average, as the plugins' Off and\n"
    "                  emovox eval --adapt cold)\n",
    EVX_ENGINE_DEFAULT_RESPONSE, EVX_ENGINE_DEFAULT_GATE, EVX_ENGINE_DEFAULT_HOLD);
}

static int readable(const char *p) { return p && access(p, R_OK) == 0; }

/* The default model: $EMOVOX_MODEL, else next to the executable (build tree
 * <build>/trainer/emovox -> <build>/emovox.lv2; installed <prefix>/bin ->
 * <prefix>/lib[/<multiarch>]/lv2/emovox.lv2), else LV2_PATH and the usual
 * LV2 directories. */
static const char *find_default_model(char *buf, size_t len)
{
  const char *env = getenv("EMOVOX_MODEL");
  if (env && *env)
    return snprintf(buf, len, "%s", env), buf;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
      *slash = '\0';
    const char *rel[] = { "../emovox.lv2", "../lib/lv2/emovox.lv2", "../lib/*/lv2/emovox.lv2",
                          "../lib64/lv2/emovox.lv2" };
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
      char pat[PATH_MAX + 64];
      snprintf(pat, sizeof pat, "%s/%s/default.emvx", exe, rel[i]);
      glob_t g;
      if (glob(pat, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
        snprintf(buf, len, "%s", g.gl_pathv[0]);
        globfree(&g);
        return buf;
      }
      globfree(&g);
    }
  }
  char dirs[8192];
  const char *lv2 = getenv("LV2_PATH");
  snprintf(dirs, sizeof dirs, "%s%s%s", lv2 ? lv2 : "", lv2 ? ":" : "",
           "/usr/local/lib/lv2:/usr/lib/lv2");
  for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    snprintf(buf, len, "%s/emovox.lv2/default.emvx", d);
    if (readable(buf))
      return buf;
  }
  return NULL;
}

static void on_publish(void *user, const evx_engine_out *o)
{
  timeline *tl = user;
  if (tl->n == tl->cap) {
    size_t cap = tl->cap ? 2 * tl->cap : 256;
    row *r = realloc(tl->rows, cap * sizeof *r);
    if (!r)
      return;   /* out of memory: the row is dropped, reported by the caller */
    tl->rows = r;
    tl->cap = cap;
  }
  tl->rows[tl->n].t = (double)o->frame * 0.01;   /* frames are 10 ms apart */
  tl->rows[tl->n++].o = *o;
}

static void on_nothing(void *user, const evx_engine_out *o)
{
  (void)user;
  (void)o;
}

static int run_pass(const tr_audio *a, evx_engine_model *em,
                    const analyze_opts *op, evx_engine_adapt mode,
                    evx_engine_listener listener, timeline *tl);

/* The file's samples on the channel op->channel asks for (a->x replaced). */
static int pick_channel(const char *path, tr_audio *a, const analyze_opts *op)
{
  char err[512];
  int chosen = -1;
  float *x = tr_pick_channel(a, op->channel, &chosen, err, sizeof err);
  if (!x) {
    fprintf(stderr, "emovox analyze: %s: %s\n", path, err);
    return -1;
  }
  if (a->channels > 1 && chosen >= 0)
    fprintf(stderr, "emovox analyze: %s: %d channels, judging channel %d\n", path,
            a->channels, chosen + 1);
  free(a->x);
  a->x = x;
  return 0;
}

/* Run one file through a fresh engine (--adapt freeze: two, the first one
 * only learning). 0, or -1 with a message printed. */
static int analyze_file(const char *path, evx_engine_model *em, const analyze_opts *op,
                        timeline *tl)
{
  char err[512];
  tr_audio a;
  if (tr_audio_read_interleaved(path, &a, err, sizeof err)) {
    fprintf(stderr, "emovox: analyze: %s\n", err);   /* err names the file */
    return -1;
  }
  if (pick_channel(path, &a, op)) {
    tr_audio_free(&a);
    return -1;
  }
  tl->path = op->stdin_name && !strcmp(path, op->stdin_path) ? op->stdin_name : path;
  tl->rate = a.rate;
  tl->duration = a.rate > 0 ? (double)a.n / a.rate : 0.0;
  int rc;
  if (op->adapt == ADAPT_FREEZE) {
    rc = run_pass(&a, em, op, EVX_ENGINE_ADAPT_LEARN, on_nothing, tl);
    evx_engine_model_set_fresh_voice(em, 0);   /* the second pass starts where it ended */
    if (!rc)
      rc = run_pass(&a, em, op, EVX_ENGINE_ADAPT_FREEZE, on_publish, tl);
    evx_engine_model_set_fresh_voice(em, !op->one_voice);
  } else {
    rc = run_pass(&a, em, op, op->adapt == ADAPT_COLD ? EVX_ENGINE_ADAPT_OFF
                                                            : EVX_ENGINE_ADAPT_LEARN, on_publish, tl);
  }
  tr_audio_free(&a);
  if (!rc && tl->n == 0)
    fprintf(stderr, "emovox: analyze: note: %s is %.2f s long, shorter than the %.2f s "
            "before the first update: no results\n", tl->path, tl->duration, tl->interval);
  return rc;
}

/* One pass of a's samples through a fresh engine in adaptation mode `mode`,
 * results to listener(tl). */
static int run_pass(const tr_audio *src, evx_engine_model *em,
                    const analyze_opts *op, evx_engine_adapt mode,
                    evx_engine_listener listener, timeline *tl)
{
  tr_audio a = *src;
  uint32_t window = em ? evx_engine_model_get(em)->cfg.window_frames : 0;
  size_t size = evx_engine_size(a.rate, op->block, window);
  void *mem = size ? malloc(size) : NULL;
  evx_engine *e = mem ? evx_engine_init(mem, size, a.rate, op->block, window, em) : NULL;
  if (!e) {
    fprintf(stderr, "emovox: analyze: %s: cannot analyse audio at %.0f Hz (8 to 192 kHz)\n",
            tl->path, a.rate);
    free(mem);
    return -1;
  }
  evx_engine_set_params(e, &op->params);
  evx_engine_set_adapt(e, mode);
  evx_engine_set_listener(e, listener, tl);
  tl->interval = evx_engine_update_seconds(e);
  int next = 0;   /* the next speaker change of op->voice_at */
  for (size_t i = 0; i < a.n;) {
    size_t end = a.n - i < op->block ? a.n : i + op->block;
    /* a change inside this block splits the push at its sample */
    for (; next < op->n_voice_at; next++) {
      const voice_event *v = &op->voice_at[next];
      double at = ceil(v->t * a.rate);
      size_t c = at <= (double)i ? i : (size_t)at;
      if (c >= end)
        break;
      if (c > i)
        evx_engine_push(e, a.x + i, (uint32_t)(c - i));
      if (v->slot < 0)
        evx_engine_new_voice(e);
      else
        evx_engine_set_voice(e, (uint32_t)v->slot);
      i = c;
    }
    evx_engine_push(e, a.x + i, (uint32_t)(end - i));
    i = end;
  }
  evx_engine_finish(e);
  evx_engine_destroy(e);   /* the model stays ours */
  free(mem);
  return 0;
}

/* ---- output ---------------------------------------------------------------- */

static const char *dominant_name(uint32_t d)
{
  return d < EVX_N_EMOTIONS ? evx_emotion_name((int)d) : "none";
}

/* No decision (silence longer than hold): arousal and valence say nothing. */
static int decided(const evx_engine_out *o) { return o->dominant < EVX_N_EMOTIONS; }

/* The dominant emotion over the voiced updates with a decision, its share
 * of them, and the voiced time. -1 when nothing was voiced. */
static int summarise(const timeline *tl, double *share, double *voiced_s)
{
  size_t count[EVX_N_EMOTIONS] = { 0 }, voiced = 0;
  for (size_t r = 0; r < tl->n; r++) {
    const evx_engine_out *o = &tl->rows[r].o;
    if (o->speech && decided(o)) {
      count[o->dominant]++;
      voiced++;
    }
  }
  int best = -1;
  for (int i = 0; i < EVX_N_EMOTIONS; i++)
    if (count[i] && (best < 0 || count[i] > count[best]))
      best = i;
  *share = voiced ? (double)count[best < 0 ? 0 : best] / (double)voiced : 0.0;
  *voiced_s = (double)voiced * tl->interval;
  return best;
}

static void print_summary(FILE *f, const timeline *tl)
{
  double share, voiced;
  int d = summarise(tl, &share, &voiced);
  if (d < 0)
    fprintf(f, "summary: %s: no voiced speech in %.2f s\n", tl->path, tl->duration);
  else
    fprintf(f, "summary: %s: %s, %.0f%% of %.1f s voiced (of %.2f s)\n", tl->path,
            evx_emotion_name(d), 100 * share, voiced, tl->duration);
}

static void print_table(FILE *f, const timeline *tl)
{
  fprintf(f, "%s (%.0f Hz, %.2f s, %zu updates)\n", tl->path, tl->rate, tl->duration, tl->n);
  fprintf(f, "%8s  %-9s %5s %6s", "time_s", "dominant", "conf", "speech");
  for (int i = 0; i < EVX_N_EMOTIONS; i++)
    fprintf(f, " %9.9s", evx_emotion_name(i));
  fprintf(f, " %7s %7s\n", "arousal", "valence");
  for (size_t r = 0; r < tl->n; r++) {
    const evx_engine_out *o = &tl->rows[r].o;
    fprintf(f, "%8.2f  %-9s %5.2f %6u", tl->rows[r].t, dominant_name(o->dominant),
            o->confidence, o->speech);
    for (int i = 0; i < EVX_N_EMOTIONS; i++)
      fprintf(f, " %9.4f", o->probs[i]);
    if (decided(o))
      fprintf(f, " %7.3f %7.3f\n", o->arousal, o->valence);
    else
      fprintf(f, " %7s %7s\n", "-", "-");
  }
  print_summary(f, tl);
}

static void print_csv_header(FILE *f)
{
  fprintf(f, "file,time_s");
  for (int i = 0; i < EVX_N_EMOTIONS; i++)
    fprintf(f, ",%s", evx_emotion_name(i));
  fprintf(f, ",dominant,confidence,speech,arousal,valence\n");
}

static void print_csv(FILE *f, const timeline *tl)
{
  for (size_t r = 0; r < tl->n; r++) {
    const evx_engine_out *o = &tl->rows[r].o;
    tr_csv_string(f, tl->path, 1);
    fprintf(f, ",%.2f", tl->rows[r].t);
    for (int i = 0; i < EVX_N_EMOTIONS; i++)
      fprintf(f, ",%.9g", o->probs[i]);
    fprintf(f, ",%s,%.9g,%u", dominant_name(o->dominant), o->confidence, o->speech);
    if (decided(o))
      fprintf(f, ",%.9g,%.9g\n", o->arousal, o->valence);
    else
      fputs(",,\n", f);
  }
}

static void print_json(FILE *f, const timeline *tls, int n, const char *model)
{
  fprintf(f, "{\n  \"model\": ");
  tr_json_string(f, model);
  fprintf(f, ",\n  \"labels\": [");
  for (int i = 0; i < EVX_N_EMOTIONS; i++)
    fprintf(f, "%s\"%s\"", i ? ", " : "", evx_emotion_name(i));
  fprintf(f, "],\n  \"files\": [");
  for (int k = 0; k < n; k++) {
    const timeline *tl = &tls[k];
    fprintf(f, "%s\n    {\"file\": ", k ? "," : "");
    tr_json_string(f, tl->path);
    fprintf(f, ", \"rate\": %.0f, \"duration_s\": %.4f, \"updates\": [", tl->rate, tl->duration);
    for (size_t r = 0; r < tl->n; r++) {
      const evx_engine_out *o = &tl->rows[r].o;
      fprintf(f, "%s\n      {\"time_s\": %.2f, \"probs\": [", r ? "," : "", tl->rows[r].t);
      for (int i = 0; i < EVX_N_EMOTIONS; i++)
        fprintf(f, "%s%.9g", i ? ", " : "", o->probs[i]);
      fprintf(f, "], \"dominant\": \"%s\", \"confidence\": %.9g, \"speech\": %u, ",
              dominant_name(o->dominant), o->confidence, o->speech);
      if (decided(o))
        fprintf(f, "\"arousal\": %.9g, \"valence\": %.9g}", o->arousal, o->valence);
      else
        fprintf(f, "\"arousal\": null, \"valence\": null}");
    }
    double share, voiced;
    int d = summarise(tl, &share, &voiced);
    fprintf(f, "\n    ], \"summary\": {\"dominant\": \"%s\", \"share_of_voiced\": %.4f, "
            "\"voiced_s\": %.2f}}", d < 0 ? "none" : evx_emotion_name(d), share, voiced);
  }
  fprintf(f, "\n  ]\n}\n");
}

/* One panel per file: the eight probabilities as lines over time, unvoiced
 * updates shaded, labelled axes and a legend. */
static void svg_panel(FILE *f, const timeline *tl, double y0)
{
  const double X0 = 70, W = 720, H = 240, top = y0 + 36;
  double span = tl->duration > 0.01 ? tl->duration : 0.01;
  for (size_t r = 0; r < tl->n; r++)
    if (tl->rows[r].t > span)
      span = tl->rows[r].t;
  fprintf(f, "<text x=\"%g\" y=\"%g\" font-size=\"14\" font-weight=\"bold\">", X0, y0 + 20);
  for (const char *s = tl->path; *s; s++)   /* XML-escape the file name */
    fputs(*s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : (char[2]){ *s, 0 }, f);
  fprintf(f, "</text>\n");
  /* unvoiced stretches */
  for (size_t r = 0; r < tl->n; r++) {
    if (tl->rows[r].o.speech)
      continue;
    double t1 = tl->rows[r].t, t0 = r ? tl->rows[r - 1].t : 0.0;
    fprintf(f, "<rect x=\"%.1f\" y=\"%g\" width=\"%.1f\" height=\"%g\" fill=\"#eeeeee\"/>\n",
            X0 + W * t0 / span, top, W * (t1 - t0) / span, H);
  }
  /* axes, grid and ticks */
  for (int g = 0; g <= 4; g++) {
    double y = top + H - H * g / 4.0;
    fprintf(f, "<line x1=\"%g\" y1=\"%.1f\" x2=\"%g\" y2=\"%.1f\" stroke=\"#cccccc\"/>\n",
            X0, y, X0 + W, y);
    fprintf(f, "<text x=\"%g\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%.2f</text>\n",
            X0 - 6, y + 4, g / 4.0);
  }
  double step = span > 20 ? 5 : span > 8 ? 2 : span > 3 ? 1 : 0.5;
  for (double t = 0; t <= span + 1e-9; t += step) {
    double x = X0 + W * t / span;
    fprintf(f, "<line x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\" stroke=\"#000\"/>\n",
            x, top + H, x, top + H + 5);
    fprintf(f, "<text x=\"%.1f\" y=\"%g\" font-size=\"11\" text-anchor=\"middle\">%g</text>\n",
            x, top + H + 18, t);
  }
  fprintf(f, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"#000\"/>\n",
          X0, top, W, H);
  fprintf(f, "<text x=\"%g\" y=\"%g\" font-size=\"12\" text-anchor=\"middle\">time (s)</text>\n",
          X0 + W / 2, top + H + 34);
  fprintf(f, "<text x=\"%g\" y=\"%g\" font-size=\"12\" text-anchor=\"middle\" "
          "transform=\"rotate(-90 %g %g)\">probability</text>\n",
          X0 - 45, top + H / 2, X0 - 45, top + H / 2);
  /* one line per emotion, and the legend */
  for (int i = 0; i < EVX_N_EMOTIONS; i++) {
    fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colours[i]);
    for (size_t r = 0; r < tl->n; r++)
      fprintf(f, "%.1f,%.1f ", X0 + W * tl->rows[r].t / span,
              top + H - H * tl->rows[r].o.probs[i]);
    fprintf(f, "\"/>\n");
    double ly = top + 8 + 18 * i;
    fprintf(f, "<rect x=\"%g\" y=\"%g\" width=\"14\" height=\"4\" fill=\"%s\"/>\n",
            X0 + W + 16, ly, colours[i]);
    fprintf(f, "<text x=\"%g\" y=\"%g\" font-size=\"12\">%s</text>\n", X0 + W + 36, ly + 6,
            evx_emotion_name(i));
  }
  fprintf(f, "<rect x=\"%g\" y=\"%g\" width=\"14\" height=\"10\" fill=\"#eeeeee\" "
          "stroke=\"#999\"/>\n<text x=\"%g\" y=\"%g\" font-size=\"12\">no speech</text>\n",
          X0 + W + 16, top + 8 + 18 * EVX_N_EMOTIONS - 3, X0 + W + 36,
          top + 8 + 18 * EVX_N_EMOTIONS + 6);
}

static int write_svg(const char *path, const timeline *tls, int n)
{
  char err[4400];
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "emovox: analyze: cannot write %s: %s\n", path, strerror(errno));
    return -1;
  }
  const double panel = 330;
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"%g\" "
          "font-family=\"sans-serif\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
          panel * n + 10);
  for (int k = 0; k < n; k++)
    svg_panel(f, &tls[k], panel * k);
  fprintf(f, "</svg>\n");
  if (tr_close_checked(f, path, err, sizeof err)) {
    fprintf(stderr, "emovox: analyze: %s\n", err);
    return -1;
  }
  return 0;
}

/* ---- command line -------------------------------------------------------------- */

/* --response, --gate, --hold: a number inside the plugins' control range. */
static int parse_control(const char *opt, const char *v, double lo, double hi, float *out)
{
  double d;
  if (!v)
    return tr_usage_error("analyze", "%s needs a value (%g..%g)", opt, lo, hi);
  if (tr_parse_number(v, lo, hi, &d))
    return tr_usage_error("analyze", "%s: '%s' is not a number in %g..%g", opt, v, lo, hi);
  *out = (float)d;
  return 0;
}

/* "12.5,40" (slots = 0) or "0:1,12.5:2" (slots = 1) appended to
 * op->voice_at, kept in time order (stable: the order given breaks ties).
 * 0 or -1. */
static int parse_voice_events(const char *list, int slots, analyze_opts *op)
{
  const char *p = list;
  do {
    char *end;
    double t = strtod(p, &end);
    long v = -1;
    if (end == p || !isfinite(t) || t < 0 || op->n_voice_at == MAX_VOICE_CHANGES)
      return -1;
    if (slots) {
      if (*end != ':')
        return -1;
      p = end + 1;
      v = strtol(p, &end, 10);
      if (end == p || v < 1 || v > (long)EVX_ENGINE_VOICES)
        return -1;
      v -= 1;
    }
    if (*end && *end != ',')
      return -1;
    int k = op->n_voice_at++;
    while (k > 0 && op->voice_at[k - 1].t > t) {   /* insertion */
      op->voice_at[k] = op->voice_at[k - 1];
      k--;
    }
    op->voice_at[k] = (voice_event){ t, (int)v };
    p = *end ? end + 1 : end;
    if (*end && !*p)
      return -1;   /* a trailing comma */
  } while (*p);
  return 0;
}

/* Fills op and the file list; returns the number of files, or -1 with the
 * message printed. */
static int parse(int argc, char **argv, analyze_opts *op, const char **files)
{
  int nf = 0, stdin_given = 0;
  const char *format_opt = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--csv") || !strcmp(a, "--json")) {
      out_format f = a[2] == 'c' ? OUT_CSV : OUT_JSON;
      if (format_opt && op->format != f) {
        tr_usage_error("analyze", "%s and %s together: choose one output format "
                        "(--csv, --json, or neither for a table)", format_opt, a);
        return -1;
      }
      op->format = f;
      format_opt = a;
    }
    else if (!strcmp(a, "--one-voice")) op->one_voice = 1;
    else if (!strcmp(a, "--new-voice-at") || !strcmp(a, "--voice-at")) {
      int slots = !strcmp(a, "--voice-at");
      if (!v || parse_voice_events(argv[++i], slots, op)) {
        tr_usage_error("analyze", "%s wants %s, comma-separated (at most %d in all), not "
                        "'%s'", a, slots ? "TIME:VOICE pairs (seconds >= 0, voice 1..8)"
                        : "times in seconds (>= 0)", MAX_VOICE_CHANGES, v ? v : "");
        return -1;
      }
    }
    else if (!strcmp(a, "--channel")) {
      op->channel = v ? tr_pick_parse(v) : TR_PICK_BAD;
      if (op->channel == TR_PICK_BAD) {
        tr_usage_error("analyze", "--channel: '%s' is not N (1..64), mix, loudest or auto",
                        v ? v : "");
        return -1;
      }
      i++;
    }
    else if (!strcmp(a, "--adapt")) {
      op->adapt = !v ? -1 : !strcmp(v, "stream") ? ADAPT_STREAM
                  : !strcmp(v, "freeze") ? ADAPT_FREEZE : !strcmp(v, "cold") ? ADAPT_COLD : -1;
      if (op->adapt < 0) {
        tr_usage_error("analyze", "--adapt: '%s' is not stream, freeze or cold", v ? v : "");
        return -1;
      }
      i++;
    }
    else if (!strcmp(a, "--svg") || !strcmp(a, "--model")) {
      if (!v || !*v) {
        tr_usage_error("analyze", "%s needs a %s", a, a[2] == 's' ? "file to write" :
                        "bundle to read");
        return -1;
      }
      *(a[2] == 's' ? &op->svg_path : &op->model_path) = argv[++i];
    }
    else if (!strcmp(a, "--response") || !strcmp(a, "--hold")) {
      if (parse_control(a, v, 0, 10, a[2] == 'r' ? &op->params.response : &op->params.hold))
        return -1;
      i++;
    } else if (!strcmp(a, "--gate")) {
      if (parse_control(a, v, -90, 0, &op->params.gate))
        return -1;
      i++;
    } else if (!strcmp(a, "--block")) {
      double b;
      if (!v || tr_parse_number(v, 1, 8192, &b) || b != floor(b)) {
        tr_usage_error("analyze", "--block: '%s' is not a whole number of samples in "
                        "1..8192", v ? v : "");
        return -1;
      }
      op->block = (uint32_t)b;
      i++;
    } else if (!strcmp(a, "-")) {
      if (stdin_given++) {
        tr_usage_error("analyze", "- (standard input) given twice");
        return -1;
      }
      files[nf++] = a;
    } else if (a[0] == '-') {
      tr_usage_error("analyze", "unknown option '%s' (see emovox help analyze)", a);
      return -1;
    } else {
      files[nf++] = a;
    }
  }
  if (nf == 0) {
    tr_usage_error("analyze", "no input file (give FILE..., or - for standard input)");
    return -1;
  }
  return nf;
}

/* Standard input copied into a memfd whose /proc path libsndfile can seek
 * in (a pipe cannot be). The fd stays open for the whole command. */
static int stdin_to_memfd(char *path, size_t len)
{
  int fd = memfd_create("emovox-stdin", 0);
  if (fd < 0)
    return -1;
  char buf[65536];
  for (;;) {
    ssize_t k = read(0, buf, sizeof buf);
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0) {
      close(fd);
      return -1;
    }
    if (k == 0)
      break;
    for (ssize_t o = 0; o < k;) {
      ssize_t w = write(fd, buf + o, (size_t)(k - o));
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0) {
        close(fd);
        return -1;
      }
      o += w;
    }
  }
  snprintf(path, len, "/proc/self/fd/%d", fd);
  return fd;
}

int tr_cmd_analyze(int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
      return usage(stdout), 0;
  static analyze_opts op;   /* static: voice_at is 16 KB */
  memset(&op, 0, sizeof op);
  op.format = OUT_TABLE;
  op.block = 512;
  op.channel = TR_PICK_AUTO;
  op.adapt = ADAPT_STREAM;
  op.params = (evx_engine_params){ EVX_ENGINE_DEFAULT_RESPONSE, EVX_ENGINE_DEFAULT_GATE,
                                   EVX_ENGINE_DEFAULT_HOLD };
  const char **files = calloc((size_t)argc + 1, sizeof *files);
  int nf = files ? parse(argc, argv, &op, files) : -1;
  if (nf <= 0) {
    free(files);
    return 2;
  }
  char err[4400];
  /* the plot's path is checked now, not after the whole analysis */
  if (op.svg_path && tr_output_file_check(op.svg_path, err, sizeof err)) {
    fprintf(stderr, "emovox: analyze: --svg %s\n", err);
    free(files);
    return 1;
  }
  char found[PATH_MAX + 64], in_path[64];
  const char *model = op.model_path ? op.model_path : find_default_model(found, sizeof found);
  if (!model) {
    fprintf(stderr, "emovox: analyze: no default model found (build emovox.lv2, install it, "
            "or set EMOVOX_MODEL / --model)\n");
    free(files);
    return 1;
  }
  evx_engine_model *em = evx_engine_model_load(model, err, sizeof err);
  if (!em) {
    fprintf(stderr, "emovox: analyze: %s\n", err);   /* err names the bundle */
    free(files);
    return 1;
  }
  int in_fd = -1;
  for (int k = 0; k < nf; k++)
    if (!strcmp(files[k], "-")) {
      if ((in_fd = stdin_to_memfd(in_path, sizeof in_path)) < 0) {
        fprintf(stderr, "emovox: analyze: cannot read standard input: %s\n", strerror(errno));
        evx_engine_model_free(em);
        free(files);
        return 1;
      }
      files[k] = in_path;
      op.stdin_path = in_path;
      op.stdin_name = "-";
    }
  if (op.one_voice)
    evx_engine_model_set_fresh_voice(em, 0);
  timeline *tls = calloc((size_t)nf, sizeof *tls);
  int status = tls ? 0 : 1, ok = 0;
  /* A file that fails is reported (stderr) and left out; the others are
   * still printed, and the exit status says that something failed. */
  for (int k = 0; k < nf && tls; k++) {
    if (analyze_file(files[k], em, &op, &tls[ok])) {
      free(tls[ok].rows);
      memset(&tls[ok], 0, sizeof tls[ok]);
      status = 1;
    } else {
      ok++;
    }
  }
  nf = ok;
  if (tls && ok > 0) {
    if (op.format == OUT_CSV)
      print_csv_header(stdout);
    if (op.format == OUT_JSON)
      print_json(stdout, tls, nf, model);
    for (int k = 0; k < nf && op.format != OUT_JSON; k++) {
      if (op.format == OUT_CSV)
        print_csv(stdout, &tls[k]);
      else
        print_table(stdout, &tls[k]);
    }
    if (op.svg_path && write_svg(op.svg_path, tls, nf))
      status = 1;
  }
  /* a full disk or closed pipe on standard output is a failure, not silence */
  if (fflush(stdout) || ferror(stdout)) {
    fprintf(stderr, "emovox: analyze: cannot write standard output: %s\n", strerror(errno));
    clearerr(stdout);
    status = 1;
  }
  for (int k = 0; k < nf && tls; k++)
    free(tls[k].rows);
  free(tls);
  evx_engine_model_free(em);
  free(files);
  if (in_fd >= 0)
    close(in_fd);
  return status;
}
