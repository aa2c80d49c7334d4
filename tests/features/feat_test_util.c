/* feat_test_util.c: see feat_test_util.h. Test-thread code. */
#include "feat_test_util.h"

#include "evx_feat_variant.h"
#include "evx_features.h"
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const ft_group_name[FT_GROUPS] = { "zcr", "chroma", "mfcc", "rms", "mel" };

const char *const ft_golden_names[] = {
  "sine_440", "chirp_50_7900", "white_noise", "silence", "impulses", "low_level_noise",
  "03-01-05-02-01-01-05", "KL_sa03", "YAF_chair_fear", NULL
};

/* The speech clips' inputs, from golden/README.md. */
static const char *const speech_inputs[][2] = {
  { "03-01-05-02-01-01-05", "data/ravdess/Actor_05/03-01-05-02-01-01-05.flac" },
  { "KL_sa03", "data/savee/KL_sa03.flac" },
  { "YAF_chair_fear", "data/tess/YAF_fear/YAF_chair_fear.flac" },
};

int ft_extract(const float *x, size_t n, double rate, unsigned variant,
               uint32_t max_block, ft_block_fn next, void *ctx,
               float **frames, size_t *n_frames)
{
  *frames = NULL;
  *n_frames = 0;
  size_t size = evx_fx_size(rate, max_block);
  void *mem = size ? malloc(size) : NULL;
  evx_fx *fx = mem ? evx_fx_init_variant(mem, size, rate, max_block, variant) : NULL;
  if (!fx) {
    free(mem);
    return -1;
  }
  size_t cap = 64, got = 0;
  float *out = malloc(sizeof(float) * EVX_NFEAT * cap);
  for (size_t i = 0; out && i < n;) {
    uint32_t len = next ? next(ctx) : max_block;
    len = len > max_block ? max_block : len;
    len = (size_t)len > n - i ? (uint32_t)(n - i) : len;
    while (cap - got < evx_fx_max_frames(fx)) {
      cap *= 2;
      out = realloc(out, sizeof(float) * EVX_NFEAT * cap);
    }
    if (out)
      got += evx_fx_push(fx, x + i, len, out + got * EVX_NFEAT);
    i += len;
  }
  evx_fx_destroy(fx);
  free(mem);
  *frames = out;
  *n_frames = got;
  return out ? 0 : -1;
}

const char *ft_golden_header(void)
{
  static char h[4096];
  size_t k = (size_t)snprintf(h, sizeof h, "frame,zcr");
  for (int i = 0; i < 12; i++)
    k += (size_t)snprintf(h + k, sizeof h - k, ",chroma_%d", i);
  for (int i = 0; i < 20; i++)
    k += (size_t)snprintf(h + k, sizeof h - k, ",mfcc_%d", i);
  k += (size_t)snprintf(h + k, sizeof h - k, ",rms");
  for (int i = 0; i < 64; i++)
    k += (size_t)snprintf(h + k, sizeof h - k, ",mel_%d", i);
  snprintf(h + k, sizeof h - k, "\n");
  return h;
}

int ft_load_golden(const char *csv, float **rows, size_t *n_rows)
{
  *rows = NULL;
  *n_rows = 0;
  FILE *f = fopen(csv, "r");
  if (!f)
    return -1;
  static char line[65536];
  if (!fgets(line, sizeof line, f) || strcmp(line, ft_golden_header()) != 0) {
    fclose(f);
    return -1;
  }
  size_t cap = 128, n = 0;
  float *r = malloc(sizeof(float) * EVX_NFEAT * cap);
  int rc = 0;
  while (r && fgets(line, sizeof line, f)) {
    if (n == cap)
      r = realloc(r, sizeof(float) * EVX_NFEAT * (cap *= 2));
    if (!r)
      break;
    char *p = line, *end;
    if (strtol(p, &end, 10) != (long)n || *end != ',') {
      rc = -1;
      break;
    }
    for (unsigned j = 0; j < EVX_NFEAT; j++) {
      p = end + 1;
      r[n * EVX_NFEAT + j] = strtof(p, &end);
      if (end == p) {
        rc = -1;
        break;
      }
    }
    n++;
  }
  fclose(f);
  if (!r || rc != 0) {
    free(r);
    return -1;
  }
  *rows = r;
  *n_rows = n;
  return 0;
}

/* Record one value's error against its tolerance. */
static void note(ft_report *r, int group, double err, double tol, size_t t, unsigned j)
{
  double ratio = tol > 0 ? err / tol : (err > 0 ? INFINITY : 0.0);
  if (!(ratio <= r->worst[group])) {  /* also catches NaN */
    r->worst[group] = isnan(ratio) ? INFINITY : ratio;
    r->worst_abs[group] = err;
  }
  if (!(ratio <= 1.0)) {
    if (r->failures == 0)
      snprintf(r->first, sizeof r->first, "frame %zu column %u (%s): error %g > tolerance %g",
               t, j, ft_group_name[group], err, tol);
    r->failures++;
  }
}

static void compare_frame(const float *o, const float *g, size_t t, ft_report *r)
{
  note(r, FT_ZCR, fabs(o[EVX_F_ZCR] - g[EVX_F_ZCR]), 1.0 / 400 + 1e-9, t, EVX_F_ZCR);

  const double rms = g[EVX_F_RMS];
  note(r, FT_RMS, fabs(o[EVX_F_RMS] - rms), fmax(1e-4 * fabs(rms), 1e-7), t, EVX_F_RMS);

  double peak = 0;
  for (unsigned m = 0; m < EVX_N_MEL; m++)
    peak = fmax(peak, g[EVX_F_MEL + m]);
  for (unsigned m = 0; m < EVX_N_MEL; m++) {
    const double v = g[EVX_F_MEL + m];
    const double tol = v >= 1e-6 * peak ? 1e-3 * fabs(v) : 1e-6 * peak;
    note(r, FT_MEL, fabs(o[EVX_F_MEL + m] - v), tol, t, EVX_F_MEL + m);
  }

  for (unsigned k = 0; k < EVX_N_MFCC; k++)
    note(r, FT_MFCC, fabs(o[EVX_F_MFCC + k] - g[EVX_F_MFCC + k]), 0.02, t, EVX_F_MFCC + k);

  /* chroma: 1e-3 where the frame's power (mean square) is above 1e-10,
   * exactly 0 for a silent frame, unchecked in between */
  const double power = rms * rms;
  for (unsigned c = 0; c < EVX_N_CHROMA; c++) {
    const double err = fabs(o[EVX_F_CHROMA + c] - g[EVX_F_CHROMA + c]);
    if (power > 1e-10)
      note(r, FT_CHROMA, err, 1e-3, t, EVX_F_CHROMA + c);
    else if (rms == 0.0)
      note(r, FT_CHROMA, fabs(o[EVX_F_CHROMA + c]), 0.0, t, EVX_F_CHROMA + c);
  }
}

void ft_compare(const float *ours, size_t n_ours, const float *ref, size_t n_ref,
                ft_report *r)
{
  memset(r, 0, sizeof *r);
  if (n_ours != n_ref) {
    snprintf(r->first, sizeof r->first, "%zu frames, golden has %zu", n_ours, n_ref);
    r->failures++;
  }
  size_t n = n_ours < n_ref ? n_ours : n_ref;
  for (size_t t = 0; t < n; t++)
    compare_frame(ours + t * EVX_NFEAT, ref + t * EVX_NFEAT, t, r);
  r->frames_compared = n;
}

float *ft_golden_input(const char *name, size_t *n, double *rate)
{
  char rel[512], path[4096];
  snprintf(rel, sizeof rel, "golden/%s.wav", name);
  for (size_t i = 0; i < sizeof speech_inputs / sizeof speech_inputs[0]; i++)
    if (!strcmp(name, speech_inputs[i][0]))
      snprintf(rel, sizeof rel, "%s", speech_inputs[i][1]);
  return tu_read_audio(tu_shared_path(path, sizeof path, rel), n, rate);
}
